/* test_trace.c — the ibc trace framing (sg17_module_t.trace_frame): D.1 one-pass messages of a
 * genuine run framed as IPv4 / UDP 2269 / MIKEY-SAKKE I_MESSAGE, written to a pcap and read back
 * by Wireshark's own dissector (tshark): no malformed packet, and every dissected MIKEY field equal
 * to what the D.1 message carried. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mock_ctx.h"
#include "sim/ibc_sim.h"

extern const sg17_module_t sg17_module;

#define MAX_D1 8

/* The D.1 messages of a genuine run (one kms, `devices` devices), 5 s into period 0; signed or
 * not as the deployment is configured. */
typedef struct {
    size_t n;
    uint8_t payload[MAX_D1][IBC_D1_MAX];
    size_t len[MAX_D1];
    unsigned device[MAX_D1];
    sg17_time_t at[MAX_D1];
} d1_set_t;

static void collect(d1_set_t *set, unsigned devices, bool signed_)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "kms", 1);
    sg17_mock_topology(m, "device", devices);
    sg17_mock_config(m, "d1_signed", signed_ ? "true" : "false");
    cr_assert_eq(sg17_mock_create(m), 0, "%s", sg17_mock_last_log(m));
    sg17_mock_start(m);
    sg17_mock_run_until(m, 5 * SG17_SEC);
    set->n = 0;
    for (size_t i = 0; i < sg17_mock_send_count(m) && set->n < MAX_D1; i++) {
        const sg17_mock_send_t *q = sg17_mock_send(m, i);
        if (strcmp(q->type, "ibc.d1_auth") != 0)
            continue;
        cr_assert_leq(q->len, IBC_D1_MAX);
        memcpy(set->payload[set->n], q->payload, q->len);
        set->len[set->n] = q->len;
        for (unsigned d = 0; d < devices; d++) {
            char name[32];
            snprintf(name, sizeof name, "device-%u", d);
            if (sg17_mock_entity(m, name) == q->src)
                set->device[set->n] = d;
        }
        set->at[set->n] = q->at;
        set->n++;
    }
    cr_assert_eq(set->n, devices, "every device authenticated once");
    sg17_mock_free(m);
}

static void put_le32(FILE *f, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    cr_assert_eq(fwrite(b, 1, 4, f), 4);
}

/* Frames every message of set with the descriptor's trace_frame and writes a pcap (libpcap
 * format 2.4, little-endian) of them to path. */
static void write_pcap(const d1_set_t *set, const char *path)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    put_le32(f, 0xa1b2c3d4);
    put_le32(f, 2 | 4u << 16); /* version 2.4 */
    put_le32(f, 0);            /* thiszone */
    put_le32(f, 0);            /* sigfigs */
    put_le32(f, 65535);        /* snaplen */
    put_le32(f, 101);          /* LINKTYPE_RAW */
    for (size_t i = 0; i < set->n; i++) {
        char src[32];
        snprintf(src, sizeof src, "device-%u", set->device[i]);
        sg17_msg_t msg = {.id = 100 + i,
                          .type = "ibc.d1_auth",
                          .payload = set->payload[i],
                          .len = set->len[i],
                          .sent_at = set->at[i]};
        uint32_t linktype = 0;
        size_t need = sg17_module.trace_frame(&msg, src, "gateway-0", NULL, 0, &linktype);
        cr_assert_gt(need, 0, "a D.1 message has a frame");
        uint8_t *frame = malloc(need);
        cr_assert_not_null(frame);
        cr_assert_eq(sg17_module.trace_frame(&msg, src, "gateway-0", frame, need, &linktype), need);
        cr_assert_eq(linktype, 101);
        put_le32(f, (uint32_t)(set->at[i] / SG17_SEC));
        put_le32(f, (uint32_t)(set->at[i] % SG17_SEC));
        put_le32(f, (uint32_t)need);
        put_le32(f, (uint32_t)need);
        cr_assert_eq(fwrite(frame, 1, need, f), need);
        free(frame);
    }
    cr_assert_eq(fclose(f), 0);
}

static bool have_tshark(void)
{
    return system("tshark -v >/dev/null 2>&1") == 0;
}

/* Runs tshark over path with the display filter and the fields given; its standard output. */
static char *tshark(const char *path, const char *filter, const char *fields)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "tshark -r '%s' -o mikey.udp.port:2269 -Y '%s' -T fields -E separator='|' "
             "-E occurrence=a -E aggregator=',' %s 2>/dev/null",
             path, filter, fields);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t cap = 1 << 16, n = 0;
    char *out = calloc(1, cap);
    cr_assert_not_null(out);
    size_t k;
    while ((k = fread(out + n, 1, cap - 1 - n, p)) > 0) {
        n += k;
        if (n + 1 == cap) {
            cap *= 2;
            out = realloc(out, cap);
            cr_assert_not_null(out);
        }
    }
    out[n] = '\0';
    cr_assert_eq(pclose(p), 0, "tshark failed: %s", cmd);
    return out;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
    out[2 * n] = '\0';
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The dissected fields of packet i, in the order asked, against what D.1 message i carried. */
static void check_packet(const d1_set_t *set, size_t i, char *line, bool signed_)
{
    ibc_d1_t d1;
    cr_assert_eq(ibc_d1_decode(set->payload[i], set->len[i], signed_, &d1), 0);
    char *field[12];
    size_t nf = 0;
    for (char *save = NULL, *t = strtok_r(line, "|", &save); t && nf < 12;
         t = strtok_r(NULL, "|", &save))
        field[nf++] = t;
    cr_assert_eq(nf, signed_ ? 11 : 9, "fields of packet %zu: %zu", i, nf);
    char want[2 * IBC_D1_MAX + 1], uri[128];
    cr_assert_str_eq(field[0], "2269");
    cr_assert_str_eq(field[1], "1");  /* MIKEY version */
    cr_assert_str_eq(field[2], "26"); /* SAKKE I_MESSAGE */
    hex(d1.nonce, IBC_NONCE_BYTES, want);
    cr_assert_str_eq(field[3], want, "RAND");
    cr_assert_str_eq(field[4], "1,2", "IDRi then IDRr");
    snprintf(uri, sizeof uri, "%s,urn:dev:sg17tb:gateway-0", (const char *)d1.id + 8);
    cr_assert_str_eq(field[5], uri, "identities");
    cr_assert_str_eq(field[6], "1", "SAKKE parameter set 1");
    hex(d1.sed, SAKKE_SED_BYTES, want);
    cr_assert_str_eq(field[7], want, "SAKKE data is the SED");
    /* T: NTP-UTC, virtual time 0 = 2026-01-01T00:00:00Z (1767225600 Unix seconds) */
    time_t secs = (time_t)(1767225600 + d1.ts / SG17_SEC);
    struct tm tm;
    char date[64];
    cr_assert_not_null(gmtime_r(&secs, &tm));
    size_t dn = strftime(date, sizeof date, "%b %e, %Y %H:%M:%S", &tm);
    snprintf(date + dn, sizeof date - dn, ".%06u000 UTC", (unsigned)(d1.ts % SG17_SEC));
    cr_assert_str_eq(field[8], date, "T carries the D.1 timestamp");
    if (signed_) {
        cr_assert_str_eq(field[9], "2", "signature type ECCSI");
        hex(d1.sig, ECCSI_SIG_BYTES, want);
        cr_assert_str_eq(field[10], want, "SIGN data is the ECCSI signature");
    }
}

static void dissect_and_compare(bool signed_)
{
    if (!have_tshark())
        cr_skip_test("tshark is not installed: apt-get install tshark");
    d1_set_t *set = calloc(1, sizeof *set);
    cr_assert_not_null(set);
    collect(set, 3, signed_);
    char path[] = "/tmp/sg17tb-ibc-trace-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    write_pcap(set, path);
    char *malformed =
        tshark(path, "_ws.malformed || _ws.expert.severity >= error", "-e frame.number");
    cr_assert_str_eq(malformed, "", "malformed or erroneous packets: %s", malformed);
    char *all = tshark(path, "mikey", "-e frame.number");
    cr_assert_eq(count_lines(all), set->n, "every frame is dissected as MIKEY");
    char *out =
        tshark(path, "mikey",
               "-e udp.dstport -e mikey.version -e mikey.type -e mikey.rand.data "
               "-e mikey.id.role -e mikey.id.data -e mikey.sakke.params -e mikey.sakke.data "
               "-e mikey.t.ntp -e mikey.sign.type -e mikey.sign.data");
    size_t i = 0;
    for (char *save = NULL, *line = strtok_r(out, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save))
        check_packet(set, i++, line, signed_);
    cr_assert_eq(i, set->n);
    free(malformed), free(all), free(out), free(set);
    unlink(path);
}

Test(ibc_trace, signed_d1_messages_dissect_as_mikey_sakke_with_the_fields_sent, .timeout = 120)
{
    dissect_and_compare(true);
}

Test(ibc_trace, unsigned_d1_messages_dissect_as_mikey_sakke_without_sign, .timeout = 120)
{
    dissect_and_compare(false);
}

Test(ibc_trace, other_messages_are_left_to_the_core_and_small_buffers_get_the_length)
{
    uint32_t linktype = 0;
    sg17_msg_t other = {.type = "ibc.app_data", .payload = (const uint8_t *)"x", .len = 1};
    cr_assert_eq(sg17_module.trace_frame(&other, "device-0", "gateway-0", NULL, 0, &linktype), 0);
    sg17_msg_t bad = {.type = "ibc.d1_auth", .payload = (const uint8_t *)"short", .len = 5};
    cr_assert_eq(sg17_module.trace_frame(&bad, "device-0", "gateway-0", NULL, 0, &linktype), 0,
                 "an undecodable D.1 is not framed");
    d1_set_t *set = calloc(1, sizeof *set);
    cr_assert_not_null(set);
    collect(set, 1, true);
    sg17_msg_t msg = {.type = "ibc.d1_auth", .payload = set->payload[0], .len = set->len[0]};
    uint8_t small[64];
    memset(small, 0xAA, sizeof small);
    size_t need =
        sg17_module.trace_frame(&msg, "device-0", "gateway-0", small, sizeof small, &linktype);
    cr_assert_gt(need, sizeof small);
    for (size_t i = 0; i < sizeof small; i++)
        cr_assert_eq(small[i], 0xAA, "nothing written into a buffer that is too small");
    free(set);
}
