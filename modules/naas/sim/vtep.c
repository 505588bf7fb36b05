/* vtep.c — a host's tunnel endpoint: receives overlay packets, checks the sender against the
 * VTEP allow-list and, with the authenticated overlay, opens the ESP packet, then hands the inner
 * frame to the host's endpoints in that VNI. */
#include <string.h>

#include "sim/naas_sim.h"

void naas_vtep_on_message(naas_t *n, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    unsigned h = sg17_entity_index(ctx, m->dst);
    if (n->lx && strcmp(m->type, "naas.vxlan") == 0) {
        naas_lx_underlay(n, ctx, m); /* the rogue host puts it on the real underlay */
        return;
    }
    naasp_tunnel_t t;
    if (strcmp(m->type, "naas.vxlan") != 0 || naasp_tunnel_parse(m->payload, m->len, &t) != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    bool known = false;
    for (unsigned r = 0; r < n->n_hosts && !known; r++)
        known = t.outer_src == naas_host_ip(r) && r != h;
    if (n->cfg.vtep_allowlist && (!known || t.outer_dst != naas_host_ip(h))) {
        sg17_reject(ctx, m, "vtep_not_allowed");
        sg17_metric_add(ctx, "vtep.alarms", 1);
        return;
    }
    uint8_t inner[NAASP_MAX_FRAME];
    const uint8_t *f = t.inner;
    size_t len = t.inner_len;
    if (n->cfg.overlay_auth) {
        if (!t.esp || naasp_tunnel_open(&t, n->overlay_key, inner, sizeof inner, &len) != 0) {
            sg17_reject(ctx, m, "overlay_auth");
            sg17_metric_add(ctx, "vtep.alarms", 1);
            return;
        }
        f = inner;
    } else if (t.esp) {
        sg17_reject(ctx, m, "overlay_auth"); /* no key configured for a sealed overlay */
        return;
    }
    const char *why = naas_host_deliver(n, ctx, m->claimed_src, h, t.vni, f, len);
    sg17_report(ctx, m, why == NULL, why);
}
