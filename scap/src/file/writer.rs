//! Writing a capture: the section header (format 1.2), the metadata blocks in
//! libscap's order (machine info, interfaces, users, process list, one FD list
//! per thread with open files), then event blocks.
//!
//! Events are written byte for byte as given, in EV V2 blocks (EVF V2 when
//! dump flags are set), using the `_LARGE` variant for large-payload event
//! types. Metadata blocks use the current versions: PL V9 with every field,
//! FDL V2, IL V2, UL V2.

use std::io::{self, Write};

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::event::Event;
use crate::file::block;
use crate::file::error::FileError;
use crate::file::metadata::*;
use crate::file::parse::{HOSTNAME_LEN, MACHINE_INFO_LEN};
use crate::file::reader::DumpFlags;

/// Options of a [`Writer`].
#[derive(Clone, Copy, Debug, Default)]
pub struct WriterOptions {
    /// Compress the output with gzip at this level (0–9); `None` writes a
    /// plain file.
    pub gzip: Option<u32>,
}

enum Output<W: Write> {
    Plain(W),
    Gzip(GzEncoder<W>),
}

impl<W: Write> Write for Output<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Plain(w) => w.write(buf),
            Output::Gzip(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Output::Plain(w) => w.write_all(buf),
            Output::Gzip(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Plain(w) => w.flush(),
            Output::Gzip(w) => w.flush(),
        }
    }
}

/// A `.scap` writer.
///
/// ```
/// use scap::file::{Reader, Writer, MachineInfo};
/// let mut w = Writer::new(Vec::new())?;
/// w.write_machine_info(&MachineInfo { num_cpus: 2, hostname: "box".into(), ..Default::default() })?;
/// let bytes = w.finish()?;
/// let r = Reader::new(&bytes[..])?;
/// assert_eq!(r.metadata().machine.as_ref().map(|m| m.num_cpus), Some(2));
/// # Ok::<(), scap::file::FileError>(())
/// ```
pub struct Writer<W: Write> {
    out: Output<W>,
    offset: u64,
    scratch: Vec<u8>,
    events: u64,
}

impl<W: Write> std::fmt::Debug for Writer<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("offset", &self.offset)
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

const PAD: [u8; 3] = [0; 3];

fn padding(len: usize) -> usize {
    (4 - len % 4) % 4
}

impl<W: Write> Writer<W> {
    /// A plain writer; writes the section header.
    pub fn new(out: W) -> Result<Writer<W>, FileError> {
        Writer::with_options(out, WriterOptions::default())
    }

    /// A gzip-compressing writer (default compression level); writes the
    /// section header.
    pub fn new_gzip(out: W) -> Result<Writer<W>, FileError> {
        Writer::with_options(
            out,
            WriterOptions {
                gzip: Some(Compression::default().level()),
            },
        )
    }

    /// A writer with options; writes the section header.
    pub fn with_options(out: W, options: WriterOptions) -> Result<Writer<W>, FileError> {
        let out = match options.gzip {
            Some(level) => Output::Gzip(GzEncoder::new(out, Compression::new(level.min(9)))),
            None => Output::Plain(out),
        };
        let mut w = Writer {
            out,
            offset: 0,
            scratch: Vec::new(),
            events: 0,
        };
        let mut body = Vec::with_capacity(16);
        body.extend_from_slice(&block::SHB_MAGIC.to_le_bytes());
        body.extend_from_slice(&block::CURRENT_MAJOR.to_le_bytes());
        body.extend_from_slice(&block::CURRENT_MINOR.to_le_bytes());
        body.extend_from_slice(&u64::MAX.to_le_bytes());
        w.write_block(block::SHB, &[&body])?;
        Ok(w)
    }

    /// Events written so far.
    pub fn events_written(&self) -> u64 {
        self.events
    }

    /// Bytes written so far (before compression).
    pub fn bytes_written(&self) -> u64 {
        self.offset
    }

    fn io(&self, source: io::Error) -> FileError {
        FileError::Io {
            offset: self.offset,
            source,
        }
    }

    /// Writes one block made of `parts`, with padding and trailer.
    fn write_block(&mut self, ty: u32, parts: &[&[u8]]) -> Result<(), FileError> {
        let body: usize = parts.iter().map(|p| p.len()).sum();
        let pad = padding(body);
        let total = 8 + body + pad + 4;
        let len = u32::try_from(total).map_err(|_| FileError::TooLong {
            what: "block",
            len: total,
            max: u32::MAX as usize,
        })?;
        let mut hdr = [0u8; 8];
        hdr[..4].copy_from_slice(&ty.to_le_bytes());
        hdr[4..].copy_from_slice(&len.to_le_bytes());
        let r = (|| {
            self.out.write_all(&hdr)?;
            for p in parts {
                self.out.write_all(p)?;
            }
            self.out.write_all(&PAD[..pad])?;
            self.out.write_all(&len.to_le_bytes())
        })();
        r.map_err(|e| self.io(e))?;
        self.offset += u64::from(len);
        Ok(())
    }

    fn metadata_allowed(&self, what: &'static str) -> Result<(), FileError> {
        if self.events > 0 {
            Err(FileError::MetadataAfterEvents { what })
        } else {
            Ok(())
        }
    }

    /// Writes the block built in `scratch`.
    fn flush_scratch(&mut self, ty: u32) -> Result<(), FileError> {
        let body = std::mem::take(&mut self.scratch);
        let r = self.write_block(ty, &[&body]);
        self.scratch = body;
        r
    }

    /// Writes every metadata block of `md` in libscap's order: machine info
    /// (if any), interfaces, users and groups, the process list and the FD
    /// lists.
    pub fn write_metadata(&mut self, md: &Metadata) -> Result<(), FileError> {
        if let Some(m) = &md.machine {
            self.write_machine_info(m)?;
        }
        self.write_interfaces(&md.interfaces)?;
        self.write_users(&md.users, &md.groups)?;
        self.write_threads(&md.threads)
    }

    /// Writes the machine-info block.
    pub fn write_machine_info(&mut self, m: &MachineInfo) -> Result<(), FileError> {
        self.metadata_allowed("machine info")?;
        let host = m.hostname.as_bytes();
        if host.len() >= HOSTNAME_LEN {
            return Err(FileError::TooLong {
                what: "host name",
                len: host.len(),
                max: HOSTNAME_LEN - 1,
            });
        }
        let b = &mut self.scratch;
        b.clear();
        b.extend_from_slice(&m.num_cpus.to_le_bytes());
        b.extend_from_slice(&m.memory_size_bytes.to_le_bytes());
        b.extend_from_slice(&m.max_pid.to_le_bytes());
        b.extend_from_slice(host);
        b.resize(b.len() + HOSTNAME_LEN - host.len(), 0);
        for v in [m.boot_ts_epoch, m.flags, m.reserved3, m.reserved4] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        debug_assert_eq!(b.len(), MACHINE_INFO_LEN);
        self.flush_scratch(block::MI)
    }

    /// Writes an interface-list block (IPv4 entries first, then IPv6, as
    /// libscap orders them). Nothing is written for an empty list.
    pub fn write_interfaces(&mut self, list: &[InterfaceEntry]) -> Result<(), FileError> {
        self.metadata_allowed("interface list")?;
        if list.is_empty() {
            return Ok(());
        }
        self.scratch.clear();
        let v4 = list
            .iter()
            .filter(|i| matches!(i.addrs, InterfaceAddrs::V4 { .. }));
        let v6 = list
            .iter()
            .filter(|i| matches!(i.addrs, InterfaceAddrs::V6 { .. }));
        for i in v4.chain(v6) {
            encode_interface(&mut self.scratch, i)?;
        }
        self.flush_scratch(block::IL_V2)
    }

    /// Writes a user-list block: users, then groups. Nothing is written when
    /// both are empty.
    pub fn write_users(
        &mut self,
        users: &[UserEntry],
        groups: &[GroupEntry],
    ) -> Result<(), FileError> {
        self.metadata_allowed("user list")?;
        if users.is_empty() && groups.is_empty() {
            return Ok(());
        }
        let b = &mut self.scratch;
        b.clear();
        for u in users {
            let at = begin_entry(b);
            b.push(0);
            b.extend_from_slice(&u.uid.to_le_bytes());
            b.extend_from_slice(&u.gid.to_le_bytes());
            put_str16(b, u.name.as_bytes(), "user name")?;
            put_str16(b, u.homedir.as_bytes(), "home directory")?;
            put_str16(b, u.shell.as_bytes(), "shell")?;
            end_entry(b, at, true)?;
        }
        for g in groups {
            let at = begin_entry(b);
            b.push(1);
            b.extend_from_slice(&g.gid.to_le_bytes());
            put_str16(b, g.name.as_bytes(), "group name")?;
            end_entry(b, at, true)?;
        }
        self.flush_scratch(block::UL_V2)
    }

    /// Writes the process list (PL V9, every field) and then one FD list
    /// (FDL V2) for each thread that has open FDs. Nothing is written for an
    /// empty list.
    pub fn write_threads(&mut self, threads: &[ThreadEntry]) -> Result<(), FileError> {
        self.metadata_allowed("process list")?;
        if threads.is_empty() {
            return Ok(());
        }
        self.scratch.clear();
        for t in threads {
            encode_thread(&mut self.scratch, t)?;
        }
        self.flush_scratch(block::PL_V9)?;
        for t in threads.iter().filter(|t| !t.fds.is_empty()) {
            self.write_fds(t.tid, &t.fds)?;
        }
        Ok(())
    }

    /// Writes one FD-list block (FDL V2) for thread `tid`.
    pub fn write_fds(&mut self, tid: u64, fds: &[FdEntry]) -> Result<(), FileError> {
        self.metadata_allowed("fd list")?;
        let b = &mut self.scratch;
        b.clear();
        b.extend_from_slice(&tid.to_le_bytes());
        for f in fds {
            encode_fd(b, f)?;
        }
        self.flush_scratch(block::FDL_V2)
    }

    /// Writes one event, unchanged, in an EV V2 block (EV V2 LARGE for
    /// large-payload event types).
    pub fn write_event(&mut self, cpu: u16, event: &Event<'_>) -> Result<(), FileError> {
        self.write_event_with_flags(cpu, DumpFlags::empty(), event)
    }

    /// Writes one event with dump flags: an EVF V2 block when `flags` is not
    /// empty (the `_LARGE` variant for large-payload types or when
    /// [`DumpFlags::LARGE`] is given), else as [`Writer::write_event`].
    pub fn write_event_with_flags(
        &mut self,
        cpu: u16,
        flags: DumpFlags,
        event: &Event<'_>,
    ) -> Result<(), FileError> {
        let large =
            flags.contains(DumpFlags::LARGE) || event.info().is_some_and(|i| i.is_large_payload());
        let stored = flags - DumpFlags::LARGE;
        let cpu = cpu.to_le_bytes();
        let raw = event.as_bytes();
        if stored.is_empty() {
            let ty = if large {
                block::EV_V2_LARGE
            } else {
                block::EV_V2
            };
            self.write_block(ty, &[&cpu, raw])?;
        } else {
            let ty = if large {
                block::EVF_V2_LARGE
            } else {
                block::EVF_V2
            };
            self.write_block(ty, &[&cpu, &stored.bits().to_le_bytes(), raw])?;
        }
        self.events += 1;
        Ok(())
    }

    /// Parses `raw` as one event and writes it (see [`Writer::write_event`]).
    pub fn write_raw_event(&mut self, cpu: u16, raw: &[u8]) -> Result<(), FileError> {
        let ev = Event::parse(raw).map_err(FileError::InvalidEvent)?;
        self.write_event(cpu, &ev)
    }

    /// Flushes the output without closing it.
    pub fn flush(&mut self) -> Result<(), FileError> {
        self.out.flush().map_err(|e| self.io(e))
    }

    /// Finishes the file (completing the gzip stream) and returns the
    /// underlying writer.
    pub fn finish(self) -> Result<W, FileError> {
        let offset = self.offset;
        let io = |source| FileError::Io { offset, source };
        match self.out {
            Output::Plain(mut w) => {
                w.flush().map_err(io)?;
                Ok(w)
            }
            Output::Gzip(g) => {
                let mut w = g.finish().map_err(io)?;
                w.flush().map_err(io)?;
                Ok(w)
            }
        }
    }
}

fn put_str16(b: &mut Vec<u8>, s: &[u8], what: &'static str) -> Result<(), FileError> {
    let n = u16::try_from(s.len()).map_err(|_| FileError::TooLong {
        what,
        len: s.len(),
        max: u16::MAX as usize,
    })?;
    b.extend_from_slice(&n.to_le_bytes());
    b.extend_from_slice(s);
    Ok(())
}

/// Reserves an entry's u32 length; returns where it is.
fn begin_entry(b: &mut Vec<u8>) -> usize {
    let at = b.len();
    b.extend_from_slice(&[0; 4]);
    at
}

/// Fills in the entry length, including its own 4 bytes or not.
fn end_entry(b: &mut [u8], at: usize, inclusive: bool) -> Result<(), FileError> {
    let len = b.len() - at - if inclusive { 0 } else { 4 };
    let len32 = u32::try_from(len).map_err(|_| FileError::TooLong {
        what: "entry",
        len,
        max: u32::MAX as usize,
    })?;
    if let Some(slot) = b.get_mut(at..at + 4) {
        slot.copy_from_slice(&len32.to_le_bytes());
    }
    Ok(())
}

fn encode_interface(b: &mut Vec<u8>, i: &InterfaceEntry) -> Result<(), FileError> {
    let name = i.name.as_bytes();
    let namelen = u16::try_from(name.len()).map_err(|_| FileError::TooLong {
        what: "interface name",
        len: name.len(),
        max: u16::MAX as usize,
    })?;
    let at = begin_entry(b);
    let ty: u16 = match (i.addrs, i.link_speed.is_some()) {
        (InterfaceAddrs::V4 { .. }, true) => 1,
        (InterfaceAddrs::V6 { .. }, true) => 2,
        (InterfaceAddrs::V4 { .. }, false) => 3,
        (InterfaceAddrs::V6 { .. }, false) => 4,
    };
    b.extend_from_slice(&ty.to_le_bytes());
    b.extend_from_slice(&namelen.to_le_bytes());
    match i.addrs {
        InterfaceAddrs::V4 {
            addr,
            netmask,
            broadcast,
        } => {
            for a in [addr, netmask, broadcast] {
                b.extend_from_slice(&a.octets());
            }
        }
        InterfaceAddrs::V6 {
            addr,
            netmask,
            broadcast,
        } => {
            for a in [addr, netmask, broadcast] {
                b.extend_from_slice(&a.octets());
            }
        }
    }
    if let Some(s) = i.link_speed {
        b.extend_from_slice(&s.to_le_bytes());
    }
    b.extend_from_slice(name);
    end_entry(b, at, false)
}

fn encode_thread(b: &mut Vec<u8>, t: &ThreadEntry) -> Result<(), FileError> {
    let at = begin_entry(b);
    for v in [t.tid, t.pid, t.ptid, t.sid, t.vpgid] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    put_str16(b, &t.comm, "comm")?;
    put_str16(b, &t.exe, "exe")?;
    put_str16(b, &t.exepath, "exepath")?;
    put_str16(b, &t.args, "args")?;
    put_str16(b, &t.cwd, "cwd")?;
    b.extend_from_slice(&t.fdlimit.to_le_bytes());
    for v in [t.flags, t.uid, t.gid, t.vmsize_kb, t.vmrss_kb, t.vmswap_kb] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(&t.pfmajor.to_le_bytes());
    b.extend_from_slice(&t.pfminor.to_le_bytes());
    put_str16(b, &t.env, "env")?;
    b.extend_from_slice(&t.vtid.to_le_bytes());
    b.extend_from_slice(&t.vpid.to_le_bytes());
    put_str16(b, &t.cgroups, "cgroups")?;
    put_str16(b, &t.root, "root")?;
    b.extend_from_slice(&t.pidns_init_start_ts.to_le_bytes());
    b.extend_from_slice(&t.tty.to_le_bytes());
    b.extend_from_slice(&t.loginuid.to_le_bytes());
    b.push(u8::from(t.exe_writable));
    for v in [t.cap_inheritable, t.cap_permitted, t.cap_effective] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.push(u8::from(t.exe_upper_layer));
    for v in [t.exe_ino, t.exe_ino_ctime, t.exe_ino_mtime] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.push(u8::from(t.exe_from_memfd));
    b.push(u8::from(t.exe_lower_layer));
    b.extend_from_slice(&t.pgid.to_le_bytes());
    end_entry(b, at, true)
}

fn encode_fd(b: &mut Vec<u8>, f: &FdEntry) -> Result<(), FileError> {
    let at = begin_entry(b);
    b.extend_from_slice(&f.fd.to_le_bytes());
    b.extend_from_slice(&f.ino.to_le_bytes());
    b.push(f.info.type_code());
    match &f.info {
        FdInfo::File {
            open_flags,
            path,
            dev,
        } => {
            b.extend_from_slice(&open_flags.to_le_bytes());
            put_str16(b, path, "file path")?;
            b.extend_from_slice(&dev.to_le_bytes());
        }
        FdInfo::Ipv4 {
            src,
            dst,
            sport,
            dport,
            l4proto,
        } => {
            b.extend_from_slice(&src.octets());
            b.extend_from_slice(&dst.octets());
            b.extend_from_slice(&sport.to_le_bytes());
            b.extend_from_slice(&dport.to_le_bytes());
            b.push(*l4proto);
        }
        FdInfo::Ipv4Server { ip, port, l4proto } => {
            b.extend_from_slice(&ip.octets());
            b.extend_from_slice(&port.to_le_bytes());
            b.push(*l4proto);
        }
        FdInfo::Ipv6 {
            src,
            dst,
            sport,
            dport,
            l4proto,
        } => {
            b.extend_from_slice(&src.octets());
            b.extend_from_slice(&dst.octets());
            b.extend_from_slice(&sport.to_le_bytes());
            b.extend_from_slice(&dport.to_le_bytes());
            b.push(*l4proto);
        }
        FdInfo::Ipv6Server { ip, port, l4proto } => {
            b.extend_from_slice(&ip.octets());
            b.extend_from_slice(&port.to_le_bytes());
            b.push(*l4proto);
        }
        FdInfo::Unix { source, dest, path } => {
            b.extend_from_slice(&source.to_le_bytes());
            b.extend_from_slice(&dest.to_le_bytes());
            put_str16(b, path, "unix socket path")?;
        }
        FdInfo::Named { name, .. } => put_str16(b, name, "fd name")?,
        FdInfo::Unknown { data, .. } => b.extend_from_slice(data),
    }
    end_entry(b, at, true)
}
