//! What a report is computed from: a [`RunRecord`], filled by the engine at the end of a run.
//! Plain data; the report crate only reads it.

use crate::ser;
use cascade_types::{AccountId, InstrumentSpec, Money, Note, Output, Price, Qty, Rate, Ts};
use serde::Serialize;
use std::collections::BTreeMap;

/// One input file of a run and its content hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputFile {
    /// The path as given.
    pub path: String,
    /// Its content hash (as the journal writes it, e.g. `xxh3:0123…`).
    pub hash: String,
}

/// Who ran what on which data: printed at the top of every report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunMeta {
    /// The strategy's registry name.
    pub strategy: String,
    /// Its parameters as text, sorted by name.
    pub params: BTreeMap<String, String>,
    /// The scenario's id, when the run is one.
    pub scenario: Option<String>,
    /// The venue rule preset in force.
    pub venue: String,
    /// The input event logs.
    pub inputs: Vec<InputFile>,
    /// The run's final rolling hash (identifies the result bit for bit).
    pub run_hash: String,
    /// The replay window, when one was set.
    #[serde(serialize_with = "ser::opt_window")]
    pub window: Option<(Ts, Ts)>,
    /// The scenario's crash window, when known: exposure at its start and de-risk lead time
    /// are measured against it.
    #[serde(serialize_with = "ser::opt_window")]
    pub crash_window: Option<(Ts, Ts)>,
    /// Number of market events replayed.
    pub events: u64,
    /// What the strategy (and the engine, on topics it names) said about the run: inputs
    /// lacked, the state it ended in, where it stood in ADL queues. Printed under the run's
    /// header in every report.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
}

/// One point of the equity curve, summed over the strategy's accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EquitySample {
    /// When.
    pub ts: Ts,
    /// Total equity at mark: wallets plus unrealised PnL plus spot holdings at the last price.
    pub equity: Money,
    /// Gross exposure: the sum of `|notional|` of all positions (spot holdings included).
    pub gross_exposure: Money,
    /// Net exposure: the sum of signed notionals (long positive, short negative).
    pub net_exposure: Money,
}

/// An exchange output with the time it happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimedOutput {
    /// When.
    pub ts: Ts,
    /// What.
    pub output: Output,
}

/// One instrument's market at one sampling point (the latest values at or before `ts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarketPoint {
    /// The sampling point.
    pub ts: Ts,
    /// The instrument (index into [`RunRecord::instruments`]).
    pub instrument: cascade_types::InstrumentId,
    /// Last trade price.
    pub last: Option<Price>,
    /// Mark price.
    pub mark: Option<Price>,
    /// Open interest.
    pub open_interest: Option<Qty>,
    /// The latest published (or settled) funding rate.
    pub funding_rate: Option<Rate>,
    /// Notional of recorded long liquidations (forced sells) since the previous point.
    pub long_liquidated: Money,
    /// Notional of recorded short liquidations (forced buys) since the previous point.
    pub short_liquidated: Money,
}

impl MarketPoint {
    /// A point with no data, to fill in.
    pub fn new(ts: Ts, instrument: cascade_types::InstrumentId) -> Self {
        MarketPoint {
            ts,
            instrument,
            last: None,
            mark: None,
            open_interest: None,
            funding_rate: None,
            long_liquidated: Money::ZERO,
            short_liquidated: Money::ZERO,
        }
    }
}

/// Everything a report needs from a run. The engine fills it; every metric is computed from
/// it alone, so a report never changes a result.
///
/// Requirements (checked by [`Report::new`](crate::Report::new)): `equity` and `market`
/// sorted by time, `outputs` in the run's order; instrument ids index `instruments`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunRecord {
    /// Run metadata.
    pub meta: RunMeta,
    /// The run's instrument table.
    pub instruments: Vec<InstrumentSpec>,
    /// The strategy's accounts.
    pub accounts: Vec<AccountId>,
    /// The equity curve, sampled on the engine's grid (and at the first and last event).
    pub equity: Vec<EquitySample>,
    /// Outputs concerning the strategy's accounts, in run order. Fills, funding,
    /// liquidations and ADL are used; other outputs are ignored.
    pub outputs: Vec<TimedOutput>,
    /// Market series on the sampling grid, all instruments interleaved, sorted by time.
    pub market: Vec<MarketPoint>,
    /// The metrics' fold of *every* output, when the run folded them as they happened and
    /// kept only some fills in `outputs` (see `fills_not_kept`); `None`: fold `outputs`.
    pub fold: Option<crate::OutputFold>,
    /// The strategy's fills the run folded but did not keep in `outputs` (beyond the number
    /// it keeps in memory): counted in the metrics, written to `report.fills.csv` as they
    /// happened, not drawn in the HTML chart.
    pub fills_not_kept: u64,
}

impl RunRecord {
    /// The symbol of an instrument, or its id when unknown.
    pub fn symbol(&self, i: cascade_types::InstrumentId) -> String {
        self.instruments
            .get(i.index())
            .map_or_else(|| i.to_string(), |s| s.symbol.clone())
    }

    /// True when `a` is one of the strategy's accounts.
    pub fn owns(&self, a: AccountId) -> bool {
        self.accounts.contains(&a)
    }
}
