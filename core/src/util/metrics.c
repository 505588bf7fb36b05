/* metrics.c — open-addressing hash of name -> double, sorted on iteration. */
#include "util/metrics.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *name;
    double value;
} slot_t;

struct sg17_metrics {
    slot_t *slots;
    size_t cap; /* power of two */
    size_t used;
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
    self->slots = calloc(self->cap, sizeof(slot_t));
    if (!self->slots) {
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
    for (size_t i = 0; i < self->cap; i++)
        free(self->slots[i].name);
    free(self->slots);
    free(self);
    *self_p = NULL;
}

static slot_t *find(const sg17_metrics_t *self, const char *name)
{
    size_t i = name_hash(name) & (self->cap - 1);
    while (self->slots[i].name) {
        if (strcmp(self->slots[i].name, name) == 0)
            return &self->slots[i];
        i = (i + 1) & (self->cap - 1);
    }
    return &self->slots[i];
}

static int grow(sg17_metrics_t *self)
{
    slot_t *old = self->slots;
    size_t old_cap = self->cap;
    slot_t *slots = calloc(old_cap * 2, sizeof(slot_t));
    if (!slots)
        return -1;
    self->slots = slots;
    self->cap = old_cap * 2;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].name)
            *find(self, old[i].name) = old[i];
    free(old);
    return 0;
}

static slot_t *find_or_add(sg17_metrics_t *self, const char *name)
{
    slot_t *s = find(self, name);
    if (s->name)
        return s;
    if ((self->used + 1) * 2 > self->cap) {
        if (grow(self) < 0)
            return NULL;
        s = find(self, name);
    }
    s->name = strdup(name);
    if (!s->name)
        return NULL;
    s->value = 0;
    self->used++;
    return s;
}

void sg17_metrics_add(sg17_metrics_t *self, const char *name, double delta)
{
    slot_t *s = find_or_add(self, name);
    if (s)
        s->value += delta;
}

void sg17_metrics_set(sg17_metrics_t *self, const char *name, double value)
{
    slot_t *s = find_or_add(self, name);
    if (s)
        s->value = value;
}

bool sg17_metrics_get(const sg17_metrics_t *self, const char *name, double *value)
{
    const slot_t *s = find(self, name);
    if (!s->name)
        return false;
    if (value)
        *value = s->value;
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
    return self->used;
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(const slot_t *const *)a)->name, (*(const slot_t *const *)b)->name);
}

void sg17_metrics_each(const sg17_metrics_t *self,
                       void (*fn)(const char *name, double value, void *arg), void *arg)
{
    if (!self->used)
        return;
    const slot_t **order = malloc(self->used * sizeof *order);
    if (!order)
        return;
    size_t n = 0;
    for (size_t i = 0; i < self->cap; i++)
        if (self->slots[i].name)
            order[n++] = &self->slots[i];
    qsort(order, n, sizeof *order, by_name);
    for (size_t i = 0; i < n; i++)
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
