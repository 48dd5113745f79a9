//! Live proofs of the state layer on the real kernel (root; required in CI
//! under SCAP_REQUIRE_LIVE=1): overlayfs layers, memfd execution, executables
//! changed just before they ran, pid namespaces, containers from cgroups,
//! fd names and socket tuples.

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use scap::file::snapshot::{snapshot, SnapshotOptions};
use scap::Config;
use sinsp::fields::BoundField;
use sinsp::state::Limits;
use sinsp::{Inspector, SinspEvent, SinspNext};

const TIMEOUT: Duration = Duration::from_secs(20);

fn inspector(syscalls: &[&str]) -> Option<Inspector<scap::LiveEngine>> {
    let engine = scap::testing::open_live_or_skip(Config {
        syscalls: Some(syscalls.iter().map(|s| s.to_string()).collect()),
        ..Config::default()
    })?;
    let meta = snapshot(&SnapshotOptions::default()).expect("snapshot");
    Some(Inspector::with_metadata(engine, &meta, Limits::default()))
}

/// Field values of one event, as text (missing fields are absent).
type Row = HashMap<&'static str, String>;

/// Runs `work` (in another thread), then reads events until `done` says the
/// rows gathered so far are enough. Rows are kept for events `keep` accepts.
fn observe(
    insp: &mut Inspector<scap::LiveEngine>,
    fields: &[&'static str],
    work: impl FnOnce() + Send + 'static,
    keep: impl Fn(&SinspEvent<'_>) -> bool,
    done: impl Fn(&[Row]) -> bool,
) -> Vec<Row> {
    let bound: Vec<(&'static str, BoundField)> = fields
        .iter()
        .map(|f| (*f, BoundField::parse(f).unwrap()))
        .collect();
    let worker = std::thread::spawn(work);
    let mut rows = Vec::new();
    let deadline = Instant::now() + TIMEOUT;
    while Instant::now() < deadline {
        match insp.next().expect("inspector") {
            SinspNext::Event(e) => {
                if keep(&e) {
                    let mut row = Row::new();
                    for (name, f) in &bound {
                        if let Some(v) = f.extract(&e) {
                            row.insert(*name, v.to_string());
                        }
                    }
                    rows.push(row);
                    if done(&rows) {
                        break;
                    }
                }
            }
            SinspNext::Timeout => {
                if done(&rows) {
                    break;
                }
            }
            SinspNext::Eof => break,
        }
    }
    worker.join().unwrap();
    rows
}

fn is_exec(e: &SinspEvent<'_>) -> bool {
    e.raw.event_type() == scap::schema::codes::PPME_SYSCALL_EXECVE_19_X
}

fn exepath(e: &SinspEvent<'_>) -> String {
    e.process.map(|p| p.exepath.clone()).unwrap_or_default()
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sinsp-live-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d.canonicalize().unwrap()
}

fn run(path: &Path) {
    let st = Command::new(path).status().unwrap();
    assert!(st.success(), "{} failed", path.display());
}

#[test]
fn overlay_upper_and_lower_layers() {
    let Some(mut insp) = inspector(&["execve", "procexit"]) else {
        return;
    };
    let d = scratch("overlay");
    for sub in ["lower", "upper", "work", "merged"] {
        std::fs::create_dir_all(d.join(sub)).unwrap();
    }
    std::fs::copy("/bin/true", d.join("lower/from-image")).unwrap();
    let st = Command::new("mount")
        .args(["-t", "overlay", "overlay", "-o"])
        .arg(format!(
            "lowerdir={},upperdir={},workdir={}",
            d.join("lower").display(),
            d.join("upper").display(),
            d.join("work").display()
        ))
        .arg(d.join("merged"))
        .status()
        .unwrap();
    assert!(st.success(), "mounting an overlay needs root and overlayfs");
    let merged = d.join("merged");
    let m2 = merged.clone();
    let rows = observe(
        &mut insp,
        &[
            "proc.exepath",
            "proc.is_exe_upper_layer",
            "proc.is_exe_lower_layer",
            "proc.is_exe_writable",
        ],
        move || {
            run(&m2.join("from-image"));
            std::fs::copy("/bin/true", m2.join("dropped")).unwrap();
            run(&m2.join("dropped"));
        },
        |e| is_exec(e) && exepath(e).starts_with(merged.to_str().unwrap()),
        |rows| rows.len() >= 2,
    );
    let _ = Command::new("umount").arg(d.join("merged")).status();
    let _ = std::fs::remove_dir_all(&d);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let (image, dropped) = (&rows[0], &rows[1]);
    assert!(image["proc.exepath"].ends_with("/merged/from-image"));
    assert_eq!(image["proc.is_exe_upper_layer"], "false");
    assert_eq!(image["proc.is_exe_lower_layer"], "true");
    assert!(dropped["proc.exepath"].ends_with("/merged/dropped"));
    assert_eq!(dropped["proc.is_exe_upper_layer"], "true");
    assert_eq!(dropped["proc.is_exe_lower_layer"], "false");
}

#[test]
fn memfd_execution_and_recently_changed_executables() {
    let Some(mut insp) = inspector(&[
        "execve", "execveat", "clone", "clone3", "fork", "vfork", "procexit",
    ]) else {
        return;
    };
    let d = scratch("fresh");
    let fresh = d.join("fresh-binary");
    let f2 = fresh.clone();
    let rows = observe(
        &mut insp,
        &[
            "proc.name",
            "proc.exepath",
            "proc.is_exe_from_memfd",
            "proc.exe_ino.ctime_duration_proc_start",
            "proc.exe_ino.ctime",
            "proc.exe_ino",
        ],
        move || {
            // Written and chmod'ed, then run at once.
            std::fs::copy("/bin/true", &f2).unwrap();
            std::fs::set_permissions(&f2, std::fs::Permissions::from_mode(0o755)).unwrap();
            run(&f2);
            // An old system binary.
            run(Path::new("/bin/true"));
            // Fileless: /bin/true from a memfd.
            let st = Command::new("python3")
                .args(["-c", "import os; fd=os.memfd_create('sinsp-fileless'); os.write(fd, open('/bin/true','rb').read()); os.execve(fd, ['fileless'], {})"])
                .status()
                .unwrap();
            assert!(st.success());
        },
        |e| is_exec(e) && e.raw.param(0).ok().and_then(|p| p.value().ok()?.as_i64()) == Some(0),
        |rows| {
            rows.iter().any(|r| {
                r.get("proc.exepath")
                    .is_some_and(|p| p.contains("memfd:sinsp-fileless"))
            })
        },
    );
    let _ = std::fs::remove_dir_all(&d);
    let by_path = |p: &str| {
        rows.iter()
            .find(|r| r.get("proc.exepath").is_some_and(|e| e == p))
            .unwrap_or_else(|| panic!("{p}: {rows:?}"))
    };
    let fresh_row = by_path(fresh.to_str().unwrap());
    let secs = fresh_row["proc.exe_ino.ctime_duration_proc_start"]
        .parse::<u64>()
        .unwrap() as f64
        / 1e9;
    assert!(secs < 5.0, "a binary written just before it ran: {secs} s");
    assert_eq!(fresh_row["proc.is_exe_from_memfd"], "false");
    let old = by_path("/usr/bin/true");
    let days = old["proc.exe_ino.ctime_duration_proc_start"]
        .parse::<u64>()
        .unwrap() as f64
        / 86400e9;
    assert!(days > 1.0, "/bin/true changed {days} days before it ran");
    let memfd = rows
        .iter()
        .find(|r| {
            r.get("proc.exepath")
                .is_some_and(|p| p.contains("memfd:sinsp-fileless"))
        })
        .unwrap();
    assert_eq!(memfd["proc.is_exe_from_memfd"], "true");
}

#[test]
fn pid_namespace_start_and_executables_created_inside() {
    let Some(mut insp) = inspector(&["execve", "clone", "clone3", "fork", "vfork", "procexit"])
    else {
        return;
    };
    let d = scratch("pidns");
    let newbin = d.join("created-in-ns");
    let script = format!(
        "sleep 0.3; cp /bin/true {0}; {0}; /bin/true",
        newbin.display()
    );
    let rows = observe(
        &mut insp,
        &[
            "proc.exepath",
            "proc.vpid",
            "proc.pid",
            "proc.pidns_init_start_ts",
            "proc.exe_ino.ctime_duration_pidns_start",
            "proc.exe_ino.ctime",
        ],
        move || {
            let st = Command::new("unshare")
                .args(["--pid", "--fork", "sh", "-c", &script])
                .status()
                .unwrap();
            assert!(st.success());
        },
        is_exec,
        |rows| {
            rows.iter().any(|r| {
                r.get("proc.exepath")
                    .is_some_and(|p| p.ends_with("created-in-ns"))
            }) && rows
                .iter()
                .filter(|r| r.get("proc.exepath").is_some_and(|p| p == "/usr/bin/true"))
                .count()
                >= 1
        },
    );
    let _ = std::fs::remove_dir_all(&d);
    let inside = rows
        .iter()
        .find(|r| {
            r.get("proc.exepath")
                .is_some_and(|p| p.ends_with("created-in-ns"))
        })
        .expect("the new binary ran");
    assert_ne!(
        inside["proc.vpid"], inside["proc.pid"],
        "it runs in its own pid namespace: {inside:?}"
    );
    let ns_start: u64 = inside["proc.pidns_init_start_ts"].parse().unwrap();
    let ctime: u64 = inside["proc.exe_ino.ctime"].parse().unwrap();
    assert!(
        ctime > ns_start,
        "the binary was created after the namespace started"
    );
    let dur: u64 = inside["proc.exe_ino.ctime_duration_pidns_start"]
        .parse()
        .unwrap();
    assert_eq!(dur, ctime - ns_start);
    assert!(dur < 10_000_000_000, "{dur} ns");
    // A binary from before the namespace: the field is not set.
    let old = rows
        .iter()
        .find(|r| {
            r.get("proc.exepath").is_some_and(|p| p == "/usr/bin/true")
                && r.get("proc.vpid") != r.get("proc.pid")
        })
        .expect("/bin/true ran inside the namespace");
    assert!(
        !old.contains_key("proc.exe_ino.ctime_duration_pidns_start"),
        "{old:?}"
    );
}

#[test]
fn a_process_in_a_docker_scope_cgroup_is_in_that_container() {
    let Some(mut insp) = inspector(&["execve", "openat", "clone", "procexit"]) else {
        return;
    };
    let id: String = (0..64)
        .map(|i| b"0123456789abcdef"[(i * 7 + 3) % 16] as char)
        .collect();
    let root = if Path::new("/sys/fs/cgroup/unified/cgroup.procs").exists() {
        "/sys/fs/cgroup/unified"
    } else {
        "/sys/fs/cgroup"
    };
    let slice = PathBuf::from(root).join(format!("sinsp-test-{}.slice", std::process::id()));
    let scope = slice.join(format!("docker-{id}.scope"));
    std::fs::create_dir_all(&scope).expect("creating a cgroup needs root and cgroup v2");
    let scope2 = scope.clone();
    let rows = observe(
        &mut insp,
        &[
            "container.id",
            "container.full_id",
            "container.type",
            "proc.name",
            "fd.name",
        ],
        move || {
            // A shell waits on stdin until it has been moved into the scope,
            // then execs cat, which opens a file.
            let mut child = Command::new("sh")
                .args(["-c", "read x; exec cat /etc/hostname"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::fs::write(scope2.join("cgroup.procs"), child.id().to_string()).unwrap();
            use std::io::Write;
            child.stdin.take().unwrap().write_all(b"go\n").unwrap();
            assert!(child.wait().unwrap().success());
        },
        |e| e.thread.is_some_and(|t| t.comm == "cat"),
        |rows| {
            rows.iter()
                .any(|r| r.get("fd.name").is_some_and(|n| n == "/etc/hostname"))
        },
    );
    let _ = std::fs::remove_dir(&scope);
    let _ = std::fs::remove_dir(&slice);
    let open = rows
        .iter()
        .find(|r| r.get("fd.name").is_some_and(|n| n == "/etc/hostname"))
        .expect("cat opened the file");
    assert_eq!(open["container.id"], &id[..12]);
    assert_eq!(open["container.full_id"], id);
    assert_eq!(open["container.type"], "docker");
}

#[test]
fn fd_names_and_socket_tuples() {
    let Some(mut insp) = inspector(&[
        "openat", "write", "close", "socket", "connect", "procexit", "execve", "clone", "chdir",
        "dup2",
    ]) else {
        return;
    };
    let d = scratch("fds");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let script = format!(
        "cd {dir} && echo data > rel.txt && exec 3<>/dev/tcp/127.0.0.1/{port} && echo hi >&3",
        dir = d.display()
    );
    let rows = observe(
        &mut insp,
        &[
            "evt.type",
            "fd.name",
            "fd.type",
            "fd.typechar",
            "fd.directory",
            "fd.filename",
            "fd.nameraw",
            "fd.cip",
            "fd.sip",
            "fd.cport",
            "fd.sport",
            "fd.lip",
            "fd.rip",
            "fd.lport",
            "fd.rport",
            "fd.l4proto",
            "fd.sockfamily",
            "fd.connected",
            "fd.is_server",
            "fd.num",
            "proc.name",
        ],
        move || {
            let st = Command::new("bash").args(["-c", &script]).status().unwrap();
            assert!(st.success());
            let _ = listener.accept();
        },
        |e| e.thread.is_some_and(|t| t.comm == "bash") && e.fd.is_some(),
        |rows| {
            rows.iter()
                .any(|r| r["evt.type"] == "write" && r.get("fd.type").is_some_and(|t| t == "ipv4"))
        },
    );
    let _ = std::fs::remove_dir_all(&d);
    let file = rows
        .iter()
        .find(|r| r["evt.type"] == "openat" && r.get("fd.filename").is_some_and(|f| f == "rel.txt"))
        .expect("the relative open");
    assert_eq!(file["fd.name"], d.join("rel.txt").to_str().unwrap());
    assert_eq!(file["fd.directory"], d.to_str().unwrap());
    assert_eq!(file["fd.nameraw"], "rel.txt");
    assert_eq!(
        (file["fd.type"].as_str(), file["fd.typechar"].as_str()),
        ("file", "f")
    );

    let w = rows
        .iter()
        .find(|r| r["evt.type"] == "write" && r.get("fd.type").is_some_and(|t| t == "ipv4"))
        .expect("the write to the socket");
    let cport: u16 = w["fd.cport"].parse().unwrap();
    assert_eq!(w["fd.name"], format!("127.0.0.1:{cport}->127.0.0.1:{port}"));
    assert_eq!(w["fd.sip"], "127.0.0.1");
    assert_eq!(w["fd.sport"], port.to_string());
    assert_eq!(w["fd.cip"], "127.0.0.1");
    // The client's own end is local.
    assert_eq!(w["fd.lport"], cport.to_string());
    assert_eq!(w["fd.rport"], port.to_string());
    assert_eq!(w["fd.l4proto"], "tcp");
    assert_eq!(w["fd.sockfamily"], "ip");
    assert_eq!(w["fd.connected"], "true");
    // bash writes `echo hi >&3` through stdout after dup2(3, 1): fd 1 is the
    // socket, which the dup2 parser carried over.
    assert_eq!(w["fd.num"], "1");
}

#[test]
fn identity_names_pipes_and_ancestors_follow_the_process() {
    let Some(mut insp) = inspector(&[
        "execve",
        "clone",
        "clone3",
        "fork",
        "vfork",
        "procexit",
        "setuid",
        "setresuid",
        "setgid",
        "prctl",
        "pipe2",
        "pipe",
        "memfd_create",
        "openat",
        "write",
    ]) else {
        return;
    };
    let d = scratch("identity");
    let marker = d.join("after-setuid");
    let m2 = marker.clone();
    // python3: rename itself, make a pipe and a memfd, drop to uid/gid 65534,
    // then open a file, from a shell started by a shell.
    let py = format!(
        "import os, ctypes; libc = ctypes.CDLL(None); libc.prctl(15, b'renamed-proc', 0, 0, 0); r, w = os.pipe(); os.write(w, b'x'); os.memfd_create('idmemfd'); os.setgid(65534); os.setuid(65534); open('{}', 'w')",
        m2.display()
    );
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o777)).unwrap();
    let rows = observe(
        &mut insp,
        &[
            "evt.type",
            "proc.name",
            "proc.pname",
            "proc.aname[2]",
            "proc.aname",
            "user.uid",
            "user.name",
            "group.gid",
            "fd.type",
            "fd.name",
            "proc.exepath",
            "proc.cmdline",
        ],
        move || {
            let st = Command::new("sh")
                .args(["-c", &format!("sh -c \"python3 -c \\\"{py}\\\"\"")])
                .status()
                .unwrap();
            assert!(st.success());
        },
        |e| {
            e.thread
                .is_some_and(|t| t.comm == "renamed-proc" || t.comm == "python3")
        },
        |rows| {
            rows.iter().any(|r| {
                r.get("fd.name")
                    .is_some_and(|n| n.ends_with("after-setuid"))
            })
        },
    );
    let _ = std::fs::remove_dir_all(&d);
    let open = rows
        .iter()
        .find(|r| {
            r.get("fd.name")
                .is_some_and(|n| n == marker.to_str().unwrap())
        })
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert_eq!(
        open["proc.name"], "renamed-proc",
        "prctl(PR_SET_NAME) renamed it"
    );
    assert_eq!(open["user.uid"], "65534");
    assert_eq!(open["group.gid"], "65534");
    assert_eq!(open["user.name"], "nobody");
    assert_eq!(open["proc.pname"], "sh");
    assert_eq!(open["proc.aname[2]"], "sh");
    // Every ancestor from the parent up, as far as the tables know them (the
    // test's own spawning thread predates nothing: the chain stops there).
    assert!(
        open["proc.aname"].starts_with("sh sh"),
        "{}",
        open["proc.aname"]
    );
    let pipe_write = rows
        .iter()
        .find(|r| r["evt.type"] == "write" && r.get("fd.type").is_some_and(|t| t == "pipe"))
        .expect("the write into the pipe");
    assert!(pipe_write["fd.name"].starts_with("pipe:["));
    assert!(rows.iter().any(|r| r["evt.type"] == "memfd_create"
        && r.get("fd.name").is_some_and(|n| n == "memfd:idmemfd")));
}

#[test]
fn tables_stay_bounded_under_a_fork_exit_storm() {
    let Some(engine) = scap::testing::open_live_or_skip(Config {
        syscalls: Some(
            [
                "execve", "clone", "clone3", "fork", "vfork", "procexit", "openat",
            ]
            .map(String::from)
            .to_vec(),
        ),
        ..Config::default()
    }) else {
        return;
    };
    let meta = snapshot(&SnapshotOptions::default()).unwrap();
    let limits = Limits {
        // 50 processes run at once below: room for fewer than that.
        max_threads: meta.threads.len() + 16,
        max_fds_per_process: 32,
    };
    let mut insp = Inspector::with_metadata(engine, &meta, limits);
    let baseline = insp.state().sizes().threads;
    // 1,500 short-lived processes, and one that opens 200 files.
    let mut sh = Command::new("sh")
        .args(["-c", "i=0; while [ $i -lt 1500 ]; do /bin/true & i=$((i+1)); [ $((i % 50)) -eq 0 ] && wait; done; wait; exec 3</dev/null; python3 -c \"fs=[open('/dev/null') for _ in range(200)]\""])
        .spawn()
        .unwrap();
    let sh_pid = i64::from(sh.id());
    let storm = std::thread::spawn(move || assert!(sh.wait().unwrap().success()));
    let mut max_threads = 0;
    let mut max_fds = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        match insp.next().unwrap() {
            SinspNext::Event(e) => {
                let s = e.state.sizes();
                max_threads = max_threads.max(s.threads);
                max_fds = max_fds.max(e.process.map_or(0, |p| p.fds.len()));
            }
            SinspNext::Timeout if storm.is_finished() => break,
            _ => {}
        }
    }
    storm.join().unwrap();
    // Drain what is left.
    while let SinspNext::Event(_) = insp.next().unwrap() {}
    let st = insp.state();
    assert!(
        max_threads <= limits.max_threads,
        "{max_threads} > {}",
        limits.max_threads
    );
    assert!(max_fds <= limits.max_fds_per_process, "{max_fds} fds");
    // Every storm process was either tracked and purged at its exit, or refused.
    assert!(
        st.stats.threads_removed + st.stats.threads_refused >= 1500,
        "{:?}",
        st.stats
    );
    assert!(
        st.stats.threads_refused > 0,
        "the cap was reached: {:?}",
        st.stats
    );
    assert!(st.stats.fds_refused > 0, "{:?}", st.stats);
    // Dead threads were purged: none of the storm's is left (the shell and
    // the children it forked: the python3 it became has the shell's pid).
    let left: Vec<_> = st
        .threads
        .values()
        .filter(|t| t.tid == sh_pid || t.pid == sh_pid || t.ptid == sh_pid)
        .map(|t| (t.tid, t.comm.clone()))
        .collect();
    assert!(left.is_empty(), "storm threads left: {left:?}");
    // And the table as a whole is back to about where it started (other
    // processes of the machine come and go meanwhile: a loose bound).
    assert!(
        st.sizes().threads <= baseline + 100,
        "{} threads left, {baseline} at start",
        st.sizes().threads
    );
}
