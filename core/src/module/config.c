/* config.c — filling a module's config struct from normal-form values (see config.h). */
#include "module/config.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "module/descriptor.h"
#include "module/values.h"

/* The block: a header that remembers its size (for the wipe), then the struct, then the text and
 * bytes the struct points to. */
typedef struct {
    size_t total;
    alignas(max_align_t) unsigned char data[];
} block_t;

static size_t round_up(size_t n)
{
    return (n + alignof(max_align_t) - 1) / alignof(max_align_t) * alignof(max_align_t);
}

/* Bytes a value needs beyond its field: a string's copy, hex's decoded bytes. */
static size_t extra_bytes(sg17_type_t type, const char *normal)
{
    if (type == SG17_TYPE_STRING)
        return strlen(normal) + 1;
    if (type == SG17_TYPE_HEX)
        return strlen(normal) / 2;
    return 0;
}

static int hex_nibble(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Stores one normal-form value at field; *heap is where its string/bytes go. 0 or -1. */
static int store(const sg17_config_source_t *src, sg17_type_t type, const char *normal,
                 unsigned char *field, unsigned char **heap)
{
    switch (type) {
    case SG17_TYPE_INT: {
        int64_t x = strtoll(normal, NULL, 10);
        memcpy(field, &x, sizeof x);
        return 0;
    }
    case SG17_TYPE_COUNT:
    case SG17_TYPE_DURATION: {
        uint64_t x = strtoull(normal, NULL, 10);
        memcpy(field, &x, sizeof x);
        return 0;
    }
    case SG17_TYPE_NUMBER: {
        double x = strtod(normal, NULL);
        memcpy(field, &x, sizeof x);
        return 0;
    }
    case SG17_TYPE_BOOL: {
        bool x = strcmp(normal, "true") == 0;
        memcpy(field, &x, sizeof x);
        return 0;
    }
    case SG17_TYPE_STRING: {
        size_t n = strlen(normal) + 1;
        const char *s = memcpy(*heap, normal, n);
        *heap += n;
        memcpy(field, &s, sizeof s);
        return 0;
    }
    case SG17_TYPE_HEX: {
        size_t n = strlen(normal) / 2;
        sg17_bytes_t b = {*heap, n};
        for (size_t i = 0; i < n; i++)
            (*heap)[i] =
                (unsigned char)(hex_nibble(normal[2 * i]) << 4 | hex_nibble(normal[2 * i + 1]));
        *heap += n;
        memcpy(field, &b, sizeof b);
        return 0;
    }
    case SG17_TYPE_ENTITY: {
        size_t klen;
        unsigned long long index;
        const char *why;
        if (sg17_entity_name_split(normal, &klen, &index, &why) < 0 || index > UINT32_MAX)
            return -1;
        sg17_entity_t e = src->entity(src->arg, normal, klen, (unsigned)index);
        if (e == SG17_NO_ENTITY)
            return -1;
        memcpy(field, &e, sizeof e);
        return 0;
    }
    }
    return -1;
}

void *sg17_config_build(const sg17_module_t *m, const sg17_config_source_t *src, char *why,
                        size_t size)
{
    size_t extra = 0;
    for (const sg17_config_key_t *k = m->config; k && k->name; k++) {
        const char *v = src->value(src->arg, k->name);
        if (!v || !sg17_value_is_normal(k->type, v, NULL)) {
            snprintf(why, size, "config key '%s' has %s%.100s%s, not %s", k->name,
                     v ? "'" : "no value", v ? v : "", v ? "'" : "",
                     sg17_type_normal_form(k->type));
            return NULL;
        }
        extra += extra_bytes(k->type, v);
    }
    size_t struct_bytes = round_up(m->config_size ? m->config_size : 1);
    block_t *b = calloc(1, sizeof *b + struct_bytes + extra);
    if (!b) {
        snprintf(why, size, "out of memory for the config struct");
        return NULL;
    }
    b->total = sizeof *b + struct_bytes + extra;
    unsigned char *heap = b->data + struct_bytes;
    for (const sg17_config_key_t *k = m->config; k && k->name; k++)
        if (store(src, k->type, src->value(src->arg, k->name), b->data + k->offset, &heap) < 0) {
            snprintf(why, size, "config key '%s' names '%.100s', not an entity of this run",
                     k->name, src->value(src->arg, k->name));
            sg17_config_free(b->data);
            return NULL;
        }
    for (const sg17_mitigation_t *x = m->mitigations; x && x->name; x++) {
        bool on = src->mitigation_on(src->arg, x->name);
        memcpy(b->data + x->offset, &on, sizeof on);
    }
    return b->data;
}

void sg17_config_free(void *config)
{
    if (!config)
        return;
    block_t *b = (block_t *)((unsigned char *)config - offsetof(block_t, data));
    OPENSSL_cleanse(b, b->total);
    free(b);
}
