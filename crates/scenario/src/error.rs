//! The one error type of this crate.

use std::path::PathBuf;
use thiserror::Error;

/// Why a scenario file or catalogue could not be loaded. Every variant names the file, and the
/// field or position where it can, so the message alone is enough to fix the file.
#[derive(Debug, Error)]
pub enum ScenarioError {
    /// A file or directory could not be read. The caller should check the path and
    /// permissions.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not have the scenario format: a missing field, a
    /// value of the wrong type, an unknown field (a typo), a number that is not a decimal of
    /// at most 8 places. The caller should fix the named field.
    #[error("{path}:{line}:{column}: {table}{message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// 1-based line of the offending text (of the table, for a missing field).
        line: usize,
        /// 1-based column.
        column: usize,
        /// `in [table]: ` for the innermost table header above the position, or empty.
        table: String,
        /// What was expected, as the TOML reader says it (names the field).
        message: String,
    },
    /// A field has the right type but a value that breaks a rule of the format (an anchor
    /// outside the window, a low above the price before, a figure both given and listed as
    /// not found, …). The caller should fix the named field.
    #[error("{path}: `{field}`: {why}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Dotted path of the field, e.g. `generator.path.low_at`.
        field: String,
        /// The rule it breaks.
        why: String,
    },
}
