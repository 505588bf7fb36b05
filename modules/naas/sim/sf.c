/* sf.c — the vFW service function of the chain (a NaaS application): checks the NSH it is handed
 * (RFC 9145-style MAC when chain integrity is on), drops what its policy denies, decrements the
 * service index (RFC 8300 §2.3) and returns the frame to a forwarder: on a routed path (the
 * vRouter next) the one that steered it here, named by the NSH frame's source MAC; otherwise the
 * one of the destination's host. */
#include <string.h>

#include "sim/naas_sim.h"

void naas_sf_on_message(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    naasp_eth_t e, ie;
    naasp_nsh_t s;
    naasp_udp_t u;
    if (strcmp(m->type, "naas.nsh") != 0 || naasp_eth_parse(m->payload, m->len, &e) != 0
        || naasp_nsh_parse(&e, &s) != 0 || naasp_eth_parse(s.inner, s.inner_len, &ie) != 0
        || naasp_udp_parse(&ie, &u) != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (n->cfg.chain_integrity && !naasp_nsh_verify(&s, n->nsh_key)) {
        sg17_reject(ctx, m, "chain_integrity");
        return;
    }
    bool routed = naas_routed_tenant(n, s.spi) >= 0;
    int d = naas_ep_of_mac(n, ie.dst);
    int back = routed ? naas_host_of_mac(n, e.src) : d < 0 ? -1 : (int)n->endpoints[d].host;
    if (s.si != 255 || back < 0) {
        sg17_reject(ctx, m, "chain_index");
        return;
    }
    if (u.dport == n->cfg.fw_block_port) {
        sg17_reject(ctx, m, "firewall");
        sg17_metric_add(ctx, "sf.blocked", 1);
        return;
    }
    uint8_t buf[NAASP_MAX_FRAME + 64];
    size_t k = naasp_nsh_build(buf, sizeof buf, e.src, e.dst, s.spi, 254,
                               n->cfg.chain_integrity ? n->nsh_key : NULL, s.inner, s.inner_len);
    if (!k) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    sg17_accept(ctx, m);
    sg17_metric_add(ctx, "sf.passed", 1);
    sg17_send(ctx, m->claimed_src, n->vswitches[back].e, "naas.nsh", buf, k);
}
