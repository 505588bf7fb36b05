/* metrics.c — name -> double, sorted on iteration. The metrics sit in a dense array in the order
 * they were first touched (a metric's id is its index there, stable for the set's life); an
 * open-addressing hash of name -> id finds them by name. A caller that updates the same metric
 * at a high rate (the module host's cost.* per handler) looks its id up once and then adds by id,
 * without hashing or comparing the name again. */
#include "util/metrics.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *name;
    double value;
} entry_t;

struct sg17_metrics {
    entry_t *entries; /* by id, room for cap / 2 */
    size_t n;
    uint32_t *slots; /* id + 1, 0 = free */
    size_t cap;      /* power of two, at least twice n */
};

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    while (*s)
        h = (h ^ (uint8_t)*s++) * 1099511628211ULL;
    return h;
}

sg17_metrics_t *sg17_metrics_new(void)
{
    sg17_metrics_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->cap = 64;
    self->slots = calloc(self->cap, sizeof *self->slots);
    self->entries = malloc(self->cap / 2 * sizeof *self->entries);
    if (!self->slots || !self->entries) {
        free(self->slots);
        free(self->entries);
        free(self);
        return NULL;
    }
    return self;
}

void sg17_metrics_destroy(sg17_metrics_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sg17_metrics_t *self = *self_p;
    for (size_t i = 0; i < self->n; i++)
        free(self->entries[i].name);
    free(self->entries);
    free(self->slots);
    free(self);
    *self_p = NULL;
}

/* The slot holding name's id, or the free slot where it would go. */
static uint32_t *find(const sg17_metrics_t *self, const char *name)
{
    size_t i = name_hash(name) & (self->cap - 1);
    while (self->slots[i]) {
        if (strcmp(self->entries[self->slots[i] - 1].name, name) == 0)
            return &self->slots[i];
        i = (i + 1) & (self->cap - 1);
    }
    return &self->slots[i];
}

/* Doubles the hash and the room for entries. */
static int grow(sg17_metrics_t *self)
{
    uint32_t *old = self->slots;
    size_t old_cap = self->cap;
    entry_t *entries = realloc(self->entries, old_cap * sizeof *entries);
    if (!entries)
        return -1;
    self->entries = entries;
    uint32_t *slots = calloc(old_cap * 2, sizeof *slots);
    if (!slots)
        return -1;
    self->slots = slots;
    self->cap = old_cap * 2;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i])
            *find(self, self->entries[old[i] - 1].name) = old[i];
    free(old);
    return 0;
}

int sg17_metrics_id(sg17_metrics_t *self, const char *name)
{
    uint32_t *s = find(self, name);
    if (*s)
        return (int)(*s - 1);
    if (self->n >= INT32_MAX - 1)
        return -1;
    if ((self->n + 1) * 2 > self->cap) {
        if (grow(self) < 0)
            return -1;
        s = find(self, name);
    }
    char *copy = strdup(name);
    if (!copy)
        return -1;
    self->entries[self->n] = (entry_t){copy, 0};
    *s = (uint32_t)++self->n;
    return (int)(self->n - 1);
}

const char *sg17_metrics_name(const sg17_metrics_t *self, int id)
{
    return id >= 0 && (size_t)id < self->n ? self->entries[id].name : NULL;
}

void sg17_metrics_add_id(sg17_metrics_t *self, int id, double delta)
{
    if (id >= 0 && (size_t)id < self->n)
        self->entries[id].value += delta;
}

void sg17_metrics_set_id(sg17_metrics_t *self, int id, double value)
{
    if (id >= 0 && (size_t)id < self->n)
        self->entries[id].value = value;
}

void sg17_metrics_add(sg17_metrics_t *self, const char *name, double delta)
{
    sg17_metrics_add_id(self, sg17_metrics_id(self, name), delta);
}

void sg17_metrics_set(sg17_metrics_t *self, const char *name, double value)
{
    sg17_metrics_set_id(self, sg17_metrics_id(self, name), value);
}

bool sg17_metrics_get(const sg17_metrics_t *self, const char *name, double *value)
{
    const uint32_t *s = find(self, name);
    if (!*s)
        return false;
    if (value)
        *value = self->entries[*s - 1].value;
    return true;
}

double sg17_metrics_value(const sg17_metrics_t *self, const char *name)
{
    double v = 0;
    sg17_metrics_get(self, name, &v);
    return v;
}

size_t sg17_metrics_size(const sg17_metrics_t *self)
{
    return self->n;
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(const entry_t *const *)a)->name, (*(const entry_t *const *)b)->name);
}

void sg17_metrics_each(const sg17_metrics_t *self,
                       void (*fn)(const char *name, double value, void *arg), void *arg)
{
    if (!self->n)
        return;
    const entry_t **order = malloc(self->n * sizeof *order);
    if (!order)
        return;
    for (size_t i = 0; i < self->n; i++)
        order[i] = &self->entries[i];
    qsort(order, self->n, sizeof *order, by_name);
    for (size_t i = 0; i < self->n; i++)
        fn(order[i]->name, order[i]->value, arg);
    free(order);
}

static void merge_one(const char *name, double value, void *arg)
{
    sg17_metrics_add(arg, name, value);
}

void sg17_metrics_merge(sg17_metrics_t *self, const sg17_metrics_t *src)
{
    sg17_metrics_each(src, merge_one, self);
}

bool sg17_metric_reserved(const char *name)
{
    static const char *const prefixes[] = {"ledger.", "bus.", "adversary.", "sim."};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}
