/* spdu.c — Ieee1609Dot2Data version 3 (IEEE 1609.2 §6.3, ETSI TS 103 097 §5) in canonical OER:
 * unsecuredData and signedData (HeaderInfo with psid, generationTime, expiryTime,
 * generationLocation; signer digest, certificate or self), signing and verification with the
 * signer certificate, and the receiver's certificate checks. encryptedData is in ecies.c. */
#include <string.h>

#include "internal.h"

/* Ieee1609Dot2Content alternatives. */
enum { CONTENT_UNSECURED = 0, CONTENT_SIGNED = 1, CONTENT_ENCRYPTED = 2 };
/* SignerIdentifier alternatives. */
enum { SIGNER_DIGEST = 0, SIGNER_CERT = 1, SIGNER_SELF = 2 };
/* HeaderInfo optional-field presence bits (after the extension bit). */
enum {
    HI_GENERATION_TIME = 0x40,
    HI_EXPIRY_TIME = 0x20,
    HI_LOCATION = 0x10,
    HI_P2PCD = 0x08,
    HI_MISSING_CRL = 0x04,
    HI_ENC_KEY = 0x02,
};

int v2x_spdu_unsecured(const uint8_t *payload, size_t payload_len, uint8_t *out, size_t cap,
                       size_t *out_len)
{
    if (!payload && payload_len)
        return V2X_EARG;
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, 3);
    sg17_put_u8(&w, OER_TAG(CONTENT_UNSECURED));
    oer_put_octets(&w, payload, payload_len);
    return sg17_writer_finish(&w, out_len) == 0 ? V2X_OK : V2X_ESPACE;
}

int v2x_spdu_sign(const v2x_sign_params_t *p, const uint8_t *payload, size_t payload_len,
                  const EVP_PKEY *key, const uint8_t *cert, size_t cert_len, uint8_t *out,
                  size_t cap, size_t *out_len)
{
    if (!p || (p->signer != V2X_SIGNER_SELF && !cert))
        return V2X_EARG;
    int rc = V2X_EARG;
    bool self = p->signer == V2X_SIGNER_SELF;
    v2x_signer_t *sg = v2x_signer_new(key, self ? NULL : cert, self ? 0 : cert_len, &rc);
    if (!sg)
        return rc;
    rc = v2x_spdu_sign_with(p, payload, payload_len, sg, out, cap, out_len);
    v2x_signer_destroy(&sg);
    return rc;
}

int v2x_spdu_sign_with(const v2x_sign_params_t *p, const uint8_t *payload, size_t payload_len,
                       v2x_signer_t *sg, uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t r_point[V2X_MAX_POINT], s[V2X_MAX_FIELD];
    size_t cert_len = 0;
    const uint8_t *cert = sg ? v2x_signer_cert(sg, &cert_len) : NULL;
    if (!p || !sg || (!payload && payload_len) || !out_len
        || (p->signer == V2X_SIGNER_SELF) != (cert == NULL))
        return V2X_EARG;
    v2x_curve_t c = v2x_signer_curve(sg);
    v2x_hash_t h = v2x_curve_hash(c);
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, 3);
    sg17_put_u8(&w, OER_TAG(CONTENT_SIGNED));
    sg17_put_u8(&w, h == V2X_HASH_SHA384 ? 1 : 0);
    size_t tbs_off = w.len;
    /* ToBeSignedData.payload: SignedDataPayload { data } */
    sg17_put_u8(&w, 0x40);
    sg17_put_u8(&w, 3);
    sg17_put_u8(&w, OER_TAG(CONTENT_UNSECURED));
    oer_put_octets(&w, payload, payload_len);
    /* ToBeSignedData.headerInfo */
    uint8_t pre = HI_GENERATION_TIME;
    if (p->has_expiry)
        pre |= HI_EXPIRY_TIME;
    if (p->has_location)
        pre |= HI_LOCATION;
    sg17_put_u8(&w, pre);
    oer_put_uint(&w, p->psid);
    sg17_put_u64(&w, p->generation_time);
    if (p->has_expiry)
        sg17_put_u64(&w, p->expiry_time);
    if (p->has_location) {
        sg17_put_u32(&w, (uint32_t)p->location.lat);
        sg17_put_u32(&w, (uint32_t)p->location.lon);
        sg17_put_u16(&w, p->location.elevation);
    }
    if (!sg17_writer_ok(&w))
        return V2X_ESPACE;
    int rc = v2x_signer_sign_input(sg, out + tbs_off, w.len - tbs_off, r_point, s);
    if (rc != V2X_OK)
        return rc;
    switch (p->signer) {
    case V2X_SIGNER_DIGEST:
        sg17_put_u8(&w, OER_TAG(SIGNER_DIGEST));
        sg17_put_bytes(&w, v2x_signer_cert_hash(sg) + v2x_hash_size(h) - 8, 8);
        break;
    case V2X_SIGNER_CERTIFICATE:
        sg17_put_u8(&w, OER_TAG(SIGNER_CERT));
        oer_put_count(&w, 1);
        sg17_put_bytes(&w, cert, cert_len);
        break;
    case V2X_SIGNER_SELF:
        sg17_put_u8(&w, OER_TAG(SIGNER_SELF));
        break;
    default:
        return V2X_EARG;
    }
    v2x_put_signature(&w, c, r_point, s);
    return sg17_writer_finish(&w, out_len) == 0 ? V2X_OK : V2X_ESPACE;
}

/* HeaderInfo (decoded into s; fields outside the subset are checked and skipped). */
static void get_header_info(sg17_reader_t *r, v2x_spdu_t *s, bool *unsupported)
{
    uint8_t pre = sg17_get_u8(r);
    if (pre & 0x80) {
        *unsupported = sg17_reader_ok(r);
        sg17_reader_fail(r);
    }
    if (pre & 0x01)
        sg17_reader_fail(r);
    s->psid = oer_get_uint(r);
    s->has_generation_time = pre & HI_GENERATION_TIME;
    if (s->has_generation_time)
        s->generation_time = sg17_get_u64(r);
    s->has_expiry = pre & HI_EXPIRY_TIME;
    if (s->has_expiry)
        s->expiry_time = sg17_get_u64(r);
    s->has_location = pre & HI_LOCATION;
    if (s->has_location) {
        s->location.lat = (int32_t)sg17_get_u32(r);
        s->location.lon = (int32_t)sg17_get_u32(r);
        s->location.elevation = sg17_get_u16(r);
        if (s->location.lat < -900000000 || s->location.lat > 900000001
            || s->location.lon < -1799999999 || s->location.lon > 1800000001)
            sg17_reader_fail(r);
    }
    if (pre & HI_P2PCD)
        sg17_get_bytes(r, 3);
    if (pre & HI_MISSING_CRL) {
        if (sg17_get_u8(r) != 0) /* MissingCrlIdentifier preamble: no extensions */
            sg17_reader_fail(r);
        sg17_get_bytes(r, 3 + 2);
    }
    if (pre & HI_ENC_KEY) {
        int tag = oer_get_tag(r);
        if (tag == 0) { /* public PublicEncryptionKey */
            if (sg17_get_u8(r) != 0)
                sg17_reader_fail(r);
            int kt = oer_get_tag(r);
            uint8_t pt[V2X_MAX_POINT];
            if (kt != 0 && kt != 1)
                sg17_reader_fail(r);
            v2x_get_point(r, kt == 1 ? V2X_CURVE_BP256 : V2X_CURVE_P256, pt);
        } else if (tag == 1) { /* symmetric: aes128Ccm */
            if (oer_get_tag(r) != 0)
                sg17_reader_fail(r);
            sg17_get_bytes(r, 16);
        } else {
            sg17_reader_fail(r);
        }
    }
}

/* The encryptedData body (one certRecipInfo, ECIES P-256, AES-128-CCM). */
static void get_encrypted(sg17_reader_t *r, v2x_spdu_t *s, bool *unsupported)
{
    size_t n = oer_get_count(r);
    if (n != 1) {
        *unsupported = sg17_reader_ok(r) && n > 1;
        sg17_reader_fail(r);
        return;
    }
    if (oer_get_tag(r) != 2) { /* certRecipInfo */
        *unsupported = sg17_reader_ok(r);
        sg17_reader_fail(r);
        return;
    }
    sg17_get_copy(r, s->recipient, 8);
    if (oer_get_tag(r) != 0) { /* eciesNistP256 */
        *unsupported = sg17_reader_ok(r);
        sg17_reader_fail(r);
        return;
    }
    v2x_get_point(r, V2X_CURVE_P256, s->eph_point);
    sg17_get_copy(r, s->enc_key, 16);
    sg17_get_copy(r, s->enc_tag, 16);
    if (oer_get_tag(r) != 0) { /* aes128ccm */
        *unsupported = sg17_reader_ok(r);
        sg17_reader_fail(r);
        return;
    }
    sg17_get_copy(r, s->nonce, 12);
    s->ciphertext = oer_get_octets(r, &s->ciphertext_len);
    if (s->ciphertext_len < 16)
        sg17_reader_fail(r);
}

static void get_data(sg17_reader_t *r, v2x_spdu_t *s, bool *unsupported)
{
    if (sg17_get_u8(r) != 3)
        sg17_reader_fail(r);
    int tag = oer_get_tag(r);
    if (tag == CONTENT_UNSECURED) {
        s->content = V2X_CONTENT_UNSECURED;
        s->payload = oer_get_octets(r, &s->payload_len);
        return;
    }
    if (tag == CONTENT_ENCRYPTED) {
        s->content = V2X_CONTENT_ENCRYPTED;
        get_encrypted(r, s, unsupported);
        return;
    }
    if (tag != CONTENT_SIGNED) {
        *unsupported = sg17_reader_ok(r) && tag > CONTENT_ENCRYPTED;
        sg17_reader_fail(r);
        return;
    }
    s->content = V2X_CONTENT_SIGNED;
    uint8_t h = sg17_get_u8(r);
    if (h > 1)
        sg17_reader_fail(r);
    s->hash = h ? V2X_HASH_SHA384 : V2X_HASH_SHA256;
    size_t tbs_off = r->pos;
    uint8_t pre = sg17_get_u8(r);
    if (pre != 0x40) { /* data only: extDataHash and extensions are outside the subset */
        *unsupported = sg17_reader_ok(r) && (pre & 0xa0) && !(pre & 0x1f);
        sg17_reader_fail(r);
        return;
    }
    if (sg17_get_u8(r) != 3 || oer_get_tag(r) != CONTENT_UNSECURED) {
        *unsupported = sg17_reader_ok(r);
        sg17_reader_fail(r);
        return;
    }
    s->payload = oer_get_octets(r, &s->payload_len);
    get_header_info(r, s, unsupported);
    s->tbs = r->buf + tbs_off;
    s->tbs_len = r->pos - tbs_off;
    int st = oer_get_tag(r);
    if (st == SIGNER_DIGEST) {
        s->signer = V2X_SIGNER_DIGEST;
        sg17_get_copy(r, s->digest, 8);
    } else if (st == SIGNER_CERT) {
        s->signer = V2X_SIGNER_CERTIFICATE;
        if (oer_get_count(r) != 1) { /* TS 103 097 §5.2: exactly one certificate */
            sg17_reader_fail(r);
            return;
        }
        v2x_cert_view_t v;
        size_t used = 0;
        const uint8_t *at = r->buf + r->pos;
        int rc = sg17_reader_ok(r) ? v2x_cert_decode_prefix(at, sg17_reader_remaining(r), &v, &used)
                                   : V2X_EMALFORMED;
        if (rc != V2X_OK) {
            *unsupported = rc == V2X_EUNSUPPORTED;
            sg17_reader_fail(r);
            return;
        }
        s->cert = sg17_get_bytes(r, used);
        s->cert_len = used;
        uint8_t ch[V2X_MAX_HASH];
        v2x_hash_t ca = v2x_curve_hash(v.curve);
        if (v2x_hash(ca, s->cert, used, ch) != V2X_OK) {
            sg17_reader_fail(r);
            return;
        }
        memcpy(s->digest, ch + v2x_hash_size(ca) - 8, 8);
    } else if (st == SIGNER_SELF) {
        s->signer = V2X_SIGNER_SELF;
    } else {
        sg17_reader_fail(r);
    }
    v2x_get_signature(r, &s->sig_curve, s->sig_r, s->sig_s, true);
    if (sg17_reader_ok(r) && v2x_curve_hash(s->sig_curve) != s->hash)
        sg17_reader_fail(r);
}

int v2x_spdu_decode(const uint8_t *buf, size_t len, v2x_spdu_t *s)
{
    if (!buf || !s)
        return V2X_EARG;
    memset(s, 0, sizeof *s);
    sg17_reader_t r = sg17_reader(buf, len);
    bool unsupported = false;
    get_data(&r, s, &unsupported);
    if (sg17_reader_done(&r))
        return V2X_OK;
    return unsupported ? V2X_EUNSUPPORTED : V2X_EMALFORMED;
}

static int verify(const v2x_spdu_t *s, const v2x_cert_t *signer, bool full_r)
{
    if (!s)
        return V2X_EARG;
    if (s->content != V2X_CONTENT_SIGNED)
        return V2X_ENOTSIGNED;
    v2x_cert_t *loaded = NULL;
    int rc;
    if (s->signer == V2X_SIGNER_SELF)
        return V2X_EUNSUPPORTED; /* no key to check it with */
    if (!signer) {
        if (s->signer != V2X_SIGNER_CERTIFICATE)
            return V2X_ESIGNER;
        loaded = v2x_cert_new(s->cert, s->cert_len, NULL, &rc);
        if (!loaded)
            return rc;
        signer = loaded;
    }
    rc = V2X_OK;
    if (memcmp(signer->hashedid8, s->digest, 8) != 0)
        rc = V2X_ESIGNER;
    else if (s->sig_curve != signer->view.curve)
        rc = V2X_ESIGNATURE;
    if (rc == V2X_OK) {
        uint8_t dgst[V2X_MAX_HASH];
        size_t dlen = v2x_hash_size(s->hash);
        rc = v2x_signature_digest(s->hash, s->tbs, s->tbs_len, signer->hash, dgst);
        if (rc == V2X_OK)
            rc = full_r ? v2x_ecdsa_verify_full(signer->group, signer->point, dgst, dlen, s->sig_r,
                                                s->sig_s)
                        : v2x_ecdsa_verify_r_x(signer->vctx, signer->group, dgst, dlen, s->sig_r,
                                               s->sig_s);
    }
    v2x_cert_destroy(&loaded);
    return rc;
}

int v2x_spdu_verify(const v2x_spdu_t *s, const v2x_cert_t *signer)
{
    return verify(s, signer, false);
}

int v2x_spdu_verify_full_r(const v2x_spdu_t *s, const v2x_cert_t *signer)
{
    return verify(s, signer, true);
}

int v2x_spdu_check(const v2x_spdu_t *s, const v2x_cert_t *signer, uint64_t t64)
{
    if (!s || !signer)
        return V2X_EARG;
    if (s->content != V2X_CONTENT_SIGNED)
        return V2X_ENOTSIGNED;
    int rc = v2x_cert_check_time(&signer->view, s->has_generation_time ? s->generation_time : t64);
    if (rc != V2X_OK)
        return rc;
    /* a certificate without appPermissions signs no data (IEEE 1609.2 §5.2.3.2.2) */
    if (!v2x_cert_permission(&signer->view, s->psid))
        return V2X_EPSID;
    if (s->has_location) {
        v2x_2dloc_t at = {s->location.lat, s->location.lon};
        if (!v2x_region_contains(&signer->view.region, at))
            return V2X_EREGION;
    }
    return V2X_OK;
}
