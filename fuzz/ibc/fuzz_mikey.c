/* fuzz_mikey.c — the MIKEY-SAKKE I_MESSAGE decoder (proto/mikey.h) on arbitrary bytes: it must not
 * crash or read outside the input, what it accepts re-encodes to the same octets, and what it
 * reports signed lies inside the input. */
#include <stdint.h>
#include <string.h>

#include "proto/mikey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t again[1 << 17];
    mikey_sakke_t m;
    if (mikey_sakke_decode(data, size, &m) != 0)
        return 0;
    if (m.signed_len > size || (m.sign_len && m.signed_len + m.sign_len != size)
        || (!m.sign_len && m.signed_len != size))
        __builtin_trap();
    size_t n = mikey_sakke_encode(&m, again, sizeof again);
    if (n != m.signed_len || mikey_sakke_length(&m) != size)
        __builtin_trap();
    if (m.sign_len)
        memcpy(again + n, m.sign, m.sign_len);
    if (memcmp(again, data, size) != 0)
        __builtin_trap();
    return 0;
}
