/* truth.c — the ground truth the detection metrics are scored against. The adversary's code marks
 * every SPDU it produces (a compromised vehicle's falsified CAM, a Sybil ghost's); receivers hand
 * in their verdict on each CAM that reached the plausibility checks, and this file counts true and
 * false positives and negatives from the mark, never from the detector's own claim. Nothing here
 * feeds back into a receiver's decision: the receivers call only vsim_truth_score, which returns
 * nothing. Also kept: when the attack started, the first correct detection, and revocations of
 * attacking and of honest vehicles. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/v2x_sim.h"

#define NEVER 1e9 /* seconds: a time metric of something that did not happen */

struct vsim_truth {
    uint64_t *set; /* hashes of marked SPDUs, open addressing, 0 = free */
    size_t cap, used;
    uint64_t tp, fp, fn, tn;
    bool started, detected, revoked;
    sg17_time_t start, first_detection, first_revocation;
    uint8_t *attacker; /* per vehicle: the adversary made it misbehave */
    unsigned n_attacker;
    uint64_t revoked_attackers, revoked_honest;
    uint64_t *issued; /* verification keys certified by an authority (hashes) */
    size_t n_issued, cap_issued;
    uint64_t issued_twice;
};

static uint64_t key_of(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ n;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h ? h : 1;
}

vsim_truth_t *vsim_truth_new(void)
{
    vsim_truth_t *t = calloc(1, sizeof *t);
    if (t && !(t->set = calloc(1024, sizeof *t->set))) {
        free(t);
        return NULL;
    }
    if (t)
        t->cap = 1024;
    return t;
}

void vsim_truth_free(vsim_truth_t *t)
{
    if (!t)
        return;
    free(t->set);
    free(t->attacker);
    free(t->issued);
    free(t);
}

static bool set_has(const vsim_truth_t *t, uint64_t k)
{
    for (size_t i = k & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        if (t->set[i] == k)
            return true;
        if (!t->set[i])
            return false;
    }
}

void vsim_truth_mark(vsim_truth_t *t, const uint8_t *p, size_t n)
{
    uint64_t k = key_of(p, n);
    if (set_has(t, k))
        return;
    if ((t->used + 1) * 2 > t->cap) {
        uint64_t *old = t->set;
        size_t oc = t->cap;
        uint64_t *nw = calloc(oc * 2, sizeof *nw);
        if (!nw)
            return;
        t->set = nw, t->cap = oc * 2;
        for (size_t i = 0; i < oc; i++)
            if (old[i]) {
                size_t j = old[i] & (t->cap - 1);
                while (t->set[j])
                    j = (j + 1) & (t->cap - 1);
                t->set[j] = old[i];
            }
        free(old);
    }
    size_t j = k & (t->cap - 1);
    while (t->set[j])
        j = (j + 1) & (t->cap - 1);
    t->set[j] = k;
    t->used++;
}

void vsim_truth_attack_started(vsim_truth_t *t, unsigned vehicle, sg17_time_t at)
{
    if (!t->started || at < t->start)
        t->start = at;
    t->started = true;
    if (vehicle >= t->n_attacker) {
        uint8_t *a = realloc(t->attacker, vehicle + 1);
        if (!a)
            return;
        memset(a + t->n_attacker, 0, vehicle + 1 - t->n_attacker);
        t->attacker = a, t->n_attacker = vehicle + 1;
    }
    t->attacker[vehicle] = 1;
}

void vsim_truth_score(vsim_truth_t *t, const uint8_t *p, size_t n, bool flagged, sg17_time_t now)
{
    bool bad = t->used && set_has(t, key_of(p, n));
    if (bad && flagged) {
        t->tp++;
        if (!t->detected)
            t->detected = true, t->first_detection = now;
    } else if (bad)
        t->fn++;
    else if (flagged)
        t->fp++;
    else
        t->tn++;
}

void vsim_truth_revocation(vsim_truth_t *t, unsigned vehicle, sg17_time_t now)
{
    if (vehicle < t->n_attacker && t->attacker[vehicle]) {
        t->revoked_attackers++;
        if (!t->revoked)
            t->revoked = true, t->first_revocation = now;
    } else {
        t->revoked_honest++;
    }
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0;
}

/* A key certified a second time: the authority served one request twice (a replay). */
void vsim_truth_issued(vsim_truth_t *t, const uint8_t *point, size_t n)
{
    uint64_t k = key_of(point, n);
    for (size_t i = 0; i < t->n_issued; i++)
        if (t->issued[i] == k) {
            t->issued_twice++;
            return;
        }
    if (t->n_issued == t->cap_issued) {
        size_t cap = t->cap_issued ? 2 * t->cap_issued : 64;
        uint64_t *n2 = realloc(t->issued, cap * sizeof *n2);
        if (!n2)
            return;
        t->issued = n2, t->cap_issued = cap;
    }
    t->issued[t->n_issued++] = k;
}

void vsim_truth_finish(vsim_truth_t *t, sg17_ctx_t *ctx)
{
    double tp = (double)t->tp, fp = (double)t->fp, fn = (double)t->fn, tn = (double)t->tn;
    double precision = ratio(tp, tp + fp), recall = ratio(tp, tp + fn);
    sg17_metric_set(ctx, "mbd.true_positives", tp);
    sg17_metric_set(ctx, "mbd.false_positives", fp);
    sg17_metric_set(ctx, "mbd.false_negatives", fn);
    sg17_metric_set(ctx, "mbd.true_negatives", tn);
    sg17_metric_set(ctx, "mbd.precision", precision);
    sg17_metric_set(ctx, "mbd.recall", recall);
    sg17_metric_set(ctx, "mbd.f1", ratio(2 * precision * recall, precision + recall));
    sg17_metric_set(ctx, "mbd.false_positive_rate", ratio(fp, fp + tn));
    sg17_metric_set(ctx, "mbd.time_to_detection",
                    t->detected ? (double)(t->first_detection - t->start) / 1e6 : NEVER);
    sg17_metric_set(ctx, "mbd.time_to_revocation",
                    t->revoked ? (double)(t->first_revocation - t->start) / 1e6 : NEVER);
    sg17_metric_set(ctx, "pki.revoked_attackers", (double)t->revoked_attackers);
    sg17_metric_set(ctx, "pki.revoked_honest", (double)t->revoked_honest);
    sg17_metric_set(ctx, "pki.issued_twice", (double)t->issued_twice);
}
