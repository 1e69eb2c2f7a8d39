//! Bad input gives a clear error, and an interrupted run leaves nothing posing as whole.

use crate::check::*;
use cascade_run::files::MANIFEST;

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
    let before = result_files(&out);

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

    // The failed run was written into a staging directory and never swapped in: the earlier
    // run is still there, whole, and still verifies; no staging directory is left behind.
    assert_eq!(result_files(&out), before);
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_run_never_replaces_a_link_a_file_or_a_foreign_directory() {
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), "btc.clog", &market(100, 1));
    let s = spec(vec![log.clone()], "noop", &[]);
    let show = |e: String| e.replace(&dir.path().display().to_string(), "DIR");
    // A directory holding something else.
    let foreign = dir.path().join("home");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("thesis.tex"), "precious").unwrap();
    let e = show(run_err(&s, &foreign));
    assert_eq!(e, "DIR/home: refusing to write: it holds `thesis.tex`, which is not a run's file; a new run replaces the whole directory, so choose a new or empty one");
    assert_eq!(
        std::fs::read(foreign.join("thesis.tex")).unwrap(),
        b"precious"
    );
    // A regular file.
    let e = show(run_err(&s, &log));
    assert_eq!(
        e,
        "DIR/btc.clog: refusing to write: it exists and is not a directory"
    );
    // A symbolic link to a run directory.
    let real = dir.path().join("real");
    run_into(&s, &real, &exec(64, 2));
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let e = show(run_err(&s, &link));
    assert_eq!(e, "DIR/link: refusing to write: it is a symbolic link; a run directory is never written through one");
    // A staging directory left by an interrupted run is removed by the next run.
    let stale = dir.path().join(".real.staging");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("journal.crun.partial"), vec![0u8; 1000]).unwrap();
    run_into(&s, &real, &exec(64, 2));
    assert!(!stale.exists());
    assert!(real.join(MANIFEST).exists());
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
