//! Strategies made for the tests.

use cascade_strategy::prelude::*;
use cascade_strategy::Registry;
use cascade_types::*;

pub fn register(r: &mut Registry) {
    r.register(
        "pinger",
        "test: trades, sets timers and cancels on a fixed rhythm",
        Pinger::from_params,
    );
    r.register(
        "rearm",
        "test: a timer that re-arms itself for now, forever",
        |_| Ok(Box::new(Rearm)),
    );
}

/// On every `every`-th market event: a market order (alternately buy and sell), a timer
/// `timer_ns` later and, from the timer, a limit order below the market that the next timer
/// cancels. Exercises commands, timers and outputs at colliding timestamps.
pub struct Pinger {
    every: u64,
    timer_ns: i64,
    seen: u64,
    side: Side,
    fired: u64,
}

impl Pinger {
    fn from_params(p: &Params) -> Result<Box<dyn Strategy>, ParamError> {
        p.expect_only(&["every", "timer_ns"])?;
        let every = p.get_u64("every", 3)?;
        if every == 0 {
            return Err(p.invalid("every", "at least 1"));
        }
        Ok(Box::new(Pinger {
            every,
            timer_ns: p.get_i64("timer_ns", 1_000)?,
            seen: 0,
            side: Side::Buy,
            fired: 0,
        }))
    }
}

impl Strategy for Pinger {
    fn on_event(&mut self, _event: &Event, ctx: &mut Ctx<'_>) {
        self.seen += 1;
        if self.seen.checked_rem(self.every) == Some(0) {
            ctx.place(OrderRequest::market(
                InstrumentId(0),
                self.side,
                "0.01".parse().unwrap(),
            ));
            self.side = self.side.opposite();
            ctx.set_timer(ctx.now().plus_nanos(self.timer_ns), self.seen);
        }
    }

    fn on_timer(&mut self, _id: u64, ctx: &mut Ctx<'_>) {
        self.fired += 1;
        if self.fired & 1 == 1 {
            if let Some(p) = ctx.instrument(InstrumentId(0)).last_price() {
                let below = Price::from_raw(p.raw() / 10_000_000 * 10_000_000 - 100 * 10_000_000);
                ctx.place(OrderRequest::limit(
                    InstrumentId(0),
                    Side::Buy,
                    "0.01".parse().unwrap(),
                    below,
                ));
            }
        } else {
            ctx.cancel_all(InstrumentId(0));
        }
    }
}

/// Sets a timer for now on the first event, and from it another for now, forever: simulated
/// time could never advance. The engine must stop it with an error, not hang.
pub struct Rearm;

impl Strategy for Rearm {
    fn on_event(&mut self, _event: &Event, ctx: &mut Ctx<'_>) {
        ctx.set_timer(ctx.now(), 0);
    }

    fn on_timer(&mut self, id: u64, ctx: &mut Ctx<'_>) {
        ctx.set_timer(ctx.now(), id + 1);
    }
}

/// Buys 0.01 BTC once, the first time its market view's heatmap summary shows crowd longs
/// liquidated within 10 % below: a run where it trades is a run whose strategy saw the crowd.
#[derive(Default)]
pub struct HeatWatch {
    done: bool,
}

impl Strategy for HeatWatch {
    fn on_event(&mut self, _event: &Event, ctx: &mut Ctx<'_>) {
        if self.done {
            return;
        }
        let seen = ctx
            .instrument(InstrumentId(0))
            .heatmap
            .as_ref()
            .and_then(|h| h.within(1000).map(|b| b.longs_below.is_positive()))
            .unwrap_or(false);
        if seen {
            self.done = true;
            ctx.place(OrderRequest::market(
                InstrumentId(0),
                Side::Buy,
                "0.01".parse().unwrap(),
            ));
        }
    }
}
