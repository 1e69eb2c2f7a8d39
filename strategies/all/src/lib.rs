//! The strategy registry: the built-in strategies of `cascade-strategy` (`noop`, `noise`) and
//! every strategy crate of the workspace, in one [`Registry`] — what the `backtest` binary
//! offers under `--strategy`.
//!
//! | name | crate | what it does |
//! |---|---|---|
//! | `buy-and-hold` | [`buy_and_hold`] | buys spot 1x, or goes long the perp at a fixed leverage, and holds |
//! | `regime-filter` | [`regime_filter`] | long while growth is spot-led, flat when leverage-led, back in after the reset |
//! | `funding-carry` | [`funding_carry`] | long spot / short perp for funding; a policy for an ADL'd short leg |
//! | `cascade-fade` | [`cascade_fade`] | buys the exhaustion of a long-liquidation cascade |
//!
//! ```
//! use cascade_strategy::Params;
//!
//! let registry = cascade_strategies::registry();
//! assert!(registry.names().contains(&"buy-and-hold"));
//! assert!(registry.names().contains(&"noop")); // the built-ins too
//! let params = Params::new().with_overrides(["mode=perp"]).unwrap();
//! let strategy = registry.create("buy-and-hold", &params).unwrap();
//! # drop(strategy);
//! ```

use cascade_strategy::Registry;

pub use cascade_strategy_buy_and_hold as buy_and_hold;
pub use cascade_strategy_cascade_fade as cascade_fade;
pub use cascade_strategy_funding_carry as funding_carry;
pub use cascade_strategy_regime_filter as regime_filter;

/// The built-ins and every strategy crate of the workspace.
pub fn registry() -> Registry {
    let mut r = Registry::with_builtins();
    register_all(&mut r);
    r
}

/// Adds the workspace's strategy crates (not the built-ins) to a registry, e.g. one that already
/// holds a user's own strategies. Panics when a name is taken.
pub fn register_all(registry: &mut Registry) {
    buy_and_hold::register(registry);
    cascade_fade::register(registry);
    funding_carry::register(registry);
    regime_filter::register(registry);
}

#[cfg(test)]
mod tests;
