//! The reconstruction's market behaves like a crash: the stream is ordered and well formed,
//! sellers aggress, bid depth thins, the spot basis widens, open interest flushes, and
//! liquidations cluster in the crash window.

use crate::common::*;
use cascade_types::{BarSource, EventBody, EventKind, Qty, Ts};

#[test]
fn events_are_sorted_and_inside_the_window() {
    for (s, r) in catalogue() {
        let w = s.window;
        assert!(
            r.events.windows(2).all(|p| p[0].ts <= p[1].ts),
            "{}: unsorted",
            s.id
        );
        for e in &r.events {
            let ok = match e.kind() {
                EventKind::DepthBand => e.ts >= w.start && e.ts < w.end,
                _ => e.ts > w.start && e.ts <= w.end,
            };
            assert!(ok, "{}: {e} outside the window", s.id);
            assert!(e.instrument.index() < r.instruments.len());
        }
    }
}

#[test]
fn bars_are_well_formed() {
    for (s, r) in catalogue() {
        for id in std::iter::once(r.perp).chain(r.spot) {
            for b in bars(r, id, BarSource::Last) {
                let ok = b.low <= b.open.min_of(b.close)
                    && b.high >= b.open.max_of(b.close)
                    && b.low.is_positive()
                    && b.volume.is_positive()
                    && b.taker_buy_volume <= b.volume
                    && b.trades > 0;
                assert!(ok, "{}: bad bar {b:?}", s.id);
            }
        }
    }
}

/// Share of taker buying over bars opening in `[from, to)`.
fn taker_buy_share(
    r: &cascade_scenario::Reconstruction,
    id: cascade_types::InstrumentId,
    from: cascade_types::Ts,
    to: cascade_types::Ts,
) -> f64 {
    let bs: Vec<_> = bars(r, id, BarSource::Last)
        .into_iter()
        .filter(|b| b.open_time >= from && b.open_time < to)
        .collect();
    let buy: Qty = bs.iter().map(|b| b.taker_buy_volume).sum();
    let vol: Qty = bs.iter().map(|b| b.volume).sum();
    buy.to_f64() / vol.to_f64()
}

#[test]
fn sellers_aggress_into_the_low_and_spot_sells_less() {
    for (s, r) in catalogue() {
        let p = &r.plan;
        let into_low = taker_buy_share(r, r.perp, p.crash_start.at, p.low.bar_open);
        let before = taker_buy_share(r, r.perp, s.window.start, p.crash_start.at);
        assert!(
            into_low < 0.42 && before > 0.45,
            "{}: taker-buy share {before:.3} before, {into_low:.3} into the low",
            s.id
        );
        let spot = taker_buy_share(r, r.spot.unwrap(), p.crash_start.at, p.low.bar_open);
        assert!(
            spot > into_low,
            "{}: spot {spot:.3} vs perp {into_low:.3}",
            s.id
        );
    }
}

#[test]
fn bid_depth_thins_and_the_spot_basis_widens_at_the_low() {
    for (s, r) in catalogue() {
        let p = &r.plan;
        let bid5 = |t| {
            r.events
                .iter()
                .find_map(|e| match e.body {
                    EventBody::DepthBand(d) if e.ts == t && d.band_bps == -500 => {
                        Some(d.notional.to_f64())
                    }
                    _ => None,
                })
                .unwrap()
        };
        let at_low = p.low.bar_open.plus_nanos(30_000_000_000);
        assert!(
            bid5(at_low) < 0.5 * bid5(p.crash_start.at),
            "{}: bids within 5 % did not thin",
            s.id
        );
        let close_at = |id, t| {
            bar_closing_at(&bars(r, id, BarSource::Last), p.bar_interval_s, t)
                .unwrap()
                .close
                .to_f64()
        };
        let low_close = p.low.bar_open.plus_secs(i64::from(p.bar_interval_s));
        let basis = |t| close_at(r.spot.unwrap(), t) / close_at(r.perp, t) - 1.0;
        assert!(
            basis(low_close) > basis(p.crash_start.at),
            "{}: spot basis did not widen",
            s.id
        );
    }
}

#[test]
fn most_liquidations_fall_in_the_crash_and_open_interest_falls_with_them() {
    for (s, r) in catalogue() {
        let spec = &r.instruments[r.perp.index()];
        let liqs = liquidations(r);
        let total: f64 = liqs
            .iter()
            .map(|(_, l)| cascade_scenario::liquidation_notional(spec, l).to_f64())
            .sum();
        let crash: f64 = liqs
            .iter()
            .filter(|(t, _)| {
                *t > s.crash_window.start && *t <= s.crash_window.end.plus_nanos(Ts::NANOS_PER_HOUR)
            })
            .map(|(_, l)| cascade_scenario::liquidation_notional(spec, l).to_f64())
            .sum();
        assert!(
            crash > 0.5 * total,
            "{}: only {:.0} % of liquidations in the crash",
            s.id,
            100.0 * crash / total
        );
        let oi = select(r, r.perp, |b| match b {
            EventBody::OpenInterest(x) => Some(x.qty),
            _ => None,
        });
        let at_cs = oi
            .iter()
            .find(|(t, _)| *t == r.plan.crash_start.at)
            .unwrap()
            .1;
        let peak = oi.iter().map(|x| x.1).max().unwrap();
        assert!(
            oi.last().unwrap().1 < at_cs && oi[0].1 < at_cs,
            "{}: open interest does not build up and flush",
            s.id
        );
        assert!(
            peak <= at_cs.mul_rate(
                cascade_types::Rate::from_raw(100_100_000),
                cascade_types::Rounding::Up
            )
        );
    }
}

#[test]
fn every_reconstruction_is_labelled() {
    for (s, r) in catalogue() {
        assert_eq!(
            r.description,
            format!(
                "reconstruction (synthetic, seed {}) of {} from published figures",
                s.generator.seed, s.title
            )
        );
    }
}
