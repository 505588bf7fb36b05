/* fuzz_cert.c — the OER certificate decoder on arbitrary input: decode, HashedId8, load (point
 * decompression), the self-issue check, and the ECQV reconstruction with a fixed issuer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/v2x_proto.h"

static v2x_cert_t *issuer;

/* A fixed P-256 CA, issued once, as the issuer of implicit certificates in the input. */
static void init_issuer(void)
{
    uint8_t seed[32] = {7};
    EVP_PKEY *k = v2x_key_from_seed(V2X_CURVE_P256, seed, sizeof seed);
    v2x_cert_params_t p = {.validity = {0, V2X_DUR_YEARS, 100}, .ca = true};
    uint8_t c[V2X_CERT_MAX];
    size_t n;
    if (k && v2x_cert_issue(&p, k, k, NULL, 0, c, sizeof c, &n) == V2X_OK)
        issuer = v2x_cert_new(c, n, NULL, NULL);
    EVP_PKEY_free(k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!issuer)
        init_issuer();
    uint8_t *in = malloc(size ? size : 1);
    if (!in)
        return 0;
    memcpy(in, data, size);
    v2x_cert_view_t v;
    uint8_t id[8];
    size_t used;
    (void)v2x_cert_decode_prefix(in, size, &v, &used);
    if (v2x_cert_decode(in, size, &v) == V2X_OK) {
        if (v2x_cert_hashedid8(in, size, id) != V2X_OK)
            abort();
        v2x_cert_t *c = v2x_cert_new(in, size, issuer, NULL);
        if (c) {
            (void)v2x_cert_check_issued(c, c);
            (void)v2x_cert_check_issued(c, issuer);
            (void)v2x_cert_check_time(&c->view, 600000000000000ull);
            (void)v2x_cert_permission(&c->view, V2X_PSID_CAM);
            (void)v2x_region_contains(&c->view.region, (v2x_2dloc_t){0, 0});
            (void)v2x_region_within(&c->view.region, &issuer->view.region);
            (void)v2x_region_within(&issuer->view.region, &c->view.region);
            v2x_cert_destroy(&c);
        }
    }
    free(in);
    return 0;
}
