//! The tables events are interpreted against: threads and processes (with
//! their fds), containers, users and groups; plus what is known of the machine.
//!
//! State starts from a snapshot (`/proc` when live, the capture's metadata
//! when replaying: both arrive as [`scap::file::Metadata`]) and is then kept
//! up to date by the parsers, one event at a time. Memory is bounded: dead
//! threads are purged right after their exit event, and the tables refuse new
//! entries beyond configurable maximums, counting what they refused.

pub mod containers;
pub mod fds;
pub mod threads;
pub mod users;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::IpAddr;
use std::sync::Arc;

use scap::file::{FdEntry, FdInfo as MetaFd, Metadata, NamedFdKind, ThreadEntry};

pub use containers::{ContainerInfo, ContainerType};
pub use fds::{FdInfo, FdKind, FdTable, L4Proto, Role, Tuple};
pub use threads::{ProcessInfo, ThreadInfo};
pub use users::{GroupInfo, UserInfo, Users};

/// A hasher for integer keys (tids, pids, fds, uids): one multiplication.
/// Keys come from the kernel, not from an adversary choosing hash collisions.
#[derive(Clone, Copy, Debug, Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 =
                (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(26);
    }

    #[inline]
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
}

/// A HashMap keyed by ids.
pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// Limits on the tables.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Most threads tracked at once.
    pub max_threads: usize,
    /// Most fds tracked per process.
    pub max_fds_per_process: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_threads: 131_072,
            max_fds_per_process: 4096,
        }
    }
}

/// Counters of what the tables refused or purged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TableStats {
    /// Threads created.
    pub threads_added: u64,
    /// Threads removed after their exit.
    pub threads_removed: u64,
    /// Threads not tracked because the table was full.
    pub threads_refused: u64,
    /// Fds not tracked because their process's table was full.
    pub fds_refused: u64,
    /// Events whose thread was unknown (it predates a snapshot that missed it).
    pub unknown_threads: u64,
}

/// Containers seen so far, shared by the processes that run in them.
#[derive(Clone, Debug, Default)]
pub struct ContainerTable {
    by_id: HashMap<String, Arc<ContainerInfo>>,
    /// The last cgroups resolved and their answer: a fork or exec nearly
    /// always carries its parent's cgroups, so most lookups end here.
    last: Option<(threads::StrList, Option<Arc<ContainerInfo>>)>,
}

impl ContainerTable {
    /// The container named by these `subsys=path` cgroups, registered once.
    pub fn resolve(&mut self, cgroups: &threads::StrList) -> Option<Arc<ContainerInfo>> {
        if let Some((c, found)) = &self.last {
            if c == cgroups {
                return found.clone();
            }
        }
        let found = containers::from_cgroups(cgroups.iter()).map(|info| {
            self.by_id
                .entry(info.full_id.clone())
                .or_insert_with(|| Arc::new(info))
                .clone()
        });
        self.last = Some((cgroups.clone(), found.clone()));
        found
    }

    /// Number of containers seen.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// None seen.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// All containers.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<ContainerInfo>> {
        self.by_id.values()
    }
}

/// Processes, in slots that their threads point at (one hash lookup per
/// event, for the thread, instead of two), and by pid.
#[derive(Debug, Default)]
pub struct ProcessTable {
    slots: Vec<Option<ProcessInfo>>,
    free: Vec<u32>,
    by_pid: IdMap<i64, u32>,
}

impl ProcessTable {
    /// The process `pid`.
    #[inline]
    pub fn get(&self, pid: &i64) -> Option<&ProcessInfo> {
        let slot = *self.by_pid.get(pid)?;
        self.slots.get(slot as usize)?.as_ref()
    }

    /// The process `pid`, mutably.
    #[inline]
    pub fn get_mut(&mut self, pid: &i64) -> Option<&mut ProcessInfo> {
        let slot = *self.by_pid.get(pid)?;
        self.slots.get_mut(slot as usize)?.as_mut()
    }

    /// Is `pid` tracked?
    pub fn contains_key(&self, pid: &i64) -> bool {
        self.by_pid.contains_key(pid)
    }

    /// Adds (or replaces) process `pid`; returns its slot.
    pub fn insert(&mut self, pid: i64, p: ProcessInfo) -> u32 {
        if let Some(&slot) = self.by_pid.get(&pid) {
            self.slots[slot as usize] = Some(p);
            return slot;
        }
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Some(p);
                s
            }
            None => {
                self.slots.push(Some(p));
                (self.slots.len() - 1) as u32
            }
        };
        self.by_pid.insert(pid, slot);
        slot
    }

    /// Removes process `pid`.
    pub fn remove(&mut self, pid: &i64) -> Option<ProcessInfo> {
        let slot = self.by_pid.remove(pid)?;
        self.free.push(slot);
        self.slots.get_mut(slot as usize)?.take()
    }

    /// The slot of `pid`.
    pub fn slot(&self, pid: i64) -> u32 {
        self.by_pid.get(&pid).copied().unwrap_or(u32::MAX)
    }

    /// The process in `slot`, if it is `pid` (a slot can be reused).
    #[inline]
    pub fn at(&self, slot: u32, pid: i64) -> Option<&ProcessInfo> {
        self.slots
            .get(slot as usize)?
            .as_ref()
            .filter(|p| p.pid == pid)
    }

    /// Number of processes.
    pub fn len(&self) -> usize {
        self.by_pid.len()
    }

    /// No processes.
    pub fn is_empty(&self) -> bool {
        self.by_pid.is_empty()
    }

    /// All processes.
    pub fn values(&self) -> impl Iterator<Item = &ProcessInfo> {
        self.slots.iter().flatten()
    }
}

/// Everything events are interpreted against.
#[derive(Debug, Default)]
pub struct State {
    /// Threads by tid.
    pub threads: IdMap<i64, ThreadInfo>,
    /// Processes by pid.
    pub processes: ProcessTable,
    /// Containers.
    pub containers: ContainerTable,
    /// Users and groups.
    pub users: Users,
    /// Host name.
    pub hostname: String,
    /// Boot time, epoch ns.
    pub boot_ts: u64,
    /// The machine's own addresses (to tell local from remote).
    pub local_ips: Vec<IpAddr>,
    /// Limits on the tables.
    pub limits: Limits,
    /// What the tables refused or purged.
    pub stats: TableStats,
    /// Scratch space for building paths without allocating.
    pub(crate) path_buf: String,
}

/// Memory and size figures of the tables.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TableSizes {
    /// Threads tracked.
    pub threads: usize,
    /// Processes tracked.
    pub processes: usize,
    /// Fds tracked, all processes.
    pub fds: usize,
    /// Containers seen.
    pub containers: usize,
}

fn lossy(b: &[u8]) -> String {
    lossy_utf8(b).into_owned()
}

impl State {
    /// Empty tables with these limits.
    pub fn new(limits: Limits) -> State {
        State {
            limits,
            ..State::default()
        }
    }

    /// Tables built from a snapshot or a capture's metadata.
    pub fn from_metadata(meta: &Metadata, limits: Limits) -> State {
        let mut s = State::new(limits);
        if let Some(m) = &meta.machine {
            s.hostname = m.hostname.clone();
            s.boot_ts = m.boot_ts_epoch;
        }
        s.users = Users::from_entries(&meta.users, &meta.groups);
        for i in &meta.interfaces {
            s.local_ips.push(match i.addrs {
                scap::file::InterfaceAddrs::V4 { addr, .. } => IpAddr::V4(addr),
                scap::file::InterfaceAddrs::V6 { addr, .. } => IpAddr::V6(addr),
            });
        }
        // Main threads first, so every process exists before its threads.
        let mut order: Vec<&ThreadEntry> = meta.threads.iter().collect();
        order.sort_by_key(|t| (!t.is_main_thread(), t.tid));
        for t in order {
            s.add_from_entry(t);
        }
        s
    }

    fn add_from_entry(&mut self, t: &ThreadEntry) {
        let (tid, pid) = (t.tid as i64, t.pid as i64);
        if self.threads.len() >= self.limits.max_threads {
            self.stats.threads_refused += 1;
            return;
        }
        if !self.processes.contains_key(&pid) {
            let cgroups = threads::StrList::from_nul_separated(&t.cgroups);
            let container = self.containers.resolve(&cgroups);
            let mut p = ProcessInfo {
                pid,
                vpid: t.vpid,
                exe: lossy(&t.exe),
                exepath: lossy(&t.exepath),
                args: threads::StrList::from_nul_separated(&t.args),
                env: threads::StrList::from_nul_separated(&t.env),
                cwd: normalize_dir(&lossy(&t.cwd)),
                root: lossy(&t.root),
                uid: t.uid,
                gid: t.gid,
                loginuid: t.loginuid,
                caps: [t.cap_inheritable, t.cap_permitted, t.cap_effective],
                tty: t.tty,
                sid: t.sid as i64,
                vpgid: t.vpgid as i64,
                pgid: t.pgid,
                cgroups,
                container,
                pidns_init_start_ts: t.pidns_init_start_ts,
                exe_writable: t.exe_writable,
                exe_upper_layer: t.exe_upper_layer,
                exe_lower_layer: t.exe_lower_layer,
                exe_from_memfd: t.exe_from_memfd,
                exe_ino: t.exe_ino,
                exe_ino_ctime: t.exe_ino_ctime,
                exe_ino_mtime: t.exe_ino_mtime,
                fdlimit: t.fdlimit,
                vmsize_kb: t.vmsize_kb,
                vmrss_kb: t.vmrss_kb,
                vmswap_kb: t.vmswap_kb,
                ..ProcessInfo::default()
            };
            for e in &t.fds {
                if let Some((num, fd)) = fd_from_entry(e) {
                    if !p.fds.insert(num, fd, self.limits.max_fds_per_process) {
                        self.stats.fds_refused += 1;
                    }
                }
            }
            self.processes.insert(pid, p);
        } else if let Some(p) = self.processes.get_mut(&pid) {
            // A thread's own fd list (a process with unshared fd tables).
            for e in &t.fds {
                if let Some((num, fd)) = fd_from_entry(e) {
                    if p.fds.get(num).is_none()
                        && !p.fds.insert(num, fd, self.limits.max_fds_per_process)
                    {
                        self.stats.fds_refused += 1;
                    }
                }
            }
        }
        if let Some(p) = self.processes.get_mut(&pid) {
            p.nthreads += 1;
        }
        let slot = self.processes.slot(pid);
        self.threads.insert(
            tid,
            ThreadInfo {
                tid,
                pid,
                slot,
                ptid: t.ptid as i64,
                vtid: t.vtid,
                comm: lossy(&t.comm),
                clone_ts: 0,
                pfmajor: t.pfmajor,
                pfminor: t.pfminor,
            },
        );
        self.stats.threads_added += 1;
    }

    /// The thread `tid`.
    #[inline]
    pub fn thread(&self, tid: i64) -> Option<&ThreadInfo> {
        self.threads.get(&tid)
    }

    /// The process `pid`.
    #[inline]
    pub fn process(&self, pid: i64) -> Option<&ProcessInfo> {
        self.processes.get(&pid)
    }

    /// The process of thread `tid`.
    #[inline]
    pub fn process_of(&self, tid: i64) -> Option<&ProcessInfo> {
        self.thread(tid).and_then(|t| self.process_of_thread(t))
    }

    /// The process of a thread: through its slot, else by pid.
    #[inline]
    pub fn process_of_thread(&self, t: &ThreadInfo) -> Option<&ProcessInfo> {
        self.processes
            .at(t.slot, t.pid)
            .or_else(|| self.processes.get(&t.pid))
    }

    /// The parent of a process: the process of its main thread's creator.
    pub fn parent_of(&self, p: &ProcessInfo) -> Option<&ProcessInfo> {
        let main = self.thread(p.pid)?;
        let parent = self.thread(main.ptid)?;
        self.process(parent.pid)
    }

    /// The parent pid of a process (its main thread's creator's pid).
    pub fn ppid_of(&self, p: &ProcessInfo) -> Option<i64> {
        let main = self.thread(p.pid)?;
        Some(self.thread(main.ptid).map_or(main.ptid, |t| t.pid))
    }

    /// The ancestors of a process, nearest first, stopping at a loop or a
    /// missing link (at most 256).
    pub fn ancestors<'a>(
        &'a self,
        p: &'a ProcessInfo,
    ) -> impl Iterator<Item = &'a ProcessInfo> + 'a {
        let mut seen = 0usize;
        let mut cur = Some(p);
        std::iter::from_fn(move || {
            let next = self.parent_of(cur?)?;
            seen += 1;
            if seen > 256 || next.pid == cur?.pid {
                return None;
            }
            cur = Some(next);
            Some(next)
        })
    }

    /// Sizes of the tables.
    pub fn sizes(&self) -> TableSizes {
        TableSizes {
            threads: self.threads.len(),
            processes: self.processes.len(),
            fds: self.processes.values().map(|p| p.fds.len()).sum(),
            containers: self.containers.len(),
        }
    }

    /// Is `ip` one of this machine's addresses (or loopback)?
    pub fn is_local_ip(&self, ip: IpAddr) -> bool {
        ip.is_loopback() || self.local_ips.contains(&ip)
    }
}

/// Removes a trailing slash (except for "/") and resolves "." and "..".
pub fn normalize_dir(p: &str) -> String {
    let n = normalize_path(p);
    if n.is_empty() {
        "/".into()
    } else {
        n
    }
}

/// Makes `path` canonical without touching the file system: collapses
/// repeated slashes, "." and "..".
pub fn normalize_path(path: &str) -> String {
    if path.is_empty() {
        return String::new();
    }
    if is_normal(path) {
        return path.to_owned();
    }
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            c => parts.push(c),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

/// Every component of `b` (a path without its leading slash) is neither
/// empty, "." nor "..".
// On the path of every open, so eight bytes at a time: a component is bad
// only where a slash follows a slash, or a dot follows a slash (or the
// start); only those dots are looked at closely.
fn plain_components(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // The high bit of every byte of `w` equal to `c`, exactly.
    fn eq(w: u64, c: u8) -> u64 {
        let x = w ^ (ONES * u64::from(c));
        !(((x & LOW7) + LOW7) | x | LOW7)
    }
    if b.last().is_none_or(|c| *c == b'/') {
        return false;
    }
    // A slash before the first byte: the start begins a component.
    let mut prev_slash = 1u64;
    let chunks = b.chunks_exact(8);
    let tail = chunks.remainder();
    let words = chunks
        .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        // The last few bytes, zero-padded (zero is neither '/' nor '.').
        .chain((!tail.is_empty()).then(|| {
            tail.iter()
                .rev()
                .fold(0u64, |w, byte| (w << 8) | u64::from(*byte))
        }));
    for (k, w) in words.enumerate() {
        let slashes = eq(w, b'/');
        // Bytes that follow a slash (the previous word's last one too).
        let after_slash = (slashes << 8) | (prev_slash << 7);
        if slashes & after_slash != 0 {
            return false;
        }
        let mut dots = eq(w, b'.') & after_slash;
        while dots != 0 {
            let i = k * 8 + (dots.trailing_zeros() / 8) as usize;
            let rest = &b[i + 1..];
            if matches!(rest, [] | [b'/', ..] | [b'.'] | [b'.', b'/', ..]) {
                return false;
            }
            dots &= dots - 1;
        }
        prev_slash = slashes >> 63;
    }
    true
}

/// `b` as text, borrowed when it is valid UTF-8 (checked a word at a time),
/// with U+FFFD for invalid sequences otherwise.
pub(crate) fn lossy_utf8(b: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// Already canonical: absolute, no empty, "." or ".." components, no
/// trailing slash (the common case, which then costs no work).
fn is_normal(path: &str) -> bool {
    path == "/"
        || path
            .strip_prefix('/')
            .is_some_and(|rest| plain_components(rest.as_bytes()))
}

/// A relative name that needs no resolution.
fn is_plain_relative(name: &str) -> bool {
    !name.starts_with('/') && plain_components(name.as_bytes())
}

/// Writes `name` made absolute against `dir` into `out` (cleared first).
pub fn join_path_into(out: &mut String, dir: &str, name: &str) {
    out.clear();
    if name.starts_with('/') || dir.is_empty() {
        if is_normal(name) {
            out.push_str(name);
        } else {
            out.push_str(&normalize_path(name));
        }
    } else if is_normal(dir) && is_plain_relative(name) {
        out.push_str(dir);
        if dir != "/" {
            out.push('/');
        }
        out.push_str(name);
    } else {
        out.push_str(&normalize_path(&format!("{dir}/{name}")));
    }
}

/// `name` made absolute against `dir` (a directory path).
pub fn join_path(dir: &str, name: &str) -> String {
    if name.starts_with('/') || dir.is_empty() {
        normalize_path(name)
    } else if is_normal(dir) && is_plain_relative(name) {
        // One allocation for the common `cwd + relative name`.
        let mut s = String::with_capacity(dir.len() + 1 + name.len());
        s.push_str(dir);
        if dir != "/" {
            s.push('/');
        }
        s.push_str(name);
        s
    } else {
        normalize_path(&format!("{dir}/{name}"))
    }
}

/// An fd of the capture's/snapshot's fd list in the tables' form.
fn fd_from_entry(e: &FdEntry) -> Option<(i64, FdInfo)> {
    use std::net::SocketAddr;
    let mut fd = match &e.info {
        MetaFd::File {
            open_flags,
            path,
            dev,
        } => {
            let mut f = FdInfo::new(FdKind::File, lossy(path));
            f.flags = *open_flags;
            f.dev = *dev;
            if open_flags & scap::schema::flags::FileFlags::O_DIRECTORY.bits() != 0 {
                f.kind = FdKind::Directory;
            }
            f
        }
        MetaFd::Ipv4 {
            src,
            dst,
            sport,
            dport,
            l4proto,
        } => {
            let mut f = FdInfo::new(FdKind::Ipv4, "");
            f.l4proto = l4_from_code(*l4proto);
            f.set_tuple(
                Tuple {
                    client: SocketAddr::new((*src).into(), *sport),
                    server: SocketAddr::new((*dst).into(), *dport),
                },
                Role::None,
            );
            f
        }
        MetaFd::Ipv6 {
            src,
            dst,
            sport,
            dport,
            l4proto,
        } => {
            let mut f = FdInfo::new(FdKind::Ipv6, "");
            f.l4proto = l4_from_code(*l4proto);
            f.set_tuple(
                Tuple {
                    client: SocketAddr::new((*src).into(), *sport),
                    server: SocketAddr::new((*dst).into(), *dport),
                },
                Role::None,
            );
            f
        }
        MetaFd::Ipv4Server { ip, port, l4proto } => {
            let mut f = FdInfo::new(FdKind::Ipv4, format!("{ip}:{port}"));
            f.l4proto = l4_from_code(*l4proto);
            f.bound = Some(SocketAddr::new((*ip).into(), *port));
            f.role = Role::Server;
            f
        }
        MetaFd::Ipv6Server { ip, port, l4proto } => {
            let mut f = FdInfo::new(FdKind::Ipv6, format!("{ip}:{port}"));
            f.l4proto = l4_from_code(*l4proto);
            f.bound = Some(SocketAddr::new((*ip).into(), *port));
            f.role = Role::Server;
            f
        }
        MetaFd::Unix { source, dest, path } => {
            let mut f = FdInfo::new(FdKind::Unix, lossy(path));
            f.unix_ends = (*source, *dest);
            f
        }
        MetaFd::Named { kind, name } => {
            let k = match kind {
                NamedFdKind::File => FdKind::File,
                NamedFdKind::Directory => FdKind::Directory,
                NamedFdKind::Fifo => FdKind::Pipe,
                NamedFdKind::Event => FdKind::Event,
                NamedFdKind::Unsupported => FdKind::Unknown,
                NamedFdKind::Signalfd => FdKind::Signalfd,
                NamedFdKind::Eventpoll => FdKind::Eventpoll,
                NamedFdKind::Inotify => FdKind::Inotify,
                NamedFdKind::Timerfd => FdKind::Timerfd,
                NamedFdKind::Netlink => FdKind::Netlink,
                NamedFdKind::Bpf => FdKind::Bpf,
                NamedFdKind::Userfaultfd => FdKind::Userfaultfd,
                NamedFdKind::IoUring => FdKind::IoUring,
                NamedFdKind::Memfd => FdKind::Memfd,
                NamedFdKind::Pidfd => FdKind::Pidfd,
            };
            FdInfo::new(k, lossy(name))
        }
        MetaFd::Unknown { .. } => FdInfo::new(FdKind::Unknown, ""),
    };
    fd.ino = e.ino;
    fd.name_changed = false;
    Some((e.fd, fd))
}

fn l4_from_code(c: u8) -> L4Proto {
    use scap::file::metadata::l4;
    match c {
        l4::TCP => L4Proto::Tcp,
        l4::UDP => L4Proto::Udp,
        l4::ICMP => L4Proto::Icmp,
        l4::RAW => L4Proto::Raw,
        _ => L4Proto::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalise_without_the_file_system() {
        assert_eq!(normalize_path("/a//b/./c/../d/"), "/a/b/d");
        assert_eq!(normalize_path("/../.."), "/");
        assert_eq!(join_path("/home/u", "x.txt"), "/home/u/x.txt");
        assert_eq!(join_path("/home/u", "../v/./y"), "/home/v/y");
        assert_eq!(join_path("/home/u", "/etc/passwd"), "/etc/passwd");
        assert_eq!(join_path("/", "tmp"), "/tmp");
        assert_eq!(normalize_dir("/tmp/"), "/tmp");
        assert_eq!(normalize_dir("/"), "/");
        for p in ["/", "/a", "/a/b", "/a.b/.c/..d"] {
            assert!(is_normal(p), "{p}");
        }
        for p in [
            "", "a", "/a/", "//a", "/a//b", "/./a", "/a/.", "/a/..", "/a/../b",
        ] {
            assert!(!is_normal(p), "{p}");
        }
        assert!(
            is_plain_relative("a/b.c") && !is_plain_relative("./a") && !is_plain_relative("a/")
        );
    }

    #[test]
    fn the_fast_component_check_agrees_with_splitting() {
        // Every string over each alphabet up to the given length (so across
        // the 8-byte boundary), checked against the definition: no
        // component empty, "." or "..". The second alphabet has bytes that
        // differ from '/' and '.' only in the high bit.
        let mut checked = 0;
        for (alphabet, max) in [
            (&[b'/', b'.', b'a'][..], 11u32),
            (&[b'/', b'.', 0xaf, 0xae], 9),
        ] {
            let k = alphabet.len();
            for len in 0..=max {
                for mut n in 0..k.pow(len) {
                    let mut b = Vec::new();
                    for _ in 0..len {
                        b.push(alphabet[n % k]);
                        n /= k;
                    }
                    let by_split = b
                        .split(|c| *c == b'/')
                        .all(|c| !c.is_empty() && c != b"." && c != b"..");
                    assert_eq!(plain_components(&b), by_split, "{b:?}");
                    checked += 1;
                }
            }
        }
        assert_eq!(
            checked,
            (0..=11).map(|l| 3usize.pow(l)).sum::<usize>()
                + (0..=9).map(|l| 4usize.pow(l)).sum::<usize>()
        );
    }

    #[test]
    fn lossy_text_borrows_valid_utf8_and_replaces_the_rest() {
        assert!(matches!(
            lossy_utf8(b"/tmp/\xc3\xa9"),
            std::borrow::Cow::Borrowed("/tmp/\u{e9}")
        ));
        assert_eq!(lossy_utf8(b"/tmp/\xff"), "/tmp/\u{fffd}");
    }
}
