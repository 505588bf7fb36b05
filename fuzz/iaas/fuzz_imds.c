/* fuzz_imds.c — the metadata service's request parser, its response decoder and the user-data
 * script parser on arbitrary octets: a clean verdict, a reason for every refusal, and an accepted
 * request that rebuilds to one the parser accepts with the same meaning. */
#include <stdint.h>
#include <string.h>

#include "proto/imds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    imds_request_t rq, again;
    const char *why = NULL;
    if (imds_request_parse(data, size, &rq, &why) == 0) {
        uint8_t out[IMDS_REQUEST_MAX];
        size_t len = 0;
        if (imds_request_build(rq.ttl, rq.put, rq.path, rq.has_token ? rq.token : NULL,
                               rq.token_ttl_s, rq.instance_id[0] ? rq.instance_id : NULL,
                               rq.user_agent[0] ? rq.user_agent : NULL, out, sizeof out, &len)
                == 0
            && (imds_request_parse(out, len, &again, &why) != 0 || again.path != rq.path
                || again.put != rq.put || again.has_token != rq.has_token
                || strcmp(again.instance_id, rq.instance_id) != 0))
            __builtin_trap();
    } else if (!why) {
        __builtin_trap();
    }
    imds_response_t rs;
    if (imds_response_decode(data, size, &rs) == 0 && rs.len > IMDS_BODY_MAX)
        __builtin_trap();
    unsigned to = 0;
    int posts = userdata_parse(data, size, &to);
    if (posts < -1)
        __builtin_trap();
    return 0;
}
