//! A snapshot of the running system as capture [`Metadata`]: machine info,
//! every thread with its process-list fields, the open FDs of every process,
//! users, groups and interface addresses. Written at the start of a capture it
//! makes the file self-contained, as libscap does when it opens a live
//! capture.
//!
//! Everything is best effort. Processes exit while they are being read, and
//! some files need privileges: an entry that cannot be read is skipped (a
//! whole thread when its `stat`/`status` vanish, a single FD when its link
//! does), never fatal. Only a missing `/proc` is an error.
//!
//! How the fields are filled, following libscap's `/proc` scan:
//! * `exe` is `argv[0]` (the command name for kernel threads), `exepath` the
//!   target of `/proc/PID/exe`, `args`/`env` the NUL-separated
//!   `cmdline`/`environ` (truncated to [`SnapshotOptions::max_args_len`] and
//!   [`SnapshotOptions::max_env_len`]), `cgroups` `subsystem=path` items from
//!   `/proc/PID/cgroup` (for the unified v2 hierarchy: one item per controller
//!   enabled at the root);
//! * `uid`/`gid` are the effective ids; `vtid`/`vpid`/`vpgid` the last
//!   entries of `NSpid`/`NStgid`/`NSpgid`; `pgid`, `sid`, `tty` and the page
//!   faults come from `stat`; the capabilities from `status`;
//! * `exe_ino`, `exe_ino_ctime`, `exe_ino_mtime` come from a `stat()` of
//!   `/proc/PID/exe`; `exe_writable` from the executable's owner, mode bits and
//!   the process's groups and effective `CAP_DAC_OVERRIDE`/`CAP_FOWNER`
//!   (libscap switches to the process's credentials and calls `faccessat`; we
//!   do not change credentials, so ACLs, LSMs and read-only mounts are not
//!   seen); `exe_upper_layer`, `exe_lower_layer` and `exe_from_memfd` are
//!   false because `/proc` cannot tell;
//! * `pidns_init_start_ts` is the ctime of `/proc/PID/root/proc/1/cmdline`
//!   (when procfs instantiated PID 1 as seen from the process's root);
//! * FDs are read for main threads only (threads share the table and get the
//!   `CLONE_THREAD | CLONE_FILES` flags); sockets are resolved through
//!   `/proc/PID/net/{tcp,tcp6,udp,udp6,unix,netlink}`, read once per network
//!   namespace; file open flags come from `fdinfo`, converted to `PPM_O_*`.

use std::collections::HashMap;
use std::ffi::CStr;
use std::fs;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use procfs::process::{Process, Status};
use procfs::{Current, CurrentSI};

use crate::file::error::FileError;
use crate::file::metadata::*;

/// What to collect.
#[derive(Clone, Debug)]
pub struct SnapshotOptions {
    /// Read every process's open FDs.
    pub fds: bool,
    /// Read every process's environment.
    pub env: bool,
    /// Include non-main threads.
    pub threads: bool,
    /// Longest `args` kept, in bytes (cut at an item boundary).
    pub max_args_len: usize,
    /// Longest `env` kept, in bytes (cut at an item boundary).
    pub max_env_len: usize,
}

impl Default for SnapshotOptions {
    fn default() -> Self {
        SnapshotOptions {
            fds: true,
            env: true,
            threads: true,
            max_args_len: 4096,
            max_env_len: 4096,
        }
    }
}

/// The whole snapshot: machine, interfaces, users, groups and threads.
pub fn snapshot(opts: &SnapshotOptions) -> Result<Metadata, FileError> {
    Ok(Metadata {
        machine: Some(machine_info()),
        interfaces: interfaces(),
        users: users(Path::new("/etc/passwd")),
        groups: groups(Path::new("/etc/group")),
        threads: threads(opts)?,
    })
}

fn proc_err(what: &'static str, e: procfs::ProcError) -> FileError {
    FileError::Snapshot {
        what,
        source: io::Error::other(e.to_string()),
    }
}

/// Machine info: host name, online CPUs, memory, `pid_max` and the boot time
/// (from `btime` in `/proc/stat`, so with 1-second granularity). Fields that
/// cannot be read are 0.
pub fn machine_info() -> MachineInfo {
    let mut hostname = fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim_end().to_string())
        .unwrap_or_default();
    truncate_str(&mut hostname, 127);
    let (num_cpus, boot_ts_epoch) = match procfs::KernelStats::current() {
        Ok(k) => (
            u32::try_from(k.cpu_time.len()).unwrap_or(u32::MAX),
            k.btime.saturating_mul(1_000_000_000),
        ),
        Err(_) => (0, 0),
    };
    MachineInfo {
        num_cpus,
        memory_size_bytes: procfs::Meminfo::current().map_or(0, |m| m.mem_total),
        max_pid: read_trimmed("/proc/sys/kernel/pid_max")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        hostname,
        boot_ts_epoch,
        ..MachineInfo::default()
    }
}

fn truncate_str(s: &mut String, max: usize) {
    if s.len() > max {
        let mut cut = max;
        while cut > 0 && !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
}

fn read_trimmed(path: impl AsRef<Path>) -> Option<String> {
    fs::read_to_string(path).ok().map(|s| s.trim().to_string())
}

/// Users from a passwd-format file (`name:pw:uid:gid:gecos:home:shell`).
/// Malformed lines are skipped; a missing file gives no users.
pub fn users(passwd: &Path) -> Vec<UserEntry> {
    let Ok(text) = fs::read(passwd) else {
        return Vec::new();
    };
    String::from_utf8_lossy(&text)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            match f.as_slice() {
                [name, _, uid, gid, _, home, shell, ..] if !name.starts_with('#') => {
                    Some(UserEntry {
                        uid: uid.parse().ok()?,
                        gid: gid.parse().ok()?,
                        name: name.to_string(),
                        homedir: home.to_string(),
                        shell: shell.to_string(),
                    })
                }
                _ => None,
            }
        })
        .collect()
}

/// Groups from a group-format file (`name:pw:gid:members`).
pub fn groups(group: &Path) -> Vec<GroupEntry> {
    let Ok(text) = fs::read(group) else {
        return Vec::new();
    };
    String::from_utf8_lossy(&text)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            match f.as_slice() {
                [name, _, gid, ..] if !name.starts_with('#') => Some(GroupEntry {
                    gid: gid.parse().ok()?,
                    name: name.to_string(),
                }),
                _ => None,
            }
        })
        .collect()
}

/// IPv4 and IPv6 addresses of every interface (`getifaddrs`). The link
/// speed is recorded as 0, as libscap does.
pub fn interfaces() -> Vec<InterfaceEntry> {
    let mut out = Vec::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs stores into `head` a list it allocates, or returns
    // -1 and leaves it untouched; `&mut head` is a valid out-pointer.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return out;
    }
    let mut cur = head;
    while !cur.is_null() {
        // SAFETY: `cur` is a non-null node of the list from getifaddrs,
        // valid until freeifaddrs below; we only read it.
        let ifa = unsafe { &*cur };
        cur = ifa.ifa_next;
        if ifa.ifa_name.is_null() {
            continue;
        }
        // SAFETY: ifa_name is a non-null NUL-terminated string owned by the
        // list, valid until freeifaddrs.
        let name = unsafe { CStr::from_ptr(ifa.ifa_name) }
            .to_string_lossy()
            .into_owned();
        let addr = sockaddr_ip(ifa.ifa_addr);
        let mask = sockaddr_ip(ifa.ifa_netmask);
        let bcast = sockaddr_ip(ifa.ifa_ifu);
        let addrs = match (addr, mask) {
            (Some(IpAddr::V4(addr)), mask) => InterfaceAddrs::V4 {
                addr,
                netmask: match mask {
                    Some(IpAddr::V4(m)) => m,
                    _ => Ipv4Addr::UNSPECIFIED,
                },
                broadcast: match bcast {
                    Some(IpAddr::V4(b)) => b,
                    _ => Ipv4Addr::UNSPECIFIED,
                },
            },
            (Some(IpAddr::V6(addr)), mask) => InterfaceAddrs::V6 {
                addr,
                netmask: match mask {
                    Some(IpAddr::V6(m)) => m,
                    _ => Ipv6Addr::UNSPECIFIED,
                },
                broadcast: match bcast {
                    Some(IpAddr::V6(b)) => b,
                    _ => Ipv6Addr::UNSPECIFIED,
                },
            },
            (None, _) => continue,
        };
        out.push(InterfaceEntry {
            name,
            addrs,
            link_speed: Some(0),
        });
    }
    // SAFETY: `head` came from a successful getifaddrs and is freed once; no
    // reference into the list outlives this call (names were copied).
    unsafe { libc::freeifaddrs(head) };
    out
}

/// The IP address in a `sockaddr` from getifaddrs, if it is IPv4 or IPv6.
fn sockaddr_ip(sa: *const libc::sockaddr) -> Option<IpAddr> {
    if sa.is_null() {
        return None;
    }
    // SAFETY: `sa` is a non-null sockaddr from getifaddrs; every sockaddr
    // starts with its family.
    let family = i32::from(unsafe { (*sa).sa_family });
    match family {
        libc::AF_INET => {
            // SAFETY: the family says the storage is a sockaddr_in.
            let sin = unsafe { &*sa.cast::<libc::sockaddr_in>() };
            Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(
                sin.sin_addr.s_addr,
            ))))
        }
        libc::AF_INET6 => {
            // SAFETY: the family says the storage is a sockaddr_in6.
            let sin6 = unsafe { &*sa.cast::<libc::sockaddr_in6>() };
            Some(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)))
        }
        _ => None,
    }
}

/// Every thread of every process, main threads with their FDs.
pub fn threads(opts: &SnapshotOptions) -> Result<Vec<ThreadEntry>, FileError> {
    let procs = procfs::process::all_processes().map_err(|e| proc_err("listing /proc", e))?;
    let mut ctx = Ctx::new();
    let mut out = Vec::new();
    for p in procs.flatten() {
        out.extend(process_threads(&p, opts, &mut ctx));
    }
    Ok(out)
}

/// The threads of process `pid` (empty if it cannot be read).
pub fn process(pid: i32, opts: &SnapshotOptions) -> Vec<ThreadEntry> {
    match Process::new(pid) {
        Ok(p) => process_threads(&p, opts, &mut Ctx::new()),
        Err(_) => Vec::new(),
    }
}

/// Caches shared by the processes of one snapshot.
struct Ctx {
    /// netns inode → socket inode → what it is.
    sockets: HashMap<u64, HashMap<u64, FdInfo>>,
    /// Controllers of the unified cgroup hierarchy.
    v2_controllers: Option<Vec<String>>,
}

impl Ctx {
    fn new() -> Ctx {
        Ctx {
            sockets: HashMap::new(),
            v2_controllers: None,
        }
    }

    fn v2_controllers(&mut self) -> &[String] {
        self.v2_controllers.get_or_insert_with(|| {
            fs::read_to_string("/sys/fs/cgroup/cgroup.controllers")
                .map(|s| s.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default()
        })
    }
}

fn link_bytes(path: impl AsRef<Path>) -> Vec<u8> {
    fs::read_link(path)
        .map(|p| p.as_os_str().as_bytes().to_vec())
        .unwrap_or_default()
}

fn ns_time(sec: i64, nsec: i64) -> u64 {
    if sec < 0 {
        return 0;
    }
    (sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(nsec.max(0) as u64)
}

/// Cuts a NUL-separated list to at most `max` bytes, at an item boundary.
fn cut_list(mut b: Vec<u8>, max: usize) -> Vec<u8> {
    if b.len() > max {
        let keep = b
            .get(..max)
            .and_then(|h| h.iter().rposition(|c| *c == 0))
            .map_or(0, |i| i + 1);
        b.truncate(keep);
    }
    b
}

fn last(v: &Option<Vec<i32>>) -> Option<i64> {
    v.as_ref().and_then(|v| v.last()).map(|x| i64::from(*x))
}

const CAP_DAC_OVERRIDE: u64 = 1 << 1;
const CAP_FOWNER: u64 = 1 << 3;

/// Whether the executable is writable by the process's credentials, as far
/// as the owner, mode bits, groups and capabilities tell.
fn exe_writable(md: &fs::Metadata, st: &Status) -> bool {
    if md.uid() == st.euid {
        // The owner can always chmod: libscap counts it as a writer.
        return true;
    }
    let mode = md.mode();
    let in_group = md.gid() == st.egid || st.groups.contains(&md.gid());
    let bit = if in_group { 0o020 } else { 0o002 };
    mode & bit != 0 || st.capeff & (CAP_DAC_OVERRIDE | CAP_FOWNER) != 0
}

fn cgroups(pid: i32, ctx: &mut Ctx) -> Vec<u8> {
    let Ok(text) = fs::read_to_string(format!("/proc/{pid}/cgroup")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for line in text.lines() {
        let mut f = line.splitn(3, ':');
        let (Some(_id), Some(ctrls), Some(path)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        if ctrls.is_empty() {
            for c in ctx.v2_controllers() {
                out.extend_from_slice(format!("{c}={path}").as_bytes());
                out.push(0);
            }
        } else {
            for c in ctrls.split(',') {
                out.extend_from_slice(format!("{c}={path}").as_bytes());
                out.push(0);
            }
        }
    }
    cut_list(out, u16::MAX as usize)
}

fn process_threads(p: &Process, opts: &SnapshotOptions, ctx: &mut Ctx) -> Vec<ThreadEntry> {
    let pid = p.pid;
    let (Ok(pstat), Ok(pstatus)) = (p.stat(), p.status()) else {
        return Vec::new();
    };
    let base = PathBuf::from(format!("/proc/{pid}"));
    let cmdline = fs::read(base.join("cmdline")).unwrap_or_default();
    let (argv0, args) = match cmdline.iter().position(|c| *c == 0) {
        Some(i) => (
            cmdline.get(..i).unwrap_or(&[]).to_vec(),
            cmdline.get(i + 1..).unwrap_or(&[]).to_vec(),
        ),
        None => (cmdline.clone(), Vec::new()),
    };
    let exepath = link_bytes(base.join("exe"));
    let env = if opts.env {
        cut_list(
            fs::read(base.join("environ")).unwrap_or_default(),
            opts.max_env_len,
        )
    } else {
        Vec::new()
    };
    let fdlimit = p
        .limits()
        .map(|l| match l.max_open_files.soft_limit {
            procfs::process::LimitValue::Value(v) => v,
            procfs::process::LimitValue::Unlimited => u64::MAX,
        })
        .unwrap_or(0);
    let exe_md = fs::metadata(base.join("exe")).ok();
    let pidns_init_start_ts = fs::metadata(base.join("root/proc/1/cmdline"))
        .map(|m| ns_time(m.ctime(), m.ctime_nsec()))
        .unwrap_or(0);
    let loginuid = read_trimmed(base.join("loginuid"))
        .and_then(|s| s.parse().ok())
        .unwrap_or(u32::MAX);
    let fds = if opts.fds {
        read_fds(pid, ctx)
    } else {
        Vec::new()
    };
    let proto = ThreadEntry {
        tid: pid as u64,
        pid: pstatus.tgid as u64,
        ptid: pstat.ppid as u64,
        sid: pstat.session as u64,
        vpgid: last(&pstatus.nspgid).unwrap_or(i64::from(pstat.pgrp)) as u64,
        comm: Vec::new(),
        exe: Vec::new(),
        exepath,
        args: cut_list(args, opts.max_args_len),
        cwd: link_bytes(base.join("cwd")),
        fdlimit,
        flags: 0,
        uid: pstatus.euid,
        gid: pstatus.egid,
        vmsize_kb: pstatus.vmsize.map_or(0, |v| v as u32),
        vmrss_kb: pstatus.vmrss.map_or(0, |v| v as u32),
        vmswap_kb: pstatus.vmswap.map_or(0, |v| v as u32),
        pfmajor: pstat.majflt,
        pfminor: pstat.minflt,
        env,
        vtid: 0,
        vpid: last(&pstatus.nstgid).unwrap_or(i64::from(pid)),
        cgroups: cgroups(pid, ctx),
        root: link_bytes(base.join("root")),
        pidns_init_start_ts,
        tty: pstat.tty_nr as u32,
        loginuid,
        exe_writable: exe_md.as_ref().is_some_and(|m| exe_writable(m, &pstatus)),
        cap_inheritable: pstatus.capinh,
        cap_permitted: pstatus.capprm,
        cap_effective: pstatus.capeff,
        exe_upper_layer: false,
        exe_ino: exe_md.as_ref().map_or(0, |m| m.ino()),
        exe_ino_ctime: exe_md
            .as_ref()
            .map_or(0, |m| ns_time(m.ctime(), m.ctime_nsec())),
        exe_ino_mtime: exe_md
            .as_ref()
            .map_or(0, |m| ns_time(m.mtime(), m.mtime_nsec())),
        exe_from_memfd: false,
        exe_lower_layer: false,
        pgid: i64::from(pstat.pgrp),
        fds: Vec::new(),
    };

    let mut tids: Vec<i32> = match p.tasks() {
        Ok(tasks) if opts.threads => tasks.flatten().map(|t| t.tid).collect(),
        _ => vec![pid],
    };
    if !tids.contains(&pid) {
        tids.insert(0, pid);
    }
    let mut out = Vec::with_capacity(tids.len());
    let mut fds = Some(fds);
    for tid in tids {
        let tbase = base.join("task").join(tid.to_string());
        let (stat, status) = if tid == pid {
            (None, None)
        } else {
            match p
                .task_from_tid(tid)
                .and_then(|t| Ok((t.stat()?, t.status()?)))
            {
                Ok((s, st)) => (Some(s), Some(st)),
                Err(_) => continue,
            }
        };
        let st = status.as_ref().unwrap_or(&pstatus);
        let sa = stat.as_ref().unwrap_or(&pstat);
        let mut comm =
            fs::read(tbase.join("comm")).unwrap_or_else(|_| pstatus.name.clone().into_bytes());
        if comm.last() == Some(&b'\n') {
            comm.pop();
        }
        let mut t = proto.clone();
        t.tid = tid as u64;
        t.exe = if argv0.is_empty() {
            comm.clone()
        } else {
            argv0.clone()
        };
        t.comm = comm;
        t.uid = st.euid;
        t.gid = st.egid;
        t.pfmajor = sa.majflt;
        t.pfminor = sa.minflt;
        t.cap_inheritable = st.capinh;
        t.cap_permitted = st.capprm;
        t.cap_effective = st.capeff;
        t.vtid = last(&st.nspid).unwrap_or(i64::from(tid));
        if tid != pid {
            t.flags |= thread_flags::CLONE_THREAD | thread_flags::CLONE_FILES;
        } else {
            t.fds = fds.take().unwrap_or_default();
        }
        if t.vtid != i64::from(tid) {
            t.flags |= thread_flags::CHILD_IN_PIDNS;
        }
        out.push(t);
    }
    out
}

/// Kernel `dev_t` as userspace sees it → the kernel's internal encoding
/// (`major << 20 | minor`) used by the open events' `dev` parameter.
fn kernel_dev(dev: u64) -> u32 {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    ((major << 20) | (minor & 0xfffff)) as u32
}

/// Kernel `O_*` open flags → the schema's `PPM_O_*` flags.
pub fn ppm_open_flags(flags: u32) -> u32 {
    let f = flags as i32;
    let mut out = match f & libc::O_ACCMODE {
        libc::O_RDONLY => 1,
        libc::O_WRONLY => 2,
        libc::O_RDWR => 3,
        _ => 0,
    };
    let map: [(i32, u32); 11] = [
        (libc::O_CREAT, 4),
        (libc::O_APPEND, 8),
        (libc::O_DSYNC, 16),
        (libc::O_EXCL, 32),
        (libc::O_NONBLOCK, 64),
        (libc::O_TRUNC, 256),
        (libc::O_DIRECT, 512),
        (libc::O_DIRECTORY, 1024),
        (libc::O_LARGEFILE, 2048),
        (libc::O_CLOEXEC, 4096),
        (libc::O_TMPFILE & !libc::O_DIRECTORY, 8192),
    ];
    for (k, p) in map {
        if f & k == k && k != 0 {
            out |= p;
        }
    }
    if f & libc::O_SYNC == libc::O_SYNC {
        out |= 128;
    }
    out
}

fn fdinfo_flags(pid: i32, fd: &str) -> u32 {
    fs::read_to_string(format!("/proc/{pid}/fdinfo/{fd}"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("flags:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0)
}

fn netns(pid: i32) -> u64 {
    let l = link_bytes(format!("/proc/{pid}/ns/net"));
    let s = String::from_utf8_lossy(&l);
    s.trim_start_matches("net:[")
        .trim_end_matches(']')
        .parse()
        .unwrap_or(0)
}

fn inet(local: SocketAddr, remote: SocketAddr, l4proto: u8) -> Option<FdInfo> {
    let server = remote.port() == 0 && remote.ip().is_unspecified();
    Some(match (local, remote) {
        (SocketAddr::V4(l), _) if server => FdInfo::Ipv4Server {
            ip: *l.ip(),
            port: l.port(),
            l4proto,
        },
        (SocketAddr::V6(l), _) if server => FdInfo::Ipv6Server {
            ip: *l.ip(),
            port: l.port(),
            l4proto,
        },
        (SocketAddr::V4(l), SocketAddr::V4(r)) => FdInfo::Ipv4 {
            src: *l.ip(),
            dst: *r.ip(),
            sport: l.port(),
            dport: r.port(),
            l4proto,
        },
        (SocketAddr::V6(l), SocketAddr::V6(r)) => FdInfo::Ipv6 {
            src: *l.ip(),
            dst: *r.ip(),
            sport: l.port(),
            dport: r.port(),
            l4proto,
        },
        _ => return None,
    })
}

/// The socket table of the network namespace of `pid` (`None` if the
/// process is gone, so that another process of that namespace can be asked).
fn socket_table(pid: i32) -> Option<HashMap<u64, FdInfo>> {
    let mut m = HashMap::new();
    let p = Process::new(pid).ok()?;
    for e in p.tcp().into_iter().chain(p.tcp6()).flatten() {
        if let Some(i) = inet(e.local_address, e.remote_address, l4::TCP) {
            m.insert(e.inode, i);
        }
    }
    for e in p.udp().into_iter().chain(p.udp6()).flatten() {
        if let Some(i) = inet(e.local_address, e.remote_address, l4::UDP) {
            m.insert(e.inode, i);
        }
    }
    for e in p.unix().into_iter().flatten() {
        let path = e
            .path
            .map(|p| p.as_os_str().as_bytes().to_vec())
            .unwrap_or_default();
        m.insert(
            e.inode,
            FdInfo::Unix {
                source: 0,
                dest: 0,
                path,
            },
        );
    }
    if let Ok(text) = fs::read_to_string(format!("/proc/{pid}/net/netlink")) {
        for line in text.lines().skip(1) {
            if let Some(ino) = line.split_whitespace().last().and_then(|s| s.parse().ok()) {
                m.insert(
                    ino,
                    FdInfo::Named {
                        kind: NamedFdKind::Netlink,
                        name: Vec::new(),
                    },
                );
            }
        }
    }
    Some(m)
}

fn bracketed_ino(s: &str, prefix: &str) -> Option<u64> {
    s.strip_prefix(prefix)?.strip_suffix(']')?.parse().ok()
}

fn anon_kind(name: &str) -> NamedFdKind {
    let n = name.trim_start_matches("anon_inode:");
    let n = n.trim_start_matches('[').trim_end_matches(']');
    match n {
        "eventfd" => NamedFdKind::Event,
        "signalfd" => NamedFdKind::Signalfd,
        "eventpoll" => NamedFdKind::Eventpoll,
        "inotify" => NamedFdKind::Inotify,
        "timerfd" => NamedFdKind::Timerfd,
        "userfaultfd" => NamedFdKind::Userfaultfd,
        "io_uring" => NamedFdKind::IoUring,
        "pidfd" => NamedFdKind::Pidfd,
        n if n.starts_with("bpf") => NamedFdKind::Bpf,
        _ => NamedFdKind::Unsupported,
    }
}

/// The open FDs of process `pid`.
fn read_fds(pid: i32, ctx: &mut Ctx) -> Vec<FdEntry> {
    let dir = format!("/proc/{pid}/fd");
    let Ok(rd) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for ent in rd.flatten() {
        let name = ent.file_name();
        let Some(fd_s) = name.to_str() else { continue };
        let Ok(fd) = fd_s.parse::<i64>() else {
            continue;
        };
        let path = ent.path();
        let Ok(target) = fs::read_link(&path) else {
            continue;
        };
        let tb = target.as_os_str().as_bytes().to_vec();
        let ts = String::from_utf8_lossy(&tb).into_owned();
        let md = fs::metadata(&path).ok();
        let ino = md.as_ref().map_or(0, |m| m.ino());
        let named = |kind| FdInfo::Named {
            kind,
            name: tb.clone(),
        };
        let info = if let Some(sino) = bracketed_ino(&ts, "socket:[") {
            let ns = netns(pid);
            if let std::collections::hash_map::Entry::Vacant(slot) = ctx.sockets.entry(ns) {
                if let Some(t) = socket_table(pid) {
                    slot.insert(t);
                }
            }
            match ctx.sockets.get(&ns).and_then(|t| t.get(&sino)) {
                Some(FdInfo::Named {
                    kind: NamedFdKind::Netlink,
                    ..
                }) => named(NamedFdKind::Netlink),
                Some(i) => i.clone(),
                None => named(NamedFdKind::Unsupported),
            }
        } else if ts.starts_with("pipe:[") {
            named(NamedFdKind::Fifo)
        } else if ts.starts_with("anon_inode:") {
            named(anon_kind(&ts))
        } else if ts.starts_with("/memfd:") {
            named(NamedFdKind::Memfd)
        } else if ts.starts_with('/') {
            let ft = md.as_ref().map(|m| m.file_type());
            if ft.is_some_and(|t| t.is_dir()) {
                named(NamedFdKind::Directory)
            } else if ft.is_some_and(|t| std::os::unix::fs::FileTypeExt::is_fifo(&t)) {
                named(NamedFdKind::Fifo)
            } else {
                FdInfo::File {
                    open_flags: ppm_open_flags(fdinfo_flags(pid, fd_s)),
                    path: tb.clone(),
                    dev: md.as_ref().map_or(0, |m| kernel_dev(m.dev())),
                }
            }
        } else {
            named(NamedFdKind::Unsupported)
        };
        out.push(FdEntry { fd, ino, info });
    }
    out.sort_by_key(|f| f.fd);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_flags_map_to_schema_values() {
        assert_eq!(ppm_open_flags(libc::O_RDONLY as u32), 1);
        assert_eq!(
            ppm_open_flags((libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC) as u32),
            2 | 4 | 256
        );
        assert_eq!(
            ppm_open_flags((libc::O_RDWR | libc::O_CLOEXEC | libc::O_APPEND) as u32),
            3 | 4096 | 8
        );
        assert_eq!(
            ppm_open_flags((libc::O_RDONLY | libc::O_DIRECTORY) as u32),
            1 | 1024
        );
        assert_eq!(
            ppm_open_flags(libc::O_SYNC as u32 | libc::O_WRONLY as u32),
            2 | 128 | 16
        );
    }

    #[test]
    fn lists_are_cut_at_item_boundaries() {
        assert_eq!(cut_list(b"ab\0cd\0ef\0".to_vec(), 7), b"ab\0cd\0");
        assert_eq!(cut_list(b"abcdef\0".to_vec(), 3), b"");
        assert_eq!(cut_list(b"ab\0".to_vec(), 10), b"ab\0");
    }

    #[test]
    fn dev_numbers_use_the_kernel_encoding() {
        // makedev(8, 1) in glibc's encoding → (8 << 20) | 1.
        assert_eq!(kernel_dev((8 << 8) | 1), (8 << 20) | 1);
        // A minor above 255 (glibc puts its high bits at 12..).
        assert_eq!(
            kernel_dev((259 << 8) | (0x100 << 12) | 0x23),
            (259 << 20) | 0x123
        );
    }

    #[test]
    fn passwd_and_group_lines_parse() {
        let dir = std::env::temp_dir().join(format!("scap-snap-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let pw = dir.join("passwd");
        fs::write(&pw, "root:x:0:0:root:/root:/bin/bash\n#c\nbad line\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n").unwrap();
        let u = users(&pw);
        assert_eq!(u.len(), 2);
        assert_eq!(u[1].uid, 65534);
        assert_eq!(u[1].homedir, "/nonexistent");
        let gr = dir.join("group");
        fs::write(&gr, "root:x:0:\nadm:x:4:syslog,me\n").unwrap();
        let g = groups(&gr);
        assert_eq!(
            g,
            vec![
                GroupEntry {
                    gid: 0,
                    name: "root".into()
                },
                GroupEntry {
                    gid: 4,
                    name: "adm".into()
                }
            ]
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
