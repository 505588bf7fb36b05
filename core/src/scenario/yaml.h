/* yaml.h — a small, bounded YAML document tree built from libyaml's event parser, with the line
 * and column of every node. Hostile input is refused, never followed: aliases and anchors, tags,
 * several documents, duplicate keys, more than SG17_YAML_MAX_DEPTH levels of nesting, more than
 * SG17_YAML_MAX_NODES nodes, or a file over SG17_YAML_MAX_BYTES. Keys must be scalars. */
#ifndef SG17_SCENARIO_YAML_H
#define SG17_SCENARIO_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

#define SG17_YAML_MAX_DEPTH 32
#define SG17_YAML_MAX_NODES 200000
#define SG17_YAML_MAX_BYTES (4u << 20)

typedef enum { SG17_YAML_SCALAR, SG17_YAML_SEQ, SG17_YAML_MAP } sg17_yaml_kind_t;

typedef struct sg17_yaml_node sg17_yaml_node_t;
struct sg17_yaml_node {
    sg17_yaml_kind_t kind;
    int line, col;            /* 1-based position of the node's first character */
    char *scalar;             /* SG17_YAML_SCALAR: the text (NUL-terminated) */
    bool quoted;              /* scalar was quoted: never a number/bool/null */
    sg17_yaml_node_t **keys;  /* SG17_YAML_MAP: n keys (scalars) */
    sg17_yaml_node_t **items; /* SEQ: n items; MAP: n values */
    size_t n;
};

/* Parses one YAML document. `name` is used in messages ("file:line:col: ..."). Returns the root
 * (a map, sequence or scalar), or NULL with err set. An empty document is an error. */
sg17_yaml_node_t *sg17_yaml_parse(const char *data, size_t len, const char *name, sg17_err_t *err);
sg17_yaml_node_t *sg17_yaml_load(const char *path, sg17_err_t *err);
void sg17_yaml_destroy(sg17_yaml_node_t **node_p);

/* The value of `key` in a map, or NULL. */
sg17_yaml_node_t *sg17_yaml_get(const sg17_yaml_node_t *map, const char *key);
const char *sg17_yaml_kind_name(sg17_yaml_kind_t kind); /* "a scalar", "a list", "a mapping" */

#endif
