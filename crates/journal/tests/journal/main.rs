//! The journal's integration tests: one binary, one module per topic.

mod common;

mod corrupt;
mod merge;
mod order;
mod props;
mod roundtrip;
mod summary;
