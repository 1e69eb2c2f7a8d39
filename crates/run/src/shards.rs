//! `merge`: combines the results files of a sweep's shards into one, in job order. It refuses
//! anything that is not exactly one whole sweep: results of different sweep files (or
//! different shard counts), a shard given twice, a shard missing, or jobs that do not add up
//! to the sweep's `0..total` each once.

use crate::error::RunError;
use crate::sweep::SweepResults;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Merges shard results files (see the module docs).
pub fn merge_results(files: &[PathBuf]) -> Result<SweepResults, RunError> {
    let Some(first_path) = files.first() else {
        return Err(RunError::Shards("no results files given".into()));
    };
    let all: Vec<(PathBuf, SweepResults)> = files
        .iter()
        .map(|p| SweepResults::read(p).map(|r| (p.clone(), r)))
        .collect::<Result<_, _>>()?;
    let (_, first) = &all[0];
    let show = |p: &Path| p.display().to_string();
    let n = first.shard_count;
    let mut owner: BTreeMap<u32, &Path> = BTreeMap::new();
    for (path, r) in &all {
        if r.sweep != first.sweep {
            return Err(RunError::Shards(format!(
                "{} is from another sweep than {} ({} {} with {} jobs, against {} {} with {} jobs)",
                show(path),
                show(first_path),
                r.sweep.file,
                r.sweep.content_hash,
                r.sweep.total_jobs,
                first.sweep.file,
                first.sweep.content_hash,
                first.sweep.total_jobs
            )));
        }
        if r.shard_count != n {
            return Err(RunError::Shards(format!(
                "{} was cut into {} shards but {} into {n}",
                show(path),
                r.shard_count,
                show(first_path)
            )));
        }
        for &s in &r.shards {
            if s >= n {
                return Err(RunError::Shards(format!(
                    "{} claims shard {s} of only {n}",
                    show(path)
                )));
            }
            if let Some(other) = owner.insert(s, path) {
                return Err(RunError::Shards(format!(
                    "overlapping shards: shard {s}/{n} is in both {} and {}",
                    show(other),
                    show(path)
                )));
            }
        }
    }
    let missing: Vec<String> = (0..n)
        .filter(|s| !owner.contains_key(s))
        .map(|s| format!("{s}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(RunError::Shards(format!(
            "missing shards {}: pass one results file for every shard 0..{n}",
            missing.join(", ")
        )));
    }
    let mut jobs = Vec::with_capacity(first.sweep.total_jobs as usize);
    for (path, r) in &all {
        for j in &r.jobs {
            if j.index >= first.sweep.total_jobs
                || !r.shards.contains(&((j.index % n as u64) as u32))
            {
                return Err(RunError::Shards(format!(
                    "{} holds job {} which is not one of its shards' jobs",
                    show(path),
                    j.index
                )));
            }
            jobs.push(j.clone());
        }
    }
    jobs.sort_by_key(|j| j.index);
    for (want, j) in jobs.iter().enumerate() {
        if j.index != want as u64 {
            let detail = if j.index < want as u64 {
                "given twice"
            } else {
                "missing"
            };
            return Err(RunError::Shards(format!(
                "job {} is {detail}: the shards do not add up to the sweep's {} jobs",
                if j.index < want as u64 {
                    j.index
                } else {
                    want as u64
                },
                first.sweep.total_jobs
            )));
        }
    }
    if jobs.len() as u64 != first.sweep.total_jobs {
        return Err(RunError::Shards(format!(
            "the shards hold {} jobs, the sweep has {}",
            jobs.len(),
            first.sweep.total_jobs
        )));
    }
    Ok(SweepResults {
        sweep: first.sweep.clone(),
        shard_count: n,
        shards: (0..n).collect(),
        jobs,
    })
}
