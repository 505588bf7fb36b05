/* loader.c — dlopen(RTLD_NOW|RTLD_LOCAL), one entry symbol, the descriptor adopted and checked
 * (module/descriptor.c), clear errors. */
#include "module/loader.h"

#include "module/descriptor.h"
#include "util/text.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    char *name;
    char *dir;            /* where the .so was found */
    sg17_module_t module; /* the descriptor at the core's size */
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

/* Opens path and adopts its descriptor into *out. 0, or -1 with err set. */
static int open_module(const char *path, const char *expect_name, sg17_module_t *out,
                       sg17_err_t *err)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        return sg17_err(err, "cannot load module %s: %s (check its dependencies with ldd)", path,
                        dlerror());
    }
    const sg17_module_t *m = dlsym(h, SG17_MODULE_SYMBOL);
    if (!m) {
        sg17_err(err, "%s is not an sg17tb module: it exports no '%s' symbol", path,
                 SG17_MODULE_SYMBOL);
        dlclose(h);
        return -1;
    }
    if (sg17_module_adopt(m, path, out, err) < 0) {
        dlclose(h);
        return -1;
    }
    if (expect_name && strcmp(out->name, expect_name) != 0) {
        sg17_err(err, "%s calls itself '%s', expected '%s'", path, out->name, expect_name);
        dlclose(h);
        return -1;
    }
    return 0;
}

/* Keeps an adopted descriptor for the life of the process (the first one of a name wins). */
static const sg17_module_t *remember(const sg17_module_t *m, const char *path, sg17_err_t *err)
{
    for (size_t i = 0; i < n_loaded; i++)
        if (strcmp(loaded[i].name, m->name) == 0)
            return &loaded[i].module;
    if (n_loaded == sizeof loaded / sizeof loaded[0]) {
        sg17_err(err, "cannot load %s: more than %zu modules loaded", path,
                 sizeof loaded / sizeof loaded[0]);
        return NULL;
    }
    char *dir = strdup(path);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash)
        *slash = '\0';
    loaded[n_loaded] = (loaded_t){.name = strdup(m->name), .dir = dir, .module = *m};
    return &loaded[n_loaded++].module;
}

const sg17_module_t *sg17_loader_load_file(const char *path, sg17_err_t *err)
{
    sg17_module_t m;
    return open_module(path, NULL, &m, err) == 0 ? remember(&m, path, err) : NULL;
}

const sg17_module_t *sg17_loader_get(const char *name, sg17_err_t *err)
{
    for (size_t i = 0; i < n_loaded; i++)
        if (strcmp(loaded[i].name, name) == 0)
            return &loaded[i].module;
    if (!*name || strchr(name, '/') || strchr(name, '.'))
        return sg17_err(err, "invalid module name '%s'", name), NULL;
    char dirs[16][1024];
    size_t nd = search_path(dirs, 16);
    char tried[1024] = "";
    for (size_t i = 0; i < nd; i++) {
        char path[1300];
        snprintf(path, sizeof path, "%s/%s.so", dirs[i], name);
        if (is_file(path)) {
            sg17_module_t m;
            return open_module(path, name, &m, err) == 0 ? remember(&m, path, err) : NULL;
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
