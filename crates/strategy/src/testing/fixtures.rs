//! The market every strategy crate's tests start from: Binance's BTCUSDT linear perpetual
//! (instrument 0, tick 0.1, lot 0.001) and BTCUSDT spot (instrument 1, tick 0.01, lot
//! 0.00001), builders for the events and outputs the tests feed, and one text line per
//! command for assertions.

use crate::ctx::AccountCommand;
use cascade_types::{
    AccountId, BookTop, Command, Event, EventBody, Funding, InstrumentId, InstrumentKind,
    InstrumentSpec, Liquidation, Money, OpenInterest, OrderId, OrderKind, Output, Price, Qty, Rate,
    Side, Trade, Ts,
};

/// The perpetual of [`btc_perp_and_spot`].
pub const PERP: InstrumentId = InstrumentId(0);
/// The spot instrument of [`btc_perp_and_spot`].
pub const SPOT: InstrumentId = InstrumentId(1);

const NS_PER_SEC: i64 = Ts::NANOS_PER_SEC;

/// `binance-um` BTCUSDT linear perpetual, tick 0.1, lot 0.001.
pub fn btc_perp() -> InstrumentSpec {
    let mut perp = InstrumentSpec::new(
        "binance-um",
        "BTCUSDT",
        InstrumentKind::LinearPerp,
        "BTC",
        "USDT",
    );
    perp.tick = price("0.1");
    perp.lot = qty("0.001");
    perp
}

/// `binance-spot` BTCUSDT spot, tick 0.01, lot 0.00001.
pub fn btc_spot() -> InstrumentSpec {
    let mut spot = InstrumentSpec::new(
        "binance-spot",
        "BTCUSDT",
        InstrumentKind::Spot,
        "BTC",
        "USDT",
    );
    spot.tick = price("0.01");
    spot.lot = qty("0.00001");
    spot
}

/// [`btc_perp`] as [`PERP`] and [`btc_spot`] as [`SPOT`].
pub fn btc_perp_and_spot() -> Vec<InstrumentSpec> {
    vec![btc_perp(), btc_spot()]
}

/// A price literal (`"100000.5"`); panics on a bad one (tests only).
pub fn price(s: &str) -> Price {
    s.parse().expect("a price literal")
}

/// A quantity literal; panics on a bad one (tests only).
pub fn qty(s: &str) -> Qty {
    s.parse().expect("a quantity literal")
}

/// A rate literal; panics on a bad one (tests only).
pub fn rate(s: &str) -> Rate {
    s.parse().expect("a rate literal")
}

/// A UTC time (`"2025-10-10T12:00:00Z"`) plus `secs` seconds; panics on a bad literal.
pub fn at(utc: &str, secs: i64) -> Ts {
    Ts::parse_utc(utc)
        .expect("a UTC time literal")
        .plus_nanos(secs * NS_PER_SEC)
}

/// A market event.
pub fn event(ts: Ts, instrument: InstrumentId, body: EventBody) -> Event {
    Event {
        ts,
        instrument,
        body,
    }
}

/// A trade of one unit, bought by the aggressor, trade id 0.
pub fn trade(ts: Ts, instrument: InstrumentId, price: Price) -> Event {
    trade_of(ts, instrument, price, Qty::ONE, Side::Buy)
}

/// A trade of `qty` with this aggressor, trade id 0.
pub fn trade_of(
    ts: Ts,
    instrument: InstrumentId,
    price: Price,
    qty: Qty,
    aggressor: Side,
) -> Event {
    event(
        ts,
        instrument,
        EventBody::Trade(Trade {
            price,
            qty,
            aggressor,
            trade_id: 0,
        }),
    )
}

/// A book top with one unit on each side.
pub fn book_top(ts: Ts, instrument: InstrumentId, bid: Price, ask: Price) -> Event {
    event(
        ts,
        instrument,
        EventBody::BookTop(BookTop {
            bid_price: bid,
            bid_qty: Qty::ONE,
            ask_price: ask,
            ask_qty: Qty::ONE,
        }),
    )
}

/// A recorded forced order: `side` is the forced order's side (a forced sell liquidates a
/// long).
pub fn liquidation(ts: Ts, instrument: InstrumentId, side: Side, price: Price, qty: Qty) -> Event {
    event(
        ts,
        instrument,
        EventBody::Liquidation(Liquidation { side, price, qty }),
    )
}

/// Open interest of `qty` worth `value`.
pub fn open_interest(ts: Ts, instrument: InstrumentId, qty: Qty, value: Money) -> Event {
    event(
        ts,
        instrument,
        EventBody::OpenInterest(OpenInterest { qty, value }),
    )
}

/// A funding rate, the next funding at `next`.
pub fn funding(ts: Ts, instrument: InstrumentId, rate: Rate, next: Ts) -> Event {
    event(
        ts,
        instrument,
        EventBody::Funding(Funding {
            rate,
            next_funding: next,
        }),
    )
}

/// A taker fill of account 0 (order id 1).
pub fn fill(instrument: InstrumentId, side: Side, qty: Qty, price: Price, fee: Money) -> Output {
    Output::Fill {
        account: AccountId(0),
        instrument,
        order_id: OrderId(1),
        side,
        qty,
        price,
        fee,
        maker: false,
        reference: price,
        slippage: Money::ZERO,
    }
}

/// One line per command, in issue order: `i0 buy 0.5 market`, `i0 sell 0.5 limit 101000
/// reduce-only`, `i0 leverage 3`, `i0 cancel-all`, `transfer Futures->Spot 100`, else the
/// command's debug form.
pub fn render(cmds: &[AccountCommand]) -> Vec<String> {
    cmds.iter().map(|c| render_command(&c.command)).collect()
}

/// One command as [`render`] shows it.
pub fn render_command(command: &Command) -> String {
    match *command {
        Command::Place(o) => {
            let kind = match o.kind {
                OrderKind::Market => "market".to_string(),
                OrderKind::Limit { price } => format!("limit {price}"),
                OrderKind::StopMarket { trigger } => format!("stop {trigger}"),
                OrderKind::StopLimit { trigger, price } => {
                    format!("stop {trigger} limit {price}")
                }
            };
            let ro = if o.reduce_only { " reduce-only" } else { "" };
            format!("{} {} {} {kind}{ro}", o.instrument, o.side, o.qty)
        }
        Command::SetLeverage {
            instrument,
            leverage,
        } => format!("{instrument} leverage {leverage}"),
        Command::CancelAll { instrument } => format!("{instrument} cancel-all"),
        Command::Transfer { from, to, amount } => format!("transfer {from:?}->{to:?} {amount}"),
        ref other => format!("{other:?}"),
    }
}
