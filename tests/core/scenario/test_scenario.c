/* test_scenario.c — the scenario language against a fake module: a full file round-trips every
 * field in normal form with defaults filled; each class of error names file:line:col, the key
 * path, what was expected and the nearest valid name; matrices expand into points. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "module/descriptor.h"
#include "scenario/scenario.h"

#define DATA SG17TB_TEST_DATA_DIR "/scenarios/"

/* ---- the fake module ---- */

static void fake_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *msg)
{
    (void)instance, (void)ctx, (void)msg;
}

static int fake_run(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    (void)instance, (void)ctx, (void)p;
    return 0;
}

static const sg17_entity_kind_t kinds[] = {
    {"meter", "a smart meter", 3, 0, 100, fake_on_message, NULL},
    {"hes", "the head-end", 1, 1, 1, fake_on_message, NULL},
    {"relay", "optional relays", 0, 0, 0, NULL, NULL},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};
typedef struct {
    sg17_time_t interval;
    int64_t retries;
    double ratio;
    bool verbose, invocation_counter, signatures;
    const char *label;
    sg17_bytes_t key;
    sg17_entity_t target;
    uint64_t batch;
} fake_config_t;
#define F(field) offsetof(fake_config_t, field)
static const sg17_config_key_t config[] = {
    {"interval", SG17_TYPE_DURATION, "15min", "reading interval", F(interval), {0, 0}},
    {"retries", SG17_TYPE_INT, "3", "retries", F(retries), {0, 10}},
    {"ratio", SG17_TYPE_NUMBER, "0.5", "a ratio", F(ratio), {0, 0}},
    {"verbose", SG17_TYPE_BOOL, "off", "log more", F(verbose), {0, 0}},
    {"label", SG17_TYPE_STRING, "plain", "a label", F(label), {0, 0}},
    {"key", SG17_TYPE_HEX, "00AA", "a key", F(key), {0, 0}},
    {"target", SG17_TYPE_ENTITY, "hes-0", "an entity", F(target), {0, 0}},
    {"batch", SG17_TYPE_COUNT, "2", "a batch size", F(batch), {0, 0}},
    {NULL, 0, NULL, NULL, 0, {0, 0}},
};
static const char *const mit_reqs[] = {"FAKE-R-01", NULL};
static const sg17_mitigation_t mitigations[] = {
    {"invocation_counter", "reject old counters", mit_reqs, false, F(invocation_counter)},
    {"signatures", "sign commands", NULL, true, F(signatures)},
    {NULL, NULL, NULL, false, 0},
};
static const sg17_param_t false_data_params[] = {
    {"factor", SG17_TYPE_NUMBER, true, "scale readings", {0, 0}},
    {"victim", SG17_TYPE_ENTITY, false, "the meter", {0, 0}},
    {"capture", SG17_TYPE_STRING, false, "a capture to use", {0, 0}},
    {"count", SG17_TYPE_COUNT, false, "how many", {1, 100}},
    {NULL, 0, false, NULL, {0, 0}},
};
static const sg17_attack_t attacks[] = {
    {"false_data", "report false readings", "tamper", false_data_params, fake_run},
    {"forge", "forge a command", NULL, NULL, fake_run},
    {NULL, NULL, NULL, NULL, NULL},
};
static const sg17_metric_t metrics[] = {
    {"hes.alarms", "alarms raised", NULL},
    {"hes.readings.*", "readings by outcome", NULL},
    {"hes.by_meter.*", "readings per meter", "meter"},
    {NULL, NULL, NULL},
};
static const sg17_reason_t reasons[] = {
    {"replay", "old counter"},
    {"bad_signature", "signature check failed"},
    {NULL, NULL},
};
static const char *const message_types[] = {"fake.reading", "fake.command", NULL};

static const sg17_module_t fake = {
    SG17_MODULE_HEADER,
    .name = "fakemod",
    .recommendation = "X.0000",
    .title = "fake module for tests",
    .entity_kinds = kinds,
    .config = config,
    .mitigations = mitigations,
    .attacks = attacks,
    .metrics = metrics,
    .reasons = reasons,
    .message_types = message_types,
    .config_size = sizeof(fake_config_t),
};

/* ---- the fake registry ---- */

static sg17_catalogue_t *catalogue;

static const sg17_module_t *reg_module(void *arg, const char *name, sg17_err_t *err)
{
    if (!strcmp(name, "fakemod"))
        return &fake;
    if (!strcmp(name, "broken"))
        sg17_err(err, "broken.so: ABI version 9, expected 1");
    else
        sg17_err(err, "unknown module %s", name);
    return NULL;
}

static const sg17_catalogue_t *reg_catalogue(void *arg, const char *module, sg17_err_t *err)
{
    err->msg[0] = '\0';
    return strcmp(module, "fakemod") ? NULL : catalogue;
}

static const char *const *reg_names(void *arg, size_t *n)
{
    static const char *const names[] = {"fakemod", "broken", "metering"};
    *n = 3;
    return names;
}

static const sg17_registry_t reg = {reg_module, reg_catalogue, reg_names, NULL};

static void setup(void)
{
    sg17_err_t err = {{0}};
    catalogue = sg17_catalogue_load(DATA "catalogue.yaml", &err);
    cr_assert_not_null(catalogue, "%s", err.msg);
}

static void teardown(void)
{
    sg17_catalogue_destroy(&catalogue);
}

TestSuite(scenario, .init = setup, .fini = teardown);

/* A minimal valid scenario; tests append or replace lines. */
#define HEAD                      \
    "id: fakemod/t\n"             \
    "title: a test\n"             \
    "module: fakemod\n"           \
    "requirements: [FAKE-R-01]\n" \
    "duration: 1h\n"              \
    "mitigations: []\n"
#define SUCCESS "success: [ledger.accepted.replayed > 0]\n"
/* The least adversary a scenario must have. */
#define OBSERVE "adversary: {capabilities: [observe]}\nactions: [{at: 0, observe: {}}]\n"

static const char *fails(const char *yaml)
{
    static sg17_err_t err;
    sg17_scenario_t *list = (sg17_scenario_t *)1;
    size_t n = 99;
    memset(&err, 0, sizeof err);
    int rc = sg17_scenario_parse(yaml, strlen(yaml), "s.yaml", &reg, &list, &n, &err);
    cr_assert_eq(rc, -1, "expected an error for:\n%s", yaml);
    cr_assert_null(list);
    cr_assert_eq(n, 0);
    return err.msg;
}

/* Asserts that msg contains part, showing msg when it does not. */
static void has(const char *msg, const char *part)
{
    cr_assert(strstr(msg, part), "%s\n  lacks: %s", msg, part);
}

/* Asserts that line is exactly one of the lines of msg, once: validation reports every error
 * of a file, one per line, each once. */
static void has_line(const char *msg, const char *line)
{
    size_t hits = 0, n = strlen(line);
    for (const char *p = msg; p && *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        hits += len == n && strncmp(p, line, n) == 0;
        p = end ? end + 1 : NULL;
    }
    cr_assert_eq(hits, 1, "%s\n  should have this line once: %s", msg, line);
}

static sg17_scenario_t *parses(const char *yaml, size_t *n)
{
    sg17_err_t err = {{0}};
    sg17_scenario_t *list = NULL;
    int rc = sg17_scenario_parse(yaml, strlen(yaml), "s.yaml", &reg, &list, n, &err);
    cr_assert_eq(rc, 0, "%s", err.msg);
    return list;
}

static const char *topo(const sg17_scenario_t *s, size_t i, unsigned *count)
{
    *count = s->topology[i].count;
    return s->topology[i].kind;
}

Test(scenario, full_file_round_trips_every_field_in_normal_form)
{
    sg17_err_t err = {{0}};
    sg17_scenario_t *list = NULL;
    size_t n = 0;
    int rc = sg17_scenario_load(DATA "full.yaml", &reg, &list, &n, &err);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(n, 1);
    sg17_scenario_t *s = &list[0];
    cr_assert_str_eq(s->file, DATA "full.yaml");
    cr_assert_str_eq(s->id, "fakemod/replay-readings");
    cr_assert_str_eq(s->base_id, "fakemod/replay-readings");
    cr_assert_str_eq(s->title, "Captured readings replayed to the head-end are rejected");
    cr_assert_str_eq(s->description, "The adversary records readings and replays them later.\n");
    cr_assert_str_eq(s->module, "fakemod");
    cr_assert_eq(s->n_requirements, 2);
    cr_assert_str_eq(s->requirements[1], "FAKE-R-02");
    cr_assert_eq(s->n_threats, 1);
    cr_assert_str_eq(s->threats[0], "FAKE-T-REPLAY");
    cr_assert_eq(s->seed, 42);
    cr_assert_eq(s->duration, 6 * SG17_HOUR);
    cr_assert_float_eq(s->timeout_s, 90.0, 1e-9);
    /* topology: module kind order, defaults for kinds not named */
    unsigned c;
    cr_assert_eq(s->n_topology, 3);
    cr_assert_str_eq(topo(s, 0, &c), "meter");
    cr_assert_eq(c, 20);
    cr_assert_str_eq(topo(s, 1, &c), "hes");
    cr_assert_eq(c, 1);
    cr_assert_str_eq(topo(s, 2, &c), "relay");
    cr_assert_eq(c, 0);
    /* config: every key, normalised */
    cr_assert_eq(s->n_config, 8);
    cr_assert_str_eq(sg17_scenario_config(s, "interval"), "300000000");
    cr_assert_str_eq(sg17_scenario_config(s, "retries"), "7");
    cr_assert_str_eq(sg17_scenario_config(s, "ratio"), "0.25");
    cr_assert_str_eq(sg17_scenario_config(s, "verbose"), "true");
    cr_assert_str_eq(sg17_scenario_config(s, "label"), "hello world");
    cr_assert_str_eq(sg17_scenario_config(s, "key"), "deadbeef");
    cr_assert_str_eq(sg17_scenario_config(s, "target"), "meter-19");
    cr_assert_null(sg17_scenario_config(s, "nope"));
    cr_assert_eq(s->n_mitigations, 1);
    cr_assert_str_eq(s->mitigations[0], "invocation_counter");
    cr_assert_eq(s->n_capabilities, 10);
    cr_assert_str_eq(s->capabilities[9], "tamper");
    /* network */
    cr_assert_eq(s->latency, 2 * SG17_MSEC);
    cr_assert_eq(s->jitter, 500);
    cr_assert_float_eq(s->loss, 0.01, 1e-12);
    cr_assert_eq(s->n_links, 2);
    cr_assert_str_eq(s->links[0].from, "meter");
    cr_assert_str_eq(s->links[0].to, "*");
    cr_assert_eq(s->links[0].latency, 40 * SG17_MSEC);
    cr_assert_eq(s->links[0].jitter, 500); /* scenario default */
    cr_assert_float_eq(s->links[1].loss, 0.1, 1e-12);
    cr_assert_eq(s->links[1].latency, 2 * SG17_MSEC);
    /* actions: sorted by at, stable */
    cr_assert_eq(s->n_actions, 10);
    const char *order[] = {"observe", "delay",  "capture", "drop",       "modify",
                           "inject",  "replay", "flood",   "compromise", "false_data"};
    for (size_t i = 0; i < 10; i++)
        cr_assert_str_eq(s->actions[i].name, order[i], "action %zu", i);
    const sg17_action_t *a = &s->actions[0];
    cr_assert_eq(a->kind, SG17_ACTION_OBSERVE);
    cr_assert_eq(a->at, 0);
    cr_assert_eq(a->n_params, 0);
    a = &s->actions[2];
    cr_assert_eq(a->kind, SG17_ACTION_CAPTURE);
    cr_assert_eq(a->at, SG17_HOUR);
    cr_assert_eq(a->line, 33);
    cr_assert_eq(a->col, 5);
    cr_assert_str_eq(sg17_action_param(a, "match.type"), "fake.reading");
    cr_assert_str_eq(sg17_action_param(a, "match.src"), "meter-*");
    cr_assert_str_eq(sg17_action_param(a, "count"), "50");
    cr_assert_str_eq(sg17_action_param(a, "as"), "old");
    cr_assert_str_eq(sg17_action_param(&s->actions[1], "by"), "250000");
    cr_assert_str_eq(sg17_action_param(&s->actions[3], "probability"), "0.5");
    cr_assert_str_eq(sg17_action_param(&s->actions[3], "for"), "600000000");
    cr_assert_str_eq(sg17_action_param(&s->actions[4], "xor"), "ff00");
    cr_assert_str_eq(sg17_action_param(&s->actions[4], "offset"), "4");
    cr_assert_null(sg17_action_param(&s->actions[4], "set"));
    cr_assert_str_eq(sg17_action_param(&s->actions[5], "payload"), "0a0b");
    cr_assert_str_eq(sg17_action_param(&s->actions[5], "src"), "meter-3");
    cr_assert_str_eq(sg17_action_param(&s->actions[6], "after"), "1000000");
    cr_assert_str_eq(sg17_action_param(&s->actions[6], "dst"), "hes-0");
    cr_assert_str_eq(sg17_action_param(&s->actions[7], "rate"), "250");
    cr_assert_null(sg17_action_param(&s->actions[7], "payload")); /* only keys given */
    cr_assert_eq(s->actions[8].kind, SG17_ACTION_COMPROMISE);
    cr_assert_eq(s->actions[9].kind, SG17_ACTION_MODULE);
    cr_assert_str_eq(sg17_action_param(&s->actions[9], "factor"), "1.5");
    cr_assert_str_eq(sg17_action_param(&s->actions[9], "victim"), "meter-1");
    /* conditions */
    cr_assert_eq(s->n_success, 1);
    cr_assert_str_eq(s->success[0].text, "ledger.accepted.replayed > 0");
    cr_assert_eq(s->success[0].line, 52);
    cr_assert_eq(s->success[0].col, 5);
    cr_assert_not_null(s->success[0].expr);
    cr_assert_eq(s->n_service, 2);
    cr_assert_eq(s->n_detection, 1);
    cr_assert_str_eq(s->expect, "fails");
    cr_assert_str_eq(s->expect_reason, "known weakness of the fake module");
    cr_assert_eq(s->n_matrix_point, 0);
    cr_assert_null(s->matrix_x);
    sg17_scenarios_free(list, n);
}

Test(scenario, defaults_are_filled_in)
{
    size_t n;
    sg17_scenario_t *s = parses(HEAD SUCCESS OBSERVE, &n);
    cr_assert_eq(s->seed, 1);
    cr_assert_float_eq(s->timeout_s, 120.0, 1e-9);
    cr_assert_eq(s->latency, 5 * SG17_MSEC);
    cr_assert_eq(s->jitter, 0);
    cr_assert_float_eq(s->loss, 0, 1e-12);
    cr_assert_str_eq(s->expect, "holds");
    cr_assert_null(s->expect_reason);
    cr_assert_eq(s->topology[0].count, 3);
    cr_assert_str_eq(sg17_scenario_config(s, "interval"), "900000000");
    cr_assert_str_eq(sg17_scenario_config(s, "ratio"), "0.5");
    cr_assert_str_eq(sg17_scenario_config(s, "verbose"), "false");
    cr_assert_str_eq(sg17_scenario_config(s, "key"), "00aa");
    cr_assert_str_eq(sg17_scenario_config(s, "target"), "hes-0");
    cr_assert_eq(s->n_actions, 1);
    cr_assert_eq(s->actions[0].n_params, 0);
    sg17_scenarios_free(s, n);
}

Test(scenario, syntax_error_names_line_and_column)
{
    has_line(fails(HEAD "topology: {meter: 3\n" SUCCESS),
             "s.yaml:8:8: did not find expected ',' or '}' while parsing a flow mapping; "
             "expected valid YAML");
}

Test(scenario, wrong_types_are_refused)
{
    has_line(fails(HEAD SUCCESS "seed: \"5\"\n"),
             "s.yaml:8:7: seed: \"5\" is quoted, which makes it text; expected an integer, "
             "written without quotes");
    has_line(fails(HEAD SUCCESS "config: {retries: many}\n"),
             "s.yaml:8:19: config.retries: 'many' is not an integer; expected an integer");
    has_line(fails(HEAD SUCCESS "timeout: 30d\n"),
             "s.yaml:8:10: timeout: '30d' is out of range; expected a wall-clock duration "
             "above 0 and at most 24h");
    has_line(
        fails(HEAD SUCCESS "config: {batch: -1}\n"),
        "s.yaml:8:17: config.batch: -1 is out of range: at least 0; expected a whole number from 0 "
        "to 1000000000");
    has_line(fails(HEAD SUCCESS "config: {batch: 5000000000}\n"),
             "s.yaml:8:17: config.batch: 5000000000 is out of range: at most 1000000000; "
             "expected a whole "
             "number from 0 to 1000000000");
    has_line(fails(HEAD SUCCESS "config: {batch: 1.5}\n"),
             "s.yaml:8:17: config.batch: '1.5' is not a whole number; expected a whole "
             "number from 0 to 1000000000");
    has_line(fails(HEAD SUCCESS "config: {verbose: maybe}\n"),
             "s.yaml:8:19: config.verbose: 'maybe' is not a truth value; expected true, "
             "false, on, off, yes or no");
    has_line(fails(HEAD SUCCESS "config: {key: abc}\n"),
             "s.yaml:8:15: config.key: 'abc' has an odd number of hex digits; expected at "
             "least one byte, as two hex digits per byte");
    has_line(fails(HEAD SUCCESS "config: {interval: [1]}\n"),
             "s.yaml:8:20: config.interval: found a list; expected a duration such as "
             "250ms, 15min or 6h");
    has_line(fails(HEAD SUCCESS "seed: -1\n"),
             "s.yaml:8:7: seed: the seed is negative; expected an integer >= 0");
    has(fails("id: fakemod/t\ntitle: t\nmodule: fakemod\nrequirements: [FAKE-R-01]\n"
              "duration: 31d\nmitigations: []\n" SUCCESS),
        "s.yaml:5:11: duration: '31d' is out of range; expected a duration above 0 "
        "and at most 30d");
}

Test(scenario, one_message_per_kind_of_wrong_value)
{
    /* an integer too large for 64 bits is out of range, not "not an integer" */
    has(fails(HEAD SUCCESS "config: {retries: 99999999999999999999}\n"),
        "s.yaml:8:19: config.retries: '99999999999999999999' is out of range: at most "
        "9223372036854775807");
    has(fails(HEAD SUCCESS "config: {batch: 99999999999999999999}\n"),
        "s.yaml:8:17: config.batch: '99999999999999999999' is out of range: at most 1000000000");
    has(fails(HEAD SUCCESS "seed: 99999999999999999999\n"),
        "s.yaml:8:7: seed: '99999999999999999999' is out of range");
    /* hex: empty, not hex, or half a byte */
    has(fails(HEAD SUCCESS "config: {key: \"\"}\n"),
        "s.yaml:8:15: config.key: the hex value is empty; expected at least one byte");
    has(fails(HEAD SUCCESS "config: {key: xyz0}\n"),
        "s.yaml:8:15: config.key: 'xyz0' is not hex; expected at least one byte, as two hex "
        "digits per byte");
    has(fails(HEAD SUCCESS "config: {key: abc}\n"),
        "s.yaml:8:15: config.key: 'abc' has an odd number of hex digits; expected at least one "
        "byte, as two hex digits per byte");
    /* `count` has the same bounds, and says so, in every action and whatever is wrong with it */
    const char *counts[] = {"0", "-1", "1000001", "99999999999999999999", "2.5"};
    const char *actions[] = {"observe: {count: %s}", "drop: {count: %s}",
                             "capture: {as: x, count: %s}"};
    for (size_t a = 0; a < 3; a++)
        for (size_t c = 0; c < 5; c++) {
            char action[96], yaml[1024];
            snprintf(action, sizeof action, actions[a], counts[c]);
            snprintf(yaml, sizeof yaml,
                     HEAD SUCCESS "adversary: {capabilities: [observe, drop, capture]}\n"
                                  "actions: [{at: 0, %s}]\n",
                     action);
            has(fails(yaml), "count: ");
            has(fails(yaml), "; expected a whole number from 1 to 1000000");
        }
    has(fails(HEAD SUCCESS "adversary: {capabilities: [capture, replay]}\n"
                           "actions: [{at: 0, capture: {as: x}}, {at: 1, replay: {capture: x, "
                           "count: 0}}]\n"),
        "actions[1].replay.count: 0 is out of range; expected a whole number from 1 to 1000000");
}

Test(scenario, unknown_keys_get_a_suggestion)
{
    has_line(fails(HEAD SUCCESS "config: {intervl: 5min}\n"),
             "s.yaml:8:10: config.intervl: unknown key 'intervl'; expected a configuration "
             "key of the module; did you mean 'interval'?");
    has_line(fails(HEAD SUCCESS "sucess: []\n"),
             "s.yaml:8:1: sucess: unknown key 'sucess'; expected a scenario key (see "
             "docs/scenarios.md); did you mean 'success'?");
    has_line(fails(HEAD SUCCESS "topology: {meters: 2}\n"),
             "s.yaml:8:12: topology.meters: unknown key 'meters'; expected an entity kind "
             "of the module; did you mean 'meter'?");
}

Test(scenario, missing_required_keys)
{
    has_line(fails("id: fakemod/t\ntitle: t\nmodule: fakemod\nrequirements: [FAKE-R-01]\n"
                   "mitigations: []\n" SUCCESS),
             "s.yaml:1:1: duration: required key is missing; expected a duration such as "
             "6h");
    has_line(fails(HEAD),
             "s.yaml:1:1: success: required key is missing; expected a list of conditions");
    has_line(fails("id: fakemod/t\ntitle: t\nmodule: fakemod\nrequirements: [FAKE-R-01]\n"
                   "duration: 1h\n" SUCCESS),
             "s.yaml:1:1: mitigations: required key is missing; expected a list of "
             "mitigation names (may be [])");
}

Test(scenario, unknown_module_suggests_the_nearest)
{
    has_line(fails("id: x/t\ntitle: t\nmodule: fakemd\n"),
             "s.yaml:3:9: module: unknown module 'fakemd'; expected one of fakemod, "
             "broken, metering; did you mean 'fakemod'?");
    has_line(fails("id: x/t\ntitle: t\nmodule: broken\n"),
             "s.yaml:3:9: module: broken.so: ABI version 9, expected 1; expected a module "
             "that loads");
}

Test(scenario, id_must_start_with_the_module)
{
    has_line(fails("id: other/t\ntitle: t\nmodule: fakemod\n"),
             "s.yaml:1:5: id: 'other/t' does not start with the module name and '/'; "
             "expected fakemod/<name>");
    has_line(fails("id: fakemod/Big\ntitle: t\nmodule: fakemod\n"),
             "s.yaml:1:5: id: 'fakemod/Big' contains 'B'; expected lower-case letters, "
             "digits and _ . / -");
}

Test(scenario, catalogue_ids_are_checked_with_suggestion)
{
    has_line(fails("id: fakemod/t\ntitle: t\nmodule: fakemod\nrequirements: [FAKE-R-03]\n"),
             "s.yaml:4:16: requirements[0]: unknown name 'FAKE-R-03'; expected a "
             "requirement id of the module's catalogue; did you mean 'FAKE-R-01'?");
    has_line(fails(HEAD SUCCESS "threats: [FAKE-T-FORG]\n"),
             "s.yaml:8:11: threats[0]: unknown name 'FAKE-T-FORG'; expected a threat id "
             "of the module's catalogue; did you mean 'FAKE-T-FORGE'?");
    has_line(fails("id: fakemod/t\ntitle: t\nmodule: fakemod\nrequirements: []\n"),
             "s.yaml:4:15: requirements: the list is empty; expected at least one entry");
}

Test(scenario, unknown_or_repeated_mitigation)
{
    has_line(fails("id: fakemod/t\ntitle: t\nmodule: fakemod\nrequirements: [FAKE-R-01]\n"
                   "duration: 1h\nmitigations: [signature]\n" SUCCESS),
             "s.yaml:6:15: mitigations[0]: unknown name 'signature'; expected a "
             "mitigation of the module; did you mean 'signatures'?");
    has_line(fails("id: fakemod/t\ntitle: t\nmodule: fakemod\nrequirements: [FAKE-R-01]\n"
                   "duration: 1h\nmitigations: [signatures, signatures]\n" SUCCESS),
             "s.yaml:6:27: mitigations[1]: 'signatures' is listed twice; expected each "
             "name once");
}

Test(scenario, unknown_metric_in_condition_points_at_the_metric)
{
    has_line(fails(HEAD "success: [ledger.accepted.replayd > 0]\n"),
             "s.yaml:7:11: success[0]: unknown metric 'ledger.accepted.replayd'; expected "
             "a core metric (ledger.<verb>.<prov>, adversary.*, sim.*, bus.*) or a metric of "
             "the module; did you mean 'ledger.accepted.replayed'?");
    has_line(fails(HEAD SUCCESS "service:\n  - \"hes.alarms > 0 and hes.alrms < 3\"\n"),
             "s.yaml:9:25: service[0]: unknown metric 'hes.alrms'; expected a core metric "
             "(ledger.<verb>.<prov>, adversary.*, sim.*, bus.*) or a metric of the module; "
             "did you mean 'hes.alarms'?");
}

Test(scenario, condition_syntax_error_column_is_in_the_file)
{
    has_line(fails(HEAD "success:\n  - ledger.accepted.all > > 1\n"),
             "s.yaml:8:27: success[0]: found '>'; expected a number, a metric name or '('");
}

Test(scenario, a_scenario_without_an_adversary_action_is_refused)
{
    has_line(fails(HEAD SUCCESS),
             "s.yaml:1:1: actions: the scenario has no adversary action; expected at least "
             "one adversary action: a core network action (observe, capture, drop, delay, "
             "replay, inject, modify, flood), a compromise or an attack of the module");
    has(fails(HEAD SUCCESS "adversary: {capabilities: [observe]}\nactions: []\n"),
        "s.yaml:9:10: actions: the scenario has no adversary action");
    has(fails(HEAD SUCCESS "actions:\n"), "s.yaml:8:9: actions: the scenario has no adversary");
    /* any one action will do: a passive observer, a compromise, a module attack */
    const char *enough[] = {
        OBSERVE,
        "adversary: {capabilities: [compromise]}\nactions: [{at: 0, compromise: {entity: "
        "meter-0}}]\n",
        "adversary: {capabilities: [forge]}\nactions: [{at: 1min, forge: }]\n",
    };
    for (size_t i = 0; i < 3; i++) {
        char yaml[1024];
        snprintf(yaml, sizeof yaml, HEAD SUCCESS "%s", enough[i]);
        size_t n;
        sg17_scenario_t *s = parses(yaml, &n);
        cr_assert_eq(s->n_actions, 1);
        sg17_scenarios_free(s, n);
    }
}

Test(scenario, cost_metrics_are_refused_in_every_condition_list)
{
    has_line(fails(HEAD OBSERVE "success: [cost.hes.verify_us > 100]\n"),
             "s.yaml:9:11: success[0]: 'cost.hes.verify_us' is a wall-clock cost, which "
             "differs from run to run whatever the seed; expected a metric of the "
             "simulation (ledger.*, adversary.*, sim.*, bus.* or the module's); cost.* "
             "metrics belong in reports");
    has(fails(HEAD OBSERVE SUCCESS "service:\n  - \"hes.alarms == 0 and cost.x < 3\"\n"),
        "s.yaml:11:26: service[0]: 'cost.x' is a wall-clock cost");
    has(fails(HEAD OBSERVE SUCCESS "detection: [hes.alarms > cost.y]\n"),
        "s.yaml:10:26: detection[0]: 'cost.y' is a wall-clock cost");
}

Test(scenario, a_condition_that_reads_no_metric_or_ignores_them_is_refused)
{
    has_line(fails(HEAD OBSERVE "success: [\"1 > 0\"]\n"),
             "s.yaml:9:12: success[0]: the condition is always true, whatever the metrics "
             "read; expected a condition whose value depends on a metric");
    /* x > NaN is false for every x, so its negation is always true: the column is the 0 that
     * makes the division NaN */
    has(fails(HEAD OBSERVE "success: [\"not (hes.alarms > 0 / 0)\"]\n"),
        "s.yaml:9:34: success[0]: the condition is always true");
    has(fails(HEAD OBSERVE SUCCESS "service: [hes.alarms >= 0 or 2 > 1]\n"),
        "s.yaml:10:30: service[0]: the condition is always true");
    has(fails(HEAD OBSERVE SUCCESS "detection: [hes.alarms > 0 and 1 > 2]\n"),
        "s.yaml:10:32: detection[0]: the condition is always false");
}

Test(scenario, metric_namespace)
{
    cr_assert(sg17_metric_known(&fake, "ledger.accepted.replayed"));
    cr_assert(sg17_metric_known(&fake, "ledger.unreported.from_compromised.fake.command"));
    cr_assert(sg17_metric_known(&fake, "ledger.rejected.reason.bad_signature"));
    cr_assert(sg17_metric_known(&fake, "hes.readings.ok"));
    cr_assert(sg17_metric_known(&fake, "hes.readings.ok.late"));
    cr_assert(sg17_metric_known(&fake, "cost.hes.verify_us"));
    cr_assert(sg17_metric_known(&fake, "sim.virtual_seconds"));
    cr_assert(sg17_metric_known(&fake, "adversary.flooded"));
    cr_assert(sg17_metric_known(&fake, "bus.malformed"));
    cr_assert_not(sg17_metric_known(&fake, "hes.readings"));
    cr_assert_not(sg17_metric_known(&fake, "hes.readings."));
    cr_assert_not(sg17_metric_known(&fake, "ledger.accepted.replayed.fake.other"));
    cr_assert_not(sg17_metric_known(&fake, "ledger.rejected.reason.unknown"));
    cr_assert_not(sg17_metric_known(&fake, "ledger.kept.all"));
    cr_assert_not(sg17_metric_known(&fake, "cost."));
    cr_assert_not(sg17_metric_known(&fake, "adversary.bribed"));
    cr_assert_str_eq(sg17_core_metric_patterns[0], "ledger.<verb>.<prov>");
}

Test(scenario, capability_must_be_granted)
{
    has_line(fails(HEAD SUCCESS "adversary: {capabilities: [capture]}\n"
                                "actions:\n"
                                "  - {at: 1min, capture: {as: x}}\n"
                                "  - {at: 2min, capture: {as: y}}\n"
                                "  - {at: 3min, replay: {capture: x}}\n"),
             "s.yaml:12:16: actions[2].replay: needs capability 'replay', which "
             "adversary.capabilities does not grant; expected 'replay' in "
             "adversary.capabilities");
    has_line(fails(HEAD SUCCESS "adversary: {capabilities: [false_data]}\n"),
             "s.yaml:8:28: adversary.capabilities[0]: unknown name 'false_data'; expected "
             "a core action or a capability of the module's attacks");
    /* a module attack needs its declared capability */
    has(fails(HEAD SUCCESS "adversary: {capabilities: [forge]}\n"
                           "actions: [{at: 0, false_data: {factor: 2}}]\n"),
        "actions[0].false_data: needs capability 'tamper'");
}

Test(scenario, replay_must_name_an_earlier_capture)
{
    has_line(fails(HEAD SUCCESS "adversary: {capabilities: [capture, replay]}\n"
                                "actions:\n"
                                "  - {at: 10min, replay: {capture: old}}\n"
                                "  - {at: 20min, capture: {as: old}}\n"),
             "s.yaml:10:35: actions[0].replay.capture: no capture named 'old' happens at "
             "or before this action; expected the `as` name of a capture action at or "
             "before this one; did you mean 'old'?");
    has_line(fails(HEAD SUCCESS "adversary: {capabilities: [capture, replay]}\n"
                                "actions:\n"
                                "  - {at: 10min, capture: {as: old}}\n"
                                "  - {at: 20min, replay: {capture: olde}}\n"),
             "s.yaml:11:35: actions[1].replay.capture: no capture named 'olde' happens at "
             "or before this action; expected the `as` name of a capture action at or "
             "before this one; did you mean 'old'?");
}

Test(scenario, action_parameters_are_checked)
{
    const char *adv = "adversary: {capabilities: [replay, capture, modify, drop, inject]}\n";
    char buf[1024];
    snprintf(buf, sizeof buf,
             HEAD SUCCESS "%sactions:\n  - {at: 1min, capture: {as: x}}\n"
                          "  - {at: 2min, replay: {captur: x}}\n",
             adv);
    has_line(fails(buf),
             "s.yaml:11:25: actions[1].replay.captur: unknown parameter 'captur' of "
             "replay; expected one of capture, after, dst, to, count; did you mean 'capture'?");
    snprintf(buf, sizeof buf,
             HEAD SUCCESS "%sactions:\n  - {at: 1min, modify: {xor: ff, set: 00}}\n", adv);
    has(fails(buf), "actions[0].modify: both xor and set are given; expected exactly "
                    "one of xor and set");
    snprintf(buf, sizeof buf, HEAD SUCCESS "%sactions:\n  - {at: 1min, drop: {probability: 1.5}}\n",
             adv);
    has(fails(buf), "s.yaml:10:36: actions[0].drop.probability: 1.5 is out of range; "
                    "expected a number from 0 to 1");
    snprintf(buf, sizeof buf,
             HEAD SUCCESS "%sactions:\n  - {at: 1min, inject: {dst: hes-0, type: fake.readng}}\n",
             adv);
    has(fails(buf), "actions[0].inject.type: 'fake.readng' is not a message type of "
                    "module fakemod; expected a message type of the module; did you "
                    "mean 'fake.reading'?");
    snprintf(buf, sizeof buf,
             HEAD SUCCESS "%sactions:\n  - {at: 1min, inject: {type: fake.reading}}\n", adv);
    has(fails(buf), "actions[0].inject: neither dst nor to is given; expected a destination: "
                    "dst (an entity) or to (a glob)");
    snprintf(buf, sizeof buf,
             HEAD SUCCESS "%sactions:\n  - {at: 1min, inject: {to: \"hes-*\", dst: hes-0, type: "
                          "fake.reading}}\n",
             adv);
    has(fails(buf), "actions[0].inject: both dst and to are given; expected at most one of dst "
                    "and to");
    snprintf(buf, sizeof buf,
             HEAD SUCCESS "%sactions:\n  - {at: 1min, inject: {to: \"car-*\", type: "
                          "fake.reading}}\n",
             adv);
    has(fails(buf), "actions[0].inject.to: 'car-*' matches no entity; expected a glob matching "
                    "an entity of the topology");
    snprintf(buf, sizeof buf, HEAD SUCCESS "%sactions:\n  - {at: 2h, drop: {}}\n", adv);
    has(fails(buf), "s.yaml:10:10: actions[0].at: '2h' is after the end of the "
                    "scenario");
    snprintf(buf, sizeof buf,
             HEAD SUCCESS "%sactions:\n  - {at: 1min, drop: {match: {src: [a]}}}\n", adv);
    has(fails(buf), "actions[0].drop.match.src: lists are not allowed as parameter "
                    "values");
    snprintf(buf, sizeof buf, HEAD SUCCESS "%sactions:\n  - {at: 1min, dorp: {}}\n", adv);
    has(fails(buf), "actions[0].dorp: unknown action 'dorp'; expected a core action ");
    has(fails(buf), "did you mean 'drop'?");
    snprintf(buf, sizeof buf, HEAD SUCCESS "%sactions:\n  - {at: 1min, drop: {}, observe: {}}\n",
             adv);
    has(fails(buf), "actions[0]: more than one action ('drop' and 'observe')");
}

/* Every rate, count and span of a core action has a declared maximum, so one action is bounded
 * work: a flood of rate x for above 10 M messages is refused before it runs. */
Test(scenario, core_action_rates_counts_and_spans_have_declared_maxima)
{
    const char *adv =
        "adversary: {capabilities: [replay, capture, modify, delay, flood]}\nactions:\n";
    static const struct {
        const char *action, *message;
    } cases[] = {
        {"flood: {dst: hes-0, type: fake.reading, rate: 1e12, for: 1h}",
         "s.yaml:10:62: actions[0].flood.rate: 1e12 is out of range; expected a number of messages "
         "per second above 0, at most 1000000 (one per microsecond)"},
        {"flood: {dst: hes-0, type: fake.reading, rate: 5000, for: 1h}",
         "s.yaml:10:62: actions[0].flood.rate: this flood would send 17700000 messages; expected "
         "at most 10000000 messages per flood (rate x for, within the run)"},
        {"flood: {dst: hes-0, type: fake.reading, for: 40d}",
         "actions[0].flood.for: '40d' is out of range; expected a duration of at most 30d"},
        {"capture: {as: x, count: 1000001}",
         "s.yaml:10:40: actions[0].capture.count: 1000001 is out of range; expected a whole "
         "number from 1 to 1000000"},
        {"delay: {by: 31d}", "actions[0].delay.by: '31d' is out of range"},
        {"modify: {offset: 70000, xor: ff}",
         "actions[0].modify.offset: 70000 is out of range; expected a byte offset from 0 to "
         "65535"},
    };
    char buf[1024];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(buf, sizeof buf, HEAD SUCCESS "%s  - {at: 1min, %s}\n", adv, cases[i].action);
        has(fails(buf), cases[i].message);
    }
    /* within the bounds: 5000/s for the 10 s left of the run, and the largest count */
    snprintf(buf, sizeof buf,
             HEAD SUCCESS "%s  - {at: 59min50s, flood: {dst: hes-0, type: fake.reading, rate: "
                          "5000, for: 1h}}\n  - {at: 1min, capture: {as: x, count: 1000000}}\n",
             adv);
    size_t n;
    sg17_scenario_t *list = parses(buf, &n);
    sg17_scenarios_free(list, n);
}

Test(scenario, entity_index_out_of_range)
{
    has_line(fails(HEAD SUCCESS "topology: {meter: 5}\n"
                                "adversary: {capabilities: [compromise]}\n"
                                "actions: [{at: 1min, compromise: {entity: meter-5}}]\n"),
             "s.yaml:10:43: actions[0].compromise.entity: 'meter-5' is out of range: the "
             "topology has 5 meter entities; expected meter-0 .. meter-4");
    has_line(fails(HEAD SUCCESS "config: {target: metr-1}\n"),
             "s.yaml:8:18: config.target: 'metr-1' names no entity kind of module fakemod; "
             "expected an entity name such as <kind>-0; did you mean 'meter'?");
    has_line(
        fails(HEAD SUCCESS "topology: {hes: 2}\n"),
        "s.yaml:8:17: topology.hes: 2 is out of range: at most 1; expected a count from 1 to 1");
}

Test(scenario, expect_needs_a_reason_unless_holds)
{
    has_line(fails(HEAD SUCCESS "expect: fails\n"),
             "s.yaml:8:9: expect.reason: a 'fails' expectation needs a reason; expected "
             "{verdict: ..., reason: \"why\"}");
    has_line(fails(HEAD SUCCESS "expect: hold\n"),
             "s.yaml:8:9: expect: unknown verdict 'hold'; expected holds, fails, degraded "
             "or vacuous; did you mean 'holds'?");
    size_t n;
    sg17_scenario_t *s =
        parses(HEAD SUCCESS OBSERVE "expect: {verdict: vacuous, reason: not yet}\n", &n);
    cr_assert_str_eq(s->expect, "vacuous");
    cr_assert_str_eq(s->expect_reason, "not yet");
    sg17_scenarios_free(s, n);
}

Test(scenario, matrix_expands_into_points_with_ids_and_values)
{
    sg17_err_t err = {{0}};
    sg17_scenario_t *list = NULL;
    size_t n = 0;
    cr_assert_eq(sg17_scenario_load(DATA "matrix.yaml", &reg, &list, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, 6);
    cr_assert_str_eq(list[0].id, "fakemod/sweep[p=0.1,meters=5]");
    cr_assert_str_eq(list[1].id, "fakemod/sweep[p=0.1,meters=10]");
    cr_assert_str_eq(list[5].id, "fakemod/sweep[p=0.9,meters=10]");
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(list[i].base_id, "fakemod/sweep");
        cr_assert_str_eq(list[i].matrix_x, "p");
        cr_assert_eq(list[i].n_matrix_point, 2);
        cr_assert_str_eq(list[i].matrix_point[0].key, "p");
        cr_assert_str_eq(list[i].matrix_point[1].key, "meters");
    }
    cr_assert_str_eq(list[3].matrix_point[0].value, "0.5");
    cr_assert_str_eq(list[3].matrix_point[1].value, "10");
    cr_assert_str_eq(sg17_action_param(&list[3].actions[0], "probability"), "0.5");
    cr_assert_eq(list[3].topology[0].count, 10);
    cr_assert_eq(list[2].topology[0].count, 5);
    cr_assert_str_eq(list[3].success[0].text, "ledger.dropped.all > 10");
    sg17_scenarios_free(list, n);
}

Test(scenario, matrix_errors)
{
    has_line(fails(HEAD SUCCESS "seed: ${sed}\nmatrix: {seed: [1, 2]}\n"),
             "s.yaml:8:7: seed: unknown matrix parameter '${sed}'; expected a name of the "
             "matrix");
    has_line(fails(HEAD SUCCESS "description: ${x}\n"),
             "s.yaml:8:14: description: unknown matrix parameter '${x}'; expected a `matrix:` "
             "that defines it");
    has_line(fails(HEAD SUCCESS "matrix: {a: []}\n"),
             "s.yaml:8:13: matrix.a: found an empty list; expected a non-empty list of "
             "values");
    char big[512];
    snprintf(big, sizeof big,
             HEAD SUCCESS "matrix:\n  a: [1,2,3,4,5,6,7,8,9,10]\n"
                          "  b: [1,2,3,4,5,6,7,8,9,10]\n  c: [1,2,3,4,5,6,7,8,9,10,11]\n");
    has(fails(big), "s.yaml:11:6: matrix.c: the matrix has more than 1000 points; "
                    "expected at most 1000 points in all");
    /* ${} references cannot blow a small file up: 64 KiB value x 100 references > 4 MiB */
    size_t vlen = 65536, cap = vlen + 2048;
    char *bomb = malloc(cap);
    cr_assert_not_null(bomb);
    int at = snprintf(bomb, cap, HEAD SUCCESS "description: \"");
    for (int i = 0; i < 100; i++)
        at += snprintf(bomb + at, cap - (size_t)at, "${x}");
    at += snprintf(bomb + at, cap - (size_t)at, "\"\nmatrix: {x: [\"");
    memset(bomb + at, 'a', vlen);
    snprintf(bomb + at + vlen, cap - (size_t)at - vlen, "\"]}\n");
    has(fails(bomb), "s.yaml:8:14: description: substituting ${x} makes this point too large; "
                     "expected a point of at most 4 MiB of text");
    free(bomb);
    /* an error in one point names the point's value */
    has_line(fails(HEAD SUCCESS OBSERVE "seed: ${s}\nmatrix: {s: [1, -2]}\n"),
             "s.yaml:10:7: seed: the seed is negative; expected an integer >= 0");
}

Test(scenario, hostile_yaml_is_refused_through_the_scenario_loader)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sg17_err_t err = {{0}};
    sg17_scenario_t *list = NULL;
    size_t n = 0;
    cr_assert_eq(sg17_scenario_load(DATA "billion-laughs.yaml", &reg, &list, &n, &err), -1);
    cr_assert(strstr(err.msg, "billion-laughs.yaml:1:4: anchors and aliases are not supported"),
              "%s", err.msg);
    has_line(fails(HEAD SUCCESS "---\n" HEAD SUCCESS),
             "s.yaml:8:1: more than one document; expected one scenario per file");
    has_line(fails(HEAD SUCCESS "seed: !!int 5\n"),
             "s.yaml:8:7: explicit tags are not supported (found 'tag:yaml.org,2002:int'); "
             "expected an untagged value");
    has_line(fails(HEAD SUCCESS "seed: 1\nseed: 2\n"),
             "s.yaml:9:1: duplicate key 'seed' (first at line 8); expected each key once");
    size_t big = 5u << 20;
    char *five = malloc(big);
    memset(five, '#', big);
    cr_assert_eq(sg17_scenario_parse(five, big, "big.yaml", &reg, &list, &n, &err), -1);
    cr_assert_str_eq(err.msg, "big.yaml:1:1: the file is 5242880 bytes; expected at most 4194304");
    free(five);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cr_assert_lt((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, 1.0);
}

Test(scenario, top_level_must_be_a_mapping)
{
    has_line(fails("- a\n- b\n"),
             "s.yaml:1:1: (top level): found a list; expected a mapping with id, title, "
             "module, ...");
}

/* ---- SDK v2: ranges, minimum counts, family members ---- */

Test(scenario, a_config_value_outside_its_declared_range_is_refused_at_its_position)
{
    has_line(fails(HEAD SUCCESS "config: {retries: 11}\n" OBSERVE),
             "s.yaml:8:19: config.retries: '11' is out of range: at most 10; expected a "
             "value from 0 to 10");
    size_t n;
    sg17_scenario_t *s = parses(HEAD SUCCESS "config: {retries: 10}\n" OBSERVE, &n);
    cr_assert_str_eq(sg17_scenario_config(s, "retries"), "10");
    sg17_scenarios_free(s, n);
}

Test(scenario, an_attack_parameter_outside_its_declared_range_is_refused_at_its_position)
{
    const char *msg =
        fails(HEAD SUCCESS "adversary: {capabilities: [tamper]}\n"
                           "actions:\n"
                           "  - {at: 1min, false_data: {factor: 2, count: 1000000}}\n");
    cr_assert_str_eq(msg, "s.yaml:10:47: actions[0].false_data.count: '1000000' is out of range: "
                          "at most 100; expected a value from 1 to 100");
    has(fails(HEAD SUCCESS "adversary: {capabilities: [tamper]}\n"
                           "actions:\n"
                           "  - {at: 1min, false_data: {factor: 2, count: 0}}\n"),
        "'0' is out of range: at least 1");
}

Test(scenario, a_topology_below_a_kinds_minimum_count_is_refused)
{
    has_line(fails(HEAD SUCCESS "topology: {hes: 0}\n"),
             "s.yaml:8:17: topology.hes: 0 is out of range: at least 1; expected a count "
             "from 1 to 1");
}

Test(scenario, a_family_member_outside_the_topology_is_refused_at_its_position)
{
    has_line(fails(HEAD SUCCESS "topology: {meter: 4}\n"
                                "service: [hes.by_meter.meter-9 > 0]\n" OBSERVE),
             "s.yaml:9:11: service[0]: 'hes.by_meter.meter-9' names meter-9, but the "
             "topology has 4 meter entities; expected a member of the family within the "
             "topology");
    has(fails(HEAD SUCCESS "service: [hes.by_meter.hes-0 > 0]\n" OBSERVE),
        "'hes.by_meter.hes-0' is not a member of hes.by_meter.*: its members are meter entities");
    has(fails(HEAD SUCCESS "service: [hes.readings.ok. > 0]\n" OBSERVE),
        "unknown metric 'hes.readings.ok.'");
    size_t n;
    sg17_scenario_t *s = parses(
        HEAD SUCCESS "topology: {meter: 4}\nservice: [hes.by_meter.meter-3 > 0]\n" OBSERVE, &n);
    sg17_scenarios_free(s, n);
}

Test(scenario, the_core_reason_no_receiver_is_a_known_metric)
{
    cr_assert(sg17_metric_known(&fake, "ledger.rejected.reason.no_receiver"));
    cr_assert(sg17_metric_known(NULL, "ledger.rejected.reason.no_receiver"));
}

Test(scenario, the_fake_module_passes_the_loaders_descriptor_checks)
{
    sg17_err_t err = {{0}};
    cr_assert_eq(sg17_module_check(&fake, "fake", &err), 0, "%s", err.msg);
}

Test(scenario, one_message_per_problem_an_overflowing_integer_is_out_of_range_empty_hex_too_short)
{
    has(fails(HEAD SUCCESS "config: {retries: 99999999999999999999}\n"),
        "'99999999999999999999' is out of range: at most 9223372036854775807");
    has(fails(HEAD SUCCESS "config: {key: \"\"}\n"),
        "the hex value is empty; expected at least one byte (two hex digits)");
}

/* A first scenario with four independent mistakes: one pass reports all four, each once, in the
 * order of the file, and nothing that follows from them (the missing `duration` behind the typo
 * `duraton`, the actions that need the duration). */
Test(scenario, every_error_of_a_file_is_reported_in_one_pass_each_once_in_file_order)
{
    const char *msg = fails("id: fakemod/t\n"
                            "title: a test\n"
                            "module: fakemod\n"
                            "requirements: [FAKE-R-01]\n"
                            "duraton: 1h\n"
                            "mitigations: [signature]\n"
                            "success: [ledger.accepted.replayd > 0]\n"
                            "expect: hold\n" OBSERVE);
    static const char *const want[] = {
        "s.yaml:5:1: duraton: unknown key 'duraton'; expected a scenario key (see "
        "docs/scenarios.md); did you mean 'duration'?",
        "s.yaml:6:15: mitigations[0]: unknown name 'signature'; expected a mitigation of the "
        "module; did you mean 'signatures'?",
        "s.yaml:7:11: success[0]: unknown metric 'ledger.accepted.replayd'; expected a core metric "
        "(ledger.<verb>.<prov>, adversary.*, sim.*, bus.*) or a metric of the module; did you "
        "mean 'ledger.accepted.replayed'?",
        "s.yaml:8:9: expect: unknown verdict 'hold'; expected holds, fails, degraded or vacuous; "
        "did you mean 'holds'?",
    };
    const char *p = msg;
    for (size_t i = 0; i < 4; i++) {
        has_line(msg, want[i]);
        const char *at = strstr(msg, want[i]);
        cr_assert_geq(at, p, "in file order: %s", want[i]);
        p = at;
    }
    cr_assert_eq(strchr(strchr(strchr(strchr(msg, '\n') + 1, '\n') + 1, '\n') + 1, '\n'), NULL,
                 "four errors, four lines:\n%s", msg);
}

/* A matrix validates the same text once per point; an error in it is still reported once. */
Test(scenario, an_error_in_a_matrix_file_is_reported_once_not_once_per_point)
{
    const char *msg = fails("id: fakemod/t\n"
                            "title: a test\n"
                            "module: fakemod\n"
                            "requirements: [FAKE-R-01]\n"
                            "duration: 1h\n"
                            "mitigations: [signature]\n"
                            "success: [ledger.accepted.replayed > 0]\n"
                            "matrix: {n: [1, 2, 3]}\n" OBSERVE);
    has_line(msg, "s.yaml:6:15: mitigations[0]: unknown name 'signature'; expected a mitigation "
                  "of the module; did you mean 'signatures'?");
    cr_assert_null(strchr(msg, '\n'), "one error, one line:\n%s", msg);
}

Test(scenario, repeat_is_a_whole_number_from_1_to_1000)
{
    size_t n;
    sg17_scenario_t *l = parses("id: fakemod/t\ntitle: a test\nmodule: fakemod\n"
                                "requirements: [FAKE-R-01]\nduration: 1h\nmitigations: []\n"
                                "success: [ledger.accepted.replayed > 0]\nrepeat: 20\n" OBSERVE,
                                &n);
    cr_assert_eq(l[0].repeat, 20);
    sg17_scenarios_free(l, n);
    has_line(fails("id: fakemod/t\ntitle: a test\nmodule: fakemod\n"
                   "requirements: [FAKE-R-01]\nduration: 1h\nmitigations: []\n"
                   "success: [ledger.accepted.replayed > 0]\nrepeat: 0\n" OBSERVE),
             "s.yaml:8:9: repeat: 0 is out of range; expected a whole number from 1 to 1000");
}
