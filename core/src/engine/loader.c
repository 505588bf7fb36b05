/* loader.c — dlopen(RTLD_NOW|RTLD_LOCAL), one entry symbol, an ABI check, clear errors. */
#include "engine/loader.h"

#include "util/text.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    char *name;
    char *dir; /* where the .so was found */
    const sg17_module_t *module;
    sg17_catalogue_t *catalogue;
    bool catalogue_tried;
    sg17_err_t catalogue_err; /* why catalogue is NULL, once tried */
} loaded_t;

static loaded_t loaded[64];
static size_t n_loaded;
static char *names_cache[64];
static size_t n_names;

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* The search path as a list of directories; returns how many (at most max). */
static size_t search_path(char dirs[][1024], size_t max)
{
    size_t n = 0;
    const char *env = getenv("SG17TB_MODULE_PATH");
    if (env && *env) {
        char *copy = strdup(env), *save = NULL;
        for (char *d = strtok_r(copy, ":", &save); d && n < max; d = strtok_r(NULL, ":", &save))
            snprintf(dirs[n++], 1024, "%s", d);
        free(copy);
    }
    if (n < max && is_dir(SG17TB_BUILD_MODULE_DIR))
        snprintf(dirs[n++], 1024, "%s", SG17TB_BUILD_MODULE_DIR);
    if (n < max)
        snprintf(dirs[n++], 1024, "%s", SG17TB_INSTALL_MODULE_DIR);
    return n;
}

static const sg17_module_t *open_module(const char *path, const char *expect_name, sg17_err_t *err)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        sg17_err(err, "cannot load module %s: %s (check its dependencies with ldd)", path,
                 dlerror());
        return NULL;
    }
    const sg17_module_t *m = dlsym(h, SG17_MODULE_SYMBOL);
    if (!m) {
        sg17_err(err, "%s is not an sg17tb module: it exports no '%s' symbol", path,
                 SG17_MODULE_SYMBOL);
        dlclose(h);
        return NULL;
    }
    if (m->abi != SG17_MODULE_ABI_VERSION) {
        sg17_err(err,
                 "%s was built for module ABI %u, this sg17tb speaks ABI %u: rebuild the module "
                 "against this version's sg17tb/module.h",
                 path, m->abi, SG17_MODULE_ABI_VERSION);
        dlclose(h);
        return NULL;
    }
    if (!m->name || (expect_name && strcmp(m->name, expect_name) != 0)) {
        sg17_err(err, "%s calls itself '%s', expected '%s'", path, m->name ? m->name : "(null)",
                 expect_name ? expect_name : "?");
        dlclose(h);
        return NULL;
    }
    return m;
}

static const sg17_module_t *remember(const sg17_module_t *m, const char *path)
{
    for (size_t i = 0; i < n_loaded; i++)
        if (strcmp(loaded[i].name, m->name) == 0)
            return loaded[i].module;
    if (n_loaded == sizeof loaded / sizeof loaded[0])
        return m;
    char *dir = strdup(path);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash)
        *slash = '\0';
    loaded[n_loaded++] = (loaded_t){.name = strdup(m->name), .dir = dir, .module = m};
    return m;
}

const sg17_module_t *sg17_loader_load_file(const char *path, sg17_err_t *err)
{
    const sg17_module_t *m = open_module(path, NULL, err);
    return m ? remember(m, path) : NULL;
}

const sg17_module_t *sg17_loader_get(const char *name, sg17_err_t *err)
{
    for (size_t i = 0; i < n_loaded; i++)
        if (strcmp(loaded[i].name, name) == 0)
            return loaded[i].module;
    if (!*name || strchr(name, '/') || strchr(name, '.'))
        return sg17_err(err, "invalid module name '%s'", name), NULL;
    char dirs[16][1024];
    size_t nd = search_path(dirs, 16);
    char tried[1024] = "";
    for (size_t i = 0; i < nd; i++) {
        char path[1300];
        snprintf(path, sizeof path, "%s/%s.so", dirs[i], name);
        if (is_file(path)) {
            const sg17_module_t *m = open_module(path, name, err);
            return m ? remember(m, path) : NULL;
        }
        size_t used = strlen(tried);
        snprintf(tried + used, sizeof tried - used, "%s%s", used ? ", " : "", dirs[i]);
    }
    size_t n;
    const char *const *all = sg17_loader_names(&n);
    const char *near = sg17_nearest(name, all, n);
    sg17_err(err,
             "unknown module '%s' (searched %s; set SG17TB_MODULE_PATH to add a directory)%s%s%s",
             name, tried, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    return NULL;
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char *const *sg17_loader_names(size_t *n)
{
    if (!n_names) {
        char dirs[16][1024];
        size_t nd = search_path(dirs, 16);
        for (size_t i = 0; i < nd; i++) {
            DIR *d = opendir(dirs[i]);
            if (!d)
                continue;
            struct dirent *e;
            while ((e = readdir(d)) && n_names < 64) {
                size_t len = strlen(e->d_name);
                if (len < 4 || strcmp(e->d_name + len - 3, ".so") != 0)
                    continue;
                char name[256];
                snprintf(name, sizeof name, "%.*s", (int)(len - 3), e->d_name);
                bool dup = false;
                for (size_t k = 0; k < n_names; k++)
                    dup |= strcmp(names_cache[k], name) == 0;
                if (!dup)
                    names_cache[n_names++] = strdup(name);
            }
            closedir(d);
        }
        qsort(names_cache, n_names, sizeof names_cache[0], by_str);
    }
    *n = n_names;
    return (const char *const *)names_cache;
}

char *sg17_loader_catalogue_path(const char *module)
{
    sg17_err_t err;
    const sg17_module_t *m = sg17_loader_get(module, &err);
    if (!m || !m->catalogue)
        return NULL;
    const char *dir = NULL;
    for (size_t i = 0; i < n_loaded; i++)
        if (strcmp(loaded[i].name, module) == 0)
            dir = loaded[i].dir;
    char path[2048];
    const char *env = getenv("SG17TB_CATALOGUE_PATH");
    if (env && *env) {
        snprintf(path, sizeof path, "%s/%s/%s", env, module, m->catalogue);
        if (is_file(path))
            return strdup(path);
    }
    if (dir) { /* next to the .so: <dir>/<module>.<catalogue> (fixtures, private modules) */
        snprintf(path, sizeof path, "%s/%s.%s", dir, module, m->catalogue);
        if (is_file(path))
            return strdup(path);
    }
    snprintf(path, sizeof path, "%s/modules/%s/%s", SG17TB_SOURCE_DIR, module, m->catalogue);
    if (is_file(path))
        return strdup(path);
    snprintf(path, sizeof path, "%s/modules/%s/%s", SG17TB_INSTALL_DATA_DIR, module, m->catalogue);
    if (is_file(path))
        return strdup(path);
    return NULL;
}

const sg17_catalogue_t *sg17_loader_catalogue(const char *module, sg17_err_t *err)
{
    if (!sg17_loader_get(module, err))
        return NULL;
    for (size_t i = 0; i < n_loaded; i++) {
        if (strcmp(loaded[i].name, module) != 0)
            continue;
        if (!loaded[i].catalogue_tried) {
            loaded[i].catalogue_tried = true;
            char *path = sg17_loader_catalogue_path(module);
            sg17_err_t *e = &loaded[i].catalogue_err;
            if (path)
                loaded[i].catalogue = sg17_catalogue_load(path, e);
            else if (loaded[i].module->catalogue)
                sg17_err(e,
                         "module '%s' declares the requirement catalogue '%s', which is not "
                         "found (set SG17TB_CATALOGUE_PATH?)",
                         module, loaded[i].module->catalogue);
            else
                sg17_err(e, "module '%s' has no requirement catalogue", module);
            free(path);
        }
        if (!loaded[i].catalogue && err)
            *err = loaded[i].catalogue_err;
        return loaded[i].catalogue;
    }
    return NULL;
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
    for (size_t i = 0; i < n_loaded; i++)
        sg17_catalogue_destroy(&loaded[i].catalogue);
}
