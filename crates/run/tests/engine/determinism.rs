//! Differential determinism: the same inputs through every way of cutting up the work give
//! byte-identical journals, reports and manifests.

use crate::check::*;
use cascade_types::EventBody;

#[test]
fn same_bytes_whatever_the_batch_size_or_channel_capacity() {
    let dir = tempfile::tempdir().unwrap();
    let events = market(4_000, 7);
    let (trades, rest): (Vec<_>, Vec<_>) = events
        .iter()
        .partition(|e| matches!(e.body, EventBody::Trade(_)));
    let logs = vec![
        write_log(dir.path(), "trades.clog", &trades),
        write_log(dir.path(), "rest.clog", &rest),
    ];
    for strategy in [
        ("noise", &["every=37", "qty=0.01"][..]),
        ("pinger", &["every=11", "timer_ns=75000000"][..]),
    ] {
        let s = spec(logs.clone(), strategy.0, strategy.1);
        let mut reference = None;
        for batch in [1, 7, 4096] {
            for capacity in [1, 2, 64] {
                let out = dir
                    .path()
                    .join(format!("{}-{batch}-{capacity}", strategy.0));
                let o = run_into(&s, &out, &exec(batch, capacity));
                assert!(
                    o.data.fills() > 10,
                    "{}: the strategy trades ({} fills)",
                    strategy.0,
                    o.data.fills()
                );
                let files = result_files(&out);
                match &reference {
                    None => reference = Some(files),
                    Some(r) => {
                        assert_eq!(
                            r.keys().collect::<Vec<_>>(),
                            files.keys().collect::<Vec<_>>()
                        );
                        for (name, bytes) in r {
                            assert!(
                                &files[name] == bytes,
                                "{}: {name} differs with batch {batch}, capacity {capacity}",
                                strategy.0
                            );
                        }
                    }
                }
            }
        }
    }
}
