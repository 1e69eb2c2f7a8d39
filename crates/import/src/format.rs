//! The formats the importer reads, their column layouts, and how a file's format is detected
//! from its name and first line.
//!
//! The detection rules are documented on [`Format`].

use crate::error::clip;
use crate::ImportError;
use std::fmt;
use std::path::Path;
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
}

impl Format {
    /// Every format, in detection-preference order.
    pub const ALL: [Format; 14] = [
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
        )
    }

    /// True for live captures of streams (as opposed to archives written in time order):
    /// messages of different streams or symbols interleave, so their exchange times may step
    /// back a little. See `ImportOptions::capture_backstep_ns_max`.
    pub const fn is_capture(self) -> bool {
        matches!(self, Format::ForceOrderCsv | Format::WsCapture)
    }

    pub(crate) fn layout(self) -> &'static Layout {
        use crate::binance::{
            book_depth, book_ticker, funding_rate, klines, metrics, metrics_api, trades,
        };
        match self {
            Format::BinanceKlines => &klines::LAYOUT,
            Format::BinanceAggTrades => &trades::AGG_LAYOUT,
            Format::BinanceTrades => &trades::TRADES_LAYOUT,
            Format::BinanceBookTicker => &book_ticker::LAYOUT,
            Format::BinanceBookDepth => &book_depth::LAYOUT,
            Format::BinanceMetrics => &metrics::LAYOUT,
            Format::BinanceMetricsApi => &metrics_api::LAYOUT,
            Format::BinanceFundingRate => &funding_rate::LAYOUT,
            Format::TardisTrades | Format::TardisLiquidations => &crate::tardis::TRADES_LAYOUT,
            Format::TardisBookTicker => &crate::tardis::BOOK_TICKER_LAYOUT,
            Format::TardisDerivativeTicker => &crate::tardis::DERIVATIVE_TICKER_LAYOUT,
            Format::ForceOrderCsv => &crate::force_order::LAYOUT,
            Format::WsCapture => &NO_COLUMNS,
        }
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

/// The columns of a CSV format. Parsers address columns by their index in
/// `required ++ optional`; the file's header maps them to positions.
pub(crate) struct Layout {
    /// Columns every file has, in the order of header-less files.
    pub required: &'static [&'static str],
    /// Columns that may be absent; in header-less files they follow the required ones in this
    /// order. Columns a parser does not use are accepted here and ignored.
    pub optional: &'static [&'static str],
    /// Whether files of this format exist without a header line.
    pub headerless: bool,
}

impl Layout {
    pub(crate) fn column_name(&self, index: usize) -> &'static str {
        if index < self.required.len() {
            self.required[index]
        } else {
            self.optional[index - self.required.len()]
        }
    }
    fn width(&self) -> usize {
        self.required.len() + self.optional.len()
    }
    fn all_columns(&self) -> String {
        let mut cols: Vec<String> = self.required.iter().map(|c| c.to_string()).collect();
        cols.extend(self.optional.iter().map(|c| format!("[{c}]")));
        cols.join(",")
    }

    /// Maps a header to column positions, or says what is wrong with it.
    fn map_header(&self, header: &[String]) -> Result<Vec<Option<usize>>, String> {
        let mut map = vec![None; self.width()];
        let mut unexpected = Vec::new();
        let mut twice = Vec::new();
        for (pos, name) in header.iter().enumerate() {
            let found = self
                .required
                .iter()
                .chain(self.optional.iter())
                .position(|c| c.eq_ignore_ascii_case(name));
            match found {
                Some(i) if map[i].is_some() => twice.push(name.clone()),
                Some(i) => map[i] = Some(pos),
                None => unexpected.push(name.clone()),
            }
        }
        let missing: Vec<&str> = (0..self.required.len())
            .filter(|&i| map[i].is_none())
            .map(|i| self.required[i])
            .collect();
        let mut problems = Vec::new();
        if !missing.is_empty() {
            problems.push(format!("missing {}", missing.join(",")));
        }
        if !unexpected.is_empty() {
            let shown: Vec<String> = unexpected.iter().map(|u| format!("{u:?}")).collect();
            problems.push(format!("unexpected {}", shown.join(",")));
        }
        if !twice.is_empty() {
            problems.push(format!("repeated {}", twice.join(",")));
        }
        if problems.is_empty() {
            Ok(map)
        } else {
            Err(problems.join("; "))
        }
    }

    /// Column positions of a header-less file whose first row has `width` cells.
    fn headerless_map(&self, width: usize) -> Option<Vec<Option<usize>>> {
        if width < self.required.len() || width > self.width() {
            return None;
        }
        Some(
            (0..self.width())
                .map(|i| (i < width).then_some(i))
                .collect(),
        )
    }
}

const NO_COLUMNS: Layout = Layout {
    required: &[],
    optional: &[],
    headerless: true,
};

/// The outcome of detection for a CSV format: the format and where its columns are.
pub(crate) struct Detected {
    pub format: Format,
    /// Layout column index → position in the row (`None`: the column is absent).
    pub map: Vec<Option<usize>>,
    /// Whether the first line is a header (and so is not data).
    pub has_header: bool,
    /// The number of cells every row must have.
    pub width: usize,
}

/// The format a file name suggests, if any (see the module docs).
pub(crate) fn name_hint(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let tokens: Vec<&str> = name.split(['-', '.', '_']).collect();
    let has = |t: &str| tokens.contains(&t);
    if name.contains("derivative_ticker") {
        Some(Format::TardisDerivativeTicker)
    } else if name.contains("book_ticker") {
        Some(Format::TardisBookTicker)
    } else if name.contains("_liquidations_") {
        Some(Format::TardisLiquidations)
    } else if name.contains("_trades_") {
        Some(Format::TardisTrades)
    } else if has("aggtrades") {
        Some(Format::BinanceAggTrades)
    } else if has("trades") {
        Some(Format::BinanceTrades)
    } else if has("bookticker") {
        Some(Format::BinanceBookTicker)
    } else if has("bookdepth") {
        Some(Format::BinanceBookDepth)
    } else if has("metrics") {
        Some(Format::BinanceMetrics)
    } else if has("fundingrate") {
        Some(Format::BinanceFundingRate)
    } else if interval_from_name(path).is_some() || name.contains("klines") {
        Some(Format::BinanceKlines)
    } else {
        None
    }
}

/// The kline interval in a Binance file name (`BTCUSDT-1m-2025-10-10.zip` → 60 s), if any.
/// Months (`1mo`) have no fixed length and give `None`.
pub(crate) fn interval_from_name(path: &Path) -> Option<u32> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    name.split('-').find_map(interval_seconds)
}

fn interval_seconds(token: &str) -> Option<u32> {
    let unit_at = token.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = token.split_at(unit_at);
    let n: u32 = n.parse().ok().filter(|&n| n > 0)?;
    let per = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return None,
    };
    n.checked_mul(per)
}

fn is_number(cell: &str) -> bool {
    let t = cell.trim();
    !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'e' || b == b'E')
        && t.bytes().any(|b| b.is_ascii_digit())
}

/// True when the first line looks like `<digits> {…`, a websocket capture.
pub(crate) fn looks_like_ws_capture(first_line: &str) -> bool {
    let digits = first_line
        .bytes()
        .take_while(|b| b.is_ascii_digit())
        .count();
    digits >= 10 && first_line[digits..].starts_with(" {")
}

/// Decides the CSV format of a file from the caller's choice, its name and its first record.
pub(crate) fn detect_csv(
    path: &Path,
    forced: Option<Format>,
    first: &[String],
    first_line: &str,
) -> Result<Detected, ImportError> {
    let at = || crate::Location {
        file: path.to_path_buf(),
        line: 1,
    };
    let hint = forced.or_else(|| name_hint(path));
    let header_like = first.first().is_none_or(|c| !is_number(c));

    if header_like {
        let candidates: Vec<(Format, Vec<Option<usize>>)> = Format::ALL
            .into_iter()
            .filter(|f| *f != Format::WsCapture && forced.is_none_or(|x| x == *f))
            .filter_map(|f| f.layout().map_header(first).ok().map(|m| (f, m)))
            .collect();
        let chosen = candidates
            .iter()
            .find(|(f, _)| Some(*f) == hint)
            .or_else(|| candidates.first())
            .cloned();
        if let Some((format, map)) = chosen {
            return Ok(Detected {
                format,
                map,
                has_header: true,
                width: first.len(),
            });
        }
        return match hint {
            Some(format) if format != Format::WsCapture => {
                let layout = format.layout();
                Err(ImportError::Header {
                    at: at(),
                    format,
                    problem: layout.map_header(first).err().unwrap_or_default(),
                    expected: layout.all_columns(),
                })
            }
            _ => Err(unknown(path, first_line)),
        };
    }

    // A header-less file: the name (or the caller) must name the format, or its shape must.
    let format = match hint {
        Some(f) => f,
        None => shape_hint(first).ok_or_else(|| unknown(path, first_line))?,
    };
    let layout = format.layout();
    if !layout.headerless || format == Format::WsCapture {
        return Err(ImportError::Header {
            at: at(),
            format,
            problem: "no header line (the first line is data)".to_string(),
            expected: layout.all_columns(),
        });
    }
    let map = layout
        .headerless_map(first.len())
        .ok_or_else(|| ImportError::ColumnCount {
            at: at(),
            expected: layout.required.len(),
            found: first.len(),
            reference: "format",
        })?;
    Ok(Detected {
        format,
        map,
        has_header: false,
        width: first.len(),
    })
}

fn shape_hint(first: &[String]) -> Option<Format> {
    let is_bool = |i: usize| {
        first
            .get(i)
            .is_some_and(|c| crate::values::boolean(c).is_ok())
    };
    let is_num = |i: usize| first.get(i).is_some_and(|c| is_number(c));
    match first.len() {
        12 => Some(Format::BinanceKlines),
        7 | 8 if is_num(5) && is_bool(6) => Some(Format::BinanceAggTrades),
        6 | 7 if is_bool(5) => Some(Format::BinanceTrades),
        _ => None,
    }
}

fn unknown(path: &Path, first_line: &str) -> ImportError {
    ImportError::UnknownFormat {
        file: path.to_path_buf(),
        first_line: clip(first_line, 200),
        known: known_names(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>().unwrap(), f);
        }
    }

    #[test]
    fn name_hints() {
        let h = |n: &str| name_hint(Path::new(n));
        assert_eq!(
            h("BTCUSDT-1m-2025-10.slice_20251010T1707-2343Z.csv"),
            Some(Format::BinanceKlines)
        );
        assert_eq!(
            h("BTCUSD_PERP-1m-2025-10-10.zip"),
            Some(Format::BinanceKlines)
        );
        assert_eq!(
            h("BTCUSDT-aggTrades-2025-10-10.zip"),
            Some(Format::BinanceAggTrades)
        );
        assert_eq!(
            h("BTCUSDT-trades-2025-10-10.zip"),
            Some(Format::BinanceTrades)
        );
        assert_eq!(
            h("BTCUSDT-bookDepth-2025-10-10.csv"),
            Some(Format::BinanceBookDepth)
        );
        assert_eq!(
            h("binance-delivery_trades_2025-10-10_AVAXUSD_PERP.csv.gz"),
            Some(Format::TardisTrades)
        );
        assert_eq!(
            h("binance-futures_liquidations_2025-10-10_BTCUSDT.csv.gz"),
            Some(Format::TardisLiquidations)
        );
        assert_eq!(h("BTCUSDT.csv"), None);
        assert_eq!(
            interval_from_name(Path::new("BTCUSDT-5m-2025-10-10.zip")),
            Some(300)
        );
    }
}
