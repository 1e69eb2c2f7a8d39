//! The crate graph and the sources obey ARCHITECTURE.md: each crate depends only on the
//! cascade crates it may, strategy crates depend only on the strategy API, the pure crates
//! touch no files, threads or clocks, the codecs and the exchange API stay in their one
//! module each, and every crate is documented.

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
            "cascade-exchange",
            "cascade-crowd",
            "cascade-strategy",
            "cascade-report",
        ],
    ),
    (
        "cascade-run",
        &[
            "cascade-types",
            "cascade-journal",
            "cascade-engine",
            "cascade-crowd",
            "cascade-strategy",
            "cascade-report",
        ],
    ),
    ("cascade-fetch", &["cascade-types", "cascade-scenario"]),
    (
        "cascade-suite",
        &[
            "cascade-types",
            "cascade-journal",
            "cascade-import",
            "cascade-run",
            "cascade-scenario",
            "cascade-fetch",
            "cascade-report",
            "cascade-strategy",
        ],
    ),
];

/// The strategy registry (`strategies/all`): may depend on `cascade-strategy` and on the
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
/// The pure crates: no IO, threads or wall clock, checked on their dependencies here and on
/// their sources by [`pure_crates_touch_no_files_threads_or_clocks`].
const PURE: &[&str] = &[
    "cascade-types",
    "cascade-exchange",
    "cascade-crowd",
    "cascade-strategy",
    "cascade-engine",
    "cascade-scenario",
];

struct Krate {
    name: String,
    manifest: String,
    deps: Vec<String>,
}

fn workspace() -> Vec<Krate> {
    metadata(&[])
}

/// `cargo metadata --no-deps` of the workspace, or of another manifest (`--manifest-path`).
fn metadata(extra: &[&str]) -> Vec<Krate> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .args(extra)
        .current_dir(root())
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

/// What the Python package (outside the workspace, built by maturin) may depend on.
const PYTHON_ALLOWED: &[&str] = &[
    "cascade-types",
    "cascade-journal",
    "cascade-import",
    "cascade-run",
    "cascade-strategy",
    "cascade-suite",
    "cascade-fetch",
    "cascade-scenario",
    "cascade-strategies",
];

#[test]
fn the_python_crate_depends_on_the_library_only_and_nothing_on_it() {
    let manifest = root().join("crates/python/Cargo.toml");
    let python = metadata(&["--manifest-path", manifest.to_str().unwrap()]);
    let k = python
        .iter()
        .find(|k| k.name == "cascade-python")
        .expect("crates/python is the package cascade-python");
    let bad: Vec<&String> = k
        .deps
        .iter()
        .filter(|d| d.starts_with("cascade-") && !PYTHON_ALLOWED.contains(&d.as_str()))
        .collect();
    assert!(
        bad.is_empty(),
        "cascade-python may not depend on {bad:?} (ARCHITECTURE.md, crates/python)"
    );
    assert!(k.deps.iter().any(|d| d == "cascade-run"), "{:?}", k.deps);
    for w in workspace() {
        assert!(
            !w.deps.iter().any(|d| d == "cascade-python"),
            "{} depends on cascade-python",
            w.name
        );
        assert_ne!(
            w.name, "cascade-python",
            "crates/python must stay out of the workspace"
        );
    }
    let arch = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    assert!(arch.contains("### `crates/python`"));
}

#[test]
fn every_crate_is_named_in_architecture_md_and_documented() {
    let root = root();
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

/// What a pure crate's source may not say (outside comments and `#[cfg(test)]` code): files,
/// threads, the wall clock, channels, hash-map iteration.
const IMPURE_SOURCE: &[&str] = &[
    "std::fs",
    "std::thread",
    "std::time::Instant",
    "SystemTime",
    "File::",
    "crossbeam",
    "HashMap",
    "HashSet",
];

/// The named, documented exceptions: `(file, banned text, why)`. Each must still be needed
/// (an exception whose text is gone is reported, so the list cannot rot).
const PURE_EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "crates/scenario/src/load.rs",
        "std::fs",
        "reading the scenario catalogue is confined to this one file (ARCHITECTURE.md)",
    ),
    (
        "crates/strategy/src/params.rs",
        "std::fs",
        "`Params::from_file` reads a parameter file for the CLI; the strategy API never does",
    ),
];

/// Modules that alone may use a dependency, per crate: `(crate dir, text, the one file)`.
const ONE_MODULE: &[(&str, &str, &str)] = &[
    ("crates/journal", "bincode", "crates/journal/src/codec.rs"),
    ("crates/run", "bincode", "crates/run/src/codec.rs"),
    ("crates/fetch", "ureq", "crates/fetch/src/download.rs"),
    (
        "crates/engine",
        "cascade_exchange",
        "crates/engine/src/venue.rs",
    ),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// Every `.rs` file under `dir`, sorted, as paths relative to the workspace root.
fn rust_files(dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(
                p.strip_prefix(root())
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}

/// The code of a source file: comment lines dropped, and everything from the first
/// `#[cfg(test)]` on (tests, like dev-dependencies, may touch the world).
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, l)| l.trim() != "#[cfg(test)]")
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l))
        .collect()
}

/// The rules a set of source files breaks, one line each, and the exceptions used.
fn source_violations(
    files: &[(String, String)],
) -> (Vec<String>, Vec<(&'static str, &'static str)>) {
    let mut broken = Vec::new();
    let mut used = Vec::new();
    for (file, text) in files {
        let pure = PURE_DIRS
            .iter()
            .any(|d| file.starts_with(&format!("{d}/src/")));
        for (line, code) in code_lines(text) {
            if pure {
                for banned in IMPURE_SOURCE {
                    if !code.contains(banned) {
                        continue;
                    }
                    match PURE_EXCEPTIONS
                        .iter()
                        .find(|(f, b, _)| f == file && b == banned)
                    {
                        Some((f, b, _)) => used.push((*f, *b)),
                        None => broken.push(format!(
                            "{file}:{line}: `{banned}` in a pure crate (no files, threads or clocks): {}",
                            code.trim()
                        )),
                    }
                }
            }
            for (dir, text, only) in ONE_MODULE {
                if file.starts_with(&format!("{dir}/src/")) && file != only && code.contains(text) {
                    broken.push(format!(
                        "{file}:{line}: `{text}` outside {only}, the one module that may use it"
                    ));
                }
            }
        }
    }
    (broken, used)
}

/// The source directories of the pure crates (see [`PURE`]).
const PURE_DIRS: &[&str] = &[
    "crates/types",
    "crates/exchange",
    "crates/crowd",
    "crates/strategy",
    "crates/engine",
    "crates/scenario",
];

#[test]
fn pure_crates_touch_no_files_threads_or_clocks() {
    let ws = workspace();
    // Every pure crate's directory is scanned.
    for name in PURE {
        let k = ws.iter().find(|k| k.name == *name).unwrap();
        let dir = Path::new(&k.manifest).parent().unwrap();
        let rel = dir
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .to_string();
        assert!(PURE_DIRS.contains(&rel.as_str()), "{name} at {rel}");
    }
    let mut names = Vec::new();
    let dirs: Vec<&str> = PURE_DIRS
        .iter()
        .copied()
        .chain(ONE_MODULE.iter().map(|(d, _, _)| *d))
        .collect();
    for d in dirs {
        rust_files(&root().join(d).join("src"), &mut names);
    }
    names.sort();
    names.dedup();
    let files: Vec<(String, String)> = names
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(root().join(&f)).unwrap();
            (f, text)
        })
        .collect();
    assert!(files.len() > 100, "only {} files found", files.len());
    let (broken, used) = source_violations(&files);
    assert!(
        broken.is_empty(),
        "architecture rules broken in the sources:\n{}",
        broken.join("\n")
    );
    for (file, banned, _) in PURE_EXCEPTIONS {
        assert!(
            used.contains(&(file, banned)),
            "the exception for `{banned}` in {file} is no longer needed: remove it from PURE_EXCEPTIONS"
        );
    }

    // The check must be able to fail: a pure file that opens a file or reads the clock, and a
    // codec used outside its module, are caught; comments and tests are not code.
    let bad = vec![
        (
            "crates/engine/src/engine.rs".to_string(),
            "// std::fs in a comment is fine\nfn f() { let _ = std::fs::read(\"x\"); }\n\
             fn g() { let _ = std::time::Instant::now(); }\n#[cfg(test)]\nmod tests { use std::thread; }\n"
                .to_string(),
        ),
        (
            "crates/run/src/run.rs".to_string(),
            "use bincode::config;\nuse std::fs;\n".to_string(),
        ),
    ];
    assert_eq!(
        source_violations(&bad).0,
        [
            "crates/engine/src/engine.rs:2: `std::fs` in a pure crate (no files, threads or clocks): fn f() { let _ = std::fs::read(\"x\"); }",
            "crates/engine/src/engine.rs:3: `std::time::Instant` in a pure crate (no files, threads or clocks): fn g() { let _ = std::time::Instant::now(); }",
            "crates/run/src/run.rs:1: `bincode` outside crates/run/src/codec.rs, the one module that may use it",
        ]
    );
}
