//! The suite as text: the scorecard table (the report crate's), the data each card used,
//! every entry against the baseline, and what was skipped or failed.

use crate::card::Card;
use crate::data::DataKind;
use crate::outcome::SuiteOutcome;
use cascade_report::{render_legend, render_scorecards, Scorecard};
use std::fmt::Write;

/// `scenario (data)`: how tables name a card's scenario, so every row says its data.
pub fn scenario_label(scenario: &str, data: DataKind) -> String {
    format!("{scenario} ({data})")
}

/// Left-aligned first two columns, the rest right-aligned, two spaces apart.
pub(crate) fn columns(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (k, c) in r.iter().enumerate() {
            width[k] = width[k].max(c.chars().count());
        }
    }
    let mut out = String::new();
    let head: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for r in std::iter::once(&head).chain(rows) {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(k, c)| {
                if k < 2 {
                    format!("{c:<w$}", w = width[k])
                } else {
                    format!("{c:>w$}", w = width[k])
                }
            })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    out
}

/// A fraction as a percentage with two decimals (`-` when unknown; never `-0.00%`).
pub(crate) fn pct(x: Option<f64>) -> String {
    x.map_or("-".to_string(), |x| {
        let p = x * 100.0;
        if p.abs() < 0.005 {
            "0.00%".to_string()
        } else {
            format!("{p:.2}%")
        }
    })
}

/// The scorecards with the entry label as the strategy and `scenario (data)` as the
/// scenario ([`SuiteOutcome::label`]), in table order ([`SuiteOutcome::table_order`]).
pub(crate) fn labelled(o: &SuiteOutcome) -> Vec<Scorecard> {
    o.table_order()
        .into_iter()
        .map(|c: &Card| Scorecard {
            strategy: c.entry.clone(),
            scenario: o.label(&c.scenario, c.data),
            ..c.scorecard.clone()
        })
        .collect()
}

/// Every entry against the baseline entry on the same scenario and data; empty without a
/// baseline.
pub fn comparison_rows(o: &SuiteOutcome) -> Vec<Vec<String>> {
    let Some(base) = &o.baseline else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for c in o.table_order().into_iter().filter(|c| &c.entry != base) {
        let Some(b) = o.card(base, &c.scenario, c.data) else {
            continue;
        };
        let (x, y) = (&c.scorecard, &b.scorecard);
        let dd_better = x.max_drawdown < y.max_drawdown;
        rows.push(vec![
            c.entry.clone(),
            o.label(&c.scenario, c.data),
            format!("{} vs {}", pct(x.total_return), pct(y.total_return)),
            format!(
                "{} vs {}{}",
                pct(Some(-x.max_drawdown)),
                pct(Some(-y.max_drawdown)),
                if dd_better { " (smaller)" } else { "" }
            ),
            format!("{} vs {}", x.derisk.to_text(), y.derisk.to_text()),
            format!("{} vs {}", x.liquidations, y.liquidations),
        ]);
    }
    rows
}

/// The whole suite as text: what a terminal shows and `score.txt` holds.
pub fn render_text(o: &SuiteOutcome) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "cascade scoring suite: {} entries x {} scenarios -> {} cards, {} skipped, {} failed\n",
        o.entries.len(),
        o.scenarios.len(),
        o.cards.len(),
        o.skipped.len(),
        o.failures.len()
    );
    if !o.cards.is_empty() {
        out.push_str(&render_scorecards(&labelled(o)));
        out.push('\n');
        out.push_str(&render_legend());
    }
    let _ = writeln!(out, "\ndata");
    for d in &o.datasets {
        let _ = writeln!(
            out,
            "  {}: {} ({} events{})",
            o.label(&d.scenario, d.kind),
            d.description,
            d.events,
            d.content_hash
                .as_ref()
                .map_or(String::new(), |h| format!(", log {h}"))
        );
        for f in &d.files {
            let _ = writeln!(out, "    {f}");
        }
        for n in &d.notes {
            let _ = writeln!(out, "    {n}");
        }
    }
    let rows = comparison_rows(o);
    if let (Some(base), false) = (&o.baseline, rows.is_empty()) {
        let _ = writeln!(
            out,
            "\nagainst the baseline {base} (same scenario, same data)"
        );
        out.push_str(&columns(
            &[
                "entry",
                "scenario",
                "return",
                "max drawdown",
                "de-risk lead",
                "liquidations",
            ],
            &rows,
        ));
    }
    if !o.skipped.is_empty() {
        let _ = writeln!(out, "\nskipped");
        for s in &o.skipped {
            let mut what = match s.data {
                Some(d) => o.label(&s.scenario, d),
                None => s.scenario.clone(),
            };
            if let Some(e) = &s.entry {
                what = format!("{e} on {what}");
            }
            let _ = writeln!(out, "  {what}: {}", s.reason);
        }
    }
    if !o.failures.is_empty() {
        let _ = writeln!(out, "\nFAILED");
        for f in &o.failures {
            let _ = writeln!(out, "  {}", f.error);
        }
    }
    out
}
