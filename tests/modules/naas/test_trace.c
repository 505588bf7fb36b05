/* test_trace.c — trace_frame writes the data plane as the frames it carries (link type 1): a pcap
 * of a run's frames (ARP, UDP, VXLAN, ESP, NSH) that tshark decodes with no malformed packet, and
 * the control plane left to the core's generic framing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mock_ctx.h"
#include "tools.h"

extern const sg17_module_t sg17_module;

static void put32(FILE *f, uint32_t v)
{
    fwrite(&v, 4, 1, f); /* the pcap header is in the writer's byte order (magic tells) */
}

/* Runs a mock instance for 25 s and writes every framed send to a classic pcap at path. Returns
 * the number of frames written. */
static size_t write_run(const char *path, bool overlay_auth)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_config(m, "chain_endpoint", "0");
    sg17_mock_config(m, "app_flows", "0>1:80,2>gw:80");
    sg17_mock_mitigation(m, "overlay_auth", overlay_auth);
    cr_assert_eq(sg17_mock_create(m), 0, "%s", sg17_mock_last_log(m));
    sg17_mock_start(m);
    sg17_mock_run_until(m, 25 * SG17_SEC);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    put32(f, 0xa1b2c3d4);
    uint16_t v[2] = {2, 4};
    fwrite(v, 2, 2, f);
    put32(f, 0);
    put32(f, 0);
    put32(f, 65535);
    put32(f, 1);
    size_t n = 0, generic = 0;
    for (size_t i = 0; i < sg17_mock_send_count(m); i++) {
        const sg17_mock_send_t *s = sg17_mock_send(m, i);
        sg17_msg_t msg = {.type = s->type, .payload = s->payload, .len = s->len};
        uint8_t buf[4096];
        uint32_t lt = 0;
        size_t k = naas_trace_frame(&msg, "a", "b", buf, sizeof buf, &lt);
        if (k == 0) {
            generic++;
            cr_assert(strncmp(s->type, "naas.api", 8) == 0
                          || strncmp(s->type, "naas.audit", 10) == 0
                          || strcmp(s->type, "naas.anchor") == 0
                          || strncmp(s->type, "naas.program", 12) == 0,
                      "%s not framed", s->type);
            continue;
        }
        cr_assert_eq(lt, 1);
        cr_assert_leq(k, sizeof buf);
        put32(f, (uint32_t)(s->at / SG17_SEC));
        put32(f, (uint32_t)(s->at % SG17_SEC));
        put32(f, (uint32_t)k);
        put32(f, (uint32_t)k);
        fwrite(buf, 1, k, f);
        n++;
    }
    fclose(f);
    cr_assert_gt(generic, 0);
    sg17_mock_free(m);
    return n;
}

/* Counts the lines tshark prints for the display filter (-1: tshark failed). */
static long tshark_count(const char *path, const char *filter)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "tshark -n -r '%s' -Y '%s' -T fields -e frame.number 2>/dev/null",
             path, filter);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    long lines = 0;
    int c;
    while ((c = fgetc(p)) != EOF)
        lines += c == '\n';
    return pclose(p) == 0 ? lines : -1;
}

Test(naas_trace, tshark_decodes_every_data_plane_frame_without_a_malformed_packet)
{
    if (system("command -v tshark >/dev/null 2>&1") != 0)
        cr_skip_test("tshark is not installed: apt-get install tshark");
    char plain[] = "/tmp/naas-trace-XXXXXX", sealed[] = "/tmp/naas-trace-esp-XXXXXX";
    int fd1 = mkstemp(plain), fd2 = mkstemp(sealed);
    cr_assert(fd1 >= 0 && fd2 >= 0);
    close(fd1), close(fd2);
    size_t n1 = write_run(plain, false), n2 = write_run(sealed, true);
    cr_assert_gt(n1, 100);
    cr_assert_eq(tshark_count(plain, "_ws.malformed || _ws.expert.severity >= error"), 0);
    cr_assert_eq(tshark_count(sealed, "_ws.malformed || _ws.expert.severity >= error"), 0);
    cr_assert_eq(tshark_count(plain, "frame"), (long)n1);
    cr_assert_gt(tshark_count(plain, "vxlan.vni == 5001"), 0);
    cr_assert_gt(tshark_count(plain, "arp.opcode == 2"), 0);
    cr_assert_gt(tshark_count(plain, "nsh.spi == 1 && nsh.si == 255"), 0);
    cr_assert_gt(tshark_count(plain, "udp.dstport == 22 && !vxlan && !nsh"), 0);
    cr_assert_gt(tshark_count(sealed, "esp.spi == 5001"), 0);
    cr_assert_eq(tshark_count(sealed, "vxlan"), 0);
    cr_assert_eq(tshark_count(sealed, "frame"), (long)n2);
    unlink(plain);
    unlink(sealed);
}
