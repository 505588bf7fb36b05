/* loader.h — finds, loads and checks modules (dlopen + the `sg17_module` descriptor), and their
 * requirement catalogues. Search path, in order: $SG17TB_MODULE_PATH (colon-separated), the
 * build tree's module directory, the install directory. Loaded modules stay loaded for the life
 * of the process. Also provides the sg17_registry_t the scenario validator needs. */
#ifndef SG17_ENGINE_LOADER_H
#define SG17_ENGINE_LOADER_H

#include <stddef.h>

#include "scenario/catalogue.h"
#include "scenario/scenario.h"
#include "sg17tb/module.h"
#include "util/diag.h"

/* The module's descriptor, loading it on first use; NULL with a message that says what to check. */
const sg17_module_t *sg17_loader_get(const char *name, sg17_err_t *err);
/* Loads the module at an explicit path (for tests and `--module-file`). */
const sg17_module_t *sg17_loader_load_file(const char *path, sg17_err_t *err);
/* Names of every module found on the search path, sorted (loads each). */
const char *const *sg17_loader_names(size_t *n);
/* The module's catalogue (loaded on first use), or NULL (err set if it exists but is invalid). */
const sg17_catalogue_t *sg17_loader_catalogue(const char *module, sg17_err_t *err);
/* Where a module's catalogue file is, or NULL. Caller frees. */
char *sg17_loader_catalogue_path(const char *module);
/* A registry backed by the loader. */
sg17_registry_t sg17_loader_registry(void);
/* Frees every catalogue (modules stay loaded). */
void sg17_loader_shutdown(void);

#endif
