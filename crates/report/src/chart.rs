//! Hand-written SVG line charts: time on x, one value axis on y, nice ticks, grid, legend,
//! shaded spans, markers with native tooltips (`<title>`). No scripts, no fonts to load.
//! Used by the run report's page and by the suite's page, so the two look alike.
//!
//! ```
//! use cascade_report::chart::{Chart, Series, Style, YFormat};
//! use cascade_types::Ts;
//! let mut c = Chart::new("Price", YFormat::Number, (0, Ts::NANOS_PER_MIN));
//! c.series.push(Series::new("last", "#0969da", Style::Line, vec![(0, 1.0), (Ts::NANOS_PER_MIN, 2.0)]));
//! assert!(c.render().starts_with("<svg"));
//! ```
//!
//! Long series are decimated per pixel column keeping the first, lowest, highest and last
//! point, so a crash wick survives however many points the run recorded.

use cascade_types::Ts;
use std::fmt::Write;

const MARGIN_LEFT: f64 = 78.0;
const MARGIN_RIGHT: f64 = 16.0;
const MARGIN_TOP: f64 = 34.0;
const MARGIN_BOTTOM: f64 = 38.0;
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

/// How y values are labelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YFormat {
    /// Plain number with thousands separators.
    Number,
    /// Compact: 1.2k, 3.4M, 5.6B.
    Compact,
    /// A fraction shown as a percentage (0.01 → 1%).
    Percent,
    /// A multiple: 2.5x.
    Times,
}

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// A polyline.
    Line,
    /// A step line (value holds until the next point).
    Step,
    /// A polyline filled down (or up) to zero.
    Area,
    /// Vertical bars from zero, summed per pixel column.
    Bars,
}

/// One series.
#[derive(Clone, Debug)]
pub struct Series {
    /// Name, shown in the legend.
    pub name: String,
    /// Stroke (or fill) colour, CSS syntax.
    pub color: &'static str,
    /// How it is drawn.
    pub style: Style,
    /// Dashed stroke.
    pub dashed: bool,
    /// Stroke width in pixels.
    pub width: f64,
    /// (time in ns since the epoch, value); a NaN value is a gap.
    pub points: Vec<(i64, f64)>,
}

impl Series {
    /// A solid series of width 1.6.
    pub fn new(name: &str, color: &'static str, style: Style, points: Vec<(i64, f64)>) -> Self {
        Series {
            name: name.to_string(),
            color,
            style,
            dashed: false,
            width: 1.6,
            points,
        }
    }
    /// Dashed.
    pub fn dashed(mut self) -> Self {
        self.dashed = true;
        self
    }
    /// With stroke width `w`.
    pub fn width(mut self, w: f64) -> Self {
        self.width = w;
        self
    }
}

/// A marker shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shape {
    /// ▲
    Up,
    /// ▼
    Down,
    /// ✕
    Cross,
    /// ◆
    Diamond,
}

/// A marker at (time, value) with a tooltip.
#[derive(Clone, Debug)]
pub struct Marker {
    /// Time, ns since the epoch.
    pub x: i64,
    /// Value.
    pub y: f64,
    /// Shape.
    pub shape: Shape,
    /// Colour, CSS syntax.
    pub color: &'static str,
    /// Tooltip.
    pub title: String,
}

/// A shaded time span (e.g. the crash window).
#[derive(Clone, Debug)]
pub struct Span {
    /// Start, ns since the epoch.
    pub x0: i64,
    /// End, ns since the epoch.
    pub x1: i64,
    /// Colour, CSS syntax.
    pub color: &'static str,
    /// Label drawn at its top left.
    pub label: String,
}

/// A chart.
#[derive(Clone, Debug)]
pub struct Chart {
    /// Title, drawn top left.
    pub title: String,
    /// Width in pixels.
    pub width: f64,
    /// Height in pixels.
    pub height: f64,
    /// How y values are labelled.
    pub y_format: YFormat,
    /// Whether the y axis always includes zero.
    pub include_zero: bool,
    /// The time range drawn (ns since the epoch).
    pub x_range: (i64, i64),
    /// The series, drawn in order.
    pub series: Vec<Series>,
    /// Markers (at most one per pixel column, shape and colour is drawn).
    pub markers: Vec<Marker>,
    /// Legend entries for markers: (shape, color, label).
    pub marker_legend: Vec<(Shape, &'static str, String)>,
    /// Shaded time spans, behind everything.
    pub spans: Vec<Span>,
}

/// HTML/XML escaping of text and attribute values.
pub fn esc(s: &str) -> String {
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

/// A "nice" step (1, 2, 2.5 or 5 × 10ⁿ) giving about `target` intervals over `span`.
pub(crate) fn nice_step(span: f64, target: f64) -> f64 {
    let raw = (span / target).max(f64::MIN_POSITIVE);
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let f = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 2.5 {
        2.5
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    f * mag
}

/// Decimals needed to show multiples of `step` exactly.
fn decimals_for(step: f64) -> usize {
    let mut d = 0;
    while d < 10
        && ((step * 10f64.powi(d as i32)).round() - step * 10f64.powi(d as i32)).abs() > 1e-6
    {
        d += 1;
    }
    d
}

pub(crate) fn group_thousands(int_part: &str) -> String {
    let (sign, digits) = int_part
        .strip_prefix('-')
        .map_or(("", int_part), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// A number with `decimals` decimals and thousands separators.
pub(crate) fn fmt_num(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    };
    match s.split_once('.') {
        Some((i, f)) => format!("{}.{f}", group_thousands(i)),
        None => group_thousands(&s),
    }
}

fn fmt_compact(v: f64, step: f64) -> String {
    let a = v.abs().max(step.abs());
    let (div, suffix) = if a >= 1e9 {
        (1e9, "B")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e3 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    format!("{}{suffix}", fmt_num(v / div, decimals_for(step / div)))
}

fn fmt_y(v: f64, step: f64, f: YFormat) -> String {
    match f {
        YFormat::Number => fmt_num(v, decimals_for(step)),
        YFormat::Compact => fmt_compact(v, step),
        YFormat::Percent => format!("{}%", fmt_num(v * 100.0, decimals_for(step * 100.0))),
        YFormat::Times => format!("{}x", fmt_num(v, decimals_for(step))),
    }
}

const TIME_STEPS_S: [i64; 22] = [
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
    172_800, 345_600, 604_800, 2_592_000,
];

/// Time ticks (aligned to UTC multiples of the step) and whether labels need seconds.
fn time_ticks(x0: i64, x1: i64, max_ticks: i64) -> (i64, Vec<i64>) {
    let span = (x1 - x0).max(1);
    let step_s = TIME_STEPS_S
        .iter()
        .copied()
        .find(|s| span / (s * Ts::NANOS_PER_SEC) <= max_ticks)
        .unwrap_or(2_592_000);
    let step = step_s * Ts::NANOS_PER_SEC;
    let first = x0.div_euclid(step) * step + if x0.rem_euclid(step) == 0 { 0 } else { step };
    let ticks = (0..=max_ticks + 1)
        .map(|k| first + k * step)
        .take_while(|&t| t <= x1)
        .collect();
    (step, ticks)
}

fn time_label(t: i64, step: i64) -> (String, String) {
    let (_, mo, d, h, mi, s, _) = Ts(t).to_civil();
    let date = format!("{mo:02}-{d:02}");
    if step < Ts::NANOS_PER_MIN {
        (format!("{h:02}:{mi:02}:{s:02}"), date)
    } else if step < Ts::NANOS_PER_DAY {
        (format!("{h:02}:{mi:02}"), date)
    } else {
        (date.clone(), String::new())
    }
}

fn shape_path(shape: Shape, x: f64, y: f64, r: f64) -> String {
    match shape {
        Shape::Up => format!(
            "M{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z",
            x,
            y - r,
            x + r,
            y + r * 0.8,
            x - r,
            y + r * 0.8
        ),
        Shape::Down => format!(
            "M{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z",
            x,
            y + r,
            x + r,
            y - r * 0.8,
            x - r,
            y - r * 0.8
        ),
        Shape::Cross => format!(
            "M{:.1} {:.1}L{:.1} {:.1}M{:.1} {:.1}L{:.1} {:.1}",
            x - r,
            y - r,
            x + r,
            y + r,
            x - r,
            y + r,
            x + r,
            y - r
        ),
        Shape::Diamond => format!(
            "M{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z",
            x,
            y - r * 1.2,
            x + r,
            y,
            x,
            y + r * 1.2,
            x - r,
            y
        ),
    }
}

fn shape_svg(shape: Shape, color: &str, x: f64, y: f64, r: f64) -> String {
    let d = shape_path(shape, x, y, r);
    if shape == Shape::Cross {
        format!(r#"<path d="{d}" stroke="{color}" stroke-width="2.2" fill="none"/>"#)
    } else {
        format!(r##"<path d="{d}" fill="{color}" stroke="#fff" stroke-width="0.8"/>"##)
    }
}

/// Keeps, per pixel column, the first, lowest, highest and last points (in time order).
fn decimate(points: &[(i64, f64)], x0: i64, x1: i64, columns: usize) -> Vec<(i64, f64)> {
    if points.len() <= columns * 4 {
        return points.to_vec();
    }
    let span = (x1 - x0).max(1) as f64;
    let col = |x: i64| (((x - x0) as f64 / span) * columns as f64).floor() as i64;
    let mut out = Vec::with_capacity(columns * 4);
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

/// Sums bar values per pixel column.
fn bucket_sums(points: &[(i64, f64)], x0: i64, x1: i64, columns: usize) -> Vec<(i64, f64)> {
    let span = (x1 - x0).max(1) as f64;
    let mut out: Vec<(i64, f64)> = Vec::new();
    let mut last_col = i64::MIN;
    for &(x, v) in points {
        let c = (((x - x0) as f64 / span) * columns as f64).floor() as i64;
        match out.last_mut() {
            Some(p) if c == last_col => p.1 += v,
            _ => out.push((x, v)),
        }
        last_col = c;
    }
    out
}

impl Chart {
    /// An empty chart of `title` over `x_range`, 1100 × 260 px.
    pub fn new(title: &str, y_format: YFormat, x_range: (i64, i64)) -> Self {
        Chart {
            title: title.to_string(),
            width: 1100.0,
            height: 260.0,
            y_format,
            include_zero: false,
            x_range,
            series: Vec::new(),
            markers: Vec::new(),
            marker_legend: Vec::new(),
            spans: Vec::new(),
        }
    }

    /// True when nothing would be drawn.
    pub fn is_empty(&self) -> bool {
        self.series
            .iter()
            .all(|s| s.points.iter().all(|p| p.1.is_nan()))
    }

    /// Renders the chart as an `<svg>` element.
    pub fn render(&self) -> String {
        let (w, h) = (self.width, self.height);
        let (pl, pr, pt, pb) = (MARGIN_LEFT, w - MARGIN_RIGHT, MARGIN_TOP, h - MARGIN_BOTTOM);
        let (x0, x1) = (self.x_range.0, self.x_range.1.max(self.x_range.0 + 1));
        let columns = (pr - pl).max(1.0) as usize;

        // Points to draw, decimated; bars summed per column.
        // Points to draw: bars summed per column; lines split at gaps (NaN) and decimated.
        let drawn: Vec<Vec<Vec<(i64, f64)>>> = self
            .series
            .iter()
            .map(|s| match s.style {
                Style::Bars => vec![bucket_sums(&s.points, x0, x1, columns)],
                _ => s
                    .points
                    .split(|p| p.1.is_nan())
                    .filter(|seg| !seg.is_empty())
                    .map(|seg| decimate(seg, x0, x1, columns))
                    .collect(),
            })
            .collect();

        // Y range over everything drawn.
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        let mut zero_anchored = self.include_zero;
        for (s, segs) in self.series.iter().zip(&drawn) {
            for &(_, v) in segs.iter().flatten() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
            if matches!(s.style, Style::Bars | Style::Area) {
                zero_anchored = true;
            }
        }
        for m in &self.markers {
            lo = lo.min(m.y);
            hi = hi.max(m.y);
        }
        if !lo.is_finite() || !hi.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        if zero_anchored {
            lo = lo.min(0.0);
            hi = hi.max(0.0);
        }
        if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
            let pad = if hi == 0.0 { 1.0 } else { hi.abs() * 0.01 };
            (lo, hi) = (lo - pad, hi + pad);
        } else {
            // Breathing room so lines and markers do not run along the frame; a zero bound
            // of an anchored chart stays on the frame.
            let pad = (hi - lo) * 0.05;
            if !(zero_anchored && lo == 0.0) {
                lo -= pad;
            }
            if !(zero_anchored && hi == 0.0) {
                hi += pad;
            }
        }
        let step = nice_step(hi - lo, 5.0);
        let (ylo, yhi) = ((lo / step).floor() * step, (hi / step).ceil() * step);
        let sx = |x: i64| pl + (x - x0) as f64 / (x1 - x0) as f64 * (pr - pl);
        let sy = |v: f64| pb - (v - ylo) / (yhi - ylo) * (pb - pt);

        let mut o = String::new();
        let _ = write!(
            o,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-family="{FONT}" font-size="11" role="img" aria-label="{}">"#,
            esc(&self.title)
        );
        let _ = write!(
            o,
            r##"<rect x="0" y="0" width="{w}" height="{h}" fill="#fff"/>"##
        );
        let _ = write!(
            o,
            r##"<text x="{pl}" y="18" font-size="13" font-weight="600" fill="#1f2328">{}</text>"##,
            esc(&self.title)
        );

        // Shaded spans, behind everything.
        for s in &self.spans {
            let (a, b) = (sx(s.x0.max(x0)), sx(s.x1.min(x1)));
            if b > a {
                let _ = write!(
                    o,
                    r#"<rect class="span" x="{a:.1}" y="{pt}" width="{:.1}" height="{:.1}" fill="{}" opacity="0.10"/>"#,
                    b - a,
                    pb - pt,
                    s.color
                );
                let _ = write!(
                    o,
                    r#"<text x="{:.1}" y="{:.1}" fill="{}" font-size="10">{}</text>"#,
                    a + 4.0,
                    pt + 12.0,
                    s.color,
                    esc(&s.label)
                );
            }
        }

        // Y grid and labels.
        let mut v = ylo;
        let mut guard = 0;
        while v <= yhi + step * 1e-6 && guard < 50 {
            let y = sy(v);
            let zero = v.abs() < step * 1e-6;
            let _ = write!(
                o,
                r##"<line x1="{pl}" y1="{y:.1}" x2="{pr}" y2="{y:.1}" stroke="{}" stroke-width="1"/>"##,
                if zero && ylo < 0.0 {
                    "#8c959f"
                } else {
                    "#eaeef2"
                }
            );
            let _ = write!(
                o,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="#57606a">{}</text>"##,
                pl - 6.0,
                y + 3.5,
                esc(&fmt_y(if zero { 0.0 } else { v }, step, self.y_format))
            );
            v += step;
            guard += 1;
        }

        // X grid and labels.
        let (tstep, ticks) = time_ticks(x0, x1, ((pr - pl) / 95.0).floor() as i64);
        let mut last_date = String::new();
        for (k, &t) in ticks.iter().enumerate() {
            let x = sx(t);
            let _ = write!(
                o,
                r##"<line x1="{x:.1}" y1="{pt}" x2="{x:.1}" y2="{pb}" stroke="#eaeef2" stroke-width="1"/>"##
            );
            let (label, date) = time_label(t, tstep);
            let _ = write!(
                o,
                r##"<text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="#57606a">{}</text>"##,
                pb + 14.0,
                esc(&label)
            );
            if !date.is_empty() && (k == 0 || date != last_date) {
                let _ = write!(
                    o,
                    r##"<text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="#8c959f" font-size="10">{}</text>"##,
                    pb + 27.0,
                    esc(&date)
                );
            }
            last_date = date;
        }
        // Axis frame.
        let _ = write!(
            o,
            r##"<rect x="{pl}" y="{pt}" width="{:.1}" height="{:.1}" fill="none" stroke="#d0d7de" stroke-width="1"/>"##,
            pr - pl,
            pb - pt
        );

        // Series, clipped to the plot area.
        let clip = format!("clip{}", fnv(&self.title));
        let _ = write!(
            o,
            r#"<clipPath id="{clip}"><rect x="{pl}" y="{pt}" width="{:.1}" height="{:.1}"/></clipPath><g clip-path="url(#{clip})">"#,
            pr - pl,
            pb - pt
        );
        let y0 = sy(0.0_f64.clamp(ylo, yhi));
        for (s, segs) in self.series.iter().zip(&drawn) {
            match s.style {
                Style::Bars => {
                    let pts = &segs[0];
                    // Bars as wide as the closest two points allow, 1 to 12 px.
                    let gap = pts
                        .windows(2)
                        .map(|w| sx(w[1].0) - sx(w[0].0))
                        .fold(f64::INFINITY, f64::min);
                    let bw = if gap.is_finite() {
                        (gap * 0.7).clamp(1.0, 12.0)
                    } else {
                        4.0
                    };
                    let mut d = String::new();
                    for &(x, v) in pts {
                        let (a, b) = (y0, sy(v));
                        let _ = write!(
                            d,
                            "M{:.1} {:.1}V{:.1}h{bw:.1}V{:.1}Z",
                            sx(x) - bw / 2.0,
                            a,
                            b,
                            a
                        );
                    }
                    if !d.is_empty() {
                        let _ = write!(
                            o,
                            r#"<path class="bars" d="{d}" fill="{}" opacity="0.85"/>"#,
                            s.color
                        );
                    }
                }
                Style::Line | Style::Step | Style::Area => {
                    let mut d = String::new();
                    for pts in segs {
                        let mut prev_y = 0.0;
                        for (k, &(x, v)) in pts.iter().enumerate() {
                            let (px, py) = (sx(x), sy(v));
                            if k == 0 {
                                let _ = write!(d, "M{px:.1} {py:.1}");
                            } else if s.style == Style::Step {
                                let _ = write!(d, "L{px:.1} {prev_y:.1}L{px:.1} {py:.1}");
                            } else {
                                let _ = write!(d, "L{px:.1} {py:.1}");
                            }
                            prev_y = py;
                        }
                        if s.style == Style::Area {
                            let mut fill = String::new();
                            let (first, last) = (sx(pts[0].0), sx(pts[pts.len() - 1].0));
                            let start = d.rfind('M').expect("a segment starts with M");
                            let _ = write!(
                                fill,
                                "{}L{last:.1} {y0:.1}L{first:.1} {y0:.1}Z",
                                &d[start..]
                            );
                            let _ = write!(
                                o,
                                r#"<path d="{fill}" fill="{}" opacity="0.18" stroke="none"/>"#,
                                s.color
                            );
                        }
                    }
                    if d.is_empty() {
                        continue;
                    }
                    let dash = if s.dashed {
                        r#" stroke-dasharray="5 4""#
                    } else {
                        ""
                    };
                    let _ = write!(
                        o,
                        r#"<path class="series" d="{d}" fill="none" stroke="{}" stroke-width="{}" stroke-linejoin="round"{dash}/>"#,
                        s.color, s.width
                    );
                }
            }
        }
        o.push_str("</g>");

        // Markers: at most one per pixel column, shape and colour.
        let mut seen: Vec<(i64, Shape, &str)> = Vec::new();
        let mut shown = 0;
        for m in &self.markers {
            if m.x < x0 || m.x > x1 || shown >= 5000 {
                continue;
            }
            let key = (sx(m.x).round() as i64, m.shape, m.color);
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            shown += 1;
            let _ = write!(
                o,
                r#"<g class="marker">{}<title>{}</title></g>"#,
                shape_svg(m.shape, m.color, sx(m.x), sy(m.y), 5.0),
                esc(&m.title)
            );
        }

        // Legend, right-aligned in the title row.
        let mut items: Vec<String> = Vec::new();
        let mut widths: Vec<f64> = Vec::new();
        for s in self
            .series
            .iter()
            .filter(|s| s.points.iter().any(|p| !p.1.is_nan()))
        {
            let swatch = if s.style == Style::Bars {
                format!(
                    r#"<rect x="0" y="-5" width="14" height="8" fill="{}"/>"#,
                    s.color
                )
            } else {
                let dash = if s.dashed {
                    r#" stroke-dasharray="4 3""#
                } else {
                    ""
                };
                format!(
                    r#"<line x1="0" y1="-1" x2="14" y2="-1" stroke="{}" stroke-width="2.5"{dash}/>"#,
                    s.color
                )
            };
            items.push(format!(
                r##"{swatch}<text x="18" y="3" fill="#1f2328">{}</text>"##,
                esc(&s.name)
            ));
            widths.push(24.0 + 6.2 * s.name.chars().count() as f64);
        }
        for (shape, color, label) in &self.marker_legend {
            items.push(format!(
                r##"{}<text x="18" y="3" fill="#1f2328">{}</text>"##,
                shape_svg(*shape, color, 7.0, -1.0, 4.5),
                esc(label)
            ));
            widths.push(24.0 + 6.2 * label.chars().count() as f64);
        }
        let mut x = pr - widths.iter().sum::<f64>();
        for (item, wd) in items.iter().zip(&widths) {
            let _ = write!(
                o,
                r#"<g class="legend" transform="translate({x:.1},16)">{item}</g>"#
            );
            x += wd;
        }
        o.push_str("</svg>");
        o
    }
}

/// A stable small hash for element ids.
fn fnv(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ b as u32).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps_and_labels() {
        assert_eq!(nice_step(10.0, 5.0), 2.0);
        assert_eq!(nice_step(1234.0, 5.0), 250.0);
        assert_eq!(nice_step(0.0009, 5.0), 0.0002);
        assert_eq!(decimals_for(250.0), 0);
        assert_eq!(decimals_for(0.25), 2);
        assert_eq!(fmt_num(101516.5, 1), "101,516.5");
        assert_eq!(fmt_num(-1234567.0, 0), "-1,234,567");
        assert_eq!(fmt_num(-0.0, 0), "0");
        assert_eq!(fmt_y(0.0001, 0.00005, YFormat::Percent), "0.010%");
        assert_eq!(fmt_y(92_500.0, 2_500.0, YFormat::Compact), "92.5k");
        assert_eq!(fmt_y(2.5, 0.5, YFormat::Times), "2.5x");
    }

    #[test]
    fn time_ticks_are_aligned() {
        let h = Ts::NANOS_PER_HOUR;
        let x0 = Ts::parse_utc("2025-10-10T20:07:00Z").unwrap().nanos();
        let (step, ticks) = time_ticks(x0, x0 + 3 * h, 8);
        assert_eq!(step, 1_800_000_000_000);
        assert_eq!(Ts(ticks[0]).to_string(), "2025-10-10T20:30:00Z");
        assert_eq!(ticks.len(), 6);
        assert_eq!(time_label(ticks[0], step).0, "20:30");
    }

    #[test]
    fn decimation_keeps_extremes() {
        let pts: Vec<(i64, f64)> = (0..10_000)
            .map(|i| (i, if i == 5_003 { -100.0 } else { (i % 7) as f64 }))
            .collect();
        let d = decimate(&pts, 0, 10_000, 100);
        assert!(d.len() <= 400);
        assert!(d.contains(&(5_003, -100.0)));
        assert!(d.windows(2).all(|w| w[0].0 < w[1].0));
        let b = bucket_sums(&[(0, 1.0), (1, 2.0), (50, 4.0)], 0, 100, 10);
        assert_eq!(b, [(0, 3.0), (50, 4.0)]);
    }
}
