//! Strategies found by name: a [`Registry`] maps names to factories that build a boxed
//! [`Strategy`] from [`Params`].

use crate::params::{suggest, ParamError, Params};
use crate::Strategy;
use std::collections::BTreeMap;
use std::sync::Arc;
use thiserror::Error;

/// Builds a strategy from its parameters. Reads what it needs with the typed getters and
/// declares its parameter names with [`Params::expect_only`]. A plain `fn` is the usual
/// factory; a closure serves a host that registers strategies at run time (the Python
/// package registers each Python strategy class through one).
pub type Factory = Arc<dyn Fn(&Params) -> Result<Box<dyn Strategy>, ParamError> + Send + Sync>;

/// Errors from [`Registry::create`].
#[derive(Debug, Error, Clone, PartialEq)]
pub enum RegistryError {
    /// No strategy has this name. Pick one of `available`.
    #[error(
        "unknown strategy `{name}`; {}available strategies: {}",
        suggestion_text(.suggestion),
        available.join(", ")
    )]
    UnknownStrategy {
        /// The name asked for.
        name: String,
        /// The registered names, sorted.
        available: Vec<String>,
        /// The closest registered name, when one is close.
        suggestion: Option<String>,
    },
    /// The strategy refused its parameters. Fix the parameter named in `error`.
    #[error("strategy `{strategy}`: {error}")]
    Params {
        /// The strategy's name.
        strategy: String,
        /// What was wrong (boxed: it is large, and rare).
        #[source]
        error: Box<ParamError>,
    },
}

fn suggestion_text(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default()
}

/// One registered strategy.
#[derive(Clone)]
pub struct RegistryEntry {
    /// Its name.
    pub name: &'static str,
    /// One line saying what it does.
    pub description: &'static str,
    /// Builds it.
    pub factory: Factory,
}

impl std::fmt::Debug for RegistryEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryEntry")
            .field("name", &self.name)
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

/// Strategies by name, iterated in name order.
///
/// ```
/// use cascade_strategy::{Params, Registry};
///
/// let registry = Registry::with_builtins();
/// assert_eq!(registry.names(), ["noise", "noop"]);
/// let params = Params::new().with_overrides(["every=10"]).unwrap();
/// let strategy = registry.create("noise", &params).unwrap();
/// assert!(registry.create("nosie", &params).is_err()); // lists the available names
/// # drop(strategy);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Registry {
    entries: BTreeMap<&'static str, RegistryEntry>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// A registry holding the built-in strategies ([`NoOp`](crate::NoOp) as `noop`,
    /// [`Noise`](crate::Noise) as `noise`).
    pub fn with_builtins() -> Self {
        let mut r = Self::new();
        crate::builtin::register(&mut r);
        r
    }

    /// Registers a strategy. Panics when the name is already taken (a programmer error:
    /// two strategies would answer to one name).
    pub fn register(
        &mut self,
        name: &'static str,
        description: &'static str,
        factory: impl Fn(&Params) -> Result<Box<dyn Strategy>, ParamError> + Send + Sync + 'static,
    ) {
        assert!(!name.is_empty(), "a strategy needs a name");
        let old = self.entries.insert(
            name,
            RegistryEntry {
                name,
                description,
                factory: Arc::new(factory),
            },
        );
        assert!(old.is_none(), "strategy `{name}` registered twice");
    }

    /// Builds the strategy `name` from `params`: runs its factory on a copy of the
    /// parameters, then refuses any parameter the factory neither declared nor read.
    pub fn create(&self, name: &str, params: &Params) -> Result<Box<dyn Strategy>, RegistryError> {
        let entry = self
            .entries
            .get(name)
            .ok_or_else(|| RegistryError::UnknownStrategy {
                name: name.to_string(),
                available: self.names().iter().map(|s| s.to_string()).collect(),
                suggestion: suggest(name, self.entries.keys().copied()),
            })?;
        let wrap = |error| RegistryError::Params {
            strategy: name.to_string(),
            error: Box::new(error),
        };
        let mut own = params.clone();
        own.reset_known();
        let strategy = (entry.factory)(&own).map_err(wrap)?;
        own.check_unknown().map_err(wrap)?;
        Ok(strategy)
    }

    /// The registered names, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        self.entries.keys().copied().collect()
    }

    /// One strategy's entry.
    pub fn get(&self, name: &str) -> Option<&RegistryEntry> {
        self.entries.get(name)
    }

    /// All entries, in name order.
    pub fn iter(&self) -> impl Iterator<Item = &RegistryEntry> {
        self.entries.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn careless(p: &Params) -> Result<Box<dyn Strategy>, ParamError> {
        // Declares nothing: the registry still catches names it never read.
        let _ = p.get_u64("window", 5)?;
        Ok(Box::new(crate::NoOp))
    }

    fn registry() -> Registry {
        let mut r = Registry::with_builtins();
        r.register("careless", "reads one parameter, declares none", careless);
        r
    }

    #[test]
    fn names_sorted_and_described() {
        let r = registry();
        assert_eq!(r.names(), ["careless", "noise", "noop"]);
        assert_eq!(
            r.get("noop").unwrap().description,
            "does nothing: the baseline for engine overhead"
        );
        assert_eq!(r.iter().count(), 3);
    }

    #[test]
    #[should_panic(expected = "registered twice")]
    fn duplicate_names_panic() {
        let mut r = Registry::with_builtins();
        r.register("noop", "again", careless);
    }

    #[test]
    fn create_and_errors() {
        let r = registry();
        let ok = |s: &[&str]| Params::new().with_overrides(s.iter().copied()).unwrap();
        assert!(r.create("noise", &ok(&["every=3", "qty=0.1"])).is_ok());
        assert!(r.create("careless", &ok(&["window=3"])).is_ok());
        let p = ok(&["window=3"]);
        // The same parameters can build several strategies: each gets its own bookkeeping.
        assert!(r.create("careless", &p).is_ok());
        assert!(r.create("careless", &p).is_ok());

        let msg = |name: &str, p: &[&str]| match r.create(name, &ok(p)) {
            Ok(_) => "ok".to_string(),
            Err(e) => e.to_string(),
        };
        let out = [
            msg("nosie", &[]),
            msg("momentum", &[]),
            msg("noise", &["every=0"]),
            msg("noise", &["evrey=3"]),
            msg("noise", &["qty=-1"]),
            msg("careless", &["windw=3"]),
            msg("noop", &["x=1"]),
        ]
        .join("\n");
        insta::assert_snapshot!(out);
    }
}
