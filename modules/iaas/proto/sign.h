/* sign.h — ECDSA P-256 with SHA-256 through EVP, with fixed-size keys and signatures: a 32-octet
 * private scalar, a 65-octet uncompressed public point and a 64-octet r || s signature (so that
 * every message that carries one has the same length). Used for image signatures and audit
 * anchors. */
#ifndef IAAS_PROTO_SIGN_H
#define IAAS_PROTO_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define SIGN_PRIV_BYTES 32
#define SIGN_PUB_BYTES  65
#define SIGN_SIG_BYTES  64

/* The public point of a private scalar (1 <= d < n); -1 for a scalar outside that range. */
int sign_public(const uint8_t d[SIGN_PRIV_BYTES], uint8_t pub[SIGN_PUB_BYTES]);
/* Turns 32 octets of any value into a valid private scalar (reduced into [1, n-1]). */
int sign_scalar(const uint8_t seed[SIGN_PRIV_BYTES], uint8_t d[SIGN_PRIV_BYTES]);
int sign_ecdsa(const uint8_t d[SIGN_PRIV_BYTES], const uint8_t *msg, size_t len,
               uint8_t sig[SIGN_SIG_BYTES]);
/* 0 when sig verifies over msg under pub. */
int sign_verify(const uint8_t pub[SIGN_PUB_BYTES], const uint8_t *msg, size_t len,
                const uint8_t sig[SIGN_SIG_BYTES]);

#endif
