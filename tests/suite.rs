//! The scoring suite (`cascade-suite`) end to end, as CI pins it:
//!
//! - one insta snapshot per (entry, scenario) of the default suite on the bundled
//!   reconstructions — the scorecard and the run hash — and the same on the real data in
//!   `../shared/data` (or `CASCADE_DATA_DIR`) when it is there (skipped with a printed reason
//!   otherwise);
//! - identical cards run after run and on 1, 2 or 4 threads;
//! - a bad scenario file and a panicking strategy fail alone, the rest is scored;
//! - the 10/10 checks on the real data: the 10x long is liquidated in the crash window on the
//!   mark price under the tier table in force; the carry's short leg and ADL (which needs the
//!   crowd model); the regime filter against buy-and-hold;
//! - a `backtest fetch` cache (the Binance archive's layout, built here from `../shared/data`)
//!   scores the 10/10 scenario as real data, naming the streams it had and lacked;
//! - Black Thursday on BitMEX's real XBTUSD bars: the 10x long's fate, in BTC.

use cascade_strategy::prelude::*;
use cascade_strategy::types::{Event, Output, Side};
use cascade_strategy::{ParamError, Params, Registry, Strategy};
use cascade_suite::{
    comparison_rows, run_suite, Card, DataKind, Suite, SuiteError, SuiteOptions, SuiteOutcome,
};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const TEN_TEN: &str = "2025-10-10-tariff-crash";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("CASCADE_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/data"));
    dir.is_dir().then_some(dir)
}

fn default_suite() -> Suite {
    Suite::from_file(&root().join("fixtures/suite.toml")).unwrap()
}

/// A strategy that panics at its `at`-th market event: registered only here.
struct Panics {
    at: u64,
    seen: u64,
}

impl Panics {
    fn from_params(p: &Params) -> Result<Box<dyn Strategy>, ParamError> {
        p.expect_only(&["at"])?;
        Ok(Box::new(Panics {
            at: p.get_u64("at", 1000)?,
            seen: 0,
        }))
    }
}

impl Strategy for Panics {
    fn on_event(&mut self, _event: &Event, _ctx: &mut Ctx<'_>) {
        self.seen += 1;
        if self.seen == self.at {
            panic!("the test strategy panics on purpose at event {}", self.at);
        }
    }
}

fn registry() -> Registry {
    let mut r = cascade_strategies::registry();
    r.register(
        "panics",
        "test only: panics at its N-th event",
        Panics::from_params,
    );
    r
}

fn options(threads: usize, data: Option<PathBuf>) -> SuiteOptions {
    let mut o = SuiteOptions::new(root().join("fixtures/scenarios"));
    o.threads = threads;
    o.data_dir = data;
    o
}

/// The default suite on the bundled reconstructions, run once for the tests that read it.
fn bundled() -> &'static SuiteOutcome {
    static OUT: OnceLock<SuiteOutcome> = OnceLock::new();
    OUT.get_or_init(|| run_suite(&default_suite(), &options(2, None), &registry()).unwrap())
}

/// The default suite with the real data, when it is there.
fn with_real_data() -> Option<&'static SuiteOutcome> {
    static OUT: OnceLock<Option<SuiteOutcome>> = OnceLock::new();
    OUT.get_or_init(|| {
        let dir = data_dir()?;
        Some(run_suite(&default_suite(), &options(2, Some(dir)), &registry()).unwrap())
    })
    .as_ref()
}

fn skipped_without_data(test: &str) -> bool {
    if data_dir().is_none() {
        println!(
            "skipped: {test}: no real data (../shared/data beside the checkout, or CASCADE_DATA_DIR)"
        );
        return true;
    }
    false
}

/// What is pinned of a whole outcome besides the cards: skips and failures.
fn summary(o: &SuiteOutcome) -> String {
    let mut s = String::new();
    for d in &o.datasets {
        s.push_str(&format!(
            "data {} {}: {} ({} events{})\n",
            d.scenario,
            d.kind,
            d.description,
            d.events,
            d.content_hash
                .as_ref()
                .map_or(String::new(), |h| format!(", log {h}"))
        ));
        for line in d.files.iter().chain(&d.notes) {
            s.push_str(&format!("  {line}\n"));
        }
    }
    for c in &o.cards {
        s.push_str(&format!(
            "card {} {} {} {}\n",
            c.scenario, c.data, c.entry, c.run_hash
        ));
    }
    for k in &o.skipped {
        s.push_str(&format!(
            "skipped {} {} {}: {}\n",
            k.scenario,
            k.data.map_or("-", DataKind::as_str),
            k.entry.as_deref().unwrap_or("-"),
            k.reason
        ));
    }
    for f in &o.failures {
        s.push_str(&format!("FAILED {}\n", f.error));
    }
    // Paths from the checkout's root, wherever it is.
    s.replace(&format!("{}/", root().display()), "")
}

fn card<'a>(o: &'a SuiteOutcome, entry: &str, scenario: &str, data: DataKind) -> &'a Card {
    o.card(entry, scenario, data)
        .unwrap_or_else(|| panic!("no card for {entry} on {scenario} ({data})"))
}

#[test]
fn bundled_scorecards_are_pinned() {
    let o = bundled();
    assert!(o.is_success(), "{}", summary(o));
    // Every entry on every runnable bundled scenario; Black Thursday (BitMEX, inverse) is
    // skipped with its reason, pinned in the summary.
    assert_eq!(o.cards.len(), o.entries.len() * o.scenarios.len());
    insta::assert_snapshot!("bundled_summary", summary(o));
    for c in &o.cards {
        assert_eq!(c.data, DataKind::Reconstruction);
        insta::assert_snapshot!(
            format!("bundled__{}__{}", c.scenario, c.entry),
            c.describe()
        );
    }
}

#[test]
fn real_data_scorecards_are_pinned() {
    if skipped_without_data("real_data_scorecards_are_pinned") {
        return;
    }
    let o = with_real_data().unwrap();
    assert!(o.is_success(), "{}", summary(o));
    insta::assert_snapshot!("real_summary", summary(o));
    for c in o.cards.iter().filter(|c| c.data == DataKind::Real) {
        insta::assert_snapshot!(format!("real__{}__{}", c.scenario, c.entry), c.describe());
    }
    // Every report says which data each card used.
    let text = cascade_suite::render_text(o);
    assert!(text.contains(&format!(
        "{TEN_TEN} (real): real data: binance-um-klines-1m/"
    )));
    // Real data spans the 10/10 crash window: its rows lead, the reconstruction is the
    // fallback.
    assert!(text.contains(&format!(
        "{TEN_TEN} (reconstruction, fallback): reconstruction (synthetic"
    )));
    let real_row = text.find(&format!("{TEN_TEN} (real)")).unwrap();
    let fallback_row = text
        .find(&format!("{TEN_TEN} (reconstruction, fallback)"))
        .unwrap();
    assert!(real_row < fallback_row, "{text}");
    let html = cascade_suite::render_html(o);
    assert!(html.contains("reconstruction, fallback"));
}

#[test]
fn tables_are_readable_by_a_risk_manager() {
    let o = bundled();
    // No window of the default suite is 30 days long: no annualised ratio anywhere.
    for c in &o.cards {
        let s = &c.scorecard;
        assert!(
            !s.ratios_annualised && s.sharpe.is_none() && s.sortino.is_none(),
            "{} on {}",
            c.entry,
            c.scenario
        );
    }
    let text = cascade_suite::render_text(o);
    let html = cascade_suite::render_html(o);
    let json = o.to_json();
    // Black Thursday (inverse XBTUSD) money is BTC, everywhere, with 8 decimals.
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.contains("2020-03-12-black-thursday (reconstruction)  ") && l.contains("n/a<30d")
        })
        .collect();
    assert_eq!(rows.len(), o.entries.len(), "{text}");
    for line in rows {
        assert!(line.contains(" BTC") && !line.contains("USD"), "{line}");
    }
    assert!(o
        .cards
        .iter()
        .filter(|c| c.scenario.starts_with("2020-03-12"))
        .all(|c| c.scorecard.currency == "BTC"));
    assert!(o
        .cards
        .iter()
        .filter(|c| !c.scenario.starts_with("2020-03-12"))
        .all(|c| c.scorecard.currency == "USDT"));
    assert!(json.contains("\"currency\": \"BTC\""));
    assert!(html.contains(" BTC</td>") && html.contains(" USDT</td>"));
    // Every column is explained, in the text and on the page.
    for col in [
        "de-risk",
        "lev@crash",
        "crash pnl",
        "adl qty",
        "sharpe / sortino",
    ] {
        assert!(text.contains(&format!("  {col}  ")), "{col}");
        assert!(html.contains(&format!("<b>{col}</b>")), "{col}");
    }
}

#[test]
fn same_cards_run_after_run_and_on_any_thread_count() {
    let suite = default_suite();
    let reference = bundled().to_json();
    for threads in [1, 4, 2] {
        let again = run_suite(&suite, &options(threads, None), &registry()).unwrap();
        assert!(
            again.to_json() == reference,
            "the outcome on {threads} threads differs from the one on 2"
        );
        assert_eq!(
            cascade_suite::render_html(&again),
            cascade_suite::render_html(bundled())
        );
    }
}

#[test]
fn a_bad_scenario_file_and_a_panicking_strategy_fail_alone() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = root().join("fixtures/scenarios");
    for id in ["2025-02-03-tariffs", "2025-04-07-reciprocal-tariffs"] {
        std::fs::copy(
            scenarios.join(format!("{id}.toml")),
            dir.path().join(format!("{id}.toml")),
        )
        .unwrap();
    }
    // A copy of 10/10 without its crash window.
    let text = std::fs::read_to_string(scenarios.join(format!("{TEN_TEN}.toml"))).unwrap();
    let broken: String = text
        .lines()
        .filter(|l| !l.starts_with("crash_window"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(broken, text);
    std::fs::write(dir.path().join(format!("{TEN_TEN}.toml")), broken).unwrap();

    let mut suite = default_suite();
    suite.select(&["buy-and-hold-perp-10x".into()]).unwrap();
    let panicking = Suite::parse(
        "[[entry]]\nlabel = \"panics\"\nstrategy = \"panics\"\nparams = { at = 500 }\n",
        Path::new("test.toml"),
    )
    .unwrap();
    suite.entries.extend(panicking.entries);

    let mut opts = options(2, None);
    opts.scenarios_dir = dir.path().to_path_buf();
    let o = run_suite(&suite, &opts, &registry()).unwrap();
    let tmp = dir.path().display().to_string();
    let failures: Vec<String> = o
        .failures
        .iter()
        .map(|f| f.error.to_string().replace(&tmp, "[TMP]"))
        .collect();
    assert_eq!(
        failures,
        [
            "panics (strategy `panics`) on 2025-02-03-tariffs (reconstruction): panicked: the test strategy panics on purpose at event 500",
            "panics (strategy `panics`) on 2025-04-07-reciprocal-tariffs (reconstruction): panicked: the test strategy panics on purpose at event 500",
            "[TMP]/2025-10-10-tariff-crash.toml:1:1: missing field `crash_window`",
        ]
    );
    assert!(matches!(o.failures[0].error, SuiteError::Panic { .. }));
    // The other runs completed and are reported, and the outcome says it failed.
    assert!(!o.is_success());
    let scored: Vec<(&str, &str)> = o
        .cards
        .iter()
        .map(|c| (c.entry.as_str(), c.scenario.as_str()))
        .collect();
    assert_eq!(
        scored,
        [
            ("buy-and-hold-perp-10x", "2025-02-03-tariffs"),
            ("buy-and-hold-perp-10x", "2025-04-07-reciprocal-tariffs"),
        ]
    );
    let text = cascade_suite::render_text(&o);
    assert!(text.contains("FAILED") && text.contains("missing field `crash_window`"));
}

/// The mark at or below which the 10x long's account (one cross position, wallet `wallet`)
/// is under maintenance margin with the tier table `tiers`: for each bracket,
/// `wallet + q·(m − e) = q·m·mmr − cum`, i.e. `m = (q·e − wallet − cum) / (q·(1 − mmr))`,
/// kept when `q·m` lies in that bracket.
fn liquidation_mark(tiers: &cascade_types::TierTable, qty: f64, entry: f64, wallet: f64) -> f64 {
    tiers
        .tiers()
        .iter()
        .filter_map(|t| {
            let (mmr, cum) = (t.mmr.to_f64(), t.cum.to_f64());
            let m = (qty * entry - wallet - cum) / (qty * (1.0 - mmr));
            let n = qty * m;
            (n >= t.floor.to_f64() && n < t.cap.to_f64()).then_some(m)
        })
        .next()
        .expect("one bracket holds the liquidation notional")
}

#[test]
fn ten_ten_real_ten_x_long_is_liquidated_in_the_crash_window_on_the_mark() {
    if skipped_without_data("ten_ten_real_ten_x_long_is_liquidated_in_the_crash_window_on_the_mark")
    {
        return;
    }
    let o = with_real_data().unwrap();
    let c = card(o, "buy-and-hold-perp-10x", TEN_TEN, DataKind::Real);
    let r = &c.record;
    let (crash_start, crash_end) = r.meta.crash_window.unwrap();
    // The tier table in force: Binance BTCUSDT brackets first seen 2024-05-30 (resets.toml),
    // through the venue the suite mapped the scenario to.
    assert_eq!(c.venue, "binance-usdm@2024-05-30");
    assert_eq!(c.venue_rules, "binance-usdm 2024-05-30");
    let day = cascade_types::Ts::parse_utc("2024-05-30").unwrap();
    let tiers = cascade_exchange::binance_usdm_tiers("BTCUSDT", day).unwrap();

    let mut entry = None;
    let mut wallet = 10_000.0;
    let mut liquidation = None;
    for t in &r.outputs {
        match t.output {
            Output::Fill {
                side: Side::Buy,
                qty,
                price,
                fee,
                ..
            } if entry.is_none() => {
                entry = Some((qty.to_f64(), price.to_f64()));
                wallet -= fee.to_f64();
            }
            Output::Funding { amount, .. } if liquidation.is_none() => wallet += amount.to_f64(),
            Output::Liquidation { .. } if liquidation.is_none() => liquidation = Some(t.ts),
            _ => {}
        }
    }
    let (qty, entry_px) = entry.expect("the 10x long was opened");
    let liq_ts = liquidation.expect("the 10x long was liquidated");
    let threshold = liquidation_mark(&tiers, qty, entry_px, wallet);
    println!(
        "10/10 real: long {qty} BTC at {entry_px:.2}, wallet {wallet:.2}; under maintenance at a mark <= {threshold:.2}; first liquidation at {liq_ts}"
    );
    assert!(
        crash_start <= liq_ts && liq_ts < crash_end,
        "liquidated at {liq_ts}, outside the crash window {crash_start} .. {crash_end}"
    );

    // On the mark, inside the bar: the strategy's market view sees each 5-minute mark bar at
    // its close, so the first mark sample at or below the threshold is that bar's close; the
    // exchange met the bar's path (open, extremes at a third and two thirds, close) spread
    // over its interval, so the liquidation comes inside that bar, when its low was reached
    // — not at its close stamp, as it did while bars were stacked at their close.
    let perp = r
        .instruments
        .iter()
        .position(|s| s.kind != cascade_types::InstrumentKind::Spot)
        .unwrap();
    let series: Vec<_> = r
        .market
        .iter()
        .filter(|p| p.instrument.index() == perp)
        .collect();
    let first_below = |f: &dyn Fn(&cascade_report::MarketPoint) -> Option<f64>| {
        series
            .iter()
            .find(|p| f(p).is_some_and(|x| x <= threshold))
            .map(|p| p.ts)
    };
    let mark_below = first_below(&|p| p.mark.map(|x| x.to_f64()));
    let last_below = first_below(&|p| p.last.map(|x| x.to_f64())).expect("the last crossed");
    println!("  last price first sampled at or below it at {last_below}, a mark bar closing at or below it at {mark_below:?}");
    // The entry: the real runs start at the perpetual's first traded price (17:07), so the
    // fill meets a traded market, not a mark hours before any trade.
    let first_last = series.iter().find_map(|p| p.last).unwrap().to_f64();
    let slip_bps = (entry_px / first_last - 1.0) * 1e4;
    println!("  entry {entry_px:.2}, first sampled last price {first_last:.2} ({slip_bps:.2} bp)");
    let bar = 300_000_000_000;
    // The liquidation meets the mark bar's path where its low was placed (a third or two
    // thirds into the bar), not the bar's close stamp: the mark's close may never go below the
    // threshold while its low does.
    let offset = liq_ts.nanos().rem_euclid(bar);
    assert!(
        offset == bar / 3 || offset == 2 * bar / 3,
        "the liquidation at {liq_ts} is not at an extreme of a 5-minute mark bar's path"
    );
    if let Some(m) = mark_below {
        assert!(
            liq_ts < m,
            "the liquidation at {liq_ts} comes after a mark bar closed below the threshold at {m}"
        );
    }
    // The last price (1-minute bars, sampled at their closes on a 1-minute grid) was through
    // it within two of its bars of the liquidation, on either side.
    assert!(
        (last_below.nanos() - liq_ts.nanos()).abs() <= 120_000_000_000,
        "the last price crossed at {last_below}, far from the liquidation at {liq_ts}"
    );
    assert!(c.scorecard.liquidations >= 1);
    // Through the liquidation and the insurance fund, not ADL (Binance's fund held ~$1.2B).
    assert!(
        !r.outputs
            .iter()
            .any(|t| matches!(t.output, Output::Adl { .. })),
        "the 10x long was ADL'd"
    );
    assert_eq!(c.scorecard.adl_events, 0);
    // The entry fills near the traded price (no 1 % no-book penalty).
    assert!(
        slip_bps.abs() < 5.0,
        "entry {entry_px} is {slip_bps:.2} bp from the first traded price"
    );

    // Slippage is its own line: the card shows it, and it is the taker fills' bp gap from
    // the price the exchange priced them from, times their notional (the entry's, here).
    let mut expected = 0.0;
    let mut gaps = Vec::new();
    for t in &r.outputs {
        if let Output::Fill {
            account,
            side,
            qty,
            price,
            maker: false,
            reference,
            slippage,
            ..
        } = t.output
        {
            if !r.owns(account) {
                continue;
            }
            let sign = if side == Side::Buy { 1.0 } else { -1.0 };
            let gap_bps = sign * (price.to_f64() / reference.to_f64() - 1.0) * 1e4;
            let notional = qty.to_f64() * price.to_f64();
            expected += gap_bps / 1e4 * notional;
            gaps.push(format!(
                "{side} {qty} @ {price} vs reference {reference}: {gap_bps:.4} bp, slippage {slippage}"
            ));
        }
    }
    println!(
        "  taker fills: {gaps:?}; card slippage {}",
        c.scorecard.slippage
    );
    assert!(!gaps.is_empty(), "the entry is a taker fill");
    let shown = c.scorecard.slippage.to_f64();
    assert!(
        shown > 0.0 && (shown - expected).abs() <= 0.01 + expected.abs() * 1e-3,
        "card slippage {shown} vs the bp gap × notional {expected}"
    );
    let line = format!("slippage               {} USDT", c.scorecard.slippage);
    assert!(
        c.describe().lines().any(|l| l == line),
        "the card has no `{line}` line:\n{}",
        c.describe()
    );
    // The report's PnL split carries it negated, and still sums exactly.
    let p = &c.report.metrics.pnl;
    assert_eq!(p.slippage, -c.scorecard.slippage);
    assert_eq!(
        p.trading + p.slippage + p.fees + p.funding + p.liquidation + p.adl,
        p.total
    );
}

/// Binance reported no ADL of BTCUSDT on 10/10: its shared BTC/ETH/BNB fund (about $1.23B
/// that morning, MECHANICS A1.4b) absorbed the losses. The suite starts the fund at that
/// figure (`insurance_fund = "venue"`), so the crowd's bankrupt longs draw on it, and ADL of
/// BTCUSDT shorts may only appear if the modelled fund runs dry — and then the card says so,
/// with the fund's start, what it paid and the deficit it could not. (The ADL guarantee does
/// not apply here: the recorded open interest, $16B, is above its 4B bound.)
#[test]
fn ten_ten_funding_carry_meets_adl_only_if_the_modelled_fund_runs_dry() {
    let o = bundled();
    let mut cards = vec![card(o, "funding-carry", TEN_TEN, DataKind::Reconstruction)];
    if let Some(real) = with_real_data() {
        match real.card("funding-carry", TEN_TEN, DataKind::Real) {
            Some(c) => cards.push(c),
            None => {
                let why = real
                    .skipped
                    .iter()
                    .find(|s| s.scenario == TEN_TEN && s.entry.as_deref() == Some("funding-carry"))
                    .map_or("not run".to_string(), |s| s.reason.clone());
                println!("10/10 real: funding-carry not scored: {why}");
            }
        }
    }
    for c in cards {
        // The short leg's ADL: the victim's closing trade buys.
        let short_leg_adl = c.record.outputs.iter().any(|t| {
            matches!(t.output, Output::Adl { victim, side: Side::Buy, .. } if c.record.owns(victim))
        });
        let fund_notes: Vec<&str> = c
            .notes
            .iter()
            .filter(|n| n.topic == "insurance fund")
            .map(|n| n.text.as_str())
            .collect();
        println!(
            "10/10 {}: funding-carry: fund notes {fund_notes:#?}",
            c.data
        );
        // The starting fund is the sourced 2025-10-10 figure, and the card says where from.
        assert!(
            fund_notes.iter().any(|t| t
                .starts_with("Binance BTC/ETH/BNB USDT-M shared fund starts at 1230000000 USDT")
                && t.contains("2025-10-10")),
            "{fund_notes:?}"
        );
        // The suite's crowd follows recorded open interest: the reconstruction has it.
        if c.data == DataKind::Reconstruction {
            assert!(
                !c.market.no_crowd(c.record.accounts.len()),
                "no crowd on the reconstruction"
            );
        }
        println!(
            "10/10 {}: funding-carry: {} exchange accounts, {} ADL events in the market ({} notional), {} against the carry ({} qty)",
            c.data,
            c.market.exchange_accounts,
            c.market.adl_events,
            c.market.adl_notional,
            c.scorecard.adl_events,
            c.scorecard.adl_qty
        );
        if c.market.adl_events == 0 {
            // The honest expectation: the fund paid every deficit, nobody was ADL'd.
            assert_eq!(c.scorecard.adl_events, 0);
            assert!(!short_leg_adl);
            assert!(
                fund_notes
                    .iter()
                    .all(|t| !t.contains("went to ADL instead")),
                "{fund_notes:?}"
            );
        } else {
            // ADL only where the modelled fund ran dry, and the card shows its figures.
            let dry = fund_notes
                .iter()
                .find(|t| t.contains("the fund ran dry"))
                .unwrap_or_else(|| panic!("ADL without a dry fund: {fund_notes:?}"));
            assert!(
                dry.contains("started at 1230000000") && dry.contains("paid "),
                "{dry}"
            );
            assert!(c.describe().contains("the fund ran dry"));
        }
    }
}

#[test]
fn ten_ten_regime_filter_is_reported_against_buy_and_hold() {
    // The real-data outcome holds the reconstruction cards too.
    let o = with_real_data().unwrap_or_else(bundled);
    let mut text = String::new();
    {
        assert_eq!(o.baseline.as_deref(), Some("buy-and-hold-perp-10x"));
        for row in comparison_rows(o) {
            if row[0] == "regime-filter" && row[1].starts_with(TEN_TEN) {
                text.push_str(&row.join(" | "));
                text.push('\n');
            }
        }
        for data in [DataKind::Reconstruction, DataKind::Real] {
            let (Some(rf), Some(bh)) = (
                o.card("regime-filter", TEN_TEN, data),
                o.card("buy-and-hold-perp-10x", TEN_TEN, data),
            ) else {
                continue;
            };
            println!(
                "10/10 {data}: regime-filter max drawdown {:.2}% (buy-and-hold 10x {:.2}%), de-risk lead {} (buy-and-hold {})",
                -100.0 * rf.scorecard.max_drawdown,
                -100.0 * bh.scorecard.max_drawdown,
                rf.scorecard.derisk.to_text(),
                bh.scorecard.derisk.to_text()
            );
        }
    }
    // With real data covering the crash, the reconstruction is labelled the fallback.
    assert!(text.contains("(reconstruction"), "{text}");
    if data_dir().is_some() {
        assert!(text.contains("(real)"), "{text}");
    }
    println!("{text}");
}

#[test]
fn every_card_carries_its_strategys_notes() {
    // Every strategy of the default suite says how its run ended; the regime filter also
    // says which inputs it decided without.
    for c in &bundled().cards {
        assert!(
            c.notes.iter().any(|n| n.topic == "state"),
            "{} on {}: no state note: {:?}",
            c.entry,
            c.scenario,
            c.notes
        );
        assert!(c.describe().contains("note state"));
        if c.strategy == "regime-filter" {
            assert!(c.notes.iter().any(|n| n.topic == "lacked"), "{:?}", c.notes);
        }
    }
}

#[test]
fn black_thursday_runs_on_the_inverse_bitmex_contract() {
    // XBTUSD is inverse: the venue counts in the coin, the deposit becomes BTC at the first
    // mark, and the 10x long is liquidated in the crash (on the mark, by the coin-margined
    // 2020 risk limits).
    let o = bundled();
    let bt = "2020-03-12-black-thursday";
    assert!(
        o.skipped.iter().all(|s| s.scenario != bt),
        "{:?}",
        o.skipped
    );
    let long = card(o, "buy-and-hold-perp-10x", bt, DataKind::Reconstruction);
    assert_eq!(long.venue, "bitmex-2020");
    assert!(long.scorecard.liquidations > 0, "{}", long.describe());
    assert_eq!(long.scorecard.total_return.map(|r| r <= -0.99), Some(true));
    let (from, to) = long.record.meta.crash_window.expect("a scenario run");
    let liquidated_at: Vec<_> = long
        .record
        .outputs
        .iter()
        .filter(|t| matches!(t.output, Output::Liquidation { account, .. } if long.record.owns(account)))
        .map(|t| t.ts)
        .collect();
    assert!(
        !liquidated_at.is_empty() && liquidated_at.iter().all(|t| *t >= from && *t < to),
        "{liquidated_at:?} outside {from}..{to}"
    );
    for c in o.cards.iter().filter(|c| c.scenario == bt) {
        assert!(
            c.notes
                .iter()
                .any(|n| n.topic == "currency" && n.text.starts_with("money in BTC")),
            "{}",
            c.describe()
        );
    }
}

/// Writes `bytes` as the single entry `name` of a zip file at `path`.
fn write_zip(path: &Path, name: &str, bytes: &[u8]) {
    use std::io::Write;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    z.start_file(name, zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(bytes).unwrap();
    z.finish().unwrap();
}

#[test]
fn a_fetch_cache_scores_ten_ten_as_real_and_names_its_streams() {
    let test = "a_fetch_cache_scores_ten_ten_as_real_and_names_its_streams";
    if skipped_without_data(test) {
        return;
    }
    let data = data_dir().unwrap();
    // A cache in the archive's own layout, from the shared files: the 1m kline slice as the
    // day's 1m klines, and the 5m mark-price days (as `backtest fetch --interval 5m` lays
    // them out: the suite takes a coarser kline day when the 1m one is absent).
    let cache = tempfile::tempdir().unwrap();
    let um = cache.path().join("data/futures/um/daily");
    let slice = data.join("binance-um-klines-1m/BTCUSDT-1m-2025-10.slice_20251010T1707-2343Z.csv");
    write_zip(
        &um.join("klines/BTCUSDT/1m/BTCUSDT-1m-2025-10-10.zip"),
        "BTCUSDT-1m-2025-10-10.csv",
        &std::fs::read(slice).unwrap(),
    );
    for day in ["2025-10-10", "2025-10-11"] {
        let to = um.join(format!("markPriceKlines/BTCUSDT/5m/BTCUSDT-5m-{day}.zip"));
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        let from = data.join(format!(
            "binance-2025-10-10/markprice_5m_um/BTCUSDT-5m-{day}.zip"
        ));
        std::fs::copy(from, to).unwrap();
    }
    let mut opts = options(2, Some(cache.path().to_path_buf()));
    opts.scenarios = vec![TEN_TEN.to_string()];
    let o = run_suite(&default_suite(), &opts, &registry()).unwrap();
    assert!(o.is_success(), "{}", summary(&o));
    let long = card(&o, "buy-and-hold-perp-10x", TEN_TEN, DataKind::Real);
    assert!(long.scorecard.liquidations > 0, "{}", long.describe());
    let d = o
        .datasets
        .iter()
        .find(|d| d.scenario == TEN_TEN && d.kind == DataKind::Real)
        .unwrap();
    assert!(
        d.description.starts_with(
            "real data (backtest fetch cache): data/futures/um/daily/klines/BTCUSDT/1m/"
        ),
        "{}",
        d.description
    );
    let note = |prefix: &str| {
        d.notes
            .iter()
            .find(|n| n.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} note in {:?}", d.notes))
            .clone()
    };
    assert_eq!(
        note("streams had"),
        "streams had (backtest fetch cache): futures/um BTCUSDT klines 1m (1 of 2 files), \
         futures/um BTCUSDT markPriceKlines 5m"
    );
    assert_eq!(
        note("streams lacked"),
        "streams lacked: futures/um BTCUSDT indexPriceKlines 1m, \
         futures/um BTCUSDT premiumIndexKlines 1m, futures/um BTCUSDT metrics, \
         futures/um BTCUSDT bookDepth, futures/um BTCUSDT fundingRate, spot BTCUSDT klines 1m"
    );
    // The cache has no funding: the suite's zero stand-in, said on the card.
    assert!(
        long.notes
            .iter()
            .any(|n| n.topic == "funding" && n.text.contains("zero")),
        "{}",
        long.describe()
    );
}

#[test]
fn black_thursday_real_ten_x_long_on_bitmex_xbtusd_in_btc() {
    let test = "black_thursday_real_ten_x_long_on_bitmex_xbtusd_in_btc";
    if skipped_without_data(test) {
        return;
    }
    let o = with_real_data().unwrap();
    let bt = "2020-03-12-black-thursday";
    let long = card(o, "buy-and-hold-perp-10x", bt, DataKind::Real);
    println!("{}", long.describe());
    assert_eq!(long.venue, "bitmex-2020");
    let topic = |t: &str| {
        long.notes
            .iter()
            .filter(|n| n.topic == t)
            .map(|n| n.text.as_str())
            .collect::<Vec<_>>()
    };
    assert!(
        topic("currency")
            .iter()
            .any(|n| n.starts_with("money in BTC")),
        "{}",
        long.describe()
    );
    // No mark and no funding in BitMEX's bars: the suite's stand-ins, said on the card.
    assert!(!topic("mark").is_empty(), "{}", long.describe());
    assert!(
        topic("funding").iter().any(|n| n.contains("zero")),
        "{}",
        long.describe()
    );
    // Its fate on the real path: bought at the first bar (~7,960), liquidated once, on the
    // last-price mark, in the first leg of the crash — before the first leg's low (5,600 at
    // 10:47 on 12 Mar) — losing the whole deposit (1.2596 BTC).
    let liquidations: Vec<_> = long
        .record
        .outputs
        .iter()
        .filter_map(|t| match t.output {
            Output::Liquidation { account, price, .. } if long.record.owns(account) => {
                Some((t.ts, price))
            }
            _ => None,
        })
        .collect();
    println!("Black Thursday real: the 10x long's liquidations {liquidations:?}");
    let (from, _) = long.record.meta.crash_window.expect("a scenario run");
    let first_leg_low = cascade_types::Ts::parse_utc("2020-03-12T10:47:00Z").unwrap();
    assert_eq!(liquidations.len(), 1, "{}", long.describe());
    assert!(
        liquidations[0].0 >= from && liquidations[0].0 < first_leg_low,
        "{liquidations:?}"
    );
    assert_eq!(long.scorecard.total_return.map(|r| r <= -0.99), Some(true));
}
