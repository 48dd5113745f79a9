//! Merging the per-CPU rings into one stream ordered by timestamp.
//!
//! Each ring is ordered by itself (one CPU writes it and its clock is
//! monotonic), so merging the ring heads yields a global order. The merge
//! works in batches:
//!
//! 1. **Snapshot**: read every ring's producer position (one load per ring).
//!    The records below these positions form the batch; anything produced
//!    later waits for the next batch.
//! 2. **Merge**: the heads of the rings with records in the batch sit in a
//!    binary min-heap keyed by timestamp. Taking an event costs one sift of a
//!    heap of at most k entries, O(log k), instead of a scan of every ring
//!    head, O(k), which is what limits Falco's reader on many-CPU machines.
//! 3. When the heap is empty, take the next snapshot.
//!
//! The snapshot is the watermark that makes the order exact inside a batch:
//! a ring that was empty at the snapshot cannot slip an older event in
//! between, because its later events belong to the next batch, and they were
//! produced after the snapshot, so they are (up to the few hundred ns an
//! event is in flight) newer than everything in this one. Under load batches
//! are large and the snapshot's k loads vanish per event; when idle a batch
//! may hold one event, but then nothing is in a hurry.
//!
//! A record that is reserved but not yet committed (BUSY) stops its ring for
//! the rest of the batch, as the ring's order requires; the record joins the
//! next batch.
//!
//! Zero copy: [`Merger::step`] positions on a record that
//! [`Merger::current`] returns as a slice of the ring itself. The record is
//! consumed by the following `step`, which the borrow checker orders after
//! every use of the slice.

use crate::ring::{Head, Ring};

#[derive(Clone, Copy, Debug)]
struct Entry {
    ts: u64,
    ring: u32,
}

/// Per-ring reading statistics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RingCounters {
    /// Records delivered.
    pub events: u64,
    /// Bytes delivered (record bodies).
    pub bytes: u64,
}

/// A ring that broke the ring-buffer protocol.
#[derive(Debug)]
pub struct CorruptRing {
    /// Index of the ring.
    pub ring: usize,
    /// What was wrong.
    pub what: String,
}

/// A k-way merge over rings, by the timestamp in each record's first 8 bytes.
#[derive(Debug)]
pub struct Merger {
    rings: Vec<Ring>,
    /// Producer positions of the current batch's snapshot.
    limits: Vec<u64>,
    counters: Vec<RingCounters>,
    heap: Vec<Entry>,
    /// The ring whose head was handed out last, and that head's length.
    pending: Option<(u32, usize)>,
    /// That head: valid until the next step (see `current`).
    current: (*const u8, usize),
    batches: u64,
}

// SAFETY: `current` points into a ring owned by the merger (rings are Send);
// it is only dereferenced through &self while the merger is alive.
unsafe impl Send for Merger {}

impl Merger {
    /// A merger over `rings`; ring `i` is reported as index `i`.
    pub fn new(rings: Vec<Ring>) -> Merger {
        let n = rings.len();
        Merger {
            limits: rings.iter().map(Ring::consumer).collect(),
            rings,
            counters: vec![RingCounters::default(); n],
            heap: Vec::with_capacity(n),
            pending: None,
            current: (std::ptr::NonNull::dangling().as_ptr(), 0),
            batches: 0,
        }
    }

    /// Number of rings.
    pub fn len(&self) -> usize {
        self.rings.len()
    }

    /// No rings at all.
    pub fn is_empty(&self) -> bool {
        self.rings.is_empty()
    }

    /// Per-ring statistics, indexed like the rings.
    pub fn counters(&self) -> &[RingCounters] {
        &self.counters
    }

    /// The rings.
    pub fn rings(&self) -> &[Ring] {
        &self.rings
    }

    /// Snapshots taken so far (batches started).
    pub fn batches(&self) -> u64 {
        self.batches
    }

    /// The timestamp of ring `r`'s next record inside the batch, if any.
    fn head_ts(&mut self, r: usize) -> Result<Option<u64>, CorruptRing> {
        let limit = self.limits[r];
        match self.rings[r].peek_below(limit) {
            Ok(Head::Record(rec)) => {
                let mut ts = [0u8; 8];
                // A record too short for a timestamp sorts first; decoding
                // it will report the problem.
                if rec.len() >= 8 {
                    ts.copy_from_slice(&rec[..8]);
                }
                Ok(Some(u64::from_le_bytes(ts)))
            }
            Ok(Head::Empty | Head::Busy) => Ok(None),
            Err(what) => Err(CorruptRing { ring: r, what }),
        }
    }

    fn sift_down(&mut self, mut i: usize) {
        let n = self.heap.len();
        loop {
            let l = 2 * i + 1;
            if l >= n {
                break;
            }
            let r = l + 1;
            let c = if r < n && self.heap[r].ts < self.heap[l].ts {
                r
            } else {
                l
            };
            if self.heap[c].ts < self.heap[i].ts {
                self.heap.swap(c, i);
                i = c;
            } else {
                break;
            }
        }
    }

    /// Starts a batch: snapshot every producer and heap the rings' heads.
    fn snapshot(&mut self) -> Result<(), CorruptRing> {
        self.batches += 1;
        self.heap.clear();
        for r in 0..self.rings.len() {
            self.limits[r] = self.rings[r].producer();
            if let Some(ts) = self.head_ts(r)? {
                self.heap.push(Entry { ts, ring: r as u32 });
            }
        }
        // Floyd's heap construction: O(k).
        for i in (0..self.heap.len() / 2).rev() {
            self.sift_down(i);
        }
        Ok(())
    }

    /// Consumes the record handed out by the previous step, if any.
    fn commit(&mut self) -> Result<(), CorruptRing> {
        let Some((r, len)) = self.pending.take() else {
            return Ok(());
        };
        self.rings[r as usize].advance(len);
        // The committed ring is the heap's top: refresh its key in place.
        match self.head_ts(r as usize)? {
            Some(ts) => {
                self.heap[0].ts = ts;
                self.sift_down(0);
            }
            None => {
                let last = self.heap.len() - 1;
                self.heap.swap(0, last);
                self.heap.pop();
                self.sift_down(0);
            }
        }
        Ok(())
    }

    /// Moves to the oldest record across all rings, consuming the previous
    /// one, and returns its ring's index; `None` when every ring is empty (or
    /// its head is still being written). The record is [`current`](Self::current).
    pub fn step(&mut self) -> Result<Option<usize>, CorruptRing> {
        self.commit()?;
        self.current = (std::ptr::NonNull::dangling().as_ptr(), 0);
        if self.heap.is_empty() {
            self.snapshot()?;
        }
        let Some(top) = self.heap.first().copied() else {
            return Ok(None);
        };
        let r = top.ring as usize;
        let limit = self.limits[r];
        match self.rings[r].peek_below(limit) {
            Ok(Head::Record(rec)) => {
                self.pending = Some((top.ring, rec.len()));
                self.current = (rec.as_ptr(), rec.len());
                let c = &mut self.counters[r];
                c.events += 1;
                c.bytes += rec.len() as u64;
                Ok(Some(r))
            }
            // A ring in the heap has a committed head: peeking again cannot
            // change the answer until we advance.
            Ok(_) => Err(CorruptRing {
                ring: r,
                what: "head vanished".into(),
            }),
            Err(what) => Err(CorruptRing { ring: r, what }),
        }
    }

    /// The record the last [`step`](Self::step) moved to (empty if none).
    pub fn current(&self) -> &[u8] {
        // SAFETY: `current` is either (dangling, 0) or a record inside a ring
        // owned by self that is only consumed by the next step(), which needs
        // &mut self and so cannot run while this borrow lives.
        unsafe { std::slice::from_raw_parts(self.current.0, self.current.1) }
    }

    /// [`step`](Self::step) and [`current`](Self::current) together.
    pub fn next(&mut self) -> Result<Option<(usize, &[u8])>, CorruptRing> {
        Ok(self.step()?.map(|r| (r, self.current())))
    }

    /// Publishes every ring's consumer position (call before sleeping).
    pub fn publish_all(&mut self) {
        for r in &mut self.rings {
            r.publish();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ring::MemRing;

    fn rec(ts: u64) -> Vec<u8> {
        let mut v = ts.to_le_bytes().to_vec();
        v.extend_from_slice(&[0xab; 24]);
        v
    }

    fn ts_of(r: &[u8]) -> u64 {
        u64::from_le_bytes(r[..8].try_into().unwrap())
    }

    #[test]
    fn merges_by_timestamp_across_rings() {
        let rings: Vec<MemRing> = (0..5).map(|_| MemRing::new(1 << 14)).collect();
        // Interleaved timestamps: ring i holds i, i+5, i+10, ...
        for t in 0..500u64 {
            assert!(rings[(t % 5) as usize].push(&rec(t), false));
        }
        let mut m = Merger::new(rings.iter().map(MemRing::reader).collect());
        let mut seen = Vec::new();
        while let Some((cpu, r)) = m.next().unwrap() {
            assert_eq!(cpu as u64, ts_of(r) % 5);
            seen.push(ts_of(r));
        }
        assert_eq!(seen, (0..500).collect::<Vec<_>>());
        assert_eq!(m.counters().iter().map(|c| c.events).sum::<u64>(), 500);
    }

    #[test]
    fn producers_racing_the_consumer_still_come_out_in_order() {
        // Events keep arriving on random rings with a global clock while the
        // consumer reads: the output must be exactly sorted.
        let rings: Vec<MemRing> = (0..7).map(|_| MemRing::new(1 << 16)).collect();
        let mut m = Merger::new(rings.iter().map(MemRing::reader).collect());
        let mut clock = 0u64;
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut out = Vec::new();
        for _ in 0..2000 {
            for _ in 0..(x % 9) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                clock += 1;
                assert!(rings[(x % 7) as usize].push(&rec(clock), false));
            }
            for _ in 0..(x % 5) {
                if let Some((_, r)) = m.next().unwrap() {
                    out.push(ts_of(r));
                }
            }
        }
        while let Some((_, r)) = m.next().unwrap() {
            out.push(ts_of(r));
        }
        assert_eq!(out, (1..=clock).collect::<Vec<_>>());
    }

    #[test]
    fn a_late_record_waits_for_the_next_batch() {
        let rings: Vec<MemRing> = (0..3).map(|_| MemRing::new(1 << 16)).collect();
        for t in 0..100u64 {
            assert!(rings[0].push(&rec(1000 + t), false));
        }
        let mut m = Merger::new(rings.iter().map(MemRing::reader).collect());
        let (_, r) = m.next().unwrap().unwrap();
        assert_eq!(ts_of(r), 1000);
        // Produced after the snapshot: not part of this batch.
        assert!(rings[2].push(&rec(5), false));
        let mut rest = Vec::new();
        while let Some((cpu, r)) = m.next().unwrap() {
            rest.push((cpu, ts_of(r)));
        }
        assert_eq!(rest.len(), 100);
        assert_eq!(rest.last(), Some(&(2, 5)));
        // The first batch, the one holding the late record, the empty one that ended it.
        assert_eq!(m.batches(), 3);
    }

    #[test]
    fn busy_head_holds_its_ring_until_committed() {
        let rings: Vec<MemRing> = (0..2).map(|_| MemRing::new(1 << 12)).collect();
        let commit = rings[0].reserve_busy(&rec(1)).unwrap();
        assert!(rings[0].push(&rec(3), false));
        assert!(rings[1].push(&rec(2), false));
        let mut m = Merger::new(rings.iter().map(MemRing::reader).collect());
        // Ring 0 is blocked behind its busy head: only ts 2 comes out.
        let (cpu, r) = m.next().unwrap().unwrap();
        assert_eq!((cpu, ts_of(r)), (1, 2));
        assert!(m.next().unwrap().is_none());
        commit();
        let got: Vec<u64> =
            std::iter::from_fn(|| m.next().unwrap().map(|(_, r)| ts_of(r))).collect();
        assert_eq!(got, vec![1, 3]);
    }

    #[test]
    fn discarded_records_are_skipped() {
        let rings: Vec<MemRing> = (0..2).map(|_| MemRing::new(1 << 12)).collect();
        assert!(rings[0].push(&rec(1), true));
        assert!(rings[0].push(&rec(2), false));
        let mut m = Merger::new(rings.iter().map(MemRing::reader).collect());
        let (_, r) = m.next().unwrap().unwrap();
        assert_eq!(ts_of(r), 2);
        assert!(m.next().unwrap().is_none());
    }
}
