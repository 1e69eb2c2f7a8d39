//! The coverage table: what each input stream of a run held inside the run's window — first
//! and last event, count, gaps, and how stale it is against the instrument's trades — so a
//! card can say which data a result rests on and where it is thin.
//!
//! A **stream** is one instrument × one kind of event (bars are split by their price source:
//! last, mark, index, premium). [`CoverageBuilder::observe`] takes every market event the run
//! applies, in order, in O(1) time and memory per event; [`CoverageBuilder::finish`] gives
//! the [`Coverage`] table.
//!
//! **Gaps.** A bar stream has a gap where a bar does not open at the previous bar's end
//! (`open_time > previous open_time + interval`). Any other stream has a gap where two
//! consecutive events are more than twice the stream's cadence apart and more than
//! [`GAP_FLOOR_NS`] apart — the cadence being the smallest positive spacing seen so far (a
//! funding stream's 8 h, a metrics stream's 5 min). Recorded liquidations are sparse by
//! nature and have no gaps. The count is exact for every gap found this way; the table lists
//! the [`GAPS_KEPT`] longest with their times.
//!
//! **Staleness** compares a stream with the trades of its instrument (recorded trades, or
//! last-price bars when there are none): how long after the first trade the stream starts,
//! and how long before the last trade it ends.

use cascade_types::{BarSource, Event, EventBody, EventKind, InstrumentId, InstrumentSpec, Ts};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Spacings at or below this are never gaps (one minute).
pub const GAP_FLOOR_NS: i64 = 60 * Ts::NANOS_PER_SEC;
/// How many of the longest gaps each stream keeps, with their times.
pub const GAPS_KEPT: usize = 5;

/// One stream's kind: an event kind, with bars split by price source.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamKind {
    /// Recorded trades.
    Trades,
    /// Last-price bars (klines).
    LastBars,
    /// Mark-price bars.
    MarkBars,
    /// Index-price bars.
    IndexBars,
    /// Premium-index bars.
    PremiumBars,
    /// Best bid/offer.
    BookTop,
    /// Depth-snapshot bands.
    DepthBands,
    /// L2 level changes.
    DepthLevels,
    /// Mark-price events.
    Mark,
    /// Index-price events.
    Index,
    /// Published funding rates.
    FundingRate,
    /// Funding settlements.
    FundingSettlement,
    /// Open interest.
    OpenInterest,
    /// Recorded liquidations.
    Liquidations,
    /// Long/short ratios.
    LongShortRatio,
    /// Taker buy/sell volume.
    TakerVolume,
}

impl StreamKind {
    /// The stream kind of an event.
    pub fn of(body: &EventBody) -> StreamKind {
        match body {
            EventBody::Bar(b) => match b.source {
                BarSource::Last => StreamKind::LastBars,
                BarSource::Mark => StreamKind::MarkBars,
                BarSource::Index => StreamKind::IndexBars,
                BarSource::Premium => StreamKind::PremiumBars,
            },
            other => match other.kind() {
                EventKind::Trade => StreamKind::Trades,
                EventKind::BookTop => StreamKind::BookTop,
                EventKind::DepthBand => StreamKind::DepthBands,
                EventKind::DepthLevel => StreamKind::DepthLevels,
                EventKind::MarkPrice => StreamKind::Mark,
                EventKind::IndexPrice => StreamKind::Index,
                EventKind::Funding => StreamKind::FundingRate,
                EventKind::FundingSettlement => StreamKind::FundingSettlement,
                EventKind::OpenInterest => StreamKind::OpenInterest,
                EventKind::Liquidation => StreamKind::Liquidations,
                EventKind::LongShortRatio => StreamKind::LongShortRatio,
                EventKind::TakerVolume => StreamKind::TakerVolume,
                EventKind::Bar => unreachable!("bars are matched above"),
            },
        }
    }

    /// A short name for tables.
    pub fn name(self) -> &'static str {
        match self {
            StreamKind::Trades => "trades",
            StreamKind::LastBars => "bars (last)",
            StreamKind::MarkBars => "bars (mark)",
            StreamKind::IndexBars => "bars (index)",
            StreamKind::PremiumBars => "bars (premium)",
            StreamKind::BookTop => "book top",
            StreamKind::DepthBands => "depth bands",
            StreamKind::DepthLevels => "depth levels",
            StreamKind::Mark => "mark",
            StreamKind::Index => "index",
            StreamKind::FundingRate => "funding rate",
            StreamKind::FundingSettlement => "funding settlement",
            StreamKind::OpenInterest => "open interest",
            StreamKind::Liquidations => "liquidations",
            StreamKind::LongShortRatio => "long/short ratio",
            StreamKind::TakerVolume => "taker volume",
        }
    }

    /// True for the streams that carry a mark price (events or bars).
    pub fn is_mark(self) -> bool {
        matches!(self, StreamKind::Mark | StreamKind::MarkBars)
    }
    /// True for the streams that carry an index price (events or bars).
    pub fn is_index(self) -> bool {
        matches!(self, StreamKind::Index | StreamKind::IndexBars)
    }
    /// True for the streams that carry funding (rates or settlements).
    pub fn is_funding(self) -> bool {
        matches!(
            self,
            StreamKind::FundingRate | StreamKind::FundingSettlement
        )
    }
    /// True for the streams that carry traded prices (trades or last-price bars).
    pub fn is_last_price(self) -> bool {
        matches!(self, StreamKind::Trades | StreamKind::LastBars)
    }
}

/// One gap of a stream: no event from `from` to `to`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
pub struct Gap {
    /// The end of the data before the gap (a bar's end, or the last event's time).
    pub from: Ts,
    /// The start of the data after it.
    pub to: Ts,
}

impl Gap {
    /// Its length in nanoseconds.
    pub fn len_ns(&self) -> i64 {
        self.to.nanos() - self.from.nanos()
    }
}

/// One row of the table.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct StreamCoverage {
    /// The instrument's symbol.
    pub symbol: String,
    /// The instrument's index in the run's table.
    pub instrument: u32,
    /// What the stream is.
    pub kind: StreamKind,
    /// Events in the window.
    pub events: u64,
    /// The first event's time (a bar's open).
    pub first: Ts,
    /// The last event's time (a bar's end).
    pub last: Ts,
    /// The stream's cadence: a bar's interval, else the smallest positive spacing (ns).
    pub cadence_ns: Option<i64>,
    /// Gaps found (see the module docs).
    pub gaps: u64,
    /// The longest gaps, longest first.
    pub longest_gaps: Vec<Gap>,
    /// How long after the instrument's first trade the stream starts (ns; 0 if before).
    pub starts_after_trades_ns: Option<i64>,
    /// How long before the instrument's last trade the stream ends (ns; 0 if after).
    pub ends_before_trades_ns: Option<i64>,
}

/// The whole table, rows by instrument then stream kind.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize)]
pub struct Coverage {
    /// The run's window as given (`None` where open), for the table's heading.
    pub window: (Option<Ts>, Option<Ts>),
    /// Events outside the window, not applied.
    pub outside_window: u64,
    /// One row per stream that had an event in the window.
    pub streams: Vec<StreamCoverage>,
}

#[derive(Clone, Debug, Default)]
struct Acc {
    events: u64,
    first: Option<Ts>,
    /// The end of the data so far (a bar's end, or the last event's time).
    end: Option<Ts>,
    last_event: Option<Ts>,
    cadence: Option<i64>,
    gaps: u64,
    longest: Vec<Gap>,
}

impl Acc {
    fn keep(&mut self, g: Gap) {
        let at = self
            .longest
            .iter()
            .position(|k| k.len_ns() < g.len_ns())
            .unwrap_or(self.longest.len());
        if at < GAPS_KEPT {
            self.longest.insert(at, g);
            self.longest.truncate(GAPS_KEPT);
        }
    }
}

/// Gathers the coverage table from the events a run applies.
#[derive(Clone, Debug, Default)]
pub struct CoverageBuilder {
    streams: BTreeMap<(u32, StreamKind), Acc>,
    outside_window: u64,
}

impl CoverageBuilder {
    /// An empty builder.
    pub fn new() -> CoverageBuilder {
        CoverageBuilder::default()
    }

    /// Counts an event outside the run's window (not applied).
    pub fn outside(&mut self) {
        self.outside_window += 1;
    }

    /// Takes one applied market event (in the run's order).
    pub fn observe(&mut self, ev: &Event) {
        let kind = StreamKind::of(&ev.body);
        let a = self.streams.entry((ev.instrument.0, kind)).or_default();
        a.events += 1;
        match &ev.body {
            EventBody::Bar(b) => {
                let interval = i64::from(b.interval_s) * Ts::NANOS_PER_SEC;
                let start = b.open_time;
                let end = Ts::from_nanos(start.nanos().saturating_add(interval));
                if a.first.is_none() {
                    a.first = Some(start);
                }
                if interval > 0 {
                    a.cadence = Some(a.cadence.map_or(interval, |c| c.min(interval)));
                }
                if let Some(prev_end) = a.end {
                    if start > prev_end {
                        a.gaps += 1;
                        a.keep(Gap {
                            from: prev_end,
                            to: start,
                        });
                    }
                }
                a.end = Some(a.end.map_or(end, |e| e.max(end)));
                a.last_event = Some(ev.ts);
            }
            _ => {
                let t = ev.ts;
                if a.first.is_none() {
                    a.first = Some(t);
                }
                if let Some(prev) = a.last_event {
                    let d = t.nanos() - prev.nanos();
                    if d > 0 {
                        if kind != StreamKind::Liquidations {
                            if let Some(c) = a.cadence {
                                if d > GAP_FLOOR_NS && d > c.saturating_mul(2) {
                                    a.gaps += 1;
                                    a.keep(Gap { from: prev, to: t });
                                }
                            }
                        }
                        a.cadence = Some(a.cadence.map_or(d, |c| c.min(d)));
                    }
                }
                a.last_event = Some(t);
                a.end = Some(t);
            }
        }
    }

    /// The table, for the run's `instruments` and `window`.
    pub fn finish(
        &self,
        instruments: &[InstrumentSpec],
        window: (Option<Ts>, Option<Ts>),
    ) -> Coverage {
        // The instrument's traded span: recorded trades, else last-price bars.
        let mut traded: BTreeMap<u32, (Ts, Ts)> = BTreeMap::new();
        for kind in [StreamKind::LastBars, StreamKind::Trades] {
            for ((i, k), a) in &self.streams {
                if *k == kind {
                    if let (Some(f), Some(e)) = (a.first, a.end) {
                        traded.insert(*i, (f, e));
                    }
                }
            }
        }
        let streams = self
            .streams
            .iter()
            .filter_map(|((i, kind), a)| {
                let (first, last) = (a.first?, a.end?);
                let t = traded.get(i);
                Some(StreamCoverage {
                    symbol: instruments
                        .get(*i as usize)
                        .map_or_else(|| format!("#{i}"), |s| s.symbol.clone()),
                    instrument: *i,
                    kind: *kind,
                    events: a.events,
                    first,
                    last,
                    cadence_ns: a.cadence,
                    gaps: a.gaps,
                    longest_gaps: a.longest.clone(),
                    starts_after_trades_ns: t.map(|(f, _)| (first.nanos() - f.nanos()).max(0)),
                    ends_before_trades_ns: t.map(|(_, e)| (e.nanos() - last.nanos()).max(0)),
                })
            })
            .collect();
        Coverage {
            window,
            outside_window: self.outside_window,
            streams,
        }
    }
}

impl Coverage {
    /// True when instrument `i` had a stream for which `f` holds.
    pub fn has(&self, i: InstrumentId, f: impl Fn(StreamKind) -> bool) -> bool {
        self.streams
            .iter()
            .any(|s| s.instrument == i.0 && f(s.kind) && s.events > 0)
    }

    /// The table as text (one line per stream, then its longest gaps).
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let w = |t: Option<Ts>| t.map_or_else(|| "open".to_string(), |t| t.to_string());
        let _ = writeln!(
            out,
            "window: {} → {} (events outside it, not applied: {})",
            w(self.window.0),
            w(self.window.1),
            self.outside_window
        );
        let _ = writeln!(
            out,
            "{:<14} {:<19} {:>10}  {:<20} {:<20} {:>9} {:>5}  {:>10} {:>10}",
            "instrument",
            "stream",
            "events",
            "first",
            "last",
            "cadence",
            "gaps",
            "late start",
            "early end"
        );
        for s in &self.streams {
            let _ = writeln!(
                out,
                "{:<14} {:<19} {:>10}  {:<20} {:<20} {:>9} {:>5}  {:>10} {:>10}",
                s.symbol,
                s.kind.name(),
                s.events,
                s.first.to_string(),
                s.last.to_string(),
                s.cadence_ns.map_or_else(|| "-".into(), duration),
                s.gaps,
                s.starts_after_trades_ns
                    .map_or_else(|| "-".into(), duration),
                s.ends_before_trades_ns.map_or_else(|| "-".into(), duration),
            );
            for g in &s.longest_gaps {
                let _ = writeln!(
                    out,
                    "{:<14}   gap {} → {} ({})",
                    "",
                    g.from,
                    g.to,
                    duration(g.len_ns())
                );
            }
        }
        out
    }
}

/// A duration in the largest fitting unit: `0`, `250ms`, `30s`, `5m`, `8h`, `1d 0h 5m`.
pub fn duration(ns: i64) -> String {
    let s = ns / Ts::NANOS_PER_SEC;
    if ns == 0 {
        "0".into()
    } else if s == 0 {
        format!("{}ms", ns / 1_000_000)
    } else if s < 60 {
        format!("{s}s")
    } else if s < 3_600 {
        if s % 60 == 0 {
            format!("{}m", s / 60)
        } else {
            format!("{}m{}s", s / 60, s % 60)
        }
    } else if s < 86_400 {
        if s % 3_600 == 0 {
            format!("{}h", s / 3_600)
        } else {
            format!("{}h{}m", s / 3_600, (s % 3_600) / 60)
        }
    } else {
        format!(
            "{}d{}h{}m",
            s / 86_400,
            (s % 86_400) / 3_600,
            (s % 3_600) / 60
        )
    }
}
