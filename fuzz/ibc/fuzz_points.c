/* fuzz_points.c — the point decoders of ECCSI (P-256) and SAKKE (parameter set 1) on arbitrary
 * octet strings: a clean 0/-1, only points that encode back identically are accepted, and the
 * order walk (secret points) gives the answer of OpenSSL's wNAF (public points). */
#include <stdint.h>

#include "crypto/eccsi.h"
#include "crypto/sakke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (eccsi_point_check(data, size) == 0 && (size != ECCSI_POINT_BYTES || data[0] != 0x04))
        __builtin_trap();
    int secret = sakke_point_check(data, size);
    if (secret == 0 && (size != SAKKE_POINT_BYTES || data[0] != 0x04))
        __builtin_trap();
    if (sakke_public_point_check(data, size) != secret) /* walk and wNAF agree */
        __builtin_trap();
    return 0;
}
