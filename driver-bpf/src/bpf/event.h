/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Event assembly in Falco's wire format.
 *
 * Header (26 bytes, packed, little-endian):
 *   u64 ts | u64 tid | u32 len | u16 type | u32 nparams
 * then nparams u16 lengths, then the values back to back.
 *
 * Two paths:
 * - fixed-size events are reserved directly in the ring and written in place
 *   (fixed_*), zero copy;
 * - variable-size events are assembled in the per-CPU scratch map (evt_*) and
 *   copied into the ring with bpf_ringbuf_output once their size is known.
 */
#ifndef __EVENT_H__
#define __EVENT_H__

#include "maps.h"

#define HDR_TS 0
#define HDR_TID 8
#define HDR_LEN 16
#define HDR_TYPE 20
#define HDR_NPARAMS 22

/* Unaligned stores are fine on x86 and arm64 (the verifier only enforces
 * alignment where the architecture lacks efficient unaligned access). */
#define STORE(p, off, T, v) (*(T *)((u8 *)(p) + (off)) = (T)(v))

static __always_inline u64 event_ts(void)
{
	return g_settings.boot_time + bpf_ktime_get_boot_ns();
}

static __always_inline void write_header(u8 *p, u64 ts, u64 tid, u32 len, u16 type, u32 nparams)
{
	STORE(p, HDR_TS, u64, ts);
	STORE(p, HDR_TID, u64, tid);
	STORE(p, HDR_LEN, u32, len);
	STORE(p, HDR_TYPE, u16, type);
	/* nparams is a u32 at offset 22: two u16 stores keep them aligned. */
	STORE(p, HDR_NPARAMS, u16, nparams);
	STORE(p, HDR_NPARAMS + 2, u16, 0);
}

/* ---- per-CPU state ---- */

struct cpu_state {
	struct counters *cnt;
	void *ring;
};

/* Counts the attempt and finds this CPU's ring. Returns 0 when the event
 * cannot be written (the reason is counted). */
static __always_inline int cpu_state_get(struct cpu_state *st)
{
	u32 cpu = bpf_get_smp_processor_id();
	st->cnt = bpf_map_lookup_elem(&counters, &cpu);
	if (!st->cnt)
		return 0;
	st->cnt->n_evts++;
	st->ring = bpf_map_lookup_elem(&rings, &cpu);
	if (!st->ring) {
		st->cnt->n_drops_no_ring++;
		return 0;
	}
	return 1;
}

/* ---- fixed-size events: reserved in place ---- */

static __always_inline u8 *fixed_reserve(struct cpu_state *st, u32 size)
{
	u8 *p = bpf_ringbuf_reserve(st->ring, size, 0);
	if (!p)
		st->cnt->n_drops_buffer++;
	return p;
}

static __always_inline void fixed_submit(u8 *p)
{
	bpf_ringbuf_submit(p, BPF_RB_NO_WAKEUP);
}

/* ---- variable-size events: assembled in scratch ---- */

struct evt {
	struct cpu_state st;
	struct scratch *s; /* scratch events only */
	u8 *buf;           /* the event: scratch data, or the ring record of a fixed event */
	u64 pos;           /* next free byte of the event */
	u32 idx;           /* next parameter */
};

static __always_inline int evt_begin(struct evt *e, u16 type, u32 nparams, u64 tid)
{
	if (!cpu_state_get(&e->st))
		return 0;
	u32 cpu = bpf_get_smp_processor_id();
	e->s = bpf_map_lookup_elem(&scratch_maps, &cpu);
	if (!e->s) {
		e->st.cnt->n_drops_bug++;
		return 0;
	}
	e->buf = e->s->data;
	write_header(e->buf, event_ts(), tid, 0, type, nparams);
	e->idx = 0;
	e->pos = PPM_HEADER_LEN + 2 * nparams;
	return 1;
}

/* A fixed-size event (every parameter has a fixed width: the schema gives its
 * size) is reserved in the ring and written in place by the same push_*
 * helpers, with e->buf pointing at the ring record: zero copy. Positions are
 * constants there, which the verifier checks against the size reserved. Only
 * fixed-width pushes belong in such an event, and it must end in
 * fevt_submit on every path (the reservation is a reference the verifier
 * tracks). */
static __always_inline int fevt_begin(struct evt *e, u16 type, u32 nparams, u32 size, u64 tid)
{
	if (!cpu_state_get(&e->st))
		return 0;
	e->s = NULL;
	e->buf = bpf_ringbuf_reserve(e->st.ring, size, 0);
	if (!e->buf) {
		e->st.cnt->n_drops_buffer++;
		return 0;
	}
	write_header(e->buf, event_ts(), tid, size, type, nparams);
	e->idx = 0;
	e->pos = PPM_HEADER_LEN + 2 * nparams;
	return 1;
}

static __always_inline void fevt_submit(struct evt *e)
{
	bpf_ringbuf_submit(e->buf, BPF_RB_NO_WAKEUP);
}

/* The thread id of the running task (host pid namespace). */
static __always_inline u64 current_tid(void)
{
	return (u32)bpf_get_current_pid_tgid();
}

/* Begin an event by its PPME_* name: EVT_BEGIN(&e, PPME_SYSCALL_KILL_X). */
#define EVT_BEGIN(e, code) evt_begin(e, code, code##_NPARAMS, current_tid())
#define FEVT_BEGIN(e, code) fevt_begin(e, code, code##_NPARAMS, code##_SIZE, current_tid())

/* Records the length of the parameter just written and moves to the next. */
static __always_inline void evt_param_done(struct evt *e, u32 len)
{
	STORE(e->buf, PPM_HEADER_LEN + 2 * (e->idx & (MAX_PARAMS - 1)), u16, len);
	e->idx++;
	e->pos += len;
}

static __always_inline u8 *evt_cursor(struct evt *e)
{
	return &e->buf[e->pos & SCRATCH_POS_MASK];
}

static __always_inline void push_empty(struct evt *e)
{
	evt_param_done(e, 0);
}

static __always_inline void push_u8(struct evt *e, u8 v)
{
	*evt_cursor(e) = v;
	evt_param_done(e, 1);
}

static __always_inline void push_u16(struct evt *e, u16 v)
{
	STORE(evt_cursor(e), 0, u16, v);
	evt_param_done(e, 2);
}

static __always_inline void push_u32(struct evt *e, u32 v)
{
	STORE(evt_cursor(e), 0, u32, v);
	evt_param_done(e, 4);
}

static __always_inline void push_u64(struct evt *e, u64 v)
{
	STORE(evt_cursor(e), 0, u64, v);
	evt_param_done(e, 8);
}

/* Strings keep their NUL (an empty string has length 1); a string that can't
 * be read has length 0 ("not available"). */
#define DEFINE_PUSH_STR(name, helper)                                              \
	static __always_inline u32 name(struct evt *e, const void *src, u32 max)   \
	{                                                                           \
		long n = 0;                                                         \
		if (src)                                                            \
			n = helper(evt_cursor(e), max, src);                        \
		if (n < 0)                                                          \
			n = 0;                                                      \
		evt_param_done(e, (u32)n);                                          \
		return (u32)n;                                                      \
	}
DEFINE_PUSH_STR(push_str_user, bpf_probe_read_user_str)
DEFINE_PUSH_STR(push_str_kernel, bpf_probe_read_kernel_str)

/* Raw bytes of user memory; len is clamped to MAX_EVENT_SIZE - 1. */
static __always_inline void push_bytes_user(struct evt *e, const void *src, u64 len)
{
	if (len >= MAX_EVENT_SIZE)
		len = MAX_EVENT_SIZE - 1;
	len &= (MAX_EVENT_SIZE - 1);
	if (!src || len == 0 || bpf_probe_read_user(evt_cursor(e), len, src) != 0) {
		evt_param_done(e, 0);
		return;
	}
	evt_param_done(e, (u32)len);
}

/* Copies the finished event into this CPU's ring. */
static __always_inline void evt_submit(struct evt *e)
{
	u64 len = e->pos;
	if (len > MAX_EVENT_SIZE) {
		e->st.cnt->n_drops_max_size++;
		return;
	}
	STORE(e->buf, HDR_LEN, u32, len);
	/* Tell the verifier what the branch above already proved. */
	len &= (SCRATCH_SIZE - 1);
	if (bpf_ringbuf_output(e->st.ring, e->buf, len, BPF_RB_NO_WAKEUP) != 0)
		e->st.cnt->n_drops_buffer++;
}

#endif /* __EVENT_H__ */
