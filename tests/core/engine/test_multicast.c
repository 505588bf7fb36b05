/* test_multicast.c — sg17_send_many through the whole bus (fixture module with `broadcast`, host,
 * broker, ledger, adversary): one send counted once, one delivery or drop per receiver, each with
 * provenance; the adversary hears a multicast once and acts per receiver; frames whose multicast
 * columns do not add up are malformed. */
#include "bus/frame.h"
#include "engine/ledger.h"
#include "engine_util.h"

/* Three nodes and a sink: a broadcast ping goes to the sink and the two other nodes. */
#define RECEIVERS 3

/* The fixture run on head (its configuration and mitigations) followed by rest. */
static json_t *run_with(const char *head, const char *rest)
{
    char body[1024];
    cr_assert_lt(snprintf(body, sizeof body, "%s%s", head, rest), (int)sizeof body);
    return run_fixture(body);
}

Test(multicast, one_send_to_n_receivers_is_one_sent_and_n_delivered)
{
    json_t *e = run_fixture("config: {broadcast: true}\n"
                            "mitigations: [auth]\n"
                            "adversary: {capabilities: [observe]}\n"
                            "actions:\n"
                            "  - {at: 0s, observe: {match: {type: fixture.ping}}}\n"
                            "success: [ledger.accepted.injected > 0]\n");
    double sent = metric(e, "baseline", "node.sent");
    cr_assert_gt(sent, 100);
    cr_assert_eq(metric(e, "baseline", "ledger.sent.genuine"), sent);
    cr_assert_eq(metric(e, "baseline", "ledger.sent.all"), sent);
    cr_assert_eq(metric(e, "baseline", "sim.messages"), sent);
    /* every receiver's copy is delivered and reported; the sink accepts each ping once */
    double delivered = metric(e, "baseline", "ledger.delivered.genuine");
    cr_assert_leq(delivered, RECEIVERS * sent);
    cr_assert_geq(delivered, RECEIVERS * (sent - 3), "at most one ping per node in flight");
    /* one copy per receiver, each with one fate: delivered or still in flight at the end */
    cr_assert_eq(metric(e, "baseline", "ledger.copies.genuine"), RECEIVERS * sent);
    cr_assert_eq(metric(e, "baseline", "ledger.copies.genuine"),
                 delivered + metric(e, "baseline", "ledger.pending.genuine"));
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.genuine"), delivered);
    cr_assert_eq(metric(e, "baseline", "ledger.delivered.genuine.fixture.ping"), delivered);
    cr_assert_eq(metric(e, "baseline", "sink.accepted") * RECEIVERS, delivered);
    assert_all_reported(e);
    json_decref(e);
}

Test(multicast, the_same_broadcast_as_unicasts_is_n_sends_with_the_same_deliveries)
{
    /* bench_scheduler's scheduler.multicast line compares these two: same receivers, same
     * deliveries and acceptances, one send against RECEIVERS */
    const char *rest = "mitigations: [auth]\n"
                       "adversary: {capabilities: [observe]}\n"
                       "actions: [{at: 0s, observe: {}}]\n"
                       "success: [ledger.accepted.injected > 0]\n";
    json_t *multi = run_with("config: {broadcast: true}\n", rest);
    json_t *uni = run_with("config: {broadcast: true, as_unicasts: true}\n", rest);
    double sent = metric(multi, "baseline", "node.sent");
    cr_assert_gt(sent, 100);
    cr_assert_eq(metric(uni, "baseline", "node.sent"), sent);
    cr_assert_eq(metric(multi, "baseline", "ledger.sent.genuine"), sent);
    cr_assert_eq(metric(uni, "baseline", "ledger.sent.genuine"), RECEIVERS * sent);
    const char *same[] = {"ledger.copies.genuine", "ledger.accepted.genuine", "sink.accepted"};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++)
        cr_assert_eq(metric(uni, "baseline", same[i]), metric(multi, "baseline", same[i]), "%s",
                     same[i]);
    json_decref(multi);
    json_decref(uni);
}

Test(multicast, a_drop_matching_one_receiver_jams_that_receiver_only)
{
    json_t *e = run_fixture("config: {broadcast: true}\n"
                            "mitigations: []\n"
                            "adversary: {capabilities: [drop]}\n"
                            "actions:\n"
                            "  - {at: 0s, drop: {match: {dst: node-1}}}\n"
                            "success: [ledger.dropped.genuine > 0]\n");
    double sent = metric(e, "baseline", "ledger.sent.genuine");
    double dropped = metric(e, "baseline", "ledger.dropped.genuine");
    /* node-1 hears neither node-0 nor node-2; the sink and the other node hear everything */
    cr_assert_eq(metric(e, "baseline", "adversary.dropped"), dropped);
    cr_assert_gt(dropped, 0);
    cr_assert_lt(dropped, sent, "only the pings of node-0 and node-2 reach toward node-1");
    cr_assert_geq(metric(e, "baseline", "sink.accepted"), sent - 3);
    double fated = metric(e, "baseline", "ledger.delivered.genuine") + dropped;
    cr_assert(fated <= RECEIVERS * sent && fated >= RECEIVERS * (sent - 3),
              "each receiver's copy has one fate (%g for %g sends)", fated, sent);
    json_decref(e);
}

Test(multicast, observe_and_capture_hear_a_multicast_once)
{
    const char *actions = "adversary: {capabilities: [observe, capture, replay]}\n"
                          "actions:\n"
                          "  - {at: 10s, observe: {match: {src: node-0}, for: 10s}}\n"
                          "  - {at: 10s, capture: {match: {dst: node-2}, count: 4, as: air}}\n"
                          "  - {at: 40s, replay: {capture: air}}\n"
                          "success: [ledger.accepted.replayed > 0]\n";
    json_t *multi = run_with("config: {broadcast: true}\nmitigations: [dedup]\n", actions);
    json_t *uni = run_with("mitigations: [dedup]\n", actions);
    /* node-0 sends ten pings in ten seconds, whether to one receiver or to three */
    cr_assert_eq(metric(multi, "baseline", "adversary.observed"), 10);
    cr_assert_eq(metric(uni, "baseline", "adversary.observed"), 10);
    /* a capture keeps one message per transmission that reaches node-2 */
    cr_assert_eq(metric(multi, "baseline", "adversary.captured"), 4);
    cr_assert_eq(metric(multi, "baseline", "ledger.sent.replayed"), 4);
    cr_assert_eq(metric(multi, "baseline", "ledger.delivered.replayed"), 4,
                 "a captured multicast replays toward the receiver it was heard for");
    cr_assert_eq(metric(multi, "protected", "ledger.rejected.replayed"), 0,
                 "node-2 accepts its neighbours' pings; dedup is the sink's");
    /* nothing in the capture names node-2 in unicast: every ping goes to the sink */
    cr_assert_eq(metric(uni, "baseline", "adversary.captured"), 0);
    json_decref(multi);
    json_decref(uni);
}

Test(multicast, every_receivers_copy_carries_the_sends_provenance)
{
    json_t *e = run_fixture("config: {broadcast: true}\n"
                            "mitigations: [auth]\n"
                            "adversary: {capabilities: [compromise]}\n"
                            "actions:\n"
                            "  - {at: 20s, compromise: {entity: node-0}}\n"
                            "success: [ledger.accepted.from_compromised > 0]\n");
    double sent = metric(e, "baseline", "ledger.sent.from_compromised");
    cr_assert_gt(sent, 30);
    double delivered = metric(e, "baseline", "ledger.delivered.from_compromised");
    cr_assert_leq(delivered, RECEIVERS * sent);
    cr_assert_geq(delivered, RECEIVERS * (sent - 1));
    cr_assert_eq(metric(e, "baseline", "ledger.sent.genuine") + sent,
                 metric(e, "baseline", "node.sent"));
    json_decref(e);
}

Test(multicast, a_modify_toward_one_receiver_replaces_that_copy_only)
{
    json_t *e = run_fixture(
        "config: {broadcast: true}\n"
        "mitigations: [auth]\n"
        "adversary: {capabilities: [modify]}\n"
        "actions:\n"
        "  - {at: 10s, modify: {match: {dst: sink-0}, count: 5, offset: 7, xor: \"01\"}}\n"
        "success: [ledger.accepted.modified > 0]\n"
        "detection: [ledger.rejected.reason.auth >= 5]\n");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_eq(metric(e, "protected", "ledger.sent.modified"), 5);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.auth"), 5);
    /* the two nodes' copies of those five pings arrive intact */
    cr_assert_eq(metric(e, "protected", "ledger.rejected.genuine"), 0);
    json_decref(e);
}

Test(ledger, a_multicast_counts_its_send_once_and_each_receiver)
{
    sg17_ledger_t *l = sg17_ledger_new();
    /* one send to four receivers: the send's record, then three copies with the next ids */
    cr_assert_not_null(sg17_ledger_record(l, 1, 0, 0, 1, "t.cam", SG17_PROV_GENUINE, 5));
    cr_assert_eq(sg17_ledger_record_copy(l, 3, 2), -1, "a multicast's ids are consecutive");
    for (uint64_t id = 2; id <= 4; id++)
        cr_assert_eq(sg17_ledger_record_copy(l, id, (sg17_entity_t)id), 0);
    cr_assert_eq(sg17_ledger_size(l), 4);
    cr_assert_not_null(sg17_ledger_find(l, 1));
    cr_assert_null(sg17_ledger_find(l, 3), "a copy has no record of its own");
    sg17_ledger_set_fate(l, 1, SG17_FATE_DELIVERED);
    sg17_ledger_set_fate(l, 2, SG17_FATE_DELIVERED);
    sg17_ledger_set_fate(l, 3, SG17_FATE_DROPPED);
    cr_assert_eq(sg17_ledger_report(l, 2, true, NULL), 0);
    cr_assert_eq(sg17_ledger_report(l, 2, true, NULL), -1, "reported twice");
    cr_assert_eq(sg17_ledger_report(l, 3, false, "x"), -1, "dropped, never delivered");
    cr_assert_eq(sg17_ledger_report(l, 5, true, NULL), -1, "beyond the copies");
    cr_assert_not_null(sg17_ledger_record(l, 5, 0, 0, 9, "t.cam", SG17_PROV_REPLAYED, 6));
    sg17_ledger_set_fate(l, 5, SG17_FATE_DELIVERED);
    cr_assert_eq(sg17_ledger_report(l, 5, false, "stale"), 0);
    cr_assert_eq(sg17_ledger_anomalies(l), 3);
    sg17_metrics_t *m = sg17_metrics_new();
    sg17_ledger_metrics(l, m, NULL);
    cr_assert_eq(sg17_metrics_value(m, "ledger.sent.genuine"), 1);
    cr_assert_eq(sg17_metrics_value(m, "ledger.sent.genuine.t.cam"), 1);
    cr_assert_eq(sg17_metrics_value(m, "ledger.delivered.genuine"), 2);
    cr_assert_eq(sg17_metrics_value(m, "ledger.dropped.genuine"), 1);
    cr_assert_eq(sg17_metrics_value(m, "ledger.accepted.genuine"), 1);
    cr_assert_eq(sg17_metrics_value(m, "ledger.unreported.genuine"), 1);
    cr_assert_eq(sg17_metrics_value(m, "ledger.sent.replayed"), 1);
    cr_assert_eq(sg17_metrics_value(m, "ledger.rejected.reason.stale"), 1);
    sg17_metrics_destroy(&m);
    sg17_ledger_destroy(&l);
}

Test(ledger, bulk_appends_record_what_one_record_at_a_time_records)
{
    sg17_ledger_t *l = sg17_ledger_new();
    uint16_t type_of[2] = {sg17_ledger_type(l, "t.b", 3), sg17_ledger_type(l, "t.a", 3)};
    sg17_entity_t src[3] = {4, 5, 6}, dst[3] = {7, 8, 9}, more[2] = {10, 11};
    uint32_t type_index[3] = {1, 0, 1};
    /* three unicasts with ids 11..13, then a multicast 14 to 9, 10 and 11 (ids 15, 16) */
    cr_assert_eq(
        sg17_ledger_record_run(l, 11, 3, src, dst, type_index, type_of, SG17_PROV_GENUINE, 20), 0);
    cr_assert_eq(sg17_ledger_record_copies(l, more, 0), 0, "no copies: nothing to do");
    cr_assert_not_null(sg17_ledger_record_typed(l, 14, 6, 6, 9, type_of[0], SG17_PROV_GENUINE, 21));
    cr_assert_eq(sg17_ledger_record_copies(l, more, 2), 0);
    cr_assert_eq(sg17_ledger_size(l), 6);
    sg17_ledger_truth_t t;
    cr_assert_eq(sg17_ledger_truth(l, 12, &t), 0);
    cr_assert(t.true_src == 5 && t.claimed_src == 5 && t.dst == 8 && t.sent_at == 20);
    cr_assert_str_eq(t.type, "t.b");
    cr_assert_eq(sg17_ledger_truth(l, 13, &t), 0);
    cr_assert_str_eq(t.type, "t.a");
    cr_assert_eq(sg17_ledger_truth(l, 16, &t), 0);
    cr_assert(t.dst == 11 && t.true_src == 6 && t.prov == SG17_PROV_GENUINE);
    cr_assert_eq(sg17_ledger_truth(l, 17, &t), -1);
    cr_assert_null(sg17_ledger_find(l, 15), "a copy has no record of its own");
    /* the copies of one send are bounded (its n_copies is 16 bits) */
    static sg17_entity_t many[UINT16_MAX];
    cr_assert_eq(sg17_ledger_record_copies(l, many, UINT16_MAX - 1), -1);
    cr_assert_eq(sg17_ledger_size(l), 6, "a refused append records nothing");
    sg17_ledger_set_fate(l, 12, SG17_FATE_DELIVERED);
    sg17_ledger_set_fate(l, 16, SG17_FATE_DELIVERED);
    cr_assert_eq(sg17_ledger_report(l, 16, false, "why"), 0);
    static const struct {
        const char *name;
        double value;
    } want[] = {{"ledger.sent.genuine", 4},
                {"ledger.copies.genuine", 6},
                {"ledger.delivered.genuine", 2},
                {"ledger.rejected.genuine.t.b", 1}};
    sg17_metrics_t *m = sg17_metrics_new();
    sg17_ledger_metrics(l, m, NULL);
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        cr_assert_eq(sg17_metrics_value(m, want[i].name), want[i].value, "%s", want[i].name);
    sg17_metrics_destroy(&m);
    sg17_ledger_destroy(&l);
    /* an empty ledger has no multicast to add copies to */
    l = sg17_ledger_new();
    cr_assert_eq(sg17_ledger_record_copies(l, more, 1), -1);
    sg17_ledger_destroy(&l);
}

/* Packs an Output (or, with batch, a Batch's deliveries) of cols; decodes it again. */
static sg17_frame_t *round_trip(Sg17__Envelopes *cols, bool batch)
{
    Sg17__Output out = SG17__OUTPUT__INIT;
    Sg17__Batch b = SG17__BATCH__INIT;
    Sg17__Frame f = SG17__FRAME__INIT;
    if (batch) {
        b.deliveries = cols;
        f.body_case = SG17__FRAME__BODY_BATCH;
        f.batch = &b;
    } else {
        out.sends = cols;
        f.body_case = SG17__FRAME__BODY_OUTPUT;
        f.output = &out;
    }
    uint8_t buf[4096];
    size_t len = sg17__frame__get_packed_size(&f);
    cr_assert_lt(len, sizeof buf);
    sg17__frame__pack(&f, buf);
    return sg17_frame_decode(buf, len);
}

Test(bus, multicast_columns_round_trip_and_inconsistent_ones_are_malformed)
{
    sg17_envcols_t c = {0};
    Sg17__Envelope a = SG17__ENVELOPE__INIT;
    a.src = 1, a.dst = 2, a.type = "t.cam";
    uint32_t more[] = {3, 4, 5};
    cr_assert_eq(sg17_envcols_add(&c, &a, 10, false), 0); /* unicast, */
    cr_assert_eq(sg17_envcols_add(&c, &a, 11, false), 0); /* then a multicast to 2, 3, 4, 5 */
    cr_assert_eq(sg17_envcols_fan_out(&c, more, 3), 0);
    cr_assert_eq(sg17_envcols_add(&c, &a, 12, false), 0); /* unicast again */
    sg17_frame_t *f = round_trip(&c.cols, false);
    cr_assert_not_null(f);
    cr_assert_eq(sg17_envcols_fanout(f->output->sends, 0), 0);
    cr_assert_eq(sg17_envcols_fanout(f->output->sends, 1), 3);
    cr_assert_eq(sg17_envcols_fanout(f->output->sends, 2), 0);
    cr_assert(f->output->sends->n_more_dst == 3 && f->output->sends->more_dst[2] == 5);
    sg17_frame_free(&f);

    Sg17__Envelopes *e = &c.cols;
    e->n_fanout = 2; /* a fanout column shorter than the others */
    cr_assert_null(round_trip(e, false));
    e->n_fanout = 3;
    e->n_more_dst = 2; /* fewer further receivers than the fanouts add up to */
    cr_assert_null(round_trip(e, false));
    e->n_more_dst = 3;
    cr_assert_null(round_trip(e, true), "a Batch hands each receiver its own delivery");
    e->fanout[1] = SG17_MAX_FANOUT + 1;
    e->fanout[0] = UINT32_MAX - SG17_MAX_FANOUT; /* and a sum that wraps a uint32 */
    cr_assert_null(round_trip(e, false));
    e->fanout[0] = 0;
    e->fanout[1] = 3;
    cr_assert_eq(sg17_envcols_fan_out(&c, more, SG17_MAX_FANOUT + 1), -1, "bounded");
    sg17_envcols_clear(&c);
    cr_assert_eq(sg17_envcols_fan_out(&c, more, 1), -1, "nothing to fan out");
    sg17_envcols_release(&c);
}

Test(multicast, inject_to_a_neighbourhood_is_one_injected_send_to_every_match)
{
    json_t *e = run_fixture("config: {broadcast: true}\n"
                            "mitigations: [auth]\n"
                            "adversary: {capabilities: [inject, capture, replay]}\n"
                            "actions:\n"
                            "  - {at: 3s, inject: {src: node-0, to: \"node-*\", type: fixture.ping,"
                            " payload: \"00000000000003e8000000000102030405060708\"}}\n"
                            "  - {at: 5s, capture: {match: {src: node-1}, count: 2, as: air}}\n"
                            "  - {at: 30s, replay: {capture: air, to: \"*\"}}\n"
                            "success: [ledger.accepted.injected > 0]\n");
    /* one transmission heard by the three nodes, which accept any neighbour's ping */
    cr_assert_eq(metric(e, "baseline", "ledger.sent.injected"), 1);
    cr_assert_eq(metric(e, "baseline", "ledger.delivered.injected"), 3);
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.injected"), 3);
    /* two captured pings, each replayed once to all four entities */
    cr_assert_eq(metric(e, "baseline", "adversary.replayed"), 2);
    cr_assert_eq(metric(e, "baseline", "ledger.sent.replayed"), 2);
    cr_assert_eq(metric(e, "baseline", "ledger.delivered.replayed"), 8);
    json_decref(e);
}
