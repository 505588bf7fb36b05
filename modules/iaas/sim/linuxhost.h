/* linuxhost.h — the linux backend of isolation: the compute node as a cgroup of this machine, the
 * victim's and the noisy tenant's guests as real worker processes under it, and the victim's
 * throughput as the victim itself counts it. No sg17_ctx_t: the phases (sim/hypervisor.c) drive
 * it and turn what it measures into metrics.
 *
 * Groups (every name from runid.h, so carrying the run's id and its owner):
 *     <run>-node            the node: memory that stalls at its limit, a process ceiling
 *       shared              limits off: every guest's processes together, as on a host without
 *                           per-guest groups (CFS shares the CPUs among tasks)
 *       vm<victim>, vm<noisy>  limits on: one group per guest with cpu, memory and pids limits
 * The victim runs fixed work units: each is a fork of a child that maps and writes 1 MiB and
 * mixes it, the way a guest serving a request forks a worker; it counts each unit done in a
 * shared counter. The noisy guest runs `intensity` busy threads, a growing memory hog or a fork
 * bomb; each is bounded by the node's group and by absolute ceilings of its own, whatever the
 * mitigation, so that it never harms the machine. */
#ifndef IAAS_LINUXHOST_H
#define IAAS_LINUXHOST_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/cgroup.h"

#define LX_NODE_MEMORY  (128ull << 20) /* the node's memory: a slice of this machine */
#define LX_NODE_PIDS    64             /* the node's process table */
#define LX_CPU_HOGS_MAX 64             /* busy threads a CPU load starts at most */
#define LX_BOMB_MAX     256            /* processes a fork bomb makes at most, cgroups or not */
#define LX_HOG_MAX      (1ull << 30)   /* octets a memory hog asks for at most */
#define LX_HOG_THREADS  8              /* threads of a memory hog */

typedef struct iaas_linux iaas_linux_t;

typedef struct {
    bool limits;            /* the cgroup_limits mitigation */
    double cpu_quota;       /* cores */
    uint64_t memory_mib;    /* per guest */
    uint64_t pids;          /* per guest */
    unsigned victim, noisy; /* vm indexes, for the groups' names */
} lx_config_t;

/* The backend's message when it cannot run here. */
#define LX_UNAVAILABLE                                                                       \
    "backend unavailable: needs write access to the cgroup hierarchy (root, or a delegated " \
    "cgroup v2 subtree); use the sim backend"

/* Finds the cgroup hierarchy, removes the groups of crashed runs, makes this run's groups and
 * starts the victim's worker. NULL when it cannot (*why: LX_UNAVAILABLE or what failed). */
iaas_linux_t *lx_open(const char *run_id, const lx_config_t *c, const char **why);
/* Same, on a given layout (tests). */
iaas_linux_t *lx_open_layout(const cg_layout_t *l, const char *run_id, const lx_config_t *c,
                             const char **why);
/* Kills every worker and removes every group of the run; safe with NULL. */
void lx_close(iaas_linux_t *lx);
/* The victim's work units per second over the next `seconds` of wall time. */
double lx_measure(iaas_linux_t *lx, double seconds);
/* Starts the noisy guest's load (LOAD_CPU, LOAD_MEMORY or LOAD_FORK of iaas_sim.h). 0 or -1. */
int lx_noisy_start(iaas_linux_t *lx, int load, unsigned intensity);
/* Waits until the noisy load is whole (every process started; the memory hog or the fork bomb
 * has met a limit), at most timeout seconds; the seconds it waited. */
double lx_noisy_settle(iaas_linux_t *lx, double timeout);
/* Stops (hold true) or resumes the victim's worker: its work units pause while another
 * measurement (sim/ksm.h) needs the CPUs. */
void lx_victim_hold(iaas_linux_t *lx, bool hold);
/* Kills the noisy guest's processes (Stratus's revert). */
void lx_noisy_stop(iaas_linux_t *lx);
/* The counters of the group the noisy guest runs in. */
void lx_noisy_counters(const iaas_linux_t *lx, cg_counters_t *out);
int lx_version(const iaas_linux_t *lx);
/* The removal sweep of crashed runs' groups in every hierarchy of l; how many it removed. */
unsigned lx_sweep(const cg_layout_t *l);

#endif
