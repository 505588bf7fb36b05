/* fuzz_crl.c — the CrlContents decoder (IEEE 1609.2 hash-based CRL) on arbitrary input: what it
 * accepts re-encodes to exactly the input octets, and every entry it reports can be read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/v2x_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *in = malloc(size ? size : 1);
    if (!in)
        return 0;
    memcpy(in, data, size);
    v2x_crl_t c;
    if (v2x_crl_decode(in, size, &c) == V2X_OK) {
        v2x_crl_entry_t *e = calloc(c.n_entries ? c.n_entries : 1, sizeof *e);
        uint8_t *out = malloc(size);
        size_t n = 0;
        if (!e || !out) {
            free(e);
            free(out);
            free(in);
            return 0;
        }
        for (size_t i = 0; i < c.n_entries; i++) {
            v2x_crl_entry(&c, i, &e[i]);
            if (!v2x_crl_lists(&c, e[i].id))
                abort();
        }
        if (v2x_crl_encode(&c, e, out, size, &n) != V2X_OK || n != size
            || memcmp(out, in, size) != 0)
            abort();
        free(e);
        free(out);
    }
    free(in);
    return 0;
}
