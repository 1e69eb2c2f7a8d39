//! Built-in strategies for tests and benchmarks: [`NoOp`] and [`Noise`].

use crate::orders::OrderRequestExt;
use crate::params::{ParamError, Params};
use crate::registry::Registry;
use crate::{Ctx, Strategy};
use cascade_types::{Event, InstrumentId, OrderRequest, Qty, Side};

/// Registers the built-ins under `noop` and `noise`.
pub(crate) fn register(r: &mut Registry) {
    r.register(
        "noop",
        "does nothing: the baseline for engine overhead",
        NoOp::from_params,
    );
    r.register(
        "noise",
        "every N market events, alternately buys and sells a fixed quantity at market",
        Noise::from_params,
    );
}

/// Does nothing. Measures the engine's own cost per event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoOp;

impl NoOp {
    /// The registry factory: takes no parameters.
    pub fn from_params(p: &Params) -> Result<Box<dyn Strategy>, ParamError> {
        p.expect_only(&[])?;
        Ok(Box::new(NoOp))
    }
}

impl Strategy for NoOp {}

/// Every `every` market events (of any instrument), places a market order of `qty` on
/// `instrument`, alternately buying and selling (buy first), so the position oscillates
/// between 0 and `qty`. A deterministic load for engine benchmarks.
///
/// | parameter | type | default | meaning |
/// |---|---|---|---|
/// | `every` | integer ≥ 1 | 100 | events between orders |
/// | `qty` | decimal > 0 | 0.001 | order quantity |
/// | `instrument` | integer | 0 | instrument index to trade |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Noise {
    /// Events between orders.
    pub every: u64,
    /// Order quantity.
    pub qty: Qty,
    /// The instrument traded.
    pub instrument: InstrumentId,
    /// Events left until the next order.
    countdown: u64,
    next_side: Side,
}

impl Noise {
    /// A noise strategy; panics when `every` is 0 or `qty` is not positive (use
    /// [`Noise::from_params`] for user input).
    pub fn new(every: u64, qty: Qty, instrument: InstrumentId) -> Self {
        assert!(
            every >= 1 && qty.is_positive(),
            "noise needs every >= 1 and qty > 0"
        );
        Noise {
            every,
            qty,
            instrument,
            countdown: every,
            next_side: Side::Buy,
        }
    }

    /// The registry factory.
    pub fn from_params(p: &Params) -> Result<Box<dyn Strategy>, ParamError> {
        p.expect_only(&["every", "qty", "instrument"])?;
        let every = p.get_u64("every", 100)?;
        let qty = p.get_qty("qty", "0.001".parse().expect("a valid default"))?;
        let instrument = p.get("instrument", InstrumentId(0))?;
        if every == 0 {
            return Err(p.invalid("every", "at least 1"));
        }
        if !qty.is_positive() {
            return Err(p.invalid("qty", "a positive quantity"));
        }
        Ok(Box::new(Noise::new(every, qty, instrument)))
    }
}

impl Strategy for Noise {
    fn on_start(&mut self, ctx: &mut Ctx<'_>) -> Result<(), ParamError> {
        if ctx.market().get(self.instrument).is_none() {
            return Err(ParamError::Rejected {
                name: "instrument".to_string(),
                message: format!(
                    "the run has no instrument {} (it has {})",
                    self.instrument.0,
                    ctx.market().instruments().len()
                ),
            });
        }
        Ok(())
    }

    fn on_event(&mut self, _event: &Event, ctx: &mut Ctx<'_>) {
        self.countdown -= 1;
        if self.countdown == 0 {
            self.countdown = self.every;
            ctx.place(OrderRequest::market(
                self.instrument,
                self.next_side,
                self.qty,
            ));
            self.next_side = self.next_side.opposite();
        }
    }
}
