//! Hand-computed scenarios, pinned as snapshots of the rendered log. Each has its arithmetic
//! written out next to it; the snapshot was read against it line by line.

use crate::support::*;
use cascade_exchange::*;
use cascade_types::*;

fn bybit_btc() -> (VenueRules, Vec<InstrumentConfig>) {
    let spec = InstrumentSpec {
        lot: q("0.001"),
        tick: p("0.01"),
        ..InstrumentSpec::new("bybit", "BTCUSDT", InstrumentKind::LinearPerp, "BTC", "USDT")
    };
    (VenueRules::bybit(), vec![InstrumentConfig::perp(spec, bybit_btcusdt_tiers())])
}

/// Bybit, takeover at the bankruptcy price: the remaining margin is the fund's.
///
/// Alice: 1,000 deposited, isolated 50x, buys 1 BTC at the ask 20,000: IM = 20,000 / 50 = 400
/// moves into the position, the taker fee 0.055 % × 20,000 = 11 leaves the wallet at 589.
/// MM (entry basis) = 20,000 × 0.5 % = 100, so the liquidation price is 20,000 − (400 − 100)
/// = 19,700 (MECHANICS A2.2), bankruptcy 20,000 × (1 − 1/50) = 19,600.
/// Mark 19,690 < 19,700: equity 400 − 310 = 90 < 100. Tier 1, so no partial step: the engine
/// takes the position over at 19,600 (alice's 400 is gone, wallet stays 589) and sells it
/// into the book at the bid 19,690: the fund gains (19,690 − 19,600) × 1 = 90 → 10,090.
#[test]
fn liquidation_with_surplus_to_the_fund() {
    let (rules, inst) = bybit_btc();
    insta::assert_snapshot!(check(rules, inst, |s| {
        s.seed_fund("10000");
        s.book(0, "19999", "20000", "10");
        s.mark(0, "20000");
        let alice = s.account("alice", "1000");
        s.command(alice, Command::SetMarginMode { instrument: InstrumentId(0), mode: MarginMode::Isolated });
        s.command(alice, Command::SetLeverage { instrument: InstrumentId(0), leverage: 50 });
        s.order(alice, 0, Side::Buy, "1", OrderKind::Market, TimeInForce::Ioc);
        s.book(0, "19690", "19691", "10");
        s.mark(0, "19700");
        s.mark(0, "19690");
    }));
}

/// Binance, a gap through the bankruptcy price that the fund covers.
///
/// Alice: 3,100 deposited, isolated 10x, buys 0.5 BTC at 60,000: IM 3,000, taker fee
/// 0.05 % × 30,000 = 15, wallet 85. Tier 1 (30,000 < 50,000: 0.4 %, cum 0):
/// LP = (30,000 − 3,000) / (0.5 × 0.996) = 54,216.87; bankruptcy 60,000 − 3,000/0.5 = 54,000.
/// The book gaps to 53,000 and the mark to 53,100: equity 3,000 − 3,450 < 0. No partial step
/// (tier 1). Closing through the book gives 0.5 × 53,000 = 26,500; the bankruptcy price would
/// give 27,000: alice is settled at 54,000 (isolated margin exactly 0, wallet untouched at
/// 85) and the fund pays the 500 gap → 9,500. No clearance fee: nothing is left above
/// bankruptcy.
#[test]
fn liquidation_with_a_deficit_the_fund_covers() {
    let (rules, inst) = binance_btc();
    insta::assert_snapshot!(check(rules, inst, |s| {
        s.seed_fund("10000");
        s.book(0, "59999", "60000", "10");
        s.mark(0, "60000");
        let alice = s.account("alice", "3100");
        s.command(alice, Command::SetMarginMode { instrument: InstrumentId(0), mode: MarginMode::Isolated });
        s.command(alice, Command::SetLeverage { instrument: InstrumentId(0), leverage: 10 });
        s.order(alice, 0, Side::Buy, "0.5", OrderKind::Market, TimeInForce::Ioc);
        s.book(0, "53000", "53001", "10");
        s.mark(0, "53100");
    }));
}

/// Binance, the fund cannot cover the gap: ADL of the top-ranked profitable shorts at the
/// bankruptcy price.
///
/// Fund 100. Alice long 0.5 at 60,000, isolated 10x (margin 3,000): bankruptcy 54,000.
/// Bob short 0.3 at 60,000, cross 10x, wallet 2,000; Carol short 0.4 at 58,000, cross 20x,
/// wallet 2,100 (she starts 800 under water at mark 60,000). The mark gaps to 53,100 with the bid at 53,000: the book close would leave a
/// 500 deficit (as above) > fund 100, so ADL.
/// Binance's published ranking, PnL% × margin ratio, at mark 53,100:
/// - Bob: upnl 0.3 × 6,900 = 2,070, PnL% = 2,070 / 2,000 = 1.035; MM = 0.3 × 53,100 × 0.4 %
///   = 63.72, equity 4,070, ratio 0.015656 → score 0.016204;
/// - Carol: upnl 0.4 × 4,900 = 1,960, PnL% = 1,960 / 2,100 = 0.9333; MM 84.96, equity 4,060,
///   ratio 0.020926 → score 0.019531.
///
/// Carol first: her 0.4 closes at 54,000 (she realises 0.4 × 4,000 = 1,600 → wallet 3,700),
/// then 0.1 of Bob's at 54,000 (+600 → wallet 2,600, still short 0.2). Alice ends flat with
/// margin exactly 0; the fund is untouched.
#[test]
fn fund_exhausted_adl_of_the_top_ranked_counterparty() {
    let (rules, inst) = binance_btc();
    insta::assert_snapshot!(check(rules, inst, |s| {
        s.seed_fund("100");
        s.book(0, "59999", "60000", "10");
        s.mark(0, "60000");
        s.crowd("alice", 0, "0.5", "60000", 10, MarginMode::Isolated, "3000");
        s.crowd("bob", 0, "-0.3", "60000", 10, MarginMode::Cross, "2000");
        s.crowd("carol", 0, "-0.4", "58000", 20, MarginMode::Cross, "2100");
        s.book(0, "53000", "53001", "10");
        s.mark(0, "53100");
    }));
}

/// Bybit, partial liquidation one risk tier at a time (entry-basis brackets: 0.5 % to 2M,
/// 1 % to 4M with cum 10,000, 1.5 % above with cum 30,000).
///
/// Alice long 250 BTC at 20,000 (5M, tier 3), isolated 40x: margin 125,000;
/// MM = 5,000,000 × 1.5 % − 30,000 = 45,000; LP = 20,000 − (125,000 − 45,000)/250 = 19,680.
/// Mark 19,600 (bid 19,590): equity 125,000 − 250 × 400 = 25,000 < 45,000.
/// Step 1: keep the most whole lots under 4M at entry: 199.999 BTC (3,999,980); close
/// 50.001 at 19,590 = 979,519.59 against a basis of 1,000,020: −20,500.41 → margin
/// 104,499.59. Now tier 2: MM = 39,999.80 − 10,000 = 29,999.80; equity 104,499.59 −
/// 199.999 × 400 = 24,499.99 < 29,999.80.
/// Step 2: keep 99.999 (1,999,980); close 100 at 19,590 = 1,959,000 against 2,000,000:
/// −41,000 → margin 63,499.59. Tier 1: MM = 9,999.90; equity 63,499.59 − 39,999.60 =
/// 23,499.99 ≥ 9,999.90: healthy, the rest of the position survives.
/// Bankruptcy prices: 20,000 − 125,000/250 = 19,500; then (3,999,980 − 104,499.59)/199.999 =
/// 19,477.4994375. No fee on Bybit liquidation steps; no fund movement.
#[test]
fn partial_liquidation_steps_down_the_tiers() {
    let (rules, inst) = bybit_btc();
    insta::assert_snapshot!(check(rules, inst, |s| {
        s.seed_fund("1000000");
        s.book(0, "19999", "20000", "1000");
        s.mark(0, "20000");
        s.crowd("alice", 0, "250", "20000", 40, MarginMode::Isolated, "125000");
        s.book(0, "19590", "19591", "1000");
        s.mark(0, "19600");
    }));
}

/// Funding paid and received, recorded settlements on mark (Binance).
///
/// Alice long 1 (cross), Bob short 0.5 (cross); the market holds the other 0.5 short.
/// Settlement 1 at rate 0.012345 % on mark 60,000.5: alice pays 60,000.5 × 0.00012345 =
/// 7.407061725 → rounded up 7.40706173; Bob and the market each receive 3.7035308625 →
/// rounded toward zero 3.70353086; the pool keeps 7.40706173 − 2 × 3.70353086 = 0.00000001.
/// Settlement 2 at −0.01 % on mark 60,000: shorts pay: Bob and the market 3 each, alice
/// receives 6; pool unchanged. Alice: 10,000 − 7.40706173 + 6 = 9,998.59293827;
/// Bob: 10,000 + 3.70353086 − 3 = 10,000.70353086.
#[test]
fn funding_paid_and_received() {
    let (rules, inst) = binance_btc();
    insta::assert_snapshot!(check(rules, inst, |s| {
        s.mark(0, "60000.5");
        let alice = s.account("alice", "10000");
        let bob = s.account("bob", "10000");
        s.open_at(alice, 0, "1", "60000.5");
        s.open_at(bob, 0, "-0.5", "60000.5");
        s.wait(8 * 3600);
        s.settle(0, "0.00012345");
        s.mark(0, "60000");
        s.wait(8 * 3600);
        s.settle(0, "-0.0001");
    }));
}

/// Binance cross margin: BTC's loss liquidates both cross positions.
///
/// Alice: 2,000 cross, 50x; long 0.5 BTC at 60,000 (IM 600) and short 10 ETH at 3,000
/// (IM 600). MM 30,000 × 0.4 % = 120 each. With ETH fixed at 3,000 the BTC liquidation price
/// solves 2,000 + 0.5 (m − 60,000) = 0.002 m + 120: m = 28,120 / 0.498 = 56,465.86.
/// BTC mark 56,400 (bid 56,390): equity 200 < 112.8 + 120 = 232.8.
/// Both are tier 1, so the whole cross pool closes, in instrument order:
/// - BTC: bankruptcy with ETH at mark (upnl 0): (30,000 − 2,000)/0.5 = 56,000. Sold at
///   56,390: −1,805 → wallet 195; clearance fee 0.3 % × 28,195 = 84.585, under the surplus
///   (56,390 − 56,000) × 0.5 = 195 → wallet 110.415, fund +84.585.
/// - ETH: bankruptcy (110.415 + 30,000)/10 = 3,011.0415. Bought back at the ask 3,000.5:
///   −5 → wallet 105.415; fee 0.5 % × 30,005 = 150.025 capped at the surplus
///   30,110.415 − 30,005 = 105.415 → wallet 0, fund +105.415. Fund 1,000 + 190 = 1,190.
#[test]
fn cross_margin_one_loss_liquidates_both_positions() {
    let date = day("2024-08-05");
    let mut btc = InstrumentConfig::binance_usdm("BTCUSDT", date).unwrap();
    let mut eth = InstrumentConfig::binance_usdm("ETHUSDT", date).unwrap();
    for c in [&mut btc, &mut eth] {
        c.spec.lot = q("0.001");
        c.spec.tick = p("0.01");
    }
    insta::assert_snapshot!(check(VenueRules::binance_usdm(date), vec![btc, eth], |s| {
        s.seed_fund("1000");
        s.book(0, "59999", "60000", "10");
        s.mark(0, "60000");
        s.book(1, "3000", "3000.5", "100");
        s.mark(1, "3000");
        let alice = s.account("alice", "2000");
        s.command(alice, Command::SetLeverage { instrument: InstrumentId(0), leverage: 50 });
        s.command(alice, Command::SetLeverage { instrument: InstrumentId(1), leverage: 50 });
        s.open_at(alice, 0, "0.5", "60000");
        s.open_at(alice, 1, "-10", "3000");
        s.book(0, "56390", "56400", "10");
        s.mark(0, "56500");
        s.mark(0, "56400");
    }));
}

/// Binance: an isolated position is liquidated while the cross wallet and the cross position
/// are untouched.
///
/// Alice: 10,000. Isolated 10x long 0.5 BTC at 60,000 (margin 3,000, wallet 7,000); cross
/// 10x long 5 ETH at 3,000. BTC: LP = (30,000 − 3,000)/(0.5 × 0.996) = 54,216.87,
/// bankruptcy 54,000. BTC mark 54,100 (bid 54,090): equity 3,000 − 2,950 = 50 < MM 108.2.
/// Closed at 54,090: −2,955 → margin 45; fee 0.3 % × 27,045 = 81.135 capped at the surplus
/// (54,090 − 54,000) × 0.5 = 45 → margin 0, fund +45. The wallet stays 7,000 and the ETH
/// position stays open.
#[test]
fn isolated_liquidation_leaves_the_cross_wallet_untouched() {
    let date = day("2024-08-05");
    let mut btc = InstrumentConfig::binance_usdm("BTCUSDT", date).unwrap();
    let mut eth = InstrumentConfig::binance_usdm("ETHUSDT", date).unwrap();
    for c in [&mut btc, &mut eth] {
        c.spec.lot = q("0.001");
        c.spec.tick = p("0.01");
    }
    insta::assert_snapshot!(check(VenueRules::binance_usdm(date), vec![btc, eth], |s| {
        s.book(0, "59999", "60000", "10");
        s.mark(0, "60000");
        s.mark(1, "3000");
        let alice = s.account("alice", "10000");
        s.command(alice, Command::SetMarginMode { instrument: InstrumentId(0), mode: MarginMode::Isolated });
        s.command(alice, Command::SetLeverage { instrument: InstrumentId(0), leverage: 10 });
        s.command(alice, Command::SetLeverage { instrument: InstrumentId(1), leverage: 10 });
        s.open_at(alice, 0, "0.5", "60000");
        s.open_at(alice, 1, "5", "3000");
        s.book(0, "54090", "54100", "10");
        s.mark(0, "54100");
    }));
}
