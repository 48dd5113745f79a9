//! Benchmarks live in `benches/`; this crate holds only what several of them
//! share: the bundled sample capture loaded into memory, and an engine that
//! replays it at next to no cost, so that a bench times the layer above.
//! Run them with `cargo bench -p scap-benches`.

use scap::file::{FileEngine, Metadata};
use scap::{Engine, Event, Next};

/// The bundled sample capture.
pub const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../samples/sample.scap");

/// Events in one contiguous buffer, as a ring or a file buffer would hold
/// them.
#[derive(Default)]
pub struct Events {
    /// The events' bytes, one after another.
    pub bytes: Vec<u8>,
    /// (cpu, offset in `bytes`) of each event.
    pub index: Vec<(u16, usize)>,
}

impl Events {
    /// Appends `event`, seen on `cpu`.
    pub fn push(&mut self, cpu: u16, event: &Event<'_>) {
        self.index.push((cpu, self.bytes.len()));
        self.bytes.extend_from_slice(event.as_bytes());
    }
}

/// Serves `events` in order: an engine that costs next to nothing.
pub struct VecEngine<'a> {
    /// What it serves.
    pub events: &'a Events,
    /// The next event's position in `events.index`.
    pub at: usize,
}

impl<'a> VecEngine<'a> {
    /// An engine at the first of `events`.
    pub fn new(events: &'a Events) -> VecEngine<'a> {
        VecEngine { events, at: 0 }
    }
}

impl Engine for VecEngine<'_> {
    #[inline]
    fn next(&mut self) -> scap::Result<Next<'_>> {
        match self.events.index.get(self.at) {
            Some(&(cpu, off)) => {
                self.at += 1;
                Ok(Next::Event {
                    cpu,
                    event: Event::parse(&self.events.bytes[off..])?,
                })
            }
            None => Ok(Next::Eof),
        }
    }

    fn stats(&self) -> scap::Result<scap::Stats> {
        Ok(scap::Stats::default())
    }

    fn name(&self) -> &'static str {
        "memory"
    }
}

/// The sample's metadata and events, read once.
pub fn load_sample() -> (Metadata, Events) {
    let mut f = FileEngine::open(SAMPLE).expect("sample");
    let meta = f.metadata().clone();
    let mut evs = Events::default();
    while let Next::Event { cpu, event } = f.next().expect("event") {
        evs.push(cpu, &event);
    }
    (meta, evs)
}
