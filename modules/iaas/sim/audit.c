/* audit.c — the audit trail. The trail service (in the API and the network service) appends a
 * record for every API call (allowed or denied) and every flow at the edge, each chained to the
 * one before by its SHA-256, and every anchor_every records signs the chain head with its ECDSA
 * key. The sink (the audit entity) keeps the records in the account's log bucket and the anchors
 * outside the account. At the end of the run the defender verifies what the sink holds: the chain,
 * the anchors, and which of the attacker's actions (by the scenario's correlation id) it can see.
 *
 * Stopping the trail (StopLogging) stops new records of that tenant; deleting it (DeleteTrail)
 * empties the tenant's part of the bucket; deleting flow logs stops its flow records. With
 * trail_guard on the account itself cannot do any of these (api.c). */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sim/iaas_sim.h"

void iaas_trail_append(iaas_t *s, sg17_ctx_t *ctx, sg17_entity_t from, uint8_t kind, uint8_t event,
                       uint8_t outcome, uint16_t tenant, uint32_t principal, uint32_t origin,
                       const uint8_t corr[IAAS_CORR_BYTES])
{
    if (tenant >= s->n_tenants)
        return;
    const iaas_tenant_t *tn = &s->tenants[tenant];
    if ((kind == AUDIT_KIND_API && !tn->logging) || (kind == AUDIT_KIND_FLOW && !tn->flow_logs))
        return;
    audit_record_t r = {.seq = s->trail_seq,
                        .time = sg17_now(ctx),
                        .kind = kind,
                        .event = event,
                        .outcome = outcome,
                        .tenant = tenant,
                        .principal = principal,
                        .origin = origin};
    memcpy(r.corr, corr, IAAS_CORR_BYTES);
    memcpy(r.prev, s->trail_head, AUDIT_HASH_BYTES);
    uint8_t enc[AUDIT_RECORD_BYTES];
    audit_record_encode(&r, enc);
    if (audit_record_hash(enc, s->trail_head) != 0)
        return;
    s->trail_seq++;
    sg17_send(ctx, from, s->audit, "iaas.audit_record", enc, sizeof enc);
    if (s->cfg.anchor_every && s->trail_seq % s->cfg.anchor_every == 0) {
        audit_anchor_t a;
        uint8_t out[AUDIT_ANCHOR_BYTES];
        if (audit_anchor_sign(s->trail_priv, r.seq, s->trail_head, &a) == 0) {
            audit_anchor_encode(&a, out);
            sg17_send(ctx, from, s->audit, "iaas.audit_anchor", out, sizeof out);
        }
    }
}

void iaas_trail_delete(iaas_t *s, uint16_t tenant)
{
    iaas_tenant_t *tn = &s->tenants[tenant];
    tn->trail_deleted = true;
    tn->logging = false;
    for (uint64_t i = 0; i < s->cap_records; i++) {
        audit_record_t r;
        if (s->records[i].present
            && audit_record_decode(s->records[i].rec, AUDIT_RECORD_BYTES, &r) == 0
            && r.tenant == tenant && r.kind == AUDIT_KIND_API)
            s->records[i].present = false;
    }
}

/* The trail's records are kept by sequence number, at most this many (a record claiming a later
 * number is refused as malformed): 4 Mi records of ~96 B is ~400 MB, so one forged number cannot
 * make the sink take gigabytes; a virtual hour of 1 000 VMs (bench_iaas) writes far fewer. */
#define IAAS_MAX_RECORDS (UINT64_C(1) << 22)

static int store_record(iaas_t *s, const uint8_t *enc, uint64_t seq)
{
    if (seq >= s->cap_records) {
        if (seq >= IAAS_MAX_RECORDS) /* before doubling: a forged seq near 2^64 would wrap nc */
            return -1;
        uint64_t nc = s->cap_records ? s->cap_records : 256;
        while (nc <= seq)
            nc *= 2;
        iaas_stored_record_t *p = realloc(s->records, nc * sizeof *p);
        if (!p)
            return -1;
        memset(p + s->cap_records, 0, (nc - s->cap_records) * sizeof *p);
        s->records = p;
        s->cap_records = nc;
    }
    memcpy(s->records[seq].rec, enc, AUDIT_RECORD_BYTES);
    s->records[seq].present = true;
    return 0;
}

void iaas_audit_on_message(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    if (strcmp(m->type, "iaas.audit_record") == 0) {
        audit_record_t r;
        if (audit_record_decode(m->payload, m->len, &r) != 0 || r.tenant >= s->n_tenants) {
            sg17_reject(ctx, m, "malformed");
            return;
        }
        if (r.kind == AUDIT_KIND_API && s->tenants[r.tenant].trail_deleted) {
            sg17_reject(ctx, m, "no_trail"); /* the bucket it was meant for is gone */
            return;
        }
        if (store_record(s, m->payload, r.seq) != 0) {
            sg17_reject(ctx, m, "malformed");
            return;
        }
        sg17_accept(ctx, m);
        return;
    }
    if (strcmp(m->type, "iaas.audit_anchor") == 0) {
        audit_anchor_t a;
        if (audit_anchor_decode(m->payload, m->len, &a) != 0) {
            sg17_reject(ctx, m, "malformed");
            return;
        }
        if (s->n_anchors == s->cap_anchors) {
            unsigned nc = s->cap_anchors ? 2 * s->cap_anchors : 64;
            audit_anchor_t *p = realloc(s->anchors, nc * sizeof *p);
            if (!p) {
                sg17_reject(ctx, m, "malformed");
                return;
            }
            s->anchors = p;
            s->cap_anchors = nc;
        }
        s->anchors[s->n_anchors++] = a;
        sg17_accept(ctx, m);
        return;
    }
    sg17_reject(ctx, m, "malformed");
}

/* How many names of the comma-separated list `events` have no verified API record carrying the
 * correlation id. */
static unsigned expected_missing(const iaas_t *s, const bool seen[API_OP_COUNT])
{
    const char *p = s->cfg.expected_events ? s->cfg.expected_events : "";
    unsigned missing = 0;
    while (*p) {
        const char *q = strchr(p, ',');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        char name[64];
        while (n && *p == ' ')
            p++, n--;
        if (n && n < sizeof name) {
            memcpy(name, p, n);
            name[n] = 0;
            unsigned op = api_op_by_name(name);
            missing += !op || !seen[op];
        } else if (n) {
            missing++;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return missing;
}

/* The defender's check at the end: walk the bucket in sequence order, verify each link of the
 * chain and each anchor's signature and head, and count what the verified trail shows. */
void iaas_audit_finish(iaas_t *s, sg17_ctx_t *ctx)
{
    uint8_t prev[AUDIT_HASH_BYTES] = {0}, h[AUDIT_HASH_BYTES];
    bool linked = true; /* the record before this one was present and verified */
    double present = 0, verified = 0, breaks = 0, corr = 0, corr_allowed = 0, flows_ext = 0;
    bool seen[API_OP_COUNT] = {false};
    sg17_entity_t first_outside = sg17_entity(ctx, "outside", 0);
    for (uint64_t i = 0; i < s->cap_records && i < s->trail_seq; i++) {
        if (!s->records[i].present) {
            linked = false;
            continue;
        }
        present++;
        audit_record_t r;
        if (audit_record_decode(s->records[i].rec, AUDIT_RECORD_BYTES, &r) != 0
            || audit_record_hash(s->records[i].rec, h) != 0) {
            linked = false;
            breaks++;
            continue;
        }
        /* a gap before this record (deleted or lost) breaks the chain, unless it was at the
         * very start */
        bool ok = r.seq == i && (linked ? memcmp(r.prev, prev, sizeof prev) == 0 : i == 0);
        if (!ok)
            breaks++;
        memcpy(prev, h, sizeof prev);
        linked = true; /* the next record links to this one */
        if (!ok)
            continue;
        verified++;
        bool ours = memcmp(r.corr, s->corr, IAAS_CORR_BYTES) == 0;
        if (r.kind == AUDIT_KIND_API && ours) {
            corr++;
            corr_allowed += r.outcome == AUDIT_ALLOWED;
            if (r.event < API_OP_COUNT)
                seen[r.event] = true;
        }
        if (r.kind == AUDIT_KIND_FLOW && first_outside != SG17_NO_ENTITY
            && r.origin >= first_outside && r.origin < first_outside + s->n_outside)
            flows_ext++;
    }
    double anchors_ok = 0, gaps = 0, mismatch = 0;
    for (unsigned a = 0; a < s->n_anchors; a++) {
        const audit_anchor_t *an = &s->anchors[a];
        if (!audit_anchor_ok(s->trail_pub, an)) {
            mismatch++;
            continue;
        }
        anchors_ok++;
        if (an->seq >= s->cap_records || !s->records[an->seq].present) {
            gaps++;
            continue;
        }
        if (audit_record_hash(s->records[an->seq].rec, h) != 0 || memcmp(h, an->head, sizeof h))
            mismatch++;
    }
    sg17_metric_set(ctx, "audit.records", present);
    sg17_metric_set(ctx, "audit.verified", verified);
    sg17_metric_set(ctx, "audit.chain_breaks", breaks);
    sg17_metric_set(ctx, "audit.anchors", anchors_ok);
    sg17_metric_set(ctx, "audit.anchor_gaps", gaps);
    sg17_metric_set(ctx, "audit.anchor_mismatch", mismatch);
    sg17_metric_set(ctx, "audit.correlated", corr);
    sg17_metric_set(ctx, "audit.correlated_allowed", corr_allowed);
    sg17_metric_set(ctx, "audit.expected_missing", expected_missing(s, seen));
    sg17_metric_set(ctx, "audit.flows_external", flows_ext);
}
