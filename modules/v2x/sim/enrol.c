/* enrol.c — enrolment and authorization over the bus (X.1372 9.4 and Appendix II, the ETSI
 * TS 102 941 model), with `pki: bus`. Each vehicle starts with a canonical key pair the EA has
 * registered under its canonical id. At the start of the run it
 * 1. asks the EA for an enrolment credential (v2x.ec_request): an InnerEcRequest signed with the
 *    new EC key (proof of possession), wrapped in EtsiTs102941Data, signed with the canonical
 *    key and encrypted to the EA; the EA checks the canonical id and both signatures (and, with
 *    request_freshness, the generation time and its cache of requests seen) and answers
 *    (v2x.ec_response) with the EC;
 * 2. then asks the AA for each authorization ticket of its pool (v2x.at_request): a fresh AT key,
 *    the SharedAtRequest signed with the EC and encrypted to the EA (the AA cannot read who
 *    asks), the whole signed with the AT key and encrypted to the AA. With at_validation the AA
 *    keeps the request pending and asks the EA (v2x.av_request); the EA decrypts the EC
 *    signature, checks it against the ECs it issued and their status (ec_revocation) and answers
 *    (v2x.av_response); only then does the AA issue the AT (v2x.at_response). Without
 *    at_validation the AA issues to any well-formed request whose proof of possession verifies.
 * A vehicle sends CAMs once its pool is complete. Encryption certificates for the emergency
 * warnings stay preloaded (pki.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sim/v2x_sim.h"

#define ITS_ID_LEN 16
#define MSG_MAX    V2X_SPDU_MAX
#define YEAR       (365 * 24 * 3600 * VSIM_S)

/* A vehicle's side: its canonical key, its EC, the requests it waits on. */
typedef struct {
    EVP_PKEY *canonical;
    EVP_PKEY *ec_key; /* until the EC arrives (then owned by ec) */
    vsim_signer_t ec;
    uint8_t ec_hash[V2X_PKI_HASH16];
    bool ec_pending;
    EVP_PKEY *at_key[VSIM_MAX_POOL]; /* pending AT keys, by slot */
    uint8_t at_hash[VSIM_MAX_POOL][V2X_PKI_HASH16];
    unsigned n_at_pending;
    bool armed;
} enrolee_t;

/* The EA's record of an EC it issued. */
typedef struct {
    uint64_t hid;
    uint8_t *cert;
    size_t cert_len;
    bool revoked;
} ec_rec_t;

/* An AT request the AA keeps until the EA's answer. */
typedef struct {
    uint8_t av_hash[V2X_PKI_HASH16]; /* of the validation request */
    uint8_t req_hash[V2X_PKI_HASH16];
    sg17_entity_t requester;
    v2x_pki_key_t key;
    v2x_pki_attrs_t attrs;
    bool open;
} pending_t;

typedef struct {
    uint8_t (*h)[V2X_PKI_HASH16];
    size_t n, cap;
} seen_t;

struct vsim_enrol {
    enrolee_t *veh;
    uint8_t (*its_id)[ITS_ID_LEN]; /* the EA's registry: canonical id ... */
    v2x_pki_key_t *canonical;      /* ... and canonical public key of each device */
    unsigned n_registered;
    ec_rec_t *ecs;
    size_t n_ecs, cap_ecs;
    pending_t *pending;
    size_t n_pending, cap_pending;
    seen_t ea_seen, aa_seen;
};

/* ---- helpers ---- */

/* Room for one more element in a growing array (*arr of *cap elements, n used): 0 or -1, the
 * array unchanged on failure. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? 2 * *cap : 32;
    void *p = realloc(*arr, c * elem);
    if (!p)
        return -1;
    *arr = p, *cap = c;
    return 0;
}

static bool seen_has(const seen_t *c, const uint8_t h[V2X_PKI_HASH16])
{
    for (size_t i = 0; i < c->n; i++)
        if (memcmp(c->h[i], h, V2X_PKI_HASH16) == 0)
            return true;
    return false;
}

static void seen_add(seen_t *c, const uint8_t h[V2X_PKI_HASH16])
{
    void *arr = c->h;
    if (grow(&arr, &c->cap, c->n, sizeof *c->h) != 0)
        return;
    c->h = arr;
    memcpy(c->h[c->n++], h, V2X_PKI_HASH16);
}

static void its_id_of(unsigned i, uint8_t out[ITS_ID_LEN])
{
    char buf[ITS_ID_LEN + 1];
    snprintf(buf, sizeof buf, "obu-%012u", i);
    memcpy(out, buf, ITS_ID_LEN);
}

/* The permissions a vehicle's ATs carry (the platoon SSP for the joiners, as pki.c). */
static void at_attrs(const vsim_t *s, unsigned vehicle, v2x_pki_attrs_t *a)
{
    static const uint64_t psids[] = {V2X_PSID_CAM, V2X_PSID_DENM, V2X_PSID_MISBEHAVIOR,
                                     VSIM_PSID_PLATOON};
    memset(a, 0, sizeof *a);
    for (size_t k = 0; k < 4; k++)
        a->psids[k].psid = psids[k];
    if (vehicle <= (unsigned)s->cfg.platoon_joiners) {
        a->psids[3].has_ssp = a->psids[3].bitmap = true;
        a->psids[3].ssp_len = 1;
        a->psids[3].ssp[0] = VSIM_SSP_PLATOON;
    }
    a->n_psids = 4;
}

/* Signs payload with a bare key (signer self: proof of possession, or the canonical key). */
static int sign_self(const vsim_t *s, const EVP_PKEY *key, sg17_time_t now, const uint8_t *p,
                     size_t n, uint8_t *out, size_t cap, size_t *len)
{
    v2x_sign_params_t sp = {.psid = V2X_PSID_CERT_REQUEST,
                            .generation_time = vsim_time64(s, now),
                            .signer = V2X_SIGNER_SELF};
    return v2x_spdu_sign(&sp, p, n, key, NULL, 0, out, cap, len);
}

/* Signs an authority's message with its certificate (digest signer: every entity knows the
 * run's EA and AA certificates). */
static int sign_authority(const vsim_t *s, const vsim_signer_t *sg, sg17_time_t now,
                          const uint8_t *p, size_t n, uint8_t *out, size_t cap, size_t *len)
{
    v2x_sign_params_t sp = {.psid = V2X_PSID_CERT_REQUEST,
                            .generation_time = vsim_time64(s, now),
                            .signer = V2X_SIGNER_DIGEST};
    return v2x_spdu_sign_with(&sp, p, n, sg->prepared, out, cap, len);
}

static int encrypt_to(vsim_t *s, const vsim_signer_t *to, const uint8_t *p, size_t n, uint8_t *out,
                      size_t cap, size_t *len)
{
    const v2x_cert_t *c = vsim_signer_cert(s, to);
    return c ? v2x_encrypt(p, n, c, out, cap, len) : -1;
}

/* Decrypts an encryptedData addressed to an authority into out; NULL or the reason. */
static const char *decrypt_at(vsim_t *s, const vsim_signer_t *me, const uint8_t *p, size_t n,
                              uint8_t *out, size_t cap, size_t *len)
{
    v2x_spdu_t sp;
    if (v2x_spdu_decode(p, n, &sp) != V2X_OK || sp.content != V2X_CONTENT_ENCRYPTED)
        return "malformed";
    const v2x_cert_t *c = vsim_signer_cert(s, me);
    if (!c || v2x_decrypt(&sp, c, me->key, out, cap, len) != V2X_OK)
        return "decrypt";
    return NULL;
}

/* A signedData by the given authority, checked with its certificate; NULL or the reason. */
static const char *signed_by(vsim_t *s, const vsim_signer_t *auth, const uint8_t *p, size_t n,
                             v2x_spdu_t *sp)
{
    if (v2x_spdu_decode(p, n, sp) != V2X_OK || sp->content != V2X_CONTENT_SIGNED
        || sp->psid != V2X_PSID_CERT_REQUEST)
        return "malformed";
    if (sp->signer != V2X_SIGNER_DIGEST || vsim_hid(sp->digest) != auth->hid)
        return "unauthorised";
    const v2x_cert_t *c = vsim_signer_cert(s, auth);
    return c && v2x_spdu_verify(sp, c) == V2X_OK ? NULL : "signature";
}

/* request_freshness: the generation time inside the window and the request not seen before. */
static const char *fresh(vsim_t *s, seen_t *seen, const v2x_spdu_t *sp, sg17_time_t now,
                         const uint8_t hash[V2X_PKI_HASH16])
{
    if (!s->cfg.request_freshness)
        return NULL;
    uint64_t t = vsim_time64(s, now);
    if (!sp->has_generation_time || sp->generation_time + (uint64_t)s->cfg.request_window < t
        || sp->generation_time > t + (uint64_t)s->cfg.future_tolerance)
        return "request_stale";
    if (seen_has(seen, hash))
        return "request_replay";
    seen_add(seen, hash);
    return NULL;
}

/* ---- set-up ---- */

vsim_enrol_t *vsim_enrol_new(vsim_t *s, sg17_ctx_t *ctx)
{
    vsim_enrol_t *en = calloc(1, sizeof *en);
    if (!en)
        return NULL;
    en->veh = calloc(s->n_veh, sizeof *en->veh);
    en->its_id = calloc(s->n_veh, sizeof *en->its_id);
    en->canonical = calloc(s->n_veh, sizeof *en->canonical);
    if (!en->veh || !en->its_id || !en->canonical) {
        vsim_enrol_free(en, s->n_veh);
        return NULL;
    }
    for (unsigned i = 0; i < s->n_veh; i++) {
        enrolee_t *e = &en->veh[i];
        if (!(e->canonical = vsim_key_new(ctx))
            || v2x_pki_key_of(e->canonical, &en->canonical[i]) != V2X_OK) {
            vsim_enrol_free(en, s->n_veh);
            return NULL;
        }
        its_id_of(i, en->its_id[i]);
        en->n_registered++;
    }
    return en;
}

void vsim_enrol_free(vsim_enrol_t *en, unsigned n_veh)
{
    if (!en)
        return;
    for (unsigned i = 0; en->veh && i < n_veh; i++) {
        enrolee_t *e = &en->veh[i];
        EVP_PKEY_free(e->canonical);
        EVP_PKEY_free(e->ec_key);
        vsim_signer_free(&e->ec);
        for (unsigned k = 0; k < VSIM_MAX_POOL; k++)
            EVP_PKEY_free(e->at_key[k]);
    }
    for (size_t i = 0; i < en->n_ecs; i++)
        free(en->ecs[i].cert);
    free(en->ecs);
    free(en->pending);
    free(en->ea_seen.h);
    free(en->aa_seen.h);
    free(en->veh);
    free(en->its_id);
    free(en->canonical);
    free(en);
}

static ec_rec_t *ec_add(vsim_enrol_t *en, uint64_t hid, const uint8_t *cert, size_t len)
{
    void *arr = en->ecs;
    if (grow(&arr, &en->cap_ecs, en->n_ecs, sizeof *en->ecs) != 0)
        return NULL;
    en->ecs = arr;
    uint8_t *copy = malloc(len);
    if (!copy)
        return NULL;
    memcpy(copy, cert, len);
    ec_rec_t *r = &en->ecs[en->n_ecs++];
    *r = (ec_rec_t){.hid = hid, .cert = copy, .cert_len = len};
    return r;
}

static ec_rec_t *ec_find(vsim_enrol_t *en, uint64_t hid)
{
    for (size_t i = 0; i < en->n_ecs; i++)
        if (en->ecs[i].hid == hid)
            return &en->ecs[i];
    return NULL;
}

int vsim_enrol_revoked_ec(vsim_t *s, const vsim_signer_t *ec)
{
    ec_rec_t *r = ec_add(s->enrol, ec->hid, ec->cert, ec->cert_len);
    if (!r)
        return -1;
    r->revoked = true;
    return 0;
}

void vsim_enrol_start(vsim_t *s, sg17_ctx_t *ctx)
{
    for (unsigned i = 0; i < s->n_veh; i++)
        sg17_timer(ctx, s->veh[i].e, 1 + (sg17_time_t)i * 3 * SG17_MSEC % (200 * SG17_MSEC),
                   VSIM_T_ENROL);
}

/* ---- the vehicle ---- */

/* Step 1: the EC request (TS 102 941 §6.2.3.2.1), signed for proof of possession with the new
 * key, then with the canonical key, then encrypted to the EA. */
void vsim_enrol_vehicle_timer(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v)
{
    enrolee_t *e = &s->enrol->veh[v->index];
    sg17_time_t now = sg17_now(ctx);
    uint8_t inner[256], pop[MSG_MAX], data[MSG_MAX], outer[MSG_MAX], msg[MSG_MAX];
    size_t ni = 0, np = 0, nd = 0, no = 0, nm = 0;
    EVP_PKEY_free(e->ec_key);
    if (!(e->ec_key = vsim_key_new(ctx))) {
        sg17_metric_add(ctx, "vehicle.build_failures", 1);
        return;
    }
    v2x_pki_ec_request_t q = {.its_id = s->enrol->its_id[v->index],
                              .its_id_len = ITS_ID_LEN,
                              .cert_format = V2X_PKI_CERT_FORMAT};
    q.attrs.n_psids = 1;
    q.attrs.psids[0].psid = V2X_PSID_CERT_REQUEST;
    v2x_pki_data_t d = {.content = V2X_PKI_ENROL_REQUEST};
    if (v2x_pki_key_of(e->ec_key, &q.key) != V2X_OK
        || v2x_pki_ec_request_encode(&q, inner, sizeof inner, &ni) != V2X_OK
        || sign_self(s, e->ec_key, now, inner, ni, pop, sizeof pop, &np) != V2X_OK
        || (d.pop = pop, d.pop_len = np, v2x_pki_encode(&d, data, sizeof data, &nd)) != V2X_OK
        || sign_self(s, e->canonical, now, data, nd, outer, sizeof outer, &no) != V2X_OK
        || encrypt_to(s, &s->ea_s, outer, no, msg, sizeof msg, &nm) != V2X_OK
        || v2x_pki_request_hash(msg, nm, e->ec_hash) != V2X_OK) {
        sg17_metric_add(ctx, "vehicle.build_failures", 1);
        return;
    }
    e->ec_pending = true;
    sg17_send(ctx, v->e, s->ea, "v2x.ec_request", msg, nm);
}

int vsim_enrol_at_request(vsim_t *s, sg17_ctx_t *ctx, const vsim_signer_t *ec, unsigned vehicle,
                          const EVP_PKEY *at_key, uint8_t *out, size_t cap, size_t *len,
                          uint8_t hash[V2X_PKI_HASH16])
{
    sg17_time_t now = sg17_now(ctx);
    uint8_t shared[256], ecsig[MSG_MAX], ecenc[MSG_MAX], data[MSG_MAX], pop[MSG_MAX];
    size_t ns = 0, ne = 0, nc = 0, nd = 0, np = 0;
    v2x_pki_data_t d = {.content = V2X_PKI_AUTH_REQUEST};
    sg17_rand_bytes(ctx, d.hmac_key, sizeof d.hmac_key);
    sg17_store_be64(d.shared.ea_id, s->ea_s.hid);
    d.shared.cert_format = V2X_PKI_CERT_FORMAT;
    int rc = v2x_pki_key_of(at_key, &d.at_key);
    if (rc == V2X_OK)
        rc = v2x_pki_key_tag(d.hmac_key, &d.at_key, d.shared.key_tag);
    at_attrs(s, vehicle, &d.shared.attrs);
    if (rc == V2X_OK)
        rc = v2x_pki_shared_at_encode(&d.shared, shared, sizeof shared, &ns);
    if (rc == V2X_OK)
        rc = sign_authority(s, ec, now, shared, ns, ecsig, sizeof ecsig, &ne);
    if (rc == V2X_OK)
        rc = encrypt_to(s, &s->ea_s, ecsig, ne, ecenc, sizeof ecenc, &nc);
    d.ec_signature = ecenc, d.ec_signature_len = nc;
    if (rc == V2X_OK)
        rc = v2x_pki_encode(&d, data, sizeof data, &nd);
    if (rc == V2X_OK)
        rc = sign_self(s, at_key, now, data, nd, pop, sizeof pop, &np);
    if (rc == V2X_OK)
        rc = encrypt_to(s, &s->aa_s, pop, np, out, cap, len);
    if (rc == V2X_OK)
        rc = v2x_pki_request_hash(out, *len, hash);
    OPENSSL_cleanse(d.hmac_key, sizeof d.hmac_key); /* the plain request carried it */
    OPENSSL_cleanse(data, sizeof data);
    OPENSSL_cleanse(pop, sizeof pop);
    return rc == V2X_OK ? 0 : -1;
}

/* Step 2: one AT request per slot of the pool. */
static void request_ats(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v, enrolee_t *e)
{
    uint8_t msg[MSG_MAX];
    size_t n = 0;
    for (unsigned k = 0; k < (unsigned)s->cfg.pool_size && k < VSIM_MAX_POOL; k++) {
        EVP_PKEY_free(e->at_key[k]);
        e->at_key[k] = vsim_key_new(ctx);
        if (!e->at_key[k]
            || vsim_enrol_at_request(s, ctx, &e->ec, v->index, e->at_key[k], msg, sizeof msg, &n,
                                     e->at_hash[k])
                   != 0) {
            sg17_metric_add(ctx, "vehicle.build_failures", 1);
            continue;
        }
        e->n_at_pending++;
        sg17_send(ctx, v->e, s->aa, "v2x.at_request", msg, n);
    }
}

/* An authority's response as the vehicle checks it; NULL or the reason. */
static const char *response_of(vsim_t *s, const vsim_signer_t *auth, v2x_pki_content_t want,
                               const uint8_t *p, size_t n, v2x_pki_data_t *d)
{
    v2x_spdu_t sp;
    const char *why = signed_by(s, auth, p, n, &sp);
    if (!why && (v2x_pki_decode(sp.payload, sp.payload_len, d) != V2X_OK || d->content != want))
        why = "malformed";
    return why;
}

const char *vsim_enrol_at_response(vsim_t *s, const uint8_t *p, size_t n,
                                   uint8_t hash[V2X_PKI_HASH16], uint8_t *code,
                                   const uint8_t **cert, size_t *cert_len)
{
    v2x_pki_data_t d;
    const char *why = response_of(s, &s->aa_s, V2X_PKI_AUTH_RESPONSE, p, n, &d);
    if (why)
        return why;
    memcpy(hash, d.response.request_hash, V2X_PKI_HASH16);
    *code = d.response.code;
    *cert = d.response.cert;
    *cert_len = d.response.cert_len;
    return NULL;
}

/* The certificate certifies exactly this key pair's public key. */
static bool certifies(const uint8_t *cert, size_t len, const EVP_PKEY *key)
{
    v2x_cert_view_t v;
    v2x_pki_key_t k;
    return v2x_cert_decode(cert, len, &v) == V2X_OK && v2x_pki_key_of(key, &k) == V2X_OK
           && v.curve == k.curve && memcmp(v.key_point, k.point, 1 + v2x_curve_size(k.curve)) == 0;
}

void vsim_enrol_vehicle_on_message(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v,
                                   const sg17_msg_t *m)
{
    enrolee_t *e = &s->enrol->veh[v->index];
    v2x_pki_data_t d;
    if (strcmp(m->type, "v2x.ec_response") == 0) {
        const char *why = response_of(s, &s->ea_s, V2X_PKI_ENROL_RESPONSE, m->payload, m->len, &d);
        if (!why
            && (!e->ec_pending || memcmp(d.response.request_hash, e->ec_hash, V2X_PKI_HASH16) != 0))
            why = "unsolicited";
        if (!why
            && (d.response.code != V2X_PKI_OK || !d.response.cert
                || !certifies(d.response.cert, d.response.cert_len, e->ec_key)))
            why = "refused";
        if (!why && vsim_signer_adopt(&e->ec, e->ec_key, d.response.cert, d.response.cert_len) != 0)
            why = "malformed";
        if (why) {
            sg17_reject(ctx, m, why);
            return;
        }
        sg17_accept(ctx, m);
        e->ec_key = NULL; /* owned by e->ec now */
        e->ec_pending = false;
        request_ats(s, ctx, v, e);
        return;
    }
    uint8_t hash[V2X_PKI_HASH16], code = 0;
    const uint8_t *cert = NULL;
    size_t cert_len = 0;
    const char *why = vsim_enrol_at_response(s, m->payload, m->len, hash, &code, &cert, &cert_len);
    int slot = -1;
    for (unsigned k = 0; !why && k < VSIM_MAX_POOL; k++)
        if (e->at_key[k] && memcmp(e->at_hash[k], hash, V2X_PKI_HASH16) == 0)
            slot = (int)k;
    if (!why && slot < 0)
        why = "unsolicited";
    if (!why && (code != V2X_PKI_OK || !cert || !certifies(cert, cert_len, e->at_key[slot])))
        why = "refused";
    if (!why && v->n_pool >= VSIM_MAX_POOL)
        why = "overload";
    if (!why && vsim_signer_adopt(&v->pool[v->n_pool], e->at_key[slot], cert, cert_len) != 0)
        why = "malformed";
    if (why) {
        sg17_reject(ctx, m, why);
        return;
    }
    sg17_accept(ctx, m);
    e->at_key[slot] = NULL; /* owned by the pool now */
    v->n_pool++;
    e->n_at_pending--;
    if (v->n_pool >= (unsigned)s->cfg.pool_size && !e->armed) {
        e->armed = true;
        sg17_metric_add(ctx, "vehicle.enrolled", 1);
        vsim_vehicle_arm(s, ctx, v);
    }
}

/* ---- the EA ---- */

static void ea_enrol(vsim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    vsim_enrol_t *en = s->enrol;
    sg17_time_t now = sg17_now(ctx);
    uint8_t plain[MSG_MAX], hash[V2X_PKI_HASH16];
    size_t pn = 0;
    v2x_spdu_t outer, pop;
    v2x_pki_data_t d;
    v2x_pki_ec_request_t q;
    const char *why = decrypt_at(s, &s->ea_s, m->payload, m->len, plain, sizeof plain, &pn);
    if (!why
        && (v2x_spdu_decode(plain, pn, &outer) != V2X_OK || outer.content != V2X_CONTENT_SIGNED
            || outer.signer != V2X_SIGNER_SELF || outer.psid != V2X_PSID_CERT_REQUEST
            || v2x_pki_decode(outer.payload, outer.payload_len, &d) != V2X_OK
            || d.content != V2X_PKI_ENROL_REQUEST
            || v2x_spdu_decode(d.pop, d.pop_len, &pop) != V2X_OK
            || v2x_pki_ec_request_decode(pop.payload, pop.payload_len, &q) != V2X_OK))
        why = "malformed";
    /* the canonical id must be registered, and its key must have signed the request */
    int id = -1;
    for (unsigned i = 0; !why && i < en->n_registered; i++)
        if (q.its_id_len == ITS_ID_LEN && memcmp(q.its_id, en->its_id[i], ITS_ID_LEN) == 0)
            id = (int)i;
    if (!why && id < 0)
        why = "unknown_its";
    EVP_PKEY *canon = why ? NULL : v2x_pki_key_load(&en->canonical[id]);
    EVP_PKEY *req = why ? NULL : v2x_pki_key_load(&q.key);
    if (!why && (!canon || v2x_spdu_verify_self(&outer, canon) != V2X_OK))
        why = "signature";
    if (!why && (!req || v2x_spdu_verify_self(&pop, req) != V2X_OK)) /* proof of possession */
        why = "signature";
    if (!why && v2x_pki_request_hash(m->payload, m->len, hash) != V2X_OK)
        why = "malformed";
    if (!why)
        why = fresh(s, &en->ea_seen, &outer, now, hash);
    EVP_PKEY_free(canon);
    if (why) {
        EVP_PKEY_free(req);
        sg17_reject(ctx, m, why);
        return;
    }
    sg17_accept(ctx, m);
    static const uint64_t psids[] = {V2X_PSID_CERT_REQUEST};
    vsim_issue_t p = {.issuer = &s->ea_s,
                      .from = (int64_t)now - 60 * VSIM_S,
                      .to = (int64_t)now + YEAR,
                      .psids = psids,
                      .n_psids = 1};
    uint8_t cert[V2X_CERT_MAX], data[MSG_MAX], out[MSG_MAX], hid[8];
    size_t cn = 0, dn = 0, on = 0;
    v2x_pki_data_t r = {.content = V2X_PKI_ENROL_RESPONSE};
    memcpy(r.response.request_hash, hash, V2X_PKI_HASH16);
    int rc = vsim_cert_issue(s, &p, req, cert, sizeof cert, &cn);
    EVP_PKEY_free(req);
    if (rc == V2X_OK)
        rc = v2x_cert_hashedid8(cert, cn, hid);
    if (rc == V2X_OK && !ec_add(en, vsim_hid(hid), cert, cn))
        rc = V2X_ESPACE;
    r.response.cert = cert, r.response.cert_len = cn;
    if (rc == V2X_OK)
        rc = v2x_pki_encode(&r, data, sizeof data, &dn);
    if (rc == V2X_OK)
        rc = sign_authority(s, &s->ea_s, now, data, dn, out, sizeof out, &on);
    if (rc != V2X_OK)
        return;
    sg17_metric_add(ctx, "ea.enrolled", 1);
    sg17_send(ctx, s->ea, m->claimed_src, "v2x.ec_response", out, on);
}

/* The EA's answer to the AA: is the EC behind this SharedAtRequest one it issued, unrevoked,
 * and did it sign exactly this SharedAtRequest? (TS 102 941 §6.2.3.4) */
static uint8_t ea_validate(vsim_t *s, const v2x_pki_data_t *d)
{
    uint8_t ecsig[MSG_MAX], shared[256];
    size_t en_ = 0, sn = 0;
    v2x_spdu_t sp;
    if (decrypt_at(s, &s->ea_s, d->ec_signature, d->ec_signature_len, ecsig, sizeof ecsig, &en_)
            != NULL
        || v2x_spdu_decode(ecsig, en_, &sp) != V2X_OK || sp.content != V2X_CONTENT_SIGNED)
        return V2X_PKI_AV_INVALIDSIGNATURE;
    ec_rec_t *ec = sp.signer == V2X_SIGNER_SELF ? NULL : ec_find(s->enrol, vsim_hid(sp.digest));
    if (!ec)
        return V2X_PKI_AV_UNKNOWNITS;
    vsim_signer_t pub = {.cert = ec->cert, .cert_len = ec->cert_len, .hid = ec->hid};
    const v2x_cert_t *c = vsim_signer_cert(s, &pub);
    if (!c || v2x_spdu_verify(&sp, c) != V2X_OK
        || v2x_pki_shared_at_encode(&d->shared, shared, sizeof shared, &sn) != V2X_OK
        || sn != sp.payload_len || memcmp(shared, sp.payload, sn) != 0)
        return V2X_PKI_AV_INVALIDSIGNATURE;
    if (ec->revoked && s->cfg.ec_revocation)
        return V2X_PKI_AV_DENIEDPERMISSIONS;
    return V2X_PKI_OK;
}

static void ea_validation(vsim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    sg17_time_t now = sg17_now(ctx);
    uint8_t plain[MSG_MAX];
    size_t pn = 0;
    v2x_spdu_t sp;
    v2x_pki_data_t d;
    const char *why = decrypt_at(s, &s->ea_s, m->payload, m->len, plain, sizeof plain, &pn);
    if (!why)
        why = signed_by(s, &s->aa_s, plain, pn, &sp);
    if (!why
        && (v2x_pki_decode(sp.payload, sp.payload_len, &d) != V2X_OK
            || d.content != V2X_PKI_AV_REQUEST))
        why = "malformed";
    if (why) {
        sg17_reject(ctx, m, why);
        return;
    }
    sg17_accept(ctx, m);
    v2x_pki_data_t r = {.content = V2X_PKI_AV_RESPONSE};
    r.response.code = ea_validate(s, &d);
    uint8_t data[256], out[MSG_MAX];
    size_t dn = 0, on = 0;
    if (v2x_pki_request_hash(m->payload, m->len, r.response.request_hash) != V2X_OK
        || v2x_pki_encode(&r, data, sizeof data, &dn) != V2X_OK
        || sign_authority(s, &s->ea_s, now, data, dn, out, sizeof out, &on) != V2X_OK)
        return;
    sg17_metric_add(ctx, r.response.code == V2X_PKI_OK ? "ea.validated" : "ea.denied", 1);
    sg17_send(ctx, s->ea, s->aa, "v2x.av_response", out, on);
}

void vsim_ea_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    vsim_t *s = instance;
    if (strcmp(m->type, "v2x.ec_request") == 0)
        ea_enrol(s, ctx, m);
    else if (strcmp(m->type, "v2x.av_request") == 0)
        ea_validation(s, ctx, m);
    else
        sg17_reject(ctx, m, "malformed");
}

/* ---- the AA ---- */

/* Issues the AT for a key and answers the requester. */
static void aa_issue(vsim_t *s, sg17_ctx_t *ctx, sg17_entity_t to, const uint8_t req[16],
                     const v2x_pki_key_t *key, const v2x_pki_attrs_t *attrs, uint8_t code)
{
    sg17_time_t now = sg17_now(ctx);
    double cx = s->grid ? s->grid_w / 2 : 0;
    uint64_t psids[V2X_MAX_PSIDS];
    uint8_t ssps[V2X_MAX_PSIDS];
    for (size_t k = 0; k < attrs->n_psids; k++) {
        psids[k] = attrs->psids[k].psid;
        ssps[k] =
            attrs->psids[k].has_ssp && attrs->psids[k].ssp_len == 1 ? attrs->psids[k].ssp[0] : 0;
    }
    vsim_issue_t p = {.issuer = &s->aa_s,
                      .from = (int64_t)now - 60 * VSIM_S,
                      .to = (int64_t)now + 24 * 3600 * VSIM_S,
                      .region = s->cfg.region_size > 0,
                      .cx = cx,
                      .cy = cx,
                      .half = s->cfg.region_size,
                      .psids = psids,
                      .ssps = ssps,
                      .n_psids = attrs->n_psids};
    uint8_t cert[V2X_CERT_MAX], data[MSG_MAX], out[MSG_MAX];
    size_t cn = 0, dn = 0, on = 0;
    v2x_pki_data_t r = {.content = V2X_PKI_AUTH_RESPONSE};
    memcpy(r.response.request_hash, req, V2X_PKI_HASH16);
    r.response.code = code;
    int rc = V2X_OK;
    if (code == V2X_PKI_OK) {
        EVP_PKEY *pk = v2x_pki_key_load(key);
        rc = pk ? vsim_cert_issue(s, &p, pk, cert, sizeof cert, &cn) : V2X_EARG;
        EVP_PKEY_free(pk);
        r.response.cert = cert, r.response.cert_len = cn;
    }
    if (rc == V2X_OK)
        rc = v2x_pki_encode(&r, data, sizeof data, &dn);
    if (rc == V2X_OK)
        rc = sign_authority(s, &s->aa_s, now, data, dn, out, sizeof out, &on);
    if (rc != V2X_OK)
        return;
    if (code == V2X_PKI_OK) {
        sg17_metric_add(ctx, "aa.issued", 1);
        vsim_truth_issued(s->truth, key->point, 1 + v2x_curve_size(key->curve));
    } else {
        sg17_metric_add(ctx, "aa.refused", 1);
    }
    sg17_send(ctx, s->aa, to, "v2x.at_response", out, on);
}

static void aa_request(vsim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    vsim_enrol_t *en = s->enrol;
    sg17_time_t now = sg17_now(ctx);
    uint8_t plain[MSG_MAX], hash[V2X_PKI_HASH16], tag[V2X_PKI_HASH16];
    size_t pn = 0;
    v2x_spdu_t pop;
    v2x_pki_data_t d;
    const char *why = decrypt_at(s, &s->aa_s, m->payload, m->len, plain, sizeof plain, &pn);
    if (!why
        && (v2x_spdu_decode(plain, pn, &pop) != V2X_OK || pop.content != V2X_CONTENT_SIGNED
            || pop.psid != V2X_PSID_CERT_REQUEST
            || v2x_pki_decode(pop.payload, pop.payload_len, &d) != V2X_OK
            || d.content != V2X_PKI_AUTH_REQUEST))
        why = "malformed";
    EVP_PKEY *k = why ? NULL : v2x_pki_key_load(&d.at_key);
    if (!why && (!k || v2x_spdu_verify_self(&pop, k) != V2X_OK)) /* proof of possession */
        why = "signature";
    EVP_PKEY_free(k);
    /* the keyTag binds the SharedAtRequest (what the EA will see) to these keys */
    if (!why
        && (v2x_pki_key_tag(d.hmac_key, &d.at_key, tag) != V2X_OK
            || CRYPTO_memcmp(tag, d.shared.key_tag, V2X_PKI_HASH16) != 0))
        why = "malformed";
    if (!why && sg17_load_be64(d.shared.ea_id) != s->ea_s.hid)
        why = "unknown_its";
    if (!why && v2x_pki_request_hash(m->payload, m->len, hash) != V2X_OK)
        why = "malformed";
    if (!why)
        why = fresh(s, &en->aa_seen, &pop, now, hash);
    OPENSSL_cleanse(d.hmac_key, sizeof d.hmac_key); /* the HMAC key is the requester's secret */
    if (why) {
        OPENSSL_cleanse(plain, sizeof plain);
        sg17_reject(ctx, m, why);
        return;
    }
    sg17_accept(ctx, m);
    if (!s->cfg.at_validation) { /* a deployment that skips the EA: well-formed is enough */
        OPENSSL_cleanse(plain, sizeof plain);
        aa_issue(s, ctx, m->claimed_src, hash, &d.at_key, &d.shared.attrs, V2X_PKI_OK);
        return;
    }
    /* keep the request and ask the EA (TS 102 941 §6.2.3.4) */
    v2x_pki_data_t av = {.content = V2X_PKI_AV_REQUEST,
                         .shared = d.shared,
                         .ec_signature = d.ec_signature,
                         .ec_signature_len = d.ec_signature_len};
    uint8_t data[MSG_MAX], sig[MSG_MAX], out[MSG_MAX];
    size_t dn = 0, sn = 0, on = 0;
    int rc = v2x_pki_encode(&av, data, sizeof data, &dn);
    OPENSSL_cleanse(plain, sizeof plain); /* av no longer points into it */
    if (rc != V2X_OK || sign_authority(s, &s->aa_s, now, data, dn, sig, sizeof sig, &sn) != V2X_OK
        || encrypt_to(s, &s->ea_s, sig, sn, out, sizeof out, &on) != V2X_OK)
        return;
    void *arr = en->pending;
    if (grow(&arr, &en->cap_pending, en->n_pending, sizeof *en->pending) != 0)
        return;
    en->pending = arr;
    pending_t *pe = &en->pending[en->n_pending++];
    *pe = (pending_t){
        .requester = m->claimed_src, .key = d.at_key, .attrs = d.shared.attrs, .open = true};
    memcpy(pe->req_hash, hash, V2X_PKI_HASH16);
    if (v2x_pki_request_hash(out, on, pe->av_hash) != V2X_OK) {
        pe->open = false;
        return;
    }
    sg17_metric_add(ctx, "aa.validations", 1);
    sg17_send(ctx, s->aa, s->ea, "v2x.av_request", out, on);
}

static void aa_validated(vsim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    vsim_enrol_t *en = s->enrol;
    v2x_pki_data_t d;
    const char *why = response_of(s, &s->ea_s, V2X_PKI_AV_RESPONSE, m->payload, m->len, &d);
    pending_t *pe = NULL;
    for (size_t i = 0; !why && i < en->n_pending; i++)
        if (en->pending[i].open
            && memcmp(en->pending[i].av_hash, d.response.request_hash, V2X_PKI_HASH16) == 0)
            pe = &en->pending[i];
    if (!why && !pe)
        why = "unsolicited";
    if (why) {
        sg17_reject(ctx, m, why);
        return;
    }
    sg17_accept(ctx, m);
    pe->open = false;
    /* the EA's verdict, as the AuthorizationResponseCode that passes it on */
    uint8_t code = d.response.code == V2X_PKI_OK                    ? V2X_PKI_OK
                   : d.response.code == V2X_PKI_AV_UNKNOWNITS       ? V2X_PKI_AT_UNKNOWNITS
                   : d.response.code == V2X_PKI_AV_INVALIDSIGNATURE ? V2X_PKI_AT_INVALIDSIGNATURE
                                                                    : V2X_PKI_AT_DENIEDPERMISSIONS;
    aa_issue(s, ctx, pe->requester, pe->req_hash, &pe->key, &pe->attrs, code);
}

void vsim_enrol_aa_on_message(vsim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    if (strcmp(m->type, "v2x.at_request") == 0)
        aa_request(s, ctx, m);
    else if (strcmp(m->type, "v2x.av_response") == 0)
        aa_validated(s, ctx, m);
    else
        sg17_reject(ctx, m, "malformed");
}
