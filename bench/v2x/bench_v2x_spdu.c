/* bench_v2x_spdu.c — SPDU verification and signing through the module's whole path, against raw
 * OpenSSL ECDSA P-256 measured in the same run.
 *
 * Module verify path, as a receiver runs it for one CAM: v2x_spdu_decode (canonical OER, the
 * embedded certificate parsed and hashed for its HashedId8) + v2x_spdu_verify against the
 * certificate object the receiver cached when it checked the chain (a real stack verifies the
 * chain once per certificate, not per message): the signature input H(H(tbs) || H(cert)) and
 * OpenSSL's ECDSA with the context the certificate object prepared. The strict full-R check of
 * the `verify` tool (R's y parity, one more modular inverse) is printed too. Baseline: the fastest
 * plain OpenSSL way to check one ECDSA P-256 signature over the same to-be-signed octets with the
 * key prepared once — the faster of EVP_DigestVerify (hash inside) and EVP_PKEY_verify on a SHA-256
 * digest computed per message with the EVP_PKEY_CTX initialised once. Sign: v2x_spdu_sign_with
 * (certificate signer, compressed R, the signer prepared once as a sender keeps it; and the
 * one-shot v2x_spdu_sign that prepares it per message) against EVP_DigestSign with the key prepared
 * once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "proto/v2x_proto.h"

#define BENCH_SECONDS 4.5 /* per operation, over all rounds */

typedef struct {
    EVP_PKEY *root_key, *at_key;
    uint8_t root[V2X_CERT_MAX], at[V2X_CERT_MAX];
    size_t root_len, at_len;
    v2x_cert_t *at_c;
    v2x_signer_t *signer;
    uint8_t payload[128];
    size_t payload_len;
    uint8_t spdu[V2X_SPDU_MAX], digest_spdu[V2X_SPDU_MAX], out[V2X_SPDU_MAX];
    size_t spdu_len, digest_len;
    /* baseline */
    const uint8_t *tbs;
    size_t tbs_len;
    uint8_t der[80];
    size_t der_len;
    EVP_MD_CTX *md;
    EVP_PKEY_CTX *vctx;
} bench_t;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The operations measured, run in interleaved slices so that the load of a shared machine
 * falls on baseline and module alike: ROUNDS rounds, each giving every operation one slice of
 * BENCH_SECONDS / ROUNDS. A ratio is the median over the rounds of module rate / baseline rate
 * within the same round (robust to the load changing between rounds); the rates printed are
 * the totals. */
#define ROUNDS 30
#define N_OPS  9
typedef struct {
    int (*op)(bench_t *);
    long n;
    double seconds;
    double round_rate[ROUNDS];
    int ok;
} meter_t;

static void run_interleaved(meter_t *m, size_t count, bench_t *b)
{
    for (size_t i = 0; i < count; i++)
        m[i].ok = 1;
    for (int round = 0; round < ROUNDS; round++)
        for (size_t i = 0; i < count; i++) {
            double t0 = now(), elapsed;
            long n = 0;
            do {
                m[i].ok &= m[i].op(b);
                n++;
            } while ((elapsed = now() - t0) < BENCH_SECONDS / ROUNDS);
            m[i].n += n;
            m[i].seconds += elapsed;
            m[i].round_rate[round] = (double)n / elapsed;
        }
}

static double rate_of(const meter_t *m)
{
    return m->ok ? (double)m->n / m->seconds : 0.0;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median over the rounds of m's rate over base's rate in the same round. */
static double median_ratio(const meter_t *m, const meter_t *base)
{
    double r[ROUNDS];
    for (int i = 0; i < ROUNDS; i++)
        r[i] = m->round_rate[i] / base->round_rate[i];
    qsort(r, ROUNDS, sizeof r[0], by_value);
    return m->ok && base->ok ? (r[ROUNDS / 2 - 1] + r[ROUNDS / 2]) / 2 : 0.0;
}

static void result(const char *name, const meter_t *m, const meter_t *base)
{
    printf("RESULT name=%s value=%.4g unit=ops/s baseline=%.4g ratio=%.4g\n", name, rate_of(m),
           rate_of(base), median_ratio(m, base));
}

static int module_verify(bench_t *b)
{
    v2x_spdu_t s;
    return v2x_spdu_decode(b->spdu, b->spdu_len, &s) == V2X_OK
           && v2x_spdu_verify(&s, b->at_c) == V2X_OK;
}

static int module_verify_digest(bench_t *b)
{
    v2x_spdu_t s;
    return v2x_spdu_decode(b->digest_spdu, b->digest_len, &s) == V2X_OK
           && v2x_spdu_verify(&s, b->at_c) == V2X_OK;
}

/* A receiver with no cache: the carried certificate loaded (point decompressed) every time. */
static int module_verify_uncached(bench_t *b)
{
    v2x_spdu_t s;
    return v2x_spdu_decode(b->spdu, b->spdu_len, &s) == V2X_OK
           && v2x_spdu_verify(&s, NULL) == V2X_OK;
}

static int module_verify_full_r(bench_t *b)
{
    v2x_spdu_t s;
    return v2x_spdu_decode(b->spdu, b->spdu_len, &s) == V2X_OK
           && v2x_spdu_verify_full_r(&s, b->at_c) == V2X_OK;
}

static int raw_verify_digestverify(bench_t *b)
{
    return EVP_DigestVerifyInit(b->md, NULL, EVP_sha256(), NULL, b->at_key) == 1
           && EVP_DigestVerify(b->md, b->der, b->der_len, b->tbs, b->tbs_len) == 1;
}

static int raw_verify_prepared_ctx(bench_t *b)
{
    uint8_t d[32];
    return EVP_Digest(b->tbs, b->tbs_len, d, NULL, EVP_sha256(), NULL) == 1
           && EVP_PKEY_verify(b->vctx, b->der, b->der_len, d, sizeof d) == 1;
}

/* The signer as a sender keeps it: signing context, public point and H(certificate) made once. */
static int module_sign(bench_t *b)
{
    v2x_sign_params_t p = {.psid = V2X_PSID_CAM,
                           .generation_time = 600000000000000ull,
                           .signer = V2X_SIGNER_CERTIFICATE};
    size_t n;
    return v2x_spdu_sign_with(&p, b->payload, b->payload_len, b->signer, b->out, sizeof b->out, &n)
           == V2X_OK;
}

/* The one-shot call: the signer prepared (certificate decoded and hashed) for every message. */
static int module_sign_oneshot(bench_t *b)
{
    v2x_sign_params_t p = {.psid = V2X_PSID_CAM,
                           .generation_time = 600000000000000ull,
                           .signer = V2X_SIGNER_CERTIFICATE};
    size_t n;
    return v2x_spdu_sign(&p, b->payload, b->payload_len, b->at_key, b->at, b->at_len, b->out,
                         sizeof b->out, &n)
           == V2X_OK;
}

static int raw_sign(bench_t *b)
{
    uint8_t der[80];
    size_t n = sizeof der;
    return EVP_DigestSignInit(b->md, NULL, EVP_sha256(), NULL, b->at_key) == 1
           && EVP_DigestSign(b->md, der, &n, b->tbs, b->tbs_len) == 1;
}

static int setup(bench_t *b)
{
    b->root_key = v2x_key_generate(V2X_CURVE_P256);
    b->at_key = v2x_key_generate(V2X_CURVE_P256);
    b->md = EVP_MD_CTX_new();
    if (!b->root_key || !b->at_key || !b->md)
        return -1;
    v2x_cert_params_t p = {.validity = {500000000u, V2X_DUR_YEARS, 10}, .ca = true};
    p.n_psids = 1;
    p.psids[0].psid = V2X_PSID_CAM;
    if (v2x_cert_issue(&p, b->root_key, b->root_key, NULL, 0, b->root, sizeof b->root, &b->root_len)
        != V2X_OK)
        return -1;
    p.ca = false;
    p.validity.value = 1;
    if (v2x_cert_issue(&p, b->at_key, b->root_key, b->root, b->root_len, b->at, sizeof b->at,
                       &b->at_len)
        != V2X_OK)
        return -1;
    b->at_c = v2x_cert_new(b->at, b->at_len, NULL, NULL);
    b->signer = v2x_signer_new(b->at_key, b->at, b->at_len, NULL);
    if (!b->signer)
        return -1;
    /* a CAM-sized payload: GN SHB + BTP-B + a CAM */
    v2x_cam_t cam;
    v2x_cam_init(&cam, 1234);
    uint8_t app[64];
    size_t al;
    v2x_gn_t g = {.kind = V2X_GN_SHB, .btp_port = V2X_BTP_PORT_CAM};
    if (!b->at_c || v2x_cam_encode(&cam, app, sizeof app, &al) != V2X_OK
        || v2x_gn_encode(&g, app, al, b->payload, sizeof b->payload, &b->payload_len) != V2X_OK)
        return -1;
    v2x_sign_params_t sp = {.psid = V2X_PSID_CAM,
                            .generation_time = 600000000000000ull,
                            .signer = V2X_SIGNER_CERTIFICATE};
    if (v2x_spdu_sign(&sp, b->payload, b->payload_len, b->at_key, b->at, b->at_len, b->spdu,
                      sizeof b->spdu, &b->spdu_len)
        != V2X_OK)
        return -1;
    sp.signer = V2X_SIGNER_DIGEST;
    if (v2x_spdu_sign(&sp, b->payload, b->payload_len, b->at_key, b->at, b->at_len, b->digest_spdu,
                      sizeof b->digest_spdu, &b->digest_len)
        != V2X_OK)
        return -1;
    v2x_spdu_t s;
    if (v2x_spdu_decode(b->spdu, b->spdu_len, &s) != V2X_OK)
        return -1;
    b->tbs = s.tbs;
    b->tbs_len = s.tbs_len;
    b->der_len = sizeof b->der;
    b->vctx = EVP_PKEY_CTX_new(b->at_key, NULL);
    if (EVP_DigestSignInit(b->md, NULL, EVP_sha256(), NULL, b->at_key) != 1
        || EVP_DigestSign(b->md, b->der, &b->der_len, b->tbs, b->tbs_len) != 1 || !b->vctx
        || EVP_PKEY_verify_init(b->vctx) != 1)
        return -1;
    return 0;
}

static void teardown(bench_t *b)
{
    v2x_cert_destroy(&b->at_c);
    v2x_signer_destroy(&b->signer);
    EVP_PKEY_free(b->root_key);
    EVP_PKEY_free(b->at_key);
    EVP_MD_CTX_free(b->md);
    EVP_PKEY_CTX_free(b->vctx);
}

int main(void)
{
    static bench_t b;
    if (setup(&b) != 0) {
        fprintf(stderr, "bench_v2x_spdu: set-up failed\n");
        teardown(&b);
        return 1;
    }
    meter_t m[N_OPS] = {{.op = raw_verify_digestverify},
                        {.op = raw_verify_prepared_ctx},
                        {.op = module_verify},
                        {.op = module_verify_digest},
                        {.op = module_verify_uncached},
                        {.op = raw_sign},
                        {.op = module_sign},
                        {.op = module_sign_oneshot},
                        {.op = module_verify_full_r}};
    run_interleaved(m, N_OPS, &b);
    /* the faster of the two plain ways is the verify baseline */
    const meter_t *raw_v = rate_of(&m[0]) > rate_of(&m[1]) ? &m[0] : &m[1];
    printf("# baseline verify: EVP_DigestVerify %.4g/s, prepared EVP_PKEY_CTX %.4g/s (faster "
           "one used); %d interleaved rounds, ratio = median of same-round ratios\n",
           rate_of(&m[0]), rate_of(&m[1]), ROUNDS);
    result("v2x.spdu_verify_certificate_signer", &m[2], raw_v);
    result("v2x.spdu_verify_digest_signer", &m[3], raw_v);
    result("v2x.spdu_verify_uncached_certificate", &m[4], raw_v);
    result("v2x.spdu_verify_full_r", &m[8], raw_v);
    result("v2x.spdu_sign", &m[6], &m[5]);
    result("v2x.spdu_sign_oneshot", &m[7], &m[5]);
    teardown(&b);
    return 0;
}
