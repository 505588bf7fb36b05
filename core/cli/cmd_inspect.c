/* cmd_inspect.c — `sg17tb validate`, `sg17tb list ...` and `sg17tb coverage`: read-only looks at
 * scenarios, modules and requirement catalogues. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "engine/loader.h"
#include "engine/runner.h"
#include "module/descriptor.h"
#include "util/text.h"

/* The scenarios to look at: the paths given, else ./scenarios, else the source tree's. */
static int default_scenarios(int argc, char **argv, char ***files, size_t *n)
{
    if (argc > 0)
        return sg17_runner_collect(argv, (size_t)argc, files, n);
    struct stat st;
    char *local = "scenarios";
    char *src = SG17TB_SOURCE_DIR "/scenarios";
    char *path = stat(local, &st) == 0 ? local : src;
    return sg17_runner_collect(&path, 1, files, n);
}

int cmd_validate(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: sg17tb validate PATH...\n");
        return 2;
    }
    char **files;
    size_t n;
    int bad = sg17_runner_collect(argv + 1, (size_t)argc - 1, &files, &n) < 0;
    sg17_registry_t reg = sg17_loader_registry();
    size_t points = 0;
    for (size_t i = 0; i < n; i++) {
        sg17_scenario_t *list;
        size_t k;
        sg17_err_t err;
        char *all = NULL;
        /* every error of the file, each once, in file order */
        if (sg17_scenario_load_all(files[i], &reg, &list, &k, &err, &all) < 0) {
            fprintf(stderr, "%s\n", all ? all : err.msg);
            free(all);
            bad = 1;
        } else {
            points += k;
            sg17_scenarios_free(list, k);
        }
        free(files[i]);
    }
    free(files);
    if (!bad)
        printf("%zu scenario files valid (%zu scenarios with matrix points)\n", n, points);
    return bad ? 2 : 0;
}

/* Modules to show: --module M, or all. */
static const char *const *modules_for(const char *only, size_t *n)
{
    static const char *one[1];
    if (only) {
        one[0] = only;
        *n = 1;
        return one;
    }
    return sg17_loader_names(n);
}

static void list_params(const sg17_module_t *m, const sg17_attack_t *a)
{
    for (const sg17_param_t *p = a->params; p && p->name; p++) {
        printf("      %s%s: %s", p->name, p->required ? " (required)" : "",
               p->description ? p->description : "");
        if (p->range.max > p->range.min)
            printf(" [%.15g .. %.15g%s]", p->range.min, p->range.max,
                   p->type == SG17_TYPE_DURATION ? " s" : "");
        const char *const *values = sg17_module_choices(m, a->name, p->name);
        for (size_t k = 0; values && values[k]; k++)
            printf("%s%s", k ? " | " : " {", values[k]);
        printf("%s\n", values ? "}" : "");
    }
}

static int list_module_items(const char *what, const char *only)
{
    size_t n;
    const char *const *names = modules_for(only, &n);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        sg17_err_t err;
        const sg17_module_t *m = sg17_loader_get(names[i], &err);
        if (!m) {
            fprintf(stderr, "sg17tb: %s\n", err.msg);
            rc = 2;
            continue;
        }
        if (!strcmp(what, "modules")) {
            printf("%-10s %-8s %s\n", m->name, m->recommendation, m->title);
        } else if (!strcmp(what, "mitigations")) {
            for (const sg17_mitigation_t *x = m->mitigations; x && x->name; x++) {
                printf("%s/%s%s: %s\n", m->name, x->name, x->default_on ? " (default on)" : "",
                       x->description);
                for (const char *const *r = x->requirements; r && *r; r++)
                    printf("      implements %s\n", *r);
            }
        } else if (!strcmp(what, "attacks")) {
            for (const sg17_attack_t *x = m->attacks; x && x->name; x++) {
                printf("%s/%s (capability %s): %s\n", m->name, x->name,
                       x->capability ? x->capability : x->name, x->description);
                list_params(m, x);
            }
        } else if (!strcmp(what, "metrics")) {
            for (const sg17_metric_t *x = m->metrics; x && x->name; x++)
                printf("%s: %s%s%s%s\n", x->name, x->description,
                       x->member_kind ? " (members: the " : "",
                       x->member_kind ? x->member_kind : "", x->member_kind ? " entities)" : "");
            for (const sg17_reason_t *x = m->reasons; x && x->name; x++)
                printf("ledger.rejected.reason.%s: %s\n", x->name, x->description);
        } else if (!strcmp(what, "requirements")) {
            const sg17_catalogue_t *c = sg17_loader_catalogue(m->name, &err);
            if (!c) {
                fprintf(stderr, "sg17tb: %s\n", err.msg);
                rc = 2;
                continue;
            }
            for (size_t k = 0; k < c->n_requirements; k++) {
                const sg17_catalogue_entry_t *r = &c->requirements[k];
                printf("%-18s %-8s %s%s%s\n", r->id, r->clause ? r->clause : r->source, r->title,
                       r->untestable ? "  [untestable: " : "", r->untestable ? r->untestable : "");
                if (r->untestable)
                    printf("]\n");
            }
        }
    }
    return rc;
}

int cmd_list(int argc, char **argv)
{
    static const char *const whats[] = {"modules",      "mitigations", "attacks",
                                        "requirements", "scenarios",   "metrics"};
    const char *only = NULL;
    static const struct option longopts[] = {{"module", required_argument, NULL, 'm'},
                                             {NULL, 0, NULL, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "m:", longopts, NULL)) != -1) {
        if (c != 'm')
            return 2;
        only = optarg;
    }
    if (optind >= argc) {
        fprintf(stderr,
                "usage: sg17tb list modules|mitigations|attacks|requirements|scenarios|metrics "
                "[--module M]\n");
        return 2;
    }
    const char *what = argv[optind];
    bool known = false;
    for (size_t i = 0; i < sizeof whats / sizeof whats[0]; i++)
        known |= !strcmp(what, whats[i]);
    if (!known) {
        const char *near = sg17_nearest(what, whats, sizeof whats / sizeof whats[0]);
        fprintf(stderr, "sg17tb list: unknown list '%s'%s%s%s\n", what,
                near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
        return 2;
    }
    if (only) {
        sg17_err_t err;
        if (!sg17_loader_get(only, &err)) {
            fprintf(stderr, "sg17tb: %s\n", err.msg);
            return 2;
        }
    }
    if (!strcmp(what, "metrics") && !only) {
        printf("core metrics:\n");
        for (const char *const *p = sg17_core_metric_patterns; *p; p++)
            printf("  %s\n", *p);
        printf("where <verb> is one of");
        for (const char *const *p = sg17_ledger_verbs; *p; p++)
            printf(" %s", *p);
        printf(",\n  <prov> one of");
        for (const char *const *p = sg17_ledger_provenances; *p; p++)
            printf(" %s", *p);
        printf(";\n  for every <prov> and type: sent = delivered + dropped + replaced + pending\n");
    }
    if (!strcmp(what, "attacks") && !only) {
        printf("core network actions (every module):\n");
        for (int i = 0; i < SG17_ACTION_MODULE; i++)
            printf("  %s\n", sg17_core_actions[i]);
    }
    if (strcmp(what, "scenarios") != 0)
        return list_module_items(what, only);
    char **files;
    size_t n;
    int rc = default_scenarios(argc - optind - 1, argv + optind + 1, &files, &n) < 0 ? 2 : 0;
    sg17_registry_t reg = sg17_loader_registry();
    for (size_t i = 0; i < n; i++) {
        sg17_scenario_t *list;
        size_t k;
        sg17_err_t err;
        if (sg17_scenario_load(files[i], &reg, &list, &k, &err) == 0) {
            if (!only || !strcmp(list[0].module, only))
                printf("%-44s %-9s %s%s\n", list[0].base_id, list[0].module, list[0].title,
                       k > 1 ? "  (matrix)" : "");
            sg17_scenarios_free(list, k);
        } else {
            fprintf(stderr, "%s\n", err.msg);
            rc = 2;
        }
        free(files[i]);
    }
    free(files);
    return rc;
}

/* Requirements of the catalogue that no scenario names and that are not marked untestable. */
int cmd_coverage(int argc, char **argv)
{
    const char *only = NULL;
    static const struct option longopts[] = {{"module", required_argument, NULL, 'm'},
                                             {NULL, 0, NULL, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "m:", longopts, NULL)) != -1) {
        if (c != 'm')
            return 2;
        only = optarg;
    }
    char **files;
    size_t n_files;
    if (default_scenarios(argc - optind, argv + optind, &files, &n_files) < 0)
        return 2;
    sg17_registry_t reg = sg17_loader_registry();
    sg17_scenario_t **lists = calloc(n_files + 1, sizeof *lists);
    size_t *counts = calloc(n_files + 1, sizeof *counts);
    int rc = 0;
    for (size_t i = 0; i < n_files; i++) {
        sg17_err_t err;
        if (sg17_scenario_load(files[i], &reg, &lists[i], &counts[i], &err) < 0) {
            fprintf(stderr, "%s\n", err.msg);
            rc = 2;
        }
    }
    size_t n_mod;
    const char *const *mods = modules_for(only, &n_mod);
    size_t uncovered = 0;
    for (size_t m = 0; m < n_mod && rc == 0; m++) {
        sg17_err_t err;
        const sg17_catalogue_t *cat = sg17_loader_catalogue(mods[m], &err);
        if (!cat) {
            if (only) {
                fprintf(stderr, "sg17tb: %s\n", err.msg);
                rc = 2;
            }
            continue;
        }
        size_t exercised = 0, untestable = 0;
        for (size_t r = 0; r < cat->n_requirements; r++) {
            const sg17_catalogue_entry_t *req = &cat->requirements[r];
            size_t hits = 0;
            for (size_t i = 0; i < n_files; i++)
                for (size_t k = 0; k < (counts[i] ? 1 : 0); k++)
                    for (size_t q = 0; q < lists[i][k].n_requirements; q++)
                        hits += !strcmp(lists[i][k].module, mods[m])
                                && !strcmp(lists[i][k].requirements[q], req->id);
            if (hits)
                exercised++;
            else if (req->untestable)
                untestable++;
            else {
                printf("%s: %s (%s) is exercised by no scenario\n", mods[m], req->id, req->title);
                uncovered++;
            }
        }
        printf("%s: %zu requirements, %zu exercised, %zu marked untestable, %zu not covered\n",
               mods[m], cat->n_requirements, exercised, untestable,
               cat->n_requirements - exercised - untestable);
    }
    for (size_t i = 0; i < n_files; i++) {
        sg17_scenarios_free(lists[i], counts[i]);
        free(files[i]);
    }
    free(files);
    free(lists);
    free(counts);
    return rc ? rc : uncovered ? 1 : 0;
}
