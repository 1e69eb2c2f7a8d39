//! The formats the importer reads, by name. Their column layouts and the detection of a
//! file's format are in `detect` (the rules are documented on [`Format`]).

use std::fmt;
use std::str::FromStr;

/// A file format the importer reads.
///
/// Detection rules, in order:
/// 1. A format the caller forces is used; the first line is still checked against it (a
///    header must have the format's columns; a header-less file must be allowed for it).
/// 2. A first line of the shape `<digits> {` is a websocket capture ([`Format::WsCapture`]).
/// 3. A first line whose first cell is not a number is a header. The formats whose columns it
///    has (every required column present, no unknown column, none twice) are the candidates;
///    if several have the same columns (Tardis trades and liquidations), the file name decides
///    (`liquidations` in the name), else the first in [`Format::ALL`] order.
/// 4. A header-less file (Binance klines, aggTrades and trades files exist with and without a
///    header) is told by its file name (`-aggTrades-`, `-trades-`, an interval like `-1m-`) or,
///    without such a name, by its shape: 12 columns are klines; a `true`/`false` in the 7th
///    column after a time in the 6th is aggTrades; in the 6th column, trades.
///
/// A header that matches nothing while the file name (or the caller) names a format is a
/// "wrong header" error listing the missing and unexpected columns; otherwise the error is
/// "unrecognised format".
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Format {
    /// Binance public-data klines (`open_time,open,high,low,close,volume,close_time,
    /// quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore`), also the mark-price,
    /// index-price and premium-index klines. With or without a header line. → `Bar`.
    BinanceKlines,
    /// Binance aggTrades (`agg_trade_id,price,quantity,first_trade_id,last_trade_id,
    /// transact_time,is_buyer_maker[,is_best_match]`). With or without a header. → `Trade`.
    BinanceAggTrades,
    /// Binance trades (`id,price,qty,quote_qty,time,is_buyer_maker[,is_best_match]`). With or
    /// without a header. → `Trade`.
    BinanceTrades,
    /// Binance futures bookTicker (`update_id,best_bid_price,best_bid_qty,best_ask_price,
    /// best_ask_qty,transaction_time,event_time`). → `BookTop`.
    BinanceBookTicker,
    /// Binance futures bookDepth (`timestamp,percentage,depth,notional[,weighted_avg_price]`).
    /// → `DepthBand`.
    BinanceBookDepth,
    /// Binance futures metrics (`create_time,symbol,sum_open_interest,sum_open_interest_value,
    /// count_toptrader_long_short_ratio,sum_toptrader_long_short_ratio,count_long_short_ratio,
    /// sum_taker_long_short_vol_ratio`). → `OpenInterest`, `LongShortRatio`.
    BinanceMetrics,
    /// Binance futures metrics as exported from the REST endpoints (`openInterestHist`,
    /// long/short ratios, taker volume) into one table, as in the `btcfuturedata` sample:
    /// `,timestamp,sumOpenInterest,sumOpenInterestValue,topacclongShortRatio,…,buySellRatio,
    /// sellVol,buyVol,…`. → `OpenInterest`, `LongShortRatio`, `TakerVolume`.
    BinanceMetricsApi,
    /// Binance futures fundingRate (`calc_time,funding_interval_hours,last_funding_rate`).
    /// → `FundingSettlement`.
    BinanceFundingRate,
    /// Tardis.dev trades (`exchange,symbol,timestamp,local_timestamp,id,side,price,amount`).
    /// → `Trade`.
    TardisTrades,
    /// Tardis.dev book_ticker (`exchange,symbol,timestamp,local_timestamp,ask_amount,
    /// ask_price,bid_price,bid_amount`). → `BookTop`.
    TardisBookTicker,
    /// Tardis.dev derivative_ticker (`exchange,symbol,timestamp,local_timestamp,
    /// funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,
    /// index_price,mark_price`). → `MarkPrice`, `IndexPrice`, `Funding`, `OpenInterest`.
    TardisDerivativeTicker,
    /// Tardis.dev liquidations (the trades columns; `side` is the forced order's side).
    /// → `Liquidation`.
    TardisLiquidations,
    /// A CSV capture of Binance's `!forceOrder@arr` stream
    /// (`timestamp,symbol,side,avg_price,filled_qty,usd_value`). → `Liquidation`.
    ForceOrderCsv,
    /// A raw Binance websocket capture: `<local_ts_ns> <json>` lines of `bookTicker`, `trade`,
    /// `aggTrade`, `depthUpdate`, `markPriceUpdate`, `forceOrder` messages and REST depth
    /// snapshots. → `BookTop`, `Trade`, `DepthLevel`, `MarkPrice`, `IndexPrice`, `Funding`,
    /// `Liquidation`.
    WsCapture,
    /// BitMEX `trade/bucketed` bars, as the REST API's JSON array of rows (`timestamp` = the
    /// bin's close, `symbol`, `open`, `high`, `low`, `close`, `trades`, `volume`, …) or in the
    /// columnar shape (`openTimestamp`, `timeframe`, `open[]`, `high[]`, `low[]`, `close[]`,
    /// `volume[]`). Detected by a first line starting with `[` or `{`. → `Bar`.
    BitmexBucketed,
    /// BitMEX daily trade dumps (`timestamp,symbol,side,size,price,tickDirection,trdMatchID,
    /// grossValue[,homeNotional,foreignNotional]`, `timestamp` like
    /// `2020-03-12D00:00:03.473218000`, `size` in contracts). Every symbol of the day in one
    /// file; `--symbol` keeps one. → `Trade`.
    BitmexTrades,
}

impl Format {
    /// Every format, in detection-preference order.
    pub const ALL: [Format; 16] = [
        Format::BinanceKlines,
        Format::BinanceAggTrades,
        Format::BinanceTrades,
        Format::BinanceBookTicker,
        Format::BinanceBookDepth,
        Format::BinanceMetrics,
        Format::BinanceMetricsApi,
        Format::BinanceFundingRate,
        Format::TardisTrades,
        Format::TardisBookTicker,
        Format::TardisDerivativeTicker,
        Format::TardisLiquidations,
        Format::ForceOrderCsv,
        Format::WsCapture,
        Format::BitmexBucketed,
        Format::BitmexTrades,
    ];

    /// A stable kebab-case name, accepted back by [`Format::from_str`].
    pub const fn name(self) -> &'static str {
        match self {
            Format::BinanceKlines => "binance-klines",
            Format::BinanceAggTrades => "binance-agg-trades",
            Format::BinanceTrades => "binance-trades",
            Format::BinanceBookTicker => "binance-book-ticker",
            Format::BinanceBookDepth => "binance-book-depth",
            Format::BinanceMetrics => "binance-metrics",
            Format::BinanceMetricsApi => "binance-metrics-api",
            Format::BinanceFundingRate => "binance-funding-rate",
            Format::TardisTrades => "tardis-trades",
            Format::TardisBookTicker => "tardis-book-ticker",
            Format::TardisDerivativeTicker => "tardis-derivative-ticker",
            Format::TardisLiquidations => "tardis-liquidations",
            Format::ForceOrderCsv => "force-order-csv",
            Format::WsCapture => "ws-capture",
            Format::BitmexBucketed => "bitmex-bucketed",
            Format::BitmexTrades => "bitmex-trades",
        }
    }

    /// True when rows carry their own symbol (and, for Tardis, venue); otherwise the symbol
    /// comes from the caller or the file name.
    pub const fn has_symbol_column(self) -> bool {
        matches!(
            self,
            Format::BinanceMetrics
                | Format::TardisTrades
                | Format::TardisBookTicker
                | Format::TardisDerivativeTicker
                | Format::TardisLiquidations
                | Format::ForceOrderCsv
                | Format::WsCapture
                | Format::BitmexTrades
        )
    }

    /// True for live captures of streams (as opposed to archives written in time order):
    /// messages of different streams or symbols interleave, so their exchange times may step
    /// back a little. See `ImportOptions::capture_backstep_ns_max`.
    pub const fn is_capture(self) -> bool {
        matches!(self, Format::ForceOrderCsv | Format::WsCapture)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl FromStr for Format {
    type Err = String;
    /// Parses a name as printed by [`Format::name`].
    fn from_str(s: &str) -> Result<Format, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| format!("unknown format {s:?}; known: {}", known_names()))
    }
}

pub(crate) fn known_names() -> String {
    Format::ALL.map(Format::name).join(", ")
}
