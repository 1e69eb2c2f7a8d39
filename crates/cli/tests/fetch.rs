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

fn data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("CASCADE_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/data"));
    dir.is_dir().then_some(dir)
}

/// Real archive files (Binance's own 5m mark-price zips from `../shared/data`; the 4th of
/// October is absent there, a gap as the archive's 404 would be) served by the loopback
/// mirror: the fetched files import to the same log as the originals.
#[test]
fn real_archive_files_fetched_from_the_mirror_import_like_the_originals() {
    let Some(data) = data_dir() else {
        println!("skipped: no real data directory (../shared/data or CASCADE_DATA_DIR)");
        return;
    };
    let src = data.join("binance-2025-10-10/markprice_5m_um");
    let days = ["2025-10-03", "2025-10-05", "2025-10-06"];
    let zip = |d: &str| src.join(format!("BTCUSDT-5m-{d}.zip"));
    if !days.iter().all(|d| zip(d).is_file()) {
        println!("skipped: {} lacks the 5m mark-price zips", src.display());
        return;
    }
    let mirror = support::Mirror::start();
    for d in days {
        mirror.add(
            &zip(d),
            &format!("data/futures/um/daily/markPriceKlines/BTCUSDT/5m/BTCUSDT-5m-{d}.zip"),
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let (ok, text) = backtest(&[
        "fetch",
        "--symbol",
        "BTCUSDT",
        "--type",
        "markPriceKlines",
        "--interval",
        "5m",
        "--from",
        "2025-10-03",
        "--to",
        "2025-10-06",
        "--mirror",
        &mirror.url,
        "--cache",
        cache.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    assert!(text.contains("4 file(s): 3 downloaded"), "{text}");
    assert!(
        text.contains("gap (not in the archive): data/futures/um/daily/markPriceKlines/BTCUSDT/5m/BTCUSDT-5m-2025-10-04.zip"),
        "{text}"
    );
    let fetched = tmp.path().join("fetched.clog");
    let by_hand = tmp.path().join("by_hand.clog");
    let from_cache: Vec<String> = vec![
        "import".into(),
        cache.join("data").display().to_string(),
        "--out".into(),
        fetched.display().to_string(),
    ];
    let mut originals = vec!["import".to_string()];
    originals.extend(days.iter().map(|d| zip(d).display().to_string()));
    originals.extend(["--out".to_string(), by_hand.display().to_string()]);
    for args in [from_cache, originals] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, text) = backtest(&args);
        assert!(ok, "{text}");
    }
    let (a, b) = (
        cascade_journal::summarize(&fetched).unwrap(),
        cascade_journal::summarize(&by_hand).unwrap(),
    );
    assert_eq!(a.event_count, 3 * 288);
    assert_eq!(a.content_hash, b.content_hash);
}

/// `backtest fetch --source tardis` from a loopback host with a key, then `backtest import`
/// of what it fetched: the same event log as importing the host's files by hand.
#[test]
fn a_tardis_fetch_then_import_gives_the_log_of_importing_the_same_files_by_hand() {
    let host = support::Mirror::empty();
    for kind in ["trades", "derivative_ticker", "liquidations"] {
        for day in [1, 2] {
            let path = format!("v1/{}", support::tardis_path(kind, day));
            host.put(&path, &support::tardis_gz(kind, day));
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let run = |key: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_backtest"));
        c.args([
            "fetch",
            "--source",
            "tardis",
            "--exchange",
            "binance-futures",
            "--type",
            "trades,derivative_ticker,liquidations",
            "--symbol",
            "BTCUSDT",
            "--from",
            "2025-10-01",
            "--to",
            "2025-10-02",
            "--mirror",
            &host.url,
            "--cache",
            cache.to_str().unwrap(),
        ])
        .current_dir(root())
        .env_remove("TARDIS_API_KEY")
        .env_remove("CASCADE_TARDIS_MIRROR");
        if let Some(k) = key {
            c.env("TARDIS_API_KEY", k);
        }
        let out = c.output().expect("backtest runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    // Without a key: the first of the month only, the rest listed as skipped, no error.
    let (ok, text) = run(None);
    assert!(ok, "{text}");
    assert!(text.contains("3 downloaded"), "{text}");
    assert!(text.contains("3 skipped"), "{text}");
    assert!(text.contains("skipped (needs TARDIS_API_KEY)"), "{text}");
    let (ok, text) = run(Some("k"));
    assert!(ok, "{text}");
    assert!(text.contains("3 downloaded"), "{text}");
    assert!(text.contains("3 already cached"), "{text}");

    let fetched = tmp.path().join("fetched.clog");
    let by_hand = tmp.path().join("by_hand.clog");
    let (ok, text) = backtest(&[
        "import",
        cache.join("tardis").to_str().unwrap(),
        "--out",
        fetched.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    let (ok, text) = backtest(&[
        "import",
        host.dir.path().join("v1").to_str().unwrap(),
        "--out",
        by_hand.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    assert_eq!(content_hash(&fetched), content_hash(&by_hand));
    let a = cascade_journal::summarize(&fetched).unwrap();
    // Trades, liquidations, mark, index, funding and open interest all made it in.
    assert!(
        a.event_count >= 120 && a.events_per_kind.len() >= 5,
        "{:?}",
        a.events_per_kind
    );
}
