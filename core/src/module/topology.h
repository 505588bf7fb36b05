/* topology.h — the entity lookups of the SDK (sg17_count, sg17_entity, sg17_entity_name, ...) over
 * a run's topology: kinds, each a block of consecutive entity ids. One implementation for the
 * module host (core/src/bus/host.c) and the strict mock context (tests/support/mock_ctx.c), so
 * that a module sees the same answers from both. */
#ifndef SG17_MODULE_TOPOLOGY_H
#define SG17_MODULE_TOPOLOGY_H

#include <stddef.h>
#include <stdint.h>

#include "sg17tb/module.h"

typedef struct {
    const char *kind; /* borrowed */
    uint32_t count;
    sg17_entity_t first; /* the id of its entity 0 */
} sg17_topo_kind_t;

/* The index of the kind named by the len bytes at kind among kinds[0..n), or -1. */
int sg17_topo_find(const sg17_topo_kind_t *kinds, size_t n, const char *kind, size_t len);
/* Entity `index` of kind k: its id, or SG17_NO_ENTITY when the kind has fewer. */
sg17_entity_t sg17_topo_entity(const sg17_topo_kind_t *k, unsigned index);
/* The index of the kind whose block holds e, or -1 when none does. */
int sg17_topo_kind_of(const sg17_topo_kind_t *kinds, size_t n, sg17_entity_t e);
/* Entity e's name, "<kind>-<index>", into buf (size bytes); "" when e is no entity of the
 * topology. Returns buf. */
char *sg17_topo_name(const sg17_topo_kind_t *kinds, size_t n, sg17_entity_t e, char *buf,
                     size_t size);

#endif
