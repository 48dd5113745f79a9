/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Network fillers: socketpair, listen, shutdown, the send and receive
 * families, socket options, getsockname/getpeername.
 *
 * Tuples come from the kernel's socket when it is connected, otherwise from
 * the socket's local end and the address passed with the message (see
 * push_msg_tuple); `src` is the initiator: the sender for outbound calls, the
 * peer for inbound ones.
 */
#ifndef __FILLERS_NET_H__
#define __FILLERS_NET_H__

#include "helpers.h"

static __always_inline struct socket *fd_socket(s64 fd)
{
	return file_socket(task_fd_file(current_task(), fd));
}

SEC("tp_btf/sys_exit")
int BPF_PROG(socketpair_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SOCKET_SOCKETPAIR_X))
		return 0;
	push_u64(&e, ret);
	s32 fds[2] = {-1, -1};
	if (ret == 0 && bpf_probe_read_user(fds, sizeof(fds), (void *)syscall_arg(regs, 3)) == 0) {
		push_u64(&e, (s64)fds[0]);
		push_u64(&e, (s64)fds[1]);
		/* source: the first socket's kernel address; peer: its peer's
		 * (UNIX sockets; other families have none). */
		struct socket *sock = fd_socket(fds[0]);
		struct sock *sk = sock ? BPF_CORE_READ(sock, sk) : NULL;
		struct sock *peer = NULL;
		if (sk && BPF_CORE_READ(sk, __sk_common.skc_family) == AF_UNIX)
			peer = BPF_CORE_READ((struct unix_sock *)sk, peer);
		push_u64(&e, (u64)sk);
		push_u64(&e, (u64)peer);
	} else {
		/* No fds were made: nothing to report. */
		push_empty(&e);
		push_empty(&e);
		push_empty(&e);
		push_empty(&e);
	}
	push_u32(&e, socket_family_to_ppm(syscall_arg(regs, 0)));
	/* The whole type argument: SOCK_CLOEXEC and SOCK_NONBLOCK included,
	 * there being no flags parameter. */
	push_u32(&e, syscall_arg(regs, 1));
	push_u32(&e, syscall_arg(regs, 2));
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(listen_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SOCKET_LISTEN_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u32(&e, syscall_arg(regs, 1));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(shutdown_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SOCKET_SHUTDOWN_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u8(&e, shutdown_how_to_ppm(syscall_arg(regs, 1)));
	fevt_submit(&e);
	return 0;
}

/* The schema keeps no parameters for these two. */
SEC("tp_btf/sys_exit")
int BPF_PROG(getsockname_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SOCKET_GETSOCKNAME_X))
		return 0;
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(getpeername_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SOCKET_GETPEERNAME_X))
		return 0;
	fevt_submit(&e);
	return 0;
}

/* sendto(fd, buf, len, flags, dest_addr, addrlen) */
SEC("tp_btf/sys_exit")
int BPF_PROG(sendto_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SOCKET_SENDTO_X))
		return 0;
	s64 fd = arg_s32(regs, 0);
	push_u64(&e, ret);
	push_bytes_user(&e, (void *)syscall_arg(regs, 1), snaplen_of(ret > 0 ? ret : 0));
	push_u64(&e, fd);
	push_u32(&e, syscall_arg(regs, 2));
	push_msg_tuple(&e, fd_socket(fd), syscall_arg(regs, 4), syscall_arg(regs, 5), true);
	evt_submit(&e);
	return 0;
}

/* recvfrom(fd, buf, size, flags, src_addr, addrlen *) */
SEC("tp_btf/sys_exit")
int BPF_PROG(recvfrom_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SOCKET_RECVFROM_X))
		return 0;
	s64 fd = arg_s32(regs, 0);
	push_u64(&e, ret);
	push_bytes_user(&e, (void *)syscall_arg(regs, 1), snaplen_of(ret > 0 ? ret : 0));
	if (ret >= 0)
		push_msg_tuple(&e, fd_socket(fd), syscall_arg(regs, 4), user_u32(syscall_arg(regs, 5)), false);
	else
		push_empty(&e);
	push_u64(&e, fd);
	push_u32(&e, syscall_arg(regs, 2));
	evt_submit(&e);
	return 0;
}

/* sendmsg(fd, msg, flags): res, data, fd, size, tuple */
SEC("tp_btf/sys_exit")
int BPF_PROG(sendmsg_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SOCKET_SENDMSG_X))
		return 0;
	s64 fd = arg_s32(regs, 0);
	struct user_msghdr m = {};
	bpf_probe_read_user(&m, sizeof(m), (void *)syscall_arg(regs, 1));
	push_u64(&e, ret);
	u64 total = push_iovec_data(&e, m.msg_iov, m.msg_iovlen, snaplen_of(ret > 0 ? ret : 0));
	push_u64(&e, fd);
	push_u32(&e, total);
	push_msg_tuple(&e, fd_socket(fd), m.msg_name, m.msg_namelen, true);
	evt_submit(&e);
	return 0;
}

/* recvmsg(fd, msg, flags): res, size, data, tuple, msgcontrol, fd. The kernel
 * has filled msg_name and msg_control (and their lengths) in by now. */
SEC("tp_btf/sys_exit")
int BPF_PROG(recvmsg_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SOCKET_RECVMSG_X))
		return 0;
	s64 fd = arg_s32(regs, 0);
	struct user_msghdr m = {};
	bpf_probe_read_user(&m, sizeof(m), (void *)syscall_arg(regs, 1));
	push_u64(&e, ret);
	u32 n = written(write_iovec(m.msg_iov, m.msg_iovlen, snaplen_of(ret > 0 ? ret : 0), e.pos + 4));
	push_u32(&e, e.s->total);
	evt_param_done(&e, n);
	if (ret >= 0) {
		push_msg_tuple(&e, fd_socket(fd), m.msg_name, m.msg_namelen, false);
		push_bytes_user(&e, (void *)m.msg_control, snaplen_of(m.msg_controllen));
	} else {
		push_empty(&e);
		push_empty(&e);
	}
	push_u64(&e, fd);
	evt_submit(&e);
	return 0;
}

/* ---- sendmmsg, recvmmsg: one event per message, as Falco's probe ---- */

#define MAX_MMSG 16 /* messages reported per call */
#define MMSGHDR_SIZE 64 /* struct mmsghdr: msghdr (56) + msg_len (4) + padding */

/* One event for the message at user address `hdr_p` (0: the call failed or
 * sent nothing; the event then carries `res` and the fd only). The message's
 * res is its msg_len. */
__noinline int emit_mmsg(u64 recv, u64 fd, u64 sock_p, u64 hdr_p, u64 res)
{
	struct evt e;
	u16 type = recv ? PPME_SOCKET_RECVMMSG_X : PPME_SOCKET_SENDMMSG_X;
	u32 nparams = recv ? PPME_SOCKET_RECVMMSG_X_NPARAMS : PPME_SOCKET_SENDMMSG_X_NPARAMS;
	if (!evt_begin(&e, type, nparams, current_tid()))
		return 0;
	if (!hdr_p) {
		push_u64(&e, res);
		push_u64(&e, fd);
		push_empty(&e);
		push_empty(&e);
		push_empty(&e);
		if (recv)
			push_empty(&e);
		evt_submit(&e);
		return 0;
	}
	struct user_msghdr m = {};
	u32 len = 0;
	bpf_probe_read_user(&m, sizeof(m), (void *)hdr_p);
	bpf_probe_read_user(&len, sizeof(len), (void *)(hdr_p + 56));
	push_u64(&e, len);
	push_u64(&e, fd);
	u32 n = written(write_iovec(m.msg_iov, m.msg_iovlen, snaplen_of(len), e.pos + 4));
	push_u32(&e, e.s->total);
	evt_param_done(&e, n);
	push_msg_tuple(&e, (struct socket *)sock_p, m.msg_name, m.msg_namelen, !recv);
	if (recv)
		push_bytes_user(&e, (void *)m.msg_control, snaplen_of(m.msg_controllen));
	evt_submit(&e);
	return 0;
}

static __always_inline void mmsg_exit(bool recv, struct pt_regs *regs, long ret)
{
	s64 fd = arg_s32(regs, 0);
	if (ret <= 0) {
		emit_mmsg(recv, fd, 0, 0, ret);
		return;
	}
	u64 vec = syscall_arg(regs, 1);
	u64 sock = scalar_of(fd_socket(fd));
	for (int i = 0; i < MAX_MMSG; i++) {
		if (i >= ret)
			break;
		emit_mmsg(recv, fd, sock, vec + (u64)i * MMSGHDR_SIZE, 0);
	}
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sendmmsg_x, struct pt_regs *regs, long ret)
{
	mmsg_exit(false, regs, ret);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(recvmmsg_x, struct pt_regs *regs, long ret)
{
	mmsg_exit(true, regs, ret);
	return 0;
}

/* ---- socket options ---- */

/* getsockopt(fd, level, optname, optval, optlen *): the value and its length
 * as the kernel returned them (empty when the call failed). */
SEC("tp_btf/sys_exit")
int BPF_PROG(getsockopt_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SOCKET_GETSOCKOPT_X))
		return 0;
	u32 level = syscall_arg(regs, 1);
	u32 name = syscall_arg(regs, 2);
	u32 optlen = 0;
	bool have_len = bpf_probe_read_user(&optlen, sizeof(optlen), (void *)syscall_arg(regs, 4)) == 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u8(&e, sockopt_level_to_ppm(level));
	push_u8(&e, sockopt_optname_to_ppm(level, name));
	if (ret == 0)
		push_sockopt_val(&e, level, name, syscall_arg(regs, 3), optlen);
	else
		push_empty(&e);
	if (have_len)
		push_u32(&e, optlen);
	else
		push_empty(&e);
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(setsockopt_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SOCKET_SETSOCKOPT_X))
		return 0;
	u32 level = syscall_arg(regs, 1);
	u32 name = syscall_arg(regs, 2);
	u32 optlen = syscall_arg(regs, 4);
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u8(&e, sockopt_level_to_ppm(level));
	push_u8(&e, sockopt_optname_to_ppm(level, name));
	push_sockopt_val(&e, level, name, syscall_arg(regs, 3), optlen);
	push_u32(&e, optlen);
	evt_submit(&e);
	return 0;
}

#endif /* __FILLERS_NET_H__ */
