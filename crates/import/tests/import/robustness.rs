//! Bad input is an error, never a panic: every truncation and many one-byte corruptions of a
//! small file of each format are imported to the end (or to their first error).

use cascade_import::{open, ImportOptions, InstrumentTable};
use std::io::Write as _;
use std::path::Path;

const SAMPLES: [(&str, &str); 8] = [
    (
        "BTCUSDT-1m-2025-10-10.csv",
        "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n\
         1760131200000,104000.0,104500.0,101516.5,102400.0,5000.123,1760131259999,515000000.5,90000,2000.1,206000000.25,0\n\
         1760131260000,102400.0,102500.0,102300.0,102450.0,10,1760131319999,1024500.0,100,5,512250.0,0\n",
    ),
    (
        "binance-delivery_trades_2025-10-10_AVAXUSD_PERP.csv",
        "exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n\
         binance-delivery,AVAXUSD_PERP,1760131200000000,1760131200000100,1,sell,6.02,3\n\
         binance-delivery,AVAXUSD_PERP,1760131200000001,1760131200000200,2,buy,6.1,1\n",
    ),
    (
        "BTCUSDT-bookDepth-2025-10-10.csv",
        "timestamp,percentage,depth,notional,weighted_avg_price\n\
         2025-10-10 00:00:07,-5,8243.012,979983314.2056,118886.556783564\n\
         \" 2025-10-10 00:00:07\",5,3017.874,349464778.3951,115798.332997037\n",
    ),
    (
        "BTCUSDT.export.csv",
        ",timestamp,sumOpenInterest,sumOpenInterestValue,topacclongShortRatio,topposlongShortRatio,globallongShortRatio,sellVol,buyVol\n\
         0,1715286900000,69688.993,4348984183.19738,1.7747,1.1648,1.8369,,\n\
         1,1715287200000,69611.764,4348825337.209707,1.7709,1.1638,1.8345,10,11\n",
    ),
    (
        "derivative_ticker.csv",
        "exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price\n\
         binance-futures,BTCUSDT,1760131215000000,1760131215004000,1760140800000000,0.0001,,82041.123,101516.5,101890.1,101877.7\n",
    ),
    (
        "liquidations.csv",
        "timestamp,symbol,side,avg_price,filled_qty,usd_value\n\
         2025-10-22T09:36:42.306000,SOLUSDT,SELL,184.22,0.04,7.3688\n\
         2025-10-22T09:36:44.521000,IDOLUSDT,BUY,0.0360982,1252.0,45.1949464\n",
    ),
    (
        "btcusdt_20240808.txt",
        "1723161255030314667 {\"stream\":\"btcusdt@depth@0ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1723161256299,\"T\":1723161256298,\"s\":\"BTCUSDT\",\"U\":1,\"u\":2,\"pu\":0,\"b\":[[\"58710.20\",\"0.014\"]],\"a\":[[\"61800.30\",\"3.330\"]]}}\n\
         1723161255088169167 {\"stream\":\"btcusdt@bookTicker\",\"data\":{\"e\":\"bookTicker\",\"u\":5,\"s\":\"BTCUSDT\",\"b\":\"61800.20\",\"B\":\"2.507\",\"a\":\"61800.30\",\"A\":\"2.510\",\"T\":1723161256313,\"E\":1723161256313}}\n\
         1723161255319702566 {\"lastUpdateId\":5,\"E\":1723161256501,\"T\":1723161256493,\"bids\":[[\"61800.20\",\"2.909\"]],\"asks\":[[\"61800.30\",\"1\"]]}\n",
    ),
    (
        "BTCUSDT-aggTrades-2025-10-10.csv",
        "2874534001,101516.5,0.350,6618000001,6618000004,1760131215123,true,true\n\
         2874534002,101520.0,0.002,6618000005,6618000005,1760131215123,false,true\n",
    ),
];

/// Imports `path` to its end or first error; a panic fails the test.
fn drain(path: &Path) -> usize {
    let mut table = InstrumentTable::infer();
    let Ok(importer) = open(path, &ImportOptions::default(), &mut table) else {
        return 0;
    };
    importer.take_while(Result::is_ok).count()
}

#[test]
fn truncations_and_corruptions_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut imports = 0;
    for (name, text) in SAMPLES {
        let path = dir.path().join(name);
        let bytes = text.as_bytes();
        // The intact sample imports completely.
        std::fs::write(&path, bytes).unwrap();
        assert!(drain(&path) > 0, "{name}");
        for cut in 0..bytes.len() {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            drain(&path);
            imports += 1;
        }
        // Two replacement bytes per position, cycling through the interesting ones.
        const BYTES: [u8; 9] = [b'x', b',', b'-', b'.', b'9', b'\n', b'"', b' ', 0xff];
        for at in 0..bytes.len() {
            for b in [BYTES[at % 9], BYTES[(at + 4) % 9]] {
                let mut bad = bytes.to_vec();
                bad[at] = b;
                std::fs::write(&path, &bad).unwrap();
                drain(&path);
                imports += 1;
            }
        }
    }
    assert!(imports > 5_000);
}

#[test]
fn truncated_gzip_and_zip_never_panic() {
    let body = SAMPLES[0].1.as_bytes().to_vec();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&body).unwrap();
    let gz = gz.finish().unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(
        "BTCUSDT-1m-2025-10-10.csv",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    w.write_all(&body).unwrap();
    let zip = w.finish().unwrap().into_inner();

    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("BTCUSDT-1m-2025-10-10.csv.gz", gz),
        ("BTCUSDT-1m-2025-10-10.zip", zip),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(drain(&path), 2, "{name}");
        for cut in 0..bytes.len() {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            drain(&path);
        }
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0xa5;
            std::fs::write(&path, &bad).unwrap();
            drain(&path);
        }
    }
}
