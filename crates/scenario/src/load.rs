//! Reading scenario files: one file, or a directory of them in id order.

use crate::scenario::Scenario;
use crate::ScenarioError;
use std::path::{Path, PathBuf};

/// Parses and validates the text of a scenario file. `origin` names it in errors and must be
/// a path whose file stem equals the scenario's `id` (an empty path skips that check).
pub fn parse(text: &str, origin: &Path) -> Result<Scenario, ScenarioError> {
    let mut scenario: Scenario =
        toml::from_str(text).map_err(|e| format_error(text, origin, &e))?;
    scenario.origin = origin.to_path_buf();
    scenario.validate()?;
    Ok(scenario)
}

/// Reads, parses and validates one scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path)
}

/// Loads every `*.toml` file of `dir` (not recursing), sorted by id. Stops at the first bad
/// file. Ids are unique because each must equal its file's name.
pub fn load_dir(dir: &Path) -> Result<Vec<Scenario>, ScenarioError> {
    let io = |source| ScenarioError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    let mut out: Vec<Scenario> = Vec::with_capacity(files.len());
    for f in &files {
        out.push(load(f)?);
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// A TOML error as a [`ScenarioError::Format`]: the position of its span, the innermost
/// `[table]` header above it, and the reader's one-line message (which names the field).
fn format_error(text: &str, origin: &Path, e: &toml::de::Error) -> ScenarioError {
    let at = e.span().map_or(0, |s| s.start).min(text.len());
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    // The header of the table holding the position: the last header line that starts at or
    // before it (a missing field's span is the whole table, starting at its header).
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let table = text[..line_end]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|h| format!("in {}: ", h.split('#').next().unwrap_or(h).trim()))
        .unwrap_or_default();
    ScenarioError::Format {
        path: origin.to_path_buf(),
        line,
        column,
        table,
        message: e.message().trim().to_string(),
    }
}
