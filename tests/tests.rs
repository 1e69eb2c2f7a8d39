//! The one workspace integration-test binary, with a module per topic.

mod arch;
mod suite;
