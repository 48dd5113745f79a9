//! What the running kernel supports, and the checks the live engine makes
//! before loading so that failures say what is missing.

use std::os::fd::{AsRawFd, BorrowedFd};
use std::path::Path;

use libbpf_rs::libbpf_sys;
use libbpf_rs::MapType;

use crate::error::{Error, Result};

/// Where the kernel publishes its own BTF.
pub const VMLINUX_BTF: &str = "/sys/kernel/btf/vmlinux";

/// A yes/no/unknown answer (unknown when probing needs privileges we lack).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// Supported.
    Yes,
    /// Not supported.
    No,
    /// Could not be probed (usually: not privileged).
    Unknown,
}

impl From<libbpf_rs::Result<bool>> for Feature {
    fn from(r: libbpf_rs::Result<bool>) -> Feature {
        match r {
            Ok(true) => Feature::Yes,
            Ok(false) => Feature::No,
            Err(_) => Feature::Unknown,
        }
    }
}

/// What the running kernel offers the probe.
#[derive(Clone, Debug)]
pub struct KernelSupport {
    /// `uname -r`.
    pub release: String,
    /// `uname -m`.
    pub machine: String,
    /// Kernel BTF at [`VMLINUX_BTF`].
    pub btf: bool,
    /// `BPF_MAP_TYPE_RINGBUF` (5.8).
    pub ringbuf: Feature,
    /// `BPF_PROG_TYPE_TRACING`, needed by `tp_btf` programs (5.5).
    pub tracing: Feature,
    /// `BPF_MAP_TYPE_ARRAY_OF_MAPS`, holding the per-CPU rings.
    pub array_of_maps: Feature,
    /// The current RLIMIT_MEMLOCK soft limit (`None` = unlimited).
    pub memlock: Option<u64>,
    /// Kernel ≥ 5.11 charges BPF memory to the memory cgroup, not RLIMIT_MEMLOCK.
    pub memcg_accounting: bool,
    /// Running as root or with CAP_BPF (effective).
    pub privileged: bool,
}

impl KernelSupport {
    /// True when every required feature is present (unknowns count as absent).
    pub fn can_capture(&self) -> bool {
        self.btf
            && self.ringbuf == Feature::Yes
            && self.tracing == Feature::Yes
            && self.array_of_maps == Feature::Yes
            && self.privileged
    }

    /// Why capture is not possible, in the order a user should fix things.
    pub fn missing(&self) -> Vec<String> {
        let mut v = Vec::new();
        if !self.privileged {
            v.push("privileges: run as root (or with CAP_BPF and CAP_PERFMON)".to_string());
        }
        if !self.btf {
            v.push(format!(
                "kernel BTF ({VMLINUX_BTF}): needs CONFIG_DEBUG_INFO_BTF=y"
            ));
        }
        for (name, f) in [
            ("BPF ring buffers (kernel ≥ 5.8)", self.ringbuf),
            ("tp_btf tracing programs (kernel ≥ 5.5)", self.tracing),
            ("BPF array-of-maps", self.array_of_maps),
        ] {
            match f {
                Feature::No => v.push(name.to_string()),
                Feature::Unknown if self.privileged => v.push(format!("{name} (could not probe)")),
                _ => {}
            }
        }
        v
    }
}

fn uname() -> (String, String) {
    // SAFETY: utsname is plain old data; uname fills it.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: u is a valid out-pointer.
    if unsafe { libc::uname(&mut u) } != 0 {
        return (String::new(), String::new());
    }
    let field = |f: &[libc::c_char]| {
        let bytes: Vec<u8> = f
            .iter()
            .take_while(|c| **c != 0)
            .map(|c| *c as u8)
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    (field(&u.release), field(&u.machine))
}

/// (major, minor) of the running kernel.
pub fn kernel_version() -> (u32, u32) {
    let (release, _) = uname();
    let mut it = release
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|s| s.parse().ok());
    (it.next().unwrap_or(0), it.next().unwrap_or(0))
}

fn memlock() -> Option<u64> {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: r is a valid out-pointer.
    unsafe { libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut r) };
    if r.rlim_cur == libc::RLIM_INFINITY {
        None
    } else {
        Some(r.rlim_cur)
    }
}

fn has_cap_bpf() -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        return true;
    }
    // CapEff from /proc/self/status; CAP_BPF is bit 39, CAP_SYS_ADMIN bit 21.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("CapEff:"))
                .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        })
        .is_some_and(|caps| caps & (1 << 39) != 0 || caps & (1 << 21) != 0)
}

/// Reports what the running kernel supports.
pub fn kernel_support() -> KernelSupport {
    let (release, machine) = uname();
    let (maj, min) = kernel_version();
    let privileged = has_cap_bpf();
    // Unprivileged probes fail with EPERM, which says nothing about the kernel.
    let probe = |f: Feature| if privileged { f } else { Feature::Unknown };
    KernelSupport {
        release,
        machine,
        btf: Path::new(VMLINUX_BTF).exists(),
        ringbuf: probe(MapType::RingBuf.is_supported().into()),
        tracing: probe(probe_tp_btf()),
        array_of_maps: probe(MapType::ArrayOfMaps.is_supported().into()),
        memlock: memlock(),
        memcg_accounting: (maj, min) >= (5, 11),
        privileged,
    }
}

/// Can a `tp_btf/sys_exit` program load? libbpf's generic type probe cannot
/// answer for tracing programs (they need an attach target), so load the
/// smallest one the probe could contain: `r0 = 0; exit`, attached by BTF id
/// to the sys_exit raw tracepoint.
fn probe_tp_btf() -> Feature {
    // SAFETY: a NUL-terminated name and a valid attach type.
    let id = unsafe {
        libbpf_sys::libbpf_find_vmlinux_btf_id(c"sys_exit".as_ptr(), libbpf_sys::BPF_TRACE_RAW_TP)
    };
    if id < 0 {
        return Feature::No;
    }
    let mut mov = libbpf_sys::bpf_insn {
        code: 0xb7, // BPF_ALU64 | BPF_MOV | BPF_K: r0 = imm
        ..Default::default()
    };
    mov.set_dst_reg(0);
    let exit = libbpf_sys::bpf_insn {
        code: 0x95, // BPF_JMP | BPF_EXIT
        ..Default::default()
    };
    let insns = [mov, exit];
    let mut opts = libbpf_sys::bpf_prog_load_opts {
        sz: std::mem::size_of::<libbpf_sys::bpf_prog_load_opts>() as _,
        expected_attach_type: libbpf_sys::BPF_TRACE_RAW_TP,
        attach_btf_id: id as u32,
        ..Default::default()
    };
    // SAFETY: insns is a valid array of 2 instructions and opts a valid,
    // sized options struct, both alive for the call; the license is
    // NUL-terminated.
    let fd = unsafe {
        libbpf_sys::bpf_prog_load(
            libbpf_sys::BPF_PROG_TYPE_TRACING,
            std::ptr::null(),
            c"GPL".as_ptr(),
            insns.as_ptr(),
            insns.len() as _,
            &mut opts,
        )
    };
    if fd >= 0 {
        // SAFETY: fd was just returned to us and is closed once.
        unsafe { libc::close(fd) };
        Feature::Yes
    } else if matches!(-fd, libc::EPERM | libc::EACCES) {
        Feature::Unknown
    } else {
        Feature::No
    }
}

/// Fails with a clear error when the kernel lacks what the probe needs: BTF,
/// BPF ring buffers, tp_btf programs. Features that cannot be probed (no
/// privileges) are left for the load itself to report.
pub fn check_kernel() -> Result<()> {
    if !Path::new(VMLINUX_BTF).exists() {
        return Err(Error::NoBtf);
    }
    // Unprivileged, every feature probe fails with EPERM, which libbpf's
    // probes report as "unsupported": say what is really wrong instead.
    if !has_cap_bpf() {
        return Err(Error::Permission {
            op: "loading BPF programs as an unprivileged user".into(),
            source: std::io::Error::from_raw_os_error(libc::EPERM),
        });
    }
    if MapType::RingBuf.is_supported().ok() == Some(false) {
        return Err(Error::Unsupported {
            feature: "BPF ring buffers",
            hint: "they arrived in Linux 5.8; upgrade the kernel",
        });
    }
    if probe_tp_btf() == Feature::No {
        return Err(Error::Unsupported {
            feature: "BTF-enabled raw tracepoint programs (tp_btf) on sys_exit",
            hint: "they need Linux ≥ 5.5 with CONFIG_DEBUG_INFO_BTF=y and the syscall tracepoints",
        });
    }
    Ok(())
}

/// Raises RLIMIT_MEMLOCK as far as allowed. Failing is fatal only on kernels
/// that still charge BPF memory to it (< 5.11) and only when the limit is low.
pub fn raise_memlock() -> Result<()> {
    let inf = libc::rlimit {
        rlim_cur: libc::RLIM_INFINITY,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: inf is a valid rlimit.
    if unsafe { libc::setrlimit(libc::RLIMIT_MEMLOCK, &inf) } == 0 {
        return Ok(());
    }
    // Without CAP_SYS_RESOURCE: at least lift the soft limit to the hard one.
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: r is a valid out-pointer.
    unsafe { libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut r) };
    r.rlim_cur = r.rlim_max;
    // SAFETY: r is a valid rlimit.
    unsafe { libc::setrlimit(libc::RLIMIT_MEMLOCK, &r) };
    if kernel_version() >= (5, 11) {
        return Ok(());
    }
    match memlock() {
        Some(cur) if cur < (64 << 20) => Err(Error::Memlock { current: cur }),
        _ => Ok(()),
    }
}

/// The kernel's runtime counters of a loaded program.
pub(crate) struct ProgInfo {
    pub recursion_misses: u64,
    pub run_cnt: u64,
    pub run_time_ns: u64,
}

pub(crate) fn prog_info(fd: BorrowedFd<'_>) -> Option<ProgInfo> {
    let mut info = libbpf_rs::libbpf_sys::bpf_prog_info::default();
    let mut len = std::mem::size_of_val(&info) as u32;
    // SAFETY: info is a zeroed bpf_prog_info of `len` bytes (no pointers to
    // arrays are set, so the kernel only fills scalar fields); fd is a live
    // program fd for the duration of the call.
    let ret = unsafe {
        libbpf_rs::libbpf_sys::bpf_prog_get_info_by_fd(fd.as_raw_fd(), &mut info, &mut len)
    };
    (ret == 0).then_some(ProgInfo {
        recursion_misses: info.recursion_misses,
        run_cnt: info.run_cnt,
        run_time_ns: info.run_time_ns,
    })
}
