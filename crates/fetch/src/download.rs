//! Downloading archive files into the cache, each verified against its `.CHECKSUM`.
//!
//! For each file, in a small fixed pool of threads:
//!
//! 1. **Skip** it when the cache holds it under its final name with a `.sha256` sidecar (the
//!    sidecar is written only after the file was verified). A final file without a sidecar is
//!    re-hashed against the archive's checksum and kept if it matches.
//! 2. Read `<file>.zip.CHECKSUM`; a 404 means the archive has no such file: a **gap**, listed
//!    in the summary, and the other files go on.
//! 3. Download into `<final>.part`. If a `.part` is already there (an interrupted fetch), the
//!    request asks for the rest with `Range: bytes=<len>-` and appends to it when the server
//!    answers 206; a 200 restarts the file from its first byte.
//! 4. Hash the whole `.part` with SHA-256. A match renames it to its final name and writes
//!    the sidecar; a mismatch deletes the `.part` — **nothing is ever left under the final
//!    name unverified**.
//!
//! A broken connection or a short body keeps the `.part` and retries (resuming); a checksum
//! mismatch deletes it and retries from scratch; after the last attempt the file is
//! **refused** and named with the error in the summary. One file's failure never stops the
//! others.

use crate::archive::ArchiveFile;
use crate::error::FetchError;
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// The archive's own host.
pub const DEFAULT_MIRROR: &str = "https://data.binance.vision";

/// How a file ended.
#[derive(Debug)]
pub enum Outcome {
    /// Downloaded and verified now.
    Downloaded {
        /// Bytes received in this fetch.
        bytes: u64,
        /// Bytes that were already in a `.part` from an earlier, interrupted fetch or attempt.
        resumed_from: u64,
    },
    /// Already in the cache, verified.
    Cached,
    /// The archive has no such file (HTTP 404).
    Gap,
    /// Refused or not fetched, with why.
    Failed(FetchError),
}

/// Told about progress, from the worker threads.
pub trait Progress: Sync {
    /// `n` more bytes arrived.
    fn bytes(&self, _n: u64) {}
    /// One file (its path) is finished.
    fn done(&self, _path: &str, _outcome: &Outcome) {}
}

/// Progress that goes nowhere.
pub struct Quiet;
impl Progress for Quiet {}

/// What a fetch did, one entry per requested file in the requested order.
#[derive(Debug)]
pub struct Summary {
    /// Each file and its outcome.
    pub results: Vec<(ArchiveFile, Outcome)>,
}

impl Summary {
    /// Files that were downloaded now.
    pub fn downloaded(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Downloaded { .. }))
    }
    /// Files that were already in the cache.
    pub fn cached(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Cached))
    }
    /// Files the archive does not have.
    pub fn gaps(&self) -> Vec<&ArchiveFile> {
        self.results
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Gap))
            .map(|(f, _)| f)
            .collect()
    }
    /// Files refused or not fetched, with their errors.
    pub fn failures(&self) -> Vec<(&ArchiveFile, &FetchError)> {
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
    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.results.iter().filter(|(_, o)| f(o)).count()
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let resumed = self
            .count(|o| matches!(o, Outcome::Downloaded { resumed_from, .. } if *resumed_from > 0));
        writeln!(
            f,
            "{} file(s): {} downloaded ({} bytes{}), {} already cached, {} gap(s), {} failed",
            self.results.len(),
            self.downloaded(),
            self.bytes(),
            if resumed > 0 {
                format!(", {resumed} resumed")
            } else {
                String::new()
            },
            self.cached(),
            self.gaps().len(),
            self.failures().len()
        )?;
        for g in self.gaps() {
            writeln!(f, "  gap (not in the archive): {}", g.path())?;
        }
        for (file, e) in self.failures() {
            writeln!(f, "  FAILED {}: {e}", file.path())?;
        }
        Ok(())
    }
}

/// Downloads archive files from a mirror into a cache directory laid out like the archive.
pub struct Fetcher {
    mirror: String,
    cache: PathBuf,
    threads: usize,
    attempts: u32,
    agent: ureq::Agent,
    bearer: Option<String>,
}

impl Fetcher {
    /// A fetcher from `mirror` (e.g. [`DEFAULT_MIRROR`]) into `cache`, 4 threads, 3 attempts
    /// per file, 30 s connect and read timeouts.
    pub fn new(mirror: &str, cache: &Path) -> Fetcher {
        Fetcher {
            mirror: mirror.trim_end_matches('/').to_string(),
            cache: cache.to_path_buf(),
            threads: 4,
            attempts: 3,
            agent: ureq::AgentBuilder::new()
                .timeout_connect(Duration::from_secs(30))
                .timeout_read(Duration::from_secs(30))
                .build(),
            bearer: None,
        }
    }

    /// Sends `Authorization: Bearer <key>` with every file request (Tardis).
    pub(crate) fn bearer(mut self, key: Option<String>) -> Fetcher {
        self.bearer = key;
        self
    }

    /// The number of download threads.
    pub(crate) fn thread_count(&self) -> usize {
        self.threads
    }

    /// The number of attempts per file.
    pub(crate) fn attempt_count(&self) -> u32 {
        self.attempts
    }

    /// Sets the number of download threads (at least 1).
    pub fn threads(mut self, n: usize) -> Fetcher {
        self.threads = n.max(1);
        self
    }

    /// Sets the number of attempts per file (at least 1).
    pub fn attempts(mut self, n: u32) -> Fetcher {
        self.attempts = n.max(1);
        self
    }

    /// The address of a path of the archive on this mirror.
    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.mirror, path)
    }

    /// Where a file goes in the cache.
    pub fn local_path(&self, file: &ArchiveFile) -> PathBuf {
        self.cache.join(file.path())
    }

    /// Fetches every file; results come back in the order of `files`.
    pub fn fetch(&self, files: &[ArchiveFile], progress: &dyn Progress) -> Summary {
        let outcomes = pool(self.threads, files, |file| {
            let outcome = match self.fetch_one(file, progress) {
                Ok(o) => o,
                Err(e) => Outcome::Failed(e),
            };
            progress.done(&file.path(), &outcome);
            outcome
        });
        Summary {
            results: files.iter().cloned().zip(outcomes).collect(),
        }
    }

    fn fetch_one(
        &self,
        file: &ArchiveFile,
        progress: &dyn Progress,
    ) -> Result<Outcome, FetchError> {
        let final_path = self.local_path(file);
        let sidecar = with_suffix(&final_path, ".sha256");
        let part = with_suffix(&final_path, ".part");
        if final_path.is_file() && sidecar.is_file() {
            return Ok(Outcome::Cached);
        }
        let url = self.url(&file.path());
        let Some(expected) = self.checksum(file)? else {
            return Ok(Outcome::Gap);
        };
        if final_path.is_file() {
            if sha256_file(&final_path)? == expected {
                write_sidecar(&sidecar, &expected, &file.file_name())?;
                return Ok(Outcome::Cached);
            }
            fs::remove_file(&final_path).map_err(FetchError::io(&final_path))?;
        }
        if let Some(dir) = final_path.parent() {
            fs::create_dir_all(dir).map_err(FetchError::io(dir))?;
        }
        let mut received = 0u64;
        let mut resumed_from = 0u64;
        let mut last_error = None;
        for _ in 0..self.attempts {
            let offset = fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
            match self.download(&url, &part, offset, progress, &mut received) {
                Ok(Body::Missing) => {
                    let _ = fs::remove_file(&part);
                    return Ok(Outcome::Gap);
                }
                Ok(Body::Appended) => resumed_from = resumed_from.max(offset),
                Ok(Body::Whole) => {}
                Err(e @ (FetchError::Transport { .. } | FetchError::Status { .. })) => {
                    last_error = Some(e);
                    continue;
                }
                Err(e) => return Err(e),
            }
            let actual = sha256_file(&part)?;
            if actual == expected {
                fs::rename(&part, &final_path).map_err(FetchError::io(&final_path))?;
                write_sidecar(&sidecar, &expected, &file.file_name())?;
                return Ok(Outcome::Downloaded {
                    bytes: received,
                    resumed_from,
                });
            }
            fs::remove_file(&part).map_err(FetchError::io(&part))?;
            last_error = Some(FetchError::ChecksumMismatch {
                url: url.clone(),
                path: final_path.clone(),
                expected: expected.clone(),
                actual,
            });
        }
        Err(last_error.unwrap_or(FetchError::Transport {
            url,
            message: "no attempt made".into(),
        }))
    }

    /// The expected SHA-256 (lower-case hex) from the file's `.CHECKSUM`, `None` on a 404.
    fn checksum(&self, file: &ArchiveFile) -> Result<Option<String>, FetchError> {
        let url = self.url(&file.checksum_path());
        let response = match self.agent.get(&url).call() {
            Ok(r) => r,
            Err(ureq::Error::Status(404, _)) => return Ok(None),
            Err(ureq::Error::Status(status, _)) => return Err(FetchError::Status { url, status }),
            Err(e) => return Err(transport(&url, e)),
        };
        let mut text = String::new();
        response
            .into_reader()
            .take(4096)
            .read_to_string(&mut text)
            .map_err(|e| FetchError::Transport {
                url: url.clone(),
                message: e.to_string(),
            })?;
        parse_checksum(&text, &file.file_name())
            .map(Some)
            .map_err(|message| FetchError::BadChecksumFile { url, message })
    }

    /// One GET of the file into `part`, from `offset` when it is not zero.
    pub(crate) fn download(
        &self,
        url: &str,
        part: &Path,
        offset: u64,
        progress: &dyn Progress,
        received: &mut u64,
    ) -> Result<Body, FetchError> {
        let mut request = self.agent.get(url);
        if let Some(key) = &self.bearer {
            request = request.set("Authorization", &format!("Bearer {key}"));
        }
        if offset > 0 {
            request = request.set("Range", &format!("bytes={offset}-"));
        }
        let response = match request.call() {
            Ok(r) => r,
            Err(ureq::Error::Status(404, _)) => return Ok(Body::Missing),
            // The part already holds the whole file (or more): let the checksum decide.
            Err(ureq::Error::Status(416, _)) if offset > 0 => return Ok(Body::Appended),
            Err(ureq::Error::Status(status, _)) => {
                return Err(FetchError::Status {
                    url: url.to_string(),
                    status,
                })
            }
            Err(e) => return Err(transport(url, e)),
        };
        let (mut out, how) = if response.status() == 206 && offset > 0 {
            let f = OpenOptions::new()
                .append(true)
                .open(part)
                .map_err(FetchError::io(part))?;
            (f, Body::Appended)
        } else {
            (
                File::create(part).map_err(FetchError::io(part))?,
                Body::Whole,
            )
        };
        let mut reader = response.into_reader();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    out.flush().map_err(FetchError::io(part))?;
                    return Err(FetchError::Transport {
                        url: url.to_string(),
                        message: format!("connection broke off after {} bytes: {e}", *received),
                    });
                }
            };
            out.write_all(&buf[..n]).map_err(FetchError::io(part))?;
            *received += n as u64;
            progress.bytes(n as u64);
        }
        out.sync_all().map_err(FetchError::io(part))?;
        Ok(how)
    }
}

/// Runs `work` on every item in a pool of `threads` threads; the outcomes come back in the
/// order of `items`.
pub(crate) fn pool<T: Sync>(
    threads: usize,
    items: &[T],
    work: impl Fn(&T) -> Outcome + Sync,
) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<Outcome>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1).min(items.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let outcome = work(item);
                slots.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(outcome);
            });
        }
    });
    slots
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .map(|o| {
            o.unwrap_or(Outcome::Failed(FetchError::Transport {
                url: String::new(),
                message: "worker thread stopped".into(),
            }))
        })
        .collect()
}

pub(crate) enum Body {
    /// The server has no such file.
    Missing,
    /// Written from the first byte.
    Whole,
    /// Appended to what the part held.
    Appended,
}

fn transport(url: &str, e: ureq::Error) -> FetchError {
    FetchError::Transport {
        url: url.to_string(),
        message: e.to_string(),
    }
}

pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Parses `<64 hex digits>  <file name>` (the name is optional; when present it must be
/// `name`).
pub fn parse_checksum(text: &str, name: &str) -> Result<String, String> {
    let mut parts = text.split_whitespace();
    let hex = parts.next().ok_or("empty")?;
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("expected 64 hex digits, found {hex:?}"));
    }
    if let Some(named) = parts.next() {
        let named = named.trim_start_matches('*');
        if named != name {
            return Err(format!("it names {named:?}, expected {name:?}"));
        }
    }
    Ok(hex.to_ascii_lowercase())
}

/// SHA-256 of a file, lower-case hex.
pub fn sha256_file(path: &Path) -> Result<String, FetchError> {
    let mut f = File::open(path).map_err(FetchError::io(path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf).map_err(FetchError::io(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn write_sidecar(path: &Path, sha: &str, name: &str) -> Result<(), FetchError> {
    fs::write(path, format!("{sha}  {name}\n")).map_err(FetchError::io(path))
}

#[cfg(test)]
mod tests {
    use super::parse_checksum;

    #[test]
    fn checksum_files_parse_like_sha256sum() {
        let h = "A".repeat(64);
        assert_eq!(
            parse_checksum(&format!("{h}  x.zip\n"), "x.zip").unwrap(),
            "a".repeat(64)
        );
        assert_eq!(parse_checksum(&h, "x.zip").unwrap(), "a".repeat(64));
        assert!(parse_checksum(&format!("{h}  y.zip"), "x.zip")
            .unwrap_err()
            .contains("y.zip"));
        assert!(parse_checksum("abc  x.zip", "x.zip").is_err());
        assert!(parse_checksum("", "x.zip").is_err());
    }
}
