//! The raw event stream: events from the eBPF probe or a capture file,
//! time-ordered across CPUs, zero-copy, decoded on demand, with drop
//! statistics.
//!
//! The main types:
//! * [`LiveEngine`] loads the probe from `driver-bpf`, reads its per-CPU rings
//!   through their mmap'd kernel ABI ([`ring`]) and merges them by timestamp
//!   ([`merge`]);
//! * [`FileEngine`] reads `.scap` capture files (Falco's format) through the
//!   same interface; [`file`](mod@file) also writes them and snapshots `/proc`;
//! * [`Engine`] is the interface every source implements: `next()` yields an
//!   [`Event`] borrowed until the following call;
//! * [`Event`] is a bounds-checked view of one event in Falco's wire format;
//!   [`Param::value`](event::Param::value) decodes a parameter into a typed
//!   [`ParamValue`];
//! * [`Stats`] counts what was read and what the kernel dropped, and why.
//!
//! ```no_run
//! use scap::{Config, Engine, LiveEngine, Next};
//!
//! let mut engine = LiveEngine::open(Config {
//!     syscalls: Some(vec!["openat".into(), "execve".into()]),
//!     ..Config::default()
//! })?;
//! loop {
//!     match engine.next()? {
//!         Next::Event { cpu, event } => println!("{cpu} {} {}", event.tid(), event.name()),
//!         Next::Timeout => continue,
//!         Next::Eof => break,
//!     }
//! }
//! # Ok::<(), scap::Error>(())
//! ```

pub mod config;
pub mod engine;
pub mod error;
pub mod event;
pub mod file;
#[cfg(feature = "live")]
pub mod live;
pub mod merge;
pub mod params;
pub mod ring;
pub mod stats;
#[cfg(feature = "live")]
pub mod support;
#[cfg(feature = "live")]
pub mod testing;

pub use config::Config;
pub use engine::{Engine, Next};
pub use error::{Error, Result};
pub use event::{DecodeError, Event, Param};
pub use file::{FileEngine, FileError};
#[cfg(feature = "live")]
pub use live::LiveEngine;
pub use params::ParamValue;
pub use scap_schema as schema;
pub use stats::{CpuStats, Stats};
#[cfg(feature = "live")]
pub use support::{kernel_support, KernelSupport};
