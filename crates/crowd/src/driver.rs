//! A self-contained driver: events through the exchange and the crowd, in order, so the model
//! is usable (by tests, the bench, calibration) without the engine. Per event it does exactly
//! what an engine does: clear the outputs, `Exchange::on_market`, `Crowd::on_event`.

use crate::model::Crowd;
use cascade_exchange::Exchange;
use cascade_types::{Event, EventBody, InstrumentId, Money, OpenInterest, Output, Qty, Ts};

/// Counts of one driven run (the data is in [`Crowd::record`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CrowdRun {
    /// Market events applied.
    pub events: u64,
    /// Exchange outputs, the crowd's included.
    pub outputs: u64,
    /// Modelled liquidation steps on the crowd's instrument (anyone's).
    pub liquidations: u64,
    /// Of which crowd accounts'.
    pub crowd_liquidations: u64,
    /// ADL fills.
    pub adl_fills: u64,
    /// Most impact rounds of one instant.
    pub deepest_cascade: usize,
    /// The insurance fund at the end.
    pub fund_end: Money,
}

/// Replays `events` through `ex` and `crowd`.
pub fn replay<I>(ex: &mut Exchange, crowd: &mut Crowd, events: I) -> CrowdRun
where
    I: IntoIterator<Item = Event>,
{
    replay_with(ex, crowd, events, |_, _, _| {})
}

/// As [`replay`], calling `each(exchange, event, outputs)` after every event (tests run the
/// invariant checker there).
pub fn replay_with<I, F>(ex: &mut Exchange, crowd: &mut Crowd, events: I, mut each: F) -> CrowdRun
where
    I: IntoIterator<Item = Event>,
    F: FnMut(&Exchange, &Event, &[Output]),
{
    let mut out = Vec::with_capacity(1024);
    let mut run = CrowdRun::default();
    for ev in events {
        out.clear();
        ex.on_market(&ev, &mut out);
        crowd.on_event(ex, &ev, &mut out);
        run.events += 1;
        run.outputs += out.len() as u64;
        each(ex, &ev, &out);
    }
    let r = crowd.record();
    run.liquidations = r.liquidations.len() as u64;
    run.crowd_liquidations = r.liquidations.iter().filter(|l| l.crowd).count() as u64;
    run.adl_fills = r.adl.len() as u64;
    run.deepest_cascade = r.max_rounds();
    run.fund_end = ex.insurance_fund(crowd.fund);
    run
}

/// Merges a scenario's open-interest path (for a log that has none) into `events` as
/// `OpenInterest` events of `instrument` (value 0), stably: at equal times the log's events
/// come first. Both inputs must be in time order.
pub fn with_oi_path(
    events: Vec<Event>,
    instrument: InstrumentId,
    path: &[(Ts, Qty)],
) -> Vec<Event> {
    assert!(
        path.windows(2).all(|w| w[0].0 <= w[1].0),
        "the open-interest path is in time order"
    );
    let mut merged = Vec::with_capacity(events.len() + path.len());
    let mut p = path.iter().peekable();
    for ev in events {
        while let Some(&&(ts, qty)) = p.peek() {
            if ts >= ev.ts {
                break;
            }
            merged.push(oi_event(instrument, ts, qty));
            p.next();
        }
        merged.push(ev);
    }
    merged.extend(p.map(|&(ts, qty)| oi_event(instrument, ts, qty)));
    merged
}

fn oi_event(instrument: InstrumentId, ts: Ts, qty: Qty) -> Event {
    Event {
        ts,
        instrument,
        body: EventBody::OpenInterest(OpenInterest {
            qty,
            value: Money::ZERO,
        }),
    }
}
