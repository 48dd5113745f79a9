//! Live tests: the real probe on the running kernel. Each test forks children
//! that make known syscalls with known arguments, then checks the decoded
//! parameters of exactly those children's events.
//!
//! Without root these tests skip (saying so); with SCAP_REQUIRE_LIVE=1 (set by
//! .ci/run) a probe that cannot load fails them.

mod common;

use std::ffi::CString;
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::os::unix::fs::MetadataExt;
use std::time::Duration;

use common::{collect, open_live, Owned};
use scap::params::{SockAddr, SockTuple};
use scap::schema::{codes, flags};
use scap::{Config, Engine, Event, ParamValue};

const TIMEOUT: Duration = Duration::from_secs(20);

fn config(syscalls: &[&str]) -> Config {
    Config {
        syscalls: Some(syscalls.iter().map(|s| s.to_string()).collect()),
        ..Config::default()
    }
}

/// The value of parameter `name` of `ev`.
fn p<'a>(ev: &Event<'a>, name: &'static str) -> ParamValue<'a> {
    ev.param_by_name(name)
        .unwrap_or_else(|e| panic!("{}: {e}", ev.name()))
        .value()
        .unwrap_or_else(|e| panic!("{}.{name}: {e}", ev.name()))
}

fn int(ev: &Event<'_>, name: &'static str) -> i64 {
    p(ev, name)
        .as_i64()
        .unwrap_or_else(|| panic!("{}.{name} is not an integer", ev.name()))
}

fn uint(ev: &Event<'_>, name: &'static str) -> u64 {
    p(ev, name)
        .as_u64()
        .unwrap_or_else(|| panic!("{}.{name} is not unsigned", ev.name()))
}

fn bytes<'a>(ev: &Event<'a>, name: &'static str) -> &'a [u8] {
    p(ev, name)
        .as_bytes()
        .unwrap_or_else(|| panic!("{}.{name} is not bytes", ev.name()))
}

fn list<'a>(ev: &Event<'a>, name: &'static str) -> Vec<&'a [u8]> {
    scap::params::StrList(bytes(ev, name)).iter().collect()
}

/// Forks; the child runs `f` (which must only make async-signal-safe calls)
/// and exits with its return value. Returns the child's pid.
fn spawn(f: impl FnOnce() -> i32) -> i32 {
    // SAFETY: the child only runs `f`, which by contract makes raw syscalls
    // on memory prepared before the fork, then _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = f();
        // SAFETY: _exit is async-signal-safe.
        unsafe { libc::_exit(code) };
    }
    pid
}

fn wait(pid: i32) -> i32 {
    let mut status = 0;
    // SAFETY: pid is our child; status is a valid out-pointer.
    let r = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(r, pid);
    status
}

fn events_of<'a>(got: &'a [Owned], tid: i32, code: u16) -> Vec<Event<'a>> {
    got.iter()
        .map(Owned::event)
        .filter(|e| e.tid() == tid as u64 && e.event_type() == code)
        .collect()
}

fn has_exit(got: &[Owned], tid: i32) -> bool {
    !events_of(got, tid, codes::PPME_PROCEXIT_1_E).is_empty()
}

/// The kernel's dev_t (major << 20 | minor) of a userspace st_dev.
fn kernel_dev(st_dev: u64) -> u64 {
    let major = libc::major(st_dev) as u64;
    let minor = libc::minor(st_dev) as u64;
    (major << 20) | minor
}

fn tmpdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("scap-live-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d.canonicalize().unwrap()
}

#[test]
fn openat_write_close_and_exit_status() {
    let Some(mut engine) = open_live(config(&["openat", "write", "close", "procexit"])) else {
        return;
    };
    let dir = tmpdir("openat");
    let path = dir.join("created.txt");
    let cpath = CString::new(path.to_str().unwrap()).unwrap();
    let missing = CString::new(dir.join("missing/nope").to_str().unwrap()).unwrap();
    let child = spawn(|| {
        // SAFETY: raw syscalls on strings prepared before fork.
        unsafe {
            let fd = libc::openat(
                libc::AT_FDCWD,
                cpath.as_ptr(),
                libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC | libc::O_CLOEXEC,
                0o640,
            );
            libc::write(fd, b"hello scap".as_ptr().cast(), 10);
            libc::close(fd);
            libc::openat(libc::AT_FDCWD, missing.as_ptr(), libc::O_RDONLY);
        }
        7
    });
    assert_eq!(wait(child), 7 << 8);
    let got = collect(&mut engine, &[child as u64], TIMEOUT, |g| {
        has_exit(g, child)
    });
    let meta = std::fs::metadata(&path).unwrap();

    let opens = events_of(&got, child, codes::PPME_SYSCALL_OPENAT_2_X);
    let ok = opens
        .iter()
        .find(|e| bytes(e, "name") == path.to_str().unwrap().as_bytes())
        .expect("openat of the created file");
    let fd = int(ok, "fd");
    assert!(fd >= 0);
    assert_eq!(int(ok, "dirfd"), libc::AT_FDCWD as i64);
    let f = flags::FileFlags::from_bits_retain(uint(ok, "flags") as u32);
    assert_eq!(
        f,
        flags::FileFlags::O_WRONLY
            | flags::FileFlags::O_CREAT
            | flags::FileFlags::O_TRUNC
            | flags::FileFlags::O_CLOEXEC
            | flags::FileFlags::O_F_CREATED,
        "{f:?}"
    );
    assert_eq!(uint(ok, "mode"), 0o640);
    assert_eq!(uint(ok, "ino"), meta.ino());
    assert_eq!(uint(ok, "dev"), kernel_dev(meta.dev()));

    let failed = opens
        .iter()
        .find(|e| bytes(e, "name") == missing.as_bytes())
        .expect("the failed openat");
    assert_eq!(int(failed, "fd"), -(libc::ENOENT as i64));
    assert_eq!(
        uint(failed, "flags") as u32,
        flags::FileFlags::O_RDONLY.bits()
    );
    assert_eq!(uint(failed, "ino"), 0);

    let writes = events_of(&got, child, codes::PPME_SYSCALL_WRITE_X);
    let w = writes.iter().find(|e| int(e, "fd") == fd).expect("write");
    assert_eq!(int(w, "res"), 10);
    assert_eq!(bytes(w, "data"), b"hello scap");
    assert_eq!(uint(w, "size"), 10);

    let closes = events_of(&got, child, codes::PPME_SYSCALL_CLOSE_X);
    let c = closes.iter().find(|e| int(e, "fd") == fd).expect("close");
    assert_eq!(int(c, "res"), 0);

    let exit = &events_of(&got, child, codes::PPME_PROCEXIT_1_E)[0];
    assert_eq!(int(exit, "status"), 7 << 8);
    assert_eq!(int(exit, "ret"), 7);
    assert_eq!(uint(exit, "sig"), 0);
    assert_eq!(uint(exit, "core"), 0);

    // The child's events come in the order it made the calls.
    assert!(ok.ts() < w.ts() && w.ts() < c.ts() && c.ts() < failed.ts() && failed.ts() < exit.ts());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn execve_reports_args_env_and_the_executable() {
    let Some(mut engine) = open_live(config(&["execve", "procexit"])) else {
        return;
    };
    let dir = tmpdir("execve");
    let exe = dir.join("scap-echo");
    std::fs::copy("/bin/echo", &exe).unwrap();
    let cexe = CString::new(exe.to_str().unwrap()).unwrap();
    let cdir = CString::new(dir.to_str().unwrap()).unwrap();
    let a0 = CString::new("scap-echo").unwrap();
    let a1 = CString::new("hello").unwrap();
    let a2 = CString::new("world").unwrap();
    let e0 = CString::new("FOO=bar").unwrap();
    let e1 = CString::new("SCAP_TEST=1").unwrap();
    let argv = [a0.as_ptr(), a1.as_ptr(), a2.as_ptr(), std::ptr::null()];
    let envp = [e0.as_ptr(), e1.as_ptr(), std::ptr::null()];
    let missing = CString::new("/nonexistent/scap-prog").unwrap();
    let child = spawn(|| {
        // SAFETY: raw syscalls on data prepared before fork. Silence stdout.
        unsafe {
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
            libc::dup2(null, 1);
            libc::chdir(cdir.as_ptr());
            libc::execve(cexe.as_ptr(), argv.as_ptr(), envp.as_ptr());
        }
        99
    });
    let failer = spawn(|| {
        // SAFETY: as above.
        unsafe { libc::execve(missing.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
        3
    });
    assert_eq!(wait(child), 0);
    assert_eq!(wait(failer), 3 << 8);
    let got = collect(&mut engine, &[child as u64, failer as u64], TIMEOUT, |g| {
        has_exit(g, child) && has_exit(g, failer)
    });
    let meta = std::fs::metadata(&exe).unwrap();

    let execs = events_of(&got, child, codes::PPME_SYSCALL_EXECVE_19_X);
    assert_eq!(execs.len(), 1, "one execve event per successful exec");
    let ev = &execs[0];
    assert_eq!(ev.nparams(), 31);
    assert_eq!(int(ev, "res"), 0);
    assert_eq!(bytes(ev, "exe"), b"scap-echo");
    assert_eq!(list(ev, "args"), vec![&b"hello"[..], b"world"]);
    assert_eq!(list(ev, "env"), vec![&b"FOO=bar"[..], b"SCAP_TEST=1"]);
    assert_eq!(int(ev, "tid"), child as i64);
    assert_eq!(int(ev, "pid"), child as i64);
    // The parent is the thread that forked (this test's thread).
    // SAFETY: gettid has no preconditions.
    assert_eq!(int(ev, "ptid"), unsafe { libc::gettid() } as i64);
    assert_eq!(bytes(ev, "cwd"), dir.to_str().unwrap().as_bytes());
    assert_eq!(bytes(ev, "comm"), b"scap-echo");
    assert_eq!(
        bytes(ev, "trusted_exepath"),
        exe.to_str().unwrap().as_bytes()
    );
    assert_eq!(bytes(ev, "filename"), exe.to_str().unwrap().as_bytes());
    assert_eq!(uint(ev, "exe_ino"), meta.ino());
    assert_eq!(
        uint(ev, "exe_ino_ctime"),
        meta.ctime() as u64 * 1_000_000_000 + meta.ctime_nsec() as u64
    );
    assert_eq!(
        uint(ev, "exe_ino_mtime"),
        meta.mtime() as u64 * 1_000_000_000 + meta.mtime_nsec() as u64
    );
    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc::geteuid() };
    assert_eq!(p(ev, "uid"), ParamValue::Uid(Some(euid)));
    // A root-owned 0755 file in /tmp is writable by its (root) owner; it is on
    // no overlay and not a memfd.
    let f = flags::ExecveFlags::from_bits_retain(uint(ev, "flags") as u32);
    assert_eq!(f, flags::ExecveFlags::EXE_WRITABLE, "{f:?}");
    let cgroups = list(ev, "cgroups");
    assert!(
        cgroups.iter().any(|c| c.starts_with(b"unified=/")),
        "{cgroups:?}"
    );
    if euid == 0 {
        assert_ne!(uint(ev, "cap_effective"), 0);
    }
    assert!(uint(ev, "vm_size") > 0);
    assert!(uint(ev, "fdlimit") > 0);

    let fails = events_of(&got, failer, codes::PPME_SYSCALL_EXECVE_19_X);
    assert_eq!(fails.len(), 1);
    assert_eq!(int(&fails[0], "res"), -(libc::ENOENT as i64));
    assert_eq!(bytes(&fails[0], "filename"), missing.as_bytes());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn memfd_exec_is_flagged() {
    let Some(mut engine) = open_live(config(&["execve", "execveat", "procexit"])) else {
        return;
    };
    let image = std::fs::read("/bin/true").unwrap();
    let name = CString::new("scap-fileless").unwrap();
    let empty = CString::new("").unwrap();
    let a0 = CString::new("fileless").unwrap();
    let argv = [a0.as_ptr(), std::ptr::null()];
    let envp = [std::ptr::null::<libc::c_char>()];
    let child = spawn(|| {
        // SAFETY: raw syscalls on data prepared before fork.
        unsafe {
            let fd = libc::memfd_create(name.as_ptr(), 0);
            libc::write(fd, image.as_ptr().cast(), image.len());
            libc::syscall(
                libc::SYS_execveat,
                fd,
                empty.as_ptr(),
                argv.as_ptr(),
                envp.as_ptr(),
                libc::AT_EMPTY_PATH,
            );
        }
        99
    });
    assert_eq!(wait(child), 0);
    let got = collect(&mut engine, &[child as u64], TIMEOUT, |g| {
        has_exit(g, child)
    });
    let execs = events_of(&got, child, codes::PPME_SYSCALL_EXECVE_19_X);
    assert_eq!(execs.len(), 1, "execveat success arrives as EXECVE_19_X");
    let f = flags::ExecveFlags::from_bits_retain(uint(&execs[0], "flags") as u32);
    assert!(f.contains(flags::ExecveFlags::EXE_FROM_MEMFD), "{f:?}");
    let path = bytes(&execs[0], "trusted_exepath");
    assert!(
        path.starts_with(b"/memfd:scap-fileless"),
        "{}",
        String::from_utf8_lossy(path)
    );
}

#[test]
fn connect_accept_socket_bind_on_loopback() {
    let Some(mut engine) = open_live(config(&[
        "socket", "bind", "connect", "accept", "accept4", "procexit",
    ])) else {
        return;
    };
    // Find a free port, then let the server child bind it.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut sync = [0i32; 2];
    // SAFETY: sync is a valid 2-int array.
    assert_eq!(unsafe { libc::pipe(sync.as_mut_ptr()) }, 0);
    let sin = libc::sockaddr_in {
        sin_family: libc::AF_INET as u16,
        sin_port: port.to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from(Ipv4Addr::LOCALHOST).to_be(),
        },
        sin_zero: [0; 8],
    };
    let slen = std::mem::size_of::<libc::sockaddr_in>() as u32;
    let server = spawn(|| {
        // SAFETY: raw socket calls on memory prepared before fork.
        unsafe {
            let s = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
            let one = 1i32;
            libc::setsockopt(
                s,
                libc::SOL_SOCKET,
                libc::SO_REUSEADDR,
                (&one as *const i32).cast(),
                4,
            );
            if libc::bind(s, (&sin as *const libc::sockaddr_in).cast(), slen) != 0 {
                return 10;
            }
            libc::listen(s, 17);
            libc::write(sync[1], b"r".as_ptr().cast(), 1);
            let c = libc::accept4(
                s,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                libc::SOCK_CLOEXEC,
            );
            if c < 0 {
                return 11;
            }
        }
        0
    });
    let mut b = [0u8; 1];
    // SAFETY: reading one byte into b.
    assert_eq!(unsafe { libc::read(sync[0], b.as_mut_ptr().cast(), 1) }, 1);
    let client = spawn(|| {
        // SAFETY: as above.
        unsafe {
            let s = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
            if libc::connect(s, (&sin as *const libc::sockaddr_in).cast(), slen) != 0 {
                return 12;
            }
        }
        0
    });
    assert_eq!(wait(client), 0);
    assert_eq!(wait(server), 0);
    let got = collect(&mut engine, &[server as u64, client as u64], TIMEOUT, |g| {
        has_exit(g, server) && has_exit(g, client)
    });
    let local = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);

    let socks = events_of(&got, client, codes::PPME_SOCKET_SOCKET_X);
    assert_eq!(socks.len(), 1);
    let sfd = int(&socks[0], "fd");
    assert!(sfd >= 0);
    assert_eq!(uint(&socks[0], "domain"), libc::AF_INET as u64);
    assert_eq!(uint(&socks[0], "type"), libc::SOCK_STREAM as u64);
    let server_socks = events_of(&got, server, codes::PPME_SOCKET_SOCKET_X);
    assert_eq!(
        flags::FileFlags::from_bits_retain(uint(&server_socks[0], "flags") as u32),
        flags::FileFlags::O_CLOEXEC
    );

    let binds = events_of(&got, server, codes::PPME_SOCKET_BIND_X);
    assert_eq!(binds.len(), 1);
    assert_eq!(int(&binds[0], "res"), 0);
    assert_eq!(
        p(&binds[0], "addr"),
        ParamValue::SockAddr(SockAddr::Inet(local))
    );

    let conns = events_of(&got, client, codes::PPME_SOCKET_CONNECT_X);
    assert_eq!(conns.len(), 1);
    let c = &conns[0];
    assert_eq!(int(c, "res"), 0);
    assert_eq!(int(c, "fd"), sfd);
    assert_eq!(p(c, "addr"), ParamValue::SockAddr(SockAddr::Inet(local)));
    let ParamValue::SockTuple(SockTuple::Inet { src, dst }) = p(c, "tuple") else {
        panic!("connect tuple: {:?}", p(c, "tuple"));
    };
    assert_eq!(dst, local);
    assert_eq!(*src.ip(), Ipv4Addr::LOCALHOST);
    assert_ne!(src.port(), 0);

    let accs = events_of(&got, server, codes::PPME_SOCKET_ACCEPT4_6_X);
    assert_eq!(accs.len(), 1);
    let a = &accs[0];
    assert!(int(a, "fd") >= 0);
    // Inbound: the initiator (the client) comes first.
    assert_eq!(
        p(a, "tuple"),
        ParamValue::SockTuple(SockTuple::Inet { src, dst: local })
    );
    assert_eq!(uint(a, "queuemax"), 17);
    assert_eq!(int(a, "flags"), libc::SOCK_CLOEXEC as i64);
}

#[test]
fn clone_family_both_sides_and_exits() {
    let Some(mut engine) = open_live(config(&["clone", "clone3", "fork", "vfork", "procexit"]))
    else {
        return;
    };
    #[allow(unreachable_code)]
    let child = spawn(|| {
        // SAFETY: raw process syscalls in the forked child; the grandchildren
        // only _exit.
        unsafe {
            // clone (what glibc's fork uses)
            let g =
                libc::syscall(libc::SYS_clone, libc::SIGCHLD as libc::c_ulong, 0, 0, 0, 0) as i32;
            if g == 0 {
                libc::_exit(3);
            }
            libc::waitpid(g, std::ptr::null_mut(), 0);
            // clone3
            let mut args = [0u64; 11];
            args[4] = libc::SIGCHLD as u64; // exit_signal
            let g = libc::syscall(libc::SYS_clone3, args.as_mut_ptr(), 88usize) as i32;
            if g == 0 {
                libc::_exit(5);
            }
            libc::waitpid(g, std::ptr::null_mut(), 0);
            // fork
            let g = libc::syscall(libc::SYS_fork) as i32;
            if g == 0 {
                libc::_exit(6);
            }
            libc::waitpid(g, std::ptr::null_mut(), 0);
            // killed by a signal
            let g = libc::syscall(libc::SYS_fork) as i32;
            if g == 0 {
                libc::raise(libc::SIGKILL);
                libc::_exit(0);
            }
            libc::waitpid(g, std::ptr::null_mut(), 0);
            // vfork, last. The child borrows this stack: glibc's vfork()
            // wrapper is written for that (a raw syscall() would let the
            // child clobber its return address). The parent resumes only
            // once the child is gone, so there is nothing to wait for.
            #[allow(deprecated)]
            let g = libc::vfork();
            if g == 0 {
                libc::_exit(4);
            }
            libc::_exit(0);
        }
    });
    assert_eq!(wait(child), 0);
    let got = collect(&mut engine, &[child as u64], TIMEOUT, |g| {
        has_exit(g, child)
    });
    // SAFETY: gettid has no preconditions.
    let me = unsafe { libc::gettid() } as i64;
    for (code, status) in [
        (codes::PPME_SYSCALL_CLONE_20_X, 3),
        (codes::PPME_SYSCALL_VFORK_20_X, 4),
        (codes::PPME_SYSCALL_CLONE3_X, 5),
        (codes::PPME_SYSCALL_FORK_20_X, 6),
    ] {
        // (The child's own birth is a clone event with res 0: skip it.)
        let parent_side: Vec<_> = events_of(&got, child, code)
            .into_iter()
            .filter(|e| int(e, "res") > 0)
            .collect();
        // fork is called twice (the second child is killed, see below).
        let expected = if code == codes::PPME_SYSCALL_FORK_20_X {
            2
        } else {
            1
        };
        assert_eq!(parent_side.len(), expected, "parent side of {code}");
        let ps = &parent_side[0];
        let g = int(ps, "res");
        assert!(g > 0);
        assert_eq!(int(ps, "tid"), child as i64);
        assert_eq!(int(ps, "ptid"), me);
        assert_eq!(
            uint(ps, "pidns_init_start_ts"),
            0,
            "only the child reports it"
        );
        let fl = flags::CloneFlags::from_bits_retain(uint(ps, "flags") as u32);
        if code == codes::PPME_SYSCALL_VFORK_20_X {
            assert_eq!(
                fl,
                flags::CloneFlags::CLONE_VM | flags::CloneFlags::CLONE_VFORK
            );
        } else {
            assert!(!fl.contains(flags::CloneFlags::CLONE_VM), "{fl:?}");
        }
        // The child side: same event type, res 0, attributed to the grandchild.
        let cs = events_of(&got, g as i32, code);
        assert_eq!(cs.len(), 1, "child side of {code}");
        assert_eq!(int(&cs[0], "res"), 0);
        assert_eq!(int(&cs[0], "ptid"), child as i64);
        assert_eq!(int(&cs[0], "vtid"), g);
        assert!(uint(&cs[0], "pidns_init_start_ts") > 0);
        assert!(cs[0].ts() > ps.ts() || cs[0].ts() < ps.ts() + 1_000_000_000);
        let exit = events_of(&got, g as i32, codes::PPME_PROCEXIT_1_E);
        assert_eq!(exit.len(), 1);
        assert_eq!(int(&exit[0], "ret"), status);
    }
    let forks = events_of(&got, child, codes::PPME_SYSCALL_FORK_20_X);
    let killed = int(&forks[1], "res") as i32;
    let exit = &events_of(&got, killed, codes::PPME_PROCEXIT_1_E)[0];
    assert_eq!(uint(exit, "sig"), libc::SIGKILL as u64);
    assert_eq!(int(exit, "status"), libc::SIGKILL as i64);
}

#[test]
fn child_side_from_the_fork_tracepoint() {
    // The arm64 path (sched_process_fork reports the child), forced on x86.
    let Some(mut engine) = open_live(Config {
        child_from_fork_tracepoint: Some(true),
        ..config(&["clone", "fork", "procexit"])
    }) else {
        return;
    };
    let child = spawn(|| {
        // SAFETY: raw syscalls; the grandchild only _exits.
        unsafe {
            let g = libc::syscall(libc::SYS_fork) as i32;
            if g == 0 {
                libc::_exit(0);
            }
            libc::waitpid(g, std::ptr::null_mut(), 0);
        }
        0
    });
    assert_eq!(wait(child), 0);
    let got = collect(&mut engine, &[child as u64], TIMEOUT, |g| {
        has_exit(g, child)
    });
    let parent = events_of(&got, child, codes::PPME_SYSCALL_FORK_20_X);
    assert_eq!(parent.len(), 1);
    let g = int(&parent[0], "res") as i32;
    // Exactly one child-side event (not one from sys_exit as well), reported
    // as clone since the tracepoint does not know the syscall.
    let child_side: Vec<_> = got
        .iter()
        .map(Owned::event)
        .filter(|e| e.tid() == g as u64 && e.event_type() != codes::PPME_PROCEXIT_1_E)
        .collect();
    assert_eq!(child_side.len(), 1, "{child_side:?}");
    assert_eq!(child_side[0].event_type(), codes::PPME_SYSCALL_CLONE_20_X);
    assert_eq!(int(&child_side[0], "res"), 0);
    assert_eq!(int(&child_side[0], "tid"), g as i64);
    assert_eq!(int(&child_side[0], "ptid"), child as i64);
}

#[test]
fn read_data_is_cut_at_snaplen() {
    let Some(mut engine) = open_live(Config {
        snaplen: 16,
        ..config(&["read", "write", "procexit"])
    }) else {
        return;
    };
    let payload: Vec<u8> = (0..100u8).collect();
    let child = spawn(|| {
        let mut fds = [0i32; 2];
        let mut buf = [0u8; 128];
        // SAFETY: raw syscalls on stack buffers.
        unsafe {
            libc::pipe(fds.as_mut_ptr());
            libc::write(fds[1], payload.as_ptr().cast(), payload.len());
            libc::read(fds[0], buf.as_mut_ptr().cast(), buf.len());
        }
        0
    });
    assert_eq!(wait(child), 0);
    let got = collect(&mut engine, &[child as u64], TIMEOUT, |g| {
        has_exit(g, child)
    });
    let r = events_of(&got, child, codes::PPME_SYSCALL_READ_X);
    assert_eq!(r.len(), 1);
    assert_eq!(int(&r[0], "res"), 100);
    assert_eq!(uint(&r[0], "size"), 128);
    assert_eq!(bytes(&r[0], "data"), &payload[..16]);
    let w = events_of(&got, child, codes::PPME_SYSCALL_WRITE_X);
    assert_eq!(bytes(&w[0], "data"), &payload[..16]);
    assert_eq!(int(&w[0], "res"), 100);
}

#[test]
fn own_process_is_never_captured_and_stats_add_up() {
    let Some(mut engine) = open_live(config(&["openat", "close", "getppid"])) else {
        return;
    };
    let me = std::process::id() as u64;
    // Our own calls: excluded in the kernel.
    for _ in 0..100 {
        let _ = std::fs::File::open("/dev/null");
    }
    // A child's calls: captured.
    let child = spawn(|| {
        for _ in 0..1000 {
            // SAFETY: getppid has no arguments.
            unsafe { libc::syscall(libc::SYS_getppid) };
        }
        0
    });
    wait(child);
    let mut ours = 0;
    let mut child_getppid = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    let tasks: Vec<u64> = std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    while std::time::Instant::now() < deadline {
        if let scap::Next::Event { event, .. } = engine.next().unwrap() {
            if event.tid() == me || tasks.contains(&event.tid()) {
                ours += 1;
            }
            if event.tid() == child as u64 && event.event_type() == codes::PPME_GENERIC_X {
                assert_eq!(
                    p(&event, "ID"),
                    ParamValue::SyscallId(scap::schema::ppm_sc_code("getppid").unwrap())
                );
                child_getppid += 1;
            }
        }
    }
    assert_eq!(ours, 0);
    assert_eq!(child_getppid, 1000);
    let st = engine.stats().unwrap();
    assert_eq!(st.total.drops(), 0);
    assert!(st.total.events >= 1000);
    // Everything the kernel wrote was read (we drained for 3 s).
    assert_eq!(st.total.attempted, st.total.events + st.total.drops());
    let sum: u64 = st.cpus.iter().map(|c| c.events).sum();
    assert_eq!(sum, st.total.events);
}

/// Run in a child process by `an_unloadable_probe_fails_under_ci`: drops root,
/// then tries to open the probe through the same helper every live test uses.
#[test]
fn unprivileged_child() {
    if std::env::var("SCAP_TEST_UNPRIVILEGED").is_err() {
        return; // only meaningful when spawned below
    }
    // SAFETY: setgid/setuid have no memory-safety preconditions; glibc applies
    // them to every thread of the process.
    unsafe {
        assert_eq!(libc::setgid(65534), 0);
        assert_eq!(libc::setuid(65534), 0);
    }
    if open_live(config(&["openat"])).is_some() {
        println!("UNEXPECTEDLY-OPENED");
    }
}

#[test]
fn an_unloadable_probe_fails_under_ci_and_skips_otherwise() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("SKIPPED: needs root to drop privileges in a child");
        return;
    }
    let run = |require: bool| {
        let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
        cmd.args([
            "--exact",
            "unprivileged_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("SCAP_TEST_UNPRIVILEGED", "1")
        .env_remove(common::REQUIRE_LIVE);
        if require {
            cmd.env(common::REQUIRE_LIVE, "1");
        }
        let out = cmd.output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, text) = run(true);
    assert!(
        !ok,
        "a probe that cannot load must fail the test under CI:\n{text}"
    );
    assert!(
        text.contains("SCAP_REQUIRE_LIVE=1 but the probe could not be opened"),
        "{text}"
    );
    assert!(
        text.contains("permission denied") || text.contains("Permission"),
        "{text}"
    );
    let (ok, text) = run(false);
    assert!(ok, "without the CI variable it is a skip:\n{text}");
    assert!(text.contains("SKIPPED"), "{text}");
    assert!(!text.contains("UNEXPECTEDLY-OPENED"), "{text}");
}

#[test]
fn open_creat_and_openat2_report_their_own_layouts() {
    let Some(mut engine) = open_live(config(&["open", "creat", "openat2", "procexit"])) else {
        return;
    };
    let dir = tmpdir("opens");
    let a = CString::new(dir.join("a").to_str().unwrap()).unwrap();
    let b = CString::new(dir.join("b").to_str().unwrap()).unwrap();
    let cdir = CString::new(dir.to_str().unwrap()).unwrap();
    let child = spawn(|| {
        // SAFETY: raw syscalls on data prepared before fork.
        unsafe {
            libc::syscall(
                libc::SYS_open,
                a.as_ptr(),
                libc::O_RDWR | libc::O_CREAT | libc::O_EXCL,
                0o600,
            );
            libc::syscall(libc::SYS_creat, b.as_ptr(), 0o644);
            let dfd = libc::open(cdir.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY);
            // struct open_how { u64 flags; u64 mode; u64 resolve; }
            let how: [u64; 3] = [
                (libc::O_WRONLY | libc::O_CREAT) as u64,
                0o604,
                0x08, // RESOLVE_BENEATH
            ];
            libc::syscall(libc::SYS_openat2, dfd, c"c".as_ptr(), how.as_ptr(), 24usize);
        }
        0
    });
    assert_eq!(wait(child), 0);
    let got = collect(&mut engine, &[child as u64], TIMEOUT, |g| {
        has_exit(g, child)
    });

    let o = &events_of(&got, child, codes::PPME_SYSCALL_OPEN_X)[0];
    assert!(int(o, "fd") >= 0);
    assert_eq!(bytes(o, "name"), a.as_bytes());
    assert_eq!(
        flags::FileFlags::from_bits_retain(uint(o, "flags") as u32),
        flags::FileFlags::O_RDWR
            | flags::FileFlags::O_CREAT
            | flags::FileFlags::O_EXCL
            | flags::FileFlags::O_F_CREATED
    );
    assert_eq!(uint(o, "mode"), 0o600);
    assert_eq!(
        uint(o, "ino"),
        std::fs::metadata(dir.join("a")).unwrap().ino()
    );

    let cr = &events_of(&got, child, codes::PPME_SYSCALL_CREAT_X)[0];
    assert!(int(cr, "fd") >= 0);
    assert_eq!(bytes(cr, "name"), b.as_bytes());
    assert_eq!(uint(cr, "mode"), 0o644);
    assert_eq!(
        uint(cr, "ino"),
        std::fs::metadata(dir.join("b")).unwrap().ino()
    );
    assert_eq!(uint(cr, "creat_flags"), 0, "not on an overlay");

    let o2 = &events_of(&got, child, codes::PPME_SYSCALL_OPENAT2_X)[0];
    assert!(int(o2, "fd") >= 0, "openat2 failed: {}", int(o2, "fd"));
    assert!(int(o2, "dirfd") >= 0);
    assert_eq!(bytes(o2, "name"), b"c");
    assert_eq!(
        flags::FileFlags::from_bits_retain(uint(o2, "flags") as u32),
        flags::FileFlags::O_WRONLY | flags::FileFlags::O_CREAT | flags::FileFlags::O_F_CREATED
    );
    assert_eq!(uint(o2, "mode"), 0o604);
    assert_eq!(
        flags::Openat2Flags::from_bits_retain(uint(o2, "resolve") as u32),
        flags::Openat2Flags::RESOLVE_BENEATH
    );
    assert_eq!(
        uint(o2, "ino"),
        std::fs::metadata(dir.join("c")).unwrap().ino()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
