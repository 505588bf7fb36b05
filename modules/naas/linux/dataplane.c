/* dataplane.c — the linux backend's data plane (see lx.h): building the namespaces, links,
 * bridges and VXLAN devices of one run, the nftables rules each vswitch programs, frames handed to
 * the kernel on a port and the frames the endpoints' packet sockets got back (their
 * naas.delivery), the drop counters read into metrics, and the removal of it all by run id. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/if_packet.h>

#include "linux/lx.h"
#include "linux/sys.h"
#include "sim/naas_sim.h"

#define RING       256 /* frames handed to the kernel, remembered to attribute what arrives */
#define OUT_MAX    4096
#define BATCH_INIT 8192

typedef struct {
    uint8_t f[NAASP_MAX_FRAME];
    size_t len;
    sg17_entity_t from;
    unsigned hits;
} sent_t;

struct naas_lx {
    char pfx[10]; /* "n" + the run id */
    int guard_fd;
    pid_t guard_pid;
    unsigned nb;      /* bridges per host: one per tenant network, or one flat segment */
    int *ep_fd;       /* per endpoint: packet socket on its vNIC, in its namespace */
    int *gw_fd;       /* per host x bridge: packet socket on the bridge (the gateway) */
    int rogue_fd;     /* the rogue underlay host's packet socket */
    int *nl_fd;       /* per host: netlink socket in its namespace (the drop counters) */
    unsigned *net_of; /* per host x endpoint: the bridge the host has the endpoint's MAC on */
    uint32_t nl_seq;
    struct pollfd *pf; /* endpoints, then gateways */
    sent_t *ring;
    unsigned ring_pos;
};

/* ---- text ---- */

typedef struct {
    char *p;
    size_t len, cap;
} buf_t;

__attribute__((format(printf, 2, 3))) static void add(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !b->p)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = 2 * (b->len + (size_t)n + 1);
        char *g = realloc(b->p, cap);
        if (!g) {
            free(b->p);
            b->p = NULL;
            return;
        }
        b->p = g, b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void mac_str(const uint8_t m[6], char out[18])
{
    snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* The drop counters, in the order the sim's vswitch checks: the first that moved is the reason. */
static const char *const REASONS[] = {"spoof_mac", "arp_spoof",      "spoof_ip",
                                      "isolation", "security_group", "vtep_not_allowed"};
#define N_REASONS (sizeof REASONS / sizeof *REASONS)

static unsigned bridge_of(const naas_t *n, unsigned tenant)
{
    return n->cfg.tenant_isolation ? tenant : 0;
}

/* Runs `tool -batch -` (ip or bridge) with the text in namespace ns; logs on failure. */
static int batch(sg17_ctx_t *ctx, const char *ns, const char *tool, buf_t *b)
{
    char *argv[] = {(char *)tool, "-batch", "-", NULL};
    char out[OUT_MAX];
    if (!b->p) {
        sg17_log(ctx, "linux backend: out of memory");
        return -1;
    }
    int r = lx_run(ns, argv, b->p, out, sizeof out);
    if (r != 0)
        sg17_log(ctx, "linux backend: %s -batch in %s failed: %.300s", tool, ns ? ns : "/", out);
    b->len = 0;
    b->p[0] = 0;
    return r;
}

/* ---- building ---- */

static int build(naas_t *n, sg17_ctx_t *ctx, naas_lx_t *lx)
{
    const char *P = lx->pfx;
    unsigned H = n->n_hosts, E = n->n_endpoints, T = n->n_tenants;
    char ns[32], ip[16], mac[18];
    buf_t b = {malloc(BATCH_INIT), 0, BATCH_INIT};
    if (b.p)
        b.p[0] = 0;
    add(&b, "netns add %su\n", P);
    for (unsigned h = 0; h < H; h++)
        add(&b, "netns add %sh%u\n", P, h);
    for (unsigned i = 0; i < E; i++)
        add(&b, "netns add %se%u\n", P, i);
    if (batch(ctx, NULL, "ip", &b) != 0)
        goto fail;
    static const char *const paths[] = {
        "/proc/sys/net/ipv6/conf/all/disable_ipv6", "/proc/sys/net/ipv6/conf/default/disable_ipv6",
        "/proc/sys/net/ipv4/conf/all/rp_filter", "/proc/sys/net/ipv4/conf/default/rp_filter", NULL};
    static const char *const values[] = {"1", "1", "0", "0"};
    size_t n_ns = 1 + H + E;
    char(*names)[32] = calloc(n_ns, sizeof *names);
    const char **nsv = calloc(n_ns, sizeof *nsv);
    for (size_t k = 0; names && nsv && k < n_ns; k++) {
        if (k == 0)
            snprintf(names[k], sizeof names[k], "%su", P);
        else if (k <= H)
            snprintf(names[k], sizeof names[k], "%sh%zu", P, k - 1);
        else
            snprintf(names[k], sizeof names[k], "%se%zu", P, k - 1 - H);
        nsv[k] = names[k];
    }
    int sys = names && nsv ? lx_sysctls(nsv, n_ns, paths, values) : -1;
    free(names), free(nsv);
    if (sys != 0) {
        sg17_log(ctx, "linux backend: the namespaces' sysctls failed");
        goto fail;
    }
    /* the underlay: one bridge, a veth to each host, the rogue host's veth */
    add(&b, "link add %su type bridge\nlink set %su up\n", P, P);
    for (unsigned h = 0; h < H; h++) {
        uint8_t m[6];
        naas_host_mac(h, m);
        mac_str(m, mac);
        add(&b, "link add %su%u type veth peer name %sl address %s netns %sh%u\n", P, h, P, mac, P,
            h);
        add(&b, "link set %su%u master %su up\n", P, h, P);
    }
    add(&b, "link add %sr address 02:66:66:66:66:66 type veth peer name %ss\n", P, P);
    add(&b, "link set %ss master %su up\nlink set %sr up\n", P, P, P);
    snprintf(ns, sizeof ns, "%su", P);
    if (batch(ctx, ns, "ip", &b) != 0)
        goto fail;
    for (unsigned h = 0; h < H; h++) {
        snprintf(ns, sizeof ns, "%sh%u", P, h);
        naasp_ip_str(naas_host_ip(h), ip);
        add(&b, "link set lo up\naddr add %s/24 dev %sl\nlink set %sl up\n", ip, P, P);
        for (unsigned k = 0; k < lx->nb; k++) {
            uint8_t m[6];
            naas_gw_mac(k, m);
            mac_str(m, mac);
            add(&b, "link add %sb%u address %s type bridge\n", P, k, mac);
            for (unsigned t = 0; t < T; t++)
                if (bridge_of(n, t) == k) {
                    naasp_ip_str(naas_gw_ip(t), ip);
                    add(&b, "addr add %s/24 dev %sb%u\n", ip, P, k);
                }
            add(&b, "link set %sb%u up\n", P, k);
            naasp_ip_str(naas_host_ip(h), ip);
            add(&b, "link add %sv%u type vxlan id %u dstport 4789 local %s nolearning dev %sl\n", P,
                k, n->ctl.nets[k].vni, ip, P);
            add(&b, "link set %sv%u master %sb%u up\n", P, k, P, k);
            add(&b, "link set %sv%u type bridge_slave learning off flood off\n", P, k);
        }
        for (unsigned i = h; i < E; i += H) {
            mac_str(n->endpoints[i].mac, mac);
            add(&b, "link add %sp%u type veth peer name %se address %s netns %se%u\n", P, i, P, mac,
                P, i);
            add(&b, "link set %sp%u master %sb%u up\n", P, i, P,
                bridge_of(n, n->endpoints[i].tenant));
            /* hairpin: a frame to the port's own MAC goes back out of it, through its rules */
            add(&b, "link set %sp%u type bridge_slave learning off flood off hairpin on\n", P, i);
        }
        if (batch(ctx, ns, "ip", &b) != 0)
            goto fail;
        /* static forwarding: local ports by MAC, remote endpoints through the tunnel */
        for (unsigned k = 0; k < lx->nb; k++)
            for (unsigned r = 0; r < H; r++)
                if (r != h) {
                    naasp_ip_str(naas_host_ip(r), ip);
                    add(&b, "fdb append 00:00:00:00:00:00 dev %sv%u dst %s self permanent\n", P, k,
                        ip);
                }
        for (unsigned i = 0; i < E; i++) {
            const naas_endpoint_t *ep = &n->endpoints[i];
            mac_str(ep->mac, mac);
            unsigned k = bridge_of(n, ep->tenant);
            if (ep->host == h) {
                add(&b, "fdb add %s dev %sp%u master static\n", mac, P, i);
            } else {
                naasp_ip_str(naas_host_ip(ep->host), ip);
                add(&b, "fdb add %s dev %sv%u master static\n", mac, P, k);
                add(&b, "fdb add %s dev %sv%u dst %s self permanent\n", mac, P, k, ip);
            }
        }
        if (b.len && batch(ctx, ns, "bridge", &b) != 0)
            goto fail;
    }
    free(b.p);
    return 0;
fail:
    free(b.p);
    return -1;
}

static int open_sockets(naas_t *n, sg17_ctx_t *ctx, naas_lx_t *lx)
{
    size_t E = n->n_endpoints, G = (size_t)n->n_hosts * lx->nb, H = n->n_hosts;
    size_t total = E + G + H + 1;
    lx_sock_req_t *req = calloc(total, sizeof *req);
    int *fds = calloc(total, sizeof *fds);
    if (!req || !fds) {
        free(req), free(fds);
        sg17_log(ctx, "linux backend: out of memory");
        return -1;
    }
    for (size_t i = 0; i < E; i++) { /* each endpoint's vNIC, brought up */
        snprintf(req[i].ns, sizeof req[i].ns, "%se%zu", lx->pfx, i);
        snprintf(req[i].ifname, sizeof req[i].ifname, "%se", lx->pfx);
        req[i].up = true;
    }
    for (size_t g = 0; g < G; g++) { /* each host's bridges: the gateway's side */
        snprintf(req[E + g].ns, sizeof req[E + g].ns, "%sh%zu", lx->pfx, g / lx->nb);
        snprintf(req[E + g].ifname, sizeof req[E + g].ifname, "%sb%zu", lx->pfx, g % lx->nb);
    }
    for (size_t h = 0; h < H; h++) /* each host's netlink socket (the drop counters) */
        snprintf(req[E + G + h].ns, sizeof req[E + G + h].ns, "%sh%zu", lx->pfx, h);
    snprintf(req[total - 1].ns, sizeof req[total - 1].ns, "%su", lx->pfx);
    snprintf(req[total - 1].ifname, sizeof req[total - 1].ifname, "%sr", lx->pfx);
    req[total - 1].up = true;
    int r = lx_sockets(req, total, fds);
    for (size_t i = 0; i < E; i++) {
        lx->ep_fd[i] = fds[i];
        lx->pf[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
    }
    for (size_t g = 0; g < G; g++) {
        lx->gw_fd[g] = fds[E + g];
        lx->pf[E + g] = (struct pollfd){.fd = fds[E + g], .events = POLLIN};
    }
    for (size_t h = 0; h < H; h++)
        lx->nl_fd[h] = fds[E + G + h];
    lx->rogue_fd = fds[total - 1];
    for (size_t i = 0; r != 0 && i < total; i++)
        if (fds[i] < 0) {
            sg17_log(ctx, "linux backend: no %s socket%s%s in %s",
                     req[i].ifname[0] ? "packet" : "netlink", req[i].ifname[0] ? " on " : "",
                     req[i].ifname, req[i].ns);
            break;
        }
    free(req), free(fds);
    return r;
}

static void lx_free(naas_t *n, naas_lx_t *lx)
{
    for (unsigned i = 0; lx->ep_fd && i < n->n_endpoints; i++)
        if (lx->ep_fd[i] >= 0)
            close(lx->ep_fd[i]);
    for (unsigned k = 0; lx->gw_fd && k < n->n_hosts * lx->nb; k++)
        if (lx->gw_fd[k] >= 0)
            close(lx->gw_fd[k]);
    for (unsigned h = 0; lx->nl_fd && h < n->n_hosts; h++)
        if (lx->nl_fd[h] >= 0)
            close(lx->nl_fd[h]);
    if (lx->rogue_fd >= 0)
        close(lx->rogue_fd);
    naas_lx_sweep(lx->pfx + 1);
    lx_owner_drop(lx->pfx + 1);
    if (lx->guard_fd >= 0)
        close(lx->guard_fd); /* the guardian wakes, finds nothing left, exits */
    if (lx->guard_pid > 0)
        while (waitpid(lx->guard_pid, NULL, 0) < 0 && errno == EINTR) {
        }
    free(lx->ep_fd), free(lx->gw_fd), free(lx->nl_fd), free(lx->net_of), free(lx->pf);
    free(lx->ring);
    free(lx);
}

int naas_lx_open(naas_t *n, sg17_ctx_t *ctx)
{
    char why[160];
    if (naas_lx_available(why, sizeof why) != 0) {
        sg17_log(ctx, "%s", why);
        return -1;
    }
    if (!SG17_API_HAS(ctx, run_id)) {
        sg17_log(ctx, "the linux backend needs a core with sg17_run_id (SDK minor 2)");
        return -1;
    }
    bool chain = n->cfg.chain_endpoint >= 0 || n->vrouter != SG17_NO_ENTITY;
    if (chain || n->cfg.overlay_auth) {
        sg17_log(ctx, "linux backend: %s is modelled by the sim backend only (%s)",
                 chain ? "the service chain (chain_endpoint, vrouter)"
                       : "the authenticated overlay (overlay_auth)",
                 chain ? "no NSH forwarder in the kernel bridge"
                       : "this kernel has no rfc4106(gcm(aes)) AEAD for xfrm ESP");
        return -1;
    }
    naas_lx_t *lx = calloc(1, sizeof *lx);
    if (!lx)
        return -1;
    snprintf(lx->pfx, sizeof lx->pfx, "n%.8s", sg17_run_id(ctx));
    lx->guard_fd = lx->rogue_fd = -1;
    lx->nb = n->cfg.tenant_isolation ? n->n_tenants : 1;
    size_t nfd = n->n_endpoints + (size_t)n->n_hosts * lx->nb;
    lx->ep_fd = malloc(n->n_endpoints * sizeof *lx->ep_fd);
    lx->gw_fd = malloc((size_t)n->n_hosts * lx->nb * sizeof *lx->gw_fd);
    lx->nl_fd = malloc(n->n_hosts * sizeof *lx->nl_fd);
    lx->net_of = malloc((size_t)n->n_hosts * n->n_endpoints * sizeof *lx->net_of);
    lx->pf = calloc(nfd, sizeof *lx->pf);
    lx->ring = calloc(RING, sizeof *lx->ring);
    for (unsigned i = 0; lx->ep_fd && i < n->n_endpoints; i++)
        lx->ep_fd[i] = -1;
    for (size_t k = 0; lx->gw_fd && k < (size_t)n->n_hosts * lx->nb; k++)
        lx->gw_fd[k] = -1;
    for (unsigned h = 0; lx->nl_fd && h < n->n_hosts; h++)
        lx->nl_fd[h] = -1;
    for (unsigned h = 0; lx->net_of && h < n->n_hosts; h++)
        for (unsigned i = 0; i < n->n_endpoints; i++)
            lx->net_of[(size_t)h * n->n_endpoints + i] = bridge_of(n, n->endpoints[i].tenant);
    n->lx = lx;
    if (!lx->ep_fd || !lx->gw_fd || !lx->nl_fd || !lx->net_of || !lx->pf || !lx->ring) {
        sg17_log(ctx, "linux backend: out of memory");
        naas_lx_close(n);
        return -1;
    }
    int orphans = lx_sweep_orphans();
    if (orphans > 0)
        sg17_log(ctx, "linux backend: removed %d namespaces of runs whose process is dead",
                 orphans);
    lx->guard_pid = lx_guardian(lx->pfx + 1, &lx->guard_fd);
    lx_owner_record(lx->pfx + 1);
    if (lx->guard_pid < 0 || build(n, ctx, lx) != 0 || open_sockets(n, ctx, lx) != 0) {
        if (lx->guard_pid < 0)
            sg17_log(ctx, "linux backend: cannot start the guardian process");
        naas_lx_close(n);
        return -1;
    }
    for (unsigned h = 0; h < n->n_hosts; h++)
        if (naas_lx_program(n, ctx, h) != 0) {
            naas_lx_close(n);
            return -1;
        }
    return 0;
}

void naas_lx_close(naas_t *n)
{
    if (n->lx)
        lx_free(n, n->lx);
    n->lx = NULL;
}

/* ---- programming: nftables ---- */

static void port_rules(const naas_t *n, buf_t *b, const char *P, unsigned i)
{
    const naasp_portrec_t *r = &n->vswitches[n->endpoints[i].host].ports[i].rec;
    const naas_config_t *c = &n->cfg;
    char mac[18], ip[16], aap[24] = "";
    mac_str(r->mac, mac);
    naasp_ip_str(r->ip, ip);
    if (r->has_aap) {
        char a[16];
        naasp_ip_str(r->aap_ip, a);
        snprintf(aap, sizeof aap, "%s/%u", a, r->aap_plen);
    }
    bool any_src = r->has_aap && r->aap_plen == 0; /* a 0.0.0.0/0 pair admits every source */
    if (c->source_guard)
        add(b,
            "add rule bridge naas pre iifname \"%sp%u\" ether saddr != %s counter name "
            "\"spoof_mac\" drop\n",
            P, i, mac);
    if (c->arp_guard) {
        add(b,
            "add rule bridge naas pre iifname \"%sp%u\" ether type arp arp saddr ether != %s "
            "counter name \"arp_spoof\" drop\n",
            P, i, mac);
        if (!any_src)
            add(b,
                "add rule bridge naas pre iifname \"%sp%u\" ether type arp arp saddr ip != %s%s%s "
                "counter name \"arp_spoof\" drop\n",
                P, i, ip, aap[0] ? " arp saddr ip != " : "", aap);
    }
    if (c->source_guard && !any_src)
        add(b,
            "add rule bridge naas pre iifname \"%sp%u\" ether type ip ip saddr != %s%s%s counter "
            "name \"spoof_ip\" drop\n",
            P, i, ip, aap[0] ? " ip saddr != " : "", aap);
    if (!c->security_groups)
        return;
    for (unsigned k = 0; k < r->n_rules; k++) {
        char src[40] = "";
        if (r->rules[k].plen) {
            char a[16];
            naasp_ip_str(r->rules[k].ip, a);
            snprintf(src, sizeof src, " ip saddr %s/%u", a, r->rules[k].plen);
        }
        add(b,
            "add rule bridge naas toport oifname \"%sp%u\" ether type ip udp dport %u%s accept\n",
            P, i, r->rules[k].port, src);
    }
    add(b,
        "add rule bridge naas toport oifname \"%sp%u\" ether type ip counter name "
        "\"security_group\" drop\n",
        P, i);
}

/* A port attached to another network (a shared one): host h moves it to that network's bridge
 * when it is local, or its MAC to that network's tunnel when it is remote. */
static int move_ports(naas_t *n, sg17_ctx_t *ctx, unsigned h)
{
    naas_lx_t *lx = n->lx;
    const char *P = lx->pfx;
    buf_t ipb = {malloc(1024), 0, 1024}, brb = {malloc(1024), 0, 1024};
    if (ipb.p)
        ipb.p[0] = 0;
    if (brb.p)
        brb.p[0] = 0;
    for (unsigned i = 0; n->cfg.tenant_isolation && i < n->n_endpoints; i++) {
        const naas_port_t *p = &n->vswitches[h].ports[i];
        int k = p->valid ? naas_tenant_of_net(n, p->rec.vni) : -1;
        unsigned *cur = &lx->net_of[(size_t)h * n->n_endpoints + i];
        if (k < 0 || (unsigned)k == *cur)
            continue;
        char mac[18], ip[16];
        mac_str(n->endpoints[i].mac, mac);
        if (n->endpoints[i].host == h) {
            add(&ipb, "link set %sp%u master %sb%d\n", P, i, P, k);
            add(&ipb, "link set %sp%u type bridge_slave learning off flood off hairpin on\n", P, i);
            add(&brb, "fdb add %s dev %sp%u master static\n", mac, P, i);
        } else {
            naasp_ip_str(naas_host_ip(n->endpoints[i].host), ip);
            add(&brb, "fdb del %s dev %sv%u master\nfdb del %s dev %sv%u self\n", mac, P, *cur, mac,
                P, *cur);
            add(&brb, "fdb add %s dev %sv%d master static\n", mac, P, k);
            add(&brb, "fdb add %s dev %sv%d dst %s self permanent\n", mac, P, k, ip);
        }
        *cur = (unsigned)k;
    }
    char ns[32];
    snprintf(ns, sizeof ns, "%sh%u", P, h);
    int r = 0;
    if (ipb.p && ipb.len)
        r = batch(ctx, ns, "ip", &ipb);
    if (r == 0 && brb.p && brb.len)
        r = batch(ctx, ns, "bridge", &brb);
    if (!ipb.p || !brb.p)
        r = -1;
    free(ipb.p), free(brb.p);
    return r;
}

int naas_lx_program(naas_t *n, sg17_ctx_t *ctx, unsigned h)
{
    naas_lx_t *lx = n->lx;
    const char *P = lx->pfx;
    if (move_ports(n, ctx, h) != 0)
        return -1;
    buf_t b = {malloc(BATCH_INIT), 0, BATCH_INIT};
    if (b.p)
        b.p[0] = 0;
    add(&b, "add table bridge naas\n");
    for (size_t k = 0; k + 1 < N_REASONS; k++)
        add(&b, "add counter bridge naas %s\n", REASONS[k]);
    /* isolation: the MACs of every port, and of each network's own ports */
    add(&b, "add set bridge naas ports { type ether_addr; }\nflush set bridge naas ports\n");
    for (unsigned k = 0; k < n->n_tenants; k++)
        add(&b, "add set bridge naas net%u { type ether_addr; }\nflush set bridge naas net%u\n", k,
            k);
    for (unsigned i = 0; i < n->n_endpoints; i++) {
        const naas_port_t *p = &n->vswitches[h].ports[i];
        int k = p->valid ? naas_tenant_of_net(n, p->rec.vni) : -1;
        char mac[18];
        mac_str(p->rec.mac, mac);
        if (k >= 0)
            add(&b, "add element bridge naas ports { %s }\nadd element bridge naas net%d { %s }\n",
                mac, k, mac);
    }
    add(&b, "add chain bridge naas pre { type filter hook prerouting priority 0; policy accept; }\n"
            "add chain bridge naas toport { type filter hook forward priority 0; policy accept; }\n"
            "flush chain bridge naas pre\nflush chain bridge naas toport\n");
    add(&b, "add table ip naasul\nadd counter ip naasul vtep_not_allowed\n"
            "add chain ip naasul vxin { type filter hook input priority 0; policy accept; }\n"
            "flush chain ip naasul vxin\n");
    for (unsigned i = h; i < n->n_endpoints; i += n->n_hosts)
        if (n->vswitches[h].ports[i].valid)
            port_rules(n, &b, P, i);
    for (unsigned i = h; i < n->n_endpoints; i += n->n_hosts) {
        const naas_port_t *p = &n->vswitches[h].ports[i];
        int k = p->valid ? naas_tenant_of_net(n, p->rec.vni) : -1;
        if (k >= 0 && n->cfg.tenant_isolation) /* besides the separate bridges: counted */
            add(&b,
                "add rule bridge naas pre iifname \"%sp%u\" ether daddr @ports ether daddr != "
                "@net%d counter name \"isolation\" drop\n",
                P, i, k);
    }
    if (n->cfg.vtep_allowlist) {
        add(&b, "add rule ip naasul vxin udp dport 4789");
        const char *sep = " ip saddr != { ";
        for (unsigned r = 0; r < n->n_hosts; r++)
            if (r != h) {
                char ip[16];
                naasp_ip_str(naas_host_ip(r), ip);
                add(&b, "%s%s", sep, ip);
                sep = ", ";
            }
        add(&b, "%s counter name \"vtep_not_allowed\" drop\n", n->n_hosts > 1 ? " }" : "");
    }
    char ns[32], out[OUT_MAX];
    snprintf(ns, sizeof ns, "%sh%u", P, h);
    char *argv[] = {"nft", "-f", "-", NULL};
    int r = b.p ? lx_run(ns, argv, b.p, out, sizeof out) : -1;
    if (r != 0)
        sg17_log(ctx, "linux backend: nft in %s failed: %.300s", ns, b.p ? out : "out of memory");
    free(b.p);
    return r;
}

/* The drop counters of every host, summed by reason; -1 when a host cannot be read. */
static int read_drops(naas_lx_t *lx, unsigned H, uint64_t out[N_REASONS])
{
    memset(out, 0, N_REASONS * sizeof *out);
    static uint8_t buf[16384];
    for (unsigned h = 0; h < H; h++) {
        size_t len = naas_lx_nl_request(buf, sizeof buf, ++lx->nl_seq);
        if (send(lx->nl_fd[h], buf, len, 0) != (ssize_t)len)
            return -1;
        naas_lx_counter_t c[16];
        size_t nc = 0;
        bool done = false;
        while (!done) {
            ssize_t r = recv(lx->nl_fd[h], buf, sizeof buf, 0);
            if (r <= 0 || naas_lx_nl_counters(buf, (size_t)r, c, 16, &nc, &done) < 0)
                return -1;
        }
        for (size_t k = 0; k < nc; k++)
            for (size_t q = 0; q < N_REASONS; q++)
                if (strcmp(c[k].name, REASONS[q]) == 0)
                    out[q] += c[k].packets;
    }
    return 0;
}

/* The first drop counter that moved between two readings: the reason, or NULL. */
static const char *moved(const uint64_t a[N_REASONS], const uint64_t b[N_REASONS])
{
    for (size_t q = 0; q < N_REASONS; q++)
        if (b[q] > a[q])
            return REASONS[q];
    return NULL;
}

/* ---- frames ---- */

static sent_t *remember(naas_lx_t *lx, const uint8_t *f, size_t len, sg17_entity_t from)
{
    sent_t *s = &lx->ring[lx->ring_pos++ % RING];
    len = len < sizeof s->f ? len : sizeof s->f;
    memcpy(s->f, f, len);
    s->len = len, s->from = from, s->hits = 0;
    return s;
}

/* True when the sent frame's octets past len are the Ethernet padding (zeros). */
static bool padding_only(const sent_t *s, size_t len)
{
    for (size_t k = len; k < s->len; k++)
        if (s->f[k])
            return false;
    return true;
}

/* The frame handed to the kernel that these octets are, newest first (bridges and tunnels do not
 * change a frame; the bridge's IP parsing may trim the padding of a short one); NULL for a frame
 * the kernel made itself. */
static sent_t *sender_of(naas_lx_t *lx, const uint8_t *f, size_t len)
{
    for (unsigned k = 1; k <= RING && k <= lx->ring_pos; k++) {
        sent_t *s = &lx->ring[(lx->ring_pos - k) % RING];
        if (len >= NAASP_ETH_HDR && len <= s->len && memcmp(s->f, f, len) == 0
            && padding_only(s, len))
            return s;
    }
    return NULL;
}

static void on_endpoint_frame(naas_t *n, sg17_ctx_t *ctx, unsigned i, const uint8_t *f, size_t len)
{
    naasp_eth_t eth;
    if (naasp_eth_parse(f, len, &eth) != 0)
        return;
    sent_t *s = sender_of(n->lx, f, len);
    sg17_entity_t from;
    if (s) {
        from = s->from;
        s->hits++;
    } else if (eth.ethertype == NAASP_ETHERTYPE_ARP && eth.body_len >= 8 && eth.body[7] == 2
               && eth.src[0] == 0x02 && eth.src[1] == 0x4e && eth.src[2] == 0x47) {
        from = n->vswitches[n->endpoints[i].host].e; /* the gateway's ARP reply (the host's) */
    } else {
        return; /* the host kernel's own chatter (its ARP requests, ICMP): no endpoint's frame */
    }
    sg17_send(ctx, from, n->endpoints[i].e, "naas.delivery", f, len);
}

static void on_gateway_frame(naas_t *n, sg17_ctx_t *ctx, unsigned k, const uint8_t *f, size_t len)
{
    uint8_t gw[6];
    naas_gw_mac(k, gw);
    naasp_eth_t eth;
    if (naasp_eth_parse(f, len, &eth) == 0 && eth.ethertype == NAASP_ETHERTYPE_IP
        && memcmp(eth.dst, gw, 6) == 0 && sender_of(n->lx, f, len))
        sg17_metric_add(ctx, "vrouter.forwarded", 1);
}

/* Reads what the packet sockets got until none gets more within a millisecond. */
static void collect(naas_t *n, sg17_ctx_t *ctx)
{
    naas_lx_t *lx = n->lx;
    size_t nfd = n->n_endpoints + (size_t)n->n_hosts * lx->nb;
    static uint8_t f[NAASP_MAX_FRAME + 64];
    for (int rounds = 0; rounds < 1000; rounds++) {
        int r = poll(lx->pf, nfd, 1);
        if (r <= 0)
            return;
        for (size_t k = 0; k < nfd; k++) {
            if (!(lx->pf[k].revents & POLLIN))
                continue;
            for (;;) {
                struct sockaddr_ll from = {0};
                socklen_t fl = sizeof from;
                ssize_t len = recvfrom(lx->pf[k].fd, f, sizeof f, MSG_DONTWAIT,
                                       (struct sockaddr *)&from, &fl);
                if (len < 0)
                    break;
                if (from.sll_pkttype == PACKET_OUTGOING || (size_t)len > NAASP_MAX_FRAME)
                    continue;
                if (k < n->n_endpoints)
                    on_endpoint_frame(n, ctx, (unsigned)k, f, (size_t)len);
                else
                    on_gateway_frame(n, ctx, (unsigned)((k - n->n_endpoints) % lx->nb), f,
                                     (size_t)len);
            }
        }
    }
}

void naas_lx_frame(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m, unsigned ep)
{
    naas_lx_t *lx = n->lx;
    uint64_t before[N_REASONS], after[N_REASONS];
    int ok = read_drops(lx, n->n_hosts, before);
    remember(lx, m->payload, m->len, m->claimed_src);
    if (send(lx->ep_fd[ep], m->payload, m->len, 0) < 0)
        sg17_metric_add(ctx, "linux.send_errors", 1);
    collect(n, ctx);
    const char *why =
        ok == 0 && read_drops(lx, n->n_hosts, after) == 0 ? moved(before, after) : NULL;
    sg17_report(ctx, m, why == NULL, why); /* the reason is the kernel's counter that moved */
}

void naas_lx_underlay(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    naas_lx_t *lx = n->lx;
    naasp_tunnel_t t;
    if (naasp_tunnel_parse(m->payload, m->len, &t) != 0 || t.esp) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    uint64_t before[N_REASONS], after[N_REASONS];
    int ok = read_drops(lx, n->n_hosts, before);
    sent_t *s = remember(lx, t.inner, t.inner_len, m->claimed_src);
    if (send(lx->rogue_fd, m->payload, m->len, 0) < 0)
        sg17_metric_add(ctx, "linux.send_errors", 1);
    collect(n, ctx);
    if (s->hits) {
        sg17_accept(ctx, m); /* the host's VTEP decapsulated it: an endpoint got the frame */
        return;
    }
    const char *why =
        ok == 0 && read_drops(lx, n->n_hosts, after) == 0 ? moved(before, after) : NULL;
    sg17_reject(ctx, m, why ? why : "no_destination");
    if (why && strcmp(why, "vtep_not_allowed") == 0)
        sg17_metric_add(ctx, "vtep.alarms", 1);
}

void naas_lx_finish(naas_t *n, sg17_ctx_t *ctx)
{
    uint64_t drops[N_REASONS];
    if (read_drops(n->lx, n->n_hosts, drops) != 0)
        return;
    for (size_t q = 0; q < N_REASONS; q++) {
        char metric[64];
        snprintf(metric, sizeof metric, "linux.drops.%s", REASONS[q]);
        sg17_metric_set(ctx, metric, (double)drops[q]);
    }
}
