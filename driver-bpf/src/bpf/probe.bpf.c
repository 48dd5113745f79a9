// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The probe: one tp_btf/sys_exit dispatcher, one filler per syscall with
 * dedicated parameters (tail-called through exit_fillers), and the scheduler
 * tracepoints for exec, fork and exit. Every event is an exit-only event in
 * Falco's wire format carrying all of its parameters (schema 4.5.1).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ppm_schema.h"
#include "probe.h"
#include "maps.h"
#include "event.h"
#include "kernel.h"
#include "flags.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define EINPROGRESS 115

/* ------------------------------------------------------------------------ */
/* Dispatcher                                                                */
/* ------------------------------------------------------------------------ */

/*
 * Cost model: a syscall nobody asked for pays one load from g_syscalls and
 * returns. A captured one pays the pid lookup (for the self filter and the
 * header), then either the inline generic event (fixed size, reserved in the
 * ring) or one tail call into its filler.
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	u32 nr = syscall_nr(regs);
	if (nr >= SYSCALL_TABLE_SIZE)
		return 0;
	u32 cfg = g_syscalls[nr];
	if (!cfg)
		return 0;

	u32 tgid, tid;
	/* A 32-bit syscall's number is not a native one: skip it rather than
	 * report it as the wrong syscall. */
	if (!current_ids(&tgid, &tid))
		return 0;
	if (tgid == g_settings.self_tgid)
		return 0;
	if (g_settings.drop_failed && ret < 0)
		return 0;

	if (cfg & SC_DEDICATED) {
		bpf_tail_call(ctx, &exit_fillers, nr);
		/* Only reached when the filler is missing. */
		u32 cpu = bpf_get_smp_processor_id();
		struct counters *c = bpf_map_lookup_elem(&counters, &cpu);
		if (c)
			c->n_drops_bug++;
		return 0;
	}

	/* The generic event: fixed size, written in place. */
	struct cpu_state st;
	if (!cpu_state_get(&st))
		return 0;
	u8 *p = fixed_reserve(&st, PPME_GENERIC_X_SIZE);
	if (!p)
		return 0;
	write_header(p, event_ts(), tid, PPME_GENERIC_X_SIZE, PPME_GENERIC_X, PPME_GENERIC_X_NPARAMS);
	STORE(p, 26, u16, 2);
	STORE(p, 28, u16, 2);
	STORE(p, 30, u16, cfg & SC_PPM_SC_MASK);
	STORE(p, 32, u16, nr);
	fixed_submit(p);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* File fillers                                                              */
/* ------------------------------------------------------------------------ */

/* dev, ino and the open-result flag bits of the file behind a new fd. */
struct opened {
	u32 dev;
	u64 ino;
	u32 flags; /* PPM_O_F_CREATED | PPM_FD_UPPER/LOWER_LAYER */
	enum overlay_layer layer;
};

static __always_inline void opened_file(struct opened *o, long fd)
{
	o->dev = 0;
	o->ino = 0;
	o->flags = 0;
	o->layer = LAYER_NONE;
	if (fd < 0)
		return;
	struct file *f = task_fd_file(current_task(), fd);
	if (!f)
		return;
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	o->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	o->ino = BPF_CORE_READ(inode, i_ino);
	if (BPF_CORE_READ(f, f_mode) & FMODE_CREATED)
		o->flags |= PPM_FILE_FLAGS_O_F_CREATED;
	o->layer = file_overlay_layer(f);
	if (o->layer == LAYER_UPPER)
		o->flags |= PPM_FILE_FLAGS_FD_UPPER_LAYER;
	else if (o->layer == LAYER_LOWER)
		o->flags |= PPM_FILE_FLAGS_FD_LOWER_LAYER;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(open_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!evt_begin(&e, PPME_SYSCALL_OPEN_X, PPME_SYSCALL_OPEN_X_NPARAMS, (u32)bpf_get_current_pid_tgid()))
		return 0;
	u32 flags = syscall_arg(regs, 1);
	struct opened o;
	opened_file(&o, ret);
	push_u64(&e, ret);
	push_str_user(&e, (void *)syscall_arg(regs, 0), MAX_STR);
	push_u32(&e, open_flags_to_ppm(flags) | o.flags);
	push_u32(&e, open_mode_to_ppm(flags, syscall_arg(regs, 2)));
	push_u32(&e, o.dev);
	push_u64(&e, o.ino);
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(openat_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!evt_begin(&e, PPME_SYSCALL_OPENAT_2_X, PPME_SYSCALL_OPENAT_2_X_NPARAMS,
		       (u32)bpf_get_current_pid_tgid()))
		return 0;
	u32 flags = syscall_arg(regs, 2);
	struct opened o;
	opened_file(&o, ret);
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_str_user(&e, (void *)syscall_arg(regs, 1), MAX_STR);
	push_u32(&e, open_flags_to_ppm(flags) | o.flags);
	push_u32(&e, open_mode_to_ppm(flags, syscall_arg(regs, 3)));
	push_u32(&e, o.dev);
	push_u64(&e, o.ino);
	evt_submit(&e);
	return 0;
}

struct open_how {
	u64 flags;
	u64 mode;
	u64 resolve;
};

SEC("tp_btf/sys_exit")
int BPF_PROG(openat2_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!evt_begin(&e, PPME_SYSCALL_OPENAT2_X, PPME_SYSCALL_OPENAT2_X_NPARAMS,
		       (u32)bpf_get_current_pid_tgid()))
		return 0;
	struct open_how how = {};
	bpf_probe_read_user(&how, sizeof(how), (void *)syscall_arg(regs, 2));
	struct opened o;
	opened_file(&o, ret);
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_str_user(&e, (void *)syscall_arg(regs, 1), MAX_STR);
	push_u32(&e, open_flags_to_ppm(how.flags) | o.flags);
	push_u32(&e, open_mode_to_ppm(how.flags, how.mode));
	push_u32(&e, resolve_flags_to_ppm(how.resolve));
	push_u32(&e, o.dev);
	push_u64(&e, o.ino);
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(creat_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!evt_begin(&e, PPME_SYSCALL_CREAT_X, PPME_SYSCALL_CREAT_X_NPARAMS, (u32)bpf_get_current_pid_tgid()))
		return 0;
	struct opened o;
	opened_file(&o, ret);
	push_u64(&e, ret);
	push_str_user(&e, (void *)syscall_arg(regs, 0), MAX_STR);
	push_u32(&e, syscall_arg(regs, 1) & 07777);
	push_u32(&e, o.dev);
	push_u64(&e, o.ino);
	u16 cf = 0;
	if (o.layer == LAYER_UPPER)
		cf = PPM_CREAT_FLAGS_FD_UPPER_LAYER_CREAT;
	else if (o.layer == LAYER_LOWER)
		cf = PPM_CREAT_FLAGS_FD_LOWER_LAYER_CREAT;
	push_u16(&e, cf);
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(close_x, struct pt_regs *regs, long ret)
{
	struct cpu_state st;
	if (!cpu_state_get(&st))
		return 0;
	u8 *p = fixed_reserve(&st, PPME_SYSCALL_CLOSE_X_SIZE);
	if (!p)
		return 0;
	write_header(p, event_ts(), (u32)bpf_get_current_pid_tgid(), PPME_SYSCALL_CLOSE_X_SIZE,
		     PPME_SYSCALL_CLOSE_X, PPME_SYSCALL_CLOSE_X_NPARAMS);
	STORE(p, 26, u16, 8);
	STORE(p, 28, u16, 8);
	STORE(p, 30, s64, ret);
	STORE(p, 38, s64, arg_s32(regs, 0));
	fixed_submit(p);
	return 0;
}

/* read and write share a layout: res, data (cut at snaplen), fd, size. */
static __always_inline void io_event(u16 type, u32 nparams, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!evt_begin(&e, type, nparams, (u32)bpf_get_current_pid_tgid()))
		return;
	push_u64(&e, ret);
	u64 n = ret > 0 ? (u64)ret : 0;
	u32 snaplen = g_settings.snaplen;
	if (n > snaplen)
		n = snaplen;
	push_bytes_user(&e, (void *)syscall_arg(regs, 1), n);
	push_u64(&e, arg_s32(regs, 0));
	push_u32(&e, syscall_arg(regs, 2));
	evt_submit(&e);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(read_x, struct pt_regs *regs, long ret)
{
	io_event(PPME_SYSCALL_READ_X, PPME_SYSCALL_READ_X_NPARAMS, regs, ret);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(write_x, struct pt_regs *regs, long ret)
{
	io_event(PPME_SYSCALL_WRITE_X, PPME_SYSCALL_WRITE_X_NPARAMS, regs, ret);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Network fillers                                                           */
/* ------------------------------------------------------------------------ */

SEC("tp_btf/sys_exit")
int BPF_PROG(socket_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!evt_begin(&e, PPME_SOCKET_SOCKET_X, PPME_SOCKET_SOCKET_X_NPARAMS, (u32)bpf_get_current_pid_tgid()))
		return 0;
	u32 type = syscall_arg(regs, 1);
	u32 flags = 0;
	if (type & SOCK_NONBLOCK)
		flags |= PPM_FILE_FLAGS_O_NONBLOCK;
	if (type & SOCK_CLOEXEC)
		flags |= PPM_FILE_FLAGS_O_CLOEXEC;
	push_u64(&e, ret);
	push_u32(&e, socket_family_to_ppm(syscall_arg(regs, 0)));
	push_u32(&e, type & SOCK_TYPE_MASK);
	push_u32(&e, syscall_arg(regs, 2));
	push_u32(&e, flags);
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(bind_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!evt_begin(&e, PPME_SOCKET_BIND_X, PPME_SOCKET_BIND_X_NPARAMS, (u32)bpf_get_current_pid_tgid()))
		return 0;
	push_u64(&e, ret);
	push_user_sockaddr(&e, (void *)syscall_arg(regs, 1), syscall_arg(regs, 2));
	push_u64(&e, arg_s32(regs, 0));
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(connect_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!evt_begin(&e, PPME_SOCKET_CONNECT_X, PPME_SOCKET_CONNECT_X_NPARAMS, (u32)bpf_get_current_pid_tgid()))
		return 0;
	s64 fd = arg_s32(regs, 0);
	push_u64(&e, ret);
	if (ret == 0 || ret == -EINPROGRESS) {
		struct socket *sock = file_socket(task_fd_file(current_task(), fd));
		if (sock)
			push_socktuple(&e, sock, true);
		else
			push_empty(&e);
	} else {
		push_empty(&e);
	}
	push_u64(&e, fd);
	push_user_sockaddr(&e, (void *)syscall_arg(regs, 1), syscall_arg(regs, 2));
	evt_submit(&e);
	return 0;
}

static __always_inline void accept_event(u16 type, u32 nparams, struct pt_regs *regs, long ret, bool with_flags)
{
	struct evt e;
	if (!evt_begin(&e, type, nparams, (u32)bpf_get_current_pid_tgid()))
		return;
	struct task_struct *task = current_task();
	push_u64(&e, ret);
	struct socket *sock = ret >= 0 ? file_socket(task_fd_file(task, ret)) : NULL;
	if (sock)
		push_socktuple(&e, sock, false);
	else
		push_empty(&e);
	u32 qlen = 0, qmax = 0;
	struct socket *lsock = file_socket(task_fd_file(task, arg_s32(regs, 0)));
	if (lsock) {
		struct sock *sk = BPF_CORE_READ(lsock, sk);
		qlen = BPF_CORE_READ(sk, sk_ack_backlog);
		qmax = BPF_CORE_READ(sk, sk_max_ack_backlog);
	}
	push_u8(&e, qmax ? (u8)((u64)qlen * 100 / qmax) : 0);
	push_u32(&e, qlen);
	push_u32(&e, qmax);
	if (with_flags)
		push_u32(&e, (u32)syscall_arg(regs, 3));
	evt_submit(&e);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(accept_x, struct pt_regs *regs, long ret)
{
	accept_event(PPME_SOCKET_ACCEPT_5_X, PPME_SOCKET_ACCEPT_5_X_NPARAMS, regs, ret, false);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(accept4_x, struct pt_regs *regs, long ret)
{
	accept_event(PPME_SOCKET_ACCEPT4_6_X, PPME_SOCKET_ACCEPT4_6_X_NPARAMS, regs, ret, true);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Process events                                                            */
/* ------------------------------------------------------------------------ */

/* Parameters 0..14, shared by the clone family and execve:
 * res, exe, args, tid, pid, ptid, cwd, fdlimit, pgft_maj, pgft_min,
 * vm_size, vm_rss, vm_swap, comm, cgroups. */
static __always_inline void push_proc_prefix(struct evt *e, struct task_struct *task, s64 res)
{
	push_u64(e, res);

	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	unsigned long arg_start = mm ? BPF_CORE_READ(mm, arg_start) : 0;
	unsigned long arg_end = mm ? BPF_CORE_READ(mm, arg_end) : 0;
	u64 total = arg_end > arg_start ? arg_end - arg_start : 0;
	if (total > MAX_STR)
		total = MAX_STR;
	/* exe is argv[0]; args are the rest, NUL-separated as in memory. */
	u32 exe_len = total ? push_str_user(e, (void *)arg_start, MAX_STR) : (push_empty(e), 0);
	if (total > exe_len)
		push_bytes_user(e, (void *)(arg_start + exe_len), total - exe_len);
	else
		push_empty(e);

	push_u64(e, BPF_CORE_READ(task, pid));
	push_u64(e, BPF_CORE_READ(task, tgid));
	push_u64(e, task_ptid(task));

	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	struct path pwd = {}, root = {};
	bpf_probe_read_kernel(&pwd, sizeof(pwd), &fs->pwd);
	bpf_probe_read_kernel(&root, sizeof(root), &fs->root);
	push_path(e, pwd.dentry, pwd.mnt, &root);

	push_u64(e, task_fdlimit(task));
	push_u64(e, BPF_CORE_READ(task, maj_flt));
	push_u64(e, BPF_CORE_READ(task, min_flt));
	u32 vm_size, vm_rss, vm_swap;
	mm_sizes(mm, &vm_size, &vm_rss, &vm_swap);
	push_u32(e, vm_size);
	push_u32(e, vm_rss);
	push_u32(e, vm_swap);
	push_str_kernel(e, &task->comm, sizeof(task->comm));
	push_cgroups(e, task);
}

/* The clone family: parameters 15..20 after the shared prefix. */
static __always_inline void clone_event(u16 type, u32 nparams, struct task_struct *task, s64 res, u32 flags)
{
	struct evt e;
	if (!evt_begin(&e, type, nparams, BPF_CORE_READ(task, pid)))
		return;
	push_proc_prefix(&e, task, res);
	bool child = res == 0;
	u32 level = task_pidns_level(task);
	if (child && level > 0)
		flags |= PPM_CLONE_FLAGS_CLONE_CHILD_IN_PIDNS;
	if (!child && (flags & PPM_CLONE_FLAGS_CLONE_NEWPID ||
		       BPF_CORE_READ(task, nsproxy, pid_ns_for_children, level) > 0))
		flags |= PPM_CLONE_FLAGS_CLONE_CHILD_IN_PIDNS;
	push_u32(&e, flags);
	const struct cred *cred = BPF_CORE_READ(task, cred);
	push_u32(&e, BPF_CORE_READ(cred, euid.val));
	push_u32(&e, BPF_CORE_READ(cred, egid.val));
	push_u64(&e, task_xid_vnr(task, PIDTYPE_PID));
	push_u64(&e, task_xid_vnr(task, PIDTYPE_TGID));
	/* Only the child reports where its pid namespace started. */
	push_u64(&e, child ? task_pidns_start_ts(task) : 0);
	evt_submit(&e);
}

/* clone_flags for each member of the family, from the syscall's arguments. */
static __always_inline u32 clone_args_flags(u32 nr_kind, struct pt_regs *regs)
{
	switch (nr_kind) {
	case 0: /* clone */
		return clone_flags_to_ppm(syscall_arg(regs, 0));
	case 1: { /* clone3: struct clone_args starts with u64 flags */
		u64 f = 0;
		bpf_probe_read_user(&f, sizeof(f), (void *)syscall_arg(regs, 0));
		return clone_flags_to_ppm(f);
	}
	case 3: /* vfork */
		return PPM_CLONE_FLAGS_CLONE_VM | PPM_CLONE_FLAGS_CLONE_VFORK;
	default: /* fork */
		return 0;
	}
}

static __always_inline void clone_exit(u16 type, u32 nparams, u32 kind, struct pt_regs *regs, long ret)
{
	/* When the fork tracepoint reports children, the child's own sys_exit
	 * must not report it again. */
	if (ret == 0 && g_settings.child_from_fork_tp)
		return;
	clone_event(type, nparams, current_task(), ret, clone_args_flags(kind, regs));
}

SEC("tp_btf/sys_exit")
int BPF_PROG(clone_x, struct pt_regs *regs, long ret)
{
	clone_exit(PPME_SYSCALL_CLONE_20_X, PPME_SYSCALL_CLONE_20_X_NPARAMS, 0, regs, ret);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(clone3_x, struct pt_regs *regs, long ret)
{
	clone_exit(PPME_SYSCALL_CLONE3_X, PPME_SYSCALL_CLONE3_X_NPARAMS, 1, regs, ret);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(fork_x, struct pt_regs *regs, long ret)
{
	clone_exit(PPME_SYSCALL_FORK_20_X, PPME_SYSCALL_FORK_20_X_NPARAMS, 2, regs, ret);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(vfork_x, struct pt_regs *regs, long ret)
{
	clone_exit(PPME_SYSCALL_VFORK_20_X, PPME_SYSCALL_VFORK_20_X_NPARAMS, 3, regs, ret);
	return 0;
}

/*
 * Child side of a fork, for architectures where sys_exit does not fire in the
 * new child (arm64 and others), or when the loader asks for it. Runs in the
 * parent: the event is attributed to the child. The syscall is not known here
 * without bpf_task_pt_regs (5.15), so the child event is reported as clone
 * unless the parent's registers say otherwise.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	if (!g_settings.child_from_fork_tp)
		return 0;
	if ((u32)BPF_CORE_READ(child, tgid) == g_settings.self_tgid)
		return 0;
	clone_event(PPME_SYSCALL_CLONE_20_X, PPME_SYSCALL_CLONE_20_X_NPARAMS, child, 0, 0);
	return 0;
}

/* execve/execveat parameters 15..29 (and 30, filename, for execve). */
static __always_inline void exec_event(u16 type, u32 nparams, struct task_struct *task, s64 res,
				       const char *kfilename, const char *ufilename)
{
	struct evt e;
	if (!evt_begin(&e, type, nparams, BPF_CORE_READ(task, pid)))
		return;
	push_proc_prefix(&e, task, res);

	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	unsigned long env_start = mm ? BPF_CORE_READ(mm, env_start) : 0;
	unsigned long env_end = mm ? BPF_CORE_READ(mm, env_end) : 0;
	u64 env_len = env_end > env_start ? env_end - env_start : 0;
	if (env_len > MAX_STR)
		env_len = MAX_STR;
	push_bytes_user(&e, (void *)env_start, env_len);

	push_u32(&e, task_tty(task));
	push_u64(&e, task_xid_vnr(task, PIDTYPE_PGID));
	push_u32(&e, task_loginuid(task));

	const struct cred *cred = BPF_CORE_READ(task, cred);
	struct file *exe = mm ? BPF_CORE_READ(mm, exe_file) : NULL;
	struct inode *inode = exe ? BPF_CORE_READ(exe, f_inode) : NULL;
	u32 flags = 0;
	if (inode) {
		if (inode_writable_by((u64)inode, (u64)cred) > 0)
			flags |= PPM_EXECVE_FLAGS_EXE_WRITABLE;
		enum overlay_layer layer = file_overlay_layer(exe);
		if (layer == LAYER_UPPER)
			flags |= PPM_EXECVE_FLAGS_EXE_UPPER_LAYER;
		else if (layer == LAYER_LOWER)
			flags |= PPM_EXECVE_FLAGS_EXE_LOWER_LAYER;
		if (file_is_memfd(exe))
			flags |= PPM_EXECVE_FLAGS_EXE_FROM_MEMFD;
	}
	push_u32(&e, flags);
	push_u64(&e, cap_read(&cred->cap_inheritable));
	push_u64(&e, cap_read(&cred->cap_permitted));
	push_u64(&e, cap_read(&cred->cap_effective));
	push_u64(&e, inode ? BPF_CORE_READ(inode, i_ino) : 0);
	push_u64(&e, inode ? inode_ctime_ns(inode) : 0);
	push_u64(&e, inode ? inode_mtime_ns(inode) : 0);
	push_u32(&e, BPF_CORE_READ(cred, euid.val));

	struct path root = {};
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	bpf_probe_read_kernel(&root, sizeof(root), &fs->root);
	push_file_path(&e, exe, &root);

	/* pgid as seen from the host (vpgid above is the namespace's view). */
	struct pid *pgrp = BPF_CORE_READ(task, signal, pids[PIDTYPE_PGID]);
	push_u64(&e, pgrp ? BPF_CORE_READ(pgrp, numbers[0].nr) : 0);
	push_u32(&e, BPF_CORE_READ(cred, egid.val));

	if (nparams > 30) {
		if (kfilename)
			push_str_kernel(&e, kfilename, MAX_STR);
		else
			push_str_user(&e, ufilename, MAX_STR);
	}
	evt_submit(&e);
}

/* Every successful execve and execveat, after the new image is in place. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	if ((u32)BPF_CORE_READ(p, tgid) == g_settings.self_tgid)
		return 0;
	exec_event(PPME_SYSCALL_EXECVE_19_X, PPME_SYSCALL_EXECVE_19_X_NPARAMS, p, 0, BPF_CORE_READ(bprm, filename),
		   NULL);
	return 0;
}

/* Failed execve: the successful ones come from sched_process_exec. */
SEC("tp_btf/sys_exit")
int BPF_PROG(execve_x, struct pt_regs *regs, long ret)
{
	if (ret == 0)
		return 0;
	exec_event(PPME_SYSCALL_EXECVE_19_X, PPME_SYSCALL_EXECVE_19_X_NPARAMS, current_task(), ret, NULL,
		   (const char *)syscall_arg(regs, 0));
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(execveat_x, struct pt_regs *regs, long ret)
{
	if (ret == 0)
		return 0;
	exec_event(PPME_SYSCALL_EXECVEAT_X, PPME_SYSCALL_EXECVEAT_X_NPARAMS, current_task(), ret, NULL, NULL);
	return 0;
}

/* Where the exiting task's children go: another live thread of its group, the
 * closest child-subreaper ancestor, or its pid namespace's init. 0 when it has
 * no children. */
static __always_inline s64 find_reaper(struct task_struct *task)
{
	u64 children = (u64)task + bpf_core_field_offset(struct task_struct, children);
	if ((u64)BPF_CORE_READ(task, children.next) == children)
		return 0;
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);
	if (BPF_CORE_READ(task, signal, live.counter) > 0 && leader != task)
		return BPF_CORE_READ(leader, pid);
	struct pid_namespace *ns = task_pidns(task);
	struct task_struct *ns_reaper = BPF_CORE_READ(ns, child_reaper);
	struct task_struct *t = task;
	for (int i = 0; i < 8; i++) {
		t = BPF_CORE_READ(t, real_parent);
		if (!t || t == ns_reaper)
			break;
		struct signal_struct *sig = BPF_CORE_READ(t, signal);
		if (BPF_CORE_READ_BITFIELD_PROBED(sig, is_child_subreaper))
			return BPF_CORE_READ(t, pid);
	}
	return ns_reaper ? BPF_CORE_READ(ns_reaper, pid) : 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *p)
{
	u64 pid_tgid = bpf_get_current_pid_tgid();
	if ((u32)(pid_tgid >> 32) == g_settings.self_tgid)
		return 0;
	struct cpu_state st;
	if (!cpu_state_get(&st))
		return 0;
	s32 code = BPF_CORE_READ(p, exit_code);
	s64 reaper = find_reaper(p);
	u8 *rec = fixed_reserve(&st, PPME_PROCEXIT_1_E_SIZE);
	if (!rec)
		return 0;
	write_header(rec, event_ts(), (u32)pid_tgid, PPME_PROCEXIT_1_E_SIZE, PPME_PROCEXIT_1_E,
		     PPME_PROCEXIT_1_E_NPARAMS);
	STORE(rec, 26, u16, 8);
	STORE(rec, 28, u16, 8);
	STORE(rec, 30, u16, 1);
	STORE(rec, 32, u16, 1);
	STORE(rec, 34, u16, 8);
	STORE(rec, 36, s64, code);                 /* status: the raw wait status */
	STORE(rec, 44, s64, (code >> 8) & 0xff);   /* ret: the exit status */
	STORE(rec, 52, u8, code & 0x7f);           /* sig: the terminating signal */
	STORE(rec, 53, u8, (code & 0x80) ? 1 : 0); /* core dumped */
	STORE(rec, 54, s64, reaper);
	fixed_submit(rec);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* State changes: cwd, credentials, names, fd duplication and creation       */
/* ------------------------------------------------------------------------ */

SEC("tp_btf/sys_exit")
int BPF_PROG(chdir_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!evt_begin(&e, PPME_SYSCALL_CHDIR_X, PPME_SYSCALL_CHDIR_X_NPARAMS, (u32)bpf_get_current_pid_tgid()))
		return 0;
	push_u64(&e, ret);
	push_str_user(&e, (void *)syscall_arg(regs, 0), MAX_STR);
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(fchdir_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!evt_begin(&e, PPME_SYSCALL_FCHDIR_X, PPME_SYSCALL_FCHDIR_X_NPARAMS, (u32)bpf_get_current_pid_tgid()))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	evt_submit(&e);
	return 0;
}

/* setuid/setgid family: the result, then each id argument as given. */
static __always_inline void ids_event(u16 type, u32 nparams, struct pt_regs *regs, long ret, int nids)
{
	struct evt e;
	if (!evt_begin(&e, type, nparams, (u32)bpf_get_current_pid_tgid()))
		return;
	push_u64(&e, ret);
	push_u32(&e, syscall_arg(regs, 0));
	if (nids > 1)
		push_u32(&e, syscall_arg(regs, 1));
	if (nids > 2)
		push_u32(&e, syscall_arg(regs, 2));
	evt_submit(&e);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(setuid_x, struct pt_regs *regs, long ret)
{
	ids_event(PPME_SYSCALL_SETUID_X, PPME_SYSCALL_SETUID_X_NPARAMS, regs, ret, 1);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(setgid_x, struct pt_regs *regs, long ret)
{
	ids_event(PPME_SYSCALL_SETGID_X, PPME_SYSCALL_SETGID_X_NPARAMS, regs, ret, 1);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(setreuid_x, struct pt_regs *regs, long ret)
{
	ids_event(PPME_SYSCALL_SETREUID_X, PPME_SYSCALL_SETREUID_X_NPARAMS, regs, ret, 2);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(setregid_x, struct pt_regs *regs, long ret)
{
	ids_event(PPME_SYSCALL_SETREGID_X, PPME_SYSCALL_SETREGID_X_NPARAMS, regs, ret, 2);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(setresuid_x, struct pt_regs *regs, long ret)
{
	ids_event(PPME_SYSCALL_SETRESUID_X, PPME_SYSCALL_SETRESUID_X_NPARAMS, regs, ret, 3);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(setresgid_x, struct pt_regs *regs, long ret)
{
	ids_event(PPME_SYSCALL_SETRESGID_X, PPME_SYSCALL_SETRESGID_X_NPARAMS, regs, ret, 3);
	return 0;
}

#define PR_SET_NAME 15
#define PR_GET_NAME 16

SEC("tp_btf/sys_exit")
int BPF_PROG(prctl_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!evt_begin(&e, PPME_SYSCALL_PRCTL_X, PPME_SYSCALL_PRCTL_X_NPARAMS, (u32)bpf_get_current_pid_tgid()))
		return 0;
	u32 option = syscall_arg(regs, 0);
	unsigned long arg2 = syscall_arg(regs, 1);
	push_u64(&e, ret);
	/* The schema's prctl_options values are the kernel's PR_* numbers. */
	push_u32(&e, option);
	if (option == PR_SET_NAME || option == PR_GET_NAME) {
		push_str_user(&e, (void *)arg2, 16);
		push_empty(&e);
	} else {
		push_empty(&e);
		push_u64(&e, arg2);
	}
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(dup_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!evt_begin(&e, PPME_SYSCALL_DUP_1_X, PPME_SYSCALL_DUP_1_X_NPARAMS, (u32)bpf_get_current_pid_tgid()))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(dup2_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!evt_begin(&e, PPME_SYSCALL_DUP2_X, PPME_SYSCALL_DUP2_X_NPARAMS, (u32)bpf_get_current_pid_tgid()))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u64(&e, arg_s32(regs, 1));
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(dup3_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!evt_begin(&e, PPME_SYSCALL_DUP3_X, PPME_SYSCALL_DUP3_X_NPARAMS, (u32)bpf_get_current_pid_tgid()))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u64(&e, arg_s32(regs, 1));
	push_u32(&e, (syscall_arg(regs, 2) & O_CLOEXEC) ? PPM_FILE_FLAGS_O_CLOEXEC : 0);
	evt_submit(&e);
	return 0;
}

/* pipe and pipe2 report both fds (read back from the caller's array) and the
 * pipe's inode; a failed call made no fds, and they are empty. */
static __always_inline void pipe_event(u16 type, u32 nparams, struct pt_regs *regs, long ret, bool with_flags)
{
	struct evt e;
	if (!evt_begin(&e, type, nparams, (u32)bpf_get_current_pid_tgid()))
		return;
	s32 fds[2] = {-1, -1};
	push_u64(&e, ret);
	if (ret == 0 && bpf_probe_read_user(fds, sizeof(fds), (void *)syscall_arg(regs, 0)) == 0) {
		u64 ino = 0;
		struct file *f = task_fd_file(current_task(), fds[0]);
		if (f)
			ino = BPF_CORE_READ(f, f_inode, i_ino);
		push_u64(&e, (s64)fds[0]);
		push_u64(&e, (s64)fds[1]);
		push_u64(&e, ino);
	} else {
		push_empty(&e);
		push_empty(&e);
		push_empty(&e);
	}
	if (with_flags)
		push_u32(&e, open_flags_to_ppm(syscall_arg(regs, 1)));
	evt_submit(&e);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(pipe_x, struct pt_regs *regs, long ret)
{
	pipe_event(PPME_SYSCALL_PIPE_X, PPME_SYSCALL_PIPE_X_NPARAMS, regs, ret, false);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(pipe2_x, struct pt_regs *regs, long ret)
{
	pipe_event(PPME_SYSCALL_PIPE2_X, PPME_SYSCALL_PIPE2_X_NPARAMS, regs, ret, true);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(memfd_create_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!evt_begin(&e, PPME_SYSCALL_MEMFD_CREATE_X, PPME_SYSCALL_MEMFD_CREATE_X_NPARAMS,
		       (u32)bpf_get_current_pid_tgid()))
		return 0;
	push_u64(&e, ret);
	push_str_user(&e, (void *)syscall_arg(regs, 0), 250);
	/* MFD_CLOEXEC, MFD_ALLOW_SEALING, MFD_HUGETLB have the schema's values. */
	push_u32(&e, syscall_arg(regs, 1) & 7);
	evt_submit(&e);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The other fillers, by family                                              */
/* ------------------------------------------------------------------------ */

#include "fillers/files.h"
#include "fillers/fds.h"
#include "fillers/io.h"
#include "fillers/net.h"
#include "fillers/process.h"
#include "fillers/memory.h"
#include "fillers/tracepoints.h"
