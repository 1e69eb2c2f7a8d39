//! Hot-path allocation audit for the exchange: the events of a replay that touch none of our
//! orders and liquidate nobody must not allocate.
//!
//! ```text
//! cargo run --release --manifest-path crates/exchange/alloc-audit/Cargo.toml
//! ```
//!
//! Set-up (allocates freely): a Binance BTCUSDT perpetual with a book, 10,000 crowd longs in
//! the liquidation index, and an account with a position, two resting limits and a stop, all
//! away from the market. Then, counted: 1,000,000 trades (the mark follows the last trade, so
//! each also runs the liquidation-index check), 100,000 recorded mark updates, 100,000 book
//! tops and 100,000 depth bands — none crossing anything. Exits non-zero on any allocation.

use cascade_exchange::{CrowdPosition, Exchange, InstrumentConfig, VenueRules};
use cascade_types::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

/// The system allocator with a counter on every allocation and reallocation.
struct Counting;

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the only
// addition is a relaxed atomic increment, which cannot allocate or unwind.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded verbatim (see above).
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded verbatim.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded verbatim.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

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

fn main() {
    let date = Ts::parse_utc("2024-08-05").unwrap();
    let mut btc = InstrumentConfig::binance_usdm("BTCUSDT", date).unwrap();
    btc.spec.lot = "0.001".parse().unwrap();
    let mut ex = Exchange::new(VenueRules::binance_usdm(date), vec![btc]).unwrap();
    let i = InstrumentId(0);
    let t0 = Ts::parse_utc("2024-08-05T00:00:00Z").unwrap();
    let mut out = Vec::with_capacity(1024);
    let px = |v: i64| Price::from_int(v);
    let top = BookTop {
        bid_price: px(59_999),
        bid_qty: Qty::from_int(100),
        ask_price: px(60_000),
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
    let mut rng = Lcg(1);
    for _ in 0..10_000 {
        let leverage = 2 + (rng.next() % 18) as u32;
        let entry = Price::from_int(59_500 + (rng.next() % 1_000) as i64);
        let qty: Qty = "0.01".parse().unwrap();
        let im = entry
            .notional(qty, Rounding::Up)
            .div_int(leverage as i64, Rounding::Up)
            .unwrap();
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
    let me = ex.open_account(Money::from_int(1_000_000));
    let order = |side, kind| {
        Command::Place(OrderRequest {
            client_id: 1,
            instrument: i,
            side,
            qty: "0.1".parse().unwrap(),
            kind,
            tif: TimeInForce::Gtc,
            reduce_only: false,
            post_only: false,
        })
    };
    for cmd in [
        order(Side::Buy, OrderKind::Market),
        order(Side::Buy, OrderKind::Limit { price: px(40_000) }),
        order(Side::Sell, OrderKind::Limit { price: px(80_000) }),
        order(
            Side::Sell,
            OrderKind::StopMarket {
                trigger: px(30_000),
            },
        ),
    ] {
        ex.on_command(t0, me, &cmd, &mut out);
    }
    out.clear();
    // The counter works: the set-up above allocated plenty.
    println!(
        "set-up: {} allocations",
        ALLOCATIONS.load(Ordering::Relaxed)
    );

    let walk = |rng: &mut Lcg| {
        Price::from_raw(
            (59_900 + (rng.next() % 200) as i64) * 100_000_000 + (rng.next() % 100) as i64,
        )
    };
    let mut n = 0i64;
    let mut phase = |name: &str,
                     count: usize,
                     ex: &mut Exchange,
                     out: &mut Vec<Output>,
                     make: &mut dyn FnMut(&mut Lcg) -> EventBody| {
        // Warm-up pass: lets scratch buffers reach their working size.
        for _ in 0..1_000 {
            n += 1;
            ex.on_market(
                &Event {
                    ts: t0.plus_nanos(n),
                    instrument: i,
                    body: make(&mut rng),
                },
                out,
            );
        }
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for _ in 0..count {
            n += 1;
            ex.on_market(
                &Event {
                    ts: t0.plus_nanos(n),
                    instrument: i,
                    body: make(&mut rng),
                },
                out,
            );
        }
        let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
        println!(
            "{name:<12} {count:>9} events  {allocations} allocations  ({} outputs)",
            out.len()
        );
        allocations
    };
    let mut total = 0;
    total += phase("trades", 1_000_000, &mut ex, &mut out, &mut |r| {
        EventBody::Trade(Trade {
            price: walk(r),
            qty: Qty::from_raw(1 + (r.next() % 100_000_000) as i64),
            aggressor: Side::Buy,
            trade_id: 0,
        })
    });
    total += phase("book tops", 100_000, &mut ex, &mut out, &mut |r| {
        let b = walk(r);
        EventBody::BookTop(BookTop {
            bid_price: b,
            bid_qty: Qty::ONE,
            ask_price: b + Price::from_int(1),
            ask_qty: Qty::ONE,
        })
    });
    total += phase("depth bands", 100_000, &mut ex, &mut out, &mut |r| {
        let band = [-500, -100, 100, 500][(r.next() % 4) as usize];
        EventBody::DepthBand(DepthBand {
            band_bps: band,
            qty: Qty::from_int(10),
            notional: Money::from_int(600_000),
        })
    });
    total += phase("marks", 100_000, &mut ex, &mut out, &mut |r| {
        EventBody::MarkPrice(walk(r))
    });
    if total != 0 || !out.is_empty() {
        eprintln!("FAIL: the hot path allocated {total} times");
        std::process::exit(1);
    }
    println!("ok: no allocation on the hot path");
}
