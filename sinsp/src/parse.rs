//! Parsers: how each state-changing event updates the tables.
//!
//! Every parser reads its event's parameters by schema name, so a parameter
//! the event does not carry (an old capture, a failed read in the probe) is
//! simply skipped. Removals (a closed fd, an exited thread) are deferred to
//! the next event, so the fields of the close or exit event itself still see
//! what it refers to.

use std::net::SocketAddr;

use scap::event::{Event, ParamTable};
use scap::params::{ParamValue, SockAddr, SockTuple};
use scap::schema::codes::*;
use scap::schema::flags::{CloneFlags, ExecveFlags, FileFlags};

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

/// The index of parameter `$name` in the event `$p` was made from, looked up
/// once per call site for every event type: parsers then pay an array read,
/// not a string search, per parameter.
macro_rules! at {
    ($p:expr, $name:literal) => {{
        static INDEX: std::sync::OnceLock<Box<[u8]>> = std::sync::OnceLock::new();
        let t = INDEX.get_or_init(|| {
            scap::schema::events()
                .iter()
                .map(|e| e.param_index($name).map_or(u8::MAX, |i| i as u8))
                .collect()
        });
        match t.get(usize::from($p.code)) {
            Some(&i) if i != u8::MAX => Some(usize::from(i)),
            _ => None,
        }
    }};
}

/// An event's parameters, located once, read by index.
struct P<'a> {
    ev: Event<'a>,
    t: ParamTable<'a>,
    code: u16,
}

impl<'a> P<'a> {
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
        let b = self.bytes(i)?;
        Some(match b.len() {
            8 => i64::from_le_bytes(b.try_into().ok()?),
            4 => i64::from(i32::from_le_bytes(b.try_into().ok()?)),
            2 => i64::from(i16::from_le_bytes(b.try_into().ok()?)),
            1 => i64::from(b[0] as i8),
            _ => return None,
        })
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
        Some(String::from_utf8_lossy(b))
    }
    fn str(&self, i: Option<usize>) -> Option<String> {
        self.text(i).map(|c| c.into_owned())
    }
    fn list(&self, i: Option<usize>) -> Option<StrList> {
        self.bytes(i).map(StrList::from_nul_separated)
    }
}

/// The event types [`parse`] learns from: what a capture must contain for
/// the tables to stay true, whatever else it is filtered down to. A capture
/// tool selects these syscalls alongside the ones its filter asks for.
pub const STATE_EVENTS: &[u16] = &[
    PPME_SYSCALL_CLONE_20_X,
    PPME_SYSCALL_CLONE3_X,
    PPME_SYSCALL_FORK_20_X,
    PPME_SYSCALL_VFORK_20_X,
    PPME_SYSCALL_EXECVE_19_X,
    PPME_SYSCALL_EXECVEAT_X,
    PPME_PROCEXIT_1_E,
    PPME_SYSCALL_OPEN_X,
    PPME_SYSCALL_OPENAT_2_X,
    PPME_SYSCALL_OPENAT2_X,
    PPME_SYSCALL_CREAT_X,
    PPME_SYSCALL_CLOSE_X,
    PPME_SOCKET_SOCKET_X,
    PPME_SOCKET_BIND_X,
    PPME_SOCKET_CONNECT_X,
    PPME_SOCKET_ACCEPT_5_X,
    PPME_SOCKET_ACCEPT4_6_X,
    PPME_SYSCALL_CHDIR_X,
    PPME_SYSCALL_FCHDIR_X,
    PPME_SYSCALL_SETUID_X,
    PPME_SYSCALL_SETREUID_X,
    PPME_SYSCALL_SETRESUID_X,
    PPME_SYSCALL_SETGID_X,
    PPME_SYSCALL_SETREGID_X,
    PPME_SYSCALL_SETRESGID_X,
    PPME_SYSCALL_PRCTL_X,
    PPME_SYSCALL_DUP_1_X,
    PPME_SYSCALL_DUP2_X,
    PPME_SYSCALL_DUP3_X,
    PPME_SYSCALL_PIPE_X,
    PPME_SYSCALL_PIPE2_X,
    PPME_SYSCALL_MEMFD_CREATE_X,
];

/// Whether [`parse`] learns from events of this type.
pub fn is_state_event(event_type: u16) -> bool {
    // Enter events carry nothing the tables need except procexit's.
    STATE_EVENTS.contains(&event_type)
}

/// The names (`evt.type`) of [`STATE_EVENTS`].
pub fn state_event_names() -> impl Iterator<Item = &'static str> {
    STATE_EVENTS
        .iter()
        .filter_map(|&c| scap::schema::event_info(c).map(|i| i.name))
}

/// Applies one event to the tables.
pub fn parse(state: &mut State, ev: &Event<'_>, deferred: &mut Vec<Deferred>) {
    match ev.event_type() {
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
        _ => {}
    }
}

/// Applies the removals an event deferred.
pub fn apply_deferred(state: &mut State, deferred: &mut Vec<Deferred>) {
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
    let p = P::new(ev);
    if p.i64(at!(p, "res")) != Some(0) {
        return;
    }
    let (Some(fd), Some(pid)) = (
        p.i64(at!(p, "fd")),
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
