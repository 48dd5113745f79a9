//! The inspector: raw events in, enriched events out.
//!
//! ```text
//! Engine::next() ──► parse (update the tables) ──► SinspEvent { event, thread, process, fd, .. }
//! ```
//!
//! Starting state comes from `/proc` when live and from the capture's
//! metadata when replaying, in the same form ([`scap::file::Metadata`]), so
//! both paths build the tables the same way and the fields agree.

use scap::event::Event;
use scap::file::{FileEngine, Metadata};
use scap::{Engine, Next};

use crate::parse::{apply_deferred, parse, Deferred};
use crate::state::{FdInfo, Limits, ProcessInfo, State, ThreadInfo};

/// An event with what it refers to.
#[derive(Clone, Copy)]
pub struct SinspEvent<'a> {
    /// Sequence number, from 1.
    pub num: u64,
    /// The ring (CPU) or recorded CPU it came from.
    pub cpu: u16,
    /// The raw event.
    pub raw: Event<'a>,
    /// Its thread, when known.
    pub thread: Option<&'a ThreadInfo>,
    /// Its process, when known.
    pub process: Option<&'a ProcessInfo>,
    /// The fd number the event uses, when it has one.
    pub fd_num: Option<i64>,
    /// That fd, when known.
    pub fd: Option<&'a FdInfo>,
    /// The tables, as updated by this event.
    pub state: &'a State,
    /// Timestamp of the previous event (0 for the first).
    pub prev_ts: u64,
    /// Timestamp of the first event.
    pub first_ts: u64,
}

impl std::fmt::Debug for SinspEvent<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SinspEvent")
            .field("num", &self.num)
            .field("cpu", &self.cpu)
            .field("raw", &self.raw)
            .field("comm", &self.thread.map(|t| t.comm.as_str()))
            .field("fd", &self.fd.map(|f| f.name.as_str()))
            .finish()
    }
}

/// What [`Inspector::next`] produced.
#[derive(Debug)]
pub enum SinspNext<'a> {
    /// An enriched event.
    Event(SinspEvent<'a>),
    /// Nothing right now; call again.
    Timeout,
    /// The source is exhausted.
    Eof,
}

/// Counters of the inspector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InspectorStats {
    /// Events processed.
    pub events: u64,
    /// Events that could not be decoded (skipped).
    pub decode_errors: u64,
}

/// Reads events from an engine and keeps the state they describe.
pub struct Inspector<E: Engine> {
    engine: E,
    state: State,
    deferred: Vec<Deferred>,
    num: u64,
    first_ts: u64,
    prev_ts: u64,
    stats: InspectorStats,
}

/// Where the live event's fd number is: every event that uses or creates an
/// fd has a parameter called `fd` (for open-family and accept events it is
/// the result).
fn fd_param(ev: &Event<'_>) -> Option<i64> {
    // Where each event type keeps its `fd`, found once.
    static FD_INDEX: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let table = FD_INDEX.get_or_init(|| {
        scap::schema::events()
            .iter()
            .map(|e| e.param_index("fd").map_or(u8::MAX, |i| i as u8))
            .collect()
    });
    let i = *table.get(usize::from(ev.event_type()))?;
    if i == u8::MAX {
        return None;
    }
    let b = ev.param_bytes(usize::from(i)).ok()?;
    if b.len() == 8 {
        let v = i64::from_le_bytes(b.try_into().ok()?);
        (v >= 0).then_some(v)
    } else {
        None
    }
}

impl<E: Engine> Inspector<E> {
    /// An inspector over `engine`, starting from `metadata`.
    pub fn with_metadata(engine: E, metadata: &Metadata, limits: Limits) -> Inspector<E> {
        Inspector {
            engine,
            state: State::from_metadata(metadata, limits),
            deferred: Vec::new(),
            num: 0,
            first_ts: 0,
            prev_ts: 0,
            stats: InspectorStats::default(),
        }
    }

    /// The tables.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The engine.
    pub fn engine(&self) -> &E {
        &self.engine
    }

    /// The engine, mutably (e.g. to change its settings).
    pub fn engine_mut(&mut self) -> &mut E {
        &mut self.engine
    }

    /// The inspector's counters.
    pub fn stats(&self) -> InspectorStats {
        self.stats
    }

    /// The next event, after updating the tables with it. Malformed events are
    /// counted and skipped.
    // Not an Iterator: each event borrows the inspector until the next call.
    #[allow(clippy::should_implement_trait)]
    #[inline]
    pub fn next(&mut self) -> scap::Result<SinspNext<'_>> {
        apply_deferred(&mut self.state, &mut self.deferred);
        let (cpu, ev) = {
            match self.engine.next() {
                Ok(Next::Event { cpu, event }) => (cpu, event),
                Ok(Next::Timeout) => return Ok(SinspNext::Timeout),
                Ok(Next::Eof) => return Ok(SinspNext::Eof),
                Err(scap::Error::Decode(_)) => {
                    // The engine has moved past it; the caller calls again.
                    self.stats.decode_errors += 1;
                    return Ok(SinspNext::Timeout);
                }
                Err(e) => return Err(e),
            }
        };
        self.num += 1;
        self.stats.events += 1;
        if self.first_ts == 0 {
            self.first_ts = ev.ts();
        }
        let prev_ts = std::mem::replace(&mut self.prev_ts, ev.ts());
        parse(&mut self.state, &ev, &mut self.deferred);
        let state = &self.state;
        let thread = state.thread(ev.tid() as i64);
        let process = thread.and_then(|t| state.process_of_thread(t));
        let fd_num = fd_param(&ev);
        let fd = match (process, fd_num) {
            (Some(p), Some(n)) => p.fds.get(n),
            _ => None,
        };
        Ok(SinspNext::Event(SinspEvent {
            num: self.num,
            cpu,
            raw: ev,
            thread,
            process,
            fd_num,
            fd,
            state,
            prev_ts,
            first_ts: self.first_ts,
        }))
    }
}

impl Inspector<FileEngine> {
    /// Replays a capture file, starting from its metadata.
    pub fn open_file(path: impl AsRef<std::path::Path>) -> scap::Result<Inspector<FileEngine>> {
        let engine = FileEngine::open(path)?;
        let meta = engine.metadata().clone();
        Ok(Inspector::with_metadata(engine, &meta, Limits::default()))
    }
}

#[cfg(feature = "live")]
impl Inspector<scap::LiveEngine> {
    /// Captures live, starting from a /proc snapshot taken once the probe is
    /// attached (so nothing falls between the snapshot and the first event).
    pub fn live(config: scap::Config) -> scap::Result<Inspector<scap::LiveEngine>> {
        let engine = scap::LiveEngine::open(config)?;
        let meta =
            scap::file::snapshot::snapshot(&scap::file::snapshot::SnapshotOptions::default())
                .map_err(scap::Error::from)?;
        Ok(Inspector::with_metadata(engine, &meta, Limits::default()))
    }
}
