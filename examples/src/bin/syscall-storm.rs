//! syscall-storm: generate a known syscall load and report its rate, to
//! measure what capturing costs (run it with and without scap-open).
//!
//! ```text
//! syscall-storm getppid|openat|exec [--duration S] [--threads N]
//! ```

use std::ffi::CString;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Mode {
    /// getppid in a loop: the cheapest real syscall.
    Getppid,
    /// openat + close of /dev/null.
    Openat,
    /// fork + execve of /bin/true + wait.
    Exec,
}

#[derive(Parser, Debug)]
#[command(about = "Generate a syscall storm and report syscalls per second")]
struct Args {
    /// Which storm.
    mode: Mode,
    /// Seconds to run.
    #[arg(long, default_value_t = 5.0)]
    duration: f64,
    /// Threads (each on its own loop).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `mode` until `until`; returns the number of syscalls made.
fn storm(mode: Mode, until: Instant) -> u64 {
    let path = CString::new("/dev/null").unwrap_or_default();
    let truebin = CString::new("/bin/true").unwrap_or_default();
    let argv = [truebin.as_ptr(), std::ptr::null()];
    let envp = [std::ptr::null::<libc::c_char>()];
    let mut n = 0u64;
    loop {
        // Look at the clock every 4096 calls: it costs as much as a syscall.
        for _ in 0..4096 {
            match mode {
                Mode::Getppid => {
                    // SAFETY: getppid takes no arguments.
                    unsafe { libc::syscall(libc::SYS_getppid) };
                    n += 1;
                }
                Mode::Openat => {
                    // SAFETY: path is a valid NUL-terminated string; the fd is
                    // closed right away.
                    let fd = unsafe { libc::openat(libc::AT_FDCWD, path.as_ptr(), libc::O_RDONLY) };
                    if fd >= 0 {
                        // SAFETY: fd was just opened by us.
                        unsafe { libc::close(fd) };
                    }
                    n += 2;
                }
                Mode::Exec => {
                    // SAFETY: the child only calls execve and _exit, both
                    // async-signal-safe; argv/envp are NULL-terminated arrays of
                    // valid strings that outlive the call.
                    let pid = unsafe { libc::fork() };
                    if pid == 0 {
                        // SAFETY: see above.
                        unsafe {
                            libc::execve(truebin.as_ptr(), argv.as_ptr(), envp.as_ptr());
                            libc::_exit(127);
                        }
                    }
                    if pid > 0 {
                        let mut status = 0;
                        // SAFETY: pid is our child; status is a valid out-pointer.
                        unsafe { libc::waitpid(pid, &mut status, 0) };
                    }
                    n += 1;
                    break;
                }
            }
        }
        if Instant::now() >= until {
            return n;
        }
    }
}

fn main() {
    let args = Args::parse();
    let start = Instant::now();
    let until = start + Duration::from_secs_f64(args.duration);
    let handles: Vec<_> = (0..args.threads.max(1))
        .map(|_| std::thread::spawn(move || storm(args.mode, until)))
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().unwrap_or(0)).sum();
    let secs = start.elapsed().as_secs_f64();
    let rate = total as f64 / secs;
    let ns_per_call = if rate > 0.0 {
        1e9 * args.threads.max(1) as f64 / rate
    } else {
        0.0
    };
    if args.json {
        println!(
            "{{\"mode\":\"{:?}\",\"threads\":{},\"syscalls\":{total},\"seconds\":{secs:.3},\"per_second\":{rate:.0},\"ns_per_syscall_per_thread\":{ns_per_call:.1}}}",
            args.mode, args.threads
        );
    } else {
        println!(
            "{:?} x{}: {total} syscalls in {secs:.2} s = {rate:.0}/s ({ns_per_call:.1} ns per syscall per thread)",
            args.mode, args.threads
        );
    }
}
