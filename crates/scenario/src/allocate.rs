//! Exact integer apportionment: splitting a whole amount into parts proportional to weights
//! so that the parts sum to the amount exactly (the largest-remainder method).

/// Splits `total` into `weights.len()` parts proportional to `weights`: each part gets the
/// floor of its exact share, then the units left over go one each to the largest remainders,
/// ties to the lower index. The parts always sum to `total`. All weights zero is a
/// programmer error.
pub fn allocate(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    assert!(sum > 0, "allocate needs a positive weight");
    let mut parts = Vec::with_capacity(weights.len());
    let mut rems: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    let mut given: u64 = 0;
    for (i, &w) in weights.iter().enumerate() {
        let exact = u128::from(total) * u128::from(w);
        let part = (exact / sum) as u64;
        parts.push(part);
        rems.push((exact % sum, i));
        given += part;
    }
    // Largest remainder first; equal remainders by index.
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in rems.iter().take((total - given) as usize) {
        parts[i] += 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::allocate;

    #[test]
    fn parts_sum_to_the_total() {
        assert_eq!(allocate(10, &[1, 1, 1]), [4, 3, 3]);
        assert_eq!(allocate(7, &[0, 5, 0]), [0, 7, 0]);
        assert_eq!(allocate(0, &[2, 3]), [0, 0]);
        let big = allocate(16_700_000_000, &[3, 999_999_999_999, 17, 1]);
        assert_eq!(big.iter().sum::<u64>(), 16_700_000_000);
    }
}
