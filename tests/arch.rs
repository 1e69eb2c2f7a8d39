//! The crate graph obeys ARCHITECTURE.md: each crate depends only on the cascade crates it
//! may, strategy crates depend only on the strategy API, and every crate is documented.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Which cascade crates each crate may depend on (normal dependencies). Strategy crates are
/// checked separately: they may depend on `cascade-strategy` only, except the suite
/// ([`SUITE`]), which gathers the strategy crates into one registry.
const ALLOWED: &[(&str, &[&str])] = &[
    ("cascade-types", &[]),
    ("cascade-journal", &["cascade-types"]),
    ("cascade-import", &["cascade-types", "cascade-journal"]),
    ("cascade-exchange", &["cascade-types"]),
    ("cascade-strategy", &["cascade-types"]),
    ("cascade-report", &["cascade-types"]),
    ("cascade-scenario", &["cascade-types"]),
    ("cascade-crowd", &["cascade-types", "cascade-exchange"]),
    (
        "cascade-engine",
        &[
            "cascade-types",
            "cascade-journal",
            "cascade-exchange",
            "cascade-crowd",
            "cascade-strategy",
            "cascade-report",
        ],
    ),
    (
        "cascade-suite",
        &[
            "cascade-types",
            "cascade-journal",
            "cascade-import",
            "cascade-engine",
            "cascade-scenario",
            "cascade-report",
            "cascade-strategy",
        ],
    ),
];

/// The strategy suite (`strategies/all`): may depend on `cascade-strategy` and on the
/// strategy crates (`cascade-strategy-*`), nothing else.
const SUITE: &str = "cascade-strategies";

/// Crates that may depend on anything in the workspace (nothing may depend on them).
const LEAVES: &[&str] = &["cascade-cli", "cascade-benches", "cascade-tests"];

/// External crates that would let a pure crate do IO, threads or wall-clock work.
const IMPURE_EXTERNAL: &[&str] = &[
    "crossbeam-channel",
    "csv",
    "flate2",
    "zip",
    "clap",
    "indicatif",
    "anyhow",
    "hdrhistogram",
];
const PURE: &[&str] = &["cascade-types", "cascade-exchange", "cascade-strategy"];

struct Krate {
    name: String,
    manifest: String,
    deps: Vec<String>,
}

fn workspace() -> Vec<Krate> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| Krate {
            name: p["name"].as_str().unwrap().to_string(),
            manifest: p["manifest_path"].as_str().unwrap().to_string(),
            deps: p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].is_null()) // normal deps; dev/build deps are free
                .map(|d| d["name"].as_str().unwrap().to_string())
                .collect(),
        })
        .collect()
}

/// Every rule broken by one crate, one line each.
fn violations(k: &Krate, all_names: &[String]) -> Vec<String> {
    let mut v = Vec::new();
    let internal: Vec<&String> = k.deps.iter().filter(|d| all_names.contains(d)).collect();
    let is_strategy = k.manifest.contains("/strategies/");
    for d in &internal {
        if LEAVES.contains(&d.as_str()) {
            v.push(format!(
                "{} depends on {d}, which nothing may depend on",
                k.name
            ));
        }
    }
    if is_strategy {
        let suite = k.name == SUITE;
        for d in &internal {
            if d.as_str() != "cascade-strategy" && !(suite && d.starts_with("cascade-strategy-")) {
                v.push(format!(
                    "strategy crate {} depends on {d}; only cascade-strategy is allowed",
                    k.name
                ));
            }
        }
    } else if let Some((_, allowed)) = ALLOWED.iter().find(|(n, _)| *n == k.name) {
        for d in &internal {
            if !allowed.contains(&d.as_str()) {
                v.push(format!(
                    "{} depends on {d}, which ARCHITECTURE.md forbids",
                    k.name
                ));
            }
        }
    } else if !LEAVES.contains(&k.name.as_str()) {
        v.push(format!(
            "{} is not in the architecture table of tests/arch.rs",
            k.name
        ));
    }
    if PURE.contains(&k.name.as_str()) {
        for d in &k.deps {
            if IMPURE_EXTERNAL.contains(&d.as_str()) {
                v.push(format!(
                    "{} depends on {d}, but it must stay pure (no IO, threads, clock)",
                    k.name
                ));
            }
        }
    }
    v
}

#[test]
fn crate_graph_follows_architecture_md() {
    let ws = workspace();
    let names: Vec<String> = ws.iter().map(|k| k.name.clone()).collect();
    let broken: Vec<String> = ws.iter().flat_map(|k| violations(k, &names)).collect();
    assert!(
        broken.is_empty(),
        "architecture rules broken:\n{}",
        broken.join("\n")
    );
    // The check must be able to fail: a crate graph that breaks the rules is caught.
    let bad = Krate {
        name: "cascade-exchange".into(),
        manifest: "/x/crates/exchange/Cargo.toml".into(),
        deps: vec!["cascade-journal".into(), "csv".into()],
    };
    assert_eq!(
        violations(&bad, &names),
        [
            "cascade-exchange depends on cascade-journal, which ARCHITECTURE.md forbids",
            "cascade-exchange depends on csv, but it must stay pure (no IO, threads, clock)",
        ]
    );
    let bad_strategy = Krate {
        name: "buy-and-hold".into(),
        manifest: "/x/strategies/buy-and-hold/Cargo.toml".into(),
        deps: vec!["cascade-exchange".into()],
    };
    assert_eq!(violations(&bad_strategy, &names).len(), 1);
    // The suite may gather strategy crates, but no more than a strategy may reach.
    let bad_suite = Krate {
        name: SUITE.into(),
        manifest: "/x/strategies/all/Cargo.toml".into(),
        deps: vec![
            "cascade-strategy-buy-and-hold".into(),
            "cascade-exchange".into(),
        ],
    };
    assert_eq!(
        violations(&bad_suite, &names),
        ["strategy crate cascade-strategies depends on cascade-exchange; only cascade-strategy is allowed"]
    );
}

#[test]
fn every_crate_is_named_in_architecture_md_and_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let arch = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let mut missing = BTreeMap::new();
    for k in workspace() {
        let dir = Path::new(&k.manifest).parent().unwrap();
        let rel = dir
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let named = arch.contains(&format!("`{rel}`"))
            || rel.starts_with("strategies/") && arch.contains("`strategies/*`")
            || ["benches", "tests"].contains(&rel.as_str()) && arch.contains(&format!("`{rel}/`"));
        if !named {
            missing.insert(rel.clone(), "not named in ARCHITECTURE.md");
        }
        for entry in ["src/lib.rs", "lib.rs", "src/main.rs"] {
            let f = dir.join(entry);
            if f.exists() {
                let text = std::fs::read_to_string(&f).unwrap();
                if !text.trim_start().starts_with("//!") {
                    missing.insert(rel.clone(), "crate root has no //! docs");
                }
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}
