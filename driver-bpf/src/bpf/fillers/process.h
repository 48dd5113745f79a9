/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Process, identity and kernel-object fillers: signals, ptrace, namespaces,
 * sessions, capabilities, resource limits, seccomp, modules.
 */
#ifndef __FILLERS_PROCESS_H__
#define __FILLERS_PROCESS_H__

#include "helpers.h"

SEC("tp_btf/sys_exit")
int BPF_PROG(kill_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_KILL_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u8(&e, syscall_arg(regs, 1));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tgkill_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_TGKILL_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u64(&e, arg_s32(regs, 1));
	push_u8(&e, syscall_arg(regs, 2));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tkill_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_TKILL_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u8(&e, syscall_arg(regs, 1));
	fevt_submit(&e);
	return 0;
}

/* ptrace's addr and data are dynamic: a u64 (PPM_PTRACE_IDX_UINT64) or a
 * signal number (PPM_PTRACE_IDX_SIGTYPE). data is the word peeked for the
 * PEEK requests (the kernel stores it at the caller's data pointer), the
 * signal to deliver for CONT, SYSCALL, SINGLESTEP and DETACH, and the raw
 * argument otherwise. */
#define PTRACE_PEEKTEXT 1
#define PTRACE_PEEKDATA 2
#define PTRACE_PEEKUSR 3
#define PTRACE_CONT 7
#define PTRACE_SINGLESTEP 9
#define PTRACE_DETACH 17
#define PTRACE_SYSCALL 24

static __always_inline void push_dyn_u64(struct evt *e, u64 v)
{
	u8 *p = evt_cursor(e);
	p[0] = PPM_PTRACE_DYNAMIC_PARAM_PPM_PTRACE_IDX_UINT64;
	STORE(p, 1, u64, v);
	evt_param_done(e, 9);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ptrace_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_PTRACE_X))
		return 0;
	u64 req = syscall_arg(regs, 0);
	u64 data = syscall_arg(regs, 3);
	push_u64(&e, ret);
	push_dyn_u64(&e, syscall_arg(regs, 2));
	switch (req) {
	case PTRACE_PEEKTEXT:
	case PTRACE_PEEKDATA:
	case PTRACE_PEEKUSR: {
		u64 word = 0;
		if (ret < 0 || bpf_probe_read_user(&word, sizeof(word), (void *)data) != 0)
			push_empty(&e);
		else
			push_dyn_u64(&e, word);
		break;
	}
	case PTRACE_CONT:
	case PTRACE_SINGLESTEP:
	case PTRACE_DETACH:
	case PTRACE_SYSCALL: {
		u8 *p = evt_cursor(&e);
		p[0] = PPM_PTRACE_DYNAMIC_PARAM_PPM_PTRACE_IDX_SIGTYPE;
		p[1] = (u8)data;
		evt_param_done(&e, 2);
		break;
	}
	default:
		push_dyn_u64(&e, data);
	}
	push_u16(&e, ptrace_request_to_ppm(req));
	push_u64(&e, arg_s32(regs, 1));
	evt_submit(&e);
	return 0;
}

/* ---- namespaces and sessions ---- */

SEC("tp_btf/sys_exit")
int BPF_PROG(setns_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_SETNS_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u32(&e, clone_flags_to_ppm((u32)syscall_arg(regs, 1)));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(unshare_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_UNSHARE_X))
		return 0;
	push_u64(&e, ret);
	push_u32(&e, clone_flags_to_ppm((u32)syscall_arg(regs, 0)));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(setsid_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_SETSID_X))
		return 0;
	push_u64(&e, ret);
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(setpgid_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_SETPGID_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u64(&e, arg_s32(regs, 1));
	fevt_submit(&e);
	return 0;
}

/* ---- capabilities, limits, seccomp ---- */

/* The capability sets in force after the call, from the task's credentials
 * (what a successful capset installed; unchanged after a failure). */
SEC("tp_btf/sys_exit")
int BPF_PROG(capset_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_CAPSET_X))
		return 0;
	const struct cred *cred = BPF_CORE_READ(current_task(), cred);
	push_u64(&e, ret);
	push_u64(&e, cap_read(&cred->cap_inheritable));
	push_u64(&e, cap_read(&cred->cap_permitted));
	push_u64(&e, cap_read(&cred->cap_effective));
	fevt_submit(&e);
	return 0;
}

/* A struct rlimit in user memory as two int64 parameters (RLIM_INFINITY is
 * -1); both empty when there is none (a NULL pointer, or the old limits of a
 * failed call). */
static __always_inline void push_user_rlimit(struct evt *e, u64 uptr, bool valid)
{
	struct rlimit r = {};
	if (!valid || !uptr || bpf_probe_read_user(&r, sizeof(r), (void *)uptr) != 0) {
		push_empty(e);
		push_empty(e);
		return;
	}
	push_u64(e, r.rlim_cur);
	push_u64(e, r.rlim_max);
}

/* prlimit64(pid, resource, new, old) */
SEC("tp_btf/sys_exit")
int BPF_PROG(prlimit64_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_PRLIMIT_X))
		return 0;
	push_u64(&e, ret);
	push_user_rlimit(&e, syscall_arg(regs, 2), true);
	push_user_rlimit(&e, syscall_arg(regs, 3), ret == 0);
	push_u64(&e, arg_s32(regs, 0));
	push_u8(&e, rlimit_resource_to_ppm(syscall_arg(regs, 1)));
	evt_submit(&e);
	return 0;
}

/* setrlimit(resource, rlim) */
SEC("tp_btf/sys_exit")
int BPF_PROG(setrlimit_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_SETRLIMIT_X))
		return 0;
	push_u64(&e, ret);
	push_user_rlimit(&e, syscall_arg(regs, 1), true);
	push_u8(&e, rlimit_resource_to_ppm(syscall_arg(regs, 0)));
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(seccomp_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_SECCOMP_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, (u32)syscall_arg(regs, 0));
	push_u64(&e, (u32)syscall_arg(regs, 1));
	fevt_submit(&e);
	return 0;
}

/* ---- kernel modules ---- */

/* init_module(image, len, uargs): the image's first bytes (snaplen). */
SEC("tp_btf/sys_exit")
int BPF_PROG(init_module_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_INIT_MODULE_X))
		return 0;
	u64 len = syscall_arg(regs, 1);
	push_u64(&e, ret);
	push_bytes_user(&e, (void *)syscall_arg(regs, 0), snaplen_of(len));
	push_u64(&e, len);
	push_str_user(&e, (void *)syscall_arg(regs, 2), MAX_STR);
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(finit_module_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_FINIT_MODULE_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_str_user(&e, (void *)syscall_arg(regs, 1), MAX_STR);
	push_u32(&e, finit_module_flags_to_ppm(syscall_arg(regs, 2)));
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(delete_module_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_DELETE_MODULE_X))
		return 0;
	push_u64(&e, ret);
	push_str_user(&e, (void *)syscall_arg(regs, 0), MAX_STR);
	push_u32(&e, delete_module_flags_to_ppm(syscall_arg(regs, 1)));
	evt_submit(&e);
	return 0;
}

#endif /* __FILLERS_PROCESS_H__ */
