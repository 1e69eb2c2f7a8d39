//! Bar expansion: a kline ([`EventBody::Bar`]) becomes a short **price path of ticks** so that
//! the exchange sees prices move (stops trigger, limits fill, marks cross liquidation prices)
//! even when only bars were recorded.
//!
//! # The intra-bar path (conservative for longs)
//!
//! - A bar that closed **up or flat** (`close ≥ open`) is walked **O → L → H → C**: the low
//!   comes first, so a long stopped out (or liquidated) at the low is hit before the rally.
//! - A bar that closed **down** (`close < open`) is walked **O → H → L → C**: the high first,
//!   then the sell-off into the close.
//!
//! In both cases a long position meets the bar's adverse extreme before the favourable one
//! whenever the bar's shape does not say otherwise.
//!
//! # Timestamps
//!
//! A bar is stamped at its **close** `C_ts` (the first instant its high, low and close are
//! known). Its four ticks are stamped `C_ts − 4, C_ts − 3, C_ts − 2, C_ts − 1` nanoseconds —
//! inside the bar, before its close stamp — each raised to the timestamp of the market event
//! handled just before it if that is later, so time never runs backwards. Each tick takes its
//! place in the total order like any market event (commands and timers due before it run
//! first); the bar itself follows its ticks at `C_ts`.
//!
//! # Who sees what
//!
//! The ticks are for the **exchange model** (and are journalled as
//! [`RecordBody::Tick`](crate::RecordBody::Tick)): they trigger stops, fill resting orders and
//! move the mark across liquidation prices. They are invented path points, not recorded
//! trades, so the **strategy and its market view see the bar** (with its real taker volumes),
//! not the ticks; the exchange does not get the bar itself once its ticks were applied. With
//! expansion off ([`crate::RunConfig::expand_bars`]) the exchange gets the bar and expands it
//! itself at the bar's timestamp.
//!
//! # What the ticks are
//!
//! | bar source | ticks |
//! |---|---|
//! | [`BarSource::Last`] | four [`EventBody::Trade`]s, the bar's volume split evenly (the last takes the remainder), aggressor `Buy` when the price rose from the previous point (or held), `Sell` when it fell; trade id 0. A bar with zero volume had no trades and yields no ticks. |
//! | [`BarSource::Mark`] | four [`EventBody::MarkPrice`]s: mark-price bars drive the mark |
//! | [`BarSource::Index`] | four [`EventBody::IndexPrice`]s |
//! | [`BarSource::Premium`] | none (premium rates are not prices) |

use cascade_types::{Bar, BarSource, Event, EventBody, Price, Qty, Side, Trade, Ts};

/// Number of ticks a bar becomes (open, two extremes, close).
pub const TICKS_PER_BAR: usize = 4;

/// The four prices of a bar's path, in order (see the module docs).
pub fn path(bar: &Bar) -> [Price; TICKS_PER_BAR] {
    if bar.close >= bar.open {
        [bar.open, bar.low, bar.high, bar.close]
    } else {
        [bar.open, bar.high, bar.low, bar.close]
    }
}

/// True when a bar of this source (and volume) is expanded into ticks.
pub fn expands(bar: &Bar) -> bool {
    match bar.source {
        BarSource::Last => bar.volume.is_positive(),
        BarSource::Mark | BarSource::Index => true,
        BarSource::Premium => false,
    }
}

/// The ticks of a bar, on the stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticks {
    events: [Event; TICKS_PER_BAR],
    len: usize,
}

impl Ticks {
    /// The ticks, in order.
    pub fn as_slice(&self) -> &[Event] {
        &self.events[..self.len]
    }
}

/// The ticks of `event` if it is a bar that expands (none otherwise). `floor` is the
/// timestamp of the market event handled before it: no tick is stamped earlier.
pub fn ticks(event: &Event, floor: Option<Ts>) -> Ticks {
    let mut out = Ticks {
        events: [*event; TICKS_PER_BAR],
        len: 0,
    };
    let EventBody::Bar(bar) = &event.body else {
        return out;
    };
    if !expands(bar) {
        return out;
    }
    let prices = path(bar);
    let close_ts = event.ts;
    let quarter = Qty::from_raw(bar.volume.raw() / TICKS_PER_BAR as i64);
    let mut prev_price = bar.open;
    let mut last = floor;
    for (k, &price) in prices.iter().enumerate() {
        let body = match bar.source {
            BarSource::Last => {
                let qty = if k + 1 == TICKS_PER_BAR {
                    bar.volume - Qty::from_raw(quarter.raw() * (TICKS_PER_BAR as i64 - 1))
                } else {
                    quarter
                };
                let aggressor = if price >= prev_price {
                    Side::Buy
                } else {
                    Side::Sell
                };
                EventBody::Trade(Trade {
                    price,
                    qty,
                    aggressor,
                    trade_id: 0,
                })
            }
            BarSource::Mark => EventBody::MarkPrice(price),
            BarSource::Index => EventBody::IndexPrice(price),
            BarSource::Premium => unreachable!("premium bars do not expand"),
        };
        prev_price = price;
        let wanted = close_ts.plus_nanos(k as i64 - TICKS_PER_BAR as i64);
        let ts = match last {
            Some(l) if l > wanted => l,
            _ => wanted,
        };
        debug_assert!(ts <= close_ts, "a tick never follows its bar");
        out.events[k] = Event {
            ts,
            instrument: event.instrument,
            body,
        };
        out.len = k + 1;
        last = Some(ts);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cascade_types::{InstrumentId, Money};

    fn bar(source: BarSource, o: i64, h: i64, l: i64, c: i64, volume: i64) -> Event {
        Event {
            ts: Ts(60_000),
            instrument: InstrumentId(0),
            body: EventBody::Bar(Bar {
                source,
                open_time: Ts(0),
                interval_s: 60,
                open: Price::from_int(o),
                high: Price::from_int(h),
                low: Price::from_int(l),
                close: Price::from_int(c),
                volume: Qty::from_raw(volume),
                quote_volume: Money::ZERO,
                trades: 0,
                taker_buy_volume: Qty::ZERO,
                taker_buy_quote_volume: Money::ZERO,
            }),
        }
    }

    #[test]
    fn up_bar_walks_low_first_and_down_bar_high_first() {
        let t = ticks(&bar(BarSource::Last, 100, 110, 90, 105, 10), None);
        let r: Vec<String> = t.as_slice().iter().map(|e| e.to_string()).collect();
        assert_eq!(r.len(), 4);
        assert!(r[0].contains("trade buy 0.00000002 @ 100"), "{r:?}");
        assert!(r[1].contains("trade sell 0.00000002 @ 90"), "{r:?}");
        assert!(r[2].contains("trade buy 0.00000002 @ 110"), "{r:?}");
        assert!(r[3].contains("trade sell 0.00000004 @ 105"), "{r:?}");
        let ts: Vec<i64> = t.as_slice().iter().map(|e| e.ts.0).collect();
        assert_eq!(ts, [59_996, 59_997, 59_998, 59_999]);

        // A down bar, after an event at 59_998: ticks are raised to it, never earlier.
        let t = ticks(&bar(BarSource::Mark, 100, 110, 90, 95, 0), Some(Ts(59_998)));
        let got: Vec<(i64, String)> = t
            .as_slice()
            .iter()
            .map(|e| match e.body {
                EventBody::MarkPrice(p) => (e.ts.0, p.to_string()),
                _ => unreachable!(),
            })
            .collect();
        let want = [
            (59_998, "100"),
            (59_998, "110"),
            (59_998, "90"),
            (59_999, "95"),
        ];
        assert_eq!(got, want.map(|(t, p)| (t, p.to_string())));
    }

    #[test]
    fn premium_and_empty_last_bars_have_no_ticks() {
        assert!(ticks(&bar(BarSource::Premium, 1, 2, 0, 1, 0), None)
            .as_slice()
            .is_empty());
        assert!(ticks(&bar(BarSource::Last, 1, 2, 0, 1, 0), None)
            .as_slice()
            .is_empty());
        assert_eq!(
            ticks(&bar(BarSource::Index, 1, 2, 0, 1, 0), None)
                .as_slice()
                .len(),
            4
        );
    }
}
