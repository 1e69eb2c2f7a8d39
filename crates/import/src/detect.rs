//! How a file's format is detected from the caller's choice, its name and its first line
//! (the rules are documented on [`Format`]), and which column layout each CSV format has.

use crate::error::clip;
use crate::format::known_names;
use crate::layout::{Layout, NO_COLUMNS};
use crate::{Format, ImportError};
use std::path::Path;

/// The column layout of a CSV format (none for websocket captures).
pub(crate) fn layout(format: Format) -> &'static Layout {
    use crate::binance::{
        book_depth, book_ticker, funding_rate, klines, metrics, metrics_api, trades,
    };
    match format {
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
        Format::BitmexTrades => &crate::bitmex_trades::LAYOUT,
        Format::WsCapture | Format::BitmexBucketed => &NO_COLUMNS,
    }
}

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
    name.split('-')
        .find_map(|token| interval_seconds(token.split('.').next().unwrap_or(token)))
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

/// True when the first line starts with `[` or `{`: a JSON document (BitMEX bucketed bars).
pub(crate) fn looks_like_json(first_line: &str) -> bool {
    first_line.trim_start().starts_with(['[', '{'])
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
            .filter(|f| !matches!(f, Format::WsCapture | Format::BitmexBucketed))
            .filter(|f| forced.is_none_or(|x| x == *f))
            .filter_map(|f| layout(f).map_header(first).ok().map(|m| (f, m)))
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
            Some(format) if !matches!(format, Format::WsCapture | Format::BitmexBucketed) => {
                let layout = layout(format);
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
    let layout = layout(format);
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
