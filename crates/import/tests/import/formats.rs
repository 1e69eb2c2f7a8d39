//! Small hand-written files, following the official column layouts, for each format the real
//! data has no sample of (and the message kinds the real capture lacks). Each renders every
//! event's `Display` line and the instrument table.

use crate::check;
use cascade_import::{Format, ImportOptions};
use cascade_types::BarSource;

fn default() -> ImportOptions {
    ImportOptions::default()
}

#[test]
fn binance_agg_trades_with_header() {
    let out = check(
        "BTCUSDT-aggTrades-2025-10-10.csv",
        "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n\
         2874534001,101516.5,0.350,6618000001,6618000004,1760131215123,true\n\
         2874534002,101520.0,0.002,6618000005,6618000005,1760131215123,false\n",
        &default(),
    );
    insta::assert_snapshot!(out, @r"
    format: binance-agg-trades
    2025-10-10T21:20:15.123Z i0 trade sell 0.35 @ 101516.5 id=2874534001
    2025-10-10T21:20:15.123Z i0 trade buy 0.002 @ 101520 id=2874534002
    i0 = binance-um BTCUSDT linear-perp BTC/USDT
    ");
}

#[test]
fn binance_spot_agg_trades_without_header_in_microseconds() {
    let out = check(
        "TRXUSDT-aggTrades-2025-10-10.csv",
        "378878979,0.33700000,40.90000000,401000001,401000001,1760054402625328,False,True\n\
         378878980,0.33690000,33.20000000,401000002,401000003,1760054403334083,True,True\n",
        &ImportOptions {
            venue: Some("binance-spot".into()),
            ..default()
        },
    );
    insta::assert_snapshot!(out, @r"
    format: binance-agg-trades
    2025-10-10T00:00:02.625328Z i0 trade buy 40.9 @ 0.337 id=378878979
    2025-10-10T00:00:03.334083Z i0 trade sell 33.2 @ 0.3369 id=378878980
    i0 = binance-spot TRXUSDT spot TRX/USDT
    ");
}

#[test]
fn binance_trades_with_and_without_header() {
    let with = check(
        "BTCUSDT-trades-2025-10-10.csv",
        "id,price,qty,quote_qty,time,is_buyer_maker\n\
         6618000001,101516.5,0.350,35530.775,1760131215123,true\n",
        &default(),
    );
    insta::assert_snapshot!(with, @r"
    format: binance-trades
    2025-10-10T21:20:15.123Z i0 trade sell 0.35 @ 101516.5 id=6618000001
    i0 = binance-um BTCUSDT linear-perp BTC/USDT
    ");
    // Spot trades files have no header and an `is_best_match` column; the shape tells them
    // apart even without a helpful name.
    let without = check(
        "spot-export.csv",
        "401000001,0.33700000,40.90000000,13.78330000,1760054402625,false,true\n",
        &ImportOptions {
            symbol: Some("TRXUSDT".into()),
            venue: Some("binance-spot".into()),
            ..default()
        },
    );
    insta::assert_snapshot!(without, @r"
    format: binance-trades
    2025-10-10T00:00:02.625Z i0 trade buy 40.9 @ 0.337 id=401000001
    i0 = binance-spot TRXUSDT spot TRX/USDT
    ");
}

#[test]
fn binance_book_ticker() {
    let out = check(
        "BTCUSDT-bookTicker-2025-10-10.csv",
        "update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time\n\
         8791234567890,101516.4,1.234,101516.5,0.050,1760131215120,1760131215123\n",
        &default(),
    );
    insta::assert_snapshot!(out, @r"
    format: binance-book-ticker
    2025-10-10T21:20:15.12Z i0 book_top bid 101516.4 x 1.234 ask 101516.5 x 0.05
    i0 = binance-um BTCUSDT linear-perp BTC/USDT
    ");
}

#[test]
fn binance_book_depth_official_layout() {
    let out = check(
        "BTCUSDT-bookDepth-2025-10-10.csv",
        "timestamp,percentage,depth,notional\n\
         2025-10-10 21:25:02,-5,17.654,2142547.0931\n\
         2025-10-10 21:25:02,1,812.5,82754432.75\n",
        &default(),
    );
    insta::assert_snapshot!(out, @r"
    format: binance-book-depth
    2025-10-10T21:25:02Z i0 depth_band -500bps qty 17.654 notional 2142547.0931
    2025-10-10T21:25:02Z i0 depth_band +100bps qty 812.5 notional 82754432.75
    i0 = binance-um BTCUSDT linear-perp BTC/USDT
    ");
}

#[test]
fn binance_metrics_official_layout() {
    let out = check(
        "BTCUSDT-metrics-2025-10-10.csv",
        "create_time,symbol,sum_open_interest,sum_open_interest_value,count_toptrader_long_short_ratio,sum_toptrader_long_short_ratio,count_long_short_ratio,sum_taker_long_short_vol_ratio\n\
         2025-10-10 21:20:00,BTCUSDT,82041.1230,8328657291.123456789,2.1,1.6,1.9,0.6\n\
         2025-10-10 21:25:00,BTCUSDT,81000.5,,,1.55,,0.7\n",
        &default(),
    );
    // The value with 9 decimals is a computed float, rounded half-even; empty cells skip
    // their metric only.
    insta::assert_snapshot!(out, @r"
    format: binance-metrics
    2025-10-10T21:20:00Z i0 open_interest 82041.123 value 8328657291.12345679
    2025-10-10T21:20:00Z i0 long_short_ratio TopAccounts 2.1
    2025-10-10T21:20:00Z i0 long_short_ratio TopPositions 1.6
    2025-10-10T21:20:00Z i0 long_short_ratio Global 1.9
    2025-10-10T21:25:00Z i0 open_interest 81000.5 value 0
    2025-10-10T21:25:00Z i0 long_short_ratio TopPositions 1.55
    i0 = binance-um BTCUSDT linear-perp BTC/USDT
    ");
}

#[test]
fn binance_metrics_export_with_taker_volumes() {
    let out = check(
        "BTCUSDT.metrics-export.csv",
        ",timestamp,sumOpenInterest,sumOpenInterestValue,topacclongShortRatio,toplongAccount,topshortAccount,topposlongShortRatio,longPosition,shortPosition,globallongShortRatio,globallongAccount,globalshortAccount,buySellRatio,sellVol,buyVol,openPrice,highPrice,lowPrice,closePrice\n\
         0,1715286900000,69688.993,4348984183.19738,1.7747,0.6396,0.3604,1.1648,0.5381,0.4619,1.8369,0.6475,0.3525,0.9,1000.5,900.45,,,,\n",
        &default(),
    );
    insta::assert_snapshot!(out, @r"
    format: binance-metrics-api
    2024-05-09T20:35:00Z i0 open_interest 69688.993 value 4348984183.19738
    2024-05-09T20:35:00Z i0 long_short_ratio TopAccounts 1.7747
    2024-05-09T20:35:00Z i0 long_short_ratio TopPositions 1.1648
    2024-05-09T20:35:00Z i0 long_short_ratio Global 1.8369
    2024-05-09T20:35:00Z i0 taker_volume buy 900.45 sell 1000.5
    i0 = binance-um BTCUSDT linear-perp BTC/USDT
    ");
}

#[test]
fn binance_funding_rate_official_name() {
    let out = check(
        "BTCUSDT-fundingRate-2020-03.csv",
        "calc_time,funding_interval_hours,last_funding_rate\n1584086400000,8,-0.00300000\n",
        &default(),
    );
    insta::assert_snapshot!(out, @r"
    format: binance-funding-rate
    2020-03-13T08:00:00Z i0 funding_settlement rate -0.003 interval 8h
    i0 = binance-um BTCUSDT linear-perp BTC/USDT
    ");
}

#[test]
fn binance_premium_index_klines_may_be_negative() {
    let out = check(
        "premiumIndexKlines-BTCUSDT-1m-2025-10-10.csv",
        "1760131200000,-0.00012345,0.00001000,-0.00250000,-0.00100000,0,1760131259999,0,12,0,0,0\n",
        &ImportOptions {
            symbol: Some("BTCUSDT".into()),
            ..default()
        },
    );
    insta::assert_snapshot!(out, @r"
    format: binance-klines
    2025-10-10T21:21:00Z i0 bar Premium 60s open 2025-10-10T21:20:00Z o -0.00012345 h 0.00001 l -0.0025 c -0.001 v 0 qv 0 n 12 tbv 0
    i0 = binance-um BTCUSDT linear-perp BTC/USDT
    ");
}

#[test]
fn binance_index_price_klines_by_option() {
    let out = check(
        "BTCUSDT-1m-2025-10-10.csv",
        "1760131200000,104000.12345678,104500,101900.5,102400,0,1760131259999,0,60,0,0,0\n",
        &ImportOptions {
            bar_source: Some(BarSource::Index),
            ..default()
        },
    );
    insta::assert_snapshot!(out, @r"
    format: binance-klines
    2025-10-10T21:21:00Z i0 bar Index 60s open 2025-10-10T21:20:00Z o 104000.12345678 h 104500 l 101900.5 c 102400 v 0 qv 0 n 60 tbv 0
    i0 = binance-um BTCUSDT linear-perp BTC/USDT
    ");
}

#[test]
fn tardis_book_ticker() {
    let out = check(
        "binance-futures_book_ticker_2025-10-10_BTCUSDT.csv",
        "exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount\n\
         binance-futures,BTCUSDT,1760131215120000,1760131215125123,0.05,101516.5,101516.4,1.234\n",
        &default(),
    );
    insta::assert_snapshot!(out, @r"
    format: tardis-book-ticker
    2025-10-10T21:20:15.12Z i0 book_top bid 101516.4 x 1.234 ask 101516.5 x 0.05
    i0 = binance-um BTCUSDT linear-perp BTC/USDT
    ");
}

#[test]
fn tardis_derivative_ticker() {
    let out = check(
        "binance-futures_derivative_ticker_2025-10-10_BTCUSDT.csv",
        "exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price\n\
         binance-futures,BTCUSDT,1760131215000000,1760131215004000,1760140800000000,0.0001,,82041.123,101516.5,101890.12345678,101877.70000000\n\
         binance-futures,BTCUSDT,1760131216000000,1760131216004000,,,,82040.5,,,\n",
        &default(),
    );
    insta::assert_snapshot!(out, @r"
    format: tardis-derivative-ticker
    2025-10-10T21:20:15Z i0 mark_price 101877.7
    2025-10-10T21:20:15Z i0 index_price 101890.12345678
    2025-10-10T21:20:15Z i0 funding rate 0.0001 next 2025-10-11T00:00:00Z
    2025-10-10T21:20:15Z i0 open_interest 82041.123 value 0
    2025-10-10T21:20:16Z i0 open_interest 82040.5 value 0
    i0 = binance-um BTCUSDT linear-perp BTC/USDT
    ");
}

#[test]
fn tardis_liquidations() {
    let out = check(
        "binance-delivery_liquidations_2025-10-10_AVAXUSD_PERP.csv",
        "exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n\
         binance-delivery,AVAXUSD_PERP,1760131215000000,1760131215004000,,sell,6.02,1250\n\
         binance-delivery,AVAXUSD_PERP,1760131216000000,1760131216004000,,buy,17.5,40\n",
        &default(),
    );
    insta::assert_snapshot!(out, @r"
    format: tardis-liquidations
    2025-10-10T21:20:15Z i0 liquidation sell 1250 @ 6.02
    2025-10-10T21:20:16Z i0 liquidation buy 40 @ 17.5
    i0 = binance-cm AVAXUSD_PERP inverse-perp AVAX/USD
    ");
}

#[test]
fn tardis_trades_of_several_venues_in_one_file() {
    let out = check(
        "mixed_trades.csv",
        "exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n\
         binance-futures,BTCUSDT,1760131215000000,1760131215004000,1,sell,101516.5,0.1\n\
         binance,TRXUSDT,1760131215000001,1760131215004001,2,buy,0.3,100\n\
         coinbase,AVAX-USD,1760131215000002,1760131215004002,3f1e-uuid,sell,17,2.5\n\
         binance-futures,BTCUSDT,1760131215000003,1760131215004003,4,buy,101517,0.2\n",
        &default(),
    );
    // A non-numeric id becomes 0.
    insta::assert_snapshot!(out, @r"
    format: tardis-trades
    2025-10-10T21:20:15Z i0 trade sell 0.1 @ 101516.5 id=1
    2025-10-10T21:20:15.000001Z i1 trade buy 100 @ 0.3 id=2
    2025-10-10T21:20:15.000002Z i2 trade sell 2.5 @ 17 id=0
    2025-10-10T21:20:15.000003Z i0 trade buy 0.2 @ 101517 id=4
    i0 = binance-um BTCUSDT linear-perp BTC/USDT
    i1 = binance-spot TRXUSDT spot TRX/USDT
    i2 = coinbase AVAX-USD spot AVAX/USD
    ");
}

#[test]
fn ws_capture_other_message_kinds() {
    let out = check(
        "btcusdt_20251010.txt",
        "1760131215000000000 {\"stream\":\"btcusdt@aggTrade\",\"data\":{\"e\":\"aggTrade\",\"E\":1760131215010,\"a\":2874534001,\"s\":\"BTCUSDT\",\"p\":\"101516.5\",\"q\":\"0.350\",\"f\":6618000001,\"l\":6618000004,\"T\":1760131215009,\"m\":true}}\n\
         1760131215100000000 {\"stream\":\"btcusdt@markPrice@1s\",\"data\":{\"e\":\"markPriceUpdate\",\"E\":1760131216000,\"s\":\"BTCUSDT\",\"p\":\"101877.70000000\",\"P\":\"101880.1\",\"i\":\"101890.12345678\",\"r\":\"0.00010000\",\"T\":1760140800000}}\n\
         1760131215200000000 {\"e\":\"forceOrder\",\"E\":1760131216100,\"o\":{\"s\":\"BTCUSDT\",\"S\":\"SELL\",\"o\":\"LIMIT\",\"f\":\"IOC\",\"q\":\"0.500\",\"p\":\"101000\",\"ap\":\"101516.5\",\"X\":\"FILLED\",\"l\":\"0.500\",\"z\":\"0.500\",\"T\":1760131216050}}\n\
         1760131215300000000 {\"stream\":\"btcusdt@depth\",\"data\":{\"e\":\"depthUpdate\",\"E\":1760131216000,\"T\":1760131215990,\"s\":\"BTCUSDT\",\"U\":1,\"u\":2,\"pu\":0,\"b\":[[\"101516.4\",\"0.000\"]],\"a\":[[\"101516.5\",\"1.5\"],[\"101517\",\"0.2\"]]}}\n",
        &default(),
    );
    // The depth update's T (…15.990) is earlier than the forceOrder's (…16.050): it takes the
    // previous time, like the markPriceUpdate stamped with its E.
    insta::assert_snapshot!(out, @r"
    format: ws-capture
    2025-10-10T21:20:15.009Z i0 trade sell 0.35 @ 101516.5 id=2874534001
    2025-10-10T21:20:16Z i0 mark_price 101877.7
    2025-10-10T21:20:16Z i0 index_price 101890.12345678
    2025-10-10T21:20:16Z i0 funding rate 0.0001 next 2025-10-11T00:00:00Z
    2025-10-10T21:20:16.05Z i0 liquidation sell 0.5 @ 101516.5
    2025-10-10T21:20:16.05Z i0 depth_level buy 0 @ 101516.4
    2025-10-10T21:20:16.05Z i0 depth_level sell 1.5 @ 101516.5
    2025-10-10T21:20:16.05Z i0 depth_level sell 0.2 @ 101517
    i0 = binance-um BTCUSDT linear-perp BTC/USDT
    ");
}

#[test]
fn ws_capture_forced_on_a_spot_book_ticker() {
    let out = check(
        "capture.log",
        "1760131215000000000 {\"u\":400900217,\"s\":\"BNBUSDT\",\"b\":\"25.35190000\",\"B\":\"31.21000000\",\"a\":\"25.36520000\",\"A\":\"40.66000000\"}\n",
        &ImportOptions { format: Some(Format::WsCapture), venue: Some("binance-spot".into()), ..default() },
    );
    // No exchange time in spot bookTicker messages: the local time stamps it.
    insta::assert_snapshot!(out, @r"
    format: ws-capture
    2025-10-10T21:20:15Z i0 book_top bid 25.3519 x 31.21 ask 25.3652 x 40.66
    i0 = binance-spot BNBUSDT spot BNB/USDT
    ");
}

#[test]
fn ws_capture_depth_snapshot_takes_the_one_symbol_seen() {
    let out = check(
        "capture.txt",
        "1760131215000000000 {\"e\":\"trade\",\"E\":1760131215010,\"T\":1760131215009,\"s\":\"ETHUSDT\",\"t\":7,\"p\":\"3800.5\",\"q\":\"1\",\"m\":false}\n\
         1760131215100000000 {\"lastUpdateId\":5123107852948,\"E\":1760131215101,\"T\":1760131215100,\"bids\":[[\"3800.4\",\"2.5\"]],\"asks\":[[\"3800.5\",\"0.5\"]]}\n",
        &default(),
    );
    insta::assert_snapshot!(out, @r"
    format: ws-capture
    2025-10-10T21:20:15.009Z i0 trade buy 1 @ 3800.5 id=7
    2025-10-10T21:20:15.1Z i0 depth_level buy 2.5 @ 3800.4
    2025-10-10T21:20:15.1Z i0 depth_level sell 0.5 @ 3800.5
    i0 = binance-um ETHUSDT linear-perp ETH/USDT
    ");
}
