//! The plain-text report: stable, aligned, meant for terminals and insta snapshots.

use crate::metrics::{Drawdown, ExposureAt};
use crate::report::Report;
use crate::table::{fmt_duration_ns, fmt_pct, Table};
use cascade_types::Ts;
use std::fmt::Write;

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
        ("slippage", p.slippage),
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
            fmt_duration_ns((k.interval_s * Ts::NANOS_PER_SEC as f64) as i128)
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
