/* audit.c — the audit store (records from the controller, SHA-256 hash-chained) and the external
 * anchor that receives the store's periodic head commitments and checks its exports against
 * them. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sim/naas_sim.h"

enum { TAG_ANCHOR = 1, TAG_EXPORT };

int naas_audit_append(naas_audit_t *a, const naasp_rec_t *fields)
{
    if (a->n == NAASP_EXPORT_MAX)
        return -1;
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 64;
        naasp_rec_t *g = realloc(a->recs, cap * sizeof *g);
        if (!g)
            return -1;
        a->recs = g, a->cap = cap;
    }
    naasp_rec_t r = *fields;
    static const uint8_t zero[NAASP_HASH];
    r.seq = (uint32_t)a->n;
    if (naasp_rec_chain(&r, a->n ? a->recs[a->n - 1].hash : zero) != 0)
        return -1;
    a->recs[a->n++] = r;
    return 0;
}

void naas_audit_start(naas_t *n, sg17_ctx_t *ctx)
{
    if (n->cfg.anchor_interval > 0)
        sg17_timer(ctx, n->audit_e, n->cfg.anchor_interval, TAG_ANCHOR);
    if (n->cfg.export_interval > 0)
        sg17_timer(ctx, n->audit_e, n->cfg.export_interval, TAG_EXPORT);
}

void naas_audit_on_timer(naas_t *n, sg17_ctx_t *ctx, uint64_t tag)
{
    naas_audit_t *a = &n->audit;
    if (tag == TAG_ANCHOR) {
        sg17_timer(ctx, n->audit_e, n->cfg.anchor_interval, TAG_ANCHOR);
        if (a->n == 0)
            return;
        uint8_t buf[NAASP_ANCHOR_LEN];
        naasp_anchor_encode((uint32_t)a->n, a->recs[a->n - 1].hash, buf);
        sg17_send(ctx, n->audit_e, n->anchor.e, "naas.anchor", buf, sizeof buf);
        return;
    }
    sg17_timer(ctx, n->audit_e, n->cfg.export_interval, TAG_EXPORT);
    size_t len = 4 + a->n * NAASP_REC_LEN;
    uint8_t *buf = malloc(len);
    if (!buf)
        return;
    buf[0] = (uint8_t)(a->n >> 24), buf[1] = (uint8_t)(a->n >> 16);
    buf[2] = (uint8_t)(a->n >> 8), buf[3] = (uint8_t)a->n;
    for (size_t i = 0; i < a->n; i++)
        naasp_rec_encode(&a->recs[i], buf + 4 + i * NAASP_REC_LEN);
    sg17_send(ctx, n->audit_e, n->anchor.e, "naas.audit_export", buf, len);
    free(buf);
}

void naas_audit_on_message(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    naasp_rec_t r;
    if (strcmp(m->type, "naas.audit") != 0 || m->claimed_src != n->ctl.e
        || naasp_rec_decode(m->payload, m->len, &r) != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (naas_audit_append(&n->audit, &r) != 0) {
        sg17_reject(ctx, m, "audit_full");
        return;
    }
    sg17_accept(ctx, m);
}

/* With the hash chain and the anchor, an export is accepted only when every record's hash is
 * the chain's and every head anchored so far lies on it: a rewritten record, even with the chain
 * recomputed after it, no longer matches the head committed before the rewrite. */
static bool export_verifies(const naas_anchor_t *an, const uint8_t *p, size_t len, long count)
{
    uint8_t prev[NAASP_HASH] = {0};
    uint8_t *heads = malloc((size_t)(count ? count : 1) * NAASP_HASH);
    if (!heads)
        return false;
    bool ok = true;
    for (long i = 0; ok && i < count; i++) {
        naasp_rec_t r, again;
        ok = naasp_export_record(p, len, (size_t)i, &r) == 0 && r.seq == (uint32_t)i;
        again = r;
        ok = ok && naasp_rec_chain(&again, prev) == 0
             && CRYPTO_memcmp(again.hash, r.hash, NAASP_HASH) == 0;
        memcpy(prev, r.hash, NAASP_HASH);
        memcpy(heads + i * NAASP_HASH, r.hash, NAASP_HASH);
    }
    for (size_t k = 0; ok && k < an->n; k++)
        ok = an->counts[k] >= 1 && an->counts[k] <= (uint32_t)count
             && CRYPTO_memcmp(heads + (an->counts[k] - 1) * NAASP_HASH, an->heads[k], NAASP_HASH)
                    == 0;
    free(heads);
    return ok;
}

void naas_anchor_on_message(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    naas_anchor_t *an = &n->anchor;
    if (m->claimed_src != n->audit_e) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (strcmp(m->type, "naas.anchor") == 0) {
        uint32_t count;
        uint8_t head[NAASP_HASH];
        if (naasp_anchor_decode(m->payload, m->len, &count, head) != 0 || count == 0) {
            sg17_reject(ctx, m, "malformed");
            return;
        }
        if (an->n == an->cap) {
            size_t cap = an->cap ? 2 * an->cap : 32;
            uint32_t *c = realloc(an->counts, cap * sizeof *c);
            if (c)
                an->counts = c;
            uint8_t(*h)[NAASP_HASH] = c ? realloc(an->heads, cap * sizeof *h) : NULL;
            if (!h) {
                sg17_reject(ctx, m, "audit_full");
                return;
            }
            an->heads = h, an->cap = cap;
        }
        an->counts[an->n] = count;
        memcpy(an->heads[an->n++], head, NAASP_HASH);
        sg17_accept(ctx, m);
        return;
    }
    long count =
        strcmp(m->type, "naas.audit_export") == 0 ? naasp_export_count(m->payload, m->len) : -1;
    if (count < 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (n->cfg.audit_chain && !export_verifies(an, m->payload, m->len, count)) {
        sg17_reject(ctx, m, "audit_chain");
        sg17_metric_add(ctx, "anchor.tamper_alarms", 1);
        return;
    }
    sg17_accept(ctx, m);
    sg17_metric_add(ctx, "anchor.exports_verified", 1);
}
