/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The few kernel types the probe reads, declared by hand.
 *
 * Every struct is compiled with preserve_access_index, so field offsets are
 * relocated by libbpf against the running kernel's BTF at load time (CO-RE):
 * only the field *names* and *types* here matter, not the offsets, and a struct
 * may list any subset of the kernel's fields in any order. A full vmlinux.h
 * works too, but this one is reviewable, compiles four times faster and builds
 * for every architecture from one file.
 *
 * The include guard must be __VMLINUX_H__: bpf_tracing.h checks it to pick the
 * kernel's register names instead of the user-space ones.
 */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

typedef unsigned char __u8;
typedef signed char __s8;
typedef unsigned short __u16;
typedef short __s16;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;
typedef __u8 u8;
typedef __s8 s8;
typedef __u16 u16;
typedef __s16 s16;
typedef __u32 u32;
typedef __s32 s32;
typedef __u64 u64;
typedef __s64 s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u16 __le16;
typedef __u32 __le32;
typedef __u64 __le64;
typedef __u64 __be64;
typedef __u32 __wsum;
typedef _Bool bool;
enum { false = 0, true = 1 };
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef unsigned short umode_t;
typedef unsigned int dev_t;
typedef long long loff_t;
typedef long long time64_t;
typedef unsigned int fmode_t;
typedef unsigned long size_t;
typedef unsigned short sa_family_t;

/* BPF UAPI constants used by the map definitions and helpers. */
enum bpf_map_type {
	BPF_MAP_TYPE_UNSPEC = 0,
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PROG_ARRAY = 3,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_ARRAY_OF_MAPS = 12,
	BPF_MAP_TYPE_RINGBUF = 27,
};
enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
	BPF_EXIST = 2,
	BPF_F_MMAPABLE = 1024,
};
enum {
	BPF_RB_NO_WAKEUP = 1,
	BPF_RB_FORCE_WAKEUP = 2,
};

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

/* ---- registers (per architecture) ---- */
#if defined(__TARGET_ARCH_x86)
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};
struct thread_info {
	unsigned long flags;
	unsigned long syscall_work;
	u32 status;
};
#elif defined(__TARGET_ARCH_arm64)
struct user_pt_regs {
	u64 regs[31];
	u64 sp;
	u64 pc;
	u64 pstate;
};
struct pt_regs {
	union {
		struct user_pt_regs user_regs;
		struct {
			u64 regs[31];
			u64 sp;
			u64 pc;
			u64 pstate;
		};
	};
	u64 orig_x0;
	s32 syscallno;
};
struct thread_info {
	unsigned long flags;
};
#else
#error "the probe supports __TARGET_ARCH_x86 and __TARGET_ARCH_arm64"
#endif

/* ---- basic kernel types ---- */
typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;
typedef struct { uid_t val; } kuid_t;
typedef struct { gid_t val; } kgid_t;
/* Two layouts share 8 bytes at the same offset (u32 cap[2] before 6.3, u64 val
 * after): the probe reads the field as a little-endian u64 either way. */
typedef struct { u64 val; } kernel_cap_t;

struct list_head {
	struct list_head *next, *prev;
};

struct qstr {
	union {
		struct {
			u32 hash;
			u32 len;
		};
		u64 hash_len;
	};
	const unsigned char *name;
};

/* ---- files and paths ---- */
struct super_block {
	dev_t s_dev;
	unsigned long s_flags;
	unsigned long s_magic;
	struct dentry *s_root;
};

struct timespec64 {
	time64_t tv_sec;
	long tv_nsec;
};

struct inode {
	umode_t i_mode;
	kuid_t i_uid;
	kgid_t i_gid;
	unsigned int i_flags;
	struct super_block *i_sb;
	unsigned long i_ino;
	/* >= 6.11 layout; older layouts are the flavours below. */
	time64_t i_ctime_sec;
	u32 i_ctime_nsec;
	time64_t i_mtime_sec;
	u32 i_mtime_nsec;
};
/* 6.6 .. 6.10: ctime (6.6) and mtime (6.7) became private timespec64 fields. */
struct inode___v66 {
	struct timespec64 __i_ctime;
	struct timespec64 __i_mtime;
};
/* < 6.6 */
struct inode___pre66 {
	struct timespec64 i_ctime;
	struct timespec64 i_mtime;
};

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
	struct inode *d_inode;
	struct super_block *d_sb;
};

struct vfsmount {
	struct dentry *mnt_root;
	struct super_block *mnt_sb;
};

struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
};

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct file {
	fmode_t f_mode;
	const void *f_op;
	void *private_data;
	struct inode *f_inode;
	unsigned int f_flags;
	struct path f_path;
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

struct fs_struct {
	struct path root;
	struct path pwd;
};

/* ---- credentials and namespaces ---- */
struct uid_gid_extent {
	u32 first;
	u32 lower_first;
	u32 count;
};

struct uid_gid_map {
	u32 nr_extents;
	struct uid_gid_extent extent[5];
};

struct user_namespace {
	struct uid_gid_map uid_map;
	struct uid_gid_map gid_map;
	int level;
};

struct group_info {
	int ngroups;
	kgid_t gid[];
};

struct cred {
	kuid_t uid;
	kgid_t gid;
	kuid_t suid;
	kgid_t sgid;
	kuid_t euid;
	kgid_t egid;
	kuid_t fsuid;
	kgid_t fsgid;
	kernel_cap_t cap_inheritable;
	kernel_cap_t cap_permitted;
	kernel_cap_t cap_effective;
	struct user_namespace *user_ns;
	struct group_info *group_info;
};

struct upid {
	int nr;
	struct pid_namespace *ns;
};

struct pid {
	unsigned int level;
	struct upid numbers[];
};

struct pid_namespace {
	struct task_struct *child_reaper;
	unsigned int level;
};

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
	PIDTYPE_PGID,
	PIDTYPE_SID,
	PIDTYPE_MAX,
};

/* ---- tty ---- */
struct tty_driver {
	int major;
	int minor_start;
};

struct tty_struct {
	struct tty_driver *driver;
	int index;
};

/* ---- process ---- */
struct rlimit {
	unsigned long rlim_cur;
	unsigned long rlim_max;
};

struct signal_struct {
	atomic_t live;
	int nr_threads;
	unsigned int is_child_subreaper: 1;
	unsigned int has_child_subreaper: 1;
	struct pid *pids[PIDTYPE_MAX];
	struct tty_struct *tty;
	struct rlimit rlim[16];
};

struct percpu_counter {
	s64 count;
};

/* < 6.2 */
struct mm_rss_stat {
	atomic_long_t count[4];
};
struct mm_struct___pre62 {
	struct mm_rss_stat rss_stat;
};

struct mm_struct {
	unsigned long total_vm;
	unsigned long arg_start;
	unsigned long arg_end;
	unsigned long env_start;
	unsigned long env_end;
	struct percpu_counter rss_stat[4];
	struct file *exe_file;
};

struct cgroup_subsys {
	const char *name;
	const char *legacy_name;
};

struct kernfs_node {
	struct kernfs_node *__parent;
	const char *name;
};
/* < 6.15 */
struct kernfs_node___pre615 {
	struct kernfs_node *parent;
};

struct cgroup {
	struct kernfs_node *kn;
};

struct cgroup_subsys_state {
	struct cgroup *cgroup;
	struct cgroup_subsys *ss;
};

struct css_set {
	struct cgroup_subsys_state *subsys[16];
	struct cgroup *dfl_cgrp;
};

struct nsproxy {
	struct pid_namespace *pid_ns_for_children;
};

struct task_struct {
	struct thread_info thread_info;
	unsigned int flags;
	int exit_code;
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	struct task_struct *parent;
	struct list_head children;
	struct list_head sibling;
	struct task_struct *group_leader;
	struct pid *thread_pid;
	u64 start_time;
	unsigned long min_flt;
	unsigned long maj_flt;
	const struct cred *cred;
	char comm[16];
	struct fs_struct *fs;
	struct files_struct *files;
	struct nsproxy *nsproxy;
	struct signal_struct *signal;
	kuid_t loginuid;
	struct css_set *cgroups;
	struct mm_struct *mm;
};

/* ---- signals ---- */
union __sifields {
	struct {
		pid_t _pid;
		uid_t _uid;
	} _kill;
};

/* The kernel nests these in an anonymous struct: CO-RE finds them there. */
struct kernel_siginfo {
	int si_signo;
	int si_errno;
	int si_code;
	union __sifields _sifields;
};

struct k_sigaction;

struct linux_binprm {
	struct file *file;
	const char *filename;
};

/* ---- sockets ---- */
struct in6_addr {
	union {
		u8 u6_addr8[16];
		__be32 u6_addr32[4];
	} in6_u;
};

struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	u16 skc_num;
	unsigned short skc_family;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
};

struct sock {
	struct sock_common __sk_common;
	u32 sk_ack_backlog;
	u32 sk_max_ack_backlog;
	u16 sk_type;
	u16 sk_protocol;
};

struct socket {
	short type;
	struct file *file;
	struct sock *sk;
};

struct sockaddr_un {
	sa_family_t sun_family;
	char sun_path[108];
};

struct unix_address {
	int len;
	struct sockaddr_un name[];
};

struct unix_sock {
	struct sock sk;
	struct unix_address *addr;
	struct sock *peer;
};

#pragma clang attribute pop

#endif /* __VMLINUX_H__ */
