//! The suite file: which strategies, with which parameters and under which labels, are
//! scored against every scenario, and the run settings they share (format: [`Suite`]).

use crate::SuiteError;
use cascade_run::RunConfig;
use cascade_strategy::{Params, Registry};
use cascade_types::{Money, Ts};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    baseline: Option<String>,
    #[serde(default)]
    config: ConfigFile,
    #[serde(default)]
    entry: Vec<EntryFile>,
    /// The crowd, on the first linear perpetual of every scenario (off when absent).
    #[serde(default)]
    crowd: Option<cascade_run::CrowdConfig>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    latency_ms: Option<i64>,
    sample_interval_s: Option<i64>,
    deposit: Option<String>,
    insurance_fund: Option<String>,
    seed: Option<u64>,
    /// `computed` or `zero`: funding for a perpetual whose real data holds none (else
    /// refused). Reconstructions generate their own funding and ignore it.
    funding_default: Option<String>,
    /// `last`: the mark for a perpetual whose data holds no mark or index (else refused).
    mark_default: Option<String>,
    bar_order: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryFile {
    label: String,
    strategy: String,
    #[serde(default)]
    about: String,
    #[serde(default)]
    params: toml::Table,
}

/// One strategy configuration of the suite.
#[derive(Clone, Debug)]
pub struct SuiteEntry {
    /// Unique label (`buy-and-hold-perp-10x`), used in tables and file names.
    pub label: String,
    /// The strategy's registry name.
    pub strategy: String,
    /// One line for reports.
    pub about: String,
    /// Its parameters.
    pub params: Params,
}

/// A parsed suite file.
///
/// # The suite file
///
/// `fixtures/suite.toml` is the default suite:
///
/// ```toml
/// baseline = "buy-and-hold-perp-10x"   # entry the comparison table measures against
///
/// [config]                  # optional; settings that shape results (defaults shown)
/// latency_ms = 10
/// sample_interval_s = 60
/// deposit = "10000"
/// insurance_fund = "venue"  # the preset's dated fund per contract group; or an amount, assumed
/// seed = 0
/// # funding_default = "computed"   # unset: a run whose data lacks funding is refused
/// # mark_default = "last"          # unset: a run whose data lacks mark and index is refused
/// bar_order = "declared"    # or "adverse": which extreme a bar's path meets first
///
/// [[entry]]                 # one or more, scored in this order
/// label = "buy-and-hold-perp-10x"      # unique; [a-z0-9-]
/// strategy = "buy-and-hold"            # registry name
/// about = "the leveraged baseline"     # optional, one line for reports
/// params = { mode = "perp", leverage = 10 }
///
/// [crowd]                   # optional: the crowd (a cascade_crowd CrowdConfig; off when
/// mode = "impact"           # absent), on each scenario's first linear perpetual,
/// oi_share = 0.1            # following its recorded open interest
/// ```
#[derive(Clone, Debug)]
pub struct Suite {
    /// Where it was read from (empty for a suite built in code).
    pub path: PathBuf,
    /// The entries, in file order (the order of every table).
    pub entries: Vec<SuiteEntry>,
    /// The label of the entry the comparison table measures against, if any.
    pub baseline: Option<String>,
    /// Settings that shape results, shared by every run.
    pub config: RunConfig,
}

impl Suite {
    /// Reads and checks a suite file.
    pub fn from_file(path: &Path) -> Result<Suite, SuiteError> {
        let text = std::fs::read_to_string(path).map_err(|e| SuiteError::SuiteFile {
            path: path.to_path_buf(),
            message: format!("cannot read: {e}"),
        })?;
        Suite::parse(&text, path)
    }

    /// Parses the text of a suite file; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Suite, SuiteError> {
        let bad = |message: String| SuiteError::SuiteFile {
            path: path.to_path_buf(),
            message,
        };
        let file: File = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            });
            bad(format!("line {line}: {}", e.message().trim()))
        })?;
        let mut config = run_config(&file.config).map_err(|m| bad(format!("[config]: {m}")))?;
        if let Some(c) = file.crowd {
            c.validate().map_err(|e| bad(format!("[crowd]: {e}")))?;
            config.crowd = Some(cascade_run::CrowdSetup {
                config: c,
                book: None,
                first_perp: true,
            });
        }
        let mut entries: Vec<SuiteEntry> = Vec::with_capacity(file.entry.len());
        for (k, e) in file.entry.into_iter().enumerate() {
            let at = format!("[[entry]] #{} ({:?})", k + 1, e.label);
            let label_ok = !e.label.is_empty()
                && e.label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !label_ok {
                return Err(bad(format!(
                    "{at}: `label` must be non-empty lower-case letters, digits and '-'"
                )));
            }
            if entries.iter().any(|x| x.label == e.label) {
                return Err(bad(format!("{at}: `label` is used twice")));
            }
            let origin = format!("{} entry {}", path.display(), e.label);
            let params_text =
                toml::to_string(&e.params).map_err(|err| bad(format!("{at}: {err}")))?;
            let params = Params::from_toml_str(&params_text, &origin)
                .map_err(|err| bad(format!("{at}: `params`: {err}")))?;
            entries.push(SuiteEntry {
                label: e.label,
                strategy: e.strategy,
                about: e.about,
                params,
            });
        }
        if entries.is_empty() {
            return Err(bad("no [[entry]]: the suite scores nothing".into()));
        }
        if let Some(b) = &file.baseline {
            if !entries.iter().any(|e| &e.label == b) {
                return Err(bad(format!("`baseline`: no entry is labelled {b:?}")));
            }
        }
        Ok(Suite {
            path: path.to_path_buf(),
            entries,
            baseline: file.baseline,
            config,
        })
    }

    /// Checks that every entry's strategy exists in `registry` and accepts its parameters,
    /// before anything runs.
    pub fn check(&self, registry: &Registry) -> Result<(), SuiteError> {
        for e in &self.entries {
            registry
                .create(&e.strategy, &e.params)
                .map_err(|err| SuiteError::SuiteFile {
                    path: self.path.clone(),
                    message: format!("entry {:?}: {err}", e.label),
                })?;
        }
        Ok(())
    }

    /// Keeps the entries whose label or strategy name is in `names` (in suite order). A name
    /// that selects nothing is an error listing the labels.
    pub fn select(&mut self, names: &[String]) -> Result<(), SuiteError> {
        for n in names {
            if !self
                .entries
                .iter()
                .any(|e| &e.label == n || &e.strategy == n)
            {
                return Err(SuiteError::UnknownName {
                    what: "strategies",
                    name: n.clone(),
                    available: self
                        .entries
                        .iter()
                        .map(|e| e.label.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        self.entries
            .retain(|e| names.iter().any(|n| n == &e.label || n == &e.strategy));
        if let Some(b) = &self.baseline {
            if !self.entries.iter().any(|e| &e.label == b) {
                self.baseline = None;
            }
        }
        Ok(())
    }
}

fn run_config(c: &ConfigFile) -> Result<RunConfig, String> {
    let mut r = RunConfig::default();
    let money = |s: &str, what: &str| -> Result<Money, String> {
        s.parse().map_err(|e| format!("`{what}`: {e}"))
    };
    if let Some(ms) = c.latency_ms {
        r.latency_ns = ms
            .checked_mul(1_000_000)
            .ok_or("`latency_ms` is too large")?;
    }
    if let Some(s) = c.sample_interval_s {
        r.sample_interval_ns = s
            .checked_mul(Ts::NANOS_PER_SEC)
            .ok_or("`sample_interval_s` is too large")?;
    }
    if let Some(d) = &c.deposit {
        r.deposit = money(d, "deposit")?;
    }
    if let Some(f) = &c.insurance_fund {
        r.insurance_fund = f.parse().map_err(|e| format!("`insurance_fund`: {e}"))?;
    }
    if let Some(s) = c.seed {
        r.seed = s;
    }
    if let Some(d) = &c.funding_default {
        r.funding_default = Some(d.parse().map_err(|e| format!("`funding_default`: {e}"))?);
    }
    if let Some(d) = &c.mark_default {
        r.mark_default = Some(d.parse().map_err(|e| format!("`mark_default`: {e}"))?);
    }
    if let Some(o) = &c.bar_order {
        r.bar_path.order = o.parse().map_err(|e| format!("`bar_order`: {e}"))?;
    }
    r.validate().map_err(|e| e.to_string())?;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        Suite::parse(text, Path::new("suite.toml"))
            .map(|_| "ok".to_string())
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn parses_and_checks() {
        let s = Suite::parse(
            "baseline = \"b\"\n[config]\ndeposit = \"5000\"\n\
             [[entry]]\nlabel = \"a\"\nstrategy = \"noop\"\n\
             [[entry]]\nlabel = \"b\"\nstrategy = \"noise\"\nparams = { every = 10, qty = \"0.01\" }\n",
            Path::new("suite.toml"),
        )
        .unwrap();
        assert_eq!(s.entries.len(), 2);
        assert_eq!(s.config.deposit, Money::from_int(5000));
        assert_eq!(s.entries[1].params.get_u64("every", 1).unwrap(), 10);
        s.check(&Registry::with_builtins()).unwrap();

        let out = [
            err("[[entry]]\nlabel = \"A b\"\nstrategy = \"noop\"\n"),
            err("[[entry]]\nlabel = \"a\"\nstrategy = \"noop\"\n[[entry]]\nlabel = \"a\"\nstrategy = \"noop\"\n"),
            err("baseline = \"z\"\n[[entry]]\nlabel = \"a\"\nstrategy = \"noop\"\n"),
            err("[config]\ndeposit = \"lots\"\n[[entry]]\nlabel = \"a\"\nstrategy = \"noop\"\n"),
            err("[[entry]]\nlabel = \"a\"\n"),
            err(""),
        ]
        .join("\n");
        assert_eq!(
            out,
            "suite.toml: [[entry]] #1 (\"A b\"): `label` must be non-empty lower-case letters, digits and '-'
suite.toml: [[entry]] #2 (\"a\"): `label` is used twice
suite.toml: `baseline`: no entry is labelled \"z\"
suite.toml: [config]: `deposit`: expected a decimal number with at most 8 decimals, found \"lots\": not a number
suite.toml: line 1: missing field `strategy`
suite.toml: no [[entry]]: the suite scores nothing"
        );
        let bad = Suite::parse(
            "[[entry]]\nlabel = \"a\"\nstrategy = \"noise\"\nparams = { evry = 1 }\n",
            Path::new("suite.toml"),
        )
        .unwrap();
        let e = bad
            .check(&Registry::with_builtins())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("suite.toml: entry \"a\": strategy `noise`: unknown parameter `evry`"),
            "{e}"
        );
    }

    #[test]
    fn select_by_label_or_strategy() {
        let mut s = Suite::parse(
            "baseline = \"a\"\n[[entry]]\nlabel = \"a\"\nstrategy = \"noop\"\n[[entry]]\nlabel = \"b\"\nstrategy = \"noise\"\n",
            Path::new("suite.toml"),
        )
        .unwrap();
        let e = s.clone().select(&["x".into()]).unwrap_err().to_string();
        assert_eq!(e, "--strategies: nothing is named \"x\"; available: a, b");
        s.select(&["noise".into()]).unwrap();
        assert_eq!(s.entries.len(), 1);
        assert_eq!(s.baseline, None);
    }
}
