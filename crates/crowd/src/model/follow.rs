//! Following open interest: per-side targets from the recorded open interest, opening the
//! shortfall at the interval's volume-weighted price (with drawn size, leverage and cushion)
//! and closing the excess by the [`ClosingRule`].

use super::*;

impl Crowd {
    /// The price new positions open and old ones close at: the volume-weighted price since
    /// the last observation, else the last price, else the mark. Resets the interval.
    pub(super) fn interval_price(&mut self, ex: &Exchange) -> Option<Price> {
        let p = if self.vwap_qty > 0 {
            // Half-even division of the notional (10⁻¹⁶) by the quantity (10⁻⁸).
            let q = self.vwap_qty;
            let n = self.vwap_notional;
            let (d, r) = (n.div_euclid(q), n.rem_euclid(q));
            let up = 2 * r > q || (2 * r == q && d % 2 != 0);
            Some(Price::from_raw((d + up as i128) as i64))
        } else {
            self.depth
                .reference(None)
                .or(ex.mark_price(self.cfg.instrument))
        };
        self.vwap_notional = 0;
        self.vwap_qty = 0;
        p.filter(|p| p.is_positive())
    }

    /// Per-side targets for a crowd share `t` (raw, whole lots): see the module docs.
    pub(super) fn targets(&self, t: i64) -> (Qty, Qty) {
        let lot = self.lot.raw();
        let r = self.ratio.raw() as i128;
        let t128 = t as i128;
        let (long, short) = if r >= SCALE as i128 {
            (t128, t128 * SCALE as i128 / r)
        } else {
            (t128 * r / SCALE as i128, t128)
        };
        (
            Qty::from_raw(floor_lot(long, lot)),
            Qty::from_raw(floor_lot(short, lot)),
        )
    }

    pub(super) fn follow_oi(&mut self, ex: &mut Exchange, oi: OpenInterest, out: &mut Vec<Output>) {
        self.record.stats.oi_updates += 1;
        let Some(price) = self.interval_price(ex) else {
            return;
        };
        self.heatmap.fix_width(price, self.tick);
        let share = rate_of(self.cfg.oi_share);
        let t = floor_lot(
            oi.qty.raw() as i128 * share.raw() as i128 / SCALE as i128,
            self.lot.raw(),
        );
        let (long_t, short_t) = self.targets(t);
        let starting = !self.ever_opened;
        let spread = if starting {
            self.cfg.initial_spread_bps
        } else {
            0
        };
        for long in [true, false] {
            let (cur, target) = if long {
                (self.long_qty, long_t)
            } else {
                (self.short_qty, short_t)
            };
            if target > cur {
                self.open_side(ex, long, target - cur, price, spread, !starting, out);
            } else if target < cur {
                self.close_side(ex, long, cur - target, price, out);
            }
        }
    }

    /// Opens `qty` (whole lots) of new positions on one side around `price`: draws them all,
    /// then opens them — a starting book (`spread_bps > 0`) in the order of its bankruptcy
    /// prices (so its accounts are numbered that way), which makes building a book of a
    /// million positions an append to the liquidation index rather than a million random
    /// inserts; any order gives the same book, this one is fast.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn open_side(
        &mut self,
        ex: &mut Exchange,
        long: bool,
        qty: Qty,
        price: Price,
        spread_bps: u32,
        pay_fee: bool,
        out: &mut Vec<Output>,
    ) {
        let lot = self.lot.raw();
        let mut left = floor_lot(qty.raw() as i128, lot);
        let mut draws = Vec::new();
        while left >= lot {
            if draws.len() as u64 >= MAX_OPENS_PER_STEP {
                self.record.stats.skipped_qty += Qty::from_raw(left);
                break;
            }
            let entry = self.draw_entry(price, spread_bps);
            // Size and leverage come from streams of their own: drawn together, the same
            // values as one after the other.
            let (notional_f, lev) = crate::dist::sample_size_and_leverage(
                &self.cfg.size,
                &mut self.rng_size,
                &self.cfg.leverage,
                &mut self.rng_leverage,
                u32::MAX,
            );
            let q = money_of(notional_f)
                .per_price(entry, Rounding::Down)
                .expect("entry > 0");
            let q = floor_lot(q.raw() as i128, lot).clamp(lot, left);
            left -= q;
            let signed = if long { q } else { -q };
            let cushion = rate_of(self.cfg.cushion.sample(&mut self.rng_cushion));
            let mut cp = self.position_at(ex, Qty::from_raw(signed), entry, lev, cushion);
            if spread_bps > 0 {
                cp = self.survivor(ex, cp, cushion);
            }
            draws.push(Draw { cp, lev, cushion });
        }
        if spread_bps == 0 {
            for d in draws {
                self.open_draw(ex, d, pay_fee, out);
            }
            return;
        }
        // Bankruptcy price, `entry ∓ deposit / qty`: the liquidation order up to the
        // maintenance margin, which is all an ordering for speed needs. Ties keep the draw
        // order: the draw's index is the second key, so an unstable sort of (key, index)
        // pairs gives the stable order, and the draws are read in it rather than moved.
        let key = |d: &Draw| -> i128 {
            let q = d.cp.qty.raw();
            match d.cp.deposit.raw().checked_mul(SCALE) {
                // The same truncating quotient in `i64` when the product fits.
                Some(n) => d.cp.entry.raw() as i128 - (n / q) as i128,
                None => {
                    d.cp.entry.raw() as i128
                        - d.cp.deposit.raw() as i128 * SCALE as i128 / q as i128
                }
            }
        };
        let n = u32::try_from(draws.len()).expect("fewer than 2³² draws");
        // Packed in one `u128` (the key biased to unsigned above the index) when every key
        // fits `i64`, the usual case: half the bytes to sort and one compare per pair.
        let packed: Option<Vec<u128>> = draws
            .iter()
            .zip(0..n)
            .map(|(d, k)| {
                i64::try_from(key(d))
                    .ok()
                    .map(|x| (((x as u64 ^ (1 << 63)) as u128) << 32) | k as u128)
            })
            .collect();
        // Gathered in order by a loop of independent loads (their cache misses overlap),
        // then opened front to back.
        let sorted: Vec<Draw> = match packed {
            Some(mut v) => {
                v.sort_unstable();
                v.iter().map(|&x| draws[(x as u32) as usize]).collect()
            }
            None => {
                let mut v: Vec<(i128, u32)> =
                    draws.iter().zip(0..n).map(|(d, k)| (key(d), k)).collect();
                v.sort_unstable();
                v.iter().map(|&(_, k)| draws[k as usize]).collect()
            }
        };
        drop(draws);
        for d in sorted {
            self.open_draw(ex, d, pay_fee, out);
        }
    }

    /// Opens one drawn position; when the exchange refuses its entry (under water at the
    /// mark at once), at the mark instead; counts what it could not open.
    pub(super) fn open_draw(
        &mut self,
        ex: &mut Exchange,
        d: Draw,
        pay_fee: bool,
        out: &mut Vec<Output>,
    ) {
        let taker_fee = self.taker_fee;
        let fee_at = |p: Price, q: Qty| {
            if pay_fee {
                p.notional(q.abs(), Rounding::HalfEven)
                    .mul_rate(taker_fee, Rounding::Up)
            } else {
                Money::ZERO
            }
        };
        let mut cp = d.cp;
        let fee = fee_at(cp.entry, cp.qty);
        cp.deposit += fee;
        let opened = match self.open(ex, &cp, pay_fee, out) {
            Ok(a) => Some((a, fee)),
            Err(RejectReason::InsufficientMargin | RejectReason::LeverageAboveTierMax) => {
                let mark = ex
                    .mark_price(self.cfg.instrument)
                    .filter(|m| *m != cp.entry);
                match mark {
                    Some(m) => {
                        let mut c = self.position_at(ex, cp.qty, m, d.lev, d.cushion);
                        let fee = fee_at(m, c.qty);
                        c.deposit += fee;
                        let r = self.open(ex, &c, pay_fee, out).ok().map(|a| (a, fee));
                        self.record.stats.opened_at_mark += r.is_some() as u64;
                        r
                    }
                    None => None,
                }
            }
            Err(_) => None,
        };
        match opened {
            Some((a, fee)) => {
                self.record.stats.fees += fee;
                self.record.stats.opened += 1;
                self.record.stats.opened_qty += cp.qty.abs();
                self.add_slot(ex, a);
            }
            None => self.record.stats.refused += 1,
        }
    }

    pub(super) fn open(
        &mut self,
        ex: &mut Exchange,
        cp: &CrowdPosition,
        pay_fee: bool,
        out: &mut Vec<Output>,
    ) -> Result<AccountId, RejectReason> {
        if pay_fee {
            ex.open_crowd_position_with_fee(cp, out)
        } else {
            ex.open_crowd_position(cp, out)
        }
    }

    /// The entry of one new position: `price`, or with a spread `price·(1 + u·spread)` for
    /// `u` uniform in `[−1, 1)`, rounded to the tick.
    pub(super) fn draw_entry(&mut self, price: Price, spread_bps: u32) -> Price {
        if spread_bps == 0 {
            return price;
        }
        let u = self.rng_entry.uniform() * 2.0 - 1.0;
        let off = rate_of(u * spread_bps as f64 / 10_000.0);
        let p = price + price.mul_rate(off, Rounding::HalfEven);
        let tick = self.tick.raw().max(1);
        Price::from_raw((p.raw() - p.raw().rem_euclid(tick)).max(tick))
    }

    /// A crowd position of `qty` at `entry`: leverage capped by the bracket of its notional
    /// at the higher of entry and mark, deposit `IM·(1 + cushion)`, rounded up.
    pub(super) fn position_at(
        &self,
        ex: &Exchange,
        qty: Qty,
        entry: Price,
        lev: u32,
        cushion: Rate,
    ) -> CrowdPosition {
        let i = self.cfg.instrument;
        let notional = entry.notional(qty.abs(), Rounding::HalfEven);
        let at_mark = ex
            .mark_price(i)
            .map_or(Money::ZERO, |m| m.notional(qty.abs(), Rounding::Up));
        let tiers = ex.tiers(i).expect("a perpetual has tiers");
        let lev = lev.clamp(1, tiers.max_leverage(notional.max_of(at_mark)).max(1));
        let im = notional.div_int(lev as i64, Rounding::Up).expect("lev ≥ 1");
        CrowdPosition {
            instrument: i,
            qty,
            entry,
            leverage: lev,
            mode: self.cfg.margin_mode,
            deposit: im + im.mul_rate(cushion, Rounding::Up),
        }
    }

    /// A starting position that could not be held at the current mark — its equity there
    /// below the initial margin, which includes every position the mark would liquidate —
    /// survived only on the other side of the mark: reflect its entry about the mark (see the
    /// module docs). Reflected, it is in profit, so its deposit covers the initial margin at
    /// the mark.
    pub(super) fn survivor(
        &self,
        ex: &Exchange,
        cp: CrowdPosition,
        cushion: Rate,
    ) -> CrowdPosition {
        let Some(mark) = ex.mark_price(self.cfg.instrument) else {
            return cp;
        };
        let n_entry = cp.entry.notional(cp.qty.abs(), Rounding::HalfEven);
        let n_mark = mark.notional(cp.qty.abs(), Rounding::HalfEven);
        let upnl = if cp.qty.is_positive() {
            n_mark - n_entry
        } else {
            n_entry - n_mark
        };
        // The pool's money: the whole deposit in cross, the initial margin when isolated.
        let margin = match cp.mode {
            MarginMode::Cross => cp.deposit,
            MarginMode::Isolated => n_entry
                .div_int(cp.leverage as i64, Rounding::Up)
                .expect("lev ≥ 1"),
        };
        let im_mark = n_mark
            .div_int(cp.leverage as i64, Rounding::Up)
            .expect("lev ≥ 1");
        if margin + upnl >= im_mark {
            return cp;
        }
        let reflected = Price::from_raw((2 * mark.raw() - cp.entry.raw()).max(self.tick.raw()));
        self.position_at(ex, cp.qty, reflected, cp.leverage, cushion)
    }

    /// Closes `qty` of one side by the closing rule at `price`.
    pub(super) fn close_side(
        &mut self,
        ex: &mut Exchange,
        long: bool,
        qty: Qty,
        price: Price,
        out: &mut Vec<Output>,
    ) {
        let lot = self.lot.raw();
        let mut left = floor_lot(qty.raw() as i128, lot);
        match self.cfg.closing {
            ClosingRule::Oldest => self.close_oldest(ex, long, &mut left, price, out),
            ClosingRule::Newest => {
                let mut k = self.order(long).len();
                while left >= lot && k > 0 {
                    k -= 1;
                    let s = self.order(long)[k];
                    self.close_slot(ex, s, &mut left, price, out);
                }
                // Closed (or liquidated) positions at the end need not be visited again.
                while let Some(&s) = self.order(long).last() {
                    if !self.slots[s as usize].qty.is_zero() {
                        break;
                    }
                    self.order_mut(long).pop();
                }
            }
            ClosingRule::ProRata => {
                let total = if long { self.long_qty } else { self.short_qty }.raw() as i128;
                let want = left as i128;
                if total > 0 {
                    let order = self.order(long).clone();
                    for s in order {
                        let q = self.slots[s as usize].qty.abs().raw() as i128;
                        let mut part = floor_lot(q * want / total, lot);
                        if part > 0 && left > 0 {
                            let before = part;
                            self.close_slot(ex, s, &mut part, price, out);
                            left -= before - part;
                        }
                    }
                }
                self.close_oldest(ex, long, &mut left, price, out);
            }
        }
        self.record.stats.closed_qty += Qty::from_raw(qty.raw() - left);
    }

    pub(super) fn order(&self, long: bool) -> &Vec<u32> {
        if long {
            &self.order_long
        } else {
            &self.order_short
        }
    }

    pub(super) fn order_mut(&mut self, long: bool) -> &mut Vec<u32> {
        if long {
            &mut self.order_long
        } else {
            &mut self.order_short
        }
    }

    pub(super) fn close_oldest(
        &mut self,
        ex: &mut Exchange,
        long: bool,
        left: &mut i64,
        price: Price,
        out: &mut Vec<Output>,
    ) {
        let lot = self.lot.raw();
        let mut k = if long {
            self.head_long
        } else {
            self.head_short
        };
        while *left >= lot && k < self.order(long).len() {
            let s = self.order(long)[k];
            self.close_slot(ex, s, left, price, out);
            let head = if long {
                &mut self.head_long
            } else {
                &mut self.head_short
            };
            if self.slots[s as usize].qty.is_zero() && *head == k {
                *head = k + 1;
            }
            k += 1;
        }
    }

    /// Closes up to `left` of slot `s` at `price`; refused closes are counted and skipped.
    pub(super) fn close_slot(
        &mut self,
        ex: &mut Exchange,
        s: u32,
        left: &mut i64,
        price: Price,
        out: &mut Vec<Output>,
    ) {
        let slot = self.slots[s as usize];
        if slot.qty.is_zero() || *left <= 0 {
            return;
        }
        let take = slot.qty.abs().raw().min(*left);
        let dq = if slot.qty.is_positive() { -take } else { take };
        match ex.crowd_trade(
            slot.account,
            self.cfg.instrument,
            Qty::from_raw(dq),
            price,
            self.cfg.pay_fees,
            out,
        ) {
            Ok(fee) => {
                self.record.stats.fees += fee;
                *left -= take;
            }
            Err(_) => self.record.stats.close_refused += 1,
        }
        self.refresh(ex, slot.account);
    }
}
