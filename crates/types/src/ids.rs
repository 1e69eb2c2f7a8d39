//! Typed indices. Instruments and accounts are dense `u32` indices into tables, not strings
//! and hash lookups, so state can live in `Vec`s indexed by id.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $inner:ty, $prefix:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl $name {
            /// The id as a `usize` index into a table.
            pub const fn index(self) -> usize {
                self.0 as usize
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

id_type!(
    /// Index of an instrument in a log's (or run's) instrument table.
    InstrumentId, u32, "i"
);
id_type!(
    /// Index of an account in the exchange.
    AccountId, u32, "a"
);
id_type!(
    /// An order id assigned by the exchange, unique within a run.
    OrderId, u64, "o"
);
