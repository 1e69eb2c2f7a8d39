//! The plain-text report: stable, aligned, meant for terminals and insta snapshots.

use crate::metrics::{Drawdown, ExposureAt};
use crate::report::Report;
use std::fmt::Write;

/// `0.1234` as `12.34%` (no `-0.00%`).
pub(crate) fn fmt_pct(x: f64) -> String {
    let v = x * 100.0;
    if v.abs() < 0.005 {
        "0.00%".to_string()
    } else {
        format!("{v:.2}%")
    }
}

/// A float with fixed decimals, or `-`.
pub(crate) fn fmt_opt_f64(x: Option<f64>, decimals: usize) -> String {
    match x {
        Some(v) if v.abs() < 0.5 * 10f64.powi(-(decimals as i32)) => {
            format!("{:.*}", decimals, 0.0)
        }
        Some(v) => format!("{v:.decimals$}"),
        None => "-".to_string(),
    }
}

/// A duration: `45s`, `12m30s`, `2h05m`, `3d04h`.
pub(crate) fn fmt_duration_ns(ns: i128) -> String {
    let neg = ns < 0;
    let s = ns.abs() / 1_000_000_000;
    let body = if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else if s < 86_400 {
        format!("{}h{:02}m", s / 3600, s / 60 % 60)
    } else {
        format!("{}d{:02}h", s / 86_400, s / 3600 % 24)
    };
    if neg {
        format!("-{body}")
    } else {
        body
    }
}

/// Nanoseconds as `850ns`, `1.2µs`, `3.40ms`, `1.20s` (for latency).
pub(crate) fn fmt_ns(ns: u64) -> String {
    let x = ns as f64;
    if ns < 1_000 {
        format!("{ns}ns")
    } else if ns < 1_000_000 {
        format!("{:.1}µs", x / 1e3)
    } else if ns < 1_000_000_000 {
        format!("{:.2}ms", x / 1e6)
    } else {
        format!("{:.2}s", x / 1e9)
    }
}

/// A column-aligned table: the first two columns left-aligned, the rest right-aligned.
pub(crate) struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    left: usize,
}

impl Table {
    pub(crate) fn new(header: &[&str]) -> Self {
        Table {
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
            left: 2,
        }
    }

    pub(crate) fn left_columns(mut self, n: usize) -> Self {
        self.left = n;
        self
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        assert_eq!(
            cells.len(),
            self.header.len(),
            "a row has one cell per column"
        );
        self.rows.push(cells);
    }

    pub(crate) fn render(&self) -> String {
        let n = self.header.len();
        let width: Vec<usize> = (0..n)
            .map(|c| {
                std::iter::once(&self.header)
                    .chain(&self.rows)
                    .map(|r| r[c].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        let line = |out: &mut String, cells: &[String]| {
            let mut l = String::new();
            for (c, cell) in cells.iter().enumerate() {
                if c > 0 {
                    l.push_str("  ");
                }
                let pad = width[c] - cell.chars().count();
                if c < self.left {
                    l.push_str(cell);
                    l.extend(std::iter::repeat_n(' ', pad));
                } else {
                    l.extend(std::iter::repeat_n(' ', pad));
                    l.push_str(cell);
                }
            }
            out.push_str(l.trim_end());
            out.push('\n');
        };
        line(&mut out, &self.header);
        let total: usize = width.iter().sum::<usize>() + 2 * n.saturating_sub(1);
        out.push_str(&"-".repeat(total));
        out.push('\n');
        for r in &self.rows {
            line(&mut out, r);
        }
        out
    }
}

const LABEL: usize = 18;

fn kv(out: &mut String, label: &str, value: impl std::fmt::Display) {
    writeln!(out, "  {label:<LABEL$}{value}").expect("writing to a String");
}

fn heading(out: &mut String, title: &str) {
    out.push('\n');
    out.push_str(title);
    out.push('\n');
}

fn drawdown_line(d: &Drawdown) -> String {
    if !d.value.is_positive() {
        return "none".to_string();
    }
    let rec = d
        .recovered_ts
        .map_or("not recovered".to_string(), |t| format!("recovered {t}"));
    format!(
        "{} ({}): peak {} at {}, trough {} at {}, {}",
        fmt_pct(-d.fraction),
        -d.value,
        d.peak_equity,
        d.peak_ts,
        d.trough_equity,
        d.trough_ts,
        rec
    )
}

fn exposure_line(e: &ExposureAt) -> String {
    format!(
        "gross {}, net {}, leverage {} (sample at {})",
        e.gross,
        e.net,
        e.leverage.map_or("-".to_string(), |l| format!("{l:.2}x")),
        e.ts
    )
}

/// The report as text. Results only: no wall-clock timings (see
/// [`render_latency`](crate::render_latency) for those), so it can be pinned in snapshots.
pub fn render_text(r: &Report) -> String {
    let (meta, m) = (&r.meta, &r.metrics);
    let mut out = String::new();
    let title = format!(
        "cascade report: {} on {}",
        meta.strategy,
        meta.scenario.as_deref().unwrap_or("(no scenario)")
    );
    out.push_str(&title);
    out.push('\n');
    out.push_str(&"=".repeat(title.chars().count()));
    out.push('\n');

    heading(&mut out, "run");
    kv(&mut out, "strategy", &meta.strategy);
    let params: Vec<String> = meta
        .params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    kv(
        &mut out,
        "params",
        if params.is_empty() {
            "(none)".to_string()
        } else {
            params.join(" ")
        },
    );
    kv(
        &mut out,
        "scenario",
        meta.scenario.as_deref().unwrap_or("-"),
    );
    kv(&mut out, "venue", &meta.venue);
    if let Some((a, b)) = meta.window {
        kv(&mut out, "window", format!("{a} -> {b}"));
    }
    kv(&mut out, "events", meta.events);
    for (i, f) in meta.inputs.iter().enumerate() {
        kv(
            &mut out,
            if i == 0 { "inputs" } else { "" },
            format!("{}  {}", f.path, f.hash),
        );
    }
    kv(&mut out, "run hash", &meta.run_hash);
    if !meta.notes.is_empty() {
        heading(&mut out, "notes");
        for n in &meta.notes {
            kv(&mut out, &n.topic, &n.text);
        }
    }

    heading(&mut out, "returns");
    kv(
        &mut out,
        "period",
        format!(
            "{} -> {} ({})",
            m.start,
            m.end,
            fmt_duration_ns(m.end.nanos() as i128 - m.start.nanos() as i128)
        ),
    );
    kv(&mut out, "initial equity", m.initial_equity);
    kv(&mut out, "final equity", m.final_equity);
    kv(
        &mut out,
        "total return",
        m.total_return.map_or("-".to_string(), fmt_pct),
    );

    heading(&mut out, "pnl split");
    let p = &m.pnl;
    let mut t = Table::new(&["", "pnl"]).left_columns(1);
    for (k, v) in [
        ("trading", p.trading),
        ("fees", p.fees),
        ("funding", p.funding),
        ("liquidation", p.liquidation),
        ("adl", p.adl),
        ("total", p.total),
    ] {
        t.row(vec![format!("  {k}"), v.to_string()]);
    }
    // Drop the header and rule: the section title says what the column is.
    out.extend(t.render().lines().skip(2).map(|l| format!("{l}\n")));

    heading(&mut out, "drawdown");
    kv(
        &mut out,
        "deepest in %",
        drawdown_line(&m.drawdown.max_fraction),
    );
    if m.drawdown.max_value != m.drawdown.max_fraction {
        kv(
            &mut out,
            "deepest in value",
            drawdown_line(&m.drawdown.max_value),
        );
    }

    let k = &m.risk;
    heading(
        &mut out,
        &format!(
            "risk ({} returns, annualised over a 365-day year, risk-free 0)",
            fmt_duration_ns((k.interval_s * 1e9) as i128)
        ),
    );
    kv(&mut out, "returns", k.returns);
    kv(
        &mut out,
        "mean / stdev",
        format!("{:.6} / {:.6}", k.mean, k.stdev),
    );
    kv(&mut out, "sharpe", k.cell(k.sharpe));
    kv(&mut out, "sortino", k.cell(k.sortino));

    let e = &m.exposure;
    heading(&mut out, "exposure");
    kv(&mut out, "mean gross", e.mean_gross);
    kv(
        &mut out,
        "mean leverage",
        format!("{:.2}x (net {:.2}x)", e.mean_leverage, e.mean_net_leverage),
    );
    kv(&mut out, "max leverage", format!("{:.2}x", e.max_leverage));
    kv(&mut out, "time in market", fmt_pct(e.time_in_market));
    kv(&mut out, "at the end", exposure_line(&e.last));

    heading(&mut out, "crash");
    match r.crash.window {
        Some((a, b)) => {
            kv(&mut out, "window", format!("{a} -> {b}"));
            kv(
                &mut out,
                "at crash start",
                r.crash
                    .exposure_at_start
                    .as_ref()
                    .map_or("-".to_string(), exposure_line),
            );
            kv(
                &mut out,
                "de-risk lead",
                r.crash.derisk.describe(r.crash.derisk_fraction),
            );
            kv(
                &mut out,
                "pnl in window",
                r.crash.pnl.map_or("-".to_string(), |p| p.to_string()),
            );
        }
        None => kv(&mut out, "window", "- (not a scenario run)"),
    }

    let tr = &m.trading;
    heading(&mut out, "trading");
    kv(
        &mut out,
        "fills",
        format!("{} (maker {})", tr.fills, tr.maker_fills),
    );
    kv(&mut out, "volume", tr.volume);
    kv(&mut out, "fees paid", tr.fees_paid);
    kv(&mut out, "rebates", tr.rebates);

    let l = &m.liquidations;
    heading(&mut out, "liquidations suffered");
    kv(
        &mut out,
        "steps",
        format!(
            "{} (partial {}, full {}, backstop {}, against ADL {})",
            l.count, l.partial, l.full, l.backstop, l.against_adl
        ),
    );
    kv(
        &mut out,
        "qty / notional",
        format!("{} / {}", l.qty, l.notional),
    );
    kv(&mut out, "fees", l.fees);
    kv(&mut out, "realised", l.realised);

    let a = &m.adl;
    heading(&mut out, "ADL suffered");
    kv(&mut out, "closes", a.count);
    kv(
        &mut out,
        "qty / notional",
        format!("{} / {}", a.qty, a.notional),
    );
    kv(&mut out, "realised", a.realised);

    let f = &m.funding;
    heading(&mut out, "funding");
    kv(&mut out, "payments", f.payments);
    kv(
        &mut out,
        "paid / received",
        format!("{} / {}", f.paid, f.received),
    );
    kv(&mut out, "net", f.net);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(fmt_pct(0.123456), "12.35%");
        assert_eq!(fmt_pct(-0.00001), "0.00%");
        assert_eq!(fmt_opt_f64(Some(-0.001), 2), "0.00");
        assert_eq!(fmt_opt_f64(Some(1.239), 2), "1.24");
        assert_eq!(fmt_opt_f64(None, 2), "-");
        assert_eq!(fmt_duration_ns(45_000_000_000), "45s");
        assert_eq!(fmt_duration_ns(750_000_000_000), "12m30s");
        assert_eq!(fmt_duration_ns(7_500_000_000_000), "2h05m");
        assert_eq!(fmt_duration_ns(-274_000_000_000_000), "-3d04h");
        assert_eq!(fmt_ns(850), "850ns");
        assert_eq!(fmt_ns(1_250), "1.2µs");
        assert_eq!(fmt_ns(3_400_000), "3.40ms");
        assert_eq!(fmt_ns(1_200_000_000), "1.20s");
        let mut t = Table::new(&["name", "kind", "n"]);
        t.row(vec!["a".into(), "bb".into(), "1".into()]);
        t.row(vec!["ccc".into(), "d".into(), "1000".into()]);
        assert_eq!(
            t.render(),
            "name  kind     n\n----------------\na     bb       1\nccc   d     1000\n"
        );
    }
}
