/* api.c — the management API's request and response codec (api.h), with sg17tb/wire.h. */
#include "proto/api.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sg17tb/wire.h>

static const char *const op_names[API_OP_COUNT] = {
    [API_OP_DESCRIBE_INSTANCES] = "DescribeInstances",
    [API_OP_CREATE_VOLUME] = "CreateVolume",
    [API_OP_WRITE_VOLUME] = "WriteVolume",
    [API_OP_READ_VOLUME] = "ReadVolume",
    [API_OP_DELETE_VOLUME] = "DeleteVolume",
    [API_OP_CREATE_SNAPSHOT] = "CreateSnapshot",
    [API_OP_MODIFY_SNAPSHOT_ATTRIBUTE] = "ModifySnapshotAttribute",
    [API_OP_READ_SNAPSHOT] = "ReadSnapshot",
    [API_OP_REGISTER_IMAGE] = "RegisterImage",
    [API_OP_MODIFY_IMAGE_ATTRIBUTE] = "ModifyImageAttribute",
    [API_OP_RUN_INSTANCES] = "RunInstances",
    [API_OP_GET_USER_DATA] = "DescribeInstanceAttribute",
    [API_OP_SET_USER_DATA] = "ModifyInstanceAttribute",
    [API_OP_REBOOT_INSTANCES] = "RebootInstances",
    [API_OP_CREATE_ACCESS_KEY] = "CreateAccessKey",
    [API_OP_SET_DEFAULT_POLICY_VERSION] = "SetDefaultPolicyVersion",
    [API_OP_AUTHORIZE_INGRESS] = "AuthorizeSecurityGroupIngress",
    [API_OP_REVOKE_INGRESS] = "RevokeSecurityGroupIngress",
    [API_OP_DELETE_FLOW_LOGS] = "DeleteFlowLogs",
    [API_OP_CREATE_FLOW_LOGS] = "CreateFlowLogs",
    [API_OP_STOP_LOGGING] = "StopLogging",
    [API_OP_START_LOGGING] = "StartLogging",
    [API_OP_DELETE_TRAIL] = "DeleteTrail",
};

const char *api_op_name(unsigned op)
{
    return op > 0 && op < API_OP_COUNT ? op_names[op] : NULL;
}

unsigned api_op_by_name(const char *name)
{
    for (unsigned op = 1; name && op < API_OP_COUNT; op++)
        if (strcmp(op_names[op], name) == 0)
            return op;
    return 0;
}

static int mac_of(const uint8_t secret[API_SECRET_BYTES], const uint8_t *buf, size_t len,
                  uint8_t mac[API_MAC_BYTES])
{
    unsigned n = 0;
    return HMAC(EVP_sha256(), secret, API_SECRET_BYTES, buf, len, mac, &n) && n == API_MAC_BYTES
               ? 0
               : -1;
}

int api_request_encode(const api_request_t *rq, const uint8_t secret[API_SECRET_BYTES],
                       uint8_t *out, size_t cap, size_t *len)
{
    if (rq->blob_len > API_BLOB_MAX || (rq->blob_len && !rq->blob) || !api_op_name(rq->op))
        return -1;
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, API_VERSION);
    sg17_put_u8(&w, rq->op);
    sg17_put_bytes(&w, rq->corr, API_CORR_BYTES);
    sg17_put_u32(&w, rq->key_id);
    sg17_put_u64(&w, rq->timestamp);
    sg17_put_u32(&w, rq->target);
    sg17_put_u32(&w, rq->value);
    sg17_put_u32(&w, rq->flags);
    sg17_put_u16(&w, rq->blob_len);
    if (rq->blob_len)
        sg17_put_bytes(&w, rq->blob, rq->blob_len);
    size_t body = API_HEADER_BYTES + rq->blob_len;
    uint8_t *mac = sg17_put_space(&w, API_MAC_BYTES);
    if (sg17_writer_finish(&w, len) != 0)
        return -1;
    return mac_of(secret, out, body, mac);
}

int api_request_decode(const uint8_t *buf, size_t len, api_request_t *rq)
{
    memset(rq, 0, sizeof *rq);
    sg17_reader_t r = sg17_reader(buf, len);
    sg17_get_expect(&r, API_VERSION);
    rq->op = sg17_get_u8(&r);
    const uint8_t *corr = sg17_get_bytes(&r, API_CORR_BYTES);
    rq->key_id = sg17_get_u32(&r);
    rq->timestamp = sg17_get_u64(&r);
    rq->target = sg17_get_u32(&r);
    rq->value = sg17_get_u32(&r);
    rq->flags = sg17_get_u32(&r);
    rq->blob_len = sg17_get_u16(&r);
    if (rq->blob_len > API_BLOB_MAX)
        sg17_reader_fail(&r);
    rq->blob = rq->blob_len ? sg17_get_bytes(&r, rq->blob_len) : NULL;
    rq->mac = sg17_get_bytes(&r, API_MAC_BYTES);
    if (!sg17_reader_done(&r) || !api_op_name(rq->op))
        return -1;
    memcpy(rq->corr, corr, API_CORR_BYTES);
    return 0;
}

int api_request_verify(const uint8_t *buf, size_t len, const uint8_t secret[API_SECRET_BYTES])
{
    uint8_t mac[API_MAC_BYTES];
    if (len < API_HEADER_BYTES + API_MAC_BYTES
        || mac_of(secret, buf, len - API_MAC_BYTES, mac) != 0)
        return -1;
    int ok = CRYPTO_memcmp(mac, buf + len - API_MAC_BYTES, API_MAC_BYTES) == 0;
    OPENSSL_cleanse(mac, sizeof mac);
    return ok ? 0 : -1;
}

int api_response_encode(const api_response_t *rs, uint8_t *out, size_t cap, size_t *len)
{
    if (rs->len > API_BLOB_MAX || (rs->len && !rs->data))
        return -1;
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, rs->op);
    sg17_put_u8(&w, rs->status);
    sg17_put_u32(&w, rs->id);
    sg17_put_u16(&w, rs->len);
    if (rs->len)
        sg17_put_bytes(&w, rs->data, rs->len);
    return sg17_writer_finish(&w, len);
}

int api_response_decode(const uint8_t *buf, size_t len, api_response_t *rs)
{
    memset(rs, 0, sizeof *rs);
    sg17_reader_t r = sg17_reader(buf, len);
    rs->op = sg17_get_u8(&r);
    rs->status = sg17_get_u8(&r);
    rs->id = sg17_get_u32(&r);
    rs->len = sg17_get_u16(&r);
    if (rs->len > API_BLOB_MAX || rs->status > API_THROTTLED)
        sg17_reader_fail(&r);
    rs->data = rs->len ? sg17_get_bytes(&r, rs->len) : NULL;
    return sg17_reader_done(&r) && api_op_name(rs->op) ? 0 : -1;
}

void api_key_body_encode(uint32_t key_id, const uint8_t secret[API_SECRET_BYTES],
                         uint8_t out[API_KEY_BODY_BYTES])
{
    sg17_store_be32(out, key_id);
    memcpy(out + 4, secret, API_SECRET_BYTES);
}

int api_key_body_decode(const uint8_t *buf, size_t len, uint32_t *key_id,
                        uint8_t secret[API_SECRET_BYTES])
{
    if (len != API_KEY_BODY_BYTES)
        return -1;
    *key_id = sg17_load_be32(buf);
    memcpy(secret, buf + 4, API_SECRET_BYTES);
    return 0;
}
