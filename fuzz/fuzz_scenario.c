/* fuzz_scenario.c — libFuzzer target: sg17_scenario_parse on arbitrary bytes against a static
 * fake module registry (every value type, attacks with params, a metric family). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "scenario/scenario.h"

typedef struct {
    sg17_time_t interval;
    int64_t retries;
    double ratio;
    bool verbose, invocation_counter, signatures;
    const char *label;
    sg17_bytes_t key;
    sg17_entity_t target;
} fake_config_t;
#define F(field) offsetof(fake_config_t, field)

static const sg17_entity_kind_t kinds[] = {{"meter", "meter", 3, 0, 100, NULL, NULL},
                                           {"hes", "head-end", 1, 1, 1, NULL, NULL},
                                           {NULL, NULL, 0, 0, 0, NULL, NULL}};
static const sg17_config_key_t config[] = {
    {"interval", SG17_TYPE_DURATION, "15min", "", F(interval), {60, 86400}},
    {"retries", SG17_TYPE_INT, "3", "", F(retries), {0, 10}},
    {"ratio", SG17_TYPE_NUMBER, "0.5", "", F(ratio), {0, 1}},
    {"verbose", SG17_TYPE_BOOL, "off", "", F(verbose), {0, 0}},
    {"label", SG17_TYPE_STRING, "x", "", F(label), {0, 0}},
    {"key", SG17_TYPE_HEX, "00aa", "", F(key), {0, 0}},
    {"target", SG17_TYPE_ENTITY, "hes-0", "", F(target), {0, 0}},
    {NULL, 0, NULL, NULL, 0, {0, 0}}};
static const sg17_mitigation_t mitigations[] = {
    {"invocation_counter", "", NULL, false, F(invocation_counter)},
    {"signatures", "", NULL, true, F(signatures)},
    {NULL, NULL, NULL, false, 0}};
static const sg17_param_t params[] = {{"factor", SG17_TYPE_NUMBER, true, "", {0, 100}},
                                      {"victim", SG17_TYPE_ENTITY, false, "", {0, 0}},
                                      {"capture", SG17_TYPE_STRING, false, "", {0, 0}},
                                      {"count", SG17_TYPE_COUNT, false, "", {1, 1000}},
                                      {NULL, 0, false, NULL, {0, 0}}};
static const sg17_attack_t attacks[] = {{"false_data", "", "tamper", params, NULL},
                                        {"forge", "", NULL, NULL, NULL},
                                        {NULL, NULL, NULL, NULL, NULL}};
static const sg17_metric_t metrics[] = {{"hes.alarms", "", NULL},
                                        {"hes.readings.*", "", NULL},
                                        {"hes.by_meter.*", "", "meter"},
                                        {NULL, NULL, NULL}};
static const sg17_reason_t reasons[] = {{"replay", ""}, {NULL, NULL}};
static const char *const types[] = {"fake.reading", "fake.command", NULL};
static const sg17_module_t fake = {
    SG17_MODULE_HEADER,         .name = "fakemod",
    .entity_kinds = kinds,      .config = config,
    .mitigations = mitigations, .attacks = attacks,
    .metrics = metrics,         .reasons = reasons,
    .message_types = types,     .config_size = sizeof(fake_config_t)};

static const sg17_module_t *reg_module(void *arg, const char *name, sg17_err_t *err)
{
    (void)arg;
    if (!strcmp(name, "fakemod"))
        return &fake;
    sg17_err(err, "unknown module %s", name);
    return NULL;
}

static const sg17_catalogue_t *reg_catalogue(void *arg, const char *module, sg17_err_t *err)
{
    err->msg[0] = '\0';
    (void)arg;
    (void)module;
    return NULL;
}

static const char *const *reg_names(void *arg, size_t *n)
{
    static const char *const names[] = {"fakemod", "metering"};
    (void)arg;
    *n = 2;
    return names;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sg17_registry_t reg = {reg_module, reg_catalogue, reg_names, NULL};
    sg17_scenario_t *list = NULL;
    size_t n = 0;
    sg17_err_t err;
    if (sg17_scenario_parse((const char *)data, size, "fuzz.yaml", &reg, &list, &n, &err) == 0)
        sg17_scenarios_free(list, n);
    return 0;
}
