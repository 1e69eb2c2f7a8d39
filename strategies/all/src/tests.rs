//! Every strategy of the registry, built from its defaults through the registry, runs over the
//! same crafted market without panicking, and does so deterministically.

use super::*;
use cascade_strategy::testing::{btc_perp_and_spot as specs, Harness};
use cascade_strategy::types::{
    Event, EventBody, Funding, InstrumentId, Liquidation, Money, OpenInterest, Price, Qty, Side,
    Trade, Ts,
};
use cascade_strategy::{Params, Registry, Strategy};
use std::path::Path;

/// Three hours of minute data: a slow rise, a crash with long liquidations, a base.
fn market() -> Vec<Event> {
    let t0 = Ts::parse_utc("2025-10-10T18:00:00Z").unwrap();
    let mut out = Vec::new();
    for m in 0..180i64 {
        let ts = t0.plus_nanos(Ts::mins(m));
        let px = match m {
            0..120 => 100_000 + 20 * m,
            120..130 => 102_400 - 1_000 * (m - 119),
            _ => 92_500,
        };
        let price = Price::from_int(px);
        let ev = |instrument: u32, body| Event {
            ts,
            instrument: InstrumentId(instrument),
            body,
        };
        out.push(ev(
            0,
            EventBody::OpenInterest(OpenInterest {
                qty: Qty::from_int(if m < 120 { 50_000 + 30 * m } else { 45_000 }),
                value: Money::ZERO,
            }),
        ));
        if m % 60 == 0 {
            out.push(ev(
                0,
                EventBody::Funding(Funding {
                    rate: if m < 120 { "0.0001" } else { "-0.0001" }.parse().unwrap(),
                    next_funding: ts.plus_nanos(Ts::NANOS_PER_HOUR),
                }),
            ));
        }
        if (120..130).contains(&m) {
            out.push(ev(
                0,
                EventBody::Liquidation(Liquidation {
                    side: Side::Sell,
                    price,
                    qty: Qty::from_int(200),
                }),
            ));
        }
        for (i, side) in [(0, Side::Buy), (0, Side::Sell), (1, Side::Buy)] {
            out.push(ev(
                i,
                EventBody::Trade(Trade {
                    price,
                    qty: Qty::ONE,
                    aggressor: side,
                    trade_id: 0,
                }),
            ));
        }
    }
    out
}

/// Every command the strategy issued over the market, one line each.
fn run(name: &str) -> Vec<String> {
    let mut s: Box<dyn Strategy> = registry().create(name, &Params::new()).unwrap();
    let mut h = Harness::funded(&specs(), Money::from_int(10_000));
    let mut out: Vec<String> = h
        .start(s.as_mut())
        .unwrap()
        .iter()
        .map(|c| format!("start {:?}", c.command))
        .collect();
    for ev in market() {
        for c in h.event(s.as_mut(), &ev) {
            out.push(format!("{} {:?}", ev.ts, c.command));
        }
        for c in h.fire_timers(s.as_mut()) {
            out.push(format!("{} timer {:?}", ev.ts, c.command));
        }
    }
    h.finish(s.as_mut());
    out
}

/// The package names of the strategy crates under `strategies/` (all but this one), sorted.
fn strategy_crates() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("strategies/");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root).expect("strategies/ is readable") {
        let manifest = dir.expect("a directory entry").path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        // `name = "…"` is the first key of a strategy crate's `[package]`.
        let name = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("name = "))
            .map(|v| v.trim().trim_matches('"'))
            .unwrap_or_else(|| panic!("{}: no package name", manifest.display()));
        if name != env!("CARGO_PKG_NAME") {
            out.push(name.to_string());
        }
    }
    out.sort();
    out
}

#[test]
fn the_registry_holds_every_strategy_once() {
    // `register` panics on a name taken twice: building the registry is the check.
    let names = registry().names();
    for builtin in Registry::with_builtins().names() {
        assert!(
            names.contains(&builtin),
            "the built-in `{builtin}` is missing"
        );
    }
    for e in registry().iter() {
        assert!(!e.description.is_empty(), "{} has no description", e.name);
    }
    // Every strategy crate of the workspace is in the registry, under its crate's name.
    let crates = strategy_crates();
    assert!(
        !crates.is_empty(),
        "no strategy crate found under strategies/"
    );
    for krate in crates {
        let name = krate.strip_prefix("cascade-strategy-").unwrap_or_else(|| {
            panic!("strategy crate `{krate}`: name it `cascade-strategy-<registry name>`")
        });
        assert!(
            names.contains(&name),
            "strategy crate `{krate}` is not registered as `{name}`: add it to \
             strategies/all/Cargo.toml and to `register_all` in strategies/all/src/lib.rs \
             (registered: {names:?})"
        );
    }
}

#[test]
fn every_strategy_runs_from_its_defaults_and_is_deterministic() {
    for name in registry().names() {
        let first = run(name);
        assert_eq!(first, run(name), "{name} is not deterministic");
        // The trading strategies all act on this market (noop does not).
        assert_eq!(first.is_empty(), name == "noop", "{name}: {first:?}");
    }
}
