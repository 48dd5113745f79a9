//! Capture statistics: what userspace read, what the kernel attempted and
//! what it dropped, per CPU and in total. Events carry no sequence numbers, so
//! these counters are the only way a gap can show: they are never estimates.

use std::ops::AddAssign;

/// Counters of one CPU (or their sum).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuStats {
    /// Events delivered to the consumer.
    pub events: u64,
    /// Bytes delivered to the consumer.
    pub bytes: u64,
    /// Events the kernel attempted to write (delivered + dropped + in flight).
    pub attempted: u64,
    /// Dropped because the ring was full.
    pub drops_buffer: u64,
    /// Dropped because the event exceeded the maximum event size.
    pub drops_max_size: u64,
    /// Dropped because the CPU had no ring (it came online after the start).
    pub drops_no_ring: u64,
    /// Dropped because of a probe bug (a missing filler or scratch map).
    pub drops_bug: u64,
}

impl CpuStats {
    /// All drops, whatever the reason.
    pub fn drops(&self) -> u64 {
        self.drops_buffer + self.drops_max_size + self.drops_no_ring + self.drops_bug
    }
}

impl AddAssign for CpuStats {
    fn add_assign(&mut self, o: CpuStats) {
        self.events += o.events;
        self.bytes += o.bytes;
        self.attempted += o.attempted;
        self.drops_buffer += o.drops_buffer;
        self.drops_max_size += o.drops_max_size;
        self.drops_no_ring += o.drops_no_ring;
        self.drops_bug += o.drops_bug;
    }
}

/// Kernel-side counters of one attached program.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProgramStats {
    /// Program name.
    pub name: String,
    /// Runs the kernel skipped because the program was already running on
    /// that CPU: events lost before the probe could count them.
    pub recursion_misses: u64,
    /// Runs (only counted while `kernel.bpf_stats_enabled` is 1).
    pub run_cnt: u64,
    /// Total run time in ns (likewise).
    pub run_time_ns: u64,
}

/// A snapshot of an engine's counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Per CPU, indexed by CPU id (live) or empty (files).
    pub cpus: Vec<CpuStats>,
    /// The sum over CPUs.
    pub total: CpuStats,
    /// Per attached program (live only).
    pub programs: Vec<ProgramStats>,
}

impl Stats {
    /// All drops, including programs' recursion misses.
    pub fn drops(&self) -> u64 {
        self.total.drops() + self.recursion_misses()
    }

    /// Sum of the programs' recursion misses.
    pub fn recursion_misses(&self) -> u64 {
        self.programs.iter().map(|p| p.recursion_misses).sum()
    }
}
