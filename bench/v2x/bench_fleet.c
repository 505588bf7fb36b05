/* bench_fleet.c — the v2x simulation at fleet scale: 1 000 and 10 000 vehicles on the highway
 * ring (same density: 200 m between the vehicles of a lane, 2 lanes each way, so about a dozen
 * neighbours in 300 m radio range; the ring grows with the fleet), 10 virtual seconds of CAMs at
 * 10 Hz with
 * real ECDSA P-256 signatures, through the engine and the module host (one multicast per CAM).
 * Each point is one scenario: its protected run (every security check on) is timed against its
 * baseline run (signature verification, certificate checks, plausibility off) in the same process.
 * The cost must grow with the deliveries, not with the square of the fleet: the last RESULT
 * compares the wall time per delivery of the two points (ratio near 1 = linear).
 * SG17_BENCH_VEHICLES="1000,10000" overrides the two fleet sizes on a slow machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <czmq.h>
#include <sg17tb/module.h>

#include "bench_scenario.h"

typedef struct {
    double wall_s[2];     /* baseline, protected */
    double deliveries[2]; /* ledger.delivered.all */
    double cams[2];
} point_t;

static int run_point(long vehicles, point_t *pt)
{
    char yaml[2048];
    int yl = snprintf(
        yaml, sizeof yaml,
        "id: v2x/bench-fleet\ntitle: fleet\nmodule: v2x\nrequirements: [X1372-8.2]\nseed: 1\n"
        "duration: 10s\ntimeout: 3600s\ntopology: {vehicle: %ld, rsu: 0}\n"
        "config: {cam_rate: 10, spacing: 200, lanes: 2, radio_loss: 0.1}\n"
        "mitigations: [signature_verification, cert_checks, plausibility]\n"
        "adversary: {capabilities: [observe]}\nactions: [{at: 0, observe: {count: 1}}]\n"
        "success: [ledger.accepted.injected > 0]\n",
        vehicles);
    if (yl < 0 || (size_t)yl >= sizeof yaml)
        return -1;
    json_t *e = bench_run_yaml("bench_fleet", yaml);
    if (!e)
        return -1;
    for (int p = 0; p < 2; p++) {
        const char *run = p ? "protected" : "baseline";
        pt->wall_s[p] = bench_run_value(e, run, NULL) / 1000;
        pt->deliveries[p] = bench_run_value(e, run, "ledger.delivered.all");
        pt->cams[p] = bench_run_value(e, run, "vehicle.cams_sent");
    }
    json_decref(e);
    return 0;
}

int main(void)
{
    zsys_handler_set(NULL);
    long sizes[2] = {1000, 10000};
    const char *env = getenv("SG17_BENCH_VEHICLES");
    if (env && sscanf(env, "%ld,%ld", &sizes[0], &sizes[1]) != 2) {
        fprintf(stderr, "bench_fleet: SG17_BENCH_VEHICLES must be two sizes, \"1000,10000\"\n");
        return 2;
    }
    point_t pt[2];
    for (int i = 0; i < 2; i++) {
        if (run_point(sizes[i], &pt[i]) != 0)
            return 1;
        double per_s = pt[i].deliveries[1] / pt[i].wall_s[1];
        printf("RESULT name=v2x.fleet_%ld value=%.2f unit=s baseline=%.2f ratio=%.3f\n", sizes[i],
               pt[i].wall_s[1], pt[i].wall_s[0], pt[i].wall_s[1] / pt[i].wall_s[0]);
        printf("RESULT name=v2x.fleet_%ld_deliveries value=%.0f unit=deliveries/s "
               "baseline=%.0f ratio=%.3f\n",
               sizes[i], per_s, pt[i].deliveries[0] / pt[i].wall_s[0],
               per_s / (pt[i].deliveries[0] / pt[i].wall_s[0]));
        printf("# %ld vehicles, 10 virtual s at 10 Hz: %.0f CAMs signed, %.0f deliveries "
               "(protected run; baseline: every check off)\n",
               sizes[i], pt[i].cams[1], pt[i].deliveries[1]);
    }
    double us_small = pt[0].wall_s[1] * 1e6 / pt[0].deliveries[1];
    double us_large = pt[1].wall_s[1] * 1e6 / pt[1].deliveries[1];
    printf("RESULT name=v2x.fleet_cost_per_delivery value=%.3f unit=us baseline=%.3f ratio=%.3f\n",
           us_large, us_small, us_large / us_small);
    printf("# per delivery at %ld vehicles against %ld: ratio near 1 = cost linear in deliveries\n",
           sizes[1], sizes[0]);
    return 0;
}
