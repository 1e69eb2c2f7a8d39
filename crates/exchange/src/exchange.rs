//! The [`Exchange`]: construction, the two entry points ([`Exchange::on_market`],
//! [`Exchange::on_command`]), bars and the mark. The bookkeeping every other module shares
//! (pools, registrations, the liquidation index keys) is in `pools.rs`; the instrument
//! configuration in `instrument_config.rs`.

use crate::account::Account;
use crate::accounts_set::AccountSet;
use crate::contract::{Contract, Settlement};
use crate::instrument_config::InstrumentConfig;
use crate::key_index::KeyIndex;
use crate::mark::{MarkCalc, MarkInputs};
use crate::market::{LastTrade, Market};
use crate::orders::{Order, OrderBook};
use crate::rules::{MarkMethod, VenueRules};
use crate::ExchangeError;
use cascade_types::{
    AccountId, Command, Event, EventBody, InstrumentId, InstrumentKind, Money, OrderId, Output,
    Price, Qty, Side, TierTable, Ts,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A margin pool: the cross wallet with every cross position, or one isolated position with
/// its own margin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Pool {
    Cross,
    Isolated(InstrumentId),
}

#[derive(Clone)]
pub(crate) struct Instrument {
    pub cfg: InstrumentConfig,
    /// How prices and quantities become money (chosen once, from the spec's kind).
    pub contract: Contract,
    pub market: Market,
    pub book: OrderBook,
    /// Liquidation index, longs: `(key, account)`, liquidatable when `mark < key`.
    pub longs: KeyIndex,
    /// Liquidation index, shorts: liquidatable when `mark > key`.
    pub shorts: KeyIndex,
    /// The highest long key (`i64::MIN` when none) and the lowest short key (`i64::MAX`):
    /// a mark move that crosses neither finds nothing, in two compares.
    pub long_max: i64,
    pub short_min: i64,
    /// Accounts (other than the market) holding a position.
    pub holders: AccountSet,
    /// Cross accounts holding positions in this *and* another instrument: their keys assume
    /// the other marks, so they are re-keyed whenever this mark moves.
    pub multi_cross: BTreeSet<u32>,
}

impl Instrument {
    pub fn is_perp(&self) -> bool {
        self.cfg.spec.kind != InstrumentKind::Spot
    }

    pub fn tiers(&self) -> &TierTable {
        self.cfg
            .tiers
            .as_ref()
            .expect("perpetuals have tiers (checked in Exchange::new)")
    }
}

/// One input of the state machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Input {
    /// A recorded market event.
    Market(Event),
    /// A command from an account, effective at `now`.
    Command {
        /// Who sends it.
        account: AccountId,
        /// What.
        command: Command,
    },
}

/// The deterministic exchange: a pure state machine over market events and commands.
///
/// All state lives in `Vec`s indexed by typed ids and in `BTreeMap`/`BTreeSet`s; nothing reads
/// a clock (time is the latest event's timestamp, or the `now` passed with a command).
/// `Clone` gives an independent copy (a sweep can fork a warmed-up exchange).
#[derive(Clone)]
pub struct Exchange {
    pub(crate) rules: VenueRules,
    /// The asset every perpetual settles in (one per exchange).
    pub(crate) settlement: Settlement,
    /// On an inverse exchange: the spot instrument whose base is the settlement coin (the
    /// other end of coin transfers), if any.
    pub(crate) coin_spot: Option<InstrumentId>,
    pub(crate) inst: Vec<Instrument>,
    pub(crate) accounts: Vec<Account>,
    pub(crate) orders: BTreeMap<OrderId, Order>,
    pub(crate) next_order: u64,
    pub(crate) funds: Vec<Money>,
    /// What happened to each fund ([`crate::funds::FundStats`]).
    pub(crate) fund_stats: Vec<crate::funds::FundStats>,
    pub(crate) fee_pool: Money,
    pub(crate) funding_pool: Money,
    pub(crate) deposits: Money,
    /// Inverse exchanges only (zero otherwise): spot-wallet deposits and spot fees, in the
    /// spot quote currency, and the coin moved from futures wallets into spot holdings.
    pub(crate) spot_deposits: Money,
    pub(crate) spot_fee_pool: Money,
    pub(crate) coin_to_spot: Money,
    pub(crate) now: Ts,
    /// Reused buffers: after warm-up the event path allocates nothing.
    pub(crate) scratch_keys: Vec<(i64, u32)>,
    pub(crate) scratch_ids: Vec<u32>,
    pub(crate) worklist: Vec<AccountId>,
    pub(crate) ignored_events: u64,
    /// Counts inputs (events and commands): the ADL queue is ranked once per input and side.
    pub(crate) input_seq: u64,
    pub(crate) adl_queue: Vec<(i64, u32)>,
    pub(crate) adl_queue_key: Option<(u64, InstrumentId, bool)>,
    /// The first entry of the ranked queue that may still hold a position.
    pub(crate) adl_queue_cursor: usize,
    /// How many leading entries of `adl_queue` are in their final (ranked) order: the queue
    /// is ordered lazily, as far as the walk reaches.
    pub(crate) adl_queue_sorted: usize,
}

impl Exchange {
    /// The market account: the counterparty of every fill against the recorded book, standing
    /// for the rest of the market. It pays no fees, needs no margin, is never liquidated and
    /// may hold any balance; it is the last resort of the ADL queue. With it every fill has a
    /// counterparty, so long and short open interest are always equal and cash always balances.
    pub const MARKET: AccountId = AccountId(0);

    /// Builds an exchange. `instruments[k]` is [`InstrumentId`]`(k)`. Perpetuals need a tier
    /// table. All perpetuals of one exchange settle in one asset ([`Settlement`]): all linear,
    /// or all inverse on the same base coin (an inverse perpetual's tier table is in that
    /// coin, and so is every account's futures money); a mix is a
    /// [`ExchangeError::BadInstrument`]. Spot instruments may sit beside either.
    pub fn new(
        rules: VenueRules,
        instruments: Vec<InstrumentConfig>,
    ) -> Result<Exchange, ExchangeError> {
        rules.validate()?;
        let mut funds = 1;
        let mut inst = Vec::with_capacity(instruments.len());
        // The first perpetual fixes the settlement asset: (symbol, settlement).
        let mut settles: Option<(String, Settlement)> = None;
        for cfg in instruments {
            let bad = |why: &str| ExchangeError::BadInstrument {
                symbol: cfg.spec.symbol.clone(),
                why: why.to_string(),
            };
            if cfg.spec.kind != InstrumentKind::Spot && cfg.tiers.is_none() {
                return Err(bad("a perpetual needs a margin tier table"));
            }
            if cfg.spec.kind == InstrumentKind::InversePerp && !cfg.spec.contract_size.is_positive()
            {
                return Err(bad("an inverse perpetual needs a positive contract size"));
            }
            let here = match cfg.spec.kind {
                InstrumentKind::Spot => None,
                InstrumentKind::LinearPerp => Some(Settlement::Linear),
                InstrumentKind::InversePerp => Some(Settlement::Inverse {
                    coin: cfg.spec.base.clone(),
                }),
            };
            match (&settles, here) {
                (_, None) => {}
                (None, Some(s)) => settles = Some((cfg.spec.symbol.clone(), s)),
                (Some((first, s0)), Some(s)) if *s0 != s => {
                    let what = |s: &Settlement| match s {
                        Settlement::Linear => "linear (in its quote currency)".to_string(),
                        Settlement::Inverse { coin } => format!("inverse in {coin}"),
                    };
                    return Err(bad(&format!(
                        "settles {} but {first} settles {}: all perpetuals of one exchange \
                         settle in one asset (all linear, or all inverse on one coin)",
                        what(&s),
                        what(s0)
                    )));
                }
                _ => {}
            }
            if !cfg.spec.tick.is_positive() || !cfg.spec.lot.is_positive() {
                return Err(bad("tick and lot must be positive"));
            }
            if cfg.liquidation_fee_rate.is_some_and(|r| r.is_negative()) {
                return Err(bad("negative liquidation fee"));
            }
            funds = funds.max(cfg.fund as usize + 1);
            inst.push(Instrument {
                contract: Contract::of(&cfg.spec),
                market: Market::new(MarkCalc::new(rules.mark)),
                book: OrderBook::default(),
                longs: KeyIndex::default(),
                shorts: KeyIndex::default(),
                long_max: i64::MIN,
                short_min: i64::MAX,
                holders: AccountSet::default(),
                multi_cross: BTreeSet::new(),
                cfg,
            });
        }
        let settlement = settles.map_or(Settlement::Linear, |(_, s)| s);
        let coin_spot = settlement.coin().and_then(|coin| {
            inst.iter()
                .position(|x| x.cfg.spec.kind == InstrumentKind::Spot && x.cfg.spec.base == coin)
                .map(|k| InstrumentId(k as u32))
        });
        let market = Account {
            is_market: true,
            ..Account::default()
        };
        Ok(Exchange {
            rules,
            settlement,
            coin_spot,
            inst,
            accounts: vec![market],
            orders: BTreeMap::new(),
            next_order: 1,
            funds: vec![Money::ZERO; funds],
            fund_stats: vec![crate::funds::FundStats::default(); funds],
            fee_pool: Money::ZERO,
            funding_pool: Money::ZERO,
            deposits: Money::ZERO,
            spot_deposits: Money::ZERO,
            spot_fee_pool: Money::ZERO,
            coin_to_spot: Money::ZERO,
            now: Ts::MIN,
            scratch_keys: Vec::with_capacity(64),
            scratch_ids: Vec::with_capacity(64),
            worklist: Vec::with_capacity(64),
            ignored_events: 0,
            input_seq: 0,
            adl_queue: Vec::new(),
            adl_queue_key: None,
            adl_queue_cursor: 0,
            adl_queue_sorted: 0,
        })
    }

    /// Opens an account with `deposit` in its futures wallet (in the settlement asset: coin on
    /// an inverse exchange).
    pub fn open_account(&mut self, deposit: Money) -> AccountId {
        assert!(!deposit.is_negative(), "a deposit is not negative");
        let id = AccountId(u32::try_from(self.accounts.len()).expect("fewer than 2³² accounts"));
        self.accounts.push(Account {
            wallet: deposit,
            ..Account::default()
        });
        self.deposits += deposit;
        id
    }

    /// Deposits more money into an account's futures wallet (or, with `spot`, its spot
    /// wallet). Money enters the system only through deposits and fund seeding. The futures
    /// wallet is in the settlement asset; the spot wallet in the spot quote currency — on an
    /// inverse exchange the two differ, and spot deposits are counted apart
    /// ([`Exchange::spot_deposits`]).
    pub fn deposit(&mut self, account: AccountId, amount: Money, spot: bool) {
        assert!(!amount.is_negative(), "a deposit is not negative");
        assert!(
            account != Self::MARKET,
            "the market account takes no deposits"
        );
        let a = &mut self.accounts[account.index()];
        if spot {
            a.spot_quote += amount;
        } else {
            a.wallet += amount;
        }
        if spot && self.settlement.is_inverse() {
            self.spot_deposits += amount;
        } else {
            self.deposits += amount;
        }
        self.rekey_account(account);
    }

    /// Puts money into insurance fund `fund` (the fund a venue starts a scenario with).
    pub fn seed_insurance_fund(&mut self, fund: u32, amount: Money) {
        assert!(!amount.is_negative(), "a seed is not negative");
        self.funds[fund as usize] += amount;
        self.deposits += amount;
        let s = &mut self.fund_stats[fund as usize];
        s.seeded += amount;
        s.lowest = self.funds[fund as usize];
    }

    /// The venue rules in force.
    pub fn rules(&self) -> &VenueRules {
        &self.rules
    }

    /// The asset every perpetual of this exchange settles in: the currency of futures
    /// wallets, margin, fees, funding, insurance funds and of every money figure of the
    /// position and account views (coin on an inverse exchange; a caller values it in USD at
    /// the mark).
    pub fn settlement(&self) -> &Settlement {
        &self.settlement
    }

    /// True when instrument `i` is an inverse perpetual (false for unknown instruments).
    pub fn is_inverse(&self, i: InstrumentId) -> bool {
        self.inst
            .get(i.index())
            .is_some_and(|x| x.cfg.spec.kind == InstrumentKind::InversePerp)
    }

    /// Simulated time: the latest event or command time seen.
    pub fn now(&self) -> Ts {
        self.now
    }

    /// Number of accounts, the market account included.
    pub fn account_count(&self) -> usize {
        self.accounts.len()
    }

    /// Number of instruments.
    pub fn instrument_count(&self) -> usize {
        self.inst.len()
    }

    /// Market events for instruments the exchange does not know (ignored, counted).
    pub fn ignored_events(&self) -> u64 {
        self.ignored_events
    }

    /// One step of the state machine: `apply(now, input) -> outputs`.
    pub fn apply(&mut self, now: Ts, input: &Input, out: &mut Vec<Output>) {
        match input {
            Input::Market(ev) => self.on_market(ev, out),
            Input::Command { account, command } => self.on_command(now, *account, command, out),
        }
    }

    /// Applies one recorded market event. Funding due by the event's time settles first; then
    /// the market state moves; a mark move runs the liquidation search; a trade fills the
    /// resting orders it trades through. Outputs are appended to `out`.
    pub fn on_market(&mut self, ev: &Event, out: &mut Vec<Output>) {
        self.now = self.now.max(ev.ts);
        self.input_seq += 1;
        let i = ev.instrument.index();
        if i >= self.inst.len() {
            self.ignored_events += 1;
            return;
        }
        if let EventBody::FundingSettlement(_) = ev.body {
            // A recorded settlement switches an `Auto` instrument to recorded funding before
            // the grid is consulted, so the settlement that arrives on the grid is paid once.
            self.inst[i].market.funding.recorded_seen = true;
        }
        self.scheduled_funding(i, out);
        match ev.body {
            EventBody::Trade(t) => {
                self.inst[i].market.last_trade = Some(LastTrade {
                    ts: ev.ts,
                    price: t.price,
                    qty: t.qty,
                    aggressor: t.aggressor,
                });
                self.inst[i].market.add_volume(ev.ts, t.qty);
                self.price_input(i);
                if self.inst[i].book.touched_by(t.price) {
                    self.match_trade(i, t.price, t.qty, out);
                }
            }
            EventBody::BookTop(b) => {
                let m = &mut self.inst[i].market;
                m.top = Some(b);
                m.book_refreshed();
                self.sample_premium(i);
                self.price_input(i);
            }
            EventBody::DepthBand(d) => {
                let m = &mut self.inst[i].market;
                if m.depth.push(ev.ts, d) {
                    m.book_refreshed();
                }
            }
            EventBody::DepthLevel(d) => {
                let m = &mut self.inst[i].market;
                let side = match d.side {
                    Side::Buy => &mut m.l2_bids,
                    Side::Sell => &mut m.l2_asks,
                };
                if d.qty.is_positive() {
                    side.insert(d.price, d.qty);
                } else {
                    side.remove(&d.price);
                }
                m.book_refreshed();
            }
            EventBody::Bar(b) => self.on_bar(i, ev.ts, &b, out),
            EventBody::MarkPrice(p) => {
                self.inst[i].market.mark_recorded = true;
                self.set_mark(i, p);
            }
            EventBody::IndexPrice(p) => {
                self.inst[i].market.index = Some(p);
                self.sample_premium(i);
                self.price_input(i);
            }
            EventBody::Funding(f) => {
                let m = &mut self.inst[i].market;
                m.funding_rate = Some(f.rate);
                m.next_funding = Some(f.next_funding);
                self.price_input(i);
            }
            EventBody::FundingSettlement(s) => self.recorded_settlement(i, s, out),
            EventBody::OpenInterest(o) => self.inst[i].market.open_interest = Some(o),
            EventBody::Liquidation(l) => self.inst[i].market.last_liquidation = Some(l),
            EventBody::LongShortRatio(_) | EventBody::TakerVolume(_) => {}
        }
        self.drain_worklist(out);
    }

    /// Applies one command from `account` at time `now` (the engine adds the order-entry
    /// latency before calling). Every refusal is an [`Output::Rejected`].
    pub fn on_command(
        &mut self,
        now: Ts,
        account: AccountId,
        cmd: &Command,
        out: &mut Vec<Output>,
    ) {
        self.now = self.now.max(now);
        self.input_seq += 1;
        if account.index() >= self.accounts.len() || account == Self::MARKET {
            let client_id = match cmd {
                Command::Place(r) => r.client_id,
                _ => 0,
            };
            out.push(Output::Rejected {
                account,
                client_id,
                reason: cascade_types::RejectReason::NotSupported,
            });
            return;
        }
        match *cmd {
            Command::Place(req) => self.place(account, req, out),
            Command::Cancel { order_id } => self.cancel_cmd(account, order_id, out),
            Command::CancelAll { instrument } => self.cancel_all_cmd(account, instrument, out),
            Command::SetLeverage {
                instrument,
                leverage,
            } => self.set_leverage(account, instrument, leverage, out),
            Command::SetMarginMode { instrument, mode } => {
                self.set_margin_mode(account, instrument, mode, out)
            }
            Command::Transfer { from, to, amount } => self.transfer(account, from, to, amount, out),
        }
        self.drain_worklist(out);
    }

    /// Bars expand into ticks along a fixed intra-bar path: open, then the extreme nearer the
    /// open's direction (low first when the bar closed up, high first when it closed down),
    /// then the other extreme, then close — the path that visits both extremes the way a
    /// closing-up bar most plausibly did. Last-price bars become trades of a quarter of the
    /// bar's volume each; mark and index bars move the mark / index; premium bars are ignored.
    fn on_bar(&mut self, i: usize, ts: Ts, b: &cascade_types::Bar, out: &mut Vec<Output>) {
        let path = if b.close >= b.open {
            [b.open, b.low, b.high, b.close]
        } else {
            [b.open, b.high, b.low, b.close]
        };
        match b.source {
            cascade_types::BarSource::Last => {
                let q = Qty::from_raw(b.volume.raw() / 4); // quarter volume per tick, floor
                for (k, p) in path.into_iter().enumerate() {
                    self.input_seq += 1;
                    let side = if k > 0 && p < path[k - 1] {
                        Side::Sell
                    } else {
                        Side::Buy
                    };
                    self.inst[i].market.last_trade = Some(LastTrade {
                        ts,
                        price: p,
                        qty: q,
                        aggressor: side,
                    });
                    self.price_input(i);
                    if self.inst[i].book.touched_by(p) {
                        self.match_trade(i, p, q, out);
                    }
                    self.drain_worklist(out);
                }
            }
            cascade_types::BarSource::Mark => {
                self.inst[i].market.mark_recorded = true;
                for p in path {
                    self.input_seq += 1;
                    self.set_mark(i, p);
                    self.drain_worklist(out);
                }
            }
            cascade_types::BarSource::Index => {
                for p in path {
                    self.input_seq += 1;
                    self.inst[i].market.index = Some(p);
                    self.price_input(i);
                    self.drain_worklist(out);
                }
            }
            cascade_types::BarSource::Premium => {}
        }
    }

    pub(crate) fn mark_inputs(&self, i: usize) -> MarkInputs {
        let m = &self.inst[i].market;
        let interval_ns = self.rules.funding.interval_h as i64 * Ts::NANOS_PER_HOUR;
        MarkInputs {
            now: self.now,
            index: m.index,
            bid: m.top.map(|t| t.bid_price).filter(|p| p.is_positive()),
            ask: m.top.map(|t| t.ask_price).filter(|p| p.is_positive()),
            mid: m.mid(),
            last: m.last_trade.map(|t| t.price),
            funding_rate: m.funding_rate.or(m.funding.estimate),
            next_funding: m.next_funding.or(m.funding.next),
            interval_ns,
        }
    }

    /// A price input changed: feed the mark computation and, unless marks are recorded, move
    /// the mark.
    fn price_input(&mut self, i: usize) {
        let method = self.rules.mark;
        let m = &self.inst[i].market;
        if m.index.is_none() && !matches!(method, MarkMethod::HyperliquidMedian { .. }) {
            // The hot path of a bare tape: without an index every method falls back to the
            // last trade (else the mid), and there is nothing to observe.
            if m.mark_recorded {
                return;
            }
            if let Some(p) = m.last_trade.map(|t| t.price).or_else(|| m.mid()) {
                self.set_mark(i, p);
            }
            return;
        }
        let inputs = self.mark_inputs(i);
        let m = &mut self.inst[i].market;
        m.calc.observe(method, &inputs);
        if m.mark_recorded {
            return;
        }
        if let Some(p) = m.calc.compute(method, &inputs) {
            self.set_mark(i, p);
        }
    }

    /// Moves the mark; when it changes, finds the positions it makes liquidatable through the
    /// index (`O(log n + k)`) and queues their accounts. An inverse instrument ignores a
    /// non-positive mark (bad data: its coin value would be unbounded).
    pub(crate) fn set_mark(&mut self, i: usize, p: Price) {
        if p.raw() <= 0 && !self.inst[i].contract.is_linear() {
            return; // bad data: an inverse position's coin value at a zero price is unbounded
        }
        let m = &mut self.inst[i].market;
        if m.mark == Some(p) {
            return;
        }
        m.prev_mark = m.mark;
        m.mark = Some(p);
        let inst = &self.inst[i];
        let mark = p.raw();
        if inst.long_max <= mark && inst.short_min >= mark && inst.multi_cross.is_empty() {
            return;
        }
        // Most underwater first: longs by key descending, then shorts by key ascending.
        let mut keys = std::mem::take(&mut self.scratch_keys);
        keys.clear();
        keys.extend(
            inst.longs
                .range_from(&(mark.saturating_add(1), 0))
                .rev()
                .copied(),
        );
        keys.extend(inst.shorts.range_below(&(mark, 0)).copied());
        self.worklist
            .extend(keys.iter().map(|&(_, a)| AccountId(a)));
        keys.clear();
        self.scratch_keys = keys;
        if !self.inst[i].multi_cross.is_empty() {
            let mut ids = std::mem::take(&mut self.scratch_ids);
            ids.clear();
            ids.extend(self.inst[i].multi_cross.iter().copied());
            for &a in &ids {
                self.rekey_pool(AccountId(a), Pool::Cross);
                self.worklist.push(AccountId(a));
            }
            ids.clear();
            self.scratch_ids = ids;
        }
    }

    /// Checks every queued account (and the accounts their liquidations touch) until none is
    /// left. Called after every input: the usual empty list costs one compare here, not the
    /// liquidation machinery's stack frame.
    #[inline]
    pub(crate) fn drain_worklist(&mut self, out: &mut Vec<Output>) {
        if !self.worklist.is_empty() {
            self.drain_queued(out);
        }
    }

    #[inline(never)]
    fn drain_queued(&mut self, out: &mut Vec<Output>) {
        let mut k = 0;
        while k < self.worklist.len() {
            let a = self.worklist[k];
            self.check_account(a, out);
            k += 1;
        }
        self.worklist.clear();
    }
}
