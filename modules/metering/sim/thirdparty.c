/* sim/thirdparty.c — the third-party service provider (an energy-advice service). Every day it
 * asks the MDM for the daily totals of the customers who consented, keeps the finest data it is
 * given (msim_tp_view_t), and at the end of the run infers occupancy from it; a compromised third
 * party (overcollect) asks for every customer's raw 15-min series instead. */
#include <stdlib.h>
#include <string.h>

#include "sim/metering_sim.h"

void msim_tp_request(msim_t *s, sg17_ctx_t *ctx, bool raw, const unsigned *cust, size_t n)
{
    uint8_t *req = malloc(5 + 4 * n);
    if (!req)
        return;
    req[0] = raw ? 0 : 1;
    sg17_store_be32(req + 1, (uint32_t)n);
    for (size_t r = 0; r < n; r++)
        sg17_store_be32(req + 5 + 4 * r, cust[r]);
    sg17_send(ctx, sg17_entity(ctx, "thirdparty", 0), s->mdm, "metering.tp_request", req,
              5 + 4 * n);
    free(req);
}

/* The service's daily request: daily totals of the customers who consented. */
void msim_tp_on_timer(msim_t *s, sg17_ctx_t *ctx, uint64_t tag)
{
    unsigned *list = malloc((s->n_meters ? s->n_meters : 1) * sizeof *list);
    size_t n = 0;
    for (unsigned j = 0; list && j < s->n_meters; j++)
        if (s->cust[j].consent)
            list[n++] = j;
    if (n)
        msim_tp_request(s, ctx, false, list, n);
    free(list);
    sg17_timer(ctx, sg17_entity(ctx, "thirdparty", 0), 24 * SG17_HOUR, tag);
}

/* The third party keeps what it is given (msim_tp_view_t); its occupancy inference runs at the end
 * of the run on the finest data it then holds (tp_infer). */
void msim_tp_on_message(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    if (strcmp(m->type, "metering.tp_response") != 0 || m->claimed_src != s->mdm) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    size_t pos = 0;
    while (pos + 9 <= m->len) {
        const uint8_t *p = m->payload + pos;
        uint32_t j = sg17_load_be32(p), cnt = sg17_load_be32(p + 5);
        if (j >= s->n_meters || cnt > (m->len - pos - 9) / 8)
            break;
        pos += 9 + 8 * (size_t)cnt;
    }
    if (pos != m->len) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    sg17_accept(ctx, m);
    for (pos = 0; pos < m->len;) {
        const uint8_t *p = m->payload + pos;
        uint32_t j = sg17_load_be32(p), cnt = sg17_load_be32(p + 5);
        bool raw = p[4] == 0;
        pos += 9 + 8 * (size_t)cnt;
        if (raw || !s->cust[j].consent)
            s->tp_exposed[j] = 1;
        msim_tp_view_t *v = &s->tp_view[j];
        if (cnt == 0 || (v->raw && !raw))
            continue; /* keeps the finer series it already holds */
        uint32_t *wh = malloc(cnt * sizeof *wh), *idx = malloc(cnt * sizeof *idx);
        if (!wh || !idx) {
            free(wh);
            free(idx);
            continue;
        }
        for (uint32_t k = 0; k < cnt; k++) {
            idx[k] = sg17_load_be32(p + 9 + 8 * k);
            wh[k] = sg17_load_be32(p + 13 + 8 * k);
        }
        free(v->wh);
        free(v->idx);
        *v = (msim_tp_view_t){.wh = wh, .idx = idx, .n = cnt, .raw = raw};
    }
}

/* The third party's occupancy inference, scored against the households' truth: the threshold
 * classifier (msim_classify) over each customer's series it holds. A 15-min value is one guess
 * for that reading; a daily total is one guess for every reading of that day. Returns the
 * balanced accuracy, or 0.5 (chance) when it holds no data to guess from. */
static double tp_infer(msim_t *s)
{
    double c1 = 0, t1 = 0, c0 = 0, t0 = 0;
    for (unsigned j = 0; j < s->n_meters; j++) {
        const msim_tp_view_t *v = &s->tp_view[j];
        const msim_meter_t *mt = &s->meters[j];
        bool *guess = v->n ? malloc(v->n * sizeof *guess) : NULL;
        if (!guess)
            continue;
        msim_classify(v->wh, v->n, guess);
        for (size_t k = 0; k < v->n; k++) {
            if (v->raw) {
                if (v->idx[k] < mt->n_occ)
                    msim_score(&c1, &t1, &c0, &t0, mt->occupied[v->idx[k]], guess[k]);
                continue;
            }
            if (v->idx[k] >= MSIM_DAYS)
                continue;
            /* the readings sent during that day: phase + seq * interval in [day, day + 1) */
            sg17_time_t lo = (sg17_time_t)v->idx[k] * 24 * SG17_HOUR, hi = lo + 24 * SG17_HOUR;
            size_t first = lo <= mt->phase ? 0
                                           : (lo - mt->phase + s->cfg.reading_interval - 1)
                                                 / s->cfg.reading_interval;
            for (size_t q = first; q < mt->n_occ && mt->phase + q * s->cfg.reading_interval < hi;
                 q++)
                msim_score(&c1, &t1, &c0, &t0, mt->occupied[q], guess[k]);
        }
        free(guess);
    }
    return t1 > 0 && t0 > 0 ? 0.5 * (c1 / t1 + c0 / t0) : 0.5;
}

void msim_tp_finish(msim_t *s, sg17_ctx_t *ctx)
{
    unsigned exposed = 0;
    for (unsigned j = 0; j < s->n_meters; j++)
        exposed += s->tp_exposed[j];
    sg17_metric_set(ctx, "thirdparty.customers_overcollected", exposed);
    sg17_metric_set(ctx, "thirdparty.inference_accuracy", tp_infer(s));
}
