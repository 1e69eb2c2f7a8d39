//! One CSV row with its place in the file: typed access to its cells by layout column, with
//! errors that name the file, the line, the column and what was expected.

use crate::error::clip;
use crate::layout::Layout;
use crate::values::Expect;
use crate::{ImportError, Location};
use std::path::Path;

/// The cells of one row: byte ranges into a line (or into the unquoted copy of a quoted
/// line), with the text already checked as UTF-8 when the whole chunk was valid, so a cell is
/// sliced, not validated again.
#[derive(Clone, Copy)]
pub(crate) struct Fields<'r> {
    /// The bytes the ranges index.
    pub bytes: &'r [u8],
    /// The same bytes as text, when they are valid UTF-8.
    pub text: Option<&'r str>,
    /// Each cell's `(start, end)` in `bytes`, whitespace trimmed.
    pub bounds: &'r [(usize, usize)],
}

impl<'r> Fields<'r> {
    /// The number of cells.
    pub(crate) fn len(&self) -> usize {
        self.bounds.len()
    }
}

/// A data row of a CSV file.
pub(crate) struct Row<'r> {
    pub file: &'r Path,
    pub line: u64,
    record: Fields<'r>,
    layout: &'static Layout,
    map: &'r [Option<usize>],
}

impl<'r> Row<'r> {
    pub(crate) fn new(
        file: &'r Path,
        line: u64,
        record: Fields<'r>,
        layout: &'static Layout,
        map: &'r [Option<usize>],
    ) -> Row<'r> {
        Row {
            file,
            line,
            record,
            layout,
            map,
        }
    }

    pub(crate) fn at(&self) -> Location {
        Location {
            file: self.file.to_path_buf(),
            line: self.line,
        }
    }

    /// An error about a cell of column `col`.
    pub(crate) fn error(
        &self,
        col: usize,
        expected: impl Into<String>,
        found: &str,
    ) -> ImportError {
        ImportError::Field {
            at: self.at(),
            column: self.layout.column_name(col).to_string(),
            expected: expected.into(),
            found: clip(found, 80),
        }
    }

    /// The trimmed text of column `col`, or `None` when the column is absent from the file.
    pub(crate) fn cell(&self, col: usize) -> Result<Option<&'r str>, ImportError> {
        let Some(pos) = self.map[col] else {
            return Ok(None);
        };
        let Some(&(start, end)) = self.record.bounds.get(pos) else {
            return Ok(Some(""));
        };
        let text = match self.record.text {
            Some(text) => &text[start..end],
            None => {
                let bytes = &self.record.bytes[start..end];
                std::str::from_utf8(bytes)
                    .map_err(|_| self.error(col, "UTF-8 text", &String::from_utf8_lossy(bytes)))?
            }
        };
        // The range is already trimmed of ASCII whitespace; other whitespace needs a
        // non-ASCII byte at an end.
        let ascii_ends = text.as_bytes().first().is_none_or(|b| b.is_ascii())
            && text.as_bytes().last().is_none_or(|b| b.is_ascii());
        Ok(Some(if ascii_ends { text } else { text.trim() }))
    }

    /// The trimmed text of a required column (empty allowed).
    pub(crate) fn text(&self, col: usize) -> Result<&'r str, ImportError> {
        Ok(self.cell(col)?.unwrap_or_default())
    }

    /// Parses a required, non-empty cell.
    pub(crate) fn get<T>(
        &self,
        col: usize,
        parse: fn(&str) -> Result<T, Expect>,
    ) -> Result<T, ImportError> {
        let text = self.text(col)?;
        parse(text).map_err(|e| self.error(col, e, text))
    }

    /// Parses a cell that may be empty or absent (`None` then).
    pub(crate) fn opt<T>(
        &self,
        col: usize,
        parse: fn(&str) -> Result<T, Expect>,
    ) -> Result<Option<T>, ImportError> {
        match self.cell(col)? {
            None | Some("") => Ok(None),
            Some(text) => parse(text).map(Some).map_err(|e| self.error(col, e, text)),
        }
    }
}
