/* test_sim.c — the v2x system under test through the strict mock context: vehicles beacon signed
 * CAMs only to neighbours in radio range, receivers accept genuine traffic and refuse a flipped
 * bit, a replay, a stale CAM, an unsigned CAM, an implausible insider and an unauthorised platoon
 * join each for the reason its check gives, and the same seed gives the same run. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mock_ctx.h"
#include "sim/v2x_sim.h"

extern const sg17_module_t sg17_module;

static sg17_mock_t *fleet(unsigned vehicles, const char *const *cfg, const char *const *mit_off)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "vehicle", vehicles);
    sg17_mock_topology(m, "rsu", 1);
    for (size_t i = 0; cfg && cfg[i]; i += 2)
        sg17_mock_config(m, cfg[i], cfg[i + 1]);
    for (size_t i = 0; mit_off && mit_off[i]; i++)
        sg17_mock_mitigation(m, mit_off[i], false);
    cr_assert_eq(sg17_mock_create(m), 0, "%s", sg17_mock_last_log(m));
    sg17_mock_start(m);
    return m;
}

/* The first CAM vehicle `src` sent that carried its full certificate (signer = certificate). */
static const sg17_mock_send_t *cam_of(sg17_mock_t *m, const char *src, bool with_cert)
{
    sg17_entity_t e = sg17_mock_entity(m, src);
    for (size_t i = 0; i < sg17_mock_send_count(m); i++) {
        const sg17_mock_send_t *s = sg17_mock_send(m, i);
        v2x_spdu_t sp;
        if (s->src != e || strcmp(s->type, "v2x.cam") != 0
            || v2x_spdu_decode(s->payload, s->len, &sp) != 0)
            continue;
        if ((sp.signer == V2X_SIGNER_CERTIFICATE) == with_cert)
            return s;
    }
    return NULL;
}

static size_t count_reason(sg17_mock_t *m, const char *reason)
{
    size_t n = 0;
    for (size_t i = 0; i < sg17_mock_report_count(m); i++) {
        const sg17_mock_report_t *r = sg17_mock_report(m, i);
        n += reason ? (r->reason && strcmp(r->reason, reason) == 0) : r->accepted;
    }
    return n;
}

Test(v2x_sim, genuine_cams_are_signed_broadcast_in_range_and_accepted)
{
    sg17_mock_t *m = fleet(12, NULL, NULL);
    sg17_mock_run_until(m, 4 * SG17_SEC);
    vsim_t *s = sg17_mock_instance(m);
    cr_assert_gt(sg17_mock_metric(m, "vehicle.cams_sent"), 12 * 7);
    size_t cams = 0;
    for (size_t i = 0; i < sg17_mock_send_count(m); i++) {
        const sg17_mock_send_t *x = sg17_mock_send(m, i);
        if (strcmp(x->type, "v2x.cam") != 0)
            continue;
        cams++;
        /* every receiver is a vehicle within radio range of the sender when it sent */
        unsigned a = sg17_entity_index(sg17_mock_ctx(m), x->src);
        unsigned b = sg17_entity_index(sg17_mock_ctx(m), x->dst);
        double ax, ay, bx, by, sp, hd;
        vsim_vehicle_state(s, &s->veh[a], x->at, &ax, &ay, &sp, &hd);
        vsim_vehicle_state(s, &s->veh[b], x->at, &bx, &by, &sp, &hd);
        cr_assert_leq(vsim_distance(ax, ay, bx, by), s->cfg.radio_range + 1e-6);
        v2x_spdu_t spdu;
        cr_assert_eq(v2x_spdu_decode(x->payload, x->len, &spdu), 0);
        cr_assert_eq(spdu.content, V2X_CONTENT_SIGNED);
        cr_assert_eq(spdu.psid, V2X_PSID_CAM);
    }
    cr_assert_gt(cams, 0);
    /* the only refusals of honest traffic: a digest signer heard before its certificate */
    size_t accepted = count_reason(m, NULL), unknown = count_reason(m, "unknown_signer");
    cr_assert_eq(accepted + unknown, sg17_mock_report_count(m));
    cr_assert_geq(accepted, 0.9 * (double)sg17_mock_report_count(m));
    sg17_mock_free(m);
}

Test(v2x_sim, a_flipped_bit_fails_the_signature_and_passes_without_verification)
{
    for (int verify = 1; verify >= 0; verify--) {
        /* (the receiver already has this CAM: without verification only the replay check would
         * notice the copy, so it is off too) */
        const char *off[] = {"signature_verification", "replay_cache", NULL};
        sg17_mock_t *m = fleet(8, NULL, verify ? NULL : off);
        sg17_mock_run_until(m, 1500 * SG17_MSEC);
        const sg17_mock_send_t *c = cam_of(m, "vehicle-2", true);
        cr_assert_not_null(c);
        uint8_t bad[V2X_SPDU_MAX];
        memcpy(bad, c->payload, c->len);
        bad[c->len - 5] ^= 0x01; /* inside s of the signature */
        const sg17_mock_report_t *r = sg17_mock_deliver(m, c->src, c->dst, "v2x.cam", bad, c->len);
        if (verify)
            cr_assert_str_eq(r->reason, "signature");
        else
            cr_assert(r->accepted, "without verification the altered CAM is taken: %s",
                      r->reason ? r->reason : "");
        sg17_mock_free(m);
    }
}

Test(v2x_sim, a_cam_delivered_twice_is_a_replay_for_that_receiver)
{
    sg17_mock_t *m = fleet(8, NULL, NULL);
    sg17_mock_run_until(m, 2 * SG17_SEC);
    const sg17_mock_send_t *c = cam_of(m, "vehicle-1", true);
    cr_assert_not_null(c);
    const sg17_mock_report_t *r =
        sg17_mock_deliver(m, c->src, c->dst, "v2x.cam", c->payload, c->len);
    cr_assert_str_eq(r->reason, "replay");
    sg17_mock_free(m);
}

Test(v2x_sim, a_cam_older_than_the_freshness_window_is_stale)
{
    sg17_mock_t *m = fleet(8, NULL, NULL);
    sg17_mock_run_until(m, 800 * SG17_MSEC);
    const sg17_mock_send_t *c = cam_of(m, "vehicle-3", true);
    cr_assert_not_null(c);
    uint8_t copy[V2X_SPDU_MAX];
    size_t len = c->len;
    sg17_entity_t src = c->src;
    memcpy(copy, c->payload, len);
    sg17_mock_run_until(m, 3500 * SG17_MSEC);
    /* the freshness check comes before the per-sender duplicate check */
    const sg17_mock_report_t *r =
        sg17_mock_deliver(m, src, sg17_mock_entity(m, "vehicle-0"), "v2x.cam", copy, len);
    cr_assert_str_eq(r->reason, "stale");
    sg17_mock_free(m);
}

Test(v2x_sim, an_unsigned_cam_is_refused_only_with_signature_verification)
{
    sg17_mock_t *m = fleet(8, NULL, NULL);
    sg17_mock_run_until(m, 500 * SG17_MSEC);
    vsim_t *s = sg17_mock_instance(m);
    vsim_cam_t c;
    vsim_vehicle_cam(s, &s->veh[5], 500 * SG17_MSEC, &c);
    uint8_t buf[V2X_SPDU_MAX];
    size_t len = 0;
    cr_assert_eq(vsim_cam_unsecured(s, &c, buf, sizeof buf, &len), 0);
    const sg17_mock_report_t *r =
        sg17_mock_deliver(m, s->veh[5].e, s->veh[6].e, "v2x.cam", buf, len);
    cr_assert_str_eq(r->reason, "unsigned");
    sg17_mock_free(m);
}

Test(v2x_sim, garbage_is_malformed_and_never_crashes)
{
    sg17_mock_t *m = fleet(4, NULL, NULL);
    static const char *const types[] = {"v2x.cam",          "v2x.denm", "v2x.crl",
                                        "v2x.platoon_join", "v2x.mbr",  "v2x.revoke"};
    uint8_t junk[64];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    for (size_t t = 0; t < 6; t++) {
        const char *dst = t == 4 ? "ma-0" : t == 5 ? "aa-0" : "vehicle-0";
        const sg17_mock_report_t *r =
            sg17_mock_deliver(m, sg17_mock_entity(m, "vehicle-1"), sg17_mock_entity(m, dst),
                              types[t], junk, sizeof junk);
        cr_assert_not(r->accepted, "%s", types[t]);
    }
    sg17_mock_free(m);
}

Test(v2x_sim, an_insider_800m_off_is_flagged_by_the_range_check)
{
    sg17_mock_t *m = fleet(10, NULL, NULL);
    sg17_mock_run_until(m, 2 * SG17_SEC);
    sg17_mock_compromise(m, sg17_mock_entity(m, "vehicle-4"));
    const char *p[] = {"vehicle", "4", "type", "2", "magnitude", "800", NULL};
    cr_assert_eq(sg17_mock_attack(m, "misbehave", p, NULL, 0), 0, "%s", sg17_mock_last_log(m));
    sg17_mock_run_until(m, 6 * SG17_SEC);
    sg17_mock_finish(m);
    cr_assert_gt(count_reason(m, "implausible_range"), 0);
    cr_assert_gt(sg17_mock_metric(m, "mbd.recall"), 0.5);
    cr_assert_gt(sg17_mock_metric(m, "mbd.precision"), 0.5);
    sg17_mock_free(m);
}

Test(v2x_sim, misbehave_refuses_a_vehicle_that_was_not_compromised)
{
    sg17_mock_t *m = fleet(4, NULL, NULL);
    const char *p[] = {"vehicle", "1", "type", "3", NULL};
    cr_assert_eq(sg17_mock_attack(m, "misbehave", p, NULL, 0), -1);
    cr_assert(strstr(sg17_mock_last_log(m), "compromised"));
    sg17_mock_free(m);
}

Test(v2x_sim, an_unsigned_platoon_join_is_refused_with_platoon_auth)
{
    const char *cfg[] = {"platoon_joiners", "2", NULL};
    sg17_mock_t *m = fleet(6, cfg, NULL);
    sg17_mock_run_until(m, 2 * SG17_SEC);
    cr_assert_eq(sg17_mock_metric(m, "platoon.members"), 2, "the two joiners with the SSP");
    const char *p[] = {"with", "unsigned", NULL};
    cr_assert_eq(sg17_mock_attack(m, "platoon_join", p, NULL, 0), 0);
    const char *q[] = {"with", "own_at", "vehicle", "5", NULL};
    cr_assert_eq(sg17_mock_attack(m, "platoon_join", q, NULL, 0), 0);
    sg17_mock_run_until(m, 3 * SG17_SEC);
    cr_assert_eq(count_reason(m, "unsigned"), 1);
    cr_assert_eq(count_reason(m, "platoon_unauthorised"), 1);
    cr_assert_eq(sg17_mock_metric(m, "platoon.members"), 2);
    sg17_mock_free(m);
}

Test(v2x_sim, the_same_seed_gives_the_same_run)
{
    double sent[2], acc[2];
    for (int k = 0; k < 2; k++) {
        sg17_mock_t *m = fleet(10, NULL, NULL);
        sg17_mock_run_until(m, 3 * SG17_SEC);
        sent[k] = (double)sg17_mock_send_count(m);
        acc[k] = (double)count_reason(m, NULL);
        sg17_mock_free(m);
    }
    cr_assert_eq(sent[0], sent[1]);
    cr_assert_eq(acc[0], acc[1]);
}
