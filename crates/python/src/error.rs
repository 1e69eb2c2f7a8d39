//! The one error type of the Python layer: the library crates' errors, carried through to
//! Python as `cascade.CascadeError` (bad arguments as `ValueError`).

use pyo3::exceptions::PyValueError;
use pyo3::PyErr;
use thiserror::Error;

pyo3::create_exception!(
    _cascade,
    CascadeError,
    pyo3::exceptions::PyException,
    "An error of the cascade library: bad input, a failed run, a refused sweep merge."
);

/// What can go wrong in a call from Python.
#[derive(Debug, Error)]
pub enum Error {
    /// A run, sweep, merge or replay failed.
    #[error(transparent)]
    Run(Box<cascade_run::RunError>),
    /// The scoring suite failed as a whole (a bad suite file, no scenarios).
    #[error(transparent)]
    Suite(Box<cascade_suite::SuiteError>),
    /// An import failed.
    #[error(transparent)]
    Import(Box<cascade_import::ImportError>),
    /// An event log could not be read.
    #[error(transparent)]
    Journal(Box<cascade_journal::JournalError>),
    /// A fetch could not be planned or some files could not be fetched.
    #[error(transparent)]
    Fetch(Box<cascade_fetch::FetchError>),
    /// The scenario catalogue could not be read.
    #[error(transparent)]
    Scenario(Box<cascade_scenario::ScenarioError>),
    /// Strategy parameters were refused.
    #[error(transparent)]
    Params(Box<cascade_strategy::ParamError>),
    /// A value (decimal, time) could not be parsed.
    #[error(transparent)]
    Types(Box<cascade_types::TypesError>),
    /// Some files of a fetch could not be fetched (each named with why).
    #[error("{0}")]
    Fetched(String),
    /// A run stopped: a Python strategy raised (the text holds its traceback).
    #[error("the run stopped: {0}")]
    Stopped(String),
    /// An argument from Python is wrong: which one and why.
    #[error("{0}")]
    Argument(String),
}

/// Each library error converts into its (boxed: they are large) variant.
macro_rules! from_boxed {
    ($($variant:ident: $ty:ty),* $(,)?) => {
        $(impl From<$ty> for Error {
            fn from(e: $ty) -> Error {
                Error::$variant(Box::new(e))
            }
        })*
    };
}

from_boxed!(
    Run: cascade_run::RunError,
    Suite: cascade_suite::SuiteError,
    Import: cascade_import::ImportError,
    Journal: cascade_journal::JournalError,
    Fetch: cascade_fetch::FetchError,
    Scenario: cascade_scenario::ScenarioError,
    Params: cascade_strategy::ParamError,
    Types: cascade_types::TypesError,
);

impl Error {
    /// A bad argument.
    pub fn arg(text: impl Into<String>) -> Error {
        Error::Argument(text.into())
    }
}

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        match e {
            Error::Argument(text) => PyValueError::new_err(text),
            other => CascadeError::new_err(other.to_string()),
        }
    }
}

/// Results of the Python layer.
pub type Result<T> = std::result::Result<T, Error>;
