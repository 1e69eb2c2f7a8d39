//! `backtest fetch`: Binance public-data archive files into the local cache, each verified
//! against its checksum (see `cascade_fetch::download` for the protocol), or with
//! `--source tardis` Tardis.dev datasets, each verified by its gzip stream and header (see
//! `cascade_fetch::tardis_fetch`).

use anyhow::{bail, Result};
use cascade_fetch::{
    cache, scenario_files, scenarios_named, ArchiveFile, DataType, Day, Fetcher, Market, Outcome,
    Selection, TardisFetcher, TardisSelection, TardisType,
};
use indicatif::{HumanBytes, ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Arguments of `backtest fetch`.
#[derive(clap::Args)]
pub struct Args {
    /// Where from: `binance` (the public-data archive) or `tardis` (Tardis.dev datasets; API
    /// key from TARDIS_API_KEY, without one only the first day of each month is fetched).
    #[arg(long, default_value = "binance", value_parser = ["binance", "tardis"])]
    pub source: String,
    /// With --source tardis: Tardis' exchange id.
    #[arg(long, default_value = "binance-futures")]
    pub exchange: String,
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
    /// Data types (comma-separated): klines (the default), markPriceKlines, indexPriceKlines,
    /// premiumIndexKlines, metrics, bookDepth, bookTicker, aggTrades, trades, fundingRate,
    /// liquidationSnapshot; with --source tardis: trades, derivative_ticker, liquidations,
    /// book_ticker.
    #[arg(long = "type", value_delimiter = ',')]
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
    /// Host to fetch from (default: $CASCADE_MIRROR, else `https://data.binance.vision`; with
    /// --source tardis: $CASCADE_TARDIS_MIRROR, else `https://datasets.tardis.dev`).
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
    let (from, to) = days(a)?;
    let types = if a.types.is_empty() {
        vec!["klines".to_string()]
    } else {
        a.types.clone()
    };
    let selection = Selection {
        market: Market::parse(&a.market)?,
        symbols: a.symbol.clone(),
        types: types
            .iter()
            .map(|t| DataType::parse(t))
            .collect::<Result<_, _>>()?,
        interval: a.interval.clone(),
        from,
        to,
    };
    Ok(vec![(None, selection.files()?)])
}

/// The symbols' date range from --from and --to.
fn days(a: &Args) -> Result<(Day, Day)> {
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
    Ok((from, to))
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
    fn done(&self, _path: &str, outcome: &Outcome) {
        if let Outcome::Failed(e) = outcome {
            self.bar.println(format!("failed: {e}"));
        }
        self.bar.inc(1);
    }
}

/// The bar, shown only when stderr is a terminal.
fn bar(files: usize) -> Bar {
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(files as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} files, {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    Bar {
        bar,
        bytes: AtomicU64::new(0),
    }
}

/// Runs `backtest fetch`.
pub fn run(a: Args) -> Result<()> {
    let env = |k: &str| std::env::var_os(k);
    let Some(dir) = cache::cache_dir(a.cache.clone(), env) else {
        bail!("no cache directory: pass --cache DIR or set CASCADE_DATA_DIR (HOME is not set)");
    };
    if a.source == "tardis" {
        return run_tardis(&a, &dir);
    }
    let groups = groups(&a)?;
    let mirror = cache::mirror(a.mirror.clone(), env);
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
    let progress = bar(files.len());
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

/// `backtest fetch --source tardis`.
fn run_tardis(a: &Args, dir: &Path) -> Result<()> {
    if a.scenario.is_some() {
        bail!("--scenario fetches from Binance's archive; with --source tardis name --symbol, --type and --from");
    }
    let (from, to) = days(a)?;
    if a.types.is_empty() {
        bail!("--type is needed with --source tardis (trades, derivative_ticker, liquidations, book_ticker)");
    }
    let selection = TardisSelection {
        exchange: a.exchange.clone(),
        symbols: a.symbol.clone(),
        types: a
            .types
            .iter()
            .map(|t| TardisType::parse(t))
            .collect::<Result<_, _>>()?,
        from,
        to,
    };
    let files = selection.files()?;
    let env = |k: &str| std::env::var_os(k);
    let host = cache::tardis_mirror(a.mirror.clone(), env);
    let key = cache::tardis_key(env);
    let fetcher = TardisFetcher::new(&host, dir, key).threads(a.threads);
    if a.dry_run {
        for f in &files {
            let note = if fetcher.requests(f) {
                ""
            } else {
                " (skipped: needs TARDIS_API_KEY)"
            };
            println!("  {}{note}", fetcher.url(f));
        }
        println!(
            "{} file(s) from {host} into {} (dry run: nothing downloaded)",
            files.len(),
            dir.join("tardis").display()
        );
        return Ok(());
    }
    let progress = bar(files.iter().filter(|f| fetcher.requests(f)).count());
    let summary = fetcher.fetch(&files, &progress);
    progress.bar.finish_and_clear();
    print!("{summary}");
    println!("cache: {}", dir.join("tardis").display());
    let failed = summary.failures().len();
    if failed > 0 {
        bail!("{failed} file(s) could not be fetched (listed above)");
    }
    Ok(())
}
