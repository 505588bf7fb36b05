/* test_sim_den.c — the DEN basic service through the strict mock context: a breakdown gives an
 * emergency-brake-light event while the vehicle brakes onto the shoulder, then a stationary-
 * vehicle event repeated unchanged, then its cancellation and silence; an RSU's road works are
 * announced and cancelled; receivers accept all of it, refuse a DENM of a terminated event only
 * with replay_cache, and an insider's false stationary vehicle only with plausibility. The DENMs
 * the simulation sent, framed as Ethernet/GeoNetworking, are dissected by tshark with no
 * malformed packet and the fields that were sent. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mock_ctx.h"
#include "sim/v2x_sim.h"
#include "tools.h"

extern const sg17_module_t sg17_module;

static const char *const hazards[] = {
    "breakdowns", "1", "breakdown_at", "2s", "breakdown_for", "8s",
    "roadworks",  "1", "roadworks_at", "1s", "roadworks_for", "4s",
    NULL,
};

static sg17_mock_t *fleet(const char *const *cfg, const char *mit_off)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "vehicle", 12);
    sg17_mock_topology(m, "rsu", 2);
    for (size_t i = 0; cfg && cfg[i]; i += 2)
        sg17_mock_config(m, cfg[i], cfg[i + 1]);
    if (mit_off)
        sg17_mock_mitigation(m, mit_off, false);
    cr_assert_eq(sg17_mock_create(m), 0, "%s", sg17_mock_last_log(m));
    sg17_mock_start(m);
    return m;
}

/* A DENM send decoded (0: decoded). */
static int denm_of(const sg17_mock_send_t *x, v2x_spdu_t *sp, v2x_denm_t *d)
{
    v2x_gn_t gn;
    const uint8_t *body;
    size_t blen;
    if (strcmp(x->type, "v2x.denm") != 0 || v2x_spdu_decode(x->payload, x->len, sp) != 0
        || sp->content != V2X_CONTENT_SIGNED || sp->psid != V2X_PSID_DENM
        || v2x_gn_decode(sp->payload, sp->payload_len, &gn, &body, &blen) != 0
        || gn.btp_port != V2X_BTP_PORT_DENM)
        return -1;
    return v2x_denm_decode(body, blen, d);
}

/* Distinct transmissions from src (the mock has no multicast: one send per receiver). */
static size_t transmissions(sg17_mock_t *m, const char *src, const sg17_mock_send_t **out,
                            size_t cap)
{
    sg17_entity_t e = sg17_mock_entity(m, src);
    size_t n = 0;
    for (size_t i = 0; i < sg17_mock_send_count(m) && n < cap; i++) {
        const sg17_mock_send_t *x = sg17_mock_send(m, i);
        if (x->src != e || strcmp(x->type, "v2x.denm") != 0)
            continue;
        if (n && out[n - 1]->len == x->len && memcmp(out[n - 1]->payload, x->payload, x->len) == 0)
            continue;
        out[n++] = x;
    }
    return n;
}

static size_t denm_reports(sg17_mock_t *m, bool accepted, const char *reason)
{
    size_t n = 0;
    for (size_t i = 0; i < sg17_mock_report_count(m); i++) {
        const sg17_mock_report_t *r = sg17_mock_report(m, i);
        if (strcmp(r->type, "v2x.denm") != 0 || r->accepted != accepted)
            continue;
        n += !reason || (r->reason && strcmp(r->reason, reason) == 0);
    }
    return n;
}

Test(v2x_den, a_breakdown_is_braking_then_a_repeated_stationary_vehicle_then_its_cancellation)
{
    sg17_mock_t *m = fleet(hazards, NULL);
    sg17_mock_run_until(m, 14 * SG17_SEC);
    vsim_t *s = sg17_mock_instance(m);
    vsim_vehicle_t *v = &s->veh[11];
    sg17_time_t stop = vsim_vehicle_stop_time(s, v);
    cr_assert_gt(stop, 2 * SG17_SEC);
    cr_assert_lt(stop, 10 * SG17_SEC);
    /* the kinematic model: standing on the shoulder, beside its lane */
    double x0, y0, x1, y1, sp, hd, sp1, hd1;
    vsim_vehicle_state(s, v, stop + SG17_SEC, &x0, &y0, &sp, &hd);
    vsim_vehicle_state(s, v, stop + 3 * SG17_SEC, &x1, &y1, &sp1, &hd1);
    cr_assert_eq(sp, 0);
    cr_assert_lt(vsim_distance(x0, y0, x1, y1), 1e-9);
    cr_assert_float_eq(hypot(x0, y0), s->ring_r - (s->cfg.lanes + 0.5) * VSIM_LANE_WIDTH, 1e-6,
                       "vehicle-11 drives the inner carriageway: its shoulder is inside");

    const sg17_mock_send_t *tx[64];
    size_t n = transmissions(m, "vehicle-11", tx, 64);
    cr_assert_geq(n, 6);
    v2x_spdu_t spdu;
    v2x_denm_t d, first94 = {0};
    unsigned eebl = 0, standing = 0, term = 0;
    uint16_t seq99 = 0;
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(denm_of(tx[i], &spdu, &d), 0, "transmission %zu does not decode", i);
        cr_assert_eq(d.orig_station_id, v->station);
        cr_assert(d.has_transmission_interval && d.transmission_interval == 1000);
        if (d.has_termination) {
            cr_assert_geq(tx[i]->at, v->gone_at);
            cr_assert_eq(d.termination, 0, "isCancellation");
            cr_assert_not(d.has_situation);
            cr_assert_eq(d.sequence_number, first94.sequence_number, "the same actionID");
            cr_assert_gt(d.reference_time, first94.reference_time);
            term++;
        } else if (d.cause == 99) {
            cr_assert_eq(d.sub_cause, 1);
            cr_assert_lt(tx[i]->at, stop);
            seq99 = d.sequence_number;
            eebl++;
        } else {
            cr_assert_eq(d.cause, 94);
            cr_assert_eq(d.sub_cause, 2);
            cr_assert_geq(tx[i]->at, stop);
            cr_assert_lt(tx[i]->at, v->gone_at);
            if (!standing++)
                first94 = d;
            /* a repetition: the same event, detection and reference time unchanged */
            cr_assert_eq(d.sequence_number, first94.sequence_number);
            cr_assert_eq(d.reference_time, first94.reference_time);
            cr_assert_eq(d.detection_time, first94.detection_time);
            cr_assert_eq(d.event_pos.lat, first94.event_pos.lat);
            cr_assert_eq(d.validity_duration, 60);
        }
    }
    cr_assert_geq(eebl, 1);
    cr_assert_geq(standing, 2);
    cr_assert_eq(term, 3);
    cr_assert_neq(seq99, first94.sequence_number, "two events, two actionIDs");
    /* towed away: no CAM after it */
    for (size_t i = 0; i < sg17_mock_send_count(m); i++) {
        const sg17_mock_send_t *x = sg17_mock_send(m, i);
        cr_assert(!(x->src == v->e && strcmp(x->type, "v2x.cam") == 0 && x->at >= v->gone_at));
    }
    /* the road works of rsu-0: announced as an RSU, then cancelled */
    n = transmissions(m, "rsu-0", tx, 64);
    cr_assert_geq(n, 4);
    cr_assert_eq(denm_of(tx[0], &spdu, &d), 0);
    cr_assert_eq(d.station_type, V2X_STATION_RSU);
    cr_assert_eq(d.cause, 3);
    cr_assert_eq(d.validity_duration, 4);
    cr_assert_eq(denm_of(tx[n - 1], &spdu, &d), 0);
    cr_assert(d.has_termination);
    /* every receiver took all of it */
    cr_assert_gt(denm_reports(m, true, NULL), 20);
    cr_assert_eq(denm_reports(m, false, NULL), 0);
    cr_assert_gt(sg17_mock_metric(m, "den.warnings"), 0);
    cr_assert_gt(sg17_mock_metric(m, "den.cleared"), 0);
    cr_assert_eq(sg17_mock_metric(m, "den.events"), 3);
    sg17_mock_free(m);
}

/* The last stationary-vehicle DENM before the cancellation, redelivered after it to a vehicle
 * that heard the cancellation. */
static const sg17_mock_report_t *replay_after_termination(sg17_mock_t *m)
{
    sg17_mock_run_until(m, 10500 * SG17_MSEC);
    vsim_t *s = sg17_mock_instance(m);
    const sg17_mock_send_t *last = NULL, *term = NULL;
    for (size_t i = 0; i < sg17_mock_send_count(m); i++) {
        const sg17_mock_send_t *x = sg17_mock_send(m, i);
        v2x_spdu_t sp;
        v2x_denm_t d;
        if (x->src != s->veh[11].e || denm_of(x, &sp, &d) != 0)
            continue;
        if (d.has_termination && !term)
            term = x;
        else if (!d.has_termination && d.cause == 94)
            last = x;
    }
    cr_assert(last && term);
    cr_assert_lt(sg17_mock_now(m) - last->at, 2 * SG17_SEC, "inside the freshness window");
    return sg17_mock_deliver(m, last->src, term->dst, "v2x.denm", last->payload, last->len);
}

Test(v2x_den, a_denm_after_its_events_termination_is_refused_only_with_the_replay_cache)
{
    sg17_mock_t *m = fleet(hazards, NULL);
    const sg17_mock_report_t *r = replay_after_termination(m);
    cr_assert_not(r->accepted);
    cr_assert_str_eq(r->reason, "terminated");
    sg17_mock_free(m);
    m = fleet(hazards, "replay_cache");
    r = replay_after_termination(m);
    cr_assert(r->accepted, "without the check the event comes back: %s", r->reason);
    sg17_mock_free(m);
}

static void fake_stationary(const char *mit_off, size_t *accepted, size_t *flagged)
{
    sg17_mock_t *m = fleet(NULL, mit_off);
    sg17_mock_run_until(m, 3 * SG17_SEC);
    sg17_mock_compromise(m, sg17_mock_entity(m, "vehicle-2"));
    const char *p[] = {"kind", "fake_stationary", "vehicle", "2", "ahead",
                       "150",  "count",           "5",       NULL};
    cr_assert_eq(sg17_mock_attack(m, "denm", p, NULL, 0), 0, "%s", sg17_mock_last_log(m));
    sg17_mock_run_until(m, 9 * SG17_SEC);
    cr_assert_eq(sg17_mock_metric(m, "attacker.fake_denms"), 5);
    *accepted = denm_reports(m, true, NULL);
    *flagged = denm_reports(m, false, "implausible_event");
    sg17_mock_free(m);
}

Test(v2x_den, an_insiders_false_stationary_vehicle_is_refused_only_with_plausibility)
{
    size_t acc, flagged;
    fake_stationary(NULL, &acc, &flagged);
    cr_assert_gt(flagged, 5);
    cr_assert_lt(acc, flagged / 4 + 1, "%zu accepted, %zu flagged", acc, flagged);
    fake_stationary("plausibility", &acc, &flagged);
    cr_assert_gt(acc, 5);
    cr_assert_eq(flagged, 0);
}

Test(v2x_den, denm_attack_refuses_an_honest_vehicle_and_an_unknown_kind)
{
    sg17_mock_t *m = fleet(NULL, NULL);
    const char *p[] = {"vehicle", "2", NULL};
    cr_assert_eq(sg17_mock_attack(m, "denm", p, NULL, 0), -1);
    cr_assert(strstr(sg17_mock_last_log(m), "compromised"));
    const char *q[] = {"kind", "nonsense", NULL};
    cr_assert_eq(sg17_mock_attack(m, "denm", q, NULL, 0), -1);
    const char *r[] = {"kind", "replay", NULL};
    cr_assert_eq(sg17_mock_attack(m, "denm", r, NULL, 0), -1);
    sg17_mock_free(m);
}

/* ---- tshark ---- */

static void pcap_u32s(FILE *f, const uint32_t *v, size_t n)
{
    cr_assert_eq(fwrite(v, sizeof *v, n, f), n);
}

Test(v2x_den, the_simulations_denms_dissect_in_tshark_with_what_was_sent)
{
    if (system("command -v tshark >/dev/null 2>&1") != 0)
        cr_skip_test("tshark not installed: apt-get install tshark");
    sg17_mock_t *m = fleet(hazards, NULL);
    sg17_mock_run_until(m, 14 * SG17_SEC);
    char dir[] = "/tmp/v2x-den-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/den.pcap", dir);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    const uint32_t hdr[6] = {0xa1b2c3d4u, 2u | 4u << 16, 0, 0, 65535, 1};
    pcap_u32s(f, hdr, 6);
    const sg17_mock_send_t *tx[128];
    size_t n = transmissions(m, "vehicle-11", tx, 64);
    n += transmissions(m, "rsu-0", tx + n, 64);
    cr_assert_geq(n, 10);
    for (size_t i = 0; i < n; i++) {
        uint8_t frame[4096];
        uint32_t lt = 0;
        sg17_msg_t msg = {.type = "v2x.denm", .payload = tx[i]->payload, .len = tx[i]->len};
        size_t fl = v2x_trace_frame(&msg, "src", "dst", frame, sizeof frame, &lt);
        cr_assert(fl > 0 && fl <= sizeof frame);
        const uint32_t ph[4] = {1700000000u + (uint32_t)i, 0, (uint32_t)fl, (uint32_t)fl};
        pcap_u32s(f, ph, 4);
        cr_assert_eq(fwrite(frame, fl, 1, f), 1);
    }
    fclose(f);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "tshark -r %s -T fields -E separator=/t -e frame.number -e _ws.malformed "
             "-e _ws.expert.severity -e frame.protocols -e its.stationID -e ieee1609dot2.psid "
             "-e ieee1609dot2.generationTime -e its.originatingStationID -e its.sequenceNumber "
             "-e its.causeCode -e its.subCauseCode -e its.latitude 2>/dev/null",
             path);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char line[4096];
    size_t rows = 0;
    vsim_t *s = sg17_mock_instance(m);
    while (fgets(line, sizeof line, p)) {
        char *fld[16];
        size_t nf = 0;
        line[strcspn(line, "\r\n")] = '\0';
        for (char *q = line; nf < 16;) {
            fld[nf++] = q;
            char *t = strchr(q, '\t');
            if (!t)
                break;
            *t = '\0';
            q = t + 1;
        }
        cr_assert_geq(nf, 12);
        cr_assert_lt(rows, n);
        const sg17_mock_send_t *x = tx[rows++];
        cr_assert_str_empty(fld[1], "frame %s is malformed", fld[0]);
        for (char *sv = fld[2]; *sv;) {
            unsigned long sev = strtoul(sv, &sv, 10);
            cr_assert_lt(sev, 0x600000ul, "frame %s has an expert warning/error", fld[0]);
            if (*sv != ',')
                break;
            sv++;
        }
        cr_assert_not_null(strstr(fld[3], "gnw:ieee1609dot2:btpb:its"), "%s", fld[3]);
        v2x_spdu_t sp;
        v2x_denm_t d;
        cr_assert_eq(denm_of(x, &sp, &d), 0);
        cr_assert_eq(strtoull(fld[4], NULL, 10), d.station_id);
        cr_assert_eq(strtoull(fld[5], NULL, 10), V2X_PSID_DENM);
        cr_assert_eq(strtoull(fld[6], NULL, 10), vsim_time64(s, x->at));
        cr_assert_eq(strtoull(fld[7], NULL, 10), d.orig_station_id);
        cr_assert_eq(strtoull(fld[8], NULL, 10), d.sequence_number);
        if (d.has_situation) {
            cr_assert_eq(strtoul(fld[9], NULL, 10), d.cause, "frame %s cause", fld[0]);
            cr_assert_eq(strtoul(fld[10], NULL, 10), d.sub_cause);
        } else {
            cr_assert_str_empty(fld[9], "a termination carries no situation");
        }
        cr_assert_eq(strtol(fld[11], NULL, 10), d.event_pos.lat, "frame %s event latitude", fld[0]);
    }
    cr_assert_eq(pclose(p), 0, "tshark failed");
    cr_assert_eq(rows, n, "tshark read %zu of %zu packets", rows, n);
    unlink(path);
    rmdir(dir);
    sg17_mock_free(m);
}
