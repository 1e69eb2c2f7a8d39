//! Impact mode on the real 2025-10-10 BTCUSDT data (1-minute klines, `bookDepth` bands every
//! ~30 s, 5-minute mark-price klines) in `../shared/data` (`CASCADE_DATA_DIR` overrides):
//! the cascade report is produced, it is deterministic, and its liquidation volume in the
//! 20:50–21:30 window is reported next to the published figures (MECHANICS.md B1). Skipped,
//! with a printed reason, when the data is absent.
//!
//! The log has no open interest, so the crowd starts from a book (`seed_spread`) at the
//! first mark of the window, sized by the published figure: Binance BTC futures open
//! interest ≈ $16B before the crash (B1). Assumptions of this run, not facts: a long/short
//! ratio of 1.5 (a crowded long book), leverage lognormal (median 10, σ 0.7), cushions
//! uniform 0–150 % of the initial margin, positions lognormal around $150k, entries within
//! ±5 % of the first mark (118,043), and a $500M insurance fund. There are no recorded
//! BTCUSDT liquidations in the data to calibrate against, and the modelled total is very
//! sensitive to the leverage assumption (median 5 / 10 / 20 → about $2.3B / $6.6B / $12.5B
//! in the window). The recorded mark is 5-minute klines, so liquidations happen at 5-minute
//! steps. Set `CROWD_REPORT_OUT=<dir>` to write the
//! report and the heatmap picture there.

use cascade_crowd::{
    cascade_report, fidelity_table, heatmap_svg, replay, Crowd, CrowdConfig, CushionDist,
    HeatmapConfig, LeverageDist, Mode, Published, RatioFollow, Scope, SizeDist,
};
use cascade_exchange::{check_invariants, Exchange, InstrumentConfig, VenueRules};
use cascade_import::{open, ImportOptions, InstrumentTable};
use cascade_types::*;
use std::path::{Path, PathBuf};

fn data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("CASCADE_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    dir.is_dir().then_some(dir)
}

fn t(s: &str) -> Ts {
    Ts::parse_utc(s).unwrap()
}

/// The three files' events within the window, merged by time (stable: file order at ties).
fn load(data: &Path) -> Result<Vec<Event>, String> {
    let files = [
        "binance-um-klines-1m/BTCUSDT-1m-2025-10.slice_20251010T1707-2343Z.csv",
        "binance-2025-10-10/timeline/BTCUSDT-bookDepth-2025-10-10.csv",
        "binance-2025-10-10/markprice_5m_um/BTCUSDT-5m-2025-10-10.zip",
    ];
    let (from, to) = (t("2025-10-10T17:00:00Z"), t("2025-10-10T23:45:00Z"));
    let mut table = InstrumentTable::infer();
    let mut events = Vec::new();
    for f in files {
        let path = data.join(f);
        if !path.exists() {
            return Err(format!("{} is missing", path.display()));
        }
        for ev in open(&path, &ImportOptions::default(), &mut table).map_err(|e| e.to_string())? {
            let ev = ev.map_err(|e| e.to_string())?;
            if ev.ts >= from && ev.ts < to {
                events.push(ev);
            }
        }
    }
    assert_eq!(table.specs().len(), 1, "one instrument: BTCUSDT");
    events.sort_by_key(|e| e.ts);
    Ok(events)
}

fn config() -> CrowdConfig {
    CrowdConfig {
        mode: Mode::Impact,
        seed: 1010,
        leverage: LeverageDist::LogNormal {
            median: 10.0,
            sigma: 0.7,
            max: 125,
        },
        cushion: CushionDist::Uniform { lo: 0.0, hi: 1.5 },
        size: SizeDist::LogNormal {
            median: 150_000.0,
            sigma: 1.0,
            min: 1_000.0,
            max: 20_000_000.0,
        },
        long_short_ratio: 1.5,
        ratio_source: RatioFollow::Fixed,
        initial_spread_bps: 500,
        max_rounds: 20,
        fidelity_interval_s: 300,
        heatmap: HeatmapConfig {
            bucket_bps: 10,
            snapshot_every_s: 300,
            ..HeatmapConfig::default()
        },
        ..CrowdConfig::default()
    }
}

fn published() -> Vec<Published> {
    vec![
        Published {
            label: "cascade, first 40 min, all venues and coins".into(),
            from: t("2025-10-10T20:50:00Z"),
            to: t("2025-10-10T21:30:00Z"),
            value: Money::from_int(6_930_000_000),
            scope: Scope::Total,
            source: "Amberdata via several pages (MECHANICS.md B1, M)".into(),
        },
        Published {
            label: "peak minute 21:15, all venues and coins".into(),
            from: t("2025-10-10T21:15:00Z"),
            to: t("2025-10-10T21:16:00Z"),
            value: Money::from_int(3_210_000_000),
            scope: Scope::Total,
            source: "Amberdata via several pages (MECHANICS.md B1, M)".into(),
        },
        Published {
            label: "Binance, 24 h, all coins (undercounted)".into(),
            from: t("2025-10-10T00:00:00Z"),
            to: t("2025-10-11T00:00:00Z"),
            value: Money::from_int(2_400_000_000),
            scope: Scope::Total,
            source: "CoinGlass by venue (MECHANICS.md B1, M)".into(),
        },
    ]
}

/// One full run: the report text and a digest of everything recorded.
fn run(events: &[Event]) -> (String, String, u64) {
    let date = t("2025-10-10");
    let mut btc = InstrumentConfig::binance_usdm("BTCUSDT", date).unwrap();
    btc.spec.lot = "0.001".parse().unwrap();
    btc.spec.tick = "0.1".parse().unwrap();
    let mut ex = Exchange::new(VenueRules::binance_usdm(date), vec![btc]).unwrap();
    ex.seed_insurance_fund(0, Money::from_int(500_000_000));
    let mut crowd = Crowd::new(config(), &ex).unwrap();
    // Warm up to the first kline (marks and depth), then seed the starting book at the mark.
    let first_bar = events
        .iter()
        .position(|e| matches!(e.body, EventBody::Bar(b) if b.source == BarSource::Last))
        .expect("klines");
    replay(&mut ex, &mut crowd, events[..=first_bar].iter().copied());
    let mark = ex
        .mark_price(InstrumentId(0))
        .expect("a mark before the first kline");
    let oi = Money::from_int(16_000_000_000)
        .per_price(mark, Rounding::Down)
        .unwrap();
    let mut out = Vec::new();
    crowd.seed_spread(&mut ex, oi, mark, &mut out).unwrap();
    let run = replay(&mut ex, &mut crowd, events[first_bar + 1..].iter().copied());
    check_invariants(&ex).unwrap();
    crowd.check_consistency(&ex).unwrap();
    let r = crowd.record();
    let (l, s) = r.liquidated_between(t("2025-10-10T20:50:00Z"), t("2025-10-10T21:30:00Z"));
    let mut text = format!(
        "10/10 BTCUSDT, impact mode: {} events, starting book {} BTC at mark {mark} ({} positions), {}\n\
         modelled liquidations 20:50–21:30: longs {}, shorts {}, total {}\n",
        run.events,
        oi,
        crowd.positions_opened(),
        crowd.manifest(),
        l,
        s,
        l + s
    );
    text.push_str(&cascade_report(r, 12));
    text.push_str(&fidelity_table(r, 300, None, &published()).render());
    let svg = heatmap_svg(
        r,
        "crowd liquidation heatmap, BTCUSDT 2025-10-10 (impact mode)",
        1100,
        640,
    );
    let digest = format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}",
        r.liquidations, r.adl, r.fund, r.instants, r.stats
    );
    (text, svg, xxhash_rust::xxh3::xxh3_64(digest.as_bytes()))
}

#[test]
fn impact_mode_on_the_10_10_crash() {
    let Some(data) = data_dir() else {
        println!("skipped: no real data (set CASCADE_DATA_DIR or put ../shared/data beside the checkout)");
        return;
    };
    let events = match load(&data) {
        Ok(e) => e,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let (report, svg, digest) = run(&events);
    println!("{report}");
    // Deterministic: a second run from scratch gives the same report, picture and record.
    let again = run(&events);
    assert_eq!((&report, &svg, digest), (&again.0, &again.1, again.2));
    assert!(report.contains("with impact rounds"), "{report}");
    assert!(report.contains("cascade, first 40 min"), "{report}");
    if let Some(dir) = std::env::var_os("CROWD_REPORT_OUT") {
        let dir = PathBuf::from(dir);
        std::fs::write(dir.join("crowd-10-10-report.txt"), &report).unwrap();
        std::fs::write(
            dir.join("crowd-10-10-heatmap.html"),
            format!("<html><body>{svg}</body></html>"),
        )
        .unwrap();
    }
}
