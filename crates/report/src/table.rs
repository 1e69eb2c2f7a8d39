//! Text building blocks shared by every renderer: the column-aligned [`Table`] and the
//! number, percentage and duration formatters. Depends on nothing else in the crate.

use cascade_types::Ts;

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
    let s = ns.abs() / i128::from(Ts::NANOS_PER_SEC);
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
    } else if ns < Ts::NANOS_PER_SEC as u64 {
        format!("{:.2}ms", x / 1e6)
    } else {
        format!("{:.2}s", x / Ts::NANOS_PER_SEC as f64)
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
