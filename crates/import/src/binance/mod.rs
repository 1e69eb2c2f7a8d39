//! Binance public data (<https://data.binance.vision>): one module per file type.

pub(crate) mod book_depth;
pub(crate) mod book_ticker;
pub(crate) mod funding_rate;
pub(crate) mod klines;
pub(crate) mod metrics;
pub(crate) mod metrics_api;
pub(crate) mod trades;
