/* truth.c — the reachability truth table (tenants x endpoints x ports), as the Kubernetes
 * network-policy tests print it: expected (the tenants' intent), observed (what each endpoint's
 * probe responder actually received) and their comparison, with `.` reachable, `X` blocked and `!`
 * could not measure (kept apart from blocked); the count of correct and incorrect cells and, for
 * each wrong cell, the probe that shows it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/naas_sim.h"

#define WRONG_SHOWN 20

static bool observed(const naas_t *n, unsigned t, unsigned d, unsigned p)
{
    size_t bit = ((size_t)t * n->n_endpoints + d) * n->n_table_ports + p;
    return (n->observed[bit / 8] >> (bit % 8)) & 1;
}

void naas_truth_finish(naas_t *n, sg17_ctx_t *ctx)
{
    size_t correct = 0, wrong = 0, unmeasured = 0, open_wrong = 0, closed_wrong = 0, shown = 0;
    for (unsigned t = 0; t < n->n_tenants; t++) {
        int prober = naas_prober(n, ctx, t);
        for (unsigned d = 0; d < n->n_endpoints; d++)
            for (unsigned p = 0; p < n->n_table_ports; p++) {
                if (prober < 0 || sg17_compromised(ctx, n->endpoints[d].e)) {
                    /* the prober or the receiving responder is the adversary's: no measurement */
                    unmeasured++;
                    continue;
                }
                bool exp = naas_expected(n, t, (unsigned)prober, d, n->table_ports[p]);
                bool obs = observed(n, t, d, p);
                if (exp == obs) {
                    correct++;
                    continue;
                }
                wrong++;
                obs ? open_wrong++ : closed_wrong++;
                if (shown++ < WRONG_SHOWN) {
                    char sip[16], dip[16];
                    naasp_ip_str(n->endpoints[prober].ip, sip);
                    naasp_ip_str(n->endpoints[d].ip, dip);
                    sg17_log(ctx,
                             "truth: wrong cell tenant-%u -> endpoint-%u:%u expected %c observed "
                             "%c; probe: udp %s:%u -> %s:%u from endpoint-%d",
                             t, d, n->table_ports[p], exp ? '.' : 'X', obs ? '.' : 'X', sip,
                             33434u, dip, n->table_ports[p], prober);
                }
            }
    }
    sg17_metric_set(ctx, "truth.cells", (double)(correct + wrong + unmeasured));
    sg17_metric_set(ctx, "truth.correct", (double)correct);
    sg17_metric_set(ctx, "truth.incorrect", (double)wrong);
    sg17_metric_set(ctx, "truth.unmeasured", (double)unmeasured);
    sg17_metric_set(ctx, "truth.reachable_unexpected", (double)open_wrong);
    sg17_metric_set(ctx, "truth.blocked_unexpected", (double)closed_wrong);
}
