//! Bad input gives a clear error, and an interrupted run leaves nothing posing as whole.

use crate::check::*;
use cascade_run::files::{JOURNAL, MANIFEST};

#[test]
fn unknown_strategy_bad_parameter_bad_venue_and_missing_input() {
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), "btc.clog", &market(100, 1));
    let out = dir.path().join("run");
    // A venue preset is typed: a bad name fails where it is parsed, as a configuration error.
    let bad_venue = "binance-coinm"
        .parse::<cascade_engine::VenuePreset>()
        .map_err(cascade_engine::EngineError::from)
        .unwrap_err()
        .to_string();
    let lines = [
        run_err(&spec(vec![log.clone()], "nosie", &[]), &out),
        run_err(&spec(vec![log.clone()], "noise", &["every=0"]), &out),
        run_err(&spec(vec![log.clone()], "noise", &["evrey=3"]), &out),
        bad_venue,
        run_err(
            &spec(vec![dir.path().join("absent.clog")], "noop", &[]),
            &out,
        )
        .replace(&dir.path().display().to_string(), "DIR"),
    ];
    insta::assert_snapshot!(lines.join("\n"));
    // None of these wrote anything.
    assert!(!out.exists());
}

#[test]
fn corrupt_input_midway_leaves_no_finished_run_behind() {
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), "btc.clog", &market(20_000, 2));
    let out = dir.path().join("run");
    // A first, good run in the directory.
    run_into(
        &spec(vec![log.clone()], "noise", &["every=50"]),
        &out,
        &exec(256, 2),
    );
    assert!(out.join(MANIFEST).exists() && out.join("report.txt").exists());

    // Flip one byte in the middle of the log: its block checksum fails only when the engine
    // reaches it, long after the run started.
    let mut bytes = std::fs::read(&log).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    std::fs::write(&log, bytes).unwrap();
    let err = run_err(&spec(vec![log.clone()], "noise", &["every=50"]), &out);
    assert!(
        err.contains("checksum mismatch") && err.contains("btc.clog") && err.contains("block"),
        "{err}"
    );

    // The earlier run's manifest is gone (the directory no longer claims a finished run),
    // and the failed run left no journal or report under a final name.
    assert!(!out.join(MANIFEST).exists());
    assert!(!out.join(JOURNAL).exists());
    assert!(!out.join("report.txt").exists());
    let replay = cascade_run::verify(&out, &registry(), &exec(64, 2))
        .unwrap_err()
        .to_string();
    assert!(
        replay.contains("no manifest.json: not a finished run"),
        "{replay}"
    );
}

#[test]
fn a_strategy_that_stops_time_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), "btc.clog", &market(10, 1));
    let mut s = spec(vec![log], "rearm", &[]);
    s.config.scheduler_capacity = 100;
    let e = run_err(&s, &dir.path().join("run"));
    assert!(
        e.contains("more than 100 commands and timers pending"),
        "{e}"
    );
}
