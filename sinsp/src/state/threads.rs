//! Threads and processes. Per-thread data (ids, name, clone time) lives in
//! [`ThreadInfo`]; what the threads of a process share (executable, arguments,
//! credentials, cwd, fds, cgroups) lives once in [`ProcessInfo`], keyed by the
//! thread-group id.

use std::sync::Arc;

use super::containers::ContainerInfo;
use super::fds::FdTable;

/// One thread.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadInfo {
    /// Thread id (host pid namespace).
    pub tid: i64,
    /// Its process (thread group) id.
    pub pid: i64,
    /// Where its process sits in the process table (a hint, checked
    /// against `pid` on use).
    pub slot: u32,
    /// The thread that created it (host namespace), or the reaper it was
    /// handed to.
    pub ptid: i64,
    /// Thread id in its own pid namespace (0 when unknown).
    pub vtid: i64,
    /// The command name (`comm`, ≤ 15 bytes).
    pub comm: String,
    /// When it was created, epoch ns (0 when it predates the capture and its
    /// start is unknown).
    pub clone_ts: u64,
    /// Major page faults.
    pub pfmajor: u64,
    /// Minor page faults.
    pub pfminor: u64,
}

/// What the threads of one process share.
#[derive(Clone, Debug, Default)]
pub struct ProcessInfo {
    /// Process id (thread-group id, host namespace).
    pub pid: i64,
    /// Process id in its own pid namespace.
    pub vpid: i64,
    /// `argv[0]`.
    pub exe: String,
    /// Full path of the executable (from the kernel).
    pub exepath: String,
    /// Arguments after `argv[0]`.
    pub args: StrList,
    /// Environment, `NAME=value` items.
    pub env: StrList,
    /// Working directory (absolute, ends without a slash except for `/`).
    pub cwd: String,
    /// Root directory (absolute: "/" unless a chroot changed it; empty when
    /// unknown).
    pub root: String,
    /// Effective user id.
    pub uid: u32,
    /// Effective group id.
    pub gid: u32,
    /// Audit login uid (u32::MAX when unset).
    pub loginuid: u32,
    /// Capabilities: inheritable, permitted, effective (kernel bit numbers).
    pub caps: [u64; 3],
    /// Controlling tty (kernel dev_t), 0 when none.
    pub tty: u32,
    /// Session id.
    pub sid: i64,
    /// Process group id in its pid namespace.
    pub vpgid: i64,
    /// Process group id in the host namespace.
    pub pgid: i64,
    /// `subsystem=path` cgroups.
    pub cgroups: StrList,
    /// The container, when the cgroups name one.
    pub container: Option<Arc<ContainerInfo>>,
    /// Epoch-ns start of the pid namespace's init (0 when unknown).
    pub pidns_init_start_ts: u64,
    /// The executable was writable by the process's credentials.
    pub exe_writable: bool,
    /// The executable is in an overlayfs upper layer.
    pub exe_upper_layer: bool,
    /// The executable is in an overlayfs lower layer.
    pub exe_lower_layer: bool,
    /// The executable is a memfd.
    pub exe_from_memfd: bool,
    /// Inode of the executable.
    pub exe_ino: u64,
    /// Its ctime, epoch ns.
    pub exe_ino_ctime: u64,
    /// Its mtime, epoch ns.
    pub exe_ino_mtime: u64,
    /// clone time − exe ctime, computed at exec (0 when unknown).
    pub exe_ino_ctime_duration_proc_start: u64,
    /// exe ctime − pid namespace start, when the exe changed after the
    /// namespace started (0 otherwise).
    pub exe_ino_ctime_duration_pidns_start: u64,
    /// RLIMIT_NOFILE soft limit.
    pub fdlimit: u64,
    /// The namespaces the process moved to with setns or unshare since the
    /// capture started, as the schema's clone_flags bits (CLONE_NEWNS,
    /// CLONE_NEWUTS, ...; 0 when none, or when setns named no type).
    pub ns_changed: u32,
    /// Virtual memory, KiB.
    pub vmsize_kb: u32,
    /// Resident memory, KiB.
    pub vmrss_kb: u32,
    /// Swapped memory, KiB.
    pub vmswap_kb: u32,
    /// Open file descriptors.
    pub fds: FdTable,
    /// Live threads.
    pub nthreads: u32,
    /// When the process was created (its main thread's clone time).
    pub clone_ts: u64,
}

impl ProcessInfo {
    /// `proc.args` as libsinsp renders it: arguments joined by spaces.
    pub fn args_joined(&self) -> String {
        self.args.join(" ")
    }

    /// The cgroup path of `subsys`.
    pub fn cgroup(&self, subsys: &str) -> Option<&str> {
        self.cgroups.iter().find_map(|item| {
            let (k, v) = item.split_once('=')?;
            (k == subsys).then_some(v)
        })
    }

    /// The value of environment variable `name`.
    pub fn env_var(&self, name: &str) -> Option<&str> {
        self.env.iter().find_map(|kv: &str| {
            let (k, v) = kv.split_once('=')?;
            (k == name).then_some(v)
        })
    }

    /// Sets the cgroups, and the container they name.
    pub fn set_cgroups(&mut self, cgroups: StrList, known: &mut super::ContainerTable) {
        if cgroups != self.cgroups {
            self.container = known.resolve(&cgroups);
            self.cgroups = cgroups;
        }
    }
}

/// A list of strings kept in one shared allocation (NUL-separated), as the
/// kernel and capture files deliver `args` and `env`: a fork shares its
/// parent's lists (a reference count, no copy) until the child execs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StrList(Arc<str>);

impl StrList {
    /// From the kernel's form: NUL-separated items, each NUL-terminated.
    pub fn from_nul_separated(b: &[u8]) -> StrList {
        let b = b.strip_suffix(&[0]).unwrap_or(b);
        StrList(super::lossy_utf8(b).into())
    }

    /// From separate items.
    pub fn from_items<'a>(items: impl IntoIterator<Item = &'a str>) -> StrList {
        StrList(items.into_iter().collect::<Vec<_>>().join("\0").into())
    }

    /// The items.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        let empty = self.0.is_empty();
        self.0.split('\0').filter(move |_| !empty)
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        if self.0.is_empty() {
            0
        } else {
            self.0.bytes().filter(|b| *b == 0).count() + 1
        }
    }

    /// No items.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Item `i`.
    pub fn get(&self, i: usize) -> Option<&str> {
        self.iter().nth(i)
    }

    /// The items joined by `sep`.
    pub fn join(&self, sep: &str) -> String {
        if sep == "\0" {
            return self.0.to_string();
        }
        self.0.replace('\0', sep)
    }
}
