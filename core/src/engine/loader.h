/* loader.h — the engine's view of modules: the module layer's loader (module/loader.h) plus the
 * modules' requirement catalogues, loaded on first use, and the sg17_registry_t the scenario
 * validator needs. */
#ifndef SG17_ENGINE_LOADER_H
#define SG17_ENGINE_LOADER_H

#include <stddef.h>

#include "module/loader.h"
#include "scenario/catalogue.h"
#include "scenario/scenario.h"

/* The module's catalogue (loaded on first use), or NULL (err set if it exists but is invalid). */
const sg17_catalogue_t *sg17_loader_catalogue(const char *module, sg17_err_t *err);
/* A registry backed by the loader. */
sg17_registry_t sg17_loader_registry(void);
/* Frees every catalogue (modules stay loaded). */
void sg17_loader_shutdown(void);

#endif
