//! Parsers of single cells into typed values. Each returns the expectation as its error, so
//! that the caller can name file, line and column around it.
//!
//! Numbers are exact by default: a venue's prices and quantities have at most 8 decimals, and a
//! value with more is refused rather than rounded. Only columns the source itself computed as
//! floats (see the crate docs' table) go through the `_rounded` parsers, which round half-even
//! to 8 decimals.

use cascade_types::{Money, Price, Qty, Rate, Rounding, Side, Ts, TypesError};

/// The expectation of a failed parse, worded to follow "expected …".
pub(crate) type Expect = String;

/// Earliest accepted timestamp: 2009-01-03, the first Bitcoin block. Anything earlier is a unit
/// mistake (seconds read as milliseconds) or a corrupt cell.
const TS_MIN: Ts = Ts(1_230_940_800_000_000_000);
/// Latest accepted timestamp: 2100-01-01.
const TS_MAX: Ts = Ts(4_102_444_800_000_000_000);

fn why(e: TypesError) -> &'static str {
    match e {
        TypesError::BadDecimal { why, .. } => why,
        _ => "invalid",
    }
}

/// The usual cell — up to 10 integer digits, optionally a point and 1 to 8 decimals, nothing
/// else — as raw 10⁻⁸ units, straight from the bytes; `None` for anything else, which the
/// general parser then reads (and words the error of).
fn plain_decimal(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let (int, frac) = match b.iter().position(|&c| c == b'.') {
        Some(i) => (&b[..i], &b[i + 1..]),
        None => (b, &b[..0]),
    };
    if int.is_empty()
        || int.len() > 10
        || frac.len() > 8
        || (frac.is_empty() && int.len() < b.len())
    {
        return None;
    }
    let mut v: i64 = 0;
    for &c in int.iter().chain(frac) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + i64::from(d);
    }
    Some(v * 10i64.pow(8 - frac.len() as u32))
}

fn decimal<T>(
    text: &str,
    what: &str,
    exact: fn(&str) -> Result<T, TypesError>,
    rounded: fn(&str, Rounding) -> Result<T, TypesError>,
    round: bool,
    from_raw: fn(i64) -> T,
) -> Result<T, Expect> {
    if let Some(raw) = plain_decimal(text) {
        return Ok(from_raw(raw));
    }
    let parsed = if round {
        rounded(text, Rounding::HalfEven)
    } else {
        exact(text)
    };
    parsed.map_err(|e| {
        let digits = if round {
            ""
        } else {
            " with at most 8 decimals"
        };
        format!("{what}{digits} ({})", why(e))
    })
}

/// A price > 0 with at most 8 decimals.
pub(crate) fn price(text: &str) -> Result<Price, Expect> {
    positive_price(text, false)
}

/// A price > 0, rounded half-even to 8 decimals (computed by the source: mark, index).
pub(crate) fn price_rounded(text: &str) -> Result<Price, Expect> {
    positive_price(text, true)
}

fn positive_price(text: &str, round: bool) -> Result<Price, Expect> {
    let p = decimal(
        text,
        "a positive price",
        str::parse,
        Price::parse_rounded,
        round,
        Price::from_raw,
    )?;
    if p.is_positive() {
        Ok(p)
    } else {
        Err("a positive price (> 0)".to_string())
    }
}

/// A value of any sign, rounded half-even (premium-index klines hold rates, not prices).
pub(crate) fn signed_price_rounded(text: &str) -> Result<Price, Expect> {
    decimal(
        text,
        "a number",
        str::parse,
        Price::parse_rounded,
        true,
        Price::from_raw,
    )
}

/// A quantity ≥ 0 with at most 8 decimals.
pub(crate) fn qty(text: &str) -> Result<Qty, Expect> {
    let q = decimal(
        text,
        "a quantity ≥ 0",
        str::parse,
        Qty::parse_rounded,
        false,
        Qty::from_raw,
    )?;
    if q.is_negative() {
        Err("a quantity ≥ 0".to_string())
    } else {
        Ok(q)
    }
}

/// A quantity > 0 with at most 8 decimals (a trade or a liquidation moves something).
pub(crate) fn qty_positive(text: &str) -> Result<Qty, Expect> {
    let q = decimal(
        text,
        "a positive quantity",
        str::parse,
        Qty::parse_rounded,
        false,
        Qty::from_raw,
    )?;
    if q.is_positive() {
        Ok(q)
    } else {
        Err("a positive quantity (> 0)".to_string())
    }
}

/// A quantity ≥ 0, rounded half-even (a sum or average the source computed).
pub(crate) fn qty_rounded(text: &str) -> Result<Qty, Expect> {
    let q = decimal(
        text,
        "a quantity ≥ 0",
        str::parse,
        Qty::parse_rounded,
        true,
        Qty::from_raw,
    )?;
    if q.is_negative() {
        Err("a quantity ≥ 0".to_string())
    } else {
        Ok(q)
    }
}

/// An amount ≥ 0, rounded half-even (a value the source computed as a float product).
pub(crate) fn money_rounded(text: &str) -> Result<Money, Expect> {
    let m = decimal(
        text,
        "an amount ≥ 0",
        str::parse,
        Money::parse_rounded,
        true,
        Money::from_raw,
    )?;
    if m.is_negative() {
        Err("an amount ≥ 0".to_string())
    } else {
        Ok(m)
    }
}

/// A rate of any sign, rounded half-even (funding rates are computed by the venue).
pub(crate) fn rate_rounded(text: &str) -> Result<Rate, Expect> {
    decimal(
        text,
        "a rate",
        str::parse,
        Rate::parse_rounded,
        true,
        Rate::from_raw,
    )
}

/// A ratio ≥ 0, rounded half-even (long/short ratios are computed by the venue).
pub(crate) fn ratio_rounded(text: &str) -> Result<Rate, Expect> {
    let r = decimal(
        text,
        "a ratio ≥ 0",
        str::parse,
        Rate::parse_rounded,
        true,
        Rate::from_raw,
    )?;
    if r.is_negative() {
        Err("a ratio ≥ 0".to_string())
    } else {
        Ok(r)
    }
}

fn digits_i64(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 19 {
        return None;
    }
    let mut v: u64 = 0;
    for c in text.bytes() {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u64::from(d);
    }
    i64::try_from(v).ok()
}

/// An unsigned integer (trade ids, counts).
pub(crate) fn uint(text: &str) -> Result<u64, Expect> {
    if !text.is_empty() && text.len() <= 19 {
        let mut v: u64 = 0;
        for c in text.bytes() {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                return Err("a whole number ≥ 0".to_string());
            }
            v = v * 10 + u64::from(d);
        }
        return Ok(v);
    }
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(v) = text.parse() {
            return Ok(v);
        }
    }
    Err("a whole number ≥ 0".to_string())
}

pub(crate) fn in_range(ts: Ts, unit: &str) -> Result<Ts, Expect> {
    if (TS_MIN..TS_MAX).contains(&ts) {
        Ok(ts)
    } else {
        Err(format!("a timestamp in epoch {unit} between 2009 and 2100"))
    }
}

/// Epoch microseconds.
pub(crate) fn epoch_us(text: &str) -> Result<Ts, Expect> {
    let expect = || "a timestamp in epoch microseconds".to_string();
    let v = digits_i64(text).ok_or_else(expect)?;
    in_range(Ts::from_micros(v).ok_or_else(expect)?, "microseconds")
}

/// Epoch milliseconds, microseconds or nanoseconds, told apart by magnitude: Binance spot
/// files switched from milliseconds (13 digits) to microseconds (16 digits) in 2025.
pub(crate) fn epoch_auto(text: &str) -> Result<Ts, Expect> {
    let expect = || "a timestamp in epoch milliseconds or microseconds".to_string();
    let v = digits_i64(text).ok_or_else(expect)?;
    let ts = if v < 100_000_000_000_000 {
        Ts::from_millis(v)
    } else if v < 100_000_000_000_000_000 {
        Ts::from_micros(v)
    } else {
        Some(Ts::from_nanos(v))
    };
    in_range(ts.ok_or_else(expect)?, "milliseconds or microseconds")
}

/// A UTC date-time (`2025-10-10 21:20:00`, ISO 8601) or, when all digits, an epoch time as in
/// [`epoch_auto`].
pub(crate) fn datetime(text: &str) -> Result<Ts, Expect> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return epoch_auto(text);
    }
    let ts = Ts::parse_utc(text).map_err(|_| {
        "a UTC date-time like 2025-10-10 21:20:00 or epoch milliseconds".to_string()
    })?;
    in_range(ts, "time")
}

/// A BitMEX dump time: UTC `2020-03-12D00:00:03.473218000` (a `D` between date and time), or
/// the same with an ISO `T` or a space.
pub(crate) fn bitmex_time(text: &str) -> Result<Ts, Expect> {
    let expect = || "a UTC time like 2020-03-12D00:00:03.473218000".to_string();
    let b = text.as_bytes();
    let mut buf = [0u8; 40];
    if b.len() > buf.len() {
        return Err(expect());
    }
    buf[..b.len()].copy_from_slice(b);
    if b.len() > 10 && b[10] == b'D' {
        buf[10] = b'T';
    }
    let iso = std::str::from_utf8(&buf[..b.len()]).map_err(|_| expect())?;
    let ts = Ts::parse_utc(iso).map_err(|_| expect())?;
    in_range(ts, "time")
}

/// `true` or `false` (any case).
pub(crate) fn boolean(text: &str) -> Result<bool, Expect> {
    if text.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if text.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err("true or false".to_string())
    }
}

/// `buy` or `sell` (any case).
pub(crate) fn side(text: &str) -> Result<Side, Expect> {
    if text.eq_ignore_ascii_case("buy") {
        Ok(Side::Buy)
    } else if text.eq_ignore_ascii_case("sell") {
        Ok(Side::Sell)
    } else {
        Err("buy or sell".to_string())
    }
}

/// A Binance `bookDepth` percentage (−5 … 5, whole or fractional percent) as basis points.
pub(crate) fn percent_as_bps(text: &str) -> Result<i32, Expect> {
    let expect = || "a percentage from the mid (like -5 or 0.2) in whole basis points".to_string();
    let r: Rate = text.parse().map_err(|_| expect())?;
    // percentage × 100 = basis points; refuse fractions of a basis point.
    let raw = r.raw();
    let per_bp = cascade_types::SCALE / 100;
    if raw % per_bp != 0 || raw == 0 {
        return Err(expect());
    }
    i32::try_from(raw / per_bp)
        .ok()
        .filter(|b| b.abs() <= 10_000)
        .ok_or_else(expect)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_rounded() {
        assert_eq!(price("6.02").unwrap().to_string(), "6.02");
        assert!(price("118886.556783564").is_err());
        assert_eq!(
            price_rounded("118886.556783564").unwrap().to_string(),
            "118886.55678356"
        );
        assert_eq!(price("0").unwrap_err(), "a positive price (> 0)");
        assert_eq!(
            price("NaN").unwrap_err(),
            "a positive price with at most 8 decimals (not a number)"
        );
        assert_eq!(qty("-1").unwrap_err(), "a quantity ≥ 0");
        assert_eq!(percent_as_bps("-5").unwrap(), -500);
        assert_eq!(percent_as_bps("0.2").unwrap(), 20);
        assert!(percent_as_bps("0").is_err());
    }

    #[test]
    fn epochs() {
        assert_eq!(
            epoch_auto("1760131200000").unwrap().to_string(),
            "2025-10-10T21:20:00Z"
        );
        assert_eq!(
            epoch_auto("1760131200000123").unwrap().to_string(),
            "2025-10-10T21:20:00.000123Z"
        );
        assert!(epoch_auto("1760131200").is_err()); // seconds: read as ms, 1970
        assert!(epoch_us("-5").is_err());
        assert_eq!(
            datetime(" 2025-10-10 21:34:32".trim()).unwrap().to_string(),
            "2025-10-10T21:34:32Z"
        );
    }
}
