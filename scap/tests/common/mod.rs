//! Shared by the live integration tests: open the probe or decide whether a
//! failure to do so is a skip (a developer machine without root) or a test
//! failure (CI, which sets SCAP_REQUIRE_LIVE=1: there the probe must load).
#![allow(dead_code)]

use scap::{Config, LiveEngine};

#[allow(unused_imports)]
pub use scap::testing::REQUIRE_LIVE;

/// See [`scap::testing::open_live_or_skip`].
pub fn open_live(config: Config) -> Option<LiveEngine> {
    scap::testing::open_live_or_skip(config)
}

use std::collections::HashSet;
use std::time::{Duration, Instant};

use scap::{Engine, Event, Next};

/// An event copied out of the engine, with its CPU.
#[derive(Clone, Debug)]
pub struct Owned {
    /// The ring it came from.
    pub cpu: u16,
    /// The event's bytes.
    pub bytes: Vec<u8>,
}

impl Owned {
    /// The parsed view.
    pub fn event(&self) -> Event<'_> {
        Event::parse(&self.bytes).expect("events from the engine parse")
    }
}

/// Reads events until `done` (given everything read so far) says the
/// collection is complete or `timeout` passes, then returns the events of the
/// threads in `tids` and of the threads they created, found through the
/// clone-family events (either side: the child's event may come first).
pub fn collect(
    engine: &mut impl Engine,
    tids: &[u64],
    timeout: Duration,
    mut done: impl FnMut(&[Owned]) -> bool,
) -> Vec<Owned> {
    let mut got: Vec<Owned> = Vec::new();
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        match engine.next().expect("engine.next") {
            Next::Event { cpu, event } => {
                got.push(Owned {
                    cpu,
                    bytes: event.as_bytes().to_vec(),
                });
                if done(&got) {
                    break;
                }
            }
            Next::Timeout => {
                if done(&got) {
                    break;
                }
            }
            Next::Eof => break,
        }
    }
    let mut ours: HashSet<u64> = tids.iter().copied().collect();
    let int = |e: &Event<'_>, name: &'static str| {
        e.param_by_name(name)
            .ok()
            .and_then(|p| p.value().ok())
            .and_then(|v| v.as_i64())
    };
    loop {
        let before = ours.len();
        for o in &got {
            let e = o.event();
            if !e
                .info()
                .is_some_and(|i| matches!(i.name, "clone" | "clone3" | "fork" | "vfork"))
            {
                continue;
            }
            match (int(&e, "res"), int(&e, "ptid")) {
                (Some(child), _) if child > 0 && ours.contains(&e.tid()) => {
                    ours.insert(child as u64);
                }
                (Some(0), Some(parent)) if ours.contains(&(parent as u64)) => {
                    ours.insert(e.tid());
                }
                _ => {}
            }
        }
        if ours.len() == before {
            break;
        }
    }
    got.retain(|o| ours.contains(&o.event().tid()));
    got
}
