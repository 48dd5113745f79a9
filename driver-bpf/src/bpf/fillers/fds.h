/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Fillers of the syscalls that create fds of special kinds: eventfd,
 * inotify, signalfd, timerfd, userfaultfd, io_uring, epoll, pidfd, bpf,
 * open_by_handle_at.
 */
#ifndef __FILLERS_FDS_H__
#define __FILLERS_FDS_H__

#include "helpers.h"

SEC("tp_btf/sys_exit")
int BPF_PROG(eventfd_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_EVENTFD_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, (u32)syscall_arg(regs, 0));
	/* eventfd has no flags argument. */
	push_u32(&e, 0);
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(eventfd2_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_EVENTFD2_X))
		return 0;
	push_u64(&e, ret);
	/* EFD_CLOEXEC and EFD_NONBLOCK are O_CLOEXEC and O_NONBLOCK;
	 * EFD_SEMAPHORE has no name in the schema's file flags. */
	push_u16(&e, fd_flags_to_ppm(syscall_arg(regs, 1)));
	push_u64(&e, (u32)syscall_arg(regs, 0));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(inotify_init_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_INOTIFY_INIT_X))
		return 0;
	push_u64(&e, ret);
	push_u8(&e, 0); /* inotify_init has no flags argument */
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(inotify_init1_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_INOTIFY_INIT1_X))
		return 0;
	push_u64(&e, ret);
	push_u16(&e, fd_flags_to_ppm(syscall_arg(regs, 0)));
	fevt_submit(&e);
	return 0;
}

/* signalfd and signalfd4: the mask is the low 32 bits of the user's sigset
 * (the schema's width), read at exit. */
SEC("tp_btf/sys_exit")
int BPF_PROG(signalfd_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_SIGNALFD_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u32(&e, user_u32(syscall_arg(regs, 1)));
	push_u8(&e, 0); /* signalfd has no flags argument */
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(signalfd4_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_SIGNALFD4_X))
		return 0;
	push_u64(&e, ret);
	push_u16(&e, fd_flags_to_ppm(syscall_arg(regs, 3)));
	push_u64(&e, arg_s32(regs, 0));
	push_u32(&e, user_u32(syscall_arg(regs, 1)));
	fevt_submit(&e);
	return 0;
}

/* The schema gives both parameters 8 bits: clockid fits; of the flags
 * (TFD_CLOEXEC 0x80000, TFD_NONBLOCK 0x800) only the low byte survives,
 * as in Falco's probe. */
SEC("tp_btf/sys_exit")
int BPF_PROG(timerfd_create_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_TIMERFD_CREATE_X))
		return 0;
	push_u64(&e, ret);
	push_u8(&e, syscall_arg(regs, 0));
	push_u8(&e, syscall_arg(regs, 1));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(userfaultfd_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_USERFAULTFD_X))
		return 0;
	push_u64(&e, ret);
	push_u32(&e, fd_flags_to_ppm(syscall_arg(regs, 0)));
	fevt_submit(&e);
	return 0;
}

/* struct io_uring_params: the kernel fills sq_entries, cq_entries and
 * features in before returning; flags, sq_thread_cpu and sq_thread_idle are
 * the caller's. */
struct user_io_uring_params {
	u32 sq_entries;
	u32 cq_entries;
	u32 flags;
	u32 sq_thread_cpu;
	u32 sq_thread_idle;
	u32 features;
};

SEC("tp_btf/sys_exit")
int BPF_PROG(io_uring_setup_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_IO_URING_SETUP_X))
		return 0;
	struct user_io_uring_params p = {};
	bpf_probe_read_user(&p, sizeof(p), (void *)syscall_arg(regs, 1));
	push_u64(&e, ret);
	push_u32(&e, syscall_arg(regs, 0));
	push_u32(&e, p.sq_entries);
	push_u32(&e, p.cq_entries);
	push_u32(&e, io_uring_setup_flags_to_ppm(p.flags));
	push_u32(&e, p.sq_thread_cpu);
	push_u32(&e, p.sq_thread_idle);
	push_u32(&e, io_uring_feats_to_ppm(p.features));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(epoll_create_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_EPOLL_CREATE_X))
		return 0;
	push_u64(&e, ret);
	push_u32(&e, syscall_arg(regs, 0));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(epoll_create1_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_EPOLL_CREATE1_X))
		return 0;
	push_u64(&e, ret);
	push_u32(&e, (syscall_arg(regs, 0) & EPOLL_CLOEXEC) ? PPM_EPOLL_CREATE1_FLAGS_EPOLL_CLOEXEC : 0);
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(pidfd_open_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_PIDFD_OPEN_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u32(&e, pidfd_open_flags_to_ppm(syscall_arg(regs, 1)));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(pidfd_getfd_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_PIDFD_GETFD_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u64(&e, arg_s32(regs, 1));
	push_u32(&e, syscall_arg(regs, 2));
	fevt_submit(&e);
	return 0;
}

/* The schema's bpf_commands have the kernel's enum bpf_cmd values. */
SEC("tp_btf/sys_exit")
int BPF_PROG(bpf_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_BPF_2_X))
		return 0;
	push_u64(&e, ret);
	push_u32(&e, syscall_arg(regs, 0));
	fevt_submit(&e);
	return 0;
}

/* The path of the file behind the new fd, resolved in the kernel (the handle
 * names no path), with its device, inode and open flags. */
SEC("tp_btf/sys_exit")
int BPF_PROG(open_by_handle_at_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_OPEN_BY_HANDLE_AT_X))
		return 0;
	struct task_struct *task = current_task();
	struct opened o;
	opened_file(&o, ret);
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u32(&e, open_flags_to_ppm(syscall_arg(regs, 2)) | o.flags);
	struct file *f = ret >= 0 ? task_fd_file(task, ret) : NULL;
	struct path root = {};
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	bpf_probe_read_kernel(&root, sizeof(root), &fs->root);
	push_file_path(&e, f, &root);
	push_u32(&e, o.dev);
	push_u64(&e, o.ino);
	evt_submit(&e);
	return 0;
}

#endif /* __FILLERS_FDS_H__ */
