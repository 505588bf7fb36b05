/* scenario_matrix.c — `matrix:` sweeps: the product of the parameter lists, and a copy of the
 * document per point with `${name}` replaced in every scalar value. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/validate.h"

#define MATRIX_MAX_POINTS 1000
/* points x nodes: every point validates the whole document again, so bound the total work */
#define MATRIX_MAX_WORK 1000000u

static bool name_ok(const char *s)
{
    if (!isalpha((unsigned char)*s) && *s != '_')
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

int sg17_matrix_points(sg17_validator_t *v, const sg17_yaml_node_t *matrix, size_t nodes,
                       size_t *points)
{
    *points = 1;
    if (!matrix)
        return 0;
    if (matrix->kind != SG17_YAML_MAP || !matrix->n)
        return sg17_v_fail(v, matrix, "matrix", "a mapping of name to a non-empty list of values",
                           NULL, "found %s",
                           matrix->kind == SG17_YAML_MAP ? "an empty mapping"
                                                         : sg17_yaml_kind_name(matrix->kind));
    for (size_t i = 0; i < matrix->n; i++) {
        const sg17_yaml_node_t *k = matrix->keys[i], *list = matrix->items[i];
        char path[SG17_PATH_MAX];
        sg17_v_path(path, sizeof path, "matrix.%.100s", k->scalar);
        if (!name_ok(k->scalar))
            return sg17_v_fail(v, k, path, "a name of letters, digits and _", NULL,
                               "'%.100s' cannot be used as ${name}", k->scalar);
        if (list->kind != SG17_YAML_SEQ || !list->n)
            return sg17_v_fail(v, list, path, "a non-empty list of values", NULL, "found %s",
                               list->kind == SG17_YAML_SEQ ? "an empty list"
                                                           : sg17_yaml_kind_name(list->kind));
        for (size_t j = 0; j < list->n; j++)
            if (list->items[j]->kind != SG17_YAML_SCALAR) {
                char ipath[SG17_PATH_MAX + 24];
                sg17_v_path(ipath, sizeof ipath, "%s[%zu]", path, j);
                return sg17_v_fail(v, list->items[j], ipath, "a single value", NULL, "found %s",
                                   sg17_yaml_kind_name(list->items[j]->kind));
            }
        if (*points * list->n > MATRIX_MAX_POINTS)
            return sg17_v_fail(v, list, path, "at most 1000 points in all", NULL,
                               "the matrix has more than %d points", MATRIX_MAX_POINTS);
        *points *= list->n;
    }
    if (*points * nodes > MATRIX_MAX_WORK)
        return sg17_v_fail(v, matrix, "matrix", "fewer points or a smaller document", NULL,
                           "%zu points over a document of %zu nodes is more than %u node "
                           "validations",
                           *points, nodes, MATRIX_MAX_WORK);
    return 0;
}

const sg17_yaml_node_t *sg17_matrix_value(const sg17_yaml_node_t *matrix, size_t i, size_t point)
{
    /* the last name varies fastest */
    for (size_t j = matrix->n; j-- > i + 1;)
        point /= matrix->items[j]->n;
    return matrix->items[i]->items[point % matrix->items[i]->n];
}

typedef struct {
    sg17_validator_t *v;
    const sg17_yaml_node_t *matrix;
    size_t point;
    size_t bytes; /* text the point's substitutions produced so far */
    int failed;
} subst_t;

/* The scalar with every ${name} replaced; a scalar that is exactly "${name}" also takes the
 * value's quoting. */
static int subst_scalar(subst_t *st, const sg17_yaml_node_t *in, sg17_yaml_node_t *out,
                        const char *path)
{
    const char *s = in->scalar;
    out->quoted = in->quoted;
    if (!strstr(s, "${")) {
        out->scalar = strdup(s);
        return out->scalar ? 0 : sg17_err(st->v->err, "%s: out of memory", st->v->file);
    }
    size_t cap = strlen(s) + 1, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return sg17_err(st->v->err, "%s: out of memory", st->v->file);
    while (*s) {
        const char *ref = strstr(s, "${");
        const char *end = ref ? strchr(ref + 2, '}') : NULL;
        if (!ref || !end) {
            ref = s + strlen(s);
            end = NULL;
        }
        size_t lit = (size_t)(ref - s);
        const char *value = "";
        size_t vlen = 0;
        if (end) {
            size_t nlen = (size_t)(end - ref - 2);
            const sg17_yaml_node_t *val = NULL;
            for (size_t i = 0; st->matrix && i < st->matrix->n && !val; i++)
                if (strlen(st->matrix->keys[i]->scalar) == nlen
                    && !strncmp(st->matrix->keys[i]->scalar, ref + 2, nlen))
                    val = sg17_matrix_value(st->matrix, i, st->point);
            if (!val) {
                free(buf);
                return sg17_v_fail(
                    st->v, in, path,
                    st->matrix ? "a name of the matrix" : "a `matrix:` that defines it", NULL,
                    "unknown matrix parameter '${%.*s}'", (int)(nlen < 100 ? nlen : 100), ref + 2);
            }
            value = val->scalar;
            vlen = strlen(value);
            /* a point may not grow past the size of a file we would read (no "billion laughs"
             * through ${} references) */
            st->bytes += vlen;
            if (st->bytes > SG17_YAML_MAX_BYTES) {
                free(buf);
                return sg17_v_fail(st->v, in, path, "a point of at most 4 MiB of text", NULL,
                                   "substituting ${%.*s} makes this point too large",
                                   (int)(nlen < 100 ? nlen : 100), ref + 2);
            }
            if (ref == in->scalar && !end[1])
                out->quoted = val->quoted;
        }
        if (len + lit + vlen + 1 > cap) {
            cap = 2 * (len + lit + vlen + 1);
            char *bigger = realloc(buf, cap);
            if (!bigger) {
                free(buf);
                return sg17_err(st->v->err, "%s: out of memory", st->v->file);
            }
            buf = bigger;
        }
        memcpy(buf + len, s, lit);
        memcpy(buf + len + lit, value, vlen);
        len += lit + vlen;
        s = end ? end + 1 : ref;
    }
    buf[len] = '\0';
    out->scalar = buf;
    return 0;
}

/* Copies a subtree; recursion follows the YAML nesting, which yaml.c bounds. Keys are copied
 * as written. */
static sg17_yaml_node_t *copy(subst_t *st, const sg17_yaml_node_t *in, const char *path, bool top)
{
    sg17_yaml_node_t *out = calloc(1, sizeof *out);
    if (!out) {
        sg17_err(st->v->err, "%s: out of memory", st->v->file);
        return NULL;
    }
    out->kind = in->kind;
    out->line = in->line;
    out->col = in->col;
    if (in->kind == SG17_YAML_SCALAR) {
        if (subst_scalar(st, in, out, path) < 0) {
            free(out);
            return NULL;
        }
        return out;
    }
    size_t n = in->n ? in->n : 1;
    out->items = calloc(n, sizeof *out->items);
    if (in->kind == SG17_YAML_MAP)
        out->keys = calloc(n, sizeof *out->keys);
    if (!out->items || (in->kind == SG17_YAML_MAP && !out->keys)) {
        sg17_yaml_destroy(&out);
        sg17_err(st->v->err, "%s: out of memory", st->v->file);
        return NULL;
    }
    for (size_t i = 0; i < in->n; i++) {
        char sub[SG17_PATH_MAX];
        if (in->kind == SG17_YAML_MAP) {
            if (top && !strcmp(in->keys[i]->scalar, "matrix"))
                continue;
            sg17_v_path(sub, sizeof sub, "%s%s%.100s", path, *path ? "." : "", in->keys[i]->scalar);
        } else {
            sg17_v_path(sub, sizeof sub, "%s[%zu]", path, i);
        }
        sg17_yaml_node_t *item = copy(st, in->items[i], sub, false);
        sg17_yaml_node_t *key = NULL;
        if (item && in->kind == SG17_YAML_MAP) {
            key = calloc(1, sizeof *key);
            if (key)
                *key = *in->keys[i];
            if (key && !(key->scalar = strdup(in->keys[i]->scalar))) {
                free(key);
                key = NULL;
            }
            if (!key)
                sg17_err(st->v->err, "%s: out of memory", st->v->file);
        }
        if (!item || (in->kind == SG17_YAML_MAP && !key)) {
            sg17_yaml_destroy(&item);
            sg17_yaml_destroy(&out);
            return NULL;
        }
        if (out->keys)
            out->keys[out->n] = key;
        out->items[out->n++] = item;
    }
    return out;
}

sg17_yaml_node_t *sg17_matrix_substitute(sg17_validator_t *v, const sg17_yaml_node_t *root,
                                         const sg17_yaml_node_t *matrix, size_t point)
{
    subst_t st = {.v = v, .matrix = matrix, .point = point};
    return copy(&st, root, "", true);
}
