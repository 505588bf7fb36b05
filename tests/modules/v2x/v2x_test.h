/* v2x_test.h — helpers for the v2x tests: the known-answer file of tests/vectors
 * (etsi-ts103097-cam.txt, NAME = VALUE lines) read at run time so no expected value is retyped,
 * and a small PKI (root CA -> AA -> authorization ticket) issued with the module's own code. */
#ifndef V2X_TEST_H
#define V2X_TEST_H

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "proto/v2x_proto.h"

#define V2X_VEC_CAM SG17TB_VECTOR_DIR "/etsi-ts103097-cam.txt"

/* The text value of NAME in the vector file (static buffer, overwritten by the next call). */
static inline const char *v2x_vec_text(const char *name)
{
    static char value[4096];
    char line[4096];
    FILE *f = fopen(V2X_VEC_CAM, "r");
    cr_assert_not_null(f, "cannot open %s", V2X_VEC_CAM);
    size_t nl = strlen(name);
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        if (line[0] == '#' || strncmp(line, name, nl) != 0)
            continue;
        const char *p = line + nl;
        while (*p == ' ')
            p++;
        if (*p != '=')
            continue;
        p++;
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, "\r\n");
        memcpy(value, p, n);
        value[n] = '\0';
        found = true;
    }
    fclose(f);
    cr_assert(found, "%s not in %s", name, V2X_VEC_CAM);
    return value;
}

/* Decodes hex into out (at most cap octets); returns the length. */
static inline size_t v2x_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex);
    cr_assert(n % 2 == 0 && n / 2 <= cap, "bad hex value");
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        cr_assert(sscanf(hex + 2 * i, "%2x", &v) == 1);
        out[i] = (uint8_t)v;
    }
    return n / 2;
}

/* The hex value of NAME in the vector file. */
static inline size_t v2x_vec_hex(const char *name, uint8_t *out, size_t cap)
{
    return v2x_unhex(v2x_vec_text(name), out, cap);
}

/* A three-level PKI and one authorization ticket, all P-256 unless curve says otherwise. */
typedef struct {
    EVP_PKEY *root_key, *aa_key, *at_key;
    uint8_t root[V2X_CERT_MAX], aa[V2X_CERT_MAX], at[V2X_CERT_MAX];
    size_t root_len, aa_len, at_len;
    v2x_cert_t *root_c, *aa_c, *at_c;
} v2x_test_pki_t;

/* 2019-01-01T00:00:00Z as Time32 (leap seconds: 5 since 2004). */
#define V2X_TEST_T32_2019 ((uint32_t)(1546300800LL - V2X_EPOCH_UNIX + 5))

static inline void v2x_test_params(v2x_cert_params_t *p, const char *name, bool ca)
{
    memset(p, 0, sizeof *p);
    p->name = name;
    p->validity.start = V2X_TEST_T32_2019;
    p->validity.unit = V2X_DUR_YEARS;
    p->validity.value = ca ? 10 : 2;
    p->ca = ca;
    p->n_psids = 2;
    p->psids[0].psid = V2X_PSID_CAM;
    p->psids[0].has_ssp = true;
    p->psids[0].bitmap = true;
    p->psids[0].ssp_len = 3;
    p->psids[0].ssp[0] = 1;
    p->psids[1].psid = V2X_PSID_DENM;
}

static inline void v2x_test_pki(v2x_test_pki_t *k, v2x_curve_t curve)
{
    v2x_cert_params_t p;
    memset(k, 0, sizeof *k);
    k->root_key = v2x_key_generate(curve);
    k->aa_key = v2x_key_generate(curve);
    k->at_key = v2x_key_generate(curve);
    cr_assert(k->root_key && k->aa_key && k->at_key);
    v2x_test_params(&p, "root.example", true);
    cr_assert_eq(v2x_cert_issue(&p, k->root_key, k->root_key, NULL, 0, k->root, sizeof k->root,
                                &k->root_len),
                 V2X_OK);
    v2x_test_params(&p, "aa.example", true);
    cr_assert_eq(v2x_cert_issue(&p, k->aa_key, k->root_key, k->root, k->root_len, k->aa,
                                sizeof k->aa, &k->aa_len),
                 V2X_OK);
    v2x_test_params(&p, NULL, false);
    cr_assert_eq(
        v2x_cert_issue(&p, k->at_key, k->aa_key, k->aa, k->aa_len, k->at, sizeof k->at, &k->at_len),
        V2X_OK);
    int err = 0;
    k->root_c = v2x_cert_new(k->root, k->root_len, NULL, &err);
    k->aa_c = v2x_cert_new(k->aa, k->aa_len, NULL, &err);
    k->at_c = v2x_cert_new(k->at, k->at_len, NULL, &err);
    cr_assert(k->root_c && k->aa_c && k->at_c, "load: %s", v2x_strerror(err));
}

static inline void v2x_test_pki_free(v2x_test_pki_t *k)
{
    v2x_cert_destroy(&k->root_c);
    v2x_cert_destroy(&k->aa_c);
    v2x_cert_destroy(&k->at_c);
    EVP_PKEY_free(k->root_key);
    EVP_PKEY_free(k->aa_key);
    EVP_PKEY_free(k->at_key);
}

#endif
