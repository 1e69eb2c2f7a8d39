//! Strategies written in Python: a subclass of `cascade.Strategy` registered by name becomes
//! a [`Strategy`] of the registry the runs and the suite use, and its callbacks see the same
//! read-only views through a [`PyCtx`].
//!
//! Each callback takes the GIL, hands Python a `Ctx` valid for that callback only (after it
//! returns, any use of a kept reference raises), and calls the method; commands go into the
//! engine's command buffer as a Rust strategy's would. Only the callbacks the class overrides
//! are called. An exception in `on_start` refuses the run like a bad parameter; in any other
//! callback it stops the run (a panic carrying the Python traceback, which the suite reports
//! as that run's failure and `cascade.run` raises).

use crate::convert;
use crate::ctx::{CtxPtr, PyCtx};
use crate::event::PyEvent;
use cascade_strategy::{
    AdlInfo, Ctx, FillInfo, FundingInfo, LiquidationInfo, Note, ParamError, ParamValue, Params,
    Registry, Strategy,
};
use cascade_types::{Event, Output};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::cell::Cell as StdCell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// A registered Python strategy class.
struct ClassEntry {
    class: Arc<Py<PyAny>>,
    description: String,
    params: Vec<String>,
}

static CLASSES: Mutex<BTreeMap<String, ClassEntry>> = Mutex::new(BTreeMap::new());
static NAMES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());

/// The registry takes `'static` names: each distinct name is kept once for the process.
fn intern(s: &str) -> &'static str {
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(n) = names.get(s) {
        return n;
    }
    let leaked: &'static str = Box::leak(s.to_string().into_boxed_str());
    names.insert(leaked);
    leaked
}

/// Registers (or replaces) a Python strategy class under `name`, with the names of the
/// parameters it declares. A name of a Rust strategy is refused.
#[pyfunction]
#[pyo3(signature = (name, class, description, params))]
pub fn register_strategy(
    name: &str,
    class: Py<PyAny>,
    description: &str,
    params: Vec<String>,
) -> PyResult<()> {
    if name.is_empty() {
        return Err(PyValueError::new_err("a strategy needs a name"));
    }
    if cascade_strategies::registry().get(name).is_some() {
        return Err(PyValueError::new_err(format!(
            "strategy name `{name}` is taken by a built-in (Rust) strategy; pick another"
        )));
    }
    CLASSES.lock().unwrap_or_else(|e| e.into_inner()).insert(
        name.to_string(),
        ClassEntry {
            class: Arc::new(class),
            description: description.to_string(),
            params,
        },
    );
    Ok(())
}

/// Removes a registered Python strategy; true when there was one.
#[pyfunction]
pub fn unregister_strategy(name: &str) -> bool {
    CLASSES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(name)
        .is_some()
}

/// Every strategy name the runs know: the Rust ones and the registered Python classes.
#[pyfunction]
pub fn strategy_names() -> Vec<String> {
    registry().names().iter().map(|s| s.to_string()).collect()
}

/// The CLI's registry plus every registered Python class.
pub fn registry() -> Registry {
    let mut r = cascade_strategies::registry();
    let classes = CLASSES.lock().unwrap_or_else(|e| e.into_inner());
    for (name, e) in classes.iter() {
        let class = Arc::clone(&e.class);
        let params = e.params.clone();
        let n = intern(name);
        r.register(n, intern(&e.description), move |p: &Params| {
            create(n, &class, &params, p)
        });
    }
    r
}

fn create(
    name: &'static str,
    class: &Py<PyAny>,
    declared: &[String],
    p: &Params,
) -> Result<Box<dyn Strategy>, ParamError> {
    let names: Vec<&str> = declared.iter().map(String::as_str).collect();
    p.expect_only(&names)?;
    Python::with_gil(|py| {
        let refuse = |e: PyErr| ParamError::rejected(name, error_text(py, &e));
        let given = PyDict::new(py);
        for (k, v, _) in p.iter() {
            match v {
                ParamValue::Bool(b) => given.set_item(k, *b),
                ParamValue::Int(i) => given.set_item(k, *i),
                ParamValue::Float(x) => given.set_item(k, *x),
                ParamValue::Str(s) => given.set_item(k, s),
            }
            .map_err(refuse)?;
        }
        let obj = class.bind(py).call1((given,)).map_err(refuse)?;
        let hooks: Vec<String> = obj
            .getattr("_cascade_hooks")
            .and_then(|h| h.extract())
            .map_err(refuse)?;
        let has = |h: &str| hooks.iter().any(|x| x == h);
        Ok(Box::new(PyStrategy {
            name,
            obj: obj.unbind(),
            hooks: Hooks {
                on_start: has("on_start"),
                on_event: has("on_event"),
                on_output: has("on_output"),
                on_fill: has("on_fill"),
                on_funding: has("on_funding"),
                on_liquidation: has("on_liquidation"),
                on_adl: has("on_adl"),
                on_timer: has("on_timer"),
                on_finish: has("on_finish"),
                notes: has("notes"),
            },
        }) as Box<dyn Strategy>)
    })
}

/// The Python exception as text, with its traceback.
pub fn error_text(py: Python<'_>, e: &PyErr) -> String {
    let tb = e
        .traceback(py)
        .and_then(|t| t.format().ok())
        .unwrap_or_default();
    format!("{tb}{e}")
}

/// Which callbacks the class overrides (the others are not called at all).
#[derive(Clone, Copy, Debug)]
struct Hooks {
    on_start: bool,
    on_event: bool,
    on_output: bool,
    on_fill: bool,
    on_funding: bool,
    on_liquidation: bool,
    on_adl: bool,
    on_timer: bool,
    on_finish: bool,
    notes: bool,
}

/// A Python strategy object driven as a [`Strategy`].
pub struct PyStrategy {
    name: &'static str,
    obj: Py<PyAny>,
    hooks: Hooks,
}

impl PyStrategy {
    /// Calls `method(*args, ctx)` with a context valid for the call only; a Python
    /// exception stops the run.
    fn call<'py>(
        &self,
        py: Python<'py>,
        ctx: CtxPtr,
        method: &str,
        args: Vec<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let scoped = Bound::new(
            py,
            PyCtx {
                ptr: StdCell::new(Some(ctx)),
            },
        )?;
        let mut all = args;
        all.push(scoped.clone().into_any());
        let tuple = pyo3::types::PyTuple::new(py, all)?;
        let r = self.obj.bind(py).call_method1(method, tuple);
        scoped.borrow().ptr.set(None);
        r
    }

    fn stop(&self, py: Python<'_>, method: &str, e: &PyErr) -> ! {
        panic!(
            "Python strategy `{}` raised in {method}: {}",
            self.name,
            error_text(py, e)
        )
    }

    fn output_to(&self, method: &str, output: &Output, ctx: &mut Ctx<'_>) {
        Python::with_gil(|py| {
            let r = convert::to_dict(py, output)
                .and_then(|d| self.call(py, CtxPtr::of_mut(ctx), method, vec![d.into_any()]));
            if let Err(e) = r {
                self.stop(py, method, &e)
            }
        })
    }
}

impl Strategy for PyStrategy {
    fn on_start(&mut self, ctx: &mut Ctx<'_>) -> Result<(), ParamError> {
        if !self.hooks.on_start {
            return Ok(());
        }
        Python::with_gil(|py| {
            self.call(py, CtxPtr::of_mut(ctx), "on_start", Vec::new())
                .map(|_| ())
                .map_err(|e| ParamError::rejected(self.name, error_text(py, &e)))
        })
    }

    fn on_event(&mut self, event: &Event, ctx: &mut Ctx<'_>) {
        if !self.hooks.on_event {
            return;
        }
        Python::with_gil(|py| {
            let r = Bound::new(py, PyEvent { event: *event })
                .and_then(|ev| self.call(py, CtxPtr::of_mut(ctx), "on_event", vec![ev.into_any()]));
            if let Err(e) = r {
                self.stop(py, "on_event", &e)
            }
        })
    }

    fn on_output(&mut self, output: &Output, ctx: &mut Ctx<'_>) {
        if self.hooks.on_output {
            return self.output_to("on_output", output, ctx);
        }
        // The trait's dispatch, with the whole output handed to Python.
        let method = if FillInfo::from_output(output).is_some() {
            self.hooks.on_fill.then_some("on_fill")
        } else if FundingInfo::from_output(output).is_some() {
            self.hooks.on_funding.then_some("on_funding")
        } else if LiquidationInfo::from_output(output).is_some() {
            self.hooks.on_liquidation.then_some("on_liquidation")
        } else if AdlInfo::from_output(output).is_some() {
            self.hooks.on_adl.then_some("on_adl")
        } else {
            None
        };
        if let Some(m) = method {
            self.output_to(m, output, ctx);
        }
    }

    fn on_timer(&mut self, id: u64, ctx: &mut Ctx<'_>) {
        if !self.hooks.on_timer {
            return;
        }
        Python::with_gil(|py| {
            let r = self.call(
                py,
                CtxPtr::of_mut(ctx),
                "on_timer",
                vec![id.into_pyobject(py).expect("an int").into_any()],
            );
            if let Err(e) = r {
                self.stop(py, "on_timer", &e)
            }
        })
    }

    fn on_finish(&mut self, ctx: &Ctx<'_>) {
        if !self.hooks.on_finish {
            return;
        }
        Python::with_gil(|py| {
            if let Err(e) = self.call(py, CtxPtr::of_ref(ctx), "on_finish", Vec::new()) {
                self.stop(py, "on_finish", &e)
            }
        })
    }

    fn notes(&self) -> Vec<Note> {
        if !self.hooks.notes {
            return Vec::new();
        }
        Python::with_gil(|py| {
            let got = self
                .obj
                .bind(py)
                .call_method0("notes")
                .and_then(|n| n.extract::<Vec<(String, String)>>());
            match got {
                Ok(v) => v.into_iter().map(|(k, t)| Note::new(k, t)).collect(),
                Err(e) => self.stop(py, "notes", &e),
            }
        })
    }
}
