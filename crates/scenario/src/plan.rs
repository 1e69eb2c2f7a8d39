//! The reconstruction plan: every anchor of a scenario resolved from its published figures
//! and its generator parameters, each by one written rule, and checked. A scenario whose plan
//! resolves can be reconstructed; the generator reads nothing else of the figures.
//!
//! Resolution rules (a published figure always wins over a parameter; a parameter that
//! contradicts a published figure is an error, not an override):
//!
//! - **Price before**: `figures.price_before.value` at `path.price_before_at`, else at the
//!   figure's `at`, else at the window start.
//! - **Crash start**: at `path.crash_start`, else the crash window's start; price = price
//!   before × (1 + `pre_crash_drift`), to the tick.
//! - **Low**: last-price low = `figures.low.value`, in the bar opening at `path.low_at`, else
//!   at the figure's `at`. **Mark low**: `figures.mark_low.value`, else low + `mark_low_gap` ×
//!   (crash-start price − low), to the tick.
//! - **First leg**: `figures.first_leg_low` in the bar at `path.first_leg_at` (else the
//!   figure's `at`); its mark low by the same gap rule; then a bounce to first-leg low +
//!   `first_leg_bounce` × (crash-start price − first-leg low) at `first_leg_bounce_at`, else
//!   halfway (in time) to the low.
//! - **Recovery**: `figures.recovery.value`, else low + `recovery_fraction` × (crash-start
//!   price − low), at `path.recovery_at` (else the figure's `at`). **Window end**: recovery ×
//!   (1 + `post_drift`).
//! - **Funding**: a published rate; else `funding.before` / `funding.after`, which must have
//!   the published sign; else 0.0001 before and the before rate after. The real settlements
//!   of `figures.funding_settled`, when given, are settled as they are at their times; each
//!   must lie on the settlement grid inside the window, in time order.
//! - **Open interest**: `open_interest.before_usd` at the crash start; change = the published
//!   change (or after/before − 1), else `open_interest.change`, else −0.15.
//! - **Liquidations**: long = published long, else total × `long_fraction`; short = published
//!   short, else total − long, else long × (1 − f)/f; each × `venue_share`, rounded half-even
//!   to whole USD.
//!
//! Prices are rounded half-even to the perp's tick. Every anchor time lies on the bar grid,
//! the window's ends and the crash start on 5-minute marks, and the anchors come in the order
//! above, the low inside the crash window.

use crate::figures::{FundingFigure, FundingSign, PriceFigure};
use crate::params::default_oi_change;
use crate::scenario::{Scenario, Window};
use crate::ticks::{lerp_price, on_tick, scale_price};
use crate::ScenarioError;
use cascade_types::{InstrumentKind, Money, Price, Rate, Rounding, Ts};

/// A price at a time.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PricePoint {
    /// When.
    pub at: Ts,
    /// The price.
    pub price: Price,
}

/// A low: the bar holding it and its two prices.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Trough {
    /// Opening time of the bar whose last-price low is `last_low`.
    pub bar_open: Ts,
    /// The last-price low (a published figure).
    pub last_low: Price,
    /// The mark-price low in the same bar (mark wicks less).
    pub mark_low: Price,
}

/// Every anchor a reconstruction passes through, resolved (see the module docs).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Plan {
    /// Bar length in seconds.
    pub bar_interval_s: u32,
    /// The reconstructed span.
    pub window: Window,
    /// The price before the crash.
    pub price_before: PricePoint,
    /// Where the fall begins.
    pub crash_start: PricePoint,
    /// The first leg's low, when there is one.
    pub first_leg: Option<Trough>,
    /// The bounce after the first leg, when there is one.
    pub bounce: Option<PricePoint>,
    /// The low.
    pub low: Trough,
    /// The recovery level.
    pub recovery: PricePoint,
    /// The price at the window's end.
    pub end: PricePoint,
    /// Funding rate per interval before the crash.
    pub funding_before: Rate,
    /// Funding rate per interval after the low.
    pub funding_after: Rate,
    /// Real settlements (time, rate) that replace the rule at their times, in time order.
    pub funding_settled: Vec<(Ts, Rate)>,
    /// Open interest of the perp at the crash start, whole USD.
    pub oi_before_usd: u64,
    /// Relative change of open interest from the crash start to the window's end.
    pub oi_change: Rate,
    /// Long liquidations to record on the perp over the window (whole USD).
    pub liquidations_long: Money,
    /// Short liquidations to record (whole USD).
    pub liquidations_short: Money,
}

/// The baseline funding rate: the interest component alone (0.01 % per 8 h, MECHANICS A1.7).
fn baseline_funding() -> Rate {
    Rate::from_raw(10_000)
}

struct Ctx<'a> {
    s: &'a Scenario,
}

impl Ctx<'_> {
    fn err(&self, field: &str, why: impl Into<String>) -> ScenarioError {
        ScenarioError::Invalid {
            path: self.s.origin.clone(),
            field: field.to_string(),
            why: why.into(),
        }
    }

    /// A time from the parameter, else the figure's `at`; when the figure's time is exact
    /// the parameter may not move it.
    fn time(
        &self,
        param_field: &str,
        param: Option<Ts>,
        fig_field: &str,
        fig: Option<&PriceFigure>,
        default: Option<Ts>,
    ) -> Result<Ts, ScenarioError> {
        let fig_at = fig.and_then(|f| f.at);
        match (param, fig_at.or(default)) {
            (Some(p), Some(a)) if p != a && fig_at.is_some() && !fig.is_some_and(|f| f.approx) => {
                Err(self.err(
                    param_field,
                    format!("{p} contradicts the exact published time {a} of `{fig_field}`"),
                ))
            }
            (Some(p), _) => Ok(p),
            (None, Some(a)) => Ok(a),
            (None, None) => Err(self.err(
                param_field,
                format!("required: `{fig_field}` has no published time, so choose one"),
            )),
        }
    }

    fn aligned(&self, field: &str, t: Ts, step_s: i64) -> Result<(), ScenarioError> {
        if t.nanos().rem_euclid(step_s * Ts::NANOS_PER_SEC) != 0 {
            return Err(self.err(field, format!("{t} is not a multiple of {step_s} s")));
        }
        Ok(())
    }

    fn funding(
        &self,
        name: &str,
        fig: Option<&FundingFigure>,
        param: Option<Rate>,
        default: Rate,
    ) -> Result<Rate, ScenarioError> {
        let pfield = format!("generator.funding.{name}");
        match (fig, param) {
            (Some(FundingFigure { rate: Some(r), .. }), Some(p)) if p != *r => Err(self.err(
                &pfield,
                format!("{p} contradicts the published rate {r} of `figures.funding_{name}`"),
            )),
            (Some(FundingFigure { rate: Some(r), .. }), _) => Ok(*r),
            (Some(f), Some(p)) if FundingSign::of(p) != f.sign => Err(self.err(
                &pfield,
                format!("{p} is not {} as `figures.funding_{name}` says", f.sign),
            )),
            (Some(_), Some(p)) => Ok(p),
            (Some(f), None) => Err(self.err(
                &pfield,
                format!(
                    "required: `figures.funding_{name}` gives only a sign ({})",
                    f.sign
                ),
            )),
            (None, p) => Ok(p.unwrap_or(default)),
        }
    }
}

const NS_PER_H: i64 = Ts::NANOS_PER_HOUR;

fn usd(x: u64) -> i64 {
    i64::try_from(x).unwrap_or(i64::MAX)
}

/// `usd × share`, rounded half-even to whole USD, as money.
fn scaled_usd(usd_amount: i64, share: Rate) -> Option<Money> {
    let whole = cascade_types::Money::from_raw(usd_amount)
        .mul_div(share.raw(), cascade_types::SCALE, Rounding::HalfEven)?
        .raw();
    whole.checked_mul(cascade_types::SCALE).map(Money::from_raw)
}

impl Plan {
    /// Resolves and checks every anchor of `s` (after [`Scenario::plan`]'s structural checks).
    /// Errors name the file and the field.
    pub(crate) fn resolve(s: &Scenario) -> Result<Plan, ScenarioError> {
        let c = Ctx { s };
        let g = &s.generator;
        let p = &g.path;
        let fig = &s.figures;
        let perp = s
            .perp_index()
            .ok_or_else(|| c.err("instruments", "no perpetual"))?;
        let tick = s.instruments[perp].tick;

        // Time grid.
        let bar = g.bar_interval_s;
        if bar != 60 && bar != 300 {
            return Err(c.err(
                "generator.bar_interval_s",
                format!("{bar}: must be 60 or 300"),
            ));
        }
        let bar_s = i64::from(bar);
        let w = s.window;
        c.aligned("window", w.start, 300)?;
        c.aligned("window", w.end, 300)?;
        if w.start >= w.end {
            return Err(c.err("window", "must end after it starts"));
        }
        let cw = s.crash_window;
        if cw.start >= cw.end || cw.start < w.start || cw.end > w.end {
            return Err(c.err("crash_window", "must be a non-empty span inside `window`"));
        }

        // Times.
        let pb_at = c.time(
            "generator.path.price_before_at",
            p.price_before_at,
            "figures.price_before",
            Some(&fig.price_before),
            Some(w.start),
        )?;
        let cs_at = p.crash_start.unwrap_or(cw.start);
        let low_at = c.time(
            "generator.path.low_at",
            p.low_at,
            "figures.low",
            Some(&fig.low),
            None,
        )?;
        let rec_at = c.time(
            "generator.path.recovery_at",
            p.recovery_at,
            "figures.recovery",
            fig.recovery.as_ref(),
            None,
        )?;
        let fl_at = match &fig.first_leg_low {
            Some(f) => Some(c.time(
                "generator.path.first_leg_at",
                p.first_leg_at,
                "figures.first_leg_low",
                Some(f),
                None,
            )?),
            None if p.first_leg_at.is_some() => {
                return Err(c.err(
                    "generator.path.first_leg_at",
                    "set, but `figures.first_leg_low` is not published",
                ))
            }
            None => None,
        };
        let bounce_at = fl_at.map(|fl| {
            p.first_leg_bounce_at.unwrap_or_else(|| {
                let mid = (fl.nanos() + low_at.nanos()) / 2;
                Ts::from_nanos(mid - mid.rem_euclid(bar_s * Ts::NANOS_PER_SEC))
            })
        });
        for (field, t) in [
            ("generator.path.price_before_at", Some(pb_at)),
            ("generator.path.crash_start", Some(cs_at)),
            ("generator.path.first_leg_at", fl_at),
            ("generator.path.first_leg_bounce_at", bounce_at),
            ("generator.path.low_at", Some(low_at)),
            ("generator.path.recovery_at", Some(rec_at)),
        ] {
            if let Some(t) = t {
                c.aligned(field, t, bar_s)?;
            }
        }
        let mut order = vec![("generator.path.price_before_at", pb_at)];
        order.push(("generator.path.crash_start", cs_at));
        if let (Some(fl), Some(b)) = (fl_at, bounce_at) {
            order.push(("generator.path.first_leg_at", fl));
            order.push(("generator.path.first_leg_bounce_at", b));
        }
        order.push(("generator.path.low_at", low_at));
        order.push(("generator.path.recovery_at", rec_at));
        if pb_at < w.start {
            return Err(c.err("generator.path.price_before_at", "before the window starts"));
        }
        for pair in order.windows(2) {
            let ((a_field, a), (b_field, b)) = (pair[0], pair[1]);
            let ok = if a_field.ends_with("price_before_at") {
                a <= b
            } else {
                a < b
            };
            if !ok {
                return Err(c.err(b_field, format!("{b} must come after `{a_field}` ({a})")));
            }
        }
        // Open interest is anchored on a 5-minute metrics row at the crash start.
        c.aligned("generator.path.crash_start", cs_at, 300)?;
        if rec_at >= w.end {
            return Err(c.err("generator.path.recovery_at", "must lie inside the window"));
        }
        if !cw.contains(low_at) {
            return Err(c.err(
                "generator.path.low_at",
                format!("{low_at} is outside `crash_window`"),
            ));
        }
        if pb_at == cs_at && !p.pre_crash_drift.is_zero() {
            return Err(c.err(
                "generator.path.pre_crash_drift",
                "must be 0 when the price before is at the crash start",
            ));
        }
        if !(1..=4).contains(&p.crash_power) {
            return Err(c.err("generator.path.crash_power", "must be 1 to 4"));
        }

        // Prices.
        for (field, f) in [
            ("figures.price_before.value", Some(&fig.price_before)),
            ("figures.low.value", Some(&fig.low)),
            ("figures.first_leg_low.value", fig.first_leg_low.as_ref()),
            ("figures.recovery.value", fig.recovery.as_ref()),
            ("figures.mark_low.value", fig.mark_low.as_ref()),
        ] {
            if let Some(f) = f {
                if !f.value.is_positive() || !on_tick(f.value, tick) {
                    return Err(c.err(
                        field,
                        format!(
                            "{} is not a positive multiple of the perp's tick {tick}",
                            f.value
                        ),
                    ));
                }
            }
        }
        let pb = fig.price_before.value;
        let cs = scale_price(pb, p.pre_crash_drift, tick);
        let low = fig.low.value;
        if low >= cs {
            return Err(c.err(
                "figures.low.value",
                format!("{low} is not below the crash-start price {cs}"),
            ));
        }
        let gap = |l: Price| lerp_price(l, cs, p.mark_low_gap, tick);
        let mark_low = fig.mark_low.as_ref().map_or_else(|| gap(low), |f| f.value);
        if mark_low < low || mark_low >= cs {
            return Err(c.err(
                "figures.mark_low.value",
                format!("{mark_low} must lie in [low, crash-start price)"),
            ));
        }
        let first_leg = match (&fig.first_leg_low, fl_at) {
            (Some(f), Some(at)) => {
                let m = gap(f.value);
                if f.value <= low || m <= mark_low || m >= cs {
                    return Err(c.err(
                        "figures.first_leg_low.value",
                        format!(
                            "{} must lie between the low {low} and the crash-start price {cs}",
                            f.value
                        ),
                    ));
                }
                Some(Trough {
                    bar_open: at,
                    last_low: f.value,
                    mark_low: m,
                })
            }
            _ => None,
        };
        let bounce = match (first_leg, bounce_at) {
            (Some(t), Some(at)) => {
                let price = lerp_price(t.last_low, cs, p.first_leg_bounce, tick);
                if price <= t.mark_low || price >= cs {
                    return Err(c.err("generator.path.first_leg_bounce", "must lie in (0, 1)"));
                }
                Some(PricePoint { at, price })
            }
            _ => None,
        };
        let recovery = fig.recovery.as_ref().map_or_else(
            || lerp_price(low, cs, p.recovery_fraction, tick),
            |f| f.value,
        );
        if recovery <= mark_low {
            let field = if fig.recovery.is_some() {
                "figures.recovery.value"
            } else {
                "generator.path.recovery_fraction"
            };
            return Err(c.err(
                field,
                format!("{recovery} must lie above the mark low {mark_low}"),
            ));
        }
        let end = scale_price(recovery, p.post_drift, tick);
        if end <= mark_low {
            return Err(c.err(
                "generator.path.post_drift",
                "the end price must lie above the mark low",
            ));
        }

        // Funding.
        let funding_before = c.funding(
            "before",
            fig.funding_before.as_ref(),
            g.funding.before,
            baseline_funding(),
        )?;
        let funding_after = c.funding(
            "after",
            fig.funding_after.as_ref(),
            g.funding.after,
            funding_before,
        )?;
        if g.funding.interval_h == 0 || 24 % g.funding.interval_h != 0 {
            return Err(c.err("generator.funding.interval_h", "must divide 24"));
        }
        if g.funding.offset_h >= g.funding.interval_h {
            return Err(c.err("generator.funding.offset_h", "must be below `interval_h`"));
        }
        let mut funding_settled: Vec<(Ts, Rate)> = Vec::new();
        if let Some(series) = &fig.funding_settled {
            let every = i64::from(g.funding.interval_h) * NS_PER_H;
            let offset = i64::from(g.funding.offset_h) * NS_PER_H;
            for (k, st) in series.settlements.iter().enumerate() {
                let field = format!("figures.funding_settled.settlements[{k}]");
                let t = st.at.nanos();
                if (t - offset).rem_euclid(every) != 0 {
                    return Err(c.err(
                        &field,
                        format!("{} is not a settlement time of `generator.funding`", st.at),
                    ));
                }
                if t <= w.start.nanos() || t > w.end.nanos() {
                    return Err(c.err(&field, format!("{} lies outside the window", st.at)));
                }
                if funding_settled.last().is_some_and(|(p, _)| *p >= st.at) {
                    return Err(c.err(&field, "settlements must come in time order"));
                }
                funding_settled.push((st.at, st.rate));
            }
        }

        // Open interest.
        let published = fig.open_interest.as_ref().and_then(|o| o.change());
        let oi_change = match (published, g.open_interest.change) {
            (Some(pc), Some(gc)) if pc != gc => {
                return Err(c.err(
                    "generator.open_interest.change",
                    format!("{gc} contradicts the published change {pc}"),
                ))
            }
            (Some(pc), _) => pc,
            (None, Some(gc)) => gc,
            (None, None) => default_oi_change(),
        };
        if oi_change <= -Rate::ONE || oi_change >= Rate::ONE {
            return Err(c.err("generator.open_interest.change", "must lie in (−1, 1)"));
        }
        if g.open_interest.before_usd == 0 {
            return Err(c.err("generator.open_interest.before_usd", "must be positive"));
        }

        // Liquidations.
        let lq = &fig.liquidations;
        let lp = &g.liquidations;
        let share = lp.venue_share;
        if !share.is_positive() || share > Rate::ONE {
            return Err(c.err("generator.liquidations.venue_share", "must lie in (0, 1]"));
        }
        if let Some(f) = lp.long_fraction {
            if !f.is_positive() || f >= Rate::ONE {
                return Err(c.err("generator.liquidations.long_fraction", "must lie in (0, 1)"));
            }
        }
        let need_f = || {
            lp.long_fraction.ok_or_else(|| {
                c.err(
                    "generator.liquidations.long_fraction",
                    "required: the long/short split is not published",
                )
            })
        };
        let market_long = match (lq.long_usd, lq.total_usd) {
            (Some(l), _) => usd(l),
            (None, Some(t)) => Money::from_raw(usd(t))
                .mul_rate(need_f()?, Rounding::HalfEven)
                .raw(),
            (None, None) => {
                return Err(c.err(
                    "figures.liquidations",
                    "neither `long_usd` nor `total_usd` is published",
                ))
            }
        };
        let market_short = match (lq.short_usd, lq.total_usd) {
            (Some(sh), _) => usd(sh),
            (None, Some(t)) if usd(t) >= market_long => usd(t) - market_long,
            (None, Some(_)) => {
                return Err(c.err("figures.liquidations.total_usd", "is below `long_usd`"))
            }
            (None, None) => {
                let f = need_f()?;
                Money::from_raw(market_long)
                    .mul_div(Rate::ONE.raw() - f.raw(), f.raw(), Rounding::HalfEven)
                    .map_or(0, |m| m.raw())
            }
        };
        let too_big = || {
            c.err(
                "generator.liquidations.venue_share",
                "the scaled total overflows",
            )
        };
        let liquidations_long = scaled_usd(market_long, share).ok_or_else(too_big)?;
        let liquidations_short = scaled_usd(market_short, share).ok_or_else(too_big)?;
        if s.instruments[perp].kind == InstrumentKind::InversePerp
            && s.instruments[perp].contract_size != cascade_types::Qty::ONE
        {
            return Err(c.err(
                "instruments.contract_size",
                "an inverse perp must have 1 USD contracts",
            ));
        }

        Ok(Plan {
            bar_interval_s: bar,
            window: w,
            price_before: PricePoint {
                at: pb_at,
                price: pb,
            },
            crash_start: PricePoint {
                at: cs_at,
                price: cs,
            },
            first_leg,
            bounce,
            low: Trough {
                bar_open: low_at,
                last_low: low,
                mark_low,
            },
            recovery: PricePoint {
                at: rec_at,
                price: recovery,
            },
            end: PricePoint {
                at: w.end,
                price: end,
            },
            funding_before,
            funding_after,
            funding_settled,
            oi_before_usd: g.open_interest.before_usd,
            oi_change,
            liquidations_long,
            liquidations_short,
        })
    }
}
