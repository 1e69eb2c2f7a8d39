//! The data-quality gate at import (`cascade_import::quality`): what it refuses, what each
//! option keeps, and the flags stored in the log's header.

use cascade_import::{
    import_parts, ImportOptions, InstrumentTable, LogInput, OutputInstruments, QualityPolicy,
};
use cascade_journal::Reader;

const AGG: &str =
    "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker";
const KLINES: &str = "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore";
const FUNDING: &str = "calc_time,funding_interval_hours,last_funding_rate";
const DEPTH: &str = "timestamp,percentage,depth,notional";

/// A kline row opening `m` minutes after 2025-10-10 21:19 with close `c` (high/low around it)
/// and volume 2 of which `taker` was bought by takers.
fn kline(m: i64, c: &str, taker: &str) -> String {
    let open = 1_760_131_140_000 + m * 60_000;
    let close: f64 = c.parse().unwrap();
    format!(
        "{open},{close},{},{},{close},2.0,{},200.0,10,{taker},100.0,0",
        close + 1.0,
        close - 1.0,
        open + 59_999
    )
}

/// Imports `rows` (under `header`) as the file `name` with `policy` and renders what
/// happened: the error, or the header's quality lines and flags and the event count.
fn check(name: &str, header: &str, rows: &[String], policy: QualityPolicy) -> String {
    check_files(&[(name, header, rows)], policy)
}

/// As [`check`], over several files imported together (into one log).
fn check_files(files: &[(&str, &str, &[String])], policy: QualityPolicy) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut inputs = Vec::new();
    for (name, header, rows) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        let mut text = format!("{header}\n");
        for r in rows.iter() {
            text.push_str(r);
            text.push('\n');
        }
        std::fs::write(&path, text).unwrap();
        inputs.push(LogInput {
            path,
            options: ImportOptions {
                quality: policy,
                ..ImportOptions::default()
            },
        });
    }
    let mut table = InstrumentTable::infer();
    let redact = |s: String| s.replace(&format!("{}/", dir.path().display()), "");
    let parts = match import_parts(
        &inputs,
        &mut table,
        None,
        dir.path(),
        "out.clog",
        |_, _| {},
        |_| {},
    ) {
        Ok(p) => p,
        Err(e) => return redact(format!("refused: {e}")),
    };
    let out = dir.path().join("out.clog");
    parts
        .write(&out, OutputInstruments::AllSorted, String::new())
        .unwrap();
    let r = Reader::open(&out).unwrap();
    let h = r.header();
    let mut s = format!("kept {} events\n", h.event_count);
    for l in &h.quality {
        s.push_str(&format!("quality: {l}\n"));
    }
    for l in &h.flags {
        s.push_str(&format!("FLAG: {l}\n"));
    }
    redact(s)
}

fn strict() -> QualityPolicy {
    QualityPolicy::default()
}

#[test]
fn a_bad_mark_tick_is_refused_unless_max_jump_keeps_it_flagged() {
    let name = "BTCUSDT-1m-2025-10-10.csv";
    let rows = vec![
        kline(0, "120000.0", "1.0"),
        kline(1, "90000000.0", "1.0"),
        kline(2, "120010.0", "1.0"),
    ];
    insta::assert_snapshot!(check(name, KLINES, &rows, strict()), @"refused: BTCUSDT-1m-2025-10-10.csv: data row 2 (event at 2025-10-10T21:21:00Z): a price 750.0× away from the stream's previous 120000 (at 2025-10-10T21:20:00Z): beyond the accepted 10× (a bad tick?); --max-jump 751 keeps it (the log is flagged)");
    let keep = QualityPolicy {
        max_jump: 1000.0,
        ..strict()
    };
    insta::assert_snapshot!(check(name, KLINES, &rows, keep), @r#"
kept 3 events
quality: BTCUSDT-1m-2025-10-10.csv: BTCUSDT Last bars 60s: 3 events, largest price step 750.000× at 2025-10-10T21:21:00Z
FLAG: BTCUSDT-1m-2025-10-10.csv: BTCUSDT Last bars 60s: 2 price jumps beyond 10× kept (--max-jump 1000)
"#);
    // A real crash step (−20 % in a minute) passes the default policy, unflagged.
    let crash = vec![kline(0, "120000.0", "1.0"), kline(1, "96000.0", "1.0")];
    insta::assert_snapshot!(check(name, KLINES, &crash, strict()), @r#"
kept 2 events
quality: BTCUSDT-1m-2025-10-10.csv: BTCUSDT Last bars 60s: 2 events, largest price step 1.250× at 2025-10-10T21:21:00Z
"#);
}

#[test]
fn a_duplicated_trade_row_is_refused_unless_dedupe_drops_it_flagged() {
    let name = "BTCUSDT-aggTrades-2025-10-10.csv";
    let row = |id: u64, ms: u64| format!("{id},122055.9,0.345,1,1,{ms},true");
    let rows = vec![
        row(7, 1_760_129_400_000),
        row(8, 1_760_129_400_100),
        row(8, 1_760_129_400_100),
        row(9, 1_760_129_400_200),
    ];
    insta::assert_snapshot!(check(name, AGG, &rows, strict()), @"refused: BTCUSDT-aggTrades-2025-10-10.csv: data row 3 (event at 2025-10-10T20:50:00.1Z): trade id 8 is not above the previous 8 (a duplicated or reordered row); --dedupe drops duplicated rows (the log is flagged)");
    let dedupe = QualityPolicy {
        dedupe: true,
        ..strict()
    };
    insta::assert_snapshot!(check(name, AGG, &rows, dedupe), @r#"
kept 3 events
quality: BTCUSDT-aggTrades-2025-10-10.csv: BTCUSDT trade: 3 events, largest gap 0.100 s after 2025-10-10T20:50:00Z, largest price step 1.000× at 2025-10-10T20:50:00.1Z
FLAG: BTCUSDT-aggTrades-2025-10-10.csv: BTCUSDT trade: 1 duplicated rows dropped (--dedupe)
"#);
}

#[test]
fn a_repeated_bar_is_a_duplicate_and_two_different_bars_for_one_time_are_refused() {
    let name = "BTCUSDT-1m-2025-10-10.csv";
    let same = vec![
        kline(0, "120000.0", "1.0"),
        kline(0, "120000.0", "1.0"),
        kline(1, "120001.0", "1.0"),
    ];
    insta::assert_snapshot!(check(name, KLINES, &same, strict()), @"refused: BTCUSDT-1m-2025-10-10.csv: data row 2 (event at 2025-10-10T21:20:00Z): the same row as the previous one of its stream (a duplicated row); --dedupe drops duplicated rows (the log is flagged)");
    let dedupe = QualityPolicy {
        dedupe: true,
        ..strict()
    };
    insta::assert_snapshot!(check(name, KLINES, &same, dedupe), @r#"
kept 2 events
quality: BTCUSDT-1m-2025-10-10.csv: BTCUSDT Last bars 60s: 2 events, largest price step 1.000× at 2025-10-10T21:21:00Z
FLAG: BTCUSDT-1m-2025-10-10.csv: BTCUSDT Last bars 60s: 1 duplicated rows dropped (--dedupe)
"#);
    let conflicting = vec![kline(0, "120000.0", "1.0"), kline(0, "120005.0", "1.0")];
    insta::assert_snapshot!(check(name, KLINES, &conflicting, dedupe), @"refused: BTCUSDT-1m-2025-10-10.csv: data row 2 (event at 2025-10-10T21:20:00Z): a second, different bar for the same time as the previous row: the file contradicts itself (which one is right cannot be told)");
}

#[test]
fn implausible_values_are_refused_unless_allowed_and_flagged() {
    let allow = QualityPolicy {
        allow_implausible: true,
        ..strict()
    };
    // A funding rate of 50 % per 8 h.
    let funding = vec!["1760083200000,8,0.5".to_string()];
    insta::assert_snapshot!(check("BTCUSDT.csv", FUNDING, &funding, strict()), @"refused: BTCUSDT.csv: data row 1 (event at 2025-10-10T08:00:00Z): funding settlement rate 0.5 is beyond ±0.05 per interval; --allow-implausible keeps it (the log is flagged)");
    insta::assert_snapshot!(check("BTCUSDT.csv", FUNDING, &funding, allow), @r#"
kept 1 events
quality: BTCUSDT.csv: BTCUSDT funding_settlement: 1 events
FLAG: BTCUSDT.csv: BTCUSDT funding_settlement: 1 implausible values kept (--allow-implausible)
"#);
    // A bookDepth band at 50 %.
    let depth = vec!["2025-10-10 00:00:07,50,8243.012,979983314.2056".to_string()];
    insta::assert_snapshot!(check("BTCUSDT-bookDepth-2025-10-10.csv", DEPTH, &depth, strict()), @"refused: BTCUSDT-bookDepth-2025-10-10.csv: data row 1 (event at 2025-10-10T00:00:07Z): depth band 5000 bps is beyond ±2000 bps; --allow-implausible keeps it (the log is flagged)");
    // Taker buy volume three times the bar's volume.
    let taker = vec![kline(0, "120000.0", "6.0")];
    insta::assert_snapshot!(check("BTCUSDT-1m-2025-10-10.csv", KLINES, &taker, strict()), @"refused: BTCUSDT-1m-2025-10-10.csv: data row 1 (event at 2025-10-10T21:20:00Z): taker buy volume 6 exceeds the bar's volume 2; --allow-implausible keeps it (the log is flagged)");
}

#[test]
fn a_header_only_file_is_flagged_and_gaps_are_reported() {
    insta::assert_snapshot!(check("BTCUSDT-1m-2025-10-10.csv", KLINES, &[], strict()), @r#"
kept 0 events
FLAG: BTCUSDT-1m-2025-10-10.csv: no data rows (a header-only or empty file)
"#);
    let gappy = vec![
        kline(0, "120000.0", "1.0"),
        kline(1, "120000.0", "1.0"),
        kline(5, "120000.0", "1.0"),
    ];
    insta::assert_snapshot!(check("BTCUSDT-1m-2025-10-10.csv", KLINES, &gappy, strict()), @r#"
kept 3 events
quality: BTCUSDT-1m-2025-10-10.csv: BTCUSDT Last bars 60s: 3 events, 1 gaps (3 bars missing), largest gap 4.0 min after 2025-10-10T21:21:00Z, largest price step 1.000× at 2025-10-10T21:21:00Z
"#);
}

#[test]
fn a_mark_stream_far_from_the_last_price_is_refused_unless_max_jump_keeps_it_flagged() {
    let last: Vec<String> = (0..3).map(|m| kline(m, "120000.0", "1.0")).collect();
    // Mark-price klines (volume 0) 100× below the last price, smooth within their own stream.
    let mark: Vec<String> = (0..3i64)
        .map(|m| {
            let open = 1_760_131_140_000 + m * 60_000;
            format!(
                "{open},1200.0,1201.0,1199.0,1200.0,0,{},0,60,0,0,0",
                open + 59_999
            )
        })
        .collect();
    let files: [(&str, &str, &[String]); 2] = [
        ("BTCUSDT-1m-2025-10-10.csv", KLINES, &last),
        ("markPriceKlines/BTCUSDT-1m-2025-10-10.csv", KLINES, &mark),
    ];
    insta::assert_snapshot!(check_files(&files, strict()), @"refused: markPriceKlines/BTCUSDT-1m-2025-10-10.csv: data row 1 (event at 2025-10-10T21:20:00Z): its mark 1200 is 100.0× away from the last price 120000 of the same minute: beyond the accepted 10× (a bad tick in one of the streams?); --max-jump 100 keeps it (the log is flagged)");
    let keep = QualityPolicy {
        max_jump: 200.0,
        ..strict()
    };
    insta::assert_snapshot!(check_files(&files, keep), @r#"
kept 6 events
quality: BTCUSDT-1m-2025-10-10.csv: BTCUSDT Last bars 60s: 3 events, largest price step 1.000× at 2025-10-10T21:21:00Z
quality: markPriceKlines/BTCUSDT-1m-2025-10-10.csv: BTCUSDT Mark bars 60s: 3 events, largest price step 1.001× at 2025-10-10T21:21:00Z
quality: BTCUSDT: the largest gap between its price streams (last, mark, index) is 100.000× at 2025-10-10T21:20:00Z
FLAG: BTCUSDT: its price streams differ by 100.0× at 2025-10-10T21:20:00Z (beyond 10×, kept with --max-jump)
"#);
}
