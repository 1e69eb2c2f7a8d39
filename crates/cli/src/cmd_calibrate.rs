//! `backtest calibrate`: fit the crowd's leverage distribution to the recorded liquidations
//! of event logs. Argument parsing and printing only; the work is
//! [`cascade_run::calibrate_logs`].

use crate::cmd_run::CrowdArgs;
use anyhow::{Context, Result};
use cascade_crowd::CalibrationGrid;
use cascade_run::{calibrate_logs, CalibrateSpec, CrowdSetup, FundSetting, VenuePreset};
use cascade_types::Ts;
use std::path::PathBuf;

/// Arguments of `backtest calibrate`.
#[derive(clap::Args)]
pub struct Args {
    /// Venue preset: binance-usdm, binance-usdm@YYYY-MM-DD, bybit, hyperliquid-2025,
    /// bitmex-2020.
    #[arg(long)]
    venue: VenuePreset,
    /// Start of the fitted window (UTC, e.g. 2024-08-05T00:00:00Z or 2024-08-05).
    #[arg(long, value_name = "TS")]
    from: String,
    /// End of the fitted window, exclusive (UTC).
    #[arg(long, value_name = "TS")]
    to: String,
    /// What the insurance funds start with: `venue` (the preset's dated, sourced figure per
    /// fund) or an amount in every fund (an assumption, said so in the notes).
    #[arg(long, default_value = "venue")]
    insurance_fund: FundSetting,
    #[command(flatten)]
    crowd: CrowdArgs,
    /// Input event logs (with recorded liquidations); on equal timestamps the one listed
    /// first wins.
    #[arg(required = true, value_name = "LOG")]
    logs: Vec<PathBuf>,
}

fn ts(text: &str, what: &str) -> Result<Ts> {
    Ts::parse_utc(text)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("--{what} {text:?}"))
}

pub fn run(a: Args) -> Result<()> {
    let crowd = a.crowd.setup()?.unwrap_or(CrowdSetup {
        config: Default::default(),
        book: None,
        first_perp: false,
    });
    let spec = CalibrateSpec {
        inputs: a.logs,
        venue: a.venue,
        window: (ts(&a.from, "from")?, ts(&a.to, "to")?),
        crowd,
        insurance_fund: a.insurance_fund,
    };
    let fit = calibrate_logs(&spec, &CalibrationGrid::default())?;
    print!("{}", fit.render());
    Ok(())
}
