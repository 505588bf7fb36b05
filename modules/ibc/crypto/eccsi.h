/* eccsi.h — ECCSI identity-based signatures (RFC 6507) on NIST P-256 with SHA-256.
 *
 * All values cross this API as big-endian octet strings, the RFC's own encodings:
 *   scalars (KSAK, v, SSK, j, HS, HE, r, s)  32 octets
 *   points (KPAK, PVT)                        65 octets, uncompressed 04 || X || Y
 *   signature                                 129 octets, r || s || PVT  (RFC 6507 §3.3)
 * Every function returns 0 on success and -1 on failure, after ibccrypto_set_error() (see
 * crypto/ibccrypto.h); eccsi_verify() returns -1 for an invalid signature as well.
 * Secrets (KSAK, v, SSK, j) are cleansed from every internal buffer before it is freed.
 * Contexts (signer, verifier) may be used by one thread at a time; distinct contexts are
 * independent.
 */
#ifndef ECCSI_H
#define ECCSI_H

#include <stddef.h>
#include <stdint.h>

#define ECCSI_N           32  /* octets of a scalar or coordinate (RFC 6507 §2.1, N) */
#define ECCSI_POINT_BYTES 65  /* 04 || X || Y */
#define ECCSI_SIG_BYTES   129 /* r || s || PVT */

/* ---- KMS side (RFC 6507 §4.2, §5.1.1) ---- */

/* KPAK = [KSAK]G. KSAK must be in [1, q-1]. */
int eccsi_kms_kpak(const uint8_t ksak[ECCSI_N], uint8_t kpak[ECCSI_POINT_BYTES]);

/* Issues the key pair of identity id: PVT = [v]G, HS = hash(G || KPAK || ID || PVT),
 * SSK = (KSAK + HS * v) mod q. v is the KMS's ephemeral in [1, q-1]; NULL draws it with
 * BN_priv_rand_range. hs may be NULL. */
int eccsi_kms_issue(const uint8_t ksak[ECCSI_N], const uint8_t *id, size_t id_len,
                    const uint8_t v[ECCSI_N], uint8_t ssk[ECCSI_N], uint8_t pvt[ECCSI_POINT_BYTES],
                    uint8_t hs[ECCSI_N]);

/* §5.1.1 steps 4-5 for a given HS: SSK = (KSAK + HS * v) mod q. -1 when HS ≡ 0 (mod q), whose
 * SSK would be KSAK itself, or when SSK = 0: the RFC's two abort conditions (eccsi_kms_issue
 * draws another v for them). */
int eccsi_kms_ssk(const uint8_t ksak[ECCSI_N], const uint8_t hs[ECCSI_N], const uint8_t v[ECCSI_N],
                  uint8_t ssk[ECCSI_N]);

/* ---- hashes, exposed for known-answer tests (RFC 6507 §5.1.1 step 3, §5.2.1 step 3) ---- */

/* HS = SHA-256(G || KPAK || ID || PVT). */
int eccsi_hash_hs(const uint8_t kpak[ECCSI_POINT_BYTES], const uint8_t *id, size_t id_len,
                  const uint8_t pvt[ECCSI_POINT_BYTES], uint8_t hs[ECCSI_N]);
/* HE = SHA-256(HS || r || M). */
int eccsi_hash_he(const uint8_t hs[ECCSI_N], const uint8_t r[ECCSI_N], const uint8_t *msg,
                  size_t msg_len, uint8_t he[ECCSI_N]);

/* ---- receiver of a key pair (RFC 6507 §5.1.2) ---- */

/* Checks that PVT is a valid point and that [SSK]G - [HS]PVT == KPAK: 0 consistent, -1 not. */
int eccsi_validate_ssk(const uint8_t kpak[ECCSI_POINT_BYTES], const uint8_t *id, size_t id_len,
                       const uint8_t ssk[ECCSI_N], const uint8_t pvt[ECCSI_POINT_BYTES]);

/* A signer: the validated key pair of one identity with HS precomputed. */
typedef struct eccsi_signer eccsi_signer_t;

/* Validates (§5.1.2) and copies the key pair; NULL if it is inconsistent. */
eccsi_signer_t *eccsi_signer_new(const uint8_t kpak[ECCSI_POINT_BYTES], const uint8_t *id,
                                 size_t id_len, const uint8_t ssk[ECCSI_N],
                                 const uint8_t pvt[ECCSI_POINT_BYTES]);
/* Cleanses the SSK and frees; nulls *self_p; safe on NULL. */
void eccsi_signer_destroy(eccsi_signer_t **self_p);

/* RFC 6507 §5.2.1: sig = r || s || PVT. j is the ephemeral in [1, q-1] for known-answer tests
 * only; NULL (the normal case) draws a fresh j with BN_priv_rand_range for every signature. */
int eccsi_signer_sign(eccsi_signer_t *self, const uint8_t *msg, size_t msg_len,
                      const uint8_t j[ECCSI_N], uint8_t sig[ECCSI_SIG_BYTES]);

/* ---- verifier (RFC 6507 §5.2.2) ---- */

/* A verifier for one KMS: the decoded KPAK and the curve, reused across signatures. */
typedef struct eccsi_verifier eccsi_verifier_t;

/* NULL if kpak is not a valid P-256 point. */
eccsi_verifier_t *eccsi_verifier_new(const uint8_t kpak[ECCSI_POINT_BYTES]);
void eccsi_verifier_destroy(eccsi_verifier_t **self_p);

/* 0 if sig (sig_len must be 129) is a valid signature of msg by identity id, else -1. */
int eccsi_verifier_verify(eccsi_verifier_t *self, const uint8_t *id, size_t id_len,
                          const uint8_t *msg, size_t msg_len, const uint8_t *sig, size_t sig_len);

/* The other valid signature of the same message and identity: (r, q - s, PVT). RFC 6507
 * signatures are malleable ([q - s](...) = -J has the same x-coordinate as J), so a signature is
 * never a message's unique identifier. -1 if s is not in [1, q-1]. */
int eccsi_sig_negate(const uint8_t sig[ECCSI_SIG_BYTES], uint8_t out[ECCSI_SIG_BYTES]);

/* ---- one-shot forms (build and destroy a context per call) ---- */

int eccsi_sign(const uint8_t kpak[ECCSI_POINT_BYTES], const uint8_t *id, size_t id_len,
               const uint8_t ssk[ECCSI_N], const uint8_t pvt[ECCSI_POINT_BYTES], const uint8_t *msg,
               size_t msg_len, const uint8_t j[ECCSI_N], uint8_t sig[ECCSI_SIG_BYTES]);
int eccsi_verify(const uint8_t kpak[ECCSI_POINT_BYTES], const uint8_t *id, size_t id_len,
                 const uint8_t *msg, size_t msg_len, const uint8_t *sig, size_t sig_len);

/* 0 if buf is an uncompressed P-256 point (04 || X || Y, coordinates < p, on the curve). */
int eccsi_point_check(const uint8_t *buf, size_t len);

#endif
