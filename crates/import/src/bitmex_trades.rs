//! BitMEX's daily trade dumps ([`Format::BitmexTrades`](crate::Format)), as published at
//! `public.bitmex.com/data/trade/YYYYMMDD.csv.gz`: one file per day holding every symbol's
//! trades in time order, with the header
//! `timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,
//! foreignNotional` (the last two are absent from early dumps).
//!
//! - `timestamp` is UTC with a `D` between date and time and nanosecond digits
//!   (`2020-03-12D00:00:03.473218000`); an ISO `T` or space is accepted too.
//! - `side` is the taker's (`Buy`/`Sell`); an empty or other side is an error.
//! - `size` is in contracts (XBTUSD: 1 USD each), as BitMEX's bars count `volume`; `price` in
//!   the quote currency. `grossValue`, `homeNotional` and `foreignNotional` are derived from
//!   them and not imported.
//! - `trdMatchID` is a UUID, not ordered in time, so it is not carried: the trade id is 0
//!   (the data-quality gate's duplicate check by id does not apply; a file given twice is
//!   still caught by its bytes).
//!
//! Events are `Trade`s on venue `bitmex` (or the caller's `--venue`). A dump holds dozens of
//! symbols: with the caller's `--symbol`, only that symbol's rows become events, and the
//! others are counted as rows without events (`backtest import` prints the count). Without
//! it, a symbol the instrument table cannot place is an error that says so.

use crate::layout::Layout;
use crate::parser::{CsvParser, Out};
use crate::row::Row;
use crate::values;
use crate::ImportError;
use cascade_types::{EventBody, Trade};

pub(crate) const LAYOUT: Layout = Layout {
    required: &[
        "timestamp",
        "symbol",
        "side",
        "size",
        "price",
        "tickDirection",
        "trdMatchID",
        "grossValue",
    ],
    optional: &["homeNotional", "foreignNotional"],
    headerless: false,
};

/// BitMEX trade dump rows → `Trade`.
#[derive(Clone)]
pub(crate) struct Trades {
    /// The venue the trades are on.
    pub venue: String,
    /// Only this symbol's rows are imported, when set.
    pub only: Option<String>,
}

impl CsvParser for Trades {
    fn fork(&self) -> Option<Box<dyn CsvParser>> {
        Some(Box::new(self.clone()))
    }

    fn parse(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), ImportError> {
        let symbol = row.text(1)?;
        if symbol.is_empty() {
            return Err(row.error(1, "a symbol", symbol));
        }
        if self.only.as_deref().is_some_and(|only| only != symbol) {
            return Ok(());
        }
        let ts = row.get(0, values::bitmex_time)?;
        let trade = Trade {
            price: row.get(4, values::price)?,
            qty: row.get(3, values::qty_positive)?,
            aggressor: row.get(2, values::side)?,
            trade_id: 0,
        };
        let id = out
            .instrument(&self.venue, symbol, || row.at())
            .map_err(|e| match e {
                ImportError::CannotInfer {
                    at,
                    venue,
                    symbol,
                    why,
                } => ImportError::CannotInfer {
                    at,
                    venue,
                    symbol,
                    why: format!(
                        "{why}; a BitMEX trade dump holds every symbol of the day: --symbol \
                         imports one (e.g. --symbol XBTUSD)"
                    ),
                },
                other => other,
            })?;
        out.push(ts, id, EventBody::Trade(trade));
        Ok(())
    }
}
