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
    /// argv[0].
    pub exe: String,
    /// Full path of the executable (from the kernel).
    pub exepath: String,
    /// Arguments after argv[0].
    pub args: Vec<String>,
    /// Environment, `NAME=value` items.
    pub env: Vec<String>,
    /// Working directory (absolute, ends without a slash except for `/`).
    pub cwd: String,
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
    /// `(subsystem, path)` cgroups.
    pub cgroups: Vec<(String, String)>,
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
        self.cgroups
            .iter()
            .find(|(s, _)| s == subsys)
            .map(|(_, p)| p.as_str())
    }

    /// The value of environment variable `name`.
    pub fn env_var(&self, name: &str) -> Option<&str> {
        self.env.iter().find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k == name).then_some(v)
        })
    }

    /// Adopts what exec gives a process, keeping identity and fds.
    pub fn set_cgroups(
        &mut self,
        cgroups: Vec<(String, String)>,
        known: &mut super::ContainerTable,
    ) {
        self.container = known.resolve(cgroups.iter().map(|(s, p)| (s.as_str(), p.as_str())));
        self.cgroups = cgroups;
    }
}

/// Splits `subsys=path` items.
pub fn parse_cgroups<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Vec<(String, String)> {
    items
        .into_iter()
        .map(|item| {
            let s = String::from_utf8_lossy(item);
            match s.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (String::new(), s.into_owned()),
            }
        })
        .collect()
}

/// Lossy UTF-8 of a NUL-separated list.
pub fn strings<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Vec<String> {
    items
        .into_iter()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect()
}
