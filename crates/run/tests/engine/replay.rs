//! `replay --verify`: a finished run re-runs bit for bit from the input logs its journal
//! names; a tampered journal is caught, and so is a tampered or missing input log.

use crate::check::*;
use cascade_run::files::{JOURNAL, MANIFEST};
use cascade_run::run_journal::{JournalReader, JournalWriter};
use cascade_run::{verify, Record, RecordBody};
use cascade_types::*;
use std::path::Path;

fn finished_run(dir: &Path) -> std::path::PathBuf {
    let log = write_log(dir, "btc.clog", &market(3_000, 3));
    let out = dir.join("run");
    run_into(
        &spec(vec![log], "noise", &["every=40", "qty=0.01"]),
        &out,
        &exec(128, 2),
    );
    out
}

fn verify_err(out: &Path) -> String {
    match verify(out, &registry(), &exec(64, 2)) {
        Ok(v) => format!("verified {v:?}"),
        Err(e) => e.to_string(),
    }
}

/// Rewrites the journal from `records` (every record of the run) with `f` applied to each,
/// fixing up every checksum and the trailer (a careful forger), and optionally the manifest's
/// hash too.
fn rewrite(out: &Path, records: &[Record], fix_manifest: bool, f: impl Fn(&mut Record)) {
    let path = out.join(JOURNAL);
    let trailer = JournalReader::open(&path).unwrap().trailer().clone();
    let mut records = records.to_vec();
    records.iter_mut().for_each(f);
    let mut w = JournalWriter::create(&path, trailer.inputs).unwrap();
    for rec in &records {
        w.append(rec).unwrap();
    }
    let state = trailer.final_state;
    let summary = w.finish(state).unwrap();
    if fix_manifest {
        let m = out.join(MANIFEST);
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&m).unwrap()).unwrap();
        v["journal"]["final_hash"] = format!("{:016x}", summary.final_hash).into();
        std::fs::write(&m, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    }
}

#[test]
fn a_finished_run_verifies_against_its_journal_and_its_logs() {
    let dir = tempfile::tempdir().unwrap();
    let out = finished_run(dir.path());
    let v = verify(&out, &registry(), &exec(1, 1)).unwrap();
    assert!(v.inputs_checked);
    let m = cascade_run::Manifest::read(&out).unwrap();
    assert_eq!(format!("{:016x}", v.final_hash), m.journal.final_hash);
    assert_eq!(v.records, m.journal.records);

    // The journal names the log by content hash and stores only what the run added.
    let r = JournalReader::open(&out.join(JOURNAL)).unwrap();
    let t = r.trailer();
    assert_eq!(t.inputs.len(), 1);
    assert_eq!(
        format!("{:016x}", t.inputs[0].content_hash),
        m.inputs[0].content_hash
    );
    assert!(!t.inputs_stored);
    assert_eq!(t.record_count, m.journal.records);
    let stored = stored_records(&out.join(JOURNAL));
    assert_eq!(stored.len() as u64, t.stored_count);
    assert!(stored
        .iter()
        .all(|r| !matches!(r.body, RecordBody::Market(_))));
    assert_eq!(
        t.record_count - t.stored_count,
        m.final_state.market_events,
        "every market event is named by the log, not stored"
    );
    let journal = std::fs::metadata(out.join(JOURNAL)).unwrap().len();
    let log = std::fs::metadata(dir.path().join("btc.clog"))
        .unwrap()
        .len();
    assert!(journal * 4 < log, "journal {journal} bytes, log {log}");

    // Without the original logs the run cannot be replayed: the error names the log.
    std::fs::remove_file(dir.path().join("btc.clog")).unwrap();
    let e = verify_err(&out);
    assert!(
        e.starts_with("input log ") && e.contains("btc.clog: not found"),
        "{e}"
    );
    assert!(e.contains(&m.inputs[0].content_hash), "{e}");
}

#[test]
fn a_tampered_input_log_is_refused_by_its_hash() {
    // A log rewritten with one trade changed (a new, consistent log): its header's content
    // hash is not the one the journal names.
    let dir = tempfile::tempdir().unwrap();
    let out = finished_run(dir.path());
    let m = cascade_run::Manifest::read(&out).unwrap();
    let mut events = market(3_000, 3);
    let i = events
        .iter()
        .position(|e| matches!(e.body, EventBody::Trade(_)))
        .unwrap();
    if let EventBody::Trade(t) = &mut events[i].body {
        t.price = Price::from_raw(t.price.raw() + 10_000_000);
    }
    let log = write_log(dir.path(), "btc.clog", &events);
    let found = cascade_journal::Reader::open(&log)
        .unwrap()
        .header()
        .content_hash;
    let e = verify_err(&out);
    assert_eq!(
        e,
        format!(
            "hash mismatch (input log {} against the run journal (it is not the log the run \
             read)): expected 0x{}, found {found:#018x}",
            log.display(),
            m.inputs[0].content_hash
        )
    );

    // A byte of an event flipped under an intact header: the log's block checksum, naming
    // the log.
    let dir = tempfile::tempdir().unwrap();
    let out = finished_run(dir.path());
    let log = dir.path().join("btc.clog");
    let mut bytes = std::fs::read(&log).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    std::fs::write(&log, &bytes).unwrap();
    let e = verify_err(&out);
    assert!(e.contains("btc.clog") && e.contains("checksum"), "{e}");

    // The untampered log verifies.
    write_log(dir.path(), "btc.clog", &market(3_000, 3));
    assert!(
        verify(&out, &registry(), &exec(64, 2))
            .unwrap()
            .inputs_checked
    );
}

#[test]
fn a_flipped_byte_is_caught_by_its_block_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let out = finished_run(dir.path());
    let path = out.join(JOURNAL);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let e = verify_err(&out);
    assert!(
        e.contains("block 0 at byte 12: checksum mismatch in block payload"),
        "{e}"
    );

    // A journal cut short has no footer.
    bytes[100] ^= 1;
    std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
    let e = verify_err(&out);
    assert!(e.contains("truncated or unfinished journal"), "{e}");
}

#[test]
fn a_consistently_rewritten_journal_is_caught() {
    // 1. A changed output with checksums fixed up but the manifest untouched: the hash.
    let dir = tempfile::tempdir().unwrap();
    let out = finished_run(dir.path());
    let bump = |rec: &mut Record| {
        if let RecordBody::Output(Output::Fill { price, .. }) = &mut rec.body {
            *price = Price::from_raw(price.raw() + 1);
        }
    };
    let original = run_records(&out);
    rewrite(&out, &original, false, bump);
    let e = verify_err(&out);
    assert!(
        e.starts_with("hash mismatch") && e.contains("trailer against the manifest"),
        "{e}"
    );

    // 2. The manifest's hash fixed up too: the re-run's records differ at the first fill.
    rewrite(&out, &original, true, bump);
    let e = verify_err(&out);
    assert!(e.starts_with("replay diverged at record "), "{e}");
    assert!(e.contains("output Fill"), "{e}");

    // 3. A changed input in the hashed stream, everything fixed up: the re-run from the logs
    //    matches every stored record, but its rolling hash (over the logs' events) is not the
    //    forged one.
    let dir = tempfile::tempdir().unwrap();
    let out = finished_run(dir.path());
    let original = run_records(&out);
    rewrite(&out, &original, true, |rec| {
        if let RecordBody::Market(Event {
            body: EventBody::Trade(t),
            ..
        }) = &mut rec.body
        {
            if t.trade_id == 1_002 {
                t.price = Price::from_raw(t.price.raw() + 10_000_000);
            }
        }
    });
    let e = verify_err(&out);
    assert!(
        e.starts_with("hash mismatch (re-run against the manifest)"),
        "{e}"
    );
}

#[test]
fn events_held_in_memory_run_and_replay_from_the_journal_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let inputs = cascade_run::Inputs::from_events(vec![btc()], market(1_000, 5));
    let s = spec(Vec::new(), "noise", &["every=25", "qty=0.01"]);
    let o = cascade_run::run_inputs(inputs, &s, &registry(), Some(&out), &exec(64, 2)).unwrap();
    assert!(o.manifest.inputs.is_empty() && o.manifest.start.is_some());
    let v = verify(&out, &registry(), &exec(64, 2)).unwrap();
    assert!(!v.inputs_checked);
    let t = JournalReader::open(&out.join(JOURNAL))
        .unwrap()
        .trailer()
        .clone();
    assert!(t.inputs_stored && t.inputs.is_empty());
    assert_eq!(t.stored_count, t.record_count);
    assert_eq!(t.stored_hash, t.final_hash);
    assert_eq!(
        format!("{:016x}", v.final_hash),
        o.manifest.journal.final_hash
    );
}
