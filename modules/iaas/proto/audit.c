/* audit.c — the audit trail's records, chain hashes and signed anchors (audit.h). */
#include "proto/audit.h"

#include <string.h>

#include <openssl/evp.h>
#include <sg17tb/wire.h>

void audit_record_encode(const audit_record_t *r, uint8_t out[AUDIT_RECORD_BYTES])
{
    sg17_writer_t w = sg17_writer(out, AUDIT_RECORD_BYTES);
    sg17_put_u64(&w, r->seq);
    sg17_put_u64(&w, r->time);
    sg17_put_u8(&w, r->kind);
    sg17_put_u8(&w, r->event);
    sg17_put_u8(&w, r->outcome);
    sg17_put_u16(&w, r->tenant);
    sg17_put_u32(&w, r->principal);
    sg17_put_u32(&w, r->origin);
    sg17_put_bytes(&w, r->corr, AUDIT_CORR_BYTES);
    sg17_put_bytes(&w, r->prev, AUDIT_HASH_BYTES);
}

int audit_record_decode(const uint8_t *buf, size_t len, audit_record_t *r)
{
    memset(r, 0, sizeof *r);
    sg17_reader_t rd = sg17_reader(buf, len);
    r->seq = sg17_get_u64(&rd);
    r->time = sg17_get_u64(&rd);
    r->kind = sg17_get_u8(&rd);
    r->event = sg17_get_u8(&rd);
    r->outcome = sg17_get_u8(&rd);
    r->tenant = sg17_get_u16(&rd);
    r->principal = sg17_get_u32(&rd);
    r->origin = sg17_get_u32(&rd);
    sg17_get_copy(&rd, r->corr, AUDIT_CORR_BYTES);
    sg17_get_copy(&rd, r->prev, AUDIT_HASH_BYTES);
    if ((r->kind != AUDIT_KIND_API && r->kind != AUDIT_KIND_FLOW) || r->outcome > AUDIT_DENIED)
        sg17_reader_fail(&rd);
    return sg17_reader_done(&rd) ? 0 : -1;
}

int audit_record_hash(const uint8_t enc[AUDIT_RECORD_BYTES], uint8_t hash[AUDIT_HASH_BYTES])
{
    unsigned n = 0;
    return EVP_Digest(enc, AUDIT_RECORD_BYTES, hash, &n, EVP_sha256(), NULL) == 1
                   && n == AUDIT_HASH_BYTES
               ? 0
               : -1;
}

/* The signed statement: "sg17-audit-anchor" with its NUL || seq || head. */
#define ANCHOR_LABEL   "sg17-audit-anchor"
#define ANCHOR_MESSAGE (sizeof ANCHOR_LABEL + 8 + AUDIT_HASH_BYTES)

static void anchor_message(uint64_t seq, const uint8_t head[AUDIT_HASH_BYTES], uint8_t *m)
{
    memcpy(m, ANCHOR_LABEL, sizeof ANCHOR_LABEL);
    sg17_store_be64(m + sizeof ANCHOR_LABEL, seq);
    memcpy(m + sizeof ANCHOR_LABEL + 8, head, AUDIT_HASH_BYTES);
}

int audit_anchor_sign(const uint8_t d[SIGN_PRIV_BYTES], uint64_t seq,
                      const uint8_t head[AUDIT_HASH_BYTES], audit_anchor_t *a)
{
    uint8_t m[ANCHOR_MESSAGE];
    anchor_message(seq, head, m);
    a->seq = seq;
    memcpy(a->head, head, AUDIT_HASH_BYTES);
    return sign_ecdsa(d, m, sizeof m, a->sig);
}

bool audit_anchor_ok(const uint8_t pub[SIGN_PUB_BYTES], const audit_anchor_t *a)
{
    uint8_t m[ANCHOR_MESSAGE];
    anchor_message(a->seq, a->head, m);
    return sign_verify(pub, m, sizeof m, a->sig) == 0;
}

void audit_anchor_encode(const audit_anchor_t *a, uint8_t out[AUDIT_ANCHOR_BYTES])
{
    sg17_store_be64(out, a->seq);
    memcpy(out + 8, a->head, AUDIT_HASH_BYTES);
    memcpy(out + 8 + AUDIT_HASH_BYTES, a->sig, SIGN_SIG_BYTES);
}

int audit_anchor_decode(const uint8_t *buf, size_t len, audit_anchor_t *a)
{
    if (!buf || len != AUDIT_ANCHOR_BYTES)
        return -1;
    a->seq = sg17_load_be64(buf);
    memcpy(a->head, buf + 8, AUDIT_HASH_BYTES);
    memcpy(a->sig, buf + 8 + AUDIT_HASH_BYTES, SIGN_SIG_BYTES);
    return 0;
}
