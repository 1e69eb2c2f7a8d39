//! Determinism: the same inputs give byte-identical outputs, run after run. A long random run
//! (fixed seed) goes through two fresh exchanges; the serialised output streams and final
//! account views must be equal byte for byte. The run also has to exercise every mechanism,
//! so this doubles as a coverage check of the random flow the property test draws from.

use crate::properties::{apply, op, venue, Op};
use cascade_exchange::check_invariants;
use cascade_types::*;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

fn script(n: usize) -> Vec<Op> {
    let mut runner = TestRunner::deterministic();
    let strategy = op();
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

/// Runs the script on venue `v`; returns the serialised outputs and final state.
fn run(v: u8, ops: &[Op]) -> (String, Vec<Output>) {
    let (mut ex, accounts) = venue(v, 500);
    let mut t = Ts::parse_utc("2024-08-05T00:00:00Z").unwrap();
    let mut out = Vec::new();
    let mut all = Vec::new();
    let mut text = String::new();
    for op in ops {
        apply(&mut ex, &accounts, &mut t, op, &mut out);
        check_invariants(&ex).unwrap_or_else(|e| panic!("{op:?}: {e}"));
        for o in out.drain(..) {
            text.push_str(&serde_json::to_string(&o).unwrap());
            text.push('\n');
            all.push(o);
        }
    }
    for k in 0..ex.account_count() {
        text.push_str(&serde_json::to_string(&ex.account(AccountId(k as u32))).unwrap());
        text.push('\n');
    }
    text.push_str(&format!(
        "{:?} {} {}\n",
        ex.insurance_funds(),
        ex.fee_pool(),
        ex.funding_pool()
    ));
    (text, all)
}

#[test]
fn same_inputs_same_bytes_on_every_venue() {
    let ops = script(6_000);
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for v in 0..4u8 {
        let (first, outputs) = run(v, &ops);
        let (second, _) = run(v, &ops);
        assert!(first == second, "venue {v}: two runs differ");
        for o in &outputs {
            let k = match o {
                Output::Liquidation { kind, .. } => format!("liquidation {kind:?}"),
                Output::Fill { maker, .. } => format!("fill maker={maker}"),
                other => format!("{other:?}")
                    .split([' ', '{'])
                    .next()
                    .unwrap()
                    .to_string(),
            };
            *kinds.entry(k).or_default() += 1;
        }
    }
    // The random flow must reach every mechanism, or the property test proves little.
    for k in [
        "liquidation Partial",
        "liquidation Full",
        "liquidation Backstop",
        "liquidation Adl",
        "Adl",
        "InsuranceFund",
        "Funding",
        "fill maker=true",
        "fill maker=false",
        "Triggered",
        "Rejected",
        "Cancelled",
        "Transferred",
    ] {
        assert!(
            kinds.get(k).copied().unwrap_or(0) > 0,
            "no {k} in {kinds:?}"
        );
    }
}
