//! The `.scap` capture file: read and write it, and snapshot `/proc` into its
//! metadata.
//!
//! A capture is a pcapng-style sequence of blocks (`u32 type`, `u32 total
//! length`, body, padding to 4, the length again): one section header, the
//! metadata blocks (machine info, interfaces, users and groups, the process
//! list, one FD list per thread), then one block per event, in Falco's event
//! wire format. Byte order is little-endian; files may be gzip-compressed.
//!
//! * [`Reader`] reads every block type and version libscap reads (process
//!   lists V1–V9 with the libs 0.10 field-order quirk, FD lists V1/V2,
//!   interface and user lists V1/V2, event blocks V1 — upgraded in place to
//!   the current header — V2, V2 large, and the flagged EVF variants, plus the
//!   legacy `0x80xxABCD` ids), from any [`std::io::Read`]; events come back
//!   zero-copy, borrowing the reader's buffer.
//! * [`convert`] rewrites old event layouts into the current schema, so a
//!   consumer only ever sees current events.
//! * [`Writer`] writes format 1.2 files with current block versions,
//!   optionally gzip-compressed.
//! * [`snapshot`] builds the [`Metadata`] of the running system from `/proc`
//!   and `/etc`, so a capture is self-contained.
//! * [`FileEngine`] replays a capture through the crate's [`Engine`](crate::Engine)
//!   interface.
//!
//! ```no_run
//! use scap::file::{snapshot, Reader, Writer};
//!
//! // Write a capture holding this machine's state and no events.
//! let md = snapshot::snapshot(&snapshot::SnapshotOptions::default())?;
//! let mut w = Writer::new_gzip(std::fs::File::create("/tmp/state.scap").map_err(|e| {
//!     scap::file::FileError::Open { path: "/tmp/state.scap".into(), source: e }
//! })?)?;
//! w.write_metadata(&md)?;
//! w.finish()?;
//!
//! // Read it back.
//! let mut r = Reader::new(std::fs::File::open("/tmp/state.scap").unwrap())?;
//! println!("{} threads", r.metadata().threads.len());
//! while let Some(e) = r.next_event()? {
//!     println!("{} {}", e.cpu, e.event.name());
//! }
//! # Ok::<(), scap::file::FileError>(())
//! ```

pub mod block;
pub mod convert;
mod cursor;
pub mod engine;
pub mod error;
pub mod metadata;
mod parse;
pub mod reader;
pub mod snapshot;
pub mod writer;

pub use convert::Converter;
pub use engine::FileEngine;
pub use error::FileError;
pub use metadata::{
    FdEntry, FdInfo, GroupEntry, InterfaceAddrs, InterfaceEntry, MachineInfo, Metadata,
    NamedFdKind, ProcessEntry, SectionHeader, ThreadEntry, UserEntry,
};
pub use reader::{DumpFlags, FileEvent, ReadCounters, Reader, ReaderOptions};
pub use writer::{Writer, WriterOptions};
