use crate::{Money, Price, Qty, Rounding};
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
    /// What `qty` of this instrument at `price` is worth in the money its venue counts it in:
    /// `price × qty` (quote currency) for spot and linear perpetuals; for an inverse
    /// perpetual, margined and settled in its coin, `qty × contract_size / price` coin.
    /// Half-even; zero for a non-positive price of an inverse perpetual.
    ///
    /// ```
    /// use cascade_types::*;
    /// let mut xbt = InstrumentSpec::new("bitmex", "XBTUSD", InstrumentKind::InversePerp, "BTC", "USD");
    /// xbt.contract_size = Qty::ONE;
    /// // 1,000 one-dollar contracts at 10,000 are 0.1 BTC.
    /// assert_eq!(xbt.value(Price::from_int(10_000), Qty::from_int(1_000)).to_string(), "0.1");
    /// ```
    pub fn value(&self, price: Price, qty: Qty) -> Money {
        if self.kind != InstrumentKind::InversePerp {
            return price.notional(qty, Rounding::HalfEven);
        }
        if !price.is_positive() {
            return Money::ZERO;
        }
        let num = qty.raw() as i128 * self.contract_size.raw() as i128;
        let den = price.raw() as i128;
        let (q, r) = (num.div_euclid(den), num.rem_euclid(den));
        let up = 2 * r > den || (2 * r == den && q % 2 != 0);
        Money::from_raw((q + i128::from(up)).clamp(i64::MIN as i128, i64::MAX as i128) as i64)
    }

    /// The face value of `qty` in the quote currency: `price × qty` for spot and linear
    /// perpetuals, `qty × contract_size` for an inverse perpetual (its contracts are quote
    /// amounts). Half-even.
    pub fn quote_value(&self, price: Price, qty: Qty) -> Money {
        if self.kind == InstrumentKind::InversePerp {
            Money::from_raw(
                (qty.raw() as i128 * self.contract_size.raw() as i128 / crate::SCALE as i128)
                    .clamp(i64::MIN as i128, i64::MAX as i128) as i64,
            )
        } else {
            price.notional(qty, Rounding::HalfEven)
        }
    }

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
