//! The `backtest` command-line tool.

fn main() {}
