//! Signal tests: hand-made readings through [`Assessment::of`], and whole stories — minute
//! bars of crafted events through the engine-free harness — through the state machine.

use super::*;
use cascade_strategy::testing::{self as kit, Harness};
use cascade_strategy::types::{
    AccountId, EventBody, Funding, InstrumentSpec, Liquidation, LiquidationKind, OpenInterest,
    OrderId, Trade,
};
use cascade_strategy::types::{Price, Rate};
use cascade_strategy::{AccountCommand, HeatBand, HeatmapSummary, LiquidationSums};

use cascade_strategy::testing::{PERP, SPOT};

fn r(s: &str) -> Rate {
    s.parse().unwrap()
}

fn q(s: &str) -> Qty {
    s.parse().unwrap()
}

// ---------------------------------------------------------------------------------------
// The assessment of one reading.

/// A reading with every input present and calm: spot buying, open interest in step with
/// price, moderate funding, balanced taker flow, small two-sided liquidations, a balanced
/// heatmap.
fn calm() -> Reading {
    Reading {
        spot_delta: Some(r("0.1")),
        oi_change: Some(r("0.01")),
        price_change: Some(r("0.015")),
        oi: Some(q("50000")),
        funding: Some(r("0.0001")),
        taker_ratio: Some(r("1.1")),
        liquidations: Some(LiquidationSums {
            long_notional: Money::from_int(100_000),
            short_notional: Money::from_int(80_000),
            ..LiquidationSums::default()
        }),
        heat_ratio: Some(r("1.2")),
    }
}

/// What the assessment says, one list per line; `peak_oi` is the peak since the de-risk.
fn check(edit: impl FnOnce(&mut Reading), peak_oi: &str) -> String {
    let mut reading = calm();
    edit(&mut reading);
    let peaks = Peaks {
        oi: Some(q(peak_oi)),
        long_liq: Money::ZERO,
    };
    let a = Assessment::of(&Config::default(), &reading, &peaks);
    format!(
        "leverage-led: {:?}\nspot-led: {} ok {:?} failed {:?}\nreset: {:?}\nre-entry: {:?} of {}",
        a.leverage_led,
        a.spot_led(),
        a.spot_led_ok,
        a.spot_led_failed,
        a.reset_seen,
        a.reentry_ok,
        a.reentry_available
    )
}

#[test]
fn calm_spot_led_growth_is_risk_on() {
    assert_eq!(
        check(|_| {}, "50000"),
        "leverage-led: []\n\
         spot-led: true ok [\"spot_taker_delta_positive\", \"oi_not_outpacing_price\", \"funding_moderate\"] failed []\n\
         reset: []\n\
         re-entry: [\"long_liquidations_exhausted\"] of 3"
    );
}

#[test]
fn each_leverage_led_signal_votes_on_its_own() {
    let votes = |edit: fn(&mut Reading)| {
        let mut reading = calm();
        edit(&mut reading);
        Assessment::of(&Config::default(), &reading, &Peaks::default()).leverage_led
    };
    // Open interest +4.5 % against price +1.5 %: 3 points of excess, at the threshold.
    assert_eq!(
        votes(|r| r.oi_change = Some("0.045".parse().unwrap())),
        ["oi_outpacing_price"]
    );
    assert_eq!(
        votes(|r| r.oi_change = Some("0.0449".parse().unwrap())),
        [""; 0]
    );
    assert_eq!(
        votes(|r| r.funding = Some("0.0003".parse().unwrap())),
        ["funding_hot"]
    );
    // Taker spikes both ways: buyers at 2x sellers, or sellers at 2x buyers.
    assert_eq!(
        votes(|r| r.taker_ratio = Some("2".parse().unwrap())),
        ["taker_ratio_spike"]
    );
    assert_eq!(
        votes(|r| r.taker_ratio = Some("0.5".parse().unwrap())),
        ["taker_ratio_spike"]
    );
    assert_eq!(
        votes(|r| r.taker_ratio = Some("0.51".parse().unwrap())),
        [""; 0]
    );
    assert_eq!(
        votes(|r| r.taker_ratio = Some(Rate::MAX)),
        ["taker_ratio_spike"]
    );
    // $1M of liquidations, 80 % of it shorts (a squeeze) is one-sided too; 79 % is not.
    assert_eq!(
        votes(|r| {
            r.liquidations = Some(LiquidationSums {
                long_notional: Money::from_int(200_000),
                short_notional: Money::from_int(800_000),
                ..LiquidationSums::default()
            })
        }),
        ["liquidations_one_sided"]
    );
    assert_eq!(
        votes(|r| {
            r.liquidations = Some(LiquidationSums {
                long_notional: Money::from_int(210_000),
                short_notional: Money::from_int(790_000),
                ..LiquidationSums::default()
            })
        }),
        [""; 0]
    );
    // Heavily one-sided but small: not significant.
    assert_eq!(
        votes(|r| {
            r.liquidations = Some(LiquidationSums {
                long_notional: Money::from_int(999_999),
                ..LiquidationSums::default()
            })
        }),
        [""; 0]
    );
    assert_eq!(
        votes(|r| r.heat_ratio = Some("2".parse().unwrap())),
        ["heatmap_long_heavy"]
    );
}

#[test]
fn missing_inputs_neither_block_nor_vote() {
    // Only price and open interest: spot-led on that one condition.
    let out = check(
        |r| {
            *r = Reading {
                oi_change: r.oi_change,
                price_change: r.price_change,
                ..Reading::default()
            }
        },
        "50000",
    );
    assert_eq!(
        out,
        "leverage-led: []\n\
         spot-led: true ok [\"oi_not_outpacing_price\"] failed []\n\
         reset: []\n\
         re-entry: [] of 0"
    );
    // Nothing at all: never spot-led.
    let nothing = Assessment::of(&Config::default(), &Reading::default(), &Peaks::default());
    assert!(!nothing.spot_led());
    assert_eq!(
        Reading::default().lacking(),
        [
            "spot_taker_delta",
            "open_interest",
            "price_change",
            "funding",
            "taker_ratio",
            "liquidations",
            "heatmap"
        ]
    );
}

#[test]
fn spot_selling_or_warm_funding_is_not_spot_led() {
    let out = check(
        |r| {
            r.spot_delta = Some("-0.05".parse().unwrap());
            r.funding = Some("0.00015".parse().unwrap());
        },
        "50000",
    );
    assert_eq!(
        out.lines().nth(1).unwrap(),
        "spot-led: false ok [\"oi_not_outpacing_price\"] failed [\"spot_taker_delta_positive\", \"funding_moderate\"]"
    );
}

#[test]
fn a_reset_is_seen_in_the_flush_and_re_entry_needs_it_exhausted() {
    // Open interest 47,500 is 5 % below the 50,000 peak; longs liquidated for $3M.
    let crash = |r: &mut Reading| {
        r.oi = Some("47500".parse().unwrap());
        r.funding = Some("-0.0001".parse().unwrap());
        r.liquidations = Some(LiquidationSums {
            long_notional: Money::from_int(3_000_000),
            ..LiquidationSums::default()
        });
    };
    let out = check(crash, "50000");
    assert_eq!(
        out.lines().skip(2).collect::<Vec<_>>().join("\n"),
        "reset: [\"oi_flushed\", \"long_liquidation_burst\"]\n\
         re-entry: [\"oi_flushed\", \"funding_negative\"] of 3"
    );
    // Later: the burst peaked at $3M and the window now holds $600k, 20 % of it: exhausted.
    let mut reading = calm();
    crash(&mut reading);
    reading.liquidations = Some(LiquidationSums {
        long_notional: Money::from_int(600_000),
        ..LiquidationSums::default()
    });
    let peaks = Peaks {
        oi: Some(q("50000")),
        long_liq: Money::from_int(3_000_000),
    };
    let a = Assessment::of(&Config::default(), &reading, &peaks);
    assert_eq!(
        a.reentry_ok,
        [
            "oi_flushed",
            "funding_negative",
            "long_liquidations_exhausted"
        ]
    );
    // 47,501 is not flushed enough.
    let out = check(|r| r.oi = Some("47501".parse().unwrap()), "50000");
    assert!(out.contains("reset: []"), "{out}");
}

#[test]
fn without_open_interest_or_liquidations_negative_funding_signals_the_reset() {
    let reading = Reading {
        funding: Some("-0.0002".parse().unwrap()),
        ..Reading::default()
    };
    let a = Assessment::of(&Config::default(), &reading, &Peaks::default());
    assert_eq!(a.reset_seen, ["funding_negative"]);
    assert_eq!((a.reentry_ok.len(), a.reentry_available), (1, 1));
}

// ---------------------------------------------------------------------------------------
// Stories through the harness.

fn specs(with_spot: bool) -> Vec<InstrumentSpec> {
    if with_spot {
        kit::btc_perp_and_spot()
    } else {
        vec![kit::btc_perp()]
    }
}

fn t0() -> Ts {
    Ts::parse_utc("2025-10-10T00:00:00Z").unwrap()
}

/// One minute of crafted market data.
#[derive(Clone, Copy)]
struct Minute {
    price: i64,
    oi: Option<i64>,
    funding: Option<&'static str>,
    /// Long liquidations this minute, in BTC at the minute's price.
    long_liq: i64,
    perp_buy: i64,
    perp_sell: i64,
    spot_buy: i64,
    spot_sell: i64,
}

impl Minute {
    fn at(price: i64, oi: i64) -> Minute {
        Minute {
            price,
            oi: Some(oi),
            funding: None,
            long_liq: 0,
            perp_buy: 1,
            perp_sell: 1,
            spot_buy: 2,
            spot_sell: 1,
        }
    }
}

/// A strategy under a harness, and what happened, one line per event that moved it.
struct Story {
    h: Harness,
    s: RegimeFilter,
    log: Vec<String>,
    with_spot: bool,
}

fn render(cmds: &[AccountCommand]) -> String {
    kit::render(cmds).join("; ")
}

impl Story {
    fn new(params: &[&str], with_spot: bool) -> Story {
        let p = Params::new()
            .with_overrides(params.iter().copied())
            .unwrap();
        let mut s = RegimeFilter::new(Config::from_params(&p).unwrap());
        p.check_unknown().unwrap();
        let mut h = Harness::funded(&specs(with_spot), Money::from_int(10_000));
        h.start(&mut s).unwrap();
        Story {
            h,
            s,
            log: Vec::new(),
            with_spot,
        }
    }

    fn event(&mut self, minute: i64, instrument: InstrumentId, body: EventBody) {
        let ev = Event {
            ts: t0().plus_nanos(minute * 60 * NS_PER_SEC),
            instrument,
            body,
        };
        let before = self.s.transitions().len();
        let cmds = self.h.event(&mut self.s, &ev);
        for tr in &self.s.transitions()[before..] {
            self.log
                .push(format!("m{minute} {} -> {}: {}", tr.from, tr.to, tr.reason));
        }
        if !cmds.is_empty() {
            self.log.push(format!("m{minute}   {}", render(&cmds)));
        }
    }

    fn minute(&mut self, m: i64, x: Minute) {
        let px: Price = Price::from_int(x.price);
        if let Some(oi) = x.oi {
            let body = EventBody::OpenInterest(OpenInterest {
                qty: Qty::from_int(oi),
                value: px.notional(Qty::from_int(oi), Rounding::HalfEven),
            });
            self.event(m, PERP, body);
        }
        if let Some(rate) = x.funding {
            let body = EventBody::Funding(Funding {
                rate: rate.parse().unwrap(),
                next_funding: t0().plus_nanos(8 * 3600 * NS_PER_SEC),
            });
            self.event(m, PERP, body);
        }
        if x.long_liq > 0 {
            let body = EventBody::Liquidation(Liquidation {
                side: Side::Sell,
                price: px,
                qty: Qty::from_int(x.long_liq),
            });
            self.event(m, PERP, body);
        }
        let trade = |qty: i64, side| {
            EventBody::Trade(Trade {
                price: px,
                qty: Qty::from_int(qty),
                aggressor: side,
                trade_id: 0,
            })
        };
        for (qty, side) in [(x.perp_buy, Side::Buy), (x.perp_sell, Side::Sell)] {
            if qty > 0 {
                self.event(m, PERP, trade(qty, side));
            }
        }
        if self.with_spot {
            for (qty, side) in [(x.spot_buy, Side::Buy), (x.spot_sell, Side::Sell)] {
                if qty > 0 {
                    self.event(m, SPOT, trade(qty, side));
                }
            }
        }
    }

    /// Stages the account view as the engine would after the entry filled.
    fn holding(&mut self, i: InstrumentId, qty: &str, price: &str) {
        self.h.accounts[0].positions[i.index()].qty = q(qty);
        self.h.output(
            &mut self.s,
            &Output::Fill {
                account: AccountId(0),
                instrument: i,
                order_id: OrderId(1),
                side: Side::Buy,
                qty: q(qty),
                price: price.parse().unwrap(),
                fee: Money::ZERO,
                maker: false,
                reference: price.parse().unwrap(),
                slippage: Money::ZERO,
            },
        );
    }

    fn flat(&mut self, i: InstrumentId) {
        self.h.accounts[0].positions[i.index()].qty = Qty::ZERO;
    }
}

/// The first hour: price +1.8 %, open interest +1.2 %, spot takers buying 2:1, funding
/// 0.01 %. Spot-led: the filter goes long at the first evaluation.
fn spot_led_hour(story: &mut Story) {
    for m in 0..=60 {
        let mut x = Minute::at(100_000 + 30 * m, 50_000 + 10 * m);
        if m == 0 {
            x.funding = Some("0.0001");
        }
        story.minute(m, x);
    }
}

#[test]
fn story_spot_led_then_leverage_led_then_reset_and_re_entry() {
    let mut st = Story::new(&[], true);
    spot_led_hour(&mut st);
    st.holding(PERP, "0.278", "101800");
    // Leverage builds: price flat, open interest +100 BTC a minute, funding turns hot.
    for m in 61..=99 {
        let mut x = Minute::at(101_800, 50_600 + 100 * (m - 60));
        if m == 75 {
            x.funding = Some("0.0005");
        }
        st.minute(m, x);
    }
    st.flat(PERP);
    // The flush: −1 % a minute for five minutes, $2M of longs liquidated each minute, open
    // interest −3 % a minute, takers selling 5:1.
    let peak_oi = 50_600 + 100 * 39;
    for k in 0..5 {
        let mut x = Minute::at(
            101_800 - 1_018 * (k + 1),
            peak_oi - peak_oi * 3 * (k + 1) / 100,
        );
        x.long_liq = 20;
        x.perp_buy = 1;
        x.perp_sell = 5;
        x.spot_sell = 3;
        st.minute(100 + k, x);
    }
    // Quiet, flushed, funding negative: the reset exhausts.
    let low_oi = peak_oi - peak_oi * 15 / 100;
    for m in 105..=115 {
        let mut x = Minute::at(96_710, low_oi);
        if m == 106 {
            x.funding = Some("-0.0001");
        }
        st.minute(m, x);
    }
    insta::assert_snapshot!(st.log.join("\n"));
    insta::assert_snapshot!("story_summary", st.s.summary());
    assert_eq!(st.s.state(), State::RiskOn);
    assert_eq!(
        st.s.lacked().iter().copied().collect::<Vec<_>>(),
        ["heatmap", "liquidations"]
    );
}

#[test]
fn without_spot_data_the_filter_says_what_it_lacked() {
    let mut st = Story::new(&["log_summary=true"], false);
    for m in 0..=62 {
        let mut x = Minute::at(100_000 + 30 * m, 50_000 + 10 * m);
        x.oi = None;
        st.minute(m, x);
    }
    // Price alone: no spot-led condition can be evaluated, so the filter stays out.
    assert_eq!(st.s.state(), State::Warmup);
    assert_eq!(st.s.evaluations(), 3);
    assert_eq!(
        st.s.summary(),
        "regime-filter: state=warmup evaluations=3 lacked=[funding (3/3), heatmap (3/3), \
         liquidations (3/3), open_interest (3/3), spot_taker_delta (3/3)] rejections=[] \
         liquidated=0 adl=0"
    );
    let notes: Vec<String> = st.s.notes().iter().map(|n| n.to_string()).collect();
    assert_eq!(
        notes,
        [
            "state: ended warmup after 3 evaluation(s) and 0 regime change(s)",
            "lacked: decided without funding (3/3), heatmap (3/3), liquidations (3/3), \
             open_interest (3/3), spot_taker_delta (3/3)",
        ]
    );
    st.h.finish(&mut st.s); // prints the summary to stderr
}

#[test]
fn one_leverage_vote_is_not_enough_by_default_but_is_with_derisk_votes_1() {
    for (votes, expect) in [("2", State::RiskOn), ("1", State::DeRisked)] {
        let mut st = Story::new(&[&format!("derisk_votes={votes}")], true);
        spot_led_hour(&mut st);
        st.holding(PERP, "0.278", "101800");
        let mut x = Minute::at(101_800, 50_610);
        x.funding = Some("0.0004");
        st.minute(61, x);
        st.minute(62, Minute::at(101_800, 50_620));
        assert_eq!(st.s.state(), expect, "derisk_votes={votes}");
        if expect == State::DeRisked {
            assert_eq!(
                st.log.last().unwrap(),
                "m62   i0 cancel-all; i0 sell 0.278 market reduce-only"
            );
        }
    }
}

#[test]
fn heatmap_asymmetry_votes_when_the_crowd_model_runs() {
    let mut st = Story::new(&["derisk_votes=1"], true);
    spot_led_hour(&mut st);
    st.holding(PERP, "0.278", "101800");
    let bands = [
        HeatBand {
            within_bps: 200,
            longs_below: Money::from_int(40_000_000),
            shorts_above: Money::from_int(30_000_000),
        },
        HeatBand {
            within_bps: 500,
            longs_below: Money::from_int(90_000_000),
            shorts_above: Money::from_int(40_000_000),
        },
        HeatBand {
            within_bps: 1000,
            longs_below: Money::from_int(95_000_000),
            shorts_above: Money::from_int(90_000_000),
        },
    ];
    st.h.market.set_heatmap(
        PERP,
        HeatmapSummary::new(st.h.now(), Price::from_int(101_800), &bands),
    );
    st.minute(61, Minute::at(101_830, 50_610));
    // Within 5 %: $90M of longs against $40M of shorts, 2.25 ≥ 2.
    assert_eq!(st.s.state(), State::DeRisked);
    assert_eq!(
        st.s.transitions().last().unwrap().reason,
        "heatmap_long_heavy"
    );
    // Lacking at the first evaluation only: the crowd model's first summary came later.
    assert_eq!(st.s.lacked_counts()[input::HEATMAP], 1);
}

#[test]
fn a_flat_filter_re_arms_after_rearm_min_of_spot_led_readings() {
    let mut st = Story::new(&["derisk_votes=1", "rearm_min=5"], true);
    spot_led_hour(&mut st);
    st.holding(PERP, "0.278", "101800");
    let mut x = Minute::at(101_830, 50_610);
    x.funding = Some("0.0004");
    st.minute(61, x);
    // The hot print is read at the next evaluation; then funding cools.
    let mut x = Minute::at(101_860, 50_620);
    x.funding = Some("0.00008");
    st.minute(62, x);
    assert_eq!(st.s.state(), State::DeRisked);
    st.flat(PERP);
    // No flush follows; spot keeps buying.
    for m in 63..=70 {
        st.minute(
            m,
            Minute::at(101_800 + 30 * (m - 60), 50_600 + 10 * (m - 60)),
        );
    }
    let tr = st.s.transitions();
    assert_eq!(
        tr.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
        [
            "2025-10-10T01:00:00Z warmup -> risk-on (spot_taker_delta_positive, oi_not_outpacing_price, funding_moderate)",
            "2025-10-10T01:02:00Z risk-on -> de-risked (funding_hot)",
            "2025-10-10T01:08:00Z de-risked -> risk-on (spot-led for 5 min: spot_taker_delta_positive, oi_not_outpacing_price, funding_moderate)",
        ]
    );
}

#[test]
fn an_entry_filled_after_the_regime_turned_is_closed_again() {
    let mut st = Story::new(&["derisk_votes=1"], true);
    spot_led_hour(&mut st);
    // The buy is still on its way when the funding print turns the regime.
    let mut x = Minute::at(101_830, 50_610);
    x.funding = Some("0.0004");
    st.minute(61, x);
    st.minute(62, Minute::at(101_830, 50_610));
    assert_eq!(st.s.state(), State::DeRisked);
    let n = st.log.len();
    st.h.accounts[0].positions[PERP.index()].qty = q("0.278");
    let cmds = st.h.output(
        &mut st.s,
        &Output::Fill {
            account: AccountId(0),
            instrument: PERP,
            order_id: OrderId(1),
            side: Side::Buy,
            qty: q("0.278"),
            price: "101800".parse().unwrap(),
            fee: Money::ZERO,
            maker: false,
            reference: "101800".parse().unwrap(),
            slippage: Money::ZERO,
        },
    );
    assert_eq!(
        render(&cmds),
        "i0 cancel-all; i0 sell 0.278 market reduce-only"
    );
    assert_eq!(st.log.len(), n);
}

#[test]
fn liquidated_while_risk_on_counts_as_de_risked() {
    let mut st = Story::new(&[], true);
    spot_led_hour(&mut st);
    st.holding(PERP, "0.278", "101800");
    st.flat(PERP);
    let cmds = st.h.output(
        &mut st.s,
        &Output::Liquidation {
            account: AccountId(0),
            instrument: PERP,
            kind: LiquidationKind::Full,
            side: Side::Sell,
            qty: q("0.278"),
            price: "70000".parse().unwrap(),
            bankruptcy_price: "68000".parse().unwrap(),
            fee: Money::ZERO,
        },
    );
    assert!(cmds.is_empty(), "nothing left to close");
    assert_eq!(st.s.state(), State::DeRisked);
    assert_eq!(st.s.transitions().last().unwrap().reason, "liquidated");
    assert!(st.s.summary().contains("liquidated=0.278"));
}

#[test]
fn a_rejected_entry_is_retried_at_the_next_evaluations_then_left() {
    let mut st = Story::new(&[], true);
    spot_led_hour(&mut st);
    let mut retries = 0;
    for m in 61..=66 {
        let id = st.s.pending_entry.expect("an entry in flight");
        st.h.output(
            &mut st.s,
            &Output::Rejected {
                account: AccountId(0),
                client_id: id,
                reason: cascade_strategy::types::RejectReason::InsufficientMargin,
            },
        );
        st.minute(m, Minute::at(101_800, 50_600));
        if st.s.pending_entry.is_some() {
            retries += 1;
        } else {
            break;
        }
    }
    assert_eq!(retries, MAX_ENTRY_ATTEMPTS - 1);
    assert_eq!(st.s.state(), State::RiskOn);
    assert!(st.s.summary().contains("rejections=[InsufficientMargin 3]"));
}

#[test]
fn hold_spot_buys_and_sells_spot() {
    let mut st = Story::new(&["hold=spot", "derisk_votes=1"], true);
    spot_led_hour(&mut st);
    assert_eq!(
        st.log.last().unwrap(),
        "m60   transfer Futures->Spot 10000; i1 buy 0.09633 market"
    );
    st.holding(SPOT, "0.09633", "101800");
    let mut x = Minute::at(101_830, 50_610);
    x.funding = Some("0.0004");
    st.minute(61, x);
    st.minute(62, Minute::at(101_830, 50_610));
    assert_eq!(st.log.last().unwrap(), "m62   i1 sell 0.09633 market");
}

#[test]
fn start_resolves_instruments_or_says_why_not() {
    let start = |params: &[&str], with_spot: bool| {
        let p = Params::new()
            .with_overrides(params.iter().copied())
            .unwrap();
        let mut s = RegimeFilter::new(Config::from_params(&p).unwrap());
        let out = Harness::new(&specs(with_spot)).start(&mut s);
        match out {
            Ok(_) => format!("ok {:?}", s.instruments()),
            Err(e) => e.to_string(),
        }
    };
    assert_eq!(start(&[], true), "ok (Some(i0), Some(i1))");
    assert_eq!(start(&[], false), "ok (Some(i0), None)");
    assert_eq!(
        start(&["hold=spot"], false),
        "parameter `hold`: hold = \"spot\" needs a spot instrument of BTC, and the run has none"
    );
    assert_eq!(
        start(&["perp=ETHUSDT"], true),
        "parameter `perp`: the run has no perpetual with symbol \"ETHUSDT\""
    );
    assert_eq!(
        start(&["spot=BTC-USD"], true),
        "parameter `spot`: the run has no spot instrument with symbol \"BTC-USD\""
    );
}

#[test]
fn parameters_are_checked_and_typos_caught() {
    kit::check_params(register, NAME, PARAMS, include_str!("../README.md"));
    let make = |kv: &[&str]| kit::try_create(register, NAME, kv);
    let out = [
        make(&[]),
        make(&[
            "hold=spot",
            "funding_hot=0.001",
            "liq_notional_min=250000",
            "rearm_min=0",
        ]),
        make(&["hold=both"]),
        make(&["oi_excess_max=0.01"]),
        make(&["funding_hot=0.0001"]),
        make(&["taker_spike=1"]),
        make(&["liq_one_sided=0.5"]),
        make(&["eval_s=0"]),
        make(&["funding_hott=0.001"]),
    ];
    insta::assert_snapshot!(out.join("\n"));
}
