//! The `backtest` command-line tool: a thin layer of argument parsing, progress bars and
//! error printing over the cascade libraries. Nothing here is logic a library user would need.
//!
//! Without a command it runs the scoring suite (`backtest score`, with the same options) on
//! the bundled scenarios.

mod cmd_calibrate;
mod cmd_fetch;
mod cmd_import;
mod cmd_inspect;
mod cmd_run;
mod cmd_score;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Event-sourced backtesting for leveraged crypto markets. With no command, scores every
/// strategy of fixtures/suite.toml against every scenario of fixtures/scenarios (as `score`).
#[derive(Parser)]
#[command(
    name = "backtest",
    version,
    about,
    long_about = None,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    /// Without a command: the options of `score`.
    #[command(flatten)]
    score: cmd_score::Args,
}

#[derive(Subcommand)]
enum Cmd {
    /// Import market-data files (Binance, Tardis, captures; gzip/zip) into one event log.
    Import(cmd_import::Args),
    /// Describe an event log: instruments, counts per kind, time span, first/last events, hash.
    Inspect(cmd_inspect::Args),
    /// Run one strategy over one or more event logs.
    Run(cmd_run::RunArgs),
    /// Run a grid of parameters × inputs in parallel (optionally one shard of it).
    Sweep(cmd_run::SweepArgs),
    /// Combine the results of sweep shards into one, in the deterministic order.
    Merge(cmd_run::MergeArgs),
    /// Re-run a run from its journal and input logs and confirm the same final state and hash.
    Replay(cmd_run::ReplayArgs),
    /// Fit the crowd's leverage distribution to the logs' recorded liquidations over a window.
    Calibrate(cmd_calibrate::Args),
    /// Fetch Binance public-data archive files (checksummed, cached, resumable) by selection or scenario.
    Fetch(cmd_fetch::Args),
    /// Score every strategy × every scenario: a table, JSON and one HTML page (the default).
    Score(cmd_score::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Cmd::Import(a)) => cmd_import::run(a),
        Some(Cmd::Inspect(a)) => cmd_inspect::run(a),
        Some(Cmd::Run(a)) => cmd_run::run(a),
        Some(Cmd::Sweep(a)) => cmd_run::sweep(a),
        Some(Cmd::Merge(a)) => cmd_run::merge(a),
        Some(Cmd::Replay(a)) => cmd_run::replay(a),
        Some(Cmd::Calibrate(a)) => cmd_calibrate::run(a),
        Some(Cmd::Fetch(a)) => cmd_fetch::run(a),
        Some(Cmd::Score(a)) => cmd_score::run(a),
        None => cmd_score::run(cli.score),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", render_error(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, skipping a cause whose text the message already
/// carries (library errors often include their source in their own message).
fn render_error(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}
