/* fuzz_nl.c — the linux backend's decoder of nf_tables netlink replies (the counter objects of a
 * host namespace, linux/nl.c) on arbitrary bytes, read in one piece and cut in two reads. */
#include <stdbool.h>
#include <stdint.h>

#include "linux/lx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    naas_lx_counter_t c[8];
    size_t n = 0;
    bool done = false;
    (void)naas_lx_nl_counters(data, size, c, 8, &n, &done);
    size_t half = size / 2;
    n = 0;
    if (naas_lx_nl_counters(data, half, c, 8, &n, &done) >= 0)
        (void)naas_lx_nl_counters(data + half, size - half, c, 8, &n, &done);
    return 0;
}
