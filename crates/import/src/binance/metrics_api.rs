//! Futures metrics exported from Binance's REST endpoints into one table (the `btcfuturedata`
//! layout): `,timestamp,sumOpenInterest,sumOpenInterestValue,topacclongShortRatio,
//! toplongAccount,topshortAccount,topposlongShortRatio,longPosition,shortPosition,
//! globallongShortRatio,globallongAccount,globalshortAccount,buySellRatio,sellVol,buyVol,
//! openPrice,highPrice,lowPrice,closePrice`, `timestamp` in epoch ms.
//!
//! Per row: `OpenInterest`, `LongShortRatio` (TopAccounts, TopPositions, Global) and
//! `TakerVolume` (when both `buyVol` and `sellVol` are given). Only `timestamp`,
//! `sumOpenInterest` and `sumOpenInterestValue` must be columns; an empty cell skips that
//! metric only. The account/position shares, the taker ratio and the OHLC prices are ignored.
//! All values are computed by the venue (or the exporter's floats) and rounded half-even.

use crate::layout::Layout;
use crate::parser::{CsvParser, FileInstrument, Out};
use crate::row::Row;
use crate::values;
use crate::ImportError;
use cascade_types::{EventBody, LongShortRatio, Money, OpenInterest, RatioSource, TakerVolume};

pub(crate) const LAYOUT: Layout = Layout {
    required: &["timestamp", "sumOpenInterest", "sumOpenInterestValue"],
    optional: &[
        "topacclongShortRatio",
        "topposlongShortRatio",
        "globallongShortRatio",
        "sellVol",
        "buyVol",
        // In the export but not imported: the pandas index (unnamed), the shares the ratios
        // are made of, the taker ratio (buyVol ÷ sellVol) and OHLC prices.
        "",
        "toplongAccount",
        "topshortAccount",
        "longPosition",
        "shortPosition",
        "globallongAccount",
        "globalshortAccount",
        "buySellRatio",
        "openPrice",
        "highPrice",
        "lowPrice",
        "closePrice",
    ],
    headerless: false,
};

#[derive(Clone)]
pub(crate) struct MetricsApi(pub FileInstrument);

impl CsvParser for MetricsApi {
    fn fork(&self) -> Option<Box<dyn CsvParser>> {
        Some(Box::new(self.clone()))
    }

    fn parse(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), ImportError> {
        let ts = row.get(0, values::datetime)?;
        let id = self.0.id(row, out)?;
        if let Some(qty) = row.opt(1, values::qty_rounded)? {
            let value = row.opt(2, values::money_rounded)?.unwrap_or(Money::ZERO);
            out.push(ts, id, EventBody::OpenInterest(OpenInterest { qty, value }));
        }
        for (col, source) in [
            (3, RatioSource::TopAccounts),
            (4, RatioSource::TopPositions),
            (5, RatioSource::Global),
        ] {
            if let Some(ratio) = row.opt(col, values::ratio_rounded)? {
                out.push(
                    ts,
                    id,
                    EventBody::LongShortRatio(LongShortRatio { source, ratio }),
                );
            }
        }
        let sell = row.opt(6, values::qty_rounded)?;
        let buy = row.opt(7, values::qty_rounded)?;
        if let (Some(buy), Some(sell)) = (buy, sell) {
            out.push(ts, id, EventBody::TakerVolume(TakerVolume { buy, sell }));
        }
        Ok(())
    }
}
