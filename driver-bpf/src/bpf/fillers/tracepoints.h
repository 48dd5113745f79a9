/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Programs on tracepoints other than sys_exit:
 *
 * - signal_deliver (tp_btf): a signal about to be handled by its receiver;
 * - the enter-side events the schema keeps for open, openat, openat2, creat
 *   and connect (tracepoint/syscalls/sys_enter_*): the path or address as
 *   the caller passed it on entry, so that a user buffer rewritten while the
 *   syscall runs (a TOCTOU trick) shows in the difference with the exit
 *   event. Those need tracefs to attach; the loader attaches each only when
 *   its syscall is selected.
 */
#ifndef __FILLERS_TRACEPOINTS_H__
#define __FILLERS_TRACEPOINTS_H__

#include "helpers.h"

#define SI_USER 0
#define SI_QUEUE (-1)
#define SI_TKILL (-6)
#define SIGCHLD 17

/* spid: the sender, for signals a process sent (kill, tkill, sigqueue) and
 * for SIGCHLD (the child); 0 for signals the kernel raised. Pids as the
 * receiver's pid namespace sees them (the kernel's siginfo). */
SEC("tp_btf/signal_deliver")
int BPF_PROG(signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	u64 pid_tgid = bpf_get_current_pid_tgid();
	if ((u32)(pid_tgid >> 32) == g_settings.self_tgid)
		return 0;
	s64 spid = 0;
	int code = BPF_CORE_READ(info, si_code);
	if (code == SI_USER || code == SI_QUEUE || code == SI_TKILL || (sig == SIGCHLD && code > 0))
		spid = BPF_CORE_READ(info, _sifields._kill._pid);
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SIGNALDELIVER_E))
		return 0;
	push_u64(&e, spid);
	push_u64(&e, (u32)pid_tgid);
	push_u8(&e, sig);
	fevt_submit(&e);
	return 0;
}

/* ---- enter events (TOCTOU) ---- */

/* The record of a syscalls:sys_enter_* tracepoint: the common header, the
 * syscall number, then the arguments, each in 8 bytes. */
struct sys_enter_ctx {
	u64 __common;
	s32 nr;
	s32 __pad;
	u64 args[6];
};

/* Begins the enter event `code` unless the consumer itself is the caller
 * (one helper call for both the filter and the header's tid). */
#define ENTER_BEGIN(e, code)                                                          \
	({                                                                            \
		u64 __pt = bpf_get_current_pid_tgid();                                \
		(u32)(__pt >> 32) != g_settings.self_tgid &&                          \
			evt_begin(e, code, code##_NPARAMS, (u32)__pt);                \
	})

SEC("tracepoint/syscalls/sys_enter_open")
int open_e(struct sys_enter_ctx *ctx)
{
	struct evt e;
	if (!ENTER_BEGIN(&e, PPME_SYSCALL_OPEN_E))
		return 0;
	u32 flags = ctx->args[1];
	push_str_user(&e, (void *)ctx->args[0], MAX_STR);
	push_u32(&e, open_flags_to_ppm(flags));
	push_u32(&e, open_mode_to_ppm(flags, ctx->args[2]));
	evt_submit(&e);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int openat_e(struct sys_enter_ctx *ctx)
{
	struct evt e;
	if (!ENTER_BEGIN(&e, PPME_SYSCALL_OPENAT_2_E))
		return 0;
	u32 flags = ctx->args[2];
	push_u64(&e, (s64)(s32)ctx->args[0]);
	push_str_user(&e, (void *)ctx->args[1], MAX_STR);
	push_u32(&e, open_flags_to_ppm(flags));
	push_u32(&e, open_mode_to_ppm(flags, ctx->args[3]));
	evt_submit(&e);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int openat2_e(struct sys_enter_ctx *ctx)
{
	struct evt e;
	if (!ENTER_BEGIN(&e, PPME_SYSCALL_OPENAT2_E))
		return 0;
	struct open_how how = {};
	bpf_probe_read_user(&how, sizeof(how), (void *)ctx->args[2]);
	push_u64(&e, (s64)(s32)ctx->args[0]);
	push_str_user(&e, (void *)ctx->args[1], MAX_STR);
	push_u32(&e, open_flags_to_ppm(how.flags));
	push_u32(&e, open_mode_to_ppm(how.flags, how.mode));
	push_u32(&e, resolve_flags_to_ppm(how.resolve));
	evt_submit(&e);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_creat")
int creat_e(struct sys_enter_ctx *ctx)
{
	struct evt e;
	if (!ENTER_BEGIN(&e, PPME_SYSCALL_CREAT_E))
		return 0;
	push_str_user(&e, (void *)ctx->args[0], MAX_STR);
	push_u32(&e, ctx->args[1] & 07777);
	evt_submit(&e);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_connect")
int connect_e(struct sys_enter_ctx *ctx)
{
	struct evt e;
	if (!ENTER_BEGIN(&e, PPME_SOCKET_CONNECT_E))
		return 0;
	push_u64(&e, (s64)(s32)ctx->args[0]);
	push_user_sockaddr(&e, (void *)ctx->args[1], ctx->args[2]);
	evt_submit(&e);
	return 0;
}

#endif /* __FILLERS_TRACEPOINTS_H__ */
