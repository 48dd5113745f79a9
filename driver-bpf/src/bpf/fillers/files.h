/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * File system fillers: paths, links, modes, owners, mounts, and the fd
 * operations with scalar parameters (lseek, fcntl, flock, ioctl, getdents64).
 *
 * Paths are reported as the caller passed them (read from user memory at
 * exit); relative ones are resolved by the state layer against the cwd or the
 * dirfd. Every fd is an i64 and every *at() dirfd keeps AT_FDCWD as -100.
 */
#ifndef __FILLERS_FILES_H__
#define __FILLERS_FILES_H__

#include "helpers.h"

/* res, then user path arguments 0 .. npaths-1 */
static __always_inline void paths_event(u16 type, u32 nparams, struct pt_regs *regs, long ret, int npaths)
{
	struct evt e;
	if (!evt_begin(&e, type, nparams, current_tid()))
		return;
	push_u64(&e, ret);
	push_str_user(&e, (void *)syscall_arg(regs, 0), MAX_STR);
	if (npaths > 1)
		push_str_user(&e, (void *)syscall_arg(regs, 1), MAX_STR);
	evt_submit(&e);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(mkdir_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_MKDIR_2_X))
		return 0;
	push_u64(&e, ret);
	push_str_user(&e, (void *)syscall_arg(regs, 0), MAX_STR);
	push_u32(&e, syscall_arg(regs, 1));
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(mkdirat_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_MKDIRAT_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_str_user(&e, (void *)syscall_arg(regs, 1), MAX_STR);
	push_u32(&e, syscall_arg(regs, 2));
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(rmdir_x, struct pt_regs *regs, long ret)
{
	paths_event(PPME_SYSCALL_RMDIR_2_X, PPME_SYSCALL_RMDIR_2_X_NPARAMS, regs, ret, 1);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(unlink_x, struct pt_regs *regs, long ret)
{
	paths_event(PPME_SYSCALL_UNLINK_2_X, PPME_SYSCALL_UNLINK_2_X_NPARAMS, regs, ret, 1);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(chroot_x, struct pt_regs *regs, long ret)
{
	paths_event(PPME_SYSCALL_CHROOT_X, PPME_SYSCALL_CHROOT_X_NPARAMS, regs, ret, 1);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(unlinkat_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_UNLINKAT_2_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_str_user(&e, (void *)syscall_arg(regs, 1), MAX_STR);
	push_u32(&e, unlinkat_flags_to_ppm(syscall_arg(regs, 2)));
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(rename_x, struct pt_regs *regs, long ret)
{
	paths_event(PPME_SYSCALL_RENAME_X, PPME_SYSCALL_RENAME_X_NPARAMS, regs, ret, 2);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(link_x, struct pt_regs *regs, long ret)
{
	paths_event(PPME_SYSCALL_LINK_2_X, PPME_SYSCALL_LINK_2_X_NPARAMS, regs, ret, 2);
	return 0;
}

/* symlink's target is any string (charbuf), not resolved. */
SEC("tp_btf/sys_exit")
int BPF_PROG(symlink_x, struct pt_regs *regs, long ret)
{
	paths_event(PPME_SYSCALL_SYMLINK_X, PPME_SYSCALL_SYMLINK_X_NPARAMS, regs, ret, 2);
	return 0;
}

/* renameat, renameat2 and linkat: res, olddirfd, oldpath, newdirfd, newpath
 * [, flags] */
static __always_inline void two_at_paths(struct evt *e, struct pt_regs *regs, long ret)
{
	push_u64(e, ret);
	push_u64(e, arg_s32(regs, 0));
	push_str_user(e, (void *)syscall_arg(regs, 1), MAX_STR);
	push_u64(e, arg_s32(regs, 2));
	push_str_user(e, (void *)syscall_arg(regs, 3), MAX_STR);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(renameat_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_RENAMEAT_X))
		return 0;
	two_at_paths(&e, regs, ret);
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(renameat2_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_RENAMEAT2_X))
		return 0;
	two_at_paths(&e, regs, ret);
	push_u32(&e, renameat2_flags_to_ppm(syscall_arg(regs, 4)));
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(linkat_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_LINKAT_2_X))
		return 0;
	two_at_paths(&e, regs, ret);
	push_u32(&e, linkat_flags_to_ppm(syscall_arg(regs, 4)));
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(symlinkat_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_SYMLINKAT_X))
		return 0;
	push_u64(&e, ret);
	push_str_user(&e, (void *)syscall_arg(regs, 0), MAX_STR);
	push_u64(&e, arg_s32(regs, 1));
	push_str_user(&e, (void *)syscall_arg(regs, 2), MAX_STR);
	evt_submit(&e);
	return 0;
}

/* ---- modes and owners ---- */

SEC("tp_btf/sys_exit")
int BPF_PROG(chmod_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_CHMOD_X))
		return 0;
	push_u64(&e, ret);
	push_str_user(&e, (void *)syscall_arg(regs, 0), MAX_STR);
	push_u32(&e, chmod_mode_to_ppm(syscall_arg(regs, 1)));
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(fchmod_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_FCHMOD_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u32(&e, chmod_mode_to_ppm(syscall_arg(regs, 1)));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(fchmodat_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_FCHMODAT_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_str_user(&e, (void *)syscall_arg(regs, 1), MAX_STR);
	push_u32(&e, chmod_mode_to_ppm(syscall_arg(regs, 2)));
	evt_submit(&e);
	return 0;
}

/* chown, lchown: res, path, uid, gid (ids as given: -1 keeps one unchanged). */
static __always_inline void chown_event(u16 type, u32 nparams, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!evt_begin(&e, type, nparams, current_tid()))
		return;
	push_u64(&e, ret);
	push_str_user(&e, (void *)syscall_arg(regs, 0), MAX_STR);
	push_u32(&e, syscall_arg(regs, 1));
	push_u32(&e, syscall_arg(regs, 2));
	evt_submit(&e);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(chown_x, struct pt_regs *regs, long ret)
{
	chown_event(PPME_SYSCALL_CHOWN_X, PPME_SYSCALL_CHOWN_X_NPARAMS, regs, ret);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(lchown_x, struct pt_regs *regs, long ret)
{
	chown_event(PPME_SYSCALL_LCHOWN_X, PPME_SYSCALL_LCHOWN_X_NPARAMS, regs, ret);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(fchown_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_FCHOWN_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u32(&e, syscall_arg(regs, 1));
	push_u32(&e, syscall_arg(regs, 2));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(fchownat_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_FCHOWNAT_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_str_user(&e, (void *)syscall_arg(regs, 1), MAX_STR);
	push_u32(&e, syscall_arg(regs, 2));
	push_u32(&e, syscall_arg(regs, 3));
	push_u32(&e, fchownat_flags_to_ppm(syscall_arg(regs, 4)));
	evt_submit(&e);
	return 0;
}

/* ---- device nodes ---- */

SEC("tp_btf/sys_exit")
int BPF_PROG(mknod_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_MKNOD_X))
		return 0;
	push_u64(&e, ret);
	push_str_user(&e, (void *)syscall_arg(regs, 0), MAX_STR);
	push_u32(&e, mknod_mode_to_ppm(syscall_arg(regs, 1)));
	push_u32(&e, user_dev_to_kernel(syscall_arg(regs, 2)));
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(mknodat_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_MKNODAT_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_str_user(&e, (void *)syscall_arg(regs, 1), MAX_STR);
	push_u32(&e, mknod_mode_to_ppm(syscall_arg(regs, 2)));
	push_u32(&e, user_dev_to_kernel(syscall_arg(regs, 3)));
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(newfstatat_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_NEWFSTATAT_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_str_user(&e, (void *)syscall_arg(regs, 1), MAX_STR);
	push_u32(&e, newfstatat_flags_to_ppm(syscall_arg(regs, 3)));
	evt_submit(&e);
	return 0;
}

/* ---- mounts ---- */

SEC("tp_btf/sys_exit")
int BPF_PROG(mount_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_MOUNT_X))
		return 0;
	push_u64(&e, ret);
	/* dev and type may be NULL (bind mounts, remounts): empty then. */
	push_str_user(&e, (void *)syscall_arg(regs, 0), MAX_STR);
	push_str_user(&e, (void *)syscall_arg(regs, 1), MAX_STR);
	push_str_user(&e, (void *)syscall_arg(regs, 2), MAX_STR);
	push_u32(&e, mount_flags_to_ppm(syscall_arg(regs, 3)));
	evt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(umount2_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_UMOUNT2_X))
		return 0;
	push_u64(&e, ret);
	push_str_user(&e, (void *)syscall_arg(regs, 0), MAX_STR);
	push_u32(&e, umount_flags_to_ppm(syscall_arg(regs, 1)));
	evt_submit(&e);
	return 0;
}

/* The kernel wrote the cwd into the caller's buffer: read it back when the
 * call succeeded. */
SEC("tp_btf/sys_exit")
int BPF_PROG(getcwd_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!EVT_BEGIN(&e, PPME_SYSCALL_GETCWD_X))
		return 0;
	push_u64(&e, ret);
	if (ret > 0)
		push_str_user(&e, (void *)syscall_arg(regs, 0), MAX_STR);
	else
		push_empty(&e);
	evt_submit(&e);
	return 0;
}

/* ---- fd operations with scalar parameters ---- */

SEC("tp_btf/sys_exit")
int BPF_PROG(lseek_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_LSEEK_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u64(&e, syscall_arg(regs, 1));
	push_u8(&e, lseek_whence_to_ppm(syscall_arg(regs, 2)));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(fcntl_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_FCNTL_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u8(&e, fcntl_cmd_to_ppm(syscall_arg(regs, 1)));
	push_u64(&e, syscall_arg(regs, 2));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(flock_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_FLOCK_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u32(&e, flock_flags_to_ppm(syscall_arg(regs, 1)));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ioctl_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_IOCTL_3_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	push_u64(&e, (u32)syscall_arg(regs, 1));
	push_u64(&e, syscall_arg(regs, 2));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(close_range_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_CLOSE_RANGE_X))
		return 0;
	push_u64(&e, ret);
	push_u32(&e, syscall_arg(regs, 0));
	push_u32(&e, syscall_arg(regs, 1));
	push_u32(&e, close_range_flags_to_ppm(syscall_arg(regs, 2)));
	fevt_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(getdents64_x, struct pt_regs *regs, long ret)
{
	struct evt e;
	if (!FEVT_BEGIN(&e, PPME_SYSCALL_GETDENTS64_X))
		return 0;
	push_u64(&e, ret);
	push_u64(&e, arg_s32(regs, 0));
	fevt_submit(&e);
	return 0;
}

#endif /* __FILLERS_FILES_H__ */
