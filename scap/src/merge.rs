//! Merging the per-CPU rings into one stream ordered by timestamp.
//!
//! Each ring is ordered by itself (one CPU writes it and its clock is
//! monotonic), so merging the ring heads yields a global order. The merge
//! works in batches:
//!
//! 1. **Snapshot**: read every ring's producer position (one load per ring).
//!    The records below these positions form the batch; anything produced
//!    later waits for the next batch.
//! 2. **Merge**: the rings' head timestamps play a tournament (a loser
//!    tree): taking an event replays one leaf-to-root path of log2(k)
//!    comparisons, each a conditional move rather than a branch (timestamps
//!    from different CPUs interleave randomly, so branches would mispredict
//!    at every level). A scan of every ring head, O(k) per event, is what
//!    limits Falco's reader on many-CPU machines.
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

/// Hints the CPU to bring the cache line at `p` closer. Never faults, whatever
/// `p` is.
#[inline(always)]
fn prefetch(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetch instructions have no architectural effect and do not
    // fault on any address; SSE is part of the x86_64 baseline.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Key of a ring with nothing left in the batch. Real timestamps are
/// clamped below it.
const EXHAUSTED: u64 = u64::MAX;

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
    /// Each ring's head in the batch: its timestamp (EXHAUSTED if none).
    keys: Vec<u64>,
    /// Each ring's head record (pointer, length), valid when its key is not
    /// EXHAUSTED, until the ring advances.
    heads: Vec<(*const u8, usize)>,
    /// The loser tree over `width` leaves (k rounded up to a power of two;
    /// leaves past k are permanently EXHAUSTED): node i > 0 holds the loser
    /// of the match played there; `winner` the overall winner.
    losers: Vec<u32>,
    width: usize,
    winner: u32,
    /// The ring handed out by the last step, whose head is consumed by the
    /// next one.
    pending: Option<u32>,
    batches: u64,
    /// Highest ring fill (bytes produced but not consumed, per mille of the
    /// ring size) seen at a snapshot since the last `take_peak_fill`.
    peak_fill: u32,
}

// SAFETY: the head pointers point into rings owned by the merger (rings are
// Send); they are only dereferenced through the merger.
unsafe impl Send for Merger {}

impl Merger {
    /// A merger over `rings`; ring `i` is reported as index `i`.
    pub fn new(rings: Vec<Ring>) -> Merger {
        let n = rings.len();
        let width = n.next_power_of_two().max(1);
        Merger {
            limits: rings.iter().map(Ring::consumer).collect(),
            rings,
            counters: vec![RingCounters::default(); n],
            keys: vec![EXHAUSTED; width],
            heads: vec![(std::ptr::NonNull::dangling().as_ptr(), 0); width],
            losers: vec![0; width],
            width,
            winner: 0,
            pending: None,
            batches: 0,
            peak_fill: 0,
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

    /// Loads ring `r`'s next record inside the batch into keys/heads.
    #[inline]
    fn load_head(&mut self, r: usize) -> Result<(), CorruptRing> {
        let limit = self.limits[r];
        match self.rings[r].peek_below(limit) {
            Ok(Head::Record(rec)) => {
                let ts = match rec.get(..8) {
                    Some(b) => u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
                    // Too short for a timestamp: sorts first, and decoding
                    // it will report the problem.
                    None => 0,
                };
                self.keys[r] = ts.min(EXHAUSTED - 1);
                self.heads[r] = (rec.as_ptr(), rec.len());
                // This ring's next record will be wanted about k events from
                // now. With many rings the hardware prefetcher cannot follow
                // that many streams: ask for its lines now.
                let next = rec.as_ptr().wrapping_add((rec.len() + 7) & !7);
                prefetch(next);
                prefetch(next.wrapping_add(64));
                Ok(())
            }
            Ok(Head::Empty | Head::Busy) => {
                self.keys[r] = EXHAUSTED;
                Ok(())
            }
            Err(what) => Err(CorruptRing { ring: r, what }),
        }
    }

    /// Replays the matches from leaf `r` to the root after its key changed.
    #[inline]
    fn replay(&mut self, r: usize) {
        let keys = &self.keys;
        let mut w = r as u32;
        let mut wkey = keys[r];
        let mut node = (r + self.width) >> 1;
        while node > 0 {
            let l = self.losers[node];
            let lkey = keys[l as usize];
            // The smaller key wins; ties go to the lower ring (stable).
            let l_wins = (lkey < wkey) | ((lkey == wkey) & (l < w));
            self.losers[node] = if l_wins { w } else { l };
            w = if l_wins { l } else { w };
            wkey = if l_wins { lkey } else { wkey };
            node >>= 1;
        }
        self.winner = w;
    }

    /// Plays the whole tournament from scratch: O(k).
    fn rebuild(&mut self) {
        // winners[i] for internal nodes, computed bottom-up.
        let w = self.width;
        let mut winners = vec![0u32; 2 * w];
        for (i, slot) in winners[w..].iter_mut().enumerate() {
            *slot = i as u32;
        }
        for node in (1..w).rev() {
            let a = winners[2 * node];
            let b = winners[2 * node + 1];
            let (ka, kb) = (self.keys[a as usize], self.keys[b as usize]);
            let b_wins = kb < ka;
            winners[node] = if b_wins { b } else { a };
            self.losers[node] = if b_wins { a } else { b };
        }
        self.winner = if w > 1 { winners[1] } else { 0 };
    }

    /// Starts a batch: snapshot every producer and play the tournament.
    fn snapshot(&mut self) -> Result<(), CorruptRing> {
        self.batches += 1;
        for r in 0..self.rings.len() {
            let ring = &self.rings[r];
            let prod = ring.producer();
            let fill =
                (prod.wrapping_sub(ring.consumer()).min(ring.size()) * 1000 / ring.size()) as u32;
            self.peak_fill = self.peak_fill.max(fill);
            self.limits[r] = prod;
            self.load_head(r)?;
        }
        self.rebuild();
        Ok(())
    }

    /// Moves to the oldest record across all rings, consuming the previous
    /// one, and returns its ring's index; `None` when every ring is empty (or
    /// its head is still being written). The record is [`current`](Self::current).
    #[inline]
    pub fn step(&mut self) -> Result<Option<usize>, CorruptRing> {
        if let Some(r) = self.pending.take() {
            let r = r as usize;
            let len = self.heads[r].1;
            self.rings[r].advance(len);
            self.load_head(r)?;
            self.replay(r);
        }
        if self.rings.is_empty() {
            return Ok(None);
        }
        if self.keys[self.winner as usize] == EXHAUSTED {
            self.snapshot()?;
            if self.keys[self.winner as usize] == EXHAUSTED {
                return Ok(None);
            }
        }
        let r = self.winner as usize;
        self.pending = Some(r as u32);
        let c = &mut self.counters[r];
        c.events += 1;
        c.bytes += self.heads[r].1 as u64;
        Ok(Some(r))
    }

    /// The record the last [`step`](Self::step) moved to (empty if none).
    #[inline]
    pub fn current(&self) -> &[u8] {
        match self.pending {
            Some(r) => {
                let (ptr, len) = self.heads[r as usize];
                // SAFETY: the head of a pending ring is a committed record
                // inside that ring (set by load_head from peek_below), not
                // consumed until the next step(), which needs &mut self and
                // so cannot run while this borrow lives.
                unsafe { std::slice::from_raw_parts(ptr, len) }
            }
            None => &[],
        }
    }

    /// [`step`](Self::step) and [`current`](Self::current) together.
    // Not an Iterator: each item borrows the merger until the next call, a
    // lending pattern Iterator cannot express.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<(usize, &[u8])>, CorruptRing> {
        Ok(self.step()?.map(|r| (r, self.current())))
    }

    /// The fullest any ring was (per mille of its size) at a snapshot since
    /// the last call: how close the consumer came to making the kernel drop.
    pub fn take_peak_fill(&mut self) -> u32 {
        std::mem::take(&mut self.peak_fill)
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
