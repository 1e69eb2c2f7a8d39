//! Raw Binance websocket captures: one message per line, `<local_ts_ns> <json>`, the JSON
//! either a combined-stream envelope `{"stream": …, "data": {…}}` or the bare message.
//!
//! | message | events |
//! |---|---|
//! | `bookTicker` (`b`,`B`,`a`,`A`) | `BookTop` |
//! | `trade` (`p`,`q`,`m`,`t`) | `Trade`; `m: true` (buyer is maker) → aggressor `Sell` |
//! | `aggTrade` (`p`,`q`,`m`,`a`) | `Trade` with the aggregate id |
//! | `depthUpdate` (`b`,`a` lists of `[price, qty]`) | one `DepthLevel` per level, bids first, qty 0 deletes |
//! | `markPriceUpdate` (`p`,`i`,`r`,`T`) | `MarkPrice`, `IndexPrice`, `Funding` (next = `T`), those present |
//! | `forceOrder` (`o`: `s`,`S`,`ap`,`z`,`T`) | `Liquidation` at the average price, filled qty |
//! | REST depth snapshot (`lastUpdateId`,`bids`,`asks`) | one `DepthLevel` per level |
//! | spot `bookTicker` without `e` (`u`,`s`,`b`,`B`,`a`,`A`) | `BookTop` |
//!
//! **Time.** With [`WsClock::Exchange`] (the default) an event is stamped with the exchange
//! time `T` (transaction time; `E` event time where there is no `T`; the order's `T` for
//! `forceOrder`), in ms, made non-decreasing by the importer: messages of different streams
//! arrive interleaved, so exchange times step back by up to ~100 ms in real captures; such an
//! event takes the previous event's time (counted in `ImportStats::clamped`), and a step back
//! beyond `ImportOptions::capture_backstep_ns_max` is an error. The exchange clock is the
//! venue's own ordering and free of the capture machine's clock error (in the sample capture
//! the local clock runs ~1.3 s behind the exchange's); the clamp keeps arrival order. With
//! [`WsClock::Local`] the local receive time is used. In both modes the local times must not
//! go backwards (that would mean the file itself is out of order).
//!
//! A REST snapshot has no symbol: it takes the caller's symbol, else the file name's
//! (`btcusdt_20240808.gz` → `BTCUSDT`) if messages before it named that symbol, else the one
//! symbol seen so far; with several symbols and no such hint it is an error. Snapshot levels are
//! emitted as `DepthLevel`s; the event vocabulary has no "clear the book" event, so levels
//! absent from the snapshot are not deleted by it.
//!
//! Prices and quantities are exact (≤ 8 decimals); mark, index and funding rate are computed
//! by the venue and rounded half-even. Unknown message types are errors, not skipped.

use crate::error::clip;
use crate::names;
use crate::parser::{ImportStats, Out};
use crate::values::{self, Expect};
use crate::{ImportError, Location, WsClock};
use cascade_types::{
    BookTop, DepthLevel, EventBody, Funding, InstrumentId, Liquidation, Side, Trade, Ts,
};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::io::BufRead;
use std::path::Path;

pub(crate) struct WsReader {
    input: Box<dyn BufRead + Send>,
    buf: Vec<u8>,
    line: u64,
    clock: WsClock,
    last_local: Option<i64>,
    venue: Option<String>,
    caller_symbol: Option<String>,
    name_symbol: Option<String>,
    /// The symbols messages have named so far.
    seen: BTreeSet<String>,
}

/// One parsed line's context, for errors and time.
struct Msg<'a> {
    path: &'a Path,
    line: u64,
    ts_local: Ts,
    clock: WsClock,
}

impl Msg<'_> {
    fn at(&self) -> Location {
        Location {
            file: self.path.to_path_buf(),
            line: self.line,
        }
    }

    fn field_error(&self, field: &str, expected: impl Into<String>, found: &Value) -> ImportError {
        let found = match found {
            Value::String(s) => s.clone(),
            Value::Null => "missing".to_string(),
            other => other.to_string(),
        };
        ImportError::JsonField {
            at: self.at(),
            field: field.to_string(),
            expected: expected.into(),
            found: clip(&found, 80),
        }
    }

    /// A string field parsed with `parse`.
    fn get<T>(
        &self,
        obj: &Map<String, Value>,
        key: &str,
        parse: fn(&str) -> Result<T, Expect>,
    ) -> Result<T, ImportError> {
        let v = obj.get(key).unwrap_or(&Value::Null);
        match v.as_str() {
            Some(s) => parse(s).map_err(|e| self.field_error(key, e, v)),
            None => Err(self.field_error(key, "a string", v)),
        }
    }

    /// An optional string field (`None` when missing or empty).
    fn opt<T>(
        &self,
        obj: &Map<String, Value>,
        key: &str,
        parse: fn(&str) -> Result<T, Expect>,
    ) -> Result<Option<T>, ImportError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(_) => self.get(obj, key, parse).map(Some),
        }
    }

    fn bool(&self, obj: &Map<String, Value>, key: &str) -> Result<bool, ImportError> {
        let v = obj.get(key).unwrap_or(&Value::Null);
        v.as_bool()
            .ok_or_else(|| self.field_error(key, "true or false", v))
    }

    fn uint(&self, obj: &Map<String, Value>, key: &str) -> Result<u64, ImportError> {
        let v = obj.get(key).unwrap_or(&Value::Null);
        v.as_u64()
            .ok_or_else(|| self.field_error(key, "a whole number ≥ 0", v))
    }

    fn ms(&self, obj: &Map<String, Value>, key: &str) -> Result<Option<Ts>, ImportError> {
        match obj.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .and_then(Ts::from_millis)
                .and_then(|t| values::in_range(t, "milliseconds").ok())
                .map(Some)
                .ok_or_else(|| {
                    self.field_error(key, "epoch milliseconds between 2009 and 2100", v)
                }),
        }
    }

    /// The event time per the clock: exchange `T`, else `E`, else local.
    fn time(&self, obj: &Map<String, Value>) -> Result<Ts, ImportError> {
        if self.clock == WsClock::Local {
            return Ok(self.ts_local);
        }
        let t = self.ms(obj, "T")?;
        let e = self.ms(obj, "E")?;
        Ok(t.or(e).unwrap_or(self.ts_local))
    }

    fn symbol<'v>(&self, obj: &'v Map<String, Value>, key: &str) -> Result<&'v str, ImportError> {
        let v = obj.get(key).unwrap_or(&Value::Null);
        match v.as_str() {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(self.field_error(key, "a symbol", v)),
        }
    }

    /// Depth levels of a `[[price, qty], …]` list.
    fn levels(
        &self,
        obj: &Map<String, Value>,
        key: &str,
        side: Side,
        ts: Ts,
        id: InstrumentId,
        out: &mut Out<'_>,
    ) -> Result<(), ImportError> {
        let v = obj.get(key).unwrap_or(&Value::Null);
        let Some(list) = v.as_array() else {
            return Err(self.field_error(key, "a list of [price, qty] pairs", v));
        };
        for level in list {
            let pair = level.as_array().filter(|p| p.len() >= 2);
            let (Some(px), Some(q)) = (
                pair.and_then(|p| p[0].as_str()),
                pair.and_then(|p| p[1].as_str()),
            ) else {
                return Err(self.field_error(key, "[price, qty] pairs of strings", level));
            };
            let price = values::price(px)
                .map_err(|e| self.field_error(key, e, &pair.expect("checked")[0]))?;
            let qty =
                values::qty(q).map_err(|e| self.field_error(key, e, &pair.expect("checked")[1]))?;
            out.push(
                ts,
                id,
                EventBody::DepthLevel(DepthLevel { side, price, qty }),
            );
        }
        Ok(())
    }
}

impl WsReader {
    pub(crate) fn new(
        input: Box<dyn BufRead + Send>,
        clock: WsClock,
        venue: Option<String>,
        caller_symbol: Option<String>,
        name_symbol: Option<String>,
    ) -> WsReader {
        WsReader {
            input,
            buf: Vec::new(),
            line: 0,
            clock,
            last_local: None,
            venue,
            caller_symbol,
            name_symbol,
            seen: BTreeSet::new(),
        }
    }

    fn instrument(
        &mut self,
        symbol: &str,
        msg: &Msg<'_>,
        out: &mut Out<'_>,
    ) -> Result<InstrumentId, ImportError> {
        let venue = self
            .venue
            .as_deref()
            .unwrap_or_else(|| names::venue_for_symbol(symbol));
        let id = out.instrument(venue, symbol, || msg.at())?;
        if !self.seen.contains(symbol) {
            self.seen.insert(symbol.to_string());
        }
        Ok(id)
    }

    /// Reads the next line and queues its events; `Ok(None)` at the end of the file.
    pub(crate) fn next_line(
        &mut self,
        path: &Path,
        out: &mut Out<'_>,
        stats: &mut ImportStats,
    ) -> Result<Option<u64>, ImportError> {
        loop {
            self.buf.clear();
            self.line += 1;
            let at = || Location {
                file: path.to_path_buf(),
                line: self.line,
            };
            let n = self
                .input
                .read_until(b'\n', &mut self.buf)
                .map_err(|source| ImportError::Read { at: at(), source })?;
            if n == 0 {
                return Ok(None);
            }
            while self.buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                self.buf.pop();
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue; // a blank line holds nothing
            }
            stats.rows += 1;
            self.parse_line(path, out)?;
            return Ok(Some(self.line));
        }
    }

    fn parse_line(&mut self, path: &Path, out: &mut Out<'_>) -> Result<(), ImportError> {
        let line = self.line;
        let at = || Location {
            file: path.to_path_buf(),
            line,
        };
        let text = String::from_utf8_lossy(&self.buf);
        let bad_line = |expected: &str| ImportError::Line {
            at: at(),
            expected: expected.to_string(),
            found: clip(&text, 80),
        };
        let Some((local, json)) = text.split_once(' ') else {
            return Err(bad_line("expected `<local_ts_ns> <json>`"));
        };
        let local_ns: i64 = match local.parse() {
            Ok(v) if local.bytes().all(|b| b.is_ascii_digit()) => v,
            _ => {
                return Err(bad_line(
                    "expected a local timestamp in epoch nanoseconds, then a space",
                ))
            }
        };
        if values::in_range(Ts(local_ns), "nanoseconds").is_err() {
            return Err(bad_line(
                "expected a local timestamp in epoch nanoseconds between 2009 and 2100",
            ));
        }
        if let Some(prev) = self.last_local {
            if local_ns < prev {
                return Err(ImportError::OutOfOrder {
                    at: at(),
                    clock: "local receive time",
                    ts: Ts(local_ns).to_string(),
                    previous: Ts(prev).to_string(),
                    previous_line: line - 1,
                });
            }
        }
        self.last_local = Some(local_ns);
        let value: Value = serde_json::from_str(json.trim()).map_err(|e| {
            // serde's message ends with "at line 1 column N", which reads like a file position.
            let why = e.to_string();
            let why = why
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_string();
            bad_line(&format!(
                "expected a JSON message ({why} at character {} of the JSON)",
                e.column()
            ))
        })?;
        let mut root = match value {
            Value::Object(m) => m,
            _ => return Err(bad_line("expected a JSON object")),
        };
        let data = match root.remove("data") {
            Some(Value::Object(m)) if root.contains_key("stream") => m,
            Some(_) => return Err(bad_line("expected `data` to be an object")),
            None => root,
        };
        let msg = Msg {
            path,
            line,
            ts_local: Ts(local_ns),
            clock: self.clock,
        };
        self.message(&data, &msg, out)
    }

    fn message(
        &mut self,
        d: &Map<String, Value>,
        msg: &Msg<'_>,
        out: &mut Out<'_>,
    ) -> Result<(), ImportError> {
        let mut kind = d.get("e").and_then(Value::as_str);
        if kind.is_none() && d.contains_key("u") && d.contains_key("b") && d.contains_key("A") {
            kind = Some("bookTicker"); // spot bookTicker messages have no `e`
        }
        match kind {
            Some("bookTicker") => {
                let ts = msg.time(d)?;
                let top = BookTop {
                    bid_price: msg.get(d, "b", values::price)?,
                    bid_qty: msg.get(d, "B", values::qty)?,
                    ask_price: msg.get(d, "a", values::price)?,
                    ask_qty: msg.get(d, "A", values::qty)?,
                };
                let id = self.instrument(msg.symbol(d, "s")?, msg, out)?;
                out.push(ts, id, EventBody::BookTop(top));
            }
            Some(kind @ ("trade" | "aggTrade")) => {
                let ts = msg.time(d)?;
                let trade = Trade {
                    price: msg.get(d, "p", values::price)?,
                    qty: msg.get(d, "q", values::qty_positive)?,
                    aggressor: if msg.bool(d, "m")? { Side::Sell } else { Side::Buy },
                    trade_id: msg.uint(d, if kind == "trade" { "t" } else { "a" })?,
                };
                let id = self.instrument(msg.symbol(d, "s")?, msg, out)?;
                out.push(ts, id, EventBody::Trade(trade));
            }
            Some("depthUpdate") => {
                let ts = msg.time(d)?;
                let id = self.instrument(msg.symbol(d, "s")?, msg, out)?;
                msg.levels(d, "b", Side::Buy, ts, id, out)?;
                msg.levels(d, "a", Side::Sell, ts, id, out)?;
            }
            Some("markPriceUpdate") => {
                // `T` here is the next funding time, not the event's: stamp with `E`.
                let ts = match msg.clock {
                    WsClock::Local => msg.ts_local,
                    WsClock::Exchange => msg.ms(d, "E")?.unwrap_or(msg.ts_local),
                };
                let id = self.instrument(msg.symbol(d, "s")?, msg, out)?;
                let mark = msg.get(d, "p", values::price_rounded)?;
                out.push(ts, id, EventBody::MarkPrice(mark));
                if let Some(index) = msg.opt(d, "i", values::price_rounded)? {
                    out.push(ts, id, EventBody::IndexPrice(index));
                }
                if let Some(rate) = msg.opt(d, "r", values::rate_rounded)? {
                    let next = msg.ms(d, "T")?.ok_or_else(|| {
                        msg.field_error("T", "the next funding time in epoch ms", &Value::Null)
                    })?;
                    out.push(ts, id, EventBody::Funding(Funding { rate, next_funding: next }));
                }
            }
            Some("forceOrder") => {
                let o = match d.get("o") {
                    Some(Value::Object(o)) => o,
                    other => {
                        return Err(msg.field_error("o", "the order object", other.unwrap_or(&Value::Null)))
                    }
                };
                let ts = msg.time(o)?;
                let liq = Liquidation {
                    side: msg.get(o, "S", values::side)?,
                    price: msg.get(o, "ap", values::price)?,
                    qty: msg.get(o, "z", values::qty_positive)?,
                };
                let id = self.instrument(msg.symbol(o, "s")?, msg, out)?;
                out.push(ts, id, EventBody::Liquidation(liq));
            }
            None if d.contains_key("lastUpdateId") && d.contains_key("bids") => {
                let ts = msg.time(d)?;
                let symbol = self.caller_symbol.clone().or_else(|| {
                    let named = self.name_symbol.as_ref().filter(|s| self.seen.contains(*s));
                    let only = (self.seen.len() == 1).then(|| self.seen.first()).flatten();
                    named.or(only).cloned()
                });
                let Some(symbol) = symbol else {
                    return Err(ImportError::Line {
                        at: msg.at(),
                        expected: "expected the symbol of this depth snapshot to be known (pass the symbol, or name the file after it)".to_string(),
                        found: "a snapshot without a symbol, after no single symbol".to_string(),
                    });
                };
                let id = self.instrument(&symbol, msg, out)?;
                msg.levels(d, "bids", Side::Buy, ts, id, out)?;
                msg.levels(d, "asks", Side::Sell, ts, id, out)?;
            }
            other => {
                return Err(ImportError::Line {
                    at: msg.at(),
                    expected: "expected a bookTicker, trade, aggTrade, depthUpdate, markPriceUpdate or forceOrder message or a depth snapshot".to_string(),
                    found: clip(other.unwrap_or("a message without an event type `e`"), 80),
                })
            }
        }
        Ok(())
    }
}
