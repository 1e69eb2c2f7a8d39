//! The rules a scenario must follow beyond its types: the id matches the file name, one perp,
//! every figure either published or named in `not_found`, real-data paths relative — and
//! then that its [`Plan`] resolves.

use crate::figures::Figures;
use crate::plan::Plan;
use crate::scenario::Scenario;
use crate::ScenarioError;
use cascade_types::{InstrumentKind, Qty, Rate, Ts, SCALE};

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
        self.check_ranges()?;
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

    /// Parameter ranges the generator needs to stay well formed and inside the fixed-point
    /// range (about ±92 billion units). Every field of `params.rs` is checked here or, where
    /// the check needs the figures, in [`Plan::resolve`]: `bar_interval_s`, `crash_power`,
    /// the anchors' times, `funding.interval_h`/`offset_h`, `open_interest.change` and
    /// `before_usd > 0`, `liquidations.venue_share`/`long_fraction`; `seed` is any `u64`.
    fn check_ranges(&self) -> Result<(), ScenarioError> {
        let g = &self.generator;
        // `lo ≤ x ≤ hi`, bounds in hundredths.
        let within = |x: Rate, lo: i64, hi: i64| {
            x >= Rate::from_raw(lo * (SCALE / 100)) && x <= Rate::from_raw(hi * (SCALE / 100))
        };
        let (fraction, multiplier, basis, ratio) = (
            "must lie in [0, 1]",
            "must lie in [0, 1000]",
            "must lie in [-0.5, 0.5]",
            "must lie in [0, 100]",
        );
        let drift = "must lie in [-0.9, 1]";
        let funding = "must lie in [-0.1, 0.1] per interval";
        let max_usd = "must be at most 50,000,000,000 (the fixed-point range)";
        let checks: Vec<(&str, bool, &str)> = vec![
            (
                "generator.path.vol_bps",
                g.path.vol_bps <= 1_000,
                "must be at most 1000",
            ),
            (
                "generator.path.wick_bps",
                g.path.wick_bps <= 1_000,
                "must be at most 1000",
            ),
            (
                "generator.path.crash_vol_multiplier",
                within(g.path.crash_vol_multiplier, 0, 100_000),
                multiplier,
            ),
            (
                "generator.path.crash_wick_multiplier",
                within(g.path.crash_wick_multiplier, 0, 100_000),
                multiplier,
            ),
            (
                "generator.flow.volume_per_bar",
                g.flow.volume_per_bar.is_positive()
                    && g.flow.volume_per_bar <= Qty::from_int(1_000_000),
                "must lie in (0, 1,000,000]",
            ),
            (
                "generator.path.pre_crash_drift",
                within(g.path.pre_crash_drift, -90, 100),
                drift,
            ),
            (
                "generator.path.first_leg_bounce",
                within(g.path.first_leg_bounce, 0, 100),
                fraction,
            ),
            (
                "generator.path.mark_low_gap",
                within(g.path.mark_low_gap, 0, 100),
                fraction,
            ),
            (
                "generator.path.recovery_fraction",
                within(g.path.recovery_fraction, 0, 100),
                fraction,
            ),
            (
                "generator.path.post_drift",
                within(g.path.post_drift, -90, 100),
                drift,
            ),
            (
                "generator.path.stress_decay_min",
                (1..=10_080).contains(&g.path.stress_decay_min),
                "must lie in [1, 10080] (minutes: up to a week)",
            ),
            (
                "generator.flow.avg_trade_qty",
                g.flow.avg_trade_qty.is_positive()
                    && g.flow.avg_trade_qty <= Qty::from_int(1_000_000),
                "must lie in (0, 1,000,000]",
            ),
            (
                "generator.flow.taker_sell_skew",
                within(g.flow.taker_sell_skew, 0, 50),
                "must lie in [0, 0.5] (the taker-buy share is 0.5 − skew at full stress)",
            ),
            (
                "generator.funding.before",
                g.funding.before.is_none_or(|r| within(r, -10, 10)),
                funding,
            ),
            (
                "generator.funding.after",
                g.funding.after.is_none_or(|r| within(r, -10, 10)),
                funding,
            ),
            (
                "generator.open_interest.build_up",
                within(g.open_interest.build_up, -90, 100),
                drift,
            ),
            (
                "generator.flow.crash_volume_multiplier",
                within(g.flow.crash_volume_multiplier, 0, 100_000),
                multiplier,
            ),
            (
                "generator.open_interest.before_usd",
                g.open_interest.before_usd <= 50_000_000_000,
                max_usd,
            ),
            (
                "generator.long_short.before",
                g.long_short.before.is_positive() && within(g.long_short.before, 0, 10_000),
                "must lie in (0, 100]",
            ),
            (
                "generator.long_short.after",
                g.long_short.after.is_positive() && within(g.long_short.after, 0, 10_000),
                "must lie in (0, 100]",
            ),
            (
                "generator.long_short.top_positions_factor",
                g.long_short.top_positions_factor.is_positive()
                    && within(g.long_short.top_positions_factor, 0, 1_000),
                "must lie in (0, 10]",
            ),
            (
                "generator.depth.notional_5pct_usd",
                g.depth.notional_5pct_usd <= 50_000_000_000,
                max_usd,
            ),
            (
                "generator.depth.thinning",
                within(g.depth.thinning, 0, 100),
                fraction,
            ),
            (
                "generator.liquidations.background_share",
                within(g.liquidations.background_share, 0, 100),
                fraction,
            ),
            (
                "generator.spot.basis_calm",
                within(g.spot.basis_calm, -50, 50),
                basis,
            ),
            (
                "generator.spot.basis_crash",
                within(g.spot.basis_crash, -50, 50),
                basis,
            ),
            (
                "generator.spot.volume_ratio",
                within(g.spot.volume_ratio, 0, 10_000),
                ratio,
            ),
            (
                "generator.spot.wick_ratio",
                within(g.spot.wick_ratio, 0, 10_000),
                ratio,
            ),
        ];
        match checks.into_iter().find(|c| !c.1) {
            Some((field, _, why)) => Err(self.invalid(field, why)),
            None => Ok(()),
        }
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
