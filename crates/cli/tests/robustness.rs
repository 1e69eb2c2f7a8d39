//! Issue 12: bad data never becomes a panic, outputs never destroy anything. Every case runs
//! the `backtest` binary as a user would and checks the exit code and the message.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `backtest ARGS` in `dir`; returns (exit code, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_backtest"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("backtest runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const KLINES_HEADER: &str = "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n";

/// Imports one hand-written CSV and checks the error: exit 1 (never 101), naming the file,
/// the line and the field.
fn check_import(name: &str, text: &str, expect: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    let (code, err) = run(tmp.path(), &["import", name, "--out", "x.clog"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(expect), "expected {expect:?} in {err}");
    assert!(!tmp.path().join("x.clog").exists());
}

#[test]
fn p1_an_aggtrade_of_a_million_btc_is_refused_with_file_and_line() {
    check_import(
        "BTCUSDT-aggTrades-2025-10-10.csv",
        "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n\
         7000000000,122055.9,0.345,6000000000,6000000001,1760129400000,true\n\
         7000000001,122055.9,1000000,6000000002,6000000002,1760129401000,true\n",
        "BTCUSDT-aggTrades-2025-10-10.csv:3: event at 2025-10-10T20:50:01Z: trade notional (price × qty) = 122055900000 is outside the accepted range",
    );
}

#[test]
fn p2_a_mark_kline_of_9e10_is_refused_with_file_and_line() {
    check_import(
        "markPriceKlines/BTCUSDT-1m-2025-10-10.csv",
        &format!("{KLINES_HEADER}1760122800000,121825.69,90000000000,121735.44,90000000000,0,1760122859999,0,60,0,0,0\n"),
        "markPriceKlines/BTCUSDT-1m-2025-10-10.csv:2: event at 2025-10-10T19:01:00Z: bar.high = 90000000000 is outside the accepted range 0 … 100000000",
    );
}

#[test]
fn p3_a_last_price_kline_of_92e9_is_refused_with_file_and_line() {
    check_import(
        "BTCUSDT-1m-2025-10-10.csv",
        &format!("{KLINES_HEADER}1760122800000,92000000000,92000000000,92000000000,92000000000,408.411,1760122859999,49739272.98030,8168,220.395,26841311.98350,0\n"),
        "BTCUSDT-1m-2025-10-10.csv:2: event at 2025-10-10T19:01:00Z: bar.open = 92000000000 is outside the accepted range 0 … 100000000",
    );
}

#[test]
fn the_bundled_sample_is_within_bounds() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s.clog");
    let sample = root().join("fixtures/sample");
    let (code, err) = run(
        tmp.path(),
        &[
            "import",
            sample.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
}

/// Imports the bundled sample into `dir/s.clog`.
fn sample_log(dir: &Path) -> String {
    let out = dir.join("s.clog");
    let sample = root().join("fixtures/sample");
    let (code, err) = run(
        dir,
        &[
            "import",
            sample.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    out.to_str().unwrap().to_string()
}

#[test]
fn a_zero_or_negative_deposit_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let log = sample_log(tmp.path());
    for deposit in ["0", "-5"] {
        let deposit = format!("--deposit={deposit}");
        let (code, err) = run(
            tmp.path(),
            &[
                "run",
                "--strategy",
                "noop",
                "--venue",
                "binance-usdm",
                &deposit,
                "--out",
                "r",
                &log,
            ],
        );
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("the deposit must be positive"), "{err}");
        assert!(!tmp.path().join("r").exists());
    }
}

#[test]
fn leverage_above_the_venue_maximum_is_reported_as_such() {
    let tmp = tempfile::tempdir().unwrap();
    let log = sample_log(tmp.path());
    let (code, err) = run(
        tmp.path(),
        &[
            "run",
            "--strategy",
            "buy-and-hold",
            "--param",
            "mode=perp",
            "--param",
            "leverage=200",
            "--venue",
            "binance-usdm",
            "--out",
            "r",
            &log,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let report = std::fs::read_to_string(tmp.path().join("r/report.txt")).unwrap();
    assert!(
        report.contains("SetLeverage 200x: BadLeverage (above the venue's maximum)"),
        "{report}"
    );
    let manifest = std::fs::read_to_string(tmp.path().join("r/manifest.json")).unwrap();
    assert!(
        manifest.contains("SetLeverage 200x: BadLeverage"),
        "{manifest}"
    );
}

#[test]
fn import_out_equal_to_an_input_a_link_or_a_device_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = root().join("fixtures/sample/BTCUSDT-aggTrades-2025-10-10.csv");
    let input = tmp.path().join("BTCUSDT-aggTrades-2025-10-10.csv");
    std::fs::copy(&sample, &input).unwrap();
    let original = std::fs::read(&input).unwrap();
    let name = "BTCUSDT-aggTrades-2025-10-10.csv";
    let (code, err) = run(tmp.path(), &["import", name, "--out", name]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("it is also an input"), "{err}");
    // The same file through a directory input.
    let (code, err) = run(tmp.path(), &["import", ".", "--out", name]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("it is also an input"), "{err}");
    assert_eq!(std::fs::read(&input).unwrap(), original);
    // A symbolic link: the link and its target stay as they are.
    std::os::unix::fs::symlink(&input, tmp.path().join("link.clog")).unwrap();
    let (code, err) = run(
        tmp.path(),
        &["import", sample.to_str().unwrap(), "--out", "link.clog"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("link.clog: refusing to write: it is a symbolic link"),
        "{err}"
    );
    assert!(std::fs::symlink_metadata(tmp.path().join("link.clog"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read(&input).unwrap(), original);
    // A device.
    let (code, err) = run(
        tmp.path(),
        &["import", sample.to_str().unwrap(), "--out", "/dev/null"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("/dev/null: refusing to write: it exists and is not a regular file"),
        "{err}"
    );
}

#[test]
fn stale_import_parts_are_named_and_removed() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join(".s.clog.partial"), vec![0u8; 100]).unwrap();
    std::fs::write(tmp.path().join(".s.clog.part0"), vec![0u8; 100]).unwrap();
    let sample = root().join("fixtures/sample");
    let (code, err) = run(
        tmp.path(),
        &["import", sample.to_str().unwrap(), "--out", "s.clog"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("note: removing ./.s.clog.part0, left by an interrupted import"),
        "{err}"
    );
    assert!(err.contains("note: removing ./.s.clog.partial"), "{err}");
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["s.clog"]);
}

#[test]
fn an_empty_scenario_dir_is_an_error_and_leaves_outputs_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = tmp.path().join("score");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("score.txt"), "previous").unwrap();
    for dir in [empty.clone(), tmp.path().join("absent")] {
        let (code, err) = run(
            &root(),
            &[
                "score",
                "--scenario-dir",
                dir.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--threads",
                "1",
            ],
        );
        assert_eq!(code, 1, "{err}");
        assert!(err.contains(dir.to_str().unwrap()), "{err}");
        assert_eq!(
            std::fs::read_to_string(out.join("score.txt")).unwrap(),
            "previous"
        );
    }
}

#[test]
fn a_rerun_that_fails_leaves_the_previous_run_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let log = sample_log(tmp.path());
    let args = |p: &'static str| {
        vec![
            "run",
            "--strategy",
            "noise",
            "--param",
            p,
            "--venue",
            "binance-usdm",
            "--out",
            "r",
        ]
    };
    let mut good = args("every=50");
    good.push(&log);
    assert_eq!(run(tmp.path(), &good).0, 0);
    let manifest = std::fs::read(tmp.path().join("r/manifest.json")).unwrap();
    let mut bad = args("every=0");
    bad.push(&log);
    let (code, err) = run(tmp.path(), &bad);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        std::fs::read(tmp.path().join("r/manifest.json")).unwrap(),
        manifest
    );
    let (code, err) = run(tmp.path(), &["replay", "--verify", "r"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn replay_refuses_a_changed_or_missing_input_log_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let log = sample_log(tmp.path());
    let (code, err) = run(
        tmp.path(),
        &[
            "run",
            "--strategy",
            "noise",
            "--param",
            "every=50",
            "--venue",
            "binance-usdm",
            "--out",
            "r",
            &log,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, err) = run(tmp.path(), &["replay", "--verify", "r"]);
    assert_eq!(code, 0, "{err}");

    // The journal names the log by content hash and does not hold its events.
    let original = std::fs::read(&log).unwrap();
    let mut bytes = original.clone();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    std::fs::write(&log, &bytes).unwrap();
    let (code, err) = run(tmp.path(), &["replay", "--verify", "r"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("s.clog"), "{err}");

    std::fs::remove_file(&log).unwrap();
    let (code, err) = run(tmp.path(), &["replay", "--verify", "r"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("s.clog: not found"), "{err}");

    std::fs::write(&log, &original).unwrap();
    let (code, err) = run(tmp.path(), &["replay", "--verify", "r"]);
    assert_eq!(code, 0, "{err}");
}
