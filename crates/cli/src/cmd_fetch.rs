//! `backtest fetch`: Binance public-data archive files into the local cache, each verified
//! against its checksum (see `cascade_fetch::download` for the protocol).

use anyhow::{bail, Result};
use cascade_fetch::{
    cache, scenario_files, scenarios_named, ArchiveFile, DataType, Day, Fetcher, Market, Outcome,
    Selection,
};
use indicatif::{HumanBytes, ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// Arguments of `backtest fetch`.
#[derive(clap::Args)]
pub struct Args {
    /// Fetch what a scenario needs (an id or id prefix such as 2025-10-10, or `all`).
    #[arg(long, conflicts_with_all = ["symbol", "types", "from", "to"])]
    pub scenario: Option<String>,
    /// With --scenario: also the aggregated trades (large).
    #[arg(long)]
    pub with_trades: bool,
    /// Scenario directory.
    #[arg(long, value_name = "DIR", default_value = "fixtures/scenarios")]
    pub scenario_dir: PathBuf,
    /// Symbols (comma-separated), e.g. BTCUSDT.
    #[arg(long, value_delimiter = ',')]
    pub symbol: Vec<String>,
    /// Data types (comma-separated): klines, markPriceKlines, indexPriceKlines,
    /// premiumIndexKlines, metrics, bookDepth, bookTicker, aggTrades, trades, fundingRate,
    /// liquidationSnapshot.
    #[arg(long = "type", value_delimiter = ',', default_value = "klines")]
    pub types: Vec<String>,
    /// Interval of the kline types.
    #[arg(long, default_value = "1m")]
    pub interval: String,
    /// First day, YYYY-MM-DD.
    #[arg(long)]
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (inclusive; default: --from).
    #[arg(long)]
    pub to: Option<String>,
    /// Market: um, cm or spot.
    #[arg(long, default_value = "um")]
    pub market: String,
    /// Cache directory (default: $CASCADE_DATA_DIR, else $XDG_CACHE_HOME/cascade, else
    /// ~/.cache/cascade). Files go under `<cache>/data/…` in the archive's own layout.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Host to fetch from (default: $CASCADE_MIRROR, else `https://data.binance.vision`).
    #[arg(long, value_name = "URL")]
    pub mirror: Option<String>,
    /// Download threads.
    #[arg(long, default_value_t = 4)]
    pub threads: usize,
    /// List the URLs and where they would go; download nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// The files to fetch, in groups: one per scenario (a heading line and its files), or one
/// unnamed group for an explicit selection.
fn groups(a: &Args) -> Result<Vec<(Option<String>, Vec<ArchiveFile>)>> {
    if let Some(id) = &a.scenario {
        let dir = crate::cmd_score::bundled(&a.scenario_dir);
        let catalogue = cascade_scenario::load_dir(&dir)?;
        return Ok(scenarios_named(&catalogue, id)?
            .into_iter()
            .map(|s| {
                let list = scenario_files(s, a.with_trades);
                let heading = match &list.unavailable {
                    Some(why) => format!(
                        "{}: unavailable from Binance's public-data archive: {why}",
                        list.id
                    ),
                    None => format!("{}: {} file(s)", list.id, list.files.len()),
                };
                (Some(heading), list.files)
            })
            .collect());
    }
    if a.symbol.is_empty() {
        bail!("name --scenario, or --symbol with --from (and --to)");
    }
    let Some(from) = &a.from else {
        bail!("--from is needed with --symbol");
    };
    let from = Day::parse(from, "--from")?;
    let to = match &a.to {
        Some(t) => Day::parse(t, "--to")?,
        None => from,
    };
    let selection = Selection {
        market: Market::parse(&a.market)?,
        symbols: a.symbol.clone(),
        types: a
            .types
            .iter()
            .map(|t| DataType::parse(t))
            .collect::<Result<_, _>>()?,
        interval: a.interval.clone(),
        from,
        to,
    };
    Ok(vec![(None, selection.files()?)])
}

/// A files-and-bytes bar on stderr (hidden when stderr is not a terminal).
struct Bar {
    bar: ProgressBar,
    bytes: AtomicU64,
}

impl cascade_fetch::Progress for Bar {
    fn bytes(&self, n: u64) {
        let total = self.bytes.fetch_add(n, Ordering::Relaxed) + n;
        self.bar.set_message(HumanBytes(total).to_string());
    }
    fn done(&self, _file: &ArchiveFile, outcome: &Outcome) {
        if let Outcome::Failed(e) = outcome {
            self.bar.println(format!("failed: {e}"));
        }
        self.bar.inc(1);
    }
}

/// Runs `backtest fetch`.
pub fn run(a: Args) -> Result<()> {
    let groups = groups(&a)?;
    let env = |k: &str| std::env::var_os(k);
    let mirror = cache::mirror(a.mirror.clone(), env);
    let Some(dir) = cache::cache_dir(a.cache.clone(), env) else {
        bail!("no cache directory: pass --cache DIR or set CASCADE_DATA_DIR (HOME is not set)");
    };
    let fetcher = Fetcher::new(&mirror, &dir).threads(a.threads);
    let mut files: Vec<ArchiveFile> = groups.iter().flat_map(|(_, f)| f.clone()).collect();
    files.sort();
    files.dedup();
    for (heading, list) in &groups {
        if let Some(h) = heading {
            println!("{h}");
        }
        if a.dry_run {
            for f in list {
                println!("  {}", fetcher.url(&f.path()));
            }
        }
    }
    if a.dry_run {
        println!(
            "{} file(s) from {mirror} into {} (dry run: nothing downloaded)",
            files.len(),
            dir.display()
        );
        return Ok(());
    }
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(files.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} files, {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = Bar {
        bar,
        bytes: AtomicU64::new(0),
    };
    let summary = fetcher.fetch(&files, &progress);
    progress.bar.finish_and_clear();
    print!("{summary}");
    println!("cache: {}", dir.join("data").display());
    let failed = summary.failures().len();
    if failed > 0 {
        bail!("{failed} file(s) could not be fetched (listed above)");
    }
    Ok(())
}
