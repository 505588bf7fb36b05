/* ksm.h — the linux backend's page-deduplication side channel: the kernel's samepage merging
 * (KSM, Documentation/admin-guide/mm/ksm.rst) driven for a run, a victim guest holding a secret
 * page and an attacker guest that learns it from the time a write takes. No sg17_ctx_t: the
 * hypervisor's phase (sim/hypervisor.c) turns what it measures into metrics.
 *
 * KSM is global to the machine: a run raises its scanning speed (run 1, pages_to_scan,
 * sleep_millisecs, smart_scan 0) and gives the settings back at its end. What it found is kept
 * in a guard file, <dir>/sg17tb-iaas-<run id>-p<pid>-ksm, so that runs at the same time share
 * one set of saved settings (the last to end restores them) and a later run restores what a
 * crashed one left (its owner process is gone). The guard files are handled under an flock of
 * dir. A guardian process (outside the run's process group) waits for the run's process to end
 * and gives the settings back when the run did not: a crash or a SIGKILL. */
#ifndef IAAS_KSM_H
#define IAAS_KSM_H

#include <stdbool.h>
#include <stdint.h>

#define KSM_SYSFS          "/sys/kernel/mm/ksm"
#define KSM_GUARD_DIR      "/run/sg17tb-iaas-ksm" /* tmpfs: gone at a reboot, as the settings */
#define KSM_CANDIDATES_MAX 256
#define KSM_TRIALS_MAX     15

#define KSM_UNAVAILABLE                                                                     \
    "backend unavailable: needs KSM (CONFIG_KSM, " KSM_SYSFS ") and the right to drive it " \
    "(root); use the sim backend"

typedef struct ksm_guard ksm_guard_t;

/* Restores the settings of crashed runs' guards in dir (made when missing) (when no live run still
 * drives KSM) and removes those guards; then saves the settings (or takes over those of a live
 * run's guard), writes this run's guard and drives KSM fast. sysdir: KSM_SYSFS, or a test's
 * directory. NULL when KSM is missing or not writable (*why: KSM_UNAVAILABLE or what failed). */
ksm_guard_t *ksm_drive(const char *sysdir, const char *dir, const char *run_id, const char **why);
/* Removes this run's guard and, when no other live run drives KSM, restores the saved
 * settings; safe with NULL. */
void ksm_release(ksm_guard_t *g);
/* The sweep alone (what ksm_drive does first): guards of dead owners removed, their settings
 * restored when no live guard remains. How many it removed. */
unsigned ksm_sweep(const char *sysdir, const char *dir);

typedef struct {
    unsigned candidates; /* pages the attacker tries, one of them the victim's */
    unsigned trials;     /* rounds; the attacker's guess needs a majority of them */
    unsigned secret;     /* the victim's candidate (ground truth, never told the attacker) */
    bool share;          /* the hypervisor offers guest memory to KSM (mitigation off) */
    uint64_t salt;       /* makes the pages of this run differ from those of other runs */
    double wait_max;     /* seconds a round waits for KSM's scans at most */
} ksm_probe_t;

typedef struct {
    int guess;                /* the attacker's inferred candidate, or -1 (no majority) */
    unsigned trials_right;    /* rounds whose slowest write was the victim's candidate */
    double slow_ns, fresh_ns; /* medians over rounds: the slowest write, the median write */
    double merge_s;           /* median seconds a round waited for two full scans */
} ksm_result_t;

/* Fills a 4 KiB page with candidate c's content (salt: the run's). */
void ksm_fill(uint8_t *page, uint64_t salt, unsigned c);
/* Runs the victim and the attacker as two forked processes and the rounds. 0, or -1 when a
 * process or a mapping could not be made. */
int ksm_probe(const char *sysdir, const ksm_probe_t *p, ksm_result_t *out);

#endif
