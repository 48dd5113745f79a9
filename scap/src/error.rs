//! Errors of the scap layer. Each says what went wrong and, where the user can
//! do something about it, what to do.

use crate::event::DecodeError;

/// Everything that can go wrong opening or reading an event source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The process lacks the privileges to load BPF programs.
    #[error(
        "permission denied loading the probe ({op}): run as root, or grant CAP_BPF, \
         CAP_PERFMON and CAP_SYS_RESOURCE (e.g. `sudo setcap cap_bpf,cap_perfmon,cap_sys_resource+ep BINARY`)"
    )]
    Permission {
        /// The operation that was refused.
        op: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// The kernel does not expose its BTF, which CO-RE and tp_btf need.
    #[error(
        "the kernel has no BTF at /sys/kernel/btf/vmlinux: the probe needs a kernel built with \
         CONFIG_DEBUG_INFO_BTF=y (most distribution kernels since 5.8 are)"
    )]
    NoBtf,

    /// A kernel feature the probe needs is missing.
    #[error("the running kernel lacks {feature}: {hint}")]
    Unsupported {
        /// What is missing.
        feature: &'static str,
        /// What to do about it.
        hint: &'static str,
    },

    /// The verifier rejected a program.
    #[error("the BPF verifier rejected program `{program}`: {source}\n--- verifier log (tail) ---\n{log}")]
    Verifier {
        /// The program's name.
        program: String,
        /// The last lines of the verifier log.
        log: String,
        /// libbpf's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// RLIMIT_MEMLOCK is too low and cannot be raised, on a kernel that still
    /// charges BPF memory to it (before 5.11).
    #[error(
        "RLIMIT_MEMLOCK is {current} bytes and cannot be raised: this kernel charges BPF maps \
         to it; run as root with CAP_SYS_RESOURCE or raise the limit (`ulimit -l unlimited`)"
    )]
    Memlock {
        /// The current soft limit.
        current: u64,
    },

    /// Another libbpf operation failed.
    #[error("{op} failed: {source}")]
    Bpf {
        /// What was being done.
        op: String,
        /// libbpf's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// A system call failed.
    #[error("{op} failed: {source}")]
    Io {
        /// What was being done.
        op: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },

    /// The configuration is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),

    /// An event could not be decoded.
    #[error("malformed event: {0}")]
    Decode(#[from] DecodeError),

    /// The ring buffer broke its own protocol (a record longer than the ring,
    /// or misaligned positions). Reading stops rather than guess.
    #[error("ring buffer {ring} is corrupt: {what}")]
    RingCorrupt {
        /// Which ring.
        ring: usize,
        /// What was seen.
        what: String,
    },

    /// A capture file could not be read or written.
    #[error("capture file: {0}")]
    File(#[from] crate::file::FileError),
}

impl Error {
    #[cfg_attr(not(feature = "live"), allow(dead_code))]
    pub(crate) fn io(op: impl Into<String>, source: std::io::Error) -> Error {
        let op = op.into();
        if matches!(
            source.raw_os_error(),
            Some(libc::EPERM) | Some(libc::EACCES)
        ) {
            Error::Permission { op, source }
        } else {
            Error::Io { op, source }
        }
    }

    #[cfg(feature = "live")]
    pub(crate) fn bpf(op: impl Into<String>, source: libbpf_rs::Error) -> Error {
        let op = op.into();
        match source.kind() {
            libbpf_rs::ErrorKind::PermissionDenied => Error::Permission {
                op,
                source: std::io::Error::from_raw_os_error(libc::EPERM),
            },
            _ => Error::Bpf {
                op,
                source: Box::new(source),
            },
        }
    }
}

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
