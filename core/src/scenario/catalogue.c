/* catalogue.c — loads and validates a module's requirement catalogue (requirements.yaml). */
#include "scenario/catalogue.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/yaml.h"
#include "util/text.h"

typedef struct {
    const char *file;
    sg17_err_t *err;
} loader_t;

/* snprintf for key paths: a path cut short in a message is fine. */
__attribute__((format(printf, 3, 4))) static void path_fmt(char *buf, size_t size, const char *fmt,
                                                           ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

static int node_err(loader_t *l, const sg17_yaml_node_t *n, const char *path, const char *what,
                    const char *expected)
{
    return sg17_err(l->err, "%s:%d:%d: %s: %s; expected %s", l->file, n ? n->line : 1,
                    n ? n->col : 1, path, what, expected);
}

/* A copy of a non-empty scalar, or NULL (and err set) when it is missing or not a scalar. */
static int text_of(loader_t *l, const sg17_yaml_node_t *map, const char *key, const char *path,
                   bool required, char **out)
{
    const sg17_yaml_node_t *v = sg17_yaml_get(map, key);
    *out = NULL;
    if (!v) {
        if (!required)
            return 0;
        char full[256];
        path_fmt(full, sizeof full, "%s.%s", path, key);
        return node_err(l, map, full, "required key is missing", "a text value");
    }
    if (v->kind != SG17_YAML_SCALAR || !*v->scalar) {
        char full[256];
        path_fmt(full, sizeof full, "%s.%s", path, key);
        return node_err(l, v, full,
                        v->kind == SG17_YAML_SCALAR ? "empty value" : sg17_yaml_kind_name(v->kind),
                        "a text value");
    }
    *out = strdup(v->scalar);
    return *out ? 0 : sg17_err(l->err, "%s: out of memory", l->file);
}

static void entry_free(sg17_catalogue_entry_t *e)
{
    free(e->id);
    free(e->title);
    free(e->text);
    free(e->source);
    free(e->clause);
    for (size_t i = 0; i < e->n_threats; i++)
        free(e->threats[i]);
    free(e->threats);
    free(e->untestable);
}

void sg17_catalogue_destroy(sg17_catalogue_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sg17_catalogue_t *c = *self_p;
    for (size_t i = 0; i < c->n_threats; i++)
        entry_free(&c->threats[i]);
    for (size_t i = 0; i < c->n_requirements; i++)
        entry_free(&c->requirements[i]);
    free(c->threats);
    free(c->requirements);
    free(c->file);
    free(c->module);
    free(c->recommendation);
    free(c->title);
    free(c);
    *self_p = NULL;
}

static const char *const entry_keys[] = {"id",     "title",   "text",      "source",
                                         "clause", "threats", "untestable"};
#define N_ENTRY_KEYS (sizeof entry_keys / sizeof entry_keys[0])

/* Reads one threat or requirement entry. */
static int entry_read(loader_t *l, const sg17_yaml_node_t *n, const char *path, bool requirement,
                      sg17_catalogue_entry_t *e)
{
    if (n->kind != SG17_YAML_MAP)
        return node_err(l, n, path, sg17_yaml_kind_name(n->kind),
                        "a mapping with id, title, source");
    for (size_t i = 0; i < n->n; i++) {
        const char *k = n->keys[i]->scalar;
        bool known = false;
        for (size_t j = 0; j < N_ENTRY_KEYS; j++)
            known |= strcmp(k, entry_keys[j]) == 0;
        if (!requirement && (!strcmp(k, "threats") || !strcmp(k, "untestable")))
            known = false;
        if (!known) {
            char full[256], what[192], expected[160];
            path_fmt(full, sizeof full, "%s.%s", path, k);
            snprintf(what, sizeof what, "unknown key '%.100s'", k);
            const char *near = sg17_nearest(k, entry_keys, requirement ? N_ENTRY_KEYS : 5);
            if (near)
                snprintf(expected, sizeof expected,
                         "one of id, title, text, source, clause%s; did "
                         "you mean '%s'?",
                         requirement ? ", threats, untestable" : "", near);
            else
                snprintf(expected, sizeof expected, "one of id, title, text, source, clause%s",
                         requirement ? ", threats, untestable" : "");
            return node_err(l, n->keys[i], full, what, expected);
        }
    }
    if (text_of(l, n, "id", path, true, &e->id) < 0
        || text_of(l, n, "title", path, true, &e->title) < 0
        || text_of(l, n, "text", path, false, &e->text) < 0
        || text_of(l, n, "source", path, true, &e->source) < 0
        || text_of(l, n, "clause", path, false, &e->clause) < 0
        || text_of(l, n, "untestable", path, false, &e->untestable) < 0)
        return -1;
    char full[256];
    path_fmt(full, sizeof full, "%s.source", path);
    if (strcmp(e->source, "clause") && strcmp(e->source, "derived")) {
        char what[160];
        snprintf(what, sizeof what, "'%.100s' is not a source", e->source);
        return node_err(l, sg17_yaml_get(n, "source"), full, what, "clause or derived");
    }
    if (!strcmp(e->source, "clause") && !e->clause)
        return node_err(l, n, full, "source is clause but no clause is given",
                        "a clause: \"<number>\" key");
    const sg17_yaml_node_t *t = sg17_yaml_get(n, "threats");
    if (t) {
        path_fmt(full, sizeof full, "%s.threats", path);
        if (t->kind != SG17_YAML_SEQ)
            return node_err(l, t, full, sg17_yaml_kind_name(t->kind), "a list of threat ids");
        e->threats = calloc(t->n ? t->n : 1, sizeof *e->threats);
        if (!e->threats)
            return sg17_err(l->err, "%s: out of memory", l->file);
        for (size_t i = 0; i < t->n; i++) {
            const sg17_yaml_node_t *item = t->items[i];
            if (item->kind != SG17_YAML_SCALAR || !*item->scalar) {
                char ip[280];
                path_fmt(ip, sizeof ip, "%s[%zu]", full, i);
                return node_err(l, item, ip, "not a threat id", "a threat id");
            }
            e->threats[e->n_threats] = strdup(item->scalar);
            if (!e->threats[e->n_threats])
                return sg17_err(l->err, "%s: out of memory", l->file);
            e->n_threats++;
        }
    }
    return 0;
}

static int entries_read(loader_t *l, const sg17_yaml_node_t *root, const char *key,
                        bool requirement, sg17_catalogue_entry_t **out, size_t *n_out)
{
    const sg17_yaml_node_t *list = sg17_yaml_get(root, key);
    if (!list)
        return 0;
    if (list->kind != SG17_YAML_SEQ)
        return node_err(l, list, key, sg17_yaml_kind_name(list->kind), "a list of entries");
    *out = calloc(list->n ? list->n : 1, sizeof **out);
    if (!*out)
        return sg17_err(l->err, "%s: out of memory", l->file);
    for (size_t i = 0; i < list->n; i++) {
        char path[64];
        path_fmt(path, sizeof path, "%s[%zu]", key, i);
        (*n_out)++;
        if (entry_read(l, list->items[i], path, requirement, &(*out)[i]) < 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (!strcmp((*out)[j].id, (*out)[i].id)) {
                char what[192];
                snprintf(what, sizeof what, "duplicate id '%.100s'", (*out)[i].id);
                return node_err(l, sg17_yaml_get(list->items[i], "id"), path, what,
                                "each id once in the catalogue");
            }
    }
    return 0;
}

/* Threat references of requirements must name threats of this catalogue. */
static int check_threat_refs(loader_t *l, const sg17_yaml_node_t *root, sg17_catalogue_t *c)
{
    const sg17_yaml_node_t *list = sg17_yaml_get(root, "requirements");
    const char **ids = calloc(c->n_threats ? c->n_threats : 1, sizeof *ids);
    if (!ids)
        return sg17_err(l->err, "%s: out of memory", l->file);
    for (size_t i = 0; i < c->n_threats; i++)
        ids[i] = c->threats[i].id;
    int rc = 0;
    for (size_t i = 0; i < c->n_requirements && rc == 0; i++) {
        const sg17_catalogue_entry_t *r = &c->requirements[i];
        for (size_t j = 0; j < r->n_threats && rc == 0; j++) {
            if (sg17_catalogue_threat(c, r->threats[j]))
                continue;
            const sg17_yaml_node_t *t = sg17_yaml_get(list->items[i], "threats");
            char path[96], what[192], expected[192];
            path_fmt(path, sizeof path, "requirements[%zu].threats[%zu]", i, j);
            snprintf(what, sizeof what, "unknown threat '%.100s'", r->threats[j]);
            const char *near = sg17_nearest(r->threats[j], (const char *const *)ids, c->n_threats);
            if (near)
                snprintf(expected, sizeof expected,
                         "a threat id of this catalogue; did you mean "
                         "'%.100s'?",
                         near);
            else
                snprintf(expected, sizeof expected, "a threat id of this catalogue");
            rc = node_err(l, t->items[j], path, what, expected);
        }
    }
    free(ids);
    return rc;
}

static const char *const top_keys[] = {"module", "recommendation", "title", "threats",
                                       "requirements"};

sg17_catalogue_t *sg17_catalogue_load(const char *path, sg17_err_t *err)
{
    sg17_yaml_node_t *root = sg17_yaml_load(path, err);
    if (!root)
        return NULL;
    loader_t l = {.file = path, .err = err};
    sg17_catalogue_t *c = calloc(1, sizeof *c);
    int rc = c ? 0 : sg17_err(err, "%s: out of memory", path);
    if (rc == 0 && root->kind != SG17_YAML_MAP)
        rc = node_err(&l, root, "(top level)", sg17_yaml_kind_name(root->kind),
                      "a mapping with module, threats, requirements");
    for (size_t i = 0; rc == 0 && i < root->n; i++) {
        const char *k = root->keys[i]->scalar;
        bool known = false;
        for (size_t j = 0; j < 5; j++)
            known |= strcmp(k, top_keys[j]) == 0;
        if (!known) {
            char what[160], expected[160];
            snprintf(what, sizeof what, "unknown key '%.100s'", k);
            const char *near = sg17_nearest(k, top_keys, 5);
            snprintf(expected, sizeof expected,
                     "one of module, recommendation, title, threats, requirements%s%s%s",
                     near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
            rc = node_err(&l, root->keys[i], k, what, expected);
        }
    }
    if (rc == 0 && !(c->file = strdup(path)))
        rc = sg17_err(err, "%s: out of memory", path);
    if (rc == 0)
        rc = text_of(&l, root, "module", "catalogue", true, &c->module);
    if (rc == 0)
        rc = text_of(&l, root, "recommendation", "catalogue", false, &c->recommendation);
    if (rc == 0)
        rc = text_of(&l, root, "title", "catalogue", false, &c->title);
    if (rc == 0)
        rc = entries_read(&l, root, "threats", false, &c->threats, &c->n_threats);
    if (rc == 0)
        rc = entries_read(&l, root, "requirements", true, &c->requirements, &c->n_requirements);
    if (rc == 0)
        for (size_t i = 0; i < c->n_requirements && rc == 0; i++)
            if (sg17_catalogue_threat(c, c->requirements[i].id)) {
                char what[192];
                snprintf(what, sizeof what, "id '%.100s' is also a threat id",
                         c->requirements[i].id);
                rc =
                    node_err(&l, sg17_yaml_get(sg17_yaml_get(root, "requirements")->items[i], "id"),
                             "requirements", what, "ids unique across threats and requirements");
            }
    if (rc == 0)
        rc = check_threat_refs(&l, root, c);
    sg17_yaml_destroy(&root);
    if (rc < 0) {
        sg17_catalogue_destroy(&c);
        return NULL;
    }
    return c;
}

const sg17_catalogue_entry_t *sg17_catalogue_requirement(const sg17_catalogue_t *c, const char *id)
{
    if (!c || !id)
        return NULL;
    for (size_t i = 0; i < c->n_requirements; i++)
        if (!strcmp(c->requirements[i].id, id))
            return &c->requirements[i];
    return NULL;
}

const sg17_catalogue_entry_t *sg17_catalogue_threat(const sg17_catalogue_t *c, const char *id)
{
    if (!c || !id)
        return NULL;
    for (size_t i = 0; i < c->n_threats; i++)
        if (!strcmp(c->threats[i].id, id))
            return &c->threats[i];
    return NULL;
}
