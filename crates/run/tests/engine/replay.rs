//! `replay --verify`: a finished run re-runs bit for bit; a tampered journal is caught.

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

/// Rewrites the journal with `f` applied to every record, fixing up every checksum and the
/// trailer (a careful forger), and optionally the manifest's hash too.
fn rewrite(out: &Path, fix_manifest: bool, f: impl Fn(&mut Record)) {
    let path = out.join(JOURNAL);
    let mut r = JournalReader::open(&path).unwrap();
    let state = r.trailer().final_state.clone();
    let mut records = Vec::new();
    while let Some(mut rec) = r.next_record().unwrap() {
        f(&mut rec);
        records.push(rec);
    }
    let mut w = JournalWriter::create(&path).unwrap();
    for rec in &records {
        w.append(rec).unwrap();
    }
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

    // Without the original logs the journal alone is replayed.
    std::fs::remove_file(dir.path().join("btc.clog")).unwrap();
    let v = verify(&out, &registry(), &exec(4096, 8)).unwrap();
    assert!(!v.inputs_checked);
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
    rewrite(&out, false, bump);
    let e = verify_err(&out);
    assert!(
        e.starts_with("hash mismatch") && e.contains("trailer against the manifest"),
        "{e}"
    );

    // 2. The manifest's hash fixed up too: the re-run's records differ at the first fill.
    rewrite(&out, true, |_| {});
    let e = verify_err(&out);
    assert!(e.starts_with("replay diverged at record "), "{e}");
    assert!(e.contains("output Fill"), "{e}");

    // 3. A changed input, everything fixed up: the journal no longer matches its logs.
    let dir = tempfile::tempdir().unwrap();
    let out = finished_run(dir.path());
    rewrite(&out, true, |rec| {
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
        e.starts_with("the journal's input 1002 is `2024-08-05T00:00:50.1Z i0 trade"),
        "{e}"
    );
    assert!(
        e.contains("but the input logs have") && e.contains("the journal's inputs were changed"),
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
    assert_eq!(
        format!("{:016x}", v.final_hash),
        o.manifest.journal.final_hash
    );
}
