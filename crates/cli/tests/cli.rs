//! The `backtest` binary as a user runs it: exit codes, what it prints, what it leaves behind.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `backtest ARGS` from the workspace root; returns "exit N" + stdout + stderr, with the
/// temp dir replaced by `[TMP]` so snapshots are stable.
fn check(args: &[&str], tmp: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_backtest"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("backtest runs");
    let text = format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    text.replace(&tmp.display().to_string(), "[TMP]")
}

fn data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("CASCADE_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/data"));
    dir.is_dir().then_some(dir)
}

#[test]
fn import_then_inspect_the_bundled_sample() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("sample.clog");
    let log = log.to_str().unwrap();
    let imported = check(&["import", "fixtures/sample", "--out", log], tmp.path());
    insta::assert_snapshot!("import_sample", imported);
    // inspect re-reads (and verifies) the file: same summary as the import printed.
    let inspected = check(&["inspect", log], tmp.path());
    let summary = imported
        .split("--- stderr")
        .next()
        .unwrap()
        .replace("exit 0\n--- stdout\n", "");
    assert!(inspected.contains(&summary), "{inspected}");
    // Only the finished log is left behind: no part or partial files.
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["sample.clog"]);
}

#[test]
fn import_is_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a.clog");
    let b = tmp.path().join("b.clog");
    for p in [&a, &b] {
        let out = check(
            &["import", "fixtures/sample", "--out", p.to_str().unwrap()],
            tmp.path(),
        );
        assert!(out.starts_with("exit 0"), "{out}");
    }
    assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
}

#[test]
fn bad_inputs_fail_clearly_and_leave_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x.clog");
    let out = out.to_str().unwrap();
    let bad_csv = tmp.path().join("BTCUSDT-1m-2025-10-10.csv");
    std::fs::write(
        &bad_csv,
        "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n\
         1760131200000,104000.0,104500.0,NaN,102400.0,5000.1,1760131259999,515000000.5,90000,2000.1,206000000.25,0\n",
    )
    .unwrap();
    let garbage = tmp.path().join("garbage.clog");
    std::fs::write(&garbage, b"CASCLOG\0\x02\0\0\0 not a log").unwrap();
    let cases = [
        check(&["import", "no/such/file.csv", "--out", out], tmp.path()),
        check(
            &["import", bad_csv.to_str().unwrap(), "--out", out],
            tmp.path(),
        ),
        check(
            &[
                "import",
                "fixtures/sample",
                "--out",
                out,
                "--bar-source",
                "vwap",
            ],
            tmp.path(),
        ),
        check(&["inspect", garbage.to_str().unwrap()], tmp.path()),
        check(&["inspect", "no/such/log.clog"], tmp.path()),
    ];
    insta::assert_snapshot!("bad_inputs", cases.join("\n=====\n"));
    assert!(!Path::new(out).exists());
}

#[test]
fn inspect_real_10_10_btcusdt() {
    let Some(data) = data_dir() else {
        println!("skipped: no real data (set CASCADE_DATA_DIR or put ../shared/data beside the checkout)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("real.clog");
    let kl = data.join("binance-um-klines-1m/BTCUSDT-1m-2025-10.slice_20251010T1707-2343Z.csv");
    let depth = data.join("binance-2025-10-10/timeline/BTCUSDT-bookDepth-2025-10-10.csv");
    let mark = data.join("binance-2025-10-10/markprice_5m_um/BTCUSDT-5m-2025-10-10.zip");
    let args = [
        "import",
        kl.to_str().unwrap(),
        depth.to_str().unwrap(),
        mark.to_str().unwrap(),
        "--out",
        log.to_str().unwrap(),
    ];
    // The source description holds the data paths, so the file size depends on where the
    // data lives: redact both.
    let out = check(&args, tmp.path()).replace(&data.display().to_string(), "[DATA]");
    let out: String = out
        .lines()
        .map(|l| match l.strip_prefix("format:       version 2, ") {
            Some(rest) => format!(
                "format:       version 2, [BYTES]{}\n",
                &rest[rest.find(" bytes").unwrap_or(0)..]
            ),
            None => format!("{l}\n"),
        })
        .collect();
    insta::assert_snapshot!("import_real_10_10", out);
    // The bar with the 10/10 low: 101,516.5, opening 21:20 (stamped at its close, 21:21).
    let low = cascade_journal::Reader::open(&log)
        .unwrap()
        .map(|e| e.unwrap())
        .filter_map(|e| match e.body {
            cascade_types::EventBody::Bar(b) if b.source == cascade_types::BarSource::Last => {
                Some(b)
            }
            _ => None,
        })
        .min_by_key(|b| b.low)
        .unwrap();
    assert_eq!(
        (low.low.to_string(), low.open_time.to_string()),
        ("101516.5".into(), "2025-10-10T21:20:00Z".into())
    );
}

/// `backtest` with no command runs the scoring suite (here on one bundled scenario and one
/// entry, to keep the debug build quick) and writes its three files.
#[test]
fn no_command_scores_the_bundled_scenarios() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("score");
    let text = check(
        &[
            "--scenarios",
            "2025-10-10",
            "--strategies",
            "buy-and-hold-perp-10x",
            "--out",
            out.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(text.starts_with("exit 0"), "{text}");
    assert!(
        text.contains("buy-and-hold-perp-10x  2025-10-10-tariff-crash (reconstruction)"),
        "{text}"
    );
    assert!(
        text.contains("reconstruction (synthetic, seed 20251010)"),
        "{text}"
    );
    for f in ["score.txt", "score.json", "score.html"] {
        assert!(out.join(f).is_file(), "{f} not written");
    }
    let html = std::fs::read_to_string(out.join("score.html")).unwrap();
    assert!(html.contains("<svg") && html.contains(r#"class="badge reconstruction""#));
}

/// A scenario file with a missing field fails alone: the other scenario is scored and
/// reported, the file and field are named, and the exit code says something failed.
#[test]
fn score_reports_a_bad_scenario_and_exits_non_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("scenarios");
    std::fs::create_dir(&dir).unwrap();
    let src = root().join("fixtures/scenarios/2025-02-03-tariffs.toml");
    std::fs::copy(&src, dir.join("2025-02-03-tariffs.toml")).unwrap();
    let text = std::fs::read_to_string(&src).unwrap();
    let broken: String = text
        .lines()
        .filter(|l| !l.starts_with("title"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.join("2025-02-04-broken.toml"), broken).unwrap();
    let out = tmp.path().join("score");
    let text = check(
        &[
            "score",
            "--scenario-dir",
            dir.to_str().unwrap(),
            "--strategies",
            "buy-and-hold-perp-10x",
            "--threads",
            "2",
            "--out",
            out.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(text.starts_with("exit 1"), "{text}");
    assert!(
        text.contains("buy-and-hold-perp-10x  2025-02-03-tariffs (reconstruction)"),
        "{text}"
    );
    assert!(
        text.contains("[TMP]/scenarios/2025-02-04-broken.toml:1:1: missing field `title`"),
        "{text}"
    );
    assert!(
        text.contains("error: 1 failure(s): 2025-02-04-broken"),
        "{text}"
    );
    assert!(out.join("score.json").is_file());
}

/// A small BTC log with recorded liquidations: a 6 % slide over five minutes, a book top, a
/// mark and a trade each second, a recorded long liquidation every 20 s of the slide.
fn liquidation_log(path: &Path) {
    use cascade_types::*;
    let mut btc = InstrumentSpec::new(
        "binance-um",
        "BTCUSDT",
        InstrumentKind::LinearPerp,
        "BTC",
        "USDT",
    );
    btc.tick = "0.1".parse().unwrap();
    btc.lot = "0.001".parse().unwrap();
    let t0 = Ts::parse_utc("2024-08-05T00:00:00Z").unwrap();
    let mut w = cascade_journal::Writer::create(path, vec![btc], "calibrate fixture").unwrap();
    let mut price = 60_000i64;
    for k in 0..360i64 {
        let ts = t0.plus_secs(k);
        if (30..330).contains(&k) {
            price -= 12;
        }
        let at = |body| Event {
            ts,
            instrument: InstrumentId(0),
            body,
        };
        let p = Price::from_int(price);
        w.write(&at(EventBody::BookTop(BookTop {
            bid_price: Price::from_int(price - 1),
            bid_qty: Qty::from_int(5),
            ask_price: p,
            ask_qty: Qty::from_int(5),
        })))
        .unwrap();
        w.write(&at(EventBody::MarkPrice(p))).unwrap();
        w.write(&at(EventBody::Trade(Trade {
            price: p,
            qty: "0.5".parse().unwrap(),
            aggressor: Side::Sell,
            trade_id: k as u64,
        })))
        .unwrap();
        if (30..330).contains(&k) && k % 20 == 0 {
            w.write(&at(EventBody::Liquidation(Liquidation {
                side: Side::Sell,
                price: p,
                qty: Qty::from_int(1),
            })))
            .unwrap();
        }
    }
    w.finish().unwrap();
}

#[test]
fn calibrate_fits_the_leverage_to_recorded_liquidations_deterministically() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("slide.clog");
    liquidation_log(&log);
    let crowd = tmp.path().join("crowd.toml");
    std::fs::write(
        &crowd,
        "seed = 3\ninitial_spread_bps = 200\nfidelity_interval_s = 60\n[size]\nkind = \"fixed\"\nnotional = 30000.0\n",
    )
    .unwrap();
    let args = [
        "calibrate",
        log.to_str().unwrap(),
        "--venue",
        "binance-usdm",
        "--from",
        "2024-08-05T00:00:00Z",
        "--to",
        "2024-08-05T00:06:00Z",
        "--insurance-fund",
        "1000000",
        "--crowd",
        crowd.to_str().unwrap(),
        "--crowd-book",
        "60@60000",
    ];
    let a = check(&args, tmp.path());
    let b = check(&args, tmp.path());
    assert_eq!(a, b, "the same inputs give the same fit");
    assert!(a.starts_with("exit 0\n"), "{a}");
    assert!(
        a.contains("<- best") && a.contains("fit: leverage lognormal median"),
        "{a}"
    );
    insta::assert_snapshot!("calibrate_slide", a);
    // A log without recorded liquidations in the window cannot be fitted: a clear error.
    let mut early = args;
    early[7] = "2024-08-05T00:00:20Z";
    let e = check(&early, tmp.path());
    assert!(
        e.starts_with("exit 1\n") && e.contains("no recorded liquidation"),
        "{e}"
    );
}

#[test]
fn run_with_the_crowd_writes_its_report_and_replays() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("slide.clog");
    liquidation_log(&log);
    let out = tmp.path().join("run");
    let ran = check(
        &[
            "run",
            "--strategy",
            "noop",
            "--venue",
            "binance-usdm",
            "--insurance-fund",
            "1000000",
            "--crowd-book",
            "60@60000",
            // The fixture holds no funding: name the stand-in.
            "--funding-default",
            "computed",
            "--out",
            out.to_str().unwrap(),
            log.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(
        ran.starts_with("exit 0\n") && ran.contains("crowd report"),
        "{ran}"
    );
    let text = std::fs::read_to_string(out.join("crowd.txt")).unwrap();
    assert!(
        text.contains("modelled against recorded liquidations"),
        "{text}"
    );
    assert!(out.join("heatmap.svg").exists());
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"crowd\""), "{manifest}");
    let replayed = check(&["replay", "--verify", out.to_str().unwrap()], tmp.path());
    assert!(replayed.starts_with("exit 0\n"), "{replayed}");
    let bad = check(
        &[
            "run",
            "--strategy",
            "noop",
            "--venue",
            "bybit",
            "--crowd-book",
            "60",
            "--out",
            tmp.path().join("bad").to_str().unwrap(),
            log.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(
        bad.starts_with("exit 1\n") && bad.contains("OI@PRICE"),
        "{bad}"
    );
}

/// Issue "honest inputs": a run window over nine days of 5-minute marks with the whole funding
/// history (2020 → 2026) applies exactly the settlements inside the window, its report's period
/// is the window, and the coverage table shows the day of marks the archive lacks (10-04).
#[test]
fn a_window_applies_only_the_funding_inside_it_and_the_coverage_shows_the_missing_day() {
    let Some(data) = data_dir() else {
        println!("skipped: no real data (set CASCADE_DATA_DIR or put ../shared/data beside the checkout)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("marks.clog");
    let mut args: Vec<String> = vec!["import".into()];
    for day in 1..=9 {
        let f = data.join(format!(
            "binance-2025-10-10/markprice_5m_um/BTCUSDT-5m-2025-10-{day:02}.zip"
        ));
        if f.exists() {
            args.push(f.display().to_string());
        }
    }
    args.push(data.join("funding-data/BTCUSDT.csv").display().to_string());
    args.extend(["--out".into(), log.display().to_string()]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let imported = check(&argv, tmp.path());
    assert!(imported.starts_with("exit 0\n"), "{imported}");
    let out = tmp.path().join("run");
    let ran = check(
        &[
            "run",
            "--strategy",
            "buy-and-hold",
            "--param",
            "mode=perp",
            "--param",
            "leverage=2",
            "--venue",
            "binance-usdm",
            "--from",
            "2025-10-01",
            "--to",
            "2025-10-10T00:00:00Z",
            "--out",
            out.to_str().unwrap(),
            log.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(ran.starts_with("exit 0\n"), "{ran}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let text = std::fs::read_to_string(out.join("report.txt")).unwrap();
    let fills = std::fs::read_to_string(out.join("report.fills.csv")).unwrap();
    println!("{text}");
    let funding = &report["metrics"]["funding"];
    assert_eq!(funding["payments"], 27, "{funding}\n{text}");
    // No settlement after the window's end is paid (the funding file runs to 2026).
    let last_funding = fills
        .lines()
        .rfind(|l| l.contains("funding"))
        .unwrap_or_default()
        .to_string();
    assert!(
        last_funding.starts_with("2025-10-10T00:00:00"),
        "{last_funding}"
    );
    let coverage = std::fs::read_to_string(out.join("coverage.json")).unwrap();
    assert!(
        text.contains("window: 2025-10-01T00:00:00Z → 2025-10-10T00:00:00Z"),
        "{text}"
    );
    assert!(
        text.contains("gap 2025-10-04T00:00:00Z → 2025-10-05T00:00:00Z (1d0h0m)"),
        "{text}\n{coverage}"
    );
    // Events outside the window (the funding history of 2020 → 2026) are counted, not applied.
    assert!(
        !text.contains("events outside it, not applied: 0)"),
        "{text}"
    );
    assert!(
        text.contains("period            2025-10-01T00:00:00Z -> 2025-10-10T00:00:00Z"),
        "{text}"
    );
}

/// `backtest sweep --shard auto` in a SLURM job array and in a Kubernetes Indexed Job: the
/// variables go to the child process only (the test process's environment is untouched, so
/// parallel tests cannot see them). Each picks the shard the variables name, and the shards
/// of either kind merge into the same results.
#[test]
fn sweep_shard_auto_picks_the_job_arrays_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("sample.clog");
    let out = check(
        &["import", "fixtures/sample", "--out", log.to_str().unwrap()],
        tmp.path(),
    );
    assert!(out.starts_with("exit 0"), "{out}");
    let file = tmp.path().join("sweep.toml");
    std::fs::write(
        &file,
        "strategy = \"noise\"\nvenue = \"binance-usdm\"\njournal = false\n\
         [params]\nqty = \"0.01\"\n[grid]\nevery = [20, 50, 100]\n\
         [[scenario]]\nname = \"sample\"\nlogs = [\"sample.clog\"]\n",
    )
    .unwrap();
    // Runs `backtest sweep --shard auto ARGS` with `vars` in the child's environment only,
    // every job-array variable of the parent removed from it.
    let sweep = |dir: &str, vars: &[(&str, &str)], args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_backtest"));
        cmd.args(["sweep", file.to_str().unwrap(), "--out"])
            .arg(tmp.path().join(dir))
            .args(["--shard", "auto", "--threads", "1"])
            .args(args)
            .current_dir(root());
        for k in [
            "SLURM_ARRAY_TASK_ID",
            "SLURM_ARRAY_TASK_MIN",
            "SLURM_ARRAY_TASK_COUNT",
            "JOB_COMPLETION_INDEX",
        ] {
            cmd.env_remove(k);
        }
        cmd.envs(vars.iter().copied());
        let o = cmd.output().expect("backtest runs");
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let jobs_of = |stdout: &str| -> Vec<String> {
        stdout
            .lines()
            .filter_map(|l| l.trim().strip_prefix("job "))
            .map(|l| l.split_whitespace().next().unwrap().to_string())
            .collect()
    };
    // SLURM, `--array=1-2`: task ids 1 and 2 are shards 0/2 and 1/2.
    let mut slurm_files = Vec::new();
    for (id, want_index, want_jobs) in [("1", 0, ["0", "2"].as_slice()), ("2", 1, &["1"])] {
        let (ok, stdout, stderr) = sweep(
            "slurm",
            &[
                ("SLURM_ARRAY_TASK_ID", id),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "2"),
            ],
            &[],
        );
        assert!(ok, "{stderr}");
        assert!(
            stdout.contains(&format!("shard {want_index}/2:")),
            "{stdout}"
        );
        assert_eq!(jobs_of(&stdout), want_jobs, "{stdout}");
        slurm_files.push(
            tmp.path()
                .join("slurm")
                .join(format!("results-shard-{want_index}-of-2.json")),
        );
    }
    // Kubernetes Indexed Job with completions = 3: index 2 is shard 2/3, job 2 only.
    let (ok, stdout, stderr) = sweep(
        "k8s",
        &[("JOB_COMPLETION_INDEX", "2")],
        &["--shard-count", "3"],
    );
    assert!(ok, "{stderr}");
    assert!(stdout.contains("shard 2/3:"), "{stdout}");
    assert_eq!(jobs_of(&stdout), ["2"], "{stdout}");
    // Without its count, or with no job-array variables at all, it is refused by name.
    let (ok, _, stderr) = sweep("k8s", &[("JOB_COMPLETION_INDEX", "2")], &[]);
    assert!(!ok && stderr.contains("--shard-count"), "{stderr}");
    let (ok, _, stderr) = sweep("none", &[], &["--shard-count", "3"]);
    assert!(
        !ok && stderr.contains("neither SLURM_ARRAY_TASK_ID"),
        "{stderr}"
    );
    // The SLURM shards merge into the whole sweep.
    let merged = tmp.path().join("merged.json");
    let mut args = vec!["merge".to_string()];
    args.extend(slurm_files.iter().map(|p| p.display().to_string()));
    args.extend(["--out".to_string(), merged.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = check(&args, tmp.path());
    assert!(out.starts_with("exit 0"), "{out}");
    assert!(out.contains("3 jobs, 0 failed"), "{out}");
}
