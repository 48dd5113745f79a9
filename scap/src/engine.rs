//! The interface every event source implements: the live probe, a capture
//! file, or anything else that yields events in Falco's wire format.

use crate::event::Event;
use crate::stats::Stats;
use crate::Result;

/// What [`Engine::next`] produced.
#[derive(Debug)]
pub enum Next<'a> {
    /// An event, borrowed from the engine until the next call.
    Event {
        /// The ring (live: one per CPU) or the CPU recorded in the file.
        cpu: u16,
        /// The event.
        event: Event<'a>,
    },
    /// No event is available right now (the engine waited a little first);
    /// call again.
    Timeout,
    /// The source is exhausted (end of a capture file).
    Eof,
}

/// A source of raw events, in timestamp order.
///
/// Events are zero-copy views: the borrow of `self` that `next` takes keeps
/// the event valid exactly until the next call, when the engine reclaims its
/// space. Decoding errors are per event: after an `Err` the caller may call
/// `next` again to continue with the following event.
pub trait Engine {
    /// The next event, a timeout, or the end of the stream.
    fn next(&mut self) -> Result<Next<'_>>;

    /// Counters so far: events read, and for live engines what the kernel
    /// attempted and dropped, per CPU and in total.
    fn stats(&self) -> Result<Stats>;

    /// A short name for the engine (`live`, `file`, ...).
    fn name(&self) -> &'static str;
}
