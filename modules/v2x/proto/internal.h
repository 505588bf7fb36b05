/* internal.h — helpers shared by the proto/ sources (not part of the API v2x_proto.h gives):
 * curve tables, raw ECDSA over a prepared digest, and the OER forms of points, keys and
 * signatures that certificates and SPDUs share. */
#ifndef V2X_INTERNAL_H
#define V2X_INTERNAL_H

#include <openssl/ec.h>

#include "oer.h"
#include "v2x_proto.h"

/* The OpenSSL NID and group name of a curve (NID_undef / NULL for an unknown one). */
int v2x_curve_nid(v2x_curve_t c);
const char *v2x_curve_group_name(v2x_curve_t c);
/* A new EC_GROUP of the curve, or NULL. */
EC_GROUP *v2x_curve_group(v2x_curve_t c);
/* The process-wide group of the curve (do not free), or NULL. */
const EC_GROUP *v2x_curve_group_shared(v2x_curve_t c);

/* out = a^-1 mod n for 0 < a < n, n the order of g, one of the shared groups: Fermat's
 * a^(n-2) mod n by BN_mod_exp_mont with the order's Montgomery form prepared once per process
 * (faster here than BN_mod_inverse's binary algorithm). Not constant-time: for public values or
 * blinded secrets only. 1 or 0. */
int v2x_inverse_mod_order(const EC_GROUP *g, BIGNUM *out, const BIGNUM *a, BN_CTX *bn);

/* ECDSA over a digest: r and s as v2x_curve_size(c) big-endian octets each. */
int v2x_ecdsa_sign_digest(const EVP_PKEY *key, v2x_curve_t c, const uint8_t *dgst, size_t dlen,
                          uint8_t *r, uint8_t *s);
int v2x_ecdsa_verify_digest(const EVP_PKEY *key, v2x_curve_t c, const uint8_t *dgst, size_t dlen,
                            const uint8_t *r, const uint8_t *s);

/* ECDSA verification through OpenSSL with a context the caller prepared once
 * (EVP_PKEY_verify_init on the public key): r and s as n big-endian octets each. */
int v2x_ecdsa_verify_prepared(EVP_PKEY_CTX *ctx, size_t n, const uint8_t *dgst, size_t dlen,
                              const uint8_t *r, const uint8_t *s);
/* The standard verification of IEEE 1609.2 §5.3.1 for an R as the wire gives it (x-only or
 * compressed): OpenSSL's ECDSA check of r = x(R) mod n, the y parity of a compressed R not
 * used (see v2x_spdu_verify_full_r for the check that uses it). */
int v2x_ecdsa_verify_r_x(EVP_PKEY_CTX *ctx, const EC_GROUP *g, const uint8_t *dgst, size_t dlen,
                         const uint8_t *r_point, const uint8_t *s);
/* Verification with the signature's R as the wire gives it (0x00 || x x-only, 0x02/0x03 || x
 * compressed: then R itself must match, y parity included) against public point q. */
int v2x_ecdsa_verify_full(const EC_GROUP *g, const EC_POINT *q, const uint8_t *dgst, size_t dlen,
                          const uint8_t *r_point, const uint8_t *s);
/* The key's public point (new, the caller frees it) on the shared group of curve c. */
int v2x_key_ec_point(const EVP_PKEY *key, v2x_curve_t c, const EC_GROUP **g, EC_POINT **q);

/* IEEE 1609.2 §5.3.1 signature input: H(H(tbs) || signer_hash), signer_hash = H(signer
 * certificate), or H("") for a self signer. out: v2x_hash_size(h) octets. */
int v2x_signature_digest(v2x_hash_t h, const uint8_t *tbs, size_t tbs_len,
                         const uint8_t *signer_hash, uint8_t *out);

/* A public point as the EccP256CurvePoint / EccP384CurvePoint CHOICE, compressed (point is
 * 0x02/0x03 || x). */
void v2x_put_point(sg17_writer_t *w, v2x_curve_t c, const uint8_t *point);
/* Reads a compressed or uncompressed point into point (compressed form: 0x02/0x03 || x); x-only
 * and fill are refused for keys. */
void v2x_get_point(sg17_reader_t *r, v2x_curve_t c, uint8_t *point);

/* PsidSsp (psid, optional opaque or bitmap SSP), shared by certificates' appPermissions and
 * TS 102 941's requested subject attributes. */
void v2x_put_psid_ssp(sg17_writer_t *w, const v2x_psid_ssp_t *p);
void v2x_get_psid_ssp(sg17_reader_t *r, v2x_psid_ssp_t *p);

/* PublicVerificationKey CHOICE (extension alternatives as open types). */
void v2x_put_verification_key(sg17_writer_t *w, v2x_curve_t c, const uint8_t *point);
void v2x_get_verification_key(sg17_reader_t *r, v2x_curve_t *c, uint8_t *point);

/* Signature CHOICE: R as x-only (r_point = 0x00 || x) or compressed; s. Each R has one accepted
 * form, so that no signed object has two valid encodings (ECDSA alone checks only x):
 * certificates x-only (their canonical form, IEEE 1609.2 §6.4.3, as real CAs issue them),
 * SPDUs compressed (compressed_only; as production OBUs send them), whose y parity
 * v2x_ecdsa_verify_full checks. */
void v2x_put_signature(sg17_writer_t *w, v2x_curve_t c, const uint8_t *r_point, const uint8_t *s);
void v2x_get_signature(sg17_reader_t *r, v2x_curve_t *c, uint8_t *r_point, uint8_t *s, bool x_only);

/* The whole signature step of a certificate issuer: digest, ECDSA, R x-only (SPDUs, whose R is
 * compressed, are signed through v2x_signer_t). */
int v2x_sign_input(const EVP_PKEY *key, v2x_curve_t c, const uint8_t *tbs, size_t tbs_len,
                   const uint8_t *signer_hash, uint8_t *r_point, uint8_t *s);

/* The prepared signer's step for an SPDU: H(H(tbs) || H(signer cert)), ECDSA with R compressed. */
int v2x_signer_sign_input(v2x_signer_t *sg, const uint8_t *tbs, size_t tbs_len, uint8_t *r_point,
                          uint8_t *s);
const uint8_t *v2x_signer_cert_hash(const v2x_signer_t *sg);

/* A reader result as an error code: V2X_OK when done exactly, else V2X_EMALFORMED. */
static inline int v2x_reader_status(const sg17_reader_t *r)
{
    return sg17_reader_done(r) ? V2X_OK : V2X_EMALFORMED;
}

#endif
