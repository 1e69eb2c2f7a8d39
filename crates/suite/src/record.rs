//! A finished engine run as the report crate's [`RunRecord`], labelled with the data it ran
//! on (the engine keeps its own conversion private; this is the same mapping, with the
//! run's input described by the suite's [`DataInfo`] rather than a temporary path).

use crate::data::DataInfo;
use cascade_engine::RunOutcome;
use cascade_report::{InputFile, RunMeta, RunRecord};

/// The report record of `outcome`, whose data is `data`.
pub(crate) fn run_record(outcome: &RunOutcome, data: &DataInfo) -> RunRecord {
    let m = &outcome.manifest;
    let params = m
        .params
        .iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), text)
        })
        .collect();
    RunRecord {
        meta: RunMeta {
            strategy: m.strategy.clone(),
            params,
            scenario: m.scenario.clone(),
            venue: m.venue_rules.clone(),
            inputs: vec![InputFile {
                path: data.description.clone(),
                hash: data
                    .content_hash
                    .clone()
                    .unwrap_or_else(|| "in memory".to_string()),
            }],
            run_hash: m.journal.final_hash.clone(),
            window: None,
            crash_window: m.crash_window,
            events: m.final_state.market_events,
        },
        instruments: m.instruments.clone(),
        accounts: m.final_state.accounts.iter().map(|a| a.account).collect(),
        equity: outcome.data.equity.clone(),
        outputs: outcome.data.outputs.clone(),
        market: outcome.data.market.clone(),
    }
}
