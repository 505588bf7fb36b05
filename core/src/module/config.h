/* config.h — the module's config struct (sg17_module_t.config_size bytes), filled by the core
 * from checked normal-form values before create(): each config key and mitigation is stored at
 * its offsetof binding with the C type its sg17_type_t names. */
#ifndef SG17_MODULE_CONFIG_H
#define SG17_MODULE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "sg17tb/module.h"

/* Where the values come from (the host's Setup frame, a test's overrides). */
typedef struct {
    /* The normal form of config key `key` (see sg17_value_is_normal), or NULL if not given. */
    const char *(*value)(void *arg, const char *key);
    /* Whether mitigation `name` is on in this run. */
    bool (*mitigation_on)(void *arg, const char *name);
    /* The entity id of "<kind>-<index>" (kind: len bytes), or SG17_NO_ENTITY. */
    sg17_entity_t (*entity)(void *arg, const char *kind, size_t len, unsigned index);
    void *arg;
} sg17_config_source_t;

/* A filled config struct: one block holding the struct and the strings and bytes it points to,
 * owned by the core for the run. NULL with why set when a value is missing or not in normal form
 * (the caller has checked them, so this is a bug or a hostile frame), or out of memory. */
void *sg17_config_build(const sg17_module_t *m, const sg17_config_source_t *src, char *why,
                        size_t size);
/* Wipes (HEX values may be key material) and frees a config struct; NULL is fine. */
void sg17_config_free(void *config);

#endif
