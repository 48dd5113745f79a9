//! Parsers of the metadata block bodies. Each takes the body (the bytes
//! between the 8-byte block header and the 4-byte trailer, padding included)
//! and the body's absolute offset, and appends what it finds to
//! [`Metadata`]. Entries carry a length prefix in the current block versions:
//! fields beyond what this reader knows are skipped, fields missing at the end
//! of an entry take their default.

use std::collections::HashMap;

use crate::file::cursor::Cursor;
use crate::file::error::FileError;
use crate::file::metadata::*;

/// Size of `scap_machine_info` in the file.
pub(crate) const MACHINE_INFO_LEN: usize = 180;
/// Length of the host-name field of the machine info.
pub(crate) const HOSTNAME_LEN: usize = 128;

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub(crate) fn machine_info(body: &[u8], base: u64, bt: u32) -> Result<MachineInfo, FileError> {
    let mut c = Cursor::new(body, base, bt);
    let num_cpus = c.u32("num_cpus")?;
    let memory_size_bytes = c.u64("memory_size_bytes")?;
    let max_pid = c.u64("max_pid")?;
    let host = c.bytes(HOSTNAME_LEN, "hostname")?;
    let host = host.split(|b| *b == 0).next().unwrap_or(&[]);
    Ok(MachineInfo {
        num_cpus,
        memory_size_bytes,
        max_pid,
        hostname: lossy(host),
        boot_ts_epoch: c.u64("boot_ts_epoch")?,
        flags: c.u64("flags")?,
        reserved3: c.u64("reserved3")?,
        reserved4: c.u64("reserved4")?,
    })
}

/// Entries run while at least 4 bytes remain: what is left is the block's
/// zero padding (at most 3 bytes).
fn more(c: &Cursor<'_>) -> bool {
    c.remaining() >= 4
}

pub(crate) fn process_list(
    body: &[u8],
    base: u64,
    bt: u32,
    version: u8,
    out: &mut Vec<ThreadEntry>,
) -> Result<(), FileError> {
    let mut c = Cursor::new(body, base, bt);
    while more(&c) {
        if version >= 9 {
            let at = c;
            let len = c.u32("entry length")? as usize;
            if len < 4 {
                return Err(at.error("process entry length smaller than its own field"));
            }
            let mut e = c.sub(len - 4, "process entry longer than the block")?;
            out.push(thread_entry(&mut e, version)?);
        } else {
            out.push(thread_entry(&mut c, version)?);
        }
    }
    Ok(())
}

fn thread_entry(c: &mut Cursor<'_>, v: u8) -> Result<ThreadEntry, FileError> {
    let mut t = ThreadEntry {
        tid: c.u64("tid")?,
        pid: c.u64("pid")?,
        ptid: c.u64("ptid")?,
        loginuid: u32::MAX,
        pgid: -1,
        ..ThreadEntry::default()
    };
    if v >= 6 {
        t.sid = c.u64("sid")?;
    }
    if v >= 8 {
        t.vpgid = c.u64("vpgid")?;
    }
    t.comm = c.str16("comm")?.to_vec();
    t.exe = c.str16("exe")?.to_vec();
    if v >= 7 {
        t.exepath = c.str16("exepath")?.to_vec();
    }
    t.args = c.str16("args")?.to_vec();
    t.cwd = c.str16("cwd")?.to_vec();
    t.fdlimit = c.u64("fdlimit")?;
    t.flags = c.u32("flags")?;
    t.uid = c.u32("uid")?;
    t.gid = c.u32("gid")?;
    if v >= 2 {
        t.vmsize_kb = c.u32("vmsize_kb")?;
        t.vmrss_kb = c.u32("vmrss_kb")?;
        t.vmswap_kb = c.u32("vmswap_kb")?;
        t.pfmajor = c.u64("pfmajor")?;
        t.pfminor = c.u64("pfminor")?;
    }
    if v >= 3 {
        t.env = c.str16("env")?.to_vec();
    }
    if v >= 4 {
        t.vtid = c.i64("vtid")?;
        t.vpid = c.i64("vpid")?;
        t.cgroups = c.str16("cgroups")?.to_vec();
    } else {
        t.vtid = t.tid as i64;
        t.vpid = t.pid as i64;
    }
    if v >= 5 {
        t.root = c.str16("root")?.to_vec();
    }
    if v >= 9 {
        optional_thread_fields(c, &mut t);
    }
    Ok(t)
}

/// The fields appended to PL V9 entries over time, each read only if the
/// entry has room for it.
fn optional_thread_fields(c: &mut Cursor<'_>, t: &mut ThreadEntry) {
    // libs 0.10 put pidns_init_start_ts and tty before loginuid, and that is
    // where they stayed. Entries written before 0.10 end after the
    // loginuid/exe_writable/caps group (29 bytes): tell them apart by size.
    const PRE_0_10_TAIL: usize = 4 + 1 + 3 * 8;
    if c.remaining() > PRE_0_10_TAIL {
        t.pidns_init_start_ts = c.opt_u64().unwrap_or(0);
        t.tty = c.opt_u32().unwrap_or(0);
    }
    t.loginuid = c.opt_u32().unwrap_or(u32::MAX);
    t.exe_writable = c.opt_u8().is_some_and(|b| b != 0);
    t.cap_inheritable = c.opt_u64().unwrap_or(0);
    t.cap_permitted = c.opt_u64().unwrap_or(0);
    t.cap_effective = c.opt_u64().unwrap_or(0);
    t.exe_upper_layer = c.opt_u8().is_some_and(|b| b != 0);
    t.exe_ino = c.opt_u64().unwrap_or(0);
    t.exe_ino_ctime = c.opt_u64().unwrap_or(0);
    t.exe_ino_mtime = c.opt_u64().unwrap_or(0);
    t.exe_from_memfd = c.opt_u8().is_some_and(|b| b != 0);
    t.exe_lower_layer = c.opt_u8().is_some_and(|b| b != 0);
    t.pgid = c.opt_u64().map_or(-1, |v| v as i64);
}

/// Parses an FD-list block: the owning tid and its entries.
pub(crate) fn fd_list(
    body: &[u8],
    base: u64,
    bt: u32,
    version: u8,
) -> Result<(u64, Vec<FdEntry>), FileError> {
    let mut c = Cursor::new(body, base, bt);
    let tid = c.u64("tid")?;
    let mut fds = Vec::new();
    while more(&c) {
        if version >= 2 {
            let at = c;
            let len = c.u32("entry length")? as usize;
            if len < 4 {
                return Err(at.error("fd entry length smaller than its own field"));
            }
            let mut e = c.sub(len - 4, "fd entry longer than the block")?;
            fds.push(fd_entry(&mut e, true)?);
        } else {
            fds.push(fd_entry(&mut c, false)?);
        }
    }
    Ok((tid, fds))
}

fn fd_entry(c: &mut Cursor<'_>, sized: bool) -> Result<FdEntry, FileError> {
    let fd = c.i64("fd")?;
    let ino = c.u64("ino")?;
    let at = *c;
    let ty = c.u8("fd type")?;
    let info = match ty {
        fd_type::IPV4_SOCK => FdInfo::Ipv4 {
            src: c.ipv4("ipv4 source")?,
            dst: c.ipv4("ipv4 destination")?,
            sport: c.u16("source port")?,
            dport: c.u16("destination port")?,
            l4proto: c.u8("l4proto")?,
        },
        fd_type::IPV4_SERVSOCK => FdInfo::Ipv4Server {
            ip: c.ipv4("ipv4 address")?,
            port: c.u16("port")?,
            l4proto: c.u8("l4proto")?,
        },
        fd_type::IPV6_SOCK => FdInfo::Ipv6 {
            src: c.ipv6("ipv6 source")?,
            dst: c.ipv6("ipv6 destination")?,
            sport: c.u16("source port")?,
            dport: c.u16("destination port")?,
            l4proto: c.u8("l4proto")?,
        },
        fd_type::IPV6_SERVSOCK => FdInfo::Ipv6Server {
            ip: c.ipv6("ipv6 address")?,
            port: c.u16("port")?,
            l4proto: c.u8("l4proto")?,
        },
        fd_type::UNIX_SOCK => FdInfo::Unix {
            source: c.u64("unix source")?,
            dest: c.u64("unix destination")?,
            path: c.str16("unix path")?.to_vec(),
        },
        fd_type::FILE_V2 => FdInfo::File {
            open_flags: c.u32("open flags")?,
            path: c.str16("file path")?.to_vec(),
            dev: if sized { c.opt_u32().unwrap_or(0) } else { 0 },
        },
        other => match NamedFdKind::from_type_code(other) {
            Some(kind) => FdInfo::Named {
                kind,
                name: c.str16("fd name")?.to_vec(),
            },
            // Without an entry length there is no way to find the next entry.
            None if !sized => return Err(at.error("unknown fd type in an FD list V1")),
            None => FdInfo::Unknown {
                fd_type: other,
                data: c.bytes(c.remaining(), "fd data")?.to_vec(),
            },
        },
    };
    Ok(FdEntry { fd, ino, info })
}

/// Interface entry types.
const IF_V4: u16 = 1;
const IF_V6: u16 = 2;
const IF_V4_NOLINKSPEED: u16 = 3;
const IF_V6_NOLINKSPEED: u16 = 4;

pub(crate) fn interface_list(
    body: &[u8],
    base: u64,
    bt: u32,
    version: u8,
    out: &mut Vec<InterfaceEntry>,
) -> Result<(), FileError> {
    let mut c = Cursor::new(body, base, bt);
    while more(&c) {
        if version >= 2 {
            // Unlike the other lists, this length excludes its own 4 bytes.
            let len = c.u32("entry length")? as usize;
            let mut e = c.sub(len, "interface entry longer than the block")?;
            if let Some(i) = interface_entry(&mut e, true)? {
                out.push(i);
            }
        } else if let Some(i) = interface_entry(&mut c, false)? {
            out.push(i);
        }
    }
    Ok(())
}

fn interface_entry(c: &mut Cursor<'_>, sized: bool) -> Result<Option<InterfaceEntry>, FileError> {
    let at = *c;
    let ty = c.u16("interface type")?;
    let namelen = c.u16("interface name length")?;
    let (addrs, has_speed) = match ty {
        IF_V4 | IF_V4_NOLINKSPEED => (
            InterfaceAddrs::V4 {
                addr: c.ipv4("interface address")?,
                netmask: c.ipv4("interface netmask")?,
                broadcast: c.ipv4("interface broadcast")?,
            },
            ty == IF_V4,
        ),
        IF_V6 | IF_V6_NOLINKSPEED => (
            InterfaceAddrs::V6 {
                addr: c.ipv6("interface address")?,
                netmask: c.ipv6("interface netmask")?,
                broadcast: c.ipv6("interface broadcast")?,
            },
            ty == IF_V6,
        ),
        // A sized entry of an unknown type is skipped by its length.
        _ if sized => return Ok(None),
        _ => return Err(at.error("unknown interface entry type")),
    };
    let link_speed = if has_speed {
        Some(c.u64("link speed")?)
    } else {
        None
    };
    let name = lossy(c.bytes(usize::from(namelen), "interface name")?);
    Ok(Some(InterfaceEntry {
        name,
        addrs,
        link_speed,
    }))
}

const USER: u8 = 0;
const GROUP: u8 = 1;

pub(crate) fn user_list(
    body: &[u8],
    base: u64,
    bt: u32,
    version: u8,
    users: &mut Vec<UserEntry>,
    groups: &mut Vec<GroupEntry>,
) -> Result<(), FileError> {
    let mut c = Cursor::new(body, base, bt);
    while more(&c) {
        if version >= 2 {
            let at = c;
            let len = c.u32("entry length")? as usize;
            if len < 4 {
                return Err(at.error("user entry length smaller than its own field"));
            }
            let mut e = c.sub(len - 4, "user entry longer than the block")?;
            user_entry(&mut e, true, users, groups)?;
        } else {
            user_entry(&mut c, false, users, groups)?;
        }
    }
    Ok(())
}

fn user_entry(
    c: &mut Cursor<'_>,
    sized: bool,
    users: &mut Vec<UserEntry>,
    groups: &mut Vec<GroupEntry>,
) -> Result<(), FileError> {
    let at = *c;
    match c.u8("user entry type")? {
        USER => users.push(UserEntry {
            uid: c.u32("uid")?,
            gid: c.u32("gid")?,
            name: lossy(c.str16("user name")?),
            homedir: lossy(c.str16("home directory")?),
            shell: lossy(c.str16("shell")?),
        }),
        GROUP => groups.push(GroupEntry {
            gid: c.u32("gid")?,
            name: lossy(c.str16("group name")?),
        }),
        _ if sized => {}
        _ => return Err(at.error("unknown user entry type")),
    }
    Ok(())
}

/// Attaches FD lists to their threads. libscap attaches an FD list to the
/// thread with that tid; a list for a tid missing from the process list gets
/// a placeholder thread (tid = pid = the list's tid) so no data is lost.
pub(crate) fn attach_fds(
    threads: &mut Vec<ThreadEntry>,
    index: &mut ThreadIndex,
    tid: u64,
    fds: Vec<FdEntry>,
) {
    if index.stale {
        index.map.clear();
        for (i, t) in threads.iter().enumerate() {
            index.map.entry(t.tid).or_insert(i);
        }
        index.stale = false;
    }
    match index.map.get(&tid).and_then(|i| threads.get_mut(*i)) {
        Some(t) => t.fds.extend(fds),
        None => {
            index.map.insert(tid, threads.len());
            threads.push(ThreadEntry {
                tid,
                pid: tid,
                vtid: tid as i64,
                vpid: tid as i64,
                loginuid: u32::MAX,
                pgid: -1,
                fds,
                ..ThreadEntry::default()
            });
        }
    }
}

/// tid → position in the thread list, rebuilt lazily after a process list.
#[derive(Default)]
pub(crate) struct ThreadIndex {
    pub(crate) map: HashMap<u64, usize>,
    pub(crate) stale: bool,
}
