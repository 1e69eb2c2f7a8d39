//! Writing a suite's outputs into a directory: `score.txt`, `score.json`, `score.html`, and
//! each card's own report page under `runs/`. Each file is written under a temporary name
//! and renamed, so an interrupted write never leaves a half file posing as whole.

use crate::html::{render_html, run_page_path};
use crate::outcome::SuiteOutcome;
use crate::text::{render_text, scenario_label};
use crate::SuiteError;
use cascade_report::render_html as render_run_html;
use std::path::{Path, PathBuf};

/// What [`write_outputs`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// The text table.
    pub text: PathBuf,
    /// The JSON document.
    pub json: PathBuf,
    /// The HTML page.
    pub html: PathBuf,
    /// Per-run report pages.
    pub run_pages: usize,
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), SuiteError> {
    let io = |source| SuiteError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Writes every output of `outcome` into `dir` (created if needed).
pub fn write_outputs(outcome: &SuiteOutcome, dir: &Path) -> Result<Written, SuiteError> {
    let w = Written {
        text: dir.join("score.txt"),
        json: dir.join("score.json"),
        html: dir.join("score.html"),
        run_pages: outcome.cards.len(),
    };
    for c in &outcome.cards {
        // The page's title names the entry and the data, not only the strategy and scenario.
        let mut record = c.record.clone();
        record.meta.strategy = format!("{} ({})", c.entry, c.strategy);
        record.meta.scenario = Some(scenario_label(&c.scenario, c.data));
        let mut report = c.report.clone();
        report.meta = record.meta.clone();
        let page = render_run_html(&record, &report);
        write_file(&dir.join(run_page_path(c)), page.as_bytes())?;
    }
    write_file(&w.text, render_text(outcome).as_bytes())?;
    write_file(&w.json, outcome.to_json().as_bytes())?;
    write_file(&w.html, render_html(outcome).as_bytes())?;
    Ok(w)
}
