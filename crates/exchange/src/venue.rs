//! Venue presets as values: which exchange, on which date. A [`VenuePreset`] names the rules
//! ([`VenueRules`]), the margin tiers of every instrument of a run and the per-instrument
//! overrides, and [`VenuePreset::build`] makes the [`Exchange`] from it.
//!
//! | text form | rules | margin tiers |
//! |---|---|---|
//! | `binance-usdm` | Binance USDⓈ-M in force at the first event of the run | Binance brackets in force then, per symbol |
//! | `binance-usdm@YYYY-MM-DD` | the same, on that date | on that date |
//! | `bybit` | Bybit | Bybit BTCUSDT (BTC perpetuals only) |
//! | `hyperliquid-2025` | Hyperliquid 2025 | Hyperliquid 2025, per asset |
//! | `bitmex-2020` | BitMEX 2020 | XBTUSD risk limits of 2020, in XBT (inverse perpetuals only) |
//!
//! Spot instruments need no tiers.
//!
//! # Inverse (coin-margined) venues
//!
//! On a venue whose perpetuals are inverse (`bitmex-2020`) every futures figure is in the
//! coin: wallets, margin, PnL, fees, funding, insurance funds. A deposit given in the quote
//! currency becomes coin at the first mark of the perpetual, rounded down
//! ([`coin_deposit`]); spot holdings and the spot wallet count in an account's equity at the
//! perpetual's mark ([`Exchange::account_totals`](crate::Exchange::account_totals)).

use crate::funds::{is_binance_major, FundGroup, FundSetting};
use crate::{Exchange, ExchangeError, InstrumentConfig, VenueRules};
use cascade_types::{InstrumentKind, InstrumentSpec, Money, Price, Ts};
use std::fmt;
use std::str::FromStr;

/// The text forms [`VenuePreset`] parses, for help texts and errors.
pub const VENUE_PRESETS: &[&str] = &[
    "binance-usdm",
    "binance-usdm@YYYY-MM-DD",
    "bybit",
    "hyperliquid-2025",
    "bitmex-2020",
];

/// Which exchange's rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VenueKind {
    /// Binance USDⓈ-M futures (dated rules and tiers).
    BinanceUsdm,
    /// Bybit USDT perpetuals.
    Bybit,
    /// Hyperliquid perpetuals, 2025.
    Hyperliquid2025,
    /// BitMEX, 2020 (the inverse XBTUSD).
    Bitmex2020,
}

/// A venue preset: an exchange and, for a dated one, the day its rules and tiers are taken
/// from (`None`: the first event of the run, for Binance; the venue's one rule set for the
/// others). Parses from and prints as the text forms of the module docs.
///
/// ```
/// use cascade_exchange::venue::{VenueKind, VenuePreset};
/// let p: VenuePreset = "binance-usdm@2024-05-30".parse().unwrap();
/// assert_eq!(p.kind, VenueKind::BinanceUsdm);
/// assert_eq!(p.to_string(), "binance-usdm@2024-05-30");
/// assert!("binance-coinm".parse::<VenuePreset>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VenuePreset {
    /// The exchange.
    pub kind: VenueKind,
    /// The day of a dated preset (midnight UTC), if named.
    pub date: Option<Ts>,
}

impl VenuePreset {
    /// An undated preset of `kind`.
    pub const fn new(kind: VenueKind) -> VenuePreset {
        VenuePreset { kind, date: None }
    }

    /// Binance USDⓈ-M as in force on `date`.
    pub const fn binance_usdm(date: Ts) -> VenuePreset {
        VenuePreset {
            kind: VenueKind::BinanceUsdm,
            date: Some(date),
        }
    }

    /// The date the preset's rules are taken from for a run whose first event is at `start`:
    /// its own date, else `start` (an undated Binance preset needs one).
    pub fn date_at(&self, start: Option<Ts>) -> Result<Option<Ts>, ExchangeError> {
        match (self.kind, self.date.or(start)) {
            (VenueKind::BinanceUsdm, None) => Err(ExchangeError::UnknownVenue(
                "venue binance-usdm takes its date from the first event, but the inputs are \
                 empty; name the date: binance-usdm@YYYY-MM-DD"
                    .into(),
            )),
            (_, d) => Ok(d),
        }
    }

    /// The venue rules in force for a run whose first event is at `start`.
    pub fn rules(&self, start: Option<Ts>) -> Result<VenueRules, ExchangeError> {
        Ok(match self.kind {
            VenueKind::BinanceUsdm => {
                VenueRules::binance_usdm(self.date_at(start)?.expect("dated above"))
            }
            VenueKind::Bybit => VenueRules::bybit(),
            VenueKind::Hyperliquid2025 => VenueRules::hyperliquid_2025(),
            VenueKind::Bitmex2020 => VenueRules::bitmex_2020(),
        })
    }

    /// How the preset trades `spec` in a run whose first event is at `start`: its tier table,
    /// per-instrument overrides (BTCUSDT's clearance fee on Binance), its insurance fund
    /// ([`FundGroup`]) and whether the venue's ADL guarantee covers it (Binance BTCUSDT,
    /// ETHUSDT, BNBUSDT).
    pub fn instrument(
        &self,
        spec: &InstrumentSpec,
        start: Option<Ts>,
    ) -> Result<InstrumentConfig, ExchangeError> {
        if spec.kind == InstrumentKind::Spot {
            return Ok(InstrumentConfig::spot(spec.clone()));
        }
        let table = match self.kind {
            VenueKind::BinanceUsdm => {
                let date = self.date_at(start)?.expect("dated above");
                let table = crate::binance_usdm_tiers(&spec.symbol, date)?;
                let mut cfg = InstrumentConfig::perp(spec.clone(), table);
                // The preset's per-instrument overrides, on the log's spec.
                if let Ok(preset) = InstrumentConfig::binance_usdm(&spec.symbol, date) {
                    cfg.liquidation_fee_rate = preset.liquidation_fee_rate;
                }
                // The shared fund of BTC/ETH/BNB and its ADL guarantee; the rest share another.
                cfg.fund = FundGroup::of(self.kind, spec).index();
                cfg.adl_guaranteed = is_binance_major(spec);
                return Ok(cfg);
            }
            VenueKind::Hyperliquid2025 => crate::hyperliquid_2025_tiers(&spec.base)?,
            VenueKind::Bybit if spec.base == "BTC" => crate::bybit_btcusdt_tiers(),
            VenueKind::Bybit => {
                return Err(ExchangeError::NoVenueTiers(format!(
                    "no bybit tier table for {} (only BTC perpetuals)",
                    spec.symbol
                )))
            }
            VenueKind::Bitmex2020 if spec.kind == InstrumentKind::InversePerp => {
                crate::bitmex_2020_xbtusd_tiers_xbt()
            }
            VenueKind::Bitmex2020 => {
                return Err(ExchangeError::NoVenueTiers(format!(
                    "no bitmex-2020 tier table for {} ({}): the preset runs the inverse XBTUSD",
                    spec.symbol, spec.kind
                )))
            }
        };
        Ok(InstrumentConfig::perp(spec.clone(), table))
    }

    /// Builds the exchange of the preset over `instruments` (in the order of the run's
    /// instrument table) for a run whose first event is at `start`, its insurance funds
    /// seeded as `funds` says ([`VenuePreset::starting_funds`]).
    pub fn build(
        &self,
        instruments: &[InstrumentSpec],
        start: Option<Ts>,
        funds: FundSetting,
    ) -> Result<Exchange, ExchangeError> {
        let rules = self.rules(start)?;
        let configs = instruments
            .iter()
            .map(|s| self.instrument(s, start))
            .collect::<Result<Vec<_>, _>>()?;
        let mut ex = Exchange::new(rules, configs)?;
        for f in self.starting_funds(instruments, start, funds) {
            ex.seed_insurance_fund(f.group.index(), f.amount);
        }
        Ok(ex)
    }
}

impl fmt::Display for VenuePreset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.kind {
            VenueKind::BinanceUsdm => "binance-usdm",
            VenueKind::Bybit => "bybit",
            VenueKind::Hyperliquid2025 => "hyperliquid-2025",
            VenueKind::Bitmex2020 => "bitmex-2020",
        };
        f.write_str(name)?;
        if let Some(d) = self.date {
            let (y, m, d, ..) = d.to_civil();
            write!(f, "@{y:04}-{m:02}-{d:02}")?;
        }
        Ok(())
    }
}

impl FromStr for VenuePreset {
    type Err = ExchangeError;

    /// One of the text forms of the module docs.
    fn from_str(s: &str) -> Result<VenuePreset, ExchangeError> {
        let unknown = || {
            ExchangeError::UnknownVenue(format!(
                "unknown venue preset {s:?}; known presets: {}",
                VENUE_PRESETS.join(", ")
            ))
        };
        if let Some(rest) = s.strip_prefix("binance-usdm") {
            return match rest.strip_prefix('@') {
                Some(d) => {
                    let date = Ts::parse_utc(d).map_err(|_| {
                        ExchangeError::UnknownVenue(format!(
                            "venue {s:?}: expected a date like binance-usdm@2024-08-05"
                        ))
                    })?;
                    Ok(VenuePreset::binance_usdm(date))
                }
                None if rest.is_empty() => Ok(VenuePreset::new(VenueKind::BinanceUsdm)),
                None => Err(unknown()),
            };
        }
        match s {
            "bybit" => Ok(VenuePreset::new(VenueKind::Bybit)),
            "hyperliquid-2025" => Ok(VenuePreset::new(VenueKind::Hyperliquid2025)),
            "bitmex-2020" => Ok(VenuePreset::new(VenueKind::Bitmex2020)),
            _ => Err(unknown()),
        }
    }
}

/// A deposit of `quote` (quote currency) in the coin of an inverse perpetual whose mark is
/// `mark`: `quote / mark`, rounded down; zero at a non-positive mark.
pub fn coin_deposit(quote: Money, mark: Price) -> Money {
    if !mark.is_positive() {
        return Money::ZERO;
    }
    Money::from_raw(
        (quote.raw() as i128 * cascade_types::SCALE as i128 / mark.raw() as i128) as i64,
    )
}

/// The note a run on an inverse venue carries once its deposit of `quote` became `coin` at
/// the first `mark` of the perpetual `spec`.
pub fn coin_deposit_note(spec: &InstrumentSpec, quote: Money, coin: Money, mark: Price) -> String {
    format!(
        "money in {coin_name}: {sym} is an inverse perpetual margined in {coin_name}, so \
         equity, PnL, fees and funding are {coin_name} amounts and returns are in \
         {coin_name} terms; the deposit of {quote} {quote_ccy} became {coin} {coin_name} at the \
         first mark {mark}",
        coin_name = spec.base,
        sym = spec.symbol,
        quote_ccy = spec.quote,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip_and_bad_ones_say_why() {
        for s in [
            "binance-usdm",
            "binance-usdm@2024-05-30",
            "bybit",
            "hyperliquid-2025",
            "bitmex-2020",
        ] {
            assert_eq!(s.parse::<VenuePreset>().unwrap().to_string(), s);
        }
        let errs: Vec<String> = ["binance-coinm", "binance-usdm@30 May", "bybit-2024"]
            .iter()
            .map(|s| s.parse::<VenuePreset>().unwrap_err().to_string())
            .collect();
        assert_eq!(
            errs.join("\n"),
            "unknown venue preset \"binance-coinm\"; known presets: binance-usdm, binance-usdm@YYYY-MM-DD, bybit, hyperliquid-2025, bitmex-2020\n\
             venue \"binance-usdm@30 May\": expected a date like binance-usdm@2024-08-05\n\
             unknown venue preset \"bybit-2024\"; known presets: binance-usdm, binance-usdm@YYYY-MM-DD, bybit, hyperliquid-2025, bitmex-2020"
        );
        let undated = VenuePreset::new(VenueKind::BinanceUsdm);
        assert!(undated.rules(None).is_err());
        let d = Ts::parse_utc("2024-08-05").unwrap();
        assert_eq!(
            undated.rules(Some(d)).unwrap().name,
            "binance-usdm 2024-08-05"
        );
    }

    #[test]
    fn coin_deposit_rounds_down() {
        let c = coin_deposit(Money::from_int(10_000), Price::from_int(3));
        assert_eq!(c.to_string(), "3333.33333333");
        assert_eq!(coin_deposit(Money::from_int(1), Price::ZERO), Money::ZERO);
    }
}
