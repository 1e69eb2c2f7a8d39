//! Test helper (not product code): a loopback HTTP mirror of the Binance archive.
//!
//! [`Mirror::start`] builds an archive tree in a temporary directory from the bundled
//! `fixtures/sample` CSVs (zipped as the archive zips them, each with its `.CHECKSUM`) and
//! serves it on `127.0.0.1` from a `std::net::TcpListener` thread: `GET` with `Range: bytes=N-`
//! support, 404 for what is not there, one response per connection. Faults can be set per
//! path: a corrupted body, a body cut short of its `Content-Length`, or a close mid-file
//! without a length. Every request is logged.
#![allow(dead_code)]

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What to do wrong when serving a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Send the full length with one byte flipped.
    Corrupt,
    /// Promise the full `Content-Length`, send half, close.
    CutShort,
    /// Send no length, half the body, close (looks complete to the client).
    CloseMidFile,
}

/// One logged request: the path and the `Range` header, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub path: String,
    pub range: Option<String>,
    pub status: u16,
    /// The `Authorization` header, if any.
    pub auth: Option<String>,
}

#[derive(Default)]
struct State {
    faults: BTreeMap<String, (Fault, usize)>,
    log: Vec<Request>,
    /// When set, every request without `Authorization: Bearer <key>` gets a 401.
    key: Option<String>,
}

/// The running mirror.
pub struct Mirror {
    pub dir: tempfile::TempDir,
    pub url: String,
    state: Arc<Mutex<State>>,
}

/// The bundled samples and where the archive keeps them.
pub const SAMPLES: &[(&str, &str)] = &[
    (
        "BTCUSDT-1m-2025-10-10.csv",
        "data/futures/um/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-10-10.zip",
    ),
    (
        "markPriceKlines/BTCUSDT-1m-2025-10-10.csv",
        "data/futures/um/daily/markPriceKlines/BTCUSDT/1m/BTCUSDT-1m-2025-10-10.zip",
    ),
    (
        "BTCUSDT-metrics-2025-10-10.csv",
        "data/futures/um/daily/metrics/BTCUSDT/BTCUSDT-metrics-2025-10-10.zip",
    ),
    (
        "BTCUSDT-bookDepth-2025-10-10.csv",
        "data/futures/um/daily/bookDepth/BTCUSDT/BTCUSDT-bookDepth-2025-10-10.zip",
    ),
    (
        "BTCUSDT-fundingRate-2025-10.csv",
        "data/futures/um/monthly/fundingRate/BTCUSDT/BTCUSDT-fundingRate-2025-10.zip",
    ),
    (
        "BTCUSDT-aggTrades-2025-10-10.csv",
        "data/futures/um/daily/aggTrades/BTCUSDT/BTCUSDT-aggTrades-2025-10-10.zip",
    ),
];

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Writes `<path>.CHECKSUM` for the file at `path`, as the archive does.
pub fn write_checksum(path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    let sha: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::write(
        format!("{}.CHECKSUM", path.display()),
        format!("{sha}  {file}\n"),
    )
    .unwrap();
}

/// Zips `csv` into `zip_path` (one entry named like the zip, `.csv`) and writes its CHECKSUM.
pub fn zip_into(csv: &Path, zip_path: &Path) {
    std::fs::create_dir_all(zip_path.parent().unwrap()).unwrap();
    let name = zip_path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .replace(".zip", ".csv");
    let mut w = zip::ZipWriter::new(std::fs::File::create(zip_path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file(name, opts).unwrap();
    w.write_all(&std::fs::read(csv).unwrap()).unwrap();
    w.finish().unwrap();
    write_checksum(zip_path);
}

impl Mirror {
    /// Builds the mirror tree from the samples and starts serving it.
    pub fn start() -> Mirror {
        let m = Mirror::empty();
        let sample = workspace().join("fixtures/sample");
        for (csv, path) in SAMPLES {
            zip_into(&sample.join(csv), &m.dir.path().join(path));
        }
        m
    }

    /// Serves an empty directory (add files with [`Mirror::put`]).
    pub fn empty() -> Mirror {
        let dir = tempfile::tempdir().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let root = dir.path().to_path_buf();
        let st = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let (root, st) = (root.clone(), st.clone());
                std::thread::spawn(move || serve(conn, &root, &st));
            }
        });
        Mirror { dir, url, state }
    }

    /// Serves a copy of the (already zipped) file `src` at the archive path `path`, with its
    /// CHECKSUM.
    pub fn add(&self, src: &Path, path: &str) {
        let dest = self.dir.path().join(path);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(src, &dest).unwrap();
        write_checksum(&dest);
    }

    /// Serves `bytes` at `path` (no CHECKSUM).
    pub fn put(&self, path: &str, bytes: &[u8]) {
        let dest = self.dir.path().join(path);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(dest, bytes).unwrap();
    }

    /// Answers 401 to every request without `Authorization: Bearer <key>`.
    pub fn require_key(&self, key: &str) {
        self.state.lock().unwrap().key = Some(key.to_string());
    }

    /// The mirror's copy of an archive path.
    pub fn file(&self, path: &str) -> PathBuf {
        self.dir.path().join(path)
    }

    /// Serves `path` with `fault` the next `times` times (`usize::MAX`: always).
    pub fn fault(&self, path: &str, fault: Fault, times: usize) {
        let mut s = self.state.lock().unwrap();
        s.faults.insert(format!("/{path}"), (fault, times));
    }

    /// Serves everything correctly from now on.
    pub fn heal(&self) {
        self.state.lock().unwrap().faults.clear();
    }

    /// The requests so far, and forgets them.
    pub fn take_log(&self) -> Vec<Request> {
        std::mem::take(&mut self.state.lock().unwrap().log)
    }
}

fn serve(mut conn: TcpStream, root: &Path, state: &Mutex<State>) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut range = None;
    let mut auth = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("range") {
                range = Some(v.trim().to_string());
            }
            if k.eq_ignore_ascii_case("authorization") {
                auth = Some(v.trim().to_string());
            }
        }
    }
    let refused = {
        let s = state.lock().unwrap();
        s.key
            .as_ref()
            .is_some_and(|k| auth.as_deref() != Some(format!("Bearer {k}").as_str()))
    };
    let fault = {
        let mut s = state.lock().unwrap();
        match s.faults.get_mut(&path) {
            Some((f, n)) if *n > 0 => {
                if *n != usize::MAX {
                    *n -= 1;
                }
                Some(*f)
            }
            _ => None,
        }
    };
    let file = root.join(path.trim_start_matches('/'));
    let body = if path.contains("..") {
        None
    } else {
        std::fs::read(&file).ok()
    };
    let log = |status| {
        state.lock().unwrap().log.push(Request {
            path: path.clone(),
            range: range.clone(),
            status,
            auth: auth.clone(),
        })
    };
    if refused {
        log(401);
        let _ = conn.write_all(
            b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        return;
    }
    let Some(mut body) = body else {
        log(404);
        let _ = conn
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    let total = body.len();
    let mut status = 200;
    let mut extra = String::new();
    if let Some(start) = range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|n| n.parse::<usize>().ok())
    {
        if start >= total {
            log(416);
            let _ = write!(
                conn,
                "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{total}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            return;
        }
        body.drain(..start);
        status = 206;
        extra = format!("Content-Range: bytes {start}-{}/{total}\r\n", total - 1);
    }
    log(status);
    let reason = if status == 206 {
        "Partial Content"
    } else {
        "OK"
    };
    let full = body.len();
    match fault {
        Some(Fault::Corrupt) => {
            let mid = body.len() / 2;
            body[mid] ^= 0xff;
        }
        Some(Fault::CutShort) => body.truncate(full / 2),
        Some(Fault::CloseMidFile) => {
            body.truncate(full / 2);
            let _ = write!(
                conn,
                "HTTP/1.1 {status} {reason}\r\n{extra}Connection: close\r\n\r\n"
            );
            let _ = conn.write_all(&body);
            let _ = conn.shutdown(std::net::Shutdown::Both);
            return;
        }
        None => {}
    }
    let _ = write!(
        conn,
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {full}\r\n{extra}Connection: close\r\n\r\n"
    );
    let _ = conn.write_all(&body);
    let _ = conn.flush();
    let _ = conn.shutdown(std::net::Shutdown::Both);
    // Drain anything left so the close is clean.
    let _ = reader.read(&mut [0u8; 16]);
}

/// A small Tardis CSV of `kind` (`trades`, `liquidations` or `derivative_ticker`) for
/// `binance-futures` BTCUSDT on 2025-10-`day`, in our importer's format, gzipped.
pub fn tardis_gz(kind: &str, day: u32) -> Vec<u8> {
    use std::fmt::Write as _;
    let start_us = (1_759_276_800 + (day as i64 - 1) * 86_400) * 1_000_000;
    let mut csv = String::new();
    match kind {
        "trades" | "liquidations" => {
            csv.push_str("exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n");
            for i in 0..20i64 {
                let ts = start_us + i * 60_000_000 + 123;
                let side = if i % 3 == 0 { "sell" } else { "buy" };
                let _ = writeln!(
                    csv,
                    "binance-futures,BTCUSDT,{ts},{},{},{side},{}.{},0.{:03}",
                    ts + 50,
                    1000 + i,
                    60_000 + i * 7,
                    i % 10,
                    1 + i
                );
            }
        }
        "derivative_ticker" => {
            csv.push_str("exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price\n");
            for i in 0..20i64 {
                let ts = start_us + i * 60_000_000 + 456;
                let _ = writeln!(
                    csv,
                    "binance-futures,BTCUSDT,{ts},{},{},0.0001,0.00012,{}.5,{}.1,{}.2,{}.3",
                    ts + 50,
                    start_us + 28_800_000_000,
                    90_000 + i,
                    60_000 + i,
                    59_990 + i,
                    60_001 + i
                );
            }
        }
        other => panic!("no sample for {other}"),
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(csv.as_bytes()).unwrap();
    gz.finish().unwrap()
}

/// Where a Tardis file of BTCUSDT on `binance-futures` on 2025-10-`day` is, after `/v1/`.
pub fn tardis_path(kind: &str, day: u32) -> String {
    format!("binance-futures/{kind}/2025/10/{day:02}/BTCUSDT.csv.gz")
}
