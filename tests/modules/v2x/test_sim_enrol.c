/* test_sim_enrol.c — pki: bus through the strict mock context: every vehicle enrols at the EA and
 * obtains its whole AT pool from the AA (validated by the EA) before it sends CAMs, which are
 * accepted; garbage to the EA and AA is refused; a request delivered twice is a replay with
 * request_freshness and served twice without it; the EA refuses a replayed, stale or altered EC
 * request, an unregistered canonical id ("obu-" and the index in 12 digits, as enrol.c names
 * them) and a registered one signed with another key. */
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

/* Runs m until `until`, then copies the first `type` message sent so far into copy (of
 * V2X_SPDU_MAX octets): its length, and its sender into *src. */
static size_t capture(sg17_mock_t *m, sg17_time_t until, const char *type, uint8_t *copy,
                      sg17_entity_t *src)
{
    sg17_mock_run_until(m, until);
    const sg17_mock_send_t *q = first_of(m, type);
    cr_assert_not_null(q, "no %s by %lld ns", type, (long long)until);
    cr_assert_leq(q->len, V2X_SPDU_MAX);
    memcpy(copy, q->payload, q->len);
    *src = q->src;
    return q->len;
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
    uint8_t copy[V2X_SPDU_MAX];
    sg17_entity_t src;
    size_t n = capture(m, 50 * SG17_MSEC, "v2x.at_request", copy, &src);
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

Test(v2x_enrol, the_ea_refuses_an_ec_request_seen_before_or_older_than_the_window)
{
    sg17_mock_t *m = fleet(3, NULL);
    uint8_t copy[V2X_SPDU_MAX];
    sg17_entity_t src, ea = sg17_mock_entity(m, "ea-0");
    size_t n = capture(m, 5 * SG17_MSEC, "v2x.ec_request", copy, &src);
    sg17_mock_run_until(m, SG17_SEC);
    double enrolled = sg17_mock_metric(m, "ea.enrolled");
    const sg17_mock_report_t *r = sg17_mock_deliver(m, src, ea, "v2x.ec_request", copy, n);
    cr_assert_str_eq(r->reason, "request_replay");
    sg17_mock_run_until(m, 12 * SG17_SEC); /* past the 10 s request window */
    r = sg17_mock_deliver(m, src, ea, "v2x.ec_request", copy, n);
    cr_assert_str_eq(r->reason, "request_stale");
    cr_assert_eq(sg17_mock_metric(m, "ea.enrolled"), enrolled, "no EC issued twice");
    copy[n / 2] ^= 0x10; /* inside the ciphertext: the CCM tag fails */
    r = sg17_mock_deliver(m, src, ea, "v2x.ec_request", copy, n);
    cr_assert_str_eq(r->reason, "decrypt");
    sg17_mock_free(m);
}

/* An EC request as a device would build it, for the canonical id `id`, signed with `canonical`
 * and encrypted to the run's EA. */
static size_t ec_request(vsim_t *s, const char *id, EVP_PKEY *canonical, uint8_t *out)
{
    EVP_PKEY *ec = v2x_key_generate(V2X_CURVE_P256);
    cr_assert_not_null(ec);
    v2x_pki_ec_request_t q = {.its_id = (const uint8_t *)id,
                              .its_id_len = strlen(id),
                              .cert_format = V2X_PKI_CERT_FORMAT};
    q.attrs.n_psids = 1;
    q.attrs.psids[0].psid = V2X_PSID_CERT_REQUEST;
    cr_assert_eq(v2x_pki_key_of(ec, &q.key), V2X_OK);
    uint8_t inner[256], pop[V2X_SPDU_MAX], data[V2X_SPDU_MAX], outer[V2X_SPDU_MAX];
    size_t ni = 0, np = 0, nd = 0, no = 0, n = 0;
    v2x_sign_params_t sp = {.psid = V2X_PSID_CERT_REQUEST,
                            .generation_time = vsim_time64(s, SG17_SEC),
                            .signer = V2X_SIGNER_SELF};
    cr_assert_eq(v2x_pki_ec_request_encode(&q, inner, sizeof inner, &ni), V2X_OK);
    cr_assert_eq(v2x_spdu_sign(&sp, inner, ni, ec, NULL, 0, pop, sizeof pop, &np), V2X_OK);
    v2x_pki_data_t d = {.content = V2X_PKI_ENROL_REQUEST, .pop = pop, .pop_len = np};
    cr_assert_eq(v2x_pki_encode(&d, data, sizeof data, &nd), V2X_OK);
    cr_assert_eq(v2x_spdu_sign(&sp, data, nd, canonical, NULL, 0, outer, sizeof outer, &no),
                 V2X_OK);
    const v2x_cert_t *to = vsim_signer_cert(s, &s->ea_s);
    cr_assert_not_null(to);
    cr_assert_eq(v2x_encrypt(outer, no, to, out, V2X_SPDU_MAX, &n), V2X_OK);
    EVP_PKEY_free(ec);
    return n;
}

Test(v2x_enrol, the_ea_enrols_only_registered_ids_whose_canonical_key_signed)
{
    sg17_mock_t *m = fleet(3, NULL);
    sg17_mock_run_until(m, SG17_SEC);
    vsim_t *s = sg17_mock_instance(m);
    EVP_PKEY *stranger = v2x_key_generate(V2X_CURVE_P256);
    cr_assert_not_null(stranger);
    uint8_t msg[V2X_SPDU_MAX];
    sg17_entity_t src = sg17_mock_entity(m, "vehicle-2"), ea = sg17_mock_entity(m, "ea-0");
    size_t n = ec_request(s, "obu-999999999999", stranger, msg);
    const sg17_mock_report_t *r = sg17_mock_deliver(m, src, ea, "v2x.ec_request", msg, n);
    cr_assert_str_eq(r->reason, "unknown_its");
    n = ec_request(s, "obu-000000000002", stranger, msg); /* registered, wrong canonical key */
    r = sg17_mock_deliver(m, src, ea, "v2x.ec_request", msg, n);
    cr_assert_str_eq(r->reason, "signature");
    cr_assert_eq(sg17_mock_metric(m, "ea.enrolled"), 3);
    EVP_PKEY_free(stranger);
    sg17_mock_free(m);
}
