//! `backtest inspect`: describe an event log.

use anyhow::{bail, Result};

/// Arguments of `backtest inspect`.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(_a: Args) -> Result<()> {
    bail!("`backtest inspect` is not built yet")
}
