/* host_internal.h — what the module host's two files share: the host's state (host.c runs runs
 * and implements the SDK service table; host_check.c checks every broker frame against the
 * module's descriptor before the module sees it). Not part of any API. */
#ifndef SG17_BUS_HOST_INTERNAL_H
#define SG17_BUS_HOST_INTERNAL_H

#include "bus/host.h"
#include "module/topology.h"
#include "util/metrics.h"
#include "util/rng.h"

struct sg17_params {
    Sg17__KeyValue **kv;
    size_t n_kv;
    sg17_msg_t *captured;
    size_t n_captured;
};

/* A timer armed inside the current window: it fires before the batch ends. */
typedef struct {
    sg17_time_t time;
    uint64_t order;
    sg17_entity_t entity;
    uint64_t tag;
} local_timer_t;

/* A message type this run has sent or received: the host's copy of its name (sends point into it
 * until their Output is packed) and the id of its cost.message.<type>.us metric (-1 until a
 * delivery of that type is timed). */
typedef struct {
    char *name;
    int cost_id;
} host_type_t;

/* At most this many types are interned per run; a module that invents more (a fuzzer, an attack
 * spraying garbage types) gets a copy per send and per delivery instead. */
#define HOST_MAX_TYPES 64

/* A direct-mapped cache of the module's metric names (by the pointer it passes, checked against
 * the cached metric's name on every hit) to metric ids: the name check of metric_allowed and
 * the hash are done once per name, not once per sg17_metric_add. */
#define HOST_METRIC_CACHE 32
typedef struct {
    const char *ptr;
    int id;
} host_metric_slot_t;

typedef struct sg17_host {
    sg17_ctx_t ctx; /* first: the module sees only this */
    const sg17_module_t *module;
    void *instance;
    Sg17__Setup *setup; /* owned (unpacked frame kept alive) */
    sg17_frame_t *setup_frame;
    uint32_t n_entities; /* ids 0 .. n_entities-1, checked against the descriptor */
    /* Per entity, the index of its kind in setup->kinds (dispatch without comparing names), and
     * per setup kind, the module's declaration of it (its handlers). */
    uint16_t *entity_kind;
    const sg17_entity_kind_t **kind_decl;
    sg17_topo_kind_t *topo; /* setup->kinds for the SDK's entity lookups (module/topology.h) */
    void *config;           /* the module's config struct for this run (module/config.h) */
    char **names;           /* "kind-N", built on first use */
    uint8_t *compromised;
    sg17_time_t now, window_end;
    sg17_rng_t rng;
    bool in_attack;
    host_type_t types[HOST_MAX_TYPES];
    size_t n_types;
    /* Output under construction. Timers and reports sit in arrays of structs (pointers to them
     * are made when the Output is sent); a report's reason is the module's declared one. */
    sg17_envcols_t sends;
    void **send_bufs; /* type names beyond HOST_MAX_TYPES, one copy per send */
    size_t n_bufs, cap_bufs;
    Sg17__Timer *timer_items, **timers;
    size_t n_timers, cap_timers, cap_timer_ptrs;
    Sg17__Report *report_items, **reports;
    size_t n_reports, cap_reports, cap_report_ptrs;
    size_t type_last; /* the type the last send used: sends come in runs */
    local_timer_t *local;
    size_t n_local, cap_local;
    uint64_t local_order;
    sg17_metrics_t *metrics;
    /* ids of the host's own cost metrics in metrics, and the module's metric name cache */
    int cost_handlers, cost_start, cost_timer, cost_attack;
    host_metric_slot_t metric_cache[HOST_METRIC_CACHE];
    /* per type of the batch being run (Envelopes.types), the cost metric id of its deliveries */
    int *batch_cost;
    size_t cap_batch_cost;
    char **artifact_name, **artifact_text; /* sg17_artifact, sent with Done */
    size_t n_artifacts;
    char error[512];
    bool failed;
    bool verbose;
} host_t;

/* Ends the run in error with the first failure's message (later ones would only be its
 * consequences). The arguments may point into h->error. */
void sg17_host_fail(host_t *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Setup checks (host_check.c): the topology's kinds, then the configuration; each returns 0, or
 * -1 after sg17_host_fail. */
int sg17_host_check_kinds(host_t *h);
int sg17_host_check_config(host_t *h);
/* Whether e is an entity of this run (a claimed source may also be SG17_NO_ENTITY); false after
 * sg17_host_fail naming `what`. */
bool sg17_host_entity_ok(host_t *h, sg17_entity_t e, const char *what);
bool sg17_host_source_ok(host_t *h, sg17_entity_t e, const char *what);
/* An ATTACK or COMPROMISE event's name and parameters against the descriptor; *attack is the
 * declared attack of an ATTACK event. */
int sg17_host_check_params(host_t *h, const Sg17__Event *ev, const sg17_attack_t **attack);

/* Look-ups by name done once (host_names.c). COST_UNSET: a cost metric whose id is not looked
 * up yet (ids are >= 0, -1 means out of memory). */
#define COST_UNSET (-2)
/* The run's copy of message type `type`, interned on first use; NULL when the run already has
 * HOST_MAX_TYPES of them (or out of memory). */
host_type_t *sg17_host_type(host_t *h, const char *type);
void sg17_host_types_clear(host_t *h);
/* The metric id for the module's metric `name`; -1 after sg17_host_fail when the name is not the
 * module's to write (a core namespace, or NULL). */
int sg17_host_module_metric(host_t *h, const char *name);
/* *id, looked up as `name` on first use in the run; -1 when out of memory. */
int sg17_host_cost_id(host_t *h, int *id, const char *name);
/* The id of cost.message.<type>.us for delivery i of the batch being run. */
int sg17_host_message_cost_id(host_t *h, const Sg17__Envelopes *cols, size_t i);

#endif
