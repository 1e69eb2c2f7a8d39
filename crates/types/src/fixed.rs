//! Exact fixed-point numbers. Every value is an `i64` count of 10⁻⁸ units ([`SCALE`]).
//!
//! Addition and subtraction are exact and panic on overflow (a programmer error: the range is
//! ±92·10⁹ units, far beyond any price, quantity or account balance we model). Products and
//! quotients go through `i128` and round by an explicit [`Rounding`], so every division in the
//! code base states which way it rounds.

use crate::TypesError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

/// Units per whole: every fixed-point value is an integer count of 10⁻⁸.
pub const SCALE: i64 = 100_000_000;
const DECIMALS: usize = 8;

/// How a product or quotient that falls between two representable values is rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rounding {
    /// Toward negative infinity (floor).
    Down,
    /// Toward positive infinity (ceiling).
    Up,
    /// To the nearest value, ties to even (banker's rounding).
    HalfEven,
}

/// `(⌊num / den⌋, num − den·⌊num / den⌋)` for `den > 0`: the same as `div_euclid` and
/// `rem_euclid`, without `i128` division (a library call) in the common cases — `num` within
/// `i64`, or `den` = [`SCALE`] (long division in 32-bit limbs by a constant, which compiles
/// to multiplications).
#[inline]
fn floor_div_rem(num: i128, den: i64) -> (i128, i128) {
    debug_assert!(den > 0);
    if let Ok(n) = i64::try_from(num) {
        return (n.div_euclid(den) as i128, n.rem_euclid(den) as i128);
    }
    if den == SCALE {
        const D: u64 = SCALE as u64;
        let m = num.unsigned_abs();
        let hi = (m >> 64) as u64;
        let lo = m as u64;
        // Each step divides a value below D·2³², so each partial quotient fits 32 bits.
        let (q3, r) = (hi / D, hi % D);
        let x = (r << 32) | (lo >> 32);
        let (q2, r) = (x / D, x % D);
        let x = (r << 32) | (lo & 0xffff_ffff);
        let (q1, r) = (x / D, x % D);
        let q = ((q3 as u128) << 64) | ((q2 << 32) | q1) as u128;
        let (q, r) = (q as i128, r as i128);
        return if num >= 0 {
            (q, r)
        } else if r == 0 {
            (-q, 0)
        } else {
            (-q - 1, SCALE as i128 - r)
        };
    }
    let den = den as i128;
    (num.div_euclid(den), num.rem_euclid(den))
}

/// `a * b / c` computed exactly in `i128`, rounded as asked. `None` on division by zero or
/// when the result does not fit in `i64`. Inlined: at most call sites the divisor and the
/// rounding are constants, and the branches on them fold away.
#[inline]
pub fn mul_div(a: i64, b: i64, c: i64, rounding: Rounding) -> Option<i64> {
    if c == 0 {
        return None;
    }
    let num = a as i128 * b as i128;
    let den = c as i128;
    let (q, r) = if c > 0 {
        floor_div_rem(num, c)
    } else {
        (num.div_euclid(den), num.rem_euclid(den)) // 0 <= r < |den|
    };
    let den_abs = den.abs();
    // div_euclid rounds toward -inf when den > 0 and toward +inf when den < 0; normalise to
    // floor semantics by working with the sign of den.
    let (floor, rem) = if den > 0 {
        (q, r)
    } else if r == 0 {
        (q, 0)
    } else {
        (q - 1, den_abs - r)
    };
    let out = match rounding {
        Rounding::Down => floor,
        Rounding::Up => {
            if rem == 0 {
                floor
            } else {
                floor + 1
            }
        }
        Rounding::HalfEven => {
            let twice = 2 * rem;
            if twice < den_abs || (twice == den_abs && floor % 2 == 0) {
                floor
            } else {
                floor + 1
            }
        }
    };
    i64::try_from(out).ok()
}

fn parse_fixed(text: &str, rounding: Option<Rounding>) -> Result<i64, TypesError> {
    let bad = |why: &'static str| TypesError::BadDecimal {
        text: text.to_string(),
        why,
    };
    let s = text.trim();
    if s.is_empty() {
        return Err(bad("empty"));
    }
    let (neg, digits) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    // Scientific notation (1e-05) appears in some exports; accept it exactly.
    let (mantissa, exp) = match digits.find(['e', 'E']) {
        Some(i) => {
            let e: i32 = digits[i + 1..].parse().map_err(|_| bad("bad exponent"))?;
            (&digits[..i], e)
        }
        None => (digits, 0),
    };
    let (int_part, frac_part) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(bad("no digits"));
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad("not a number"));
    }
    // All digits as one string with the decimal point moved by the exponent.
    let mut all: Vec<u8> = Vec::with_capacity(int_part.len() + frac_part.len());
    all.extend_from_slice(int_part.as_bytes());
    all.extend_from_slice(frac_part.as_bytes());
    let point = int_part.len() as i64 + exp as i64; // digits before the decimal point
    if !(-40..=40).contains(&point) {
        return Err(bad("exponent out of range"));
    }
    let mut units: i128 = 0;
    let mut rest_nonzero = false;
    let mut first_dropped: Option<u8> = None;
    let keep = point + DECIMALS as i64; // how many leading digits are kept
    for (i, &d) in all.iter().enumerate() {
        let v = (d - b'0') as i128;
        if (i as i64) < keep {
            units = units * 10 + v;
            if units > i64::MAX as i128 {
                return Err(bad("out of the fixed-point range"));
            }
        } else if first_dropped.is_none() {
            first_dropped = Some(d - b'0');
        } else if v != 0 {
            rest_nonzero = true;
        }
    }
    // Pad when fewer digits than the scale were written.
    let have = all.len() as i64;
    if have < keep {
        for _ in 0..(keep - have) {
            units *= 10;
            if units > i64::MAX as i128 {
                return Err(bad("out of the fixed-point range"));
            }
        }
    }
    if let Some(fd) = first_dropped {
        let inexact = fd != 0 || rest_nonzero;
        if inexact {
            let Some(r) = rounding else {
                return Err(bad("more than 8 decimals"));
            };
            // Round the magnitude, then apply the sign: Down/Up are about the signed value.
            let round_up_mag = match (r, neg) {
                (Rounding::Down, false) | (Rounding::Up, true) => false,
                (Rounding::Down, true) | (Rounding::Up, false) => true,
                (Rounding::HalfEven, _) => fd > 5 || (fd == 5 && (rest_nonzero || units % 2 == 1)),
            };
            if round_up_mag {
                units += 1;
            }
        }
    }
    let signed = if neg { -units } else { units };
    i64::try_from(signed).map_err(|_| bad("out of the fixed-point range"))
}

fn fmt_fixed(raw: i64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let neg = raw < 0;
    let mag = (raw as i128).abs();
    let int = mag / SCALE as i128;
    let frac = mag % SCALE as i128;
    let mut s = String::with_capacity(24);
    if neg {
        s.push('-');
    }
    s.push_str(&int.to_string());
    if frac != 0 {
        let digits = format!("{frac:08}");
        s.push('.');
        s.push_str(digits.trim_end_matches('0'));
    }
    f.pad(&s)
}

macro_rules! fixed_type {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// Zero.
            pub const ZERO: Self = Self(0);
            /// One whole unit (10⁸ raw).
            pub const ONE: Self = Self(SCALE);
            /// The largest representable value.
            pub const MAX: Self = Self(i64::MAX);

            /// From a raw count of 10⁻⁸ units.
            pub const fn from_raw(raw: i64) -> Self {
                Self(raw)
            }
            /// The raw count of 10⁻⁸ units.
            pub const fn raw(self) -> i64 {
                self.0
            }
            /// From a whole number of units. Panics if out of range (a programmer error).
            pub const fn from_int(v: i64) -> Self {
                match v.checked_mul(SCALE) {
                    Some(r) => Self(r),
                    None => panic!(concat!($what, " overflow")),
                }
            }
            /// Parses a decimal, rounding digits past the 8th as asked (strict parsing,
            /// which refuses them, is `str::parse`).
            pub fn parse_rounded(text: &str, rounding: Rounding) -> Result<Self, TypesError> {
                parse_fixed(text, Some(rounding)).map(Self)
            }
            /// Checked addition.
            pub fn checked_add(self, o: Self) -> Option<Self> {
                self.0.checked_add(o.0).map(Self)
            }
            /// Checked subtraction.
            pub fn checked_sub(self, o: Self) -> Option<Self> {
                self.0.checked_sub(o.0).map(Self)
            }
            /// Absolute value.
            #[inline]
            pub fn abs(self) -> Self {
                Self(self.0.checked_abs().expect(concat!($what, " overflow")))
            }
            /// True when the value is strictly above zero.
            pub const fn is_positive(self) -> bool {
                self.0 > 0
            }
            /// True when the value is strictly below zero.
            pub const fn is_negative(self) -> bool {
                self.0 < 0
            }
            /// True when zero.
            pub const fn is_zero(self) -> bool {
                self.0 == 0
            }
            /// `self × num / den` on raw values, rounded as asked; `None` on overflow or a zero
            /// denominator.
            pub fn mul_div(self, num: i64, den: i64, rounding: Rounding) -> Option<Self> {
                mul_div(self.0, num, den, rounding).map(Self)
            }
            /// Lossy conversion for reports and charts only — never for results.
            pub fn to_f64(self) -> f64 {
                self.0 as f64 / SCALE as f64
            }
            /// The smaller of two values.
            #[inline]
            pub fn min_of(self, o: Self) -> Self {
                if o.0 < self.0 { o } else { self }
            }
            /// The larger of two values.
            #[inline]
            pub fn max_of(self, o: Self) -> Self {
                if o.0 > self.0 { o } else { self }
            }
        }

        impl Add for $name {
            type Output = Self;
            #[inline]
            fn add(self, o: Self) -> Self {
                Self(self.0.checked_add(o.0).expect(concat!($what, " overflow")))
            }
        }
        impl Sub for $name {
            type Output = Self;
            #[inline]
            fn sub(self, o: Self) -> Self {
                Self(self.0.checked_sub(o.0).expect(concat!($what, " overflow")))
            }
        }
        impl AddAssign for $name {
            #[inline]
            fn add_assign(&mut self, o: Self) {
                *self = *self + o;
            }
        }
        impl SubAssign for $name {
            #[inline]
            fn sub_assign(&mut self, o: Self) {
                *self = *self - o;
            }
        }
        impl Neg for $name {
            type Output = Self;
            #[inline]
            fn neg(self) -> Self {
                Self(self.0.checked_neg().expect(concat!($what, " overflow")))
            }
        }
        impl std::iter::Sum for $name {
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold(Self::ZERO, |a, b| a + b)
            }
        }
        impl FromStr for $name {
            type Err = TypesError;
            fn from_str(s: &str) -> Result<Self, TypesError> {
                parse_fixed(s, None).map(Self)
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt_fixed(self.0, f)
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "("))?;
                fmt_fixed(self.0, f)?;
                write!(f, ")")
            }
        }
    };
}

fixed_type!(
    /// A price in quote currency per unit of base (or per contract), 10⁻⁸ resolution.
    Price, "Price"
);
fixed_type!(
    /// A quantity in base units or contracts, 10⁻⁸ resolution. Signed where it is a position.
    Qty, "Qty"
);
fixed_type!(
    /// An amount of money in the settlement currency, 10⁻⁸ resolution.
    Money, "Money"
);
fixed_type!(
    /// A dimensionless rate or ratio (funding rate, maintenance margin rate, long/short ratio),
    /// 10⁻⁸ resolution: `Rate` 0.004 is 0.4 %.
    Rate, "Rate"
);

impl Price {
    /// The notional `price × qty` as money, rounded as asked.
    #[inline]
    pub fn notional(self, qty: Qty, rounding: Rounding) -> Money {
        Money(mul_div(self.0, qty.0, SCALE, rounding).expect("notional overflow"))
    }
    /// The notional `price × qty`, or `None` when it does not fit the fixed-point range.
    pub fn checked_notional(self, qty: Qty, rounding: Rounding) -> Option<Money> {
        mul_div(self.0, qty.0, SCALE, rounding).map(Money)
    }
    /// `price × rate`, or `None` when it does not fit the fixed-point range.
    pub fn checked_mul_rate(self, rate: Rate, rounding: Rounding) -> Option<Price> {
        mul_div(self.0, rate.0, SCALE, rounding).map(Price)
    }
    /// `price × rate` (e.g. index × (1 + premium)), rounded as asked.
    #[inline]
    pub fn mul_rate(self, rate: Rate, rounding: Rounding) -> Price {
        Price(mul_div(self.0, rate.0, SCALE, rounding).expect("price overflow"))
    }
}

impl Money {
    /// `money × rate`, rounded as asked.
    #[inline]
    pub fn mul_rate(self, rate: Rate, rounding: Rounding) -> Money {
        Money(mul_div(self.0, rate.0, SCALE, rounding).expect("money overflow"))
    }
    /// `money ÷ qty` as a price, rounded as asked; `None` when qty is zero.
    pub fn per_qty(self, qty: Qty, rounding: Rounding) -> Option<Price> {
        mul_div(self.0, SCALE, qty.0, rounding).map(Price)
    }
    /// `money ÷ price` as a quantity, rounded as asked; `None` when price is zero.
    #[inline]
    pub fn per_price(self, price: Price, rounding: Rounding) -> Option<Qty> {
        mul_div(self.0, SCALE, price.0, rounding).map(Qty)
    }
    /// `money ÷ n`, rounded as asked (e.g. initial margin = notional ÷ leverage).
    #[inline]
    pub fn div_int(self, n: i64, rounding: Rounding) -> Option<Money> {
        mul_div(self.0, 1, n, rounding).map(Money)
    }
}

impl Qty {
    /// `qty × rate`, rounded as asked (e.g. a 20 % slice of a position).
    pub fn mul_rate(self, rate: Rate, rounding: Rounding) -> Qty {
        Qty(mul_div(self.0, rate.0, SCALE, rounding).expect("qty overflow"))
    }
}

impl Rate {
    /// `a ÷ b` as a rate, rounded as asked; `None` when `b` is zero.
    pub fn ratio(a: i64, b: i64, rounding: Rounding) -> Option<Rate> {
        mul_div(a, SCALE, b, rounding).map(Rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(text: &str, expect: &str) {
        let got = match text.parse::<Price>() {
            Ok(p) => p.to_string(),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expect, "parsing {text:?}");
    }

    #[test]
    fn parses_and_prints_exactly() {
        check("101516.5", "101516.5");
        check("121737.53736410", "121737.5373641");
        check("0.00012359", "0.00012359");
        check("-0.0030", "-0.003");
        check("1e-05", "0.00001");
        check("6.02", "6.02");
        check("  42 ", "42");
        check(".5", "0.5");
        check(
            "NaN",
            "error: expected a decimal number with at most 8 decimals, found \"NaN\": not a number",
        );
        check(
            "inf",
            "error: expected a decimal number with at most 8 decimals, found \"inf\": not a number",
        );
        check(
            "",
            "error: expected a decimal number with at most 8 decimals, found \"\": empty",
        );
        check("1.123456789", "error: expected a decimal number with at most 8 decimals, found \"1.123456789\": more than 8 decimals");
        check("1.1234567800000", "1.12345678");
        check("99999999999999", "error: expected a decimal number with at most 8 decimals, found \"99999999999999\": out of the fixed-point range");
    }

    #[test]
    fn rounds_excess_decimals_as_asked() {
        let r = |s: &str, m| Price::parse_rounded(s, m).unwrap().to_string();
        assert_eq!(r("118886.556783564", Rounding::HalfEven), "118886.55678356");
        assert_eq!(r("0.000000015", Rounding::HalfEven), "0.00000002");
        assert_eq!(r("0.000000025", Rounding::HalfEven), "0.00000002");
        assert_eq!(r("-0.000000015", Rounding::Down), "-0.00000002");
        assert_eq!(r("-0.000000015", Rounding::Up), "-0.00000001");
    }

    #[test]
    fn mul_div_rounds_both_signs() {
        assert_eq!(mul_div(7, 1, 2, Rounding::Down), Some(3));
        assert_eq!(mul_div(-7, 1, 2, Rounding::Down), Some(-4));
        assert_eq!(mul_div(-7, 1, 2, Rounding::Up), Some(-3));
        assert_eq!(mul_div(7, 1, -2, Rounding::Down), Some(-4));
        assert_eq!(mul_div(5, 1, 2, Rounding::HalfEven), Some(2));
        assert_eq!(mul_div(7, 1, 2, Rounding::HalfEven), Some(4));
        assert_eq!(mul_div(-5, 1, 2, Rounding::HalfEven), Some(-2));
        assert_eq!(mul_div(1, 1, 0, Rounding::Down), None);
        assert_eq!(mul_div(i64::MAX, 2, 1, Rounding::Down), None);
    }

    #[test]
    fn floor_div_rem_edges() {
        for num in [
            i128::MIN,
            i128::MIN + 1,
            i128::MAX,
            -1,
            0,
            1,
            i64::MIN as i128 - 1,
            i64::MAX as i128 + 1,
            -(SCALE as i128) << 64,
            ((SCALE as i128) << 64) - 1,
            i64::MIN as i128 * i64::MIN as i128,
            i64::MIN as i128 * i64::MAX as i128,
        ] {
            for den in [1, 3, SCALE, SCALE - 1, i64::MAX] {
                let d = den as i128;
                assert_eq!(
                    floor_div_rem(num, den),
                    (num.div_euclid(d), num.rem_euclid(d)),
                    "{num} / {den}"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(raw in any::<i64>()) {
            let p = Price::from_raw(raw);
            prop_assert_eq!(p.to_string().parse::<Price>().unwrap(), p);
        }

        #[test]
        fn floor_div_rem_is_div_euclid(a in any::<i64>(), b in any::<i64>(), c in 1i64..=i64::MAX, scale in any::<bool>()) {
            let num = a as i128 * b as i128;
            for den in [if scale { SCALE } else { c }, SCALE, c, 1, 7] {
                let d = den as i128;
                prop_assert_eq!(floor_div_rem(num, den), (num.div_euclid(d), num.rem_euclid(d)));
                let small = a as i128;
                prop_assert_eq!(floor_div_rem(small, den), (small.div_euclid(d), small.rem_euclid(d)));
            }
        }

        #[test]
        fn floor_le_halfeven_le_ceil(a in -1_000_000_000_000i64..1_000_000_000_000, b in -1_000_000_000i64..1_000_000_000, c in 1i64..1_000_000_000) {
            let d = mul_div(a, b, c, Rounding::Down).unwrap();
            let h = mul_div(a, b, c, Rounding::HalfEven).unwrap();
            let u = mul_div(a, b, c, Rounding::Up).unwrap();
            prop_assert!(d <= h && h <= u && u - d <= 1);
        }
    }
}
