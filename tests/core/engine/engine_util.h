/* engine_util.h — helpers for the engine tests: a scenario for the fixture module from a YAML
 * snippet, run in-process, metrics read back from the report entry. */
#ifndef SG17_TEST_ENGINE_UTIL_H
#define SG17_TEST_ENGINE_UTIL_H

#include "scenario_run.h"

/* A fixture scenario: the common header, then `body` (mitigations, adversary, actions,
 * conditions). */
static inline sg17_scenario_t *fixture_scenario(const char *body, size_t *n)
{
    char yaml[8192];
    snprintf(yaml, sizeof yaml,
             "id: fixture/test\n"
             "title: engine test\n"
             "module: fixture\n"
             "requirements: [FIX-R-AUTH]\n"
             "seed: 11\n"
             "%s"
             "topology: {node: 3, sink: 1}\n"
             "%s",
             strstr(body, "duration:") ? "" : "duration: 1min\n", body);
    sg17_registry_t reg = sg17_loader_registry();
    sg17_scenario_t *list = NULL;
    sg17_err_t err = {{0}};
    int rc = sg17_scenario_parse(yaml, strlen(yaml), "test.yaml", &reg, &list, n, &err);
    cr_assert_eq(rc, 0, "scenario does not parse: %s", err.msg);
    return list;
}

static inline json_t *run_fixture(const char *body)
{
    size_t n;
    sg17_scenario_t *s = fixture_scenario(body, &n);
    json_t *e = sg17_engine_run_scenario(&s[0], NULL);
    sg17_scenarios_free(s, n);
    cr_assert_not_null(e);
    return e;
}

#endif
