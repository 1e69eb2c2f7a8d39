//! The crash-centred numbers of a run ([`CrashStats`]): exposure at the crash start, the
//! de-risk lead time ([`Derisk`]) and the PnL over the crash window.

use crate::metrics::{exposure_at, ExposureAt};
use crate::record::EquitySample;
use crate::ser;
use crate::table::{fmt_duration_ns, fmt_pct};
use cascade_types::{Money, Rate, Rounding, Ts};
use serde::Serialize;

/// Whether, and how long before the crash, the strategy cut its exposure.
///
/// De-risked means gross exposure at or below a fraction (default ½) of its peak before the
/// crash start, continuously up to the crash start. The lead time runs from the first sample
/// of that final low-exposure stretch to the crash start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Derisk {
    /// De-risked this long before the crash start.
    Lead {
        /// Lead time in seconds.
        seconds: i64,
    },
    /// Exposure at the crash start was above the threshold.
    NotDerisked,
    /// Never exposed before the crash start.
    NeverExposed,
    /// The run has no crash window (or it starts before the first sample).
    NoCrash,
}

impl Derisk {
    /// A sentence for the text report; `fraction` is the de-risk threshold.
    pub fn describe(&self, fraction: Rate) -> String {
        let pct = fmt_pct(fraction.to_f64());
        match self {
            Derisk::Lead { .. } => format!(
                "{} before the crash start (gross exposure at most {pct} of its pre-crash peak since)",
                self.to_text()
            ),
            Derisk::NotDerisked => {
                format!("no: gross exposure above {pct} of its pre-crash peak at the crash start")
            }
            Derisk::NeverExposed => "never exposed before the crash".to_string(),
            Derisk::NoCrash => "-".to_string(),
        }
    }

    /// Short text for tables: `2h05m`, `no`, `flat`, `-`.
    pub fn to_text(&self) -> String {
        match self {
            Derisk::Lead { seconds } => {
                fmt_duration_ns(*seconds as i128 * i128::from(Ts::NANOS_PER_SEC))
            }
            Derisk::NotDerisked => "no".to_string(),
            Derisk::NeverExposed => "flat".to_string(),
            Derisk::NoCrash => "-".to_string(),
        }
    }
}

/// The de-risk lead time before `crash_start` (see [`Derisk`]).
pub fn derisk_lead(curve: &[EquitySample], crash_start: Ts, fraction: Rate) -> Derisk {
    let before = &curve[..curve.partition_point(|s| s.ts <= crash_start)];
    let Some(peak) = before.iter().map(|s| s.gross_exposure).max() else {
        return Derisk::NoCrash;
    };
    if !peak.is_positive() {
        return Derisk::NeverExposed;
    }
    let threshold = peak.mul_rate(fraction, Rounding::Down);
    let low = |s: &EquitySample| s.gross_exposure <= threshold;
    // The final stretch of low-exposure samples up to the crash start.
    let run = before.iter().rev().take_while(|s| low(s)).count();
    if run == 0 {
        return Derisk::NotDerisked;
    }
    let from = before[before.len() - run].ts;
    Derisk::Lead {
        seconds: (crash_start.nanos() - from.nanos()).div_euclid(Ts::NANOS_PER_SEC),
    }
}

/// What the strategy did around the scenario's crash window.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CrashStats {
    /// The crash window.
    #[serde(serialize_with = "ser::opt_window")]
    pub window: Option<(Ts, Ts)>,
    /// Exposure at the crash start.
    pub exposure_at_start: Option<ExposureAt>,
    /// De-risk lead time.
    pub derisk: Derisk,
    /// The fraction of the pre-crash peak exposure that counts as de-risked.
    #[serde(serialize_with = "ser::display")]
    pub derisk_fraction: Rate,
    /// Equity change over the window (equity at its end minus at its start).
    #[serde(serialize_with = "ser::opt_display")]
    pub pnl: Option<Money>,
}

impl CrashStats {
    /// Computes the crash numbers of an equity curve.
    pub fn new(curve: &[EquitySample], window: Option<(Ts, Ts)>, derisk_fraction: Rate) -> Self {
        let Some((start, end)) = window else {
            return CrashStats {
                window,
                exposure_at_start: None,
                derisk: Derisk::NoCrash,
                derisk_fraction,
                pnl: None,
            };
        };
        let at_start = exposure_at(curve, start);
        let pnl = match (at_start, exposure_at(curve, end)) {
            (Some(a), Some(b)) => Some(b.equity - a.equity),
            _ => None,
        };
        CrashStats {
            window,
            exposure_at_start: at_start,
            derisk: derisk_lead(curve, start, derisk_fraction),
            derisk_fraction,
            pnl,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(min: i64, gross: &str) -> EquitySample {
        EquitySample {
            ts: Ts::from_secs(min * 60).unwrap(),
            equity: Money::from_int(1000),
            gross_exposure: gross.parse().unwrap(),
            net_exposure: Money::ZERO,
        }
    }

    #[test]
    fn derisk_lead_times() {
        let half = Rate::from_raw(cascade_types::SCALE / 2);
        let crash = Ts::from_secs(60 * 60).unwrap();
        // 3000 peak, cut to 1000 at minute 20, up to 1400 at 40 (still ≤ 1500): lead 40 min.
        let c = [
            s(0, "3000"),
            s(20, "1000"),
            s(40, "1400"),
            s(60, "1400"),
            s(70, "0"),
        ];
        assert_eq!(
            derisk_lead(&c, crash, half),
            Derisk::Lead { seconds: 40 * 60 }
        );
        // Back above half the peak at minute 50: lead 10 min from the cut at 50.
        let c = [s(0, "3000"), s(20, "1000"), s(40, "2000"), s(50, "100")];
        assert_eq!(
            derisk_lead(&c, crash, half),
            Derisk::Lead { seconds: 10 * 60 }
        );
        // Exactly at the threshold counts as de-risked; cut at the crash start: lead 0.
        let c = [s(0, "3000"), s(60, "1500")];
        assert_eq!(derisk_lead(&c, crash, half), Derisk::Lead { seconds: 0 });
        let c = [s(0, "3000"), s(30, "1501")];
        assert_eq!(derisk_lead(&c, crash, half), Derisk::NotDerisked);
        let c = [s(0, "0"), s(30, "0"), s(70, "5000")];
        assert_eq!(derisk_lead(&c, crash, half), Derisk::NeverExposed);
        let c = [s(61, "1")];
        assert_eq!(derisk_lead(&c, crash, half), Derisk::NoCrash);
        assert_eq!(Derisk::Lead { seconds: 7500 }.to_text(), "2h05m");
    }
}
