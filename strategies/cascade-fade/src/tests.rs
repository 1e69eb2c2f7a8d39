//! Signal tests through the engine-free harness: a crafted cascade (a flat tape, then a
//! fall with long liquidations, then a quiet base), and what the strategy does at each step.

use super::*;
use cascade_strategy::testing::{self as kit, btc_perp_and_spot as specs, Harness, PERP, SPOT};
use cascade_strategy::types::{
    AccountId, Command, InstrumentSpec, Liquidation, LiquidationKind, OrderId, RejectReason, Trade,
};
use cascade_strategy::AccountCommand;

fn q(s: &str) -> Qty {
    s.parse().unwrap()
}

fn t(secs: i64) -> Ts {
    Ts::parse_utc("2025-10-10T20:45:00Z")
        .unwrap()
        .plus_nanos(secs * NS_PER_SEC)
}

fn render(cmds: &[AccountCommand]) -> String {
    kit::render(cmds).join("; ")
}

/// The fader under a harness with 10,000 in the futures wallet; `log` keeps one line per
/// event that changed the state or issued commands.
struct Tape {
    h: Harness,
    s: CascadeFade,
    log: Vec<String>,
    ids: Vec<u64>,
}

fn state_name(s: &State) -> &'static str {
    match s {
        State::Watching => "watching",
        State::InCascade(_) => "in-cascade",
        State::Entering(..) => "entering",
        State::InTrade => "in-trade",
        State::Cooldown(_) => "cooldown",
    }
}

impl Tape {
    fn new(params: &[&str]) -> Tape {
        let p = Params::new()
            .with_overrides(params.iter().copied())
            .unwrap();
        let mut s = CascadeFade::new(Config::from_params(&p).unwrap());
        p.check_unknown().unwrap();
        let mut h = Harness::funded(&specs(), Money::from_int(10_000));
        h.start(&mut s).unwrap();
        Tape {
            h,
            s,
            log: Vec::new(),
            ids: Vec::new(),
        }
    }

    fn record(&mut self, at: String, before: &'static str, cmds: Vec<AccountCommand>) -> String {
        let after = state_name(&self.s.state());
        for c in &cmds {
            if let Command::Place(o) = c.command {
                self.ids.push(o.client_id);
            }
        }
        let shown = render(&cmds);
        if after != before || !cmds.is_empty() {
            let arrow = if after != before {
                format!("{before} -> {after}")
            } else {
                after.to_string()
            };
            let sep = if shown.is_empty() { "" } else { ": " };
            self.log.push(format!("{at} {arrow}{sep}{shown}"));
        }
        shown
    }

    fn event(&mut self, secs: i64, i: InstrumentId, body: EventBody) -> String {
        let before = state_name(&self.s.state());
        let cmds = self.h.event(
            &mut self.s,
            &Event {
                ts: t(secs),
                instrument: i,
                body,
            },
        );
        self.record(format!("t+{secs}s"), before, cmds)
    }

    fn trade(&mut self, secs: i64, i: InstrumentId, price: i64) -> String {
        self.event(
            secs,
            i,
            EventBody::Trade(Trade {
                price: Price::from_int(price),
                qty: Qty::ONE,
                aggressor: Side::Sell,
                trade_id: 0,
            }),
        )
    }

    fn long_liq(&mut self, secs: i64, qty: i64, price: i64) -> String {
        self.event(
            secs,
            PERP,
            EventBody::Liquidation(Liquidation {
                side: Side::Sell,
                price: Price::from_int(price),
                qty: Qty::from_int(qty),
            }),
        )
    }

    fn out(&mut self, what: &str, o: Output) -> String {
        let before = state_name(&self.s.state());
        let cmds = self.h.output(&mut self.s, &o);
        self.record(what.to_string(), before, cmds)
    }

    fn fill(&mut self, i: InstrumentId, side: Side, qty: &str, price: &str) -> String {
        self.out(
            &format!("fill {side} {qty} @ {price}"),
            Output::Fill {
                account: AccountId(0),
                instrument: i,
                order_id: OrderId(1),
                side,
                qty: q(qty),
                price: price.parse().unwrap(),
                fee: Money::ZERO,
                maker: false,
                reference: price.parse().unwrap(),
                slippage: Money::ZERO,
            },
        )
    }

    /// Five flat minutes at 100,000 (the detection window needs a price `window_s` ago),
    /// then −500 every 10 s for 110 s with 30 BTC of longs liquidated at each step (about
    /// $3M each, $20M over a minute), then a base at 95,000 with no more liquidations,
    /// traded every 10 s until `until`. `spot` also trades the spot instrument, 100 higher.
    fn cascade(&mut self, until: i64, spot: bool) {
        for s in (0..300).step_by(10) {
            self.trade(s, PERP, 100_000);
            if spot {
                self.trade(s, SPOT, 100_100);
            }
        }
        for k in 0..=10 {
            let s = 300 + 10 * k;
            let px = 100_000 - 500 * (k + 1);
            self.trade(s, PERP, px);
            if spot {
                self.trade(s, SPOT, px + 100);
            }
            self.long_liq(s, 30, px);
        }
        for s in (410..=until).step_by(10) {
            self.trade(s, PERP, 95_000);
            if spot {
                self.trade(s, SPOT, 95_100);
            }
        }
    }
}

#[test]
fn a_cascade_is_detected_waited_out_and_faded_with_stop_and_take_profit() {
    let mut tp = Tape::new(&[]);
    tp.cascade(520, false);
    // t+360: 96,500 is 3.5 % below 100,000 five minutes ago, with $20M of longs liquidated
    // in the window. The last forced sell prints at t+400 (the low, 94,500); at t+450 the
    // last minute's liquidations ($2.8M) are under a quarter of the peak minute's ($17.6M),
    // and at t+520 there has been no new low for two minutes: buy. 5,000 of margin at 3x,
    // with 2 % of the notional held back, is 5,000 × 3 / 1.06 = 14,150.9 of notional:
    // 0.148 BTC at 95,000.
    tp.fill(PERP, Side::Buy, "0.148", "95010");
    // The stop goes 0.5 % under the cascade low, 94,500; the take-profit 3 % over the fill.
    tp.trade(700, PERP, 96_000);
    tp.trade(800, PERP, 97_900);
    tp.fill(PERP, Side::Sell, "0.148", "97860.3");
    tp.trade(900, PERP, 97_000);
    insta::assert_snapshot!(tp.log.join("\n"), @r"
    t+360s watching -> in-cascade
    t+520s in-cascade -> entering: i0 leverage 3; i0 buy 0.148 market
    fill buy 0.148 @ 95010 entering -> in-trade: i0 sell 0.148 stop 94027.5 reduce-only; i0 sell 0.148 limit 97860.3 reduce-only
    fill sell 0.148 @ 97860.3 in-trade -> cooldown: i0 cancel-all
    ");
    assert_eq!(
        tp.s.summary(),
        "cascade-fade: state=cooldown until 2025-10-10T21:28:20Z cascades=1 abandoned=0 trades=1 \
         rejections=[]\n  detected 2025-10-10T20:51:00Z low 94500 | bought 0.148 @ 95010 at \
         2025-10-10T20:53:40Z (stop 94027.5, take-profit 97860.3) | exit 0.148 @ 97860.3 at \
         2025-10-10T20:58:20Z (take-profit)"
    );
    // The time-exit timer of the finished trade fires later and does nothing.
    tp.h.set_now(t(520 + 4 * 3600));
    assert_eq!(render(&tp.h.fire_timers(&mut tp.s)), "");
}

#[test]
fn liquidations_without_a_fall_or_a_fall_without_liquidations_are_not_a_cascade() {
    // Lower the liquidation threshold out of reach: the same fall is just a fall.
    let mut tp = Tape::new(&["liq_threshold=100000000"]);
    tp.cascade(600, false);
    assert_eq!(tp.log, [""; 0]);
    // Demand a deeper fall than 5.5 %: the same liquidations are just liquidations.
    let mut tp = Tape::new(&["drop=0.06"]);
    tp.cascade(600, false);
    assert_eq!(tp.log, [""; 0]);
}

#[test]
fn a_cascade_that_keeps_making_lows_is_abandoned_after_max_wait() {
    let mut tp = Tape::new(&["max_wait_s=120", "calm_s=200"]);
    tp.cascade(600, false);
    assert_eq!(
        tp.log,
        [
            "t+360s watching -> in-cascade",
            "t+490s in-cascade -> cooldown"
        ]
    );
    assert!(tp.s.summary().contains("cascades=1 abandoned=1 trades=0"));
}

#[test]
fn the_time_exit_sells_at_market_after_max_hold() {
    let mut tp = Tape::new(&["max_hold_s=600"]);
    tp.cascade(520, false);
    tp.fill(PERP, Side::Buy, "0.148", "95000");
    assert_eq!(tp.h.timers.len(), 1);
    tp.h.set_now(t(520 + 600));
    let before = state_name(&tp.s.state());
    let cmds = tp.h.fire_timers(&mut tp.s);
    assert_eq!(
        tp.record("timer".into(), before, cmds),
        "i0 cancel-all; i0 sell 0.148 market reduce-only"
    );
    tp.fill(PERP, Side::Sell, "0.148", "95500");
    assert_eq!(tp.s.trades()[0].reason, "time");
    assert!(matches!(tp.s.state(), State::Cooldown(_)));
}

#[test]
fn the_stop_exit_and_the_next_cascade_after_the_cooldown() {
    let mut tp = Tape::new(&["cooldown_s=60"]);
    tp.cascade(600, false);
    tp.fill(PERP, Side::Buy, "0.148", "95000");
    tp.fill(PERP, Side::Sell, "0.148", "94000");
    assert_eq!(tp.s.trades()[0].reason, "stop");
    // Cooldown until t+660: the next event after it watches again.
    tp.trade(700, PERP, 94_000);
    assert_eq!(tp.s.state(), State::Watching);
}

#[test]
fn spot_mode_buys_spot_with_plain_exits_and_stops_under_the_spot_low() {
    let mut tp = Tape::new(&["trade=spot", "fraction=1"]);
    tp.cascade(600, true);
    tp.fill(SPOT, Side::Buy, "0.10309", "95100");
    insta::assert_snapshot!(tp.log.join("\n"), @r"
    t+360s watching -> in-cascade
    t+520s in-cascade -> entering: transfer Futures->Spot 10000; i1 buy 0.10309 market
    fill buy 0.10309 @ 95100 entering -> in-trade: i1 sell 0.10309 stop 94127; i1 sell 0.10309 limit 97953
    ");
}

#[test]
fn a_refused_exit_order_closes_the_position_at_once() {
    let mut tp = Tape::new(&[]);
    tp.cascade(600, false);
    tp.fill(PERP, Side::Buy, "0.148", "95000");
    let stop_id = tp.ids[tp.ids.len() - 2];
    let cmds = tp.out(
        "stop refused",
        Output::Rejected {
            account: AccountId(0),
            client_id: stop_id,
            reason: RejectReason::BadPrice,
        },
    );
    assert_eq!(cmds, "i0 cancel-all; i0 sell 0.148 market reduce-only");
    tp.fill(PERP, Side::Sell, "0.148", "94900");
    assert_eq!(tp.s.trades()[0].reason, "exit-refused");
}

#[test]
fn a_refused_entry_goes_back_to_watching() {
    let mut tp = Tape::new(&[]);
    tp.cascade(520, false);
    let id = *tp.ids.last().unwrap();
    tp.out(
        "entry refused",
        Output::Rejected {
            account: AccountId(0),
            client_id: id,
            reason: RejectReason::InsufficientMargin,
        },
    );
    assert_eq!(tp.s.state(), State::Watching);
    assert!(tp
        .s
        .summary()
        .ends_with("rejections=[InsufficientMargin 1]"));
}

#[test]
fn liquidation_of_the_fade_ends_the_trade() {
    let mut tp = Tape::new(&[]);
    tp.cascade(600, false);
    tp.fill(PERP, Side::Buy, "0.148", "95000");
    let cmds = tp.out(
        "liquidated",
        Output::Liquidation {
            account: AccountId(0),
            instrument: PERP,
            kind: LiquidationKind::Full,
            side: Side::Sell,
            qty: q("0.148"),
            price: "64000".parse().unwrap(),
            bankruptcy_price: "63500".parse().unwrap(),
            fee: Money::ZERO,
        },
    );
    assert_eq!(cmds, "i0 cancel-all");
    assert_eq!(tp.s.trades()[0].reason, "liquidation");
}

#[test]
fn start_resolves_instruments_or_says_why_not() {
    let start = |params: &[&str], specs: Vec<InstrumentSpec>| {
        let p = Params::new()
            .with_overrides(params.iter().copied())
            .unwrap();
        let mut s = CascadeFade::new(Config::from_params(&p).unwrap());
        match Harness::new(&specs).start(&mut s) {
            Ok(_) => format!("ok {:?} {:?}", s.signal, s.traded),
            Err(e) => e.to_string(),
        }
    };
    assert_eq!(start(&[], specs()), "ok Some(i0) Some(i0)");
    assert_eq!(start(&["trade=spot"], specs()), "ok Some(i0) Some(i1)");
    assert_eq!(
        start(&["trade=spot"], vec![specs()[0].clone()]),
        "parameter `spot`: trade = \"spot\" needs a spot instrument of BTC; the run has none"
    );
    assert_eq!(
        start(&[], vec![specs()[1].clone()]),
        "parameter `signal`: the run has no perpetual to watch"
    );
}

#[test]
fn parameters_are_checked_and_typos_caught() {
    kit::check_params(register, NAME, PARAMS, include_str!("../README.md"));
    let make = |kv: &[&str]| kit::try_create(register, NAME, kv);
    let out = [
        make(&[]),
        make(&[
            "trade=spot",
            "liq_threshold=2500000.5",
            "window_s=600",
            "rate_window_s=30",
        ]),
        make(&["trade=options"]),
        make(&["drop=0"]),
        make(&["rate_window_s=301"]),
        make(&["exhaustion=1"]),
        make(&["take_profit=0"]),
        make(&["liq_treshold=1"]),
    ];
    insta::assert_snapshot!(out.join("\n"));
}

#[test]
fn prices_round_to_the_tick_the_safe_way() {
    let tick: Price = "0.1".parse().unwrap();
    let p = |s: &str| s.parse::<Price>().unwrap();
    assert_eq!(
        round_price(p("94027.55"), tick, Rounding::Down),
        p("94027.5")
    );
    assert_eq!(round_price(p("94027.55"), tick, Rounding::Up), p("94027.6"));
    assert_eq!(round_price(p("94027.5"), tick, Rounding::Up), p("94027.5"));
}
