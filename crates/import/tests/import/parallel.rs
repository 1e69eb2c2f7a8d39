//! Parallel parsing: a file cut into many chunks and parsed on several threads gives the same
//! log bytes, the same instrument table and notes, and the same errors (file and line) as one
//! thread.

use cascade_import::{import_parts, ImportOptions, InstrumentTable, LogInput, OutputInstruments};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A Tardis trades file of `rows` rows over three symbols (new ones appear late, so chunk
/// parsers meet instruments the table did not have), with a blank line, a CRLF line and a
/// quoted cell among them; `edit` may change a row's text.
fn tardis(dir: &Path, rows: usize, edit: impl Fn(usize, String) -> String) -> PathBuf {
    let path = dir.join("binance-futures_trades_2025-10-10_MIX.csv");
    let mut text = String::from("exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n");
    for i in 0..rows {
        let symbol = match i % 7 {
            _ if i < rows / 3 => "BTCUSDT",
            0 | 3 => "ETHUSDT",
            5 if i > rows / 2 => "SOLUSDT",
            _ => "BTCUSDT",
        };
        let ts = 1_760_131_200_000_000u64 + i as u64 * 1000;
        let side = if i % 2 == 0 { "buy" } else { "sell" };
        let mut row = format!(
            "binance-futures,{symbol},{ts},{},{i},{side},{}.{},0.{:03}",
            ts + 5,
            100_000 + i % 97,
            i % 10,
            1 + i % 999
        );
        if i == 77 {
            row = format!(
                "binance-futures,\"{symbol}\",{ts},{},{i},{side},100001.5,2",
                ts + 5
            );
        }
        if i == 101 {
            row.push('\r');
        }
        if i == 150 {
            text.push('\n');
        }
        text.push_str(&edit(i, row));
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// Imports `path` with `threads` threads and chunks of `chunk` bytes: the log's bytes, or the
/// error; plus the table's notes.
fn import(
    path: &Path,
    out: &Path,
    threads: usize,
    chunk: usize,
) -> (Result<Vec<u8>, String>, String) {
    let input = LogInput {
        path: path.to_path_buf(),
        options: ImportOptions {
            threads,
            chunk_bytes: chunk,
            ..ImportOptions::default()
        },
    };
    let mut table = InstrumentTable::infer();
    let dir = out.parent().unwrap();
    let parts = import_parts(&[input], &mut table, None, dir, "t.clog", |_, _| {}, |_| {});
    let mut notes = String::new();
    for n in table.notes() {
        let _ = writeln!(notes, "{}", n.text);
    }
    let result = match parts {
        Ok(p) => {
            let report = p.files()[0].line();
            p.write(out, OutputInstruments::AllSorted, report)
                .map(|_| std::fs::read(out).unwrap())
                .map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    };
    (result, notes)
}

#[test]
fn threads_give_the_same_log_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = tardis(dir.path(), 5_000, |_, r| r);
    let out = dir.path().join("t.clog");
    let (serial, serial_notes) = import(&path, &out, 1, 1 << 20);
    let serial = serial.unwrap();
    assert_eq!(serial_notes.lines().count(), 3, "{serial_notes}");
    for (threads, chunk) in [(1, 300), (2, 300), (3, 1000), (4, 64), (0, 4096)] {
        let (bytes, notes) = import(&path, &out, threads, chunk);
        assert!(
            bytes.as_ref().unwrap() == &serial,
            "threads {threads} chunk {chunk}"
        );
        assert_eq!(notes, serial_notes, "threads {threads} chunk {chunk}");
    }
}

#[test]
fn errors_name_the_same_line_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    // Line = row + 2 (the header is line 1), + 1 after the blank line at row 150.
    for (row, edit) in [
        (
            3_000,
            "binance-futures,BTCUSDT,1760131200000000,0,1,buy,NaN,1",
        ),
        (4_321, "binance-futures,BTCUSDT,1,2,3"),
        (
            2_500,
            "binance-futures,BTCUSDT,1760131200000000,1760131200000000,1,buy,1.5,2",
        ),
    ] {
        let path = tardis(dir.path(), 5_000, |i, r| {
            if i == row {
                edit.to_string()
            } else {
                r
            }
        });
        let out = dir.path().join("t.clog");
        let (serial, _) = import(&path, &out, 1, 1 << 20);
        let serial = serial.unwrap_err();
        let line = format!(":{}:", row + 3);
        assert!(
            serial.contains(&line),
            "{serial} should name line {}",
            row + 3
        );
        for (threads, chunk) in [(1, 200), (2, 200), (3, 1500)] {
            let (parallel, _) = import(&path, &out, threads, chunk);
            assert_eq!(
                parallel.unwrap_err(),
                serial,
                "threads {threads} chunk {chunk}"
            );
        }
    }
}
