//! The plausible range of every market value, in one place.
//!
//! Fixed-point values are `i64` counts of 10⁻⁸, so one value holds about ±92·10⁹ units and a
//! product `price × qty` is exact in `i128` but must fit back into `i64`. The bounds below are
//! chosen so that anything inside them can be multiplied, summed a few times and worsened by
//! slippage without leaving the range — and they are still far beyond any real market:
//!
//! | field | range | why |
//! |---|---|---|
//! | time (`ts`, `open_time`, `next_funding`) | 2000-01-01 … 2100-01-01 UTC | a bar's close or a latency added to it stays representable |
//! | price (trade, book, depth level, bar, mark, index, liquidation) | 0 … 10⁸ | BTC is ≈ 10⁵; leaves ×900 of headroom for notionals |
//! | premium-index bar values | −1 … 1 | a premium is a rate (0.001 = 0.1 %) |
//! | quantity (trade, book, depth, volume, open interest, liquidation, taker volume) | 0 … 10¹⁰ | whole-coin counts of the smallest-priced tokens |
//! | one event's `price × qty` (trade, book side, depth level, liquidation; an order at its prices and the mark) | ≤ 9·10¹⁰ | representable: for inverse contracts (qty in USD contracts) this product is not a notional, and Black Thursday's reconstruction prints 4.2·10¹⁰; sums of them saturate |
//! | money fields (quote volume, open-interest value, depth notional) | 0 … 9·10¹⁰ | the fixed-point range: they are never multiplied, and summed only by saturating counters |
//! | funding rate (published and settled) | −1 … 1 per interval | 100 % per interval; real caps are ≤ 3 % |
//! | long/short ratio | 0 … 10⁴ | |
//! | depth band | −10 000 … 10 000 bps | a band beyond ±100 % is meaningless |
//! | a run's deposit | 0 (excluded) … 10¹⁰ | |
//! | bar interval | 1 s … 31 days | |
//! | funding interval | 1 … 24 h | |
//!
//! The importers refuse a row outside these bounds (naming the file and line), and the engine
//! refuses such an event in a log (naming its time and instrument), so nothing downstream
//! ever sees a value it cannot compute with. These are *representability* bounds; whether a
//! value is plausible for its market (a price jump, a 500 % funding rate) is the business of
//! the import quality checks.

use crate::{Event, EventBody, Money, Price, Qty, Rate, Ts, SCALE};
use std::fmt;

/// The largest price accepted: 10⁸ quote units per unit.
pub const MAX_PRICE: Price = Price::from_raw(100_000_000 * SCALE);
/// The largest quantity accepted: 10¹⁰ units.
pub const MAX_QTY: Qty = Qty::from_raw(10_000_000_000 * SCALE);
/// The largest `price × qty` of one trade, book side, depth level or liquidation: the product
/// must be representable (for inverse contracts it is not a notional, and is large).
pub const MAX_EVENT_NOTIONAL: Money = Money::from_raw(90_000_000_000 * SCALE);
/// The largest deposit of a run.
pub const MAX_DEPOSIT: Money = Money::from_raw(10_000_000_000 * SCALE);
/// The largest money field (quote volume, open-interest value, depth notional).
pub const MAX_MONEY: Money = Money::from_raw(90_000_000_000 * SCALE);
/// The largest absolute funding rate per interval (1 = 100 %).
pub const MAX_FUNDING_RATE: Rate = Rate::from_raw(SCALE);
/// The largest absolute premium-index bar value (1 = 100 %).
pub const MAX_PREMIUM: Price = Price::from_raw(SCALE);
/// The largest long/short ratio.
pub const MAX_RATIO: Rate = Rate::from_raw(10_000 * SCALE);
/// The widest depth band, in basis points either side of the mid.
pub const MAX_BAND_BPS: i32 = 10_000;
/// The longest bar, in seconds (31 days).
pub const MAX_BAR_INTERVAL_S: u32 = 31 * 86_400;
/// The longest funding interval, in hours.
pub const MAX_FUNDING_INTERVAL_H: u32 = 24;
/// The earliest time accepted: 2000-01-01T00:00:00Z.
pub const MIN_TS: Ts = Ts::from_nanos(946_684_800_000_000_000);
/// The latest time accepted: 2100-01-01T00:00:00Z.
pub const MAX_TS: Ts = Ts::from_nanos(4_102_444_800_000_000_000);

/// A market value outside its documented range: which field, the value, and the range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfBounds {
    /// The event kind and field, e.g. `trade.qty` or `trade notional (price × qty)`.
    pub field: &'static str,
    /// The value as found (a decimal, or a time).
    pub value: String,
    /// The accepted range, in words.
    pub range: String,
}

impl fmt::Display for OutOfBounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} = {} is outside the accepted range {} (see cascade_types::bounds)",
            self.field, self.value, self.range
        )
    }
}

impl std::error::Error for OutOfBounds {}

fn out(field: &'static str, value: impl fmt::Display, range: String) -> OutOfBounds {
    OutOfBounds {
        field,
        value: value.to_string(),
        range,
    }
}

fn price(field: &'static str, p: Price) -> Result<(), OutOfBounds> {
    if p.is_negative() || p > MAX_PRICE {
        return Err(out(field, p, format!("0 … {MAX_PRICE}")));
    }
    Ok(())
}

fn qty(field: &'static str, q: Qty) -> Result<(), OutOfBounds> {
    if q.is_negative() || q > MAX_QTY {
        return Err(out(field, q, format!("0 … {MAX_QTY}")));
    }
    Ok(())
}

fn money(field: &'static str, m: Money) -> Result<(), OutOfBounds> {
    if m.is_negative() || m > MAX_MONEY {
        return Err(out(field, m, format!("0 … {MAX_MONEY}")));
    }
    Ok(())
}

/// `price × qty` within [`MAX_EVENT_NOTIONAL`] (both already within their own bounds, so the
/// product itself is representable in `i128` and checked before narrowing).
fn notional(field: &'static str, p: Price, q: Qty) -> Result<(), OutOfBounds> {
    let n = p.raw() as i128 * q.raw() as i128 / SCALE as i128;
    if n > MAX_EVENT_NOTIONAL.raw() as i128 {
        let scale = SCALE as i128;
        let shown = match n % scale {
            0 => format!("{}", n / scale),
            frac => format!("{}.{:08}", n / scale, frac)
                .trim_end_matches('0')
                .to_string(),
        };
        return Err(out(field, shown, format!("0 … {MAX_EVENT_NOTIONAL}")));
    }
    Ok(())
}

fn rate(field: &'static str, r: Rate, max: Rate, signed: bool) -> Result<(), OutOfBounds> {
    let low = if signed { -max.raw() } else { 0 };
    if r.raw() < low || r > max {
        let range = if signed {
            format!("-{max} … {max}")
        } else {
            format!("0 … {max}")
        };
        return Err(out(field, r, range));
    }
    Ok(())
}

fn ts(field: &'static str, t: Ts) -> Result<(), OutOfBounds> {
    if t < MIN_TS || t > MAX_TS {
        return Err(out(field, t.nanos(), format!("{MIN_TS} … {MAX_TS}")));
    }
    Ok(())
}

/// Whether one price × qty pair and its parts are within bounds.
fn priced(
    pf: &'static str,
    p: Price,
    qf: &'static str,
    q: Qty,
    nf: &'static str,
) -> Result<(), OutOfBounds> {
    price(pf, p)?;
    qty(qf, q)?;
    notional(nf, p, q)
}

/// Checks every value of an event against the documented bounds of this module.
pub fn check_event(ev: &Event) -> Result<(), OutOfBounds> {
    ts("ts", ev.ts)?;
    match &ev.body {
        EventBody::Trade(t) => priced(
            "trade.price",
            t.price,
            "trade.qty",
            t.qty,
            "trade notional (price × qty)",
        ),
        EventBody::BookTop(b) => {
            priced(
                "book_top.bid_price",
                b.bid_price,
                "book_top.bid_qty",
                b.bid_qty,
                "book_top bid notional (price × qty)",
            )?;
            priced(
                "book_top.ask_price",
                b.ask_price,
                "book_top.ask_qty",
                b.ask_qty,
                "book_top ask notional (price × qty)",
            )
        }
        EventBody::DepthBand(d) => {
            if d.band_bps.unsigned_abs() > MAX_BAND_BPS as u32 {
                return Err(out(
                    "depth_band.band_bps",
                    d.band_bps,
                    format!("-{MAX_BAND_BPS} … {MAX_BAND_BPS}"),
                ));
            }
            qty("depth_band.qty", d.qty)?;
            money("depth_band.notional", d.notional)
        }
        EventBody::DepthLevel(d) => priced(
            "depth_level.price",
            d.price,
            "depth_level.qty",
            d.qty,
            "depth_level notional (price × qty)",
        ),
        EventBody::Bar(b) => {
            ts("bar.open_time", b.open_time)?;
            if b.interval_s == 0 || b.interval_s > MAX_BAR_INTERVAL_S {
                return Err(out(
                    "bar.interval_s",
                    b.interval_s,
                    format!("1 … {MAX_BAR_INTERVAL_S}"),
                ));
            }
            let prices = [
                ("bar.open", b.open),
                ("bar.high", b.high),
                ("bar.low", b.low),
                ("bar.close", b.close),
            ];
            for (field, p) in prices {
                if b.source == crate::BarSource::Premium {
                    if p.raw().unsigned_abs() > MAX_PREMIUM.raw().unsigned_abs() {
                        return Err(out(field, p, format!("-{MAX_PREMIUM} … {MAX_PREMIUM}")));
                    }
                } else {
                    price(field, p)?;
                }
            }
            qty("bar.volume", b.volume)?;
            qty("bar.taker_buy_volume", b.taker_buy_volume)?;
            money("bar.quote_volume", b.quote_volume)?;
            money("bar.taker_buy_quote_volume", b.taker_buy_quote_volume)
        }
        EventBody::MarkPrice(p) => price("mark_price", *p),
        EventBody::IndexPrice(p) => price("index_price", *p),
        EventBody::Funding(f) => {
            rate("funding.rate", f.rate, MAX_FUNDING_RATE, true)?;
            ts("funding.next_funding", f.next_funding)
        }
        EventBody::FundingSettlement(f) => {
            rate("funding_settlement.rate", f.rate, MAX_FUNDING_RATE, true)?;
            if f.interval_h == 0 || f.interval_h > MAX_FUNDING_INTERVAL_H {
                return Err(out(
                    "funding_settlement.interval_h",
                    f.interval_h,
                    format!("1 … {MAX_FUNDING_INTERVAL_H}"),
                ));
            }
            Ok(())
        }
        EventBody::OpenInterest(o) => {
            qty("open_interest.qty", o.qty)?;
            money("open_interest.value", o.value)
        }
        EventBody::Liquidation(l) => priced(
            "liquidation.price",
            l.price,
            "liquidation.qty",
            l.qty,
            "liquidation notional (price × qty)",
        ),
        EventBody::LongShortRatio(r) => rate("long_short_ratio.ratio", r.ratio, MAX_RATIO, false),
        EventBody::TakerVolume(v) => {
            qty("taker_volume.buy", v.buy)?;
            qty("taker_volume.sell", v.sell)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{InstrumentId, Rounding, Side, Trade};

    fn trade(price: &str, qty: &str) -> Event {
        Event {
            ts: Ts::from_millis(1_760_129_400_000).unwrap(),
            instrument: InstrumentId(0),
            body: EventBody::Trade(Trade {
                price: price.parse().unwrap(),
                qty: qty.parse().unwrap(),
                aggressor: Side::Buy,
                trade_id: 1,
            }),
        }
    }

    fn check(ev: Event, expect: &str) {
        let got = match check_event(&ev) {
            Ok(()) => "ok".to_string(),
            Err(e) => e.to_string(),
        };
        assert_eq!(got, expect);
    }

    #[test]
    fn trades_within_and_beyond_the_bounds() {
        check(trade("122055.9", "0.345"), "ok");
        check(
            trade("122055.9", "1000000"),
            "trade notional (price × qty) = 122055900000 is outside the accepted range 0 … 90000000000 (see cascade_types::bounds)",
        );
        check(
            trade("92000000000", "1"),
            "trade.price = 92000000000 is outside the accepted range 0 … 100000000 (see cascade_types::bounds)",
        );
        check(
            trade("-1", "1"),
            "trade.price = -1 is outside the accepted range 0 … 100000000 (see cascade_types::bounds)",
        );
    }

    #[test]
    fn the_worst_accepted_products_fit() {
        assert!(MAX_PRICE.checked_notional(MAX_QTY, Rounding::Up).is_none());
        assert!(MAX_PRICE
            .checked_notional(Qty::from_int(900), Rounding::Up)
            .is_some());
    }
}
