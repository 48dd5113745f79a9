/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Memory, waiting and polling fillers: mmap, munmap, mprotect, brk,
 * nanosleep, futex, poll, ppoll, select, epoll_wait.
 */
#ifndef __FILLERS_MEMORY_H__
#define __FILLERS_MEMORY_H__

#include "helpers.h"

/* vm_size, vm_rss, vm_swap (KiB) of the caller after the call. */
static __always_inline void push_vm_sizes(struct evt *e)
{
	u32 size, rss, swap;
	mm_sizes(BPF_CORE_READ(current_task(), mm), &size, &rss, &swap);
	push_u32(e, size);
	push_u32(e, rss);
	push_u32(e, swap);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(mmap_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_MMAP_X))
		return 0;
	push_u64(&e, ret);
	push_vm_sizes(&e);
	push_u64(&e, syscall_arg(regs, 0));
	push_u64(&e, syscall_arg(regs, 1));
	push_u32(&e, prot_flags_to_ppm(syscall_arg(regs, 2)));
	push_u32(&e, mmap_flags_to_ppm(syscall_arg(regs, 3)));
	push_u64(&e, arg_s32(regs, 4));
	push_u64(&e, syscall_arg(regs, 5));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(munmap_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_MUNMAP_X))
		return 0;
	push_u64(&e, ret);
	push_vm_sizes(&e);
	push_u64(&e, syscall_arg(regs, 0));
	push_u64(&e, syscall_arg(regs, 1));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(mprotect_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_MPROTECT_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, syscall_arg(regs, 0));
	push_u64(&e, syscall_arg(regs, 1));
	push_u32(&e, prot_flags_to_ppm(syscall_arg(regs, 2)));
	fevt_submit(&e);
	return 0;
}

/* res is the program break after the call (the old one when it failed). */
SEC("tp_btf/sys_exit")
int BPF_PROG(brk_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_BRK_4_X))
		return 0;
	push_u64(&e, ret);
	push_vm_sizes(&e);
	push_u64(&e, syscall_arg(regs, 0));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(nanosleep_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_NANOSLEEP_X))
		return 0;
	push_u64(&e, ret);
	u64 ns = 0;
	if (user_timespec_ns(syscall_arg(regs, 0), &ns))
		push_u64(&e, ns);
	else
		push_empty(&e);
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(futex_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_FUTEX_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, syscall_arg(regs, 0));
	push_u16(&e, futex_op_to_ppm(syscall_arg(regs, 1)));
	push_u64(&e, (u32)syscall_arg(regs, 2));
	fevt_submit(&e);
	return 0;
}

/* poll(fds, nfds, timeout ms): fds with the events returned. */
SEC("tp_btf/sys_exit")
int BPF_PROG(poll_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_POLL_X))
		return 0;
	push_u64(&e, ret);
	push_pollfds(&e, syscall_arg(regs, 0), syscall_arg(regs, 1));
	push_u64(&e, arg_s32(regs, 2));
	evt_submit(&e);
	return 0;
}

/* ppoll(fds, nfds, tmo, sigmask, sigsetsize): a NULL timeout (wait forever)
 * and a NULL mask leave their parameters empty. */
SEC("tp_btf/sys_exit")
int BPF_PROG(ppoll_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_PPOLL_X))
		return 0;
	push_u64(&e, ret);
	push_pollfds(&e, syscall_arg(regs, 0), syscall_arg(regs, 1));
	u64 ns = 0;
	if (user_timespec_ns(syscall_arg(regs, 2), &ns))
		push_u64(&e, ns);
	else
		push_empty(&e);
	u32 mask = 0;
	u64 mask_p = syscall_arg(regs, 3);
	if (mask_p && bpf_probe_read_user(&mask, sizeof(mask), (void *)mask_p) == 0)
		push_u32(&e, mask);
	else
		push_empty(&e);
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(select_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_SELECT_X))
		return 0;
	push_u64(&e, ret);
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(epoll_wait_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_EPOLLWAIT_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 2));
	fevt_submit(&e);
	return 0;
}

#endif /* __FILLERS_MEMORY_H__ */
