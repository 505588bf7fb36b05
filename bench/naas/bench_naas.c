/* bench_naas.c — probe throughput of the reachability truth table on the sim backend: a scenario
 * of T tenants x E endpoints x 3 ports run through the engine (broker, module host, ledger), every
 * cell a probe frame that crosses the vswitches (and the overlay for half of them) to a responder.
 * Baseline, same run: the same cells decided from the tenants' configuration alone
 * (naas_expected), the plain way a config checker answers the question without sending a packet.
 * RESULT lines give cells per second and the ratio. The 50 x 1000 point is the "50 tenants
 * x 20 endpoints" table, which must finish in under a minute. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "engine/engine.h"
#include "engine/loader.h"
#include "scenario/scenario.h"
#include "sim/naas_sim.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Runs the probe scenario once (its three runs); returns the cells of one run and sets *secs to
 * the wall time of the protected run, or returns 0. */
static double sim_cells(unsigned tenants, unsigned endpoints, double *secs)
{
    char yaml[2048];
    int n = snprintf(yaml, sizeof yaml,
                     "id: naas/bench\ntitle: bench\nmodule: naas\n"
                     "requirements: [X1604-R-CON-ISOLATION]\nseed: 1\nduration: 8s\n"
                     "timeout: 300s\n"
                     "topology: {tenant: %u, endpoint: %u, vswitch: 2, vtep: 2, sf: 0}\n"
                     "config: {probe_at: 5s}\nmitigations: [tenant_isolation]\n"
                     "adversary: {capabilities: [observe]}\n"
                     "actions:\n  - at: 1s\n    observe: {match: {type: naas.anchor}, count: 1}\n"
                     "success:\n  - truth.incorrect > 0\n",
                     tenants, endpoints);
    sg17_registry_t reg = sg17_loader_registry();
    sg17_scenario_t *list = NULL;
    size_t count = 0;
    sg17_err_t err = {{0}};
    if (n <= 0
        || sg17_scenario_parse(yaml, (size_t)n, "bench.yaml", &reg, &list, &count, &err) != 0) {
        fprintf(stderr, "bench_naas: %s\n", err.msg);
        return 0;
    }
    json_t *e = sg17_engine_run_scenario(&list[0], NULL);
    sg17_scenarios_free(list, count);
    json_t *run = json_object_get(json_object_get(e, "runs"), "protected");
    double cells =
        json_number_value(json_object_get(json_object_get(run, "metrics"), "truth.cells"));
    *secs = json_number_value(json_object_get(run, "wall_ms")) / 1000.0;
    if (!run || cells <= 0)
        fprintf(stderr, "bench_naas: the run failed: %s\n",
                json_string_value(json_object_get(e, "error")));
    json_decref(e);
    return run ? cells : 0;
}

/* The same cells from the configuration: the tenants' intent, evaluated in a loop. */
static double config_cells_per_s(unsigned tenants, unsigned endpoints)
{
    naas_t n;
    memset(&n, 0, sizeof n);
    n.n_tenants = tenants;
    n.n_endpoints = endpoints;
    n.n_table_ports = 3;
    n.table_ports[0] = 22, n.table_ports[1] = 80, n.table_ports[2] = 5432;
    n.n_open_ports = 2;
    n.open_ports[0] = 22, n.open_ports[1] = 80;
    n.peer_d = n.peer_s = n.peer_p = -1;
    n.cfg.db_endpoint = n.cfg.chain_endpoint = -1;
    n.endpoints = calloc(endpoints, sizeof *n.endpoints);
    if (!n.endpoints)
        return 0;
    for (unsigned i = 0; i < endpoints; i++)
        n.endpoints[i].tenant = (unsigned)((uint64_t)i * tenants / endpoints);
    double t0 = now(), cells = 0;
    volatile unsigned reach = 0;
    do {
        for (unsigned t = 0; t < tenants; t++)
            for (unsigned d = 0; d < endpoints; d++)
                for (unsigned p = 0; p < 3; p++)
                    reach += naas_expected(&n, t, 0, d, n.table_ports[p]);
        cells += (double)tenants * endpoints * 3;
    } while (now() - t0 < 0.5);
    double rate = cells / (now() - t0);
    free(n.endpoints);
    return rate;
}

int main(void)
{
    static const unsigned sizes[][2] = {{4, 40}, {50, 1000}};
    for (size_t i = 0; i < 2; i++) {
        unsigned t = sizes[i][0], e = sizes[i][1];
        double secs = 0, t0 = now();
        double cells = sim_cells(t, e, &secs);
        double total = now() - t0;
        if (cells <= 0 || secs <= 0)
            return 1;
        double base = config_cells_per_s(t, e), rate = cells / secs;
        printf("RESULT name=naas.sim.truth_table.%ux%u value=%.4g unit=cells/s baseline=%.4g "
               "ratio=%.4g\n",
               t, e, rate, base, rate / base);
        printf("RESULT name=naas.sim.truth_table.%ux%u.scenario_wall value=%.3g unit=s "
               "baseline=60 ratio=%.3g\n",
               t, e, total, total / 60.0);
    }
    return 0;
}
