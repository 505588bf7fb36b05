/* endpoint.c — a tenant's VM behind one port: resolves its gateway by ARP, runs its application
 * flows, answers on every truth-table port (the probe responder records each probe it receives:
 * the table's observed column) and, for the database endpoint, on the database port once it is
 * started. */
#include <stdio.h>
#include <string.h>

#include "sim/naas_sim.h"

enum { TAG_ARP = 1, TAG_PROBE = 2, TAG_FLOW = 0x100 };

#define PROBE_MAGIC "NAASPROB"
#define PROBE_LEN   18
#define PROBE_SPORT 33434

static const uint8_t BROADCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

int naas_endpoint_send_udp(naas_t *n, sg17_ctx_t *ctx, unsigned s, const uint8_t dmac[6],
                           uint32_t sip, const uint8_t smac[6], uint32_t dip, uint16_t sport,
                           uint16_t dport, const uint8_t *data, size_t len)
{
    naasp_udp_t u = {
        .src = sip, .dst = dip, .sport = sport, .dport = dport, .data = data, .data_len = len};
    uint8_t f[NAASP_MAX_FRAME];
    size_t k = naasp_udp_build(f, sizeof f, dmac, smac, &u);
    if (!k)
        return -1;
    const naas_endpoint_t *ep = &n->endpoints[s];
    return sg17_send(ctx, ep->e, n->vswitches[ep->host].e, "naas.frame", f, k);
}

void naas_endpoint_start(naas_t *n, sg17_ctx_t *ctx)
{
    for (unsigned i = 0; i < n->n_endpoints; i++)
        sg17_timer(ctx, n->endpoints[i].e, SG17_SEC + i * 10 * SG17_USEC, TAG_ARP);
    for (unsigned k = 0; k < n->n_flows; k++)
        sg17_timer(ctx, n->endpoints[n->flows[k].src].e, 2 * SG17_SEC + k * SG17_MSEC,
                   TAG_FLOW + k);
    for (unsigned t = 0; t < n->n_tenants; t++) {
        int p = naas_prober(n, ctx, t);
        if (p >= 0)
            sg17_timer(ctx, n->endpoints[p].e, n->cfg.probe_at, TAG_PROBE);
    }
}

static void arp_gateway(naas_t *n, sg17_ctx_t *ctx, naas_endpoint_t *ep)
{
    naasp_arp_t a = {.op = 1, .spa = ep->ip, .tpa = naas_gw_ip(ep->tenant)};
    memcpy(a.sha, ep->mac, 6);
    uint8_t f[64];
    size_t k = naasp_arp_build(f, sizeof f, BROADCAST, ep->mac, &a);
    if (k)
        sg17_send(ctx, ep->e, n->vswitches[ep->host].e, "naas.frame", f, k);
}

static void app_flow(naas_t *n, sg17_ctx_t *ctx, naas_endpoint_t *ep, unsigned k)
{
    sg17_timer(ctx, ep->e, n->cfg.app_interval, TAG_FLOW + k);
    char payload[64];
    int len = snprintf(payload, sizeof payload, "CANARY tenant=%u seq=%llu", ep->tenant,
                       (unsigned long long)++ep->app_seq);
    uint8_t dmac[6];
    uint32_t dip;
    if (n->flows[k].dst < 0) {
        if (!ep->gw_known)
            return;
        memcpy(dmac, ep->gw_mac, 6);
        dip = (203u << 24) | (113u << 8) | 10; /* a server beyond the gateway */
    } else {
        const naas_endpoint_t *d = &n->endpoints[n->flows[k].dst];
        if (n->flows[k].routed && !ep->gw_known)
            return;
        memcpy(dmac, n->flows[k].routed ? ep->gw_mac : d->mac, 6);
        dip = d->ip;
    }
    naas_endpoint_send_udp(n, ctx, ep->index, dmac, ep->ip, ep->mac, dip,
                           (uint16_t)(40000 + ep->index % 20000), n->flows[k].port,
                           (const uint8_t *)payload, (size_t)len);
    sg17_metric_add(ctx, "endpoint.app_sent", 1);
}

/* One probe round of tenant ep->tenant: every endpoint, every table port. */
static void probe_round(naas_t *n, sg17_ctx_t *ctx, naas_endpoint_t *ep)
{
    for (unsigned d = 0; d < n->n_endpoints; d++) {
        const naas_endpoint_t *dst = &n->endpoints[d];
        for (unsigned p = 0; p < n->n_table_ports; p++) {
            uint8_t pl[PROBE_LEN];
            memcpy(pl, PROBE_MAGIC, 8);
            pl[8] = (uint8_t)(ep->index >> 8), pl[9] = (uint8_t)ep->index;
            pl[10] = (uint8_t)(ep->tenant >> 8), pl[11] = (uint8_t)ep->tenant;
            pl[12] = (uint8_t)(d >> 24), pl[13] = (uint8_t)(d >> 16);
            pl[14] = (uint8_t)(d >> 8), pl[15] = (uint8_t)d;
            pl[16] = 0, pl[17] = (uint8_t)p;
            naas_endpoint_send_udp(n, ctx, ep->index, dst->mac, ep->ip, ep->mac, dst->ip,
                                   PROBE_SPORT, n->table_ports[p], pl, sizeof pl);
        }
    }
    sg17_metric_add(ctx, "truth.probes_sent", (double)n->n_endpoints * n->n_table_ports);
}

void naas_endpoint_on_timer(naas_t *n, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    naas_endpoint_t *ep = &n->endpoints[sg17_entity_index(ctx, e)];
    if (tag == NAAS_TAG_ATTACK) {
        naas_attack_tick(n, ctx, e);
        return;
    }
    if (sg17_compromised(ctx, e))
        return; /* the adversary's now: it sends what attacks.c makes it send */
    if (tag == TAG_ARP)
        arp_gateway(n, ctx, ep);
    else if (tag == TAG_PROBE)
        probe_round(n, ctx, ep);
    else if (tag >= TAG_FLOW && tag < TAG_FLOW + n->n_flows)
        app_flow(n, ctx, ep, (unsigned)(tag - TAG_FLOW));
}

static bool listening(const naas_t *n, const naas_endpoint_t *ep, uint16_t port)
{
    for (unsigned i = 0; i < n->n_table_ports; i++)
        if (n->table_ports[i] == port)
            return true;
    return ep->db_open && port == n->cfg.db_port;
}

void naas_endpoint_on_message(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    unsigned i = sg17_entity_index(ctx, m->dst);
    naas_endpoint_t *ep = &n->endpoints[i];
    naasp_eth_t eth;
    if (strcmp(m->type, "naas.delivery") != 0 || naasp_eth_parse(m->payload, m->len, &eth) != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (sg17_compromised(ctx, m->dst)) { /* the adversary's NIC is promiscuous */
        sg17_accept(ctx, m);
        naas_attack_received(n, ctx, i, m->payload, m->len);
        return;
    }
    if (memcmp(eth.dst, ep->mac, 6) != 0 && memcmp(eth.dst, BROADCAST, 6) != 0) {
        sg17_reject(ctx, m, "not_for_me");
        return;
    }
    naasp_arp_t a;
    if (eth.ethertype == NAASP_ETHERTYPE_ARP) {
        if (naasp_arp_parse(&eth, &a) != 0) {
            sg17_reject(ctx, m, "malformed");
            return;
        }
        /* like Linux with arp_accept: a reply or announcement for the gateway updates the cache */
        if (a.op == 2 && a.spa == naas_gw_ip(ep->tenant)) {
            if (ep->gw_known && memcmp(ep->gw_mac, a.sha, 6) != 0)
                sg17_metric_add(ctx, "endpoint.gw_changed", 1);
            memcpy(ep->gw_mac, a.sha, 6);
            ep->gw_known = true;
        }
        sg17_accept(ctx, m);
        return;
    }
    naasp_udp_t u;
    if (naasp_udp_parse(&eth, &u) != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (u.dst != ep->ip) {
        sg17_reject(ctx, m, "not_for_me");
        return;
    }
    if (!listening(n, ep, u.dport)) {
        sg17_reject(ctx, m, "closed_port");
        return;
    }
    sg17_accept(ctx, m);
    if (u.data_len == PROBE_LEN && memcmp(u.data, PROBE_MAGIC, 8) == 0) {
        unsigned t = ((unsigned)u.data[10] << 8) | u.data[11], p = u.data[17];
        if (t < n->n_tenants && p < n->n_table_ports && n->table_ports[p] == u.dport) {
            size_t bit = ((size_t)t * n->n_endpoints + i) * n->n_table_ports + p;
            n->observed[bit / 8] |= (uint8_t)(1u << (bit % 8));
        }
        return;
    }
    sg17_metric_add(ctx, "endpoint.app_received", 1);
}
