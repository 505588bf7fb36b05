/* scenario.h — a scenario file, parsed and validated: the model the engine runs.
 *
 * `sg17_scenario_load` reads one YAML file, validates every key against the language (see
 * docs/scenarios.md) and against the module's descriptor (entity kinds, config keys, mitigations,
 * attacks and their parameters, metrics, rejection reasons) and the module's requirement
 * catalogue, and returns one scenario per point of its `matrix` (one if there is none; `${name}`
 * in any scalar is replaced by the point's value before validation). Every error names
 * file:line:col, the key path, what was expected, and the nearest valid name for a typo. */
#ifndef SG17_SCENARIO_SCENARIO_H
#define SG17_SCENARIO_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "module/metric_names.h"
#include "scenario/catalogue.h"
#include "scenario/expr.h"
#include "sg17tb/module.h"
#include "util/diag.h"

/* A key with a normalised value (see module/values.h for the normal forms). */
typedef struct {
    char *key;
    char *value;
} sg17_kv_t;

/* The adversary's network actions that the core provides for every module. */
typedef enum {
    SG17_ACTION_OBSERVE,
    SG17_ACTION_CAPTURE,
    SG17_ACTION_DROP,
    SG17_ACTION_DELAY,
    SG17_ACTION_REPLAY,
    SG17_ACTION_INJECT,
    SG17_ACTION_MODIFY,
    SG17_ACTION_FLOOD,
    SG17_ACTION_COMPROMISE,
    SG17_ACTION_MODULE, /* a module attack primitive, by name */
} sg17_action_kind_t;

/* Declared maxima of the core actions' parameters, which `validate` enforces so that one action
 * is bounded work (docs/scenarios.md, "Bounded work"); the engine holds each action to
 * SG17_ACTION_MAX_EVENTS as well, whatever reaches it. */
/* The largest `repeat` (and `--seeds`). */
#define SG17_MAX_REPEAT 1000

#define SG17_ACTION_MAX_EVENTS 10000000LL /* messages one action may put on the bus */
#define SG17_ACTION_MAX_COUNT  1000000LL  /* `count` of observe ... modify and replay */
#define SG17_FLOOD_MAX_RATE    1000000.0  /* one message per microsecond: the clock's grain */
#define SG17_ACTION_MAX_SPAN   (30 * 24 * SG17_HOUR) /* `for`, `by`, `after`: the longest run */
#define SG17_MODIFY_MAX_OFFSET 65535LL               /* `offset` of modify, in bytes */

/* Core action names, indexed by sg17_action_kind_t (up to SG17_ACTION_MODULE). */
extern const char *const sg17_core_actions[SG17_ACTION_MODULE];

typedef struct {
    sg17_time_t at;
    sg17_action_kind_t kind;
    char *name;        /* core action name or module attack name */
    sg17_kv_t *params; /* flattened ("match.type") and normalised; only keys given */
    size_t n_params;
    int line, col;
} sg17_action_t;

typedef struct {
    char *text; /* as written */
    sg17_expr_t *expr;
    int line, col;
} sg17_condition_t;

/* Per-link network behaviour between two entity kinds ("*" = any). First match wins; the
 * scenario's defaults apply when none matches. */
typedef struct {
    char *from, *to;
    sg17_time_t latency, jitter;
    double loss; /* probability in [0,1) */
} sg17_link_t;

typedef struct {
    char *kind;
    unsigned count;
} sg17_topology_entry_t;

typedef struct {
    char *file;    /* path as given */
    char *id;      /* matrix points: "<id>[name=value,...]" */
    char *base_id; /* the id as written */
    char *title, *description, *module;
    char **requirements;
    size_t n_requirements;
    char **threats;
    size_t n_threats;
    uint64_t seed;
    unsigned repeat; /* `repeat: K`: run over K derived seeds (0 = not given; --seeds wins) */
    sg17_time_t duration;
    double timeout_s; /* wall-clock limit per run; default 120 */

    sg17_topology_entry_t *topology; /* every kind of the module, defaults filled in */
    size_t n_topology;
    sg17_kv_t *config; /* every config key of the module, defaults filled in */
    size_t n_config;
    char **mitigations; /* under test: off in baseline, on in protected */
    size_t n_mitigations;
    char **capabilities; /* adversary capabilities granted */
    size_t n_capabilities;
    sg17_action_t *actions; /* sorted by `at`, stable */
    size_t n_actions;

    sg17_condition_t *success, *service, *detection;
    size_t n_success, n_service, n_detection;

    char *expect;        /* "holds" (default), "fails", "degraded", "vacuous" */
    char *expect_reason; /* required unless expect is holds */

    sg17_link_t *links;
    size_t n_links;
    sg17_time_t latency, jitter; /* defaults: 5ms, 0 */
    double loss;                 /* default 0 */

    sg17_kv_t *matrix_point; /* this point's parameter values; n_matrix_point = 0 if none */
    size_t n_matrix_point;
    char *matrix_x; /* first matrix parameter, for curves; NULL if none */
} sg17_scenario_t;

/* What the validator needs to know about modules; the engine provides it. */
typedef struct {
    /* The module's descriptor, or NULL with err set ("unknown module ..."). */
    const sg17_module_t *(*module)(void *arg, const char *name, sg17_err_t *err);
    /* The module's requirement catalogue; NULL with err->msg empty if it declares none, NULL with
     * err set if it declares one that cannot be loaded (validation then fails). */
    const sg17_catalogue_t *(*catalogue)(void *arg, const char *module, sg17_err_t *err);
    /* Names of all modules, for suggestions. */
    const char *const *(*module_names)(void *arg, size_t *n);
    void *arg;
} sg17_registry_t;

/* Loads a scenario file. On success returns 0 and an array of *n scenarios (the matrix points)
 * that the caller frees with sg17_scenarios_free. On error returns -1 with err set.
 *
 * Validation goes on after an error, as a compiler does: every error of the file is found in one
 * pass, each reported once ("file:line:col: key: message", one per line, in file order). A check
 * that depends on a part with an error (the module's keys when the module does not load, the
 * actions when the topology or the duration is wrong) is skipped rather than reported again.
 * err holds as many of the messages as fit (SG17_ERR_MAX), then "(N more errors)". */
int sg17_scenario_load(const char *path, const sg17_registry_t *reg, sg17_scenario_t **out,
                       size_t *n, sg17_err_t *err);
/* Same, from memory; `name` stands for the file name in messages. */
int sg17_scenario_parse(const char *data, size_t len, const char *name, const sg17_registry_t *reg,
                        sg17_scenario_t **out, size_t *n, sg17_err_t *err);
/* As sg17_scenario_load; on error, when errors is not NULL, *errors is the text of every error
 * of the file, one per line, with no limit (the caller frees it; NULL when out of memory). */
int sg17_scenario_load_all(const char *path, const sg17_registry_t *reg, sg17_scenario_t **out,
                           size_t *n, sg17_err_t *err, char **errors);
void sg17_scenarios_free(sg17_scenario_t *list, size_t n);

/* The value of a param of an action, or NULL. */
const char *sg17_action_param(const sg17_action_t *a, const char *key);
/* Configuration value (normalised), or NULL. */
const char *sg17_scenario_config(const sg17_scenario_t *s, const char *key);

#endif
