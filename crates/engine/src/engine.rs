//! The engine loop: **one logical thread owns all state** and handles everything in the one
//! total order ([`crate::order`]):
//!
//! ```text
//! next item in (ts, lane, seq) order
//!   ├─ timer due         → strategy.on_timer
//!   ├─ market event      → market view → exchange (fills, mark, funding, liquidation, ADL)
//!   │                      → outputs to the strategy (on_output) → strategy.on_event
//!   └─ command arriving  → exchange → outputs to the strategy (on_output)
//! then: the commands and timers the callbacks issued are scheduled (commands after the
//! order-entry latency) in issue order.
//! ```
//!
//! Every input and output becomes a [`Record`] with the next sequence number, handed to the
//! caller's [`RecordSink`] (in `cascade-run`: its record sink, on the same thread). Wall-clock
//! timing, if any, goes through the caller's [`Timing`] hooks. On the hot path nothing
//! allocates:
//! records go into a recycled buffer, outputs into a reused `Vec`, commands into the
//! strategy's reused [`CommandBuffer`], scheduled items into a heap reserved up front.

use crate::adl_watch::{AdlExposure, AdlWatch};
use crate::bars;
use crate::config::{FundingDefault, MarkDefault};
use crate::error::EngineError;
use crate::hooks::{RecordSink, Timing};
use crate::order::{Lane, OrderKey};
use crate::record::{Record, RecordBody};
use crate::scheduler::Scheduler;
use crate::state::FinalState;
use crate::venue::{CrowdArtifacts, Venue};
use crate::views::{AccountViews, ViewSource};
use cascade_report::{Coverage, CoverageBuilder, StreamKind};
use cascade_strategy::{CommandBuffer, Ctx, MarketView, Strategy};
use cascade_types::{
    AccountId, Command, Event, EventBody, InstrumentId, InstrumentKind, InstrumentSpec, Note,
    Output, Ts,
};

/// An item waiting in the scheduler.
#[derive(Clone, Copy, Debug)]
enum Internal {
    Command {
        id: u64,
        account: AccountId,
        command: Command,
    },
    Timer {
        id: u64,
        token: u64,
    },
}

/// Settings of the loop itself, from the run's [`crate::RunConfig`].
#[derive(Clone, Copy, Debug)]
pub struct LoopConfig {
    /// Order-entry latency in nanoseconds.
    pub latency_ns: i64,
    /// Spacing of the equity-curve samples.
    pub sample_interval_ns: i64,
    /// Most commands and timers pending at once.
    pub scheduler_capacity: usize,
    /// Expand bars into intra-bar ticks.
    pub expand_bars: bool,
    /// The intra-bar path: where a bar's ticks go and which extreme comes first.
    pub bar_path: bars::BarPathConfig,
    /// Check the exchange's invariants after every step (slow; for tests).
    pub check_invariants: bool,
    /// The run has a crowd.
    pub crowd: bool,
    /// The run's window (inclusive ends; `None` where open).
    pub window: (Option<Ts>, Option<Ts>),
    /// The stand-ins for missing funding and mark streams ([`crate::RunConfig`]).
    pub funding_default: Option<FundingDefault>,
    /// See `funding_default`.
    pub mark_default: Option<MarkDefault>,
}

impl LoopConfig {
    /// The loop settings of `config`, with or without the invariant checks after every step.
    pub fn new(config: &crate::RunConfig, check_invariants: bool) -> LoopConfig {
        LoopConfig {
            latency_ns: config.latency_ns,
            sample_interval_ns: config.sample_interval_ns,
            scheduler_capacity: config.scheduler_capacity,
            expand_bars: config.expand_bars,
            check_invariants,
            crowd: config.crowd.is_some(),
            bar_path: config.bar_path,
            window: (config.from, config.to),
            funding_default: config.funding_default,
            mark_default: config.mark_default,
        }
    }
}

/// The state of a run, owned by one thread: the records go to `S`, the timings to `T`.
pub struct Core<S: RecordSink, T: Timing> {
    now: Ts,
    market: MarketView,
    venue: Venue,
    strategy: Box<dyn Strategy>,
    /// The strategy's account views, filled from the exchange when read.
    views: AccountViews,
    commands: CommandBuffer,
    scheduler: Scheduler<Internal>,
    outputs: Vec<Output>,
    cfg: LoopConfig,
    /// The next grid point at which a sample is due (`None` before the first event).
    next_sample: Option<Ts>,
    seq: u64,
    next_command_id: u64,
    next_timer_id: u64,
    counts: FinalState,
    records: S,
    sink_ok: bool,
    /// Timestamp of the last market event or tick handled.
    last_market_ts: Option<Ts>,
    timing: T,
    /// Where the strategy stood in ADL queues.
    adl: AdlWatch,
    /// What each input stream held inside the window.
    coverage: CoverageBuilder,
    /// The run's instrument table.
    specs: Vec<InstrumentSpec>,
    /// The input read ahead, bars' ticks placed back in their intervals ([`crate::bars`]).
    stager: bars::Stager,
}

/// What the engine loop leaves at the end of a run.
pub struct Finished<S, T> {
    /// Counts and the accounts at the end.
    pub state: FinalState,
    /// The timing hooks, with what they measured.
    pub timing: T,
    /// The record sink (to be flushed by its owner).
    pub records: S,
    /// The crowd's manifest and report files, when the run had a crowd.
    pub crowd: Option<CrowdArtifacts>,
    /// What the strategy said about its run ([`Strategy::notes`]).
    pub notes: Vec<Note>,
    /// ADL as the strategy met it.
    pub adl: Vec<AdlExposure>,
    /// What the venue says about the run (an inverse venue's coin and deposit conversion),
    /// and the stand-ins used for missing streams.
    pub venue_notes: Vec<Note>,
    /// What each input stream held inside the window.
    pub coverage: Coverage,
}

impl<S: RecordSink, T: Timing> Core<S, T> {
    /// A loop over `instruments` driving `venue` (its accounts already open) and `strategy`,
    /// which trades through `accounts`. Records go to `records`, timings to `timing`.
    pub fn new(
        instruments: &[InstrumentSpec],
        mut venue: Venue,
        strategy: Box<dyn Strategy>,
        accounts: Vec<AccountId>,
        cfg: LoopConfig,
        records: S,
        timing: T,
    ) -> Core<S, T> {
        assert!(
            !accounts.is_empty(),
            "a strategy trades through at least one account"
        );
        assert!(cfg.sample_interval_ns > 0 && cfg.latency_ns >= 0);
        if cfg.funding_default == Some(FundingDefault::Zero) {
            venue.pay_no_computed_funding();
        }
        Core {
            now: Ts::MIN,
            market: MarketView::new(instruments),
            venue,
            strategy,
            views: AccountViews::new(accounts, instruments.len()),
            commands: CommandBuffer::with_capacity(256),
            scheduler: Scheduler::new(cfg.scheduler_capacity),
            outputs: Vec::with_capacity(256),
            cfg,
            next_sample: None,
            seq: 0,
            next_command_id: 0,
            next_timer_id: 0,
            counts: FinalState::default(),
            records,
            sink_ok: true,
            last_market_ts: None,
            timing,
            adl: AdlWatch::default(),
            coverage: CoverageBuilder::new(),
            specs: instruments.to_vec(),
            stager: bars::Stager::new(cfg.bar_path),
        }
    }

    /// Calls `on_start`; an error stops the run before it begins.
    pub fn start(&mut self) -> Result<(), EngineError> {
        let source = ViewSource::new(&self.views, &self.venue);
        let mut ctx = Ctx::with_source(self.now, &self.market, &source, &mut self.commands);
        self.strategy
            .on_start(&mut ctx)
            .map_err(|e| EngineError::Strategy(e.to_string()))?;
        // Commands issued at start are stamped at the first event.
        Ok(())
    }

    /// True while the record sink is taking records.
    pub fn sink_ok(&self) -> bool {
        self.sink_ok
    }

    #[inline]
    fn record(&mut self, ts: Ts, body: RecordBody) {
        let r = Record {
            seq: self.seq,
            ts,
            body,
        };
        self.seq += 1;
        if !self.records.push(r) {
            self.sink_ok = false;
        }
    }

    /// Takes the next recorded market event of the input. With bar expansion on, it is staged
    /// ([`bars::Stager`]) and what is settled is handled, bars' ticks placed back in their
    /// intervals; otherwise it is handled at once.
    #[inline]
    pub fn on_market(&mut self, ev: &Event) -> Result<(), EngineError> {
        if let Err(problem) = cascade_types::check_event(ev) {
            return Err(EngineError::BadEvent {
                at: ev.ts,
                instrument: ev.instrument,
                problem: problem.to_string(),
            });
        }
        let (from, to) = self.cfg.window;
        if from.is_some_and(|f| ev.ts < f) || to.is_some_and(|t| ev.ts > t) {
            self.coverage.outside();
            return Ok(());
        }
        self.coverage.observe(ev);
        if !self.cfg.expand_bars || self.stager.pass_through(ev) {
            return self.on_recorded(ev, true);
        }
        self.stager.push(ev);
        self.drain_staged(false)
    }

    /// Handles what the stager has settled (everything when `end`).
    fn drain_staged(&mut self, end: bool) -> Result<(), EngineError> {
        while let Some(item) = self.stager.next(end) {
            match item {
                bars::Staged::Recorded(e) => {
                    let to_exchange = match &e.body {
                        EventBody::Bar(bar) => !bars::expands(bar),
                        _ => true,
                    };
                    self.on_recorded(&e, to_exchange)?;
                }
                bars::Staged::Tick(t) => {
                    let position = self
                        .venue
                        .position_qty(self.views.ids(), t.bar_event.instrument);
                    let ev = self.stager.price(&t, position);
                    self.on_tick(&ev)?;
                }
            }
        }
        Ok(())
    }

    /// Handles one recorded market event, after everything scheduled strictly before it
    /// (and, for an expanded bar, after its ticks: then the exchange does not get the bar).
    #[inline]
    fn on_recorded(&mut self, ev: &Event, to_exchange: bool) -> Result<(), EngineError> {
        let watch = self.timing.start_event();
        self.advance_to(ev.ts)?;
        self.counts.market_events += 1;
        self.record(ev.ts, RecordBody::Market(*ev));
        self.market.apply(ev);
        if to_exchange {
            self.outputs.clear();
            self.venue.on_market(ev, &mut self.outputs);
            if self.venue.take_funded() {
                self.views.invalidate();
            }
            self.refresh_heatmap();
            if !self.outputs.is_empty() {
                self.handle_outputs(&watch);
            }
            self.check()?;
        }
        self.views.check_prices(&self.venue);
        let cw = self.timing.start_callback(&watch);
        let source = ViewSource::new(&self.views, &self.venue);
        let mut ctx = Ctx::with_source(self.now, &self.market, &source, &mut self.commands);
        self.strategy.on_event(ev, &mut ctx);
        self.timing.stop_callback(cw);
        if !self.commands.is_empty() {
            self.schedule_issued()?;
        }
        self.timing.stop_event(watch);
        Ok(())
    }

    /// Moves the clock to a market event or tick at `ts`: runs what is scheduled before it
    /// and takes the samples due.
    #[inline]
    fn advance_to(&mut self, ts: Ts) -> Result<(), EngineError> {
        if !self.scheduler.is_empty() {
            self.run_due(ts)?;
        }
        self.maybe_sample(ts);
        debug_assert!(ts >= self.now, "market events come in ts order");
        self.now = ts;
        self.last_market_ts = Some(ts);
        Ok(())
    }

    /// A tick of an expanded bar: to the exchange only (the strategy sees the bar).
    fn on_tick(&mut self, t: &Event) -> Result<(), EngineError> {
        let watch = self.timing.start_event();
        self.advance_to(t.ts)?;
        self.counts.ticks += 1;
        self.record(t.ts, RecordBody::Tick(*t));
        self.outputs.clear();
        self.venue.on_market(t, &mut self.outputs);
        if self.venue.take_funded() {
            self.views.invalidate();
        }
        self.refresh_heatmap();
        if !self.outputs.is_empty() {
            self.handle_outputs(&watch);
        }
        self.check()?;
        if !self.commands.is_empty() {
            self.schedule_issued()?;
        }
        self.timing.stop_event(watch);
        Ok(())
    }

    /// With a crowd: copies its heatmap summary into the strategy's market view when the
    /// mark moved or the crowd's book changed (outputs, open interest). Nothing without one.
    #[inline]
    fn refresh_heatmap(&mut self) {
        if self.cfg.crowd {
            let force = !self.outputs.is_empty();
            if let Some((i, summary)) = self.venue.heatmap_update(self.now, force) {
                self.market.set_heatmap(i, summary);
            }
        }
    }

    /// The exchange's invariants, when checked after every step (and the crowd's starting
    /// book, which fails the run when the exchange refused it).
    #[inline]
    fn check(&self) -> Result<(), EngineError> {
        if self.cfg.crowd {
            if let Some(e) = self.venue.crowd_error() {
                return Err(EngineError::Config(e.to_string()));
            }
        }
        if self.cfg.check_invariants {
            self.venue
                .check()
                .map_err(|e| EngineError::Exchange(format!("at ts {}: {e}", self.now.nanos())))?;
        }
        Ok(())
    }

    /// Runs every scheduled item that comes before a market event at `ts`.
    fn run_due(&mut self, ts: Ts) -> Result<(), EngineError> {
        let mut n = 0usize;
        while let Some((key, item)) = self.scheduler.pop_before_market_at(ts) {
            self.run_internal(key, item)?;
            n += 1;
            // A strategy that re-arms a timer for "now" from inside the timer would never
            // let time advance; bound the work at one instant.
            if n > self.scheduler.capacity() {
                return Err(EngineError::SchedulerFull {
                    capacity: self.scheduler.capacity(),
                    at: key.ts,
                });
            }
        }
        Ok(())
    }

    fn run_internal(&mut self, key: OrderKey, item: Internal) -> Result<(), EngineError> {
        debug_assert!(key.ts >= self.now, "scheduled items are never in the past");
        self.maybe_sample(key.ts);
        self.now = key.ts;
        let watch = self.timing.start_event();
        match item {
            Internal::Command {
                id,
                account,
                command,
            } => {
                self.counts.arrivals += 1;
                self.record(key.ts, RecordBody::Arrival { id });
                self.outputs.clear();
                self.venue
                    .on_command(key.ts, account, &command, &mut self.outputs);
                self.handle_outputs(&watch);
                self.check()?;
            }
            Internal::Timer { id, token } => {
                self.counts.timers_fired += 1;
                self.record(key.ts, RecordBody::TimerFired { id, token });
                self.views.check_prices(&self.venue);
                let cw = self.timing.start_callback(&watch);
                let source = ViewSource::new(&self.views, &self.venue);
                let mut ctx = Ctx::with_source(self.now, &self.market, &source, &mut self.commands);
                self.strategy.on_timer(token, &mut ctx);
                self.timing.stop_callback(cw);
            }
        }
        if !self.commands.is_empty() {
            self.schedule_issued()?;
        }
        self.timing.stop_event(watch);
        Ok(())
    }

    /// Records the outputs in `self.outputs`, invalidates the views they touch, and delivers
    /// the strategy's own outputs to it, in order.
    fn handle_outputs(&mut self, watch: &T::Watch) {
        let outputs = std::mem::take(&mut self.outputs);
        let mut ours = false;
        let mut adl = false;
        for o in &outputs {
            self.counts.outputs += 1;
            self.record(self.now, RecordBody::Output(*o));
            ours |= self.concerns_strategy(o);
            adl |= matches!(o, Output::Adl { .. });
        }
        if adl {
            let account = self.views.ids()[0];
            self.adl.round(self.now, &outputs, &self.venue, account);
        }
        if ours {
            self.views.invalidate();
            for o in &outputs {
                if self.concerns_strategy(o) {
                    let cw = self.timing.start_callback(watch);
                    let source = ViewSource::new(&self.views, &self.venue);
                    let mut ctx =
                        Ctx::with_source(self.now, &self.market, &source, &mut self.commands);
                    self.strategy.on_output(o, &mut ctx);
                    self.timing.stop_callback(cw);
                }
            }
        }
        self.outputs = outputs;
    }

    fn concerns_strategy(&self, o: &Output) -> bool {
        let mine = |a: &AccountId| self.views.is_ours(*a);
        match o {
            Output::Accepted { account, .. }
            | Output::Rejected { account, .. }
            | Output::Cancelled { account, .. }
            | Output::Triggered { account, .. }
            | Output::Transferred { account, .. }
            | Output::Fill { account, .. }
            | Output::Funding { account, .. }
            | Output::MarginCall { account, .. }
            | Output::Liquidation { account, .. } => mine(account),
            Output::Adl {
                victim,
                counterparty,
                ..
            } => mine(victim) || mine(counterparty),
            Output::InsuranceFund { .. } => false,
        }
    }

    /// Schedules what the last callbacks issued: commands (after the latency), then timers,
    /// each in issue order.
    fn schedule_issued(&mut self) -> Result<(), EngineError> {
        let now = self.now;
        let arrive = now.plus_nanos(self.cfg.latency_ns);
        let mut i = 0;
        while i < self.commands.commands().len() {
            let c = self.commands.commands()[i];
            let id = self.next_command_id;
            self.next_command_id += 1;
            self.counts.commands += 1;
            self.record(
                now,
                RecordBody::Command {
                    id,
                    account: c.account,
                    arrive,
                    command: c.command,
                },
            );
            self.scheduler.schedule(
                arrive,
                Lane::Command,
                Internal::Command {
                    id,
                    account: c.account,
                    command: c.command,
                },
            )?;
            i += 1;
        }
        let mut i = 0;
        while i < self.commands.timers().len() {
            let t = self.commands.timers()[i];
            let id = self.next_timer_id;
            self.next_timer_id += 1;
            // A time in the past fires at the next opportunity.
            let at = t.at.max(now);
            self.record(
                now,
                RecordBody::TimerSet {
                    id,
                    at,
                    token: t.id,
                },
            );
            self.scheduler
                .schedule(at, Lane::Timer, Internal::Timer { id, token: t.id })?;
            i += 1;
        }
        self.commands.clear();
        Ok(())
    }

    /// Takes the samples due before an item at `ts` is handled.
    #[inline]
    fn maybe_sample(&mut self, ts: Ts) {
        match self.next_sample {
            Some(g) if ts <= g => {}
            _ => self.take_samples(ts),
        }
    }

    /// Samples the accounts for the equity curve: before the first event (the starting
    /// state, stamped with its time), then, when an item at `ts` crosses grid points, once,
    /// stamped with the latest grid point strictly before `ts` (a sample stamped `g` shows the
    /// state after everything at or before `g`). A grid point equal to the first event's time
    /// is not sampled again. On an inverse venue the curve starts once the deposit is made (at
    /// the perpetual's first mark): before it the account holds nothing to measure.
    fn take_samples(&mut self, ts: Ts) {
        if self.venue.awaiting_deposit() {
            return;
        }
        let step = self.cfg.sample_interval_ns;
        let first = self.next_sample.is_none();
        let stamp = if first {
            ts
        } else {
            Ts((ts.nanos() - 1).div_euclid(step) * step)
        };
        self.sample_at(stamp);
        // The next grid point: at or after `ts`, or strictly after it for the first sample.
        let floor = ts.nanos().div_euclid(step) * step;
        let next = if floor == ts.nanos() && !first {
            floor
        } else {
            floor + step
        };
        self.next_sample = Some(Ts(next));
    }

    fn sample_at(&mut self, stamp: Ts) {
        self.views.check_prices(&self.venue);
        for i in 0..self.views.ids().len() {
            let s = self.venue.sample(&self.views.get(&self.venue)[i]);
            self.record(stamp, RecordBody::Sample(s));
        }
    }

    /// After the last market event: runs what is due at or before its time, takes the last
    /// sample, calls `on_finish`, asks for the strategy's notes, and returns the final state.
    pub fn finish(mut self) -> Result<Finished<S, T>, EngineError> {
        self.drain_staged(true)?;
        let last = self.last_market_ts;
        if let Some(last) = last {
            let mut n = 0usize;
            while let Some((key, item)) = self.scheduler.pop_until(last) {
                self.run_internal(key, item)?;
                n += 1;
                // As in `run_due`: a timer re-armed for "now" must not stall the end.
                if n > self.scheduler.capacity() {
                    return Err(EngineError::SchedulerFull {
                        capacity: self.scheduler.capacity(),
                        at: key.ts,
                    });
                }
            }
            self.sample_at(last);
        }
        self.views.check_prices(&self.venue);
        let source = ViewSource::new(&self.views, &self.venue);
        let ctx = Ctx::with_source(self.now, &self.market, &source, &mut self.commands);
        self.strategy.on_finish(&ctx);
        let notes = self.strategy.notes();
        let mut state = self.counts;
        state.last_ts = last;
        state.pending_at_end = self.scheduler.len() as u64;
        self.venue
            .final_state(self.views.get(&self.venue), &mut state);
        self.venue
            .check()
            .map_err(|e| EngineError::Exchange(format!("at the end of the run: {e}")))?;
        if !self.sink_ok {
            return Err(EngineError::Pipeline("the record sink stopped".into()));
        }
        let coverage = self.coverage.finish(&self.specs, self.cfg.window);
        let mut venue_notes = self.venue.notes().to_vec();
        venue_notes.extend(stand_ins(&coverage, &self.specs, &self.cfg)?);
        let crowd = self.venue.crowd_artifacts();
        Ok(Finished {
            state,
            timing: self.timing,
            records: self.records,
            crowd,
            notes,
            adl: self.adl.finish(),
            venue_notes,
            coverage,
        })
    }
}

/// The notes of the stand-ins a run used for missing streams, or the refusal of a run whose
/// perpetual lacks a stream the venue needs and no stand-in was chosen.
fn stand_ins(
    coverage: &Coverage,
    instruments: &[InstrumentSpec],
    cfg: &LoopConfig,
) -> Result<Vec<Note>, EngineError> {
    let mut notes = Vec::new();
    for (k, spec) in instruments.iter().enumerate() {
        let i = InstrumentId(k as u32);
        if spec.kind == InstrumentKind::Spot || !coverage.has(i, |_| true) {
            continue;
        }
        if !coverage.has(i, StreamKind::is_mark) {
            if coverage.has(i, StreamKind::is_index) {
                notes.push(Note::new(
                    "mark",
                    format!(
                        "{}: no recorded mark; the mark is computed from the recorded index by the venue's method",
                        spec.symbol
                    ),
                ));
            } else {
                match cfg.mark_default {
                    Some(MarkDefault::Last) => notes.push(Note::new(
                        "mark",
                        format!(
                            "{}: no mark or index recorded in the window; mark = last price (--mark-default last)",
                            spec.symbol
                        ),
                    )),
                    None => {
                        return Err(EngineError::Coverage(format!(
                            "{}: the inputs hold no mark and no index price in the run's window, and the exchange \
                             liquidates on the mark; add mark-price klines (or an index), or accept mark = last price \
                             with --mark-default last",
                            spec.symbol
                        )))
                    }
                }
            }
        }
        if !coverage.has(i, StreamKind::is_funding) {
            match cfg.funding_default {
                Some(d) => notes.push(Note::new(
                    "funding",
                    format!(
                        "{}: no funding rate or settlement recorded in the window; funding = {} (--funding-default {})",
                        spec.symbol,
                        match d {
                            FundingDefault::Computed => "the venue's formula on the data there is (the interest rate alone without an index and book)",
                            FundingDefault::Zero => "zero (none paid or received)",
                        },
                        d.name()
                    ),
                )),
                None => {
                    return Err(EngineError::Coverage(format!(
                        "{}: the inputs hold no funding rate or settlement in the run's window; add the venue's \
                         fundingRate file, or choose a stand-in with --funding-default computed|zero",
                        spec.symbol
                    )))
                }
            }
        }
    }
    Ok(notes)
}
