//! Helpers shared by the topic modules: the bundled catalogue (loaded and reconstructed once)
//! and views of a reconstruction's events.

use cascade_scenario::{load_dir, Reconstruction, Scenario};
use cascade_types::{Bar, BarSource, Event, EventBody, InstrumentId, Liquidation, Ts};
use std::path::PathBuf;
use std::sync::OnceLock;

/// `fixtures/scenarios/` of the workspace.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/scenarios")
}

/// Every bundled scenario with its reconstruction, in id order.
pub fn catalogue() -> &'static [(Scenario, Reconstruction)] {
    static CATALOGUE: OnceLock<Vec<(Scenario, Reconstruction)>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        load_dir(&fixtures_dir())
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|s| {
                let r = s.reconstruct();
                (s, r)
            })
            .collect()
    })
}

/// One bundled scenario and its reconstruction.
pub fn scenario(id: &str) -> &'static (Scenario, Reconstruction) {
    catalogue()
        .iter()
        .find(|(s, _)| s.id == id)
        .unwrap_or_else(|| panic!("no scenario {id}"))
}

/// The bars of `source` for `instrument`, in time order.
pub fn bars(r: &Reconstruction, instrument: InstrumentId, source: BarSource) -> Vec<Bar> {
    r.events
        .iter()
        .filter(|e| e.instrument == instrument)
        .filter_map(|e| match e.body {
            EventBody::Bar(b) if b.source == source => Some(b),
            _ => None,
        })
        .collect()
}

/// Events of `instrument` whose body `pick` accepts, with their stamps.
pub fn select<T>(
    r: &Reconstruction,
    instrument: InstrumentId,
    pick: impl Fn(&EventBody) -> Option<T>,
) -> Vec<(Ts, T)> {
    r.events
        .iter()
        .filter(|e: &&Event| e.instrument == instrument)
        .filter_map(|e| pick(&e.body).map(|x| (e.ts, x)))
        .collect()
}

/// The perp's recorded liquidations.
pub fn liquidations(r: &Reconstruction) -> Vec<(Ts, Liquidation)> {
    select(r, r.perp, |b| match b {
        EventBody::Liquidation(l) => Some(*l),
        _ => None,
    })
}

/// The bar that closes at `t`.
pub fn bar_closing_at(bars: &[Bar], interval_s: u32, t: Ts) -> Option<Bar> {
    bars.iter()
        .copied()
        .find(|b| b.open_time.plus_secs(i64::from(interval_s)) == t)
}

/// "ok" or the mismatch, for report lines.
pub fn verdict(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "MISMATCH"
    }
}
