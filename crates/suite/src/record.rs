//! A finished engine run as the report crate's [`RunRecord`], labelled with the data it ran
//! on: the engine's record ([`cascade_run::report_record`]) with the run's input described
//! by the suite's [`DataInfo`] rather than a temporary path.

use crate::data::DataInfo;
use cascade_report::{InputFile, RunRecord};
use cascade_run::RunOutcome;

/// The report record of `outcome`, whose data is `data`.
pub(crate) fn run_record(outcome: &RunOutcome, data: &DataInfo) -> RunRecord {
    let mut record = cascade_run::report_record(&outcome.manifest, &outcome.data);
    record.meta.inputs = vec![InputFile {
        path: data.description.clone(),
        hash: data
            .content_hash
            .clone()
            .unwrap_or_else(|| "in memory".to_string()),
    }];
    record
}
