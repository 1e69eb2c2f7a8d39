//! The suite as one self-contained HTML page: the scorecard table, every entry against the
//! baseline, then one section per scenario and data set with a price chart and a chart of
//! every entry's return (liquidations ✕ and ADL ◆ marked), and what was skipped or failed.
//! No scripts, no external resources. Each card links to its run's own report page
//! ([`run_page_path`]), rendered by the report crate.

use crate::card::Card;
use crate::data::{DataInfo, DataKind};
use crate::outcome::SuiteOutcome;
use crate::text::{comparison_rows, pct};
use cascade_report::chart::{esc, Chart, Marker, Series, Shape, Span, Style, YFormat};
use cascade_report::scorecard_legend;
use cascade_types::{InstrumentKind, Output};
use std::fmt::Write;

/// Colours for the entries, in order.
const PALETTE: &[&str] = &[
    "#0969da", "#cf222e", "#1a7f37", "#8250df", "#bc4c00", "#1b7c83", "#9a6700", "#57606a",
];

/// The crash window, shaded as on the run pages.
fn crash_span(span: (i64, i64)) -> Span {
    Span {
        x0: span.0,
        x1: span.1,
        color: "#9a6700",
        label: "crash window".to_string(),
    }
}

const CSS: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2328;background:#f6f8fa;margin:0}
main{max-width:1132px;margin:0 auto;padding:24px 16px 48px}
h1{font-size:22px;margin:0 0 4px}
.sub{color:#57606a;font-size:13px;margin-bottom:14px}
h2{font-size:17px;margin:34px 0 6px}
h3{font-size:14px;margin:18px 0 8px;color:#1f2328}
.note{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:8px 12px;font-size:13px;margin:10px 0}
.badge{display:inline-block;font-size:11px;font-weight:600;padding:1px 7px;border-radius:10px;margin-left:8px;vertical-align:middle}
.badge.reconstruction{background:#fff8c5;color:#7d4e00;border:1px solid #d4a72c}
.badge.real{background:#dafbe1;color:#116329;border:1px solid #4ac26b}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:8px;margin-bottom:10px;overflow-x:auto}
.card svg{display:block;max-width:100%;height:auto}
table{border-collapse:collapse;font-size:12px;width:100%;font-variant-numeric:tabular-nums}
td,th{padding:3px 6px;border-bottom:1px solid #eaeef2;text-align:right;white-space:nowrap}
th{color:#57606a;font-weight:600}
td.l,th.l{text-align:left}
td.neg{color:#cf222e}td.pos{color:#1a7f37}
.meta{font-size:12px;color:#57606a;margin:2px 0}
.fail{color:#cf222e}
footer{color:#8c959f;font-size:12px;margin-top:28px}
a{color:#0969da;text-decoration:none}
";

/// Where a card's own report page goes, relative to the suite page:
/// `runs/<scenario>.<data>/<entry>.html`.
pub fn run_page_path(c: &Card) -> String {
    format!("runs/{}.{}/{}.html", c.scenario, c.data, c.entry)
}

fn badge(kind: DataKind) -> String {
    format!(r#"<span class="badge {kind}">{kind}</span>"#)
}

fn trim_flat_tail(points: &mut Vec<(i64, f64)>) {
    let Some(&(_, last)) = points.last() else {
        return;
    };
    let run = points.iter().rev().take_while(|p| p.1 == last).count();
    if run > 2 {
        points.truncate(points.len() - run + 1);
    }
}

fn tone(x: Option<f64>) -> &'static str {
    match x {
        Some(v) if v < 0.0 => " neg",
        Some(v) if v > 0.0 => " pos",
        _ => "",
    }
}

/// A table of cards; with `with_scenario` (the page's overview) it names each card's scenario
/// and data and leaves the run hash to the per-scenario tables.
fn card_table(o: &mut String, out: &SuiteOutcome, cards: &[&Card], with_scenario: bool) {
    o.push_str(r#"<div class="card"><table><tr><th class="l">entry</th>"#);
    if with_scenario {
        o.push_str(r#"<th class="l">scenario</th><th class="l">data</th>"#);
    }
    for h in [
        "return",
        "max dd",
        "sharpe",
        "sortino",
        "lev@crash",
        "de-risk",
        "crash pnl",
        "liqs",
        "adl qty",
        "funding",
        "fees",
        "slippage",
        "run hash",
    ]
    .iter()
    .take(if with_scenario { 12 } else { 13 })
    {
        let _ = write!(o, "<th>{h}</th>");
    }
    o.push_str("</tr>");
    for c in cards {
        let s = &c.scorecard;
        let _ = write!(
            o,
            r#"<tr><td class="l"><a href="{}">{}</a></td>"#,
            esc(&run_page_path(c)),
            esc(&c.entry)
        );
        if with_scenario {
            let _ = write!(
                o,
                r#"<td class="l">{}</td><td class="l">{}</td>"#,
                esc(&c.scenario),
                if c.data == DataKind::Reconstruction && out.real_covers_crash(&c.scenario) {
                    format!("{}, fallback", c.data)
                } else {
                    c.data.to_string()
                }
            );
        }
        let cells = [
            (pct(s.total_return), tone(s.total_return)),
            (pct(Some(-s.max_drawdown)), ""),
            (s.ratio_cell(s.sharpe), ""),
            (s.ratio_cell(s.sortino), ""),
            (
                s.leverage_at_crash
                    .map_or("-".into(), |x| format!("{x:.2}x")),
                "",
            ),
            (s.derisk.to_text(), ""),
            (
                s.crash_pnl.map_or("-".into(), |x| s.money(x)),
                tone(s.crash_pnl.map(|x| x.to_f64())),
            ),
            (
                s.liquidations.to_string(),
                if s.liquidations > 0 { " neg" } else { "" },
            ),
            (
                s.adl_qty.to_string(),
                if s.adl_events > 0 { " neg" } else { "" },
            ),
            (s.money(s.funding), tone(Some(s.funding.to_f64()))),
            (s.money(s.fees), ""),
            (s.money(s.slippage), ""),
            (c.run_hash.clone(), ""),
        ];
        // The run hash only where there is room: the per-scenario tables.
        let shown = if with_scenario { 12 } else { 13 };
        for (text, class) in cells.into_iter().take(shown) {
            let _ = write!(o, r#"<td class="{class}">{}</td>"#, esc(&text));
        }
        o.push_str("</tr>");
    }
    o.push_str("</table></div>");
}

/// The price chart of a data set: the perpetual's last and mark prices, and the spot's.
fn price_chart(first: &Card, x_range: (i64, i64), span: (i64, i64)) -> Chart {
    let r = &first.record;
    let mut c = Chart::new("Price", YFormat::Number, x_range);
    c.height = 280.0;
    c.spans.push(crash_span(span));
    for (i, spec) in r.instruments.iter().enumerate() {
        let of = |f: &dyn Fn(&cascade_report::MarketPoint) -> Option<f64>| -> Vec<(i64, f64)> {
            r.market
                .iter()
                .filter(|p| p.instrument.index() == i)
                .filter_map(|p| f(p).map(|v| (p.ts.nanos(), v)))
                .collect()
        };
        let mut last = of(&|p| p.last.map(|x| x.to_f64()));
        let mut mark = of(&|p| p.mark.map(|x| x.to_f64()));
        trim_flat_tail(&mut last);
        trim_flat_tail(&mut mark);
        let spot = spec.kind == InstrumentKind::Spot;
        if !last.is_empty() {
            c.series.push(Series::new(
                &format!(
                    "{} {} last",
                    spec.symbol,
                    if spot { "spot" } else { "perp" }
                ),
                if spot { "#1a7f37" } else { "#0969da" },
                Style::Line,
                last,
            ));
        }
        if !mark.is_empty() && !spot {
            c.series.push(
                Series::new(
                    &format!("{} mark", spec.symbol),
                    "#8c959f",
                    Style::Line,
                    mark,
                )
                .dashed(),
            );
        }
    }
    c
}

/// Every entry's return since the start (equity ÷ initial equity − 1), with its
/// liquidations and ADL.
fn return_chart(cards: &[&Card], x_range: (i64, i64), span: (i64, i64)) -> Chart {
    let mut c = Chart::new(
        "Return of each entry (liquidation ✕, ADL ◆)",
        YFormat::Percent,
        x_range,
    );
    c.height = 300.0;
    c.spans.push(crash_span(span));
    for (k, card) in cards.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let eq = &card.record.equity;
        let Some(first) = eq.first().map(|s| s.equity.to_f64()) else {
            continue;
        };
        if first <= 0.0 {
            continue;
        }
        let ret = |ts: cascade_types::Ts| {
            let i = eq.partition_point(|s| s.ts <= ts).saturating_sub(1);
            eq[i].equity.to_f64() / first - 1.0
        };
        c.series.push(Series::new(
            &card.entry,
            color,
            Style::Line,
            eq.iter()
                .map(|s| (s.ts.nanos(), s.equity.to_f64() / first - 1.0))
                .collect(),
        ));
        for o in &card.record.outputs {
            let (cross, what) = match o.output {
                Output::Liquidation {
                    account,
                    qty,
                    price,
                    ..
                } if card.record.owns(account) => (true, format!("liquidation {qty} @ {price}")),
                Output::Adl {
                    victim, qty, price, ..
                } if card.record.owns(victim) => (false, format!("ADL {qty} @ {price}")),
                _ => continue,
            };
            c.markers.push(Marker {
                x: o.ts.nanos(),
                y: ret(o.ts),
                shape: if cross { Shape::Cross } else { Shape::Diamond },
                color,
                title: format!("{}: {} {what}", card.entry, o.ts),
            });
        }
    }
    c
}

fn dataset_section(o: &mut String, out: &SuiteOutcome, d: &DataInfo) {
    let cards: Vec<&Card> = out
        .cards
        .iter()
        .filter(|c| c.scenario == d.scenario && c.data == d.kind)
        .collect();
    let info = out.scenarios.iter().find(|s| s.id == d.scenario);
    let title = info.map_or(d.scenario.as_str(), |s| s.title.as_str());
    let _ = write!(
        o,
        r#"<h2 id="{}">{}{}</h2>"#,
        esc(&format!("{}.{}", d.scenario, d.kind)),
        esc(title),
        badge(d.kind)
    );
    if d.kind == DataKind::Reconstruction && out.real_covers_crash(&d.scenario) {
        o.push_str(r#"<div class="meta"><b>Fallback:</b> real recorded data covers this crash window; its section comes first.</div>"#);
    }
    let _ = write!(o, r#"<div class="meta">{}</div>"#, esc(&d.description));
    if let Some(s) = info {
        let _ = write!(
            o,
            r#"<div class="meta">{} · venue {} · window {} → {} · crash window {} → {} · {} events{}</div>"#,
            esc(&s.file),
            esc(&s.venue),
            s.window[0],
            s.window[1],
            s.crash_window[0],
            s.crash_window[1],
            d.events,
            d.content_hash
                .as_ref()
                .map_or(String::new(), |h| format!(" · log {}", esc(h)))
        );
    }
    for line in d.files.iter().chain(&d.notes) {
        let _ = write!(o, r#"<div class="meta">{}</div>"#, esc(line));
    }
    let Some(first) = cards.first() else {
        o.push_str(r#"<p class="fail">no run of this data set succeeded</p>"#);
        return;
    };
    let r = &first.record;
    let span = r
        .meta
        .crash_window
        .map_or((0, 0), |(a, b)| (a.nanos(), b.nanos()));
    let (mut x0, mut x1) = (i64::MAX, i64::MIN);
    for c in &cards {
        for s in [c.record.equity.first(), c.record.equity.last()]
            .into_iter()
            .flatten()
        {
            x0 = x0.min(s.ts.nanos());
            x1 = x1.max(s.ts.nanos());
        }
    }
    let range = (x0, x1.max(x0 + 1));
    for chart in [
        price_chart(first, range, span),
        return_chart(&cards, range, span),
    ] {
        if !chart.is_empty() {
            let _ = write!(o, r#"<div class="card">{}</div>"#, chart.render());
        }
    }
    card_table(o, out, &cards, false);
}

/// The whole suite as one HTML page.
pub fn render_html(out: &SuiteOutcome) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>cascade — scoring suite</title><style>{CSS}</style></head><body><main>"#
    );
    o.push_str("<h1>cascade scoring suite</h1>");
    let _ = write!(
        o,
        r#"<div class="sub">{} entries × {} scenarios → {} cards · {} skipped · {} failed</div>"#,
        out.entries.len(),
        out.scenarios.len(),
        out.cards.len(),
        out.skipped.len(),
        out.failures.len()
    );
    if out
        .datasets
        .iter()
        .any(|d| d.kind == DataKind::Reconstruction)
    {
        o.push_str(r#"<div class="note">Cards marked <b>reconstruction</b> ran on a scenario's seeded <b>synthetic</b> events, rebuilt from the reset's published figures — not on recorded market data. Cards marked <b>real</b> ran on recorded files.</div>"#);
    }
    if !out.failures.is_empty() {
        o.push_str(r#"<h3 class="fail">Failed</h3><div class="card"><table>"#);
        for f in &out.failures {
            let _ = write!(
                o,
                r#"<tr><td class="l fail">{}</td></tr>"#,
                esc(&f.error.to_string())
            );
        }
        o.push_str("</table></div>");
    }
    o.push_str("<h3>Entries</h3><div class=\"card\"><table><tr><th class=\"l\">entry</th><th class=\"l\">strategy</th><th class=\"l\">parameters</th><th class=\"l\">about</th></tr>");
    for e in &out.entries {
        let _ = write!(
            o,
            r#"<tr><td class="l">{}</td><td class="l">{}</td><td class="l">{}</td><td class="l">{}</td></tr>"#,
            esc(&e.label),
            esc(&e.strategy),
            esc(&e.params.join(" ")),
            esc(&e.about)
        );
    }
    o.push_str("</table></div>");
    o.push_str("<h3>Scorecards</h3>");
    let all: Vec<&Card> = out.table_order();
    card_table(&mut o, out, &all, true);
    o.push_str(r#"<details class="card"><summary>What the columns mean</summary><table>"#);
    for (k, v) in scorecard_legend() {
        let _ = write!(
            o,
            r#"<tr><td class="l"><b>{}</b></td><td class="l" style="white-space:normal">{}</td></tr>"#,
            esc(k),
            esc(&v)
        );
    }
    o.push_str("</table></details>");
    let rows = comparison_rows(out);
    if let (Some(base), false) = (&out.baseline, rows.is_empty()) {
        let _ = write!(
            o,
            r#"<h3>Against the baseline {}</h3><div class="card"><table><tr><th class="l">entry</th><th class="l">scenario</th><th>return</th><th>max drawdown</th><th>de-risk lead</th><th>liquidations</th></tr>"#,
            esc(base)
        );
        for r in rows {
            o.push_str("<tr>");
            for (k, cell) in r.iter().enumerate() {
                let class = if k < 2 { "l" } else { "" };
                let _ = write!(o, r#"<td class="{class}">{}</td>"#, esc(cell));
            }
            o.push_str("</tr>");
        }
        o.push_str("</table></div>");
    }
    if !out.skipped.is_empty() {
        o.push_str(r#"<h3>Skipped</h3><div class="card"><table>"#);
        for s in &out.skipped {
            let mut what = match s.data {
                Some(d) => out.label(&s.scenario, d),
                None => s.scenario.clone(),
            };
            if let Some(e) = &s.entry {
                what = format!("{e} on {what}");
            }
            let _ = write!(
                o,
                r#"<tr><td class="l">{}</td><td class="l" style="white-space:normal">{}</td></tr>"#,
                esc(&what),
                esc(&s.reason)
            );
        }
        o.push_str("</table></div>");
    }
    // Real data that covers the crash leads its scenario, as in the tables.
    let mut sets: Vec<(usize, &DataInfo)> = out.datasets.iter().enumerate().collect();
    let pos = |id: &str| out.datasets.iter().position(|d| d.scenario == id);
    sets.sort_by_key(|(i, d)| {
        let lead = d.kind == DataKind::Real && d.covers_crash;
        (pos(&d.scenario), !lead, *i)
    });
    for (_, d) in sets {
        dataset_section(&mut o, out, d);
    }
    o.push_str("<footer>cascade scoring suite · one self-contained page: inline SVG, no scripts, no network. Each entry name links to its run's full report.</footer></main></body></html>\n");
    o
}
