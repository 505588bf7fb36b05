/* mikey.h — the MIKEY-SAKKE I_MESSAGE (RFC 6509 §2.1) as octets: the RFC 3830 common header and
 * payloads (HDR §6.1, T §6.6, RAND §6.11, general extension §6.15, SIGN §6.5), the ID payloads with
 * role indicator of RFC 6043 §6.6 (IDRi, IDRr, IDRkmsi) and the SAKKE payload of RFC 6509 §4.2.
 * Pure: octets in, octets out; no cryptography (the caller signs what mikey_sakke_encode marks as
 * signed and verifies what mikey_sakke_decode reports).
 *
 * The profile written and accepted (RFC 6509 §2.1, HDR, T, RAND, [IDRi], [IDRr], [IDRkmsi], SAKKE,
 * [SIGN]):
 *   HDR      version 1, data type SAKKE (26), V = 0, PRF MIKEY-1, CSB ID, #CS 0, map type SRTP-ID
 *   T        NTP-UTC, 64 bits
 *   RAND     1..255 octets
 *   IDRi     role 1, the initiator's identifier; IDRr role 2, the responder's; IDRkmsi role 6
 *   EXT      optional, one general extension (type and data), before SAKKE
 *   SAKKE    SAKKE params, ID scheme, the encapsulated data
 *   SIGN     optional and last: S type (4 bits), length (12 bits), the signature
 * The signature covers every octet before the signature field itself, the SIGN payload's own
 * type and length included (RFC 3830 §5.2). The decoder takes the payloads in that order, each at
 * most once, and accepts only an input it consumes exactly. */
#ifndef IBC_MIKEY_H
#define IBC_MIKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MIKEY_VERSION          1
#define MIKEY_DATA_SAKKE       26 /* RFC 6509 §4.1: data type "SAKKE msg" */
#define MIKEY_PL_LAST          0
#define MIKEY_PL_SIGN          4
#define MIKEY_PL_T             5
#define MIKEY_PL_RAND          11
#define MIKEY_PL_IDR           14 /* RFC 6043 §6.6 */
#define MIKEY_PL_EXT           21
#define MIKEY_PL_SAKKE         26 /* RFC 6509 §4.2 */
#define MIKEY_TS_NTP_UTC       0
#define MIKEY_ROLE_INITIATOR   1
#define MIKEY_ROLE_RESPONDER   2
#define MIKEY_ROLE_KMS_I       6 /* the initiator's KMS */
#define MIKEY_ID_URI           1
#define MIKEY_ID_BYTES         2   /* RFC 6043: byte string */
#define MIKEY_SAKKE_PARAMS_1   1   /* RFC 6509 Appendix A parameter set 1 */
#define MIKEY_SAKKE_SCHEME_URI 1   /* ID scheme: tel URI with monthly keys (RFC 6509 §3.2) */
#define MIKEY_SIGN_ECCSI       2   /* S type of RFC 6509 §4.3 */
#define MIKEY_EXT_PRIVATE      241 /* first general-extension type of RFC 3830 §10's private range */
#define MIKEY_SIGN_MAX         0x0fff /* the 12-bit signature length */

/* An I_MESSAGE. Byte fields point into the caller's buffers (encode) or into the decoded input
 * (decode); an absent optional part has a NULL pointer and length 0. */
typedef struct {
    uint32_t csb_id;
    uint64_t ntp; /* T: NTP-UTC, seconds since 1900 in the high 32 bits, the fraction below */
    const uint8_t *rand;
    size_t rand_len;
    const uint8_t *idri, *idrr; /* initiator's and responder's identifiers (required) */
    size_t idri_len, idrr_len;
    uint8_t idri_type, idrr_type; /* MIKEY_ID_URI or MIKEY_ID_BYTES */
    const uint8_t *kms_uri;       /* IDRkmsi, a URI; optional */
    size_t kms_uri_len;
    uint8_t ext_type; /* the general extension, optional */
    const uint8_t *ext;
    size_t ext_len;
    uint8_t sakke_params, id_scheme;
    const uint8_t *sakke; /* the SAKKE encapsulated data (RFC 6508 §4) */
    size_t sakke_len;
    /* SIGN: the signature (decode), its type and length (encode and decode); sign_len 0 = none */
    uint8_t sign_type;
    size_t sign_len;
    const uint8_t *sign;
    size_t signed_len; /* octets the signature covers: every one before the signature field */
} mikey_sakke_t;

/* Writes m into out (cap octets): every payload and, when m->sign_len > 0, the SIGN payload's
 * type and length, leaving m->sign_len octets after them for the signature (m->sign is not
 * read). Returns the number of octets to sign (the message is that plus m->sign_len); 0 if a
 * field is out of range or the message does not fit, and then nothing useful is in out. */
size_t mikey_sakke_encode(const mikey_sakke_t *m, uint8_t *out, size_t cap);

/* The length mikey_sakke_encode would write in all (signature included), 0 if m is invalid. */
size_t mikey_sakke_length(const mikey_sakke_t *m);

/* Parses an I_MESSAGE of the profile above; 0 and m filled, or -1 if buf is anything else. */
int mikey_sakke_decode(const uint8_t *buf, size_t len, mikey_sakke_t *m);

#endif
