//! Evaluation allocates nothing on the common path: strings are compared
//! borrowed, constants were prepared at compile time, single-valued fields
//! build no list. Counted with a global allocator over the bundled sample;
//! the same counter shows that `and`/`or` stop at the first decisive check.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use sinsp::{Filter, Inspector, SinspNext};

struct Counting;

thread_local! {
    /// Counting on this thread (tests run in parallel).
    static ON: Cell<bool> = const { Cell::new(false) };
    /// Allocations counted on this thread.
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    if ON.with(Cell::get) {
        ALLOCS.with(|a| a.set(a.get() + 1));
    }
}

fn allocated() -> usize {
    ALLOCS.with(Cell::get)
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// thread-local counters are const-initialised cells and do not allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above; `ptr` came from `alloc`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// (matches, allocations made inside `matches`) over the sample.
fn run(cond: &str) -> (usize, usize) {
    let f = Filter::compile(cond).unwrap_or_else(|e| panic!("{cond}: {e}"));
    let mut insp = Inspector::open_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../samples/sample.scap"
    ))
    .expect("the sample opens");
    let (mut hits, mut allocs) = (0, 0);
    loop {
        match insp.next().expect("event") {
            SinspEvent(e) => {
                let before = allocated();
                ON.with(|c| c.set(true));
                let hit = f.matches(&e);
                ON.with(|c| c.set(false));
                allocs += allocated() - before;
                hits += usize::from(hit);
            }
            SinspNext::Timeout => continue,
            SinspNext::Eof => return (hits, allocs),
        }
    }
}

use SinspNext::Event as SinspEvent;

#[test]
fn typical_conditions_evaluate_without_allocating() {
    for cond in [
        "evt.type in (execve, execveat) and evt.rawres = 0 and proc.name in (bash, sh, dash, \
         zsh, python3, perl, curl, wget, nc, dropped, patched) and not proc.pname in (systemd, \
         runc) and (proc.exepath startswith /tmp/ or proc.is_exe_upper_layer = true)",
        "evt.type in (open, openat, openat2) and evt.is_open_read = true and fd.name pmatch \
         (/etc, /usr/lib) and not fd.name startswith /etc/ld.so and not fd.name glob '*.conf' \
         and not proc.name in (bash, cat)",
        "fd.sip = 127.0.0.1 or fd.net = 10.0.0.0/8 or fd.sport in (80, 443, 18080)",
        "fd.name icontains NOTES or fd.name endswith .txt or fd.directory = /tmp",
        "evt.buffer bcontains 2f62696e or evt.buffer contains ELF",
        "proc.name = val(proc.pname) or proc.pid < val(proc.ppid)",
        "evt.type = getppid or syscall.type = close",
        "user.name = root and group.name = root and not evt.failed = true",
        "basename(fd.name) = notes.txt or len(proc.name) > 14",
    ] {
        let (hits, allocs) = run(cond);
        assert_eq!(allocs, 0, "{cond}: {allocs} allocations ({hits} matches)");
        assert!(hits > 0, "{cond} matches nothing");
    }
    // The regex engine fills its lazy DFA cache as it meets new inputs:
    // a few allocations over the whole capture, not one per event.
    let (hits, allocs) = run("fd.name regex '/etc/[a-z]+' or fd.name exists");
    assert!(
        hits > 5000 && allocs < 200,
        "{hits} matches, {allocs} allocations"
    );
}

#[test]
fn and_and_or_stop_at_the_first_decisive_check() {
    // proc.cmdline is built (allocated) on each extraction: the counter
    // tells whether it was evaluated.
    let (_, allocs) = run("proc.cmdline contains x");
    assert!(allocs > 20_000, "{allocs}");
    let (hits, allocs) = run("evt.type = io_uring_setup and proc.cmdline contains x");
    assert_eq!((hits, allocs), (0, 0));
    let (_, allocs) = run("fd.num exists or proc.cmdline contains x");
    let (_, without_fd) = run("not fd.num exists and proc.cmdline contains x");
    assert_eq!(
        allocs, without_fd,
        "or evaluates its second check only without an fd"
    );
    let (_, per_execve) = run("evt.type = execve and proc.cmdline contains x");
    assert!(per_execve >= 496, "a cmdline per execve: {per_execve}");
    let (_, allocs) = run("not (evt.type != execve or proc.cmdline contains x)");
    assert_eq!(allocs, per_execve);
}
