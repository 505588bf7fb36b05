/* cgroup.h — the cgroup hierarchy as the linux backend uses it, v1 and v2 alike: finding the
 * hierarchies of the cpu, memory and pids controllers (/proc/self/mountinfo), making and
 * removing groups, setting limits by the version's file names, moving a process in, reading the
 * counters of what a limit refused. No sg17_ctx_t: tests point a layout at a directory tree of
 * their own.
 *
 *   limit          v1 (one hierarchy per controller)          v2 (one unified hierarchy)
 *   CPU            cpu.cfs_quota_us + cpu.cfs_period_us       cpu.max "QUOTA PERIOD"
 *   memory         memory.limit_in_bytes                      memory.max
 *   processes      pids.max                                   pids.max
 *   stall on full  memory.oom_control = 1 (no OOM kill)       memory.high below memory.max
 *   counters       cpu.stat nr_throttled, memory.failcnt,     cpu.stat nr_throttled,
 *                  pids.events max                            memory.events max, pids.events max
 * In v2 a group's parent lists +cpu +memory +pids in cgroup.subtree_control and processes live in
 * leaves only; the backend keeps to both rules in v1 too. */
#ifndef IAAS_CGROUP_H
#define IAAS_CGROUP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CG_PATH_MAX 512

typedef struct {
    int version;           /* 1 or 2; 0 when no usable hierarchy was found */
    char cpu[CG_PATH_MAX]; /* the hierarchy's directory for each controller; in v2 all three */
    char memory[CG_PATH_MAX];
    char pids[CG_PATH_MAX];
} cg_layout_t;

/* Reads a mountinfo text (proc(5)) into a layout: v2 when a cgroup2 mount's cgroup.controllers
 * (read below the mount point, under root_prefix for tests; "" on a real system) lists cpu,
 * memory and pids, else v1 when cgroup mounts carry each of the three. 0, or -1 with layout
 * version 0. */
int cg_layout_parse(const char *mountinfo, size_t len, const char *root_prefix, cg_layout_t *out);
/* The layout of this machine (/proc/self/mountinfo). */
int cg_layout_detect(cg_layout_t *out);
/* A v2 layout rooted at dir (tests). */
void cg_layout_v2(cg_layout_t *out, const char *dir);
/* A v1 layout with the three controllers' hierarchies below dir/cpu, dir/memory, dir/pids. */
void cg_layout_v1(cg_layout_t *out, const char *dir);

/* Makes group rel (relative: "name" or "name/child") in every hierarchy; in v2 first enables
 * the three controllers in its parent's subtree_control. 0 or -1 (errno). */
int cg_create(const cg_layout_t *l, const char *rel);
/* CPU quota in microseconds per period (quota_us 0: no limit). */
int cg_set_cpu(const cg_layout_t *l, const char *rel, uint64_t quota_us, uint64_t period_us);
/* Memory limit in octets; stall: tasks wait at the limit instead of being OOM-killed (v1
 * memory.oom_control; v2 memory.high at seven eighths of the limit). */
int cg_set_memory(const cg_layout_t *l, const char *rel, uint64_t bytes, int stall);
int cg_set_pids(const cg_layout_t *l, const char *rel, uint64_t max);
/* Moves process pid into the group in every hierarchy. */
int cg_attach(const cg_layout_t *l, const char *rel, pid_t pid);
/* What the group's limits refused so far: CPU periods throttled, memory limit hits, forks
 * refused (-1 for a counter the kernel does not give). */
typedef struct {
    long long throttled, memory_hits, forks_refused;
} cg_counters_t;
void cg_counters(const cg_layout_t *l, const char *rel, cg_counters_t *out);
/* Kills every process of the group (and its children groups) and removes them, deepest first.
 * 0 when the group is gone from every hierarchy. */
int cg_remove(const cg_layout_t *l, const char *rel);

/* Kills the processes of directory dir of one hierarchy and its subgroups and removes them
 * (iaas_sweep's remover). 0 or -1. */
int cg_remove_dir(const char *dir);

/* The value of `key` in a "key value" per line text (cpu.stat, memory.events, pids.events,
 * memory.oom_control), or -1. */
long long cg_stat_value(const char *text, size_t len, const char *key);

#endif
