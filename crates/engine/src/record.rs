//! What the run journal records: every input and every output of a run, in the order the
//! engine handled them, each with a sequence number.
//!
//! A run is the fold of its [`RecordBody::Market`] records; everything else in the journal
//! is what the engine, the exchange and the strategy made of them, so a replay can re-derive
//! and check it.

use cascade_types::{AccountId, Command, Event, Money, Output, Qty, Ts};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One journal record.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Record {
    /// 0-based position in the journal.
    pub seq: u64,
    /// Simulated time at which the engine handled it.
    pub ts: Ts,
    /// What it was.
    pub body: RecordBody,
}

/// A periodic snapshot of one account, taken on the sampling grid (see
/// [`crate::RunConfig::sample_interval_ns`]) for the equity curve.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Sample {
    /// The account.
    pub account: AccountId,
    /// Equity at mark: wallet balances plus unrealised profit and loss plus spot holdings at
    /// the last price.
    pub equity: Money,
    /// Gross exposure: the sum of `|notional|` of the account's positions at mark.
    pub gross_exposure: Money,
    /// Net exposure: the sum of signed notionals (long positive, short negative).
    pub net_exposure: Money,
    /// Net position of the account in the run's first perpetual (signed, base units).
    pub position: Qty,
}

/// What a record says.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum RecordBody {
    /// An input: a recorded market event (or a tick of an expanded bar) entering the loop.
    Market(Event),
    /// A tick of an expanded bar, applied to the exchange model (see [`crate::bars`]).
    Tick(Event),
    /// The strategy issued a command; it reaches the exchange at `arrive`.
    Command {
        /// Run-wide command id (also the scheduler's order among commands and timers).
        id: u64,
        /// The account it acts for.
        account: AccountId,
        /// When it reaches the exchange (`ts` + latency).
        arrive: Ts,
        /// The command.
        command: Command,
    },
    /// A command reached the exchange (the outputs it caused follow).
    Arrival {
        /// The command's id.
        id: u64,
    },
    /// The strategy set a timer.
    TimerSet {
        /// Run-wide timer id.
        id: u64,
        /// When it fires.
        at: Ts,
        /// The strategy's token, handed back when it fires.
        token: u64,
    },
    /// A timer fired.
    TimerFired {
        /// The timer's id.
        id: u64,
        /// The strategy's token.
        token: u64,
    },
    /// An output of the exchange model.
    Output(Output),
    /// A sample of an account on the sampling grid.
    Sample(Sample),
}

impl fmt::Display for Record {
    /// One stable line per record, for journal dumps and snapshots.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{} {} ", self.seq, self.ts.nanos())?;
        match &self.body {
            RecordBody::Market(e) => {
                write!(f, "market {} {}", e.instrument, crate::record::body_text(e))
            }
            RecordBody::Tick(e) => {
                write!(f, "tick {} {}", e.instrument, crate::record::body_text(e))
            }
            RecordBody::Command {
                id,
                account,
                arrive,
                command,
            } => {
                write!(
                    f,
                    "command c{id} {account} arrive {} {command:?}",
                    arrive.nanos()
                )
            }
            RecordBody::Arrival { id } => write!(f, "arrival c{id}"),
            RecordBody::TimerSet { id, at, token } => {
                write!(f, "timer-set t{id} at {} token {token}", at.nanos())
            }
            RecordBody::TimerFired { id, token } => write!(f, "timer-fired t{id} token {token}"),
            RecordBody::Output(o) => write!(f, "output {o:?}"),
            RecordBody::Sample(s) => write!(
                f,
                "sample {} equity {} gross {} net {} position {}",
                s.account, s.equity, s.gross_exposure, s.net_exposure, s.position
            ),
        }
    }
}

/// The event's `Display` without its leading timestamp and instrument.
fn body_text(e: &Event) -> String {
    let full = e.to_string();
    let prefix = format!("{} {} ", e.ts, e.instrument);
    full.strip_prefix(&prefix).unwrap_or(&full).to_string()
}
