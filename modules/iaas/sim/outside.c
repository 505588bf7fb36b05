/* outside.c — hosts outside the cloud (the attacker's laptop, a scanner on the internet): they
 * receive answers to their requests, relayed application responses, probe replies and whatever a
 * guest sends them. Everything they receive is read by someone with no right to the victim's
 * data (sim/oracle.c), and handed to the adversary that operates them (attacks.c). */
#include <string.h>

#include "sim/iaas_sim.h"

void iaas_outside_on_message(iaas_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    static const char *const types[] = {"iaas.api_response", "iaas.app_response",
                                        "iaas.probe_reply", "iaas.guest_post"};
    bool known = false;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        known |= strcmp(m->type, types[i]) == 0;
    if (!known) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    sg17_accept(ctx, m);
    if (strcmp(m->type, "iaas.probe_reply") == 0)
        sg17_metric_add(ctx, "outside.probe_replies", 1);
    iaas_oracle_read(s, ctx, IAAS_NOBODY, -1, m->payload, m->len);
    iaas_adversary_receive(s, m);
}
