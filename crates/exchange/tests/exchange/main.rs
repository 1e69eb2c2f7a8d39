//! The exchange crate's integration tests: one binary, topic modules.

mod determinism;
mod guarantee;
mod inverse;
mod properties;
mod scenarios;
mod slippage;
mod support;
