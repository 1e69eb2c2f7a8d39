//! Bad scenario files give errors that name the file, the field and what is wrong. Each case
//! edits the bundled 10/10 (or 2020) file in one place.

use crate::common::*;
use cascade_scenario::{load, load_dir, parse, ScenarioError};
use std::fmt::Write;
use std::path::Path;

fn text(id: &str) -> String {
    std::fs::read_to_string(fixtures_dir().join(format!("{id}.toml"))).unwrap()
}

/// `text` with the first line starting with `prefix` (after indentation) replaced by `with`
/// (removed when empty) — after the line `after`, when given.
fn edit(text: &str, after: Option<&str>, prefix: &str, with: &str) -> String {
    let mut seen = after.is_none();
    let mut done = false;
    let mut out = String::new();
    for line in text.lines() {
        if !seen && Some(line.trim()) == after {
            seen = true;
        } else if seen && !done && line.trim_start().starts_with(prefix) {
            done = true;
            if !with.is_empty() {
                out.push_str(with);
                out.push('\n');
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    assert!(done, "no line {prefix:?} after {after:?}");
    out
}

fn message(r: Result<cascade_scenario::Scenario, ScenarioError>) -> String {
    match r {
        Ok(s) => format!("unexpectedly valid: {}", s.id),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_missing_field_names_the_file_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("2025-10-10-tariff-crash.toml");
    std::fs::write(
        &path,
        edit(&text("2025-10-10-tariff-crash"), None, "seed =", ""),
    )
    .unwrap();
    let e = message(load(&path));
    let e = e.replace(&dir.path().display().to_string(), "[TMP]");
    assert!(
        e.contains("2025-10-10-tariff-crash.toml") && e.contains("`seed`"),
        "{e}"
    );
    insta::assert_snapshot!(e);
    // The directory loader reports the same.
    let e2 = load_dir(dir.path())
        .unwrap_err()
        .to_string()
        .replace(&dir.path().display().to_string(), "[TMP]");
    assert_eq!(e, e2);
}

#[test]
fn bad_files_give_clear_errors() {
    let ten = text("2025-10-10-tariff-crash");
    let twenty = text("2020-03-12-black-thursday");
    let at = |id: &str| format!("fixtures/scenarios/{id}.toml");
    let cases: Vec<(&str, String, String)> = vec![
        (
            "a figure without its source",
            edit(&ten, Some("[figures.low]"), "source =", ""),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "a misspelt table",
            edit(&ten, None, "[generator.depth]", "[generator.depths]"),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "a typo in a key",
            edit(&ten, None, "crash_power =", "crash_powr = 2"),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "nine decimals",
            edit(
                &ten,
                Some("[figures.low]"),
                "value =",
                "value = 101516.123456789",
            ),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "a word for a number",
            edit(&ten, Some("[figures.low]"), "value =", "value = \"low\""),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "a bad time",
            edit(&ten, None, "low_at =", "low_at = \"2025-10-10 21:61\""),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "an unknown instrument kind",
            edit(&ten, None, "kind = \"spot\"", "kind = \"margin\""),
            at("2025-10-10-tariff-crash"),
        ),
        ("the id is not the file name", ten.clone(), at("10-10")),
        (
            "a low above the crash start",
            edit(&ten, Some("[figures.low]"), "value =", "value = 130000"),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "a low off the tick",
            edit(&ten, Some("[figures.low]"), "value =", "value = 101516.55"),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "the low outside the crash window",
            edit(
                &edit(&ten, None, "low_at =", "low_at = \"2025-10-10T21:40:00Z\""),
                Some("[figures.low]"),
                "at =",
                "",
            ),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "moving an exact published time",
            edit(&ten, None, "low_at =", "low_at = \"2025-10-10T21:21:00Z\""),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "a low time off the bar grid",
            edit(
                &edit(&ten, None, "low_at =", "low_at = \"2025-10-10T21:20:30Z\""),
                Some("[figures.low]"),
                "at =",
                "",
            ),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "a figure neither published nor listed",
            edit(&ten, None, "not_found =", "not_found = [\"first_leg_low\"]"),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "a figure published and listed",
            edit(
                &ten,
                None,
                "not_found =",
                "not_found = [\"first_leg_low\", \"recovery\", \"mark_low\"]",
            ),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "a funding rate of the wrong sign",
            edit(
                &edit(&twenty, Some("[figures.funding_after]"), "rate =", ""),
                None,
                "before = 0.0001",
                "before = 0.0001\nafter = 0.0002",
            ),
            at("2020-03-12-black-thursday"),
        ),
        (
            "a funding rate against the published one",
            edit(
                &twenty,
                None,
                "before = 0.0001",
                "before = 0.0001\nafter = -0.001",
            ),
            at("2020-03-12-black-thursday"),
        ),
        (
            "a sign-only funding figure without a rate",
            edit(&twenty, Some("[figures.funding_after]"), "rate =", ""),
            at("2020-03-12-black-thursday"),
        ),
        (
            "a real funding settlement off the settlement grid",
            edit(
                &ten,
                None,
                "{ at = \"2025-10-10T16:00:00Z\"",
                "  { at = \"2025-10-10T17:00:00Z\", rate = 0.00001013 },",
            ),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "a real funding settlement outside the window",
            edit(
                &ten,
                None,
                "{ at = \"2025-10-11T00:00:00Z\"",
                "  { at = \"2025-10-11T00:00:00Z\", rate = 0.0001 },\n  { at = \"2025-10-11T08:00:00Z\", rate = 0.0001 },",
            ),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "an OI change against the published one",
            edit(&ten, None, "build_up =", "build_up = 0.03\nchange = -0.3"),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "a missing long/short split",
            edit(&twenty, None, "long_fraction =", ""),
            at("2020-03-12-black-thursday"),
        ),
        (
            "two spot markets",
            ten.replace("kind = \"linear-perp\"", "kind = \"spot\""),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "an unknown figure name",
            edit(
                &ten,
                None,
                "not_found =",
                "not_found = [\"first_leg_low\", \"recovery\", \"low\"]",
            ),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "a depth thinning above one",
            edit(&ten, None, "thinning =", "thinning = 1.5"),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "no trade size",
            edit(&ten, None, "avg_trade_qty =", "avg_trade_qty = 0"),
            at("2025-10-10-tariff-crash"),
        ),
        (
            "an absolute data path",
            edit(
                &ten,
                None,
                "path = \"funding-data",
                "path = \"/work/shared/data/funding-data/BTCUSDT.csv\"",
            ),
            at("2025-10-10-tariff-crash"),
        ),
    ];
    let mut out = String::new();
    for (name, text, path) in cases {
        writeln!(
            out,
            "{name}:\n  {}",
            message(parse(&text, Path::new(&path)))
        )
        .unwrap();
    }
    insta::assert_snapshot!(out);
}

#[test]
fn an_unreadable_file_names_itself() {
    let e = load(Path::new("fixtures/scenarios/no-such-reset.toml")).unwrap_err();
    assert!(matches!(e, ScenarioError::Io { .. }));
    assert!(
        e.to_string()
            .starts_with("fixtures/scenarios/no-such-reset.toml: cannot read: "),
        "{e}"
    );
}

/// Issue 12: generator fields out of their range are refused, naming the file and the field
/// (`recovery_fraction = 50` once gave buy-and-hold spot +601 %).
#[test]
fn generator_fields_out_of_range_are_refused() {
    let twenty = text("2020-03-12-black-thursday");
    let cases = [
        (
            "recovery_fraction =",
            "recovery_fraction = 50",
            "generator.path.recovery_fraction",
        ),
        (
            "mark_low_gap =",
            "mark_low_gap = -1",
            "generator.path.mark_low_gap",
        ),
        (
            "stress_decay_min =",
            "stress_decay_min = 0",
            "generator.path.stress_decay_min",
        ),
        (
            "post_drift =",
            "post_drift = 7",
            "generator.path.post_drift",
        ),
        (
            "taker_sell_skew =",
            "taker_sell_skew = 0.9",
            "generator.flow.taker_sell_skew",
        ),
    ];
    for (prefix, with, field) in cases {
        let e = message(parse(
            &edit(&twenty, None, prefix, with),
            Path::new("fixtures/scenarios/2020-03-12-black-thursday.toml"),
        ));
        assert!(
            e.contains("2020-03-12-black-thursday.toml") && e.contains(field),
            "{with}: {e}"
        );
    }
}
