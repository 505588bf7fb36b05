/* test_config.c — the config struct the core fills before create(): every sg17_type_t stored at
 * its offsetof binding with its C type (strings and hex bytes owned by the struct's block), each
 * mitigation's state, and a value that is not in normal form refused. */
#include <criterion/criterion.h>
#include <string.h>

#include "module/config.h"
#include "module/descriptor.h"

typedef struct {
    int64_t retries;
    double ratio;
    bool verbose;
    const char *label;
    sg17_time_t interval;
    sg17_bytes_t key;
    sg17_entity_t target;
    uint64_t batch;
    bool signatures, audit;
} cfg_t;

#define F(field) offsetof(cfg_t, field)
static const sg17_config_key_t keys[] = {
    {"retries", SG17_TYPE_INT, "3", "", F(retries), {0, 0}},
    {"ratio", SG17_TYPE_NUMBER, "0.5", "", F(ratio), {0, 0}},
    {"verbose", SG17_TYPE_BOOL, "false", "", F(verbose), {0, 0}},
    {"label", SG17_TYPE_STRING, "x", "", F(label), {0, 0}},
    {"interval", SG17_TYPE_DURATION, "1s", "", F(interval), {0, 0}},
    {"key", SG17_TYPE_HEX, "00", "", F(key), {0, 0}},
    {"target", SG17_TYPE_ENTITY, "hes-0", "", F(target), {0, 0}},
    {"batch", SG17_TYPE_COUNT, "1", "", F(batch), {0, 0}},
    {NULL, 0, NULL, NULL, 0, {0, 0}},
};
static const sg17_mitigation_t mitigations[] = {
    {"signatures", "", NULL, false, F(signatures)},
    {"audit", "", NULL, true, F(audit)},
    {NULL, NULL, NULL, false, 0},
};
static const sg17_module_t mod = {SG17_MODULE_HEADER, .name = "cfg", .config = keys,
                                  .mitigations = mitigations, .config_size = sizeof(cfg_t)};

static const char *values[][2] = {
    {"retries", "-7"},       {"ratio", "0.25"}, {"verbose", "true"}, {"label", "hello"},
    {"interval", "1500000"}, {"key", "00aaff"}, {"target", "hes-1"}, {"batch", "1000000000"},
};
static const char *bad_key; /* a key whose value is replaced by bad_value */
static const char *bad_value;

static const char *value(void *arg, const char *key)
{
    (void)arg;
    if (bad_key && strcmp(key, bad_key) == 0)
        return bad_value;
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        if (strcmp(values[i][0], key) == 0)
            return values[i][1];
    return NULL;
}

static bool mitigation_on(void *arg, const char *name)
{
    (void)arg;
    return strcmp(name, "signatures") == 0;
}

static sg17_entity_t entity(void *arg, const char *kind, size_t len, unsigned index)
{
    (void)arg;
    return len == 3 && strncmp(kind, "hes", 3) == 0 && index < 2 ? 40 + index : SG17_NO_ENTITY;
}

static const sg17_config_source_t src = {value, mitigation_on, entity, NULL};

Test(config, every_type_is_stored_at_its_binding_with_its_c_type)
{
    char why[256] = "";
    bad_key = NULL;
    const cfg_t *c = sg17_config_build(&mod, &src, why, sizeof why);
    cr_assert_not_null(c, "%s", why);
    cr_assert_eq(c->retries, -7);
    cr_assert_float_eq(c->ratio, 0.25, 1e-12);
    cr_assert(c->verbose);
    cr_assert_str_eq(c->label, "hello");
    cr_assert_eq(c->interval, 1500000);
    cr_assert_eq(c->key.len, 3);
    cr_assert_eq(memcmp(c->key.data, "\x00\xaa\xff", 3), 0);
    cr_assert_eq(c->target, 41);
    cr_assert_eq(c->batch, 1000000000);
    cr_assert(c->signatures);
    cr_assert_not(c->audit, "a mitigation's state is the run's, not its default");
    sg17_config_free((void *)c);
}

Test(config, a_value_not_in_normal_form_is_refused)
{
    char why[256] = "";
    bad_key = "retries", bad_value = "3.5";
    cr_assert_null(sg17_config_build(&mod, &src, why, sizeof why));
    cr_assert(strstr(why, "config key 'retries' has '3.5', not a decimal integer"), "%s", why);
    bad_key = "target", bad_value = "hes-7";
    cr_assert_null(sg17_config_build(&mod, &src, why, sizeof why));
    cr_assert(strstr(why, "not an entity of this run"), "%s", why);
    bad_key = "key", bad_value = NULL;
    cr_assert_null(sg17_config_build(&mod, &src, why, sizeof why));
    cr_assert(strstr(why, "config key 'key' has no value"), "%s", why);
    bad_key = NULL;
}
