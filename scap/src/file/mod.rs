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
//! Reading rules worth knowing (they follow libscap's):
//! * the next block is found from the block's total length, never from the
//!   event's own `len` (tools such as `editcap` append options inside event
//!   blocks); every trailer must repeat the header's length;
//! * unknown block types are skipped; events whose type is newer than the
//!   schema are skipped and counted;
//! * V1 event blocks hold a 22-byte header without `nparams`: the payload is
//!   shifted to open the 4-byte gap, `len` grows by 4 (and shrinks by 3 for
//!   `NOTIFICATION_E` and `INFRASTRUCTURE_EVENT_E`, an old writer bug), and
//!   `nparams` is the largest count, starting from the schema's, whose length
//!   table and values fill `len` exactly;
//! * a metadata block after the first event is reported as
//!   [`FileError::UnexpectedBlock`] and skipped (concatenated captures are not
//!   merged);
//! * limits: a metadata block may be up to [`reader::MAX_METADATA_BLOCK`]
//!   bytes and all of them together [`reader::MAX_METADATA_TOTAL`]; a
//!   non-large event block up to [`reader::MAX_EVENT_BLOCK`] (a 64 KiB event
//!   and its framing), a large one up to [`reader::MAX_LARGE_EVENT_BLOCK`].
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
