/* api.c — the controller API, audit record, anchor and export codecs (api.h). */
#include "proto/api.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sg17tb/wire.h>

#define VERSION 1

static int hmac256(const uint8_t *key, size_t klen, const uint8_t *in, size_t n,
                   uint8_t out[NAASP_PROOF])
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
                           OSSL_PARAM_construct_end()};
    size_t outl = 0;
    int ok = c && EVP_MAC_init(c, key, klen, params) == 1 && EVP_MAC_update(c, in, n) == 1
             && EVP_MAC_final(c, out, &outl, NAASP_PROOF) == 1 && outl == NAASP_PROOF;
    EVP_MAC_CTX_free(c);
    EVP_MAC_free(mac);
    return ok ? 0 : -1;
}

int naasp_req_encode(naasp_req_t *req, const uint8_t *key, uint8_t *out, size_t cap)
{
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, VERSION);
    sg17_put_u8(&w, req->op);
    sg17_put_u16(&w, req->tenant);
    sg17_put_u32(&w, req->nonce);
    sg17_put_u64(&w, req->ts_us);
    sg17_put_bytes(&w, req->token, NAASP_TOKEN);
    sg17_put_u32(&w, req->a);
    sg17_put_u32(&w, req->b);
    sg17_put_u32(&w, req->ip);
    sg17_put_u16(&w, req->port);
    sg17_put_u8(&w, req->plen);
    req->has_proof = key != NULL;
    sg17_put_u8(&w, req->has_proof ? 1 : 0);
    uint8_t *proof = sg17_put_space(&w, NAASP_PROOF);
    size_t n = 0;
    if (!proof || sg17_writer_finish(&w, &n) != 0)
        return -1;
    memset(proof, 0, NAASP_PROOF);
    if (key && hmac256(key, NAASP_HOLDER, out, NAASP_REQ_BODY, proof) != 0)
        return -1;
    memcpy(req->proof, proof, NAASP_PROOF);
    return 0;
}

int naasp_req_decode(const uint8_t *in, size_t len, naasp_req_t *out)
{
    sg17_reader_t r = sg17_reader(in, len);
    uint8_t ver = sg17_get_u8(&r);
    out->op = sg17_get_u8(&r);
    out->tenant = sg17_get_u16(&r);
    out->nonce = sg17_get_u32(&r);
    out->ts_us = sg17_get_u64(&r);
    sg17_get_copy(&r, out->token, NAASP_TOKEN);
    out->a = sg17_get_u32(&r);
    out->b = sg17_get_u32(&r);
    out->ip = sg17_get_u32(&r);
    out->port = sg17_get_u16(&r);
    out->plen = sg17_get_u8(&r);
    uint8_t has = sg17_get_u8(&r);
    sg17_get_copy(&r, out->proof, NAASP_PROOF);
    if (!sg17_reader_done(&r) || ver != VERSION || out->op == 0 || out->op >= NAASP_OP_COUNT_
        || has > 1 || out->plen > 32)
        return -1;
    out->has_proof = has == 1;
    return 0;
}

bool naasp_req_verify(const uint8_t *in, size_t len, const uint8_t *key)
{
    uint8_t m[NAASP_PROOF];
    if (len != NAASP_REQ_LEN || in[NAASP_REQ_BODY] != 1
        || hmac256(key, NAASP_HOLDER, in, NAASP_REQ_BODY, m) != 0)
        return false;
    bool ok = CRYPTO_memcmp(m, in + NAASP_REQ_BODY + 1, NAASP_PROOF) == 0;
    OPENSSL_cleanse(m, sizeof m);
    return ok;
}

int naasp_resp_encode(const naasp_resp_t *r, uint8_t *out, size_t cap)
{
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, VERSION);
    sg17_put_u8(&w, r->op);
    sg17_put_u16(&w, r->tenant);
    sg17_put_u32(&w, r->nonce);
    sg17_put_u8(&w, r->status);
    sg17_put_u8(&w, r->enforcing);
    sg17_put_u32(&w, r->object);
    sg17_put_bytes(&w, r->token, NAASP_TOKEN);
    sg17_put_u64(&w, r->expiry_us);
    size_t n = 0;
    return sg17_writer_finish(&w, &n);
}

int naasp_resp_decode(const uint8_t *in, size_t len, naasp_resp_t *out)
{
    sg17_reader_t r = sg17_reader(in, len);
    uint8_t ver = sg17_get_u8(&r);
    out->op = sg17_get_u8(&r);
    out->tenant = sg17_get_u16(&r);
    out->nonce = sg17_get_u32(&r);
    out->status = sg17_get_u8(&r);
    out->enforcing = sg17_get_u8(&r);
    out->object = sg17_get_u32(&r);
    sg17_get_copy(&r, out->token, NAASP_TOKEN);
    out->expiry_us = sg17_get_u64(&r);
    if (!sg17_reader_done(&r) || ver != VERSION || out->op == 0 || out->op >= NAASP_OP_COUNT_
        || out->status > NAASP_ST_LIMITED || out->enforcing > 1)
        return -1;
    return 0;
}

static void rec_fields(const naasp_rec_t *r, uint8_t out[NAASP_REC_LEN - NAASP_HASH])
{
    sg17_store_be32(out, r->seq);
    sg17_store_be64(out + 4, r->time_us);
    sg17_store_be16(out + 12, r->tenant);
    out[14] = r->op;
    out[15] = r->status;
    sg17_store_be32(out + 16, r->object);
    sg17_store_be32(out + 20, r->arg);
}

int naasp_rec_chain(naasp_rec_t *rec, const uint8_t prev[NAASP_HASH])
{
    uint8_t f[NAASP_REC_LEN - NAASP_HASH];
    rec_fields(rec, f);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int n = 0;
    int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1
             && EVP_DigestUpdate(c, prev, NAASP_HASH) == 1 && EVP_DigestUpdate(c, f, sizeof f) == 1
             && EVP_DigestFinal_ex(c, rec->hash, &n) == 1 && n == NAASP_HASH;
    EVP_MD_CTX_free(c);
    return ok ? 0 : -1;
}

void naasp_rec_encode(const naasp_rec_t *r, uint8_t out[NAASP_REC_LEN])
{
    rec_fields(r, out);
    memcpy(out + NAASP_REC_LEN - NAASP_HASH, r->hash, NAASP_HASH);
}

int naasp_rec_decode(const uint8_t *in, size_t len, naasp_rec_t *out)
{
    if (len != NAASP_REC_LEN)
        return -1;
    out->seq = sg17_load_be32(in);
    out->time_us = sg17_load_be64(in + 4);
    out->tenant = sg17_load_be16(in + 12);
    out->op = in[14];
    out->status = in[15];
    out->object = sg17_load_be32(in + 16);
    out->arg = sg17_load_be32(in + 20);
    memcpy(out->hash, in + NAASP_REC_LEN - NAASP_HASH, NAASP_HASH);
    return out->op >= 1 && out->op < NAASP_OP_COUNT_ && out->status <= NAASP_ST_LIMITED ? 0 : -1;
}

void naasp_anchor_encode(uint32_t count, const uint8_t head[NAASP_HASH],
                         uint8_t out[NAASP_ANCHOR_LEN])
{
    sg17_store_be32(out, count);
    memcpy(out + 4, head, NAASP_HASH);
}

int naasp_anchor_decode(const uint8_t *in, size_t len, uint32_t *count, uint8_t head[NAASP_HASH])
{
    if (len != NAASP_ANCHOR_LEN)
        return -1;
    *count = sg17_load_be32(in);
    memcpy(head, in + 4, NAASP_HASH);
    return 0;
}

long naasp_export_count(const uint8_t *in, size_t len)
{
    if (len < 4)
        return -1;
    uint32_t n = sg17_load_be32(in);
    if (n > NAASP_EXPORT_MAX || len != 4 + (size_t)n * NAASP_REC_LEN)
        return -1;
    return (long)n;
}

int naasp_export_record(const uint8_t *in, size_t len, size_t i, naasp_rec_t *out)
{
    long n = naasp_export_count(in, len);
    if (n < 0 || i >= (size_t)n)
        return -1;
    return naasp_rec_decode(in + 4 + i * NAASP_REC_LEN, NAASP_REC_LEN, out);
}

static const char *const op_names[NAASP_OP_COUNT_] = {
    NULL, "login", "show", "sg_add", "sg_del", "aap_set", "share", "attach",
};

const char *naasp_op_name(unsigned op)
{
    return op > 0 && op < NAASP_OP_COUNT_ ? op_names[op] : "?";
}

int naasp_op_parse(const char *name)
{
    for (int i = 1; name && i < NAASP_OP_COUNT_; i++)
        if (strcmp(name, op_names[i]) == 0)
            return i;
    return -1;
}

bool naasp_prefix_has(uint32_t prefix, uint8_t plen, uint32_t ip)
{
    if (plen == 0)
        return true;
    uint32_t mask = plen >= 32 ? 0xffffffffu : ~(0xffffffffu >> plen);
    return (prefix & mask) == (ip & mask);
}

int naasp_program_encode(uint32_t version, const naasp_portrec_t *recs, size_t n, uint8_t *out,
                         size_t cap, size_t *out_len)
{
    if (n > NAASP_PROGRAM_MAX)
        return -1;
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u32(&w, version);
    sg17_put_u16(&w, (uint16_t)n);
    for (size_t i = 0; i < n; i++) {
        const naasp_portrec_t *r = &recs[i];
        sg17_put_u32(&w, r->id);
        sg17_put_u32(&w, r->endpoint);
        sg17_put_u32(&w, r->vni);
        sg17_put_u32(&w, r->ip);
        sg17_put_u32(&w, r->aap_ip);
        sg17_put_u32(&w, r->spi);
        sg17_put_bytes(&w, r->mac, 6);
        sg17_put_u8(&w, r->has_aap ? r->aap_plen : 0xff);
        sg17_put_u8(&w, r->n_rules);
        sg17_put_u8(&w, 0);
        for (size_t k = 0; k < NAASP_MAX_RULES; k++) {
            naasp_rule_t z = {0, 0, 0};
            const naasp_rule_t *q = k < r->n_rules ? &r->rules[k] : &z;
            sg17_put_u32(&w, q->ip);
            sg17_put_u8(&w, q->plen);
            sg17_put_u16(&w, q->port);
        }
    }
    return sg17_writer_finish(&w, out_len);
}

long naasp_program_count(const uint8_t *in, size_t len, uint32_t *version)
{
    if (len < 6)
        return -1;
    size_t n = sg17_load_be16(in + 4);
    if (n > NAASP_PROGRAM_MAX || len != 6 + n * NAASP_PORTREC_LEN)
        return -1;
    *version = sg17_load_be32(in);
    return (long)n;
}

int naasp_program_record(const uint8_t *in, size_t len, size_t i, naasp_portrec_t *out)
{
    uint32_t v;
    long n = naasp_program_count(in, len, &v);
    if (n < 0 || i >= (size_t)n)
        return -1;
    sg17_reader_t r = sg17_reader(in + 6 + i * NAASP_PORTREC_LEN, NAASP_PORTREC_LEN);
    out->id = sg17_get_u32(&r);
    out->endpoint = sg17_get_u32(&r);
    out->vni = sg17_get_u32(&r);
    out->ip = sg17_get_u32(&r);
    out->aap_ip = sg17_get_u32(&r);
    out->spi = sg17_get_u32(&r);
    sg17_get_copy(&r, out->mac, 6);
    uint8_t aap = sg17_get_u8(&r);
    out->n_rules = sg17_get_u8(&r);
    sg17_get_expect(&r, 0);
    for (size_t k = 0; k < NAASP_MAX_RULES; k++) {
        out->rules[k].ip = sg17_get_u32(&r);
        out->rules[k].plen = sg17_get_u8(&r);
        out->rules[k].port = sg17_get_u16(&r);
        if (out->rules[k].plen > 32)
            sg17_reader_fail(&r);
    }
    if (!sg17_reader_done(&r) || out->n_rules > NAASP_MAX_RULES || out->vni >= (1u << 24)
        || out->spi >= (1u << 24) || (aap > 32 && aap != 0xff))
        return -1;
    out->has_aap = aap != 0xff;
    out->aap_plen = out->has_aap ? aap : 0;
    return 0;
}
