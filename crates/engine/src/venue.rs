//! The adapter between the engine and the exchange model: **the only file of the engine that
//! touches the `cascade-exchange` API**, so a change there is a change here only.
//!
//! The engine asks five things of the exchange: build it for a venue preset and the run's
//! instruments; apply a market event (mark, fills of resting orders, funding, liquidation and
//! ADL all happen inside); apply a strategy command; describe an account (for the strategy's
//! [`AccountView`] and for samples) and itself (for the final state); check its invariants.
//!
//! # Venue presets
//!
//! | name | rules | margin tiers |
//! |---|---|---|
//! | `binance-usdm` | Binance USDⓈ-M in force at the first event of the run | Binance brackets in force then, per symbol |
//! | `binance-usdm@YYYY-MM-DD` | the same, on that date | on that date |
//! | `bybit` | Bybit | Bybit BTCUSDT (BTC perpetuals only) |
//! | `hyperliquid-2025` | Hyperliquid 2025 | Hyperliquid 2025, per asset |
//! | `bitmex-2020` | BitMEX 2020 | XBTUSD risk limits of 2020, in XBT (inverse perpetuals only) |
//!
//! Spot instruments need no tiers.
//!
//! # Inverse (coin-margined) venues
//!
//! On a venue whose perpetuals are inverse (`bitmex-2020`) every futures figure is in the
//! coin: wallets, margin, PnL, fees, funding, insurance funds. The run's deposit is given in
//! the quote currency like everywhere else and converted to the coin at the first mark of the
//! perpetual (rounded down); until then the account is empty. The strategy's account view and
//! the equity curve are then in the coin too — spot holdings and the spot wallet counted at
//! the mark — so the run's returns are in coin terms, and the run's notes say so.

use crate::config::{CrowdBook, CrowdSetup};
use crate::error::EngineError;
use crate::record::Sample;
use crate::state::{AccountFinal, FinalState};
use cascade_crowd::Crowd;
use cascade_exchange::view_into::AccountFigures;
use cascade_exchange::{Exchange, ExchangeError, InstrumentConfig, VenueRules};
use cascade_strategy::{AccountView, HeatmapSummary, OrderView, PositionView};
use cascade_types::{
    AccountId, Command, Event, InstrumentId, InstrumentKind, InstrumentSpec, MarginMode, Money,
    Note, Output, Price, Qty, Rate, Rounding, Ts,
};
use std::collections::BTreeMap;

/// The names [`build_exchange`] accepts, for help texts.
pub const VENUE_PRESETS: &[&str] = &[
    "binance-usdm",
    "binance-usdm@YYYY-MM-DD",
    "bybit",
    "hyperliquid-2025",
    "bitmex-2020",
];

/// The bands of a crowd heatmap summary as the strategy API's bands.
fn heat_bands(
    s: &cascade_crowd::HeatSummary,
) -> [cascade_strategy::HeatBand; cascade_crowd::BANDS_MAX] {
    let mut out = [cascade_strategy::HeatBand::default(); cascade_crowd::BANDS_MAX];
    for (o, b) in out.iter_mut().zip(s.bands()) {
        *o = cascade_strategy::HeatBand {
            within_bps: b.within_bps,
            longs_below: b.longs_below,
            shorts_above: b.shorts_above,
        };
    }
    out
}

/// The reused buffers of [`Venue::fill_view`] (the exchange's account figures).
#[derive(Default)]
pub(crate) struct ViewScratch(AccountFigures);

/// The exchange model as the engine drives it.
pub struct Venue {
    ex: Exchange,
    specs: Vec<InstrumentSpec>,
    /// The crowd, when the run has one.
    crowd: Option<CrowdState>,
    /// On an inverse venue: the account whose deposit (in the quote currency) waits for the
    /// perpetual's first mark, the perpetual, and the amount.
    pending_deposit: Option<(AccountId, InstrumentId, Money)>,
    /// A deposit was just made (the strategy's view must be refreshed).
    funded: bool,
    /// On an inverse venue: the perpetual whose mark values quote-currency amounts in the
    /// coin (the spot wallet and spot holdings, in the account's equity).
    coin_perp: Option<InstrumentId>,
    /// What the venue says about the run (the coin, the deposit's conversion).
    notes: Vec<Note>,
}

/// A run's crowd and what the engine keeps about it.
struct CrowdState {
    crowd: Crowd,
    /// The starting book, until it is seeded at the first mark of the crowd's instrument.
    book: Option<CrowdBook>,
    /// The mark the strategy's heatmap summary was last computed at.
    summary_mark: Option<Price>,
    /// The first seeding error (the run fails with it).
    error: Option<String>,
}

/// What a run's crowd leaves behind: its manifest and its report files.
#[derive(Clone, Debug)]
pub struct CrowdArtifacts {
    /// Seed, draws and config.
    pub manifest: cascade_crowd::Manifest,
    /// `crowd.txt`: the cascade report and the fidelity table.
    pub text: String,
    /// `heatmap.svg`.
    pub svg: String,
}

fn exchange_err(e: ExchangeError) -> EngineError {
    EngineError::Exchange(e.to_string())
}

fn rules_and_tiers(venue: &str, start: Option<Ts>) -> Result<(VenueRules, Tiers), EngineError> {
    let unknown = || {
        EngineError::Config(format!(
            "unknown venue preset {venue:?}; known presets: {}",
            VENUE_PRESETS.join(", ")
        ))
    };
    if let Some(rest) = venue.strip_prefix("binance-usdm") {
        let date = match rest.strip_prefix('@') {
            Some(d) => Ts::parse_utc(d).map_err(|_| {
                EngineError::Config(format!("venue {venue:?}: expected a date like binance-usdm@2024-08-05"))
            })?,
            None if rest.is_empty() => start.ok_or_else(|| {
                EngineError::Config("venue binance-usdm takes its date from the first event, but the inputs are empty; name the date: binance-usdm@YYYY-MM-DD".into())
            })?,
            None => return Err(unknown()),
        };
        return Ok((VenueRules::binance_usdm(date), Tiers::BinanceUsdm(date)));
    }
    match venue {
        "bybit" => Ok((VenueRules::bybit(), Tiers::Bybit)),
        "hyperliquid-2025" => Ok((VenueRules::hyperliquid_2025(), Tiers::Hyperliquid2025)),
        "bitmex-2020" => Ok((VenueRules::bitmex_2020(), Tiers::Bitmex2020)),
        _ => Err(unknown()),
    }
}

#[derive(Clone, Copy)]
enum Tiers {
    BinanceUsdm(Ts),
    Bybit,
    Hyperliquid2025,
    Bitmex2020,
}

fn instrument(spec: &InstrumentSpec, tiers: Tiers) -> Result<InstrumentConfig, EngineError> {
    if spec.kind == InstrumentKind::Spot {
        return Ok(InstrumentConfig::spot(spec.clone()));
    }
    let table = match tiers {
        Tiers::BinanceUsdm(date) => {
            cascade_exchange::binance_usdm_tiers(&spec.symbol, date).map_err(exchange_err)?
        }
        Tiers::Hyperliquid2025 => {
            cascade_exchange::hyperliquid_2025_tiers(&spec.base).map_err(exchange_err)?
        }
        Tiers::Bybit if spec.base == "BTC" => cascade_exchange::bybit_btcusdt_tiers(),
        Tiers::Bybit => {
            return Err(EngineError::Exchange(format!(
                "no bybit tier table for {} (only BTC perpetuals)",
                spec.symbol
            )))
        }
        Tiers::Bitmex2020 if spec.kind == InstrumentKind::InversePerp => {
            cascade_exchange::bitmex_2020_xbtusd_tiers_xbt()
        }
        Tiers::Bitmex2020 => {
            return Err(EngineError::Exchange(format!(
                "no bitmex-2020 tier table for {} ({}): the preset runs the inverse XBTUSD",
                spec.symbol, spec.kind
            )))
        }
    };
    let mut cfg = InstrumentConfig::perp(spec.clone(), table);
    if let Tiers::BinanceUsdm(date) = tiers {
        // The preset's per-instrument overrides (BTCUSDT's clearance fee), on the log's spec.
        if let Ok(preset) = InstrumentConfig::binance_usdm(&spec.symbol, date) {
            cfg.liquidation_fee_rate = preset.liquidation_fee_rate;
        }
    }
    Ok(cfg)
}

/// Builds the exchange model for the preset `venue` (rules in force at `start`, the time of
/// the first event) over `instruments`, with `insurance_fund` in every fund — as a run builds
/// it.
pub fn build_exchange(
    venue: &str,
    instruments: &[InstrumentSpec],
    start: Option<Ts>,
    insurance_fund: Money,
) -> Result<Exchange, EngineError> {
    let (rules, tiers) = rules_and_tiers(venue, start)?;
    let configs = instruments
        .iter()
        .map(|s| instrument(s, tiers))
        .collect::<Result<Vec<_>, _>>()?;
    let funds = configs.iter().map(|c| c.fund).max().map_or(0, |f| f + 1);
    let mut ex = Exchange::new(rules, configs).map_err(exchange_err)?;
    for f in 0..funds {
        ex.seed_insurance_fund(f, insurance_fund);
    }
    Ok(ex)
}

/// The crowd's config with its instrument resolved ([`CrowdSetup::first_perp`]).
fn crowd_config(
    setup: &CrowdSetup,
    instruments: &[InstrumentSpec],
) -> Result<cascade_crowd::CrowdConfig, EngineError> {
    let mut config = setup.config.clone();
    if setup.first_perp {
        let k = instruments
            .iter()
            .position(|s| s.kind == InstrumentKind::LinearPerp)
            .ok_or_else(|| EngineError::Config("crowd: the run has no linear perpetual".into()))?;
        config.instrument = InstrumentId(k as u32);
    }
    Ok(config)
}

/// Fits the crowd's leverage distribution to the recorded liquidations in `events` (the
/// merged events of a run's logs over `instruments`, starting at `start`)
/// ([`cascade_crowd::calibrate()`](cascade_crowd::calibrate::calibrate)): every candidate
/// replays the events before `window.1` through a fresh exchange of the preset `venue` and a
/// fresh crowd of `crowd`, its loss computed over `window`. With a starting book, the events
/// up to the first mark of the crowd's instrument warm the exchange up before the book is
/// seeded. (Reading the logs is `cascade-run`'s `calibrate_logs`.)
#[allow(clippy::too_many_arguments)] // the run crate's `CalibrateSpec`, unpacked
pub fn calibrate_events(
    venue: &str,
    crowd: &CrowdSetup,
    insurance_fund: Money,
    window: (Ts, Ts),
    instruments: &[InstrumentSpec],
    start: Option<Ts>,
    mut events: Vec<Event>,
    grid: &cascade_crowd::CalibrationGrid,
) -> Result<cascade_crowd::CalibrationFit, EngineError> {
    let (from, to) = window;
    if from >= to {
        return Err(EngineError::Config(format!(
            "the window is empty: from {} is not before to {}",
            from.nanos(),
            to.nanos()
        )));
    }
    crowd
        .config
        .validate()
        .map_err(|e| EngineError::Config(format!("crowd: {e}")))?;
    events.retain(|e| e.ts < to);
    // Fail on a bad venue or instrument here, not inside the fit.
    let probe = build_exchange(venue, instruments, start, insurance_fund)?;
    let base = crowd_config(crowd, instruments)?;
    let i = base.instrument;
    if probe.instrument_config(i).is_none() {
        return Err(EngineError::Config(format!(
            "crowd instrument {} is not in the logs' instrument table",
            i.0
        )));
    }
    let warm_up = match crowd.book {
        None => 0,
        Some(_) => {
            let mut ex = probe;
            let mut out = Vec::new();
            let mut n = 0;
            for e in &events {
                out.clear();
                ex.on_market(e, &mut out);
                n += 1;
                if e.instrument == i && ex.mark_price(i).is_some() {
                    break;
                }
            }
            n
        }
    };
    let (before, rest) = events.split_at(warm_up);
    let make = || {
        let mut ex =
            build_exchange(venue, instruments, start, insurance_fund).expect("built once already");
        let mut out = Vec::new();
        for e in before {
            out.clear();
            ex.on_market(e, &mut out);
        }
        ex
    };
    let input = cascade_crowd::CalibrationInput {
        base,
        exchange: &make,
        starting_book: crowd.book.map(|b| (b.open_interest, b.price)),
        events: rest,
        window,
    };
    cascade_crowd::calibrate(&input, grid)
        .map_err(|e| EngineError::Config(format!("calibration: {e}")))
}

impl Venue {
    /// Builds the exchange for the preset `venue` (rules in force at `start`, the time of the
    /// first event) over the run's instrument table, with `insurance_fund` in every fund.
    /// With `crowd`, the crowd is built over the exchange (its accounts open after the
    /// strategy's, at its first event).
    pub fn new(
        venue: &str,
        instruments: &[InstrumentSpec],
        start: Option<Ts>,
        insurance_fund: Money,
        crowd: Option<&CrowdSetup>,
    ) -> Result<Venue, EngineError> {
        let ex = build_exchange(venue, instruments, start, insurance_fund)?;
        let crowd = match crowd {
            None => None,
            Some(setup) => Some(CrowdState {
                crowd: Crowd::new(crowd_config(setup, instruments)?, &ex)
                    .map_err(|e| EngineError::Config(format!("crowd: {e}")))?,
                book: setup.book,
                summary_mark: None,
                error: None,
            }),
        };
        let coin_perp = ex
            .settlement()
            .is_inverse()
            .then(|| {
                instruments
                    .iter()
                    .position(|s| s.kind == InstrumentKind::InversePerp)
                    .map(|k| InstrumentId(k as u32))
            })
            .flatten();
        Ok(Venue {
            ex,
            specs: instruments.to_vec(),
            crowd,
            pending_deposit: None,
            funded: false,
            coin_perp,
            notes: Vec::new(),
        })
    }

    /// The crowd's heatmap summary for the strategy's market view, when the crowd's mark has
    /// moved since the last one (or `force`): `(instrument, summary)`.
    #[inline]
    pub(crate) fn heatmap_update(
        &mut self,
        now: Ts,
        force: bool,
    ) -> Option<(InstrumentId, HeatmapSummary)> {
        let c = self.crowd.as_mut()?;
        let i = c.crowd.config().instrument;
        let mark = self.ex.mark_price(i)?;
        if !force && c.summary_mark == Some(mark) {
            return None;
        }
        c.summary_mark = Some(mark);
        let s = c.crowd.heatmap_summary(now, mark);
        let bands = heat_bands(&s);
        Some((
            i,
            HeatmapSummary::new(s.ts, s.reference, &bands[..s.bands().len()]),
        ))
    }

    /// The first error of the crowd (a starting book the exchange refused).
    pub(crate) fn crowd_error(&self) -> Option<&str> {
        self.crowd.as_ref().and_then(|c| c.error.as_deref())
    }

    /// The crowd's manifest and report files, at the end of a run.
    pub(crate) fn crowd_artifacts(&self) -> Option<CrowdArtifacts> {
        let c = self.crowd.as_ref()?;
        let record = c.crowd.record();
        let cfg = c.crowd.config();
        let symbol = self
            .specs
            .get(cfg.instrument.index())
            .map_or("?", |s| s.symbol.as_str());
        let mut text = cascade_crowd::cascade_report(record, 10);
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push('\n');
        text.push_str("modelled against recorded liquidations\n");
        text.push_str(
            &cascade_crowd::fidelity_table(record, cfg.fidelity_interval_s, None, &[]).render(),
        );
        let svg = cascade_crowd::heatmap_svg(
            record,
            &format!("crowd liquidation heatmap, {symbol}"),
            960,
            480,
        );
        Some(CrowdArtifacts {
            manifest: c.crowd.manifest(),
            text,
            svg,
        })
    }

    /// Every perpetual settles recorded funding only (the `zero` stand-in: where nothing is
    /// recorded, nothing is paid).
    pub(crate) fn pay_no_computed_funding(&mut self) {
        for k in 0..self.specs.len() {
            self.ex.set_funding_source(
                InstrumentId(k as u32),
                cascade_exchange::FundingSource::Recorded,
            );
        }
    }

    /// The rules' dated name (recorded in the manifest).
    pub fn rules_name(&self) -> String {
        self.ex.rules().name.clone()
    }

    /// The symbol of an instrument of the run.
    pub(crate) fn symbol(&self, i: InstrumentId) -> &str {
        &self.specs[i.index()].symbol
    }

    /// `account`'s place in the ADL queue of one side of an instrument, ranked by the venue's
    /// rule now: `(rank, queue length, quantity held by the positions ranked above it)`, rank
    /// 1 = next in line; `None` when it holds no position on that side. Ranks the whole
    /// side: call it rarely (once per ADL round).
    pub(crate) fn adl_rank(
        &self,
        account: AccountId,
        instrument: InstrumentId,
        long_side: bool,
    ) -> Option<(u64, u64, Qty)> {
        let q = self.ex.position_qty(account, instrument);
        if q.is_zero() || q.is_positive() != long_side {
            return None;
        }
        let queue = self.ex.adl_queue(instrument, long_side);
        let k = queue.iter().position(|(a, _)| *a == account)?;
        let ahead = queue[..k].iter().fold(Qty::ZERO, |s, (a, _)| {
            s + self.ex.position_qty(*a, instrument).abs()
        });
        Some((k as u64 + 1, queue.len() as u64, ahead))
    }

    /// The net position (positive long) of `accounts` in `instrument`.
    pub(crate) fn position_qty(&self, accounts: &[AccountId], instrument: InstrumentId) -> Qty {
        accounts
            .iter()
            .fold(Qty::ZERO, |s, &a| s + self.ex.position_qty(a, instrument))
    }

    /// Opens the strategy's account with `deposit` in its futures wallet. On an inverse venue
    /// the deposit is in the quote currency and waits for the perpetual's first mark, at which
    /// it becomes coin (see the module docs).
    pub fn open_account(&mut self, deposit: Money) -> AccountId {
        let perp = self
            .specs
            .iter()
            .position(|s| s.kind == InstrumentKind::InversePerp);
        match perp {
            Some(k) if self.ex.settlement().is_inverse() && deposit.is_positive() => {
                let a = self.ex.open_account(Money::ZERO);
                self.pending_deposit = Some((a, InstrumentId(k as u32), deposit));
                a
            }
            _ => self.ex.open_account(deposit),
        }
    }

    /// Makes a deposit waiting for the first mark, once there is one.
    fn settle_pending_deposit(&mut self) {
        let Some((a, i, usd)) = self.pending_deposit else {
            return;
        };
        let Some(mark) = self.ex.mark_price(i).filter(|m| m.is_positive()) else {
            return;
        };
        let coin = Money::from_raw(
            (usd.raw() as i128 * cascade_types::SCALE as i128 / mark.raw() as i128) as i64,
        );
        self.ex.deposit(a, coin, false);
        self.pending_deposit = None;
        self.funded = true;
        let spec = &self.specs[i.index()];
        self.notes.push(Note::new(
            "currency",
            format!(
                "money in {coin_name}: {sym} is an inverse perpetual margined in {coin_name}, so \
                 equity, PnL, fees and funding are {coin_name} amounts and returns are in \
                 {coin_name} terms; the deposit of {usd} {quote} became {coin} {coin_name} at the \
                 first mark {mark}",
                coin_name = spec.base,
                sym = spec.symbol,
                quote = spec.quote,
            ),
        ));
    }

    /// True while the deposit of an inverse venue waits for the first mark.
    #[inline]
    pub(crate) fn awaiting_deposit(&self) -> bool {
        self.pending_deposit.is_some()
    }

    /// True once after a deposit was made (the strategy's view must be refreshed).
    pub(crate) fn take_funded(&mut self) -> bool {
        std::mem::take(&mut self.funded)
    }

    /// What the venue says about the run.
    pub(crate) fn notes(&self) -> &[Note] {
        &self.notes
    }

    /// Applies a market event (or a tick); appends what happened to `out`.
    #[inline]
    pub(crate) fn on_market(&mut self, event: &Event, out: &mut Vec<Output>) {
        self.ex.on_market(event, out);
        if self.pending_deposit.is_some() {
            self.settle_pending_deposit();
        }
        if let Some(c) = &mut self.crowd {
            if c.book.is_some() && event.instrument == c.crowd.config().instrument {
                // The book is seeded around its price, at the first mark of the instrument.
                if self.ex.mark_price(event.instrument).is_some() {
                    let book = c.book.take().expect("checked above");
                    if let Err(e) =
                        c.crowd
                            .seed_spread(&mut self.ex, book.open_interest, book.price, out)
                    {
                        c.error.get_or_insert_with(|| format!("crowd: {e}"));
                    }
                }
            }
            c.crowd.on_event(&mut self.ex, event, out);
        }
    }

    /// Applies a command of `account` arriving at `now`; appends what happened to `out`.
    pub(crate) fn on_command(
        &mut self,
        now: Ts,
        account: AccountId,
        command: &Command,
        out: &mut Vec<Output>,
    ) {
        self.ex.on_command(now, account, command, out);
        if let Some(c) = &mut self.crowd {
            c.crowd.on_outputs(&self.ex, now, out);
        }
    }

    /// The exchange's invariant checker (and the crowd's bookkeeping against the exchange).
    pub(crate) fn check(&self) -> Result<(), String> {
        cascade_exchange::check_invariants(&self.ex).map_err(|e| e.to_string())?;
        if let Some(c) = &self.crowd {
            c.crowd
                .check_consistency(&self.ex)
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Copies the exchange's view of `view.id` into `view` (positions indexed by instrument,
    /// flat ones included), through `scratch`, which keeps its vectors between calls: after
    /// warm-up this allocates nothing.
    pub(crate) fn fill_view(&self, view: &mut AccountView, scratch: &mut ViewScratch) {
        let a = &mut scratch.0;
        self.ex.account_into(view.id, a);
        for (k, p) in view.positions.iter_mut().enumerate() {
            *p = PositionView::flat(cascade_types::InstrumentId(k as u32));
        }
        let mut upnl = Money::ZERO;
        let mut isolated_equity = Money::ZERO;
        let mut isolated_mm = Money::ZERO;
        let mut initial = Money::ZERO;
        for p in &a.positions {
            let isolated = p.mode == MarginMode::Isolated;
            upnl += p.upnl;
            initial += p.margin;
            if isolated {
                isolated_equity += p.margin + p.upnl;
                isolated_mm += p.maint_margin;
            }
            let own = p.margin + p.upnl;
            view.positions[p.instrument.index()] = PositionView {
                instrument: p.instrument,
                qty: p.qty,
                entry_price: p.entry,
                notional: p.notional,
                unrealised_pnl: p.upnl,
                liquidation_price: p.liquidation_price,
                margin_mode: p.mode,
                leverage: p.leverage,
                isolated_margin: if isolated { p.margin } else { Money::ZERO },
                maint_margin: p.maint_margin,
                margin_ratio: (isolated && own.is_positive())
                    .then(|| Rate::ratio(p.maint_margin.raw(), own.raw(), Rounding::Up))
                    .flatten(),
                adl_rank: None,
            };
        }
        let mut spot_value = Money::ZERO;
        for &(i, q) in &a.spot {
            let last = self.ex.market(i).last_trade.map(|t| t.price);
            if let Some(px) = last {
                spot_value += px.notional(q, Rounding::Down);
            }
            let p = &mut view.positions[i.index()];
            p.qty = q;
            p.notional = last.map_or(Money::ZERO, |px| px.notional(q, Rounding::Down));
            if let Some(m) = self.coin_perp.and_then(|c| self.ex.mark_price(c)) {
                // An inverse venue counts in the coin: the holding's value at the mark.
                p.notional = p
                    .notional
                    .per_price(m, Rounding::Down)
                    .map_or(Money::ZERO, |q| Money::from_raw(q.raw()));
            }
        }
        view.orders.clear();
        for o in &a.orders {
            initial += o.reserved;
            view.orders.push(OrderView {
                order_id: o.order_id,
                client_id: o.client_id,
                instrument: o.instrument,
                side: o.side,
                kind: o.kind,
                tif: o.tif,
                qty: o.qty,
                filled: Qty::ZERO,
                reduce_only: o.reduce_only,
                post_only: false,
                placed_at: Ts::MIN,
            });
        }
        let margin_balance = a.equity + isolated_equity;
        view.futures.balance = a.wallet;
        view.futures.unrealised_pnl = upnl;
        view.futures.margin_balance = margin_balance;
        view.futures.initial_margin = initial;
        view.futures.maint_margin = a.maint_margin + isolated_mm;
        view.futures.available = a.available;
        view.futures.margin_ratio = a.margin_ratio.unwrap_or(Rate::ZERO);
        view.spot_quote = a.spot_quote;
        let spot_total = a.spot_quote + spot_value;
        view.equity = margin_balance
            + match self.coin_perp {
                None => spot_total,
                // An inverse venue: quote amounts in the coin, at the perpetual's mark.
                Some(i) => self
                    .ex
                    .mark_price(i)
                    .and_then(|m| spot_total.per_price(m, Rounding::Down))
                    .map_or(Money::ZERO, |q| Money::from_raw(q.raw())),
            };
        view.in_liquidation = false;
    }

    /// The price a view's values depend on for instrument `i`: the mark of a perpetual, the
    /// last trade of a spot instrument.
    #[inline]
    fn view_price(&self, i: InstrumentId) -> Option<Price> {
        let m = self.ex.market(i);
        if self.specs[i.index()].kind == InstrumentKind::Spot {
            m.last_trade.map(|t| t.price)
        } else {
            m.mark
        }
    }

    /// The prices the views' values depend on: one per instrument in which a view holds a
    /// position or an order. Everything else in a view changes only through the account's own
    /// outputs, so while these prices stand still and no output concerns the account, the
    /// view is still exact.
    pub(crate) fn view_prices(
        &self,
        views: &[AccountView],
        out: &mut Vec<(InstrumentId, Option<Price>)>,
    ) {
        out.clear();
        for v in views {
            let held = v
                .positions
                .iter()
                .filter(|p| !p.is_flat())
                .map(|p| p.instrument);
            for i in held.chain(v.orders.iter().map(|o| o.instrument)) {
                if !out.iter().any(|(j, _)| *j == i) {
                    out.push((i, self.view_price(i)));
                }
            }
        }
    }

    /// True when a price in `watched` (from [`Venue::view_prices`]) has moved.
    #[inline]
    pub(crate) fn view_prices_changed(&self, watched: &[(InstrumentId, Option<Price>)]) -> bool {
        watched.iter().any(|&(i, p)| self.view_price(i) != p)
    }

    /// A sample of an account for the equity curve (from its freshly filled view).
    pub(crate) fn sample(&self, view: &AccountView) -> Sample {
        let first_perp = self
            .specs
            .iter()
            .position(|s| s.kind != InstrumentKind::Spot);
        let position = first_perp.map_or(Qty::ZERO, |i| view.positions[i].qty);
        let gross_exposure = view.positions.iter().map(|p| p.notional.abs()).sum();
        let net_exposure = view
            .positions
            .iter()
            .map(|p| {
                if p.qty.is_negative() {
                    -p.notional.abs()
                } else {
                    p.notional.abs()
                }
            })
            .sum();
        Sample {
            account: view.id,
            equity: view.equity,
            gross_exposure,
            net_exposure,
            position,
        }
    }

    /// The final state of the strategy's accounts and of the exchange.
    pub(crate) fn final_state(&self, views: &[AccountView], state: &mut FinalState) {
        state.accounts = views
            .iter()
            .map(|v| AccountFinal {
                account: v.id,
                equity: v.equity,
                futures_balance: v.futures.balance,
                spot_quote: v.spot_quote,
                positions: v
                    .open_positions()
                    .map(|p| (p.instrument, p.qty, p.entry_price))
                    .collect(),
                open_orders: v.orders.len() as u64,
            })
            .collect();
        let mut facts = BTreeMap::new();
        facts.insert("accounts".to_string(), self.ex.account_count().to_string());
        facts.insert("deposits".to_string(), self.ex.deposits().to_string());
        facts.insert("fee_pool".to_string(), self.ex.fee_pool().to_string());
        facts.insert(
            "funding_pool".to_string(),
            self.ex.funding_pool().to_string(),
        );
        facts.insert(
            "ignored_events".to_string(),
            self.ex.ignored_events().to_string(),
        );
        for (k, f) in self.ex.insurance_funds().iter().enumerate() {
            facts.insert(format!("insurance_fund.{k}"), f.to_string());
        }
        for (k, s) in self.specs.iter().enumerate() {
            let i = cascade_types::InstrumentId(k as u32);
            if s.kind != InstrumentKind::Spot {
                facts.insert(
                    format!("open_interest.{}", s.symbol),
                    self.ex.open_interest(i).to_string(),
                );
            }
            if let Some(m) = self.ex.market(i).mark {
                facts.insert(format!("mark.{}", s.symbol), m.to_string());
            }
        }
        state.exchange = facts;
    }
}
