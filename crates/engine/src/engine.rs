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
//! caller's [`RecordSink`] (in `cascade-run`: the output thread, in batches). Wall-clock
//! timing, if any, goes through the caller's [`Timing`] hooks. On the hot path nothing
//! allocates:
//! records go into a recycled buffer, outputs into a reused `Vec`, commands into the
//! strategy's reused [`CommandBuffer`], scheduled items into a heap reserved up front.

use crate::adl_watch::{AdlExposure, AdlWatch};
use crate::bars;
use crate::error::EngineError;
use crate::hooks::{RecordSink, Timing};
use crate::order::{Lane, OrderKey};
use crate::record::{Record, RecordBody};
use crate::scheduler::Scheduler;
use crate::state::FinalState;
use crate::venue::{CrowdArtifacts, Venue};
use crate::views::{AccountViews, ViewSource};
use cascade_strategy::{CommandBuffer, Ctx, MarketView, Strategy};
use cascade_types::{AccountId, Command, Event, EventBody, InstrumentSpec, Note, Output, Ts};

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
    /// Check the exchange's invariants after every step (slow; for tests).
    pub check_invariants: bool,
    /// The run has a crowd.
    pub crowd: bool,
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
    /// What the venue says about the run (an inverse venue's coin and deposit conversion).
    pub venue_notes: Vec<Note>,
}

impl<S: RecordSink, T: Timing> Core<S, T> {
    /// A loop over `instruments` driving `venue` (its accounts already open) and `strategy`,
    /// which trades through `accounts`. Records go to `records`, timings to `timing`.
    pub fn new(
        instruments: &[InstrumentSpec],
        venue: Venue,
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

    /// Handles one market event, after everything scheduled strictly before it. A bar is
    /// preceded by its ticks ([`crate::bars`]).
    #[inline]
    pub fn on_market(&mut self, ev: &Event) -> Result<(), EngineError> {
        if let Err(problem) = cascade_types::check_event(ev) {
            return Err(EngineError::BadEvent {
                at: ev.ts,
                instrument: ev.instrument,
                problem: problem.to_string(),
            });
        }
        let mut to_exchange = true;
        if self.cfg.expand_bars {
            if let EventBody::Bar(bar) = &ev.body {
                if bars::expands(bar) {
                    let ticks = bars::ticks(ev, self.last_market_ts);
                    for t in ticks.as_slice() {
                        self.on_tick(t)?;
                    }
                    to_exchange = false;
                }
            }
        }
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
        let crowd = self.venue.crowd_artifacts();
        Ok(Finished {
            state,
            timing: self.timing,
            records: self.records,
            crowd,
            notes,
            adl: self.adl.finish(),
            venue_notes: self.venue.notes().to_vec(),
        })
    }
}
