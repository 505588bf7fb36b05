/* user.c — the tenants' users: each calls the API with its own access key every api_interval
 * (DescribeInstances), the benign traffic whose service the scenarios check. The victim tenant's
 * users count what they asked and what they were answered with success (victim.api_sent,
 * victim.api_ok): the client's own measure of the service it got, whatever the API claims. */
#include <string.h>

#include "sim/iaas_sim.h"

void iaas_user_on_timer(iaas_t *s, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    (void)tag;
    unsigned u = sg17_entity_index(ctx, e);
    uint32_t id = IAAS_KEY_BASE + iaas_user_principal(s, u);
    const iaas_key_t *k = iaas_key(s, id);
    if (k && iaas_api_send(s, ctx, e, id, k->secret, API_OP_DESCRIBE_INSTANCES, 0, 0, NULL) == 0
        && s->principals[iaas_user_principal(s, u)].tenant == IAAS_VICTIM)
        sg17_metric_add(ctx, "victim.api_sent", 1);
    sg17_timer(ctx, e, s->cfg.api_interval, 0);
}

void iaas_user_on_message(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    api_response_t rs;
    if (strcmp(m->type, "iaas.api_response") != 0
        || api_response_decode(m->payload, m->len, &rs) != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    sg17_accept(ctx, m);
    const iaas_principal_t *p =
        &s->principals[iaas_user_principal(s, sg17_entity_index(ctx, m->dst))];
    if (p->tenant == IAAS_VICTIM && rs.status == API_OK)
        sg17_metric_add(ctx, "victim.api_ok", 1);
    iaas_oracle_read(s, ctx, p->tenant, p->role, rs.data, rs.len);
}
