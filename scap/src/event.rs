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
        if table_end <= u64::from(len) {
            for i in 0..nparams as usize {
                let at = HEADER_LEN + i * len_size;
                need += if len_size == 4 {
                    u64::from(le_u32(raw, at))
                } else {
                    u64::from(le_u16(raw, at))
                };
            }
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

    /// The raw bytes of parameter `index` (an empty slice when the parameter
    /// was not collected).
    pub fn param_bytes(&self, index: usize) -> Result<&'a [u8], DecodeError> {
        if index >= self.nparams as usize {
            return Err(DecodeError::NoSuchParam {
                index,
                nparams: self.nparams,
            });
        }
        let mut off = self.values_start();
        for i in 0..index {
            off += self.param_len(i);
        }
        let end = off + self.param_len(index);
        // Checked in parse(): every value lies inside `raw`.
        Ok(&self.raw[off..end])
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
