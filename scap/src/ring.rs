//! Reading a BPF ring buffer through its mmap'd kernel ABI.
//!
//! The kernel exposes a `BPF_MAP_TYPE_RINGBUF` map as (kernel/bpf/ringbuf.c):
//!
//! ```text
//! fd offset 0          one page, read-write:  u64 consumer_pos
//! fd offset PAGE       one page, read-only:   u64 producer_pos
//! fd offset 2*PAGE     the data area, read-only, mapped twice in a row
//! ```
//!
//! Mapping the data twice means a record that wraps past the end of the
//! buffer is still contiguous in virtual memory: a reader never copies.
//! Every record starts with an 8-byte header `u32 len | u32 pg_off`; bit 31 of
//! `len` (BUSY) says the producer has reserved but not yet committed it, bit
//! 30 (DISCARD) that it was thrown away. A record occupies
//! `round_up(len + 8, 8)` bytes.
//!
//! Memory ordering, paired with the kernel:
//! * `producer_pos` is loaded with Acquire (the kernel stores it with release
//!   in `__bpf_ringbuf_reserve`), so the headers below it are visible;
//! * each record header is loaded with Acquire (the kernel clears BUSY with a
//!   release store in `bpf_ringbuf_commit`), so the record's bytes are visible;
//! * `consumer_pos` is stored with Release once we are done with the bytes
//!   before it, so the producer never overwrites a record we still read.
//!
//! [`Ring`] is the reader. It works the same over memory mapped from the
//! kernel and over plain memory laid out the same way ([`MemRing`]), which is
//! how the merge is tested and benchmarked without a kernel.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// Record header size.
pub const RINGBUF_HDR_SZ: u64 = 8;
const BUSY_BIT: u32 = 1 << 31;
const DISCARD_BIT: u32 = 1 << 30;
/// Publish the consumer position at least every this many bytes consumed.
const PUBLISH_EVERY: u64 = 16 * 1024;

/// The next record of a ring.
#[derive(Debug, PartialEq, Eq)]
pub enum Head<'a> {
    /// Nothing to read.
    Empty,
    /// The producer has reserved the next record but not committed it yet.
    Busy,
    /// A committed record.
    Record(&'a [u8]),
}

/// An mmap'd region, unmapped on drop.
#[derive(Debug)]
struct Mapping {
    addr: NonNull<libc::c_void>,
    len: usize,
}

impl Mapping {
    fn new(
        fd: BorrowedFd<'_>,
        len: usize,
        prot: libc::c_int,
        offset: usize,
    ) -> io::Result<Mapping> {
        // SAFETY: a fresh shared mapping of a BPF map fd; the kernel checks
        // the offset, length and protection against the map, and we own the
        // returned region until Drop unmaps it.
        let addr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                prot,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                offset as libc::off_t,
            )
        };
        if addr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let addr = NonNull::new(addr).ok_or_else(|| io::Error::from(io::ErrorKind::Other))?;
        Ok(Mapping { addr, len })
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: addr/len are exactly what mmap returned; nothing borrows the
        // region any more (the Ring holding it is being dropped).
        unsafe {
            libc::munmap(self.addr.as_ptr(), self.len);
        }
    }
}

/// Where a ring's memory comes from; kept alive as long as the reader.
#[derive(Debug)]
enum Backing {
    Kernel {
        _consumer: Mapping,
        _producer: Mapping,
    },
    Memory {
        _inner: std::sync::Arc<MemRingInner>,
    },
}

/// A reader of one BPF ring buffer.
#[derive(Debug)]
pub struct Ring {
    consumer_pos: NonNull<AtomicU64>,
    producer_pos: NonNull<AtomicU64>,
    data: NonNull<u8>,
    mask: u64,
    /// Our position: everything before it has been consumed.
    cons: u64,
    /// Last producer position seen.
    prod: u64,
    /// Last consumer position published to the kernel.
    published: u64,
    _backing: Backing,
}

// SAFETY: the raw pointers point into memory owned by `_backing` (an mmap or
// an Arc), which moves with the Ring; the shared words are only accessed
// through atomics, and a Ring has a single owner that reads the data area.
unsafe impl Send for Ring {}

impl Ring {
    /// Maps the ring buffer map `fd` whose data area is `size` bytes (the
    /// map's max_entries: a power of two, a multiple of the page size).
    pub fn from_map_fd(fd: BorrowedFd<'_>, size: usize) -> io::Result<Ring> {
        let page = page_size();
        if !size.is_power_of_two() || size % page != 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("ring size {size} must be a power of two and a multiple of {page}"),
            ));
        }
        let consumer = Mapping::new(fd, page, libc::PROT_READ | libc::PROT_WRITE, 0)?;
        let producer = Mapping::new(fd, page + 2 * size, libc::PROT_READ, page)?;
        let consumer_pos = consumer.addr.cast::<AtomicU64>();
        let producer_pos = producer.addr.cast::<AtomicU64>();
        // SAFETY: the producer mapping is page + 2*size bytes: data starts one
        // page in and spans 2*size bytes (the double mapping).
        let data = unsafe { NonNull::new_unchecked(producer.addr.as_ptr().cast::<u8>().add(page)) };
        // SAFETY: consumer_pos points to the first word of a live mapping.
        let cons = unsafe { consumer_pos.as_ref() }.load(Ordering::Acquire);
        Ok(Ring {
            consumer_pos,
            producer_pos,
            data,
            mask: size as u64 - 1,
            cons,
            prod: cons,
            published: cons,
            _backing: Backing::Kernel {
                _consumer: consumer,
                _producer: producer,
            },
        })
    }

    fn consumer_pos(&self) -> &AtomicU64 {
        // SAFETY: points into the live backing (see the struct invariant).
        unsafe { self.consumer_pos.as_ref() }
    }

    fn producer_pos(&self) -> &AtomicU64 {
        // SAFETY: as above.
        unsafe { self.producer_pos.as_ref() }
    }

    /// Size of the data area.
    pub fn size(&self) -> u64 {
        self.mask + 1
    }

    /// Bytes produced but not yet consumed.
    pub fn pending_bytes(&self) -> u64 {
        self.producer_pos()
            .load(Ordering::Acquire)
            .wrapping_sub(self.cons)
    }

    /// The producer's position now (everything below it is reserved; records
    /// may still be busy).
    pub fn producer(&self) -> u64 {
        self.producer_pos().load(Ordering::Acquire)
    }

    /// Our position: everything below it is consumed.
    pub fn consumer(&self) -> u64 {
        self.cons
    }

    /// Looks at the next record without consuming it, refreshing the
    /// producer position when everything seen so far is consumed.
    /// Discarded records are skipped. A corrupt length (longer than the
    /// ring) is an error.
    pub fn peek(&mut self) -> Result<Head<'_>, String> {
        if self.cons == self.prod {
            self.prod = self.producer();
        }
        let limit = self.prod;
        self.peek_below(limit)
    }

    /// Like [`peek`](Ring::peek), but never looks at or past `limit` (a
    /// producer position observed earlier): records reserved after it belong
    /// to a later batch.
    #[inline]
    pub fn peek_below(&mut self, limit: u64) -> Result<Head<'_>, String> {
        loop {
            if self.cons >= limit {
                return Ok(Head::Empty);
            }
            if self.prod < limit {
                self.prod = limit;
            }
            let off = (self.cons & self.mask) as usize;
            // SAFETY: off < size, and the header's 8 bytes lie inside the
            // double-mapped data area (2*size bytes). Records are 8-aligned,
            // so the u32 is aligned.
            let hdr = unsafe { &*self.data.as_ptr().add(off).cast::<AtomicU32>() };
            let len = hdr.load(Ordering::Acquire);
            if len & BUSY_BIT != 0 {
                return Ok(Head::Busy);
            }
            let body = u64::from(len & !(BUSY_BIT | DISCARD_BIT));
            if body + RINGBUF_HDR_SZ > self.size() || self.cons + round_up(body) > limit {
                return Err(format!(
                    "record of {body} bytes at position {} in a ring of {} (producer at {limit})",
                    self.cons,
                    self.size()
                ));
            }
            if len & DISCARD_BIT != 0 {
                self.cons += round_up(body);
                continue;
            }
            // SAFETY: the record body starts 8 bytes after its header and is at
            // most size - 8 bytes long: it lies inside the double mapping. The
            // producer will not touch it until we publish a consumer position
            // past it, and the returned slice borrows self mutably, so advance()
            // cannot run while it lives.
            let rec = unsafe {
                std::slice::from_raw_parts(
                    self.data.as_ptr().add(off + RINGBUF_HDR_SZ as usize),
                    body as usize,
                )
            };
            return Ok(Head::Record(rec));
        }
    }

    /// Consumes the record `peek` returned (of `len` bytes). The kernel sees
    /// the new position at the next [`publish`](Ring::publish), which happens
    /// by itself every few KiB.
    #[inline]
    pub fn advance(&mut self, len: usize) {
        self.cons += round_up(len as u64);
        if self.cons - self.published >= PUBLISH_EVERY {
            self.publish();
        }
    }

    /// Hands consumed space back to the producer.
    pub fn publish(&mut self) {
        if self.published != self.cons {
            self.consumer_pos().store(self.cons, Ordering::Release);
            self.published = self.cons;
        }
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        self.publish();
    }
}

fn round_up(body: u64) -> u64 {
    (body + RINGBUF_HDR_SZ + 7) & !7
}

/// The system page size.
pub fn page_size() -> usize {
    // SAFETY: sysconf has no memory-safety preconditions.
    let v = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if v > 0 {
        v as usize
    } else {
        4096
    }
}

#[derive(Debug)]
struct MemRingInner {
    consumer_pos: AtomicU64,
    producer_pos: AtomicU64,
    /// 2 * size bytes, the second half mirroring the first, as the kernel's
    /// double mapping does. u64 elements keep it 8-aligned.
    data: Box<[std::cell::UnsafeCell<u64>]>,
    size: u64,
}

// SAFETY: the data area is only written by the single MemRing producer at
// positions the reader has consumed (or not yet seen), with headers published
// by release stores: the same protocol as the kernel's.
unsafe impl Sync for MemRingInner {}
// SAFETY: as above.
unsafe impl Send for MemRingInner {}

/// A ring buffer in plain memory with the kernel's layout and protocol: the
/// producer side for tests and benchmarks of the reader and the merge.
#[derive(Debug, Clone)]
pub struct MemRing {
    inner: std::sync::Arc<MemRingInner>,
}

impl MemRing {
    /// A ring with a data area of `size` bytes (a power of two ≥ 16).
    pub fn new(size: usize) -> MemRing {
        assert!(
            size.is_power_of_two() && size >= 16,
            "ring size must be a power of two"
        );
        let words = 2 * size / 8;
        let data = (0..words)
            .map(|_| std::cell::UnsafeCell::new(0u64))
            .collect();
        MemRing {
            inner: std::sync::Arc::new(MemRingInner {
                consumer_pos: AtomicU64::new(0),
                producer_pos: AtomicU64::new(0),
                data,
                size: size as u64,
            }),
        }
    }

    fn base(&self) -> *mut u8 {
        self.inner.data.as_ptr() as *mut u8
    }

    /// Free space in bytes.
    pub fn free(&self) -> u64 {
        let prod = self.inner.producer_pos.load(Ordering::Relaxed);
        let cons = self.inner.consumer_pos.load(Ordering::Acquire);
        self.inner.size - (prod - cons)
    }

    /// Appends one committed record (or a discarded one); returns false when
    /// the ring is full, like a failed bpf_ringbuf_reserve.
    pub fn push(&self, body: &[u8], discard: bool) -> bool {
        let total = round_up(body.len() as u64);
        if total > self.free() {
            return false;
        }
        let prod = self.inner.producer_pos.load(Ordering::Relaxed);
        let mask = self.inner.size - 1;
        let base = self.base();
        let size = self.inner.size as usize;
        let write = |pos: u64, bytes: &[u8]| {
            for (i, b) in bytes.iter().enumerate() {
                let off = ((pos + i as u64) & mask) as usize;
                // SAFETY: off < size and off + size < 2 * size: both copies lie
                // inside the data area; these bytes are past the consumer
                // position, so no reader looks at them yet.
                unsafe {
                    base.add(off).write(*b);
                    base.add(off + size).write(*b);
                }
            }
        };
        write(prod + RINGBUF_HDR_SZ, body);
        let mut len = body.len() as u32;
        if discard {
            len |= DISCARD_BIT;
        }
        // Reserve (busy), publish the producer position, then commit: the
        // kernel's order.
        let hdr_off = (prod & mask) as usize;
        // SAFETY: hdr_off is 8-aligned and inside the first half; the mirror
        // copy of the header is never read (records start in the first half).
        let hdr = unsafe { &*base.add(hdr_off).cast::<AtomicU32>() };
        hdr.store(len | BUSY_BIT, Ordering::Relaxed);
        // SAFETY: as above, pg_off word right after len.
        unsafe { base.add(hdr_off + 4).cast::<u32>().write(0) };
        self.inner
            .producer_pos
            .store(prod + total, Ordering::Release);
        hdr.store(len, Ordering::Release);
        true
    }

    /// Reserves a record and leaves it busy (uncommitted); returns a handle
    /// to commit it later, or None when full.
    pub fn reserve_busy(&self, body: &[u8]) -> Option<impl FnOnce() + '_> {
        let total = round_up(body.len() as u64);
        if total > self.free() {
            return None;
        }
        let prod = self.inner.producer_pos.load(Ordering::Relaxed);
        let mask = self.inner.size - 1;
        let hdr_off = (prod & mask) as usize;
        let len = body.len() as u32;
        // SAFETY: see push().
        let hdr = unsafe { &*self.base().add(hdr_off).cast::<AtomicU32>() };
        hdr.store(len | BUSY_BIT, Ordering::Relaxed);
        self.inner
            .producer_pos
            .store(prod + total, Ordering::Release);
        let base = self.base();
        let size = self.inner.size as usize;
        let body = body.to_vec();
        Some(move || {
            for (i, b) in body.iter().enumerate() {
                let off = ((prod + RINGBUF_HDR_SZ + i as u64) & mask) as usize;
                // SAFETY: see push().
                unsafe {
                    base.add(off).write(*b);
                    base.add(off + size).write(*b);
                }
            }
            hdr.store(len, Ordering::Release);
        })
    }

    /// A reader of this ring.
    pub fn reader(&self) -> Ring {
        let inner = &self.inner;
        let cons = inner.consumer_pos.load(Ordering::Acquire);
        Ring {
            consumer_pos: NonNull::from(&inner.consumer_pos),
            producer_pos: NonNull::from(&inner.producer_pos),
            // SAFETY: the data box is non-empty (size ≥ 16).
            data: unsafe { NonNull::new_unchecked(self.base()) },
            mask: inner.size - 1,
            cons,
            prod: cons,
            published: cons,
            _backing: Backing::Memory {
                _inner: self.inner.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(tag: u8, len: usize) -> Vec<u8> {
        vec![tag; len]
    }

    #[test]
    fn records_come_back_in_order_and_wrap() {
        let ring = MemRing::new(256);
        let mut r = ring.reader();
        assert_eq!(r.peek().unwrap(), Head::Empty);
        for round in 0..50u8 {
            // 3 records of 40 bytes = 3 * 48 > half the ring: positions wrap.
            for i in 0..3 {
                assert!(ring.push(&rec(round.wrapping_mul(3) + i, 40), false));
            }
            for i in 0..3 {
                let Head::Record(b) = r.peek().unwrap() else {
                    panic!("expected a record")
                };
                assert_eq!(b, &rec(round.wrapping_mul(3) + i, 40)[..]);
                let n = b.len();
                r.advance(n);
            }
            r.publish();
            assert_eq!(r.peek().unwrap(), Head::Empty);
        }
    }

    #[test]
    fn full_ring_refuses_until_consumer_publishes() {
        let ring = MemRing::new(128);
        let mut r = ring.reader();
        assert!(ring.push(&rec(1, 56), false)); // 64 bytes
        assert!(ring.push(&rec(2, 56), false)); // 128: full
        assert!(!ring.push(&rec(3, 8), false));
        let Head::Record(b) = r.peek().unwrap() else {
            panic!()
        };
        let n = b.len();
        r.advance(n);
        // Not yet published: still full for the producer.
        assert!(!ring.push(&rec(3, 8), false));
        r.publish();
        assert!(ring.push(&rec(3, 8), false));
    }

    #[test]
    fn busy_blocks_and_discard_is_skipped() {
        let ring = MemRing::new(256);
        let mut r = ring.reader();
        assert!(ring.push(&rec(9, 16), true));
        let commit = ring.reserve_busy(&rec(7, 16)).unwrap();
        assert_eq!(r.peek().unwrap(), Head::Busy);
        commit();
        assert_eq!(r.peek().unwrap(), Head::Record(&rec(7, 16)[..]));
    }
}
