//! The one error type of the fetch crate.

use std::path::PathBuf;

/// What went wrong choosing or fetching archive files.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// A command-line style value (market, type, interval, date) that is not one we know.
    #[error("{what}: {message}")]
    BadSelection {
        /// Which option.
        what: &'static str,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A scenario id that is not in the catalogue.
    #[error("no scenario {id:?} in the catalogue (known: {known})")]
    UnknownScenario {
        /// The id asked for.
        id: String,
        /// The ids there are, comma-separated.
        known: String,
    },
    /// A scenario file that does not load.
    #[error(transparent)]
    Scenario(#[from] cascade_scenario::ScenarioError),
    /// A file's body does not hash to its published checksum; nothing was kept under its name.
    #[error("checksum mismatch for {url}: the archive's CHECKSUM says {expected}, the download hashes to {actual}; refused, nothing written to {}", path.display())]
    ChecksumMismatch {
        /// What was downloaded.
        url: String,
        /// The final name it would have had.
        path: PathBuf,
        /// SHA-256 from the `.CHECKSUM` file.
        expected: String,
        /// SHA-256 of what arrived.
        actual: String,
    },
    /// A `.CHECKSUM` file that is not `<64 hex digits>  <file name>`.
    #[error("bad CHECKSUM file {url}: {message}")]
    BadChecksumFile {
        /// Its address.
        url: String,
        /// What was wrong.
        message: String,
    },
    /// Tardis refused a file for want of a (valid) API key.
    #[error("{url}: HTTP status {status}: {}", if *key_sent { "the API key in TARDIS_API_KEY was refused (invalid, or it does not cover this file)" } else { "this file needs an API key: set TARDIS_API_KEY" })]
    Unauthorized {
        /// The address.
        url: String,
        /// 401 or 403.
        status: u16,
        /// Whether a key was sent.
        key_sent: bool,
    },
    /// A file without a checksum that failed its own check (gzip stream or header); nothing
    /// was kept under its name.
    #[error("{url}: {message}; refused, nothing written to {}", path.display())]
    Refused {
        /// What was downloaded.
        url: String,
        /// The final name it would have had.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// The server answered with a status other than 200, 206 or 404.
    #[error("{url}: HTTP status {status}")]
    Status {
        /// The address.
        url: String,
        /// The status.
        status: u16,
    },
    /// The connection failed or broke off.
    #[error("{url}: {message}")]
    Transport {
        /// The address.
        url: String,
        /// The transport's description.
        message: String,
    },
    /// Reading or writing the cache.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
}

impl FetchError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> FetchError {
        let path = path.into();
        move |source| FetchError::Io { path, source }
    }
}
