//! What a file's path says about its contents: the symbol (for formats without a symbol
//! column), the venue, and which price series klines are.

use cascade_types::BarSource;
use std::path::{Component, Path};

/// The symbol at the start of a Binance-style file name: the text before the first `-` or
/// `.`, without a trailing `_YYYYMMDD` date, upper-cased.
///
/// `BTCUSDT-1m-2025-10.slice_….csv` → `BTCUSDT`; `BTCUSD_PERP-1m-2025-10-10.zip` →
/// `BTCUSD_PERP`; `BTCUSDT.csv` → `BTCUSDT`; `btcusdt_20240808.gz` → `BTCUSDT`.
pub(crate) fn symbol_from_file_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = name.split(['-', '.']).next()?;
    let stem = match stem.rsplit_once('_') {
        Some((head, date)) if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) => head,
        _ => stem,
    };
    let ok = stem.chars().count() >= 2
        && stem.chars().all(|c| c.is_alphanumeric() || c == '_')
        && stem.chars().any(|c| c.is_alphabetic());
    ok.then(|| stem.to_uppercase())
}

/// The venue the caller or the path gives for a file whose rows do not say it: the caller's
/// choice, else a Binance public-data directory in the path (`…/spot/…`, `…/futures/cm/…`,
/// `…/futures/um/…`).
pub(crate) fn venue_hint(caller: Option<&str>, path: &Path) -> Option<String> {
    if let Some(v) = caller {
        return Some(v.to_string());
    }
    for c in path.components().rev().skip(1) {
        if let Component::Normal(part) = c {
            match part.to_str() {
                Some("spot") => return Some("binance-spot".to_string()),
                Some("cm") => return Some("binance-cm".to_string()),
                Some("um") => return Some("binance-um".to_string()),
                _ => {}
            }
        }
    }
    None
}

/// The Binance venue a symbol belongs to when nothing else says: `binance-cm` for COIN-M
/// perpetuals (`…USD_PERP`), else `binance-um`.
pub(crate) fn venue_for_symbol(symbol: &str) -> &'static str {
    if symbol.ends_with("USD_PERP") {
        "binance-cm"
    } else {
        "binance-um"
    }
}

/// The price series the path names, if any: Binance's `markPriceKlines`, `indexPriceKlines`,
/// `premiumIndexKlines` directories, or `markprice`/`indexprice`/`premiumindex` anywhere in
/// the path (case-insensitive).
pub(crate) fn bar_source_from_path(path: &Path) -> Option<BarSource> {
    let p = path
        .to_string_lossy()
        .to_ascii_lowercase()
        .replace(['_', '-'], "");
    if p.contains("premiumindex") {
        Some(BarSource::Premium)
    } else if p.contains("markprice") {
        Some(BarSource::Mark)
    } else if p.contains("indexprice") {
        Some(BarSource::Index)
    } else {
        None
    }
}

/// The venue of a Tardis.dev `exchange` id: `binance-futures` → `binance-um`,
/// `binance-delivery` → `binance-cm`, `binance` → `binance-spot`; others unchanged.
pub(crate) fn tardis_venue(exchange: &str) -> &str {
    match exchange {
        "binance-futures" => "binance-um",
        "binance-delivery" => "binance-cm",
        "binance" => "binance-spot",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_from_names() {
        let s = |n: &str| symbol_from_file_name(Path::new(n));
        assert_eq!(
            s("/x/BTCUSDT-1m-2025-10.slice_20251010T1707-2343Z.csv").as_deref(),
            Some("BTCUSDT")
        );
        assert_eq!(
            s("BTCUSD_PERP-1m-2025-10-10.zip").as_deref(),
            Some("BTCUSD_PERP")
        );
        assert_eq!(
            s("BTCUSDT-bookDepth-2025-10-10.csv").as_deref(),
            Some("BTCUSDT")
        );
        assert_eq!(
            s("BTCUSDT.slice_20240509T2035-20240510T0805Z.csv").as_deref(),
            Some("BTCUSDT")
        );
        assert_eq!(s("btcusdt_20240808.gz").as_deref(), Some("BTCUSDT"));
        assert_eq!(s("2025-10-10.csv"), None);
    }

    #[test]
    fn venues_and_sources() {
        assert_eq!(venue_for_symbol("BTCUSD_PERP"), "binance-cm");
        assert_eq!(venue_for_symbol("BTCUSDT"), "binance-um");
        let v = |p: &str| venue_hint(None, Path::new(p));
        assert_eq!(
            v("data/spot/daily/klines/TRXUSDT/1m/TRXUSDT-1m-2025-10-10.zip").as_deref(),
            Some("binance-spot")
        );
        assert_eq!(
            v("data/futures/cm/daily/klines/x.zip").as_deref(),
            Some("binance-cm")
        );
        assert_eq!(v("BTCUSDT-1m-2025-10-10.zip"), None);
        assert_eq!(
            venue_hint(Some("bybit"), Path::new("x.csv")).as_deref(),
            Some("bybit")
        );
        let b = |p: &str| bar_source_from_path(Path::new(p));
        assert_eq!(
            b("markprice_5m_um/BTCUSDT-5m-2025-10-10.zip"),
            Some(BarSource::Mark)
        );
        assert_eq!(
            b("futures/um/daily/markPriceKlines/BTCUSDT/1m/x.zip"),
            Some(BarSource::Mark)
        );
        assert_eq!(
            b("futures/um/daily/premiumIndexKlines/BTCUSDT/1m/x.zip"),
            Some(BarSource::Premium)
        );
        assert_eq!(
            b("futures/um/daily/indexPriceKlines/BTCUSDT/1m/x.zip"),
            Some(BarSource::Index)
        );
        assert_eq!(b("BTCUSDT-1m-2025-10.slice.csv"), None);
    }
}
