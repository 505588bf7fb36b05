/* ts102941.h — the ETSI TS 102 941 subset the run's PKI speaks on the bus: EtsiTs102941Data
 * version 1 with the enrolment, authorization and authorization-validation requests and
 * responses, in canonical OER, written here on sg17tb/wire.h (no generated code). The outer
 * layers (signedData, encryptedData) are the IEEE 1609.2 ones of v2x_proto.h.
 *
 * Subset and deviations, said once:
 * - publicKeys carries the verification key only (no encryptionKey);
 * - requestedSubjectAttributes carries appPermissions only;
 * - ecSignature is always the encryptedEcSignature alternative (the EC's signedData over the
 *   SharedAtRequest, encrypted to the EA), the data embedded rather than as an external hash;
 * - responses are signed by the authority but not encrypted back to the requester (TS 102 941
 *   encrypts them with the request's AES key: a privacy property outside what the scenarios
 *   test).
 * Pure codec: nothing here sees sg17_ctx_t. Views point into the decoded buffer. */
#ifndef V2X_TS102941_H
#define V2X_TS102941_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "v2x_proto.h"

#define V2X_PSID_CERT_REQUEST 623 /* SecuredCertificateRequestService (ETSI TS 102 965) */
#define V2X_PKI_VERSION       1   /* EtsiTs102941Data version */
#define V2X_PKI_CERT_FORMAT   1   /* CertificateFormat ts103097v131 */
#define V2X_PKI_HASH16        16  /* requestHash, keyTag */
#define V2X_PKI_HMAC_KEY      32
#define V2X_PKI_ITS_ID_MAX    64

/* EtsiTs102941DataContent alternatives (TS 102 941 §6.2.x). */
typedef enum {
    V2X_PKI_ENROL_REQUEST = 0,
    V2X_PKI_ENROL_RESPONSE = 1,
    V2X_PKI_AUTH_REQUEST = 2,
    V2X_PKI_AUTH_RESPONSE = 3,
    V2X_PKI_AV_REQUEST = 7,
    V2X_PKI_AV_RESPONSE = 8,
} v2x_pki_content_t;

/* Response codes used here (TS 102 941): 0 = ok in each list. AuthorizationValidationResponseCode
 * (EA -> AA) and the AuthorizationResponseCode values that pass the EA's verdict on to the
 * requester (AA -> ITS-S). */
enum {
    V2X_PKI_OK = 0,
    V2X_PKI_AV_UNKNOWNITS = 9,         /* the EA issued no such EC */
    V2X_PKI_AV_INVALIDSIGNATURE = 10,  /* the EC's signature does not verify */
    V2X_PKI_AV_DENIEDPERMISSIONS = 12, /* the EA denies it (a revoked EC) */
    V2X_PKI_AT_UNKNOWNITS = 22,
    V2X_PKI_AT_INVALIDSIGNATURE = 23,
    V2X_PKI_AT_DENIEDPERMISSIONS = 25,
};

/* CertificateSubjectAttributes, appPermissions only. */
typedef struct {
    size_t n_psids;
    v2x_psid_ssp_t psids[V2X_MAX_PSIDS];
} v2x_pki_attrs_t;

/* PublicKeys: the verification key (compressed point). */
typedef struct {
    v2x_curve_t curve;
    uint8_t point[V2X_MAX_POINT];
} v2x_pki_key_t;

/* InnerEcRequest. */
typedef struct {
    const uint8_t *its_id; /* the canonical identifier */
    size_t its_id_len;     /* 1 .. V2X_PKI_ITS_ID_MAX */
    uint8_t cert_format;
    v2x_pki_key_t key;
    v2x_pki_attrs_t attrs;
} v2x_pki_ec_request_t;

/* SharedAtRequest: what the EA sees of an authorization request. */
typedef struct {
    uint8_t ea_id[8]; /* HashedId8 of the EA certificate */
    uint8_t key_tag[V2X_PKI_HASH16];
    uint8_t cert_format;
    v2x_pki_attrs_t attrs;
} v2x_pki_shared_at_t;

/* InnerEcResponse / InnerAtResponse / AuthorizationValidationResponse (the last carries no
 * certificate; its optional confirmedSubjectAttributes are not used). */
typedef struct {
    uint8_t request_hash[V2X_PKI_HASH16];
    uint8_t code;
    const uint8_t *cert; /* NULL: absent */
    size_t cert_len;
} v2x_pki_response_t;

/* An EtsiTs102941Data of one of the contents above. */
typedef struct {
    v2x_pki_content_t content;
    /* ENROL_REQUEST: the InnerEcRequestSignedForPop, an Ieee1609Dot2Data */
    const uint8_t *pop;
    size_t pop_len;
    /* AUTH_REQUEST */
    v2x_pki_key_t at_key;
    uint8_t hmac_key[V2X_PKI_HMAC_KEY];
    /* AUTH_REQUEST, AV_REQUEST */
    v2x_pki_shared_at_t shared;
    const uint8_t *ec_signature; /* the encryptedEcSignature, an Ieee1609Dot2Data */
    size_t ec_signature_len;
    /* ENROL_RESPONSE, AUTH_RESPONSE, AV_RESPONSE */
    v2x_pki_response_t response;
} v2x_pki_data_t;

/* EtsiTs102941Data: 0 or a v2x_err_t (V2X_EUNSUPPORTED for another content alternative). */
int v2x_pki_encode(const v2x_pki_data_t *d, uint8_t *out, size_t cap, size_t *out_len);
int v2x_pki_decode(const uint8_t *buf, size_t len, v2x_pki_data_t *d);

int v2x_pki_ec_request_encode(const v2x_pki_ec_request_t *r, uint8_t *out, size_t cap,
                              size_t *out_len);
int v2x_pki_ec_request_decode(const uint8_t *buf, size_t len, v2x_pki_ec_request_t *r);
int v2x_pki_shared_at_encode(const v2x_pki_shared_at_t *r, uint8_t *out, size_t cap,
                             size_t *out_len);
int v2x_pki_shared_at_decode(const uint8_t *buf, size_t len, v2x_pki_shared_at_t *r);

/* keyTag (TS 102 941 §6.2.3.3.1): HMAC-SHA-256 with hmacKey over the OER PublicVerificationKey,
 * the leftmost 16 octets: binds the SharedAtRequest the EA sees to the keys only the AA sees. */
int v2x_pki_key_tag(const uint8_t hmac_key[V2X_PKI_HMAC_KEY], const v2x_pki_key_t *key,
                    uint8_t tag[V2X_PKI_HASH16]);
/* requestHash: the leftmost 16 octets of SHA-256 of the request as sent. */
int v2x_pki_request_hash(const uint8_t *msg, size_t len, uint8_t out[V2X_PKI_HASH16]);
/* The PublicKeys of a key pair or public key. */
int v2x_pki_key_of(const EVP_PKEY *key, v2x_pki_key_t *out);
/* The public key a v2x_pki_key_t names (the caller frees it), or NULL. */
EVP_PKEY *v2x_pki_key_load(const v2x_pki_key_t *key);
/* The signature of a self-signed signedData (the proof of possession) with the given public
 * key: IEEE 1609.2 §5.3.1 with the hash of the empty string as signer hash. */
int v2x_spdu_verify_self(const v2x_spdu_t *s, const EVP_PKEY *key);

#endif
