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

/// `--shard auto` from a job array's environment, given as a map (the process's own
/// environment is never touched).
#[test]
fn shard_auto_reads_slurm_and_kubernetes_indices() {
    let from = |vars: &[(&str, &str)], count: Option<u32>| {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Shard::from_env(
            |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()),
            count,
        )
        .map(|s| format!("{}/{}", s.index, s.count))
        .unwrap_or_else(|e| e.to_string())
    };
    let slurm = [
        ("SLURM_ARRAY_TASK_ID", "2"),
        ("SLURM_ARRAY_TASK_COUNT", "4"),
    ];
    assert_eq!(from(&slurm, None), "2/4");
    assert_eq!(from(&slurm, Some(4)), "2/4");
    // Arrays numbered from 1 (`--array=1-4`): the task with id 4 is the last shard.
    let from_one = [
        ("SLURM_ARRAY_TASK_ID", "4"),
        ("SLURM_ARRAY_TASK_MIN", "1"),
        ("SLURM_ARRAY_TASK_COUNT", "4"),
    ];
    assert_eq!(from(&from_one, None), "3/4");
    assert_eq!(from(&[("JOB_COMPLETION_INDEX", "7")], Some(8)), "7/8");
    // SLURM wins when both are set (a SLURM job on a Kubernetes node would be odd, but
    // unambiguous).
    let both = [
        ("SLURM_ARRAY_TASK_ID", "1"),
        ("SLURM_ARRAY_TASK_COUNT", "2"),
        ("JOB_COMPLETION_INDEX", "5"),
    ];
    assert_eq!(from(&both, None), "1/2");
    let errors = [
        from(&[], Some(4)),
        from(&[("JOB_COMPLETION_INDEX", "3")], None),
        from(&[("JOB_COMPLETION_INDEX", "8")], Some(8)),
        from(&[("SLURM_ARRAY_TASK_ID", "1")], None),
        from(&slurm, Some(5)),
        from(
            &[
                ("SLURM_ARRAY_TASK_ID", "x"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            None,
        ),
        from(
            &[
                ("SLURM_ARRAY_TASK_ID", "0"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            None,
        ),
    ];
    for e in &errors {
        assert!(e.contains("--shard auto"), "{e}");
    }
    assert!(errors[0].contains("neither SLURM_ARRAY_TASK_ID"));
    assert!(errors[1].contains("--shard-count"));
    assert!(
        errors[2].contains("index 8 (from JOB_COMPLETION_INDEX) is not below the shard count 8")
    );
    assert!(errors[3].contains("SLURM_ARRAY_TASK_COUNT is not"));
    assert!(errors[4].contains("disagrees"));
    assert!(errors[5].contains("\"x\" is not a non-negative integer"));
    assert!(errors[6].contains("below SLURM_ARRAY_TASK_MIN=1"));
}
