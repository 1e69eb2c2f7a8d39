//! The scenario crate's integration tests: one binary, one module per topic.

mod common;

mod anchors;
mod catalogue;
mod determinism;
mod errors;
mod real_data;
mod shape;
