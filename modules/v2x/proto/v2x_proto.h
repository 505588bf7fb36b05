/* v2x_proto.h — the V2X wire formats and their cryptography: IEEE 1609.2 / ETSI TS 103 097
 * secured messages in canonical OER (signed, unsecured and encrypted Ieee1609Dot2Data, explicit
 * and implicit certificates), CAM and DENM in UPER (ETSI EN 302 637-2/-3), GeoNetworking + BTP-B
 * framing (ETSI EN 302 636-4-1, EN 302 636-5-1), and the TAI time base of IEEE 1609.2.
 *
 * Pure codecs and crypto: nothing here sees sg17_ctx_t (the trace framer only reads a delivered
 * sg17_msg_t). All cryptography is OpenSSL 3 (EVP for ECDSA/ECDH/AES-CCM/SHA-2, EC_POINT/BIGNUM
 * for point decompression and ECQV reconstruction).
 *
 * Conventions:
 * - Functions return 0 on success or a negative v2x_err_t; v2x_strerror() names it.
 * - Encoders write into a caller buffer (out, cap) and set *out_len; V2X_ESPACE when it is short.
 * - Decoders are strict (canonical OER / UPER only, every length checked, trailing bytes refused)
 *   and fill a view whose pointers point into the caller's input buffer: keep the input alive
 *   while the view is used.
 * - EVP_PKEY arguments are borrowed; an EVP_PKEY * returned is the caller's (EVP_PKEY_free).
 * - Positions: latitude/longitude in 1e-7 degree (ETSI / 1609.2 units), speed 0.01 m/s, heading
 *   0.1 degree from north clockwise, elevation 0.1 m.
 * - Times: Time32 = TAI seconds, Time64 = TAI microseconds, TimestampIts = TAI milliseconds, all
 *   counted from 2004-01-01T00:00:00Z (IEEE 1609.2 §6.4.13/6.4.14, ETSI TS 102 894-2). */
#ifndef V2X_PROTO_H
#define V2X_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

#include <sg17tb/module.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* errors                                                                                       */

typedef enum {
    V2X_OK = 0,
    V2X_EMALFORMED = -1,   /* not canonical OER/UPER, truncated, trailing bytes, bad value */
    V2X_EUNSUPPORTED = -2, /* well-formed but outside the subset implemented here */
    V2X_ESPACE = -3,       /* output buffer too small */
    V2X_EARG = -4,         /* bad argument (a key of the wrong curve, a missing field) */
    V2X_ECRYPTO = -5,      /* OpenSSL failed (out of memory, invalid key) */
    V2X_ESIGNATURE = -6,   /* the signature does not verify */
    V2X_ESIGNER = -7,      /* unknown signer: digest with no matching certificate */
    V2X_EISSUER = -8,      /* certificate not issued by the given issuer (HashedId8/signature) */
    V2X_EEXPIRED = -9,     /* certificate not valid at the given time (before start or after) */
    V2X_EPSID = -10,       /* PSID not in the certificate's appPermissions */
    V2X_EREGION = -11,     /* generation location outside the certificate's region */
    V2X_EDECRYPT = -12,    /* no recipient matches, or the ECIES tag / CCM tag fails */
    V2X_ENOTSIGNED = -13,  /* a signed message was expected */
} v2x_err_t;

/* A short phrase for an error code ("signature does not verify"); never NULL. */
const char *v2x_strerror(int err);

/* ------------------------------------------------------------------------------------------ */
/* time (IEEE 1609.2 §6.4.13-6.4.15)                                                            */

/* 2004-01-01T00:00:00Z as Unix seconds: the epoch of Time32/Time64/TimestampIts. */
#define V2X_EPOCH_UNIX 1072915200LL

/* Leap seconds inserted since the epoch, at the given Unix time (UTC seconds). IEEE 1609.2 counts
 * TAI seconds since 2004-01-01 00:00:00 UTC, when TAI - UTC was already 32 s; so Time32 =
 * (unix - V2X_EPOCH_UNIX) + (TAI-UTC now - 32). Leap seconds since: 2005-12-31, 2008-12-31,
 * 2012-06-30, 2015-06-30, 2016-12-31 (IERS Bulletin C; 5 from 2017-01-01 on). */
int v2x_leap_seconds(int64_t unix_s);

/* UTC Unix seconds -> Time32 (0 if before the epoch, saturated at UINT32_MAX). */
uint32_t v2x_time32_from_unix(int64_t unix_s);
/* Time32 -> UTC Unix seconds. */
int64_t v2x_unix_from_time32(uint32_t t32);
/* UTC Unix microseconds -> Time64. */
uint64_t v2x_time64_from_unix_us(int64_t unix_us);
/* Time64 -> UTC Unix microseconds. */
int64_t v2x_unix_us_from_time64(uint64_t t64);
/* Parses "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (UTC; 'Z' or "+00:00" optional) into Unix
 * microseconds: 0, or V2X_EARG. */
int v2x_time_parse_iso8601(const char *s, int64_t *unix_us);
/* Formats Unix microseconds as "YYYY-MM-DDTHH:MM:SS.ffffffZ" into buf (at least 32 bytes). */
void v2x_time_format_iso8601(int64_t unix_us, char *buf, size_t cap);

/* ------------------------------------------------------------------------------------------ */
/* keys and hashes                                                                              */

typedef enum {
    V2X_CURVE_P256 = 0,  /* NIST P-256 (prime256v1), SHA-256 */
    V2X_CURVE_BP256 = 1, /* brainpoolP256r1, SHA-256 */
    V2X_CURVE_BP384 = 2, /* brainpoolP384r1, SHA-384 */
    V2X_CURVE_P384 = 3,  /* NIST P-384, SHA-384 */
    V2X_CURVE_NONE = -1,
} v2x_curve_t;

typedef enum { V2X_HASH_SHA256 = 0, V2X_HASH_SHA384 = 1 } v2x_hash_t;

#define V2X_MAX_FIELD 48 /* octets of a coordinate / scalar on the largest curve */
#define V2X_MAX_HASH  48
#define V2X_MAX_POINT (1 + V2X_MAX_FIELD) /* compressed point */

/* Octets of a field element / scalar of the curve (32 or 48). */
size_t v2x_curve_size(v2x_curve_t c);
/* The hash the curve's signatures use (SHA-384 for the 384-bit curves). */
v2x_hash_t v2x_curve_hash(v2x_curve_t c);
/* Octets of the hash output (32 or 48). */
size_t v2x_hash_size(v2x_hash_t h);
/* out = H(data); returns 0 or V2X_ECRYPTO. */
int v2x_hash(v2x_hash_t h, const uint8_t *data, size_t len, uint8_t *out);

/* A fresh key pair from OpenSSL's DRBG; NULL on failure. */
EVP_PKEY *v2x_key_generate(v2x_curve_t c);
/* The key pair whose private scalar is derived from seed (any length >= 16): d = (int(seed) mod
 * (n - 1)) + 1. For simulations that draw keys from their seeded stream. NULL on failure. */
EVP_PKEY *v2x_key_from_seed(v2x_curve_t c, const uint8_t *seed, size_t seed_len);
/* The key pair with private scalar d (big-endian, v2x_curve_size octets, 0 < d < n). */
EVP_PKEY *v2x_key_from_private(v2x_curve_t c, const uint8_t *d, size_t d_len);
/* The public key from a compressed (0x02/0x03 || x) or uncompressed (0x04 || x || y) point. */
EVP_PKEY *v2x_key_from_point(v2x_curve_t c, const uint8_t *point, size_t len);
/* The curve of a key, or V2X_CURVE_NONE. */
v2x_curve_t v2x_key_curve(const EVP_PKEY *key);
/* The compressed public point (0x02/0x03 || x, 1 + size octets) into out; 0 or error. */
int v2x_key_public_compressed(const EVP_PKEY *key, uint8_t *out, size_t cap, size_t *out_len);
/* The private scalar (v2x_curve_size octets, big-endian) into out; cleanse it after use. */
int v2x_key_private_bytes(const EVP_PKEY *key, uint8_t *out, size_t cap, size_t *out_len);

/* ------------------------------------------------------------------------------------------ */
/* certificates (IEEE 1609.2 §6.4.3, ETSI TS 103 097 §6)                                        */

#define V2X_MAX_PSIDS 8  /* appPermissions entries kept in a view */
#define V2X_MAX_SSP   31 /* octets of an SSP (bitmapSsp bound) */
#define V2X_MAX_NAME  64 /* octets of a CertificateId name kept in a view */
#define V2X_MAX_RECTS 4
#define V2X_CERT_MAX  512 /* octets of an encoded certificate this code produces or accepts */

/* Well-known PSIDs (ETSI TS 102 965). */
#define V2X_PSID_CAM         36  /* cooperative awareness */
#define V2X_PSID_DENM        37  /* decentralized environmental notification */
#define V2X_PSID_CRL         622 /* certificate revocation list */
#define V2X_PSID_MISBEHAVIOR 38

typedef struct {
    int32_t lat; /* 1e-7 degree, -900000000 .. 900000000 */
    int32_t lon; /* 1e-7 degree, -1800000000 .. 1800000000 */
} v2x_2dloc_t;

typedef enum { V2X_REGION_NONE = 0, V2X_REGION_CIRCLE = 1, V2X_REGION_RECT = 2 } v2x_region_kind_t;

typedef struct {
    v2x_region_kind_t kind;
    v2x_2dloc_t center; /* CIRCLE */
    uint16_t radius_m;  /* CIRCLE */
    size_t n_rects;     /* RECT: 1 .. V2X_MAX_RECTS */
    struct {
        v2x_2dloc_t nw, se;
    } rects[V2X_MAX_RECTS];
} v2x_region_t;

/* True when loc lies in the region (NONE contains everything). Circle: great-circle distance
 * on a spherical earth (1609.2 §5.1.2 allows the approximation). */
bool v2x_region_contains(const v2x_region_t *r, v2x_2dloc_t loc);
/* True when inner is wholly inside outer (used for chain checks; NONE outer = true). */
bool v2x_region_within(const v2x_region_t *inner, const v2x_region_t *outer);

/* Duration choice of a ValidityPeriod. */
typedef enum {
    V2X_DUR_MICROSECONDS = 0,
    V2X_DUR_MILLISECONDS = 1,
    V2X_DUR_SECONDS = 2,
    V2X_DUR_MINUTES = 3,
    V2X_DUR_HOURS = 4,
    V2X_DUR_SIXTY_HOURS = 5,
    V2X_DUR_YEARS = 6,
} v2x_duration_unit_t;

typedef struct {
    uint32_t start; /* Time32 */
    v2x_duration_unit_t unit;
    uint16_t value;
} v2x_validity_t;

/* The validity's end as Time64 (exclusive); years count 31 556 952 s (1609.2 §6.4.17). */
uint64_t v2x_validity_end64(const v2x_validity_t *v);

typedef struct {
    uint64_t psid;
    bool has_ssp;
    bool bitmap; /* bitmapSsp (else opaque) */
    uint8_t ssp_len;
    uint8_t ssp[V2X_MAX_SSP];
} v2x_psid_ssp_t;

typedef enum { V2X_CERT_EXPLICIT = 0, V2X_CERT_IMPLICIT = 1 } v2x_cert_type_t;

/* What to put in a certificate. */
typedef struct {
    v2x_cert_type_t type; /* IMPLICIT: P-256 only, see v2x_cert_issue_implicit */
    const char *name;     /* CertificateId name (<= V2X_MAX_NAME), NULL = none */
    uint8_t craca_id[3];  /* cracaId (HashedId3), usually 0 */
    uint16_t crl_series;  /* crlSeries */
    v2x_validity_t validity;
    v2x_region_t region; /* kind NONE = no region */
    bool has_assurance;
    uint8_t assurance; /* SubjectAssurance */
    size_t n_psids;    /* appPermissions: 0 = absent */
    v2x_psid_ssp_t psids[V2X_MAX_PSIDS];
    bool ca;                 /* certIssuePermissions = all (root CA, EA, AA) */
    const EVP_PKEY *enc_key; /* encryptionKey (P-256 ECIES, AES-128-CCM), NULL = none */
} v2x_cert_params_t;

/* Issues an explicit certificate for subject_key (public part), signed by issuer_key.
 * issuer_cert/issuer_cert_len: the issuer's encoded certificate; NULL = self-signed root (then
 * issuer_key must be subject_key's pair). The hash follows the issuer's curve. The verification
 * key is written compressed, the signature's R x-only: the canonical forms of IEEE 1609.2
 * §6.4.3 (the only forms v2x_cert_decode accepts, so a certificate has one valid encoding). */
int v2x_cert_issue(const v2x_cert_params_t *p, const EVP_PKEY *subject_key,
                   const EVP_PKEY *issuer_key, const uint8_t *issuer_cert, size_t issuer_cert_len,
                   uint8_t *out, size_t cap, size_t *out_len);

/* ECQV (SEC 4, IEEE 1609.2 §5.3.2) implicit certificate on P-256: the CA takes the requester's
 * public point R_U (request_key's public part), picks k, writes P_U = R_U + kG as the
 * reconstruction value, and returns the private-key reconstruction value r = e k + d_CA mod n
 * (32 octets) in r_out. e = Hn(H(H(tbsCertificate) || H(issuer certificate))). */
int v2x_cert_issue_implicit(const v2x_cert_params_t *p, const EVP_PKEY *request_key,
                            const EVP_PKEY *issuer_key, const uint8_t *issuer_cert,
                            size_t issuer_cert_len, uint8_t *out, size_t cap, size_t *out_len,
                            uint8_t r_out[32]);
/* The requester's private key d_U = e k_U + r mod n for an implicit certificate. */
EVP_PKEY *v2x_cert_implicit_private(const EVP_PKEY *request_key, const uint8_t r[32],
                                    const uint8_t *cert, size_t cert_len,
                                    const uint8_t *issuer_cert, size_t issuer_cert_len);

/* A decoded certificate. Offsets are into the input given to v2x_cert_decode. */
typedef struct {
    size_t len;              /* octets of the whole certificate */
    size_t tbs_off, tbs_len; /* the ToBeSignedCertificate */
    v2x_cert_type_t type;
    bool self_signed;       /* issuer = self */
    v2x_hash_t issuer_hash; /* hash of the issuer choice (self: the declared algorithm) */
    uint8_t issuer[8];      /* issuer HashedId8 (zero when self-signed) */
    bool has_name;
    char name[V2X_MAX_NAME + 1]; /* CertificateId name, NUL-terminated */
    uint8_t craca_id[3];
    uint16_t crl_series;
    v2x_validity_t validity;
    v2x_region_t region;
    bool has_assurance;
    uint8_t assurance;
    size_t n_psids;
    v2x_psid_ssp_t psids[V2X_MAX_PSIDS];
    bool ca; /* certIssuePermissions present */
    bool has_enc_key;
    v2x_curve_t enc_curve;
    uint8_t enc_point[V2X_MAX_POINT]; /* compressed */
    v2x_curve_t curve;                /* of the verification key / reconstruction value */
    uint8_t key_point[V2X_MAX_POINT]; /* compressed (x-only is refused) */
    bool has_signature;
    v2x_curve_t sig_curve;
    uint8_t sig_r[V2X_MAX_POINT]; /* 0x00 || x: R, accepted x-only only */
    uint8_t sig_s[V2X_MAX_FIELD];
} v2x_cert_view_t;

/* Decodes one COER EtsiTs103097Certificate filling the whole of buf[0..len). */
int v2x_cert_decode(const uint8_t *buf, size_t len, v2x_cert_view_t *v);
/* Decodes a certificate at the start of buf and says how long it is (*used), for certificates
 * embedded in an SPDU or concatenated. */
int v2x_cert_decode_prefix(const uint8_t *buf, size_t len, v2x_cert_view_t *v, size_t *used);

/* HashedId8 of an encoded certificate: the low-order 8 octets of its hash, SHA-256 or, for a
 * certificate whose verification key is on a 384-bit curve, SHA-384. */
int v2x_cert_hashedid8(const uint8_t *cert, size_t len, uint8_t out[8]);

/* A certificate ready for verification: its bytes, view, hash, HashedId8 and public verification
 * key (decompressed once, or reconstructed for an implicit certificate). Not copyable by value:
 * own it through the pointer. */
typedef struct {
    uint8_t bytes[V2X_CERT_MAX];
    size_t len;
    v2x_cert_view_t view;
    uint8_t hash[V2X_MAX_HASH]; /* H(certificate) with the certificate's hash */
    uint8_t hashedid8[8];
    EVP_PKEY *key;         /* verification key */
    EVP_PKEY *enc_key;     /* encryption key, NULL if none */
    const EC_GROUP *group; /* the key's curve (process-wide, not owned) and point, for the */
    EC_POINT *point;       /* full-R check of signatures */
    EVP_PKEY_CTX *vctx;    /* ECDSA verification prepared once: a certificate object verifies
                            * from one thread at a time */
} v2x_cert_t;

/* Loads an encoded certificate. issuer: needed for an implicit certificate (reconstruction),
 * ignored otherwise (may be NULL). Does not check the issuer's signature: see
 * v2x_cert_check_issued. Returns a new object or NULL (with *err set when err is not NULL). */
v2x_cert_t *v2x_cert_new(const uint8_t *cert, size_t len, const v2x_cert_t *issuer, int *err);
/* Frees the object and nulls *self_p; safe with NULL or *self_p NULL. */
void v2x_cert_destroy(v2x_cert_t **self_p);

/* The issuer check of one chain link: cert names issuer's HashedId8 (or is self-signed when
 * issuer == cert), cert's signature verifies with issuer's key (explicit), cert's validity lies in
 * the issuer's and its region in the issuer's region. 0 or V2X_EISSUER / V2X_ESIGNATURE. */
int v2x_cert_check_issued(const v2x_cert_t *cert, const v2x_cert_t *issuer);
/* Validity at time t64 (Time64): start <= t < end. 0 or V2X_EEXPIRED. */
int v2x_cert_check_time(const v2x_cert_view_t *v, uint64_t t64);
/* The appPermissions entry for psid, or NULL (V2X_EPSID for the caller). */
const v2x_psid_ssp_t *v2x_cert_permission(const v2x_cert_view_t *v, uint64_t psid);

/* ------------------------------------------------------------------------------------------ */
/* secured messages: Ieee1609Dot2Data version 3 (IEEE 1609.2 §6.3, TS 103 097 §5)               */

#define V2X_SPDU_MAX 2048 /* octets of an SPDU this code produces */

typedef enum {
    V2X_CONTENT_UNSECURED = 0,
    V2X_CONTENT_SIGNED = 1,
    V2X_CONTENT_ENCRYPTED = 2,
} v2x_content_t;

typedef enum {
    V2X_SIGNER_DIGEST = 0,      /* HashedId8 of the signer certificate */
    V2X_SIGNER_CERTIFICATE = 1, /* the certificate itself (a SEQUENCE OF exactly one) */
    V2X_SIGNER_SELF = 2,
} v2x_signer_kind_t;

typedef struct {
    int32_t lat, lon;   /* 1e-7 degree */
    uint16_t elevation; /* Elevation: 0.1 m with 4096 offset as 1609.2 §6.4.40 (raw value) */
} v2x_3dloc_t;

/* What v2x_spdu_sign puts in the HeaderInfo. */
typedef struct {
    uint64_t psid;
    uint64_t generation_time; /* Time64 */
    bool has_expiry;
    uint64_t expiry_time; /* Time64 */
    bool has_location;
    v2x_3dloc_t location;
    v2x_signer_kind_t signer; /* DIGEST or CERTIFICATE (SELF: signed with a self-signed key) */
} v2x_sign_params_t;

/* Signs payload (the unsecuredData of the inner Ieee1609Dot2Data: for ETSI ITS the
 * GeoNetworking common header, extended header, BTP-B and the CAM/DENM) with key, the private
 * key of the signer certificate cert (encoded). The signature input is
 * H(H(ToBeSignedData) || H(cert)) with H of the key's curve; R is written compressed, as
 * production OBUs do and as v2x_spdu_decode requires (x-only R would make a second valid
 * encoding of every message).
 * out: the whole Ieee1609Dot2Data. */
int v2x_spdu_sign(const v2x_sign_params_t *p, const uint8_t *payload, size_t payload_len,
                  const EVP_PKEY *key, const uint8_t *cert, size_t cert_len, uint8_t *out,
                  size_t cap, size_t *out_len);

/* A prepared signer: an OpenSSL signing context for the key, its public point and curve,
 * H(signer certificate) and a copy of the certificate, made once per key instead of once per
 * message (signer.c). cert NULL (len 0):
 * a self signer (H("")). Not for concurrent use from two threads (it keeps a BN_CTX). Returns a
 * new object or NULL with *err (if err) set: V2X_EARG for a key without its private part or of
 * another curve than the certificate's. */
typedef struct v2x_signer v2x_signer_t;
v2x_signer_t *v2x_signer_new(const EVP_PKEY *key, const uint8_t *cert, size_t cert_len, int *err);
/* Cleanses and frees the signer, nulls *self_p; safe with NULL. */
void v2x_signer_destroy(v2x_signer_t **self_p);
/* The signer's curve, and its certificate (NULL for a self signer). */
v2x_curve_t v2x_signer_curve(const v2x_signer_t *sg);
const uint8_t *v2x_signer_cert(const v2x_signer_t *sg, size_t *len);

/* v2x_spdu_sign with a prepared signer: the same output (p->signer SELF requires a signer made
 * without a certificate, DIGEST/CERTIFICATE one with). One scalar multiplication per message. */
int v2x_spdu_sign_with(const v2x_sign_params_t *p, const uint8_t *payload, size_t payload_len,
                       v2x_signer_t *sg, uint8_t *out, size_t cap, size_t *out_len);

/* Writes an unsecured Ieee1609Dot2Data (version 3, unsecuredData). */
int v2x_spdu_unsecured(const uint8_t *payload, size_t payload_len, uint8_t *out, size_t cap,
                       size_t *out_len);

/* A decoded Ieee1609Dot2Data. Pointers point into the decoded input. */
typedef struct {
    v2x_content_t content;
    /* UNSECURED, SIGNED: the innermost unsecuredData */
    const uint8_t *payload;
    size_t payload_len;
    /* SIGNED */
    v2x_hash_t hash;    /* hashId */
    const uint8_t *tbs; /* the ToBeSignedData's encoding */
    size_t tbs_len;
    uint64_t psid;
    bool has_generation_time;
    uint64_t generation_time; /* Time64 */
    bool has_expiry;
    uint64_t expiry_time;
    bool has_location;
    v2x_3dloc_t location;
    v2x_signer_kind_t signer;
    uint8_t digest[8];   /* DIGEST: as given; CERTIFICATE: HashedId8 of the cert */
    const uint8_t *cert; /* CERTIFICATE: the signer certificate's encoding */
    size_t cert_len;
    v2x_curve_t sig_curve;
    uint8_t sig_r[V2X_MAX_POINT]; /* 0x02/0x03 || x: R, accepted compressed only */
    uint8_t sig_s[V2X_MAX_FIELD];
    /* ENCRYPTED: one certRecipInfo with an ECIES P-256 key, AES-128-CCM ciphertext */
    uint8_t recipient[8];  /* recipientId */
    uint8_t eph_point[33]; /* v (compressed) */
    uint8_t enc_key[16];   /* c */
    uint8_t enc_tag[16];   /* t */
    uint8_t nonce[12];
    const uint8_t *ciphertext; /* ccmCiphertext (with the 16-octet CCM tag at the end) */
    size_t ciphertext_len;
} v2x_spdu_t;

/* Decodes buf[0..len) as one Ieee1609Dot2Data (nested signedData payload: one level). */
int v2x_spdu_decode(const uint8_t *buf, size_t len, v2x_spdu_t *s);

/* Checks the signature of a decoded signedData with the signer certificate's key. For a digest
 * signer, signer's HashedId8 must equal the digest (else V2X_ESIGNER); for a certificate signer,
 * signer must be that certificate (pass the object loaded from s->cert, or NULL to have it loaded
 * here, explicit certificates only). Does not check time, PSID or chain: see v2x_spdu_check.
 * The check is IEEE 1609.2 §5.3.1's: ECDSA over r = x(R) mod n, through OpenSSL with the
 * certificate's prepared context. The y parity of a compressed R is not part of it: it does not
 * make the encoding unique ((-R, n - s) is always a second valid signature), so nothing may key
 * on signature bytes, and checking it costs a modular inverse OpenSSL's API does not expose
 * (a quarter of the verification). */
int v2x_spdu_verify(const v2x_spdu_t *s, const v2x_cert_t *signer);
/* v2x_spdu_verify that also requires a compressed R to be the point u1 G + u2 Q itself, y parity
 * included: the strict conformance check of the `verify` tool (one flipped bit of the R choice
 * fails it; v2x_spdu_verify accepts that bit as the standard's verification does). */
int v2x_spdu_verify_full_r(const v2x_spdu_t *s, const v2x_cert_t *signer);

/* The certificate-based checks a receiver makes after v2x_spdu_verify: the signer certificate
 * is valid at the generation time (or at t64 when the header has none), it permits the PSID, and
 * the generation location (if any) is in its region. 0 or V2X_EEXPIRED / V2X_EPSID /
 * V2X_EREGION. */
int v2x_spdu_check(const v2x_spdu_t *s, const v2x_cert_t *signer, uint64_t t64);

/* ------------------------------------------------------------------------------------------ */
/* certificate revocation lists (IEEE 1609.2 §7.3 CrlContents, hash-based; crl.c)              */

#define V2X_HASHEDID10 10

/* One HashBasedRevocationInfo: the revoked certificate's HashedId10 and when it expires. */
typedef struct {
    uint8_t id[V2X_HASHEDID10];
    uint32_t expiry; /* Time32 */
} v2x_crl_entry_t;

/* A CrlContents of the fullHashCrl / deltaHashCrl kind. Decoded: entries points into the
 * input (n_entries records of HashedId10 || Time32); read them with v2x_crl_entry. */
typedef struct {
    uint8_t version; /* 1 */
    uint16_t crl_series;
    uint8_t craca[8]; /* crlCraca: HashedId8 of the CRL-signing authority's certificate */
    uint32_t issue_date, next_crl; /* Time32 */
    bool has_priority;
    uint8_t priority;
    bool delta; /* deltaHashCrl (else fullHashCrl) */
    uint32_t crl_serial;
    size_t n_entries;
    const uint8_t *entries;
} v2x_crl_t;

/* Encodes c with entries[0 .. c->n_entries) (c->entries is ignored). */
int v2x_crl_encode(const v2x_crl_t *c, const v2x_crl_entry_t *entries, uint8_t *out, size_t cap,
                   size_t *out_len);
/* Strict decode of one whole CrlContents (linked CRLs and extensions: V2X_EUNSUPPORTED). */
int v2x_crl_decode(const uint8_t *buf, size_t len, v2x_crl_t *c);
/* Entry i (< n_entries) of a decoded CRL. */
void v2x_crl_entry(const v2x_crl_t *c, size_t i, v2x_crl_entry_t *e);
/* True when the decoded CRL lists the HashedId10 id. */
bool v2x_crl_lists(const v2x_crl_t *c, const uint8_t id[V2X_HASHEDID10]);
/* HashedId10 of an encoded certificate: the low-order 10 octets of its hash (as HashedId8). */
int v2x_cert_hashedid10(const uint8_t *cert, size_t len, uint8_t out[V2X_HASHEDID10]);

/* ------------------------------------------------------------------------------------------ */
/* encrypted data: ECIES P-256 + AES-128-CCM (IEEE 1609.2 §5.3.5, TS 103 097 §5.3; X.1372 9.2) */

/* Encrypts plaintext (usually a whole signed Ieee1609Dot2Data) for the recipient certificate
 * (which must carry a P-256 encryptionKey): a fresh AES-128 key, CCM with a 12-octet nonce and a
 * 16-octet tag, the key wrapped by ECIES (ECDH, KDF2 with SHA-256 and P1 = SHA-256(recipient
 * certificate), XOR, HMAC-SHA-256 truncated to 16 octets). out: Ieee1609Dot2Data encryptedData. */
int v2x_encrypt(const uint8_t *plaintext, size_t len, const v2x_cert_t *recipient, uint8_t *out,
                size_t cap, size_t *out_len);
/* Decrypts a decoded encryptedData with the recipient's certificate and encryption private key.
 * V2X_EDECRYPT when the recipientId is not that certificate or a tag fails. */
int v2x_decrypt(const v2x_spdu_t *s, const v2x_cert_t *recipient, const EVP_PKEY *enc_private,
                uint8_t *out, size_t cap, size_t *out_len);

/* ------------------------------------------------------------------------------------------ */
/* CAM and DENM in UPER (ETSI EN 302 637-2 V1.4.1, EN 302 637-3 V1.3.1, TS 102 894-2 CDD)      */

#define V2X_CAM_MESSAGE_ID       2
#define V2X_DENM_MESSAGE_ID      1
#define V2X_ITS_PROTOCOL_VERSION 2

/* "unavailable" values of the CDD. */
#define V2X_LAT_UNAVAILABLE     900000001
#define V2X_LON_UNAVAILABLE     1800000001
#define V2X_SPEED_UNAVAILABLE   16383
#define V2X_HEADING_UNAVAILABLE 3601

/* StationType values (CDD). */
#define V2X_STATION_PASSENGER_CAR 5
#define V2X_STATION_RSU           15

#define V2X_PATH_MAX 40

typedef struct {
    int32_t lat, lon;         /* 1e-7 degree */
    uint16_t semi_major_conf; /* 0..4095 (cm; 4095 unavailable) */
    uint16_t semi_minor_conf;
    uint16_t semi_major_orient; /* 0..3601 (0.1 degree) */
    int32_t altitude;           /* 0.01 m, -100000..800001 (800001 unavailable) */
    uint8_t altitude_conf;      /* 0..15 (15 unavailable) */
} v2x_refpos_t;

typedef struct {
    uint8_t protocol_version; /* 2 */
    uint32_t station_id;
    uint16_t generation_delta_time; /* TimestampIts mod 65536 */
    uint8_t station_type;
    v2x_refpos_t pos;
    bool rsu; /* high-frequency container is the RSU one (no vehicle fields) */
    /* basicVehicleContainerHighFrequency */
    uint16_t heading;        /* 0..3601 */
    uint8_t heading_conf;    /* 1..127 */
    uint16_t speed;          /* 0..16383 */
    uint8_t speed_conf;      /* 1..127 */
    uint8_t drive_direction; /* 0 forward, 1 backward, 2 unavailable */
    uint16_t length;         /* 1..1023 (0.1 m) */
    uint8_t length_conf;     /* 0..4 */
    uint8_t width;           /* 1..62 (0.1 m) */
    int16_t long_accel;      /* -160..161 (0.1 m/s^2) */
    uint8_t long_accel_conf; /* 0..102 */
    int16_t curvature;       /* -1023..1023 */
    uint8_t curvature_conf;  /* 0..7 */
    uint8_t curvature_mode;  /* 0..2 */
    int32_t yaw_rate;        /* -32766..32767 (0.01 degree/s) */
    uint8_t yaw_rate_conf;   /* 0..8 */
    /* optional high-frequency fields (cenDsrcTollingZone: V2X_EUNSUPPORTED) */
    bool has_accel_control;
    uint8_t accel_control; /* AccelerationControl BIT STRING (SIZE(7)), right-aligned */
    bool has_lane_position;
    int8_t lane_position; /* -1..14 */
    bool has_steering;
    int16_t steering_angle; /* -511..512 (1.5 degree) */
    uint8_t steering_conf;  /* 1..127 */
    bool has_lat_accel;
    int16_t lat_accel;      /* -160..161 */
    uint8_t lat_accel_conf; /* 0..102 */
    bool has_vert_accel;
    int16_t vert_accel;      /* -160..161 */
    uint8_t vert_accel_conf; /* 0..102 */
    bool has_performance_class;
    uint8_t performance_class; /* 0..7 */
    /* basicVehicleContainerLowFrequency (optional) */
    bool has_low_freq;
    uint8_t vehicle_role;    /* 0..15 */
    uint8_t exterior_lights; /* BIT STRING (SIZE(8)), first bit = MSB */
    uint8_t path_len;        /* 0..40 */
    struct {
        int32_t dlat, dlon; /* -131071..131072 */
        int32_t dalt;       /* -12700..12800 */
        bool has_dt;
        uint16_t dt; /* 1..65535 (10 ms) */
    } path[V2X_PATH_MAX];
} v2x_cam_t;

/* A CAM of a passenger car with every optional field absent and confidences "unavailable". */
void v2x_cam_init(v2x_cam_t *cam, uint32_t station_id);
int v2x_cam_encode(const v2x_cam_t *cam, uint8_t *out, size_t cap, size_t *out_len);
/* Strict UPER decode of a whole CAM (special-vehicle containers and extensions:
 * V2X_EUNSUPPORTED). */
int v2x_cam_decode(const uint8_t *buf, size_t len, v2x_cam_t *cam);

typedef struct {
    uint8_t protocol_version; /* 2 */
    uint32_t station_id;      /* header */
    /* management container */
    uint32_t orig_station_id; /* actionID */
    uint16_t sequence_number;
    uint64_t detection_time; /* TimestampIts (ms, TAI since 2004) */
    uint64_t reference_time;
    bool has_termination;
    uint8_t termination; /* 0 isCancellation, 1 isNegation */
    v2x_refpos_t event_pos;
    bool has_relevance_distance;
    uint8_t relevance_distance; /* 0..7 */
    bool has_relevance_direction;
    uint8_t relevance_direction; /* 0..3 */
    uint32_t validity_duration;  /* 0..86400 s, default 600 (omitted when 600) */
    bool has_transmission_interval;
    uint16_t transmission_interval; /* 1..10000 ms */
    uint8_t station_type;
    /* situation container (optional) */
    bool has_situation;
    uint8_t information_quality; /* 0..7 */
    uint8_t cause, sub_cause;
    bool has_linked_cause;
    uint8_t linked_cause, linked_sub_cause;
} v2x_denm_t;

void v2x_denm_init(v2x_denm_t *denm, uint32_t station_id, uint16_t sequence_number);
int v2x_denm_encode(const v2x_denm_t *denm, uint8_t *out, size_t cap, size_t *out_len);
/* Strict UPER decode of a whole DENM (location / à-la-carte containers, event history and
 * extensions: V2X_EUNSUPPORTED). */
int v2x_denm_decode(const uint8_t *buf, size_t len, v2x_denm_t *denm);

/* ------------------------------------------------------------------------------------------ */
/* GeoNetworking (EN 302 636-4-1 §9) + BTP-B (EN 302 636-5-1 §7.3)                              */

#define V2X_BTP_PORT_CAM  2001
#define V2X_BTP_PORT_DENM 2002
#define V2X_ETHERTYPE_GN  0x8947

typedef enum { V2X_GN_SHB = 0, V2X_GN_TSB = 1 } v2x_gn_kind_t;

/* What the common header, the extended header's source position vector and BTP-B carry. */
typedef struct {
    v2x_gn_kind_t kind; /* SHB (CAMs) or multi-hop TSB (DENMs here) */
    uint8_t traffic_class;
    uint8_t max_hop_limit;    /* 1 for SHB */
    bool mobile;              /* common-header flags bit */
    uint16_t sequence_number; /* TSB only */
    /* source long position vector */
    bool manual_addr;          /* GN_ADDR M bit */
    uint8_t addr_station_type; /* 0..31 */
    uint8_t mid[6];            /* link-layer address */
    uint32_t timestamp;        /* TST: TAI ms since 2004 mod 2^32 */
    int32_t lat, lon;          /* 1e-7 degree */
    bool pai;                  /* position accuracy indicator */
    int16_t speed;             /* 0.01 m/s, 15-bit signed */
    uint16_t heading;          /* 0.1 degree */
    /* BTP-B */
    uint16_t btp_port; /* 2001 CAM, 2002 DENM */
    uint16_t btp_port_info;
} v2x_gn_t;

/* Common header + extended header + BTP-B + payload: the bytes an ETSI SPDU signs. */
int v2x_gn_encode(const v2x_gn_t *gn, const uint8_t *payload, size_t payload_len, uint8_t *out,
                  size_t cap, size_t *out_len);
/* The inverse; *payload points into buf. */
int v2x_gn_decode(const uint8_t *buf, size_t len, v2x_gn_t *gn, const uint8_t **payload,
                  size_t *payload_len);

/* An Ethernet frame (broadcast destination, locally administered source MAC from src_mac) with
 * ethertype 0x8947, the GeoNetworking basic header (next header "secured packet" when spdu is an
 * Ieee1609Dot2Data, else "common header") and then spdu. Returns the frame's length (written only
 * when <= cap). */
size_t v2x_frame_ethernet(const uint8_t src_mac[6], const uint8_t *spdu, size_t len, bool secured,
                          uint8_t *buf, size_t cap);

/* The module's sg17_module_t.trace_frame: a message whose payload is an Ieee1609Dot2Data
 * (signed/unsecured carrying a GeoNetworking packet, or encrypted) becomes an Ethernet frame
 * (link type 1) as above, the source MAC derived from src_name; anything else returns 0 (the core
 * writes its generic exported PDU). */
size_t v2x_trace_frame(const sg17_msg_t *msg, const char *src_name, const char *dst_name,
                       uint8_t *buf, size_t cap, uint32_t *linktype);

#ifdef __cplusplus
}
#endif
#endif
