//! sinsp: turns raw events into meaning.
//!
//! The path of an event continues here after `scap`:
//!
//! * [`Inspector`] reads events from any [`scap::Engine`] (live or a capture
//!   file), starting from a snapshot of the system;
//! * [`parse`] applies each state-changing event to the [`state`] tables:
//!   threads and processes, their fds, containers, users;
//! * [`fields`] extracts libsinsp's fields (`proc.name`, `fd.name`,
//!   `proc.is_exe_upper_layer`, ...) from an enriched [`SinspEvent`];
//! * [`filter`] compiles Falco conditions over those fields
//!   (`evt.type = execve and proc.pname in (bash, sh)`) into a [`Filter`];
//! * [`format`](mod@format) renders Falco output formats (`%proc.name %fd.name`) with a
//!   [`Formatter`], as text or JSON.
//!
//! ```no_run
//! use sinsp::{fields::BoundField, Inspector, SinspNext};
//!
//! let mut insp = Inspector::open_file("capture.scap")?;
//! let name = BoundField::parse("proc.name").unwrap();
//! let file = BoundField::parse("fd.name").unwrap();
//! loop {
//!     match insp.next()? {
//!         SinspNext::Event(e) => {
//!             if let (Some(n), Some(f)) = (name.extract(&e), file.extract(&e)) {
//!                 println!("{n} {f}");
//!             }
//!         }
//!         SinspNext::Timeout => continue,
//!         SinspNext::Eof => break,
//!     }
//! }
//! # Ok::<(), scap::Error>(())
//! ```

pub mod fields;
pub mod filter;
pub mod format;
pub mod inspector;
pub mod parse;
pub mod state;

pub use filter::{Definitions, Filter, FilterError};
pub use format::{FormatError, Formatter};
pub use inspector::{Inspector, InspectorStats, SinspEvent, SinspNext};
pub use scap;
