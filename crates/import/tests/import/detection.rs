//! Format detection: forced formats, headers, names, shapes, containers, symbols and venues
//! from names, and the instrument table's modes.

use crate::{check, temp_file};
use cascade_import::{open, Container, Format, ImportOptions, InstrumentTable, TableMode};
use std::io::Write as _;

const KLINE_ROW: &str = "1760131200000,104000.0,104500.0,101516.5,102400.0,5000.123,1760131259999,515000000.5,90000,2000.1,206000000.25,0";
const TARDIS: &str = "exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n\
                      binance-futures,BTCUSDT,1760131215000000,1760131215004000,1,sell,101516.5,0.1\n";

fn format_of(name: &str, content: &str, options: &ImportOptions) -> String {
    let (_dir, path) = temp_file(name, content.as_bytes());
    let mut table = InstrumentTable::infer();
    match open(&path, options, &mut table) {
        Ok(i) => i.format().to_string(),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn tardis_trades_and_liquidations_share_columns_and_the_name_decides() {
    let d = ImportOptions::default();
    assert_eq!(
        format_of("binance-futures_trades_2025-10-10_BTCUSDT.csv", TARDIS, &d),
        "tardis-trades"
    );
    assert_eq!(
        format_of(
            "binance-futures_liquidations_2025-10-10_BTCUSDT.csv",
            TARDIS,
            &d
        ),
        "tardis-liquidations"
    );
    assert_eq!(format_of("anything.csv", TARDIS, &d), "tardis-trades");
    let forced = ImportOptions {
        format: Some(Format::TardisLiquidations),
        ..Default::default()
    };
    assert_eq!(
        format_of("anything.csv", TARDIS, &forced),
        "tardis-liquidations"
    );
}

#[test]
fn headerless_klines_by_name_and_by_shape() {
    let d = ImportOptions::default();
    assert_eq!(
        format_of("BTCUSDT-1m-2025-10-10.csv", &format!("{KLINE_ROW}\n"), &d),
        "binance-klines"
    );
    let with_symbol = ImportOptions {
        symbol: Some("BTCUSDT".into()),
        ..Default::default()
    };
    assert_eq!(
        format_of("export.csv", &format!("{KLINE_ROW}\n"), &with_symbol),
        "binance-klines"
    );
}

#[test]
fn utf8_bom_and_crlf_are_accepted() {
    let out = check(
        "BTCUSDT-fundingRate-2020-03.csv",
        "\u{feff}calc_time,funding_interval_hours,last_funding_rate\r\n1584086400000,8,-0.00300000\r\n",
        &ImportOptions::default(),
    );
    assert!(
        out.contains("funding_settlement rate -0.003 interval 8h"),
        "{out}"
    );
}

#[test]
fn gzip_and_zip_containers() {
    let body = format!(
        "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n{KLINE_ROW}\n"
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(body.as_bytes()).unwrap();
    let (_d1, gz_path) = temp_file("BTCUSDT-1m-2025-10-10.csv.gz", &gz.finish().unwrap());

    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file("README.txt", stored).unwrap();
    w.write_all(b"the CSV is the second entry").unwrap();
    w.start_file("BTCUSDT-1m-2025-10-10.csv", stored).unwrap();
    w.write_all(body.as_bytes()).unwrap();
    let (_d2, zip_path) = temp_file(
        "BTCUSDT-1m-2025-10-10.zip",
        &w.finish().unwrap().into_inner(),
    );

    for (path, container) in [(gz_path, Container::Gzip), (zip_path, Container::Zip)] {
        let mut table = InstrumentTable::infer();
        let importer = open(&path, &ImportOptions::default(), &mut table).unwrap();
        assert_eq!(importer.container(), container);
        let events: Vec<_> = importer.map(Result::unwrap).collect();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].ts.to_string(), "2025-10-10T21:21:00Z");
    }
}

#[test]
fn symbol_and_venue_from_name_or_caller() {
    let body = format!("{KLINE_ROW}\n");
    let out = check(
        "AVAXUSD_PERP-1m-2025-10-10.csv",
        &body,
        &ImportOptions::default(),
    );
    assert!(
        out.contains("i0 = binance-cm AVAXUSD_PERP inverse-perp AVAX/USD"),
        "{out}"
    );
    let opts = ImportOptions {
        symbol: Some("ETHBTC".into()),
        venue: Some("binance-spot".into()),
        ..Default::default()
    };
    let out = check("BTCUSDT-1m-2025-10-10.csv", &body, &opts);
    assert!(
        out.contains("i0 = binance-spot ETHBTC spot ETH/BTC"),
        "{out}"
    );
}

#[test]
fn instrument_ids_follow_first_appearance_across_files() {
    let (_d, a) = temp_file(
        "AVAXUSD_PERP-1m-2025-10-10.csv",
        format!("{KLINE_ROW}\n").as_bytes(),
    );
    let (_e, b) = temp_file("t.csv", TARDIS.as_bytes());
    let mut table = InstrumentTable::infer();
    for path in [&a, &b, &a] {
        for ev in open(path, &ImportOptions::default(), &mut table).unwrap() {
            ev.unwrap();
        }
    }
    let names: Vec<String> = table
        .specs()
        .iter()
        .map(|s| format!("{}:{}", s.venue, s.symbol))
        .collect();
    assert_eq!(names, ["binance-cm:AVAXUSD_PERP", "binance-um:BTCUSDT"]);
}

#[test]
fn strict_table_accepts_listed_instruments() {
    let mut table = InstrumentTable::from_json(
        r#"{"instruments": [{"venue": "binance-um", "symbol": "BTCUSDT", "tick": "0.1", "lot": "0.001"}]}"#,
    )
    .unwrap();
    assert_eq!(table.mode(), TableMode::Strict);
    let (_d, path) = temp_file("t.csv", TARDIS.as_bytes());
    let n = open(&path, &ImportOptions::default(), &mut table)
        .unwrap()
        .map(Result::unwrap)
        .count();
    assert_eq!(n, 1);
    assert_eq!(table.len(), 1);
}

#[test]
fn format_names_parse_back() {
    for f in Format::ALL {
        assert_eq!(f.name().parse::<Format>(), Ok(f));
    }
    assert!("klines"
        .parse::<Format>()
        .unwrap_err()
        .contains("binance-klines"));
    assert_eq!(
        cascade_import::parse_bar_source("mark"),
        Ok(cascade_types::BarSource::Mark)
    );
}

/// The CLI may decode on its own thread.
#[test]
fn importer_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<cascade_import::Importer<'static>>();
    assert_send::<cascade_import::ImportError>();
}
