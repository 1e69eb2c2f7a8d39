//! Where the engine loop's records go, on the engine's own thread: each record is hashed into
//! the rolling hash and, unless it is a market input named by a log, appended to the run
//! journal's block buffer ([`JournalWriter`]); in a replay it is compared with the journal
//! being verified; the report data are gathered from it ([`Collector`]); and, in a run
//! directory, `report.fills.csv` is written row by row ([`FillsCsv`]).
//!
//! There is no output thread: the journal holds only what the run adds (a few percent of its
//! inputs), so encoding and writing it costs the engine's thread less than handing every
//! record to a third thread did on a two-core machine. A block is written when its 64 KiB
//! buffer is full, so the engine's thread makes a `write` call every few thousand outputs.

use crate::error::RunError;
use crate::run_journal::{is_stored, JournalReader, JournalWriter};
use cascade_engine::{Collector, Record, RecordBody, RecordSink};
use cascade_report::{fills_csv_row, TimedOutput, FILLS_CSV_HEADER};
use cascade_types::{AccountId, InstrumentSpec};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// `report.fills.csv` written row by row as the strategy's outputs happen (the same bytes
/// as rendering it from a record holding every output), so a run that trades on every few
/// events keeps none of those rows in memory.
pub(crate) struct FillsCsv {
    path: PathBuf,
    out: BufWriter<File>,
    instruments: Vec<InstrumentSpec>,
    accounts: Vec<AccountId>,
    row: String,
}

impl FillsCsv {
    pub(crate) fn create(
        path: &Path,
        instruments: &[InstrumentSpec],
        accounts: &[AccountId],
    ) -> Result<FillsCsv, RunError> {
        let io = |source| RunError::Io {
            path: path.to_path_buf(),
            doing: "writing the fills CSV",
            source,
        };
        let mut out = BufWriter::with_capacity(1 << 16, File::create(path).map_err(io)?);
        out.write_all(FILLS_CSV_HEADER.as_bytes()).map_err(io)?;
        Ok(FillsCsv {
            path: path.to_path_buf(),
            out,
            instruments: instruments.to_vec(),
            accounts: accounts.to_vec(),
            row: String::new(),
        })
    }

    fn io(&self, source: std::io::Error) -> RunError {
        RunError::Io {
            path: self.path.clone(),
            doing: "writing the fills CSV",
            source,
        }
    }

    fn add(&mut self, o: &TimedOutput) -> Result<(), RunError> {
        self.row.clear();
        fills_csv_row(&mut self.row, &self.instruments, &self.accounts, o);
        if !self.row.is_empty() {
            if let Err(e) = self.out.write_all(self.row.as_bytes()) {
                return Err(self.io(e));
            }
        }
        Ok(())
    }

    /// Flushes and syncs the file.
    fn finish(mut self) -> Result<(), RunError> {
        if let Err(e) = self.out.flush() {
            return Err(self.io(e));
        }
        if let Err(e) = self.out.get_ref().sync_all() {
            return Err(self.io(e));
        }
        Ok(())
    }
}

/// Sees every record of a replay (for dumps of a whole run).
pub type Observer<'o> = &'o mut dyn FnMut(&Record);

/// The record sink of one run (see the module docs).
pub(crate) struct RunSink<'o> {
    journal: JournalWriter,
    /// In a replay: the journal to compare every stored record with.
    verify: Option<JournalReader>,
    collector: Collector,
    observer: Option<Observer<'o>>,
    fills_csv: Option<FillsCsv>,
    /// The first failure; the sink takes no more records after it.
    error: Option<RunError>,
}

impl<'o> RunSink<'o> {
    pub(crate) fn new(
        journal: JournalWriter,
        verify: Option<JournalReader>,
        collector: Collector,
        observer: Option<Observer<'o>>,
        fills_csv: Option<FillsCsv>,
    ) -> Self {
        RunSink {
            journal,
            verify,
            collector,
            observer,
            fills_csv,
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
        if self.collector.add(r) {
            if let (Some(csv), RecordBody::Output(o)) = (&mut self.fills_csv, &r.body) {
                csv.add(&TimedOutput {
                    ts: r.ts,
                    output: *o,
                })?;
            }
        }
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
        if let Some(csv) = self.fills_csv {
            csv.finish()?;
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
