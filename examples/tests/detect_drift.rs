//! detect-drift live, as root, against the real thing: a binary copied into a
//! real overlay mount's upper layer and run, and a binary run from a real
//! memfd. Required in CI (SCAP_REQUIRE_LIVE=1).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_detect-drift");

/// Unmounts and removes the scratch directory however the test ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.join("merged")).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Kills the detector however the test ends.
struct Detector(Child);

impl Drop for Detector {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn mount_overlay(d: &Path) {
    for sub in ["lower", "upper", "work", "merged"] {
        std::fs::create_dir_all(d.join(sub)).unwrap();
    }
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
}

#[test]
fn alerts_on_upper_layer_and_memfd_executions() {
    if !scap::kernel_support().can_capture() {
        assert!(
            !scap::testing::live_required(),
            "live capture required but impossible: {:?}",
            scap::kernel_support().missing()
        );
        eprintln!("SKIPPED: live capture unavailable");
        return;
    }
    let d = std::env::temp_dir().join(format!("detect-drift-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let d = d.canonicalize().unwrap();
    let _scratch = Scratch(d.clone());
    mount_overlay(&d);
    // An image binary: in the lower layer, older than the test.
    std::fs::copy("/bin/true", d.join("lower/from-image")).unwrap();

    let mut det = Detector(
        Command::new(BIN)
            .args(["-M", "60"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut err = BufReader::new(det.0.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    assert!(line.contains("watching"), "detector did not start: {line}");
    // Alerts arrive on another thread so the test can give up on time.
    let (tx, rx) = mpsc::channel::<Value>();
    let out = BufReader::new(det.0.stdout.take().unwrap());
    std::thread::spawn(move || {
        for l in out.lines().map_while(Result::ok) {
            let v: Value = serde_json::from_str(&l).expect("every alert line is JSON");
            if tx.send(v).is_err() {
                break;
            }
        }
    });

    // The image binary: no alert expected for it.
    let image = Command::new(d.join("merged/from-image")).spawn().unwrap();
    let image_pid = image.id();
    // Drift: a binary written into the container, then run.
    std::fs::copy("/bin/true", d.join("merged/dropped")).unwrap();
    let mut dropped = Command::new(d.join("merged/dropped")).spawn().unwrap();
    let dropped_pid = dropped.id();
    // Fileless: /bin/true from a memfd, exec'd in place (same pid).
    let mut fileless = Command::new("python3")
        .args(["-c", "import os; fd = os.memfd_create('drift-test'); os.write(fd, open('/bin/true','rb').read()); os.execve(fd, ['fileless'], {})"])
        .spawn()
        .unwrap();
    let fileless_pid = fileless.id();
    let mut system = Command::new("/bin/true").spawn().unwrap();
    let system_pid = system.id();
    // A failed exec spawns nothing: the forked child of this test (known
    // only from /proc, so its exe times are "not known") must not alert.
    assert!(Command::new(d.join("merged/missing")).spawn().is_err());
    let mut image = image;
    for c in [&mut image, &mut dropped, &mut fileless, &mut system] {
        assert!(c.wait().unwrap().success());
    }

    let pid_of = |a: &Value| {
        a["output_fields"]["proc.pid"]
            .to_string()
            .trim_matches('"')
            .parse::<u32>()
            .ok()
    };
    let mut alerts: Vec<Value> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let want = |alerts: &[Value], pid: u32, rule: &str| {
        alerts
            .iter()
            .any(|a| pid_of(a) == Some(pid) && a["rule"] == rule)
    };
    const DRIFT: &str = "Drop and execute new binary in container";
    const MEMFD: &str = "Fileless execution via memfd_create";
    const FRESH: &str = "Executable created or modified just before it ran";
    while !(want(&alerts, dropped_pid, DRIFT)
        && want(&alerts, fileless_pid, MEMFD)
        && want(&alerts, image_pid, FRESH))
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(a) => alerts.push(a),
            Err(_) => panic!("missing alerts; got {alerts:#?}"),
        }
    }
    // Whatever else was on its way.
    while let Ok(a) = rx.recv_timeout(Duration::from_millis(500)) {
        alerts.push(a);
    }

    // Falco's alert shape.
    for a in &alerts {
        for k in ["time", "rule", "priority", "output", "output_fields"] {
            assert!(a.get(k).is_some(), "{k} missing in {a}");
        }
        let t = a["time"].as_str().unwrap();
        assert!(
            t.len() == 30 && t.ends_with('Z') && &t[10..11] == "T",
            "{t}"
        );
        assert!(a["output"].as_str().unwrap().starts_with(t));
    }
    let drift = alerts
        .iter()
        .find(|a| pid_of(a) == Some(dropped_pid) && a["rule"] == DRIFT)
        .unwrap();
    assert_eq!(drift["priority"], "Critical");
    let exe = drift["output_fields"]["proc.exepath"].as_str().unwrap();
    assert_eq!(Path::new(exe), d.join("merged/dropped"));
    // Copied a moment ago: also freshly written.
    assert!(want(&alerts, dropped_pid, FRESH), "{alerts:#?}");
    let memfd = alerts
        .iter()
        .find(|a| pid_of(a) == Some(fileless_pid) && a["rule"] == MEMFD)
        .unwrap();
    assert!(memfd["output_fields"]["proc.exepath"]
        .as_str()
        .unwrap()
        .contains("memfd:drift-test"));
    // The lower-layer binary is the image's: no drift (it was copied into
    // the lower directory seconds ago, so it is freshly written, though).
    assert!(!want(&alerts, image_pid, DRIFT), "{alerts:#?}");
    assert!(want(&alerts, image_pid, FRESH), "{alerts:#?}");
    let me = std::env::current_exe().unwrap();
    assert!(
        !alerts
            .iter()
            .any(|a| a["output_fields"]["proc.exepath"].as_str() == me.to_str()),
        "{alerts:#?}"
    );
    // A binary of the system, unchanged for long: nothing at all.
    if old_enough("/bin/true") {
        assert!(
            !alerts.iter().any(|a| pid_of(a) == Some(system_pid)),
            "{alerts:#?}"
        );
    }
}

/// Has `path` been unchanged (ctime) for more than a minute?
fn old_enough(path: &str) -> bool {
    use std::os::unix::fs::MetadataExt;
    let ctime = std::fs::metadata(path).unwrap().ctime();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    now - ctime > 60
}
