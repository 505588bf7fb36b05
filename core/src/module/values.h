/* values.h — the typed values of config keys and attack parameters (sg17_type_t): how a
 * scenario's text becomes its normal form, whether a text already is one (the host's check of a
 * broker frame), declared ranges, entity names "<kind>-<index>", and how each type is described
 * in messages. One copy, used by scenario validation and the module host alike. */
#ifndef SG17_MODULE_VALUES_H
#define SG17_MODULE_VALUES_H

#include <stdbool.h>
#include <stddef.h>

#include "sg17tb/module.h"

/* The topology a value is checked against: the count of entities of a kind in this run. */
typedef struct {
    /* True and *count set when the run has kind `kind` (len bytes, not NUL-terminated). */
    bool (*count)(const void *arg, const char *kind, size_t len, unsigned *count);
    const void *arg;
} sg17_topology_view_t;

/* Why a value was refused: `what` is the problem ("'x' is not an integer"), `expected` what
 * would be accepted, `near` a suggestion (borrowed from the descriptor) or NULL. */
typedef struct {
    char what[512];
    char expected[256];
    const char *near;
} sg17_value_error_t;

/* What a scenario value of the type looks like ("an integer", "a duration such as 250ms ..."). */
const char *sg17_type_describe(sg17_type_t type);
/* What the normal form of the type looks like ("a duration in microseconds", ...). */
const char *sg17_type_normal_form(sg17_type_t type);

/* The normal form of `text` as a scenario gives it (see sg17_api_t.param): an integer or count
 * as decimal, a number as %.17g, a bool as true/false, a duration as integer microseconds, hex in
 * lower case, an entity as written after checking it against topo (m is used for suggestions; topo
 * NULL accepts any well-formed entity name). A quoted scalar is text only for STRING, HEX and
 * ENTITY. 0 and *out (caller frees), or -1 and *e. */
int sg17_value_normalise(sg17_type_t type, const char *text, bool quoted,
                         const sg17_topology_view_t *topo, const sg17_module_t *m, char **out,
                         sg17_value_error_t *e);

/* True when text is exactly the normal form of a value of the type (what sg17_value_normalise
 * produces): the host checks every value of a broker frame with it. Entities against topo. */
bool sg17_value_is_normal(sg17_type_t type, const char *text, const sg17_topology_view_t *topo);

/* True when the range declares bounds (max > min). */
bool sg17_range_declared(sg17_range_t r);
/* Checks a normal-form value of a numeric type (INT, NUMBER, COUNT; DURATION in seconds) against
 * a declared range; other types and undeclared ranges pass. 0, or -1 and *e ("'X' is out of
 * range: at most N"). */
int sg17_value_in_range(sg17_type_t type, sg17_range_t range, const char *normal,
                        sg17_value_error_t *e);

/* Splits an entity name "<kind>-<index>": 0 and the kind's length and the index, or -1 with why
 * (a static phrase following the quoted name). The index has at most 10 digits. */
int sg17_entity_name_split(const char *text, size_t *kind_len, unsigned long long *index,
                           const char **why);

#endif
