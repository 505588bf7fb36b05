/* tenant.c — the tenants: API users who log in (and again before their token expires), poll their
 * state, carry out their planned changes (revoking a peer rule, tightening a database port and
 * starting the database once the controller reports the change enforcing). */
#include <string.h>

#include "sim/naas_sim.h"

enum { TAG_LOGIN = 1, TAG_POLL, TAG_REVOKE, TAG_DB };

void naas_tenant_request(naas_t *n, sg17_ctx_t *ctx, unsigned t, naasp_req_t *req)
{
    naas_tenant_t *tn = &n->tenants[t];
    req->tenant = (uint16_t)t;
    req->nonce = ++tn->next_nonce;
    req->ts_us = sg17_now(ctx);
    memcpy(req->token, tn->token, NAASP_TOKEN);
    uint8_t buf[NAASP_REQ_LEN];
    /* the holder proof is always computed: a bearer-token controller just does not check it */
    if (naasp_req_encode(req, tn->holder, buf, sizeof buf) != 0)
        return;
    unsigned slot = req->nonce % 16;
    tn->pending_nonce[slot] = req->nonce;
    tn->pending_at[slot] = sg17_now(ctx);
    tn->pending_op[slot] = req->op;
    sg17_send(ctx, tn->e, n->ctl.e, "naas.api", buf, sizeof buf);
}

void naas_tenant_start(naas_t *n, sg17_ctx_t *ctx)
{
    const naas_config_t *c = &n->cfg;
    for (unsigned t = 0; t < n->n_tenants; t++) {
        sg17_entity_t e = n->tenants[t].e;
        sg17_timer(ctx, e, 500 * SG17_MSEC + t * SG17_MSEC, TAG_LOGIN);
        if (c->api_interval > 0)
            sg17_timer(ctx, e, SG17_SEC + t * SG17_MSEC, TAG_POLL);
    }
    if (c->revoke_at > 0 && n->peer_d >= 0)
        sg17_timer(ctx, n->tenants[n->endpoints[n->peer_d].tenant].e, c->revoke_at, TAG_REVOKE);
    if (c->db_endpoint >= 0)
        sg17_timer(ctx, n->tenants[n->endpoints[c->db_endpoint].tenant].e, c->db_at, TAG_DB);
}

void naas_tenant_on_timer(naas_t *n, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    unsigned t = sg17_entity_index(ctx, e);
    const naas_config_t *c = &n->cfg;
    naasp_req_t q = {0};
    if (sg17_compromised(ctx, e))
        return; /* the adversary's now: no more benign calls */
    switch (tag) {
    case TAG_LOGIN:
        q.op = NAASP_OP_LOGIN;
        break;
    case TAG_POLL:
        sg17_timer(ctx, e, c->api_interval, TAG_POLL);
        if (!n->tenants[t].has_token)
            return;
        q.op = NAASP_OP_SHOW;
        break;
    case TAG_REVOKE:
        q.op = NAASP_OP_SG_DEL;
        q.a = (uint32_t)n->peer_d + 1;
        q.ip = n->endpoints[n->peer_s].ip;
        q.plen = 32;
        q.port = (uint16_t)n->peer_p;
        break;
    case TAG_DB: {
        const naas_endpoint_t *db = &n->endpoints[c->db_endpoint];
        q.op = NAASP_OP_SG_DEL;
        q.a = db->index + 1;
        q.ip = naas_net_prefix(db->tenant);
        q.plen = 24;
        q.port = (uint16_t)c->db_port;
        break;
    }
    default:
        return;
    }
    naas_tenant_request(n, ctx, t, &q);
}

void naas_tenant_on_message(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    unsigned t = sg17_entity_index(ctx, m->dst);
    naas_tenant_t *tn = &n->tenants[t];
    naasp_resp_t r;
    if (strcmp(m->type, "naas.api_resp") != 0 || m->claimed_src != n->ctl.e
        || naasp_resp_decode(m->payload, m->len, &r) != 0 || r.tenant != t) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    unsigned slot = r.nonce % 16;
    if (r.nonce == 0 || tn->pending_nonce[slot] != r.nonce || tn->pending_op[slot] != r.op) {
        sg17_reject(ctx, m, "unexpected");
        return;
    }
    tn->pending_nonce[slot] = 0;
    sg17_accept(ctx, m);
    if (r.status != NAASP_ST_OK) {
        sg17_metric_add(ctx, "tenant.api_failed", 1);
        return;
    }
    sg17_metric_add(ctx, "tenant.api_ok", 1);
    if (r.op == NAASP_OP_LOGIN) {
        memcpy(tn->token, r.token, NAASP_TOKEN);
        tn->has_token = true;
        tn->token_expiry = r.expiry_us;
        sg17_time_t now = sg17_now(ctx), life = r.expiry_us > now ? r.expiry_us - now : 0;
        if (life > SG17_SEC) /* log in again at nine tenths of the token's life */
            sg17_timer(ctx, m->dst, life / 10 * 9, TAG_LOGIN);
        return;
    }
    const naas_config_t *c = &n->cfg;
    if (r.op == NAASP_OP_SG_DEL && r.enforcing && c->db_endpoint >= 0
        && r.object == (uint32_t)c->db_endpoint + 1 && !n->endpoints[c->db_endpoint].db_open) {
        /* the restriction is reported in force: start the database */
        n->endpoints[c->db_endpoint].db_open = true;
        double wait = (double)(sg17_now(ctx) - tn->pending_at[slot]) / (double)SG17_SEC;
        if (wait > tn->enforce_wait_max)
            tn->enforce_wait_max = wait;
    }
}
