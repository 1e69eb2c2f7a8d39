//! Scenario → engine venue: the one place where a scenario's `[venue]` (the exchange crate's
//! preset id and the date of the margin-tier table in force) becomes the typed venue preset
//! the engine runs ([`VenuePreset`], printed `binance-usdm@2024-05-30`).
//!
//! | scenario `venue.preset` | engine venue spec | rule |
//! |---|---|---|
//! | `binance-usdm-<date>` (`binance-usdm-2021`, `binance-usdm-2022-05`, `binance-usdm-2024-05`) | `binance-usdm@<tiers_seen_from>` | `tiers_seen_from` is required, must start with the preset's `<date>` and must not be after the scenario window's start |
//! | `bybit`, `bybit-<date>` | `bybit` | one undated rule set |
//! | `hyperliquid-2025` | `hyperliquid-2025` | |
//! | `bitmex-2020` | `bitmex-2020` | BitMEX 2020 rules; XBTUSD inverse, margined in XBT |
//! | anything else | — | an error naming the scenario file |
//!
//! Why the Binance date is `tiers_seen_from` and not the crash day: the engine's dated preset
//! picks the tier table in force on its date, and the scenario names that table by the day it
//! was first seen, so this date selects exactly the table the scenario cites — the suite
//! cannot look inside the exchange crate to check a table picked by another date. The other
//! dated Binance rules follow the same date; the only one that changed between a table's date
//! and a crash is the mark-price basis window (60 s → 30 s on 2025-09-18), which matters only
//! when the mark is computed rather than recorded, and every scenario records its mark.

use crate::SuiteError;
use cascade_run::{VenueKind, VenuePreset};
use cascade_scenario::Scenario;
use cascade_types::Ts;

/// The scenario presets [`venue_spec`] knows, for error messages.
pub const KNOWN_PRESETS: &[&str] = &[
    "binance-usdm-<date>",
    "bybit",
    "bybit-<date>",
    "hyperliquid-2025",
    "bitmex-2020",
];

/// The venue preset of a scenario (see the module docs for the table).
///
/// Errors name the scenario file: [`SuiteError::UnknownVenue`] for a preset not in the table,
/// [`SuiteError::BadVenue`] for contradictory fields, [`SuiteError::UnsupportedVenue`] for a
/// venue the engine cannot run yet (a skip, not a failure).
///
/// ```
/// let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/scenarios");
/// let s = cascade_scenario::load(&dir.join("2025-10-10-tariff-crash.toml")).unwrap();
/// assert_eq!(cascade_suite::venue_spec(&s).unwrap().to_string(), "binance-usdm@2024-05-30");
/// ```
pub fn venue_spec(scenario: &Scenario) -> Result<VenuePreset, SuiteError> {
    let v = &scenario.venue;
    let file = || scenario.origin.clone();
    let preset = v.preset.as_str();
    if let Some(date) = preset.strip_prefix("binance-usdm-") {
        let bad = |field, why: String| SuiteError::BadVenue {
            file: file(),
            field,
            why,
        };
        let Some(seen) = v.tiers_seen_from.as_deref() else {
            return Err(bad(
                "tiers_seen_from",
                format!(
                    "preset {preset:?} needs the date its tier table was first seen (YYYY-MM-DD)"
                ),
            ));
        };
        let day = Ts::parse_utc(seen).map_err(|_| {
            bad(
                "tiers_seen_from",
                format!("expected a date like 2024-05-30, found {seen:?}"),
            )
        })?;
        if !seen.starts_with(date) {
            return Err(bad(
                "tiers_seen_from",
                format!(
                    "{seen} does not belong to preset {preset:?} (expected a date starting {date})"
                ),
            ));
        }
        if day > scenario.window.start {
            return Err(bad(
                "tiers_seen_from",
                format!(
                    "the tier table first seen {seen} cannot be in force at the window start {}",
                    scenario.window.start
                ),
            ));
        }
        return Ok(VenuePreset::binance_usdm(day));
    }
    match preset {
        "bybit" => Ok(VenuePreset::new(VenueKind::Bybit)),
        p if p.starts_with("bybit-") => Ok(VenuePreset::new(VenueKind::Bybit)),
        "hyperliquid-2025" => Ok(VenuePreset::new(VenueKind::Hyperliquid2025)),
        "bitmex-2020" => Ok(VenuePreset::new(VenueKind::Bitmex2020)),
        _ => Err(SuiteError::UnknownVenue {
            file: file(),
            preset: preset.to_string(),
            known: KNOWN_PRESETS.join(", "),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn scenario(preset: &str, seen: Option<&str>) -> Scenario {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/scenarios");
        let mut s = cascade_scenario::load(&dir.join("2024-08-05-yen-carry.toml")).unwrap();
        s.venue.preset = preset.to_string();
        s.venue.tiers_seen_from = seen.map(str::to_string);
        s.origin = "fixtures/scenarios/x.toml".into();
        s
    }

    fn spec(preset: &str, seen: Option<&str>) -> String {
        match venue_spec(&scenario(preset, seen)) {
            Ok(s) => s.to_string(),
            Err(e) => format!("{}error: {e}", if e.is_skip() { "skip " } else { "" }),
        }
    }

    #[test]
    fn the_table() {
        let out = [
            spec("binance-usdm-2024-05", Some("2024-05-30")),
            spec("binance-usdm-2021", Some("2021-03-26")),
            spec("binance-usdm-2024-05", None),
            spec("binance-usdm-2024-05", Some("2022-05-21")),
            spec("binance-usdm-2024", Some("2024-09-01")),
            spec("binance-usdm-2024", Some("30 May 2024")),
            spec("bybit", None),
            spec("hyperliquid-2025", None),
            spec("bitmex-2020", None),
            spec("okx-2024", None),
        ]
        .join("\n");
        assert_eq!(
            out,
            "binance-usdm@2024-05-30
binance-usdm@2021-03-26
error: fixtures/scenarios/x.toml: `venue.tiers_seen_from`: preset \"binance-usdm-2024-05\" needs the date its tier table was first seen (YYYY-MM-DD)
error: fixtures/scenarios/x.toml: `venue.tiers_seen_from`: 2022-05-21 does not belong to preset \"binance-usdm-2024-05\" (expected a date starting 2024-05)
error: fixtures/scenarios/x.toml: `venue.tiers_seen_from`: the tier table first seen 2024-09-01 cannot be in force at the window start 2024-08-04T00:00:00Z
error: fixtures/scenarios/x.toml: `venue.tiers_seen_from`: expected a date like 2024-05-30, found \"30 May 2024\"
bybit
hyperliquid-2025
bitmex-2020
error: fixtures/scenarios/x.toml: `venue.preset`: unknown venue preset \"okx-2024\"; known: binance-usdm-<date>, bybit, bybit-<date>, hyperliquid-2025, bitmex-2020"
        );
    }
}
