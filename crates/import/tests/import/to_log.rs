//! The one import path: files → part logs → one merged event log.

use cascade_import::{
    data_files, import_parts, infer_spec, ImportError, ImportOptions, InstrumentTable, LogInput,
    OutputInstruments,
};
use cascade_journal::Reader;
use cascade_types::Ts;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A Binance kline file of `symbol` with bars opening at the given minutes after 21:19.
fn klines(dir: &Path, symbol: &str, minutes: &[i64]) -> PathBuf {
    let path = dir.join(format!("{symbol}-1m-2025-10-10.csv"));
    let mut text = String::new();
    for m in minutes {
        let open = 1_760_131_140_000 + m * 60_000;
        let _ = writeln!(
            text,
            "{open},100.0,101.0,99.0,100.5,1.5,{},150.0,10,0.5,50.0,0",
            open + 59_999
        );
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// The log's instrument table and events, one line each.
fn check(log: &Path) -> String {
    let mut r = Reader::open(log).unwrap();
    let mut out = String::new();
    for (i, s) in r.header().instruments.iter().enumerate() {
        let _ = writeln!(out, "i{i} {} {}", s.venue, s.symbol);
    }
    let mut block = Vec::new();
    while r.next_block(&mut block).unwrap() {
        for e in &block {
            let _ = writeln!(out, "{} i{}", e.ts, e.instrument.0);
        }
    }
    out
}

fn inputs(paths: &[&PathBuf]) -> Vec<LogInput> {
    paths
        .iter()
        .map(|p| LogInput {
            path: p.to_path_buf(),
            options: ImportOptions::default(),
        })
        .collect()
}

fn leftovers(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    v.sort();
    v
}

#[test]
fn files_merge_in_time_then_file_order() {
    let dir = tempfile::tempdir().unwrap();
    let eth = klines(dir.path(), "ETHUSDT", &[1, 2]);
    let btc = klines(dir.path(), "BTCUSDT", &[1, 3]);
    let mut table = InstrumentTable::infer();
    let mut lines = Vec::new();
    let parts = import_parts(
        &inputs(&[&eth, &btc]),
        &mut table,
        None,
        dir.path(),
        "out.clog",
        |_, _| {},
        |f| lines.push(f.line().replace(&dir.path().display().to_string(), "")),
    )
    .unwrap();
    let log = dir.path().join("out.clog");
    parts
        .write(&log, OutputInstruments::AllSorted, "test".into())
        .unwrap();
    // Instruments sorted by name; on equal time the first file (ETH) comes first.
    assert_eq!(
        check(&log),
        "i0 binance-um BTCUSDT\ni1 binance-um ETHUSDT\n\
         2025-10-10T21:21:00Z i1\n2025-10-10T21:21:00Z i0\n\
         2025-10-10T21:22:00Z i1\n2025-10-10T21:23:00Z i0\n"
    );
    assert_eq!(
        lines,
        [
            "/ETHUSDT-1m-2025-10-10.csv (binance-klines, 2 rows -> 2 events)",
            "/BTCUSDT-1m-2025-10-10.csv (binance-klines, 2 rows -> 2 events)"
        ]
    );
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
}

#[test]
fn a_window_and_only_used_instruments_in_table_order() {
    let dir = tempfile::tempdir().unwrap();
    let eth = klines(dir.path(), "ETHUSDT", &[1, 2, 3]);
    let btc = klines(dir.path(), "BTCUSDT", &[1]);
    let spec = |s| infer_spec("binance-um", s).unwrap();
    let mut table =
        InstrumentTable::strict([spec("SOLUSDT"), spec("ETHUSDT"), spec("BTCUSDT")]).unwrap();
    let t = |m: i64| Ts::from_secs(1_760_131_140 + m * 60).unwrap();
    let mut seen = 0;
    let parts = import_parts(
        &inputs(&[&eth, &btc]),
        &mut table,
        Some((t(3), t(5))), // the bars closing at 21:22 and 21:23 (stamped at open + 1 minute)
        dir.path(),
        "w.clog",
        |_, _| seen += 1,
        |_| {},
    )
    .unwrap();
    let kept: Vec<u64> = parts.files().iter().map(|f| f.kept).collect();
    assert_eq!(kept, [2, 0]);
    assert!(!parts.is_used(cascade_types::InstrumentId(0)));
    let log = dir.path().join("w.clog");
    parts
        .write(&log, OutputInstruments::UsedInTableOrder, "test".into())
        .unwrap();
    assert_eq!(seen, 2);
    assert_eq!(
        check(&log),
        "i0 binance-um ETHUSDT\n2025-10-10T21:22:00Z i0\n2025-10-10T21:23:00Z i0\n"
    );
}

#[test]
fn bad_inputs_name_the_path_and_leave_no_parts() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.csv");
    let e = data_files(std::slice::from_ref(&missing)).unwrap_err();
    assert!(matches!(e, ImportError::Missing { .. }), "{e}");
    assert!(e.to_string().contains("nope.csv does not exist"), "{e}");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let e = data_files(&[empty]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no data files (.csv, .gz, .zip, .json) found in the inputs"
    );
    // A bad row in the second file: the error names it, and the first file's part is gone.
    let good = klines(dir.path(), "ETHUSDT", &[1]);
    let bad = dir.path().join("BTCUSDT-1m-2025-10-10.csv");
    std::fs::write(
        &bad,
        "1760131200000,100.0,NaN,99.0,100.5,1.5,1760131259999,150.0,10,0.5,50.0,0\n",
    )
    .unwrap();
    let mut table = InstrumentTable::infer();
    let e = import_parts(
        &inputs(&[&good, &bad]),
        &mut table,
        None,
        dir.path(),
        "x.clog",
        |_, _| {},
        |_| {},
    )
    .err()
    .unwrap();
    assert_eq!(e.file(), Some(bad.as_path()));
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
}
