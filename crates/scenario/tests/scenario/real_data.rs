//! The scenario files against the real files they cite, when the data directory is at hand
//! (`CASCADE_DATA_DIR`, else `../shared/data` beside the workspace); skipped, with the reason
//! printed, when it is not.
//!
//! - **Funding**: where a scenario's headline perp is the instrument of its real funding file,
//!   `figures.funding_before` / `funding_after` must carry a rate and the `span` it averages,
//!   and agree with the file's mean over that span within 10 %; `figures.funding_settled`
//!   must list every settlement of the file inside the window, each within 10 % of the file.
//! - **Prices**: every anchor of the plan whose time a 1-minute bar file of the headline perp
//!   covers agrees with that bar: a low equals the bar's low within 0.1 %, a level (price
//!   before, crash start, bounce, recovery, end) lies within 2 % of the bar's close.

use crate::common::*;
use cascade_scenario::{RealData, Scenario};
use cascade_types::{Price, Rate, Ts};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The data directory, or why there is none.
fn data_dir() -> Result<PathBuf, String> {
    let dir = match std::env::var_os("CASCADE_DATA_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    };
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(format!(
            "skipped: no data directory at {} (set CASCADE_DATA_DIR)",
            dir.display()
        ))
    }
}

fn is_headline(s: &Scenario, r: &RealData) -> bool {
    let p = &s.instruments[s.perp_index().expect("a perp")];
    p.venue == r.venue && p.symbol == r.symbol
}

/// Binance funding CSV: `calc_time` (ms, a few ms after the hour), interval, rate. Times are
/// floored to the minute.
fn funding_file(path: &Path) -> BTreeMap<Ts, Rate> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let bad = || format!("{}:{}: bad funding row {line:?}", path.display(), n + 1);
        let ms: i64 = f
            .first()
            .and_then(|x| x.parse().ok())
            .unwrap_or_else(|| panic!("{}", bad()));
        let rate: Rate = f
            .get(2)
            .and_then(|x| x.parse().ok())
            .unwrap_or_else(|| panic!("{}", bad()));
        out.insert(Ts::from_secs(ms / 60_000 * 60).unwrap(), rate);
    }
    out
}

/// One real bar: open time → (low, close).
type Bars = BTreeMap<Ts, (f64, f64)>;

/// Binance kline CSV (header line) or BitMEX's columnar `trade/bucketed` JSON.
fn bar_file(path: &Path) -> Bars {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Bars::new();
    if path.extension().is_some_and(|e| e == "json") {
        let v: serde_json::Value = serde_json::from_str(&text).expect("BitMEX JSON");
        let t0 = v["openTimestamp"].as_i64().expect("openTimestamp");
        let col = |k: &str| v[k].as_array().expect(k).clone();
        let (low, close) = (col("low"), col("close"));
        for (i, (l, c)) in low.iter().zip(&close).enumerate() {
            let t = Ts::from_secs(t0 + 60 * i as i64).unwrap();
            out.insert(t, (l.as_f64().unwrap(), c.as_f64().unwrap()));
        }
        return out;
    }
    for (n, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let num = |k: usize| -> f64 {
            f.get(k)
                .and_then(|x| x.parse().ok())
                .unwrap_or_else(|| panic!("{}:{}: bad kline row", path.display(), n + 1))
        };
        let t = Ts::from_millis(num(0) as i64).unwrap();
        out.insert(t, (num(3), num(4)));
    }
    out
}

fn rel(got: f64, want: f64) -> f64 {
    ((got - want) / want).abs()
}

#[test]
fn funding_figures_agree_with_the_real_funding_file() {
    let dir = match data_dir() {
        Ok(d) => d,
        Err(why) => return println!("{why}"),
    };
    let mut report = String::new();
    let mut bad = 0;
    let line = |report: &mut String, bad: &mut usize, ok: bool, text: String| {
        *bad += usize::from(!ok);
        report.push_str(&format!("  {text} {}\n", verdict(ok)));
    };
    for (s, _) in catalogue() {
        report.push_str(&format!("{}\n", s.id));
        for r in s
            .real_data
            .iter()
            .filter(|r| r.contents.starts_with("funding rates"))
        {
            if !is_headline(s, r) {
                report.push_str(&format!(
                    "  not checked: {} is {} {}, not the headline perp\n",
                    r.path, r.venue, r.symbol
                ));
                continue;
            }
            let file = funding_file(&dir.join(&r.path));
            for (name, fig) in [
                ("funding_before", &s.figures.funding_before),
                ("funding_after", &s.figures.funding_after),
            ] {
                let Some(f) = fig else {
                    line(
                        &mut report,
                        &mut bad,
                        false,
                        format!("{name}: missing, though the file holds it"),
                    );
                    continue;
                };
                let (Some(rate), Some((a, b))) = (f.rate, f.span) else {
                    line(
                        &mut report,
                        &mut bad,
                        false,
                        format!("{name}: no rate or no span"),
                    );
                    continue;
                };
                let xs: Vec<f64> = file.range(a..=b).map(|(_, r)| r.to_f64()).collect();
                let mean = xs.iter().sum::<f64>() / xs.len().max(1) as f64;
                let ok = !xs.is_empty() && rel(rate.to_f64(), mean) <= 0.10;
                line(
                    &mut report,
                    &mut bad,
                    ok,
                    format!(
                        "{name} {rate} vs the file's mean {mean:.8} over {} settlement(s) {a}..{b}",
                        xs.len()
                    ),
                );
            }
            let listed = s
                .figures
                .funding_settled
                .as_ref()
                .map_or(&[][..], |f| &f.settlements[..]);
            let in_window: Vec<(Ts, Rate)> = file
                .range(s.window.start..=s.window.end)
                .filter(|(t, _)| **t > s.window.start)
                .map(|(t, r)| (*t, *r))
                .collect();
            let mut worst: f64 = 0.0;
            let mut ok = listed.len() == in_window.len();
            for (t, want) in &in_window {
                match listed.iter().find(|x| x.at == *t) {
                    Some(x) => {
                        let d = (x.rate.to_f64() - want.to_f64()).abs();
                        let d = if want.is_zero() {
                            d
                        } else {
                            d / want.to_f64().abs()
                        };
                        worst = worst.max(d);
                        ok &= d <= 0.10;
                    }
                    None => ok = false,
                }
            }
            line(
                &mut report,
                &mut bad,
                ok,
                format!(
                    "funding_settled: {} listed, {} in the file's window, worst difference {:.2}%",
                    listed.len(),
                    in_window.len(),
                    worst * 100.0
                ),
            );
        }
    }
    println!("{report}");
    assert_eq!(
        bad, 0,
        "funding figures contradict the real file:\n{report}"
    );
}

#[test]
fn price_anchors_agree_with_the_real_bars() {
    let dir = match data_dir() {
        Ok(d) => d,
        Err(why) => return println!("{why}"),
    };
    let mut report = String::new();
    let mut bad = 0;
    let mut checked = 0;
    for (s, _) in catalogue() {
        report.push_str(&format!("{}\n", s.id));
        let mut bars = Bars::new();
        for r in &s.real_data {
            let one_minute =
                r.contents.starts_with("1m klines") || r.contents.starts_with("1m bars");
            if !one_minute || r.contents.contains("mark-price") {
                continue;
            }
            if !is_headline(s, r) {
                report.push_str(&format!(
                    "  not checked: {} is {} {}, not the headline perp\n",
                    r.path, r.venue, r.symbol
                ));
                continue;
            }
            bars.extend(bar_file(&dir.join(&r.path)));
        }
        let p = s.plan().unwrap_or_else(|e| panic!("{e}"));
        let minute = Ts::NANOS_PER_MIN;
        let bar_at = |t: Ts| {
            bars.get(&t)
                .or_else(|| bars.get(&Ts::from_nanos(t.nanos() - minute)))
        };
        let px = |x: Price| x.to_f64();
        let mut lows = vec![("low", p.low.bar_open, p.low.last_low)];
        if let Some(f) = p.first_leg {
            lows.push(("first-leg low", f.bar_open, f.last_low));
        }
        for (name, at, price) in lows {
            if let Some((low, _)) = bars.get(&at) {
                let ok = rel(px(price), *low) <= 0.001;
                bad += usize::from(!ok);
                checked += 1;
                report.push_str(&format!(
                    "  {name} {price} in bar {at}: real low {low} {}\n",
                    verdict(ok)
                ));
            }
        }
        let mut levels = vec![
            ("price before", p.price_before),
            ("crash start", p.crash_start),
            ("recovery", p.recovery),
            ("end", p.end),
        ];
        if let Some(b) = p.bounce {
            levels.push(("bounce", b));
        }
        for (name, pt) in levels {
            if let Some((_, close)) = bar_at(pt.at) {
                let d = rel(px(pt.price), *close);
                let ok = d <= 0.02;
                bad += usize::from(!ok);
                checked += 1;
                report.push_str(&format!(
                    "  {name} {} at {}: real close {close} ({:+.2}%) {}\n",
                    pt.price,
                    pt.at,
                    (px(pt.price) / close - 1.0) * 100.0,
                    verdict(ok)
                ));
            }
        }
    }
    println!("{report}");
    assert!(
        checked > 0,
        "no anchor was covered by a real bar file:\n{report}"
    );
    assert_eq!(bad, 0, "price anchors contradict the real bars:\n{report}");
}
