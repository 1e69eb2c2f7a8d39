//! The crowd's pseudo-random numbers: SplitMix64, written out here so its values never change
//! under us with a dependency's version, and an `exp` of our own so that lognormal draws are
//! the same bits on every platform.
//!
//! - **Generator** (Steele, Lea, Flood 2014; the constants of Vigna's `splitmix64.c`):
//!   `state += 0x9E3779B97F4A7C15`, `z = (state ^ (state >> 30)) * 0xBF58476D1CE4E5B9`,
//!   `z = (z ^ (z >> 27)) * 0x94D049BB133111EB`, output `z ^ (z >> 31)` (wrapping).
//! - **Streams.** Each kind of draw (leverage, cushion, size, entry spread, closing order)
//!   has its own stream seeded with `seed ^ fnv1a64(name)`, so changing how one kind draws
//!   never shifts the numbers of another. The seed and the number of draws of each stream
//!   are in the run manifest ([`crate::Manifest`]).
//! - **Uniform** `[0, 1)`: the top 53 bits of an output times 2⁻⁵³.
//! - **Normal**: Irwin–Hall, the sum of 12 uniforms minus 6 (mean 0, variance 1, bounded by
//!   ±6): additions only, so unlike Box–Muller (`ln`, `cos`) bit-identical everywhere.
//! - **`exp`** ([`det_exp`]): range reduction by `ln 2` (split in a high and a low part, as
//!   in fdlibm) and a degree-13 Taylor polynomial, scaled by a power of two built from its
//!   bits. Only `+ − × ÷` and rounding, which IEEE 754 defines exactly, so unlike the
//!   platform's libm it cannot differ between machines. Relative error below 10⁻¹⁵.

/// A SplitMix64 stream that counts its draws.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
    draws: u64,
}

/// FNV-1a, 64 bit: the stream-name hash.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Rng {
    /// The stream called `name` of `seed`.
    pub fn stream(seed: u64, name: &str) -> Rng {
        Rng {
            state: seed ^ fnv1a64(name.as_bytes()),
            draws: 0,
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.draws += 1;
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Approximately standard normal (Irwin–Hall of 12 uniforms).
    pub fn normal(&mut self) -> f64 {
        let mut sum = 0.0;
        for _ in 0..12 {
            sum += self.uniform();
        }
        sum - 6.0
    }

    /// How many 64-bit outputs this stream has produced.
    pub fn draws(&self) -> u64 {
        self.draws
    }
}

/// `ln 2` split so that `k · LN2_HI` is exact for `|k| < 2¹¹` (fdlibm's constants, by their
/// bits: 6.93147180369123816490e-01 and 1.90821492927058770002e-10).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);

/// `eˣ` from IEEE basic operations only (see the module docs), for `|x| ≤ 700`; larger
/// magnitudes saturate to `e^±700`.
pub fn det_exp(x: f64) -> f64 {
    assert!(!x.is_nan(), "exp of NaN");
    let x = x.clamp(-700.0, 700.0);
    let k = (x * std::f64::consts::LOG2_E).round();
    let r = (x - k * LN2_HI) - k * LN2_LO; // |r| ≤ ln2/2 (plus rounding)
                                           // Horner on the Taylor series: 1 + r(1 + r/2(1 + r/3(… (1 + r/13)))).
    let mut p = 1.0;
    let mut n = 13.0;
    while n >= 1.0 {
        p = 1.0 + r * p / n;
        n -= 1.0;
    }
    // 2^k from its bits: k is within the normal exponent range for |x| ≤ 700.
    let bits = ((k as i64 + 1023) as u64) << 52;
    p * f64::from_bits(bits)
}

/// `(det_exp(x), det_exp(y))`, the same bits, with the two evaluations interleaved: each
/// step of the polynomial waits for a division, and two independent chains share the wait.
pub fn det_exp2(x: f64, y: f64) -> (f64, f64) {
    assert!(!x.is_nan() && !y.is_nan(), "exp of NaN");
    let (x, y) = (x.clamp(-700.0, 700.0), y.clamp(-700.0, 700.0));
    let kx = (x * std::f64::consts::LOG2_E).round();
    let ky = (y * std::f64::consts::LOG2_E).round();
    let rx = (x - kx * LN2_HI) - kx * LN2_LO;
    let ry = (y - ky * LN2_HI) - ky * LN2_LO;
    let (mut px, mut py) = (1.0, 1.0);
    let mut n = 13.0;
    while n >= 1.0 {
        px = 1.0 + rx * px / n;
        py = 1.0 + ry * py / n;
        n -= 1.0;
    }
    let bx = ((kx as i64 + 1023) as u64) << 52;
    let by = ((ky as i64 + 1023) as u64) << 52;
    (px * f64::from_bits(bx), py * f64::from_bits(by))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_values() {
        // Vigna's splitmix64.c seeded with 1234567 gives these first outputs.
        let mut r = Rng {
            state: 1_234_567,
            draws: 0,
        };
        assert_eq!(r.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(r.next_u64(), 3_203_168_211_198_807_973);
        assert_eq!(r.next_u64(), 9_817_491_932_198_370_423);
        assert_eq!(r.draws(), 3);
    }

    #[test]
    fn streams_differ_and_repeat() {
        let take = |seed, name| {
            let mut r = Rng::stream(seed, name);
            (0..4).map(|_| r.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(take(7, "leverage"), take(7, "leverage"));
        assert_ne!(take(7, "leverage"), take(7, "cushion"));
        assert_ne!(take(7, "leverage"), take(8, "leverage"));
    }

    #[test]
    fn det_exp2_is_two_det_exps() {
        let mut r = Rng::stream(3, "t");
        for i in -800..=800 {
            let x = i as f64 / 1.1;
            let y = (r.uniform() - 0.5) * 20.0;
            let (a, b) = det_exp2(x, y);
            assert_eq!(a.to_bits(), det_exp(x).to_bits(), "{x}");
            assert_eq!(b.to_bits(), det_exp(y).to_bits(), "{y}");
            let (a, b) = det_exp2(y, x);
            assert_eq!(
                (a.to_bits(), b.to_bits()),
                (det_exp(y).to_bits(), det_exp(x).to_bits())
            );
        }
    }

    #[test]
    fn det_exp_matches_libm_closely_and_exactly_at_zero() {
        assert_eq!(det_exp(0.0), 1.0);
        for i in -400..=400 {
            let x = i as f64 / 37.0;
            let (a, b) = (det_exp(x), x.exp());
            assert!(((a - b) / b).abs() < 1e-15, "{x}: {a} vs {b}");
        }
        // Pinned bits: a platform with a different libm still gets these. e itself is
        // 0x4005_bf0a_8b14_5769; ours is one ulp above, and the same everywhere. e^-2.5 is
        // correctly rounded.
        assert_eq!(det_exp(1.0).to_bits(), 0x4005_bf0a_8b14_576a);
        assert_eq!(det_exp(-2.5).to_bits(), 0x3fb5_0385_c094_f425);
    }
}
