/* crl.c — the run's certificate revocation list in IEEE 1609.2 form: the AA, the CRL-signing
 * authority (crlCraca) of the ATs it issues, keeps its list of HashedId10s and publishes a signed
 * CrlContents (fullHashCrl, a fresh crlSerial each time, nextCrl an hour on) under the CRL PSID.
 * Receivers (vehicles, RSUs) check the CRL before they use it (crl_verification): the SPDU's
 * signature and the signer's chain (secure.c), the signer being the CRACA the contents name, and
 * the issueDate/nextCrl window; then a vehicle installs it when its crlSerial is newer than the
 * one it holds. Off: any well-formed CRL is installed unverified, as a stack that trusts the
 * broadcast channel would.
 *
 * Each distinct CrlContents is decoded once and kept in the instance (crl_db); a vehicle holds
 * the index + 1 of the one it installed. A certificate is revoked for it when that CRL names the
 * certificate's issuer as CRACA, has its crlSeries and lists its HashedId10.
 *
 * The forge_crl attack: an outsider broadcasts a CRL that claims the AA as its CRACA, lists the
 * ATs of honest vehicles and carries a crlSerial beyond the AA's, signed with its own key under
 * the AA's digest (it does not hold the AA's key): a denial of service on every receiver that
 * installs it. */
#include <stdlib.h>
#include <string.h>

#include "sim/v2x_sim.h"

#define CRL_NEXT_S 3600 /* nextCrl: an hour after issueDate */

struct vsim_crl_rec {
    uint8_t *contents; /* own copy of the CrlContents octets */
    size_t len;
    v2x_crl_t crl; /* decoded, pointing into contents */
};

static uint32_t time32_at(const vsim_t *s, sg17_time_t t)
{
    return (uint32_t)(vsim_time64(s, t) / 1000000u);
}

int vsim_crl_revoke(vsim_t *s, const vsim_signer_t *at)
{
    v2x_cert_view_t v;
    v2x_crl_entry_t e;
    if (v2x_cert_hashedid10(at->cert, at->cert_len, e.id) != V2X_OK
        || v2x_cert_decode(at->cert, at->cert_len, &v) != V2X_OK)
        return -1;
    for (unsigned i = 0; i < s->n_crl; i++)
        if (memcmp(s->crl[i].id, e.id, V2X_HASHEDID10) == 0)
            return 0;
    if (s->n_crl >= VSIM_MAX_CRL)
        return -1;
    e.expiry = (uint32_t)(v2x_validity_end64(&v.validity) / 1000000u);
    s->crl[s->n_crl++] = e;
    return 0;
}

/* The contents of a CRL that names the AA as CRACA. */
static int contents(const vsim_t *s, sg17_time_t now, uint32_t serial, const v2x_crl_entry_t *e,
                    size_t n, uint8_t *out, size_t cap, size_t *len)
{
    v2x_crl_t c = {.version = 1,
                   .issue_date = time32_at(s, now),
                   .next_crl = time32_at(s, now) + CRL_NEXT_S,
                   .crl_serial = serial,
                   .n_entries = n};
    sg17_store_be64(c.craca, s->aa_s.hid);
    return v2x_crl_encode(&c, e, out, cap, len) == V2X_OK ? 0 : -1;
}

int vsim_crl_build(vsim_t *s, sg17_time_t now, uint8_t *out, size_t cap, size_t *len)
{
    uint8_t body[64 + (V2X_HASHEDID10 + 4) * VSIM_MAX_CRL];
    size_t blen = 0;
    if (contents(s, now, ++s->crl_serial, s->crl, s->n_crl, body, sizeof body, &blen) != 0)
        return -1;
    return vsim_sign(s, &s->aa_s, V2X_PSID_CRL, now, 0, 0, body, blen, true, out, cap, len);
}

/* The record of these contents (added on first sight): its id (index + 1), or -1. */
static long record(vsim_t *s, const uint8_t *p, size_t n)
{
    for (unsigned i = 0; i < s->n_crl_db; i++)
        if (s->crl_db[i].len == n && memcmp(s->crl_db[i].contents, p, n) == 0)
            return (long)i + 1;
    vsim_crl_rec_t *db = realloc(s->crl_db, (s->n_crl_db + 1) * sizeof *db);
    if (!db)
        return -1;
    s->crl_db = db;
    vsim_crl_rec_t *r = &db[s->n_crl_db];
    if (!(r->contents = malloc(n ? n : 1)))
        return -1;
    memcpy(r->contents, p, n);
    r->len = n;
    if (v2x_crl_decode(r->contents, n, &r->crl) != V2X_OK) {
        free(r->contents);
        return -1;
    }
    return (long)++s->n_crl_db;
}

long vsim_crl_receive(vsim_t *s, const uint8_t *p, size_t n, sg17_time_t now, const char **why)
{
    vsim_rx_t rx;
    v2x_crl_t c;
    *why = "malformed";
    if (!s->cfg.crl_verification) {
        /* unverified: whatever CrlContents the SPDU carries, signed or not */
        if (v2x_spdu_decode(p, n, &rx.spdu) != V2X_OK || rx.spdu.content == V2X_CONTENT_ENCRYPTED
            || v2x_crl_decode(rx.spdu.payload, rx.spdu.payload_len, &c) != V2X_OK)
            return -1;
        *why = NULL;
        return record(s, rx.spdu.payload, rx.spdu.payload_len);
    }
    *why = vsim_secure_receive_any_age(s, p, n, V2X_PSID_CRL, now, &rx);
    if (*why)
        return -1;
    if (rx.spdu.content != V2X_CONTENT_SIGNED) {
        *why = "unsigned";
        return -1;
    }
    if (v2x_crl_decode(rx.spdu.payload, rx.spdu.payload_len, &c) != V2X_OK) {
        *why = "malformed";
        return -1;
    }
    /* signed by the CRACA it names, and that is the run's issuer of ATs */
    if (sg17_load_be64(c.craca) != rx.signer || rx.signer != s->aa_s.hid) {
        *why = "unauthorised";
        return -1;
    }
    uint32_t t = time32_at(s, now);
    if (t < c.issue_date || t >= c.next_crl) {
        *why = "stale";
        return -1;
    }
    *why = NULL;
    return record(s, rx.spdu.payload, rx.spdu.payload_len);
}

uint32_t vsim_crl_serial(const vsim_t *s, long id)
{
    return id >= 1 && (unsigned long)id <= s->n_crl_db ? s->crl_db[id - 1].crl.crl_serial : 0;
}

bool vsim_crl_newer(const vsim_t *s, long id, uint64_t current)
{
    if (id < 1 || (unsigned long)id > s->n_crl_db)
        return false;
    if (current == 0 || current > s->n_crl_db)
        return true;
    const v2x_crl_t *a = &s->crl_db[id - 1].crl, *b = &s->crl_db[current - 1].crl;
    return memcmp(a->craca, b->craca, 8) != 0 || a->crl_serial > b->crl_serial;
}

bool vsim_revoked(const vsim_t *s, uint64_t crl_id, const v2x_cert_t *cert)
{
    if (crl_id == 0 || crl_id > s->n_crl_db || !cert)
        return false;
    const v2x_crl_t *c = &s->crl_db[crl_id - 1].crl;
    if (memcmp(c->craca, cert->view.issuer, 8) != 0 || c->crl_series != cert->view.crl_series)
        return false;
    size_t hs = v2x_hash_size(v2x_curve_hash(cert->view.curve));
    return v2x_crl_lists(c, cert->hash + hs - V2X_HASHEDID10);
}

int vsim_crl_initial(vsim_t *s)
{
    uint8_t spdu[V2X_SPDU_MAX + (V2X_HASHEDID10 + 4) * VSIM_MAX_CRL];
    size_t len = 0;
    v2x_spdu_t sp;
    if (vsim_crl_build(s, 0, spdu, sizeof spdu, &len) != 0
        || v2x_spdu_decode(spdu, len, &sp) != V2X_OK)
        return -1;
    long id = record(s, sp.payload, sp.payload_len);
    if (id < 0)
        return -1;
    for (unsigned i = 0; i < s->n_veh; i++)
        s->veh[i].crl_id = (uint64_t)id;
    return 0;
}

void vsim_crl_free(vsim_t *s)
{
    for (unsigned i = 0; i < s->n_crl_db; i++)
        free(s->crl_db[i].contents);
    free(s->crl_db);
    s->crl_db = NULL;
    s->n_crl_db = 0;
}

/* ---- the forged CRL ---- */

int vsim_attack_forge_crl(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    vsim_t *s = instance;
    unsigned near = (unsigned)sg17_param_number(ctx, p, "near", 0) % s->n_veh;
    unsigned victims = (unsigned)sg17_param_number(ctx, p, "victims", s->n_veh);
    sg17_time_t now = sg17_now(ctx);
    if (victims > s->n_veh)
        victims = s->n_veh;
    v2x_crl_entry_t *e = calloc((size_t)victims * VSIM_MAX_POOL + 1, sizeof *e);
    size_t n = 0;
    if (!e)
        return -1;
    /* every AT of each victim's pool: whichever pseudonym it uses, it is "revoked" */
    for (unsigned i = 0; i < victims; i++)
        for (unsigned k = 0; k < s->veh[i].n_pool; k++)
            if (v2x_cert_hashedid10(s->veh[i].pool[k].cert, s->veh[i].pool[k].cert_len, e[n].id)
                == V2X_OK)
                e[n++].expiry = time32_at(s, now) + 24 * 3600;
    uint8_t body[64 + (V2X_HASHEDID10 + 4) * 2048];
    uint8_t spdu[V2X_SPDU_MAX + sizeof body];
    size_t blen = 0, len = 0;
    EVP_PKEY *own = vsim_key_new(ctx);
    /* the adversary's key under the AA's name: a digest signer naming the AA's certificate */
    v2x_signer_t *sg = own ? v2x_signer_new(own, s->aa_s.cert, s->aa_s.cert_len, NULL) : NULL;
    v2x_sign_params_t sp = {
        .psid = V2X_PSID_CRL, .generation_time = vsim_time64(s, now), .signer = V2X_SIGNER_DIGEST};
    int rc = -1;
    if (sg && n <= 2048
        && contents(s, now, s->crl_serial + 1000, e, n, body, sizeof body, &blen) == 0
        && v2x_spdu_sign_with(&sp, body, blen, sg, spdu, sizeof spdu, &len) == V2X_OK) {
        double x, y, speed, heading;
        vsim_vehicle_state(s, &s->veh[near], now, &x, &y, &speed, &heading);
        size_t k = vsim_radio_receivers(s, now, x, y, SG17_NO_ENTITY,
                                        0x43524c0000000000ULL ^ now ^ near, false);
        vsim_radio_inject(s, ctx, s->n_rsu ? s->rsu[0] : s->aa, k, "v2x.crl", spdu, len);
        sg17_metric_add(ctx, "attacker.forged_crls", 1);
        rc = 0;
    }
    v2x_signer_destroy(&sg);
    EVP_PKEY_free(own);
    free(e);
    return rc;
}
