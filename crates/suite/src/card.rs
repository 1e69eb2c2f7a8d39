//! One scored (strategy entry, scenario, data) run: the report crate's [`Scorecard`] plus what
//! identifies the run (entry label, data, venue, run hash) and the whole market's totals.

use crate::data::DataKind;
use cascade_report::{Report, RunRecord, Scorecard};
use cascade_run::{AdlExposure, RunOutcome};
use cascade_types::{Money, Note};
use serde::Serialize;
use std::fmt::Write;

/// What happened to every account of the exchange, not only the strategy's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MarketFacts {
    /// Accounts in the exchange model: the market's own (the other side of book fills), the
    /// strategy's, plus the crowd's when a crowd model runs. With none beyond the first two
    /// there was no crowd: no one else to liquidate, no deficits, no ADL pressure.
    pub exchange_accounts: u64,
    /// Liquidation steps of longs, all accounts.
    pub long_liquidations: u64,
    /// Liquidation steps of shorts, all accounts.
    pub short_liquidations: u64,
    /// ADL events, all accounts.
    pub adl_events: u64,
    /// Notional closed by ADL, all accounts.
    #[serde(serialize_with = "display")]
    pub adl_notional: Money,
    /// Recorded (input) liquidation events.
    pub recorded_liquidations: u64,
}

fn display<S: serde::Serializer>(v: &Money, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

impl MarketFacts {
    pub(crate) fn of(outcome: &RunOutcome) -> MarketFacts {
        let t = &outcome.data.totals;
        MarketFacts {
            exchange_accounts: outcome
                .manifest
                .final_state
                .exchange
                .get("accounts")
                .and_then(|a| a.parse().ok())
                .unwrap_or(0),
            long_liquidations: t.long_liquidations,
            short_liquidations: t.short_liquidations,
            adl_events: t.adl_events,
            adl_notional: t.adl_notional,
            recorded_liquidations: t.recorded_liquidations,
        }
    }

    /// True when the exchange held only the market account and the strategy's own
    /// account(s): no crowd model ran.
    pub fn no_crowd(&self, strategy_accounts: usize) -> bool {
        self.exchange_accounts <= strategy_accounts as u64 + 1
    }
}

/// One scored run.
#[derive(Clone, Debug, Serialize)]
pub struct Card {
    /// The suite entry's label.
    pub entry: String,
    /// The strategy's registry name.
    pub strategy: String,
    /// The scenario id.
    pub scenario: String,
    /// The data it ran on.
    pub data: DataKind,
    /// The engine venue spec (`binance-usdm@2024-05-30`).
    pub venue: String,
    /// The dated rule set the engine built from it (`binance-usdm 2024-05-30`).
    pub venue_rules: String,
    /// The run's final rolling hash: identifies the result bit for bit.
    pub run_hash: String,
    /// Market events replayed.
    pub events: u64,
    /// The whole market's liquidations and ADL.
    pub market: MarketFacts,
    /// The scorecard (its `strategy` field is the registry name).
    pub scorecard: Scorecard,
    /// What the strategy said about its run (inputs it lacked, the state it ended in).
    pub notes: Vec<Note>,
    /// ADL as the strategy met it, per side of an instrument where ADL happened: how much,
    /// whether the strategy was deleveraged, and if not, how far up the queue it stood.
    pub adl_exposure: Vec<AdlExposure>,
    /// The report record (equity curve, outputs, market series), for charts.
    #[serde(skip)]
    pub record: RunRecord,
    /// The computed report, for the per-run page.
    #[serde(skip)]
    pub report: Report,
}

fn pct(x: Option<f64>) -> String {
    x.map_or("-".to_string(), |x| format!("{:.4}%", x * 100.0))
}

fn num(x: Option<f64>) -> String {
    x.map_or("-".to_string(), |x| format!("{x:.4}"))
}

impl Card {
    /// A stable multi-line text of everything the card says, for snapshots and diffs.
    pub fn describe(&self) -> String {
        let c = &self.scorecard;
        let m = &self.market;
        // Exact money with its currency (the text tables round to the currency's decimals).
        let cur = c.currency.clone();
        let money = |x: Money| format!("{x} {cur}");
        let ratio = |x: Option<f64>| {
            if c.ratios_annualised {
                num(x)
            } else {
                "n/a: window < 30 d, not annualised".to_string()
            }
        };
        let mut o = String::new();
        let mut line = |k: &str, v: String| {
            let _ = writeln!(o, "{k:<22} {v}");
        };
        line(
            "entry",
            format!("{} (strategy {})", self.entry, self.strategy),
        );
        line("scenario", self.scenario.clone());
        line("data", self.data.to_string());
        line("venue", format!("{} ({})", self.venue, self.venue_rules));
        line("run hash", self.run_hash.clone());
        line("market events", self.events.to_string());
        line("return", pct(c.total_return));
        line("pnl", money(c.pnl));
        line(
            "max drawdown",
            format!(
                "{} ({})",
                pct(Some(c.max_drawdown)),
                money(c.max_drawdown_value)
            ),
        );
        line("sharpe", ratio(c.sharpe));
        line("sortino", ratio(c.sortino));
        line(
            "leverage at crash",
            c.leverage_at_crash
                .map_or("-".to_string(), |l| format!("{l:.4}x")),
        );
        line(
            "net exposure at crash",
            c.net_exposure_at_crash.map_or("-".to_string(), money),
        );
        line("de-risk lead", c.derisk.to_text());
        line("crash pnl", c.crash_pnl.map_or("-".to_string(), money));
        line(
            "liquidations",
            format!(
                "{} ({} notional)",
                c.liquidations,
                money(c.liquidated_notional)
            ),
        );
        line("adl", format!("{} ({} qty)", c.adl_events, c.adl_qty));
        line("funding", money(c.funding));
        line("fees", money(c.fees));
        line("slippage", money(c.slippage));
        line(
            "market",
            format!(
                "{} exchange account(s){}; liquidation steps {} long / {} short; {} ADL ({} notional); {} recorded liquidations",
                m.exchange_accounts,
                if m.no_crowd(self.record.accounts.len()) {
                    " (no crowd)"
                } else {
                    ""
                },
                m.long_liquidations,
                m.short_liquidations,
                m.adl_events,
                money(m.adl_notional),
                m.recorded_liquidations
            ),
        );
        if self.adl_exposure.is_empty() {
            line("adl queue", "no ADL on any side".to_string());
        }
        for e in &self.adl_exposure {
            line("adl queue", e.to_string());
        }
        for n in &self.notes {
            line(&format!("note {}", n.topic), n.text.clone());
        }
        o
    }
}
