//! The Strategy trait: the one small, object-safe API a strategy crate depends on.
