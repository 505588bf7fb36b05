/* sim/audit.c — the head-end's command audit log (X.1332 non-repudiation, X1332-R-NREP-01) and
 * its auditor at the MDM. The HES appends every command it issues, with the operator whose
 * request caused it, to its log store. With audit_log on, each record carries
 * SHA-256(previous chain value || record) and the HES periodically sends the chain head, signed
 * with its ECDSA P-256 key, to the MDM, an independent party that keeps every anchor; an audit
 * recomputes the chain of the log the HES hands over and checks it against all anchors held
 * (in the manner of RFC 6962 consistency checks against signed tree heads). With it off the
 * log is plain records and the auditor can only check the sequence numbers. The insider attack
 * (tamper_audit_log) edits the store itself with write access, renumbering and re-chaining. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sim/metering_sim.h"

#define MSIM_ANCHOR_SIGNED (4 + MSIM_AUDIT_HASH_LEN)
#define MSIM_ANCHOR_LEN    (MSIM_ANCHOR_SIGNED + DLMS_ECDSA_SIG_LEN)

/* Record layout: seq (4) || time s (4) || meter (4) || origin (4) || kind (1) ||
 * SHA-256 of the command as sent (32) || chain value (32, zero in a plain log). */
enum {
    MSIM_REC_SEQ = 0,
    MSIM_REC_TIME = 4,
    MSIM_REC_METER = 8,
    MSIM_REC_ORIGIN = 12,
    MSIM_REC_KIND = 16,
    MSIM_REC_DIGEST = 17,
    MSIM_REC_CHAIN = 17 + MSIM_AUDIT_HASH_LEN
};

static const char *const kind_names[] = {"read",      "setting",  "load_limit", "disconnect",
                                         "reconnect", "firmware", "other"};

static int sha256(const uint8_t *a, size_t al, const uint8_t *b, size_t bl,
                  uint8_t out[MSIM_AUDIT_HASH_LEN])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned n = 0;
    int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 && EVP_DigestUpdate(c, a, al) == 1
             && (!bl || EVP_DigestUpdate(c, b, bl) == 1) && EVP_DigestFinal_ex(c, out, &n) == 1;
    EVP_MD_CTX_free(c);
    return ok ? 0 : -1;
}

/* h_i = SHA-256(h_{i-1} || record_i without its chain field), h_{-1} = 32 zero octets. */
int msim_audit_link(const uint8_t prev[MSIM_AUDIT_HASH_LEN], const uint8_t *rec,
                    uint8_t out[MSIM_AUDIT_HASH_LEN])
{
    return sha256(prev, MSIM_AUDIT_HASH_LEN, rec, MSIM_REC_CHAIN, out);
}

/* The command's kind, read from the APDU (inside an operator's general-signing if any). */
static uint8_t audit_kind(const char *type, const uint8_t *apdu, size_t len)
{
    if (strcmp(type, "metering.firmware") == 0)
        return MSIM_AUDIT_FIRMWARE;
    dlms_general_signing_t g;
    if (len && apdu[0] == DLMS_APDU_GENERAL_SIGNING
        && dlms_general_signing_decode(apdu, len, &g) == 0 && g.content) {
        apdu = g.content;
        len = g.content_len;
    }
    dlms_action_request_t a;
    dlms_set_request_t q;
    if (dlms_action_request_decode(apdu, len, &a) == 0
        && a.method.class_id == DLMS_CLASS_DISCONNECT_CONTROL)
        return a.method.index == DLMS_METHOD_REMOTE_DISCONNECT ? MSIM_AUDIT_DISCONNECT
                                                               : MSIM_AUDIT_RECONNECT;
    if (dlms_set_request_decode(apdu, len, &q) == 0)
        return q.attr.class_id == DLMS_CLASS_LIMITER ? MSIM_AUDIT_LOAD_LIMIT : MSIM_AUDIT_SETTING;
    if (len && apdu[0] == DLMS_APDU_GET_REQUEST)
        return MSIM_AUDIT_READ;
    return MSIM_AUDIT_OTHER;
}

int msim_audit_kind_of(const char *name)
{
    for (size_t k = 0; k < sizeof kind_names / sizeof *kind_names; k++)
        if (strcmp(name, kind_names[k]) == 0)
            return (int)k;
    return -1;
}

void msim_audit_append(msim_t *s, sg17_ctx_t *ctx, unsigned meter, uint32_t origin,
                       const char *type, const uint8_t *apdu, size_t len)
{
    if (s->audit_n == s->audit_cap) {
        size_t nc = s->audit_cap ? 2 * s->audit_cap : 256;
        uint8_t *p = realloc(s->audit_log, nc * MSIM_AUDIT_REC);
        if (!p)
            return;
        s->audit_log = p;
        s->audit_cap = nc;
    }
    uint8_t *r = s->audit_log + s->audit_n * MSIM_AUDIT_REC;
    sg17_store_be32(r + MSIM_REC_SEQ, (uint32_t)s->audit_n);
    sg17_store_be32(r + MSIM_REC_TIME, (uint32_t)(sg17_now(ctx) / SG17_SEC));
    sg17_store_be32(r + MSIM_REC_METER, meter);
    sg17_store_be32(r + MSIM_REC_ORIGIN, origin);
    r[MSIM_REC_KIND] = audit_kind(type, apdu, len);
    memset(r + MSIM_REC_CHAIN, 0, MSIM_AUDIT_HASH_LEN);
    if (sha256(apdu, len, NULL, 0, r + MSIM_REC_DIGEST))
        return;
    if (s->audit_chained) {
        static const uint8_t zero[MSIM_AUDIT_HASH_LEN];
        const uint8_t *prev = s->audit_n ? r - MSIM_AUDIT_REC + MSIM_REC_CHAIN : zero;
        if (msim_audit_link(prev, r, r + MSIM_REC_CHAIN))
            return;
    }
    s->audit_n++;
    sg17_metric_add(ctx, "audit.entries", 1);
}

/* Anchor: count (4) || chain head (32) || ECDSA-SHA-256 of the first 36 octets (64). */
static void hes_send_anchor(msim_t *s, sg17_ctx_t *ctx)
{
    if (!s->audit_n)
        return;
    uint8_t a[MSIM_ANCHOR_LEN];
    sg17_store_be32(a, (uint32_t)s->audit_n);
    memcpy(a + 4, s->audit_log + (s->audit_n - 1) * MSIM_AUDIT_REC + MSIM_REC_CHAIN,
           MSIM_AUDIT_HASH_LEN);
    if (dlms_ecdsa_sign(s->hes_audit_key, a, MSIM_ANCHOR_SIGNED, a + MSIM_ANCHOR_SIGNED) == 0)
        sg17_send(ctx, s->hes, s->mdm, "metering.audit_anchor", a, sizeof a);
}

/* Audit export: chained flag (1) || count (4) || count records. */
static void hes_send_log(msim_t *s, sg17_ctx_t *ctx)
{
    size_t len = 5 + s->audit_n * MSIM_AUDIT_REC;
    uint8_t *p = malloc(len);
    if (!p)
        return;
    p[0] = s->audit_chained;
    sg17_store_be32(p + 1, (uint32_t)s->audit_n);
    if (s->audit_n)
        memcpy(p + 5, s->audit_log, s->audit_n * MSIM_AUDIT_REC);
    sg17_send(ctx, s->hes, s->mdm, "metering.audit_log", p, len);
    free(p);
}

void msim_audit_on_timer(msim_t *s, sg17_ctx_t *ctx, uint64_t tag)
{
    if (MSIM_TAG_KIND(tag) == MSIM_TAG_AUDIT_ANCHOR) {
        hes_send_anchor(s, ctx);
        sg17_timer(ctx, s->hes, s->cfg.audit_anchor_interval, tag);
    } else if (MSIM_TAG_KIND(tag) == MSIM_TAG_AUDIT) {
        hes_send_log(s, ctx);
        sg17_timer(ctx, s->hes, s->cfg.audit_interval, tag);
    }
}

/* The MDM keeps every anchor whose signature verifies under the HES's public key. */
static void mdm_on_anchor(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    if (!s->cfg.audit_log) {
        sg17_reject(ctx, m, "unexpected"); /* no anchoring service without audit_log */
        return;
    }
    if (m->len != MSIM_ANCHOR_LEN) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (dlms_ecdsa_verify(s->hes_audit_pub, m->payload, MSIM_ANCHOR_SIGNED,
                          m->payload + MSIM_ANCHOR_SIGNED, DLMS_ECDSA_SIG_LEN)) {
        sg17_reject(ctx, m, "signature");
        return;
    }
    if (s->n_anchors == s->cap_anchors) {
        size_t nc = s->cap_anchors ? 2 * s->cap_anchors : 32;
        msim_audit_anchor_t *p = realloc(s->anchors, nc * sizeof *p);
        if (!p) {
            sg17_reject(ctx, m, "internal");
            return;
        }
        s->anchors = p;
        s->cap_anchors = nc;
    }
    msim_audit_anchor_t *a = &s->anchors[s->n_anchors++];
    a->count = sg17_load_be32(m->payload);
    memcpy(a->head, m->payload + 4, MSIM_AUDIT_HASH_LEN);
    sg17_accept(ctx, m);
    sg17_metric_add(ctx, "audit.anchors", 1);
}

long msim_audit_verify(const msim_t *s, const uint8_t *recs, size_t n, bool chained)
{
    static const uint8_t zero[MSIM_AUDIT_HASH_LEN];
    uint8_t *chain = NULL;
    long bad = -1;
    /* plain checks, all an auditor has without anchors: sequence numbers and time order */
    for (size_t i = 0; i < n && bad < 0; i++) {
        const uint8_t *r = recs + i * MSIM_AUDIT_REC;
        if (sg17_load_be32(r + MSIM_REC_SEQ) != i
            || (i
                && sg17_load_be32(r + MSIM_REC_TIME)
                       < sg17_load_be32(r - MSIM_AUDIT_REC + MSIM_REC_TIME)))
            bad = (long)i;
    }
    if (!s->cfg.audit_log)
        return bad;
    if (!chained)
        return 0; /* a plain log where the auditor expects a chained one: nothing is trusted */
    if (n && !(chain = malloc(n * MSIM_AUDIT_HASH_LEN)))
        return 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *r = recs + i * MSIM_AUDIT_REC;
        if (msim_audit_link(i ? chain + (i - 1) * MSIM_AUDIT_HASH_LEN : zero, r,
                            chain + i * MSIM_AUDIT_HASH_LEN)
            || (CRYPTO_memcmp(chain + i * MSIM_AUDIT_HASH_LEN, r + MSIM_REC_CHAIN,
                              MSIM_AUDIT_HASH_LEN)
                    != 0
                && bad < 0))
            bad = (long)i;
    }
    /* every anchor must be a prefix of this log: entries up to the last anchor that matches
     * are vouched for, anything after the first one that does not is suspect */
    size_t good = 0;
    for (size_t k = 0; k < s->n_anchors; k++) {
        const msim_audit_anchor_t *a = &s->anchors[k];
        if (a->count == 0)
            continue;
        if (a->count > n
            || CRYPTO_memcmp(chain + (a->count - 1) * MSIM_AUDIT_HASH_LEN, a->head,
                             MSIM_AUDIT_HASH_LEN)) {
            if (bad < 0 || (long)good < bad)
                bad = (long)good;
            break;
        }
        if (a->count > good)
            good = a->count;
    }
    free(chain);
    return bad;
}

/* An audit: the log the HES hands over against the chain and the anchors; a failing log is
 * refused as the record of what was commanded. */
static void mdm_on_log(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    if (m->len < 5 || m->payload[0] > 1
        || (m->len - 5) / MSIM_AUDIT_REC != sg17_load_be32(m->payload + 1)
        || (m->len - 5) % MSIM_AUDIT_REC) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    size_t n = (m->len - 5) / MSIM_AUDIT_REC;
    long bad = msim_audit_verify(s, m->payload + 5, n, m->payload[0] == 1);
    if (bad < 0) {
        sg17_accept(ctx, m);
        sg17_metric_add(ctx, "audit.clean_audits", 1);
        return;
    }
    sg17_reject(ctx, m, "audit_chain");
    sg17_metric_add(ctx, "audit.tamper_detected", 1);
    /* ground truth, for the metrics only: which altered entries this finding covers */
    if (!msim_adversary_audit_finding(s->adv, (size_t)bad))
        sg17_metric_add(ctx, "audit.false_alarms", 1);
}

void msim_audit_on_message(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    if (m->claimed_src != s->hes)
        sg17_reject(ctx, m, "unknown_sender");
    else if (strcmp(m->type, "metering.audit_anchor") == 0)
        mdm_on_anchor(s, ctx, m);
    else
        mdm_on_log(s, ctx, m);
}

/* An insider with write access to the HES log store (compromised hes-0) covers commands issued
 * in [from, to): deletes them, or rewrites them into innocuous reads, then renumbers the records
 * and, in a chained log, recomputes every chain value from the first edit on. */
int msim_audit_tamper(msim_t *s, sg17_ctx_t *ctx, double from_s, double to_s, bool rewrite,
                      int kind, size_t *altered_pos, size_t *n_altered)
{
    size_t w = 0, first = s->audit_n, altered = 0;
    for (size_t i = 0; i < s->audit_n; i++) {
        uint8_t *r = s->audit_log + i * MSIM_AUDIT_REC;
        double t = sg17_load_be32(r + MSIM_REC_TIME);
        bool hit = t >= from_s && t < to_s && (kind < 0 || r[MSIM_REC_KIND] == kind);
        if (hit && first == s->audit_n)
            first = w;
        if (hit)
            altered_pos[altered++] = w;
        if (hit && !rewrite)
            continue; /* deleted */
        if (hit) {
            static const uint8_t get[] = {DLMS_APDU_GET_REQUEST, 0x01, 0x41};
            r[MSIM_REC_KIND] = MSIM_AUDIT_READ;
            if (sha256(get, sizeof get, NULL, 0, r + MSIM_REC_DIGEST))
                return -1;
        }
        if (w != i)
            memmove(s->audit_log + w * MSIM_AUDIT_REC, r, MSIM_AUDIT_REC);
        sg17_store_be32(s->audit_log + w * MSIM_AUDIT_REC + MSIM_REC_SEQ, (uint32_t)w);
        w++;
    }
    s->audit_n = w;
    if (s->audit_chained)
        for (size_t i = first; i < w; i++) {
            static const uint8_t zero[MSIM_AUDIT_HASH_LEN];
            uint8_t *r = s->audit_log + i * MSIM_AUDIT_REC;
            if (msim_audit_link(i ? r - MSIM_AUDIT_REC + MSIM_REC_CHAIN : zero, r,
                                r + MSIM_REC_CHAIN))
                return -1;
        }
    *n_altered = altered;
    sg17_metric_add(ctx, "audit.tampered_entries", (double)altered);
    return 0;
}

int msim_audit_init(msim_t *s)
{
    uint8_t priv[DLMS_ECDSA_PRIV_LEN], pub[DLMS_ECDSA_PUB_LEN];
    static const uint8_t id[8] = {'H', 'E', 'S', 0, 0, 0, 0, 0};
    /* derived from the utility's master, so that no draw of the seeded stream is consumed */
    int rc = msim_derive(s->master, "AUDIT", id, priv, sizeof priv);
    priv[0] &= 0x7f;
    priv[0] |= 0x01;
    if (rc == 0)
        s->hes_audit_key = dlms_ecdsa_key_from_private(priv);
    OPENSSL_cleanse(priv, sizeof priv);
    if (!s->hes_audit_key || dlms_ecdsa_public_encode(s->hes_audit_key, pub))
        return -1;
    s->hes_audit_pub = dlms_ecdsa_public_decode(pub); /* the MDM's copy */
    s->audit_chained = s->cfg.audit_log;
    return s->hes_audit_pub ? 0 : -1;
}

void msim_audit_free(msim_t *s)
{
    EVP_PKEY_free(s->hes_audit_key);
    EVP_PKEY_free(s->hes_audit_pub);
    free(s->audit_log);
    free(s->anchors);
}
