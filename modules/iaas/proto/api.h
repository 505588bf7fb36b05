/* api.h — the management API's wire format: a signed request (operation, correlation id, access
 * key id, arguments, an optional blob, HMAC-SHA256 under the access key's secret) and its response.
 * Pure: bytes and keys in, bytes out; never sees the simulation. */
#ifndef IAAS_PROTO_API_H
#define IAAS_PROTO_API_H

#include <stddef.h>
#include <stdint.h>

#define API_VERSION      1
#define API_CORR_BYTES   16 /* correlation id (Stratus Red Team puts it in the user agent) */
#define API_SECRET_BYTES 32 /* access key secret: the HMAC-SHA256 key */
#define API_MAC_BYTES    32
#define API_BLOB_MAX     4096
#define API_HEADER_BYTES (1 + 1 + API_CORR_BYTES + 4 + 8 + 4 + 4 + 4 + 2)
#define API_REQUEST_MAX  (API_HEADER_BYTES + API_BLOB_MAX + API_MAC_BYTES)
#define API_RESPONSE_MAX (1 + 1 + 4 + 2 + API_BLOB_MAX)
#define API_ACCOUNT_ALL  0xffffu /* a share with "all": public */

/* Operations, named as the audit trail names them (CloudTrail event names). */
typedef enum {
    API_OP_DESCRIBE_INSTANCES = 1,
    API_OP_CREATE_VOLUME,
    API_OP_WRITE_VOLUME,
    API_OP_READ_VOLUME,
    API_OP_DELETE_VOLUME,
    API_OP_CREATE_SNAPSHOT,
    API_OP_MODIFY_SNAPSHOT_ATTRIBUTE,
    API_OP_READ_SNAPSHOT,
    API_OP_REGISTER_IMAGE,
    API_OP_MODIFY_IMAGE_ATTRIBUTE,
    API_OP_RUN_INSTANCES,
    API_OP_GET_USER_DATA,
    API_OP_SET_USER_DATA,
    API_OP_REBOOT_INSTANCES,
    API_OP_CREATE_ACCESS_KEY,
    API_OP_SET_DEFAULT_POLICY_VERSION,
    API_OP_AUTHORIZE_INGRESS,
    API_OP_REVOKE_INGRESS,
    API_OP_DELETE_FLOW_LOGS,
    API_OP_CREATE_FLOW_LOGS,
    API_OP_STOP_LOGGING,
    API_OP_START_LOGGING,
    API_OP_DELETE_TRAIL,
    API_OP_COUNT /* one past the last */
} api_op_t;

/* Response status. */
enum {
    API_OK = 0,
    API_DENIED = 1,      /* IAM or a guardrail refused it */
    API_NOT_FOUND = 2,   /* no such resource visible to the caller */
    API_BAD_REQUEST = 3, /* arguments outside their domain */
    API_AUTH_FAILED = 4, /* unknown key, bad MAC, or a bound credential used from elsewhere */
    API_THROTTLED = 5,   /* over the tenant's quota or the service's capacity (HTTP 429/503) */
};

typedef struct {
    uint8_t op;
    uint8_t corr[API_CORR_BYTES];
    uint32_t key_id;
    uint64_t timestamp; /* µs of virtual time, as the caller claims */
    uint32_t target, value, flags;
    const uint8_t *blob; /* points into the decoded buffer */
    uint16_t blob_len;
    const uint8_t *mac; /* API_MAC_BYTES, into the buffer */
} api_request_t;

typedef struct {
    uint8_t op, status;
    uint32_t id; /* the resource created, or 0 */
    const uint8_t *data;
    uint16_t len;
} api_response_t;

/* The event name of an operation ("ModifySnapshotAttribute"), or NULL outside the table. */
const char *api_op_name(unsigned op);
/* The operation called `name`, or 0. */
unsigned api_op_by_name(const char *name);

/* Encodes and signs rq (rq->mac is ignored) into out; 0 and *len, or -1 if it does not fit. */
int api_request_encode(const api_request_t *rq, const uint8_t secret[API_SECRET_BYTES],
                       uint8_t *out, size_t cap, size_t *len);
/* Strict decoder: version, a known operation, a blob within bounds, nothing left over. */
int api_request_decode(const uint8_t *buf, size_t len, api_request_t *rq);
/* 0 when the request's MAC verifies under secret (constant-time comparison). */
int api_request_verify(const uint8_t *buf, size_t len, const uint8_t secret[API_SECRET_BYTES]);

int api_response_encode(const api_response_t *rs, uint8_t *out, size_t cap, size_t *len);
int api_response_decode(const uint8_t *buf, size_t len, api_response_t *rs);

/* The body of a CreateAccessKey answer: key id and secret. */
#define API_KEY_BODY_BYTES (4 + API_SECRET_BYTES)
void api_key_body_encode(uint32_t key_id, const uint8_t secret[API_SECRET_BYTES],
                         uint8_t out[API_KEY_BODY_BYTES]);
int api_key_body_decode(const uint8_t *buf, size_t len, uint32_t *key_id,
                        uint8_t secret[API_SECRET_BYTES]);

#endif
