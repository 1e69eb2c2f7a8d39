//! Which files to fetch: an explicit selection (symbols × types × a date range), or the real
//! files a scenario needs — a pure function of the scenario file.

use crate::archive::{ArchiveFile, DataType, Day, Market, Period};
use crate::error::FetchError;
use cascade_scenario::Scenario;
use cascade_types::Ts;

/// An explicit selection: every (symbol, type) file covering `from..=to`.
#[derive(Clone, Debug)]
pub struct Selection {
    /// The market.
    pub market: Market,
    /// Symbols, upper case.
    pub symbols: Vec<String>,
    /// Data types.
    pub types: Vec<DataType>,
    /// Interval of the kline types.
    pub interval: String,
    /// First day (inclusive).
    pub from: Day,
    /// Last day (inclusive).
    pub to: Day,
}

impl Selection {
    /// The files, sorted, without duplicates. A type the market does not have is an error.
    pub fn files(&self) -> Result<Vec<ArchiveFile>, FetchError> {
        if self.from > self.to {
            return Err(FetchError::BadSelection {
                what: "--from/--to",
                message: format!("{} is after {}", self.from.ymd(), self.to.ymd()),
            });
        }
        // Symbols and intervals become path components: letters, digits and `_` only.
        let plain =
            |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if let Some(bad) = self.symbols.iter().find(|s| !plain(s)) {
            return Err(FetchError::BadSelection {
                what: "--symbol",
                message: format!(
                    "expected letters, digits and _ (e.g. BTCUSDT, BTCUSD_PERP), found {bad:?}"
                ),
            });
        }
        if !plain(&self.interval) {
            return Err(FetchError::BadSelection {
                what: "--interval",
                message: format!(
                    "expected an interval such as 1m, 5m, 1h, found {:?}",
                    self.interval
                ),
            });
        }
        let mut out = Vec::new();
        for &kind in &self.types {
            if !kind.in_market(self.market) {
                return Err(FetchError::BadSelection {
                    what: "--type",
                    message: format!("the archive has no {kind} for {}", self.market.dir()),
                });
            }
            for symbol in &self.symbols {
                let interval = kind.has_interval().then(|| self.interval.clone());
                out.extend(covering(
                    self.market,
                    kind,
                    &symbol.to_ascii_uppercase(),
                    interval,
                    self.from,
                    self.to,
                ));
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// The files of one (market, type, symbol) covering the days `from..=to`: one per day for
/// daily types, one per month touched for monthly ones.
pub fn covering(
    market: Market,
    kind: DataType,
    symbol: &str,
    interval: Option<String>,
    from: Day,
    to: Day,
) -> Vec<ArchiveFile> {
    let mut out: Vec<ArchiveFile> = Vec::new();
    let mut day = from;
    while day <= to {
        let date = match kind.period() {
            Period::Daily => day.ymd(),
            Period::Monthly => day.ym(),
        };
        if out.last().is_none_or(|f| f.date != date) {
            out.push(ArchiveFile {
                market,
                period: kind.period(),
                kind,
                symbol: symbol.to_string(),
                interval: interval.clone(),
                date,
            });
        }
        day = day.next();
    }
    out
}

/// What a scenario needs from the archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioFiles {
    /// The scenario's id.
    pub id: String,
    /// The files covering its window, sorted.
    pub files: Vec<ArchiveFile>,
    /// Why the scenario's headline market is not in this source, when it is not.
    pub unavailable: Option<String>,
}

/// The perpetual's types a scenario needs (1-minute candles of every price, the 5-minute
/// metrics, the depth bands, funding); aggregated trades only on request (they are large).
fn perp_types(with_trades: bool) -> Vec<DataType> {
    let mut t = vec![
        DataType::Klines,
        DataType::MarkPriceKlines,
        DataType::IndexPriceKlines,
        DataType::PremiumIndexKlines,
        DataType::Metrics,
        DataType::BookDepth,
        DataType::FundingRate,
    ];
    if with_trades {
        t.push(DataType::AggTrades);
    }
    t
}

/// The archive files covering a scenario's window: for its Binance perpetual (venue
/// `binance-um`, or `binance-cm`), 1m klines, 1m mark/index/premium klines, metrics and
/// bookDepth per day, fundingRate per month (and aggTrades per day `with_trades`); for its
/// Binance spot instrument (venue `binance-spot`), 1m spot klines per day. Days are the UTC
/// days the window `[start, end)` touches. A scenario whose perpetual is on another venue
/// names no files and says why.
pub fn scenario_files(s: &Scenario, with_trades: bool) -> ScenarioFiles {
    let perp = s.perp_index().map(|i| &s.instruments[i]);
    let market = match perp.map(|p| p.venue.as_str()) {
        Some("binance-um") => Some(Market::Um),
        Some("binance-cm") => Some(Market::Cm),
        _ => None,
    };
    let (Some(perp), Some(market)) = (perp, market) else {
        let what = perp
            .map(|p| format!("its perpetual is {} {}", p.venue, p.symbol))
            .unwrap_or_else(|| "it has no perpetual".to_string());
        return ScenarioFiles {
            id: s.id.clone(),
            files: Vec::new(),
            unavailable: Some(format!(
                "{what}, not a Binance market (headline venue: {})",
                s.headline_venue
            )),
        };
    };
    let from = Day::of(s.window.start);
    let to = Day::of(Ts(s.window.end.0.saturating_sub(1)).max(s.window.start));
    let mut files = Vec::new();
    for kind in perp_types(with_trades) {
        let interval = kind.has_interval().then(|| "1m".to_string());
        files.extend(covering(market, kind, &perp.symbol, interval, from, to));
    }
    for spot in s.instruments.iter().filter(|i| i.venue == "binance-spot") {
        files.extend(covering(
            Market::Spot,
            DataType::Klines,
            &spot.symbol,
            Some("1m".to_string()),
            from,
            to,
        ));
    }
    files.sort();
    files.dedup();
    ScenarioFiles {
        id: s.id.clone(),
        files,
        unavailable: None,
    }
}

/// The lists of the scenarios named by `id` (`all` for every one), in catalogue order. An id
/// matches a scenario whose id equals it or starts with it (`2025-10-10` names
/// `2025-10-10-tariff-crash`).
pub fn scenarios_named<'a>(
    catalogue: &'a [Scenario],
    id: &str,
) -> Result<Vec<&'a Scenario>, FetchError> {
    if id == "all" {
        return Ok(catalogue.iter().collect());
    }
    let exact: Vec<&Scenario> = catalogue.iter().filter(|s| s.id == id).collect();
    let found = if exact.is_empty() {
        catalogue.iter().filter(|s| s.id.starts_with(id)).collect()
    } else {
        exact
    };
    if found.len() == 1 {
        return Ok(found);
    }
    Err(FetchError::UnknownScenario {
        id: id.to_string(),
        known: catalogue
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(market: &str, symbol: &str, types: &[&str], from: &str, to: &str) -> String {
        let sel = || -> Result<Vec<ArchiveFile>, FetchError> {
            Selection {
                market: Market::parse(market)?,
                symbols: vec![symbol.to_string()],
                types: types
                    .iter()
                    .map(|t| DataType::parse(t))
                    .collect::<Result<_, _>>()?,
                interval: "1m".into(),
                from: Day::parse(from, "--from")?,
                to: Day::parse(to, "--to")?,
            }
            .files()
        };
        match sel() {
            Ok(files) => files.iter().map(|f| f.path() + "\n").collect(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn selections_name_daily_files_and_monthly_funding() {
        assert_eq!(
            check(
                "um",
                "btcusdt",
                &["fundingRate", "metrics"],
                "2025-10-31",
                "2025-11-01"
            ),
            "data/futures/um/daily/metrics/BTCUSDT/BTCUSDT-metrics-2025-10-31.zip\n\
             data/futures/um/daily/metrics/BTCUSDT/BTCUSDT-metrics-2025-11-01.zip\n\
             data/futures/um/monthly/fundingRate/BTCUSDT/BTCUSDT-fundingRate-2025-10.zip\n\
             data/futures/um/monthly/fundingRate/BTCUSDT/BTCUSDT-fundingRate-2025-11.zip\n"
        );
        assert_eq!(
            check("spot", "BTCUSDT", &["metrics"], "2025-10-10", "2025-10-10"),
            "error: --type: the archive has no metrics for spot"
        );
        assert!(check("um", "../x", &["klines"], "2025-10-10", "2025-10-10")
            .starts_with("error: --symbol"));
        assert!(
            check("um", "BTCUSDT", &["klines"], "2025-10-11", "2025-10-10")
                .starts_with("error: --from/--to")
        );
        assert!(
            check("um", "BTCUSDT", &["candles"], "2025-10-11", "2025-10-10")
                .starts_with("error: --type: expected one of klines")
        );
        assert!(
            check("eu", "BTCUSDT", &["klines"], "2025-10-11", "2025-10-10")
                .starts_with("error: --market")
        );
    }
}
