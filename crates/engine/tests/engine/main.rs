//! Engine integration tests (work in progress).
