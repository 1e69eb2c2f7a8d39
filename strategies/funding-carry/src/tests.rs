//! Signal tests through the engine-free harness: the entry, the checks, funding, and what
//! each `after_adl` policy does when the exchange closes the short leg.
//!
//! The harness has no exchange: after each command the tests stage the account view as the
//! engine would show it, then deliver the outputs.

use super::*;
use cascade_strategy::testing::{self as kit, btc_perp_and_spot as specs, Harness, PERP, SPOT};
use cascade_strategy::types::Price;
use cascade_strategy::types::{AccountId, Command, InstrumentSpec, LiquidationKind, RejectReason};
use cascade_strategy::AccountCommand;

fn q(s: &str) -> Qty {
    kit::qty(s)
}

fn render(cmds: &[AccountCommand]) -> String {
    kit::render(cmds).join("; ")
}

/// The carry under a harness with 10,000 in the futures wallet.
struct Run {
    h: Harness,
    s: FundingCarry,
    /// Client ids of the orders issued, in order.
    ids: Vec<u64>,
}

impl Run {
    fn new(params: &[&str]) -> Run {
        let p = Params::new()
            .with_overrides(params.iter().copied())
            .unwrap();
        let mut s = FundingCarry::new(Config::from_params(&p).unwrap());
        p.check_unknown().unwrap();
        let mut h = Harness::funded(&specs(), Money::from_int(10_000));
        h.start(&mut s).unwrap();
        Run {
            h,
            s,
            ids: Vec::new(),
        }
    }

    fn note(&mut self, cmds: &[AccountCommand]) -> String {
        for c in cmds {
            if let Command::Place(o) = c.command {
                self.ids.push(o.client_id);
            }
        }
        render(cmds)
    }

    /// Book tops on both instruments at second `secs`; returns the commands.
    fn quotes(&mut self, secs: i64, perp_bid: &str, spot_ask: &str) -> String {
        let ts = Ts::parse_utc("2025-10-10T12:00:00Z")
            .unwrap()
            .plus_nanos(secs * NS_PER_SEC);
        let top = |i, bid: &str, ask: &str| kit::book_top(ts, i, kit::price(bid), kit::price(ask));
        let perp_ask = (perp_bid.parse::<Price>().unwrap() + Price::from_int(1)).to_string();
        let spot_bid = (spot_ask.parse::<Price>().unwrap() - Price::from_int(1)).to_string();
        let mut cmds = self.h.event(&mut self.s, &top(PERP, perp_bid, &perp_ask));
        cmds.extend(self.h.event(&mut self.s, &top(SPOT, &spot_bid, spot_ask)));
        self.note(&cmds)
    }

    /// Stages the legs in the account view.
    fn legs(&mut self, spot: &str, perp: &str) {
        self.h.accounts[0].positions[SPOT.index()].qty = q(spot);
        self.h.accounts[0].positions[PERP.index()].qty = q(perp);
    }

    fn out(&mut self, o: Output) -> String {
        let cmds = self.h.output(&mut self.s, &o);
        self.note(&cmds)
    }

    fn fill(&mut self, i: InstrumentId, side: Side, qty: &str) -> String {
        let fill = kit::fill(i, side, q(qty), kit::price("100000"), Money::ZERO);
        self.out(fill)
    }

    fn adl(&mut self, victim: u32, qty: &str) -> String {
        self.out(Output::Adl {
            victim: AccountId(victim),
            counterparty: AccountId(if victim == 0 { 7 } else { 0 }),
            instrument: PERP,
            side: Side::Buy,
            qty: q(qty),
            price: "104000".parse().unwrap(),
        })
    }

    /// The entry of 0.064 BTC on each leg, filled.
    fn hedged(params: &[&str]) -> Run {
        let mut r = Run::new(params);
        r.quotes(0, "99990", "100010");
        r.legs("0.064", "0");
        r.fill(SPOT, Side::Buy, "0.064");
        r.legs("0.064", "-0.064");
        r.fill(PERP, Side::Sell, "0.064");
        assert_eq!(r.s.state(), State::Hedged);
        r
    }
}

#[test]
fn entry_moves_the_spot_cost_buys_spot_and_shorts_the_same_quantity() {
    let mut r = Run::new(&[]);
    // 10,000 deployed at 2x with 2 % of each leg's notional held back: each leg is
    // 10,000 × 2 / (3 + 2 × 0.02 × 2) = 6,493.51; at the dearer of the two prices, 100,010,
    // that is 0.0649 BTC, rounded down to the 0.001 perp lot (a multiple of the 0.00001 spot
    // lot). The spot leg costs 6,400.64, moved with 2 % on top.
    assert_eq!(
        r.quotes(0, "99990", "100010"),
        "transfer Futures->Spot 6528.6528; i0 leverage 2; i1 buy 0.064 market; i0 sell 0.064 market"
    );
    assert_eq!(r.s.state(), State::Entering);
    // In flight: no second entry.
    assert_eq!(r.quotes(1, "99991", "100011"), "");
    r.legs("0.064", "0");
    r.fill(SPOT, Side::Buy, "0.064");
    assert_eq!(r.s.state(), State::Entering);
    r.legs("0.064", "-0.064");
    r.fill(PERP, Side::Sell, "0.064");
    assert_eq!(r.s.state(), State::Hedged);
    // Later checks find the legs equal: nothing to do.
    assert_eq!(r.quotes(60, "99000", "99010"), "");
    assert_eq!(r.quotes(120, "98000", "98010"), "");
}

#[test]
fn funding_is_tracked_both_ways() {
    let mut r = Run::hedged(&[]);
    for amount in ["-1.5", "-2", "0.25"] {
        r.out(Output::Funding {
            account: AccountId(0),
            instrument: PERP,
            rate: "0.0001".parse().unwrap(),
            amount: amount.parse().unwrap(),
        });
    }
    let c = r.s.counters();
    assert_eq!(
        (c.funding_received.to_string(), c.funding_payments),
        ("3.25".to_string(), 3)
    );
}

#[test]
fn adl_of_the_short_under_hold_leaves_it_naked_long_and_stops_rebalancing() {
    let mut r = Run::hedged(&["after_adl=hold"]);
    // We are the bankrupt counterparty of someone else's ADL: not our short closed.
    r.legs("0.064", "-0.064");
    assert_eq!(r.adl(5, "0.01"), "");
    assert_eq!(r.s.state(), State::Hedged);
    // The crash: 0.04 of our profitable short is auto-deleveraged.
    r.legs("0.064", "-0.024");
    r.h.set_now(Ts::parse_utc("2025-10-10T12:05:00Z").unwrap());
    assert_eq!(r.adl(0, "0.04"), "");
    assert_eq!(r.s.state(), State::NakedLong);
    assert_eq!(r.s.naked(), q("0.04"));
    // The legs now differ by far more than the tolerance, but `hold` holds.
    assert_eq!(r.quotes(400, "90000", "90010"), "");
    assert_eq!(r.quotes(460, "90000", "90010"), "");
    assert_eq!(
        r.s.summary(),
        "funding-carry: state=naked-long naked=0.04 (max 0.04, since 2025-10-10T12:05:00Z) \
         after_adl=hold funding_received=0 (0 payments) adl=0.04 (1 events) liquidated=0 \
         (0 steps) reopened=0 flattened=0 rebalances=0 rejections=0\n  \
         2025-10-10T12:05:00Z: ADL closed 0.04 of the short leg: naked long 0.04 (after_adl = hold)"
    );
    // The run's notes say the same where the report is read.
    let notes: Vec<String> = r.s.notes().iter().map(|n| n.to_string()).collect();
    assert_eq!(
        notes,
        [
            "state: ended naked-long (after_adl = hold)",
            "hedge: left naked long from 2025-10-10T12:05:00Z: 0.04 spot unhedged at the end \
             (max 0.04); short closed by ADL 0.04 in 1 event(s), by liquidation 0; reopened 0, \
             flattened 0",
            "funding: received 0 over 0 settlement(s); 0 rebalance(s), 0 rejection(s)",
            "event: 2025-10-10T12:05:00Z: ADL closed 0.04 of the short leg: naked long 0.04 \
             (after_adl = hold)",
        ]
    );
}

#[test]
fn adl_of_the_short_under_reopen_shorts_the_lost_quantity_again() {
    let mut r = Run::hedged(&["after_adl=reopen"]);
    r.legs("0.064", "-0.024");
    assert_eq!(r.adl(0, "0.04"), "i0 sell 0.04 market");
    assert_eq!(r.s.state(), State::Restoring);
    r.legs("0.064", "-0.064");
    assert_eq!(r.fill(PERP, Side::Sell, "0.04"), "");
    assert_eq!(r.s.state(), State::Hedged);
    assert_eq!(r.s.naked(), Qty::ZERO);
    let c = r.s.counters();
    assert_eq!(
        (c.reopened, c.naked_max, c.adl_qty),
        (q("0.04"), q("0.04"), q("0.04"))
    );
}

#[test]
fn adl_of_the_short_under_flatten_sells_the_unhedged_spot() {
    let mut r = Run::hedged(&["after_adl=flatten"]);
    r.legs("0.064", "-0.024");
    assert_eq!(r.adl(0, "0.04"), "i1 sell 0.04 market");
    r.legs("0.024", "-0.024");
    assert_eq!(r.fill(SPOT, Side::Sell, "0.04"), "");
    assert_eq!(r.s.state(), State::Hedged);
    // Then the rest of the short goes too: everything is sold, the carry is flat.
    r.legs("0.024", "0");
    assert_eq!(r.adl(0, "0.024"), "i1 sell 0.024 market");
    r.legs("0", "0");
    assert_eq!(r.fill(SPOT, Side::Sell, "0.024"), "");
    assert_eq!(r.s.state(), State::Flat);
    assert_eq!(r.s.counters().flattened, q("0.064"));
    assert_eq!(r.s.counters().adl_events, 2);
}

#[test]
fn a_liquidated_short_is_a_lost_hedge_too() {
    let mut r = Run::hedged(&["after_adl=reopen"]);
    r.legs("0.064", "0");
    let cmds = r.out(Output::Liquidation {
        account: AccountId(0),
        instrument: PERP,
        kind: LiquidationKind::Full,
        side: Side::Buy,
        qty: q("0.064"),
        price: "150000".parse().unwrap(),
        bankruptcy_price: "151000".parse().unwrap(),
        fee: Money::ZERO,
    });
    assert_eq!(cmds, "i0 sell 0.064 market");
    assert_eq!(r.s.counters().liquidated_qty, q("0.064"));
    assert_eq!(r.s.naked(), q("0.064"));
}

#[test]
fn a_refused_restore_is_retried_then_left_naked() {
    let mut r = Run::hedged(&["after_adl=reopen", "max_attempts=2"]);
    r.legs("0.064", "-0.024");
    assert_eq!(r.adl(0, "0.04"), "i0 sell 0.04 market");
    let refuse = |r: &mut Run| {
        let id = *r.ids.last().unwrap();
        r.out(Output::Rejected {
            account: AccountId(0),
            client_id: id,
            reason: RejectReason::InsufficientMargin,
        })
    };
    assert_eq!(refuse(&mut r), "i0 sell 0.04 market");
    assert_eq!(refuse(&mut r), "");
    assert_eq!(r.s.state(), State::NakedLong);
    assert!(r
        .s
        .events()
        .last()
        .unwrap()
        .ends_with("could not restore the hedge: naked long 0.04"));
}

#[test]
fn drifting_legs_are_rebalanced_on_the_perpetual_beyond_the_tolerance() {
    let mut r = Run::hedged(&[]);
    // 0.001 apart: within 2 % of 0.064 (0.00128).
    r.legs("0.064", "-0.064");
    assert_eq!(r.quotes(60, "99990", "100010"), "");
    // 0.004 apart: the short is topped up.
    r.legs("0.064", "-0.06");
    assert_eq!(r.quotes(120, "99990", "100010"), "i0 sell 0.004 market");
    r.legs("0.064", "-0.064");
    r.fill(PERP, Side::Sell, "0.004");
    // Too much short: bought back, reduce-only.
    r.legs("0.06", "-0.064");
    assert_eq!(
        r.quotes(180, "99990", "100010"),
        "i0 buy 0.004 market reduce-only"
    );
    assert_eq!(r.s.counters().rebalances, 2);
}

#[test]
fn a_refused_entry_leg_is_unwound_and_the_entry_retried() {
    let mut r = Run::new(&["max_attempts=2"]);
    r.quotes(0, "99990", "100010");
    // The spot buy is refused; the short fills alone.
    let spot_id = r.ids[0];
    r.out(Output::Rejected {
        account: AccountId(0),
        client_id: spot_id,
        reason: RejectReason::InsufficientMargin,
    });
    r.legs("0", "-0.064");
    r.fill(PERP, Side::Sell, "0.064");
    // The next check unwinds the lone short…
    assert_eq!(
        r.quotes(60, "99990", "100010"),
        "i0 buy 0.064 market reduce-only"
    );
    r.legs("0", "0");
    r.fill(PERP, Side::Buy, "0.064");
    // …and the one after tries again.
    assert_eq!(
        r.quotes(120, "99990", "100010"),
        "transfer Futures->Spot 6528.6528; i0 leverage 2; i1 buy 0.064 market; i0 sell 0.064 market"
    );
    assert_eq!(r.s.state(), State::Entering);
    let perp_id = r.ids[r.ids.len() - 1];
    r.out(Output::Rejected {
        account: AccountId(0),
        client_id: perp_id,
        reason: RejectReason::LeverageAboveTierMax,
    });
    r.legs("0", "0");
    // Both refused this time (the spot leg was refused as well, say): out of attempts.
    assert_eq!(r.quotes(180, "99990", "100010"), "");
    assert_eq!(r.s.state(), State::GaveUp);
}

#[test]
fn a_refused_short_leg_sells_the_spot_bought_alone() {
    let mut r = Run::new(&["max_attempts=1"]);
    r.quotes(0, "99990", "100010");
    r.legs("0.064", "0");
    r.fill(SPOT, Side::Buy, "0.064");
    let perp_id = r.ids[1];
    r.out(Output::Rejected {
        account: AccountId(0),
        client_id: perp_id,
        reason: RejectReason::InsufficientMargin,
    });
    assert_eq!(r.s.state(), State::Unwinding);
    assert_eq!(r.quotes(60, "99990", "100010"), "i1 sell 0.064 market");
    r.legs("0", "0");
    r.fill(SPOT, Side::Sell, "0.064");
    // Out of entry attempts: flat, and done.
    assert_eq!(r.quotes(120, "99990", "100010"), "");
    assert_eq!(r.s.state(), State::GaveUp);
}

#[test]
fn refused_rebalances_stop_after_max_attempts_and_leave_it_naked_long() {
    let mut r = Run::hedged(&["max_attempts=2"]);
    r.legs("0.064", "-0.04");
    for (secs, expect) in [(60, "i0 sell 0.024 market"), (120, "i0 sell 0.024 market")] {
        assert_eq!(r.quotes(secs, "99990", "100010"), expect);
        let id = *r.ids.last().unwrap();
        r.out(Output::Rejected {
            account: AccountId(0),
            client_id: id,
            reason: RejectReason::InsufficientMargin,
        });
    }
    assert_eq!(r.s.state(), State::NakedLong);
    assert_eq!(r.s.naked(), q("0.024"));
    assert_eq!(r.quotes(180, "99990", "100010"), "");
    assert!(r
        .s
        .events()
        .last()
        .unwrap()
        .ends_with("rebalancing refused 2 times: spot 0.064, short 0.04 left as they are"));
}

#[test]
fn start_needs_both_instruments() {
    let start = |params: &[&str], specs: Vec<InstrumentSpec>| {
        let p = Params::new()
            .with_overrides(params.iter().copied())
            .unwrap();
        let mut s = FundingCarry::new(Config::from_params(&p).unwrap());
        match Harness::new(&specs).start(&mut s) {
            Ok(_) => "ok".to_string(),
            Err(e) => e.to_string(),
        }
    };
    assert_eq!(start(&[], specs()), "ok");
    assert_eq!(
        start(&[], vec![specs()[0].clone()]),
        "parameter `spot`: the carry needs a spot instrument of BTC; the run has none"
    );
    assert_eq!(
        start(&[], vec![specs()[1].clone()]),
        "parameter `perp`: the run has no perpetual to short"
    );
    assert_eq!(
        start(&["spot=BTC-USD"], specs()),
        "parameter `spot`: the run has no spot instrument with symbol \"BTC-USD\""
    );
}

#[test]
fn parameters_are_checked_and_typos_caught() {
    kit::check_params(register, NAME, PARAMS, include_str!("../README.md"));
    let out = [
        &[][..],
        &[
            "after_adl=flatten",
            "leverage=5",
            "rebalance_tolerance=0.05",
        ],
        &["after_adl=panic"],
        &["leverage=0"],
        &["rebalance_tolerance=1"],
        &["check_s=0"],
        &["after_ald=hold"],
    ]
    .map(|kv| kit::try_create(register, NAME, kv));
    assert_eq!(
        out.join("\n"),
        [
            "ok",
            "ok",
            "strategy `funding-carry`: parameter `after_adl` = \"panic\" (from --param): expected \"hold\", \"reopen\" or \"flatten\"",
            "strategy `funding-carry`: parameter `leverage` = \"0\" (from --param): expected at least 1",
            "strategy `funding-carry`: parameter `rebalance_tolerance` = \"1\" (from --param): expected a share in [0, 1)",
            "strategy `funding-carry`: parameter `check_s` = \"0\" (from --param): expected at least 1 second",
            "strategy `funding-carry`: unknown parameter `after_ald` (from --param); did you mean `after_adl`? known parameters: after_adl, buffer, check_s, fraction, leverage, log_summary, max_attempts, perp, rebalance_tolerance, spot",
        ]
        .join("\n")
    );
}

#[test]
fn common_lot_is_the_least_common_multiple() {
    assert_eq!(common_lot(q("0.001"), q("0.00001")), Some(q("0.001")));
    assert_eq!(common_lot(q("0.004"), q("0.006")), Some(q("0.012")));
    assert_eq!(common_lot(Qty::from_raw(1), q("1")), Some(q("1")));
}
