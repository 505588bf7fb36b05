/* host_names.c — the module host's look-ups by name, each done once rather than per message: the
 * run's message types (interned: a send points at the run's copy of its type), the ids of the cost
 * metrics (cost.message.<type>.us once per type of a batch), and the module's metric names (a
 * cache by the pointer the module passes, checked against the name on every hit). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/host_internal.h"

/* The run's copy of message type `type`, interned on first use; NULL when the run already has
 * HOST_MAX_TYPES of them (or out of memory). */
host_type_t *sg17_host_type(host_t *h, const char *type)
{
    if (h->type_last < h->n_types && strcmp(h->types[h->type_last].name, type) == 0)
        return &h->types[h->type_last];
    for (size_t i = 0; i < h->n_types; i++)
        if (strcmp(h->types[i].name, type) == 0)
            return &h->types[h->type_last = i];
    if (h->n_types == HOST_MAX_TYPES)
        return NULL;
    char *copy = strdup(type);
    if (!copy)
        return NULL;
    h->types[h->n_types] = (host_type_t){copy, -1};
    h->type_last = h->n_types;
    return &h->types[h->n_types++];
}

void sg17_host_types_clear(host_t *h)
{
    for (size_t i = 0; i < h->n_types; i++)
        free(h->types[i].name);
    h->n_types = h->type_last = 0;
}

/* The broker adds a run's module metrics to the core's own, so a module metric in a core
 * namespace (sg17_metric_reserved) would overwrite ground truth such as
 * ledger.accepted.replayed, and one under cost.* the host's measurements: either fails the run. */
static bool metric_allowed(host_t *h, const char *name)
{
    if (name && !sg17_metric_reserved(name) && strncmp(name, "cost.", 5) != 0)
        return true;
    sg17_host_fail(h,
                   "module %s reported metric '%.200s': the namespaces ledger., bus., adversary., "
                   "sim. and cost. are the core's, a module may not write them",
                   h->module->name, name ? name : "(null)");
    return false;
}

/* The id of the module's metric `name` (-1 after sg17_host_fail when the name is not the
 * module's to write): from the cache when the module passes the same pointer with the same text
 * again (a string literal, typically), else checked and looked up, and cached. */
int sg17_host_module_metric(host_t *h, const char *name)
{
    if (!name || !h->metrics) {
        metric_allowed(h, name); /* fails the run on a NULL name */
        return -1;
    }
    uint64_t mix = (uint64_t)(uintptr_t)name * 0x9E3779B97F4A7C15ULL;
    host_metric_slot_t *c = &h->metric_cache[(mix >> 32) % HOST_METRIC_CACHE];
    if (c->ptr == name && strcmp(sg17_metrics_name(h->metrics, c->id), name) == 0)
        return c->id;
    if (!metric_allowed(h, name))
        return -1;
    int id = sg17_metrics_id(h->metrics, name);
    if (id >= 0)
        *c = (host_metric_slot_t){name, id};
    return id;
}

/* The id of a cost metric, looked up on its first use in the run (so that a run without, say, an
 * attack has no cost.attack.us); -1 when out of memory. */
int sg17_host_cost_id(host_t *h, int *id, const char *name)
{
    if (*id == COST_UNSET) {
        int got = sg17_metrics_id(h->metrics, name);
        if (got < 0)
            return -1;
        *id = got;
    }
    return *id;
}

/* The id of cost.message.<type>.us for delivery i of the batch: looked up once per type of the
 * batch (h->batch_cost, reset in host_run_batch), by name once per type of the run. */
int sg17_host_message_cost_id(host_t *h, const Sg17__Envelopes *cols, size_t i)
{
    uint32_t k = cols->type_index[i];
    if (k < h->cap_batch_cost && h->batch_cost[k] != COST_UNSET)
        return h->batch_cost[k];
    const char *type = cols->types[k];
    host_type_t *t = sg17_host_type(h, type);
    int id = t ? t->cost_id : -1;
    if (id < 0) {
        char cost_name[192];
        snprintf(cost_name, sizeof cost_name, "cost.message.%s.us", type);
        id = sg17_metrics_id(h->metrics, cost_name);
        if (t)
            t->cost_id = id;
    }
    if (k < h->cap_batch_cost && t) /* past HOST_MAX_TYPES: looked up by name every time */
        h->batch_cost[k] = id;
    return id;
}
