//! The layout of Tardis.dev's downloadable CSV datasets
//! (<https://docs.tardis.dev/downloadable-csv-files>):
//!
//! ```text
//! https://datasets.tardis.dev/v1/{exchange}/{data_type}/{YYYY}/{MM}/{DD}/{SYMBOL}.csv.gz
//! ```
//!
//! One gzip file per exchange, data type, UTC day and symbol. An API key (sent as
//! `Authorization: Bearer <key>`) is needed for every day but the first of each month. There
//! are no checksum files: a download is kept only when its gzip stream decompresses to the end
//! and its first line is the header our Tardis importer reads for that data type (see
//! [`TardisType::header`]). Only the data types `cascade-import` imports can be selected.

use crate::archive::Day;
use crate::error::FetchError;

/// Tardis' own host.
pub const TARDIS_HOST: &str = "https://datasets.tardis.dev";

/// A Tardis data type that `cascade-import` reads.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum TardisType {
    /// Trades.
    Trades,
    /// Funding, mark, index and open interest.
    DerivativeTicker,
    /// Liquidations.
    Liquidations,
    /// Best bid/ask.
    BookTicker,
}

impl TardisType {
    /// Every type, in Tardis' spelling.
    pub const ALL: [TardisType; 4] = [
        TardisType::Trades,
        TardisType::DerivativeTicker,
        TardisType::Liquidations,
        TardisType::BookTicker,
    ];

    /// Tardis' name of the type (a path component).
    pub fn name(self) -> &'static str {
        match self {
            TardisType::Trades => "trades",
            TardisType::DerivativeTicker => "derivative_ticker",
            TardisType::Liquidations => "liquidations",
            TardisType::BookTicker => "book_ticker",
        }
    }

    /// The header line our importer expects (`cascade-import`'s Tardis layouts).
    pub fn header(self) -> &'static str {
        match self {
            TardisType::Trades | TardisType::Liquidations => {
                "exchange,symbol,timestamp,local_timestamp,id,side,price,amount"
            }
            TardisType::DerivativeTicker => {
                "exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,\
                 predicted_funding_rate,open_interest,last_price,index_price,mark_price"
            }
            TardisType::BookTicker => {
                "exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount"
            }
        }
    }

    /// Parses Tardis' name of a type; a type we do not import is refused, saying so.
    pub fn parse(text: &str) -> Result<TardisType, FetchError> {
        TardisType::ALL
            .into_iter()
            .find(|t| t.name() == text)
            .ok_or_else(|| FetchError::BadSelection {
                what: "--type",
                message: format!(
                    "with --source tardis, expected one of the types cascade imports: {}; \
                     found {text:?}",
                    TardisType::ALL.map(TardisType::name).join(", ")
                ),
            })
    }
}

/// One Tardis dataset file.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct TardisFile {
    /// Tardis' exchange id, e.g. `binance-futures`.
    pub exchange: String,
    /// The data type.
    pub kind: TardisType,
    /// The UTC day.
    pub day: Day,
    /// The symbol, upper case.
    pub symbol: String,
}

impl TardisFile {
    /// The path after `/v1/` on the host and after `tardis/` in the cache, e.g.
    /// `binance-futures/trades/2025/10/10/BTCUSDT.csv.gz`.
    pub fn path(&self) -> String {
        format!(
            "{}/{}/{:04}/{:02}/{:02}/{}.csv.gz",
            self.exchange,
            self.kind.name(),
            self.day.year,
            self.day.month,
            self.day.day,
            self.symbol
        )
    }

    /// Whether Tardis serves this file without an API key (the first day of a month).
    pub fn free(&self) -> bool {
        self.day.day == 1
    }
}

/// An explicit Tardis selection: every (symbol, type) file covering `from..=to`.
#[derive(Clone, Debug)]
pub struct TardisSelection {
    /// Tardis' exchange id.
    pub exchange: String,
    /// Symbols (upper-cased).
    pub symbols: Vec<String>,
    /// Data types.
    pub types: Vec<TardisType>,
    /// First day (inclusive).
    pub from: Day,
    /// Last day (inclusive).
    pub to: Day,
}

impl TardisSelection {
    /// The files, sorted, without duplicates.
    pub fn files(&self) -> Result<Vec<TardisFile>, FetchError> {
        if self.from > self.to {
            return Err(FetchError::BadSelection {
                what: "--from/--to",
                message: format!("{} is after {}", self.from.ymd(), self.to.ymd()),
            });
        }
        // Exchange and symbols become path components.
        let plain = |t: &str| {
            !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        };
        if !plain(&self.exchange) {
            return Err(FetchError::BadSelection {
                what: "--exchange",
                message: format!(
                    "expected a Tardis exchange id such as binance-futures, found {:?}",
                    self.exchange
                ),
            });
        }
        if let Some(bad) = self.symbols.iter().find(|s| !plain(s)) {
            return Err(FetchError::BadSelection {
                what: "--symbol",
                message: format!("expected letters, digits, _ and - (e.g. BTCUSDT), found {bad:?}"),
            });
        }
        let mut out = Vec::new();
        for &kind in &self.types {
            for symbol in &self.symbols {
                let mut day = self.from;
                while day <= self.to {
                    out.push(TardisFile {
                        exchange: self.exchange.clone(),
                        kind,
                        day,
                        symbol: symbol.to_ascii_uppercase(),
                    });
                    day = day.next();
                }
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(from: &str, to: &str) -> Vec<String> {
        TardisSelection {
            exchange: "binance-futures".into(),
            symbols: vec!["btcusdt".into()],
            types: vec![TardisType::Trades],
            from: Day::parse(from, "--from").unwrap(),
            to: Day::parse(to, "--to").unwrap(),
        }
        .files()
        .unwrap()
        .iter()
        .map(|f| format!("{}{}", f.path(), if f.free() { " free" } else { "" }))
        .collect()
    }

    #[test]
    fn files_follow_the_dataset_layout() {
        assert_eq!(
            check("2025-09-30", "2025-10-02"),
            [
                "binance-futures/trades/2025/09/30/BTCUSDT.csv.gz",
                "binance-futures/trades/2025/10/01/BTCUSDT.csv.gz free",
                "binance-futures/trades/2025/10/02/BTCUSDT.csv.gz",
            ]
        );
        assert!(TardisType::parse("book_snapshot_25")
            .unwrap_err()
            .to_string()
            .contains("derivative_ticker"));
        assert_eq!(
            TardisType::parse("derivative_ticker").unwrap(),
            TardisType::DerivativeTicker
        );
    }
}
