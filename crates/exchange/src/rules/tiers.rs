//! Embedded margin-tier tables and the function that picks the one in force on a date.
//!
//! Binance's tables are data (`presets/binance_usdm_tiers.toml`, read once); Hyperliquid's,
//! Bybit's and BitMEX's are short enough to be code. Every `cum` is computed by the recursion
//! in [`TierTable::from_brackets`]; the Binance file also carries the published `cum`s so the
//! tests can check the recursion against them.

use crate::ExchangeError;
use cascade_types::{Money, Price, Qty, Rate, Rounding, TierTable, Ts};
use serde::Deserialize;
use std::sync::OnceLock;

const BINANCE_TOML: &str = include_str!("../../presets/binance_usdm_tiers.toml");

/// One dated version of a venue's bracket table for one symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierVersion {
    /// The venue's symbol (`BTCUSDT`).
    pub symbol: String,
    /// First day the table is known to be in force (00:00 UTC).
    pub from: Ts,
    /// First day of the next known table; `None` when it was still in force at the end of
    /// the data.
    pub until: Option<Ts>,
    /// Where the numbers come from.
    pub source: String,
    /// The table, `cum` computed by the recursion.
    pub table: TierTable,
    /// The `cum` of every bracket as published.
    pub published_cums: Vec<Money>,
}

#[derive(Deserialize)]
struct File {
    table: Vec<RawVersion>,
}

#[derive(Deserialize)]
struct RawVersion {
    symbol: String,
    from: String,
    until: Option<String>,
    source: String,
    tiers: Vec<[String; 5]>,
}

fn parse_versions(text: &str) -> Result<Vec<TierVersion>, ExchangeError> {
    let bad = |m: String| ExchangeError::BadRules(format!("binance tier file: {m}"));
    let file: File = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
    let mut out = Vec::with_capacity(file.table.len());
    for v in file.table {
        let day = |s: &str| Ts::parse_utc(s).map_err(|e| bad(e.to_string()));
        let money = |s: &str| -> Result<Money, ExchangeError> {
            if s.is_empty() {
                return Ok(Money::MAX); // an open last bracket
            }
            s.parse()
                .map_err(|e: cascade_types::TypesError| bad(e.to_string()))
        };
        let mut rows = Vec::with_capacity(v.tiers.len());
        let mut cums = Vec::with_capacity(v.tiers.len());
        for [floor, cap, mmr, lev, cum] in &v.tiers {
            let mmr: Rate = mmr
                .parse()
                .map_err(|e: cascade_types::TypesError| bad(e.to_string()))?;
            let lev: u32 = lev
                .parse()
                .map_err(|_| bad(format!("bad leverage {lev:?}")))?;
            rows.push((money(floor)?, money(cap)?, mmr, lev));
            cums.push(money(cum)?);
        }
        let table = TierTable::from_brackets(&rows).map_err(|e| bad(e.to_string()))?;
        out.push(TierVersion {
            symbol: v.symbol,
            from: day(&v.from)?,
            until: v.until.as_deref().map(day).transpose()?,
            source: v.source,
            table,
            published_cums: cums,
        });
    }
    Ok(out)
}

/// Every embedded Binance USDⓈ-M table version: BTCUSDT from 2021-03-26 on (every change seen
/// 2022-02 → 2024-10), ETHUSDT and SOLUSDT around the FTX crash and 2024-08-05.
pub fn binance_usdm_tier_versions() -> &'static [TierVersion] {
    static VERSIONS: OnceLock<Vec<TierVersion>> = OnceLock::new();
    VERSIONS.get_or_init(|| parse_versions(BINANCE_TOML).expect("the embedded tier file is valid"))
}

/// The Binance USDⓈ-M bracket table in force for `symbol` on `date`.
///
/// Dates after the last known change get the newest table (the data ends 2024-10-24; there is
/// no 2025 table in MECHANICS.md A1.1). A date before the first embedded version, or in a gap
/// between embedded ETHUSDT/SOLUSDT versions, is an error rather than a guess.
pub fn binance_usdm_tiers(symbol: &str, date: Ts) -> Result<TierTable, ExchangeError> {
    binance_usdm_tier_versions()
        .iter()
        .filter(|v| v.symbol == symbol && v.from <= date)
        .filter(|v| v.until.is_none_or(|u| date < u))
        .max_by_key(|v| v.from)
        .map(|v| v.table.clone())
        .ok_or_else(|| ExchangeError::NoTierTable {
            venue: "binance-usdm",
            symbol: symbol.to_string(),
            date: date.to_string(),
        })
}

fn rate(text: &str) -> Rate {
    text.parse().expect("valid rate")
}

/// Hyperliquid's rule `mmr = 1 / (2 × max leverage)` (A4.1), rounded to 8 decimals.
pub fn hyperliquid_mmr(max_leverage: u32) -> Rate {
    Rate::ratio(1, 2 * max_leverage as i64, Rounding::HalfEven).expect("leverage is positive")
}

/// Hyperliquid mainnet margin tiers (docs snapshot, 2025; MECHANICS.md A4.1) for `asset`
/// (`BTC`, `ETH`, `SOL`, `XRP`, and the two listed groups of alts), with
/// `mmr = 1 / (2 × max leverage)` and the deductions from the recursion.
pub fn hyperliquid_2025_tiers(asset: &str) -> Result<TierTable, ExchangeError> {
    const BIG: [&str; 22] = [
        "DOGE", "kPEPE", "SUI", "WLD", "TRUMP", "LTC", "ENA", "POPCAT", "WIF", "AAVE", "kBONK",
        "LINK", "CRV", "AVAX", "ADA", "UNI", "NEAR", "TIA", "APT", "BCH", "HYPE", "FARTCOIN",
    ];
    const SMALL: [&str; 13] = [
        "OP", "ARB", "LDO", "TON", "MKR", "ONDO", "JUP", "INJ", "kSHIB", "SEI", "TRX", "BNB", "DOT",
    ];
    let (split_usd, lev_low, lev_high): (i64, u32, u32) = match asset {
        "BTC" => (150_000_000, 40, 20),
        "ETH" => (100_000_000, 25, 15),
        "SOL" => (70_000_000, 20, 10),
        "XRP" => (40_000_000, 20, 10),
        a if BIG.contains(&a) => (20_000_000, 10, 5),
        a if SMALL.contains(&a) => (3_000_000, 10, 5),
        _ => {
            return Err(ExchangeError::NoTierTable {
                venue: "hyperliquid",
                symbol: asset.to_string(),
                date: "2025".to_string(),
            })
        }
    };
    let split = Money::from_int(split_usd);
    TierTable::from_brackets(&[
        (Money::ZERO, split, hyperliquid_mmr(lev_low), lev_low),
        (split, Money::MAX, hyperliquid_mmr(lev_high), lev_high),
    ])
    .map_err(|e| ExchangeError::BadRules(e.to_string()))
}

/// Bybit BTCUSDT risk limits from the 2023 API example (A2.1): 0.5 % to 2M (100x), 1 % to 4M
/// (57.14x, stored as 57), 1.5 % above (40x). The rows beyond 6M were not shown, so the third
/// bracket is left open.
pub fn bybit_btcusdt_tiers() -> TierTable {
    let m = Money::from_int;
    TierTable::from_brackets(&[
        (m(0), m(2_000_000), rate("0.005"), 100),
        (m(2_000_000), m(4_000_000), rate("0.01"), 57),
        (m(4_000_000), Money::MAX, rate("0.015"), 40),
    ])
    .expect("valid table")
}

/// BitMEX XBTUSD risk limits, 2020 (A5.1), in XBT — the table of the inverse contract
/// ([`crate::InstrumentConfig::bitmex_xbtusd_2020`]): base limit 200 XBT at IM 1 % / MM
/// 0.45 %, then steps of 100 XBT each adding 0.5 % to both (the step increment is the
/// reference's unverified belief). Ten steps; the last is open. Floors and caps are coin
/// notionals (`contracts × 1 USD / price`); maximum leverage is `⌊1 / IM⌋` (100x, 66x, 50x…).
pub fn bitmex_2020_xbtusd_tiers_xbt() -> TierTable {
    bitmex_2020_rows(Money::from_int)
}

/// BitMEX XBTUSD risk limits, 2020, as [`bitmex_2020_xbtusd_tiers_xbt`] but converted to
/// quote notional at `reference_price`. XBTUSD is inverse (margined in XBT): expressing it in
/// USD at one price is an approximation for replaying it as a linear contract
/// ([`crate::InstrumentConfig::bitmex_2020_xbtusd`]); the exchange now runs the inverse
/// contract itself with the XBT table.
pub fn bitmex_2020_xbtusd_tiers(reference_price: Price) -> TierTable {
    bitmex_2020_rows(|xbt| reference_price.notional(Qty::from_int(xbt), Rounding::HalfEven))
}

/// The 2020 XBTUSD rows with caps `cap(200)`, `cap(300)`, … (XBT amounts in the table's unit).
fn bitmex_2020_rows(cap_of: impl Fn(i64) -> Money) -> TierTable {
    let mut rows = Vec::with_capacity(10);
    let mut floor = Money::ZERO;
    for step in 0..10i64 {
        let cap = if step == 9 {
            Money::MAX
        } else {
            cap_of(200 + 100 * step)
        };
        let mm = Rate::from_raw(450_000 + 500_000 * step); // 0.45 % + 0.5 % per step
        let im = Rate::from_raw(1_000_000 + 500_000 * step); // 1 % + 0.5 % per step
        let max_lev = (Rate::ONE.raw() / im.raw()) as u32; // floor: never above the IM allows
        rows.push((floor, cap, mm, max_lev));
        floor = cap;
    }
    TierTable::from_brackets(&rows).expect("valid table")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Ts {
        Ts::parse_utc(s).unwrap()
    }

    #[test]
    fn every_embedded_cum_matches_the_recursion() {
        for v in binance_usdm_tier_versions() {
            let computed: Vec<Money> = v.table.tiers().iter().map(|t| t.cum).collect();
            assert_eq!(computed, v.published_cums, "{} from {}", v.symbol, v.from);
        }
    }

    #[test]
    fn the_picker_follows_the_dates() {
        let caps = |d: &str| -> Vec<String> {
            binance_usdm_tiers("BTCUSDT", day(d))
                .unwrap()
                .tiers()
                .iter()
                .map(|t| format!("{}x{}", t.cap, t.max_leverage))
                .collect()
        };
        // 2021-05-19: the gist table, 1M–10M at 2.5 %.
        assert_eq!(caps("2021-05-19")[3], "10000000x20");
        // 2022-03: the 2022-02-12 table, 1M–7.5M.
        assert_eq!(caps("2022-03-01")[3], "7500000x20");
        // FTX week: 2022-05-21 table, 50x in tier 3; after 2022-11-25, 25x.
        assert_eq!(caps("2022-11-08")[2], "1000000x50");
        assert_eq!(caps("2022-11-25")[2], "1000000x25");
        // 2024-08-05: the 2024-05-30 table; and 2025 dates extrapolate the newest.
        assert_eq!(caps("2024-08-05")[1], "600000x100");
        assert_eq!(caps("2025-10-10")[1], "600000x100");
        assert!(binance_usdm_tiers("BTCUSDT", day("2020-03-12")).is_err());
        assert!(binance_usdm_tiers("ETHUSDT", day("2023-06-01")).is_err());
        assert!(binance_usdm_tiers("ETHUSDT", day("2024-08-05")).is_ok());
        assert!(binance_usdm_tiers("SOLUSDT", day("2022-11-08")).is_ok());
    }

    #[test]
    fn the_2021_and_2022_btc_tables_are_mechanics_a1_1() {
        let cums = |d: &str| -> Vec<String> {
            binance_usdm_tiers("BTCUSDT", day(d))
                .unwrap()
                .tiers()
                .iter()
                .map(|t| t.cum.to_string())
                .collect()
        };
        let published = [
            "0",
            "50",
            "1300",
            "16300",
            "266300",
            "1266300",
            "2516300",
            "5016300",
            "25016300",
            "100016300",
        ];
        assert_eq!(cums("2021-05-19"), published); // the 2021 gist table
        assert_eq!(cums("2022-11-08"), published); // 2022-05-21 → 2022-11-24 (FTX week)
        assert_eq!(cums("2022-12-01"), published); // post-FTX: same cums, lower max leverage
    }

    #[test]
    fn the_2024_btc_table_is_mechanics_a1_1() {
        let t = binance_usdm_tiers("BTCUSDT", day("2024-08-05")).unwrap();
        let cums: Vec<String> = t.tiers().iter().map(|t| t.cum.to_string()).collect();
        assert_eq!(
            cums,
            [
                "0",
                "50",
                "950",
                "11450",
                "131450",
                "481450",
                "2981450",
                "14481450",
                "26481450",
                "41481450",
                "121481450",
                "421481450"
            ]
        );
    }

    #[test]
    fn hyperliquid_deductions_are_mechanics_a4_1() {
        let ded = |a: &str| {
            hyperliquid_2025_tiers(a).unwrap().tiers()[1]
                .cum
                .to_string()
        };
        let mmr = |a: &str| {
            hyperliquid_2025_tiers(a).unwrap().tiers()[1]
                .mmr
                .to_string()
        };
        assert_eq!(ded("BTC"), "1875000");
        assert_eq!(ded("ETH"), "1333333");
        assert_eq!(mmr("ETH"), "0.03333333");
        assert_eq!(ded("SOL"), "1750000");
        assert_eq!(ded("XRP"), "1000000");
        assert_eq!(ded("DOGE"), "1000000");
        assert_eq!(ded("OP"), "150000");
        assert_eq!(
            hyperliquid_2025_tiers("BTC").unwrap().tiers()[0]
                .mmr
                .to_string(),
            "0.0125"
        );
        assert_eq!(hyperliquid_mmr(3).to_string(), "0.16666667");
        assert!(hyperliquid_2025_tiers("NOPE").is_err());
    }

    #[test]
    fn bitmex_steps() {
        let t = bitmex_2020_xbtusd_tiers(Price::from_int(7_000));
        let first = t.tiers()[0];
        assert_eq!(first.cap.to_string(), "1400000");
        assert_eq!(first.mmr.to_string(), "0.0045");
        assert_eq!(first.max_leverage, 100);
        assert_eq!(t.tiers()[1].max_leverage, 66);
        assert_eq!(bybit_btcusdt_tiers().tiers()[1].cum.to_string(), "10000");
        // The inverse contract's own table, in XBT: cum 200 × 0.5 % = 1 XBT at step 2.
        let x = bitmex_2020_xbtusd_tiers_xbt();
        assert_eq!(x.tiers()[0].cap.to_string(), "200");
        assert_eq!(x.tiers()[1].floor.to_string(), "200");
        assert_eq!(x.tiers()[1].cap.to_string(), "300");
        assert_eq!(x.tiers()[1].mmr.to_string(), "0.0095");
        assert_eq!(x.tiers()[1].cum.to_string(), "1");
        assert_eq!(x.tiers()[9].cap, Money::MAX);
        assert_eq!(x.tiers()[9].mmr.to_string(), "0.0495");
        // The USD table is the same rows converted at the price.
        for (a, b) in x.tiers().iter().zip(t.tiers()) {
            assert_eq!((a.mmr, a.max_leverage), (b.mmr, b.max_leverage));
        }
    }

    /// When the shared data is present (`CASCADE_DATA_DIR`, else `../shared/data` beside the
    /// checkout), every table in the snapshot history must satisfy the recursion, and every
    /// embedded table must equal the CSV rows of its date.
    #[test]
    fn embedded_tables_equal_the_snapshot_history() {
        let dir = std::env::var("CASCADE_DATA_DIR").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data").to_string()
        });
        let path = format!("{dir}/binance-tiers/binance_usdm_tiers_history.csv");
        let Ok(csv) = std::fs::read_to_string(&path) else {
            eprintln!("skipped: {path} not found (set CASCADE_DATA_DIR)");
            return;
        };
        // (date, symbol) -> rows, in file order.
        let mut tables: std::collections::BTreeMap<(String, String), Vec<Vec<String>>> =
            Default::default();
        for line in csv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let f: Vec<String> = line.split(',').map(|s| s.trim().to_string()).collect();
            assert_eq!(f.len(), 8, "{line}");
            tables
                .entry((f[0].clone(), f[1].clone()))
                .or_default()
                .push(f);
        }
        assert!(tables.len() >= 29, "only {} tables", tables.len());
        let money = |s: &str| {
            if s.is_empty() {
                Money::MAX
            } else {
                s.parse::<Money>().unwrap()
            }
        };
        for ((date, symbol), rows) in &tables {
            let brackets: Vec<_> = rows
                .iter()
                .map(|f| {
                    (
                        money(&f[3]),
                        money(&f[4]),
                        f[5].parse::<Rate>().unwrap(),
                        f[6].parse().unwrap(),
                    )
                })
                .collect();
            let t = TierTable::from_brackets(&brackets).unwrap();
            for (tier, f) in t.tiers().iter().zip(rows) {
                assert_eq!(tier.cum, money(&f[7]), "{symbol} {date} tier {}", f[2]);
            }
        }
        for v in binance_usdm_tier_versions()
            .iter()
            .filter(|v| v.source.starts_with("freqtrade"))
        {
            let (y, m, d, ..) = v.from.to_civil();
            let key = (format!("{y:04}-{m:02}-{d:02}"), v.symbol.clone());
            let rows = tables
                .get(&key)
                .unwrap_or_else(|| panic!("{key:?} not in the CSV"));
            assert_eq!(rows.len(), v.table.tiers().len(), "{key:?}");
            for (tier, f) in v.table.tiers().iter().zip(rows) {
                assert_eq!(
                    (tier.floor, tier.cap, tier.mmr, tier.max_leverage, tier.cum),
                    (
                        money(&f[3]),
                        money(&f[4]),
                        f[5].parse().unwrap(),
                        f[6].parse().unwrap(),
                        money(&f[7])
                    ),
                    "{key:?}"
                );
            }
            // `until` must be the next version of the symbol in the CSV.
            let next = tables
                .keys()
                .filter(|(d, s)| *s == v.symbol && *d > key.0)
                .min();
            let until = v.until.map(|u| {
                let (y, m, d, ..) = u.to_civil();
                format!("{y:04}-{m:02}-{d:02}")
            });
            assert_eq!(until, next.map(|(d, _)| d.clone()), "{key:?}");
        }
    }
}
