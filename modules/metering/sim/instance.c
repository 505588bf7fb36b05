/* sim/instance.c — building, starting, finishing and freeing a metering run: the configuration
 * (as the core filled it, with the counts that depend on the topology clamped to the fleet), key
 * material (per-meter or fleet suite-0 keys, ECDSA keys of operators and manufacturer) and each
 * household's seeded parameters (its consumption model is in meter.c). */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "sim/metering_sim.h"

static double rnd(sg17_ctx_t *ctx, double lo, double hi)
{
    return lo + (hi - lo) * sg17_rand_double(ctx);
}

int msim_derive(const uint8_t master[32], const char *label, const uint8_t id[8], uint8_t *out,
                size_t n)
{
    uint8_t buf[32 + 8 + 8], md[32];
    unsigned mdlen = 0;
    size_t ll = strnlen(label, 9);
    if (ll > 8 || n > sizeof md) /* the label's room in buf; the digest's length */
        return -1;
    memcpy(buf, master, 32);
    memcpy(buf + 32, label, ll); /* the label's characters, without its terminator */
    memcpy(buf + 32 + ll, id, 8);
    int rc = EVP_Digest(buf, 32 + ll + 8, md, &mdlen, EVP_sha256(), NULL) == 1 ? 0 : -1;
    memcpy(out, md, n);
    OPENSSL_cleanse(buf, sizeof buf);
    OPENSSL_cleanse(md, sizeof md);
    return rc;
}

/* The private scalar is 32 octets of the seeded stream with the top bit cleared (so it is below
 * the group order n) and the lowest set (so it is not zero). */
EVP_PKEY *msim_seeded_ecdsa(sg17_ctx_t *ctx)
{
    uint8_t priv[DLMS_ECDSA_PRIV_LEN];
    sg17_rand_bytes(ctx, priv, sizeof priv);
    priv[0] &= 0x7f;
    priv[0] |= 0x01;
    EVP_PKEY *k = dlms_ecdsa_key_from_private(priv);
    OPENSSL_cleanse(priv, sizeof priv);
    return k;
}

static void systitle_make(uint8_t out[8], const char *maker, uint32_t serial)
{
    memcpy(out, maker, 3);
    out[3] = 0;
    sg17_store_be32(out + 4, serial);
}

int msim_meter_of_systitle(const msim_t *s, const uint8_t *st)
{
    if (!st || memcmp(st, "MTR", 3) != 0 || st[3] != 0)
        return -1;
    uint32_t i = sg17_load_be32(st + 4);
    return i < s->n_meters ? (int)i : -1;
}

unsigned msim_meter_index(const msim_t *s, sg17_ctx_t *ctx, sg17_entity_t e, bool *ok)
{
    (void)ctx;
    *ok = e != SG17_NO_ENTITY && e < s->n_entities && s->meter_of[e] != 0;
    return *ok ? s->meter_of[e] - 1 : 0;
}

sg17_entity_t msim_meter_entity(const msim_t *s, unsigned i)
{
    return i < s->n_meters ? s->meter_ids[i] : SG17_NO_ENTITY;
}

/* The configuration as the run uses it. The core has checked every value against the
 * descriptor's ranges; what depends on the topology or on another key is settled here. */
static void config_settle(msim_t *s, const msim_config_t *cfg)
{
    s->cfg = *cfg;
    msim_config_t *c = &s->cfg;
    if (c->push_slot == 0 || c->push_slot > c->reading_interval)
        c->push_slot = SG17_SEC;
    /* a batch reads (or limits) each meter at most once */
    if (c->ondemand_batch > s->n_meters)
        c->ondemand_batch = s->n_meters;
    if (c->dr_batch > s->n_meters)
        c->dr_batch = s->n_meters;
    /* 0 counts as 1; more than the fleet is one transformer for all of it */
    if (c->transformer_size == 0)
        c->transformer_size = 1;
    if (c->transformer_size > s->n_meters && s->n_meters)
        c->transformer_size = s->n_meters;
}

/* The run's entities as the scenario's topology gives them (the descriptor's min/max counts
 * guarantee one hes and one mdm). */
static void topology_read(msim_t *s, sg17_ctx_t *ctx)
{
    s->n_meters = sg17_count(ctx, "meter");
    s->n_ops = sg17_count(ctx, "operator");
    s->n_tp = sg17_count(ctx, "thirdparty");
    s->hes = sg17_entity(ctx, "hes", 0);
    s->mdm = sg17_entity(ctx, "mdm", 0);
    s->n_entities = s->n_meters + s->n_ops + s->n_tp + 2;
}

msim_t *msim_create(sg17_ctx_t *ctx, const msim_config_t *cfg)
{
    msim_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    topology_read(s, ctx);
    config_settle(s, cfg);

    s->n_groups = (unsigned)((s->n_meters + s->cfg.transformer_size - 1) / s->cfg.transformer_size);
    size_t nm = s->n_meters ? s->n_meters : 1, ng = s->n_groups ? s->n_groups : 1;
    s->meters = calloc(nm, sizeof *s->meters);
    s->peers = calloc(nm, sizeof *s->peers);
    s->cust = calloc(nm, sizeof *s->cust);
    s->tp_exposed = calloc(nm, 1);
    s->tp_view = calloc(nm, sizeof *s->tp_view);
    s->feeder_wh = calloc(ng * MSIM_DAYS, sizeof *s->feeder_wh);
    s->feeder_measured = calloc(ng * MSIM_DAYS, sizeof *s->feeder_measured);
    s->rl_window = calloc(s->n_entities + 1, sizeof *s->rl_window);
    s->rl_count = calloc(s->n_entities + 1, sizeof *s->rl_count);
    s->disc_times = calloc(s->cfg.disconnect_limit + 1, sizeof *s->disc_times);
    s->op_keys = calloc(s->n_ops ? s->n_ops : 1, sizeof *s->op_keys);
    s->meter_ids = calloc(nm, sizeof *s->meter_ids);
    s->meter_of = calloc(s->n_entities + 1, sizeof *s->meter_of);
    if (!s->meter_ids || !s->meter_of || !s->meters || !s->peers || !s->cust || !s->tp_exposed
        || !s->tp_view || !s->feeder_wh || !s->feeder_measured || !s->rl_window || !s->rl_count
        || !s->disc_times || !s->op_keys) {
        sg17_log(ctx, "metering: out of memory for %u meters", s->n_meters);
        msim_destroy(s);
        return NULL;
    }

    for (unsigned i = 0; i < s->n_meters; i++) {
        s->meter_ids[i] = sg17_entity(ctx, "meter", i);
        if (s->meter_ids[i] < s->n_entities)
            s->meter_of[s->meter_ids[i]] = i + 1;
    }
    sg17_rand_bytes(ctx, s->master, sizeof s->master);
    systitle_make(s->hes_systitle, "HES", 0);
    systitle_make(s->mfr_systitle, "MFR", 0);
    static const uint8_t fleet_id[8] = {0};
    for (unsigned i = 0; i < s->n_meters; i++) {
        msim_meter_t *m = &s->meters[i];
        systitle_make(m->systitle, "MTR", i);
        const uint8_t *id = msim_fleet_keyed(s) ? fleet_id : m->systitle;
        if (msim_derive(s->master, "EK", id, m->keys.ek, DLMS_KEY_LEN)
            || msim_derive(s->master, "AK", id, m->keys.ak, DLMS_KEY_LEN)
            || msim_derive(s->master, "LLS", id, m->lls, MSIM_LLS_LEN)) {
            sg17_log(ctx, "metering: key derivation failed");
            msim_destroy(s);
            return NULL;
        }
        m->rng_state = sg17_rand_u64(ctx);
        m->base_w = rnd(ctx, 80, 200);
        m->active_w = rnd(ctx, 400, 1200);
        m->wake_h = rnd(ctx, 6, 8);
        m->leave_h = m->wake_h + rnd(ctx, 1, 2);
        m->return_h = rnd(ctx, 16, 19);
        m->sleep_h = rnd(ctx, 22, 24);
        m->home_day_p = rnd(ctx, 0.03, 0.1);
        m->model_day = -1;
        /* push schedules use slots of push_slot (DLMS push setup's randomisation window) */
        sg17_time_t slots = s->cfg.reading_interval / s->cfg.push_slot;
        m->phase =
            (sg17_time_t)(sg17_rand_double(ctx) * (double)(slots ? slots : 1)) * s->cfg.push_slot;
        m->last_ic_in = DLMS_IC_NONE;
        m->false_factor = 1.0;
        s->peers[i].last_ic_in = DLMS_IC_NONE;
        s->cust[i].consent = sg17_rand_double(ctx) < s->cfg.consent_share;
    }
    for (unsigned o = 0; o < s->n_ops; o++)
        if (!(s->op_keys[o] = msim_seeded_ecdsa(ctx))) {
            sg17_log(ctx, "metering: operator key generation failed");
            msim_destroy(s);
            return NULL;
        }
    s->mfr_key = msim_seeded_ecdsa(ctx);
    s->adv = msim_adversary_new(ctx); /* draws its signing key next: keep this order */
    if (!s->mfr_key || !s->adv) {
        sg17_log(ctx, "metering: key generation failed");
        msim_destroy(s);
        return NULL;
    }
    if (msim_audit_init(s)) {
        sg17_log(ctx, "metering: audit key derivation failed");
        msim_destroy(s);
        return NULL;
    }
    s->tariff_value = 1;
    return s;
}

void msim_start(msim_t *s, sg17_ctx_t *ctx)
{
    for (unsigned i = 0; i < s->n_meters; i++)
        sg17_timer(ctx, msim_meter_entity(s, i), s->meters[i].phase, MSIM_TAG(MSIM_TAG_READING, i));
    msim_hes_start(s, ctx);
    sg17_timer(ctx, s->mdm, 24 * SG17_HOUR + SG17_HOUR, MSIM_TAG(MSIM_TAG_DAY, 0));
    if (s->n_tp)
        sg17_timer(ctx, sg17_entity(ctx, "thirdparty", 0), 24 * SG17_HOUR + 2 * SG17_HOUR,
                   MSIM_TAG(MSIM_TAG_TP, 0));
    msim_op_start(s, ctx);
}

void msim_finish(msim_t *s, sg17_ctx_t *ctx)
{
    msim_meter_finish(s, ctx);
    msim_mdm_finish(s, ctx);
    msim_tp_finish(s, ctx);
    msim_adversary_finish(s, ctx);
}

void msim_destroy(msim_t *s)
{
    if (!s)
        return;
    for (unsigned i = 0; s->peers && i < s->n_meters; i++)
        dlms_cipher_free(&s->peers[i].rx);
    for (unsigned i = 0; s->meters && i < s->n_meters; i++) {
        dlms_cipher_free(&s->meters[i].tx);
        dlms_keys_cleanse(&s->meters[i].keys);
        OPENSSL_cleanse(s->meters[i].lls, MSIM_LLS_LEN);
        free(s->meters[i].occupied);
        free(s->meters[i].true_cum);
    }
    for (unsigned i = 0; s->cust && i < s->n_meters; i++) {
        free(s->cust[i].day_wh);
        free(s->cust[i].series);
        free(s->cust[i].series_k);
    }
    for (unsigned i = 0; s->tp_view && i < s->n_meters; i++) {
        free(s->tp_view[i].wh);
        free(s->tp_view[i].idx);
    }
    for (unsigned o = 0; s->op_keys && o < s->n_ops; o++)
        EVP_PKEY_free(s->op_keys[o]);
    msim_audit_free(s);
    msim_adversary_free(s->adv);
    EVP_PKEY_free(s->mfr_key);
    OPENSSL_cleanse(s->master, sizeof s->master);
    void *arrays[] = {s->meters,    s->peers,           s->cust,      s->tp_exposed, s->tp_view,
                      s->feeder_wh, s->feeder_measured, s->rl_window, s->rl_count,   s->disc_times,
                      s->op_keys,   s->export_buf,      s->meter_ids, s->meter_of};
    for (size_t k = 0; k < sizeof arrays / sizeof *arrays; k++)
        free(arrays[k]);
    free(s);
}
