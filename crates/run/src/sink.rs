//! Where the engine loop's records go, on the engine's own thread: each record is hashed into
//! the rolling hash and, unless it is a market input named by a log, appended to the run
//! journal's block buffer ([`JournalWriter`]); in a replay it is compared with the journal
//! being verified; and the report data are gathered from it ([`Collector`]).
//!
//! There is no output thread: the journal holds only what the run adds (a few percent of its
//! inputs), so encoding and writing it costs the engine's thread less than handing every
//! record to a third thread did on a two-core machine. A block is written when its 64 KiB
//! buffer is full, so the engine's thread makes a `write` call every few thousand outputs.

use crate::error::RunError;
use crate::run_journal::{is_stored, JournalReader, JournalWriter};
use cascade_engine::{Collector, Record, RecordSink};

/// Sees every record of a replay (for dumps of a whole run).
pub type Observer<'o> = &'o mut dyn FnMut(&Record);

/// The record sink of one run (see the module docs).
pub(crate) struct RunSink<'o> {
    journal: JournalWriter,
    /// In a replay: the journal to compare every stored record with.
    verify: Option<JournalReader>,
    collector: Collector,
    observer: Option<Observer<'o>>,
    /// The first failure; the sink takes no more records after it.
    error: Option<RunError>,
}

impl<'o> RunSink<'o> {
    pub(crate) fn new(
        journal: JournalWriter,
        verify: Option<JournalReader>,
        collector: Collector,
        observer: Option<Observer<'o>>,
    ) -> Self {
        RunSink {
            journal,
            verify,
            collector,
            observer,
            error: None,
        }
    }

    /// The first failure, if any.
    pub(crate) fn take_error(&mut self) -> Option<RunError> {
        self.error.take()
    }

    #[inline]
    fn take(&mut self, r: &Record) -> Result<(), RunError> {
        self.journal.append(r)?;
        if let Some(v) = &mut self.verify {
            if is_stored(&r.body, v.trailer().inputs_stored) {
                match v.next_record()? {
                    Some(j) if j == *r => {}
                    Some(j) => {
                        return Err(RunError::ReplayDiverged {
                            seq: r.seq,
                            journal: j.to_string(),
                            rerun: r.to_string(),
                        })
                    }
                    None => {
                        return Err(RunError::ReplayDiverged {
                            seq: r.seq,
                            journal: "(end of journal)".into(),
                            rerun: r.to_string(),
                        })
                    }
                }
            }
        }
        if let Some(o) = &mut self.observer {
            o(r);
        }
        self.collector.add(r);
        Ok(())
    }

    /// After the last record: a replayed journal must end here too (reading its end also
    /// checks its stored count and hash). Returns the journal writer and the report data.
    pub(crate) fn finish(mut self) -> Result<(JournalWriter, Collector), RunError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if let Some(v) = &mut self.verify {
            if let Some(j) = v.next_record()? {
                return Err(RunError::ReplayDiverged {
                    seq: j.seq,
                    journal: j.to_string(),
                    rerun: "(end of the re-run)".into(),
                });
            }
        }
        Ok((self.journal, self.collector))
    }
}

impl RecordSink for &mut RunSink<'_> {
    #[inline]
    fn push(&mut self, record: Record) -> bool {
        if self.error.is_some() {
            return false;
        }
        match self.take(&record) {
            Ok(()) => true,
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }
}
