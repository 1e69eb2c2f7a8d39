//! Snapshots of the text report of small fixtures.

use crate::check::*;

fn report(strategy: &str, params: &[&str], n: usize) -> String {
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), "btc.clog", &market(n, 11));
    let out = dir.path().join("run");
    let o = run_into(&spec(vec![log], strategy, params), &out, &exec(4096, 8));
    // The input's path is the only volatile part.
    o.report_text
        .replace(&dir.path().display().to_string(), "DIR")
}

#[test]
fn noop_report() {
    insta::assert_snapshot!(report("noop", &[], 2_000));
}

#[test]
fn noise_report() {
    insta::assert_snapshot!(report("noise", &["every=100", "qty=0.01"], 2_000));
}
