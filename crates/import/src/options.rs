//! What the caller can tell the importer about a file.

use crate::Format;
use cascade_types::BarSource;
use cascade_types::Ts;

/// Which clock stamps the events of a websocket capture.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum WsClock {
    /// The exchange's time of each message (`T`, else `E`, in ms), made non-decreasing: a
    /// message whose exchange time is earlier than the previous event's is stamped with the
    /// previous event's time (messages of different streams interleave by up to ~100 ms in
    /// real captures). A step back larger than `ImportOptions::capture_backstep_ns_max` is an
    /// error. Messages without an exchange time use the local time.
    #[default]
    Exchange,
    /// The capture machine's receive time (`<local_ts_ns>`), which must be non-decreasing.
    /// Exact arrival order, but shifted by the capture machine's clock error and latency.
    Local,
}

/// Options of one file's import. `Default` detects everything.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// Force the format instead of detecting it from the file name and first line.
    pub format: Option<Format>,
    /// The venue of files whose rows do not say it (Binance public data, captures). Default:
    /// a Binance public-data directory in the path (`spot`, `futures/cm`, `futures/um`), else
    /// `binance-cm` for `…USD_PERP` symbols, else `binance-um`. Ignored for Tardis files, whose
    /// `exchange` column names the venue.
    pub venue: Option<String>,
    /// The symbol of files without a symbol column (klines, aggTrades, trades, bookTicker,
    /// bookDepth, fundingRate, the metrics export). Default: from the file name
    /// (`BTCUSDT-1m-…` → `BTCUSDT`). In a BitMEX trade dump (every symbol of a day in one
    /// file): the one symbol whose rows are imported; the others count as rows without events.
    pub symbol: Option<String>,
    /// Which price series klines are. Default: from the path (`markPriceKlines`,
    /// `indexPriceKlines`, `premiumIndexKlines`, or `markprice`, `indexprice`, `premiumindex`
    /// anywhere in it), else last-price klines — unless the first row has volume 0 and a
    /// trade count (a price-series kline), which is an error asking to say which.
    pub bar_source: Option<BarSource>,
    /// The clock of websocket captures.
    pub ws_clock: WsClock,
    /// For captures ([`Format::is_capture`]) only: how far an event's time may step back
    /// behind the previous event's before it is an error; within this bound the event is
    /// stamped with the previous time (and counted in `ImportStats::clamped`). Archives
    /// (Binance public data, Tardis) are always strict: any step back is an error.
    /// Default 1 s.
    pub capture_backstep_ns_max: i64,
    /// The data-quality gate's policy ([`crate::quality`]): what it keeps (flagged) that it
    /// would otherwise refuse.
    pub quality: crate::QualityPolicy,
    /// Threads parsing a CSV file: 0 (the default) for one per core, 1 for none besides the
    /// caller's. Large files are cut into chunks at line boundaries and parsed in parallel;
    /// the events, their order, the instruments and every error are the same for any count.
    /// Formats whose rows depend on earlier rows (klines) and non-CSV formats use one.
    pub threads: usize,
    /// The size of those chunks in bytes (default 1 MiB; small values are for tests).
    pub chunk_bytes: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            format: None,
            venue: None,
            symbol: None,
            bar_source: None,
            ws_clock: WsClock::Exchange,
            capture_backstep_ns_max: Ts::NANOS_PER_SEC,
            quality: crate::QualityPolicy::default(),
            threads: 0,
            chunk_bytes: 1 << 20,
        }
    }
}

/// Parses a bar source name: `last`, `mark`, `index` or `premium` (for command lines).
pub fn parse_bar_source(name: &str) -> Result<BarSource, String> {
    match name.to_ascii_lowercase().as_str() {
        "last" => Ok(BarSource::Last),
        "mark" => Ok(BarSource::Mark),
        "index" => Ok(BarSource::Index),
        "premium" => Ok(BarSource::Premium),
        _ => Err(format!(
            "unknown bar source {name:?}; expected last, mark, index or premium"
        )),
    }
}
