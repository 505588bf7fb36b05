/* oracle.c — the scenarios' ground truth about data: the canary the scenario planted (in the
 * victim's volumes, snapshot, golden image, user data, VM memory, and the compute hosts' key
 * file) is the victim tenant's. Whoever receives bytes that contain it and is not one of the
 * victim's admins or instances has read it, whatever any control claimed. This is a measurement
 * of what crossed the bus, never an input to an entity's decision. */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include "sim/iaas_sim.h"

bool iaas_has_canary(const iaas_t *s, const uint8_t *data, size_t len)
{
    return data && len >= s->canary_len && memmem(data, len, s->canary, s->canary_len) != NULL;
}

void iaas_oracle_read(iaas_t *s, sg17_ctx_t *ctx, uint16_t tenant, int role, const uint8_t *data,
                      size_t len)
{
    bool entitled = tenant == IAAS_VICTIM
                    && (role == ROLE_ADMIN || role == ROLE_ROOT || role == ROLE_INSTANCE);
    if (!entitled && iaas_has_canary(s, data, len))
        sg17_metric_add(ctx, "leak.canary_reads", 1);
}
