//! Memory per tracked process: builds tables of 10,000 single-threaded
//! processes with 10 open files each (typical lengths: a 30-byte path, 5
//! arguments, 25 environment variables, 13 cgroups) and counts the bytes the
//! allocator hands out. Prints one line; not a criterion benchmark.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use scap::file::{FdEntry, FdInfo, Metadata, ThreadEntry};
use sinsp::state::{Limits, State};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator, only counting sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Ordering::Relaxed);
        // SAFETY: same layout contract as ours.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        // SAFETY: p came from System.alloc with this layout.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new, Ordering::Relaxed);
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        // SAFETY: p came from System with layout l.
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn main() {
    const N: u64 = 10_000;
    let env: Vec<u8> = (0..25)
        .flat_map(|i| format!("VARIABLE_{i}=some/value/{i}\0").into_bytes())
        .collect();
    let cgroups: Vec<u8> = [
        "cpuset",
        "cpu",
        "cpuacct",
        "io",
        "memory",
        "devices",
        "freezer",
        "net_cls",
        "perf_event",
        "net_prio",
        "hugetlb",
        "pids",
        "unified",
    ]
    .iter()
    .flat_map(|s| format!("{s}=/system.slice/some-service.service\0").into_bytes())
    .collect();
    let threads: Vec<ThreadEntry> = (0..N)
        .map(|i| ThreadEntry {
            tid: 1000 + i,
            pid: 1000 + i,
            ptid: 1,
            comm: b"worker".to_vec(),
            exe: b"/usr/bin/worker".to_vec(),
            exepath: b"/usr/bin/worker".to_vec(),
            args: b"--config\0/etc/worker.conf\0--verbose\0--port\08080\0".to_vec(),
            cwd: b"/var/lib/worker".to_vec(),
            env: env.clone(),
            cgroups: cgroups.clone(),
            fds: (0..10)
                .map(|fd| FdEntry {
                    fd,
                    ino: 100 + fd as u64,
                    info: FdInfo::File {
                        open_flags: 1,
                        path: format!("/var/lib/worker/data/file-{fd:04}.db").into_bytes(),
                        dev: 0x800001,
                    },
                })
                .collect(),
            ..ThreadEntry::default()
        })
        .collect();
    let meta = Metadata {
        threads,
        ..Metadata::default()
    };
    let before = LIVE.load(Ordering::Relaxed);
    let state = State::from_metadata(&meta, Limits::default());
    let after = LIVE.load(Ordering::Relaxed);
    let per = (after - before) as f64 / N as f64;
    println!(
        "state_memory: {} processes with 10 fds each: {:.0} bytes per process, everything included (FdInfo is {} bytes plus its name)",
        state.sizes().processes,
        per,
        std::mem::size_of::<sinsp::state::FdInfo>()
    );
}
