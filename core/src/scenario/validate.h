/* validate.h — private to core/src/scenario: the state shared by the scenario validator's files
 * (scenario.c: top level and matrix; scenario_values.c: typed values, entities, metrics;
 * scenario_actions.c: adversary actions). Not part of the contract with the engine. */
#ifndef SG17_SCENARIO_VALIDATE_H
#define SG17_SCENARIO_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "module/descriptor.h"
#include "module/values.h"
#include "scenario/scenario.h"
#include "scenario/yaml.h"

/* Longest key path kept in messages; user keys are cut to 100 characters in them. */
#define SG17_PATH_MAX 512

typedef struct {
    const char *file;
    sg17_err_t *err;
    const sg17_module_t *mod;
    const sg17_catalogue_t *cat;
    sg17_scenario_t
        *s; /* the point being built: topology is filled before values that name entities */
    const char **metric_names; /* candidates for "did you mean", built on first use */
    size_t n_metric_names;
    char *metric_storage;
    /* every error found so far (sg17_v_fail), each once: validation goes on after an error */
    struct sg17_v_diag {
        int line, col;
        char *text;
    } * diags;
    size_t n_diags, cap_diags;
} sg17_validator_t;

/* Formats "<file>:<line>:<col>: <path>: <what>; expected <expected>[; did you mean '<near>'?]"
 * into v->err at node n (line 1 col 1 when n is NULL) and adds it to v->diags unless the same
 * message is there already. Returns -1. */
int sg17_v_fail(sg17_validator_t *v, const sg17_yaml_node_t *n, const char *path,
                const char *expected, const char *near, const char *what_fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* snprintf for key paths: a path cut short in a message is fine. */
void sg17_v_path(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* True for a YAML null: an unquoted empty scalar, "~" or "null". */
bool sg17_v_is_null(const sg17_yaml_node_t *n);

/* Checks a scalar against a type and returns its normal form (caller frees) in *out. */
int sg17_v_value(sg17_validator_t *v, sg17_type_t type, const sg17_yaml_node_t *n, const char *path,
                 char **out);

/* The same, for a value whose accepted range is narrower than its type's: `accepted` ("a whole
 * number from 1 to 1000000000") is what every message about it expects, so that one parameter
 * has one description whatever is wrong with the value. NULL: the type's description. */
int sg17_v_value_in(sg17_validator_t *v, sg17_type_t type, const sg17_yaml_node_t *n,
                    const char *path, const char *accepted, char **out);

/* Normalises text that is not in the file (a module's default value); errors name the module. */
int sg17_v_default(sg17_validator_t *v, sg17_type_t type, const char *text, const char *path,
                   char **out);

/* Checks a normal-form value against a declared range (module/values.h) and fails at node n. */
int sg17_v_range(sg17_validator_t *v, sg17_type_t type, sg17_range_t range, const char *normal,
                 const sg17_yaml_node_t *n, const char *path);
/* Refuses a value outside a closed set (sg17_module_choices; NULL = open): "'lnux' is not one of
 * sim, linux", with the nearest spelling. 0 or -1. */
int sg17_v_choice(sg17_validator_t *v, const char *const *values, const char *normal,
                  const sg17_yaml_node_t *n, const char *path);

/* The scenario's topology (v->s, filled so far) as the value checks see it. */
sg17_topology_view_t sg17_v_topology(const sg17_validator_t *v);

/* Reads actions (the scenario's duration, topology and capabilities are already set). */
int sg17_v_actions(sg17_validator_t *v, const sg17_yaml_node_t *list);

/* Checks every metric of a parsed condition; the string's node gives the position. */
int sg17_v_condition_metrics(sg17_validator_t *v, const sg17_yaml_node_t *n, const char *path,
                             const sg17_expr_t *expr);

void sg17_v_release(sg17_validator_t *v);
/* Frees v->diags. */
void sg17_v_diags_free(sg17_validator_t *v);

/* matrix: checks the `matrix` mapping (NULL when absent) and returns the number of points. */
int sg17_matrix_points(sg17_validator_t *v, const sg17_yaml_node_t *matrix, size_t nodes,
                       size_t *points);
/* A copy of root without its `matrix` key, with `${name}` in every scalar value replaced by the
 * value of point `point` (mixed-radix over the matrix lists, first name slowest). */
sg17_yaml_node_t *sg17_matrix_substitute(sg17_validator_t *v, const sg17_yaml_node_t *root,
                                         const sg17_yaml_node_t *matrix, size_t point);
/* The value of matrix name i at `point`. */
const sg17_yaml_node_t *sg17_matrix_value(const sg17_yaml_node_t *matrix, size_t i, size_t point);

#endif
