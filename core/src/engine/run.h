/* run.h — one run of a scenario (control, baseline or protected) on the virtual clock: the broker
 * side of the conservative scheduler. Events of one lookahead window (the minimum link latency) go
 * to the module host as one Batch; its Output (sends, timers, reports) is recorded in the ledger,
 * passed through the adversary and the links, and scheduled. */
#ifndef SG17_ENGINE_RUN_H
#define SG17_ENGINE_RUN_H

#include <stdbool.h>

#include "bus/broker.h"
#include "scenario/scenario.h"
#include "util/diag.h"
#include "util/metrics.h"

typedef struct {
    double wall_ms;
    uint64_t events; /* events delivered to the host */
    uint64_t batches;
    bool timed_out; /* ended by the scenario's `timeout`: the host may still be busy (or hung) */
    /* the module's artifacts (sg17_artifact): name -> text, owned; sg17_run_stats_release */
    char **artifact_name, **artifact_text;
    size_t n_artifacts;
} sg17_run_stats_t;

/* Frees what sg17_run_once left in stats (the artifacts). */
void sg17_run_stats_release(sg17_run_stats_t *stats);

/* The three runs (arms) of a scenario, all with the scenario's seed (DESIGN §7):
 *   control    the mitigations under test off and no adversary at all: none of the scenario's
 *              actions (no network action, no module attack, no compromise). Its success
 *              conditions must not hold, or they do not measure the attack;
 *   baseline   the mitigations under test off, the adversary acting;
 *   protected  the mitigations under test on, the adversary acting. */
typedef enum { SG17_ARM_CONTROL, SG17_ARM_BASELINE, SG17_ARM_PROTECTED } sg17_arm_t;
#define SG17_N_ARMS 3

/* "control", "baseline", "protected": the arm's key in report.json's `runs`. */
extern const char *const sg17_arm_names[SG17_N_ARMS];

/* Runs the scenario once as `arm`, against `host` on `broker`. All metrics of the run (ledger.*,
 * adversary.*, sim.*, bus.*, cost.*, the module's) are added to `metrics`. Returns 0, or -1 with
 * err set (module failure, host timeout). */
int sg17_run_once(sg17_broker_t *broker, int host, const sg17_scenario_t *s,
                  const sg17_module_t *module, sg17_arm_t arm, sg17_metrics_t *metrics,
                  sg17_run_stats_t *stats, sg17_err_t *err);
/* The same, and when trace_path is not NULL, writes the run's packet trace there (pcapng: every
 * envelope delivered, at its virtual delivery time, with the ledger's ground truth; trace.h). A
 * trace that cannot be written fails the run. */
int sg17_run_once_traced(sg17_broker_t *broker, int host, const sg17_scenario_t *s,
                         const sg17_module_t *module, sg17_arm_t arm, sg17_metrics_t *metrics,
                         sg17_run_stats_t *stats, const char *trace_path, sg17_err_t *err);

/* Milliseconds on CLOCK_MONOTONIC: what a run's wall time and timeout are measured in. */
double sg17_mono_ms(void);

/* Sets err to the message of a run of s as `arm` that exceeded the scenario's timeout while its
 * host handled a Batch (finishing: the Finish), as the run itself words it; returns -1. For a
 * watcher that gives up on a run whose host does not return. */
int sg17_run_timeout_error(const sg17_scenario_t *s, sg17_arm_t arm, bool finishing,
                           sg17_err_t *err);

#endif
