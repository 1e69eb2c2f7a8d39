//! Dated venue presets, each grounded in `reference/MECHANICS.md` Part A (section numbers in
//! the docs). Trading fees are not in MECHANICS.md: the values here are the venues' base-tier
//! (VIP 0) schedules as commonly published, and a fee study should override them.

use super::*;
use cascade_types::Ts;

fn rate(text: &str) -> Rate {
    text.parse().expect("preset rates are valid decimals")
}

/// The instant Binance switched its mark-price basis average from 1 minute to 30 one-second
/// samples (A1.6): 2025-09-18 08:01 UTC.
fn binance_mark_30s_from() -> Ts {
    Ts::from_civil(2025, 9, 18, 8, 1, 0, 0).expect("valid date")
}

/// The day Binance announced its ADL guarantee (A1.4): 2021-03-02.
fn binance_adl_guarantee_from() -> Ts {
    Ts::from_civil(2021, 3, 2, 0, 0, 0, 0).expect("valid date")
}

impl VenueRules {
    /// Binance USDⓈ-M futures as in force on `date`.
    ///
    /// - Mark (A1.6): `median(P1, P2, last)`, basis MA over 60 s, 30 s from 2025-09-18 08:01.
    /// - Funding (A1.7): 8 h, `I` = 0.01 %, clamp ±0.05 %, cap ±0.75 × MMR of the first
    ///   bracket (BTC ±0.30 %), premium sampled every 5 s, simple average, paid on mark.
    /// - Liquidation (A1.4): orders cancelled, IOC reductions through the book one bracket at
    ///   a time, then a full close through the book; clearance fee 0.5 % of the closed
    ///   notional (the old FAQ's non-BTC rate; BTCUSDT's 0.3 % is set per instrument by
    ///   [`InstrumentConfig::binance_usdm`](crate::InstrumentConfig::binance_usdm)) to the
    ///   fund; a worse-than-bankruptcy fill is made good by the fund.
    /// - ADL (A1.5): when the fund cannot cover; ranked by the published
    ///   `PnL% × margin ratio`; closed at the liquidated order's bankruptcy price. From
    ///   2021-03-02 the ADL guarantee (A1.4): no ADL on BTCUSDT, ETHUSDT, BNBUSDT while their
    ///   total open interest is at most 4B USDT, the fund paying instead ([`AdlGuarantee`];
    ///   the preset marks those contracts, [`crate::VenuePreset::instrument`]).
    /// - Fees: 0.02 % maker, 0.05 % taker (VIP 0; not from MECHANICS.md).
    pub fn binance_usdm(date: Ts) -> VenueRules {
        let basis_window_s = if date >= binance_mark_30s_from() {
            30
        } else {
            60
        };
        let (y, m, d, ..) = date.to_civil();
        let guarantee = (date >= binance_adl_guarantee_from()).then(|| AdlGuarantee {
            max_open_interest: Money::from_int(4_000_000_000),
        });
        VenueRules {
            name: format!("binance-usdm {y:04}-{m:02}-{d:02}"),
            fees: Fees {
                maker: rate("0.0002"),
                taker: rate("0.0005"),
            },
            default_leverage: 20,
            mm_basis: MmBasis::Mark,
            mark: MarkMethod::MedianOfThree { basis_window_s },
            funding: FundingRules {
                interval_h: 8,
                offset_h: 0,
                interest_per_8h: rate("0.0001"),
                clamp_per_8h: rate("0.0005"),
                cap: FundingCap::MmrMultiple(rate("0.75")),
                price: FundingPrice::Mark,
                premium_sample_s: 5,
                premium_average: PremiumAverage::Simple,
            },
            liquidation: LiquidationRules {
                close: CloseStyle::Book,
                partial: PartialRule::TierStep { tiers_per_step: 1 },
                fee_rate: rate("0.005"),
                backstop_below: None,
            },
            adl: AdlRules {
                trigger: AdlTrigger::FundInsufficient,
                ranking: AdlRanking::BinanceLeveragePnl,
                price: AdlPrice::Bankruptcy,
                queue_refresh_s: 0,
                guarantee,
            },
            fills: FillRules {
                beyond_book_penalty_bps: 100,
                no_book: NoBookFill::default(),
                queue: QueueRule::StrictlyThrough,
            },
        }
    }

    /// Bybit USDT perpetuals (Unified Trading Account), as documented before the 2025-12 pool
    /// change.
    ///
    /// - Maintenance margin on the entry value (A2.2's liquidation-price formula:
    ///   1 BTC at 20,000, 50x, MMR 0.5 % liquidates at 19,700).
    /// - Mark (A2.4): `median(P1, P2, last)` with a 5-minute basis MA.
    /// - Funding (A2.5): 8 h, `I` = 0.01 %, clamp ±0.05 %, per-minute premium with linearly
    ///   increasing weights; the cap is per symbol (none here: set `FundingCap::Fixed`).
    /// - Liquidation (A2.2): cancel, then Fill-or-Kill reductions one risk tier at a time, then
    ///   the engine takes the position over at the bankruptcy price (remaining margin to the
    ///   fund). No clearance fee (the liquidated order pays the taker fee on its partial steps).
    /// - ADL (A2.3): when the fund is insufficient; `PnL% × effective leverage`; bankruptcy
    ///   price.
    /// - Fees: 0.02 % maker, 0.055 % taker (VIP 0; not from MECHANICS.md).
    pub fn bybit() -> VenueRules {
        VenueRules {
            name: "bybit-usdt".to_string(),
            fees: Fees {
                maker: rate("0.0002"),
                taker: rate("0.00055"),
            },
            default_leverage: 10,
            mm_basis: MmBasis::Entry,
            mark: MarkMethod::MedianOfThree {
                basis_window_s: 300,
            },
            funding: FundingRules {
                interval_h: 8,
                offset_h: 0,
                interest_per_8h: rate("0.0001"),
                clamp_per_8h: rate("0.0005"),
                cap: FundingCap::None,
                price: FundingPrice::Mark,
                premium_sample_s: 60,
                premium_average: PremiumAverage::LinearWeighted,
            },
            liquidation: LiquidationRules {
                close: CloseStyle::Takeover,
                partial: PartialRule::TierStep { tiers_per_step: 1 },
                fee_rate: Rate::ZERO,
                backstop_below: None,
            },
            adl: AdlRules {
                trigger: AdlTrigger::FundInsufficient,
                ranking: AdlRanking::PnlTimesLeverage,
                price: AdlPrice::Bankruptcy,
                queue_refresh_s: 0,
                guarantee: None,
            },
            fills: FillRules {
                beyond_book_penalty_bps: 100,
                no_book: NoBookFill::default(),
                queue: QueueRule::StrictlyThrough,
            },
        }
    }

    /// Hyperliquid perpetuals, 2025.
    ///
    /// - Margin (A4.1): `mmr = 1 / (2 × max leverage)` per tier (see
    ///   [`hyperliquid_2025_tiers`](crate::hyperliquid_2025_tiers)).
    /// - Mark (A4.4): median of oracle + 150 s EMA basis, book median, and a 30 s EMA of the
    ///   book median (the CEX-perp component is unavailable in a single-venue replay).
    /// - Funding (A4.4): hourly, `F8 = P̄ + clamp(I − P̄, ±0.05 %)` divided by 8, capped at
    ///   4 %/h, paid on the oracle (index) price.
    /// - Liquidation (A4.2): market orders through the book, no fee, the trader keeps what is
    ///   left; above $100k notional only 20 % at a time with a 30 s cooldown; below 2/3 of
    ///   maintenance margin the liquidator vault (our insurance fund) takes the whole pool
    ///   over at the bankruptcy price, keeping the remaining margin.
    /// - ADL (A4.3): whenever an account would end negative; ranked by
    ///   `(mark / entry) × (notional / account value)`; closed at the previous mark.
    /// - Fees: 0.015 % maker, 0.045 % taker (base tier; not from MECHANICS.md).
    pub fn hyperliquid_2025() -> VenueRules {
        VenueRules {
            name: "hyperliquid 2025".to_string(),
            fees: Fees {
                maker: rate("0.00015"),
                taker: rate("0.00045"),
            },
            default_leverage: 10,
            mm_basis: MmBasis::Mark,
            mark: MarkMethod::HyperliquidMedian {
                oracle_ema_s: 150,
                book_ema_s: 30,
            },
            funding: FundingRules {
                interval_h: 1,
                offset_h: 0,
                interest_per_8h: rate("0.0001"),
                clamp_per_8h: rate("0.0005"),
                cap: FundingCap::Fixed(rate("0.04")),
                price: FundingPrice::Index,
                premium_sample_s: 5,
                premium_average: PremiumAverage::Simple,
            },
            liquidation: LiquidationRules {
                close: CloseStyle::Book,
                partial: PartialRule::Slice {
                    min_notional: Money::from_int(100_000),
                    fraction: rate("0.2"),
                    cooldown_s: 30,
                },
                fee_rate: Rate::ZERO,
                backstop_below: Some(BackstopRatio { num: 2, den: 3 }),
            },
            adl: AdlRules {
                trigger: AdlTrigger::Always,
                ranking: AdlRanking::Hyperliquid,
                price: AdlPrice::PreviousMark,
                queue_refresh_s: 0,
                guarantee: None,
            },
            fills: FillRules {
                beyond_book_penalty_bps: 100,
                no_book: NoBookFill::default(),
                queue: QueueRule::StrictlyThrough,
            },
        }
    }

    /// BitMEX, 2020 (XBTUSD era).
    ///
    /// - Mark (A5.2): fair price `index × (1 + funding × time-to-funding / interval)`.
    /// - Funding (A5.3): 8 h at 04/12/20 UTC, `I` = 0.01 %, clamp ±0.05 %, cap
    ///   ±0.75 × (IM − MM) = ±0.375 % for XBTUSD.
    /// - Liquidation (A5.4): cancel, Fill-or-Kill down one risk step at a time, then takeover
    ///   at the bankruptcy price; the remaining maintenance margin goes to the fund.
    /// - ADL (A5.4): when the fund is depleted; `PnL% × EffLev` (or `/ EffLev` in loss);
    ///   bankruptcy price of the initial liquidated order.
    /// - Fees: −0.025 % maker (rebate), 0.075 % taker (2020 schedule; not from MECHANICS.md).
    ///
    /// XBTUSD itself is an inverse contract (1 USD per contract, margined in XBT): use the
    /// preset with [`InstrumentConfig::bitmex_xbtusd_2020`](crate::InstrumentConfig::bitmex_xbtusd_2020)
    /// and its XBT risk limits ([`bitmex_2020_xbtusd_tiers_xbt`](crate::bitmex_2020_xbtusd_tiers_xbt)),
    /// with every account, fee, funding payment and the insurance fund in XBT. The older
    /// linear approximation (a USD contract with the table converted at one price,
    /// [`bitmex_2020_xbtusd_tiers`](crate::bitmex_2020_xbtusd_tiers)) still works.
    pub fn bitmex_2020() -> VenueRules {
        VenueRules {
            name: "bitmex 2020".to_string(),
            fees: Fees {
                maker: rate("-0.00025"),
                taker: rate("0.00075"),
            },
            default_leverage: 10,
            mm_basis: MmBasis::Mark,
            mark: MarkMethod::FairPrice,
            funding: FundingRules {
                interval_h: 8,
                offset_h: 4,
                interest_per_8h: rate("0.0001"),
                clamp_per_8h: rate("0.0005"),
                cap: FundingCap::ImMinusMm(rate("0.75")),
                price: FundingPrice::Mark,
                premium_sample_s: 60,
                premium_average: PremiumAverage::Simple,
            },
            liquidation: LiquidationRules {
                close: CloseStyle::Takeover,
                partial: PartialRule::TierStep { tiers_per_step: 1 },
                fee_rate: Rate::ZERO,
                backstop_below: None,
            },
            adl: AdlRules {
                trigger: AdlTrigger::FundInsufficient,
                ranking: AdlRanking::PnlTimesLeverage,
                price: AdlPrice::Bankruptcy,
                queue_refresh_s: 0,
                guarantee: None,
            },
            fills: FillRules {
                beyond_book_penalty_bps: 100,
                no_book: NoBookFill::default(),
                queue: QueueRule::StrictlyThrough,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_validates_and_round_trips_through_toml_and_json() {
        let date = Ts::parse_utc("2024-08-05").unwrap();
        for rules in [
            VenueRules::binance_usdm(date),
            VenueRules::bybit(),
            VenueRules::hyperliquid_2025(),
            VenueRules::bitmex_2020(),
        ] {
            rules.validate().unwrap();
            let toml_text = rules.to_toml();
            assert_eq!(
                VenueRules::from_toml(&toml_text).unwrap(),
                rules,
                "{toml_text}"
            );
            let json = serde_json::to_string(&rules).unwrap();
            assert_eq!(VenueRules::from_json(&json).unwrap(), rules);
        }
    }

    #[test]
    fn the_example_rule_files_are_the_presets() {
        let d = Ts::parse_utc("2024-08-05").unwrap();
        let files = [
            (
                include_str!("../../presets/binance-usdm-2024-08-05.toml"),
                VenueRules::binance_usdm(d),
            ),
            (
                include_str!("../../presets/bybit.toml"),
                VenueRules::bybit(),
            ),
            (
                include_str!("../../presets/hyperliquid-2025.toml"),
                VenueRules::hyperliquid_2025(),
            ),
            (
                include_str!("../../presets/bitmex-2020.toml"),
                VenueRules::bitmex_2020(),
            ),
        ];
        for (text, rules) in files {
            assert_eq!(
                VenueRules::from_toml(text).unwrap(),
                rules,
                "{}",
                rules.name
            );
        }
    }

    #[test]
    fn binance_mark_window_follows_the_2025_09_18_change() {
        let before = VenueRules::binance_usdm(Ts::parse_utc("2025-09-18T08:00:59Z").unwrap());
        let after = VenueRules::binance_usdm(Ts::parse_utc("2025-09-18T08:01:00Z").unwrap());
        assert_eq!(
            before.mark,
            MarkMethod::MedianOfThree { basis_window_s: 60 }
        );
        assert_eq!(after.mark, MarkMethod::MedianOfThree { basis_window_s: 30 });
    }

    #[test]
    fn a_user_rule_file_reads_like_the_docs() {
        let mut text = VenueRules::bybit().to_toml();
        assert!(text.contains("taker = \"0.00055\""), "{text}");
        text = text.replace("taker = \"0.00055\"", "taker = \"0.0006\"");
        assert_eq!(
            VenueRules::from_toml(&text).unwrap().fees.taker,
            rate("0.0006")
        );
        let broken = text.replace("default_leverage = 10", "default_leverage = 0");
        assert!(VenueRules::from_toml(&broken)
            .unwrap_err()
            .to_string()
            .contains("default_leverage"));
        let too_precise = text.replace("\"0.0006\"", "\"0.000000001\"");
        assert!(VenueRules::from_toml(&too_precise).is_err());
    }
}
