/* test_entities.c — the metering entities on the strict mock context (tests/support/mock_ctx.h):
 * the configuration the core fills from the descriptor drives them, each kind's handler answers
 * its messages, operators receive nothing, and the head-end's keyed receive path refuses a replay
 * exactly as the invocation counter requires. */
#include <criterion/criterion.h>
#include <string.h>

#include <sg17tb/module.h>

#include "mock_ctx.h"
#include "sim/metering_sim.h"

extern const sg17_module_t sg17_module;

/* A run of three meters (everything else as declared by default), started and played until t. */
static sg17_mock_t *run_until(sg17_time_t t, const char *reading_interval)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "meter", 3);
    if (reading_interval)
        sg17_mock_config(m, "reading_interval", reading_interval);
    cr_assert_eq(sg17_mock_create(m), 0, "%s", sg17_mock_last_log(m));
    sg17_mock_start(m);
    sg17_mock_run_until(m, t);
    return m;
}

/* The first reading meter i pushed (NULL if none). */
static const sg17_mock_send_t *first_reading(sg17_mock_t *m, unsigned i)
{
    char name[16];
    snprintf(name, sizeof name, "meter-%u", i);
    sg17_entity_t e = sg17_mock_entity(m, name);
    for (size_t k = 0; k < sg17_mock_send_count(m); k++) {
        const sg17_mock_send_t *s = sg17_mock_send(m, k);
        if (s->src == e && strcmp(s->type, "metering.reading") == 0)
            return s;
    }
    return NULL;
}

Test(metering_entities, reading_interval_from_the_config_struct_sets_each_meters_pace)
{
    sg17_mock_t *m = run_until(SG17_HOUR - SG17_SEC, "15min");
    cr_assert_eq(sg17_mock_metric(m, "meter.readings_sent"), 3 * 4, "%g",
                 sg17_mock_metric(m, "meter.readings_sent"));
    sg17_mock_free(m);
    m = run_until(SG17_HOUR - SG17_SEC, "5min");
    cr_assert_eq(sg17_mock_metric(m, "meter.readings_sent"), 3 * 12);
    sg17_mock_free(m);
}

Test(metering_entities, head_end_accepts_each_meters_readings_and_completes_hls)
{
    sg17_mock_t *m = run_until(SG17_HOUR - SG17_SEC, NULL);
    cr_assert_eq(sg17_mock_metric(m, "hes.associations"), 3);
    cr_assert_eq(sg17_mock_metric(m, "hes.readings_accepted"),
                 sg17_mock_metric(m, "meter.readings_sent"));
    cr_assert_eq(sg17_mock_metric(m, "hes.security_alarms"), 0);
    sg17_mock_free(m);
}

Test(metering_entities, replayed_reading_is_refused_by_the_keyed_head_end_path)
{
    sg17_mock_t *m = run_until(20 * SG17_MIN, NULL);
    const sg17_mock_send_t *r = first_reading(m, 1);
    cr_assert_not_null(r);
    uint8_t frame[MSIM_FRAME_CAP];
    size_t len = r->len;
    memcpy(frame, r->payload, len);
    const sg17_mock_report_t *rep =
        sg17_mock_deliver(m, sg17_mock_entity(m, "meter-1"), sg17_mock_entity(m, "hes-0"),
                          "metering.reading", frame, len);
    cr_assert_not(rep->accepted);
    cr_assert_str_eq(rep->reason, "replay");
    sg17_mock_free(m);
}

Test(metering_entities, a_message_to_an_operator_is_refused_by_the_core_as_no_receiver)
{
    sg17_mock_t *m = run_until(0, NULL);
    static const uint8_t any[] = {0x0F};
    const sg17_mock_report_t *rep =
        sg17_mock_deliver(m, sg17_mock_entity(m, "hes-0"), sg17_mock_entity(m, "operator-0"),
                          "metering.response", any, sizeof any);
    cr_assert_not(rep->accepted);
    cr_assert_str_eq(rep->reason, "no_receiver");
    sg17_mock_free(m);
}

Test(metering_entities, every_attack_runs_with_its_declared_parameters)
{
    sg17_mock_t *m = run_until(30 * SG17_MIN, NULL);
    sg17_mock_compromise(m, sg17_mock_entity(m, "meter-2"));
    sg17_mock_compromise(m, sg17_mock_entity(m, "operator-0"));
    sg17_mock_compromise(m, sg17_mock_entity(m, "hes-0"));
    sg17_mock_compromise(m, sg17_mock_entity(m, "thirdparty-0"));
    static const char *const false_data[] = {"entity", "meter-2", "factor", "0.5", NULL};
    static const char *const extract[] = {"entity", "meter-0", NULL};
    static const char *const forge[] = {"command", "disconnect", "meters", "2", NULL};
    static const char *const impersonate[] = {"victim", "meter-1", "count", "3", NULL};
    static const char *const inject[] = {"meter", "meter-0", "count", "2", NULL};
    static const char *const meters[] = {"meters", "3", NULL};
    static const char *const mass[] = {"operator", "operator-0", "meters", "3", NULL};
    static const char *const tamper[] = {"from", "0s", "to", "1h", NULL};
    cr_assert_eq(sg17_mock_attack(m, "false_data", false_data, NULL, 0), 0);
    cr_assert_eq(sg17_mock_attack(m, "extract_key", extract, NULL, 0), 0);
    cr_assert_eq(sg17_mock_attack(m, "forge_command", forge, NULL, 0), 0);
    cr_assert_eq(sg17_mock_attack(m, "rogue_hes", meters, NULL, 0), 0);
    cr_assert_eq(sg17_mock_attack(m, "impersonate_meter", impersonate, NULL, 0), 0);
    cr_assert_eq(sg17_mock_attack(m, "inject_reading", inject, NULL, 0), 0);
    cr_assert_eq(sg17_mock_attack(m, "malicious_firmware", meters, NULL, 0), 0);
    cr_assert_eq(sg17_mock_attack(m, "mass_disconnect", mass, NULL, 0), 0);
    cr_assert_eq(sg17_mock_attack(m, "overcollect", NULL, NULL, 0), 0);
    cr_assert_eq(sg17_mock_attack(m, "tamper_audit_log", tamper, NULL, 0), 0);
    size_t injected = 0, n_readings = 0;
    sg17_msg_t captured[64];
    for (size_t k = 0; k < sg17_mock_send_count(m); k++) {
        const sg17_mock_send_t *x = sg17_mock_send(m, k);
        injected += x->injected;
        if (!x->injected && strcmp(x->type, "metering.reading") == 0 && n_readings < 64)
            captured[n_readings++] = (sg17_msg_t){.id = k + 1,
                                                  .dst = x->dst,
                                                  .claimed_src = x->src,
                                                  .type = x->type,
                                                  .payload = x->payload,
                                                  .len = x->len,
                                                  .sent_at = x->at};
    }
    static const char *const infer[] = {"capture", "readings", NULL};
    cr_assert_eq(sg17_mock_attack(m, "infer_occupancy", infer, captured, n_readings), 0);
    cr_assert_eq(sg17_mock_metric(m, "privacy.readings_observed"), n_readings);
    /* forge 2 + rogue 3 + impersonate 3 + inject 2 + firmware 3 */
    cr_assert_eq(injected, 2 + 3 + 3 + 2 + 3);
    sg17_mock_run_until(m, SG17_HOUR);
    sg17_mock_finish(m);
    sg17_mock_free(m);
}

/* The invocation counter in a frame as sent (general-glo-ciphering), or -1 for a clear frame. */
static int64_t frame_ic(const sg17_mock_send_t *x)
{
    const uint8_t *st, *sec;
    size_t sl;
    if (x->len == 0 || x->payload[0] != DLMS_APDU_GENERAL_GLO_CIPHERING
        || dlms_general_glo_decode(x->payload, x->len, &st, &sec, &sl) || sl < DLMS_SEC_HDR_LEN)
        return -1;
    return (int64_t)(((uint32_t)sec[1] << 24) | ((uint32_t)sec[2] << 16) | ((uint32_t)sec[3] << 8)
                     | sec[4]);
}

/* Counters near 2^32: meter-0 spends its last two ICs (HLS pass 4, one reading) and then sends
 * nothing more under its key; the head-end, whose counter towards meter-1 is exhausted, does not
 * answer meter-1's challenge. No frame ever carries a wrapped (small) counter. */
Test(metering_entities, exhausted_invocation_counters_stop_protection_instead_of_wrapping)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "meter", 3);
    cr_assert_eq(sg17_mock_create(m), 0, "%s", sg17_mock_last_log(m));
    msim_t *s = sg17_mock_instance(m);
    s->meters[0].ic_out = UINT32_MAX - 2;
    s->peers[1].ic_out = UINT32_MAX;
    sg17_mock_start(m);
    sg17_mock_run_until(m, SG17_HOUR - SG17_SEC);
    sg17_entity_t m0 = sg17_mock_entity(m, "meter-0"), m1 = sg17_mock_entity(m, "meter-1"),
                  hes = sg17_mock_entity(m, "hes-0");
    size_t m0_readings = 0, m0_frames = 0, hes_to_m1 = 0;
    for (size_t k = 0; k < sg17_mock_send_count(m); k++) {
        const sg17_mock_send_t *x = sg17_mock_send(m, k);
        if (x->src == m0 && strcmp(x->type, "metering.reading") == 0) {
            m0_readings++;
            cr_assert_eq(frame_ic(x), (int64_t)UINT32_MAX, "reading with IC %lld",
                         (long long)frame_ic(x));
        }
        if (x->src == m0 && strcmp(x->type, "metering.hls") == 0) {
            m0_frames++; /* f(CtoS) = 10 || IC || tag */
            uint32_t ic = ((uint32_t)x->payload[1] << 24) | ((uint32_t)x->payload[2] << 16)
                          | ((uint32_t)x->payload[3] << 8) | x->payload[4];
            cr_assert_eq(ic, UINT32_MAX - 1);
        }
        if (x->src == hes && x->dst == m1 && strcmp(x->type, "metering.aarq") != 0)
            hes_to_m1++;
    }
    cr_assert_eq(m0_frames, 1);
    cr_assert_eq(m0_readings, 1);
    cr_assert_eq(s->meters[0].ic_out, UINT32_MAX);
    /* four reading slots in the hour: one spent the last IC, three found none */
    cr_assert_eq(sg17_mock_metric(m, "meter.ic_exhausted"), 3);
    cr_assert_eq(hes_to_m1, 0, "the HES protected a frame for meter-1 past its last IC");
    cr_assert_eq(sg17_mock_metric(m, "hes.ic_exhausted"), 1);
    cr_assert_eq(sg17_mock_metric(m, "hes.associations"), 2);
    sg17_mock_free(m);
}

/* Operator 0's command for meter-0 as the HES would relay it: signed now, wrapped under the
 * meter's keys with counter ic. Returns the frame length. */
static size_t signed_frame(sg17_mock_t *m, bool reconnect, uint32_t ic, uint8_t *frame, size_t cap)
{
    msim_t *s = sg17_mock_instance(m);
    uint8_t apdu[64], req[512];
    size_t n, rl, fl;
    cr_assert_eq(dlms_disconnect_request_encode(0x45, reconnect, apdu, sizeof apdu, &n), 0);
    cr_assert_eq(
        msim_op_request(s, sg17_mock_ctx(m), s->op_keys[0], 0, 0, apdu, n, req, sizeof req, &rl),
        0);
    cr_assert_eq(msim_wrap(&s->meters[0].keys, s->hes_systitle, ic, DLMS_SC_AUTH_ENC, req, rl,
                           frame, cap, &fl),
                 0);
    return fl;
}

/* The same signed request re-wrapped under a fresh counter (what an insider holding the keys can
 * do): frame for meter-0 with counter ic around the signed octets of old (a wrapped frame). */
static size_t rewrap(sg17_mock_t *m, const uint8_t *old, size_t len, uint32_t ic, uint8_t *frame,
                     size_t cap)
{
    msim_t *s = sg17_mock_instance(m);
    uint8_t plain[MSIM_FRAME_CAP];
    size_t pl, fl;
    uint32_t got;
    bool ciphered;
    cr_assert_eq(msim_unwrap(&s->meters[0].keys, old, len, s->hes_systitle, 0, DLMS_IC_NONE, plain,
                             sizeof plain, &pl, &got, &ciphered),
                 DLMS_SEC_OK);
    cr_assert_eq(msim_wrap(&s->meters[0].keys, s->hes_systitle, ic, DLMS_SC_AUTH_ENC, plain, pl,
                           frame, cap, &fl),
                 0);
    return fl;
}

static const sg17_mock_report_t *to_meter0(sg17_mock_t *m, const uint8_t *frame, size_t len)
{
    return sg17_mock_deliver(m, sg17_mock_entity(m, "hes-0"), sg17_mock_entity(m, "meter-0"),
                             "metering.command", frame, len);
}

/* A signed disconnect executes once: the same signed command re-wrapped under a fresh invocation
 * counter is refused as command_replay, and a fresh one delivered after command_window as
 * command_expired. With command_authorization off the meter executes both. */
static void signed_command_freshness(bool authorization)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "meter", 2);
    sg17_mock_topology(m, "operator", 1);
    sg17_mock_config(m, "dr_interval", "0");
    sg17_mock_config(m, "disconnect_interval", "0");
    sg17_mock_mitigation(m, "command_authorization", authorization);
    cr_assert_eq(sg17_mock_create(m), 0, "%s", sg17_mock_last_log(m));
    msim_t *s = sg17_mock_instance(m);
    sg17_mock_start(m);
    sg17_mock_run_until(m, 10 * SG17_MIN);
    cr_assert_eq(s->meters[0].assoc, MSIM_ASSOC_OPEN);
    uint8_t off[MSIM_FRAME_CAP], on[MSIM_FRAME_CAP], again[MSIM_FRAME_CAP];
    size_t off_len = signed_frame(m, false, 0x1000, off, sizeof off);
    cr_assert(to_meter0(m, off, off_len)->accepted);
    cr_assert(s->meters[0].disconnected);
    size_t on_len = signed_frame(m, true, 0x1001, on, sizeof on);
    cr_assert(to_meter0(m, on, on_len)->accepted);
    cr_assert_not(s->meters[0].disconnected);
    sg17_mock_run_until(m, 20 * SG17_MIN);
    size_t again_len = rewrap(m, off, off_len, 0x2000, again, sizeof again);
    const sg17_mock_report_t *r = to_meter0(m, again, again_len);
    if (authorization) {
        cr_assert_not(r->accepted);
        cr_assert_str_eq(r->reason, "command_replay");
        cr_assert_not(s->meters[0].disconnected);
    } else {
        cr_assert(r->accepted);
        cr_assert(s->meters[0].disconnected);
    }
    /* signed at 20 min, held back, delivered 6 min later: outside the 5-min window */
    size_t late_len = signed_frame(m, true, 0x3000, on, sizeof on);
    sg17_mock_run_until(m, 26 * SG17_MIN);
    r = to_meter0(m, on, late_len);
    if (authorization) {
        cr_assert_not(r->accepted);
        cr_assert_str_eq(r->reason, "command_expired");
    } else {
        cr_assert(r->accepted);
        cr_assert_not(s->meters[0].disconnected);
    }
    /* a fresh one, signed and delivered now, still executes */
    size_t fresh_len = signed_frame(m, false, 0x3001, off, sizeof off);
    cr_assert(to_meter0(m, off, fresh_len)->accepted);
    cr_assert(s->meters[0].disconnected);
    sg17_mock_free(m);
}

Test(metering_entities, signed_command_executes_once_and_only_within_its_window)
{
    signed_command_freshness(true);
}

Test(metering_entities, without_command_authorization_a_rewrapped_signed_command_executes)
{
    signed_command_freshness(false);
}
