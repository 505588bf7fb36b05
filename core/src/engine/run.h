/* run.h — one run of a scenario (baseline or protected) on the virtual clock: the broker side of
 * the conservative scheduler. Events of one lookahead window (the minimum link latency) go to the
 * module host as one Batch; its Output (sends, timers, reports) is recorded in the ledger, passed
 * through the adversary and the links, and scheduled. */
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
} sg17_run_stats_t;

/* Runs the scenario once with its mitigations on (`protected`) or off, against `host` on
 * `broker`. All metrics of the run (ledger.*, adversary.*, sim.*, bus.*, cost.*, the module's)
 * are added to `metrics`. Returns 0, or -1 with err set (module failure, host timeout). */
int sg17_run_once(sg17_broker_t *broker, int host, const sg17_scenario_t *s,
                  const sg17_module_t *module, bool protected_run, sg17_metrics_t *metrics,
                  sg17_run_stats_t *stats, sg17_err_t *err);

#endif
