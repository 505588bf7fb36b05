/* loader.h — finds, loads and adopts modules: dlopen + the `sg17_module` descriptor, checked and
 * copied at the core's descriptor size (module/descriptor.h). Search path, in order:
 * $SG17TB_MODULE_PATH (colon-separated), the build tree's module directory, the install
 * directory. Loaded modules stay loaded for the life of the process. Requirement catalogues are
 * the engine's (engine/loader.h): this layer only says where a module's catalogue file is. */
#ifndef SG17_MODULE_LOADER_H
#define SG17_MODULE_LOADER_H

#include <stddef.h>

#include "sg17tb/module.h"
#include "util/diag.h"

/* The module's adopted descriptor, loading it on first use; NULL with a message that says what
 * to check. */
const sg17_module_t *sg17_loader_get(const char *name, sg17_err_t *err);
/* Loads the module at an explicit path (for tests and `--module-file`). */
const sg17_module_t *sg17_loader_load_file(const char *path, sg17_err_t *err);
/* Names of every module found on the search path, sorted. */
const char *const *sg17_loader_names(size_t *n);
/* Where a module's catalogue file is, or NULL. Caller frees. */
char *sg17_loader_catalogue_path(const char *module);

#endif
