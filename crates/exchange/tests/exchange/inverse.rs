//! Inverse (coin-margined) perpetuals: BitMEX XBTUSD 2020 (contract = 1 USD, tick 0.5, lot 1,
//! margin, fees, funding and the insurance fund in XBT). Hand-computed cases with their
//! arithmetic written out (amounts in XBT, `1/x` meaning `1 USD / x`), the invariant checker
//! after every step (the `Sim` driver), and a property tying the liquidation index to the exact
//! pool check.
//!
//! Roundings used below (see `contract` and `book`): a buyer's coin notional is rounded down
//! and a seller's up (against the taker: an inverse buyer's cost basis is the coin value it
//! receives); fees up; funding up; bankruptcy prices in the trader's favour (up for a long,
//! down for a short) and the coin closed at them in the trader's favour again.

use crate::support::*;
use cascade_exchange::*;
use cascade_types::*;
use proptest::prelude::*;

const I: InstrumentId = InstrumentId(0);

fn bitmex() -> (VenueRules, Vec<InstrumentConfig>) {
    (
        VenueRules::bitmex_2020(),
        vec![InstrumentConfig::bitmex_xbtusd_2020()],
    )
}

/// A coin spot market beside the perpetual: XBT/USD.
fn xbt_spot() -> InstrumentConfig {
    InstrumentConfig::spot(InstrumentSpec::new(
        "bitmex",
        "XBT_USD",
        InstrumentKind::Spot,
        "XBT",
        "USD",
    ))
}

fn setup(s: &mut Sim, a: AccountId, mode: MarginMode, leverage: u32) {
    s.command(
        a,
        Command::SetMarginMode {
            instrument: I,
            mode,
        },
    );
    s.command(
        a,
        Command::SetLeverage {
            instrument: I,
            leverage,
        },
    );
}

fn market(s: &mut Sim, a: AccountId, side: Side, qty: &str) {
    s.order(a, 0, side, qty, OrderKind::Market, TimeInForce::Ioc);
}

fn wallet(s: &Sim, a: AccountId) -> String {
    s.ex.account(a).wallet.to_string()
}

fn liq(s: &Sim, a: AccountId) -> Price {
    s.ex.position(a, I).unwrap().liquidation_price.unwrap()
}

fn raw(p: Price, d: i64) -> String {
    Price::from_raw(p.raw() + d).to_string()
}

/// Open, reduce, flip and close one cross position, taker fee 0.075 % on every coin notional.
///
/// - Buy 1,000 at 10,000: notional 1,000/10,000 = 0.1 (cost basis 0.1, entry 10,000); fee
///   0.1 × 0.075 % = 0.000075.
/// - Sell 400 at 11,000: 400/11,000 = 0.0363636363… → 0.03636364 (a seller's, up); fee
///   0.0000272727… → 0.00002728. Released basis 0.1 × 400/1,000 = 0.04; realised = released −
///   proceeds = 0.04 − 0.03636364 = +0.00363636 (= 400 × (1/10,000 − 1/11,000) = 0.0036363…).
/// - Sell 1,600 at 12,000: 1,600/12,000 = 0.1333… → 0.13333334, fee 0.00010001. It closes 600
///   (0.13333334 × 600/1,600 = 0.0500000025 → 0.05, half-even) and opens a short of 1,000 for
///   the remaining 0.08333334. Realised 0.06 − 0.05 = +0.01 (= 600 × (1/10,000 − 1/12,000)).
///   Entry of the short: 1,000/0.08333334 = 11,999.99904 (harmonic; the basis rounded up).
/// - Buy 1,000 back at 8,000: 0.125 (a buyer's, down: exact), fee 0.00009375. Realised
///   0.125 − 0.08333334 = +0.04166666 (the short gains coin when the price falls).
///
/// Wallet 1 − 0.000075 + 0.00363636 − 0.00002728 + 0.01 − 0.00010001 + 0.04166666 −
/// 0.00009375 = 1.05500698; fee pool 0.00029604.
#[test]
fn open_reduce_flip_realises_coin_pnl() {
    let (rules, inst) = bitmex();
    let log = check(rules, inst, |s| {
        s.book(0, "9999.5", "10000", "100000");
        s.mark(0, "10000");
        let a = s.account("alice", "1");
        market(s, a, Side::Buy, "1000");
        let v = s.ex.position(a, I).unwrap();
        assert_eq!(
            (v.entry, v.notional, v.upnl),
            (p("10000"), m("0.1"), m("0"))
        );
        assert_eq!(wallet(s, a), "0.999925");
        // At a mark of 12,500 the long is up 0.1 − 1,000/12,500 = 0.02 XBT.
        s.mark(0, "12500");
        let v = s.ex.position(a, I).unwrap();
        assert_eq!((v.upnl, v.notional), (m("0.02"), m("0.08")));
        s.book(0, "11000", "11000.5", "100000");
        market(s, a, Side::Sell, "400");
        assert_eq!(wallet(s, a), "1.00353408");
        s.book(0, "12000", "12000.5", "100000");
        market(s, a, Side::Sell, "1600");
        let v = s.ex.position(a, I).unwrap();
        assert_eq!((v.qty, v.entry), (q("-1000"), p("11999.99904")));
        assert_eq!(wallet(s, a), "1.01343407");
        s.book(0, "7999.5", "8000", "100000");
        market(s, a, Side::Buy, "1000");
        assert!(s.ex.position(a, I).is_none());
        assert_eq!(wallet(s, a), "1.05500698");
        assert_eq!(s.ex.fee_pool(), m("0.00029604"));
    });
    // Fills report the prices filled at, not the rounded coin notional divided back.
    assert!(log.contains("fill alice i0 sell 400 @ 11000 fee 0.00002728 taker"));
    assert!(log.contains("fill alice i0 sell 1600 @ 12000 fee 0.00010001 taker"));
}

/// Bad data: a zero mark (or a trade at zero) cannot value an inverse position, whose coin
/// value would be unbounded; the mark stays where it was.
#[test]
fn a_zero_mark_is_ignored_by_an_inverse_instrument() {
    let (rules, inst) = bitmex();
    check(rules, inst, |s| {
        s.book(0, "9999.5", "10000", "100000");
        s.mark(0, "10000");
        let a = s.account("alice", "100");
        market(s, a, Side::Buy, "5000000"); // 500 XBT: valued at 10⁻⁸ USD, beyond i128
        assert_eq!(s.ex.position_qty(a, I), q("5000000"));
        s.mark(0, "0");
        s.trade(0, "0", "1", Side::Sell);
        assert_eq!(s.ex.mark_price(I), Some(p("10000")));
        assert_eq!(s.ex.position_qty(a, I), q("5000000"));
    });
}

/// Funding: rate × coin notional at the mark, longs pay a positive rate, every payment rounded
/// up (the payer pays the extra 10⁻⁸, the receiver gets the smaller magnitude).
///
/// Alice long 1,000 (cost 0.1). Mark 10,000, rate 0.01 %: she pays 0.1 × 0.0001 = 0.00001
/// and the market account (short) receives it. Mark 8,000, rate −0.375 % (Black Thursday's
/// capped rate): she receives 1,000/8,000 × 0.00375 = 0.00046875. Mark 7,000, rate 0.01 %:
/// 1,000/7,000 × 0.0001 = 0.0000142857…: she pays 0.00001429, the market receives 0.00001428,
/// the funding pool keeps 10⁻⁸.
#[test]
fn funding_is_paid_in_coin_on_the_coin_notional() {
    let (rules, inst) = bitmex();
    let log = check(rules, inst, |s| {
        s.book(0, "9999.5", "10000", "100000");
        s.mark(0, "10000");
        let a = s.account("alice", "1");
        market(s, a, Side::Buy, "1000");
        s.settle(0, "0.0001");
        assert_eq!(wallet(s, a), "0.999915");
        s.mark(0, "8000");
        s.settle(0, "-0.00375");
        assert_eq!(wallet(s, a), "1.00038375");
        s.mark(0, "7000");
        s.settle(0, "0.0001");
        assert_eq!(wallet(s, a), "1.00036946");
        assert_eq!(s.ex.funding_pool(), m("0.00000001"));
    });
    assert!(log.contains("funding alice i0 rate 0.0001 pays 0.00001\n"));
    assert!(log.contains("funding alice i0 rate -0.00375 receives 0.00046875\n"));
    assert!(log.contains("funding alice i0 rate 0.0001 pays 0.00001429\n"));
}

/// Isolated longs of 1,000 contracts at 10,000 (0.1 XBT), first bracket (MM 0.45 %): the
/// liquidation price is the mark where `margin + 0.1 − 1,000/P = 0.0045 × 1,000/P`, i.e.
/// `P = 1,000 × 1.0045 / (margin + 0.1)` (MECHANICS A5.1; `inverse_liquidation_price`).
///
/// - 100x: margin 0.1/100 = 0.001 → P = 1,004.5/0.101 = 9,945.544554455… → 9,945.54455446.
/// - 10x: margin 0.01 → P = 1,004.5/0.11 = 9,131.818181818… → 9,131.81818182.
///
/// The exchange's key is the smallest mark (raw 10⁻⁸) at which its exact pool check is
/// healthy; `inverse_liquidation_price` rounds the closed form up to 10⁻⁸. They agree here.
/// With the same coin cost basis (here 1,000/10,000 = 0.1 exactly) they can differ by one
/// raw unit at most (a unit test in `inverse` checks it on random positions): the exchange
/// rounds the coin value `1,000/P` and the notional its bracket reads down (to 10⁻²⁴ and
/// 10⁻¹⁶ XBT), a hair in the long's favour, so when the true boundary lies within that hair
/// above an integer raw mark the key is that integer while the pure function rounds up to the
/// next (for a short the hair can go either way). A basis that is not a multiple of 10⁻⁸ XBT
/// is rounded at the fill, which moves the boundary by up to `P² / (2·10⁸·c·s)` USD. The
/// index then liquidates at exactly `key − 1` and not at `key`.
#[test]
fn isolated_long_liquidation_price_matches_the_closed_form() {
    for (lev, want) in [(100, "9945.54455446"), (10, "9131.81818182")] {
        let (rules, inst) = bitmex();
        let tiers = inst[0].tiers.clone().unwrap();
        let log = check(rules, inst, |s| {
            s.seed_fund("1");
            s.book(0, "9999.5", "10000", "100000");
            s.mark(0, "10000");
            let a = s.account("alice", "1");
            setup(s, a, MarginMode::Isolated, lev);
            market(s, a, Side::Buy, "1000");
            let v = s.ex.position(a, I).unwrap();
            let margin = v.margin;
            let pure =
                inverse::inverse_liquidation_price(&tiers, q("1000"), Qty::ONE, p("10000"), margin)
                    .unwrap();
            let key = liq(s, a);
            assert_eq!(pure.to_string(), want, "{lev}x");
            assert!(key == pure || raw(key, 1) == pure.to_string(), "{lev}x");
            assert_eq!(key.to_string(), want);
            // The index triggers exactly below the key.
            s.mark(0, &key.to_string());
            assert_eq!(s.ex.position_qty(a, I), q("1000"), "{lev}x at the key");
            s.mark(0, &raw(key, -1));
            assert_eq!(s.ex.position_qty(a, I), Qty::ZERO, "{lev}x below the key");
        });
        assert!(
            log.contains("liquidation alice i0 Backstop sell 1000"),
            "{log}"
        );
    }
}

/// A cross short: bob deposits 0.05 XBT, sells 1,000 at 10,000 (0.1, fee 0.000075): wallet
/// 0.049925. Equity `0.049925 − 0.1 + 1,000/P` meets MM `0.0045 × 1,000/P` at
/// `P = 1,000 × 0.9955 / (0.1 − 0.049925) = 995.5/0.050075 = 19,880.179730…` → 19,880.1797304
/// (down for a short); the key is the largest healthy mark. Bankruptcy (equity 0):
/// `1,000/(0.1 − 0.049925) = 19,970.044932…` → 19,970.0449326 (down).
///
/// At 19,880.17973041 the engine takes the short over at 19,970.0449326 for 1,000/19,970.0449326
/// = 0.05007500…01 → 0.05007501 (the buyer's favour, up) and buys it back from the book at
/// the ask 19,880.5 for 1,000/19,880.5 = 0.05030054 (down): the fund keeps the difference,
/// 0.00022553. Bob is left with 0.049925 − 0.1 + 0.05007501 = 0.00000001.
#[test]
fn cross_short_liquidates_above_its_key_with_a_surplus() {
    let (rules, inst) = bitmex();
    let tiers = inst[0].tiers.clone().unwrap();
    check(rules, inst, |s| {
        s.seed_fund("1");
        s.book(0, "10000", "10000.5", "100000");
        s.mark(0, "10000");
        let b = s.account("bob", "0.05");
        market(s, b, Side::Sell, "1000");
        assert_eq!(wallet(s, b), "0.049925");
        let pure = inverse::inverse_liquidation_price(
            &tiers,
            q("-1000"),
            Qty::ONE,
            p("10000"),
            m("0.049925"),
        )
        .unwrap();
        assert_eq!(pure.to_string(), "19880.1797304");
        let key = liq(s, b);
        assert_eq!(key, pure);
        let v = s.ex.position(b, I).unwrap();
        assert_eq!(v.bankruptcy_price.to_string(), "19970.0449326");
        s.book(0, "19880", "19880.5", "100000");
        s.mark(0, &key.to_string());
        assert_eq!(s.ex.position_qty(b, I), q("-1000"));
        s.mark(0, &raw(key, 1));
        assert!(s.ex.position(b, I).is_none());
        assert_eq!(s.ex.insurance_fund(0).to_string(), "1.00022553");
        assert_eq!(wallet(s, b), "0.00000001");
    });
}

/// Bankruptcy prices of isolated 10x positions of 1,000 at 10,000 (margin 0.01): a long is
/// bankrupt where `0.01 + 0.1 − 1,000/P = 0`, `P = 1,000/0.11 = 9,090.909090…` → 9,090.90909091
/// (up, the trader's favour); a short where `0.01 − 0.1 + 1,000/P = 0`, `P = 1,000/0.09 =
/// 11,111.111…` → 11,111.11111111 (down).
#[test]
fn bankruptcy_prices_of_isolated_positions() {
    let (rules, inst) = bitmex();
    check(rules, inst, |s| {
        s.book(0, "10000", "10000", "100000");
        s.mark(0, "10000");
        let a = s.account("alice", "1");
        let b = s.account("bob", "1");
        setup(s, a, MarginMode::Isolated, 10);
        setup(s, b, MarginMode::Isolated, 10);
        market(s, a, Side::Buy, "1000");
        market(s, b, Side::Sell, "1000");
        let (va, vb) = (s.ex.position(a, I).unwrap(), s.ex.position(b, I).unwrap());
        assert_eq!((va.margin, vb.margin), (m("0.01"), m("0.01")));
        assert_eq!(va.bankruptcy_price.to_string(), "9090.90909091");
        assert_eq!(vb.bankruptcy_price.to_string(), "11111.11111111");
        // And the short's liquidation price: 1,000 × 0.9955 / (0.1 − 0.01) = 11,061.11…
        assert_eq!(liq(s, b).to_string(), "11061.11111111");
    });
}

/// The insurance fund in coin: a surplus, then a deficit it covers.
///
/// Surplus — alice, isolated 100x long 1,000 at 10,000 (margin 0.001, bankruptcy
/// `1,000/0.101` = 9,900.99009901 up): the mark falls below her key 9,945.54455446 with the
/// book at 9,945/9,945.5. BitMEX takes the position over at the bankruptcy price — she gives up
/// 1,000/9,900.99009901 = 0.10099999… → 0.10099999 (her favour, down) — and sells it to the
/// book's bid for 1,000/9,945 = 0.10055304… → 0.10055305 (up): the fund keeps 0.00044694.
/// Her wallet: 1 − 0.001 − 0.000075 + (0.001 + 0.1 − 0.10099999) = 0.99892501.
///
/// Deficit — carol, isolated 10x long 1,000 at 10,000 (margin 0.01, bankruptcy 9,090.90909091):
/// the book gaps to 7,999.5/8,000 and the mark to 8,000. Taken over at 9,090.90909091
/// (0.10999999) and sold to the book at 7,999.5 for 0.12500782: the fund pays 0.01500783.
#[test]
fn insurance_fund_surplus_and_deficit_in_coin() {
    let (rules, inst) = bitmex();
    let log = check(rules, inst, |s| {
        s.seed_fund("1");
        s.book(0, "9999.5", "10000", "100000");
        s.mark(0, "10000");
        let a = s.account("alice", "1");
        let c = s.account("carol", "1");
        setup(s, a, MarginMode::Isolated, 100);
        setup(s, c, MarginMode::Isolated, 10);
        market(s, a, Side::Buy, "1000");
        market(s, c, Side::Buy, "1000");
        s.book(0, "9945", "9945.5", "100000");
        s.mark(0, "9946");
        assert_eq!(s.ex.position_qty(a, I), q("1000"));
        s.mark(0, "9945");
        assert!(s.ex.position(a, I).is_none());
        assert_eq!(s.ex.insurance_fund(0).to_string(), "1.00044694");
        assert_eq!(wallet(s, a), "0.99892501");
        s.book(0, "7999.5", "8000", "100000");
        s.mark(0, "8000");
        assert!(s.ex.position(c, I).is_none());
        assert_eq!(s.ex.insurance_fund(0).to_string(), "0.98543911");
        assert_eq!(wallet(s, c), "0.98992501");
    });
    assert!(log.contains(
        "liquidation alice i0 Backstop sell 1000 @ 9900.99009901 (bankruptcy 9900.99009901) fee 0"
    ));
    assert!(log.contains("insurance fund i0 +0.00044694 -> 1.00044694"));
    assert!(log.contains("insurance fund i0 -0.01500783 -> 0.98543911"));
    insta::assert_snapshot!(log);
}

/// ADL with an empty fund (BitMEX: PnL% × effective leverage, at the bankruptcy price of the
/// liquidated order).
///
/// Carol shorts 400 at 9,500 (cross 20x, wallet 0.02): basis 400/9,500 = 0.0421052631… →
/// 0.04210527 (a seller's, up), fee 0.00003158. Alice buys 1,000 at 10,000 (isolated 10x,
/// margin 0.01, bankruptcy 9,090.90909091). Bob shorts 300 at 10,000 (cross 10x, wallet 0.1):
/// basis 0.03, fee 0.0000225.
///
/// The book gaps to 7,999.5/8,000, the mark to 8,000: alice's close would cost the fund
/// 0.01500783 and the fund is empty, so she is closed against the shorts at 9,090.90909091.
/// Ranks at the mark 8,000:
/// - carol: upnl 400/8,000 − 0.04210527 = 0.00789473, PnL% 18.75 %, equity 0.01996842 +
///   0.00789473 = 0.02786315, effective leverage 0.05/0.02786315 = 1.79: score ≈ 0.336;
/// - bob: upnl 0.0375 − 0.03 = 0.0075, PnL% 25 %, equity 0.0999775 + 0.0075 = 0.1074775,
///   effective leverage 0.0375/0.1074775 = 0.35: score ≈ 0.087.
///
/// Carol gives up her 400 first (for 400/9,090.90909091 = 0.04399999…, rounded down in the
/// bankrupt long's favour: 0.04399999; she realises 0.04399999 − 0.04210527 = +0.00189472),
/// then bob his 300 (0.03299999, +0.00299999), then the market account the last 300. Alice
/// pays 0.04399999 + 2 × 0.03299999 = 0.10999997 for a basis of 0.1: her margin 0.01 −
/// 0.00999997 = 0.00000003 goes back to her wallet. The fund is untouched.
#[test]
fn adl_of_profitable_shorts_when_the_fund_is_empty() {
    let (rules, inst) = bitmex();
    let log = check(rules, inst, |s| {
        s.book(0, "9500", "9500.5", "100000");
        s.mark(0, "9500");
        let c = s.account("carol", "0.02");
        setup(s, c, MarginMode::Cross, 20);
        market(s, c, Side::Sell, "400");
        s.book(0, "9999.5", "10000", "100000");
        s.mark(0, "10000");
        let a = s.account("alice", "1");
        setup(s, a, MarginMode::Isolated, 10);
        market(s, a, Side::Buy, "1000");
        s.book(0, "10000", "10000.5", "100000");
        let b = s.account("bob", "0.1");
        market(s, b, Side::Sell, "300");
        assert_eq!(wallet(s, c), "0.01996842");
        assert_eq!(wallet(s, b), "0.0999775");
        // At the mark 10,000 bob (flat PnL) ranks above carol (in loss): the queue is ranked
        // on the mark of the moment.
        let queue = s.ex.adl_queue(I, false);
        assert_eq!(
            queue.iter().map(|(x, _)| *x).collect::<Vec<_>>(),
            vec![b, c]
        );
        s.book(0, "7999.5", "8000", "100000");
        s.mark(0, "8000");
        assert!(s.ex.position(a, I).is_none());
        assert!(s.ex.position(c, I).is_none());
        assert!(s.ex.position(b, I).is_none());
        assert_eq!(wallet(s, c), "0.02186314");
        assert_eq!(wallet(s, b), "0.10297749");
        assert_eq!(wallet(s, a), "0.98992503");
        assert_eq!(s.ex.insurance_fund(0), Money::ZERO);
    });
    let adl: Vec<&str> = log.lines().filter(|l| l.contains("adl ")).collect();
    assert_eq!(
        adl,
        [
            "  adl carol i0 buy 400 @ 9090.90909091 against alice",
            "  adl bob i0 buy 300 @ 9090.90909091 against alice",
            "  adl market i0 buy 300 @ 9090.90909091 against alice",
        ]
    );
    insta::assert_snapshot!(log);
}

/// BitMEX's partial step down the risk limits, by coin notional (A5.4: a Fill-or-Kill that
/// brings the position value under a lower tier, then re-check).
///
/// Dave, cross 50x, deposits 6 XBT and buys 2,500,000 contracts at 10,000: 250 XBT, tier 2
/// (200–300 XBT: MM 0.95 %, cum 200 × 0.5 % = 1), fee 0.1875: wallet 5.8125. He is liquidated
/// below `N = (5.8125 + 250 + 1) / 1.0095 = 254.3957…` XBT of notional, the mark
/// 2,500,000/N = 9,827.2085665… → 9,827.20856657.
///
/// At the mark 9,826 (book 9,826/9,826.5) his notional is 254.42703032 XBT: tier 2. The step
/// keeps the most contracts whose value stays below tier 1's cap of 200 XBT, `⌊(200 − 10⁻⁸) ×
/// 9,826⌋ = 1,965,199`, and sells the other 534,801 to the bid for 534,801/9,826 =
/// 54.42713210 XBT (up); the basis released is 250 × 534,801/2,500,000 = 53.4801, so he
/// realises −0.9470321 (wallet 4.8654679). Left: 1,965,199 contracts (basis 196.5199, entry
/// 10,000), worth 199.9998982 XBT, MM 0.45 % = 0.9 against equity 1.3854697: healthy, in
/// tier 1. Its new liquidation price is the closed form with the wallet as margin — in tier 2
/// again, since the notional there is 1,965,199/9,802.43 = 200.48 XBT:
/// `1,965,199 × 1.0095 / (4.8654679 + 1 + 196.5199) = 9,802.4299438…` → 9,802.42994385 (tier
/// 1's formula, `… × 1.0045 / (4.8654679 + 196.5199)` = 9,802.31, lands at 200.48 XBT, above
/// its cap: the bracket iteration moves on).
#[test]
fn partial_liquidation_steps_down_one_coin_bracket() {
    let (rules, inst) = bitmex();
    let tiers = inst[0].tiers.clone().unwrap();
    let log = check(rules, inst, |s| {
        s.seed_fund("100");
        s.book(0, "9999.5", "10000", "10000000");
        s.mark(0, "10000");
        let d = s.account("dave", "6");
        setup(s, d, MarginMode::Cross, 50);
        market(s, d, Side::Buy, "2500000");
        assert_eq!(wallet(s, d), "5.8125");
        assert_eq!(liq(s, d).to_string(), "9827.20856657");
        s.book(0, "9826", "9826.5", "10000000");
        s.mark(0, "9826");
        let v = s.ex.position(d, I).unwrap();
        assert_eq!((v.qty, v.entry), (q("1965199"), p("10000")));
        assert_eq!(wallet(s, d), "4.8654679");
        let pure = inverse::inverse_liquidation_price(
            &tiers,
            q("1965199"),
            Qty::ONE,
            p("10000"),
            m("4.8654679"),
        )
        .unwrap();
        assert_eq!(pure.to_string(), "9802.42994385");
        assert_eq!(liq(s, d), pure);
    });
    assert!(
        log.contains("liquidation dave i0 Partial sell 534801 @ 9826 (bankruptcy "),
        "{log}"
    );
}

/// One exchange settles its perpetuals in one asset.
#[test]
fn settlement_is_one_asset_per_exchange() {
    let date = day("2024-08-05");
    let linear = InstrumentConfig::binance_usdm("BTCUSDT", date).unwrap();
    let xbtusd = InstrumentConfig::bitmex_xbtusd_2020();
    let err = |v: Vec<InstrumentConfig>| {
        Exchange::new(VenueRules::bitmex_2020(), v)
            .err()
            .map(|e| e.to_string())
    };
    let e = err(vec![linear.clone(), xbtusd.clone()]).unwrap();
    assert!(
        e.starts_with("bad instrument XBTUSD: settles inverse in XBT but BTCUSDT"),
        "{e}"
    );
    let e = err(vec![xbtusd.clone(), linear.clone()]).unwrap();
    assert!(
        e.starts_with("bad instrument BTCUSDT: settles linear"),
        "{e}"
    );
    let mut ethusd = xbtusd.clone();
    ethusd.spec.symbol = "ETHUSD".into();
    ethusd.spec.base = "ETH".into();
    let e = err(vec![xbtusd.clone(), ethusd]).unwrap();
    assert!(
        e.contains("settles inverse in ETH but XBTUSD settles inverse in XBT"),
        "{e}"
    );
    let mut zero = xbtusd.clone();
    zero.spec.contract_size = Qty::ZERO;
    assert!(err(vec![zero]).unwrap().contains("positive contract size"));
    // Inverse beside spot, and two inverse perpetuals on one coin, are fine.
    let mut xbtusd2 = xbtusd.clone();
    xbtusd2.spec.symbol = "XBTUSD_2".into();
    let ex = Exchange::new(
        VenueRules::bitmex_2020(),
        vec![xbt_spot(), xbtusd.clone(), xbtusd2],
    )
    .unwrap();
    assert_eq!(ex.settlement(), &Settlement::Inverse { coin: "XBT".into() });
    assert!(!ex.is_inverse(InstrumentId(0)));
    assert!(ex.is_inverse(InstrumentId(1)) && ex.is_inverse(InstrumentId(2)));
    assert!(!ex.is_inverse(InstrumentId(9)));
    let ex = Exchange::new(VenueRules::binance_usdm(date), vec![linear]).unwrap();
    assert_eq!(ex.settlement(), &Settlement::Linear);
}

/// Transfers on an inverse exchange move coin between the futures wallet and the spot holding
/// of the coin's spot market; spot trades and deposits stay in the spot quote (USD), counted
/// apart from the coin ledger.
#[test]
fn transfers_move_coin_between_spot_and_futures() {
    let rules = VenueRules::bitmex_2020();
    let log = check(
        rules,
        vec![InstrumentConfig::bitmex_xbtusd_2020(), xbt_spot()],
        |s| {
            s.book(0, "9999.5", "10000", "100000");
            s.mark(0, "10000");
            s.book(1, "9990", "10010", "100");
            let a = s.account("alice", "1");
            let t = |s: &mut Sim, from, to, amount: &str| {
                s.command(
                    a,
                    Command::Transfer {
                        from,
                        to,
                        amount: m(amount),
                    },
                )
            };
            t(s, Wallet::Futures, Wallet::Spot, "0.4");
            assert_eq!(wallet(s, a), "0.6");
            assert_eq!(s.ex.account(a).spot, vec![(InstrumentId(1), q("0.4"))]);
            t(s, Wallet::Spot, Wallet::Futures, "0.1");
            t(s, Wallet::Spot, Wallet::Futures, "0.31");
            assert_eq!(wallet(s, a), "0.7");
            // Sell the 0.3 XBT on spot for USD (fee 0.075 % of 2,997 = 2.24775).
            s.order(a, 1, Side::Sell, "0.3", OrderKind::Market, TimeInForce::Ioc);
            assert_eq!(s.ex.account(a).spot_quote, m("2994.75225"));
            assert_eq!(s.ex.spot_fee_pool(), m("2.24775"));
            s.ex.deposit(a, m("100"), true);
            assert_eq!(s.ex.spot_deposits(), m("100"));
            assert_eq!(s.ex.deposits(), m("1"));
            assert_eq!(s.ex.coin_transferred_to_spot(), m("0.3"));
            // A position's margin is not available to move out.
            market(s, a, Side::Buy, "60000");
            t(s, Wallet::Futures, Wallet::Spot, "0.2");
        },
    );
    assert!(log.contains("transferred alice 0.4 Futures -> Spot"));
    // 0.31 out of a spot holding of 0.3, and 0.2 out of a wallet whose margin is in use.
    assert_eq!(
        log.matches("rejected alice: InsufficientMargin").count(),
        2,
        "{log}"
    );
    // Without a spot market of the coin there is nothing to transfer to.
    let (rules, inst) = bitmex();
    let log = check(rules, inst, |s| {
        let a = s.account("alice", "1");
        s.command(
            a,
            Command::Transfer {
                from: Wallet::Futures,
                to: Wallet::Spot,
                amount: m("0.1"),
            },
        );
    });
    assert!(log.contains("rejected alice: NotSupported"));
}

/// A position in the property below: an isolated or cross inverse position opened by the
/// crowd hook at `entry` with `deposit` ≥ its initial margin.
#[derive(Clone, Debug)]
struct Case {
    contracts: i64,
    entry_halves: i64,
    leverage: u32,
    isolated: bool,
    extra_bp: i64,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop_oneof![
            1i64..2_000,
            2_000i64..5_000_000,
            -5_000_000i64..-2_000,
            -2_000i64..0
        ],
        2_000i64..200_000, // entry 1,000 … 100,000 USD in ticks of 0.5
        1u32..=100,
        any::<bool>(),
        0i64..20_000,
    )
        .prop_map(
            |(contracts, entry_halves, leverage, isolated, extra_bp)| Case {
                contracts,
                entry_halves,
                leverage,
                isolated,
                extra_bp,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random inverse positions and margins: the index convention (long liquidatable exactly
    /// when `mark < key`, short when `mark > key`) agrees with the exact pool check at the
    /// marks `key − 1`, `key` and `key + 1`, each tried on a fresh copy of the exchange.
    #[test]
    fn the_key_agrees_with_the_pool_check_around_it(c in case()) {
        let (rules, inst) = bitmex();
        let mut ex = Exchange::new(rules, inst).unwrap();
        ex.seed_insurance_fund(0, Money::from_int(1_000_000));
        let entry = Price::from_raw(c.entry_halves * 50_000_000);
        let qty = Qty::from_int(c.contracts);
        let mut out = Vec::new();
        let ev = |p: Price| Event { ts: day("2020-03-12"), instrument: I, body: EventBody::MarkPrice(p) };
        ex.on_market(&ev(entry), &mut out);
        // Deposit: the initial margin, plus 0 … 200 % of it.
        let notional = Money::from_raw((c.contracts.abs() as i128 * 10i128.pow(16) / entry.raw() as i128) as i64);
        let im = notional.div_int(c.leverage as i64, Rounding::Up).unwrap();
        let deposit = im + im.mul_div(c.extra_bp, 10_000, Rounding::Down).unwrap() + Money::from_raw(1);
        let pos = CrowdPosition {
            instrument: I,
            qty,
            entry,
            leverage: c.leverage,
            mode: if c.isolated { MarginMode::Isolated } else { MarginMode::Cross },
            deposit,
        };
        let Ok(a) = ex.open_crowd_position(&pos, &mut out) else {
            return Ok(()); // above the bracket's leverage: refused, nothing to check
        };
        check_invariants(&ex).unwrap();
        let Some(brief) = ex.position_brief(a, I) else { return Ok(()) };
        let Some(key) = brief.liquidation_price else { return Ok(()) };
        let long = c.contracts > 0;
        for d in [-1i64, 0, 1] {
            let mark = Price::from_raw(key.raw() + d);
            if !mark.is_positive() || mark == entry {
                continue;
            }
            let mut x = ex.clone();
            out.clear();
            x.on_market(&ev(mark), &mut out);
            check_invariants(&x).unwrap();
            let liquidated = out.iter().any(|o| matches!(o, Output::Liquidation { account, .. } if *account == a));
            let expect = if long { mark < key } else { mark > key };
            prop_assert_eq!(liquidated, expect, "mark {} key {} {:?}", mark, key, c);
        }
    }
}

/// The random flow of `properties` on an inverse exchange: two perpetuals margined in the coin
/// `X` (contract = 100 USD, so one contract is about one coin at the test's prices of 50 …
/// 150; BitMEX 2020 rules and XBT risk limits; the second backed by fund 1) and the coin's
/// spot market, six accounts with 5 … 80 coin and 300 USD of spot cash, a small fund.
fn inverse_venue(fund_seed: i64) -> (Exchange, Vec<AccountId>) {
    let spec = |sym: &str, kind| InstrumentSpec {
        lot: q("0.001"),
        tick: p("0.01"),
        contract_size: if kind == InstrumentKind::Spot {
            Qty::ONE
        } else {
            Qty::from_int(100)
        },
        ..InstrumentSpec::new("test", sym, kind, "X", "USD")
    };
    let tiers = bitmex_2020_xbtusd_tiers_xbt();
    let mut instruments: Vec<InstrumentConfig> = ["P0", "P1"]
        .iter()
        .map(|s| InstrumentConfig::perp(spec(s, InstrumentKind::InversePerp), tiers.clone()))
        .collect();
    instruments[1].fund = 1;
    instruments.push(InstrumentConfig::spot(spec("S", InstrumentKind::Spot)));
    let mut ex = Exchange::new(VenueRules::bitmex_2020(), instruments).unwrap();
    ex.seed_insurance_fund(0, Money::from_int(fund_seed));
    ex.seed_insurance_fund(1, Money::from_int(fund_seed / 2));
    let accounts = (0..6)
        .map(|k| {
            let a = ex.open_account(Money::from_int(5 + 15 * k));
            ex.deposit(a, Money::from_int(300), true);
            a
        })
        .collect();
    (ex, accounts)
}

proptest! {
    /// As `properties::invariants_hold_after_every_event`, on the inverse exchange (crowd
    /// positions get the coin initial margin plus 0.1 coin, so they are as leveraged as asked).
    /// `PROPTEST_CASES=20000` for a long soak.
    #[test]
    fn inverse_invariants_hold_after_every_event(
        fund in 0i64..20,
        ops in prop::collection::vec(crate::properties::op(), 1..150),
    ) {
        use crate::properties::{apply, Op};
        let (mut ex, accounts) = inverse_venue(fund);
        let mut t = day("2020-03-12T00:00:00Z");
        let mut out = Vec::new();
        for (k, op) in ops.iter().enumerate() {
            match *op {
                Op::Crowd { i, qty_milli, cents, lev, isolated } if qty_milli != 0 => {
                    let qty = Qty::from_raw(qty_milli * 100_000);
                    let entry = Price::from_raw(cents * 1_000_000);
                    let im = inverse::inverse_notional(qty, Qty::from_int(100), entry, Rounding::Up)
                        .div_int(lev as i64, Rounding::Up)
                        .unwrap();
                    let c = CrowdPosition {
                        instrument: InstrumentId(i),
                        qty,
                        entry,
                        leverage: lev,
                        mode: if isolated { MarginMode::Isolated } else { MarginMode::Cross },
                        deposit: im + m("0.1"),
                    };
                    let _ = ex.open_crowd_position(&c, &mut out);
                }
                _ => apply(&mut ex, &accounts, &mut t, op, &mut out),
            }
            if let Err(e) = check_invariants(&ex) {
                prop_assert!(false, "after op {k} {op:?}: {e}");
            }
        }
    }
}
