//! `single_ipv6_conn.scap`, a capture written by Falco's libs (sysdig, 2018):
//! every number asserted here was read with our reader and cross-checked by
//! walking the decompressed file with an independent throwaway script.
//!
//! The capture: `sysdig -zw` with the filter `proc.name=nc and evt.type in
//! (socket, bind, accept, listen, connect, read, write)`. An `nc` server
//! (tid 25886) listens on [2001:db8::3]:1234 and an `nc` client (tid 25888)
//! connects from [2001:db8::4] (both addresses live on `lo`). Events are
//! pre-0.22 enter/exit pairs, so the converter has work to do.

#[path = "file_helpers.rs"]
mod helpers;

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV6};

use scap::file::metadata::l4;
use scap::file::*;
use scap::params::{SockAddr, SockTuple};
use scap::schema::codes;
use scap::ParamValue;

const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/single_ipv6_conn.scap"
);

fn open() -> Reader<std::fs::File> {
    Reader::new(std::fs::File::open(PATH).unwrap()).unwrap()
}

struct Seen {
    cpu: u16,
    ts: u64,
    tid: u64,
    code: u16,
    nparams: u32,
}

fn all_events(r: &mut Reader<std::fs::File>) -> Vec<Seen> {
    let mut out = Vec::new();
    while let Some(e) = r.next_event().unwrap() {
        let ev = e.event;
        for p in ev.params() {
            if let Err(err) = p.value() {
                panic!("undecodable {} of {}: {err}", p.name(), ev.name());
            }
        }
        assert!(e.flags.is_empty());
        out.push(Seen {
            cpu: e.cpu,
            ts: ev.ts(),
            tid: ev.tid(),
            code: ev.event_type(),
            nparams: ev.nparams(),
        });
    }
    out
}

#[test]
fn header_and_machine() {
    let r = open();
    assert!(r.is_gzip());
    assert_eq!(r.section_header(), SectionHeader { major: 1, minor: 2 });
    let m = r.metadata().machine.clone().unwrap();
    assert_eq!(m.num_cpus, 2);
    assert_eq!(m.memory_size_bytes, 6_250_692_608);
    assert_eq!(m.hostname, "ubuntu");
    // Written before libscap filled these.
    assert_eq!(m.max_pid, 0);
    assert_eq!(m.boot_ts_epoch, 0);
}

#[test]
fn interfaces_users_groups() {
    let r = open();
    let md = r.metadata();
    assert_eq!(md.interfaces.len(), 13);
    let v4 = md
        .interfaces
        .iter()
        .filter(|i| matches!(i.addrs, InterfaceAddrs::V4 { .. }))
        .count();
    assert_eq!(v4, 8);
    assert_eq!(
        md.interfaces[0],
        InterfaceEntry {
            name: "lo".into(),
            addrs: InterfaceAddrs::V4 {
                addr: Ipv4Addr::LOCALHOST,
                netmask: Ipv4Addr::new(255, 0, 0, 0),
                broadcast: Ipv4Addr::LOCALHOST,
            },
            link_speed: Some(0),
        }
    );
    let lo6: Vec<Ipv6Addr> = md
        .interfaces
        .iter()
        .filter_map(|i| match i.addrs {
            InterfaceAddrs::V6 { addr, .. } if i.name == "lo" => Some(addr),
            _ => None,
        })
        .collect();
    assert_eq!(
        lo6,
        vec![
            "2001:db8::4".parse::<Ipv6Addr>().unwrap(),
            "2001:db8::3".parse().unwrap(),
            Ipv6Addr::LOCALHOST
        ]
    );
    assert_eq!(md.users.len(), 42);
    assert_eq!(md.groups.len(), 72);
    assert_eq!(
        md.users[0],
        UserEntry {
            uid: 0,
            gid: 0,
            name: "root".into(),
            homedir: "/root".into(),
            shell: "/bin/bash".into()
        }
    );
    assert_eq!(md.groups[0].name, "root");
}

#[test]
fn process_list_and_fds() {
    let r = open();
    let md = r.metadata();
    assert_eq!(md.threads.len(), 154);
    let mut comms: Vec<&[u8]> = md.threads.iter().map(|t| &t.comm[..]).collect();
    comms.sort();
    comms.dedup();
    assert_eq!(comms.len(), 46);

    let init = md.thread(1).unwrap();
    assert_eq!(init.comm, b"systemd");
    assert_eq!(init.exe, b"/sbin/init");
    assert_eq!(init.exepath, b"/lib/systemd/systemd");
    assert_eq!(init.cwd, b"/");
    assert_eq!(init.fds.len(), 60);
    assert!(init.cgroups().any(|c| c == b"name=systemd=/init.scope"));
    // The entries end after `root`: no appended fields, so their defaults.
    assert_eq!(init.loginuid, u32::MAX);
    assert_eq!(init.pgid, -1);
    assert_eq!(init.exe_ino, 0);

    let sysdig = md.thread(25884).unwrap();
    assert_eq!(sysdig.comm, b"sysdig");
    assert_eq!(sysdig.ptid, 25883);
    assert_eq!(md.thread(25883).unwrap().comm, b"sudo");
    let args: Vec<&[u8]> = sysdig.args().collect();
    assert_eq!(args[0], b"-zw");
    assert_eq!(args[1], b"single_ipv6_conn.scap");
    assert_eq!(sysdig.cwd, b"/home/mstemm/builds/sysdig/release");
    assert_eq!(
        sysdig.fds[5],
        FdEntry {
            fd: 5,
            ino: 788485,
            info: FdInfo::File {
                open_flags: 2,
                path: b"/home/mstemm/builds/sysdig/release/single_ipv6_conn.scap".to_vec(),
                dev: 0,
            },
        }
    );
    assert_eq!(
        sysdig.fds[6].info,
        FdInfo::Named {
            kind: NamedFdKind::Directory,
            name: b"/proc".to_vec()
        }
    );

    let rpcbind = md.thread(847).unwrap();
    assert_eq!(rpcbind.comm, b"rpcbind");
    assert!(rpcbind.fds.contains(&FdEntry {
        fd: 6,
        ino: 14247,
        info: FdInfo::Ipv4Server {
            ip: Ipv4Addr::UNSPECIFIED,
            port: 111,
            l4proto: l4::UDP
        }
    }));
    assert!(rpcbind.fds.contains(&FdEntry {
        fd: 9,
        ino: 14250,
        info: FdInfo::Ipv6Server {
            ip: Ipv6Addr::UNSPECIFIED,
            port: 111,
            l4proto: l4::TCP
        }
    }));
    // The ssh session carrying the test.
    let ssh = md.thread(2821).unwrap();
    assert_eq!(
        ssh.fds.iter().find(|f| f.fd == 3).unwrap().info,
        FdInfo::Ipv4 {
            src: Ipv4Addr::new(10, 0, 2, 15),
            dst: Ipv4Addr::new(10, 0, 2, 2),
            sport: 22,
            dport: 61560,
            l4proto: l4::TCP
        }
    );

    // FD kinds found in the file.
    let mut kinds = BTreeMap::new();
    for t in &md.threads {
        for f in &t.fds {
            *kinds.entry(f.info.type_code()).or_insert(0) += 1;
        }
    }
    // type → count: directory, ipv4, ipv4 server, ipv6 server, fifo, unix,
    // eventfd, signalfd, eventpoll, inotify, timerfd, file (V2).
    let expected: BTreeMap<u8, usize> = [
        (2, 16),
        (3, 2),
        (5, 15),
        (6, 9),
        (7, 30),
        (8, 251),
        (9, 12),
        (11, 8),
        (12, 17),
        (13, 14),
        (14, 9),
        (16, 181),
    ]
    .into_iter()
    .collect();
    assert_eq!(kinds, expected);
    // The nc processes started after the capture: not in the list.
    assert!(md.thread(25886).is_none());
    assert!(md.thread(25888).is_none());
}

#[test]
fn events_counts_and_times() {
    let mut r = open();
    let evs = all_events(&mut r);
    let c = r.counters();
    assert_eq!(c.event_blocks, 1728);
    // 11 old enter events (socket ×4, bind ×2, listen, accept, read ×2,
    // write) are absorbed into their exits.
    assert_eq!(c.consumed_enters, 11);
    assert_eq!(evs.len(), 1717);
    assert_eq!(c.events, 1717);
    // socket_X ×4, bind_X ×2, listen_X, read_X ×2, write_X, connect_E ×3 and
    // connect_X ×3 lacked parameters.
    assert_eq!(c.converted, 16);
    assert_eq!(c.unknown_types, 0);
    assert_eq!(c.stream_bytes, 251_008);

    assert_eq!(evs[0].ts, 1_533_943_844_999_999_999);
    assert_eq!(evs[0].tid, 1);
    assert_eq!(evs.last().unwrap().ts, 1_533_943_861_999_999_999);
    assert_eq!(evs.last().unwrap().tid, 25884);
    assert!(evs.windows(2).all(|w| w[0].ts <= w[1].ts));

    let procinfo: Vec<&Seen> = evs
        .iter()
        .filter(|e| e.code == codes::PPME_PROCINFO_E)
        .collect();
    assert_eq!(procinfo.len(), 1700);
    assert!(procinfo.iter().all(|e| e.cpu == 0));
    assert!(evs
        .iter()
        .filter(|e| e.code != codes::PPME_PROCINFO_E)
        .all(|e| e.cpu == 1 && (e.tid == 25886 || e.tid == 25888)));

    let mut by_code = BTreeMap::new();
    for e in &evs {
        *by_code.entry(e.code).or_insert(0) += 1;
    }
    let expected: BTreeMap<u16, i32> = [
        (codes::PPME_SYSCALL_READ_X, 2),
        (codes::PPME_SYSCALL_WRITE_X, 1),
        (codes::PPME_SOCKET_SOCKET_X, 4),
        (codes::PPME_SOCKET_BIND_X, 2),
        (codes::PPME_SOCKET_CONNECT_E, 3),
        (codes::PPME_SOCKET_CONNECT_X, 3),
        (codes::PPME_SOCKET_LISTEN_X, 1),
        (codes::PPME_PROCINFO_E, 1700),
        (codes::PPME_SOCKET_ACCEPT_5_X, 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(by_code, expected);
    // Every delivered event is current and complete.
    for e in &evs {
        let info = scap::schema::event_info(e.code).unwrap();
        assert!(!info.is_old_version(), "{}", info.ident);
        assert_eq!(e.nparams as usize, info.params.len(), "{}", info.ident);
    }
}

fn v6(a: &str, port: u16) -> SocketAddrV6 {
    SocketAddrV6::new(a.parse().unwrap(), port, 0, 0)
}

#[test]
fn ipv6_connection_events() {
    let mut r = open();
    let mut raw = Vec::new();
    while let Some(e) = r.next_event().unwrap() {
        raw.push(e.event.as_bytes().to_vec());
    }
    let mut accept = None;
    let mut connects = Vec::new();
    let mut binds = Vec::new();
    let mut sockets = Vec::new();
    for bytes in &raw {
        let ev = scap::Event::parse(bytes).unwrap();
        let p = |n| ev.param_by_name(n).unwrap().value().unwrap();
        match ev.event_type() {
            codes::PPME_SOCKET_ACCEPT_5_X => {
                accept = Some((ev.tid(), p("fd"), format!("{:?}", p("tuple"))));
                assert_eq!(
                    p("tuple"),
                    ParamValue::SockTuple(SockTuple::Inet6 {
                        src: v6("2001:db8::4", 54405),
                        dst: v6("2001:db8::3", 1234)
                    })
                );
                assert_eq!(p("queuemax"), ParamValue::Uint(1));
            }
            codes::PPME_SOCKET_CONNECT_X => {
                connects.push((ev.tid(), p("res"), p("fd"), p("tuple")));
            }
            codes::PPME_SOCKET_BIND_X => {
                binds.push((ev.tid(), p("res"), p("fd"), p("addr")));
            }
            codes::PPME_SOCKET_SOCKET_X => {
                // domain, type and proto came from the absorbed enter event;
                // flags did not exist then.
                sockets.push((ev.tid(), p("fd"), p("domain"), p("type"), p("flags")));
            }
            _ => {}
        }
    }
    let (tid, fd, _) = accept.unwrap();
    assert_eq!(tid, 25886);
    assert_eq!(fd, ParamValue::Fd(4));

    assert_eq!(connects.len(), 3);
    // Two failed lookups of the nscd socket, then the IPv6 connection.
    assert_eq!(connects[0].1, ParamValue::Errno(-2));
    assert!(matches!(
        connects[0].3,
        ParamValue::SockTuple(SockTuple::Unix { path, .. }) if path == b"/var/run/nscd/socket"
    ));
    let last = &connects[2];
    assert_eq!(last.0, 25888);
    assert_eq!(last.1, ParamValue::Errno(-115)); // EINPROGRESS
    assert_eq!(last.2, ParamValue::Fd(3)); // from the enter event
    assert_eq!(
        last.3,
        ParamValue::SockTuple(SockTuple::Inet6 {
            src: v6("2001:db8::4", 54405),
            dst: v6("2001:db8::3", 1234)
        })
    );

    assert_eq!(binds.len(), 2);
    assert_eq!(binds[0].0, 25886);
    assert_eq!(binds[0].1, ParamValue::Errno(0));
    assert_eq!(binds[0].2, ParamValue::Fd(3)); // from the enter event
    assert_eq!(
        binds[0].3,
        ParamValue::SockAddr(SockAddr::Inet6(v6("2001:db8::3", 1234)))
    );
    assert_eq!(
        binds[1].3,
        ParamValue::SockAddr(SockAddr::Inet6(v6("2001:db8::4", 0)))
    );

    assert_eq!(sockets.len(), 4);
    let (tid, fd, domain, ty, flags) = &sockets[0];
    assert_eq!(*tid, 25886);
    assert_eq!(*fd, ParamValue::Fd(3));
    match domain {
        ParamValue::Enum(f) => assert_eq!(f.raw, 10), // AF_INET6
        other => panic!("domain {other:?}"),
    }
    assert_eq!(*ty, ParamValue::Uint(1)); // SOCK_STREAM
    assert_eq!(*flags, ParamValue::Absent);
}

#[test]
fn without_conversion_events_come_as_stored() {
    let f = std::fs::File::open(PATH).unwrap();
    let mut r = Reader::with_options(f, ReaderOptions { convert: false }).unwrap();
    let mut n = 0;
    let mut old = 0;
    while let Some(e) = r.next_event().unwrap() {
        n += 1;
        if e.event.info().unwrap().is_old_version() {
            old += 1;
        }
    }
    assert_eq!(n, 1728);
    // read_E ×2, write_E, socket_E ×4, bind_E ×2, listen_E, accept_5_E.
    assert_eq!(old, 11);
    assert_eq!(r.counters().converted, 0);
}

#[test]
fn rewriting_the_capture_reproduces_its_events_and_metadata() {
    let mut r = open();
    let md = r.metadata().clone();
    let mut w = Writer::new(Vec::new()).unwrap();
    w.write_metadata(&md).unwrap();
    let mut events = Vec::new();
    while let Some(e) = r.next_event().unwrap() {
        w.write_event(e.cpu, &e.event).unwrap();
        events.push(e.event.as_bytes().to_vec());
    }
    let bytes = w.finish().unwrap();
    assert_eq!(helpers::read_all(&bytes).unwrap(), events);
    let r2 = Reader::new(&bytes[..]).unwrap();
    assert_eq!(r2.metadata(), &md);
}
