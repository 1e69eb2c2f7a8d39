//! The instrument table: (venue, symbol) → [`InstrumentId`], and the specs behind the ids.
//!
//! In [`TableMode::Infer`] an unknown (venue, symbol) is added with a spec inferred from the
//! names ([`infer_spec`]); in [`TableMode::Strict`] it is an error naming the file, line and
//! symbol. Ids are dense and given in order of first appearance (or of the instrument file),
//! so the same inputs always give the same table.
//!
//! An inferred instrument is **dated** at its first event: if [`crate::dated`] knows the
//! venue's rules for it at that time, its tick, lot and contract size are the venue's;
//! otherwise it keeps the inferred 10⁻⁸ increments. Either way a [`SpecNote`] says which.

use crate::dated::{any_period, dated_spec};
use crate::ImportError;
use cascade_types::{InstrumentId, InstrumentKind, InstrumentSpec, Price, Qty, Ts};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Whether unknown instruments are inferred or refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TableMode {
    /// Unknown (venue, symbol) pairs are added with a spec inferred from their names.
    Infer,
    /// Only the listed instruments are accepted; anything else is an error.
    Strict,
}

/// The instruments met (or allowed) in an import, indexed by dense [`InstrumentId`]s.
#[derive(Clone, Debug)]
pub struct InstrumentTable {
    mode: TableMode,
    specs: Vec<InstrumentSpec>,
    by_name: BTreeMap<(String, String), InstrumentId>,
    /// Inferred instruments waiting for their first event to be dated.
    undated: Vec<InstrumentId>,
    notes: Vec<SpecNote>,
}

/// What an import did about an inferred instrument's spec, said once per instrument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecNote {
    /// Venue.
    pub venue: String,
    /// Symbol.
    pub symbol: String,
    /// True when the venue's dated rules were applied; false when the spec is a guess (the
    /// 10⁻⁸ increments inferred from the name) — worth a loud warning.
    pub known: bool,
    /// One line saying what was applied, or what is missing and how to give it.
    pub text: String,
}

/// Why a (venue, symbol) could not be resolved; the importer adds the location.
#[derive(Debug)]
pub(crate) enum Unresolved {
    Unknown,
    CannotInfer(String),
}

impl InstrumentTable {
    /// An empty table in infer mode.
    pub fn infer() -> InstrumentTable {
        InstrumentTable {
            mode: TableMode::Infer,
            specs: Vec::new(),
            by_name: BTreeMap::new(),
            undated: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// A strict table of exactly these instruments (ids in the given order). Fails on a
    /// duplicate (venue, symbol).
    pub fn strict(specs: impl IntoIterator<Item = InstrumentSpec>) -> Result<Self, ImportError> {
        let mut t = InstrumentTable {
            mode: TableMode::Strict,
            ..InstrumentTable::infer()
        };
        for s in specs {
            t.insert(s)?;
        }
        Ok(t)
    }

    /// A strict table from an instrument file in JSON: `{"instruments": [{"venue": …,
    /// "symbol": …}, …]}` (see [`InstrumentEntry`] for the optional fields).
    pub fn from_json(text: &str) -> Result<Self, ImportError> {
        let file: InstrumentFile = serde_json::from_str(text)
            .map_err(|e| ImportError::Instruments(format!("bad instrument JSON: {e}")))?;
        InstrumentTable::from_entries(file.instruments)
    }

    /// A strict table from instrument entries (parsed from JSON, or from TOML by the caller:
    /// [`InstrumentFile`] derives `Deserialize`).
    pub fn from_entries(
        entries: impl IntoIterator<Item = InstrumentEntry>,
    ) -> Result<Self, ImportError> {
        let specs: Result<Vec<InstrumentSpec>, ImportError> = entries
            .into_iter()
            .map(InstrumentEntry::into_spec)
            .collect();
        InstrumentTable::strict(specs?)
    }

    /// Adds an instrument (in either mode) and returns its id. Fails if the (venue, symbol) is
    /// already in the table.
    pub fn insert(&mut self, spec: InstrumentSpec) -> Result<InstrumentId, ImportError> {
        let key = (spec.venue.clone(), spec.symbol.clone());
        if self.by_name.contains_key(&key) {
            return Err(ImportError::Instruments(format!(
                "{}:{} is listed twice",
                spec.venue, spec.symbol
            )));
        }
        let id = InstrumentId(u32::try_from(self.specs.len()).expect("fewer than 2³² instruments"));
        self.specs.push(spec);
        self.by_name.insert(key, id);
        Ok(id)
    }

    /// Infer or strict.
    pub fn mode(&self) -> TableMode {
        self.mode
    }

    /// Switches the mode (e.g. strict after seeding a table in infer mode).
    pub fn set_mode(&mut self, mode: TableMode) {
        self.mode = mode;
    }

    /// The id of (venue, symbol), if in the table.
    pub fn id(&self, venue: &str, symbol: &str) -> Option<InstrumentId> {
        // BTreeMap lookups need an owned key of the same type; the table is small and this is
        // off the per-row path (the importer caches the last id).
        self.by_name
            .get(&(venue.to_string(), symbol.to_string()))
            .copied()
    }

    /// The spec behind an id.
    pub fn spec(&self, id: InstrumentId) -> Option<&InstrumentSpec> {
        self.specs.get(id.index())
    }

    /// All specs, indexed by id.
    pub fn specs(&self) -> &[InstrumentSpec] {
        &self.specs
    }

    /// Consumes the table into its specs, indexed by id (what an event log's header stores).
    pub fn into_specs(self) -> Vec<InstrumentSpec> {
        self.specs
    }

    /// Number of instruments.
    pub fn len(&self) -> usize {
        self.specs.len()
    }

    /// True when there are no instruments.
    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// The id of (venue, symbol), adding an inferred spec in infer mode.
    pub(crate) fn resolve(
        &mut self,
        venue: &str,
        symbol: &str,
    ) -> Result<InstrumentId, Unresolved> {
        if let Some(id) = self.id(venue, symbol) {
            return Ok(id);
        }
        match self.mode {
            TableMode::Strict => Err(Unresolved::Unknown),
            TableMode::Infer => {
                let spec = match any_period(venue, symbol) {
                    Some(d) => d.spec(),
                    None => infer_spec(venue, symbol).map_err(Unresolved::CannotInfer)?,
                };
                let id = self.insert(spec).expect("not yet in the table");
                self.undated.push(id);
                Ok(id)
            }
        }
    }

    /// Dates an inferred instrument at its first event `at`: applies the venue's rules in
    /// force then, or notes that there are none. Does nothing for other instruments.
    pub(crate) fn date(&mut self, id: InstrumentId, at: Ts) {
        let Some(k) = self.undated.iter().position(|u| *u == id) else {
            return;
        };
        self.undated.swap_remove(k);
        let spec = &mut self.specs[id.index()];
        let note = match dated_spec(&spec.venue, &spec.symbol, at) {
            Some(d) => {
                *spec = d.spec();
                SpecNote {
                    venue: spec.venue.clone(),
                    symbol: spec.symbol.clone(),
                    known: true,
                    text: format!(
                        "{} {}: {} — the venue's rules in force at {at}",
                        spec.venue,
                        spec.symbol,
                        d.describe(),
                    ),
                }
            }
            None => SpecNote {
                venue: spec.venue.clone(),
                symbol: spec.symbol.clone(),
                known: false,
                text: format!(
                    "no dated spec of {} {} at {at}: tick {} and lot {} are guesses, not the venue's increments; give them in an instrument file (backtest import --instruments FILE)",
                    spec.venue, spec.symbol, spec.tick, spec.lot
                ),
            },
        };
        self.notes.push(note);
    }

    /// True while some inferred instrument waits for its first event.
    pub(crate) fn has_undated(&self) -> bool {
        !self.undated.is_empty()
    }

    /// What the import did about each inferred instrument's spec, in the order they were
    /// dated (empty for a strict table).
    pub fn notes(&self) -> &[SpecNote] {
        &self.notes
    }
}

/// An instrument file: a list of instruments for a strict table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstrumentFile {
    /// The instruments, in id order.
    pub instruments: Vec<InstrumentEntry>,
}

/// One instrument of an instrument file. Only `venue` and `symbol` are required; a missing
/// `kind`, `base` or `quote` is inferred from the names as in [`infer_spec`], a missing `tick`
/// or `lot` is 10⁻⁸ (1 contract for inverse perps), a missing `contract_size` is the venue's
/// (Binance COIN-M: 100 USD for BTC, 10 USD for others; 1 otherwise). Decimals are strings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstrumentEntry {
    /// Venue, lower case (`binance-um`, `binance-cm`, `binance-spot`, `coinbase`, …).
    pub venue: String,
    /// The venue's symbol.
    pub symbol: String,
    /// `spot`, `linear-perp` or `inverse-perp`.
    pub kind: Option<String>,
    /// Base asset.
    pub base: Option<String>,
    /// Quote asset.
    pub quote: Option<String>,
    /// Price increment, a decimal string.
    pub tick: Option<String>,
    /// Quantity increment, a decimal string.
    pub lot: Option<String>,
    /// Contract size, a decimal string.
    pub contract_size: Option<String>,
}

impl InstrumentEntry {
    fn into_spec(self) -> Result<InstrumentSpec, ImportError> {
        let name = format!("{}:{}", self.venue, self.symbol);
        let bad =
            |what: &str, why: String| ImportError::Instruments(format!("{name}: {what}: {why}"));
        let kind = match self.kind.as_deref() {
            None => None,
            Some("spot") => Some(InstrumentKind::Spot),
            Some("linear-perp") => Some(InstrumentKind::LinearPerp),
            Some("inverse-perp") => Some(InstrumentKind::InversePerp),
            Some(other) => {
                return Err(bad(
                    "kind",
                    format!("expected spot, linear-perp or inverse-perp, found {other:?}"),
                ))
            }
        };
        let complete = kind.is_some() && self.base.is_some() && self.quote.is_some();
        let mut spec = if complete {
            let kind = kind.expect("checked");
            let mut s = InstrumentSpec::new(
                &self.venue,
                &self.symbol,
                kind,
                self.base.as_deref().unwrap_or_default(),
                self.quote.as_deref().unwrap_or_default(),
            );
            if kind == InstrumentKind::InversePerp {
                s.lot = Qty::ONE;
                s.contract_size = Qty::from_int(if s.base == "BTC" { 100 } else { 10 });
            }
            s
        } else {
            let mut s = infer_spec(&self.venue, &self.symbol)
                .map_err(|why| bad("kind/base/quote not given and not inferable", why))?;
            if let Some(k) = kind {
                s.kind = k;
            }
            if let Some(b) = self.base {
                s.base = b;
            }
            if let Some(q) = self.quote {
                s.quote = q;
            }
            s
        };
        let positive = |what: &str, text: &str| -> Result<i64, ImportError> {
            let v: Price = text.parse().map_err(|e| bad(what, format!("{e}")))?;
            if v.is_positive() {
                Ok(v.raw())
            } else {
                Err(bad(
                    what,
                    format!("expected a positive decimal, found {text:?}"),
                ))
            }
        };
        if let Some(t) = &self.tick {
            spec.tick = Price::from_raw(positive("tick", t)?);
        }
        if let Some(l) = &self.lot {
            spec.lot = Qty::from_raw(positive("lot", l)?);
        }
        if let Some(c) = &self.contract_size {
            spec.contract_size = Qty::from_raw(positive("contract_size", c)?);
        }
        Ok(spec)
    }
}

/// Quote currencies recognised at the end of a Binance symbol, longest first so that
/// `FDUSD` wins over `USD`… (`BTCFDUSD` is BTC/FDUSD).
const BINANCE_QUOTES: [&str; 14] = [
    "FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDP", "EUR", "TRY", "BRL", "JPY", "BTC", "ETH",
    "BNB", "DAI",
];

fn split_quote<'a>(symbol: &'a str, quotes: &[&'static str]) -> Option<(&'a str, &'static str)> {
    quotes.iter().find_map(|q| {
        symbol
            .strip_suffix(q)
            .filter(|b| !b.is_empty())
            .map(|base| (base, *q))
    })
}

fn plain_symbol(symbol: &str) -> bool {
    !symbol.is_empty() && symbol.chars().all(|c| c.is_alphanumeric())
}

/// Infers an instrument's spec from its venue and symbol, or says why it cannot:
///
/// | venue | symbol | spec |
/// |---|---|---|
/// | `binance-um` | `BTCUSDT`, `1000BONKUSDT` | linear perp, base before the quote (USDT, USDC, BUSD…) |
/// | `binance-cm` | `AVAXUSD_PERP` | inverse perp, quote USD, contract 10 USD (BTC: 100), lot 1 |
/// | `binance-spot` | `TRXUSDT`, `ETHBTC` | spot, base before the quote |
/// | `coinbase` | `AVAX-USD` | spot `BASE-QUOTE` |
///
/// Dated futures (`BTCUSDT_251226`), other venues and unknown quotes are refused: give those in
/// an instrument file. Ticks and lots are 10⁻⁸ (the venue's real increments are not in the
/// data); quantities of inverse perps are whole contracts. An import replaces these by the
/// venue's dated rules where [`crate::dated`] has them ([`dated_spec`](crate::dated_spec)).
pub fn infer_spec(venue: &str, symbol: &str) -> Result<InstrumentSpec, String> {
    match venue {
        "binance-um" => {
            if symbol.contains('_') {
                return Err("a dated future (only perpetuals are modelled)".to_string());
            }
            if !plain_symbol(symbol) {
                return Err("not a Binance symbol".to_string());
            }
            let (base, quote) = split_quote(symbol, &BINANCE_QUOTES[..5])
                .ok_or("no known quote currency (USDT, USDC, BUSD…) at its end")?;
            Ok(InstrumentSpec::new(
                venue,
                symbol,
                InstrumentKind::LinearPerp,
                base,
                quote,
            ))
        }
        "binance-cm" => {
            let base = symbol
                .strip_suffix("USD_PERP")
                .filter(|b| plain_symbol(b))
                .ok_or("not a COIN-M perpetual (<BASE>USD_PERP); dated futures are not modelled")?;
            let mut s =
                InstrumentSpec::new(venue, symbol, InstrumentKind::InversePerp, base, "USD");
            s.lot = Qty::ONE;
            s.contract_size = Qty::from_int(if base == "BTC" { 100 } else { 10 });
            Ok(s)
        }
        "binance-spot" => {
            if !plain_symbol(symbol) {
                return Err("not a Binance spot symbol".to_string());
            }
            let (base, quote) =
                split_quote(symbol, &BINANCE_QUOTES).ok_or("no known quote currency at its end")?;
            Ok(InstrumentSpec::new(
                venue,
                symbol,
                InstrumentKind::Spot,
                base,
                quote,
            ))
        }
        "coinbase" => match symbol.split_once('-') {
            Some((b, q)) if plain_symbol(b) && plain_symbol(q) => Ok(InstrumentSpec::new(
                venue,
                symbol,
                InstrumentKind::Spot,
                b,
                q,
            )),
            _ => Err("not a Coinbase spot product (BASE-QUOTE)".to_string()),
        },
        _ => Err("no inference rule for this venue".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(venue: &str, symbol: &str) -> String {
        match infer_spec(venue, symbol) {
            Ok(s) => format!(
                "{} {}/{} cs {} lot {}",
                s.kind, s.base, s.quote, s.contract_size, s.lot
            ),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn inference_rules() {
        assert_eq!(
            show("binance-um", "BTCUSDT"),
            "linear-perp BTC/USDT cs 1 lot 0.00000001"
        );
        assert_eq!(
            show("binance-um", "1000BONKUSDT"),
            "linear-perp 1000BONK/USDT cs 1 lot 0.00000001"
        );
        assert_eq!(
            show("binance-um", "币安人生USDT"),
            "linear-perp 币安人生/USDT cs 1 lot 0.00000001"
        );
        assert_eq!(
            show("binance-cm", "AVAXUSD_PERP"),
            "inverse-perp AVAX/USD cs 10 lot 1"
        );
        assert_eq!(
            show("binance-cm", "BTCUSD_PERP"),
            "inverse-perp BTC/USD cs 100 lot 1"
        );
        assert_eq!(
            show("binance-spot", "TRXUSDT"),
            "spot TRX/USDT cs 1 lot 0.00000001"
        );
        assert_eq!(
            show("binance-spot", "ETHBTC"),
            "spot ETH/BTC cs 1 lot 0.00000001"
        );
        assert_eq!(
            show("coinbase", "AVAX-USD"),
            "spot AVAX/USD cs 1 lot 0.00000001"
        );
        assert!(show("binance-um", "BTCUSDT_251226").starts_with("error: a dated future"));
        assert!(show("binance-cm", "BTCUSD_251226").starts_with("error"));
        assert!(show("kraken", "XBTUSD").starts_with("error: no inference rule"));
    }

    #[test]
    fn strict_table_from_json() {
        let t = InstrumentTable::from_json(
            r#"{"instruments": [
                {"venue": "binance-um", "symbol": "BTCUSDT", "tick": "0.1", "lot": "0.001"},
                {"venue": "hyperliquid", "symbol": "BTC", "kind": "linear-perp", "base": "BTC", "quote": "USDC"}
            ]}"#,
        )
        .unwrap();
        assert_eq!(t.mode(), TableMode::Strict);
        assert_eq!(t.id("hyperliquid", "BTC"), Some(InstrumentId(1)));
        assert_eq!(t.spec(InstrumentId(0)).unwrap().tick.to_string(), "0.1");
        let dup = InstrumentTable::from_json(
            r#"{"instruments": [{"venue": "binance-um", "symbol": "BTCUSDT"}, {"venue": "binance-um", "symbol": "BTCUSDT"}]}"#,
        );
        assert_eq!(
            dup.unwrap_err().to_string(),
            "instrument table: binance-um:BTCUSDT is listed twice"
        );
        let bad = InstrumentTable::from_json(
            r#"{"instruments": [{"venue": "kraken", "symbol": "XBTUSD"}]}"#,
        );
        assert!(bad.unwrap_err().to_string().contains("not inferable"));
    }
}
