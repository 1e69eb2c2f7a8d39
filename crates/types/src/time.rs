//! Simulated time: [`Ts`] is nanoseconds since the Unix epoch, UTC. It only ever comes from
//! event timestamps — nothing in cascade reads the wall clock to make a result.

use crate::TypesError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A point in time: nanoseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ts(pub i64);

const NS_PER_SEC: i64 = 1_000_000_000;

impl Ts {
    /// The epoch.
    pub const ZERO: Ts = Ts(0);
    /// The earliest representable time.
    pub const MIN: Ts = Ts(i64::MIN);
    /// The latest representable time.
    pub const MAX: Ts = Ts(i64::MAX);
    /// Nanoseconds in a second (durations are plain `i64` nanoseconds).
    pub const NANOS_PER_SEC: i64 = NS_PER_SEC;
    /// Nanoseconds in a minute.
    pub const NANOS_PER_MIN: i64 = 60 * NS_PER_SEC;
    /// Nanoseconds in an hour.
    pub const NANOS_PER_HOUR: i64 = 3_600 * NS_PER_SEC;
    /// Nanoseconds in a day.
    pub const NANOS_PER_DAY: i64 = 86_400 * NS_PER_SEC;

    /// From nanoseconds.
    pub const fn from_nanos(ns: i64) -> Ts {
        Ts(ns)
    }
    /// From microseconds; `None` on overflow.
    pub const fn from_micros(us: i64) -> Option<Ts> {
        match us.checked_mul(1_000) {
            Some(v) => Some(Ts(v)),
            None => None,
        }
    }
    /// From milliseconds; `None` on overflow.
    pub const fn from_millis(ms: i64) -> Option<Ts> {
        match ms.checked_mul(1_000_000) {
            Some(v) => Some(Ts(v)),
            None => None,
        }
    }
    /// From whole seconds; `None` on overflow.
    pub const fn from_secs(s: i64) -> Option<Ts> {
        match s.checked_mul(NS_PER_SEC) {
            Some(v) => Some(Ts(v)),
            None => None,
        }
    }
    /// Nanoseconds since the epoch.
    pub const fn nanos(self) -> i64 {
        self.0
    }
    /// Milliseconds since the epoch (floor).
    pub const fn millis(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }
    /// `self + ns`, saturating at the ends of the range.
    pub const fn plus_nanos(self, ns: i64) -> Ts {
        Ts(self.0.saturating_add(ns))
    }
    /// `self + s` seconds, saturating at the ends of the range.
    pub const fn plus_secs(self, s: i64) -> Ts {
        self.plus_nanos(Ts::secs(s))
    }
    /// `n` seconds as a duration in nanoseconds, saturating.
    pub const fn secs(n: i64) -> i64 {
        n.saturating_mul(NS_PER_SEC)
    }
    /// `n` minutes as a duration in nanoseconds, saturating.
    pub const fn mins(n: i64) -> i64 {
        n.saturating_mul(Ts::NANOS_PER_MIN)
    }
    /// `n` hours as a duration in nanoseconds, saturating.
    pub const fn hours(n: i64) -> i64 {
        n.saturating_mul(Ts::NANOS_PER_HOUR)
    }

    /// From a civil UTC date and time.
    pub fn from_civil(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32) -> Option<Ts> {
        if !(1..=12).contains(&mo)
            || d == 0
            || d > days_in_month(y, mo)
            || h > 23
            || mi > 59
            || s > 60
        {
            return None;
        }
        let days = days_from_civil(y, mo, d);
        let secs = days
            .checked_mul(86_400)?
            .checked_add((h * 3600 + mi * 60 + s) as i64)?;
        secs.checked_mul(NS_PER_SEC)?
            .checked_add(nanos as i64)
            .map(Ts)
    }

    /// The civil UTC date and time: (year, month, day, hour, minute, second, nanosecond).
    pub fn to_civil(self) -> (i64, u32, u32, u32, u32, u32, u32) {
        let secs = self.0.div_euclid(NS_PER_SEC);
        let nanos = self.0.rem_euclid(NS_PER_SEC) as u32;
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400) as u32;
        let (y, m, d) = civil_from_days(days);
        (y, m, d, sod / 3600, sod / 60 % 60, sod % 60, nanos)
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DD hh:mm[:ss[.fraction]]` or the same with a `T`
    /// separator, with an optional trailing `Z` or `+00:00`. Always UTC.
    pub fn parse_utc(text: &str) -> Result<Ts, TypesError> {
        let bad = || TypesError::BadTimestamp {
            text: text.to_string(),
        };
        let s = text.trim();
        let s = s
            .strip_suffix('Z')
            .or_else(|| s.strip_suffix("+00:00"))
            .unwrap_or(s);
        let b = s.as_bytes();
        let num = |r: std::ops::Range<usize>| -> Result<u32, TypesError> {
            let part = s.get(r).ok_or_else(bad)?;
            if part.is_empty() || !part.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            part.parse().map_err(|_| bad())
        };
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let (y, mo, d) = (num(0..4)? as i64, num(5..7)?, num(8..10)?);
        let (mut h, mut mi, mut sec, mut nanos) = (0, 0, 0, 0u32);
        if b.len() > 10 {
            if !(b[10] == b'T' || b[10] == b' ') || b.len() < 16 || b[13] != b':' {
                return Err(bad());
            }
            h = num(11..13)?;
            mi = num(14..16)?;
            if b.len() > 16 {
                if b[16] != b':' || b.len() < 19 {
                    return Err(bad());
                }
                sec = num(17..19)?;
                if b.len() > 19 {
                    if b[19] != b'.' || b.len() == 20 || b.len() > 29 {
                        return Err(bad());
                    }
                    let frac = &s[20..];
                    if !frac.bytes().all(|c| c.is_ascii_digit()) {
                        return Err(bad());
                    }
                    nanos = format!("{frac:0<9}").parse().map_err(|_| bad())?;
                }
            }
        }
        Ts::from_civil(y, mo, d, h, mi, sec, nanos).ok_or_else(bad)
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl fmt::Display for Ts {
    /// RFC 3339 with the fraction only as long as needed: `2025-10-10T21:20:00Z`,
    /// `2025-10-10T21:20:00.123Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s, ns) = self.to_civil();
        let mut out = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
        if ns != 0 {
            let frac = format!("{ns:09}");
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        out.push('Z');
        f.pad(&out)
    }
}

impl fmt::Debug for Ts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ts({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        // 10/10 BTCUSDT 1m bar with the low, from the Binance kline file.
        let t = Ts::from_millis(1_760_131_200_000).unwrap();
        assert_eq!(t.to_string(), "2025-10-10T21:20:00Z");
        assert_eq!(Ts::parse_utc("2025-10-10T21:20:00Z").unwrap(), t);
        assert_eq!(Ts::parse_utc("2025-10-10 21:20:00").unwrap(), t);
        assert_eq!(
            Ts::parse_utc("2025-10-22T09:36:42.306000")
                .unwrap()
                .to_string(),
            "2025-10-22T09:36:42.306Z"
        );
        assert_eq!(
            Ts::parse_utc("2020-02-29").unwrap().to_string(),
            "2020-02-29T00:00:00Z"
        );
        assert!(Ts::parse_utc("2021-02-29").is_err());
        assert!(Ts::parse_utc("2025-13-01").is_err());
        assert!(Ts::parse_utc("yesterday").is_err());
        assert_eq!(
            Ts::from_nanos(-1).to_string(),
            "1969-12-31T23:59:59.999999999Z"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(Ts::secs(90), 90 * Ts::NANOS_PER_SEC);
        assert_eq!(Ts::mins(-2), -120 * Ts::NANOS_PER_SEC);
        assert_eq!(Ts::hours(24), Ts::NANOS_PER_DAY);
        assert_eq!(Ts::secs(i64::MAX), i64::MAX);
        let t = Ts::parse_utc("2025-10-10T21:20:00Z").unwrap();
        assert_eq!(t.plus_secs(60).to_string(), "2025-10-10T21:21:00Z");
        assert_eq!(Ts::MAX.plus_secs(1), Ts::MAX);
    }

    #[test]
    fn civil_round_trip_over_centuries() {
        for days in (-800_000i64..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
