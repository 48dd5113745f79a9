/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Types shared by the probe and its loader. The loader never redeclares them:
 * libbpf-cargo emits them into the skeleton from the object's BTF.
 *
 * Layout rules (a Rust decoder reads these through the skeleton): fixed-width
 * fields only, largest first, explicit padding, no bools.
 */
#ifndef __PROBE_H__
#define __PROBE_H__

/* Size of the per-CPU syscall tables: native syscall numbers are below this
 * on every supported architecture. */
#define SYSCALL_TABLE_SIZE 512

/* g_syscalls[nr] bits. A zero entry means "not interesting": the dispatcher
 * returns after one load. */
#define SC_INTERESTING (1U << 31) /* capture this syscall */
#define SC_DEDICATED (1U << 30)   /* it has a filler in exit_fillers */
#define SC_PPM_SC_MASK 0xffffU    /* PPM_SC code, for the generic event */

/* Runtime settings, written by the loader through the mmap'd .bss before
 * attach and possibly later (a consumer can change them while capturing). */
struct settings {
	u64 boot_time;      /* epoch ns at boot: CLOCK_REALTIME - CLOCK_BOOTTIME */
	u32 snaplen;        /* max bytes of I/O data per event */
	u32 self_tgid;      /* the consumer's own process: never captured (0 = none) */
	u32 child_from_fork_tp; /* 1: child-side clone events come from sched_process_fork */
	u32 drop_failed;    /* 1: syscalls that failed are not captured */
};

/* Per-CPU counters: one 64-byte line per CPU, so CPUs never share a line. */
struct counters {
	u64 n_evts;           /* events attempted (before reservation) */
	u64 n_drops_buffer;   /* ring full */
	u64 n_drops_max_size; /* event larger than MAX_EVENT_SIZE */
	u64 n_drops_no_ring;  /* no ring for this CPU (hot-plugged after start) */
	u64 n_drops_bug;      /* missing filler or scratch map: a probe bug */
	u64 __pad[3];
};

#endif /* __PROBE_H__ */
