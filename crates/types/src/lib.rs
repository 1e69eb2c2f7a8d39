//! The vocabulary every cascade crate speaks: exact fixed-point numbers ([`Price`], [`Qty`],
//! [`Money`], [`Rate`]), simulated time ([`Ts`], nanoseconds since the Unix epoch, UTC), typed
//! ids, [`Side`], instrument specs, tiered margin tables, the market [`Event`] enum, order
//! commands and exchange outputs.
//!
//! This crate does no IO and reads no clock. All money is integer: a value is an `i64` count
//! of 10⁻⁸ units, so `0.1 + 0.2 == 0.3` exactly and the books always balance.
//!
//! ```
//! use cascade_types::{Price, Qty, Rounding};
//! let px: Price = "60000".parse().unwrap();
//! let q: Qty = "0.5".parse().unwrap();
//! let notional = px.notional(q, Rounding::Down);
//! assert_eq!(notional.to_string(), "30000");
//! ```

pub mod bounds;
mod error;
mod event;
mod fixed;
mod ids;
mod instrument;
mod note;
mod order;
mod output;
mod side;
mod tiers;
mod time;

pub use bounds::{check_event, OutOfBounds};
pub use error::TypesError;
pub use event::{
    Bar, BarSource, BookTop, DepthBand, DepthLevel, Event, EventBody, EventKind, Funding,
    FundingSettlement, Liquidation, LongShortRatio, OpenInterest, RatioSource, TakerVolume, Trade,
};
pub use fixed::{Money, Price, Qty, Rate, Rounding, SCALE};
pub use ids::{AccountId, InstrumentId, OrderId};
pub use instrument::{InstrumentKind, InstrumentSpec};
pub use note::Note;
pub use order::{Command, MarginMode, OrderKind, OrderRequest, TimeInForce, Wallet};
pub use output::{LiquidationKind, Output, RejectReason};
pub use side::Side;
pub use tiers::{MarginTier, TierTable};
pub use time::Ts;
