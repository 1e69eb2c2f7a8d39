//! A finished log's source description, replaced in place.
//!
//! The header is the trailer, after every block: a log whose events stay as they are but whose
//! header says something new (an import's part log becoming the import's output, with the
//! import's description) is rewritten from the trailer on, without reading, decoding or
//! re-encoding a single event. The result is byte for byte the log a [`crate::Writer`] gives
//! for the same events, instrument table and the new source.

use crate::codec;
use crate::error::{JournalError, Location, Region, Result};
use crate::format::{Footer, EVENT_LOG, FOOTER_LEN};
use crate::frame::FrameReader;
use crate::writer::WriteSummary;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use xxhash_rust::xxh3::xxh3_64;

/// Replaces the source description in the header of the finished log at `path` (its
/// preamble, footer and header are checked on the way, as [`crate::Reader::open`] does; the
/// blocks are not read). Everything else in the header — instruments, event count, content
/// hash, time span — is kept. [`set_header_notes`] also replaces the data-quality report and
/// flags.
pub fn set_source(path: impl AsRef<Path>, source: impl Into<String>) -> Result<WriteSummary> {
    retitle(path.as_ref(), source.into(), None)
}

/// As [`set_source`], and replaces the header's data-quality report and flags
/// ([`crate::Header::quality`], [`crate::Header::flags`]) too.
pub fn set_header_notes(
    path: impl AsRef<Path>,
    source: impl Into<String>,
    quality: Vec<String>,
    flags: Vec<String>,
) -> Result<WriteSummary> {
    retitle(path.as_ref(), source.into(), Some((quality, flags)))
}

fn retitle(
    path: &Path,
    source: String,
    notes: Option<(Vec<String>, Vec<String>)>,
) -> Result<WriteSummary> {
    let frames = FrameReader::open(path, &EVENT_LOG)?;
    let trailer_offset = frames.trailer_offset();
    let block_count = frames.block_count();
    let at = |offset| Location {
        path: path.to_path_buf(),
        region: Region::Trailer,
        offset,
    };
    let mut header =
        codec::decode_header(frames.trailer()).map_err(|e| JournalError::Undecodable {
            at: at(trailer_offset),
            what: "the header".to_string(),
            detail: e.0,
        })?;
    drop(frames);
    header.source = source;
    if let Some((quality, flags)) = notes {
        header.quality = quality;
        header.flags = flags;
    }
    let trailer = codec::encode_header(&header).map_err(|e| JournalError::Unencodable {
        at: at(trailer_offset),
        what: "the header".to_string(),
        detail: e.0,
    })?;
    let footer = Footer {
        trailer_offset,
        trailer_len: trailer.len() as u64,
        trailer_checksum: xxh3_64(&trailer),
        block_count,
        end_magic: EVENT_LOG.end_magic,
    };
    let io = |doing: &'static str| {
        move |source| JournalError::Io {
            at: at(trailer_offset),
            doing,
            source,
        }
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(io("opening the log to rewrite its header"))?;
    file.set_len(trailer_offset)
        .map_err(io("cutting the log before its header"))?;
    file.seek(SeekFrom::Start(trailer_offset))
        .map_err(io("seeking to the header"))?;
    file.write_all(&trailer)
        .and_then(|()| file.write_all(&footer.to_bytes()))
        .and_then(|()| file.flush())
        .map_err(io("writing the trailer"))?;
    Ok(WriteSummary {
        path: path.to_path_buf(),
        header,
        block_count,
        file_bytes: trailer_offset + trailer.len() as u64 + FOOTER_LEN,
    })
}
