/* sim/model.c — building and freeing a metering run: configuration, key material (per-meter or
 * fleet suite-0 keys, ECDSA keys of operators and manufacturer), and each household's seeded
 * consumption and occupancy model. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "sim/sim.h"

/* Per-meter random stream (splitmix64), seeded once from sg17_rand_u64 so a household's
 * consumption never depends on event order or on which mitigations are on. */
static uint64_t meter_rand(meter_t *m)
{
    uint64_t z = (m->rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double meter_uniform(meter_t *m)
{
    return (double)(meter_rand(m) >> 11) * (1.0 / 9007199254740992.0);
}

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

/* A P-256 key from 32 octets of the seeded stream (top bit cleared so it is below n). */
static EVP_PKEY *seeded_ecdsa(sg17_ctx_t *ctx)
{
    uint8_t priv[DLMS_ECDSA_PRIV_LEN];
    for (size_t i = 0; i < sizeof priv; i += 8) {
        uint64_t r = sg17_rand_u64(ctx);
        memcpy(priv + i, &r, 8);
    }
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
    msim_put32(out + 4, serial);
}

int msim_meter_of_systitle(const msim_t *s, const uint8_t *st)
{
    if (!st || memcmp(st, "MTR", 3) != 0 || st[3] != 0)
        return -1;
    uint32_t i = msim_get32(st + 4);
    return i < s->n_meters ? (int)i : -1;
}

unsigned msim_meter_index(msim_t *s, sg17_ctx_t *ctx, sg17_entity_t e, bool *ok)
{
    *ok = false;
    if (e == SG17_NO_ENTITY || e >= s->n_entities || strcmp(sg17_entity_kind(ctx, e), "meter") != 0)
        return 0;
    *ok = true;
    return sg17_entity_index(ctx, e);
}

static bool awake_home(const meter_t *m, double hour, bool home_today)
{
    if (hour < m->wake_h || hour >= m->sleep_h)
        return false;
    /* away on ordinary days; on a day at home, out only for the second half of that absence */
    double back = home_today ? (m->leave_h + m->return_h) / 2 : m->leave_h;
    if (hour >= back && hour < m->return_h)
        return false;
    return true;
}

double msim_meter_power(msim_t *s, sg17_ctx_t *ctx, meter_t *m, sg17_time_t t, bool *occupied)
{
    (void)s;
    (void)ctx;
    int day = (int)(t / (24 * SG17_HOUR));
    while (m->model_day < day) { /* one draw per day, in order */
        m->model_day++;
        m->home_today = meter_uniform(m) < m->home_day_p;
    }
    double hour = (double)(t % (24 * SG17_HOUR)) / (double)SG17_HOUR;
    bool active = awake_home(m, hour, m->home_today);
    double u1 = meter_uniform(m), u2 = meter_uniform(m);
    *occupied = active;
    double w = m->base_w * (0.85 + 0.3 * u1);
    if (active)
        w += m->active_w * (0.5 + u2);
    return m->disconnected ? 0.0 : w;
}

/* A SG17_TYPE_COUNT key (the core has checked 0 .. SG17_COUNT_MAX), clamped to [lo, hi] so that
 * no value can size a loop or an allocation beyond what the run can use. */
static unsigned config_count(sg17_ctx_t *ctx, const char *key, unsigned lo, unsigned hi)
{
    long long v = sg17_config_int(ctx, key);
    if (v < (long long)lo)
        return lo;
    return v > (long long)hi ? hi : (unsigned)v;
}

static const char *const mitigation_names[] = {
    "authenticated_encryption", "invocation_counter",    "unique_keys",      "hls_authentication",
    "command_authorization",    "mass_disconnect_limit", "mdm_plausibility", "signed_firmware",
    "data_minimisation",        "hes_rate_limit",
};

msim_t *msim_create(sg17_ctx_t *ctx)
{
    msim_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->n_meters = sg17_count(ctx, "meter");
    s->n_ops = sg17_count(ctx, "operator");
    s->n_tp = sg17_count(ctx, "thirdparty");
    s->n_entities =
        s->n_meters + s->n_ops + s->n_tp + sg17_count(ctx, "hes") + sg17_count(ctx, "mdm");
    s->hes = sg17_entity(ctx, "hes", 0);
    s->mdm = sg17_entity(ctx, "mdm", 0);
    if (s->hes == SG17_NO_ENTITY || s->mdm == SG17_NO_ENTITY) {
        sg17_log(ctx, "metering needs one hes and one mdm");
        free(s);
        return NULL;
    }
    s->interval = sg17_config_duration(ctx, "reading_interval");
    if (s->interval < SG17_MIN)
        s->interval = SG17_MIN;
    s->push_slot = sg17_config_duration(ctx, "push_slot");
    if (s->push_slot == 0 || s->push_slot > s->interval)
        s->push_slot = SG17_SEC;
    s->ondemand_every = sg17_config_duration(ctx, "ondemand_interval");
    /* a batch reads (or limits) each meter at most once */
    s->ondemand_batch = config_count(ctx, "ondemand_batch", 0, s->n_meters);
    s->tariff_every = sg17_config_duration(ctx, "tariff_interval");
    s->dr_every = sg17_config_duration(ctx, "dr_interval");
    s->dr_batch = config_count(ctx, "dr_batch", 0, s->n_meters);
    s->disconnect_every = sg17_config_duration(ctx, "disconnect_interval");
    s->firmware_at = sg17_config_duration(ctx, "firmware_at");
    s->hes_capacity = sg17_config_number(ctx, "hes_capacity");
    s->hes_source_rate = sg17_config_number(ctx, "hes_source_rate");
    if (sg17_config_int(ctx, "disconnect_limit") > MSIM_DISCONNECT_LIMIT_MAX) {
        sg17_log(ctx,
                 "metering: disconnect_limit %s is above %u (the head-end keeps the time of "
                 "each recent disconnect)",
                 sg17_config(ctx, "disconnect_limit"), MSIM_DISCONNECT_LIMIT_MAX);
        msim_destroy(s);
        return NULL;
    }
    s->disconnect_limit = config_count(ctx, "disconnect_limit", 0, MSIM_DISCONNECT_LIMIT_MAX);
    s->disconnect_window = sg17_config_duration(ctx, "disconnect_window");
    s->mdm_learning = sg17_config_duration(ctx, "mdm_learning");
    s->mdm_threshold = sg17_config_number(ctx, "mdm_threshold");
    s->mdm_tolerance = sg17_config_number(ctx, "mdm_balance_tolerance");
    /* 0 counts as 1; more than the fleet is one transformer for all of it */
    s->transformer_size = config_count(ctx, "transformer_size", 1, s->n_meters ? s->n_meters : 1);
    s->push_plain_when_off = sg17_config_bool(ctx, "plain_push_when_off");
    s->audit_anchor_every = sg17_config_duration(ctx, "audit_anchor_interval");
    s->audit_every = sg17_config_duration(ctx, "audit_interval");
    s->m_audit = sg17_mitigation(ctx, "audit_log");
    double consent_share = sg17_config_number(ctx, "consent_share");
    bool *flags[] = {&s->m_auth_enc, &s->m_ic,         &s->m_unique, &s->m_hls,
                     &s->m_cmd_auth, &s->m_mass_limit, &s->m_plaus,  &s->m_signed_fw,
                     &s->m_minimise, &s->m_rate_limit};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        *flags[i] = sg17_mitigation(ctx, mitigation_names[i]);

    s->days = 31;
    s->n_groups = (s->n_meters + s->transformer_size - 1) / s->transformer_size;
    s->meters = calloc(s->n_meters ? s->n_meters : 1, sizeof *s->meters);
    s->peers = calloc(s->n_meters ? s->n_meters : 1, sizeof *s->peers);
    s->cust = calloc(s->n_meters ? s->n_meters : 1, sizeof *s->cust);
    s->tp_exposed = calloc(s->n_meters ? s->n_meters : 1, 1);
    s->tp_view = calloc(s->n_meters ? s->n_meters : 1, sizeof *s->tp_view);
    s->feeder_wh = calloc((size_t)(s->n_groups ? s->n_groups : 1) * s->days, sizeof *s->feeder_wh);
    s->feeder_measured =
        calloc((size_t)(s->n_groups ? s->n_groups : 1) * s->days, sizeof *s->feeder_measured);
    s->rl_window = calloc(s->n_entities + 1, sizeof *s->rl_window);
    s->rl_count = calloc(s->n_entities + 1, sizeof *s->rl_count);
    s->disc_times = calloc(s->disconnect_limit + 1, sizeof *s->disc_times);
    s->op_keys = calloc(s->n_ops ? s->n_ops : 1, sizeof *s->op_keys);
    if (!s->meters || !s->peers || !s->cust || !s->tp_exposed || !s->tp_view || !s->feeder_wh
        || !s->feeder_measured || !s->rl_window || !s->rl_count || !s->disc_times || !s->op_keys) {
        sg17_log(ctx, "metering: out of memory for %u meters", s->n_meters);
        msim_destroy(s);
        return NULL;
    }

    for (size_t i = 0; i < sizeof s->master; i += 8) {
        uint64_t r = sg17_rand_u64(ctx);
        memcpy(s->master + i, &r, 8);
    }
    systitle_make(s->hes_systitle, "HES", 0);
    systitle_make(s->mfr_systitle, "MFR", 0);
    static const uint8_t fleet_id[8] = {0};
    for (unsigned i = 0; i < s->n_meters; i++) {
        meter_t *m = &s->meters[i];
        systitle_make(m->systitle, "MTR", i);
        const uint8_t *id = s->m_unique ? m->systitle : fleet_id;
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
        sg17_time_t slots = s->interval / s->push_slot;
        m->phase =
            (sg17_time_t)(sg17_rand_double(ctx) * (double)(slots ? slots : 1)) * s->push_slot;
        m->last_ic_in = DLMS_IC_NONE;
        m->false_factor = 1.0;
        s->peers[i].last_ic_in = DLMS_IC_NONE;
        s->cust[i].consent = sg17_rand_double(ctx) < consent_share;
    }
    for (unsigned o = 0; o < s->n_ops; o++)
        if (!(s->op_keys[o] = seeded_ecdsa(ctx))) {
            sg17_log(ctx, "metering: operator key generation failed");
            msim_destroy(s);
            return NULL;
        }
    s->mfr_key = seeded_ecdsa(ctx);
    s->adv_sign_key = seeded_ecdsa(ctx);
    if (!s->mfr_key || !s->adv_sign_key) {
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
    s->last_day_evaluated = -1;
    return s;
}

void msim_destroy(msim_t *s)
{
    if (!s)
        return;
    for (unsigned i = 0; s->meters && i < s->n_meters; i++) {
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
    EVP_PKEY_free(s->mfr_key);
    EVP_PKEY_free(s->adv_sign_key);
    OPENSSL_cleanse(s->master, sizeof s->master);
    dlms_keys_cleanse(&s->adv_keys);
    free(s->meters);
    free(s->peers);
    free(s->cust);
    free(s->tp_exposed);
    free(s->tp_view);
    free(s->feeder_wh);
    free(s->feeder_measured);
    free(s->rl_window);
    free(s->rl_count);
    free(s->disc_times);
    free(s->op_keys);
    free(s->export_buf);
    free(s);
}
