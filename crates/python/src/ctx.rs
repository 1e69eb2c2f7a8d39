//! What a Python callback sees ([`PyCtx`], the Rust `Ctx` as a Python object, valid during
//! the callback only): time, the market views, the strategy's accounts and the commands.

use crate::convert::{self, flatten, Cell};
use cascade_strategy::sizing;
use cascade_strategy::{Ctx, OrderRequestExt};
use cascade_types::{
    BarSource, InstrumentId, MarginMode, Money, OrderId, OrderRequest, Price, Qty, RatioSource,
    Side, TimeInForce, Ts, Wallet,
};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use std::cell::Cell as StdCell;

/// A callback's context, its lifetime erased: dereferenced only by [`PyCtx`] while the
/// callback that made it runs (the pointer is cleared before the callback returns).
#[derive(Clone, Copy)]
pub(crate) struct CtxPtr {
    ptr: *mut Ctx<'static>,
    writable: bool,
}

impl CtxPtr {
    pub(crate) fn of_mut(ctx: &mut Ctx<'_>) -> CtxPtr {
        CtxPtr {
            ptr: (ctx as *mut Ctx<'_>).cast::<Ctx<'static>>(),
            writable: true,
        }
    }
    pub(crate) fn of_ref(ctx: &Ctx<'_>) -> CtxPtr {
        CtxPtr {
            ptr: (ctx as *const Ctx<'_>).cast_mut().cast::<Ctx<'static>>(),
            writable: false,
        }
    }
}

/// What a Python callback sees: the simulated time, the market, the strategy's accounts,
/// and commands — the Rust `Ctx`, valid during the callback only. Decimals come back as
/// `decimal.Decimal`; decimals given (quantities, prices, amounts) are `str`, `int` or
/// `Decimal`, never `float`.
#[pyclass(unsendable, name = "Ctx", module = "cascade")]
pub struct PyCtx {
    pub(crate) ptr: StdCell<Option<CtxPtr>>,
}

fn expired() -> PyErr {
    PyRuntimeError::new_err("this Ctx belongs to a callback that has returned; use the ctx passed to the current callback")
}

impl PyCtx {
    fn ctx(&self) -> PyResult<&Ctx<'static>> {
        let p = self.ptr.get().ok_or_else(expired)?;
        // SAFETY: the pointer was made from a live `&Ctx`/`&mut Ctx` by `PyStrategy::call`,
        // which clears it before that borrow ends; `PyCtx` is `unsendable`, so it is only
        // used on the thread of the callback, and no method keeps the reference.
        #[allow(unsafe_code)]
        Ok(unsafe { &*p.ptr })
    }

    // A `&self` method hands out `&mut`: the pointer is the callback's own `&mut Ctx`, and
    // each method uses the reference once and drops it (no two are alive at a time).
    #[allow(clippy::mut_from_ref)]
    fn ctx_mut(&self) -> PyResult<&mut Ctx<'static>> {
        let p = self.ptr.get().ok_or_else(expired)?;
        if !p.writable {
            return Err(PyRuntimeError::new_err(
                "on_finish: the run is over, commands are not accepted",
            ));
        }
        // SAFETY: as in `ctx`; the pointer came from a `&mut Ctx` held by the callback, and
        // the returned reference lives only within one method call.
        #[allow(unsafe_code)]
        Ok(unsafe { &mut *p.ptr })
    }

    fn state(&self, instrument: u32) -> PyResult<&cascade_strategy::InstrumentState> {
        self.ctx()?
            .market()
            .get(InstrumentId(instrument))
            .ok_or_else(|| PyValueError::new_err(format!("no instrument {instrument}")))
    }
}

fn price_opt(py: Python<'_>, p: Option<Price>) -> PyResult<Option<Bound<'_, PyAny>>> {
    p.map(|p| convert::fixed(py, p.raw())).transpose()
}

/// Parses an exact decimal from `str`, `int` or `decimal.Decimal` (never `float`).
fn decimal_arg<T: std::str::FromStr>(v: &Bound<'_, PyAny>, what: &str) -> PyResult<T>
where
    T::Err: std::fmt::Display,
{
    if v.is_instance_of::<pyo3::types::PyFloat>() {
        return Err(PyTypeError::new_err(format!(
            "{what}: give a str, int or decimal.Decimal, not a float (floats are not exact)"
        )));
    }
    let text = v.str()?.to_string();
    text.parse::<T>()
        .map_err(|e| PyValueError::new_err(format!("{what} {text:?}: {e}")))
}

fn side_arg(s: &str) -> PyResult<Side> {
    match s.to_ascii_lowercase().as_str() {
        "buy" => Ok(Side::Buy),
        "sell" => Ok(Side::Sell),
        _ => Err(PyValueError::new_err(format!(
            "side: expected \"buy\" or \"sell\", found {s:?}"
        ))),
    }
}

fn dict_of<'py, T: serde::Serialize>(py: Python<'py>, v: &T) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let (_, fields) = flatten(&Wrap(v));
    for (k, c) in fields {
        match c {
            Cell::Fixed(raw) => d.set_item(k, convert::fixed(py, raw)?)?,
            Cell::Int(i) => d.set_item(k, i)?,
            Cell::Text(s) => d.set_item(k, s)?,
            Cell::Bool(b) => d.set_item(k, b)?,
        }
    }
    Ok(d)
}

/// Wraps a struct as a one-variant enum value so that [`flatten`] reads its fields.
struct Wrap<'a, T>(&'a T);
impl<T: serde::Serialize> serde::Serialize for Wrap<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry("_", self.0)?;
        m.end()
    }
}

fn money<'py>(py: Python<'py>, d: &Bound<'py, PyDict>, k: &str, m: Money) -> PyResult<()> {
    d.set_item(k, convert::fixed(py, m.raw())?)
}

fn liquidation_sums<'py>(
    py: Python<'py>,
    s: cascade_strategy::LiquidationSums,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("long_qty", convert::fixed(py, s.long_qty.raw())?)?;
    money(py, &d, "long_notional", s.long_notional)?;
    d.set_item("long_count", s.long_count)?;
    d.set_item("short_qty", convert::fixed(py, s.short_qty.raw())?)?;
    money(py, &d, "short_notional", s.short_notional)?;
    d.set_item("short_count", s.short_count)?;
    Ok(d)
}

fn flow_sums<'py>(py: Python<'py>, s: cascade_strategy::FlowSums) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("buy_qty", convert::fixed(py, s.buy_qty.raw())?)?;
    d.set_item("sell_qty", convert::fixed(py, s.sell_qty.raw())?)?;
    money(py, &d, "buy_notional", s.buy_notional)?;
    money(py, &d, "sell_notional", s.sell_notional)?;
    Ok(d)
}

fn position_dict<'py>(
    py: Python<'py>,
    p: &cascade_strategy::PositionView,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("instrument", p.instrument.0)?;
    d.set_item("qty", convert::fixed(py, p.qty.raw())?)?;
    d.set_item("entry_price", convert::fixed(py, p.entry_price.raw())?)?;
    money(py, &d, "notional", p.notional)?;
    money(py, &d, "unrealised_pnl", p.unrealised_pnl)?;
    d.set_item("liquidation_price", price_opt(py, p.liquidation_price)?)?;
    d.set_item(
        "margin_mode",
        match p.margin_mode {
            MarginMode::Cross => "cross",
            MarginMode::Isolated => "isolated",
        },
    )?;
    d.set_item("leverage", p.leverage)?;
    money(py, &d, "isolated_margin", p.isolated_margin)?;
    money(py, &d, "maint_margin", p.maint_margin)?;
    d.set_item(
        "margin_ratio",
        p.margin_ratio
            .map(|r| convert::fixed(py, r.raw()))
            .transpose()?,
    )?;
    d.set_item("is_flat", p.is_flat())?;
    Ok(d)
}

#[pymethods]
impl PyCtx {
    /// The simulated time, in nanoseconds since the epoch (UTC).
    #[getter]
    fn now(&self) -> PyResult<i64> {
        Ok(self.ctx()?.now().nanos())
    }

    /// How many instruments the run has (ids `0..n`).
    fn instrument_count(&self) -> PyResult<usize> {
        Ok(self.ctx()?.market().instruments().len())
    }

    /// The instrument with this symbol, or None.
    fn find(&self, symbol: &str) -> PyResult<Option<u32>> {
        Ok(self.ctx()?.market().find(symbol).map(|i| i.0))
    }

    /// An instrument's spec: venue, symbol, kind, base, quote, tick, lot, contract_size.
    fn spec<'py>(&self, py: Python<'py>, instrument: u32) -> PyResult<Bound<'py, PyDict>> {
        let s = &self.state(instrument)?.spec;
        let d = PyDict::new(py);
        d.set_item("venue", &s.venue)?;
        d.set_item("symbol", &s.symbol)?;
        d.set_item("kind", s.kind.to_string())?;
        d.set_item("base", &s.base)?;
        d.set_item("quote", &s.quote)?;
        d.set_item("tick", convert::fixed(py, s.tick.raw())?)?;
        d.set_item("lot", convert::fixed(py, s.lot.raw())?)?;
        d.set_item("contract_size", convert::fixed(py, s.contract_size.raw())?)?;
        Ok(d)
    }

    /// Market events seen on the instrument.
    fn events(&self, instrument: u32) -> PyResult<u64> {
        Ok(self.state(instrument)?.events)
    }

    /// The last traded price (trades, else the last-price bars), or None.
    fn last_price<'py>(
        &self,
        py: Python<'py>,
        instrument: u32,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        price_opt(py, self.state(instrument)?.last_price())
    }

    /// The mark price, or None.
    fn mark<'py>(&self, py: Python<'py>, instrument: u32) -> PyResult<Option<Bound<'py, PyAny>>> {
        price_opt(py, self.state(instrument)?.mark.map(|m| m.value))
    }

    /// The index price, or None.
    fn index<'py>(&self, py: Python<'py>, instrument: u32) -> PyResult<Option<Bound<'py, PyAny>>> {
        price_opt(py, self.state(instrument)?.index.map(|m| m.value))
    }

    /// The mark, else the last price.
    fn mark_or_last<'py>(
        &self,
        py: Python<'py>,
        instrument: u32,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        price_opt(py, self.state(instrument)?.mark_or_last())
    }

    /// What a buy would pay: best ask, else last trade, else mark (`sizing::buy_price`).
    fn buy_price<'py>(
        &self,
        py: Python<'py>,
        instrument: u32,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        price_opt(py, sizing::buy_price(self.state(instrument)?))
    }

    /// What a sell would get: best bid, else last trade, else mark (`sizing::sell_price`).
    fn sell_price<'py>(
        &self,
        py: Python<'py>,
        instrument: u32,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        price_opt(py, sizing::sell_price(self.state(instrument)?))
    }

    /// The best bid and ask (`bid`, `bid_qty`, `ask`, `ask_qty`, `ts`), or None.
    fn quote<'py>(&self, py: Python<'py>, instrument: u32) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(q) = self.state(instrument)?.quote() else {
            return Ok(None);
        };
        let d = PyDict::new(py);
        d.set_item("ts", q.ts.nanos())?;
        d.set_item("bid", convert::fixed(py, q.bid.raw())?)?;
        d.set_item("bid_qty", convert::fixed(py, q.bid_qty.raw())?)?;
        d.set_item("ask", convert::fixed(py, q.ask.raw())?)?;
        d.set_item("ask_qty", convert::fixed(py, q.ask_qty.raw())?)?;
        Ok(Some(d))
    }

    /// The last funding rate update (`rate`, `next_funding`), or None.
    fn funding<'py>(
        &self,
        py: Python<'py>,
        instrument: u32,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.state(instrument)?
            .funding
            .map(|f| dict_of(py, &f.value))
            .transpose()
    }

    /// The last open interest (`qty`, `value`), or None.
    fn open_interest<'py>(
        &self,
        py: Python<'py>,
        instrument: u32,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.state(instrument)?
            .open_interest
            .map(|f| dict_of(py, &f.value))
            .transpose()
    }

    /// The last bar of a source (`last`, `mark`, `index`, `premium`), or None.
    fn bar<'py>(
        &self,
        py: Python<'py>,
        instrument: u32,
        source: &str,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        let source = match source {
            "last" => BarSource::Last,
            "mark" => BarSource::Mark,
            "index" => BarSource::Index,
            "premium" => BarSource::Premium,
            other => {
                return Err(PyValueError::new_err(format!(
                    "bar source: expected last, mark, index or premium, found {other:?}"
                )))
            }
        };
        self.state(instrument)?
            .bar(source)
            .map(|b| dict_of(py, b))
            .transpose()
    }

    /// Recorded liquidations over the fast window (`long_qty`, `long_notional`, …).
    fn liquidations<'py>(&self, py: Python<'py>, instrument: u32) -> PyResult<Bound<'py, PyDict>> {
        let now = self.ctx()?.now();
        liquidation_sums(py, self.state(instrument)?.liquidations(now))
    }

    /// Recorded liquidations over the slow window (minutes), as `liquidations`.
    fn liquidations_slow<'py>(
        &self,
        py: Python<'py>,
        instrument: u32,
    ) -> PyResult<Bound<'py, PyDict>> {
        let now = self.ctx()?.now();
        liquidation_sums(py, self.state(instrument)?.liquidations_slow(now))
    }

    /// Taker flow over the fast window (`buy_qty`, `sell_qty`, `buy_notional`, `sell_notional`).
    fn flow<'py>(&self, py: Python<'py>, instrument: u32) -> PyResult<Bound<'py, PyDict>> {
        let now = self.ctx()?.now();
        flow_sums(py, self.state(instrument)?.flow(now))
    }

    /// Taker flow over the slow window (minutes), as `flow`.
    fn flow_slow<'py>(&self, py: Python<'py>, instrument: u32) -> PyResult<Bound<'py, PyDict>> {
        let now = self.ctx()?.now();
        flow_sums(py, self.state(instrument)?.flow_slow(now))
    }

    /// The premium rate (from premium-index bars), or None.
    fn premium<'py>(
        &self,
        py: Python<'py>,
        instrument: u32,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.state(instrument)?
            .premium
            .map(|r| convert::fixed(py, r.value.raw()))
            .transpose()
    }

    /// The last long/short ratio of a source (`top_accounts`, `top_positions`, `global`), or
    /// None.
    fn long_short<'py>(
        &self,
        py: Python<'py>,
        instrument: u32,
        source: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let source = match source {
            "top_accounts" => RatioSource::TopAccounts,
            "top_positions" => RatioSource::TopPositions,
            "global" => RatioSource::Global,
            other => {
                return Err(PyValueError::new_err(format!(
                    "ratio source: expected top_accounts, top_positions or global, found {other:?}"
                )))
            }
        };
        self.state(instrument)?
            .long_short(source)
            .map(|r| convert::fixed(py, r.value.raw()))
            .transpose()
    }

    /// The last taker buy/sell volume metric (`buy`, `sell`, …), or None.
    fn taker_volume<'py>(
        &self,
        py: Python<'py>,
        instrument: u32,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.state(instrument)?
            .taker_volume
            .map(|t| dict_of(py, &t.value))
            .transpose()
    }

    /// The latest depth-band snapshot: a list of `{band_bps, qty, notional}` (bids first,
    /// most negative first); empty when none was recorded.
    fn depth<'py>(&self, py: Python<'py>, instrument: u32) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for b in self.state(instrument)?.depth.bands() {
            let d = PyDict::new(py);
            d.set_item("band_bps", b.band_bps)?;
            d.set_item("qty", convert::fixed(py, b.qty.raw())?)?;
            money(py, &d, "notional", b.notional)?;
            list.append(d)?;
        }
        Ok(list)
    }

    /// The L2 book: `{"bids": [(price, qty), …], "asks": [...]}`, best first; empty lists
    /// when the source has no L2 updates.
    fn book<'py>(&self, py: Python<'py>, instrument: u32) -> PyResult<Bound<'py, PyDict>> {
        let l2 = &self.state(instrument)?.l2;
        let side = |levels: &[cascade_strategy::Level]| -> PyResult<Bound<'py, PyList>> {
            let list = PyList::empty(py);
            for l in levels {
                list.append((
                    convert::fixed(py, l.price.raw())?,
                    convert::fixed(py, l.qty.raw())?,
                ))?;
            }
            Ok(list)
        };
        let d = PyDict::new(py);
        d.set_item("bids", side(l2.bids())?)?;
        d.set_item("asks", side(l2.asks())?)?;
        Ok(d)
    }

    /// The modelled liquidation heatmap summary (a run with the crowd): `{ts, reference,
    /// bands: [{within_bps, longs_below, shorts_above}, …]}`, or None.
    fn heatmap<'py>(
        &self,
        py: Python<'py>,
        instrument: u32,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(h) = self.state(instrument)?.heatmap else {
            return Ok(None);
        };
        let d = PyDict::new(py);
        d.set_item("ts", h.ts.nanos())?;
        d.set_item("reference", convert::fixed(py, h.reference.raw())?)?;
        let bands = PyList::empty(py);
        for b in h.bands() {
            let x = PyDict::new(py);
            x.set_item("within_bps", b.within_bps)?;
            money(py, &x, "longs_below", b.longs_below)?;
            money(py, &x, "shorts_above", b.shorts_above)?;
            bands.append(x)?;
        }
        d.set_item("bands", bands)?;
        Ok(Some(d))
    }

    /// The last traded price at or before `ts_ns` (one-minute history), or None.
    fn price_at<'py>(
        &self,
        py: Python<'py>,
        instrument: u32,
        ts_ns: i64,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        price_opt(py, self.state(instrument)?.price_at(Ts(ts_ns)))
    }

    /// The mark at or before `ts_ns` (one-minute history), or None.
    fn mark_at<'py>(
        &self,
        py: Python<'py>,
        instrument: u32,
        ts_ns: i64,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        price_opt(py, self.state(instrument)?.mark_at(Ts(ts_ns)))
    }

    /// Open interest (quantity) at or before `ts_ns` (one-minute history), or None.
    fn open_interest_at<'py>(
        &self,
        py: Python<'py>,
        instrument: u32,
        ts_ns: i64,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.state(instrument)?
            .open_interest_at(Ts(ts_ns))
            .map(|q| convert::fixed(py, q.raw()))
            .transpose()
    }

    /// Open interest value at or before `ts_ns` (one-minute history), or None.
    fn open_interest_value_at<'py>(
        &self,
        py: Python<'py>,
        instrument: u32,
        ts_ns: i64,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.state(instrument)?
            .open_interest_value_at(Ts(ts_ns))
            .map(|m| convert::fixed(py, m.raw()))
            .transpose()
    }

    /// The relative price change over the last `minutes`, or None.
    fn price_change<'py>(
        &self,
        py: Python<'py>,
        instrument: u32,
        minutes: u32,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let now = self.ctx()?.now();
        self.state(instrument)?
            .price_change(now, minutes)
            .map(|r| convert::fixed(py, r.raw()))
            .transpose()
    }

    /// The relative open-interest change over the last `minutes`, or None.
    fn open_interest_change<'py>(
        &self,
        py: Python<'py>,
        instrument: u32,
        minutes: u32,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let now = self.ctx()?.now();
        self.state(instrument)?
            .open_interest_change(now, minutes)
            .map(|r| convert::fixed(py, r.raw()))
            .transpose()
    }

    /// The primary account: `id`, `equity`, `futures` (balance, unrealised_pnl,
    /// margin_balance, initial_margin, maint_margin, available, margin_ratio), `spot_quote`,
    /// `positions` (open ones) and `orders`.
    fn account<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let a = self.ctx()?.account();
        let d = PyDict::new(py);
        d.set_item("id", a.id.0)?;
        money(py, &d, "equity", a.equity)?;
        money(py, &d, "spot_quote", a.spot_quote)?;
        let f = PyDict::new(py);
        money(py, &f, "balance", a.futures.balance)?;
        money(py, &f, "unrealised_pnl", a.futures.unrealised_pnl)?;
        money(py, &f, "margin_balance", a.futures.margin_balance)?;
        money(py, &f, "initial_margin", a.futures.initial_margin)?;
        money(py, &f, "maint_margin", a.futures.maint_margin)?;
        money(py, &f, "available", a.futures.available)?;
        f.set_item(
            "margin_ratio",
            convert::fixed(py, a.futures.margin_ratio.raw())?,
        )?;
        d.set_item("futures", f)?;
        let positions = PyList::empty(py);
        for p in a.open_positions() {
            positions.append(position_dict(py, p)?)?;
        }
        d.set_item("positions", positions)?;
        let orders = PyList::empty(py);
        for o in &a.orders {
            let od = PyDict::new(py);
            od.set_item("order_id", o.order_id.0)?;
            od.set_item("client_id", o.client_id)?;
            od.set_item("instrument", o.instrument.0)?;
            od.set_item("side", o.side.to_string())?;
            let (kind, fields) = flatten(&o.kind);
            od.set_item("type", kind)?;
            for (k, c) in fields {
                if let Cell::Fixed(raw) = c {
                    od.set_item(k, convert::fixed(py, raw)?)?;
                }
            }
            od.set_item("tif", format!("{:?}", o.tif).to_ascii_lowercase())?;
            od.set_item("qty", convert::fixed(py, o.qty.raw())?)?;
            od.set_item("remaining", convert::fixed(py, o.remaining().raw())?)?;
            od.set_item("reduce_only", o.reduce_only)?;
            od.set_item("post_only", o.post_only)?;
            orders.append(od)?;
        }
        d.set_item("orders", orders)?;
        Ok(d)
    }

    /// The primary account's position on an instrument (flat when none).
    fn position<'py>(&self, py: Python<'py>, instrument: u32) -> PyResult<Bound<'py, PyDict>> {
        self.state(instrument)?;
        position_dict(py, self.ctx()?.position(InstrumentId(instrument)))
    }

    /// Places an order from the primary account and returns its client id. Market without
    /// `price` and `trigger`; limit with `price`; stop-market with `trigger`; stop-limit with
    /// both. `tif`: "gtc", "ioc" or "fok".
    #[pyo3(signature = (instrument, side, qty, price=None, *, trigger=None, reduce_only=false, post_only=false, tif=None, client_id=0))]
    #[allow(clippy::too_many_arguments)]
    fn place(
        &self,
        instrument: u32,
        side: &str,
        qty: &Bound<'_, PyAny>,
        price: Option<&Bound<'_, PyAny>>,
        trigger: Option<&Bound<'_, PyAny>>,
        reduce_only: bool,
        post_only: bool,
        tif: Option<&str>,
        client_id: u64,
    ) -> PyResult<u64> {
        let i = InstrumentId(instrument);
        let side = side_arg(side)?;
        let qty: Qty = decimal_arg(qty, "qty")?;
        let price: Option<Price> = price.map(|p| decimal_arg(p, "price")).transpose()?;
        let trigger: Option<Price> = trigger.map(|p| decimal_arg(p, "trigger")).transpose()?;
        let mut order = match (price, trigger) {
            (None, None) => OrderRequest::market(i, side, qty),
            (Some(p), None) => OrderRequest::limit(i, side, qty, p),
            (None, Some(t)) => OrderRequest::stop_market(i, side, qty, t),
            (Some(p), Some(t)) => OrderRequest::stop_limit(i, side, qty, t, p),
        };
        if reduce_only {
            order = order.reduce_only();
        }
        if post_only {
            order = order.post_only();
        }
        if let Some(t) = tif {
            order = order.with_tif(match t {
                "gtc" => TimeInForce::Gtc,
                "ioc" => TimeInForce::Ioc,
                "fok" => TimeInForce::Fok,
                other => {
                    return Err(PyValueError::new_err(format!(
                        "tif: expected gtc, ioc or fok, found {other:?}"
                    )))
                }
            });
        }
        if client_id != 0 {
            order = order.with_client_id(client_id);
        }
        Ok(self.ctx_mut()?.place(order))
    }

    /// Cancels an open order of the primary account.
    fn cancel(&self, order_id: u64) -> PyResult<()> {
        self.ctx_mut()?.cancel(OrderId(order_id));
        Ok(())
    }

    /// Cancels every open order of the primary account on an instrument.
    fn cancel_all(&self, instrument: u32) -> PyResult<()> {
        self.ctx_mut()?.cancel_all(InstrumentId(instrument));
        Ok(())
    }

    /// Sets the primary account's leverage on an instrument.
    fn set_leverage(&self, instrument: u32, leverage: u32) -> PyResult<()> {
        self.ctx_mut()?
            .set_leverage(InstrumentId(instrument), leverage);
        Ok(())
    }

    /// Sets the margin mode ("cross" or "isolated") on an instrument.
    fn set_margin_mode(&self, instrument: u32, mode: &str) -> PyResult<()> {
        let mode = match mode {
            "cross" => MarginMode::Cross,
            "isolated" => MarginMode::Isolated,
            other => {
                return Err(PyValueError::new_err(format!(
                    "margin mode: expected cross or isolated, found {other:?}"
                )))
            }
        };
        self.ctx_mut()?
            .set_margin_mode(InstrumentId(instrument), mode);
        Ok(())
    }

    /// Moves quote currency between the primary account's wallets ("spot", "futures").
    fn transfer(
        &self,
        from_wallet: &str,
        to_wallet: &str,
        amount: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let wallet = |w: &str| match w {
            "spot" => Ok(Wallet::Spot),
            "futures" => Ok(Wallet::Futures),
            other => Err(PyValueError::new_err(format!(
                "wallet: expected spot or futures, found {other:?}"
            ))),
        };
        let amount: Money = decimal_arg(amount, "amount")?;
        self.ctx_mut()?
            .transfer(wallet(from_wallet)?, wallet(to_wallet)?, amount);
        Ok(())
    }

    /// Asks for `on_timer(id, ctx)` at the first moment at or after `at_ns`.
    fn set_timer(&self, at_ns: i64, id: u64) -> PyResult<()> {
        self.ctx_mut()?.set_timer(Ts::from_nanos(at_ns), id);
        Ok(())
    }
}
