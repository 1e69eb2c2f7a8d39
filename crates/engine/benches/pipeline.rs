//! Pipeline benchmark (work in progress).
fn main() {}
