//! [`KeyIndex`]: the liquidation index's ordered set of `(key, account)` pairs, as a sorted
//! list of sorted blocks of at most [`BLOCK_MAX`] entries.
//!
//! It keeps exactly the order and answers of a `BTreeSet<(i64, u32)>` (ranges, first, last,
//! membership), so swapping one for the other changes no result; it exists because with a
//! million crowd positions every insert into the B-tree was a descent through seven levels
//! of cache misses. Here a lookup is a binary search of the blocks' maxima (a few kilobytes,
//! cache-resident), then of one contiguous block; an insert or remove moves at most a block's
//! worth of entries in memory. Blocks split in halves when full and merge with a neighbour
//! when small, so there are between `n / BLOCK_MAX` and `8·n / BLOCK_MAX` of them (plus one).

/// One entry: the liquidation key and the account.
pub(crate) type Entry = (i64, u32);

/// Most entries in a block before it splits.
pub(crate) const BLOCK_MAX: usize = 512;

/// A block this small merges with its next neighbour when they fit together.
const BLOCK_MIN: usize = BLOCK_MAX / 8;

/// Pivots per round of [`lower_bound`].
const WAYS: usize = 16;

/// At most this many entries (a kilobyte) [`lower_bound`] scans instead of dividing further.
const SCAN: usize = 64;

/// The first index of sorted `v` whose entry is `≥ k` (`v.partition_point(|x| x < k)`), by
/// a 16-way search: each round compares `k` with 15 evenly spaced entries, whose loads do not
/// depend on each other, so their cache misses overlap, and the last few dozen entries are
/// counted — a block of 512 costs one round and a scan of at most 32, where a binary search
/// waits for nine misses one after the other.
#[inline]
fn lower_bound(v: &[Entry], k: &Entry) -> usize {
    let mut lo = 0;
    let mut n = v.len();
    while n > SCAN {
        let step = n / WAYS;
        // The pivots `lo + j·step − 1`, `j = 1..WAYS`: entries below `k` are a prefix of them.
        let below = (1..WAYS)
            .map(|j| usize::from(v[lo + j * step - 1] < *k))
            .sum::<usize>();
        // The answer is past pivot `below` (if any) and at most pivot `below + 1` (if any):
        // the `step − 1` entries between them, or the rest after the last pivot.
        let from = lo + below * step;
        n = if below == WAYS - 1 {
            lo + n - from
        } else {
            step - 1
        };
        lo = from;
    }
    // A few cache lines: count the entries below `k` (independent loads, no branches on
    // them) rather than wait for a binary search's misses one after the other.
    lo + v[lo..lo + n].iter().filter(|x| *x < k).count()
}

/// An ordered set of [`Entry`]s.
#[derive(Clone, Debug, Default)]
pub(crate) struct KeyIndex {
    /// Non-empty sorted blocks, in order: every entry of block `b` is below every entry of
    /// block `b + 1`.
    blocks: Vec<Vec<Entry>>,
    /// The largest entry of each block.
    maxes: Vec<Entry>,
    len: usize,
}

impl KeyIndex {
    /// `(block, position)` of the first entry `≥ k`; `(blocks, 0)` when there is none.
    fn locate(&self, k: &Entry) -> (usize, usize) {
        let b = lower_bound(&self.maxes, k);
        if b == self.blocks.len() {
            return (b, 0);
        }
        (b, lower_bound(&self.blocks[b], k))
    }

    /// Adds `k`; true when it was not there.
    pub fn insert(&mut self, k: Entry) -> bool {
        if self.blocks.is_empty() {
            self.blocks.push(vec![k]);
            self.maxes.push(k);
            self.len = 1;
            return true;
        }
        let (mut b, mut p) = self.locate(&k);
        if b == self.blocks.len() {
            // Above everything: the end of the last block.
            b -= 1;
            p = self.blocks[b].len();
        } else if self.blocks[b][p] == k {
            return false;
        }
        let block = &mut self.blocks[b];
        block.insert(p, k);
        if p + 1 == block.len() {
            self.maxes[b] = k;
        }
        if block.len() > BLOCK_MAX {
            let right = block.split_off(block.len() / 2);
            self.maxes[b] = *block.last().expect("half a full block");
            let right_max = *right.last().expect("half a full block");
            self.blocks.insert(b + 1, right);
            self.maxes.insert(b + 1, right_max);
        }
        self.len += 1;
        true
    }

    /// Removes `k`; true when it was there.
    pub fn remove(&mut self, k: &Entry) -> bool {
        let (b, p) = self.locate(k);
        if self.blocks.get(b).and_then(|x| x.get(p)) != Some(k) {
            return false;
        }
        let block = &mut self.blocks[b];
        block.remove(p);
        self.len -= 1;
        if block.is_empty() {
            self.blocks.remove(b);
            self.maxes.remove(b);
            return true;
        }
        if p == block.len() {
            self.maxes[b] = *block.last().expect("non-empty");
        }
        // A small block takes in its next neighbour when both fit in one.
        if block.len() < BLOCK_MIN && b + 1 < self.blocks.len() {
            let n = self.blocks[b].len() + self.blocks[b + 1].len();
            if n <= BLOCK_MAX / 2 {
                let next = self.blocks.remove(b + 1);
                self.maxes.remove(b);
                self.blocks[b].extend(next);
            }
        }
        true
    }

    /// True when `k` is in the set.
    pub fn contains(&self, k: &Entry) -> bool {
        let (b, p) = self.locate(k);
        self.blocks.get(b).and_then(|x| x.get(p)) == Some(k)
    }

    /// The smallest entry.
    pub fn first(&self) -> Option<&Entry> {
        self.blocks.first().and_then(|b| b.first())
    }

    /// The largest entry.
    pub fn last(&self) -> Option<&Entry> {
        self.blocks.last().and_then(|b| b.last())
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Entries `≥ k`, ascending (and, reversed, descending).
    pub fn range_from(&self, k: &Entry) -> impl DoubleEndedIterator<Item = &Entry> + '_ {
        let (b, p) = self.locate(k);
        let head: &[Entry] = self.blocks.get(b).map_or(&[], |x| &x[p..]);
        let rest = self.blocks.get(b + 1..).unwrap_or(&[]);
        head.iter().chain(rest.iter().flatten())
    }

    /// Entries `< k`, ascending.
    pub fn range_below(&self, k: &Entry) -> impl DoubleEndedIterator<Item = &Entry> + '_ {
        let (b, p) = self.locate(k);
        let whole = &self.blocks[..b.min(self.blocks.len())];
        let tail: &[Entry] = self.blocks.get(b).map_or(&[], |x| &x[..p]);
        whole.iter().flatten().chain(tail.iter())
    }

    /// Every entry, ascending.
    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = &Entry> + '_ {
        self.blocks.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The 16-way search answers as `partition_point` does, for every length and probe.
    #[test]
    fn lower_bound_is_partition_point() {
        let mut x: u64 = 5;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x >> 33
        };
        for len in (0..70).chain([255, 256, 257, 511, 512, 513, 4_099]) {
            let mut v: Vec<Entry> = (0..len)
                .map(|_| ((next() % 300) as i64 - 150, (next() % 4) as u32))
                .collect();
            v.sort_unstable();
            v.dedup();
            for key in -152..152 {
                for acc in 0..5 {
                    let k = (key, acc);
                    assert_eq!(lower_bound(&v, &k), v.partition_point(|e| *e < k));
                }
            }
        }
    }

    /// Random inserts and removes (clustered keys, so blocks split and merge) against a
    /// `BTreeSet`: the same answers to everything, every step.
    #[test]
    fn behaves_like_a_btreeset() {
        let mut ix = KeyIndex::default();
        let mut bt: BTreeSet<Entry> = BTreeSet::new();
        let mut x: u64 = 11;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x >> 33
        };
        for step in 0..60_000 {
            // Grow first, then shrink: splits, then merges and empty blocks.
            let grow = step < 30_000 || next() % 3 == 0;
            let k = ((next() % 2_000) as i64 - 1_000, (next() % 40) as u32);
            if grow {
                assert_eq!(ix.insert(k), bt.insert(k));
            } else {
                let probe = bt.iter().nth((next() as usize) % bt.len().max(1)).copied();
                let k = probe.unwrap_or(k);
                assert_eq!(ix.remove(&k), bt.remove(&k));
                assert!(!ix.remove(&k));
            }
            assert_eq!(ix.len(), bt.len());
            if step % 997 == 0 {
                assert!(ix.iter().eq(bt.iter()));
                for m in [-1_001, -3, 0, 999, 1_000] {
                    let q = (m, 7);
                    assert!(ix.range_from(&q).eq(bt.range(q..)));
                    assert!(ix.range_from(&q).rev().eq(bt.range(q..).rev()));
                    assert!(ix.range_below(&q).eq(bt.range(..q)));
                    assert_eq!(ix.contains(&q), bt.contains(&q));
                }
                assert_eq!(ix.first(), bt.first());
                assert_eq!(ix.last(), bt.last());
            }
        }
        assert!(
            ix.blocks.len() <= 8 * ix.len() / BLOCK_MAX + 2,
            "{}",
            ix.blocks.len()
        );
    }
}
