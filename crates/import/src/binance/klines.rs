//! Klines: `open_time,open,high,low,close,volume,close_time,quote_volume,count,
//! taker_buy_volume,taker_buy_quote_volume,ignore`, with or without a header line. The same
//! layout carries mark-price, index-price and premium-index klines (volume 0).
//!
//! A bar is stamped at its close, `open_time + interval` (= `close_time` + 1 ms), the first
//! moment its high, low and close are known. The interval comes from each row's open and
//! close times and must agree with an interval in the file name (`-1m-`).

use crate::layout::Layout;
use crate::parser::{CsvParser, FileInstrument, Out};
use crate::row::Row;
use crate::values;
use crate::ImportError;
use cascade_types::{Bar, BarSource, EventBody, Price, Ts};

pub(crate) const LAYOUT: Layout = Layout {
    required: &[
        "open_time",
        "open",
        "high",
        "low",
        "close",
        "volume",
        "close_time",
        "quote_volume",
        "count",
        "taker_buy_volume",
        "taker_buy_quote_volume",
        "ignore",
    ],
    optional: &[],
    headerless: true,
};

const OPEN_TIME: usize = 0;
const OPEN: usize = 1;
const HIGH: usize = 2;
const LOW: usize = 3;
const CLOSE: usize = 4;
const VOLUME: usize = 5;
const CLOSE_TIME: usize = 6;
const QUOTE_VOLUME: usize = 7;
const COUNT: usize = 8;
const TAKER_BUY_VOLUME: usize = 9;
const TAKER_BUY_QUOTE_VOLUME: usize = 10;

pub(crate) struct Klines {
    instrument: FileInstrument,
    /// The series, once known (from the caller or the path; else decided on the first row).
    source: Option<BarSource>,
    name_interval_s: Option<u32>,
}

impl Klines {
    pub(crate) fn new(
        instrument: FileInstrument,
        source: Option<BarSource>,
        name_interval_s: Option<u32>,
    ) -> Klines {
        Klines {
            instrument,
            source,
            name_interval_s,
        }
    }
}

impl CsvParser for Klines {
    fn parse(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), ImportError> {
        let open_time = row.get(OPEN_TIME, values::epoch_auto)?;
        let close_time = row.get(CLOSE_TIME, values::epoch_auto)?;
        let volume = row.get(VOLUME, values::qty)?;
        let trades = row.get(COUNT, values::uint)?;
        let source = match self.source {
            Some(s) => s,
            None => {
                // No hint: last-price klines, unless the row is clearly a price series (no
                // volume but a count), which would be Mark, Index or Premium — say which.
                if volume.is_zero() && trades > 0 {
                    return Err(ImportError::AmbiguousBarSource {
                        at: row.at(),
                        count: trades,
                    });
                }
                self.source = Some(BarSource::Last);
                BarSource::Last
            }
        };

        // close_time is open_time + interval − 1 ms (− 1 µs in microsecond files).
        let span_ns = close_time.nanos() - open_time.nanos();
        let interval_s = span_ns.div_euclid(Ts::NANOS_PER_SEC) + 1;
        let short_ns = interval_s * Ts::NANOS_PER_SEC - span_ns;
        let interval_ok = span_ns > 0 && short_ns <= 1_000_000 && interval_s <= i64::from(u32::MAX);
        let name_ok = self
            .name_interval_s
            .is_none_or(|n| i64::from(n) == interval_s);
        if !interval_ok || !name_ok {
            let expected = match self.name_interval_s {
                Some(n) => format!("open_time + {n} s − 1 ms (the interval in the file name)"),
                None => "open_time + a whole number of seconds − 1 ms".to_string(),
            };
            return Err(row.error(CLOSE_TIME, expected, row.text(CLOSE_TIME)?));
        }

        let px: fn(&str) -> Result<Price, String> = match source {
            BarSource::Last => values::price,
            BarSource::Mark | BarSource::Index => values::price_rounded,
            BarSource::Premium => values::signed_price_rounded,
        };
        let open = row.get(OPEN, px)?;
        let high = row.get(HIGH, px)?;
        let low = row.get(LOW, px)?;
        let close = row.get(CLOSE, px)?;
        if low > open.min_of(close) || low > high {
            return Err(row.error(LOW, "a low ≤ open, close and high", row.text(LOW)?));
        }
        if high < open.max_of(close) {
            return Err(row.error(HIGH, "a high ≥ open and close", row.text(HIGH)?));
        }
        let bar = Bar {
            source,
            open_time,
            interval_s: interval_s as u32,
            open,
            high,
            low,
            close,
            volume,
            quote_volume: row.get(QUOTE_VOLUME, values::money_rounded)?,
            trades,
            taker_buy_volume: row.get(TAKER_BUY_VOLUME, values::qty)?,
            taker_buy_quote_volume: row.get(TAKER_BUY_QUOTE_VOLUME, values::money_rounded)?,
        };
        let id = self.instrument.id(row, out)?;
        out.push(open_time.plus_secs(interval_s), id, EventBody::Bar(bar));
        Ok(())
    }
}
