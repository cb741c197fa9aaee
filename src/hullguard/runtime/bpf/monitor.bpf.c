// SPDX-License-Identifier: Apache-2.0
// hullguard runtime monitor: raw tracepoints on sys_enter/sys_exit (plus process fork/exit).
// Arguments (and the user strings they point to) are stashed per thread at entry; one record
// per completed call goes to a ring buffer at exit. Only syscalls user space marks in
// `interesting` are kept, and the monitor's own process is ignored: filtering is in the kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define STR0 256
#define STR1 512
#define MAX_NR 1024

enum kind { KIND_SYSCALL = 1, KIND_FORK = 2, KIND_EXIT = 3 };

struct pending {
	__u64 args[6];
	__s32 nr;
	__u32 success_only;
	__u32 len0;
	__u32 pad;
	char str0[STR0];
	char str1[STR1];
};

struct event {
	__u64 ts;
	__u64 cap_eff;
	__u64 cap_prm;
	__s64 ret;
	__u64 args[6];
	__u32 kind;
	__s32 nr;
	__u32 pid;
	__u32 tid;
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__u32 loginuid;
	__u32 tty;
	__u32 child;
	char comm[16];
	char cgroup[128];
	char str0[STR0];
	char str1[STR1];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024 * 1024);
} events SEC(".maps");

// Records are built here and copied out trimmed: a call without a second string (most opens)
// costs half the ring space, and the reader half the copying.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct event);
} built SEC(".maps");

#define HEAD_SIZE (offsetof(struct event, str0))

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct pending);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pending);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_NR);
	__type(key, __u32);
	__type(value, __u8);
} interesting SEC(".maps");

// interesting[nr]: 0 not traced, 1 traced, 2 traced when it succeeds
// [0] = the monitor's tgid (ignored), [1] = the cgroup id whose syscalls are counted for a profile
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} settings SEC(".maps");

// Per syscall number: how often the profiled cgroup made it (learned seccomp profiles)
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_NR);
	__type(key, __u32);
	__type(value, __u64);
} profile_counts SEC(".maps");

// [0] the ring buffer refused a record (full; on 6.15+ kernels also a contended lock), [1] in-flight table full
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

// Which arguments are user strings, per syscall: bit 0..5 -> str0, bit 8..13 -> str1, bit 16..21 sockaddr in str1
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_NR);
	__type(key, __u32);
	__type(value, __u32);
} layout SEC(".maps");

static __always_inline void count_drop(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &which);
	if (n)
		*n += 1;
}

static __always_inline struct event *scratch_event(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&built, &zero);
}

static __always_inline void send(struct event *e, __u64 size)
{
	if (bpf_ringbuf_output(&events, e, size, 0))
		count_drop(0);
}

static __always_inline int ignored(__u32 tgid)
{
	__u32 zero = 0;
	__u64 *self = bpf_map_lookup_elem(&settings, &zero);
	return self && *self == tgid;
}

static __always_inline __u64 reg_arg(struct pt_regs *regs, int i)
{
	switch (i) {
	case 0: return PT_REGS_PARM1_CORE_SYSCALL(regs);
	case 1: return PT_REGS_PARM2_CORE_SYSCALL(regs);
	case 2: return PT_REGS_PARM3_CORE_SYSCALL(regs);
	case 3: return PT_REGS_PARM4_CORE_SYSCALL(regs);
	case 4: return PT_REGS_PARM5_CORE_SYSCALL(regs);
	default: return BPF_CORE_READ(regs, r9);
	}
}

static __always_inline int arg_index(__u32 bits)
{
	for (int i = 0; i < 6; i++)
		if (bits & (1u << i))
			return i;
	return -1;
}

SEC("raw_tracepoint/sys_enter")
int on_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 nr = (__u32)ctx->args[1];
	if (nr >= MAX_NR || ignored(id >> 32))
		return 0;
	__u32 one = 1;
	__u64 *profiled = bpf_map_lookup_elem(&settings, &one);
	if (profiled && *profiled && bpf_get_current_cgroup_id() == *profiled) {
		__u64 *count = bpf_map_lookup_elem(&profile_counts, &nr);
		if (count)
			*count += 1;
	}
	__u8 *want = bpf_map_lookup_elem(&interesting, &nr);
	if (!want || !*want)
		return 0;
	__u32 zero = 0;
	struct pending *p = bpf_map_lookup_elem(&scratch, &zero);
	if (!p)
		return 0;
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	p->nr = nr;
	p->success_only = *want == 2;
	for (int i = 0; i < 6; i++)
		p->args[i] = reg_arg(regs, i);
	p->str0[0] = 0;
	p->str1[0] = 0;
	__u32 *lay = bpf_map_lookup_elem(&layout, &nr);
	__u32 bits = lay ? *lay : 0;
	int a0 = arg_index(bits & 0x3f), a1 = arg_index((bits >> 8) & 0x3f), s1 = arg_index((bits >> 16) & 0x3f);
	p->len0 = 0;
	if (a0 >= 0 && a0 < 6) {
		long n = bpf_probe_read_user_str(p->str0, STR0, (void *)p->args[a0]);
		p->len0 = n > 0 ? n : 0;
	}
	if (a1 >= 0 && a1 < 6)
		bpf_probe_read_user_str(p->str1, STR1, (void *)p->args[a1]);
	else if (s1 >= 0 && s1 < 6)
		bpf_probe_read_user(p->str1, 128, (void *)p->args[s1]);
	__u32 tid = (__u32)id;
	if (bpf_map_update_elem(&inflight, &tid, p, BPF_ANY))
		count_drop(1);
	return 0;
}

static __always_inline void fill_task(struct event *e, struct task_struct *task)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 ug = bpf_get_current_uid_gid();
	e->ts = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)ug;
	e->gid = ug >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->loginuid = BPF_CORE_READ(task, loginuid.val);
	e->cap_eff = BPF_CORE_READ(task, cred, cap_effective.val);
	e->cap_prm = BPF_CORE_READ(task, cred, cap_permitted.val);
	struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);
	e->tty = 0;
	if (tty) {
		int major = BPF_CORE_READ(tty, driver, major);
		int minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
		e->tty = ((__u32)major << 20) | (__u32)minor;
	}
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	const char *name = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, name);
	e->cgroup[0] = 0;
	if (name)
		bpf_probe_read_kernel_str(e->cgroup, sizeof(e->cgroup), name);
}

SEC("raw_tracepoint/sys_exit")
int on_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct pending *p = bpf_map_lookup_elem(&inflight, &tid);
	if (!p)
		return 0;
	// No loaded rule can match a failed call of this kind: it never leaves the kernel.
	if (p->success_only && (__s64)ctx->args[1] < 0) {
		bpf_map_delete_elem(&inflight, &tid);
		return 0;
	}
	struct event *e = scratch_event();
	if (!e) {
		bpf_map_delete_elem(&inflight, &tid);
		return 0;
	}
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	e->kind = KIND_SYSCALL;
	e->nr = p->nr;
	e->ret = (__s64)ctx->args[1];
	e->child = 0;
	for (int i = 0; i < 6; i++)
		e->args[i] = p->args[i];
	__builtin_memcpy(e->str0, p->str0, STR0);
	__builtin_memcpy(e->str1, p->str1, STR1);
	fill_task(e, task);
	// A successful exec replaced the image: its argv is now in the new mm.
	if ((p->nr == 59 || p->nr == 322) && e->ret == 0) {
		unsigned long start = BPF_CORE_READ(task, mm, arg_start);
		unsigned long end = BPF_CORE_READ(task, mm, arg_end);
		unsigned long len = end - start;
		if (len > STR1)
			len = STR1;
		e->args[5] = len;
		bpf_probe_read_user(e->str1, len, (void *)start);
	}
	// accept fills the peer's address on return.
	int accepted = (p->nr == 43 || p->nr == 288) && e->ret >= 0 && p->args[1];
	if (accepted)
		bpf_probe_read_user(e->str1, 128, (void *)p->args[1]);
	int has_str1 = e->str1[0] || e->str1[1] || accepted || p->nr == 59 || p->nr == 322;
	// Without a second string the record ends with the first one's own length (most opens:
	// ~300 bytes instead of 1 KiB), so a burst fits three times as many in the ring.
	__u32 len0 = p->len0;
	if (len0 > STR0)
		len0 = STR0;
	bpf_map_delete_elem(&inflight, &tid);
	send(e, has_str1 ? sizeof(*e) : HEAD_SIZE + len0);
	return 0;
}

SEC("raw_tracepoint/sched_process_fork")
int on_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *child = (struct task_struct *)ctx->args[1];
	__u32 pid = BPF_CORE_READ(child, pid), tgid = BPF_CORE_READ(child, tgid);
	if (pid != tgid || ignored(bpf_get_current_pid_tgid() >> 32))
		return 0;
	struct event *e = scratch_event();
	if (!e)
		return 0;
	fill_task(e, (struct task_struct *)bpf_get_current_task());
	e->kind = KIND_FORK;
	e->nr = -1;
	e->ret = 0;
	e->child = tgid;
	send(e, HEAD_SIZE);
	return 0;
}

SEC("raw_tracepoint/sched_process_exit")
int on_process_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	if ((__u32)id != (id >> 32) || ignored(id >> 32))
		return 0;
	struct event *e = scratch_event();
	if (!e)
		return 0;
	e->kind = KIND_EXIT;
	e->nr = -1;
	e->ret = 0;
	e->child = 0;
	e->ts = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->comm[0] = 0;
	e->cgroup[0] = 0;
	send(e, HEAD_SIZE);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
