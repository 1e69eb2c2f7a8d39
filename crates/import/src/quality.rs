//! The data-quality gate: every event an import keeps passes it, file by file, stream by
//! stream (instrument, kind, and for bars their price source and interval).
//!
//! What it refuses (unless the policy keeps it, and then the log is **flagged**: the flag is
//! stored in the log's header and every run on the log shows it):
//! - **duplicated rows**: a trade whose id is not above the stream's last id; a bar or a
//!   funding settlement at the same time as the stream's previous one, identical to it
//!   (`--dedupe` drops them, counted); two *different* bars or settlements for one time are
//!   refused always;
//! - **price jumps** against the stream's previous price beyond [`DEFAULT_MAX_JUMP`]× either
//!   way (a trade's price, a mark or index, a bar's high and low against the previous close;
//!   premium-index bars are not prices and are not checked) — `--max-jump X` keeps jumps up to
//!   X×; and ([`CrossCheck`], across the files of one import) an instrument's last price,
//!   mark and index more than that factor apart within a minute;
//! - **implausible values**: a funding rate beyond ±[`MAX_FUNDING_RATE`] per interval (every
//!   venue caps far below), a depth band beyond ±[`MAX_DEPTH_BAND_BPS`] bps, a bar whose taker
//!   buy volume exceeds its volume — `--allow-implausible` keeps them.
//!
//! What it only reports: gaps (bars missing from a bar stream, the largest gap of every
//! stream), and other events identical to their stream's previous one (two trades without ids
//! at the same time, price and size can be real).
//!
//! The thresholds are the documented policy (README, "Robustness"); ratios are compared in
//! `f64`, which decides only refusal, never a result.

use cascade_types::{Bar, BarSource, Event, EventBody, EventKind, InstrumentSpec, Price, Ts};
use std::collections::BTreeMap;

/// Price jumps beyond this factor (up or down) between one event and the previous of its
/// stream are refused by default. A BTC 1-minute bar has never moved 2×; a tenfold jump is a
/// bad tick (a mark of 9·10⁷ among 120,000s is 750×).
pub const DEFAULT_MAX_JUMP: f64 = 10.0;
/// Funding rates beyond ±5 % per interval are implausible (Binance caps at ±3 % or less,
/// BitMEX at ±0.75 %).
pub const MAX_FUNDING_RATE: f64 = 0.05;
/// Depth bands beyond ±20 % (2,000 bps) are implausible (Binance's bookDepth goes to ±5 %).
pub const MAX_DEPTH_BAND_BPS: i32 = 2_000;

/// What the gate keeps that it would otherwise refuse.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QualityPolicy {
    /// Jumps up to this factor are accepted (at least 1; default [`DEFAULT_MAX_JUMP`]).
    pub max_jump: f64,
    /// Keep implausible values (flagged).
    pub allow_implausible: bool,
    /// Drop duplicated rows (counted and flagged) instead of refusing them.
    pub dedupe: bool,
}

impl Default for QualityPolicy {
    fn default() -> Self {
        QualityPolicy {
            max_jump: DEFAULT_MAX_JUMP,
            allow_implausible: false,
            dedupe: false,
        }
    }
}

/// Why the gate refused an event: what is wrong and which option would keep it.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    /// What is wrong with the event.
    pub problem: String,
    /// How to keep it anyway (and have the log flagged), if it can be kept.
    pub remedy: Option<String>,
}

/// The gate's verdict on one event.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Keep the event.
    Keep,
    /// Drop it: a duplicated row under `--dedupe` (counted).
    Drop,
}

/// One stream of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    instrument: u32,
    kind: EventKind,
    bar: Option<(BarSource, u32)>,
}

/// What the gate remembers of one stream.
#[derive(Clone, Debug, Default)]
struct Stream {
    events: u64,
    last: Option<Event>,
    last_price: Option<(Ts, Price)>,
    max_trade_id: u64,
    duplicates: u64,
    repeats: u64,
    missing_bars: u64,
    gaps: u64,
    largest_gap: Option<(Ts, i64)>,
    jumps_kept: u64,
    largest_jump: Option<(Ts, f64)>,
    implausible_kept: u64,
}

/// The gate over one file's events, in file order.
#[derive(Debug)]
pub struct Gate {
    policy: QualityPolicy,
    streams: BTreeMap<Key, Stream>,
}

fn key(e: &Event) -> Key {
    Key {
        instrument: e.instrument.0,
        kind: e.body.kind(),
        bar: match &e.body {
            EventBody::Bar(b) => Some((b.source, b.interval_s)),
            _ => None,
        },
    }
}

/// The factor between two positive prices (≥ 1), `None` when either is not positive.
fn factor(a: Price, b: Price) -> Option<f64> {
    let (a, b) = (a.to_f64(), b.to_f64());
    (a > 0.0 && b > 0.0).then(|| if a > b { a / b } else { b / a })
}

/// The prices of an event checked against the stream's previous price (no allocation: a
/// bar's four, else one repeated), and the price the next event is checked against.
fn prices(body: &EventBody) -> Option<([Price; 4], Price)> {
    match body {
        EventBody::Trade(t) => Some(([t.price; 4], t.price)),
        EventBody::MarkPrice(p) | EventBody::IndexPrice(p) => Some(([*p; 4], *p)),
        EventBody::Bar(b) if b.source != BarSource::Premium => {
            Some(([b.open, b.high, b.low, b.close], b.close))
        }
        _ => None,
    }
}

/// The implausible value in an event, if any.
fn implausible(body: &EventBody) -> Option<String> {
    match body {
        EventBody::Funding(f) if f.rate.to_f64().abs() > MAX_FUNDING_RATE => Some(format!(
            "funding rate {} is beyond ±{MAX_FUNDING_RATE} per interval",
            f.rate
        )),
        EventBody::FundingSettlement(s) if s.rate.to_f64().abs() > MAX_FUNDING_RATE => {
            Some(format!(
                "funding settlement rate {} is beyond ±{MAX_FUNDING_RATE} per interval",
                s.rate
            ))
        }
        EventBody::DepthBand(d) if d.band_bps.abs() > MAX_DEPTH_BAND_BPS => Some(format!(
            "depth band {} bps is beyond ±{MAX_DEPTH_BAND_BPS} bps",
            d.band_bps
        )),
        EventBody::Bar(b) if b.taker_buy_volume > b.volume => Some(format!(
            "taker buy volume {} exceeds the bar's volume {}",
            b.taker_buy_volume, b.volume
        )),
        _ => None,
    }
}

/// A bar stream's expected step between bars, in ns.
fn bar_step(b: &Bar) -> i64 {
    i64::from(b.interval_s) * Ts::NANOS_PER_SEC
}

impl Gate {
    /// A gate applying `policy`.
    pub fn new(policy: QualityPolicy) -> Gate {
        Gate {
            policy,
            streams: BTreeMap::new(),
        }
    }

    /// Checks one event (in file order): keep it, drop it, or refuse the file.
    pub fn check(&mut self, e: &Event) -> Result<Verdict, Refusal> {
        let policy = self.policy;
        let s = self.streams.entry(key(e)).or_default();
        // Duplicated rows.
        if let EventBody::Trade(t) = &e.body {
            if t.trade_id != 0 {
                if s.events > 0 && s.max_trade_id != 0 && t.trade_id <= s.max_trade_id {
                    return s.duplicate(
                        policy,
                        format!(
                            "trade id {} is not above the previous {} (a duplicated or reordered row)",
                            t.trade_id, s.max_trade_id
                        ),
                    );
                }
                s.max_trade_id = t.trade_id;
            }
        }
        if let Some(last) = &s.last {
            let one_per_time =
                matches!(e.body.kind(), EventKind::Bar | EventKind::FundingSettlement);
            if last.ts == e.ts && one_per_time {
                if last.body == e.body {
                    return s.duplicate(
                        policy,
                        "the same row as the previous one of its stream (a duplicated row)"
                            .to_string(),
                    );
                }
                return Err(Refusal {
                    problem: format!(
                        "a second, different {} for the same time as the previous row: the \
                         file contradicts itself (which one is right cannot be told)",
                        e.body.kind().name()
                    ),
                    remedy: None,
                });
            }
            if last.ts == e.ts && last.body == e.body && !matches!(e.body, EventBody::Trade(_)) {
                if policy.dedupe {
                    s.duplicates += 1;
                    return Ok(Verdict::Drop);
                }
                s.repeats += 1;
            }
            // Gaps.
            let gap = e.ts.0 - last.ts.0;
            if s.largest_gap.is_none_or(|(_, g)| gap > g) {
                s.largest_gap = Some((last.ts, gap));
            }
            if let EventBody::Bar(b) = &e.body {
                let step = bar_step(b);
                if step > 0 && gap > step {
                    s.gaps += 1;
                    s.missing_bars += (gap / step - 1).max(0) as u64;
                }
            }
        }
        // Implausible values.
        if let Some(problem) = implausible(&e.body) {
            if !policy.allow_implausible {
                return Err(Refusal {
                    problem,
                    remedy: Some("--allow-implausible keeps it (the log is flagged)".to_string()),
                });
            }
            s.implausible_kept += 1;
        }
        // Jumps.
        if let Some((checked, next)) = prices(&e.body) {
            if let Some((at, prev)) = s.last_price {
                let worst = checked
                    .iter()
                    .filter_map(|p| factor(*p, prev))
                    .fold(1.0_f64, f64::max);
                if worst > policy.max_jump {
                    return Err(Refusal {
                        problem: format!(
                            "a price {worst:.1}× away from the stream's previous {prev} (at {at}): beyond the accepted {}× (a bad tick?)",
                            policy.max_jump
                        ),
                        remedy: Some(format!(
                            "--max-jump {} keeps it (the log is flagged)",
                            (worst.ceil() as u64).max(2)
                        )),
                    });
                }
                if worst > DEFAULT_MAX_JUMP {
                    s.jumps_kept += 1;
                }
                if s.largest_jump.is_none_or(|(_, j)| worst > j) {
                    s.largest_jump = Some((e.ts, worst));
                }
            }
            s.last_price = Some((e.ts, next));
        }
        s.events += 1;
        s.last = Some(*e);
        Ok(Verdict::Keep)
    }

    /// The report: one line per stream (events, gaps, duplicates, largest jump) and the flags
    /// (what was kept that the default policy refuses). Stream names use `specs`.
    pub fn finish(self, specs: &[InstrumentSpec]) -> QualityReport {
        let mut report = QualityReport::default();
        for (k, s) in &self.streams {
            let name = stream_name(k, specs);
            let mut parts = vec![format!("{} events", s.events)];
            if s.gaps > 0 {
                parts.push(format!("{} gaps ({} bars missing)", s.gaps, s.missing_bars));
            }
            // A bar stream's largest gap is news only when bars are missing.
            let gapless_bars = k.bar.is_some() && s.gaps == 0;
            if let Some((at, g)) = s.largest_gap.filter(|_| !gapless_bars) {
                parts.push(format!("largest gap {} after {at}", human_ns(g)));
            }
            if let Some((at, j)) = s.largest_jump {
                parts.push(format!("largest price step {j:.3}× at {at}"));
            }
            if s.repeats > 0 {
                parts.push(format!(
                    "{} events identical to the previous one (kept; --dedupe drops them)",
                    s.repeats
                ));
            }
            report.lines.push(format!("{name}: {}", parts.join(", ")));
            if s.duplicates > 0 {
                report.flags.push(format!(
                    "{name}: {} duplicated rows dropped (--dedupe)",
                    s.duplicates
                ));
            }
            if s.jumps_kept > 0 {
                report.flags.push(format!(
                    "{name}: {} price jumps beyond {DEFAULT_MAX_JUMP}× kept (--max-jump {})",
                    s.jumps_kept, self.policy.max_jump
                ));
            }
            if s.implausible_kept > 0 {
                report.flags.push(format!(
                    "{name}: {} implausible values kept (--allow-implausible)",
                    s.implausible_kept
                ));
            }
        }
        report
    }
}

impl Stream {
    fn duplicate(&mut self, policy: QualityPolicy, problem: String) -> Result<Verdict, Refusal> {
        if policy.dedupe {
            self.duplicates += 1;
            Ok(Verdict::Drop)
        } else {
            Err(Refusal {
                problem,
                remedy: Some("--dedupe drops duplicated rows (the log is flagged)".to_string()),
            })
        }
    }
}

/// A file's quality report: per-stream lines (printed by `import`, stored in the log) and
/// flags (stored in the log's header and shown by every run on it).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QualityReport {
    /// One line per stream.
    pub lines: Vec<String>,
    /// What was kept that the default policy refuses.
    pub flags: Vec<String>,
}

fn stream_name(k: &Key, specs: &[InstrumentSpec]) -> String {
    let symbol = specs
        .get(k.instrument as usize)
        .map_or_else(|| format!("i{}", k.instrument), |s| s.symbol.clone());
    match k.bar {
        Some((source, interval)) => format!("{symbol} {source:?} bars {interval}s"),
        None => format!("{symbol} {}", k.kind.name()),
    }
}

fn human_ns(ns: i64) -> String {
    let s = ns / Ts::NANOS_PER_SEC;
    if s >= 86_400 {
        format!("{:.1} d", s as f64 / 86_400.0)
    } else if s >= 3_600 {
        format!("{:.1} h", s as f64 / 3_600.0)
    } else if s >= 60 {
        format!("{:.1} min", s as f64 / 60.0)
    } else {
        format!("{:.3} s", ns as f64 / 1e9)
    }
}

/// Which of an instrument's price streams an event prices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum PriceClass {
    /// Trades and last-price bars.
    Last,
    /// Mark prices and mark-price bars.
    Mark,
    /// Index prices and index-price bars.
    Index,
}

impl PriceClass {
    fn name(self) -> &'static str {
        match self {
            PriceClass::Last => "last price",
            PriceClass::Mark => "mark",
            PriceClass::Index => "index",
        }
    }

    /// The class and the price of an event (a bar's close), if it prices one.
    fn of(body: &EventBody) -> Option<(PriceClass, Price)> {
        match body {
            EventBody::Trade(t) => Some((PriceClass::Last, t.price)),
            EventBody::MarkPrice(p) => Some((PriceClass::Mark, *p)),
            EventBody::IndexPrice(p) => Some((PriceClass::Index, *p)),
            EventBody::Bar(b) => match b.source {
                BarSource::Last => Some((PriceClass::Last, b.close)),
                BarSource::Mark => Some((PriceClass::Mark, b.close)),
                BarSource::Index => Some((PriceClass::Index, b.close)),
                BarSource::Premium => None,
            },
            _ => None,
        }
    }
}

/// The check of an instrument's price streams against each other (last vs mark vs index),
/// across all the files of one import: every price is compared with the other streams' last
/// price of the same minute (or the minute before), from this file or any earlier one.
/// Memory: one price per stream and minute.
#[derive(Debug, Default)]
pub struct CrossCheck {
    minutes: BTreeMap<(u32, PriceClass), BTreeMap<i64, Price>>,
    largest: Option<(u32, Ts, f64)>,
}

const CLASSES: [PriceClass; 3] = [PriceClass::Last, PriceClass::Mark, PriceClass::Index];

impl CrossCheck {
    /// A check with nothing seen yet.
    pub fn new() -> CrossCheck {
        CrossCheck::default()
    }

    /// Checks one kept event against the other streams, then records its price.
    pub fn check(&mut self, e: &Event, policy: QualityPolicy) -> Result<(), Refusal> {
        let Some((class, price)) = PriceClass::of(&e.body) else {
            return Ok(());
        };
        let minute = e.ts.0.div_euclid(60 * Ts::NANOS_PER_SEC);
        let id = e.instrument.0;
        for other in CLASSES.into_iter().filter(|c| *c != class) {
            let Some(series) = self.minutes.get(&(id, other)) else {
                continue;
            };
            let near = series
                .get(&minute)
                .or_else(|| series.get(&(minute - 1)))
                .copied();
            let Some(theirs) = near else { continue };
            let Some(f) = factor(price, theirs) else {
                continue;
            };
            if self.largest.is_none_or(|(_, _, g)| f > g) {
                self.largest = Some((id, e.ts, f));
            }
            if f > policy.max_jump {
                return Err(Refusal {
                    problem: format!(
                        "its {} {price} is {f:.1}× away from the {} {theirs} of the same minute: beyond the accepted {}× (a bad tick in one of the streams?)",
                        class.name(),
                        other.name(),
                        policy.max_jump
                    ),
                    remedy: Some(format!(
                        "--max-jump {} keeps it (the log is flagged)",
                        (f.ceil() as u64).max(2)
                    )),
                });
            }
        }
        self.minutes
            .entry((id, class))
            .or_default()
            .insert(minute, price);
        Ok(())
    }

    /// One report line: the largest gap seen between two streams of one instrument, and a
    /// flag when it is beyond the default policy (kept with `--max-jump`).
    pub fn finish(&self, specs: &[InstrumentSpec]) -> QualityReport {
        let mut r = QualityReport::default();
        if let Some((id, at, f)) = self.largest {
            let symbol = specs.get(id as usize).map_or("?", |s| s.symbol.as_str());
            r.lines.push(format!(
                "{symbol}: the largest gap between its price streams (last, mark, index) is {f:.3}× at {at}"
            ));
            if f > DEFAULT_MAX_JUMP {
                r.flags.push(format!(
                    "{symbol}: its price streams differ by {f:.1}× at {at} (beyond {DEFAULT_MAX_JUMP}×, kept with --max-jump)"
                ));
            }
        }
        r
    }
}
