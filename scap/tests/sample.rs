//! The bundled sample capture (samples/sample.scap, recorded by
//! scripts/record-sample.sh): it reads without error, its metadata describes
//! the machine, and the workload the script ran is in it with the
//! parameters it must have.

use scap::file::FileEngine;
use scap::params::{SockAddr, SockTuple};
use scap::schema::{codes, flags::ExecveFlags};
use scap::{Engine, Event, Next, ParamValue};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../samples/sample.scap");

fn events() -> (FileEngine, Vec<(u16, Vec<u8>)>) {
    let mut engine = FileEngine::open(SAMPLE).expect("the sample opens");
    let mut out = Vec::new();
    loop {
        match engine.next().expect("every event of the sample reads") {
            Next::Event { cpu, event } => out.push((cpu, event.as_bytes().to_vec())),
            Next::Timeout => continue,
            Next::Eof => break,
        }
    }
    (engine, out)
}

fn execs_named<'a>(evs: &'a [(u16, Vec<u8>)], comm: &[u8]) -> Vec<Event<'a>> {
    evs.iter()
        .map(|(_, b)| Event::parse(b).unwrap())
        .filter(|e| e.event_type() == codes::PPME_SYSCALL_EXECVE_19_X)
        .filter(|e| e.param_by_name("comm").unwrap().value().unwrap().as_bytes() == Some(comm))
        .collect()
}

fn exe_flags(e: &Event<'_>) -> ExecveFlags {
    ExecveFlags::from_bits_retain(
        e.param_by_name("flags")
            .unwrap()
            .value()
            .unwrap()
            .as_u64()
            .unwrap() as u32,
    )
}

#[test]
fn reads_whole_with_metadata_and_ordered_events() {
    let (engine, evs) = events();
    assert!(evs.len() > 5000, "{} events", evs.len());
    let md = engine.metadata();
    assert!(md
        .machine
        .as_ref()
        .is_some_and(|m| m.num_cpus >= 1 && m.boot_ts_epoch > 0));
    assert!(md.threads.len() > 10);
    assert!(md.users.iter().any(|u| u.uid == 0 && u.name == "root"));
    assert!(md.threads.iter().any(|t| !t.fds.is_empty()));
    // Every event is valid and the stream is in time order.
    let mut last = 0;
    for (_, b) in &evs {
        let e = Event::parse(b).unwrap();
        for p in e.params() {
            p.value().unwrap();
        }
        assert!(e.ts() >= last);
        last = e.ts();
    }
}

#[test]
fn the_workload_is_in_it() {
    let (_, evs) = events();
    // Overlay: lower-layer, upper-layer and copied-up binaries.
    let lower = execs_named(&evs, b"from-image");
    assert_eq!(lower.len(), 1);
    assert_eq!(
        exe_flags(&lower[0]),
        ExecveFlags::EXE_WRITABLE | ExecveFlags::EXE_LOWER_LAYER
    );
    for name in [&b"dropped"[..], b"patched"] {
        let e = execs_named(&evs, name);
        assert_eq!(e.len(), 1);
        assert!(exe_flags(&e[0]).contains(ExecveFlags::EXE_UPPER_LAYER));
    }
    // Fileless.
    let memfd = execs_named(&evs, b"memfd:sample-fi");
    assert_eq!(memfd.len(), 1);
    assert!(exe_flags(&memfd[0]).contains(ExecveFlags::EXE_FROM_MEMFD));
    // The loopback connection: bind, accept4 and connect agree on the port.
    let server = std::net::SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, 18080);
    let parsed: Vec<Event<'_>> = evs.iter().map(|(_, b)| Event::parse(b).unwrap()).collect();
    assert!(parsed
        .iter()
        .any(|e| e.event_type() == codes::PPME_SOCKET_BIND_X
            && e.param_by_name("addr").unwrap().value().unwrap()
                == ParamValue::SockAddr(SockAddr::Inet(server))));
    let connect = parsed
        .iter()
        .find_map(|e| match e.param_by_name("tuple").ok()?.value().ok()? {
            ParamValue::SockTuple(SockTuple::Inet { src, dst })
                if e.event_type() == codes::PPME_SOCKET_CONNECT_X && dst == server =>
            {
                Some(src)
            }
            _ => None,
        })
        .expect("the client's connect");
    assert!(parsed
        .iter()
        .any(|e| e.event_type() == codes::PPME_SOCKET_ACCEPT4_6_X
            && e.param_by_name("tuple").unwrap().value().unwrap()
                == ParamValue::SockTuple(SockTuple::Inet {
                    src: connect,
                    dst: server
                })));
    // The shell's file.
    assert!(parsed
        .iter()
        .any(|e| e.event_type() == codes::PPME_SYSCALL_OPENAT_2_X
            && e.param_by_name("name").unwrap().value().unwrap().as_bytes() == Some(b"notes.txt")));
}
