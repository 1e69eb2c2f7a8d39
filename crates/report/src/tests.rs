//! A small synthetic run through every output: hand-checked metrics, snapshots of the text
//! report, JSON, CSV and scorecards, and the HTML's SVG elements.
//!
//! Set `CASCADE_REPORT_HTML=/tmp/report.html` to also write the page for a visual check.

use crate::*;
use cascade_types::*;

const BTC: InstrumentId = InstrumentId(0);
const SPOT: InstrumentId = InstrumentId(1);
const ETH: InstrumentId = InstrumentId(2);
const ME: AccountId = AccountId(0);

fn t(min: i64) -> Ts {
    Ts::parse_utc("2025-10-10T20:00:00Z")
        .unwrap()
        .plus_nanos(Ts::mins(min))
}

fn m(s: &str) -> Money {
    s.parse().unwrap()
}
fn px(s: &str) -> Price {
    s.parse().unwrap()
}
fn q(s: &str) -> Qty {
    s.parse().unwrap()
}

/// Price in tenths, piecewise linear through (minute, tenths) knots.
fn path(knots: &[(i64, i64)], min: i64) -> Price {
    let k = knots
        .windows(2)
        .find(|w| min >= w[0].0 && min <= w[1].0)
        .expect("inside the knots");
    let (a, b) = (k[0], k[1]);
    let tenths = a.1 + (b.1 - a.1) * (min - a.0) / (b.0 - a.0);
    Price::from_raw(tenths * (SCALE / 10))
}

fn fill(
    min: i64,
    i: InstrumentId,
    side: Side,
    qty: &str,
    price: &str,
    fee: &str,
    maker: bool,
) -> TimedOutput {
    // A taker fill priced 6 away from its reference (worse for it): slippage 6 × qty.
    let gap = Price::from_int(if maker { 0 } else { 6 });
    let reference = match side {
        Side::Buy => px(price) - gap,
        Side::Sell => px(price) + gap,
    };
    TimedOutput {
        ts: t(min),
        output: Output::Fill {
            account: ME,
            instrument: i,
            order_id: OrderId(min as u64),
            side,
            qty: q(qty),
            price: px(price),
            fee: m(fee),
            maker,
            reference,
            slippage: gap.notional(q(qty), Rounding::HalfEven),
        },
    }
}

fn synthetic_run() -> RunRecord {
    let instruments = vec![
        InstrumentSpec::new(
            "binance-um",
            "BTCUSDT",
            InstrumentKind::LinearPerp,
            "BTC",
            "USDT",
        ),
        InstrumentSpec::new(
            "binance-spot",
            "BTCUSDT-SPOT",
            InstrumentKind::Spot,
            "BTC",
            "USDT",
        ),
        InstrumentSpec::new(
            "binance-um",
            "ETHUSDT",
            InstrumentKind::LinearPerp,
            "ETH",
            "USDT",
        ),
    ];
    let meta = RunMeta {
        strategy: "fixture".into(),
        params: [("leverage", "3"), ("qty", "1")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        scenario: Some("2025-10-10-synthetic".into()),
        venue: "binance-usdm-2024".into(),
        inputs: vec![InputFile {
            path: "fixtures/synthetic.clog".into(),
            hash: "xxh3:00c0ffee00c0ffee".into(),
        }],
        run_hash: "xxh3:1234567890abcdef".into(),
        window: Some((t(0), t(180))),
        crash_window: Some((t(60), t(90))),
        events: 12_345,
        notes: vec![
            Note::new("state", "held 3 BTC to the end"),
            Note::new("lacked", "decided without spot flow (4/4) & <heatmap>"),
        ],
    };
    // (minute, equity, gross, net)
    let curve = [
        (0, "100000", "0", "0"),
        (15, "99900", "280000", "200000"),
        (30, "100400", "340000", "260000"),
        (45, "100300", "340000", "260000"),
        (60, "99500", "300000", "220000"),
        (70, "94000", "150000", "90000"),
        (75, "92000", "95000", "55000"),
        (90, "93500", "90000", "60000"),
        (105, "94200", "90000", "60000"),
        (120, "94800", "143500", "113500"),
        (150, "95600", "145000", "115000"),
        (180, "96100", "146000", "116000"),
    ];
    let equity = curve
        .iter()
        .map(|&(min, e, g, n)| EquitySample {
            ts: t(min),
            equity: m(e),
            gross_exposure: m(g),
            net_exposure: m(n),
        })
        .collect();
    let outputs = vec![
        TimedOutput {
            ts: t(5),
            output: Output::Accepted {
                account: ME,
                order_id: OrderId(5),
                client_id: 1,
            },
        },
        fill(5, BTC, Side::Buy, "1", "120000", "48", false),
        fill(10, ETH, Side::Sell, "10", "4000", "16", false),
        fill(20, SPOT, Side::Buy, "0.5", "119800", "59.9", false),
        fill(30, BTC, Side::Buy, "1", "119000", "47.6", false),
        // Someone else's fill: ignored.
        TimedOutput {
            ts: t(31),
            output: Output::Fill {
                account: AccountId(5),
                instrument: BTC,
                order_id: OrderId(99),
                side: Side::Sell,
                qty: q("100"),
                price: px("1"),
                fee: m("1000"),
                maker: false,
                reference: px("1"),
                slippage: Money::ZERO,
            },
        },
        TimedOutput {
            ts: t(45),
            output: Output::Funding {
                account: ME,
                instrument: BTC,
                rate: "0.0001".parse().unwrap(),
                amount: m("24"),
            },
        },
        fill(60, BTC, Side::Sell, "0.5", "118000", "23.6", false),
        TimedOutput {
            ts: t(70),
            output: Output::Liquidation {
                account: ME,
                instrument: BTC,
                kind: LiquidationKind::Partial,
                side: Side::Sell,
                qty: q("0.5"),
                price: px("112000"),
                bankruptcy_price: px("110000"),
                fee: m("28"),
            },
        },
        TimedOutput {
            ts: t(72),
            output: Output::Liquidation {
                account: ME,
                instrument: BTC,
                kind: LiquidationKind::Full,
                side: Side::Sell,
                qty: q("0.5"),
                price: px("110500"),
                bankruptcy_price: px("109000"),
                fee: m("27.6"),
            },
        },
        TimedOutput {
            ts: t(75),
            output: Output::Adl {
                victim: ME,
                counterparty: AccountId(99),
                instrument: ETH,
                side: Side::Buy,
                qty: q("4"),
                price: px("3500"),
            },
        },
        fill(120, BTC, Side::Buy, "0.5", "107000", "-5.35", true),
        TimedOutput {
            ts: t(120),
            output: Output::Funding {
                account: ME,
                instrument: ETH,
                rate: "-0.0003".parse().unwrap(),
                amount: m("-3"),
            },
        },
    ];
    let btc = [
        (0, 1_200_000),
        (60, 1_182_000),
        (75, 1_080_000),
        (180, 1_120_000),
    ];
    let eth = [(0, 40_000), (60, 39_500), (75, 35_000), (180, 36_500)];
    let mut market = Vec::new();
    for min in (0..=180).step_by(5) {
        let mut b = MarketPoint::new(t(min), BTC);
        b.last = Some(path(&btc, min));
        b.mark = Some(path(&btc, min).mul_rate("1.0002".parse().unwrap(), Rounding::HalfEven));
        b.open_interest = Some(Qty::from_int(if min <= 60 {
            90_000 + min * 50
        } else {
            (93_000 - (min - 60) * 120).max(80_000)
        }));
        b.funding_rate = Some(
            if min < 60 {
                "0.0001"
            } else if min < 120 {
                "-0.0003"
            } else {
                "-0.00005"
            }
            .parse()
            .unwrap(),
        );
        if (60..=80).contains(&min) {
            b.long_liquidated = Money::from_int(2_000_000 * (min - 55));
            b.short_liquidated = Money::from_int(150_000);
        }
        market.push(b);
        let mut s = MarketPoint::new(t(min), SPOT);
        s.last = Some(path(&btc, min) - px("20"));
        market.push(s);
        let mut e = MarketPoint::new(t(min), ETH);
        e.last = Some(path(&eth, min));
        e.open_interest = Some(Qty::from_int(2_000_000 - min * 1_000));
        e.funding_rate = Some("0.0001".parse().unwrap());
        market.push(e);
    }
    RunRecord {
        meta,
        instruments,
        accounts: vec![ME],
        equity,
        outputs,
        market,
        fold: None,
        fills_not_kept: 0,
    }
}

fn report() -> (RunRecord, Report) {
    let r = synthetic_run();
    let rep = Report::new(&r, &ReportConfig::default()).unwrap();
    (r, rep)
}

#[test]
fn pnl_split_is_hand_checked_and_sums_exactly() {
    let (_, rep) = report();
    let p = rep.metrics.pnl;
    assert_eq!(p.total, m("-3900")); // 96100 − 100000
                                     // Fees: 48 + 16 + 59.9 + 47.6 + 23.6 − 5.35 (rebate).
    assert_eq!(p.fees, m("-189.75"));
    assert_eq!(p.funding, m("-21")); // paid 24, received 3
                                     // Long 2 BTC at an average 119500: sell 0.5 at 118000 is own trading (−750); then the
                                     // liquidations: 0.5 at 112000 (−3750) and 0.5 at 110500 (−4500), fees 28 + 27.6.
    assert_eq!(p.liquidation, m("-8305.6"));
    // Short 10 ETH at 4000, 4 closed by ADL at 3500: +2000.
    assert_eq!(p.adl, m("2000"));
    // Taker slippage, 6 × qty each: 6 (1 BTC) + 60 (10 ETH) + 3 (0.5 spot BTC) + 6 (1 BTC)
    // + 3 (0.5 BTC); the maker fill none.
    assert_eq!(p.slippage, m("-78"));
    assert_eq!(rep.metrics.trading.slippage, m("78"));
    // At the fill prices own trading made 2616.35; at the reference prices 78 more.
    assert_eq!(p.trading, m("2694.35"));
    assert_eq!(p.trading + p.slippage, m("2616.35"));
    assert_eq!(
        p.trading + p.slippage + p.fees + p.funding + p.liquidation + p.adl,
        p.total
    );
    let l = rep.metrics.liquidations;
    assert_eq!(
        (l.count, l.partial, l.full, l.qty, l.notional),
        (2, 1, 1, q("1"), m("111250"))
    );
    assert_eq!((rep.metrics.adl.count, rep.metrics.adl.qty), (1, q("4")));
    assert_eq!(
        (rep.metrics.trading.fills, rep.metrics.trading.maker_fills),
        (6, 1)
    );
    assert_eq!(rep.metrics.trading.rebates, m("5.35"));
    assert_eq!(rep.crash.derisk, Derisk::NotDerisked);
    assert_eq!(rep.crash.pnl, Some(m("-6000"))); // 93500 at 21:30 − 99500 at 21:00
    let d = rep.metrics.drawdown.max_fraction;
    assert_eq!(
        (d.peak_ts, d.trough_ts, d.value, d.recovered_ts),
        (t(30), t(75), m("8400"), None)
    );
}

#[test]
fn text_report() {
    let (_, rep) = report();
    insta::assert_snapshot!(render_text(&rep));
}

#[test]
fn json_report() {
    let (_, rep) = report();
    insta::assert_snapshot!(render_json(&rep));
}

#[test]
fn csv_exports() {
    let (r, _) = report();
    insta::assert_snapshot!(format!("{}\n{}", equity_csv(&r), fills_csv(&r)));
}

#[test]
fn scorecards_table_and_json() {
    let (r, rep) = report();
    let mut flat = r.clone();
    flat.meta.strategy = "noop".into();
    flat.outputs.clear();
    for s in &mut flat.equity {
        s.equity = m("100000");
        s.gross_exposure = Money::ZERO;
        s.net_exposure = Money::ZERO;
    }
    let flat = Report::new(&flat, &ReportConfig::default()).unwrap();
    let cards = [Scorecard::from_report(&rep), Scorecard::from_report(&flat)];
    insta::assert_snapshot!(format!(
        "{}\n{}",
        render_scorecards(&cards),
        scorecards_json(&cards)
    ));
}

#[test]
fn html_is_self_contained_with_the_expected_charts() {
    let (r, rep) = report();
    let html = render_html(&r, &rep);
    if let Ok(path) = std::env::var("CASCADE_REPORT_HTML") {
        std::fs::write(&path, &html).unwrap();
    }
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "no scripts");
    // The only URL is the SVG namespace: nothing is fetched.
    assert!(
        !html
            .replace("http://www.w3.org/2000/svg", "")
            .contains("http"),
        "no network resources"
    );
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
    // The strategy's notes, escaped, in a table of their own.
    assert!(html.contains(
        "<th colspan=\"2\">Notes</th></tr><tr><td>state</td><td>held 3 BTC to the end</td></tr>"
    ));
    assert!(html.contains("spot flow (4/4) &amp; &lt;heatmap&gt;"));
    for title in [
        "Price — BTCUSDT (linear-perp)",
        "Price — ETHUSDT (linear-perp)",
        "Price — BTCUSDT-SPOT (spot)",
        "Recorded liquidations — BTCUSDT",
        "Equity",
        "Drawdown from peak",
        "Leverage (exposure ÷ equity)",
        "Open interest — BTCUSDT (BTC)",
        "Open interest — ETHUSDT (ETH)",
        "Funding rate — BTCUSDT (per interval)",
    ] {
        assert!(html.contains(&format!(">{title}")), "missing chart {title}");
    }
    // Charts: 3 price + 1 recorded liquidations + equity, drawdown, leverage + 2 OI + 2 funding.
    assert_eq!(html.matches("<svg").count(), 11);
    // Markers with tooltips: 6 fills, 2 liquidations and 1 ADL on the price charts, plus
    // 2 liquidations and 1 ADL on the equity curve.
    assert_eq!(html.matches(r#"<g class="marker">"#).count(), 12);
    assert!(html.contains(
        "<title>2025-10-10T21:10:00Z liquidation (Partial) 0.5 @ 112000, fee 28</title>"
    ));
    assert!(html.contains("ADL 4 @ 3500 against a99"));
    assert!(html.contains(r#"class="span""#) && html.contains(">crash window</text>"));
    assert!(html.contains(r#"class="bars""#));
    assert!(html.matches(r#"class="series""#).count() >= 10);
    assert!(
        html.contains(">101,000</text>") || html.contains(">110,000</text>"),
        "price axis labels"
    );
    assert!(
        html.contains(">-0.03%</text>") || html.contains(">-0.030%</text>"),
        "funding axis labels"
    );
}

#[test]
fn bad_records_are_errors() {
    let mut r = synthetic_run();
    r.equity.swap(3, 4);
    assert_eq!(
        Report::new(&r, &ReportConfig::default())
            .unwrap_err()
            .to_string(),
        "the equity curve is not sorted by time (entry 4 is earlier than the one before)"
    );
    r.equity.clear();
    assert_eq!(
        Report::new(&r, &ReportConfig::default()).unwrap_err(),
        ReportError::EmptyEquity
    );
    let r = synthetic_run();
    let cfg = ReportConfig {
        return_interval_ns: 0,
        ..ReportConfig::default()
    };
    assert!(matches!(
        Report::new(&r, &cfg),
        Err(ReportError::BadConfig(_))
    ));
}

#[test]
fn a_run_that_folds_its_outputs_as_they_happen_reports_what_folding_the_record_does() {
    let full = synthetic_run();
    let fills = full
        .outputs
        .iter()
        .filter(|o| matches!(o.output, Output::Fill { account, .. } if full.owns(account)))
        .count();
    assert!(fills >= 2, "the synthetic run has fills to drop");
    // Fold every output, then keep none of the fills in memory, as a long run does.
    let mut fold = crate::OutputFold::new(&full.instruments, &full.accounts);
    for o in &full.outputs {
        fold.add(o);
    }
    let mut thin = full.clone();
    thin.outputs
        .retain(|o| !matches!(o.output, Output::Fill { .. }));
    thin.fold = Some(fold);
    thin.fills_not_kept = fills as u64;
    let cfg = ReportConfig::default();
    let a = Report::new(&full, &cfg).unwrap();
    let b = Report::new(&thin, &cfg).unwrap();
    assert_eq!(a.metrics, b.metrics);
    assert_eq!(b.metrics.trading.fills, fills as u64);
    // Without the fold, the thinned record would lose its fills.
    thin.fold = None;
    let c = Report::new(&thin, &cfg).unwrap();
    assert_ne!(a.metrics.trading, c.metrics.trading);
}

#[test]
fn an_out_of_order_output_is_refused_through_the_fold_too() {
    let mut r = synthetic_run();
    let n = r.outputs.len();
    assert!(n >= 2);
    r.outputs.swap(0, n - 1);
    let mut fold = crate::OutputFold::new(&r.instruments, &r.accounts);
    for o in &r.outputs {
        fold.add(o);
    }
    let direct = Report::new(&r, &ReportConfig::default())
        .unwrap_err()
        .to_string();
    r.fold = Some(fold);
    let folded = Report::new(&r, &ReportConfig::default())
        .unwrap_err()
        .to_string();
    assert_eq!(direct, folded);
}
