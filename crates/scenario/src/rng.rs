//! The generator's pseudo-random numbers: SplitMix64, written out here so its values can
//! never change under us with a dependency's version.
//!
//! - **Generator** (Steele, Lea, Flood 2014; the constants of Vigna's reference
//!   `splitmix64.c`): `state += 0x9E3779B97F4A7C15`, then
//!   `z = (state ^ (state >> 30)) * 0xBF58476D1CE4E5B9`,
//!   `z = (z ^ (z >> 27)) * 0x94D049BB133111EB`, output `z ^ (z >> 31)` (wrapping arithmetic).
//! - **Streams.** Each part of a reconstruction (path noise, wicks, volume, depth, …) draws
//!   from its own stream seeded with `seed ^ fnv1a64(name)`, so changing how one part draws
//!   never shifts the numbers of another.
//! - **Uniform** `[0, 1)`: the top 53 bits of an output times 2⁻⁵³.
//! - **Normal**: Irwin–Hall, the sum of 12 uniforms minus 6 (mean 0, variance 1, bounded by
//!   ±6). It uses only additions, so unlike Box–Muller (`ln`, `cos`) it is bit-identical on
//!   every platform and libm.

/// A SplitMix64 stream.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
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
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
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

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Approximately standard normal (Irwin–Hall of 12).
    pub fn normal(&mut self) -> f64 {
        let mut sum = 0.0;
        for _ in 0..12 {
            sum += self.uniform();
        }
        sum - 6.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_values() {
        // Vigna's splitmix64.c seeded with 1234567 gives these first outputs.
        let mut r = Rng { state: 1_234_567 };
        assert_eq!(r.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(r.next_u64(), 3_203_168_211_198_807_973);
        assert_eq!(r.next_u64(), 9_817_491_932_198_370_423);
    }

    #[test]
    fn streams_differ_and_repeat() {
        let a: Vec<u64> = (0..4)
            .map({
                let mut r = Rng::stream(7, "path");
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..4)
            .map({
                let mut r = Rng::stream(7, "path");
                move |_| r.next_u64()
            })
            .collect();
        let c: Vec<u64> = (0..4)
            .map({
                let mut r = Rng::stream(7, "wicks");
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
