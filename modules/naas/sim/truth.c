/* truth.c — the reachability truth table (tenants x endpoints x ports), as the Kubernetes
 * network-policy tests print it: expected (the tenants' intent), observed (what each endpoint's
 * probe responder actually received) and their comparison, with `.` reachable, `X` blocked and `!`
 * could not measure (kept apart from blocked); the count of correct and incorrect cells and, for
 * each wrong cell, the probe that shows it. The counts are metrics; the table goes to the report
 * as the artifact "truth_table". */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/naas_sim.h"

#define GRID_MAX_ENDPOINTS 64 /* wider tables are summarised per tenant */
#define WRONG_LISTED       50

typedef struct {
    char *p;
    size_t len, cap;
} text_t;

__attribute__((format(printf, 2, 3))) static void put(text_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !t->p)
        return;
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = 2 * (t->len + (size_t)n + 1);
        char *g = cap <= SG17_ARTIFACT_MAX ? realloc(t->p, cap) : NULL;
        if (!g) {
            free(t->p);
            t->p = NULL;
            return;
        }
        t->p = g, t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static bool observed(const naas_t *n, unsigned t, unsigned d, unsigned p)
{
    size_t bit = ((size_t)t * n->n_endpoints + d) * n->n_table_ports + p;
    return (n->observed[bit / 8] >> (bit % 8)) & 1;
}

/* One cell: 0 blocked, 1 reachable, 2 could not measure, for expected (which 0) or observed. */
static int cell(const naas_t *n, sg17_ctx_t *ctx, const int *prober, unsigned t, unsigned d,
                unsigned p, int which)
{
    if (which == 0)
        return prober[t] >= 0 ? naas_expected(n, t, (unsigned)prober[t], d, n->table_ports[p])
                              : naas_expected(n, t, 0, d, n->table_ports[p]);
    if (prober[t] < 0 || sg17_compromised(ctx, n->endpoints[d].e))
        return 2; /* the prober or the receiving responder is the adversary's */
    return observed(n, t, d, p);
}

static void grid(text_t *t, const naas_t *n, sg17_ctx_t *ctx, const int *prober, unsigned p)
{
    static const char *const heads[3] = {"expected", "observed", "comparison"};
    unsigned E = n->n_endpoints;
    put(t, "\nport %u/udp\n", n->table_ports[p]);
    for (int k = 0; k < 3; k++)
        put(t, "%s%-12s%-*s", k ? "  " : "", heads[k], (int)E, "");
    put(t, "\n");
    for (int row = 0; row < 2; row++) { /* endpoint index, tens then units */
        for (int k = 0; k < 3; k++) {
            put(t, "%s%-12s", k ? "  " : "", row ? "endpoint" : "");
            for (unsigned d = 0; d < E; d++)
                put(t, "%c", "0123456789 "[row ? d % 10 : d % 10 ? 10 : d / 10 % 10]);
        }
        put(t, "\n");
    }
    for (unsigned tn = 0; tn < n->n_tenants; tn++) {
        char label[24];
        snprintf(label, sizeof label, "tenant-%u", tn);
        for (int k = 0; k < 3; k++) {
            put(t, "%s%-12s", k ? "  " : "", label);
            for (unsigned d = 0; d < E; d++) {
                int e = cell(n, ctx, prober, tn, d, p, 0), o = cell(n, ctx, prober, tn, d, p, 1);
                static const char sym[3] = {'X', '.', '!'};
                int idx = k == 0 ? e : k == 1 ? o : o == 2 ? 2 : o == e;
                put(t, "%c", sym[idx]);
            }
        }
        put(t, "\n");
    }
}

void naas_truth_finish(naas_t *n, sg17_ctx_t *ctx)
{
    unsigned T = n->n_tenants, E = n->n_endpoints, P = n->n_table_ports;
    int *prober = malloc(T * sizeof *prober);
    size_t *row_wrong = calloc(T, sizeof *row_wrong);
    text_t wrong_list = {malloc(256), 0, 256}, t = {malloc(4096), 0, 4096};
    if (!prober || !row_wrong) {
        free(prober), free(row_wrong), free(wrong_list.p), free(t.p);
        return;
    }
    size_t correct = 0, wrong = 0, unmeasured = 0, open_wrong = 0, closed_wrong = 0;
    for (unsigned tn = 0; tn < T; tn++)
        prober[tn] = naas_prober(n, ctx, tn);
    for (unsigned tn = 0; tn < T; tn++)
        for (unsigned d = 0; d < E; d++)
            for (unsigned p = 0; p < P; p++) {
                int e = cell(n, ctx, prober, tn, d, p, 0), o = cell(n, ctx, prober, tn, d, p, 1);
                if (o == 2) {
                    unmeasured++;
                    continue;
                }
                if (e == o) {
                    correct++;
                    continue;
                }
                wrong++;
                row_wrong[tn]++;
                o ? open_wrong++ : closed_wrong++;
                if (wrong <= WRONG_LISTED) {
                    char sip[16], dip[16];
                    naasp_ip_str(n->endpoints[prober[tn]].ip, sip);
                    naasp_ip_str(n->endpoints[d].ip, dip);
                    put(&wrong_list,
                        "  tenant-%u -> endpoint-%u:%u/udp  expected %c observed %c  probe: "
                        "endpoint-%d udp %s:33434 -> %s:%u\n",
                        tn, d, n->table_ports[p], e ? '.' : 'X', o ? '.' : 'X', prober[tn], sip,
                        dip, n->table_ports[p]);
                }
            }
    sg17_metric_set(ctx, "truth.cells", (double)(correct + wrong + unmeasured));
    sg17_metric_set(ctx, "truth.correct", (double)correct);
    sg17_metric_set(ctx, "truth.incorrect", (double)wrong);
    sg17_metric_set(ctx, "truth.unmeasured", (double)unmeasured);
    sg17_metric_set(ctx, "truth.reachable_unexpected", (double)open_wrong);
    sg17_metric_set(ctx, "truth.blocked_unexpected", (double)closed_wrong);

    put(&t, "reachability truth table: %u tenants x %u endpoints x %u ports = %zu cells\n", T, E, P,
        correct + wrong + unmeasured);
    put(&t, "correct %zu, incorrect %zu, could not measure %zu\n", correct, wrong, unmeasured);
    put(&t, "cells: . reachable, X blocked, ! could not measure (the prober or the responder is "
            "the adversary's); comparison: . as expected, X wrong\n");
    put(&t, "observed = probes the destination's responder received (probe round at %.3f s)\n",
        (double)n->cfg.probe_at / (double)SG17_SEC);
    put(&t, "probers:");
    for (unsigned tn = 0; tn < T && tn < 16; tn++)
        if (prober[tn] >= 0)
            put(&t, " tenant-%u=endpoint-%d", tn, prober[tn]);
        else
            put(&t, " tenant-%u=none", tn);
    put(&t, T > 16 ? " ...\n" : "\n");
    if (E <= GRID_MAX_ENDPOINTS) {
        for (unsigned p = 0; p < P; p++)
            grid(&t, n, ctx, prober, p);
    } else {
        put(&t, "\n%u endpoints: grids omitted; wrong cells per tenant row:\n", E);
        for (unsigned tn = 0; tn < T; tn++)
            put(&t, "  tenant-%u %zu\n", tn, row_wrong[tn]);
    }
    if (wrong) {
        put(&t, "\nwrong cells%s:\n", wrong > WRONG_LISTED ? " (the first 50)" : "");
        if (wrong_list.p)
            put(&t, "%s", wrong_list.p);
    }
    if (t.p)
        sg17_artifact(ctx, "truth_table", t.p);
    free(prober), free(row_wrong), free(wrong_list.p), free(t.p);
}
