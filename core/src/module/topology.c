/* topology.c — entity lookups over a run's kinds (topology.h). Kinds are few (a handful per
 * module): linear scans. */
#include "module/topology.h"

#include <stdio.h>
#include <string.h>

int sg17_topo_find(const sg17_topo_kind_t *kinds, size_t n, const char *kind, size_t len)
{
    for (size_t k = 0; k < n; k++)
        if (strlen(kinds[k].kind) == len && memcmp(kinds[k].kind, kind, len) == 0)
            return (int)k;
    return -1;
}

sg17_entity_t sg17_topo_entity(const sg17_topo_kind_t *k, unsigned index)
{
    return index < k->count ? k->first + index : SG17_NO_ENTITY;
}

int sg17_topo_kind_of(const sg17_topo_kind_t *kinds, size_t n, sg17_entity_t e)
{
    for (size_t k = 0; k < n; k++)
        if (e >= kinds[k].first && e - kinds[k].first < kinds[k].count)
            return (int)k;
    return -1;
}

char *sg17_topo_name(const sg17_topo_kind_t *kinds, size_t n, sg17_entity_t e, char *buf,
                     size_t size)
{
    int k = sg17_topo_kind_of(kinds, n, e);
    if (k < 0)
        snprintf(buf, size, "%s", "");
    else
        snprintf(buf, size, "%s-%u", kinds[k].kind, e - kinds[k].first);
    return buf;
}
