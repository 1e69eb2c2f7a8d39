//! A scenario's reconstruction: its instrument table and every market event of its window,
//! built from the plan by the modules of this crate, in one deterministic order.
//!
//! Events are sorted by time; events with the same time keep this order: perp last-price
//! bar, perp mark bar, spot bar, liquidations (longs first), funding settlement, open
//! interest, long/short ratios (global, top positions), taker volume (perp, spot), depth
//! bands (bids −5 %…−1 %, asks +1 %…+5 %).

use crate::bars::perp_bars;
use crate::depth::depth;
use crate::flow::{last_bar, mark_bar, perp_flow, Ohlc};
use crate::funding::settlements;
use crate::liquidations::liquidations;
use crate::metrics::metrics;
use crate::path;
use crate::plan::Plan;
use crate::scenario::Scenario;
use crate::spot::spot_bars;
use crate::ticks::f;
use crate::units::Units;
use cascade_types::{Bar, Event, EventBody, InstrumentId, InstrumentSpec};

/// Synthetic market events rebuilt from a scenario's published figures. Label it with
/// [`description`](Reconstruction::description) wherever it is used.
#[derive(Clone, Debug)]
pub struct Reconstruction {
    /// `reconstruction (synthetic, seed N) of <title> from published figures`.
    pub description: String,
    /// The scenario's id.
    pub scenario_id: String,
    /// The seed it was built from.
    pub seed: u64,
    /// The instrument table; [`InstrumentId`] `i` is entry `i`, in the file's order.
    pub instruments: Vec<InstrumentSpec>,
    /// The perpetual.
    pub perp: InstrumentId,
    /// The spot market, if the scenario has one.
    pub spot: Option<InstrumentId>,
    /// The anchors it passes through.
    pub plan: Plan,
    /// Every event, sorted by time (ties in the order of the module docs).
    pub events: Vec<Event>,
}

impl Scenario {
    /// Builds the reconstruction: a pure function of the scenario (same file, same seed,
    /// same events, on every platform).
    ///
    /// # Panics
    ///
    /// If the scenario breaks a rule of the format. Scenarios from [`load`](crate::load) and
    /// [`parse`](crate::parse) are validated; check a hand-built one with
    /// [`Scenario::plan`] first.
    pub fn reconstruct(&self) -> Reconstruction {
        let plan = match self.plan() {
            Ok(p) => p,
            Err(e) => panic!("reconstructing an invalid scenario: {e}"),
        };
        let g = &self.generator;
        let seed = g.seed;
        let perp_i = self.perp_index().expect("validated: one perp");
        let spot_i = self.spot_index();
        let instruments: Vec<InstrumentSpec> = self.instruments.iter().map(|i| i.spec()).collect();
        let perp_spec = &instruments[perp_i];
        let units = Units::of(perp_spec);
        let perp = InstrumentId(perp_i as u32);
        let spot = spot_i.map(|i| InstrumentId(i as u32));
        let bar_s = g.bar_interval_s;

        let mark = path::build(&plan, &g.path, perp_spec.tick, seed);
        let shape = perp_bars(&plan, &g.path, &mark, perp_spec.tick, seed);
        let flow = perp_flow(&shape, &g.flow, &g.path, bar_s, seed);
        let last: Vec<Bar> = shape
            .iter()
            .zip(&flow)
            .map(|(b, fl)| {
                let px = Ohlc {
                    open: b.open,
                    high: b.high,
                    low: b.low,
                    close: b.close,
                };
                last_bar(b.open_time, bar_s, px, *fl, &units, g.flow.avg_trade_qty)
            })
            .collect();
        let spot_last: Option<Vec<Bar>> = spot_i.map(|i| {
            let spec = &instruments[i];
            let spot_units = Units::of(spec);
            spot_bars(&shape, &flow, &mark, g, spec.tick)
                .iter()
                .zip(&shape)
                .map(|(sb, b)| {
                    last_bar(
                        b.open_time,
                        bar_s,
                        sb.ohlc,
                        sb.flow,
                        &spot_units,
                        g.flow.avg_trade_qty,
                    )
                })
                .collect()
        });
        let liqs = liquidations(
            &shape,
            perp_spec,
            plan.liquidations_long,
            plan.liquidations_short,
            f(g.liquidations.background_share.raw()),
            seed,
        );
        let rows = metrics(
            &shape,
            &last,
            spot_last.as_deref(),
            &liqs,
            &units,
            (plan.crash_start.at, f(plan.crash_start.price.raw())),
            &g.open_interest,
            plan.oi_change,
            &g.long_short,
            seed,
        );
        let funding = settlements(&plan, g.funding.interval_h, g.funding.offset_h);
        let snapshots = depth(
            &mark,
            &units,
            g.depth.notional_5pct_usd,
            f(g.depth.thinning.raw()),
            seed,
        );

        let mut events: Vec<Event> = Vec::new();
        let ev = |ts, instrument, body| Event {
            ts,
            instrument,
            body,
        };
        for (k, b) in shape.iter().enumerate() {
            let ts = b.close_time;
            events.push(ev(ts, perp, EventBody::Bar(last[k])));
            let px = Ohlc {
                open: b.open,
                high: b.mark_high,
                low: b.mark_low,
                close: b.close,
            };
            events.push(ev(
                ts,
                perp,
                EventBody::Bar(mark_bar(b.open_time, bar_s, px)),
            ));
            if let (Some(id), Some(sl)) = (spot, &spot_last) {
                events.push(ev(ts, id, EventBody::Bar(sl[k])));
            }
        }
        for (k, l) in &liqs.orders {
            events.push(ev(shape[*k].close_time, perp, EventBody::Liquidation(*l)));
        }
        for (ts, s) in funding {
            events.push(ev(ts, perp, EventBody::FundingSettlement(s)));
        }
        for r in &rows {
            events.push(ev(r.ts, perp, EventBody::OpenInterest(r.open_interest)));
            for ratio in r.ratios {
                events.push(ev(r.ts, perp, EventBody::LongShortRatio(ratio)));
            }
            events.push(ev(r.ts, perp, EventBody::TakerVolume(r.perp_taker)));
            if let (Some(id), Some(t)) = (spot, r.spot_taker) {
                events.push(ev(r.ts, id, EventBody::TakerVolume(t)));
            }
        }
        for (ts, bands) in snapshots {
            for band in bands {
                events.push(ev(ts, perp, EventBody::DepthBand(band)));
            }
        }
        // Stable: equal times keep the push order above.
        events.sort_by_key(|e| e.ts);

        Reconstruction {
            description: self.reconstruction_label(),
            scenario_id: self.id.clone(),
            seed,
            instruments,
            perp,
            spot,
            plan,
            events,
        }
    }
}
