//! syscall-workload: makes each syscall the probe covers with known
//! arguments, successes and failures, and prints nothing on stdout. The
//! strace witness (`scap/tests/witness.rs`) runs it under strace and under the
//! probe at the same time and compares the two accounts call by call.
//!
//! ```text
//! syscall-workload DIR
//! ```
//! DIR is an empty scratch directory (files, a tmpfs mount, device nodes are
//! made in it). Needs root: it mounts, makes device nodes, sets ids, loads a
//! BPF map, and ends by chroot-ing into DIR. Every call is the raw syscall
//! (no libc wrapper choosing another one), so both accounts describe exactly
//! the calls listed here. Everything runs in one thread, except what the
//! process lifecycle needs: children made by fork, vfork, clone and clone3
//! exit at once, and two children run this program again (`--exit`, which
//! returns at once) through execve and execveat.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// A raw syscall with up to six arguments.
fn sc(nr: libc::c_long, a: &[u64]) -> i64 {
    let mut v = [0u64; 6];
    v[..a.len()].copy_from_slice(a);
    // SAFETY: every call site passes arguments valid for the syscall: live
    // buffers of the right size, or values the kernel checks and rejects.
    unsafe { libc::syscall(nr, v[0], v[1], v[2], v[3], v[4], v[5]) as i64 }
}

fn cstr(p: &Path) -> CString {
    CString::new(p.as_os_str().as_bytes()).expect("no NUL in paths")
}

fn ptr<T>(v: &T) -> u64 {
    v as *const T as u64
}

fn mptr<T>(v: &mut T) -> u64 {
    v as *mut T as u64
}

fn sptr(s: &CString) -> u64 {
    s.as_ptr() as u64
}

const CWD: u64 = libc::AT_FDCWD as i64 as u64;
/// A pid no process has (above the kernel's pid_max limit).
const NO_PID: u64 = 0x3fff_fff0;
/// An fd no process has open.
const NO_FD: u64 = 9999;

struct W {
    dir: PathBuf,
}

impl W {
    fn path(&self, name: &str) -> CString {
        cstr(&self.dir.join(name))
    }
}

/// The argument a re-executed workload gets: exit at once.
const EXIT_AT_ONCE: &str = "--exit";

fn main() {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: syscall-workload DIR");
        std::process::exit(2);
    };
    if dir == EXIT_AT_ONCE {
        return;
    }
    let w = W {
        dir: PathBuf::from(dir),
    };
    files(&w);
    fs_names(&w);
    special_fds(&w);
    io(&w);
    network();
    processes();
    identity();
    memory();
    kernel_objects(&w);
    lifecycle(&w);
    // Last: it changes what every absolute path means.
    chroot(&w);
}

/// open, creat, openat, openat2, read, write, lseek, positional and vectored
/// I/O, dup family, fcntl, flock, ioctl, getdents64, newfstatat, close.
fn files(w: &W) {
    use libc::*;
    let a = w.path("a.txt");
    let missing = w.path("missing/none");
    let fd = sc(
        SYS_openat,
        &[
            CWD,
            sptr(&a),
            (O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC) as u64,
            0o640,
        ],
    ) as u64;
    sc(SYS_openat, &[CWD, sptr(&missing), O_RDONLY as u64, 0]);
    let data = b"hello, witness";
    sc(SYS_write, &[fd, data.as_ptr() as u64, data.len() as u64]);
    sc(SYS_write, &[NO_FD, data.as_ptr() as u64, data.len() as u64]);
    sc(SYS_lseek, &[fd, 0, SEEK_SET as u64]);
    let mut buf = [0u8; 64];
    sc(SYS_read, &[fd, mptr(&mut buf), 5]);
    sc(SYS_read, &[NO_FD, mptr(&mut buf), 5]);
    sc(SYS_lseek, &[fd, 2, SEEK_CUR as u64]);
    sc(SYS_lseek, &[fd, -3i64 as u64, SEEK_END as u64]);
    sc(SYS_lseek, &[NO_FD, 0, SEEK_SET as u64]);
    sc(SYS_pwrite64, &[fd, b"XY".as_ptr() as u64, 2, 7]);
    sc(SYS_pread64, &[fd, mptr(&mut buf), 10, 3]);
    sc(SYS_pread64, &[NO_FD, mptr(&mut buf), 10, 3]);
    let (p1, p2) = (b"vec-".to_vec(), b"tor!".to_vec());
    let wiov = [
        iovec {
            iov_base: p1.as_ptr() as *mut c_void,
            iov_len: p1.len(),
        },
        iovec {
            iov_base: p2.as_ptr() as *mut c_void,
            iov_len: p2.len(),
        },
    ];
    sc(SYS_writev, &[fd, ptr(&wiov), 2]);
    sc(SYS_pwritev, &[fd, ptr(&wiov), 2, 20, 0]);
    let (mut r1, mut r2) = ([0u8; 3], [0u8; 16]);
    let riov = [
        iovec {
            iov_base: r1.as_mut_ptr().cast(),
            iov_len: r1.len(),
        },
        iovec {
            iov_base: r2.as_mut_ptr().cast(),
            iov_len: r2.len(),
        },
    ];
    sc(SYS_lseek, &[fd, 0, SEEK_SET as u64]);
    sc(SYS_readv, &[fd, ptr(&riov), 2]);
    sc(SYS_preadv, &[fd, ptr(&riov), 2, 4, 0]);
    sc(SYS_readv, &[NO_FD, ptr(&riov), 2]);

    // The dup family and fcntl.
    let d1 = sc(SYS_dup, &[fd]) as u64;
    sc(SYS_dup, &[NO_FD]);
    sc(SYS_dup3, &[fd, 40, O_CLOEXEC as u64]);
    sc(SYS_dup3, &[fd, fd, 0]);
    #[cfg(target_arch = "x86_64")]
    {
        sc(SYS_dup2, &[fd, 41]);
        sc(SYS_dup2, &[NO_FD, 42]);
    }
    sc(SYS_fcntl, &[fd, F_DUPFD as u64, 50]);
    sc(SYS_fcntl, &[fd, F_DUPFD_CLOEXEC as u64, 60]);
    sc(SYS_fcntl, &[fd, F_GETFD as u64, 0]);
    sc(SYS_fcntl, &[d1, F_SETFD as u64, FD_CLOEXEC as u64]);
    sc(SYS_fcntl, &[fd, F_GETFL as u64, 0]);
    sc(SYS_fcntl, &[fd, F_SETFL as u64, O_NONBLOCK as u64]);
    sc(SYS_fcntl, &[NO_FD, F_GETFD as u64, 0]);
    for n in [d1, 40, 41] {
        sc(SYS_close, &[n]);
    }
    sc(SYS_close, &[NO_FD]);
    // 50 and 60: marked close-on-exec, then closed, as a range.
    sc(SYS_close_range, &[50, 60, CLOSE_RANGE_CLOEXEC as u64]);
    sc(SYS_close_range, &[50, 60, 0]);
    sc(SYS_close_range, &[60, 50, 0]);

    sc(SYS_flock, &[fd, (LOCK_EX | LOCK_NB) as u64]);
    sc(SYS_flock, &[fd, LOCK_UN as u64]);
    sc(SYS_flock, &[NO_FD, LOCK_SH as u64]);
    let mut n: c_int = 0;
    sc(SYS_ioctl, &[fd, FIONREAD, mptr(&mut n)]);
    sc(SYS_ioctl, &[fd, TCGETS, mptr(&mut buf)]);

    // Stat and directory listing.
    let mut st = std::mem::MaybeUninit::<stat>::uninit();
    let stp = st.as_mut_ptr() as u64;
    sc(SYS_newfstatat, &[CWD, sptr(&a), stp, 0]);
    sc(SYS_newfstatat, &[CWD, sptr(&missing), stp, 0]);
    let empty = CString::default();
    sc(
        SYS_newfstatat,
        &[fd, sptr(&empty), stp, AT_EMPTY_PATH as u64],
    );
    let dirc = cstr(&w.dir);
    let dfd = sc(
        SYS_openat,
        &[CWD, sptr(&dirc), (O_RDONLY | O_DIRECTORY) as u64, 0],
    ) as u64;
    let mut dents = [0u8; 1024];
    sc(SYS_getdents64, &[dfd, mptr(&mut dents), dents.len() as u64]);
    sc(
        SYS_getdents64,
        &[NO_FD, mptr(&mut dents), dents.len() as u64],
    );
    let rel = CString::new("a.txt").expect("name");
    sc(
        SYS_newfstatat,
        &[dfd, sptr(&rel), stp, AT_SYMLINK_NOFOLLOW as u64],
    );

    // openat2 and the legacy open/creat.
    #[repr(C)]
    struct OpenHow {
        flags: u64,
        mode: u64,
        resolve: u64,
    }
    let how = OpenHow {
        flags: (O_RDONLY | O_CLOEXEC) as u64,
        mode: 0,
        resolve: 0x08, // RESOLVE_BENEATH
    };
    let fd2 = sc(
        SYS_openat2,
        &[
            dfd,
            sptr(&rel),
            ptr(&how),
            std::mem::size_of::<OpenHow>() as u64,
        ],
    );
    sc(SYS_close, &[fd2 as u64]);
    let up = CString::new("../etc/passwd").expect("name");
    sc(
        SYS_openat2,
        &[
            dfd,
            sptr(&up),
            ptr(&how),
            std::mem::size_of::<OpenHow>() as u64,
        ],
    );
    #[cfg(target_arch = "x86_64")]
    {
        let c = w.path("created.txt");
        let fd3 = sc(SYS_creat, &[sptr(&c), 0o600]);
        sc(SYS_close, &[fd3 as u64]);
        let fd4 = sc(SYS_open, &[sptr(&c), (O_WRONLY | O_APPEND) as u64, 0]);
        sc(SYS_close, &[fd4 as u64]);
        sc(SYS_open, &[sptr(&missing), O_RDONLY as u64, 0]);
        sc(SYS_creat, &[sptr(&missing), 0o600]);
    }
    sc(SYS_close, &[dfd]);
    sc(SYS_close, &[fd]);
}

/// Names, modes, owners, device nodes, mounts, the cwd.
fn fs_names(w: &W) {
    use libc::*;
    let d = w.path("d");
    let sub = w.path("d/sub");
    let f = w.path("f");
    let g = w.path("g");
    let missing = w.path("missing/none");
    let dirc = cstr(&w.dir);
    let dfd = sc(
        SYS_openat,
        &[CWD, sptr(&dirc), (O_RDONLY | O_DIRECTORY) as u64, 0],
    ) as u64;
    let name = |s: &str| CString::new(s).expect("name");
    let fd = sc(
        SYS_openat,
        &[CWD, sptr(&f), (O_WRONLY | O_CREAT) as u64, 0o644],
    ) as u64;
    sc(SYS_close, &[fd]);

    sc(SYS_mkdirat, &[CWD, sptr(&d), 0o755]);
    sc(SYS_mkdirat, &[dfd, sptr(&name("d2")), 0o700]);
    sc(SYS_mkdirat, &[CWD, sptr(&d), 0o755]);
    sc(SYS_unlinkat, &[dfd, sptr(&name("d2")), AT_REMOVEDIR as u64]);
    sc(SYS_unlinkat, &[dfd, sptr(&name("nope")), 0]);
    sc(SYS_renameat, &[CWD, sptr(&f), dfd, sptr(&name("f2"))]);
    sc(SYS_renameat, &[CWD, sptr(&missing), dfd, sptr(&name("f3"))]);
    sc(SYS_renameat2, &[dfd, sptr(&name("f2")), CWD, sptr(&f), 0]);
    sc(
        SYS_renameat2,
        &[
            CWD,
            sptr(&f),
            dfd,
            sptr(&name("d")),
            RENAME_NOREPLACE as u64,
        ],
    );
    sc(SYS_linkat, &[CWD, sptr(&f), dfd, sptr(&name("hard")), 0]);
    sc(
        SYS_linkat,
        &[
            CWD,
            sptr(&missing),
            dfd,
            sptr(&name("hard2")),
            AT_SYMLINK_FOLLOW as u64,
        ],
    );
    let target = name("f");
    sc(SYS_symlinkat, &[sptr(&target), dfd, sptr(&name("soft"))]);
    sc(SYS_symlinkat, &[sptr(&target), dfd, sptr(&name("soft"))]);
    sc(SYS_fchmodat, &[dfd, sptr(&name("f")), 0o4751]);
    sc(SYS_fchmodat, &[CWD, sptr(&missing), 0o600]);
    sc(
        SYS_fchownat,
        &[dfd, sptr(&name("soft")), 0, 0, AT_SYMLINK_NOFOLLOW as u64],
    );
    sc(SYS_fchownat, &[CWD, sptr(&missing), 0, u32::MAX as u64, 0]);
    let fd = sc(SYS_openat, &[CWD, sptr(&f), O_RDONLY as u64, 0]) as u64;
    sc(SYS_fchmod, &[fd, 0o640]);
    sc(SYS_fchmod, &[NO_FD, 0o640]);
    sc(SYS_fchown, &[fd, u32::MAX as u64, 0]);
    sc(SYS_fchown, &[NO_FD, 0, 0]);
    sc(SYS_close, &[fd]);
    sc(
        SYS_mknodat,
        &[dfd, sptr(&name("fifo")), (S_IFIFO | 0o600) as u64, 0],
    );
    sc(
        SYS_mknodat,
        &[
            CWD,
            sptr(&w.path("null")),
            (S_IFCHR | 0o666) as u64,
            makedev(1, 3),
        ],
    );
    sc(
        SYS_mknodat,
        &[dfd, sptr(&name("fifo")), (S_IFIFO | 0o600) as u64, 0],
    );

    #[cfg(target_arch = "x86_64")]
    {
        sc(SYS_mkdir, &[sptr(&sub), 0o750]);
        sc(SYS_mkdir, &[sptr(&missing), 0o750]);
        sc(SYS_rmdir, &[sptr(&sub)]);
        sc(SYS_rmdir, &[sptr(&missing)]);
        sc(SYS_rename, &[sptr(&f), sptr(&g)]);
        sc(SYS_rename, &[sptr(&missing), sptr(&g)]);
        sc(SYS_link, &[sptr(&g), sptr(&f)]);
        sc(SYS_link, &[sptr(&missing), sptr(&f)]);
        sc(SYS_unlink, &[sptr(&g)]);
        sc(SYS_unlink, &[sptr(&missing)]);
        let l = w.path("l");
        sc(SYS_symlink, &[sptr(&name("dangling target")), sptr(&l)]);
        sc(SYS_symlink, &[sptr(&f), sptr(&missing)]);
        sc(SYS_chmod, &[sptr(&f), 0o2755]);
        sc(SYS_chmod, &[sptr(&missing), 0o755]);
        sc(SYS_chown, &[sptr(&f), 0, 0]);
        sc(SYS_chown, &[sptr(&missing), 0, 0]);
        sc(SYS_lchown, &[sptr(&l), u32::MAX as u64, 0]);
        sc(SYS_lchown, &[sptr(&missing), 0, 0]);
        sc(
            SYS_mknod,
            &[sptr(&w.path("fifo2")), (S_IFIFO | 0o644) as u64, 0],
        );
        sc(SYS_mknod, &[sptr(&missing), (S_IFREG | 0o644) as u64, 0]);
    }
    let _ = (&sub, &g);

    // A tmpfs mounted and unmounted.
    let mnt = w.path("mnt");
    sc(SYS_mkdirat, &[CWD, sptr(&mnt), 0o755]);
    let (tmpfs, opts) = (name("tmpfs"), name("size=1m"));
    sc(
        SYS_mount,
        &[
            sptr(&tmpfs),
            sptr(&mnt),
            sptr(&tmpfs),
            MS_NOSUID | MS_NODEV,
            sptr(&opts),
        ],
    );
    sc(
        SYS_mount,
        &[0, sptr(&mnt), 0, MS_REMOUNT | MS_RDONLY | MS_BIND, 0],
    );
    sc(
        SYS_mount,
        &[sptr(&tmpfs), sptr(&missing), sptr(&tmpfs), 0, 0],
    );
    sc(SYS_umount2, &[sptr(&mnt), MNT_DETACH as u64]);
    sc(SYS_umount2, &[sptr(&mnt), 0]);

    // The cwd.
    sc(SYS_chdir, &[sptr(&d)]);
    sc(SYS_chdir, &[sptr(&missing)]);
    let mut buf = [0u8; 4096];
    sc(SYS_getcwd, &[mptr(&mut buf), buf.len() as u64]);
    sc(SYS_getcwd, &[mptr(&mut buf), 2]);
    sc(SYS_fchdir, &[dfd]);
    sc(SYS_fchdir, &[NO_FD]);
    sc(SYS_close, &[dfd]);
}

/// The fds of special kinds.
fn special_fds(w: &W) {
    use libc::*;
    let name = CString::new("witness-memfd").expect("name");
    let m = sc(SYS_memfd_create, &[sptr(&name), MFD_CLOEXEC as u64]);
    sc(SYS_memfd_create, &[sptr(&name), 0x1000_0000]);
    let mut fds = [0i32; 2];
    sc(
        SYS_pipe2,
        &[mptr(&mut fds), (O_CLOEXEC | O_NONBLOCK) as u64],
    );
    sc(SYS_pipe2, &[mptr(&mut fds), 0xffff_0000]);
    let mut fds2 = [0i32; 2];
    #[cfg(target_arch = "x86_64")]
    sc(SYS_pipe, &[mptr(&mut fds2)]);
    let efd = sc(SYS_eventfd2, &[7, (EFD_CLOEXEC | EFD_NONBLOCK) as u64]);
    sc(SYS_eventfd2, &[0, 0xffff_0000]);
    let ifd = sc(SYS_inotify_init1, &[IN_CLOEXEC as u64]);
    sc(SYS_inotify_init1, &[0xffff_0000]);
    let mask: u64 = (1 << (SIGUSR2 - 1)) | (1 << (SIGHUP - 1));
    let sfd = sc(
        SYS_signalfd4,
        &[u64::MAX, ptr(&mask), 8, (SFD_NONBLOCK | SFD_CLOEXEC) as u64],
    );
    sc(SYS_signalfd4, &[NO_FD, ptr(&mask), 8, 0]);
    let tfd = sc(
        SYS_timerfd_create,
        &[CLOCK_MONOTONIC as u64, TFD_CLOEXEC as u64],
    );
    sc(SYS_timerfd_create, &[0xff, 0]);
    let ufd = sc(SYS_userfaultfd, &[(O_CLOEXEC | O_NONBLOCK) as u64]);
    let epfd = sc(SYS_epoll_create1, &[EPOLL_CLOEXEC as u64]);
    sc(SYS_epoll_create1, &[0xffff]);
    #[repr(C)]
    #[derive(Default)]
    struct IoUringParams {
        sq_entries: u32,
        cq_entries: u32,
        flags: u32,
        sq_thread_cpu: u32,
        sq_thread_idle: u32,
        features: u32,
        wq_fd: u32,
        resv: [u32; 3],
        offsets: [u32; 20],
    }
    let mut params = IoUringParams {
        flags: 1 << 3, // IORING_SETUP_CQSIZE
        cq_entries: 16,
        ..IoUringParams::default()
    };
    let ring = sc(SYS_io_uring_setup, &[4, mptr(&mut params)]);
    let mut bad = IoUringParams::default();
    sc(SYS_io_uring_setup, &[0, mptr(&mut bad)]);
    #[cfg(target_arch = "x86_64")]
    {
        let e1 = sc(SYS_eventfd, &[3]);
        let i1 = sc(SYS_inotify_init, &[]);
        let s1 = sc(SYS_signalfd, &[u64::MAX, ptr(&mask), 8]);
        let ep1 = sc(SYS_epoll_create, &[4]);
        sc(SYS_epoll_create, &[0]);
        let mut ev = [0u8; 64];
        sc(SYS_epoll_wait, &[ep1 as u64, mptr(&mut ev), 4, 0]);
        sc(SYS_epoll_wait, &[NO_FD, mptr(&mut ev), 4, 0]);
        for n in [e1, i1, s1, ep1, fds2[0] as i64, fds2[1] as i64] {
            sc(SYS_close, &[n as u64]);
        }
    }
    let _ = &fds2;
    let pfd = sc(SYS_pidfd_open, &[std::process::id() as u64, 0]);
    sc(SYS_pidfd_open, &[NO_PID, 0]);
    let got = sc(SYS_pidfd_getfd, &[pfd as u64, efd as u64, 0]);
    sc(SYS_pidfd_getfd, &[pfd as u64, NO_FD, 0]);

    // open_by_handle_at: a handle from name_to_handle_at, reopened.
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
    let f = w.path("a.txt");
    sc(
        SYS_name_to_handle_at,
        &[CWD, sptr(&f), mptr(&mut h), mptr(&mut mount_id), 0],
    );
    let dirc = cstr(&w.dir);
    let mfd = sc(
        SYS_openat,
        &[CWD, sptr(&dirc), (O_RDONLY | O_DIRECTORY) as u64, 0],
    );
    let hfd = sc(
        SYS_open_by_handle_at,
        &[mfd as u64, mptr(&mut h), (O_RDONLY | O_CLOEXEC) as u64],
    );
    sc(
        SYS_open_by_handle_at,
        &[NO_FD, mptr(&mut h), O_RDONLY as u64],
    );
    for n in [
        m,
        fds[0] as i64,
        fds[1] as i64,
        efd,
        ifd,
        sfd,
        tfd,
        ufd,
        epfd,
        ring,
        pfd,
        got,
        mfd,
        hfd,
    ] {
        sc(SYS_close, &[n as u64]);
    }
}

/// Data moved between fds without user buffers, and pipes.
fn io(w: &W) {
    use libc::*;
    let src = w.path("src.bin");
    let dst = w.path("dst.bin");
    let fin = sc(
        SYS_openat,
        &[CWD, sptr(&src), (O_RDWR | O_CREAT) as u64, 0o600],
    ) as u64;
    let payload = b"0123456789abcdefghij";
    sc(
        SYS_write,
        &[fin, payload.as_ptr() as u64, payload.len() as u64],
    );
    let fout = sc(
        SYS_openat,
        &[CWD, sptr(&dst), (O_RDWR | O_CREAT) as u64, 0o600],
    ) as u64;
    let mut off: i64 = 2;
    sc(SYS_sendfile, &[fout, fin, mptr(&mut off), 5]);
    sc(SYS_lseek, &[fin, 0, SEEK_SET as u64]);
    sc(SYS_sendfile, &[fout, fin, 0, 3]);
    sc(SYS_sendfile, &[NO_FD, fin, 0, 3]);
    let (mut oin, mut oout): (i64, i64) = (4, 10);
    sc(
        SYS_copy_file_range,
        &[fin, mptr(&mut oin), fout, mptr(&mut oout), 6, 0],
    );
    sc(SYS_copy_file_range, &[fin, 0, fout, 0, 2, 0]);
    sc(SYS_copy_file_range, &[NO_FD, 0, fout, 0, 2, 0]);
    let mut p = [0i32; 2];
    sc(SYS_pipe2, &[mptr(&mut p), 0]);
    let (pr, pw) = (p[0] as u64, p[1] as u64);
    sc(SYS_lseek, &[fin, 0, SEEK_SET as u64]);
    sc(
        SYS_splice,
        &[fin, 0, pw, 0, 8, (SPLICE_F_MOVE | SPLICE_F_MORE) as u64],
    );
    sc(SYS_splice, &[pr, 0, fout, 0, 8, 0]);
    sc(SYS_splice, &[NO_FD, 0, fout, 0, 8, 0]);
    // Polling a pipe with data in it.
    sc(SYS_write, &[pw, b"!".as_ptr() as u64, 1]);
    let mut pfds = [
        pollfd {
            fd: pr as i32,
            events: POLLIN,
            revents: 0,
        },
        pollfd {
            fd: pw as i32,
            events: POLLOUT,
            revents: 0,
        },
        pollfd {
            fd: NO_FD as i32,
            events: POLLIN,
            revents: 0,
        },
    ];
    #[cfg(target_arch = "x86_64")]
    {
        sc(SYS_poll, &[mptr(&mut pfds), 3, 0]);
        // select with nothing to watch: a timeout of zero.
        let mut tv = timeval {
            tv_sec: 0,
            tv_usec: 0,
        };
        sc(SYS_select, &[0, 0, 0, 0, mptr(&mut tv)]);
        sc(SYS_select, &[u64::MAX, 0, 0, 0, mptr(&mut tv)]);
    }
    let ts = timespec {
        tv_sec: 0,
        tv_nsec: 1000,
    };
    let mask: u64 = 1 << (SIGUSR2 - 1);
    sc(SYS_ppoll, &[mptr(&mut pfds), 2, ptr(&ts), ptr(&mask), 8]);
    sc(SYS_ppoll, &[mptr(&mut pfds), 1, 0, 0, 8]);
    for n in [fin, fout, pr, pw] {
        sc(SYS_close, &[n]);
    }
}

fn sockaddr_in(port: u16) -> sockaddr_in {
    libc::sockaddr_in {
        sin_family: libc::AF_INET as u16,
        sin_port: port.to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from_be_bytes([127, 0, 0, 1]).to_be(),
        },
        sin_zero: [0; 8],
    }
}
use libc::sockaddr_in;

/// TCP and UDP over loopback, UNIX datagram pairs, messages, options.
fn network() {
    use libc::*;
    let inlen = std::mem::size_of::<sockaddr_in>() as u64;
    // TCP: listen, connect, accept, exchange, shut down.
    let srv = sc(SYS_socket, &[AF_INET as u64, SOCK_STREAM as u64, 0]) as u64;
    let one: c_int = 1;
    sc(
        SYS_setsockopt,
        &[srv, SOL_SOCKET as u64, SO_REUSEADDR as u64, ptr(&one), 4],
    );
    let any = sockaddr_in(0);
    sc(SYS_bind, &[srv, ptr(&any), inlen]);
    sc(SYS_listen, &[srv, 8]);
    sc(SYS_listen, &[NO_FD, 8]);
    let mut bound = sockaddr_in(0);
    let mut blen = inlen as u32;
    sc(SYS_getsockname, &[srv, mptr(&mut bound), mptr(&mut blen)]);
    let port = u16::from_be(bound.sin_port);
    let cli = sc(SYS_socket, &[AF_INET as u64, SOCK_STREAM as u64, 0]) as u64;
    let to = sockaddr_in(port);
    sc(SYS_connect, &[cli, ptr(&to), inlen]);
    let mut peer = sockaddr_in(0);
    let mut plen = inlen as u32;
    let acc = sc(
        SYS_accept4,
        &[srv, mptr(&mut peer), mptr(&mut plen), SOCK_CLOEXEC as u64],
    ) as u64;
    sc(SYS_getpeername, &[cli, mptr(&mut peer), mptr(&mut plen)]);
    sc(SYS_getpeername, &[NO_FD, mptr(&mut peer), mptr(&mut plen)]);
    // A second connection, accepted with accept (no address asked for).
    let cli2 = sc(SYS_socket, &[AF_INET as u64, SOCK_STREAM as u64, 0]) as u64;
    sc(SYS_connect, &[cli2, ptr(&to), inlen]);
    let acc2 = sc(SYS_accept, &[srv, 0, 0]) as u64;
    sc(SYS_accept, &[NO_FD, 0, 0]);
    sc(SYS_connect, &[NO_FD, ptr(&to), inlen]);
    sc(SYS_close, &[acc2]);
    sc(SYS_close, &[cli2]);
    let msg = b"over tcp";
    sc(
        SYS_sendto,
        &[cli, msg.as_ptr() as u64, msg.len() as u64, 0, 0, 0],
    );
    let mut buf = [0u8; 128];
    sc(
        SYS_recvfrom,
        &[acc, mptr(&mut buf), buf.len() as u64, 0, 0, 0],
    );
    sc(SYS_recvfrom, &[NO_FD, mptr(&mut buf), 4, 0, 0, 0]);
    let nodelay: c_int = 1;
    sc(
        SYS_setsockopt,
        &[
            cli,
            IPPROTO_TCP as u64,
            TCP_NODELAY as u64,
            ptr(&nodelay),
            4,
        ],
    );
    let tv = timeval {
        tv_sec: 2,
        tv_usec: 500,
    };
    sc(
        SYS_setsockopt,
        &[
            cli,
            SOL_SOCKET as u64,
            SO_RCVTIMEO as u64,
            ptr(&tv),
            std::mem::size_of::<timeval>() as u64,
        ],
    );
    sc(
        SYS_setsockopt,
        &[NO_FD, SOL_SOCKET as u64, SO_RCVBUF as u64, ptr(&one), 4],
    );
    let mut val: c_int = 0;
    let mut vlen: u32 = 4;
    sc(
        SYS_getsockopt,
        &[
            cli,
            SOL_SOCKET as u64,
            SO_ERROR as u64,
            mptr(&mut val),
            mptr(&mut vlen),
        ],
    );
    vlen = 4;
    sc(
        SYS_getsockopt,
        &[
            cli,
            SOL_SOCKET as u64,
            SO_RCVBUF as u64,
            mptr(&mut val),
            mptr(&mut vlen),
        ],
    );
    let mut tvr = timeval {
        tv_sec: 0,
        tv_usec: 0,
    };
    let mut tvlen = std::mem::size_of::<timeval>() as u32;
    sc(
        SYS_getsockopt,
        &[
            cli,
            SOL_SOCKET as u64,
            SO_RCVTIMEO as u64,
            mptr(&mut tvr),
            mptr(&mut tvlen),
        ],
    );
    vlen = 4;
    sc(
        SYS_getsockopt,
        &[
            NO_FD,
            SOL_SOCKET as u64,
            SO_TYPE as u64,
            mptr(&mut val),
            mptr(&mut vlen),
        ],
    );
    sc(SYS_shutdown, &[cli, SHUT_WR as u64]);
    sc(SYS_shutdown, &[NO_FD, SHUT_RDWR as u64]);
    for n in [acc, cli, srv] {
        sc(SYS_close, &[n]);
    }

    // UDP: unconnected, with addresses on each datagram.
    let u = sc(SYS_socket, &[AF_INET as u64, SOCK_DGRAM as u64, 0]) as u64;
    sc(SYS_bind, &[u, ptr(&any), inlen]);
    let mut me = sockaddr_in(0);
    let mut mlen = inlen as u32;
    sc(SYS_getsockname, &[u, mptr(&mut me), mptr(&mut mlen)]);
    let dgram = b"datagram";
    sc(
        SYS_sendto,
        &[
            u,
            dgram.as_ptr() as u64,
            dgram.len() as u64,
            0,
            ptr(&me),
            inlen,
        ],
    );
    let mut from = sockaddr_in(0);
    let mut flen = inlen as u32;
    sc(
        SYS_recvfrom,
        &[
            u,
            mptr(&mut buf),
            buf.len() as u64,
            0,
            mptr(&mut from),
            mptr(&mut flen),
        ],
    );
    // sendmsg/recvmsg with an address and two iovecs.
    let (a, b) = (b"first-".to_vec(), b"second".to_vec());
    let iov = [
        iovec {
            iov_base: a.as_ptr() as *mut c_void,
            iov_len: a.len(),
        },
        iovec {
            iov_base: b.as_ptr() as *mut c_void,
            iov_len: b.len(),
        },
    ];
    // SAFETY: msghdr is plain data; zeroed is a valid value.
    let mut mh: msghdr = unsafe { std::mem::zeroed() };
    mh.msg_name = (&me as *const sockaddr_in) as *mut c_void;
    mh.msg_namelen = inlen as u32;
    mh.msg_iov = iov.as_ptr() as *mut iovec;
    mh.msg_iovlen = 2;
    sc(SYS_sendmsg, &[u, ptr(&mh), 0]);
    sc(SYS_sendmsg, &[NO_FD, ptr(&mh), 0]);
    let mut rbuf = [0u8; 64];
    let riov = [iovec {
        iov_base: rbuf.as_mut_ptr().cast(),
        iov_len: rbuf.len(),
    }];
    let mut src = sockaddr_in(0);
    // SAFETY: as above.
    let mut rh: msghdr = unsafe { std::mem::zeroed() };
    rh.msg_name = (&mut src as *mut sockaddr_in).cast();
    rh.msg_namelen = inlen as u32;
    rh.msg_iov = riov.as_ptr() as *mut iovec;
    rh.msg_iovlen = 1;
    sc(SYS_recvmsg, &[u, mptr(&mut rh), 0]);
    sc(SYS_recvmsg, &[u, mptr(&mut rh), MSG_DONTWAIT as u64]);
    sc(SYS_close, &[u]);

    // A UNIX datagram pair: several messages per call.
    let mut sv = [0i32; 2];
    sc(
        SYS_socketpair,
        &[
            AF_UNIX as u64,
            (SOCK_DGRAM | SOCK_CLOEXEC) as u64,
            0,
            mptr(&mut sv),
        ],
    );
    // Refused by the protocol, after the kernel wrote two fds to the array:
    // a separate one.
    let mut unused = [0i32; 2];
    sc(
        SYS_socketpair,
        &[AF_INET as u64, SOCK_DGRAM as u64, 0, mptr(&mut unused)],
    );
    let (s0, s1) = (sv[0] as u64, sv[1] as u64);
    let parts: [&[u8]; 3] = [b"m-one", b"m-two", b"m-three"];
    let siov: Vec<iovec> = parts
        .iter()
        .map(|p| iovec {
            iov_base: p.as_ptr() as *mut c_void,
            iov_len: p.len(),
        })
        .collect();
    // SAFETY: as above.
    let mut msgs: Vec<mmsghdr> = (0..3).map(|_| unsafe { std::mem::zeroed() }).collect();
    for (m, v) in msgs.iter_mut().zip(&siov) {
        m.msg_hdr.msg_iov = (v as *const iovec) as *mut iovec;
        m.msg_hdr.msg_iovlen = 1;
    }
    sc(SYS_sendmmsg, &[s0, msgs.as_mut_ptr() as u64, 3, 0]);
    sc(SYS_sendmmsg, &[NO_FD, msgs.as_mut_ptr() as u64, 3, 0]);
    let mut rb = [[0u8; 16]; 3];
    let riovs: Vec<iovec> = rb
        .iter_mut()
        .map(|b| iovec {
            iov_base: b.as_mut_ptr().cast(),
            iov_len: b.len(),
        })
        .collect();
    // SAFETY: as above.
    let mut rmsgs: Vec<mmsghdr> = (0..3).map(|_| unsafe { std::mem::zeroed() }).collect();
    for (m, v) in rmsgs.iter_mut().zip(&riovs) {
        m.msg_hdr.msg_iov = (v as *const iovec) as *mut iovec;
        m.msg_hdr.msg_iovlen = 1;
    }
    sc(
        SYS_recvmmsg,
        &[s1, rmsgs.as_mut_ptr() as u64, 3, MSG_DONTWAIT as u64, 0],
    );
    sc(
        SYS_recvmmsg,
        &[s1, rmsgs.as_mut_ptr() as u64, 3, MSG_DONTWAIT as u64, 0],
    );
    sc(SYS_close, &[s0]);
    sc(SYS_close, &[s1]);
}

/// Signals, ptrace, prctl, namespaces, sessions.
fn processes() {
    use libc::*;
    extern "C" fn on_usr1(_: c_int) {}
    // SAFETY: an empty handler is async-signal-safe.
    unsafe { signal(SIGUSR1, on_usr1 as *const () as sighandler_t) };
    let pid = std::process::id() as u64;
    let tid = sc(SYS_gettid, &[]) as u64;
    sc(SYS_kill, &[pid, 0]);
    sc(SYS_kill, &[NO_PID, SIGTERM as u64]);
    sc(SYS_tgkill, &[pid, tid, 0]);
    sc(SYS_tgkill, &[pid, NO_PID, SIGUSR2 as u64]);
    sc(SYS_tkill, &[tid, 0]);
    sc(SYS_tkill, &[NO_PID, SIGHUP as u64]);
    // Delivered, and reported as signaldeliver.
    sc(SYS_tkill, &[tid, SIGUSR1 as u64]);
    sc(SYS_kill, &[pid, SIGUSR1 as u64]);

    // ptrace: strace traces us, so these fail, with their arguments intact.
    let mut word: u64 = 0;
    sc(SYS_ptrace, &[PTRACE_TRACEME as u64, 0, 0, 0]);
    sc(
        SYS_ptrace,
        &[PTRACE_PEEKDATA as u64, NO_PID, 0x1000, mptr(&mut word)],
    );
    sc(SYS_ptrace, &[PTRACE_CONT as u64, NO_PID, 0, SIGUSR2 as u64]);
    sc(SYS_ptrace, &[PTRACE_ATTACH as u64, 1, 0, 0]);

    let comm = CString::new("witness-comm").expect("name");
    sc(SYS_prctl, &[PR_SET_NAME as u64, sptr(&comm), 0, 0, 0]);
    let mut name = [0u8; 16];
    sc(SYS_prctl, &[PR_GET_NAME as u64, mptr(&mut name), 0, 0, 0]);
    sc(SYS_prctl, &[PR_GET_DUMPABLE as u64, 0, 0, 0, 0]);
    sc(SYS_prctl, &[0x7fff_0000, 0, 0, 0, 0]);

    // Namespaces: a new UTS namespace, then back into the one we left.
    let nsp = CString::new("/proc/self/ns/uts").expect("name");
    let ns = sc(
        SYS_openat,
        &[CWD, sptr(&nsp), (O_RDONLY | O_CLOEXEC) as u64, 0],
    ) as u64;
    sc(SYS_unshare, &[CLONE_NEWUTS as u64]);
    sc(SYS_unshare, &[0x1]);
    sc(SYS_setns, &[ns, CLONE_NEWUTS as u64]);
    sc(SYS_setns, &[ns, CLONE_NEWNET as u64]);
    sc(SYS_close, &[ns]);

    // Sessions: a new one, then calls it forbids.
    sc(SYS_setsid, &[]);
    sc(SYS_setsid, &[]);
    sc(SYS_setpgid, &[0, 0]);
    sc(SYS_setpgid, &[NO_PID, 0]);
}

/// Ids, capabilities, limits, seccomp.
fn identity() {
    use libc::*;
    sc(SYS_setuid, &[0]);
    sc(SYS_setuid, &[u32::MAX as u64]);
    sc(SYS_setgid, &[0]);
    sc(SYS_setreuid, &[u32::MAX as u64, 0]);
    sc(SYS_setregid, &[0, u32::MAX as u64]);
    sc(SYS_setresuid, &[0, u32::MAX as u64, 0]);
    sc(SYS_setresgid, &[u32::MAX as u64, 0, u32::MAX as u64]);
    // The gid 12345 is not ours to take without CAP_SETGID... which root
    // has: take it and give it back.
    sc(SYS_setresgid, &[12345, 12345, 12345]);
    sc(SYS_setresgid, &[0, 0, 0]);

    #[repr(C)]
    struct CapHeader {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy, Default)]
    struct CapData {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    let mut hdr = CapHeader {
        version: 0x2008_0522, // _LINUX_CAPABILITY_VERSION_3
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    sc(SYS_capget, &[mptr(&mut hdr), mptr(&mut data)]);
    // Drop one inheritable capability (CAP_KILL), then restore them all.
    let mut less = data;
    less[0].inheritable = data[0].permitted & !(1 << 5);
    sc(SYS_capset, &[mptr(&mut hdr), ptr(&less)]);
    sc(SYS_capset, &[mptr(&mut hdr), ptr(&data)]);
    let mut bad = CapHeader {
        version: 0x1234,
        pid: 0,
    };
    sc(SYS_capset, &[mptr(&mut bad), ptr(&data)]);

    let mut old = rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    sc(SYS_prlimit64, &[0, RLIMIT_NOFILE as u64, 0, mptr(&mut old)]);
    let soft = rlimit {
        rlim_cur: old.rlim_cur.min(512),
        rlim_max: old.rlim_max,
    };
    sc(
        SYS_prlimit64,
        &[0, RLIMIT_NOFILE as u64, ptr(&soft), mptr(&mut old)],
    );
    sc(SYS_prlimit64, &[NO_PID, RLIMIT_CORE as u64, ptr(&soft), 0]);
    let core = rlimit {
        rlim_cur: 0,
        rlim_max: RLIM_INFINITY,
    };
    sc(SYS_setrlimit, &[RLIMIT_CORE as u64, ptr(&core)]);
    let inverted = rlimit {
        rlim_cur: 10,
        rlim_max: 5,
    };
    sc(SYS_setrlimit, &[RLIMIT_STACK as u64, ptr(&inverted)]);

    let action: u32 = 0x8000_0000; // SECCOMP_RET_KILL_PROCESS
    sc(SYS_seccomp, &[2, 0, ptr(&action)]); // SECCOMP_GET_ACTION_AVAIL
    sc(SYS_seccomp, &[99, 0, 0]);
}

/// mmap and friends, sleeping, futexes, other processes' memory.
fn memory() {
    use libc::*;
    let len = 3 * 4096u64;
    let anon = sc(
        SYS_mmap,
        &[
            0,
            len,
            (PROT_READ | PROT_WRITE) as u64,
            (MAP_PRIVATE | MAP_ANONYMOUS) as u64,
            u64::MAX,
            0,
        ],
    );
    sc(
        SYS_mmap,
        &[0, 4096, PROT_READ as u64, MAP_PRIVATE as u64, NO_FD, 0],
    );
    sc(SYS_mprotect, &[anon as u64, 4096, PROT_READ as u64]);
    sc(SYS_mprotect, &[anon as u64 + 1, 4096, PROT_READ as u64]);
    sc(SYS_munmap, &[anon as u64 + 4096, 4096]);
    sc(SYS_munmap, &[anon as u64 + 1, 4096]);
    let cur = sc(SYS_brk, &[0]);
    sc(SYS_brk, &[cur as u64]);
    let ts = timespec {
        tv_sec: 0,
        tv_nsec: 200_000,
    };
    sc(SYS_nanosleep, &[ptr(&ts), 0]);
    let bad = timespec {
        tv_sec: 0,
        tv_nsec: 2_000_000_000,
    };
    sc(SYS_nanosleep, &[ptr(&bad), 0]);
    let futex: u32 = 5;
    sc(
        SYS_futex,
        &[ptr(&futex), (FUTEX_WAKE | FUTEX_PRIVATE_FLAG) as u64, 1],
    );
    sc(SYS_futex, &[ptr(&futex), FUTEX_WAIT as u64, 4, 0]);

    // Our own memory, through the other-process interface.
    let pid = std::process::id() as u64;
    let src = *b"remote bytes";
    let mut dst = [0u8; 12];
    let local = iovec {
        iov_base: dst.as_mut_ptr().cast(),
        iov_len: dst.len(),
    };
    let remote = iovec {
        iov_base: src.as_ptr() as *mut c_void,
        iov_len: src.len(),
    };
    sc(
        SYS_process_vm_readv,
        &[pid, ptr(&local), 1, ptr(&remote), 1, 0],
    );
    sc(
        SYS_process_vm_readv,
        &[NO_PID, ptr(&local), 1, ptr(&remote), 1, 0],
    );
    let out = *b"written back";
    let mut target = [0u8; 12];
    let local = iovec {
        iov_base: out.as_ptr() as *mut c_void,
        iov_len: out.len(),
    };
    let remote = iovec {
        iov_base: target.as_mut_ptr().cast(),
        iov_len: target.len(),
    };
    sc(
        SYS_process_vm_writev,
        &[pid, ptr(&local), 1, ptr(&remote), 1, 0],
    );
    sc(
        SYS_process_vm_writev,
        &[NO_PID, ptr(&local), 1, ptr(&remote), 1, 0],
    );
}

/// BPF, modules: one success, and refusals.
fn kernel_objects(w: &W) {
    use libc::*;
    // BPF_MAP_CREATE: an array of one u32.
    let mut attr = [0u32; 32];
    attr[0] = 2; // BPF_MAP_TYPE_ARRAY
    attr[1] = 4; // key size
    attr[2] = 4; // value size
    attr[3] = 1; // max entries
    let map = sc(SYS_bpf, &[0, ptr(&attr), 128]);
    sc(SYS_bpf, &[0xffff, ptr(&attr), 128]);
    sc(SYS_close, &[map as u64]);

    let junk = [0x5au8; 64];
    let params = CString::new("witness=1").expect("params");
    sc(
        SYS_init_module,
        &[junk.as_ptr() as u64, junk.len() as u64, sptr(&params)],
    );
    let f = w.path("a.txt");
    let fd = sc(SYS_openat, &[CWD, sptr(&f), O_RDONLY as u64, 0]) as u64;
    sc(SYS_finit_module, &[fd, sptr(&params), 2]);
    sc(SYS_close, &[fd]);
    let module = CString::new("scap_witness_none").expect("name");
    sc(
        SYS_delete_module,
        &[sptr(&module), (O_NONBLOCK | O_TRUNC) as u64],
    );
}

/// Ends a child at once, whatever it was running.
fn exit_now() -> ! {
    sc(libc::SYS_exit_group, &[0]);
    unreachable!("exit_group returned")
}

/// Waits for a child (wait4 is not witnessed).
fn reap(pid: i64) {
    if pid > 0 {
        let mut status = 0i32;
        sc(libc::SYS_wait4, &[pid as u64, mptr(&mut status), 0, 0]);
    }
}

/// vfork's child shares our memory and stack until it exits: it runs only
/// the exit_group syscall, in the same instruction sequence, touching
/// nothing.
#[cfg(target_arch = "x86_64")]
fn vfork_and_exit() -> i64 {
    let ret: i64;
    // SAFETY: in the child (rax 0) only exit_group runs, with no memory
    // access; the parent gets the child's pid back in rax.
    unsafe {
        std::arch::asm!(
            "syscall",
            "test rax, rax",
            "jnz 2f",
            "mov eax, 231",
            "xor edi, edi",
            "syscall",
            "2:",
            inlateout("rax") libc::SYS_vfork => ret,
            out("rcx") _,
            out("r11") _,
            out("rdi") _,
            options(nostack),
        );
    }
    ret
}

/// Processes: the clone family (children that exit at once), execve and
/// execveat (a refusal each here, a success each in a child that runs this
/// program again with EXIT_AT_ONCE).
fn lifecycle(w: &W) {
    use libc::*;
    let me = std::env::current_exe().expect("our own path");
    let exe = cstr(&me);
    let arg1 = CString::new(EXIT_AT_ONCE).expect("arg");
    let argv = [exe.as_ptr(), arg1.as_ptr(), std::ptr::null()];
    let env: Vec<CString> = std::env::vars_os()
        .map(|(k, v)| {
            let mut kv = k.as_bytes().to_vec();
            kv.push(b'=');
            kv.extend_from_slice(v.as_bytes());
            CString::new(kv).expect("no NUL in the environment")
        })
        .collect();
    let mut envp: Vec<*const c_char> = env.iter().map(|e| e.as_ptr()).collect();
    envp.push(std::ptr::null());
    let missing = w.path("missing/none");

    #[cfg(target_arch = "x86_64")]
    {
        let child = sc(SYS_fork, &[]);
        if child == 0 {
            exit_now();
        }
        reap(child);
        reap(vfork_and_exit());
    }
    let child = sc(SYS_clone, &[SIGCHLD as u64, 0, 0, 0, 0]);
    if child == 0 {
        exit_now();
    }
    reap(child);
    sc(
        SYS_clone,
        &[CLONE_NEWPID as u64 | CLONE_THREAD as u64, 0, 0, 0, 0],
    );
    #[repr(C)]
    #[derive(Default)]
    struct CloneArgs {
        flags: u64,
        pidfd: u64,
        child_tid: u64,
        parent_tid: u64,
        exit_signal: u64,
        stack: u64,
        stack_size: u64,
        tls: u64,
    }
    let args = CloneArgs {
        exit_signal: SIGCHLD as u64,
        ..CloneArgs::default()
    };
    let size = std::mem::size_of::<CloneArgs>() as u64;
    let child = sc(SYS_clone3, &[ptr(&args), size]);
    if child == 0 {
        exit_now();
    }
    reap(child);
    sc(SYS_clone3, &[ptr(&args), 8]);

    // execve and execveat: refused here; run to completion in children.
    sc(
        SYS_execve,
        &[sptr(&missing), argv.as_ptr() as u64, envp.as_ptr() as u64],
    );
    sc(
        SYS_execveat,
        &[
            CWD,
            sptr(&missing),
            argv.as_ptr() as u64,
            envp.as_ptr() as u64,
            0,
        ],
    );
    let child = sc(SYS_clone, &[SIGCHLD as u64, 0, 0, 0, 0]);
    if child == 0 {
        sc(
            SYS_execve,
            &[sptr(&exe), argv.as_ptr() as u64, envp.as_ptr() as u64],
        );
        exit_now();
    }
    reap(child);
    let child = sc(SYS_clone, &[SIGCHLD as u64, 0, 0, 0, 0]);
    if child == 0 {
        sc(
            SYS_execveat,
            &[
                CWD,
                sptr(&exe),
                argv.as_ptr() as u64,
                envp.as_ptr() as u64,
                0,
            ],
        );
        exit_now();
    }
    reap(child);
}

/// chroot: a refusal, then into the scratch directory for good.
fn chroot(w: &W) {
    use libc::*;
    let missing = w.path("missing/none");
    sc(SYS_chroot, &[sptr(&missing)]);
    let dirc = cstr(&w.dir);
    sc(SYS_chroot, &[sptr(&dirc)]);
}
