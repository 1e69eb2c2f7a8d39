//! Writing a run's output files so that an interrupted run never leaves a half-written file
//! posing as whole: every file is written under a temporary name (`NAME.partial`), synced,
//! and renamed into place; the manifest is written **last**, so a run directory without
//! `manifest.json` is an unfinished run, whatever else it holds.

use crate::error::RunError;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The manifest's file name in a run directory. Its presence means the run finished.
pub const MANIFEST: &str = "manifest.json";
/// The run journal's file name in a run directory.
pub const JOURNAL: &str = "journal.crun";
/// The wall-clock latency statistics' file name (not a result).
pub const LATENCY: &str = "latency.txt";
/// The crowd's report (cascade report and fidelity table), in a run with a crowd.
pub const CROWD_TEXT: &str = "crowd.txt";
/// The crowd's liquidation heatmap picture, in a run with a crowd.
pub const HEATMAP_SVG: &str = "heatmap.svg";

/// Writes `bytes` to `dir/name` atomically (temporary name, sync, rename).
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, RunError> {
    let path = dir.join(name);
    let tmp = dir.join(format!("{name}.partial"));
    let io = |doing| {
        let p = tmp.clone();
        move |source| RunError::Io {
            path: p,
            doing,
            source,
        }
    };
    let mut f = File::create(&tmp).map_err(io("creating"))?;
    f.write_all(bytes).map_err(io("writing"))?;
    f.sync_all().map_err(io("syncing"))?;
    drop(f);
    std::fs::rename(&tmp, &path).map_err(|source| RunError::Io {
        path: path.clone(),
        doing: "renaming into place",
        source,
    })?;
    Ok(path)
}

/// Prepares `dir` for a new run: creates it, removes a manifest left by an earlier run there
/// (first, so that the directory stops looking finished at once), then the earlier run's
/// journal, latency statistics and `report.*` files, so that nothing of it can pose as this
/// run's output.
pub fn prepare_run_dir(dir: &Path) -> Result<(), RunError> {
    std::fs::create_dir_all(dir).map_err(|source| RunError::Io {
        path: dir.to_path_buf(),
        doing: "creating the output directory",
        source,
    })?;
    remove_if_there(&dir.join(MANIFEST))?;
    let entries = std::fs::read_dir(dir).map_err(|source| RunError::Io {
        path: dir.to_path_buf(),
        doing: "listing the output directory",
        source,
    })?;
    let mut stale = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name == JOURNAL
            || name == LATENCY
            || name.starts_with("report.")
            || name.ends_with(".partial")
        {
            stale.push(e.path());
        }
    }
    stale.sort();
    for p in stale {
        remove_if_there(&p)?;
    }
    Ok(())
}

fn remove_if_there(path: &Path) -> Result<(), RunError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(RunError::Io {
            path: path.to_path_buf(),
            doing: "removing a file of an earlier run",
            source,
        }),
    }
}
