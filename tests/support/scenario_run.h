/* scenario_run.h — for tests that run scenarios in process: parse YAML (from a string or a
 * shipped file), run its runs (control, baseline, protected), read metrics and the verdict back
 * from the report entry. */
#ifndef SG17_TEST_SCENARIO_RUN_H
#define SG17_TEST_SCENARIO_RUN_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/loader.h"
#include "scenario/scenario.h"

/* Parses one scenario (the first matrix point) and runs it; `name` stands for the file name. */
static inline json_t *run_scenario_yaml(const char *yaml, size_t len, const char *name)
{
    sg17_registry_t reg = sg17_loader_registry();
    sg17_scenario_t *list = NULL;
    size_t count = 0;
    sg17_err_t err = {{0}};
    cr_assert_eq(sg17_scenario_parse(yaml, len, name, &reg, &list, &count, &err), 0,
                 "scenario does not parse: %s", err.msg);
    json_t *e = sg17_engine_run_scenario(&list[0], NULL);
    sg17_scenarios_free(list, count);
    cr_assert_not_null(e);
    return e;
}

/* Runs a shipped scenario, by its path below the source tree ("scenarios/ibc/x.yaml"). */
static inline json_t *run_shipped_scenario(const char *relpath)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", SG17TB_SOURCE_DIR, relpath);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    static char yaml[65536];
    size_t n = fread(yaml, 1, sizeof yaml - 1, f);
    fclose(f);
    yaml[n] = 0;
    return run_scenario_yaml(yaml, n, path);
}

/* Runs a module's shipped scenario by its file name ("ibc", "forged-signature.yaml"). */
static inline json_t *run_module_scenario(const char *module, const char *file)
{
    char rel[256];
    snprintf(rel, sizeof rel, "scenarios/%s/%s", module, file);
    return run_shipped_scenario(rel);
}

/* A metric of one run ("control", "baseline" or "protected"); 0 when absent, as conditions read
 * it. */
static inline double metric(json_t *entry, const char *run, const char *name)
{
    json_t *v = json_object_get(
        json_object_get(json_object_get(json_object_get(entry, "runs"), run), "metrics"), name);
    return v ? json_number_value(v) : 0.0;
}

static inline const char *verdict(json_t *entry)
{
    return json_string_value(json_object_get(entry, "verdict"));
}

/* Every delivered message was reported exactly once, in every run. */
static inline void assert_all_reported(json_t *e)
{
    static const char *const runs[] = {"control", "baseline", "protected"};
    for (int p = 0; p < 3; p++) {
        const char *run = runs[p];
        cr_assert(json_object_get(json_object_get(e, "runs"), run), "no %s run", run);
        cr_assert_eq(metric(e, run, "ledger.unreported.all"), 0, "%s: unreported messages", run);
        cr_assert_eq(metric(e, run, "bus.report_anomalies"), 0, "%s: report anomalies", run);
    }
}

#endif
