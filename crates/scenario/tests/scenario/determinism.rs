//! A reconstruction is a pure function of its file: two runs give identical events, and a
//! digest of every scenario's events (counts per kind, first and last event, an xxh3 hash of
//! their JSON encoding) is pinned, so any change to the generator shows up here.

use crate::common::*;
use cascade_scenario::Reconstruction;
use cascade_types::EventKind;
use std::collections::BTreeMap;
use std::fmt::Write;
use xxhash_rust::xxh3::xxh3_64;

fn digest(r: &Reconstruction) -> String {
    let mut counts: BTreeMap<EventKind, usize> = BTreeMap::new();
    for e in &r.events {
        *counts.entry(e.kind()).or_default() += 1;
    }
    let json = serde_json::to_vec(&r.events).unwrap();
    let mut out = String::new();
    writeln!(out, "{}", r.scenario_id).unwrap();
    writeln!(out, "  {}", r.description).unwrap();
    let counts: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
    writeln!(out, "  events {}: {}", r.events.len(), counts.join(", ")).unwrap();
    writeln!(out, "  first  {}", r.events.first().unwrap()).unwrap();
    writeln!(out, "  last   {}", r.events.last().unwrap()).unwrap();
    writeln!(
        out,
        "  xxh3(json) {:016x} over {} bytes",
        xxh3_64(&json),
        json.len()
    )
    .unwrap();
    out
}

#[test]
fn two_runs_give_identical_events() {
    let (s, r) = scenario("2025-10-10-tariff-crash");
    let again = s.reconstruct();
    assert_eq!(again.events, r.events);
    assert_eq!(again.instruments, r.instruments);
    // A reloaded file too.
    let reloaded = cascade_scenario::load(&s.origin).unwrap();
    assert_eq!(reloaded.reconstruct().events, r.events);
}

#[test]
fn a_different_seed_gives_different_noise_through_the_same_anchors() {
    let (s, r) = scenario("2025-02-03-tariffs");
    let mut other = s.clone();
    other.generator.seed += 1;
    let o = other.reconstruct();
    assert_ne!(o.events, r.events);
    assert_eq!(o.plan, r.plan);
    assert!(o
        .description
        .contains(&format!("seed {}", s.generator.seed + 1)));
}

#[test]
fn digests_are_pinned() {
    let mut all = String::new();
    for (_, r) in catalogue() {
        all.push_str(&digest(r));
    }
    insta::assert_snapshot!(all);
}
