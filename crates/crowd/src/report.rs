//! Reports: the cascade report (instants and their rounds, as text) and the liquidation
//! heatmap as a self-contained `<svg>` (no scripts, fonts or external references) that a run
//! report can embed as is. Floats appear here for display only.

use crate::record::{Instant, Record};
use cascade_types::{Money, Side, Ts};
use std::fmt::Write;

/// Money for people: `$1.23B`, `$456.7M`, `$12.3k`, `$950` (display only).
pub(crate) fn fmt_money(m: Money) -> String {
    let v = m.to_f64();
    let a = v.abs();
    let sign = if v < 0.0 { "-" } else { "" };
    if a >= 1e9 {
        format!("{sign}${:.2}B", a / 1e9)
    } else if a >= 1e6 {
        format!("{sign}${:.1}M", a / 1e6)
    } else if a >= 1e3 {
        format!("{sign}${:.1}k", a / 1e3)
    } else {
        format!("{sign}${a:.0}")
    }
}

/// `HH:MM` (spans of an hour or more) or `HH:MM:SS`, UTC.
fn hhmm(ts: Ts, long_span: bool) -> String {
    let (_, _, _, h, mi, s, _) = ts.to_civil();
    if long_span {
        format!("{h:02}:{mi:02}")
    } else {
        format!("{h:02}:{mi:02}:{s:02}")
    }
}

fn instant_lines(s: &mut String, inst: &Instant) {
    let before = inst.mark_before.map_or("-".into(), |p| p.to_string());
    writeln!(
        s,
        "{}  mark before {before}, {} liquidated in {} round(s){}",
        inst.ts,
        fmt_money(inst.notional()),
        inst.rounds.len(),
        if inst.truncated {
            " (truncated at max_rounds)"
        } else {
            ""
        }
    )
    .unwrap();
    for r in &inst.rounds {
        writeln!(
            s,
            "    round {:>2}: mark {:>12}  {:>6} liquidations  long {:>12} short {:>12}  {:>9}  ADL {:>4} fills {:>12}  fund {}",
            r.round,
            r.price.to_string(),
            r.liquidations,
            r.long_qty.to_string(),
            r.short_qty.to_string(),
            fmt_money(r.notional),
            r.adl_fills,
            r.adl_qty.to_string(),
            r.fund
        )
        .unwrap();
    }
}

/// The cascade report: totals, then the `max_instants` instants with the most notional
/// liquidated, in time order, each round by round (round 0: what the recorded event itself
/// liquidated; rounds ≥ 1: impact rounds).
pub fn cascade_report(record: &Record, max_instants: usize) -> String {
    let mut s = String::new();
    let (mut long_n, mut short_n, mut crowd_n) = (Money::ZERO, Money::ZERO, 0usize);
    for l in &record.liquidations {
        match l.side {
            Side::Sell => long_n += l.notional,
            Side::Buy => short_n += l.notional,
        }
        crowd_n += l.crowd as usize;
    }
    let impact = record
        .instants
        .iter()
        .filter(|i| i.rounds.len() > 1)
        .count();
    let truncated = record.instants.iter().filter(|i| i.truncated).count();
    writeln!(
        s,
        "cascade report: {} instants with liquidations or ADL, {impact} with impact rounds (deepest {} rounds, {truncated} truncated)",
        record.instants.len(),
        record.max_rounds()
    )
    .unwrap();
    writeln!(
        s,
        "liquidations: {} steps ({crowd_n} of crowd accounts): longs {}, shorts {}",
        record.liquidations.len(),
        fmt_money(long_n),
        fmt_money(short_n)
    )
    .unwrap();
    let adl_crowd = record.adl.iter().filter(|a| a.victim_crowd).count();
    let adl_notional: Money = record
        .adl
        .iter()
        .map(|a| a.price.notional(a.qty, cascade_types::Rounding::HalfEven))
        .sum();
    writeln!(
        s,
        "ADL: {} fills ({adl_crowd} against crowd accounts), {}",
        record.adl.len(),
        fmt_money(adl_notional)
    )
    .unwrap();
    if let (Some(first), Some(last)) = (record.fund.first(), record.fund.last()) {
        let low = record
            .fund
            .iter()
            .map(|p| p.balance)
            .min()
            .expect("non-empty");
        writeln!(
            s,
            "insurance fund: {} at {} → {} at {} (low {})",
            first.balance, first.ts, last.balance, last.ts, low
        )
        .unwrap();
    }
    let st = &record.stats;
    writeln!(
        s,
        "crowd: {} positions opened ({} qty, {} at the mark, {} refused), {} closed voluntarily ({} refused), fees {}",
        st.opened, st.opened_qty, st.opened_at_mark, st.refused, st.closed_qty, st.close_refused, st.fees
    )
    .unwrap();
    if st.skipped_qty.is_positive() {
        writeln!(
            s,
            "crowd: {} not opened: one observation needed more than 50,000,000 positions",
            st.skipped_qty
        )
        .unwrap();
    }
    let mut idx: Vec<usize> = (0..record.instants.len()).collect();
    // Largest first, ties by time; then the kept ones back in time order.
    idx.sort_by(|&a, &b| {
        record.instants[b]
            .notional()
            .cmp(&record.instants[a].notional())
            .then(a.cmp(&b))
    });
    idx.truncate(max_instants);
    idx.sort_unstable();
    if !idx.is_empty() {
        writeln!(s, "the {} largest instants, in time order:", idx.len()).unwrap();
    }
    for &k in &idx {
        instant_lines(&mut s, &record.instants[k]);
    }
    let rest = record.instants.len() - idx.len();
    if rest > 0 {
        let shown: Money = idx.iter().map(|&k| record.instants[k].notional()).sum();
        let all: Money = record.instants.iter().map(Instant::notional).sum();
        writeln!(
            s,
            "… {rest} smaller instants not shown ({})",
            fmt_money(all - shown)
        )
        .unwrap();
    }
    s
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The liquidation heatmap over time as one self-contained `<svg>` of `width × height`
/// pixels: one column per snapshot, cells coloured by open crowd notional per liquidation
/// price (longs red, below the price; shorts teal, above it; opacity ∝ √notional), the mark
/// (line) with its range between snapshots (grey), and the largest modelled liquidation
/// instants as circles (area ∝ notional).
pub fn heatmap_svg(record: &Record, title: &str, width: u32, height: u32) -> String {
    let (w, h) = (width.max(320) as f64, height.max(200) as f64);
    let (ml, mr, mt, mb) = (78.0, 16.0, 34.0, 40.0);
    let (pw, ph) = (w - ml - mr, h - mt - mb);
    let mut s = String::new();
    writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="11">"#
    )
    .unwrap();
    writeln!(s, r##"<rect width="{w}" height="{h}" fill="#ffffff"/>"##).unwrap();
    writeln!(
        s,
        r##"<text x="{ml}" y="20" font-size="14" fill="#222">{}</text>"##,
        esc(title)
    )
    .unwrap();
    let snaps = &record.snapshots;
    if snaps.len() < 2 {
        writeln!(
            s,
            r##"<text x="{ml}" y="{}" fill="#666">no heatmap snapshots (fewer than two)</text></svg>"##,
            mt + ph / 2.0
        )
        .unwrap();
        return s;
    }
    let t0 = snaps[0].ts.nanos() as f64;
    let t1 = snaps[snaps.len() - 1].ts.nanos() as f64;
    let lo = snaps
        .iter()
        .map(|x| x.low.to_f64())
        .fold(f64::MAX, f64::min);
    let hi = snaps
        .iter()
        .map(|x| x.high.to_f64())
        .fold(f64::MIN, f64::max);
    let span = (hi - lo).max(hi * 0.01);
    let (ylo, yhi) = (lo - 0.35 * span, hi + 0.35 * span);
    let x_of = |t: f64| ml + (t - t0) / (t1 - t0) * pw;
    let y_of = |p: f64| mt + (yhi - p) / (yhi - ylo) * ph;
    // Cells: rows of 4 px, columns one per snapshot (the interval before it).
    let rows = (ph / 4.0).floor().max(1.0) as usize;
    let row_of = |p: f64| -> Option<usize> {
        if p < ylo || p >= yhi {
            return None;
        }
        Some((((yhi - p) / (yhi - ylo)) * rows as f64).floor() as usize)
    };
    let mut grid: Vec<Vec<(f64, f64)>> = Vec::with_capacity(snaps.len());
    let mut max_cell: f64 = 0.0;
    for snap in snaps {
        let mut col = vec![(0.0, 0.0); rows];
        for &(p, l, sh) in &snap.buckets {
            if let Some(r) = row_of(p.to_f64()).filter(|&r| r < rows) {
                col[r].0 += l.to_f64();
                col[r].1 += sh.to_f64();
            }
        }
        for c in &col {
            max_cell = max_cell.max(c.0).max(c.1);
        }
        grid.push(col);
    }
    let row_h = ph / rows as f64;
    for (k, col) in grid.iter().enumerate() {
        let xa = if k == 0 {
            ml
        } else {
            x_of(snaps[k - 1].ts.nanos() as f64)
        };
        let xb = x_of(snaps[k].ts.nanos() as f64);
        for (r, &(l, sh)) in col.iter().enumerate() {
            for (v, colour) in [(l, "#d6402b"), (sh, "#17918a")] {
                if v <= 0.0 || max_cell <= 0.0 {
                    continue;
                }
                let o = (v / max_cell).sqrt().clamp(0.04, 1.0);
                writeln!(
                    s,
                    r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{colour}" fill-opacity="{o:.3}"/>"#,
                    xa,
                    mt + r as f64 * row_h,
                    (xb - xa).max(0.5),
                    row_h
                )
                .unwrap();
            }
        }
    }
    // The mark's range between snapshots, then the mark.
    for (k, snap) in snaps.iter().enumerate().skip(1) {
        let x = x_of(snap.ts.nanos() as f64);
        let xa = x_of(snaps[k - 1].ts.nanos() as f64);
        writeln!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#555" fill-opacity="0.18"/>"##,
            xa,
            y_of(snap.high.to_f64()),
            (x - xa).max(0.5),
            (y_of(snap.low.to_f64()) - y_of(snap.high.to_f64())).max(0.5)
        )
        .unwrap();
    }
    let pts: Vec<String> = snaps
        .iter()
        .map(|x| {
            format!(
                "{:.1},{:.1}",
                x_of(x.ts.nanos() as f64),
                y_of(x.mark.to_f64())
            )
        })
        .collect();
    writeln!(
        s,
        r##"<polyline points="{}" fill="none" stroke="#111" stroke-width="1.5"/>"##,
        pts.join(" ")
    )
    .unwrap();
    // The largest instants as circles at their mark after round 0… the last round.
    let mut inst: Vec<&Instant> = record
        .instants
        .iter()
        .filter(|i| {
            let t = i.ts.nanos() as f64;
            t >= t0 && t <= t1
        })
        .collect();
    inst.sort_by(|a, b| b.notional().cmp(&a.notional()).then(a.ts.cmp(&b.ts)));
    inst.truncate(200);
    let top = inst.first().map_or(0.0, |i| i.notional().to_f64());
    for i in inst.iter().rev() {
        let p = i.rounds.last().map_or(0.0, |r| r.price.to_f64());
        if top <= 0.0 || p <= 0.0 {
            continue;
        }
        let r = 2.0 + 10.0 * (i.notional().to_f64() / top).sqrt();
        writeln!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="{r:.1}" fill="#7a1fa2" fill-opacity="0.35" stroke="#7a1fa2" stroke-width="0.8"/>"##,
            x_of(i.ts.nanos() as f64),
            y_of(p)
        )
        .unwrap();
    }
    // Axes and labels.
    writeln!(
        s,
        r##"<rect x="{ml}" y="{mt}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>"##
    )
    .unwrap();
    // Price ticks at a round step (1, 2 or 5 × 10ᵏ), about six of them.
    let raw_step = (yhi - ylo) / 6.0;
    let mag = 10f64.powi(raw_step.log10().floor() as i32);
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw_step)
        .unwrap_or(10.0 * mag);
    let first = (ylo / step).ceil() as i64;
    let last = (yhi / step).floor() as i64;
    for k in first..=last {
        let p = k as f64 * step;
        let y = y_of(p);
        writeln!(
            s,
            r##"<line x1="{:.1}" y1="{y:.1}" x2="{ml}" y2="{y:.1}" stroke="#888"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#333">{:.0}</text>"##,
            ml - 4.0,
            ml - 6.0,
            y + 4.0,
            p
        )
        .unwrap();
    }
    // Time ticks at a round step of minutes, about six of them.
    let span_min = (t1 - t0) / 6e10;
    let step_min = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 240.0, 480.0, 1440.0,
    ]
    .into_iter()
    .find(|m| *m >= span_min / 8.0)
    .unwrap_or(1440.0);
    let step_ns = step_min * 6e10;
    let first_t = (t0 / step_ns).ceil() as i64;
    let last_t = (t1 / step_ns).floor() as i64;
    for k in first_t..=last_t {
        let t = k as f64 * step_ns;
        let x = x_of(t);
        writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#888"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="#333">{}</text>"##,
            mt + ph,
            mt + ph + 4.0,
            mt + ph + 16.0,
            hhmm(Ts::from_nanos(t as i64), t1 - t0 >= 3.6e12)
        )
        .unwrap();
    }
    writeln!(
        s,
        r##"<text x="{:.1}" y="{:.1}" fill="#333"><tspan fill="#d6402b">&#9632;</tspan> longs' liquidation prices  <tspan fill="#17918a">&#9632;</tspan> shorts'  <tspan fill="#7a1fa2">&#9679;</tspan> modelled liquidation instants  &#8212; mark, grey: its range (UTC {} &#8594; {}, darkest cell {})</text>"##,
        ml,
        h - 8.0,
        snaps[0].ts,
        snaps[snaps.len() - 1].ts,
        fmt_money(Money::from_raw((max_cell * 1e8) as i64))
    )
    .unwrap();
    s.push_str("</svg>\n");
    s
}
