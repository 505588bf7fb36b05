/* vswitch.c — one host's virtual switch: applies the controller's programming after the
 * programming lag and acknowledges it; on every frame from a tenant port it applies the MAC/IP
 * source guard, ARP binding, tenant isolation, the destination's security group (with a flow cache
 * that a revocation flushes), service-chain steering (as the NSH forwarder: by service path and
 * index, RFC 8300 §2.3), then delivers the frame locally or through the overlay. */
#include <stdlib.h>
#include <string.h>

#include "sim/naas_sim.h"

enum { TAG_APPLY = 1 };

static const uint8_t BROADCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* ---- flow cache ---- */

static size_t flow_hash(uint32_t s, uint32_t d, uint16_t sp, uint16_t dp)
{
    uint64_t h = ((uint64_t)s << 32 | d) * 0x9e3779b97f4a7c15ull;
    h ^= ((uint64_t)sp << 16 | dp) * 0xc2b2ae3d27d4eb4full;
    return (size_t)(h ^ (h >> 29));
}

static naas_flow_t *flow_find(naas_vswitch_t *v, uint32_t s, uint32_t d, uint16_t sp, uint16_t dp)
{
    if (!v->cap_flows)
        return NULL;
    for (size_t i = flow_hash(s, d, sp, dp) & (v->cap_flows - 1);;
         i = (i + 1) & (v->cap_flows - 1)) {
        naas_flow_t *f = &v->flows[i];
        if (!f->used)
            return NULL;
        if (!f->dead && f->src == s && f->dst == d && f->sport == sp && f->dport == dp)
            return f;
    }
}

static void flow_put(naas_vswitch_t *v, uint32_t s, uint32_t d, uint16_t sp, uint16_t dp)
{
    if (2 * (v->n_flows + 1) > v->cap_flows) {
        size_t cap = v->cap_flows ? 2 * v->cap_flows : 1024;
        naas_flow_t *g = calloc(cap, sizeof *g), *old = v->flows;
        if (!g)
            return;
        size_t n_old = v->cap_flows;
        v->flows = g, v->cap_flows = cap, v->n_flows = 0;
        for (size_t i = 0; i < n_old; i++)
            if (old[i].used && !old[i].dead)
                flow_put(v, old[i].src, old[i].dst, old[i].sport, old[i].dport);
        free(old);
    }
    for (size_t i = flow_hash(s, d, sp, dp) & (v->cap_flows - 1);;
         i = (i + 1) & (v->cap_flows - 1)) {
        naas_flow_t *f = &v->flows[i];
        if (!f->used) {
            *f = (naas_flow_t){.src = s, .dst = d, .sport = sp, .dport = dp, .used = true};
            v->n_flows++;
            return;
        }
    }
}

/* Flow flush on revocation: every cached flow towards ip dies. */
static size_t flow_flush_to(naas_vswitch_t *v, uint32_t ip)
{
    size_t k = 0;
    for (size_t i = 0; i < v->cap_flows; i++)
        if (v->flows[i].used && !v->flows[i].dead && v->flows[i].dst == ip)
            v->flows[i].dead = true, k++;
    return k;
}

/* ---- programming ---- */

static bool rules_shrank(const naasp_portrec_t *old, const naasp_portrec_t *new)
{
    if (old->ip != new->ip || old->vni != new->vni)
        return true;
    for (unsigned i = 0; i < old->n_rules; i++) {
        bool kept = false;
        for (unsigned k = 0; k < new->n_rules && !kept; k++)
            kept = old->rules[i].ip == new->rules[k].ip && old->rules[i].plen == new->rules[k].plen
                   && old->rules[i].port == new->rules[k].port;
        if (!kept)
            return true;
    }
    return false;
}

static void apply(naas_t *n, sg17_ctx_t *ctx, naas_vswitch_t *v, const uint8_t *p, size_t len)
{
    uint32_t version = 0;
    long count = naasp_program_count(p, len, &version);
    for (long i = 0; i < count; i++) {
        naasp_portrec_t r;
        if (naasp_program_record(p, len, (size_t)i, &r) != 0 || r.endpoint >= n->n_endpoints)
            continue;
        naas_port_t *port = &v->ports[r.endpoint];
        if (port->valid && n->cfg.flow_flush && rules_shrank(&port->rec, &r))
            sg17_metric_add(ctx, "vswitch.flows_flushed", (double)flow_flush_to(v, port->rec.ip));
        port->valid = true;
        port->rec = r;
    }
    v->applied = version;
    if (n->lx && naas_lx_program(n, ctx, v->index) != 0)
        return; /* not applied: no acknowledgement */
    uint8_t ack[4] = {(uint8_t)(version >> 24), (uint8_t)(version >> 16), (uint8_t)(version >> 8),
                      (uint8_t)version};
    sg17_send(ctx, v->e, n->ctl.e, "naas.program_ack", ack, sizeof ack);
}

static void on_program(naas_t *n, sg17_ctx_t *ctx, naas_vswitch_t *v, const sg17_msg_t *m)
{
    uint32_t version;
    if (m->claimed_src != n->ctl.e || naasp_program_count(m->payload, m->len, &version) < 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (v->q_len == v->q_cap) {
        size_t cap = v->q_cap ? 2 * v->q_cap : 8;
        naas_blob_t *g = malloc(cap * sizeof *g);
        if (!g) {
            sg17_reject(ctx, m, "malformed");
            return;
        }
        for (size_t k = 0; k < v->q_len; k++)
            g[k] = v->queue[(v->q_head + k) % v->q_cap];
        free(v->queue);
        v->queue = g, v->q_cap = cap, v->q_head = 0;
    }
    uint8_t *copy = malloc(m->len);
    if (!copy) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    memcpy(copy, m->payload, m->len);
    v->queue[(v->q_head + v->q_len++) % v->q_cap] = (naas_blob_t){copy, m->len};
    sg17_accept(ctx, m);
    sg17_timer(ctx, v->e, n->cfg.program_lag, TAG_APPLY);
}

void naas_vswitch_on_timer(naas_t *n, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    naas_vswitch_t *v = &n->vswitches[sg17_entity_index(ctx, e)];
    if (tag != TAG_APPLY || v->q_len == 0)
        return;
    naas_blob_t b = v->queue[v->q_head];
    v->q_head = (v->q_head + 1) % v->q_cap;
    v->q_len--;
    apply(n, ctx, v, b.data, b.len);
    free(b.data);
}

/* ---- forwarding ---- */

int naas_tunnel_send(naas_t *n, sg17_ctx_t *ctx, sg17_entity_t from_port, unsigned src_host,
                     unsigned dst_host, uint32_t vni, const uint8_t *inner, size_t inner_len)
{
    naasp_tunnel_t t = {.outer_src = naas_host_ip(src_host),
                        .outer_dst = naas_host_ip(dst_host),
                        .vni = vni,
                        .seq = ++n->esp_seq};
    naas_host_mac(src_host, t.outer_src_mac);
    naas_host_mac(dst_host, t.outer_dst_mac);
    uint8_t iv[8] = {0}, out[NAASP_MAX_FRAME + 128];
    for (int i = 0; i < 4; i++)
        iv[4 + i] = (uint8_t)(t.seq >> (24 - 8 * i));
    iv[0] = (uint8_t)src_host;
    size_t len = naasp_tunnel_build(out, sizeof out, &t, inner, inner_len,
                                    n->cfg.overlay_auth ? n->overlay_key : NULL, iv);
    if (!len)
        return -1;
    return sg17_send(ctx, from_port, n->vteps[dst_host], "naas.vxlan", out, len);
}

static bool port_in_scope(const naas_t *n, const naas_port_t *p, uint32_t vni)
{
    return p->valid && (!n->cfg.tenant_isolation || p->rec.vni == vni);
}

const char *naas_host_deliver(naas_t *n, sg17_ctx_t *ctx, sg17_entity_t from_port, unsigned host,
                              uint32_t vni, const uint8_t *frame, size_t len)
{
    const naas_vswitch_t *v = &n->vswitches[host];
    if (len < NAASP_ETH_HDR)
        return "malformed";
    if (memcmp(frame, BROADCAST, 6) == 0) {
        sg17_entity_t *dst = malloc(n->n_endpoints * sizeof *dst);
        size_t k = 0;
        for (unsigned i = host; dst && i < n->n_endpoints; i += n->n_hosts)
            if (port_in_scope(n, &v->ports[i], vni) && n->endpoints[i].e != from_port)
                dst[k++] = n->endpoints[i].e;
        if (k && SG17_API_HAS(ctx, send_many))
            sg17_send_many(ctx, from_port, dst, k, "naas.delivery", frame, len);
        else
            for (size_t i = 0; i < k; i++)
                sg17_send(ctx, from_port, dst[i], "naas.delivery", frame, len);
        free(dst);
        return NULL;
    }
    int d = naas_ep_of_mac(n, frame);
    if (d < 0 || n->endpoints[d].host != host || !v->ports[d].valid)
        return "no_destination";
    if (!port_in_scope(n, &v->ports[d], vni))
        return "isolation";
    sg17_send(ctx, from_port, n->endpoints[d].e, "naas.delivery", frame, len);
    return NULL;
}

/* A frame for endpoint d: delivered on this host or sent through the overlay. */
static const char *to_endpoint(naas_t *n, sg17_ctx_t *ctx, unsigned h, sg17_entity_t from,
                               unsigned d, uint32_t vni, const uint8_t *f, size_t len)
{
    unsigned dh = n->endpoints[d].host;
    if (dh == h)
        return naas_host_deliver(n, ctx, from, h, vni, f, len);
    return naas_tunnel_send(n, ctx, from, h, dh, vni, f, len) == 0 ? NULL : "malformed";
}

static bool sg_allows(const naasp_portrec_t *dst, uint32_t src_ip, uint16_t dport)
{
    for (unsigned i = 0; i < dst->n_rules; i++)
        if (dst->rules[i].port == dport
            && naasp_prefix_has(dst->rules[i].ip, dst->rules[i].plen, src_ip))
            return true;
    return false;
}

static bool source_ip_ok(const naasp_portrec_t *in, uint32_t ip)
{
    return ip == in->ip || (in->has_aap && naasp_prefix_has(in->aap_ip, in->aap_plen, ip));
}

/* IPv4 from tenant port `in`: router, isolation, security group and flow cache, chain steering,
 * then delivery. Returns the rejection reason or NULL. */
static const char *forward_ip(naas_t *n, sg17_ctx_t *ctx, unsigned h, sg17_entity_t from,
                              const naas_port_t *in, const naasp_eth_t *eth, const naasp_udp_t *u,
                              const uint8_t *f, size_t len, bool steer)
{
    naas_vswitch_t *v = &n->vswitches[h];
    int owner = naas_tenant_of_net(n, in->rec.vni);
    uint8_t gw[6];
    naas_gw_mac(owner >= 0 ? (unsigned)owner : 0, gw);
    if (owner >= 0 && memcmp(eth->dst, gw, 6) == 0) {
        if (!steer || n->vrouter == SG17_NO_ENTITY) {
            sg17_metric_add(ctx, "vrouter.forwarded", 1); /* leaves the network: not modelled */
            return NULL;
        }
        /* the routed path of the tenant of the network the frame came in on (the ingress port's
         * binding, never the frame's claimed source): the vFW first */
        uint8_t buf[NAASP_MAX_FRAME + 64], smac[6];
        naas_host_mac(h, smac);
        size_t k = naasp_nsh_build(buf, sizeof buf, gw, smac, NAAS_SPI_ROUTED + (uint32_t)owner,
                                   255, n->cfg.chain_integrity ? n->nsh_key : NULL, f, len);
        if (!k)
            return "malformed";
        sg17_send(ctx, from, n->sf, "naas.nsh", buf, k);
        return NULL;
    }
    int d = naas_ep_of_mac(n, eth->dst);
    if (d < 0 || !v->ports[d].valid)
        return "no_destination";
    const naas_port_t *out = &v->ports[d];
    if (n->cfg.tenant_isolation && out->rec.vni != in->rec.vni)
        return "isolation";
    if (!flow_find(v, u->src, u->dst, u->sport, u->dport)) {
        if (n->cfg.security_groups && !sg_allows(&out->rec, u->src, u->dport))
            return "security_group";
        flow_put(v, u->src, u->dst, u->sport, u->dport);
    }
    if (steer && out->rec.spi && n->sf != SG17_NO_ENTITY) {
        uint8_t buf[NAASP_MAX_FRAME + 64];
        uint8_t smac[6];
        naas_host_mac(h, smac);
        size_t k = naasp_nsh_build(buf, sizeof buf, gw, smac, out->rec.spi, 255,
                                   n->cfg.chain_integrity ? n->nsh_key : NULL, f, len);
        if (!k)
            return "malformed";
        sg17_send(ctx, from, n->sf, "naas.nsh", buf, k);
        return NULL;
    }
    return to_endpoint(n, ctx, h, from, (unsigned)d, out->rec.vni, f, len);
}

static const char *on_arp(naas_t *n, sg17_ctx_t *ctx, unsigned h, sg17_entity_t from,
                          const naas_port_t *in, const naasp_eth_t *eth, const uint8_t *f,
                          size_t len)
{
    naasp_arp_t a;
    if (naasp_arp_parse(eth, &a) != 0)
        return "malformed";
    if (n->cfg.arp_guard && (memcmp(a.sha, in->rec.mac, 6) != 0 || !source_ip_ok(&in->rec, a.spa)))
        return "arp_spoof";
    if (a.op == 2) { /* a reply or a gratuitous announcement: flooded in the network */
        for (unsigned r = 0; r < n->n_hosts; r++)
            if (r == h)
                naas_host_deliver(n, ctx, from, h, in->rec.vni, f, len);
            else
                naas_tunnel_send(n, ctx, from, h, r, in->rec.vni, f, len);
        return NULL;
    }
    /* a request: the ARP responder answers from the programmed table */
    naasp_arp_t reply = {.op = 2, .tpa = a.spa};
    memcpy(reply.tha, a.sha, 6);
    int owner = naas_tenant_of_net(n, in->rec.vni);
    bool found = false;
    if (owner >= 0 && a.tpa == naas_gw_ip((unsigned)owner)) {
        naas_gw_mac((unsigned)owner, reply.sha);
        found = true;
    }
    for (unsigned i = 0; !found && i < n->n_endpoints; i++) {
        const naas_port_t *p = &n->vswitches[h].ports[i];
        if (p->valid && p->rec.ip == a.tpa && port_in_scope(n, p, in->rec.vni)) {
            memcpy(reply.sha, p->rec.mac, 6);
            found = true;
        }
    }
    if (!found)
        return NULL; /* nobody answers: the request dies here */
    reply.spa = a.tpa;
    uint8_t out[64];
    size_t k = naasp_arp_build(out, sizeof out, a.sha, reply.sha, &reply);
    if (k)
        sg17_send(ctx, n->vswitches[h].e, from, "naas.delivery", out, k);
    return NULL;
}

/* NSH arriving on a tenant port: only a service function may hand the forwarder chain traffic. */
static const char *on_port_nsh(naas_t *n, sg17_ctx_t *ctx, unsigned h, sg17_entity_t from,
                               const naas_port_t *in, const naasp_eth_t *eth)
{
    naasp_nsh_t s;
    naasp_eth_t ie;
    naasp_udp_t u;
    if (naasp_nsh_parse(eth, &s) != 0 || naasp_eth_parse(s.inner, s.inner_len, &ie) != 0)
        return "malformed";
    if (n->cfg.chain_integrity && !naasp_nsh_verify(&s, n->nsh_key))
        return "chain_integrity";
    if (s.si != 254 || naasp_udp_parse(&ie, &u) != 0)
        return "chain_index";
    /* the header says the chain is done: forward the inner frame without steering it again */
    return forward_ip(n, ctx, h, from, in, &ie, &u, s.inner, s.inner_len, false);
}

/* A routed path's NSH back from a service function: after the vFW (index 254) on to the vRouter,
 * after the vRouter (253) to the next hop, which the destination's security group admits. */
static const char *routed_hop(naas_t *n, sg17_ctx_t *ctx, unsigned h, const sg17_msg_t *m,
                              const naasp_nsh_t *s, const naasp_eth_t *ie)
{
    if (s->si == 254 && n->vrouter != SG17_NO_ENTITY) {
        sg17_send(ctx, m->claimed_src, n->vrouter, "naas.nsh", m->payload, m->len);
        return NULL;
    }
    int d = naas_ep_of_mac(n, ie->dst);
    naasp_udp_t u;
    if (s->si != 253 || d < 0 || !n->vswitches[h].ports[d].valid)
        return "chain_index";
    const naas_port_t *out = &n->vswitches[h].ports[d];
    if (naasp_udp_parse(ie, &u) != 0)
        return "malformed";
    if (n->cfg.security_groups && !sg_allows(&out->rec, u.src, u.dport))
        return "security_group";
    return to_endpoint(n, ctx, h, m->claimed_src, (unsigned)d, out->rec.vni, s->inner,
                       s->inner_len);
}

/* NSH back from a service function: the next function of a routed path, or the end of the
 * chain. */
static void on_sf_return(naas_t *n, sg17_ctx_t *ctx, unsigned h, const sg17_msg_t *m)
{
    naasp_eth_t e, ie;
    naasp_nsh_t s;
    if (naasp_eth_parse(m->payload, m->len, &e) != 0 || naasp_nsh_parse(&e, &s) != 0
        || naasp_eth_parse(s.inner, s.inner_len, &ie) != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (n->cfg.chain_integrity && !naasp_nsh_verify(&s, n->nsh_key)) {
        sg17_reject(ctx, m, "chain_integrity");
        return;
    }
    if (naas_routed_tenant(n, s.spi) >= 0) {
        const char *why = routed_hop(n, ctx, h, m, &s, &ie);
        sg17_report(ctx, m, why == NULL, why);
        return;
    }
    int d = naas_ep_of_mac(n, ie.dst);
    if (s.si != 254 || d < 0 || !n->vswitches[h].ports[d].valid) {
        sg17_reject(ctx, m, "chain_index");
        return;
    }
    const char *why = to_endpoint(n, ctx, h, m->claimed_src, (unsigned)d,
                                  n->vswitches[h].ports[d].rec.vni, s.inner, s.inner_len);
    sg17_report(ctx, m, why == NULL, why);
}

/* A frame from tenant port `in`: the checks in order, then forwarding; the rejection reason or
 * NULL. */
static const char *ingress(naas_t *n, sg17_ctx_t *ctx, unsigned h, const sg17_msg_t *m,
                           const naas_port_t *in)
{
    naasp_eth_t eth;
    naasp_udp_t u;
    if (naasp_eth_parse(m->payload, m->len, &eth) != 0)
        return "malformed";
    if (n->cfg.source_guard && memcmp(eth.src, in->rec.mac, 6) != 0)
        return "spoof_mac";
    if (eth.ethertype == NAASP_ETHERTYPE_ARP)
        return on_arp(n, ctx, h, m->claimed_src, in, &eth, m->payload, m->len);
    if (eth.ethertype == NAASP_ETHERTYPE_NSH)
        return on_port_nsh(n, ctx, h, m->claimed_src, in, &eth);
    if (naasp_udp_parse(&eth, &u) != 0)
        return "malformed";
    if (n->cfg.source_guard && !source_ip_ok(&in->rec, u.src))
        return "spoof_ip";
    return forward_ip(n, ctx, h, m->claimed_src, in, &eth, &u, m->payload, m->len, true);
}

void naas_vswitch_on_message(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    unsigned h = sg17_entity_index(ctx, m->dst);
    naas_vswitch_t *v = &n->vswitches[h];
    if (strcmp(m->type, "naas.program") == 0) {
        on_program(n, ctx, v, m);
        return;
    }
    if (strcmp(m->type, "naas.nsh") == 0) {
        on_sf_return(n, ctx, h, m);
        return;
    }
    if (strcmp(m->type, "naas.frame") != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    unsigned i = sg17_entity_index(ctx, m->claimed_src);
    if (i >= n->n_endpoints || n->endpoints[i].e != m->claimed_src || n->endpoints[i].host != h
        || !v->ports[i].valid) {
        sg17_reject(ctx, m, "no_port");
        return;
    }
    const naas_port_t *in = &v->ports[i];
    if (n->lx) { /* the kernel's bridge forwards it; the receivers say what arrived */
        naas_lx_frame(n, ctx, m, i);
        return;
    }
    const char *why = ingress(n, ctx, h, m, in);
    sg17_report(ctx, m, why == NULL, why);
    if (why)
        sg17_metric_add(ctx, "vswitch.dropped", 1);
}
