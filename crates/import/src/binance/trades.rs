//! Trades and aggregated trades. `is_buyer_maker = true` means the seller was the taker, so
//! the aggressor is `Sell`.
//!
//! - aggTrades: `agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,
//!   is_buyer_maker[,is_best_match]`; the trade id is the aggregate id.
//! - trades: `id,price,qty,quote_qty,time,is_buyer_maker[,is_best_match]`.
//!
//! Both exist with a header (futures) and without (spot, with `is_best_match`); times are in
//! milliseconds, or microseconds in spot files since 2025 (told apart by magnitude).

use crate::layout::Layout;
use crate::parser::{CsvParser, FileInstrument, Out};
use crate::row::Row;
use crate::values;
use crate::ImportError;
use cascade_types::{EventBody, Side, Trade};

pub(crate) const AGG_LAYOUT: Layout = Layout {
    required: &[
        "agg_trade_id",
        "price",
        "quantity",
        "first_trade_id",
        "last_trade_id",
        "transact_time",
        "is_buyer_maker",
    ],
    optional: &["is_best_match"],
    headerless: true,
};

pub(crate) const TRADES_LAYOUT: Layout = Layout {
    required: &["id", "price", "qty", "quote_qty", "time", "is_buyer_maker"],
    optional: &["is_best_match"],
    headerless: true,
};

/// Columns: (id, price, qty, time, is_buyer_maker).
fn trade(
    row: &Row<'_>,
    out: &mut Out<'_>,
    instrument: &FileInstrument,
    cols: (usize, usize, usize, usize, usize),
) -> Result<(), ImportError> {
    let (id, price, qty, time, maker) = cols;
    let ts = row.get(time, values::epoch_auto)?;
    let trade = Trade {
        price: row.get(price, values::price)?,
        qty: row.get(qty, values::qty_positive)?,
        aggressor: if row.get(maker, values::boolean)? {
            Side::Sell
        } else {
            Side::Buy
        },
        trade_id: row.get(id, values::uint)?,
    };
    let id = instrument.id(row, out)?;
    out.push(ts, id, EventBody::Trade(trade));
    Ok(())
}

/// Binance aggTrades.
#[derive(Clone)]
pub(crate) struct AggTrades(pub FileInstrument);

impl CsvParser for AggTrades {
    fn fork(&self) -> Option<Box<dyn CsvParser>> {
        Some(Box::new(self.clone()))
    }

    fn parse(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), ImportError> {
        trade(row, out, &self.0, (0, 1, 2, 5, 6))
    }
}

/// Binance trades.
#[derive(Clone)]
pub(crate) struct Trades(pub FileInstrument);

impl CsvParser for Trades {
    fn fork(&self) -> Option<Box<dyn CsvParser>> {
        Some(Box::new(self.clone()))
    }

    fn parse(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), ImportError> {
        trade(row, out, &self.0, (0, 1, 2, 4, 5))
    }
}
