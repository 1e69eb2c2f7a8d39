//! Impact mode: forced orders walk the recorded depth and move the mark; the cascade is
//! resolved round by round to a fixed point, deterministically, and reported.

use crate::support::*;
use cascade_crowd::{
    cascade_report, CrowdConfig, CushionDist, LeverageDist, LeverageWeight, Mode, RatioFollow,
    SizeDist,
};
use cascade_types::*;

fn config(mode: Mode) -> CrowdConfig {
    CrowdConfig {
        mode,
        seed: 21,
        leverage: LeverageDist::Discrete {
            levels: [25, 50, 100]
                .iter()
                .map(|&leverage| LeverageWeight {
                    leverage,
                    weight: 1.0,
                })
                .collect(),
        },
        cushion: CushionDist::Fixed { fraction: 0.0 },
        size: SizeDist::Fixed { notional: 30_000.0 },
        ratio_source: RatioFollow::Fixed,
        initial_spread_bps: 150,
        max_rounds: 12,
        ..CrowdConfig::default()
    }
}

/// A thin book: 1 BTC at the top, 3 within 1 %, 6 within 2 %, 12 within 5 %.
fn book(sim: &mut Sim, bid: &str) {
    let bid = p(bid);
    let ask = bid + p("0.1");
    sim.event(EventBody::BookTop(BookTop {
        bid_price: bid,
        bid_qty: Qty::from_int(1),
        ask_price: ask,
        ask_qty: Qty::from_int(1),
    }));
    for (bps, qty) in [(100, 3), (200, 6), (500, 12)] {
        for sign in [-1, 1] {
            sim.event(EventBody::DepthBand(DepthBand {
                band_bps: sign * bps,
                qty: Qty::from_int(qty),
                notional: bid.notional(Qty::from_int(qty), Rounding::Down),
            }));
        }
    }
}

fn run(mode: Mode) -> Sim {
    let (rules, inst) = binance_btc();
    let mut sim = Sim::new(rules, inst, config(mode));
    sim.seed_fund("1000000");
    book(&mut sim, "59999.9");
    sim.mark("60000");
    let mut out = Vec::new();
    sim.crowd
        .seed_spread(&mut sim.ex, q("30"), p("60000"), &mut out)
        .unwrap();
    assert!(out.is_empty(), "a starting book survives its own mark");
    sim.show_heatmap();
    sim.wait(1);
    book(&mut sim, "59399.9");
    sim.mark("59400");
    sim
}

#[test]
fn a_small_drop_cascades_round_by_round() {
    let sim = run(Mode::Impact);
    let replay = run(Mode::Replay);
    let r = sim.crowd.record();
    let deep = r
        .instants
        .iter()
        .max_by_key(|i| i.rounds.len())
        .expect("an instant");
    assert!(deep.rounds.len() >= 3, "{deep:?}");
    // Each round pushes the mark further down, never up.
    for w in deep.rounds.windows(2) {
        assert!(w[1].price < w[0].price, "{w:?}");
    }
    assert!(deep.rounds.len() as u32 <= 1 + sim.crowd.config().max_rounds);
    // Replay keeps the recorded price: fewer liquidations.
    let (n_impact, n_replay) = (
        r.liquidations.len(),
        replay.crowd.record().liquidations.len(),
    );
    assert!(n_impact > n_replay, "{n_impact} vs {n_replay}");
    // The cascade's shape is the crowd's: the impact prices, who is liquidated in which
    // round. (Fill prices and so the fund come from the exchange's book walk; the full
    // report is checked for determinism below.)
    let mut text = String::new();
    for r in &deep.rounds {
        text.push_str(&format!(
            "round {}: mark {} | {} liquidations, long {} short {} | ADL {}\n",
            r.round, r.price, r.liquidations, r.long_qty, r.short_qty, r.adl_fills
        ));
    }
    text.push_str(&format!(
        "replay mode: {n_replay} liquidations at the recorded price only\n"
    ));
    assert!(cascade_report(r, 5).contains("with impact rounds (deepest 4 rounds"));
    insta::assert_snapshot!(text);
}

#[test]
fn the_cascade_is_deterministic() {
    let a = cascade_report(run(Mode::Impact).crowd.record(), 100);
    let b = cascade_report(run(Mode::Impact).crowd.record(), 100);
    assert_eq!(a, b);
}
