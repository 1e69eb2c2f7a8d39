//! The scenario catalogue as the suite reads it: every `*.toml` file of a directory, each
//! loaded on its own, so that one bad file is one failure and the others still run
//! (`cascade_scenario::load_dir` stops at the first bad file).

use crate::SuiteError;
use cascade_scenario::Scenario;
use std::path::{Path, PathBuf};

/// One scenario file: its id (the file stem, which a valid scenario's `id` equals) and the
/// scenario, or why it could not be loaded.
#[derive(Debug)]
pub struct ScenarioSlot {
    /// The file stem (`2025-10-10-tariff-crash`).
    pub id: String,
    /// The file.
    pub file: PathBuf,
    /// The loaded, validated scenario, or the error naming the file and field.
    pub scenario: Result<Scenario, SuiteError>,
}

/// Loads every `*.toml` file of `dir` (not recursing), in file-name order. Only a directory
/// that cannot be listed or holds no `*.toml` file is an error; a bad file is a slot holding
/// its error.
pub fn load_catalogue(dir: &Path) -> Result<Vec<ScenarioSlot>, SuiteError> {
    let io = |source| SuiteError::ScenarioDir {
        path: dir.to_path_buf(),
        source,
    };
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(SuiteError::NoScenarios {
            path: dir.to_path_buf(),
        });
    }
    Ok(files
        .into_iter()
        .map(|file| ScenarioSlot {
            id: file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            scenario: cascade_scenario::load(&file).map_err(SuiteError::from),
            file,
        })
        .collect())
}

/// Keeps the slots whose id equals, or starts with, one of `names` (`2025-10-10` selects
/// `2025-10-10-tariff-crash`). A name that selects nothing is an error listing the ids.
/// An empty `names` keeps everything.
pub fn select_scenarios(slots: &mut Vec<ScenarioSlot>, names: &[String]) -> Result<(), SuiteError> {
    if names.is_empty() {
        return Ok(());
    }
    for n in names {
        if !slots.iter().any(|s| s.id.starts_with(n.as_str())) {
            return Err(SuiteError::UnknownName {
                what: "scenarios",
                name: n.clone(),
                available: slots
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    slots.retain(|s| names.iter().any(|n| s.id.starts_with(n.as_str())));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_files_are_slots_and_selection_by_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let good = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/scenarios/2024-08-05-yen-carry.toml");
        std::fs::copy(&good, dir.path().join("2024-08-05-yen-carry.toml")).unwrap();
        std::fs::write(dir.path().join("broken.toml"), "id = \"broken\"\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a scenario").unwrap();
        let mut slots = load_catalogue(dir.path()).unwrap();
        let ids: Vec<&str> = slots.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["2024-08-05-yen-carry", "broken"]);
        assert!(slots[0].scenario.is_ok());
        let e = slots[1].scenario.as_ref().unwrap_err().to_string();
        assert!(
            e.contains("broken.toml") && e.contains("missing field"),
            "{e}"
        );

        let e = select_scenarios(&mut slots, &["2099".into()]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--scenarios: nothing is named \"2099\"; available: 2024-08-05-yen-carry, broken"
        );
        select_scenarios(&mut slots, &["2024".into()]).unwrap();
        assert_eq!(slots.len(), 1);
    }
}
