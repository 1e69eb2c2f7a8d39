//! Sweeps: deterministic results whatever the thread count; shards merge back into the
//! whole; bad shard sets are refused.

use crate::check::*;
use cascade_run::{merge_results, sweep, Shard, Sweep};
use std::path::Path;

fn sweep_file(dir: &Path) -> std::path::PathBuf {
    write_log(dir, "a.clog", &market(1_500, 21));
    write_log(dir, "b.clog", &market(1_500, 22));
    let path = dir.join("grid.toml");
    std::fs::write(
        &path,
        r#"
strategy = "noise"
venue = "binance-usdm"

[params]
qty = "0.01"

[grid]
every = [20, 50, 300]
instrument = [0]

[config]
latency_ms = 5
# The test logs hold trades only: name the stand-ins for mark and funding.
funding_default = "computed"
mark_default = "last"

[[scenario]]
name = "a"
logs = ["a.clog"]

[[scenario]]
name = "b"
logs = ["b.clog"]
"#,
    )
    .unwrap();
    path
}

fn all_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            for (k, v) in result_files(&p) {
                out.push((format!("{name}/{k}"), v));
            }
        } else {
            out.push((name, std::fs::read(&p).unwrap()));
        }
    }
    out
}

#[test]
fn same_results_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let sw = Sweep::from_file(&sweep_file(dir.path())).unwrap();
    assert_eq!(sw.total_jobs(), 6);
    let mut reference = None;
    for threads in [1, 2, 4] {
        let out = dir.path().join(format!("t{threads}"));
        let r = sweep(
            &sw,
            Shard::ALL,
            threads,
            &out,
            &registry(),
            &exec(512, 2),
            None,
        )
        .unwrap();
        assert_eq!(r.failures(), 0);
        assert_eq!(
            r.jobs.iter().map(|j| j.index).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4, 5]
        );
        let files = all_files(&out);
        match &reference {
            None => reference = Some(files),
            Some(f) => assert!(f == &files, "threads {threads} changed the bytes"),
        }
    }
}

#[test]
fn shards_merge_into_the_whole_and_bad_sets_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let sw = Sweep::from_file(&sweep_file(dir.path())).unwrap();
    let whole = sweep(
        &sw,
        Shard::ALL,
        2,
        &dir.path().join("whole"),
        &registry(),
        &exec(512, 2),
        None,
    )
    .unwrap();
    let mut files = Vec::new();
    for i in 0..3 {
        let shard = Shard::parse(&format!("{i}/3")).unwrap();
        let out = dir.path().join(format!("shard{i}"));
        let r = sweep(&sw, shard, 1, &out, &registry(), &exec(512, 2), None).unwrap();
        assert!(r.jobs.iter().all(|j| j.index % 3 == i));
        files.push(out.join(shard.results_file()));
    }
    // In any order of the files, the merge is the whole sweep, in job order.
    let merged = merge_results(&[files[2].clone(), files[0].clone(), files[1].clone()]).unwrap();
    assert_eq!(merged.jobs, whole.jobs);
    assert_eq!(merged.shards, [0, 1, 2]);

    let err = |fs: &[std::path::PathBuf]| {
        merge_results(fs)
            .unwrap_err()
            .to_string()
            .replace(&dir.path().display().to_string(), "DIR")
    };
    let lines = [
        err(&[files[0].clone(), files[1].clone()]),
        err(&[files[0].clone(), files[1].clone(), files[1].clone()]),
        err(&[files[0].clone(), whole_file(dir.path())]),
        Shard::parse("3/3").unwrap_err().to_string(),
    ];
    insta::assert_snapshot!(lines.join("\n"));
}

fn whole_file(dir: &Path) -> std::path::PathBuf {
    dir.join("whole").join(Shard::ALL.results_file())
}
