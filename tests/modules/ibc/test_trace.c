/* test_trace.c — the ibc trace framing (sg17_module_t.trace_frame): D.1 one-pass messages of a
 * genuine run, MIKEY-SAKKE I_MESSAGEs on the bus, framed as IPv4 / UDP 2269, written to a pcap and
 * read back by Wireshark's own dissector (tshark): no malformed packet, and every dissected MIKEY
 * field (HDR, T, RAND, IDRi, IDRr, IDRkmsi, SAKKE, SIGN; octets, not only the shown text) equal to
 * what the D.1 message carried. */
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

/* Runs tshark over path with the arguments given; its standard output. */
static char *tshark(const char *path, const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "tshark -r '%s' -o mikey.udp.port:2269 %s 2>/dev/null", path, args);
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

/* The MIKEY fields compared, and whether the dissector's value (the octets, in hex) or its shown
 * text is compared. */
static const struct {
    const char *name;
    bool octets;
} fields[] = {
    {"mikey.version", false},        {"mikey.type", false},      {"mikey.prf_func", false},
    {"mikey.csb_id", true},          {"mikey.cs_count", false},  {"mikey.t.ts_type", false},
    {"mikey.t.ntp", true},           {"mikey.t.ntp", false},     {"mikey.rand.len", false},
    {"mikey.rand.data", true},       {"mikey.id.role", false},   {"mikey.id.type", false},
    {"mikey.id.len", false},         {"mikey.id.data", true},    {"mikey.sakke.params", false},
    {"mikey.sakke.idscheme", false}, {"mikey.sakke.len", false}, {"mikey.sakke.data", true},
    {"mikey.sign.type", false},      {"mikey.sign.len", false},  {"mikey.sign.data", true},
};

/* Appends "name=text;" to out (cap octets). */
static void add(char *out, size_t cap, const char *name, const char *text)
{
    size_t n = strlen(out);
    int w = snprintf(out + n, cap - n, "%s=%s;", name, text);
    cr_assert(w > 0 && (size_t)w < cap - n);
}

/* The dissection of each packet in PDML, reduced to "name=text;" for the fields above in the
 * order they appear: one string per packet. */
static size_t dissected(char *pdml, char **packets, size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *line = strtok_r(pdml, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (strstr(line, "<packet>")) {
            cr_assert_lt(n, max);
            packets[n++] = calloc(1, 8192);
            continue;
        }
        char *name = strstr(line, "<field name=\"mikey.");
        if (!name || n == 0)
            continue;
        name += strlen("<field name=\"");
        *strchr(name, '"') = '\0';
        char *rest = name + strlen(name) + 1;
        for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
            if (strcmp(fields[f].name, name) != 0)
                continue;
            const char *key = fields[f].octets ? " value=\"" : " show=\"";
            char *v = strstr(rest, key);
            cr_assert_not_null(v, "%s has no%s", name, key);
            v += strlen(key);
            char text[1024];
            size_t len = (size_t)(strchr(v, '"') - v);
            cr_assert_lt(len, sizeof text);
            memcpy(text, v, len);
            text[len] = '\0';
            add(packets[n - 1], 8192, name, text);
        }
    }
    return n;
}

/* What D.1 message i carried, in the form dissected() gives. */
static void expected(const d1_set_t *set, size_t i, bool signed_, char *out, size_t cap)
{
    const uint64_t epoch = 3976214400u; /* 2026-01-01 (start_period) in NTP seconds */
    ibc_d1_t d1;
    cr_assert_eq(ibc_d1_decode(set->payload[i], set->len[i], epoch, signed_, &d1), 0);
    char h[2 * IBC_D1_MAX + 1], num[32];
    out[0] = '\0';
    add(out, cap, "mikey.version", "1");
    add(out, cap, "mikey.type", "26"); /* SAKKE */
    add(out, cap, "mikey.prf_func", "0");
    hex(d1.nonce, 4, h);
    add(out, cap, "mikey.csb_id", h);
    add(out, cap, "mikey.cs_count", "0");
    add(out, cap, "mikey.t.ts_type", "0"); /* NTP-UTC */
    /* T: the D.1 timestamp, virtual time 0 = 2026-01-01T00:00:00Z (1767225600 Unix seconds) */
    uint64_t secs = epoch + d1.ts / SG17_SEC;
    uint64_t frac = (((d1.ts % SG17_SEC) << 32) + SG17_SEC - 1) / SG17_SEC;
    snprintf(h, sizeof h, "%08llx%08llx", (unsigned long long)secs, (unsigned long long)frac);
    add(out, cap, "mikey.t.ntp", h);
    time_t unix_secs = (time_t)(1767225600 + d1.ts / SG17_SEC);
    struct tm tm;
    cr_assert_not_null(gmtime_r(&unix_secs, &tm));
    size_t dn = strftime(h, sizeof h, "%b %e, %Y %H:%M:%S", &tm);
    snprintf(h + dn, sizeof h - dn, ".%06u000 UTC", (unsigned)(d1.ts % SG17_SEC));
    add(out, cap, "mikey.t.ntp", h);
    add(out, cap, "mikey.rand.len", "16");
    hex(d1.nonce, IBC_NONCE_BYTES, h);
    add(out, cap, "mikey.rand.data", h);
    /* IDRi, IDRr: RFC 6509 identifiers as byte strings; IDRkmsi: the KMS's URI */
    static const char kms[] = "urn:dev:sg17tb:kms-0";
    const struct {
        const char *role, *type;
        const uint8_t *id;
        size_t len;
    } idr[] = {{"1", "2", d1.id, d1.id_len},
               {"2", "2", d1.responder, d1.responder_len},
               {"6", "1", (const uint8_t *)kms, sizeof kms - 1}};
    for (size_t k = 0; k < 3; k++) {
        add(out, cap, "mikey.id.role", idr[k].role);
        add(out, cap, "mikey.id.type", idr[k].type);
        snprintf(num, sizeof num, "%zu", idr[k].len);
        add(out, cap, "mikey.id.len", num);
        hex(idr[k].id, idr[k].len, h);
        add(out, cap, "mikey.id.data", h);
    }
    add(out, cap, "mikey.sakke.params", "1");
    add(out, cap, "mikey.sakke.idscheme", "1");
    add(out, cap, "mikey.sakke.len", "273");
    hex(d1.sed, SAKKE_SED_BYTES, h);
    add(out, cap, "mikey.sakke.data", h);
    if (signed_) {
        add(out, cap, "mikey.sign.type", "2"); /* ECCSI */
        add(out, cap, "mikey.sign.len", "129");
        hex(d1.sig, ECCSI_SIG_BYTES, h);
        add(out, cap, "mikey.sign.data", h);
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
    char *malformed = tshark(path, "-Y '_ws.malformed || _ws.expert.severity >= error' -T fields "
                                   "-e frame.number");
    cr_assert_str_eq(malformed, "", "malformed or erroneous packets: %s", malformed);
    char *all = tshark(path, "-Y mikey -T fields -e frame.number");
    cr_assert_eq(count_lines(all), set->n, "every frame is dissected as MIKEY");
    char *pdml = tshark(path, "-T pdml");
    char *packets[MAX_D1] = {NULL};
    cr_assert_eq(dissected(pdml, packets, MAX_D1), set->n);
    for (size_t i = 0; i < set->n; i++) {
        char want[8192];
        expected(set, i, signed_, want, sizeof want);
        cr_assert_str_eq(packets[i], want, "packet %zu: the dissected fields are the sent ones", i);
        free(packets[i]);
    }
    free(malformed), free(all), free(pdml), free(set);
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
