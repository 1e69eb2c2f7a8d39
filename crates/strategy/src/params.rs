//! Strategy parameters: read from a TOML or JSON file and/or `k=v` strings (command-line
//! `--param k=v` overrides file values), with typed getters that name the parameter, where
//! its value came from and what was expected when the value is bad.
//!
//! Typos are caught: a strategy declares the names it knows with
//! [`Params::expect_only`], and after its factory has run, the [`Registry`](crate::Registry)
//! refuses any parameter that was neither declared nor read ([`Params::check_unknown`]).
//!
//! Decimals meant as money, prices, quantities or rates are parsed **strictly**: at most 8
//! decimals, no rounding, no float detour when the value is written as a string (`qty =
//! "0.001"`). A TOML/JSON float is accepted too, through its shortest decimal form (`0.1`
//! stays `0.1`).
//!
//! ```
//! use cascade_strategy::Params;
//! use cascade_types::Qty;
//!
//! let mut p = Params::from_toml_str("every = 10\nqty = \"0.5\"", "noise.toml").unwrap();
//! p.apply_override("every=20").unwrap(); // --param every=20
//! assert_eq!(p.get_u64("every", 100).unwrap(), 20);
//! assert_eq!(p.get_qty("qty", Qty::ONE).unwrap().to_string(), "0.5");
//! assert_eq!(p.get_bool("verbose", false).unwrap(), false); // absent: the default
//!
//! // A typo is caught against the names the strategy declares:
//! let typo = Params::new().with_overrides(["evry=5"]).unwrap();
//! assert_eq!(
//!     typo.expect_only(&["every", "qty"]).unwrap_err().to_string(),
//!     "unknown parameter `evry` (from --param); did you mean `every`? known parameters: every, qty",
//! );
//! ```

use cascade_types::{InstrumentId, Money, Price, Qty, Rate, Ts};
use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;
use std::sync::Mutex;
use thiserror::Error;

/// Where a parameter's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamOrigin {
    /// A parameter file (its path or label).
    File(String),
    /// A `k=v` override (`--param` on the command line).
    Override,
    /// Not given: the strategy's default.
    Default,
}

impl fmt::Display for ParamOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamOrigin::File(path) => write!(f, "from {path}"),
            ParamOrigin::Override => write!(f, "from --param"),
            ParamOrigin::Default => write!(f, "the default"),
        }
    }
}

/// A parameter value as written. `k=v` overrides are always strings; the getters convert.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamValue {
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float (TOML/JSON number with a fraction or exponent).
    Float(f64),
    /// A string.
    Str(String),
}

impl fmt::Display for ParamValue {
    /// Strings quoted, other values as written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => write!(f, "{x}"),
            ParamValue::Str(s) => write!(f, "{s:?}"),
        }
    }
}

impl ParamValue {
    /// The value as plain text (strings unquoted), e.g. for run metadata.
    pub fn to_text(&self) -> String {
        match self {
            ParamValue::Str(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

/// Errors about parameters. Each names the parameter (or file) and says what was expected;
/// the caller should show it to the user, who fixes the file or the `--param`.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ParamError {
    /// A parameter the strategy does not know (usually a typo). Fix or remove it.
    #[error(
        "unknown parameter `{name}` ({origin}); {}known parameters: {}",
        suggestion_text(.suggestion),
        list_or_none(.known)
    )]
    Unknown {
        /// The name as given.
        name: String,
        /// Where it was given.
        origin: ParamOrigin,
        /// The names the strategy declared or read, sorted.
        known: Vec<String>,
        /// The closest known name, when one is close.
        suggestion: Option<String>,
    },
    /// A value that cannot be read as the type the strategy expects. Fix the value.
    #[error("parameter `{name}` = {found} ({origin}): expected {expected}{}", why_text(.why))]
    Invalid {
        /// The parameter.
        name: String,
        /// The value as found.
        found: String,
        /// Where it came from.
        origin: ParamOrigin,
        /// What was expected, e.g. "a non-negative integer".
        expected: String,
        /// Why the value was refused, when more can be said.
        why: Option<String>,
    },
    /// A value that parses but cannot be used in this run (e.g. an instrument the run does
    /// not have). Change it.
    #[error("parameter `{name}`: {message}")]
    Rejected {
        /// The parameter.
        name: String,
        /// Why.
        message: String,
    },
    /// A parameter the strategy needs and has no default for. Add it.
    #[error("missing parameter `{name}`: expected {expected}")]
    Missing {
        /// The parameter.
        name: String,
        /// What was expected.
        expected: String,
    },
    /// A parameter file or `k=v` string that does not parse. Fix the syntax.
    #[error("{origin}: {message}")]
    Syntax {
        /// The file, or `--param`.
        origin: String,
        /// What the parser said (TOML errors include line and column).
        message: String,
    },
    /// A parameter file that cannot be read.
    #[error("cannot read parameter file {path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        message: String,
    },
}

impl ParamError {
    /// A [`ParamError::Rejected`]: the value of `name` parses but cannot be used in this run.
    pub fn rejected(name: &str, message: impl Into<String>) -> ParamError {
        ParamError::Rejected {
            name: name.to_string(),
            message: message.into(),
        }
    }
}

fn suggestion_text(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default()
}

fn why_text(s: &Option<String>) -> String {
    s.as_ref().map(|s| format!(" ({s})")).unwrap_or_default()
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "(none)".to_string()
    } else {
        names.join(", ")
    }
}

/// Edit distance counting an adjacent transposition as one edit (optimal string alignment),
/// for "did you mean" suggestions: `evrey` is one edit from `every`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between a[..i] and b[..j]; names are short, so a full table is fine.
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The candidate closest to `name`, when it is close enough to be a plausible typo.
pub(crate) fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c.to_string())
}

/// A type a parameter can be read as.
pub trait ParamType: Sized {
    /// What a good value looks like, for error messages ("a non-negative integer").
    const EXPECTED: &'static str;
    /// Converts a value; `Err(Some(why))` adds a reason to the error, `Err(None)` says only
    /// that the value is not of the expected type.
    fn from_param(value: &ParamValue) -> Result<Self, Option<String>>;
}

impl ParamType for f64 {
    const EXPECTED: &'static str = "a finite number";
    fn from_param(value: &ParamValue) -> Result<Self, Option<String>> {
        let x = match value {
            ParamValue::Int(i) => *i as f64,
            ParamValue::Float(x) => *x,
            ParamValue::Str(s) => s.trim().parse::<f64>().map_err(|_| None)?,
            ParamValue::Bool(_) => return Err(None),
        };
        if x.is_finite() {
            Ok(x)
        } else {
            Err(None)
        }
    }
}

fn integer(value: &ParamValue) -> Result<i128, Option<String>> {
    match value {
        ParamValue::Int(i) => Ok(*i as i128),
        ParamValue::Str(s) => s.trim().parse::<i128>().map_err(|_| None),
        ParamValue::Float(_) | ParamValue::Bool(_) => Err(None),
    }
}

macro_rules! int_param {
    ($t:ty, $expected:literal) => {
        impl ParamType for $t {
            const EXPECTED: &'static str = $expected;
            fn from_param(value: &ParamValue) -> Result<Self, Option<String>> {
                let i = integer(value)?;
                <$t>::try_from(i).map_err(|_| Some("out of range".to_string()))
            }
        }
    };
}
int_param!(u64, "a non-negative integer");
int_param!(u32, "a non-negative integer below 2^32");
int_param!(i64, "an integer");

impl ParamType for bool {
    const EXPECTED: &'static str = "true or false";
    fn from_param(value: &ParamValue) -> Result<Self, Option<String>> {
        match value {
            ParamValue::Bool(b) => Ok(*b),
            ParamValue::Str(s) => match s.trim() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(None),
            },
            _ => Err(None),
        }
    }
}

impl ParamType for String {
    const EXPECTED: &'static str = "a string";
    fn from_param(value: &ParamValue) -> Result<Self, Option<String>> {
        match value {
            ParamValue::Str(s) => Ok(s.clone()),
            _ => Err(None),
        }
    }
}

impl ParamType for InstrumentId {
    const EXPECTED: &'static str = "an instrument index (a non-negative integer)";
    fn from_param(value: &ParamValue) -> Result<Self, Option<String>> {
        u32::from_param(value).map(InstrumentId)
    }
}

impl ParamType for Ts {
    const EXPECTED: &'static str = "a UTC time like 2025-10-10T21:20:00Z";
    fn from_param(value: &ParamValue) -> Result<Self, Option<String>> {
        match value {
            ParamValue::Str(s) => Ts::parse_utc(s).map_err(|_| None),
            _ => Err(None),
        }
    }
}

macro_rules! decimal_param {
    ($t:ty, $expected:literal) => {
        impl ParamType for $t {
            const EXPECTED: &'static str = $expected;
            fn from_param(value: &ParamValue) -> Result<Self, Option<String>> {
                let text = match value {
                    ParamValue::Int(i) => i.to_string(),
                    // Rust prints the shortest decimal that round-trips: 0.1 stays "0.1".
                    ParamValue::Float(x) if x.is_finite() => x.to_string(),
                    ParamValue::Str(s) => s.clone(),
                    _ => return Err(None),
                };
                text.parse::<$t>().map_err(|e| match e {
                    cascade_types::TypesError::BadDecimal { why, .. } => Some(why.to_string()),
                    other => Some(other.to_string()),
                })
            }
        }
    };
}
decimal_param!(Money, "an amount with at most 8 decimals");
decimal_param!(Price, "a price with at most 8 decimals");
decimal_param!(Qty, "a quantity with at most 8 decimals");
decimal_param!(Rate, "a rate with at most 8 decimals (0.004 = 0.4 %)");

#[derive(Clone, Debug, PartialEq)]
struct Entry {
    key: String,
    value: ParamValue,
    origin: ParamOrigin,
}

/// A strategy's parameters: named values with where each came from.
///
/// Reading a parameter (with any getter) or declaring it ([`Params::expect_only`]) marks its
/// name as known; [`Params::check_unknown`] then refuses whatever was given but never
/// known. That bookkeeping uses a lock, so `Params` can be shared across threads; it happens
/// only while a strategy is built, never per event.
#[derive(Debug, Default)]
pub struct Params {
    /// Sorted by key, unique.
    entries: Vec<Entry>,
    known: Mutex<BTreeSet<String>>,
}

impl Clone for Params {
    /// Clones the values and the names known so far.
    fn clone(&self) -> Self {
        Params {
            entries: self.entries.clone(),
            known: Mutex::new(self.known_names_set()),
        }
    }
}

impl PartialEq for Params {
    /// Equal when the values and their origins are equal.
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl Params {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a TOML document. Nested tables become dotted names (`[risk] max = 3` is
    /// `risk.max`); arrays are refused. `origin` names the file in errors.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Params, ParamError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| ParamError::Syntax {
                origin: origin.to_string(),
                message: e.to_string().trim_end().to_string(),
            })?;
        let mut p = Params::new();
        p.add_toml_table("", &table, origin)?;
        Ok(p)
    }

    fn add_toml_table(
        &mut self,
        prefix: &str,
        table: &toml::Table,
        origin: &str,
    ) -> Result<(), ParamError> {
        for (k, v) in table {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            let value = match v {
                toml::Value::String(s) => ParamValue::Str(s.clone()),
                toml::Value::Integer(i) => ParamValue::Int(*i),
                toml::Value::Float(x) => ParamValue::Float(*x),
                toml::Value::Boolean(b) => ParamValue::Bool(*b),
                toml::Value::Datetime(d) => ParamValue::Str(d.to_string()),
                toml::Value::Table(t) => {
                    self.add_toml_table(&key, t, origin)?;
                    continue;
                }
                toml::Value::Array(_) => return Err(unsupported(&key, origin, "an array")),
            };
            self.set(&key, value, ParamOrigin::File(origin.to_string()));
        }
        Ok(())
    }

    /// Parses a JSON object. Nested objects become dotted names; arrays and `null` are
    /// refused. `origin` names the file in errors.
    pub fn from_json_str(text: &str, origin: &str) -> Result<Params, ParamError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ParamError::Syntax {
                origin: origin.to_string(),
                message: e.to_string(),
            })?;
        let serde_json::Value::Object(map) = value else {
            return Err(ParamError::Syntax {
                origin: origin.to_string(),
                message: "expected a JSON object of parameters".to_string(),
            });
        };
        let mut p = Params::new();
        p.add_json_object("", &map, origin)?;
        Ok(p)
    }

    fn add_json_object(
        &mut self,
        prefix: &str,
        map: &serde_json::Map<String, serde_json::Value>,
        origin: &str,
    ) -> Result<(), ParamError> {
        use serde_json::Value as J;
        for (k, v) in map {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            let value = match v {
                J::String(s) => ParamValue::Str(s.clone()),
                J::Bool(b) => ParamValue::Bool(*b),
                J::Number(n) => match (n.as_i64(), n.as_f64()) {
                    (Some(i), _) => ParamValue::Int(i),
                    (None, Some(x)) if n.is_f64() => ParamValue::Float(x),
                    // An integer beyond i64: keep its digits; getters will say it is too big.
                    _ => ParamValue::Str(n.to_string()),
                },
                J::Object(m) => {
                    self.add_json_object(&key, m, origin)?;
                    continue;
                }
                J::Array(_) => return Err(unsupported(&key, origin, "an array")),
                J::Null => return Err(unsupported(&key, origin, "null")),
            };
            self.set(&key, value, ParamOrigin::File(origin.to_string()));
        }
        Ok(())
    }

    /// Reads a `.toml` or `.json` parameter file (by extension).
    pub fn from_file(path: &Path) -> Result<Params, ParamError> {
        let shown = path.display().to_string();
        let ext = path.extension().and_then(|e| e.to_str());
        if !matches!(ext, Some("toml" | "json")) {
            return Err(ParamError::Syntax {
                origin: shown,
                message: "expected a .toml or .json parameter file".to_string(),
            });
        }
        let text = std::fs::read_to_string(path).map_err(|e| ParamError::Io {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        if ext == Some("toml") {
            Self::from_toml_str(&text, &shown)
        } else {
            Self::from_json_str(&text, &shown)
        }
    }

    /// Applies one `k=v` override (the text of a `--param`): the value, as a string, replaces
    /// any value of `k` from a file.
    pub fn apply_override(&mut self, kv: &str) -> Result<(), ParamError> {
        let bad = |message: &str| ParamError::Syntax {
            origin: "--param".to_string(),
            message: format!("{message}, found {kv:?}"),
        };
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| bad("expected key=value"))?;
        let k = k.trim();
        if k.is_empty() {
            return Err(bad("expected a parameter name before '='"));
        }
        self.set(
            k,
            ParamValue::Str(v.trim().to_string()),
            ParamOrigin::Override,
        );
        Ok(())
    }

    /// Applies `k=v` overrides in order (later ones win).
    pub fn with_overrides<I, S>(mut self, overrides: I) -> Result<Params, ParamError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for kv in overrides {
            self.apply_override(kv.as_ref())?;
        }
        Ok(self)
    }

    /// Sets a value, replacing any previous one.
    pub fn set(&mut self, key: &str, value: ParamValue, origin: ParamOrigin) {
        let entry = Entry {
            key: key.to_string(),
            value,
            origin,
        };
        match self.entries.binary_search_by(|e| e.key.as_str().cmp(key)) {
            Ok(i) => self.entries[i] = entry,
            Err(i) => self.entries.insert(i, entry),
        }
    }

    /// Number of parameters given.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no parameter was given.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The parameters given, sorted by name: (name, value, origin).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ParamValue, &ParamOrigin)> {
        self.entries
            .iter()
            .map(|e| (e.key.as_str(), &e.value, &e.origin))
    }

    /// The raw value of a parameter, without marking it as read.
    pub fn raw(&self, name: &str) -> Option<&ParamValue> {
        self.find(name).map(|e| &e.value)
    }

    fn find(&self, name: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| e.key.as_str().cmp(name))
            .ok()
            .map(|i| &self.entries[i])
    }

    fn mark_known(&self, name: &str) {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if !known.contains(name) {
            known.insert(name.to_string());
        }
    }

    fn known_names_set(&self) -> BTreeSet<String> {
        self.known.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The names declared or read so far, sorted.
    pub fn known_names(&self) -> Vec<String> {
        self.known_names_set().into_iter().collect()
    }

    /// Forgets which names were declared or read (before building another strategy from
    /// the same parameters).
    pub fn reset_known(&mut self) {
        self.known
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Declares every parameter the strategy knows and refuses any other: the first
    /// parameter given that is not in `names` is an [`ParamError::Unknown`] error.
    pub fn expect_only(&self, names: &[&str]) -> Result<(), ParamError> {
        for n in names {
            self.mark_known(n);
        }
        for e in &self.entries {
            if !names.contains(&e.key.as_str()) {
                return Err(self.unknown(e, names.iter().copied()));
            }
        }
        Ok(())
    }

    /// Refuses any parameter given that was neither declared nor read. The registry calls
    /// this after a strategy's factory; call it yourself when building strategies directly.
    pub fn check_unknown(&self) -> Result<(), ParamError> {
        let known = self.known_names_set();
        match self.entries.iter().find(|e| !known.contains(&e.key)) {
            Some(e) => Err(self.unknown(e, known.iter().map(String::as_str))),
            None => Ok(()),
        }
    }

    fn unknown<'a>(&self, e: &Entry, known: impl Iterator<Item = &'a str> + Clone) -> ParamError {
        let mut list: Vec<String> = known.clone().map(str::to_string).collect();
        list.sort();
        list.dedup();
        ParamError::Unknown {
            name: e.key.clone(),
            origin: e.origin.clone(),
            suggestion: suggest(&e.key, known),
            known: list,
        }
    }

    /// The value of `name` as a `T`, or `None` when absent. Marks the name as known.
    pub fn get_opt<T: ParamType>(&self, name: &str) -> Result<Option<T>, ParamError> {
        self.mark_known(name);
        let Some(e) = self.find(name) else {
            return Ok(None);
        };
        T::from_param(&e.value)
            .map(Some)
            .map_err(|why| ParamError::Invalid {
                name: name.to_string(),
                found: e.value.to_string(),
                origin: e.origin.clone(),
                expected: T::EXPECTED.to_string(),
                why,
            })
    }

    /// The value of `name` as a `T`, or `default` when absent.
    pub fn get<T: ParamType>(&self, name: &str, default: T) -> Result<T, ParamError> {
        Ok(self.get_opt(name)?.unwrap_or(default))
    }

    /// The value of `name` as a `T`; an error when absent.
    pub fn require<T: ParamType>(&self, name: &str) -> Result<T, ParamError> {
        self.get_opt(name)?.ok_or_else(|| ParamError::Missing {
            name: name.to_string(),
            expected: T::EXPECTED.to_string(),
        })
    }

    /// A finite number (integer, float, or a string holding one).
    pub fn get_f64(&self, name: &str, default: f64) -> Result<f64, ParamError> {
        self.get(name, default)
    }

    /// A non-negative integer.
    pub fn get_u64(&self, name: &str, default: u64) -> Result<u64, ParamError> {
        self.get(name, default)
    }

    /// A non-negative integer below 2³² (e.g. a leverage).
    pub fn get_u32(&self, name: &str, default: u32) -> Result<u32, ParamError> {
        self.get(name, default)
    }

    /// An integer.
    pub fn get_i64(&self, name: &str, default: i64) -> Result<i64, ParamError> {
        self.get(name, default)
    }

    /// `true` or `false`.
    pub fn get_bool(&self, name: &str, default: bool) -> Result<bool, ParamError> {
        self.get(name, default)
    }

    /// A string.
    pub fn get_str(&self, name: &str, default: &str) -> Result<String, ParamError> {
        Ok(self
            .get_opt::<String>(name)?
            .unwrap_or_else(|| default.to_string()))
    }

    /// An amount of money, parsed strictly (at most 8 decimals).
    pub fn get_money(&self, name: &str, default: Money) -> Result<Money, ParamError> {
        self.get(name, default)
    }

    /// A price, parsed strictly.
    pub fn get_price(&self, name: &str, default: Price) -> Result<Price, ParamError> {
        self.get(name, default)
    }

    /// A quantity, parsed strictly.
    pub fn get_qty(&self, name: &str, default: Qty) -> Result<Qty, ParamError> {
        self.get(name, default)
    }

    /// A rate, parsed strictly (`0.004` is 0.4 %).
    pub fn get_rate(&self, name: &str, default: Rate) -> Result<Rate, ParamError> {
        self.get(name, default)
    }

    /// An [`ParamError::Invalid`] for `name` with its current value and origin, for a
    /// strategy's own checks after reading (`every` must be at least 1, …).
    pub fn invalid(&self, name: &str, expected: &str) -> ParamError {
        let (found, origin) = match self.find(name) {
            Some(e) => (e.value.to_string(), e.origin.clone()),
            None => ("(absent)".to_string(), ParamOrigin::Default),
        };
        ParamError::Invalid {
            name: name.to_string(),
            found,
            origin,
            expected: expected.to_string(),
            why: None,
        }
    }

    /// Plain-text values by name, sorted: for run metadata and reports.
    pub fn to_text_map(&self) -> std::collections::BTreeMap<String, String> {
        self.entries
            .iter()
            .map(|e| (e.key.clone(), e.value.to_text()))
            .collect()
    }
}

fn unsupported(key: &str, origin: &str, what: &str) -> ParamError {
    ParamError::Invalid {
        name: key.to_string(),
        found: what.to_string(),
        origin: ParamOrigin::File(origin.to_string()),
        expected: "a string, number or boolean".to_string(),
        why: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err<T: fmt::Debug>(r: Result<T, ParamError>) -> String {
        r.unwrap_err().to_string()
    }

    const FILE: &str = r#"
every = 10
qty = "0.25"
fraction = 0.1
leverage = 3
verbose = true
name = "x"
start = 2025-10-10T21:20:00Z

[risk]
max_loss = "1500.5"
"#;

    #[test]
    fn reads_toml_with_types_and_nesting() {
        let p = Params::from_toml_str(FILE, "p.toml").unwrap();
        assert_eq!(p.get_u64("every", 1).unwrap(), 10);
        assert_eq!(
            p.get_qty("qty", Qty::ZERO).unwrap(),
            "0.25".parse().unwrap()
        );
        assert_eq!(
            p.get_rate("fraction", Rate::ZERO).unwrap(),
            "0.1".parse().unwrap()
        );
        assert_eq!(p.get_f64("fraction", 0.0).unwrap(), 0.1);
        assert_eq!(p.get_f64("leverage", 0.0).unwrap(), 3.0);
        assert_eq!(p.get_u32("leverage", 1).unwrap(), 3);
        assert!(p.get_bool("verbose", false).unwrap());
        assert_eq!(p.get_str("name", "y").unwrap(), "x");
        assert_eq!(p.get_str("absent", "y").unwrap(), "y");
        assert_eq!(
            p.get::<Ts>("start", Ts::ZERO).unwrap(),
            Ts::parse_utc("2025-10-10T21:20:00Z").unwrap()
        );
        assert_eq!(
            p.get_money("risk.max_loss", Money::ZERO)
                .unwrap()
                .to_string(),
            "1500.5"
        );
        assert!(p.check_unknown().is_ok());
        assert_eq!(p.len(), 8);
    }

    #[test]
    fn reads_json_and_overrides_win() {
        let p = Params::from_json_str(
            r#"{"every": 10, "qty": 0.5, "verbose": false, "risk": {"max_loss": "2"}}"#,
            "p.json",
        )
        .unwrap()
        .with_overrides(["every=20", "verbose = true", "new=abc"])
        .unwrap();
        assert_eq!(p.get_u64("every", 1).unwrap(), 20);
        assert_eq!(p.get_qty("qty", Qty::ZERO).unwrap().to_string(), "0.5");
        assert!(p.get_bool("verbose", false).unwrap());
        assert_eq!(p.get_str("new", "").unwrap(), "abc");
        assert_eq!(
            p.get_money("risk.max_loss", Money::ZERO)
                .unwrap()
                .to_string(),
            "2"
        );
        let origins: Vec<String> = p.iter().map(|(k, _, o)| format!("{k} {o}")).collect();
        assert_eq!(
            origins,
            [
                "every from --param",
                "new from --param",
                "qty from p.json",
                "risk.max_loss from p.json",
                "verbose from --param"
            ]
        );
    }

    #[test]
    fn suggestions_find_plausible_typos() {
        let names = ["every", "qty", "instrument", "leverage"];
        assert_eq!(
            suggest("evry", names.iter().copied()).as_deref(),
            Some("every")
        );
        assert_eq!(
            suggest("levrage", names.iter().copied()).as_deref(),
            Some("leverage")
        );
        assert_eq!(
            suggest("qyt", names.iter().copied()).as_deref(),
            Some("qty")
        );
        assert_eq!(suggest("zzz", names.iter().copied()), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("evrey", "every"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn error_messages() {
        let p = Params::from_toml_str(FILE, "p.toml")
            .unwrap()
            .with_overrides(["evry=5", "leverage=-2", "qty=0.123456789"])
            .unwrap();
        let mut out = String::new();
        let mut line = |s: String| {
            out.push_str(&s);
            out.push('\n');
        };
        line(err(p.get_u64("leverage", 1)));
        line(err(p.get_qty("qty", Qty::ZERO)));
        line(err(p.get_bool("name", false)));
        line(err(p
            .get_money("fraction", Money::ZERO)
            .and(p.get_u64("fraction", 0))));
        line(err(p.get_str("every", "")));
        line(err(p.get::<Ts>("name", Ts::ZERO)));
        line(err(p.get_f64("verbose", 0.0)));
        line(err(p.require::<Price>("stop_price")));
        line(err(p.expect_only(&["every", "qty", "leverage", "fraction"])));
        line(err(Params::new().with_overrides(["novalue"])));
        line(err(Params::new().with_overrides(["=3"])));
        line(err(Params::from_toml_str("every = [1, 2]", "bad.toml")));
        line(err(Params::from_toml_str("every = ", "bad.toml")));
        line(err(Params::from_json_str("{\"every\": null}", "bad.json")));
        line(err(Params::from_json_str("[1]", "bad.json")));
        line(err(Params::from_json_str("{\"every\": 1,}", "bad.json")));
        line(err(Params::from_file(Path::new("/nonexistent/p.toml"))));
        line(err(Params::from_file(Path::new("/nonexistent/p.yaml"))));
        let q = Params::new().with_overrides(["qyt=1"]).unwrap();
        q.get_qty("qty", Qty::ZERO).unwrap();
        line(err(q.check_unknown()));
        let q = Params::new().with_overrides(["x=1"]).unwrap();
        line(err(q.check_unknown()));
        insta::assert_snapshot!(out);
    }

    #[test]
    fn strict_decimals_through_floats() {
        let p = Params::from_toml_str("a = 0.3\nb = 1e-9\nc = 100000000000000000000.0", "f.toml")
            .unwrap();
        assert_eq!(p.get_rate("a", Rate::ZERO).unwrap(), "0.3".parse().unwrap());
        assert!(p.get_rate("b", Rate::ZERO).is_err());
        assert!(p.get_money("c", Money::ZERO).is_err());
    }

    #[test]
    fn known_names_reset_and_clone() {
        let mut p = Params::new().with_overrides(["a=1"]).unwrap();
        p.get_u64("a", 0).unwrap();
        p.get_u64("b", 0).unwrap();
        assert_eq!(p.known_names(), ["a", "b"]);
        let c = p.clone();
        assert_eq!(c.known_names(), ["a", "b"]);
        assert_eq!(c, p);
        p.reset_known();
        assert!(p.known_names().is_empty());
        assert!(p.check_unknown().is_err());
    }
}
