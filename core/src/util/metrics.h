/* metrics.h — a named set of numeric metrics ("ledger.accepted.replayed" -> 50). Used by module
 * hosts (module metrics, cost.*), the engine (ledger.*, bus.*, adversary.*) and condition
 * evaluation. Names are copied; iteration is in name order, so output is deterministic. */
#ifndef SG17_UTIL_METRICS_H
#define SG17_UTIL_METRICS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sg17_metrics sg17_metrics_t;

sg17_metrics_t *sg17_metrics_new(void);
void sg17_metrics_destroy(sg17_metrics_t **self_p);

void sg17_metrics_add(sg17_metrics_t *self, const char *name, double delta);
void sg17_metrics_set(sg17_metrics_t *self, const char *name, double value);
/* True and *value set if the metric exists. */
bool sg17_metrics_get(const sg17_metrics_t *self, const char *name, double *value);
/* The value, or 0 when the metric was never touched. */
double sg17_metrics_value(const sg17_metrics_t *self, const char *name);
size_t sg17_metrics_size(const sg17_metrics_t *self);

/* A metric's id, for a caller that updates it often: the metric exists from this call on (value 0
 * when new), and its id stays valid, naming the same metric, until the set is destroyed. -1 when
 * out of memory. The _id updates ignore an id the set never gave (-1 included). */
int sg17_metrics_id(sg17_metrics_t *self, const char *name);
void sg17_metrics_add_id(sg17_metrics_t *self, int id, double delta);
void sg17_metrics_set_id(sg17_metrics_t *self, int id, double value);
/* The name of metric id (owned by the set), or NULL when the set never gave that id. */
const char *sg17_metrics_name(const sg17_metrics_t *self, int id);

/* Calls fn for every metric in ascending name order. */
void sg17_metrics_each(const sg17_metrics_t *self,
                       void (*fn)(const char *name, double value, void *arg), void *arg);
/* Adds every metric of src into self. */
void sg17_metrics_merge(sg17_metrics_t *self, const sg17_metrics_t *src);

/* True for names in the core's namespaces (ledger., bus., adversary., sim.): facts the core
 * computes, which a module must never report (it could otherwise overwrite the ground truth). */
bool sg17_metric_reserved(const char *name);

#endif
