//! Every importer on the real files of `../shared/data`, checking the facts its README states
//! and snapshotting a per-file summary.

use crate::{data_dir, data_file, import_error, summarize};
use cascade_import::{open, Format, ImportOptions, InstrumentTable};
use cascade_types::{BarSource, Event, EventBody, Price, Qty, RatioSource, Ts};

fn ts(text: &str) -> Ts {
    Ts::parse_utc(text).unwrap()
}

fn px(text: &str) -> Price {
    text.parse().unwrap()
}

/// `p` rounded half-even to `decimals` decimals (the README quotes computed marks rounded).
fn round_to(p: Price, decimals: u32) -> Price {
    use cascade_types::Rounding::HalfEven;
    let unit = 10i64.pow(8 - decimals);
    p.mul_div(1, unit, HalfEven)
        .unwrap()
        .mul_div(unit, 1, HalfEven)
        .unwrap()
}

/// The bar with the lowest low: (low, bar open time, event time).
#[derive(Default)]
struct LowestBar(Option<(Price, Ts, Ts)>);

impl LowestBar {
    fn visit(&mut self, ev: &Event) {
        if let EventBody::Bar(b) = ev.body {
            if self.0.is_none_or(|(low, _, _)| b.low < low) {
                self.0 = Some((b.low, b.open_time, ev.ts));
            }
        }
    }
}

mod klines {
    use super::*;

    /// The five 1m slices and their lows from the data README.
    #[test]
    fn um_1m_slices_have_the_documented_lows() {
        let cases = [
            (
                "BTCUSDT-1m-2025-10.slice_20251010T1707-2343Z.csv",
                "101516.5",
                "2025-10-10T21:20:00Z",
            ),
            (
                "BTCUSDT-1m-2025-04.slice_20250406T2222-20250407T0038Z.csv",
                "77111",
                "2025-04-06T23:21:00Z",
            ),
            (
                "BTCUSDT-1m-2025-04.slice_20250407T1315-1528Z.csv",
                "75761.5",
                "2025-04-07T13:46:00Z",
            ),
            (
                "BTCUSDT-1m-2025-02.slice_20250203T0004-0217Z.csv",
                "91130.3",
                "2025-02-03T02:08:00Z",
            ),
            (
                "BTCUSDT-1m-2020-03.slice_20200312T2334-20200313T0418Z.csv",
                "3621.81",
                "2020-03-13T02:16:00Z",
            ),
        ];
        for (name, low, at) in cases {
            let Some(path) = data_file(&format!("binance-um-klines-1m/{name}")) else {
                return;
            };
            let mut lowest = LowestBar::default();
            let summary = summarize(&path, &ImportOptions::default(), None, |e| lowest.visit(e));
            let (l, open_time, stamped) = lowest.0.unwrap();
            assert_eq!((l, open_time), (px(low), ts(at)), "{name}");
            // Stamped at the close: one minute after the open.
            assert_eq!(stamped, open_time.plus_nanos(Ts::NANOS_PER_MIN), "{name}");
            let snap = format!(
                "klines_{}",
                &name[..name.find(".slice").unwrap()].replace('-', "_")
            );
            let snap = format!(
                "{snap}_{}",
                &name[name.find("slice_").unwrap() + 6..name.len() - 4]
            );
            insta::assert_snapshot!(snap, summary);
        }
    }

    /// COIN-M BTCUSD_PERP mark-price klines in a zip: the file name gives no hint, so the
    /// caller must say "mark" (without it the importer refuses to guess).
    #[test]
    fn cm_mark_price_zip_low_on_10_10() {
        let Some(path) = data_file("binance-2025-10-10/timeline/BTCUSD_PERP-1m-2025-10-10.zip")
        else {
            return;
        };
        let mut table = InstrumentTable::infer();
        let err = import_error(&path, &ImportOptions::default(), &mut table);
        assert!(
            err.contains(
                "BTCUSD_PERP-1m-2025-10-10.zip:2: these klines have volume 0 and count 60"
            ),
            "{err}"
        );

        let opts = ImportOptions {
            bar_source: Some(BarSource::Mark),
            ..Default::default()
        };
        let mut lowest = LowestBar::default();
        let summary = summarize(&path, &opts, None, |e| lowest.visit(e));
        let (low, open_time, _) = lowest.0.unwrap();
        // The README gives it to the cent; the mark is computed to 8 decimals.
        assert_eq!(low, px("102497.48513403"));
        assert_eq!(
            (round_to(low, 2), open_time),
            (px("102497.49"), ts("2025-10-10T21:20:00Z"))
        );
        insta::assert_snapshot!("cm_mark_1m_2025_10_10", summary);

        let day_before = path.with_file_name("BTCUSD_PERP-1m-2025-10-09.zip");
        insta::assert_snapshot!(
            "cm_mark_1m_2025_10_09",
            summarize(&day_before, &opts, None, |_| {})
        );
    }

    /// UM 5m mark-price klines: `markprice` in the directory name makes them Mark bars; the
    /// 21:20 bar's low on 10/10 is 101,877.7. Every daily zip imports.
    #[test]
    fn um_mark_price_5m_zips() {
        let Some(dir) = data_dir().map(|d| d.join("binance-2025-10-10/markprice_5m_um")) else {
            return;
        };
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "zip"))
            .collect();
        names.sort();
        assert!(names.len() >= 90, "{} zips", names.len());
        let mut table = InstrumentTable::infer();
        let (mut bars, mut low_2120) = (0, None);
        for path in &names {
            let importer = open(path, &ImportOptions::default(), &mut table).unwrap();
            assert_eq!(importer.format(), Format::BinanceKlines);
            for ev in importer {
                let ev = ev.unwrap_or_else(|e| panic!("{e}"));
                let EventBody::Bar(b) = ev.body else {
                    panic!("not a bar: {ev}")
                };
                assert_eq!(
                    (b.source, b.interval_s, b.volume),
                    (BarSource::Mark, 300, Qty::ZERO)
                );
                if b.open_time == ts("2025-10-10T21:20:00Z") {
                    low_2120 = Some(b.low);
                }
                bars += 1;
            }
        }
        // The README quotes it to one decimal; the mark is computed to 8.
        assert_eq!(low_2120, Some(px("101877.68981743")));
        assert_eq!(low_2120.map(|l| round_to(l, 1)), Some(px("101877.7")));
        assert_eq!(table.len(), 1);
        assert_eq!(bars, 288 * names.len());
        let day = dir.join("BTCUSDT-5m-2025-10-10.zip");
        insta::assert_snapshot!(
            "um_mark_5m_2025_10_10",
            summarize(&day, &ImportOptions::default(), None, |_| {})
        );
    }
}

mod funding {
    use super::*;

    #[test]
    fn btc_funding_at_the_cap_on_2020_03_13() {
        let Some(path) = data_file("funding-data/BTCUSDT.csv") else {
            return;
        };
        let mut at_0800 = None;
        let summary = summarize(&path, &ImportOptions::default(), None, |e| {
            if e.ts == ts("2020-03-13T08:00:00Z") {
                at_0800 = Some(e.body);
            }
        });
        let Some(EventBody::FundingSettlement(f)) = at_0800 else {
            panic!("{at_0800:?}")
        };
        assert_eq!(f.rate.to_string(), "-0.003");
        assert_eq!(f.interval_h, 8);
        insta::assert_snapshot!("funding_btcusdt", summary);
    }

    #[test]
    fn eth_and_sol_funding() {
        for sym in ["ETHUSDT", "SOLUSDT"] {
            let Some(path) = data_file(&format!("funding-data/{sym}.csv")) else {
                return;
            };
            insta::assert_snapshot!(
                format!("funding_{}", sym.to_lowercase()),
                summarize(&path, &ImportOptions::default(), None, |_| {})
            );
        }
    }
}

mod book_depth {
    use super::*;

    /// Bid notional within 5 % collapses from ~$570M at 20:50 to ~$2M at 21:25; the row with a
    /// leading space in its timestamp (21:34:32) imports.
    #[test]
    fn bid_depth_collapses_in_the_crash() {
        let Some(path) = data_file("binance-2025-10-10/timeline/BTCUSDT-bookDepth-2025-10-10.csv")
        else {
            return;
        };
        let (mut at_2050, mut at_2125, mut spaced_row) = (None, None, false);
        let summary = summarize(&path, &ImportOptions::default(), None, |e| {
            let EventBody::DepthBand(d) = e.body else {
                panic!("not a band: {e}")
            };
            if d.band_bps == -500 && e.ts >= ts("2025-10-10T20:50:00Z") && at_2050.is_none() {
                at_2050 = Some(d.notional.to_f64());
            }
            if d.band_bps == -500 && e.ts >= ts("2025-10-10T21:25:00Z") && at_2125.is_none() {
                at_2125 = Some(d.notional.to_f64());
            }
            spaced_row |= e.ts == ts("2025-10-10T21:34:32Z") && d.band_bps == -400;
        });
        let (a, b) = (at_2050.unwrap(), at_2125.unwrap());
        assert!(
            (3e8..1e9).contains(&a),
            "bid notional within 5% at 20:50: {a}"
        );
        assert!(
            (1e6..1e7).contains(&b),
            "bid notional within 5% at 21:25: {b}"
        );
        assert!(spaced_row);
        insta::assert_snapshot!("book_depth_btcusdt_2025_10_10", summary);
    }
}

mod tardis_trades {
    use super::*;

    fn lowest_trade(path: &std::path::Path, limit: Option<usize>) -> (String, Price) {
        let mut low: Option<Price> = None;
        let summary = summarize(path, &ImportOptions::default(), limit, |e| {
            let EventBody::Trade(t) = e.body else {
                panic!("not a trade: {e}")
            };
            low = Some(low.map_or(t.price, |l| l.min_of(t.price)));
        });
        (summary, low.unwrap())
    }

    /// The whole AVAXUSD_PERP day: its wick to 6.02, against Coinbase AVAX-USD spot's 17.0.
    #[test]
    fn avax_perp_wick_versus_spot() {
        let dir = "binance-2025-10-10";
        let Some(perp) = data_file(&format!(
            "{dir}/coin_margined_trades/binance-delivery_trades_2025-10-10_AVAXUSD_PERP.csv.gz"
        )) else {
            return;
        };
        let (summary, low) = lowest_trade(&perp, None);
        assert_eq!(low, px("6.02"));
        insta::assert_snapshot!("tardis_avaxusd_perp", summary);

        let Some(spot) = data_file(&format!(
            "{dir}/spot_trades/coinbase_trades_2025-10-10_AVAX-USD.csv.gz"
        )) else {
            return;
        };
        let (summary, low) = lowest_trade(&spot, None);
        assert_eq!(low, px("17"));
        insta::assert_snapshot!("tardis_coinbase_avax_usd", summary);
    }

    /// The other COIN-M perpetuals: TRX completely (the smallest file), the rest streamed
    /// for their first 20,000 trades to keep the dev-profile test run short.
    #[test]
    fn other_coin_margined_perps() {
        for sym in ["AAVE", "ATOM", "BCH", "DOT", "ETC", "FIL", "TRX", "UNI"] {
            let Some(path) = data_file(&format!(
                "binance-2025-10-10/coin_margined_trades/binance-delivery_trades_2025-10-10_{sym}USD_PERP.csv.gz"
            )) else {
                return;
            };
            let limit = (sym != "TRX").then_some(20_000);
            let (summary, _) = lowest_trade(&path, limit);
            insta::assert_snapshot!(format!("tardis_{}usd_perp", sym.to_lowercase()), summary);
        }
    }

    /// Spot trades of Binance (venue `binance-spot`) and Coinbase, first 20,000 each (ETC-USD,
    /// the smallest, completely).
    #[test]
    fn spot_trades() {
        for (file, limit) in [
            ("binance_trades_2025-10-10_TRXUSDT.csv.gz", Some(20_000)),
            ("binance_trades_2025-10-10_POLUSDT.csv.gz", Some(20_000)),
            ("coinbase_trades_2025-10-10_BCH-USD.csv.gz", Some(20_000)),
            ("coinbase_trades_2025-10-10_DOT-USD.csv.gz", Some(20_000)),
            ("coinbase_trades_2025-10-10_ETC-USD.csv.gz", None),
        ] {
            let Some(path) = data_file(&format!("binance-2025-10-10/spot_trades/{file}")) else {
                return;
            };
            let (summary, _) = lowest_trade(&path, limit);
            let snap = file
                .trim_end_matches(".csv.gz")
                .replace(['-', '.'], "_")
                .to_lowercase();
            insta::assert_snapshot!(format!("tardis_{snap}"), summary);
        }
    }
}

mod captures {
    use super::*;
    use cascade_import::WsClock;

    /// The forceOrder capture has 234 liquidations; one steps back by 1 ms across symbols
    /// (line 97) and is clamped.
    #[test]
    fn force_order_capture_has_234_liquidations() {
        let Some(path) = data_file(
            "format-samples/Trading-Bot/binance_liquidations.slice_20251022T093642-094148.csv",
        ) else {
            return;
        };
        let mut sells = 0;
        let summary = summarize(&path, &ImportOptions::default(), None, |e| {
            let EventBody::Liquidation(l) = e.body else {
                panic!("{e}")
            };
            sells += usize::from(l.side == cascade_types::Side::Sell);
        });
        assert!(summary.contains("events: 234\n"), "{summary}");
        assert!(summary.contains("clamped 1\n"), "{summary}");
        assert!(sells > 0 && sells < 234);
        insta::assert_snapshot!("force_order_capture", summary);

        // With no tolerance the 1 ms step back is an error naming the line.
        let strict = ImportOptions {
            capture_backstep_ns_max: 0,
            ..Default::default()
        };
        let err = import_error(&path, &strict, &mut InstrumentTable::infer());
        assert!(err.contains(".csv:97: timestamp 2025-10-22T09:38:55.114Z is earlier than the previous 2025-10-22T09:38:55.115Z (line 96)"), "{err}");
    }

    /// The raw websocket capture: bookTicker, trade, depthUpdate and one REST snapshot.
    #[test]
    fn websocket_capture() {
        let Some(path) = data_file("format-samples/hftbacktest/btcusdt_20240808.gz") else {
            return;
        };
        let summary = summarize(&path, &ImportOptions::default(), None, |_| {});
        assert!(summary.contains("format: ws-capture (Gzip)"));
        assert!(summary.contains("book_top: 66089\n"), "{summary}");
        assert!(summary.contains("trade: 21313\n"), "{summary}");
        insta::assert_snapshot!("ws_capture_exchange_clock", summary);

        let local = ImportOptions {
            ws_clock: WsClock::Local,
            ..Default::default()
        };
        let summary = summarize(&path, &local, None, |_| {});
        assert!(summary.contains("clamped 0\n"), "{summary}");
        insta::assert_snapshot!("ws_capture_local_clock", summary);
    }
}

mod metrics {
    use super::*;

    /// The REST-export metrics sample: open interest and three long/short ratios per row, no
    /// taker volumes (those cells are empty in this sample).
    #[test]
    fn btcfuturedata_export() {
        let Some(path) = data_file(
            "format-samples/btcfuturedata/BTCUSDT.slice_20240509T2035-20240510T0805Z.csv",
        ) else {
            return;
        };
        let mut sources = std::collections::BTreeMap::new();
        let summary = summarize(&path, &ImportOptions::default(), None, |e| {
            if let EventBody::LongShortRatio(r) = e.body {
                *sources.entry(r.source).or_insert(0) += 1;
            }
        });
        assert_eq!(sources.get(&RatioSource::TopAccounts), Some(&139));
        assert_eq!(sources.get(&RatioSource::TopPositions), Some(&139));
        assert_eq!(sources.get(&RatioSource::Global), Some(&139));
        assert!(summary.contains("format: binance-metrics-api"));
        insta::assert_snapshot!("metrics_api_btcfuturedata", summary);
    }
}

mod not_importable {
    use super::*;

    /// A real file in no supported format is refused with the reason, not half-read.
    #[test]
    fn onchain_open_interest_is_an_unrecognised_format() {
        let Some(path) = data_file("format-samples/Onchain-Data-Eval-Algorithm/open_interest.csv")
        else {
            return;
        };
        let err = import_error(
            &path,
            &ImportOptions::default(),
            &mut InstrumentTable::infer(),
        );
        assert!(
            err.starts_with("[tmp]/open_interest.csv: unrecognised format"),
            "{err}"
        );
        assert!(err.contains("\"Date,Data\""), "{err}");
    }
}
