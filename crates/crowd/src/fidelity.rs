//! The fidelity table: modelled against recorded liquidations per interval (where the log has
//! recorded liquidations), and against published figures (given by the caller as numbers,
//! e.g. from the scenario catalogue).
//!
//! **Loss** ([`FidelityTable::loss`], used by calibration): over the intervals of the window
//! and both sides, with `m` the modelled and `r` the recorded liquidation notional,
//!
//! ```text
//! loss = 1 − 2·Σ √(m·r) / Σ (m + r)
//! ```
//!
//! — one minus the Bhattacharyya affinity of the two per-interval distributions of
//! liquidated notional: 0 when they agree interval by interval, 1 when they never overlap
//! (or one side is empty). It is scale-symmetric (modelling everything 4x too large costs as
//! much as 4x too small: 0.2), bounded, and uses only `+ × ÷ √`, which IEEE 754 rounds
//! exactly, so a fit is the same on every machine. Floats here are for fits and display only.

use crate::record::{IntervalTally, Record};
use crate::report::fmt_money;
use cascade_types::{Money, Ts};
use std::fmt::Write;

/// Which liquidations a published figure counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Longs and shorts.
    Total,
    /// Long liquidations (forced sells).
    Longs,
    /// Short liquidations (forced buys).
    Shorts,
}

/// A published figure to compare with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    /// What it is, e.g. "first 40 min, all venues and coins".
    pub label: String,
    /// Window start (inclusive).
    pub from: Ts,
    /// Window end (exclusive).
    pub to: Ts,
    /// The published value in quote currency.
    pub value: Money,
    /// Longs, shorts or both.
    pub scope: Scope,
    /// Where it comes from.
    pub source: String,
}

/// One interval of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FidelityRow {
    /// Interval start.
    pub start: Ts,
    /// Modelled and recorded liquidations in it.
    pub tally: IntervalTally,
}

/// A published figure next to the modelled value over its window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishedRow {
    /// The figure.
    pub figure: Published,
    /// Modelled liquidation notional in its window and scope.
    pub modelled: Money,
}

/// Modelled against recorded, per interval and against published figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FidelityTable {
    /// Interval length, in seconds.
    pub interval_s: u32,
    /// The window the rows and totals cover.
    pub window: (Ts, Ts),
    /// Intervals with any modelled or recorded liquidation, in time order.
    pub rows: Vec<FidelityRow>,
    /// Totals over the rows.
    pub totals: IntervalTally,
    /// The published comparisons.
    pub published: Vec<PublishedRow>,
}

/// Builds the table of `record` over `[from, to)` (the whole run with `None`), comparing with
/// `published`. `interval_s` must be the crowd's `fidelity_interval_s`.
pub fn fidelity_table(
    record: &Record,
    interval_s: u32,
    window: Option<(Ts, Ts)>,
    published: &[Published],
) -> FidelityTable {
    assert!(interval_s > 0, "an interval has a length");
    let ns = interval_s as i64 * Ts::NANOS_PER_SEC;
    let (from, to) = window.unwrap_or((Ts::MIN, Ts::MAX));
    let mut rows = Vec::new();
    let mut totals = IntervalTally::default();
    for (&k, t) in &record.intervals {
        let start = Ts::from_nanos(k.saturating_mul(ns));
        if start < from || start >= to {
            continue;
        }
        rows.push(FidelityRow { start, tally: *t });
        totals.modelled_long += t.modelled_long;
        totals.modelled_short += t.modelled_short;
        totals.modelled_count += t.modelled_count;
        totals.recorded_long += t.recorded_long;
        totals.recorded_short += t.recorded_short;
        totals.recorded_count += t.recorded_count;
    }
    let published = published
        .iter()
        .map(|p| {
            let (l, s) = record.liquidated_between(p.from, p.to);
            let modelled = match p.scope {
                Scope::Total => l + s,
                Scope::Longs => l,
                Scope::Shorts => s,
            };
            PublishedRow {
                figure: p.clone(),
                modelled,
            }
        })
        .collect();
    FidelityTable {
        interval_s,
        window: (from, to),
        rows,
        totals,
        published,
    }
}

impl FidelityTable {
    /// The calibration loss (module docs); `None` when the window holds no recorded
    /// liquidation (nothing to fit).
    pub fn loss(&self) -> Option<f64> {
        let (mut affinity, mut mass, mut recorded) = (0.0f64, 0.0f64, 0.0f64);
        for r in &self.rows {
            let t = &r.tally;
            for (m, x) in [
                (t.modelled_long, t.recorded_long),
                (t.modelled_short, t.recorded_short),
            ] {
                let (m, x) = (m.to_f64(), x.to_f64());
                affinity += (m * x).sqrt();
                mass += m + x;
                recorded += x;
            }
        }
        (recorded > 0.0).then(|| 1.0 - 2.0 * affinity / mass)
    }

    /// The table as text: one line per interval, totals, then the published figures.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let has_recorded = self.totals.recorded_count > 0;
        writeln!(
            s,
            "fidelity: modelled vs recorded liquidations per {} s interval",
            self.interval_s
        )
        .unwrap();
        writeln!(
            s,
            "{:<21} {:>10} {:>10} {:>7} {:>10} {:>10} {:>7}",
            "interval", "mod long", "mod short", "mod n", "rec long", "rec short", "rec n"
        )
        .unwrap();
        for r in &self.rows {
            let t = &r.tally;
            let (rl, rs) = if has_recorded {
                (fmt_money(t.recorded_long), fmt_money(t.recorded_short))
            } else {
                ("-".into(), "-".into())
            };
            writeln!(
                s,
                "{:<21} {:>10} {:>10} {:>7} {:>10} {:>10} {:>7}",
                r.start.to_string(),
                fmt_money(t.modelled_long),
                fmt_money(t.modelled_short),
                t.modelled_count,
                rl,
                rs,
                t.recorded_count
            )
            .unwrap();
        }
        let t = &self.totals;
        writeln!(
            s,
            "{:<21} {:>10} {:>10} {:>7} {:>10} {:>10} {:>7}",
            "total",
            fmt_money(t.modelled_long),
            fmt_money(t.modelled_short),
            t.modelled_count,
            fmt_money(t.recorded_long),
            fmt_money(t.recorded_short),
            t.recorded_count
        )
        .unwrap();
        match self.loss() {
            Some(l) => writeln!(s, "loss (1 − Bhattacharyya affinity): {l:.4}").unwrap(),
            None => writeln!(s, "loss: no recorded liquidations in the window").unwrap(),
        }
        if !self.published.is_empty() {
            writeln!(s, "against published figures:").unwrap();
            for p in &self.published {
                let f = &p.figure;
                let pct = if f.value.is_positive() {
                    format!("{:.1} %", 100.0 * p.modelled.to_f64() / f.value.to_f64())
                } else {
                    "-".into()
                };
                writeln!(
                    s,
                    "  {} [{} → {}, {:?}]: published {}, modelled {} ({pct} of published) — {}",
                    f.label,
                    f.from,
                    f.to,
                    f.scope,
                    fmt_money(f.value),
                    fmt_money(p.modelled),
                    f.source
                )
                .unwrap();
            }
        }
        s
    }
}
