//! The outputs people read: the fidelity table (modelled against recorded and published
//! liquidations), the heatmap picture, the manifest.

use crate::support::*;
use cascade_crowd::{
    fidelity_table, heatmap_csv, heatmap_svg, liquidations_csv, replay, Crowd, CrowdConfig,
    HeatmapConfig, LeverageDist, Published, Scope, SizeDist,
};
use cascade_exchange::Exchange;
use cascade_types::*;

/// A 10-minute slide from 60,000 to 54,000 with a book, depth and recorded liquidations
/// (a forced sell of 0.5 BTC every 20 s once below 58,000).
fn slide() -> Vec<Event> {
    let t0 = day("2025-01-01T00:00:00Z");
    let i = InstrumentId(0);
    let mut v = Vec::new();
    for s in 0..=600i64 {
        let ts = t0.plus_secs(s);
        let px = Price::from_int(60_000 - 10 * s);
        let ev = |body| Event {
            ts,
            instrument: i,
            body,
        };
        v.push(ev(EventBody::BookTop(BookTop {
            bid_price: px - Price::from_raw(10_000_000),
            bid_qty: Qty::from_int(5),
            ask_price: px,
            ask_qty: Qty::from_int(5),
        })));
        v.push(ev(EventBody::DepthBand(DepthBand {
            band_bps: -100,
            qty: Qty::from_int(40),
            notional: px.notional(Qty::from_int(40), Rounding::Down),
        })));
        v.push(ev(EventBody::Trade(Trade {
            price: px,
            qty: Qty::ONE,
            aggressor: Side::Sell,
            trade_id: s as u64,
        })));
        v.push(ev(EventBody::MarkPrice(px)));
        if px < Price::from_int(58_000) && s % 20 == 0 {
            v.push(ev(EventBody::Liquidation(Liquidation {
                side: Side::Sell,
                price: px,
                qty: "0.5".parse().unwrap(),
            })));
        }
    }
    v
}

fn crowd_run() -> (Exchange, Crowd) {
    let (rules, inst) = binance_btc();
    let mut ex = Exchange::new(rules, inst).unwrap();
    ex.seed_insurance_fund(0, Money::from_int(100_000));
    let mut out = Vec::new();
    let events = slide();
    for ev in &events[..4] {
        ex.on_market(ev, &mut out);
    }
    let cfg = CrowdConfig {
        seed: 4,
        leverage: LeverageDist::LogNormal {
            median: 20.0,
            sigma: 0.7,
            max: 125,
        },
        size: SizeDist::LogNormal {
            median: 20_000.0,
            sigma: 1.0,
            min: 500.0,
            max: 500_000.0,
        },
        initial_spread_bps: 400,
        fidelity_interval_s: 60,
        heatmap: HeatmapConfig {
            snapshot_every_s: 30,
            ..HeatmapConfig::default()
        },
        ..CrowdConfig::default()
    };
    let mut crowd = Crowd::new(cfg, &ex).unwrap();
    crowd
        .seed_spread(
            &mut ex,
            Qty::from_int(200),
            Price::from_int(60_000),
            &mut out,
        )
        .unwrap();
    replay(&mut ex, &mut crowd, events.into_iter().skip(4));
    (ex, crowd)
}

#[test]
fn fidelity_table_against_recorded_and_published() {
    let (_, crowd) = crowd_run();
    let published = [
        Published {
            label: "whole slide".into(),
            from: day("2025-01-01T00:00:00Z"),
            to: day("2025-01-01T00:10:01Z"),
            value: Money::from_int(2_000_000),
            scope: Scope::Total,
            source: "a made-up figure for the test".into(),
        },
        Published {
            label: "longs, last 5 minutes".into(),
            from: day("2025-01-01T00:05:00Z"),
            to: day("2025-01-01T00:10:01Z"),
            value: Money::from_int(1_000_000),
            scope: Scope::Longs,
            source: "another made-up figure".into(),
        },
    ];
    let t = fidelity_table(crowd.record(), 60, None, &published);
    // Recorded: 0.5 BTC every 20 s below 58,000 (from 201 s on).
    assert_eq!(t.totals.recorded_count, 20);
    let loss = t.loss().unwrap();
    assert!((0.0..=1.0).contains(&loss));
    insta::assert_snapshot!(t.render());
}

#[test]
fn the_heatmap_picture_is_a_self_contained_svg() {
    let (_, crowd) = crowd_run();
    let r = crowd.record();
    assert!(r.snapshots.len() >= 20);
    let svg = heatmap_svg(r, "crowd heatmap: a 10 % slide", 1000, 600);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(svg.matches("<rect").count() > 100, "cells drawn");
    assert!(svg.contains("<polyline"), "the mark");
    assert!(svg.contains("<circle"), "liquidation instants");
    for bad in ["NaN", "inf", "href", "<script"] {
        assert!(!svg.contains(bad), "{bad}");
    }
    // Same record, same picture.
    assert_eq!(
        svg,
        heatmap_svg(r, "crowd heatmap: a 10 % slide", 1000, 600)
    );
    if let Some(path) = std::env::var_os("CROWD_SVG_OUT") {
        std::fs::write(path, format!("<html><body>{svg}</body></html>")).unwrap();
    }
    // Nothing to draw: a note, still an svg.
    let empty = heatmap_svg(&Default::default(), "empty", 400, 300);
    assert!(empty.contains("no heatmap snapshots") && empty.trim_end().ends_with("</svg>"));
}

#[test]
fn the_manifest_names_seed_and_draws() {
    let (_, crowd) = crowd_run();
    let m = crowd.manifest();
    assert_eq!(m.seed, 4);
    let text = m.to_string();
    assert!(
        text.starts_with("crowd seed 4 (SplitMix64 streams; draws: leverage "),
        "{text}"
    );
    assert!(m.draws.iter().all(|&(_, n)| n > 0), "{text}");
    assert_eq!(
        CrowdConfig::from_toml(&m.config_toml).unwrap(),
        *crowd.config()
    );
}

#[test]
fn the_documented_config_example_reads() {
    let c = CrowdConfig::from_toml(
        "mode = \"impact\"\nseed = 42\nlong_short_ratio = 1.5\n\n[leverage]\nkind = \"log_normal\"\nmedian = 20.0\nsigma = 0.7\nmax = 125\n",
    )
    .unwrap();
    assert_eq!(c.seed, 42);
}

#[test]
fn the_data_behind_the_picture_as_csv() {
    let (_, crowd) = crowd_run();
    let r = crowd.record();
    let heat = heatmap_csv(r);
    let rows: usize = r.snapshots.iter().map(|s| s.buckets.len()).sum();
    assert_eq!(heat.lines().count(), rows + 1);
    assert_eq!(
        heat.lines().next(),
        Some("ts,mark,bucket_price,long_notional,short_notional")
    );
    let liqs = liquidations_csv(r);
    assert_eq!(liqs.lines().count(), r.liquidations.len() + 1);
    let first = liqs.lines().nth(1).unwrap();
    assert!(first.starts_with("2025-01-01T00:0"), "{first}");
    assert_eq!(first.split(',').count(), 9, "{first}");
}
