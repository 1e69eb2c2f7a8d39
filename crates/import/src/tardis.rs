//! Tardis.dev CSV datasets (<https://docs.tardis.dev/downloadable-csv-files>). Every row names
//! its venue (`exchange`, mapped: `binance-futures` → `binance-um`, `binance-delivery` →
//! `binance-cm`, `binance` → `binance-spot`, others unchanged) and symbol. Events are stamped
//! with the exchange `timestamp` (µs); `local_timestamp` is not used.
//!
//! - trades: `exchange,symbol,timestamp,local_timestamp,id,side,price,amount` → `Trade`
//!   (`side` is the taker's; `unknown` is refused; a non-numeric `id` becomes 0).
//! - liquidations: the same columns → `Liquidation` (`side` is the forced order's: `sell`
//!   means a long was liquidated).
//! - book_ticker: `exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,
//!   bid_amount` → `BookTop` (an empty side is refused).
//! - derivative_ticker: `exchange,symbol,timestamp,local_timestamp,funding_timestamp,
//!   funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price` →
//!   `MarkPrice`, `IndexPrice`, `Funding` (rate = `funding_rate`, next = `funding_timestamp`),
//!   `OpenInterest` (value 0), each only when its cell is not empty. Mark, index and funding
//!   are computed by the venue and rounded half-even; `predicted_funding_rate` and
//!   `last_price` are not imported.

use crate::layout::Layout;
use crate::names::tardis_venue;
use crate::parser::{CsvParser, Out};
use crate::row::Row;
use crate::values;
use crate::ImportError;
use cascade_types::{
    BookTop, EventBody, Funding, InstrumentId, Liquidation, Money, OpenInterest, Trade, Ts,
};

pub(crate) const TRADES_LAYOUT: Layout = Layout {
    required: &[
        "exchange",
        "symbol",
        "timestamp",
        "local_timestamp",
        "id",
        "side",
        "price",
        "amount",
    ],
    optional: &[],
    headerless: false,
};

pub(crate) const BOOK_TICKER_LAYOUT: Layout = Layout {
    required: &[
        "exchange",
        "symbol",
        "timestamp",
        "local_timestamp",
        "ask_amount",
        "ask_price",
        "bid_price",
        "bid_amount",
    ],
    optional: &[],
    headerless: false,
};

pub(crate) const DERIVATIVE_TICKER_LAYOUT: Layout = Layout {
    required: &[
        "exchange",
        "symbol",
        "timestamp",
        "local_timestamp",
        "funding_timestamp",
        "funding_rate",
        "predicted_funding_rate",
        "open_interest",
        "last_price",
        "index_price",
        "mark_price",
    ],
    optional: &[],
    headerless: false,
};

/// The columns every Tardis file starts with: time and instrument.
fn head(row: &Row<'_>, out: &mut Out<'_>) -> Result<(Ts, InstrumentId), ImportError> {
    let exchange = row.text(0)?;
    if exchange.is_empty() {
        return Err(row.error(0, "an exchange id", exchange));
    }
    let symbol = row.text(1)?;
    if symbol.is_empty() {
        return Err(row.error(1, "a symbol", symbol));
    }
    let ts = row.get(2, values::epoch_us)?;
    let id = out.instrument(tardis_venue(exchange), symbol, || row.at())?;
    Ok((ts, id))
}

fn trade_id(text: &str) -> Result<u64, String> {
    Ok(values::uint(text).unwrap_or(0))
}

/// Tardis trades.
#[derive(Clone)]
pub(crate) struct Trades;

impl CsvParser for Trades {
    fn fork(&self) -> Option<Box<dyn CsvParser>> {
        Some(Box::new(self.clone()))
    }

    fn parse(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), ImportError> {
        let (ts, id) = head(row, out)?;
        let trade = Trade {
            price: row.get(6, values::price)?,
            qty: row.get(7, values::qty_positive)?,
            aggressor: row.get(5, values::side)?,
            trade_id: row.get(4, trade_id)?,
        };
        out.push(ts, id, EventBody::Trade(trade));
        Ok(())
    }
}

/// Tardis liquidations.
#[derive(Clone)]
pub(crate) struct Liquidations;

impl CsvParser for Liquidations {
    fn fork(&self) -> Option<Box<dyn CsvParser>> {
        Some(Box::new(self.clone()))
    }

    fn parse(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), ImportError> {
        let (ts, id) = head(row, out)?;
        let liq = Liquidation {
            side: row.get(5, values::side)?,
            price: row.get(6, values::price)?,
            qty: row.get(7, values::qty_positive)?,
        };
        out.push(ts, id, EventBody::Liquidation(liq));
        Ok(())
    }
}

/// Tardis book_ticker.
#[derive(Clone)]
pub(crate) struct BookTicker;

impl CsvParser for BookTicker {
    fn fork(&self) -> Option<Box<dyn CsvParser>> {
        Some(Box::new(self.clone()))
    }

    fn parse(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), ImportError> {
        let (ts, id) = head(row, out)?;
        let top = BookTop {
            ask_qty: row.get(4, values::qty)?,
            ask_price: row.get(5, values::price)?,
            bid_price: row.get(6, values::price)?,
            bid_qty: row.get(7, values::qty)?,
        };
        out.push(ts, id, EventBody::BookTop(top));
        Ok(())
    }
}

/// Tardis derivative_ticker.
#[derive(Clone)]
pub(crate) struct DerivativeTicker;

impl CsvParser for DerivativeTicker {
    fn fork(&self) -> Option<Box<dyn CsvParser>> {
        Some(Box::new(self.clone()))
    }

    fn parse(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), ImportError> {
        let (ts, id) = head(row, out)?;
        if let Some(mark) = row.opt(10, values::price_rounded)? {
            out.push(ts, id, EventBody::MarkPrice(mark));
        }
        if let Some(index) = row.opt(9, values::price_rounded)? {
            out.push(ts, id, EventBody::IndexPrice(index));
        }
        if let Some(rate) = row.opt(5, values::rate_rounded)? {
            let next = row.opt(4, values::epoch_us)?.ok_or_else(|| {
                row.error(
                    4,
                    "the next funding time in epoch microseconds (funding_rate is given)",
                    "",
                )
            })?;
            out.push(
                ts,
                id,
                EventBody::Funding(Funding {
                    rate,
                    next_funding: next,
                }),
            );
        }
        if let Some(qty) = row.opt(7, values::qty_rounded)? {
            out.push(
                ts,
                id,
                EventBody::OpenInterest(OpenInterest {
                    qty,
                    value: Money::ZERO,
                }),
            );
        }
        Ok(())
    }
}
