//! Futures bookDepth: `timestamp,percentage,depth,notional[,weighted_avg_price]`, one row per
//! band (−5 … −1 % bids, 1 … 5 % asks), a snapshot every ~30 s. `percentage` becomes
//! `band_bps` (× 100). `depth` and `notional` are sums the venue computed, rounded half-even
//! to 8 decimals; `weighted_avg_price` (notional ÷ depth, added by some re-exports) is ignored.

use crate::layout::Layout;
use crate::parser::{CsvParser, FileInstrument, Out};
use crate::row::Row;
use crate::values;
use crate::ImportError;
use cascade_types::{DepthBand, EventBody};

pub(crate) const LAYOUT: Layout = Layout {
    required: &["timestamp", "percentage", "depth", "notional"],
    optional: &["weighted_avg_price"],
    headerless: false,
};

#[derive(Clone)]
pub(crate) struct BookDepth(pub FileInstrument);

impl CsvParser for BookDepth {
    fn fork(&self) -> Option<Box<dyn CsvParser>> {
        Some(Box::new(self.clone()))
    }

    fn parse(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), ImportError> {
        let ts = row.get(0, values::datetime)?;
        let band = DepthBand {
            band_bps: row.get(1, values::percent_as_bps)?,
            qty: row.get(2, values::qty_rounded)?,
            notional: row.get(3, values::money_rounded)?,
        };
        let id = self.0.id(row, out)?;
        out.push(ts, id, EventBody::DepthBand(band));
        Ok(())
    }
}
