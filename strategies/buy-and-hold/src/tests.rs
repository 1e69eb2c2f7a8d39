//! Signal tests through the engine-free harness: crafted events in, commands out.

use super::*;
use cascade_strategy::testing::{self as kit, btc_perp_and_spot as specs, Harness, PERP, SPOT};
use cascade_strategy::types::{
    AccountId, Command, InstrumentSpec, LiquidationKind, RejectReason, Ts,
};
use cascade_strategy::AccountCommand;

fn t(secs: i64) -> Ts {
    kit::at("2025-10-10T12:00:00Z", secs)
}

fn trade(secs: i64, i: InstrumentId, price: &str) -> Event {
    kit::trade(t(secs), i, kit::price(price))
}

fn top(secs: i64, i: InstrumentId, bid: &str, ask: &str) -> Event {
    kit::book_top(t(secs), i, kit::price(bid), kit::price(ask))
}

/// One line per command, in issue order.
fn show(cmds: &[AccountCommand]) -> String {
    kit::render(cmds).join("\n")
}

/// The strategy built from `k=v` parameters (checked as the registry would), and a harness
/// whose account holds `deposit` in its futures wallet, started.
fn setup(params: &[&str], deposit: i64) -> (Harness, BuyAndHold) {
    let p = Params::new()
        .with_overrides(params.iter().copied())
        .unwrap();
    let mut s = BuyAndHold::new(BuyAndHold::config_from_params(&p).unwrap());
    p.check_unknown().unwrap();
    let mut h = Harness::funded(&specs(), Money::from_int(deposit));
    assert!(h.start(&mut s).unwrap().is_empty());
    (h, s)
}

fn fill(i: InstrumentId, side: Side, qty: &str, price: &str) -> Output {
    kit::fill(
        i,
        side,
        kit::qty(qty),
        kit::price(price),
        Money::from_int(5),
    )
}

fn rejected(cmds: &[AccountCommand], reason: RejectReason) -> Output {
    let client_id = cmds
        .iter()
        .find_map(|c| match c.command {
            Command::Place(o) => Some(o.client_id),
            _ => None,
        })
        .expect("an order was placed");
    Output::Rejected {
        account: AccountId(0),
        client_id,
        reason,
    }
}

#[test]
fn spot_moves_all_quote_and_buys_at_the_first_spot_price() {
    let (mut h, mut s) = setup(&["mode=spot"], 10_000);
    // A perp trade is not the spot price: nothing yet.
    assert_eq!(show(&h.event(&mut s, &trade(0, PERP, "99000"))), "");
    // The first spot quote: all 10,000 move to spot and buy at the ask with 2 % of the
    // notional held back: 10,000 / 1.02 / 100,000.5 = 0.0980387 BTC, rounded down to the
    // 0.00001 lot.
    let cmds = h.event(&mut s, &top(1, SPOT, "99999.5", "100000.5"));
    assert_eq!(
        show(&cmds),
        "transfer Futures->Spot 10000\ni1 buy 0.09803 market"
    );
    // In flight: later events do not buy again.
    assert_eq!(show(&h.event(&mut s, &trade(2, SPOT, "100001"))), "");
    h.output(&mut s, &fill(SPOT, Side::Buy, "0.09803", "100000.5"));
    assert_eq!(show(&h.event(&mut s, &trade(3, SPOT, "90000"))), "");
    assert_eq!(s.state(), State::Holding);
    assert_eq!(s.bought(), "0.09803".parse().unwrap());
}

#[test]
fn spot_uses_quote_already_in_the_spot_wallet_first() {
    let (mut h, mut s) = setup(&["mode=spot", "fraction=0.5", "buffer=0"], 10_000);
    h.accounts[0].spot_quote = Money::from_int(2_000);
    // Half of 12,000 is 6,000: 4,000 more must come from futures; no buffer held back.
    let cmds = h.event(&mut s, &trade(0, SPOT, "50000"));
    assert_eq!(
        show(&cmds),
        "transfer Futures->Spot 4000\ni1 buy 0.12 market"
    );
}

#[test]
fn perp_sets_leverage_first_then_buys_fraction_of_equity_as_margin() {
    let (mut h, mut s) = setup(&["mode=perp", "fraction=0.5"], 10_000);
    // No book: the last trade is the price. 5,000 of margin at 10x with 2 % of the notional
    // held back: 5,000 × 10 / (1 + 0.02 × 10) = 41,666.67 of notional, / 61,234.5 =
    // 0.6804... BTC, rounded down to the 0.001 lot.
    let cmds = h.event(&mut s, &trade(0, PERP, "61234.5"));
    assert_eq!(show(&cmds), "i0 leverage 10\ni0 buy 0.68 market");
    h.output(&mut s, &fill(PERP, Side::Buy, "0.68", "61240"));
    assert_eq!(s.state(), State::Holding);
    // Holding through a crash, as a baseline should.
    assert_eq!(show(&h.event(&mut s, &trade(60, PERP, "40000"))), "");
}

#[test]
fn perp_margin_is_capped_by_what_is_available() {
    let (mut h, mut s) = setup(&["mode=perp", "leverage=3", "buffer=0"], 10_000);
    h.accounts[0].futures.available = Money::from_int(1_000);
    let cmds = h.event(&mut s, &trade(0, PERP, "100000"));
    assert_eq!(show(&cmds), "i0 leverage 3\ni0 buy 0.03 market");
}

#[test]
fn a_rejected_entry_is_retried_then_given_up() {
    let (mut h, mut s) = setup(&["mode=perp", "max_attempts=2"], 10_000);
    let first = h.event(&mut s, &trade(0, PERP, "100000"));
    assert_eq!(show(&first), "i0 leverage 10\ni0 buy 0.833 market");
    // Someone else's rejection (another client id) changes nothing.
    h.output(
        &mut s,
        &Output::Rejected {
            account: AccountId(0),
            client_id: 999_999,
            reason: RejectReason::InsufficientMargin,
        },
    );
    assert_eq!(show(&h.event(&mut s, &trade(1, PERP, "100000"))), "");
    h.output(&mut s, &rejected(&first, RejectReason::InsufficientMargin));
    let second = h.event(&mut s, &trade(2, PERP, "100000"));
    assert_eq!(show(&second), "i0 leverage 10\ni0 buy 0.833 market");
    h.output(
        &mut s,
        &rejected(&second, RejectReason::LeverageAboveTierMax),
    );
    assert_eq!(s.state(), State::GaveUp);
    assert_eq!(show(&h.event(&mut s, &trade(3, PERP, "100000"))), "");
    assert!(s
        .summary()
        .contains("attempts=2 rejections=[InsufficientMargin, LeverageAboveTierMax]"));
}

/// Issue 12: leverage above the venue's maximum is refused by `SetLeverage` (no client id);
/// the notes say so, and the entry is not retried into the same wall.
#[test]
fn a_refused_leverage_is_the_reason_given() {
    let (mut h, mut s) = setup(&["mode=perp", "leverage=200"], 10_000);
    let first = h.event(&mut s, &trade(0, PERP, "100000"));
    assert!(show(&first).starts_with("i0 leverage 200\n"));
    h.output(
        &mut s,
        &Output::Rejected {
            account: AccountId(0),
            client_id: 0,
            reason: RejectReason::BadLeverage,
        },
    );
    h.output(&mut s, &rejected(&first, RejectReason::InsufficientMargin));
    assert_eq!(s.state(), State::GaveUp);
    assert_eq!(show(&h.event(&mut s, &trade(1, PERP, "100000"))), "");
    let notes: Vec<String> = s.notes().iter().map(|n| n.to_string()).collect();
    assert_eq!(
        notes,
        [
            "state: gave up after 1 attempt(s)",
            "rejected: SetLeverage 200x: BadLeverage (above the venue's maximum)",
            "rejected: InsufficientMargin"
        ]
    );
}

#[test]
fn a_budget_below_one_lot_gives_up_without_ordering() {
    let (mut h, mut s) = setup(&["mode=perp", "leverage=1"], 50);
    assert_eq!(show(&h.event(&mut s, &trade(0, PERP, "100000"))), "");
    assert_eq!(s.state(), State::GaveUp);
}

#[test]
fn symbol_picks_the_instrument_of_the_modes_kind() {
    // Both instruments are called BTCUSDT: the mode's kind decides.
    let (mut h, mut s) = setup(&["mode=spot", "symbol=BTCUSDT"], 1_000);
    assert_eq!(s.instrument(), Some(SPOT));
    assert_eq!(h.event(&mut s, &trade(0, SPOT, "100000")).len(), 2);
}

#[test]
fn start_refuses_a_run_without_the_instrument() {
    let only_spot = vec![specs()[1].clone()];
    let start = |params: &[&str], specs: &[InstrumentSpec]| {
        let p = Params::new()
            .with_overrides(params.iter().copied())
            .unwrap();
        let mut s = BuyAndHold::new(BuyAndHold::config_from_params(&p).unwrap());
        match Harness::new(specs).start(&mut s) {
            Ok(_) => "ok".to_string(),
            Err(e) => e.to_string(),
        }
    };
    assert_eq!(
        start(&["mode=perp"], &only_spot),
        "parameter `mode`: mode perp needs a perpetual instrument: the run has no \
         perpetual instrument (it has BTCUSDT (spot))"
    );
    assert_eq!(
        start(&["mode=spot", "symbol=ETHUSDT"], &specs()),
        "parameter `symbol`: mode spot needs a spot instrument: the run has no spot \
         instrument with symbol \"ETHUSDT\" (it has BTCUSDT (linear-perp), BTCUSDT (spot))"
    );
    assert_eq!(start(&["mode=perp"], &specs()), "ok");
}

#[test]
fn parameters_are_checked_and_typos_caught() {
    kit::check_params(register, NAME, PARAMS, include_str!("../README.md"));
    let out = [
        &[][..],
        &["mode=perp", "leverage=20", "fraction=0.25", "buffer=0.01"],
        &["mode=margin"],
        &["leverage=0"],
        &["fraction=1.5"],
        &["buffer=0.5"],
        &["max_attempts=0"],
        &["levrage=5"],
    ]
    .map(|kv| kit::try_create(register, NAME, kv));
    assert_eq!(
        out.join("\n"),
        [
            "ok",
            "ok",
            "strategy `buy-and-hold`: parameter `mode` = \"margin\" (from --param): expected \"spot\" or \"perp\"",
            "strategy `buy-and-hold`: parameter `leverage` = \"0\" (from --param): expected at least 1",
            "strategy `buy-and-hold`: parameter `fraction` = \"1.5\" (from --param): expected a share in (0, 1]",
            "strategy `buy-and-hold`: parameter `buffer` = \"0.5\" (from --param): expected a share in [0, 0.5)",
            "strategy `buy-and-hold`: parameter `max_attempts` = \"0\" (from --param): expected at least 1",
            "strategy `buy-and-hold`: unknown parameter `levrage` (from --param); did you mean `leverage`? known parameters: buffer, fraction, leverage, log_summary, max_attempts, mode, symbol",
        ]
        .join("\n")
    );
}

#[test]
fn liquidation_and_adl_of_the_held_position_are_counted() {
    let (mut h, mut s) = setup(&["mode=perp"], 10_000);
    h.event(&mut s, &trade(0, PERP, "100000"));
    h.output(&mut s, &fill(PERP, Side::Buy, "0.98", "100000"));
    // The account view shows what the partial liquidation left.
    h.accounts[0].positions[PERP.index()].qty = "0.48".parse().unwrap();
    h.output(
        &mut s,
        &Output::Liquidation {
            account: AccountId(0),
            instrument: PERP,
            kind: LiquidationKind::Partial,
            side: Side::Sell,
            qty: "0.5".parse().unwrap(),
            price: "91000".parse().unwrap(),
            bankruptcy_price: "90000".parse().unwrap(),
            fee: Money::ZERO,
        },
    );
    // ADL where we are the bankrupt counterparty is not an ADL of our position.
    h.output(
        &mut s,
        &Output::Adl {
            victim: AccountId(9),
            counterparty: AccountId(0),
            instrument: PERP,
            side: Side::Buy,
            qty: "0.48".parse().unwrap(),
            price: "90000".parse().unwrap(),
        },
    );
    assert_eq!(
        s.summary(),
        "buy-and-hold: mode=perp state=Holding bought=0.98 avg_price=100000 fees=5 \
         attempts=1 rejections=[] liquidated=0.5 adl=0"
    );
    assert_eq!(s.lost(), ("0.5".parse().unwrap(), Qty::ZERO));
    // Then the rest goes by ADL (our long the profitable side, for once): closed for good.
    h.accounts[0].positions[PERP.index()].qty = Qty::ZERO;
    h.output(
        &mut s,
        &Output::Adl {
            victim: AccountId(0),
            counterparty: AccountId(9),
            instrument: PERP,
            side: Side::Sell,
            qty: "0.48".parse().unwrap(),
            price: "120000".parse().unwrap(),
        },
    );
    assert_eq!(s.state(), State::ClosedByExchange);
    assert_eq!(s.lost(), ("0.5".parse().unwrap(), "0.48".parse().unwrap()));
    assert_eq!(show(&h.event(&mut s, &trade(9, PERP, "120000"))), "");
}
