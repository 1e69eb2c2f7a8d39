//! [`AccountSet`]: a set of account ids as a bitset — `O(1)` insert, remove and lookup, and
//! iteration in ascending id order (the order a `BTreeSet<u32>` would give), so replacing one
//! with the other changes no result. With a million crowd accounts a B-tree of holders cost a
//! cache-missing descent on every trade; a bit costs one word.

/// A set of `u32` account ids.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct AccountSet {
    words: Vec<u64>,
    len: usize,
}

impl AccountSet {
    /// Adds `a`; true when it was not there.
    pub fn insert(&mut self, a: u32) -> bool {
        let (w, b) = (a as usize / 64, a % 64);
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        let fresh = self.words[w] & (1 << b) == 0;
        self.words[w] |= 1 << b;
        self.len += fresh as usize;
        fresh
    }

    /// Removes `a`; true when it was there.
    pub fn remove(&mut self, a: &u32) -> bool {
        let (w, b) = (*a as usize / 64, a % 64);
        let Some(word) = self.words.get_mut(w) else {
            return false;
        };
        let had = *word & (1 << b) != 0;
        *word &= !(1 << b);
        self.len -= had as usize;
        had
    }

    /// True when `a` is in the set.
    pub fn contains(&self, a: &u32) -> bool {
        self.words
            .get(*a as usize / 64)
            .is_some_and(|w| w & (1 << (a % 64)) != 0)
    }

    /// How many ids.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The ids, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let b = rest.trailing_zeros();
                rest &= rest - 1;
                Some(w as u32 * 64 + b)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn behaves_like_a_btreeset() {
        let mut s = AccountSet::default();
        let mut b = BTreeSet::new();
        let mut x: u64 = 7;
        for _ in 0..5_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let a = (x >> 40) as u32 % 3_000;
            if x & 1 == 0 {
                assert_eq!(s.insert(a), b.insert(a));
            } else {
                assert_eq!(s.remove(&a), b.remove(&a));
            }
            assert_eq!(s.len(), b.len());
            assert_eq!(s.contains(&a), b.contains(&a));
        }
        assert!(s.iter().eq(b.iter().copied()));
        assert!(!s.remove(&1_000_000));
    }
}
