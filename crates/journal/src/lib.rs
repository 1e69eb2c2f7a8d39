//! The on-disk event log: versioned header, checksummed bincode blocks, streaming writer and reader, k-way merge in the one total order.
