//! What the loop needs from its caller, as traits: somewhere to put the records
//! ([`RecordSink`]) and, optionally, wall-clock timing ([`Timing`]). The engine has no
//! threads and no clock of its own: `cascade-run` hands it its record sink (hash, journal,
//! report data) and its latency histograms; a test hands it a `Vec` and [`Untimed`].

use crate::record::Record;

/// Where the loop puts every record, in sequence order.
pub trait RecordSink {
    /// Takes one record. `false` when the sink can take no more (its consumer went away):
    /// the loop then stops at the next batch boundary with a pipeline error.
    fn push(&mut self, record: Record) -> bool;
}

/// Keeps every record in memory (tests, small runs).
impl RecordSink for Vec<Record> {
    #[inline]
    fn push(&mut self, record: Record) -> bool {
        Vec::push(self, record);
        true
    }
}

/// Timing hooks around the loop's work: the caller decides what a measurement is (the
/// engine never reads a clock). Timings are never results: nothing the loop does depends on
/// them.
pub trait Timing {
    /// A started measurement (or a note that this item is not measured).
    type Watch: Copy;
    /// An item (market event, tick, command arrival, timer) starts.
    fn start_event(&mut self) -> Self::Watch;
    /// A strategy callback starts within the item measured by `event`.
    fn start_callback(&mut self, event: &Self::Watch) -> Self::Watch;
    /// The strategy callback measured by `w` ended.
    fn stop_callback(&mut self, w: Self::Watch);
    /// The item measured by `w` ended.
    fn stop_event(&mut self, w: Self::Watch);
}

/// No timing at all.
#[derive(Clone, Copy, Debug, Default)]
pub struct Untimed;

impl Timing for Untimed {
    type Watch = ();
    #[inline]
    fn start_event(&mut self) {}
    #[inline]
    fn start_callback(&mut self, _event: &()) {}
    #[inline]
    fn stop_callback(&mut self, _w: ()) {}
    #[inline]
    fn stop_event(&mut self, _w: ()) {}
}
