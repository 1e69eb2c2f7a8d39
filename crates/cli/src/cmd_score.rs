//! `backtest score` (and `backtest` with no arguments): the scoring suite over the scenario
//! catalogue. Argument parsing, a progress bar and printing only; the work is in
//! `cascade-suite`.

use crate::cmd_run::progress;
use anyhow::{bail, Result};
use cascade_run::Progress;
use cascade_suite::{data_dir_from_env, run_suite, write_outputs, Suite, SuiteOptions};
use std::path::{Path, PathBuf};

/// Arguments of `backtest score`.
#[derive(clap::Args, Clone, Debug)]
#[command(next_help_heading = "Score options (also without a command)")]
pub struct Args {
    /// The suite file: labelled strategy entries with their parameters, and shared settings.
    #[arg(long, value_name = "FILE", default_value = "fixtures/suite.toml")]
    params: PathBuf,
    /// The scenario files.
    #[arg(long, value_name = "DIR", default_value = "fixtures/scenarios")]
    scenario_dir: PathBuf,
    /// Only these entries (labels or strategy names, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    strategies: Vec<String>,
    /// Only these scenarios (ids or id prefixes such as 2025-10-10, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "X,Y")]
    scenarios: Vec<String>,
    /// Real-data directory: the layout of ../shared/data (scenarios with real_data entries
    /// also run on the real files) or a `backtest fetch` cache. Default: $CASCADE_DATA_DIR
    /// when set, else the fetch cache (`$XDG_CACHE_HOME/cascade` or `~/.cache/cascade`) when
    /// it holds fetched files, else reconstructions only.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Runs at once (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Where to write score.txt, score.json, score.html and the per-run pages.
    #[arg(long, value_name = "DIR", default_value = "target/score")]
    out: PathBuf,
}

/// A bundled path as given when it exists from here, else under the workspace this binary
/// was built from (so `backtest` works from any directory of the checkout).
pub(crate) fn bundled(p: &Path) -> PathBuf {
    if p.is_absolute() || p.exists() {
        return p.to_path_buf();
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let there = root.join(p);
    if there.exists() {
        there
    } else {
        p.to_path_buf()
    }
}

/// Runs the suite.
pub fn run(a: Args) -> Result<()> {
    #[allow(clippy::disallowed_methods)] // wall-clock: the elapsed time printed to stderr
    let started = std::time::Instant::now();
    let mut suite = Suite::from_file(&bundled(&a.params))?;
    if !a.strategies.is_empty() {
        suite.select(&a.strategies)?;
    }
    let threads = a
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let progress = Progress::new();
    let options = SuiteOptions {
        scenarios_dir: bundled(&a.scenario_dir),
        scenarios: a.scenarios.clone(),
        data_dir: a.data.clone().or_else(data_dir_from_env).or_else(|| {
            // `backtest fetch`'s default cache, when something was fetched into it.
            let cache = cascade_fetch::cache::cache_dir(None, |k| std::env::var_os(k))
                .filter(|d| d.join("data").is_dir())?;
            eprintln!("real data: the fetch cache {}", cache.display());
            Some(cache)
        }),
        threads,
        progress: Some(progress.clone()),
    };
    if let Some(d) = &options.data_dir {
        if !d.is_dir() {
            bail!("--data {}: not a directory", d.display());
        }
    }
    let bar = progress::Bar::start(&progress, "runs");
    let outcome = run_suite(&suite, &options, &crate::cmd_run::registry());
    drop(bar);
    let outcome = outcome?;
    print!("{}", cascade_suite::render_text(&outcome));
    let written = write_outputs(&outcome, &a.out)?;
    println!(
        "\nwrote {}, {}, {} and {} run pages under {}",
        written.text.display(),
        written.json.display(),
        written.html.display(),
        written.run_pages,
        a.out.join("runs").display()
    );
    eprintln!(
        "{} runs on {threads} thread(s) in {:.1} s",
        outcome.cards.len()
            + outcome
                .failures
                .iter()
                .filter(|f| f.entry.is_some())
                .count(),
        started.elapsed().as_secs_f64()
    );
    if !outcome.is_success() {
        bail!(
            "{} failure(s): {}",
            outcome.failures.len(),
            outcome
                .failures
                .iter()
                .map(|f| match &f.entry {
                    Some(e) => format!("{e} on {}", f.scenario),
                    None => f.scenario.clone(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}
