//! Fetching Tardis.dev datasets from a loopback host (never the real one): a good fetch, a
//! truncated gzip and a wrong header refused, a 404 gap, no key → only the first day of a
//! month requested, the key sent as a bearer header, and a refused key named.

mod support;

use cascade_fetch::{
    Day, FetchError, Outcome, Quiet, TardisFetcher, TardisFile, TardisSelection, TardisSummary,
    TardisType,
};
use support::{tardis_gz, tardis_path, Mirror};

const KINDS: [&str; 3] = ["trades", "derivative_ticker", "liquidations"];

fn files(types: &[&str], from: &str, to: &str) -> Vec<TardisFile> {
    TardisSelection {
        exchange: "binance-futures".into(),
        symbols: vec!["btcusdt".into()],
        types: types
            .iter()
            .map(|t| TardisType::parse(t).unwrap())
            .collect(),
        from: Day::parse(from, "--from").unwrap(),
        to: Day::parse(to, "--to").unwrap(),
    }
    .files()
    .unwrap()
}

/// A host with every kind for 2025-10-01 and 2025-10-02.
fn host() -> Mirror {
    let m = Mirror::empty();
    for kind in KINDS {
        for day in [1, 2] {
            m.put(
                &format!("v1/{}", tardis_path(kind, day)),
                &tardis_gz(kind, day),
            );
        }
    }
    m
}

fn check(
    m: &Mirror,
    cache: &std::path::Path,
    key: Option<&str>,
    f: &[TardisFile],
) -> TardisSummary {
    TardisFetcher::new(&m.url, cache, key.map(str::to_string)).fetch(f, &Quiet)
}

#[test]
fn a_good_fetch_keeps_every_file_and_sends_the_key_and_a_second_fetch_downloads_nothing() {
    let m = host();
    let cache = tempfile::tempdir().unwrap();
    let f = files(&KINDS, "2025-10-01", "2025-10-02");
    let s = check(&m, cache.path(), Some("secret"), &f);
    assert_eq!((s.downloaded(), s.failures().len()), (6, 0), "{s}");
    for kind in KINDS {
        for day in [1, 2] {
            let p = tardis_path(kind, day);
            let got = std::fs::read(cache.path().join("tardis").join(&p)).unwrap();
            assert_eq!(got, std::fs::read(m.file(&format!("v1/{p}"))).unwrap());
            assert!(!cache.path().join(format!("tardis/{p}.part")).exists());
        }
    }
    let log = m.take_log();
    assert_eq!(log.len(), 6);
    assert!(
        log.iter()
            .all(|r| r.auth.as_deref() == Some("Bearer secret") && r.path.starts_with("/v1/")),
        "{log:?}"
    );
    let again = check(&m, cache.path(), Some("secret"), &f);
    assert_eq!((again.downloaded(), again.cached()), (0, 6), "{again}");
    assert!(m.take_log().is_empty());
}

#[test]
fn a_truncated_gzip_or_a_wrong_header_is_refused_by_name_and_nothing_is_kept() {
    let m = host();
    let trades = tardis_path("trades", 2);
    let whole = tardis_gz("trades", 2);
    m.put(&format!("v1/{trades}"), &whole[..whole.len() - 10]);
    let ticker = tardis_path("derivative_ticker", 2);
    m.put(&format!("v1/{ticker}"), &tardis_gz("trades", 2));
    let cache = tempfile::tempdir().unwrap();
    let s = check(
        &m,
        cache.path(),
        Some("k"),
        &files(&KINDS, "2025-10-01", "2025-10-02"),
    );
    let failed: Vec<String> = s.failures().iter().map(|(f, _)| f.path()).collect();
    assert_eq!(failed, [trades.clone(), ticker.clone()], "{s}");
    let text = s.to_string();
    assert!(text.contains(&format!("FAILED {trades}")), "{text}");
    assert!(text.contains("gzip"), "{text}");
    assert!(
        text.contains("not the Tardis derivative_ticker header"),
        "{text}"
    );
    for p in [&trades, &ticker] {
        assert!(!cache.path().join("tardis").join(p).exists());
        assert!(!cache.path().join(format!("tardis/{p}.part")).exists());
    }
    assert_eq!(s.downloaded(), 4);
}

#[test]
fn a_missing_day_is_a_gap_and_the_rest_is_fetched() {
    let m = host();
    let cache = tempfile::tempdir().unwrap();
    let s = check(
        &m,
        cache.path(),
        Some("k"),
        &files(&["trades"], "2025-10-01", "2025-10-03"),
    );
    let gaps: Vec<String> = s.gaps().iter().map(|f| f.path()).collect();
    assert_eq!(gaps, [tardis_path("trades", 3)]);
    assert_eq!(s.downloaded(), 2, "{s}");
    assert!(
        s.to_string()
            .contains("gap (not on the host, or no data that day)"),
        "{s}"
    );
}

#[test]
fn an_empty_gzip_is_a_gap_and_nothing_is_kept() {
    let m = host();
    let empty = {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"").unwrap();
        gz.finish().unwrap()
    };
    m.put(&format!("v1/{}", tardis_path("trades", 3)), &empty);
    let cache = tempfile::tempdir().unwrap();
    let s = check(
        &m,
        cache.path(),
        Some("k"),
        &files(&["trades"], "2025-10-01", "2025-10-03"),
    );
    let gaps: Vec<String> = s.gaps().iter().map(|f| f.path()).collect();
    assert_eq!(gaps, [tardis_path("trades", 3)], "{s}");
    assert_eq!((s.downloaded(), s.failures().len()), (2, 0), "{s}");
    let p = tardis_path("trades", 3);
    assert!(!cache.path().join("tardis").join(&p).exists());
    assert!(!cache.path().join(format!("tardis/{p}.part")).exists());
}

#[test]
fn without_a_key_only_the_first_day_of_a_month_is_requested() {
    let m = host();
    let cache = tempfile::tempdir().unwrap();
    let s = check(
        &m,
        cache.path(),
        None,
        &files(&["trades"], "2025-09-30", "2025-10-02"),
    );
    assert_eq!((s.downloaded(), s.skipped.len()), (1, 2), "{s}");
    let log = m.take_log();
    let asked: Vec<&str> = log.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(asked, [format!("/v1/{}", tardis_path("trades", 1))]);
    assert_eq!(log[0].auth, None);
    let text = s.to_string();
    assert!(
        text.contains(&format!(
            "skipped (needs TARDIS_API_KEY): {}",
            tardis_path("trades", 2)
        )),
        "{text}"
    );
    assert!(text.starts_with("3 file(s): 1 downloaded"), "{text}");
}

#[test]
fn a_refused_key_is_named_and_not_retried() {
    let m = host();
    m.require_key("right");
    let cache = tempfile::tempdir().unwrap();
    let f = files(&["trades"], "2025-10-01", "2025-10-01");
    let s = check(&m, cache.path(), Some("wrong"), &f);
    let failures = s.failures();
    assert_eq!(failures.len(), 1, "{s}");
    assert!(matches!(
        failures[0].1,
        FetchError::Unauthorized {
            status: 401,
            key_sent: true,
            ..
        }
    ));
    let text = s.to_string();
    assert!(text.contains(&tardis_path("trades", 1)), "{text}");
    assert!(text.contains("TARDIS_API_KEY was refused"), "{text}");
    assert_eq!(m.take_log().len(), 1, "not retried");
    assert!(!cache
        .path()
        .join("tardis")
        .join(tardis_path("trades", 1))
        .exists());

    let s = check(&m, cache.path(), None, &f);
    assert!(
        s.to_string()
            .contains("needs an API key: set TARDIS_API_KEY"),
        "{s}"
    );
    assert!(matches!(s.results[0].1, Outcome::Failed(_)));
}
