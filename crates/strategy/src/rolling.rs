//! Fixed-size time windows: rolling sums over ring buffers of time buckets, and a per-bucket
//! history of a value. Both allocate once, at construction; updating and reading them never
//! allocates, and every loop is bounded by the ring's length.

use cascade_types::Ts;

/// Rolling sums of `K` integer counters over the last `buckets` time buckets of
/// `bucket_ns` each.
///
/// The window at time `now` covers the bucket holding `now` and the `buckets − 1` before it,
/// so a 300-bucket window of 1 s buckets covers between 299 and 300 seconds. Values added
/// with a timestamp older than the window are dropped. Sums saturate instead of overflowing.
#[derive(Clone, Debug)]
pub struct Rolling<const K: usize> {
    bucket_ns: i64,
    slots: Box<[[i64; K]]>,
    /// Bucket number (`ts / bucket_ns`) of the newest bucket written; `None` while empty.
    head: Option<i64>,
    totals: [i64; K],
}

impl<const K: usize> Rolling<K> {
    /// A window of `buckets` buckets of `bucket_ns` nanoseconds each.
    pub fn new(bucket_ns: i64, buckets: usize) -> Self {
        assert!(bucket_ns > 0, "bucket length must be positive");
        assert!(buckets > 0, "a window needs at least one bucket");
        Rolling {
            bucket_ns,
            slots: vec![[0; K]; buckets].into_boxed_slice(),
            head: None,
            totals: [0; K],
        }
    }

    /// The window length in nanoseconds.
    pub fn window_ns(&self) -> i64 {
        self.bucket_ns.saturating_mul(self.slots.len() as i64)
    }

    fn len(&self) -> i64 {
        self.slots.len() as i64
    }

    fn slot(&self, bucket: i64) -> usize {
        bucket.rem_euclid(self.len()) as usize
    }

    /// Adds `values` at time `ts`.
    pub fn add(&mut self, ts: Ts, values: [i64; K]) {
        let b = ts.nanos().div_euclid(self.bucket_ns);
        let n = self.len();
        match self.head {
            None => self.head = Some(b),
            Some(head) if b > head => {
                // Retire the buckets that leave the window; at most `n` of them.
                if b - head >= n {
                    self.slots.iter_mut().for_each(|s| *s = [0; K]);
                    self.totals = [0; K];
                } else {
                    for k in head + 1..=b {
                        let i = self.slot(k);
                        let old = std::mem::replace(&mut self.slots[i], [0; K]);
                        for (t, o) in self.totals.iter_mut().zip(old) {
                            *t = t.saturating_sub(o);
                        }
                    }
                }
                self.head = Some(b);
            }
            Some(head) if b <= head - n => return, // older than the window
            Some(_) => {}
        }
        let i = self.slot(b);
        for ((s, t), v) in self.slots[i]
            .iter_mut()
            .zip(self.totals.iter_mut())
            .zip(values)
        {
            *s = s.saturating_add(v);
            *t = t.saturating_add(v);
        }
    }

    /// The sums over the window ending at `now`. Reading never mutates: when nothing was added
    /// for a while, the buckets that have left the window are subtracted on the fly (at most
    /// one pass over the ring).
    pub fn sum_at(&self, now: Ts) -> [i64; K] {
        let Some(head) = self.head else {
            return [0; K];
        };
        let nb = now.nanos().div_euclid(self.bucket_ns);
        if nb <= head {
            return self.totals;
        }
        let gap = nb - head;
        let n = self.len();
        if gap >= n {
            return [0; K];
        }
        let mut out = self.totals;
        for k in head - n + 1..=head - n + gap {
            for (o, v) in out.iter_mut().zip(self.slots[self.slot(k)]) {
                *o = o.saturating_sub(v);
            }
        }
        out
    }
}

/// The last value seen in each time bucket (typically a minute) over the last `buckets`
/// buckets, forward-filled across buckets with no update: "what was the value at time t".
#[derive(Clone, Debug)]
pub struct History<T> {
    bucket_ns: i64,
    slots: Box<[T]>,
    /// Bucket numbers of the first and the newest record; `None` while empty.
    first: i64,
    head: Option<i64>,
}

impl<T: Copy + Default> History<T> {
    /// A history of `buckets` buckets of `bucket_ns` nanoseconds each.
    pub fn new(bucket_ns: i64, buckets: usize) -> Self {
        assert!(bucket_ns > 0, "bucket length must be positive");
        assert!(buckets > 0, "a history needs at least one bucket");
        History {
            bucket_ns,
            slots: vec![T::default(); buckets].into_boxed_slice(),
            first: 0,
            head: None,
        }
    }

    fn len(&self) -> i64 {
        self.slots.len() as i64
    }

    fn slot(&self, bucket: i64) -> usize {
        bucket.rem_euclid(self.len()) as usize
    }

    /// Records `value` as the latest value at `ts`.
    pub fn record(&mut self, ts: Ts, value: T) {
        let b = ts.nanos().div_euclid(self.bucket_ns);
        let n = self.len();
        match self.head {
            None => {
                self.first = b;
                self.head = Some(b);
            }
            Some(head) if b > head => {
                // Forward-fill the buckets skipped since the last update (at most `n`).
                let prev = self.slots[self.slot(head)];
                for k in (head + 1).max(b - n + 1)..b {
                    let i = self.slot(k);
                    self.slots[i] = prev;
                }
                self.head = Some(b);
            }
            Some(head) if b <= head - n => return, // older than the history
            Some(head) if b < head => {
                // A late value for a past bucket (the total order makes this rare): later
                // buckets keep what they hold.
                self.first = self.first.min(b);
                let i = self.slot(b);
                self.slots[i] = value;
                return;
            }
            Some(_) => {}
        }
        let i = self.slot(b);
        self.slots[i] = value;
    }

    /// The newest value recorded.
    pub fn latest(&self) -> Option<T> {
        self.head.map(|h| self.slots[self.slot(h)])
    }

    /// The value as of the end of the bucket holding `ts`: the last value recorded at or
    /// before that bucket's end. `None` when `ts` is before the first record or older than
    /// the history keeps.
    pub fn at(&self, ts: Ts) -> Option<T> {
        let head = self.head?;
        let b = ts.nanos().div_euclid(self.bucket_ns);
        if b >= head {
            return Some(self.slots[self.slot(head)]);
        }
        if b <= head - self.len() || b < self.first {
            return None;
        }
        Some(self.slots[self.slot(b)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: i64) -> Ts {
        Ts::from_secs(secs).unwrap()
    }

    #[test]
    fn rolling_adds_and_expires() {
        let mut r = Rolling::<2>::new(1_000_000_000, 5);
        assert_eq!(r.sum_at(s(0)), [0, 0]);
        r.add(s(10), [1, 10]);
        r.add(s(10), [2, 20]);
        r.add(s(12), [4, 40]);
        assert_eq!(r.sum_at(s(12)), [7, 70]);
        // Bucket 10 is in the window up to and including second 14.
        assert_eq!(r.sum_at(s(14)), [7, 70]);
        assert_eq!(r.sum_at(s(15)), [4, 40]);
        assert_eq!(r.sum_at(s(16)), [4, 40]);
        assert_eq!(r.sum_at(s(17)), [0, 0]);
        assert_eq!(r.sum_at(s(1000)), [0, 0]);
        // Adding later retires the expired buckets for good.
        r.add(s(15), [8, 80]);
        assert_eq!(r.sum_at(s(15)), [12, 120]);
        r.add(s(100), [1, 1]);
        assert_eq!(r.sum_at(s(100)), [1, 1]);
        // Too old: dropped.
        r.add(s(95), [50, 50]);
        assert_eq!(r.sum_at(s(100)), [1, 1]);
        // Late but inside the window: counted.
        r.add(s(97), [2, 2]);
        assert_eq!(r.sum_at(s(100)), [3, 3]);
    }

    #[test]
    fn rolling_matches_a_brute_force_sum() {
        let mut r = Rolling::<1>::new(1_000_000_000, 7);
        let mut all: Vec<(i64, i64)> = Vec::new();
        let mut t = 0i64;
        for i in 0..500i64 {
            t += (i * 7919) % 5; // gaps of 0..4 s, deterministic
            let v = (i * 31) % 11 - 3;
            r.add(s(t), [v]);
            all.push((t, v));
            for probe in t..t + 9 {
                let want: i64 = all
                    .iter()
                    .filter(|(ts, _)| *ts > probe - 7)
                    .map(|(_, v)| v)
                    .sum();
                assert_eq!(r.sum_at(s(probe))[0], want, "at {probe}");
            }
        }
    }

    #[test]
    fn history_forward_fills() {
        let mut h = History::<i64>::new(60_000_000_000, 10);
        assert_eq!(h.latest(), None);
        assert_eq!(h.at(s(0)), None);
        h.record(s(60), 1); // minute 1
        assert_eq!(h.at(s(59)), None); // before the first record
        h.record(s(90), 2); // minute 1, later
        h.record(s(300), 5); // minute 5
        assert_eq!(h.latest(), Some(5));
        assert_eq!(h.at(s(60)), Some(2));
        assert_eq!(h.at(s(179)), Some(2)); // minutes 2..4 forward-filled
        assert_eq!(h.at(s(240)), Some(2));
        assert_eq!(h.at(s(301)), Some(5));
        assert_eq!(h.at(s(10_000)), Some(5));
        h.record(s(60 * 100), 7);
        assert_eq!(h.at(s(60 * 91)), Some(5));
        assert_eq!(h.at(s(60 * 90)), None); // out of the history
        assert_eq!(h.at(s(60 * 100)), Some(7));
    }
}
