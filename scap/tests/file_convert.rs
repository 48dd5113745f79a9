//! Old event layouts come out as current events: crafted pre-0.22 style
//! enter/exit pairs (using the schema's old codes) are merged into the
//! current exit event with every parameter.

#[path = "file_helpers.rs"]
mod helpers;

use helpers::*;
use scap::file::*;
use scap::params::{SockAddr, SockTuple};
use scap::schema::{codes, event_info};
use scap::{Event, ParamValue};

/// Writes the events in EV V2 blocks and reads them back, converted.
fn convert(events: &[Vec<u8>]) -> (Vec<Vec<u8>>, ReadCounters) {
    let mut f = shb(1, 2);
    for e in events {
        f.extend(ev_block(0, e));
    }
    let mut r = Reader::new(&f[..]).unwrap();
    let mut out = Vec::new();
    while let Some(e) = r.next_event().unwrap() {
        out.push(e.event.as_bytes().to_vec());
    }
    (out, r.counters())
}

fn params(raw: &[u8]) -> Vec<(String, Vec<u8>)> {
    let ev = Event::parse(raw).unwrap();
    ev.params()
        .map(|p| (p.name().to_string(), p.bytes.to_vec()))
        .collect()
}

fn sockaddr6(ip: &str, port: u16) -> Vec<u8> {
    let mut v = vec![10u8];
    v.extend(ip.parse::<std::net::Ipv6Addr>().unwrap().octets());
    v.extend(port.to_le_bytes());
    v
}

fn tuple6(src: &str, sport: u16, dst: &str, dport: u16) -> Vec<u8> {
    let mut v = vec![10u8];
    v.extend(src.parse::<std::net::Ipv6Addr>().unwrap().octets());
    v.extend(sport.to_le_bytes());
    v.extend(dst.parse::<std::net::Ipv6Addr>().unwrap().octets());
    v.extend(dport.to_le_bytes());
    v
}

#[test]
fn openat_v1_pair_becomes_openat_2_x() {
    let tid = 77;
    let enter = event(
        1,
        tid,
        codes::PPME_SYSCALL_OPENAT_E,
        &[&i64le(-100), &cstr("/etc/shadow"), &u32le(1), &u32le(0)],
    );
    let exit = event(2, tid, codes::PPME_SYSCALL_OPENAT_X, &[&i64le(5)]);
    let (out, c) = convert(&[enter, exit]);
    assert_eq!(out.len(), 2);
    // The old enter event is delivered as the current (TOCTOU) enter event.
    let e = Event::parse(&out[0]).unwrap();
    assert_eq!(e.event_type(), codes::PPME_SYSCALL_OPENAT_2_E);
    assert_eq!(e.ts(), 1);
    assert_eq!(e.tid(), tid);
    // The exit: fd from the exit, dirfd/name/flags/mode from the enter,
    // dev and ino did not exist: empty.
    let x = Event::parse(&out[1]).unwrap();
    assert_eq!(x.event_type(), codes::PPME_SYSCALL_OPENAT_2_X);
    assert_eq!((x.ts(), x.tid()), (2, tid));
    assert_eq!(x.nparams(), 7);
    assert_eq!(
        params(&out[1]),
        vec![
            ("fd".into(), i64le(5)),
            ("dirfd".into(), i64le(-100)),
            ("name".into(), cstr("/etc/shadow")),
            ("flags".into(), u32le(1)),
            ("mode".into(), u32le(0)),
            ("dev".into(), vec![]),
            ("ino".into(), vec![]),
        ]
    );
    assert_eq!(
        x.param_by_name("name").unwrap().value().unwrap(),
        ParamValue::Str(b"/etc/shadow")
    );
    assert_eq!(
        x.param_by_name("dev").unwrap().value().unwrap(),
        ParamValue::Absent
    );
    assert_eq!(c.converted, 2);
    assert_eq!(c.consumed_enters, 0);
}

#[test]
fn pre_0_22_connect_pair_fills_fd_and_addr_from_the_enter() {
    let tid = 25888;
    let addr = sockaddr6("2001:db8::3", 1234);
    let tuple = tuple6("2001:db8::4", 54405, "2001:db8::3", 1234);
    let enter = event(1, tid, codes::PPME_SOCKET_CONNECT_E, &[&i64le(3), &addr]);
    // Before libs 0.22 the connect exit had only res and tuple.
    let exit = event(
        2,
        tid,
        codes::PPME_SOCKET_CONNECT_X,
        &[&i64le(-115), &tuple],
    );
    let (out, c) = convert(&[enter.clone(), exit]);
    // The enter is current and complete: delivered unchanged.
    assert_eq!(out[0], enter);
    assert_eq!(
        params(&out[1]),
        vec![
            ("res".into(), i64le(-115)),
            ("tuple".into(), tuple),
            ("fd".into(), i64le(3)),
            ("addr".into(), addr),
        ]
    );
    let x = Event::parse(&out[1]).unwrap();
    assert_eq!(x.event_type(), codes::PPME_SOCKET_CONNECT_X);
    assert!(matches!(
        x.param_by_name("addr").unwrap().value().unwrap(),
        ParamValue::SockAddr(SockAddr::Inet6(a)) if a.port() == 1234
    ));
    assert!(matches!(
        x.param_by_name("tuple").unwrap().value().unwrap(),
        ParamValue::SockTuple(SockTuple::Inet6 { src, .. }) if src.port() == 54405
    ));
    assert_eq!(c.converted, 1);
}

#[test]
fn old_enter_events_are_absorbed_not_delivered() {
    let tid = 5;
    let enter = event(
        1,
        tid,
        codes::PPME_SOCKET_SOCKET_E,
        &[&u32le(10), &u32le(1), &u32le(6)],
    );
    let exit = event(2, tid, codes::PPME_SOCKET_SOCKET_X, &[&i64le(3)]);
    let (out, c) = convert(&[enter, exit]);
    assert_eq!(out.len(), 1);
    assert_eq!(
        params(&out[0]),
        vec![
            ("fd".into(), i64le(3)),
            ("domain".into(), u32le(10)),
            ("type".into(), u32le(1)),
            ("proto".into(), u32le(6)),
            ("flags".into(), vec![]),
        ]
    );
    assert_eq!(c.consumed_enters, 1);
}

#[test]
fn old_execve_versions_become_execve_19() {
    let tid = 9;
    let enter = event(1, tid, codes::PPME_SYSCALL_EXECVE_18_E, &[&cstr("/bin/ls")]);
    let mut p: Vec<Vec<u8>> = vec![
        i64le(0),
        cstr("/bin/ls"),
        b"-l\0".to_vec(),
        i64le(9),
        i64le(9),
        i64le(1),
        cstr("/"),
        u64le(1024),
        u64le(1),
        u64le(2),
        u32le(3),
        u32le(4),
        u32le(5),
        cstr("ls"),
        b"cpu=/\0".to_vec(),
        b"A=1\0".to_vec(),
    ];
    p.push(u32le(0)); // tty, INT32 then, UINT32 now
    let refs: Vec<&[u8]> = p.iter().map(|v| &v[..]).collect();
    let exit = event(2, tid, codes::PPME_SYSCALL_EXECVE_18_X, &refs);
    let (out, _) = convert(&[enter, exit]);
    assert_eq!(out.len(), 1);
    let x = Event::parse(&out[0]).unwrap();
    assert_eq!(x.event_type(), codes::PPME_SYSCALL_EXECVE_19_X);
    assert_eq!(x.nparams(), 31);
    let got = params(&out[0]);
    for (i, v) in p.iter().enumerate() {
        assert_eq!(&got[i].1, v, "{}", got[i].0);
    }
    assert_eq!(got[30], ("filename".into(), cstr("/bin/ls")));
    // Parameters that appeared later are empty.
    assert_eq!(got[17], ("vpgid".into(), vec![]));
    assert_eq!(got[27], ("trusted_exepath".into(), vec![]));
    for p in x.params() {
        p.value().unwrap();
    }

    // The oldest version, without an enter event at all.
    let old: Vec<&[u8]> = refs[..8].to_vec();
    let exit8 = event(3, tid, codes::PPME_SYSCALL_EXECVE_8_X, &old);
    let (out, _) = convert(&[exit8]);
    let x = Event::parse(&out[0]).unwrap();
    assert_eq!(x.event_type(), codes::PPME_SYSCALL_EXECVE_19_X);
    assert_eq!(x.nparams(), 31);
    assert_eq!(x.param_by_name("exe").unwrap().bytes, b"/bin/ls\0");
    assert!(x.param_by_name("comm").unwrap().bytes.is_empty());
}

#[test]
fn clone_accept_and_procexit_versions() {
    // clone 16: no cgroups, vtid, vpid, pidns_init_start_ts.
    let base: Vec<Vec<u8>> = vec![
        i64le(0),
        cstr("bash"),
        vec![],
        i64le(50),
        i64le(50),
        i64le(49),
        cstr("/"),
        i64le(1024),
        u64le(0),
        u64le(0),
        u32le(0),
        u32le(0),
        u32le(0),
        u32le(0x100),
        u32le(1000),
        u32le(1000),
    ];
    let refs: Vec<&[u8]> = base.iter().map(|v| &v[..]).collect();
    let clone16 = event(1, 50, codes::PPME_SYSCALL_CLONE_16_X, &refs);
    let accept4_e = event(2, 60, codes::PPME_SOCKET_ACCEPT4_5_E, &[&u32le(0x800)]);
    let accept4_x = event(
        3,
        60,
        codes::PPME_SOCKET_ACCEPT4_5_X,
        &[
            &i64le(7),
            &tuple6("::1", 1, "::1", 2),
            &[50],
            &u32le(1),
            &u32le(128),
        ],
    );
    let accept_x = event(
        4,
        60,
        codes::PPME_SOCKET_ACCEPT_X,
        &[&i64le(8), &tuple6("::1", 3, "::1", 2), &[0]],
    );
    let procexit = event(5, 50, codes::PPME_PROCEXIT_E, &[]);
    let (out, c) = convert(&[clone16, accept4_e, accept4_x, accept_x, procexit]);
    let codes_out: Vec<u16> = out
        .iter()
        .map(|e| Event::parse(e).unwrap().event_type())
        .collect();
    assert_eq!(
        codes_out,
        vec![
            codes::PPME_SYSCALL_CLONE_20_X,
            codes::PPME_SOCKET_ACCEPT4_6_X,
            codes::PPME_SOCKET_ACCEPT_5_X,
            codes::PPME_PROCEXIT_1_E,
        ]
    );
    let clone = params(&out[0]);
    assert_eq!(clone.len(), 21);
    assert_eq!(clone[13], ("comm".into(), vec![])); // clone 16 had no comm
    assert_eq!(clone[15], ("flags".into(), u32le(0x100)));
    assert_eq!(clone[16], ("uid".into(), u32le(1000)));
    let acc4 = params(&out[1]);
    assert_eq!(acc4[5], ("flags".into(), u32le(0x800))); // from the enter
    assert_eq!(acc4[4], ("queuemax".into(), u32le(128)));
    let acc = params(&out[2]);
    assert_eq!(acc.len(), 5);
    assert_eq!(acc[3], ("queuelen".into(), vec![]));
    let pe = params(&out[3]);
    assert_eq!(
        pe.len(),
        event_info(codes::PPME_PROCEXIT_1_E).unwrap().params.len()
    );
    assert!(pe.iter().all(|p| p.1.is_empty()));
    assert_eq!(c.consumed_enters, 1);
    assert_eq!(c.converted, 4);
}

#[test]
fn enters_pair_per_thread_and_only_with_their_own_exit() {
    let open_e = |ts, tid, name: &str| {
        event(
            ts,
            tid,
            codes::PPME_SYSCALL_OPENAT_E,
            &[&i64le(-100), &cstr(name), &u32le(1), &u32le(0)],
        )
    };
    let open_x = |ts, tid, fd| event(ts, tid, codes::PPME_SYSCALL_OPENAT_X, &[&i64le(fd)]);
    let read_e = event(5, 2, codes::PPME_SYSCALL_READ_E, &[&i64le(3), &u32le(10)]);
    let (out, _) = convert(&[
        open_e(1, 1, "/one"),
        open_e(2, 2, "/two"),
        open_x(3, 2, 20),
        open_x(4, 1, 10),
        // tid 2: a read enter, then an openat exit whose enter was lost.
        read_e,
        open_x(6, 2, 21),
        // tid 1: the enter was consumed by the first exit.
        open_x(7, 1, 11),
    ]);
    let exits: Vec<(u64, Vec<u8>)> = out
        .iter()
        .map(|e| Event::parse(e).unwrap())
        .filter(|e| !e.is_enter())
        .map(|e| (e.tid(), e.param_by_name("name").unwrap().bytes.to_vec()))
        .collect();
    assert_eq!(
        exits,
        vec![
            (2, cstr("/two")),
            (1, cstr("/one")),
            (2, vec![]),
            (1, vec![]),
        ]
    );
}

#[test]
fn current_complete_events_pass_through_untouched() {
    let ev = event(
        1,
        1,
        codes::PPME_SYSCALL_OPENAT_2_X,
        &[
            &i64le(3),
            &i64le(-100),
            &cstr("/x"),
            &u32le(1),
            &u32le(0),
            &u32le(0),
            &u64le(1),
        ],
    );
    // More parameters than the schema (a newer producer): unchanged too.
    let extra = event(
        2,
        1,
        codes::PPME_SYSCALL_CLOSE_X,
        &[&i64le(0), &i64le(3), &u64le(9)],
    );
    let (out, c) = convert(&[ev.clone(), extra.clone()]);
    assert_eq!(out, vec![ev, extra.clone()]);
    assert_eq!(c.converted, 0);
}
