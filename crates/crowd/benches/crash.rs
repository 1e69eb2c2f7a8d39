//! A crowd of `n` positions through a 20 % crash replayed at one-second marks, liquidations
//! and ADL included.
//!
//! Run with:
//!
//! ```text
//! CARGO_TARGET_DIR=/work/targets/crowd cargo bench -p cascade-crowd --bench crash
//! CARGO_TARGET_DIR=/work/targets/crowd cargo bench -p cascade-crowd --bench crash -- 1000000
//! ```
//!
//! (the optional arguments choose the sizes; the default is 10k, 100k and 1M).
//!
//! Workload (synthetic, deterministic: the crowd's own seeded draws, no data files):
//!
//! - **Venue.** Binance USDⓈ-M as of 2024-08-05 (tier table, 0.3 % BTCUSDT clearance fee,
//!   bracket-stepping partial liquidation, ADL when the fund cannot cover, bankruptcy-price
//!   ADL) on BTCUSDT with lot 0.001 and tick 0.1; ADL queue re-ranked every 30 s of simulated
//!   time (`queue_refresh_s = 30`, Binance's published quantile cadence). Insurance fund
//!   seeded with $2 per crowd position ($2M for a million), so every size drains it at the
//!   same point of the crash and goes to ADL.
//! - **Crowd.** A starting book of about `n` positions ([`Crowd::seed_spread`]): cross margin,
//!   notional lognormal (median $10k, σ 1, $100–$1M), leverage lognormal (median 20, σ 0.8,
//!   ≤ 125, capped by the bracket), cushion uniform 0–100 % of the initial margin, entries
//!   spread ±3 % around 60,000, long/short ratio 1.2 (longs hold the crowd's whole share).
//! - **Crash.** 960 one-second steps of a book top (bid 0.1 below ask), `bookDepth` bands
//!   (±1 %, ±2 %, ±5 %) and a recorded mark, falling from 60,000 to 48,000 (−20 %) along a
//!   straight line in 900 s with a deterministic ±0.05 % wiggle and three one-second gaps of
//!   −2 %, −4 % and −3 % (at 300, 450 and 600 s) that recover by halves every 5 s; then 60 s
//!   flat. Depth is in proportion to `n` — at a million positions 40 BTC at the top and 600,
//!   1,500 and 4,000 BTC within 1, 2 and 5 % — so every size sees the same crash. The gaps
//!   jump bankruptcy prices: deficits drain the fund and ADL follows.
//!
//! Reported per size, over three repeats (minimum and median): seeding time (building the
//! book: accounts, positions, index, heatmap), crash time (7,680 events through
//! `Exchange::on_market` + `Crowd::on_event`, with the CPU time of the thread beside it — the
//! box is shared), their sum, the counts (positions, liquidations, ADL fills, fund), and peak
//! resident memory (VmHWM, reset before each repeat). Timing uses the wall clock, allowed
//! here: it is reported, never part of a result. After the timing, `check_invariants` audits
//! the final state.

use cascade_benches::{kib, machine_description, with_peak_rss, Stopwatch};
use cascade_crowd::{replay, Crowd, CrowdConfig, CushionDist, LeverageDist, RatioFollow, SizeDist};
use cascade_exchange::{check_invariants, Exchange, InstrumentConfig, VenueRules};
use cascade_types::*;

fn exchange(n: usize) -> Exchange {
    let date = Ts::parse_utc("2024-08-05").unwrap();
    let mut btc = InstrumentConfig::binance_usdm("BTCUSDT", date).unwrap();
    btc.spec.lot = "0.001".parse().unwrap();
    btc.spec.tick = "0.1".parse().unwrap();
    let mut rules = VenueRules::binance_usdm(date);
    rules.adl.queue_refresh_s = 30;
    let mut ex = Exchange::new(rules, vec![btc]).unwrap();
    // $2 of insurance fund per crowd position: $2M for a million, so the fund drains (and ADL
    // starts) at the same point of the crash whatever the size.
    ex.seed_insurance_fund(0, Money::from_int(2 * n as i64));
    ex
}

fn config() -> CrowdConfig {
    CrowdConfig {
        seed: 7,
        leverage: LeverageDist::LogNormal {
            median: 20.0,
            sigma: 0.8,
            max: 125,
        },
        cushion: CushionDist::Uniform { lo: 0.0, hi: 1.0 },
        size: SizeDist::LogNormal {
            median: 10_000.0,
            sigma: 1.0,
            min: 100.0,
            max: 1_000_000.0,
        },
        long_short_ratio: 1.2,
        ratio_source: RatioFollow::Fixed,
        initial_spread_bps: 300,
        heatmap: cascade_crowd::HeatmapConfig {
            snapshot_every_s: 60,
            ..Default::default()
        },
        ..CrowdConfig::default()
    }
}

/// The crash: book top, depth and mark each second; depth in proportion to `n` (scale 1 at a
/// million positions).
fn crash(t0: Ts, n: usize) -> Vec<Event> {
    let depth =
        |btc: i64| Qty::from_raw((btc as i128 * 100_000_000 * n as i128 / 1_000_000) as i64);
    let i = InstrumentId(0);
    let mut v = Vec::with_capacity(2_000);
    let mut gap = 0i64; // basis points below the line, recovering
    for s in 0..=960i64 {
        let line = if s <= 900 {
            60_000.0 - 12_000.0 * s as f64 / 900.0
        } else {
            48_000.0
        };
        if let Some(g) = [(300, 200), (450, 400), (600, 300)]
            .iter()
            .find_map(|&(at, g)| (at == s).then_some(g))
        {
            gap = g;
        } else if s % 5 == 0 {
            gap /= 2;
        }
        // A deterministic wiggle: ±5 bps.
        let wiggle = ((s * 7_919) % 11 - 5) as f64;
        let p = line * (1.0 - (gap as f64 + wiggle) / 10_000.0);
        let ask = Price::from_raw((p * 10.0).round() as i64 * 10_000_000);
        let ts = t0.plus_secs(s);
        v.push(Event {
            ts,
            instrument: i,
            body: EventBody::BookTop(BookTop {
                bid_price: ask - Price::from_raw(10_000_000),
                bid_qty: depth(40),
                ask_price: ask,
                ask_qty: depth(40),
            }),
        });
        // Depth within 1 %, 2 % and 5 % of the mid (cumulative, both sides).
        for (bps, btc) in [(100, 600), (200, 1_500), (500, 4_000)] {
            for sign in [-1, 1] {
                v.push(Event {
                    ts,
                    instrument: i,
                    body: EventBody::DepthBand(DepthBand {
                        band_bps: sign * bps,
                        qty: depth(btc),
                        // At the band's average price, half-way out (display only).
                        notional: Price::from_raw(
                            ask.raw() + sign as i64 * (ask.raw() / 20_000) * bps as i64,
                        )
                        .notional(depth(btc), Rounding::Down),
                    }),
                });
            }
        }
        v.push(Event {
            ts,
            instrument: i,
            body: EventBody::MarkPrice(ask),
        });
    }
    v
}

struct Outcome {
    positions: usize,
    seed_s: f64,
    seed_cpu_s: Option<f64>,
    crash_s: f64,
    crash_cpu_s: Option<f64>,
    liquidations: u64,
    crowd_liquidations: u64,
    adl: u64,
    fund_end: Money,
    events: u64,
}

/// CPU time this thread has run, from `/proc/thread-self/schedstat` (nanoseconds; Linux):
/// unlike wall time it does not count time the scheduler gave to other processes.
fn cpu_s() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn run(n: usize) -> Outcome {
    let t0 = Ts::parse_utc("2024-08-05T12:00:00Z").unwrap();
    let mut ex = exchange(n);
    let mut out = Vec::new();
    let top = crash(t0, n);
    // The book and mark before the crash.
    for ev in &top[..8] {
        ex.on_market(ev, &mut out);
    }
    let mut crowd = Crowd::new(config(), &ex).unwrap();
    // Mean notional of the lognormal: median · e^(σ²/2) ≈ 1.6487 × 10k; both sides hold
    // about T (ratio 1.2: longs T, shorts T/1.2).
    let mean = 10_000.0 * 1.6487;
    let t_btc = n as f64 * mean / 60_000.0 / (1.0 + 1.0 / 1.2);
    let oi = Qty::from_raw((t_btc * 1e8) as i64);
    let cpu_seed = cpu_s();
    let sw = Stopwatch::start();
    crowd
        .seed_spread(&mut ex, oi, Price::from_int(60_000), &mut out)
        .unwrap();
    let seed_s = sw.elapsed().as_secs_f64();
    let seed_cpu_s = cpu_s().zip(cpu_seed).map(|(b, a)| b - a);
    let positions = crowd.positions_opened();
    let cpu0 = cpu_s();
    let sw = Stopwatch::start();
    let r = replay(&mut ex, &mut crowd, top.into_iter().skip(8));
    let crash_s = sw.elapsed().as_secs_f64();
    let crash_cpu_s = cpu_s().zip(cpu0).map(|(b, a)| b - a);
    check_invariants(&ex).expect("invariants hold after the crash");
    Outcome {
        positions,
        seed_s,
        seed_cpu_s,
        crash_s,
        crash_cpu_s,
        liquidations: r.liquidations,
        crowd_liquidations: r.crowd_liquidations,
        adl: r.adl_fills,
        fund_end: r.fund_end,
        events: r.events,
    }
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10_000, 100_000, 1_000_000]
    } else {
        sizes
    };
    const REPEAT: usize = 3;
    println!("machine: {}", machine_description());
    for n in sizes {
        let mut runs = Vec::new();
        let mut peak = None;
        for _ in 0..REPEAT {
            let (o, mem) = with_peak_rss(|| run(n));
            peak = peak.max(mem.map(|m| m.peak_kib));
            runs.push(o);
        }
        // Every repeat is the same run (same counts); the machine is shared, so the minimum
        // is the least disturbed time and the median the typical one.
        let mut seed: Vec<f64> = runs.iter().map(|o| o.seed_s).collect();
        let mut crash: Vec<f64> = runs.iter().map(|o| o.crash_s).collect();
        let mut total: Vec<f64> = runs.iter().map(|o| o.seed_s + o.crash_s).collect();
        for v in [&mut seed, &mut crash, &mut total] {
            v.sort_by(f64::total_cmp);
        }
        let min_of =
            |f: fn(&Outcome) -> Option<f64>| runs.iter().filter_map(f).fold(f64::MAX, f64::min);
        let cpu = min_of(|o| o.crash_cpu_s);
        let seed_cpu = min_of(|o| o.seed_cpu_s);
        let o = &runs[0];
        assert!(runs
            .iter()
            .all(|r| (r.liquidations, r.adl, r.fund_end) == (o.liquidations, o.adl, o.fund_end)));
        println!(
            "n={n:>8}: {} positions, {} events; {} liquidations ({} crowd), {} ADL fills, fund end {}\n\
             \x20          seed  min {:.3} s  median {:.3} s  (CPU {:.3} s)\n\
             \x20          crash min {:.3} s  median {:.3} s  (CPU {:.3} s)\n\
             \x20          total min {:.3} s  median {:.3} s;  peak RSS {}",
            o.positions,
            o.events,
            o.liquidations,
            o.crowd_liquidations,
            o.adl,
            o.fund_end,
            seed[0],
            seed[REPEAT / 2],
            seed_cpu,
            crash[0],
            crash[REPEAT / 2],
            cpu,
            total[0],
            total[REPEAT / 2],
            peak.map_or("n/a".into(), kib),
        );
    }
}
