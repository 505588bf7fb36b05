/* secure.c — the simulation's secured messages, through proto/: issuing the PKI's certificates
 * from the seeded stream, building signed CAMs and DENMs (GeoNetworking + BTP-B + UPER inside an
 * IEEE 1609.2 signedData), and the receiver's security checks, each behind its mitigation.
 *
 * Two caches make a fleet affordable without weakening any check:
 * - certificates are loaded (point decompression) and their issuer signature checked once per
 *   run, keyed by HashedId8: a certificate's validity as a chain link is a function of its bytes;
 * - a signature is checked once per distinct SPDU, keyed by the exact bytes: every receiver of a
 *   broadcast gets the same bytes, and equal bytes give an equal check. Freshness, replay,
 *   revocation and plausibility stay per receiver. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sim/v2x_sim.h"

#define VCACHE_SLOTS 4096
#define CERT_SLOTS0  256

uint64_t vsim_hid(const uint8_t hid[8])
{
    return sg17_load_be64(hid);
}

uint64_t vsim_time64(const vsim_t *s, sg17_time_t t)
{
    return s->tai0 + t;
}

/* ---- the certificate store ---- */

typedef struct {
    uint64_t hid;
    v2x_cert_t *cert;
    int chain; /* 0 unchecked, 1 chains to the root through a known CA, < 0 v2x_err_t */
    bool ca;   /* a trust anchor or an issuing CA of the run */
} cert_entry_t;

struct vsim_certs {
    cert_entry_t *slot;
    unsigned cap, used;
};

vsim_certs_t *vsim_certs_new(void)
{
    vsim_certs_t *c = calloc(1, sizeof *c);
    if (c && !(c->slot = calloc(CERT_SLOTS0, sizeof *c->slot))) {
        free(c);
        return NULL;
    }
    if (c)
        c->cap = CERT_SLOTS0;
    return c;
}

void vsim_certs_free(vsim_certs_t *c)
{
    if (!c)
        return;
    for (unsigned i = 0; i < c->cap; i++)
        v2x_cert_destroy(&c->slot[i].cert);
    free(c->slot);
    free(c);
}

static cert_entry_t *certs_find(vsim_certs_t *c, uint64_t hid)
{
    for (unsigned i = (unsigned)(hid * 0x9e3779b97f4a7c15ULL >> 40) & (c->cap - 1);;
         i = (i + 1) & (c->cap - 1)) {
        if (c->slot[i].hid == hid && c->slot[i].cert)
            return &c->slot[i];
        if (!c->slot[i].cert)
            return NULL;
    }
}

static int certs_grow(vsim_certs_t *c)
{
    cert_entry_t *old = c->slot;
    unsigned oc = c->cap;
    cert_entry_t *n = calloc((size_t)oc * 2, sizeof *n);
    if (!n)
        return -1;
    c->slot = n, c->cap = oc * 2;
    for (unsigned i = 0; i < oc; i++)
        if (old[i].cert) {
            unsigned j = (unsigned)(old[i].hid * 0x9e3779b97f4a7c15ULL >> 40) & (c->cap - 1);
            while (c->slot[j].cert)
                j = (j + 1) & (c->cap - 1);
            c->slot[j] = old[i];
        }
    free(old);
    return 0;
}

/* The entry of an encoded certificate, loaded on first sight; NULL when it does not decode. */
static cert_entry_t *certs_load(vsim_t *s, const uint8_t *bytes, size_t len, uint64_t hid)
{
    vsim_certs_t *c = s->certs;
    cert_entry_t *e = certs_find(c, hid);
    if (e)
        return e;
    if ((c->used + 1) * 2 > c->cap && certs_grow(c) != 0)
        return NULL;
    v2x_cert_t *cert = v2x_cert_new(bytes, len, NULL, NULL);
    if (!cert)
        return NULL;
    unsigned j = (unsigned)(hid * 0x9e3779b97f4a7c15ULL >> 40) & (c->cap - 1);
    while (c->slot[j].cert)
        j = (j + 1) & (c->cap - 1);
    c->slot[j] = (cert_entry_t){.hid = hid, .cert = cert};
    c->used++;
    return &c->slot[j];
}

/* Chain check of a certificate, once: its issuer is a CA of the store that itself chains, and
 * the issuer's signature verifies (v2x_cert_check_issued: HashedId8, signature, validity and
 * region within the issuer's). */
static int certs_chain(vsim_t *s, cert_entry_t *e, int depth)
{
    if (e->chain != 0)
        return e->chain;
    if (e->ca && e->cert->view.self_signed) {
        e->chain = v2x_cert_check_issued(e->cert, e->cert) == 0 ? 1 : V2X_EISSUER;
        return e->chain;
    }
    cert_entry_t *iss = certs_find(s->certs, vsim_hid(e->cert->view.issuer));
    if (!iss || !iss->ca || depth > 4) {
        e->chain = V2X_EISSUER;
        return e->chain;
    }
    int up = certs_chain(s, iss, depth + 1);
    e->chain = up < 0 ? up : v2x_cert_check_issued(e->cert, iss->cert) == 0 ? 1 : V2X_EISSUER;
    return e->chain;
}

/* ---- the signature cache ---- */

typedef struct {
    uint64_t h;
    uint8_t *bytes;
    size_t len;
    int result;
} vslot_t;

struct vsim_vcache {
    vslot_t slot[VCACHE_SLOTS];
};

vsim_vcache_t *vsim_vcache_new(void)
{
    return calloc(1, sizeof(vsim_vcache_t));
}

void vsim_vcache_free(vsim_vcache_t *c)
{
    if (!c)
        return;
    for (unsigned i = 0; i < VCACHE_SLOTS; i++)
        free(c->slot[i].bytes);
    free(c);
}

static uint64_t fnv(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* v2x_spdu_verify, once per distinct byte string. */
static int verify_cached(vsim_t *s, const uint8_t *p, size_t n, const v2x_spdu_t *sp,
                         const v2x_cert_t *signer)
{
    uint64_t h = fnv(p, n);
    vslot_t *sl = &s->vcache->slot[h & (VCACHE_SLOTS - 1)];
    if (sl->bytes && sl->h == h && sl->len == n && memcmp(sl->bytes, p, n) == 0)
        return sl->result;
    int rc = v2x_spdu_verify(sp, signer);
    uint8_t *copy = malloc(n);
    if (copy) {
        free(sl->bytes);
        memcpy(copy, p, n);
        *sl = (vslot_t){.h = h, .bytes = copy, .len = n, .result = rc};
    }
    return rc;
}

/* ---- issuing ---- */

static uint32_t time32_of(const vsim_t *s, int64_t t)
{
    int64_t t64 = (int64_t)s->tai0 + t;
    return t64 < 0 ? 0 : (uint32_t)(t64 / 1000000);
}

int vsim_cert_issue(const vsim_t *s, const vsim_issue_t *p, const EVP_PKEY *subject, uint8_t *out,
                    size_t cap, size_t *len)
{
    v2x_cert_params_t cp = {.type = V2X_CERT_EXPLICIT, .name = p->name, .ca = p->ca};
    cp.validity.start = time32_of(s, (int64_t)p->from);
    uint64_t secs = (uint64_t)(p->to - p->from) / SG17_SEC;
    if (secs <= 65535)
        cp.validity.unit = V2X_DUR_SECONDS, cp.validity.value = (uint16_t)secs;
    else
        cp.validity.unit = V2X_DUR_HOURS,
        cp.validity.value = (uint16_t)(secs / 3600 > 65535 ? 65535 : secs / 3600);
    if (p->region) {
        cp.region.kind = V2X_REGION_RECT;
        cp.region.n_rects = 1;
        vsim_to_latlon(p->cx - p->half, p->cy + p->half, &cp.region.rects[0].nw.lat,
                       &cp.region.rects[0].nw.lon);
        vsim_to_latlon(p->cx + p->half, p->cy - p->half, &cp.region.rects[0].se.lat,
                       &cp.region.rects[0].se.lon);
    }
    for (size_t i = 0; i < p->n_psids && i < V2X_MAX_PSIDS; i++) {
        cp.psids[i].psid = p->psids[i];
        if (p->ssps && p->ssps[i]) {
            cp.psids[i].has_ssp = cp.psids[i].bitmap = true;
            cp.psids[i].ssp_len = 1;
            cp.psids[i].ssp[0] = p->ssps[i];
        }
        cp.n_psids++;
    }
    if (p->enc_key)
        cp.enc_key = subject;
    const EVP_PKEY *ik = p->issuer ? p->issuer->key : subject;
    return v2x_cert_issue(&cp, subject, ik, p->issuer ? p->issuer->cert : NULL,
                          p->issuer ? p->issuer->cert_len : 0, out, cap, len);
}

EVP_PKEY *vsim_key_new(sg17_ctx_t *ctx)
{
    uint8_t seed[32];
    sg17_rand_bytes(ctx, seed, sizeof seed);
    EVP_PKEY *k = v2x_key_from_seed(V2X_CURVE_P256, seed, sizeof seed);
    OPENSSL_cleanse(seed, sizeof seed);
    return k;
}

int vsim_signer_issue(vsim_t *s, sg17_ctx_t *ctx, const vsim_issue_t *p, vsim_signer_t *out)
{
    memset(out, 0, sizeof *out);
    out->key = vsim_key_new(ctx);
    if (!out->key)
        return -1;
    uint8_t der[V2X_CERT_MAX];
    size_t len = 0;
    int rc = vsim_cert_issue(s, p, out->key, der, sizeof der, &len);
    uint8_t hid[8];
    if (rc == 0)
        rc = v2x_cert_hashedid8(der, len, hid);
    if (rc != 0 || !(out->cert = malloc(len))) {
        sg17_log(ctx, "issuing certificate %s failed: %s", p->name ? p->name : "-",
                 v2x_strerror(rc));
        vsim_signer_free(out);
        return -1;
    }
    memcpy(out->cert, der, len);
    out->cert_len = len;
    out->hid = vsim_hid(hid);
    out->prepared = v2x_signer_new(out->key, out->cert, len, NULL);
    if (!out->prepared) {
        vsim_signer_free(out);
        return -1;
    }
    if (p->ca) { /* the run's CAs are trust anchors of every receiver */
        cert_entry_t *e = certs_load(s, der, len, out->hid);
        if (!e)
            return -1;
        e->ca = true;
    }
    return 0;
}

int vsim_signer_adopt(vsim_signer_t *out, EVP_PKEY *key, const uint8_t *cert, size_t len)
{
    uint8_t hid[8];
    memset(out, 0, sizeof *out);
    if (!key || !cert || len == 0 || v2x_cert_hashedid8(cert, len, hid) != 0
        || !(out->cert = malloc(len)))
        return -1;
    memcpy(out->cert, cert, len);
    out->cert_len = len;
    out->hid = vsim_hid(hid);
    out->prepared = v2x_signer_new(key, out->cert, len, NULL);
    if (!out->prepared) {
        free(out->cert);
        out->cert = NULL;
        return -1;
    }
    out->key = key;
    return 0;
}

void vsim_signer_free(vsim_signer_t *sg)
{
    EVP_PKEY_free(sg->key); /* OpenSSL clears the private scalar on free */
    v2x_signer_destroy(&sg->prepared);
    free(sg->cert);
    sg->key = NULL;
    sg->cert = NULL;
}

const v2x_cert_t *vsim_signer_cert(vsim_t *s, const vsim_signer_t *sg)
{
    cert_entry_t *e = sg->cert ? certs_load(s, sg->cert, sg->cert_len, sg->hid) : NULL;
    return e ? e->cert : NULL;
}

/* ---- building ---- */

static uint16_t heading_cdd(double heading)
{
    double deg = 90.0 - heading * 180.0 / M_PI; /* from north, clockwise */
    deg = fmod(deg, 360.0);
    if (deg < 0)
        deg += 360.0;
    uint16_t h = (uint16_t)lround(deg * 10);
    return h >= 3600 ? 0 : h;
}

static double heading_sim(uint16_t h)
{
    return (90.0 - h / 10.0) * M_PI / 180.0;
}

static uint16_t speed_cdd(double v)
{
    double c = v < 0 ? 0 : v * 100;
    return c > 16382 ? 16382 : (uint16_t)lround(c);
}

static int cam_packet(const vsim_t *s, const vsim_cam_t *c, uint8_t *out, size_t cap, size_t *len)
{
    uint64_t ms = vsim_time64(s, c->gen) / 1000;
    v2x_cam_t cam;
    v2x_cam_init(&cam, c->station);
    cam.generation_delta_time = (uint16_t)(ms % 65536);
    vsim_to_latlon(c->x, c->y, &cam.pos.lat, &cam.pos.lon);
    cam.heading = heading_cdd(c->heading);
    cam.speed = speed_cdd(c->speed);
    uint8_t body[256];
    size_t blen = 0;
    if (v2x_cam_encode(&cam, body, sizeof body, &blen) != 0)
        return -1;
    v2x_gn_t gn = {.kind = V2X_GN_SHB,
                   .traffic_class = 2,
                   .max_hop_limit = 1,
                   .mobile = true,
                   .addr_station_type = V2X_STATION_PASSENGER_CAR,
                   .timestamp = (uint32_t)ms,
                   .lat = cam.pos.lat,
                   .lon = cam.pos.lon,
                   .pai = true,
                   .speed = (int16_t)(cam.speed > 16383 ? 16383 : cam.speed),
                   .heading = cam.heading,
                   .btp_port = V2X_BTP_PORT_CAM};
    sg17_store_be32(gn.mid + 2, c->station);
    gn.mid[0] = 0x02;
    return v2x_gn_encode(&gn, body, blen, out, cap, len) == 0 ? 0 : -1;
}

int vsim_sign(const vsim_t *s, const vsim_signer_t *sg, uint64_t psid, sg17_time_t t, double x,
              double y, const uint8_t *payload, size_t plen, bool with_cert, uint8_t *out,
              size_t cap, size_t *len)
{
    v2x_sign_params_t sp = {.psid = psid,
                            .generation_time = vsim_time64(s, t),
                            .has_location = true,
                            .location = {.elevation = 4096},
                            .signer = with_cert ? V2X_SIGNER_CERTIFICATE : V2X_SIGNER_DIGEST};
    vsim_to_latlon(x, y, &sp.location.lat, &sp.location.lon);
    int rc = sg->prepared ? v2x_spdu_sign_with(&sp, payload, plen, sg->prepared, out, cap, len)
                          : v2x_spdu_sign(&sp, payload, plen, sg->key, sg->cert, sg->cert_len, out,
                                          cap, len);
    return rc == 0 ? 0 : -1;
}

int vsim_cam_build(const vsim_t *s, const vsim_signer_t *sg, const vsim_cam_t *cam, bool with_cert,
                   uint8_t *out, size_t cap, size_t *len)
{
    uint8_t pkt[512];
    size_t plen = 0;
    if (cam_packet(s, cam, pkt, sizeof pkt, &plen) != 0)
        return -1;
    return vsim_sign(s, sg, V2X_PSID_CAM, cam->gen, cam->x, cam->y, pkt, plen, with_cert, out, cap,
                     len);
}

int vsim_cam_unsecured(const vsim_t *s, const vsim_cam_t *cam, uint8_t *out, size_t cap,
                       size_t *len)
{
    uint8_t pkt[512];
    size_t plen = 0;
    if (cam_packet(s, cam, pkt, sizeof pkt, &plen) != 0)
        return -1;
    return v2x_spdu_unsecured(pkt, plen, out, cap, len) == 0 ? 0 : -1;
}

int vsim_denm_packet(const vsim_t *s, uint32_t station, uint16_t seq, sg17_time_t t, double x,
                     double y, uint8_t *out, size_t cap, size_t *len)
{
    uint64_t ms = vsim_time64(s, t) / 1000;
    v2x_denm_t d;
    v2x_denm_init(&d, station, seq);
    d.detection_time = d.reference_time = ms;
    vsim_to_latlon(x, y, &d.event_pos.lat, &d.event_pos.lon);
    d.has_situation = true;
    d.information_quality = 4;
    d.cause = 95; /* emergencyVehicleApproaching */
    d.sub_cause = 1;
    uint8_t body[256];
    size_t blen = 0;
    if (v2x_denm_encode(&d, body, sizeof body, &blen) != 0)
        return -1;
    v2x_gn_t gn = {.kind = V2X_GN_TSB,
                   .traffic_class = 1,
                   .max_hop_limit = 3,
                   .mobile = true,
                   .sequence_number = seq,
                   .addr_station_type = V2X_STATION_PASSENGER_CAR,
                   .timestamp = (uint32_t)ms,
                   .lat = d.event_pos.lat,
                   .lon = d.event_pos.lon,
                   .pai = true,
                   .btp_port = V2X_BTP_PORT_DENM};
    sg17_store_be32(gn.mid + 2, station);
    gn.mid[0] = 0x02;
    return v2x_gn_encode(&gn, body, blen, out, cap, len) == 0 ? 0 : -1;
}

/* ---- receiving ---- */

static const char *reason_of(int err)
{
    switch (err) {
    case V2X_EEXPIRED:
        return "expired";
    case V2X_EPSID:
        return "psid";
    case V2X_EREGION:
        return "out_of_region";
    default:
        return "untrusted_chain";
    }
}

static const char *receive(vsim_t *s, const uint8_t *p, size_t n, uint64_t want_psid,
                           sg17_time_t now, uint64_t crl_id, vsim_known_fn known, void *known_arg,
                           bool fresh, vsim_rx_t *rx);

const char *vsim_secure_receive(vsim_t *s, const uint8_t *p, size_t n, uint64_t want_psid,
                                sg17_time_t now, uint64_t crl_id, vsim_known_fn known,
                                void *known_arg, vsim_rx_t *rx)
{
    return receive(s, p, n, want_psid, now, crl_id, known, known_arg, true, rx);
}

/* A digest signer that is one of the run's CAs (their certificates every receiver holds as
 * trust anchors): a CRL signed by the AA names it by digest. */
static bool ca_known(void *arg, uint64_t hid)
{
    const vsim_t *s = arg;
    const cert_entry_t *e = certs_find(s->certs, hid);
    return e && e->ca;
}

const char *vsim_secure_receive_any_age(vsim_t *s, const uint8_t *p, size_t n, uint64_t want_psid,
                                        sg17_time_t now, vsim_rx_t *rx)
{
    return receive(s, p, n, want_psid, now, 0, ca_known, s, false, rx);
}

static const char *receive(vsim_t *s, const uint8_t *p, size_t n, uint64_t want_psid,
                           sg17_time_t now, uint64_t crl_id, vsim_known_fn known, void *known_arg,
                           bool fresh, vsim_rx_t *rx)
{
    memset(rx, 0, sizeof *rx);
    if (v2x_spdu_decode(p, n, &rx->spdu) != 0)
        return "malformed";
    v2x_spdu_t *sp = &rx->spdu;
    if (sp->content == V2X_CONTENT_ENCRYPTED)
        return "malformed"; /* the caller decrypts first */
    if (sp->content == V2X_CONTENT_UNSECURED)
        return s->cfg.signature_verification ? "unsigned" : NULL;
    if (sp->psid != want_psid)
        return "malformed"; /* another application's message */
    rx->signer = vsim_hid(sp->digest);
    cert_entry_t *ce = NULL;
    if (sp->signer == V2X_SIGNER_CERTIFICATE)
        ce = certs_load(s, sp->cert, sp->cert_len, rx->signer);
    else if (sp->signer == V2X_SIGNER_DIGEST && known && known(known_arg, rx->signer))
        ce = certs_find(s->certs, rx->signer);
    if (ce)
        rx->cert = ce->cert;
    if (s->cfg.signature_verification) {
        if (!ce)
            return "unknown_signer";
        if (verify_cached(s, p, n, sp, ce->cert) != 0)
            return "signature";
    }
    uint64_t now64 = vsim_time64(s, now);
    if (s->cfg.cert_checks) {
        if (!ce)
            return "unknown_signer";
        int chain = certs_chain(s, ce, 0);
        if (chain < 0)
            return "untrusted_chain";
        int rc = v2x_spdu_check(sp, ce->cert, now64);
        if (rc != 0)
            return reason_of(rc);
        if (vsim_revoked(s, crl_id, ce->cert))
            return "revoked";
    }
    if (sp->has_generation_time)
        rx->gen = sp->generation_time >= s->tai0 ? (sg17_time_t)(sp->generation_time - s->tai0) : 0;
    if (fresh && s->cfg.freshness_check) {
        if (!sp->has_generation_time)
            return "stale";
        uint64_t g = sp->generation_time;
        if (g < now64 && now64 - g > s->cfg.freshness)
            return "stale";
        if (g > now64 && g - now64 > s->cfg.future_tolerance)
            return "future";
    }
    return NULL;
}

int vsim_cam_parse(const vsim_t *s, const vsim_rx_t *rx, sg17_time_t now, vsim_cam_t *out)
{
    v2x_gn_t gn;
    const uint8_t *body;
    size_t blen;
    v2x_cam_t cam;
    if (v2x_gn_decode(rx->spdu.payload, rx->spdu.payload_len, &gn, &body, &blen) != 0
        || gn.btp_port != V2X_BTP_PORT_CAM || v2x_cam_decode(body, blen, &cam) != 0)
        return -1;
    out->station = cam.station_id;
    vsim_from_latlon(cam.pos.lat, cam.pos.lon, &out->x, &out->y);
    out->speed = cam.speed == V2X_SPEED_UNAVAILABLE ? 0 : cam.speed / 100.0;
    out->heading = heading_sim(cam.heading);
    out->gen = rx->gen;
    if (!rx->spdu.has_generation_time) { /* TimestampIts mod 65536 */
        uint64_t now_ms = vsim_time64(s, now) / 1000;
        uint64_t back = (now_ms - cam.generation_delta_time) % 65536;
        uint64_t gen_us = (now_ms - back) * 1000;
        out->gen = gen_us >= s->tai0 ? gen_us - s->tai0 : 0;
    }
    return 0;
}
