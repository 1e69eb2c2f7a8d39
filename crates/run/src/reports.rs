//! The run's reports, through the `cascade-report` crate: the engine fills its
//! [`RunRecord`] and writes text, JSON, CSV and HTML. Wall-clock latency is rendered apart
//! (`latency.txt`), never into these.

use crate::error::RunError;
use crate::latency::LatencyStats;
use crate::manifest::Manifest;
use cascade_engine::RunData;
use cascade_report::{
    equity_csv, fills_csv, render_html_with, render_json, render_latency, render_text, HtmlSection,
    InputFile, Latency, Percentiles, Report, ReportConfig, RunMeta, RunRecord,
};
use cascade_types::Note;
use std::fmt::Write;

/// The rendered reports: `(file name, bytes)` (`None`: the file was streamed into the run
/// directory during the run) and the text report.
pub(crate) struct Rendered {
    pub files: Vec<(String, Option<Vec<u8>>)>,
    pub text: String,
}

/// The report crate's record of a run: its metadata (strategy, parameters, venue, inputs,
/// run hash, the strategy's notes and the engine's ADL-queue notes), equity curve, outputs
/// and market series.
pub fn report_record(manifest: &Manifest, data: &RunData) -> RunRecord {
    let params = manifest
        .params
        .iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), text)
        })
        .collect();
    RunRecord {
        meta: RunMeta {
            strategy: manifest.strategy.clone(),
            params,
            scenario: manifest.scenario.clone(),
            venue: manifest.venue_rules.clone(),
            inputs: manifest
                .inputs
                .iter()
                .map(|i| InputFile {
                    path: i.path.display().to_string(),
                    hash: format!("xxh3:{}", i.content_hash),
                })
                .collect(),
            run_hash: manifest.journal.final_hash.clone(),
            window: None,
            crash_window: manifest.crash_window,
            events: manifest.final_state.market_events,
            notes: notes(manifest),
        },
        instruments: manifest.instruments.clone(),
        accounts: manifest
            .final_state
            .accounts
            .iter()
            .map(|a| a.account)
            .collect(),
        equity: data.equity.clone(),
        outputs: data.outputs.clone(),
        market: data.market.clone(),
        fold: data.fold.clone(),
        fills_not_kept: data.counts.fills_not_kept,
    }
}

/// The report's notes: the venue's (an inverse venue's coin), the strategy's own, then one
/// `adl queue` note (the engine's) per side of an instrument on which ADL happened.
fn notes(manifest: &Manifest) -> Vec<Note> {
    let mut notes = manifest.venue_notes.clone();
    notes.extend(manifest.strategy_notes.iter().cloned());
    notes.extend(
        manifest
            .adl_exposure
            .iter()
            .map(|e| Note::new("adl queue", e.to_string())),
    );
    notes
}

/// What the engine adds under the report: the journal, and the whole market's modelled
/// liquidations and ADL (the report covers the strategy's own).
fn engine_section(manifest: &Manifest, data: &RunData) -> String {
    let s = &manifest.final_state;
    let t = &data.totals;
    let mut out = String::new();
    let _ = writeln!(out, "\nengine");
    let _ = writeln!(
        out,
        "  journal           {} records, hash {}",
        manifest.journal.records, manifest.journal.final_hash
    );
    let _ = writeln!(
        out,
        "  market events     {} (+{} bar ticks)",
        s.market_events, s.ticks
    );
    let _ = writeln!(
        out,
        "  commands          {} issued, {} arrived, {} pending at end; {} timers fired",
        s.commands, s.arrivals, s.pending_at_end, s.timers_fired
    );
    let _ = writeln!(
        out,
        "  all accounts      {} long / {} short liquidation steps ({} / {} notional), {} ADL ({} notional)",
        t.long_liquidations,
        t.short_liquidations,
        t.long_liquidated_notional,
        t.short_liquidated_notional,
        t.adl_events,
        t.adl_notional
    );
    let _ = writeln!(out, "  recorded liqs     {}", t.recorded_liquidations);
    for (k, v) in &s.exchange {
        let _ = writeln!(out, "  {k:<17} {v}");
    }
    out
}

/// Renders every report of a run.
/// `crowd_heatmap`: the crowd's heatmap SVG, shown in the HTML report when the crowd ran.
/// `fills_streamed`: `report.fills.csv` was written during the run (not rendered here).
pub(crate) fn render(
    manifest: &Manifest,
    data: &RunData,
    crowd_heatmap: Option<&str>,
    fills_streamed: bool,
) -> Result<Rendered, RunError> {
    if data.equity.is_empty() {
        let text = format!(
            "no market events: nothing to report\n{}",
            engine_section(manifest, data)
        );
        return Ok(Rendered {
            files: vec![("report.txt".into(), Some(text.clone().into_bytes()))],
            text,
        });
    }
    let record = report_record(manifest, data);
    let report = Report::new(&record, &ReportConfig::default())
        .map_err(|e| RunError::Report(e.to_string()))?;
    let mut text = render_text(&report);
    text.push_str(&engine_section(manifest, data));
    text.push_str(&coverage_section(data));
    let mut json = render_json(&report);
    if !json.ends_with('\n') {
        json.push('\n');
    }
    let html = {
        let coverage = format!("<pre>{}</pre>", escape_html(&data.coverage.render_text()));
        let mut sections = Vec::new();
        if let Some(svg) = crowd_heatmap {
            sections.push(HtmlSection {
                title: "Crowd liquidation heatmap (modelled)",
                svg,
            });
        }
        sections.push(HtmlSection {
            title: "Input coverage (per stream, inside the run's window)",
            svg: &coverage,
        });
        render_html_with(&record, &report, &sections)
    };
    // Streamed into the run directory; or, with fills beyond those kept in memory and no run
    // directory (an in-memory run writes no files), not rendered.
    let fills = (!fills_streamed && data.counts.fills_not_kept == 0)
        .then(|| fills_csv(&record).into_bytes());
    let files = vec![
        ("report.txt".to_string(), Some(text.clone().into_bytes())),
        ("report.json".to_string(), Some(json.into_bytes())),
        (
            "report.equity.csv".to_string(),
            Some(equity_csv(&record).into_bytes()),
        ),
        (crate::files::FILLS_CSV.to_string(), fills),
        ("report.html".to_string(), Some(html.into_bytes())),
        (
            crate::files::COVERAGE_JSON.to_string(),
            Some(coverage_json(data).into_bytes()),
        ),
    ];
    Ok(Rendered { files, text })
}

/// The coverage table as a report section.
fn coverage_section(data: &RunData) -> String {
    let mut out = String::from("\ninput coverage (per stream, inside the run's window)\n");
    for line in data.coverage.render_text().lines() {
        let _ = writeln!(out, "  {line}");
    }
    out
}

fn coverage_json(data: &RunData) -> String {
    let mut s = serde_json::to_string_pretty(&data.coverage).unwrap_or_else(|e| {
        // Serialising plain data cannot fail; say so rather than panic if it ever does.
        format!("{{\"error\": \"{e}\"}}")
    });
    s.push('\n');
    s
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The latency section, in the report crate's rendering.
pub(crate) fn latency_text(stats: &LatencyStats) -> String {
    let l = Latency {
        engine_per_event: Percentiles::from_histogram(&stats.engine_ns),
        strategy_per_callback: Percentiles::from_histogram(&stats.strategy_ns),
    };
    let mut s = render_latency(&l);
    let _ = writeln!(s, "(one event in {} timed)", stats.every());
    s
}
