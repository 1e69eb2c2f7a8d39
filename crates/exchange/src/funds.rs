//! Starting insurance funds: the dated balance a venue preset's funds start a run with, each
//! figure with its source and confidence (`reference/MECHANICS.md` §A1.4b, §B7), and what a
//! run is told to use instead ([`FundSetting`]).
//!
//! Funds are per contract group, not one per venue ([`FundGroup`]): on Binance USDⓈ-M,
//! BTCUSDT, ETHUSDT and BNBUSDT share one fund (fund 0) and every other contract another
//! (fund 1); the other presets have one fund.
//!
//! A run takes, for each group, the figure **nearest before the run's first event** (a figure
//! dated on a day counts from that day's 00:00 UTC). Where no figure comes before the run, or
//! a venue has none, the table says which assumption is used, and the note says so.
//!
//! | preset | group (fund) | dated figures | before the first / without one |
//! |---|---|---|---|
//! | binance-usdm | BTC/ETH/BNB USDT-M (0) | 2020-05-10 21,005,925 USDT (BTCUSDT fund, M); 2021-05-19 291,853,183 (BTC/ETH fund, M); 2025-04-23 793,930,579 (L); 2025-10-10 1,230,000,000 (L/M) | the earliest figure, marked assumed |
//! | binance-usdm | other USDT-M (1) | 2021-05-19 145,825,533 (XRP/EOS/LTC/LINK/ADA… fund, the smaller of the two alt funds quoted, M) | the same figure, marked assumed |
//! | bybit | all (0) | none dated before a run: about $400M in mid-2026 (L) | 400,000,000 USDT, assumed for every date |
//! | hyperliquid-2025 | all (0) | none (the Liquidator vault is part of HLP; its trigger ADLs every deficit, so the fund never pays one) | 0, assumed |
//! | bitmex-2020 | all (0), in XBT | none before 2020-03-12: −1,627 XBT on 12 Mar, then a record 36,493 XBT within days (H) | 34,866 XBT (that record less the 12 Mar draw), assumed |

use crate::venue::{VenueKind, VenuePreset};
use crate::ExchangeError;
use cascade_types::{InstrumentKind, InstrumentSpec, Money, Ts};
use std::fmt;
use std::str::FromStr;

/// What happened to one insurance fund during a run: what it started with, paid and
/// received, and every deficit it did not pay.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FundStats {
    /// Seeded (the starting balance).
    pub seeded: Money,
    /// Deficits paid (a positive amount).
    pub paid: Money,
    /// Surpluses and liquidation fees received.
    pub received: Money,
    /// The lowest balance reached (below zero only under an ADL guarantee).
    pub lowest: Money,
    /// Deficits handed to ADL because the fund could not (or by rule would not) pay them.
    pub to_adl: u64,
    /// Their total.
    pub to_adl_total: Money,
    /// At the first of them: the fund's balance and the deficit.
    pub first_adl: Option<(Money, Money)>,
    /// The guaranteed contracts' open interest at the first deficit of a guaranteed contract
    /// handed to ADL (the guarantee had lapsed: above its bound).
    pub lapsed_at_oi: Option<Money>,
    /// Deficits of guaranteed contracts the fund paid under the ADL guarantee although the
    /// venue's trigger would have handed them to ADL.
    pub guaranteed: u64,
    /// Their total.
    pub guaranteed_total: Money,
}

/// What a run's insurance funds start with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FundSetting {
    /// Each fund's dated figure for the venue preset ([`starting_fund`]); text `venue`.
    #[default]
    Venue,
    /// This amount in every fund, an assumption of the run (settlement currency); text: the
    /// decimal amount.
    Assumed(Money),
}

impl fmt::Display for FundSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FundSetting::Venue => f.write_str("venue"),
            FundSetting::Assumed(m) => write!(f, "{m}"),
        }
    }
}

impl FromStr for FundSetting {
    type Err = ExchangeError;

    /// `venue`, or a non-negative decimal amount.
    fn from_str(s: &str) -> Result<FundSetting, ExchangeError> {
        if s.trim() == "venue" {
            return Ok(FundSetting::Venue);
        }
        let bad = || {
            ExchangeError::UnknownVenue(format!(
                "insurance fund {s:?}: expected \"venue\" (the preset's dated fund) or a non-negative amount"
            ))
        };
        let m: Money = s.trim().parse().map_err(|_| bad())?;
        if m.is_negative() {
            return Err(bad());
        }
        Ok(FundSetting::Assumed(m))
    }
}

/// A contract group sharing one insurance fund.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FundGroup {
    /// Binance USDⓈ-M BTCUSDT, ETHUSDT, BNBUSDT (and their quarterlies): one shared fund.
    BinanceMajors,
    /// Every other Binance USDⓈ-M contract.
    BinanceOthers,
    /// The preset's one fund (Bybit, Hyperliquid, BitMEX).
    Single(VenueKind),
}

impl FundGroup {
    /// The fund index of the group in the exchange.
    pub fn index(self) -> u32 {
        match self {
            FundGroup::BinanceOthers => 1,
            _ => 0,
        }
    }

    /// A name for notes.
    pub fn name(self) -> &'static str {
        match self {
            FundGroup::BinanceMajors => "Binance BTC/ETH/BNB USDT-M shared fund",
            FundGroup::BinanceOthers => "Binance fund of the other USDT-M contracts",
            FundGroup::Single(VenueKind::Bybit) => "Bybit insurance fund",
            FundGroup::Single(VenueKind::Hyperliquid2025) => "Hyperliquid Liquidator vault",
            FundGroup::Single(VenueKind::Bitmex2020) => "BitMEX insurance fund",
            FundGroup::Single(VenueKind::BinanceUsdm) => "Binance insurance fund",
        }
    }

    /// The group of a perpetual on `venue`.
    pub fn of(venue: VenueKind, spec: &InstrumentSpec) -> FundGroup {
        match venue {
            VenueKind::BinanceUsdm if is_binance_major(spec) => FundGroup::BinanceMajors,
            VenueKind::BinanceUsdm => FundGroup::BinanceOthers,
            k => FundGroup::Single(k),
        }
    }
}

/// BTCUSDT, ETHUSDT or BNBUSDT as a linear perpetual: the contracts of Binance's shared fund
/// and of its ADL guarantee (MECHANICS A1.4).
pub fn is_binance_major(spec: &InstrumentSpec) -> bool {
    spec.kind == InstrumentKind::LinearPerp
        && matches!(spec.symbol.as_str(), "BTCUSDT" | "ETHUSDT" | "BNBUSDT")
}

/// One dated, sourced fund balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FundFigure {
    /// The day of the figure (`YYYY-MM-DD`).
    pub date: &'static str,
    /// The balance, whole units of the settlement currency.
    pub amount: i64,
    /// Which fund the source means.
    pub fund: &'static str,
    /// The source.
    pub source: &'static str,
    /// MECHANICS confidence: H, M, L.
    pub confidence: &'static str,
}

const BINANCE_MAJORS: &[FundFigure] = &[
    FundFigure {
        date: "2020-05-10",
        amount: 21_005_925,
        fund: "the BTCUSDT fund (ETHUSDT then had its own; here they share it)",
        source: "Cointelegraph and invezz.com, 2020-05-11",
        confidence: "M",
    },
    FundFigure {
        date: "2021-05-19",
        amount: 291_853_183,
        fund: "the BTC/ETH fund",
        source: "Carol Alexander's blog, quoted on bitcointalk topic 5422355",
        confidence: "M",
    },
    FundFigure {
        date: "2025-04-23",
        amount: 793_930_579,
        fund: "the USDT of the fund shared by BTC/ETH/BNB USDT perps and quarterlies",
        source: "Binance API docs' example response of Query Insurance Fund Balance Snapshot",
        confidence: "L",
    },
    FundFigure {
        date: "2025-10-10",
        amount: 1_230_000_000,
        fund: "the shared BTC/ETH/BNB USDT-M fund, about $1.23B before the crash",
        source: "Binance Square post 30856400292745; firememecoins.com",
        confidence: "L/M",
    },
];

const BINANCE_OTHERS: &[FundFigure] = &[FundFigure {
    date: "2021-05-19",
    amount: 145_825_533,
    fund: "the XRP/EOS/LTC/LINK/ADA… fund (the smaller of the two alt funds quoted)",
    source: "Carol Alexander's blog, quoted on bitcointalk topic 5422355",
    confidence: "M",
}];

/// A fund's starting balance for a run, and where it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartingFund {
    /// The contract group.
    pub group: FundGroup,
    /// The balance (settlement currency).
    pub amount: Money,
    /// The sourced figure it is, if it is one.
    pub figure: Option<FundFigure>,
    /// True when the amount is an assumption (no figure before the run, no figure for the
    /// venue, or set by the run).
    pub assumed: bool,
    /// One line for the run's notes: the fund, the amount, its source or the assumption.
    pub note: String,
}

/// The starting balance of `group`'s fund on `venue` for a run whose first event is at `at`
/// (see the module docs for the table and the rule).
pub fn starting_fund(venue: VenueKind, group: FundGroup, at: Ts, ccy: &str) -> StartingFund {
    let name = group.name();
    let dated = |table: &[FundFigure]| {
        let day = |f: &FundFigure| Ts::parse_utc(f.date).expect("fund dates are valid");
        let before = table.iter().rev().find(|f| day(f) <= at).copied();
        let (figure, assumed) = match before {
            Some(f) => (f, false),
            None => (table[0], true),
        };
        let amount = Money::from_int(figure.amount);
        let note = if assumed {
            format!(
                "{name} starts at {amount} {ccy}: assumed — no sourced balance before the run; \
                 the earliest figure, {} on {} ({}; confidence {}), is used",
                figure.fund, figure.date, figure.source, figure.confidence
            )
        } else {
            format!(
                "{name} starts at {amount} {ccy}: {} on {} ({}; confidence {}), the nearest \
                 sourced figure before the run — no official historical series exists, so this \
                 is a modelling choice",
                figure.fund, figure.date, figure.source, figure.confidence
            )
        };
        StartingFund {
            group,
            amount,
            figure: Some(figure),
            assumed,
            note,
        }
    };
    let assumed = |amount: Money, why: &str| StartingFund {
        group,
        amount,
        figure: None,
        assumed: true,
        note: format!("{name} starts at {amount} {ccy}: assumed — {why}"),
    };
    match (venue, group) {
        (VenueKind::BinanceUsdm, FundGroup::BinanceOthers) => dated(BINANCE_OTHERS),
        (VenueKind::BinanceUsdm, _) => dated(BINANCE_MAJORS),
        (VenueKind::Bybit, _) => assumed(
            Money::from_int(400_000_000),
            "no dated Bybit balance is sourced; about $400M in mid-2026 (decentralised.news, L) \
             is used for every date",
        ),
        (VenueKind::Hyperliquid2025, _) => assumed(
            Money::ZERO,
            "no balance is sourced (the Liquidator vault is part of HLP); the venue's ADL \
             trigger never asks the fund to pay a deficit",
        ),
        (VenueKind::Bitmex2020, _) => assumed(
            Money::from_int(34_866),
            "no balance before 2020-03-12 is sourced; the record 36,493 XBT reached within days \
             of Black Thursday less the 1,627 XBT drawn on 12 Mar (BitMEX blog, H) is used",
        ),
    }
}

impl VenuePreset {
    /// The starting fund of every fund the perpetuals of `instruments` use, in fund order,
    /// for a run whose first event is at `start` (the preset's date without one) and the
    /// run's `setting`.
    pub fn starting_funds(
        &self,
        instruments: &[InstrumentSpec],
        start: Option<Ts>,
        setting: FundSetting,
    ) -> Vec<StartingFund> {
        let mut groups: Vec<(FundGroup, &str)> = Vec::new();
        for s in instruments
            .iter()
            .filter(|s| s.kind != InstrumentKind::Spot)
        {
            let g = FundGroup::of(self.kind, s);
            if !groups.iter().any(|(h, _)| *h == g) {
                let ccy = match s.kind {
                    InstrumentKind::InversePerp => s.base.as_str(),
                    _ => s.quote.as_str(),
                };
                groups.push((g, ccy));
            }
        }
        groups.sort_by_key(|(g, _)| g.index());
        let at = start.or(self.date).unwrap_or(Ts::MIN);
        groups
            .into_iter()
            .map(|(g, ccy)| match setting {
                FundSetting::Venue => starting_fund(self.kind, g, at, ccy),
                FundSetting::Assumed(m) => StartingFund {
                    group: g,
                    amount: m,
                    figure: None,
                    assumed: true,
                    note: format!(
                        "{} starts at {m} {ccy}: assumed — set by the run (insurance_fund), \
                         not a sourced figure",
                        g.name()
                    ),
                },
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(d: &str) -> Ts {
        Ts::parse_utc(d).unwrap()
    }

    fn check(venue: VenueKind, group: FundGroup, day: &str) -> String {
        let f = starting_fund(venue, group, at(day), "USDT");
        format!(
            "{day}: {} {}",
            f.amount,
            if f.assumed { "assumed" } else { "sourced" }
        )
    }

    #[test]
    fn the_figure_nearest_before_the_run() {
        use FundGroup::*;
        use VenueKind::*;
        let lines = [
            check(BinanceUsdm, BinanceMajors, "2019-09-01"),
            check(BinanceUsdm, BinanceMajors, "2020-05-10"),
            check(BinanceUsdm, BinanceMajors, "2021-05-19T00:00:00Z"),
            check(BinanceUsdm, BinanceMajors, "2024-08-04"),
            check(BinanceUsdm, BinanceMajors, "2025-04-06T12:00:00Z"),
            check(BinanceUsdm, BinanceMajors, "2025-04-23"),
            check(BinanceUsdm, BinanceMajors, "2025-10-10T12:00:00Z"),
            check(BinanceUsdm, BinanceOthers, "2020-01-01"),
            check(BinanceUsdm, BinanceOthers, "2025-10-10"),
            check(Bybit, Single(Bybit), "2025-02-03"),
            check(Hyperliquid2025, Single(Hyperliquid2025), "2025-10-10"),
            check(Bitmex2020, Single(Bitmex2020), "2020-03-12"),
        ];
        assert_eq!(
            lines.join("\n"),
            "2019-09-01: 21005925 assumed
2020-05-10: 21005925 sourced
2021-05-19T00:00:00Z: 291853183 sourced
2024-08-04: 291853183 sourced
2025-04-06T12:00:00Z: 291853183 sourced
2025-04-23: 793930579 sourced
2025-10-10T12:00:00Z: 1230000000 sourced
2020-01-01: 145825533 assumed
2025-10-10: 145825533 sourced
2025-02-03: 400000000 assumed
2025-10-10: 0 assumed
2020-03-12: 34866 assumed"
        );
    }

    #[test]
    fn groups_and_settings() {
        let spec = |sym: &str| {
            InstrumentSpec::new(
                "binance-um",
                sym,
                InstrumentKind::LinearPerp,
                sym.trim_end_matches("USDT"),
                "USDT",
            )
        };
        let p: VenuePreset = "binance-usdm@2024-05-30".parse().unwrap();
        let inst = [spec("SOLUSDT"), spec("BTCUSDT"), spec("ETHUSDT")];
        let start = Some(at("2025-10-10T12:00:00Z"));
        let funds = p.starting_funds(&inst, start, FundSetting::Venue);
        assert_eq!(
            funds
                .iter()
                .map(|f| (f.group.index(), f.amount))
                .collect::<Vec<_>>(),
            [
                (0, Money::from_int(1_230_000_000)),
                (1, Money::from_int(145_825_533))
            ]
        );
        assert!(funds[0].note.contains("2025-10-10"), "{}", funds[0].note);
        let assumed = p.starting_funds(&inst[1..2], start, "5".parse().unwrap());
        assert!(assumed[0].assumed && assumed[0].note.contains("assumed"));
        assert_eq!("venue".parse::<FundSetting>().unwrap(), FundSetting::Venue);
        assert_eq!(FundSetting::Assumed(Money::from_int(5)).to_string(), "5");
        assert!("-1".parse::<FundSetting>().is_err());
        assert!("lots".parse::<FundSetting>().is_err());
    }
}
