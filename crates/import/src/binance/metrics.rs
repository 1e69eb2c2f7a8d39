//! Futures metrics: `create_time,symbol,sum_open_interest,sum_open_interest_value,
//! count_toptrader_long_short_ratio,sum_toptrader_long_short_ratio,count_long_short_ratio,
//! sum_taker_long_short_vol_ratio`, every 5 minutes.
//!
//! Per row: `OpenInterest` (qty = `sum_open_interest`, value = `sum_open_interest_value`, or
//! zero when empty), then `LongShortRatio` for top traders by account
//! (`count_toptrader_long_short_ratio`), by position (`sum_toptrader_long_short_ratio`) and
//! all accounts (`count_long_short_ratio`). An empty cell skips that metric only. The taker
//! buy/sell *ratio* is not imported: `TakerVolume` needs the volumes, which these files do
//! not have. Values and ratios are computed by the venue and rounded half-even.

use crate::layout::Layout;
use crate::names;
use crate::parser::{CsvParser, Out};
use crate::row::Row;
use crate::values;
use crate::ImportError;
use cascade_types::{EventBody, LongShortRatio, Money, OpenInterest, RatioSource};

pub(crate) const LAYOUT: Layout = Layout {
    required: &[
        "create_time",
        "symbol",
        "sum_open_interest",
        "sum_open_interest_value",
        "count_toptrader_long_short_ratio",
        "sum_toptrader_long_short_ratio",
        "count_long_short_ratio",
        "sum_taker_long_short_vol_ratio",
    ],
    optional: &[],
    headerless: false,
};

#[derive(Clone)]
pub(crate) struct Metrics {
    /// The venue from the caller or the path; else from each row's symbol.
    pub venue: Option<String>,
}

impl CsvParser for Metrics {
    fn fork(&self) -> Option<Box<dyn CsvParser>> {
        Some(Box::new(self.clone()))
    }

    fn parse(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), ImportError> {
        let ts = row.get(0, values::datetime)?;
        let symbol = row.text(1)?;
        if symbol.is_empty() {
            return Err(row.error(1, "a symbol", symbol));
        }
        let venue = self
            .venue
            .as_deref()
            .unwrap_or_else(|| names::venue_for_symbol(symbol));
        let id = out.instrument(venue, symbol, || row.at())?;
        if let Some(qty) = row.opt(2, values::qty_rounded)? {
            let value = row.opt(3, values::money_rounded)?.unwrap_or(Money::ZERO);
            out.push(ts, id, EventBody::OpenInterest(OpenInterest { qty, value }));
        }
        for (col, source) in [
            (4, RatioSource::TopAccounts),
            (5, RatioSource::TopPositions),
            (6, RatioSource::Global),
        ] {
            if let Some(ratio) = row.opt(col, values::ratio_rounded)? {
                out.push(
                    ts,
                    id,
                    EventBody::LongShortRatio(LongShortRatio { source, ratio }),
                );
            }
        }
        // Checked, not imported (see the module docs).
        row.opt(7, values::ratio_rounded)?;
        Ok(())
    }
}
