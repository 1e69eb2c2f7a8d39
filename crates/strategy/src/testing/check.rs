//! The parameter check every strategy crate's tests run in one line
//! ([`check_params`]): the declared table, the factory and the README agree.

use crate::params::Params;
use crate::registry::Registry;
use crate::spec::{bound_raw, markdown_table, Bound, ParamKind, ParamSpec};
use cascade_types::Rate;

/// Checks a strategy's parameters against its declared table and panics listing every
/// problem:
///
/// - it builds from its defaults, and from each default (or each choice) given explicitly;
/// - every declared parameter is read: a value of the wrong type is refused with an error
///   naming it, and so is a value just outside each end of its declared range (with the
///   declared message);
/// - a name the table does not declare is refused;
/// - the README's table under `## Parameters` is the one rendered from the table
///   ([`markdown_table`]); when it is not, the message shows the table to paste.
///
/// `register` is the strategy crate's `register` function, `name` its registry name.
pub fn check_params(register: fn(&mut Registry), name: &str, specs: &[ParamSpec], readme: &str) {
    let mut registry = Registry::new();
    register(&mut registry);
    let mut problems = Vec::new();
    let make = |p: &Params| {
        registry
            .create(name, p)
            .map(drop)
            .map_err(|e| e.to_string())
    };
    let kv = |pairs: &[String]| {
        Params::new()
            .with_overrides(pairs.iter())
            .expect("k=v overrides")
    };
    if let Err(e) = make(&Params::new()) {
        problems.push(format!("does not build from its defaults: {e}"));
    }
    for spec in specs {
        let n = spec.name;
        let mut good: Vec<String> = Vec::new();
        let mut bad: Vec<(Params, String, String)> = Vec::new();
        let wrong = |v: &str| kv(&[format!("{n}={v}")]);
        match spec.kind {
            ParamKind::Text { .. } => {
                good.push("BTCUSDT".to_string());
                let p = Params::from_toml_str(&format!("{n} = 5"), "p.toml").expect("toml");
                bad.push((p, "5".to_string(), "a string".into()));
            }
            ParamKind::Choice { options, default } => {
                good.extend(options.iter().map(|o| o.to_string()));
                if !options.contains(&default) {
                    problems.push(format!("`{n}`: default {default:?} is not an option"));
                }
                bad.push((
                    wrong("not-an-option"),
                    "not-an-option".into(),
                    spec.expected_text(),
                ));
            }
            ParamKind::Int { default, min, max } => {
                good.push(default.to_string());
                bad.push((wrong("x"), "x".into(), "a non-negative integer".into()));
                if min > 0 {
                    let v = (min - 1).to_string();
                    bad.push((wrong(&v), v, spec.expected.into()));
                }
                if max < u32::MAX {
                    let v = (u64::from(max) + 1).to_string();
                    bad.push((wrong(&v), v, spec.expected.into()));
                }
            }
            ParamKind::Decimal { default, min, max } => {
                good.push(default.to_string());
                bad.push((wrong("x"), "x".into(), "with at most 8 decimals".into()));
                let outside = |b: Bound, below: bool| -> Option<String> {
                    let step = if below { -1 } else { 1 };
                    let v = match b {
                        Bound::None => return None,
                        Bound::Incl(t) => bound_raw(n, t) + step,
                        Bound::Excl(t) => bound_raw(n, t),
                    };
                    Some(Rate::from_raw(v).to_string())
                };
                for v in [outside(min, true), outside(max, false)]
                    .into_iter()
                    .flatten()
                {
                    bad.push((wrong(&v), v, spec.expected.into()));
                }
            }
            ParamKind::Bool { default } => {
                good.push(default.to_string());
                bad.push((wrong("maybe"), "maybe".into(), "true or false".into()));
            }
        }
        let has_range = match spec.kind {
            ParamKind::Int { min, max, .. } => min > 0 || max < u32::MAX,
            ParamKind::Decimal { min, max, .. } => min != Bound::None || max != Bound::None,
            _ => false,
        };
        if has_range && spec.expected.is_empty() {
            problems.push(format!(
                "`{n}` has a range but no message for a value outside it (ParamSpec::expect)"
            ));
        }
        for v in good {
            if let Err(e) = make(&wrong(&v)) {
                problems.push(format!("`{n}={v}` is refused: {e}"));
            }
        }
        for (p, v, expected) in bad {
            let needle = format!("parameter `{n}` = ");
            match make(&p) {
                Ok(()) => problems.push(format!(
                    "`{n}` = {v} is accepted: is the parameter read, and its range checked?"
                )),
                Err(e) if !e.contains(&needle) || !e.contains(&expected) => problems.push(format!(
                    "`{n}` = {v} is refused, but not for `{n}` with `{expected}`: {e}"
                )),
                Err(_) => {}
            }
        }
        let typo = format!("{n}x");
        match make(&wrong_name(&typo)) {
            Ok(()) => problems.push(format!("the undeclared name `{typo}` is accepted")),
            Err(e) if !e.contains(&format!("unknown parameter `{typo}`")) => problems.push(
                format!("the undeclared name `{typo}`: unexpected error {e}"),
            ),
            Err(_) => {}
        }
    }
    let rendered = markdown_table(specs);
    match readme_table(readme) {
        None => problems.push(format!(
            "the README has no table under `## Parameters`; it should be:\n{rendered}"
        )),
        Some(table) if table != rendered => problems.push(format!(
            "the README's parameter table differs from the declared one; it should be:\n{rendered}"
        )),
        Some(_) => {}
    }
    assert!(
        problems.is_empty(),
        "strategy `{name}`: {} problem(s) with its parameters:\n- {}",
        problems.len(),
        problems.join("\n- ")
    );
}

/// Builds strategy `name` (registered by `register`) from `k=v` parameters, as the
/// registry does for `--param`: `"ok"`, or the error message.
pub fn try_create(register: fn(&mut Registry), name: &str, kv: &[&str]) -> String {
    let mut registry = Registry::new();
    register(&mut registry);
    let params = Params::new()
        .with_overrides(kv.iter().copied())
        .expect("k=v overrides");
    match registry.create(name, &params) {
        Ok(_) => "ok".to_string(),
        Err(e) => e.to_string(),
    }
}

fn wrong_name(name: &str) -> Params {
    Params::new()
        .with_overrides([format!("{name}=1")])
        .expect("k=v")
}

/// The markdown table (its `|` lines, each ending in a newline) under the `## Parameters`
/// heading of a README, if any.
pub fn readme_table(readme: &str) -> Option<String> {
    let mut lines = readme
        .lines()
        .skip_while(|l| l.trim_end() != "## Parameters");
    lines.next()?;
    let table: String = lines
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .map(|l| format!("{}\n", l.trim_end()))
        .collect();
    (!table.is_empty()).then_some(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ParamReader;
    use crate::{ParamError, Strategy};

    const SPECS: &[ParamSpec] = &[
        ParamSpec::new(
            "every",
            ParamKind::int(10, 1, u32::MAX),
            "≥ 1",
            "events between orders",
        )
        .expect("at least 1"),
        ParamSpec::new(
            "share",
            ParamKind::decimal("0.5", Bound::Excl("0"), Bound::Incl("1")),
            "(0, 1]",
            "a share",
        )
        .expect("a share in (0, 1]"),
        ParamSpec::new(
            "side",
            ParamKind::choice(&["buy", "sell"], "buy"),
            "",
            "which",
        ),
    ];

    const README: &str = "# x\n\n## Parameters\n\n\
        | parameter | type | default | unit / range | meaning |\n\
        |---|---|---|---|---|\n\
        | `every` | integer | `10` | ≥ 1 | events between orders |\n\
        | `share` | decimal | `0.5` | (0, 1] | a share |\n\
        | `side` | string | `\"buy\"` | | which |\n\
        \nExample.\n";

    fn good(p: &Params) -> Result<Box<dyn Strategy>, ParamError> {
        let r = ParamReader::new(p, SPECS)?;
        r.u32("every")?;
        r.rate("share")?;
        r.choice("side")?;
        Ok(Box::new(crate::NoOp))
    }

    fn lazy(p: &Params) -> Result<Box<dyn Strategy>, ParamError> {
        let r = ParamReader::new(p, SPECS)?;
        r.u32("every")?; // forgets the others
        Ok(Box::new(crate::NoOp))
    }

    #[test]
    fn a_consistent_strategy_passes() {
        check_params(|r| r.register("good", "good", good), "good", SPECS, README);
    }

    #[test]
    #[should_panic(expected = "`share` = x is accepted")]
    fn an_unread_parameter_is_found() {
        check_params(|r| r.register("lazy", "lazy", lazy), "lazy", SPECS, README);
    }

    #[test]
    #[should_panic(expected = "README's parameter table differs")]
    fn a_drifted_readme_is_found() {
        let drifted = README.replace("`0.5`", "`0.25`");
        check_params(
            |r| r.register("good", "good", good),
            "good",
            SPECS,
            &drifted,
        );
    }
}
