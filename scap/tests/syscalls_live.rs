//! Live checks of what the strace witness cannot see: the values the probe
//! reads from the kernel rather than from the caller (inodes, devices,
//! kernel socket addresses, memory totals, the local ends of tuples, a path
//! resolved from a file handle, the sender of a signal), compared with what
//! the process itself observes right after each call.
//!
//! Without root these tests skip (saying so); with SCAP_REQUIRE_LIVE=1 a
//! probe that cannot load fails them.

mod common;

use std::ffi::CString;
use std::os::unix::fs::MetadataExt;
use std::time::Duration;

use common::{collect, open_live, Owned};
use scap::params::SockTuple;
use scap::schema::codes;
use scap::{Config, Event, ParamValue};

const TIMEOUT: Duration = Duration::from_secs(20);

fn config(syscalls: &[&str]) -> Config {
    Config {
        syscalls: Some(syscalls.iter().map(|s| s.to_string()).collect()),
        ..Config::default()
    }
}

fn p<'a>(ev: &Event<'a>, name: &'static str) -> ParamValue<'a> {
    ev.param_by_name(name)
        .unwrap_or_else(|e| panic!("{}: {e}", ev.name()))
        .value()
        .unwrap_or_else(|e| panic!("{}.{name}: {e}", ev.name()))
}

fn uint(ev: &Event<'_>, name: &'static str) -> u64 {
    p(ev, name)
        .as_u64()
        .unwrap_or_else(|| panic!("{}.{name} is not a number", ev.name()))
}

fn events_of<'a>(got: &'a [Owned], tid: i32, code: u16) -> Vec<Event<'a>> {
    got.iter()
        .map(Owned::event)
        .filter(|e| e.tid() == tid as u64 && e.event_type() == code)
        .collect()
}

/// Shared memory the forked child reports what it observed in.
struct Shared(*mut u64);

impl Shared {
    fn new() -> Shared {
        // SAFETY: an anonymous shared mapping; checked below.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                4096,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED);
        Shared(p.cast())
    }
    fn set(&self, i: usize, v: u64) {
        assert!(i < 512);
        // SAFETY: i is within the 4096-byte mapping.
        unsafe { self.0.add(i).write_volatile(v) }
    }
    fn get(&self, i: usize) -> u64 {
        assert!(i < 512);
        // SAFETY: as in set.
        unsafe { self.0.add(i).read_volatile() }
    }
}

/// Forks; the child runs `f` (raw syscalls on memory prepared before the
/// fork) and exits with its result.
fn spawn(f: impl FnOnce() -> i32) -> i32 {
    // SAFETY: the child only makes raw syscalls, then _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork");
    if pid == 0 {
        let code = f();
        // SAFETY: _exit is async-signal-safe.
        unsafe { libc::_exit(code) };
    }
    pid
}

fn wait(pid: i32) -> i32 {
    let mut status = 0;
    // SAFETY: pid is our child.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    status
}

fn kernel_dev(st_dev: u64) -> u64 {
    (u64::from(libc::major(st_dev)) << 20) | u64::from(libc::minor(st_dev))
}

fn sys(nr: libc::c_long, a: &[u64]) -> i64 {
    let mut v = [0u64; 6];
    v[..a.len()].copy_from_slice(a);
    // SAFETY: each call passes buffers prepared for it.
    unsafe { libc::syscall(nr, v[0], v[1], v[2], v[3], v[4], v[5]) as i64 }
}

fn fstat_ino(fd: i64, out: &Shared, slot: usize) {
    // SAFETY: stat is plain data.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: st is a valid out-pointer.
    if unsafe { libc::fstat(fd as i32, &mut st) } == 0 {
        out.set(slot, st.st_ino);
        out.set(slot + 1, kernel_dev(st.st_dev));
    }
}

#[test]
fn values_from_the_kernel_match_what_the_process_sees() {
    let Some(mut engine) = open_live(config(&[
        "pipe2",
        "socketpair",
        "sendmsg",
        "open_by_handle_at",
        "mmap",
        "connect",
        "accept4",
        "procexit",
    ])) else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("scap-kernel-values-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.canonicalize().unwrap();
    let file = dir.join("handled.txt");
    std::fs::write(&file, b"x").unwrap();
    let cfile = CString::new(file.to_str().unwrap()).unwrap();
    let cdir = CString::new(dir.to_str().unwrap()).unwrap();
    let status_path = CString::new("/proc/self/status").unwrap();
    let out = Shared::new();
    let mut status_buf = vec![0u8; 8192];
    let status_ptr = status_buf.as_mut_ptr() as u64;

    let child = spawn(|| {
        use libc::*;
        // A pipe: its inode.
        let mut fds = [0i32; 2];
        sys(SYS_pipe2, &[fds.as_mut_ptr() as u64, 0]);
        fstat_ino(fds[0].into(), &out, 0);
        // A UNIX pair, then a message on it: the message's tuple names the
        // two kernel sockets socketpair reported.
        let mut sv = [0i32; 2];
        sys(
            SYS_socketpair,
            &[AF_UNIX as u64, SOCK_DGRAM as u64, 0, sv.as_mut_ptr() as u64],
        );
        let data = *b"ping";
        let iov = iovec {
            iov_base: data.as_ptr() as *mut c_void,
            iov_len: data.len(),
        };
        // SAFETY: msghdr is plain data.
        let mut mh: msghdr = unsafe { std::mem::zeroed() };
        mh.msg_iov = &iov as *const iovec as *mut iovec;
        mh.msg_iovlen = 1;
        sys(SYS_sendmsg, &[sv[0] as u64, &mh as *const msghdr as u64, 0]);
        // A file reopened from its handle: path, inode and device.
        #[repr(C)]
        struct Handle {
            bytes: u32,
            kind: i32,
            f_handle: [u8; 128],
        }
        let mut h = Handle {
            bytes: 128,
            kind: 0,
            f_handle: [0; 128],
        };
        let mut mount_id: c_int = 0;
        sys(
            SYS_name_to_handle_at,
            &[
                AT_FDCWD as i64 as u64,
                cfile.as_ptr() as u64,
                &mut h as *mut Handle as u64,
                &mut mount_id as *mut c_int as u64,
                0,
            ],
        );
        let mfd = sys(
            SYS_openat,
            &[
                AT_FDCWD as i64 as u64,
                cdir.as_ptr() as u64,
                (O_RDONLY | O_DIRECTORY) as u64,
            ],
        );
        let hfd = sys(
            SYS_open_by_handle_at,
            &[mfd as u64, &mut h as *mut Handle as u64, O_RDONLY as u64],
        );
        fstat_ino(hfd, &out, 2);
        // Memory: the process's size right after an mmap.
        sys(
            SYS_mmap,
            &[
                0,
                1 << 20,
                (PROT_READ | PROT_WRITE) as u64,
                (MAP_PRIVATE | MAP_ANONYMOUS) as u64,
                u64::MAX,
                0,
            ],
        );
        let sfd = sys(
            SYS_openat,
            &[
                AT_FDCWD as i64 as u64,
                status_path.as_ptr() as u64,
                O_RDONLY as u64,
            ],
        );
        let n = sys(SYS_read, &[sfd as u64, status_ptr, 8191]);
        out.set(4, n as u64);
        // SAFETY: the buffer lives in this (forked) address space.
        let text =
            unsafe { std::slice::from_raw_parts(status_ptr as *const u8, n.max(0) as usize) };
        let vm = std::str::from_utf8(text)
            .ok()
            .and_then(|t| t.lines().find(|l| l.starts_with("VmSize:")))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        out.set(5, vm);
        // TCP over loopback: the local ends of both tuples.
        let inlen = std::mem::size_of::<sockaddr_in>() as u64;
        let lo = |port: u16| sockaddr_in {
            sin_family: AF_INET as u16,
            sin_port: port.to_be(),
            sin_addr: in_addr {
                s_addr: u32::from_be_bytes([127, 0, 0, 1]).to_be(),
            },
            sin_zero: [0; 8],
        };
        let srv = sys(SYS_socket, &[AF_INET as u64, SOCK_STREAM as u64, 0]) as u64;
        let any = lo(0);
        sys(SYS_bind, &[srv, &any as *const sockaddr_in as u64, inlen]);
        sys(SYS_listen, &[srv, 4]);
        let mut a = lo(0);
        let mut alen = inlen as u32;
        sys(
            SYS_getsockname,
            &[
                srv,
                &mut a as *mut sockaddr_in as u64,
                &mut alen as *mut u32 as u64,
            ],
        );
        out.set(6, u64::from(u16::from_be(a.sin_port)));
        let cli = sys(SYS_socket, &[AF_INET as u64, SOCK_STREAM as u64, 0]) as u64;
        sys(SYS_connect, &[cli, &a as *const sockaddr_in as u64, inlen]);
        let mut c = lo(0);
        let mut clen = inlen as u32;
        sys(
            SYS_getsockname,
            &[
                cli,
                &mut c as *mut sockaddr_in as u64,
                &mut clen as *mut u32 as u64,
            ],
        );
        out.set(7, u64::from(u16::from_be(c.sin_port)));
        sys(SYS_accept4, &[srv, 0, 0, 0]);
        0
    });
    assert_eq!(wait(child), 0);
    let got = collect(&mut engine, &[child as u64], TIMEOUT, |g| {
        !events_of(g, child, codes::PPME_PROCEXIT_1_E).is_empty()
    });
    drop(status_buf);

    let pipe = &events_of(&got, child, codes::PPME_SYSCALL_PIPE2_X)[0];
    assert_eq!(uint(pipe, "ino"), out.get(0), "pipe inode");

    let pair = &events_of(&got, child, codes::PPME_SOCKET_SOCKETPAIR_X)[0];
    let (source, peer) = (uint(pair, "source"), uint(pair, "peer"));
    assert!(source != 0 && peer != 0 && source != peer);
    let msg = &events_of(&got, child, codes::PPME_SOCKET_SENDMSG_X)[0];
    match p(msg, "tuple") {
        ParamValue::SockTuple(SockTuple::Unix {
            source: s, dest: d, ..
        }) => {
            assert_eq!((s, d), (source, peer), "the message's ends are the pair's")
        }
        other => panic!("sendmsg tuple {other:?}"),
    }

    let handle = &events_of(&got, child, codes::PPME_SYSCALL_OPEN_BY_HANDLE_AT_X)[0];
    assert_eq!(
        p(handle, "path").as_bytes(),
        Some(file.to_str().unwrap().as_bytes())
    );
    assert_eq!(uint(handle, "ino"), out.get(2));
    assert_eq!(uint(handle, "dev"), out.get(3));
    let meta = std::fs::metadata(&file).unwrap();
    assert_eq!(out.get(2), meta.ino());

    let mmap = events_of(&got, child, codes::PPME_SYSCALL_MMAP_X)
        .into_iter()
        .find(|e| uint(e, "length") == 1 << 20)
        .expect("the 1 MiB mmap");
    assert!(out.get(4) > 0 && out.get(5) > 0, "read /proc/self/status");
    assert_eq!(
        u64::from(uint(&mmap, "vm_size") as u32),
        out.get(5),
        "VmSize"
    );

    let (srv_port, cli_port) = (out.get(6) as u16, out.get(7) as u16);
    let conn = &events_of(&got, child, codes::PPME_SOCKET_CONNECT_X)[0];
    match p(conn, "tuple") {
        ParamValue::SockTuple(SockTuple::Inet { src, dst }) => {
            assert_eq!(
                (src.port(), dst.port()),
                (cli_port, srv_port),
                "connect: local first"
            );
            assert!(src.ip().is_loopback() && dst.ip().is_loopback());
        }
        other => panic!("connect tuple {other:?}"),
    }
    let acc = &events_of(&got, child, codes::PPME_SOCKET_ACCEPT4_6_X)[0];
    match p(acc, "tuple") {
        ParamValue::SockTuple(SockTuple::Inet { src, dst }) => {
            assert_eq!(
                (src.port(), dst.port()),
                (cli_port, srv_port),
                "accept: the client first"
            );
        }
        other => panic!("accept4 tuple {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn signal_deliveries_name_their_sender() {
    let Some(mut engine) = open_live(config(&["signaldeliver", "procexit"])) else {
        return;
    };
    let child = spawn(|| {
        extern "C" fn on_usr1(_: libc::c_int) {}
        // SAFETY: an empty handler; raw syscalls only.
        unsafe {
            libc::signal(libc::SIGUSR1, on_usr1 as *const () as libc::sighandler_t);
            libc::syscall(libc::SYS_kill, libc::getpid(), libc::SIGUSR1);
            // No core file: then die of a fault the kernel raises.
            let none = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &none);
            libc::signal(libc::SIGSEGV, libc::SIG_DFL);
            (0x10 as *mut u8).write_volatile(1);
        }
        0
    });
    let status = wait(child);
    assert!(libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGSEGV);
    let got = collect(&mut engine, &[child as u64], TIMEOUT, |g| {
        !events_of(g, child, codes::PPME_PROCEXIT_1_E).is_empty()
    });
    let sigs = events_of(&got, child, codes::PPME_SIGNALDELIVER_E);
    let usr1 = sigs
        .iter()
        .find(|e| uint(e, "sig") == libc::SIGUSR1 as u64)
        .expect("SIGUSR1 delivered");
    assert_eq!(
        p(usr1, "spid").as_i64(),
        Some(i64::from(child)),
        "sent by itself"
    );
    assert_eq!(p(usr1, "dpid").as_i64(), Some(i64::from(child)));
    let segv = sigs
        .iter()
        .find(|e| uint(e, "sig") == libc::SIGSEGV as u64)
        .expect("SIGSEGV delivered");
    assert_eq!(p(segv, "spid").as_i64(), Some(0), "raised by the kernel");
    let exit = &events_of(&got, child, codes::PPME_PROCEXIT_1_E)[0];
    assert_eq!(uint(exit, "sig"), libc::SIGSEGV as u64);
}
