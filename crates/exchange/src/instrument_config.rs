//! [`InstrumentConfig`]: one instrument as the exchange trades it, and its venue presets.

use crate::funding::FundingSource;
use crate::ExchangeError;
use cascade_types::{InstrumentKind, InstrumentSpec, Price, Qty, Rate, TierTable, Ts};
use serde::{Deserialize, Serialize};

/// One instrument as the exchange trades it: the static spec, its margin brackets, which
/// insurance fund backs it, and per-instrument overrides of the venue rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstrumentConfig {
    /// The instrument's static facts. Its position in the `Vec` given to [`crate::Exchange::new`] is
    /// its [`cascade_types::InstrumentId`], which must match the event log's instrument table.
    pub spec: InstrumentSpec,
    /// Margin brackets (required for perpetuals, ignored for spot).
    pub tiers: Option<TierTable>,
    /// Index of the insurance fund that backs this instrument (Binance kept separate funds for
    /// BTCUSDT and ETHUSDT and one for the rest). Funds are numbered from 0.
    pub fund: u32,
    /// Overrides the venue's liquidation fee rate for this instrument.
    pub liquidation_fee_rate: Option<Rate>,
    /// Where funding settlements come from.
    pub funding_source: FundingSource,
    /// Covered by the venue's ADL guarantee ([`crate::AdlGuarantee`]), when its rules have
    /// one.
    #[serde(default)]
    pub adl_guaranteed: bool,
}

impl InstrumentConfig {
    /// A perpetual (linear or inverse, as its spec says) with its bracket table, backed by
    /// fund 0. An inverse perpetual's brackets are in its coin.
    pub fn perp(spec: InstrumentSpec, tiers: TierTable) -> InstrumentConfig {
        InstrumentConfig {
            spec,
            tiers: Some(tiers),
            fund: 0,
            liquidation_fee_rate: None,
            funding_source: FundingSource::Auto,
            adl_guaranteed: false,
        }
    }

    /// A spot market.
    pub fn spot(spec: InstrumentSpec) -> InstrumentConfig {
        InstrumentConfig {
            spec,
            tiers: None,
            fund: 0,
            liquidation_fee_rate: None,
            funding_source: FundingSource::Auto,
            adl_guaranteed: false,
        }
    }

    /// A Hyperliquid perpetual on `asset` (`BTC`, `ETH`, …) with its 2025 margin tiers.
    pub fn hyperliquid_2025(asset: &str) -> Result<InstrumentConfig, ExchangeError> {
        let tiers = crate::hyperliquid_2025_tiers(asset)?;
        let spec = InstrumentSpec::new(
            "hyperliquid",
            asset,
            InstrumentKind::LinearPerp,
            asset,
            "USDC",
        );
        Ok(InstrumentConfig::perp(spec, tiers))
    }

    /// Bybit's BTCUSDT perpetual with the risk limits of MECHANICS A2.1.
    pub fn bybit_btcusdt() -> InstrumentConfig {
        let spec = InstrumentSpec::new(
            "bybit",
            "BTCUSDT",
            InstrumentKind::LinearPerp,
            "BTC",
            "USDT",
        );
        InstrumentConfig::perp(spec, crate::bybit_btcusdt_tiers())
    }

    /// BitMEX XBTUSD (2020 risk limits) approximated as a linear USD contract, its XBT
    /// brackets converted at `reference_price` (see [`crate::bitmex_2020_xbtusd_tiers`]).
    /// [`InstrumentConfig::bitmex_xbtusd_2020`] is the real, inverse contract.
    pub fn bitmex_2020_xbtusd(reference_price: Price) -> InstrumentConfig {
        let spec =
            InstrumentSpec::new("bitmex", "XBTUSD", InstrumentKind::LinearPerp, "XBT", "USD");
        InstrumentConfig::perp(spec, crate::bitmex_2020_xbtusd_tiers(reference_price))
    }

    /// BitMEX XBTUSD as it traded in 2020: an inverse perpetual (contract = 1 USD, tick 0.5,
    /// lot 1 contract, margined and settled in XBT) with the coin-denominated 2020 risk limits
    /// of [`crate::bitmex_2020_xbtusd_tiers_xbt`]. Use with [`crate::VenueRules::bitmex_2020`].
    ///
    /// ```
    /// use cascade_exchange::{Exchange, InstrumentConfig, Settlement, VenueRules};
    /// use cascade_types::*;
    ///
    /// let xbtusd = InstrumentConfig::bitmex_xbtusd_2020();
    /// let mut ex = Exchange::new(VenueRules::bitmex_2020(), vec![xbtusd]).unwrap();
    /// assert_eq!(ex.settlement(), &Settlement::Inverse { coin: "XBT".into() });
    /// let (i, mut out) = (InstrumentId(0), Vec::new());
    /// let ts = Ts::parse_utc("2020-03-12T10:00:00Z").unwrap();
    /// ex.on_market(&Event { ts, instrument: i, body: EventBody::MarkPrice(Price::from_int(7_353)) }, &mut out);
    /// let me = ex.open_account(Money::from_int(1)); // 1 XBT
    /// // Long 73,530 contracts (USD) at 7,353: 10 XBT of exposure, 10x cross.
    /// ex.open_position_at(me, i, Qty::from_int(73_530), Price::from_int(7_353), &mut out).unwrap();
    /// let v = ex.position(me, i).unwrap();
    /// assert_eq!((v.notional.to_string(), v.margin.to_string()), ("10".into(), "1".into()));
    /// // Equity 1 + 10 − 73,530/P meets MM 0.45 % × 73,530/P at P = 73,530 × 1.0045 / 11.
    /// assert_eq!(v.liquidation_price.unwrap().to_string(), "6714.6259091");
    /// ```
    pub fn bitmex_xbtusd_2020() -> InstrumentConfig {
        let spec = InstrumentSpec {
            tick: Price::from_raw(50_000_000),
            lot: Qty::ONE,
            contract_size: Qty::ONE,
            ..InstrumentSpec::new(
                "bitmex",
                "XBTUSD",
                InstrumentKind::InversePerp,
                "XBT",
                "USD",
            )
        };
        InstrumentConfig::perp(spec, crate::bitmex_2020_xbtusd_tiers_xbt())
    }

    /// A Binance USDⓈ-M linear perpetual with the bracket table in force on `date` (and, for
    /// BTCUSDT, the old FAQ's 0.3 % clearance fee).
    pub fn binance_usdm(symbol: &str, date: Ts) -> Result<InstrumentConfig, ExchangeError> {
        let tiers = crate::binance_usdm_tiers(symbol, date)?;
        let base = symbol.strip_suffix("USDT").unwrap_or(symbol);
        let spec = InstrumentSpec::new(
            "binance-um",
            symbol,
            InstrumentKind::LinearPerp,
            base,
            "USDT",
        );
        let mut cfg = InstrumentConfig::perp(spec, tiers);
        if symbol == "BTCUSDT" {
            cfg.liquidation_fee_rate = Some("0.003".parse().expect("valid rate"));
        }
        Ok(cfg)
    }
}
