//! `docs/syscalls.md` is generated from the probe's tables
//! (`scap::config::{FILLERS, ENTER_PROGRAMS, WITNESSED}`) and the schema:
//! this test regenerates it and fails when the checked-in file differs.
//! Regenerate with `SCAP_BLESS=1 cargo test -p scap --test syscalls_doc`.

use std::fmt::Write as _;

use scap::config::{ENTER_PROGRAMS, FILLERS, PROCEXIT, SIGNALDELIVER, TOCTOU, WITNESSED};
use scap::schema::{codes, event_info, Arch, EventInfo};

/// What differs from a plain reading of the schema, per syscall: values the
/// probe cannot obtain (pushed empty, never invented), and encodings worth
/// knowing.
const NOTES: &[(&str, &str)] = &[
    ("read", "`data`: the first `res` bytes, cut at the snaplen; empty when the call failed. The same holds for every `data` parameter below."),
    ("readv", "`size` is the sum of the iovec lengths (the first 32 iovecs)."),
    ("open_by_handle_at", "`path` is resolved in the kernel from the new fd (the handle names no path)."),
    ("close_range", "`first` and `last` are the caller's; `last` is often `~0U`."),
    ("fcntl", "`arg` is the raw third argument, also for commands that take none."),
    ("ioctl", "`request` is the kernel's 32-bit command; `argument` the raw third argument."),
    ("lseek", "`whence` keeps its number for SEEK_DATA and SEEK_HOLE, which the schema does not name."),
    ("sendfile", "`offset` is `*offset` after the call (as Falco reports it); empty when the caller passed NULL (the file position was used)."),
    ("copy_file_range", "`offin`/`offout` are the offsets the copy started at (`*off` after the call minus `res`); empty when NULL."),
    ("mknod", "`dev` is converted from user space's encoding (glibc `makedev`) to the kernel's `major << 20 | minor`, the encoding of every other `dev` parameter."),
    ("mknodat", "As mknod."),
    ("mount", "Flag bits the schema does not name (e.g. MS_NOSYMFOLLOW) are dropped; `dev` and `type` are empty when NULL; the pre-2.4 magic number in the high bits is removed."),
    ("getcwd", "`path` is read from the caller's buffer when the call succeeded; empty otherwise."),
    ("pipe", "`fd1`, `fd2`, `ino` are empty when the call failed (no fds were made)."),
    ("pipe2", "As pipe. `flags` are open flags: 0 reads as O_RDONLY, as in Falco."),
    ("eventfd", "`flags` is 0: eventfd has no flags argument."),
    ("eventfd2", "EFD_SEMAPHORE has no name in the schema's file flags and is dropped."),
    ("inotify_init", "`flags` is 0: inotify_init has no flags argument."),
    ("signalfd", "`mask` is the low 32 bits of the caller's signal set (the schema's width); `flags` is 0 (no flags argument)."),
    ("signalfd4", "`mask` as signalfd."),
    ("timerfd_create", "The schema gives `flags` 8 bits: TFD_CLOEXEC (0x80000) and TFD_NONBLOCK (0x800) do not fit, and only the low byte is kept, as in Falco's probe."),
    ("io_uring_setup", "`sq_entries`, `cq_entries` and `features` are what the kernel wrote back; features beyond the eleven the schema names are dropped."),
    ("socketpair", "`type` is the whole argument (SOCK_CLOEXEC, SOCK_NONBLOCK included: the event has no flags parameter); `fd1`, `fd2`, `source`, `peer` are empty when the call failed; `peer` is 0 for non-UNIX sockets."),
    ("sendto", "`tuple`: the kernel's ends for a connected socket; otherwise the local end and the destination address the caller gave."),
    ("recvfrom", "`tuple`: as sendto, with the sender's address the kernel filled in; empty when the call failed."),
    ("recvmsg", "`msgcontrol`: the control data the kernel returned (cut at the snaplen); `tuple` and `msgcontrol` empty when the call failed."),
    ("sendmmsg", "One event per message moved (16 at most), as Falco's probe: `res` is the message's `msg_len`. A call that moved nothing gives one event with the call's `res` and the fd, the rest empty."),
    ("recvmmsg", "As sendmmsg."),
    ("getsockopt", "`val` is dynamic: SO_ERROR as an errno (negated), SO_RCVTIMEO/SO_SNDTIMEO as a duration, SO_COOKIE as u64, 4-byte options as u32, anything else as raw bytes (255 at most); `val` is empty when the call failed, `optlen` is `*optlen` after the call. Option names of levels other than SOL_SOCKET keep their number."),
    ("setsockopt", "`val` as getsockopt, read from the caller's buffer."),
    ("shutdown", "An unknown `how` is 0xff: the schema's SHUT_UNKNOWN (0xffff) does not fit its 8 bits."),
    ("getsockname", "The schema keeps no parameters for this event."),
    ("getpeername", "The schema keeps no parameters for this event."),
    ("ptrace", "`addr` and `data` are dynamic: `data` is the word read for the PEEK requests (empty when the call failed), the signal for CONT, SYSCALL, SINGLESTEP and DETACH, the raw argument otherwise. The x86-only requests are named only on x86_64."),
    ("capset", "The capability sets in force after the call, from the task's credentials (what a successful capset installed; the old sets after a refusal), not the request."),
    ("prlimit64", "`newcur`/`newmax` are empty when no new limit was given; `oldcur`/`oldmax` when no old one was asked for or the call failed. RLIM_INFINITY reads as -1."),
    ("setrlimit", "As prlimit64."),
    ("setsid", "`res` is the new session id in the caller's pid namespace."),
    ("delete_module", "`flags` are converted from O_NONBLOCK/O_TRUNC to the schema's values."),
    ("init_module", "`img` holds the image's first bytes, cut at the snaplen."),
    ("mmap", "`vm_size`, `vm_rss`, `vm_swap` (KiB) are the process's after the call."),
    ("brk", "`res` is the program break after the call (the old one when it could not move)."),
    ("nanosleep", "`interval` is empty when the request could not be read."),
    ("ppoll", "`fds` carry the returned events; `timeout` is the time left (the kernel writes it back into the caller's timespec before the exit event reads it), empty for NULL (wait forever); `sigmask` is the low 32 bits, empty for NULL."),
    ("poll", "`fds` carry the returned events (the first 16 entries)."),
    ("futex", "`op` is the whole operation, FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME included."),
    ("epoll_wait", "`maxevents` is typed errno in the schema; it holds the argument."),
    ("setns", "`nstype` is converted to the schema's clone flags."),
    ("unshare", "`flags` are converted to the schema's clone flags; bits the schema does not name are dropped."),
    ("execve", "Successful execs come from the `sched_process_exec` tracepoint (execve and execveat alike, as Falco); this filler reports failures."),
    ("execveat", "As execve: failures only here."),
    ("clone", "Two events: the caller's (`res` the child's pid) and the child's (`res` 0). The child's comes from its own sys_exit on x86_64 and from `sched_process_fork` on arm64, where the syscall's arguments are not known: its `flags` then carry only CLONE_CHILD_IN_PIDNS (the caller's event has the flags)."),
    ("clone3", "As clone; `flags` are read from the caller's `struct clone_args`."),
    ("vfork", "`flags` are CLONE_VM and CLONE_VFORK, what vfork means; fork's are 0."),
];

fn params(e: &EventInfo) -> String {
    if e.params.is_empty() {
        return "(none)".into();
    }
    e.params
        .iter()
        .map(|p| {
            let ty =
                p.ty.schema_name()
                    .trim_start_matches("PT_")
                    .to_ascii_lowercase();
            match p.table {
                Some(t) => format!("{}: {ty} ({})", p.name, t.name),
                None => format!("{}: {ty}", p.name),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn nr(arch: Arch, name: &str) -> String {
    arch.syscall_by_name(name)
        .map_or("—".into(), |e| e.nr.to_string())
}

fn generate() -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "# Syscall coverage\n");
    let _ = writeln!(
        w,
        "<!-- Generated by scap/tests/syscalls_doc.rs from scap::config::{{FILLERS, ENTER_PROGRAMS, WITNESSED}} and the schema. Do not edit: `SCAP_BLESS=1 cargo test -p scap --test syscalls_doc`. -->\n"
    );
    let generic = Arch::X86_64
        .syscalls()
        .iter()
        .filter(|e| !FILLERS.iter().any(|f| f.0 == e.name))
        .count();
    let dedicated = FILLERS.len();
    let witnessed = WITNESSED.len();
    let _ = writeln!(
        w,
        "The probe emits a dedicated exit event, with every parameter of the schema (4.5.1) in schema order, for **{dedicated} syscalls**. Every other syscall ({} on x86_64) is reported as the generic event (`PPME_GENERIC_X`: its PPM_SC code and native number). Flags and enumerations are converted to the schema's values, fds are i64, paths are the caller's strings, socket addresses and tuples use the schema's encodings. A parameter the probe cannot obtain is pushed empty (length 0), never made up: the notes below say where and why.\n",
        generic
    );
    let _ = writeln!(
        w,
        "**Witnessed**: the strace witness (`scap/tests/witness.rs`) runs `examples/src/bin/syscall-workload.rs` under strace and under the probe at the same time and compares every call of these syscalls, in the workload and the children it makes, parameter by parameter (return value, fds, paths, flags, modes, addresses, ports, sizes, data, argv and environments, signals). **{witnessed} of the {dedicated}** are witnessed; CI requires zero mismatches. The clone family's child-side events, the enter events and signal deliveries are compared too. Parameters strace cannot show (inodes, devices, kernel addresses, memory totals, backlog figures) are listed by the witness as not compared.\n"
    );
    let _ = writeln!(w, "## Exit events\n");
    let _ = writeln!(
        w,
        "| syscall | x86_64 | arm64 | event | parameters | witnessed |\n|---|---|---|---|---|---|"
    );
    for (name, prog, code) in FILLERS {
        let e = event_info(*code).expect("filler events are in the schema");
        let _ = writeln!(
            w,
            "| {name} | {} | {} | `{}` ({prog}) | {} | {} |",
            nr(Arch::X86_64, name),
            nr(Arch::Aarch64, name),
            e.ident,
            params(e),
            if WITNESSED.contains(name) {
                "yes"
            } else {
                "no"
            }
        );
    }
    let _ = writeln!(w, "\n## Enter events (TOCTOU)\n");
    let _ = writeln!(
        w,
        "The schema keeps these enter events so that the path or address the caller passed on entry can be compared with the exit event's (a buffer rewritten while the syscall runs). Each comes from a `tracepoint/syscalls/sys_enter_<name>` program, attached only when its syscall is selected, and with the pseudo-name `{TOCTOU}` (part of the default, everything, configuration; an explicit list names it to get them: they double those syscalls' events and cost ≈ 250 ns per call). Attaching needs tracefs (`/sys/kernel/tracing`).\n"
    );
    let _ = writeln!(
        w,
        "| syscall | event | parameters | witnessed |\n|---|---|---|---|"
    );
    for (name, prog, code) in ENTER_PROGRAMS {
        let e = event_info(*code).expect("enter events are in the schema");
        let _ = writeln!(
            w,
            "| {name} | `{}` ({prog}) | {} | {} |",
            e.ident,
            params(e),
            if WITNESSED.contains(name) {
                "yes"
            } else {
                "no"
            }
        );
    }
    let _ = writeln!(w, "\n## Tracepoint events\n");
    let _ = writeln!(
        w,
        "| selected by | program | event | parameters |\n|---|---|---|---|"
    );
    for (sel, prog, code) in [
        (
            SIGNALDELIVER,
            "tp_btf/signal_deliver",
            codes::PPME_SIGNALDELIVER_E,
        ),
        (
            PROCEXIT,
            "tp_btf/sched_process_exit",
            codes::PPME_PROCEXIT_1_E,
        ),
        (
            "execve, execveat",
            "tp_btf/sched_process_exec",
            codes::PPME_SYSCALL_EXECVE_19_X,
        ),
        (
            "clone family (arm64)",
            "tp_btf/sched_process_fork",
            codes::PPME_SYSCALL_CLONE_20_X,
        ),
    ] {
        let e = event_info(code).expect("in the schema");
        let _ = writeln!(w, "| {sel} | {prog} | `{}` | {} |", e.ident, params(e));
    }
    let _ = writeln!(
        w,
        "\n`signaldeliver`: `spid` is the sender for signals a process sent (kill, tkill, tgkill, sigqueue) and the child for SIGCHLD, 0 for signals the kernel raised; pids as the receiver's pid namespace sees them. Witnessed against strace's `--- SIG... {{si_pid=...}} ---` lines. Both pseudo-names are selected by the default (everything) configuration.\n"
    );
    let _ = writeln!(w, "## Notes and deviations\n");
    for (name, note) in NOTES {
        let _ = writeln!(w, "- **{name}**: {note}");
    }
    s
}

#[test]
fn syscalls_doc() {
    // Every note names a syscall with a filler.
    for (name, _) in NOTES {
        assert!(
            FILLERS.iter().any(|f| f.0 == *name),
            "note for {name}, which has no filler"
        );
    }
    let generated = generate();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/syscalls.md");
    if std::env::var("SCAP_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(path, &generated).unwrap();
    }
    let current = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        current == generated,
        "docs/syscalls.md is stale: regenerate it with `SCAP_BLESS=1 cargo test -p scap --test syscalls_doc`"
    );
}
