//! Declared parameters: one table per strategy ([`ParamSpec`]s) from which the parameters
//! are read and checked ([`ParamReader`]), the defaults come, and the README's parameter
//! table is rendered ([`markdown_table`]) — so the code, the defaults and the docs cannot
//! drift apart (a strategy's tests compare its README with the rendering, see
//! [`testing::check_params`](crate::testing::check_params)).
//!
//! ```
//! use cascade_strategy::spec::{Bound, ParamKind, ParamReader, ParamSpec};
//! use cascade_strategy::Params;
//!
//! const PARAMS: &[ParamSpec] = &[
//!     ParamSpec::new("leverage", ParamKind::int(3, 1, u32::MAX), "≥ 1", "leverage of the long")
//!         .expect("at least 1"),
//!     ParamSpec::new(
//!         "fraction",
//!         ParamKind::decimal("1", Bound::Excl("0"), Bound::Incl("1")),
//!         "share, (0, 1]",
//!         "share of equity used as margin",
//!     )
//!     .expect("a share in (0, 1]"),
//! ];
//!
//! let p = Params::new().with_overrides(["leverage=5"]).unwrap();
//! let r = ParamReader::new(&p, PARAMS).unwrap();
//! assert_eq!(r.u32("leverage").unwrap(), 5);
//! assert_eq!(r.rate("fraction").unwrap().to_string(), "1"); // the declared default
//!
//! let bad = Params::new().with_overrides(["fraction=0"]).unwrap();
//! let r = ParamReader::new(&bad, PARAMS).unwrap();
//! assert_eq!(
//!     r.rate("fraction").unwrap_err().to_string(),
//!     "parameter `fraction` = \"0\" (from --param): expected a share in (0, 1]"
//! );
//! ```

use crate::params::{ParamError, ParamType, ParamValue, Params};
use cascade_types::{Money, Price, Qty, Rate};

/// One end of a decimal parameter's range, written as a decimal literal (`"0.5"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// No limit on this side.
    None,
    /// The value may equal it.
    Incl(&'static str),
    /// The value must be strictly beyond it.
    Excl(&'static str),
}

/// A declared parameter's type, with its default and the range its own check enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// A string with no default (e.g. a venue symbol); `absent` says, for the docs, what
    /// the strategy does when it is not given.
    Text {
        /// The docs' default column, e.g. "first linear perpetual".
        absent: &'static str,
    },
    /// One of a few strings.
    Choice {
        /// The accepted values, in the order the error message lists them.
        options: &'static [&'static str],
        /// The default, one of `options`.
        default: &'static str,
    },
    /// A non-negative integer below 2³² in `[min, max]`.
    Int {
        /// The default.
        default: u32,
        /// The smallest accepted value.
        min: u32,
        /// The largest accepted value.
        max: u32,
    },
    /// A decimal with at most 8 decimals (a rate, share, ratio, amount of money, quantity or
    /// price).
    Decimal {
        /// The default, as written (`"0.02"`).
        default: &'static str,
        /// The lower end of the accepted range.
        min: Bound,
        /// The upper end of the accepted range.
        max: Bound,
    },
    /// `true` or `false`.
    Bool {
        /// The default.
        default: bool,
    },
}

impl ParamKind {
    /// [`ParamKind::Text`].
    pub const fn text(absent: &'static str) -> ParamKind {
        ParamKind::Text { absent }
    }

    /// [`ParamKind::Choice`].
    pub const fn choice(options: &'static [&'static str], default: &'static str) -> ParamKind {
        ParamKind::Choice { options, default }
    }

    /// [`ParamKind::Int`].
    pub const fn int(default: u32, min: u32, max: u32) -> ParamKind {
        ParamKind::Int { default, min, max }
    }

    /// [`ParamKind::Decimal`].
    pub const fn decimal(default: &'static str, min: Bound, max: Bound) -> ParamKind {
        ParamKind::Decimal { default, min, max }
    }

    /// A decimal with no range of its own (a cross-parameter check, if any, is the
    /// strategy's).
    pub const fn any_decimal(default: &'static str) -> ParamKind {
        ParamKind::Decimal {
            default,
            min: Bound::None,
            max: Bound::None,
        }
    }

    /// [`ParamKind::Bool`].
    pub const fn bool(default: bool) -> ParamKind {
        ParamKind::Bool { default }
    }

    /// The docs' type column.
    pub fn type_name(&self) -> &'static str {
        match self {
            ParamKind::Text { .. } | ParamKind::Choice { .. } => "string",
            ParamKind::Int { .. } => "integer",
            ParamKind::Decimal { .. } => "decimal",
            ParamKind::Bool { .. } => "bool",
        }
    }

    /// The docs' default column (markdown).
    pub fn default_text(&self) -> String {
        match self {
            ParamKind::Text { absent } => absent.to_string(),
            ParamKind::Choice { default, .. } => format!("`\"{default}\"`"),
            ParamKind::Int { default, .. } => format!("`{default}`"),
            ParamKind::Decimal { default, .. } => format!("`{default}`"),
            ParamKind::Bool { default } => format!("`{default}`"),
        }
    }
}

/// One declared parameter: name, type with default and range, and its documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamSpec {
    /// The name (`leverage`).
    pub name: &'static str,
    /// Type, default and range.
    pub kind: ParamKind,
    /// What a value out of the kind's range is told it should be ("a share in (0, 1]");
    /// for a choice, the options are listed instead.
    pub expected: &'static str,
    /// The docs' "unit / range" column ("share, (0, 1]"); may be empty.
    pub range: &'static str,
    /// The docs' "meaning" column.
    pub doc: &'static str,
}

impl ParamSpec {
    /// A parameter with no message for an out-of-range value yet: add one with
    /// [`ParamSpec::expect`] when the kind has a range.
    pub const fn new(
        name: &'static str,
        kind: ParamKind,
        range: &'static str,
        doc: &'static str,
    ) -> ParamSpec {
        ParamSpec {
            name,
            kind,
            expected: "",
            range,
            doc,
        }
    }

    /// What an out-of-range value is told it should be.
    pub const fn expect(mut self, expected: &'static str) -> ParamSpec {
        self.expected = expected;
        self
    }

    /// The message for a value out of range: `expected`, or the options of a choice
    /// (`"hold", "reopen" or "flatten"`).
    pub fn expected_text(&self) -> String {
        match self.kind {
            ParamKind::Choice { options, .. } => {
                let quoted: Vec<String> = options.iter().map(|o| format!("\"{o}\"")).collect();
                match quoted.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        format!("{} or {last}", rest.join(", "))
                    }
                    _ => quoted.join(""),
                }
            }
            _ => self.expected.to_string(),
        }
    }
}

/// The names of a table, in its order.
pub fn names(specs: &[ParamSpec]) -> Vec<&'static str> {
    specs.iter().map(|s| s.name).collect()
}

/// The table as the markdown a strategy's README shows under `## Parameters`:
/// `| parameter | type | default | unit / range | meaning |`, one row per parameter.
pub fn markdown_table(specs: &[ParamSpec]) -> String {
    let mut out = String::from(
        "| parameter | type | default | unit / range | meaning |\n|---|---|---|---|---|\n",
    );
    for s in specs {
        let cells = [
            format!("`{}`", s.name),
            s.kind.type_name().to_string(),
            s.kind.default_text(),
            s.range.to_string(),
            s.doc.to_string(),
        ];
        let row = cells
            .iter()
            .map(|c| {
                if c.is_empty() {
                    " ".to_string()
                } else {
                    format!(" {c} ")
                }
            })
            .collect::<Vec<_>>()
            .join("|");
        out.push_str(&format!("|{row}|\n"));
    }
    out
}

/// Reads a strategy's parameters through its table: refuses undeclared names at once,
/// converts each value to its declared type (absent: the declared default) and checks it
/// against the declared range.
///
/// Asking for a name the table does not declare, or as another type than declared, is a
/// programmer error and panics (every strategy's tests build it from its defaults, which
/// reads every parameter).
#[derive(Clone, Copy, Debug)]
pub struct ParamReader<'a> {
    params: &'a Params,
    specs: &'static [ParamSpec],
}

impl<'a> ParamReader<'a> {
    /// Declares the table's names ([`Params::expect_only`]): the first parameter given that
    /// the table does not have is an error.
    pub fn new(params: &'a Params, specs: &'static [ParamSpec]) -> Result<Self, ParamError> {
        params.expect_only(&names(specs))?;
        Ok(ParamReader { params, specs })
    }

    /// The parameters read.
    pub fn params(&self) -> &'a Params {
        self.params
    }

    /// The declared parameter `name`.
    pub fn spec(&self, name: &str) -> &'static ParamSpec {
        self.specs
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("parameter `{name}` is not in the strategy's table"))
    }

    fn out_of_range(&self, spec: &ParamSpec) -> ParamError {
        self.params.invalid(spec.name, &spec.expected_text())
    }

    /// A [`ParamKind::Text`] parameter: `None` when absent.
    pub fn text(&self, name: &str) -> Result<Option<String>, ParamError> {
        let spec = self.spec(name);
        assert!(
            matches!(spec.kind, ParamKind::Text { .. }),
            "parameter `{name}` is not declared as text"
        );
        self.params.get_opt::<String>(name)
    }

    /// A [`ParamKind::Choice`] parameter: the option given, or the default.
    pub fn choice(&self, name: &str) -> Result<&'static str, ParamError> {
        let spec = self.spec(name);
        let ParamKind::Choice { options, default } = spec.kind else {
            panic!("parameter `{name}` is not declared as a choice");
        };
        let given = self.params.get_str(name, default)?;
        options
            .iter()
            .find(|o| **o == given)
            .copied()
            .ok_or_else(|| self.out_of_range(spec))
    }

    /// A [`ParamKind::Choice`] parameter mapped to a value: `values` pairs each declared
    /// option with what it means (`&[("spot", Mode::Spot), ("perp", Mode::Perp)]`). The
    /// pairs must name exactly the declared options (else a programmer error: panics).
    pub fn choice_of<T: Copy>(&self, name: &str, values: &[(&str, T)]) -> Result<T, ParamError> {
        let given = self.choice(name)?;
        let ParamKind::Choice { options, .. } = self.spec(name).kind else {
            unreachable!("choice() checked the kind");
        };
        assert!(
            options.len() == values.len()
                && options.iter().all(|o| values.iter().any(|(n, _)| n == o)),
            "parameter `{name}`: the values name {:?}, the table declares {options:?}",
            values.iter().map(|(n, _)| *n).collect::<Vec<_>>()
        );
        let found = values.iter().find(|(n, _)| *n == given);
        Ok(found
            .map(|(_, v)| *v)
            .unwrap_or_else(|| unreachable!("asserted above")))
    }

    /// A [`ParamKind::Int`] parameter, checked against its range.
    pub fn u32(&self, name: &str) -> Result<u32, ParamError> {
        let spec = self.spec(name);
        let ParamKind::Int { default, min, max } = spec.kind else {
            panic!("parameter `{name}` is not declared as an integer");
        };
        let v = self.params.get_u32(name, default)?;
        if (min..=max).contains(&v) {
            Ok(v)
        } else {
            Err(self.out_of_range(spec))
        }
    }

    /// A [`ParamKind::Bool`] parameter.
    pub fn bool(&self, name: &str) -> Result<bool, ParamError> {
        let spec = self.spec(name);
        let ParamKind::Bool { default } = spec.kind else {
            panic!("parameter `{name}` is not declared as a bool");
        };
        self.params.get_bool(name, default)
    }

    /// A [`ParamKind::Decimal`] parameter read as a rate, checked against its range.
    pub fn rate(&self, name: &str) -> Result<Rate, ParamError> {
        self.decimal::<Rate>(name, Rate::raw)
    }

    /// A [`ParamKind::Decimal`] parameter read as an amount of money, checked against its
    /// range.
    pub fn money(&self, name: &str) -> Result<Money, ParamError> {
        self.decimal::<Money>(name, Money::raw)
    }

    /// A [`ParamKind::Decimal`] parameter read as a quantity, checked against its range.
    pub fn qty(&self, name: &str) -> Result<Qty, ParamError> {
        self.decimal::<Qty>(name, Qty::raw)
    }

    /// A [`ParamKind::Decimal`] parameter read as a price, checked against its range.
    pub fn price(&self, name: &str) -> Result<Price, ParamError> {
        self.decimal::<Price>(name, Price::raw)
    }

    fn decimal<T: ParamType + Copy>(&self, name: &str, raw: fn(T) -> i64) -> Result<T, ParamError> {
        let spec = self.spec(name);
        let ParamKind::Decimal { default, min, max } = spec.kind else {
            panic!("parameter `{name}` is not declared as a decimal");
        };
        let v = match self.params.get_opt::<T>(name)? {
            Some(v) => v,
            None => literal::<T>(name, default),
        };
        if in_range(raw(v), min, max) {
            Ok(v)
        } else {
            Err(self.out_of_range(spec))
        }
    }
}

/// A decimal literal of a table; a bad one is a programmer error.
fn literal<T: ParamType>(name: &str, text: &str) -> T {
    T::from_param(&ParamValue::Str(text.to_string()))
        .unwrap_or_else(|_| panic!("parameter `{name}`: bad decimal literal {text:?} in its table"))
}

/// Fixed-point raw value of a bound's literal (rates and money share the 10⁻⁸ scale).
pub(crate) fn bound_raw(name: &str, text: &str) -> i64 {
    literal::<Rate>(name, text).raw()
}

fn in_range(v: i64, min: Bound, max: Bound) -> bool {
    let lo = match min {
        Bound::None => true,
        Bound::Incl(b) => v >= bound_raw("(bound)", b),
        Bound::Excl(b) => v > bound_raw("(bound)", b),
    };
    let hi = match max {
        Bound::None => true,
        Bound::Incl(b) => v <= bound_raw("(bound)", b),
        Bound::Excl(b) => v < bound_raw("(bound)", b),
    };
    lo && hi
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[ParamSpec] = &[
        ParamSpec::new(
            "symbol",
            ParamKind::text("the first one"),
            "venue symbol",
            "what",
        ),
        ParamSpec::new(
            "after",
            ParamKind::choice(&["hold", "reopen", "flatten"], "hold"),
            "`\"hold\"`, `\"reopen\"`, `\"flatten\"`",
            "policy",
        ),
        ParamSpec::new("n", ParamKind::int(3, 1, 10), "1–10", "count").expect("1 to 10"),
        ParamSpec::new(
            "share",
            ParamKind::decimal("0.02", Bound::Incl("0"), Bound::Excl("0.5")),
            "[0, 0.5)",
            "a share",
        )
        .expect("a share in [0, 0.5)"),
        ParamSpec::new("cash", ParamKind::any_decimal("1000000"), "quote", "money"),
        ParamSpec::new("log", ParamKind::bool(false), "", "print"),
    ];

    fn read(kv: &[&str]) -> String {
        let p = Params::new().with_overrides(kv.iter().copied()).unwrap();
        let r = match ParamReader::new(&p, SPECS) {
            Ok(r) => r,
            Err(e) => return e.to_string(),
        };
        let all = || -> Result<String, ParamError> {
            Ok(format!(
                "{:?} {} {} {} {} {}",
                r.text("symbol")?,
                r.choice("after")?,
                r.u32("n")?,
                r.rate("share")?,
                r.money("cash")?,
                r.bool("log")?
            ))
        };
        all().unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn defaults_values_and_errors() {
        let out = [
            read(&[]),
            read(&[
                "symbol=X",
                "after=flatten",
                "n=10",
                "share=0",
                "cash=5.5",
                "log=true",
            ]),
            read(&["after=panic"]),
            read(&["n=0"]),
            read(&["n=11"]),
            read(&["n=x"]),
            read(&["share=0.5"]),
            read(&["share=-0.00000001"]),
            read(&["cash=-3"]),
            read(&["shar=1"]),
        ];
        assert_eq!(
            out.join("\n"),
            [
                "None hold 3 0.02 1000000 false",
                "Some(\"X\") flatten 10 0 5.5 true",
                "parameter `after` = \"panic\" (from --param): expected \"hold\", \"reopen\" or \"flatten\"",
                "parameter `n` = \"0\" (from --param): expected 1 to 10",
                "parameter `n` = \"11\" (from --param): expected 1 to 10",
                "parameter `n` = \"x\" (from --param): expected a non-negative integer below 2^32",
                "parameter `share` = \"0.5\" (from --param): expected a share in [0, 0.5)",
                "parameter `share` = \"-0.00000001\" (from --param): expected a share in [0, 0.5)",
                "None hold 3 0.02 -3 false",
                "unknown parameter `shar` (from --param); did you mean `share`? known parameters: after, cash, log, n, share, symbol",
            ]
            .join("\n")
        );
    }

    #[test]
    fn renders_the_readme_table() {
        assert_eq!(
            markdown_table(SPECS),
            "| parameter | type | default | unit / range | meaning |\n\
             |---|---|---|---|---|\n\
             | `symbol` | string | the first one | venue symbol | what |\n\
             | `after` | string | `\"hold\"` | `\"hold\"`, `\"reopen\"`, `\"flatten\"` | policy |\n\
             | `n` | integer | `3` | 1–10 | count |\n\
             | `share` | decimal | `0.02` | [0, 0.5) | a share |\n\
             | `cash` | decimal | `1000000` | quote | money |\n\
             | `log` | bool | `false` | | print |\n"
        );
    }

    #[test]
    #[should_panic(expected = "not in the strategy's table")]
    fn an_undeclared_name_is_a_programmer_error() {
        let p = Params::new();
        let _ = ParamReader::new(&p, SPECS).unwrap().u32("m");
    }
}
