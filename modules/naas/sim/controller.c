/* controller.c — the NaaS controller: its API (rate limits, tokens with expiry and holder binding,
 * ownership and wildcard checks, then the change), the programming of every vswitch, the
 * "enforcing" status and the audit records it sends. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sim/naas_sim.h"

#define NONCE_RING   64
#define FRESH_WINDOW (30 * SG17_SEC)

static void send_program(naas_t *n, sg17_ctx_t *ctx, const unsigned *eps, size_t k)
{
    naas_controller_t *c = &n->ctl;
    naasp_portrec_t recs[NAASP_PROGRAM_MAX];
    uint8_t buf[6 + NAASP_PROGRAM_MAX * NAASP_PORTREC_LEN];
    for (size_t off = 0; off < k; off += NAASP_PROGRAM_MAX) {
        size_t m = k - off < NAASP_PROGRAM_MAX ? k - off : NAASP_PROGRAM_MAX, len = 0;
        for (size_t i = 0; i < m; i++)
            recs[i] = c->ports[eps[off + i]].rec;
        c->version++;
        if (naasp_program_encode(c->version, recs, m, buf, sizeof buf, &len) != 0)
            continue;
        for (unsigned h = 0; h < n->n_hosts; h++)
            sg17_send(ctx, c->e, n->vswitches[h].e, "naas.program", buf, len);
    }
}

void naas_controller_start(naas_t *n, sg17_ctx_t *ctx)
{
    unsigned *all = malloc(n->n_endpoints * sizeof *all);
    if (!all)
        return;
    for (unsigned i = 0; i < n->n_endpoints; i++)
        all[i] = i;
    send_program(n, ctx, all, n->n_endpoints);
    free(all);
}

static void respond(naas_t *n, sg17_ctx_t *ctx, sg17_entity_t to, const naasp_resp_t *r)
{
    uint8_t buf[NAASP_RESP_LEN];
    if (naasp_resp_encode(r, buf, sizeof buf) == 0)
        sg17_send(ctx, n->ctl.e, to, "naas.api_resp", buf, sizeof buf);
}

/* Sends the responses whose programming every vswitch has acknowledged. */
static void release_deferred(naas_t *n, sg17_ctx_t *ctx)
{
    naas_controller_t *c = &n->ctl;
    uint32_t low = UINT32_MAX;
    for (unsigned h = 0; h < n->n_hosts; h++)
        low = c->acked[h] < low ? c->acked[h] : low;
    size_t keep = 0;
    for (size_t i = 0; i < c->n_deferred; i++) {
        if (c->deferred[i].version <= low)
            respond(n, ctx, c->deferred[i].to, &c->deferred[i].resp);
        else
            c->deferred[keep++] = c->deferred[i];
    }
    c->n_deferred = keep;
}

/* Token buckets: refill at rate per second up to burst, then take one. */
static bool take(double *bucket, sg17_time_t *at, sg17_time_t now, double rate, double burst)
{
    *bucket += rate * (double)(now - *at) / (double)SG17_SEC;
    *bucket = *bucket > burst ? burst : *bucket;
    *at = now;
    if (*bucket < 1.0)
        return false;
    *bucket -= 1.0;
    return true;
}

static const naas_token_t *find_token(const naas_controller_t *c, const uint8_t tok[NAASP_TOKEN])
{
    for (size_t i = c->n_tokens; i-- > 0;)
        if (CRYPTO_memcmp(c->tokens[i].token, tok, NAASP_TOKEN) == 0)
            return &c->tokens[i];
    return NULL;
}

static bool nonce_fresh(naas_controller_t *c, unsigned t, uint32_t nonce)
{
    uint32_t *ring = &c->seen_nonce[(size_t)t * NONCE_RING];
    for (unsigned i = 0; i < NONCE_RING; i++)
        if (ring[i] == nonce)
            return false;
    ring[c->seen_pos[t]++ % NONCE_RING] = nonce;
    return true;
}

static bool net_visible(const naas_net_t *net, unsigned t)
{
    return net->owner == t || net->shared_all || (net->shared_with[t / 8] >> (t % 8)) & 1;
}

static void audit(naas_t *n, sg17_ctx_t *ctx, const naasp_req_t *q, uint8_t status, uint32_t object)
{
    naasp_rec_t r = {.time_us = sg17_now(ctx),
                     .tenant = q->tenant,
                     .op = q->op,
                     .status = status,
                     .object = object,
                     .arg = q->b ^ q->ip ^ q->port};
    uint8_t buf[NAASP_REC_LEN];
    naasp_rec_encode(&r, buf);
    sg17_send(ctx, n->ctl.e, n->audit_e, "naas.audit", buf, sizeof buf);
}

/* Carries out an authenticated request of tenant t: returns the status and sets *changed to the
 * endpoint whose port changed (-1 none). */
static uint8_t execute(naas_t *n, sg17_ctx_t *ctx, unsigned t, const naasp_req_t *q, int *changed)
{
    naas_controller_t *c = &n->ctl;
    const naas_config_t *cfg = &n->cfg;
    *changed = -1;
    switch (q->op) {
    case NAASP_OP_SHOW:
        return NAASP_ST_OK;
    case NAASP_OP_SG_ADD:
    case NAASP_OP_SG_DEL:
    case NAASP_OP_AAP_SET: {
        if (q->a == 0 || q->a > n->n_endpoints)
            return NAASP_ST_INVALID;
        naas_port_t *p = &c->ports[q->a - 1];
        if (cfg->ownership_check && p->owner != t)
            return NAASP_ST_FORBIDDEN;
        naasp_portrec_t *r = &p->rec;
        if (q->op == NAASP_OP_AAP_SET) {
            if (cfg->aap_no_wildcard && q->plen < 32)
                return NAASP_ST_WILDCARD;
            r->has_aap = true, r->aap_ip = q->ip, r->aap_plen = q->plen;
        } else if (q->op == NAASP_OP_SG_ADD) {
            if (r->n_rules >= NAASP_MAX_RULES)
                return NAASP_ST_INVALID;
            r->rules[r->n_rules++] = (naasp_rule_t){q->ip, q->plen, q->port};
        } else {
            unsigned k = 0;
            for (unsigned i = 0; i < r->n_rules; i++)
                if (!(r->rules[i].ip == q->ip && r->rules[i].plen == q->plen
                      && r->rules[i].port == q->port))
                    r->rules[k++] = r->rules[i];
            if (k == r->n_rules)
                return NAASP_ST_INVALID;
            memset(&r->rules[k], 0, (r->n_rules - k) * sizeof r->rules[0]);
            r->n_rules = (uint8_t)k;
        }
        *changed = (int)(q->a - 1);
        return NAASP_ST_OK;
    }
    case NAASP_OP_SHARE: {
        if (q->a == 0 || q->a > n->n_tenants)
            return NAASP_ST_INVALID;
        naas_net_t *net = &c->nets[q->a - 1];
        if (cfg->ownership_check && net->owner != t)
            return NAASP_ST_FORBIDDEN;
        if (q->b == NAASP_SHARE_ALL) {
            if (cfg->rbac_no_wildcard)
                return NAASP_ST_WILDCARD; /* "*" is the operator's, not a tenant's */
            net->shared_all = true;
        } else if (q->b < n->n_tenants) {
            net->shared_with[q->b / 8] |= (uint8_t)(1u << (q->b % 8));
        } else {
            return NAASP_ST_INVALID;
        }
        return NAASP_ST_OK;
    }
    case NAASP_OP_ATTACH: {
        if (q->a == 0 || q->a > n->n_tenants || q->b >= n->n_endpoints)
            return NAASP_ST_INVALID;
        naas_net_t *net = &c->nets[q->a - 1];
        naas_port_t *p = &c->ports[q->b];
        if ((cfg->ownership_check && p->owner != t) || !net_visible(net, t))
            return NAASP_ST_FORBIDDEN;
        if (net->next_host_octet > 254)
            return NAASP_ST_INVALID;
        p->net = net->id;
        p->rec.vni = net->vni;
        p->rec.ip = net->prefix | net->next_host_octet++;
        p->rec.n_rules = 0; /* the new network's default group: open ports from it */
        for (unsigned k = 0; k < n->n_open_ports; k++)
            p->rec.rules[p->rec.n_rules++] = (naasp_rule_t){net->prefix, 24, n->open_ports[k]};
        n->endpoints[q->b].ip = p->rec.ip; /* DHCP hands the endpoint its new address */
        *changed = (int)q->b;
        return NAASP_ST_OK;
    }
    default:
        return NAASP_ST_INVALID;
    }
}

static const char *reason_of(uint8_t st)
{
    switch (st) {
    case NAASP_ST_AUTH:
        return "auth";
    case NAASP_ST_EXPIRED:
        return "token_expired";
    case NAASP_ST_REPLAY:
        return "replay";
    case NAASP_ST_FORBIDDEN:
        return "forbidden";
    case NAASP_ST_WILDCARD:
        return "wildcard";
    case NAASP_ST_LIMITED:
        return "rate_limited";
    default:
        return "invalid";
    }
}

static void on_api(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    naas_controller_t *c = &n->ctl;
    const naas_config_t *cfg = &n->cfg;
    sg17_time_t now = sg17_now(ctx);
    naasp_req_t q;
    if (naasp_req_decode(m->payload, m->len, &q) != 0 || q.tenant >= n->n_tenants) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    unsigned t = q.tenant;
    /* 1. per-tenant rate limit, before any work is spent on the request */
    if (cfg->api_rate_limit
        && !take(&c->bucket[t], &c->bucket_at[t], now, cfg->api_tenant_rate,
                 cfg->api_tenant_rate)) {
        sg17_reject(ctx, m, "rate_limited");
        sg17_metric_add(ctx, "controller.rate_limited", 1);
        return;
    }
    /* 2. what the controller can serve at all */
    if (!take(&c->capacity, &c->capacity_at, now, cfg->api_capacity, cfg->api_capacity / 2)) {
        sg17_reject(ctx, m, "overloaded");
        sg17_metric_add(ctx, "controller.overloaded", 1);
        return;
    }
    naasp_resp_t r = {.op = q.op, .tenant = q.tenant, .nonce = q.nonce};
    sg17_entity_t to = n->tenants[t].e;
    uint8_t st = NAASP_ST_OK;
    int changed = -1;
    if (q.op == NAASP_OP_LOGIN) {
        if (!naasp_req_verify(m->payload, m->len, n->tenants[t].holder)) {
            st = NAASP_ST_AUTH;
        } else {
            naas_token_t *tk = NULL;
            if (c->n_tokens == c->cap_tokens) {
                size_t cap = c->cap_tokens ? 2 * c->cap_tokens : 16;
                naas_token_t *g = realloc(c->tokens, cap * sizeof *g);
                if (g)
                    c->tokens = g, c->cap_tokens = cap;
            }
            if (c->n_tokens < c->cap_tokens)
                tk = &c->tokens[c->n_tokens++];
            if (!tk) {
                st = NAASP_ST_LIMITED;
            } else {
                sg17_rand_bytes(ctx, tk->token, NAASP_TOKEN);
                tk->tenant = t;
                tk->expiry = now + cfg->token_ttl;
                memcpy(r.token, tk->token, NAASP_TOKEN);
                r.expiry_us = tk->expiry;
            }
        }
    } else {
        const naas_token_t *tk = find_token(c, q.token);
        /* with binding, the token is good only with its holder's key */
        bool holder_ok =
            !cfg->token_binding || naasp_req_verify(m->payload, m->len, n->tenants[t].holder);
        bool expired = tk && cfg->token_expiry && now > tk->expiry;
        if (!tk || tk->tenant != t || (!expired && !holder_ok))
            st = NAASP_ST_AUTH;
        else if (expired)
            st = NAASP_ST_EXPIRED;
        else if (cfg->token_binding
                 && (q.ts_us + FRESH_WINDOW < now || q.ts_us > now + FRESH_WINDOW
                     || !nonce_fresh(c, t, q.nonce)))
            st = NAASP_ST_REPLAY;
        else
            st = execute(n, ctx, t, &q, &changed);
    }
    r.status = st;
    r.object = changed >= 0 ? (uint32_t)changed + 1 : 0;
    if (st != NAASP_ST_OK) {
        sg17_reject(ctx, m, reason_of(st));
        respond(n, ctx, to, &r);
        return;
    }
    sg17_accept(ctx, m);
    sg17_metric_add(ctx, "controller.executed", 1);
    if (q.op != NAASP_OP_SHOW)
        audit(n, ctx, &q, st, r.object);
    if (changed < 0) {
        r.enforcing = 1;
        respond(n, ctx, to, &r);
        return;
    }
    unsigned ep = (unsigned)changed;
    send_program(n, ctx, &ep, 1);
    r.enforcing = 1;
    if (!cfg->enforce_after_dataplane) { /* "enforcing" as soon as the API accepted the change */
        respond(n, ctx, to, &r);
        return;
    }
    if (c->n_deferred == c->cap_deferred) {
        size_t cap = c->cap_deferred ? 2 * c->cap_deferred : 8;
        naas_deferred_t *g = realloc(c->deferred, cap * sizeof *g);
        if (!g) {
            r.enforcing = 0;
            respond(n, ctx, to, &r);
            return;
        }
        c->deferred = g, c->cap_deferred = cap;
    }
    c->deferred[c->n_deferred++] =
        (naas_deferred_t){.at = now, .tenant = t, .resp = r, .version = c->version, .to = to};
}

void naas_controller_on_message(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    if (strcmp(m->type, "naas.api") == 0) {
        on_api(n, ctx, m);
        return;
    }
    if (strcmp(m->type, "naas.program_ack") == 0 && m->len == 4) {
        unsigned h = n->n_hosts;
        for (unsigned i = 0; i < n->n_hosts; i++)
            if (n->vswitches[i].e == m->claimed_src)
                h = i;
        uint32_t v = ((uint32_t)m->payload[0] << 24) | ((uint32_t)m->payload[1] << 16)
                     | ((uint32_t)m->payload[2] << 8) | m->payload[3];
        if (h == n->n_hosts || v > n->ctl.version) {
            sg17_reject(ctx, m, "malformed");
            return;
        }
        sg17_accept(ctx, m);
        if (v > n->ctl.acked[h])
            n->ctl.acked[h] = v;
        release_deferred(n, ctx);
        return;
    }
    sg17_reject(ctx, m, "malformed");
}
