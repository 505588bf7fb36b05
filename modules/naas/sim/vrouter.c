/* vrouter.c — the vRouter service function, the second NaaS application of a tenant's routed path
 * (RFC 8300: it receives the path's frames at service index 254): it checks the NSH (RFC 9145-style
 * MAC when chain integrity is on), picks the VRF from the path the frame was steered on, which the
 * forwarder chose from the network of the frame's ingress port (with VRF isolation; without it,
 * one table shared by every tenant), looks the destination up (longest prefix), resolves the next
 * hop on the route's egress network, forwards as an IPv4 router does (TTL decremented, header
 * checksum recomputed, expired frames dropped, MACs rewritten) and hands the frame, at index 253,
 * to the forwarder of the next hop's host. */
#include <string.h>

#include "sim/naas_sim.h"

static bool route_has(const naas_route_t *r, uint32_t ip)
{
    return naasp_prefix_has(r->prefix, r->plen, ip);
}

const naas_route_t *naas_vrouter_lookup(const naas_t *n, int t, uint32_t ip)
{
    const naas_route_t *best = NULL;
    for (unsigned v = 0; n->vrfs && v < n->n_tenants; v++) {
        if (t >= 0 && v != (unsigned)t)
            continue;
        for (unsigned k = 0; k < n->vrfs[v].n_routes; k++) {
            const naas_route_t *r = &n->vrfs[v].routes[k];
            if (route_has(r, ip) && (!best || r->plen > best->plen))
                best = r;
        }
    }
    return best;
}

/* The endpoint with address ip on the network vni (the router's neighbour table), -1. */
static int neighbour(const naas_t *n, uint32_t vni, uint32_t ip)
{
    for (unsigned i = 0; i < n->n_endpoints; i++)
        if (n->ctl.ports[i].valid && n->ctl.ports[i].rec.ip == ip && n->ctl.ports[i].rec.vni == vni)
            return (int)i;
    return -1;
}

/* Routes one steered frame; the rejection reason or NULL. */
static const char *route(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    naasp_eth_t e, ie;
    naasp_nsh_t s;
    naasp_udp_t u;
    if (naasp_eth_parse(m->payload, m->len, &e) != 0 || naasp_nsh_parse(&e, &s) != 0
        || naasp_eth_parse(s.inner, s.inner_len, &ie) != 0 || naasp_udp_parse(&ie, &u) != 0)
        return "malformed";
    if (n->cfg.chain_integrity && !naasp_nsh_verify(&s, n->nsh_key))
        return "chain_integrity";
    int t = naas_routed_tenant(n, s.spi);
    if (t < 0 || s.si != 254)
        return "chain_index";
    const naas_route_t *r = naas_vrouter_lookup(n, n->cfg.vrf_isolation ? t : -1, u.dst);
    int d = r ? neighbour(n, r->egress_vni, r->next_hop ? r->next_hop : u.dst) : -1;
    if (d < 0) {
        sg17_metric_add(ctx, "vrouter.no_route", 1);
        return "no_route";
    }
    uint8_t inner[NAASP_MAX_FRAME], gw[6], out[NAASP_MAX_FRAME + 64], hmac[6];
    if (s.inner_len > sizeof inner)
        return "malformed";
    memcpy(inner, s.inner, s.inner_len);
    int owner = naas_tenant_of_net(n, r->egress_vni);
    naas_gw_mac(owner >= 0 ? (unsigned)owner : 0, gw);
    int fw = naasp_ipv4_forward(inner, s.inner_len, n->endpoints[d].mac, gw);
    if (fw == NAASP_TTL_EXPIRED) {
        sg17_metric_add(ctx, "vrouter.ttl_expired", 1);
        return "ttl_expired";
    }
    if (fw != 0)
        return "malformed";
    unsigned dh = n->endpoints[d].host;
    naas_host_mac(dh, hmac);
    size_t k = naasp_nsh_build(out, sizeof out, hmac, gw, s.spi, 253,
                               n->cfg.chain_integrity ? n->nsh_key : NULL, inner, s.inner_len);
    if (!k)
        return "malformed";
    sg17_metric_add(ctx, "vrouter.routed", 1);
    sg17_send(ctx, m->claimed_src, n->vswitches[dh].e, "naas.nsh", out, k);
    return NULL;
}

void naas_vrouter_on_message(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    if (strcmp(m->type, "naas.nsh") != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    const char *why = route(n, ctx, m);
    sg17_report(ctx, m, why == NULL, why);
}
