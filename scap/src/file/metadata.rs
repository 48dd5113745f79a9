//! The metadata a capture carries before its events: the machine, its network
//! interfaces, users and groups, and every thread with its open file
//! descriptors. The same plain structs are produced by the reader, consumed by
//! the writer and filled from `/proc` by [`snapshot`](crate::file::snapshot).
//!
//! Text that comes from a process (command names, paths, arguments) is kept as
//! raw bytes: Linux does not promise UTF-8, and a capture must round-trip
//! exactly. Names from the system databases (users, groups, interfaces, host
//! name) are `String`s, decoded lossily.

use std::net::{Ipv4Addr, Ipv6Addr};

/// The section header: the file format version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SectionHeader {
    /// Major version (1).
    pub major: u16,
    /// Minor version (0 in old files, 2 in current ones).
    pub minor: u16,
}

/// The machine-info block (`scap_machine_info`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MachineInfo {
    /// Number of online CPUs.
    pub num_cpus: u32,
    /// Physical memory in bytes.
    pub memory_size_bytes: u64,
    /// The kernel's `pid_max`.
    pub max_pid: u64,
    /// Host name (at most 127 bytes are stored).
    pub hostname: String,
    /// Host boot time, ns since the epoch (1-second granularity when derived
    /// from `btime` in `/proc/stat`).
    pub boot_ts_epoch: u64,
    /// Reserved flags (0).
    pub flags: u64,
    /// Reserved.
    pub reserved3: u64,
    /// Reserved.
    pub reserved4: u64,
}

/// `scap_fd_type` values as stored in FD-list entries.
pub mod fd_type {
    /// Not initialised.
    pub const UNINITIALIZED: u8 = 0;
    /// Regular file, legacy entry with only a name.
    pub const FILE: u8 = 1;
    /// Directory.
    pub const DIRECTORY: u8 = 2;
    /// Connected IPv4 socket.
    pub const IPV4_SOCK: u8 = 3;
    /// Connected IPv6 socket.
    pub const IPV6_SOCK: u8 = 4;
    /// Listening IPv4 socket.
    pub const IPV4_SERVSOCK: u8 = 5;
    /// Listening IPv6 socket.
    pub const IPV6_SERVSOCK: u8 = 6;
    /// Pipe or FIFO.
    pub const FIFO: u8 = 7;
    /// UNIX socket.
    pub const UNIX_SOCK: u8 = 8;
    /// eventfd.
    pub const EVENT: u8 = 9;
    /// Anything else.
    pub const UNSUPPORTED: u8 = 10;
    /// signalfd.
    pub const SIGNALFD: u8 = 11;
    /// epoll.
    pub const EVENTPOLL: u8 = 12;
    /// inotify.
    pub const INOTIFY: u8 = 13;
    /// timerfd.
    pub const TIMERFD: u8 = 14;
    /// Netlink socket.
    pub const NETLINK: u8 = 15;
    /// Regular file with open flags and device.
    pub const FILE_V2: u8 = 16;
    /// BPF object.
    pub const BPF: u8 = 17;
    /// userfaultfd.
    pub const USERFAULTFD: u8 = 18;
    /// io_uring.
    pub const IOURING: u8 = 19;
    /// memfd.
    pub const MEMFD: u8 = 20;
    /// pidfd.
    pub const PIDFD: u8 = 21;
}

/// The FD kinds whose entries hold only a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NamedFdKind {
    /// A legacy file entry (type 1) with no flags or device.
    File,
    /// A directory.
    Directory,
    /// A pipe or FIFO.
    Fifo,
    /// An eventfd.
    Event,
    /// A kind libscap does not model.
    Unsupported,
    /// A signalfd.
    Signalfd,
    /// An epoll instance.
    Eventpoll,
    /// An inotify instance.
    Inotify,
    /// A timerfd.
    Timerfd,
    /// A netlink socket.
    Netlink,
    /// A BPF map, program or link.
    Bpf,
    /// A userfaultfd.
    Userfaultfd,
    /// An io_uring instance.
    IoUring,
    /// A memfd.
    Memfd,
    /// A pidfd.
    Pidfd,
}

impl NamedFdKind {
    /// The `scap_fd_type` value.
    pub fn type_code(self) -> u8 {
        use fd_type::*;
        match self {
            NamedFdKind::File => FILE,
            NamedFdKind::Directory => DIRECTORY,
            NamedFdKind::Fifo => FIFO,
            NamedFdKind::Event => EVENT,
            NamedFdKind::Unsupported => UNSUPPORTED,
            NamedFdKind::Signalfd => SIGNALFD,
            NamedFdKind::Eventpoll => EVENTPOLL,
            NamedFdKind::Inotify => INOTIFY,
            NamedFdKind::Timerfd => TIMERFD,
            NamedFdKind::Netlink => NETLINK,
            NamedFdKind::Bpf => BPF,
            NamedFdKind::Userfaultfd => USERFAULTFD,
            NamedFdKind::IoUring => IOURING,
            NamedFdKind::Memfd => MEMFD,
            NamedFdKind::Pidfd => PIDFD,
        }
    }

    /// The kind of a `scap_fd_type` value, when its entries hold only a name.
    pub fn from_type_code(code: u8) -> Option<NamedFdKind> {
        use fd_type::*;
        Some(match code {
            FILE => NamedFdKind::File,
            DIRECTORY => NamedFdKind::Directory,
            FIFO => NamedFdKind::Fifo,
            EVENT => NamedFdKind::Event,
            UNSUPPORTED => NamedFdKind::Unsupported,
            SIGNALFD => NamedFdKind::Signalfd,
            EVENTPOLL => NamedFdKind::Eventpoll,
            INOTIFY => NamedFdKind::Inotify,
            TIMERFD => NamedFdKind::Timerfd,
            NETLINK => NamedFdKind::Netlink,
            BPF => NamedFdKind::Bpf,
            USERFAULTFD => NamedFdKind::Userfaultfd,
            IOURING => NamedFdKind::IoUring,
            MEMFD => NamedFdKind::Memfd,
            PIDFD => NamedFdKind::Pidfd,
            _ => return None,
        })
    }
}

/// Layer-4 protocol values of FD entries (`SCAP_L4_*`).
pub mod l4 {
    /// Unknown.
    pub const UNKNOWN: u8 = 0;
    /// Not applicable.
    pub const NA: u8 = 1;
    /// TCP.
    pub const TCP: u8 = 2;
    /// UDP.
    pub const UDP: u8 = 3;
    /// ICMP.
    pub const ICMP: u8 = 4;
    /// Raw.
    pub const RAW: u8 = 5;
}

/// What an open file descriptor refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FdInfo {
    /// A regular file (`FILE_V2`).
    File {
        /// Open flags (`PPM_O_*` bits, as in open events).
        open_flags: u32,
        /// The path.
        path: Vec<u8>,
        /// Device number in the kernel's encoding (`major << 20 | minor`), 0
        /// when absent.
        dev: u32,
    },
    /// A connected IPv4 socket; `src` is the local side.
    Ipv4 {
        /// Source address.
        src: Ipv4Addr,
        /// Destination address.
        dst: Ipv4Addr,
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
        /// [`l4`] protocol.
        l4proto: u8,
    },
    /// A listening (or unconnected) IPv4 socket.
    Ipv4Server {
        /// Bound address.
        ip: Ipv4Addr,
        /// Bound port.
        port: u16,
        /// [`l4`] protocol.
        l4proto: u8,
    },
    /// A connected IPv6 socket; `src` is the local side.
    Ipv6 {
        /// Source address.
        src: Ipv6Addr,
        /// Destination address.
        dst: Ipv6Addr,
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
        /// [`l4`] protocol.
        l4proto: u8,
    },
    /// A listening (or unconnected) IPv6 socket.
    Ipv6Server {
        /// Bound address.
        ip: Ipv6Addr,
        /// Bound port.
        port: u16,
        /// [`l4`] protocol.
        l4proto: u8,
    },
    /// A UNIX socket.
    Unix {
        /// Kernel address of this socket (0 when unknown).
        source: u64,
        /// Kernel address of the peer (0 when unknown).
        dest: u64,
        /// The bound path.
        path: Vec<u8>,
    },
    /// A kind whose entry holds only a name.
    Named {
        /// The kind.
        kind: NamedFdKind,
        /// The name (a path, or e.g. `pipe:[1234]`, `anon_inode:[eventfd]`).
        name: Vec<u8>,
    },
    /// An entry of a type this reader does not know, kept verbatim (only
    /// possible in FD list V2, whose entries carry their length).
    Unknown {
        /// The `scap_fd_type` value.
        fd_type: u8,
        /// The bytes after the type.
        data: Vec<u8>,
    },
}

impl FdInfo {
    /// The `scap_fd_type` value written for this entry.
    pub fn type_code(&self) -> u8 {
        match self {
            FdInfo::File { .. } => fd_type::FILE_V2,
            FdInfo::Ipv4 { .. } => fd_type::IPV4_SOCK,
            FdInfo::Ipv4Server { .. } => fd_type::IPV4_SERVSOCK,
            FdInfo::Ipv6 { .. } => fd_type::IPV6_SOCK,
            FdInfo::Ipv6Server { .. } => fd_type::IPV6_SERVSOCK,
            FdInfo::Unix { .. } => fd_type::UNIX_SOCK,
            FdInfo::Named { kind, .. } => kind.type_code(),
            FdInfo::Unknown { fd_type, .. } => *fd_type,
        }
    }
}

/// One open file descriptor of a thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FdEntry {
    /// The descriptor number.
    pub fd: i64,
    /// Inode number (0 when unknown).
    pub ino: u64,
    /// What it refers to.
    pub info: FdInfo,
}

/// `PPM_CL_*` thread flags used in process-list entries.
pub mod thread_flags {
    /// The thread shares its file table with its process.
    pub const CLONE_FILES: u32 = 1;
    /// The thread is not the main thread of its process.
    pub const CLONE_THREAD: u32 = 1 << 13;
    /// The thread lives in a child PID namespace.
    pub const CHILD_IN_PIDNS: u32 = 1 << 29;
}

/// One thread of the process list (PL V9 entry), with its open files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadEntry {
    /// Thread id (host namespace).
    pub tid: u64,
    /// Process id (thread group id).
    pub pid: u64,
    /// Parent process id.
    pub ptid: u64,
    /// Session id.
    pub sid: u64,
    /// Process group id in the process's own PID namespace.
    pub vpgid: u64,
    /// Command name (`comm`, at most 15 bytes in the kernel).
    pub comm: Vec<u8>,
    /// `argv[0]`.
    pub exe: Vec<u8>,
    /// Full path of the executable.
    pub exepath: Vec<u8>,
    /// Arguments after `argv[0]`, NUL-separated.
    pub args: Vec<u8>,
    /// Working directory.
    pub cwd: Vec<u8>,
    /// Soft limit on open files.
    pub fdlimit: u64,
    /// `PPM_CL_*` flags (see [`thread_flags`]).
    pub flags: u32,
    /// Effective user id.
    pub uid: u32,
    /// Effective group id.
    pub gid: u32,
    /// Virtual memory size, KiB.
    pub vmsize_kb: u32,
    /// Resident set size, KiB.
    pub vmrss_kb: u32,
    /// Swapped-out memory, KiB.
    pub vmswap_kb: u32,
    /// Major page faults.
    pub pfmajor: u64,
    /// Minor page faults.
    pub pfminor: u64,
    /// Environment, NUL-separated `NAME=value` items.
    pub env: Vec<u8>,
    /// Thread id in the thread's own PID namespace.
    pub vtid: i64,
    /// Process id in the thread's own PID namespace.
    pub vpid: i64,
    /// Control groups, NUL-separated `subsystem=path` items.
    pub cgroups: Vec<u8>,
    /// Root directory.
    pub root: Vec<u8>,
    /// Start time of the PID namespace's init, epoch ns (0 when unknown).
    pub pidns_init_start_ts: u64,
    /// Controlling terminal (0 when none).
    pub tty: u32,
    /// Audit login uid (`u32::MAX` when unset or absent from the file).
    pub loginuid: u32,
    /// The executable is writable by the thread's credentials.
    pub exe_writable: bool,
    /// Inheritable capabilities.
    pub cap_inheritable: u64,
    /// Permitted capabilities.
    pub cap_permitted: u64,
    /// Effective capabilities.
    pub cap_effective: u64,
    /// The executable is in an overlayfs upper layer.
    pub exe_upper_layer: bool,
    /// Inode of the executable (0 when unknown).
    pub exe_ino: u64,
    /// ctime of the executable's inode, epoch ns.
    pub exe_ino_ctime: u64,
    /// mtime of the executable's inode, epoch ns.
    pub exe_ino_mtime: u64,
    /// The executable is a memfd.
    pub exe_from_memfd: bool,
    /// The executable is in an overlayfs lower layer.
    pub exe_lower_layer: bool,
    /// Process group id (host namespace; -1 when absent from the file).
    pub pgid: i64,
    /// Open file descriptors (in files: from the FD-list block of this tid).
    pub fds: Vec<FdEntry>,
}

/// Iterates over a NUL-separated list (`args`, `env`, `cgroups`), without
/// the NULs. A missing final NUL is tolerated; an empty buffer has no items.
pub fn nul_separated(b: &[u8]) -> impl Iterator<Item = &[u8]> {
    let b = b.strip_suffix(&[0]).unwrap_or(b);
    let empty = b.is_empty();
    b.split(|c| *c == 0).filter(move |_| !empty)
}

impl ThreadEntry {
    /// The arguments after `argv[0]`.
    pub fn args(&self) -> impl Iterator<Item = &[u8]> {
        nul_separated(&self.args)
    }

    /// The environment items.
    pub fn env(&self) -> impl Iterator<Item = &[u8]> {
        nul_separated(&self.env)
    }

    /// The `subsystem=path` cgroup items.
    pub fn cgroups(&self) -> impl Iterator<Item = &[u8]> {
        nul_separated(&self.cgroups)
    }

    /// The main thread of its process.
    pub fn is_main_thread(&self) -> bool {
        self.tid == self.pid
    }

    /// `comm`, decoded lossily.
    pub fn comm_str(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.comm)
    }
}

/// The process-list entry type: libscap keeps one entry per thread.
pub type ProcessEntry = ThreadEntry;

/// A user account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserEntry {
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Login name.
    pub name: String,
    /// Home directory.
    pub homedir: String,
    /// Login shell.
    pub shell: String,
}

/// A group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupEntry {
    /// Group id.
    pub gid: u32,
    /// Group name.
    pub name: String,
}

/// The addresses of one interface entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InterfaceAddrs {
    /// IPv4.
    V4 {
        /// Address.
        addr: Ipv4Addr,
        /// Netmask.
        netmask: Ipv4Addr,
        /// Broadcast (or point-to-point peer) address.
        broadcast: Ipv4Addr,
    },
    /// IPv6.
    V6 {
        /// Address.
        addr: Ipv6Addr,
        /// Netmask.
        netmask: Ipv6Addr,
        /// Broadcast (or point-to-point peer) address.
        broadcast: Ipv6Addr,
    },
}

/// One address of a network interface (an interface with several addresses
/// has several entries).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceEntry {
    /// Interface name.
    pub name: String,
    /// Addresses.
    pub addrs: InterfaceAddrs,
    /// Link speed, when recorded (entry types 1 and 2; types 3 and 4 have
    /// none).
    pub link_speed: Option<u64>,
}

/// Everything a capture holds before its events.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    /// The machine-info block, if present.
    pub machine: Option<MachineInfo>,
    /// Interface addresses, IPv4 entries first when read from a file.
    pub interfaces: Vec<InterfaceEntry>,
    /// Users.
    pub users: Vec<UserEntry>,
    /// Groups.
    pub groups: Vec<GroupEntry>,
    /// Threads, in file order, each with its FDs.
    pub threads: Vec<ThreadEntry>,
}

impl Metadata {
    /// The thread with this tid.
    pub fn thread(&self, tid: u64) -> Option<&ThreadEntry> {
        self.threads.iter().find(|t| t.tid == tid)
    }

    /// Threads whose `comm` is exactly `comm`.
    pub fn threads_named<'a>(&'a self, comm: &'a str) -> impl Iterator<Item = &'a ThreadEntry> {
        self.threads
            .iter()
            .filter(move |t| t.comm == comm.as_bytes())
    }
}
