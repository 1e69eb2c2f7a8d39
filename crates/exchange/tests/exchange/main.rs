//! The exchange crate's integration tests: one binary, topic modules.

mod scenarios;
mod support;
