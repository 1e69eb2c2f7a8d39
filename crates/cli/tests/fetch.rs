//! `backtest fetch` against a loopback mirror (never the real host), then `backtest import`
//! of what it fetched: the same event log as importing the mirror's files by hand.

#[path = "../../fetch/tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `backtest ARGS` from the workspace root: (success, stdout + stderr).
fn backtest(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_backtest"))
        .args(args)
        .current_dir(root())
        .env_remove("CASCADE_MIRROR")
        .output()
        .expect("backtest runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn content_hash(log: &Path) -> u64 {
    cascade_journal::summarize(log).unwrap().content_hash
}

#[test]
fn fetch_then_import_gives_the_log_of_importing_the_same_files_by_hand() {
    let mirror = support::Mirror::start();
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let cache_s = cache.to_str().unwrap();
    let fetch = [
        "fetch",
        "--scenario",
        "2025-10-10",
        "--with-trades",
        "--mirror",
        &mirror.url,
        "--cache",
        cache_s,
    ];
    let (ok, text) = backtest(&fetch);
    assert!(ok, "{text}");
    assert!(text.contains("6 downloaded"), "{text}");
    assert!(text.contains("0 failed"), "{text}");

    let fetched = tmp.path().join("fetched.clog");
    let by_hand = tmp.path().join("by_hand.clog");
    let (ok, text) = backtest(&[
        "import",
        cache.join("data").to_str().unwrap(),
        "--out",
        fetched.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    let (ok, text) = backtest(&[
        "import",
        mirror.dir.path().join("data").to_str().unwrap(),
        "--out",
        by_hand.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    assert_eq!(content_hash(&fetched), content_hash(&by_hand));
    let (a, b) = (
        cascade_journal::summarize(&fetched).unwrap(),
        cascade_journal::summarize(&by_hand).unwrap(),
    );
    assert_eq!(a.events_per_kind, b.events_per_kind);
    // Every sample stream made it in: bars, depth, metrics, funding, trades.
    assert!(
        a.event_count > 1000 && a.events_per_kind.len() >= 5,
        "{:?}",
        a.events_per_kind
    );

    // The second fetch downloads nothing.
    let (ok, text) = backtest(&fetch);
    assert!(ok, "{text}");
    assert!(
        text.contains("0 downloaded (0 bytes), 6 already cached"),
        "{text}"
    );
}

#[test]
fn a_corrupt_file_fails_the_command_and_is_named() {
    let mirror = support::Mirror::start();
    let path = "data/futures/um/daily/metrics/BTCUSDT/BTCUSDT-metrics-2025-10-10.zip";
    mirror.fault(path, support::Fault::Corrupt, usize::MAX);
    let tmp = tempfile::tempdir().unwrap();
    let (ok, text) = backtest(&[
        "fetch",
        "--symbol",
        "BTCUSDT",
        "--type",
        "metrics,klines",
        "--from",
        "2025-10-10",
        "--mirror",
        &mirror.url,
        "--cache",
        tmp.path().to_str().unwrap(),
    ]);
    assert!(!ok, "{text}");
    assert!(
        text.contains(&format!("FAILED {path}: checksum mismatch")),
        "{text}"
    );
    assert!(text.contains("1 file(s) could not be fetched"), "{text}");
    assert!(!tmp.path().join(path).exists());
}

#[test]
fn every_scenario_names_its_files() {
    let (ok, text) = backtest(&[
        "fetch",
        "--scenario",
        "all",
        "--dry-run",
        "--mirror",
        "https://data.binance.vision",
        "--cache",
        "cache",
    ]);
    assert!(ok, "{text}");
    insta::assert_snapshot!("fetch_scenario_all_dry_run", text);
}
