//! `evt.*` and `syscall.type`: the event itself.

use std::borrow::Cow;
use std::fmt::Write as _;

use scap::params::ParamValue;
use scap::schema::{flags::FileFlags, Category, EventFlags, ParamType, Source};

use super::{Arg, FieldDef, FieldFlags, Value};
use crate::inspector::SinspEvent;
use crate::state::FdKind;

const N: FieldFlags = FieldFlags::empty();

/// Broken-down time of `ts` (epoch ns), local or UTC.
fn broken_down(ts: u64, local: bool) -> (libc::tm, u64) {
    let secs = (ts / 1_000_000_000) as libc::time_t;
    // SAFETY: tm is plain old data; localtime_r/gmtime_r fill it from a valid
    // time_t and are thread-safe.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: as above; both pointers are valid for the call.
    unsafe {
        if local {
            libc::localtime_r(&secs, &mut tm);
        } else {
            libc::gmtime_r(&secs, &mut tm);
        }
    }
    (tm, ts % 1_000_000_000)
}

/// The time formats of the evt.time/evt.datetime family.
pub(crate) fn format_time(ts: u64, date: bool, nanos: bool, iso: bool) -> String {
    let (tm, ns) = broken_down(ts, !iso);
    let mut s = String::with_capacity(40);
    if date || iso {
        let _ = write!(
            s,
            "{:04}-{:02}-{:02}",
            tm.tm_year + 1900,
            tm.tm_mon + 1,
            tm.tm_mday
        );
        s.push(if iso { 'T' } else { ' ' });
    }
    let _ = write!(s, "{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
    if nanos {
        let _ = write!(s, ".{ns:09}");
    }
    if iso {
        s.push_str("+0000");
    }
    s
}

/// `ts` (epoch ns) in UTC as RFC 3339 with nanoseconds, the form of Falco's
/// alert `time`: `2024-01-01T10:00:00.123456789Z`.
pub fn rfc3339_utc(ts: u64) -> String {
    let mut s = format_time(ts, true, true, true);
    s.truncate(s.len() - "+0000".len());
    s.push('Z');
    s
}

/// The syscall name of an event: for the generic event, the syscall it stands for.
pub(crate) fn type_name<'a>(e: &SinspEvent<'a>) -> &'static str {
    if e.raw.event_type() == scap::schema::codes::PPME_GENERIC_X {
        if let Ok(b) = e.raw.param_bytes(0) {
            if b.len() == 2 {
                return scap::schema::ppm_sc_name(u16::from_le_bytes([b[0], b[1]]))
                    .unwrap_or("syscall");
            }
        }
    }
    e.raw.name()
}

/// The return value: the first parameter when it is `res` or a result fd/pid.
pub(crate) fn res(e: &SinspEvent<'_>) -> Option<i64> {
    let info = e.raw.info()?;
    if e.raw.is_enter() {
        return None;
    }
    let first = info.params.first()?;
    let is_ret = first.name == "res" || (first.name == "fd" && matches!(first.ty, ParamType::Fd));
    if !is_ret {
        return None;
    }
    e.raw.param(0).ok()?.value().ok()?.as_i64()
}

fn errno_name(err: i64) -> Option<&'static str> {
    Some(match err {
        1 => "EPERM",
        2 => "ENOENT",
        3 => "ESRCH",
        4 => "EINTR",
        5 => "EIO",
        6 => "ENXIO",
        7 => "E2BIG",
        8 => "ENOEXEC",
        9 => "EBADF",
        10 => "ECHILD",
        11 => "EAGAIN",
        12 => "ENOMEM",
        13 => "EACCES",
        14 => "EFAULT",
        16 => "EBUSY",
        17 => "EEXIST",
        18 => "EXDEV",
        19 => "ENODEV",
        20 => "ENOTDIR",
        21 => "EISDIR",
        22 => "EINVAL",
        23 => "ENFILE",
        24 => "EMFILE",
        25 => "ENOTTY",
        26 => "ETXTBSY",
        27 => "EFBIG",
        28 => "ENOSPC",
        29 => "ESPIPE",
        30 => "EROFS",
        31 => "EMLINK",
        32 => "EPIPE",
        36 => "ENAMETOOLONG",
        38 => "ENOSYS",
        39 => "ENOTEMPTY",
        40 => "ELOOP",
        88 => "ENOTSOCK",
        95 => "EOPNOTSUPP",
        97 => "EAFNOSUPPORT",
        98 => "EADDRINUSE",
        99 => "EADDRNOTAVAIL",
        101 => "ENETUNREACH",
        104 => "ECONNRESET",
        110 => "ETIMEDOUT",
        111 => "ECONNREFUSED",
        113 => "EHOSTUNREACH",
        114 => "EALREADY",
        115 => "EINPROGRESS",
        _ => return None,
    })
}

/// A parameter rendered as libsinsp renders `evt.arg`: fds with their kind
/// and name, errors with their symbol.
pub(crate) fn render_param(e: &SinspEvent<'_>, ty: ParamType, v: &ParamValue<'_>) -> String {
    match (ty, v) {
        (ParamType::Fd, ParamValue::Fd(fd)) if *fd >= 0 => {
            match e.process.and_then(|p| p.fds.get(*fd)) {
                Some(f) => format!("{fd}(<{}>{})", f.kind.letter(), f.name),
                None => fd.to_string(),
            }
        }
        (
            ParamType::Errno | ParamType::Fd | ParamType::Pid,
            ParamValue::Errno(n) | ParamValue::Fd(n) | ParamValue::Pid(n),
        ) if *n < 0 => match errno_name(-n) {
            Some(name) => format!("{n}({name})"),
            None => n.to_string(),
        },
        _ => v.to_string(),
    }
}

fn arg_value<'a>(e: &SinspEvent<'a>, a: &Arg) -> Option<(usize, ParamType, ParamValue<'a>)> {
    let info = e.raw.info()?;
    let index = match a {
        Arg::Index(i) => usize::try_from(*i).ok()?,
        Arg::Key(name) => {
            if name == "res_or_fd" {
                0
            } else {
                info.params.iter().position(|p| p.name == name)?
            }
        }
        Arg::None => return None,
    };
    let p = e.raw.param(index).ok()?;
    let ty = p.info.map_or(ParamType::Bytebuf, |i| i.ty);
    Some((index, ty, p.value().ok()?))
}

fn args_text(e: &SinspEvent<'_>) -> String {
    let mut s = String::new();
    for p in e.raw.params() {
        let Ok(v) = p.value() else { continue };
        if !s.is_empty() {
            s.push(' ');
        }
        let ty = p.info.map_or(ParamType::Bytebuf, |i| i.ty);
        let _ = write!(s, "{}={}", p.name(), render_param(e, ty, &v));
    }
    s
}

fn data<'a>(e: &SinspEvent<'a>) -> Option<&'a [u8]> {
    e.raw.param_by_name("data").ok().map(|p| p.bytes)
}

fn flags(e: &SinspEvent<'_>) -> EventFlags {
    e.raw.info().map_or(EventFlags::empty(), |i| i.flags)
}

fn category(e: &SinspEvent<'_>) -> &'static str {
    let Some(info) = e.raw.info() else {
        return "unknown";
    };
    match info.category {
        Category::Unknown => "unknown",
        Category::Other => "other",
        Category::File => "file",
        Category::Net => "net",
        Category::Ipc => "IPC",
        Category::Memory => "memory",
        Category::Process => "process",
        Category::Sleep => "sleep",
        Category::System => "system",
        Category::Signal => "signal",
        Category::User => "user",
        Category::Time => "time",
        Category::Processing => "processing",
        Category::IoRead | Category::IoWrite | Category::IoOther => match e.fd.map(|f| f.kind) {
            Some(FdKind::File | FdKind::Directory) => "file",
            Some(FdKind::Ipv4 | FdKind::Ipv6) => "net",
            Some(FdKind::Unix | FdKind::Pipe) => "ipc",
            _ => "file",
        },
        Category::Wait => "wait",
        Category::Scheduler => "scheduler",
        Category::Internal => "internal",
    }
}

fn open_flags(e: &SinspEvent<'_>) -> Option<FileFlags> {
    use scap::schema::codes::*;
    match e.raw.event_type() {
        PPME_SYSCALL_OPEN_X
        | PPME_SYSCALL_OPENAT_2_X
        | PPME_SYSCALL_OPENAT2_X
        | PPME_SYSCALL_OPEN_BY_HANDLE_AT_X => {
            let v = e.raw.param_by_name("flags").ok()?.value().ok()?.as_u64()?;
            Some(FileFlags::from_bits_retain(v as u32))
        }
        PPME_SYSCALL_CREAT_X => Some(FileFlags::O_CREAT | FileFlags::O_WRONLY | FileFlags::O_TRUNC),
        _ => None,
    }
}

fn failed_in(e: &SinspEvent<'_>, cats: &[Category]) -> Option<Value<'static>> {
    let failed = res(e).is_some_and(|r| r < 0);
    let c = e.raw.info().map(|i| i.category);
    Some(Value::U64(u64::from(
        failed && c.is_some_and(|c| cats.contains(&c)),
    )))
}

fn b(v: bool) -> Option<Value<'static>> {
    Some(Value::Bool(v))
}

pub(super) static FIELDS: &[FieldDef] = &[
    field!("evt.num", Uint64, "Sequence number of the event, from 1.", |e, _| Some(Value::U64(e.num))),
    field!("evt.time", String, "Event time, local `HH:MM:SS.nnnnnnnnn`.", |e, _| Some(Value::string(format_time(e.raw.ts(), false, true, false)))),
    field!("evt.time.s", String, "Event time, local `HH:MM:SS`.", |e, _| Some(Value::string(format_time(e.raw.ts(), false, false, false)))),
    field!("evt.time.iso8601", String, "Event time in UTC, ISO 8601 with nanoseconds: `2024-01-01T10:00:00.123456789+0000`.", |e, _| Some(Value::string(format_time(e.raw.ts(), true, true, true)))),
    field!("evt.datetime", String, "Event date and time, local `YYYY-MM-DD HH:MM:SS.nnnnnnnnn`.", |e, _| Some(Value::string(format_time(e.raw.ts(), true, true, false)))),
    field!("evt.datetime.s", String, "Event date and time, local, without nanoseconds.", |e, _| Some(Value::string(format_time(e.raw.ts(), true, false, false)))),
    field!("evt.rawtime", AbsTime, "Event time, ns since the epoch.", |e, _| Some(Value::AbsTime(e.raw.ts()))),
    field!("evt.rawtime.s", AbsTime, "Whole seconds of evt.rawtime.", |e, _| Some(Value::AbsTime(e.raw.ts() / 1_000_000_000))),
    field!("evt.rawtime.ns", AbsTime, "Nanosecond remainder of evt.rawtime.", |e, _| Some(Value::AbsTime(e.raw.ts() % 1_000_000_000))),
    field!("evt.reltime", RelTime, "ns since the first event.", |e, _| Some(Value::RelTime(e.raw.ts().saturating_sub(e.first_ts)))),
    field!("evt.reltime.s", RelTime, "Whole seconds of evt.reltime.", |e, _| Some(Value::RelTime(e.raw.ts().saturating_sub(e.first_ts) / 1_000_000_000))),
    field!("evt.reltime.ns", RelTime, "Nanosecond remainder of evt.reltime.", |e, _| Some(Value::RelTime(e.raw.ts().saturating_sub(e.first_ts) % 1_000_000_000))),
    field!("evt.deltatime", RelTime, "ns since the previous event.", |e, _| Some(Value::RelTime(if e.prev_ts == 0 { 0 } else { e.raw.ts().saturating_sub(e.prev_ts) }))),
    field!("evt.deltatime.s", RelTime, "Whole seconds of evt.deltatime.", |e, _| Some(Value::RelTime(if e.prev_ts == 0 { 0 } else { e.raw.ts().saturating_sub(e.prev_ts) / 1_000_000_000 }))),
    field!("evt.deltatime.ns", RelTime, "Nanosecond remainder of evt.deltatime.", |e, _| Some(Value::RelTime(if e.prev_ts == 0 { 0 } else { e.raw.ts().saturating_sub(e.prev_ts) % 1_000_000_000 }))),
    field!("evt.source", String, "The event source: `syscall`.", |_, _| Some(Value::str("syscall"))),
    field!("evt.is_async", Bool, "true for events injected outside the driver stream (none here).", |_, _| b(false)),
    field!("evt.hostname", String, "Host name.", |e, _| (!e.state.hostname.is_empty()).then(|| Value::str(&e.state.hostname))),
    field!("evt.dir", String, FieldFlags::DEPRECATED, None, "`>` for enter events, `<` for exit events. Deprecated.", |e, _| Some(Value::str(if e.raw.is_enter() { ">" } else { "<" }))),
    field!("evt.type", String, "Event name (`openat`, `execve`, ...); for the generic event, the real syscall name.", |e, _| Some(Value::str(type_name(e)))),
    field!("evt.type.is", Uint32, N, Required, "1 when the event's type is the argument (a name or an event code), else 0: `evt.type.is.open`.", |e, a| {
        let hit = match a {
            Arg::Index(code) => i64::from(e.raw.event_type()) == *code,
            Arg::Key(name) => type_name(e) == name,
            Arg::None => false,
        };
        Some(Value::U64(u64::from(hit)))
    }),
    field!("syscall.type", String, "The syscall name, for syscall events only.", |e, _| {
        (e.raw.info().is_some_and(|i| i.source == Source::Syscall)).then(|| Value::str(type_name(e)))
    }),
    field!("evt.category", String, "Event category: file, net, IPC, memory, process, ...; I/O events take the category of their fd (file, net, ipc).", |e, _| Some(Value::str(category(e)))),
    field!("evt.cpu", Int16, "CPU (ring) the event was read from.", |e, _| Some(Value::I64(i64::from(e.cpu)))),
    field!("evt.args", String, "All parameters as `name=value` text.", |e, _| Some(Value::string(args_text(e)))),
    field!("evt.arg", String, N, Required, "One parameter as text, by name (`evt.arg.fd`) or 0-based index (`evt.arg[1]`); fds are shown with their kind and name, errors with their symbol.", |e, a| {
        let (_, ty, v) = arg_value(e, a)?;
        Some(Value::string(render_param(e, ty, &v)))
    }),
    field!("evt.rawarg", Dyn, FieldFlags::NO_RHS.union(FieldFlags::NO_TRANSFORMER), Required, "One parameter in its native type, so that numeric comparisons work: `evt.rawarg.res < 0`.", |e, a| {
        let (_, _, v) = arg_value(e, a)?;
        Some(match v {
            ParamValue::Str(s) | ParamValue::Bytes(s) => Value::Str(String::from_utf8_lossy(s)),
            ParamValue::Uid(Some(u)) | ParamValue::Gid(Some(u)) => Value::U64(u64::from(u)),
            ParamValue::Absent | ParamValue::Uid(None) | ParamValue::Gid(None) => return None,
            v => match (v.as_i64(), v.as_u64()) {
                (Some(i), _) if i < 0 => Value::I64(i),
                (_, Some(u)) => Value::U64(u),
                (Some(i), None) => Value::I64(i),
                _ => Value::string(v.to_string()),
            },
        })
    }),
    field!("evt.info", String, "The same text as evt.args.", |e, _| Some(Value::string(args_text(e)))),
    field!("evt.buffer", Bytebuf, "The I/O data of read/write-style events.", |e, _| data(e).map(|d| Value::Bytes(Cow::Borrowed(d)))),
    field!("evt.buflen", Uint64, "Bytes transferred by an I/O event.", |e, _| {
        data(e)?;
        res(e).filter(|r| *r >= 0).map(|r| Value::U64(r as u64))
    }),
    field!("evt.res", String, "The return value: `SUCCESS`, or the error's symbol (`ENOENT`).", |e, _| {
        let r = res(e)?;
        Some(if r >= 0 {
            Value::str("SUCCESS")
        } else {
            match errno_name(-r) {
                Some(n) => Value::str(n),
                None => Value::string(r.to_string()),
            }
        })
    }),
    field!("evt.rawres", Int64, "The return value as a number (negative errno on failure).", |e, _| res(e).map(Value::I64)),
    field!("evt.failed", Bool, "true when the return value reports an error.", |e, _| res(e).map(|r| Value::Bool(r < 0))),
    field!("evt.is_io", Bool, "true for events that read from or write to an fd.", |e, _| b(flags(e).intersects(EventFlags::READS_FROM_FD | EventFlags::WRITES_TO_FD))),
    field!("evt.is_io_read", Bool, "true for events that read from an fd.", |e, _| b(flags(e).contains(EventFlags::READS_FROM_FD))),
    field!("evt.is_io_write", Bool, "true for events that write to an fd.", |e, _| b(flags(e).contains(EventFlags::WRITES_TO_FD))),
    field!("evt.io_dir", String, "`r` for reads, `w` for writes.", |e, _| {
        let f = flags(e);
        if f.contains(EventFlags::READS_FROM_FD) {
            Some(Value::str("r"))
        } else if f.contains(EventFlags::WRITES_TO_FD) {
            Some(Value::str("w"))
        } else {
            None
        }
    }),
    field!("evt.is_wait", Bool, "true for events that block the thread.", |e, _| b(flags(e).contains(EventFlags::WAITS))),
    field!("evt.is_syslog", Bool, "true for writes to /dev/log.", |e, _| b(flags(e).contains(EventFlags::WRITES_TO_FD) && e.fd.is_some_and(|f| f.name == "/dev/log"))),
    field!("evt.count", Uint32, "Always 1 (for sums).", |_, _| Some(Value::U64(1))),
    field!("evt.count.error", Uint32, "1 if the event failed, else 0.", |e, _| Some(Value::U64(u64::from(res(e).is_some_and(|r| r < 0))))),
    field!("evt.count.error.file", Uint32, "1 if a file event failed.", |e, _| failed_in(e, &[Category::File])),
    field!("evt.count.error.net", Uint32, "1 if a network event failed.", |e, _| failed_in(e, &[Category::Net])),
    field!("evt.count.error.memory", Uint32, "1 if a memory event failed.", |e, _| failed_in(e, &[Category::Memory])),
    field!("evt.count.error.other", Uint32, "1 if an event outside the file, net and memory categories failed.", |e, _| {
        let failed = res(e).is_some_and(|r| r < 0);
        let c = e.raw.info().map(|i| i.category);
        Some(Value::U64(u64::from(failed && !c.is_some_and(|c| matches!(c, Category::File | Category::Net | Category::Memory)))))
    }),
    field!("evt.count.exit", Uint32, "1 for exit events.", |e, _| Some(Value::U64(u64::from(!e.raw.is_enter())))),
    field!("evt.abspath", String, N, OptionalDotted, "The absolute path of a dirfd-relative path argument (`.src`/`.dst` for two-path syscalls).", |e, a| {
        let (dir_param, name_param) = match a.key().as_deref() {
            Some("dst") => ("newdirfd", "newpath"),
            Some("src") => ("olddirfd", "oldpath"),
            _ => ("dirfd", "name"),
        };
        let name = e.raw.param_by_name(name_param).or_else(|_| e.raw.param_by_name("path")).ok()?.value().ok()?;
        let name = String::from_utf8_lossy(name.as_bytes()?).into_owned();
        let dirfd = e.raw.param_by_name(dir_param).ok().and_then(|p| p.value().ok()?.as_i64());
        let proc_ = e.process?;
        let abs = if name.starts_with('/') {
            crate::state::normalize_path(&name)
        } else {
            match dirfd {
                Some(d) if d != -100 => crate::state::join_path(&proc_.fds.get(d)?.name, &name),
                _ => crate::state::join_path(&proc_.cwd, &name),
            }
        };
        Some(Value::string(abs))
    }),
    field!("evt.is_open_read", Bool, "true for open-family calls that ask for read access.", |e, _| {
        open_flags(e).map(|f| Value::Bool(f.contains(FileFlags::O_RDONLY) || f.contains(FileFlags::O_RDWR)))
    }),
    field!("evt.is_open_write", Bool, "true for open-family calls that ask for write access.", |e, _| {
        open_flags(e).map(|f| Value::Bool(f.contains(FileFlags::O_WRONLY) || f.contains(FileFlags::O_RDWR)))
    }),
    field!("evt.is_open_exec", Bool, "true for open-family calls that create a file with an execute bit.", |e, _| {
        let f = open_flags(e)?;
        let mode = e.raw.param_by_name("mode").ok()?.value().ok()?.as_u64()?;
        Some(Value::Bool(f.intersects(FileFlags::O_CREAT | FileFlags::O_TMPFILE) && mode & 0o111 != 0))
    }),
    field!("evt.is_open_create", Bool, "true for open-family calls that really created the file (the kernel's FMODE_CREATED).", |e, _| {
        open_flags(e)?;
        let v = e.raw.param_by_name("flags").ok()?.value().ok()?.as_u64()? as u32;
        Some(Value::Bool(FileFlags::from_bits_retain(v).contains(FileFlags::O_F_CREATED)))
    }),
];
