/* engine.h — runs a scenario three times with the same seed (control, baseline, protected: see
 * run.h), judges the runs against the scenario's conditions, and returns the scenario's entry of
 * report.json (docs/report.md). The runner (runner.h) calls this in a child process per scenario.
 */
#ifndef SG17_ENGINE_ENGINE_H
#define SG17_ENGINE_ENGINE_H

#include <jansson.h>

#include <stdbool.h>

#include "bus/broker.h"
#include "engine/run.h"
#include "scenario/scenario.h"

typedef struct {
    /* NULL: an in-process broker on inproc:// with the module host in a thread. Otherwise an
     * existing broker whose host for the scenario's module connects from elsewhere. */
    sg17_broker_t *broker;
    int host_wait_ms; /* how long to wait for a remote host (default 30 s) */
    bool no_control;  /* --no-control: skip the control run (a weaker verdict, docs/report.md) */
    const char *trace_dir; /* --trace: one pcapng per run in this directory, or NULL */
} sg17_engine_opts_t;

/* Never NULL unless out of memory: failures become an entry with verdict "error". */
json_t *sg17_engine_run_scenario(const sg17_scenario_t *s, const sg17_engine_opts_t *opts);

/* The entry of a scenario that could not be run (invalid, crashed, timed out). */
json_t *sg17_engine_error_entry(const sg17_scenario_t *s, const char *file, const char *message);

/* Fills verdict-related fields of an entry (conditions, verdict, reason, and error when the
 * verdict is error) from its runs' metrics, indexed by sg17_arm_t; metrics[SG17_ARM_CONTROL] is
 * NULL when the control run was skipped. Used by the engine, and by tests that judge hand-made
 * metrics. */
void sg17_engine_judge(json_t *entry, const sg17_scenario_t *s, json_t *const *metrics);

#endif
