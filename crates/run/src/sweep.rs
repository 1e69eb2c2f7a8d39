//! Sweeps: a grid of strategy parameters × input scenarios from a TOML file, run in parallel
//! (`std::thread::scope`, one deterministic engine per job), with results in job order
//! whatever the thread count; and shards (`i/n`), so that a job array can spread one sweep
//! over machines and [`crate::merge_results`] put it back together.
//!
//! # The sweep file
//!
//! ```toml
//! strategy = "noise"
//! venue = "binance-usdm"
//! journal = true            # keep each job's run journal (default true)
//!
//! [params]                  # fixed parameters of every job
//! qty = "0.01"
//!
//! [grid]                    # each key a list of values; the jobs are the cartesian product
//! every = [100, 1000]
//!
//! [config]                  # optional; settings that shape results (defaults shown)
//! latency_ms = 10
//! sample_interval_s = 60
//! deposit = "10000"
//! seed = 0
//! expand_bars = true
//!
//! [[scenario]]              # one or more; logs relative to the sweep file
//! name = "crash"
//! logs = ["btc-trades.clog", "btc-mark.clog"]
//! ```
//!
//! # Job order
//!
//! Jobs are numbered scenario by scenario (file order); within a scenario, over the grid with
//! keys in sorted order and the **last key varying fastest**. Job `j` belongs to shard
//! `j mod n`. Each job runs into `OUT/job-NNNNNN/`; the shard's results go to
//! `OUT/results.json` (unsharded) or `OUT/results-shard-I-of-N.json`.

use crate::error::RunError;
use crate::exec::{ExecConfig, Progress};
use crate::files::write_atomic;
use crate::run::{run, RunSpec};
use cascade_engine::RunConfig;
use cascade_engine::VenuePreset;
use cascade_strategy::{Params, Registry};
use cascade_types::Money;
use cascade_types::Ts;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepFile {
    strategy: String,
    venue: String,
    #[serde(default = "yes")]
    journal: bool,
    #[serde(default)]
    params: toml::Table,
    #[serde(default)]
    grid: toml::Table,
    #[serde(default)]
    config: ConfigFile,
    #[serde(default)]
    scenario: Vec<ScenarioFile>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    latency_ms: Option<i64>,
    sample_interval_s: Option<i64>,
    deposit: Option<String>,
    seed: Option<u64>,
    expand_bars: Option<bool>,
    /// `computed` or `zero` (see [`crate::FundingDefault`]).
    funding_default: Option<String>,
    /// `last` (see [`crate::MarkDefault`]).
    mark_default: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: String,
    logs: Vec<PathBuf>,
}

/// One input scenario of a sweep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// Its name (unique in the sweep).
    pub name: String,
    /// Its logs, resolved against the sweep file's directory.
    pub logs: Vec<PathBuf>,
}

/// A parsed sweep file.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// The sweep file's name (no directory), as results record it.
    pub file_name: String,
    /// xxh3-64 of the sweep file's bytes: shards of one sweep must agree on it.
    pub content_hash: String,
    /// Strategy registry name.
    pub strategy: String,
    /// Venue preset.
    pub venue: VenuePreset,
    /// Keep each job's journal.
    pub journal: bool,
    /// Fixed parameters.
    pub params: toml::Table,
    /// Grid keys (sorted) and their values.
    pub grid: Vec<(String, Vec<toml::Value>)>,
    /// Settings that shape results, for every job.
    pub config: RunConfig,
    /// The scenarios, in file order.
    pub scenarios: Vec<Scenario>,
}

/// One job of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepJob {
    /// Its number in the sweep's job order.
    pub index: u64,
    /// Index into [`Sweep::scenarios`].
    pub scenario: usize,
    /// The grid values of this job, by key (sorted).
    pub grid: Vec<(String, toml::Value)>,
}

/// `i/n`: this process runs the jobs `j` with `j mod n == i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which shard, `0..count`.
    pub index: u32,
    /// How many shards.
    pub count: u32,
}

impl Shard {
    /// The whole sweep as one shard.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parses `i/n` with `0 ≤ i < n`.
    pub fn parse(text: &str) -> Result<Shard, RunError> {
        let bad = || {
            RunError::config(format!(
                "--shard expects i/n with 0 <= i < n, like 0/4, found {text:?}"
            ))
        };
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// `--shard auto`: this process's shard from a job array's environment, read through
    /// `var` (the CLI passes `std::env::var`):
    ///
    /// - SLURM job arrays: the index is `SLURM_ARRAY_TASK_ID` less `SLURM_ARRAY_TASK_MIN`
    ///   (arrays may start at 1, `--array=1-8`), the count `SLURM_ARRAY_TASK_COUNT`
    ///   (`count`, when given, must agree with it);
    /// - Kubernetes Indexed Jobs: the index is `JOB_COMPLETION_INDEX`, the count `count`
    ///   (the Job's `completions`, which the pod's environment does not carry).
    ///
    /// An unset environment, a missing count, or an index outside `0..count` is an error
    /// naming the variables.
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
        count: Option<u32>,
    ) -> Result<Shard, RunError> {
        let num = |name: &str| -> Result<Option<u32>, RunError> {
            match var(name) {
                None => Ok(None),
                Some(v) => v.trim().parse().map(Some).map_err(|_| {
                    RunError::config(format!(
                        "--shard auto: {name}={v:?} is not a non-negative integer"
                    ))
                }),
            }
        };
        let (index, count, source) = if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
            let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let n = num("SLURM_ARRAY_TASK_COUNT")?.ok_or_else(|| {
                RunError::config(
                    "--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not"
                        .into(),
                )
            })?;
            if let Some(c) = count.filter(|c| *c != n) {
                return Err(RunError::config(format!(
                    "--shard auto: --shard-count {c} disagrees with SLURM_ARRAY_TASK_COUNT={n}"
                )));
            }
            let index = id.checked_sub(min).ok_or_else(|| {
                RunError::config(format!(
                    "--shard auto: SLURM_ARRAY_TASK_ID={id} is below SLURM_ARRAY_TASK_MIN={min}"
                ))
            })?;
            (index, n, "SLURM_ARRAY_TASK_ID")
        } else if let Some(index) = num("JOB_COMPLETION_INDEX")? {
            let n = count.ok_or_else(|| {
                RunError::config(
                    "--shard auto: JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job): \
                     give the Job's completions as --shard-count N"
                        .into(),
                )
            })?;
            (index, n, "JOB_COMPLETION_INDEX")
        } else {
            return Err(RunError::config(
                "--shard auto: neither SLURM_ARRAY_TASK_ID (a SLURM job array) nor \
                 JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set"
                    .into(),
            ));
        };
        if count == 0 || index >= count {
            return Err(RunError::config(format!(
                "--shard auto: index {index} (from {source}) is not below the shard count {count}"
            )));
        }
        Ok(Shard { index, count })
    }

    /// True when job `j` is this shard's.
    pub fn owns(&self, j: u64) -> bool {
        j % self.count as u64 == self.index as u64
    }

    /// The results file name of this shard.
    pub fn results_file(&self) -> String {
        if self.count == 1 {
            "results.json".to_string()
        } else {
            format!("results-shard-{}-of-{}.json", self.index, self.count)
        }
    }
}

/// What identifies a sweep in results: shards merge only when these agree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepId {
    /// The sweep file's name.
    pub file: String,
    /// Its content hash.
    pub content_hash: String,
    /// Jobs in the whole sweep.
    pub total_jobs: u64,
    /// Strategy.
    pub strategy: String,
    /// Venue preset.
    pub venue: String,
}

/// The outcome of one job (a finished run, or why it failed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobResult {
    /// Job number.
    pub index: u64,
    /// Scenario name.
    pub scenario: String,
    /// The job's grid values.
    pub grid: BTreeMap<String, serde_json::Value>,
    /// Its run directory, relative to the sweep's output directory.
    pub dir: String,
    /// Set when the job failed: the error.
    pub error: Option<String>,
    /// The run journal's final hash.
    pub final_hash: Option<String>,
    /// Journal records.
    pub records: Option<u64>,
    /// Market events handled.
    pub market_events: Option<u64>,
    /// Final equity of the strategy's account.
    pub final_equity: Option<String>,
    /// Final equity minus the deposit.
    pub pnl: Option<String>,
    /// The strategy's fills.
    pub fills: Option<u64>,
    /// The strategy's liquidation steps.
    pub liquidations: Option<u64>,
    /// ADL events that hit the strategy.
    pub adl: Option<u64>,
}

/// The results of a sweep, or of some of its shards, in job order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepResults {
    /// Which sweep.
    pub sweep: SweepId,
    /// How many shards the sweep was cut into.
    pub shard_count: u32,
    /// Which shards these results cover, ascending.
    pub shards: Vec<u32>,
    /// The jobs, ascending by index.
    pub jobs: Vec<JobResult>,
}

impl SweepResults {
    /// Number of failed jobs.
    pub fn failures(&self) -> usize {
        self.jobs.iter().filter(|j| j.error.is_some()).count()
    }

    /// Serialises as pretty JSON (the bytes depend only on the results).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("results always serialise");
        s.push('\n');
        s
    }

    /// Reads a results file.
    pub fn read(path: &Path) -> Result<SweepResults, RunError> {
        let text = std::fs::read_to_string(path).map_err(|source| RunError::Io {
            path: path.to_path_buf(),
            doing: "reading a results file",
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| {
            RunError::Shards(format!("{}: not a sweep results file: {e}", path.display()))
        })
    }
}

impl Sweep {
    /// Reads and checks a sweep file.
    pub fn from_file(path: &Path) -> Result<Sweep, RunError> {
        let bytes = std::fs::read(path).map_err(|source| RunError::Io {
            path: path.to_path_buf(),
            doing: "reading the sweep file",
            source,
        })?;
        let text = String::from_utf8(bytes.clone()).map_err(|_| RunError::BadSweep {
            path: path.to_path_buf(),
            detail: "not UTF-8 text".into(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Sweep::from_str(&text, path, base, xxhash_rust::xxh3::xxh3_64(&bytes))
    }

    fn from_str(text: &str, path: &Path, base: &Path, hash: u64) -> Result<Sweep, RunError> {
        let bad = |detail: String| RunError::BadSweep {
            path: path.to_path_buf(),
            detail,
        };
        let f: SweepFile =
            toml::from_str(text).map_err(|e| bad(e.to_string().trim_end().to_string()))?;
        if f.scenario.is_empty() {
            return Err(bad(
                "no [[scenario]]: a sweep needs at least one scenario with logs".into(),
            ));
        }
        let mut names = std::collections::BTreeSet::new();
        let mut scenarios = Vec::new();
        for s in f.scenario {
            if s.logs.is_empty() {
                return Err(bad(format!("scenario {:?} has no logs", s.name)));
            }
            if !names.insert(s.name.clone()) {
                return Err(bad(format!("scenario name {:?} is used twice", s.name)));
            }
            scenarios.push(Scenario {
                name: s.name,
                logs: s.logs.iter().map(|l| base.join(l)).collect(),
            });
        }
        let mut grid = Vec::new();
        for (k, v) in f.grid {
            match v {
                toml::Value::Array(values) if !values.is_empty() => grid.push((k, values)),
                _ => return Err(bad(format!("grid.{k} must be a non-empty array of values"))),
            }
        }
        // toml::Table iterates in key order; keep it explicit.
        grid.sort_by(|a, b| a.0.cmp(&b.0));
        let mut config = RunConfig::default();
        let c = f.config;
        if let Some(ms) = c.latency_ms {
            config.latency_ns = ms
                .checked_mul(1_000_000)
                .ok_or_else(|| bad("config.latency_ms is too large".into()))?;
        }
        if let Some(s) = c.sample_interval_s {
            config.sample_interval_ns = s
                .checked_mul(Ts::NANOS_PER_SEC)
                .ok_or_else(|| bad("config.sample_interval_s is too large".into()))?;
        }
        if let Some(d) = c.deposit {
            config.deposit = d.parse().map_err(|e| bad(format!("config.deposit: {e}")))?;
        }
        if let Some(seed) = c.seed {
            config.seed = seed;
        }
        if let Some(x) = c.expand_bars {
            config.expand_bars = x;
        }
        if let Some(d) = c.funding_default {
            config.funding_default = Some(
                d.parse()
                    .map_err(|e| bad(format!("config.funding_default: {e}")))?,
            );
        }
        if let Some(d) = c.mark_default {
            config.mark_default = Some(
                d.parse()
                    .map_err(|e| bad(format!("config.mark_default: {e}")))?,
            );
        }
        config.validate().map_err(|e| bad(e.to_string()))?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Sweep {
            file_name,
            content_hash: format!("{hash:016x}"),
            strategy: f.strategy,
            venue: f.venue.parse().map_err(|e| bad(format!("venue: {e}")))?,
            journal: f.journal,
            params: f.params,
            grid,
            config,
            scenarios,
        })
    }

    /// Grid points per scenario.
    pub fn grid_size(&self) -> u64 {
        self.grid.iter().map(|(_, v)| v.len() as u64).product()
    }

    /// Jobs in the whole sweep.
    pub fn total_jobs(&self) -> u64 {
        self.grid_size() * self.scenarios.len() as u64
    }

    /// The sweep's identity in results.
    pub fn id(&self) -> SweepId {
        SweepId {
            file: self.file_name.clone(),
            content_hash: self.content_hash.clone(),
            total_jobs: self.total_jobs(),
            strategy: self.strategy.clone(),
            venue: self.venue.to_string(),
        }
    }

    /// Job `index` (see the module docs for the order).
    pub fn job(&self, index: u64) -> SweepJob {
        assert!(index < self.total_jobs(), "job {index} out of range");
        let per = self.grid_size();
        let scenario = (index / per) as usize;
        let mut rest = index % per;
        let mut grid = vec![(String::new(), toml::Value::Boolean(false)); self.grid.len()];
        for (slot, (k, values)) in grid.iter_mut().zip(&self.grid).rev() {
            let n = values.len() as u64;
            *slot = (k.clone(), values[(rest % n) as usize].clone());
            rest /= n;
        }
        SweepJob {
            index,
            scenario,
            grid,
        }
    }

    /// A job's parameters: the fixed ones, overridden by its grid values.
    pub fn params(&self, job: &SweepJob) -> Result<Params, RunError> {
        let mut table = self.params.clone();
        for (k, v) in &job.grid {
            table.insert(k.clone(), v.clone());
        }
        Params::from_toml_str(&table.to_string(), &self.file_name)
            .map_err(|e| RunError::strategy(e.to_string()))
    }
}

fn job_dir(index: u64) -> String {
    format!("job-{index:06}")
}

fn toml_to_json(v: &toml::Value) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// Runs the jobs of `shard` on `threads` threads into `out_dir`, and writes the shard's
/// results file there. Every job's parameters are checked (the strategy is built) before any
/// job runs, so a bad parameter fails the sweep at once. A job that fails at run time is
/// recorded with its error and the others go on; see [`SweepResults::failures`].
pub fn sweep(
    sweep: &Sweep,
    shard: Shard,
    threads: usize,
    out_dir: &Path,
    registry: &Registry,
    exec: &ExecConfig,
    progress: Option<Arc<Progress>>,
) -> Result<SweepResults, RunError> {
    if threads == 0 {
        return Err(RunError::config("--threads must be at least 1".into()));
    }
    let jobs: Vec<SweepJob> = (0..sweep.total_jobs())
        .filter(|j| shard.owns(*j))
        .map(|j| sweep.job(j))
        .collect();
    let mut params = Vec::with_capacity(jobs.len());
    for job in &jobs {
        let p = sweep.params(job)?;
        registry
            .create(&sweep.strategy, &p)
            .map_err(|e| RunError::strategy(format!("job {}: {e}", job.index)))?;
        params.push(p);
    }
    std::fs::create_dir_all(out_dir).map_err(|source| RunError::Io {
        path: out_dir.to_path_buf(),
        doing: "creating the sweep directory",
        source,
    })?;
    if let Some(p) = &progress {
        p.set_total(jobs.len() as u64);
    }
    let mut job_exec = exec.clone();
    job_exec.progress = None;
    job_exec.write_journal = exec.write_journal && sweep.journal;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<JobResult>> = Mutex::new(Vec::with_capacity(jobs.len()));
    std::thread::scope(|s| {
        for _ in 0..threads.min(jobs.len().max(1)) {
            s.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(k) else { break };
                let r = run_job(sweep, job, params[k].clone(), out_dir, registry, &job_exec);
                results.lock().unwrap_or_else(|e| e.into_inner()).push(r);
                if let Some(p) = &progress {
                    p.add(1);
                }
            });
        }
    });
    let mut jobs_done = results.into_inner().unwrap_or_else(|e| e.into_inner());
    jobs_done.sort_by_key(|j| j.index);
    let results = SweepResults {
        sweep: sweep.id(),
        shard_count: shard.count,
        shards: vec![shard.index],
        jobs: jobs_done,
    };
    write_atomic(out_dir, &shard.results_file(), results.to_json().as_bytes())?;
    Ok(results)
}

fn run_job(
    sweep: &Sweep,
    job: &SweepJob,
    params: Params,
    out_dir: &Path,
    registry: &Registry,
    exec: &ExecConfig,
) -> JobResult {
    let scenario = &sweep.scenarios[job.scenario];
    let dir = job_dir(job.index);
    let mut r = JobResult {
        index: job.index,
        scenario: scenario.name.clone(),
        grid: job
            .grid
            .iter()
            .map(|(k, v)| (k.clone(), toml_to_json(v)))
            .collect(),
        dir: dir.clone(),
        error: None,
        final_hash: None,
        records: None,
        market_events: None,
        final_equity: None,
        pnl: None,
        fills: None,
        liquidations: None,
        adl: None,
    };
    let spec = RunSpec {
        inputs: scenario.logs.clone(),
        strategy: sweep.strategy.clone(),
        params,
        venue: sweep.venue,
        config: sweep.config.clone(),
        scenario: Some(scenario.name.clone()),
        crash_window: None,
    };
    match run(&spec, registry, Some(&out_dir.join(&dir)), exec) {
        Ok(o) => {
            let equity = o
                .manifest
                .final_state
                .accounts
                .first()
                .map(|a| a.equity)
                .unwrap_or(Money::ZERO);
            r.final_hash = Some(o.manifest.journal.final_hash.clone());
            r.records = Some(o.manifest.journal.records);
            r.market_events = Some(o.manifest.final_state.market_events);
            r.final_equity = Some(equity.to_string());
            r.pnl = Some((equity - sweep.config.deposit).to_string());
            r.fills = Some(o.data.fills() as u64);
            r.liquidations = Some(o.data.liquidations() as u64);
            r.adl = Some(o.data.adl() as u64);
        }
        Err(e) => r.error = Some(e.to_string()),
    }
    r
}
