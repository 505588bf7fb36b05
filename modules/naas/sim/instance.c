/* instance.c — the NaaS instance: built from the config struct (address plan, the tenants'
 * initial networks, ports and security groups, keys), started, finished and freed; the tenants'
 * intent that the truth table's expected column is computed from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sim/naas_sim.h"

uint32_t naas_net_prefix(unsigned tenant)
{
    return (10u << 24) | ((tenant >> 8) << 16) | ((tenant & 0xffu) << 8);
}
uint32_t naas_gw_ip(unsigned tenant)
{
    return naas_net_prefix(tenant) | NAAS_GW_HOST_OCTET;
}
void naas_gw_mac(unsigned tenant, uint8_t mac[6])
{
    const uint8_t m[6] = {0x02, 0x4e, 0x47, 0x00, (uint8_t)(tenant >> 8), (uint8_t)tenant};
    memcpy(mac, m, 6);
}
void naas_ep_mac(unsigned index, uint8_t mac[6])
{
    const uint8_t m[6] = {0x02, 0x4e, 0x41, 0x00, (uint8_t)(index >> 8), (uint8_t)index};
    memcpy(mac, m, 6);
}
int naas_ep_of_mac(const naas_t *n, const uint8_t mac[6])
{
    if (mac[0] != 0x02 || mac[1] != 0x4e || mac[2] != 0x41 || mac[3] != 0)
        return -1;
    unsigned i = ((unsigned)mac[4] << 8) | mac[5];
    return i < n->n_endpoints ? (int)i : -1;
}
uint32_t naas_host_ip(unsigned host)
{
    return (192u << 24) | (2u << 8) | (host + 1);
}
void naas_host_mac(unsigned host, uint8_t mac[6])
{
    const uint8_t m[6] = {0x02, 0x4e, 0x56, 0x00, 0x00, (uint8_t)host};
    memcpy(mac, m, 6);
}
int naas_host_of_mac(const naas_t *n, const uint8_t mac[6])
{
    if (mac[0] != 0x02 || mac[1] != 0x4e || mac[2] != 0x56 || mac[3] != 0 || mac[4] != 0)
        return -1;
    return mac[5] < n->n_hosts ? (int)mac[5] : -1;
}
int naas_routed_tenant(const naas_t *n, uint32_t spi)
{
    return spi >= NAAS_SPI_ROUTED && spi - NAAS_SPI_ROUTED < n->n_tenants
               ? (int)(spi - NAAS_SPI_ROUTED)
               : -1;
}
int naas_tenant_of_net(const naas_t *n, uint32_t vni)
{
    for (unsigned t = 0; t < n->n_tenants; t++)
        if (n->ctl.nets[t].vni == vni)
            return (int)t;
    return -1;
}

/* "22,80,5432" -> ports; -1 on a bad list. */
static int parse_ports(const char *s, uint16_t *out, unsigned *n)
{
    *n = 0;
    while (s && *s) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 1 || v > 65535 || *n >= NAAS_MAX_PORTS_T)
            return -1;
        out[(*n)++] = (uint16_t)v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return 0;
}

static int parse_flows(naas_t *n, const char *s)
{
    n->n_flows = 0;
    while (s && *s) {
        int src, dst = -1, used = 0;
        unsigned port;
        bool routed = false;
        if (n->n_flows >= NAAS_MAX_FLOWS)
            return -1;
        if (sscanf(s, "%d>gw:%u%n", &src, &port, &used) == 2 && used > 0) {
            dst = -1;
        } else if (sscanf(s, "%d>r%d:%u%n", &src, &dst, &port, &used) == 3 && used > 0 && dst >= 0
                   && (unsigned)dst < n->n_endpoints) {
            routed = true;
        } else if (sscanf(s, "%d>%d:%u%n", &src, &dst, &port, &used) != 3 || used <= 0 || dst < 0
                   || (unsigned)dst >= n->n_endpoints) {
            return -1;
        }
        if (src < 0 || (unsigned)src >= n->n_endpoints || port < 1 || port > 65535)
            return -1;
        n->flows[n->n_flows].src = src;
        n->flows[n->n_flows].dst = dst;
        n->flows[n->n_flows].port = (uint16_t)port;
        n->flows[n->n_flows].routed = routed;
        n->n_flows++;
        s += used;
        if (*s == ',')
            s++;
        else if (*s)
            return -1;
    }
    return 0;
}

static bool has_port(const uint16_t *list, unsigned n, uint16_t p)
{
    for (unsigned i = 0; i < n; i++)
        if (list[i] == p)
            return true;
    return false;
}

static void add_rule(naasp_portrec_t *r, uint32_t ip, uint8_t plen, uint16_t port)
{
    if (r->n_rules < NAASP_MAX_RULES)
        r->rules[r->n_rules++] = (naasp_rule_t){ip, plen, port};
}

/* The tenants' initial state, as if they had created it before the run: one network per tenant,
 * one port per endpoint with its security group. */
static void provision(naas_t *n)
{
    unsigned *rank = calloc(n->n_tenants, sizeof *rank);
    for (unsigned t = 0; t < n->n_tenants; t++) {
        naas_net_t *net = &n->ctl.nets[t];
        net->id = t + 1;
        net->vni = 5000 + net->id;
        net->prefix = naas_net_prefix(t);
        net->owner = t;
        net->next_host_octet = 200;
        if (n->vrfs) /* the VRF's connected route: the home network */
            n->vrfs[t].routes[n->vrfs[t].n_routes++] =
                (naas_route_t){.prefix = net->prefix, .plen = 24, .egress_vni = net->vni};
    }
    for (unsigned i = 0; i < n->n_endpoints; i++) {
        naas_endpoint_t *ep = &n->endpoints[i];
        unsigned t = (unsigned)((uint64_t)i * n->n_tenants / n->n_endpoints);
        ep->index = i;
        ep->tenant = t;
        ep->host = i % n->n_hosts;
        ep->rank = rank ? rank[t]++ : 0;
        ep->ip = naas_net_prefix(t) | (10 + ep->rank);
        naas_ep_mac(i, ep->mac);
        naas_port_t *p = &n->ctl.ports[i];
        p->valid = true;
        p->owner = t;
        p->net = t + 1;
        p->rec.id = i + 1;
        p->rec.endpoint = i;
        p->rec.vni = n->ctl.nets[t].vni;
        p->rec.ip = ep->ip;
        memcpy(p->rec.mac, ep->mac, 6);
        for (unsigned k = 0; k < n->n_open_ports; k++)
            add_rule(&p->rec, 0, 0, n->open_ports[k]); /* "from anywhere", as many do */
    }
    free(rank);
    if (n->peer_d >= 0)
        add_rule(&n->ctl.ports[n->peer_d].rec, n->endpoints[n->peer_s].ip, 32, (uint16_t)n->peer_p);
    if (n->cfg.db_endpoint >= 0) {
        const naas_endpoint_t *db = &n->endpoints[n->cfg.db_endpoint];
        add_rule(&n->ctl.ports[db->index].rec, naas_net_prefix(db->tenant), 24,
                 (uint16_t)n->cfg.db_port);
    }
    if (n->cfg.chain_endpoint >= 0) {
        naas_port_t *p = &n->ctl.ports[n->cfg.chain_endpoint];
        p->rec.spi = 1;
        add_rule(&p->rec, naas_net_prefix(p->owner), 24, (uint16_t)n->cfg.fw_block_port);
    }
}

static int check_config(naas_t *n, sg17_ctx_t *ctx)
{
    const naas_config_t *c = &n->cfg;
    if (strcmp(c->backend, "sim") != 0 && strcmp(c->backend, "linux") != 0) {
        sg17_log(ctx, "backend '%s': expected sim or linux", c->backend);
        return -1;
    }
    if (n->n_tenants == 0 || n->n_endpoints < n->n_tenants || n->n_hosts == 0
        || sg17_count(ctx, "vtep") != n->n_hosts) {
        sg17_log(ctx,
                 "naas needs at least one endpoint per tenant and one vtep per vswitch "
                 "(%u tenants, %u endpoints, %u vswitches, %u vteps)",
                 n->n_tenants, n->n_endpoints, n->n_hosts, sg17_count(ctx, "vtep"));
        return -1;
    }
    if (parse_ports(c->ports, n->table_ports, &n->n_table_ports) != 0 || n->n_table_ports == 0
        || parse_ports(c->open_ports, n->open_ports, &n->n_open_ports) != 0) {
        sg17_log(ctx, "ports and open_ports are lists of 1 to %d UDP ports, \"22,80\"",
                 NAAS_MAX_PORTS_T);
        return -1;
    }
    n->peer_d = n->peer_s = n->peer_p = -1;
    if (c->peer_rule[0]) {
        int d, p, s, used = 0;
        if (sscanf(c->peer_rule, "%d:%d<%d%n", &d, &p, &s, &used) != 3 || c->peer_rule[used] != 0
            || d < 0 || s < 0 || (unsigned)d >= n->n_endpoints || (unsigned)s >= n->n_endpoints
            || p < 1 || p > 65535) {
            sg17_log(ctx, "peer_rule '%s': expected \"D:P<S\" with endpoint indexes and a port",
                     c->peer_rule);
            return -1;
        }
        n->peer_d = d, n->peer_s = s, n->peer_p = p;
    }
    if (parse_flows(n, c->app_flows) != 0) {
        sg17_log(
            ctx,
            "app_flows '%s': expected \"S>D:P\", \"S>rD:P\" or \"S>gw:P\" items, comma-separated",
            c->app_flows);
        return -1;
    }
    if (c->db_endpoint >= (int64_t)n->n_endpoints || c->chain_endpoint >= (int64_t)n->n_endpoints) {
        sg17_log(ctx, "db_endpoint and chain_endpoint must name an endpoint index or be -1");
        return -1;
    }
    if (c->chain_endpoint >= 0 && sg17_count(ctx, "sf") == 0) {
        sg17_log(ctx, "chain_endpoint needs a service function: topology {sf: 1}");
        return -1;
    }
    if (sg17_count(ctx, "vrouter") > 0 && sg17_count(ctx, "sf") == 0) {
        sg17_log(ctx, "the vrouter is the second function of the routed path: topology {sf: 1}");
        return -1;
    }
    return 0;
}

void *naas_create(sg17_ctx_t *ctx, const void *config)
{
    naas_t *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    memcpy(&n->cfg, config, sizeof n->cfg);
    n->n_tenants = sg17_count(ctx, "tenant");
    n->n_endpoints = sg17_count(ctx, "endpoint");
    n->n_hosts = sg17_count(ctx, "vswitch");
    if (check_config(n, ctx) != 0) {
        free(n);
        return NULL;
    }
    unsigned T = n->n_tenants, E = n->n_endpoints, H = n->n_hosts, P = n->n_table_ports;
    n->tenants = calloc(T, sizeof *n->tenants);
    n->endpoints = calloc(E, sizeof *n->endpoints);
    n->vswitches = calloc(H, sizeof *n->vswitches);
    n->vteps = calloc(H, sizeof *n->vteps);
    n->ctl.nets = calloc(T, sizeof *n->ctl.nets);
    n->ctl.ports = calloc(E, sizeof *n->ctl.ports);
    n->ctl.seen_nonce = calloc((size_t)T * 64, sizeof *n->ctl.seen_nonce);
    n->ctl.seen_pos = calloc(T, sizeof *n->ctl.seen_pos);
    n->ctl.bucket = calloc(T, sizeof *n->ctl.bucket);
    n->ctl.bucket_at = calloc(T, sizeof *n->ctl.bucket_at);
    n->ctl.acked = calloc(H, sizeof *n->ctl.acked);
    n->observed = calloc(((size_t)T * E * P + 7) / 8, 1);
    if (sg17_count(ctx, "vrouter") > 0)
        n->vrfs = calloc(T, sizeof *n->vrfs);
    bool ok = (n->vrfs || sg17_count(ctx, "vrouter") == 0) && n->tenants && n->endpoints
              && n->vswitches && n->vteps && n->ctl.nets && n->ctl.ports && n->ctl.seen_nonce
              && n->ctl.seen_pos && n->ctl.bucket && n->ctl.bucket_at && n->ctl.acked
              && n->observed;
    for (unsigned h = 0; ok && h < H; h++) {
        n->vswitches[h].ports = calloc(E, sizeof(naas_port_t));
        ok = n->vswitches[h].ports != NULL;
    }
    if (!ok) {
        sg17_log(ctx, "out of memory for %u tenants and %u endpoints", T, E);
        naas_destroy(n);
        return NULL;
    }
    n->ctl.e = sg17_entity(ctx, "controller", 0);
    n->audit.e = n->audit_e = sg17_entity(ctx, "audit", 0);
    n->anchor.e = sg17_entity(ctx, "anchor", 0);
    n->sf = sg17_count(ctx, "sf") ? sg17_entity(ctx, "sf", 0) : SG17_NO_ENTITY;
    n->vrouter = sg17_count(ctx, "vrouter") ? sg17_entity(ctx, "vrouter", 0) : SG17_NO_ENTITY;
    for (unsigned t = 0; t < T; t++) {
        n->tenants[t].e = sg17_entity(ctx, "tenant", t);
        n->tenants[t].index = t;
        sg17_rand_bytes(ctx, n->tenants[t].holder, NAASP_HOLDER);
        n->ctl.bucket[t] = n->cfg.api_tenant_rate;
    }
    n->ctl.capacity = n->cfg.api_capacity / 2;
    for (unsigned i = 0; i < E; i++)
        n->endpoints[i].e = sg17_entity(ctx, "endpoint", i);
    for (unsigned h = 0; h < H; h++) {
        n->vswitches[h].e = sg17_entity(ctx, "vswitch", h);
        n->vswitches[h].index = h;
        n->vteps[h] = sg17_entity(ctx, "vtep", h);
    }
    sg17_rand_bytes(ctx, n->overlay_key, sizeof n->overlay_key);
    sg17_rand_bytes(ctx, n->nsh_key, sizeof n->nsh_key);
    provision(n);
    if (strcmp(n->cfg.backend, "linux") == 0 && naas_lx_open(n, ctx) != 0) {
        naas_destroy(n);
        return NULL;
    }
    return n;
}

void naas_destroy(void *instance)
{
    naas_t *n = instance;
    if (!n)
        return;
    naas_lx_close(n);
    for (unsigned t = 0; n->tenants && t < n->n_tenants; t++)
        OPENSSL_cleanse(n->tenants[t].holder, NAASP_HOLDER);
    for (unsigned h = 0; n->vswitches && h < n->n_hosts; h++) {
        naas_vswitch_t *v = &n->vswitches[h];
        for (size_t k = 0; k < v->q_len; k++)
            free(v->queue[(v->q_head + k) % v->q_cap].data);
        free(v->queue);
        free(v->ports);
        free(v->flows);
    }
    if (n->ctl.tokens)
        OPENSSL_cleanse(n->ctl.tokens, n->ctl.cap_tokens * sizeof *n->ctl.tokens);
    OPENSSL_cleanse(n->overlay_key, sizeof n->overlay_key);
    OPENSSL_cleanse(n->nsh_key, sizeof n->nsh_key);
    naas_attacker_free(n->attacker);
    free(n->tenants), free(n->endpoints), free(n->vswitches), free(n->vteps), free(n->vrfs);
    free(n->ctl.nets), free(n->ctl.ports), free(n->ctl.tokens), free(n->ctl.seen_nonce);
    free(n->ctl.seen_pos), free(n->ctl.bucket), free(n->ctl.bucket_at), free(n->ctl.acked);
    free(n->ctl.deferred);
    free(n->audit.recs), free(n->anchor.counts), free(n->anchor.heads);
    free(n->observed);
    free(n);
}

void naas_start(void *instance, sg17_ctx_t *ctx)
{
    naas_t *n = instance;
    naas_controller_start(n, ctx);
    naas_tenant_start(n, ctx);
    naas_endpoint_start(n, ctx);
    naas_audit_start(n, ctx);
}

void naas_finish(void *instance, sg17_ctx_t *ctx)
{
    naas_t *n = instance;
    if (n->lx)
        naas_lx_finish(n, ctx);
    naas_truth_finish(n, ctx);
    double wait = 0;
    for (unsigned t = 0; t < n->n_tenants; t++)
        wait = n->tenants[t].enforce_wait_max > wait ? n->tenants[t].enforce_wait_max : wait;
    sg17_metric_set(ctx, "tenant.enforce_wait_max_s", wait);
    sg17_metric_set(ctx, "tenant.enforce_over_bound",
                    wait > (double)n->cfg.enforce_bound / (double)SG17_SEC ? 1 : 0);
    sg17_metric_set(ctx, "audit.records", (double)n->audit.n);
}

/* The tenants' intent for one cell: what the table expects tenant `tenant`'s prober to reach.
 * It is written from the configuration (what the tenants asked for), never from the
 * controller's or the switches' state, which an attack may have changed. */
bool naas_expected(const naas_t *n, unsigned tenant, unsigned prober, unsigned dst, uint16_t port)
{
    const naas_config_t *c = &n->cfg;
    const naas_endpoint_t *d = &n->endpoints[dst];
    if (d->tenant != tenant)
        return false; /* isolation: no tenant asked to share */
    if (c->chain_endpoint == (int64_t)dst && port == c->fw_block_port)
        return false; /* the vFW drops it */
    if (has_port(n->open_ports, n->n_open_ports, port))
        return true;
    if (n->peer_d == (int)dst && n->peer_p == port)
        return n->peer_s == (int)prober && !(c->revoke_at > 0 && c->probe_at >= c->revoke_at);
    if (c->db_endpoint == (int64_t)dst && c->db_port == port)
        return c->probe_at < c->db_at;
    return false;
}

int naas_prober(const naas_t *n, sg17_ctx_t *ctx, unsigned tenant)
{
    for (unsigned i = 0; i < n->n_endpoints; i++)
        if (n->endpoints[i].tenant == tenant)
            return sg17_compromised(ctx, n->endpoints[i].e) ? -1 : (int)i;
    return -1;
}
