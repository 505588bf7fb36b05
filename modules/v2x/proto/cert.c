/* cert.c — EtsiTs103097Certificate (IEEE 1609.2 §6.4.2-6.4.4, ETSI TS 103 097 §6) in canonical
 * OER: explicit certificates with compressed points, ECQV implicit certificates on P-256
 * (SEC 4, IEEE 1609.2 §5.3.2), HashedId8, and the checks a receiver makes on a chain link. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>

#include "internal.h"

/* ToBeSignedCertificate optional-field presence bits (after the extension bit). */
enum {
    TBS_REGION = 0x40,
    TBS_ASSURANCE = 0x20,
    TBS_APP_PERMS = 0x10,
    TBS_ISSUE_PERMS = 0x08,
    TBS_REQUEST_PERMS = 0x04,
    TBS_ROLLOVER = 0x02,
    TBS_ENC_KEY = 0x01,
};

/* CertificateId alternatives. */
enum { ID_LINKAGE = 0, ID_NAME = 1, ID_BINARY = 2, ID_NONE = 3 };
/* IssuerIdentifier alternatives. */
enum { ISSUER_SHA256 = 0, ISSUER_SELF = 1, ISSUER_SHA384 = 2 };
/* GeographicRegion alternatives. */
enum { REGION_CIRCLE = 0, REGION_RECT = 1, REGION_POLYGON = 2, REGION_IDENTIFIED = 3 };

/* Years are 31 556 952 s (365.2425 days), sixty hours 216 000 s (IEEE 1609.2 §6.4.16). */
static uint64_t duration_us(const v2x_validity_t *v)
{
    static const uint64_t unit_us[] = {1,          1000,          1000000,        60000000,
                                       3600000000, 216000000000u, 31556952000000u};
    return (uint64_t)v->value * unit_us[v->unit <= V2X_DUR_YEARS ? v->unit : 0];
}

uint64_t v2x_validity_end64(const v2x_validity_t *v)
{
    return (uint64_t)v->start * 1000000u + duration_us(v);
}

/* ---- encoding ---- */

static void put_2dloc(sg17_writer_t *w, v2x_2dloc_t l)
{
    sg17_put_u32(w, (uint32_t)l.lat);
    sg17_put_u32(w, (uint32_t)l.lon);
}

static bool lat_ok(int32_t v)
{
    return v >= -900000000 && v <= 900000001;
}

static bool lon_ok(int32_t v)
{
    return v >= -1799999999 && v <= 1800000001;
}

static v2x_2dloc_t get_2dloc(sg17_reader_t *r)
{
    v2x_2dloc_t l;
    l.lat = (int32_t)sg17_get_u32(r);
    l.lon = (int32_t)sg17_get_u32(r);
    if (!lat_ok(l.lat) || !lon_ok(l.lon))
        sg17_reader_fail(r);
    return l;
}

static void put_region(sg17_writer_t *w, const v2x_region_t *g)
{
    if (g->kind == V2X_REGION_CIRCLE) {
        sg17_put_u8(w, OER_TAG(REGION_CIRCLE));
        put_2dloc(w, g->center);
        sg17_put_u16(w, g->radius_m);
    } else if (g->kind == V2X_REGION_RECT && g->n_rects >= 1 && g->n_rects <= V2X_MAX_RECTS) {
        sg17_put_u8(w, OER_TAG(REGION_RECT));
        oer_put_count(w, g->n_rects);
        for (size_t i = 0; i < g->n_rects; i++) {
            put_2dloc(w, g->rects[i].nw);
            put_2dloc(w, g->rects[i].se);
        }
    } else {
        sg17_writer_fail(w);
    }
}

void v2x_put_psid_ssp(sg17_writer_t *w, const v2x_psid_ssp_t *p)
{
    sg17_put_u8(w, p->has_ssp ? 0x80 : 0x00);
    oer_put_uint(w, p->psid);
    if (!p->has_ssp)
        return;
    if (p->ssp_len > V2X_MAX_SSP) {
        sg17_writer_fail(w);
        return;
    }
    if (p->bitmap) {
        /* bitmapSsp is an extension alternative: an open type around the OCTET STRING */
        sg17_put_u8(w, OER_TAG(1));
        oer_put_length(w, 1u + p->ssp_len);
        oer_put_octets(w, p->ssp, p->ssp_len);
    } else {
        sg17_put_u8(w, OER_TAG(0));
        oer_put_octets(w, p->ssp, p->ssp_len);
    }
}

/* ToBeSignedCertificate; key_point is the verification key (explicit) or the reconstruction
 * value (implicit), compressed. */
static void put_tbs(sg17_writer_t *w, const v2x_cert_params_t *p, v2x_curve_t curve,
                    const uint8_t *key_point, const uint8_t *enc_point)
{
    uint8_t pre = 0;
    if (p->region.kind != V2X_REGION_NONE)
        pre |= TBS_REGION;
    if (p->has_assurance)
        pre |= TBS_ASSURANCE;
    if (p->n_psids)
        pre |= TBS_APP_PERMS;
    if (p->ca)
        pre |= TBS_ISSUE_PERMS;
    if (enc_point)
        pre |= TBS_ENC_KEY;
    sg17_put_u8(w, pre);
    if (p->name) {
        size_t n = strlen(p->name);
        if (n > V2X_MAX_NAME)
            sg17_writer_fail(w);
        sg17_put_u8(w, OER_TAG(ID_NAME));
        oer_put_octets(w, (const uint8_t *)p->name, n);
    } else {
        sg17_put_u8(w, OER_TAG(ID_NONE));
    }
    sg17_put_bytes(w, p->craca_id, 3);
    sg17_put_u16(w, p->crl_series);
    sg17_put_u32(w, p->validity.start);
    if (p->validity.unit > V2X_DUR_YEARS)
        sg17_writer_fail(w);
    sg17_put_u8(w, OER_TAG(p->validity.unit));
    sg17_put_u16(w, p->validity.value);
    if (pre & TBS_REGION)
        put_region(w, &p->region);
    if (pre & TBS_ASSURANCE)
        sg17_put_u8(w, p->assurance);
    if (pre & TBS_APP_PERMS) {
        if (p->n_psids > V2X_MAX_PSIDS)
            sg17_writer_fail(w);
        oer_put_count(w, p->n_psids);
        for (size_t i = 0; i < p->n_psids && i < V2X_MAX_PSIDS; i++)
            v2x_put_psid_ssp(w, &p->psids[i]);
    }
    if (pre & TBS_ISSUE_PERMS) {
        /* one PsidGroupPermissions: every DEFAULT left out, subjectPermissions all */
        oer_put_count(w, 1);
        sg17_put_u8(w, 0x00);
        sg17_put_u8(w, OER_TAG(1));
    }
    if (pre & TBS_ENC_KEY) {
        sg17_put_u8(w, 0x00);       /* supportedSymmAlg aes128Ccm */
        sg17_put_u8(w, OER_TAG(0)); /* eciesNistP256 */
        v2x_put_point(w, V2X_CURVE_P256, enc_point);
    }
    if (p->type == V2X_CERT_IMPLICIT) {
        sg17_put_u8(w, OER_TAG(1)); /* reconstructionValue */
        v2x_put_point(w, V2X_CURVE_P256, key_point);
    } else {
        sg17_put_u8(w, OER_TAG(0)); /* verificationKey */
        v2x_put_verification_key(w, curve, key_point);
    }
}

/* The certificate's hash algorithm: that of its own key's curve (P-256 for implicit). */
static v2x_hash_t cert_hash_alg(const v2x_cert_view_t *v)
{
    return v2x_curve_hash(v->curve);
}

/* Writes the CertificateBase header (preamble, version, type, issuer); issuer_view NULL = self
 * (with hash h). */
static void put_header(sg17_writer_t *w, bool signed_cert, v2x_cert_type_t type,
                       const v2x_cert_view_t *issuer_view, const uint8_t *issuer_id, v2x_hash_t h)
{
    sg17_put_u8(w, signed_cert ? 0x80 : 0x00);
    sg17_put_u8(w, 3);
    sg17_put_u8(w, type == V2X_CERT_IMPLICIT ? 1 : 0);
    if (!issuer_view) {
        sg17_put_u8(w, OER_TAG(ISSUER_SELF));
        sg17_put_u8(w, h == V2X_HASH_SHA384 ? 1 : 0);
    } else if (cert_hash_alg(issuer_view) == V2X_HASH_SHA384) {
        sg17_put_u8(w, OER_TAG(ISSUER_SHA384));
        oer_put_octets(w, issuer_id, 8);
    } else {
        sg17_put_u8(w, OER_TAG(ISSUER_SHA256));
        sg17_put_bytes(w, issuer_id, 8);
    }
}

/* The issuer's view, hash and HashedId8 from its encoding. */
static int load_issuer(const uint8_t *cert, size_t len, v2x_cert_view_t *v, uint8_t *hash,
                       uint8_t id[8])
{
    int rc = v2x_cert_decode(cert, len, v);
    if (rc != V2X_OK)
        return rc;
    v2x_hash_t h = cert_hash_alg(v);
    if (v2x_hash(h, cert, len, hash) != V2X_OK)
        return V2X_ECRYPTO;
    memcpy(id, hash + v2x_hash_size(h) - 8, 8);
    return V2X_OK;
}

static int params_ok(const v2x_cert_params_t *p)
{
    if (!p || (p->name && strlen(p->name) > V2X_MAX_NAME) || p->n_psids > V2X_MAX_PSIDS
        || p->validity.unit > V2X_DUR_YEARS)
        return V2X_EARG;
    return V2X_OK;
}

int v2x_cert_issue(const v2x_cert_params_t *p, const EVP_PKEY *subject_key,
                   const EVP_PKEY *issuer_key, const uint8_t *issuer_cert, size_t issuer_cert_len,
                   uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t key_point[V2X_MAX_POINT], enc_point[V2X_MAX_POINT], r_point[V2X_MAX_POINT];
    uint8_t s[V2X_MAX_FIELD], issuer_hash[V2X_MAX_HASH], issuer_id[8];
    size_t kl;
    v2x_cert_view_t iv;
    int rc = params_ok(p);
    if (rc != V2X_OK || p->type != V2X_CERT_EXPLICIT || !subject_key || !issuer_key)
        return V2X_EARG;
    v2x_curve_t curve = v2x_key_curve(subject_key), icurve = v2x_key_curve(issuer_key);
    if (curve == V2X_CURVE_NONE || icurve == V2X_CURVE_NONE)
        return V2X_EARG;
    if ((rc = v2x_key_public_compressed(subject_key, key_point, sizeof key_point, &kl)) != V2X_OK)
        return rc;
    if (p->enc_key) {
        if (v2x_key_curve(p->enc_key) != V2X_CURVE_P256)
            return V2X_EARG;
        if ((rc = v2x_key_public_compressed(p->enc_key, enc_point, sizeof enc_point, &kl))
            != V2X_OK)
            return rc;
    }
    v2x_hash_t h = v2x_curve_hash(icurve);
    if (issuer_cert) {
        if ((rc = load_issuer(issuer_cert, issuer_cert_len, &iv, issuer_hash, issuer_id)) != V2X_OK)
            return rc;
        if (iv.curve != icurve || iv.type != V2X_CERT_EXPLICIT)
            return V2X_EARG;
    } else {
        if (icurve != curve)
            return V2X_EARG;
        if ((rc = v2x_hash(h, NULL, 0, issuer_hash)) != V2X_OK)
            return rc;
    }
    sg17_writer_t w = sg17_writer(out, cap);
    put_header(&w, true, V2X_CERT_EXPLICIT, issuer_cert ? &iv : NULL, issuer_id, h);
    size_t tbs_off = w.len;
    put_tbs(&w, p, curve, key_point, p->enc_key ? enc_point : NULL);
    if (!sg17_writer_ok(&w))
        return V2X_ESPACE;
    rc =
        v2x_sign_input(issuer_key, icurve, out + tbs_off, w.len - tbs_off, issuer_hash, r_point, s);
    if (rc != V2X_OK)
        return rc;
    v2x_put_signature(&w, icurve, r_point, s);
    return sg17_writer_finish(&w, out_len) == 0 ? V2X_OK : V2X_ESPACE;
}

/* ---- decoding ---- */

void v2x_get_psid_ssp(sg17_reader_t *r, v2x_psid_ssp_t *p)
{
    uint8_t pre = sg17_get_u8(r);
    if (pre & 0x7f)
        sg17_reader_fail(r);
    p->psid = oer_get_uint(r);
    p->has_ssp = pre & 0x80;
    p->bitmap = false;
    p->ssp_len = 0;
    if (!p->has_ssp)
        return;
    int tag = oer_get_tag(r);
    size_t n = 0;
    const uint8_t *v = NULL;
    if (tag == 0) {
        v = oer_get_octets(r, &n);
    } else if (tag == 1) {
        size_t on;
        const uint8_t *o = oer_get_octets(r, &on);
        sg17_reader_t sub = sg17_reader(o, on);
        v = oer_get_octets(&sub, &n);
        if (!o || !sg17_reader_done(&sub))
            sg17_reader_fail(r);
        p->bitmap = true;
    } else {
        sg17_reader_fail(r);
    }
    if (n > V2X_MAX_SSP)
        sg17_reader_fail(r);
    if (v && sg17_reader_ok(r)) {
        memcpy(p->ssp, v, n);
        p->ssp_len = (uint8_t)n;
    }
}

/* SspRange (opaque SequenceOfOctetString | all | bitmapSspRange as open type): checked, not
 * kept. */
static void skip_ssp_range(sg17_reader_t *r)
{
    int tag = oer_get_tag(r);
    size_t n;
    if (tag == 0) {
        size_t k = oer_get_count(r);
        for (size_t i = 0; i < k && sg17_reader_ok(r); i++)
            oer_get_octets(r, &n);
    } else if (tag == 1) {
        /* all: NULL */
    } else if (tag == 2) {
        oer_get_octets(r, &n);
    } else {
        sg17_reader_fail(r);
    }
}

/* SequenceOfPsidGroupPermissions (certIssuePermissions / certRequestPermissions): checked. */
static void skip_group_permissions(sg17_reader_t *r)
{
    size_t k = oer_get_count(r);
    if (k == 0)
        sg17_reader_fail(r);
    for (size_t i = 0; i < k && sg17_reader_ok(r); i++) {
        uint8_t pre = sg17_get_u8(r);
        if (pre & 0x1f)
            sg17_reader_fail(r);
        int tag = oer_get_tag(r);
        if (tag == 0) {
            size_t m = oer_get_count(r);
            for (size_t j = 0; j < m && sg17_reader_ok(r); j++) {
                uint8_t ppre = sg17_get_u8(r);
                if (ppre & 0x7f)
                    sg17_reader_fail(r);
                oer_get_uint(r);
                if (ppre & 0x80)
                    skip_ssp_range(r);
            }
        } else if (tag != 1) {
            sg17_reader_fail(r);
        }
        if (pre & 0x80)
            oer_get_int(r); /* minChainLength */
        if (pre & 0x40)
            oer_get_int(r); /* chainLengthRange */
        if (pre & 0x20)
            sg17_get_u8(r); /* eeType */
    }
}

static void get_cert_id(sg17_reader_t *r, v2x_cert_view_t *v, bool *unsupported)
{
    int tag = oer_get_tag(r);
    size_t n;
    const uint8_t *p;
    v->has_name = false;
    v->name[0] = '\0';
    switch (tag) {
    case ID_LINKAGE: {
        uint8_t pre = sg17_get_u8(r);
        if (pre & 0x7f)
            sg17_reader_fail(r);
        sg17_get_bytes(r, 2 + 9);
        if (pre & 0x80)
            sg17_get_bytes(r, 8 + 9);
        break;
    }
    case ID_NAME:
        p = oer_get_octets(r, &n);
        if (n > 255)
            sg17_reader_fail(r);
        if (p && n <= V2X_MAX_NAME) {
            memcpy(v->name, p, n);
            v->name[n] = '\0';
            v->has_name = memchr(p, 0, n) == NULL;
        } else if (p) {
            *unsupported = true;
        }
        break;
    case ID_BINARY:
        oer_get_octets(r, &n);
        if (n < 1 || n > 64)
            sg17_reader_fail(r);
        break;
    case ID_NONE:
        break;
    default:
        sg17_reader_fail(r);
    }
}

static void get_region(sg17_reader_t *r, v2x_region_t *g, bool *unsupported)
{
    int tag = oer_get_tag(r);
    if (tag == REGION_CIRCLE) {
        g->kind = V2X_REGION_CIRCLE;
        g->center = get_2dloc(r);
        g->radius_m = sg17_get_u16(r);
    } else if (tag == REGION_RECT) {
        g->kind = V2X_REGION_RECT;
        size_t k = oer_get_count(r);
        if (k == 0)
            sg17_reader_fail(r);
        if (k > V2X_MAX_RECTS) {
            *unsupported = true;
            sg17_reader_fail(r);
            return;
        }
        g->n_rects = k;
        for (size_t i = 0; i < k; i++) {
            g->rects[i].nw = get_2dloc(r);
            g->rects[i].se = get_2dloc(r);
        }
    } else {
        /* polygonal and identified regions are outside the subset */
        *unsupported = sg17_reader_ok(r);
        sg17_reader_fail(r);
    }
}

/* Decodes a certificate from r; *unsupported says a refusal was for the subset, not the
 * encoding. */
static void get_cert(sg17_reader_t *r, v2x_cert_view_t *v, bool *unsupported)
{
    size_t start = r->pos;
    memset(v, 0, sizeof *v);
    uint8_t pre = sg17_get_u8(r);
    if (pre & 0x7f)
        sg17_reader_fail(r);
    v->has_signature = pre & 0x80;
    if (sg17_get_u8(r) != 3)
        sg17_reader_fail(r);
    uint8_t type = sg17_get_u8(r);
    if (type > 1)
        sg17_reader_fail(r);
    v->type = type ? V2X_CERT_IMPLICIT : V2X_CERT_EXPLICIT;
    int itag = oer_get_tag(r);
    if (itag == ISSUER_SHA256) {
        v->issuer_hash = V2X_HASH_SHA256;
        sg17_get_copy(r, v->issuer, 8);
    } else if (itag == ISSUER_SELF) {
        v->self_signed = true;
        uint8_t h = sg17_get_u8(r);
        if (h > 1)
            sg17_reader_fail(r);
        v->issuer_hash = h ? V2X_HASH_SHA384 : V2X_HASH_SHA256;
    } else if (itag == ISSUER_SHA384) {
        size_t n;
        const uint8_t *p = oer_get_octets(r, &n);
        if (n != 8)
            sg17_reader_fail(r);
        if (p && n == 8)
            memcpy(v->issuer, p, 8);
        v->issuer_hash = V2X_HASH_SHA384;
    } else {
        sg17_reader_fail(r);
    }
    v->tbs_off = r->pos;
    uint8_t tp = sg17_get_u8(r);
    if (tp & 0x80) { /* extensions of ToBeSignedCertificate */
        *unsupported = sg17_reader_ok(r);
        sg17_reader_fail(r);
    }
    get_cert_id(r, v, unsupported);
    sg17_get_copy(r, v->craca_id, 3);
    v->crl_series = sg17_get_u16(r);
    v->validity.start = sg17_get_u32(r);
    int unit = oer_get_tag(r);
    if (unit < 0 || unit > V2X_DUR_YEARS)
        sg17_reader_fail(r);
    v->validity.unit = (v2x_duration_unit_t)(unit < 0 ? 0 : unit);
    v->validity.value = sg17_get_u16(r);
    if (tp & TBS_REGION)
        get_region(r, &v->region, unsupported);
    if (tp & TBS_ASSURANCE) {
        v->has_assurance = true;
        v->assurance = sg17_get_u8(r);
    }
    if (tp & TBS_APP_PERMS) {
        size_t k = oer_get_count(r);
        if (k > V2X_MAX_PSIDS) {
            *unsupported = sg17_reader_ok(r);
            sg17_reader_fail(r);
        }
        v->n_psids = sg17_reader_ok(r) ? k : 0;
        for (size_t i = 0; i < v->n_psids; i++)
            v2x_get_psid_ssp(r, &v->psids[i]);
    }
    if (tp & TBS_ISSUE_PERMS) {
        v->ca = true;
        skip_group_permissions(r);
    }
    if (tp & TBS_REQUEST_PERMS)
        skip_group_permissions(r);
    if (tp & TBS_ENC_KEY) {
        if (sg17_get_u8(r) != 0) /* aes128Ccm */
            sg17_reader_fail(r);
        int et = oer_get_tag(r);
        if (et != 0 && et != 1)
            sg17_reader_fail(r);
        v->has_enc_key = true;
        v->enc_curve = et == 1 ? V2X_CURVE_BP256 : V2X_CURVE_P256;
        v2x_get_point(r, v->enc_curve, v->enc_point);
    }
    int vk = oer_get_tag(r);
    if (vk == 0 && v->type == V2X_CERT_EXPLICIT) {
        v2x_get_verification_key(r, &v->curve, v->key_point);
    } else if (vk == 1 && v->type == V2X_CERT_IMPLICIT) {
        v->curve = V2X_CURVE_P256;
        v2x_get_point(r, V2X_CURVE_P256, v->key_point);
    } else {
        sg17_reader_fail(r);
    }
    v->tbs_len = r->pos - v->tbs_off;
    /* TS 103 097 §6: explicit certificates are signed, implicit ones are not */
    if (v->has_signature != (v->type == V2X_CERT_EXPLICIT))
        sg17_reader_fail(r);
    if (v->has_signature)
        v2x_get_signature(r, &v->sig_curve, v->sig_r, v->sig_s, false);
    if (v->self_signed && v->issuer_hash != v2x_curve_hash(v->curve))
        sg17_reader_fail(r);
    v->len = r->pos - start;
}

int v2x_cert_decode_prefix(const uint8_t *buf, size_t len, v2x_cert_view_t *v, size_t *used)
{
    if (!buf || !v)
        return V2X_EARG;
    sg17_reader_t r = sg17_reader(buf, len);
    bool unsupported = false;
    get_cert(&r, v, &unsupported);
    if (!sg17_reader_ok(&r))
        return unsupported ? V2X_EUNSUPPORTED : V2X_EMALFORMED;
    if (v->len > V2X_CERT_MAX)
        return V2X_EUNSUPPORTED;
    if (used)
        *used = r.pos;
    return V2X_OK;
}

int v2x_cert_decode(const uint8_t *buf, size_t len, v2x_cert_view_t *v)
{
    size_t used = 0;
    int rc = v2x_cert_decode_prefix(buf, len, v, &used);
    if (rc == V2X_OK && used != len)
        return V2X_EMALFORMED;
    return rc;
}

int v2x_cert_hashedid8(const uint8_t *cert, size_t len, uint8_t out[8])
{
    v2x_cert_view_t v;
    uint8_t h[V2X_MAX_HASH];
    int rc = v2x_cert_decode(cert, len, &v);
    if (rc != V2X_OK)
        return rc;
    v2x_hash_t alg = cert_hash_alg(&v);
    if (v2x_hash(alg, cert, len, h) != V2X_OK)
        return V2X_ECRYPTO;
    memcpy(out, h + v2x_hash_size(alg) - 8, 8);
    return V2X_OK;
}

/* ---- ECQV (SEC 4 §3, IEEE 1609.2 §5.3.2) ---- */

/* e = Hn(H(H(tbs) || H(issuer))): the leftmost floor(log2 n) = 255 bits of the digest. */
static BIGNUM *ecqv_e(const uint8_t *tbs, size_t tbs_len, const uint8_t *issuer_hash)
{
    uint8_t d[32];
    if (v2x_signature_digest(V2X_HASH_SHA256, tbs, tbs_len, issuer_hash, d) != V2X_OK)
        return NULL;
    BIGNUM *e = BN_bin2bn(d, 32, NULL);
    if (e && !BN_rshift1(e, e)) {
        BN_free(e);
        e = NULL;
    }
    return e;
}

static BIGNUM *priv_bn(const EVP_PKEY *k)
{
    uint8_t d[32];
    size_t n;
    if (v2x_key_private_bytes(k, d, sizeof d, &n) != V2X_OK)
        return NULL;
    BIGNUM *b = BN_secure_new();
    if (b && !BN_bin2bn(d, (int)n, b)) {
        BN_clear_free(b);
        b = NULL;
    }
    OPENSSL_cleanse(d, sizeof d);
    return b;
}

int v2x_cert_issue_implicit(const v2x_cert_params_t *p, const EVP_PKEY *request_key,
                            const EVP_PKEY *issuer_key, const uint8_t *issuer_cert,
                            size_t issuer_cert_len, uint8_t *out, size_t cap, size_t *out_len,
                            uint8_t r_out[32])
{
    uint8_t ru[V2X_MAX_POINT], pu[V2X_MAX_POINT], issuer_hash[V2X_MAX_HASH], issuer_id[8];
    uint8_t enc_point[V2X_MAX_POINT];
    size_t n;
    v2x_cert_view_t iv;
    int rc = params_ok(p);
    if (rc != V2X_OK || p->type != V2X_CERT_IMPLICIT || !request_key || !issuer_key || !issuer_cert
        || !r_out || v2x_key_curve(request_key) != V2X_CURVE_P256
        || v2x_key_curve(issuer_key) != V2X_CURVE_P256)
        return V2X_EARG;
    if ((rc = load_issuer(issuer_cert, issuer_cert_len, &iv, issuer_hash, issuer_id)) != V2X_OK)
        return rc;
    if (iv.curve != V2X_CURVE_P256)
        return V2X_EARG;
    if ((rc = v2x_key_public_compressed(request_key, ru, sizeof ru, &n)) != V2X_OK)
        return rc;
    if (p->enc_key
        && (v2x_key_curve(p->enc_key) != V2X_CURVE_P256
            || v2x_key_public_compressed(p->enc_key, enc_point, sizeof enc_point, &n) != V2X_OK))
        return V2X_EARG;
    rc = V2X_ECRYPTO;
    EC_GROUP *g = v2x_curve_group(V2X_CURVE_P256);
    EC_POINT *R = g ? EC_POINT_new(g) : NULL, *P = g ? EC_POINT_new(g) : NULL;
    BN_CTX *bn = BN_CTX_new();
    EVP_PKEY *kp = v2x_key_generate(V2X_CURVE_P256);
    BIGNUM *k = kp ? priv_bn(kp) : NULL, *dca = priv_bn(issuer_key), *e = NULL, *r = BN_new();
    if (!R || !P || !bn || !k || !dca || !r || EC_POINT_oct2point(g, R, ru, 33, bn) != 1
        || EC_POINT_mul(g, P, k, NULL, NULL, bn) != 1 || EC_POINT_add(g, P, P, R, bn) != 1
        || EC_POINT_point2oct(g, P, POINT_CONVERSION_COMPRESSED, pu, sizeof pu, bn) != 33)
        goto done;
    sg17_writer_t w = sg17_writer(out, cap);
    put_header(&w, false, V2X_CERT_IMPLICIT, &iv, issuer_id, V2X_HASH_SHA256);
    size_t tbs_off = w.len;
    put_tbs(&w, p, V2X_CURVE_P256, pu, p->enc_key ? enc_point : NULL);
    if (sg17_writer_finish(&w, out_len) != 0) {
        rc = V2X_ESPACE;
        goto done;
    }
    e = ecqv_e(out + tbs_off, *out_len - tbs_off, issuer_hash);
    if (e && BN_mod_mul(r, e, k, EC_GROUP_get0_order(g), bn)
        && BN_mod_add(r, r, dca, EC_GROUP_get0_order(g), bn) && BN_bn2binpad(r, r_out, 32) == 32)
        rc = V2X_OK;
done:
    BN_free(e);
    BN_clear_free(r);
    BN_clear_free(dca);
    BN_clear_free(k);
    EVP_PKEY_free(kp);
    BN_CTX_free(bn);
    EC_POINT_free(P);
    EC_POINT_free(R);
    EC_GROUP_free(g);
    return rc;
}

EVP_PKEY *v2x_cert_implicit_private(const EVP_PKEY *request_key, const uint8_t r[32],
                                    const uint8_t *cert, size_t cert_len,
                                    const uint8_t *issuer_cert, size_t issuer_cert_len)
{
    v2x_cert_view_t v, iv;
    uint8_t issuer_hash[V2X_MAX_HASH], issuer_id[8], d[32];
    EVP_PKEY *out = NULL;
    if (!request_key || !r || v2x_cert_decode(cert, cert_len, &v) != V2X_OK
        || v.type != V2X_CERT_IMPLICIT
        || load_issuer(issuer_cert, issuer_cert_len, &iv, issuer_hash, issuer_id) != V2X_OK
        || memcmp(issuer_id, v.issuer, 8) != 0)
        return NULL;
    EC_GROUP *g = v2x_curve_group(V2X_CURVE_P256);
    BN_CTX *bn = BN_CTX_new();
    BIGNUM *ku = priv_bn(request_key), *rb = BN_secure_new(), *du = BN_secure_new();
    BIGNUM *e = ecqv_e(cert + v.tbs_off, v.tbs_len, issuer_hash);
    if (g && bn && ku && rb && du && e && BN_bin2bn(r, 32, rb)
        && BN_mod_mul(du, e, ku, EC_GROUP_get0_order(g), bn)
        && BN_mod_add(du, du, rb, EC_GROUP_get0_order(g), bn) && BN_bn2binpad(du, d, 32) == 32)
        out = v2x_key_from_private(V2X_CURVE_P256, d, 32);
    OPENSSL_cleanse(d, sizeof d);
    BN_free(e);
    BN_clear_free(du);
    BN_clear_free(rb);
    BN_clear_free(ku);
    BN_CTX_free(bn);
    EC_GROUP_free(g);
    return out;
}

/* Q_U = e P_U + Q_CA for an implicit certificate. */
static EVP_PKEY *implicit_public(const uint8_t *cert, const v2x_cert_view_t *v,
                                 const v2x_cert_t *issuer)
{
    EVP_PKEY *out = NULL;
    uint8_t qca[V2X_MAX_POINT], qu[V2X_MAX_POINT];
    size_t n;
    if (!issuer || issuer->view.curve != V2X_CURVE_P256
        || memcmp(issuer->hashedid8, v->issuer, 8) != 0
        || v2x_key_public_compressed(issuer->key, qca, sizeof qca, &n) != V2X_OK)
        return NULL;
    EC_GROUP *g = v2x_curve_group(V2X_CURVE_P256);
    BN_CTX *bn = BN_CTX_new();
    EC_POINT *P = g ? EC_POINT_new(g) : NULL, *Q = g ? EC_POINT_new(g) : NULL;
    BIGNUM *e = ecqv_e(cert + v->tbs_off, v->tbs_len, issuer->hash);
    if (P && Q && bn && e && EC_POINT_oct2point(g, P, v->key_point, 33, bn) == 1
        && EC_POINT_oct2point(g, Q, qca, 33, bn) == 1 && EC_POINT_mul(g, P, NULL, P, e, bn) == 1
        && EC_POINT_add(g, Q, Q, P, bn) == 1
        && EC_POINT_point2oct(g, Q, POINT_CONVERSION_COMPRESSED, qu, sizeof qu, bn) == 33)
        out = v2x_key_from_point(V2X_CURVE_P256, qu, 33);
    BN_free(e);
    EC_POINT_free(Q);
    EC_POINT_free(P);
    BN_CTX_free(bn);
    EC_GROUP_free(g);
    return out;
}

/* ---- certificate objects and checks ---- */

v2x_cert_t *v2x_cert_new(const uint8_t *cert, size_t len, const v2x_cert_t *issuer, int *err)
{
    int rc = V2X_EARG;
    v2x_cert_t *c = NULL;
    if (!cert || len > V2X_CERT_MAX)
        goto fail;
    c = calloc(1, sizeof *c);
    if (!c) {
        rc = V2X_ECRYPTO;
        goto fail;
    }
    memcpy(c->bytes, cert, len);
    c->len = len;
    if ((rc = v2x_cert_decode(c->bytes, len, &c->view)) != V2X_OK)
        goto fail;
    v2x_hash_t h = cert_hash_alg(&c->view);
    rc = V2X_ECRYPTO;
    if (v2x_hash(h, c->bytes, len, c->hash) != V2X_OK)
        goto fail;
    memcpy(c->hashedid8, c->hash + v2x_hash_size(h) - 8, 8);
    if (c->view.type == V2X_CERT_IMPLICIT) {
        c->key = implicit_public(c->bytes, &c->view, issuer);
        rc = issuer ? V2X_EISSUER : V2X_EARG;
    } else {
        c->key =
            v2x_key_from_point(c->view.curve, c->view.key_point, 1 + v2x_curve_size(c->view.curve));
        rc = V2X_EMALFORMED; /* x not on the curve */
    }
    if (!c->key)
        goto fail;
    if ((rc = v2x_key_ec_point(c->key, c->view.curve, &c->group, &c->point)) != V2X_OK)
        goto fail;
    rc = V2X_ECRYPTO;
    if (!(c->vctx = EVP_PKEY_CTX_new(c->key, NULL)) || EVP_PKEY_verify_init(c->vctx) != 1)
        goto fail;
    if (c->view.has_enc_key) {
        c->enc_key = v2x_key_from_point(c->view.enc_curve, c->view.enc_point,
                                        1 + v2x_curve_size(c->view.enc_curve));
        rc = V2X_EMALFORMED;
        if (!c->enc_key)
            goto fail;
    }
    if (err)
        *err = V2X_OK;
    return c;
fail:
    v2x_cert_destroy(&c);
    if (err)
        *err = rc;
    return NULL;
}

void v2x_cert_destroy(v2x_cert_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    v2x_cert_t *c = *self_p;
    EVP_PKEY_CTX_free(c->vctx);
    EVP_PKEY_free(c->key);
    EVP_PKEY_free(c->enc_key);
    EC_POINT_free(c->point);
    free(c);
    *self_p = NULL;
}

int v2x_cert_check_time(const v2x_cert_view_t *v, uint64_t t64)
{
    uint64_t start = (uint64_t)v->validity.start * 1000000u;
    return t64 >= start && t64 < v2x_validity_end64(&v->validity) ? V2X_OK : V2X_EEXPIRED;
}

const v2x_psid_ssp_t *v2x_cert_permission(const v2x_cert_view_t *v, uint64_t psid)
{
    for (size_t i = 0; i < v->n_psids; i++)
        if (v->psids[i].psid == psid)
            return &v->psids[i];
    return NULL;
}

int v2x_cert_check_issued(const v2x_cert_t *cert, const v2x_cert_t *issuer)
{
    if (!cert || !issuer)
        return V2X_EARG;
    const v2x_cert_view_t *v = &cert->view, *iv = &issuer->view;
    uint8_t empty[V2X_MAX_HASH];
    const uint8_t *issuer_hash = issuer->hash;
    if (v->self_signed) {
        if (cert != issuer
            && (cert->len != issuer->len || memcmp(cert->bytes, issuer->bytes, cert->len) != 0))
            return V2X_EISSUER;
        if (v2x_hash(v->issuer_hash, NULL, 0, empty) != V2X_OK)
            return V2X_ECRYPTO;
        issuer_hash = empty;
    } else {
        if (memcmp(v->issuer, issuer->hashedid8, 8) != 0 || v->issuer_hash != cert_hash_alg(iv)
            || !iv->ca)
            return V2X_EISSUER;
        /* the issuer's validity and region contain the subject's (1609.2 §5.1.2.4) */
        if (v->validity.start < iv->validity.start
            || v2x_validity_end64(&v->validity) > v2x_validity_end64(&iv->validity)
            || !v2x_region_within(&v->region, &iv->region))
            return V2X_EISSUER;
    }
    if (v->type == V2X_CERT_IMPLICIT)
        return V2X_OK; /* bound by the reconstruction in v2x_cert_new */
    if (v->sig_curve != iv->curve)
        return V2X_ESIGNATURE;
    uint8_t dgst[V2X_MAX_HASH];
    v2x_hash_t h = v2x_curve_hash(iv->curve);
    if (v2x_signature_digest(h, cert->bytes + v->tbs_off, v->tbs_len, issuer_hash, dgst) != V2X_OK)
        return V2X_ECRYPTO;
    return v2x_ecdsa_verify_full(issuer->group, issuer->point, dgst, v2x_hash_size(h), v->sig_r,
                                 v->sig_s);
}
