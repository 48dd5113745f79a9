//! The live engine: loads the probe, creates one ring per CPU, attaches the
//! programs the configuration needs and merges the rings by timestamp.
//!
//! Lifecycle (the order libbpf-bootstrap's tools follow): open the skeleton →
//! size the per-CPU maps → load (verify) → fill the filler table → create and
//! register the rings → write the settings → attach. Dropping the engine
//! detaches and unloads everything.

use std::mem::{ManuallyDrop, MaybeUninit};
use std::os::fd::{AsFd, AsRawFd};
use std::ptr::NonNull;
use std::sync::Mutex;
use std::time::Duration;

use driver_bpf::{ProbeSkel, ProbeSkelBuilder};
use libbpf_rs::skel::{OpenSkel, Skel, SkelBuilder};
use libbpf_rs::{Link, MapCore, MapFlags, MapHandle, MapType, OpenObject};
use scap_schema::Arch;

use crate::config::{Config, SyscallPlan};
use crate::engine::{Engine, Next};
use crate::error::{Error, Result};
use crate::event::Event;
use crate::merge::Merger;
use crate::ring::Ring;
use crate::stats::{CpuStats, ProgramStats, Stats};
use crate::support;

/// Shortest sleep between polls of empty rings.
const MIN_SLEEP: Duration = Duration::from_micros(50);
/// Longest sleep between polls: at 2 M events/s per CPU (~100 MB/s) an
/// 8 MiB ring fills in ~80 ms, so a 10 ms poll leaves a wide margin.
const MAX_SLEEP: Duration = Duration::from_millis(10);
/// Above this ring fill (per mille) at a wake-up, poll twice as often.
const HIGH_FILL: u32 = 250;

/// The loaded probe: the skeleton, the links that attach it and the rings'
/// maps. The skeleton borrows its `OpenObject` storage, which must therefore
/// outlive it; both live here, the storage on the heap at a stable address.
struct Probe {
    skel: ManuallyDrop<ProbeSkel<'static>>,
    storage: NonNull<MaybeUninit<OpenObject>>,
    links: Vec<(&'static str, Link)>,
    _ring_maps: Vec<MapHandle>,
}

impl Drop for Probe {
    fn drop(&mut self) {
        // Detach first, then close the object, then free its storage.
        self.links.clear();
        // SAFETY: the skeleton is dropped exactly once, here, before the
        // storage it borrows is freed.
        unsafe { ManuallyDrop::drop(&mut self.skel) };
        // SAFETY: storage came from Box::into_raw in load(); the skeleton that
        // borrowed it is gone, and MaybeUninit needs no drop of its content
        // (the skeleton's drop already closed the object).
        drop(unsafe { Box::from_raw(self.storage.as_ptr()) });
    }
}

// SAFETY: the skeleton holds libbpf pointers that are only used through
// &mut self; libbpf objects are not tied to the thread that created them.
unsafe impl Send for Probe {}

/// libbpf's messages during load, so a verifier rejection can quote its log.
static LOAD_LOG: Mutex<String> = Mutex::new(String::new());

fn capture_log(_level: libbpf_rs::PrintLevel, msg: String) {
    if let Ok(mut log) = LOAD_LOG.lock() {
        // Bound the memory a long verifier log can take.
        if log.len() < 4 << 20 {
            log.push_str(&msg);
        }
    }
}

fn log_tail(log: &str, lines: usize) -> String {
    let v: Vec<&str> = log.lines().collect();
    v[v.len().saturating_sub(lines)..].join("\n")
}

/// The program a libbpf load failure names ("prog 'X': ...").
fn failed_program(log: &str) -> Option<String> {
    let at = log.rfind("prog '")?;
    let rest = &log[at + 6..];
    Some(rest[..rest.find('\'')?].to_string())
}

/// Where tracefs shows the syscall tracepoints, mounted or not.
const TRACEFS_SYSCALLS: [&str; 2] = [
    "/sys/kernel/tracing/events/syscalls",
    "/sys/kernel/debug/tracing/events/syscalls",
];

/// The enter-event programs (`syscalls:sys_enter_*` tracepoints) attach
/// through tracefs: say so clearly when it is not there, instead of
/// libbpf's "No such file or directory".
fn check_syscall_tracepoints() -> Result<()> {
    if TRACEFS_SYSCALLS
        .iter()
        .any(|d| std::path::Path::new(d).is_dir())
    {
        return Ok(());
    }
    Err(Error::Unsupported {
        feature: "a mounted tracefs, where the enter events of open, openat, openat2, creat and connect attach (syscalls:sys_enter_*)",
        hint: "mount tracefs (`mount -t tracefs tracefs /sys/kernel/tracing`), or leave these syscalls out of the selection",
    })
}

/// Epoch ns at boot: CLOCK_REALTIME − CLOCK_BOOTTIME, from the closest pair of
/// readings out of a few, so the probe's timestamps are wall-clock ns.
pub fn boot_time_ns() -> u64 {
    fn now(clock: libc::clockid_t) -> u64 {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: ts is a valid out-pointer for clock_gettime.
        unsafe { libc::clock_gettime(clock, &mut ts) };
        ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
    }
    let mut best = (u64::MAX, 0u64);
    for _ in 0..10 {
        let b1 = now(libc::CLOCK_BOOTTIME);
        let r = now(libc::CLOCK_REALTIME);
        let b2 = now(libc::CLOCK_BOOTTIME);
        let width = b2 - b1;
        if width < best.0 {
            best = (width, r - (b1 + width / 2));
        }
    }
    best.1
}

/// CPU ids listed in a sysfs cpu list such as "0-3,8".
fn parse_cpu_list(s: &str) -> Vec<u32> {
    let mut v = Vec::new();
    for part in s.trim().split(',').filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        if let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) {
            v.extend(a..=b);
        }
    }
    v
}

fn online_cpus() -> Result<Vec<u32>> {
    let s = std::fs::read_to_string("/sys/devices/system/cpu/online")
        .map_err(|e| Error::io("reading /sys/devices/system/cpu/online", e))?;
    Ok(parse_cpu_list(&s))
}

/// Captures from the running kernel through the eBPF probe.
pub struct LiveEngine {
    merger: Merger,
    /// CPU id of each ring, by ring index.
    ring_cpus: Vec<u32>,
    probe: Probe,
    sleep: Duration,
    /// Events delivered since the last sleep.
    since_sleep: u64,
    config: Config,
}

impl LiveEngine {
    /// Loads, configures and attaches the probe.
    pub fn open(config: Config) -> Result<LiveEngine> {
        config.validate()?;
        let arch = Arch::native().ok_or(Error::Unsupported {
            feature: "a supported architecture",
            hint: "the probe is built for x86_64 and aarch64",
        })?;
        let plan = config.plan(arch)?;
        support::check_kernel()?;
        support::raise_memlock()?;

        let ncpus = libbpf_rs::num_possible_cpus()
            .map_err(|e| Error::bpf("counting possible CPUs", e))? as u32;

        // The skeleton borrows this storage for as long as it lives: give it
        // a stable heap address, reclaimed in Probe::drop.
        let storage = NonNull::from(Box::leak(Box::new(MaybeUninit::<OpenObject>::uninit())));
        // SAFETY: the storage stays allocated until Probe::drop, which drops
        // the skeleton first; nothing else aliases it.
        let storage_ref: &'static mut MaybeUninit<OpenObject> = unsafe { &mut *storage.as_ptr() };
        let skel = match Self::load(storage_ref, ncpus) {
            Ok(s) => s,
            Err(e) => {
                // SAFETY: load() failed, so no skeleton borrows the storage
                // any more (it was dropped inside load()).
                drop(unsafe { Box::from_raw(storage.as_ptr()) });
                return Err(e);
            }
        };
        let mut probe = Probe {
            skel: ManuallyDrop::new(skel),
            storage,
            links: Vec::new(),
            _ring_maps: Vec::new(),
        };

        Self::fill_fillers(&mut probe, &plan)?;
        let (rings, ring_cpus, maps) = Self::create_rings(&mut probe, config.ring_bytes)?;
        probe._ring_maps = maps;
        Self::write_settings(&mut probe, &config, &plan, arch)?;
        Self::attach(&mut probe, &plan, &config, arch)?;

        Ok(LiveEngine {
            merger: Merger::new(rings),
            ring_cpus,
            probe,
            sleep: MIN_SLEEP,
            since_sleep: 0,
            config,
        })
    }

    fn load(
        storage: &'static mut MaybeUninit<OpenObject>,
        ncpus: u32,
    ) -> Result<ProbeSkel<'static>> {
        let mut open = ProbeSkelBuilder::default()
            .open(storage)
            .map_err(|e| Error::bpf("opening the probe object", e))?;
        for map in [
            &mut open.maps.rings,
            &mut open.maps.counters,
            &mut open.maps.scratch_maps,
        ] {
            map.set_max_entries(ncpus)
                .map_err(|e| Error::bpf("sizing per-CPU maps", e))?;
        }
        if let Ok(mut log) = LOAD_LOG.lock() {
            log.clear();
        }
        let prev = libbpf_rs::set_print(Some((libbpf_rs::PrintLevel::Warn, capture_log)));
        let loaded = open.load();
        libbpf_rs::set_print(prev);
        loaded.map_err(|source| {
            let log = LOAD_LOG.lock().map(|l| l.clone()).unwrap_or_default();
            // A program the verifier refused names itself in the log (its
            // errno, EACCES or EPERM, would otherwise read as a missing
            // privilege); without one, a permission error is just that.
            let program = failed_program(&log);
            if program.is_none() && matches!(source.kind(), libbpf_rs::ErrorKind::PermissionDenied)
            {
                return Error::bpf("loading the probe", source);
            }
            match program {
                Some(program) => Error::Verifier {
                    program,
                    log: log_tail(&log, 60),
                    source: Box::new(source),
                },
                None => Error::Bpf {
                    op: format!("loading the probe\n{}", log_tail(&log, 20)),
                    source: Box::new(source),
                },
            }
        })
    }

    fn fill_fillers(probe: &mut Probe, plan: &SyscallPlan) -> Result<()> {
        let skel = &mut *probe.skel;
        for &(nr, prog_name) in &plan.fillers {
            let prog = skel
                .object()
                .progs()
                .find(|p| p.name() == prog_name)
                .ok_or_else(|| Error::Config(format!("the probe has no program {prog_name}")))?;
            let fd = prog.as_fd().as_raw_fd() as u32;
            skel.maps
                .exit_fillers
                .update(
                    &u32::from(nr).to_ne_bytes(),
                    &fd.to_ne_bytes(),
                    MapFlags::ANY,
                )
                .map_err(|e| Error::bpf(format!("registering filler {prog_name}"), e))?;
        }
        Ok(())
    }

    fn create_rings(
        probe: &mut Probe,
        bytes: usize,
    ) -> Result<(Vec<Ring>, Vec<u32>, Vec<MapHandle>)> {
        let cpus = online_cpus()?;
        let mut rings = Vec::with_capacity(cpus.len());
        let mut maps = Vec::with_capacity(cpus.len());
        let opts = libbpf_rs::libbpf_sys::bpf_map_create_opts {
            sz: std::mem::size_of::<libbpf_rs::libbpf_sys::bpf_map_create_opts>() as _,
            ..Default::default()
        };
        for &cpu in &cpus {
            let map = MapHandle::create(
                MapType::RingBuf,
                Some(format!("ring{cpu}")),
                0,
                0,
                bytes as u32,
                &opts,
            )
            .map_err(|e| {
                Error::bpf(
                    format!("creating the ring buffer of CPU {cpu} ({bytes} bytes)"),
                    e,
                )
            })?;
            let fd = map.as_fd().as_raw_fd() as u32;
            probe
                .skel
                .maps
                .rings
                .update(&cpu.to_ne_bytes(), &fd.to_ne_bytes(), MapFlags::ANY)
                .map_err(|e| Error::bpf(format!("registering the ring of CPU {cpu}"), e))?;
            rings.push(
                Ring::from_map_fd(map.as_fd(), bytes)
                    .map_err(|e| Error::io(format!("mapping the ring of CPU {cpu}"), e))?,
            );
            maps.push(map);
        }
        Ok((rings, cpus, maps))
    }

    fn write_settings(
        probe: &mut Probe,
        config: &Config,
        plan: &SyscallPlan,
        arch: Arch,
    ) -> Result<()> {
        let bss = probe
            .skel
            .maps
            .bss_data
            .as_deref_mut()
            .ok_or_else(|| Error::Config("the probe's .bss is not memory-mapped".into()))?;
        bss.g_settings.boot_time = boot_time_ns();
        bss.g_settings.snaplen = config.snaplen;
        bss.g_settings.self_tgid = if config.exclude_self {
            std::process::id()
        } else {
            0
        };
        bss.g_settings.drop_failed = u32::from(config.drop_failed);
        bss.g_settings.child_from_fork_tp = u32::from(Self::child_from_fork_tp(config, arch));
        bss.g_syscalls.copy_from_slice(&plan.table);
        Ok(())
    }

    fn child_from_fork_tp(config: &Config, arch: Arch) -> bool {
        // On x86_64 the new child returns through sys_exit; on arm64 it does not.
        config
            .child_from_fork_tracepoint
            .unwrap_or(arch != Arch::X86_64)
    }

    fn attach(probe: &mut Probe, plan: &SyscallPlan, config: &Config, arch: Arch) -> Result<()> {
        let any_syscall = plan.table.iter().any(|v| *v != 0);
        let mut wanted: Vec<(&'static str, bool)> = vec![
            ("sys_exit", any_syscall),
            ("sched_process_exec", plan.exec),
            ("sched_process_exit", plan.procexit),
            (
                "sched_process_fork",
                plan.clone_family && Self::child_from_fork_tp(config, arch),
            ),
            ("signal_deliver", plan.signaldeliver),
        ];
        if !plan.enter.is_empty() {
            check_syscall_tracepoints()?;
            wanted.extend(plan.enter.iter().map(|p| (*p, true)));
        }
        for (name, want) in wanted {
            if !want {
                continue;
            }
            let prog = probe
                .skel
                .object()
                .progs_mut()
                .find(|p| p.name() == name)
                .ok_or_else(|| Error::Config(format!("the probe has no program {name}")))?;
            let link = prog
                .attach()
                .map_err(|e| Error::bpf(format!("attaching {name}"), e))?;
            probe.links.push((name, link));
        }
        Ok(())
    }

    /// The configuration the engine runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The kernel's per-CPU counters, indexed by CPU id.
    fn kernel_counters(&self) -> Result<Vec<driver_bpf::types::counters>> {
        let map = &self.probe.skel.maps.counters;
        let n = map.max_entries();
        let mut out = Vec::with_capacity(n as usize);
        for cpu in 0..n {
            let mut c = driver_bpf::types::counters::default();
            let mut buf = [0u8; std::mem::size_of::<driver_bpf::types::counters>()];
            if map
                .lookup_into(&cpu.to_ne_bytes(), &mut buf, MapFlags::ANY)
                .map_err(|e| Error::bpf("reading the probe's counters", e))?
            {
                let field = |i: usize| {
                    u64::from_ne_bytes(buf[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]))
                };
                c.n_evts = field(0);
                c.n_drops_buffer = field(1);
                c.n_drops_max_size = field(2);
                c.n_drops_no_ring = field(3);
                c.n_drops_bug = field(4);
            }
            out.push(c);
        }
        Ok(out)
    }

    fn program_stats(&self) -> Vec<ProgramStats> {
        self.probe
            .links
            .iter()
            .filter_map(|(name, _)| {
                let prog = self
                    .probe
                    .skel
                    .object()
                    .progs()
                    .find(|p| p.name() == *name)?;
                let info = support::prog_info(prog.as_fd())?;
                Some(ProgramStats {
                    name: name.to_string(),
                    recursion_misses: info.recursion_misses,
                    run_cnt: info.run_cnt,
                    run_time_ns: info.run_time_ns,
                })
            })
            .collect()
    }
}

impl Engine for LiveEngine {
    // Inlined into the caller's loop: the event then stays in registers
    // instead of round-tripping through a stack slot on every call.
    #[inline]
    fn next(&mut self) -> Result<Next<'_>> {
        match self.merger.step() {
            Ok(Some(ring)) => {
                self.since_sleep += 1;
                let cpu = self.ring_cpus.get(ring).copied().unwrap_or(ring as u32) as u16;
                let event = Event::parse(self.merger.current())?;
                Ok(Next::Event { cpu, event })
            }
            Ok(None) => {
                // Every ring is drained. Waking up costs several µs of CPU, so
                // sleep as long as the rings can safely absorb: back off while
                // nothing comes, hold the pace while events flow, and poll
                // faster only when a ring got more than a quarter full.
                self.merger.publish_all();
                let peak = self.merger.take_peak_fill();
                if peak > HIGH_FILL {
                    self.sleep = (self.sleep / 2).max(MIN_SLEEP);
                } else if self.since_sleep == 0 {
                    self.sleep = (self.sleep * 2).min(MAX_SLEEP);
                }
                self.since_sleep = 0;
                std::thread::sleep(self.sleep);
                Ok(Next::Timeout)
            }
            Err(c) => Err(Error::RingCorrupt {
                ring: c.ring,
                what: c.what,
            }),
        }
    }

    fn stats(&self) -> Result<Stats> {
        let kernel = self.kernel_counters()?;
        let mut cpus = vec![CpuStats::default(); kernel.len()];
        for (cpu, k) in kernel.iter().enumerate() {
            cpus[cpu] = CpuStats {
                attempted: k.n_evts,
                drops_buffer: k.n_drops_buffer,
                drops_max_size: k.n_drops_max_size,
                drops_no_ring: k.n_drops_no_ring,
                drops_bug: k.n_drops_bug,
                ..CpuStats::default()
            };
        }
        for (ring, c) in self.merger.counters().iter().enumerate() {
            let cpu = self.ring_cpus[ring] as usize;
            if let Some(s) = cpus.get_mut(cpu) {
                s.events = c.events;
                s.bytes = c.bytes;
            }
        }
        let mut total = CpuStats::default();
        for c in &cpus {
            total += *c;
        }
        Ok(Stats {
            cpus,
            total,
            programs: self.program_stats(),
        })
    }

    fn name(&self) -> &'static str {
        "live"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists() {
        assert_eq!(parse_cpu_list("0-3,8\n"), vec![0, 1, 2, 3, 8]);
        assert_eq!(parse_cpu_list("0"), vec![0]);
        assert_eq!(parse_cpu_list(""), Vec::<u32>::new());
    }

    #[test]
    fn boot_time_is_plausible() {
        let bt = boot_time_ns();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        assert!(bt < now && bt > 1_500_000_000_000_000_000);
    }

    #[test]
    fn verifier_log_names_the_program() {
        let log = "libbpf: prog 'openat_x': BPF program load failed: Permission denied\nlibbpf: prog 'openat_x': -- BEGIN PROG LOAD LOG --\nR1 invalid mem access\n";
        assert_eq!(failed_program(log).as_deref(), Some("openat_x"));
        assert_eq!(log_tail(log, 1), "R1 invalid mem access");
    }
}
