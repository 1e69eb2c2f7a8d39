//! A small SVG line chart for the suite page: time on x, several series on one y axis, the
//! crash window shaded, markers with native tooltips. The report crate's chart module is
//! private to it, so this is the suite's own, drawn in the same style (same colours, fonts
//! and margins) so the pages look alike.
//!
//! Long series are decimated per pixel column, keeping the first, lowest, highest and last
//! point, so a crash wick survives.

use cascade_types::Ts;
use std::fmt::Write;

const W: f64 = 1100.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 34.0;
const BOTTOM: f64 = 38.0;
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

/// Colours for series, in order.
pub(crate) const PALETTE: &[&str] = &[
    "#0969da", "#cf222e", "#1a7f37", "#8250df", "#bc4c00", "#1b7c83", "#9a6700", "#57606a",
];

/// How y values are labelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum YFormat {
    /// Plain number with thousands separators.
    Number,
    /// A fraction shown as a percentage.
    Percent,
}

/// A line.
pub(crate) struct Line {
    pub name: String,
    pub color: &'static str,
    pub dashed: bool,
    pub points: Vec<(i64, f64)>,
}

/// A marker: ✕ (`cross`) or ◆.
pub(crate) struct Marker {
    pub x: i64,
    pub y: f64,
    pub cross: bool,
    pub color: &'static str,
    pub title: String,
}

/// A chart.
pub(crate) struct Chart {
    pub title: String,
    pub height: f64,
    pub y_format: YFormat,
    pub x_range: (i64, i64),
    pub span: Option<(i64, i64)>,
    pub lines: Vec<Line>,
    pub markers: Vec<Marker>,
}

/// HTML/XML escaping.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn nice_step(span: f64, target: f64) -> f64 {
    let raw = (span / target).max(f64::MIN_POSITIVE);
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn fmt_y(v: f64, step: f64, f: YFormat) -> String {
    match f {
        YFormat::Percent => {
            let decimals = if step * 100.0 >= 1.0 { 0 } else { 1 };
            format!("{:.*}%", decimals, v * 100.0)
        }
        YFormat::Number => {
            let decimals = if step >= 1.0 { 0 } else { 2 };
            let text = format!("{:.*}", decimals, v);
            let (int, frac) = match text.split_once('.') {
                Some((i, f)) => (i.to_string(), format!(".{f}")),
                None => (text.clone(), String::new()),
            };
            let (sign, digits) = match int.strip_prefix('-') {
                Some(d) => ("-", d.to_string()),
                None => ("", int),
            };
            let mut grouped = String::new();
            for (k, ch) in digits.chars().enumerate() {
                if k > 0 && (digits.len() - k) % 3 == 0 {
                    grouped.push(',');
                }
                grouped.push(ch);
            }
            format!("{sign}{grouped}{frac}")
        }
    }
}

fn decimate(points: &[(i64, f64)], x0: i64, x1: i64, columns: usize) -> Vec<(i64, f64)> {
    if points.len() <= 4 * columns {
        return points.to_vec();
    }
    let span = (x1 - x0).max(1) as f64;
    let col = |x: i64| (((x - x0) as f64 / span) * columns as f64).floor() as i64;
    let mut out = Vec::new();
    let mut i = 0;
    while i < points.len() {
        let c = col(points[i].0);
        let mut j = i;
        let (mut lo, mut hi) = (i, i);
        while j < points.len() && col(points[j].0) == c {
            if points[j].1 < points[lo].1 {
                lo = j;
            }
            if points[j].1 > points[hi].1 {
                hi = j;
            }
            j += 1;
        }
        let mut keep = [i, lo, hi, j - 1];
        keep.sort_unstable();
        let mut prev = usize::MAX;
        for k in keep {
            if k != prev {
                out.push(points[k]);
                prev = k;
            }
        }
        i = j;
    }
    out
}

/// Time ticks: a step from one minute to one day giving about eight ticks.
fn time_ticks(x0: i64, x1: i64) -> Vec<i64> {
    const MIN: i64 = 60_000_000_000;
    let steps = [1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].map(|m| m * MIN);
    let span = (x1 - x0).max(1);
    let step = steps
        .iter()
        .copied()
        .find(|s| span / s <= 9)
        .unwrap_or(1440 * MIN);
    let mut t = x0.div_euclid(step) * step;
    if t < x0 {
        t += step;
    }
    let mut out = Vec::new();
    while t <= x1 && out.len() < 32 {
        out.push(t);
        t += step;
    }
    out
}

fn fmt_time(ns: i64) -> String {
    let (_, mo, d, h, mi, ..) = Ts(ns).to_civil();
    if h == 0 && mi == 0 {
        format!("{mo:02}-{d:02}")
    } else {
        format!("{h:02}:{mi:02}")
    }
}

impl Chart {
    /// A chart of `title` over `x_range`.
    pub(crate) fn new(title: &str, y_format: YFormat, x_range: (i64, i64)) -> Chart {
        Chart {
            title: title.to_string(),
            height: 260.0,
            y_format,
            x_range: (x_range.0, x_range.1.max(x_range.0 + 1)),
            span: None,
            lines: Vec::new(),
            markers: Vec::new(),
        }
    }

    /// True when no line has a finite point.
    pub(crate) fn is_empty(&self) -> bool {
        self.lines
            .iter()
            .all(|l| l.points.iter().all(|p| !p.1.is_finite()))
    }

    /// The chart as an `<svg>` element.
    pub(crate) fn render(&self) -> String {
        let h = self.height;
        let (pl, pr, pt, pb) = (LEFT, W - RIGHT, TOP, h - BOTTOM);
        let (x0, x1) = self.x_range;
        let columns = (pr - pl) as usize;
        let drawn: Vec<Vec<(i64, f64)>> = self
            .lines
            .iter()
            .map(|l| {
                let finite: Vec<(i64, f64)> = l
                    .points
                    .iter()
                    .copied()
                    .filter(|p| p.1.is_finite() && p.0 >= x0 && p.0 <= x1)
                    .collect();
                decimate(&finite, x0, x1, columns)
            })
            .collect();
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for &(_, v) in drawn.iter().flatten() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        for m in &self.markers {
            if m.y.is_finite() {
                lo = lo.min(m.y);
                hi = hi.max(m.y);
            }
        }
        if !lo.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
            let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.01 };
            (lo, hi) = (lo - pad, hi + pad);
        }
        let pad = (hi - lo) * 0.06;
        let (lo, hi) = (lo - pad, hi + pad);
        let step = nice_step(hi - lo, 5.0);
        let sx = |x: i64| pl + (x - x0) as f64 / (x1 - x0) as f64 * (pr - pl);
        let sy = |y: f64| pb - (y - lo) / (hi - lo) * (pb - pt);

        let mut o = String::new();
        let _ = write!(
            o,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {h}" width="{W}" height="{h}" font-family="{FONT}" font-size="11">"#
        );
        let _ = write!(
            o,
            r##"<text x="{pl}" y="18" font-size="13" font-weight="600" fill="#1f2328">{}</text>"##,
            esc(&self.title)
        );
        if let Some((a, b)) = self.span {
            let (a, b) = (sx(a.max(x0)), sx(b.min(x1)));
            if b > a {
                let _ = write!(
                    o,
                    r##"<rect x="{a:.1}" y="{pt}" width="{:.1}" height="{:.1}" fill="#9a6700" fill-opacity="0.10"><title>crash window</title></rect>"##,
                    b - a,
                    pb - pt
                );
            }
        }
        let mut y = (lo / step).ceil() * step;
        while y <= hi {
            let py = sy(y);
            let _ = write!(
                o,
                r##"<line x1="{pl}" x2="{pr}" y1="{py:.1}" y2="{py:.1}" stroke="#eaeef2"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#57606a">{}</text>"##,
                pl - 6.0,
                py + 4.0,
                fmt_y(y, step, self.y_format)
            );
            y += step;
        }
        for t in time_ticks(x0, x1) {
            let px = sx(t);
            let _ = write!(
                o,
                r##"<line x1="{px:.1}" x2="{px:.1}" y1="{pt}" y2="{pb}" stroke="#f3f4f6"/><text x="{px:.1}" y="{:.1}" text-anchor="middle" fill="#57606a">{}</text>"##,
                pb + 16.0,
                fmt_time(t)
            );
        }
        let _ = write!(
            o,
            r##"<rect x="{pl}" y="{pt}" width="{:.1}" height="{:.1}" fill="none" stroke="#d0d7de"/>"##,
            pr - pl,
            pb - pt
        );
        for (l, pts) in self.lines.iter().zip(&drawn) {
            if pts.is_empty() {
                continue;
            }
            let mut d = String::new();
            for (k, &(x, v)) in pts.iter().enumerate() {
                let _ = write!(
                    d,
                    "{}{:.1},{:.1}",
                    if k == 0 { "M" } else { " L" },
                    sx(x),
                    sy(v)
                );
            }
            let _ = write!(
                o,
                r#"<path d="{d}" fill="none" stroke="{}" stroke-width="1.6"{}><title>{}</title></path>"#,
                l.color,
                if l.dashed {
                    r#" stroke-dasharray="5 3""#
                } else {
                    ""
                },
                esc(&l.name)
            );
        }
        for m in &self.markers {
            let (x, y) = (sx(m.x), sy(m.y));
            let shape = if m.cross {
                format!(
                    r#"<path d="M{:.1},{:.1} L{:.1},{:.1} M{:.1},{:.1} L{:.1},{:.1}" stroke="{c}" stroke-width="2.2"/>"#,
                    x - 5.0,
                    y - 5.0,
                    x + 5.0,
                    y + 5.0,
                    x - 5.0,
                    y + 5.0,
                    x + 5.0,
                    y - 5.0,
                    c = m.color
                )
            } else {
                format!(
                    r#"<path d="M{x:.1},{:.1} L{:.1},{y:.1} L{x:.1},{:.1} L{:.1},{y:.1} Z" fill="{}"/>"#,
                    y - 6.0,
                    x + 6.0,
                    y + 6.0,
                    x - 6.0,
                    m.color
                )
            };
            let _ = write!(o, "<g>{shape}<title>{}</title></g>", esc(&m.title));
        }
        // Legend, top right, right to left.
        let mut lx = pr;
        for l in self.lines.iter().rev() {
            let label = esc(&l.name);
            let w = 7.0 * l.name.chars().count() as f64 + 26.0;
            lx -= w;
            let _ = write!(
                o,
                r##"<line x1="{lx:.1}" x2="{:.1}" y1="14" y2="14" stroke="{}" stroke-width="2.5"{}/><text x="{:.1}" y="18" fill="#1f2328">{label}</text>"##,
                lx + 16.0,
                l.color,
                if l.dashed {
                    r#" stroke-dasharray="5 3""#
                } else {
                    ""
                },
                lx + 20.0
            );
        }
        o.push_str("</svg>");
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_decimates() {
        let pts: Vec<(i64, f64)> = (0..100_000)
            .map(|i| (i * 1_000_000_000, (i % 97) as f64))
            .collect();
        let kept = decimate(&pts, 0, 100_000 * 1_000_000_000, 1000);
        assert!(kept.len() <= 4000 && kept.len() > 1000);
        assert!(kept.iter().any(|p| p.1 == 96.0) && kept.iter().any(|p| p.1 == 0.0));
        let mut c = Chart::new("t <1>", YFormat::Percent, (0, 3_600_000_000_000));
        c.span = Some((600_000_000_000, 1_200_000_000_000));
        c.lines.push(Line {
            name: "a".into(),
            color: PALETTE[0],
            dashed: false,
            points: vec![(0, 0.0), (3_600_000_000_000, -0.25)],
        });
        let svg = c.render();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("t &lt;1&gt;") && svg.contains("crash window"));
        assert!(!c.is_empty());
        assert_eq!(fmt_y(1234567.0, 1000.0, YFormat::Number), "1,234,567");
        assert_eq!(fmt_y(-0.25, 0.05, YFormat::Percent), "-25%");
    }
}
