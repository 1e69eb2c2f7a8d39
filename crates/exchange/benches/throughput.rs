//! Exchange throughput and liquidation-search cost.
//!
//! Run with:
//!
//! ```text
//! cargo bench -p cascade-exchange --bench throughput
//! ```
//!
//! Workloads (all synthetic, deterministic — a fixed-seed LCG, no data files):
//!
//! 1. **Tape throughput.** 10,000,000 recorded trades on one Binance BTCUSDT-like perpetual
//!    (random-walk price around 60,000, no recorded mark, so every trade also moves the
//!    computed mark and runs the liquidation-index check), with one account sending a market
//!    order every 1,000 events and holding resting limit orders and a stop away from the
//!    market. Reports events per second (target ≥ 30M/s in release), three runs.
//! 2. **Liquidation search.** `n` = 10k, 100k and 1M open isolated longs (crowd positions with
//!    spread leverage, so their liquidation prices are distinct), then mark updates that each
//!    liquidate exactly `k` = 0, 1, 10, 100, 1,000 positions through the index (7 updates
//!    each). Reports the minimum and median time per update: it grows with `k` (and `log n`),
//!    not with `n`.
//! 3. **Inverse liquidation search.** The same on BitMEX XBTUSD 2020 (inverse, margined in
//!    XBT): 100,000-contract longs (10 XBT) at 9,834–10,167, leverage 2x–100x, for `n` = 10k
//!    and 1M (a book of 10⁹ contracts). An
//!    inverse key is found by a search on the exact coin evaluation rather than a closed
//!    form, so building the book (one key per position) costs more; the updates do not.
//!
//! The timings use the wall clock, which is allowed here: they are reported, never part of
//! any result.

use cascade_exchange::{CrowdPosition, Exchange, InstrumentConfig, VenueRules};
use cascade_types::*;
use std::time::Instant;

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn setup() -> Exchange {
    let date = Ts::parse_utc("2024-08-05").unwrap();
    let mut btc = InstrumentConfig::binance_usdm("BTCUSDT", date).unwrap();
    btc.spec.lot = "0.001".parse().unwrap();
    btc.spec.tick = "0.1".parse().unwrap();
    let mut ex = Exchange::new(VenueRules::binance_usdm(date), vec![btc]).unwrap();
    ex.seed_insurance_fund(0, Money::from_int(1_000_000_000));
    ex
}

#[allow(clippy::disallowed_methods)] // wall-clock: bench timing only
fn now() -> Instant {
    Instant::now()
}

fn tape_throughput() {
    const EVENTS: u64 = 10_000_000;
    let mut ex = setup();
    let i = InstrumentId(0);
    let t0 = Ts::parse_utc("2024-08-05T00:00:00Z").unwrap();
    let mut out = Vec::with_capacity(1024);
    let top = BookTop {
        bid_price: Price::from_int(59_999),
        bid_qty: Qty::from_int(100),
        ask_price: Price::from_int(60_000),
        ask_qty: Qty::from_int(100),
    };
    ex.on_market(
        &Event {
            ts: t0,
            instrument: i,
            body: EventBody::BookTop(top),
        },
        &mut out,
    );
    let me = ex.open_account(Money::from_int(1_000_000));
    let order = |side, kind| OrderRequest {
        client_id: 1,
        instrument: i,
        side,
        qty: "0.01".parse().unwrap(),
        kind,
        tif: TimeInForce::Gtc,
        reduce_only: false,
        post_only: false,
    };
    // Resting orders far from the market: the tape checks them on every trade but never fills.
    for cmd in [
        order(
            Side::Buy,
            OrderKind::Limit {
                price: Price::from_int(30_000),
            },
        ),
        order(
            Side::Sell,
            OrderKind::Limit {
                price: Price::from_int(90_000),
            },
        ),
        order(
            Side::Sell,
            OrderKind::StopMarket {
                trigger: Price::from_int(20_000),
            },
        ),
    ] {
        ex.on_command(t0, me, &Command::Place(cmd), &mut out);
    }
    out.clear();
    let mut rng = Lcg(42);
    let mut price = 600_000_i64; // in 0.1 units
    let mut outputs = 0usize;
    let start = now();
    for n in 0..EVENTS {
        price += (rng.next() % 21) as i64 - 10;
        let ts = t0.plus_nanos(n as i64 * 1_000_000);
        let trade = Trade {
            price: Price::from_raw(price * 10_000_000),
            qty: Qty::from_raw(1_000_000 + (rng.next() % 100_000_000) as i64),
            aggressor: if rng.next() & 1 == 0 {
                Side::Buy
            } else {
                Side::Sell
            },
            trade_id: n,
        };
        ex.on_market(
            &Event {
                ts,
                instrument: i,
                body: EventBody::Trade(trade),
            },
            &mut out,
        );
        if n % 1_000 == 999 {
            let side = if (n / 1_000) % 2 == 0 {
                Side::Buy
            } else {
                Side::Sell
            };
            let mut o = order(side, OrderKind::Market);
            o.tif = TimeInForce::Ioc;
            ex.on_command(ts, me, &Command::Place(o), &mut out);
        }
        outputs += out.len();
        out.clear();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "tape: {EVENTS} trades + {} orders in {secs:.3} s = {:.1} M events/s ({outputs} outputs)",
        EVENTS / 1_000,
        EVENTS as f64 / secs / 1e6
    );
}

fn liquidation_search(n: usize, inverse: bool) {
    let (mut ex, p0) = if inverse {
        let mut ex = Exchange::new(
            VenueRules::bitmex_2020(),
            vec![InstrumentConfig::bitmex_xbtusd_2020()],
        )
        .unwrap();
        ex.seed_insurance_fund(0, Money::from_int(1_000_000));
        (ex, 10_000)
    } else {
        (setup(), 60_000)
    };
    let i = InstrumentId(0);
    let t0 = Ts::parse_utc("2024-08-05T00:00:00Z").unwrap();
    let mut out = Vec::new();
    let top = BookTop {
        bid_price: Price::from_int(p0 - 1),
        bid_qty: Qty::from_int(if inverse { 1_000_000_000 } else { 1_000_000 }),
        ask_price: Price::from_int(p0),
        ask_qty: Qty::from_int(if inverse { 1_000_000_000 } else { 1_000_000 }),
    };
    ex.on_market(
        &Event {
            ts: t0,
            instrument: i,
            body: EventBody::BookTop(top),
        },
        &mut out,
    );
    ex.on_market(
        &Event {
            ts: t0,
            instrument: i,
            body: EventBody::MarkPrice(Price::from_int(p0)),
        },
        &mut out,
    );
    let mut rng = Lcg(7);
    let build = now();
    for _ in 0..n {
        // 0.01 BTC longs, entries 59,000–61,000, leverage 2x–101x: liquidation prices spread
        // over roughly 30,000–60,000, all distinct in practice. Inverse: 100 contracts of
        // 1 USD (10 XBT: a coin basis fine enough for distinct keys), entries 9,834–10,167,
        // leverage 2x–100x.
        let entry = Price::from_raw(
            (p0 - p0 / 60 + (rng.next() % (p0 as u64 / 30)) as i64) * 100_000_000
                + (rng.next() % 100_000_000) as i64,
        );
        let leverage = 2 + (rng.next() % if inverse { 99 } else { 100 }) as u32;
        let qty: Qty = if inverse {
            Qty::from_int(100_000)
        } else {
            "0.01".parse().unwrap()
        };
        let notional = if inverse {
            cascade_exchange::inverse::inverse_notional(qty, Qty::ONE, entry, Rounding::HalfEven)
        } else {
            entry.notional(qty, Rounding::Up)
        };
        let im = notional.div_int(leverage as i64, Rounding::Up).unwrap();
        let c = CrowdPosition {
            instrument: i,
            qty,
            entry,
            leverage,
            mode: MarginMode::Isolated,
            deposit: im,
        };
        ex.open_crowd_position(&c, &mut out).unwrap();
    }
    let build_s = build.elapsed().as_secs_f64();
    // The keys, highest first: a mark just below the k-th liquidates exactly the first k.
    let mut keys: Vec<Price> = (1..ex.account_count() as u32)
        .filter_map(|a| {
            ex.position(AccountId(a), i)
                .and_then(|p| p.liquidation_price)
        })
        .collect();
    keys.sort_unstable_by(|a, b| b.cmp(a));
    let mut done = 0usize;
    let what = if inverse { "inverse " } else { "" };
    let mut line = format!("{what}liquidation search n={n:>7} (built in {build_s:.2} s):");
    for k in [0usize, 1, 10, 100, 1_000] {
        const REPEAT: usize = 7;
        let mut times = [0f64; REPEAT];
        let mut liquidated = 0usize;
        for (r, time) in times.iter_mut().enumerate() {
            // k = 0: move the mark within the gap above the next key (nothing crosses).
            let mark = if k == 0 {
                keys[done] + Price::from_raw(1 + r as i64)
            } else {
                keys[done + k] + Price::from_raw(1)
            };
            out.clear();
            let ts = t0.plus_nanos((done + r) as i64);
            let t = now();
            ex.on_market(
                &Event {
                    ts,
                    instrument: i,
                    body: EventBody::MarkPrice(mark),
                },
                &mut out,
            );
            *time = t.elapsed().as_secs_f64();
            liquidated += out
                .iter()
                .filter(|o| matches!(o, Output::Liquidation { .. }))
                .count();
            done += k;
        }
        // Minimum and median of the repeats: the machine is shared, preemption only adds.
        times.sort_by(f64::total_cmp);
        line.push_str(&format!(
            "\n    k={k:>5}: min {:>9.2} µs, median {:>9.2} µs per update ({} liquidations each)",
            times[0] * 1e6,
            times[REPEAT / 2] * 1e6,
            liquidated / REPEAT
        ));
    }
    println!("{line}");
}

fn main() {
    for _ in 0..3 {
        tape_throughput();
    }
    for n in [10_000, 100_000, 1_000_000] {
        liquidation_search(n, false);
    }
    for n in [10_000, 1_000_000] {
        liquidation_search(n, true);
    }
}
