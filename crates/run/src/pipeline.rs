//! The pipeline thread in front of the engine loop: crossbeam-channel at the edge only.
//!
//! ```text
//!  decoder thread ──batches of Event──▶ engine loop (caller's thread) ──▶ record sink (same thread:
//!        ▲                                   │                            hash, journal, report data)
//!        └────────── empty Vecs back ────────┘
//! ```
//!
//! Two busy threads, one per core of a two-core machine: the records are not handed to a
//! third thread (see [`crate::run_journal`]: the journal holds only what the run adds).
//! The lane has a bounded data channel of `channel_capacity` batches and a return
//! channel of empty buffers. A fixed pool of `channel_capacity + 2` buffers is made up front
//! (one being filled, `channel_capacity` in flight, one being drained), so in steady state
//! nothing is allocated per batch, let alone per event. The producer blocks on the return
//! channel for an empty buffer; that is the back-pressure. No `select!`: each thread only ever
//! waits on one channel at a time.
//!
//! When either side stops (finished or failed), it drops its channel ends; the other side sees
//! the disconnection and stops too, and the caller joins the threads and reports the first
//! real error.

use crate::error::RunError;
use crate::source::EventSource;
use cascade_types::Event;
use crossbeam_channel::{bounded, Receiver, Sender};

/// Batch sizes and channel capacities. They change how work is cut up, never the results:
/// the differential tests run every combination and compare bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PipelineConfig {
    /// Events per input batch, at least 1.
    pub batch_events: usize,
    /// Batches in flight per channel, at least 1.
    pub channel_capacity: usize,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            batch_events: 4096,
            channel_capacity: 8,
        }
    }
}

impl PipelineConfig {
    /// Checks the bounds.
    pub fn validate(&self) -> Result<(), RunError> {
        if self.batch_events == 0 || self.channel_capacity == 0 {
            return Err(RunError::config(format!(
                "batch size and channel capacity must be at least 1, got {} and {}",
                self.batch_events, self.channel_capacity
            )));
        }
        Ok(())
    }
}

/// The two channel pairs of one direction, made with the buffer pool already in the return
/// channel.
pub(crate) struct BatchChannel<T> {
    pub(crate) data_tx: Sender<Vec<T>>,
    pub(crate) data_rx: Receiver<Vec<T>>,
    pub(crate) empty_tx: Sender<Vec<T>>,
    pub(crate) empty_rx: Receiver<Vec<T>>,
}

impl<T> BatchChannel<T> {
    /// Channels for `cfg`, with `channel_capacity + 1` empty buffers waiting (the producer
    /// makes its first one itself).
    pub(crate) fn new(cfg: &PipelineConfig) -> BatchChannel<T> {
        let (data_tx, data_rx) = bounded(cfg.channel_capacity);
        let (empty_tx, empty_rx) = bounded(cfg.channel_capacity + 2);
        for _ in 0..cfg.channel_capacity + 1 {
            empty_tx
                .send(Vec::with_capacity(cfg.batch_events + 8))
                .expect("the pool fits its channel");
        }
        BatchChannel {
            data_tx,
            data_rx,
            empty_tx,
            empty_rx,
        }
    }
}

/// The producer end of a batch channel: fills one buffer, sends it when full, takes an empty one back.
pub(crate) struct BatchSender<T> {
    current: Vec<T>,
    batch: usize,
    tx: Sender<Vec<T>>,
    empty: Receiver<Vec<T>>,
}

impl<T> BatchSender<T> {
    pub(crate) fn new(batch: usize, tx: Sender<Vec<T>>, empty: Receiver<Vec<T>>) -> Self {
        BatchSender {
            current: Vec::with_capacity(batch + 8),
            batch,
            tx,
            empty,
        }
    }

    /// The buffer being filled.
    #[inline]
    pub(crate) fn current(&mut self) -> &mut Vec<T> {
        &mut self.current
    }

    /// True when the current batch is full.
    #[inline]
    pub(crate) fn is_full(&self) -> bool {
        self.current.len() >= self.batch
    }

    /// Sends the current batch (if not empty) and takes an empty buffer. `false` when the
    /// consumer has gone away.
    pub(crate) fn flush(&mut self) -> bool {
        if self.current.is_empty() {
            return true;
        }
        let Ok(next) = self.empty.recv() else {
            return false;
        };
        debug_assert!(next.is_empty());
        let full = std::mem::replace(&mut self.current, next);
        self.tx.send(full).is_ok()
    }
}

/// The consumer end of a batch channel: takes full batches, gives the emptied buffers back.
pub(crate) struct BatchReceiver<T> {
    rx: Receiver<Vec<T>>,
    empty: Sender<Vec<T>>,
}

impl<T> BatchReceiver<T> {
    pub(crate) fn new(rx: Receiver<Vec<T>>, empty: Sender<Vec<T>>) -> Self {
        BatchReceiver { rx, empty }
    }

    /// Calls `f` on every batch until the producer is done (or `f` fails), recycling the
    /// buffers.
    pub(crate) fn for_each<E>(&self, mut f: impl FnMut(&[T]) -> Result<(), E>) -> Result<(), E> {
        while let Ok(mut batch) = self.rx.recv() {
            let r = f(&batch);
            batch.clear();
            // The producer may be gone already (it finished); the buffer is then dropped.
            let _ = self.empty.send(batch);
            r?;
        }
        Ok(())
    }
}

/// The decoder thread's body: reads `source` and sends batches of `batch_events` events.
/// Returns the number of events sent. Stops early, without error, when the engine has gone
/// away.
pub(crate) fn decode(
    mut source: Box<dyn EventSource>,
    mut out: BatchSender<Event>,
) -> Result<u64, RunError> {
    let batch = out.batch;
    let mut sent = 0u64;
    let mut more = true;
    while more {
        let cur = out.current();
        let before = cur.len();
        more = source.fill(cur, batch - before)?;
        sent += (out.current().len() - before) as u64;
        if out.is_full() && !out.flush() {
            return Ok(sent);
        }
    }
    out.flush();
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::VecSource;
    use cascade_types::{EventBody, InstrumentId, Price, Ts};

    #[test]
    fn batches_arrive_in_order_whatever_their_size() {
        let events: Vec<Event> = (0..1000)
            .map(|i| Event {
                ts: Ts(i),
                instrument: InstrumentId(0),
                body: EventBody::MarkPrice(Price::from_raw(i)),
            })
            .collect();
        for (batch, cap) in [(1, 1), (7, 2), (4096, 64)] {
            let cfg = PipelineConfig {
                batch_events: batch,
                channel_capacity: cap,
            };
            let channel = BatchChannel::new(&cfg);
            let got = std::thread::scope(|s| {
                let tx = BatchSender::new(batch, channel.data_tx, channel.empty_rx);
                let source = Box::new(VecSource::new(events.clone()));
                let h = s.spawn(move || decode(source, tx));
                let rx = BatchReceiver::new(channel.data_rx, channel.empty_tx);
                let mut got = Vec::new();
                rx.for_each(|b| {
                    assert!(b.len() <= batch);
                    got.extend_from_slice(b);
                    Ok::<_, ()>(())
                })
                .unwrap();
                assert_eq!(h.join().unwrap().unwrap(), 1000);
                got
            });
            assert_eq!(got, events);
        }
    }
}
