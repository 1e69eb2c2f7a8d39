//! Run metrics and reports: equity, drawdown, Sharpe/Sortino, scorecards; text, JSON, CSV and SVG/HTML output.
