/* catalogues.c — the requirement catalogues of loaded modules, each loaded once, and the
 * registry the scenario validator reads modules and catalogues through. */
#include <stdlib.h>
#include <string.h>

#include "engine/loader.h"

typedef struct {
    char *module;
    sg17_catalogue_t *catalogue;
    sg17_err_t err; /* why catalogue is NULL */
} catalogue_slot_t;

static catalogue_slot_t slots[64];
static size_t n_slots;

const sg17_catalogue_t *sg17_loader_catalogue(const char *module, sg17_err_t *err)
{
    const sg17_module_t *m = sg17_loader_get(module, err);
    if (!m)
        return NULL;
    catalogue_slot_t *slot = NULL;
    for (size_t i = 0; i < n_slots && !slot; i++)
        if (strcmp(slots[i].module, m->name) == 0)
            slot = &slots[i];
    if (!slot) {
        if (n_slots == sizeof slots / sizeof slots[0]) {
            sg17_err(err, "too many modules");
            return NULL;
        }
        slot = &slots[n_slots++];
        slot->module = strdup(m->name);
        char *path = sg17_loader_catalogue_path(m->name);
        if (path)
            slot->catalogue = sg17_catalogue_load(path, &slot->err);
        else if (m->catalogue)
            sg17_err(&slot->err,
                     "module '%s' declares the requirement catalogue '%s', which is not "
                     "found (set SG17TB_CATALOGUE_PATH?)",
                     m->name, m->catalogue);
        else
            sg17_err(&slot->err, "module '%s' has no requirement catalogue", m->name);
        free(path);
    }
    if (!slot->catalogue && err)
        *err = slot->err;
    return slot->catalogue;
}

static const sg17_module_t *reg_module(void *arg, const char *name, sg17_err_t *err)
{
    return sg17_loader_get(name, err);
}

static const sg17_catalogue_t *reg_catalogue(void *arg, const char *module, sg17_err_t *err)
{
    const sg17_module_t *m = sg17_loader_get(module, err);
    err->msg[0] = '\0';
    if (!m || !m->catalogue) /* none declared: requirement ids are not checked */
        return NULL;
    return sg17_loader_catalogue(module, err);
}

static const char *const *reg_names(void *arg, size_t *n)
{
    return sg17_loader_names(n);
}

sg17_registry_t sg17_loader_registry(void)
{
    return (sg17_registry_t){reg_module, reg_catalogue, reg_names, NULL};
}

void sg17_loader_shutdown(void)
{
    for (size_t i = 0; i < n_slots; i++) {
        sg17_catalogue_destroy(&slots[i].catalogue);
        free(slots[i].module);
        slots[i].module = NULL;
    }
    n_slots = 0;
}
