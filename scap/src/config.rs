//! Capture configuration and the translation of syscall names into the
//! probe's per-syscall table.

use scap_schema::{codes, Arch};

use crate::error::{Error, Result};

/// Default size of each per-CPU ring: 8 MiB, like Falco.
pub const DEFAULT_RING_BYTES: usize = 8 << 20;
/// Default I/O data snaplen: 80 bytes, like Falco.
pub const DEFAULT_SNAPLEN: u32 = 80;
/// Largest snaplen the probe accepts (one event is at most 64 KiB).
pub const MAX_SNAPLEN: u32 = 65000;

/// Pseudo-syscall name of the process-exit tracepoint.
pub const PROCEXIT: &str = "procexit";

/// Pseudo-syscall name of the signal-delivery tracepoint
/// (`PPME_SIGNALDELIVER_E`).
pub const SIGNALDELIVER: &str = "signaldeliver";

/// Pseudo-syscall name of the enter events kept against TOCTOU tricks (see
/// [`ENTER_PROGRAMS`]): with it, each selected syscall that has one also
/// reports its enter event. The default configuration (everything) includes
/// it; an explicit list gets them only when it names it, because they double
/// those syscalls' events (an `openat` storm through a debug-built consumer
/// then drops events it kept up with before).
pub const TOCTOU: &str = "toctou";

/// The enter events the schema keeps (TOCTOU mitigation): (native syscall,
/// program on `syscalls:sys_enter_<name>`, the enter event it produces).
/// Each is attached when its syscall is selected together with [`TOCTOU`]
/// (or by the default configuration); they need tracefs.
pub const ENTER_PROGRAMS: &[(&str, &str, u16)] = &[
    ("open", "open_e", codes::PPME_SYSCALL_OPEN_E),
    ("openat", "openat_e", codes::PPME_SYSCALL_OPENAT_2_E),
    ("openat2", "openat2_e", codes::PPME_SYSCALL_OPENAT2_E),
    ("creat", "creat_e", codes::PPME_SYSCALL_CREAT_E),
    ("connect", "connect_e", codes::PPME_SOCKET_CONNECT_E),
];

/// Syscalls with a dedicated filler in the probe: (native name, program,
/// the exit event it produces). Everything else is reported as the generic
/// event. `execve`/`execveat` fillers report failures only: every successful
/// exec comes from the `sched_process_exec` program.
pub const FILLERS: &[(&str, &str, u16)] = &[
    // Opening, closing, reading and writing files.
    ("open", "open_x", codes::PPME_SYSCALL_OPEN_X),
    ("openat", "openat_x", codes::PPME_SYSCALL_OPENAT_2_X),
    ("openat2", "openat2_x", codes::PPME_SYSCALL_OPENAT2_X),
    ("creat", "creat_x", codes::PPME_SYSCALL_CREAT_X),
    (
        "open_by_handle_at",
        "open_by_handle_at_x",
        codes::PPME_SYSCALL_OPEN_BY_HANDLE_AT_X,
    ),
    ("close", "close_x", codes::PPME_SYSCALL_CLOSE_X),
    (
        "close_range",
        "close_range_x",
        codes::PPME_SYSCALL_CLOSE_RANGE_X,
    ),
    ("read", "read_x", codes::PPME_SYSCALL_READ_X),
    ("write", "write_x", codes::PPME_SYSCALL_WRITE_X),
    ("pread64", "pread64_x", codes::PPME_SYSCALL_PREAD_X),
    ("pwrite64", "pwrite64_x", codes::PPME_SYSCALL_PWRITE_X),
    ("readv", "readv_x", codes::PPME_SYSCALL_READV_X),
    ("writev", "writev_x", codes::PPME_SYSCALL_WRITEV_X),
    ("preadv", "preadv_x", codes::PPME_SYSCALL_PREADV_X),
    ("pwritev", "pwritev_x", codes::PPME_SYSCALL_PWRITEV_X),
    ("sendfile", "sendfile_x", codes::PPME_SYSCALL_SENDFILE_X),
    ("splice", "splice_x", codes::PPME_SYSCALL_SPLICE_X),
    (
        "copy_file_range",
        "copy_file_range_x",
        codes::PPME_SYSCALL_COPY_FILE_RANGE_X,
    ),
    ("lseek", "lseek_x", codes::PPME_SYSCALL_LSEEK_X),
    (
        "getdents64",
        "getdents64_x",
        codes::PPME_SYSCALL_GETDENTS64_X,
    ),
    ("fcntl", "fcntl_x", codes::PPME_SYSCALL_FCNTL_X),
    ("flock", "flock_x", codes::PPME_SYSCALL_FLOCK_X),
    ("ioctl", "ioctl_x", codes::PPME_SYSCALL_IOCTL_3_X),
    ("dup", "dup_x", codes::PPME_SYSCALL_DUP_1_X),
    ("dup2", "dup2_x", codes::PPME_SYSCALL_DUP2_X),
    ("dup3", "dup3_x", codes::PPME_SYSCALL_DUP3_X),
    // File system names, modes, owners and mounts.
    ("mkdir", "mkdir_x", codes::PPME_SYSCALL_MKDIR_2_X),
    ("mkdirat", "mkdirat_x", codes::PPME_SYSCALL_MKDIRAT_X),
    ("rmdir", "rmdir_x", codes::PPME_SYSCALL_RMDIR_2_X),
    ("unlink", "unlink_x", codes::PPME_SYSCALL_UNLINK_2_X),
    ("unlinkat", "unlinkat_x", codes::PPME_SYSCALL_UNLINKAT_2_X),
    ("rename", "rename_x", codes::PPME_SYSCALL_RENAME_X),
    ("renameat", "renameat_x", codes::PPME_SYSCALL_RENAMEAT_X),
    ("renameat2", "renameat2_x", codes::PPME_SYSCALL_RENAMEAT2_X),
    ("link", "link_x", codes::PPME_SYSCALL_LINK_2_X),
    ("linkat", "linkat_x", codes::PPME_SYSCALL_LINKAT_2_X),
    ("symlink", "symlink_x", codes::PPME_SYSCALL_SYMLINK_X),
    ("symlinkat", "symlinkat_x", codes::PPME_SYSCALL_SYMLINKAT_X),
    ("chmod", "chmod_x", codes::PPME_SYSCALL_CHMOD_X),
    ("fchmod", "fchmod_x", codes::PPME_SYSCALL_FCHMOD_X),
    ("fchmodat", "fchmodat_x", codes::PPME_SYSCALL_FCHMODAT_X),
    ("chown", "chown_x", codes::PPME_SYSCALL_CHOWN_X),
    ("lchown", "lchown_x", codes::PPME_SYSCALL_LCHOWN_X),
    ("fchown", "fchown_x", codes::PPME_SYSCALL_FCHOWN_X),
    ("fchownat", "fchownat_x", codes::PPME_SYSCALL_FCHOWNAT_X),
    ("mknod", "mknod_x", codes::PPME_SYSCALL_MKNOD_X),
    ("mknodat", "mknodat_x", codes::PPME_SYSCALL_MKNODAT_X),
    (
        "newfstatat",
        "newfstatat_x",
        codes::PPME_SYSCALL_NEWFSTATAT_X,
    ),
    ("mount", "mount_x", codes::PPME_SYSCALL_MOUNT_X),
    ("umount2", "umount2_x", codes::PPME_SYSCALL_UMOUNT2_X),
    ("chroot", "chroot_x", codes::PPME_SYSCALL_CHROOT_X),
    ("chdir", "chdir_x", codes::PPME_SYSCALL_CHDIR_X),
    ("fchdir", "fchdir_x", codes::PPME_SYSCALL_FCHDIR_X),
    ("getcwd", "getcwd_x", codes::PPME_SYSCALL_GETCWD_X),
    // Special fds.
    ("pipe", "pipe_x", codes::PPME_SYSCALL_PIPE_X),
    ("pipe2", "pipe2_x", codes::PPME_SYSCALL_PIPE2_X),
    (
        "memfd_create",
        "memfd_create_x",
        codes::PPME_SYSCALL_MEMFD_CREATE_X,
    ),
    ("eventfd", "eventfd_x", codes::PPME_SYSCALL_EVENTFD_X),
    ("eventfd2", "eventfd2_x", codes::PPME_SYSCALL_EVENTFD2_X),
    (
        "inotify_init",
        "inotify_init_x",
        codes::PPME_SYSCALL_INOTIFY_INIT_X,
    ),
    (
        "inotify_init1",
        "inotify_init1_x",
        codes::PPME_SYSCALL_INOTIFY_INIT1_X,
    ),
    ("signalfd", "signalfd_x", codes::PPME_SYSCALL_SIGNALFD_X),
    ("signalfd4", "signalfd4_x", codes::PPME_SYSCALL_SIGNALFD4_X),
    (
        "timerfd_create",
        "timerfd_create_x",
        codes::PPME_SYSCALL_TIMERFD_CREATE_X,
    ),
    (
        "userfaultfd",
        "userfaultfd_x",
        codes::PPME_SYSCALL_USERFAULTFD_X,
    ),
    (
        "io_uring_setup",
        "io_uring_setup_x",
        codes::PPME_SYSCALL_IO_URING_SETUP_X,
    ),
    (
        "epoll_create",
        "epoll_create_x",
        codes::PPME_SYSCALL_EPOLL_CREATE_X,
    ),
    (
        "epoll_create1",
        "epoll_create1_x",
        codes::PPME_SYSCALL_EPOLL_CREATE1_X,
    ),
    (
        "pidfd_open",
        "pidfd_open_x",
        codes::PPME_SYSCALL_PIDFD_OPEN_X,
    ),
    (
        "pidfd_getfd",
        "pidfd_getfd_x",
        codes::PPME_SYSCALL_PIDFD_GETFD_X,
    ),
    ("bpf", "bpf_x", codes::PPME_SYSCALL_BPF_2_X),
    // Network.
    ("socket", "socket_x", codes::PPME_SOCKET_SOCKET_X),
    (
        "socketpair",
        "socketpair_x",
        codes::PPME_SOCKET_SOCKETPAIR_X,
    ),
    ("bind", "bind_x", codes::PPME_SOCKET_BIND_X),
    ("listen", "listen_x", codes::PPME_SOCKET_LISTEN_X),
    ("connect", "connect_x", codes::PPME_SOCKET_CONNECT_X),
    ("accept", "accept_x", codes::PPME_SOCKET_ACCEPT_5_X),
    ("accept4", "accept4_x", codes::PPME_SOCKET_ACCEPT4_6_X),
    ("shutdown", "shutdown_x", codes::PPME_SOCKET_SHUTDOWN_X),
    ("sendto", "sendto_x", codes::PPME_SOCKET_SENDTO_X),
    ("recvfrom", "recvfrom_x", codes::PPME_SOCKET_RECVFROM_X),
    ("sendmsg", "sendmsg_x", codes::PPME_SOCKET_SENDMSG_X),
    ("recvmsg", "recvmsg_x", codes::PPME_SOCKET_RECVMSG_X),
    ("sendmmsg", "sendmmsg_x", codes::PPME_SOCKET_SENDMMSG_X),
    ("recvmmsg", "recvmmsg_x", codes::PPME_SOCKET_RECVMMSG_X),
    (
        "getsockopt",
        "getsockopt_x",
        codes::PPME_SOCKET_GETSOCKOPT_X,
    ),
    (
        "setsockopt",
        "setsockopt_x",
        codes::PPME_SOCKET_SETSOCKOPT_X,
    ),
    (
        "getsockname",
        "getsockname_x",
        codes::PPME_SOCKET_GETSOCKNAME_X,
    ),
    (
        "getpeername",
        "getpeername_x",
        codes::PPME_SOCKET_GETPEERNAME_X,
    ),
    // Processes.
    ("clone", "clone_x", codes::PPME_SYSCALL_CLONE_20_X),
    ("clone3", "clone3_x", codes::PPME_SYSCALL_CLONE3_X),
    ("fork", "fork_x", codes::PPME_SYSCALL_FORK_20_X),
    ("vfork", "vfork_x", codes::PPME_SYSCALL_VFORK_20_X),
    ("execve", "execve_x", codes::PPME_SYSCALL_EXECVE_19_X),
    ("execveat", "execveat_x", codes::PPME_SYSCALL_EXECVEAT_X),
    ("kill", "kill_x", codes::PPME_SYSCALL_KILL_X),
    ("tgkill", "tgkill_x", codes::PPME_SYSCALL_TGKILL_X),
    ("tkill", "tkill_x", codes::PPME_SYSCALL_TKILL_X),
    ("ptrace", "ptrace_x", codes::PPME_SYSCALL_PTRACE_X),
    ("prctl", "prctl_x", codes::PPME_SYSCALL_PRCTL_X),
    ("setns", "setns_x", codes::PPME_SYSCALL_SETNS_X),
    ("unshare", "unshare_x", codes::PPME_SYSCALL_UNSHARE_X),
    ("setsid", "setsid_x", codes::PPME_SYSCALL_SETSID_X),
    ("setpgid", "setpgid_x", codes::PPME_SYSCALL_SETPGID_X),
    // Identity and privileges.
    ("setuid", "setuid_x", codes::PPME_SYSCALL_SETUID_X),
    ("setgid", "setgid_x", codes::PPME_SYSCALL_SETGID_X),
    ("setreuid", "setreuid_x", codes::PPME_SYSCALL_SETREUID_X),
    ("setregid", "setregid_x", codes::PPME_SYSCALL_SETREGID_X),
    ("setresuid", "setresuid_x", codes::PPME_SYSCALL_SETRESUID_X),
    ("setresgid", "setresgid_x", codes::PPME_SYSCALL_SETRESGID_X),
    ("capset", "capset_x", codes::PPME_SYSCALL_CAPSET_X),
    ("prlimit64", "prlimit64_x", codes::PPME_SYSCALL_PRLIMIT_X),
    ("setrlimit", "setrlimit_x", codes::PPME_SYSCALL_SETRLIMIT_X),
    ("seccomp", "seccomp_x", codes::PPME_SYSCALL_SECCOMP_X),
    // Kernel modules.
    (
        "init_module",
        "init_module_x",
        codes::PPME_SYSCALL_INIT_MODULE_X,
    ),
    (
        "finit_module",
        "finit_module_x",
        codes::PPME_SYSCALL_FINIT_MODULE_X,
    ),
    (
        "delete_module",
        "delete_module_x",
        codes::PPME_SYSCALL_DELETE_MODULE_X,
    ),
    // Memory, other processes' memory, waiting and polling.
    ("mmap", "mmap_x", codes::PPME_SYSCALL_MMAP_X),
    ("munmap", "munmap_x", codes::PPME_SYSCALL_MUNMAP_X),
    ("mprotect", "mprotect_x", codes::PPME_SYSCALL_MPROTECT_X),
    ("brk", "brk_x", codes::PPME_SYSCALL_BRK_4_X),
    (
        "process_vm_readv",
        "process_vm_readv_x",
        codes::PPME_SYSCALL_PROCESS_VM_READV_X,
    ),
    (
        "process_vm_writev",
        "process_vm_writev_x",
        codes::PPME_SYSCALL_PROCESS_VM_WRITEV_X,
    ),
    ("nanosleep", "nanosleep_x", codes::PPME_SYSCALL_NANOSLEEP_X),
    ("futex", "futex_x", codes::PPME_SYSCALL_FUTEX_X),
    ("poll", "poll_x", codes::PPME_SYSCALL_POLL_X),
    ("ppoll", "ppoll_x", codes::PPME_SYSCALL_PPOLL_X),
    ("select", "select_x", codes::PPME_SYSCALL_SELECT_X),
    (
        "epoll_wait",
        "epoll_wait_x",
        codes::PPME_SYSCALL_EPOLLWAIT_X,
    ),
];

/// The syscalls the strace witness checks: `scap/tests/witness.rs` runs the
/// workload (`examples/src/bin/syscall-workload.rs`, which makes each of
/// them, successes and failures) under strace and under the probe at the
/// same time, and compares every call's parameters. It fails when a syscall
/// listed here was not checked, or when a check disagrees;
/// `docs/syscalls.md` marks these as witnessed. (Names missing from an
/// architecture's table are simply not made there.)
pub const WITNESSED: &[&str] = &[
    // Files.
    "open",
    "openat",
    "openat2",
    "creat",
    "open_by_handle_at",
    "close",
    "close_range",
    "read",
    "write",
    "pread64",
    "pwrite64",
    "readv",
    "writev",
    "preadv",
    "pwritev",
    "sendfile",
    "splice",
    "copy_file_range",
    "lseek",
    "getdents64",
    "fcntl",
    "flock",
    "ioctl",
    "dup",
    "dup2",
    "dup3",
    // Names, modes, owners, mounts.
    "mkdir",
    "mkdirat",
    "rmdir",
    "unlink",
    "unlinkat",
    "rename",
    "renameat",
    "renameat2",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "chmod",
    "fchmod",
    "fchmodat",
    "chown",
    "lchown",
    "fchown",
    "fchownat",
    "mknod",
    "mknodat",
    "newfstatat",
    "mount",
    "umount2",
    "chroot",
    "chdir",
    "fchdir",
    "getcwd",
    // Special fds.
    "pipe",
    "pipe2",
    "memfd_create",
    "eventfd",
    "eventfd2",
    "inotify_init",
    "inotify_init1",
    "signalfd",
    "signalfd4",
    "timerfd_create",
    "userfaultfd",
    "io_uring_setup",
    "epoll_create",
    "epoll_create1",
    "pidfd_open",
    "pidfd_getfd",
    "bpf",
    // Network.
    "socket",
    "socketpair",
    "bind",
    "listen",
    "connect",
    "accept",
    "accept4",
    "shutdown",
    "sendto",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    "sendmmsg",
    "recvmmsg",
    "getsockopt",
    "setsockopt",
    "getsockname",
    "getpeername",
    // Processes, identity, limits.
    "clone",
    "clone3",
    "fork",
    "vfork",
    "execve",
    "execveat",
    "kill",
    "tgkill",
    "tkill",
    "ptrace",
    "prctl",
    "setns",
    "unshare",
    "setsid",
    "setpgid",
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "capset",
    "prlimit64",
    "setrlimit",
    "seccomp",
    "init_module",
    "finit_module",
    "delete_module",
    // Memory, waiting, polling.
    "mmap",
    "munmap",
    "mprotect",
    "brk",
    "process_vm_readv",
    "process_vm_writev",
    "nanosleep",
    "futex",
    "poll",
    "ppoll",
    "select",
    "epoll_wait",
];

// Bits of the probe's g_syscalls entries (probe.h).
const SC_INTERESTING: u32 = 1 << 31;
const SC_DEDICATED: u32 = 1 << 30;

/// What to capture and how.
#[derive(Clone, Debug)]
pub struct Config {
    /// Syscalls to capture by native name (plus the pseudo-names
    /// [`PROCEXIT`], [`SIGNALDELIVER`] and [`TOCTOU`]); `None` captures every
    /// syscall of the architecture, process exits, signal deliveries and the
    /// TOCTOU enter events.
    pub syscalls: Option<Vec<String>>,
    /// Bytes per ring: a power of two, a multiple of the page size.
    pub ring_bytes: usize,
    /// Max bytes of I/O data per event.
    pub snaplen: u32,
    /// Do not capture syscalls that failed.
    pub drop_failed: bool,
    /// Never capture this process's own syscalls (default true).
    pub exclude_self: bool,
    /// Report the child side of clone/fork from the `sched_process_fork`
    /// tracepoint instead of the child's own sys_exit. `None`: the
    /// architecture's need (arm64 yes, x86_64 no).
    pub child_from_fork_tracepoint: Option<bool>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            syscalls: None,
            ring_bytes: DEFAULT_RING_BYTES,
            snaplen: DEFAULT_SNAPLEN,
            drop_failed: false,
            exclude_self: true,
            child_from_fork_tracepoint: None,
        }
    }
}

/// The probe-side form of a syscall selection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyscallPlan {
    /// The probe's g_syscalls table.
    pub table: Vec<u32>,
    /// Native numbers of selected syscalls that have a dedicated filler, with
    /// the filler program's name.
    pub fillers: Vec<(u16, &'static str)>,
    /// Attach `sched_process_exec` (execve or execveat selected).
    pub exec: bool,
    /// Attach `sched_process_exit`.
    pub procexit: bool,
    /// A clone-family syscall is selected (for `sched_process_fork`).
    pub clone_family: bool,
    /// Attach `signal_deliver`.
    pub signaldeliver: bool,
    /// Enter-event programs to attach (see [`ENTER_PROGRAMS`]).
    pub enter: Vec<&'static str>,
}

impl Config {
    /// Checks the numbers.
    pub fn validate(&self) -> Result<()> {
        let page = crate::ring::page_size();
        if !self.ring_bytes.is_power_of_two()
            || self.ring_bytes % page != 0
            || self.ring_bytes < 2 * page
        {
            return Err(Error::Config(format!(
                "ring size {} must be a power of two, a multiple of the page size ({page}) and at least two pages",
                self.ring_bytes
            )));
        }
        if self.snaplen > MAX_SNAPLEN {
            return Err(Error::Config(format!(
                "snaplen {} exceeds the maximum of {MAX_SNAPLEN}",
                self.snaplen
            )));
        }
        Ok(())
    }

    /// Resolves the syscall names for `arch`.
    pub fn plan(&self, arch: Arch) -> Result<SyscallPlan> {
        let table_len = 512;
        let mut plan = SyscallPlan {
            table: vec![0; table_len],
            fillers: Vec::new(),
            exec: false,
            procexit: false,
            clone_family: false,
            signaldeliver: false,
            enter: Vec::new(),
        };
        let select = |nr: u16, ppm_sc: u16, name: &str, plan: &mut SyscallPlan| {
            let mut v = SC_INTERESTING | u32::from(ppm_sc);
            if let Some((_, prog, _)) = FILLERS.iter().find(|f| f.0 == name) {
                v |= SC_DEDICATED;
                plan.fillers.push((nr, prog));
            }
            if matches!(name, "execve" | "execveat") {
                plan.exec = true;
            }
            if matches!(name, "clone" | "clone3" | "fork" | "vfork") {
                plan.clone_family = true;
            }
            if let Some((_, prog, _)) = ENTER_PROGRAMS.iter().find(|p| p.0 == name) {
                plan.enter.push(prog);
            }
            if let Some(slot) = plan.table.get_mut(usize::from(nr)) {
                *slot = v;
            }
        };
        let mut toctou = false;
        match &self.syscalls {
            None => {
                for e in arch.syscalls() {
                    select(e.nr, e.ppm_sc, e.name, &mut plan);
                }
                plan.procexit = true;
                plan.signaldeliver = true;
                toctou = true;
            }
            Some(names) => {
                let mut unknown = Vec::new();
                for name in names {
                    let name = name.trim();
                    if name.is_empty() {
                        continue;
                    }
                    if name == PROCEXIT || name == "sched_process_exit" {
                        plan.procexit = true;
                    } else if name == SIGNALDELIVER || name == "signal_deliver" {
                        plan.signaldeliver = true;
                    } else if name == TOCTOU {
                        toctou = true;
                    } else if let Some(e) = arch.syscall_by_name(name) {
                        select(e.nr, e.ppm_sc, e.name, &mut plan);
                    } else {
                        unknown.push(name.to_string());
                    }
                }
                if !unknown.is_empty() {
                    return Err(Error::Config(format!(
                        "unknown syscall name(s) for {arch:?}: {} (names are the native ones, e.g. openat, execve; `{PROCEXIT}` selects process exits, `{SIGNALDELIVER}` signal deliveries, `{TOCTOU}` the enter events of open, openat, openat2, creat and connect)",
                        unknown.join(", ")
                    )));
                }
            }
        }
        plan.fillers.sort_unstable();
        plan.fillers.dedup();
        if toctou {
            plan.enter.sort_unstable();
            plan.enter.dedup();
        } else {
            plan.enter.clear();
        }
        Ok(plan)
    }
}

/// The native syscalls (plus [`PROCEXIT`]) whose events have one of `names`
/// as their event type name (`evt.type`): e.g. `openat` selects the
/// `openat` syscall, `execve` the `execve` syscall, `getppid` (a generic
/// event) the `getppid` syscall. Names the architecture lacks (e.g. `open`
/// on arm64) select nothing. This is how a filter's `evt.type` terms become
/// the probe's syscall set. [`SIGNALDELIVER`] and [`PROCEXIT`] select their
/// tracepoints; a syscall with an enter program brings [`TOCTOU`] along.
pub fn syscalls_for_event_types<'n>(
    arch: Arch,
    names: impl IntoIterator<Item = &'n str>,
) -> Vec<&'static str> {
    let wanted: std::collections::BTreeSet<&str> = names.into_iter().collect();
    let mut out: Vec<&'static str> = arch
        .syscalls()
        .iter()
        .filter(|e| {
            let event_name = scap_schema::event_info(e.exit_event)
                .filter(|_| e.exit_event != 0)
                .map_or(e.name, |i| i.name);
            wanted.contains(event_name) || wanted.contains(e.name)
        })
        .map(|e| e.name)
        .collect();
    if wanted.contains(PROCEXIT) {
        out.push(PROCEXIT);
    }
    if wanted.contains(SIGNALDELIVER) {
        out.push(SIGNALDELIVER);
    }
    // The event type names both directions: where the probe has the enter
    // event too, ask for it.
    if ENTER_PROGRAMS.iter().any(|(name, _, _)| out.contains(name)) {
        out.push(TOCTOU);
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fillers_emit_the_schema_exit_event() {
        // The probe's fillers and the schema's syscall table must agree on the
        // event each syscall produces, on every architecture that has it.
        for arch in [Arch::X86_64, Arch::Aarch64] {
            for (name, _, code) in FILLERS {
                if let Some(e) = arch.syscall_by_name(name) {
                    assert_eq!(e.exit_event, *code, "{arch:?} {name}");
                }
            }
        }
    }

    #[test]
    fn event_type_names_become_syscalls() {
        let x = syscalls_for_event_types(Arch::X86_64, ["openat", "execve", "procexit", "getppid"]);
        assert_eq!(x, ["execve", "getppid", "openat", PROCEXIT, TOCTOU]);
        let s = syscalls_for_event_types(Arch::X86_64, ["signaldeliver", "kill"]);
        assert_eq!(s, ["kill", SIGNALDELIVER]);
        // `open` does not exist on arm64: nothing to select, no error.
        let a = syscalls_for_event_types(Arch::Aarch64, ["open", "openat"]);
        assert_eq!(a, ["openat", TOCTOU]);
        // Every result is accepted by the plan.
        let c = Config {
            syscalls: Some(x.iter().map(|s| s.to_string()).collect()),
            ..Config::default()
        };
        assert!(c.plan(Arch::X86_64).unwrap().procexit);
    }

    #[test]
    fn tables_are_consistent() {
        // One filler per syscall, one syscall per exit event.
        let mut names: Vec<_> = FILLERS.iter().map(|f| f.0).collect();
        let mut codes: Vec<_> = FILLERS.iter().map(|f| f.2).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!((names.len(), codes.len()), (n, n));
        // Everything witnessed has a filler; every enter program's syscall
        // has one, and its event is the enter twin of the exit event.
        for w in WITNESSED {
            assert!(FILLERS.iter().any(|f| f.0 == *w), "{w} has no filler");
        }
        for (name, _, enter) in ENTER_PROGRAMS {
            let exit = FILLERS.iter().find(|f| f.0 == *name).unwrap().2;
            assert_eq!(enter + 1, exit, "{name}");
        }
    }

    #[test]
    fn pseudo_syscalls_select_tracepoints() {
        let c = Config {
            syscalls: Some(vec![SIGNALDELIVER.into(), "openat".into(), "read".into()]),
            ..Config::default()
        };
        let p = c.plan(Arch::X86_64).unwrap();
        assert!(p.signaldeliver && !p.procexit);
        assert!(p.enter.is_empty(), "enter events only with `{TOCTOU}`");
        let c = Config {
            syscalls: Some(vec![TOCTOU.into(), "openat".into(), "read".into()]),
            ..Config::default()
        };
        assert_eq!(c.plan(Arch::X86_64).unwrap().enter, ["openat_e"]);
        let all = Config::default().plan(Arch::X86_64).unwrap();
        assert!(all.signaldeliver && all.procexit);
        assert_eq!(all.enter.len(), ENTER_PROGRAMS.len());
        // arm64 has no open or creat: their enter programs are not planned.
        let arm = Config::default().plan(Arch::Aarch64).unwrap();
        assert_eq!(arm.enter, ["connect_e", "openat2_e", "openat_e"]);
    }

    #[test]
    fn plan_selects_and_routes() {
        let c = Config {
            syscalls: Some(vec![
                "openat".into(),
                "getppid".into(),
                "execve".into(),
                PROCEXIT.into(),
            ]),
            ..Config::default()
        };
        let p = c.plan(Arch::X86_64).unwrap();
        assert_eq!(
            p.table[257],
            SC_INTERESTING | SC_DEDICATED | u32::from(scap_schema::ppm_sc_code("openat").unwrap())
        );
        let getppid = p.table[110];
        assert_eq!(getppid & SC_DEDICATED, 0);
        assert_eq!(
            getppid & 0xffff,
            u32::from(scap_schema::ppm_sc_code("getppid").unwrap())
        );
        assert!(p.exec && p.procexit && !p.clone_family);
        assert_eq!(p.table.iter().filter(|v| **v != 0).count(), 3);
        assert!(p.fillers.contains(&(59, "execve_x")));
    }

    #[test]
    fn unknown_names_are_reported() {
        let c = Config {
            syscalls: Some(vec!["openat".into(), "frobnicate".into()]),
            ..Config::default()
        };
        let e = c.plan(Arch::X86_64).unwrap_err().to_string();
        assert!(e.contains("frobnicate"), "{e}");
    }

    #[test]
    fn sizes_are_checked() {
        let mut c = Config {
            ring_bytes: 3 << 20,
            ..Config::default()
        };
        assert!(c.validate().is_err());
        c.ring_bytes = 1 << 20;
        c.snaplen = 70000;
        assert!(c.validate().is_err());
        c.snaplen = 4096;
        assert!(c.validate().is_ok());
    }
}
