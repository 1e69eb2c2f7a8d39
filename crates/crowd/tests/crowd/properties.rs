//! Random markets through the crowd, both modes, every closing rule: the exchange invariants
//! (money conserved, long OI = short OI, no negative balance, complete liquidation index)
//! and the crowd's own consistency hold after every event; and the same inputs give the same
//! record, bit for bit.

use crate::support::*;
use cascade_crowd::{
    replay_with, ClosingRule, Crowd, CrowdConfig, CushionDist, LeverageDist, Mode, SizeDist,
};
use cascade_exchange::{check_invariants, Exchange};
use cascade_types::*;
use proptest::prelude::*;

/// A market: a random walk with jumps, a book around it, depth bands, open interest and
/// long/short ratio every few steps, trades for the volume-weighted price.
fn market(seed: u64, steps: usize) -> Vec<Event> {
    let mut r = cascade_crowd::Rng::stream(seed, "market");
    let t0 = day("2025-01-01T00:00:00Z");
    let i = InstrumentId(0);
    let mut v = Vec::new();
    let mut price = 60_000.0f64;
    let mut oi = 20.0f64;
    for k in 0..steps {
        let ts = t0.plus_secs(k as i64);
        let jump = if r.uniform() < 0.05 { -0.03 } else { 0.0 };
        price *= 1.0 + 0.004 * (r.uniform() - 0.5) + jump;
        let px = Price::from_raw((price * 10.0).round() as i64 * 10_000_000);
        let ev = |body| Event {
            ts,
            instrument: i,
            body,
        };
        v.push(ev(EventBody::BookTop(BookTop {
            bid_price: px - Price::from_raw(10_000_000),
            bid_qty: Qty::from_int(2),
            ask_price: px,
            ask_qty: Qty::from_int(2),
        })));
        for (bps, q) in [(-100, 5), (-500, 12), (100, 5), (500, 12)] {
            v.push(ev(EventBody::DepthBand(DepthBand {
                band_bps: bps,
                qty: Qty::from_int(q),
                notional: px.notional(Qty::from_int(q), Rounding::Down),
            })));
        }
        v.push(ev(EventBody::Trade(Trade {
            price: px,
            qty: Qty::from_raw(1 + (r.next_u64() % 100_000_000) as i64),
            aggressor: Side::Buy,
            trade_id: k as u64,
        })));
        v.push(ev(EventBody::MarkPrice(px)));
        if k % 5 == 4 {
            oi = (oi * (1.0 + 0.3 * (r.uniform() - 0.45))).max(1.0);
            v.push(ev(EventBody::OpenInterest(OpenInterest {
                qty: Qty::from_raw((oi * 1e5).round() as i64 * 1_000),
                value: Money::ZERO,
            })));
        }
        if k % 7 == 6 {
            v.push(ev(EventBody::LongShortRatio(LongShortRatio {
                source: RatioSource::Global,
                ratio: Rate::from_raw((50_000_000.0 + 150_000_000.0 * r.uniform()) as i64),
            })));
        }
    }
    v
}

fn config(seed: u64, mode: Mode, closing: ClosingRule, fees: bool) -> CrowdConfig {
    CrowdConfig {
        seed,
        mode,
        closing,
        pay_fees: fees,
        leverage: LeverageDist::LogNormal {
            median: 25.0,
            sigma: 0.8,
            max: 125,
        },
        cushion: CushionDist::Uniform { lo: 0.0, hi: 0.6 },
        size: SizeDist::LogNormal {
            median: 20_000.0,
            sigma: 1.0,
            min: 100.0,
            max: 400_000.0,
        },
        initial_spread_bps: 200,
        max_rounds: 6,
        fidelity_interval_s: 10,
        ..CrowdConfig::default()
    }
}

/// Runs a market with every check after every event; returns a digest of the record.
fn run(cfg: CrowdConfig, events: &[Event]) -> u64 {
    let (rules, inst) = binance_btc();
    let mut ex = Exchange::new(rules, inst).unwrap();
    ex.seed_insurance_fund(0, Money::from_int(500));
    let mut crowd = Crowd::new(cfg, &ex).unwrap();
    let mut checked = 0;
    let run = replay_with(&mut ex, &mut crowd, events.iter().copied(), |ex, ev, _| {
        check_invariants(ex).unwrap_or_else(|e| panic!("after {ev}: {e}"));
        checked += 1;
    });
    crowd.check_consistency(&ex).unwrap();
    assert_eq!(checked, events.len());
    let r = crowd.record();
    if std::env::var_os("CROWD_DEBUG").is_some() {
        eprintln!(
            "liqs {} adl {} instants {} deepest {} stats {:?}",
            r.liquidations.len(),
            r.adl.len(),
            r.instants.len(),
            r.max_rounds(),
            r.stats
        );
    }
    let text = format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        r.liquidations, r.adl, r.fund, r.instants, r.stats, run
    );
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    #[test]
    fn invariants_hold_after_every_event(
        seed in 0u64..1_000,
        impact in any::<bool>(),
        closing in 0usize..3,
        fees in any::<bool>(),
    ) {
        let mode = if impact { Mode::Impact } else { Mode::Replay };
        let closing = [ClosingRule::Oldest, ClosingRule::Newest, ClosingRule::ProRata][closing];
        let events = market(seed, 120);
        run(config(seed, mode, closing, fees), &events);
    }
}

#[test]
fn the_same_inputs_give_the_same_record() {
    let events = market(11, 150);
    for mode in [Mode::Replay, Mode::Impact] {
        let a = run(config(5, mode, ClosingRule::ProRata, true), &events);
        let b = run(config(5, mode, ClosingRule::ProRata, true), &events);
        assert_eq!(a, b, "{mode:?}");
        let c = run(config(6, mode, ClosingRule::ProRata, true), &events);
        assert_ne!(a, c, "another seed draws another crowd");
    }
}
