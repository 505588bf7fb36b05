/* metadata.c — the instance metadata service of one compute node. It tells the calling instance
 * apart by its network origin (the tap port the request came in on). With
 * imds_signed_instance_id off it trusts an X-Instance-ID header instead, as Nova did when the
 * proxy's signature was not checked (CVE-2013-6419). With imds_tokens on it answers a GET only
 * with a session token the same instance obtained by PUT (IMDSv2), and every answer leaves with an
 * IP TTL of 1 (the hop limit), so it does not survive a forwarding hop; off, tokens are optional
 * and answers leave with TTL 64. The instance credentials it serves are the instance role's key,
 * which the API binds to the instance (credential_binding). */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <sg17tb/wire.h>

#include "sim/iaas_sim.h"

static void respond(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m, uint16_t port, uint16_t status,
                    const uint8_t *body, size_t len)
{
    imds_response_t rs = {.ttl = s->cfg.imds_tokens ? 1 : IMDS_TTL_DEFAULT,
                          .status = status,
                          .body = len ? body : NULL,
                          .len = (uint16_t)len};
    uint8_t buf[2 + IMDS_RESPONSE_MAX];
    size_t n = 0;
    sg17_store_be16(buf, port);
    if (imds_response_encode(&rs, buf + 2, sizeof buf - 2, &n) == 0)
        sg17_send(ctx, m->dst, m->claimed_src, "iaas.imds_response", buf, n + 2);
}

/* The VM index of entity e if it is a VM, else -1. */
static int vm_of(const iaas_t *s, sg17_ctx_t *ctx, sg17_entity_t e)
{
    const char *kind = sg17_entity_kind(ctx, e);
    if (!kind || strcmp(kind, "vm") != 0)
        return -1;
    unsigned v = sg17_entity_index(ctx, e);
    return v < s->n_vms ? (int)v : -1;
}

static bool token_valid(const iaas_t *s, sg17_ctx_t *ctx, const uint8_t *token,
                        sg17_entity_t origin)
{
    for (unsigned i = s->n_tokens; i-- > 0;) {
        const struct iaas_token *t = &s->tokens[i];
        if (CRYPTO_memcmp(t->token, token, IMDS_TOKEN_BYTES) == 0)
            return t->origin == origin && sg17_now(ctx) < t->expires;
    }
    return false;
}

static int token_issue(iaas_t *s, sg17_ctx_t *ctx, sg17_entity_t origin, uint32_t ttl_s,
                       uint8_t out[IMDS_TOKEN_BYTES])
{
    sg17_time_t now = sg17_now(ctx);
    unsigned keep = 0; /* drop expired tokens first */
    for (unsigned i = 0; i < s->n_tokens; i++)
        if (s->tokens[i].expires > now)
            s->tokens[keep++] = s->tokens[i];
    s->n_tokens = keep;
    if (s->n_tokens == s->cap_tokens) {
        unsigned nc = s->cap_tokens ? 2 * s->cap_tokens : 64;
        struct iaas_token *p = realloc(s->tokens, nc * sizeof *p);
        if (!p)
            return -1;
        s->tokens = p;
        s->cap_tokens = nc;
    }
    struct iaas_token *t = &s->tokens[s->n_tokens++];
    sg17_rand_bytes(ctx, t->token, IMDS_TOKEN_BYTES);
    t->origin = origin;
    sg17_time_t ttl = ttl_s ? (sg17_time_t)ttl_s * SG17_SEC : s->cfg.token_ttl;
    t->expires = now + ttl;
    memcpy(out, t->token, IMDS_TOKEN_BYTES);
    return 0;
}

void iaas_metadata_on_message(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    imds_request_t rq;
    const char *why = NULL;
    int src = vm_of(s, ctx, m->claimed_src);
    unsigned node = sg17_entity_index(ctx, m->dst);
    if (strcmp(m->type, "iaas.imds_request") != 0 || m->len < 3) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    uint16_t port = sg17_load_be16(m->payload);
    if (src < 0 || s->vms[src].node != node) {
        sg17_reject(ctx, m, "unknown_instance");
        return;
    }
    if (imds_request_parse(m->payload + 2, m->len - 2, &rq, &why) != 0) {
        respond(s, ctx, m, port, 400, (const uint8_t *)why, strlen(why));
        sg17_reject(ctx, m, "malformed");
        return;
    }
    int target = src;
    if (!s->cfg.imds_signed_instance_id && rq.instance_id[0]) {
        unsigned v = 0;
        char tail;
        if (sscanf(rq.instance_id, "vm-%u%c", &v, &tail) != 1 || v >= s->n_vms) {
            respond(s, ctx, m, port, 404, NULL, 0);
            sg17_reject(ctx, m, "unknown_instance");
            return;
        }
        target = (int)v;
    }
    if (rq.put) {
        uint8_t token[IMDS_TOKEN_BYTES];
        if (token_issue(s, ctx, m->claimed_src, rq.token_ttl_s, token) != 0) {
            respond(s, ctx, m, port, 503, NULL, 0);
            sg17_reject(ctx, m, "malformed");
            return;
        }
        respond(s, ctx, m, port, 200, token, sizeof token);
        sg17_metric_add(ctx, "imds.tokens_issued", 1);
        sg17_accept(ctx, m);
        return;
    }
    if (s->cfg.imds_tokens && (!rq.has_token || !token_valid(s, ctx, rq.token, m->claimed_src))) {
        respond(s, ctx, m, port, 401, NULL, 0);
        sg17_reject(ctx, m, "imds_token");
        return;
    }
    const iaas_vm_t *vm = &s->vms[target];
    uint8_t body[IMDS_BODY_MAX];
    size_t len = 0;
    if (rq.path == IMDS_PATH_CREDENTIALS) {
        const iaas_key_t *k = &s->keys[vm->key - IAAS_KEY_BASE];
        api_key_body_encode(vm->key, k->secret, body);
        len = API_KEY_BODY_BYTES;
        sg17_metric_add(ctx, "imds.credentials_served", 1);
    } else if (rq.path == IMDS_PATH_USER_DATA) {
        len = vm->ud_len < sizeof body ? vm->ud_len : sizeof body;
        memcpy(body, vm->userdata, len);
    } else {
        int n = snprintf((char *)body, sizeof body, "vm-%d", target);
        len = n > 0 ? (size_t)n : 0;
    }
    respond(s, ctx, m, port, 200, body, len);
    OPENSSL_cleanse(body, sizeof body);
    sg17_accept(ctx, m);
}
