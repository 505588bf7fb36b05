/* mock_ctx.c — the strict mock context of mock_ctx.h: the SDK's service table over an in-memory
 * topology, event queue and records, with every check the core makes turned into a violation. */
#include "mock_ctx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module/config.h"
#include "module/descriptor.h"
#include "module/metric_names.h"
#include "module/topology.h"
#include "module/values.h"
#include "util/rng.h"

struct sg17_params {
    const char *attack;
    const sg17_attack_t *decl;
    char **values; /* normal forms, one per declared parameter (NULL when not given) */
    const sg17_msg_t *captured;
    size_t n_captured;
};

/* A timer or a send due at `at`; order breaks ties as the broker's sequence does. */
typedef struct {
    sg17_time_t at;
    uint64_t order;
    bool is_send;
    sg17_entity_t entity; /* timer: its entity; send: the destination */
    uint64_t tag;
    sg17_entity_t src;
    char *type;
    uint8_t *payload;
    size_t len;
} due_t;

typedef struct {
    char *name;
    double value;
} metric_t;

struct sg17_mock {
    sg17_ctx_t ctx; /* first: the module sees only this */
    const sg17_module_t *module;
    void (*violation)(void *arg, const char *what);
    void *violation_arg;
    /* topology: per declared kind, its count and first entity id (in declaration order) */
    size_t n_kinds;
    sg17_topo_kind_t *topo; /* kind names from the descriptor (module/topology.h) */
    uint32_t n_entities;
    char **names;
    uint8_t *compromised;
    /* configuration, as normal forms, and mitigations */
    char **config; /* one per declared key */
    bool *mitigation_on;
    void *config_struct;
    bool created;
    void *instance;
    sg17_rng_t rng;
    uint64_t seed;
    sg17_time_t now, latency;
    uint64_t next_order, next_id;
    const struct sg17_params *attack; /* inside an attack's run() */
    /* delivery in progress: its id and how many reports it got */
    uint64_t delivering;
    size_t delivery_reports;
    due_t *due;
    size_t n_due, cap_due;
    sg17_mock_send_t *sends;
    size_t n_sends, cap_sends;
    sg17_mock_report_t *reports;
    size_t n_reports, cap_reports;
    sg17_mock_timer_t *timer_view;
    metric_t *metrics;
    size_t n_metrics, cap_metrics;
    char last_log[512];
    char **art_name, **art_text; /* sg17_artifact */
    size_t n_art;
};

static sg17_mock_t *mock_of(sg17_ctx_t *ctx)
{
    return (sg17_mock_t *)ctx;
}

__attribute__((format(printf, 2, 3))) static void violation(sg17_mock_t *m, const char *fmt, ...)
{
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (m->violation) {
        m->violation(m->violation_arg, what);
        return;
    }
    fprintf(stderr, "mock_ctx: %s\n", what);
    fflush(stderr);
    __builtin_trap();
}

/* Grows *arr to hold need elements of size elem; aborts the test on allocation failure. */
static void *grow(void *arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return arr;
    size_t n = *cap ? 2 * *cap : 16;
    while (n < need)
        n *= 2;
    void *p = realloc(arr, n * elem);
    if (!p) {
        fprintf(stderr, "mock_ctx: out of memory\n");
        abort();
    }
    *cap = n;
    return p;
}

static char *copy_text(const char *s)
{
    char *c = strdup(s ? s : "");
    if (!c)
        abort();
    return c;
}

static uint8_t *copy_bytes(const void *p, size_t len)
{
    uint8_t *c = malloc(len ? len : 1);
    if (!c)
        abort();
    if (len)
        memcpy(c, p, len);
    return c;
}

/* ---- topology ---- */

static int kind_index(const sg17_mock_t *m, const char *kind, size_t len)
{
    return sg17_topo_find(m->topo, m->n_kinds, kind, len);
}

static bool is_entity(const sg17_mock_t *m, sg17_entity_t e)
{
    return m->created && e < m->n_entities;
}

/* Index of e's kind (e is an entity of the run). */
static size_t kind_of(const sg17_mock_t *m, sg17_entity_t e)
{
    int k = sg17_topo_kind_of(m->topo, m->n_kinds, e);
    return k < 0 ? 0 : (size_t)k;
}

static bool topology_count(const void *arg, const char *kind, size_t len, unsigned *count)
{
    const sg17_mock_t *m = arg;
    int k = kind_index(m, kind, len);
    if (k < 0)
        return false;
    *count = m->topo[k].count;
    return true;
}

static sg17_topology_view_t topology(const sg17_mock_t *m)
{
    return (sg17_topology_view_t){topology_count, m};
}

static sg17_time_t api_now(sg17_ctx_t *ctx)
{
    return mock_of(ctx)->now;
}

static uint64_t api_rand_u64(sg17_ctx_t *ctx)
{
    return sg17_rng_next(&mock_of(ctx)->rng);
}

static unsigned api_count(sg17_ctx_t *ctx, const char *kind)
{
    sg17_mock_t *m = mock_of(ctx);
    int k = kind_index(m, kind, strlen(kind));
    if (k < 0) {
        violation(m, "sg17_count(\"%s\"): module %s declares no such kind", kind, m->module->name);
        return 0;
    }
    return m->topo[k].count;
}

static sg17_entity_t api_entity(sg17_ctx_t *ctx, const char *kind, unsigned index)
{
    sg17_mock_t *m = mock_of(ctx);
    int k = kind_index(m, kind, strlen(kind));
    if (k < 0) {
        violation(m, "sg17_entity(\"%s\", %u): module %s declares no such kind", kind, index,
                  m->module->name);
        return SG17_NO_ENTITY;
    }
    return sg17_topo_entity(&m->topo[k], index);
}

static const char *api_entity_name(sg17_ctx_t *ctx, sg17_entity_t e)
{
    sg17_mock_t *m = mock_of(ctx);
    return is_entity(m, e) ? m->names[e] : "adversary";
}

static const char *api_entity_kind(sg17_ctx_t *ctx, sg17_entity_t e)
{
    sg17_mock_t *m = mock_of(ctx);
    return is_entity(m, e) ? m->module->entity_kinds[kind_of(m, e)].name : "";
}

static unsigned api_entity_index(sg17_ctx_t *ctx, sg17_entity_t e)
{
    sg17_mock_t *m = mock_of(ctx);
    return is_entity(m, e) ? e - m->topo[kind_of(m, e)].first : 0;
}

/* ---- traffic ---- */

/* A new zeroed entry of the due list, due at `at`, after every entry already due then. */
static due_t *push_due(sg17_mock_t *m, sg17_time_t at)
{
    m->due = grow(m->due, &m->cap_due, m->n_due + 1, sizeof *m->due);
    due_t *d = &m->due[m->n_due++];
    memset(d, 0, sizeof *d);
    d->at = at;
    d->order = m->next_order++;
    return d;
}

/* Records and queues one send; 0, or -1 after a violation. */
static int queue_send(sg17_mock_t *m, sg17_entity_t src, sg17_entity_t dst, const char *type,
                      const void *payload, size_t len, bool injected)
{
    const char *what = injected ? "sg17_inject" : "sg17_send";
    if (!is_entity(m, dst)) {
        violation(m, "%s to entity %u, outside the topology", what, dst);
        return -1;
    }
    if (!type || !sg17_module_message_type(m->module, type)) {
        violation(m, "%s of type '%s', which module %s does not declare", what,
                  type ? type : "(null)", m->module->name);
        return -1;
    }
    if (len && !payload) {
        violation(m, "%s of %zu bytes from a NULL payload", what, len);
        return -1;
    }
    /* the record the test reads, and the copy that travels (the test may clear records) */
    m->sends = grow(m->sends, &m->cap_sends, m->n_sends + 1, sizeof *m->sends);
    sg17_mock_send_t *rec = &m->sends[m->n_sends++];
    rec->at = m->now;
    rec->src = src;
    rec->dst = dst;
    rec->type = copy_text(type);
    rec->len = len;
    rec->injected = injected;
    rec->payload = copy_bytes(payload, len);
    due_t *d = push_due(m, m->now + m->latency);
    d->is_send = true;
    d->entity = dst;
    d->src = src;
    d->type = copy_text(type);
    d->len = len;
    d->payload = copy_bytes(payload, len);
    return 0;
}

static int api_send(sg17_ctx_t *ctx, sg17_entity_t src, sg17_entity_t dst, const char *type,
                    const void *payload, size_t len)
{
    sg17_mock_t *m = mock_of(ctx);
    if (!is_entity(m, src)) {
        violation(m, "sg17_send from entity %u, outside the topology", src);
        return -1;
    }
    return queue_send(m, src, dst, type, payload, len, false);
}

static int api_inject(sg17_ctx_t *ctx, sg17_entity_t claimed_src, sg17_entity_t dst,
                      const char *type, const void *payload, size_t len)
{
    sg17_mock_t *m = mock_of(ctx);
    if (!m->attack) {
        violation(m, "sg17_inject outside an attack's run()");
        return -1;
    }
    if (claimed_src != SG17_NO_ENTITY && !is_entity(m, claimed_src)) {
        violation(m, "sg17_inject claiming entity %u, outside the topology", claimed_src);
        return -1;
    }
    return queue_send(m, claimed_src, dst, type, payload, len, true);
}

static int api_timer(sg17_ctx_t *ctx, sg17_entity_t e, sg17_time_t delay, uint64_t tag)
{
    sg17_mock_t *m = mock_of(ctx);
    if (!is_entity(m, e)) {
        violation(m, "sg17_timer for entity %u, outside the topology", e);
        return -1;
    }
    if (!m->module->entity_kinds[kind_of(m, e)].on_timer) {
        violation(m, "sg17_timer for %s, whose kind has no on_timer handler", m->names[e]);
        return -1;
    }
    if (delay > UINT64_MAX - m->now) {
        violation(m, "sg17_timer for %s beyond the end of virtual time", m->names[e]);
        return -1;
    }
    due_t *d = push_due(m, m->now + delay);
    d->entity = e;
    d->tag = tag;
    return 0;
}

static void api_report(sg17_ctx_t *ctx, const sg17_msg_t *msg, bool accepted, const char *reason)
{
    sg17_mock_t *m = mock_of(ctx);
    if (!msg || msg->id != m->delivering || m->delivering == 0) {
        violation(m, "sg17_report for a message that is not being delivered");
        return;
    }
    if (!accepted && (!reason || !sg17_module_reason(m->module, reason))) {
        violation(m, "sg17_reject with reason '%s', which module %s does not declare",
                  reason ? reason : "(null)", m->module->name);
        return;
    }
    if (++m->delivery_reports > 1) {
        violation(m, "%s reported message %llu twice", m->names[msg->dst],
                  (unsigned long long)msg->id);
        return;
    }
    m->reports = grow(m->reports, &m->cap_reports, m->n_reports + 1, sizeof *m->reports);
    m->reports[m->n_reports++] = (sg17_mock_report_t){
        msg->id, msg->dst, copy_text(msg->type), accepted, accepted ? NULL : copy_text(reason)};
}

/* ---- metrics ---- */

/* A metric the module may write: declared (families count), outside the core's namespaces, a
 * family member of its member_kind within the topology. */
static bool metric_allowed(sg17_mock_t *m, const char *name)
{
    static const char *const core[] = {"ledger.", "bus.", "adversary.", "sim.", "cost."};
    for (size_t i = 0; name && i < sizeof core / sizeof core[0]; i++)
        if (strncmp(name, core[i], strlen(core[i])) == 0) {
            violation(m, "metric '%s' is in the core's namespace %s", name, core[i]);
            return false;
        }
    if (!name || !sg17_module_metric(m->module, name) || !sg17_metric_known(m->module, name)) {
        violation(m, "metric '%s', which module %s does not declare", name ? name : "(null)",
                  m->module->name);
        return false;
    }
    char why[512];
    sg17_topology_view_t topo = topology(m);
    if (sg17_metric_member_check(m->module, name, &topo, why, sizeof why) < 0) {
        violation(m, "%s", why);
        return false;
    }
    return true;
}

static metric_t *metric_slot(sg17_mock_t *m, const char *name)
{
    for (size_t i = 0; i < m->n_metrics; i++)
        if (strcmp(m->metrics[i].name, name) == 0)
            return &m->metrics[i];
    m->metrics = grow(m->metrics, &m->cap_metrics, m->n_metrics + 1, sizeof *m->metrics);
    m->metrics[m->n_metrics] = (metric_t){copy_text(name), 0};
    return &m->metrics[m->n_metrics++];
}

static void api_metric_add(sg17_ctx_t *ctx, const char *name, double delta)
{
    sg17_mock_t *m = mock_of(ctx);
    if (metric_allowed(m, name))
        metric_slot(m, name)->value += delta;
}

static void api_metric_set(sg17_ctx_t *ctx, const char *name, double value)
{
    sg17_mock_t *m = mock_of(ctx);
    if (metric_allowed(m, name))
        metric_slot(m, name)->value = value;
}

/* ---- adversary ---- */

static bool api_compromised(sg17_ctx_t *ctx, sg17_entity_t e)
{
    sg17_mock_t *m = mock_of(ctx);
    return is_entity(m, e) && m->compromised[e];
}

/* The mock an attack's parameters belong to while its run() runs: sg17_param gets no context,
 * and an undeclared name is still the mock's violation. */
static sg17_mock_t *running_mock;

static const char *api_param(const sg17_params_t *p, const char *name)
{
    if (!p->decl) /* on_compromise: no parameters */
        return NULL;
    const sg17_param_t *decl = sg17_attack_param(p->decl, name);
    if (!decl) {
        if (running_mock)
            violation(running_mock, "sg17_param(\"%s\"): attack '%s' declares no such parameter",
                      name, p->attack);
        return NULL;
    }
    return p->values[decl - p->decl->params];
}

static size_t api_captured_count(const sg17_params_t *p)
{
    return p->n_captured;
}

static const sg17_msg_t *api_captured(const sg17_params_t *p, size_t i)
{
    return i < p->n_captured ? &p->captured[i] : NULL;
}

static void api_log(sg17_ctx_t *ctx, const char *fmt, va_list ap)
{
    sg17_mock_t *m = mock_of(ctx);
    vsnprintf(m->last_log, sizeof m->last_log, fmt, ap);
}

/* Keeps the named text; the same name again replaces it; a name the host would refuse is a
 * violation. */
static void api_artifact(sg17_ctx_t *ctx, const char *name, const char *text)
{
    sg17_mock_t *m = mock_of(ctx);
    size_t n = name ? strlen(name) : 0;
    bool ok = n > 0 && n <= 64;
    for (size_t i = 0; ok && i < n; i++)
        ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9')
             || name[i] == '_' || name[i] == '.' || name[i] == '-';
    if (!ok) {
        violation(m, "artifact name '%s' is not 1 to 64 of a-z 0-9 _ . -", name ? name : "(null)");
        return;
    }
    char *copy = strndup(text ? text : "", SG17_ARTIFACT_MAX);
    for (size_t i = 0; i < m->n_art; i++)
        if (strcmp(m->art_name[i], name) == 0) {
            free(m->art_text[i]);
            m->art_text[i] = copy;
            return;
        }
    char **a = realloc(m->art_name, (m->n_art + 1) * sizeof *a);
    if (a)
        m->art_name = a;
    char **t = a ? realloc(m->art_text, (m->n_art + 1) * sizeof *t) : NULL;
    if (t)
        m->art_text = t;
    if (!t || !copy) {
        free(copy);
        violation(m, "out of memory for an artifact");
        return;
    }
    m->art_name[m->n_art] = strdup(name);
    m->art_text[m->n_art++] = copy;
}

const char *sg17_mock_artifact(const sg17_mock_t *m, const char *name)
{
    for (size_t i = 0; i < m->n_art; i++)
        if (strcmp(m->art_name[i], name) == 0)
            return m->art_text[i];
    return NULL;
}

/* A fixed id: a mock run creates nothing outside its process unless its test says so. */
static const char *api_run_id(sg17_ctx_t *ctx)
{
    (void)ctx;
    return "0000cafe";
}

static const sg17_api_t mock_api = {
    SG17_API_HEADER,
    .now = api_now,
    .rand_u64 = api_rand_u64,
    .count = api_count,
    .entity = api_entity,
    .entity_name = api_entity_name,
    .entity_kind = api_entity_kind,
    .entity_index = api_entity_index,
    .send = api_send,
    .send_many = NULL, /* a module checks with SG17_API_HAS and falls back to unicast */
    .timer = api_timer,
    .report = api_report,
    .metric_add = api_metric_add,
    .metric_set = api_metric_set,
    .inject = api_inject,
    .compromised = api_compromised,
    .param = api_param,
    .captured_count = api_captured_count,
    .captured = api_captured,
    .log = api_log,
    .artifact = api_artifact,
    .run_id = api_run_id,
};

/* ---- building ---- */

sg17_mock_t *sg17_mock_new(const sg17_module_t *module)
{
    sg17_mock_t *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    m->ctx.api = &mock_api;
    m->module = module;
    m->seed = 1;
    m->latency = 5 * SG17_MSEC;
    m->next_id = 1;
    sg17_err_t err = {{0}};
    if (sg17_module_check(module, module->name ? module->name : "module", &err) < 0)
        violation(m, "the descriptor fails the loader's checks: %s", err.msg);
    while (module->entity_kinds && module->entity_kinds[m->n_kinds].name)
        m->n_kinds++;
    m->topo = calloc(m->n_kinds + 1, sizeof *m->topo);
    size_t n_keys = 0, n_mit = 0;
    while (module->config && module->config[n_keys].name)
        n_keys++;
    while (module->mitigations && module->mitigations[n_mit].name)
        n_mit++;
    m->config = calloc(n_keys + 1, sizeof *m->config);
    m->mitigation_on = calloc(n_mit + 1, sizeof *m->mitigation_on);
    if (!m->topo || !m->config || !m->mitigation_on)
        abort();
    for (size_t k = 0; k < m->n_kinds; k++)
        m->topo[k] = (sg17_topo_kind_t){module->entity_kinds[k].name,
                                        module->entity_kinds[k].default_count, 0};
    for (size_t i = 0; i < n_mit; i++)
        m->mitigation_on[i] = module->mitigations[i].default_on;
    return m;
}

void sg17_mock_on_violation(sg17_mock_t *m, void (*handler)(void *arg, const char *what), void *arg)
{
    m->violation = handler;
    m->violation_arg = arg;
}

static bool before_create(sg17_mock_t *m, const char *what)
{
    if (m->created)
        violation(m, "%s after sg17_mock_create", what);
    return !m->created;
}

void sg17_mock_topology(sg17_mock_t *m, const char *kind, unsigned count)
{
    if (!before_create(m, "sg17_mock_topology"))
        return;
    int k = kind_index(m, kind, strlen(kind));
    if (k < 0) {
        violation(m, "topology: module %s declares no kind '%s'", m->module->name, kind);
        return;
    }
    const sg17_entity_kind_t *d = &m->module->entity_kinds[k];
    unsigned max = d->max_count ? d->max_count : 1000000u;
    if (count < d->min_count || count > max) {
        violation(m, "topology: %u %s entities, module %s allows %u to %u", count, kind,
                  m->module->name, d->min_count, max);
        return;
    }
    m->topo[k].count = count;
}

void sg17_mock_config(sg17_mock_t *m, const char *key, const char *value)
{
    if (!before_create(m, "sg17_mock_config"))
        return;
    const sg17_config_key_t *decl = sg17_module_config_key(m->module, key);
    if (!decl) {
        violation(m, "config: module %s declares no key '%s'", m->module->name, key);
        return;
    }
    size_t i = (size_t)(decl - m->module->config);
    free(m->config[i]);
    m->config[i] = copy_text(value); /* normalised at create, against the final topology */
}

void sg17_mock_mitigation(sg17_mock_t *m, const char *name, bool on)
{
    if (!before_create(m, "sg17_mock_mitigation"))
        return;
    const sg17_mitigation_t *decl = sg17_module_mitigation(m->module, name);
    if (!decl) {
        violation(m, "mitigation: module %s declares no mitigation '%s'", m->module->name, name);
        return;
    }
    m->mitigation_on[decl - m->module->mitigations] = on;
}

void sg17_mock_seed(sg17_mock_t *m, uint64_t seed)
{
    m->seed = seed;
}

void sg17_mock_latency(sg17_mock_t *m, sg17_time_t latency)
{
    m->latency = latency;
}

/* The config source of module/config.h: each key's normal form (normalised in create). */
static const char *config_value(void *arg, const char *key)
{
    sg17_mock_t *m = arg;
    const sg17_config_key_t *decl = sg17_module_config_key(m->module, key);
    return decl ? m->config[decl - m->module->config] : NULL;
}

static bool config_mitigation_on(void *arg, const char *name)
{
    sg17_mock_t *m = arg;
    const sg17_mitigation_t *decl = sg17_module_mitigation(m->module, name);
    return decl && m->mitigation_on[decl - m->module->mitigations];
}

static sg17_entity_t config_entity(void *arg, const char *kind, size_t len, unsigned index)
{
    sg17_mock_t *m = arg;
    int k = kind_index(m, kind, len);
    return k >= 0 ? sg17_topo_entity(&m->topo[k], index) : SG17_NO_ENTITY;
}

/* Builds the entities (ids consecutive per kind, in declaration order, as the engine does). */
static void build_entities(sg17_mock_t *m)
{
    uint64_t next = 0;
    for (size_t k = 0; k < m->n_kinds; k++) {
        m->topo[k].first = (sg17_entity_t)next;
        next += m->topo[k].count;
    }
    m->n_entities = (uint32_t)next;
    m->names = calloc(next + 1, sizeof *m->names);
    m->compromised = calloc(next + 1, 1);
    if (!m->names || !m->compromised)
        abort();
    for (sg17_entity_t e = 0; e < m->n_entities; e++) {
        char name[160];
        m->names[e] = copy_text(sg17_topo_name(m->topo, m->n_kinds, e, name, sizeof name));
    }
}

/* Each config value (the test's, or the default) to its normal form, in range. 0 or -1. */
static int normalise_config(sg17_mock_t *m)
{
    sg17_topology_view_t topo = topology(m);
    for (size_t i = 0; m->module->config && m->module->config[i].name; i++) {
        const sg17_config_key_t *k = &m->module->config[i];
        const char *text = m->config[i] ? m->config[i] : k->default_value;
        char *normal = NULL;
        sg17_value_error_t e;
        if (!text) {
            violation(m, "config %s: no value and no default", k->name);
            return -1;
        }
        if (sg17_value_normalise(k->type, text, false, &topo, m->module, &normal, &e) < 0
            || sg17_value_in_range(k->type, k->range, normal, &e) < 0) {
            free(normal);
            violation(m, "config %s: %s; expected %s", k->name, e.what, e.expected);
            return -1;
        }
        free(m->config[i]);
        m->config[i] = normal;
    }
    return 0;
}

int sg17_mock_create(sg17_mock_t *m)
{
    if (!before_create(m, "sg17_mock_create"))
        return -1;
    build_entities(m);
    m->created = true;
    sg17_rng_seed(&m->rng, m->seed, 1);
    if (normalise_config(m) < 0)
        return -1;
    char why[256];
    sg17_config_source_t src = {config_value, config_mitigation_on, config_entity, m};
    m->config_struct = sg17_config_build(m->module, &src, why, sizeof why);
    if (!m->config_struct) {
        violation(m, "config struct: %s", why);
        return -1;
    }
    if (!m->module->create) {
        violation(m, "module %s has no create()", m->module->name);
        return -1;
    }
    m->instance = m->module->create(&m->ctx, m->config_struct);
    return m->instance ? 0 : -1;
}

static bool running(sg17_mock_t *m, const char *what)
{
    if (!m->instance)
        violation(m, "%s before a successful sg17_mock_create", what);
    return m->instance != NULL;
}

void sg17_mock_start(sg17_mock_t *m)
{
    if (running(m, "sg17_mock_start") && m->module->start)
        m->module->start(m->instance, &m->ctx);
}

void sg17_mock_finish(sg17_mock_t *m)
{
    if (running(m, "sg17_mock_finish") && m->module->finish)
        m->module->finish(m->instance, &m->ctx);
}

static void free_due(due_t *d)
{
    free(d->type);
    free(d->payload);
}

void sg17_mock_clear(sg17_mock_t *m)
{
    for (size_t i = 0; i < m->n_sends; i++) {
        free((char *)m->sends[i].type);
        free((uint8_t *)m->sends[i].payload);
    }
    for (size_t i = 0; i < m->n_reports; i++) {
        free((char *)m->reports[i].type);
        free((char *)m->reports[i].reason);
    }
    m->n_sends = m->n_reports = 0;
}

void sg17_mock_free(sg17_mock_t *m)
{
    if (!m)
        return;
    if (m->instance && m->module->destroy)
        m->module->destroy(m->instance);
    sg17_mock_clear(m);
    for (size_t i = 0; i < m->n_due; i++)
        free_due(&m->due[i]);
    for (size_t i = 0; i < m->n_metrics; i++)
        free(m->metrics[i].name);
    for (size_t i = 0; i < m->n_art; i++)
        free(m->art_name[i]), free(m->art_text[i]);
    free(m->art_name), free(m->art_text);
    for (size_t i = 0; m->module->config && m->module->config[i].name; i++)
        free(m->config[i]);
    for (uint32_t e = 0; m->names && e < m->n_entities; e++)
        free(m->names[e]);
    sg17_config_free(m->config_struct);
    free(m->names);
    free(m->compromised);
    free(m->config);
    free(m->mitigation_on);
    free(m->topo);
    free(m->due);
    free(m->sends);
    free(m->reports);
    free(m->timer_view);
    free(m->metrics);
    free(m);
}

/* ---- driving ---- */

sg17_ctx_t *sg17_mock_ctx(sg17_mock_t *m)
{
    return &m->ctx;
}

void *sg17_mock_instance(sg17_mock_t *m)
{
    return m->instance;
}

const void *sg17_mock_config_struct(const sg17_mock_t *m)
{
    return m->config_struct;
}

sg17_time_t sg17_mock_now(const sg17_mock_t *m)
{
    return m->now;
}

sg17_entity_t sg17_mock_entity(sg17_mock_t *m, const char *name)
{
    size_t klen;
    unsigned long long index;
    const char *why;
    int k = -1;
    if (m->created && sg17_entity_name_split(name, &klen, &index, &why) == 0)
        k = kind_index(m, name, klen);
    sg17_entity_t e = k < 0 || index > UINT32_MAX ? SG17_NO_ENTITY
                                                  : sg17_topo_entity(&m->topo[k], (unsigned)index);
    if (e == SG17_NO_ENTITY)
        violation(m, "sg17_mock_entity(\"%s\"): no such entity in the topology", name);
    return e;
}

/* Hands one message to dst's kind; returns its report (NULL after a violation). */
static const sg17_mock_report_t *deliver(sg17_mock_t *m, sg17_entity_t src, sg17_entity_t dst,
                                         const char *type, const void *payload, size_t len)
{
    if (!is_entity(m, dst) || (src != SG17_NO_ENTITY && !is_entity(m, src))) {
        violation(m, "a delivery from %u to %u, outside the topology", src, dst);
        return NULL;
    }
    if (!type || !sg17_module_message_type(m->module, type)) {
        violation(m, "a delivery of type '%s', which module %s does not declare",
                  type ? type : "(null)", m->module->name);
        return NULL;
    }
    sg17_msg_t msg = {.id = m->next_id++,
                      .dst = dst,
                      .claimed_src = src,
                      .type = type,
                      .payload = payload,
                      .len = len,
                      .sent_at = m->now};
    m->delivering = msg.id;
    m->delivery_reports = 0;
    const sg17_entity_kind_t *kind = &m->module->entity_kinds[kind_of(m, dst)];
    if (kind->on_message) {
        kind->on_message(m->instance, &m->ctx, &msg);
    } else { /* as the host: the core rejects it for the entity */
        m->reports = grow(m->reports, &m->cap_reports, m->n_reports + 1, sizeof *m->reports);
        m->reports[m->n_reports++] = (sg17_mock_report_t){msg.id, dst, copy_text(type), false,
                                                          copy_text(SG17_REASON_NO_RECEIVER)};
        m->delivery_reports = 1;
    }
    m->delivering = 0;
    if (m->delivery_reports == 0) {
        violation(m, "%s did not report what it did with message %llu (%s)", m->names[dst],
                  (unsigned long long)msg.id, type);
        return NULL;
    }
    return &m->reports[m->n_reports - 1];
}

const sg17_mock_report_t *sg17_mock_deliver(sg17_mock_t *m, sg17_entity_t src, sg17_entity_t dst,
                                            const char *type, const void *payload, size_t len)
{
    if (!running(m, "sg17_mock_deliver"))
        return NULL;
    return deliver(m, src, dst, type, payload, len);
}

size_t sg17_mock_run_until(sg17_mock_t *m, sg17_time_t t)
{
    if (!running(m, "sg17_mock_run_until"))
        return 0;
    size_t handled = 0;
    while (m->n_due) {
        size_t best = 0;
        for (size_t i = 1; i < m->n_due; i++)
            if (m->due[i].at < m->due[best].at
                || (m->due[i].at == m->due[best].at && m->due[i].order < m->due[best].order))
                best = i;
        if (m->due[best].at > t)
            break;
        due_t d = m->due[best];
        m->due[best] = m->due[--m->n_due];
        if (d.at > m->now)
            m->now = d.at;
        if (d.is_send)
            deliver(m, d.src, d.entity, d.type, d.payload, d.len);
        else
            m->module->entity_kinds[kind_of(m, d.entity)].on_timer(m->instance, &m->ctx, d.entity,
                                                                   d.tag);
        free_due(&d);
        handled++;
    }
    if (t > m->now)
        m->now = t;
    return handled;
}

int sg17_mock_attack(sg17_mock_t *m, const char *attack, const char *const *params,
                     const sg17_msg_t *captured, size_t n_captured)
{
    if (!running(m, "sg17_mock_attack"))
        return -1;
    const sg17_attack_t *a = sg17_module_attack(m->module, attack);
    if (!a) {
        violation(m, "attack '%s', which module %s does not declare", attack, m->module->name);
        return -1;
    }
    size_t n_decl = 0;
    while (a->params && a->params[n_decl].name)
        n_decl++;
    struct sg17_params p = {attack, a, calloc(n_decl + 1, sizeof(char *)), captured, n_captured};
    if (!p.values)
        abort();
    int rc = 0;
    sg17_topology_view_t topo = topology(m);
    for (size_t i = 0; rc == 0 && params && params[2 * i]; i++) {
        const sg17_param_t *decl = sg17_attack_param(a, params[2 * i]);
        sg17_value_error_t e;
        char *normal = NULL;
        if (!decl) {
            violation(m, "attack '%s' declares no parameter '%s'", attack, params[2 * i]);
            rc = -1;
        } else if (p.values[decl - a->params]) {
            violation(m, "attack '%s': parameter '%s' given twice", attack, decl->name);
            rc = -1;
        } else if (sg17_value_normalise(decl->type, params[2 * i + 1], false, &topo, m->module,
                                        &normal, &e)
                       < 0
                   || sg17_value_in_range(decl->type, decl->range, normal, &e) < 0) {
            free(normal);
            violation(m, "attack '%s': %s: %s; expected %s", attack, decl->name, e.what,
                      e.expected);
            rc = -1;
        } else {
            p.values[decl - a->params] = normal;
        }
    }
    for (size_t i = 0; rc == 0 && i < n_decl; i++)
        if (a->params[i].required && !p.values[i]) {
            violation(m, "attack '%s' lacks its required parameter '%s'", attack,
                      a->params[i].name);
            rc = -1;
        }
    if (rc == 0) {
        m->attack = &p;
        running_mock = m;
        rc = a->run(m->instance, &m->ctx, &p);
        running_mock = NULL;
        m->attack = NULL;
    }
    for (size_t i = 0; i < n_decl; i++)
        free(p.values[i]);
    free(p.values);
    return rc;
}

void sg17_mock_compromise(sg17_mock_t *m, sg17_entity_t e)
{
    if (!running(m, "sg17_mock_compromise"))
        return;
    if (!is_entity(m, e)) {
        violation(m, "compromise of entity %u, outside the topology", e);
        return;
    }
    m->compromised[e] = 1;
    struct sg17_params p = {"compromise", NULL, NULL, NULL, 0};
    if (m->module->on_compromise) {
        m->attack = &p;
        m->module->on_compromise(m->instance, &m->ctx, e, &p);
        m->attack = NULL;
    }
}

/* ---- records ---- */

size_t sg17_mock_send_count(const sg17_mock_t *m)
{
    return m->n_sends;
}

const sg17_mock_send_t *sg17_mock_send(const sg17_mock_t *m, size_t i)
{
    return i < m->n_sends ? &m->sends[i] : NULL;
}

size_t sg17_mock_report_count(const sg17_mock_t *m)
{
    return m->n_reports;
}

const sg17_mock_report_t *sg17_mock_report(const sg17_mock_t *m, size_t i)
{
    return i < m->n_reports ? &m->reports[i] : NULL;
}

size_t sg17_mock_timer_count(const sg17_mock_t *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_due; i++)
        n += !m->due[i].is_send;
    return n;
}

/* The i-th pending timer in the order they will fire. */
const sg17_mock_timer_t *sg17_mock_timer(const sg17_mock_t *m, size_t i)
{
    sg17_mock_t *w = (sg17_mock_t *)m; /* the view is a cache */
    size_t n = sg17_mock_timer_count(m);
    if (i >= n)
        return NULL;
    free(w->timer_view);
    w->timer_view = calloc(n, sizeof *w->timer_view);
    uint64_t *order = calloc(n, sizeof *order);
    if (!w->timer_view || !order)
        abort();
    size_t k = 0;
    for (size_t j = 0; j < m->n_due; j++)
        if (!m->due[j].is_send) {
            size_t at = k++;
            while (at > 0
                   && (w->timer_view[at - 1].at > m->due[j].at
                       || (w->timer_view[at - 1].at == m->due[j].at
                           && order[at - 1] > m->due[j].order))) {
                w->timer_view[at] = w->timer_view[at - 1];
                order[at] = order[at - 1];
                at--;
            }
            w->timer_view[at] = (sg17_mock_timer_t){m->due[j].at, m->due[j].entity, m->due[j].tag};
            order[at] = m->due[j].order;
        }
    free(order);
    return &w->timer_view[i];
}

double sg17_mock_metric(const sg17_mock_t *m, const char *name)
{
    for (size_t i = 0; i < m->n_metrics; i++)
        if (strcmp(m->metrics[i].name, name) == 0)
            return m->metrics[i].value;
    return 0;
}

const char *sg17_mock_last_log(const sg17_mock_t *m)
{
    return m->last_log;
}
