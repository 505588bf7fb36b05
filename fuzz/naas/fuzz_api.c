/* fuzz_api.c — the control-plane decoders (proto/api.h) on arbitrary bytes: API request (and its
 * proof), response, audit record, anchor commitment, audit export, programming message. */
#include <stdint.h>

#include "proto/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t key[NAASP_HOLDER] = {7};
    naasp_req_t q;
    naasp_resp_t r;
    naasp_rec_t rec;
    naasp_portrec_t p;
    uint8_t head[NAASP_HASH];
    uint32_t count, version;
    if (naasp_req_decode(data, size, &q) == 0)
        (void)naasp_req_verify(data, size, key);
    (void)naasp_resp_decode(data, size, &r);
    (void)naasp_rec_decode(data, size, &rec);
    (void)naasp_anchor_decode(data, size, &count, head);
    long n = naasp_export_count(data, size);
    for (long i = 0; i < n && i < 8; i++)
        (void)naasp_export_record(data, size, (size_t)i, &rec);
    long k = naasp_program_count(data, size, &version);
    for (long i = 0; i < k; i++)
        (void)naasp_program_record(data, size, (size_t)i, &p);
    return 0;
}
