/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Helpers shared by the fillers: user memory (timespecs, iovecs, pollfds,
 * message headers), message tuples, socket option values.
 *
 * Loops over user arrays are global functions with their cursors in the
 * scratch map, for the reason kernel.h gives for path walks: verified once,
 * and successive iterations prune.
 */
#ifndef __FILLERS_HELPERS_H__
#define __FILLERS_HELPERS_H__

#include "../flags.h"

/* ---- user memory ---- */

/* A struct __kernel_timespec {s64 sec; s64 nsec} in user memory, as ns. */
static __always_inline int user_timespec_ns(u64 uptr, u64 *ns)
{
	struct {
		s64 sec;
		s64 nsec;
	} ts = {};
	if (!uptr || bpf_probe_read_user(&ts, sizeof(ts), (void *)uptr) != 0)
		return 0;
	*ns = (u64)ts.sec * 1000000000ULL + (u64)ts.nsec;
	return 1;
}

/* A u32 in user memory; 0 when unreadable. */
static __always_inline u32 user_u32(u64 uptr)
{
	u32 v = 0;
	if (uptr)
		bpf_probe_read_user(&v, sizeof(v), (void *)uptr);
	return v;
}

/* How many of `n` bytes of I/O data an event carries: the snaplen at most. */
static __always_inline u64 snaplen_of(u64 n)
{
	u32 snaplen = g_settings.snaplen;
	return n > snaplen ? snaplen : n;
}

/* ---- iovecs ---- */

#define MAX_IOVCNT 32 /* iovecs read per call (Falco's limit) */

struct user_iovec {
	u64 iov_base;
	u64 iov_len;
};

/* Copies up to `max` bytes of the data of the user iovec array `iov_p` (its
 * first `cnt` entries, MAX_IOVCNT at most) to scratch position `pos`, and
 * leaves the sum of those entries' lengths in the scratch's `total`.
 * Returns the bytes copied. */
__noinline int write_iovec(u64 iov_p, u64 cnt, u64 max, u64 pos)
{
	struct scratch *s = this_cpu_scratch();
	if (!s)
		return 0;
	s->total = 0;
	s->done = 0;
	s->limit = max < MAX_EVENT_SIZE ? max : MAX_EVENT_SIZE - 1;
	if (!iov_p)
		return 0;
	for (int i = 0; i < MAX_IOVCNT; i++) {
		if (i >= cnt)
			break;
		struct user_iovec v = {};
		if (bpf_probe_read_user(&v, sizeof(v), (void *)(iov_p + (u64)i * sizeof(v))) != 0)
			break;
		s->total += v.iov_len;
		u64 done = s->done;
		u64 limit = s->limit;
		if (done >= limit)
			continue;
		u64 n = limit - done;
		if (v.iov_len < n)
			n = v.iov_len;
		n &= (MAX_EVENT_SIZE - 1);
		if (n == 0)
			continue;
		if (bpf_probe_read_user(&s->data[(pos + done) & SCRATCH_POS_MASK], n, (void *)v.iov_base) != 0)
			break;
		s->done = done + n;
	}
	return (int)s->done;
}

/* The iovec data as a bytebuf parameter; returns the sum of the lengths. */
static __always_inline u64 push_iovec_data(struct evt *e, u64 iov_p, u64 cnt, u64 max)
{
	u32 n = written(write_iovec(iov_p, cnt, max, e->pos));
	evt_param_done(e, n);
	return e->s->total;
}

/* The sum of the iovec lengths alone. */
static __always_inline u64 iovec_total(struct evt *e, u64 iov_p, u64 cnt)
{
	write_iovec(iov_p, cnt, 0, e->pos);
	return e->s->total;
}

/* ---- pollfds ---- */

#define MAX_POLLFD 16 /* entries reported per call (Falco's limit) */

struct user_pollfd {
	s32 fd;
	s16 events;
	s16 revents;
};

/* Writes the fdlist of the user pollfd array at scratch position `pos`:
 * u16 count, then per entry the fd (i64) and its returned events (i16, the
 * schema's POLL* values). Returns the bytes written. */
__noinline int write_pollfds(u64 fds_p, u64 nfds, u64 pos)
{
	struct scratch *s = this_cpu_scratch();
	if (!s || !fds_p)
		return 0;
	s->done = 0;
	for (int i = 0; i < MAX_POLLFD; i++) {
		if (i >= nfds)
			break;
		struct user_pollfd p = {};
		if (bpf_probe_read_user(&p, sizeof(p), (void *)(fds_p + (u64)i * sizeof(p))) != 0)
			break;
		u64 at = pos + 2 + s->done * 10;
		STORE(&s->data[at & SCRATCH_POS_MASK], 0, s64, (s64)p.fd);
		STORE(&s->data[at & SCRATCH_POS_MASK], 8, u16, poll_events_to_ppm(p.revents));
		s->done += 1;
	}
	u64 count = s->done;
	STORE(&s->data[pos & SCRATCH_POS_MASK], 0, u16, count);
	return (int)(2 + count * 10);
}

static __always_inline void push_pollfds(struct evt *e, u64 fds_p, u64 nfds)
{
	evt_param_done(e, written(write_pollfds(fds_p, nfds, e->pos)));
}

/* ---- messages ---- */

struct user_msghdr {
	u64 msg_name;
	s32 msg_namelen;
	s32 __pad;
	u64 msg_iov;
	u64 msg_iovlen;
	u64 msg_control;
	u64 msg_controllen;
	u32 msg_flags;
};

static __always_inline bool sock_connected(struct sock *sk, u16 family)
{
	switch (family) {
	case AF_INET:
		return BPF_CORE_READ(sk, __sk_common.skc_dport) != 0;
	case AF_INET6:
		return BPF_CORE_READ(sk, __sk_common.skc_dport) != 0;
	case AF_UNIX:
		return BPF_CORE_READ((struct unix_sock *)sk, peer) != NULL;
	}
	return true;
}

/* The tuple of a message on `sock`: the kernel's when the socket is connected
 * or no address came with the message, otherwise the socket's local end and
 * the user address (uaddr, ulen: the destination when `outbound`, the source
 * the kernel filled in otherwise), the initiator first. */
static __always_inline void push_msg_tuple(struct evt *e, struct socket *sock, u64 uaddr, u32 ulen, bool outbound)
{
	if (!sock) {
		push_empty(e);
		return;
	}
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk) {
		push_empty(e);
		return;
	}
	u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	u16 ufamily = 0;
	if (!uaddr || ulen < 2 || sock_connected(sk, family) ||
	    bpf_probe_read_user(&ufamily, sizeof(ufamily), (void *)uaddr) != 0 || ufamily != family) {
		push_socktuple(e, sock, outbound);
		return;
	}
	u8 *p = evt_cursor(e);
	switch (family) {
	case AF_INET: {
		u32 laddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		u16 rport = 0;
		u32 raddr = 0;
		bpf_probe_read_user(&rport, 2, (u8 *)uaddr + 2);
		bpf_probe_read_user(&raddr, 4, (u8 *)uaddr + 4);
		rport = ntohs16(rport);
		p[0] = PPM_SOCKET_FAMILIES_AF_INET;
		STORE(p, 1, u32, outbound ? laddr : raddr);
		STORE(p, 5, u16, outbound ? lport : rport);
		STORE(p, 7, u32, outbound ? raddr : laddr);
		STORE(p, 11, u16, outbound ? rport : lport);
		evt_param_done(e, 13);
		return;
	}
	case AF_INET6: {
		u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		u16 rport = 0;
		bpf_probe_read_user(&rport, 2, (u8 *)uaddr + 2);
		rport = ntohs16(rport);
		void *la = &sk->__sk_common.skc_v6_rcv_saddr;
		p[0] = PPM_SOCKET_FAMILIES_AF_INET6;
		if (outbound) {
			bpf_probe_read_kernel(p + 1, 16, la);
			STORE(p, 17, u16, lport);
			bpf_probe_read_user(p + 19, 16, (u8 *)uaddr + 8);
			STORE(p, 35, u16, rport);
		} else {
			bpf_probe_read_user(p + 1, 16, (u8 *)uaddr + 8);
			STORE(p, 17, u16, rport);
			bpf_probe_read_kernel(p + 19, 16, la);
			STORE(p, 35, u16, lport);
		}
		evt_param_done(e, 37);
		return;
	}
	case AF_UNIX: {
		p[0] = PPM_SOCKET_FAMILIES_AF_UNIX;
		STORE(p, 1, u64, (u64)sk);
		STORE(p, 9, u64, 0);
		long n = bpf_probe_read_user_str(p + 17, 109, (u8 *)uaddr + 2);
		if (n <= 0) {
			p[17] = 0;
			n = 1;
		}
		evt_param_done(e, 17 + (u32)n);
		return;
	}
	}
	push_socktuple(e, sock, outbound);
}

/* ---- socket options ---- */

/* The dynamic `val` of get/setsockopt: one byte naming the type (the schema's
 * sockopt_dynamic_param), then the value read from the user's buffer. */
static __always_inline void push_sockopt_val(struct evt *e, u32 level, u32 name, u64 optval, u32 optlen)
{
	if (!optval) {
		push_empty(e);
		return;
	}
	u8 *p = evt_cursor(e);
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_ERROR: {
			s32 v = 0;
			if (bpf_probe_read_user(&v, sizeof(v), (void *)optval) != 0)
				break;
			p[0] = PPM_SOCKOPT_DYNAMIC_PARAM_PPM_SOCKOPT_IDX_ERRNO;
			STORE(p, 1, s64, -(s64)v);
			evt_param_done(e, 9);
			return;
		}
		case SO_RCVTIMEO_OLD:
		case SO_SNDTIMEO_OLD:
		case SO_RCVTIMEO_NEW:
		case SO_SNDTIMEO_NEW: {
			struct {
				s64 sec;
				s64 usec;
			} tv = {};
			if (bpf_probe_read_user(&tv, sizeof(tv), (void *)optval) != 0)
				break;
			p[0] = PPM_SOCKOPT_DYNAMIC_PARAM_PPM_SOCKOPT_IDX_TIMEVAL;
			STORE(p, 1, u64, (u64)tv.sec * 1000000000ULL + (u64)tv.usec * 1000ULL);
			evt_param_done(e, 9);
			return;
		}
		case SO_COOKIE: {
			u64 v = 0;
			if (bpf_probe_read_user(&v, sizeof(v), (void *)optval) != 0)
				break;
			p[0] = PPM_SOCKOPT_DYNAMIC_PARAM_PPM_SOCKOPT_IDX_UINT64;
			STORE(p, 1, u64, v);
			evt_param_done(e, 9);
			return;
		}
		}
	}
	if (optlen == 4) {
		u32 v = 0;
		if (bpf_probe_read_user(&v, sizeof(v), (void *)optval) == 0) {
			p[0] = PPM_SOCKOPT_DYNAMIC_PARAM_PPM_SOCKOPT_IDX_UINT32;
			STORE(p, 1, u32, v);
			evt_param_done(e, 5);
			return;
		}
	}
	/* Anything else: the raw bytes, 255 at most. */
	u32 n = optlen > 255 ? 255 : optlen;
	/* Keep the mask: without the barrier clang passes optlen itself. */
	barrier_var(n);
	n &= 0xff;
	p[0] = PPM_SOCKOPT_DYNAMIC_PARAM_PPM_SOCKOPT_IDX_UNKNOWN;
	if (n && bpf_probe_read_user(p + 1, n, (void *)optval) != 0) {
		push_empty(e);
		return;
	}
	evt_param_done(e, 1 + n);
}

#endif /* __FILLERS_HELPERS_H__ */
