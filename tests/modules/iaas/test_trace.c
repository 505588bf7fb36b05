/* test_trace.c — the descriptor's trace_frame: API calls framed as IPv4 + TCP + HTTP/1.1 with a
 * JSON body, decoded by tshark's own dissectors (skipped when tshark is not installed), other
 * messages left to the core's generic framing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/api.h"
#include "proto/http.h"
#include "sim/iaas_sim.h"

extern const sg17_module_t sg17_module;

static size_t request(uint8_t *buf, size_t cap)
{
    static const uint8_t secret[API_SECRET_BYTES] = {1};
    api_request_t rq = {.op = API_OP_CREATE_ACCESS_KEY, .key_id = 1002, .value = 0};
    memset(rq.corr, 0x53, sizeof rq.corr);
    size_t len = 0;
    cr_assert_eq(api_request_encode(&rq, secret, buf, cap, &len), 0);
    return len;
}

Test(trace, api_request_is_an_ipv4_tcp_http_packet)
{
    uint8_t payload[API_REQUEST_MAX], frame[HTTP_FRAME_MAX];
    sg17_msg_t msg = {.id = 7, .type = "iaas.api_request", .payload = payload};
    msg.len = request(payload, sizeof payload);
    uint32_t lt = 0;
    size_t n = sg17_module.trace_frame(&msg, "outside-0", "api-0", frame, sizeof frame, &lt);
    cr_assert_gt(n, 40);
    cr_assert_eq(lt, HTTP_LINKTYPE_RAW);
    cr_assert_eq(frame[0], 0x45);
    cr_assert_eq(frame[9], 6);
    cr_assert_eq(memcmp(frame + 40, "POST /?Action=CreateAccessKey HTTP/1.1\r\n", 40), 0);
    cr_assert_eq(sg17_module.trace_frame(&msg, "outside-0", "api-0", frame, 10, &lt), n,
                 "a short buffer gets the length it needs");
    msg.type = "iaas.probe";
    cr_assert_eq(sg17_module.trace_frame(&msg, "outside-0", "netsvc-0", frame, sizeof frame, &lt),
                 0);
}

Test(trace, tshark_decodes_http_and_json)
{
    if (system("command -v tshark >/dev/null 2>&1") != 0)
        cr_skip_test("tshark not installed (apt-get install tshark)");
    uint8_t payload[API_REQUEST_MAX], frame[HTTP_FRAME_MAX];
    sg17_msg_t msg = {.id = 7, .type = "iaas.api_request", .payload = payload};
    msg.len = request(payload, sizeof payload);
    uint32_t lt = 0;
    size_t n = sg17_module.trace_frame(&msg, "outside-0", "api-0", frame, sizeof frame, &lt);
    char path[] = "/tmp/sg17tb-iaas-trace-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "wb");
    /* classic pcap: magic, version 2.4, zone, sigfigs, snaplen, link type; one record */
    uint32_t hdr[6] = {0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, lt};
    uint32_t rec[4] = {1, 0, (uint32_t)n, (uint32_t)n};
    fwrite(hdr, sizeof hdr, 1, f);
    fwrite(rec, sizeof rec, 1, f);
    fwrite(frame, n, 1, f);
    fclose(f);
    char cmd[512], out[65536];
    snprintf(cmd, sizeof cmd, "tshark -r %s -V 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    size_t got = fread(out, 1, sizeof out - 1, p);
    out[got] = 0;
    pclose(p);
    unlink(path);
    cr_assert(strstr(out, "Hypertext Transfer Protocol"), "%s", out);
    cr_assert(strstr(out, "JavaScript Object Notation"), "%s", out);
    cr_assert(strstr(out, "CreateAccessKey"), "%s", out);
    cr_assert(strstr(out, "535353535353"), "the correlation id is in the body");
}
