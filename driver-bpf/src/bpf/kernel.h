/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reading kernel state: syscall arguments, tasks, files, paths, credentials,
 * sockets. Every struct access goes through CO-RE (BPF_CORE_READ and
 * bpf_core_* checks), with flavours where the kernel renamed a field. Plain
 * probe reads rather than BTF pointer walks keep the probe loadable on 5.8.
 */
#ifndef __KERNEL_H__
#define __KERNEL_H__

#include "event.h"

/* ---- kernel constants (uapi, per architecture where they differ) ---- */
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFDIR 0040000
#define S_IWOTH 00002
#define S_IWGRP 00020
#define S_IWUSR 00200
#define S_IMMUTABLE 8 /* inode->i_flags */
#define SB_RDONLY 1

#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#define FMODE_CREATED 0x100000

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define SOCK_TYPE_MASK 0xf
#define SOCK_CLOEXEC 02000000
#define SOCK_NONBLOCK 04000

#define CAP_DAC_OVERRIDE 1
#define CAP_FOWNER 3

#define O_ACCMODE 00000003
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_EXCL 00000200
#define O_TRUNC 00001000
#define O_APPEND 00002000
#define O_NONBLOCK 00004000
#define O_DSYNC 00010000
#define __O_SYNC 04000000
#define O_SYNC (__O_SYNC | O_DSYNC)
#define O_CLOEXEC 02000000
#define __O_TMPFILE 020000000
#if defined(__TARGET_ARCH_arm64)
#define O_DIRECTORY 0040000
#define O_NOFOLLOW 0100000
#define O_DIRECT 0200000
#define O_LARGEFILE 0400000
#else
#define O_DIRECT 00040000
#define O_LARGEFILE 00100000
#define O_DIRECTORY 00200000
#define O_NOFOLLOW 00400000
#endif
#define O_TMPFILE (__O_TMPFILE | O_DIRECTORY)

#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#define RESOLVE_CACHED 0x20

#define RLIMIT_NOFILE 7
#define PAGE_SHIFT 12
#define INVALID_UID ((u32)-1)

/* x86: thread_info.status bit of a 32-bit syscall. arm64: thread_info.flags
 * bit of a 32-bit task. */
#define TS_COMPAT 0x0002
#define TIF_32BIT 22

#define MAX_STR 4096      /* argv, env, paths (Falco's MAX_PROC_ARG_ENV) */
#define MAX_PATH_DEPTH 48 /* dentries walked per path */
#define MAX_NAME 256      /* one path component, NUL included */
#define MAX_CGROUP_DEPTH 16 /* kernfs nodes walked per cgroup path */

/* ---- syscall arguments at sys_exit ----
 *
 * `regs` is the tracepoint's BTF-typed argument: plain loads from it are
 * checked by the verifier and relocated by CO-RE, and cost nothing like the
 * probe-read helper call BPF_CORE_READ would. */

static __always_inline u32 syscall_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return (u32)regs->orig_ax;
#else
	return (u32)regs->syscallno;
#endif
}

static __always_inline unsigned long syscall_arg(struct pt_regs *regs, int n)
{
#if defined(__TARGET_ARCH_x86)
	switch (n) {
	case 0: return regs->di;
	case 1: return regs->si;
	case 2: return regs->dx;
	case 3: return regs->r10; /* not cx: the syscall ABI */
	case 4: return regs->r8;
	case 5: return regs->r9;
	}
#else
	/* x0 holds the return value by now: the first argument survives in orig_x0. */
	switch (n) {
	case 0: return regs->orig_x0;
	case 1: return regs->regs[1];
	case 2: return regs->regs[2];
	case 3: return regs->regs[3];
	case 4: return regs->regs[4];
	case 5: return regs->regs[5];
	}
#endif
	return 0;
}

/* 32-bit arguments arrive zero-extended: AT_FDCWD reads as 0xffffff9c. */
static __always_inline s64 arg_s32(struct pt_regs *regs, int n)
{
	return (s64)(s32)syscall_arg(regs, n);
}

/* A 32-bit (compat) syscall: its number is not a native one. */
static __always_inline bool task_in_compat_syscall(struct task_struct *task)
{
#if defined(__TARGET_ARCH_x86)
	return BPF_CORE_READ(task, thread_info.status) & TS_COMPAT;
#else
	return BPF_CORE_READ(task, thread_info.flags) & (1UL << TIF_32BIT);
#endif
}

enum bpf_func_id___x {
	BPF_FUNC_get_current_task_btf___x = 158,
};

/* Who is running, and is it a 32-bit syscall (whose number is not a native
 * one)? On the hot path: with bpf_get_current_task_btf (5.11) this is one
 * helper call and plain loads; older kernels pay two helpers and a probe
 * read. Which branch exists is resolved at load time. Returns false for a
 * compat syscall. */
static __always_inline bool current_ids(u32 *tgid, u32 *tid)
{
	if (bpf_core_enum_value_exists(enum bpf_func_id___x, BPF_FUNC_get_current_task_btf___x)) {
		struct task_struct *t = bpf_get_current_task_btf();
		*tgid = t->tgid;
		*tid = t->pid;
#if defined(__TARGET_ARCH_x86)
		return !(t->thread_info.status & TS_COMPAT);
#else
		return !(t->thread_info.flags & (1UL << TIF_32BIT));
#endif
	}
	u64 pid_tgid = bpf_get_current_pid_tgid();
	*tgid = pid_tgid >> 32;
	*tid = (u32)pid_tgid;
	return !task_in_compat_syscall((struct task_struct *)bpf_get_current_task());
}

static __always_inline struct task_struct *current_task(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

/* ---- flags: kernel values to schema values ---- */

static __always_inline u32 open_flags_to_ppm(u32 flags)
{
	u32 r = 0;
	switch (flags & O_ACCMODE) {
	case O_RDONLY: r |= PPM_FILE_FLAGS_O_RDONLY; break;
	case O_WRONLY: r |= PPM_FILE_FLAGS_O_WRONLY; break;
	case O_RDWR: r |= PPM_FILE_FLAGS_O_RDWR; break;
	}
	if (flags & O_CREAT) r |= PPM_FILE_FLAGS_O_CREAT;
	if (flags & O_APPEND) r |= PPM_FILE_FLAGS_O_APPEND;
	if (flags & O_DSYNC) r |= PPM_FILE_FLAGS_O_DSYNC;
	if (flags & O_EXCL) r |= PPM_FILE_FLAGS_O_EXCL;
	if (flags & O_NONBLOCK) r |= PPM_FILE_FLAGS_O_NONBLOCK;
	if ((flags & O_SYNC) == O_SYNC) r |= PPM_FILE_FLAGS_O_SYNC;
	if (flags & O_TRUNC) r |= PPM_FILE_FLAGS_O_TRUNC;
	if (flags & O_DIRECT) r |= PPM_FILE_FLAGS_O_DIRECT;
	if (flags & O_LARGEFILE) r |= PPM_FILE_FLAGS_O_LARGEFILE;
	if ((flags & O_TMPFILE) == O_TMPFILE) r |= PPM_FILE_FLAGS_O_TMPFILE;
	else if (flags & O_DIRECTORY) r |= PPM_FILE_FLAGS_O_DIRECTORY;
	if (flags & O_CLOEXEC) r |= PPM_FILE_FLAGS_O_CLOEXEC;
	return r;
}

/* The mode only means something when a file may be created. */
static __always_inline u32 open_mode_to_ppm(u32 flags, u32 mode)
{
	if (flags & (O_CREAT | __O_TMPFILE))
		return mode & 07777; /* the schema's mode bits equal the kernel's */
	return 0;
}

static __always_inline u32 resolve_flags_to_ppm(u64 resolve)
{
	u32 r = 0;
	if (resolve & RESOLVE_BENEATH) r |= PPM_OPENAT2_FLAGS_RESOLVE_BENEATH;
	if (resolve & RESOLVE_IN_ROOT) r |= PPM_OPENAT2_FLAGS_RESOLVE_IN_ROOT;
	if (resolve & RESOLVE_NO_MAGICLINKS) r |= PPM_OPENAT2_FLAGS_RESOLVE_NO_MAGICLINKS;
	if (resolve & RESOLVE_NO_SYMLINKS) r |= PPM_OPENAT2_FLAGS_RESOLVE_NO_SYMLINKS;
	if (resolve & RESOLVE_NO_XDEV) r |= PPM_OPENAT2_FLAGS_RESOLVE_NO_XDEV;
	if (resolve & RESOLVE_CACHED) r |= PPM_OPENAT2_FLAGS_RESOLVE_CACHED;
	return r;
}

static __always_inline u32 clone_flags_to_ppm(u64 f)
{
	u32 r = 0;
	if (f & 0x00000100) r |= PPM_CLONE_FLAGS_CLONE_VM;
	if (f & 0x00000200) r |= PPM_CLONE_FLAGS_CLONE_FS;
	if (f & 0x00000400) r |= PPM_CLONE_FLAGS_CLONE_FILES;
	if (f & 0x00000800) r |= PPM_CLONE_FLAGS_CLONE_SIGHAND;
	if (f & 0x00002000) r |= PPM_CLONE_FLAGS_CLONE_PTRACE;
	if (f & 0x00004000) r |= PPM_CLONE_FLAGS_CLONE_VFORK;
	if (f & 0x00008000) r |= PPM_CLONE_FLAGS_CLONE_PARENT;
	if (f & 0x00010000) r |= PPM_CLONE_FLAGS_CLONE_THREAD;
	if (f & 0x00020000) r |= PPM_CLONE_FLAGS_CLONE_NEWNS;
	if (f & 0x00040000) r |= PPM_CLONE_FLAGS_CLONE_SYSVSEM;
	if (f & 0x00080000) r |= PPM_CLONE_FLAGS_CLONE_SETTLS;
	if (f & 0x00100000) r |= PPM_CLONE_FLAGS_CLONE_PARENT_SETTID;
	if (f & 0x00200000) r |= PPM_CLONE_FLAGS_CLONE_CHILD_CLEARTID;
	if (f & 0x00800000) r |= PPM_CLONE_FLAGS_CLONE_UNTRACED;
	if (f & 0x01000000) r |= PPM_CLONE_FLAGS_CLONE_CHILD_SETTID;
	if (f & 0x02000000) r |= PPM_CLONE_FLAGS_CLONE_NEWCGROUP;
	if (f & 0x04000000) r |= PPM_CLONE_FLAGS_CLONE_NEWUTS;
	if (f & 0x08000000) r |= PPM_CLONE_FLAGS_CLONE_NEWIPC;
	if (f & 0x10000000) r |= PPM_CLONE_FLAGS_CLONE_NEWUSER;
	if (f & 0x20000000) r |= PPM_CLONE_FLAGS_CLONE_NEWPID;
	if (f & 0x40000000) r |= PPM_CLONE_FLAGS_CLONE_NEWNET;
	if (f & 0x80000000) r |= PPM_CLONE_FLAGS_CLONE_IO;
	return r;
}

static __always_inline u32 socket_family_to_ppm(u32 family)
{
	/* The schema's socket_families values are the Linux AF_* numbers. */
	return family;
}

/* ---- tasks ---- */

/* The pid of `task`'s `type` id as seen from its own (deepest) namespace. */
static __always_inline s64 task_xid_vnr(struct task_struct *task, enum pid_type type)
{
	struct pid *pid;
	if (type == PIDTYPE_PID)
		pid = BPF_CORE_READ(task, thread_pid);
	else
		pid = BPF_CORE_READ(task, signal, pids[type]);
	if (!pid)
		return 0;
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};
	bpf_probe_read_kernel(&up, sizeof(up), (u8 *)pid + bpf_core_field_offset(struct pid, numbers) +
						       (u64)(level & 31) * bpf_core_type_size(struct upid));
	return up.nr;
}

static __always_inline struct pid_namespace *task_pidns(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	if (!pid)
		return NULL;
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};
	bpf_probe_read_kernel(&up, sizeof(up), (u8 *)pid + bpf_core_field_offset(struct pid, numbers) +
						       (u64)(level & 31) * bpf_core_type_size(struct upid));
	return up.ns;
}

/* Start time (monotonic ns since boot) of the init task of `task`'s pid namespace. */
static __always_inline u64 task_pidns_start_ts(struct task_struct *task)
{
	struct pid_namespace *ns = task_pidns(task);
	if (!ns)
		return 0;
	return BPF_CORE_READ(ns, child_reaper, start_time);
}

static __always_inline u32 task_pidns_level(struct task_struct *task)
{
	return BPF_CORE_READ(task, thread_pid, level);
}

static __always_inline u64 task_ptid(struct task_struct *task)
{
	return BPF_CORE_READ(task, real_parent, pid);
}

static __always_inline u64 cap_read(const kernel_cap_t *cap)
{
	u64 v = 0;
	bpf_probe_read_kernel(&v, sizeof(v), cap);
	return v;
}

/* vm_size, vm_rss, vm_swap in KiB, as /proc/PID/status reports them. */
static __always_inline void mm_sizes(struct mm_struct *mm, u32 *size, u32 *rss, u32 *swap)
{
	*size = *rss = *swap = 0;
	if (!mm)
		return;
	*size = BPF_CORE_READ(mm, total_vm) << (PAGE_SHIFT - 10);
	s64 file = 0, anon = 0, sw = 0, shmem = 0;
	if (bpf_core_type_exists(struct mm_rss_stat)) {
		struct mm_struct___pre62 *old = (void *)mm;
		file = BPF_CORE_READ(old, rss_stat.count[0].counter);
		anon = BPF_CORE_READ(old, rss_stat.count[1].counter);
		sw = BPF_CORE_READ(old, rss_stat.count[2].counter);
		shmem = BPF_CORE_READ(old, rss_stat.count[3].counter);
	} else {
		file = BPF_CORE_READ(mm, rss_stat[0].count);
		anon = BPF_CORE_READ(mm, rss_stat[1].count);
		sw = BPF_CORE_READ(mm, rss_stat[2].count);
		shmem = BPF_CORE_READ(mm, rss_stat[3].count);
	}
	s64 r = file + anon + shmem;
	*rss = r > 0 ? (u32)(r << (PAGE_SHIFT - 10)) : 0;
	*swap = sw > 0 ? (u32)(sw << (PAGE_SHIFT - 10)) : 0;
}

static __always_inline u64 task_fdlimit(struct task_struct *task)
{
	return BPF_CORE_READ(task, signal, rlim[RLIMIT_NOFILE].rlim_cur);
}

/* The controlling tty as a kernel dev_t (major << 20 | minor), 0 if none. */
static __always_inline u32 task_tty(struct task_struct *task)
{
	struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);
	if (!tty)
		return 0;
	int major = BPF_CORE_READ(tty, driver, major);
	int minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
	return ((u32)major << 20) | ((u32)minor & 0xfffff);
}

static __always_inline u32 task_loginuid(struct task_struct *task)
{
	if (!bpf_core_field_exists(task->loginuid))
		return INVALID_UID;
	return BPF_CORE_READ(task, loginuid.val);
}

/* ---- files ---- */

static __always_inline struct file *task_fd_file(struct task_struct *task, s64 fd)
{
	if (fd < 0)
		return NULL;
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt)
		return NULL;
	if (fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd & 0xffffff]);
	return f;
}

static __always_inline u64 timespec_ns(s64 sec, u64 nsec)
{
	if (sec < 0)
		return 0;
	return (u64)sec * 1000000000ULL + nsec;
}

static __always_inline u64 inode_ctime_ns(struct inode *inode)
{
	if (bpf_core_field_exists(inode->i_ctime_sec)) {
		/* From 6.13 bit 31 of i_ctime_nsec flags a multigrain timestamp. */
		u32 nsec = BPF_CORE_READ(inode, i_ctime_nsec) & ~(1U << 31);
		return timespec_ns(BPF_CORE_READ(inode, i_ctime_sec), nsec);
	}
	struct inode___v66 *v66 = (void *)inode;
	if (bpf_core_field_exists(v66->__i_ctime))
		return timespec_ns(BPF_CORE_READ(v66, __i_ctime.tv_sec), BPF_CORE_READ(v66, __i_ctime.tv_nsec));
	struct inode___pre66 *old = (void *)inode;
	return timespec_ns(BPF_CORE_READ(old, i_ctime.tv_sec), BPF_CORE_READ(old, i_ctime.tv_nsec));
}

static __always_inline u64 inode_mtime_ns(struct inode *inode)
{
	if (bpf_core_field_exists(inode->i_mtime_sec))
		return timespec_ns(BPF_CORE_READ(inode, i_mtime_sec), BPF_CORE_READ(inode, i_mtime_nsec));
	struct inode___v66 *v66 = (void *)inode;
	if (bpf_core_field_exists(v66->__i_mtime))
		return timespec_ns(BPF_CORE_READ(v66, __i_mtime.tv_sec), BPF_CORE_READ(v66, __i_mtime.tv_nsec));
	struct inode___pre66 *old = (void *)inode;
	return timespec_ns(BPF_CORE_READ(old, i_mtime.tv_sec), BPF_CORE_READ(old, i_mtime.tv_nsec));
}

enum overlay_layer {
	LAYER_NONE = 0,
	LAYER_UPPER = 1,
	LAYER_LOWER = 2,
};

/* overlayfs embeds the VFS inode in struct ovl_inode, immediately followed by
 * the upper dentry pointer: non-NULL (with a live inode) means the file exists
 * in the upper, writable layer. The inode size comes from the running kernel's
 * BTF, so the trick survives struct inode changes. */
static __always_inline enum overlay_layer file_overlay_layer(struct file *file)
{
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	if (BPF_CORE_READ(dentry, d_sb, s_magic) != OVERLAYFS_SUPER_MAGIC)
		return LAYER_NONE;
	struct inode *vfs_inode = BPF_CORE_READ(dentry, d_inode);
	struct dentry *upper = NULL;
	bpf_probe_read_kernel(&upper, sizeof(upper), (u8 *)vfs_inode + bpf_core_type_size(struct inode));
	if (!upper)
		return LAYER_LOWER;
	if (BPF_CORE_READ(upper, d_inode, i_ino) != 0)
		return LAYER_UPPER;
	return LAYER_LOWER;
}

/* memfd files are anonymous: their dentry is its own parent and is named
 * "memfd:<name>". */
static __always_inline bool file_is_memfd(struct file *file)
{
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	if (BPF_CORE_READ(dentry, d_parent) != dentry)
		return false;
	/* Filled completely (6 characters and more) or it can't be "memfd:". */
	char name[8] = {};
	const unsigned char *p = BPF_CORE_READ(dentry, d_name.name);
	if (bpf_probe_read_kernel_str(name, 7, p) != 7)
		return false;
	return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' &&
	       name[5] == ':';
}

/* Is `id` mapped in `map` (at most 5 extents: the non-sorted map form)? */
static __always_inline bool id_mapped(struct uid_gid_map *map, u32 id)
{
	u32 n = BPF_CORE_READ(map, nr_extents);
	for (int i = 0; i < 5; i++) {
		if (i >= n)
			break;
		u32 lower = BPF_CORE_READ(map, extent[i].lower_first);
		u32 count = BPF_CORE_READ(map, extent[i].count);
		if (id >= lower && id - lower < count)
			return true;
	}
	return false;
}

static __always_inline bool in_groups(const struct cred *cred, u32 gid)
{
	struct group_info *gi = BPF_CORE_READ(cred, group_info);
	if (!gi)
		return false;
	int n = BPF_CORE_READ(gi, ngroups);
	if (n <= 0)
		return false;
	/* The kernel keeps the groups sorted: binary search, 16 steps at most. */
	u32 lo = 0, hi = (u32)n;
	for (int i = 0; i < 16; i++) {
		if (lo >= hi)
			break;
		u32 mid = lo + (hi - lo) / 2;
		u32 g = 0;
		bpf_probe_read_kernel(&g, sizeof(g), (u8 *)gi + bpf_core_field_offset(struct group_info, gid) +
							     (u64)(mid & 0xffff) * sizeof(u32));
		if (g == gid)
			return true;
		if (g < gid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Could the task write the executable, with its own credentials? A port of the
 * kernel's permission check (mode bits, owner, CAP_DAC_OVERRIDE, CAP_FOWNER);
 * ACLs and LSMs are not considered. */
__noinline int inode_writable_by(u64 inode_p, u64 cred_p)
{
	struct inode *inode = (struct inode *)inode_p;
	const struct cred *cred = (const struct cred *)cred_p;
	umode_t mode = BPF_CORE_READ(inode, i_mode);
	unsigned long sb_flags = BPF_CORE_READ(inode, i_sb, s_flags);
	u32 fmt = mode & S_IFMT;
	if ((sb_flags & SB_RDONLY) && (fmt == S_IFREG || fmt == S_IFDIR || fmt == S_IFLNK))
		return false;
	if (BPF_CORE_READ(inode, i_flags) & S_IMMUTABLE)
		return false;
	u32 i_uid = BPF_CORE_READ(inode, i_uid.val);
	u32 i_gid = BPF_CORE_READ(inode, i_gid.val);
	if (i_uid == INVALID_UID || i_gid == INVALID_UID)
		return false;
	u32 fsuid = BPF_CORE_READ(cred, fsuid.val);
	/* The owner can always chmod: count it as a writer. */
	if (fsuid == i_uid)
		return true;
	u32 bits;
	if (BPF_CORE_READ(cred, fsgid.val) == i_gid || in_groups(cred, i_gid))
		bits = mode & S_IWGRP;
	else
		bits = mode & S_IWOTH;
	if (bits)
		return true;
	u64 caps = cap_read(&cred->cap_effective);
	struct user_namespace *ns = BPF_CORE_READ(cred, user_ns);
	if ((caps & (1ULL << CAP_DAC_OVERRIDE)) && id_mapped(&ns->uid_map, i_uid) && id_mapped(&ns->gid_map, i_gid))
		return true;
	if ((caps & (1ULL << CAP_FOWNER)) && id_mapped(&ns->uid_map, i_uid))
		return true;
	return false;
}

/* ---- paths and cgroups ----
 *
 * Path walks are loops over dentries with helper calls in every iteration.
 * Inlined into each filler, the verifier would walk them once per call site
 * and per caller state, which blows its 1M-instruction budget. They are
 * global functions instead: verified once, on their own, with scalar
 * arguments; they find this CPU's scratch buffer themselves and return the
 * number of bytes they wrote at `pos`.
 */

static __always_inline struct scratch *this_cpu_scratch(void)
{
	u32 cpu = bpf_get_smp_processor_id();
	return bpf_map_lookup_elem(&scratch_maps, &cpu);
}

/* Paths are built backwards in s->tmp: s->cur is the first byte of what is
 * built so far. The cursor lives in map memory on purpose: every reload gives
 * the verifier the same unknown-but-bounded value, so the states of successive
 * loop iterations compare equal and get pruned, where a cursor in a register
 * would carry a different range into each iteration and multiply them. */

/* Prepends "/<name>". Returns 0 when the component does not fit. */
static __always_inline int prepend_name(struct scratch *s, const void *name, u32 len)
{
	u32 cur = s->cur;
	len &= (MAX_NAME - 1);
	if (cur > MAX_STR || cur < len + 2)
		return 0;
	cur -= len;
	if (len && bpf_probe_read_kernel(&s->tmp[cur & (MAX_STR - 1)], len, name) != 0)
		return 0;
	cur -= 1;
	s->tmp[cur & (MAX_STR - 1)] = '/';
	s->cur = cur;
	return 1;
}

/* Copies the path built in s->tmp[s->cur..MAX_STR) to data[pos],
 * NUL-terminated. Returns the bytes written. */
static __always_inline int emit_tmp_path(struct scratch *s, u64 pos)
{
	u32 cur = s->cur;
	if (cur >= MAX_STR) {
		cur = MAX_STR - 1;
		s->tmp[cur] = '/';
	}
	u32 n = MAX_STR - cur;
	n &= (MAX_STR - 1);
	if (n && bpf_probe_read_kernel(&s->data[pos & SCRATCH_POS_MASK], n, &s->tmp[cur & (MAX_STR - 1)]) != 0)
		return 0;
	s->data[(pos + n) & SCRATCH_POS_MASK] = '\0';
	return (int)n + 1;
}

/* Writes the NUL-terminated path of `dentry` on `vfsmnt` as seen from the
 * root (root_dentry, root_mnt) at scratch position `pos`, walking up the
 * dentries and across mount points and building the string backwards, so one
 * pass suffices. Anonymous files (their dentry is its own parent: memfd,
 * pipes) come out as "/<name>". Returns the bytes written, 0 on failure. */
__noinline int write_path(u64 dentry_p, u64 vfsmnt_p, u64 root_dentry_p, u64 root_mnt_p, u64 pos)
{
	struct scratch *s = this_cpu_scratch();
	if (!s || !dentry_p || !vfsmnt_p)
		return 0;
	struct dentry *dentry = (struct dentry *)dentry_p;
	struct vfsmount *vfsmnt = (struct vfsmount *)vfsmnt_p;
	u64 mnt_off = bpf_core_field_offset(struct mount, mnt);
	struct mount *mnt = (struct mount *)((u8 *)vfsmnt - mnt_off);
	s->cur = MAX_STR;

	for (int i = 0; i < MAX_PATH_DEPTH; i++) {
		if ((u64)dentry == root_dentry_p && (u64)vfsmnt == root_mnt_p)
			break;
		struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
		if (dentry == mnt_root) {
			struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
			if (mnt_parent == mnt)
				break; /* the global root */
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = mnt_parent;
			vfsmnt = (struct vfsmount *)((u8 *)mnt + mnt_off);
			continue;
		}
		if (!prepend_name(s, BPF_CORE_READ(dentry, d_name.name), BPF_CORE_READ(dentry, d_name.len)))
			break;
		if (parent == dentry)
			break; /* anonymous: keep its own name, stop */
		dentry = parent;
	}
	return emit_tmp_path(s, pos);
}

/* Clamps what a global function returned (the verifier knows nothing of it). */
static __always_inline u32 written(int n)
{
	return (n > 0 && n < MAX_EVENT_SIZE) ? (u32)n : 0;
}

static __always_inline void push_path(struct evt *e, struct dentry *dentry, struct vfsmount *vfsmnt,
				      struct path *root)
{
	u32 n = written(write_path((u64)dentry, (u64)vfsmnt, (u64)BPF_CORE_READ(root, dentry),
				   (u64)BPF_CORE_READ(root, mnt), e->pos));
	evt_param_done(e, n);
}

static __always_inline void push_file_path(struct evt *e, struct file *file, struct path *root)
{
	if (!file) {
		push_empty(e);
		return;
	}
	push_path(e, BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt), root);
}

static const char unified_name[] = "unified";

/* Writes "<name>=<path>\0" for one cgroup at `pos` (name_p 0: "unified", the
 * cgroup v2 hierarchy); kernfs parents are walked like dentries. Returns the
 * bytes written. */
__noinline int write_cgroup(u64 name_p, u64 cgrp_p, u64 pos)
{
	struct scratch *s = this_cpu_scratch();
	if (!s || !cgrp_p)
		return 0;
	const char *name = name_p ? (const char *)name_p : unified_name;
	long n = bpf_probe_read_kernel_str(&s->data[pos & SCRATCH_POS_MASK], 32, name);
	if (n <= 0)
		return 0;
	s->data[(pos + n - 1) & SCRATCH_POS_MASK] = '=';

	struct kernfs_node *kn = BPF_CORE_READ((struct cgroup *)cgrp_p, kn);
	s->cur = MAX_STR;
	for (int i = 0; i < MAX_CGROUP_DEPTH; i++) {
		struct kernfs_node *parent;
		if (bpf_core_field_exists(kn->__parent))
			parent = BPF_CORE_READ(kn, __parent);
		else
			parent = BPF_CORE_READ((struct kernfs_node___pre615 *)kn, parent);
		if (!parent)
			break; /* the hierarchy's root has no name in the path */
		const char *kname = BPF_CORE_READ(kn, name);
		/* kernfs names are plain strings: measure, then copy. */
		long len = bpf_probe_read_kernel_str(&s->tmp[MAX_STR], MAX_NAME, kname);
		if (len <= 1 || !prepend_name(s, kname, (u32)len - 1))
			break;
		kn = parent;
	}
	int m = emit_tmp_path(s, pos + n);
	return m > 0 ? (int)n + m : 0;
}

enum cgroup_subsys_id {
	CGROUP_SUBSYS_COUNT = 16,
};

/* Writes the task's cgroups as a NUL-separated "subsys=path" list at `pos`:
 * one entry per controller, then "unified=<path>" for the cgroup v2
 * hierarchy, the only place a task's v2 cgroup shows when no controller is
 * enabled there (e.g. a docker-<id>.scope on a hybrid host). */
__noinline int write_cgroups(u64 task_p, u64 pos)
{
	u64 start = pos;
	struct task_struct *task = (struct task_struct *)task_p;
	struct css_set *cs = BPF_CORE_READ(task, cgroups);
	if (!cs)
		return 0;
	u32 count = bpf_core_enum_value(enum cgroup_subsys_id, CGROUP_SUBSYS_COUNT);
	for (int i = 0; i < 16; i++) {
		if (i >= count || pos - start > MAX_STR)
			break;
		struct cgroup_subsys_state *css = NULL;
		bpf_probe_read_kernel(&css, sizeof(css), &cs->subsys[i]);
		if (!css)
			continue;
		pos += written(write_cgroup((u64)BPF_CORE_READ(css, ss, name), (u64)BPF_CORE_READ(css, cgroup), pos));
	}
	struct cgroup *dfl = BPF_CORE_READ(cs, dfl_cgrp);
	if (dfl && pos - start <= MAX_STR) {
		pos += written(write_cgroup(0, (u64)dfl, pos));
	}
	return (int)(pos - start);
}

/* Global functions take scalars only: a BTF pointer handed to a tp_btf
 * program must lose its type first (a probe read of the stack slot does). */
static __always_inline u64 scalar_of(const void *p)
{
	u64 v = 0;
	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

static __always_inline void push_cgroups(struct evt *e, struct task_struct *task)
{
	evt_param_done(e, written(write_cgroups(scalar_of(task), e->pos)));
}

/* ---- sockets ---- */

static __always_inline struct socket *file_socket(struct file *file)
{
	if (!file)
		return NULL;
	umode_t mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	return BPF_CORE_READ(file, private_data);
}

static __always_inline u16 ntohs16(u16 v)
{
	return __builtin_bswap16(v);
}

/* Converts a user sockaddr into the schema's form:
 * family(1) + {INET: addr(4) port(2) | INET6: addr(16) port(2) | UNIX: path\0}. */
static __always_inline void push_user_sockaddr(struct evt *e, const void *uaddr, u32 ulen)
{
	u16 family = 0;
	if (!uaddr || ulen < 2 || bpf_probe_read_user(&family, sizeof(family), uaddr) != 0) {
		push_empty(e);
		return;
	}
	u8 *p = evt_cursor(e);
	switch (family) {
	case AF_INET: {
		u16 port = 0;
		u32 addr = 0;
		bpf_probe_read_user(&port, 2, (u8 *)uaddr + 2);
		bpf_probe_read_user(&addr, 4, (u8 *)uaddr + 4);
		p[0] = PPM_SOCKET_FAMILIES_AF_INET;
		STORE(p, 1, u32, addr);
		STORE(p, 5, u16, ntohs16(port));
		evt_param_done(e, 7);
		return;
	}
	case AF_INET6: {
		u16 port = 0;
		bpf_probe_read_user(&port, 2, (u8 *)uaddr + 2);
		p[0] = PPM_SOCKET_FAMILIES_AF_INET6;
		bpf_probe_read_user(p + 1, 16, (u8 *)uaddr + 8);
		STORE(p, 17, u16, ntohs16(port));
		evt_param_done(e, 19);
		return;
	}
	case AF_UNIX: {
		p[0] = PPM_SOCKET_FAMILIES_AF_UNIX;
		long n = bpf_probe_read_user_str(p + 1, 109, (u8 *)uaddr + 2);
		if (n <= 0) {
			p[1] = 0;
			n = 1;
		}
		evt_param_done(e, 1 + (u32)n);
		return;
	}
	default:
		p[0] = (u8)family;
		evt_param_done(e, 1);
		return;
	}
}

/* The tuple of a connected socket, from the kernel's socket (not from user
 * memory). `outbound` puts the local end first (connect); otherwise the remote
 * end, the initiator, comes first (accept). */
static __always_inline void push_socktuple(struct evt *e, struct socket *sock, bool outbound)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk) {
		push_empty(e);
		return;
	}
	u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	u8 *p = evt_cursor(e);
	switch (family) {
	case AF_INET: {
		u32 laddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		u32 raddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		u16 rport = ntohs16(BPF_CORE_READ(sk, __sk_common.skc_dport));
		p[0] = PPM_SOCKET_FAMILIES_AF_INET;
		if (outbound) {
			STORE(p, 1, u32, laddr);
			STORE(p, 5, u16, lport);
			STORE(p, 7, u32, raddr);
			STORE(p, 11, u16, rport);
		} else {
			STORE(p, 1, u32, raddr);
			STORE(p, 5, u16, rport);
			STORE(p, 7, u32, laddr);
			STORE(p, 11, u16, lport);
		}
		evt_param_done(e, 13);
		return;
	}
	case AF_INET6: {
		u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		u16 rport = ntohs16(BPF_CORE_READ(sk, __sk_common.skc_dport));
		void *la = &sk->__sk_common.skc_v6_rcv_saddr;
		void *ra = &sk->__sk_common.skc_v6_daddr;
		p[0] = PPM_SOCKET_FAMILIES_AF_INET6;
		bpf_probe_read_kernel(p + 1, 16, outbound ? la : ra);
		STORE(p, 17, u16, outbound ? lport : rport);
		bpf_probe_read_kernel(p + 19, 16, outbound ? ra : la);
		STORE(p, 35, u16, outbound ? rport : lport);
		evt_param_done(e, 37);
		return;
	}
	case AF_UNIX: {
		struct unix_sock *us = (struct unix_sock *)sk;
		struct sock *peer = BPF_CORE_READ(us, peer);
		p[0] = PPM_SOCKET_FAMILIES_AF_UNIX;
		STORE(p, 1, u64, (u64)sk);
		STORE(p, 9, u64, (u64)peer);
		/* The path is the bound name of whichever end has one. */
		struct unix_address *addr = BPF_CORE_READ(us, addr);
		if (!addr && peer)
			addr = BPF_CORE_READ((struct unix_sock *)peer, addr);
		long n = 0;
		if (addr)
			n = bpf_probe_read_kernel_str(p + 17, 109, &addr->name[0].sun_path);
		if (n <= 0) {
			p[17] = 0;
			n = 1;
		}
		evt_param_done(e, 17 + (u32)n);
		return;
	}
	default:
		push_empty(e);
		return;
	}
}

#endif /* __KERNEL_H__ */
