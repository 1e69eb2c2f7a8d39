//! `backtest run`, `sweep`, `merge` and `replay`: the engine's commands.

use anyhow::{bail, Result};

/// Arguments of `backtest run`.
#[derive(clap::Args)]
pub struct RunArgs {}
/// Arguments of `backtest sweep`.
#[derive(clap::Args)]
pub struct SweepArgs {}
/// Arguments of `backtest merge`.
#[derive(clap::Args)]
pub struct MergeArgs {}
/// Arguments of `backtest replay`.
#[derive(clap::Args)]
pub struct ReplayArgs {}

pub fn run(_a: RunArgs) -> Result<()> {
    bail!("`backtest run` is not built yet")
}
pub fn sweep(_a: SweepArgs) -> Result<()> {
    bail!("`backtest sweep` is not built yet")
}
pub fn merge(_a: MergeArgs) -> Result<()> {
    bail!("`backtest merge` is not built yet")
}
pub fn replay(_a: ReplayArgs) -> Result<()> {
    bail!("`backtest replay` is not built yet")
}
