/* test_tshark.c — the external check: messages signed by the module's code (CAMs over
 * GeoNetworking SHB, a DENM over TSB, digest and certificate signers, an encrypted warning) and
 * the real CAM of the vectors, framed by v2x_trace_frame as Ethernet/GeoNetworking packets in a
 * pcap, are dissected by Wireshark's tshark (gnw, btpb, ieee1609dot2, its) with no malformed
 * packet and no warning or error, and the dissected station ids, generation times, PSIDs,
 * positions, speeds and headings equal what was sent. Skipped when tshark is not installed. */
#include <stdlib.h>
#include <unistd.h>

#include <sg17tb/wire.h>

#include "v2x_test.h"

#define N_CAMS 6

typedef struct {
    uint32_t station;
    uint64_t psid, gen_time;
    int32_t lat, lon;
    int speed, heading; /* -1: not a CAM */
    bool denm;
} sent_t;

static void pcap_header(FILE *f)
{
    uint32_t h[6] = {0xa1b2c3d4u, 2u | 4u << 16, 0, 0, 65535, 1};
    cr_assert_eq(fwrite(h, sizeof h, 1, f), 1);
}

static void pcap_packet(FILE *f, const uint8_t *frame, size_t len, uint32_t sec)
{
    uint32_t h[4] = {sec, 0, (uint32_t)len, (uint32_t)len};
    cr_assert_eq(fwrite(h, sizeof h, 1, f), 1);
    cr_assert_eq(fwrite(frame, len, 1, f), 1);
}

/* Frames one message payload with the module's trace framer and appends it. */
static void add(FILE *f, const uint8_t *payload, size_t len, const char *src, uint32_t sec)
{
    uint8_t frame[4096];
    uint32_t lt = 0;
    sg17_msg_t msg = {.type = "v2x.cam", .payload = payload, .len = len};
    size_t n = v2x_trace_frame(&msg, src, "vehicle-any", frame, sizeof frame, &lt);
    cr_assert(n > 0 && n <= sizeof frame, "not framed");
    cr_assert_eq(lt, 1u);
    pcap_packet(f, frame, n, sec);
}

/* A signed CAM of the AT holder, as a vehicle would send it. */
static size_t signed_cam(const v2x_test_pki_t *k, const sent_t *s, bool digest, uint8_t *out)
{
    v2x_cam_t cam;
    v2x_cam_init(&cam, s->station);
    cam.generation_delta_time = (uint16_t)(s->gen_time / 1000);
    cam.pos.lat = s->lat;
    cam.pos.lon = s->lon;
    cam.speed = (uint16_t)s->speed;
    cam.speed_conf = 3;
    cam.heading = (uint16_t)s->heading;
    cam.heading_conf = 10;
    uint8_t app[128], gn[256];
    size_t al, gl, n;
    cr_assert_eq(v2x_cam_encode(&cam, app, sizeof app, &al), V2X_OK);
    v2x_gn_t g = {.kind = V2X_GN_SHB,
                  .traffic_class = 2,
                  .mobile = true,
                  .addr_station_type = V2X_STATION_PASSENGER_CAR,
                  .mid = {0x02, 0, 0, 0, (uint8_t)(s->station >> 8), (uint8_t)s->station},
                  .timestamp = (uint32_t)(s->gen_time / 1000),
                  .lat = s->lat,
                  .lon = s->lon,
                  .pai = true,
                  .speed = (int16_t)s->speed,
                  .heading = (uint16_t)(s->heading % 3600),
                  .btp_port = V2X_BTP_PORT_CAM};
    cr_assert_eq(v2x_gn_encode(&g, app, al, gn, sizeof gn, &gl), V2X_OK);
    v2x_sign_params_t p = {.psid = s->psid,
                           .generation_time = s->gen_time,
                           .signer = digest ? V2X_SIGNER_DIGEST : V2X_SIGNER_CERTIFICATE};
    cr_assert_eq(v2x_spdu_sign(&p, gn, gl, k->at_key, k->at, k->at_len, out, V2X_SPDU_MAX, &n),
                 V2X_OK);
    return n;
}

static size_t signed_denm(const v2x_test_pki_t *k, const sent_t *s, uint8_t *out)
{
    v2x_denm_t d;
    v2x_denm_init(&d, s->station, 17);
    d.detection_time = s->gen_time / 1000;
    d.reference_time = s->gen_time / 1000;
    d.event_pos.lat = s->lat;
    d.event_pos.lon = s->lon;
    d.has_situation = true;
    d.information_quality = 3;
    d.cause = 97; /* collision risk */
    d.sub_cause = 0;
    uint8_t app[128], gn[256];
    size_t al, gl, n;
    cr_assert_eq(v2x_denm_encode(&d, app, sizeof app, &al), V2X_OK);
    v2x_gn_t g = {.kind = V2X_GN_TSB,
                  .traffic_class = 1,
                  .max_hop_limit = 5,
                  .mobile = true,
                  .sequence_number = 3,
                  .addr_station_type = V2X_STATION_PASSENGER_CAR,
                  .mid = {0x02, 0, 0, 0, 0, 9},
                  .timestamp = (uint32_t)(s->gen_time / 1000),
                  .lat = s->lat,
                  .lon = s->lon,
                  .btp_port = V2X_BTP_PORT_DENM};
    cr_assert_eq(v2x_gn_encode(&g, app, al, gn, sizeof gn, &gl), V2X_OK);
    v2x_sign_params_t p = {.psid = s->psid,
                           .generation_time = s->gen_time,
                           .has_location = true,
                           .location = {s->lat, s->lon, 4096},
                           .signer = V2X_SIGNER_CERTIFICATE};
    cr_assert_eq(v2x_spdu_sign(&p, gn, gl, k->at_key, k->at, k->at_len, out, V2X_SPDU_MAX, &n),
                 V2X_OK);
    return n;
}

/* Splits a tab-separated line into at most max fields (in place). */
static size_t split(char *line, char **f, size_t max)
{
    size_t n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < max;) {
        f[n++] = p;
        char *t = strchr(p, '\t');
        if (!t)
            break;
        *t = '\0';
        p = t + 1;
    }
    return n;
}

/* The first of a comma-separated list of values (a field that occurs several times). */
static unsigned long long first(const char *v)
{
    return strtoull(v, NULL, 10);
}

Test(tshark, dissects_the_module_messages_without_malformed_packets)
{
    if (system("command -v tshark >/dev/null 2>&1") != 0)
        cr_skip_test("tshark not installed: apt-get install tshark");
    char dir[] = "/tmp/v2x-tshark-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/v2x.pcap", dir);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    pcap_header(f);

    v2x_test_pki_t k;
    v2x_test_pki(&k, V2X_CURVE_P256);
    sent_t sent[N_CAMS + 3];
    size_t n_sent = 0;
    uint64_t t0 = (uint64_t)V2X_TEST_T32_2019 * 1000000u + 86400ull * 1000000u * 30;
    uint8_t spdu[V2X_SPDU_MAX];
    for (int i = 0; i < N_CAMS; i++) {
        sent_t s = {.station = 1000u + 7u * (unsigned)i,
                    .psid = V2X_PSID_CAM,
                    .gen_time = t0 + (uint64_t)i * 100000u,
                    .lat = 484000000 + 1234 * i,
                    .lon = 23000000 - 777 * i,
                    .speed = 1300 + 11 * i,
                    .heading = 900 + 13 * i};
        size_t n = signed_cam(&k, &s, i % 2 == 1, spdu);
        char src[32];
        snprintf(src, sizeof src, "vehicle-%d", i);
        add(f, spdu, n, src, 1600000000u + (uint32_t)i);
        sent[n_sent++] = s;
    }
    sent_t d = {.station = 4242,
                .psid = V2X_PSID_DENM,
                .gen_time = t0 + 999u,
                .lat = 484100000,
                .lon = 23100000,
                .speed = -1,
                .heading = -1,
                .denm = true};
    size_t n = signed_denm(&k, &d, spdu);
    add(f, spdu, n, "vehicle-9", 1600000010u);
    sent[n_sent++] = d;

    /* the real CAM, with what the vector says about it */
    uint8_t real[1024];
    size_t rl = v2x_vec_hex("SPDU", real, sizeof real);
    v2x_spdu_t rs;
    cr_assert_eq(v2x_spdu_decode(real, rl, &rs), V2X_OK);
    v2x_gn_t rg;
    const uint8_t *app;
    size_t app_len;
    v2x_cam_t rc;
    cr_assert_eq(v2x_gn_decode(rs.payload, rs.payload_len, &rg, &app, &app_len), V2X_OK);
    cr_assert_eq(v2x_cam_decode(app, app_len, &rc), V2X_OK);
    uint8_t t64[8];
    v2x_vec_hex("GENERATION_TIME64", t64, 8);
    sent[n_sent++] = (sent_t){.station = rc.station_id,
                              .psid = strtoull(v2x_vec_text("PSID"), NULL, 10),
                              .gen_time = sg17_load_be64(t64),
                              .lat = rc.pos.lat,
                              .lon = rc.pos.lon,
                              .speed = rc.speed,
                              .heading = rc.heading};
    add(f, real, rl, "production-car", 1600000020u);

    /* an encrypted emergency warning: dissected as encryptedData, no fields to compare */
    EVP_PKEY *enc = v2x_key_generate(V2X_CURVE_P256);
    v2x_cert_params_t cp;
    v2x_test_params(&cp, "rsu-1", false);
    cp.enc_key = enc;
    uint8_t rcert[V2X_CERT_MAX], ct[V2X_SPDU_MAX];
    size_t rcl, ctl;
    cr_assert_eq(v2x_cert_issue(&cp, k.at_key, k.aa_key, k.aa, k.aa_len, rcert, sizeof rcert, &rcl),
                 V2X_OK);
    v2x_cert_t *rcpt = v2x_cert_new(rcert, rcl, NULL, NULL);
    cr_assert_eq(v2x_encrypt(spdu, n, rcpt, ct, sizeof ct, &ctl), V2X_OK);
    add(f, ct, ctl, "vehicle-9", 1600000030u);
    fclose(f);

    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "tshark -r %s -T fields -E separator=/t -e frame.number -e _ws.malformed "
             "-e _ws.expert.severity -e frame.protocols -e its.stationID -e ieee1609dot2.psid "
             "-e ieee1609dot2.generationTime -e its.latitude -e its.longitude -e its.speedValue "
             "-e its.headingValue -e btpb.dstport -e geonw.src_pos.lat 2>/dev/null",
             path);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char line[4096];
    size_t rows = 0;
    while (fgets(line, sizeof line, p)) {
        char *fl[16];
        size_t nf = split(line, fl, 16);
        cr_assert_geq(nf, 13, "short tshark line");
        size_t row = rows++;
        cr_assert_str_empty(fl[1], "frame %s is malformed", fl[0]);
        /* expert severities: note (0x400000) and chat are fine, warning and error are not */
        for (char *sv = fl[2]; *sv;) {
            unsigned long v = strtoul(sv, &sv, 10);
            cr_assert_lt(v, 0x600000ul, "frame %s has an expert warning/error", fl[0]);
            if (*sv == ',')
                sv++;
            else
                break;
        }
        if (row == n_sent) { /* the encrypted warning */
            cr_assert_not_null(strstr(fl[3], "ieee1609dot2"), "%s", fl[3]);
            continue;
        }
        cr_assert_lt(row, n_sent);
        const sent_t *s = &sent[row];
        cr_assert_not_null(strstr(fl[3], "gnw:ieee1609dot2:btpb:its"), "frame %s: %s", fl[0],
                           fl[3]);
        cr_assert_eq(first(fl[4]), s->station, "frame %s station id", fl[0]);
        cr_assert_eq(first(fl[5]), s->psid, "frame %s PSID", fl[0]);
        cr_assert_eq(first(fl[6]), s->gen_time, "frame %s generation time", fl[0]);
        cr_assert_eq(strtol(fl[7], NULL, 10), s->lat, "frame %s latitude", fl[0]);
        cr_assert_eq(strtol(fl[8], NULL, 10), s->lon, "frame %s longitude", fl[0]);
        if (!s->denm) {
            cr_assert_eq(strtol(fl[9], NULL, 10), s->speed, "frame %s speed", fl[0]);
            cr_assert_eq(strtol(fl[10], NULL, 10), s->heading, "frame %s heading", fl[0]);
        }
        cr_assert_eq(strtol(fl[11], NULL, 10), s->denm ? V2X_BTP_PORT_DENM : V2X_BTP_PORT_CAM);
    }
    cr_assert_eq(pclose(p), 0, "tshark failed");
    cr_assert_eq(rows, n_sent + 1, "tshark read %zu of %zu packets", rows, n_sent + 1);
    v2x_cert_destroy(&rcpt);
    EVP_PKEY_free(enc);
    v2x_test_pki_free(&k);
    unlink(path);
    rmdir(dir);
}
