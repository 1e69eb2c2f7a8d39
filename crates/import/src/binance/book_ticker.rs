//! Futures bookTicker: `update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,
//! transaction_time,event_time`, stamped at the transaction time.

use crate::layout::Layout;
use crate::parser::{CsvParser, FileInstrument, Out};
use crate::row::Row;
use crate::values;
use crate::ImportError;
use cascade_types::{BookTop, EventBody};

pub(crate) const LAYOUT: Layout = Layout {
    required: &[
        "update_id",
        "best_bid_price",
        "best_bid_qty",
        "best_ask_price",
        "best_ask_qty",
        "transaction_time",
        "event_time",
    ],
    optional: &[],
    headerless: false,
};

#[derive(Clone)]
pub(crate) struct BookTicker(pub FileInstrument);

impl CsvParser for BookTicker {
    fn fork(&self) -> Option<Box<dyn CsvParser>> {
        Some(Box::new(self.clone()))
    }

    fn parse(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), ImportError> {
        let ts = row.get(5, values::epoch_auto)?;
        let top = BookTop {
            bid_price: row.get(1, values::price)?,
            bid_qty: row.get(2, values::qty)?,
            ask_price: row.get(3, values::price)?,
            ask_qty: row.get(4, values::qty)?,
        };
        let id = self.0.id(row, out)?;
        out.push(ts, id, EventBody::BookTop(top));
        Ok(())
    }
}
