/* netsvc.c — the network service at the edge: security groups (one per tenant) decide whether a
 * connection from outside reaches a VM's port, and every connection attempt is written to the
 * tenant's flow log (when it has one). With sg_guardrail on, a sweep every guardrail_interval
 * also reverts any rule that opens an admin port (22, 3389) to the world (auto-revert); the API
 * refuses to create one in the first place (api.c). */
#include <string.h>

#include <sg17tb/wire.h>

#include "sim/iaas_sim.h"

static bool admin_port(uint16_t p)
{
    return p == 22 || p == 3389;
}

bool iaas_sg_world_open_admin(const iaas_tenant_t *t)
{
    for (unsigned i = 0; i < t->n_sg; i++)
        if (t->sg[i].prefix == 0 && admin_port(t->sg[i].port))
            return true;
    return false;
}

/* iaas.probe from outside: corr[16] | vm u32 | port u16. Outside hosts are the world: only a rule
 * with prefix 0 lets them in. */
void iaas_netsvc_on_message(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    sg17_reader_t r = sg17_reader(m->payload, m->len);
    const uint8_t *corr = sg17_get_bytes(&r, IAAS_CORR_BYTES);
    uint32_t v = sg17_get_u32(&r);
    uint16_t port = sg17_get_u16(&r);
    if (strcmp(m->type, "iaas.probe") != 0 || !sg17_reader_done(&r) || v >= s->n_vms) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    const iaas_tenant_t *t = &s->tenants[s->vms[v].tenant];
    bool open = false;
    for (unsigned i = 0; i < t->n_sg; i++)
        open |= t->sg[i].port == port && t->sg[i].prefix == 0;
    iaas_trail_append(s, ctx, s->netsvc, AUDIT_KIND_FLOW, (uint8_t)(port & 0xff),
                      open ? AUDIT_ALLOWED : AUDIT_DENIED, s->vms[v].tenant, 0xffffffffu,
                      m->claimed_src, corr);
    if (!open) {
        sg17_reject(ctx, m, "sg_blocked");
        return;
    }
    uint8_t fwd[IAAS_CORR_BYTES + 6];
    memcpy(fwd, corr, IAAS_CORR_BYTES);
    sg17_store_be32(fwd + IAAS_CORR_BYTES, m->claimed_src);
    sg17_store_be16(fwd + IAAS_CORR_BYTES + 4, port);
    sg17_send(ctx, s->netsvc, s->vms[v].e, "iaas.probe", fwd, sizeof fwd);
    sg17_accept(ctx, m);
}

void iaas_netsvc_on_timer(iaas_t *s, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    (void)tag;
    if (s->cfg.sg_guardrail)
        for (unsigned t = 0; t < s->n_tenants; t++) {
            iaas_tenant_t *tn = &s->tenants[t];
            for (unsigned i = 0; i < tn->n_sg; i++)
                if (tn->sg[i].prefix == 0 && admin_port(tn->sg[i].port)) {
                    tn->sg[i--] = tn->sg[--tn->n_sg];
                    sg17_metric_add(ctx, "netsvc.reverted", 1);
                }
        }
    sg17_timer(ctx, e, s->cfg.guardrail_interval, TAG_GUARDRAIL);
}
