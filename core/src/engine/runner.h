/* runner.h — `sg17tb run` and `sg17tb broker`: finds scenario files, validates them, runs each
 * scenario (each matrix point) in a child process of its own — so a module that crashes or hangs
 * costs one `error` verdict, not the run — up to --jobs at a time, and writes the reports. */
#ifndef SG17_ENGINE_RUNNER_H
#define SG17_ENGINE_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int jobs;            /* parallel scenarios (default 1) */
    const char *out_dir; /* default "sg17tb-report" */
    const char *formats; /* NULL = all */
    const char *filter;  /* glob over scenario ids, NULL = all */
    bool have_seed;
    uint64_t seed;                     /* --seed: overrides every scenario's seed */
    unsigned shard_index, shard_count; /* --shard I/N (1-based); 0/0 = no sharding */
    bool shard_auto;                   /* --shard auto: I/N from the scheduler (engine/shard.h) */
    const char *shard_costs; /* --shard-costs REPORT: deal by the wall times measured there */
    const char *bind;        /* sg17tb broker: bind here and wait for remote hosts; no forking */
    int host_wait_ms;
    const char *curve_cert;  /* broker: CURVE secret certificate (NULL = plain) */
    const char *curve_allow; /* broker: directory of allowed hosts' public certificates */
    bool clear_mitigations;  /* testing aid: run every scenario with an empty mitigation list */
    bool no_control;         /* --no-control: skip each scenario's control run (weaker verdicts) */
    const char *trace_dir;   /* --trace DIR: one pcapng per run (created if missing), or NULL */
    unsigned seeds;          /* --seeds K: each scenario over K derived seeds (0 = its repeat) */
    const char *backend;     /* --backend NAME: the config key `backend` of modules that have one */
} sg17_runner_opts_t;

/* Runs and reports. Returns the exit code of docs/architecture.md §10: 0 every verdict matches its
 * expect, 1 some does not, 2 invalid input, 3 internal error; 128 + the signal's number when
 * SIGINT, SIGTERM or SIGHUP stopped it (130, 143, 129: the report then holds what finished and says
 * "complete": false). Each scenario's child process dies with the runner, even on SIGKILL. */
int sg17_runner_run(char *const *paths, size_t n_paths, const sg17_runner_opts_t *opts);

/* Collects scenario files (*.yaml, *.yml) under the paths, sorted; caller frees each and the
 * array. Returns -1 with a message on stderr if a path does not exist. */
int sg17_runner_collect(char *const *paths, size_t n_paths, char ***files, size_t *n_files);

#endif
