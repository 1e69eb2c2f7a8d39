//! The engine's integration tests: one binary, a module per topic, `check` helpers in
//! [`check`], insta snapshots of purpose-built text.

mod bounds;
mod check;
mod crowd;
mod determinism;
mod errors;
mod funding;
mod memory;
mod replay;
mod sample;
mod snapshots;
mod strategies;
mod sweep;
mod tie_order;
