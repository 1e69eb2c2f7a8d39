//! BitMEX `trade/bucketed` bars ([`Format::BitmexBucketed`](crate::Format)), in both shapes
//! they are found in:
//!
//! - **rows**, as BitMEX's REST API returns them: a JSON array of objects with `timestamp`
//!   (the bin's **close**), `symbol`, `open`, `high`, `low`, `close`, `trades`, `volume`,
//!   `vwap`, … — the bin size from the file name (`-1m-`) or the gap between the first two
//!   rows;
//! - **columnar**, as recorded by a public repository: `{openTimestamp (s, the first bar's
//!   open), timeframe ("1m"), openDate, open[], high[], low[], close[], volume[]}`, bar `i`
//!   opening at `openTimestamp + interval·i`; the symbol from the caller or the file name
//!   (`XBTUSD-2020-03-12-1m.json`).
//!
//! Each bar becomes a last-price [`Bar`] stamped at its close, on venue `bitmex` (or the
//! caller's). `volume` is in contracts (XBTUSD: 1 USD each); the quote volume is left 0 (not
//! in the columnar shape; the rows' `vwap` is not carried). A bar's `open` is BitMEX's
//! previous close, so it may lie outside the bar's low–high and is not checked against them;
//! `low ≤ close ≤ high` is. Prices must be positive numbers, volumes whole numbers ≥ 0;
//! `NaN`, `Infinity`, `null` or arrays of different lengths are errors naming the file, the
//! line and the field (`low[135]`).
//!
//! JSON is not line-oriented: the file is read whole (a day of 1-minute bars is ~90 kB).

use crate::error::clip;
use crate::parser::{ImportStats, Out};
use crate::values;
use crate::{ImportError, Location};
use cascade_types::{Bar, BarSource, EventBody, Money, Qty, Ts};
use serde_json::{Map, Value};
use std::io::Read;
use std::path::{Path, PathBuf};

/// One cell as read: its name as shown in errors (`low[135]`), its value and its line.
type Cell = (String, Value, u64);

/// One bar as read, before validation of its cells.
struct RawBar {
    /// 1-based line of the bar (its row object, or its `open` cell).
    line: u64,
    /// Open time.
    open_time: Ts,
    /// The row's symbol (the rows shape).
    symbol: Option<String>,
    /// Open, high, low, close, volume, trades.
    cells: [Cell; 6],
}

/// A parsed bucketed-bars file, handing out one bar per call.
pub(crate) struct BitmexReader {
    file: PathBuf,
    venue: String,
    symbol: Option<String>,
    interval_s: u32,
    bars: std::vec::IntoIter<RawBar>,
}

fn at(file: &Path, line: u64) -> Location {
    Location {
        file: file.to_path_buf(),
        line,
    }
}

fn shape_error(file: &Path, line: u64, found: &str) -> ImportError {
    ImportError::Line {
        at: at(file, line),
        expected: "a BitMEX trade/bucketed file: a JSON array of bar rows, or an object with openTimestamp, timeframe and open, high, low, close, volume arrays".to_string(),
        found: clip(found, 80),
    }
}

fn field_error(file: &Path, line: u64, field: &str, expected: &str, found: &Value) -> ImportError {
    ImportError::JsonField {
        at: at(file, line),
        field: field.to_string(),
        expected: expected.to_string(),
        found: clip(&found.to_string(), 80),
    }
}

/// The 1-based line of each element of the top-level array (`key` None) or of the array under
/// the top-level key `key`. A small scanner over the text (strings and escapes respected);
/// the text is known to be valid JSON.
fn element_lines(text: &str, key: Option<&str>) -> Vec<u64> {
    let b = text.as_bytes();
    let mut lines = Vec::new();
    let (mut depth, mut line, mut i) = (0usize, 1u64, 0usize);
    let mut target: Option<usize> = None; // depth of the target array's elements
    let mut want_element = false;
    let mut last_key: Option<(usize, usize)> = None; // string span at depth 1
    let mut key_matched = false;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line += 1;
            i += 1;
            continue;
        }
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if want_element && c != b']' {
            lines.push(line);
            want_element = false;
        }
        match c {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    } else if b[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
                if depth == 1 && target.is_none() {
                    last_key = Some((start, i));
                }
            }
            b':' if depth == 1 && target.is_none() => {
                key_matched =
                    matches!((key, last_key), (Some(k), Some((s, e))) if &text[s..e] == k);
            }
            b'[' | b'{' => {
                depth += 1;
                if target.is_none() && c == b'[' {
                    let top = key.is_none() && depth == 1;
                    if top || (key_matched && depth == 2) {
                        target = Some(depth);
                        want_element = true;
                    }
                }
            }
            b']' | b'}' => {
                if target == Some(depth) {
                    return lines;
                }
                depth = depth.saturating_sub(1);
            }
            b',' if target == Some(depth) => want_element = true,
            _ => {}
        }
        i += 1;
    }
    lines
}

/// `1m` → 60, `5m`, `1h`, `1d`.
fn timeframe_seconds(text: &str) -> Option<u32> {
    let unit_at = text.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = text.split_at(unit_at);
    let n: u32 = n.parse().ok().filter(|&n| n > 0)?;
    let per = match unit {
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(per)
}

impl BitmexReader {
    /// Reads and checks the file's shape; the bars' cells are checked as they are handed out.
    pub(crate) fn new(
        mut input: impl Read,
        file: &Path,
        venue: Option<String>,
        symbol: Option<String>,
        name_interval_s: Option<u32>,
    ) -> Result<BitmexReader, ImportError> {
        let mut text = String::new();
        input
            .read_to_string(&mut text)
            .map_err(|source| ImportError::Read {
                at: at(file, 1),
                source,
            })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            let line = e.line() as u64;
            let found = text
                .lines()
                .nth(line.saturating_sub(1) as usize)
                .unwrap_or("");
            ImportError::Line {
                at: at(file, line.max(1)),
                expected: format!("valid JSON ({e}; NaN and Infinity are not JSON numbers)"),
                found: clip(found.trim(), 80),
            }
        })?;
        let venue = venue.unwrap_or_else(|| "bitmex".to_string());
        let first_line = text.lines().next().unwrap_or("");
        let (interval_s, bars) = match value {
            Value::Object(obj) => columnar(file, &text, obj, name_interval_s)?,
            Value::Array(rows) => rows_shape(file, &text, rows, name_interval_s)?,
            _ => return Err(shape_error(file, 1, first_line)),
        };
        Ok(BitmexReader {
            file: file.to_path_buf(),
            venue,
            symbol,
            interval_s,
            bars: bars.into_iter(),
        })
    }

    /// Turns the next bar into an event; `Ok(None)` at the end.
    pub(crate) fn next_bar(
        &mut self,
        out: &mut Out<'_>,
        stats: &mut ImportStats,
    ) -> Result<Option<u64>, ImportError> {
        let Some(raw) = self.bars.next() else {
            return Ok(None);
        };
        stats.rows += 1;
        let file = &self.file;
        let line = raw.line;
        let bad = |k: usize, expected: &str| {
            let (name, v, l) = &raw.cells[k];
            field_error(file, *l, name, expected, v)
        };
        let text = |k: usize| match &raw.cells[k].1 {
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        let price = |k: usize| values::price(&text(k)).map_err(|e| bad(k, &e));
        let open = price(0)?;
        let high = price(1)?;
        let low = price(2)?;
        let close = price(3)?;
        let whole = |k: usize| -> Result<u64, ImportError> {
            if k == 5 && raw.cells[k].1.is_null() {
                return Ok(0); // no trade count (the columnar shape)
            }
            values::uint(&text(k)).map_err(|e| bad(k, &e))
        };
        let volume_text = text(4);
        whole(4)?;
        let volume = values::qty(&volume_text).map_err(|e| bad(4, &e))?;
        let trades = whole(5)?;
        if low > high {
            return Err(bad(2, "a low ≤ the high"));
        }
        if close < low || close > high {
            return Err(bad(3, "a close within low–high"));
        }
        let bar = Bar {
            source: BarSource::Last,
            open_time: raw.open_time,
            interval_s: self.interval_s,
            open,
            high,
            low,
            close,
            volume,
            quote_volume: Money::ZERO,
            trades,
            taker_buy_volume: Qty::ZERO,
            taker_buy_quote_volume: Money::ZERO,
        };
        let symbol = match (&raw.symbol, &self.symbol) {
            (Some(s), _) | (None, Some(s)) => s.clone(),
            (None, None) => {
                return Err(ImportError::Line {
                    at: at(file, line),
                    expected: "a symbol: the columnar shape names none, so give it (--symbol) or name the file <SYMBOL>-….json".to_string(),
                    found: String::new(),
                })
            }
        };
        let id = out.instrument(&self.venue, &symbol, || at(file, line))?;
        out.push(
            raw.open_time.plus_secs(i64::from(self.interval_s)),
            id,
            EventBody::Bar(bar),
        );
        Ok(Some(line))
    }
}

const COLUMNS: [&str; 5] = ["open", "high", "low", "close", "volume"];

/// The columnar shape: parallel arrays from `openTimestamp`, every `timeframe`.
fn columnar(
    file: &Path,
    text: &str,
    mut obj: Map<String, Value>,
    name_interval_s: Option<u32>,
) -> Result<(u32, Vec<RawBar>), ImportError> {
    let key_line = |k: &str| {
        text.lines()
            .position(|l| l.contains(&format!("\"{k}\"")))
            .map_or(1, |p| p as u64 + 1)
    };
    let first_line = text.lines().next().unwrap_or("");
    if !obj.contains_key("openTimestamp") {
        return Err(shape_error(file, 1, first_line));
    }
    let open_s = obj["openTimestamp"].as_i64().ok_or_else(|| {
        field_error(
            file,
            key_line("openTimestamp"),
            "openTimestamp",
            "epoch seconds (a whole number)",
            &obj["openTimestamp"],
        )
    })?;
    let start = Ts::from_secs(open_s)
        .filter(|t| values::in_range(*t, "seconds").is_ok())
        .ok_or_else(|| {
            field_error(
                file,
                key_line("openTimestamp"),
                "openTimestamp",
                "epoch seconds between 2009 and 2100",
                &obj["openTimestamp"],
            )
        })?;
    let tf = obj.get("timeframe").cloned().unwrap_or(Value::Null);
    let interval_s = tf.as_str().and_then(timeframe_seconds).ok_or_else(|| {
        field_error(
            file,
            key_line("timeframe"),
            "timeframe",
            "a bin size like 1m, 5m, 1h, 1d",
            &tf,
        )
    })?;
    if name_interval_s.is_some_and(|n| n != interval_s) {
        return Err(field_error(
            file,
            key_line("timeframe"),
            "timeframe",
            "the bin size in the file name",
            &tf,
        ));
    }
    let mut arrays: Vec<Vec<Value>> = Vec::with_capacity(5);
    for k in COLUMNS {
        match obj.remove(k) {
            Some(Value::Array(a)) => arrays.push(a),
            other => {
                return Err(field_error(
                    file,
                    key_line(k),
                    k,
                    "an array of numbers",
                    &other.unwrap_or(Value::String("missing".into())),
                ))
            }
        }
    }
    let n = arrays[0].len();
    for (k, a) in COLUMNS.iter().zip(&arrays).skip(1) {
        if a.len() != n {
            return Err(ImportError::JsonField {
                at: at(file, key_line(k)),
                field: k.to_string(),
                expected: format!("{n} values, as many as `open` has"),
                found: format!("{} values", a.len()),
            });
        }
    }
    let lines: Vec<Vec<u64>> = COLUMNS
        .iter()
        .map(|k| element_lines(text, Some(k)))
        .collect();
    let mut iters: Vec<std::vec::IntoIter<Value>> =
        arrays.into_iter().map(Vec::into_iter).collect();
    let mut bars = Vec::with_capacity(n);
    for i in 0..n {
        let mut next = |c: usize| {
            (
                format!("{}[{i}]", COLUMNS[c]),
                iters[c].next().unwrap_or(Value::Null),
                lines[c].get(i).copied().unwrap_or(1),
            )
        };
        let cells = [
            next(0),
            next(1),
            next(2),
            next(3),
            next(4),
            ("trades".to_string(), Value::Null, 1),
        ];
        let line = cells[0].2;
        let open_time = start.plus_secs(i as i64 * i64::from(interval_s));
        bars.push(RawBar {
            line,
            open_time,
            symbol: None,
            cells,
        });
    }
    Ok((interval_s, bars))
}

/// The REST rows shape: one object per bar, `timestamp` at the bin's close.
fn rows_shape(
    file: &Path,
    text: &str,
    rows: Vec<Value>,
    name_interval_s: Option<u32>,
) -> Result<(u32, Vec<RawBar>), ImportError> {
    let lines = element_lines(text, None);
    let line_of = |i: usize| lines.get(i).copied().unwrap_or(1);
    let mut closes = Vec::with_capacity(rows.len());
    let mut objs = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let Value::Object(obj) = row else {
            return Err(field_error(
                file,
                line_of(i),
                &format!("[{i}]"),
                "a bar object",
                &row,
            ));
        };
        let ts = obj.get("timestamp").cloned().unwrap_or(Value::Null);
        let close_ts = ts
            .as_str()
            .and_then(|s| values::datetime(s).ok())
            .ok_or_else(|| {
                field_error(
                    file,
                    line_of(i),
                    "timestamp",
                    "an ISO 8601 UTC time (the bin's close)",
                    &ts,
                )
            })?;
        closes.push(close_ts);
        objs.push(obj);
    }
    let interval_s = match name_interval_s {
        Some(n) => n,
        None => {
            let gap = match closes.as_slice() {
                [a, b, ..] => (b.nanos() - a.nanos()) / Ts::NANOS_PER_SEC,
                _ => 0,
            };
            u32::try_from(gap)
                .ok()
                .filter(|g| *g > 0)
                .ok_or_else(|| ImportError::Line {
                    at: at(file, line_of(1)),
                    expected:
                        "a bin size: an interval in the file name (-1m-) or two rows one bin apart"
                            .to_string(),
                    found: clip(text.lines().next().unwrap_or(""), 80),
                })?
        }
    };
    let mut bars = Vec::with_capacity(objs.len());
    for (i, (mut obj, close_ts)) in objs.into_iter().zip(closes).enumerate() {
        let symbol = match obj.remove("symbol") {
            Some(Value::String(s)) if !s.is_empty() => s,
            other => {
                return Err(field_error(
                    file,
                    line_of(i),
                    "symbol",
                    "the instrument's symbol",
                    &other.unwrap_or(Value::String("missing".into())),
                ))
            }
        };
        let line = line_of(i);
        let mut take = |k: &str| {
            let v = obj.remove(k).unwrap_or(Value::String("missing".into()));
            (k.to_string(), v, line)
        };
        let cells = [
            take("open"),
            take("high"),
            take("low"),
            take("close"),
            take("volume"),
            take("trades"),
        ];
        bars.push(RawBar {
            line: line_of(i),
            open_time: close_ts.plus_secs(-i64::from(interval_s)),
            symbol: Some(symbol),
            cells,
        });
    }
    Ok((interval_s, bars))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_lines_of_arrays() {
        let text = "{\n \"a\": [\n  1,\n  2\n ],\n \"b\": [3, \"x,]\",\n 5]\n}";
        assert_eq!(element_lines(text, Some("a")), [3, 4]);
        assert_eq!(element_lines(text, Some("b")), [6, 6, 7]);
        assert_eq!(element_lines("[\n{\"x\": [1]},\n{}\n]", None), [2, 3]);
        assert_eq!(timeframe_seconds("1m"), Some(60));
        assert_eq!(timeframe_seconds("1h"), Some(3600));
        assert_eq!(timeframe_seconds("m"), None);
    }
}
