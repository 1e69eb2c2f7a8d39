//! The crowd in the engine: a run with a seeded crowd through a 12 % slide liquidates crowd
//! longs, is deterministic, keeps the exchange's and the crowd's invariants after every event,
//! shows the strategy a heatmap, writes `crowd.txt` and `heatmap.svg`, and replays.

use crate::check::*;
use crate::strategies::HeatWatch;
use cascade_run::{run, verify, CrowdBook, CrowdSetup, ExecConfig, RunOutcome, RunSpec};
use cascade_strategy::Registry;
use cascade_types::*;
use std::path::Path;

/// A slide from 60,000 to 52,800 over ten minutes and back up to 55,000, one second a step:
/// a book top, a mark and a trade each second, a recorded long liquidation every 30 s of
/// the slide.
fn slide() -> Vec<Event> {
    let mut out = Vec::new();
    let mut price = 60_000i64;
    for k in 0..900i64 {
        let ts = T0 + k * SEC;
        if (60..660).contains(&k) {
            price -= 12;
        } else if k >= 660 {
            price += 9;
        }
        let p = price.to_string();
        let b = (price - 1).to_string();
        out.push(top(ts, &b, &p));
        out.push(mark(ts, &p));
        out.push(trade(
            ts,
            &p,
            "0.5",
            if k % 2 == 0 { Side::Buy } else { Side::Sell },
            k as u64,
        ));
        if (60..660).contains(&k) && k % 30 == 0 {
            out.push(ev(
                ts,
                EventBody::Liquidation(Liquidation {
                    side: Side::Sell,
                    price: px(&p),
                    qty: qty("2"),
                }),
            ));
        }
    }
    out
}

/// The test registry plus `heatwatch` (kept out of the shared one, whose list of names is in
/// a snapshot).
fn crowd_registry() -> Registry {
    let mut r = registry();
    r.register(
        "heatwatch",
        "test: buys 0.01 once, the first time the crowd heatmap shows longs within 10 %",
        |_| Ok(Box::new(HeatWatch::default())),
    );
    r
}

fn run_crowd(spec: &RunSpec, out: &Path, exec: &ExecConfig) -> RunOutcome {
    run(spec, &crowd_registry(), Some(out), exec).unwrap_or_else(|e| panic!("run failed: {e}"))
}

fn crowd_spec(log: &Path) -> RunSpec {
    let mut s = spec(vec![log.to_path_buf()], "heatwatch", &[]);
    let config = cascade_crowd::CrowdConfig::from_toml(
        "seed = 7\ninitial_spread_bps = 300\nfidelity_interval_s = 60\n",
    )
    .unwrap();
    s.config.insurance_fund = cascade_engine::FundSetting::Assumed(Money::from_int(1_000_000));
    s.config.crowd = Some(CrowdSetup {
        config,
        book: Some("200@60000".parse::<CrowdBook>().unwrap()),
        first_perp: false,
    });
    s
}

#[test]
fn a_run_with_the_crowd_is_deterministic_replays_and_shows_the_heatmap() {
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), "slide.clog", &slide());
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    // Invariants (the exchange's and the crowd's) are checked after every event.
    let oa = run_crowd(&crowd_spec(&log), &a, &exec(64, 2));
    let ob = run_crowd(&crowd_spec(&log), &b, &exec(4096, 8));
    assert_eq!(
        oa.manifest.journal.final_hash,
        ob.manifest.journal.final_hash
    );
    assert_eq!(result_files(&a).len(), result_files(&b).len());
    for (name, bytes) in result_files(&a) {
        if name != "manifest.json" {
            assert_eq!(Some(&bytes), result_files(&b).get(&name), "{name} differs");
        }
    }
    // The strategy saw the heatmap (it buys once when it does).
    assert_eq!(oa.manifest.final_state.commands, 1);
    // The crowd is in the manifest and its files are written.
    let m = &oa.manifest;
    let c = m.crowd.as_ref().expect("the crowd's manifest");
    assert_eq!(c.seed, 7);
    assert_eq!(m.seeds.get("crowd"), Some(&7));
    assert!(m.reports.iter().any(|r| r == "crowd.txt"));
    assert!(m.reports.iter().any(|r| r == "heatmap.svg"));
    let text = std::fs::read_to_string(a.join("crowd.txt")).unwrap();
    assert!(std::fs::read_to_string(a.join("heatmap.svg"))
        .unwrap()
        .starts_with("<svg"));
    // The HTML report shows the heatmap picture inline.
    let html = std::fs::read_to_string(a.join("report.html")).unwrap();
    assert!(html.contains("<h2>Crowd liquidation heatmap (modelled)</h2>"));
    // Replay rebuilds the crowd from the manifest.
    let v = verify(&a, &crowd_registry(), &exec(64, 2)).unwrap();
    assert_eq!(format!("{:016x}", v.final_hash), m.journal.final_hash);
    let report = oa
        .report_text
        .replace(&dir.path().display().to_string(), "DIR");
    insta::assert_snapshot!(format!("{report}\n---- crowd.txt\n{text}"));
}

#[test]
fn without_the_crowd_nothing_of_it_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), "slide.clog", &slide());
    let out = dir.path().join("run");
    let mut s = crowd_spec(&log);
    s.config.crowd = None;
    let o = run_crowd(&s, &out, &exec(64, 2));
    assert_eq!(
        o.manifest.final_state.commands, 0,
        "no heatmap without a crowd"
    );
    assert!(o.manifest.crowd.is_none());
    let text = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(!text.contains("crowd"), "{text}");
    assert!(!out.join("crowd.txt").exists());
}
