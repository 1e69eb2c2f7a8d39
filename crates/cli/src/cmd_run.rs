//! `backtest run`, `sweep`, `merge` and `replay`: the engine's commands. Argument parsing,
//! progress bars and printing only; the work is in `cascade-run`.

#[path = "run/progress.rs"]
pub(crate) mod progress;

use anyhow::{bail, Context, Result};
use cascade_run::{
    merge_results, CrowdSetup, ExecConfig, FundSetting, PipelineConfig, Progress, RunConfig,
    RunSpec, Shard, Sweep, VenuePreset,
};
use cascade_strategy::{Params, Registry};
use cascade_types::{Money, Ts};
use std::path::PathBuf;

/// How the pipeline is cut up: never changes results.
#[derive(clap::Args, Clone, Copy)]
pub struct PipelineArgs {
    /// Events per batch between the pipeline threads.
    #[arg(long, default_value_t = 4096)]
    batch: usize,
    /// Batches in flight per channel.
    #[arg(long, default_value_t = 8)]
    channel_capacity: usize,
}

impl PipelineArgs {
    fn exec(&self) -> ExecConfig {
        ExecConfig {
            pipeline: PipelineConfig {
                batch_events: self.batch,
                channel_capacity: self.channel_capacity,
            },
            ..ExecConfig::default()
        }
    }
}

/// Arguments of `backtest run`.
#[derive(clap::Args)]
pub struct RunArgs {
    /// Strategy name (from the registry: noop, noise, …).
    #[arg(long)]
    strategy: String,
    /// Strategy parameters from a .toml or .json file.
    #[arg(long)]
    params: Option<PathBuf>,
    /// A parameter override `k=v` (repeatable; wins over --params).
    #[arg(long = "param", value_name = "K=V")]
    param: Vec<String>,
    /// Venue preset: binance-usdm, binance-usdm@YYYY-MM-DD, bybit, hyperliquid-2025,
    /// bitmex-2020.
    #[arg(long)]
    venue: VenuePreset,
    /// Output directory of the run (journal, reports, manifest).
    #[arg(long)]
    out: PathBuf,
    /// Order-entry latency in milliseconds.
    #[arg(long, default_value_t = 10)]
    latency_ms: i64,
    /// Equity-curve and market-series sampling interval in seconds.
    #[arg(long, default_value_t = 60)]
    sample_interval_s: i64,
    /// The strategy account's starting futures balance.
    #[arg(long, default_value = "10000")]
    deposit: String,
    /// What the insurance funds start with: `venue` (the preset's dated, sourced figure per
    /// fund) or an amount in every fund (an assumption, said so in the run's notes).
    #[arg(long, default_value = "venue")]
    insurance_fund: FundSetting,
    /// The run's seed (recorded in the manifest).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Do not expand bars into intra-bar ticks (the exchange then expands them at the bar's
    /// close stamp itself).
    #[arg(long)]
    no_bar_expansion: bool,
    /// Which extreme an expanded bar's path meets first: `declared` (the one nearer the open)
    /// or `adverse` (the one worst for the strategy's position).
    #[arg(long, default_value = "declared")]
    bar_order: cascade_run::bars::ExtremeOrder,
    /// Do not keep the run journal (the run then cannot be replayed).
    #[arg(long)]
    no_journal: bool,
    /// Check the exchange's invariants after every event (slow).
    #[arg(long)]
    check_invariants: bool,
    /// The run's window opens here (UTC, `2025-10-01` or `2025-10-01T08:00:00Z`): earlier
    /// events are not applied.
    #[arg(long, value_name = "TIME")]
    from: Option<String>,
    /// The run's window closes here (inclusive): later events are not applied.
    #[arg(long, value_name = "TIME")]
    to: Option<String>,
    /// A stand-in for a perpetual without recorded funding in the window: `computed` (the
    /// venue's formula on the data there is) or `zero`. Without it such a run is refused.
    #[arg(long, value_name = "computed|zero")]
    funding_default: Option<String>,
    /// A stand-in for a perpetual without a recorded mark or index in the window: `last`
    /// (mark = last traded price). Without it such a run is refused.
    #[arg(long, value_name = "last")]
    mark_default: Option<String>,
    #[command(flatten)]
    crowd: CrowdArgs,
    #[command(flatten)]
    pipeline: PipelineArgs,
    /// Input event logs; on equal timestamps the one listed first wins.
    #[arg(required = true, value_name = "LOG")]
    logs: Vec<PathBuf>,
}

/// The crowd of a run (off unless one of these is given).
#[derive(clap::Args, Clone)]
pub struct CrowdArgs {
    /// Run the crowd with this config (a CrowdConfig as TOML: mode, seed, instrument,
    /// leverage, …).
    #[arg(long, value_name = "FILE.toml")]
    crowd: Option<PathBuf>,
    /// Seed the crowd with a starting book of OI (base quantity, or $NOTIONAL) around PRICE,
    /// for a log without open interest (default config without --crowd).
    #[arg(long, value_name = "OI@PRICE")]
    crowd_book: Option<String>,
}

impl CrowdArgs {
    pub(crate) fn setup(&self) -> Result<Option<CrowdSetup>> {
        Ok(cascade_run::crowd_from_args(
            self.crowd.as_deref(),
            self.crowd_book.as_deref(),
        )?)
    }
}

/// Arguments of `backtest sweep`.
#[derive(clap::Args)]
pub struct SweepArgs {
    /// The sweep file (TOML: strategy, venue, `[params]`, `[grid]`, `[config]`, `[[scenario]]`).
    sweep: PathBuf,
    /// Output directory: one run directory per job and the shard's results file.
    #[arg(long)]
    out: PathBuf,
    /// Run only shard i of n (jobs j with j mod n == i), e.g. `--shard 2/8` in a job array;
    /// `--shard auto` reads i and n from a SLURM job array (SLURM_ARRAY_TASK_ID less
    /// SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job
    /// (JOB_COMPLETION_INDEX, with n from --shard-count).
    #[arg(long, value_name = "I/N|auto")]
    shard: Option<String>,
    /// With `--shard auto`: the number of shards (a Kubernetes Indexed Job's completions;
    /// under SLURM it must agree with SLURM_ARRAY_TASK_COUNT).
    #[arg(long, value_name = "N")]
    shard_count: Option<u32>,
    /// Jobs run at once (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    #[command(flatten)]
    pipeline: PipelineArgs,
}

/// Arguments of `backtest merge`.
#[derive(clap::Args)]
pub struct MergeArgs {
    /// The shards' results files (one per shard).
    #[arg(required = true, value_name = "RESULTS")]
    files: Vec<PathBuf>,
    /// Where to write the merged results.
    #[arg(long)]
    out: PathBuf,
}

/// Arguments of `backtest replay`.
#[derive(clap::Args)]
pub struct ReplayArgs {
    /// Re-run the run in RUN_DIR from the input logs its journal names (refused if a log's
    /// content hash differs) and check the same records, final state and hash.
    #[arg(long, value_name = "RUN_DIR")]
    verify: PathBuf,
    #[command(flatten)]
    pipeline: PipelineArgs,
}

/// The strategies the commands know by name: the built-ins and every strategy crate of the
/// workspace.
pub(crate) fn registry() -> Registry {
    cascade_strategies::registry()
}

fn money(text: &str, what: &str) -> Result<Money> {
    text.parse().with_context(|| format!("--{what}"))
}

fn time(text: &str, what: &str) -> Result<cascade_types::Ts> {
    cascade_types::Ts::parse_utc(text).map_err(|e| {
        anyhow::anyhow!(
            "--{what} {text:?}: expected a UTC time like 2025-10-01 or 2025-10-01T08:00:00Z ({e})"
        )
    })
}

pub fn run(a: RunArgs) -> Result<()> {
    let mut params = match &a.params {
        Some(p) => Params::from_file(p)?,
        None => Params::new(),
    };
    for kv in &a.param {
        params.apply_override(kv)?;
    }
    let config = RunConfig {
        latency_ns: a
            .latency_ms
            .checked_mul(1_000_000)
            .context("--latency-ms is too large")?,
        sample_interval_ns: a
            .sample_interval_s
            .checked_mul(Ts::NANOS_PER_SEC)
            .context("--sample-interval-s is too large")?,
        deposit: money(&a.deposit, "deposit")?,
        insurance_fund: a.insurance_fund,
        seed: a.seed,
        expand_bars: !a.no_bar_expansion,
        bar_path: cascade_run::bars::BarPathConfig {
            order: a.bar_order,
            ..Default::default()
        },
        crowd: a.crowd.setup()?,
        from: a.from.as_deref().map(|t| time(t, "from")).transpose()?,
        to: a.to.as_deref().map(|t| time(t, "to")).transpose()?,
        funding_default: a.funding_default.as_deref().map(str::parse).transpose()?,
        mark_default: a.mark_default.as_deref().map(str::parse).transpose()?,
        ..RunConfig::default()
    };
    let mut spec = RunSpec::new(a.logs, &a.strategy, params, a.venue);
    spec.config = config;
    let progress = Progress::new();
    let mut exec = a.pipeline.exec();
    exec.write_journal = !a.no_journal;
    exec.check_invariants = a.check_invariants;
    exec.progress = Some(progress.clone());
    let bar = progress::Bar::start(&progress, "events");
    let outcome = cascade_run::run(&spec, &registry(), Some(&a.out), &exec);
    drop(bar);
    let outcome = outcome?;
    print!("{}", outcome.report_text);
    println!("run directory {}", a.out.display());
    println!(
        "journal hash  {} ({} records)",
        outcome.manifest.journal.final_hash, outcome.manifest.journal.records
    );
    if outcome.crowd_text.is_some() {
        println!("crowd report  {}", a.out.join("crowd.txt").display());
    }
    eprint!("{}", outcome.latency_text);
    Ok(())
}

pub fn sweep(a: SweepArgs) -> Result<()> {
    let sweep = Sweep::from_file(&a.sweep)?;
    let shard = match a.shard.as_deref() {
        Some("auto") => Shard::from_env(|k| std::env::var(k).ok(), a.shard_count)?,
        Some(s) => {
            if a.shard_count.is_some() {
                bail!("--shard-count goes with --shard auto only");
            }
            Shard::parse(s)?
        }
        None => Shard::ALL,
    };
    let threads = a
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let progress = Progress::new();
    let bar = progress::Bar::start(&progress, "jobs");
    let results = cascade_run::sweep(
        &sweep,
        shard,
        threads,
        &a.out,
        &registry(),
        &a.pipeline.exec(),
        Some(progress.clone()),
    );
    drop(bar);
    let results = results?;
    println!(
        "sweep {} shard {}/{}: {} of {} jobs, {} failed",
        sweep.file_name,
        shard.index,
        shard.count,
        results.jobs.len(),
        sweep.total_jobs(),
        results.failures()
    );
    for j in &results.jobs {
        match &j.error {
            None => println!(
                "  job {:>4} {:<16} {} pnl {} fills {} hash {}",
                j.index,
                j.scenario,
                serde_grid(&j.grid),
                j.pnl.as_deref().unwrap_or("-"),
                j.fills.unwrap_or(0),
                j.final_hash.as_deref().unwrap_or("-")
            ),
            Some(e) => println!(
                "  job {:>4} {:<16} {} FAILED: {e}",
                j.index,
                j.scenario,
                serde_grid(&j.grid)
            ),
        }
    }
    println!("results {}", a.out.join(shard.results_file()).display());
    if results.failures() > 0 {
        bail!(
            "{} of {} jobs failed",
            results.failures(),
            results.jobs.len()
        );
    }
    Ok(())
}

fn serde_grid(grid: &std::collections::BTreeMap<String, serde_json::Value>) -> String {
    grid.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn merge(a: MergeArgs) -> Result<()> {
    let merged = merge_results(&a.files)?;
    let text = merged.to_json();
    // Atomically, like every result file: an interrupted merge leaves no half-written file.
    let dir = match a.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = a
        .out
        .file_name()
        .context("--out must name a file")?
        .to_string_lossy()
        .into_owned();
    cascade_run::files::write_atomic(&dir, &name, text.as_bytes())?;
    println!(
        "merged {} shards of {}: {} jobs, {} failed -> {}",
        merged.shard_count,
        merged.sweep.file,
        merged.jobs.len(),
        merged.failures(),
        a.out.display()
    );
    Ok(())
}

pub fn replay(a: ReplayArgs) -> Result<()> {
    let progress = Progress::new();
    let mut exec = a.pipeline.exec();
    exec.progress = Some(progress.clone());
    let bar = progress::Bar::start(&progress, "events");
    let verified = cascade_run::verify(&a.verify, &registry(), &exec);
    drop(bar);
    let v = verified?;
    let inputs = if v.inputs_checked {
        "re-run from the input logs the journal names, each checked against its content hash"
    } else {
        "re-run from the market records the journal stores (its inputs were held in memory)"
    };
    println!(
        "verified {}: {} records, final hash {:016x}; {inputs}",
        a.verify.display(),
        v.records,
        v.final_hash
    );
    Ok(())
}
