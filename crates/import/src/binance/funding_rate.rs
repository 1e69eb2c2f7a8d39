//! Futures fundingRate: `calc_time,funding_interval_hours,last_funding_rate`, one settlement
//! per row, stamped at `calc_time`.

use crate::layout::Layout;
use crate::parser::{CsvParser, FileInstrument, Out};
use crate::row::Row;
use crate::values;
use crate::ImportError;
use cascade_types::{EventBody, FundingSettlement};

pub(crate) const LAYOUT: Layout = Layout {
    required: &["calc_time", "funding_interval_hours", "last_funding_rate"],
    optional: &[],
    headerless: false,
};

fn hours(text: &str) -> Result<u32, String> {
    values::uint(text)
        .ok()
        .and_then(|h| u32::try_from(h).ok())
        .filter(|h| (1..=24).contains(h))
        .ok_or_else(|| "a whole number of hours from 1 to 24".to_string())
}

pub(crate) struct FundingRate(pub FileInstrument);

impl CsvParser for FundingRate {
    fn parse(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), ImportError> {
        let ts = row.get(0, values::epoch_auto)?;
        let settlement = FundingSettlement {
            interval_h: row.get(1, hours)?,
            rate: row.get(2, values::rate_rounded)?,
        };
        let id = self.0.id(row, out)?;
        out.push(ts, id, EventBody::FundingSettlement(settlement));
        Ok(())
    }
}
