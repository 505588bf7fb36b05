/* bench_ibc.c — ECCSI and SAKKE speed with baselines measured in the same run: OpenSSL ECDSA
 * P-256 sign/verify for ECCSI, one P-256 ECDH derivation for the SAKKE timings, and one X.1365 D.1
 * authentication end to end (sender: encapsulate + sign; receiver: verify + decapsulate) against an
 * ECDSA sign + verify; then the per-identity and per-key work: a sender's set-up, the order-q check
 * of a point (NAF walk for secret points, OpenSSL's wNAF for public ones), a sender set up again
 * (from the process's memo), an RSK (one-shot, and with a KMS context). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

#include "crypto/eccsi.h"
#include "crypto/sakke.h"
#include "crypto/sakke_pairing.h"

#define BENCH_SECONDS 1.5

/* Everything the timed operations touch. */
typedef struct {
    EVP_PKEY *ec, *peer;
    EVP_MD_CTX *md;
    EVP_PKEY_CTX *dh;
    uint8_t der[80], secret[32];
    size_t der_len;
    eccsi_signer_t *signer;
    eccsi_verifier_t *verifier;
    uint8_t sig[ECCSI_SIG_BYTES];
    sakke_params_t *sp;
    EC_POINT *rsk, *other;
    BIGNUM *w;
    sakke_lines_t *lines;
    sakke_sender_t *sender;
    sakke_receiver_t *receiver;
    uint8_t ssv[SAKKE_SSV_BYTES], sed[SAKKE_SED_BYTES], out[SAKKE_SSV_BYTES];
    uint8_t d1[SAKKE_SED_BYTES + ECCSI_SIG_BYTES];
    uint8_t z[20], zpub[SAKKE_POINT_BYTES], rsk_oct[SAKKE_POINT_BYTES], rsk_out[SAKKE_POINT_BYTES];
    sakke_kms_t *kms;
    uint64_t fresh; /* counter of never-seen identifiers */
} bench_t;

static const uint8_t msg[] = "meter 17: 42.7 kWh at 2026-11-27T10:00Z";
static const uint8_t id[] = "2026-11\0tel:+447700900123";

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Runs op for BENCH_SECONDS; operations per second, or 0 if any run failed. */
static double rate(int (*op)(bench_t *), bench_t *b)
{
    double t0 = now(), elapsed;
    long n = 0;
    int ok = 1;
    do {
        ok &= op(b);
        n++;
    } while ((elapsed = now() - t0) < BENCH_SECONDS);
    return ok ? (double)n / elapsed : 0.0;
}

static void result(const char *name, double value, const char *unit, double baseline)
{
    printf("RESULT name=%s value=%.4g unit=%s baseline=%.4g ratio=%.4g\n", name, value, unit,
           baseline, value / baseline);
}

static int ecdsa_sign(bench_t *b)
{
    b->der_len = sizeof b->der;
    return EVP_DigestSignInit(b->md, NULL, EVP_sha256(), NULL, b->ec) == 1
           && EVP_DigestSign(b->md, b->der, &b->der_len, msg, sizeof msg) == 1;
}

static int ecdsa_verify(bench_t *b)
{
    return EVP_DigestVerifyInit(b->md, NULL, EVP_sha256(), NULL, b->ec) == 1
           && EVP_DigestVerify(b->md, b->der, b->der_len, msg, sizeof msg) == 1;
}

static int ecdh_derive(bench_t *b)
{
    size_t len = sizeof b->secret;
    return EVP_PKEY_derive(b->dh, b->secret, &len) == 1;
}

static int eccsi_sign_op(bench_t *b)
{
    return eccsi_signer_sign(b->signer, msg, sizeof msg, NULL, b->sig) == 0;
}

static int eccsi_verify_op(bench_t *b)
{
    return eccsi_verifier_verify(b->verifier, id, sizeof id, msg, sizeof msg, b->sig, sizeof b->sig)
           == 0;
}

/* A full pairing: the Miller lines of the first argument computed, then evaluated. */
static int pairing_op(bench_t *b)
{
    sakke_lines_t *l = sakke_lines_new(b->sp, b->rsk);
    int ok = l && sakke_lines_pair(b->sp, l, b->other, b->w) == 0;
    sakke_lines_destroy(&l);
    return ok;
}

/* The pairing with the first argument's lines precomputed (the receiver's RSK). */
static int pairing_fixed_op(bench_t *b)
{
    return sakke_lines_pair(b->sp, b->lines, b->other, b->w) == 0;
}

static int encap_op(bench_t *b)
{
    b->ssv[15]++; /* a new SSV each time */
    return sakke_sender_encapsulate(b->sender, b->ssv, b->sed, NULL) == 0;
}

static int decap_op(bench_t *b)
{
    return sakke_receiver_decapsulate(b->receiver, b->sed, sizeof b->sed, b->out) == 0;
}

/* A sender's set-up: Z's order check, [b]P + Z, the table of its multiples. */
/* A sender for an identifier never set up before (the counter makes each one new): the table is
 * built. */
static int sender_setup_op(bench_t *b)
{
    uint8_t fresh[sizeof id + sizeof b->fresh];
    b->fresh++;
    memcpy(fresh, id, sizeof id);
    memcpy(fresh + sizeof id, &b->fresh, sizeof b->fresh);
    sakke_sender_t *snd = sakke_sender_new(b->zpub, sizeof b->zpub, fresh, sizeof fresh);
    int ok = snd != NULL;
    sakke_sender_destroy(&snd);
    return ok;
}

/* A sender for an identity set up before in this process: a copy from the memo. */
static int sender_memo_op(bench_t *b)
{
    sakke_sender_t *snd = sakke_sender_new(b->zpub, sizeof b->zpub, id, sizeof id);
    int ok = snd != NULL;
    sakke_sender_destroy(&snd);
    return ok;
}

/* [q]Z == O by OpenSSL's ladder (any point) and by wNAF (public points). */
static int point_check_op(bench_t *b)
{
    return sakke_point_check(b->zpub, sizeof b->zpub) == 0;
}

static int public_point_check_op(bench_t *b)
{
    return sakke_public_point_check(b->zpub, sizeof b->zpub) == 0;
}

/* An RSK: one-shot (ladder) and with a KMS context (comb of P); the same point. */
static int rsk_op(bench_t *b)
{
    return sakke_kms_rsk(b->z, sizeof b->z, id, sizeof id, b->rsk_out) == 0;
}

static int rsk_kms_op(bench_t *b)
{
    return sakke_kms_rsk_with(b->kms, b->z, sizeof b->z, id, sizeof id, b->rsk_out) == 0
           && memcmp(b->rsk_out, b->rsk_oct, sizeof b->rsk_out) == 0;
}

static int ecdsa_sign_verify(bench_t *b)
{
    return ecdsa_sign(b) && ecdsa_verify(b);
}

/* D.1 with contexts cached per identity (as the simulation does): the device encapsulates a fresh
 * SSV to the gateway and ECCSI-signs the message, the gateway verifies and decapsulates (§6.2.2).
 */
static int d1_auth_op(bench_t *b)
{
    b->ssv[14]++;
    return sakke_sender_encapsulate(b->sender, b->ssv, b->d1, NULL) == 0
           && eccsi_signer_sign(b->signer, b->d1, SAKKE_SED_BYTES, NULL, b->d1 + SAKKE_SED_BYTES)
                  == 0
           && eccsi_verifier_verify(b->verifier, id, sizeof id, b->d1, SAKKE_SED_BYTES,
                                    b->d1 + SAKKE_SED_BYTES, ECCSI_SIG_BYTES)
                  == 0
           && sakke_receiver_decapsulate(b->receiver, b->d1, SAKKE_SED_BYTES, b->out) == 0
           && memcmp(b->out, b->ssv, SAKKE_SSV_BYTES) == 0;
}

static int setup(bench_t *b)
{
    uint8_t ksak[ECCSI_N], kpak[ECCSI_POINT_BYTES], ssk[ECCSI_N], pvt[ECCSI_POINT_BYTES];
    uint8_t *z = b->z, *zpub = b->zpub, *rsk = b->rsk_oct;
    for (size_t i = 0; i < sizeof ksak; i++)
        ksak[i] = (uint8_t)(i * 7 + 1);
    for (size_t i = 0; i < sizeof b->z; i++)
        z[i] = (uint8_t)(0x5A ^ i);
    b->ec = EVP_EC_gen("P-256");
    b->peer = EVP_EC_gen("P-256");
    b->md = EVP_MD_CTX_new();
    if (!b->ec || !b->peer || !b->md || !(b->dh = EVP_PKEY_CTX_new(b->ec, NULL))
        || EVP_PKEY_derive_init(b->dh) != 1 || EVP_PKEY_derive_set_peer(b->dh, b->peer) != 1)
        return -1;
    if (eccsi_kms_kpak(ksak, kpak) || eccsi_kms_issue(ksak, id, sizeof id, NULL, ssk, pvt, NULL)
        || !(b->signer = eccsi_signer_new(kpak, id, sizeof id, ssk, pvt))
        || !(b->verifier = eccsi_verifier_new(kpak)))
        return -1;
    if (sakke_kms_public_key(z, sizeof b->z, zpub)
        || sakke_kms_rsk(z, sizeof b->z, id, sizeof id, rsk) || !(b->kms = sakke_kms_new())
        || !(b->sp = sakke_params_new()) || !(b->rsk = EC_POINT_new(b->sp->group))
        || !(b->other = EC_POINT_new(b->sp->group)) || !(b->w = BN_new())
        || sakke_point_decode(b->sp, rsk, SAKKE_POINT_BYTES, b->rsk, 0, "RSK")
        || sakke_point_decode(b->sp, zpub, SAKKE_POINT_BYTES, b->other, 0, "Z")
        || !(b->lines = sakke_lines_new(b->sp, b->rsk))
        || !(b->sender = sakke_sender_new(zpub, SAKKE_POINT_BYTES, id, sizeof id))
        || !(b->receiver = sakke_receiver_new(zpub, SAKKE_POINT_BYTES, id, sizeof id, rsk,
                                              SAKKE_POINT_BYTES)))
        return -1;
    return 0;
}

static void teardown(bench_t *b)
{
    sakke_sender_destroy(&b->sender);
    sakke_receiver_destroy(&b->receiver);
    sakke_kms_destroy(&b->kms);
    sakke_lines_destroy(&b->lines);
    BN_free(b->w);
    EC_POINT_free(b->rsk);
    EC_POINT_free(b->other);
    sakke_params_destroy(&b->sp);
    eccsi_signer_destroy(&b->signer);
    eccsi_verifier_destroy(&b->verifier);
    EVP_PKEY_CTX_free(b->dh);
    EVP_MD_CTX_free(b->md);
    EVP_PKEY_free(b->ec);
    EVP_PKEY_free(b->peer);
}

int main(void)
{
    static bench_t b;
    if (setup(&b) != 0) {
        fprintf(stderr, "bench_ibc: set-up failed\n");
        teardown(&b);
        return 1;
    }
    double ecdsa_s = rate(ecdsa_sign, &b), ecdsa_v = rate(ecdsa_verify, &b);
    double ecdh_ms = 1e3 / rate(ecdh_derive, &b);
    double sign = rate(eccsi_sign_op, &b), verify = rate(eccsi_verify_op, &b);
    result("eccsi.sign", sign, "ops/s", ecdsa_s);
    result("eccsi.verify", verify, "ops/s", ecdsa_v);
    result("sakke.pairing", 1e3 / rate(pairing_op, &b), "ms", ecdh_ms);
    result("sakke.pairing_precomputed", 1e3 / rate(pairing_fixed_op, &b), "ms", ecdh_ms);
    double encap_ms = 1e3 / rate(encap_op, &b); /* leaves a valid SED for decap_op */
    result("sakke.encap", encap_ms, "ms", ecdh_ms);
    result("sakke.decap", 1e3 / rate(decap_op, &b), "ms", ecdh_ms);
    result("ibc.d1_auth", 1e3 / rate(d1_auth_op, &b), "ms", 1e3 / rate(ecdsa_sign_verify, &b));
    result("sakke.sender_setup", 1e3 / rate(sender_setup_op, &b), "ms", ecdh_ms);
    result("sakke.sender_setup_memo", 1e3 / rate(sender_memo_op, &b), "ms", ecdh_ms);
    result("sakke.point_check", 1e3 / rate(point_check_op, &b), "ms", ecdh_ms);
    result("sakke.public_point_check", 1e3 / rate(public_point_check_op, &b), "ms", ecdh_ms);
    result("sakke.rsk", 1e3 / rate(rsk_op, &b), "ms", ecdh_ms);
    result("sakke.rsk_kms_context", 1e3 / rate(rsk_kms_op, &b), "ms", ecdh_ms);
    teardown(&b);
    return 0;
}
