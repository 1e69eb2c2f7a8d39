//! The rules a scenario must follow beyond its types: the id matches the file name, one perp,
//! every figure either published or named in `not_found`, real-data paths relative — and
//! then that its [`Plan`] resolves.

use crate::figures::Figures;
use crate::plan::Plan;
use crate::scenario::Scenario;
use crate::ScenarioError;
use cascade_types::{InstrumentKind, Ts};

impl Scenario {
    fn invalid(&self, field: &str, why: impl Into<String>) -> ScenarioError {
        ScenarioError::Invalid {
            path: self.origin.clone(),
            field: field.to_string(),
            why: why.into(),
        }
    }

    /// Checks every rule of the format and resolves the reconstruction plan (see
    /// [`Plan`] for the anchor rules). [`load`](crate::load) calls it.
    pub fn plan(&self) -> Result<Plan, ScenarioError> {
        if self.id.is_empty()
            || !self
                .id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(self.invalid("id", "must be non-empty, ASCII letters, digits and `-`"));
        }
        if let Some(stem) = self.origin.file_stem().and_then(|s| s.to_str()) {
            if stem != self.id {
                return Err(self.invalid(
                    "id",
                    format!("{:?} differs from the file name {stem:?}", self.id),
                ));
            }
        }
        if self.title.trim().is_empty() {
            return Err(self.invalid("title", "must not be empty"));
        }
        if self.venue.preset.trim().is_empty() {
            return Err(self.invalid("venue.preset", "must not be empty"));
        }
        if let Some(d) = &self.venue.tiers_seen_from {
            if d.len() != 10 || Ts::parse_utc(d).is_err() {
                return Err(self.invalid(
                    "venue.tiers_seen_from",
                    format!("{d:?} is not a YYYY-MM-DD date"),
                ));
            }
        }
        self.check_instruments()?;
        self.check_not_found(&self.figures)?;
        for (i, r) in self.real_data.iter().enumerate() {
            if r.path.starts_with('/') || r.path.split(['/', '\\']).any(|part| part == "..") {
                return Err(self.invalid(
                    &format!("real_data[{i}].path"),
                    format!(
                        "{:?} must be relative to the data directory, without `..`",
                        r.path
                    ),
                ));
            }
        }
        Plan::resolve(self)
    }

    /// [`plan`](Scenario::plan) without the plan.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        self.plan().map(|_| ())
    }

    fn check_instruments(&self) -> Result<(), ScenarioError> {
        let perps = self
            .instruments
            .iter()
            .filter(|i| i.kind != InstrumentKind::Spot)
            .count();
        let spots = self.instruments.len() - perps;
        if perps != 1 || spots > 1 {
            return Err(self.invalid(
                "instruments",
                format!("needs exactly one perpetual and at most one spot market, found {perps} and {spots}"),
            ));
        }
        for (i, ins) in self.instruments.iter().enumerate() {
            if !ins.tick.is_positive() || !ins.lot.is_positive() || !ins.contract_size.is_positive()
            {
                return Err(self.invalid(
                    &format!("instruments[{i}]"),
                    "tick, lot and contract_size must be positive",
                ));
            }
        }
        Ok(())
    }

    fn check_not_found(&self, f: &Figures) -> Result<(), ScenarioError> {
        for (i, name) in f.not_found.iter().enumerate() {
            if !Figures::NAMES.contains(&name.as_str()) {
                return Err(self.invalid(
                    &format!("figures.not_found[{i}]"),
                    format!(
                        "unknown figure {name:?}; known: {}",
                        Figures::NAMES.join(", ")
                    ),
                ));
            }
            if f.not_found[..i].contains(name) {
                return Err(self.invalid(
                    &format!("figures.not_found[{i}]"),
                    format!("{name:?} is listed twice"),
                ));
            }
        }
        for name in Figures::NAMES {
            let listed = f.not_found.iter().any(|n| n == name);
            match (f.has(name), listed) {
                (true, true) => {
                    return Err(self.invalid(
                        "figures.not_found",
                        format!("{name:?} is listed as not found but is published"),
                    ))
                }
                (false, false) => {
                    return Err(self.invalid(
                        "figures.not_found",
                        format!("{name:?} is neither published nor listed as not found"),
                    ))
                }
                _ => {}
            }
        }
        Ok(())
    }
}
