/* descriptor.h — the core's reading of a module descriptor (sg17tb/module.h): adopting a loaded
 * descriptor at the core's size (versioning), the checks a descriptor must pass before anything
 * runs it, the lookups every other layer uses instead of walking the tables itself, and the
 * service-table header the host fills. */
#ifndef SG17_MODULE_DESCRIPTOR_H
#define SG17_MODULE_DESCRIPTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "sg17tb/module.h"
#include "util/diag.h"

/* sizeof(sg17_module_t) at minor 0: the smallest descriptor the loader accepts. */
#define SG17_MODULE_MINOR0_SIZE (offsetof(sg17_module_t, finish) + sizeof(void (*)(void)))

/* The first two slots of the core's service table (sg17_api_t), for the host's table literal. */
#define SG17_API_HEADER .abi_major = SG17_MODULE_ABI_MAJOR, .size = sizeof(sg17_api_t)

/* Reasons the core itself gives when it rejects a delivery on an entity's behalf; they become
 * ledger.rejected.reason.<name> like a module's. */
#define SG17_REASON_NO_RECEIVER "no_receiver"
extern const sg17_reason_t sg17_core_reasons[];

/* Adopts the descriptor a module exports: refuses another ABI major (with the "rebuild" message)
 * or a size below SG17_MODULE_MINOR0_SIZE, copies min(its size, ours) bytes into *out (zeroed
 * first, so slots of a newer minor than the module's are NULL) and runs sg17_module_check.
 * `origin` (the .so path) prefixes every message. 0, or -1 with err set. */
int sg17_module_adopt(const sg17_module_t *raw, const char *origin, sg17_module_t *out,
                      sg17_err_t *err);
/* The same with the minor-0 size given, so a test can stand for an older minor whose descriptor
 * ended before the last slots of today's. */
int sg17_module_adopt_sized(const sg17_module_t *raw, size_t minor0_size, const char *origin,
                            sg17_module_t *out, sg17_err_t *err);

/* Checks what the core relies on: a name; every entity kind's min_count <= default_count <=
 * max_count; each attack has a run handler and every COUNT parameter a max; a config key's
 * default in its type's normal form and within its range; each config key and mitigation bound
 * to a field that fits inside config_size (with its type's size and alignment) and overlaps no
 * other binding (config keys or mitigations without config_size are refused); a family's
 * member_kind names a declared kind; each choice (minor 3) names a STRING config key or attack
 * parameter, lists a value and holds the key's default. 0, or -1 with err set. */
int sg17_module_check(const sg17_module_t *m, const char *origin, sg17_err_t *err);

/* Bytes and alignment of the config-struct field a value of type t binds to (0 if unknown). */
size_t sg17_type_field_size(sg17_type_t t);
size_t sg17_type_field_align(sg17_type_t t);

/* ---- lookups (NULL, or -1, when the name is not declared) ---- */

const sg17_entity_kind_t *sg17_module_kind(const sg17_module_t *m, const char *name);
/* Index of the kind in m->entity_kinds; name need not be NUL-terminated (len bytes). */
int sg17_module_kind_index(const sg17_module_t *m, const char *name, size_t len);
const sg17_config_key_t *sg17_module_config_key(const sg17_module_t *m, const char *name);
const sg17_mitigation_t *sg17_module_mitigation(const sg17_module_t *m, const char *name);
const sg17_attack_t *sg17_module_attack(const sg17_module_t *m, const char *name);
const sg17_param_t *sg17_attack_param(const sg17_attack_t *a, const char *name);
const sg17_reason_t *sg17_module_reason(const sg17_module_t *m, const char *name);
bool sg17_module_message_type(const sg17_module_t *m, const char *type);
/* The metric or family that declares `name` (a family "x.*" declares "x.<member>"), or NULL. */
const sg17_metric_t *sg17_module_metric(const sg17_module_t *m, const char *name);

/* The closed value set (minor 3, sg17_choice_t) of config key `name` (attack NULL) or of parameter
 * `name` of `attack`; NULL when the value is open. */
const char *const *sg17_module_choices(const sg17_module_t *m, const char *attack,
                                       const char *name);
/* Whether value is one of the NULL-terminated values. */
bool sg17_choice_ok(const char *const *values, const char *value);
/* "one of sim, linux" into buf (cut to size). */
void sg17_choice_list(const char *const *values, char *buf, size_t size);

/* Names of a descriptor table (entity kinds, config keys, attacks, ...: any array of structs
 * whose first member is the name, ending with a NULL name) in a fresh array of borrowed pointers
 * (caller frees the array only); NULL on allocation failure. */
const char **sg17_table_names(const void *table, size_t stride, size_t *n);

#endif
