/* test_tshark_pki.c — the external check of the PKI messages of pki: bus (ETSI TS 102 941 inside
 * IEEE 1609.2): every EC / AT / validation request and response of a run, written to a pcap as
 * raw Ieee1609Dot2Data (DLT USER0 handed to Wireshark's ieee1609dot2 dissector), is dissected
 * by tshark with no malformed packet; the requests as encryptedData to the EA's or AA's HashedId8,
 * the responses as signedData of PSID 623 by the authority's digest whose unsecuredData is the
 * EtsiTs102941Data the module decodes. Wireshark has no TS 102 941 dissector, so the inner layer
 * is checked by the module's decoder only. Skipped when tshark is not installed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mock_ctx.h"
#include "sim/v2x_sim.h"

extern const sg17_module_t sg17_module;

#define MAX_MSGS 128

typedef struct {
    const char *type;
    sg17_entity_t dst;
    uint8_t bytes[V2X_SPDU_MAX];
    size_t len;
} pki_msg_t;

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
    out[2 * n] = '\0';
}

Test(tshark, dissects_the_pki_messages_of_pki_bus_without_malformed_packets)
{
    if (system("command -v tshark >/dev/null 2>&1") != 0)
        cr_skip_test("tshark not installed: apt-get install tshark");
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "vehicle", 3);
    sg17_mock_topology(m, "rsu", 0);
    sg17_mock_config(m, "pki", "bus");
    cr_assert_eq(sg17_mock_create(m), 0, "%s", sg17_mock_last_log(m));
    sg17_mock_start(m);
    sg17_mock_run_until(m, 500 * SG17_MSEC);
    vsim_t *s = sg17_mock_instance(m);
    static pki_msg_t msgs[MAX_MSGS];
    size_t n = 0;
    for (size_t i = 0; i < sg17_mock_send_count(m) && n < MAX_MSGS; i++) {
        const sg17_mock_send_t *x = sg17_mock_send(m, i);
        if (strncmp(x->type, "v2x.ec_", 7) != 0 && strncmp(x->type, "v2x.at_", 7) != 0
            && strncmp(x->type, "v2x.av_", 7) != 0)
            continue;
        cr_assert_leq(x->len, V2X_SPDU_MAX);
        msgs[n].type = x->type;
        msgs[n].dst = x->dst;
        memcpy(msgs[n].bytes, x->payload, x->len);
        msgs[n].len = x->len;
        n++;
    }
    /* 3 EC requests and responses, 6 AT requests, validations, answers and responses */
    cr_assert_eq(n, 3 * 2 + 6 * 4, "PKI messages: %zu", n);

    char dir[] = "/tmp/v2x-tshark-pki-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256], cmd[1024], line[8192];
    snprintf(path, sizeof path, "%s/pki.pcap", dir);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    uint32_t gh[6] = {0xa1b2c3d4u, 2u | 4u << 16, 0, 0, 65535, 147}; /* DLT_USER0 */
    cr_assert_eq(fwrite(gh, sizeof gh, 1, f), 1);
    for (size_t i = 0; i < n; i++) {
        uint32_t ph[4] = {(uint32_t)i, 0, (uint32_t)msgs[i].len, (uint32_t)msgs[i].len};
        cr_assert_eq(fwrite(ph, sizeof ph, 1, f), 1);
        cr_assert_eq(fwrite(msgs[i].bytes, msgs[i].len, 1, f), 1);
    }
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "tshark -r %s -o 'uat:user_dlts:\"User 0 (DLT=147)\",\"ieee1609dot2.data\",\"0\","
             "\"\",\"0\",\"\"' -T fields -E separator=/t -e frame.number -e _ws.malformed "
             "-e ieee1609dot2.content -e ieee1609dot2.psid -e ieee1609dot2.recipientId "
             "-e ieee1609dot2.digest -e ieee1609dot2.unsecuredData 2>/dev/null",
             path);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t rows = 0;
    char ea[17], aa[17], want[2 * V2X_SPDU_MAX + 1];
    uint8_t id[8];
    sg17_store_be64(id, s->ea_s.hid);
    hex(id, 8, ea);
    sg17_store_be64(id, s->aa_s.hid);
    hex(id, 8, aa);
    while (fgets(line, sizeof line, p)) {
        char *fld[7] = {0};
        size_t nf = 0;
        line[strcspn(line, "\r\n")] = '\0';
        for (char *q = line; nf < 7;) {
            fld[nf++] = q;
            char *t = strchr(q, '\t');
            if (!t)
                break;
            *t = '\0';
            q = t + 1;
        }
        cr_assert_eq(nf, 7, "short tshark line");
        size_t i = strtoul(fld[0], NULL, 10) - 1;
        cr_assert_lt(i, n);
        cr_assert_str_empty(fld[1], "frame %zu (%s) is malformed", i + 1, msgs[i].type);
        bool request = strstr(msgs[i].type, "request") != NULL;
        if (request) { /* encryptedData to the authority that receives it */
            cr_assert_eq(fld[2][0], '2', "%s: content %s", msgs[i].type, fld[2]);
            cr_assert_str_eq(fld[4], msgs[i].dst == s->ea ? ea : aa, "%s", msgs[i].type);
            continue;
        }
        /* signedData of PSID 623 by the EA or AA, carrying the EtsiTs102941Data */
        v2x_spdu_t sp;
        cr_assert_eq(v2x_spdu_decode(msgs[i].bytes, msgs[i].len, &sp), V2X_OK);
        cr_assert_eq(fld[2][0], '1', "%s: content %s", msgs[i].type, fld[2]);
        cr_assert_eq(strtoull(fld[3], NULL, 10), V2X_PSID_CERT_REQUEST);
        bool by_ea = strcmp(msgs[i].type, "v2x.at_response") != 0;
        cr_assert_str_eq(fld[5], by_ea ? ea : aa, "%s signer", msgs[i].type);
        hex(sp.payload, sp.payload_len, want);
        cr_assert_str_eq(fld[6], want, "%s: the dissected unsecuredData", msgs[i].type);
        v2x_pki_data_t d;
        cr_assert_eq(v2x_pki_decode(sp.payload, sp.payload_len, &d), V2X_OK);
        rows++;
    }
    cr_assert_eq(pclose(p), 0, "tshark failed");
    cr_assert_eq(rows, 3 + 6 + 6, "signed responses dissected: %zu", rows);
    unlink(path);
    rmdir(dir);
    sg17_mock_free(m);
}
