/* test_descriptor.c — the loader's reading of a descriptor: another ABI major refused with the
 * rebuild message (in memory and from a real .so), an older minor's shorter descriptor accepted
 * with its missing slots NULL, and each descriptor check (bindings inside config_size and not
 * overlapping, config keys without a config struct, COUNT parameters without a maximum, kinds'
 * counts, family member kinds, attacks without a handler) refusing what it should. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "module/descriptor.h"
#include "module/loader.h"

typedef struct {
    int64_t retries;
    bool verbose;
    bool signatures;
    uint64_t batch;
} cfg_t;

static void on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *msg)
{
    (void)instance, (void)ctx, (void)msg;
}

static int run(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    (void)instance, (void)ctx, (void)p;
    return 0;
}

static void finish(void *instance, sg17_ctx_t *ctx)
{
    (void)instance, (void)ctx;
}

static sg17_entity_kind_t kinds[] = {
    {"meter", "a meter", 3, 1, 10, on_message, NULL},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};
static sg17_config_key_t keys[] = {
    {"retries", SG17_TYPE_INT, "3", "retries", offsetof(cfg_t, retries), {0, 10}},
    {"verbose", SG17_TYPE_BOOL, "false", "log more", offsetof(cfg_t, verbose), {0, 0}},
    {"batch", SG17_TYPE_COUNT, "2", "a batch", offsetof(cfg_t, batch), {0, 0}},
    {NULL, 0, NULL, NULL, 0, {0, 0}},
};
static sg17_mitigation_t mitigations[] = {
    {"signatures", "sign", NULL, false, offsetof(cfg_t, signatures)},
    {NULL, NULL, NULL, false, 0},
};
static sg17_param_t params[] = {
    {"count", SG17_TYPE_COUNT, false, "how many", {1, 100}},
    {NULL, 0, false, NULL, {0, 0}},
};
static sg17_attack_t attacks[] = {
    {"flood_meter", "floods", NULL, params, run},
    {NULL, NULL, NULL, NULL, NULL},
};
static sg17_metric_t metrics[] = {
    {"hes.by_meter.*", "per meter", "meter"},
    {NULL, NULL, NULL},
};

/* A valid descriptor; each test breaks one thing in a copy of a table. */
static sg17_module_t good(void)
{
    return (sg17_module_t){SG17_MODULE_HEADER,
                           .name = "mini",
                           .entity_kinds = kinds,
                           .config = keys,
                           .mitigations = mitigations,
                           .attacks = attacks,
                           .metrics = metrics,
                           .config_size = sizeof(cfg_t),
                           .finish = finish};
}

static const char *refused(const sg17_module_t *raw)
{
    static sg17_err_t err;
    sg17_module_t out;
    memset(&err, 0, sizeof err);
    cr_assert_eq(sg17_module_adopt(raw, "mini.so", &out, &err), -1, "accepted");
    return err.msg;
}

static void has(const char *msg, const char *part)
{
    cr_assert(strstr(msg, part), "%s\n  lacks: %s", msg, part);
}

Test(descriptor, a_valid_descriptor_is_adopted_as_it_is)
{
    sg17_module_t raw = good(), out;
    sg17_err_t err = {{0}};
    cr_assert_eq(sg17_module_adopt(&raw, "mini.so", &out, &err), 0, "%s", err.msg);
    cr_assert_str_eq(out.name, "mini");
    cr_assert_eq(out.finish, finish);
    cr_assert_eq(out.size, sizeof(sg17_module_t));
}

Test(descriptor, another_abi_major_is_refused_with_the_rebuild_message)
{
    sg17_module_t raw = good();
    raw.abi_major = SG17_MODULE_ABI_MAJOR + 1;
    has(refused(&raw), "mini.so was built for module ABI 3, this sg17tb speaks ABI 2: rebuild");
}

Test(descriptor, a_module_so_of_another_major_is_refused_by_the_loader)
{
    sg17_err_t err = {{0}};
    const char *path = SG17TB_FIXTURE_DIR "/../fixture-broken/old_abi.so";
    cr_assert_null(sg17_loader_load_file(path, &err));
    has(err.msg, "was built for module ABI 1, this sg17tb speaks ABI 2: rebuild the module");
}

Test(descriptor, a_size_below_minor_zero_is_refused)
{
    sg17_module_t raw = good();
    raw.size = (uint32_t)offsetof(sg17_module_t, config_size);
    has(refused(&raw), "smaller than any of module ABI 2");
}

/* Today's minor is 0, so an older minor is stood for by a minor 0 that would have ended before
 * `finish`: the descriptor says it is that short, and the slot behind it holds garbage the core
 * must not read. */
Test(descriptor, an_older_minors_shorter_descriptor_is_accepted_with_its_missing_slots_null)
{
    sg17_module_t raw = good(), out;
    raw.size = (uint32_t)offsetof(sg17_module_t, finish);
    raw.finish = (void (*)(void *, sg17_ctx_t *))(uintptr_t)0xdead;
    sg17_err_t err = {{0}};
    cr_assert_eq(
        sg17_module_adopt_sized(&raw, offsetof(sg17_module_t, finish), "old.so", &out, &err), 0,
        "%s", err.msg);
    cr_assert_null(out.finish);
    cr_assert_eq(out.config_size, sizeof(cfg_t));
    cr_assert_str_eq(out.name, "mini");
}

Test(descriptor, a_newer_minors_longer_descriptor_is_accepted)
{
    struct {
        sg17_module_t m;
        void *later_slot;
    } raw = {good(), (void *)1};
    raw.m.size = sizeof raw;
    sg17_module_t out;
    sg17_err_t err = {{0}};
    cr_assert_eq(sg17_module_adopt(&raw.m, "new.so", &out, &err), 0, "%s", err.msg);
    cr_assert_eq(out.size, sizeof(sg17_module_t));
}

Test(descriptor, a_binding_outside_config_size_is_refused)
{
    sg17_config_key_t k[] = {keys[0], keys[1], keys[2], {NULL, 0, NULL, NULL, 0, {0, 0}}};
    k[2].offset = sizeof(cfg_t);
    sg17_module_t raw = good();
    raw.config = k;
    has(refused(&raw), "config key 'batch' binds 8 bytes at offset 24, outside the config struct "
                       "of 24 bytes");
    sg17_mitigation_t x[] = {mitigations[0], {NULL, NULL, NULL, false, 0}};
    x[0].offset = sizeof(cfg_t);
    raw = good();
    raw.mitigations = x;
    has(refused(&raw), "mitigation 'signatures' binds 1 bytes at offset 24, outside");
}

Test(descriptor, overlapping_bindings_are_refused)
{
    sg17_mitigation_t x[] = {mitigations[0], {NULL, NULL, NULL, false, 0}};
    x[0].offset = offsetof(cfg_t, verbose);
    sg17_module_t raw = good();
    raw.mitigations = x;
    has(refused(&raw), "overlaps");
    sg17_config_key_t k[] = {keys[0], keys[1], keys[2], {NULL, 0, NULL, NULL, 0, {0, 0}}};
    k[2].offset = offsetof(cfg_t, retries);
    raw = good();
    raw.config = k;
    has(refused(&raw), "config key 'batch' (offset 0) overlaps config key 'retries'");
}

Test(descriptor, a_misaligned_binding_is_refused)
{
    sg17_config_key_t k[] = {keys[0], keys[1], keys[2], {NULL, 0, NULL, NULL, 0, {0, 0}}};
    k[2].offset = offsetof(cfg_t, verbose) + 2;
    sg17_module_t raw = good();
    raw.config = k;
    has(refused(&raw), "not aligned");
}

Test(descriptor, config_keys_without_a_config_struct_are_refused)
{
    sg17_module_t raw = good();
    raw.config_size = 0;
    has(refused(&raw), "but config_size 0");
}

Test(descriptor, a_count_parameter_without_a_maximum_is_refused)
{
    sg17_param_t p[] = {params[0], {NULL, 0, false, NULL, {0, 0}}};
    p[0].range = (sg17_range_t){0, 0};
    sg17_attack_t a[] = {attacks[0], {NULL, NULL, NULL, NULL, NULL}};
    a[0].params = p;
    sg17_module_t raw = good();
    raw.attacks = a;
    has(refused(&raw), "COUNT parameter 'count' of attack 'flood_meter' declares no maximum");
}

Test(descriptor, an_attack_without_a_handler_is_refused)
{
    sg17_attack_t a[] = {attacks[0], {NULL, NULL, NULL, NULL, NULL}};
    a[0].run = NULL;
    sg17_module_t raw = good();
    raw.attacks = a;
    has(refused(&raw), "attack 'flood_meter' has no run handler");
}

Test(descriptor, a_default_outside_its_range_or_counts_out_of_order_are_refused)
{
    sg17_config_key_t k[] = {keys[0], keys[1], keys[2], {NULL, 0, NULL, NULL, 0, {0, 0}}};
    k[0].default_value = "11";
    sg17_module_t raw = good();
    raw.config = k;
    has(refused(&raw), "the default of config key 'retries' is invalid: '11' is out of range");
    sg17_entity_kind_t kk[] = {kinds[0], kinds[1]};
    kk[0].default_count = 0; /* below min_count 1 */
    raw = good();
    raw.entity_kinds = kk;
    has(refused(&raw), "entity kind 'meter' needs min_count <= default_count <= max_count");
}

Test(descriptor, a_member_kind_must_name_a_kind_of_a_family)
{
    sg17_metric_t m[] = {{"hes.by_meter.*", "per meter", "hes"}, {NULL, NULL, NULL}};
    sg17_module_t raw = good();
    raw.metrics = m;
    has(refused(&raw), "names member kind 'hes', not a kind of the module");
    m[0].name = "hes.total";
    m[0].member_kind = "meter";
    has(refused(&raw), "metric 'hes.total' has a member_kind but is not a family");
}

Test(descriptor, lookups_find_declared_names_only)
{
    sg17_module_t m = good();
    cr_assert_eq(sg17_module_kind(&m, "meter"), &kinds[0]);
    cr_assert_null(sg17_module_kind(&m, "met"));
    cr_assert_eq(sg17_module_kind_index(&m, "meter-3", 5), 0);
    cr_assert_eq(sg17_module_config_key(&m, "batch"), &keys[2]);
    cr_assert_eq(sg17_module_mitigation(&m, "signatures"), &mitigations[0]);
    cr_assert_eq(sg17_module_attack(&m, "flood_meter"), &attacks[0]);
    cr_assert_eq(sg17_attack_param(&attacks[0], "count"), &params[0]);
    cr_assert_eq(sg17_module_metric(&m, "hes.by_meter.meter-1"), &metrics[0]);
    cr_assert_null(sg17_module_metric(&m, "hes.by_meter."));
}

/* Minor 3: closed value sets bind to a STRING key (its default among the values) or to a STRING
 * parameter as "<attack>.<parameter>"; anything else is refused when the module loads. */
typedef struct {
    const char *backend;
} choice_cfg_t;

Test(descriptor, choices_bind_to_string_keys_and_parameters_only)
{
    static const char *const backends[] = {"sim", "linux", NULL};
    static const char *const loads[] = {"cpu", "fork", NULL};
    sg17_config_key_t k[] = {
        {"backend", SG17_TYPE_STRING, "sim", "where", offsetof(choice_cfg_t, backend), {0, 0}},
        {NULL, 0, NULL, NULL, 0, {0, 0}},
    };
    sg17_param_t p[] = {
        {"load", SG17_TYPE_STRING, true, "what", {0, 0}},
        {"count", SG17_TYPE_COUNT, false, "how many", {1, 100}},
        {NULL, 0, false, NULL, {0, 0}},
    };
    sg17_attack_t a[] = {{"noisy", "loads", NULL, p, run}, {NULL, NULL, NULL, NULL, NULL}};
    sg17_choice_t c[] = {{"backend", backends}, {"noisy.load", loads}, {NULL, NULL}};
    sg17_module_t raw = {SG17_MODULE_HEADER, .name = "mini", .entity_kinds = kinds,
                         .config = k,        .attacks = a,   .config_size = sizeof(choice_cfg_t),
                         .choices = c};
    sg17_module_t out;
    sg17_err_t err = {{0}};
    cr_assert_eq(sg17_module_adopt(&raw, "mini.so", &out, &err), 0, "%s", err.msg);
    cr_assert_eq(sg17_module_choices(&out, NULL, "backend"), backends);
    cr_assert_eq(sg17_module_choices(&out, "noisy", "load"), loads);
    cr_assert_null(sg17_module_choices(&out, NULL, "load"), "a parameter is not a config key");
    cr_assert_null(sg17_module_choices(&out, "noisy", "count"));
    cr_assert(sg17_choice_ok(backends, "linux"));
    cr_assert_not(sg17_choice_ok(backends, "lnux"));
    char list[64];
    sg17_choice_list(backends, list, sizeof list);
    cr_assert_str_eq(list, "one of sim, linux");

    k[0].default_value = "kvm";
    has(refused(&raw), "the default 'kvm' of config key 'backend' is not one of its choices");
    k[0].default_value = "sim";
    c[1].name = "noisy.count";
    has(refused(&raw), "choices 'noisy.count' bind a value that is not a STRING");
    c[1].name = "noisy.level";
    has(refused(&raw), "choices 'noisy.level' name no config key and no <attack>.<parameter>");
    c[1].name = "noisy.load";
    c[1].values = (const char *const[]){NULL};
    has(refused(&raw), "choices 'noisy.load' list no value");

    /* a module of minor 2 has no choices slot: every value stays open */
    c[1].values = loads;
    raw.size = (uint32_t)offsetof(sg17_module_t, choices);
    cr_assert_eq(sg17_module_adopt(&raw, "old.so", &out, &err), 0, "%s", err.msg);
    cr_assert_null(out.choices);
    cr_assert_null(sg17_module_choices(&out, NULL, "backend"));
}
