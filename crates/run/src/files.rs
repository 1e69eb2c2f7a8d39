//! Writing a run's output files so that an interrupted run never leaves a half-written file
//! posing as whole: every file is written under a temporary name (`NAME.partial`), synced,
//! and renamed into place; the manifest is written **last**, so a run directory without
//! `manifest.json` is an unfinished run, whatever else it holds.
//!
//! A run directory is written whole into a sibling staging directory (`.NAME.staging`) and
//! swapped into place only when the run completed ([`StagedRunDir`]): a failed or interrupted
//! run leaves the previous run in `NAME` untouched. A run never replaces a symbolic link, a
//! non-directory, or a directory holding anything but a run's own files; a staging directory
//! left by an interrupted run is named and removed by the next run into the same place.

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
/// The input-coverage table of a run, as JSON.
pub const COVERAGE_JSON: &str = "coverage.json";
/// The strategy's fills, funding, liquidations and ADL, one row each (streamed during the run).
pub const FILLS_CSV: &str = "report.fills.csv";

/// Removes a file the run wrote, if it is there.
pub(crate) fn remove_file(path: &Path) -> Result<(), RunError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(RunError::Io {
            path: path.to_path_buf(),
            doing: "removing an empty report",
            source,
        }),
    }
}

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
    refuse_unsafe_target(&path)?;
    let mut f = File::create(&tmp).map_err(io("creating"))?;
    f.write_all(bytes).map_err(io("writing"))?;
    f.sync_all().map_err(io("syncing"))?;
    drop(f);
    // Checked again just before the rename: it must not replace a link or a device.
    refuse_unsafe_target(&path)?;
    std::fs::rename(&tmp, &path).map_err(|source| RunError::Io {
        path: path.clone(),
        doing: "renaming into place",
        source,
    })?;
    Ok(path)
}

/// Refuses a file path that exists as anything but a regular file (a symbolic link, a
/// directory, a device): renaming over it would replace the link or the device itself.
pub fn refuse_unsafe_target(path: &Path) -> Result<(), RunError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(RunError::UnsafeOutput {
            path: path.to_path_buf(),
            why: "it is a symbolic link; outputs are never written through one".into(),
        }),
        Ok(m) if !m.is_file() => Err(RunError::UnsafeOutput {
            path: path.to_path_buf(),
            why: "it exists and is not a regular file".into(),
        }),
        _ => Ok(()),
    }
}

/// Whether `name` is a file a run writes into its directory (or a temporary of one).
fn is_run_file(name: &str) -> bool {
    [
        MANIFEST,
        JOURNAL,
        LATENCY,
        CROWD_TEXT,
        HEATMAP_SVG,
        COVERAGE_JSON,
    ]
    .contains(&name)
        || name.starts_with("report.")
        || name.ends_with(".partial")
}

/// A run directory being written: every file goes into a sibling staging directory, which
/// [`commit`](StagedRunDir::commit) swaps into place once the run completed. Dropped without a
/// commit (an error, a panic), the staging directory is removed and the previous run, if any,
/// is untouched.
#[derive(Debug)]
pub struct StagedRunDir {
    target: PathBuf,
    stage: PathBuf,
    old: PathBuf,
    committed: bool,
}

impl StagedRunDir {
    /// Checks that `dir` may be replaced (absent, or a directory of run files only) and
    /// creates the staging directory beside it, removing (and naming on stderr) one left by an
    /// interrupted run.
    pub fn create(dir: &Path) -> Result<StagedRunDir, RunError> {
        let unsafe_out = |why: String| RunError::UnsafeOutput {
            path: dir.to_path_buf(),
            why,
        };
        let name = match dir.file_name() {
            Some(n)
                if dir
                    .components()
                    .next_back()
                    .is_some_and(|c| matches!(c, std::path::Component::Normal(_))) =>
            {
                n.to_string_lossy().into_owned()
            }
            _ => {
                return Err(unsafe_out(
                    "a run directory must be named by a plain last component".into(),
                ))
            }
        };
        match std::fs::symlink_metadata(dir) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(unsafe_out(
                    "it is a symbolic link; a run directory is never written through one".into(),
                ))
            }
            Ok(m) if !m.is_dir() => {
                return Err(unsafe_out("it exists and is not a directory".into()))
            }
            Ok(_) => {
                let entries = std::fs::read_dir(dir).map_err(|source| RunError::Io {
                    path: dir.to_path_buf(),
                    doing: "listing the output directory",
                    source,
                })?;
                let mut foreign: Vec<String> = entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !is_run_file(n))
                    .collect();
                foreign.sort();
                if let Some(first) = foreign.first() {
                    return Err(unsafe_out(format!(
                        "it holds `{first}`{}, which is not a run's file; a new run replaces the \
                         whole directory, so choose a new or empty one",
                        if foreign.len() > 1 {
                            format!(" and {} more", foreign.len() - 1)
                        } else {
                            String::new()
                        }
                    )));
                }
            }
            Err(_) => {}
        }
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|source| RunError::Io {
            path: parent.to_path_buf(),
            doing: "creating the output directory's parent",
            source,
        })?;
        let stage = parent.join(format!(".{name}.staging"));
        let old = parent.join(format!(".{name}.replaced"));
        for stale in [&stage, &old] {
            if std::fs::symlink_metadata(stale).is_ok() {
                eprintln!(
                    "note: removing {}, left by an interrupted run",
                    stale.display()
                );
                remove_tree(stale)?;
            }
        }
        std::fs::create_dir(&stage).map_err(|source| RunError::Io {
            path: stage.clone(),
            doing: "creating the staging directory",
            source,
        })?;
        Ok(StagedRunDir {
            target: dir.to_path_buf(),
            stage,
            old,
            committed: false,
        })
    }

    /// Where the run's files are written until the commit.
    pub fn path(&self) -> &Path {
        &self.stage
    }

    /// Swaps the finished run into place: the previous directory (if any) is moved aside,
    /// the staging directory renamed to the target, then the previous one removed.
    pub fn commit(mut self) -> Result<(), RunError> {
        let io = |path: &Path, doing| {
            let path = path.to_path_buf();
            move |source| RunError::Io {
                path,
                doing,
                source,
            }
        };
        let had_old = std::fs::symlink_metadata(&self.target).is_ok();
        if had_old {
            std::fs::rename(&self.target, &self.old)
                .map_err(io(&self.target, "moving the previous run aside"))?;
        }
        if let Err(source) = std::fs::rename(&self.stage, &self.target) {
            if had_old {
                let _ = std::fs::rename(&self.old, &self.target);
            }
            return Err(RunError::Io {
                path: self.target.clone(),
                doing: "moving the finished run into place",
                source,
            });
        }
        self.committed = true;
        if had_old {
            remove_tree(&self.old)?;
        }
        Ok(())
    }
}

impl Drop for StagedRunDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.stage);
        }
    }
}

fn remove_tree(path: &Path) -> Result<(), RunError> {
    let m = std::fs::symlink_metadata(path);
    let r = match m {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(_) => Ok(()),
    };
    r.map_err(|source| RunError::Io {
        path: path.to_path_buf(),
        doing: "removing a leftover of an interrupted run",
        source,
    })
}
