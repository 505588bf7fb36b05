/* sim/mdm.c — meter data management. The MDM stores the readings the HES exports, bills by
 * register, and (mdm_plausibility) validates each day: an energy balance per distribution
 * transformer (substation measurement vs the sum of its meters) and, where energy is missing,
 * each meter's day against its learnt baseline; flagged meters are billed on the baseline
 * estimate (validation, estimation and editing). It answers the third party's requests under
 * consent (data_minimisation: consent checked, daily granularity only) and holds the HES's audit
 * anchors (audit.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/metering_sim.h"

static int series_push(msim_customer_t *c, uint32_t wh, uint32_t k)
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
    if (m->len < 4 || (m->len - 4) % MSIM_EXPORT_ENTRY
        || sg17_load_be32(m->payload) != (m->len - 4) / MSIM_EXPORT_ENTRY) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    sg17_accept(ctx, m);
    for (size_t e = 4; e < m->len; e += MSIM_EXPORT_ENTRY) {
        const uint8_t *p = m->payload + e;
        uint32_t j = sg17_load_be32(p), k = sg17_load_be32(p + 4), t = sg17_load_be32(p + 8),
                 reg = sg17_load_be32(p + 12);
        if (j >= s->n_meters)
            continue;
        msim_customer_t *c = &s->cust[j];
        if (!c->day_wh && !(c->day_wh = calloc(MSIM_DAYS, sizeof *c->day_wh)))
            continue;
        if (reg < c->last_register) { /* an older register value: never billed backwards */
            sg17_metric_add(ctx, "mdm.register_rollbacks", 1);
            continue;
        }
        uint32_t delta = reg - c->last_register;
        unsigned day = t / MSIM_DAY_S;
        if (day < MSIM_DAYS)
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
    unsigned learn = (unsigned)(s->cfg.mdm_learning / (24 * SG17_HOUR));
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
        s->feeder_measured[(size_t)g * MSIM_DAYS + d] =
            s->feeder_wh[(size_t)g * MSIM_DAYS + d] * (1 + 0.01 * (sg17_rand_double(ctx) - 0.5));
        if (d < learn || !s->cfg.mdm_plausibility)
            continue;
        /* balance over every validated day so far: a persistent loss stands out of the noise */
        unsigned lo = g * s->cfg.transformer_size, hi = lo + s->cfg.transformer_size;
        if (hi > s->n_meters)
            hi = s->n_meters;
        double measured = 0, reported = 0;
        for (unsigned k = learn; k <= d; k++) {
            measured += s->feeder_measured[(size_t)g * MSIM_DAYS + k];
            for (unsigned j = lo; j < hi; j++)
                reported += s->cust[j].day_wh ? s->cust[j].day_wh[k] : 0;
        }
        if (measured <= 0 || (measured - reported) / measured <= s->cfg.mdm_balance_tolerance)
            continue;
        sg17_metric_add(ctx, "mdm.balance_alarms", 1);
        /* attribute the missing energy: meters far below their baseline over the same days,
         * largest shortfall first, until their shortfalls account for what the transformer lost */
        double missing = measured - reported, days = d - learn + 1;
        for (unsigned round = lo; round < hi && missing > 0; round++) {
            int worst = -1;
            double worst_gap = 0;
            for (unsigned j = lo; j < hi; j++) {
                msim_customer_t *c = &s->cust[j];
                double used = 0;
                for (unsigned k = learn; k <= d && c->day_wh; k++)
                    used += c->day_wh[k];
                double expect = days * c->baseline_wh_day, gap = expect - used;
                if (!c->flagged && used < (1 - s->cfg.mdm_threshold) * expect && gap > worst_gap) {
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
    unsigned d = MSIM_TAG_INDEX(tag);
    if (MSIM_TAG_KIND(tag) != MSIM_TAG_DAY || d >= MSIM_DAYS)
        return;
    mdm_validate_day(s, ctx, d);
    sg17_timer(ctx, s->mdm, 24 * SG17_HOUR, MSIM_TAG(MSIM_TAG_DAY, d + 1));
}

/* Request: granularity (0 raw, 1 daily) || n (4) || n customer numbers (4 each).
 * Response entries: customer (4) || granularity (1) || count (4) || count x (index (4) || Wh (4)),
 * the index being the reading sequence (raw) or the day (daily). */
static void mdm_on_tp_request(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    if (m->len < 5 || (m->len - 5) % 4 || sg17_load_be32(m->payload + 1) != (m->len - 5) / 4
        || m->payload[0] > 1) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    bool raw = m->payload[0] == 0 && !s->cfg.data_minimisation;
    size_t n = (m->len - 5) / 4, cap = 16, len = 0, served = 0;
    uint8_t *out = malloc(cap);
    for (size_t r = 0; r < n && out; r++) {
        uint32_t j = sg17_load_be32(m->payload + 5 + 4 * r);
        if (j >= s->n_meters || !s->cust[j].have
            || (s->cfg.data_minimisation && !s->cust[j].consent)) {
            if (j < s->n_meters && s->cfg.data_minimisation && !s->cust[j].consent)
                sg17_metric_add(ctx, "mdm.tp_denied", 1);
            continue;
        }
        msim_customer_t *c = &s->cust[j];
        size_t cnt = raw ? c->n_series : c->last_time / MSIM_DAY_S + 1;
        if (cnt > MSIM_DAYS && !raw)
            cnt = MSIM_DAYS;
        size_t need = len + 9 + 8 * cnt;
        if (need > cap) {
            while (cap < need)
                cap *= 2;
            uint8_t *p = realloc(out, cap);
            if (!p)
                break;
            out = p;
        }
        sg17_store_be32(out + len, j);
        out[len + 4] = raw ? 0 : 1;
        sg17_store_be32(out + len + 5, (uint32_t)cnt);
        for (size_t k = 0; k < cnt; k++) {
            sg17_store_be32(out + len + 9 + 8 * k, raw ? c->series_k[k] : (uint32_t)k);
            sg17_store_be32(out + len + 13 + 8 * k,
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

void msim_mdm_finish(msim_t *s, sg17_ctx_t *ctx)
{
    unsigned learn = (unsigned)(s->cfg.mdm_learning / (24 * SG17_HOUR));
    double unbilled = 0, overbilled = 0, billed_total = 0;
    unsigned thieves = 0, caught = 0, honest = 0, false_alarms = 0;
    for (unsigned j = 0; j < s->n_meters; j++) {
        msim_customer_t *c = &s->cust[j];
        const msim_meter_t *mt = &s->meters[j];
        double billed = c->last_register;
        if (c->flagged && c->day_wh) { /* VEE: implausibly low days replaced by the baseline */
            unsigned last = c->last_time / MSIM_DAY_S;
            billed = 0;
            for (unsigned d = 0; d <= last && d < MSIM_DAYS; d++) {
                double est = c->baseline_wh_day;
                if (d == last)
                    est *= (double)(c->last_time % MSIM_DAY_S) / MSIM_DAY_S;
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
    }
    sg17_metric_set(ctx, "mdm.unbilled_kwh", unbilled / 1000);
    sg17_metric_set(ctx, "mdm.overbilled_kwh", overbilled / 1000);
    sg17_metric_set(ctx, "mdm.billed_kwh", billed_total / 1000);
    sg17_metric_set(ctx, "mdm.detection_rate", thieves ? (double)caught / thieves : 0);
    sg17_metric_set(ctx, "mdm.false_positive_rate", honest ? (double)false_alarms / honest : 0);
}
