//! One self-contained HTML page: key numbers, inline SVG charts (price with the strategy's
//! fills, liquidations and ADL; recorded liquidations; equity; drawdown; leverage; open
//! interest; funding) and the detail tables. No scripts, no external resources.

use crate::chart::{esc, Chart, Marker, Series, Shape, Span, Style, YFormat};
use crate::record::{MarketPoint, RunRecord};
use crate::report::Report;
use crate::scorecard::Scorecard;
use crate::table::{fmt_duration_ns, fmt_pct};
use cascade_types::{InstrumentId, InstrumentKind, Money, Output, Ts};
use std::fmt::Write;

const BLUE: &str = "#0969da";
const GREY: &str = "#8c959f";
const GREEN: &str = "#1a7f37";
const RED: &str = "#cf222e";
const AMBER: &str = "#9a6700";
const ORANGE: &str = "#bc4c00";
const PURPLE: &str = "#8250df";
const MAX_PRICE_CHARTS: usize = 4;

const CSS: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2328;background:#f6f8fa;margin:0}
main{max-width:1132px;margin:0 auto;padding:24px 16px 48px}
h1{font-size:22px;margin:0 0 4px}
.sub{color:#57606a;font-size:13px;margin-bottom:18px}
h2{font-size:15px;margin:28px 0 10px;color:#1f2328}
.kpis{display:grid;grid-template-columns:repeat(6,1fr);gap:10px}
.kpi{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 12px}
.kpi .k{font-size:11px;color:#57606a;text-transform:uppercase;letter-spacing:.03em}
.kpi .v{font-size:18px;font-weight:600;margin-top:2px;font-variant-numeric:tabular-nums}
.kpi .v.neg{color:#cf222e}.kpi .v.pos{color:#1a7f37}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:8px;margin-bottom:10px;overflow-x:auto}
.card svg{display:block;max-width:100%;height:auto}
.tables{display:grid;grid-template-columns:1fr 1fr;gap:10px}
table{border-collapse:collapse;font-size:13px;width:100%;font-variant-numeric:tabular-nums}
td,th{padding:4px 8px;border-bottom:1px solid #eaeef2;text-align:right;vertical-align:top}
th{color:#57606a;font-weight:600}
td:first-child,th:first-child{text-align:left;color:#57606a}
td.l{text-align:left;word-break:break-all}
footer{color:#8c959f;font-size:12px;margin-top:28px}
";

fn kpi(out: &mut String, key: &str, value: &str, tone: i8) {
    let class = match tone {
        t if t < 0 => "v neg",
        t if t > 0 => "v pos",
        _ => "v",
    };
    let _ = write!(
        out,
        r#"<div class="kpi"><div class="k">{}</div><div class="{class}">{}</div></div>"#,
        esc(key),
        esc(value)
    );
}

/// Exact money with thousands separators: `-31,197.84999999`.
fn money(m: Money) -> String {
    let text = m.to_string();
    match text.split_once('.') {
        Some((i, f)) => format!("{}.{f}", crate::chart::group_thousands(i)),
        None => crate::chart::group_thousands(&text),
    }
}

/// Money rounded to cents for the headline cards (display only): `-31,197.85`.
fn money_short(m: Money) -> String {
    let cents = m
        .mul_div(1, 1_000_000, cascade_types::Rounding::HalfEven)
        .expect("cents fit");
    money(Money::from_raw(cents.raw() * 1_000_000))
}

fn tone(m: Money) -> i8 {
    if m.is_negative() {
        -1
    } else if m.is_positive() {
        1
    } else {
        0
    }
}

fn table(out: &mut String, title: &str, rows: &[(String, String)]) {
    let _ = write!(
        out,
        r#"<div class="card"><table><tr><th colspan="2">{}</th></tr>"#,
        esc(title)
    );
    for (k, v) in rows {
        let _ = write!(out, r#"<tr><td>{}</td><td>{}</td></tr>"#, esc(k), esc(v));
    }
    out.push_str("</table></div>");
}

fn points(
    market: &[MarketPoint],
    i: InstrumentId,
    f: impl Fn(&MarketPoint) -> Option<f64>,
) -> Vec<(i64, f64)> {
    market
        .iter()
        .filter(|p| p.instrument == i)
        .filter_map(|p| f(p).map(|v| (p.ts.nanos(), v)))
        .collect()
}

fn crash_span(r: &RunRecord) -> Vec<Span> {
    r.meta
        .crash_window
        .map(|(a, b)| Span {
            x0: a.nanos(),
            x1: b.nanos(),
            color: AMBER,
            label: "crash window".to_string(),
        })
        .into_iter()
        .collect()
}

/// The instruments to draw a price chart for: those the strategy traded first, then the
/// others with prices, at most [`MAX_PRICE_CHARTS`].
fn price_instruments(r: &RunRecord) -> Vec<InstrumentId> {
    let mut traded: Vec<InstrumentId> = Vec::new();
    for o in &r.outputs {
        let i = match o.output {
            Output::Fill { instrument, .. }
            | Output::Liquidation { instrument, .. }
            | Output::Adl { instrument, .. } => instrument,
            _ => continue,
        };
        if !traded.contains(&i) {
            traded.push(i);
        }
    }
    let mut with_prices: Vec<InstrumentId> = Vec::new();
    for p in &r.market {
        if (p.last.is_some() || p.mark.is_some()) && !with_prices.contains(&p.instrument) {
            with_prices.push(p.instrument);
        }
    }
    with_prices.sort();
    let mut out: Vec<InstrumentId> = traded
        .into_iter()
        .filter(|i| with_prices.contains(i))
        .collect();
    for i in with_prices {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out.truncate(MAX_PRICE_CHARTS);
    out
}

fn price_chart(r: &RunRecord, i: InstrumentId, x_range: (i64, i64)) -> Chart {
    let sym = r.symbol(i);
    let kind = r.instruments.get(i.index()).map(|s| s.kind);
    let mut title = match kind {
        Some(k) => format!("Price — {sym} ({k})"),
        None => format!("Price — {sym}"),
    };
    if r.fills_not_kept > 0 {
        title.push_str(&format!(
            " — the run's first fills drawn; {} later fills not drawn (all in report.fills.csv)",
            r.fills_not_kept
        ));
    }
    let mut c = Chart::new(&title, YFormat::Number, x_range);
    c.height = 300.0;
    let last = points(&r.market, i, |p| p.last.map(|x| x.to_f64()));
    let mark = points(&r.market, i, |p| p.mark.map(|x| x.to_f64()));
    if last.is_empty() {
        c.series.push(Series::new("mark", BLUE, Style::Line, mark));
    } else {
        if !mark.is_empty() {
            c.series.push(
                Series::new("mark", GREY, Style::Line, mark)
                    .dashed()
                    .width(1.2),
            );
        }
        c.series.push(Series::new("last", BLUE, Style::Line, last));
    }
    c.spans = crash_span(r);
    let mut kinds: Vec<(Shape, &'static str, String)> = Vec::new();
    let mut add_kind = |k: (Shape, &'static str, &str)| {
        if !kinds.iter().any(|(s, c, _)| *s == k.0 && *c == k.1) {
            kinds.push((k.0, k.1, k.2.to_string()));
        }
    };
    for o in &r.outputs {
        let (shape, color, label, price, title) = match o.output {
            Output::Fill {
                account,
                instrument,
                side,
                qty,
                price,
                fee,
                ..
            } if instrument == i && r.owns(account) => {
                let (shape, color, label) = match side {
                    cascade_types::Side::Buy => (Shape::Up, GREEN, "buy"),
                    cascade_types::Side::Sell => (Shape::Down, RED, "sell"),
                };
                (
                    shape,
                    color,
                    label,
                    price,
                    format!("{} {side} {qty} @ {price}, fee {fee}", o.ts),
                )
            }
            Output::Liquidation {
                account,
                instrument,
                kind,
                qty,
                price,
                fee,
                ..
            } if instrument == i && r.owns(account) => (
                Shape::Cross,
                ORANGE,
                "liquidated",
                price,
                format!("{} liquidation ({kind:?}) {qty} @ {price}, fee {fee}", o.ts),
            ),
            Output::Adl {
                victim,
                counterparty,
                instrument,
                qty,
                price,
                ..
            } if instrument == i && r.owns(victim) => (
                Shape::Diamond,
                PURPLE,
                "ADL'd",
                price,
                format!("{} ADL {qty} @ {price} against {counterparty}", o.ts),
            ),
            _ => continue,
        };
        add_kind((shape, color, label));
        c.markers.push(Marker {
            x: o.ts.nanos(),
            y: price.to_f64(),
            shape,
            color,
            title,
        });
    }
    kinds.sort_by_key(|k| k.0);
    c.marker_legend = kinds;
    c
}

fn liquidation_chart(r: &RunRecord, i: InstrumentId, x_range: (i64, i64)) -> Option<Chart> {
    let long = points(&r.market, i, |p| {
        (!p.long_liquidated.is_zero()).then(|| p.long_liquidated.to_f64())
    });
    let short = points(&r.market, i, |p| {
        (!p.short_liquidated.is_zero()).then(|| -p.short_liquidated.to_f64())
    });
    if long.is_empty() && short.is_empty() {
        return None;
    }
    let title = format!(
        "Recorded liquidations — {} (notional; longs up, shorts down)",
        r.symbol(i)
    );
    let mut c = Chart::new(&title, YFormat::Compact, x_range);
    c.height = 200.0;
    c.include_zero = true;
    c.series
        .push(Series::new("longs liquidated", RED, Style::Bars, long));
    c.series
        .push(Series::new("shorts liquidated", GREEN, Style::Bars, short));
    c.spans = crash_span(r);
    Some(c)
}

fn equity_charts(r: &RunRecord, x_range: (i64, i64)) -> Vec<Chart> {
    let eq: Vec<(i64, f64)> = r
        .equity
        .iter()
        .map(|s| (s.ts.nanos(), s.equity.to_f64()))
        .collect();
    let mut equity = Chart::new("Equity", YFormat::Number, x_range);
    equity
        .series
        .push(Series::new("equity", BLUE, Style::Line, eq).width(1.8));
    equity.spans = crash_span(r);
    // Liquidations and ADL on the equity curve, at the equity of that moment.
    let equity_at = |ts: cascade_types::Ts| {
        let k = r.equity.partition_point(|s| s.ts <= ts);
        r.equity[k.saturating_sub(1)].equity.to_f64()
    };
    let mut legend: Vec<(Shape, &'static str, String)> = Vec::new();
    for o in &r.outputs {
        let (shape, color, label, title) = match o.output {
            Output::Liquidation {
                account,
                qty,
                price,
                ..
            } if r.owns(account) => (
                Shape::Cross,
                ORANGE,
                "liquidated",
                format!("{} liquidation {qty} @ {price}", o.ts),
            ),
            Output::Adl {
                victim, qty, price, ..
            } if r.owns(victim) => (
                Shape::Diamond,
                PURPLE,
                "ADL'd",
                format!("{} ADL {qty} @ {price}", o.ts),
            ),
            _ => continue,
        };
        if !legend.iter().any(|l| l.0 == shape) {
            legend.push((shape, color, label.to_string()));
        }
        equity.markers.push(Marker {
            x: o.ts.nanos(),
            y: equity_at(o.ts),
            shape,
            color,
            title,
        });
    }
    legend.sort_by_key(|l| l.0);
    equity.marker_legend = legend;

    let mut peak = f64::NEG_INFINITY;
    let dd: Vec<(i64, f64)> = r
        .equity
        .iter()
        .map(|s| {
            let e = s.equity.to_f64();
            peak = peak.max(e);
            (s.ts.nanos(), if peak > 0.0 { e / peak - 1.0 } else { 0.0 })
        })
        .collect();
    let mut drawdown = Chart::new("Drawdown from peak", YFormat::Percent, x_range);
    drawdown.height = 180.0;
    drawdown.include_zero = true;
    drawdown
        .series
        .push(Series::new("drawdown", RED, Style::Area, dd));
    drawdown.spans = crash_span(r);

    let lev = |net: bool| -> Vec<(i64, f64)> {
        r.equity
            .iter()
            .map(|s| {
                // A gap (NaN) where equity is not positive: leverage is undefined there.
                let x = if net {
                    s.net_exposure
                } else {
                    s.gross_exposure
                };
                let lev = if s.equity.is_positive() {
                    x.to_f64() / s.equity.to_f64()
                } else {
                    f64::NAN
                };
                (s.ts.nanos(), lev)
            })
            .collect()
    };
    let mut leverage = Chart::new("Leverage (exposure ÷ equity)", YFormat::Times, x_range);
    leverage.height = 180.0;
    leverage.include_zero = true;
    leverage
        .series
        .push(Series::new("gross", BLUE, Style::Step, lev(false)));
    leverage
        .series
        .push(Series::new("net", GREY, Style::Step, lev(true)).dashed());
    leverage.spans = crash_span(r);
    vec![equity, drawdown, leverage]
}

fn market_charts(r: &RunRecord, x_range: (i64, i64)) -> (Vec<Chart>, Vec<Chart>) {
    let mut ids: Vec<InstrumentId> = r.market.iter().map(|p| p.instrument).collect();
    ids.sort();
    ids.dedup();
    let mut oi = Vec::new();
    let mut funding = Vec::new();
    for i in ids {
        let sym = r.symbol(i);
        let pts = points(&r.market, i, |p| p.open_interest.map(|q| q.to_f64()));
        if !pts.is_empty() {
            let base = r
                .instruments
                .get(i.index())
                .map_or(String::new(), |s| match s.kind {
                    InstrumentKind::InversePerp => " (contracts)".to_string(),
                    _ => format!(" ({})", s.base),
                });
            let mut c = Chart::new(
                &format!("Open interest — {sym}{base}"),
                YFormat::Compact,
                x_range,
            );
            c.height = 200.0;
            c.series
                .push(Series::new("open interest", BLUE, Style::Line, pts).width(1.8));
            c.spans = crash_span(r);
            oi.push(c);
        }
        let pts = points(&r.market, i, |p| p.funding_rate.map(|x| x.to_f64()));
        if !pts.is_empty() {
            let mut c = Chart::new(
                &format!("Funding rate — {sym} (per interval)"),
                YFormat::Percent,
                x_range,
            );
            c.height = 180.0;
            c.include_zero = true;
            c.series
                .push(Series::new("funding rate", PURPLE, Style::Step, pts).width(1.8));
            c.spans = crash_span(r);
            funding.push(c);
        }
    }
    (oi, funding)
}

fn section(out: &mut String, title: &str, charts: &[Chart]) {
    if charts.iter().all(Chart::is_empty) {
        return;
    }
    let _ = write!(out, "<h2>{}</h2>", esc(title));
    for c in charts.iter().filter(|c| !c.is_empty()) {
        let _ = write!(out, r#"<div class="card">{}</div>"#, c.render());
    }
}

/// The report as one self-contained HTML page.
pub fn render_html(record: &RunRecord, report: &Report) -> String {
    render_html_with(record, report, &[])
}

/// An extra section for [`render_html_with`]: a heading and a self-contained `<svg>` (for
/// example the crowd model's liquidation heatmap), placed after the built-in charts.
#[derive(Clone, Copy, Debug)]
pub struct HtmlSection<'a> {
    /// The section heading (escaped on output).
    pub title: &'a str,
    /// A self-contained `<svg>…</svg>` element, inserted as is.
    pub svg: &'a str,
}

/// [`render_html`] with extra sections after the built-in charts.
pub fn render_html_with(
    record: &RunRecord,
    report: &Report,
    sections: &[HtmlSection<'_>],
) -> String {
    let (meta, m) = (&report.meta, &report.metrics);
    let card = Scorecard::from_report(report);
    let mut x0 = m.start.nanos();
    let mut x1 = m.end.nanos();
    if let (Some(a), Some(b)) = (record.market.first(), record.market.last()) {
        x0 = x0.min(a.ts.nanos());
        x1 = x1.max(b.ts.nanos());
    }
    let x_range = (x0, x1.max(x0 + 1));
    let scenario = meta.scenario.as_deref().unwrap_or("no scenario");

    let mut o = String::new();
    let _ = write!(
        o,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>cascade — {} on {}</title><style>{CSS}</style></head><body><main>"#,
        esc(&meta.strategy),
        esc(scenario)
    );
    let _ = write!(
        o,
        "<h1>{} <span style=\"color:#57606a;font-weight:400\">on {}</span></h1>",
        esc(&meta.strategy),
        esc(scenario)
    );
    let _ = write!(
        o,
        r#"<div class="sub">{} → {} ({}) · venue {} · {} events · run {}</div>"#,
        m.start,
        m.end,
        fmt_duration_ns(m.end.nanos() as i128 - m.start.nanos() as i128),
        esc(&meta.venue),
        meta.events,
        esc(&meta.run_hash)
    );

    o.push_str(r#"<div class="kpis">"#);
    kpi(
        &mut o,
        "Total return",
        &m.total_return.map_or("-".to_string(), fmt_pct),
        tone(m.pnl.total),
    );
    kpi(&mut o, "PnL", &money_short(m.pnl.total), tone(m.pnl.total));
    kpi(
        &mut o,
        "Max drawdown",
        &fmt_pct(-m.drawdown.max_fraction.fraction),
        if m.drawdown.max_fraction.value.is_positive() {
            -1
        } else {
            0
        },
    );
    kpi(
        &mut o,
        "Sharpe / Sortino",
        &format!(
            "{} / {}",
            m.risk.cell(m.risk.sharpe),
            m.risk.cell(m.risk.sortino)
        ),
        0,
    );
    kpi(
        &mut o,
        "Leverage at crash",
        &card
            .leverage_at_crash
            .map_or("-".to_string(), |l| format!("{l:.2}x")),
        0,
    );
    kpi(&mut o, "De-risk lead", &card.derisk.to_text(), 0);
    kpi(
        &mut o,
        "Liquidations",
        &format!(
            "{} ({})",
            m.liquidations.count,
            money_short(m.liquidations.notional)
        ),
        if m.liquidations.count > 0 { -1 } else { 0 },
    );
    kpi(
        &mut o,
        "ADL'd",
        &format!("{} ({} qty)", m.adl.count, m.adl.qty),
        if m.adl.count > 0 { -1 } else { 0 },
    );
    kpi(
        &mut o,
        "Funding",
        &money_short(m.funding.net),
        tone(m.funding.net),
    );
    kpi(&mut o, "Fees", &money_short(card.fees), tone(-card.fees));
    kpi(&mut o, "Fills", &m.trading.fills.to_string(), 0);
    kpi(
        &mut o,
        "Time in market",
        &fmt_pct(m.exposure.time_in_market),
        0,
    );
    o.push_str("</div>");

    let ids = price_instruments(record);
    let mut prices = Vec::new();
    for &i in &ids {
        prices.push(price_chart(record, i, x_range));
        prices.extend(liquidation_chart(record, i, x_range));
    }
    section(
        &mut o,
        "Price, the strategy's trades, liquidations and ADL",
        &prices,
    );
    section(
        &mut o,
        "Equity, drawdown and leverage",
        &equity_charts(record, x_range),
    );
    let (oi, funding) = market_charts(record, x_range);
    section(&mut o, "Open interest", &oi);
    section(&mut o, "Funding", &funding);

    o.push_str(r#"<h2>Details</h2><div class="tables"><div>"#);
    let p = &m.pnl;
    table(
        &mut o,
        "PnL split",
        &[
            ("trading".into(), money(p.trading)),
            ("slippage".into(), money(p.slippage)),
            ("fees".into(), money(p.fees)),
            ("funding".into(), money(p.funding)),
            ("liquidation".into(), money(p.liquidation)),
            ("ADL".into(), money(p.adl)),
            ("total".into(), money(p.total)),
        ],
    );
    let d = &m.drawdown.max_fraction;
    table(
        &mut o,
        "Risk",
        &[
            (
                "initial / final equity".into(),
                format!("{} / {}", money(m.initial_equity), money(m.final_equity)),
            ),
            (
                "max drawdown".into(),
                format!("{} ({})", fmt_pct(-d.fraction), money(-d.value)),
            ),
            (
                "peak → trough".into(),
                format!("{} → {}", d.peak_ts, d.trough_ts),
            ),
            (
                "recovered".into(),
                d.recovered_ts.map_or("no".to_string(), |t| t.to_string()),
            ),
            (
                "returns for ratios".into(),
                format!(
                    "{} × {}",
                    m.risk.returns,
                    fmt_duration_ns((m.risk.interval_s * Ts::NANOS_PER_SEC as f64) as i128)
                ),
            ),
            (
                "mean leverage".into(),
                format!(
                    "{:.2}x (net {:.2}x)",
                    m.exposure.mean_leverage, m.exposure.mean_net_leverage
                ),
            ),
            (
                "max leverage".into(),
                format!("{:.2}x", m.exposure.max_leverage),
            ),
        ],
    );
    o.push_str("</div><div>");
    let l = &m.liquidations;
    table(
        &mut o,
        "Forced closes",
        &[
            (
                "liquidation steps".into(),
                format!(
                    "{} (partial {}, full {}, backstop {}, vs ADL {})",
                    l.count, l.partial, l.full, l.backstop, l.against_adl
                ),
            ),
            (
                "liquidated qty / notional".into(),
                format!("{} / {}", l.qty, money(l.notional)),
            ),
            ("liquidation fees".into(), money(l.fees)),
            ("ADL closes".into(), m.adl.count.to_string()),
            (
                "ADL qty / notional".into(),
                format!("{} / {}", m.adl.qty, money(m.adl.notional)),
            ),
            (
                "funding paid / received".into(),
                format!("{} / {}", money(m.funding.paid), money(m.funding.received)),
            ),
            ("trading volume".into(), money(m.trading.volume)),
        ],
    );
    let mut run: Vec<(String, String)> = vec![
        ("strategy".into(), meta.strategy.clone()),
        ("scenario".into(), scenario.to_string()),
        ("venue".into(), meta.venue.clone()),
    ];
    run.extend(
        meta.params
            .iter()
            .map(|(k, v)| (format!("param {k}"), v.clone())),
    );
    run.extend(
        meta.inputs
            .iter()
            .map(|f| (format!("input {}", f.path), f.hash.clone())),
    );
    run.push(("run hash".into(), meta.run_hash.clone()));
    table(&mut o, "Run", &run);
    if !meta.notes.is_empty() {
        let notes: Vec<(String, String)> = meta
            .notes
            .iter()
            .map(|n| (n.topic.clone(), n.text.clone()))
            .collect();
        table(&mut o, "Notes", &notes);
    }
    o.push_str("</div></div>");
    for section in sections {
        let _ = write!(
            o,
            "<h2>{}</h2><div class=\"card\">{}</div>",
            esc(section.title),
            section.svg
        );
    }
    o.push_str("<footer>cascade report · one self-contained page: inline SVG, no scripts, no network.</footer></main></body></html>\n");
    o
}
