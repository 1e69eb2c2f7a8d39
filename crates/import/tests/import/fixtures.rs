//! The repository's bundled synthetic sample (`fixtures/sample`, Binance public-data layouts):
//! always present, so these run on a fresh clone without the real data.

use crate::{fixture, summarize};
use cascade_import::ImportOptions;
use cascade_types::{BarSource, EventBody};

#[test]
fn synthetic_sample_imports() {
    for (file, snap) in [
        ("sample/BTCUSDT-1m-2025-10-10.csv", "fixture_klines"),
        (
            "sample/markPriceKlines/BTCUSDT-1m-2025-10-10.csv",
            "fixture_mark_klines",
        ),
        (
            "sample/BTCUSDT-aggTrades-2025-10-10.csv",
            "fixture_agg_trades",
        ),
        (
            "sample/BTCUSDT-bookDepth-2025-10-10.csv",
            "fixture_book_depth",
        ),
        ("sample/BTCUSDT-metrics-2025-10-10.csv", "fixture_metrics"),
        (
            "sample/BTCUSDT-fundingRate-2025-10.csv",
            "fixture_funding_rate",
        ),
    ] {
        let path = fixture(file);
        if !path.is_file() {
            println!("skipped: {} is missing", path.display());
            continue;
        }
        let mut mark_bars = 0;
        let summary = summarize(&path, &ImportOptions::default(), None, |e| {
            if let EventBody::Bar(b) = e.body {
                mark_bars += usize::from(b.source == BarSource::Mark);
            }
        });
        if file.contains("markPriceKlines") {
            assert_eq!(mark_bars, 180, "the path makes them mark-price bars");
        }
        insta::assert_snapshot!(snap, summary);
    }
}
