//! The run's data as CSV, for the report crate, spreadsheets and notebooks: the heatmap
//! snapshots and the modelled liquidation stream. Money and prices are written exactly (the
//! fixed-point decimals), times as RFC 3339 UTC.

use crate::record::Record;
use std::fmt::Write;

/// One row per non-empty bucket of every heatmap snapshot:
/// `ts,mark,bucket_price,long_notional,short_notional`.
pub fn heatmap_csv(record: &Record) -> String {
    let mut s = String::from("ts,mark,bucket_price,long_notional,short_notional\n");
    for snap in &record.snapshots {
        for (p, l, sh) in &snap.buckets {
            writeln!(s, "{},{},{p},{l},{sh}", snap.ts, snap.mark).expect("writing to a String");
        }
    }
    s
}

/// One row per modelled liquidation step:
/// `ts,round,account,crowd,kind,side,qty,price,notional`.
pub fn liquidations_csv(record: &Record) -> String {
    let mut s = String::from("ts,round,account,crowd,kind,side,qty,price,notional\n");
    for l in &record.liquidations {
        writeln!(
            s,
            "{},{},{},{},{:?},{},{},{},{}",
            l.ts, l.round, l.account.0, l.crowd, l.kind, l.side, l.qty, l.price, l.notional
        )
        .expect("writing to a String");
    }
    s
}
