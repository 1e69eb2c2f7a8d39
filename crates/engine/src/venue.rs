//! The adapter between the engine and the exchange model: **the only file of the engine that
//! touches the `cascade-exchange` API**, so a change there is a change here only.
//!
//! The engine asks five things of the exchange: build it for a venue preset and the run's
//! instruments; apply a market event (mark, fills of resting orders, funding, liquidation and
//! ADL all happen inside); apply a strategy command; describe an account (for the strategy's
//! [`AccountView`] and for samples) and itself (for the final state); check its invariants.
//!
//! The venue itself is a [`VenuePreset`] (the exchange crate's typed preset: which exchange,
//! which date); the exchange crate builds the exchange from it, converts an inverse venue's
//! deposit ([`cascade_exchange::venue::coin_deposit`]) and computes the account totals the
//! strategy sees ([`Exchange::account_totals`]). What is left here is the engine's side:
//! when the deposit is made, the crowd, and copying figures into the strategy's views.
//!
//! On an inverse venue (`bitmex-2020`) the run's deposit is given in the quote currency and
//! waits for the perpetual's first mark; the strategy's account view and the equity curve are
//! then in the coin, and the run's notes say so.

use crate::config::{CrowdBook, CrowdSetup};
use crate::error::EngineError;
use crate::record::Sample;
use crate::state::{AccountFinal, FinalState};
use cascade_crowd::Crowd;
use cascade_exchange::view_into::AccountFigures;
use cascade_exchange::{Exchange, ExchangeError, FundStats, StartingFund};
/// The typed venue preset and fund setting a run is built from (the exchange's own types,
/// re-exported here: the rest of the engine names the exchange only through this module).
pub use cascade_exchange::{FundSetting, VenueKind, VenuePreset};
use cascade_strategy::{AccountView, HeatmapSummary, OrderView, PositionView};
use cascade_types::{
    AccountId, Command, Event, InstrumentId, InstrumentKind, InstrumentSpec, MarginMode, Money,
    Note, Output, Price, Qty, Rate, Rounding, Ts,
};
use std::collections::BTreeMap;

/// The text forms of venue presets, for help texts.
pub use cascade_exchange::VENUE_PRESETS;

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
    /// What the venue says about the run (the starting funds, the coin, the deposit's
    /// conversion).
    notes: Vec<Note>,
    /// The starting funds (names and sources for the end-of-run fund notes).
    funds: Vec<StartingFund>,
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

/// An exchange error as the engine reports it: a preset that cannot be used is a bad run
/// configuration, anything else the exchange's.
pub(crate) fn exchange_err(e: ExchangeError) -> EngineError {
    match e {
        ExchangeError::UnknownVenue(m) => EngineError::Config(m),
        e => EngineError::Exchange(e.to_string()),
    }
}

impl From<ExchangeError> for EngineError {
    fn from(e: ExchangeError) -> EngineError {
        exchange_err(e)
    }
}

/// Builds the exchange model for `venue` (rules in force at `start`, the time of the first
/// event) over `instruments`, its insurance funds seeded as `insurance_fund` says — as a run
/// builds it ([`VenuePreset::build`]).
pub fn build_exchange(
    venue: &VenuePreset,
    instruments: &[InstrumentSpec],
    start: Option<Ts>,
    insurance_fund: FundSetting,
) -> Result<Exchange, EngineError> {
    venue
        .build(instruments, start, insurance_fund)
        .map_err(exchange_err)
}

/// The end-of-run line of a fund that met a deficit: what it started with, paid and received,
/// and — for every deficit it did not pay from its balance — who did (ADL, or the fund itself
/// under the ADL guarantee). `None` when it met no deficit.
fn fund_note(
    f: &StartingFund,
    s: &FundStats,
    balance: Money,
    adl: &cascade_exchange::AdlRules,
) -> Option<String> {
    if s.to_adl == 0 && s.guaranteed == 0 && s.paid.is_zero() {
        return None;
    }
    let name = f.group.name();
    let mut text = format!(
        "{name}: started at {}{}, paid {} of deficits, received {}, lowest {}, ended at {balance}",
        s.seeded,
        if f.assumed { " (assumed)" } else { "" },
        s.paid,
        s.received,
        s.lowest,
    );
    if s.guaranteed > 0 {
        let bound = adl.guarantee.map_or(Money::ZERO, |g| g.max_open_interest);
        text.push_str(&format!(
            "; under the ADL guarantee (open interest of the guaranteed contracts at most              {bound}) it paid {} deficits of {} that the venue's trigger would have sent to ADL,              going below zero where they exceeded it",
            s.guaranteed, s.guaranteed_total
        ));
    }
    if s.to_adl == 0 && s.guaranteed == 0 {
        text.push_str("; it paid every deficit, none went to ADL");
    }
    if let Some((held, deficit)) = s.first_adl {
        let why = match adl.trigger {
            cascade_exchange::AdlTrigger::Always => {
                "the venue's trigger sends every deficit to ADL".to_string()
            }
            _ => format!(
                "the fund ran dry: the first when it held {held} against a deficit of {deficit}"
            ),
        };
        text.push_str(&format!(
            "; {} deficits of {} went to ADL instead — {why}",
            s.to_adl, s.to_adl_total
        ));
        if let Some(oi) = s.lapsed_at_oi {
            text.push_str(&format!(
                " (the ADL guarantee had lapsed: the guaranteed contracts' open interest was {oi})"
            ));
        }
    }
    Some(text)
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
    venue: &VenuePreset,
    crowd: &CrowdSetup,
    insurance_fund: FundSetting,
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
    /// Builds the exchange for `venue` (rules in force at `start`, the time of the first
    /// event) over the run's instrument table, its funds seeded as `insurance_fund` says (the
    /// notes say with what, and where the figure comes from).
    /// With `crowd`, the crowd is built over the exchange (its accounts open after the
    /// strategy's, at its first event).
    pub fn new(
        venue: &VenuePreset,
        instruments: &[InstrumentSpec],
        start: Option<Ts>,
        insurance_fund: FundSetting,
        crowd: Option<&CrowdSetup>,
    ) -> Result<Venue, EngineError> {
        let ex = build_exchange(venue, instruments, start, insurance_fund)?;
        let funds = venue.starting_funds(instruments, start, insurance_fund);
        let notes = funds
            .iter()
            .map(|f| Note::new("insurance fund", f.note.clone()))
            .collect();
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
        Ok(Venue {
            ex,
            specs: instruments.to_vec(),
            crowd,
            pending_deposit: None,
            funded: false,
            notes,
            funds,
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

    /// Instruments `ids` settle recorded funding only, where the venue would otherwise pay on
    /// its grid until the first recorded settlement (`Auto`): with `Auto`, an event reaching
    /// the grid time before the settlement recorded at that time paid both.
    pub fn prefer_recorded_funding(&mut self, ids: &[InstrumentId]) {
        for &i in ids {
            if self.ex.funding_source(i) == Some(cascade_exchange::FundingSource::Auto) {
                self.ex
                    .set_funding_source(i, cascade_exchange::FundingSource::Recorded);
            }
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
        let coin = cascade_exchange::venue::coin_deposit(usd, mark);
        self.ex.deposit(a, coin, false);
        self.pending_deposit = None;
        self.funded = true;
        let spec = &self.specs[i.index()];
        self.notes.push(Note::new(
            "currency",
            cascade_exchange::venue::coin_deposit_note(spec, usd, coin, mark),
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

    /// What the venue says about the run: its notes so far, then — for every fund that met a
    /// deficit — what it started with, paid, and what went to ADL instead ([`fund_note`]).
    pub(crate) fn notes(&self) -> Vec<Note> {
        let mut notes = self.notes.clone();
        let stats = self.ex.fund_stats();
        let balances = self.ex.insurance_funds();
        for f in &self.funds {
            let k = f.group.index() as usize;
            if let (Some(s), Some(b)) = (stats.get(k), balances.get(k)) {
                if let Some(text) = fund_note(f, s, *b, &self.ex.rules().adl) {
                    notes.push(Note::new("insurance fund", text));
                }
            }
        }
        notes
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
        for p in &a.positions {
            let isolated = p.mode == MarginMode::Isolated;
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
            };
        }
        for &(i, q) in &a.spot {
            let p = &mut view.positions[i.index()];
            p.qty = q;
            p.notional = self.ex.spot_holding_value(i, q);
        }
        view.orders.clear();
        for o in &a.orders {
            view.orders.push(OrderView {
                order_id: o.order_id,
                client_id: o.client_id,
                instrument: o.instrument,
                side: o.side,
                kind: o.kind,
                tif: o.tif,
                qty: o.qty,
                reduce_only: o.reduce_only,
                post_only: o.post_only,
            });
        }
        let t = self.ex.account_totals(a);
        view.futures.balance = a.wallet;
        view.futures.unrealised_pnl = t.upnl;
        view.futures.margin_balance = t.margin_balance;
        view.futures.initial_margin = t.initial_margin;
        view.futures.maint_margin = t.maint_margin;
        view.futures.available = a.available;
        view.futures.margin_ratio = a.margin_ratio.unwrap_or(Rate::ZERO);
        view.spot_quote = a.spot_quote;
        view.equity = t.equity;
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
