//! The replay engine: total-order event loop, market state, latency scheduling, run journal and hash, pipeline threads, sweeps.
