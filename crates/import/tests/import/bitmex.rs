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
