/* bench_scheduler.c — virtual-time events per second through the full path (broker, ledger,
 * module host, fixture module with trivial handlers) in one process. The baseline is the issue's
 * target, 200 000 events/s, so ratio >= 1 means the target is met on this machine today. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/loader.h"

int main(void)
{
    zsys_handler_set(NULL);
    if (!getenv("SG17TB_MODULE_PATH"))
        setenv("SG17TB_MODULE_PATH", SG17TB_FIXTURE_DIR, 1);
    /* 2000 nodes ping the sink every second and it acknowledges each: per run about 120 000
     * pings, 120 000 acks and 120 000 timers. */
    const char *yaml = "id: fixture/bench\ntitle: scheduler benchmark\nmodule: fixture\n"
                       "requirements: [FIX-R-AUTH]\nseed: 1\nduration: 60s\n"
                       "topology: {node: 2000, sink: 1}\nconfig: {interval: 1s, reply: true}\n"
                       "network: {latency: 2ms}\nmitigations: [auth]\n"
                       "success: [ledger.accepted.injected > 0]\n";
    sg17_registry_t reg = sg17_loader_registry();
    sg17_scenario_t *s;
    size_t n;
    sg17_err_t err;
    if (sg17_scenario_parse(yaml, strlen(yaml), "bench.yaml", &reg, &s, &n, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    json_t *e = sg17_engine_run_scenario(&s[0], NULL);
    double events = 0, ms = 0;
    for (int p = 0; p < 2; p++) {
        json_t *run = json_object_get(json_object_get(e, "runs"), p ? "protected" : "baseline");
        events += json_number_value(json_object_get(json_object_get(run, "metrics"), "sim.events"));
        ms += json_number_value(json_object_get(run, "wall_ms"));
    }
    double rate = ms > 0 ? events / (ms / 1000) : 0;
    printf("RESULT name=scheduler.events value=%.0f unit=events/s baseline=200000 ratio=%.3f\n", rate,
           rate / 200000);
    json_decref(e);
    sg17_scenarios_free(s, n);
    return 0;
}
