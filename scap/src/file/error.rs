//! Errors of the capture-file layer. Every error that comes from the file's
//! content names the block type and the byte offset (in the decompressed
//! stream) where the problem was found.

use std::io;

use crate::event::DecodeError;
use crate::file::block::block_name;

/// Everything that can go wrong reading or writing a `.scap` file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The file could not be opened or created.
    #[error("cannot open {path}: {source}")]
    Open {
        /// The path.
        path: String,
        /// The OS error.
        #[source]
        source: io::Error,
    },

    /// Reading or writing the underlying stream failed (this includes a
    /// corrupt gzip stream).
    #[error("I/O error at offset {offset}: {source}")]
    Io {
        /// Offset in the decompressed stream where the operation started.
        offset: u64,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// The input is empty.
    #[error("empty input: not a scap file")]
    Empty,

    /// The first block is not a section header block.
    #[error("not a scap file: the first block type is {found:#010x}, expected a section header (0x0a0d0d0a)")]
    NotScap {
        /// The block type found.
        found: u32,
    },

    /// The section header's magic number is wrong (or byte-swapped: files from
    /// big-endian hosts are not supported, as in libscap).
    #[error("invalid magic number {magic:#010x} in the section header at offset {offset} (expected 0x1a2b3c4d)")]
    BadMagic {
        /// Offset of the magic field.
        offset: u64,
        /// The value found.
        magic: u32,
    },

    /// The file's major version is newer than this reader.
    #[error(
        "unsupported file format version {major}.{minor} (this reader supports major version 1)"
    )]
    UnsupportedVersion {
        /// Major version.
        major: u16,
        /// Minor version.
        minor: u16,
    },

    /// The stream ends inside a block.
    #[error("truncated {} block at offset {offset}: {what}", block_name(*block_type))]
    Truncated {
        /// Offset of the block's start.
        offset: u64,
        /// The block type (0 when the header itself is cut).
        block_type: u32,
        /// What was being read.
        what: &'static str,
    },

    /// A block's length is impossible (smaller than its header and trailer)
    /// or larger than this reader accepts for that block type.
    #[error("{} block at offset {offset} has invalid length {len} (allowed {min}..={max})", block_name(*block_type))]
    BadBlockLength {
        /// Offset of the block's start.
        offset: u64,
        /// The block type.
        block_type: u32,
        /// The length in the header.
        len: u32,
        /// Smallest accepted length.
        min: u32,
        /// Largest accepted length.
        max: u32,
    },

    /// The metadata blocks add up to more than this reader keeps in memory.
    #[error("metadata exceeds {limit} bytes at the {} block at offset {offset}", block_name(*block_type))]
    MetadataTooLarge {
        /// Offset of the block that crossed the limit.
        offset: u64,
        /// Its type.
        block_type: u32,
        /// The limit in bytes.
        limit: u64,
    },

    /// The trailer of a block does not repeat its header length.
    #[error("{} block at offset {offset}: trailer {trailer} does not match the header length {len}", block_name(*block_type))]
    BadTrailer {
        /// Offset of the block's start.
        offset: u64,
        /// The block type.
        block_type: u32,
        /// The length in the header.
        len: u32,
        /// The length in the trailer.
        trailer: u32,
    },

    /// A field inside a block is missing or inconsistent.
    #[error("malformed {} block: {what} at offset {offset}", block_name(*block_type))]
    Malformed {
        /// Offset of the offending field.
        offset: u64,
        /// The block type.
        block_type: u32,
        /// What is wrong.
        what: &'static str,
    },

    /// An event inside an event block failed validation.
    #[error("bad event in {} block at offset {offset}: {source}", block_name(*block_type))]
    BadEvent {
        /// Offset of the block's start.
        offset: u64,
        /// The block type.
        block_type: u32,
        /// What is wrong with the event.
        #[source]
        source: DecodeError,
    },

    /// A metadata block (or a second section header) appeared among the event
    /// blocks. The block has been consumed: reading may continue after it.
    #[error("unexpected {} block at offset {offset} among the events", block_name(*block_type))]
    UnexpectedBlock {
        /// Offset of the block's start.
        offset: u64,
        /// The block type.
        block_type: u32,
    },

    /// A value cannot be represented in the file format (writer side).
    #[error("cannot write {what}: {len} bytes exceed the format's limit of {max}")]
    TooLong {
        /// Which field or block.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },

    /// Metadata was written after the first event (writer side): readers stop
    /// reading metadata at the first event block.
    #[error("cannot write {what} after the first event")]
    MetadataAfterEvents {
        /// The block being written.
        what: &'static str,
    },

    /// The system state could not be read (`/proc` missing or unreadable).
    #[error("snapshot: {what}: {source}")]
    Snapshot {
        /// What was being read.
        what: &'static str,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// An event passed to the writer is invalid.
    #[error("cannot write an invalid event: {0}")]
    InvalidEvent(#[source] DecodeError),
}
