/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Data transfer fillers: positional and vectored reads and writes, sendfile,
 * splice, copy_file_range, process_vm_readv/writev.
 *
 * `data` holds what was transferred (the first `res` bytes, cut at the
 * snaplen), read from the caller's buffers at exit; a failed call has none.
 */
#ifndef __FILLERS_IO_H__
#define __FILLERS_IO_H__

#include "helpers.h"

/* pread64, pwrite64: res, data, fd, size, pos */
static __always_inline void pio_event(u16 type, u32 nparams, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!evt_begin(&e, type, nparams, current_tid()))
		return;
	push_u64(&e, ret);
	push_bytes_user(&e, (void *)syscall_arg(regs, 1), snaplen_of(ret > 0 ? ret : 0));
	push_u64(&e, arg_s32(regs, 0));
	push_u32(&e, syscall_arg(regs, 2));
	push_u64(&e, syscall_arg(regs, 3));
	evt_submit(&e);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(pread64_x, struct pt_regs *regs, long ret)
{
	pio_event(PPME_SYSCALL_PREAD_X, PPME_SYSCALL_PREAD_X_NPARAMS, regs, ret);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(pwrite64_x, struct pt_regs *regs, long ret)
{
	pio_event(PPME_SYSCALL_PWRITE_X, PPME_SYSCALL_PWRITE_X_NPARAMS, regs, ret);
	return 0;
}

/* readv, preadv: res, size (the iovecs' total), data, fd [, pos]. The data is
 * copied first, 4 bytes further on, so that size can precede it. */
static __always_inline void readv_event(u16 type, u32 nparams, struct pt_regs *regs, long ret, bool pos)
{
	struct evt e;
	if (!evt_begin(&e, type, nparams, current_tid()))
		return;
	push_u64(&e, ret);
	u32 n = written(write_iovec(syscall_arg(regs, 1), syscall_arg(regs, 2), snaplen_of(ret > 0 ? ret : 0),
				    e.pos + 4));
	push_u32(&e, e.s->total);
	evt_param_done(&e, n);
	push_u64(&e, arg_s32(regs, 0));
	if (pos)
		push_u64(&e, syscall_arg(regs, 3));
	evt_submit(&e);
}

/* writev, pwritev: res, data, fd, size [, pos] */
static __always_inline void writev_event(u16 type, u32 nparams, struct pt_regs *regs, long ret, bool pos)
{
	struct evt e;
	if (!evt_begin(&e, type, nparams, current_tid()))
		return;
	push_u64(&e, ret);
	u64 total = push_iovec_data(&e, syscall_arg(regs, 1), syscall_arg(regs, 2), snaplen_of(ret > 0 ? ret : 0));
	push_u64(&e, arg_s32(regs, 0));
	push_u32(&e, total);
	if (pos)
		push_u64(&e, syscall_arg(regs, 3));
	evt_submit(&e);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(readv_x, struct pt_regs *regs, long ret)
{
	readv_event(PPME_SYSCALL_READV_X, PPME_SYSCALL_READV_X_NPARAMS, regs, ret, false);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(preadv_x, struct pt_regs *regs, long ret)
{
	readv_event(PPME_SYSCALL_PREADV_X, PPME_SYSCALL_PREADV_X_NPARAMS, regs, ret, true);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(writev_x, struct pt_regs *regs, long ret)
{
	writev_event(PPME_SYSCALL_WRITEV_X, PPME_SYSCALL_WRITEV_X_NPARAMS, regs, ret, false);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(pwritev_x, struct pt_regs *regs, long ret)
{
	writev_event(PPME_SYSCALL_PWRITEV_X, PPME_SYSCALL_PWRITEV_X_NPARAMS, regs, ret, true);
	return 0;
}

/* An offset the caller passed by pointer (NULL: the file's own position, and
 * the parameter is empty). */
static __always_inline void push_user_offset(struct evt *e, u64 uptr, s64 minus)
{
	u64 off = 0;
	if (!uptr || bpf_probe_read_user(&off, sizeof(off), (void *)uptr) != 0) {
		push_empty(e);
		return;
	}
	push_u64(e, off - minus);
}

/* offset: where the kernel left *offset (the value after the call, as
 * Falco reports it). */
SEC("tp_btf/sys_exit")
int BPF_PROG(sendfile_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_SENDFILE_X))
		return 0;
	push_u64(&e, ret);
	push_user_offset(&e, syscall_arg(regs, 2), 0);
	push_u64(&e, arg_s32(regs, 0));
	push_u64(&e, arg_s32(regs, 1));
	push_u64(&e, syscall_arg(regs, 3));
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(splice_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_SPLICE_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u64(&e, arg_s32(regs, 2));
	push_u64(&e, syscall_arg(regs, 4));
	push_u32(&e, splice_flags_to_ppm(syscall_arg(regs, 5)));
	fevt_submit(&e);
	return 0;
}

/* offin, offout: the offsets the copy started at. The kernel advances both
 * by the bytes copied, so they are read back and moved back by `res`. */
SEC("tp_btf/sys_exit")
int BPF_PROG(copy_file_range_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_COPY_FILE_RANGE_X))
		return 0;
	s64 moved = ret > 0 ? ret : 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 2));
	push_user_offset(&e, syscall_arg(regs, 3), moved);
	push_u64(&e, arg_s32(regs, 0));
	push_user_offset(&e, syscall_arg(regs, 1), moved);
	push_u64(&e, syscall_arg(regs, 4));
	evt_submit(&e);
	return 0;
}

/* res, pid, data: the bytes transferred, from the caller's (local) iovecs. */
static __always_inline void process_vm_event(u16 type, u32 nparams, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!evt_begin(&e, type, nparams, current_tid()))
		return;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_iovec_data(&e, syscall_arg(regs, 1), syscall_arg(regs, 2), snaplen_of(ret > 0 ? ret : 0));
	evt_submit(&e);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(process_vm_readv_x, struct pt_regs *regs, long ret)
{
	process_vm_event(PPME_SYSCALL_PROCESS_VM_READV_X, PPME_SYSCALL_PROCESS_VM_READV_X_NPARAMS, regs, ret);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(process_vm_writev_x, struct pt_regs *regs, long ret)
{
	process_vm_event(PPME_SYSCALL_PROCESS_VM_WRITEV_X, PPME_SYSCALL_PROCESS_VM_WRITEV_X_NPARAMS, regs, ret);
	return 0;
}

#endif /* __FILLERS_IO_H__ */
