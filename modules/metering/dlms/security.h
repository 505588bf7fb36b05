/* dlms/security.h — DLMS/COSEM security suite 0 (AES-GCM-128) protection of xDLMS APDUs,
 * HLS authentication mechanism 5 (GMAC), and the suite-1 ECDSA P-256 pieces (signed commands).
 *
 * Wire format of a protected APDU body (the "secured" octets a glo-/general-glo- APDU carries):
 *
 *     SC (1) || IC (4, big-endian) || ciphertext-or-plaintext || tag (12, absent for SC 0x20)
 *
 *   SC 0x10  authentication only:     plaintext in clear, tag = GMAC over SC || AK || plaintext
 *   SC 0x20  encryption only:         AES-GCM ciphertext, no tag (no integrity at all)
 *   SC 0x30  authenticated encryption: AES-GCM ciphertext, AAD = SC || AK, 12-octet tag
 *
 * The GCM IV is always system title (8) || IC (4). All crypto is OpenSSL EVP. Functions here
 * never keep or log key material; dlms_keys_t copies are cleansed with dlms_keys_cleanse().
 */
#ifndef METERING_DLMS_SECURITY_H
#define METERING_DLMS_SECURITY_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define DLMS_KEY_LEN        16 /* AES-128: EK (global unicast encryption key) and AK */
#define DLMS_SYSTITLE_LEN   8  /* system title: 3-octet manufacturer id + 5-octet serial */
#define DLMS_TAG_LEN        12 /* suite 0 authentication tag */
#define DLMS_SEC_HDR_LEN    5  /* SC || IC */
#define DLMS_HLS_GMAC_LEN   (DLMS_SEC_HDR_LEN + DLMS_TAG_LEN) /* f(challenge) = 10 || IC || tag */
#define DLMS_ECDSA_SIG_LEN  64                                /* raw r || s, P-256 */
#define DLMS_ECDSA_PUB_LEN  65                                /* uncompressed point 04 || x || y */
#define DLMS_ECDSA_PRIV_LEN 32

/* Security control byte values of suite 0 (security suite id 0 in the low nibble). */
#define DLMS_SC_AUTH     0x10
#define DLMS_SC_ENC      0x20
#define DLMS_SC_AUTH_ENC 0x30

/* min_ic value meaning "no counter accepted yet": every IC passes the replay check. */
#define DLMS_IC_NONE (-1)

/* The suite-0 keys of one association (or one meter). */
typedef struct {
    uint8_t ek[DLMS_KEY_LEN]; /* block cipher key (global unicast encryption key) */
    uint8_t ak[DLMS_KEY_LEN]; /* authentication key, enters the AAD */
} dlms_keys_t;

/* Outcome of dlms_unprotect(). Zero accepts; every rejection is negative and has a name
 * (dlms_sec_status_name) that the simulation reports as the rejection reason. */
typedef enum {
    DLMS_SEC_OK = 0,
    DLMS_SEC_MALFORMED = -1, /* "malformed": shorter than SC || IC (|| tag), or output too small */
    DLMS_SEC_BAD_SC = -2,    /* "bad_sc": security control byte is not 0x10, 0x20 or 0x30 */
    DLMS_SEC_AUTH = -3,      /* "auth": the authentication tag does not verify */
    DLMS_SEC_REPLAY = -4,    /* "replay": IC <= the last accepted invocation counter */
    DLMS_SEC_INTERNAL = -5,  /* "internal": OpenSSL failed (out of memory) */
    DLMS_SEC_POLICY = -6,    /* "policy": SC lacks protection the receiver's policy requires */
} dlms_sec_status_t;

/* Short stable name of a status: "ok", "malformed", "bad_sc", "auth", "replay", "internal",
 * "policy". */
const char *dlms_sec_status_name(dlms_sec_status_t status);

/* Output size of dlms_protect() for a plaintext of len octets under security control sc
 * (0 when sc is not a suite-0 value). */
size_t dlms_protected_len(uint8_t sc, size_t len);

/* Protects apdu (len octets) as SC || IC || ciphertext || tag into out (cap octets; at least
 * dlms_protected_len(sc, len)). Returns 0 and sets *outlen, or -1 (bad sc, short buffer, crypto
 * failure). The caller owns the counter: it must never reuse an IC with the same key. */
int dlms_protect(const dlms_keys_t *keys, const uint8_t systitle[DLMS_SYSTITLE_LEN], uint32_t ic,
                 uint8_t sc, const uint8_t *apdu, size_t len, uint8_t *out, size_t cap,
                 size_t *outlen);

/* The next invocation counter of a sender: *counter is the last one it used (0 before the first
 * frame). Stores and returns (in *ic) *counter + 1, or returns -1 and leaves *counter alone when
 * the 32-bit counter is exhausted (it stands at 0xFFFFFFFF): incrementing it would wrap to a
 * counter, hence a GCM IV, already used with this key, so the sender must protect nothing more
 * until it has a new key. */
int dlms_ic_next(uint32_t *counter, uint32_t *ic);

/* Checks and removes the protection of data (SC || IC || ... as produced by dlms_protect) sent
 * by the peer whose system title is systitle.
 *   policy  the SC bits the receiver requires: DLMS_SC_AUTH_ENC accepts only authenticated
 *           encryption, 0 any suite-0 SC. Without a policy, one flipped SC bit turns a 0x30 frame
 *           into an "encryption only" 0x20 frame that is accepted with no tag check (a
 *           downgrade), so a receiver should always pass its policy.
 *   min_ic  the last invocation counter accepted from that peer, or DLMS_IC_NONE; an IC <= min_ic
 *           is rejected as DLMS_SEC_REPLAY before any crypto.
 * On DLMS_SEC_OK the plaintext APDU is in out (cap octets), its length in *outlen and the received
 * counter in *ic_out (the caller stores it as the new last accepted counter). On rejection
 * *outlen and *ic_out are untouched and out holds no plaintext that failed its tag. */
dlms_sec_status_t dlms_unprotect(const dlms_keys_t *keys, const uint8_t systitle[DLMS_SYSTITLE_LEN],
                                 uint8_t policy, const uint8_t *data, size_t len, int64_t min_ic,
                                 uint8_t *out, size_t cap, size_t *outlen, uint32_t *ic_out);

/* A keyed suite-0 state for one key pair: the GCM key schedule computed once from EK (as a
 * head-end keeps per association, or a meter for its own frames), so that each frame only sets its
 * IV. Holds key material: free it with dlms_cipher_free, which cleanses it. */
typedef struct dlms_cipher dlms_cipher_t;

/* A cipher keyed with keys (copied); NULL on failure. */
dlms_cipher_t *dlms_cipher_new(const dlms_keys_t *keys);
/* Cleanses and frees *c and sets it to NULL; safe on NULL and twice. */
void dlms_cipher_free(dlms_cipher_t **c);
/* dlms_protect with the keys c was made with: the same output, octet for octet. */
int dlms_cipher_protect(dlms_cipher_t *c, const uint8_t systitle[DLMS_SYSTITLE_LEN], uint32_t ic,
                        uint8_t sc, const uint8_t *apdu, size_t len, uint8_t *out, size_t cap,
                        size_t *outlen);
/* dlms_unprotect with the keys c was made with: same checks, same order, same results. */
dlms_sec_status_t dlms_cipher_unprotect(dlms_cipher_t *c, const uint8_t systitle[DLMS_SYSTITLE_LEN],
                                        uint8_t policy, const uint8_t *data, size_t len,
                                        int64_t min_ic, uint8_t *out, size_t cap, size_t *outlen,
                                        uint32_t *ic_out);

/* HLS mechanism 5 (GMAC): f(challenge) = 0x10 || IC || GMAC(EK; IV = systitle || IC;
 * AAD = 0x10 || AK || challenge) truncated to 12 octets, written to out. systitle and ic are those
 * of the party that computes f (the one proving knowledge of the key). Returns 0 or -1. */
int dlms_hls_gmac(const dlms_keys_t *keys, const uint8_t systitle[DLMS_SYSTITLE_LEN], uint32_t ic,
                  const uint8_t *challenge, size_t challenge_len, uint8_t out[DLMS_HLS_GMAC_LEN]);

/* Verifies a peer's f(challenge) (len octets, as from dlms_hls_gmac) for our challenge, the peer
 * having system title systitle. Constant-time tag comparison. Returns 0 if it verifies, else -1. */
int dlms_hls_gmac_verify(const dlms_keys_t *keys, const uint8_t systitle[DLMS_SYSTITLE_LEN],
                         const uint8_t *challenge, size_t challenge_len, const uint8_t *f,
                         size_t len);

/* Overwrites a copy of the keys (OPENSSL_cleanse). */
void dlms_keys_cleanse(dlms_keys_t *keys);

/* ---- suite 1: ECDSA P-256 / SHA-256 over a command ---- */

/* A fresh P-256 key pair from the OpenSSL RNG; NULL on failure. Caller frees (EVP_PKEY_free). */
EVP_PKEY *dlms_ecdsa_keygen(void);

/* The P-256 key pair whose private scalar is priv (big-endian, 1 <= d < n), for reproducible
 * runs where keys come from the scenario's seeded random stream. NULL if priv is out of range. */
EVP_PKEY *dlms_ecdsa_key_from_private(const uint8_t priv[DLMS_ECDSA_PRIV_LEN]);

/* The uncompressed public point 04 || x || y of key. Returns 0 or -1. */
int dlms_ecdsa_public_encode(EVP_PKEY *key, uint8_t out[DLMS_ECDSA_PUB_LEN]);

/* A verification-only key from an uncompressed public point; NULL if not a point on P-256. */
EVP_PKEY *dlms_ecdsa_public_decode(const uint8_t pub[DLMS_ECDSA_PUB_LEN]);

/* ECDSA-SHA-256 signature of msg as raw r || s (32 + 32 octets). Returns 0 or -1. */
int dlms_ecdsa_sign(EVP_PKEY *key, const uint8_t *msg, size_t len, uint8_t sig[DLMS_ECDSA_SIG_LEN]);

/* Verifies a raw r || s signature (sig_len must be 64). Returns 0 if valid, else -1. */
int dlms_ecdsa_verify(EVP_PKEY *key, const uint8_t *msg, size_t len, const uint8_t *sig,
                      size_t sig_len);

#endif
