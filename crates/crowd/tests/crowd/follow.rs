//! Following recorded open interest: openings at the interval's volume-weighted price, the
//! long/short split, the closing rules, fees.

use crate::support::*;
use cascade_crowd::{
    ClosingRule, CrowdConfig, CushionDist, LeverageDist, LeverageWeight, RatioFollow, SizeDist,
};
use cascade_types::*;
use std::fmt::Write;

fn config(closing: ClosingRule) -> CrowdConfig {
    CrowdConfig {
        seed: 3,
        leverage: LeverageDist::Discrete {
            levels: vec![
                LeverageWeight {
                    leverage: 10,
                    weight: 1.0,
                },
                LeverageWeight {
                    leverage: 20,
                    weight: 1.0,
                },
            ],
        },
        cushion: CushionDist::Fixed { fraction: 0.5 },
        size: SizeDist::Fixed { notional: 6_000.0 },
        long_short_ratio: 2.0,
        ratio_source: RatioFollow::Global,
        closing,
        ..CrowdConfig::default()
    }
}

/// Every crowd position: account, quantity, entry, leverage, liquidation price.
fn positions(sim: &Sim) -> String {
    let mut s = String::new();
    for a in 1..sim.ex.account_count() as u32 {
        let a = AccountId(a);
        if !sim.crowd.is_crowd(a) {
            continue;
        }
        match sim.ex.position(a, InstrumentId(0)) {
            Some(p) => writeln!(
                s,
                "  {a}: {} @ {} {}x liq {} wallet {}",
                p.qty,
                p.entry,
                p.leverage,
                p.liquidation_price.map_or("none".into(), |x| x.to_string()),
                sim.ex.account(a).wallet
            )
            .unwrap(),
            None => writeln!(s, "  {a}: flat, wallet {}", sim.ex.account(a).wallet).unwrap(),
        }
    }
    s
}

fn run(closing: ClosingRule) -> String {
    let (rules, inst) = binance_btc();
    let mut sim = Sim::new(rules, inst, config(closing));
    sim.book("59999.9", "60000", "50");
    sim.mark("60000");
    // VWAP of the first interval: (0.3 × 60,000 + 0.1 × 60,400) / 0.4 = 60,100.
    sim.trade("60000", "0.3");
    sim.trade("60400", "0.1");
    // OI 1 BTC, ratio 2: longs hold 1, shorts 0.5; 0.1-BTC positions (6,000 / 60,100 → 0.099).
    sim.open_interest("1");
    let mut log = sim.summary();
    log.push_str(&positions(&sim));
    // The ratio flips: shorts are now the crowded side.
    sim.event(EventBody::LongShortRatio(LongShortRatio {
        source: RatioSource::Global,
        ratio: "0.5".parse().unwrap(),
    }));
    sim.trade("61000", "1");
    sim.open_interest("0.6");
    log.push_str(&sim.summary());
    log.push_str(&positions(&sim));
    let st = sim.crowd.record().stats;
    writeln!(log, "= stats {st:?}").unwrap();
    log
}

#[test]
fn follows_open_interest_oldest_first() {
    insta::assert_snapshot!(run(ClosingRule::Oldest));
}

#[test]
fn closing_rules_choose_different_positions() {
    let newest = run(ClosingRule::Newest);
    let pro_rata = run(ClosingRule::ProRata);
    let oldest = run(ClosingRule::Oldest);
    // Same openings, different survivors.
    let head = |s: &str| {
        s.split("long_short_ratio Global")
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(head(&newest), head(&oldest));
    assert_eq!(head(&pro_rata), head(&oldest));
    assert_ne!(newest, oldest);
    assert_ne!(pro_rata, oldest);
    insta::assert_snapshot!(
        "newest",
        newest.split("long_short_ratio Global").nth(1).unwrap()
    );
    insta::assert_snapshot!(
        "pro_rata",
        pro_rata.split("long_short_ratio Global").nth(1).unwrap()
    );
}
