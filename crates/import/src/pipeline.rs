//! Where a CSV file's chunks are parsed: on the caller's thread, or by worker threads.
//!
//! With workers, a reader thread reads (and decompresses) the file into chunks and hands them
//! out; each worker parses whole chunks with its own [`ChunkParser`]; the caller takes the
//! parsed chunks back **in chunk order**, so what it sees does not depend on the number of
//! threads or their timing. A chunk's bytes go back to the reader only when the caller has
//! taken the chunk (with the buffers of its events, reused too), so at most `2 × workers + 2` chunks are in memory, whatever the file size.
//! Dropping the pipeline stops and joins its threads.

use crate::chunks::{ChunkParser, ChunkReader, Parsed};
use crate::{ImportError, Location};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The source of parsed chunks, in file order.
pub(crate) enum Chunks {
    /// Read and parsed on the caller's thread.
    Inline {
        reader: ChunkReader,
        parser: Box<ChunkParser>,
        spare: Vec<u8>,
    },
    /// Read on a thread, parsed by workers.
    Threads(Pipeline),
}

impl Chunks {
    /// Parses `reader`'s chunks with `parser`, on `threads` workers when more than one and
    /// the format's rows parse independently.
    pub(crate) fn new(reader: ChunkReader, parser: ChunkParser, threads: usize) -> Chunks {
        if threads > 1 {
            let forks: Option<Vec<ChunkParser>> = (1..threads).map(|_| parser.fork()).collect();
            if let Some(mut workers) = forks {
                workers.push(parser);
                return Chunks::Threads(Pipeline::start(reader, workers));
            }
        }
        Chunks::Inline {
            reader,
            parser: Box::new(parser),
            spare: Vec::new(),
        }
    }

    /// The next parsed chunk into `out` (whose bytes are reused); `false` at the end.
    pub(crate) fn next(&mut self, out: &mut Parsed) -> bool {
        match self {
            Chunks::Inline {
                reader,
                parser,
                spare,
            } => {
                std::mem::swap(spare, &mut out.bytes);
                match reader.next(std::mem::take(spare)) {
                    Ok(Some(chunk)) => {
                        parser.parse(chunk, out);
                        true
                    }
                    Ok(None) => false,
                    Err(e) => {
                        *out = Parsed::failed(0, e);
                        true
                    }
                }
            }
            Chunks::Threads(p) => p.next(out),
        }
    }
}

/// The reader thread, the workers and the reordering of their results.
pub(crate) struct Pipeline {
    results: Option<Receiver<Parsed>>,
    free: Option<Sender<Parsed>>,
    waiting: BTreeMap<u64, Parsed>,
    next_seq: u64,
    /// The number of chunks, once the reader has reached the end of the file.
    total: Arc<AtomicU64>,
    path: PathBuf,
    threads: Vec<JoinHandle<()>>,
}

impl Pipeline {
    fn start(mut reader: ChunkReader, workers: Vec<ChunkParser>) -> Pipeline {
        let path = workers[0].path.clone();
        let (free_tx, free_rx) = channel::<Parsed>();
        for _ in 0..2 * workers.len() + 2 {
            let _ = free_tx.send(Parsed::empty());
        }
        type Work = (Result<crate::chunks::Chunk, (u64, ImportError)>, Parsed);
        let (work_tx, work_rx) = channel::<Work>();
        let work_rx = Arc::new(Mutex::new(work_rx));
        let (result_tx, result_rx) = channel::<Parsed>();
        let total = Arc::new(AtomicU64::new(u64::MAX));
        let reader_total = Arc::clone(&total);
        let mut threads = Vec::with_capacity(workers.len() + 1);
        threads.push(std::thread::spawn(move || {
            let mut seq = 0;
            while let Ok(mut parsed) = free_rx.recv() {
                match reader.next(std::mem::take(&mut parsed.bytes)) {
                    Ok(Some(chunk)) => {
                        seq = chunk.seq + 1;
                        if work_tx.send((Ok(chunk), parsed)).is_err() {
                            return;
                        }
                    }
                    Ok(None) => {
                        reader_total.store(seq, Ordering::SeqCst);
                        return;
                    }
                    Err(e) => {
                        let _ = work_tx.send((Err((seq, e)), parsed));
                        return;
                    }
                }
            }
        }));
        for mut parser in workers {
            let work_rx = Arc::clone(&work_rx);
            let result_tx = result_tx.clone();
            threads.push(std::thread::spawn(move || loop {
                // A closed queue (the reader done and every chunk taken) ends the worker.
                let item = match work_rx.lock().map(|rx| rx.recv()) {
                    Ok(Ok(item)) => item,
                    _ => return,
                };
                let parsed = match item {
                    (Ok(chunk), mut out) => {
                        parser.parse(chunk, &mut out);
                        out
                    }
                    (Err((seq, e)), _) => Parsed::failed(seq, e),
                };
                if result_tx.send(parsed).is_err() {
                    return;
                }
            }));
        }
        Pipeline {
            results: Some(result_rx),
            free: Some(free_tx),
            waiting: BTreeMap::new(),
            next_seq: 0,
            total,
            path,
            threads,
        }
    }

    fn next(&mut self, out: &mut Parsed) -> bool {
        if let Some(free) = &self.free {
            if out.bytes.capacity() > 0 {
                let _ = free.send(std::mem::replace(out, Parsed::empty()));
            }
        }
        loop {
            if let Some(parsed) = self.waiting.remove(&self.next_seq) {
                self.next_seq += 1;
                *out = parsed;
                return true;
            }
            let Some(results) = &self.results else {
                return false;
            };
            match results.recv() {
                Ok(parsed) => {
                    self.waiting.insert(parsed.seq, parsed);
                }
                Err(_) => {
                    // Every worker is gone: the end of the file, unless a chunk is missing
                    // (a worker died), which must not pass for the end.
                    self.results = None;
                    if let Some(parsed) = self.waiting.remove(&self.next_seq) {
                        self.next_seq += 1;
                        *out = parsed;
                        return true;
                    }
                    if self.next_seq != self.total.load(Ordering::SeqCst) {
                        *out = Parsed::failed(
                            self.next_seq,
                            ImportError::Read {
                                at: Location {
                                    file: self.path.clone(),
                                    line: 0,
                                },
                                source: std::io::Error::other("an import worker thread failed"),
                            },
                        );
                        self.waiting.clear();
                        return true;
                    }
                    return false;
                }
            }
        }
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        // Closing the free-buffer queue stops the reader; the reader gone, the workers run
        // out of work; the results queue closed, they stop sending.
        self.free = None;
        self.results = None;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
