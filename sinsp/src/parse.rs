//! Parsers: how each state-changing event updates the tables.
//!
//! Every parser reads its event's parameters by schema name, so a parameter
//! the event does not carry (an old capture, a failed read in the probe) is
//! simply skipped. Removals (a closed fd, an exited thread) are deferred to
//! the next event, so the fields of the close or exit event itself still see
//! what it refers to.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use scap::event::{Event, ParamTable};
use scap::params::{ParamValue, SockAddr, SockTuple};
use scap::schema::codes::*;
use scap::schema::flags::{CloneFlags, ExecveFlags, FileFlags};
use scap::schema::tables;

use crate::state::threads::StrList;
use crate::state::{
    join_path, join_path_into, normalize_dir, FdInfo, FdKind, L4Proto, ProcessInfo, Role, State,
    ThreadInfo, Tuple,
};

/// A removal applied before the next event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deferred {
    /// Close fd `fd` of process `pid`.
    RemoveFd {
        /// Process.
        pid: i64,
        /// Fd.
        fd: i64,
    },
    /// Forget thread `tid` (and its process when it was the last thread).
    RemoveThread {
        /// Thread.
        tid: i64,
    },
}

const AT_FDCWD: i64 = -100;
const EINPROGRESS: i64 = 115;

/// The index of parameter `$name` in the event `$p` was made from (or in
/// events of type `code = $code`), looked up once per call site for every
/// event type: parsers then pay an array read, not a string search, per
/// parameter.
macro_rules! at {
    (code = $code:expr, $name:literal) => {{
        static INDEX: std::sync::OnceLock<Box<[u8]>> = std::sync::OnceLock::new();
        let t = INDEX.get_or_init(|| {
            scap::schema::events()
                .iter()
                .map(|e| e.param_index($name).map_or(u8::MAX, |i| i as u8))
                .collect()
        });
        match t.get(usize::from($code)) {
            Some(&i) if i != u8::MAX => Some(usize::from(i)),
            _ => None,
        }
    }};
    // Matched second: `code = x` is an expression too.
    ($p:expr, $name:literal) => {
        at!(code = $p.code, $name)
    };
}

/// A signed little-endian integer of 1, 2, 4 or 8 bytes.
#[inline]
fn signed(b: &[u8]) -> Option<i64> {
    Some(match b.len() {
        8 => i64::from_le_bytes(b.try_into().ok()?),
        4 => i64::from(i32::from_le_bytes(b.try_into().ok()?)),
        2 => i64::from(i16::from_le_bytes(b.try_into().ok()?)),
        1 => i64::from(b[0] as i8),
        _ => return None,
    })
}

/// An event's parameters, located once, read by index.
struct P<'a> {
    ev: Event<'a>,
    t: ParamTable<'a>,
    code: u16,
}

impl<'a> P<'a> {
    // Inlined so that the table is built where it is used, not copied out.
    #[inline(always)]
    fn new(ev: &Event<'a>) -> P<'a> {
        P {
            ev: *ev,
            t: ev.param_table(),
            code: ev.event_type(),
        }
    }
    /// Raw bytes; None when absent or empty (not collected).
    fn bytes(&self, i: Option<usize>) -> Option<&'a [u8]> {
        self.t.get(i?).filter(|b| !b.is_empty())
    }
    /// A decoded value, for the structured types (sockaddr, socktuple).
    fn value(&self, i: Option<usize>) -> Option<ParamValue<'a>> {
        self.ev.param(i?).ok()?.value().ok()
    }
    /// A signed integer of 1, 2, 4 or 8 bytes.
    fn i64(&self, i: Option<usize>) -> Option<i64> {
        signed(self.bytes(i)?)
    }
    /// An unsigned integer of 1, 2, 4 or 8 bytes.
    fn u64(&self, i: Option<usize>) -> Option<u64> {
        let b = self.bytes(i)?;
        Some(match b.len() {
            8 => u64::from_le_bytes(b.try_into().ok()?),
            4 => u64::from(u32::from_le_bytes(b.try_into().ok()?)),
            2 => u64::from(u16::from_le_bytes(b.try_into().ok()?)),
            1 => u64::from(b[0]),
            _ => return None,
        })
    }
    fn u32(&self, i: Option<usize>) -> Option<u32> {
        self.u64(i).map(|v| v as u32)
    }
    /// A string parameter without its NUL, borrowed.
    fn text(&self, i: Option<usize>) -> Option<std::borrow::Cow<'a, str>> {
        let b = self.bytes(i)?;
        let b = b.strip_suffix(&[0]).unwrap_or(b);
        Some(crate::state::lossy_utf8(b))
    }
    fn str(&self, i: Option<usize>) -> Option<String> {
        self.text(i).map(|c| c.into_owned())
    }
    fn list(&self, i: Option<usize>) -> Option<StrList> {
        self.bytes(i).map(StrList::from_nul_separated)
    }
}

/// Declares [`parse`] and [`STATE_EVENTS`] from one list of arms, so that
/// the set of event types the tables learn from is exactly what the
/// dispatch handles. (`$state`, `$ev`, `$deferred` name the parameters the
/// arms use.)
macro_rules! parsers {
    ($state:ident, $ev:ident, $deferred:ident; $($($code:ident)|+ => $handler:expr,)+) => {
        /// The event types [`parse`] learns from: what a capture must
        /// contain for the tables to stay true, whatever else it is filtered
        /// down to. A capture tool selects these syscalls alongside the ones
        /// its filter asks for (see [`syscall_set`]).
        pub const STATE_EVENTS: &[u16] = &[$($($code,)+)+];

        /// Applies one event to the tables.
        pub fn parse($state: &mut State, $ev: &Event<'_>, $deferred: &mut Vec<Deferred>) {
            match $ev.event_type() {
                $($($code)|+ => $handler,)+
                _ => {}
            }
        }
    };
}

parsers! { state, ev, deferred;
        PPME_SYSCALL_CLONE_20_X
        | PPME_SYSCALL_CLONE3_X
        | PPME_SYSCALL_FORK_20_X
        | PPME_SYSCALL_VFORK_20_X => clone(state, ev),
        PPME_SYSCALL_EXECVE_19_X | PPME_SYSCALL_EXECVEAT_X => exec(state, ev),
        PPME_PROCEXIT_1_E => procexit(state, ev, deferred),
        PPME_SYSCALL_OPEN_X
        | PPME_SYSCALL_OPENAT_2_X
        | PPME_SYSCALL_OPENAT2_X
        | PPME_SYSCALL_CREAT_X => open(state, ev),
        PPME_SYSCALL_CLOSE_X => close(state, ev, deferred),
        PPME_SOCKET_SOCKET_X => socket(state, ev),
        PPME_SOCKET_BIND_X => bind(state, ev),
        PPME_SOCKET_CONNECT_X => connect(state, ev),
        PPME_SOCKET_ACCEPT_5_X | PPME_SOCKET_ACCEPT4_6_X => accept(state, ev),
        PPME_SYSCALL_CHDIR_X | PPME_SYSCALL_FCHDIR_X => chdir(state, ev),
        PPME_SYSCALL_SETUID_X
        | PPME_SYSCALL_SETREUID_X
        | PPME_SYSCALL_SETRESUID_X
        | PPME_SYSCALL_SETGID_X
        | PPME_SYSCALL_SETREGID_X
        | PPME_SYSCALL_SETRESGID_X => set_ids(state, ev),
        PPME_SYSCALL_PRCTL_X => prctl(state, ev),
        PPME_SYSCALL_DUP_1_X | PPME_SYSCALL_DUP2_X | PPME_SYSCALL_DUP3_X => dup(state, ev),
        PPME_SYSCALL_PIPE_X | PPME_SYSCALL_PIPE2_X => pipe(state, ev),
        PPME_SYSCALL_MEMFD_CREATE_X => memfd(state, ev),
        PPME_SYSCALL_EVENTFD_X | PPME_SYSCALL_EVENTFD2_X => {
            anon_fd(state, ev, FdKind::Event, "anon_inode:[eventfd]")
        },
        PPME_SYSCALL_SIGNALFD_X | PPME_SYSCALL_SIGNALFD4_X => signalfd(state, ev),
        PPME_SYSCALL_TIMERFD_CREATE_X => {
            anon_fd(state, ev, FdKind::Timerfd, "anon_inode:[timerfd]")
        },
        PPME_SYSCALL_INOTIFY_INIT_X | PPME_SYSCALL_INOTIFY_INIT1_X => {
            anon_fd(state, ev, FdKind::Inotify, "anon_inode:inotify")
        },
        PPME_SYSCALL_EPOLL_CREATE_X | PPME_SYSCALL_EPOLL_CREATE1_X => {
            anon_fd(state, ev, FdKind::Eventpoll, "anon_inode:[eventpoll]")
        },
        PPME_SYSCALL_USERFAULTFD_X => {
            anon_fd(state, ev, FdKind::Userfaultfd, "anon_inode:[userfaultfd]")
        },
        PPME_SYSCALL_IO_URING_SETUP_X => {
            anon_fd(state, ev, FdKind::IoUring, "anon_inode:[io_uring]")
        },
        PPME_SYSCALL_PIDFD_OPEN_X => pidfd_open(state, ev),
        PPME_SYSCALL_PIDFD_GETFD_X => pidfd_getfd(state, ev),
        PPME_SYSCALL_BPF_2_X => bpf(state, ev),
        PPME_SOCKET_SOCKETPAIR_X => socketpair(state, ev),
        PPME_SYSCALL_FCNTL_X => fcntl(state, ev),
        PPME_SYSCALL_OPEN_BY_HANDLE_AT_X => open_by_handle(state, ev),
        PPME_SYSCALL_CLOSE_RANGE_X => close_range(state, ev, deferred),
        PPME_SYSCALL_CHROOT_X => chroot(state, ev),
        PPME_SYSCALL_CAPSET_X => capset(state, ev),
        PPME_SYSCALL_SETNS_X | PPME_SYSCALL_UNSHARE_X => namespaces(state, ev),
        PPME_SYSCALL_SETSID_X => setsid(state, ev),
        PPME_SYSCALL_SETPGID_X => setpgid(state, ev),
        PPME_SYSCALL_PRLIMIT_X | PPME_SYSCALL_SETRLIMIT_X => rlimit(state, ev),
}

/// Whether [`parse`] learns from events of this type.
pub fn is_state_event(event_type: u16) -> bool {
    STATE_EVENTS.contains(&event_type)
}

/// The names (`evt.type`) of [`STATE_EVENTS`].
pub fn state_event_names() -> impl Iterator<Item = &'static str> {
    STATE_EVENTS
        .iter()
        .filter_map(|&c| scap::schema::event_info(c).map(|i| i.name))
}

/// The probe's syscall set for a consumer of the event types `wanted`
/// (`None`: any type, so every syscall): those, plus what the tables learn
/// from. The enter events (TOCTOU) come only when `wanted` asks for a
/// syscall that has them, not for the tables' sake.
pub fn syscall_set(
    arch: scap::schema::Arch,
    wanted: Option<&BTreeSet<String>>,
) -> Option<Vec<String>> {
    use scap::config::{syscalls_for_event_types, TOCTOU};
    let wanted = wanted?;
    let mut set: BTreeSet<&str> = syscalls_for_event_types(arch, wanted.iter().map(String::as_str))
        .into_iter()
        .collect();
    set.extend(
        syscalls_for_event_types(arch, state_event_names())
            .into_iter()
            .filter(|s| *s != TOCTOU),
    );
    Some(set.into_iter().map(str::to_owned).collect())
}

/// Applies the removals an event deferred.
// Called before every event and almost always with nothing to do: the check
// is inlined, the work is not.
#[inline]
pub fn apply_deferred(state: &mut State, deferred: &mut Vec<Deferred>) {
    if !deferred.is_empty() {
        apply_deferred_now(state, deferred);
    }
}

#[inline(never)]
fn apply_deferred_now(state: &mut State, deferred: &mut Vec<Deferred>) {
    for d in deferred.drain(..) {
        match d {
            Deferred::RemoveFd { pid, fd } => {
                if let Some(p) = state.processes.get_mut(&pid) {
                    p.fds.discard(fd);
                }
            }
            Deferred::RemoveThread { tid } => {
                if let Some(t) = state.threads.remove(&tid) {
                    state.stats.threads_removed += 1;
                    let last = match state.processes.get_mut(&t.pid) {
                        Some(p) => {
                            p.nthreads = p.nthreads.saturating_sub(1);
                            p.nthreads == 0
                        }
                        None => false,
                    };
                    if last {
                        state.processes.remove(&t.pid);
                    }
                }
            }
        }
    }
}

fn insert_thread(state: &mut State, mut t: ThreadInfo) -> bool {
    if state.threads.len() >= state.limits.max_threads && !state.threads.contains_key(&t.tid) {
        state.stats.threads_refused += 1;
        return false;
    }
    t.slot = state.processes.slot(t.pid);
    if let Some(p) = state.processes.get_mut(&t.pid) {
        p.nthreads += 1;
    }
    state.threads.insert(t.tid, t);
    state.stats.threads_added += 1;
    true
}

/// The process fields a clone-family or exec event carries.
fn process_from_params(state: &mut State, p: &P<'_>, pid: i64, ts: u64) -> ProcessInfo {
    let cgroups = p.list(at!(p, "cgroups")).unwrap_or_default();
    let container = state.containers.resolve(&cgroups);
    ProcessInfo {
        pid,
        exe: p.str(at!(p, "exe")).unwrap_or_default(),
        args: p.list(at!(p, "args")).unwrap_or_default(),
        cwd: p
            .str(at!(p, "cwd"))
            .map(|c| normalize_dir(&c))
            .unwrap_or_default(),
        uid: p.u32(at!(p, "uid")).unwrap_or(u32::MAX),
        gid: p.u32(at!(p, "gid")).unwrap_or(u32::MAX),
        loginuid: u32::MAX,
        fdlimit: p.u64(at!(p, "fdlimit")).unwrap_or(0),
        vmsize_kb: p.u32(at!(p, "vm_size")).unwrap_or(0),
        vmrss_kb: p.u32(at!(p, "vm_rss")).unwrap_or(0),
        vmswap_kb: p.u32(at!(p, "vm_swap")).unwrap_or(0),
        cgroups,
        container,
        clone_ts: ts,
        ..ProcessInfo::default()
    }
}

fn clone(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    let Some(res) = p.i64(at!(p, "res")) else {
        return;
    };
    let ts = ev.ts();
    let flags = CloneFlags::from_bits_retain(p.u32(at!(p, "flags")).unwrap_or(0));
    let in_pidns = flags.contains(CloneFlags::CLONE_CHILD_IN_PIDNS)
        || flags.contains(CloneFlags::CLONE_NEWPID);
    let comm = p.str(at!(p, "comm")).unwrap_or_default();
    if res > 0 {
        // Caller side: the event is the parent's; res is the new thread.
        let parent_tid = ev.tid() as i64;
        if state.threads.contains_key(&res) {
            return; // the child's own event came first
        }
        let parent_pid = state
            .thread(parent_tid)
            .map(|t| t.pid)
            .or(p.i64(at!(p, "pid")))
            .unwrap_or(parent_tid);
        let is_thread = flags.contains(CloneFlags::CLONE_THREAD);
        let pid = if is_thread { parent_pid } else { res };
        if !is_thread && !state.processes.contains_key(&pid) {
            let mut child = match state.process(parent_pid) {
                Some(parent) => {
                    let mut c = parent.clone();
                    c.nthreads = 0;
                    c
                }
                None => process_from_params(state, &p, pid, ts),
            };
            child.pid = pid;
            child.vpid = 0;
            child.clone_ts = ts;
            // A host child starts with the host; a child in a new pid
            // namespace learns its start from its own event.
            child.pidns_init_start_ts = if in_pidns { 0 } else { state.boot_ts };
            state.processes.insert(pid, child);
        }
        insert_thread(
            state,
            ThreadInfo {
                tid: res,
                pid,
                ptid: parent_tid,
                vtid: 0,
                comm,
                clone_ts: ts,
                ..ThreadInfo::default()
            },
        );
    } else if res == 0 {
        // Child side: the event is the new thread's own.
        let tid = ev.tid() as i64;
        let pid = p.i64(at!(p, "pid")).unwrap_or(tid);
        let ptid = p.i64(at!(p, "ptid")).unwrap_or(0);
        let vtid = p.i64(at!(p, "vtid")).unwrap_or(0);
        let vpid = p.i64(at!(p, "vpid")).unwrap_or(0);
        let in_pidns = in_pidns || (vtid != 0 && vtid != tid);
        let pidns_start = match p.u64(at!(p, "pidns_init_start_ts")) {
            Some(mono) if in_pidns && mono != 0 => state.boot_ts + mono,
            _ => state.boot_ts,
        };
        if !state.processes.contains_key(&pid) {
            // Copy the parent's process (fds included) when it is known.
            let parent_pid = state.thread(ptid).map(|t| t.pid);
            let mut child = match parent_pid.and_then(|pp| state.process(pp)) {
                Some(parent) if pid == tid => {
                    let mut c = parent.clone();
                    c.nthreads = 0;
                    c
                }
                _ => process_from_params(state, &p, pid, ts),
            };
            child.pid = pid;
            child.clone_ts = ts;
            state.processes.insert(pid, child);
        }
        if let Some(proc_) = state.processes.get_mut(&pid) {
            if pid == tid {
                proc_.vpid = vpid;
                proc_.pidns_init_start_ts = pidns_start;
            }
        }
        match state.threads.get_mut(&tid) {
            Some(t) => {
                t.vtid = vtid;
                if t.comm.is_empty() {
                    t.comm = comm;
                }
            }
            None => {
                insert_thread(
                    state,
                    ThreadInfo {
                        tid,
                        pid,
                        ptid,
                        vtid,
                        comm,
                        clone_ts: ts,
                        ..ThreadInfo::default()
                    },
                );
            }
        }
    }
}

fn exec(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    if p.i64(at!(p, "res")) != Some(0) {
        return;
    }
    let tid = ev.tid() as i64;
    let pid = p.i64(at!(p, "pid")).unwrap_or(tid);
    if !state.threads.contains_key(&tid) {
        let ptid = p.i64(at!(p, "ptid")).unwrap_or(0);
        if !state.processes.contains_key(&pid) {
            let proc_ = process_from_params(state, &p, pid, 0);
            state.processes.insert(pid, proc_);
        }
        insert_thread(
            state,
            ThreadInfo {
                tid,
                pid,
                ptid,
                ..ThreadInfo::default()
            },
        );
    }
    let clone_ts = state.thread(tid).map_or(0, |t| t.clone_ts);
    let cgroups = p.list(at!(p, "cgroups"));
    let comm = p.str(at!(p, "comm"));
    if let (Some(t), Some(c)) = (state.threads.get_mut(&tid), comm) {
        t.comm = c;
        t.pfmajor = p.u64(at!(p, "pgft_maj")).unwrap_or(t.pfmajor);
        t.pfminor = p.u64(at!(p, "pgft_min")).unwrap_or(t.pfminor);
    }
    let mut containers = std::mem::take(&mut state.containers);
    if let Some(proc_) = state.processes.get_mut(&pid) {
        if let Some(v) = p.str(at!(p, "exe")) {
            proc_.exe = v;
        }
        // A new program has exactly the arguments and environment it was
        // given, possibly none: an empty list replaces the old one too.
        if let Some(i) = at!(p, "args") {
            proc_.args = p.list(Some(i)).unwrap_or_default();
        }
        if let Some(i) = at!(p, "env") {
            proc_.env = p.list(Some(i)).unwrap_or_default();
        }
        if let Some(v) = p.str(at!(p, "cwd")) {
            proc_.cwd = normalize_dir(&v);
        }
        proc_.exepath = p
            .str(at!(p, "trusted_exepath"))
            .filter(|s| !s.is_empty())
            .or_else(|| p.str(at!(p, "filename")))
            .unwrap_or_else(|| proc_.exe.clone());
        if let Some(v) = p.u64(at!(p, "fdlimit")) {
            proc_.fdlimit = v;
        }
        proc_.vmsize_kb = p.u32(at!(p, "vm_size")).unwrap_or(proc_.vmsize_kb);
        proc_.vmrss_kb = p.u32(at!(p, "vm_rss")).unwrap_or(proc_.vmrss_kb);
        proc_.vmswap_kb = p.u32(at!(p, "vm_swap")).unwrap_or(proc_.vmswap_kb);
        if let Some(c) = cgroups {
            proc_.set_cgroups(c, &mut containers);
        }
        proc_.tty = p.u32(at!(p, "tty")).unwrap_or(proc_.tty);
        proc_.vpgid = p.i64(at!(p, "vpgid")).unwrap_or(proc_.vpgid);
        proc_.pgid = p.i64(at!(p, "pgid")).unwrap_or(proc_.pgid);
        proc_.loginuid = p.u32(at!(p, "loginuid")).unwrap_or(proc_.loginuid);
        proc_.uid = p.u32(at!(p, "uid")).unwrap_or(proc_.uid);
        proc_.gid = p.u32(at!(p, "gid")).unwrap_or(proc_.gid);
        if let (Some(i), Some(pm), Some(e)) = (
            p.u64(at!(p, "cap_inheritable")),
            p.u64(at!(p, "cap_permitted")),
            p.u64(at!(p, "cap_effective")),
        ) {
            proc_.caps = [i, pm, e];
        }
        let f = ExecveFlags::from_bits_retain(p.u32(at!(p, "flags")).unwrap_or(0));
        proc_.exe_writable = f.contains(ExecveFlags::EXE_WRITABLE);
        proc_.exe_upper_layer = f.contains(ExecveFlags::EXE_UPPER_LAYER);
        proc_.exe_lower_layer = f.contains(ExecveFlags::EXE_LOWER_LAYER);
        proc_.exe_from_memfd = f.contains(ExecveFlags::EXE_FROM_MEMFD);
        proc_.exe_ino = p.u64(at!(p, "exe_ino")).unwrap_or(0);
        proc_.exe_ino_ctime = p.u64(at!(p, "exe_ino_ctime")).unwrap_or(0);
        proc_.exe_ino_mtime = p.u64(at!(p, "exe_ino_mtime")).unwrap_or(0);
        // How long before the process started did its executable change?
        // Falco subtracts unsigned and wraps when the file changed after the
        // fork; we report 0 ("changed at or after the start") instead.
        let ctime = proc_.exe_ino_ctime;
        let start = if clone_ts != 0 {
            clone_ts
        } else {
            proc_.clone_ts
        };
        proc_.exe_ino_ctime_duration_proc_start = if start != 0 && ctime != 0 {
            start.saturating_sub(ctime)
        } else {
            0
        };
        let ns = proc_.pidns_init_start_ts;
        proc_.exe_ino_ctime_duration_pidns_start =
            if ns != 0 && ctime > ns { ctime - ns } else { 0 };
        proc_.fds.close_on_exec();
    }
    state.containers = containers;
}

fn procexit(state: &mut State, ev: &Event<'_>, deferred: &mut Vec<Deferred>) {
    let tid = ev.tid() as i64;
    let p = P::new(ev);
    let reaper = p.i64(at!(p, "reaper_tid")).unwrap_or(0);
    if state.threads.contains_key(&tid) {
        // Orphans go to the reaper the kernel chose.
        if reaper > 0 {
            for t in state.threads.values_mut() {
                if t.ptid == tid {
                    t.ptid = reaper;
                }
            }
        }
        deferred.push(Deferred::RemoveThread { tid });
    }
}

fn add_fd(state: &mut State, pid: i64, num: i64, fd: FdInfo) {
    let max = state.limits.max_fds_per_process;
    if let Some(p) = state.processes.get_mut(&pid) {
        if !p.fds.insert(num, fd, max) {
            state.stats.fds_refused += 1;
        }
    }
}

fn pid_of(state: &mut State, ev: &Event<'_>) -> Option<i64> {
    match state.thread(ev.tid() as i64) {
        Some(t) => Some(t.pid),
        None => {
            state.stats.unknown_threads += 1;
            None
        }
    }
}

fn open(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    let Some(num) = p.i64(at!(p, "fd")).filter(|f| *f >= 0) else {
        return;
    };
    let Some(pid) = pid_of(state, ev) else { return };
    let raw = p.text(at!(p, "name")).unwrap_or_default();
    let dirfd = p.i64(at!(p, "dirfd"));
    let flags = p.u32(at!(p, "flags")).unwrap_or(0);
    let ff = FileFlags::from_bits_retain(flags);
    let kind = if ff.contains(FileFlags::O_DIRECTORY) && !ff.contains(FileFlags::O_TMPFILE) {
        FdKind::Directory
    } else {
        FdKind::File
    };
    let creat = ev.event_type() == PPME_SYSCALL_CREAT_X;
    let cf = if creat {
        p.u32(at!(p, "creat_flags")).unwrap_or(0)
    } else {
        0
    };
    let dev = p.u32(at!(p, "dev")).unwrap_or(0);
    let ino = p.u64(at!(p, "ino")).unwrap_or(0);
    let max = state.limits.max_fds_per_process;
    // The absolute name is built in a reused buffer, then copied into a
    // recycled fd: a warm open allocates nothing.
    let mut path = std::mem::take(&mut state.path_buf);
    let Some(proc_) = state.processes.get_mut(&pid) else {
        state.path_buf = path;
        return;
    };
    let dir: Option<String> = match dirfd {
        Some(d) if d != AT_FDCWD && !raw.starts_with('/') => {
            proc_.fds.get(d).map(|f| f.name.clone())
        }
        _ => None,
    };
    join_path_into(&mut path, dir.as_deref().unwrap_or(&proc_.cwd), &raw);
    let added = proc_.fds.insert_with(num, kind, max, |fd| {
        fd.name.push_str(&path);
        // The raw name is kept only when it says something the name does not.
        if raw != path {
            fd.name_raw.push_str(&raw);
        }
        fd.dev = dev;
        fd.ino = ino;
        fd.cloexec = ff.contains(FileFlags::O_CLOEXEC);
        if creat {
            fd.upper_layer = cf & 1 != 0;
            fd.lower_layer = cf & 2 != 0;
            fd.flags = (FileFlags::O_CREAT | FileFlags::O_WRONLY | FileFlags::O_TRUNC).bits();
        } else {
            fd.flags = flags;
            fd.upper_layer = ff.contains(FileFlags::FD_UPPER_LAYER);
            fd.lower_layer = ff.contains(FileFlags::FD_LOWER_LAYER);
        }
        fd.name_changed = true;
    });
    if !added {
        state.stats.fds_refused += 1;
    }
    state.path_buf = path;
}

fn close(state: &mut State, ev: &Event<'_>, deferred: &mut Vec<Deferred>) {
    // The most frequent state event has two parameters: read them where they
    // are rather than tabulating them (see `P`).
    let code = ev.event_type();
    let int = |i: Option<usize>| signed(ev.param_bytes(i?).ok()?);
    if int(at!(code = code, "res")) != Some(0) {
        return;
    }
    let (Some(fd), Some(pid)) = (
        int(at!(code = code, "fd")),
        state.thread(ev.tid() as i64).map(|t| t.pid),
    ) else {
        return;
    };
    deferred.push(Deferred::RemoveFd { pid, fd });
}

fn socket(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    let Some(num) = p.i64(at!(p, "fd")).filter(|f| *f >= 0) else {
        return;
    };
    let Some(pid) = pid_of(state, ev) else { return };
    let kind = match p.u32(at!(p, "domain")).unwrap_or(0) {
        1 => FdKind::Unix,
        2 => FdKind::Ipv4,
        10 => FdKind::Ipv6,
        16 => FdKind::Netlink,
        _ => FdKind::Unknown,
    };
    let mut fd = FdInfo::new(kind, "");
    fd.l4proto = L4Proto::from_socket(
        p.u32(at!(p, "type")).unwrap_or(0),
        p.u32(at!(p, "proto")).unwrap_or(0),
    );
    fd.cloexec = FileFlags::from_bits_retain(p.u32(at!(p, "flags")).unwrap_or(0))
        .contains(FileFlags::O_CLOEXEC);
    add_fd(state, pid, num, fd);
}

fn sockaddr(v: Option<ParamValue<'_>>) -> Option<Result<SocketAddr, String>> {
    match v? {
        ParamValue::SockAddr(SockAddr::Inet(a)) => Some(Ok(a.into())),
        ParamValue::SockAddr(SockAddr::Inet6(a)) => Some(Ok(a.into())),
        ParamValue::SockAddr(SockAddr::Unix(path)) => {
            Some(Err(String::from_utf8_lossy(path).into_owned()))
        }
        _ => None,
    }
}

fn bind(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    if p.i64(at!(p, "res")) != Some(0) {
        return;
    }
    let Some(num) = p.i64(at!(p, "fd")) else {
        return;
    };
    let Some(pid) = pid_of(state, ev) else { return };
    let addr = sockaddr(p.value(at!(p, "addr")));
    if let Some(fd) = state
        .processes
        .get_mut(&pid)
        .and_then(|pr| pr.fds.get_mut(num))
    {
        match addr {
            Some(Ok(a)) => {
                fd.bound = Some(a);
                fd.name = a.to_string();
            }
            Some(Err(path)) => fd.name = path,
            None => {}
        }
        fd.role = Role::Server;
    }
}

/// A connection tuple: IP endpoints, or the ends and path of a UNIX socket.
type Ends = (Option<Tuple>, Option<(u64, u64, String)>);

fn tuple_of(v: Option<ParamValue<'_>>) -> Option<Ends> {
    match v? {
        ParamValue::SockTuple(SockTuple::Inet { src, dst }) => Some((
            Some(Tuple {
                client: src.into(),
                server: dst.into(),
            }),
            None,
        )),
        ParamValue::SockTuple(SockTuple::Inet6 { src, dst }) => Some((
            Some(Tuple {
                client: src.into(),
                server: dst.into(),
            }),
            None,
        )),
        ParamValue::SockTuple(SockTuple::Unix { source, dest, path }) => Some((
            None,
            Some((source, dest, String::from_utf8_lossy(path).into_owned())),
        )),
        _ => None,
    }
}

fn connect(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    let res = p.i64(at!(p, "res")).unwrap_or(-1);
    if res != 0 && res != -EINPROGRESS {
        return;
    }
    let Some(num) = p.i64(at!(p, "fd")) else {
        return;
    };
    let Some(pid) = pid_of(state, ev) else { return };
    let tuple = tuple_of(p.value(at!(p, "tuple")));
    let addr = sockaddr(p.value(at!(p, "addr")));
    if let Some(fd) = state
        .processes
        .get_mut(&pid)
        .and_then(|pr| pr.fds.get_mut(num))
    {
        match tuple {
            Some((Some(t), _)) => fd.set_tuple(t, Role::Client),
            Some((None, Some((src, dst, path)))) => {
                fd.unix_ends = (src, dst);
                fd.name_changed = fd.name != path;
                fd.name = path;
                fd.role = Role::Client;
                fd.connected = true;
            }
            _ => {
                if let Some(Err(path)) = addr {
                    fd.name = path;
                }
            }
        }
    }
}

fn accept(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    let Some(num) = p.i64(at!(p, "fd")).filter(|f| *f >= 0) else {
        return;
    };
    let Some(pid) = pid_of(state, ev) else { return };
    let fd = match tuple_of(p.value(at!(p, "tuple"))) {
        Some((Some(t), _)) => {
            let kind = if t.client.is_ipv4() {
                FdKind::Ipv4
            } else {
                FdKind::Ipv6
            };
            let mut fd = FdInfo::new(kind, "");
            fd.l4proto = L4Proto::Tcp;
            fd.set_tuple(t, Role::Server);
            fd
        }
        Some((None, Some((src, dst, path)))) => {
            let mut fd = FdInfo::new(FdKind::Unix, path);
            fd.unix_ends = (src, dst);
            fd.role = Role::Server;
            fd.connected = true;
            fd
        }
        _ => FdInfo::new(FdKind::Unknown, ""),
    };
    let mut fd = fd;
    fd.cloexec = p.i64(at!(p, "flags")).is_some_and(|f| f & 0o2000000 != 0);
    add_fd(state, pid, num, fd);
}

fn chdir(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    if p.i64(at!(p, "res")) != Some(0) {
        return;
    }
    let Some(pid) = pid_of(state, ev) else { return };
    let Some(proc_) = state.processes.get_mut(&pid) else {
        return;
    };
    if let Some(path) = p.str(at!(p, "path")) {
        proc_.cwd = normalize_dir(&join_path(&proc_.cwd, &path));
    } else if let Some(dir) = p
        .i64(at!(p, "fd"))
        .and_then(|fd| proc_.fds.get(fd))
        .map(|f| f.name.clone())
    {
        proc_.cwd = normalize_dir(&dir);
    }
}

/// setuid/setreuid/setresuid and the gid ones: the tables keep the effective
/// ids. An id of -1 leaves it unchanged.
fn set_ids(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    if p.i64(at!(p, "res")) != Some(0) {
        return;
    }
    let Some(pid) = pid_of(state, ev) else { return };
    let Some(proc_) = state.processes.get_mut(&pid) else {
        return;
    };
    let pick = |a: Option<u32>, b: Option<u32>| a.or(b).filter(|v| *v != u32::MAX);
    match ev.event_type() {
        PPME_SYSCALL_SETUID_X | PPME_SYSCALL_SETREUID_X | PPME_SYSCALL_SETRESUID_X => {
            if let Some(uid) = pick(p.u32(at!(p, "euid")), p.u32(at!(p, "uid"))) {
                proc_.uid = uid;
            }
        }
        _ => {
            if let Some(gid) = pick(p.u32(at!(p, "egid")), p.u32(at!(p, "gid"))) {
                proc_.gid = gid;
            }
        }
    }
}

const PR_SET_NAME: u64 = 15;

fn prctl(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    if p.i64(at!(p, "res")) != Some(0) || p.u64(at!(p, "option")) != Some(PR_SET_NAME) {
        return;
    }
    let Some(name) = p.str(at!(p, "arg2_str")) else {
        return;
    };
    if let Some(t) = state.threads.get_mut(&(ev.tid() as i64)) {
        // The kernel keeps 15 bytes.
        let mut end = name.len().min(15);
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        t.comm = name[..end].to_string();
    }
}

fn dup(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    let (Some(new), Some(old)) = (
        p.i64(at!(p, "res")).filter(|r| *r >= 0),
        p.i64(at!(p, "oldfd")),
    ) else {
        return;
    };
    let Some(pid) = pid_of(state, ev) else { return };
    let Some(proc_) = state.processes.get(&pid) else {
        return;
    };
    let Some(mut fd) = proc_.fds.get(old).cloned() else {
        return;
    };
    // dup and dup2 clear close-on-exec; dup3 sets it from its flags.
    fd.cloexec = FileFlags::from_bits_retain(p.u32(at!(p, "flags")).unwrap_or(0))
        .contains(FileFlags::O_CLOEXEC);
    fd.name_changed = false;
    add_fd(state, pid, new, fd);
}

fn pipe(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    if p.i64(at!(p, "res")) != Some(0) {
        return;
    }
    let Some(pid) = pid_of(state, ev) else { return };
    let ino = p.u64(at!(p, "ino")).unwrap_or(0);
    let cloexec = FileFlags::from_bits_retain(p.u32(at!(p, "flags")).unwrap_or(0))
        .contains(FileFlags::O_CLOEXEC);
    for num in [p.i64(at!(p, "fd1")), p.i64(at!(p, "fd2"))] {
        if let Some(num) = num.filter(|f| *f >= 0) {
            let mut fd = FdInfo::new(FdKind::Pipe, format!("pipe:[{ino}]"));
            fd.ino = ino;
            fd.cloexec = cloexec;
            add_fd(state, pid, num, fd);
        }
    }
}

fn memfd(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    let Some(num) = p.i64(at!(p, "fd")).filter(|f| *f >= 0) else {
        return;
    };
    let Some(pid) = pid_of(state, ev) else { return };
    let mut fd = FdInfo::new(
        FdKind::Memfd,
        format!("memfd:{}", p.str(at!(p, "name")).unwrap_or_default()),
    );
    fd.cloexec = p.u32(at!(p, "flags")).unwrap_or(0) & 1 != 0;
    add_fd(state, pid, num, fd);
}

/// The value named `name` in `table` (schema values are looked up by name,
/// once per call site).
macro_rules! schema_value {
    ($table:expr, $name:literal) => {{
        static V: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
        *V.get_or_init(|| $table.value_of($name).unwrap_or(0))
    }};
}

/// An fd of a special kind (eventfd, timerfd, inotify, epoll, userfaultfd,
/// io_uring), named as /proc shows it. Close-on-exec comes from the
/// event's flags where it has them: O_CLOEXEC (eventfd2, inotify_init1,
/// signalfd4, userfaultfd), EPOLL_CLOEXEC (epoll_create1); io_uring fds are
/// always close-on-exec. timerfd_create's 8-bit flags cannot hold
/// TFD_CLOEXEC: unknown, so not set.
fn anon_fd(state: &mut State, ev: &Event<'_>, kind: FdKind, name: &str) {
    let p = P::new(ev);
    let Some(num) = p.i64(at!(p, "res")).filter(|f| *f >= 0) else {
        return;
    };
    let Some(pid) = pid_of(state, ev) else { return };
    let flags = p.u32(at!(p, "flags")).unwrap_or(0);
    let cloexec = match ev.event_type() {
        PPME_SYSCALL_EVENTFD2_X | PPME_SYSCALL_INOTIFY_INIT1_X | PPME_SYSCALL_USERFAULTFD_X => {
            FileFlags::from_bits_retain(flags).contains(FileFlags::O_CLOEXEC)
        }
        PPME_SYSCALL_EPOLL_CREATE1_X => {
            flags & schema_value!(tables::EPOLL_CREATE1_FLAGS, "EPOLL_CLOEXEC") != 0
        }
        PPME_SYSCALL_IO_URING_SETUP_X => true,
        _ => false,
    };
    let mut fd = FdInfo::new(kind, name);
    fd.cloexec = cloexec;
    add_fd(state, pid, num, fd);
}

/// signalfd with fd -1 makes a new fd; with an existing signalfd it only
/// changes its mask.
fn signalfd(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    if p.i64(at!(p, "fd")).is_some_and(|f| f != -1) {
        return;
    }
    anon_fd_flags(state, ev, FdKind::Signalfd, "anon_inode:[signalfd]");
}

fn anon_fd_flags(state: &mut State, ev: &Event<'_>, kind: FdKind, name: &str) {
    let p = P::new(ev);
    let Some(num) = p.i64(at!(p, "res")).filter(|f| *f >= 0) else {
        return;
    };
    let Some(pid) = pid_of(state, ev) else { return };
    let mut fd = FdInfo::new(kind, name);
    fd.cloexec = FileFlags::from_bits_retain(p.u32(at!(p, "flags")).unwrap_or(0))
        .contains(FileFlags::O_CLOEXEC);
    add_fd(state, pid, num, fd);
}

/// A pidfd remembers its process, for pidfd_getfd. pidfds are always
/// close-on-exec.
fn pidfd_open(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    let Some(num) = p.i64(at!(p, "fd")).filter(|f| *f >= 0) else {
        return;
    };
    let Some(pid) = pid_of(state, ev) else { return };
    let mut fd = FdInfo::new(FdKind::Pidfd, "anon_inode:[pidfd]");
    fd.cloexec = true;
    fd.target_pid = p.i64(at!(p, "pid")).unwrap_or(0);
    add_fd(state, pid, num, fd);
}

/// A copy of another process's fd (the one the pidfd names), close-on-exec.
fn pidfd_getfd(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    let Some(num) = p.i64(at!(p, "fd")).filter(|f| *f >= 0) else {
        return;
    };
    let Some(pid) = pid_of(state, ev) else { return };
    let target = p.i64(at!(p, "target_fd")).unwrap_or(-1);
    let source = state
        .processes
        .get(&pid)
        .and_then(|pr| pr.fds.get(p.i64(at!(p, "pid_fd")).unwrap_or(-1)))
        .map(|f| f.target_pid)
        .filter(|t| *t > 0);
    let mut fd = source
        .and_then(|sp| state.processes.get(&sp))
        .and_then(|pr| pr.fds.get(target))
        .cloned()
        .unwrap_or_else(|| FdInfo::new(FdKind::Unknown, ""));
    fd.cloexec = true;
    fd.name_changed = false;
    add_fd(state, pid, num, fd);
}

/// The bpf commands that return a new fd, and how /proc names it. Every
/// fd bpf returns is close-on-exec.
fn bpf(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    let Some(num) = p.i64(at!(p, "fd")).filter(|f| *f >= 0) else {
        return;
    };
    let Some(cmd) = p.u32(at!(p, "cmd")) else {
        return;
    };
    let t = &tables::BPF_COMMANDS;
    let is = |name: &str| t.value_of(name) == Some(cmd);
    let name = if is("BPF_MAP_CREATE") || is("BPF_MAP_GET_FD_BY_ID") {
        "anon_inode:bpf-map"
    } else if is("BPF_PROG_LOAD") || is("BPF_PROG_GET_FD_BY_ID") {
        "anon_inode:bpf-prog"
    } else if is("BPF_LINK_CREATE") || is("BPF_LINK_GET_FD_BY_ID") || is("BPF_RAW_TRACEPOINT_OPEN")
    {
        "anon_inode:bpf_link"
    } else if is("BPF_BTF_LOAD") || is("BPF_BTF_GET_FD_BY_ID") {
        "anon_inode:btf"
    } else if is("BPF_ITER_CREATE") {
        "anon_inode:bpf_iter"
    } else if is("BPF_OBJ_GET") {
        "anon_inode:bpf"
    } else {
        return; // the result is not an fd
    };
    let Some(pid) = pid_of(state, ev) else { return };
    let mut fd = FdInfo::new(FdKind::Bpf, name);
    fd.cloexec = true;
    add_fd(state, pid, num, fd);
}

/// Two connected sockets: for UNIX ones, each end knows its own kernel
/// address and its peer's.
fn socketpair(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    if p.i64(at!(p, "res")) != Some(0) {
        return;
    }
    let (Some(fd1), Some(fd2)) = (p.i64(at!(p, "fd1")), p.i64(at!(p, "fd2"))) else {
        return;
    };
    let Some(pid) = pid_of(state, ev) else { return };
    let kind = match p.u32(at!(p, "domain")).unwrap_or(0) {
        1 => FdKind::Unix,
        2 => FdKind::Ipv4,
        10 => FdKind::Ipv6,
        16 => FdKind::Netlink,
        _ => FdKind::Unknown,
    };
    let ty = p.u32(at!(p, "type")).unwrap_or(0);
    let l4 = L4Proto::from_socket(ty, p.u32(at!(p, "proto")).unwrap_or(0));
    let source = p.u64(at!(p, "source")).unwrap_or(0);
    let peer = p.u64(at!(p, "peer")).unwrap_or(0);
    for (num, ends) in [(fd1, (source, peer)), (fd2, (peer, source))] {
        let mut fd = FdInfo::new(kind, "");
        fd.l4proto = l4;
        fd.cloexec = ty & 0o2000000 != 0; // SOCK_CLOEXEC
        if kind == FdKind::Unix {
            fd.unix_ends = ends;
        }
        fd.connected = true;
        add_fd(state, pid, num, fd);
    }
}

const F_DUPFD_NAMES: [&str; 2] = ["F_DUPFD", "F_DUPFD_CLOEXEC"];

/// fcntl: F_DUPFD and F_DUPFD_CLOEXEC make a copy; F_SETFD sets
/// close-on-exec; F_SETFL changes O_APPEND and O_NONBLOCK.
fn fcntl(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    let (Some(res), Some(old), Some(cmd)) = (
        p.i64(at!(p, "res")),
        p.i64(at!(p, "fd")),
        p.u32(at!(p, "cmd")),
    ) else {
        return;
    };
    if res < 0 {
        return;
    }
    let t = &tables::FCNTL_COMMANDS;
    let arg = p.u64(at!(p, "arg")).unwrap_or(0);
    let Some(pid) = pid_of(state, ev) else { return };
    let name = t.name_of(cmd).unwrap_or("UNKNOWN");
    if F_DUPFD_NAMES.contains(&name) {
        let Some(mut fd) = state
            .processes
            .get(&pid)
            .and_then(|pr| pr.fds.get(old))
            .cloned()
        else {
            return;
        };
        fd.cloexec = name == "F_DUPFD_CLOEXEC";
        fd.name_changed = false;
        add_fd(state, pid, res, fd);
        return;
    }
    let Some(fd) = state
        .processes
        .get_mut(&pid)
        .and_then(|pr| pr.fds.get_mut(old))
    else {
        return;
    };
    match name {
        "F_SETFD" => fd.cloexec = arg & 1 != 0, // FD_CLOEXEC
        "F_SETFL" => {
            let mut f = FileFlags::from_bits_retain(fd.flags);
            f.set(FileFlags::O_APPEND, arg & 0o2000 != 0);
            f.set(FileFlags::O_NONBLOCK, arg & 0o4000 != 0);
            fd.flags = f.bits();
        }
        _ => {}
    }
}

/// The file a handle named, opened: its path comes from the kernel.
fn open_by_handle(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    let Some(num) = p.i64(at!(p, "fd")).filter(|f| *f >= 0) else {
        return;
    };
    let Some(pid) = pid_of(state, ev) else { return };
    let flags = p.u32(at!(p, "flags")).unwrap_or(0);
    let ff = FileFlags::from_bits_retain(flags);
    let kind = if ff.contains(FileFlags::O_DIRECTORY) && !ff.contains(FileFlags::O_TMPFILE) {
        FdKind::Directory
    } else {
        FdKind::File
    };
    let mut fd = FdInfo::new(kind, p.str(at!(p, "path")).unwrap_or_default());
    fd.flags = flags;
    fd.dev = p.u32(at!(p, "dev")).unwrap_or(0);
    fd.ino = p.u64(at!(p, "ino")).unwrap_or(0);
    fd.cloexec = ff.contains(FileFlags::O_CLOEXEC);
    fd.upper_layer = ff.contains(FileFlags::FD_UPPER_LAYER);
    fd.lower_layer = ff.contains(FileFlags::FD_LOWER_LAYER);
    fd.name_changed = true;
    add_fd(state, pid, num, fd);
}

/// close_range(first, last, flags): closes the fds in the range, or with
/// CLOSE_RANGE_CLOEXEC marks them close-on-exec.
fn close_range(state: &mut State, ev: &Event<'_>, deferred: &mut Vec<Deferred>) {
    let p = P::new(ev);
    if p.i64(at!(p, "res")) != Some(0) {
        return;
    }
    let first = i64::from(p.u32(at!(p, "first")).unwrap_or(0));
    let last = i64::from(p.u32(at!(p, "last")).unwrap_or(0));
    let cloexec = p.u32(at!(p, "flags")).unwrap_or(0)
        & schema_value!(tables::CLOSE_RANGE_FLAGS, "CLOSE_RANGE_CLOEXEC")
        != 0;
    let Some(pid) = pid_of(state, ev) else { return };
    let Some(proc_) = state.processes.get_mut(&pid) else {
        return;
    };
    let nums: Vec<i64> = proc_
        .fds
        .iter()
        .map(|(n, _)| n)
        .filter(|n| (first..=last).contains(n))
        .collect();
    for n in nums {
        if cloexec {
            if let Some(fd) = proc_.fds.get_mut(n) {
                fd.cloexec = true;
            }
        } else {
            deferred.push(Deferred::RemoveFd { pid, fd: n });
        }
    }
}

/// chroot: the new root, resolved against the cwd (relative paths) or the
/// current root (absolute ones).
fn chroot(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    if p.i64(at!(p, "res")) != Some(0) {
        return;
    }
    let Some(path) = p.str(at!(p, "path")) else {
        return;
    };
    let Some(pid) = pid_of(state, ev) else { return };
    let Some(proc_) = state.processes.get_mut(&pid) else {
        return;
    };
    let base = if path.starts_with('/') {
        if proc_.root.is_empty() {
            "/".to_string()
        } else {
            proc_.root.clone()
        }
    } else {
        proc_.cwd.clone()
    };
    let joined = if path.starts_with('/') {
        join_path(&base, path.trim_start_matches('/'))
    } else {
        join_path(&base, &path)
    };
    proc_.root = normalize_dir(&joined);
}

/// capset: the sets in force after the call.
fn capset(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    if p.i64(at!(p, "res")) != Some(0) {
        return;
    }
    let (Some(i), Some(pm), Some(e)) = (
        p.u64(at!(p, "cap_inheritable")),
        p.u64(at!(p, "cap_permitted")),
        p.u64(at!(p, "cap_effective")),
    ) else {
        return;
    };
    let Some(pid) = pid_of(state, ev) else { return };
    if let Some(proc_) = state.processes.get_mut(&pid) {
        proc_.caps = [i, pm, e];
    }
}

/// setns and unshare: which namespaces the process moved to.
fn namespaces(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    if p.i64(at!(p, "res")) != Some(0) {
        return;
    }
    let flags = p
        .u32(at!(p, "nstype"))
        .or_else(|| p.u32(at!(p, "flags")))
        .unwrap_or(0);
    let Some(pid) = pid_of(state, ev) else { return };
    if let Some(proc_) = state.processes.get_mut(&pid) {
        proc_.ns_changed |= flags;
    }
}

/// setsid: the caller leads a new session and a new process group, both
/// named by its pid (res is that pid as its namespace sees it).
fn setsid(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    let Some(res) = p.i64(at!(p, "res")).filter(|r| *r > 0) else {
        return;
    };
    let Some(pid) = pid_of(state, ev) else { return };
    if let Some(proc_) = state.processes.get_mut(&pid) {
        proc_.sid = pid;
        proc_.pgid = pid;
        proc_.vpgid = res;
    }
}

/// Is the process in the host's pid namespace (its pids are host pids)?
fn in_host_pidns(proc_: &ProcessInfo) -> bool {
    proc_.vpid == 0 || proc_.vpid == proc_.pid
}

/// setpgid(pid, pgid): 0 means the caller, and a pgid of 0 the target's own
/// pid. Pids are the caller's namespace's: another process is looked up only
/// when the caller is in the host's.
fn setpgid(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    if p.i64(at!(p, "res")) != Some(0) {
        return;
    }
    let (Some(arg_pid), Some(arg_pgid)) = (p.i64(at!(p, "pid")), p.i64(at!(p, "pgid"))) else {
        return;
    };
    let Some(caller) = pid_of(state, ev) else {
        return;
    };
    let Some(caller_proc) = state.processes.get(&caller) else {
        return;
    };
    let host = in_host_pidns(caller_proc);
    let own = arg_pid == 0 || arg_pid == caller || arg_pid == caller_proc.vpid;
    let target = if own {
        caller
    } else if host {
        arg_pid
    } else {
        return;
    };
    let Some(t) = state.processes.get_mut(&target) else {
        return;
    };
    if arg_pgid == 0 {
        t.pgid = t.pid;
        t.vpgid = if t.vpid != 0 { t.vpid } else { t.pid };
    } else {
        t.vpgid = arg_pgid;
        if host {
            t.pgid = arg_pgid;
        }
    }
}

/// prlimit64 and setrlimit on RLIMIT_NOFILE: the process's fd limit.
fn rlimit(state: &mut State, ev: &Event<'_>) {
    let p = P::new(ev);
    if p.i64(at!(p, "res")) != Some(0) {
        return;
    }
    let nofile = schema_value!(tables::RLIMIT_RESOURCES, "RLIMIT_NOFILE");
    if p.u32(at!(p, "resource")) != Some(nofile) {
        return;
    }
    let Some(cur) = p.i64(at!(p, "newcur")).or_else(|| p.i64(at!(p, "cur"))) else {
        return;
    };
    let Some(caller) = pid_of(state, ev) else {
        return;
    };
    let target = match p.i64(at!(p, "pid")) {
        None | Some(0) => caller,
        Some(t) if t == caller => caller,
        Some(t) => match state.processes.get(&caller) {
            Some(c) if in_host_pidns(c) => t,
            Some(c) if c.vpid == t => caller,
            _ => return,
        },
    };
    if let Some(proc_) = state.processes.get_mut(&target) {
        proc_.fdlimit = cur as u64;
    }
}

#[cfg(test)]
mod tests {
    //! Each parser on synthetic events: an in-memory engine feeds events
    //! built with `EventBuilder` to an inspector started from metadata with
    //! one process (pid 100: cwd /home/u, root /, fd 3 a file, fd 4 a
    //! second process's target), then the tables are checked.

    use scap::event::EventBuilder;
    use scap::file::metadata::{FdEntry, FdInfo as MetaFd, Metadata, ThreadEntry};
    use scap::schema::tables;
    use scap::{Engine, Event, Next};

    use super::*;
    use crate::state::Limits;
    use crate::{Inspector, SinspNext};

    struct VecEngine {
        events: Vec<Vec<u8>>,
        at: usize,
    }

    impl Engine for VecEngine {
        fn next(&mut self) -> scap::Result<Next<'_>> {
            match self.events.get(self.at) {
                Some(b) => {
                    self.at += 1;
                    Ok(Next::Event {
                        cpu: 0,
                        event: Event::parse(b)?,
                    })
                }
                None => Ok(Next::Eof),
            }
        }
        fn stats(&self) -> scap::Result<scap::Stats> {
            Ok(scap::Stats::default())
        }
        fn name(&self) -> &'static str {
            "memory"
        }
    }

    const PID: u64 = 100;
    const OTHER: u64 = 200;

    fn thread(pid: u64, fds: Vec<FdEntry>) -> ThreadEntry {
        ThreadEntry {
            tid: pid,
            pid,
            ptid: 1,
            comm: b"proc".to_vec(),
            exe: b"/bin/proc".to_vec(),
            cwd: b"/home/u".to_vec(),
            root: b"/".to_vec(),
            fdlimit: 1024,
            fds,
            ..ThreadEntry::default()
        }
    }

    fn file(fd: i64, path: &str) -> FdEntry {
        FdEntry {
            fd,
            ino: 7,
            info: MetaFd::File {
                open_flags: FileFlags::O_RDWR.bits(),
                path: path.as_bytes().to_vec(),
                dev: 0,
            },
        }
    }

    /// Runs `events` (built for thread PID) to the end; the tables are then
    /// `.state()` (the last call to `next` applied the deferred removals).
    fn run(events: Vec<EventBuilder>) -> Inspector<VecEngine> {
        let meta = Metadata {
            threads: vec![
                thread(PID, vec![file(3, "/home/u/a.txt")]),
                thread(OTHER, vec![file(9, "/srv/secret")]),
            ],
            ..Metadata::default()
        };
        let engine = VecEngine {
            events: events.iter().map(EventBuilder::build).collect(),
            at: 0,
        };
        let mut insp = Inspector::with_metadata(engine, &meta, Limits::default());
        while let SinspNext::Event(_) = insp.next().expect("next") {}
        insp
    }

    fn ev(code: u16) -> EventBuilder {
        EventBuilder::new(code, 1, PID)
    }

    fn fd(st: &State, num: i64) -> Option<&FdInfo> {
        st.process(PID as i64).and_then(|p| p.fds.get(num))
    }

    fn file_flag(name: &str) -> u32 {
        tables::FILE_FLAGS.value_of(name).unwrap()
    }

    #[test]
    fn anonymous_fds_are_added_with_their_kind_and_cloexec() {
        let cloexec = file_flag("O_CLOEXEC");
        let insp = run(vec![
            ev(PPME_SYSCALL_EVENTFD2_X)
                .u64(5)
                .u16(cloexec as u16)
                .u64(0),
            ev(PPME_SYSCALL_EVENTFD_X).u64(6).u64(1).u32(0),
            ev(PPME_SYSCALL_SIGNALFD4_X)
                .u64(7)
                .u16(0)
                .u64(u64::MAX)
                .u32(0),
            ev(PPME_SYSCALL_TIMERFD_CREATE_X).u64(8).u8(1).u8(0),
            ev(PPME_SYSCALL_INOTIFY_INIT1_X).u64(10).u16(cloexec as u16),
            ev(PPME_SYSCALL_EPOLL_CREATE1_X).u64(11).u32(1),
            ev(PPME_SYSCALL_USERFAULTFD_X).u64(12).u32(0),
            ev(PPME_SYSCALL_IO_URING_SETUP_X)
                .u64(13)
                .u32(4)
                .u32(4)
                .u32(8)
                .u32(0)
                .u32(0)
                .u32(0)
                .u32(0),
            // Failures and a signalfd on an existing fd add nothing.
            ev(PPME_SYSCALL_EVENTFD2_X).u64(-22i64 as u64).u16(0).u64(0),
            ev(PPME_SYSCALL_SIGNALFD_X).u64(7).u64(7).u32(0).u8(0),
        ]);
        let st = insp.state();
        let kinds = [
            (5, FdKind::Event, "anon_inode:[eventfd]", true),
            (6, FdKind::Event, "anon_inode:[eventfd]", false),
            (7, FdKind::Signalfd, "anon_inode:[signalfd]", false),
            (8, FdKind::Timerfd, "anon_inode:[timerfd]", false),
            (10, FdKind::Inotify, "anon_inode:inotify", true),
            (11, FdKind::Eventpoll, "anon_inode:[eventpoll]", true),
            (12, FdKind::Userfaultfd, "anon_inode:[userfaultfd]", false),
            (13, FdKind::IoUring, "anon_inode:[io_uring]", true),
        ];
        for (num, kind, name, cloexec) in kinds {
            let f = fd(st, num).unwrap_or_else(|| panic!("fd {num}"));
            assert_eq!(
                (f.kind, f.name.as_str(), f.cloexec),
                (kind, name, cloexec),
                "fd {num}"
            );
        }
        assert_eq!(st.process(PID as i64).unwrap().fds.len(), 1 + kinds.len());
    }

    #[test]
    fn pidfds_reach_into_the_target_process() {
        let insp = run(vec![
            ev(PPME_SYSCALL_PIDFD_OPEN_X).u64(5).u64(OTHER).u32(0),
            ev(PPME_SYSCALL_PIDFD_GETFD_X).u64(6).u64(5).u64(9).u32(0),
            ev(PPME_SYSCALL_PIDFD_GETFD_X)
                .u64(-9i64 as u64)
                .u64(5)
                .u64(99)
                .u32(0),
        ]);
        let st = insp.state();
        let p = fd(st, 5).unwrap();
        assert_eq!(
            (p.kind, p.target_pid, p.cloexec),
            (FdKind::Pidfd, OTHER as i64, true)
        );
        let got = fd(st, 6).unwrap();
        assert_eq!(
            (got.kind, got.name.as_str(), got.cloexec),
            (FdKind::File, "/srv/secret", true)
        );
    }

    #[test]
    fn bpf_objects_and_non_fd_results() {
        let insp = run(vec![
            ev(PPME_SYSCALL_BPF_2_X).u64(5).u32(0),
            ev(PPME_SYSCALL_BPF_2_X).u64(6).u32(5),
            // BPF_MAP_UPDATE_ELEM returns 0, not an fd.
            ev(PPME_SYSCALL_BPF_2_X).u64(0).u32(2),
        ]);
        let st = insp.state();
        assert_eq!(fd(st, 5).unwrap().name, "anon_inode:bpf-map");
        assert_eq!(fd(st, 6).unwrap().name, "anon_inode:bpf-prog");
        assert!(fd(st, 5).unwrap().cloexec);
        assert!(fd(st, 0).is_none());
    }

    #[test]
    fn socketpairs_know_both_ends() {
        let insp = run(vec![ev(PPME_SOCKET_SOCKETPAIR_X)
            .u64(0)
            .u64(5)
            .u64(6)
            .u64(0xaaaa)
            .u64(0xbbbb)
            .u32(1)
            .u32(2 | 0o2000000)
            .u32(0)]);
        let st = insp.state();
        let (a, b) = (fd(st, 5).unwrap(), fd(st, 6).unwrap());
        assert_eq!(
            (a.kind, a.unix_ends, a.cloexec),
            (FdKind::Unix, (0xaaaa, 0xbbbb), true)
        );
        assert_eq!((b.kind, b.unix_ends), (FdKind::Unix, (0xbbbb, 0xaaaa)));
        assert_eq!(a.l4proto, L4Proto::Udp);
    }

    #[test]
    fn fcntl_duplicates_and_sets_flags() {
        let cmd = |n: &str| u8::try_from(tables::FCNTL_COMMANDS.value_of(n).unwrap()).unwrap();
        let insp = run(vec![
            ev(PPME_SYSCALL_FCNTL_X)
                .u64(50)
                .u64(3)
                .u8(cmd("F_DUPFD"))
                .u64(50),
            ev(PPME_SYSCALL_FCNTL_X)
                .u64(60)
                .u64(3)
                .u8(cmd("F_DUPFD_CLOEXEC"))
                .u64(60),
            ev(PPME_SYSCALL_FCNTL_X)
                .u64(0)
                .u64(3)
                .u8(cmd("F_SETFD"))
                .u64(1),
            ev(PPME_SYSCALL_FCNTL_X)
                .u64(0)
                .u64(3)
                .u8(cmd("F_SETFL"))
                .u64(0o4000),
            ev(PPME_SYSCALL_FCNTL_X)
                .u64(-9i64 as u64)
                .u64(99)
                .u8(cmd("F_DUPFD"))
                .u64(0),
        ]);
        let st = insp.state();
        assert_eq!(fd(st, 50).unwrap().name, "/home/u/a.txt");
        assert!(!fd(st, 50).unwrap().cloexec);
        assert!(fd(st, 60).unwrap().cloexec);
        let f3 = fd(st, 3).unwrap();
        assert!(f3.cloexec);
        assert!(FileFlags::from_bits_retain(f3.flags)
            .contains(FileFlags::O_NONBLOCK | FileFlags::O_RDWR));
    }

    #[test]
    fn open_by_handle_at_adds_the_file_the_kernel_named() {
        let flags = file_flag("O_RDONLY") | file_flag("O_CLOEXEC");
        let insp = run(vec![ev(PPME_SYSCALL_OPEN_BY_HANDLE_AT_X)
            .u64(5)
            .u64(4)
            .u32(flags)
            .str("/data/x")
            .u32(8 << 20 | 1)
            .u64(42)]);
        let st = insp.state();
        let f = fd(st, 5).unwrap();
        assert_eq!(
            (f.kind, f.name.as_str(), f.ino, f.dev, f.cloexec),
            (FdKind::File, "/data/x", 42, 8 << 20 | 1, true)
        );
    }

    #[test]
    fn close_range_closes_or_marks() {
        let cloexec = tables::CLOSE_RANGE_FLAGS
            .value_of("CLOSE_RANGE_CLOEXEC")
            .unwrap();
        let insp = run(vec![
            ev(PPME_SYSCALL_EVENTFD_X).u64(5).u64(0).u32(0),
            ev(PPME_SYSCALL_EVENTFD_X).u64(6).u64(0).u32(0),
            ev(PPME_SYSCALL_EVENTFD_X).u64(9).u64(0).u32(0),
            ev(PPME_SYSCALL_CLOSE_RANGE_X)
                .u64(0)
                .u32(6)
                .u32(9)
                .u32(cloexec),
            ev(PPME_SYSCALL_CLOSE_RANGE_X).u64(0).u32(4).u32(5).u32(0),
            ev(PPME_SYSCALL_CLOSE_RANGE_X)
                .u64(-22i64 as u64)
                .u32(0)
                .u32(100)
                .u32(0),
        ]);
        let st = insp.state();
        assert!(fd(st, 5).is_none());
        assert!(fd(st, 3).is_some());
        assert!(fd(st, 6).unwrap().cloexec && fd(st, 9).unwrap().cloexec);
    }

    #[test]
    fn chroot_capset_namespaces_sessions_limits() {
        let newuts = tables::CLONE_FLAGS.value_of("CLONE_NEWUTS").unwrap();
        let newnet = tables::CLONE_FLAGS.value_of("CLONE_NEWNET").unwrap();
        let nofile =
            u8::try_from(tables::RLIMIT_RESOURCES.value_of("RLIMIT_NOFILE").unwrap()).unwrap();
        let insp = run(vec![
            ev(PPME_SYSCALL_CHROOT_X).u64(0).str("jail"),
            ev(PPME_SYSCALL_CHROOT_X).u64(-2i64 as u64).str("/nope"),
            ev(PPME_SYSCALL_CAPSET_X).u64(0).u64(1).u64(3).u64(2),
            ev(PPME_SYSCALL_UNSHARE_X).u64(0).u32(newuts),
            ev(PPME_SYSCALL_SETNS_X).u64(0).u64(5).u32(newnet),
            ev(PPME_SYSCALL_SETNS_X)
                .u64(-22i64 as u64)
                .u64(5)
                .u32(1 << 5),
            ev(PPME_SYSCALL_SETSID_X).u64(PID),
            ev(PPME_SYSCALL_PRLIMIT_X)
                .u64(0)
                .u64(512)
                .u64(4096)
                .u64(1024)
                .u64(4096)
                .u64(0)
                .u8(nofile),
        ]);
        let st = insp.state();
        let p = st.process(PID as i64).unwrap();
        assert_eq!(p.root, "/home/u/jail");
        assert_eq!(p.caps, [1, 3, 2]);
        assert_eq!(p.ns_changed, newuts | newnet);
        assert_eq!(
            (p.sid, p.pgid, p.vpgid),
            (PID as i64, PID as i64, PID as i64)
        );
        assert_eq!(p.fdlimit, 512);
        // An absolute chroot inside the jail stays inside it.
        let insp = run(vec![
            ev(PPME_SYSCALL_CHROOT_X).u64(0).str("/srv"),
            ev(PPME_SYSCALL_CHROOT_X).u64(0).str("/inner/"),
        ]);
        let st = insp.state();
        assert_eq!(st.process(PID as i64).unwrap().root, "/srv/inner");
    }

    #[test]
    fn setpgid_moves_the_target_into_a_group() {
        let insp = run(vec![
            ev(PPME_SYSCALL_SETPGID_X).u64(0).u64(0).u64(0),
            ev(PPME_SYSCALL_SETPGID_X).u64(0).u64(OTHER).u64(PID),
            ev(PPME_SYSCALL_SETRLIMIT_X).u64(0).u64(64).u64(128).u8(7),
        ]);
        let st = insp.state();
        let p = st.process(PID as i64).unwrap();
        assert_eq!((p.pgid, p.vpgid), (PID as i64, PID as i64));
        assert_eq!(st.process(OTHER as i64).unwrap().pgid, PID as i64);
        assert_eq!(p.fdlimit, 64);
    }
}
