/* descriptor.c — adopting a module's descriptor at the core's size, checking it, and looking
 * names up in it. */
#include "module/descriptor.h"

#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module/values.h"

const sg17_reason_t sg17_core_reasons[] = {
    {SG17_REASON_NO_RECEIVER, "delivered to an entity whose kind receives no messages (the core "
                              "rejects it on the entity's behalf)"},
    {NULL, NULL},
};

int sg17_module_adopt_sized(const sg17_module_t *raw, size_t minor0_size, const char *origin,
                            sg17_module_t *out, sg17_err_t *err)
{
    memset(out, 0, sizeof *out);
    if (raw->abi_major != SG17_MODULE_ABI_MAJOR)
        return sg17_err(err,
                        "%s was built for module ABI %u, this sg17tb speaks ABI %u: rebuild the "
                        "module against this version's sg17tb/module.h",
                        origin, raw->abi_major, SG17_MODULE_ABI_MAJOR);
    if (raw->size < minor0_size)
        return sg17_err(err,
                        "%s declares a descriptor of %u bytes, smaller than any of module ABI %u "
                        "(%zu): rebuild the module against sg17tb/module.h, starting the "
                        "descriptor with SG17_MODULE_HEADER",
                        origin, raw->size, SG17_MODULE_ABI_MAJOR, minor0_size);
    /* an older minor's descriptor lacks our last slots (left NULL); a newer one's extra slots
     * are not ours to read */
    memcpy(out, raw, raw->size < sizeof *out ? raw->size : sizeof *out);
    out->size = sizeof *out;
    return sg17_module_check(out, origin, err);
}

int sg17_module_adopt(const sg17_module_t *raw, const char *origin, sg17_module_t *out,
                      sg17_err_t *err)
{
    return sg17_module_adopt_sized(raw, SG17_MODULE_MINOR0_SIZE, origin, out, err);
}

size_t sg17_type_field_size(sg17_type_t t)
{
    switch (t) {
    case SG17_TYPE_INT:
        return sizeof(int64_t);
    case SG17_TYPE_NUMBER:
        return sizeof(double);
    case SG17_TYPE_BOOL:
        return sizeof(bool);
    case SG17_TYPE_STRING:
        return sizeof(const char *);
    case SG17_TYPE_DURATION:
        return sizeof(sg17_time_t);
    case SG17_TYPE_HEX:
        return sizeof(sg17_bytes_t);
    case SG17_TYPE_ENTITY:
        return sizeof(sg17_entity_t);
    case SG17_TYPE_COUNT:
        return sizeof(uint64_t);
    }
    return 0;
}

size_t sg17_type_field_align(sg17_type_t t)
{
    switch (t) {
    case SG17_TYPE_INT:
        return alignof(int64_t);
    case SG17_TYPE_NUMBER:
        return alignof(double);
    case SG17_TYPE_BOOL:
        return alignof(bool);
    case SG17_TYPE_STRING:
        return alignof(const char *);
    case SG17_TYPE_DURATION:
        return alignof(sg17_time_t);
    case SG17_TYPE_HEX:
        return alignof(sg17_bytes_t);
    case SG17_TYPE_ENTITY:
        return alignof(sg17_entity_t);
    case SG17_TYPE_COUNT:
        return alignof(uint64_t);
    }
    return 0;
}

/* One field of the config struct that a key or mitigation binds to. */
typedef struct {
    size_t offset, size;
    const char *what, *name;
} binding_t;

static int by_offset(const void *a, const void *b)
{
    const binding_t *x = a, *y = b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Checks one binding fits config_size with its alignment; 0, or -1 with err set. */
static int binding_fits(const sg17_module_t *m, const char *origin, const binding_t *b,
                        size_t align, sg17_err_t *err)
{
    if (b->size == 0)
        return sg17_err(err, "%s: %s '%s' has an unknown type", origin, b->what, b->name);
    if (b->offset > m->config_size || b->size > m->config_size - b->offset)
        return sg17_err(err,
                        "%s: %s '%s' binds %zu bytes at offset %zu, outside the config struct "
                        "of %zu bytes (config_size)",
                        origin, b->what, b->name, b->size, b->offset, m->config_size);
    if (b->offset % align)
        return sg17_err(err, "%s: %s '%s' binds offset %zu, not aligned to %zu bytes", origin,
                        b->what, b->name, b->offset, align);
    return 0;
}

/* Every config key and mitigation bound inside config_size, no two overlapping. */
static int check_bindings(const sg17_module_t *m, const char *origin, sg17_err_t *err)
{
    size_t n = 0;
    for (const sg17_config_key_t *k = m->config; k && k->name; k++)
        n++;
    for (const sg17_mitigation_t *x = m->mitigations; x && x->name; x++)
        n++;
    if (n == 0)
        return 0;
    if (m->config_size == 0)
        return sg17_err(err,
                        "%s declares %zu config keys and mitigations but config_size 0: bind "
                        "them with offsetof into a config struct and set config_size to its "
                        "sizeof",
                        origin, n);
    binding_t *b = calloc(n, sizeof *b);
    if (!b)
        return sg17_err(err, "%s: out of memory", origin);
    size_t i = 0;
    int rc = 0;
    for (const sg17_config_key_t *k = m->config; rc == 0 && k && k->name; k++, i++) {
        b[i] = (binding_t){k->offset, sg17_type_field_size(k->type), "config key", k->name};
        rc = binding_fits(m, origin, &b[i], sg17_type_field_align(k->type), err);
    }
    for (const sg17_mitigation_t *x = m->mitigations; rc == 0 && x && x->name; x++, i++) {
        b[i] = (binding_t){x->offset, sizeof(bool), "mitigation", x->name};
        rc = binding_fits(m, origin, &b[i], alignof(bool), err);
    }
    if (rc == 0) {
        qsort(b, n, sizeof *b, by_offset);
        for (i = 1; rc == 0 && i < n; i++)
            if (b[i].offset < b[i - 1].offset + b[i - 1].size)
                rc = sg17_err(err,
                              "%s: %s '%s' (offset %zu) overlaps %s '%s' (%zu bytes at offset "
                              "%zu) in the config struct",
                              origin, b[i].what, b[i].name, b[i].offset, b[i - 1].what,
                              b[i - 1].name, b[i - 1].size, b[i - 1].offset);
    }
    free(b);
    return rc;
}

static int check_kinds(const sg17_module_t *m, const char *origin, sg17_err_t *err)
{
    for (const sg17_entity_kind_t *k = m->entity_kinds; k && k->name; k++) {
        unsigned max = k->max_count ? k->max_count : 1000000u;
        if (k->min_count > max || k->default_count < k->min_count || k->default_count > max)
            return sg17_err(err,
                            "%s: entity kind '%s' needs min_count <= default_count <= max_count "
                            "(it has %u, %u, %u)",
                            origin, k->name, k->min_count, k->default_count, max);
    }
    return 0;
}

static int check_config_defaults(const sg17_module_t *m, const char *origin, sg17_err_t *err)
{
    for (const sg17_config_key_t *k = m->config; k && k->name; k++) {
        if (!k->default_value || k->type == SG17_TYPE_ENTITY)
            continue; /* checked against the scenario's topology */
        char *normal;
        sg17_value_error_t e;
        if (sg17_value_normalise(k->type, k->default_value, false, NULL, m, &normal, &e) < 0)
            return sg17_err(err, "%s: the default of config key '%s' is invalid: %s", origin,
                            k->name, e.what);
        int rc = sg17_value_in_range(k->type, k->range, normal, &e);
        free(normal);
        if (rc < 0)
            return sg17_err(err, "%s: the default of config key '%s' is invalid: %s", origin,
                            k->name, e.what);
    }
    return 0;
}

static int check_attacks(const sg17_module_t *m, const char *origin, sg17_err_t *err)
{
    for (const sg17_attack_t *a = m->attacks; a && a->name; a++) {
        if (!a->run)
            return sg17_err(err, "%s: attack '%s' has no run handler", origin, a->name);
        for (const sg17_param_t *p = a->params; p && p->name; p++)
            if (p->type == SG17_TYPE_COUNT && !sg17_range_declared(p->range))
                return sg17_err(err,
                                "%s: COUNT parameter '%s' of attack '%s' declares no maximum "
                                "(range.max > range.min): an attack must not schedule unbounded "
                                "work",
                                origin, p->name, a->name);
    }
    return 0;
}

static int check_metrics(const sg17_module_t *m, const char *origin, sg17_err_t *err)
{
    for (const sg17_metric_t *x = m->metrics; x && x->name; x++) {
        if (!x->member_kind)
            continue;
        size_t len = strlen(x->name);
        if (len < 2 || strcmp(x->name + len - 2, ".*") != 0)
            return sg17_err(err, "%s: metric '%s' has a member_kind but is not a family (x.*)",
                            origin, x->name);
        if (!sg17_module_kind(m, x->member_kind))
            return sg17_err(err,
                            "%s: metric family '%s' names member kind '%s', not a kind of "
                            "the module",
                            origin, x->name, x->member_kind);
    }
    return 0;
}

/* The STRING key or parameter a choice names ("backend", "noisy.load"): its type in *type, its
 * default (a config key's; NULL for a parameter) in *def. -1 when nothing of that name exists. */
static int choice_target(const sg17_module_t *m, const char *name, sg17_type_t *type,
                         const char **def)
{
    const sg17_config_key_t *k = sg17_module_config_key(m, name);
    if (k) {
        *type = k->type;
        *def = k->default_value;
        return 0;
    }
    const char *dot = strchr(name, '.');
    for (const sg17_attack_t *a = m->attacks; dot && a && a->name; a++)
        if (strlen(a->name) == (size_t)(dot - name) && strncmp(a->name, name, dot - name) == 0) {
            const sg17_param_t *p = sg17_attack_param(a, dot + 1);
            if (!p)
                return -1;
            *type = p->type;
            *def = NULL;
            return 0;
        }
    return -1;
}

static int check_choices(const sg17_module_t *m, const char *origin, sg17_err_t *err)
{
    for (const sg17_choice_t *c = m->choices; c && c->name; c++) {
        sg17_type_t type;
        const char *def;
        if (choice_target(m, c->name, &type, &def) < 0)
            return sg17_err(err, "%s: choices '%s' name no config key and no <attack>.<parameter>",
                            origin, c->name);
        if (type != SG17_TYPE_STRING)
            return sg17_err(err, "%s: choices '%s' bind a value that is not a STRING", origin,
                            c->name);
        if (!c->values || !c->values[0])
            return sg17_err(err, "%s: choices '%s' list no value", origin, c->name);
        if (def && !sg17_choice_ok(c->values, def))
            return sg17_err(err,
                            "%s: the default '%s' of config key '%s' is not one of its choices",
                            origin, def, c->name);
    }
    return 0;
}

int sg17_module_check(const sg17_module_t *m, const char *origin, sg17_err_t *err)
{
    if (!m->name || !*m->name)
        return sg17_err(err, "%s: the descriptor has no module name", origin);
    if (check_kinds(m, origin, err) < 0 || check_bindings(m, origin, err) < 0
        || check_config_defaults(m, origin, err) < 0 || check_attacks(m, origin, err) < 0
        || check_metrics(m, origin, err) < 0 || check_choices(m, origin, err) < 0)
        return -1;
    return 0;
}

/* ---- lookups ---- */

const sg17_entity_kind_t *sg17_module_kind(const sg17_module_t *m, const char *name)
{
    int i = sg17_module_kind_index(m, name, strlen(name));
    return i < 0 ? NULL : &m->entity_kinds[i];
}

int sg17_module_kind_index(const sg17_module_t *m, const char *name, size_t len)
{
    for (int i = 0; m->entity_kinds && m->entity_kinds[i].name; i++)
        if (strlen(m->entity_kinds[i].name) == len
            && strncmp(m->entity_kinds[i].name, name, len) == 0)
            return i;
    return -1;
}

const sg17_config_key_t *sg17_module_config_key(const sg17_module_t *m, const char *name)
{
    for (const sg17_config_key_t *k = m->config; k && k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

const sg17_mitigation_t *sg17_module_mitigation(const sg17_module_t *m, const char *name)
{
    for (const sg17_mitigation_t *x = m->mitigations; x && x->name; x++)
        if (strcmp(x->name, name) == 0)
            return x;
    return NULL;
}

const sg17_attack_t *sg17_module_attack(const sg17_module_t *m, const char *name)
{
    for (const sg17_attack_t *a = m->attacks; a && a->name; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

const sg17_param_t *sg17_attack_param(const sg17_attack_t *a, const char *name)
{
    for (const sg17_param_t *p = a->params; p && p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

const sg17_reason_t *sg17_module_reason(const sg17_module_t *m, const char *name)
{
    for (const sg17_reason_t *r = m->reasons; r && r->name; r++)
        if (strcmp(r->name, name) == 0)
            return r;
    return NULL;
}

bool sg17_module_message_type(const sg17_module_t *m, const char *type)
{
    for (const char *const *t = m->message_types; t && *t; t++)
        if (strcmp(*t, type) == 0)
            return true;
    return false;
}

const sg17_metric_t *sg17_module_metric(const sg17_module_t *m, const char *name)
{
    for (const sg17_metric_t *x = m->metrics; x && x->name; x++) {
        size_t len = strlen(x->name);
        if (strcmp(x->name, name) == 0)
            return x;
        /* a family "x.*" declares "x.<member>" */
        if (len >= 2 && strcmp(x->name + len - 2, ".*") == 0 && strncmp(name, x->name, len - 1) == 0
            && name[len - 1] != '\0')
            return x;
    }
    return NULL;
}

const char *const *sg17_module_choices(const sg17_module_t *m, const char *attack, const char *name)
{
    for (const sg17_choice_t *c = m->choices; c && c->name; c++) {
        const char *n = c->name;
        if (attack) {
            size_t len = strlen(attack);
            if (strncmp(n, attack, len) != 0 || n[len] != '.')
                continue;
            n += len + 1;
        } else if (strchr(n, '.')) {
            continue;
        }
        if (strcmp(n, name) == 0)
            return c->values;
    }
    return NULL;
}

bool sg17_choice_ok(const char *const *values, const char *value)
{
    for (const char *const *v = values; v && *v; v++)
        if (strcmp(*v, value) == 0)
            return true;
    return false;
}

void sg17_choice_list(const char *const *values, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; values && values[i] && used + 1 < size; i++) {
        int k = snprintf(buf + used, size - used, "%s%s", i == 0 ? "one of " : ", ", values[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
}

const char **sg17_table_names(const void *table, size_t stride, size_t *n)
{
    size_t count = 0;
    const char *p = table;
    while (table && *(const char *const *)(p + count * stride))
        count++;
    const char **names = calloc(count + 1, sizeof *names);
    if (!names) {
        *n = 0;
        return NULL;
    }
    for (size_t i = 0; i < count; i++)
        names[i] = *(const char *const *)(p + i * stride);
    *n = count;
    return names;
}
