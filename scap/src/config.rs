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

/// Syscalls with a dedicated filler in the probe: (native name, program,
/// the exit event it produces). Everything else is reported as the generic
/// event. `execve`/`execveat` fillers report failures only: every successful
/// exec comes from the `sched_process_exec` program.
pub const FILLERS: &[(&str, &str, u16)] = &[
    ("open", "open_x", codes::PPME_SYSCALL_OPEN_X),
    ("openat", "openat_x", codes::PPME_SYSCALL_OPENAT_2_X),
    ("openat2", "openat2_x", codes::PPME_SYSCALL_OPENAT2_X),
    ("creat", "creat_x", codes::PPME_SYSCALL_CREAT_X),
    ("close", "close_x", codes::PPME_SYSCALL_CLOSE_X),
    ("read", "read_x", codes::PPME_SYSCALL_READ_X),
    ("write", "write_x", codes::PPME_SYSCALL_WRITE_X),
    ("socket", "socket_x", codes::PPME_SOCKET_SOCKET_X),
    ("bind", "bind_x", codes::PPME_SOCKET_BIND_X),
    ("connect", "connect_x", codes::PPME_SOCKET_CONNECT_X),
    ("accept", "accept_x", codes::PPME_SOCKET_ACCEPT_5_X),
    ("accept4", "accept4_x", codes::PPME_SOCKET_ACCEPT4_6_X),
    ("clone", "clone_x", codes::PPME_SYSCALL_CLONE_20_X),
    ("clone3", "clone3_x", codes::PPME_SYSCALL_CLONE3_X),
    ("fork", "fork_x", codes::PPME_SYSCALL_FORK_20_X),
    ("vfork", "vfork_x", codes::PPME_SYSCALL_VFORK_20_X),
    ("execve", "execve_x", codes::PPME_SYSCALL_EXECVE_19_X),
    ("execveat", "execveat_x", codes::PPME_SYSCALL_EXECVEAT_X),
    ("chdir", "chdir_x", codes::PPME_SYSCALL_CHDIR_X),
    ("fchdir", "fchdir_x", codes::PPME_SYSCALL_FCHDIR_X),
    ("setuid", "setuid_x", codes::PPME_SYSCALL_SETUID_X),
    ("setgid", "setgid_x", codes::PPME_SYSCALL_SETGID_X),
    ("setreuid", "setreuid_x", codes::PPME_SYSCALL_SETREUID_X),
    ("setregid", "setregid_x", codes::PPME_SYSCALL_SETREGID_X),
    ("setresuid", "setresuid_x", codes::PPME_SYSCALL_SETRESUID_X),
    ("setresgid", "setresgid_x", codes::PPME_SYSCALL_SETRESGID_X),
    ("prctl", "prctl_x", codes::PPME_SYSCALL_PRCTL_X),
    ("dup", "dup_x", codes::PPME_SYSCALL_DUP_1_X),
    ("dup2", "dup2_x", codes::PPME_SYSCALL_DUP2_X),
    ("dup3", "dup3_x", codes::PPME_SYSCALL_DUP3_X),
    ("pipe", "pipe_x", codes::PPME_SYSCALL_PIPE_X),
    ("pipe2", "pipe2_x", codes::PPME_SYSCALL_PIPE2_X),
    (
        "memfd_create",
        "memfd_create_x",
        codes::PPME_SYSCALL_MEMFD_CREATE_X,
    ),
];

// Bits of the probe's g_syscalls entries (probe.h).
const SC_INTERESTING: u32 = 1 << 31;
const SC_DEDICATED: u32 = 1 << 30;

/// What to capture and how.
#[derive(Clone, Debug)]
pub struct Config {
    /// Syscalls to capture by native name (plus [`PROCEXIT`]); `None`
    /// captures every syscall of the architecture and process exits.
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
            if let Some(slot) = plan.table.get_mut(usize::from(nr)) {
                *slot = v;
            }
        };
        match &self.syscalls {
            None => {
                for e in arch.syscalls() {
                    select(e.nr, e.ppm_sc, e.name, &mut plan);
                }
                plan.procexit = true;
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
                    } else if let Some(e) = arch.syscall_by_name(name) {
                        select(e.nr, e.ppm_sc, e.name, &mut plan);
                    } else {
                        unknown.push(name.to_string());
                    }
                }
                if !unknown.is_empty() {
                    return Err(Error::Config(format!(
                        "unknown syscall name(s) for {arch:?}: {} (names are the native ones, e.g. openat, execve; `{PROCEXIT}` selects process exits)",
                        unknown.join(", ")
                    )));
                }
            }
        }
        plan.fillers.sort_unstable();
        plan.fillers.dedup();
        Ok(plan)
    }
}

/// The native syscalls (plus [`PROCEXIT`]) whose events have one of `names`
/// as their event type name (`evt.type`): e.g. `openat` selects the
/// `openat` syscall, `execve` the `execve` syscall, `getppid` (a generic
/// event) the `getppid` syscall. Names the architecture lacks (e.g. `open`
/// on arm64) select nothing. This is how a filter's `evt.type` terms become
/// the probe's syscall set.
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
        assert_eq!(x, ["execve", "getppid", "openat", PROCEXIT]);
        // `open` does not exist on arm64: nothing to select, no error.
        let a = syscalls_for_event_types(Arch::Aarch64, ["open", "openat"]);
        assert_eq!(a, ["openat"]);
        // Every result is accepted by the plan.
        let c = Config {
            syscalls: Some(x.iter().map(|s| s.to_string()).collect()),
            ..Config::default()
        };
        assert!(c.plan(Arch::X86_64).unwrap().procexit);
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
