//! Downloading Tardis.dev datasets into `<cache>/tardis/…`, with the Binance downloader's
//! pool, `.part` files, `Range` resume and retries (see [`crate::download`]).
//!
//! Tardis publishes no checksums, so a file is verified by itself: its gzip stream must
//! decompress to the end and its first line must be the header our importer reads for its
//! data type. A file that fails is deleted and retried, then refused and named; nothing is
//! ever left under its final name unverified, so a file under its final name is skipped. An
//! empty gzip stream is Tardis' answer for a day without data: a gap, nothing kept.
//!
//! Without an API key only the first day of each month is requested; the other days are
//! listed as skipped ("needs TARDIS_API_KEY"). A 401/403 is an error naming the file and the
//! key (never retried); a 404 is a gap; one file's failure never stops the others.

use crate::download::{pool, with_suffix, Body, Fetcher, Outcome, Progress};
use crate::error::FetchError;
use crate::tardis::{TardisFile, TardisType};
use flate2::read::MultiGzDecoder;
use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// Downloads Tardis dataset files from a host (`/v1/…`) into `<cache>/tardis/…`.
pub struct TardisFetcher {
    fetcher: Fetcher,
    cache: PathBuf,
    key: bool,
}

impl TardisFetcher {
    /// A fetcher from `host` (e.g. [`crate::tardis::TARDIS_HOST`]) into `<cache>/tardis`,
    /// sending `key` as `Authorization: Bearer <key>` when there is one.
    pub fn new(host: &str, cache: &Path, key: Option<String>) -> TardisFetcher {
        let key = key.filter(|k| !k.is_empty());
        let host = format!("{}/v1", host.trim_end_matches('/'));
        TardisFetcher {
            key: key.is_some(),
            fetcher: Fetcher::new(&host, cache).bearer(key),
            cache: cache.join("tardis"),
        }
    }

    /// Sets the number of download threads (at least 1).
    pub fn threads(mut self, n: usize) -> TardisFetcher {
        self.fetcher = self.fetcher.threads(n);
        self
    }

    /// Sets the number of attempts per file (at least 1).
    pub fn attempts(mut self, n: u32) -> TardisFetcher {
        self.fetcher = self.fetcher.attempts(n);
        self
    }

    /// The address of a file.
    pub fn url(&self, file: &TardisFile) -> String {
        self.fetcher.url(&file.path())
    }

    /// Where a file goes in the cache.
    pub fn local_path(&self, file: &TardisFile) -> PathBuf {
        self.cache.join(file.path())
    }

    /// Whether a file will be requested (with a key: all; without: the first of a month).
    pub fn requests(&self, file: &TardisFile) -> bool {
        self.key || file.free()
    }

    /// Fetches every file it [`requests`](Self::requests); lists the others as skipped.
    pub fn fetch(&self, files: &[TardisFile], progress: &dyn Progress) -> TardisSummary {
        let (asked, skipped): (Vec<TardisFile>, Vec<TardisFile>) =
            files.iter().cloned().partition(|f| self.requests(f));
        let outcomes = pool(self.fetcher.thread_count(), &asked, |file| {
            let outcome = self
                .fetch_one(file, progress)
                .unwrap_or_else(Outcome::Failed);
            progress.done(&file.path(), &outcome);
            outcome
        });
        TardisSummary {
            results: asked.into_iter().zip(outcomes).collect(),
            skipped,
        }
    }

    fn fetch_one(&self, file: &TardisFile, progress: &dyn Progress) -> Result<Outcome, FetchError> {
        let final_path = self.local_path(file);
        if final_path.is_file() {
            return Ok(Outcome::Cached);
        }
        let part = with_suffix(&final_path, ".part");
        if let Some(dir) = final_path.parent() {
            fs::create_dir_all(dir).map_err(FetchError::io(dir))?;
        }
        let url = self.url(file);
        let (mut received, mut resumed_from, mut last_error) = (0u64, 0u64, None);
        for _ in 0..self.fetcher.attempt_count() {
            let offset = fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
            match self
                .fetcher
                .download(&url, &part, offset, progress, &mut received)
            {
                Ok(Body::Missing) => {
                    let _ = fs::remove_file(&part);
                    return Ok(Outcome::Gap);
                }
                Ok(Body::Appended) => resumed_from = resumed_from.max(offset),
                Ok(Body::Whole) => {}
                Err(FetchError::Status {
                    url,
                    status: status @ (401 | 403),
                }) => {
                    let _ = fs::remove_file(&part);
                    return Err(FetchError::Unauthorized {
                        url,
                        status,
                        key_sent: self.key,
                    });
                }
                Err(e @ (FetchError::Transport { .. } | FetchError::Status { .. })) => {
                    last_error = Some(e);
                    continue;
                }
                Err(e) => return Err(e),
            }
            match verify(&part, file.kind) {
                Ok(Verified::Empty) => {
                    fs::remove_file(&part).map_err(FetchError::io(&part))?;
                    return Ok(Outcome::Gap);
                }
                Ok(Verified::Data) => {
                    fs::rename(&part, &final_path).map_err(FetchError::io(&final_path))?;
                    return Ok(Outcome::Downloaded {
                        bytes: received,
                        resumed_from,
                    });
                }
                Err(message) => {
                    fs::remove_file(&part).map_err(FetchError::io(&part))?;
                    last_error = Some(FetchError::Refused {
                        url: url.clone(),
                        path: final_path.clone(),
                        message,
                    });
                }
            }
        }
        Err(last_error.unwrap_or(FetchError::Transport {
            url,
            message: "no attempt made".into(),
        }))
    }
}

/// What a whole, well-headed download holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Verified {
    /// Rows under the expected header.
    Data,
    /// A gzip stream of nothing: Tardis' answer for a day without data (kept as a gap).
    Empty,
}

/// Checks a downloaded file: a gzip stream that decompresses to its end, whose first line is
/// `kind`'s header (or that holds nothing at all).
pub fn verify(path: &Path, kind: TardisType) -> Result<Verified, String> {
    let f = File::open(path).map_err(|e| format!("cannot read the download: {e}"))?;
    let mut reader = BufReader::new(MultiGzDecoder::new(f));
    let mut first = String::new();
    reader
        .read_line(&mut first)
        .map_err(|e| format!("not a whole gzip stream: {e}"))?;
    if first.is_empty() {
        return Ok(Verified::Empty);
    }
    let first = first.trim_end_matches(['\r', '\n']);
    if first != kind.header() {
        return Err(format!(
            "its first line is {first:?}, not the Tardis {} header {:?}",
            kind.name(),
            kind.header()
        ));
    }
    std::io::copy(&mut reader, &mut std::io::sink())
        .map_err(|e| format!("the gzip stream does not decompress to its end: {e}"))?;
    Ok(Verified::Data)
}

/// What a Tardis fetch did.
#[derive(Debug)]
pub struct TardisSummary {
    /// Each requested file and its outcome, in the requested order.
    pub results: Vec<(TardisFile, Outcome)>,
    /// Files not requested: they need `TARDIS_API_KEY`.
    pub skipped: Vec<TardisFile>,
}

impl TardisSummary {
    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.results.iter().filter(|(_, o)| f(o)).count()
    }
    /// Files downloaded now.
    pub fn downloaded(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Downloaded { .. }))
    }
    /// Files already in the cache.
    pub fn cached(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Cached))
    }
    /// Files the host does not have.
    pub fn gaps(&self) -> Vec<&TardisFile> {
        self.results
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Gap))
            .map(|(f, _)| f)
            .collect()
    }
    /// Files refused or not fetched, with their errors.
    pub fn failures(&self) -> Vec<(&TardisFile, &FetchError)> {
        self.results
            .iter()
            .filter_map(|(f, o)| match o {
                Outcome::Failed(e) => Some((f, e)),
                _ => None,
            })
            .collect()
    }
    /// Bytes received in this fetch.
    pub fn bytes(&self) -> u64 {
        self.results
            .iter()
            .map(|(_, o)| match o {
                Outcome::Downloaded { bytes, .. } => *bytes,
                _ => 0,
            })
            .sum()
    }
}

impl std::fmt::Display for TardisSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} file(s): {} downloaded ({} bytes), {} already cached, {} gap(s), {} skipped, {} failed",
            self.results.len() + self.skipped.len(),
            self.downloaded(),
            self.bytes(),
            self.cached(),
            self.gaps().len(),
            self.skipped.len(),
            self.failures().len()
        )?;
        for s in &self.skipped {
            writeln!(f, "  skipped (needs TARDIS_API_KEY): {}", s.path())?;
        }
        for g in self.gaps() {
            writeln!(
                f,
                "  gap (not on the host, or no data that day): {}",
                g.path()
            )?;
        }
        for (file, e) in self.failures() {
            writeln!(f, "  FAILED {}: {e}", file.path())?;
        }
        Ok(())
    }
}
