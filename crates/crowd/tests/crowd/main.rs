//! The crowd crate's integration tests: one binary, topic modules.

mod calibrate;
mod fixture;
mod follow;
mod impact;
mod properties;
mod real_data;
mod reports;
mod support;
