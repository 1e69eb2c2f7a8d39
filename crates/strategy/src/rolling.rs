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
    /// The head bucket's time range and slot, cached so that adding a value inside it (nearly
    /// every add: buckets are long next to the gaps between events) takes no division.
    hot: HotBucket,
}

/// The time range `[start_ns, end_ns)` of a ring's newest bucket and its slot. Empty
/// (`start_ns > end_ns`) while the ring is. The range may be narrower than the true bucket
/// at the ends of the `i64` time line (saturated), never wider: a time outside it takes the
/// general path, which gives the same result.
#[derive(Clone, Copy, Debug)]
struct HotBucket {
    start_ns: i64,
    end_ns: i64,
    slot: usize,
}

impl HotBucket {
    const EMPTY: HotBucket = HotBucket {
        start_ns: i64::MAX,
        end_ns: i64::MIN,
        slot: 0,
    };

    /// The range of bucket `bucket` of `bucket_ns`, held in `slot`.
    fn new(bucket: i64, bucket_ns: i64, slot: usize) -> HotBucket {
        HotBucket {
            start_ns: bucket.saturating_mul(bucket_ns),
            end_ns: bucket.saturating_add(1).saturating_mul(bucket_ns),
            slot,
        }
    }

    /// True when `ts_ns` is in the bucket.
    #[inline(always)]
    fn holds(&self, ts_ns: i64) -> bool {
        ts_ns >= self.start_ns && ts_ns < self.end_ns
    }
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
            hot: HotBucket::EMPTY,
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
    #[inline]
    pub fn add(&mut self, ts: Ts, values: [i64; K]) {
        if self.hot.holds(ts.nanos()) {
            // The newest bucket: no bucket leaves the window.
            let i = self.hot.slot;
            debug_assert_eq!(Some(ts.nanos().div_euclid(self.bucket_ns)), self.head);
            Self::accumulate(&mut self.slots[i], &mut self.totals, values);
        } else {
            self.add_cold(ts, values);
        }
    }

    /// Adds `a` to counter `i` and `b` to counter `j` at time `ts`: [`Rolling::add`] with
    /// zeros elsewhere (the same sums), for the per-trade path, which touches two of four
    /// counters.
    #[inline]
    pub(crate) fn add_pair(&mut self, ts: Ts, (i, a): (usize, i64), (j, b): (usize, i64)) {
        debug_assert!(i != j && i < K && j < K);
        if self.hot.holds(ts.nanos()) {
            debug_assert_eq!(Some(ts.nanos().div_euclid(self.bucket_ns)), self.head);
            let slot = &mut self.slots[self.hot.slot];
            slot[i] = slot[i].saturating_add(a);
            slot[j] = slot[j].saturating_add(b);
            self.totals[i] = self.totals[i].saturating_add(a);
            self.totals[j] = self.totals[j].saturating_add(b);
        } else {
            let mut values = [0i64; K];
            values[i] = a;
            values[j] = b;
            self.add_cold(ts, values);
        }
    }

    #[inline(always)]
    fn accumulate(slot: &mut [i64; K], totals: &mut [i64; K], values: [i64; K]) {
        for ((s, t), v) in slot.iter_mut().zip(totals.iter_mut()).zip(values) {
            *s = s.saturating_add(v);
            *t = t.saturating_add(v);
        }
    }

    /// [`Rolling::add`] outside the newest bucket: a new bucket (retiring the ones that leave
    /// the window), a late value, or the first.
    #[cold]
    #[inline(never)]
    fn add_cold(&mut self, ts: Ts, values: [i64; K]) {
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
        if Some(b) == self.head {
            self.hot = HotBucket::new(b, self.bucket_ns, i);
        }
        Self::accumulate(&mut self.slots[i], &mut self.totals, values);
    }

    /// The sums over the window ending at `now`. Reading never mutates: when nothing was added
    /// for a while, the buckets that have left the window are subtracted on the fly (at most
    /// one pass over the ring).
    pub fn sum_at(&self, now: Ts) -> [i64; K] {
        let Some(head) = self.head else {
            return [0; K];
        };
        if now.nanos() < self.hot.end_ns {
            // At or before the newest bucket's end: the whole window is current.
            return self.totals;
        }
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
    /// The newest bucket's time range and slot (see [`Rolling`]).
    hot: HotBucket,
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
            hot: HotBucket::EMPTY,
        }
    }

    fn len(&self) -> i64 {
        self.slots.len() as i64
    }

    fn slot(&self, bucket: i64) -> usize {
        bucket.rem_euclid(self.len()) as usize
    }

    /// Records `value` as the latest value at `ts`.
    #[inline]
    pub fn record(&mut self, ts: Ts, value: T) {
        if self.hot.holds(ts.nanos()) {
            debug_assert_eq!(Some(ts.nanos().div_euclid(self.bucket_ns)), self.head);
            self.slots[self.hot.slot] = value;
        } else {
            self.record_cold(ts, value);
        }
    }

    /// [`History::record`] outside the newest bucket.
    #[cold]
    #[inline(never)]
    fn record_cold(&mut self, ts: Ts, value: T) {
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
        self.hot = HotBucket::new(b, self.bucket_ns, i);
        self.slots[i] = value;
    }

    /// The newest value recorded.
    pub fn latest(&self) -> Option<T> {
        self.head.map(|_| self.slots[self.hot.slot])
    }

    /// The value as of the end of the bucket holding `ts`: the last value recorded at or
    /// before that bucket's end. `None` when `ts` is before the first record or older than
    /// the history keeps.
    pub fn at(&self, ts: Ts) -> Option<T> {
        let head = self.head?;
        if ts.nanos() >= self.hot.start_ns {
            return Some(self.slots[self.hot.slot]);
        }
        let b = ts.nanos().div_euclid(self.bucket_ns);
        if b >= head {
            return Some(self.slots[self.hot.slot]);
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

    /// The windows as they were before the newest bucket was cached: the reference the
    /// cached ones must agree with, call for call.
    mod reference {
        use cascade_types::Ts;

        #[derive(Clone, Debug)]
        pub struct Rolling<const K: usize> {
            bucket_ns: i64,
            slots: Box<[[i64; K]]>,
            head: Option<i64>,
            totals: [i64; K],
        }

        impl<const K: usize> Rolling<K> {
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

            #[allow(dead_code)]
            pub fn window_ns(&self) -> i64 {
                self.bucket_ns.saturating_mul(self.slots.len() as i64)
            }

            fn len(&self) -> i64 {
                self.slots.len() as i64
            }

            fn slot(&self, bucket: i64) -> usize {
                bucket.rem_euclid(self.len()) as usize
            }

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

        #[derive(Clone, Debug)]
        pub struct History<T> {
            bucket_ns: i64,
            slots: Box<[T]>,
            first: i64,
            head: Option<i64>,
        }

        impl<T: Copy + Default> History<T> {
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

            pub fn latest(&self) -> Option<T> {
                self.head.map(|h| self.slots[self.slot(h)])
            }

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
    }

    fn s(secs: i64) -> Ts {
        Ts::from_secs(secs).unwrap()
    }

    #[test]
    fn rolling_adds_and_expires() {
        let mut r = Rolling::<2>::new(Ts::NANOS_PER_SEC, 5);
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
        let mut r = Rolling::<1>::new(Ts::NANOS_PER_SEC, 7);
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
        let mut h = History::<i64>::new(Ts::NANOS_PER_MIN, 10);
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

    /// A deterministic xorshift stream for the differential tests.
    fn stream(seed: u64) -> impl FnMut() -> u64 {
        let mut x = seed | 1;
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    /// A time step drawn from a mix of gaps: mostly within a bucket, sometimes across a few
    /// or many buckets, sometimes back in time (late values), sometimes far away.
    fn step(r: u64, bucket_ns: i64) -> i64 {
        match r % 16 {
            0..=9 => (r >> 8) as i64 % (bucket_ns / 50 + 1),
            10..=12 => (r >> 8) as i64 % (bucket_ns * 3),
            13 => -((r >> 8) as i64 % (bucket_ns * 4)),
            14 => (r >> 8) as i64 % (bucket_ns * 40),
            _ => 0,
        }
    }

    #[test]
    fn cached_rolling_agrees_with_the_reference() {
        for (seed, bucket_ns, buckets, t0) in [
            (1, Ts::NANOS_PER_SEC, 300, 1_760_131_200_000_000_000),
            (2, Ts::NANOS_PER_MIN, 60, 1_760_131_200_000_000_000),
            (3, 1_000, 7, -5_000),
            (4, 7, 1, 0),
            (5, Ts::NANOS_PER_SEC, 5, -2_500_000_000),
        ] {
            let mut rnd = stream(seed);
            let mut new = Rolling::<3>::new(bucket_ns, buckets);
            let mut old = reference::Rolling::<3>::new(bucket_ns, buckets);
            let mut t = t0;
            for _ in 0..20_000 {
                let r = rnd();
                t += step(r, bucket_ns);
                let v = [(r >> 3) as i64 % 1000, -((r >> 13) as i64 % 77), 1];
                new.add(Ts(t), v);
                old.add(Ts(t), v);
                for probe in [t, t + bucket_ns / 2, t + bucket_ns * 2, t - bucket_ns] {
                    assert_eq!(
                        new.sum_at(Ts(probe)),
                        old.sum_at(Ts(probe)),
                        "seed {seed} at {probe}"
                    );
                }
            }
        }
    }

    #[test]
    fn cached_rolling_saturates_and_survives_the_ends_of_time() {
        let mut new = Rolling::<1>::new(Ts::NANOS_PER_SEC, 3);
        let mut old = reference::Rolling::<1>::new(Ts::NANOS_PER_SEC, 3);
        for t in [
            i64::MIN,
            i64::MIN + 1,
            -1,
            0,
            i64::MAX - 1,
            i64::MAX,
            i64::MAX,
        ] {
            for v in [i64::MAX, 5, i64::MIN] {
                new.add(Ts(t), [v]);
                old.add(Ts(t), [v]);
                for probe in [i64::MIN, t, i64::MAX] {
                    assert_eq!(
                        new.sum_at(Ts(probe)),
                        old.sum_at(Ts(probe)),
                        "at {t}, {probe}"
                    );
                }
            }
        }
    }

    #[test]
    fn cached_history_agrees_with_the_reference() {
        for (seed, bucket_ns, buckets, t0) in [
            (11, Ts::NANOS_PER_MIN, 24 * 60, 1_760_131_200_000_000_000),
            (12, 1_000, 10, -3_000),
            (13, 3, 1, 0),
        ] {
            let mut rnd = stream(seed);
            let mut new = History::<i64>::new(bucket_ns, buckets);
            let mut old = reference::History::<i64>::new(bucket_ns, buckets);
            let mut t = t0;
            for k in 0..20_000 {
                let r = rnd();
                t += step(r, bucket_ns);
                new.record(Ts(t), k);
                old.record(Ts(t), k);
                assert_eq!(new.latest(), old.latest());
                for probe in [t, t - bucket_ns, t - bucket_ns * 5, t + bucket_ns, t0] {
                    assert_eq!(
                        new.at(Ts(probe)),
                        old.at(Ts(probe)),
                        "seed {seed} at {probe}"
                    );
                }
            }
        }
        let mut new = History::<i64>::new(Ts::NANOS_PER_SEC, 3);
        let mut old = reference::History::<i64>::new(Ts::NANOS_PER_SEC, 3);
        for (k, t) in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX - 1, i64::MAX]
            .into_iter()
            .enumerate()
        {
            new.record(Ts(t), k as i64);
            old.record(Ts(t), k as i64);
            for probe in [i64::MIN, t, i64::MAX] {
                assert_eq!(new.at(Ts(probe)), old.at(Ts(probe)), "at {t}, {probe}");
            }
        }
    }

    #[test]
    fn adding_a_pair_is_adding_it_with_zeros_elsewhere() {
        let mut rnd = stream(21);
        let mut pairs = Rolling::<4>::new(Ts::NANOS_PER_SEC, 300);
        let mut full = Rolling::<4>::new(Ts::NANOS_PER_SEC, 300);
        let mut t = 1_760_131_200_000_000_000;
        for k in 0..50_000 {
            let r = rnd();
            t += step(r, Ts::NANOS_PER_SEC);
            let (a, b) = if k % 5000 == 7 {
                (i64::MAX, i64::MIN) // saturating, both ways
            } else {
                ((r >> 7) as i64 % 10_000, (r >> 23) as i64 % 1_000_000)
            };
            let i = (r >> 3) as usize % 2;
            pairs.add_pair(Ts(t), (i, a), (i + 2, b));
            let mut v = [0; 4];
            v[i] = a;
            v[i + 2] = b;
            full.add(Ts(t), v);
            assert_eq!(pairs.sum_at(Ts(t)), full.sum_at(Ts(t)));
            assert_eq!(
                pairs.sum_at(Ts(t + 150_000_000_000)),
                full.sum_at(Ts(t + 150_000_000_000))
            );
        }
    }
}
