//! A crafted book of crowd positions meets a known price drop (and a rebound): the
//! liquidations, insurance-fund moves and ADL victims, checked by hand against the snapshot.
//!
//! Instrument TEST: one bracket, MMR 1 %, 50x; Binance rules (liquidation through the book,
//! 0.5 % clearance fee capped at the surplus over bankruptcy, ADL when the fund cannot cover,
//! ranked by PnL% × margin ratio, at the bankruptcy price). Cross margin, one position per
//! account, so for a long `equity = deposit + q·(m − entry)` and it is liquidated when
//! `equity < 0.01·q·m`:
//!
//! | account | position | deposit | liquidation below/above | bankruptcy |
//! |---|---|---|---|---|
//! | L1 | long 1 @ 100 | 10 | 90/0.99 = 90.9090… | 90 |
//! | L2 | long 1 @ 100 | 20 | 80/0.99 = 80.8080… | 80 |
//! | L3 | long 2 @ 95 | 9.5 | 180.5/1.98 = 91.1616… | 90.25 |
//! | S1 | short 1 @ 100 | 10 | 110/1.01 = 108.9108… | 110 |
//! | S2 | short 3 @ 98 | 82 | 376/3.03 = 124.0924… | 125.3333… |
//! | strategy (not crowd) | long 0.5 @ 100 | 25 | 50/0.99 = 50.5050… | 50 |
//!
//! - mark 91, bid 90.95: L3 is liquidated at 90.95 (above its bankruptcy 90.25): notional
//!   181.9, fee 0.5 % = 0.9095 ≤ surplus 1.4, to the fund: 0.1 → 1.0095. L3 keeps 0.4905.
//! - mark 89, bid 88.95: L1 closes at its bankruptcy price 90 and the book gives 88.95: a
//!   deficit of 1.05 > fund 1.0095 → ADL. Shorts ranked at mark 89: S1 = (11/10)·(0.89/21) =
//!   0.0466 before S2 = (27/82)·(2.67/109) = 0.0081: S1 buys 1 at 90 (+10). Fund unchanged.
//! - mark 80, bid 79.95: L2 closes at 80, the book gives 79.95: deficit 0.05 ≤ fund: the fund
//!   pays, 1.0095 → 0.9595, no fee (no surplus).
//! - mark 130, ask 130.01: S2 closes at 125.333…, the book asks 130.01: deficit 14.03 > fund →
//!   ADL. The only long left besides the market is the strategy's, in profit: it is
//!   deleveraged first (0.5 at S2's bankruptcy price), the market account takes the other
//!   2.5. The strategy realises 0.5 × 25.333… = 12.666….

use crate::support::*;
use cascade_crowd::{cascade_report, CrowdConfig};
use cascade_exchange::VenueRules;
use std::fmt::Write;

#[test]
fn a_known_book_meets_a_known_drop() {
    let mut sim = Sim::new(
        VenueRules::binance_usdm(day("2024-08-05")),
        vec![test_perp()],
        CrowdConfig::default(),
    );
    sim.seed_fund("0.1");
    sim.book("99.99", "100.01", "10");
    sim.mark("100");
    sim.seed_book(&[
        ("L1", "1", "100", 10, "10"),
        ("L2", "1", "100", 5, "20"),
        ("L3", "2", "95", 20, "9.5"),
        ("S1", "-1", "100", 10, "10"),
        ("S2", "-3", "98", 4, "82"),
    ]);
    sim.trader("strategy", "25", "0.5", "100", 2);
    sim.show_heatmap();
    sim.wait(1);
    sim.book("90.95", "90.97", "10");
    sim.mark("91");
    sim.wait(1);
    sim.book("88.95", "88.97", "10");
    sim.mark("89");
    sim.wait(1);
    sim.book("79.95", "79.97", "10");
    sim.mark("80");
    sim.show_heatmap();
    sim.wait(1);
    sim.book("129.99", "130.01", "10");
    sim.mark("130");
    let mut log = sim.summary();
    let r = sim.crowd.record();
    writeln!(log, "= recorded ADL victims").unwrap();
    for a in &r.adl {
        writeln!(
            log,
            "  {} {} {} {} @ {} against {} (crowd victim: {})",
            a.ts,
            sim.name(a.victim),
            a.side,
            a.qty,
            a.price,
            sim.name(a.counterparty),
            a.victim_crowd
        )
        .unwrap();
    }
    writeln!(log, "= fund over time").unwrap();
    for f in &r.fund {
        writeln!(log, "  {} {}", f.ts, f.balance).unwrap();
    }
    log.push_str("= cascade report\n");
    log.push_str(&cascade_report(r, 10));
    insta::assert_snapshot!(log);
}
