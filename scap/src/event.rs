//! A borrowed, bounds-checked view of one event in Falco's wire format.
//!
//! ```text
//! offset 0   u64 ts        ns since the epoch
//!        8   u64 tid       thread id (host pid namespace)
//!       16   u32 len       total length, header included
//!       20   u16 type      event code; even = enter, odd = exit
//!       22   u32 nparams   number of parameters
//!       26   nparams × u16 parameter lengths (u32 for large-payload events)
//!            ...           parameter values, back to back, unaligned
//! ```
//!
//! [`Event::parse`] checks the header, the length table and that the values fit
//! in `len` once; after that every accessor is a plain slice of the input.
//! Nothing here panics or reads out of bounds on malformed input: errors are
//! values ([`DecodeError`]).

use std::fmt;

use scap_schema::{EventInfo, ParamInfo, HEADER_LEN};

use crate::params::ParamValue;

/// Why an event or a parameter could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The buffer is shorter than the 26-byte header.
    #[error("event truncated: {have} bytes, the header alone needs 26")]
    ShortHeader {
        /// Bytes available.
        have: usize,
    },
    /// The header's `len` is smaller than the header or larger than the buffer.
    #[error("event length {len} is invalid for a buffer of {have} bytes")]
    BadLength {
        /// The header's `len`.
        len: u32,
        /// Bytes available.
        have: usize,
    },
    /// More parameters than the wire format allows.
    #[error("event declares {nparams} parameters (at most {max})")]
    TooManyParams {
        /// The header's `nparams`.
        nparams: u32,
        /// The maximum accepted.
        max: u32,
    },
    /// The parameter lengths add up to more than the event holds.
    #[error("parameter lengths need {need} bytes but the event has {len}")]
    ParamsOverflow {
        /// Bytes the header, length table and values need.
        need: u64,
        /// The header's `len`.
        len: u32,
    },
    /// No parameter with this index.
    #[error("parameter {index} does not exist (the event has {nparams})")]
    NoSuchParam {
        /// Requested index.
        index: usize,
        /// Parameters present.
        nparams: u32,
    },
    /// No parameter with this name in the event's schema entry.
    #[error("the event has no parameter called {0:?}")]
    NoSuchName(&'static str),
    /// A value's length does not match its type.
    #[error("parameter {index} ({ty}): {len} bytes is not a valid length")]
    BadParamLength {
        /// Parameter index.
        index: usize,
        /// Schema type name.
        ty: &'static str,
        /// Length found.
        len: usize,
    },
    /// A value's content is invalid for its type (e.g. an unknown dynamic selector).
    #[error("parameter {index} ({ty}): {what}")]
    BadParamValue {
        /// Parameter index.
        index: usize,
        /// Schema type name.
        ty: &'static str,
        /// What is wrong.
        what: &'static str,
    },
}

/// Maximum number of parameters accepted (Falco's PPM_MAX_EVENT_PARAMS).
pub const MAX_PARAMS: u32 = 32;

#[inline]
fn le_u16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

#[inline]
fn le_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

#[inline]
fn le_u64(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

/// One event, borrowed from a ring buffer, a file buffer or any byte slice.
#[derive(Clone, Copy)]
pub struct Event<'a> {
    /// Exactly `len` bytes.
    raw: &'a [u8],
    info: Option<&'static EventInfo>,
    nparams: u32,
    /// 2, or 4 for large-payload events.
    len_size: u8,
}

impl<'a> Event<'a> {
    /// Validates `buf` as one event. `buf` may be longer than the event: the
    /// view covers the header's `len` bytes.
    #[inline]
    pub fn parse(buf: &'a [u8]) -> Result<Event<'a>, DecodeError> {
        if buf.len() < HEADER_LEN {
            return Err(DecodeError::ShortHeader { have: buf.len() });
        }
        let len = le_u32(buf, 16);
        if (len as usize) < HEADER_LEN || len as usize > buf.len() {
            return Err(DecodeError::BadLength {
                len,
                have: buf.len(),
            });
        }
        let raw = &buf[..len as usize];
        let ty = le_u16(raw, 20);
        let nparams = le_u32(raw, 22);
        if nparams > MAX_PARAMS {
            return Err(DecodeError::TooManyParams {
                nparams,
                max: MAX_PARAMS,
            });
        }
        let info = scap_schema::event_info(ty);
        let len_size = info.map_or(2, |i| i.param_len_size());
        let table_end = HEADER_LEN as u64 + u64::from(nparams) * len_size as u64;
        let mut need = table_end;
        if let Some(lens) = raw.get(HEADER_LEN..table_end as usize) {
            need += if len_size == 4 {
                lens.chunks_exact(4)
                    .map(|c| u64::from(u32::from_le_bytes([c[0], c[1], c[2], c[3]])))
                    .sum::<u64>()
            } else {
                lens.chunks_exact(2)
                    .map(|c| u64::from(u16::from_le_bytes([c[0], c[1]])))
                    .sum::<u64>()
            };
        }
        if need > u64::from(len) {
            return Err(DecodeError::ParamsOverflow { need, len });
        }
        Ok(Event {
            raw,
            info,
            nparams,
            len_size: len_size as u8,
        })
    }

    /// Timestamp, ns since the epoch.
    #[inline]
    pub fn ts(&self) -> u64 {
        le_u64(self.raw, 0)
    }

    /// Thread id in the host pid namespace.
    #[inline]
    pub fn tid(&self) -> u64 {
        le_u64(self.raw, 8)
    }

    /// Total length in bytes, header included.
    #[inline]
    pub fn len(&self) -> u32 {
        self.raw.len() as u32
    }

    /// Always false: an event holds at least its header.
    #[inline]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The event type code (`PPME_*`).
    #[inline]
    pub fn event_type(&self) -> u16 {
        le_u16(self.raw, 20)
    }

    /// Number of parameters present.
    #[inline]
    pub fn nparams(&self) -> u32 {
        self.nparams
    }

    /// The schema entry of this event type, if the code is known.
    #[inline]
    pub fn info(&self) -> Option<&'static EventInfo> {
        self.info
    }

    /// The event's name (`openat`, `execve`, ...), or `unknown`.
    pub fn name(&self) -> &'static str {
        self.info.map_or("unknown", |i| i.name)
    }

    /// Even codes are enter events.
    #[inline]
    pub fn is_enter(&self) -> bool {
        self.event_type() & 1 == 0
    }

    /// The event's bytes, exactly `len()` of them.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.raw
    }

    #[inline]
    fn param_len(&self, i: usize) -> usize {
        let at = HEADER_LEN + i * self.len_size as usize;
        if self.len_size == 4 {
            le_u32(self.raw, at) as usize
        } else {
            le_u16(self.raw, at) as usize
        }
    }

    #[inline]
    fn values_start(&self) -> usize {
        HEADER_LEN + self.nparams as usize * self.len_size as usize
    }

    /// The length table: `nparams` little-endian lengths of `len_size` bytes.
    #[inline]
    fn lens(&self) -> &'a [u8] {
        // Checked in parse(): the table lies inside `raw`.
        self.raw
            .get(HEADER_LEN..self.values_start())
            .unwrap_or_default()
    }

    /// The raw bytes of parameter `index` (an empty slice when the parameter
    /// was not collected).
    #[inline]
    pub fn param_bytes(&self, index: usize) -> Result<&'a [u8], DecodeError> {
        if index >= self.nparams as usize {
            return Err(DecodeError::NoSuchParam {
                index,
                nparams: self.nparams,
            });
        }
        // The first parameter (a result, a syscall id: what a raw consumer
        // reads of every event) directly.
        if index == 0 {
            let off = self.values_start();
            return Ok(self
                .raw
                .get(off..off + self.param_len(0))
                .unwrap_or_default());
        }
        // The lengths before `index` summed from one slice (one bounds check,
        // not one per length), then the value's own length.
        let lens = self.lens();
        let ls = usize::from(self.len_size);
        let Some((before, at)) = lens.split_at_checked(index * ls) else {
            return Ok(&[]);
        };
        let (off, len) = if ls == 4 {
            let before = before
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as usize)
                .sum::<usize>();
            (before, at.get(..4).map_or(0, |c| le_u32(c, 0) as usize))
        } else {
            let before = before
                .chunks_exact(2)
                .map(|c| usize::from(u16::from_le_bytes([c[0], c[1]])))
                .sum::<usize>();
            (before, at.get(..2).map_or(0, |c| usize::from(le_u16(c, 0))))
        };
        let off = self.values_start() + off;
        // Checked in parse(): every value lies inside `raw`.
        Ok(self.raw.get(off..off + len).unwrap_or_default())
    }

    /// Parameter `index` with its schema description.
    pub fn param(&self, index: usize) -> Result<Param<'a>, DecodeError> {
        let bytes = self.param_bytes(index)?;
        Ok(Param {
            index,
            info: self.info.and_then(|i| i.params.get(index)),
            bytes,
        })
    }

    /// The parameter called `name` in the event's schema entry.
    pub fn param_by_name(&self, name: &'static str) -> Result<Param<'a>, DecodeError> {
        let index = self
            .info
            .and_then(|i| i.param_index(name))
            .ok_or(DecodeError::NoSuchName(name))?;
        self.param(index)
    }

    /// All parameters, in wire order.
    pub fn params(&self) -> Params<'a> {
        Params {
            event: *self,
            index: 0,
            off: self.values_start(),
        }
    }

    /// Every parameter's bytes located in one pass, for consumers that read
    /// many parameters of the same event (parsers): each is then O(1).
    #[inline]
    pub fn param_table(&self) -> ParamTable<'a> {
        let mut t = ParamTable {
            raw: self.raw,
            starts: [0; MAX_PARAMS as usize + 1],
            n: self.nparams as usize,
        };
        let mut off = self.values_start() as u32;
        t.starts[0] = off;
        let lens = self.lens();
        if self.len_size == 4 {
            for (c, s) in lens.chunks_exact(4).zip(&mut t.starts[1..]) {
                off += u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                *s = off;
            }
        } else {
            for (c, s) in lens.chunks_exact(2).zip(&mut t.starts[1..]) {
                off += u32::from(u16::from_le_bytes([c[0], c[1]]));
                *s = off;
            }
        }
        t
    }
}

/// The locations of an event's parameters (see [`Event::param_table`]).
#[derive(Clone, Copy, Debug)]
pub struct ParamTable<'a> {
    raw: &'a [u8],
    /// Where each parameter starts; `starts[n]` is where the last one ends.
    starts: [u32; MAX_PARAMS as usize + 1],
    n: usize,
}

impl<'a> ParamTable<'a> {
    /// The bytes of parameter `i` (empty when not collected), or None when
    /// the event has no such parameter.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        if i >= self.n {
            return None;
        }
        // Checked by Event::parse: every value lies inside `raw`.
        self.raw
            .get(self.starts[i] as usize..self.starts[i + 1] as usize)
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.n
    }

    /// No parameters.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
}

impl fmt::Debug for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Event");
        d.field("ts", &self.ts())
            .field("tid", &self.tid())
            .field("type", &self.event_type())
            .field("name", &self.name())
            .field("len", &self.len());
        let params: Vec<_> = self
            .params()
            .map(|p| match p.value() {
                Ok(v) => format!("{}={v}", p.name()),
                Err(e) => format!("{}=<{e}>", p.name()),
            })
            .collect();
        d.field("params", &params).finish()
    }
}

/// One parameter of an event.
#[derive(Clone, Copy, Debug)]
pub struct Param<'a> {
    /// Position in the event.
    pub index: usize,
    /// Schema description, when the event type and index are known.
    pub info: Option<&'static ParamInfo>,
    /// Raw value bytes (empty when not collected).
    pub bytes: &'a [u8],
}

impl<'a> Param<'a> {
    /// The parameter's schema name, or `?` when unknown.
    pub fn name(&self) -> &'static str {
        self.info.map_or("?", |i| i.name)
    }

    /// Decodes the value according to the schema type (raw bytes when the
    /// type is unknown).
    #[inline]
    pub fn value(&self) -> Result<ParamValue<'a>, DecodeError> {
        match self.info {
            Some(info) => ParamValue::decode(self.index, info.ty, info.table, self.bytes),
            None => Ok(ParamValue::Bytes(self.bytes)),
        }
    }
}

/// Iterator over an event's parameters.
#[derive(Clone)]
pub struct Params<'a> {
    event: Event<'a>,
    index: usize,
    off: usize,
}

impl<'a> Iterator for Params<'a> {
    type Item = Param<'a>;

    #[inline]
    fn next(&mut self) -> Option<Param<'a>> {
        if self.index >= self.event.nparams as usize {
            return None;
        }
        let len = self.event.param_len(self.index);
        let bytes = &self.event.raw[self.off..self.off + len];
        let p = Param {
            index: self.index,
            info: self.event.info.and_then(|i| i.params.get(self.index)),
            bytes,
        };
        self.index += 1;
        self.off += len;
        Some(p)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.event.nparams as usize - self.index;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Params<'_> {}

/// Builds an event in the wire format: for tests, synthetic events and
/// converters. Lengths are u16 (u32 for large-payload event types).
#[derive(Clone, Debug)]
pub struct EventBuilder {
    ts: u64,
    tid: u64,
    ty: u16,
    params: Vec<Vec<u8>>,
}

impl EventBuilder {
    /// An event of type `ty` at `ts` on thread `tid`, with no parameters yet.
    pub fn new(ty: u16, ts: u64, tid: u64) -> EventBuilder {
        EventBuilder {
            ts,
            tid,
            ty,
            params: Vec::new(),
        }
    }

    /// Appends a parameter's raw value (empty: "not collected").
    pub fn raw(mut self, value: &[u8]) -> EventBuilder {
        self.params.push(value.to_vec());
        self
    }

    /// Appends a little-endian u64/i64 value (errno, fd, pid, uint64, ...).
    pub fn u64(self, v: u64) -> EventBuilder {
        self.raw(&v.to_le_bytes())
    }

    /// Appends a little-endian u32 value.
    pub fn u32(self, v: u32) -> EventBuilder {
        self.raw(&v.to_le_bytes())
    }

    /// Appends a little-endian u16 value.
    pub fn u16(self, v: u16) -> EventBuilder {
        self.raw(&v.to_le_bytes())
    }

    /// Appends a u8 value.
    pub fn u8(self, v: u8) -> EventBuilder {
        self.raw(&[v])
    }

    /// Appends a string with its terminating NUL.
    pub fn str(self, s: &str) -> EventBuilder {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        self.raw(&v)
    }

    /// The event's bytes.
    pub fn build(&self) -> Vec<u8> {
        let large = scap_schema::event_info(self.ty).is_some_and(|i| i.is_large_payload());
        let lsz = if large { 4 } else { 2 };
        let len =
            HEADER_LEN + self.params.len() * lsz + self.params.iter().map(Vec::len).sum::<usize>();
        let mut b = Vec::with_capacity(len);
        b.extend_from_slice(&self.ts.to_le_bytes());
        b.extend_from_slice(&self.tid.to_le_bytes());
        b.extend_from_slice(&(len as u32).to_le_bytes());
        b.extend_from_slice(&self.ty.to_le_bytes());
        b.extend_from_slice(&(self.params.len() as u32).to_le_bytes());
        for p in &self.params {
            if large {
                b.extend_from_slice(&(p.len() as u32).to_le_bytes());
            } else {
                b.extend_from_slice(&(p.len() as u16).to_le_bytes());
            }
        }
        for p in &self.params {
            b.extend_from_slice(p);
        }
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{FdList, SockAddr, SockTuple, StrList};
    use scap_schema::{codes, flags, TypedValue};
    use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

    fn openat(fd: i64, name: &str) -> Vec<u8> {
        EventBuilder::new(codes::PPME_SYSCALL_OPENAT_2_X, 1_000, 42)
            .u64(fd as u64)
            .u64(-100i64 as u64)
            .str(name)
            .u32(4 | 2 | (1 << 14))
            .u32(0o640)
            .u32(0x800001)
            .u64(12345)
            .build()
    }

    #[test]
    fn header_and_params_of_a_built_event() {
        let b = openat(3, "/tmp/x");
        let e = Event::parse(&b).unwrap();
        assert_eq!(
            (e.ts(), e.tid(), e.event_type(), e.nparams()),
            (1_000, 42, 307, 7)
        );
        assert_eq!(e.len() as usize, b.len());
        assert_eq!(e.name(), "openat");
        assert!(!e.is_enter());
        let names: Vec<_> = e.params().map(|p| p.name()).collect();
        assert_eq!(
            names,
            ["fd", "dirfd", "name", "flags", "mode", "dev", "ino"]
        );
        assert_eq!(
            e.param_by_name("fd").unwrap().value().unwrap(),
            ParamValue::Fd(3)
        );
        assert_eq!(e.param(1).unwrap().value().unwrap(), ParamValue::Fd(-100));
        assert_eq!(
            e.param(2).unwrap().value().unwrap(),
            ParamValue::Str(b"/tmp/x")
        );
        let ParamValue::Flags(f) = e.param(3).unwrap().value().unwrap() else {
            panic!()
        };
        assert_eq!(
            f.typed(),
            Some(TypedValue::FileFlags(
                flags::FileFlags::O_CREAT
                    | flags::FileFlags::O_WRONLY
                    | flags::FileFlags::O_F_CREATED
            ))
        );
        assert_eq!(f.names(), ["O_CREAT", "O_WRONLY", "O_F_CREATED"]);
        let rdwr = crate::params::FlagsValue {
            raw: 3 | 4,
            table: Some(&scap_schema::tables::FILE_FLAGS),
        };
        assert_eq!(rdwr.names(), ["O_RDWR", "O_CREAT"]);
        assert_eq!(
            e.param(6).unwrap().value().unwrap(),
            ParamValue::Uint(12345)
        );
        // The buffer may be longer than the event (a file block, a ring).
        let mut longer = b.clone();
        longer.extend_from_slice(&[0xff; 9]);
        assert_eq!(Event::parse(&longer).unwrap().as_bytes(), &b[..]);
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let b = openat(3, "/tmp/some/longer/path");
        for cut in 0..b.len() {
            assert!(Event::parse(&b[..cut]).is_err(), "cut at {cut}");
        }
        assert!(matches!(
            Event::parse(&b[..10]),
            Err(DecodeError::ShortHeader { have: 10 })
        ));
    }

    #[test]
    fn bad_lengths_are_caught() {
        let mut b = openat(3, "/x");
        // len smaller than the header
        b[16..20].copy_from_slice(&20u32.to_le_bytes());
        assert!(matches!(
            Event::parse(&b),
            Err(DecodeError::BadLength { len: 20, .. })
        ));
        // a parameter longer than the event
        let mut b = openat(3, "/x");
        b[26 + 4..26 + 6].copy_from_slice(&500u16.to_le_bytes());
        assert!(matches!(
            Event::parse(&b),
            Err(DecodeError::ParamsOverflow { .. })
        ));
        // nparams beyond the maximum
        let mut b = openat(3, "/x");
        b[22..26].copy_from_slice(&1000u32.to_le_bytes());
        assert!(matches!(
            Event::parse(&b),
            Err(DecodeError::TooManyParams { nparams: 1000, .. })
        ));
        // nparams whose length table does not fit
        let mut b = openat(3, "/x");
        b[22..26].copy_from_slice(&30u32.to_le_bytes());
        assert!(Event::parse(&b).is_err());
    }

    #[test]
    fn wrong_sized_values_are_typed_errors() {
        // fd is PT_FD: 8 bytes; give it 3.
        let b = EventBuilder::new(codes::PPME_SYSCALL_CLOSE_X, 0, 1)
            .u64(0)
            .raw(&[1, 2, 3])
            .build();
        let e = Event::parse(&b).unwrap();
        assert!(matches!(
            e.param(1).unwrap().value(),
            Err(DecodeError::BadParamLength {
                index: 1,
                len: 3,
                ..
            })
        ));
        assert!(matches!(
            e.param(2),
            Err(DecodeError::NoSuchParam {
                index: 2,
                nparams: 2
            })
        ));
        assert!(matches!(
            e.param_by_name("nope"),
            Err(DecodeError::NoSuchName("nope"))
        ));
        // Zero length means "not collected", whatever the type.
        let b = EventBuilder::new(codes::PPME_SYSCALL_CLOSE_X, 0, 1)
            .u64(0)
            .raw(&[])
            .build();
        assert_eq!(
            Event::parse(&b).unwrap().param(1).unwrap().value().unwrap(),
            ParamValue::Absent
        );
    }

    #[test]
    fn sockaddr_and_socktuple_in_every_family() {
        let mut v4 = vec![2u8];
        v4.extend_from_slice(&[127, 0, 0, 1]);
        v4.extend_from_slice(&8080u16.to_le_bytes());
        let mut t6 = vec![10u8];
        t6.extend_from_slice(&Ipv6Addr::LOCALHOST.octets());
        t6.extend_from_slice(&40000u16.to_le_bytes());
        t6.extend_from_slice(&Ipv6Addr::LOCALHOST.octets());
        t6.extend_from_slice(&443u16.to_le_bytes());
        let b = EventBuilder::new(codes::PPME_SOCKET_CONNECT_X, 0, 1)
            .u64(0)
            .raw(&t6)
            .u64(5)
            .raw(&v4)
            .build();
        let e = Event::parse(&b).unwrap();
        assert_eq!(
            e.param(1).unwrap().value().unwrap(),
            ParamValue::SockTuple(SockTuple::Inet6 {
                src: SocketAddrV6::new(Ipv6Addr::LOCALHOST, 40000, 0, 0),
                dst: SocketAddrV6::new(Ipv6Addr::LOCALHOST, 443, 0, 0),
            })
        );
        assert_eq!(
            e.param(3).unwrap().value().unwrap(),
            ParamValue::SockAddr(SockAddr::Inet(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8080)))
        );
        assert_eq!(
            e.param(1).unwrap().value().unwrap().to_string(),
            "[::1]:40000->[::1]:443"
        );

        let mut unix = vec![1u8];
        unix.extend_from_slice(&0xaau64.to_le_bytes());
        unix.extend_from_slice(&0xbbu64.to_le_bytes());
        unix.extend_from_slice(b"/run/x.sock\0");
        let b = EventBuilder::new(codes::PPME_SOCKET_CONNECT_X, 0, 1)
            .u64(0)
            .raw(&unix)
            .u64(5)
            .raw(b"\x01/run/x.sock\0")
            .build();
        let e = Event::parse(&b).unwrap();
        assert_eq!(
            e.param(1).unwrap().value().unwrap(),
            ParamValue::SockTuple(SockTuple::Unix {
                source: 0xaa,
                dest: 0xbb,
                path: b"/run/x.sock"
            })
        );
        assert_eq!(
            e.param(3).unwrap().value().unwrap(),
            ParamValue::SockAddr(SockAddr::Unix(b"/run/x.sock"))
        );
        // A v4 tuple of the wrong size is an error.
        let b = EventBuilder::new(codes::PPME_SOCKET_CONNECT_X, 0, 1)
            .u64(0)
            .raw(&[2, 1, 2, 3])
            .u64(5)
            .raw(&[])
            .build();
        assert!(Event::parse(&b).unwrap().param(1).unwrap().value().is_err());
    }

    #[test]
    fn lists_uids_enums_dyn_and_fdlists() {
        let b = EventBuilder::new(codes::PPME_SYSCALL_EXECVE_19_X, 0, 1)
            .u64(0)
            .str("ls")
            .raw(b"-l\0/tmp\0")
            .build();
        let e = Event::parse(&b).unwrap();
        let ParamValue::Bytes(args) = e.param(2).unwrap().value().unwrap() else {
            panic!()
        };
        assert_eq!(
            StrList(args).iter().collect::<Vec<_>>(),
            vec![&b"-l"[..], b"/tmp"]
        );
        assert_eq!(StrList(b"").iter().count(), 0);

        // uid 0xffffffff means "no value"
        let none = u32::MAX.to_le_bytes();
        let v = ParamValue::decode(0, scap_schema::ParamType::Uid, None, &none).unwrap();
        assert_eq!(v, ParamValue::Uid(None));
        // enum with its table
        let t = &scap_schema::tables::SOCKET_FAMILIES;
        let inet6 = 10u32.to_le_bytes();
        let v =
            ParamValue::decode(0, scap_schema::ParamType::Enumflags32, Some(t), &inet6).unwrap();
        assert_eq!(v.to_string(), "AF_INET6(0xa)");
        // dyn: selector 1 of ptrace_dynamic_param is a signal
        let t = &scap_schema::tables::PTRACE_DYNAMIC_PARAM;
        let ParamValue::Dyn(d) =
            ParamValue::decode(0, scap_schema::ParamType::Dyn, Some(t), &[1, 9]).unwrap()
        else {
            panic!()
        };
        assert_eq!(d.value(0).unwrap(), ParamValue::Signal(9));
        assert!(ParamValue::decode(0, scap_schema::ParamType::Dyn, Some(t), &[7, 9]).is_err());
        assert!(ParamValue::decode(0, scap_schema::ParamType::Dyn, Some(t), &[0, 9]).is_err());
        // fd list: count then (i64, i16) pairs
        let mut fl = 2u16.to_le_bytes().to_vec();
        fl.extend_from_slice(&3i64.to_le_bytes());
        fl.extend_from_slice(&1i16.to_le_bytes());
        fl.extend_from_slice(&4i64.to_le_bytes());
        fl.extend_from_slice(&4i16.to_le_bytes());
        let ParamValue::FdList(l) =
            ParamValue::decode(0, scap_schema::ParamType::Fdlist, None, &fl).unwrap()
        else {
            panic!()
        };
        assert_eq!(l.iter().collect::<Vec<_>>(), vec![(3, 1), (4, 4)]);
        let _: FdList<'_> = l;
        assert!(ParamValue::decode(0, scap_schema::ParamType::Fdlist, None, &fl[..15]).is_err());
    }

    #[test]
    fn unknown_event_types_still_parse_as_raw() {
        let b = EventBuilder::new(60000, 0, 1).u32(7).build();
        let e = Event::parse(&b).unwrap();
        assert!(e.info().is_none());
        assert_eq!(e.name(), "unknown");
        assert_eq!(
            e.param(0).unwrap().value().unwrap(),
            ParamValue::Bytes(&7u32.to_le_bytes())
        );
    }

    #[test]
    fn buffers_print_like_sysdig() {
        let v = ParamValue::Bytes(b"-l\0/tmp\0\x01\xc3\xa9x");
        assert_eq!(v.to_string(), "-l./tmp....x");
        assert_eq!(ParamValue::Bytes(b"").to_string(), "");
        assert_eq!(ParamValue::Str(b"/tmp/\xc3\xa9").to_string(), "/tmp/\u{e9}");
    }

    #[test]
    fn large_payload_events_use_u32_lengths() {
        let payload = vec![7u8; 70_000];
        let b = EventBuilder::new(codes::PPME_PLUGINEVENT_E, 0, 1)
            .u32(999)
            .raw(&payload)
            .build();
        let e = Event::parse(&b).unwrap();
        assert_eq!(e.param(1).unwrap().bytes.len(), 70_000);
    }
}
