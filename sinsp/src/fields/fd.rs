//! `fd.*`: the file descriptor an event uses.

use std::net::IpAddr;

use super::{Arg, FieldDef, FieldFlags, Value};
use crate::inspector::SinspEvent;
use crate::state::{FdInfo, FdKind, Role};

const FILTER: FieldFlags = FieldFlags::FILTER_ONLY
    .union(FieldFlags::NO_RHS)
    .union(FieldFlags::NO_TRANSFORMER);

fn fd<'a>(e: &SinspEvent<'a>) -> Option<&'a FdInfo> {
    e.fd
}

fn is_file(f: &FdInfo) -> bool {
    matches!(f.kind, FdKind::File | FdKind::Directory | FdKind::Memfd)
}

fn directory(f: &FdInfo) -> Option<&str> {
    if !is_file(f) {
        return None;
    }
    if f.kind == FdKind::Directory {
        return Some(&f.name);
    }
    match f.name.rfind('/') {
        Some(0) => Some("/"),
        Some(i) => Some(&f.name[..i]),
        None => None,
    }
}

fn filename(f: &FdInfo) -> Option<&str> {
    if !is_file(f) || f.kind == FdKind::Directory {
        return None;
    }
    Some(f.name.rsplit('/').next().unwrap_or(&f.name))
}

/// (ip, port) of the local and remote ends: the end whose address belongs to
/// this machine is local; on loopback the role decides (a server's local end
/// is the server side).
fn local_remote(e: &SinspEvent<'_>, f: &FdInfo) -> Option<((IpAddr, u16), (IpAddr, u16))> {
    let t = f.tuple?;
    let c = (t.client.ip(), t.client.port());
    let s = (t.server.ip(), t.server.port());
    let client_local = e.state.is_local_ip(c.0);
    let server_local = e.state.is_local_ip(s.0);
    let server_is_local = match (client_local, server_local) {
        (true, false) => false,
        (false, true) => true,
        _ => f.role == Role::Server,
    };
    Some(if server_is_local { (s, c) } else { (c, s) })
}

fn ip(v: IpAddr) -> Option<Value<'static>> {
    Some(Value::Ip(v))
}

pub(super) static FIELDS: &[FieldDef] = &[
    field!("fd.num", Int64, "The fd number the event uses.", |e, _| e.fd_num.map(Value::I64)),
    field!("fd.type", String, "fd kind: file, directory, ipv4, ipv6, unix, pipe, event, signalfd, eventpoll, inotify, timerfd, netlink, bpf, userfaultfd, io_uring, memfd, pidfd.", |e, _| Some(Value::str(fd(e)?.kind.name()))),
    field!("fd.typechar", String, "fd kind as one letter: f file, 4 IPv4, 6 IPv6, u unix, p pipe, e eventfd, s signalfd, l eventpoll, i inotify, b bpf, r io_uring, m memfd, o other.", |e, _| Some(Value::str(fd(e)?.kind.letter()))),
    field!("fd.name", String, "Full name: the absolute path of a file, `cip:cport->sip:sport` of a connection, the path of a unix socket.", |e, _| {
        let f = fd(e)?;
        (!f.name.is_empty()).then(|| Value::str(&f.name))
    }),
    field!("fd.directory", String, "For files, the directory holding them.", |e, _| directory(fd(e)?).map(Value::str)),
    field!("fd.filename", String, "For files, the last path component.", |e, _| filename(fd(e)?).map(Value::str)),
    field!("fd.ip", IpAddr, FILTER, None, "Matches the client or the server IP (filters only).", |e, _| {
        let f = fd(e)?;
        let v: Vec<Value<'_>> = [f.client_ip(), f.server_ip()].into_iter().flatten().map(Value::Ip).collect();
        (!v.is_empty()).then_some(Value::List(v))
    }),
    field!("fd.cip", IpAddr, "Client IP.", |e, _| ip(fd(e)?.client_ip()?)),
    field!("fd.sip", IpAddr, "Server IP.", |e, _| ip(fd(e)?.server_ip()?)),
    field!("fd.lip", IpAddr, "Local IP (this machine's end).", |e, _| {
        let f = fd(e)?;
        ip(local_remote(e, f)?.0 .0)
    }),
    field!("fd.rip", IpAddr, "Remote IP (the peer's end).", |e, _| {
        let f = fd(e)?;
        ip(local_remote(e, f)?.1 .0)
    }),
    field!("fd.port", Port, FILTER, None, "Matches the client or the server port (filters only).", |e, _| {
        let f = fd(e)?;
        let v: Vec<Value<'_>> = [f.client_port(), f.server_port()].into_iter().flatten().map(Value::Port).collect();
        (!v.is_empty()).then_some(Value::List(v))
    }),
    field!("fd.cport", Port, "Client port.", |e, _| fd(e)?.client_port().map(Value::Port)),
    field!("fd.sport", Port, "Server port.", |e, _| fd(e)?.server_port().map(Value::Port)),
    field!("fd.lport", Port, "Local port.", |e, _| {
        let f = fd(e)?;
        Some(Value::Port(local_remote(e, f)?.0 .1))
    }),
    field!("fd.rport", Port, "Remote port.", |e, _| {
        let f = fd(e)?;
        Some(Value::Port(local_remote(e, f)?.1 .1))
    }),
    field!("fd.l4proto", String, "Layer-4 protocol of a socket: tcp, udp, icmp, raw.", |e, _| {
        let f = fd(e)?;
        f.kind.is_socket().then(|| Value::str(f.l4proto.name()))
    }),
    field!("fd.sockfamily", String, "`ip` or `unix` for sockets.", |e, _| match fd(e)?.kind {
        FdKind::Ipv4 | FdKind::Ipv6 => Some(Value::str("ip")),
        FdKind::Unix => Some(Value::str("unix")),
        _ => None,
    }),
    field!("fd.is_server", Bool, "true for a listening or accepted socket, or when the server end is this machine.", |e, _| {
        let f = fd(e)?;
        if !f.kind.is_socket() {
            return None;
        }
        Some(Value::Bool(f.role == Role::Server || f.tuple.is_some_and(|t| e.state.local_ips.contains(&t.server.ip()))))
    }),
    field!("fd.uid", String, "Unique fd key: the fd number chained with the thread id.", |e, _| Some(Value::string(format!("{}{}", e.fd_num?, e.raw.tid())))),
    field!("fd.containername", String, "Container id chained with fd.name.", |e, _| {
        let c = e.process?.container.as_ref().map_or("host", |c| c.id());
        Some(Value::string(format!("{c}:{}", fd(e)?.name)))
    }),
    field!("fd.containerdirectory", String, "Container id chained with fd.directory.", |e, _| {
        let c = e.process?.container.as_ref().map_or("host", |c| c.id());
        Some(Value::string(format!("{c}:{}", directory(fd(e)?)?)))
    }),
    field!("fd.net", IpNet, FILTER, None, "Client or server IP is inside the network (filters only).", |e, _| {
        let f = fd(e)?;
        let v: Vec<Value<'_>> = [f.client_ip(), f.server_ip()].into_iter().flatten().map(Value::Ip).collect();
        (!v.is_empty()).then_some(Value::List(v))
    }),
    field!("fd.cnet", IpNet, FILTER, None, "Client IP is inside the network (filters only).", |e, _| ip(fd(e)?.client_ip()?)),
    field!("fd.snet", IpNet, FILTER, None, "Server IP is inside the network (filters only).", |e, _| ip(fd(e)?.server_ip()?)),
    field!("fd.lnet", IpNet, FILTER, None, "Local IP is inside the network (filters only).", |e, _| {
        let f = fd(e)?;
        ip(local_remote(e, f)?.0 .0)
    }),
    field!("fd.rnet", IpNet, FILTER, None, "Remote IP is inside the network (filters only).", |e, _| {
        let f = fd(e)?;
        ip(local_remote(e, f)?.1 .0)
    }),
    field!("fd.connected", Bool, "For sockets, true once connected.", |e, _| {
        let f = fd(e)?;
        f.kind.is_socket().then_some(Value::Bool(f.connected))
    }),
    field!("fd.name_changed", Bool, "true when this event changed the fd's name.", |e, _| Some(Value::Bool(fd(e)?.name_changed))),
    field!("fd.dev", Int32, "Device of the file (major/minor, kernel encoding).", |e, _| {
        let f = fd(e)?;
        is_file(f).then_some(Value::I64(i64::from(f.dev)))
    }),
    field!("fd.dev.major", Int32, "Major number of fd.dev.", |e, _| {
        let f = fd(e)?;
        is_file(f).then_some(Value::I64(i64::from(f.dev >> 20)))
    }),
    field!("fd.dev.minor", Int32, "Minor number of fd.dev.", |e, _| {
        let f = fd(e)?;
        is_file(f).then_some(Value::I64(i64::from(f.dev & 0xfffff)))
    }),
    field!("fd.ino", Int64, "Inode number of the file.", |e, _| {
        let f = fd(e)?;
        (f.ino != 0).then_some(Value::I64(f.ino as i64))
    }),
    field!("fd.nameraw", String, "The path exactly as the syscall received it.", |e, _| {
        let f = fd(e)?;
        if !f.name_raw.is_empty() {
            Some(Value::str(&f.name_raw))
        } else {
            // Not stored when it equals the name (an absolute, canonical path).
            (is_file(f) && !f.name.is_empty()).then(|| Value::str(&f.name))
        }
    }),
    field!("fd.types", String, FieldFlags::IS_LIST.union(FieldFlags::NO_RHS), OptionalIndex, "List: the distinct fd types the process has open; `[N]` the type of fd N.", |e, a| {
        let p = e.process?;
        match a {
            Arg::Index(n) => Some(Value::List(vec![Value::str(p.fds.get(*n)?.kind.name())])),
            _ => {
                let mut kinds: Vec<&'static str> = p.fds.iter().map(|(_, f)| f.kind.name()).collect();
                kinds.sort_unstable();
                kinds.dedup();
                Some(Value::List(kinds.into_iter().map(Value::str).collect()))
            }
        }
    }),
    field!("fd.is_upper_layer", Bool, "true if the file is in an overlayfs upper layer.", |e, _| Some(Value::Bool(fd(e)?.upper_layer))),
    field!("fd.is_lower_layer", Bool, "true if the file is in an overlayfs lower layer.", |e, _| Some(Value::Bool(fd(e)?.lower_layer))),
];
