//! Computing a mark price when the venue's own mark is not recorded (see [`MarkMethod`] for
//! the formulas and the fallbacks). The running averages live in fixed buffers allocated once
//! per instrument, so observing a price never allocates.

use crate::rules::MarkMethod;
use cascade_types::{Price, Rate, Ts};

/// The longest basis moving average, in one-second samples (Bybit's 5 minutes).
pub(crate) const BASIS_WINDOW_MAX: usize = 300;

const NS_PER_S: i64 = Ts::NANOS_PER_SEC;

/// What the mark computation may use, copied out of the market state.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct MarkInputs {
    pub now: Ts,
    pub index: Option<Price>,
    pub bid: Option<Price>,
    pub ask: Option<Price>,
    pub mid: Option<Price>,
    pub last: Option<Price>,
    /// The funding rate to project (recorded, else the running estimate).
    pub funding_rate: Option<Rate>,
    /// The next settlement time.
    pub next_funding: Option<Ts>,
    /// Funding interval in nanoseconds.
    pub interval_ns: i64,
}

/// Running state of the mark computation of one instrument.
#[derive(Clone, Debug)]
pub(crate) struct MarkCalc {
    ring: Box<[i64]>,
    n: usize,
    head: usize,
    sum: i128,
    last_sample_s: i64,
    ema_basis: Option<i64>,
    ema_basis_ts: Ts,
    ema_book: Option<i64>,
    ema_book_ts: Ts,
}

fn median3(a: i64, b: i64, c: i64) -> i64 {
    a.max(b).min(a.min(b).max(c))
}

/// Median of what is known: three → median, two → mean (rounded half-even), one → itself.
fn median_known(parts: [Option<i64>; 3]) -> Option<i64> {
    let mut v = [0i64; 3];
    let mut n = 0;
    for p in parts.into_iter().flatten() {
        v[n] = p;
        n += 1;
    }
    match n {
        3 => Some(median3(v[0], v[1], v[2])),
        2 => Some(half_even_mean(v[0], v[1])),
        1 => Some(v[0]),
        _ => None,
    }
}

fn half_even_mean(a: i64, b: i64) -> i64 {
    let s = a as i128 + b as i128;
    let f = s.div_euclid(2);
    (if s.rem_euclid(2) == 1 && f % 2 != 0 {
        f + 1
    } else {
        f
    }) as i64
}

fn ema_step(prev: Option<i64>, prev_ts: Ts, x: i64, now: Ts, tau_ns: i64) -> i64 {
    match prev {
        None => x,
        Some(e) => {
            // e + (x − e)·min(dt, τ)/τ: a first-order filter exact in integers.
            let dt = (now.nanos() - prev_ts.nanos()).clamp(0, tau_ns);
            let step = ((x as i128 - e as i128) * dt as i128) / tau_ns as i128; // toward zero
            (e as i128 + step) as i64
        }
    }
}

impl MarkCalc {
    pub fn new(method: MarkMethod) -> MarkCalc {
        let window = match method {
            MarkMethod::MedianOfThree { basis_window_s } => basis_window_s as usize,
            _ => 0,
        };
        MarkCalc {
            ring: vec![0; window.min(BASIS_WINDOW_MAX)].into_boxed_slice(),
            n: 0,
            head: 0,
            sum: 0,
            last_sample_s: i64::MIN,
            ema_basis: None,
            ema_basis_ts: Ts::MIN,
            ema_book: None,
            ema_book_ts: Ts::MIN,
        }
    }

    /// Records the basis samples and EMAs a new price makes available.
    pub fn observe(&mut self, method: MarkMethod, i: &MarkInputs) {
        let (Some(index), Some(mid)) = (i.index, i.mid) else {
            if let MarkMethod::HyperliquidMedian { book_ema_s, .. } = method {
                self.observe_book(i, book_ema_s);
            }
            return;
        };
        let basis = mid.raw() - index.raw();
        match method {
            MarkMethod::MedianOfThree { .. } => {
                // One sample per second at most: a burst of book updates is one sample.
                let sec = i.now.nanos().div_euclid(NS_PER_S);
                if sec > self.last_sample_s && !self.ring.is_empty() {
                    self.last_sample_s = sec;
                    let len = self.ring.len();
                    if self.n == len {
                        self.sum -= self.ring[self.head] as i128;
                    } else {
                        self.n += 1;
                    }
                    self.ring[self.head] = basis;
                    self.sum += basis as i128;
                    self.head = (self.head + 1) % len;
                }
            }
            MarkMethod::HyperliquidMedian {
                oracle_ema_s,
                book_ema_s,
            } => {
                let tau = oracle_ema_s as i64 * NS_PER_S;
                self.ema_basis = Some(ema_step(
                    self.ema_basis,
                    self.ema_basis_ts,
                    basis,
                    i.now,
                    tau,
                ));
                self.ema_basis_ts = i.now;
                self.observe_book(i, book_ema_s);
            }
            MarkMethod::LastTrade | MarkMethod::FairPrice => {}
        }
    }

    fn observe_book(&mut self, i: &MarkInputs, book_ema_s: u32) {
        if let Some(c2) = book_median(i) {
            let tau = book_ema_s as i64 * NS_PER_S;
            self.ema_book = Some(ema_step(self.ema_book, self.ema_book_ts, c2, i.now, tau));
            self.ema_book_ts = i.now;
        }
    }

    /// The mark by `method` from what is known; `None` only when no price at all is known.
    pub fn compute(&self, method: MarkMethod, i: &MarkInputs) -> Option<Price> {
        let fallback = i.last.or(i.mid);
        let raw = match (method, i.index) {
            (MarkMethod::LastTrade, _) | (_, None) => return fallback,
            (MarkMethod::MedianOfThree { .. }, Some(index)) => {
                let p1 = funding_projected(index, i);
                let p2 = (self.n > 0).then(|| {
                    let ma = (self.sum / self.n as i128) as i64; // toward zero: documented MA
                    index.raw() + ma
                });
                median_known([Some(p1), p2, i.last.map(Price::raw)])
            }
            (MarkMethod::FairPrice, Some(index)) => Some(funding_projected(index, i)),
            (MarkMethod::HyperliquidMedian { .. }, Some(index)) => {
                let c1 = self.ema_basis.map(|b| index.raw() + b);
                median_known([c1, book_median(i), self.ema_book]).or(Some(index.raw()))
            }
        };
        raw.filter(|r| *r > 0).map(Price::from_raw).or(fallback)
    }
}

/// `median(best bid, best ask, last)` on the venue's own book, from what is known.
fn book_median(i: &MarkInputs) -> Option<i64> {
    median_known([
        i.bid.map(Price::raw),
        i.ask.map(Price::raw),
        i.last.map(Price::raw),
    ])
}

/// `index × (1 + F × time-to-funding / interval)` (Binance P1, BitMEX fair price), rounded
/// half-even; the index itself when no rate or time is known.
fn funding_projected(index: Price, i: &MarkInputs) -> i64 {
    let (Some(rate), Some(next)) = (i.funding_rate, i.next_funding) else {
        return index.raw();
    };
    if i.interval_ns <= 0 {
        return index.raw();
    }
    let dt = (next.nanos() - i.now.nanos()).clamp(0, i.interval_ns);
    let num = index.raw() as i128 * rate.raw() as i128 * dt as i128;
    let den = 100_000_000i128 * i.interval_ns as i128;
    let q = num.div_euclid(den);
    let r = num.rem_euclid(den);
    let adj = if 2 * r > den || (2 * r == den && q % 2 != 0) {
        q + 1
    } else {
        q
    };
    index.raw() + adj as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: i64) -> Price {
        Price::from_int(v)
    }

    #[test]
    fn binance_median_of_three() {
        let method = MarkMethod::MedianOfThree { basis_window_s: 60 };
        let mut calc = MarkCalc::new(method);
        let t0 = Ts::parse_utc("2024-08-05T07:00:00Z").unwrap();
        let mut inp = MarkInputs {
            now: t0,
            index: Some(p(50_000)),
            mid: Some(p(50_010)),
            last: Some(p(49_000)),
            funding_rate: Some("0.0001".parse().unwrap()),
            next_funding: Some(Ts::parse_utc("2024-08-05T08:00:00Z").unwrap()),
            interval_ns: 8 * 3600 * NS_PER_S,
            ..Default::default()
        };
        calc.observe(method, &inp);
        // P1 = 50,000 × (1 + 0.0001 × 1/8) = 50,000.625; P2 = 50,010; last 49,000 → P1.
        assert_eq!(calc.compute(method, &inp).unwrap().to_string(), "50000.625");
        inp.last = Some(p(51_000));
        assert_eq!(calc.compute(method, &inp).unwrap().to_string(), "50010");
        // Nothing but a trade: the last trade.
        let bare = MarkInputs {
            last: Some(p(42)),
            ..Default::default()
        };
        assert_eq!(calc.compute(method, &bare), Some(p(42)));
        assert_eq!(calc.compute(method, &MarkInputs::default()), None);
    }

    #[test]
    fn basis_average_keeps_one_sample_per_second_over_the_window() {
        let method = MarkMethod::MedianOfThree { basis_window_s: 2 };
        let mut calc = MarkCalc::new(method);
        let t0 = Ts::parse_utc("2024-01-01").unwrap();
        for (s, mid) in [(0, 110), (0, 190), (1, 120), (2, 130)] {
            let inp = MarkInputs {
                now: t0.plus_nanos(s * NS_PER_S),
                index: Some(p(100)),
                mid: Some(p(mid)),
                ..Default::default()
            };
            calc.observe(method, &inp);
        }
        // Window of 2: samples 20 and 30 → MA 25; P1 = index (no funding known); no last.
        let inp = MarkInputs {
            now: t0,
            index: Some(p(100)),
            ..Default::default()
        };
        assert_eq!(
            calc.compute(method, &inp),
            Some(p(100) + Price::from_raw(1_250_000_000))
        );
    }

    #[test]
    fn hyperliquid_median_uses_emas() {
        let method = MarkMethod::HyperliquidMedian {
            oracle_ema_s: 150,
            book_ema_s: 30,
        };
        let mut calc = MarkCalc::new(method);
        let t0 = Ts::parse_utc("2025-10-10T21:00:00Z").unwrap();
        let inp = MarkInputs {
            now: t0,
            index: Some(p(100)),
            bid: Some(p(101)),
            ask: Some(p(103)),
            mid: Some(p(102)),
            last: Some(p(104)),
            ..Default::default()
        };
        calc.observe(method, &inp);
        // c1 = 100 + 2, c2 = median(101, 103, 104) = 103, c3 = EMA(c2) = 103 → 103.
        assert_eq!(calc.compute(method, &inp), Some(p(103)));
        assert_eq!(median3(3, 1, 2), 2);
        assert_eq!(half_even_mean(1, 2), 2);
        assert_eq!(half_even_mean(1, 4), 2);
    }
}
