//! The layout of the Binance public-data archive (`https://data.binance.vision`, documented in
//! the `binance/binance-public-data` repository):
//!
//! ```text
//! data/{spot|futures/um|futures/cm}/{daily|monthly}/<type>/<SYMBOL>/[<interval>/]<file>.zip
//! ```
//!
//! with `<file>.zip.CHECKSUM` beside each file holding `<sha256>  <file>.zip`. Kline types
//! (`klines`, `markPriceKlines`, `indexPriceKlines`, `premiumIndexKlines`) have an interval
//! directory and are named `<SYMBOL>-<interval>-<date>.zip`; every other type is named
//! `<SYMBOL>-<type>-<date>.zip`. `<date>` is `YYYY-MM-DD` for daily files and `YYYY-MM` for
//! monthly ones.

use crate::error::FetchError;
use cascade_types::Ts;
use std::fmt;

/// Which of the archive's three markets.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Market {
    /// USDⓈ-margined futures (`futures/um`).
    Um,
    /// Coin-margined futures (`futures/cm`).
    Cm,
    /// Spot (`spot`).
    Spot,
}

impl Market {
    /// The directory under `data/`.
    pub fn dir(self) -> &'static str {
        match self {
            Market::Um => "futures/um",
            Market::Cm => "futures/cm",
            Market::Spot => "spot",
        }
    }
    /// Parses `um`, `cm` or `spot`.
    pub fn parse(text: &str) -> Result<Market, FetchError> {
        match text {
            "um" => Ok(Market::Um),
            "cm" => Ok(Market::Cm),
            "spot" => Ok(Market::Spot),
            other => Err(FetchError::BadSelection {
                what: "--market",
                message: format!("expected um, cm or spot, found {other:?}"),
            }),
        }
    }
}

/// Daily or monthly files.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Period {
    /// One file per UTC day.
    Daily,
    /// One file per calendar month.
    Monthly,
}

impl Period {
    /// The directory name.
    pub fn dir(self) -> &'static str {
        match self {
            Period::Daily => "daily",
            Period::Monthly => "monthly",
        }
    }
}

/// A data type of the archive.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum DataType {
    /// Last-price candles.
    Klines,
    /// Mark-price candles (futures).
    MarkPriceKlines,
    /// Index-price candles (futures).
    IndexPriceKlines,
    /// Premium-index candles (futures).
    PremiumIndexKlines,
    /// 5-minute open interest, long/short and taker ratios (futures, daily).
    Metrics,
    /// ±1…5 % depth bands (futures, daily).
    BookDepth,
    /// Best bid/ask updates (futures, daily).
    BookTicker,
    /// Aggregated trades.
    AggTrades,
    /// Individual trades.
    Trades,
    /// Funding settlements (futures, monthly).
    FundingRate,
    /// Liquidation snapshots (futures, daily, only where the archive has them).
    LiquidationSnapshot,
}

impl DataType {
    /// Every type, in the archive's own spelling order.
    pub const ALL: [DataType; 11] = [
        DataType::Klines,
        DataType::MarkPriceKlines,
        DataType::IndexPriceKlines,
        DataType::PremiumIndexKlines,
        DataType::Metrics,
        DataType::BookDepth,
        DataType::BookTicker,
        DataType::AggTrades,
        DataType::Trades,
        DataType::FundingRate,
        DataType::LiquidationSnapshot,
    ];

    /// The archive's directory name (and the name in file names of non-kline types).
    pub fn name(self) -> &'static str {
        match self {
            DataType::Klines => "klines",
            DataType::MarkPriceKlines => "markPriceKlines",
            DataType::IndexPriceKlines => "indexPriceKlines",
            DataType::PremiumIndexKlines => "premiumIndexKlines",
            DataType::Metrics => "metrics",
            DataType::BookDepth => "bookDepth",
            DataType::BookTicker => "bookTicker",
            DataType::AggTrades => "aggTrades",
            DataType::Trades => "trades",
            DataType::FundingRate => "fundingRate",
            DataType::LiquidationSnapshot => "liquidationSnapshot",
        }
    }

    /// Parses the archive's name of a type.
    pub fn parse(text: &str) -> Result<DataType, FetchError> {
        DataType::ALL
            .into_iter()
            .find(|t| t.name() == text)
            .ok_or_else(|| FetchError::BadSelection {
                what: "--type",
                message: format!(
                    "expected one of {}, found {text:?}",
                    DataType::ALL.map(DataType::name).join(", ")
                ),
            })
    }

    /// Whether files sit in an interval directory and carry the interval in their name.
    pub fn has_interval(self) -> bool {
        matches!(
            self,
            DataType::Klines
                | DataType::MarkPriceKlines
                | DataType::IndexPriceKlines
                | DataType::PremiumIndexKlines
        )
    }

    /// Whether the archive has this type for `market` at all.
    pub fn in_market(self, market: Market) -> bool {
        match market {
            Market::Spot => matches!(
                self,
                DataType::Klines | DataType::AggTrades | DataType::Trades
            ),
            Market::Um | Market::Cm => true,
        }
    }

    /// The period the archive publishes this type in when both are possible, we prefer daily
    /// (a window rarely spans whole months); funding comes only monthly.
    pub fn period(self) -> Period {
        match self {
            DataType::FundingRate => Period::Monthly,
            _ => Period::Daily,
        }
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A UTC calendar day.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct Day {
    /// Year.
    pub year: i64,
    /// Month, 1-12.
    pub month: u32,
    /// Day of the month, 1-31.
    pub day: u32,
}

impl Day {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str, what: &'static str) -> Result<Day, FetchError> {
        let bad = || FetchError::BadSelection {
            what,
            message: format!("expected a date YYYY-MM-DD, found {text:?}"),
        };
        let mut parts = text.split('-');
        let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let (Ok(year), Ok(month), Ok(day)) = (y.parse(), m.parse(), d.parse()) else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        Ts::from_civil(year, month, day, 0, 0, 0, 0).ok_or_else(bad)?;
        Ok(Day { year, month, day })
    }

    /// The day holding the instant `t`.
    pub fn of(t: Ts) -> Day {
        let (year, month, day, ..) = t.to_civil();
        Day { year, month, day }
    }

    /// The day after.
    pub fn next(self) -> Day {
        let start = Ts::from_civil(self.year, self.month, self.day, 0, 0, 0, 0)
            .expect("a Day is always a valid date");
        Day::of(start.plus_nanos(Ts::NANOS_PER_DAY))
    }

    /// `YYYY-MM-DD`.
    pub fn ymd(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `YYYY-MM`.
    pub fn ym(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

/// One file of the archive.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct ArchiveFile {
    /// The market.
    pub market: Market,
    /// Daily or monthly.
    pub period: Period,
    /// The data type.
    pub kind: DataType,
    /// The symbol, upper case.
    pub symbol: String,
    /// The interval of kline types (`1m`, `5m`, …), `None` for the others.
    pub interval: Option<String>,
    /// `YYYY-MM-DD` (daily) or `YYYY-MM` (monthly).
    pub date: String,
}

impl ArchiveFile {
    /// The file's name, e.g. `BTCUSDT-1m-2025-10-10.zip` or `BTCUSDT-metrics-2025-10-10.zip`.
    pub fn file_name(&self) -> String {
        match &self.interval {
            Some(i) => format!("{}-{}-{}.zip", self.symbol, i, self.date),
            None => format!("{}-{}-{}.zip", self.symbol, self.kind.name(), self.date),
        }
    }

    /// The path from the archive's root, e.g.
    /// `data/futures/um/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-10-10.zip`.
    pub fn path(&self) -> String {
        let mut p = format!(
            "data/{}/{}/{}/{}/",
            self.market.dir(),
            self.period.dir(),
            self.kind.name(),
            self.symbol
        );
        if let Some(i) = &self.interval {
            p.push_str(i);
            p.push('/');
        }
        p.push_str(&self.file_name());
        p
    }

    /// The path of its checksum file.
    pub fn checksum_path(&self) -> String {
        format!("{}.CHECKSUM", self.path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(f: &ArchiveFile) -> String {
        f.path()
    }

    #[test]
    fn paths_follow_the_archive_layout() {
        let f = |market, period, kind, interval: Option<&str>, date: &str| ArchiveFile {
            market,
            period,
            kind,
            symbol: "BTCUSDT".into(),
            interval: interval.map(str::to_string),
            date: date.into(),
        };
        assert_eq!(
            check(&f(
                Market::Um,
                Period::Daily,
                DataType::Klines,
                Some("1m"),
                "2025-10-10"
            )),
            "data/futures/um/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-10-10.zip"
        );
        assert_eq!(
            check(&f(
                Market::Spot,
                Period::Monthly,
                DataType::Klines,
                Some("1m"),
                "2025-10"
            )),
            "data/spot/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2025-10.zip"
        );
        assert_eq!(
            check(&f(
                Market::Um,
                Period::Daily,
                DataType::AggTrades,
                None,
                "2025-10-10"
            )),
            "data/futures/um/daily/aggTrades/BTCUSDT/BTCUSDT-aggTrades-2025-10-10.zip"
        );
        assert_eq!(
            check(&f(
                Market::Um,
                Period::Monthly,
                DataType::FundingRate,
                None,
                "2025-10"
            )),
            "data/futures/um/monthly/fundingRate/BTCUSDT/BTCUSDT-fundingRate-2025-10.zip"
        );
        assert_eq!(
            f(
                Market::Cm,
                Period::Daily,
                DataType::Metrics,
                None,
                "2025-10-10"
            )
            .checksum_path(),
            "data/futures/cm/daily/metrics/BTCUSDT/BTCUSDT-metrics-2025-10-10.zip.CHECKSUM"
        );
    }

    #[test]
    fn days_roll_over_months_and_leap_years() {
        let d = Day::parse("2024-02-28", "--from").unwrap();
        assert_eq!(d.next().ymd(), "2024-02-29");
        assert_eq!(d.next().next().ymd(), "2024-03-01");
        assert_eq!(
            Day::parse("2025-12-31", "--to").unwrap().next().ymd(),
            "2026-01-01"
        );
        assert!(Day::parse("2025-02-30", "--to").is_err());
        assert!(Day::parse("2025-2-3", "--to").is_err());
    }
}
