//! Quantities in an instrument's own units: base coins for linear perps and spot, USD
//! contracts for an inverse perp — and the USD notional of a quantity at a price.

use crate::ticks::{f, qty_on_lot};
use cascade_types::{InstrumentKind, InstrumentSpec, Money, Price, Qty, Rounding, SCALE};

/// The unit rules of one instrument.
#[derive(Clone, Copy, Debug)]
pub struct Units {
    kind: InstrumentKind,
    lot: Qty,
    contract_size: Qty,
}

impl Units {
    /// The units of `spec`.
    pub fn of(spec: &InstrumentSpec) -> Units {
        Units {
            kind: spec.kind,
            lot: spec.lot,
            contract_size: spec.contract_size,
        }
    }

    /// The quantity increment.
    pub fn lot(&self) -> Qty {
        self.lot
    }

    /// Whether quantities are USD contracts.
    pub fn inverse(&self) -> bool {
        self.kind == InstrumentKind::InversePerp
    }

    /// `base` coins at `price` in the instrument's units, on the lot grid (at least one lot).
    pub fn qty_of_base(&self, base: f64, price: f64) -> Qty {
        if self.inverse() {
            qty_on_lot(base * price / f(self.contract_size.raw()), self.lot)
        } else {
            qty_on_lot(base, self.lot)
        }
    }

    /// A quantity already in the instrument's units, on the lot grid (at least one lot).
    pub fn on_lot(&self, x: f64) -> Qty {
        qty_on_lot(x, self.lot)
    }

    /// `usd` of notional at `price` in the instrument's units, on the lot grid.
    pub fn qty_of_usd(&self, usd: f64, price: f64) -> Qty {
        if self.inverse() {
            qty_on_lot(usd / f(self.contract_size.raw()), self.lot)
        } else {
            qty_on_lot(usd / price, self.lot)
        }
    }

    /// The USD notional of `qty` at `price`: `qty × price` rounded down for coins; the
    /// contracts' face value `qty × contract_size` for an inverse perp (exact).
    pub fn notional(&self, qty: Qty, price: Price) -> Money {
        if self.inverse() {
            Money::from_raw(qty.raw())
                .mul_div(self.contract_size.raw(), SCALE, Rounding::Down)
                .expect("contract notional overflow")
        } else {
            price.notional(qty, Rounding::Down)
        }
    }
}
