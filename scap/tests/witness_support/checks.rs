//! What each syscall's event must hold, given what strace showed of the call:
//! which argument each parameter comes from, and how kernel values become the
//! schema's. The conversions are written here again, from the uapi values
//! (libc) and the schema's value names, independently of the probe's C.

use libc::*;
use scap::params::FdList;
use scap::ParamValue;

use std::collections::HashMap;

use super::cmp::Cmp;
use super::strace::{Call, V};

/// What the checks of process events need to know beyond one call: the
/// workload's own exec (its arguments and environment, which clone children
/// and failed execs report), who started it, and each child's parent.
pub struct Ctx {
    /// The workload's pid.
    pub pid: u64,
    /// Its argv.
    pub argv: Vec<Vec<u8>>,
    /// Its environment.
    pub env: Vec<Vec<u8>>,
    /// Each process's parent (the workload's is strace).
    pub parent: HashMap<u64, u64>,
}

fn strings(v: Option<&V>) -> Vec<Vec<u8>> {
    v.and_then(V::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|s| s.str().map(|(b, _)| b.to_vec()))
        .collect()
}

impl Ctx {
    /// From strace's line of the workload's exec; `parent` ran it.
    pub fn new(exec: &Call, parent: u64) -> Ctx {
        Ctx {
            pid: exec.tid,
            argv: strings(exec.args.get(1)),
            env: strings(exec.args.get(2)),
            parent: HashMap::from([(exec.tid, parent)]),
        }
    }
}

/// The NUL-separated form of a string list (each item NUL-terminated), as
/// `args` and `env` parameters hold it.
fn nul_list(items: &[Vec<u8>]) -> Vec<u8> {
    let mut v = Vec::new();
    for i in items {
        v.extend_from_slice(i);
        v.push(0);
    }
    v
}

/// The probe reads argv and the environment 4096 bytes at most.
const MAX_STR: usize = 4096;

const NOT_SHOWN: &str = "strace does not show it";

/// Kernel open flags (as passed to open, openat, openat2, pipe2,
/// open_by_handle_at) in the schema's names.
pub const OPEN_FLAGS: &[(i128, &str)] = &[
    (O_CREAT as i128, "O_CREAT"),
    // libc's O_LARGEFILE is 0 on 64-bit targets: the kernel's bit.
    (KERNEL_O_LARGEFILE, "O_LARGEFILE"),
    (O_APPEND as i128, "O_APPEND"),
    (O_DSYNC as i128, "O_DSYNC"),
    (O_EXCL as i128, "O_EXCL"),
    (O_NONBLOCK as i128, "O_NONBLOCK"),
    (O_SYNC as i128, "O_SYNC"),
    (O_TRUNC as i128, "O_TRUNC"),
    (O_DIRECT as i128, "O_DIRECT"),
    (O_CLOEXEC as i128, "O_CLOEXEC"),
];

#[cfg(target_arch = "x86_64")]
const KERNEL_O_LARGEFILE: i128 = 0o100000;
#[cfg(target_arch = "aarch64")]
const KERNEL_O_LARGEFILE: i128 = 0o400000;

/// Compares an open-flags parameter with the kernel flags `k`: the access
/// mode (a 2-bit number: O_RDONLY is 0), the flag bits, O_TMPFILE (which
/// includes O_DIRECTORY's bit) or O_DIRECTORY. The bits the probe adds from
/// the opened file (O_F_CREATED, FD_UPPER_LAYER, FD_LOWER_LAYER) are not the
/// caller's: whatever the event has of them is accepted.
fn open_flags(c: &mut Cmp<'_>, p: &str, k: i128) {
    let t = &scap::schema::tables::FILE_FLAGS;
    let v = |name: &str| i128::from(t.value_of(name).unwrap_or(0));
    let mut exp = v(match k as i32 & O_ACCMODE {
        O_WRONLY => "O_WRONLY",
        O_RDWR => "O_RDWR",
        _ => "O_RDONLY",
    });
    for (bits, name) in OPEN_FLAGS {
        if *bits != 0 && k & bits == *bits {
            exp |= v(name);
        }
    }
    if k as i32 & O_TMPFILE == O_TMPFILE {
        exp |= v("O_TMPFILE");
    } else if k as i32 & O_DIRECTORY != 0 {
        exp |= v("O_DIRECTORY");
    }
    let from_file = v("O_F_CREATED") | v("FD_UPPER_LAYER") | v("FD_LOWER_LAYER");
    let got = c.peek(p).and_then(|x| x.as_u64()).map_or(0, i128::from);
    c.num(p, exp | (got & from_file));
}

/// The mode an open-family event reports: the argument when a file may be
/// created, 0 otherwise.
fn open_mode(flags: i128, mode: Option<i128>) -> i128 {
    if flags as i32 & (O_CREAT | O_TMPFILE) != 0 {
        mode.unwrap_or(0) & 0o7777
    } else {
        0
    }
}

const MODE_BITS: &[(i128, &str)] = &[
    (0o1, "S_IXOTH"),
    (0o2, "S_IWOTH"),
    (0o4, "S_IROTH"),
    (0o10, "S_IXGRP"),
    (0o20, "S_IWGRP"),
    (0o40, "S_IRGRP"),
    (0o100, "S_IXUSR"),
    (0o200, "S_IWUSR"),
    (0o400, "S_IRUSR"),
    (0o1000, "S_ISVTX"),
    (0o2000, "S_ISGID"),
    (0o4000, "S_ISUID"),
];

fn mknod_map(mode: i128) -> Vec<(i128, &'static str)> {
    let mut m = MODE_BITS.to_vec();
    let ty = match mode as u32 & S_IFMT {
        S_IFREG => Some("S_IFREG"),
        S_IFCHR => Some("S_IFCHR"),
        S_IFBLK => Some("S_IFBLK"),
        S_IFIFO => Some("S_IFIFO"),
        S_IFSOCK => Some("S_IFSOCK"),
        _ => None,
    };
    if let Some(t) = ty {
        m.push((i128::from(mode as u32 & S_IFMT), t));
    }
    m
}

/// glibc's makedev encoding (what mknod takes) to the kernel's
/// (major << 20 | minor), the probe's encoding of every dev parameter.
fn kernel_dev(user: i128) -> i128 {
    let d = user as u64;
    let major = (d >> 8) & 0xfff;
    let minor = (d & 0xff) | ((d >> 12) & 0xfff00);
    i128::from((major << 20) | minor)
}

const FD_FLAGS: &[(i128, &str)] = &[
    (O_CLOEXEC as i128, "O_CLOEXEC"),
    (O_NONBLOCK as i128, "O_NONBLOCK"),
];

const CLONE_FLAGS: &[(i128, &str)] = &[
    (CLONE_FILES as i128, "CLONE_FILES"),
    (CLONE_FS as i128, "CLONE_FS"),
    (CLONE_IO as i128, "CLONE_IO"),
    (CLONE_NEWIPC as i128, "CLONE_NEWIPC"),
    (CLONE_NEWNET as i128, "CLONE_NEWNET"),
    (CLONE_NEWNS as i128, "CLONE_NEWNS"),
    (CLONE_NEWPID as i128, "CLONE_NEWPID"),
    (CLONE_NEWUTS as i128, "CLONE_NEWUTS"),
    (CLONE_PARENT as i128, "CLONE_PARENT"),
    (CLONE_PARENT_SETTID as i128, "CLONE_PARENT_SETTID"),
    (CLONE_PTRACE as i128, "CLONE_PTRACE"),
    (CLONE_SIGHAND as i128, "CLONE_SIGHAND"),
    (CLONE_SYSVSEM as i128, "CLONE_SYSVSEM"),
    (CLONE_THREAD as i128, "CLONE_THREAD"),
    (CLONE_UNTRACED as i128, "CLONE_UNTRACED"),
    (CLONE_VM as i128, "CLONE_VM"),
    (CLONE_NEWUSER as i128, "CLONE_NEWUSER"),
    (CLONE_CHILD_CLEARTID as i128, "CLONE_CHILD_CLEARTID"),
    (CLONE_CHILD_SETTID as i128, "CLONE_CHILD_SETTID"),
    (CLONE_SETTLS as i128, "CLONE_SETTLS"),
    (CLONE_VFORK as i128, "CLONE_VFORK"),
    (CLONE_NEWCGROUP as i128, "CLONE_NEWCGROUP"),
];

const MOUNT_FLAGS: &[(i128, &str)] = &[
    (1 << 0, "RDONLY"),
    (1 << 1, "NOSUID"),
    (1 << 2, "NODEV"),
    (1 << 3, "NOEXEC"),
    (1 << 4, "SYNCHRONOUS"),
    (1 << 5, "REMOUNT"),
    (1 << 6, "MANDLOCK"),
    (1 << 7, "DIRSYNC"),
    (1 << 10, "NOATIME"),
    (1 << 11, "NODIRATIME"),
    (1 << 12, "BIND"),
    (1 << 13, "MOVE"),
    (1 << 14, "REC"),
    (1 << 15, "SILENT"),
    (1 << 16, "POSIXACL"),
    (1 << 17, "UNBINDABLE"),
    (1 << 18, "PRIVATE"),
    (1 << 19, "SLAVE"),
    (1 << 20, "SHARED"),
    (1 << 21, "RELATIME"),
    (1 << 22, "KERNMOUNT"),
    (1 << 23, "I_VERSION"),
    (1 << 24, "STRICTATIME"),
    (1 << 25, "LAZYTIME"),
    (1 << 28, "NOSEC"),
    (1 << 29, "BORN"),
    (1 << 30, "ACTIVE"),
    (1 << 31, "NOUSER"),
];

const PROT_FLAGS: &[(i128, &str)] = &[
    (PROT_READ as i128, "PROT_READ"),
    (PROT_WRITE as i128, "PROT_WRITE"),
    (PROT_EXEC as i128, "PROT_EXEC"),
    (PROT_GROWSDOWN as i128, "PROT_GROWSDOWN"),
    (PROT_GROWSUP as i128, "PROT_GROWSUP"),
];

const MMAP_FLAGS: &[(i128, &str)] = &[
    (MAP_SHARED as i128, "MAP_SHARED"),
    (MAP_PRIVATE as i128, "MAP_PRIVATE"),
    (MAP_FIXED as i128, "MAP_FIXED"),
    (MAP_ANONYMOUS as i128, "MAP_ANONYMOUS"),
    #[cfg(target_arch = "x86_64")]
    (MAP_32BIT as i128, "MAP_32BIT"),
    (MAP_GROWSDOWN as i128, "MAP_GROWSDOWN"),
    (MAP_DENYWRITE as i128, "MAP_DENYWRITE"),
    (MAP_EXECUTABLE as i128, "MAP_EXECUTABLE"),
    (MAP_LOCKED as i128, "MAP_LOCKED"),
    (MAP_NORESERVE as i128, "MAP_NORESERVE"),
    (MAP_POPULATE as i128, "MAP_POPULATE"),
    (MAP_NONBLOCK as i128, "MAP_NONBLOCK"),
];

const POLL_FLAGS: &[(i128, &str)] = &[
    (POLLIN as i128, "POLLIN"),
    (POLLPRI as i128, "POLLPRI"),
    (POLLOUT as i128, "POLLOUT"),
    (POLLRDHUP as i128, "POLLRDHUP"),
    (POLLERR as i128, "POLLERR"),
    (POLLHUP as i128, "POLLHUP"),
    (POLLNVAL as i128, "POLLNVAL"),
    (POLLRDNORM as i128, "POLLRDNORM"),
    (POLLRDBAND as i128, "POLLRDBAND"),
    (POLLWRNORM as i128, "POLLWRNORM"),
    (POLLWRBAND as i128, "POLLWRBAND"),
];

fn poll_to_schema(kernel: i128) -> i128 {
    let t = &scap::schema::tables::POLL_FLAGS;
    POLL_FLAGS
        .iter()
        .filter(|(b, _)| kernel & b == *b)
        .filter_map(|(_, n)| t.value_of(n))
        .fold(0, |a, b| a | i128::from(b))
}

/// The schema's name of a kernel fcntl command (uapi numbers).
fn fcntl_name(cmd: i128) -> &'static str {
    match cmd {
        0 => "F_DUPFD",
        1 => "F_GETFD",
        2 => "F_SETFD",
        3 => "F_GETFL",
        4 => "F_SETFL",
        5 => "F_GETLK",
        6 => "F_SETLK",
        7 => "F_SETLKW",
        8 => "F_SETOWN",
        9 => "F_GETOWN",
        10 => "F_SETSIG",
        11 => "F_GETSIG",
        15 => "F_SETOWN_EX",
        16 => "F_GETOWN_EX",
        36 => "F_OFD_GETLK",
        37 => "F_OFD_SETLK",
        38 => "F_OFD_SETLKW",
        1024 => "F_SETLEASE",
        1025 => "F_GETLEASE",
        1026 => "F_NOTIFY",
        1029 => "F_CANCELLK",
        1030 => "F_DUPFD_CLOEXEC",
        1031 => "F_SETPIPE_SZ",
        1032 => "F_GETPIPE_SZ",
        _ => "UNKNOWN",
    }
}

fn ptrace_name(req: i128) -> &'static str {
    match req as i32 {
        0 => "PTRACE_TRACEME",
        1 => "PTRACE_PEEKTEXT",
        2 => "PTRACE_PEEKDATA",
        3 => "PTRACE_PEEKUSR",
        4 => "PTRACE_POKETEXT",
        5 => "PTRACE_POKEDATA",
        6 => "PTRACE_POKEUSR",
        7 => "PTRACE_CONT",
        8 => "PTRACE_KILL",
        9 => "PTRACE_SINGLESTEP",
        16 => "PTRACE_ATTACH",
        17 => "PTRACE_DETACH",
        24 => "PTRACE_SYSCALL",
        0x4200 => "PTRACE_SETOPTIONS",
        0x4201 => "PTRACE_GETEVENTMSG",
        0x4202 => "PTRACE_GETSIGINFO",
        0x4203 => "PTRACE_SETSIGINFO",
        0x4206 => "PTRACE_SEIZE",
        0x4207 => "PTRACE_INTERRUPT",
        0x4208 => "PTRACE_LISTEN",
        _ => "PTRACE_UNKNOWN",
    }
}

/// A signal set as strace shows it (`[1 12]`, `~[32 33]`), as the low 32
/// bits of the kernel's mask (the schema's width).
fn sigset(v: &V) -> Option<i128> {
    let bits = |items: &[V]| {
        items
            .iter()
            .filter_map(|s| s.int())
            .filter(|n| (1..=64).contains(n))
            .fold(0u64, |m, n| m | (1u64 << (n - 1)))
    };
    match v {
        V::Array(items) => Some(i128::from(bits(items) as u32)),
        V::Not(items) => Some(i128::from(!bits(items) as u32)),
        _ => None,
    }
}

/// A capability word: strace shows a 64-bit set as `low|high`.
fn caps(v: Option<&V>) -> Option<i128> {
    match v? {
        V::Int(x) => Some(*x),
        V::Or(parts) if parts.len() == 2 => Some(parts[0] | (parts[1] << 32)),
        _ => None,
    }
}

/// The concatenated contents of an iovec array strace printed, and the sum
/// of their lengths. The contents are None when strace printed addresses.
fn iovecs(v: &V) -> (Option<(Vec<u8>, bool)>, i128) {
    let mut data = Vec::new();
    let mut cut = false;
    let mut total = 0;
    let mut strings = true;
    for io in v.after().items().unwrap_or(&[]) {
        total += io.field("iov_len").and_then(V::int).unwrap_or(0);
        match io.field("iov_base") {
            Some(V::Str(b, c)) => {
                data.extend_from_slice(b);
                cut |= *c;
            }
            _ => strings = false,
        }
    }
    (strings.then_some((data, cut)), total)
}

fn ns_of(ts: &V) -> Option<i128> {
    Some(ts.field("tv_sec")?.int()? * 1_000_000_000 + ts.field("tv_nsec")?.int()?)
}

/// The rlimit struct strace shows, as (cur, max).
fn rlimit(v: &V) -> Option<(i128, i128)> {
    Some((v.field("rlim_cur")?.int()?, v.field("rlim_max")?.int()?))
}

/// An fdlist parameter: the fds of strace's pollfd array in order, each
/// with the events strace reports returned for it (none when strace lists
/// none).
fn pollfds(c: &mut Cmp<'_>, call: &Call, fds: &V) {
    let mut exp: Vec<(i128, i128)> = Vec::new();
    for p in fds.items().unwrap_or(&[]) {
        exp.push((p.field("fd").and_then(V::int).unwrap_or(-1), 0));
    }
    if let Some(returned) = call.extra.first().and_then(V::items) {
        for r in returned {
            let fd = r.field("fd").and_then(V::int);
            let ev = r.field("revents").and_then(V::int).unwrap_or(0);
            if let Some(e) = exp.iter_mut().find(|e| Some(e.0) == fd) {
                e.1 = poll_to_schema(ev);
            }
        }
    }
    let got = match c.peek("fds") {
        Some(ParamValue::FdList(l)) => Some(fdlist(l)),
        _ => None,
    };
    let ok = got.as_ref() == Some(&exp);
    c.verdict("fds", ok, format!("ours {got:?}, strace {exp:?}"));
}

fn fdlist(l: FdList<'_>) -> Vec<(i128, i128)> {
    l.iter()
        .map(|(fd, fl)| (i128::from(fd), i128::from(fl as u16)))
        .collect()
}

/// Checks `ev`, an event of `call`. For sendmmsg and recvmmsg, `part` is the
/// message the event describes.
pub fn check(call: &Call, c: &mut Cmp<'_>, part: usize, ctx: &Ctx) {
    let a = |i: usize| {
        call.args
            .get(i)
            .cloned()
            .unwrap_or(V::Word("<none>".into()))
    };
    let n = |i: usize| a(i).int().unwrap_or(i128::MIN);
    let ret = call.ret.unwrap_or(0);
    let ok = ret >= 0;
    let shown = |i: usize| call.args.len() > i;
    let first = c.param_names().first().copied();
    if let Some(r) = first {
        if !matches!(call.name.as_str(), "sendmmsg" | "recvmmsg") {
            c.num(r, ret);
        }
    }
    match call.name.as_str() {
        "read" | "write" | "pread64" | "pwrite64" => {
            let data = a(1);
            c.data("data", data.str(), ret.max(0) as usize);
            c.num("fd", n(0));
            c.num("size", n(2));
            if call.name.starts_with('p') {
                c.num("pos", n(3));
            }
        }
        "readv" | "writev" | "preadv" | "pwritev" => {
            let (data, total) = iovecs(&a(1));
            let data = if ok { data } else { None };
            c.data(
                "data",
                data.as_ref().map(|(d, t)| (&d[..], *t)),
                ret.max(0) as usize,
            );
            c.num("fd", n(0));
            c.num("size", total);
            if call.name.starts_with('p') {
                c.num("pos", n(3));
            }
        }
        "process_vm_readv" | "process_vm_writev" => {
            c.num("pid", n(0));
            let (data, _) = iovecs(&a(1));
            let data = if ok { data } else { None };
            c.data(
                "data",
                data.as_ref().map(|(d, t)| (&d[..], *t)),
                ret.max(0) as usize,
            );
        }
        "close" | "getdents64" | "fchdir" => c.num("fd", n(0)),
        "close_range" => {
            c.num("first", n(0));
            c.num("last", n(1));
            c.flags(
                "flags",
                n(2),
                &[
                    (1 << 1, "CLOSE_RANGE_UNSHARE"),
                    (1 << 2, "CLOSE_RANGE_CLOEXEC"),
                ],
            );
        }
        "lseek" => {
            c.num("fd", n(0));
            c.num("offset", n(1));
            let whence = match n(2) as i32 {
                SEEK_SET => "SEEK_SET",
                SEEK_CUR => "SEEK_CUR",
                _ => "SEEK_END",
            };
            c.named("whence", whence);
        }
        "dup" => c.num("oldfd", n(0)),
        "dup2" | "dup3" => {
            c.num("oldfd", n(0));
            c.num("newfd", n(1));
            if call.name == "dup3" {
                c.flags("flags", n(2), &[(O_CLOEXEC as i128, "O_CLOEXEC")]);
            }
        }
        "fcntl" => {
            c.num("fd", n(0));
            c.named("cmd", fcntl_name(n(1)));
            if shown(2) {
                c.num("arg", n(2));
            } else {
                c.skip("arg", "strace omits the argument of this command");
            }
        }
        "flock" => {
            c.num("fd", n(0));
            c.flags(
                "operation",
                n(1),
                &[
                    (LOCK_SH as i128, "LOCK_SH"),
                    (LOCK_EX as i128, "LOCK_EX"),
                    (LOCK_NB as i128, "LOCK_NB"),
                    (LOCK_UN as i128, "LOCK_UN"),
                ],
            );
        }
        "ioctl" => {
            c.num("fd", n(0));
            c.num("request", n(1));
            match a(2) {
                V::Int(v) => c.num("argument", v),
                _ => c.skip("argument", "strace shows what the argument points to"),
            }
        }
        "newfstatat" => {
            c.num("dirfd", n(0));
            c.text("path", Some(&a(1)));
            c.flags(
                "flags",
                n(3),
                &[
                    (AT_SYMLINK_NOFOLLOW as i128, "AT_SYMLINK_NOFOLLOW"),
                    (AT_NO_AUTOMOUNT as i128, "AT_NO_AUTOMOUNT"),
                    (AT_EMPTY_PATH as i128, "AT_EMPTY_PATH"),
                ],
            );
        }
        "open" | "openat" | "openat2" | "creat" => open_family(call, c, false),
        "open_by_handle_at" => {
            c.num("mountfd", n(0));
            open_flags(c, "flags", n(2));
            if ok {
                c.present("path", "strace shows the handle, not the path");
            } else {
                c.absent("path");
            }
            c.skip("dev", NOT_SHOWN);
            c.skip("ino", NOT_SHOWN);
        }
        "mkdir" => {
            c.text("path", Some(&a(0)));
            c.num("mode", n(1));
        }
        "mkdirat" => {
            c.num("dirfd", n(0));
            c.text("path", Some(&a(1)));
            c.num("mode", n(2));
        }
        "rmdir" | "unlink" | "chroot" | "chdir" => c.text("path", Some(&a(0))),
        "unlinkat" => {
            c.num("dirfd", n(0));
            c.text("name", Some(&a(1)));
            c.flags("flags", n(2), &[(AT_REMOVEDIR as i128, "AT_REMOVEDIR")]);
        }
        "rename" | "link" => {
            c.text("oldpath", Some(&a(0)));
            c.text("newpath", Some(&a(1)));
        }
        "renameat" | "renameat2" => {
            c.num("olddirfd", n(0));
            c.text("oldpath", Some(&a(1)));
            c.num("newdirfd", n(2));
            c.text("newpath", Some(&a(3)));
            if call.name == "renameat2" {
                c.flags(
                    "flags",
                    n(4),
                    &[
                        (RENAME_NOREPLACE as i128, "RENAME_NOREPLACE"),
                        (RENAME_EXCHANGE as i128, "RENAME_EXCHANGE"),
                        (RENAME_WHITEOUT as i128, "RENAME_WHITEOUT"),
                    ],
                );
            }
        }
        "linkat" => {
            c.num("olddir", n(0));
            c.text("oldpath", Some(&a(1)));
            c.num("newdir", n(2));
            c.text("newpath", Some(&a(3)));
            c.flags(
                "flags",
                n(4),
                &[
                    (AT_SYMLINK_FOLLOW as i128, "AT_SYMLINK_FOLLOW"),
                    (AT_EMPTY_PATH as i128, "AT_EMPTY_PATH"),
                ],
            );
        }
        "symlink" => {
            c.text("target", Some(&a(0)));
            c.text("linkpath", Some(&a(1)));
        }
        "symlinkat" => {
            c.text("target", Some(&a(0)));
            c.num("linkdirfd", n(1));
            c.text("linkpath", Some(&a(2)));
        }
        "chmod" => {
            c.text("filename", Some(&a(0)));
            c.flags("mode", n(1), MODE_BITS);
        }
        "fchmod" => {
            c.num("fd", n(0));
            c.flags("mode", n(1), MODE_BITS);
        }
        "fchmodat" => {
            c.num("dirfd", n(0));
            c.text("filename", Some(&a(1)));
            c.flags("mode", n(2), MODE_BITS);
        }
        "chown" | "lchown" => {
            c.text("path", Some(&a(0)));
            c.num("uid", n(1));
            c.num("gid", n(2));
        }
        "fchown" => {
            c.num("fd", n(0));
            c.num("uid", n(1));
            c.num("gid", n(2));
        }
        "fchownat" => {
            c.num("dirfd", n(0));
            c.text("pathname", Some(&a(1)));
            c.num("uid", n(2));
            c.num("gid", n(3));
            c.flags(
                "flags",
                n(4),
                &[
                    (AT_SYMLINK_NOFOLLOW as i128, "AT_SYMLINK_NOFOLLOW"),
                    (AT_EMPTY_PATH as i128, "AT_EMPTY_PATH"),
                ],
            );
        }
        "mknod" | "mknodat" => {
            let at = usize::from(call.name == "mknodat");
            if at == 1 {
                c.num("dirfd", n(0));
            }
            c.text("path", Some(&a(at)));
            c.flags("mode", n(at + 1), &mknod_map(n(at + 1)));
            if shown(at + 2) {
                c.num("dev", kernel_dev(n(at + 2)));
            } else {
                c.skip("dev", "strace omits the device of a FIFO or regular file");
            }
        }
        "mount" => {
            c.text("dev", Some(&a(0)));
            c.text("dir", Some(&a(1)));
            c.text("type", Some(&a(2)));
            c.flags("flags", n(3), MOUNT_FLAGS);
        }
        "umount2" => {
            c.text("name", Some(&a(0)));
            c.flags(
                "flags",
                n(1),
                &[(1, "FORCE"), (2, "DETACH"), (4, "EXPIRE"), (8, "NOFOLLOW")],
            );
        }
        "getcwd" => c.text("path", if ok { Some(&call.args[0]) } else { None }),
        "pipe" | "pipe2" => {
            let fds = a(0);
            if ok {
                let items = fds.items().unwrap_or(&[]);
                c.num("fd1", items.first().and_then(V::int).unwrap_or(-1));
                c.num("fd2", items.get(1).and_then(V::int).unwrap_or(-1));
                c.present("ino", NOT_SHOWN);
            } else {
                c.absent("fd1");
                c.absent("fd2");
                c.absent("ino");
            }
            if call.name == "pipe2" {
                open_flags(c, "flags", n(1));
            }
        }
        "memfd_create" => {
            c.text("name", Some(&a(0)));
            c.flags(
                "flags",
                n(1),
                &[
                    (1, "MFD_CLOEXEC"),
                    (2, "MFD_ALLOW_SEALING"),
                    (4, "MFD_HUGETLB"),
                ],
            );
        }
        "eventfd" => {
            c.num("initval", n(0));
            c.num("flags", 0);
        }
        "eventfd2" => {
            c.num("initval", n(0));
            c.flags("flags", n(1), FD_FLAGS);
        }
        "inotify_init" => c.num("flags", 0),
        "inotify_init1" => c.flags("flags", n(0), FD_FLAGS),
        "signalfd" | "signalfd4" => {
            c.num("fd", n(0));
            c.num("mask", sigset(&a(1)).unwrap_or(i128::MIN));
            if call.name == "signalfd4" {
                c.flags("flags", n(3), FD_FLAGS);
            } else {
                c.num("flags", 0);
            }
        }
        "timerfd_create" => {
            c.num("clockid", n(0) & 0xff);
            c.num("flags", n(1) & 0xff);
        }
        "userfaultfd" => c.flags("flags", n(0), FD_FLAGS),
        "io_uring_setup" => {
            c.num("entries", n(0));
            let p = a(1);
            let field = |k: &str| p.field(k).and_then(V::int);
            for k in [
                "sq_entries",
                "cq_entries",
                "sq_thread_cpu",
                "sq_thread_idle",
            ] {
                match field(k) {
                    Some(v) => c.num(k, v),
                    None => c.skip(k, "strace shows the kernel's values only after a success"),
                }
            }
            c.flags(
                "flags",
                field("flags").unwrap_or(0),
                &[
                    (1 << 0, "IORING_SETUP_IOPOLL"),
                    (1 << 1, "IORING_SETUP_SQPOLL"),
                    (1 << 2, "IORING_SETUP_SQ_AFF"),
                    (1 << 3, "IORING_SETUP_CQSIZE"),
                    (1 << 4, "IORING_SETUP_CLAMP"),
                    (1 << 5, "IORING_SETUP_ATTACH_RW"),
                    (1 << 6, "IORING_SETUP_R_DISABLED"),
                ],
            );
            match field("features") {
                // The schema names the first eleven features.
                Some(f) => c.num("features", f & 0x7ff),
                None => c.skip(
                    "features",
                    "strace shows the kernel's values only after a success",
                ),
            }
        }
        "epoll_create" => c.num("size", n(0)),
        "epoll_create1" => c.flags("flags", n(0), &[(EPOLL_CLOEXEC as i128, "EPOLL_CLOEXEC")]),
        "epoll_wait" => c.num("maxevents", n(2)),
        "pidfd_open" => {
            c.num("pid", n(0));
            c.flags("flags", n(1), &[(O_NONBLOCK as i128, "PIDFD_NONBLOCK")]);
        }
        "pidfd_getfd" => {
            c.num("pid_fd", n(0));
            c.num("target_fd", n(1));
            c.num("flags", n(2));
        }
        "bpf" => c.num("cmd", n(0)),
        "sendfile" => {
            c.num("out_fd", n(0));
            c.num("in_fd", n(1));
            c.num_or_absent("offset", a(2).after().pointee());
            c.num("size", n(3));
        }
        "splice" => {
            c.num("fd_in", n(0));
            c.num("fd_out", n(2));
            c.num("size", n(4));
            c.flags(
                "flags",
                n(5),
                &[
                    (SPLICE_F_MOVE as i128, "SPLICE_F_MOVE"),
                    (SPLICE_F_NONBLOCK as i128, "SPLICE_F_NONBLOCK"),
                    (SPLICE_F_MORE as i128, "SPLICE_F_MORE"),
                    (SPLICE_F_GIFT as i128, "SPLICE_F_GIFT"),
                ],
            );
        }
        "copy_file_range" => {
            c.num("fdin", n(0));
            c.num_or_absent("offin", a(1).before().pointee());
            c.num("fdout", n(2));
            c.num_or_absent("offout", a(3).before().pointee());
            c.num("len", n(4));
        }
        "poll" | "ppoll" => {
            pollfds(c, call, &a(0));
            if call.name == "poll" {
                c.num("timeout", n(2));
            } else {
                // The kernel writes the time left back into the caller's
                // timespec, and the exit event reads it after the call:
                // strace shows that as "left {...}".
                let left = call.extra.iter().find_map(|v| match v {
                    V::Call(w, args) if w == "left" => args.first().and_then(ns_of),
                    _ => None,
                });
                c.num_or_absent("timeout", left.or_else(|| ns_of(&a(2))));
                c.num_or_absent("sigmask", sigset(&a(3)));
            }
        }
        "select" => {}
        "nanosleep" => c.num_or_absent("interval", ns_of(&a(0))),
        "futex" => {
            c.num("addr", n(0));
            c.num("op", n(1) & 0x1ff);
            c.num("val", n(2));
        }
        "mmap" => {
            vm(c);
            c.num("addr", a(0).int().unwrap_or(0));
            c.num("length", n(1));
            c.flags("prot", n(2), PROT_FLAGS);
            c.flags("flags", n(3), MMAP_FLAGS);
            c.num("fd", n(4));
            c.num("offset", n(5));
        }
        "munmap" => {
            vm(c);
            c.num("addr", n(0));
            c.num("length", n(1));
        }
        "mprotect" => {
            c.num("addr", n(0));
            c.num("length", n(1));
            c.flags("prot", n(2), PROT_FLAGS);
        }
        "brk" => {
            vm(c);
            c.num("addr", a(0).int().unwrap_or(0));
        }
        "socket" => {
            c.num("domain", n(0));
            c.num("type", n(1) & 0xf);
            c.num("proto", n(2));
            c.flags(
                "flags",
                n(1),
                &[
                    (SOCK_CLOEXEC as i128, "O_CLOEXEC"),
                    (SOCK_NONBLOCK as i128, "O_NONBLOCK"),
                ],
            );
        }
        "socketpair" => {
            if ok {
                let items = a(3);
                let items = items.items().unwrap_or(&[]);
                c.num("fd1", items.first().and_then(V::int).unwrap_or(-1));
                c.num("fd2", items.get(1).and_then(V::int).unwrap_or(-1));
                c.present("source", "a kernel address");
                c.skip("peer", "a kernel address");
            } else {
                c.absent("fd1");
                c.absent("fd2");
                c.absent("source");
                c.absent("peer");
            }
            c.num("domain", n(0));
            c.num("type", n(1));
            c.num("proto", n(2));
        }
        "bind" => {
            c.num("fd", n(0));
            c.sockaddr("addr", &a(1));
        }
        "listen" => {
            c.num("fd", n(0));
            c.num("backlog", n(1));
        }
        "connect" => {
            c.num("fd", n(0));
            c.sockaddr("addr", &a(1));
            if ok {
                c.tuple_remote("tuple", &a(1), true);
            } else {
                c.absent("tuple");
            }
        }
        "accept" | "accept4" => {
            match a(1) {
                V::Struct(_) if ok => c.tuple_remote("tuple", &a(1), false),
                _ if ok => c.present("tuple", "strace shows no peer address"),
                _ => c.absent("tuple"),
            }
            for q in ["queuepct", "queuelen", "queuemax"] {
                c.skip(q, "the listening socket's backlog, not shown by strace");
            }
            if call.name == "accept4" {
                c.num("flags", n(3));
            }
        }
        "shutdown" => {
            c.num("fd", n(0));
            let how = match n(1) as i32 {
                SHUT_RD => "SHUT_RD",
                SHUT_WR => "SHUT_WR",
                _ => "SHUT_RDWR",
            };
            c.named("how", how);
        }
        "getsockname" | "getpeername" => {}
        "sendto" | "recvfrom" => {
            let out = call.name == "sendto";
            let data = a(1);
            let data = if ok { data.str() } else { None };
            c.data("data", data, ret.max(0) as usize);
            c.num("fd", n(0));
            c.num("size", n(2));
            tuple(c, ok, &a(4), out);
        }
        "sendmsg" | "recvmsg" => {
            let out = call.name == "sendmsg";
            let m = a(1);
            let (data, total) = iovecs(m.field("msg_iov").unwrap_or(&V::Null));
            let data = if ok { data } else { None };
            c.data(
                "data",
                data.as_ref().map(|(d, t)| (&d[..], *t)),
                ret.max(0) as usize,
            );
            c.num("fd", n(0));
            if m.field("msg_iov").is_some() {
                c.num("size", total);
            } else {
                c.skip(
                    "size",
                    "strace shows the iovecs only when the call succeeds",
                );
            }
            tuple(c, ok, m.field("msg_name").unwrap_or(&V::Null), out);
            if !out {
                control(c, ok, &m);
            }
        }
        "sendmmsg" | "recvmmsg" => {
            let out = call.name == "sendmmsg";
            c.num("fd", n(0));
            if ret <= 0 {
                c.num("res", ret);
                c.absent("size");
                c.absent("data");
                c.absent("tuple");
                if !out {
                    c.absent("msgcontrol");
                }
                return;
            }
            let msgs = a(1);
            let m = msgs
                .items()
                .and_then(|v| v.get(part))
                .cloned()
                .unwrap_or(V::Null);
            let len = m.field("msg_len").and_then(V::int).unwrap_or(-1);
            c.num("res", len);
            let hdr = m.field("msg_hdr").cloned().unwrap_or(V::Null);
            let (data, total) = iovecs(hdr.field("msg_iov").unwrap_or(&V::Null));
            c.num("size", total);
            c.data(
                "data",
                data.as_ref().map(|(d, t)| (&d[..], *t)),
                len.max(0) as usize,
            );
            tuple(c, true, hdr.field("msg_name").unwrap_or(&V::Null), out);
            if !out {
                control(c, true, &hdr);
            }
        }
        "getsockopt" | "setsockopt" => sockopt(call, c),
        "clone" | "clone3" | "fork" | "vfork" => {
            clone_common(call, c, call.tid, ctx);
        }
        "execve" | "execveat" if ok => exec_success(call, c, ctx),
        "execve" | "execveat" => {
            // A refused exec: the event describes the process as it still is.
            c.text(
                "exe",
                ctx.argv.first().map(|a| V::Str(a.clone(), false)).as_ref(),
            );
            own_args(c, &ctx.argv);
            c.num("tid", i128::from(call.tid));
            c.num("pid", i128::from(call.tid));
            c.num("ptid", i128::from(*ctx.parent.get(&call.tid).unwrap_or(&0)));
            c.list("env", &nul_list(&ctx.env), MAX_STR);
            if call.name == "execve" {
                c.text("filename", Some(&a(0)));
            }
            c.present(
                "trusted_exepath",
                "the running executable's path, from the kernel",
            );
            process_state(c, EXEC_STATE);
        }
        "kill" => {
            c.num("pid", n(0));
            c.num("sig", n(1));
        }
        "tgkill" => {
            c.num("pid", n(0));
            c.num("tid", n(1));
            c.num("sig", n(2));
        }
        "tkill" => {
            c.num("tid", n(0));
            c.num("sig", n(1));
        }
        "ptrace" => {
            let req = n(0);
            c.named("request", ptrace_name(req));
            if shown(1) {
                c.num("pid", n(1));
            } else {
                c.skip("pid", "strace omits the arguments of this request");
            }
            if shown(2) {
                c.dyn_num("addr", 0, a(2).int().unwrap_or(0));
            } else {
                c.skip("addr", "strace omits the arguments of this request");
            }
            match req as u32 {
                PTRACE_PEEKTEXT | PTRACE_PEEKDATA | PTRACE_PEEKUSER if !ok => c.absent("data"),
                PTRACE_PEEKTEXT | PTRACE_PEEKDATA | PTRACE_PEEKUSER => {
                    c.dyn_num("data", 0, a(3).pointee().unwrap_or(i128::MIN))
                }
                PTRACE_CONT | PTRACE_SINGLESTEP | PTRACE_DETACH | PTRACE_SYSCALL => {
                    c.dyn_num("data", 1, n(3))
                }
                _ if shown(3) => c.dyn_num("data", 0, a(3).int().unwrap_or(0)),
                _ => c.skip("data", "strace omits the arguments of this request"),
            }
        }
        "prctl" => {
            let opt = n(0);
            c.num("option", opt);
            if opt as i32 == PR_SET_NAME || opt as i32 == PR_GET_NAME {
                c.text("arg2_str", Some(&a(1)));
                c.absent("arg2_int");
            } else {
                c.absent("arg2_str");
                if shown(1) {
                    c.num("arg2_int", a(1).int().unwrap_or(0));
                } else {
                    c.skip("arg2_int", "strace omits the arguments of this option");
                }
            }
        }
        "setns" => {
            c.num("fd", n(0));
            c.flags("nstype", n(1), CLONE_FLAGS);
        }
        "unshare" => c.flags("flags", n(0), CLONE_FLAGS),
        "setsid" => {}
        "setpgid" => {
            c.num("pid", n(0));
            c.num("pgid", n(1));
        }
        "setuid" => c.num("uid", n(0)),
        "setgid" => c.num("gid", n(0)),
        "setreuid" => {
            c.num("ruid", n(0));
            c.num("euid", n(1));
        }
        "setregid" => {
            c.num("rgid", n(0));
            c.num("egid", n(1));
        }
        "setresuid" => {
            c.num("ruid", n(0));
            c.num("euid", n(1));
            c.num("suid", n(2));
        }
        "setresgid" => {
            c.num("rgid", n(0));
            c.num("egid", n(1));
            c.num("sgid", n(2));
        }
        "capset" => {
            let d = a(1);
            for (p, k) in [
                ("cap_inheritable", "inheritable"),
                ("cap_permitted", "permitted"),
                ("cap_effective", "effective"),
            ] {
                if ok {
                    c.num(p, caps(d.field(k)).unwrap_or(i128::MIN));
                } else {
                    c.skip(
                        p,
                        "after a refused capset the sets in force are the old ones; strace shows the request",
                    );
                }
            }
        }
        "prlimit64" => {
            let new = rlimit(&a(2));
            c.num_or_absent("newcur", new.map(|r| r.0));
            c.num_or_absent("newmax", new.map(|r| r.1));
            let old = if ok { rlimit(&a(3)) } else { None };
            c.num_or_absent("oldcur", old.map(|r| r.0));
            c.num_or_absent("oldmax", old.map(|r| r.1));
            c.num("pid", n(0));
            c.num("resource", n(1));
        }
        "setrlimit" => {
            let r = rlimit(&a(1));
            c.num_or_absent("cur", r.map(|r| r.0));
            c.num_or_absent("max", r.map(|r| r.1));
            c.num("resource", n(0));
        }
        "seccomp" => {
            c.num("op", n(0));
            c.num("flags", n(1));
        }
        "init_module" => {
            c.skip("img", "strace shows the image's address, not its bytes");
            c.num("length", n(1));
            c.text("uargs", Some(&a(2)));
        }
        "finit_module" => {
            c.num("fd", n(0));
            c.text("uargs", Some(&a(1)));
            c.flags(
                "flags",
                n(2),
                &[
                    (1, "MODULE_INIT_IGNORE_MODVERSIONS"),
                    (2, "MODULE_INIT_IGNORE_VERMAGIC"),
                    (4, "MODULE_INIT_COMPRESSED_FILE"),
                ],
            );
        }
        "delete_module" => {
            c.text("name", Some(&a(0)));
            c.flags(
                "flags",
                n(1),
                &[
                    (O_NONBLOCK as i128, "O_NONBLOCK"),
                    (O_TRUNC as i128, "O_TRUNC"),
                ],
            );
        }
        other => panic!("the witness has no check for {other}"),
    }
}

fn vm(c: &mut Cmp<'_>) {
    c.skip(
        "vm_size",
        "the process's memory totals, not shown by strace",
    );
    c.skip("vm_rss", "the process's memory totals, not shown by strace");
    c.skip(
        "vm_swap",
        "the process's memory totals, not shown by strace",
    );
}

/// A message tuple: the remote end is the address strace shows, if any.
fn tuple(c: &mut Cmp<'_>, ok: bool, addr: &V, outbound: bool) {
    if !ok {
        c.absent("tuple");
    } else if matches!(addr.after(), V::Struct(_)) {
        c.tuple_remote("tuple", addr, outbound);
    } else {
        c.present(
            "tuple",
            "a connected socket's ends, from the kernel: strace shows no address",
        );
    }
}

fn control(c: &mut Cmp<'_>, ok: bool, msghdr: &V) {
    let len = msghdr.field("msg_controllen").and_then(V::int).unwrap_or(0);
    if !ok || len == 0 {
        c.absent("msgcontrol");
    } else {
        c.present("msgcontrol", "strace decodes the control messages");
    }
}

fn sockopt(call: &Call, c: &mut Cmp<'_>) {
    let a = |i: usize| call.args.get(i).cloned().unwrap_or(V::Null);
    let n = |i: usize| a(i).int().unwrap_or(i128::MIN);
    let ok = call.ret.unwrap_or(0) >= 0;
    let get = call.name == "getsockopt";
    let (level, name) = (n(1) as i32, n(2) as i32);
    c.num("fd", n(0));
    c.named(
        "level",
        match level {
            SOL_SOCKET => "SOL_SOCKET",
            IPPROTO_TCP => "SOL_TCP",
            _ => "UNKNOWN",
        },
    );
    c.num("optname", i128::from(name));
    let optlen = if get { a(4).pointee() } else { a(4).int() };
    match optlen {
        Some(l) => c.num("optlen", l),
        None => c.absent("optlen"),
    }
    if get && !ok {
        c.absent("val");
        return;
    }
    let val = a(3);
    match (level, name) {
        (SOL_SOCKET, SO_ERROR) => c.dyn_num("val", 1, -val.pointee().unwrap_or(i128::MIN)),
        (SOL_SOCKET, SO_RCVTIMEO | SO_SNDTIMEO) => match val.str() {
            Some((b, _)) if b.len() == 16 => {
                let sec = i64::from_le_bytes(b[..8].try_into().unwrap_or_default());
                let usec = i64::from_le_bytes(b[8..].try_into().unwrap_or_default());
                c.dyn_num(
                    "val",
                    4,
                    i128::from(sec) * 1_000_000_000 + i128::from(usec) * 1000,
                );
            }
            _ => c.skip("val", "strace decoded the timeval"),
        },
        _ if optlen == Some(4) => c.dyn_num("val", 2, val.pointee().unwrap_or(i128::MIN)),
        _ => match val.str() {
            Some((b, _)) => c.dyn_bytes("val", 0, b),
            None => c.skip("val", "strace decoded the value"),
        },
    }
}

fn open_family(call: &Call, c: &mut Cmp<'_>, enter: bool) {
    let a = |i: usize| call.args.get(i).cloned().unwrap_or(V::Null);
    let n = |i: usize| a(i).int();
    let (dirfd, path, flags, mode) = match call.name.as_str() {
        "open" => (None, a(0), n(1).unwrap_or(0), n(2)),
        "creat" => (None, a(0), (O_CREAT | O_WRONLY | O_TRUNC) as i128, n(1)),
        "openat" => (n(0), a(1), n(2).unwrap_or(0), n(3)),
        _ => {
            let how = a(2);
            let f = how.field("flags").and_then(V::int).unwrap_or(0);
            let m = how.field("mode").and_then(V::int).or(Some(0));
            (n(0), a(1), f, m)
        }
    };
    if let Some(d) = dirfd {
        c.num("dirfd", d);
    }
    c.text("name", Some(&path));
    if call.name == "creat" {
        c.num("mode", mode.unwrap_or(0) & 0o7777);
    } else {
        open_flags(c, "flags", flags);
        c.num("mode", open_mode(flags, mode));
    }
    if call.name == "openat2" {
        let how = a(2);
        c.flags(
            "resolve",
            how.field("resolve").and_then(V::int).unwrap_or(0),
            &[
                (0x01, "RESOLVE_NO_XDEV"),
                (0x02, "RESOLVE_NO_MAGICLINKS"),
                (0x04, "RESOLVE_NO_SYMLINKS"),
                (0x08, "RESOLVE_BENEATH"),
                (0x10, "RESOLVE_IN_ROOT"),
                (0x20, "RESOLVE_CACHED"),
            ],
        );
    }
    if !enter {
        c.skip("dev", NOT_SHOWN);
        c.skip("ino", NOT_SHOWN);
        if call.name == "creat" {
            c.skip(
                "creat_flags",
                "the overlay layer of the file, not shown by strace",
            );
        }
    }
}

/// Checks an enter event (open, openat, openat2, creat, connect) of `call`.
pub fn check_enter(call: &Call, c: &mut Cmp<'_>) {
    match call.name.as_str() {
        "connect" => {
            c.num(
                "fd",
                call.args.first().and_then(V::int).unwrap_or(i128::MIN),
            );
            c.sockaddr("addr", call.args.get(1).unwrap_or(&V::Null));
        }
        _ => open_family(call, c, true),
    }
}

/// Checks a signaldeliver event against a signal strace saw.
pub fn check_signal(info: &V, tid: u64, c: &mut Cmp<'_>) {
    let signo = info.field("si_signo").and_then(V::int).unwrap_or(-1);
    let code = info.field("si_code").and_then(V::int).unwrap_or(0) as u32 as i32;
    let spid = match code {
        SI_USER | SI_QUEUE | SI_TKILL => info.field("si_pid").and_then(V::int).unwrap_or(-1),
        _ if signo == i128::from(SIGCHLD) => info.field("si_pid").and_then(V::int).unwrap_or(-1),
        _ => 0,
    };
    c.num("spid", spid);
    c.num("dpid", i128::from(tid));
    c.num("sig", signo);
}

/// Parameters of process events that describe the process's state (memory,
/// limits, credentials, cgroups...), which strace does not show.
const CLONE_STATE: &[&str] = &[
    "cwd",
    "fdlimit",
    "pgft_maj",
    "pgft_min",
    "vm_size",
    "vm_rss",
    "vm_swap",
    "comm",
    "cgroups",
    "uid",
    "gid",
    "vtid",
    "vpid",
    "pidns_init_start_ts",
];

const EXEC_STATE: &[&str] = &[
    "cwd",
    "fdlimit",
    "pgft_maj",
    "pgft_min",
    "vm_size",
    "vm_rss",
    "vm_swap",
    "comm",
    "cgroups",
    "tty",
    "vpgid",
    "loginuid",
    "flags",
    "cap_inheritable",
    "cap_permitted",
    "cap_effective",
    "exe_ino",
    "exe_ino_ctime",
    "exe_ino_mtime",
    "uid",
    "pgid",
    "gid",
];

fn process_state(c: &mut Cmp<'_>, names: &[&str]) {
    for n in names {
        if c.param_names().contains(n) {
            c.skip(n, "the process's state, not shown by strace");
        }
    }
}

/// `args`: the arguments after argv[0], within the 4096 bytes read with it.
fn own_args(c: &mut Cmp<'_>, argv: &[Vec<u8>]) {
    let exe_len = argv.first().map_or(0, |a| a.len() + 1);
    c.list(
        "args",
        &nul_list(argv.get(1..).unwrap_or(&[])),
        MAX_STR.saturating_sub(exe_len),
    );
}

/// The clone flags the call asked for (the exit signal in the low byte has
/// no schema name), None when strace did not decode them.
fn clone_flags(call: &Call) -> Option<i128> {
    match call.name.as_str() {
        "clone" => call.named("flags").and_then(V::int),
        "clone3" => call
            .args
            .first()
            .and_then(|a| a.field("flags"))
            .and_then(V::int),
        "fork" => Some(0),
        _ => Some((CLONE_VM | CLONE_VFORK) as i128),
    }
}

/// What both sides of a clone-family call report: the process (as it was
/// before the call) and the flags. `tid` is the side's thread.
fn clone_common(call: &Call, c: &mut Cmp<'_>, tid: u64, ctx: &Ctx) {
    c.text(
        "exe",
        ctx.argv.first().map(|a| V::Str(a.clone(), false)).as_ref(),
    );
    own_args(c, &ctx.argv);
    c.num("tid", i128::from(tid));
    c.num("pid", i128::from(tid));
    c.num("ptid", i128::from(*ctx.parent.get(&tid).unwrap_or(&0)));
    match clone_flags(call) {
        _ if c.is_seen("flags") => {}
        Some(k) => {
            // The probe adds CLONE_CHILD_IN_PIDNS from the pid namespace.
            let pidns = i128::from(
                scap::schema::tables::CLONE_FLAGS
                    .value_of("CLONE_CHILD_IN_PIDNS")
                    .unwrap_or(0),
            );
            let got = c
                .peek("flags")
                .and_then(|v| v.as_u64())
                .map_or(0, i128::from);
            let t = &scap::schema::tables::CLONE_FLAGS;
            let mut exp = 0;
            for (bits, name) in CLONE_FLAGS {
                if k & bits == *bits {
                    exp |= i128::from(t.value_of(name).unwrap_or(0));
                }
            }
            c.num("flags", exp | (got & pidns));
        }
        None => c.skip("flags", "strace did not decode clone3's arguments"),
    }
    process_state(c, CLONE_STATE);
}

/// The child side of a clone-family call: the event the new process reports
/// from its own return (res 0).
pub fn check_child(call: &Call, c: &mut Cmp<'_>, child: u64, ctx: &Ctx) {
    c.num("res", 0);
    // arm64: the child's event comes from sched_process_fork, which does not
    // know the syscall's flags (see the probe's sched_process_fork).
    if cfg!(target_arch = "aarch64") {
        c.skip(
            "flags",
            "the child's event comes from sched_process_fork on arm64",
        );
    }
    let mut ctx_child = Ctx {
        pid: child,
        argv: ctx.argv.clone(),
        env: ctx.env.clone(),
        parent: HashMap::from([(child, call.tid)]),
    };
    ctx_child
        .parent
        .insert(call.tid, *ctx.parent.get(&call.tid).unwrap_or(&0));
    clone_common(call, c, child, &ctx_child);
}

/// A successful execve or execveat (both reported as the execve event by
/// the sched_process_exec tracepoint).
fn exec_success(call: &Call, c: &mut Cmp<'_>, ctx: &Ctx) {
    let at = usize::from(call.name == "execveat");
    let path = call.args.get(at).cloned().unwrap_or(V::Null);
    let argv = strings(call.args.get(at + 1));
    let env = strings(call.args.get(at + 2));
    c.text(
        "exe",
        argv.first().map(|a| V::Str(a.clone(), false)).as_ref(),
    );
    own_args(c, &argv);
    c.num("tid", i128::from(call.tid));
    c.num("pid", i128::from(call.tid));
    let parent = ctx.parent.get(&call.tid).copied().unwrap_or(ctx.pid);
    c.num("ptid", i128::from(parent));
    c.list("env", &nul_list(&env), MAX_STR);
    c.text("filename", Some(&path));
    // An absolute path without links: the kernel's path of the new image.
    c.text("trusted_exepath", Some(&path));
    process_state(c, EXEC_STATE);
}
