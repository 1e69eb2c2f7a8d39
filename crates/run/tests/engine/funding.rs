//! Recorded funding settlements are paid once: a log that holds them settles its perpetual
//! from them only, even when another event reaches the venue's grid time first (the venue's
//! `Auto` rule would otherwise also pay a computed settlement at that time).

use crate::check::*;
use cascade_run::RecordBody;
use cascade_types::*;

/// Trades every 10 minutes from T0 + 1 s to T0 + 9 h with marks, a trade at exactly 08:00
/// (the grid time) written *before* the settlement recorded at 08:00.
fn fixture() -> Vec<Event> {
    let mut events = Vec::new();
    let mut id = 0;
    let mut t = T0 + SEC;
    while t < T0 + 9 * 3_600 * SEC {
        id += 1;
        events.push(trade(t, "60000", "0.5", Side::Buy, id));
        events.push(mark(t, "60000"));
        if t == T0 + SEC + 8 * 3_600 * SEC - SEC {
            break;
        }
        t += 600 * SEC;
    }
    let grid = T0 + 8 * 3_600 * SEC;
    events.retain(|e| e.ts.0 < grid);
    id += 1;
    events.push(trade(grid, "60000", "0.5", Side::Sell, id));
    events.push(ev(
        grid,
        EventBody::FundingSettlement(FundingSettlement {
            rate: "0.0003".parse().unwrap(),
            interval_h: 8,
        }),
    ));
    events.push(trade(grid + 600 * SEC, "60000", "0.5", Side::Buy, id + 1));
    events
}

/// The funding outputs of the strategy's account over the fixture: `noise` buys once, at the
/// 90th of the 96 events before 08:00, and holds.
fn check() -> Vec<(Ts, Rate)> {
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), "funding.clog", &fixture());
    let s = spec(vec![log], "noise", &["every=90", "qty=0.01"]);
    let out = dir.path().join("run");
    run_into(&s, &out, &exec(64, 2));
    run_records(&out)
        .iter()
        .filter_map(|r| match r.body {
            RecordBody::Output(Output::Funding { account, rate, .. }) if account.0 != 0 => {
                Some((r.ts, rate))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_recorded_settlement_is_paid_once_even_when_a_trade_reaches_the_grid_time_first() {
    let paid = check();
    assert_eq!(
        paid,
        vec![(Ts(T0 + 8 * 3_600 * SEC), "0.0003".parse().unwrap())],
        "one settlement, at the recorded rate"
    );
}
