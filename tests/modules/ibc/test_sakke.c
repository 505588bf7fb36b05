/* test_sakke.c — SAKKE (RFC 6508, parameter set 1 of RFC 6509) against the Appendix A
 * known-answer values in tests/vectors/rfc6508-sakke.txt, and rejection of tampered
 * encapsulations and invalid points. */
#include <criterion/criterion.h>

#include "crypto/ibccrypto.h"
#include "crypto/sakke.h"
#include "crypto/sakke_pairing.h"
#include "ibc_vectors.h"

static uint8_t *Zs, *B, *SSV, *RV, *GR, *MASK, *H, *SED, *G;
static uint8_t ZPUB[SAKKE_POINT_BYTES], RSK[SAKKE_POINT_BYTES], RB[SAKKE_POINT_BYTES];
static size_t z_len, b_len;

/* Joins X and Y of the file into 04 || X || Y. */
static void load_point(const char *xname, const char *yname, uint8_t out[SAKKE_POINT_BYTES])
{
    size_t nx, ny;
    uint8_t *x = ibc_vec(IBC_VEC_SAKKE, xname, &nx), *y = ibc_vec(IBC_VEC_SAKKE, yname, &ny);
    cr_assert(nx == SAKKE_FP_BYTES && ny == SAKKE_FP_BYTES);
    out[0] = 0x04;
    memcpy(out + 1, x, SAKKE_FP_BYTES);
    memcpy(out + 1 + SAKKE_FP_BYTES, y, SAKKE_FP_BYTES);
    free(x);
    free(y);
}

static void load(void)
{
    size_t n;
    Zs = ibc_vec(IBC_VEC_SAKKE, "z", &z_len);
    B = ibc_vec(IBC_VEC_SAKKE, "b", &b_len);
    SSV = ibc_vec(IBC_VEC_SAKKE, "SSV", &n);
    cr_assert_eq(n, SAKKE_SSV_BYTES);
    RV = ibc_vec(IBC_VEC_SAKKE, "r", &n);
    cr_assert_eq(n, SAKKE_FP_BYTES);
    GR = ibc_vec(IBC_VEC_SAKKE, "gr", &n);
    G = ibc_vec(IBC_VEC_SAKKE, "g", &n);
    cr_assert_eq(n, SAKKE_FP_BYTES);
    MASK = ibc_vec(IBC_VEC_SAKKE, "mask", &n);
    H = ibc_vec(IBC_VEC_SAKKE, "H", &n);
    SED = ibc_vec(IBC_VEC_SAKKE, "SED", &n);
    cr_assert_eq(n, SAKKE_SED_BYTES);
    load_point("Zx", "Zy", ZPUB);
    load_point("RSKx", "RSKy", RSK);
    load_point("Rbx", "Rby", RB);
}

static void unload(void)
{
    uint8_t *all[] = {Zs, B, SSV, RV, GR, MASK, H, SED, G};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        free(all[i]);
}

TestSuite(sakke, .init = load, .fini = unload, .timeout = 60);

Test(sakke, base_point_is_p_of_parameter_set_1)
{
    uint8_t p[SAKKE_POINT_BYTES], want[SAKKE_POINT_BYTES];
    load_point("Px", "Py", want);
    cr_assert_eq(sakke_base_point(p), 0);
    cr_assert_arr_eq(p, want, SAKKE_POINT_BYTES);
}

Test(sakke, kms_public_key_is_z_times_p)
{
    uint8_t z[SAKKE_POINT_BYTES];
    cr_assert_eq(sakke_kms_public_key(Zs, z_len, z), 0, "%s", ibccrypto_last_error());
    cr_assert_arr_eq(z, ZPUB, SAKKE_POINT_BYTES);
}

Test(sakke, kms_rsk_is_inverse_of_b_plus_z_times_p)
{
    uint8_t rsk[SAKKE_POINT_BYTES];
    cr_assert_eq(sakke_kms_rsk(Zs, z_len, B, b_len, rsk), 0, "%s", ibccrypto_last_error());
    cr_assert_arr_eq(rsk, RSK, SAKKE_POINT_BYTES);
    /* the KMS context (comb of P) gives the same RSK, here and for another identifier */
    sakke_kms_t *kms = sakke_kms_new();
    cr_assert_not_null(kms, "%s", ibccrypto_last_error());
    memset(rsk, 0, sizeof rsk);
    cr_assert_eq(sakke_kms_rsk_with(kms, Zs, z_len, B, b_len, rsk), 0, "%s",
                 ibccrypto_last_error());
    cr_assert_arr_eq(rsk, RSK, SAKKE_POINT_BYTES);
    static const uint8_t other[] = "2026-05\0tel:+447700900999";
    uint8_t a[SAKKE_POINT_BYTES], b[SAKKE_POINT_BYTES];
    cr_assert_eq(sakke_kms_rsk(Zs, z_len, other, sizeof other, a), 0);
    cr_assert_eq(sakke_kms_rsk_with(kms, Zs, z_len, other, sizeof other, b), 0);
    cr_assert_arr_eq(a, b, SAKKE_POINT_BYTES);
    cr_assert_eq(sakke_kms_rsk_with(kms, Zs, z_len, other, 0, b), -1, "empty identifier");
    cr_assert_eq(sakke_kms_rsk_with(NULL, Zs, z_len, other, sizeof other, b), -1);
    sakke_kms_destroy(&kms);
    cr_assert_null(kms);
}

Test(sakke, pairing_of_p_with_itself_is_the_published_g)
{
    uint8_t p[SAKKE_POINT_BYTES], g[SAKKE_FP_BYTES];
    cr_assert_eq(sakke_base_point(p), 0);
    cr_assert_eq(sakke_pairing(p, p, g), 0, "%s", ibccrypto_last_error());
    cr_assert_arr_eq(g, G, SAKKE_FP_BYTES);
}

Test(sakke, pairing_is_bilinear_on_rsk_and_rb)
{
    /* <Rb, RSK> = <[r]([b]P+Z), [1/(b+z)]P> = g^r: the w of the decapsulation */
    uint8_t w1[SAKKE_FP_BYTES], w2[SAKKE_FP_BYTES];
    cr_assert_eq(sakke_pairing(RB, RSK, w1), 0, "%s", ibccrypto_last_error());
    cr_assert_eq(sakke_pairing(RSK, RB, w2), 0, "%s", ibccrypto_last_error());
    cr_assert_arr_eq(w1, GR, SAKKE_FP_BYTES);
    cr_assert_arr_eq(w2, GR, SAKKE_FP_BYTES);
}

Test(sakke, encapsulation_reproduces_r_rb_gr_mask_h_and_sed)
{
    sakke_sender_t *s = sakke_sender_new(ZPUB, sizeof ZPUB, B, b_len);
    cr_assert_not_null(s, "%s", ibccrypto_last_error());
    uint8_t sed[SAKKE_SED_BYTES];
    sakke_trace_t t;
    cr_assert_eq(sakke_sender_encapsulate(s, SSV, sed, &t), 0, "%s", ibccrypto_last_error());
    cr_assert_arr_eq(t.r, RV, SAKKE_FP_BYTES);
    cr_assert_arr_eq(sed, RB, SAKKE_POINT_BYTES);
    cr_assert_arr_eq(t.gr, GR, SAKKE_FP_BYTES);
    cr_assert_arr_eq(t.mask, MASK, SAKKE_SSV_BYTES);
    cr_assert_arr_eq(sed + SAKKE_POINT_BYTES, H, SAKKE_SSV_BYTES);
    cr_assert_arr_eq(sed, SED, SAKKE_SED_BYTES);
    sakke_sender_destroy(&s);
    cr_assert_null(s);
}

Test(sakke, decapsulation_of_the_rfc_sed_returns_the_ssv)
{
    uint8_t ssv[SAKKE_SSV_BYTES];
    cr_assert_eq(
        sakke_decapsulate(ZPUB, sizeof ZPUB, B, b_len, RSK, sizeof RSK, SED, SAKKE_SED_BYTES, ssv),
        0, "%s", ibccrypto_last_error());
    cr_assert_arr_eq(ssv, SSV, SAKKE_SSV_BYTES);
}

Test(sakke, tampered_h_fails_the_6_2_2_check_and_returns_no_ssv)
{
    sakke_receiver_t *r = sakke_receiver_new(ZPUB, sizeof ZPUB, B, b_len, RSK, sizeof RSK);
    cr_assert_not_null(r, "%s", ibccrypto_last_error());
    uint8_t sed[SAKKE_SED_BYTES], ssv[SAKKE_SSV_BYTES], zero[SAKKE_SSV_BYTES] = {0};
    for (size_t i = SAKKE_POINT_BYTES; i < SAKKE_SED_BYTES; i += 5) {
        memcpy(sed, SED, sizeof sed);
        sed[i] ^= 0x01;
        cr_assert_eq(sakke_receiver_decapsulate(r, sed, sizeof sed, ssv), -1, "octet %zu", i);
        cr_assert(strstr(ibccrypto_last_error(), "6.2.2"), "message: %s", ibccrypto_last_error());
        cr_assert_arr_eq(ssv, zero, SAKKE_SSV_BYTES, "no SSV may leak from a failed check");
    }
    /* the receiver still works after failures */
    cr_assert_eq(sakke_receiver_decapsulate(r, SED, SAKKE_SED_BYTES, ssv), 0);
    cr_assert_arr_eq(ssv, SSV, SAKKE_SSV_BYTES);
    sakke_receiver_destroy(&r);
}

Test(sakke, substituted_valid_point_r_fails_the_6_2_2_check)
{
    /* R replaced by another point of order q (Z): on the curve, wrong for this SSV */
    uint8_t sed[SAKKE_SED_BYTES], ssv[SAKKE_SSV_BYTES];
    memcpy(sed, ZPUB, SAKKE_POINT_BYTES);
    memcpy(sed + SAKKE_POINT_BYTES, H, SAKKE_SSV_BYTES);
    cr_assert_eq(
        sakke_decapsulate(ZPUB, sizeof ZPUB, B, b_len, RSK, sizeof RSK, sed, sizeof sed, ssv), -1);
    cr_assert(strstr(ibccrypto_last_error(), "6.2.2"), "message: %s", ibccrypto_last_error());
}

Test(sakke, sed_with_off_curve_or_torsion_or_malformed_r_is_rejected)
{
    sakke_receiver_t *r = sakke_receiver_new(ZPUB, sizeof ZPUB, B, b_len, RSK, sizeof RSK);
    cr_assert_not_null(r);
    uint8_t sed[SAKKE_SED_BYTES], ssv[SAKKE_SSV_BYTES];
    memcpy(sed, SED, sizeof sed);
    sed[SAKKE_FP_BYTES] ^= 0x01; /* Rx changed */
    cr_assert_eq(sakke_receiver_decapsulate(r, sed, sizeof sed, ssv), -1);
    cr_assert(strstr(ibccrypto_last_error(), "not a point"), "message: %s", ibccrypto_last_error());
    memset(sed + 1, 0, 2 * SAKKE_FP_BYTES); /* (0, 0): on E, order 2 */
    cr_assert_eq(sakke_receiver_decapsulate(r, sed, sizeof sed, ssv), -1);
    memcpy(sed, SED, sizeof sed);
    sed[0] = 0x00;
    cr_assert_eq(sakke_receiver_decapsulate(r, sed, sizeof sed, ssv), -1);
    cr_assert_eq(sakke_receiver_decapsulate(r, SED, SAKKE_SED_BYTES - 1, ssv), -1);
    cr_assert(strstr(ibccrypto_last_error(), "273"), "message: %s", ibccrypto_last_error());
    cr_assert_eq(sakke_receiver_decapsulate(r, NULL, 0, ssv), -1);
    sakke_receiver_destroy(&r);
}

Test(sakke, receiver_refuses_an_rsk_for_another_identity_or_kms)
{
    uint8_t b[64];
    memcpy(b, B, b_len);
    b[3] ^= 1; /* another key period */
    cr_assert_null(sakke_receiver_new(ZPUB, sizeof ZPUB, b, b_len, RSK, sizeof RSK));
    cr_assert(strstr(ibccrypto_last_error(), "6.1.2"), "message: %s", ibccrypto_last_error());
    uint8_t rsk[SAKKE_POINT_BYTES];
    cr_assert_eq(sakke_kms_rsk(Zs, z_len, b, b_len, rsk), 0);
    cr_assert_null(sakke_receiver_new(ZPUB, sizeof ZPUB, B, b_len, rsk, sizeof rsk));
}

Test(sakke, points_off_the_curve_out_of_range_or_outside_the_subgroup_are_rejected)
{
    uint8_t pt[SAKKE_POINT_BYTES];
    cr_assert_eq(sakke_point_check(ZPUB, sizeof ZPUB), 0, "%s", ibccrypto_last_error());
    memcpy(pt, ZPUB, sizeof pt);
    pt[SAKKE_POINT_BYTES - 1] ^= 1;
    cr_assert_eq(sakke_point_check(pt, sizeof pt), -1);
    memset(pt + 1, 0xFF, SAKKE_FP_BYTES); /* X >= p */
    cr_assert_eq(sakke_point_check(pt, sizeof pt), -1);
    memset(pt + 1, 0, 2 * SAKKE_FP_BYTES); /* (0, 0) is on E but has order 2 */
    cr_assert_eq(sakke_point_check(pt, sizeof pt), -1);
    cr_assert(strstr(ibccrypto_last_error(), "subgroup"), "message: %s", ibccrypto_last_error());
    cr_assert_null(sakke_sender_new(pt, sizeof pt, B, b_len));
    cr_assert_null(sakke_receiver_new(ZPUB, sizeof ZPUB, B, b_len, pt, sizeof pt));
    cr_assert_eq(sakke_point_check(ZPUB, sizeof ZPUB - 1), -1);
}

Test(sakke, the_public_point_check_agrees_with_the_ladder_one)
{
    uint8_t pt[SAKKE_POINT_BYTES], base[SAKKE_POINT_BYTES];
    cr_assert_eq(sakke_base_point(base), 0);
    cr_assert_eq(sakke_public_point_check(ZPUB, sizeof ZPUB), 0, "%s", ibccrypto_last_error());
    cr_assert_eq(sakke_public_point_check(base, sizeof base), 0);
    memcpy(pt, ZPUB, sizeof pt);
    pt[SAKKE_POINT_BYTES - 1] ^= 1; /* off the curve */
    cr_assert_eq(sakke_public_point_check(pt, sizeof pt), -1);
    memset(pt + 1, 0, 2 * SAKKE_FP_BYTES); /* (0, 0): on E, of order 2 */
    cr_assert_eq(sakke_public_point_check(pt, sizeof pt), -1);
    cr_assert(strstr(ibccrypto_last_error(), "subgroup"), "message: %s", ibccrypto_last_error());
    cr_assert_eq(sakke_public_point_check(ZPUB, sizeof ZPUB - 1), -1);
}

Test(sakke, kms_refuses_a_zero_or_too_large_master_secret)
{
    uint8_t z[SAKKE_FP_BYTES + 1], out[SAKKE_POINT_BYTES];
    memset(z, 0, sizeof z);
    cr_assert_eq(sakke_kms_public_key(z, 20, out), -1);
    memset(z, 0xFF, sizeof z);
    cr_assert_eq(sakke_kms_public_key(z, SAKKE_FP_BYTES, out), -1, "z >= q");
    cr_assert_eq(sakke_kms_public_key(z, SAKKE_FP_BYTES + 1, out), -1);
    cr_assert_eq(sakke_kms_rsk(Zs, z_len, B, 0, out), -1, "empty identifier");
}

Test(sakke, random_ssv_round_trips_for_a_fresh_identity)
{
    const uint8_t id[] = "2026-11\0tel:+15555550100";
    uint8_t rsk[SAKKE_POINT_BYTES], ssv[SAKKE_SSV_BYTES], out[SAKKE_SSV_BYTES];
    uint8_t sed[SAKKE_SED_BYTES], sed2[SAKKE_SED_BYTES];
    cr_assert_eq(sakke_kms_rsk(Zs, z_len, id, sizeof id, rsk), 0);
    for (size_t i = 0; i < sizeof ssv; i++)
        ssv[i] = (uint8_t)(0xA5 ^ (i * 29));
    sakke_sender_t *s = sakke_sender_new(ZPUB, sizeof ZPUB, id, sizeof id);
    sakke_receiver_t *r = sakke_receiver_new(ZPUB, sizeof ZPUB, id, sizeof id, rsk, sizeof rsk);
    cr_assert(s && r, "%s", ibccrypto_last_error());
    cr_assert_eq(sakke_sender_encapsulate(s, ssv, sed, NULL), 0);
    cr_assert_eq(sakke_sender_encapsulate(s, ssv, sed2, NULL), 0);
    cr_assert_arr_eq(sed, sed2, sizeof sed, "encapsulation is deterministic in the SSV");
    cr_assert_eq(sakke_receiver_decapsulate(r, sed, sizeof sed, out), 0, "%s",
                 ibccrypto_last_error());
    cr_assert_arr_eq(out, ssv, sizeof ssv);
    /* the RFC receiver cannot open it */
    cr_assert_eq(
        sakke_decapsulate(ZPUB, sizeof ZPUB, B, b_len, RSK, sizeof RSK, sed, sizeof sed, out), -1);
    sakke_sender_destroy(&s);
    sakke_receiver_destroy(&r);
}

/* The branch-free field subtraction agrees with OpenSSL's BN_mod_sub on the edges (0, p - 1,
 * a == b, a < b, a > b) and on random values, including when r aliases an operand. */
Test(sakke_field, constant_time_subtraction_matches_bn_mod_sub)
{
    sakke_params_t *sp = sakke_params_new();
    cr_assert_not_null(sp, "%s", ibccrypto_last_error());
    BN_CTX *bn = BN_CTX_new();
    BIGNUM *a = BN_new(), *b = BN_new(), *want = BN_new(), *got = BN_new(), *pm1 = BN_dup(sp->p);
    cr_assert(bn && a && b && want && got && pm1 && BN_sub_word(pm1, 1));
    const BIGNUM *edges[] = {BN_value_one(), pm1};
    for (int i = 0; i < 2000; i++) {
        if (i < 9) { /* (0|1|p-1) x (0|1|p-1) */
            if (i / 3 == 0)
                BN_zero(a);
            else
                cr_assert(BN_copy(a, edges[i / 3 - 1]));
            if (i % 3 == 0)
                BN_zero(b);
            else
                cr_assert(BN_copy(b, edges[i % 3 - 1]));
        } else {
            cr_assert(BN_rand_range(a, sp->p) && BN_rand_range(b, sp->p));
            if (i % 7 == 0)
                cr_assert(BN_copy(b, a));
        }
        cr_assert(BN_mod_sub(want, a, b, sp->p, bn));
        cr_assert(sakke_fp_sub(sp, got, a, b));
        cr_assert_eq(BN_cmp(got, want), 0, "a - b differs at %d", i);
        cr_assert(BN_copy(got, a) && sakke_fp_sub(sp, got, got, b));
        cr_assert_eq(BN_cmp(got, want), 0, "r aliasing a differs at %d", i);
        cr_assert(BN_copy(got, b) && sakke_fp_sub(sp, got, a, got));
        cr_assert_eq(BN_cmp(got, want), 0, "r aliasing b differs at %d", i);
    }
    BN_free(a), BN_free(b), BN_free(want), BN_free(got), BN_free(pm1);
    BN_CTX_free(bn);
    sakke_params_destroy(&sp);
}

/* A point of E with x = x0, x0 + 1, ... (the first whose x^3 - 3x is a square; p = 3 mod 4, so
 * y = rhs^((p + 1) / 4)): of order q, 2q or 4q, almost surely not q. */
static EC_POINT *point_from_x(const sakke_params_t *sp, unsigned long x0)
{
    BIGNUM *x = BN_new(), *rhs = BN_new(), *y = BN_new(), *e = BN_new(), *t = BN_new();
    EC_POINT *pt = EC_POINT_new(sp->group);
    cr_assert(x && rhs && y && e && t && pt && BN_set_word(x, x0));
    cr_assert(BN_copy(e, sp->p) && BN_add_word(e, 1) && BN_rshift(e, e, 2));
    for (;;) {
        cr_assert(BN_mod_sqr(rhs, x, sp->p, sp->bn) && BN_sub_word(rhs, 3)
                  && BN_mod_mul(rhs, rhs, x, sp->p, sp->bn) && BN_mod_exp(y, rhs, e, sp->p, sp->bn)
                  && BN_mod_sqr(t, y, sp->p, sp->bn));
        if (BN_cmp(t, rhs) == 0 && EC_POINT_set_affine_coordinates(sp->group, pt, x, y, sp->bn))
            break;
        cr_assert(BN_add_word(x, 1));
    }
    BN_free(x);
    BN_free(rhs);
    BN_free(y);
    BN_free(e);
    BN_free(t);
    return pt;
}

/* [q]pt == O by OpenSSL's own scalar multiplication: the reference for sakke_order_is_q. */
static int reference_order_q(const sakke_params_t *sp, const EC_POINT *pt)
{
    EC_POINT *t = EC_POINT_new(sp->group);
    cr_assert(t && EC_POINT_mul(sp->group, t, NULL, pt, sp->q, sp->bn));
    int r = EC_POINT_is_at_infinity(sp->group, t);
    EC_POINT_free(t);
    return r;
}

Test(sakke, the_order_walk_and_the_miller_loop_agree_with_openssl_on_points_of_every_order)
{
    sakke_params_t *sp = sakke_params_new();
    cr_assert_not_null(sp);
    const EC_GROUP *g = sp->group;
    EC_POINT *two = EC_POINT_new(g), *pts[16] = {NULL};
    BIGNUM *zero = BN_new(), *four = BN_new();
    cr_assert(two && zero && four && BN_set_word(four, 4));
    BN_zero(zero);
    cr_assert(EC_POINT_set_affine_coordinates(g, two, zero, zero, sp->bn)); /* order 2 */
    size_t n = 0;
    pts[n++] = EC_POINT_dup(EC_GROUP_get0_generator(g), g); /* order q */
    for (unsigned long x0 = 5; n + 4 < 16; x0 += 1000) {
        EC_POINT *r = point_from_x(sp, x0), *m = EC_POINT_new(g);
        cr_assert(m && EC_POINT_mul(g, m, NULL, r, four, sp->bn)); /* order q */
        pts[n++] = EC_POINT_dup(m, g);
        cr_assert(EC_POINT_mul(g, m, NULL, r, sp->q, sp->bn)); /* order 1, 2 or 4 */
        if (!EC_POINT_is_at_infinity(g, m))
            pts[n++] = EC_POINT_dup(m, g);
        cr_assert(EC_POINT_add(g, m, r, two, sp->bn)); /* r shifted by the point of order 2 */
        if (!EC_POINT_is_at_infinity(g, m))
            pts[n++] = EC_POINT_dup(m, g);
        pts[n++] = r; /* order q, 2q or 4q */
        EC_POINT_free(m);
    }
    pts[n++] = EC_POINT_dup(two, g);
    int seen[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        int ref = reference_order_q(sp, pts[i]);
        cr_assert_eq(sakke_order_is_q(sp, pts[i]), ref, "point %zu", i);
        sakke_lines_t *l = sakke_lines_new(sp, pts[i]);
        cr_assert_eq(l != NULL, ref, "lines of point %zu", i);
        if (!l)
            cr_assert(strstr(ibccrypto_last_error(), "subgroup"), "%s", ibccrypto_last_error());
        sakke_lines_destroy(&l);
        seen[ref]++;
        EC_POINT_free(pts[i]);
    }
    cr_assert(seen[0] >= 3 && seen[1] >= 3, "in q: %d, not: %d", seen[1], seen[0]);
    EC_POINT_free(two);
    BN_free(zero);
    BN_free(four);
    sakke_params_destroy(&sp);
}

/* The RFC's SED from a sender of (Z, b), whichever way the set-up came. */
static void assert_rfc_sed(void)
{
    sakke_sender_t *s = sakke_sender_new(ZPUB, sizeof ZPUB, B, b_len);
    cr_assert_not_null(s, "%s", ibccrypto_last_error());
    uint8_t sed[SAKKE_SED_BYTES];
    cr_assert_eq(sakke_sender_encapsulate(s, SSV, sed, NULL), 0, "%s", ibccrypto_last_error());
    cr_assert_arr_eq(sed, SED, SAKKE_SED_BYTES);
    sakke_sender_destroy(&s);
}

Test(sakke, an_identity_set_up_again_from_the_memo_or_after_eviction_gives_the_rfc_sed)
{
    assert_rfc_sed(); /* computed, or from an earlier test of this process */
    assert_rfc_sed(); /* from the memo */
    /* more identities than the memo holds: (Z, b) is evicted and computed again */
    uint8_t id[40];
    for (unsigned i = 0; i < 33; i++) {
        int n = snprintf((char *)id, sizeof id, "2026-12%ctel:+4477009%05u", 0, i);
        sakke_sender_t *s = sakke_sender_new(ZPUB, sizeof ZPUB, id, (size_t)n);
        cr_assert_not_null(s, "%s", ibccrypto_last_error());
        sakke_sender_destroy(&s);
    }
    assert_rfc_sed();
    /* the memo answers only the exact octets of a Z it validated */
    uint8_t bad[SAKKE_POINT_BYTES];
    memcpy(bad, ZPUB, sizeof bad);
    bad[SAKKE_POINT_BYTES - 1] ^= 1;
    cr_assert_null(sakke_sender_new(bad, sizeof bad, B, b_len));
    cr_assert_null(sakke_sender_new(ZPUB, sizeof ZPUB - 1, B, b_len));
}
