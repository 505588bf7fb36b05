/* dlms/apdu.h — the xDLMS APDUs the metering simulation exchanges (IEC 62056-5-3 A-XDR encoding):
 * ciphered framing (glo-*, general-glo-ciphering), data-notification readings, get/set/action
 * requests and responses on COSEM objects, image-transfer parameters and general-signing.
 *
 * Conventions for every codec here:
 *   encoders  int dlms_<x>_encode(const dlms_<x>_t *x, uint8_t *out, size_t cap, size_t *outlen)
 *             write the whole APDU into out (cap octets) and return 0, or -1 (bad field, short
 *             buffer) with *outlen untouched;
 *   decoders  int dlms_<x>_decode(const uint8_t *in, size_t len, dlms_<x>_t *x)
 *             are strict: the input must be exactly one well-formed APDU of that kind (no trailing
 *             octets, minimal A-XDR lengths, known CHOICE values, nesting depth <= 16); anything
 *             else returns -1. They never read outside in[0..len). Pointer fields of a decoded
 *             struct borrow from in (no copies, nothing to free).
 * Optional octet-string fields are "absent" when their pointer is NULL (length 0).
 */
#ifndef METERING_DLMS_APDU_H
#define METERING_DLMS_APDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* ---- APDU tags (xDLMS) ---- */
#define DLMS_APDU_DATA_NOTIFICATION      0x0F
#define DLMS_APDU_GET_REQUEST            0xC0
#define DLMS_APDU_SET_REQUEST            0xC1
#define DLMS_APDU_EVENT_NOTIFICATION     0xC2
#define DLMS_APDU_ACTION_REQUEST         0xC3
#define DLMS_APDU_GET_RESPONSE           0xC4
#define DLMS_APDU_SET_RESPONSE           0xC5
#define DLMS_APDU_ACTION_RESPONSE        0xC7
#define DLMS_APDU_GLO_GET_REQUEST        0xC8
#define DLMS_APDU_GLO_SET_REQUEST        0xC9
#define DLMS_APDU_GLO_EVENT_NOTIFICATION 0xCA
#define DLMS_APDU_GLO_ACTION_REQUEST     0xCB
#define DLMS_APDU_GLO_GET_RESPONSE       0xCC
#define DLMS_APDU_GLO_SET_RESPONSE       0xCD
#define DLMS_APDU_GLO_ACTION_RESPONSE    0xCF
#define DLMS_APDU_GENERAL_GLO_CIPHERING  0xDB
#define DLMS_APDU_GENERAL_SIGNING        0xDF

/* ---- A-XDR data type tags (the Data CHOICE) ---- */
#define DLMS_DT_NULL                 0x00
#define DLMS_DT_ARRAY                0x01
#define DLMS_DT_STRUCTURE            0x02
#define DLMS_DT_BOOLEAN              0x03
#define DLMS_DT_BIT_STRING           0x04
#define DLMS_DT_DOUBLE_LONG          0x05
#define DLMS_DT_DOUBLE_LONG_UNSIGNED 0x06
#define DLMS_DT_OCTET_STRING         0x09
#define DLMS_DT_VISIBLE_STRING       0x0A
#define DLMS_DT_UTF8_STRING          0x0C
#define DLMS_DT_BCD                  0x0D
#define DLMS_DT_INTEGER              0x0F
#define DLMS_DT_LONG                 0x10
#define DLMS_DT_UNSIGNED             0x11
#define DLMS_DT_LONG_UNSIGNED        0x12
#define DLMS_DT_LONG64               0x14
#define DLMS_DT_LONG64_UNSIGNED      0x15
#define DLMS_DT_ENUM                 0x16
#define DLMS_DT_FLOAT32              0x17
#define DLMS_DT_FLOAT64              0x18
#define DLMS_DT_DATE_TIME            0x19
#define DLMS_DT_DATE                 0x1A
#define DLMS_DT_TIME                 0x1B

/* ---- COSEM objects the simulation uses (class id, logical name) ---- */
#define DLMS_CLASS_REGISTER           3
#define DLMS_CLASS_PROFILE_GENERIC    7
#define DLMS_CLASS_CLOCK              8
#define DLMS_CLASS_IMAGE_TRANSFER     18
#define DLMS_CLASS_ACTIVITY_CALENDAR  20
#define DLMS_CLASS_SECURITY_SETUP     64
#define DLMS_CLASS_DISCONNECT_CONTROL 70
#define DLMS_CLASS_LIMITER            71
extern const uint8_t DLMS_OBIS_ACTIVE_ENERGY_IMPORT[6]; /* 1-0:1.8.0.255 */
extern const uint8_t DLMS_OBIS_LOAD_PROFILE[6];         /* 1-0:99.1.0.255 */
extern const uint8_t DLMS_OBIS_CLOCK[6];                /* 0-0:1.0.0.255 */
extern const uint8_t DLMS_OBIS_IMAGE_TRANSFER[6];       /* 0-0:44.0.0.255 */
extern const uint8_t DLMS_OBIS_DISCONNECT_CONTROL[6];   /* 0-0:96.3.10.255 */
extern const uint8_t DLMS_OBIS_LIMITER[6];              /* 0-0:17.0.0.255 */
extern const uint8_t DLMS_OBIS_ACTIVITY_CALENDAR[6];    /* 0-0:13.0.0.255: the tariff in force */

#define DLMS_METHOD_REMOTE_DISCONNECT      1 /* disconnect control (class 70) */
#define DLMS_METHOD_REMOTE_RECONNECT       2
#define DLMS_METHOD_IMAGE_INITIATE         1 /* image transfer (class 18) */
#define DLMS_METHOD_IMAGE_BLOCK            2
#define DLMS_METHOD_IMAGE_VERIFY           3
#define DLMS_METHOD_IMAGE_ACTIVATE         4
#define DLMS_ATTR_LIMITER_THRESHOLD_NORMAL 4 /* limiter (class 71) */

#define DLMS_DATETIME_LEN 12

/* ---- A-XDR length: short form < 0x80, else 0x80|n then n big-endian octets (n <= 4) ---- */

/* Writes the minimal encoding of n. Returns 0 or -1 (short buffer, n >= 2^32). */
int dlms_axdr_length_encode(size_t n, uint8_t *out, size_t cap, size_t *outlen);
/* Reads a length at in: *value and the octets used (*consumed). Rejects non-minimal forms. */
int dlms_axdr_length_decode(const uint8_t *in, size_t len, size_t *value, size_t *consumed);

/* Checks that in starts with one well-formed Data value; *consumed is its size. Returns 0/-1. */
int dlms_data_check(const uint8_t *in, size_t len, size_t *consumed);

/* Single Data values (the whole input must be that one value when decoding): u32 is
 * double-long-unsigned (06), octets is octet-string (09). */
int dlms_data_encode_u32(uint32_t v, uint8_t *out, size_t cap, size_t *outlen);
int dlms_data_decode_u32(const uint8_t *in, size_t len, uint32_t *v);
int dlms_data_encode_octets(const uint8_t *p, size_t n, uint8_t *out, size_t cap, size_t *outlen);
int dlms_data_decode_octets(const uint8_t *in, size_t len, const uint8_t **p, size_t *n);

/* ---- COSEM date-time (12 octets) ---- */
typedef struct {
    uint16_t year;       /* 0xFFFF = not specified */
    uint8_t month;       /* 1..12, 0xFD/0xFE daylight saving end/begin, 0xFF */
    uint8_t day;         /* 1..31, 0xFD/0xFE second-last/last day of month, 0xFF */
    uint8_t day_of_week; /* 1 = Monday .. 7, 0xFF */
    uint8_t hour, minute, second, hundredths; /* 0xFF = not specified */
    int16_t deviation; /* minutes from local time to UTC, -720..720; INT16_MIN = not specified */
    uint8_t clock_status;
} dlms_datetime_t;

void dlms_datetime_pack(const dlms_datetime_t *dt, uint8_t out[DLMS_DATETIME_LEN]);
/* Range-checks every field (see dlms_datetime_t). Returns 0 or -1. */
int dlms_datetime_unpack(const uint8_t in[DLMS_DATETIME_LEN], dlms_datetime_t *dt);
/* The UTC date-time (deviation 0, status 0) of a POSIX time; simulations map virtual time here. */
void dlms_datetime_from_unix(int64_t seconds, dlms_datetime_t *dt);

/* ---- Ciphered framing ---- */

/* The glo- tag that ciphers an unciphered tag (C0 -> C8 ...), or 0 if there is none. */
uint8_t dlms_glo_tag_for(uint8_t plain_tag);

/* glo-* APDU: tag || A-XDR length || secured, secured = SC || IC || ciphertext || tag (see
 * security.h). The tag must be one of the glo tags C8..CF. */
int dlms_glo_encode(uint8_t tag, const uint8_t *secured, size_t secured_len, uint8_t *out,
                    size_t cap, size_t *outlen);
int dlms_glo_decode(const uint8_t *in, size_t len, uint8_t *tag, const uint8_t **secured,
                    size_t *secured_len);

/* general-glo-ciphering: DB || 08 || system title || A-XDR length || secured. Carries the
 * sender's system title, so it can wrap any APDU (push data-notifications use it). */
int dlms_general_glo_encode(const uint8_t systitle[8], const uint8_t *secured, size_t secured_len,
                            uint8_t *out, size_t cap, size_t *outlen);
int dlms_general_glo_decode(const uint8_t *in, size_t len, const uint8_t **systitle,
                            const uint8_t **secured, size_t *secured_len);

/* ---- data-notification (0F): pushed load-profile readings ---- */

/* The notification body a meter pushes for one reading:
 * structure { octet-string[6] logical name, double-long-unsigned value, unsigned status }. */
typedef struct {
    uint8_t obis[6]; /* register, DLMS_OBIS_ACTIVE_ENERGY_IMPORT */
    uint32_t value;  /* register value (Wh for active energy) */
    uint8_t status;  /* meter status bits (0 = normal) */
} dlms_reading_t;

typedef struct {
    uint32_t long_invoke_id; /* long-invoke-id-and-priority */
    bool has_time;           /* date-time is an optional octet-string (0 or 12 octets) */
    dlms_datetime_t time;
    dlms_reading_t reading;
} dlms_data_notification_t;

int dlms_data_notification_encode(const dlms_data_notification_t *x, uint8_t *out, size_t cap,
                                  size_t *outlen);
int dlms_data_notification_decode(const uint8_t *in, size_t len, dlms_data_notification_t *x);

/* ---- get / set / action, "normal" (single object) variants ---- */

/* A COSEM attribute or method: class id, logical name (OBIS) and attribute or method index. */
typedef struct {
    uint16_t class_id;
    uint8_t obis[6];
    uint8_t index;
} dlms_cosem_ref_t;

/* get-request-normal: C0 01 invoke-id-and-priority attribute-descriptor, no selective access. */
typedef struct {
    uint8_t invoke_id; /* invoke-id-and-priority */
    dlms_cosem_ref_t attr;
} dlms_get_request_t;

/* get-response-normal: C4 01 invoke-id result; result is Data (data != NULL) or a
 * data-access-result (data == NULL, access_result != 0). */
typedef struct {
    uint8_t invoke_id;
    uint8_t access_result; /* 0 success */
    const uint8_t *data;   /* one encoded Data value */
    size_t data_len;
} dlms_get_response_t;

/* set-request-normal: C1 01 invoke-id attribute-descriptor 00 value (one encoded Data value). */
typedef struct {
    uint8_t invoke_id;
    dlms_cosem_ref_t attr;
    const uint8_t *value;
    size_t value_len;
} dlms_set_request_t;

/* set-response-normal: C5 01 invoke-id data-access-result. */
typedef struct {
    uint8_t invoke_id;
    uint8_t result; /* 0 success */
} dlms_set_response_t;

/* action-request-normal: C3 01 invoke-id method-descriptor, then method-invocation-parameters:
 * 00 (absent, params == NULL) or 01 Data. */
typedef struct {
    uint8_t invoke_id;
    dlms_cosem_ref_t method;
    const uint8_t *params;
    size_t params_len;
} dlms_action_request_t;

/* action-response-normal: C7 01 invoke-id action-result, then 00 (no return data) or 01 00 Data. */
typedef struct {
    uint8_t invoke_id;
    uint8_t result; /* 0 success */
    const uint8_t *data;
    size_t data_len;
} dlms_action_response_t;

int dlms_get_request_encode(const dlms_get_request_t *x, uint8_t *out, size_t cap, size_t *outlen);
int dlms_get_request_decode(const uint8_t *in, size_t len, dlms_get_request_t *x);
int dlms_get_response_encode(const dlms_get_response_t *x, uint8_t *out, size_t cap,
                             size_t *outlen);
int dlms_get_response_decode(const uint8_t *in, size_t len, dlms_get_response_t *x);
int dlms_set_request_encode(const dlms_set_request_t *x, uint8_t *out, size_t cap, size_t *outlen);
int dlms_set_request_decode(const uint8_t *in, size_t len, dlms_set_request_t *x);
int dlms_set_response_encode(const dlms_set_response_t *x, uint8_t *out, size_t cap,
                             size_t *outlen);
int dlms_set_response_decode(const uint8_t *in, size_t len, dlms_set_response_t *x);
int dlms_action_request_encode(const dlms_action_request_t *x, uint8_t *out, size_t cap,
                               size_t *outlen);
int dlms_action_request_decode(const uint8_t *in, size_t len, dlms_action_request_t *x);
int dlms_action_response_encode(const dlms_action_response_t *x, uint8_t *out, size_t cap,
                                size_t *outlen);
int dlms_action_response_decode(const uint8_t *in, size_t len, dlms_action_response_t *x);

/* Commands built on the above. Disconnect control: action-request on class 70,
 * 0-0:96.3.10.255, method 1 (remote_disconnect) or 2 (remote_reconnect), parameter integer(0). */
int dlms_disconnect_request_encode(uint8_t invoke_id, bool reconnect, uint8_t *out, size_t cap,
                                   size_t *outlen);
/* Load limit: set-request of the limiter's (class 71, 0-0:17.0.0.255) threshold_normal
 * (attribute 4) to a double-long-unsigned threshold (W). */
int dlms_load_limit_request_encode(uint8_t invoke_id, uint32_t threshold, uint8_t *out, size_t cap,
                                   size_t *outlen);

/* ---- image transfer (class 18) method parameters ---- */

/* image_transfer_initiate: structure { octet-string identifier, double-long-unsigned size }. */
int dlms_image_initiate_encode(const uint8_t *id, size_t id_len, uint32_t size, uint8_t *out,
                               size_t cap, size_t *outlen);
int dlms_image_initiate_decode(const uint8_t *in, size_t len, const uint8_t **id, size_t *id_len,
                               uint32_t *size);
/* image_block_transfer: structure { double-long-unsigned block number, octet-string block }. */
int dlms_image_block_encode(uint32_t number, const uint8_t *block, size_t block_len, uint8_t *out,
                            size_t cap, size_t *outlen);
int dlms_image_block_decode(const uint8_t *in, size_t len, uint32_t *number, const uint8_t **block,
                            size_t *block_len);

/* ---- general-signing (DF, dlms/signing.c): a suite-1 signature around a command ----
 * DF || transaction-id || originator-system-title || recipient-system-title || date-time ||
 * other-information || content || signature, each an A-XDR octet-string. The signature (ECDSA
 * P-256 / SHA-256, raw r || s) covers every octet before the signature field. */
typedef struct {
    const uint8_t *transaction_id;
    size_t transaction_id_len;
    const uint8_t *originator; /* 0 or 8 octets */
    size_t originator_len;
    const uint8_t *recipient; /* 0 or 8 octets */
    size_t recipient_len;
    const uint8_t *date_time; /* 0 or 12 octets */
    size_t date_time_len;
    const uint8_t *other_info;
    size_t other_info_len;
    const uint8_t *content; /* the signed APDU (may itself be ciphered) */
    size_t content_len;
    const uint8_t *signature; /* 0 or 64 octets */
    size_t signature_len;
    size_t signed_len; /* set by decode and encode: octets [0, signed_len) are signed */
} dlms_general_signing_t;

/* Encodes with x->signature as given (absent = empty octet-string) and sets x->signed_len. */
int dlms_general_signing_encode(dlms_general_signing_t *x, uint8_t *out, size_t cap,
                                size_t *outlen);
int dlms_general_signing_decode(const uint8_t *in, size_t len, dlms_general_signing_t *x);
/* Encodes x (its signature field ignored) and signs it with key. Returns 0 or -1. */
int dlms_general_signing_sign(EVP_PKEY *key, const dlms_general_signing_t *x, uint8_t *out,
                              size_t cap, size_t *outlen);
/* Decodes in into x and verifies its signature with key: 0 only when well-formed AND signed by
 * key; -1 otherwise (x is then meaningful only if decoding succeeded). */
int dlms_general_signing_verify(EVP_PKEY *key, const uint8_t *in, size_t len,
                                dlms_general_signing_t *x);

#endif
