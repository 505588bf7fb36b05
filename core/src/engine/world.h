/* world.h — the entities of one scenario: kinds in the module's order, each a consecutive range
 * of entity ids, and the "kind-N" names scenarios use for them. */
#ifndef SG17_ENGINE_WORLD_H
#define SG17_ENGINE_WORLD_H

#include <stddef.h>

#include "scenario/scenario.h"

typedef struct {
    const sg17_topology_entry_t *kinds; /* borrowed from the scenario */
    size_t n_kinds;
    uint32_t first[64];
    uint32_t n_entities;
} sg17_world_t;

int sg17_world_init(sg17_world_t *w, const sg17_scenario_t *s);
/* "meter-3" → entity id, or SG17_NO_ENTITY. */
sg17_entity_t sg17_world_entity(const sg17_world_t *w, const char *name);
/* Writes "kind-N" (or "adversary") into buf. */
const char *sg17_world_name(const sg17_world_t *w, sg17_entity_t e, char *buf, size_t size);
/* The kind name of e, or "" for the adversary. */
const char *sg17_world_kind(const sg17_world_t *w, sg17_entity_t e);

#endif
