/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Maps and global variables of the probe. */
#ifndef __MAPS_H__
#define __MAPS_H__

#include "probe.h"

/* Largest event, header included (Falco's MAX_EVENT_SIZE). */
#define MAX_EVENT_SIZE (64 * 1024)
/* Scratch space per CPU: twice the largest event, so that any write of up to
 * 64 KiB at a position masked to 64 KiB stays inside: the verifier can prove
 * every store in bounds with one AND. */
#define SCRATCH_SIZE (128 * 1024)
#define SCRATCH_POS_MASK (MAX_EVENT_SIZE - 1)
/* Maximum parameters per event (Falco's PPM_MAX_EVENT_PARAMS). */
#define MAX_PARAMS 32

/* ---- settings (BPF global variables, mmap'd by the loader) ---- */

/* Interest and routing of each native syscall: see SC_* in probe.h. */
u32 g_syscalls[SYSCALL_TABLE_SIZE] SEC(".bss");
struct settings g_settings SEC(".bss");

/* ---- maps ---- */

/* One ring buffer per CPU. The template's size is irrelevant: the loader
 * creates the real rings (size chosen at run time) and stores their fds here,
 * keyed by CPU id. max_entries is set to the number of possible CPUs. */
struct ringbuf_map {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, u32);
	__array(values, struct ringbuf_map);
} rings SEC(".maps");

/* Per-CPU counters; max_entries set to the number of possible CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct counters);
} counters SEC(".maps");

/* Scratch space where variable-size events are assembled before being copied
 * into the ring. A plain ARRAY indexed by CPU, because per-CPU map values are
 * limited to 32 KiB. max_entries set to the number of possible CPUs. */
struct scratch {
	u8 data[SCRATCH_SIZE];
	/* Paths are built here backwards, then copied into data (kernel.h).
	 * Twice MAX_STR so that any masked position plus one name fits. */
	u8 tmp[2 * 4096];
	u32 cur;
	u32 __pad;
	/* Loop state of the global functions that walk user arrays (iovecs,
	 * pollfds), kept in map memory for the same pruning reason as cur. */
	u64 total; /* iovecs: the sum of their lengths */
	u64 done;  /* bytes written so far */
	u64 limit; /* bytes to write at most */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct scratch);
} scratch_maps SEC(".maps");

/* Dedicated syscall fillers, indexed by native syscall number. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SYSCALL_TABLE_SIZE);
	__type(key, u32);
	__type(value, u32);
} exit_fillers SEC(".maps");

#endif /* __MAPS_H__ */
