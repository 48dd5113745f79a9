//! Snapshot this machine's `/proc` into a capture, read it back, and find
//! this test process with its open files and sockets.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::net::{Ipv4Addr, TcpListener};
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;

use scap::file::metadata::{l4, thread_flags};
use scap::file::snapshot::{self, SnapshotOptions};
use scap::file::*;

#[test]
fn snapshot_of_this_process_round_trips() {
    let dir = std::env::temp_dir().join(format!("scap-snapshot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("opened-by-the-test.txt");
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    file.write_all(b"hello").unwrap();
    let file_fd = i64::from(file.as_raw_fd());
    let file_md = std::fs::metadata(&path).unwrap();
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let listener_fd = i64::from(listener.as_raw_fd());
    // A second thread that stays alive during the snapshot.
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let helper = std::thread::Builder::new()
        .name("snap-helper".into())
        .spawn(move || {
            let _ = rx.recv();
        })
        .unwrap();

    let md = snapshot::snapshot(&SnapshotOptions::default()).unwrap();
    let mut w = Writer::new_gzip(Vec::new()).unwrap();
    w.write_metadata(&md).unwrap();
    let bytes = w.finish().unwrap();
    drop(tx);
    helper.join().unwrap();

    let r = Reader::new(&bytes[..]).unwrap();
    let back = r.metadata();
    assert_eq!(back, &md, "the snapshot survives the file unchanged");

    let pid = u64::from(std::process::id());
    let me = back.thread(pid).expect("this process is in the snapshot");
    assert_eq!(me.pid, pid);
    assert!(me.is_main_thread());
    assert_eq!(me.ptid, u64::from(std::os::unix::process::parent_id()));
    let exe = std::env::current_exe().unwrap();
    assert_eq!(me.exepath, exe.as_os_str().as_encoded_bytes());
    let exe_md = std::fs::metadata(&exe).unwrap();
    assert_eq!(me.exe_ino, exe_md.ino());
    assert_eq!(
        me.exe_ino_mtime,
        exe_md.mtime() as u64 * 1_000_000_000 + exe_md.mtime_nsec() as u64
    );
    // We built the test binary: we own it, so it is writable by us.
    assert!(me.exe_writable);
    assert!(!me.exe_upper_layer && !me.exe_lower_layer && !me.exe_from_memfd);
    assert_eq!(me.uid, unsafe_free_euid());
    assert_eq!(
        me.cwd,
        std::env::current_dir()
            .unwrap()
            .as_os_str()
            .as_encoded_bytes()
    );
    assert!(me.fdlimit > 0);
    assert!(me.pidns_init_start_ts > 0);
    assert!(me.vmrss_kb > 0);
    assert_eq!(me.vpid, pid as i64, "not in a child pid namespace");

    // The temp file, with its open flags (read-write, cloexec) and device.
    let f = me
        .fds
        .iter()
        .find(|f| f.fd == file_fd)
        .expect("the temp file fd");
    assert_eq!(f.ino, file_md.ino());
    match &f.info {
        FdInfo::File {
            open_flags,
            path: p,
            dev,
        } => {
            assert_eq!(p.as_slice(), path.as_os_str().as_encoded_bytes());
            assert_eq!(open_flags & 3, 3, "O_RDWR as PPM_O_RDWR: {open_flags:#x}");
            assert_ne!(open_flags & 4096, 0, "O_CLOEXEC: {open_flags:#x}");
            let major = (file_md.dev() >> 8) & 0xfff;
            let minor = (file_md.dev() & 0xff) | ((file_md.dev() >> 12) & 0xfff00);
            assert_eq!(u64::from(*dev), (major << 20) | minor);
        }
        other => panic!("temp file seen as {other:?}"),
    }
    // The listener, resolved through /proc/net/tcp.
    let l = me
        .fds
        .iter()
        .find(|f| f.fd == listener_fd)
        .expect("the listener fd");
    assert_eq!(
        l.info,
        FdInfo::Ipv4Server {
            ip: Ipv4Addr::LOCALHOST,
            port,
            l4proto: l4::TCP
        }
    );
    assert_ne!(l.ino, 0);
    // stdin/out/err or the cargo pipes are there too.
    assert!(me.fds.iter().any(|f| f.fd <= 2));

    // Our other threads: same process, shared fd table, no fds of their own.
    let threads: Vec<&ThreadEntry> = back.threads.iter().filter(|t| t.pid == pid).collect();
    assert!(threads.len() >= 2, "{} threads", threads.len());
    let helper_t = threads
        .iter()
        .find(|t| t.comm == b"snap-helper")
        .expect("the helper thread");
    assert_ne!(helper_t.tid, pid);
    assert_eq!(
        helper_t.flags & (thread_flags::CLONE_THREAD | thread_flags::CLONE_FILES),
        thread_flags::CLONE_THREAD | thread_flags::CLONE_FILES
    );
    assert!(helper_t.fds.is_empty());
    assert_eq!(helper_t.exepath, me.exepath);

    // init is there (when visible), and the machine, users and interfaces.
    let m = back.machine.as_ref().unwrap();
    assert!(m.num_cpus >= 1);
    assert!(m.memory_size_bytes > 0);
    assert!(m.boot_ts_epoch > 1_000_000_000_000_000_000);
    assert_eq!(m.boot_ts_epoch % 1_000_000_000, 0);
    assert!(!m.hostname.is_empty());
    assert!(back.users.iter().any(|u| u.uid == 0 && u.name == "root"));
    assert!(back.groups.iter().any(|g| g.gid == 0));
    assert!(back.interfaces.iter().any(|i| i.name == "lo"
        && matches!(
            i.addrs,
            InterfaceAddrs::V4 { addr, netmask, .. }
                if addr == Ipv4Addr::LOCALHOST && netmask == Ipv4Addr::new(255, 0, 0, 0)
        )));

    drop(file);
    drop(listener);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Our effective uid, read from /proc without libc.
fn unsafe_free_euid() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
    line.split_whitespace().nth(2).unwrap().parse().unwrap()
}

#[test]
fn snapshot_of_one_process_without_fds() {
    let opts = SnapshotOptions {
        fds: false,
        env: false,
        threads: false,
        ..SnapshotOptions::default()
    };
    let me = snapshot::process(std::process::id() as i32, &opts);
    assert_eq!(me.len(), 1);
    assert!(me[0].fds.is_empty());
    assert!(me[0].env.is_empty());
    assert!(!me[0].comm.is_empty());
    // A pid that does not exist gives nothing, not an error.
    assert!(snapshot::process(i32::MAX, &opts).is_empty());
}
