/* fuzz_sakke_sed.c — SAKKE decapsulation (RFC 6508 §6.2.2) of arbitrary SEDs: the input is
 * decapsulated as is, and also XORed into a genuine SED, which must then fail the check. */
#include <stdint.h>
#include <string.h>

#include "crypto/sakke.h"

static sakke_receiver_t *receiver;
static uint8_t genuine[SAKKE_SED_BYTES];
static const uint8_t id[] = "2011-02\0tel:+447700900123";

static int setup(void)
{
    static const uint8_t z[] = {0xAF, 0xF4, 0x29, 0xD3, 0x5F, 0x84, 0xB1, 0x10, 0xD0, 0x94,
                                0x80, 0x3B, 0x35, 0x95, 0xA6, 0xE2, 0x99, 0x8B, 0xC9, 0x9F};
    uint8_t zpub[SAKKE_POINT_BYTES], rsk[SAKKE_POINT_BYTES], ssv[SAKKE_SSV_BYTES] = {0x12, 0x34};
    if (sakke_kms_public_key(z, sizeof z, zpub) || sakke_kms_rsk(z, sizeof z, id, sizeof id, rsk)
        || sakke_encapsulate(zpub, sizeof zpub, id, sizeof id, ssv, genuine))
        return -1;
    receiver = sakke_receiver_new(zpub, sizeof zpub, id, sizeof id, rsk, sizeof rsk);
    return receiver ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t ssv[SAKKE_SSV_BYTES], sed[SAKKE_SED_BYTES];
    if (!receiver && setup() != 0)
        __builtin_trap();
    (void)sakke_receiver_decapsulate(receiver, data, size, ssv);
    memcpy(sed, genuine, sizeof sed);
    int changed = 0;
    for (size_t i = 0; i < size && i < sizeof sed; i++) {
        sed[i] ^= data[i];
        changed |= data[i];
    }
    int rc = sakke_receiver_decapsulate(receiver, sed, sizeof sed, ssv);
    if ((changed && rc == 0) || (!changed && rc != 0))
        __builtin_trap();
    return 0;
}
