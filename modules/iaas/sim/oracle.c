/* oracle.c — the scenarios' ground truth about data: the canary the scenario planted (in the
 * victim's volumes, snapshot, golden image, user data, VM memory, and the compute hosts' key
 * file) is the victim tenant's. Whoever receives bytes that contain it and is not one of the
 * victim's admins or instances has read it, whatever any control claimed. This is a measurement
 * of what crossed the bus, never an input to an entity's decision. */
#include <string.h>

#include "sim/iaas_sim.h"

/* True when needle (n octets, n > 0) occurs in hay (len octets). */
static bool contains(const uint8_t *hay, size_t len, const uint8_t *needle, size_t n)
{
    for (size_t i = 0; i + n <= len; i++) {
        const uint8_t *p = memchr(hay + i, needle[0], len - n + 1 - i);
        if (!p)
            return false;
        i = (size_t)(p - hay);
        if (memcmp(p, needle, n) == 0)
            return true;
    }
    return false;
}

/* The canary as its octets, or as lower-case hex text (how a secret sits in user data). */
bool iaas_has_canary(const iaas_t *s, const uint8_t *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char hex[2 * sizeof s->canary] = {0};
    for (size_t i = 0; i < s->canary_len; i++) {
        hex[2 * i] = digits[s->canary[i] >> 4];
        hex[2 * i + 1] = digits[s->canary[i] & 15];
    }
    if (!data)
        return false;
    return (len >= s->canary_len && contains(data, len, s->canary, s->canary_len))
           || (len >= 2 * s->canary_len
               && contains(data, len, (const uint8_t *)hex, 2 * s->canary_len));
}

void iaas_oracle_read(iaas_t *s, sg17_ctx_t *ctx, uint16_t tenant, int role, const uint8_t *data,
                      size_t len)
{
    bool entitled =
        tenant == IAAS_VICTIM && (role == ROLE_ADMIN || role == ROLE_ROOT || role == ROLE_INSTANCE);
    if (!entitled && iaas_has_canary(s, data, len))
        sg17_metric_add(ctx, "leak.canary_reads", 1);
}
