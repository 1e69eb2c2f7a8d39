//! A recorded market event as a Python object ([`PyEvent`]).

use crate::convert::{self, flatten};
use cascade_types::Event;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A recorded market event: `ts` (ns), `instrument`, `kind` ("Trade", "Bar", "MarkPrice",
/// …) and its fields as attributes (`event.price`, `event.qty`, …; decimals as `Decimal`).
#[pyclass(frozen, name = "Event", module = "cascade")]
pub struct PyEvent {
    pub(crate) event: Event,
}

#[pymethods]
impl PyEvent {
    /// When the event became known, ns since the epoch (UTC).
    #[getter]
    fn ts(&self) -> i64 {
        self.event.ts.nanos()
    }

    /// The instrument's id.
    #[getter]
    fn instrument(&self) -> u32 {
        self.event.instrument.0
    }

    /// The event's kind ("Trade", "BookTop", "Bar", "MarkPrice", …).
    #[getter]
    fn kind(&self) -> String {
        flatten(&self.event.body).0
    }

    /// Every field of the body as a dict (with `kind`).
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        convert::to_dict(py, &self.event.body)
    }

    fn __getattr__<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let d = convert::to_dict(py, &self.event.body)?;
        match d.get_item(name)? {
            Some(v) => Ok(v),
            None => Err(pyo3::exceptions::PyAttributeError::new_err(format!(
                "a {} event has no field {name:?}",
                self.kind()
            ))),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Event(ts={}, instrument={}, {:?})",
            self.event.ts, self.event.instrument.0, self.event.body
        )
    }
}
