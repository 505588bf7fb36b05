/* test_catalogue.c — requirement catalogues: every field read, and each validation rule (unique
 * ids, source values, clause for source: clause, threat references) refused with its position. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "scenario/catalogue.h"

#define DATA SG17TB_TEST_DATA_DIR "/scenarios/"

Test(catalogue, loads_threats_and_requirements_with_every_field)
{
    sg17_err_t err = {{0}};
    sg17_catalogue_t *c = sg17_catalogue_load(DATA "catalogue.yaml", &err);
    cr_assert_not_null(c, "%s", err.msg);
    cr_assert_str_eq(c->module, "fakemod");
    cr_assert_str_eq(c->recommendation, "X.0000");
    cr_assert_eq(c->n_threats, 2);
    cr_assert_eq(c->n_requirements, 2);
    const sg17_catalogue_entry_t *t = sg17_catalogue_threat(c, "FAKE-T-FORGE");
    cr_assert_not_null(t);
    cr_assert_str_eq(t->source, "clause");
    cr_assert_str_eq(t->clause, "7.1");
    cr_assert_null(t->text);
    const sg17_catalogue_entry_t *r = sg17_catalogue_requirement(c, "FAKE-R-02");
    cr_assert_not_null(r);
    cr_assert_str_eq(r->source, "derived");
    cr_assert_null(r->clause);
    cr_assert_eq(r->n_threats, 2);
    cr_assert_str_eq(r->threats[0], "FAKE-T-FORGE");
    cr_assert_str_eq(r->threats[1], "FAKE-T-REPLAY");
    cr_assert_str_eq(r->untestable, "needs a physical tamper test");
    r = sg17_catalogue_requirement(c, "FAKE-R-01");
    cr_assert_str_eq(r->clause, "8.2");
    cr_assert_str_eq(r->text, "readings carry a counter that the receiver checks");
    cr_assert_null(r->untestable);
    cr_assert_null(sg17_catalogue_requirement(c, "FAKE-T-FORGE"));
    cr_assert_null(sg17_catalogue_threat(c, "nope"));
    sg17_catalogue_destroy(&c);
    cr_assert_null(c);
}

Test(catalogue, source_clause_requires_a_clause)
{
    sg17_err_t err = {{0}};
    cr_assert_null(sg17_catalogue_load(DATA "catalogue-bad-source.yaml", &err));
    cr_assert(strstr(err.msg, "catalogue-bad-source.yaml:5:5: requirements[0].source: source is "
                              "clause but no clause is given"),
              "%s", err.msg);
}

Test(catalogue, requirement_threats_must_exist_with_suggestion)
{
    sg17_err_t err = {{0}};
    cr_assert_null(sg17_catalogue_load(DATA "catalogue-bad-threat.yaml", &err));
    cr_assert(strstr(err.msg, "catalogue-bad-threat.yaml:8:15: requirements[0].threats[0]: unknown "
                              "threat 'FAKE-T-REPLY'; expected a threat id of this catalogue; did "
                              "you mean 'FAKE-T-REPLAY'?"),
              "%s", err.msg);
}

Test(catalogue, duplicate_ids_are_refused)
{
    sg17_err_t err = {{0}};
    cr_assert_null(sg17_catalogue_load(DATA "catalogue-dup-id.yaml", &err));
    cr_assert(strstr(err.msg, "catalogue-dup-id.yaml:4:10: threats[1]: duplicate id 'T1'"), "%s",
              err.msg);
}

Test(catalogue, unknown_source_value_and_unknown_key)
{
    const char *path = "/tmp/sg17-test-catalogue-src.yaml";
    FILE *f = fopen(path, "w");
    fputs("module: m\nthreats:\n  - {id: T1, title: t, source: invented}\n", f);
    fclose(f);
    sg17_err_t err = {{0}};
    cr_assert_null(sg17_catalogue_load(path, &err));
    cr_assert(strstr(err.msg, ":3:32: threats[0].source: 'invented' is not a source; expected "
                              "clause or derived"),
              "%s", err.msg);
    f = fopen(path, "w");
    fputs("module: m\nrequirements:\n  - {id: R1, title: t, source: derived, threat: [T1]}\n", f);
    fclose(f);
    cr_assert_null(sg17_catalogue_load(path, &err));
    cr_assert(strstr(err.msg, "requirements[0].threat: unknown key 'threat'"), "%s", err.msg);
    cr_assert(strstr(err.msg, "did you mean 'threats'?"), "%s", err.msg);
    remove(path);
}
