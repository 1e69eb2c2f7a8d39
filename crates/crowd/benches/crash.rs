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
//!   seeded with $2M.
//! - **Crowd.** A starting book of about `n` positions ([`Crowd::seed_spread`]): cross margin,
//!   notional lognormal (median $10k, σ 1, $100–$1M), leverage lognormal (median 20, σ 0.8,
//!   ≤ 125, capped by the bracket), cushion uniform 0–100 % of the initial margin, entries
//!   spread ±3 % around 60,000, long/short ratio 1.2 (longs hold the crowd's whole share).
//! - **Crash.** 900 one-second steps: a book top (bid 0.1 below ask, 40 BTC a side) and a
//!   recorded mark, falling from 60,000 to 48,000 (−20 %) along a straight line with a
//!   deterministic ±0.05 % wiggle and three one-second gaps of −1.5 % (at 300, 450 and
//!   600 s) that later recover half; then 60 s flat. Liquidations walk the 40-BTC top and fill
//!   the rest 1 % beyond it (the venue's beyond-book penalty), so the fund drains and ADL
//!   follows.
//!
//! Reported per size: seeding time (building the book: accounts, positions, index, heatmap),
//! crash time (1,920 events through `Exchange::on_market` + `Crowd::on_event`), their sum,
//! the counts (positions, liquidations, ADL fills, fund), and peak resident memory (VmHWM,
//! reset before each size). Timing uses the wall clock, allowed here: it is reported, never
//! part of a result. After the timing, `check_invariants` audits the final state.

use cascade_benches::{kib, machine_description, with_peak_rss, Stopwatch};
use cascade_crowd::{replay, Crowd, CrowdConfig, CushionDist, LeverageDist, RatioFollow, SizeDist};
use cascade_exchange::{check_invariants, Exchange, InstrumentConfig, VenueRules};
use cascade_types::*;

fn exchange() -> Exchange {
    let date = Ts::parse_utc("2024-08-05").unwrap();
    let mut btc = InstrumentConfig::binance_usdm("BTCUSDT", date).unwrap();
    btc.spec.lot = "0.001".parse().unwrap();
    btc.spec.tick = "0.1".parse().unwrap();
    let mut rules = VenueRules::binance_usdm(date);
    rules.adl.queue_refresh_s = 30;
    let mut ex = Exchange::new(rules, vec![btc]).unwrap();
    ex.seed_insurance_fund(0, Money::from_int(2_000_000));
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

/// The crash: book top and mark each second.
fn crash(t0: Ts) -> Vec<Event> {
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
        let ts = t0.plus_nanos(s * 1_000_000_000);
        v.push(Event {
            ts,
            instrument: i,
            body: EventBody::BookTop(BookTop {
                bid_price: ask - Price::from_raw(10_000_000),
                bid_qty: Qty::from_int(40),
                ask_price: ask,
                ask_qty: Qty::from_int(40),
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
                        qty: Qty::from_int(btc),
                        notional: Price::from_raw(
                            ask.raw() - sign as i64 * ask.raw() / 20_000 * bps as i64 / 100,
                        )
                        .notional(Qty::from_int(btc), Rounding::Down),
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
    crash_s: f64,
    liquidations: u64,
    crowd_liquidations: u64,
    adl: u64,
    fund_end: Money,
    events: u64,
}

#[allow(clippy::disallowed_methods)] // wall-clock: bench timing only
fn run(n: usize) -> Outcome {
    let t0 = Ts::parse_utc("2024-08-05T12:00:00Z").unwrap();
    let mut ex = exchange();
    let mut out = Vec::new();
    let top = crash(t0);
    // The mark and book before the crash.
    for ev in &top[..8] {
        ex.on_market(ev, &mut out);
    }
    let mut crowd = Crowd::new(config(), &ex).unwrap();
    // Mean notional of the lognormal: median · e^(σ²/2) ≈ 1.6487 × 10k; both sides hold
    // about T (ratio 1.2: longs T, shorts T/1.2).
    let mean = 10_000.0 * 1.6487;
    let t_btc = n as f64 * mean / 60_000.0 / (1.0 + 1.0 / 1.2);
    let oi = Qty::from_raw((t_btc * 1e8) as i64);
    let sw = Stopwatch::start();
    crowd
        .seed_spread(&mut ex, oi, Price::from_int(60_000), &mut out)
        .unwrap();
    let seed_s = sw.elapsed().as_secs_f64();
    let positions = crowd.positions_opened();
    let sw = Stopwatch::start();
    let r = replay(&mut ex, &mut crowd, top.into_iter().skip(8));
    let crash_s = sw.elapsed().as_secs_f64();
    check_invariants(&ex).expect("invariants hold after the crash");
    Outcome {
        positions,
        seed_s,
        crash_s,
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
    println!("machine: {}", machine_description());
    for n in sizes {
        let (o, mem) = with_peak_rss(|| run(n));
        println!(
            "n={n:>8}: {} positions; seed {:.3} s, crash {:.3} s ({} events), total {:.3} s; \
             {} liquidations ({} crowd), {} ADL fills, fund end {}; peak RSS {}",
            o.positions,
            o.seed_s,
            o.crash_s,
            o.events,
            o.seed_s + o.crash_s,
            o.liquidations,
            o.crowd_liquidations,
            o.adl,
            o.fund_end,
            mem.map_or("n/a".into(), |m| kib(m.peak_kib)),
        );
    }
}
