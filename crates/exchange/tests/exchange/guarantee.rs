//! Binance's ADL guarantee (MECHANICS A1.4): no ADL on a guaranteed contract while the
//! guaranteed contracts' total open interest is at most 4B USDT — the fund pays the deficit,
//! below zero if need be; above the bound the fund-insufficient trigger applies again.
//!
//! The book is the one of `scenarios::fund_exhausted_adl_of_the_top_ranked_counterparty`:
//! Alice long 0.5 isolated at 10x goes bankrupt on a gap to 53,100 with a fund of 100, which
//! cannot pay her deficit.

use crate::support::*;
use cascade_exchange::*;
use cascade_types::*;

/// The run's log and the exchange's fund figures: `(log, fund balance, stats)`.
fn crash(guaranteed: bool, recorded_oi: Option<&str>) -> (String, Money, FundStats) {
    let (rules, mut inst) = binance_btc();
    assert!(
        rules.adl.guarantee.is_some(),
        "Binance 2024 has the guarantee"
    );
    inst[0].adl_guaranteed = guaranteed;
    let mut fund = (Money::ZERO, FundStats::default());
    let log = check(rules, inst, |s| {
        s.seed_fund("100");
        s.book(0, "59999", "60000", "10");
        s.mark(0, "60000");
        if let Some(v) = recorded_oi {
            s.event(
                0,
                EventBody::OpenInterest(OpenInterest {
                    qty: q("80000"),
                    value: m(v),
                }),
            );
        }
        s.crowd("alice", 0, "0.5", "60000", 10, MarginMode::Isolated, "3000");
        s.crowd("bob", 0, "-0.3", "60000", 10, MarginMode::Cross, "2000");
        s.crowd("carol", 0, "-0.4", "58000", 20, MarginMode::Cross, "2100");
        s.book(0, "53000", "53001", "10");
        s.mark(0, "53100");
        fund = (s.ex.insurance_funds()[0], s.ex.fund_stats()[0]);
    });
    (log, fund.0, fund.1)
}

fn adl_lines(log: &str) -> usize {
    log.lines().filter(|l| l.contains("adl ")).count()
}

#[test]
fn below_the_bound_the_fund_absorbs_the_deficit_and_may_go_negative() {
    // No recorded open interest: the exchange's own (0.7 BTC long at 53,100) is far below 4B.
    let (log, balance, stats) = crash(true, None);
    assert_eq!(adl_lines(&log), 0, "{log}");
    assert!(
        balance.is_negative(),
        "the fund paid beyond its 100: {balance}\n{log}"
    );
    assert_eq!(stats.guaranteed, 1);
    assert_eq!(stats.to_adl, 0);
    assert_eq!(stats.seeded, m("100"));
    assert_eq!(stats.lowest, balance);
    assert_eq!(stats.seeded - stats.paid + stats.received, balance);
    // A recorded open interest of 3.9B: still guaranteed.
    let (log, _, stats) = crash(true, Some("3900000000"));
    assert_eq!((adl_lines(&log), stats.guaranteed), (0, 1), "{log}");
}

#[test]
fn above_the_bound_or_unguaranteed_the_deficit_goes_to_adl() {
    let (log, balance, stats) = crash(true, Some("4000000001"));
    assert!(adl_lines(&log) > 0, "{log}");
    assert_eq!(balance, m("100"), "the fund did not pay");
    assert_eq!(stats.to_adl, 1);
    assert_eq!(stats.guaranteed, 0);
    assert_eq!(stats.lapsed_at_oi, Some(m("4000000001")));
    let (b, deficit) = stats.first_adl.unwrap();
    assert!(b == m("100") && deficit > b, "{b} {deficit}");
    // Not a guaranteed contract: the trigger alone decides, as before the guarantee.
    let (plain, _, stats) = crash(false, None);
    assert!(adl_lines(&plain) > 0);
    assert_eq!((stats.to_adl, stats.lapsed_at_oi), (1, None));
    assert_eq!(
        plain,
        log.replace(
            "> 2024-08-05T00:00:00Z i0 open_interest 80000 value 4000000001\n",
            ""
        )
    );
}

#[test]
fn the_guarantee_is_dated_and_the_preset_marks_btc_eth_bnb() {
    let before = VenueRules::binance_usdm(day("2021-03-01"));
    let after = VenueRules::binance_usdm(day("2021-03-02"));
    assert_eq!(before.adl.guarantee, None);
    assert_eq!(
        after.adl.guarantee.map(|g| g.max_open_interest),
        Some(m("4000000000"))
    );
    let preset: VenuePreset = "binance-usdm@2025-10-10".parse().unwrap();
    let spec = |s: &str| {
        InstrumentSpec::new(
            "binance-um",
            s,
            InstrumentKind::LinearPerp,
            s.trim_end_matches("USDT"),
            "USDT",
        )
    };
    // BTCUSDT and ETHUSDT have embedded tier tables; BNBUSDT and SOLUSDT are grouped alike.
    let marks: Vec<(bool, u32)> = ["BTCUSDT", "ETHUSDT"]
        .iter()
        .map(|s| {
            let c = preset.instrument(&spec(s), None).unwrap();
            (c.adl_guaranteed, c.fund)
        })
        .collect();
    assert_eq!(marks, [(true, 0), (true, 0)]);
    let groups: Vec<(bool, u32)> = ["BNBUSDT", "SOLUSDT"]
        .iter()
        .map(|s| {
            let g = FundGroup::of(VenueKind::BinanceUsdm, &spec(s));
            (funds::is_binance_major(&spec(s)), g.index())
        })
        .collect();
    assert_eq!(groups, [(true, 0), (false, 1)]);
    for p in ["bybit", "hyperliquid-2025"] {
        let p: VenuePreset = p.parse().unwrap();
        assert!(p.rules(None).unwrap().adl.guarantee.is_none());
    }
}
