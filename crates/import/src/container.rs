//! Opening a file as a stream of decompressed bytes: plain text, gzip (by its magic bytes,
//! several members allowed) or zip (its one `.csv` entry, stored or deflated, its CRC-32 and
//! size checked at the end; an archive with several `.csv` entries is refused, naming them).
//! Nothing is loaded whole; memory stays constant. [`verify`] decompresses a whole file to
//! tell a corrupt archive from bad rows inside a good one.

use crate::ImportError;
use flate2::read::{DeflateDecoder, MultiGzDecoder};
use flate2::Crc;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// How the bytes of a file are packed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Container {
    /// Plain text.
    Plain,
    /// gzip.
    Gzip,
    /// A zip archive (its first `.csv` entry is read).
    Zip,
}

const BUF_BYTES: usize = 1 << 16;

/// Opens `path` and returns its decompressed bytes.
pub(crate) fn open(path: &Path) -> Result<(Box<dyn Read + Send>, Container), ImportError> {
    let open_err = |source| ImportError::Open {
        file: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(open_err)?;
    let mut buf = BufReader::with_capacity(BUF_BYTES, file);
    let magic = buf.fill_buf().map_err(open_err)?;
    if magic.starts_with(&[0x1f, 0x8b]) {
        Ok((Box::new(MultiGzDecoder::new(buf)), Container::Gzip))
    } else if magic.starts_with(b"PK\x03\x04") || magic.starts_with(b"PK\x05\x06") {
        let file = buf.into_inner();
        Ok((open_zip_csv(path, file)?, Container::Zip))
    } else {
        Ok((Box::new(buf), Container::Plain))
    }
}

/// Reads the first `.csv` entry of a zip archive as a stream. The archive's central directory
/// gives the entry's offset, method, sizes and CRC; the entry's bytes are then read straight
/// from the file (so the reader owns everything and can live in an iterator).
fn open_zip_csv(path: &Path, file: File) -> Result<Box<dyn Read + Send>, ImportError> {
    let zip_err = |reason: String| ImportError::Zip {
        file: path.to_path_buf(),
        reason,
    };
    let mut archive = zip::ZipArchive::new(file).map_err(|e| zip_err(e.to_string()))?;
    let names: Vec<String> = archive.file_names().map(str::to_string).collect();
    let mut csvs = Vec::new();
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| zip_err(e.to_string()))?;
        if entry.is_file() && entry.name().to_ascii_lowercase().ends_with(".csv") {
            csvs.push((i, entry.name().to_string()));
        }
    }
    if csvs.len() > 1 {
        let names: Vec<&str> = csvs.iter().map(|(_, n)| n.as_str()).collect();
        return Err(zip_err(format!(
            "it holds {} .csv entries ({}); only one is read per archive, so none is: unpack it \
             and import the files you mean",
            csvs.len(),
            names.join(", ")
        )));
    }
    let index = csvs.first().map(|(i, _)| *i);
    let Some(index) = index else {
        let mut names = names;
        names.sort();
        return Err(ImportError::ZipWithoutCsv {
            file: path.to_path_buf(),
            entries: if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            },
        });
    };
    let (start, packed, size, crc, method, name) = {
        let e = archive
            .by_index_raw(index)
            .map_err(|e| zip_err(e.to_string()))?;
        if e.encrypted() {
            return Err(zip_err(format!("entry {} is encrypted", e.name())));
        }
        (
            e.data_start(),
            e.compressed_size(),
            e.size(),
            e.crc32(),
            e.compression(),
            e.name().to_string(),
        )
    };
    let mut file = archive.into_inner();
    file.seek(SeekFrom::Start(start))
        .map_err(|e| zip_err(e.to_string()))?;
    let raw = BufReader::with_capacity(BUF_BYTES, file.take(packed));
    let inner: Box<dyn Read + Send> = match method {
        zip::CompressionMethod::Stored => Box::new(raw),
        zip::CompressionMethod::Deflated => Box::new(DeflateDecoder::new(raw)),
        other => {
            return Err(zip_err(format!(
                "entry {name} uses compression {other:?}; only stored and deflated are read"
            )))
        }
    };
    Ok(Box::new(CheckedEntry {
        inner,
        crc: Crc::new(),
        size,
        expected_crc: crc,
    }))
}

/// Passes an entry's bytes through and, at its end, checks its size and CRC-32 against the
/// central directory: a truncated or corrupt entry is an error, not a short file.
struct CheckedEntry {
    inner: Box<dyn Read + Send>,
    crc: Crc,
    size: u64,
    expected_crc: u32,
}

impl Read for CheckedEntry {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.crc.update(&out[..n]);
        if n == 0 && !out.is_empty() {
            let got = u64::from(self.crc.amount());
            // Crc::amount is a u32 that wraps past 4 GiB; compare modulo 2³² then.
            let size_ok = got == self.size % (1 << 32);
            if !size_ok || self.crc.sum() != self.expected_crc {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "zip entry ends after {got} of {} bytes or fails its CRC-32 check",
                        self.size
                    ),
                ));
            }
        }
        Ok(n)
    }
}

/// How `path` is packed, from its first bytes (`Plain` when it cannot be read: opening it
/// will say why).
pub(crate) fn kind(path: &Path) -> Container {
    let mut magic = [0u8; 4];
    let n = File::open(path)
        .and_then(|mut f| f.read(&mut magic))
        .unwrap_or(0);
    let magic = &magic[..n];
    if magic.starts_with(&[0x1f, 0x8b]) {
        Container::Gzip
    } else if magic.starts_with(b"PK\x03\x04") || magic.starts_with(b"PK\x05\x06") {
        Container::Zip
    } else {
        Container::Plain
    }
}

/// Decompresses the whole of `path` (a gzip stream or a zip archive's `.csv` entry) and checks
/// it: `Err` with the decompressor's reason when the archive itself is corrupt or truncated.
/// Used on the error path only, to name a corrupt archive as such rather than report the
/// garbage it decompresses to as a bad CSV row.
pub(crate) fn verify(path: &Path) -> Result<(), String> {
    let (mut reader, _) = open(path).map_err(|e| e.to_string())?;
    io::copy(&mut reader, &mut io::sink())
        .map(|_| ())
        .map_err(|e| e.to_string())
}
