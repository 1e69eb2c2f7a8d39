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

/// Imports `paths` and returns the error text, or the kept event counts and the report lines.
fn gate(dir: &Path, paths: &[&PathBuf]) -> String {
    let mut table = InstrumentTable::infer();
    match import_parts(
        &inputs(paths),
        &mut table,
        None,
        dir,
        "gate",
        |_, _| {},
        |_| {},
    ) {
        Err(e) => format!("error: {e}"),
        Ok(parts) => parts
            .files()
            .iter()
            .map(|f| format!("kept {} | {}", f.kept, f.line()))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn the_same_file_twice_is_imported_once_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let a = klines(dir.path(), "BTCUSDT", &[0, 1, 2]);
    let copy = dir.path().join("copy-of-BTCUSDT-1m-2025-10-10.csv");
    std::fs::copy(&a, &copy).unwrap();
    let out =
        gate(dir.path(), &[&a, &a, &copy]).replace(&dir.path().display().to_string(), "[TMP]");
    assert_eq!(out.matches("kept 3 |").count(), 1, "{out}");
    assert_eq!(
        out.matches("skipped: the same bytes as [TMP]/BTCUSDT-1m-2025-10-10.csv")
            .count(),
        2,
        "{out}"
    );
    // A folder and a file inside it: data_files lists the file twice, imported once.
    let files = data_files(&[dir.path().to_path_buf(), a.clone()]).unwrap();
    let refs: Vec<&PathBuf> = files.iter().collect();
    let out = gate(dir.path(), &refs);
    assert_eq!(out.matches("kept 3 |").count(), 1, "{out}");
}

#[test]
fn overlapping_files_of_one_stream_are_refused_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let a = klines(dir.path(), "BTCUSDT", &[0, 1, 2, 3]);
    let sub = dir.path().join("daily");
    std::fs::create_dir(&sub).unwrap();
    let b = klines(&sub, "BTCUSDT", &[2, 3, 4]);
    let out = gate(dir.path(), &[&a, &b]).replace(&dir.path().display().to_string(), "[TMP]");
    assert!(
        out.starts_with("error: [TMP]/BTCUSDT-1m-2025-10-10.csv and [TMP]/daily/BTCUSDT-1m-2025-10-10.csv both hold")
            && out.contains("from 2025-10-10T21:22:00Z to 2025-10-10T21:23:00Z"),
        "{out}"
    );
    // Adjacent files of one stream (one day after another) are fine.
    let c = klines(&sub, "BTCUSDT", &[4, 5]);
    let out = gate(dir.path(), &[&a, &c]);
    assert!(!out.starts_with("error"), "{out}");
}

#[test]
fn a_zip_with_two_csvs_and_a_corrupt_gzip_are_named_as_such() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let a = klines(dir.path(), "BTCUSDT", &[0, 1]);
    let text = std::fs::read(&a).unwrap();
    // Two CSV entries in one archive: refused, both named.
    let zip_path = dir.path().join("BTCUSDT-1m-2025-10.zip");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        for name in ["BTCUSDT-1m-2025-10-10.csv", "BTCUSDT-1m-2025-10-11.csv"] {
            z.start_file(name, opts).unwrap();
            z.write_all(&text).unwrap();
        }
        z.finish().unwrap();
    }
    let out = gate(dir.path(), &[&zip_path]);
    assert!(
        out.contains("bad zip archive: it holds 2 .csv entries (BTCUSDT-1m-2025-10-10.csv, BTCUSDT-1m-2025-10-11.csv)"),
        "{out}"
    );
    // A gzip whose deflate stream is damaged in the middle: a corrupt archive, not a bad row.
    let mut long = Vec::new();
    for _ in 0..200 {
        long.extend_from_slice(&text);
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&long).unwrap();
    let mut bytes = gz.finish().unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 16] {
        *b ^= 0x5a;
    }
    let gz_path = dir.path().join("BTCUSDT-1m-2025-10-10.csv.gz");
    std::fs::write(&gz_path, &bytes).unwrap();
    let out = gate(dir.path(), &[&gz_path]);
    println!("{out}");
    assert!(out.contains("corrupt gzip archive"), "{out}");
}
