//! The capture-file engine: a [`Reader`] behind the [`Engine`] interface.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::engine::{Engine, Next};
use crate::error::Result;
use crate::file::error::FileError;
use crate::file::metadata::Metadata;
use crate::file::reader::{DumpFlags, ReadCounters, Reader, ReaderOptions};
use crate::stats::{CpuStats, Stats};

/// Replays a `.scap` file (plain or gzip) as an [`Engine`]: events in file
/// order, then [`Next::Eof`]. The metadata (machine, threads with their FDs,
/// users, groups, interfaces) is read at open, for a state layer to start
/// from.
///
/// ```no_run
/// use scap::{Engine, Next};
/// use scap::file::FileEngine;
///
/// let mut engine = FileEngine::open("capture.scap")?;
/// println!("{} threads", engine.metadata().threads.len());
/// while let Next::Event { cpu, event } = engine.next()? {
///     println!("{cpu} {} {}", event.ts(), event.name());
/// }
/// # Ok::<(), scap::Error>(())
/// ```
pub struct FileEngine<R: Read = File> {
    reader: Reader<R>,
    flags: DumpFlags,
}

impl<R: Read> std::fmt::Debug for FileEngine<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileEngine")
            .field("reader", &self.reader)
            .finish_non_exhaustive()
    }
}

impl FileEngine<File> {
    /// Opens a capture file and reads its metadata.
    pub fn open(path: impl AsRef<Path>) -> Result<FileEngine<File>> {
        FileEngine::open_with(path, ReaderOptions::default())
    }

    /// [`FileEngine::open`] with reader options.
    pub fn open_with(path: impl AsRef<Path>, options: ReaderOptions) -> Result<FileEngine<File>> {
        let path = path.as_ref();
        let f = File::open(path).map_err(|source| FileError::Open {
            path: path.display().to_string(),
            source,
        })?;
        FileEngine::from_reader(f, options)
    }
}

impl<R: Read> FileEngine<R> {
    /// An engine over any byte stream holding a capture.
    pub fn from_reader(input: R, options: ReaderOptions) -> Result<FileEngine<R>> {
        Ok(FileEngine {
            reader: Reader::with_options(input, options)?,
            flags: DumpFlags::empty(),
        })
    }

    /// The capture's metadata.
    pub fn metadata(&self) -> &Metadata {
        self.reader.metadata()
    }

    /// The dump flags of the event last returned by [`Engine::next`] (empty
    /// for EV blocks).
    pub fn last_flags(&self) -> DumpFlags {
        self.flags
    }

    /// Detailed read counters.
    pub fn counters(&self) -> ReadCounters {
        self.reader.counters()
    }

    /// The underlying reader.
    pub fn reader(&self) -> &Reader<R> {
        &self.reader
    }
}

impl<R: Read> Engine for FileEngine<R> {
    fn next(&mut self) -> Result<Next<'_>> {
        match self.reader.next_event()? {
            Some(e) => {
                self.flags = e.flags;
                Ok(Next::Event {
                    cpu: e.cpu,
                    event: e.event,
                })
            }
            None => Ok(Next::Eof),
        }
    }

    fn stats(&self) -> Result<Stats> {
        let c = self.reader.counters();
        let total = CpuStats {
            events: c.events,
            bytes: c.event_bytes,
            attempted: c.events,
            ..CpuStats::default()
        };
        Ok(Stats {
            cpus: Vec::new(),
            total,
            programs: Vec::new(),
        })
    }

    fn name(&self) -> &'static str {
        "file"
    }
}
