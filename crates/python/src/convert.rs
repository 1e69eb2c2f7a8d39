//! Rust values → Python values, with no arithmetic of their own.
//!
//! Market events and exchange outputs are flattened through their serde form (one closed
//! enum each, externally tagged) into a kind and named cells. The fixed-point fields (every
//! price, quantity, amount and rate: `i64` counts of 10⁻⁸ serialised as is) are named in
//! [`FIXED`], so that Python receives them exactly: as `decimal.Decimal` in strategy
//! callbacks, and as a float column beside an exact string column (or the raw `int64`) in
//! data frames and arrays.

use cascade_types::{Money, Ts};
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyBytes, PyDict, PyList, PyType};
use std::collections::BTreeMap;

/// The fields of events and outputs that hold fixed-point numbers (10⁻⁸ units).
pub const FIXED: &[&str] = &[
    "price",
    "qty",
    "bid_price",
    "bid_qty",
    "ask_price",
    "ask_qty",
    "notional",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "quote_volume",
    "taker_buy_volume",
    "taker_buy_quote_volume",
    "rate",
    "value",
    "ratio",
    "buy",
    "sell",
    "amount",
    "fee",
    "reference",
    "slippage",
    "delta",
    "balance",
    "bankruptcy_price",
    "margin_ratio",
];

/// One flattened field.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// A fixed-point number, raw (10⁻⁸ units).
    Fixed(i64),
    /// An integer (ids, counts, times in ns).
    Int(i64),
    /// A name (side, reason, source…).
    Text(String),
    /// A flag.
    Bool(bool),
}

impl Cell {
    /// The exact decimal text of a fixed-point number (every fixed type prints alike).
    pub fn decimal_text(raw: i64) -> String {
        Money::from_raw(raw).to_string()
    }
}

/// Flattens an externally tagged enum value (`{"Fill": {...}}`, `{"MarkPrice": 123}`, or a
/// unit variant `"Buy"`) into its variant name and fields, in serde's field order. A newtype
/// variant holding one number becomes the field `price` (the mark and index prices).
pub fn flatten<T: serde::Serialize>(value: &T) -> (String, Vec<(String, Cell)>) {
    let v = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
    let mut fields = Vec::new();
    match v {
        serde_json::Value::Object(map) => {
            let Some((kind, inner)) = map.into_iter().next() else {
                return (String::new(), fields);
            };
            match inner {
                serde_json::Value::Object(inner) => {
                    for (k, v) in inner {
                        push(&mut fields, k, v);
                    }
                }
                other => push(&mut fields, "price".to_string(), other),
            }
            (kind, fields)
        }
        serde_json::Value::String(s) => (s, fields),
        _ => (String::new(), fields),
    }
}

fn push(fields: &mut Vec<(String, Cell)>, name: String, v: serde_json::Value) {
    use serde_json::Value as V;
    match v {
        V::Number(n) => {
            let raw = n
                .as_i64()
                .or_else(|| n.as_u64().map(|u| u as i64))
                .unwrap_or(0);
            let cell = if FIXED.contains(&name.as_str()) {
                Cell::Fixed(raw)
            } else {
                Cell::Int(raw)
            };
            fields.push((name, cell));
        }
        V::String(s) => fields.push((name, Cell::Text(s))),
        V::Bool(b) => fields.push((name, Cell::Bool(b))),
        // A unit enum nested as an object (`{"Limit": {...}}`) or an option: by name.
        V::Object(map) => {
            if let Some((k, _)) = map.into_iter().next() {
                fields.push((name, Cell::Text(k)));
            }
        }
        V::Null | V::Array(_) => {}
    }
}

static DECIMAL: GILOnceCell<Py<PyType>> = GILOnceCell::new();

/// `decimal.Decimal(text)`: exact.
pub fn decimal<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let ty = DECIMAL.import(py, "decimal", "Decimal")?;
    ty.call1((text,))
}

/// A fixed-point value as `decimal.Decimal`.
pub fn fixed<'py>(py: Python<'py>, raw: i64) -> PyResult<Bound<'py, PyAny>> {
    decimal(py, &Cell::decimal_text(raw))
}

/// A flattened value as a dict: `kind` and every field (fixed-point as `Decimal`).
pub fn to_dict<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyDict>> {
    let (kind, fields) = flatten(value);
    let d = PyDict::new(py);
    d.set_item("kind", kind)?;
    for (k, c) in fields {
        match c {
            Cell::Fixed(raw) => d.set_item(k, fixed(py, raw)?)?,
            Cell::Int(i) => d.set_item(k, i)?,
            Cell::Text(s) => d.set_item(k, s)?,
            Cell::Bool(b) => d.set_item(k, b)?,
        }
    }
    Ok(d)
}

/// A column for numpy / pandas: little-endian `int64` or `float64` bytes, or strings.
#[derive(Clone, Debug)]
pub enum Column {
    /// `int64`.
    I64(Vec<i64>),
    /// `float64`.
    F64(Vec<f64>),
    /// Strings (exact decimals, names).
    Str(Vec<String>),
}

/// Named columns of equal length, built row by row; a row lacking a column gets a gap
/// (0, NaN or "") so every column keeps the same length.
#[derive(Default, Debug)]
pub struct Columns {
    rows: usize,
    cols: BTreeMap<String, Column>,
    order: Vec<String>,
}

impl Columns {
    /// Starts a new row.
    pub fn row(&mut self) {
        self.rows += 1;
    }

    fn col(&mut self, name: &str, make: impl FnOnce(usize) -> Column) -> &mut Column {
        if !self.cols.contains_key(name) {
            self.order.push(name.to_string());
            self.cols.insert(name.to_string(), make(self.rows - 1));
        }
        self.cols.get_mut(name).expect("just inserted")
    }

    /// Sets an integer in the current row.
    pub fn int(&mut self, name: &str, v: i64) {
        if let Column::I64(c) = self.col(name, |n| Column::I64(vec![0; n])) {
            c.push(v);
        }
    }

    /// Sets a float in the current row.
    pub fn float(&mut self, name: &str, v: f64) {
        if let Column::F64(c) = self.col(name, |n| Column::F64(vec![f64::NAN; n])) {
            c.push(v);
        }
    }

    /// Sets a string in the current row.
    pub fn text(&mut self, name: &str, v: String) {
        if let Column::Str(c) = self.col(name, |n| Column::Str(vec![String::new(); n])) {
            c.push(v);
        }
    }

    /// A fixed-point number: `name` as float, `name_str` as exact text.
    pub fn fixed(&mut self, name: &str, raw: i64) {
        self.float(name, Money::from_raw(raw).to_f64());
        self.text(&format!("{name}_str"), Cell::decimal_text(raw));
    }

    /// An optional fixed-point number (NaN and "" when absent).
    pub fn fixed_opt(&mut self, name: &str, raw: Option<i64>) {
        match raw {
            Some(r) => self.fixed(name, r),
            None => {
                self.float(name, f64::NAN);
                self.text(&format!("{name}_str"), String::new());
            }
        }
    }

    /// A time: `ts_ns` as integer nanoseconds since the epoch (UTC).
    pub fn ts(&mut self, name: &str, ts: Ts) {
        self.int(name, ts.nanos());
    }

    /// Flattened fields into the current row (fixed-point as float + `_str` + `_raw`).
    pub fn cells(&mut self, fields: &[(String, Cell)]) {
        for (k, c) in fields {
            match c {
                Cell::Fixed(raw) => {
                    self.fixed(k, *raw);
                    self.int(&format!("{k}_raw"), *raw);
                }
                Cell::Int(i) => self.int(k, *i),
                Cell::Text(s) => self.text(k, s.clone()),
                Cell::Bool(b) => self.int(k, i64::from(*b)),
            }
        }
    }

    /// Pads every column to the row count (rows that lacked it).
    fn pad(&mut self) {
        let n = self.rows;
        for c in self.cols.values_mut() {
            match c {
                Column::I64(v) => v.resize(n, 0),
                Column::F64(v) => v.resize(n, f64::NAN),
                Column::Str(v) => v.resize(n, String::new()),
            }
        }
    }

    /// The columns as a Python list of `(name, dtype, data)`: dtype `"<i8"` or `"<f8"` with
    /// the bytes, or `"str"` with a list. Python turns them into numpy arrays with
    /// `numpy.frombuffer`.
    pub fn into_py(mut self, py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
        self.pad();
        let out = PyList::empty(py);
        for name in &self.order {
            let c = self
                .cols
                .remove(name)
                .expect("every ordered name has a column");
            match c {
                Column::I64(v) => {
                    let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
                    out.append((name, "<i8", PyBytes::new(py, &bytes)))?;
                }
                Column::F64(v) => {
                    let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
                    out.append((name, "<f8", PyBytes::new(py, &bytes)))?;
                }
                Column::Str(v) => out.append((name, "str", v))?,
            }
        }
        Ok(out)
    }
}
