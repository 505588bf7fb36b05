/* bench_scenario.h — a benchmark's scenario: a scenario text parsed and run (its baseline and
 * protected runs, no control run: what is measured and nothing more), and the values read from
 * its report entry. Header-only: each benchmark is an executable of its own. */
#ifndef SG17_BENCH_SCENARIO_H
#define SG17_BENCH_SCENARIO_H

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/loader.h"

/* Runs the scenario text yaml. Its report entry (the caller frees it), or NULL after a message
 * on stderr that starts with who: the text does not parse, or the run ended in `error`. */
static inline json_t *bench_run_yaml(const char *who, const char *yaml)
{
    sg17_registry_t reg = sg17_loader_registry();
    sg17_scenario_t *s;
    size_t n;
    sg17_err_t err;
    if (sg17_scenario_parse(yaml, strlen(yaml), "bench.yaml", &reg, &s, &n, &err) < 0) {
        fprintf(stderr, "%s: %s\n", who, err.msg);
        return NULL;
    }
    sg17_engine_opts_t o = {.no_control = true};
    json_t *e = sg17_engine_run_scenario(&s[0], &o);
    sg17_scenarios_free(s, n);
    const char *v = e ? json_string_value(json_object_get(e, "verdict")) : NULL;
    if (!v || strcmp(v, "error") == 0) {
        const char *why = e ? json_string_value(json_object_get(e, "error")) : "no entry";
        fprintf(stderr, "%s: run failed: %s\n", who, why ? why : "?");
        json_decref(e);
        return NULL;
    }
    return e;
}

/* A metric of run ("baseline" or "protected") in entry e; with metric NULL, the run's wall time
 * in ms. */
static inline double bench_run_value(json_t *e, const char *run, const char *metric)
{
    json_t *r = json_object_get(json_object_get(e, "runs"), run);
    if (!metric)
        return json_number_value(json_object_get(r, "wall_ms"));
    return json_number_value(json_object_get(json_object_get(r, "metrics"), metric));
}

#endif
