//! Memory flat in orders: a run keeps at most `KEEP_ORDER_OUTPUTS` of the strategy's
//! order-related outputs in memory, folds every output into the metrics as it happens and
//! streams `report.fills.csv` — and its reports are the ones a record holding every output
//! gives.

use crate::check::*;
use cascade_report::{fills_csv, Report, ReportConfig, TimedOutput};
use cascade_run::{run, ExecConfig, RecordBody, KEEP_ORDER_OUTPUTS};

#[test]
fn a_run_with_more_fills_than_it_keeps_reports_every_fill() {
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), "m.clog", &market(120_000, 5));
    let s = spec(vec![log], "noise", &["every=1", "qty=0.001"]);
    let out = dir.path().join("run");
    let exec = ExecConfig {
        check_invariants: false,
        ..exec(4096, 8)
    };
    let o = run(&s, &registry(), Some(&out), &exec).unwrap();
    let fills = o.data.fills();
    assert!(
        fills > KEEP_ORDER_OUTPUTS,
        "the workload must exceed the bound ({fills} fills)"
    );
    assert!(o.data.counts.fills_not_kept > 0);
    assert!(
        o.data.outputs.len() <= KEEP_ORDER_OUTPUTS + o.data.liquidations() + o.data.adl() + 1000
    );

    // The record of every output, from a verified replay of the run.
    let kept = cascade_run::report_record(&o.manifest, &o.data);
    let mut full = kept.clone();
    full.outputs = run_records(&out)
        .iter()
        .filter_map(|r| match r.body {
            RecordBody::Output(output) => Some(TimedOutput { ts: r.ts, output }),
            _ => None,
        })
        .collect();
    full.fold = None;
    full.fills_not_kept = 0;
    let cfg = ReportConfig::default();
    let from_run = Report::new(&kept, &cfg).unwrap();
    let from_all = Report::new(&full, &cfg).unwrap();
    assert_eq!(from_run.metrics, from_all.metrics);
    assert_eq!(from_run.metrics.trading.fills, fills as u64);

    // The streamed CSV is the one rendered from every output, byte for byte.
    let streamed = std::fs::read_to_string(out.join("report.fills.csv")).unwrap();
    assert_eq!(streamed, fills_csv(&full));
    assert_eq!(
        streamed.lines().filter(|l| l.contains(",fill,")).count(),
        fills
    );
    // The HTML says which fills it does not draw.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains(&format!(
            "{} later fills not drawn",
            o.data.counts.fills_not_kept
        )),
        "the chart names the fills it leaves out"
    );
}
