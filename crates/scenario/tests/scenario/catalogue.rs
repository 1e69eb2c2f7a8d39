//! The bundled catalogue: every reset of the design brief is there, loads, and accounts for
//! every figure; a table of all of them is pinned for people to read.

use crate::common::*;
use cascade_scenario::{Confidence, Scenario};
use cascade_types::Ts;
use std::fmt::Write;

const RESETS: [&str; 7] = [
    "2020-03-12-black-thursday",
    "2021-05-19-black-wednesday",
    "2022-11-ftx",
    "2024-08-05-yen-carry",
    "2025-02-03-tariffs",
    "2025-04-07-reciprocal-tariffs",
    "2025-10-10-tariff-crash",
];

#[test]
fn every_reset_of_the_brief_is_in_the_catalogue_in_id_order() {
    let ids: Vec<&str> = catalogue().iter().map(|(s, _)| s.id.as_str()).collect();
    assert_eq!(ids, RESETS);
}

#[test]
fn every_scenario_has_a_perp_a_spot_market_and_sourced_figures() {
    for (s, r) in catalogue() {
        assert!(
            s.perp_index().is_some() && s.spot_index().is_some(),
            "{}",
            s.id
        );
        assert_eq!(r.instruments.len(), 2);
        let f = &s.figures;
        for (name, source) in [
            ("price_before", &f.price_before.source),
            ("low", &f.low.source),
            ("liquidations", &f.liquidations.source),
        ] {
            assert!(!source.trim().is_empty(), "{}: {name} has no source", s.id);
        }
        assert!(
            f.facts
                .iter()
                .all(|x| !x.source.is_empty() && !x.text.is_empty()),
            "{}",
            s.id
        );
        assert!(!s.venue.preset.is_empty());
    }
}

/// `$16.7B`, `$670M`.
fn usd(x: Option<u64>) -> String {
    match x {
        None => "-".to_string(),
        Some(v) if v >= 1_000_000_000 => format!("${}B", trim(v as f64 / 1e9)),
        Some(v) => format!("${}M", trim(v as f64 / 1e6)),
    }
}

fn trim(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn hm(t: Ts) -> String {
    let s = t.to_string();
    s[..16].replace('T', " ")
}

fn conf(c: Confidence) -> String {
    format!("({c})")
}

fn row(s: &Scenario) -> String {
    let f = &s.figures;
    let low_at = match (f.low.at, s.generator.path.low_at) {
        (Some(t), _) => hm(t),
        (None, Some(t)) => format!("{} (modelled)", hm(t)),
        (None, None) => "?".into(),
    };
    let approx = |a: bool| if a { "~" } else { "" };
    let oi = f
        .open_interest
        .as_ref()
        .and_then(|o| o.change())
        .map_or("-".into(), |c| format!("{:+.0}%", c.to_f64() * 100.0));
    let funding = |x: &Option<cascade_scenario::FundingFigure>| {
        x.as_ref().map_or("-".into(), |f| {
            f.rate.map_or(f.sign.to_string(), |r| r.to_string())
        })
    };
    format!(
        "{}\n  window {} -> {}, crash {} -> {}; {} on {} (tiers {})\n  before {}{} {}; low {}{} at {} {}; liquidations long {} short {} total {} {} [{}]\n  OI change {}; funding {} -> {}; facts {}; not found: {}\n",
        s.id,
        hm(s.window.start),
        hm(s.window.end),
        hm(s.crash_window.start),
        hm(s.crash_window.end),
        s.venue.preset,
        s.headline_venue,
        s.venue.tiers_seen_from.as_deref().unwrap_or("-"),
        approx(f.price_before.approx),
        f.price_before.value,
        conf(f.price_before.confidence),
        approx(f.low.approx),
        f.low.value,
        low_at,
        conf(f.low.confidence),
        usd(f.liquidations.long_usd),
        usd(f.liquidations.short_usd),
        usd(f.liquidations.total_usd),
        conf(f.liquidations.confidence),
        f.liquidations.scope,
        oi,
        funding(&f.funding_before),
        funding(&f.funding_after),
        f.facts.len(),
        if f.not_found.is_empty() { "-".into() } else { f.not_found.join(", ") },
    )
}

#[test]
fn the_catalogue_reads_as_a_table() {
    let mut out = String::new();
    for (s, _) in catalogue() {
        writeln!(out, "{}", row(s)).unwrap();
    }
    insta::assert_snapshot!(out);
}
