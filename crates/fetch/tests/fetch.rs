//! Fetching from a loopback mirror (never the real host): a good fetch, a checksum mismatch,
//! a 404 day, a body cut short, the server closing mid-file, resume after an interruption,
//! and a second fetch that downloads nothing.

mod support;

use cascade_fetch::{
    scenario_files, ArchiveFile, DataType, Day, Fetcher, Market, Outcome, Quiet, Selection, Summary,
};
use support::{Fault, Mirror, SAMPLES};

const KLINES: &str = "data/futures/um/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-10-10.zip";
const METRICS: &str = "data/futures/um/daily/metrics/BTCUSDT/BTCUSDT-metrics-2025-10-10.zip";

/// The 2025-10-10 scenario's list, with trades (every sample is in it).
fn scenario_list() -> Vec<ArchiveFile> {
    let catalogue =
        cascade_scenario::load_dir(&support::workspace().join("fixtures/scenarios")).unwrap();
    let s = catalogue
        .iter()
        .find(|s| s.id == "2025-10-10-tariff-crash")
        .unwrap();
    scenario_files(s, true).files
}

fn klines(from: &str, to: &str) -> Vec<ArchiveFile> {
    Selection {
        market: Market::Um,
        symbols: vec!["btcusdt".into()],
        types: vec![DataType::Klines],
        interval: "1m".into(),
        from: Day::parse(from, "--from").unwrap(),
        to: Day::parse(to, "--to").unwrap(),
    }
    .files()
    .unwrap()
}

fn outcome<'a>(s: &'a Summary, path: &str) -> &'a Outcome {
    &s.results.iter().find(|(f, _)| f.path() == path).unwrap().1
}

/// The cache holds exactly the mirror's bytes for `path`, with its sidecar and no part.
fn assert_cached(cache: &std::path::Path, mirror: &Mirror, path: &str) {
    let got = std::fs::read(cache.join(path)).unwrap();
    assert_eq!(got, std::fs::read(mirror.file(path)).unwrap(), "{path}");
    assert!(cache.join(format!("{path}.sha256")).is_file());
    assert!(!cache.join(format!("{path}.part")).exists());
}

#[test]
fn a_scenario_fetch_keeps_every_file_the_mirror_has_and_lists_the_rest_as_gaps() {
    let mirror = Mirror::start();
    let cache = tempfile::tempdir().unwrap();
    let files = scenario_list();
    let s = Fetcher::new(&mirror.url, cache.path()).fetch(&files, &Quiet);
    assert_eq!(s.downloaded(), SAMPLES.len(), "{s}");
    assert!(s.failures().is_empty(), "{s}");
    assert_eq!(s.gaps().len(), files.len() - SAMPLES.len());
    for (_, path) in SAMPLES {
        assert_cached(cache.path(), &mirror, path);
    }
    let text = s.to_string();
    assert!(text.contains("gap (not in the archive): data/futures/um/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-10-11.zip"), "{text}");
    assert!(
        text.contains(
            "gap (not in the archive): data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-10-10.zip"
        ),
        "{text}"
    );

    // A second fetch downloads nothing: every kept file is skipped without a request.
    mirror.take_log();
    let again = Fetcher::new(&mirror.url, cache.path()).fetch(&files, &Quiet);
    assert_eq!(
        (again.downloaded(), again.cached(), again.bytes()),
        (0, SAMPLES.len(), 0)
    );
    let log = mirror.take_log();
    assert!(log.iter().all(|r| r.status == 404), "{log:?}");
}

#[test]
fn a_corrupt_file_is_refused_by_name_and_nothing_is_left_under_its_name() {
    let mirror = Mirror::start();
    mirror.fault(METRICS, Fault::Corrupt, usize::MAX);
    let cache = tempfile::tempdir().unwrap();
    let s = Fetcher::new(&mirror.url, cache.path()).fetch(&scenario_list(), &Quiet);
    let failures = s.failures();
    assert_eq!(failures.len(), 1, "{s}");
    assert_eq!(failures[0].0.path(), METRICS);
    let text = s.to_string();
    assert!(text.contains("checksum mismatch"), "{text}");
    assert!(text.contains(&format!("FAILED {METRICS}")), "{text}");
    assert!(!cache.path().join(METRICS).exists());
    assert!(!cache.path().join(format!("{METRICS}.part")).exists());
    assert!(!cache.path().join(format!("{METRICS}.sha256")).exists());
    // The others were kept.
    assert_eq!(s.downloaded(), SAMPLES.len() - 1);
    assert_cached(cache.path(), &mirror, KLINES);
}

#[test]
fn a_missing_day_is_a_gap_and_the_rest_is_fetched() {
    let mirror = Mirror::start();
    let cache = tempfile::tempdir().unwrap();
    let s =
        Fetcher::new(&mirror.url, cache.path()).fetch(&klines("2025-10-09", "2025-10-11"), &Quiet);
    let gaps: Vec<String> = s.gaps().iter().map(|f| f.date.clone()).collect();
    assert_eq!(gaps, ["2025-10-09", "2025-10-11"]);
    assert_eq!(s.downloaded(), 1);
    assert_cached(cache.path(), &mirror, KLINES);
    assert!(s.to_string().starts_with("3 file(s): 1 downloaded"), "{s}");
}

#[test]
fn a_body_cut_short_is_resumed_with_a_range_request() {
    let mirror = Mirror::start();
    mirror.fault(KLINES, Fault::CutShort, 1);
    let cache = tempfile::tempdir().unwrap();
    let s =
        Fetcher::new(&mirror.url, cache.path()).fetch(&klines("2025-10-10", "2025-10-10"), &Quiet);
    let half = std::fs::metadata(mirror.file(KLINES)).unwrap().len() / 2;
    assert!(
        matches!(outcome(&s, KLINES), Outcome::Downloaded { resumed_from, .. } if *resumed_from == half),
        "{s}"
    );
    assert_cached(cache.path(), &mirror, KLINES);
    let ranges: Vec<_> = mirror
        .take_log()
        .into_iter()
        .filter_map(|r| r.range)
        .collect();
    assert_eq!(ranges, [format!("bytes={half}-")]);
}

#[test]
fn a_server_closing_mid_file_is_caught_by_the_checksum_and_fetched_again() {
    let mirror = Mirror::start();
    mirror.fault(KLINES, Fault::CloseMidFile, 1);
    let cache = tempfile::tempdir().unwrap();
    let s =
        Fetcher::new(&mirror.url, cache.path()).fetch(&klines("2025-10-10", "2025-10-10"), &Quiet);
    assert!(
        matches!(outcome(&s, KLINES), Outcome::Downloaded { .. }),
        "{s}"
    );
    assert_cached(cache.path(), &mirror, KLINES);
    let zips = mirror
        .take_log()
        .into_iter()
        .filter(|r| r.path.ends_with(".zip"))
        .count();
    assert_eq!(zips, 2, "one broken download, one whole");
}

#[test]
fn an_interrupted_fetch_resumes_where_it_stopped() {
    let mirror = Mirror::start();
    mirror.fault(KLINES, Fault::CutShort, usize::MAX);
    let cache = tempfile::tempdir().unwrap();
    let files = klines("2025-10-10", "2025-10-10");
    let first = Fetcher::new(&mirror.url, cache.path())
        .attempts(1)
        .fetch(&files, &Quiet);
    assert_eq!(first.failures().len(), 1, "{first}");
    assert!(!cache.path().join(KLINES).exists());
    let part = cache.path().join(format!("{KLINES}.part"));
    let total = std::fs::metadata(mirror.file(KLINES)).unwrap().len();
    let half = total / 2;
    assert_eq!(std::fs::metadata(&part).unwrap().len(), half);

    mirror.heal();
    mirror.take_log();
    let second = Fetcher::new(&mirror.url, cache.path()).fetch(&files, &Quiet);
    assert!(
        matches!(outcome(&second, KLINES), Outcome::Downloaded { resumed_from, bytes } if *resumed_from == half && *bytes == total - half),
        "{second}"
    );
    assert_cached(cache.path(), &mirror, KLINES);
    let ranges: Vec<_> = mirror
        .take_log()
        .into_iter()
        .filter_map(|r| r.range)
        .collect();
    assert_eq!(ranges, [format!("bytes={half}-")]);
}
