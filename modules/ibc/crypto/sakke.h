/* sakke.h — SAKKE key encapsulation (RFC 6508) with parameter set 1 of RFC 6509 (1024-bit p,
 * E: y^2 = x^3 - 3x, SHA-256, n = 128-bit shared secret values).
 *
 * Encodings are the RFC's octet strings:
 *   points (Z, RSK)  257 octets, 04 || X || Y, each coordinate 128 octets
 *   SSV              16 octets
 *   SED              273 octets, 04 || Rx || Ry || H  (RFC 6508 §4)
 *   identifier b     any 1..SAKKE_MAX_ID octets, read as a big-endian integer
 * Every function returns 0 on success, -1 on failure after ibccrypto_set_error()
 * (crypto/ibccrypto.h). Every point received from outside is checked (length, prefix, coordinates <
 * p, on E, not infinity; Z and RSK also in the order-q subgroup). Secrets (z, RSK, SSV, r, g^r) are
 * cleansed. Contexts (sender, receiver) may be used by one thread at a time. Building one costs
 * about 0.1 s (precomputation); reuse it: encapsulation then takes ~5 ms and decapsulation ~8 ms.
 */
#ifndef SAKKE_H
#define SAKKE_H

#include <stddef.h>
#include <stdint.h>

#define SAKKE_FP_BYTES    128
#define SAKKE_POINT_BYTES 257
#define SAKKE_SSV_BYTES   16
#define SAKKE_SED_BYTES   273
#define SAKKE_MAX_ID      1024

/* ---- KMS (RFC 6508 §2.2, §6.1.1) ---- */

/* Z = [z]P; z (big-endian, at most 128 octets) must be in [1, q-1]. */
int sakke_kms_public_key(const uint8_t *z, size_t z_len, uint8_t zpub[SAKKE_POINT_BYTES]);
/* RSK = [(b + z)^-1 mod q]P for identifier id. */
int sakke_kms_rsk(const uint8_t *z, size_t z_len, const uint8_t *id, size_t id_len,
                  uint8_t rsk[SAKKE_POINT_BYTES]);

/* A KMS context: parameter set 1 and a table of multiples of P (~1 MB, built once, about as long
 * as a sender), with which each RSK costs one constant-time comb multiplication instead of the
 * 1024-step ladder. The same RSK as sakke_kms_rsk. Use by one thread at a time. */
typedef struct sakke_kms sakke_kms_t;
sakke_kms_t *sakke_kms_new(void);
void sakke_kms_destroy(sakke_kms_t **self_p);
int sakke_kms_rsk_with(sakke_kms_t *kms, const uint8_t *z, size_t z_len, const uint8_t *id,
                       size_t id_len, uint8_t rsk[SAKKE_POINT_BYTES]);

/* ---- sender (RFC 6508 §6.2.1) ---- */

/* A sender to one identity: Z checked once, [b]P + Z and a table of its multiples (~1 MB)
 * precomputed. */
typedef struct sakke_sender sakke_sender_t;
sakke_sender_t *sakke_sender_new(const uint8_t *zpub, size_t zpub_len, const uint8_t *id,
                                 size_t id_len);
void sakke_sender_destroy(sakke_sender_t **self_p);

/* Intermediate values of one encapsulation, for known-answer tests (secret: cleanse it). */
typedef struct {
    uint8_t r[SAKKE_FP_BYTES];     /* HashToIntegerRange(SSV || b, q) */
    uint8_t gr[SAKKE_FP_BYTES];    /* g^r, representative */
    uint8_t mask[SAKKE_SSV_BYTES]; /* HashToIntegerRange(g^r, 2^n) */
} sakke_trace_t;

/* SED = 04 || Rx || Ry || H with R = [r]([b]P + Z), H = SSV XOR mask. Deterministic given SSV,
 * as the RFC specifies; the SSV must be fresh and random. trace may be NULL. */
int sakke_sender_encapsulate(sakke_sender_t *self, const uint8_t ssv[SAKKE_SSV_BYTES],
                             uint8_t sed[SAKKE_SED_BYTES], sakke_trace_t *trace);

/* ---- receiver (RFC 6508 §6.1.2, §6.2.2) ---- */

/* A receiver: validates RSK against Z and the identity (<[b]P + Z, RSK> == g) and precomputes
 * the Miller lines of RSK (about 0.5 MB, cleansed on destroy) and the multiples of [b]P + Z
 * (~1 MB). NULL if anything is invalid. */
typedef struct sakke_receiver sakke_receiver_t;
sakke_receiver_t *sakke_receiver_new(const uint8_t *zpub, size_t zpub_len, const uint8_t *id,
                                     size_t id_len, const uint8_t *rsk, size_t rsk_len);
/* The receiver of the identity sender encapsulates to: sakke_receiver_new with the sender's Z and
 * identifier, the checks and precomputation the sender made (Z of order q, [b]P + Z and its
 * table) copied rather than repeated. The RSK is checked as by sakke_receiver_new. */
sakke_receiver_t *sakke_receiver_new_from_sender(const sakke_sender_t *sender, const uint8_t *rsk,
                                                 size_t rsk_len);
void sakke_receiver_destroy(sakke_receiver_t **self_p);

/* Recovers the SSV: w = <R, RSK>, SSV = H XOR HashToIntegerRange(w, 2^n), then recomputes r and
 * checks [r]([b]P + Z) == R; -1 (and ssv zeroed) if the SED is malformed or the check fails. */
int sakke_receiver_decapsulate(sakke_receiver_t *self, const uint8_t *sed, size_t sed_len,
                               uint8_t ssv[SAKKE_SSV_BYTES]);

/* Decapsulation with the checks chosen by flags, for simulating receivers that skip them (the
 * testbed's insecure configurations): SAKKE_DECAP_NO_R_CHECK omits the §6.2.2 recomputation of R
 * and uses the SSV as unmasked. sakke_receiver_decapsulate() is flags = 0. */
#define SAKKE_DECAP_NO_R_CHECK 1u
int sakke_receiver_decapsulate_ex(sakke_receiver_t *self, const uint8_t *sed, size_t sed_len,
                                  uint8_t ssv[SAKKE_SSV_BYTES], unsigned flags);

/* RFC 6508 §6.1.2 alone, without building a receiver: 0 if RSK is a point of order q and
 * <[b]P + Z, RSK> == g, -1 otherwise. About 30 ms (one full pairing). */
int sakke_validate_rsk(const uint8_t *zpub, size_t zpub_len, const uint8_t *id, size_t id_len,
                       const uint8_t *rsk, size_t rsk_len);

/* ---- one-shot forms (build and destroy the context per call; slow for repeated use) ---- */

int sakke_encapsulate(const uint8_t *zpub, size_t zpub_len, const uint8_t *id, size_t id_len,
                      const uint8_t ssv[SAKKE_SSV_BYTES], uint8_t sed[SAKKE_SED_BYTES]);
int sakke_decapsulate(const uint8_t *zpub, size_t zpub_len, const uint8_t *id, size_t id_len,
                      const uint8_t *rsk, size_t rsk_len, const uint8_t *sed, size_t sed_len,
                      uint8_t ssv[SAKKE_SSV_BYTES]);

/* ---- checks and known-answer helpers ---- */

/* 0 if buf is a valid point of order q (the checks applied to Z and RSK). For any point, a secret
 * one (an RSK) included: [q]pt by OpenSSL's ladder. */
int sakke_point_check(const uint8_t *buf, size_t len);
/* The same result for a public point (Z, the R of a SED), several times faster: [q]pt by wNAF,
 * whose timing depends on the point. */
int sakke_public_point_check(const uint8_t *buf, size_t len);
/* out = representative of the pairing <A, B> (RFC 6508 §3.2); A and B must be of order q. */
int sakke_pairing(const uint8_t a[SAKKE_POINT_BYTES], const uint8_t b[SAKKE_POINT_BYTES],
                  uint8_t out[SAKKE_FP_BYTES]);
/* The base point P of parameter set 1, encoded. */
int sakke_base_point(uint8_t out[SAKKE_POINT_BYTES]);

#endif
