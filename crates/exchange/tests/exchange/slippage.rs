//! Slippage on taker fills, by hand: every `Output::Fill` carries the reference price the
//! exchange priced it from and what filling away from it cost.

use crate::support::*;
use cascade_exchange::*;
use cascade_types::*;

const I: InstrumentId = InstrumentId(0);

fn ev(ts: Ts, body: EventBody) -> Event {
    Event {
        ts,
        instrument: I,
        body,
    }
}

fn top(bid: &str, ask: &str, qty: &str) -> EventBody {
    EventBody::BookTop(BookTop {
        bid_price: p(bid),
        bid_qty: q(qty),
        ask_price: p(ask),
        ask_qty: q(qty),
    })
}

fn order(client_id: u64, side: Side, qty: &str, kind: OrderKind) -> Command {
    Command::Place(OrderRequest {
        client_id,
        instrument: I,
        side,
        qty: q(qty),
        kind,
        tif: TimeInForce::Gtc,
        reduce_only: false,
        post_only: false,
    })
}

/// The fills in `out`: (side, qty, price, maker, reference, slippage).
fn fills(out: &[Output]) -> Vec<(Side, Qty, Price, bool, Price, Money)> {
    out.iter()
        .filter_map(|o| match *o {
            Output::Fill {
                side,
                qty,
                price,
                maker,
                reference,
                slippage,
                ..
            } => Some((side, qty, price, maker, reference, slippage)),
            _ => None,
        })
        .collect()
}

/// Binance BTCUSDT, linear.
///
/// 1. Book top 59,990 / 60,010: the mid 60,000 is the reference. A market buy of 0.5 fills
///    at the ask 60,010: slippage (60,010 − 60,000) × 0.5 = 5 USDT.
/// 2. No book left, a last trade of 100 BTC at 60,000 in the minute: a market sell of 1 fills
///    at 60,000 worsened by 0.5 bp + 10 bp × √(1/100) = 1.5 bp = 9 → 59,991; the reference
///    is the last trade 60,000, slippage 9 × 1 = 9 USDT.
/// 3. A resting limit buy at 59,000 filled by a trade through it is a maker fill: its
///    reference is its own price and its slippage zero.
#[test]
fn linear_taker_fills_carry_reference_and_slippage() {
    let (rules, inst) = binance_btc();
    let mut ex = Exchange::new(rules, inst).unwrap();
    let a = ex.open_account(m("100000"));
    let t = day("2024-08-05T00:00:00Z");
    let mut out = Vec::new();
    ex.on_market(&ev(t, EventBody::MarkPrice(p("60000"))), &mut out);
    ex.on_market(&ev(t, top("59990", "60010", "10")), &mut out);
    out.clear();
    ex.on_command(
        t,
        a,
        &order(1, Side::Buy, "0.5", OrderKind::Market),
        &mut out,
    );
    assert_eq!(
        fills(&out),
        vec![(Side::Buy, q("0.5"), p("60010"), false, p("60000"), m("5"))]
    );

    // A fresh instrument state without a book: a second exchange, trade-only.
    let (rules, inst) = binance_btc();
    let mut ex = Exchange::new(rules, inst).unwrap();
    let a = ex.open_account(m("100000"));
    ex.on_market(&ev(t, EventBody::MarkPrice(p("60000"))), &mut out);
    let trade = EventBody::Trade(Trade {
        price: p("60000"),
        qty: q("100"),
        aggressor: Side::Sell,
        trade_id: 1,
    });
    ex.on_market(&ev(t, trade), &mut out);
    out.clear();
    ex.on_command(
        t,
        a,
        &order(2, Side::Sell, "1", OrderKind::Market),
        &mut out,
    );
    assert_eq!(
        fills(&out),
        vec![(Side::Sell, q("1"), p("59991"), false, p("60000"), m("9"))]
    );

    let limit = OrderKind::Limit { price: p("59000") };
    ex.on_command(t, a, &order(3, Side::Buy, "0.2", limit), &mut out);
    out.clear();
    let through = EventBody::Trade(Trade {
        price: p("58990"),
        qty: q("5"),
        aggressor: Side::Sell,
        trade_id: 2,
    });
    ex.on_market(&ev(t.plus_nanos(1), through), &mut out);
    assert_eq!(
        fills(&out),
        vec![(
            Side::Buy,
            q("0.2"),
            p("59000"),
            true,
            p("59000"),
            Money::ZERO
        )]
    );
}

/// BitMEX XBTUSD, inverse (1 USD contracts, slippage in XBT): book 9,999.5 / 10,000.5, mid
/// 10,000. A market buy of 1,000 contracts fills at 10,000.5: its coin cost basis is
/// 1,000 / 10,000.5 = 0.09999500 XBT (rounded against the buyer), at the reference
/// 1,000 / 10,000 = 0.1 XBT: slippage 0.1 − 0.099995 = 0.000005 XBT.
#[test]
fn inverse_slippage_is_in_coin() {
    let mut ex = Exchange::new(
        VenueRules::bitmex_2020(),
        vec![InstrumentConfig::bitmex_xbtusd_2020()],
    )
    .unwrap();
    let a = ex.open_account(m("1"));
    let t = day("2020-03-12T00:00:00Z");
    let mut out = Vec::new();
    ex.on_market(&ev(t, EventBody::MarkPrice(p("10000"))), &mut out);
    ex.on_market(&ev(t, top("9999.5", "10000.5", "50000")), &mut out);
    out.clear();
    ex.on_command(
        t,
        a,
        &order(1, Side::Buy, "1000", OrderKind::Market),
        &mut out,
    );
    assert_eq!(
        fills(&out),
        vec![(
            Side::Buy,
            q("1000"),
            p("10000.5"),
            false,
            p("10000"),
            m("0.000005")
        )]
    );
}
