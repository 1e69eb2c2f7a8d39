//! `backtest inspect`: describe an event log.

use anyhow::Result;
use std::path::PathBuf;

/// Arguments of `backtest inspect`.
#[derive(clap::Args)]
pub struct Args {
    /// The event log.
    pub log: PathBuf,
}

/// Runs `backtest inspect`: streams (and so verifies) the whole log and prints its summary.
pub fn run(a: Args) -> Result<()> {
    let summary = cascade_journal::summarize(&a.log)?;
    print!("{summary}");
    Ok(())
}
