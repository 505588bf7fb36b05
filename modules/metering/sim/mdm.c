/* sim/mdm.c — meter data management and the third-party service provider. The MDM stores the
 * readings the HES exports, bills by register, and (mdm_plausibility) validates each day: an
 * energy balance per distribution transformer (substation measurement vs the sum of its meters)
 * and, where energy is missing, each meter's day against its learnt baseline; flagged meters are
 * billed on the baseline estimate (validation, estimation and editing). The third party gets
 * customer data under consent (data_minimisation: consent checked, daily granularity only). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"

#define EXPORT_ENTRY 16
#define DAY_S        86400u

static int series_push(mdm_customer_t *c, uint32_t wh, uint32_t k)
{
    if (c->n_series == c->cap_series) {
        size_t nc = c->cap_series ? 2 * c->cap_series : 128;
        uint32_t *a = realloc(c->series, nc * sizeof *a);
        if (!a)
            return -1;
        c->series = a;
        uint32_t *b = realloc(c->series_k, nc * sizeof *b);
        if (!b)
            return -1;
        c->series_k = b;
        c->cap_series = nc;
    }
    c->series[c->n_series] = wh;
    c->series_k[c->n_series++] = k;
    return 0;
}

static void mdm_on_export(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    if (m->len < 4 || (m->len - 4) % EXPORT_ENTRY
        || msim_get32(m->payload) != (m->len - 4) / EXPORT_ENTRY) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    sg17_accept(ctx, m);
    for (size_t e = 4; e < m->len; e += EXPORT_ENTRY) {
        const uint8_t *p = m->payload + e;
        uint32_t j = msim_get32(p), k = msim_get32(p + 4), t = msim_get32(p + 8),
                 reg = msim_get32(p + 12);
        if (j >= s->n_meters)
            continue;
        mdm_customer_t *c = &s->cust[j];
        if (!c->day_wh && !(c->day_wh = calloc(s->days, sizeof *c->day_wh)))
            continue;
        if (reg < c->last_register) { /* an older register value: never billed backwards */
            sg17_metric_add(ctx, "mdm.register_rollbacks", 1);
            continue;
        }
        uint32_t delta = reg - c->last_register;
        unsigned day = t / DAY_S;
        if (day < s->days)
            c->day_wh[day] += delta;
        series_push(c, delta, k);
        c->have = true;
        c->last_register = reg;
        c->last_time = t;
        sg17_metric_add(ctx, "mdm.readings_stored", 1);
    }
}

/* End of day d: transformer energy balance, then per-meter deviation from the learnt baseline in
 * transformers that lose more than mdm_balance_tolerance of their energy. */
static void mdm_validate_day(msim_t *s, sg17_ctx_t *ctx, unsigned d)
{
    unsigned learn = (unsigned)(s->mdm_learning / (24 * SG17_HOUR));
    if (learn == 0)
        learn = 1;
    if (d + 1 == learn)
        for (unsigned j = 0; j < s->n_meters; j++) {
            double sum = 0;
            for (unsigned k = 0; k < learn && s->cust[j].day_wh; k++)
                sum += s->cust[j].day_wh[k];
            s->cust[j].baseline_wh_day = sum / learn;
        }
    for (unsigned g = 0; g < s->n_groups; g++) {
        /* the substation meter's own error, +-0.5 %, drawn whatever the mitigations */
        s->feeder_measured[(size_t)g * s->days + d] =
            s->feeder_wh[(size_t)g * s->days + d] * (1 + 0.01 * (sg17_rand_double(ctx) - 0.5));
        if (d < learn || !s->m_plaus)
            continue;
        /* balance over every validated day so far: a persistent loss stands out of the noise */
        unsigned lo = g * s->transformer_size, hi = lo + s->transformer_size;
        if (hi > s->n_meters)
            hi = s->n_meters;
        double measured = 0, reported = 0;
        for (unsigned k = learn; k <= d; k++) {
            measured += s->feeder_measured[(size_t)g * s->days + k];
            for (unsigned j = lo; j < hi; j++)
                reported += s->cust[j].day_wh ? s->cust[j].day_wh[k] : 0;
        }
        if (measured <= 0 || (measured - reported) / measured <= s->mdm_tolerance)
            continue;
        sg17_metric_add(ctx, "mdm.balance_alarms", 1);
        /* attribute the missing energy: meters far below their baseline over the same days,
         * largest shortfall first, until their shortfalls account for what the transformer lost */
        double missing = measured - reported, days = d - learn + 1;
        for (unsigned round = lo; round < hi && missing > 0; round++) {
            int worst = -1;
            double worst_gap = 0;
            for (unsigned j = lo; j < hi; j++) {
                mdm_customer_t *c = &s->cust[j];
                double used = 0;
                for (unsigned k = learn; k <= d && c->day_wh; k++)
                    used += c->day_wh[k];
                double expect = days * c->baseline_wh_day, gap = expect - used;
                if (!c->flagged && used < (1 - s->mdm_threshold) * expect && gap > worst_gap) {
                    worst = (int)j;
                    worst_gap = gap;
                }
            }
            if (worst < 0)
                break;
            s->cust[worst].flagged = true;
            sg17_metric_add(ctx, "mdm.detections", 1);
            missing -= worst_gap;
        }
    }
}

void msim_mdm_on_timer(msim_t *s, sg17_ctx_t *ctx, uint64_t tag)
{
    unsigned d = TAG_INDEX(tag);
    if (TAG_KIND(tag) != TAG_DAY || d >= s->days)
        return;
    mdm_validate_day(s, ctx, d);
    sg17_timer(ctx, s->mdm, 24 * SG17_HOUR, TAG(TAG_DAY, d + 1));
}

/* Request: granularity (0 raw, 1 daily) || n (4) || n customer numbers (4 each).
 * Response entries: customer (4) || granularity (1) || count (4) || count x (index (4) || Wh (4)),
 * the index being the reading sequence (raw) or the day (daily). */
static void mdm_on_tp_request(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    if (m->len < 5 || (m->len - 5) % 4 || msim_get32(m->payload + 1) != (m->len - 5) / 4
        || m->payload[0] > 1) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    bool raw = m->payload[0] == 0 && !s->m_minimise;
    size_t n = (m->len - 5) / 4, cap = 16, len = 0, served = 0;
    uint8_t *out = malloc(cap);
    for (size_t r = 0; r < n && out; r++) {
        uint32_t j = msim_get32(m->payload + 5 + 4 * r);
        if (j >= s->n_meters || !s->cust[j].have || (s->m_minimise && !s->cust[j].consent)) {
            if (j < s->n_meters && s->m_minimise && !s->cust[j].consent)
                sg17_metric_add(ctx, "mdm.tp_denied", 1);
            continue;
        }
        mdm_customer_t *c = &s->cust[j];
        size_t cnt = raw ? c->n_series : c->last_time / DAY_S + 1;
        if (cnt > s->days && !raw)
            cnt = s->days;
        size_t need = len + 9 + 8 * cnt;
        if (need > cap) {
            while (cap < need)
                cap *= 2;
            uint8_t *p = realloc(out, cap);
            if (!p)
                break;
            out = p;
        }
        msim_put32(out + len, j);
        out[len + 4] = raw ? 0 : 1;
        msim_put32(out + len + 5, (uint32_t)cnt);
        for (size_t k = 0; k < cnt; k++) {
            msim_put32(out + len + 9 + 8 * k, raw ? c->series_k[k] : (uint32_t)k);
            msim_put32(out + len + 13 + 8 * k,
                       raw ? c->series[k] : (uint32_t)llround(c->day_wh[k]));
        }
        len = need;
        served++;
    }
    if (!out || served == 0) {
        sg17_reject(ctx, m, "consent");
        free(out);
        return;
    }
    sg17_accept(ctx, m);
    sg17_metric_add(ctx, "mdm.tp_customers_served", (double)served);
    sg17_send(ctx, s->mdm, m->claimed_src, "metering.tp_response", out, len);
    free(out);
}

void msim_mdm_on_message(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    if (strcmp(m->type, "metering.export") == 0 && m->claimed_src == s->hes)
        mdm_on_export(s, ctx, m);
    else if (strcmp(m->type, "metering.tp_request") == 0 && m->claimed_src != SG17_NO_ENTITY
             && m->claimed_src < s->n_entities
             && strcmp(sg17_entity_kind(ctx, m->claimed_src), "thirdparty") == 0)
        mdm_on_tp_request(s, ctx, m);
    else if (strcmp(m->type, "metering.audit_anchor") == 0
             || strcmp(m->type, "metering.audit_log") == 0)
        msim_audit_on_message(s, ctx, m);
    else
        sg17_reject(ctx, m,
                    strcmp(m->type, "metering.export") == 0 ? "unknown_sender" : "malformed");
}

void msim_tp_request(msim_t *s, sg17_ctx_t *ctx, bool raw, const unsigned *cust, size_t n)
{
    uint8_t *req = malloc(5 + 4 * n);
    if (!req)
        return;
    req[0] = raw ? 0 : 1;
    msim_put32(req + 1, (uint32_t)n);
    for (size_t r = 0; r < n; r++)
        msim_put32(req + 5 + 4 * r, cust[r]);
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

/* The third party keeps what it is given (tp_view_t); its occupancy inference runs at the end of
 * the run on the finest data it then holds (tp_infer). */
void msim_tp_on_message(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    if (strcmp(m->type, "metering.tp_response") != 0 || m->claimed_src != s->mdm) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    size_t pos = 0;
    while (pos + 9 <= m->len) {
        const uint8_t *p = m->payload + pos;
        uint32_t j = msim_get32(p), cnt = msim_get32(p + 5);
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
        uint32_t j = msim_get32(p), cnt = msim_get32(p + 5);
        bool raw = p[4] == 0;
        pos += 9 + 8 * (size_t)cnt;
        if (raw || !s->cust[j].consent)
            s->tp_exposed[j] = 1;
        tp_view_t *v = &s->tp_view[j];
        if (cnt == 0 || (v->raw && !raw))
            continue; /* keeps the finer series it already holds */
        uint32_t *wh = malloc(cnt * sizeof *wh), *idx = malloc(cnt * sizeof *idx);
        if (!wh || !idx) {
            free(wh);
            free(idx);
            continue;
        }
        for (uint32_t k = 0; k < cnt; k++) {
            idx[k] = msim_get32(p + 9 + 8 * k);
            wh[k] = msim_get32(p + 13 + 8 * k);
        }
        free(v->wh);
        free(v->idx);
        *v = (tp_view_t){.wh = wh, .idx = idx, .n = cnt, .raw = raw};
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
        const tp_view_t *v = &s->tp_view[j];
        const meter_t *mt = &s->meters[j];
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
            if (v->idx[k] >= s->days)
                continue;
            /* the readings sent during that day: phase + seq * interval in [day, day + 1) */
            sg17_time_t lo = (sg17_time_t)v->idx[k] * 24 * SG17_HOUR, hi = lo + 24 * SG17_HOUR;
            size_t first = lo <= mt->phase ? 0 : (lo - mt->phase + s->interval - 1) / s->interval;
            for (size_t q = first; q < mt->n_occ && mt->phase + q * s->interval < hi; q++)
                msim_score(&c1, &t1, &c0, &t0, mt->occupied[q], guess[k]);
        }
        free(guess);
    }
    return t1 > 0 && t0 > 0 ? 0.5 * (c1 / t1 + c0 / t0) : 0.5;
}

void msim_mdm_finish(msim_t *s, sg17_ctx_t *ctx)
{
    unsigned learn = (unsigned)(s->mdm_learning / (24 * SG17_HOUR));
    double unbilled = 0, overbilled = 0, billed_total = 0;
    unsigned thieves = 0, caught = 0, honest = 0, false_alarms = 0, exposed = 0, disconnected = 0,
             foreign = 0;
    for (unsigned j = 0; j < s->n_meters; j++) {
        mdm_customer_t *c = &s->cust[j];
        meter_t *mt = &s->meters[j];
        double billed = c->last_register;
        if (c->flagged && c->day_wh) { /* VEE: implausibly low days replaced by the baseline */
            unsigned last = c->last_time / DAY_S;
            billed = 0;
            for (unsigned d = 0; d <= last && d < s->days; d++) {
                double est = c->baseline_wh_day;
                if (d == last)
                    est *= (double)(c->last_time % DAY_S) / DAY_S;
                billed += d < learn ? c->day_wh[d] : fmax(c->day_wh[d], est);
            }
        }
        /* the energy actually used up to the last reading the MDM holds */
        double truth = 0;
        if (c->n_series) {
            uint32_t k = c->series_k[c->n_series - 1];
            truth = k < mt->n_occ ? mt->true_cum[k] : mt->true_wh;
        }
        if (truth > billed + 1)
            unbilled += truth - billed;
        else if (billed > truth + 1)
            overbilled += billed - truth;
        billed_total += billed;
        if (mt->false_factor < 1) {
            thieves++;
            caught += c->flagged;
        } else {
            honest++;
            false_alarms += c->flagged;
        }
        exposed += s->tp_exposed[j];
        disconnected += mt->disconnected;
        foreign += mt->fw_foreign;
    }
    sg17_metric_set(ctx, "mdm.unbilled_kwh", unbilled / 1000);
    sg17_metric_set(ctx, "mdm.overbilled_kwh", overbilled / 1000);
    sg17_metric_set(ctx, "mdm.billed_kwh", billed_total / 1000);
    sg17_metric_set(ctx, "mdm.detection_rate", thieves ? (double)caught / thieves : 0);
    sg17_metric_set(ctx, "mdm.false_positive_rate", honest ? (double)false_alarms / honest : 0);
    sg17_metric_set(ctx, "thirdparty.customers_overcollected", exposed);
    sg17_metric_set(ctx, "thirdparty.inference_accuracy", tp_infer(s));
    sg17_metric_set(ctx, "meter.disconnected_now", disconnected);
    sg17_metric_set(ctx, "meter.foreign_firmware", foreign);
}
