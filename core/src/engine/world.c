/* world.c — entity ids and names of one scenario. */
#include "engine/world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sg17_world_init(sg17_world_t *w, const sg17_scenario_t *s)
{
    if (s->n_topology > sizeof w->first / sizeof w->first[0])
        return -1;
    w->kinds = s->topology;
    w->n_kinds = s->n_topology;
    uint64_t next = 0;
    for (size_t i = 0; i < s->n_topology; i++) {
        w->first[i] = (uint32_t)next;
        next += s->topology[i].count;
        if (next >= SG17_NO_ENTITY)
            return -1;
    }
    w->n_entities = (uint32_t)next;
    return 0;
}

sg17_entity_t sg17_world_entity(const sg17_world_t *w, const char *name)
{
    const char *dash = strrchr(name, '-');
    if (!dash || !dash[1])
        return SG17_NO_ENTITY;
    char *end;
    unsigned long idx = strtoul(dash + 1, &end, 10);
    if (*end)
        return SG17_NO_ENTITY;
    size_t klen = (size_t)(dash - name);
    for (size_t i = 0; i < w->n_kinds; i++)
        if (strlen(w->kinds[i].kind) == klen && strncmp(w->kinds[i].kind, name, klen) == 0)
            return idx < w->kinds[i].count ? w->first[i] + (uint32_t)idx : SG17_NO_ENTITY;
    return SG17_NO_ENTITY;
}

static size_t kind_index(const sg17_world_t *w, sg17_entity_t e)
{
    for (size_t i = 0; i < w->n_kinds; i++)
        if (e >= w->first[i] && e < w->first[i] + w->kinds[i].count)
            return i;
    return (size_t)-1;
}

const char *sg17_world_name(const sg17_world_t *w, sg17_entity_t e, char *buf, size_t size)
{
    size_t k = kind_index(w, e);
    if (k == (size_t)-1)
        snprintf(buf, size, "adversary");
    else
        snprintf(buf, size, "%s-%u", w->kinds[k].kind, e - w->first[k]);
    return buf;
}

const char *sg17_world_kind(const sg17_world_t *w, sg17_entity_t e)
{
    size_t k = kind_index(w, e);
    return k == (size_t)-1 ? "" : w->kinds[k].kind;
}
