//! A bounds-checked little-endian cursor over a block body. No method can
//! panic: a short read is a [`FileError::Malformed`] that names the field and
//! its absolute offset in the stream.

use crate::file::error::FileError;

#[derive(Clone, Copy)]
pub(crate) struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    /// Absolute stream offset of `data[0]`.
    base: u64,
    block_type: u32,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(data: &'a [u8], base: u64, block_type: u32) -> Cursor<'a> {
        Cursor {
            data,
            pos: 0,
            base,
            block_type,
        }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    /// Absolute offset of the next byte.
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    pub(crate) fn error(&self, what: &'static str) -> FileError {
        FileError::Malformed {
            offset: self.offset(),
            block_type: self.block_type,
            what,
        }
    }

    pub(crate) fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], FileError> {
        let end = self.pos.checked_add(n).ok_or_else(|| self.error(what))?;
        match self.data.get(self.pos..end) {
            Some(b) => {
                self.pos = end;
                Ok(b)
            }
            None => Err(self.error(what)),
        }
    }

    /// A sub-cursor over the next `n` bytes, which are consumed.
    pub(crate) fn sub(&mut self, n: usize, what: &'static str) -> Result<Cursor<'a>, FileError> {
        let base = self.offset();
        let data = self.bytes(n, what)?;
        Ok(Cursor::new(data, base, self.block_type))
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], FileError> {
        let b = self.bytes(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(b);
        Ok(a)
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, FileError> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, FileError> {
        self.array(what).map(u16::from_le_bytes)
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, FileError> {
        self.array(what).map(u32::from_le_bytes)
    }

    pub(crate) fn u64(&mut self, what: &'static str) -> Result<u64, FileError> {
        self.array(what).map(u64::from_le_bytes)
    }

    pub(crate) fn i64(&mut self, what: &'static str) -> Result<i64, FileError> {
        self.array(what).map(i64::from_le_bytes)
    }

    pub(crate) fn ipv4(&mut self, what: &'static str) -> Result<std::net::Ipv4Addr, FileError> {
        self.array::<4>(what).map(std::net::Ipv4Addr::from)
    }

    pub(crate) fn ipv6(&mut self, what: &'static str) -> Result<std::net::Ipv6Addr, FileError> {
        self.array::<16>(what).map(std::net::Ipv6Addr::from)
    }

    /// A `u16` length followed by that many bytes.
    pub(crate) fn str16(&mut self, what: &'static str) -> Result<&'a [u8], FileError> {
        let n = self.u16(what)?;
        self.bytes(usize::from(n), what)
    }

    /// Optional trailing fields: read only when the whole value fits.
    pub(crate) fn opt_u8(&mut self) -> Option<u8> {
        self.u8("").ok()
    }

    pub(crate) fn opt_u32(&mut self) -> Option<u32> {
        if self.remaining() >= 4 {
            self.u32("").ok()
        } else {
            None
        }
    }

    pub(crate) fn opt_u64(&mut self) -> Option<u64> {
        if self.remaining() >= 8 {
            self.u64("").ok()
        } else {
            None
        }
    }
}
