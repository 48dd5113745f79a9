//! Reading a capture: the section header and the metadata blocks at open,
//! then one event block per [`Reader::next_event`] call, through one reusable
//! buffer.
//!
//! Guarantees on hostile input: no panic, no unbounded loop (every step
//! consumes at least one block header), and no allocation larger than the
//! data actually present (block bodies are read incrementally, and each block
//! type has a size cap). Every error names the block and its offset in the
//! decompressed stream.

use std::io::{self, BufReader, Read};

use flate2::read::MultiGzDecoder;
use scap_schema::{codes, event_info, events, HEADER_LEN};

use crate::event::Event;
use crate::file::block::{self, BlockKind, EventBlock};
use crate::file::convert::{Converter, Outcome};
use crate::file::cursor::Cursor;
use crate::file::error::FileError;
use crate::file::metadata::{Metadata, SectionHeader};
use crate::file::parse::{self, ThreadIndex};

/// Largest metadata block accepted (section header, machine info, process,
/// FD, interface and user lists).
pub const MAX_METADATA_BLOCK: u32 = 256 << 20;
/// Largest total of metadata blocks accepted in one file.
pub const MAX_METADATA_TOTAL: u64 = 1 << 30;
/// Largest non-large event block: a 64 KiB event plus the block header, cpu
/// id, dump flags, padding and trailer.
pub const MAX_EVENT_BLOCK: u32 = 65536 + 8 + 2 + 4 + 3 + 4;
/// Largest large-payload event block.
pub const MAX_LARGE_EVENT_BLOCK: u32 = 256 << 20;
/// Smallest block: header and trailer.
const MIN_BLOCK: u32 = 12;
/// Bodies up to this size are read into a pre-sized buffer; larger ones grow
/// with the data actually read.
const PRESIZE_LIMIT: usize = 1 << 20;

bitflags::bitflags! {
    /// Per-event dump flags of EVF blocks (`SCAP_DF_*`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct DumpFlags: u32 {
        /// The event was filtered out of the output but kept so that a reader
        /// can rebuild state; consumers usually hide it after parsing it.
        const STATE_ONLY = 1;
        /// Deprecated "tracer" flag.
        const TRACER = 2;
        /// Write-time request for the large-payload block variant.
        const LARGE = 4;
    }
}

/// One event read from a file.
#[derive(Clone, Copy, Debug)]
pub struct FileEvent<'a> {
    /// The ring-buffer or CPU index the event was captured on.
    pub cpu: u16,
    /// The block's dump flags (empty for EV blocks).
    pub flags: DumpFlags,
    /// The event, in the current schema unless conversion is disabled.
    pub event: Event<'a>,
    /// Offset of the event's block in the decompressed stream.
    pub offset: u64,
}

/// Options of a [`Reader`].
#[derive(Clone, Copy, Debug)]
pub struct ReaderOptions {
    /// Convert old event layouts to the current schema (see
    /// [`convert`](crate::file::convert)). On by default; when off, events are
    /// delivered exactly as stored (after the V1 header upgrade).
    pub convert: bool,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions { convert: true }
    }
}

/// Counters of what a [`Reader`] has seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadCounters {
    /// Event blocks read.
    pub event_blocks: u64,
    /// Events delivered.
    pub events: u64,
    /// Bytes of delivered events.
    pub event_bytes: u64,
    /// Events rewritten to the current schema.
    pub converted: u64,
    /// Old enter events absorbed into their exits (not delivered).
    pub consumed_enters: u64,
    /// Events skipped because their type is newer than this reader.
    pub unknown_types: u64,
    /// Unknown blocks skipped.
    pub unknown_blocks: u64,
    /// Bytes of the decompressed stream consumed.
    pub stream_bytes: u64,
}

#[derive(Clone, Copy, Debug)]
struct BlockHeader {
    ty: u32,
    len: u32,
    offset: u64,
}

/// The input with the bytes read to sniff the gzip magic put back in front.
type Sniffed<R> = io::Chain<io::Cursor<Vec<u8>>, R>;

enum Input<R: Read> {
    Plain(BufReader<Sniffed<R>>),
    Gzip(Box<BufReader<MultiGzDecoder<Sniffed<R>>>>),
}

impl<R: Read> Read for Input<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Input::Plain(r) => r.read(buf),
            Input::Gzip(r) => r.read(buf),
        }
    }
}

impl<R: Read> io::BufRead for Input<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            Input::Plain(r) => r.fill_buf(),
            Input::Gzip(r) => r.fill_buf(),
        }
    }

    fn consume(&mut self, n: usize) {
        match self {
            Input::Plain(r) => r.consume(n),
            Input::Gzip(r) => r.consume(n),
        }
    }
}

enum Loc {
    Buf { start: usize, end: usize },
    Converted,
}

/// A `.scap` reader over any byte stream, plain or gzip-compressed (detected
/// from the first two bytes).
pub struct Reader<R: Read> {
    input: Input<R>,
    offset: u64,
    header: SectionHeader,
    gzip: bool,
    metadata: Metadata,
    pending: Option<BlockHeader>,
    buf: Vec<u8>,
    converter: Converter,
    options: ReaderOptions,
    done: bool,
    counters: ReadCounters,
    metadata_total: u64,
    thread_index: ThreadIndex,
}

impl<R: Read> std::fmt::Debug for Reader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("header", &self.header)
            .field("gzip", &self.gzip)
            .field("offset", &self.offset)
            .field("counters", &self.counters)
            .finish_non_exhaustive()
    }
}

impl<R: Read> Reader<R> {
    /// Opens a capture: reads the section header and all metadata blocks up to
    /// the first event block.
    pub fn new(input: R) -> Result<Reader<R>, FileError> {
        Reader::with_options(input, ReaderOptions::default())
    }

    /// [`Reader::new`] with options.
    pub fn with_options(mut input: R, options: ReaderOptions) -> Result<Reader<R>, FileError> {
        let mut magic = [0u8; 2];
        let n = read_full(&mut input, &mut magic)
            .map_err(|source| FileError::Io { offset: 0, source })?;
        let prefix = magic.get(..n).unwrap_or(&[]).to_vec();
        let gzip = prefix == [0x1f, 0x8b];
        let chained = io::Cursor::new(prefix).chain(input);
        let input = if gzip {
            Input::Gzip(Box::new(BufReader::with_capacity(
                64 * 1024,
                MultiGzDecoder::new(chained),
            )))
        } else {
            Input::Plain(BufReader::with_capacity(64 * 1024, chained))
        };
        let mut r = Reader {
            input,
            offset: 0,
            header: SectionHeader { major: 0, minor: 0 },
            gzip,
            metadata: Metadata::default(),
            pending: None,
            buf: Vec::new(),
            converter: Converter::new(),
            options,
            done: false,
            counters: ReadCounters::default(),
            metadata_total: 0,
            thread_index: ThreadIndex::default(),
        };
        r.read_section_header()?;
        r.read_metadata()?;
        Ok(r)
    }

    /// The file format version.
    pub fn section_header(&self) -> SectionHeader {
        self.header
    }

    /// Whether the input was gzip-compressed.
    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// The metadata read at open.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// Takes the metadata out of the reader (leaving it empty).
    pub fn take_metadata(&mut self) -> Metadata {
        std::mem::take(&mut self.metadata)
    }

    /// What has been read so far.
    pub fn counters(&self) -> ReadCounters {
        ReadCounters {
            converted: self.converter.converted_count(),
            consumed_enters: self.converter.consumed_count(),
            stream_bytes: self.offset,
            ..self.counters
        }
    }

    /// The next event, or `None` at the end of the file. The event borrows
    /// the reader's buffer until the next call.
    ///
    /// After an error, reading may go on only if the error concerned a single
    /// block that was consumed whole ([`FileError::BadEvent`],
    /// [`FileError::Malformed`], [`FileError::UnexpectedBlock`]); any other
    /// error (truncation, a bad block length or trailer, an I/O error) ends
    /// the stream and later calls return `None`.
    pub fn next_event(&mut self) -> Result<Option<FileEvent<'_>>, FileError> {
        let (loc, cpu, flags, offset) = match self.advance() {
            Ok(Some(x)) => x,
            Ok(None) => {
                self.done = true;
                return Ok(None);
            }
            Err(e) => {
                // These concern one block, consumed whole: the next one can
                // still be read.
                if !matches!(
                    e,
                    FileError::BadEvent { .. }
                        | FileError::UnexpectedBlock { .. }
                        | FileError::Malformed { .. }
                ) {
                    self.done = true;
                }
                return Err(e);
            }
        };
        let bytes = match loc {
            Loc::Buf { start, end } => self.buf.get(start..end).unwrap_or(&[]),
            Loc::Converted => self.converter.converted(),
        };
        let event = Event::parse(bytes).map_err(|source| FileError::BadEvent {
            offset,
            block_type: 0,
            source,
        })?;
        self.counters.events += 1;
        self.counters.event_bytes += u64::from(event.len());
        Ok(Some(FileEvent {
            cpu,
            flags: DumpFlags::from_bits_retain(flags),
            event,
            offset,
        }))
    }

    fn io_err(&self, source: io::Error) -> FileError {
        FileError::Io {
            offset: self.offset,
            source,
        }
    }

    /// Reads up to `buf.len()` bytes; fewer only at the end of the stream.
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize, FileError> {
        let n = read_full(&mut self.input, buf).map_err(|e| self.io_err(e))?;
        self.offset += n as u64;
        Ok(n)
    }

    fn read_block_header(&mut self) -> Result<Option<BlockHeader>, FileError> {
        if let Some(h) = self.pending.take() {
            return Ok(Some(h));
        }
        let offset = self.offset;
        let mut hdr = [0u8; 8];
        // Once per event: taken straight from the read buffer when it holds
        // the whole header (a fixed-size copy), through `fill` otherwise.
        let peeked = match io::BufRead::fill_buf(&mut self.input) {
            Ok(b) => b.first_chunk::<8>().copied(),
            Err(e) => return Err(self.io_err(e)),
        };
        let got = match peeked {
            Some(h) => {
                hdr = h;
                io::BufRead::consume(&mut self.input, 8);
                self.offset += 8;
                8
            }
            None => self.fill(&mut hdr)?,
        };
        match got {
            0 => return Ok(None),
            8 => {}
            _ => {
                return Err(FileError::Truncated {
                    offset,
                    block_type: 0,
                    what: "the stream ends inside a block header",
                })
            }
        }
        let [a, b, c, d, e, f, g, h] = hdr;
        let h = BlockHeader {
            ty: u32::from_le_bytes([a, b, c, d]),
            len: u32::from_le_bytes([e, f, g, h]),
            offset,
        };
        let max = match BlockKind::of(h.ty) {
            BlockKind::Event(EventBlock { large: false, .. }) => MAX_EVENT_BLOCK,
            BlockKind::Event(EventBlock { large: true, .. }) => MAX_LARGE_EVENT_BLOCK,
            BlockKind::Unknown => u32::MAX,
            _ => MAX_METADATA_BLOCK,
        };
        if h.len < MIN_BLOCK || h.len > max {
            return Err(FileError::BadBlockLength {
                offset,
                block_type: h.ty,
                len: h.len,
                min: MIN_BLOCK,
                max,
            });
        }
        Ok(Some(h))
    }

    /// Reads the block's body and trailer into `buf` and checks the trailer.
    /// On success `buf` holds exactly the body (padding included).
    fn read_body(&mut self, h: &BlockHeader) -> Result<(), FileError> {
        let n = (h.len - 8) as usize;
        let truncated = || FileError::Truncated {
            offset: h.offset,
            block_type: h.ty,
            what: "the stream ends inside the block",
        };
        if n <= PRESIZE_LIMIT {
            // Every byte is overwritten by the read: only growth is zeroed.
            self.buf.resize(n, 0);
            let mut buf = std::mem::take(&mut self.buf);
            let got = self.fill(&mut buf);
            self.buf = buf;
            if got? != n {
                return Err(truncated());
            }
        } else {
            self.buf.clear();
            // Grow with the data actually present: a lying length cannot make
            // us allocate what the stream does not hold.
            let got = (&mut self.input)
                .take(n as u64)
                .read_to_end(&mut self.buf)
                .map_err(|e| self.io_err(e))?;
            self.offset += got as u64;
            if got != n {
                return Err(truncated());
            }
        }
        let body_len = n - 4;
        let trailer = match self.buf.get(body_len..n) {
            Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]),
            _ => return Err(truncated()),
        };
        if trailer != h.len {
            return Err(FileError::BadTrailer {
                offset: h.offset,
                block_type: h.ty,
                len: h.len,
                trailer,
            });
        }
        self.buf.truncate(body_len);
        Ok(())
    }

    /// Skips a block without buffering it, checking its trailer.
    fn skip_block(&mut self, h: &BlockHeader) -> Result<(), FileError> {
        let n = u64::from(h.len - 12);
        let copied = io::copy(&mut (&mut self.input).take(n), &mut io::sink())
            .map_err(|e| self.io_err(e))?;
        self.offset += copied;
        let mut t = [0u8; 4];
        if copied != n || self.fill(&mut t)? != 4 {
            return Err(FileError::Truncated {
                offset: h.offset,
                block_type: h.ty,
                what: "the stream ends inside the block",
            });
        }
        let trailer = u32::from_le_bytes(t);
        if trailer != h.len {
            return Err(FileError::BadTrailer {
                offset: h.offset,
                block_type: h.ty,
                len: h.len,
                trailer,
            });
        }
        Ok(())
    }

    fn read_section_header(&mut self) -> Result<(), FileError> {
        let h = match self.read_block_header() {
            Ok(Some(h)) => h,
            Ok(None) => return Err(FileError::Empty),
            Err(FileError::Truncated { .. }) if self.offset < 8 => {
                return Err(FileError::NotScap { found: 0 })
            }
            Err(e) => return Err(e),
        };
        if h.ty != block::SHB {
            return Err(FileError::NotScap { found: h.ty });
        }
        self.parse_section_header(&h)
    }

    fn parse_section_header(&mut self, h: &BlockHeader) -> Result<(), FileError> {
        self.read_body(h)?;
        let mut c = Cursor::new(&self.buf, h.offset + 8, h.ty);
        let at = c.offset();
        let magic = c.u32("magic")?;
        if magic != block::SHB_MAGIC {
            return Err(FileError::BadMagic { offset: at, magic });
        }
        let major = c.u16("major version")?;
        let minor = c.u16("minor version")?;
        c.u64("section length")?;
        // pcapng options follow (e.g. comments added by editcap): skipped.
        if major > block::CURRENT_MAJOR {
            return Err(FileError::UnsupportedVersion { major, minor });
        }
        self.header = SectionHeader { major, minor };
        Ok(())
    }

    fn read_metadata(&mut self) -> Result<(), FileError> {
        while let Some(h) = self.read_block_header()? {
            let kind = BlockKind::of(h.ty);
            match kind {
                BlockKind::Event(_) => {
                    self.pending = Some(h);
                    return Ok(());
                }
                BlockKind::Unknown => {
                    self.counters.unknown_blocks += 1;
                    self.skip_block(&h)?;
                    continue;
                }
                _ => {}
            }
            self.metadata_total += u64::from(h.len);
            if self.metadata_total > MAX_METADATA_TOTAL {
                return Err(FileError::MetadataTooLarge {
                    offset: h.offset,
                    block_type: h.ty,
                    limit: MAX_METADATA_TOTAL,
                });
            }
            if kind == BlockKind::SectionHeader {
                // A second section (concatenated captures) before any event:
                // its metadata is merged into the first one's.
                self.parse_section_header(&h)?;
                continue;
            }
            self.read_body(&h)?;
            let (body, base, bt) = (&self.buf[..], h.offset + 8, h.ty);
            let md = &mut self.metadata;
            match kind {
                BlockKind::MachineInfo => md.machine = Some(parse::machine_info(body, base, bt)?),
                BlockKind::ProcessList(v) => {
                    parse::process_list(body, base, bt, v, &mut md.threads)?;
                    self.thread_index.stale = true;
                }
                BlockKind::FdList(v) => {
                    let (tid, fds) = parse::fd_list(body, base, bt, v)?;
                    parse::attach_fds(&mut md.threads, &mut self.thread_index, tid, fds);
                }
                BlockKind::InterfaceList(v) => {
                    parse::interface_list(body, base, bt, v, &mut md.interfaces)?
                }
                BlockKind::UserList(v) => {
                    parse::user_list(body, base, bt, v, &mut md.users, &mut md.groups)?
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Reads blocks until one yields an event to deliver.
    #[allow(clippy::type_complexity)]
    fn advance(&mut self) -> Result<Option<(Loc, u16, u32, u64)>, FileError> {
        loop {
            if self.done {
                return Ok(None);
            }
            let Some(h) = self.read_block_header()? else {
                return Ok(None);
            };
            let k = match BlockKind::of(h.ty) {
                BlockKind::Event(k) => k,
                BlockKind::Unknown => {
                    self.counters.unknown_blocks += 1;
                    self.skip_block(&h)?;
                    continue;
                }
                _ => {
                    self.skip_block(&h)?;
                    return Err(FileError::UnexpectedBlock {
                        offset: h.offset,
                        block_type: h.ty,
                    });
                }
            };
            self.read_body(&h)?;
            self.counters.event_blocks += 1;
            let mut c = Cursor::new(&self.buf, h.offset + 8, h.ty);
            let cpu = c.u16("cpu id")?;
            let flags = if k.has_flags { c.u32("dump flags")? } else { 0 };
            let start = self.buf.len() - c.remaining();
            if k.version == 1 {
                upgrade_v1(&mut self.buf, start, &h)?;
            }
            let Some(ty) = read_u16(&self.buf, start + 20) else {
                return Err(bad_event(&h, self.buf.len() - start));
            };
            if usize::from(ty) >= events().len() {
                // Newer than this reader: skipped, for forward compatibility.
                self.counters.unknown_types += 1;
                continue;
            }
            let raw = self.buf.get(start..).unwrap_or(&[]);
            let ev = Event::parse(raw).map_err(|source| FileError::BadEvent {
                offset: h.offset,
                block_type: h.ty,
                source,
            })?;
            let end = start + ev.len() as usize;
            if !self.options.convert {
                return Ok(Some((Loc::Buf { start, end }, cpu, flags, h.offset)));
            }
            match self.converter.process(&ev) {
                Outcome::Pass => return Ok(Some((Loc::Buf { start, end }, cpu, flags, h.offset))),
                Outcome::Converted => return Ok(Some((Loc::Converted, cpu, flags, h.offset))),
                Outcome::Consumed => continue,
            }
        }
    }
}

fn bad_event(h: &BlockHeader, have: usize) -> FileError {
    FileError::BadEvent {
        offset: h.offset,
        block_type: h.ty,
        source: crate::event::DecodeError::ShortHeader { have },
    }
}

fn read_u16(b: &[u8], at: usize) -> Option<u16> {
    match b.get(at..at.checked_add(2)?)? {
        &[x, y] => Some(u16::from_le_bytes([x, y])),
        _ => None,
    }
}

fn read_u32(b: &[u8], at: usize) -> Option<u32> {
    match b.get(at..at.checked_add(4)?)? {
        &[a, b2, c, d] => Some(u32::from_le_bytes([a, b2, c, d])),
        _ => None,
    }
}

/// Size of the V1 event header (no `nparams`).
const V1_HEADER_LEN: usize = 22;

/// Upgrades a V1 event at `buf[start..]` in place to the current header (see
/// the module docs of [`crate::file`]): opens the 4-byte `nparams` gap,
/// fixes `len`, and infers `nparams` from the parameter lengths.
fn upgrade_v1(buf: &mut Vec<u8>, start: usize, h: &BlockHeader) -> Result<(), FileError> {
    let malformed = |what| FileError::Malformed {
        offset: h.offset + 8 + start as u64,
        block_type: h.ty,
        what,
    };
    let avail = buf.len().saturating_sub(start);
    if avail < V1_HEADER_LEN {
        return Err(bad_event(h, avail));
    }
    let len = read_u32(buf, start + 16).ok_or_else(|| malformed("V1 event header"))? as usize;
    let ty = read_u16(buf, start + 20).ok_or_else(|| malformed("V1 event header"))?;
    if len < V1_HEADER_LEN || len > avail {
        return Err(malformed("V1 event length outside the block"));
    }
    let Some(info) = event_info(ty) else {
        // Unknown type: the caller skips it; keep the bytes as they are.
        return Ok(());
    };
    let gap = start + V1_HEADER_LEN;
    buf.splice(gap..gap, [0u8; 4]);
    let mut new_len = len + 4;
    if ty == codes::PPME_NOTIFICATION_E || ty == codes::PPME_INFRASTRUCTURE_EVENT_E {
        // Old writers counted 3 bytes too many for these two events.
        new_len = new_len.saturating_sub(3);
    }
    if new_len < HEADER_LEN {
        return Err(malformed("V1 event length too small"));
    }
    let ls = info.param_len_size();
    let mut nparams = None;
    for n in (0..=info.params.len()).rev() {
        let table_end = HEADER_LEN + n * ls;
        if table_end > new_len {
            continue;
        }
        let mut total = table_end;
        for i in 0..n {
            let at = start + HEADER_LEN + i * ls;
            let l = if ls == 4 {
                read_u32(buf, at).map(|v| v as usize)
            } else {
                read_u16(buf, at).map(usize::from)
            };
            total = total.saturating_add(l.unwrap_or(usize::MAX));
        }
        if total == new_len {
            nparams = Some(n as u32);
            break;
        }
    }
    let nparams =
        nparams.ok_or_else(|| malformed("V1 event: no parameter count matches its length"))?;
    let hdr = buf
        .get_mut(start + 16..start + HEADER_LEN)
        .ok_or_else(|| malformed("V1 event header"))?;
    let new_len32 = new_len as u32;
    if let Some(l) = hdr.get_mut(0..4) {
        l.copy_from_slice(&new_len32.to_le_bytes());
    }
    if let Some(n) = hdr.get_mut(6..10) {
        n.copy_from_slice(&nparams.to_le_bytes());
    }
    Ok(())
}

/// Reads until `buf` is full or the stream ends; returns the bytes read.
fn read_full<R: Read + ?Sized>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let Some(rest) = buf.get_mut(n..) else { break };
        match r.read(rest) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
