/* test_sim_enrol.c — pki: bus through the strict mock context: every vehicle enrols at the EA and
 * obtains its whole AT pool from the AA (validated by the EA) before it sends CAMs, which are
 * accepted; garbage to the EA and AA is refused; a request delivered twice is a replay with
 * request_freshness and served twice without it. */
#include <criterion/criterion.h>
#include <string.h>

#include "mock_ctx.h"
#include "sim/v2x_sim.h"

extern const sg17_module_t sg17_module;

static sg17_mock_t *fleet(unsigned vehicles, const char *mit_off)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "vehicle", vehicles);
    sg17_mock_topology(m, "rsu", 1);
    sg17_mock_config(m, "pki", "bus");
    if (mit_off)
        sg17_mock_mitigation(m, mit_off, false);
    cr_assert_eq(sg17_mock_create(m), 0, "%s", sg17_mock_last_log(m));
    sg17_mock_start(m);
    return m;
}

static const sg17_mock_send_t *first_of(sg17_mock_t *m, const char *type)
{
    for (size_t i = 0; i < sg17_mock_send_count(m); i++)
        if (strcmp(sg17_mock_send(m, i)->type, type) == 0)
            return sg17_mock_send(m, i);
    return NULL;
}

Test(v2x_enrol, every_vehicle_gets_its_ec_and_at_pool_over_the_bus_then_sends_cams)
{
    sg17_mock_t *m = fleet(6, NULL);
    sg17_mock_run_until(m, 2 * SG17_SEC);
    vsim_t *s = sg17_mock_instance(m);
    cr_assert_eq(sg17_mock_metric(m, "vehicle.enrolled"), 6);
    cr_assert_eq(sg17_mock_metric(m, "ea.enrolled"), 6);
    cr_assert_eq(sg17_mock_metric(m, "aa.validations"), 12, "one validation per AT (pool 2)");
    cr_assert_eq(sg17_mock_metric(m, "ea.validated"), 12);
    cr_assert_eq(sg17_mock_metric(m, "aa.issued"), 12);
    for (unsigned i = 0; i < 6; i++)
        cr_assert_eq(s->veh[i].n_pool, 2);
    cr_assert_gt(sg17_mock_metric(m, "vehicle.cams_sent"), 6);
    /* each vehicle's first CAM comes after the AA answered its last AT request */
    for (unsigned v = 0; v < 6; v++) {
        size_t at_last = 0, cam_first = SIZE_MAX;
        for (size_t i = 0; i < sg17_mock_send_count(m); i++) {
            const sg17_mock_send_t *x = sg17_mock_send(m, i);
            if (strcmp(x->type, "v2x.at_response") == 0 && x->dst == s->veh[v].e)
                at_last = i;
            if (strcmp(x->type, "v2x.cam") == 0 && x->src == s->veh[v].e && cam_first == SIZE_MAX)
                cam_first = i;
        }
        cr_assert_gt(at_last, 0);
        cr_assert_lt(at_last, cam_first, "vehicle-%u", v);
    }
    size_t acc = 0, rej = 0;
    for (size_t i = 0; i < sg17_mock_report_count(m); i++) {
        const sg17_mock_report_t *r = sg17_mock_report(m, i);
        if (r->accepted)
            acc++;
        else if (r->reason && strcmp(r->reason, "unknown_signer") != 0)
            rej++;
    }
    cr_assert_gt(acc, 30);
    cr_assert_eq(rej, 0, "nothing but first digests unknown is refused");
    sg17_mock_free(m);
}

Test(v2x_enrol, garbage_to_the_authorities_is_refused)
{
    sg17_mock_t *m = fleet(3, NULL);
    static const char *const types[] = {"v2x.ec_request",  "v2x.av_request",  "v2x.at_request",
                                        "v2x.av_response", "v2x.ec_response", "v2x.at_response"};
    static const char *const dsts[] = {"ea-0", "ea-0", "aa-0", "aa-0", "vehicle-0", "vehicle-0"};
    uint8_t junk[80];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 41 + 3);
    junk[0] = 3, junk[1] = 0x82; /* an encryptedData's start */
    for (size_t t = 0; t < 6; t++) {
        const sg17_mock_report_t *r =
            sg17_mock_deliver(m, sg17_mock_entity(m, "vehicle-1"), sg17_mock_entity(m, dsts[t]),
                              types[t], junk, sizeof junk);
        cr_assert_not(r->accepted, "%s", types[t]);
    }
    sg17_mock_free(m);
}

static double replayed(const char *off)
{
    sg17_mock_t *m = fleet(3, off);
    sg17_mock_run_until(m, 50 * SG17_MSEC);
    const sg17_mock_send_t *q = first_of(m, "v2x.at_request");
    cr_assert_not_null(q, "no AT request by 50 ms");
    uint8_t copy[V2X_SPDU_MAX];
    size_t n = q->len;
    sg17_entity_t src = q->src;
    memcpy(copy, q->payload, n);
    sg17_mock_run_until(m, SG17_SEC);
    const sg17_mock_report_t *r =
        sg17_mock_deliver(m, src, sg17_mock_entity(m, "aa-0"), "v2x.at_request", copy, n);
    bool accepted = r->accepted;
    if (!off)
        cr_assert_str_eq(r->reason, "request_replay");
    sg17_mock_run_until(m, 2 * SG17_SEC);
    double twice = sg17_mock_metric(m, "aa.issued") - 6;
    sg17_mock_free(m);
    cr_assert_eq(accepted, off != NULL);
    return twice;
}

Test(v2x_enrol, a_request_delivered_twice_is_served_once_with_request_freshness_only)
{
    cr_assert_eq(replayed(NULL), 0);
    cr_assert_eq(replayed("request_freshness"), 1);
}
