//! Venue rule sets: everything that differs between exchanges (and between dates on one
//! exchange) except the margin-tier tables, which belong to instruments
//! ([`InstrumentConfig`](crate::InstrumentConfig)). Dated presets live in [`presets`], the
//! embedded tier tables in [`tiers`]. A user can write their own rules in TOML or JSON
//! ([`VenueRules::from_toml`], [`VenueRules::from_json`]); rates and money are decimal strings.

pub mod presets;
pub mod tiers;

use crate::ExchangeError;
use cascade_types::{Money, Rate};
use serde::{Deserialize, Serialize};

/// A venue's rules as in force on some date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VenueRules {
    /// Human-readable name with the date, e.g. `binance-usdm 2024-08-05`.
    pub name: String,
    /// Trading fees.
    pub fees: Fees,
    /// Leverage an account uses on an instrument until it sends `SetLeverage`.
    pub default_leverage: u32,
    /// On which value maintenance margin is computed.
    pub mm_basis: MmBasis,
    /// How the mark price is computed when the venue's own mark is not recorded.
    pub mark: MarkMethod,
    /// Funding interval, formula and caps.
    pub funding: FundingRules,
    /// Liquidation procedure.
    pub liquidation: LiquidationRules,
    /// Auto-deleveraging trigger, ranking and price.
    pub adl: AdlRules,
    /// Fill model: slippage beyond the recorded book, queue rule for resting orders.
    pub fills: FillRules,
}

/// Maker and taker fee rates (a negative maker rate is a rebate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fees {
    /// Fee rate for orders that rest and are filled by the tape.
    #[serde(with = "crate::dec")]
    pub maker: Rate,
    /// Fee rate for orders that take liquidity from the book.
    #[serde(with = "crate::dec")]
    pub taker: Rate,
}

/// The notional that maintenance margin is computed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MmBasis {
    /// `|qty| × mark` (Binance, Hyperliquid, OKX): MM moves with the price.
    Mark,
    /// `|qty| × entry` (Bybit's published USDT-contract liquidation-price formula,
    /// MECHANICS A2.2): MM is fixed while the position is unchanged.
    Entry,
}

/// How the exchange computes a mark price when no recorded mark is available. In every case:
/// a recorded `MarkPrice` event (or mark-price bar) wins and switches the instrument to
/// recorded marks for the rest of the run; without an index price every method falls back
/// to the last trade, and without a trade to the book mid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MarkMethod {
    /// The last trade price.
    LastTrade,
    /// `median(P1, P2, last)` with `P1 = index × (1 + funding × time-to-funding / interval)` and
    /// `P2 = index + MA(mid − index)` over `basis_window_s` one-second samples (Binance
    /// A1.6: 60 s before 2025-09-18, 30 s after; Bybit A2.4: 5 min). With two components
    /// known, their mean.
    MedianOfThree {
        /// Length of the moving average of the basis, in one-second samples (at most 300).
        basis_window_s: u32,
    },
    /// BitMEX fair price `index × (1 + funding × time-to-funding / interval)` (A5.2).
    FairPrice,
    /// Hyperliquid (A4.4): median of `oracle + EMA(mid − oracle)`, `median(bid, ask, last)`,
    /// and — as the docs prescribe when the CEX-perp component is missing, which it always is
    /// in a single-venue replay — an EMA of the second component.
    HyperliquidMedian {
        /// Time constant of the oracle-basis EMA (150 s).
        oracle_ema_s: u32,
        /// Time constant of the book-median EMA (30 s).
        book_ema_s: u32,
    },
}

/// Funding rules. Recorded settlements and rates always win over computed ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingRules {
    /// Hours between settlements (8 on most venues, 1 on Hyperliquid).
    pub interval_h: u32,
    /// Hour offset of the settlement grid from 00:00 UTC (BitMEX historically 04/12/20 → 4).
    pub offset_h: u32,
    /// Interest component `I` per 8 hours (0.01 %).
    #[serde(with = "crate::dec")]
    pub interest_per_8h: Rate,
    /// Clamp on `I − P̄` per 8 hours (±0.05 %).
    #[serde(with = "crate::dec")]
    pub clamp_per_8h: Rate,
    /// Cap on the settled rate (per interval).
    pub cap: FundingCap,
    /// Price the payment is computed on.
    pub price: FundingPrice,
    /// Seconds between premium samples (Binance 5, Bybit 60, Hyperliquid 5).
    pub premium_sample_s: u32,
    /// How the premium samples are averaged.
    pub premium_average: PremiumAverage,
}

/// Cap on a computed funding rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FundingCap {
    /// No cap beyond the clamp.
    None,
    /// `±rate` per interval (Hyperliquid 4 %/h; Bybit per symbol).
    Fixed(#[serde(with = "crate::dec")] Rate),
    /// `±k × MMR` of the first bracket (Binance, k = 0.75: BTC ±0.30 %).
    MmrMultiple(#[serde(with = "crate::dec")] Rate),
    /// `±k × (IMR − MMR)` of the first bracket, `IMR = 1 / max leverage` (BitMEX, k = 0.75:
    /// XBTUSD ±0.375 %).
    ImMinusMm(#[serde(with = "crate::dec")] Rate),
}

/// Which price funding payments are computed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FundingPrice {
    /// Position notional at the mark price (Binance, Bybit, BitMEX).
    Mark,
    /// Position notional at the index / oracle price (Hyperliquid), the mark when no index is
    /// known.
    Index,
}

/// Averaging of premium samples over a funding interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PremiumAverage {
    /// Plain mean (Binance, Hyperliquid).
    Simple,
    /// Linearly increasing weights `Σ k·P_k / Σ k` (Bybit A2.5).
    LinearWeighted,
}

/// The liquidation procedure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CloseStyle {
    /// Close through the book: the trader realises at the fill price and keeps what is left
    /// above the bankruptcy price (minus the liquidation fee); a fill worse than the
    /// bankruptcy price is made good by the insurance fund (Binance, Hyperliquid step 1).
    Book,
    /// The engine takes the position over at the bankruptcy price (the trader's remaining
    /// margin is forfeited) and unwinds it into the book; the difference between the fill and
    /// the bankruptcy price is the fund's gain or loss (Bybit, BitMEX).
    Takeover,
}

/// Partial liquidation before the full close.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PartialRule {
    /// Always close the whole position.
    None,
    /// While the position is above the first bracket, close just enough (through the book)
    /// to drop `tiers_per_step` brackets, then re-check (Bybit, BitMEX: one; OKX: two).
    TierStep {
        /// Brackets dropped per step.
        tiers_per_step: u32,
    },
    /// Above `min_notional`, close `fraction` of the position, then wait `cooldown_s` before
    /// closing the remainder (Hyperliquid: 20 % above $100k, 30 s).
    Slice {
        /// Positions at or below this notional are closed whole.
        #[serde(with = "crate::dec")]
        min_notional: Money,
        /// Share of the position closed by one slice.
        #[serde(with = "crate::dec")]
        fraction: Rate,
        /// Seconds before the next book liquidation of the same position.
        cooldown_s: u32,
    },
}

/// Liquidation rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiquidationRules {
    /// How the position is closed.
    pub close: CloseStyle,
    /// Partial steps before the full close.
    pub partial: PartialRule,
    /// Liquidation (clearance) fee on the closed notional, paid to the insurance fund and
    /// never more than what the trader has left above the bankruptcy price.
    #[serde(with = "crate::dec")]
    pub fee_rate: Rate,
    /// Backstop: when equity falls below this fraction of maintenance margin, skip the book
    /// and take the pool over at the bankruptcy price (Hyperliquid 2/3).
    pub backstop_below: Option<BackstopRatio>,
}

/// A fraction `num/den` of maintenance margin (kept as a ratio so 2/3 is exact).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackstopRatio {
    /// Numerator.
    pub num: u32,
    /// Denominator (non-zero).
    pub den: u32,
}

/// Auto-deleveraging rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdlRules {
    /// When a deficit goes to ADL instead of the fund.
    pub trigger: AdlTrigger,
    /// How the opposite side is ranked.
    pub ranking: AdlRanking,
    /// The price ADL'd positions are closed at.
    pub price: AdlPrice,
    /// Seconds of simulated time a ranking of the ADL queue stays in use. `0` (the default,
    /// and every preset) ranks the queue afresh for every input. Binance publishes its ADL
    /// quantiles every 30 s ("values update every 30s", `GET /fapi/v1/adlQuantile`); with
    /// `30` the queue is ranked at the first ADL of each 30-second period of the UTC clock and
    /// reused until the next, which keeps a market of a million positions affordable. Victims'
    /// quantities, sides and capacities are always read live; positions opened since the
    /// ranking are not in it (the market account, last in every queue, takes what is left).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub queue_refresh_s: u32,
    /// A guarantee against ADL on some contracts (Binance's, from 2021-03-02): see
    /// [`AdlGuarantee`]. Which instruments it covers is theirs to say
    /// ([`InstrumentConfig::adl_guaranteed`](crate::InstrumentConfig::adl_guaranteed)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guarantee: Option<AdlGuarantee>,
}

/// No ADL on the guaranteed contracts while their total open interest is at most
/// `max_open_interest` (Binance, MECHANICS A1.4: BTCUSDT, ETHUSDT, BNBUSDT while their total
/// OI ≤ 4B USDT; "any ADL losses would be compensated from the contract's insurance fund").
///
/// While it holds, the fund pays every deficit of a guaranteed contract, **and may go below
/// zero** (the venue stands behind its fund, as Binance did with its 2020 injections); the
/// run's notes say by how much. Above the bound the guarantee lapses and the venue's
/// [`AdlTrigger`] applies. The open interest is, per guaranteed instrument, its **recorded**
/// open interest (the last `OpenInterest` event: its value, or its quantity at the mark when
/// the source gives no value), else the exchange's own (long open interest at the mark);
/// guaranteed contracts that are not in the run count zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdlGuarantee {
    /// The bound on the guaranteed contracts' total open interest (settlement currency).
    #[serde(with = "crate::dec")]
    pub max_open_interest: Money,
}

fn is_zero(v: &u32) -> bool {
    *v == 0
}

/// When a liquidation's deficit is handed to ADL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdlTrigger {
    /// When the insurance fund cannot pay the whole deficit (Binance, Bybit, BitMEX).
    FundInsufficient,
    /// When paying the deficit would leave the fund below `floor` (OKX "significantly below a
    /// preset threshold"; Hyperliquid's liquidator loss threshold).
    FundBelowFloor {
        /// The fund balance the venue protects.
        #[serde(with = "crate::dec")]
        floor: Money,
    },
    /// On every deficit: the fund never pays one (Hyperliquid's documented trigger, "account
    /// value negative").
    Always,
}

/// How the opposite side's positions are ordered for ADL (highest score first; ties by
/// account id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdlRanking {
    /// Binance as published (A1.5): `max(0, upnl) / max(1, wallet) × MM / (wallet + upnl)`.
    BinanceLeveragePnl,
    /// BitMEX / Bybit / OKX (A5.4): `PnL% × EffLev` in profit, `PnL% / EffLev` in loss, with
    /// `EffLev = notional at mark / pool equity` and `PnL% = upnl / entry notional`.
    PnlTimesLeverage,
    /// Hyperliquid (A4.3): `(mark / entry) × (notional / account value)`; for shorts, whose
    /// sign the docs leave open, `(entry / mark)` so that profitable shorts rank first.
    Hyperliquid,
}

/// The price ADL'd positions are closed at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdlPrice {
    /// The bankruptcy price of the liquidated position (Binance, Bybit, BitMEX).
    Bankruptcy,
    /// The current mark (OKX). The bankrupt side's shortfall between the bankruptcy price and
    /// the mark is paid by the fund; when the fund cannot, the bankruptcy price is used (as
    /// OKX does when its fund is nearly depleted).
    Mark,
    /// The mark before the update that triggered the liquidation (Hyperliquid), with the same
    /// fallback as [`AdlPrice::Mark`].
    PreviousMark,
}

/// The fill model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FillRules {
    /// Market orders that walk past the last recorded level fill the rest at that level's
    /// price worsened by this many basis points (and, with no book at all, at the last trade
    /// or mark worsened by the same).
    pub beyond_book_penalty_bps: u32,
    /// When a resting limit order fills from the tape.
    pub queue: QueueRule,
    /// How a market order fills when no book was recorded at all (see `book.rs`).
    #[serde(default)]
    pub no_book: NoBookFill,
}

/// The fill of a market order with **no recorded book**: at the reference price (last
/// trade, else mark) worsened by the half-spread plus a square-root impact,
///
/// ```text
/// slippage = half_spread + impact_coef · sqrt(q / V)   (capped at beyond_book_penalty_bps)
/// ```
///
/// with `q` the order's quantity and `V` the quantity traded in the last full minute of
/// recorded trades (or the minute under way, whichever is larger). With no traded volume
/// known the cap applies. Defaults near the real BTCUSDT market: a 0.1 $ tick at ~100k is
/// a 0.01 bp spread, quoted spreads of 0.5 bp in a stressed minute; an impact coefficient
/// of 10 bp (a taker of a whole minute's volume moves the price ~10 bp) gives ~0.6 bp for
/// 0.7 BTC against a ~200 BTC minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoBookFill {
    /// The half-spread, in hundredths of a basis point.
    pub half_spread_centi_bps: u32,
    /// The impact of taking a whole minute's volume, in hundredths of a basis point.
    pub impact_centi_bps: u32,
}

impl Default for NoBookFill {
    fn default() -> Self {
        NoBookFill {
            half_spread_centi_bps: 50,
            impact_centi_bps: 1_000,
        }
    }
}

/// When a resting limit order is filled by recorded trades.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueueRule {
    /// Only trades strictly through the limit price fill it (conservative: a trade *at* the
    /// price may have filled someone ahead in the queue).
    StrictlyThrough,
    /// Trades through the price fill it; trades at the price fill it once the quantity that
    /// was displayed at that price when the order was placed (the queue ahead) has traded.
    QueueAhead,
}

impl VenueRules {
    /// Reads rules from TOML (`crates/exchange/presets/*.toml` are the presets written out, as
    /// templates; rates and money are decimal strings).
    pub fn from_toml(text: &str) -> Result<VenueRules, ExchangeError> {
        let rules: VenueRules =
            toml::from_str(text).map_err(|e| ExchangeError::BadRules(e.to_string()))?;
        rules.validate()?;
        Ok(rules)
    }

    /// Reads rules from JSON.
    pub fn from_json(text: &str) -> Result<VenueRules, ExchangeError> {
        let rules: VenueRules =
            serde_json::from_str(text).map_err(|e| ExchangeError::BadRules(e.to_string()))?;
        rules.validate()?;
        Ok(rules)
    }

    /// Writes the rules as TOML (the inverse of [`VenueRules::from_toml`]).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("venue rules always serialise")
    }

    /// Checks the values a rule file could get wrong.
    pub fn validate(&self) -> Result<(), ExchangeError> {
        let bad = |m: &str| Err(ExchangeError::BadRules(format!("{}: {m}", self.name)));
        if self.default_leverage == 0 {
            return bad("default_leverage must be at least 1");
        }
        if self.funding.interval_h == 0 || 24 % self.funding.interval_h != 0 {
            return bad("funding interval_h must divide 24");
        }
        if self.funding.offset_h >= self.funding.interval_h {
            return bad("funding offset_h must be below interval_h");
        }
        if self.funding.premium_sample_s == 0 {
            return bad("premium_sample_s must be at least 1");
        }
        if let MarkMethod::MedianOfThree { basis_window_s } = self.mark {
            if basis_window_s == 0 || basis_window_s as usize > crate::mark::BASIS_WINDOW_MAX {
                return bad("basis_window_s must be 1..=300");
            }
        }
        if let MarkMethod::HyperliquidMedian {
            oracle_ema_s,
            book_ema_s,
        } = self.mark
        {
            if oracle_ema_s == 0 || book_ema_s == 0 {
                return bad("EMA time constants must be at least 1 s");
            }
        }
        if let PartialRule::Slice { fraction, .. } = self.liquidation.partial {
            if !fraction.is_positive() || fraction > Rate::ONE {
                return bad("slice fraction must be in (0, 1]");
            }
        }
        if let PartialRule::TierStep { tiers_per_step } = self.liquidation.partial {
            if tiers_per_step == 0 {
                return bad("tiers_per_step must be at least 1");
            }
        }
        if let Some(b) = self.liquidation.backstop_below {
            if b.den == 0 || b.num > b.den {
                return bad("backstop_below must be a fraction num/den ≤ 1");
            }
        }
        if self.liquidation.fee_rate.is_negative() {
            return bad("liquidation fee_rate must not be negative");
        }
        Ok(())
    }
}
