/* ts102941.c — EtsiTs102941Data (ETSI TS 102 941 §6.2) in canonical OER: the enrolment,
 * authorization and authorization-validation messages of the run's PKI, the keyTag and
 * requestHash, and the proof-of-possession check of a self-signed signedData. See ts102941.h for
 * the subset. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "internal.h"
#include "ts102941.h"

/* CertificateSubjectAttributes preamble: extension bit, then id, validityPeriod, region,
 * assuranceLevel, appPermissions, certIssuePermissions. */
#define ATTR_APP_PERMISSIONS 0x04
/* InnerEcResponse / InnerAtResponse preamble: extension bit, certificate present. */
#define RESP_CERT 0x40

static void put_attrs(sg17_writer_t *w, const v2x_pki_attrs_t *a)
{
    if (a->n_psids == 0 || a->n_psids > V2X_MAX_PSIDS) {
        sg17_writer_fail(w); /* appPermissions is SIZE(1..MAX) */
        return;
    }
    sg17_put_u8(w, ATTR_APP_PERMISSIONS);
    oer_put_count(w, a->n_psids);
    for (size_t i = 0; i < a->n_psids; i++)
        v2x_put_psid_ssp(w, &a->psids[i]);
}

static void get_attrs(sg17_reader_t *r, v2x_pki_attrs_t *a)
{
    memset(a, 0, sizeof *a);
    if (sg17_get_u8(r) != ATTR_APP_PERMISSIONS) { /* other attributes: outside the subset */
        sg17_reader_fail(r);
        return;
    }
    size_t n = oer_get_count(r);
    if (n == 0 || n > V2X_MAX_PSIDS) {
        sg17_reader_fail(r);
        return;
    }
    for (size_t i = 0; i < n && sg17_reader_ok(r); i++)
        v2x_get_psid_ssp(r, &a->psids[i]);
    a->n_psids = n;
}

/* PublicKeys: preamble (encryptionKey absent), verificationKey. */
static void put_keys(sg17_writer_t *w, const v2x_pki_key_t *k)
{
    sg17_put_u8(w, 0x00);
    v2x_put_verification_key(w, k->curve, k->point);
}

static void get_keys(sg17_reader_t *r, v2x_pki_key_t *k)
{
    memset(k, 0, sizeof *k);
    if (sg17_get_u8(r) != 0x00)
        sg17_reader_fail(r);
    size_t at = r->pos;
    v2x_get_verification_key(r, &k->curve, k->point);
    /* compressed only (two tag octets and x, and the open type's length octet of the 384-bit
     * extension curves): one encoding per key, as put_keys writes it */
    size_t size = v2x_curve_size(k->curve);
    if (sg17_reader_ok(r) && r->pos - at != 2 + size + (size == 48))
        sg17_reader_fail(r);
}

static void put_shared(sg17_writer_t *w, const v2x_pki_shared_at_t *s)
{
    sg17_put_u8(w, 0x00); /* extension bit */
    sg17_put_bytes(w, s->ea_id, 8);
    sg17_put_bytes(w, s->key_tag, V2X_PKI_HASH16);
    sg17_put_u8(w, s->cert_format);
    put_attrs(w, &s->attrs);
}

static void get_shared(sg17_reader_t *r, v2x_pki_shared_at_t *s)
{
    if (sg17_get_u8(r) != 0x00)
        sg17_reader_fail(r);
    sg17_get_copy(r, s->ea_id, 8);
    sg17_get_copy(r, s->key_tag, V2X_PKI_HASH16);
    s->cert_format = sg17_get_u8(r);
    if (s->cert_format != V2X_PKI_CERT_FORMAT)
        sg17_reader_fail(r);
    get_attrs(r, &s->attrs);
}

/* EcSignature ::= CHOICE { encryptedEcSignature, ecSignature }: the encrypted alternative, an
 * Ieee1609Dot2Data of content encryptedData; the last field of its SEQUENCE, so the rest. */
static void put_ec_signature(sg17_writer_t *w, const uint8_t *p, size_t n)
{
    if (!p || n == 0) {
        sg17_writer_fail(w);
        return;
    }
    sg17_put_u8(w, OER_TAG(0));
    sg17_put_bytes(w, p, n);
}

static const uint8_t *get_ec_signature(sg17_reader_t *r, size_t *n)
{
    if (oer_get_tag(r) != 0) {
        sg17_reader_fail(r);
        return NULL;
    }
    *n = sg17_reader_remaining(r);
    const uint8_t *p = sg17_get_bytes(r, *n);
    v2x_spdu_t s;
    if (!p || *n == 0 || v2x_spdu_decode(p, *n, &s) != V2X_OK
        || s.content != V2X_CONTENT_ENCRYPTED) {
        sg17_reader_fail(r);
        return NULL;
    }
    return p;
}

static void put_response(sg17_writer_t *w, const v2x_pki_response_t *resp, bool may_carry_cert)
{
    bool cert = resp->cert != NULL;
    if (cert && (!may_carry_cert || resp->cert_len == 0)) {
        sg17_writer_fail(w);
        return;
    }
    sg17_put_u8(w, cert ? RESP_CERT : 0x00);
    sg17_put_bytes(w, resp->request_hash, V2X_PKI_HASH16);
    sg17_put_u8(w, resp->code);
    if (cert)
        sg17_put_bytes(w, resp->cert, resp->cert_len);
}

static void get_response(sg17_reader_t *r, v2x_pki_response_t *resp, bool may_carry_cert)
{
    uint8_t pre = sg17_get_u8(r);
    memset(resp, 0, sizeof *resp);
    if (pre & ~RESP_CERT || ((pre & RESP_CERT) && !may_carry_cert))
        sg17_reader_fail(r);
    sg17_get_copy(r, resp->request_hash, V2X_PKI_HASH16);
    resp->code = sg17_get_u8(r);
    if (resp->code > 127) /* ENUMERATED root values: one octet below 128 */
        sg17_reader_fail(r);
    if (!(pre & RESP_CERT) || !sg17_reader_ok(r))
        return;
    v2x_cert_view_t v;
    size_t used = 0;
    if (v2x_cert_decode_prefix(r->buf + r->pos, sg17_reader_remaining(r), &v, &used) != V2X_OK) {
        sg17_reader_fail(r);
        return;
    }
    resp->cert = sg17_get_bytes(r, used);
    resp->cert_len = used;
}

int v2x_pki_encode(const v2x_pki_data_t *d, uint8_t *out, size_t cap, size_t *out_len)
{
    if (!d || !out_len)
        return V2X_EARG;
    bool request = d->content == V2X_PKI_AUTH_REQUEST || d->content == V2X_PKI_AV_REQUEST;
    if (request
        && (d->shared.attrs.n_psids == 0 || d->shared.attrs.n_psids > V2X_MAX_PSIDS
            || !d->ec_signature || d->ec_signature_len == 0))
        return V2X_EARG;
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, V2X_PKI_VERSION);
    sg17_put_u8(&w, OER_TAG(d->content));
    switch (d->content) {
    case V2X_PKI_ENROL_REQUEST:
        if (!d->pop || d->pop_len == 0)
            return V2X_EARG;
        sg17_put_bytes(&w, d->pop, d->pop_len);
        break;
    case V2X_PKI_ENROL_RESPONSE:
    case V2X_PKI_AUTH_RESPONSE:
        put_response(&w, &d->response, true);
        break;
    case V2X_PKI_AV_RESPONSE:
        put_response(&w, &d->response, false);
        break;
    case V2X_PKI_AUTH_REQUEST: /* InnerAtRequest */
        sg17_put_u8(&w, 0x00);
        put_keys(&w, &d->at_key);
        sg17_put_bytes(&w, d->hmac_key, V2X_PKI_HMAC_KEY);
        put_shared(&w, &d->shared);
        put_ec_signature(&w, d->ec_signature, d->ec_signature_len);
        break;
    case V2X_PKI_AV_REQUEST: /* AuthorizationValidationRequest */
        sg17_put_u8(&w, 0x00);
        put_shared(&w, &d->shared);
        put_ec_signature(&w, d->ec_signature, d->ec_signature_len);
        break;
    default:
        return V2X_EARG;
    }
    return sg17_writer_finish(&w, out_len) == 0 ? V2X_OK : V2X_ESPACE;
}

int v2x_pki_decode(const uint8_t *buf, size_t len, v2x_pki_data_t *d)
{
    if (!buf || !d)
        return V2X_EARG;
    memset(d, 0, sizeof *d);
    sg17_reader_t r = sg17_reader(buf, len);
    if (sg17_get_u8(&r) != V2X_PKI_VERSION)
        return V2X_EMALFORMED;
    int tag = oer_get_tag(&r);
    bool unsupported = false;
    switch (tag) {
    case V2X_PKI_ENROL_REQUEST: {
        d->pop_len = sg17_reader_remaining(&r);
        d->pop = sg17_get_bytes(&r, d->pop_len);
        v2x_spdu_t s;
        if (!d->pop || v2x_spdu_decode(d->pop, d->pop_len, &s) != V2X_OK
            || s.content != V2X_CONTENT_SIGNED || s.signer != V2X_SIGNER_SELF)
            sg17_reader_fail(&r);
        break;
    }
    case V2X_PKI_ENROL_RESPONSE:
    case V2X_PKI_AUTH_RESPONSE:
        get_response(&r, &d->response, true);
        break;
    case V2X_PKI_AV_RESPONSE:
        get_response(&r, &d->response, false);
        break;
    case V2X_PKI_AUTH_REQUEST:
        if (sg17_get_u8(&r) != 0x00)
            sg17_reader_fail(&r);
        get_keys(&r, &d->at_key);
        sg17_get_copy(&r, d->hmac_key, V2X_PKI_HMAC_KEY);
        get_shared(&r, &d->shared);
        d->ec_signature = get_ec_signature(&r, &d->ec_signature_len);
        break;
    case V2X_PKI_AV_REQUEST:
        if (sg17_get_u8(&r) != 0x00)
            sg17_reader_fail(&r);
        get_shared(&r, &d->shared);
        d->ec_signature = get_ec_signature(&r, &d->ec_signature_len);
        break;
    default: /* CRL, CTL, CA certificate requests ...: outside the subset */
        unsupported = tag >= 0;
        sg17_reader_fail(&r);
        break;
    }
    d->content = (v2x_pki_content_t)tag;
    if (sg17_reader_done(&r))
        return V2X_OK;
    memset(d, 0, sizeof *d);
    return unsupported ? V2X_EUNSUPPORTED : V2X_EMALFORMED;
}

int v2x_pki_ec_request_encode(const v2x_pki_ec_request_t *q, uint8_t *out, size_t cap,
                              size_t *out_len)
{
    if (!q || !out_len || !q->its_id || q->its_id_len == 0 || q->its_id_len > V2X_PKI_ITS_ID_MAX)
        return V2X_EARG;
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, 0x00); /* extension bit */
    oer_put_octets(&w, q->its_id, q->its_id_len);
    sg17_put_u8(&w, q->cert_format);
    put_keys(&w, &q->key);
    put_attrs(&w, &q->attrs);
    return sg17_writer_finish(&w, out_len) == 0 ? V2X_OK : V2X_ESPACE;
}

int v2x_pki_ec_request_decode(const uint8_t *buf, size_t len, v2x_pki_ec_request_t *q)
{
    if (!buf || !q)
        return V2X_EARG;
    memset(q, 0, sizeof *q);
    sg17_reader_t r = sg17_reader(buf, len);
    if (sg17_get_u8(&r) != 0x00)
        sg17_reader_fail(&r);
    q->its_id = oer_get_octets(&r, &q->its_id_len);
    if (q->its_id_len == 0 || q->its_id_len > V2X_PKI_ITS_ID_MAX)
        sg17_reader_fail(&r);
    q->cert_format = sg17_get_u8(&r);
    if (q->cert_format != V2X_PKI_CERT_FORMAT)
        sg17_reader_fail(&r);
    get_keys(&r, &q->key);
    get_attrs(&r, &q->attrs);
    if (sg17_reader_done(&r))
        return V2X_OK;
    memset(q, 0, sizeof *q);
    return V2X_EMALFORMED;
}

int v2x_pki_shared_at_encode(const v2x_pki_shared_at_t *q, uint8_t *out, size_t cap,
                             size_t *out_len)
{
    if (!q || !out_len)
        return V2X_EARG;
    sg17_writer_t w = sg17_writer(out, cap);
    put_shared(&w, q);
    return sg17_writer_finish(&w, out_len) == 0 ? V2X_OK : V2X_ESPACE;
}

int v2x_pki_shared_at_decode(const uint8_t *buf, size_t len, v2x_pki_shared_at_t *q)
{
    if (!buf || !q)
        return V2X_EARG;
    memset(q, 0, sizeof *q);
    sg17_reader_t r = sg17_reader(buf, len);
    get_shared(&r, q);
    if (sg17_reader_done(&r))
        return V2X_OK;
    memset(q, 0, sizeof *q);
    return V2X_EMALFORMED;
}

int v2x_pki_key_tag(const uint8_t hmac_key[V2X_PKI_HMAC_KEY], const v2x_pki_key_t *key,
                    uint8_t tag[V2X_PKI_HASH16])
{
    uint8_t enc[8 + V2X_MAX_POINT], mac[32];
    size_t n = 0;
    unsigned mlen = sizeof mac;
    if (!hmac_key || !key || !tag)
        return V2X_EARG;
    sg17_writer_t w = sg17_writer(enc, sizeof enc);
    v2x_put_verification_key(&w, key->curve, key->point);
    if (sg17_writer_finish(&w, &n) != 0)
        return V2X_EARG;
    if (!HMAC(EVP_sha256(), hmac_key, V2X_PKI_HMAC_KEY, enc, n, mac, &mlen) || mlen != 32)
        return V2X_ECRYPTO;
    memcpy(tag, mac, V2X_PKI_HASH16);
    return V2X_OK;
}

int v2x_pki_request_hash(const uint8_t *msg, size_t len, uint8_t out[V2X_PKI_HASH16])
{
    uint8_t h[32];
    if (!msg || !out)
        return V2X_EARG;
    int rc = v2x_hash(V2X_HASH_SHA256, msg, len, h);
    if (rc == V2X_OK)
        memcpy(out, h, V2X_PKI_HASH16);
    return rc;
}

int v2x_pki_key_of(const EVP_PKEY *key, v2x_pki_key_t *out)
{
    size_t n = 0;
    if (!key || !out)
        return V2X_EARG;
    memset(out, 0, sizeof *out);
    out->curve = v2x_key_curve(key);
    if (out->curve == V2X_CURVE_NONE)
        return V2X_EARG;
    return v2x_key_public_compressed(key, out->point, sizeof out->point, &n);
}

EVP_PKEY *v2x_pki_key_load(const v2x_pki_key_t *key)
{
    if (!key || key->curve == V2X_CURVE_NONE)
        return NULL;
    return v2x_key_from_point(key->curve, key->point, 1 + v2x_curve_size(key->curve));
}

int v2x_spdu_verify_self(const v2x_spdu_t *s, const EVP_PKEY *key)
{
    static const uint8_t empty[1] = {0};
    uint8_t signer_hash[V2X_MAX_HASH], dgst[V2X_MAX_HASH];
    const EC_GROUP *g = NULL;
    EC_POINT *q = NULL;
    if (!s || !key)
        return V2X_EARG;
    if (s->content != V2X_CONTENT_SIGNED)
        return V2X_ENOTSIGNED;
    if (s->signer != V2X_SIGNER_SELF)
        return V2X_ESIGNER;
    v2x_curve_t c = v2x_key_curve(key);
    if (c != s->sig_curve || v2x_curve_hash(c) != s->hash)
        return V2X_ESIGNATURE;
    int rc = v2x_hash(s->hash, empty, 0, signer_hash);
    if (rc == V2X_OK)
        rc = v2x_signature_digest(s->hash, s->tbs, s->tbs_len, signer_hash, dgst);
    if (rc == V2X_OK)
        rc = v2x_key_ec_point(key, c, &g, &q);
    if (rc == V2X_OK)
        rc = v2x_ecdsa_verify_full(g, q, dgst, v2x_hash_size(s->hash), s->sig_r, s->sig_s);
    EC_POINT_free(q);
    return rc;
}
