//! Typed decoding of parameter values, for every parameter type of the schema.
//!
//! Values borrow from the event: strings and buffers are slices of it. A
//! zero-length parameter is [`ParamValue::Absent`] ("not collected") whatever
//! its type; any other length that does not fit the type is an error.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

use scap_schema::{ParamType, TableKind, TypedValue, ValueTable};

use crate::event::DecodeError;

/// A decoded parameter value.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum ParamValue<'a> {
    /// Not collected (length 0).
    Absent,
    /// `PT_INT8/16/32/64`.
    Int(i64),
    /// `PT_UINT8/16/32/64`.
    Uint(u64),
    /// `PT_ERRNO`: a return value, negative errno on failure.
    Errno(i64),
    /// `PT_FD`, `PT_FD32`.
    Fd(i64),
    /// `PT_PID`, `PT_PID32`.
    Pid(i64),
    /// `PT_UID`: `None` for the 0xFFFFFFFF "no value" marker.
    Uid(Option<u32>),
    /// `PT_GID`: `None` for the 0xFFFFFFFF "no value" marker.
    Gid(Option<u32>),
    /// `PT_BOOL`.
    Bool(bool),
    /// `PT_DOUBLE`.
    Double(f64),
    /// `PT_SYSCALLID`: a PPM_SC code.
    SyscallId(u16),
    /// `PT_SIGTYPE`: a signal number.
    Signal(u8),
    /// `PT_PORT`.
    Port(u16),
    /// `PT_L4PROTO`.
    L4Proto(u8),
    /// `PT_SOCKFAMILY`.
    SockFamily(u8),
    /// `PT_SIGSET`.
    SigSet(u32),
    /// `PT_RELTIME`: a duration in ns.
    RelTime(u64),
    /// `PT_ABSTIME`: ns since the epoch.
    AbsTime(u64),
    /// `PT_CHARBUF`, `PT_FSPATH`, `PT_FSRELPATH`: the string without its NUL.
    Str(&'a [u8]),
    /// `PT_BYTEBUF`: raw bytes (for `args`, `env`, `cgroups`: a NUL-separated
    /// list, see [`StrList`]).
    Bytes(&'a [u8]),
    /// `PT_CHARBUFARRAY`, `PT_CHARBUF_PAIR_ARRAY`: packed NUL-terminated strings.
    StrList(StrList<'a>),
    /// `PT_FLAGS8/16/32`, `PT_MODE`: a set of flags from a schema table.
    Flags(FlagsValue),
    /// `PT_ENUMFLAGS8/16/32`: one value of a schema table.
    Enum(FlagsValue),
    /// `PT_SOCKADDR`.
    SockAddr(SockAddr<'a>),
    /// `PT_SOCKTUPLE`.
    SockTuple(SockTuple<'a>),
    /// `PT_FDLIST`.
    FdList(FdList<'a>),
    /// `PT_IPV4ADDR`.
    Ipv4(Ipv4Addr),
    /// `PT_IPV6ADDR`.
    Ipv6(Ipv6Addr),
    /// `PT_IPADDR`: v4 or v6 by length.
    Ip(std::net::IpAddr),
    /// `PT_IPV4NET`, `PT_IPV6NET`, `PT_IPNET`: address and prefix bytes as stored.
    IpNet(&'a [u8]),
    /// `PT_DYN`: the selector and the value it selects.
    Dyn(DynValue<'a>),
}

/// A flag set or enumeration value with the table that names its bits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlagsValue {
    /// The raw value (schema values, not the kernel's).
    pub raw: u32,
    /// The table naming the values, when the schema gives one.
    pub table: Option<&'static ValueTable>,
}

impl FlagsValue {
    /// The value as its table's typed flags or enumeration.
    pub fn typed(&self) -> Option<TypedValue> {
        self.table.and_then(|t| t.id.typed(self.raw))
    }

    /// Names of the set flags (flag tables) or of the value (enum tables).
    /// A multi-bit entry that matches fully (O_RDWR) is named instead of its
    /// bits; a zero entry (O_NONE) only names a zero value.
    pub fn names(&self) -> Vec<&'static str> {
        match self.table {
            Some(t) if t.kind == TableKind::Flags => {
                let mut covered = 0u32;
                let mut v = Vec::new();
                for (n, val) in t.values {
                    if *val != 0
                        && !val.is_power_of_two()
                        && self.raw & val == *val
                        && covered & val == 0
                    {
                        v.push(*n);
                        covered |= val;
                    }
                }
                v.extend(t.flag_names(self.raw & !covered));
                if self.raw == 0 {
                    v.extend(
                        t.values
                            .iter()
                            .filter(|(_, val)| *val == 0)
                            .map(|(n, _)| *n),
                    );
                }
                v
            }
            Some(t) => t.name_of(self.raw).into_iter().collect(),
            None => Vec::new(),
        }
    }
}

/// A NUL-separated list of strings (`args`, `env`, `cgroups`, char buffer arrays).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StrList<'a>(pub &'a [u8]);

impl<'a> StrList<'a> {
    /// The items, without their NULs. A missing final NUL is tolerated.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let b = self.0;
        let b = b.strip_suffix(&[0]).unwrap_or(b);
        let empty = b.is_empty();
        b.split(|c| *c == 0).filter(move |_| !empty)
    }
}

/// A socket address in the schema's encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SockAddr<'a> {
    /// AF_INET: address and port.
    Inet(SocketAddrV4),
    /// AF_INET6: address and port.
    Inet6(SocketAddrV6),
    /// AF_UNIX: path bytes without the NUL (may start with NUL for abstract names).
    Unix(&'a [u8]),
    /// Any other family: only its number is recorded.
    Other(u8),
}

/// The endpoints of a connection in the schema's encoding: `src` is the
/// initiator (local for outbound, remote for inbound connections).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SockTuple<'a> {
    /// IPv4 endpoints.
    Inet {
        /// Initiator.
        src: SocketAddrV4,
        /// Other end.
        dst: SocketAddrV4,
    },
    /// IPv6 endpoints.
    Inet6 {
        /// Initiator.
        src: SocketAddrV6,
        /// Other end.
        dst: SocketAddrV6,
    },
    /// UNIX socket: kernel addresses of both ends and the bound path.
    Unix {
        /// Kernel address of this socket.
        source: u64,
        /// Kernel address of the peer.
        dest: u64,
        /// Path bytes without the NUL.
        path: &'a [u8],
    },
    /// Any other family.
    Other(u8),
}

/// A list of (fd, flags) pairs (`PT_FDLIST`): u16 count then 10-byte entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FdList<'a>(&'a [u8]);

impl<'a> FdList<'a> {
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len() / 10
    }

    /// No entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The (fd, flags) entries.
    pub fn iter(&self) -> impl Iterator<Item = (i64, i16)> + 'a {
        self.0.chunks_exact(10).map(|c| {
            let fd = i64::from_le_bytes(c[..8].try_into().unwrap_or([0; 8]));
            let fl = i16::from_le_bytes([c[8], c[9]]);
            (fd, fl)
        })
    }
}

/// A dynamic parameter: the selector byte picks the value's type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DynValue<'a> {
    /// The selector.
    pub index: u8,
    /// The selected type.
    pub ty: ParamType,
    /// The value bytes after the selector.
    pub bytes: &'a [u8],
}

impl<'a> DynValue<'a> {
    /// Decodes the selected value.
    pub fn value(&self, param_index: usize) -> Result<ParamValue<'a>, DecodeError> {
        if self.ty == ParamType::Dyn {
            return Err(DecodeError::BadParamValue {
                index: param_index,
                ty: "PT_DYN",
                what: "a dynamic parameter cannot select PT_DYN",
            });
        }
        ParamValue::decode(param_index, self.ty, None, self.bytes)
    }
}

/// An unsigned little-endian integer of 1, 2, 4 or 8 bytes.
#[inline(always)]
fn uint_le(b: &[u8]) -> u64 {
    match b.len() {
        1 => u64::from(b[0]),
        2 => u64::from(u16::from_le_bytes(le(b))),
        4 => u64::from(u32::from_le_bytes(le(b))),
        _ => u64::from_le_bytes(le(b)),
    }
}

/// A signed little-endian integer of 1, 2, 4 or 8 bytes.
#[inline(always)]
fn int_le(b: &[u8]) -> i64 {
    match b.len() {
        1 => i64::from(b[0] as i8),
        2 => i64::from(i16::from_le_bytes(le(b))),
        4 => i64::from(i32::from_le_bytes(le(b))),
        _ => i64::from_le_bytes(le(b)),
    }
}

#[inline(always)]
fn le<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&b[..N]);
    a
}

/// The family numbers of the schema's sockaddr and socktuple encodings.
pub mod family {
    /// AF_UNIX.
    pub const UNIX: u8 = 1;
    /// AF_INET.
    pub const INET: u8 = 2;
    /// AF_INET6.
    pub const INET6: u8 = 10;
}

fn cstr(b: &[u8]) -> &[u8] {
    match memchr::memchr(0, b) {
        Some(i) => &b[..i],
        None => b,
    }
}

impl<'a> ParamValue<'a> {
    /// Decodes `bytes` as a value of type `ty`. `index` is only used in errors.
    pub fn decode(
        index: usize,
        ty: ParamType,
        table: Option<&'static ValueTable>,
        bytes: &'a [u8],
    ) -> Result<ParamValue<'a>, DecodeError> {
        if bytes.is_empty() {
            return Ok(ParamValue::Absent);
        }
        let bad_len = || DecodeError::BadParamLength {
            index,
            ty: ty.schema_name(),
            len: bytes.len(),
        };
        let bad = |what| DecodeError::BadParamValue {
            index,
            ty: ty.schema_name(),
            what,
        };
        if let Some(size) = ty.fixed_size() {
            if bytes.len() != size {
                return Err(bad_len());
            }
        }
        // Lengths were checked against the type's size above.
        let (uint, int) = (uint_le, int_le);
        let id = |v: u32| if v == u32::MAX { None } else { Some(v) };
        Ok(match ty {
            ParamType::None => ParamValue::Absent,
            ParamType::Int8 | ParamType::Int16 | ParamType::Int32 | ParamType::Int64 => {
                ParamValue::Int(int(bytes))
            }
            ParamType::Uint8 | ParamType::Uint16 | ParamType::Uint32 | ParamType::Uint64 => {
                ParamValue::Uint(uint(bytes))
            }
            ParamType::Errno => ParamValue::Errno(int(bytes)),
            ParamType::Fd | ParamType::Fd32 => ParamValue::Fd(int(bytes)),
            ParamType::Pid | ParamType::Pid32 => ParamValue::Pid(int(bytes)),
            ParamType::Uid => ParamValue::Uid(id(uint(bytes) as u32)),
            ParamType::Gid => ParamValue::Gid(id(uint(bytes) as u32)),
            ParamType::Bool => ParamValue::Bool(uint(bytes) != 0),
            ParamType::Double => ParamValue::Double(f64::from_le_bytes(le(bytes))),
            ParamType::Syscallid => ParamValue::SyscallId(uint(bytes) as u16),
            ParamType::Sigtype => ParamValue::Signal(bytes[0]),
            ParamType::Port => ParamValue::Port(uint(bytes) as u16),
            ParamType::L4proto => ParamValue::L4Proto(bytes[0]),
            ParamType::Sockfamily => ParamValue::SockFamily(bytes[0]),
            ParamType::Sigset => ParamValue::SigSet(uint(bytes) as u32),
            ParamType::Reltime => ParamValue::RelTime(uint(bytes)),
            ParamType::Abstime => ParamValue::AbsTime(uint(bytes)),
            ParamType::Charbuf | ParamType::Fspath | ParamType::Fsrelpath => {
                ParamValue::Str(cstr(bytes))
            }
            ParamType::Bytebuf => ParamValue::Bytes(bytes),
            ParamType::Charbufarray | ParamType::CharbufPairArray => {
                ParamValue::StrList(StrList(bytes))
            }
            ParamType::Flags8 | ParamType::Flags16 | ParamType::Flags32 | ParamType::Mode => {
                ParamValue::Flags(FlagsValue {
                    raw: uint(bytes) as u32,
                    table,
                })
            }
            ParamType::Enumflags8 | ParamType::Enumflags16 | ParamType::Enumflags32 => {
                ParamValue::Enum(FlagsValue {
                    raw: uint(bytes) as u32,
                    table,
                })
            }
            ParamType::Ipv4addr => ParamValue::Ipv4(Ipv4Addr::from(le::<4>(bytes))),
            ParamType::Ipv6addr => ParamValue::Ipv6(Ipv6Addr::from(le::<16>(bytes))),
            ParamType::Ipaddr => match bytes.len() {
                4 => ParamValue::Ip(Ipv4Addr::from(le::<4>(bytes)).into()),
                16 => ParamValue::Ip(Ipv6Addr::from(le::<16>(bytes)).into()),
                _ => return Err(bad_len()),
            },
            ParamType::Ipv4net | ParamType::Ipv6net | ParamType::Ipnet => ParamValue::IpNet(bytes),
            ParamType::Sockaddr => {
                ParamValue::SockAddr(decode_sockaddr(bytes).ok_or_else(bad_len)?)
            }
            ParamType::Socktuple => {
                ParamValue::SockTuple(decode_socktuple(bytes).ok_or_else(bad_len)?)
            }
            ParamType::Fdlist => {
                if bytes.len() < 2 {
                    return Err(bad_len());
                }
                let n = usize::from(u16::from_le_bytes([bytes[0], bytes[1]]));
                let body = &bytes[2..];
                if body.len() != n * 10 {
                    return Err(bad_len());
                }
                ParamValue::FdList(FdList(body))
            }
            ParamType::Dyn => {
                let sel = bytes[0];
                let alt = table
                    .and_then(|t| t.dyn_alternative(sel))
                    .ok_or_else(|| bad("unknown dynamic selector"))?;
                let body = &bytes[1..];
                if let Some(size) = alt.ty.fixed_size() {
                    if body.len() != size {
                        return Err(bad_len());
                    }
                }
                ParamValue::Dyn(DynValue {
                    index: sel,
                    ty: alt.ty,
                    bytes: body,
                })
            }
            _ => ParamValue::Bytes(bytes),
        })
    }

    /// The value as a signed integer, for integer-like types.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            ParamValue::Int(v) | ParamValue::Errno(v) | ParamValue::Fd(v) | ParamValue::Pid(v) => {
                Some(v)
            }
            ParamValue::Uint(v) | ParamValue::RelTime(v) | ParamValue::AbsTime(v) => {
                i64::try_from(v).ok()
            }
            _ => None,
        }
    }

    /// The value as an unsigned integer, for integer-like types.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            ParamValue::Uint(v) | ParamValue::RelTime(v) | ParamValue::AbsTime(v) => Some(v),
            ParamValue::Int(v) | ParamValue::Errno(v) | ParamValue::Fd(v) | ParamValue::Pid(v) => {
                u64::try_from(v).ok()
            }
            ParamValue::Uid(Some(v)) | ParamValue::Gid(Some(v)) | ParamValue::SigSet(v) => {
                Some(u64::from(v))
            }
            ParamValue::Flags(f) | ParamValue::Enum(f) => Some(u64::from(f.raw)),
            ParamValue::SyscallId(v) | ParamValue::Port(v) => Some(u64::from(v)),
            ParamValue::Signal(v) | ParamValue::L4Proto(v) | ParamValue::SockFamily(v) => {
                Some(u64::from(v))
            }
            ParamValue::Bool(b) => Some(u64::from(b)),
            _ => None,
        }
    }

    /// The value as bytes, for strings and buffers.
    pub fn as_bytes(&self) -> Option<&'a [u8]> {
        match *self {
            ParamValue::Str(b) | ParamValue::Bytes(b) => Some(b),
            ParamValue::StrList(l) => Some(l.0),
            _ => None,
        }
    }

    /// The value as UTF-8 text (lossless only for valid UTF-8).
    pub fn as_str(&self) -> Option<std::borrow::Cow<'a, str>> {
        self.as_bytes().map(String::from_utf8_lossy)
    }
}

fn decode_sockaddr(b: &[u8]) -> Option<SockAddr<'_>> {
    let fam = *b.first()?;
    Some(match fam {
        family::INET => {
            if b.len() != 7 {
                return None;
            }
            SockAddr::Inet(SocketAddrV4::new(
                Ipv4Addr::from(le::<4>(&b[1..])),
                u16::from_le_bytes([b[5], b[6]]),
            ))
        }
        family::INET6 => {
            if b.len() != 19 {
                return None;
            }
            SockAddr::Inet6(SocketAddrV6::new(
                Ipv6Addr::from(le::<16>(&b[1..])),
                u16::from_le_bytes([b[17], b[18]]),
                0,
                0,
            ))
        }
        family::UNIX => SockAddr::Unix(cstr(&b[1..])),
        other => SockAddr::Other(other),
    })
}

fn decode_socktuple(b: &[u8]) -> Option<SockTuple<'_>> {
    let fam = *b.first()?;
    Some(match fam {
        family::INET => {
            if b.len() != 13 {
                return None;
            }
            let ep = |at: usize| {
                SocketAddrV4::new(
                    Ipv4Addr::from(le::<4>(&b[at..])),
                    u16::from_le_bytes([b[at + 4], b[at + 5]]),
                )
            };
            SockTuple::Inet {
                src: ep(1),
                dst: ep(7),
            }
        }
        family::INET6 => {
            if b.len() != 37 {
                return None;
            }
            let ep = |at: usize| {
                SocketAddrV6::new(
                    Ipv6Addr::from(le::<16>(&b[at..])),
                    u16::from_le_bytes([b[at + 16], b[at + 17]]),
                    0,
                    0,
                )
            };
            SockTuple::Inet6 {
                src: ep(1),
                dst: ep(19),
            }
        }
        family::UNIX => {
            if b.len() < 17 {
                return None;
            }
            SockTuple::Unix {
                source: u64::from_le_bytes(le(&b[1..])),
                dest: u64::from_le_bytes(le(&b[9..])),
                path: cstr(&b[17..]),
            }
        }
        other => SockTuple::Other(other),
    })
}

fn write_bytes(f: &mut fmt::Formatter<'_>, b: &[u8]) -> fmt::Result {
    for chunk in b.utf8_chunks() {
        f.write_str(chunk.valid())?;
        for byte in chunk.invalid() {
            write!(f, "\\x{byte:02x}")?;
        }
    }
    Ok(())
}

/// A byte buffer as sysdig prints one: printable ASCII kept, every other
/// byte (the NULs between arguments, binary data) shown as '.'.
fn write_buffer(f: &mut fmt::Formatter<'_>, b: &[u8]) -> fmt::Result {
    for run in b.split(|c| !(0x20..0x7f).contains(c)).enumerate() {
        if run.0 > 0 {
            f.write_str(".")?;
        }
        // Only printable ASCII is left in a run, so this cannot fail.
        f.write_str(std::str::from_utf8(run.1).unwrap_or_default())?;
    }
    Ok(())
}

impl fmt::Display for ParamValue<'_> {
    /// A compact human-readable rendering, close to sysdig's.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Absent => f.write_str("<NA>"),
            ParamValue::Int(v) | ParamValue::Fd(v) | ParamValue::Pid(v) => write!(f, "{v}"),
            ParamValue::Errno(v) => write!(f, "{v}"),
            ParamValue::Uint(v) | ParamValue::RelTime(v) | ParamValue::AbsTime(v) => {
                write!(f, "{v}")
            }
            ParamValue::Uid(v) | ParamValue::Gid(v) => match v {
                Some(v) => write!(f, "{v}"),
                None => f.write_str("<NA>"),
            },
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Double(d) => write!(f, "{d}"),
            ParamValue::SyscallId(v) => match scap_schema::ppm_sc_name(*v) {
                Some(n) => f.write_str(n),
                None => write!(f, "{v}"),
            },
            ParamValue::Signal(v) | ParamValue::L4Proto(v) | ParamValue::SockFamily(v) => {
                write!(f, "{v}")
            }
            ParamValue::Port(v) => write!(f, "{v}"),
            ParamValue::SigSet(v) => write!(f, "{v:#x}"),
            ParamValue::Str(b) | ParamValue::IpNet(b) => write_bytes(f, b),
            ParamValue::Bytes(b) => write_buffer(f, b),
            ParamValue::StrList(l) => {
                for (i, item) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write_bytes(f, item)?;
                }
                Ok(())
            }
            ParamValue::Flags(v) | ParamValue::Enum(v) => {
                let names = v.names();
                if names.is_empty() {
                    write!(f, "{:#x}", v.raw)
                } else {
                    write!(f, "{}({:#x})", names.join("|"), v.raw)
                }
            }
            ParamValue::SockAddr(a) => match a {
                SockAddr::Inet(s) => write!(f, "{s}"),
                SockAddr::Inet6(s) => write!(f, "{s}"),
                SockAddr::Unix(p) => write_bytes(f, p),
                SockAddr::Other(fam) => write!(f, "family {fam}"),
            },
            ParamValue::SockTuple(t) => match t {
                SockTuple::Inet { src, dst } => write!(f, "{src}->{dst}"),
                SockTuple::Inet6 { src, dst } => write!(f, "{src}->{dst}"),
                SockTuple::Unix { source, dest, path } => {
                    write!(f, "{source:#x}->{dest:#x} ")?;
                    write_bytes(f, path)
                }
                SockTuple::Other(fam) => write!(f, "family {fam}"),
            },
            ParamValue::FdList(l) => {
                for (i, (fd, fl)) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{fd}:{fl:#x}")?;
                }
                Ok(())
            }
            ParamValue::Ipv4(a) => write!(f, "{a}"),
            ParamValue::Ipv6(a) => write!(f, "{a}"),
            ParamValue::Ip(a) => write!(f, "{a}"),
            ParamValue::Dyn(d) => match d.value(0) {
                Ok(v) => write!(f, "{v}"),
                Err(_) => write_bytes(f, d.bytes),
            },
        }
    }
}
