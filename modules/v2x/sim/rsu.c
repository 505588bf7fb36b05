/* rsu.c — the roadside unit: it receives the AA's CRL over its back-end link, checks it like a
 * vehicle would (the AA's signature and chain), and rebroadcasts the latest one to the vehicles
 * in radio range at once and then every crl_interval (ETSI TS 102 941's CRL distribution over
 * the RSU). RSUs stand evenly along the highway ring or on the grid's diagonal. */
#include <stdlib.h>
#include <string.h>

#include "sim/v2x_sim.h"

static unsigned rsu_index(vsim_t *s, sg17_ctx_t *ctx, sg17_entity_t e)
{
    unsigned k = sg17_entity_index(ctx, e);
    return k < s->n_rsu ? k : VSIM_MAX_RSUS;
}

static void broadcast(vsim_t *s, sg17_ctx_t *ctx, unsigned k)
{
    if (!s->rsu_msg[k] || s->rsu_msg_len[k] == 0)
        return;
    sg17_time_t now = sg17_now(ctx);
    size_t n = vsim_radio_receivers(s, now, s->rsu_x[k], s->rsu_y[k], s->rsu[k],
                                    0x5253550000000000ULL ^ ((uint64_t)k << 32) ^ now, false);
    vsim_radio_send(s, ctx, s->rsu[k], n, "v2x.crl", s->rsu_msg[k], s->rsu_msg_len[k]);
}

void vsim_rsu_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    vsim_t *s = instance;
    unsigned k = rsu_index(s, ctx, m->dst);
    if (k >= s->n_rsu || strcmp(m->type, "v2x.crl") != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    const char *why = NULL;
    long id = vsim_crl_receive(s, m->payload, m->len, sg17_now(ctx), &why);
    if (id < 0) {
        sg17_reject(ctx, m, why);
        return;
    }
    sg17_accept(ctx, m);
    if (vsim_crl_serial(s, id) <= s->rsu_crl[k])
        return;
    uint8_t *copy = malloc(m->len);
    if (!copy)
        return;
    memcpy(copy, m->payload, m->len);
    free(s->rsu_msg[k]);
    s->rsu_msg[k] = copy, s->rsu_msg_len[k] = m->len;
    s->rsu_crl[k] = vsim_crl_serial(s, id);
    broadcast(s, ctx, k);
}

void vsim_rsu_on_timer(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    vsim_t *s = instance;
    unsigned k = rsu_index(s, ctx, e);
    if (k < s->n_rsu && tag == VSIM_T_DENM)
        vsim_den_rsu_timer(s, ctx, k);
    if (k >= s->n_rsu || tag != VSIM_T_CRL)
        return;
    broadcast(s, ctx, k);
    sg17_timer(ctx, e, s->cfg.crl_interval, VSIM_T_CRL);
}
