//! Crossing from the generator's `f64` shaping into exact fixed-point values: every
//! conversion rounds explicitly, to the nearest multiple of a grid (a tick, a lot, 10⁻⁸),
//! ties away from zero (`f64::round`), so the result is the same on every platform.

use cascade_types::{Price, Qty, Rate, Rounding, SCALE};

/// `x` (a count of whole units) to raw 10⁻⁸ units on a grid of `step_raw`, at least one step.
fn to_grid(x: f64, step_raw: i64) -> i64 {
    assert!(step_raw > 0, "grid step must be positive");
    assert!(x.is_finite(), "generator produced a non-finite value");
    let steps = (x * SCALE as f64 / step_raw as f64).round() as i64;
    steps.max(1) * step_raw
}

/// A positive price on the tick grid, from a shaped `f64`.
pub fn price_on_tick(x: f64, tick: Price) -> Price {
    Price::from_raw(to_grid(x, tick.raw()))
}

/// A positive quantity on the lot grid, from a shaped `f64`; never below one lot.
pub fn qty_on_lot(x: f64, lot: Qty) -> Qty {
    Qty::from_raw(to_grid(x, lot.raw()))
}

/// A price rounded half-even to the tick grid.
pub fn round_price(p: Price, tick: Price) -> Price {
    let steps = p
        .mul_div(1, tick.raw(), Rounding::HalfEven)
        .expect("tick is positive");
    Price::from_raw(steps.raw() * tick.raw())
}

/// `p × (1 + r)` rounded half-even to the tick grid.
pub fn scale_price(p: Price, r: Rate, tick: Price) -> Price {
    let factor = Rate::ONE + r;
    round_price(p.mul_rate(factor, Rounding::HalfEven), tick)
}

/// `a + f × (b − a)` rounded half-even to the tick grid.
pub fn lerp_price(a: Price, b: Price, f: Rate, tick: Price) -> Price {
    let d = (b - a).mul_rate(f, Rounding::HalfEven);
    round_price(a + d, tick)
}

/// Whether `p` lies on the tick grid.
pub fn on_tick(p: Price, tick: Price) -> bool {
    p.raw() % tick.raw() == 0
}

/// A fixed-point value as `f64`, for shaping only.
pub fn f(raw: i64) -> f64 {
    raw as f64 / SCALE as f64
}
