//! BitMEX `trade/bucketed` bars: the REST rows shape, the columnar shape (the real files of
//! Black Thursday), and bad input.

use crate::{check, data_file, summarize};
use cascade_import::ImportOptions;
use cascade_types::{EventBody, Ts};

const ROWS: &str = r#"[
  {"timestamp": "2020-03-13T02:15:00.000Z", "symbol": "XBTUSD", "open": 3800, "high": 3810.5, "low": 3700, "close": 3705, "trades": 812, "volume": 4200000, "vwap": 3760.1},
  {"timestamp": "2020-03-13T02:16:00.000Z", "symbol": "XBTUSD", "open": 3705, "high": 3715.5, "low": 3596, "close": 3607, "trades": 2004, "volume": 9799387, "vwap": 3650.2}
]"#;

fn columnar(open: &str, high: &str, low: &str, close: &str, volume: &str) -> String {
    format!(
        "{{\n  \"openTimestamp\": 1584065700,\n  \"timeframe\": \"1m\",\n  \"openDate\": \"2020-03-13 02:15:00\",\n  \"open\": [{open}],\n  \"high\": [{high}],\n  \"low\": [{low}],\n  \"close\": [{close}],\n  \"volume\": [{volume}]\n}}\n"
    )
}

#[test]
fn rest_rows_are_stamped_at_their_close() {
    insta::assert_snapshot!(check("xbt-rows.json", ROWS, &ImportOptions::default()), @r"
    format: bitmex-bucketed
    2020-03-13T02:15:00Z i0 bar Last 60s open 2020-03-13T02:14:00Z o 3800 h 3810.5 l 3700 c 3705 v 4200000 qv 0 n 812 tbv 0
    2020-03-13T02:16:00Z i0 bar Last 60s open 2020-03-13T02:15:00Z o 3705 h 3715.5 l 3596 c 3607 v 9799387 qv 0 n 2004 tbv 0
    i0 = bitmex XBTUSD inverse-perp BTC/USD
    ");
}

#[test]
fn columnar_bars_open_every_timeframe_and_open_may_lie_outside_the_range() {
    // The second bar's open (3705) is above its high: BitMEX's open is the previous close.
    let text = columnar(
        "3800, 3705",
        "3810.5, 3700",
        "3700, 3596",
        "3705, 3607",
        "4200000, 9799387",
    );
    insta::assert_snapshot!(check("XBTUSD-2020-03-13-1m.json", &text, &ImportOptions::default()), @r"
    format: bitmex-bucketed
    2020-03-13T02:16:00Z i0 bar Last 60s open 2020-03-13T02:15:00Z o 3800 h 3810.5 l 3700 c 3705 v 4200000 qv 0 n 0 tbv 0
    2020-03-13T02:17:00Z i0 bar Last 60s open 2020-03-13T02:16:00Z o 3705 h 3700 l 3596 c 3607 v 9799387 qv 0 n 0 tbv 0
    i0 = bitmex XBTUSD inverse-perp BTC/USD
    ");
}

#[test]
fn bad_bitmex_files_name_the_file_line_and_field() {
    let o = ImportOptions::default();
    let name = "XBTUSD-2020-03-13-1m.json";
    let mut out = String::new();
    let mut case = |what: &str, text: &str| {
        let result = check(name, text, &o);
        let error = result
            .lines()
            .find(|l| l.starts_with("error: "))
            .unwrap_or("no error");
        out.push_str(&format!("{what}: {error}\n"));
    };
    case("wrong shape", "{\"foo\": 1}\n");
    case("a number", "42\n");
    case(
        "different lengths",
        &columnar("1, 2", "1, 2", "1", "1, 2", "5, 5"),
    );
    case(
        "NaN",
        &columnar(
            "3800, 3705",
            "3810.5, NaN",
            "3700, 3596",
            "3705, 3607",
            "1, 2",
        ),
    );
    case(
        "null low",
        &columnar(
            "3800, 3705",
            "3810.5, 3700",
            "3700, null",
            "3705, 3607",
            "1, 2",
        ),
    );
    case(
        "low above high",
        &columnar(
            "3800, 3705",
            "3810.5, 3700",
            "3700, 3701",
            "3705, 3607",
            "1, 2",
        ),
    );
    case(
        "negative volume",
        &columnar(
            "3800, 3705",
            "3810.5, 3700",
            "3700, 3596",
            "3705, 3607",
            "1, -2",
        ),
    );
    case(
        "a row without a timestamp",
        "[\n  {\"symbol\": \"XBTUSD\"}\n]\n",
    );
    case(
        "a row with a string price",
        "[\n  {\"timestamp\": \"2020-03-13T02:16:00Z\", \"symbol\": \"XBTUSD\", \"open\": \"x\", \"high\": 1, \"low\": 1, \"close\": 1, \"trades\": 1, \"volume\": 1}\n]\n",
    );
    insta::assert_snapshot!(out, @r#"
    wrong shape: error: [tmp]/XBTUSD-2020-03-13-1m.json:1: a BitMEX trade/bucketed file: a JSON array of bar rows, or an object with openTimestamp, timeframe and open, high, low, close, volume arrays, found "{\"foo\": 1}"
    a number: error: [tmp]/XBTUSD-2020-03-13-1m.json:1: expected 12 columns (like the format), found 1
    different lengths: error: [tmp]/XBTUSD-2020-03-13-1m.json:7: field `low`: expected 2 values, as many as `open` has, found "1 values"
    NaN: error: [tmp]/XBTUSD-2020-03-13-1m.json:6: valid JSON (expected value at line 6 column 20; NaN and Infinity are not JSON numbers), found "\"high\": [3810.5, NaN],"
    null low: error: [tmp]/XBTUSD-2020-03-13-1m.json:7: field `low[1]`: expected a positive price with at most 8 decimals (empty), found "null"
    low above high: error: [tmp]/XBTUSD-2020-03-13-1m.json:7: field `low[1]`: expected a low ≤ the high, found "3701"
    negative volume: error: [tmp]/XBTUSD-2020-03-13-1m.json:9: field `volume[1]`: expected a whole number ≥ 0, found "-2"
    a row without a timestamp: error: [tmp]/XBTUSD-2020-03-13-1m.json:2: field `timestamp`: expected an ISO 8601 UTC time (the bin's close), found "null"
    a row with a string price: error: [tmp]/XBTUSD-2020-03-13-1m.json:2: field `open`: expected a positive price with at most 8 decimals (empty), found "\"x\""
    "#);
}

#[test]
fn black_thursday_low_3596_in_the_0215_bar() {
    let Some(path) = data_file("bitmex-xbtusd-1m/XBTUSD-2020-03-13-1m.json") else {
        return;
    };
    let bar_0215 = Ts::parse_utc("2020-03-13T02:15:00Z").unwrap();
    let mut low = None;
    let mut min = None::<cascade_types::Price>;
    let summary = summarize(&path, &ImportOptions::default(), None, |e| {
        if let EventBody::Bar(b) = e.body {
            if b.open_time == bar_0215 {
                low = Some(b.low);
            }
            min = Some(min.map_or(b.low, |m| m.min_of(b.low)));
        }
    });
    assert_eq!(low.map(|p| p.to_string()).as_deref(), Some("3596"));
    assert_eq!(min.map(|p| p.to_string()).as_deref(), Some("3596"));
    assert!(summary.contains("events: 1440"), "{summary}");
    assert!(
        summary.contains("instrument i0: bitmex XBTUSD inverse-perp BTC/USD contract 1 lot 1"),
        "{summary}"
    );
    let Some(day1) = data_file("bitmex-xbtusd-1m/XBTUSD-2020-03-12-1m.json") else {
        return;
    };
    let s = summarize(&day1, &ImportOptions::default(), None, |_| {});
    assert!(s.contains("events: 1440"), "{s}");
}

/// The shape of BitMEX's daily trade dumps (`public.bitmex.com/data/trade/20200312.csv.gz`):
/// every symbol of the day, time-ordered; the values here are made up.
const DUMP: &str = "timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,foreignNotional
2020-03-12D10:46:59.123456000,XBTUSD,Sell,25000,5200.5,MinusTick,6a1c47c8-56a2-0a81-9d1b-3a3c06a7f6c1,480723000,4.80723,25000
2020-03-12D10:46:59.123456000,ETHUSD,Sell,10,112.35,ZeroMinusTick,1f6b2c9e-0000-4e1d-8b7c-5f9e2d3c4b5a,112350,0.8901,100.1
2020-03-12D10:47:00.000001000,XBTUSD,Buy,100,5201,PlusTick,0b3e1f6d-77aa-40b2-9c1e-2d4f6a8b0c1e,1922700,0.019227,100
";

#[test]
fn a_trade_dump_without_a_symbol_stops_at_the_first_symbol_it_cannot_place() {
    insta::assert_snapshot!(check("20200312.csv", DUMP, &ImportOptions::default()), @r#"
        format: bitmex-trades
        2020-03-12T10:46:59.123456Z i0 trade sell 25000 @ 5200.5 id=0
        error: [tmp]/20200312.csv:3: cannot infer an instrument for symbol "ETHUSD" on venue "bitmex": no inference rule for this venue; a BitMEX trade dump holds every symbol of the day: --symbol imports one (e.g. --symbol XBTUSD); list it in an instrument file
        i0 = bitmex XBTUSD inverse-perp BTC/USD
    "#);
}

#[test]
fn a_trade_dump_with_a_symbol_keeps_only_that_symbols_rows() {
    let o = ImportOptions {
        symbol: Some("XBTUSD".into()),
        ..ImportOptions::default()
    };
    insta::assert_snapshot!(check("20200312.csv", DUMP, &o), @r"
        format: bitmex-trades
        2020-03-12T10:46:59.123456Z i0 trade sell 25000 @ 5200.5 id=0
        2020-03-12T10:47:00.000001Z i0 trade buy 100 @ 5201 id=0
        i0 = bitmex XBTUSD inverse-perp BTC/USD
    ");
}

#[test]
fn bad_trade_dump_rows_name_the_line_and_column() {
    let header = DUMP.lines().next().unwrap();
    let row = DUMP.lines().nth(1).unwrap();
    let mut out = String::new();
    let mut case = |what: &str, bad: String| {
        let text = format!("{header}\n{row}\n{bad}\n");
        let result = check("20200312.csv", &text, &ImportOptions::default());
        let error = result
            .lines()
            .find(|l| l.starts_with("error: "))
            .unwrap_or("no error");
        out.push_str(&format!("{what}: {error}\n"));
    };
    case("no side", row.replace(",Sell,", ",,"));
    case("NaN price", row.replace("5200.5", "NaN"));
    case("zero size", row.replace(",25000,5200.5", ",0,5200.5"));
    case(
        "time as epoch",
        row.replace("2020-03-12D10:46:59.123456000", "1584010019123"),
    );
    case("earlier time", row.replace("D10:46:59", "D10:46:58"));
    insta::assert_snapshot!(out, @r#"
        no side: error: [tmp]/20200312.csv:3: column `side`: expected buy or sell, found ""
        NaN price: error: [tmp]/20200312.csv:3: column `price`: expected a positive price with at most 8 decimals (not a number), found "NaN"
        zero size: error: [tmp]/20200312.csv:3: column `size`: expected a positive quantity (> 0), found "0"
        time as epoch: error: [tmp]/20200312.csv:3: column `timestamp`: expected a UTC time like 2020-03-12D00:00:03.473218000, found "1584010019123"
        earlier time: error: [tmp]/20200312.csv:3: timestamp 2020-03-12T10:46:58.123456Z is earlier than the previous 2020-03-12T10:46:59.123456Z (line 2); the file must be in time order
    "#);
}
