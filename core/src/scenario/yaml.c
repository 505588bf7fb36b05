/* yaml.c — builds the bounded sg17_yaml_node_t tree from libyaml's event parser, refusing the
 * YAML features a scenario never needs and an attacker would use (aliases, tags, deep nesting). */
#include "scenario/yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* One open container on the explicit stack; a mapping may hold a key waiting for its value. */
typedef struct {
    sg17_yaml_node_t *node;
    sg17_yaml_node_t *pending_key;
} frame_t;

typedef struct {
    const char *name;
    sg17_err_t *err;
    sg17_yaml_node_t *root;
    frame_t stack[SG17_YAML_MAX_DEPTH];
    size_t depth;
    size_t nodes;
} builder_t;

static void node_free(sg17_yaml_node_t *node)
{
    if (!node)
        return;
    /* depth is bounded by SG17_YAML_MAX_DEPTH, so this recursion is too */
    for (size_t i = 0; i < node->n; i++) {
        if (node->keys)
            node_free(node->keys[i]);
        if (node->items)
            node_free(node->items[i]);
    }
    free(node->keys);
    free(node->items);
    free(node->scalar);
    free(node);
}

void sg17_yaml_destroy(sg17_yaml_node_t **node_p)
{
    if (!node_p || !*node_p)
        return;
    node_free(*node_p);
    *node_p = NULL;
}

static int at_err(builder_t *b, yaml_mark_t mark, const char *what)
{
    return sg17_err(b->err, "%s:%zu:%zu: %s", b->name, (size_t)mark.line + 1,
                    (size_t)mark.column + 1, what);
}

static sg17_yaml_node_t *node_new(builder_t *b, sg17_yaml_kind_t kind, yaml_mark_t mark)
{
    if (b->nodes >= SG17_YAML_MAX_NODES) {
        char what[128];
        snprintf(what, sizeof what, "more than %d nodes; expected a smaller document",
                 SG17_YAML_MAX_NODES);
        at_err(b, mark, what);
        return NULL;
    }
    sg17_yaml_node_t *node = calloc(1, sizeof *node);
    if (!node) {
        at_err(b, mark, "out of memory");
        return NULL;
    }
    node->kind = kind;
    node->line = (int)mark.line + 1;
    node->col = (int)mark.column + 1;
    b->nodes++;
    return node;
}

/* Appends item (and key, for a mapping) to a container, doubling its arrays when full. */
static int container_append(sg17_yaml_node_t *c, sg17_yaml_node_t *key, sg17_yaml_node_t *item)
{
    size_t n = c->n;
    if ((n & (n - 1)) == 0) { /* n is 0 or a power of two: grow */
        size_t cap = n ? 2 * n : 4;
        sg17_yaml_node_t **items = realloc(c->items, cap * sizeof *items);
        if (!items)
            return -1;
        c->items = items;
        if (c->kind == SG17_YAML_MAP) {
            sg17_yaml_node_t **keys = realloc(c->keys, cap * sizeof *keys);
            if (!keys)
                return -1;
            c->keys = keys;
        }
    }
    if (c->kind == SG17_YAML_MAP)
        c->keys[n] = key;
    c->items[n] = item;
    c->n = n + 1;
    return 0;
}

/* Attaches a finished or newly opened node to the innermost container (or makes it the root).
 * On failure the node is freed. */
static int attach(builder_t *b, sg17_yaml_node_t *node, yaml_mark_t mark)
{
    if (b->depth == 0) {
        if (b->root) { /* one document has one top-level value; never replace (and leak) it */
            node_free(node);
            return at_err(b, mark, "a second top-level value; expected one document");
        }
        b->root = node;
        return 0;
    }
    frame_t *top = &b->stack[b->depth - 1];
    if (top->node->kind == SG17_YAML_MAP) {
        if (!top->pending_key) {
            if (node->kind != SG17_YAML_SCALAR) {
                node_free(node);
                return at_err(b, mark, "a mapping key must be a scalar; expected a plain name");
            }
            top->pending_key = node;
            return 0;
        }
        if (container_append(top->node, top->pending_key, node) < 0) {
            node_free(node);
            return at_err(b, mark, "out of memory");
        }
        top->pending_key = NULL;
        return 0;
    }
    if (container_append(top->node, NULL, node) < 0) {
        node_free(node);
        return at_err(b, mark, "out of memory");
    }
    return 0;
}

typedef struct {
    const sg17_yaml_node_t *key;
    size_t index;
} key_ref_t;

static int key_ref_cmp(const void *a, const void *b)
{
    const key_ref_t *x = a, *y = b;
    int c = strcmp(x->key->scalar, y->key->scalar);
    if (c)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Refuses a mapping with two equal keys, naming the later one. Sorting keeps this O(n log n)
 * for hostile mappings with many keys. */
static int check_duplicates(builder_t *b, const sg17_yaml_node_t *map)
{
    if (map->n < 2)
        return 0;
    key_ref_t *refs = malloc(map->n * sizeof *refs);
    if (!refs)
        return sg17_err(b->err, "%s: out of memory", b->name);
    for (size_t i = 0; i < map->n; i++)
        refs[i] = (key_ref_t){map->keys[i], i};
    qsort(refs, map->n, sizeof *refs, key_ref_cmp);
    const sg17_yaml_node_t *dup = NULL, *first = NULL;
    for (size_t i = 1; i < map->n; i++) {
        if (strcmp(refs[i].key->scalar, refs[i - 1].key->scalar) == 0) {
            const sg17_yaml_node_t *k = map->keys[refs[i].index];
            if (!dup || k->line < dup->line || (k->line == dup->line && k->col < dup->col)) {
                dup = k;
                first = refs[i - 1].key;
            }
        }
    }
    free(refs);
    if (!dup)
        return 0;
    return sg17_err(b->err,
                    "%s:%d:%d: duplicate key '%s' (first at line %d); expected each key once",
                    b->name, dup->line, dup->col, dup->scalar, first->line);
}

static bool has_anchor_or_tag(builder_t *b, const yaml_event_t *ev, const yaml_char_t *anchor,
                              const yaml_char_t *tag)
{
    if (anchor) {
        at_err(b, ev->start_mark, "anchors and aliases are not supported; expected plain values");
        return true;
    }
    if (tag) {
        char what[256];
        snprintf(what, sizeof what,
                 "explicit tags are not supported (found '%.100s'); expected an "
                 "untagged value",
                 (const char *)tag);
        at_err(b, ev->start_mark, what);
        return true;
    }
    return false;
}

/* Handles one parser event. Returns 1 at the end of the stream, 0 to continue, -1 on error. */
static int on_event(builder_t *b, const yaml_event_t *ev, int *documents)
{
    switch (ev->type) {
    case YAML_STREAM_START_EVENT:
    case YAML_NO_EVENT:
        return 0;
    case YAML_STREAM_END_EVENT:
        return 1;
    case YAML_DOCUMENT_START_EVENT:
        if (++*documents > 1)
            return at_err(b, ev->start_mark,
                          "more than one document; expected one scenario per file");
        return 0;
    case YAML_DOCUMENT_END_EVENT:
        return 0;
    case YAML_ALIAS_EVENT:
        return at_err(b, ev->start_mark, "aliases are not supported; expected plain values");
    case YAML_SCALAR_EVENT: {
        if (has_anchor_or_tag(b, ev, ev->data.scalar.anchor, ev->data.scalar.tag))
            return -1;
        size_t len = ev->data.scalar.length;
        if (memchr(ev->data.scalar.value, '\0', len))
            return at_err(b, ev->start_mark, "a scalar contains a NUL character; expected text");
        sg17_yaml_node_t *node = node_new(b, SG17_YAML_SCALAR, ev->start_mark);
        if (!node)
            return -1;
        node->scalar = malloc(len + 1);
        if (!node->scalar) {
            node_free(node);
            return at_err(b, ev->start_mark, "out of memory");
        }
        memcpy(node->scalar, ev->data.scalar.value, len);
        node->scalar[len] = '\0';
        node->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE
                       || ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        return attach(b, node, ev->start_mark);
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
        if (has_anchor_or_tag(b, ev,
                              seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor,
                              seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag))
            return -1;
        if (b->depth >= SG17_YAML_MAX_DEPTH) {
            char what[128];
            snprintf(what, sizeof what,
                     "nesting deeper than %d levels; expected a flatter document",
                     SG17_YAML_MAX_DEPTH);
            return at_err(b, ev->start_mark, what);
        }
        sg17_yaml_node_t *node = node_new(b, seq ? SG17_YAML_SEQ : SG17_YAML_MAP, ev->start_mark);
        if (!node || attach(b, node, ev->start_mark) < 0)
            return -1;
        b->stack[b->depth++] = (frame_t){node, NULL};
        return 0;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        if (b->depth == 0)
            return at_err(b, ev->start_mark, "unbalanced end of a collection");
        frame_t *top = &b->stack[--b->depth];
        if (top->node->kind == SG17_YAML_MAP && check_duplicates(b, top->node) < 0)
            return -1;
        return 0;
    }
    }
    return 0;
}

sg17_yaml_node_t *sg17_yaml_parse(const char *data, size_t len, const char *name, sg17_err_t *err)
{
    if (!name)
        name = "<input>";
    if (!data && len)
        return sg17_err(err, "%s: no data", name), NULL;
    if (len > SG17_YAML_MAX_BYTES) {
        sg17_err(err, "%s:1:1: the file is %zu bytes; expected at most %u", name, len,
                 (unsigned)SG17_YAML_MAX_BYTES);
        return NULL;
    }
    builder_t b = {.name = name, .err = err};
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        sg17_err(err, "%s: cannot initialise the YAML parser", name);
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)(data ? data : ""), len);
    int documents = 0, rc = 0;
    while (rc == 0) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            yaml_mark_t m = parser.problem_mark;
            if (parser.context)
                sg17_err(err, "%s:%zu:%zu: %s %s; expected valid YAML", name, (size_t)m.line + 1,
                         (size_t)m.column + 1, parser.problem ? parser.problem : "syntax error",
                         parser.context);
            else
                sg17_err(err, "%s:%zu:%zu: %s; expected valid YAML", name, (size_t)m.line + 1,
                         (size_t)m.column + 1, parser.problem ? parser.problem : "syntax error");
            rc = -1;
            break;
        }
        rc = on_event(&b, &ev, &documents);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    for (size_t i = 0; i < b.depth; i++)
        node_free(b.stack[i].pending_key);
    if (rc < 0) {
        node_free(b.root);
        return NULL;
    }
    if (!b.root
        || (b.root->kind == SG17_YAML_SCALAR && !b.root->quoted
            && (!*b.root->scalar || !strcmp(b.root->scalar, "~")
                || !strcmp(b.root->scalar, "null")))) {
        node_free(b.root);
        sg17_err(err, "%s:1:1: the document is empty; expected a mapping", name);
        return NULL;
    }
    return b.root;
}

sg17_yaml_node_t *sg17_yaml_load(const char *path, sg17_err_t *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        sg17_err(err, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    /* read at most one byte past the limit, so an oversized file is refused without reading it */
    size_t cap = 64 * 1024, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len == cap) {
            if (cap > SG17_YAML_MAX_BYTES)
                break;
            size_t want = cap * 2 > SG17_YAML_MAX_BYTES ? SG17_YAML_MAX_BYTES + 1 : cap * 2;
            char *bigger = realloc(buf, want);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap = want;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    bool failed = ferror(f);
    fclose(f);
    if (!buf) {
        sg17_err(err, "%s: out of memory", path);
        return NULL;
    }
    if (failed) {
        free(buf);
        sg17_err(err, "%s: read error", path);
        return NULL;
    }
    if (len > SG17_YAML_MAX_BYTES) {
        free(buf);
        sg17_err(err, "%s:1:1: the file is larger than %u bytes; expected a smaller file", path,
                 (unsigned)SG17_YAML_MAX_BYTES);
        return NULL;
    }
    sg17_yaml_node_t *root = sg17_yaml_parse(buf, len, path, err);
    free(buf);
    return root;
}

sg17_yaml_node_t *sg17_yaml_get(const sg17_yaml_node_t *map, const char *key)
{
    if (!map || map->kind != SG17_YAML_MAP || !key)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i]->scalar, key) == 0)
            return map->items[i];
    return NULL;
}

const char *sg17_yaml_kind_name(sg17_yaml_kind_t kind)
{
    switch (kind) {
    case SG17_YAML_SCALAR:
        return "a scalar";
    case SG17_YAML_SEQ:
        return "a list";
    case SG17_YAML_MAP:
        return "a mapping";
    }
    return "a value";
}
