/* fuzz_records.c — the audit sink's record and anchor decoders and the migration frame decoder
 * (clear and sealed) on arbitrary octets: a decoded record re-encodes to the same octets, and no
 * sealed frame opens under a key it was not sealed with unless it is bit-identical to a real one
 * (never, for fuzzed input). */
#include <stdint.h>
#include <string.h>

#include "proto/audit.h"
#include "proto/migration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    audit_record_t r;
    if (audit_record_decode(data, size, &r) == 0) {
        uint8_t out[AUDIT_RECORD_BYTES];
        audit_record_encode(&r, out);
        if (size != AUDIT_RECORD_BYTES || memcmp(out, data, size) != 0)
            __builtin_trap();
    }
    audit_anchor_t a;
    (void)audit_anchor_decode(data, size, &a);
    static const uint8_t key[MIG_KEY_BYTES] = {9};
    mig_frame_t f;
    if (mig_frame_decode(data, size, key, &f) == 0 && f.sealed)
        __builtin_trap(); /* a forged tag under a key the fuzzer does not know */
    (void)mig_frame_decode(data, size, NULL, &f);
    return 0;
}
