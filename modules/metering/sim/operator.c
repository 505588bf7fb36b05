/* sim/operator.c — the utility's operator accounts behind the head-end. Operator 0 runs the
 * load-control workload: demand-response load limits on a few meters, and a non-payment
 * disconnect followed by a reconnect an hour later, each a request signed by the account
 * (general-signing, suite 1) that the HES verifies and relays. Operators receive nothing. */
#include <string.h>

#include "sim/metering_sim.h"

int msim_op_request(msim_t *s, sg17_ctx_t *ctx, EVP_PKEY *key, unsigned op, unsigned i,
                    const uint8_t *apdu, size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
    uint8_t tx[4], orig[DLMS_SYSTITLE_LEN] = {'O', 'P', 'R', 0}, dt[DLMS_DATETIME_LEN];
    sg17_store_be32(tx, ++s->op_tx);
    sg17_store_be32(orig + 4, op);
    dlms_datetime_t d;
    dlms_datetime_from_unix(MSIM_EPOCH + (int64_t)(sg17_now(ctx) / SG17_SEC), &d);
    dlms_datetime_pack(&d, dt);
    dlms_general_signing_t g = {.transaction_id = tx,
                                .transaction_id_len = 4,
                                .originator = orig,
                                .originator_len = 8,
                                .recipient = s->meters[i].systitle,
                                .recipient_len = 8,
                                .date_time = dt,
                                .date_time_len = sizeof dt,
                                .content = apdu,
                                .content_len = len};
    return dlms_general_signing_sign(key, &g, out, cap, outlen);
}

void msim_op_start(msim_t *s, sg17_ctx_t *ctx)
{
    if (s->n_ops && s->cfg.dr_interval)
        sg17_timer(ctx, sg17_entity(ctx, "operator", 0), s->cfg.dr_interval,
                   MSIM_TAG(MSIM_TAG_DR, 0));
    if (s->n_ops && s->cfg.disconnect_interval)
        sg17_timer(ctx, sg17_entity(ctx, "operator", 0), s->cfg.disconnect_interval,
                   MSIM_TAG(MSIM_TAG_DISCONNECT, 0));
}

/* Operator 0 runs the utility's load-control workload: demand-response load limits on a few
 * meters, and a non-payment disconnect followed by a reconnect an hour later. */
void msim_op_on_timer(msim_t *s, sg17_ctx_t *ctx, unsigned op, uint64_t tag)
{
    sg17_entity_t self = sg17_entity(ctx, "operator", op);
    uint8_t apdu[64], req[512];
    size_t n, rn;
    unsigned j;
    if (!s->n_meters)
        return;
    switch (MSIM_TAG_KIND(tag)) {
    case MSIM_TAG_DR:
        for (unsigned b = 0; b < s->cfg.dr_batch; b++) {
            j = s->dr_next++ % s->n_meters;
            if (dlms_load_limit_request_encode(0x44, 2000 + 500 * (j % 4), apdu, sizeof apdu, &n)
                    == 0
                && msim_op_request(s, ctx, s->op_keys[op], op, j, apdu, n, req, sizeof req, &rn)
                       == 0)
                sg17_send(ctx, self, s->hes, "metering.op_request", req, rn);
        }
        sg17_timer(ctx, self, s->cfg.dr_interval, tag);
        break;
    case MSIM_TAG_DISCONNECT:
        j = (s->disc_next++ * 7 + 3) % s->n_meters;
        if (dlms_disconnect_request_encode(0x45, false, apdu, sizeof apdu, &n) == 0
            && msim_op_request(s, ctx, s->op_keys[op], op, j, apdu, n, req, sizeof req, &rn) == 0)
            sg17_send(ctx, self, s->hes, "metering.op_request", req, rn);
        sg17_timer(ctx, self, SG17_HOUR, MSIM_TAG(MSIM_TAG_RECONNECT, j));
        sg17_timer(ctx, self, s->cfg.disconnect_interval, MSIM_TAG(MSIM_TAG_DISCONNECT, 0));
        break;
    case MSIM_TAG_RECONNECT:
        j = MSIM_TAG_INDEX(tag);
        if (dlms_disconnect_request_encode(0x46, true, apdu, sizeof apdu, &n) == 0
            && msim_op_request(s, ctx, s->op_keys[op], op, j, apdu, n, req, sizeof req, &rn) == 0)
            sg17_send(ctx, self, s->hes, "metering.op_request", req, rn);
        break;
    default:
        break;
    }
}
