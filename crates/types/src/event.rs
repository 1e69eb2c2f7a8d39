//! The recorded market events a replay is made of. Every event carries the time it became
//! known ([`Ts`]) and the instrument it belongs to; the body is one closed enum.
//!
//! Bars are stamped at their **close** (`open_time + interval`), the first moment their
//! high, low and close are known, so a replay never looks ahead.

use crate::{InstrumentId, Money, Price, Qty, Rate, Side, Ts};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One market event: when, which instrument, what.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Event {
    /// When the event became known (exchange time where the source has it).
    pub ts: Ts,
    /// Index into the log's instrument table.
    pub instrument: InstrumentId,
    /// What happened.
    pub body: EventBody,
}

/// A trade on the venue's tape.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Trade {
    /// Trade price.
    pub price: Price,
    /// Traded quantity (base units, or contracts for inverse perps).
    pub qty: Qty,
    /// The side of the taker (aggressor).
    pub aggressor: Side,
    /// The venue's trade id (or aggregate-trade id); 0 when the source has none.
    pub trade_id: u64,
}

/// Best bid and offer.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct BookTop {
    /// Best bid price.
    pub bid_price: Price,
    /// Quantity at the best bid.
    pub bid_qty: Qty,
    /// Best ask price.
    pub ask_price: Price,
    /// Quantity at the best ask.
    pub ask_qty: Qty,
}

/// Cumulative depth within a percentage band of the mid, as in Binance `bookDepth`: one
/// event per band; a snapshot is the run of bands sharing a timestamp.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DepthBand {
    /// Band edge in basis points from the mid: −500 is "bids within 5 % below", +100 "asks
    /// within 1 % above".
    pub band_bps: i32,
    /// Cumulative quantity within the band.
    pub qty: Qty,
    /// Cumulative notional within the band.
    pub notional: Money,
}

/// A price-level change of the L2 book: the new total quantity at `price` (0 removes it).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DepthLevel {
    /// Bid or ask side of the book.
    pub side: Side,
    /// Level price.
    pub price: Price,
    /// New total quantity at the level; zero deletes the level.
    pub qty: Qty,
}

/// Which price series a bar summarises.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub enum BarSource {
    /// Last-traded price (ordinary klines), with volumes.
    Last,
    /// Mark price klines (no volume).
    Mark,
    /// Index price klines (no volume).
    Index,
    /// Premium index klines: values are premium rates, and may be negative.
    Premium,
}

/// An OHLCV bar (kline). Stamped at its close.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Bar {
    /// Which price series this bar summarises.
    pub source: BarSource,
    /// Opening time of the bar.
    pub open_time: Ts,
    /// Bar length in seconds.
    pub interval_s: u32,
    /// First price.
    pub open: Price,
    /// Highest price.
    pub high: Price,
    /// Lowest price.
    pub low: Price,
    /// Last price.
    pub close: Price,
    /// Base (or contract) volume.
    pub volume: Qty,
    /// Quote volume.
    pub quote_volume: Money,
    /// Number of trades.
    pub trades: u64,
    /// Taker-buy base volume.
    pub taker_buy_volume: Qty,
    /// Taker-buy quote volume.
    pub taker_buy_quote_volume: Money,
}

/// The current (predicted) funding rate as published between settlements.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Funding {
    /// Rate for the current interval.
    pub rate: Rate,
    /// When it will settle.
    pub next_funding: Ts,
}

/// A funding settlement: at this event's time, longs pay shorts `rate × notional at mark`
/// (shorts pay longs when negative).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct FundingSettlement {
    /// The settled rate.
    pub rate: Rate,
    /// Length of the interval it covers, in hours.
    pub interval_h: u32,
}

/// Open interest.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct OpenInterest {
    /// Open interest in base units (or contracts).
    pub qty: Qty,
    /// Open interest value in quote (zero when the source does not give it).
    pub value: Money,
}

/// A recorded forced order (liquidation) from the venue's feed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Liquidation {
    /// Side of the forced order: `Sell` means a long was liquidated.
    pub side: Side,
    /// Average fill price.
    pub price: Price,
    /// Filled quantity.
    pub qty: Qty,
}

/// Whose long/short ratio a metric row describes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub enum RatioSource {
    /// Top traders by account count.
    TopAccounts,
    /// Top traders by position size.
    TopPositions,
    /// All accounts.
    Global,
}

/// A long/short ratio metric.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LongShortRatio {
    /// Whose ratio.
    pub source: RatioSource,
    /// Longs ÷ shorts.
    pub ratio: Rate,
}

/// Taker buy and sell volume over the metric's period.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TakerVolume {
    /// Taker-buy volume (base units).
    pub buy: Qty,
    /// Taker-sell volume (base units).
    pub sell: Qty,
}

/// What happened.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum EventBody {
    /// A trade.
    Trade(Trade),
    /// Best bid/offer.
    BookTop(BookTop),
    /// One percentage band of a depth snapshot.
    DepthBand(DepthBand),
    /// One L2 price-level change.
    DepthLevel(DepthLevel),
    /// A kline.
    Bar(Bar),
    /// The venue's mark price.
    MarkPrice(Price),
    /// The venue's index (oracle) price.
    IndexPrice(Price),
    /// The published funding rate ahead of settlement.
    Funding(Funding),
    /// A funding settlement.
    FundingSettlement(FundingSettlement),
    /// Open interest.
    OpenInterest(OpenInterest),
    /// A recorded liquidation (forced order).
    Liquidation(Liquidation),
    /// A long/short ratio.
    LongShortRatio(LongShortRatio),
    /// Taker buy/sell volume.
    TakerVolume(TakerVolume),
}

/// The kind of an event, without its data: for counting, filtering and reports.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub enum EventKind {
    /// [`EventBody::Trade`]
    Trade,
    /// [`EventBody::BookTop`]
    BookTop,
    /// [`EventBody::DepthBand`]
    DepthBand,
    /// [`EventBody::DepthLevel`]
    DepthLevel,
    /// [`EventBody::Bar`]
    Bar,
    /// [`EventBody::MarkPrice`]
    MarkPrice,
    /// [`EventBody::IndexPrice`]
    IndexPrice,
    /// [`EventBody::Funding`]
    Funding,
    /// [`EventBody::FundingSettlement`]
    FundingSettlement,
    /// [`EventBody::OpenInterest`]
    OpenInterest,
    /// [`EventBody::Liquidation`]
    Liquidation,
    /// [`EventBody::LongShortRatio`]
    LongShortRatio,
    /// [`EventBody::TakerVolume`]
    TakerVolume,
}

impl EventKind {
    /// Every kind, in declaration order.
    pub const ALL: [EventKind; 13] = [
        EventKind::Trade,
        EventKind::BookTop,
        EventKind::DepthBand,
        EventKind::DepthLevel,
        EventKind::Bar,
        EventKind::MarkPrice,
        EventKind::IndexPrice,
        EventKind::Funding,
        EventKind::FundingSettlement,
        EventKind::OpenInterest,
        EventKind::Liquidation,
        EventKind::LongShortRatio,
        EventKind::TakerVolume,
    ];

    /// A stable snake_case name.
    pub const fn name(self) -> &'static str {
        match self {
            EventKind::Trade => "trade",
            EventKind::BookTop => "book_top",
            EventKind::DepthBand => "depth_band",
            EventKind::DepthLevel => "depth_level",
            EventKind::Bar => "bar",
            EventKind::MarkPrice => "mark_price",
            EventKind::IndexPrice => "index_price",
            EventKind::Funding => "funding",
            EventKind::FundingSettlement => "funding_settlement",
            EventKind::OpenInterest => "open_interest",
            EventKind::Liquidation => "liquidation",
            EventKind::LongShortRatio => "long_short_ratio",
            EventKind::TakerVolume => "taker_volume",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl EventBody {
    /// The kind of this body.
    pub const fn kind(&self) -> EventKind {
        match self {
            EventBody::Trade(_) => EventKind::Trade,
            EventBody::BookTop(_) => EventKind::BookTop,
            EventBody::DepthBand(_) => EventKind::DepthBand,
            EventBody::DepthLevel(_) => EventKind::DepthLevel,
            EventBody::Bar(_) => EventKind::Bar,
            EventBody::MarkPrice(_) => EventKind::MarkPrice,
            EventBody::IndexPrice(_) => EventKind::IndexPrice,
            EventBody::Funding(_) => EventKind::Funding,
            EventBody::FundingSettlement(_) => EventKind::FundingSettlement,
            EventBody::OpenInterest(_) => EventKind::OpenInterest,
            EventBody::Liquidation(_) => EventKind::Liquidation,
            EventBody::LongShortRatio(_) => EventKind::LongShortRatio,
            EventBody::TakerVolume(_) => EventKind::TakerVolume,
        }
    }
}

impl Event {
    /// The kind of this event.
    pub const fn kind(&self) -> EventKind {
        self.body.kind()
    }
}

impl fmt::Display for Event {
    /// One line, stable, for `inspect` output and snapshots.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ", self.ts, self.instrument)?;
        match &self.body {
            EventBody::Trade(t) => {
                write!(
                    f,
                    "trade {} {} @ {} id={}",
                    t.aggressor, t.qty, t.price, t.trade_id
                )
            }
            EventBody::BookTop(b) => write!(
                f,
                "book_top bid {} x {} ask {} x {}",
                b.bid_price, b.bid_qty, b.ask_price, b.ask_qty
            ),
            EventBody::DepthBand(d) => {
                write!(
                    f,
                    "depth_band {:+}bps qty {} notional {}",
                    d.band_bps, d.qty, d.notional
                )
            }
            EventBody::DepthLevel(d) => write!(f, "depth_level {} {} @ {}", d.side, d.qty, d.price),
            EventBody::Bar(b) => write!(
                f,
                "bar {:?} {}s open {} o {} h {} l {} c {} v {} qv {} n {} tbv {}",
                b.source,
                b.interval_s,
                b.open_time,
                b.open,
                b.high,
                b.low,
                b.close,
                b.volume,
                b.quote_volume,
                b.trades,
                b.taker_buy_volume
            ),
            EventBody::MarkPrice(p) => write!(f, "mark_price {p}"),
            EventBody::IndexPrice(p) => write!(f, "index_price {p}"),
            EventBody::Funding(x) => write!(f, "funding rate {} next {}", x.rate, x.next_funding),
            EventBody::FundingSettlement(x) => {
                write!(
                    f,
                    "funding_settlement rate {} interval {}h",
                    x.rate, x.interval_h
                )
            }
            EventBody::OpenInterest(x) => write!(f, "open_interest {} value {}", x.qty, x.value),
            EventBody::Liquidation(x) => {
                write!(f, "liquidation {} {} @ {}", x.side, x.qty, x.price)
            }
            EventBody::LongShortRatio(x) => {
                write!(f, "long_short_ratio {:?} {}", x.source, x.ratio)
            }
            EventBody::TakerVolume(x) => write!(f, "taker_volume buy {} sell {}", x.buy, x.sell),
        }
    }
}
