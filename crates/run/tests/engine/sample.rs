//! The bundled synthetic sample (`fixtures/sample`, Binance public-data formats) imported
//! file by file into one log each, run over all of them at once (k-way merged, the first file
//! winning ties), and replayed.

use crate::check::*;
use cascade_import::{open, ImportOptions, InstrumentTable};
use cascade_journal::Writer;
use std::path::{Path, PathBuf};

fn data_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            data_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "csv") {
            out.push(p);
        }
    }
}

/// One log per sample file, in path order.
fn import_sample(dir: &Path) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/sample");
    let mut files = Vec::new();
    data_files(&root, &mut files);
    assert!(files.len() >= 5, "the sample has its files");
    let mut table = InstrumentTable::infer();
    let mut logs = Vec::new();
    for (k, f) in files.iter().enumerate() {
        let events: Vec<_> = open(f, &ImportOptions::default(), &mut table)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let path = dir.join(format!("{k}.clog"));
        let mut w = Writer::create(
            &path,
            table.specs().to_vec(),
            f.file_name().unwrap().to_string_lossy(),
        )
        .unwrap();
        w.write_all(&events).unwrap();
        w.finish().unwrap();
        logs.push(path);
    }
    logs
}

#[test]
fn the_sample_runs_merged_and_replays() {
    let dir = tempfile::tempdir().unwrap();
    let logs = import_sample(dir.path());
    let out = dir.path().join("run");
    let o = run_into(
        &spec(logs, "noise", &["every=50", "qty=0.01"]),
        &out,
        &exec(512, 4),
    );
    assert!(
        o.manifest.final_state.ticks > 0,
        "the sample's klines were expanded"
    );
    let v = cascade_run::verify(&out, &registry(), &exec(7, 1)).unwrap();
    assert!(v.inputs_checked);
    insta::assert_snapshot!(o
        .report_text
        .replace(&dir.path().display().to_string(), "DIR"));
}
