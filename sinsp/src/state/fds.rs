//! File descriptors: what each open fd of a process refers to.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use super::IdHasher;

/// The kind of an fd, with libsinsp's names (`fd.type`) and letters
/// (`fd.typechar`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FdKind {
    /// A regular file (or anything opened by path that is not a directory).
    File,
    /// A directory.
    Directory,
    /// An IPv4 socket.
    Ipv4,
    /// An IPv6 socket.
    Ipv6,
    /// A UNIX socket.
    Unix,
    /// A pipe or FIFO.
    Pipe,
    /// An eventfd.
    Event,
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
    /// A BPF object.
    Bpf,
    /// A userfaultfd.
    Userfaultfd,
    /// An io_uring instance.
    IoUring,
    /// A memfd.
    Memfd,
    /// A pidfd.
    Pidfd,
    /// Anything else.
    Unknown,
}

impl FdKind {
    /// `fd.type`.
    pub fn name(self) -> &'static str {
        match self {
            FdKind::File => "file",
            FdKind::Directory => "directory",
            FdKind::Ipv4 => "ipv4",
            FdKind::Ipv6 => "ipv6",
            FdKind::Unix => "unix",
            FdKind::Pipe => "pipe",
            FdKind::Event => "event",
            FdKind::Signalfd => "signalfd",
            FdKind::Eventpoll => "eventpoll",
            FdKind::Inotify => "inotify",
            FdKind::Timerfd => "timerfd",
            FdKind::Netlink => "netlink",
            FdKind::Bpf => "bpf",
            FdKind::Userfaultfd => "userfaultfd",
            FdKind::IoUring => "io_uring",
            FdKind::Memfd => "memfd",
            FdKind::Pidfd => "pidfd",
            FdKind::Unknown => "unknown",
        }
    }

    /// `fd.typechar`.
    pub fn letter(self) -> &'static str {
        match self {
            FdKind::File | FdKind::Directory => "f",
            FdKind::Ipv4 => "4",
            FdKind::Ipv6 => "6",
            FdKind::Unix | FdKind::Userfaultfd => "u",
            FdKind::Pipe => "p",
            FdKind::Event => "e",
            FdKind::Signalfd => "s",
            FdKind::Eventpoll => "l",
            FdKind::Inotify => "i",
            FdKind::Timerfd => "t",
            FdKind::Netlink => "n",
            FdKind::Bpf => "b",
            FdKind::IoUring => "r",
            FdKind::Memfd => "m",
            FdKind::Pidfd => "P",
            FdKind::Unknown => "o",
        }
    }

    /// A socket of any family.
    pub fn is_socket(self) -> bool {
        matches!(
            self,
            FdKind::Ipv4 | FdKind::Ipv6 | FdKind::Unix | FdKind::Netlink
        )
    }
}

/// Layer-4 protocol of a socket (`fd.l4proto`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum L4Proto {
    /// Unknown.
    #[default]
    Unknown,
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// ICMP.
    Icmp,
    /// A raw socket.
    Raw,
}

impl L4Proto {
    /// `fd.l4proto`.
    pub fn name(self) -> &'static str {
        match self {
            L4Proto::Unknown => "unknown",
            L4Proto::Tcp => "tcp",
            L4Proto::Udp => "udp",
            L4Proto::Icmp => "icmp",
            L4Proto::Raw => "raw",
        }
    }

    /// From a socket type (`SOCK_STREAM`...) and protocol number.
    pub fn from_socket(ty: u32, proto: u32) -> L4Proto {
        match (ty & 0xf, proto) {
            (_, 6) | (1, 0) => L4Proto::Tcp,
            (_, 17) | (2, 0) => L4Proto::Udp,
            (_, 1) | (_, 58) => L4Proto::Icmp,
            (3, _) => L4Proto::Raw,
            _ => L4Proto::Unknown,
        }
    }
}

/// The two ends of a connection: `client` initiated it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tuple {
    /// The initiator.
    pub client: SocketAddr,
    /// The other end.
    pub server: SocketAddr,
}

/// Which end of its connection a socket is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Role {
    /// Not known yet.
    #[default]
    None,
    /// It connected (or sent first).
    Client,
    /// It was bound and listened, or accepted the connection.
    Server,
}

/// One open file descriptor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FdInfo {
    /// What it is.
    pub kind: FdKind,
    /// `fd.name`: an absolute path, a connection `cip:cport->sip:sport`, a
    /// UNIX path, or a pseudo name (`pipe:[1234]`).
    pub name: String,
    /// `fd.nameraw`: the path exactly as the syscall received it, when it
    /// differs from `name` (empty otherwise).
    pub name_raw: String,
    /// Open flags (`PPM_O_*`), for files.
    pub flags: u32,
    /// Device (kernel encoding, `major << 20 | minor`).
    pub dev: u32,
    /// Inode number.
    pub ino: u64,
    /// Socket: layer-4 protocol.
    pub l4proto: L4Proto,
    /// Socket: the connection's ends, once known.
    pub tuple: Option<Tuple>,
    /// Socket: the address it is bound to (servers).
    pub bound: Option<SocketAddr>,
    /// Socket: client or server.
    pub role: Role,
    /// Socket: connected.
    pub connected: bool,
    /// UNIX socket: kernel addresses of this end and its peer.
    pub unix_ends: (u64, u64),
    /// The file is in an overlayfs upper layer.
    pub upper_layer: bool,
    /// The file is in an overlayfs lower layer.
    pub lower_layer: bool,
    /// Closed at exec (O_CLOEXEC).
    pub cloexec: bool,
    /// The name changed at the last event that touched this fd.
    pub name_changed: bool,
    /// A pidfd: the process it refers to (host pid, 0 when unknown).
    pub target_pid: i64,
}

impl FdInfo {
    /// An fd of `kind` called `name`.
    pub fn new(kind: FdKind, name: impl Into<String>) -> FdInfo {
        FdInfo {
            kind,
            name: name.into(),
            name_raw: String::new(),
            flags: 0,
            dev: 0,
            ino: 0,
            l4proto: L4Proto::Unknown,
            tuple: None,
            bound: None,
            role: Role::None,
            connected: false,
            unix_ends: (0, 0),
            upper_layer: false,
            lower_layer: false,
            cloexec: false,
            name_changed: false,
            target_pid: 0,
        }
    }

    /// Back to a fresh fd of `kind`, keeping the strings' capacity (fds are
    /// recycled by their table: opening and closing files then allocates
    /// nothing once warm).
    pub fn reset(&mut self, kind: FdKind) {
        let mut name = std::mem::take(&mut self.name);
        let mut name_raw = std::mem::take(&mut self.name_raw);
        name.clear();
        name_raw.clear();
        *self = FdInfo {
            name,
            name_raw,
            ..FdInfo::new(kind, String::new())
        };
    }

    /// Records the connection's ends and renames the fd `cip:cport->sip:sport`.
    pub fn set_tuple(&mut self, tuple: Tuple, role: Role) {
        let name = tuple_name(&tuple);
        self.name_changed = name != self.name;
        self.name = name;
        self.tuple = Some(tuple);
        self.role = role;
        self.connected = true;
    }

    /// The client IP, for sockets with a tuple.
    pub fn client_ip(&self) -> Option<IpAddr> {
        self.tuple.map(|t| t.client.ip())
    }

    /// The server IP: the tuple's, or the bound address.
    pub fn server_ip(&self) -> Option<IpAddr> {
        self.tuple
            .map(|t| t.server.ip())
            .or(self.bound.map(|b| b.ip()))
    }

    /// The client port.
    pub fn client_port(&self) -> Option<u16> {
        self.tuple.map(|t| t.client.port())
    }

    /// The server port.
    pub fn server_port(&self) -> Option<u16> {
        self.tuple
            .map(|t| t.server.port())
            .or(self.bound.map(|b| b.port()))
    }
}

/// `cip:cport->sip:sport`, with IPv6 addresses unbracketed as libsinsp prints them.
pub fn tuple_name(t: &Tuple) -> String {
    format!(
        "{}:{}->{}:{}",
        t.client.ip(),
        t.client.port(),
        t.server.ip(),
        t.server.port()
    )
}

/// The unspecified address of the family of `ip`.
pub fn unspecified_like(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}

/// Fds below this number live in a vector indexed by fd; above, in a map.
const DENSE_FDS: i64 = 1024;

/// The fds of one process. Fd numbers are small and dense (the kernel hands
/// out the lowest free one), so most lookups are an index, not a hash.
///
/// A fork copies its parent's table; the fds themselves are shared (a
/// reference count each) and copied only when one side changes one, so a
/// fork costs one allocation, not three per fd.
#[derive(Debug, Default)]
pub struct FdTable {
    dense: Vec<Option<Arc<FdInfo>>>,
    sparse: HashMap<i64, Arc<FdInfo>, std::hash::BuildHasherDefault<IdHasher>>,
    len: usize,
    /// Closed fds kept for reuse (only ones no other table shares), with
    /// their strings' memory: a warm open after a close allocates nothing.
    spare: Vec<Arc<FdInfo>>,
}

/// How many closed fds a table keeps for reuse.
const SPARE_FDS: usize = 4;

impl Clone for FdTable {
    /// A copy of the open fds (a fork), sharing them; the spares stay behind.
    fn clone(&self) -> FdTable {
        FdTable {
            dense: self.dense.clone(),
            sparse: self.sparse.clone(),
            len: self.len,
            spare: Vec::new(),
        }
    }
}

impl FdTable {
    /// The fd `num`.
    #[inline]
    pub fn get(&self, num: i64) -> Option<&FdInfo> {
        if (0..DENSE_FDS).contains(&num) {
            self.dense.get(num as usize)?.as_deref()
        } else {
            self.sparse.get(&num).map(|b| &**b)
        }
    }

    /// The fd `num`, mutably (copied first when another table shares it).
    pub fn get_mut(&mut self, num: i64) -> Option<&mut FdInfo> {
        if (0..DENSE_FDS).contains(&num) {
            self.dense
                .get_mut(num as usize)?
                .as_mut()
                .map(Arc::make_mut)
        } else {
            self.sparse.get_mut(&num).map(Arc::make_mut)
        }
    }

    /// Adds or replaces fd `num`. Returns false (and adds nothing) when the
    /// table already holds `max` fds.
    pub fn insert(&mut self, num: i64, fd: FdInfo, max: usize) -> bool {
        let exists = self.get(num).is_some();
        if !exists && self.len >= max {
            return false;
        }
        self.put(num, Arc::new(fd));
        true
    }

    /// Adds or replaces fd `num`, filled in place by `init` (on a recycled
    /// fd when there is one). Returns false (and adds nothing) when the table
    /// already holds `max` fds.
    pub fn insert_with(
        &mut self,
        num: i64,
        kind: FdKind,
        max: usize,
        init: impl FnOnce(&mut FdInfo),
    ) -> bool {
        let exists = self.get(num).is_some();
        if !exists && self.len >= max {
            return false;
        }
        let mut fd = self
            .spare
            .pop()
            .unwrap_or_else(|| Arc::new(FdInfo::new(kind, String::new())));
        // Spares are never shared, so this does not copy.
        let f = Arc::make_mut(&mut fd);
        f.reset(kind);
        init(f);
        self.put(num, fd);
        true
    }

    /// Stores `fd` as `num`, recycling the fd it replaces.
    fn put(&mut self, num: i64, fd: Arc<FdInfo>) {
        let old = if (0..DENSE_FDS).contains(&num) {
            let i = num as usize;
            if self.dense.len() <= i {
                self.dense.resize_with(i + 1, || None);
            }
            self.dense[i].replace(fd)
        } else {
            self.sparse.insert(num, fd)
        };
        match old {
            Some(old) => self.recycle(old),
            None => self.len += 1,
        }
    }

    fn recycle(&mut self, fd: Arc<FdInfo>) {
        // A shared fd stays with the tables that still hold it.
        if self.spare.len() < SPARE_FDS && Arc::strong_count(&fd) == 1 {
            self.spare.push(fd);
        }
    }

    fn take(&mut self, num: i64) -> Option<Arc<FdInfo>> {
        let removed = if (0..DENSE_FDS).contains(&num) {
            self.dense.get_mut(num as usize).and_then(Option::take)
        } else {
            self.sparse.remove(&num)
        };
        if removed.is_some() {
            self.len -= 1;
        }
        removed
    }

    /// Closes fd `num`, keeping its memory for the next open. Returns whether
    /// it was open.
    pub fn discard(&mut self, num: i64) -> bool {
        match self.take(num) {
            Some(fd) => {
                self.recycle(fd);
                true
            }
            None => false,
        }
    }

    /// Removes fd `num`.
    pub fn remove(&mut self, num: i64) -> Option<FdInfo> {
        self.take(num).map(Arc::unwrap_or_clone)
    }

    /// Number of open fds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// No open fds.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// All fds, the dense ones in order.
    pub fn iter(&self) -> impl Iterator<Item = (i64, &FdInfo)> {
        self.dense
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.as_deref().map(|f| (i as i64, f)))
            .chain(self.sparse.iter().map(|(k, v)| (*k, &**v)))
    }

    /// Drops the fds marked close-on-exec.
    pub fn close_on_exec(&mut self) {
        let mut removed = 0;
        for slot in &mut self.dense {
            if slot.as_ref().is_some_and(|f| f.cloexec) {
                *slot = None;
                removed += 1;
            }
        }
        let before = self.sparse.len();
        self.sparse.retain(|_, f| !f.cloexec);
        self.len -= removed + (before - self.sparse.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_and_sparse_fds_behave_alike() {
        let mut t = FdTable::default();
        for n in [0, 3, 1500, 7] {
            assert!(t.insert(n, FdInfo::new(FdKind::File, format!("/f{n}")), 10));
        }
        assert_eq!(t.len(), 4);
        assert_eq!(t.get(1500).unwrap().name, "/f1500");
        assert_eq!(t.get(3).unwrap().name, "/f3");
        assert!(t.get(4).is_none() && t.get(-1).is_none() && t.get(99999).is_none());
        // Replacing does not count twice.
        assert!(t.insert(3, FdInfo::new(FdKind::Pipe, "pipe:[1]"), 4));
        assert_eq!(t.len(), 4);
        // Full: a new fd is refused.
        assert!(!t.insert(8, FdInfo::new(FdKind::File, "/x"), 4));
        let mut c = FdInfo::new(FdKind::File, "/cloexec");
        c.cloexec = true;
        assert!(t.insert(9, c.clone(), 10));
        assert!(t.insert(2000, c, 10));
        t.close_on_exec();
        assert_eq!(t.len(), 4);
        assert_eq!(t.remove(1500).unwrap().name, "/f1500");
        assert_eq!(t.remove(1500), None);
        assert_eq!(t.len(), 3);
        let nums: Vec<i64> = t.iter().map(|(n, _)| n).collect();
        assert_eq!(nums, vec![0, 3, 7]);
        // In-place inserts reuse closed fds and count like inserts.
        assert!(t.discard(7));
        assert!(!t.discard(7));
        assert!(t.insert_with(5, FdKind::Directory, 10, |f| f.name.push_str("/tmp")));
        assert_eq!(
            t.get(5).map(|f| (f.kind, f.name.as_str())),
            Some((FdKind::Directory, "/tmp"))
        );
        assert_eq!(t.len(), 3);
        assert!(t.insert_with(5, FdKind::File, 3, |f| f.name.push_str("/etc/passwd")));
        assert_eq!(
            t.get(5).map(|f| (f.kind, f.name.as_str(), f.cloexec)),
            Some((FdKind::File, "/etc/passwd", false))
        );
        assert!(!t.insert_with(6, FdKind::File, 3, |_| {}));
    }

    #[test]
    fn a_forked_table_shares_fds_until_one_side_changes_them() {
        let mut parent = FdTable::default();
        for (n, name) in [(0, "/dev/null"), (3, "/a"), (2000, "/b")] {
            assert!(parent.insert(n, FdInfo::new(FdKind::File, name), 10));
        }
        let mut child = parent.clone();
        // Shared, not copied.
        assert!(std::ptr::eq(parent.get(3).unwrap(), child.get(3).unwrap()));
        // The child renames one fd, closes another, reuses a number.
        child.get_mut(3).unwrap().name = "/renamed".into();
        child.get_mut(2000).unwrap().cloexec = true;
        assert!(child.discard(0));
        assert!(child.insert_with(0, FdKind::Pipe, 10, |f| f.name.push_str("pipe:[9]")));
        // The parent still sees its own fds.
        let names = |t: &FdTable| -> Vec<(i64, String, bool)> {
            t.iter()
                .map(|(n, f)| (n, f.name.clone(), f.cloexec))
                .collect()
        };
        assert_eq!(
            names(&parent),
            [
                (0, "/dev/null", false),
                (3, "/a", false),
                (2000, "/b", false)
            ]
            .map(|(n, s, c)| (n, s.to_string(), c))
        );
        assert_eq!(
            names(&child),
            [
                (0, "pipe:[9]", false),
                (3, "/renamed", false),
                (2000, "/b", true)
            ]
            .map(|(n, s, c)| (n, s.to_string(), c))
        );
        // And the parent closing one does not reach the child.
        assert_eq!(parent.remove(2000).unwrap().name, "/b");
        assert_eq!(child.get(2000).unwrap().name, "/b");
        assert_eq!((parent.len(), child.len()), (2, 3));
    }
}
