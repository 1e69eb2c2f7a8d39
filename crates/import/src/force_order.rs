//! CSV captures of Binance's `!forceOrder@arr` liquidation stream:
//! `timestamp,symbol,side,avg_price,filled_qty,usd_value`, `timestamp` an ISO-8601 UTC time.
//! `side` is the forced order's side (`SELL`: a long was liquidated). `usd_value` (= price ×
//! qty, a float product) is derived and not imported. The venue is `binance-um` unless the
//! caller says otherwise (or the symbol is a COIN-M `…USD_PERP`).
//!
//! The stream mixes all symbols, and its times may step back by a millisecond or so between
//! symbols; as a capture it is subject to `ImportOptions::capture_backstep_ns_max`.

use crate::layout::Layout;
use crate::names;
use crate::parser::{CsvParser, Out};
use crate::row::Row;
use crate::values;
use crate::ImportError;
use cascade_types::{EventBody, Liquidation};

pub(crate) const LAYOUT: Layout = Layout {
    required: &[
        "timestamp",
        "symbol",
        "side",
        "avg_price",
        "filled_qty",
        "usd_value",
    ],
    optional: &[],
    headerless: false,
};

#[derive(Clone)]
pub(crate) struct ForceOrders {
    /// The venue from the caller or the path; else from each row's symbol.
    pub venue: Option<String>,
}

impl CsvParser for ForceOrders {
    fn fork(&self) -> Option<Box<dyn CsvParser>> {
        Some(Box::new(self.clone()))
    }

    fn parse(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), ImportError> {
        let ts = row.get(0, values::datetime)?;
        let symbol = row.text(1)?;
        if symbol.is_empty() {
            return Err(row.error(1, "a symbol", symbol));
        }
        let liq = Liquidation {
            side: row.get(2, values::side)?,
            price: row.get(3, values::price)?,
            qty: row.get(4, values::qty_positive)?,
        };
        let venue = self
            .venue
            .as_deref()
            .unwrap_or_else(|| names::venue_for_symbol(symbol));
        let id = out.instrument(venue, symbol, || row.at())?;
        out.push(ts, id, EventBody::Liquidation(liq));
        Ok(())
    }
}
