/* metric_names.h — the metric namespace a run of a module can produce: the core's metrics
 * (ledger.*, bus.*, adversary.*, sim.*, cost.*), the module's declared metrics and families,
 * reasons and message types; and the members of a family checked against the topology. */
#ifndef SG17_MODULE_METRIC_NAMES_H
#define SG17_MODULE_METRIC_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "module/values.h"
#include "sg17tb/module.h"

/* The <verb> and <prov> parts of ledger metric names (NULL-terminated), for listings. */
extern const char *const sg17_ledger_verbs[];
extern const char *const sg17_ledger_provenances[];
/* Every core metric name pattern, for `sg17tb list metrics` (NULL-terminated). */
extern const char *const sg17_core_metric_patterns[];

/* True if `metric` can be produced by a run of module m (NULL: core metrics only): core metrics,
 * the module's declared metrics, family members (a non-empty dotted name: no empty segment, no
 * trailing dot), ledger counts per message type and per reason (the module's and the core's). */
bool sg17_metric_known(const sg17_module_t *m, const char *metric);

/* For a member of a family that declares a member_kind: 0 when the member is an entity of that
 * kind in topo; -1 with why ("'x.device-9' names device-9, but the topology has 4 device
 * entities") otherwise. Any other metric passes. */
int sg17_metric_member_check(const sg17_module_t *m, const char *metric,
                             const sg17_topology_view_t *topo, char *why, size_t size);

/* Every concrete metric name a condition on module m may use, for "did you mean": a fresh array
 * (*names, NULL-terminated, *n entries) whose strings live in *storage or in the descriptor; the
 * caller frees both. 0, or -1 on allocation failure. */
int sg17_metric_candidates(const sg17_module_t *m, const char ***names, size_t *n, char **storage);

#endif
