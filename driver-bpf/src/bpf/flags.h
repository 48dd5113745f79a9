/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Kernel flag and enumeration values, converted to the schema's (the
 * PPM_<TABLE>_<NAME> constants of ppm_schema.h). Even where the two agree
 * today, each bit is mapped by name: the schema's values are a protocol of
 * their own, and a bit the schema does not know is dropped rather than passed
 * on to be misread as one it does.
 *
 * The kernel values are the uapi ones, identical on x86_64 and arm64 unless an
 * #if says otherwise (the open flags are in kernel.h).
 */
#ifndef __FLAGS_H__
#define __FLAGS_H__

#include "kernel.h"

/* ---- *at() flags ---- */
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_SYMLINK_FOLLOW 0x400
#define AT_NO_AUTOMOUNT 0x800
#define AT_EMPTY_PATH 0x1000

static __always_inline u32 unlinkat_flags_to_ppm(u32 f)
{
	return (f & AT_REMOVEDIR) ? PPM_UNLINKAT_FLAGS_AT_REMOVEDIR : 0;
}

static __always_inline u32 linkat_flags_to_ppm(u32 f)
{
	u32 r = 0;
	if (f & AT_SYMLINK_FOLLOW) r |= PPM_LINKAT_FLAGS_AT_SYMLINK_FOLLOW;
	if (f & AT_EMPTY_PATH) r |= PPM_LINKAT_FLAGS_AT_EMPTY_PATH;
	return r;
}

static __always_inline u32 fchownat_flags_to_ppm(u32 f)
{
	u32 r = 0;
	if (f & AT_SYMLINK_NOFOLLOW) r |= PPM_FCHOWNAT_FLAGS_AT_SYMLINK_NOFOLLOW;
	if (f & AT_EMPTY_PATH) r |= PPM_FCHOWNAT_FLAGS_AT_EMPTY_PATH;
	return r;
}

static __always_inline u32 newfstatat_flags_to_ppm(u32 f)
{
	u32 r = 0;
	if (f & AT_SYMLINK_NOFOLLOW) r |= PPM_NEWFSTATAT_FLAGS_AT_SYMLINK_NOFOLLOW;
	if (f & AT_NO_AUTOMOUNT) r |= PPM_NEWFSTATAT_FLAGS_AT_NO_AUTOMOUNT;
	if (f & AT_EMPTY_PATH) r |= PPM_NEWFSTATAT_FLAGS_AT_EMPTY_PATH;
	return r;
}

#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define RENAME_WHITEOUT 4

static __always_inline u32 renameat2_flags_to_ppm(u32 f)
{
	u32 r = 0;
	if (f & RENAME_NOREPLACE) r |= PPM_RENAMEAT2_FLAGS_RENAME_NOREPLACE;
	if (f & RENAME_EXCHANGE) r |= PPM_RENAMEAT2_FLAGS_RENAME_EXCHANGE;
	if (f & RENAME_WHITEOUT) r |= PPM_RENAMEAT2_FLAGS_RENAME_WHITEOUT;
	return r;
}

/* ---- modes ---- */
#define S_IFIFO 0010000
#define S_IFCHR 0020000
#define S_IFBLK 0060000

static __always_inline u32 chmod_mode_to_ppm(u32 m)
{
	u32 r = 0;
	if (m & 00001) r |= PPM_CHMOD_MODE_S_IXOTH;
	if (m & 00002) r |= PPM_CHMOD_MODE_S_IWOTH;
	if (m & 00004) r |= PPM_CHMOD_MODE_S_IROTH;
	if (m & 00010) r |= PPM_CHMOD_MODE_S_IXGRP;
	if (m & 00020) r |= PPM_CHMOD_MODE_S_IWGRP;
	if (m & 00040) r |= PPM_CHMOD_MODE_S_IRGRP;
	if (m & 00100) r |= PPM_CHMOD_MODE_S_IXUSR;
	if (m & 00200) r |= PPM_CHMOD_MODE_S_IWUSR;
	if (m & 00400) r |= PPM_CHMOD_MODE_S_IRUSR;
	if (m & 01000) r |= PPM_CHMOD_MODE_S_ISVTX;
	if (m & 02000) r |= PPM_CHMOD_MODE_S_ISGID;
	if (m & 04000) r |= PPM_CHMOD_MODE_S_ISUID;
	return r;
}

static __always_inline u32 mknod_mode_to_ppm(u32 m)
{
	u32 r = 0;
	if (m & 00001) r |= PPM_MKNOD_MODE_S_IXOTH;
	if (m & 00002) r |= PPM_MKNOD_MODE_S_IWOTH;
	if (m & 00004) r |= PPM_MKNOD_MODE_S_IROTH;
	if (m & 00010) r |= PPM_MKNOD_MODE_S_IXGRP;
	if (m & 00020) r |= PPM_MKNOD_MODE_S_IWGRP;
	if (m & 00040) r |= PPM_MKNOD_MODE_S_IRGRP;
	if (m & 00100) r |= PPM_MKNOD_MODE_S_IXUSR;
	if (m & 00200) r |= PPM_MKNOD_MODE_S_IWUSR;
	if (m & 00400) r |= PPM_MKNOD_MODE_S_IRUSR;
	if (m & 01000) r |= PPM_MKNOD_MODE_S_ISVTX;
	if (m & 02000) r |= PPM_MKNOD_MODE_S_ISGID;
	if (m & 04000) r |= PPM_MKNOD_MODE_S_ISUID;
	switch (m & S_IFMT) {
	case S_IFREG: r |= PPM_MKNOD_MODE_S_IFREG; break;
	case S_IFCHR: r |= PPM_MKNOD_MODE_S_IFCHR; break;
	case S_IFBLK: r |= PPM_MKNOD_MODE_S_IFBLK; break;
	case S_IFIFO: r |= PPM_MKNOD_MODE_S_IFIFO; break;
	case S_IFSOCK: r |= PPM_MKNOD_MODE_S_IFSOCK; break;
	}
	return r;
}

/* A device number as user space passes it to mknod (glibc's makedev:
 * minor bits 0-7 and 20-31, major bits 8-19) in the kernel's own encoding
 * (major << 20 | minor), the one every other dev parameter uses. */
static __always_inline u32 user_dev_to_kernel(u32 dev)
{
	u32 major = (dev >> 8) & 0xfff;
	u32 minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
	return (major << 20) | minor;
}

/* ---- fd creation flags: O_CLOEXEC and O_NONBLOCK under their own names
 * (EFD_*, IN_*, SFD_*, TFD_*, UFFD_* use the O_* values) ---- */
static __always_inline u32 fd_flags_to_ppm(u32 f)
{
	u32 r = 0;
	if (f & O_CLOEXEC) r |= PPM_FILE_FLAGS_O_CLOEXEC;
	if (f & O_NONBLOCK) r |= PPM_FILE_FLAGS_O_NONBLOCK;
	return r;
}

/* ---- fcntl ---- */
static __always_inline u8 fcntl_cmd_to_ppm(u32 cmd)
{
	switch (cmd) {
	case 0: return PPM_FCNTL_COMMANDS_F_DUPFD;
	case 1: return PPM_FCNTL_COMMANDS_F_GETFD;
	case 2: return PPM_FCNTL_COMMANDS_F_SETFD;
	case 3: return PPM_FCNTL_COMMANDS_F_GETFL;
	case 4: return PPM_FCNTL_COMMANDS_F_SETFL;
	case 5: return PPM_FCNTL_COMMANDS_F_GETLK;
	case 6: return PPM_FCNTL_COMMANDS_F_SETLK;
	case 7: return PPM_FCNTL_COMMANDS_F_SETLKW;
	case 8: return PPM_FCNTL_COMMANDS_F_SETOWN;
	case 9: return PPM_FCNTL_COMMANDS_F_GETOWN;
	case 10: return PPM_FCNTL_COMMANDS_F_SETSIG;
	case 11: return PPM_FCNTL_COMMANDS_F_GETSIG;
	case 15: return PPM_FCNTL_COMMANDS_F_SETOWN_EX;
	case 16: return PPM_FCNTL_COMMANDS_F_GETOWN_EX;
	case 36: return PPM_FCNTL_COMMANDS_F_OFD_GETLK;
	case 37: return PPM_FCNTL_COMMANDS_F_OFD_SETLK;
	case 38: return PPM_FCNTL_COMMANDS_F_OFD_SETLKW;
	case 1024: return PPM_FCNTL_COMMANDS_F_SETLEASE;
	case 1025: return PPM_FCNTL_COMMANDS_F_GETLEASE;
	case 1026: return PPM_FCNTL_COMMANDS_F_NOTIFY;
	case 1029: return PPM_FCNTL_COMMANDS_F_CANCELLK;
	case 1030: return PPM_FCNTL_COMMANDS_F_DUPFD_CLOEXEC;
	case 1031: return PPM_FCNTL_COMMANDS_F_SETPIPE_SZ;
	case 1032: return PPM_FCNTL_COMMANDS_F_GETPIPE_SZ;
	}
	return PPM_FCNTL_COMMANDS_UNKNOWN;
}

#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)

static __always_inline u32 close_range_flags_to_ppm(u32 f)
{
	u32 r = 0;
	if (f & CLOSE_RANGE_UNSHARE) r |= PPM_CLOSE_RANGE_FLAGS_CLOSE_RANGE_UNSHARE;
	if (f & CLOSE_RANGE_CLOEXEC) r |= PPM_CLOSE_RANGE_FLAGS_CLOSE_RANGE_CLOEXEC;
	return r;
}

/* ---- mounts ---- */
#define MS_MGC_VAL 0xC0ED0000U
#define MS_MGC_MSK 0xffff0000U

static __always_inline u32 mount_flags_to_ppm(u32 f)
{
	/* Before 2.4 the high half had to hold a magic number. */
	if ((f & MS_MGC_MSK) == MS_MGC_VAL)
		f &= ~MS_MGC_MSK;
	u32 r = 0;
	if (f & (1U << 0)) r |= PPM_MOUNT_FLAGS_RDONLY;
	if (f & (1U << 1)) r |= PPM_MOUNT_FLAGS_NOSUID;
	if (f & (1U << 2)) r |= PPM_MOUNT_FLAGS_NODEV;
	if (f & (1U << 3)) r |= PPM_MOUNT_FLAGS_NOEXEC;
	if (f & (1U << 4)) r |= PPM_MOUNT_FLAGS_SYNCHRONOUS;
	if (f & (1U << 5)) r |= PPM_MOUNT_FLAGS_REMOUNT;
	if (f & (1U << 6)) r |= PPM_MOUNT_FLAGS_MANDLOCK;
	if (f & (1U << 7)) r |= PPM_MOUNT_FLAGS_DIRSYNC;
	if (f & (1U << 10)) r |= PPM_MOUNT_FLAGS_NOATIME;
	if (f & (1U << 11)) r |= PPM_MOUNT_FLAGS_NODIRATIME;
	if (f & (1U << 12)) r |= PPM_MOUNT_FLAGS_BIND;
	if (f & (1U << 13)) r |= PPM_MOUNT_FLAGS_MOVE;
	if (f & (1U << 14)) r |= PPM_MOUNT_FLAGS_REC;
	if (f & (1U << 15)) r |= PPM_MOUNT_FLAGS_SILENT;
	if (f & (1U << 16)) r |= PPM_MOUNT_FLAGS_POSIXACL;
	if (f & (1U << 17)) r |= PPM_MOUNT_FLAGS_UNBINDABLE;
	if (f & (1U << 18)) r |= PPM_MOUNT_FLAGS_PRIVATE;
	if (f & (1U << 19)) r |= PPM_MOUNT_FLAGS_SLAVE;
	if (f & (1U << 20)) r |= PPM_MOUNT_FLAGS_SHARED;
	if (f & (1U << 21)) r |= PPM_MOUNT_FLAGS_RELATIME;
	if (f & (1U << 22)) r |= PPM_MOUNT_FLAGS_KERNMOUNT;
	if (f & (1U << 23)) r |= PPM_MOUNT_FLAGS_I_VERSION;
	if (f & (1U << 24)) r |= PPM_MOUNT_FLAGS_STRICTATIME;
	if (f & (1U << 25)) r |= PPM_MOUNT_FLAGS_LAZYTIME;
	if (f & (1U << 28)) r |= PPM_MOUNT_FLAGS_NOSEC;
	if (f & (1U << 29)) r |= PPM_MOUNT_FLAGS_BORN;
	if (f & (1U << 30)) r |= PPM_MOUNT_FLAGS_ACTIVE;
	if (f & (1U << 31)) r |= PPM_MOUNT_FLAGS_NOUSER;
	return r;
}

static __always_inline u32 umount_flags_to_ppm(u32 f)
{
	u32 r = 0;
	if (f & 1) r |= PPM_UMOUNT_FLAGS_FORCE;
	if (f & 2) r |= PPM_UMOUNT_FLAGS_DETACH;
	if (f & 4) r |= PPM_UMOUNT_FLAGS_EXPIRE;
	if (f & 8) r |= PPM_UMOUNT_FLAGS_NOFOLLOW;
	return r;
}

/* ---- I/O ---- */
static __always_inline u32 splice_flags_to_ppm(u32 f)
{
	u32 r = 0;
	if (f & 1) r |= PPM_SPLICE_FLAGS_SPLICE_F_MOVE;
	if (f & 2) r |= PPM_SPLICE_FLAGS_SPLICE_F_NONBLOCK;
	if (f & 4) r |= PPM_SPLICE_FLAGS_SPLICE_F_MORE;
	if (f & 8) r |= PPM_SPLICE_FLAGS_SPLICE_F_GIFT;
	return r;
}

static __always_inline u32 flock_flags_to_ppm(u32 f)
{
	u32 r = 0;
	if (f & 1) r |= PPM_FLOCK_FLAGS_LOCK_SH;
	if (f & 2) r |= PPM_FLOCK_FLAGS_LOCK_EX;
	if (f & 4) r |= PPM_FLOCK_FLAGS_LOCK_NB;
	if (f & 8) r |= PPM_FLOCK_FLAGS_LOCK_UN;
	return r;
}

static __always_inline u8 lseek_whence_to_ppm(u32 w)
{
	switch (w) {
	case 0: return PPM_LSEEK_WHENCE_SEEK_SET;
	case 1: return PPM_LSEEK_WHENCE_SEEK_CUR;
	case 2: return PPM_LSEEK_WHENCE_SEEK_END;
	}
	/* SEEK_DATA, SEEK_HOLE: the schema has no names for them; keep the number. */
	return (u8)w;
}

/* io_uring_params.flags (IORING_SETUP_*) */
static __always_inline u32 io_uring_setup_flags_to_ppm(u32 f)
{
	u32 r = 0;
	if (f & (1U << 0)) r |= PPM_IO_URING_SETUP_FLAGS_IORING_SETUP_IOPOLL;
	if (f & (1U << 1)) r |= PPM_IO_URING_SETUP_FLAGS_IORING_SETUP_SQPOLL;
	if (f & (1U << 2)) r |= PPM_IO_URING_SETUP_FLAGS_IORING_SETUP_SQ_AFF;
	if (f & (1U << 3)) r |= PPM_IO_URING_SETUP_FLAGS_IORING_SETUP_CQSIZE;
	if (f & (1U << 4)) r |= PPM_IO_URING_SETUP_FLAGS_IORING_SETUP_CLAMP;
	if (f & (1U << 5)) r |= PPM_IO_URING_SETUP_FLAGS_IORING_SETUP_ATTACH_RW;
	if (f & (1U << 6)) r |= PPM_IO_URING_SETUP_FLAGS_IORING_SETUP_R_DISABLED;
	return r;
}

/* io_uring_params.features (IORING_FEAT_*): the eleven the schema names have
 * the kernel's values. */
static __always_inline u32 io_uring_feats_to_ppm(u32 f)
{
	return f & 0x7ff;
}

/* ---- poll ---- */
static __always_inline u16 poll_events_to_ppm(u16 ev)
{
	u16 r = 0;
	if (ev & 0x0001) r |= PPM_POLL_FLAGS_POLLIN;
	if (ev & 0x0002) r |= PPM_POLL_FLAGS_POLLPRI;
	if (ev & 0x0004) r |= PPM_POLL_FLAGS_POLLOUT;
	if (ev & 0x2000) r |= PPM_POLL_FLAGS_POLLRDHUP;
	if (ev & 0x0008) r |= PPM_POLL_FLAGS_POLLERR;
	if (ev & 0x0010) r |= PPM_POLL_FLAGS_POLLHUP;
	if (ev & 0x0020) r |= PPM_POLL_FLAGS_POLLNVAL;
	if (ev & 0x0040) r |= PPM_POLL_FLAGS_POLLRDNORM;
	if (ev & 0x0080) r |= PPM_POLL_FLAGS_POLLRDBAND;
	if (ev & 0x0100) r |= PPM_POLL_FLAGS_POLLWRNORM;
	if (ev & 0x0200) r |= PPM_POLL_FLAGS_POLLWRBAND;
	return r;
}

#define EPOLL_CLOEXEC O_CLOEXEC

/* ---- sockets ---- */
#define SOL_SOCKET 1
#define SOL_TCP 6

static __always_inline u8 sockopt_level_to_ppm(u32 level)
{
	switch (level) {
	case SOL_SOCKET: return PPM_SOCKOPT_LEVELS_SOL_SOCKET;
	case SOL_TCP: return PPM_SOCKOPT_LEVELS_SOL_TCP;
	}
	return PPM_SOCKOPT_LEVELS_UNKNOWN;
}

/* SO_* of asm-generic/socket.h (x86_64 and arm64 use it). */
#define SO_ERROR 4
#define SO_RCVTIMEO_OLD 20
#define SO_SNDTIMEO_OLD 21
#define SO_MEMINFO 55
#define SO_COOKIE 57
#define SO_PEERGROUPS 59
#define SO_RCVTIMEO_NEW 66
#define SO_SNDTIMEO_NEW 67

/* The schema's option names are SOL_SOCKET's: up to SO_ATTACH_BPF (50) the
 * numbers agree; three later ones are renumbered. Options of other levels
 * keep their number (the level says how to read it). */
static __always_inline u8 sockopt_optname_to_ppm(u32 level, u32 name)
{
	if (level != SOL_SOCKET)
		return (u8)name;
	if (name >= 1 && name <= 50)
		return (u8)name;
	switch (name) {
	case SO_MEMINFO: return PPM_SOCKOPT_OPTIONS_SO_MEMINFO;
	case SO_COOKIE: return PPM_SOCKOPT_OPTIONS_SO_COOKIE;
	case SO_PEERGROUPS: return PPM_SOCKOPT_OPTIONS_SO_PEERGROUPS;
	case SO_RCVTIMEO_NEW: return PPM_SOCKOPT_OPTIONS_SO_RCVTIMEO;
	case SO_SNDTIMEO_NEW: return PPM_SOCKOPT_OPTIONS_SO_SNDTIMEO;
	}
	return PPM_SOCKOPT_OPTIONS_UNKNOWN;
}

static __always_inline u8 shutdown_how_to_ppm(u32 how)
{
	switch (how) {
	case 0: return PPM_SHUTDOWN_HOW_SHUT_RD;
	case 1: return PPM_SHUTDOWN_HOW_SHUT_WR;
	case 2: return PPM_SHUTDOWN_HOW_SHUT_RDWR;
	}
	/* The schema's "unknown" (0xffff) does not fit the 8-bit parameter. */
	return (u8)PPM_SHUTDOWN_HOW_SHUT_UNKNOWN;
}

/* ---- processes ---- */
static __always_inline u16 ptrace_request_to_ppm(u64 req)
{
	switch (req) {
	case 0: return PPM_PTRACE_REQUESTS_PTRACE_TRACEME;
	case 1: return PPM_PTRACE_REQUESTS_PTRACE_PEEKTEXT;
	case 2: return PPM_PTRACE_REQUESTS_PTRACE_PEEKDATA;
	case 3: return PPM_PTRACE_REQUESTS_PTRACE_PEEKUSR;
	case 4: return PPM_PTRACE_REQUESTS_PTRACE_POKETEXT;
	case 5: return PPM_PTRACE_REQUESTS_PTRACE_POKEDATA;
	case 6: return PPM_PTRACE_REQUESTS_PTRACE_POKEUSR;
	case 7: return PPM_PTRACE_REQUESTS_PTRACE_CONT;
	case 8: return PPM_PTRACE_REQUESTS_PTRACE_KILL;
	case 9: return PPM_PTRACE_REQUESTS_PTRACE_SINGLESTEP;
	case 16: return PPM_PTRACE_REQUESTS_PTRACE_ATTACH;
	case 17: return PPM_PTRACE_REQUESTS_PTRACE_DETACH;
	case 24: return PPM_PTRACE_REQUESTS_PTRACE_SYSCALL;
	case 0x4200: return PPM_PTRACE_REQUESTS_PTRACE_SETOPTIONS;
	case 0x4201: return PPM_PTRACE_REQUESTS_PTRACE_GETEVENTMSG;
	case 0x4202: return PPM_PTRACE_REQUESTS_PTRACE_GETSIGINFO;
	case 0x4203: return PPM_PTRACE_REQUESTS_PTRACE_SETSIGINFO;
	case 0x4204: return PPM_PTRACE_REQUESTS_PTRACE_GETREGSET;
	case 0x4205: return PPM_PTRACE_REQUESTS_PTRACE_SETREGSET;
	case 0x4206: return PPM_PTRACE_REQUESTS_PTRACE_SEIZE;
	case 0x4207: return PPM_PTRACE_REQUESTS_PTRACE_INTERRUPT;
	case 0x4208: return PPM_PTRACE_REQUESTS_PTRACE_LISTEN;
	case 0x4209: return PPM_PTRACE_REQUESTS_PTRACE_PEEKSIGINFO;
	case 0x420a: return PPM_PTRACE_REQUESTS_PTRACE_GETSIGMASK;
	case 0x420b: return PPM_PTRACE_REQUESTS_PTRACE_SETSIGMASK;
#if defined(__TARGET_ARCH_x86)
	case 12: return PPM_PTRACE_REQUESTS_PTRACE_GETREGS;
	case 13: return PPM_PTRACE_REQUESTS_PTRACE_SETREGS;
	case 14: return PPM_PTRACE_REQUESTS_PTRACE_GETFPREGS;
	case 15: return PPM_PTRACE_REQUESTS_PTRACE_SETFPREGS;
	case 18: return PPM_PTRACE_REQUESTS_PTRACE_GETFPXREGS;
	case 19: return PPM_PTRACE_REQUESTS_PTRACE_SETFPXREGS;
	case 21: return PPM_PTRACE_REQUESTS_PTRACE_OLDSETOPTIONS;
	case 25: return PPM_PTRACE_REQUESTS_PTRACE_GET_THREAD_AREA;
	case 26: return PPM_PTRACE_REQUESTS_PTRACE_SET_THREAD_AREA;
	case 30: return PPM_PTRACE_REQUESTS_PTRACE_ARCH_PRCTL;
	case 31: return PPM_PTRACE_REQUESTS_PTRACE_SYSEMU;
	case 32: return PPM_PTRACE_REQUESTS_PTRACE_SYSEMU_SINGLESTEP;
	case 33: return PPM_PTRACE_REQUESTS_PTRACE_SINGLEBLOCK;
#endif
	}
	return PPM_PTRACE_REQUESTS_PTRACE_UNKNOWN;
}

static __always_inline u8 rlimit_resource_to_ppm(u32 r)
{
	/* RLIMIT_CPU (0) .. RLIMIT_RTTIME (15) have the kernel's numbers. */
	if (r <= 15)
		return (u8)r;
	return PPM_RLIMIT_RESOURCES_RLIMIT_UNKNOWN;
}

static __always_inline u32 finit_module_flags_to_ppm(u32 f)
{
	u32 r = 0;
	if (f & 1) r |= PPM_FINIT_MODULE_FLAGS_MODULE_INIT_IGNORE_MODVERSIONS;
	if (f & 2) r |= PPM_FINIT_MODULE_FLAGS_MODULE_INIT_IGNORE_VERMAGIC;
	if (f & 4) r |= PPM_FINIT_MODULE_FLAGS_MODULE_INIT_COMPRESSED_FILE;
	return r;
}

static __always_inline u32 delete_module_flags_to_ppm(u32 f)
{
	u32 r = 0;
	if (f & O_NONBLOCK) r |= PPM_DELETE_MODULE_FLAGS_O_NONBLOCK;
	if (f & O_TRUNC) r |= PPM_DELETE_MODULE_FLAGS_O_TRUNC;
	return r;
}

static __always_inline u32 pidfd_open_flags_to_ppm(u32 f)
{
	/* PIDFD_NONBLOCK is O_NONBLOCK. */
	return (f & O_NONBLOCK) ? PPM_PIDFD_OPEN_FLAGS_PIDFD_NONBLOCK : 0;
}

/* ---- memory ---- */
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define PROT_SEM 0x8
#define PROT_GROWSDOWN 0x01000000
#define PROT_GROWSUP 0x02000000

static __always_inline u32 prot_flags_to_ppm(u32 p)
{
	u32 r = 0;
	if (p & PROT_READ) r |= PPM_PROT_FLAGS_PROT_READ;
	if (p & PROT_WRITE) r |= PPM_PROT_FLAGS_PROT_WRITE;
	if (p & PROT_EXEC) r |= PPM_PROT_FLAGS_PROT_EXEC;
	if (p & PROT_SEM) r |= PPM_PROT_FLAGS_PROT_SEM;
	if (p & PROT_GROWSDOWN) r |= PPM_PROT_FLAGS_PROT_GROWSDOWN;
	if (p & PROT_GROWSUP) r |= PPM_PROT_FLAGS_PROT_GROWSUP;
	return r;
}

static __always_inline u32 mmap_flags_to_ppm(u32 f)
{
	u32 r = 0;
	if (f & 0x01) r |= PPM_MMAP_FLAGS_MAP_SHARED;
	if (f & 0x02) r |= PPM_MMAP_FLAGS_MAP_PRIVATE;
	if (f & 0x10) r |= PPM_MMAP_FLAGS_MAP_FIXED;
	if (f & 0x20) r |= PPM_MMAP_FLAGS_MAP_ANONYMOUS;
#if defined(__TARGET_ARCH_x86)
	if (f & 0x40) r |= PPM_MMAP_FLAGS_MAP_32BIT;
#endif
	if (f & 0x0100) r |= PPM_MMAP_FLAGS_MAP_GROWSDOWN;
	if (f & 0x0800) r |= PPM_MMAP_FLAGS_MAP_DENYWRITE;
	if (f & 0x1000) r |= PPM_MMAP_FLAGS_MAP_EXECUTABLE;
	if (f & 0x2000) r |= PPM_MMAP_FLAGS_MAP_LOCKED;
	if (f & 0x4000) r |= PPM_MMAP_FLAGS_MAP_NORESERVE;
	if (f & 0x8000) r |= PPM_MMAP_FLAGS_MAP_POPULATE;
	if (f & 0x10000) r |= PPM_MMAP_FLAGS_MAP_NONBLOCK;
	return r;
}

/* FUTEX_* commands, FUTEX_PRIVATE_FLAG (128) and FUTEX_CLOCK_REALTIME (256)
 * have the kernel's values. */
static __always_inline u16 futex_op_to_ppm(u32 op)
{
	return (u16)(op & 0x1ff);
}

#endif /* __FLAGS_H__ */
