//! Bad input, one case per test: every one is an error naming file, region and byte offset —
//! never a panic, never silently skipped data.

use crate::common::*;
use cascade_journal::{JournalError, Reader, Region, Writer};
use cascade_types::Event;
use std::path::PathBuf;

/// 4000 trades with distinct timestamps: three blocks of 1490, 1490 and 1020 events.
fn three_blocks(tmp: &Tmp) -> (PathBuf, Vec<u8>) {
    let path = tmp.path("good.clog");
    let events: Vec<Event> = (0..4000)
        .map(|i| trade(t(i), 0, 60_000 + i, i as u64))
        .collect();
    write_log(&path, vec![btc_perp()], &events);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(
        frames(&bytes).0.iter().map(|f| f.2).collect::<Vec<_>>(),
        [1490, 1490, 1020]
    );
    assert_eq!(check_read(tmp, &path), "ok: 4000 events");
    (path, bytes)
}

fn save(tmp: &Tmp, name: &str, bytes: &[u8]) -> PathBuf {
    let path = tmp.path(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_file_cut_anywhere_is_truncated() {
    let tmp = Tmp::new();
    let (_, bytes) = three_blocks(&tmp);
    let (blocks, trailer) = frames(&bytes);
    let len = bytes.len();
    let cuts = [
        ("empty file", 0),
        ("inside the magic", 5),
        ("inside the version", 10),
        ("after the preamble", 12),
        ("inside block 0's frame", 20),
        ("inside block 0's payload", blocks[0].0 + 16 + 1000),
        ("at the block 0/1 boundary", blocks[1].0),
        ("inside block 2's payload", blocks[2].0 + 100),
        ("before the trailer", trailer),
        ("inside the trailer", trailer + 5),
        ("before the footer", len - 40),
        ("one byte short", len - 1),
    ];
    let mut report = String::new();
    for (what, cut) in cuts {
        let path = save(&tmp, "cut.clog", &bytes[..cut]);
        let outcome = check_read(&tmp, &path);
        assert!(
            !outcome.starts_with("ok"),
            "cut at {cut} ({what}) was read as {outcome}"
        );
        report += &format!("{what} ({cut}): {outcome}\n");
    }
    insta::assert_snapshot!(report);
}

#[test]
fn a_file_whose_writer_never_finished_is_truncated() {
    let tmp = Tmp::new();
    let path = tmp.path("crashed.clog");
    let mut w = Writer::create(&path, vec![btc_perp()], "x").unwrap();
    for i in 0..5000 {
        w.write(&trade(t(i), 0, 1, i as u64)).unwrap();
    }
    drop(w); // a crash: no finish()
    let e = Reader::open(&path).err().unwrap();
    assert!(matches!(e, JournalError::Unfinished { .. }), "{e}");
    insta::assert_snapshot!(check_read(&tmp, &path), @r#"[TMP]/crashed.clog: footer at byte 196732: truncated or unfinished log: expected the end marker b"CASCEND\x00" in the last 8 bytes, found b"u\x11\x00\x00\x00\x00\x00\x00"; the writer never finished or the file was cut short"#);

    let path = tmp.path("just-created.clog");
    let w = Writer::create(&path, vec![btc_perp()], "x").unwrap();
    drop(w);
    insta::assert_snapshot!(check_read(&tmp, &path), @"[TMP]/just-created.clog: footer at byte 12: truncated footer: expected 40 bytes, only 0 left in the file");
}

#[test]
fn a_flipped_byte_in_a_block_is_a_checksum_error_naming_block_and_offset() {
    let tmp = Tmp::new();
    let (_, mut bytes) = three_blocks(&tmp);
    let (blocks, _) = frames(&bytes);
    bytes[blocks[1].0 + 16 + 777] ^= 0x10;
    let path = save(&tmp, "flipped.clog", &bytes);

    // Everything before block 1 is handed out; then the error; then nothing.
    let mut reader = Reader::open(&path).unwrap();
    let good = reader.by_ref().take_while(|r| r.is_ok()).count();
    assert_eq!(good, 1490);
    assert!(reader.next().is_none());
    let e = Reader::open(&path).unwrap().find_map(|r| r.err()).unwrap();
    let at = e.location();
    assert_eq!(
        (at.region, at.offset),
        (Region::Block(1), blocks[1].0 as u64)
    );
    insta::assert_snapshot!(check_read(&tmp, &path), @"[TMP]/flipped.clog: block 1 at byte 65588: checksum mismatch in block payload: stored 0x802e1772a92cad6c, computed 0x4fd223e82ee86f1e");
}

#[test]
fn wrong_magic_is_not_a_log() {
    let tmp = Tmp::new();
    let (_, mut bytes) = three_blocks(&tmp);
    bytes[..8].copy_from_slice(b"PK\x03\x04\x14\0\0\0");
    let path = save(&tmp, "zip.clog", &bytes);
    insta::assert_snapshot!(check_read(&tmp, &path), @r#"[TMP]/zip.clog: preamble at byte 0: not a cascade event log: expected magic b"CASCLOG\x00", found b"PK\x03\x04\x14\x00\x00\x00""#);
    let path = save(&tmp, "short.txt", b"hi\n");
    insta::assert_snapshot!(check_read(&tmp, &path), @r#"[TMP]/short.txt: preamble at byte 0: not a cascade event log: expected magic b"CASCLOG\x00", found b"hi\n\x00\x00\x00\x00\x00""#);
}

#[test]
fn wrong_version_is_unsupported() {
    let tmp = Tmp::new();
    let (_, mut bytes) = three_blocks(&tmp);
    bytes[8..12].copy_from_slice(&1u32.to_le_bytes());
    let path = save(&tmp, "v1.clog", &bytes);
    insta::assert_snapshot!(check_read(&tmp, &path), @"[TMP]/v1.clog: preamble at byte 8: unsupported format version 1: this build reads version 2");
}

#[test]
fn a_flipped_byte_in_the_trailer_is_a_checksum_error() {
    let tmp = Tmp::new();
    let (_, mut bytes) = three_blocks(&tmp);
    let (_, trailer) = frames(&bytes);
    bytes[trailer + 3] ^= 1;
    let path = save(&tmp, "trailer.clog", &bytes);
    let outcome = check_read(&tmp, &path);
    assert!(
        outcome.contains(&format!(
            "trailer at byte {trailer}: checksum mismatch in trailer"
        )),
        "{outcome}"
    );
}

#[test]
fn a_block_length_beyond_the_block_region_is_malformed() {
    let tmp = Tmp::new();
    let (_, mut bytes) = three_blocks(&tmp);
    bytes[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    let path = save(&tmp, "len.clog", &bytes);
    insta::assert_snapshot!(check_read(&tmp, &path), @"[TMP]/len.clog: block 0 at byte 12: malformed log: expected a block of 1..=16777216 payload bytes (at most 176032 before the trailer) holding 1..=178956970 events, the frame says 4294967295 bytes and 1490 events");
}

/// Every single-bit flip anywhere in a small log is detected, through both APIs.
#[test]
fn every_flipped_byte_of_a_small_log_is_detected() {
    let tmp = Tmp::new();
    let path = tmp.path("small.clog");
    write_log(&path, instruments3(), &mixed_events(3));
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 1000, "{}", bytes.len());
    for i in 0..bytes.len() {
        for mask in [0x01u8, 0x80] {
            let mut bad = bytes.clone();
            bad[i] ^= mask;
            let p = save(&tmp, "bad.clog", &bad);
            let outcome = check_read(&tmp, &p);
            assert!(
                !outcome.starts_with("ok"),
                "flipping byte {i} with {mask:#x} went unnoticed"
            );
        }
    }
}

#[test]
fn sampled_flipped_bytes_of_a_multi_block_log_are_detected() {
    let tmp = Tmp::new();
    let (_, bytes) = three_blocks(&tmp);
    for i in (0..bytes.len())
        .step_by(1009)
        .chain(bytes.len() - 48..bytes.len())
    {
        let mut bad = bytes.clone();
        bad[i] ^= 0x04;
        let p = save(&tmp, "bad.clog", &bad);
        assert!(
            !check_read(&tmp, &p).starts_with("ok"),
            "flipping byte {i} went unnoticed"
        );
    }
}

/// A log whose checksums are all valid but whose events are out of order (crafted by
/// swapping two trades and fixing the block checksum) is refused at read time.
#[test]
fn out_of_order_events_in_a_crafted_file_are_refused_at_read_time() {
    let tmp = Tmp::new();
    let (_, mut bytes) = three_blocks(&tmp);
    let (blocks, _) = frames(&bytes);
    let at = blocks[1].0 + 16 + 10 * 44; // events 1500 and 1501, 44 bytes each
    let (first, second) = bytes[at..at + 88].split_at(44);
    let swapped = [second, first].concat();
    bytes[at..at + 88].copy_from_slice(&swapped);
    fix_block_checksum(&mut bytes, blocks[1].0);
    let path = save(&tmp, "swapped.clog", &bytes);
    let e = read_iter(&path).unwrap_err();
    assert!(
        matches!(e, JournalError::OutOfOrder { index: 1501, .. }),
        "{e}"
    );
    insta::assert_snapshot!(check_read(&tmp, &path), @"[TMP]/swapped.clog: block 1 at byte 66088: events out of order: event 1501 has ts 2025-10-10T21:20:01.5Z (1760131201500000000), before the previous event's 2025-10-10T21:20:01.501Z (1760131201501000000)");
}

#[test]
fn an_instrument_outside_the_table_in_a_crafted_file_is_refused() {
    let tmp = Tmp::new();
    let (_, mut bytes) = three_blocks(&tmp);
    let (blocks, _) = frames(&bytes);
    let at = blocks[0].0 + 16 + 5 * 44 + 8; // event 5's instrument id
    bytes[at..at + 4].copy_from_slice(&7u32.to_le_bytes());
    fix_block_checksum(&mut bytes, blocks[0].0);
    let path = save(&tmp, "instrument.clog", &bytes);
    insta::assert_snapshot!(check_read(&tmp, &path), @"[TMP]/instrument.clog: block 0 at byte 248: event 5 refers to instrument i7, but the table has 1 instruments");
}

#[test]
fn an_undecodable_event_in_a_crafted_file_is_refused() {
    let tmp = Tmp::new();
    let (_, mut bytes) = three_blocks(&tmp);
    let (blocks, _) = frames(&bytes);
    let at = blocks[0].0 + 16 + 3 * 44 + 12; // event 3's body tag
    bytes[at..at + 4].copy_from_slice(&99u32.to_le_bytes());
    fix_block_checksum(&mut bytes, blocks[0].0);
    let path = save(&tmp, "tag.clog", &bytes);
    let outcome = check_read(&tmp, &path);
    assert!(
        outcome.starts_with(
            "[TMP]/tag.clog: block 0 at byte 160: cannot decode event 3 (event 3 of the block): "
        ),
        "{outcome}"
    );
}

/// Two same-size events at the same instant swapped: checksums fixed, order still fine,
/// but the bytes are not the ones the header's content hash was computed over.
#[test]
fn a_content_hash_mismatch_is_detected_at_the_end() {
    let tmp = Tmp::new();
    let path = tmp.path("hash.clog");
    let events: Vec<Event> = (0..100)
        .map(|i| trade(t(i / 2), 0, 60_000 + i, i as u64))
        .collect();
    write_log(&path, vec![btc_perp()], &events);
    let mut bytes = std::fs::read(&path).unwrap();
    let (blocks, _) = frames(&bytes);
    let at = blocks[0].0 + 16;
    let (first, second) = bytes[at..at + 88].split_at(44);
    let swapped = [second, first].concat();
    bytes[at..at + 88].copy_from_slice(&swapped);
    fix_block_checksum(&mut bytes, blocks[0].0);
    let path = save(&tmp, "hash-bad.clog", &bytes);
    // All 100 events are handed out before the end-of-log check fails.
    let results: Vec<_> = Reader::open(&path).unwrap().collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 100);
    assert!(matches!(
        results.last(),
        Some(Err(JournalError::HashMismatch { .. }))
    ));
    insta::assert_snapshot!(check_read(&tmp, &path), @"[TMP]/hash-bad.clog: trailer at byte 4428: content hash mismatch: the header says 0x188e4643e20d17fd, the events hash to 0x0c88e983078d6908");
}

#[test]
fn a_block_count_mismatch_is_detected() {
    let tmp = Tmp::new();
    let (_, mut bytes) = three_blocks(&tmp);
    let footer = bytes.len() - 40;
    bytes[footer + 24..footer + 32].copy_from_slice(&4u64.to_le_bytes());
    let path = save(&tmp, "blocks.clog", &bytes);
    insta::assert_snapshot!(check_read(&tmp, &path), @"[TMP]/blocks.clog: trailer at byte 176060: block count mismatch: the header says 4, the file has 3");
}

/// The last block cut out and the footer patched to match: the header's event count exposes it.
#[test]
fn an_event_count_mismatch_is_detected() {
    let tmp = Tmp::new();
    let (_, bytes) = three_blocks(&tmp);
    let (blocks, trailer) = frames(&bytes);
    let cut = blocks[2].0;
    let footer = bytes.len() - 40;
    let mut spliced = bytes[..cut].to_vec();
    spliced.extend_from_slice(&bytes[trailer..footer]);
    let mut foot = bytes[footer..].to_vec();
    foot[0..8].copy_from_slice(&(cut as u64).to_le_bytes());
    foot[24..32].copy_from_slice(&2u64.to_le_bytes());
    spliced.extend_from_slice(&foot);
    let path = save(&tmp, "spliced.clog", &spliced);
    insta::assert_snapshot!(check_read(&tmp, &path), @"[TMP]/spliced.clog: trailer at byte 131164: event count mismatch: the header says 4000, the file has 2980");
}

#[test]
fn a_missing_file_is_an_io_error() {
    let tmp = Tmp::new();
    let outcome = check_read(&tmp, &tmp.path("nope.clog"));
    insta::assert_snapshot!(outcome, @"[TMP]/nope.clog: preamble at byte 0: I/O error while opening the log: No such file or directory (os error 2)");
}
