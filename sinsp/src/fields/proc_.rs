//! `proc.*` and `thread.*`: the thread, its process and its ancestors.

use super::{Arg, FieldDef, FieldFlags, Value};
use crate::inspector::SinspEvent;
use crate::state::{ProcessInfo, State};

const N: FieldFlags = FieldFlags::empty();
const ANCESTOR: FieldFlags = FieldFlags::NO_RHS.union(FieldFlags::NO_TRANSFORMER);

/// Capability names by kernel bit number.
const CAPS: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// A capability set as libsinsp prints it: `CAP_CHOWN CAP_KILL ...`.
pub(crate) fn caps_text(set: u64) -> String {
    (0..64)
        .filter(|b| set & (1u64 << b) != 0)
        .map(|b| {
            CAPS.get(b as usize)
                .map_or_else(|| format!("CAP_{b}"), |s| s.to_string())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn comm_of<'a>(state: &'a State, p: &ProcessInfo) -> Option<&'a str> {
    state.thread(p.pid).map(|t| t.comm.as_str())
}

fn cmdline(state: &State, p: &ProcessInfo) -> String {
    let name = comm_of(state, p).unwrap_or("");
    if p.args.is_empty() {
        name.to_string()
    } else {
        format!("{name} {}", p.args.join(" "))
    }
}

fn parent<'a>(e: &SinspEvent<'a>) -> Option<&'a ProcessInfo> {
    e.state.parent_of(e.process?)
}

/// `proc.a*` semantics: `[N]` is the N-th ancestor (0 = self); no index is
/// every ancestor from the parent up, as a list.
fn ancestral<'a>(
    e: &SinspEvent<'a>,
    a: &Arg,
    get: impl Fn(&'a State, &'a ProcessInfo) -> Option<Value<'a>>,
) -> Option<Value<'a>> {
    let p = e.process?;
    match a {
        Arg::Index(n) => {
            let n = usize::try_from(*n).ok()?;
            let target = if n == 0 {
                Some(p)
            } else {
                e.state.ancestors(p).nth(n - 1)
            };
            get(e.state, target?)
        }
        _ => {
            let v: Vec<Value<'a>> = e
                .state
                .ancestors(p)
                .filter_map(|q| get(e.state, q))
                .collect();
            (!v.is_empty()).then_some(Value::List(v))
        }
    }
}

/// The eldest of self and ancestors sharing `key` with the process.
fn eldest_with<'a>(
    e: &SinspEvent<'a>,
    key: impl Fn(&ProcessInfo) -> i64,
) -> Option<&'a ProcessInfo> {
    let p = e.process?;
    let k = key(p);
    let mut last = p;
    for q in e.state.ancestors(p) {
        if key(q) != k {
            break;
        }
        last = q;
    }
    Some(last)
}

/// The process group or session leader: the process whose pid is the id,
/// else the eldest ancestor sharing it.
fn leader<'a>(
    e: &SinspEvent<'a>,
    key: impl Fn(&ProcessInfo) -> i64 + Copy,
) -> Option<&'a ProcessInfo> {
    let id = key(e.process?);
    e.state.process(id).or_else(|| eldest_with(e, key))
}

fn fd_of<'a>(e: &SinspEvent<'a>, n: i64) -> Option<&'a crate::state::FdInfo> {
    e.process?.fds.get(n)
}

fn is_shell(name: &str) -> bool {
    matches!(
        name,
        "sh" | "bash"
            | "dash"
            | "zsh"
            | "ksh"
            | "csh"
            | "tcsh"
            | "fish"
            | "ash"
            | "mksh"
            | "busybox"
    )
}

fn s(v: &str) -> Option<Value<'_>> {
    Some(Value::str(v))
}

fn nonzero(v: u64) -> Option<Value<'static>> {
    (v != 0).then_some(Value::U64(v))
}

pub(super) static FIELDS: &[FieldDef] = &[
    field!("proc.exe", String, "argv[0] as given at exec time.", |e, _| s(&e.process?.exe)),
    field!("proc.pexe", String, "proc.exe of the parent process.", |e, _| s(&parent(e)?.exe)),
    field!("proc.aexe", String, ANCESTOR, OptionalIndex, "proc.exe of the N-th ancestor (`[0]` is the process, `[1]` its parent); without an index, every ancestor.", |e, a| ancestral(e, a, |_, p| s(&p.exe))),
    field!("proc.exepath", String, "Full path of the executable, from the kernel.", |e, _| s(&e.process?.exepath)),
    field!("proc.pexepath", String, "proc.exepath of the parent process.", |e, _| s(&parent(e)?.exepath)),
    field!("proc.aexepath", String, ANCESTOR, OptionalIndex, "proc.exepath of the N-th ancestor; without an index, every ancestor.", |e, a| ancestral(e, a, |_, p| s(&p.exepath))),
    field!("proc.name", String, "The command name (comm, at most 15 characters).", |e, _| s(&e.thread?.comm)),
    field!("proc.pname", String, "proc.name of the parent process.", |e, _| s(comm_of(e.state, parent(e)?)?)),
    field!("proc.aname", String, ANCESTOR, OptionalIndex, "proc.name of the N-th ancestor; without an index, every ancestor.", |e, a| ancestral(e, a, |st, p| s(comm_of(st, p)?))),
    field!("proc.args", String, N, OptionalIndex, "Arguments after argv[0], space-joined; `[i]` selects one (0-based).", |e, a| {
        let p = e.process?;
        match a {
            Arg::Index(i) => s(p.args.get(usize::try_from(*i).ok()?)?),
            _ => Some(Value::string(p.args.join(" "))),
        }
    }),
    field!("proc.aargs", String, ANCESTOR, OptionalIndex, "proc.args of the N-th ancestor; without an index, every ancestor.", |e, a| ancestral(e, a, |_, p| Some(Value::string(p.args.join(" "))))),
    field!("proc.cmdline", String, "proc.name followed by proc.args.", |e, _| Some(Value::string(cmdline(e.state, e.process?)))),
    field!("proc.pcmdline", String, "proc.cmdline of the parent process.", |e, _| Some(Value::string(cmdline(e.state, parent(e)?)))),
    field!("proc.acmdline", String, ANCESTOR, OptionalIndex, "proc.cmdline of the N-th ancestor; without an index, every ancestor.", |e, a| ancestral(e, a, |st, p| Some(Value::string(cmdline(st, p))))),
    field!("proc.cmdnargs", Uint64, "Number of arguments in proc.args.", |e, _| Some(Value::U64(e.process?.args.len() as u64))),
    field!("proc.cmdlenargs", Uint64, "Total length of the arguments (separators not counted).", |e, _| Some(Value::U64(e.process?.args.iter().map(|a| a.len() as u64).sum()))),
    field!("proc.exeline", String, "proc.exe followed by proc.args.", |e, _| {
        let p = e.process?;
        Some(Value::string(if p.args.is_empty() { p.exe.clone() } else { format!("{} {}", p.exe, p.args.join(" ")) }))
    }),
    field!("proc.env", String, N, OptionalKey, "The environment as `K=V K=V ...`; `[NAME]` gives one variable's value.", |e, a| {
        let p = e.process?;
        match a {
            Arg::None => Some(Value::string(p.env.join(" "))),
            a => s(p.env_var(&a.key()?)?),
        }
    }),
    field!("proc.aenv", String, ANCESTOR, OptionalKey, "`[N]`: the environment of the N-th ancestor; `[NAME]`: the variable NAME from the nearest process (self first) that sets it.", |e, a| {
        let p = e.process?;
        match a {
            Arg::Index(_) => ancestral(e, a, |_, q| Some(Value::string(q.env.join(" ")))),
            Arg::Key(name) => std::iter::once(p).chain(e.state.ancestors(p)).find_map(|q| q.env_var(name)).map(Value::str),
            Arg::None => ancestral(e, a, |_, q| Some(Value::string(q.env.join(" ")))),
        }
    }),
    field!("proc.cwd", String, "Working directory.", |e, _| s(&e.process?.cwd)),
    field!("proc.loginshellid", Int64, "PID of the eldest shell among the process and its ancestors.", |e, _| {
        let p = e.process?;
        let mut found = None;
        for q in std::iter::once(p).chain(e.state.ancestors(p)) {
            if comm_of(e.state, q).is_some_and(is_shell) {
                found = Some(q.pid);
            }
        }
        found.map(Value::I64)
    }),
    field!("proc.tty", Uint32, "Controlling terminal (kernel dev_t), 0 when none.", |e, _| Some(Value::U64(u64::from(e.process?.tty)))),
    field!("proc.pid", Int64, "Process id (host namespace).", |e, _| Some(Value::I64(e.process?.pid))),
    field!("proc.ppid", Int64, "Parent process id (host namespace).", |e, _| e.state.ppid_of(e.process?).map(Value::I64)),
    field!("proc.apid", Int64, ANCESTOR, OptionalIndex, "PID of the N-th ancestor; without an index, every ancestor.", |e, a| ancestral(e, a, |_, p| Some(Value::I64(p.pid)))),
    field!("proc.vpid", Int64, "Process id in its own pid namespace.", |e, _| {
        let p = e.process?;
        Some(Value::I64(if p.vpid != 0 { p.vpid } else { p.pid }))
    }),
    field!("proc.pvpid", Int64, "Parent's process id in its own pid namespace.", |e, _| {
        let p = parent(e)?;
        Some(Value::I64(if p.vpid != 0 { p.vpid } else { p.pid }))
    }),
    field!("proc.sid", Int64, "Session id.", |e, _| Some(Value::I64(e.process?.sid))),
    field!("proc.sname", String, "Name of the session leader.", |e, _| s(comm_of(e.state, leader(e, |p| p.sid)?)?)),
    field!("proc.sid.exe", String, "argv[0] of the session leader.", |e, _| s(&leader(e, |p| p.sid)?.exe)),
    field!("proc.sid.exepath", String, "Executable path of the session leader.", |e, _| s(&leader(e, |p| p.sid)?.exepath)),
    field!("proc.vpgid", Int64, "Process group id in the process's pid namespace.", |e, _| Some(Value::I64(e.process?.vpgid))),
    field!("proc.vpgid.name", String, "Name of the process group leader (namespace view).", |e, _| s(comm_of(e.state, eldest_with(e, |p| p.vpgid)?)?)),
    field!("proc.vpgid.exe", String, "argv[0] of the process group leader (namespace view).", |e, _| s(&eldest_with(e, |p| p.vpgid)?.exe)),
    field!("proc.vpgid.exepath", String, "Executable path of the process group leader (namespace view).", |e, _| s(&eldest_with(e, |p| p.vpgid)?.exepath)),
    field!("proc.pgid", Int64, "Process group id in the host namespace.", |e, _| Some(Value::I64(e.process?.pgid))),
    field!("proc.pgid.name", String, "Name of the process group leader (host view).", |e, _| s(comm_of(e.state, leader(e, |p| p.pgid)?)?)),
    field!("proc.pgid.exe", String, "argv[0] of the process group leader (host view).", |e, _| s(&leader(e, |p| p.pgid)?.exe)),
    field!("proc.pgid.exepath", String, "Executable path of the process group leader (host view).", |e, _| s(&leader(e, |p| p.pgid)?.exepath)),
    field!("proc.duration", RelTime, "ns since the process was created (unknown for processes older than the capture).", |e, _| {
        let c = e.process?.clone_ts;
        (c != 0).then(|| Value::RelTime(e.raw.ts().saturating_sub(c)))
    }),
    field!("proc.ppid.duration", RelTime, "ns since the parent process was created.", |e, _| {
        let c = parent(e)?.clone_ts;
        (c != 0).then(|| Value::RelTime(e.raw.ts().saturating_sub(c)))
    }),
    field!("proc.pid.ts", RelTime, "When the process was created, epoch ns (declared reltime, as in libsinsp).", |e, _| nonzero(e.process?.clone_ts)),
    field!("proc.ppid.ts", RelTime, "When the parent process was created, epoch ns.", |e, _| nonzero(parent(e)?.clone_ts)),
    field!("proc.is_exe_writable", Bool, "true if the executable was writable by the process's own credentials when it started.", |e, _| Some(Value::Bool(e.process?.exe_writable))),
    field!("proc.is_exe_upper_layer", Bool, "true if the executable lives in the upper (writable) layer of an overlayfs: created or modified in the container.", |e, _| Some(Value::Bool(e.process?.exe_upper_layer))),
    field!("proc.is_exe_lower_layer", Bool, "true if the executable is on an overlayfs but in a lower (image) layer.", |e, _| Some(Value::Bool(e.process?.exe_lower_layer))),
    field!("proc.is_exe_from_memfd", Bool, "true if the executable is a memfd_create() file run through its fd (fileless execution).", |e, _| Some(Value::Bool(e.process?.exe_from_memfd))),
    field!("proc.is_sid_leader", Bool, "true when the process leads its session (sid == vpid).", |e, _| {
        let p = e.process?;
        Some(Value::Bool(p.sid == if p.vpid != 0 { p.vpid } else { p.pid }))
    }),
    field!("proc.is_vpgid_leader", Bool, "true when the process leads its process group (vpgid == vpid).", |e, _| {
        let p = e.process?;
        Some(Value::Bool(p.vpgid == if p.vpid != 0 { p.vpid } else { p.pid }))
    }),
    field!("proc.is_pgid_leader", Bool, "true when the process leads its process group (pgid == pid).", |e, _| {
        let p = e.process?;
        Some(Value::Bool(p.pgid == p.pid))
    }),
    field!("proc.exe_ino", Int64, "Inode number of the executable.", |e, _| {
        let v = e.process?.exe_ino;
        (v != 0).then_some(Value::I64(v as i64))
    }),
    field!("proc.exe_ino.ctime", AbsTime, "ctime (last status change) of the executable's inode, epoch ns.", |e, _| {
        let v = e.process?.exe_ino_ctime;
        (v != 0).then_some(Value::AbsTime(v))
    }),
    field!("proc.exe_ino.mtime", AbsTime, "mtime (last content change) of the executable's inode, epoch ns.", |e, _| {
        let v = e.process?.exe_ino_mtime;
        (v != 0).then_some(Value::AbsTime(v))
    }),
    field!("proc.exe_ino.ctime_duration_proc_start", AbsTime, "How long before the process started its executable last changed (process clone time − exe ctime), ns; 0 when it changed at or after the start. Declared abstime as in libsinsp.", |e, _| {
        let p = e.process?;
        (p.exe_ino_ctime != 0 && (p.clone_ts != 0 || p.exe_ino_ctime_duration_proc_start != 0)).then_some(Value::AbsTime(p.exe_ino_ctime_duration_proc_start))
    }),
    field!("proc.exe_ino.ctime_duration_pidns_start", AbsTime, "How long after its pid namespace (container) started the executable changed (exe ctime − namespace start), ns; only when it changed after the start.", |e, _| {
        let v = e.process?.exe_ino_ctime_duration_pidns_start;
        (v != 0).then_some(Value::AbsTime(v))
    }),
    field!("proc.pidns_init_start_ts", Uint64, "Start of the pid namespace's init (the container start, or boot for host processes), epoch ns.", |e, _| nonzero(e.process?.pidns_init_start_ts)),
    field!("thread.cap_permitted", String, "Permitted capabilities, as names.", |e, _| Some(Value::string(caps_text(e.process?.caps[1])))),
    field!("thread.cap_inheritable", String, "Inheritable capabilities, as names.", |e, _| Some(Value::string(caps_text(e.process?.caps[0])))),
    field!("thread.cap_effective", String, "Effective capabilities, as names.", |e, _| Some(Value::string(caps_text(e.process?.caps[2])))),
    field!("proc.fdopencount", Uint64, "Number of fds the process has open (as tracked).", |e, _| Some(Value::U64(e.process?.fds.len() as u64))),
    field!("proc.fdlimit", Int64, "RLIMIT_NOFILE soft limit.", |e, _| Some(Value::I64(e.process?.fdlimit as i64))),
    field!("proc.fdusage", Double, "proc.fdopencount / proc.fdlimit.", |e, _| {
        let p = e.process?;
        (p.fdlimit > 0).then(|| Value::Double(p.fds.len() as f64 / p.fdlimit as f64))
    }),
    field!("proc.vmsize", Uint64, "Virtual memory, KiB.", |e, _| Some(Value::U64(u64::from(e.process?.vmsize_kb)))),
    field!("proc.vmrss", Uint64, "Resident memory, KiB.", |e, _| Some(Value::U64(u64::from(e.process?.vmrss_kb)))),
    field!("proc.vmswap", Uint64, "Swapped memory, KiB.", |e, _| Some(Value::U64(u64::from(e.process?.vmswap_kb)))),
    field!("thread.pfmajor", Uint64, "Major page faults of the thread.", |e, _| Some(Value::U64(e.thread?.pfmajor))),
    field!("thread.pfminor", Uint64, "Minor page faults of the thread.", |e, _| Some(Value::U64(e.thread?.pfminor))),
    field!("thread.tid", Int64, "Thread id (host namespace).", |e, _| Some(Value::I64(e.raw.tid() as i64))),
    field!("thread.ismain", Bool, "true for the process's main thread (tid == pid).", |e, _| {
        let t = e.thread?;
        Some(Value::Bool(t.tid == t.pid))
    }),
    field!("thread.vtid", Int64, "Thread id in its pid namespace.", |e, _| {
        let t = e.thread?;
        Some(Value::I64(if t.vtid != 0 { t.vtid } else { t.tid }))
    }),
    field!("thread.cgroups", String, "All cgroups as `subsys=path subsys=path ...`.", |e, _| {
        let p = e.process?;
        Some(Value::string(p.cgroups.join(" ")))
    }),
    field!("thread.cgroup", String, N, Required, "The cgroup path of one subsystem: `thread.cgroup.cpuacct`.", |e, a| s(e.process?.cgroup(&a.key()?)?)),
    field!("proc.nthreads", Uint64, "Live threads of the process.", |e, _| Some(Value::U64(u64::from(e.process?.nthreads)))),
    field!("proc.nchilds", Uint64, "Live threads other than the main one.", |e, _| {
        let p = e.process?;
        let main = u32::from(e.state.thread(p.pid).is_some());
        Some(Value::U64(u64::from(p.nthreads.saturating_sub(main))))
    }),
    field!("thread.vmsize", Uint64, "proc.vmsize on the main thread, 0 on the others.", |e, _| {
        let t = e.thread?;
        Some(Value::U64(if t.tid == t.pid { u64::from(e.process?.vmsize_kb) } else { 0 }))
    }),
    field!("thread.vmrss", Uint64, "proc.vmrss on the main thread, 0 on the others.", |e, _| {
        let t = e.thread?;
        Some(Value::U64(if t.tid == t.pid { u64::from(e.process?.vmrss_kb) } else { 0 }))
    }),
    field!("proc.stdin.type", String, "fd.type of fd 0.", |e, _| s(fd_of(e, 0)?.kind.name())),
    field!("proc.stdout.type", String, "fd.type of fd 1.", |e, _| s(fd_of(e, 1)?.kind.name())),
    field!("proc.stderr.type", String, "fd.type of fd 2.", |e, _| s(fd_of(e, 2)?.kind.name())),
    field!("proc.stdin.name", String, "fd.name of fd 0.", |e, _| s(&fd_of(e, 0)?.name)),
    field!("proc.stdout.name", String, "fd.name of fd 1.", |e, _| s(&fd_of(e, 1)?.name)),
    field!("proc.stderr.name", String, "fd.name of fd 2.", |e, _| s(&fd_of(e, 2)?.name)),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_names() {
        assert_eq!(caps_text(0), "");
        assert_eq!(caps_text(1 | (1 << 21)), "CAP_CHOWN CAP_SYS_ADMIN");
        assert_eq!(caps_text(1 << 39), "CAP_BPF");
    }
}
