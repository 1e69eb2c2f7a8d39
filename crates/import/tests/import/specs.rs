//! Dated instrument specs applied at import: an inferred instrument gets the venue's tick,
//! lot and contract size in force at its first event, or a loud note that it has none.

use crate::data_file;
use cascade_import::{open, ImportOptions, InstrumentTable};
use std::path::{Path, PathBuf};

/// A one-bar Binance kline file at `dir/rel` for the UTC day `day` (YYYY-MM-DD).
fn kline_file(dir: &Path, rel: &str, day: &str) -> PathBuf {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let open_ms = cascade_types::Ts::parse_utc(day).unwrap().nanos() / 1_000_000;
    std::fs::write(
        &path,
        format!(
            "{open_ms},100.0,101.0,99.0,100.5,1.5,{},150.0,10,0.5,50.0,0\n",
            open_ms + 59_999
        ),
    )
    .unwrap();
    path
}

/// Imports `path` with an inferring table: `venue symbol tick lot contract` and the notes.
fn check(path: &Path) -> String {
    let mut table = InstrumentTable::infer();
    let mut n = 0;
    for e in open(path, &ImportOptions::default(), &mut table).unwrap() {
        e.unwrap();
        n += 1;
    }
    assert!(n > 0);
    let s = &table.specs()[0];
    let mut out = format!(
        "{} {} tick {} lot {} contract {}\n",
        s.venue, s.symbol, s.tick, s.lot, s.contract_size
    );
    for note in table.notes() {
        out.push_str(&format!(
            "{}: {}\n",
            if note.known { "spec" } else { "WARNING" },
            note.text
        ));
    }
    out
}

#[test]
fn binance_um_and_spot_btcusdt_get_their_own_dated_increments() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let um = kline_file(d, "futures/um/BTCUSDT-1m-2025-10-10.csv", "2025-10-10");
    let spot = kline_file(d, "spot/BTCUSDT-1m-2025-10-10.csv", "2025-10-10");
    let um_2021 = kline_file(d, "old/um/BTCUSDT-1m-2021-05-19.csv", "2021-05-19");
    let cm = kline_file(d, "cm/BTCUSD_PERP-1m-2025-10-10.csv", "2025-10-10");
    insta::assert_snapshot!(format!(
        "{}{}{}{}",
        check(&um),
        check(&spot),
        check(&um_2021),
        check(&cm)
    ), @r"
    binance-um BTCUSDT tick 0.1 lot 0.001 contract 1
    spec: binance-um BTCUSDT: tick 0.1, lot 0.001, contract size 1, min notional 100, max leverage 125x — the venue's rules in force at 2025-10-10T00:01:00Z
    binance-spot BTCUSDT tick 0.01 lot 0.00001 contract 1
    spec: binance-spot BTCUSDT: tick 0.01, lot 0.00001, contract size 1, min notional 10, max leverage 1x — the venue's rules in force at 2025-10-10T00:01:00Z
    binance-um BTCUSDT tick 0.01 lot 0.001 contract 1
    spec: binance-um BTCUSDT: tick 0.01, lot 0.001, contract size 1, min notional 5, max leverage 125x — the venue's rules in force at 2021-05-19T00:01:00Z
    binance-cm BTCUSD_PERP tick 0.1 lot 1 contract 100
    spec: binance-cm BTCUSD_PERP: tick 0.1, lot 1, contract size 100, min notional 0, max leverage 125x — the venue's rules in force at 2025-10-10T00:01:00Z
    ");
}

#[test]
fn an_unknown_symbol_keeps_the_guess_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let eth = kline_file(dir.path(), "ETHUSDT-1m-2025-10-10.csv", "2025-10-10");
    insta::assert_snapshot!(check(&eth), @r"
    binance-um ETHUSDT tick 0.00000001 lot 0.00000001 contract 1
    WARNING: no dated spec of binance-um ETHUSDT at 2025-10-10T00:01:00Z: tick 0.00000001 and lot 0.00000001 are guesses, not the venue's increments; give them in an instrument file (backtest import --instruments FILE)
    ");
}

#[test]
fn a_strict_table_is_left_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let um = kline_file(dir.path(), "BTCUSDT-1m-2025-10-10.csv", "2025-10-10");
    let mut table = InstrumentTable::from_json(
        r#"{"instruments": [{"venue": "binance-um", "symbol": "BTCUSDT", "tick": "0.5"}]}"#,
    )
    .unwrap();
    let n = open(&um, &ImportOptions::default(), &mut table)
        .unwrap()
        .count();
    assert_eq!(n, 1);
    assert_eq!(table.specs()[0].tick.to_string(), "0.5");
    assert!(table.notes().is_empty());
}

#[test]
fn real_binance_um_klines_get_tick_0_1_and_lot_0_001() {
    let Some(path) =
        data_file("binance-um-klines-1m/BTCUSDT-1m-2025-10.slice_20251010T1707-2343Z.csv")
    else {
        return;
    };
    let out = check(&path);
    assert!(
        out.starts_with("binance-um BTCUSDT tick 0.1 lot 0.001 contract 1\n"),
        "{out}"
    );
}
