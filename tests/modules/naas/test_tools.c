/* test_tools.c — `sg17tb naas api-encode` and `frame-decode` through their run(argc, argv, out,
 * err): the encoded request decodes, a frame is described field by field, bad input exits 2. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <sg17tb/tool.h>

#include "proto/api.h"
#include "proto/frame.h"
#include "tools.h"

static int run(const char *tool, char **argv, int argc, char *out, size_t cap)
{
    FILE *o = tmpfile(), *e = tmpfile();
    int rc = -1;
    for (const sg17_tool_t *t = naas_tools; t->name; t++)
        if (strcmp(t->name, tool) == 0)
            rc = t->run(argc, argv, o, e);
    rewind(o);
    size_t n = fread(out, 1, cap - 1, o);
    out[n] = 0;
    fclose(o);
    fclose(e);
    return rc;
}

Test(naas_tools, api_encode_gives_a_request_the_controller_decodes)
{
    char *argv[] = {"api-encode", "--op", "show", "--tenant", "2", NULL};
    char out[512];
    cr_assert_eq(run("api-encode", argv, 5, out, sizeof out), SG17_TOOL_OK);
    cr_assert(strncmp(out, "REQ=", 4) == 0);
    uint8_t buf[NAASP_REQ_LEN];
    size_t len = 0;
    const char *why = NULL;
    out[strcspn(out, "\n")] = 0;
    cr_assert_eq(sg17_tool_hex_decode(out + 4, buf, sizeof buf, &len, &why), 0);
    naasp_req_t q;
    cr_assert_eq(naasp_req_decode(buf, len, &q), 0);
    cr_assert_eq(q.op, NAASP_OP_SHOW);
    cr_assert_eq(q.tenant, 2);
    cr_assert_not(q.has_proof);
}

Test(naas_tools, frame_decode_describes_a_udp_frame_and_refuses_odd_hex)
{
    const uint8_t a[6] = {2, 0x4e, 0x41, 0, 0, 1}, b[6] = {2, 0x4e, 0x41, 0, 0, 2};
    naasp_udp_t u = {.src = 0x0a00000a,
                     .dst = 0x0a00000b,
                     .sport = 7,
                     .dport = 22,
                     .data = (const uint8_t *)"hi",
                     .data_len = 2};
    uint8_t f[128];
    size_t n = naasp_udp_build(f, sizeof f, b, a, &u);
    char hex[300];
    for (size_t i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", f[i]);
    char *argv[] = {"frame-decode", "--frame", hex, NULL};
    char out[512];
    cr_assert_eq(run("frame-decode", argv, 3, out, sizeof out), SG17_TOOL_OK);
    cr_assert_not_null(strstr(out, "UDP=10.0.0.10:7>10.0.0.11:22\n"), "%s", out);
    char *bad[] = {"frame-decode", "--frame", "abc", NULL};
    cr_assert_eq(run("frame-decode", bad, 3, out, sizeof out), SG17_TOOL_USAGE);
}
