//! One test per kind of bad input: each error must name the file, the line (and the column)
//! and what was expected. Messages are snapshotted with the temp directory redacted.

use crate::{import_error, temp_file};
use cascade_import::{Format, ImportOptions, InstrumentTable};
use cascade_types::InstrumentSpec;
use std::io::Write as _;

const KLINES_HEADER: &str = "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore";
const KLINE_ROW: &str = "1760131200000,104000.0,104500.0,101516.5,102400.0,5000.123,1760131259999,515000000.5,90000,2000.1,206000000.25,0";
const TARDIS_HEADER: &str = "exchange,symbol,timestamp,local_timestamp,id,side,price,amount";

/// Imports `content` as a file called `name` (infer mode, default options) and returns the
/// redacted error message.
fn error_of(name: &str, content: &str) -> String {
    error_with(
        name,
        content.as_bytes(),
        &ImportOptions::default(),
        &mut InstrumentTable::infer(),
    )
}

fn error_with(
    name: &str,
    content: &[u8],
    options: &ImportOptions,
    table: &mut InstrumentTable,
) -> String {
    let (_dir, path) = temp_file(name, content);
    import_error(&path, options, table)
}

fn klines(rows: &[&str]) -> String {
    let mut s = format!("{KLINES_HEADER}\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

#[test]
fn missing_column_in_header() {
    let msg = error_of(
        "BTCUSDT-bookDepth-2025-10-10.csv",
        "timestamp,percentage,notional\n2025-10-10 00:00:07,-5,979983314.2056\n",
    );
    assert!(msg.contains(
        "BTCUSDT-bookDepth-2025-10-10.csv:1: wrong header for binance-book-depth: missing depth"
    ));
    insta::assert_snapshot!(msg);
}

#[test]
fn wrong_header_columns() {
    let msg = error_of(
        "BTCUSDT-1m-2025-10-10.csv",
        "open_time,open,high,low,close,volume,close_time,quote_volume,trades,taker_buy_volume,taker_buy_quote_volume,ignore\n",
    );
    assert!(
        msg.contains(":1: wrong header for binance-klines: missing count; unexpected \"trades\"")
    );
    insta::assert_snapshot!(msg);
}

#[test]
fn wrong_column_count() {
    let short =
        "1760131260000,102400.0,102500.0,102300.0,102450.0,10,1760131319999,1024500.0,100,5";
    let msg = error_of("BTCUSDT-1m-2025-10-10.csv", &klines(&[KLINE_ROW, short]));
    assert!(msg
        .contains("BTCUSDT-1m-2025-10-10.csv:3: expected 12 columns (like the header), found 10"));
    insta::assert_snapshot!(msg);
}

#[test]
fn not_a_number() {
    let row = KLINE_ROW.replace("104500.0", "104,5k");
    let msg = error_of(
        "BTCUSDT-1m-2025-10-10.csv",
        &klines(&[&row]).replace("104,5k", "\"104,5k\""),
    );
    assert!(msg.contains(":2: column `high`: expected a positive price with at most 8 decimals (not a number), found \"104,5k\""));
    insta::assert_snapshot!(msg);
}

#[test]
fn nan_price() {
    let msg = error_of(
        "trades.csv",
        &format!("{TARDIS_HEADER}\nbinance-futures,BTCUSDT,1760131200000000,1760131200000100,1,buy,NaN,0.1\n"),
    );
    assert!(msg.contains("trades.csv:2: column `price`: expected a positive price with at most 8 decimals (not a number), found \"NaN\""));
    insta::assert_snapshot!(msg);
}

#[test]
fn infinite_quantity() {
    let msg = error_of(
        "trades.csv",
        &format!("{TARDIS_HEADER}\nbinance-futures,BTCUSDT,1760131200000000,1760131200000100,1,buy,101516.5,inf\n"),
    );
    assert!(msg.contains("trades.csv:2: column `amount`: expected a positive quantity"));
    insta::assert_snapshot!(msg);
}

#[test]
fn negative_price() {
    let row = KLINE_ROW.replace("101516.5", "-101516.5");
    let msg = error_of("BTCUSDT-1m-2025-10-10.csv", &klines(&[&row]));
    assert!(msg.contains(":2: column `low`: expected a positive price (> 0), found \"-101516.5\""));
    insta::assert_snapshot!(msg);
}

#[test]
fn zero_price() {
    let msg = error_of(
        "binance_liquidations.csv",
        "timestamp,symbol,side,avg_price,filled_qty,usd_value\n2025-10-22T09:36:42.306000,SOLUSDT,SELL,0,0.04,0\n",
    );
    assert!(msg.contains("binance_liquidations.csv:2: column `avg_price`: expected a positive price (> 0), found \"0\""));
    insta::assert_snapshot!(msg);
}

#[test]
fn too_many_decimals_in_a_venue_price() {
    let row = KLINE_ROW.replace("104000.0", "104000.123456789");
    let msg = error_of("BTCUSDT-1m-2025-10-10.csv", &klines(&[&row]));
    assert!(msg.contains(
        "column `open`: expected a positive price with at most 8 decimals (more than 8 decimals)"
    ));
    insta::assert_snapshot!(msg);
}

#[test]
fn unknown_symbol_in_strict_mode() {
    let spec = InstrumentSpec::new(
        "binance-cm",
        "AVAXUSD_PERP",
        cascade_types::InstrumentKind::InversePerp,
        "AVAX",
        "USD",
    );
    let mut table = InstrumentTable::strict([spec]).unwrap();
    let content = format!(
        "{TARDIS_HEADER}\n\
         binance-delivery,AVAXUSD_PERP,1760131200000000,1760131200000100,1,sell,6.02,3\n\
         binance-delivery,DOTUSD_PERP,1760131200000001,1760131200000200,2,sell,2.1,1\n"
    );
    let msg = error_with(
        "trades.csv",
        content.as_bytes(),
        &ImportOptions::default(),
        &mut table,
    );
    assert!(msg.contains("trades.csv:3: unknown symbol \"DOTUSD_PERP\" on venue \"binance-cm\""));
    insta::assert_snapshot!(msg);
}

#[test]
fn symbol_that_cannot_be_inferred() {
    let msg = error_of(
        "trades.csv",
        &format!(
            "{TARDIS_HEADER}\nkraken,XBT/USD,1760131200000000,1760131200000100,1,buy,101516.5,1\n"
        ),
    );
    assert!(msg.contains(
        "trades.csv:2: cannot infer an instrument for symbol \"XBT/USD\" on venue \"kraken\""
    ));
    insta::assert_snapshot!(msg);
}

#[test]
fn bad_timestamp() {
    let msg = error_of(
        "BTCUSDT-bookDepth-2025-10-10.csv",
        "timestamp,percentage,depth,notional\n2025-13-10 00:00:07,-5,8243.012,979983314.2056\n",
    );
    assert!(msg.contains(":2: column `timestamp`: expected a UTC date-time"));
    insta::assert_snapshot!(msg);
}

#[test]
fn timestamp_in_seconds_instead_of_milliseconds() {
    let row = KLINE_ROW.replacen("1760131200000", "1760131200", 1);
    let msg = error_of("BTCUSDT-1m-2025-10-10.csv", &klines(&[&row]));
    assert!(msg.contains(":2: column `open_time`: expected a timestamp in epoch milliseconds or microseconds between 2009 and 2100"));
    insta::assert_snapshot!(msg);
}

#[test]
fn out_of_order_timestamps() {
    let earlier = KLINE_ROW
        .replace("1760131200000", "1760131140000")
        .replace("1760131259999", "1760131199999");
    let msg = error_of("BTCUSDT-1m-2025-10-10.csv", &klines(&[KLINE_ROW, &earlier]));
    assert!(msg.contains("BTCUSDT-1m-2025-10-10.csv:3: timestamp 2025-10-10T21:20:00Z is earlier than the previous 2025-10-10T21:21:00Z (line 2)"));
    insta::assert_snapshot!(msg);
}

#[test]
fn capture_stepping_back_beyond_the_tolerance() {
    let content = "timestamp,symbol,side,avg_price,filled_qty,usd_value\n\
                   2025-10-22T09:36:42.306000,SOLUSDT,SELL,184.22,0.04,7.3688\n\
                   2025-10-22T09:36:40.000000,ETHUSDT,BUY,3900,0.1,390\n";
    let msg = error_of("binance_liquidations.csv", content);
    assert!(msg.contains("binance_liquidations.csv:3: timestamp 2025-10-22T09:36:40Z is earlier"));
    insta::assert_snapshot!(msg);
}

#[test]
fn truncated_gzip() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut body = klines(&[]);
    for i in 0..2000 {
        let open = 1_760_131_200_000i64 + i * 60_000;
        body.push_str(&format!(
            "{open},104000.0,104500.0,101516.5,102400.0,5000.123,{},515000000.5,90000,2000.1,206000000.25,0\n",
            open + 59_999
        ));
    }
    gz.write_all(body.as_bytes()).unwrap();
    let bytes = gz.finish().unwrap();
    let cut = &bytes[..bytes.len() / 2];
    let msg = error_with(
        "BTCUSDT-1m-2025-10-10.csv.gz",
        cut,
        &ImportOptions::default(),
        &mut InstrumentTable::infer(),
    );
    assert!(msg.contains("BTCUSDT-1m-2025-10-10.csv.gz:"), "{msg}");
    assert!(
        msg.contains("read failed, the file is truncated or corrupt"),
        "{msg}"
    );
    insta::assert_snapshot!(msg);
}

fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(body.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn zip_without_csv() {
    let bytes = zip_of(&[("README.txt", "nothing here"), ("data.json", "{}")]);
    let msg = error_with(
        "BTCUSDT-1m-2025-10-10.zip",
        &bytes,
        &ImportOptions::default(),
        &mut InstrumentTable::infer(),
    );
    assert!(msg.contains(
        "BTCUSDT-1m-2025-10-10.zip: zip archive has no .csv entry (entries: README.txt, data.json)"
    ));
    insta::assert_snapshot!(msg);
}

#[test]
fn corrupt_zip_entry() {
    let mut bytes = zip_of(&[("BTCUSDT-1m-2025-10-10.csv", &klines(&[KLINE_ROW]))]);
    // Flip a byte inside the compressed entry: its CRC-32 no longer matches.
    let at = 30 + "BTCUSDT-1m-2025-10-10.csv".len() + 10;
    bytes[at] ^= 0x55;
    let msg = error_with(
        "BTCUSDT-1m-2025-10-10.zip",
        &bytes,
        &ImportOptions::default(),
        &mut InstrumentTable::infer(),
    );
    assert!(msg.contains("BTCUSDT-1m-2025-10-10.zip:"), "{msg}");
    insta::assert_snapshot!(msg);
}

#[test]
fn truncated_zip() {
    let bytes = zip_of(&[("BTCUSDT-1m-2025-10-10.csv", &klines(&[KLINE_ROW]))]);
    let msg = error_with(
        "BTCUSDT-1m-2025-10-10.zip",
        &bytes[..bytes.len() - 30],
        &ImportOptions::default(),
        &mut InstrumentTable::infer(),
    );
    assert!(
        msg.contains("BTCUSDT-1m-2025-10-10.zip: bad zip archive"),
        "{msg}"
    );
    insta::assert_snapshot!(msg);
}

#[test]
fn unrecognised_format() {
    let msg = error_of("prices.csv", "date,price\n2025-10-10,101516.5\n");
    assert!(msg.contains("prices.csv: unrecognised format: the file name and the first line \"date,price\" match none"));
    insta::assert_snapshot!(msg);
}

#[test]
fn empty_file() {
    let msg = error_of("prices.csv", "");
    assert!(msg.contains("prices.csv: the file is empty"));
    insta::assert_snapshot!(msg);
}

#[test]
fn forced_format_with_another_header() {
    let options = ImportOptions {
        format: Some(Format::TardisBookTicker),
        ..Default::default()
    };
    let content = format!("{TARDIS_HEADER}\n");
    let msg = error_with(
        "x.csv",
        content.as_bytes(),
        &options,
        &mut InstrumentTable::infer(),
    );
    assert!(msg.contains("x.csv:1: wrong header for tardis-book-ticker: missing ask_amount,ask_price,bid_price,bid_amount; unexpected \"id\",\"side\",\"price\",\"amount\""));
    insta::assert_snapshot!(msg);
}

#[test]
fn headerless_file_of_a_format_that_needs_a_header() {
    let msg = error_of(
        "BTCUSDT-bookTicker-2025-10-10.csv",
        "1,101516.5,1,101516.6,2,1760131200000,1760131200001\n",
    );
    assert!(msg.contains(":1: wrong header for binance-book-ticker: no header line"));
    insta::assert_snapshot!(msg);
}

#[test]
fn no_symbol_from_the_file_name() {
    let msg = error_of("2025-10-10.csv", &klines(&[KLINE_ROW]));
    assert!(msg.contains(
        "2025-10-10.csv: binance-klines files have no symbol column and the file name gives none"
    ));
    insta::assert_snapshot!(msg);
}

#[test]
fn kline_interval_disagrees_with_the_file_name() {
    let msg = error_of("BTCUSDT-5m-2025-10-10.csv", &klines(&[KLINE_ROW]));
    assert!(msg.contains(":2: column `close_time`: expected open_time + 300 s − 1 ms (the interval in the file name), found \"1760131259999\""));
    insta::assert_snapshot!(msg);
}

#[test]
fn kline_low_above_the_open() {
    let row = KLINE_ROW.replace("101516.5", "104100");
    let msg = error_of("BTCUSDT-1m-2025-10-10.csv", &klines(&[&row]));
    assert!(msg.contains(":2: column `low`: expected a low ≤ open, close and high"));
    insta::assert_snapshot!(msg);
}

#[test]
fn price_series_klines_without_a_hint() {
    let row =
        "1760131200000,121662,121737.53736410,121662,121689.00965205,0,1760131259999,0,60,0,0,0";
    let msg = error_of("BTCUSD_PERP-1m-2025-10-10.csv", &klines(&[row]));
    assert!(
        msg.contains("BTCUSD_PERP-1m-2025-10-10.csv:2: these klines have volume 0 and count 60")
    );
    insta::assert_snapshot!(msg);
}

#[test]
fn unknown_trade_side() {
    let msg = error_of(
        "trades.csv",
        &format!(
            "{TARDIS_HEADER}\ncoinbase,AVAX-USD,1760131200000000,1760131200000100,1,unknown,17,1\n"
        ),
    );
    assert!(msg.contains("trades.csv:2: column `side`: expected buy or sell, found \"unknown\""));
    insta::assert_snapshot!(msg);
}

#[test]
fn empty_required_cell() {
    let msg = error_of(
        "book_ticker.csv",
        "exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount\n\
         binance-futures,BTCUSDT,1760131200000000,1760131200000100,1.5,,101516.4,2\n",
    );
    assert!(msg.contains("book_ticker.csv:2: column `ask_price`: expected a positive price with at most 8 decimals (empty), found \"\""));
    insta::assert_snapshot!(msg);
}

#[test]
fn ws_capture_line_without_json() {
    let msg = error_of(
        "btcusdt_20240808.txt",
        "1723161255030314667 {\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1723161256322,\"T\":1723161256322,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"61800.30\",\"q\":\"0.006\",\"m\":false}}\n\
         1723161255088176367 {\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\n",
    );
    assert!(msg.contains("btcusdt_20240808.txt:2: expected a JSON message (EOF while parsing a value at character 46 of the JSON)"), "{msg}");
    insta::assert_snapshot!(msg);
}

#[test]
fn ws_capture_unknown_message() {
    let msg = error_of(
        "capture.txt",
        "1723161255030314667 {\"e\":\"24hrTicker\",\"E\":1723161256322,\"s\":\"BTCUSDT\"}\n",
    );
    assert!(msg.contains("capture.txt:1: expected a bookTicker, trade, aggTrade, depthUpdate, markPriceUpdate or forceOrder message or a depth snapshot, found \"24hrTicker\""));
    insta::assert_snapshot!(msg);
}

#[test]
fn ws_capture_local_time_going_backwards() {
    let msg = error_of(
        "capture.txt",
        "1723161255088176367 {\"e\":\"trade\",\"E\":1723161256322,\"T\":1723161256322,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"61800.30\",\"q\":\"0.006\",\"m\":false}\n\
         1723161255030314667 {\"e\":\"trade\",\"E\":1723161256323,\"T\":1723161256323,\"s\":\"BTCUSDT\",\"t\":2,\"p\":\"61800.30\",\"q\":\"0.006\",\"m\":true}\n",
    );
    assert!(msg.contains("capture.txt:2: local receive time 2024-08-08T23:54:15.030314667Z is earlier than the previous 2024-08-08T23:54:15.088176367Z (line 1)"), "{msg}");
    insta::assert_snapshot!(msg);
}

#[test]
fn ws_capture_bad_field() {
    let msg = error_of(
        "capture.txt",
        "1723161255088176367 {\"e\":\"trade\",\"E\":1723161256322,\"T\":1723161256322,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"-61800.30\",\"q\":\"0.006\",\"m\":false}\n",
    );
    assert!(msg.contains(
        "capture.txt:1: field `p`: expected a positive price (> 0), found \"-61800.30\""
    ));
    insta::assert_snapshot!(msg);
}

/// The real `Onchain-Data-Eval-Algorithm` files end with a corrupt row; forced through a
/// supported layout, such a row is caught with its line.
#[test]
fn corrupt_last_row() {
    let content = "calc_time,funding_interval_hours,last_funding_rate\n\
                   1584086400000,8,-0.00300000\n\
                   1.12,8,0.039063238\n";
    let msg = error_of("BTCUSDT.csv", content);
    assert!(msg.contains("BTCUSDT.csv:3: column `calc_time`: expected a timestamp in epoch milliseconds or microseconds, found \"1.12\""));
    insta::assert_snapshot!(msg);
}

#[test]
fn ws_capture_depth_snapshot_of_unknown_symbol() {
    let msg = error_of(
        "capture.txt",
        "1723161255319702566 {\"lastUpdateId\":5123107852948,\"E\":1723161256501,\"T\":1723161256493,\"bids\":[[\"61800.20\",\"2.909\"]],\"asks\":[]}\n",
    );
    assert!(msg.contains("capture.txt:1: expected the symbol of this depth snapshot to be known (pass the symbol, or name the file after it)"), "{msg}");
    insta::assert_snapshot!(msg);
}
