//! Hand-computed scenarios, pinned as snapshots of the rendered log. Each has its arithmetic
//! written out next to it; the snapshot was read against it line by line.

use crate::support::*;
use cascade_exchange::*;
use cascade_types::*;

fn bybit_btc() -> (VenueRules, Vec<InstrumentConfig>) {
    let spec = InstrumentSpec {
        lot: q("0.001"),
        tick: p("0.01"),
        ..InstrumentSpec::new(
            "bybit",
            "BTCUSDT",
            InstrumentKind::LinearPerp,
            "BTC",
            "USDT",
        )
    };
    (
        VenueRules::bybit(),
        vec![InstrumentConfig::perp(spec, bybit_btcusdt_tiers())],
    )
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
        s.command(
            alice,
            Command::SetMarginMode {
                instrument: InstrumentId(0),
                mode: MarginMode::Isolated,
            },
        );
        s.command(
            alice,
            Command::SetLeverage {
                instrument: InstrumentId(0),
                leverage: 50,
            },
        );
        s.order(
            alice,
            0,
            Side::Buy,
            "1",
            OrderKind::Market,
            TimeInForce::Ioc,
        );
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
        s.command(
            alice,
            Command::SetMarginMode {
                instrument: InstrumentId(0),
                mode: MarginMode::Isolated,
            },
        );
        s.command(
            alice,
            Command::SetLeverage {
                instrument: InstrumentId(0),
                leverage: 10,
            },
        );
        s.order(
            alice,
            0,
            Side::Buy,
            "0.5",
            OrderKind::Market,
            TimeInForce::Ioc,
        );
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
        s.crowd(
            "alice",
            0,
            "250",
            "20000",
            40,
            MarginMode::Isolated,
            "125000",
        );
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
        s.command(
            alice,
            Command::SetLeverage {
                instrument: InstrumentId(0),
                leverage: 50,
            },
        );
        s.command(
            alice,
            Command::SetLeverage {
                instrument: InstrumentId(1),
                leverage: 50,
            },
        );
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
        s.command(
            alice,
            Command::SetMarginMode {
                instrument: InstrumentId(0),
                mode: MarginMode::Isolated,
            },
        );
        s.command(
            alice,
            Command::SetLeverage {
                instrument: InstrumentId(0),
                leverage: 10,
            },
        );
        s.command(
            alice,
            Command::SetLeverage {
                instrument: InstrumentId(1),
                leverage: 10,
            },
        );
        s.open_at(alice, 0, "0.5", "60000");
        s.open_at(alice, 1, "5", "3000");
        s.book(0, "54090", "54100", "10");
        s.mark(0, "54100");
    }));
}

/// Hyperliquid: 20 % slices above $100k with a 30 s cooldown, then the remainder; and the
/// liquidator-vault backstop below 2/3 of maintenance (BTC: 40x, mmr 1.25 %, no fee).
///
/// Alice: isolated 20x long 3 at 60,000: margin 9,000; LP = (180,000 − 9,000)/(3 × 0.9875)
/// = 57,721.52.
/// - Mark 57,700 (bid 57,690): equity 9,000 − 6,900 = 2,100 < MM 2,163.75 (2/3 MM = 1,442.5,
///   no backstop). Notional 173,100 > 100k: slice 0.6 at 57,690: −1,386 → margin 7,614.
///   Remaining 2.4: equity 7,614 − 5,520 = 2,094 ≥ MM 1,731: healthy, cooldown forgotten.
/// - +10 s, mark 57,400 (bid 57,390): equity 7,614 − 6,240 = 1,374 < MM 1,722. Slice 0.48 at
///   57,390: −1,252.8 → margin 6,361.2. Remaining 1.92: equity 6,361.2 − 4,992 = 1,369.2 <
///   MM 1,377.6: still short, but the cooldown runs until +40 s.
/// - +20 s, mark 57,350: equity 1,273.2 < MM 1,376.4 (2/3: 917.6): waits. Alice's order is
///   refused while she is being liquidated.
/// - +45 s, mark 57,300 (bid 57,290): cooldown over, the remaining 1.92 closes at 57,290:
///   −5,203.2 → margin 1,158 goes back to the wallet.
///
/// Bob: isolated 15x long 2 at 60,000: margin 8,000, LP = 112,000 / 1.975 = 56,708.86,
/// bankruptcy 56,000. Mark 56,300 (bid 56,290): equity 600 < 2/3 × MM 1,407.5 = 938.33:
/// the vault takes the position over at 56,000 and sells it at 56,290: fund +580.
#[test]
fn hyperliquid_slices_then_backstop() {
    let spec = InstrumentSpec {
        lot: q("0.001"),
        tick: p("0.1"),
        ..InstrumentSpec::new(
            "hyperliquid",
            "BTC",
            InstrumentKind::LinearPerp,
            "BTC",
            "USDC",
        )
    };
    let inst = vec![InstrumentConfig::perp(
        spec,
        hyperliquid_2025_tiers("BTC").unwrap(),
    )];
    insta::assert_snapshot!(check(VenueRules::hyperliquid_2025(), inst, |s| {
        s.book(0, "59999", "60000", "100");
        s.mark(0, "60000");
        let alice = s.crowd("alice", 0, "3", "60000", 20, MarginMode::Isolated, "9000");
        s.crowd("bob", 0, "2", "60000", 15, MarginMode::Isolated, "8000");
        s.book(0, "57690", "57700", "100");
        s.mark(0, "57700");
        s.wait(10);
        s.book(0, "57390", "57400", "100");
        s.mark(0, "57400");
        s.wait(10);
        s.mark(0, "57350");
        s.order(
            alice,
            0,
            Side::Sell,
            "1",
            OrderKind::Market,
            TimeInForce::Ioc,
        );
        s.wait(25);
        s.book(0, "57290", "57300", "100");
        s.mark(0, "57300");
        s.wait(5);
        s.book(0, "56290", "56300", "100");
        s.mark(0, "56300");
    }));
}

/// Order handling on Binance rules (maker 0.02 %, taker 0.05 %, default 20x), book 59,999 /
/// 60,000 with 2 on each side, strictly-through queue rule.
///
/// - A limit buy 0.1 at 59,000 rests (reserving 0.1 × 59,000 / 20 = 295). A trade *at*
///   59,000 does not fill it; a trade at 58,999.9 for 0.05 fills 0.05 (maker fee 0.59); a
///   trade at 58,000 fills the other 0.05.
/// - Post-only at 59,999 would cross the bid: refused. Reduce-only sell 0.3 > position 0.1:
///   refused. FOK buy 5 at 60,000 with 2 on the book: refused. IOC buy 3 at 60,000: 2 fill
///   (taker fee 0.05 % × 120,000 = 60), 1 is cancelled.
/// - Leverage 125x with a 126,000 position (bracket 2 allows 100x): refused.
/// - A reduce-only stop-market sell 2.1 at 57,000 rests; the book moves to 56,899 / 56,900
///   and a trade at 56,900 triggers it: 2.1 sold at 56,899 (taker fee 59.74395).
/// - Cancelling an unknown order is refused; a limit sell is placed and cancelled.
#[test]
fn orders_rest_fill_trigger_and_reject() {
    let (rules, inst) = binance_btc();
    insta::assert_snapshot!(check(rules, inst, |s| {
        s.book(0, "59999", "60000", "2");
        s.mark(0, "60000");
        let alice = s.account("alice", "10000");
        s.order(
            alice,
            0,
            Side::Buy,
            "0.1",
            OrderKind::Limit { price: p("59000") },
            TimeInForce::Gtc,
        );
        s.trade(0, "59000", "1", Side::Sell);
        s.trade(0, "58999.9", "0.05", Side::Sell);
        s.trade(0, "58000", "1", Side::Sell);
        s.order_full(
            alice,
            0,
            Side::Sell,
            "0.1",
            OrderKind::Limit { price: p("59999") },
            TimeInForce::Gtc,
            false,
            true,
        );
        s.order_full(
            alice,
            0,
            Side::Sell,
            "0.3",
            OrderKind::Market,
            TimeInForce::Ioc,
            true,
            false,
        );
        s.order(
            alice,
            0,
            Side::Buy,
            "5",
            OrderKind::Limit { price: p("60000") },
            TimeInForce::Fok,
        );
        s.order(
            alice,
            0,
            Side::Buy,
            "3",
            OrderKind::Limit { price: p("60000") },
            TimeInForce::Ioc,
        );
        s.command(
            alice,
            Command::SetLeverage {
                instrument: InstrumentId(0),
                leverage: 125,
            },
        );
        s.order_full(
            alice,
            0,
            Side::Sell,
            "2.1",
            OrderKind::StopMarket {
                trigger: p("57000"),
            },
            TimeInForce::Gtc,
            true,
            false,
        );
        s.book(0, "56899", "56900", "5");
        s.trade(0, "56900", "0.5", Side::Sell);
        s.command(
            alice,
            Command::Cancel {
                order_id: OrderId(99),
            },
        );
        s.order(
            alice,
            0,
            Side::Sell,
            "0.5",
            OrderKind::Limit { price: p("70000") },
            TimeInForce::Gtc,
        );
        s.command(
            alice,
            Command::CancelAll {
                instrument: InstrumentId(0),
            },
        );
    }));
}

/// Spot beside futures: a delta-neutral carry (long spot, short perp) funded by a transfer,
/// then paid funding on its short.
///
/// Alice deposits 10,000 in futures and moves 6,100 to spot. Spot buy 0.1 at the ask 60,000
/// (taker 0.05 % = 3: spot wallet 6,100 − 6,000 − 3 = 97); perp short 0.1 at the bid 59,999
/// (fee 2.99995 from the futures wallet: 3,900 − 2.99995). Funding at +0.01 % on mark
/// 60,000 pays her short 0.6. A transfer of more than the spot wallet holds is refused.
#[test]
fn spot_and_perp_delta_neutral_with_transfers() {
    let date = day("2024-08-05");
    let mut perp = InstrumentConfig::binance_usdm("BTCUSDT", date).unwrap();
    perp.spec.lot = q("0.001");
    let spot = InstrumentConfig::spot(InstrumentSpec {
        lot: q("0.00001"),
        ..InstrumentSpec::new(
            "binance-spot",
            "BTCUSDT",
            InstrumentKind::Spot,
            "BTC",
            "USDT",
        )
    });
    insta::assert_snapshot!(check(
        VenueRules::binance_usdm(date),
        vec![perp, spot],
        |s| {
            s.book(0, "59999", "60000", "5");
            s.mark(0, "60000");
            s.book(1, "59999", "60000", "5");
            let alice = s.account("alice", "10000");
            s.command(
                alice,
                Command::Transfer {
                    from: Wallet::Futures,
                    to: Wallet::Spot,
                    amount: m("6100"),
                },
            );
            s.order(
                alice,
                1,
                Side::Buy,
                "0.1",
                OrderKind::Market,
                TimeInForce::Ioc,
            );
            s.order(
                alice,
                0,
                Side::Sell,
                "0.1",
                OrderKind::Market,
                TimeInForce::Ioc,
            );
            s.order_full(
                alice,
                1,
                Side::Sell,
                "0.1",
                OrderKind::Market,
                TimeInForce::Ioc,
                true,
                false,
            );
            s.wait(8 * 3600);
            s.settle(0, "0.0001");
            s.command(
                alice,
                Command::Transfer {
                    from: Wallet::Spot,
                    to: Wallet::Futures,
                    amount: m("98"),
                },
            );
            s.command(
                alice,
                Command::Transfer {
                    from: Wallet::Spot,
                    to: Wallet::Futures,
                    amount: m("97"),
                },
            );
        }
    ));
}

/// No recorded mark or funding: the mark is Binance's `median(P1, P2, last)` and funding is
/// settled on the 8-hour grid at the rate computed from premium samples.
///
/// - Index 60,000 alone: P1 = 60,000 (no rate estimate yet), no P2, no trade → mark 60,000.
/// - Book 60,030 / 60,040: premium sample (60,030 − 60,000)/60,000 = 0.05 %;
///   F = 0.05 % + clamp(0.01 % − 0.05 %, ±0.05 %) = 0.01 % (under the ±0.30 % cap).
///   P1 = 60,000 × (1 + 0.0001 × 8 h / 8 h) = 60,006; basis sample 60,035 − 60,000 = 35 →
///   P2 = 60,035; no trade: mean of the two = 60,020.5.
/// - Trade at 60,050: median(60,006, 60,035, 60,050) = 60,035.
/// - Alice long 1 at 60,035. At 08:00:01 the next event settles the grid's 08:00 funding at
///   0.01 % of 60,035 = 6.0035.
#[test]
fn computed_mark_and_scheduled_funding() {
    let (rules, inst) = binance_btc();
    insta::assert_snapshot!(check(rules, inst, |s| {
        s.index(0, "60000");
        s.show_market(0);
        s.book(0, "60030", "60040", "10");
        s.show_market(0);
        s.trade(0, "60050", "0.1", Side::Buy);
        s.show_market(0);
        let alice = s.account("alice", "10000");
        s.open_at(alice, 0, "1", "60035");
        s.wait(8 * 3600 + 1);
        s.index(0, "60000");
        s.show_market(0);
    }));
}
