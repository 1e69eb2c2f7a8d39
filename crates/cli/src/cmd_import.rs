//! `backtest import`: files → one event log.

use anyhow::{bail, Result};

/// Arguments of `backtest import`.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(_a: Args) -> Result<()> {
    bail!("`backtest import` is not built yet")
}
