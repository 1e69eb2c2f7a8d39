//! The final state of a run: what a replay must reproduce exactly, besides the hash.
//! Plain data, compared field by field and stored in the journal trailer and the manifest.

use cascade_types::{AccountId, InstrumentId, Money, Price, Qty, Ts};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// One of the strategy's accounts at the end of a run.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AccountFinal {
    /// The account.
    pub account: AccountId,
    /// Equity at the last mark.
    pub equity: Money,
    /// Futures wallet balance.
    pub futures_balance: Money,
    /// Spot wallet quote balance.
    pub spot_quote: Money,
    /// Open positions: instrument, signed quantity, entry price.
    pub positions: Vec<(InstrumentId, Qty, Price)>,
    /// Orders still open.
    pub open_orders: u64,
}

/// The state a run ends in.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct FinalState {
    /// Time of the last market event (`None` for an empty input).
    pub last_ts: Option<Ts>,
    /// Market events handled (recorded inputs).
    pub market_events: u64,
    /// Ticks of expanded bars applied to the exchange.
    pub ticks: u64,
    /// Commands issued by the strategy.
    pub commands: u64,
    /// Commands that reached the exchange.
    pub arrivals: u64,
    /// Timers fired.
    pub timers_fired: u64,
    /// Exchange outputs.
    pub outputs: u64,
    /// Commands and timers still pending after the last market event (they are due after
    /// the end of the data and never run).
    pub pending_at_end: u64,
    /// The strategy's accounts.
    pub accounts: Vec<AccountFinal>,
    /// Facts the exchange model reports about itself (insurance fund, open interest, crowd),
    /// by name, as exact decimal text.
    pub exchange: BTreeMap<String, String>,
}

impl FinalState {
    /// The first difference from `other`, as text, or `None` when equal.
    pub fn diff(&self, other: &FinalState) -> Option<String> {
        if self == other {
            return None;
        }
        let (a, b) = (self.to_string(), other.to_string());
        for (x, y) in a.lines().zip(b.lines()) {
            if x != y {
                return Some(format!("expected `{x}`, found `{y}`"));
            }
        }
        Some(format!(
            "expected {} lines of state, found {}",
            a.lines().count(),
            b.lines().count()
        ))
    }
}

impl fmt::Display for FinalState {
    /// A stable multi-line rendering for reports, snapshots and diffs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.last_ts {
            Some(ts) => writeln!(f, "last event      {ts}")?,
            None => writeln!(f, "last event      none")?,
        }
        writeln!(
            f,
            "market events   {} (+{} bar ticks)",
            self.market_events, self.ticks
        )?;
        writeln!(
            f,
            "commands        {} issued, {} arrived, {} pending at end",
            self.commands, self.arrivals, self.pending_at_end
        )?;
        writeln!(f, "timers fired    {}", self.timers_fired)?;
        writeln!(f, "outputs         {}", self.outputs)?;
        for a in &self.accounts {
            writeln!(
                f,
                "account {}      equity {} futures {} spot {} open orders {}",
                a.account, a.equity, a.futures_balance, a.spot_quote, a.open_orders
            )?;
            for (i, q, p) in &a.positions {
                writeln!(f, "  position {i} {q} @ {p}")?;
            }
        }
        for (k, v) in &self.exchange {
            writeln!(f, "exchange {k} {v}")?;
        }
        Ok(())
    }
}
