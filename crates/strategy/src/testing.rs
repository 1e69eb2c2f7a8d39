//! A tiny harness to unit-test a strategy without the engine: it keeps a [`MarketView`],
//! the strategy's [`AccountView`]s and a [`CommandBuffer`], feeds events, outputs and timers
//! to the strategy, and hands back the commands it issued. There is no exchange here:
//! commands are only collected, and account views change only when the test changes them.
//!
//! Also what every strategy crate's tests share: the BTC perpetual + spot market and event
//! builders ([`fixtures`], re-exported here), and the one-line parameter check
//! ([`check_params`]) that holds a strategy's declared table, its factory and its README
//! together.

mod check;
pub mod fixtures;

pub use check::{check_params, readme_table, try_create};
pub use fixtures::*;

use crate::account::AccountView;
use crate::ctx::{AccountCommand, CommandBuffer, Ctx, TimerRequest};
use crate::market::MarketView;
use crate::params::ParamError;
use crate::Strategy;
use cascade_types::{AccountId, Event, InstrumentSpec, Money, Output, Ts};

/// Drives one strategy by hand. See the crate documentation for an example.
#[derive(Clone, Debug)]
pub struct Harness {
    /// The market view; [`Harness::event`] applies events to it.
    pub market: MarketView,
    /// The strategy's accounts (one, `a0`, to begin with); edit them to stage a test.
    pub accounts: Vec<AccountView>,
    /// Timers requested so far and not yet fired by [`Harness::fire_timers`].
    pub timers: Vec<TimerRequest>,
    buffer: CommandBuffer,
    now: Ts,
}

impl Harness {
    /// A harness over these instruments with one empty account `a0`.
    pub fn new(specs: &[InstrumentSpec]) -> Self {
        Harness {
            market: MarketView::new(specs),
            accounts: vec![AccountView::new(AccountId(0), specs.len())],
            timers: Vec::new(),
            buffer: CommandBuffer::new(),
            now: Ts::ZERO,
        }
    }

    /// A harness over these instruments whose account `a0` holds `deposit` in its futures
    /// wallet (equity, balance, margin balance and available), as at the start of a run.
    pub fn funded(specs: &[InstrumentSpec], deposit: Money) -> Self {
        let mut h = Self::new(specs);
        let a = &mut h.accounts[0];
        a.equity = deposit;
        a.futures.balance = deposit;
        a.futures.margin_balance = deposit;
        a.futures.available = deposit;
        h
    }

    /// The harness's current time: that of the last event, or as set by
    /// [`Harness::set_now`].
    pub fn now(&self) -> Ts {
        self.now
    }

    /// Sets the current time (for outputs and timers).
    pub fn set_now(&mut self, now: Ts) {
        self.now = now;
    }

    fn run(&mut self, f: impl FnOnce(&mut Ctx<'_>)) -> Vec<AccountCommand> {
        let mut ctx = Ctx::new(self.now, &self.market, &self.accounts, &mut self.buffer);
        f(&mut ctx);
        self.timers.extend(self.buffer.drain_timers());
        self.buffer.drain_commands().collect()
    }

    /// Calls `on_start`.
    pub fn start(&mut self, s: &mut dyn Strategy) -> Result<Vec<AccountCommand>, ParamError> {
        let mut result = Ok(());
        let cmds = self.run(|ctx| result = s.on_start(ctx));
        result.map(|()| cmds)
    }

    /// Applies a market event to the view, then calls `on_event`.
    pub fn event(&mut self, s: &mut dyn Strategy, event: &Event) -> Vec<AccountCommand> {
        self.now = self.now.max(event.ts);
        self.market.apply(event);
        self.run(|ctx| s.on_event(event, ctx))
    }

    /// Calls `on_output` (which dispatches to `on_fill`, `on_funding`, …).
    pub fn output(&mut self, s: &mut dyn Strategy, output: &Output) -> Vec<AccountCommand> {
        self.run(|ctx| s.on_output(output, ctx))
    }

    /// Fires, in order, every requested timer due at or before the current time.
    pub fn fire_timers(&mut self, s: &mut dyn Strategy) -> Vec<AccountCommand> {
        let now = self.now;
        let mut due: Vec<TimerRequest> = Vec::new();
        self.timers.retain(|t| {
            let fire = t.at <= now;
            if fire {
                due.push(*t);
            }
            !fire
        });
        due.sort_by_key(|t| t.at); // stable: same-time timers keep their order
        let mut out = Vec::new();
        for t in due {
            out.extend(self.run(|ctx| s.on_timer(t.id, ctx)));
        }
        out
    }

    /// Calls `on_finish`.
    pub fn finish(&mut self, s: &mut dyn Strategy) {
        let ctx = Ctx::new(self.now, &self.market, &self.accounts, &mut self.buffer);
        s.on_finish(&ctx);
    }
}
