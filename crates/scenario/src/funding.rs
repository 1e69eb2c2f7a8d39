//! Funding settlements every `interval_h` hours (at `offset_h` past midnight, modulo the
//! interval) inside the window, after its start, up to and including its end.
//!
//! The rate at a settlement at `t` is the plan's *before* rate up to the crash start, its
//! *after* rate from the low on, and in between the straight line from one to the other in
//! time, rounded half-even to 10⁻⁸ — funding sinks as the crash unfolds. A real settlement
//! listed in the scenario (`figures.funding_settled`) replaces the rule at its time.

use crate::plan::Plan;
use cascade_types::{FundingSettlement, Rounding, Ts};

const NS_PER_H: i64 = Ts::NANOS_PER_HOUR;

/// The settlements of `plan` (see the module docs).
pub fn settlements(plan: &Plan, interval_h: u32, offset_h: u32) -> Vec<(Ts, FundingSettlement)> {
    let every = i64::from(interval_h) * NS_PER_H;
    let offset = i64::from(offset_h) * NS_PER_H;
    let (start, end) = (plan.window.start.nanos(), plan.window.end.nanos());
    let (cs, low) = (plan.crash_start.at.nanos(), plan.low.bar_open.nanos());
    let (before, after) = (plan.funding_before, plan.funding_after);
    // The first settlement strictly after the start.
    let mut t = start - (start - offset).rem_euclid(every) + every;
    let mut out = Vec::new();
    while t <= end {
        let real = plan
            .funding_settled
            .iter()
            .find(|(at, _)| at.nanos() == t)
            .map(|(_, r)| *r);
        let rate = if let Some(r) = real {
            r
        } else if t <= cs {
            before
        } else if t >= low {
            after
        } else {
            let moved = (after - before)
                .mul_div(t - cs, low - cs, Rounding::HalfEven)
                .expect("small");
            before + moved
        };
        out.push((Ts::from_nanos(t), FundingSettlement { rate, interval_h }));
        t += every;
    }
    out
}
