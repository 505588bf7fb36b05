/* attacks.c — the adversary: what compromised endpoints and tenants send, the bus adversary's
 * forged overlay packets and API requests, its reading of captured underlay traffic, and its
 * rewrite of a compromised audit store. Its state (the stream it drives, what it read) lives here
 * only: receivers decide by their protocol checks. */
#include <stdlib.h>
#include <string.h>

#include "sim/naas_sim.h"

struct naas_attacker {
    /* one frame stream of a compromised endpoint */
    bool streaming;
    unsigned from, to, left;
    uint16_t sport, dport;
    int spoof_mac, spoof_ip;
    bool via_gw; /* to the sender's gateway: the vRouter routes it */
    sg17_time_t every;
    double canaries, intercepted;
};

static naas_attacker_t *attacker(naas_t *n)
{
    if (!n->attacker)
        n->attacker = calloc(1, sizeof *n->attacker);
    return n->attacker;
}

void naas_attacker_free(naas_attacker_t *a)
{
    free(a);
}

/* An entity parameter of the given kind; -1 (after sg17_log) when absent or of another kind. */
static int entity_param(sg17_ctx_t *ctx, const sg17_params_t *p, const char *name, const char *kind,
                        bool required)
{
    const char *v = sg17_param(ctx, p, name);
    size_t k = strlen(kind);
    if (!v) {
        if (required)
            sg17_log(ctx, "%s: a %s entity is required", name, kind);
        return -1;
    }
    if (strncmp(v, kind, k) != 0 || v[k] != '-') {
        sg17_log(ctx, "%s: '%s' is not a %s", name, v, kind);
        return -1;
    }
    return atoi(v + k + 1);
}

static int compromised_endpoint(naas_t *n, sg17_ctx_t *ctx, const sg17_params_t *p,
                                const char *name)
{
    int e = entity_param(ctx, p, name, "endpoint", true);
    if (e < 0 || (unsigned)e >= n->n_endpoints)
        return -1;
    if (!sg17_compromised(ctx, n->endpoints[e].e)) {
        sg17_log(ctx, "%s: endpoint-%d is not compromised; add a compromise action before", name,
                 e);
        return -1;
    }
    return e;
}

static void send_one(naas_t *n, sg17_ctx_t *ctx, naas_attacker_t *a)
{
    const naas_endpoint_t *s = &n->endpoints[a->from], *d = &n->endpoints[a->to];
    const uint8_t *smac = a->spoof_mac >= 0 ? n->endpoints[a->spoof_mac].mac : s->mac;
    uint32_t sip = a->spoof_ip >= 0 ? n->endpoints[a->spoof_ip].ip : s->ip;
    static const uint8_t data[] = "attacker";
    uint8_t gw[6];
    naas_gw_mac(s->tenant, gw);
    naas_endpoint_send_udp(n, ctx, a->from, a->via_gw ? gw : d->mac, sip, smac, d->ip, a->sport,
                           a->dport, data, sizeof data - 1);
    sg17_metric_add(ctx, "attacker.frames_sent", 1);
}

int naas_attack_send_frame(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    naas_t *n = instance;
    naas_attacker_t *a = attacker(n);
    int from = compromised_endpoint(n, ctx, p, "from");
    int to = entity_param(ctx, p, "to", "endpoint", true);
    if (!a || from < 0 || to < 0 || (unsigned)to >= n->n_endpoints)
        return -1;
    a->from = (unsigned)from, a->to = (unsigned)to;
    a->dport = (uint16_t)sg17_param_number(ctx, p, "dport", n->table_ports[0]);
    a->sport = (uint16_t)sg17_param_number(ctx, p, "sport", 50000);
    a->spoof_mac = entity_param(ctx, p, "spoof_mac", "endpoint", false);
    a->spoof_ip = entity_param(ctx, p, "spoof_ip", "endpoint", false);
    const char *via = sg17_param(ctx, p, "via_gateway");
    a->via_gw = via && strcmp(via, "true") == 0;
    if ((a->spoof_mac >= 0 && (unsigned)a->spoof_mac >= n->n_endpoints)
        || (a->spoof_ip >= 0 && (unsigned)a->spoof_ip >= n->n_endpoints))
        return -1;
    a->left = (unsigned)sg17_param_number(ctx, p, "count", 1);
    a->every = (sg17_time_t)sg17_param_number(ctx, p, "every", 0);
    if (a->every == 0) {
        while (a->left > 0) {
            send_one(n, ctx, a);
            a->left--;
        }
        return 0;
    }
    a->streaming = true;
    send_one(n, ctx, a);
    if (--a->left > 0)
        sg17_timer(ctx, n->endpoints[a->from].e, a->every, NAAS_TAG_ATTACK);
    return 0;
}

void naas_attack_tick(naas_t *n, sg17_ctx_t *ctx, sg17_entity_t e)
{
    naas_attacker_t *a = n->attacker;
    if (!a || !a->streaming || a->left == 0 || n->endpoints[a->from].e != e)
        return;
    send_one(n, ctx, a);
    if (--a->left > 0)
        sg17_timer(ctx, e, a->every, NAAS_TAG_ATTACK);
}

int naas_attack_probe_sweep(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    naas_t *n = instance;
    int from = compromised_endpoint(n, ctx, p, "from");
    if (from < 0)
        return -1;
    const naas_endpoint_t *s = &n->endpoints[from];
    static const uint8_t data[] = "sweep";
    for (unsigned d = 0; d < n->n_endpoints; d++) {
        if (n->endpoints[d].tenant == s->tenant)
            continue;
        for (unsigned k = 0; k < n->n_table_ports; k++)
            naas_endpoint_send_udp(n, ctx, (unsigned)from, n->endpoints[d].mac, s->ip, s->mac,
                                   n->endpoints[d].ip, 50001, n->table_ports[k], data,
                                   sizeof data - 1);
    }
    return 0;
}

int naas_attack_arp_poison(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    naas_t *n = instance;
    int from = compromised_endpoint(n, ctx, p, "from");
    if (from < 0)
        return -1;
    const naas_endpoint_t *s = &n->endpoints[from];
    /* a gratuitous ARP: "the gateway's address is at my MAC" */
    naasp_arp_t a = {.op = 2, .spa = naas_gw_ip(s->tenant), .tpa = naas_gw_ip(s->tenant)};
    memcpy(a.sha, s->mac, 6);
    memset(a.tha, 0xff, 6);
    uint8_t f[64];
    const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    size_t k = naasp_arp_build(f, sizeof f, bc, s->mac, &a);
    unsigned count = (unsigned)sg17_param_number(ctx, p, "count", 1);
    for (unsigned i = 0; k && i < count; i++)
        sg17_send(ctx, s->e, n->vswitches[s->host].e, "naas.frame", f, k);
    return 0;
}

/* "a.b.c.d/len" */
static int prefix_param(sg17_ctx_t *ctx, const sg17_params_t *p, uint32_t *ip, uint8_t *plen)
{
    const char *v = sg17_param(ctx, p, "prefix");
    char buf[24];
    *ip = 0, *plen = 32;
    if (!v)
        return 0;
    const char *slash = strchr(v, '/');
    size_t k = slash ? (size_t)(slash - v) : strlen(v);
    if (k >= sizeof buf)
        return -1;
    memcpy(buf, v, k);
    buf[k] = 0;
    int len = slash ? atoi(slash + 1) : 32;
    if (naasp_ip_parse(buf, ip) != 0 || len < 0 || len > 32) {
        sg17_log(ctx, "prefix '%s': expected a.b.c.d/len", v);
        return -1;
    }
    *plen = (uint8_t)len;
    return 0;
}

/* Fills the object fields of a request from the attack's parameters. */
static int request_fields(naas_t *n, sg17_ctx_t *ctx, const sg17_params_t *p, naasp_req_t *q)
{
    int op = naasp_op_parse(sg17_param(ctx, p, "op"));
    if (op < 0 || op == NAASP_OP_LOGIN) {
        sg17_log(ctx, "op: expected show, sg_add, sg_del, aap_set, share or attach");
        return -1;
    }
    q->op = (uint8_t)op;
    int port = entity_param(ctx, p, "port", "endpoint", false);
    int net = (int)sg17_param_number(ctx, p, "net", -1);
    const char *target = sg17_param(ctx, p, "target");
    if (prefix_param(ctx, p, &q->ip, &q->plen) != 0)
        return -1;
    q->port = (uint16_t)sg17_param_number(ctx, p, "dport", 0);
    if (op == NAASP_OP_SHARE || op == NAASP_OP_ATTACH) {
        if (net < 0 || (unsigned)net >= n->n_tenants) {
            sg17_log(ctx, "net: the index of the tenant whose network it is");
            return -1;
        }
        q->a = (uint32_t)net + 1;
        if (op == NAASP_OP_SHARE)
            q->b = target && strcmp(target, "*") == 0 ? NAASP_SHARE_ALL
                                                      : (uint32_t)atoi(target ? target : "0");
        else if (port < 0)
            return -1;
        else
            q->b = (uint32_t)port;
    } else if (op != NAASP_OP_SHOW) {
        if (port < 0 || (unsigned)port >= n->n_endpoints) {
            sg17_log(ctx, "port: the endpoint whose port the call changes");
            return -1;
        }
        q->a = (uint32_t)port + 1;
    }
    return 0;
}

int naas_attack_api_call(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    naas_t *n = instance;
    int t = entity_param(ctx, p, "as", "tenant", true);
    if (t < 0 || (unsigned)t >= n->n_tenants)
        return -1;
    if (!sg17_compromised(ctx, n->tenants[t].e)) {
        sg17_log(ctx, "as: tenant-%d is not compromised; add a compromise action before", t);
        return -1;
    }
    naasp_req_t q = {0};
    if (request_fields(n, ctx, p, &q) != 0)
        return -1;
    naas_tenant_request(n, ctx, (unsigned)t, &q); /* the tenant's own client and token */
    return 0;
}

int naas_attack_use_token(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    naas_t *n = instance;
    size_t k = sg17_captured_count(ctx, p);
    const sg17_msg_t *src = NULL;
    naasp_req_t stolen;
    for (size_t i = 0; i < k && !src; i++) { /* the last captured request with a token */
        const sg17_msg_t *c = sg17_captured(ctx, p, k - 1 - i);
        if (strcmp(c->type, "naas.api") == 0 && naasp_req_decode(c->payload, c->len, &stolen) == 0
            && stolen.op != NAASP_OP_LOGIN)
            src = c;
    }
    if (!src) {
        sg17_log(ctx, "use_token: the capture holds no API request with a token");
        return -1;
    }
    naasp_req_t q = {0};
    if (request_fields(n, ctx, p, &q) != 0)
        return -1;
    q.tenant = stolen.tenant;
    memcpy(q.token, stolen.token, NAASP_TOKEN);
    q.nonce = (uint32_t)sg17_rand_u64(ctx) | 0x80000000u;
    q.ts_us = sg17_now(ctx);
    uint8_t guess[NAASP_HOLDER], buf[NAASP_REQ_LEN];
    sg17_rand_bytes(ctx, guess, sizeof guess); /* it does not hold the tenant's key */
    if (naasp_req_encode(&q, guess, buf, sizeof buf) != 0)
        return -1;
    unsigned count = (unsigned)sg17_param_number(ctx, p, "count", 1);
    for (unsigned i = 0; i < count; i++)
        sg17_inject(ctx, src->claimed_src, n->ctl.e, "naas.api", buf, sizeof buf);
    return 0;
}

int naas_attack_vxlan_inject(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    naas_t *n = instance;
    int victim = entity_param(ctx, p, "victim", "endpoint", true);
    if (victim < 0 || (unsigned)victim >= n->n_endpoints)
        return -1;
    const naas_endpoint_t *d = &n->endpoints[victim];
    unsigned h = d->host;
    naasp_tunnel_t t = {.outer_src = (198u << 24) | (51u << 16) | (100u << 8) | 66,
                        .outer_dst = naas_host_ip(h),
                        .vni = n->ctl.ports[victim].rec.vni};
    naas_host_mac(h, t.outer_dst_mac);
    const uint8_t rogue[6] = {0x02, 0x66, 0x66, 0x66, 0x66, 0x66};
    memcpy(t.outer_src_mac, rogue, 6);
    static const uint8_t data[] = "injected";
    naasp_udp_t u = {.src = naas_net_prefix(d->tenant) | 250,
                     .dst = d->ip,
                     .sport = 50002,
                     .dport = (uint16_t)sg17_param_number(ctx, p, "dport", n->table_ports[0]),
                     .data = data,
                     .data_len = sizeof data - 1};
    uint8_t inner[128], out[256];
    size_t k = naasp_udp_build(inner, sizeof inner, d->mac, rogue, &u);
    size_t len = k ? naasp_tunnel_build(out, sizeof out, &t, inner, k, NULL, NULL) : 0;
    if (!len)
        return -1;
    unsigned count = (unsigned)sg17_param_number(ctx, p, "count", 1);
    sg17_entity_t claimed = n->vteps[(h + 1) % n->n_hosts];
    for (unsigned i = 0; i < count; i++)
        sg17_inject(ctx, claimed, n->vteps[h], "naas.vxlan", out, len);
    return 0;
}

int naas_attack_sniff_underlay(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    naas_t *n = instance;
    naas_attacker_t *a = attacker(n);
    size_t k = sg17_captured_count(ctx, p);
    for (size_t i = 0; a && i < k; i++) {
        const sg17_msg_t *c = sg17_captured(ctx, p, i);
        naasp_tunnel_t t;
        naasp_eth_t e;
        naasp_udp_t u;
        if (strcmp(c->type, "naas.vxlan") != 0 || naasp_tunnel_parse(c->payload, c->len, &t) != 0
            || t.esp || naasp_eth_parse(t.inner, t.inner_len, &e) != 0
            || naasp_udp_parse(&e, &u) != 0)
            continue; /* sealed or not a readable frame */
        if (u.data_len >= 6 && memcmp(u.data, "CANARY", 6) == 0)
            a->canaries++;
    }
    sg17_metric_set(ctx, "attacker.canaries_read", a ? a->canaries : 0);
    return 0;
}

/* The adversary's NSH frame, without a MAC (it has no key): endpoint from's UDP frame to `to`'s
 * address (inner MAC imac, outer MAC omac) on path spi at index 254, from's port sending it
 * `count` times to dst as a message of type. */
typedef struct {
    const uint8_t *imac, *omac;
    uint16_t sport, dport;
    uint32_t spi;
    sg17_entity_t dst;
    const char *type;
} forged_nsh_t;

static int send_forged_nsh(naas_t *n, sg17_ctx_t *ctx, const sg17_params_t *p, unsigned from,
                           unsigned to, const forged_nsh_t *f)
{
    const naas_endpoint_t *s = &n->endpoints[from], *d = &n->endpoints[to];
    static const uint8_t data[] = "forged nsh";
    naasp_udp_t u = {.src = s->ip,
                     .dst = d->ip,
                     .sport = f->sport,
                     .dport = f->dport,
                     .data = data,
                     .data_len = sizeof data - 1};
    uint8_t inner[128], out[256];
    size_t k = naasp_udp_build(inner, sizeof inner, f->imac, s->mac, &u);
    size_t len =
        k ? naasp_nsh_build(out, sizeof out, f->omac, s->mac, f->spi, 254, NULL, inner, k) : 0;
    if (!len)
        return -1;
    unsigned count = (unsigned)sg17_param_number(ctx, p, "count", 1);
    for (unsigned i = 0; i < count; i++)
        sg17_send(ctx, s->e, f->dst, f->type, out, len);
    return 0;
}

int naas_attack_chain_bypass(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    naas_t *n = instance;
    int from = compromised_endpoint(n, ctx, p, "from");
    int to = entity_param(ctx, p, "to", "endpoint", true);
    if (from < 0 || to < 0 || (unsigned)to >= n->n_endpoints)
        return -1;
    uint8_t gw[6];
    naas_gw_mac(n->endpoints[from].tenant, gw);
    /* the forged index says the vFW (index 255) has already seen the frame */
    forged_nsh_t f = {.imac = n->endpoints[to].mac,
                      .omac = gw,
                      .sport = 50003,
                      .dport = (uint16_t)sg17_param_number(ctx, p, "dport", 5432),
                      .spi = n->ctl.ports[to].rec.spi ? n->ctl.ports[to].rec.spi : 1,
                      .dst = n->vswitches[n->endpoints[from].host].e,
                      .type = "naas.frame"};
    return send_forged_nsh(n, ctx, p, (unsigned)from, (unsigned)to, &f);
}

int naas_attack_forge_context(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    naas_t *n = instance;
    int from = compromised_endpoint(n, ctx, p, "from");
    int to = entity_param(ctx, p, "to", "endpoint", true);
    if (from < 0 || to < 0 || (unsigned)to >= n->n_endpoints)
        return -1;
    if (n->vrouter == SG17_NO_ENTITY) {
        sg17_log(ctx, "forge_context: the topology has no vrouter");
        return -1;
    }
    uint8_t gw[6];
    naas_gw_mac(n->endpoints[to].tenant, gw);
    /* the victim tenant's routed path at the vRouter's index: its VRF, past the vFW */
    forged_nsh_t f = {.imac = gw,
                      .omac = gw,
                      .sport = 50004,
                      .dport = (uint16_t)sg17_param_number(ctx, p, "dport", n->table_ports[0]),
                      .spi = NAAS_SPI_ROUTED + n->endpoints[to].tenant,
                      .dst = n->vrouter,
                      .type = "naas.nsh"};
    if (send_forged_nsh(n, ctx, p, (unsigned)from, (unsigned)to, &f) != 0)
        return -1;
    sg17_metric_add(ctx, "attacker.frames_sent", sg17_param_number(ctx, p, "count", 1));
    return 0;
}

int naas_attack_rewrite_audit(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    naas_t *n = instance;
    if (!sg17_compromised(ctx, n->audit_e)) {
        sg17_log(ctx, "rewrite_audit: audit-0 is not compromised; add a compromise action before");
        return -1;
    }
    naas_audit_t *au = &n->audit;
    size_t entry = (size_t)sg17_param_number(ctx, p, "entry", 0);
    if (entry >= au->n) {
        sg17_log(ctx, "rewrite_audit: entry %zu is past the log's %zu records", entry, au->n);
        return -1;
    }
    au->recs[entry].tenant = (uint16_t)(au->recs[entry].tenant + 1) % (uint16_t)n->n_tenants;
    au->recs[entry].op = NAASP_OP_SHOW; /* the call it hides now reads as a harmless read */
    static const uint8_t zero[NAASP_HASH];
    for (size_t i = entry; i < au->n; i++) /* the whole chain recomputed after it */
        naasp_rec_chain(&au->recs[i], i ? au->recs[i - 1].hash : zero);
    return 0;
}

void naas_attack_received(naas_t *n, sg17_ctx_t *ctx, unsigned ep, const uint8_t *f, size_t len)
{
    naas_attacker_t *a = attacker(n);
    naasp_eth_t e;
    naasp_udp_t u;
    if (!a || naasp_eth_parse(f, len, &e) != 0 || naasp_udp_parse(&e, &u) != 0)
        return;
    if (u.dst != n->endpoints[ep].ip) { /* traffic meant for someone else */
        a->intercepted++;
        sg17_metric_set(ctx, "attacker.intercepted", a->intercepted);
    }
}
