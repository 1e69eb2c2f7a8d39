//! Dated instrument specs: the published trading rules (tick, lot, minimum notional, contract
//! size, maximum leverage) of the instruments the scenario catalogue trades, over the periods
//! they were in force.
//!
//! An import without an instrument file looks every instrument up here by venue, symbol and
//! the time of its first event ([`dated_spec`]); an instrument that is not here keeps the
//! 10⁻⁸ increments inferred from its name, and the import says so loudly
//! ([`InstrumentTable::notes`](crate::InstrumentTable::notes)).
//!
//! Each period cites its source and a confidence (H: the venue's own announcement or API
//! data; M: a third-party report of it; L: inferred, for example a change date not found).
//! `InstrumentSpec` carries tick, lot and contract size; the minimum notional and the maximum
//! leverage are here for callers (and printed by `backtest import`).

use cascade_types::{InstrumentKind, InstrumentSpec, Money, Price, Qty, Ts};

/// One instrument's published trading rules over a period `[from, until)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DatedSpec {
    /// Venue, as in [`InstrumentSpec::venue`].
    pub venue: &'static str,
    /// The venue's symbol.
    pub symbol: &'static str,
    /// Spot, linear or inverse perpetual.
    pub kind: InstrumentKind,
    /// Base asset.
    pub base: &'static str,
    /// Quote asset.
    pub quote: &'static str,
    /// Start of the period (UTC, inclusive); `None`: since listing.
    pub from: Option<&'static str>,
    /// End of the period (UTC, exclusive); `None`: still in force.
    pub until: Option<&'static str>,
    /// Price increment.
    pub tick: &'static str,
    /// Quantity increment (base units; contracts for inverse perpetuals).
    pub lot: &'static str,
    /// Smallest order notional in the quote currency (`0`: no such rule).
    pub min_notional: &'static str,
    /// Contract size (quote value per contract for inverse perpetuals; 1 otherwise).
    pub contract_size: &'static str,
    /// Maximum leverage of the first margin tier (1 for spot).
    pub max_leverage: u32,
    /// Where the figures come from, with a confidence (H/M/L).
    pub source: &'static str,
}

fn ts(text: &str) -> Ts {
    Ts::parse_utc(text).expect("a dated-spec boundary is a valid UTC time (checked by a test)")
}

impl DatedSpec {
    /// Whether the period covers `at`.
    pub fn covers(&self, at: Ts) -> bool {
        self.from.is_none_or(|f| ts(f) <= at) && self.until.is_none_or(|u| at < ts(u))
    }

    /// The instrument spec (venue, symbol, kind, assets, tick, lot, contract size).
    pub fn spec(&self) -> InstrumentSpec {
        let mut s = InstrumentSpec::new(self.venue, self.symbol, self.kind, self.base, self.quote);
        s.tick = self.tick.parse::<Price>().expect("checked by a test");
        s.lot = self.lot.parse::<Qty>().expect("checked by a test");
        s.contract_size = self
            .contract_size
            .parse::<Qty>()
            .expect("checked by a test");
        s
    }

    /// The minimum order notional.
    pub fn min_notional(&self) -> Money {
        self.min_notional
            .parse::<Money>()
            .expect("checked by a test")
    }

    /// One line: `tick 0.1, lot 0.001, contract size 1, min notional 100, max leverage 125x`.
    pub fn describe(&self) -> String {
        format!(
            "tick {}, lot {}, contract size {}, min notional {}, max leverage {}x",
            self.tick, self.lot, self.contract_size, self.min_notional, self.max_leverage
        )
    }
}

/// Binance USDⓈ-M.
const UM: &str = "binance-um";
/// The source line of the Binance USDⓈ-M BTCUSDT periods.
const UM_SOURCE: &str = "Binance USDⓈ-M: min notional 1 USD from 2021-01-25 07:00 (announcement \"New Minimum Order Notional Limit Rule\", 2021-01-21, H), 5 USDT from 2021-02-24 03:00 (\"Updates to USDⓈ-M Futures Trading Rules\", 2021-02-23, H), 100 USDT from 2023-11-02 10:00 (third-party report of the announcement, M); tick 0.01 → 0.1 at a boundary not found (L); lot 0.001 (FAQ 360033161972, H); 125x (MECHANICS.md A1.1, H)";

/// Every dated spec, grouped by instrument, periods in time order.
pub const DATED_SPECS: &[DatedSpec] = &[
    // Binance USDⓈ-M BTCUSDT. Lot 0.001 BTC throughout (Binance FAQ 360033161972, 2020-07-05,
    // and the 2021 announcements' "0.001 BTC" examples — H). Max leverage 125x in the first
    // bracket (MECHANICS.md A1.1, every table from 2022-02 to 2024-10 — H; assumed earlier — M).
    // Tick 0.01 before 2022 and 0.1 after: the change date was not found; the scenario files
    // give 0.01 on 2021-05-19 and 0.1 from 2022-11-08, and 2022-01-01 is a boundary between
    // them (L).
    DatedSpec {
        venue: UM,
        symbol: "BTCUSDT",
        kind: InstrumentKind::LinearPerp,
        base: "BTC",
        quote: "USDT",
        from: None,
        until: Some("2021-01-25T07:00:00Z"),
        tick: "0.01",
        lot: "0.001",
        min_notional: "0",
        contract_size: "1",
        max_leverage: 125,
        source: UM_SOURCE,
    },
    DatedSpec {
        venue: UM,
        symbol: "BTCUSDT",
        kind: InstrumentKind::LinearPerp,
        base: "BTC",
        quote: "USDT",
        from: Some("2021-01-25T07:00:00Z"),
        until: Some("2021-02-24T03:00:00Z"),
        tick: "0.01",
        lot: "0.001",
        min_notional: "1",
        contract_size: "1",
        max_leverage: 125,
        source: UM_SOURCE,
    },
    DatedSpec {
        venue: UM,
        symbol: "BTCUSDT",
        kind: InstrumentKind::LinearPerp,
        base: "BTC",
        quote: "USDT",
        from: Some("2021-02-24T03:00:00Z"),
        until: Some("2022-01-01T00:00:00Z"),
        tick: "0.01",
        lot: "0.001",
        min_notional: "5",
        contract_size: "1",
        max_leverage: 125,
        source: UM_SOURCE,
    },
    DatedSpec {
        venue: UM,
        symbol: "BTCUSDT",
        kind: InstrumentKind::LinearPerp,
        base: "BTC",
        quote: "USDT",
        from: Some("2022-01-01T00:00:00Z"),
        until: Some("2023-11-02T10:00:00Z"),
        tick: "0.1",
        lot: "0.001",
        min_notional: "5",
        contract_size: "1",
        max_leverage: 125,
        source: UM_SOURCE,
    },
    DatedSpec {
        venue: UM,
        symbol: "BTCUSDT",
        kind: InstrumentKind::LinearPerp,
        base: "BTC",
        quote: "USDT",
        from: Some("2023-11-02T10:00:00Z"),
        until: None,
        tick: "0.1",
        lot: "0.001",
        min_notional: "100",
        contract_size: "1",
        max_leverage: 125,
        source: UM_SOURCE,
    },
    // Binance spot BTCUSDT: tick 0.01; lot 0.000001 before 2022 and 0.00001 after, the change
    // date not found (the scenario files give 0.000001 on 2021-05-19 and 0.00001 from
    // 2022-11-08; boundary 2022-01-01, L); MIN_NOTIONAL 10 (the spot filter shown in
    // dev.binance.vision/t/symbol-exchange-info/4904, 2021, for BNBUSDT — M for BTCUSDT).
    DatedSpec {
        venue: "binance-spot",
        symbol: "BTCUSDT",
        kind: InstrumentKind::Spot,
        base: "BTC",
        quote: "USDT",
        from: None,
        until: Some("2022-01-01T00:00:00Z"),
        tick: "0.01",
        lot: "0.000001",
        min_notional: "10",
        contract_size: "1",
        max_leverage: 1,
        source: "Binance spot: tick 0.01, lot 0.000001 (scenario file 2021-05-19, M), MIN_NOTIONAL 10 (dev.binance.vision exchangeInfo example, M)",
    },
    DatedSpec {
        venue: "binance-spot",
        symbol: "BTCUSDT",
        kind: InstrumentKind::Spot,
        base: "BTC",
        quote: "USDT",
        from: Some("2022-01-01T00:00:00Z"),
        until: None,
        tick: "0.01",
        lot: "0.00001",
        min_notional: "10",
        contract_size: "1",
        max_leverage: 1,
        source: "Binance spot: tick 0.01, lot 0.00001 (scenario files from 2022-11-08, M; change date not found, L), MIN_NOTIONAL 10 (dev.binance.vision exchangeInfo example, M)",
    },
    // Binance COIN-M BTCUSD_PERP: contract 100 USD, tick 0.1, whole contracts (Binance COIN-M
    // contract specifications, H); 125x first bracket (M); no notional rule beyond 1 contract.
    DatedSpec {
        venue: "binance-cm",
        symbol: "BTCUSD_PERP",
        kind: InstrumentKind::InversePerp,
        base: "BTC",
        quote: "USD",
        from: None,
        until: None,
        tick: "0.1",
        lot: "1",
        min_notional: "0",
        contract_size: "100",
        max_leverage: 125,
        source: "Binance COIN-M contract specifications: 100 USD per contract, tick 0.1 (H); 125x (M)",
    },
    // BitMEX XBTUSD in 2020: 1 USD contracts, tick 0.5, lot 1 contract; initial margin 1 % →
    // 100x (MECHANICS.md B7 "margin params", BitMEX blog, H). Later lot and tick changes are
    // not covered: after 2020 the symbol is unknown here.
    DatedSpec {
        venue: "bitmex",
        symbol: "XBTUSD",
        kind: InstrumentKind::InversePerp,
        base: "BTC",
        quote: "USD",
        from: Some("2020-01-01T00:00:00Z"),
        until: Some("2021-01-01T00:00:00Z"),
        tick: "0.5",
        lot: "1",
        min_notional: "0",
        contract_size: "1",
        max_leverage: 100,
        source: "BitMEX XBTUSD contract specifications 2020: 1 USD per contract, tick 0.5 (H); IM 1 % → 100x (MECHANICS.md B7, H)",
    },
    // Coinbase BTC-USD: quote increment 0.01, base increment 10⁻⁸ (as the 2020 scenario
    // file; Coinbase product API, M); spot, no leverage; minimum order size not covered.
    DatedSpec {
        venue: "coinbase",
        symbol: "BTC-USD",
        kind: InstrumentKind::Spot,
        base: "BTC",
        quote: "USD",
        from: None,
        until: None,
        tick: "0.01",
        lot: "0.00000001",
        min_notional: "0",
        contract_size: "1",
        max_leverage: 1,
        source: "Coinbase BTC-USD product: quote increment 0.01, base increment 0.00000001 (M)",
    },
];

/// The spec of (venue, symbol) in force at `at`, if known.
pub fn dated_spec(venue: &str, symbol: &str, at: Ts) -> Option<&'static DatedSpec> {
    DATED_SPECS
        .iter()
        .find(|d| d.venue == venue && d.symbol == symbol && d.covers(at))
}

/// Any period of (venue, symbol): the latest, to fix its kind and assets before a date is
/// known.
pub(crate) fn any_period(venue: &str, symbol: &str) -> Option<&'static DatedSpec> {
    DATED_SPECS
        .iter()
        .rev()
        .find(|d| d.venue == venue && d.symbol == symbol)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_period_parses_and_periods_do_not_overlap() {
        for d in DATED_SPECS {
            let s = d.spec();
            assert!(s.tick.is_positive() && s.lot.is_positive(), "{d:?}");
            assert!(!d.min_notional().is_negative(), "{d:?}");
            if let (Some(f), Some(u)) = (d.from, d.until) {
                assert!(ts(f) < ts(u), "{d:?}");
            }
        }
        for (i, a) in DATED_SPECS.iter().enumerate() {
            for b in &DATED_SPECS[i + 1..] {
                if (a.venue, a.symbol) != (b.venue, b.symbol) {
                    continue;
                }
                let a_end = a.until.map(ts);
                let b_start = b.from.map(ts);
                assert!(
                    matches!((a_end, b_start), (Some(e), Some(s)) if e <= s),
                    "{} {}: periods overlap or are out of order",
                    a.venue,
                    a.symbol
                );
            }
        }
    }

    #[test]
    fn lookups_by_date() {
        let at = |s: &str| Ts::parse_utc(s).unwrap();
        let um = |t| dated_spec("binance-um", "BTCUSDT", at(t)).map(|d| d.describe());
        assert_eq!(
            um("2021-05-19").unwrap(),
            "tick 0.01, lot 0.001, contract size 1, min notional 5, max leverage 125x"
        );
        assert_eq!(
            um("2025-10-10").unwrap(),
            "tick 0.1, lot 0.001, contract size 1, min notional 100, max leverage 125x"
        );
        assert!(um("2021-02-24T02:59:59Z").unwrap().contains("notional 1,"));
        let xbt = dated_spec("bitmex", "XBTUSD", at("2020-03-12"))
            .unwrap()
            .spec();
        assert_eq!(
            (
                xbt.tick.to_string(),
                xbt.lot.to_string(),
                xbt.contract_size.to_string()
            ),
            ("0.5".into(), "1".into(), "1".into())
        );
        assert!(dated_spec("bitmex", "XBTUSD", at("2022-01-01")).is_none());
        assert!(dated_spec("binance-um", "ETHUSDT", at("2025-01-01")).is_none());
    }
}
