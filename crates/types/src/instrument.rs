use crate::{Price, Qty};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of market an instrument is.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub enum InstrumentKind {
    /// Spot: buy the asset itself, no leverage.
    Spot,
    /// Linear perpetual: quoted and settled in the quote currency (USDT-margined).
    LinearPerp,
    /// Inverse perpetual: contracts of a fixed quote value, settled in the base coin
    /// (COIN-margined, e.g. Binance `BTCUSD_PERP`, BitMEX `XBTUSD`).
    InversePerp,
}

impl fmt::Display for InstrumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            InstrumentKind::Spot => "spot",
            InstrumentKind::LinearPerp => "linear-perp",
            InstrumentKind::InversePerp => "inverse-perp",
        })
    }
}

/// One instrument of a venue: the static facts a log's instrument table records.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct InstrumentSpec {
    /// Venue name, lower case: `binance-um`, `binance-cm`, `binance-spot`, `coinbase`,
    /// `hyperliquid`, `bitmex`, …
    pub venue: String,
    /// The venue's symbol, as the venue writes it: `BTCUSDT`, `AVAXUSD_PERP`, `AVAX-USD`.
    pub symbol: String,
    /// Spot, linear or inverse perpetual.
    pub kind: InstrumentKind,
    /// Base asset (`BTC`).
    pub base: String,
    /// Quote asset (`USDT`, `USD`).
    pub quote: String,
    /// Price increment.
    pub tick: Price,
    /// Quantity increment (base units, or contracts for inverse perps).
    pub lot: Qty,
    /// Contract size: base units per contract for linear, quote value per contract for
    /// inverse (Binance COIN-M: 100 USD for BTC, 10 USD for others); 1 for spot.
    pub contract_size: Qty,
}

impl InstrumentSpec {
    /// A spec with tick and lot of 10⁻⁸ and contract size 1, for tests and inferred imports.
    pub fn new(venue: &str, symbol: &str, kind: InstrumentKind, base: &str, quote: &str) -> Self {
        InstrumentSpec {
            venue: venue.to_string(),
            symbol: symbol.to_string(),
            kind,
            base: base.to_string(),
            quote: quote.to_string(),
            tick: Price::from_raw(1),
            lot: Qty::from_raw(1),
            contract_size: Qty::ONE,
        }
    }
}
