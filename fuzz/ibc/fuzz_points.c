/* fuzz_points.c — the point decoders of ECCSI (P-256) and SAKKE (parameter set 1) on arbitrary
 * octet strings: a clean 0/-1, and only points that encode back identically are accepted. */
#include <stdint.h>

#include "crypto/eccsi.h"
#include "crypto/sakke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (eccsi_point_check(data, size) == 0 && (size != ECCSI_POINT_BYTES || data[0] != 0x04))
        __builtin_trap();
    if (sakke_point_check(data, size) == 0 && (size != SAKKE_POINT_BYTES || data[0] != 0x04))
        __builtin_trap();
    return 0;
}
