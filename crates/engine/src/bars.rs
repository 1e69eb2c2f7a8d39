//! Bar expansion: a kline ([`EventBody::Bar`]) becomes a **price path of ticks spread over the
//! bar's interval**, so that the exchange sees prices move when they moved (stops trigger,
//! limits fill, marks cross liquidation prices inside the bar) even when only bars were
//! recorded.
//!
//! # The intra-bar path
//!
//! A bar with open time `O`, close stamp `C` (its event's timestamp: bars are stamped at their
//! close, see [`cascade_types::Bar`]) and span `S = C − O` becomes four ticks:
//!
//! | tick | price | time |
//! |---|---|---|
//! | 0 | open | `O` |
//! | 1 | first extreme | `O + S/3` |
//! | 2 | second extreme | `O + 2S/3` |
//! | 3 | close | `C − 1 ns` |
//!
//! Which extreme comes first is the [`ExtremeOrder`] of the run:
//!
//! - [`ExtremeOrder::Declared`] (the default): **the extreme nearer the open comes first**
//!   (open → nearer extreme → farther extreme → close); on a tie, the low first.
//! - [`ExtremeOrder::Adverse`]: the order **worst for the strategy's position** in the bar's
//!   instrument at the moment the first extreme is reached — the low first when it is long,
//!   the high first when it is short, the declared order when it is flat.
//!
//! # Look-ahead: the standard OHLC-path assumption
//!
//! A bar stamped at its close is only *known* at its close, yet its ticks lie inside its
//! interval. The engine therefore reads the input a bounded window ahead
//! ([`BarPathConfig::window_s`], default one hour) and places each bar's ticks back in its
//! interval, in the one total order with the events of the other streams (trades, depth,
//! funding, the other bars' ticks) recorded in that interval. The look-ahead is confined to
//! the bar's own extremes inside the bar — the path assumption every OHLC backtester makes —
//! and only the **exchange model** uses it. The strategy and its market view see the bar
//! itself at its close stamp, never earlier, so a strategy never reads the future.
//!
//! A bar longer than the window (or with an open time at or after its close) cannot be placed
//! back entirely: its ticks are raised to the last market event already handled, so time
//! never runs backwards (the bar's path is then compressed into the part of its interval
//! still ahead).
//!
//! # Ties
//!
//! At one timestamp a tick comes before the recorded events stamped there (so a bar is always
//! preceded by its own ticks, and the next bar's open tick at the same instant as the previous
//! bar's close stamp comes before that bar reaches the strategy — they are one instant, whose
//! inner order is unknown); ticks at one timestamp keep the order they were created in. Timers
//! and commands take their places around ticks as around any market event
//! ([`crate::order`]).
//!
//! # Who sees what
//!
//! The ticks are for the **exchange model** (and are journalled as
//! [`RecordBody::Tick`](crate::RecordBody::Tick)): they trigger stops, fill resting orders and
//! move the mark across liquidation prices. They are invented path points, not recorded
//! trades, so the **strategy and its market view see the bar** (with its real taker volumes),
//! not the ticks; the exchange does not get the bar itself once its ticks were applied. With
//! expansion off ([`crate::RunConfig::expand_bars`]) nothing is read ahead and the exchange
//! gets the bar and expands it itself at the bar's timestamp.
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
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// Number of ticks a bar becomes (open, two extremes, close).
pub const TICKS_PER_BAR: usize = 4;

/// Which of a bar's extremes its path meets first (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExtremeOrder {
    /// The extreme nearer the open first (the low on a tie).
    #[default]
    Declared,
    /// The extreme adverse to the strategy's position first (declared order when flat).
    Adverse,
}

impl std::str::FromStr for ExtremeOrder {
    type Err = String;

    fn from_str(s: &str) -> Result<ExtremeOrder, String> {
        match s {
            "declared" => Ok(ExtremeOrder::Declared),
            "adverse" => Ok(ExtremeOrder::Adverse),
            other => Err(format!(
                "unknown bar path order {other:?}: expected `declared` or `adverse`"
            )),
        }
    }
}

/// How bars become paths; recorded in the run's manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BarPathConfig {
    /// Which extreme comes first.
    #[serde(default)]
    pub order: ExtremeOrder,
    /// How far ahead the engine reads to place a bar's ticks back in its interval, in
    /// seconds: the longest bar whose path is spread over its whole interval.
    #[serde(default = "default_window_s")]
    pub window_s: u32,
}

fn default_window_s() -> u32 {
    3_600
}

impl Default for BarPathConfig {
    fn default() -> Self {
        BarPathConfig {
            order: ExtremeOrder::Declared,
            window_s: default_window_s(),
        }
    }
}

impl BarPathConfig {
    /// True for the default (left out of manifests, so runs from before it are unchanged).
    pub fn is_default(&self) -> bool {
        *self == BarPathConfig::default()
    }
}

/// True when the declared order meets the high first: the high is strictly nearer the open.
pub fn declared_high_first(bar: &Bar) -> bool {
    (bar.high - bar.open).raw() < (bar.open - bar.low).raw()
}

/// True when the path meets the high first, under `order`, for a strategy holding `position`
/// (signed, positive long) in the bar's instrument.
pub fn high_first(bar: &Bar, order: ExtremeOrder, position: Qty) -> bool {
    match order {
        ExtremeOrder::Adverse if position.is_positive() => false,
        ExtremeOrder::Adverse if position.is_negative() => true,
        _ => declared_high_first(bar),
    }
}

/// The four prices of a bar's path, in order, given which extreme comes first.
pub fn path(bar: &Bar, high_first: bool) -> [Price; TICKS_PER_BAR] {
    if high_first {
        [bar.open, bar.high, bar.low, bar.close]
    } else {
        [bar.open, bar.low, bar.high, bar.close]
    }
}

/// The four times of a bar's path (see the module docs): `O`, `O + S/3`, `O + 2S/3`,
/// `C − 1`, with `C` the bar event's stamp. A bar whose open time is missing or not at least
/// 4 ns before its stamp is treated as ending there with a 4 ns span.
pub fn times(bar: &Bar, close: Ts) -> [Ts; TICKS_PER_BAR] {
    let end = close.nanos();
    let start = bar
        .open_time
        .nanos()
        .min(end.saturating_sub(TICKS_PER_BAR as i64));
    let span = end - start;
    [
        Ts(start),
        Ts(start + span / 3),
        Ts(start + (i128::from(span) * 2 / 3) as i64),
        Ts(end - 1),
    ]
}

/// True when a bar of this source (and volume) is expanded into ticks.
pub fn expands(bar: &Bar) -> bool {
    match bar.source {
        BarSource::Last => bar.volume.is_positive(),
        BarSource::Mark | BarSource::Index => true,
        BarSource::Premium => false,
    }
}

/// The `k`-th tick of the bar event `event`, on the path `prices`, stamped `ts`.
pub fn tick(event: &Event, bar: &Bar, prices: &[Price; TICKS_PER_BAR], k: usize, ts: Ts) -> Event {
    let price = prices[k];
    let body = match bar.source {
        BarSource::Last => {
            let quarter = Qty::from_raw(bar.volume.raw() / TICKS_PER_BAR as i64);
            let qty = if k + 1 == TICKS_PER_BAR {
                bar.volume - Qty::from_raw(quarter.raw() * (TICKS_PER_BAR as i64 - 1))
            } else {
                quarter
            };
            let prev = if k == 0 { bar.open } else { prices[k - 1] };
            let aggressor = if price >= prev { Side::Buy } else { Side::Sell };
            EventBody::Trade(Trade {
                price,
                qty,
                aggressor,
                trade_id: 0,
            })
        }
        BarSource::Mark => EventBody::MarkPrice(price),
        BarSource::Index => EventBody::IndexPrice(price),
        BarSource::Premium => EventBody::Bar(*bar), // never asked: premium bars do not expand
    };
    Event {
        ts,
        instrument: event.instrument,
        body,
    }
}

/// A tick waiting for its time: which bar, which point of its path.
#[derive(Clone, Copy, Debug)]
pub struct PendingTick {
    /// The bar event.
    pub bar_event: Event,
    /// Its bar.
    pub bar: Bar,
    /// Which point of the path (0 open, 1 and 2 the extremes, 3 close).
    pub k: usize,
    /// The bar's number among the bars staged in this run (keys the order decision).
    pub bar_no: u64,
    /// When it happens.
    pub ts: Ts,
}

/// What the stager hands out next.
#[derive(Clone, Copy, Debug)]
pub enum Staged {
    /// A recorded market event, in input order.
    Recorded(Event),
    /// A tick of a bar's path, still to be priced ([`Stager::price`]).
    Tick(PendingTick),
}

/// Reads the input a bounded window ahead and places every bar's ticks back in its interval
/// (see the module docs): events go in in input order and come out in the one total order,
/// ticks interleaved.
#[derive(Debug)]
pub struct Stager {
    window_ns: i64,
    order: ExtremeOrder,
    recorded: VecDeque<Event>,
    ticks: BTreeMap<(Ts, u64), PendingTick>,
    next_tick: u64,
    next_bar: u64,
    /// The newest timestamp put in.
    newest: Option<Ts>,
    /// The timestamp of the last item handed out: nothing later comes out earlier.
    floor: Option<Ts>,
    /// Bars whose first extreme was met: was it the high.
    decided: BTreeMap<u64, bool>,
}

impl Stager {
    /// A stager for `cfg`.
    pub fn new(cfg: BarPathConfig) -> Stager {
        Stager {
            window_ns: i64::from(cfg.window_s) * Ts::NANOS_PER_SEC,
            order: cfg.order,
            recorded: VecDeque::new(),
            ticks: BTreeMap::new(),
            next_tick: 0,
            next_bar: 0,
            newest: None,
            floor: None,
            decided: BTreeMap::new(),
        }
    }

    /// True when `event` can be handled at once, without staging: a zero window (the inputs
    /// hold no bars), nothing staged, and not a bar that expands. The stager then notes its
    /// time as if the event had gone through it (the same order: nothing is held back).
    #[inline]
    pub fn pass_through(&mut self, event: &Event) -> bool {
        if self.window_ns != 0 || !self.recorded.is_empty() || !self.ticks.is_empty() {
            return false;
        }
        if let EventBody::Bar(bar) = &event.body {
            if expands(bar) {
                return false;
            }
        }
        self.newest = Some(event.ts);
        self.floor = Some(event.ts);
        true
    }

    /// Puts in the next recorded event (in input order); a bar that expands adds its ticks.
    pub fn push(&mut self, event: &Event) {
        if let EventBody::Bar(bar) = &event.body {
            if expands(bar) {
                let bar_no = self.next_bar;
                self.next_bar += 1;
                for (k, want) in times(bar, event.ts).into_iter().enumerate() {
                    let ts = match self.floor {
                        Some(f) if f > want => f,
                        _ => want,
                    };
                    self.ticks.insert(
                        (ts, self.next_tick),
                        PendingTick {
                            bar_event: *event,
                            bar: *bar,
                            k,
                            bar_no,
                            ts,
                        },
                    );
                    self.next_tick += 1;
                }
            }
        }
        self.newest = Some(event.ts);
        self.recorded.push_back(*event);
    }

    /// The next item whose place in the order is settled: earlier than anything a bar still
    /// to come could put before it (all of them once `end` says the input is over).
    pub fn next(&mut self, end: bool) -> Option<Staged> {
        let bound = self.newest?.nanos().saturating_sub(self.window_ns);
        let rec = self.recorded.front().map(|e| e.ts);
        let tick = self.ticks.first_key_value().map(|(k, _)| k.0);
        let take_tick = match (tick, rec) {
            (Some(t), Some(r)) => t <= r,
            (Some(_), None) => true,
            (None, _) => false,
        };
        let ts = if take_tick { tick? } else { rec? };
        if !end && ts.nanos() >= bound {
            return None;
        }
        self.floor = Some(ts);
        if take_tick {
            let (_, t) = self.ticks.pop_first()?;
            Some(Staged::Tick(t))
        } else {
            self.recorded.pop_front().map(Staged::Recorded)
        }
    }

    /// The event of a tick handed out by [`Stager::next`], priced by the run's
    /// [`ExtremeOrder`] given the strategy's `position` in the bar's instrument now (read
    /// only at the first extreme). Ticks of a bar must be priced in the order handed out.
    pub fn price(&mut self, t: &PendingTick, position: Qty) -> Event {
        let high = match t.k {
            0 => declared_high_first(&t.bar),
            1 => {
                let h = high_first(&t.bar, self.order, position);
                self.decided.insert(t.bar_no, h);
                h
            }
            2 => self
                .decided
                .get(&t.bar_no)
                .copied()
                .unwrap_or_else(|| declared_high_first(&t.bar)),
            _ => self
                .decided
                .remove(&t.bar_no)
                .unwrap_or_else(|| declared_high_first(&t.bar)),
        };
        tick(&t.bar_event, &t.bar, &path(&t.bar, high), t.k, t.ts)
    }

    /// Nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.recorded.is_empty() && self.ticks.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cascade_types::{InstrumentId, Money};

    /// A bar over [0, 60 s) stamped at 60 s.
    fn bar(source: BarSource, o: i64, h: i64, l: i64, c: i64, volume: i64) -> Event {
        Event {
            ts: Ts(Ts::NANOS_PER_MIN),
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

    fn trade(ts: i64, px: i64) -> Event {
        Event {
            ts: Ts(ts),
            instrument: InstrumentId(0),
            body: EventBody::Trade(Trade {
                price: Price::from_int(px),
                qty: Qty::from_raw(1),
                aggressor: Side::Buy,
                trade_id: 1,
            }),
        }
    }

    /// Stages `events` and prints what comes out, in order, for a strategy holding
    /// `position`.
    fn check(cfg: BarPathConfig, events: &[Event], position: i64) -> String {
        let mut s = Stager::new(cfg);
        let mut out = String::new();
        let mut emit = |s: &mut Stager, x: Staged| {
            let line = match x {
                Staged::Recorded(e) => format!("rec  {e}"),
                Staged::Tick(t) => {
                    let e = s.price(&t, Qty::from_raw(position));
                    format!("tick {e}")
                }
            };
            out.push_str(&line);
            out.push('\n');
        };
        for e in events {
            s.push(e);
            while let Some(x) = s.next(false) {
                emit(&mut s, x);
            }
        }
        while let Some(x) = s.next(true) {
            emit(&mut s, x);
        }
        assert!(s.is_empty());
        out
    }

    #[test]
    fn ticks_are_spread_over_the_interval_and_interleave_with_recorded_events() {
        let events = [
            trade(Ts::secs(10), 100),
            trade(Ts::secs(30), 95),
            bar(BarSource::Last, 100, 110, 90, 105, 10),
            trade(Ts::secs(61), 105),
        ];
        insta::assert_snapshot!(check(BarPathConfig::default(), &events, 0), @r"
        tick 1970-01-01T00:00:00Z i0 trade buy 0.00000002 @ 100 id=0
        rec  1970-01-01T00:00:10Z i0 trade buy 0.00000001 @ 100 id=1
        tick 1970-01-01T00:00:20Z i0 trade sell 0.00000002 @ 90 id=0
        rec  1970-01-01T00:00:30Z i0 trade buy 0.00000001 @ 95 id=1
        tick 1970-01-01T00:00:40Z i0 trade buy 0.00000002 @ 110 id=0
        tick 1970-01-01T00:00:59.999999999Z i0 trade sell 0.00000004 @ 105 id=0
        rec  1970-01-01T00:01:00Z i0 bar Last 60s open 1970-01-01T00:00:00Z o 100 h 110 l 90 c 105 v 0.0000001 qv 0 n 0 tbv 0
        rec  1970-01-01T00:01:01Z i0 trade buy 0.00000001 @ 105 id=1
        ");
    }

    #[test]
    fn declared_order_takes_the_nearer_extreme_first_and_adverse_the_worse() {
        let m = |o, h, l, c| bar(BarSource::Mark, o, h, l, c, 0);
        let prices = |cfg, e: Event, pos| {
            check(cfg, &[e], pos)
                .lines()
                .filter(|l| l.contains("tick"))
                .map(|l| l.rsplit(' ').next().unwrap().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let declared = BarPathConfig::default();
        let adverse = BarPathConfig {
            order: ExtremeOrder::Adverse,
            ..declared
        };
        // The high is nearer the open: high first, whatever the close.
        assert_eq!(prices(declared, m(100, 102, 80, 85), 0), "100 102 80 85");
        // The low is nearer (and on a tie): low first.
        assert_eq!(prices(declared, m(100, 120, 98, 115), 0), "100 98 120 115");
        assert_eq!(prices(declared, m(100, 110, 90, 95), 0), "100 90 110 95");
        // Adverse: a long meets the low first, a short the high; flat is declared.
        assert_eq!(prices(adverse, m(100, 102, 80, 85), 5), "100 80 102 85");
        assert_eq!(prices(adverse, m(100, 120, 98, 115), -5), "100 120 98 115");
        assert_eq!(prices(adverse, m(100, 120, 98, 115), 0), "100 98 120 115");
    }

    #[test]
    fn a_bar_longer_than_the_window_is_raised_to_what_was_handed_out() {
        let cfg = BarPathConfig {
            window_s: 20,
            ..BarPathConfig::default()
        };
        let events = [
            trade(Ts::secs(10), 100),
            trade(50_000_000_000, 100),
            bar(BarSource::Index, 100, 110, 90, 105, 0),
        ];
        insta::assert_snapshot!(check(cfg, &events, 0), @r"
        rec  1970-01-01T00:00:10Z i0 trade buy 0.00000001 @ 100 id=1
        tick 1970-01-01T00:00:10Z i0 index_price 100
        tick 1970-01-01T00:00:20Z i0 index_price 90
        tick 1970-01-01T00:00:40Z i0 index_price 110
        rec  1970-01-01T00:00:50Z i0 trade buy 0.00000001 @ 100 id=1
        tick 1970-01-01T00:00:59.999999999Z i0 index_price 105
        rec  1970-01-01T00:01:00Z i0 bar Index 60s open 1970-01-01T00:00:00Z o 100 h 110 l 90 c 105 v 0 qv 0 n 0 tbv 0
        ");
    }

    #[test]
    fn premium_and_empty_last_bars_have_no_ticks() {
        let n = |e: Event| {
            check(BarPathConfig::default(), &[e], 0)
                .matches("tick")
                .count()
        };
        assert_eq!(n(bar(BarSource::Premium, 1, 2, 0, 1, 0)), 0);
        assert_eq!(n(bar(BarSource::Last, 1, 2, 0, 1, 0)), 0);
        assert_eq!(n(bar(BarSource::Index, 1, 2, 0, 1, 0)), 4);
    }
}
