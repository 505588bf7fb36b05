/* sakke_pairing.c — RFC 6509 parameter set 1, the RFC 6508 §3.2 pairing on BIGNUM Montgomery
 * arithmetic (projective Miller lines precomputed for a fixed first argument), exponentiation in
 * PF_p[q] and HashToIntegerRange. See sakke_pairing.h for the conventions. */
#include "crypto/sakke_pairing.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/ibccrypto.h"

/* RFC 6509 Appendix A, parameter set 1 (facts, not code). */
static const char sakke_p_hex[] =
    "997ABB1F0A563FDA65C61198DAD0657A416C0CE19CB48261BE9AE358B3E01A2E"
    "F40AAB27E2FC0F1B228730D531A59CB0E791B39FF7C88A19356D27F4A666A6D0"
    "E26C6487326B4CD4512AC5CD65681CE1B6AFF4A831852A82A7CF3C521C3C09AA"
    "9F94D6AF56971F1FFCE3E82389857DB080C5DF10AC7ACE87666D807AFEA85FEB";
static const char sakke_q_hex[] =
    "265EAEC7C2958FF69971846636B4195E905B0338672D20986FA6B8D62CF8068B"
    "BD02AAC9F8BF03C6C8A1CC354C69672C39E46CE7FDF222864D5B49FD2999A9B4"
    "389B1921CC9AD335144AB173595A07386DABFD2A0C614AA0A9F3CF14870F026A"
    "A7E535ABD5A5C7C7FF38FA08E2615F6C203177C42B1EB3A1D99B601EBFAA17FB";
static const char sakke_px_hex[] =
    "53FC09EE332C29AD0A7990053ED9B52A2B1A2FD60AEC69C698B2F204B6FF7CBF"
    "B5EDB6C0F6CE2308AB10DB9030B09E1043D5F22CDB9DFA55718BD9E7406CE890"
    "9760AF765DD5BCCB337C86548B72F2E1A702C3397A60DE74A7C1514DBA66910D"
    "D5CFB4CC80728D87EE9163A5B63F73EC80EC46C4967E0979880DC8ABEAE63895";
static const char sakke_py_hex[] =
    "0A8249063F6009F1F9F1F0533634A135D3E82016029906963D778D821E141178"
    "F5EA69F4654EC2B9E7F7F5E5F0DE55F66B598CCF9A140B2E416CFF0CA9E032B9"
    "70DAE117AD547C6CCAD696B5B7652FE0AC6F1E80164AA989492D979FC5A4D5F2"
    "13515AD7E9CB99A980BDAD5AD5BB4636ADB9B5706A67DCDE75573FD71BEF16D7";
static const char sakke_g_hex[] =
    "66FC2A432B6EA392148F15867D623068C6A87BD1FB94C41E27FABE658E015A87"
    "371E94744C96FEDA449AE9563F8BC446CBFDA85D5D00EF577072DA8F541721BE"
    "EE0FAED1828EAB90B99DFB0138C7843355DF0460B4A9FD74B4F1A32BCAFA1FFA"
    "D682C033A7942BCCE3720F20B9B7B0403C8CAE87B7A0042ACDE0FAB36461EA46";

struct sakke_lines {
    size_t n; /* number of lines: one per doubling and one per addition of the loop */
    /* 2n values in Montgomery form: line k at (-Qx, i*Qy) is coef[2k]*Qx + coef[2k+1] + i*Qy */
    BIGNUM **coef;
};

void sakke_params_destroy(sakke_params_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sakke_params_t *sp = *self_p;
    BN_free(sp->p);
    BN_free(sp->q);
    BN_free(sp->g);
    BN_free(sp->q_minus_1);
    BN_free(sp->one_m);
    BN_MONT_CTX_free(sp->mont);
    BN_clear_free(sp->neg);
    EC_GROUP_free(sp->group);
    BN_CTX_free(sp->bn);
    OPENSSL_free(sp);
    *self_p = NULL;
}

sakke_params_t *sakke_params_new(void)
{
    sakke_params_t *sp = OPENSSL_zalloc(sizeof *sp);
    BIGNUM *a = NULL, *b = NULL, *px = NULL, *py = NULL, *cof = NULL;
    EC_POINT *gen = NULL;
    int ok = sp && (sp->bn = BN_CTX_new()) && BN_hex2bn(&sp->p, sakke_p_hex)
             && BN_hex2bn(&sp->q, sakke_q_hex) && BN_hex2bn(&sp->g, sakke_g_hex)
             && BN_hex2bn(&px, sakke_px_hex) && BN_hex2bn(&py, sakke_py_hex) && (a = BN_new())
             && (b = BN_new()) && (cof = BN_new()) && (sp->one_m = BN_new())
             && (sp->q_minus_1 = BN_dup(sp->q)) && BN_sub_word(sp->q_minus_1, 1)
             && BN_copy(a, sp->p) && BN_sub_word(a, 3) && BN_set_word(cof, 4)
             && (sp->group = EC_GROUP_new_curve_GFp(sp->p, a, b, sp->bn))
             && (gen = EC_POINT_new(sp->group))
             && EC_POINT_set_affine_coordinates(sp->group, gen, px, py, sp->bn)
             && EC_GROUP_set_generator(sp->group, gen, sp->q, cof) && (sp->mont = BN_MONT_CTX_new())
             && BN_MONT_CTX_set(sp->mont, sp->p, sp->bn)
             && BN_to_montgomery(sp->one_m, BN_value_one(), sp->mont, sp->bn)
             && (sp->neg = BN_new());
    BN_free(a);
    BN_free(b);
    BN_free(px);
    BN_free(py);
    BN_free(cof);
    EC_POINT_free(gen);
    if (!ok) {
        ibccrypto_set_error("sakke: cannot set up parameter set 1 (out of memory?)");
        sakke_params_destroy(&sp);
        return NULL;
    }
    sp->nwords = (BN_num_bits(sp->p) + BN_BITS2 - 1) / BN_BITS2;
    return sp;
}

int sakke_point_decode(const sakke_params_t *sp, const uint8_t *buf, size_t len, EC_POINT *pt,
                       int check_order, const char *what)
{
    if (!buf || len != 1 + 2 * SAKKE_FP_BYTES || buf[0] != 0x04) {
        ibccrypto_set_error("sakke: %s is not an uncompressed point of %d octets", what,
                            1 + 2 * SAKKE_FP_BYTES);
        return -1;
    }
    if (!EC_POINT_oct2point(sp->group, pt, buf, len, sp->bn)
        || EC_POINT_is_at_infinity(sp->group, pt)
        || EC_POINT_is_on_curve(sp->group, pt, sp->bn) != 1) {
        ibccrypto_set_error("sakke: %s is not a point of E: y^2 = x^3 - 3x over F_p", what);
        return -1;
    }
    if (check_order == SAKKE_ORDER_SECRET) {
        int in_subgroup = sakke_order_is_q(sp, pt);
        if (in_subgroup != 1) {
            ibccrypto_set_error(in_subgroup < 0 ? "sakke: cannot check the order of %s"
                                                : "sakke: %s is not in the subgroup of order q",
                                what);
            return -1;
        }
    } else if (check_order) {
        EC_POINT *t = EC_POINT_new(sp->group);
        /* EC_GROUP_get0_order is the group's own BIGNUM: OpenSSL's wNAF takes it */
        int in_subgroup =
            t && EC_POINT_mul(sp->group, t, NULL, pt, EC_GROUP_get0_order(sp->group), sp->bn)
            && EC_POINT_is_at_infinity(sp->group, t);
        EC_POINT_free(t);
        if (!in_subgroup) {
            ibccrypto_set_error("sakke: %s is not in the subgroup of order q", what);
            return -1;
        }
    }
    return 0;
}

int sakke_point_encode(const sakke_params_t *sp, const EC_POINT *pt,
                       uint8_t out[1 + 2 * SAKKE_FP_BYTES])
{
    if (EC_POINT_point2oct(sp->group, pt, POINT_CONVERSION_UNCOMPRESSED, out,
                           1 + 2 * SAKKE_FP_BYTES, sp->bn)
        != 1 + 2 * SAKKE_FP_BYTES) {
        ibccrypto_set_error("sakke: cannot encode a point");
        return -1;
    }
    return 0;
}

/* ---- F_p and F_p^2 in the Montgomery domain ---- */

#define FP_MUL(r, x, y) BN_mod_mul_montgomery((r), (x), (y), sp->mont, bn)
#define FP_ADD(r, x, y) BN_mod_add_quick((r), (x), (y), sp->p)
#define FP_SUB(r, x, y) sakke_fp_sub(sp, (r), (x), (y))

int sakke_fp_sub(const sakke_params_t *sp, BIGNUM *r, const BIGNUM *a, const BIGNUM *b)
{
    return BN_usub(sp->neg, sp->p, b) && BN_mod_add_quick(r, a, sp->neg, sp->p);
}

int sakke_fp_inverse(const sakke_params_t *sp, BIGNUM *r, const BIGNUM *a, BN_CTX *bn)
{
    BN_CTX_start(bn);
    BIGNUM *b = BN_CTX_get(bn), *t = BN_CTX_get(bn);
    int ok = t != NULL;
    do
        ok = ok && BN_priv_rand_range_ex(b, sp->p, 0, bn);
    while (ok && BN_is_zero(b));
    ok = ok && FP_MUL(t, a, b)                                /* t = a b / R */
         && !BN_is_zero(t) && BN_mod_inverse(t, t, sp->p, bn) /* R / (a b) */
         && FP_MUL(r, t, b);                                  /* 1 / a */
    if (t) {
        BN_clear(b);
        BN_clear(t);
    }
    BN_CTX_end(bn);
    return ok ? 0 : -1;
}

/* (a + bi)^2 = (a+b)(a-b) + 2ab*i. */
static int fp2_sqr(const sakke_params_t *sp, BIGNUM *a, BIGNUM *b, BIGNUM *t1, BIGNUM *t2,
                   BN_CTX *bn)
{
    int ok = FP_ADD(t1, a, b) && FP_SUB(t2, a, b) && FP_MUL(b, a, b) && FP_ADD(b, b, b)
             && FP_MUL(a, t1, t2);
    return ok;
}

/* (a + bi)(c + di) with three multiplications (Karatsuba); c, d are not modified. The imaginary
 * part is (a+b)(c+d) - (ac + bd): one subtraction fewer than subtracting ac and bd in turn (the
 * branch-free subtraction costs more than the addition). */
static int fp2_mul(const sakke_params_t *sp, BIGNUM *a, BIGNUM *b, const BIGNUM *c, const BIGNUM *d,
                   BIGNUM *t1, BIGNUM *t2, BIGNUM *t3, BN_CTX *bn)
{
    int ok = FP_ADD(t1, a, b) && FP_ADD(t2, c, d) && FP_MUL(t3, t1, t2) /* (a+b)(c+d) */
             && FP_MUL(t1, a, c) && FP_MUL(t2, b, d)                    /* ac, bd */
             && FP_SUB(a, t1, t2) && FP_ADD(t1, t1, t2) && FP_SUB(b, t3, t1);
    return ok;
}

/* The representative b/a of a + bi (both in Montgomery form, so the ratio is the plain value):
 * 1/a inverted (blinded, sakke_fp_inverse), brought into the Montgomery domain, and one Montgomery
 * multiplication (b R)(R / (a R)) / R = b / a, never the variable-time BN_mod_mul. */
static int fp2_representative(const sakke_params_t *sp, const BIGNUM *a, const BIGNUM *b,
                              BIGNUM *rep, BN_CTX *bn)
{
    BN_CTX_start(bn);
    BIGNUM *inv = BN_CTX_get(bn);
    int ok = inv && sakke_fp_inverse(sp, inv, a, bn) == 0
             && BN_to_montgomery(inv, inv, sp->mont, bn) && FP_MUL(rep, b, inv);
    if (inv)
        BN_clear(inv);
    BN_CTX_end(bn);
    return ok;
}

void sakke_lines_destroy(sakke_lines_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sakke_lines_t *l = *self_p;
    if (l->coef)
        for (size_t k = 0; k < 2 * l->n; k++)
            BN_clear_free(l->coef[k]);
    OPENSSL_free(l->coef);
    OPENSSL_free(l);
    *self_p = NULL;
}

/* Miller's loop on A in Jacobian coordinates (X/Z^2, Y/Z^3), Montgomery domain. Each line is
 * first stored as (Ak, Bk, Ck) meaning Ak*Qx + Bk + Ck*Qy*i; one batch inversion (Montgomery's
 * trick) then scales every line by 1/Ck, which PF_p allows.
 *   doubling (a = -3, dbl-2001-b): delta = Z^2, gamma = Y^2, beta = X*gamma,
 *     alpha = 3(X - delta)(X + delta), Z3 = 2YZ; tangent: A = alpha*delta,
 *     B = alpha*X - 2*gamma, C = Z3*delta
 *   mixed addition of affine A = (ax, ay): H = ax*Z^2 - X, r = ay*Z^3 - Y, Z3 = Z*H;
 *     chord: A = r, B = r*ax - ay*Z3, C = Z3 */
sakke_lines_t *sakke_lines_new(const sakke_params_t *sp, const EC_POINT *pa)
{
    BN_CTX *bn = sp->bn;
    int nb = BN_num_bits(sp->q_minus_1);
    size_t n = (size_t)(nb - 1);
    for (int i = nb - 2; i >= 0; i--)
        n += (size_t)BN_is_bit_set(sp->q_minus_1, i);
    sakke_lines_t *l = OPENSSL_zalloc(sizeof *l);
    BIGNUM **cz = OPENSSL_zalloc(n * sizeof *cz);
    int ok = l && cz && (l->coef = OPENSSL_zalloc(2 * n * sizeof *l->coef));
    if (l)
        l->n = n;
    for (size_t k = 0; ok && k < n; k++)
        ok = (l->coef[2 * k] = BN_new()) && (l->coef[2 * k + 1] = BN_new()) && (cz[k] = BN_new());
    BN_CTX_start(bn);
    BIGNUM *ax = BN_CTX_get(bn), *ay = BN_CTX_get(bn), *x = BN_CTX_get(bn), *y = BN_CTX_get(bn);
    BIGNUM *z = BN_CTX_get(bn), *t1 = BN_CTX_get(bn), *t2 = BN_CTX_get(bn), *t3 = BN_CTX_get(bn);
    BIGNUM *t4 = BN_CTX_get(bn), *t5 = BN_CTX_get(bn), *t6 = BN_CTX_get(bn);
    ok = ok && t6 && EC_POINT_get_affine_coordinates(sp->group, pa, ax, ay, bn)
         && BN_to_montgomery(ax, ax, sp->mont, bn) && BN_to_montgomery(ay, ay, sp->mont, bn)
         && BN_copy(x, ax) && BN_copy(y, ay) && BN_copy(z, sp->one_m);
    size_t k = 0;
    for (int i = nb - 2; ok && i >= 0; i--) {
        BIGNUM *la = l->coef[2 * k], *lb = l->coef[2 * k + 1], *lc = cz[k];
        k++;
        /* doubling: t1 = delta, t2 = gamma, t3 = beta, t4 = alpha, t5 = Z3 */
        ok = FP_MUL(t1, z, z) && FP_MUL(t2, y, y) && FP_MUL(t3, x, t2) && FP_SUB(t4, x, t1)
             && FP_ADD(t5, x, t1) && FP_MUL(t4, t4, t5) && FP_ADD(t5, t4, t4) && FP_ADD(t4, t5, t4)
             && FP_MUL(t5, y, z) && FP_ADD(t5, t5, t5) && FP_MUL(la, t4, t1) && FP_MUL(lb, t4, x)
             && FP_SUB(lb, lb, t2) && FP_SUB(lb, lb, t2)
             && FP_MUL(lc, t5, t1)
             /* X3 = alpha^2 - 8 beta */
             && FP_ADD(t3, t3, t3) && FP_ADD(t3, t3, t3) /* 4 beta */
             && FP_MUL(x, t4, t4) && FP_SUB(x, x, t3)
             && FP_SUB(x, x, t3)
             /* Y3 = alpha (4 beta - X3) - 8 gamma^2 */
             && FP_SUB(t3, t3, x) && FP_MUL(t3, t4, t3) && FP_MUL(t2, t2, t2) && FP_ADD(t2, t2, t2)
             && FP_ADD(t2, t2, t2) && FP_ADD(t2, t2, t2) && FP_SUB(y, t3, t2) && BN_copy(z, t5);
        if (!ok || !BN_is_bit_set(sp->q_minus_1, i))
            continue;
        la = l->coef[2 * k], lb = l->coef[2 * k + 1], lc = cz[k];
        k++;
        /* mixed addition: t1 = Z^2, t2 = H, t3 = r, t4 = Z3 */
        ok = FP_MUL(t1, z, z) && FP_MUL(t2, ax, t1) && FP_SUB(t2, t2, x) && FP_MUL(t3, z, t1)
             && FP_MUL(t3, ay, t3) && FP_SUB(t3, t3, y) && FP_MUL(t4, z, t2) && BN_copy(la, t3)
             && FP_MUL(lb, t3, ax) && FP_MUL(t5, ay, t4) && FP_SUB(lb, lb, t5)
             && BN_copy(lc, t4)
             /* t5 = HH, t6 = HHH, t1 = V = X*HH */
             && FP_MUL(t5, t2, t2) && FP_MUL(t6, t2, t5)
             && FP_MUL(t1, x, t5)
             /* X3 = r^2 - HHH - 2V */
             && FP_MUL(x, t3, t3) && FP_SUB(x, x, t6) && FP_SUB(x, x, t1)
             && FP_SUB(x, x, t1)
             /* Y3 = r (V - X3) - Y*HHH */
             && FP_SUB(t1, t1, x) && FP_MUL(t1, t3, t1) && FP_MUL(t6, y, t6) && FP_SUB(y, t1, t6)
             && BN_copy(z, t4);
    }
    /* the loop ends on [q - 1]A: A has order q iff that is -A (sakke_order_is_q's argument) */
    int order_q = ok ? sakke_jacobian_is_neg(sp, x, y, z, ax, ay, bn) : -1;
    if (order_q == 0) {
        ibccrypto_set_error("sakke: the point is not in the subgroup of order q");
        ok = 0;
    }
    ok = ok && order_q == 1;
    /* batch inversion of the Ck (Montgomery's trick): pre[k] = C0*...*Ck, one inversion, then
     * walking back 1/Ck = (1/pre[k]) * pre[k-1] and 1/pre[k-1] = (1/pre[k]) * Ck */
    BIGNUM **pre = ok ? OPENSSL_zalloc(n * sizeof *pre) : NULL;
    ok = ok && pre;
    for (k = 0; ok && k < n; k++)
        ok = (pre[k] = BN_new())
             && (k == 0 ? BN_copy(pre[0], cz[0]) != NULL : FP_MUL(pre[k], pre[k - 1], cz[k]));
    /* t1 = (pre[n-1])^-1 in the Montgomery domain: from_mont, invert, to_mont */
    ok = ok && BN_from_montgomery(t1, pre[n - 1], sp->mont, bn)
         && sakke_fp_inverse(sp, t1, t1, bn) == 0 && BN_to_montgomery(t1, t1, sp->mont, bn);
    for (k = n; ok && k-- > 0;) {
        ok = (k > 0 ? FP_MUL(t2, t1, pre[k - 1]) : BN_copy(t2, t1) != NULL) && FP_MUL(t1, t1, cz[k])
             && FP_MUL(l->coef[2 * k], l->coef[2 * k], t2)
             && FP_MUL(l->coef[2 * k + 1], l->coef[2 * k + 1], t2);
    }
    for (k = 0; pre && k < n; k++)
        BN_clear_free(pre[k]);
    OPENSSL_free(pre);
    BIGNUM *walked[] = {ax, ay, x, y, z, t1, t2, t3, t4, t5, t6}; /* multiples of A */
    for (size_t i = 0; t6 && i < sizeof walked / sizeof *walked; i++)
        BN_clear(walked[i]);
    BN_CTX_end(bn);
    for (k = 0; cz && k < n; k++)
        BN_clear_free(cz[k]);
    OPENSSL_free(cz);
    if (!ok) {
        if (order_q != 0)
            ibccrypto_set_error("sakke: cannot precompute the pairing of this point");
        sakke_lines_destroy(&l);
        return NULL;
    }
    return l;
}

/* RFC 6508 §3.2 with the lines of A: v = 1; per bit of q-1 after the first, v = v^2 * l_dbl,
 * then v = v * l_add when the bit is set; finally v^((p+1)/q) = v^4 and its representative. */
int sakke_lines_pair(const sakke_params_t *sp, const sakke_lines_t *lines, const EC_POINT *pq,
                     BIGNUM *rep)
{
    BN_CTX *bn = sp->bn;
    int nb = BN_num_bits(sp->q_minus_1);
    BN_CTX_start(bn);
    BIGNUM *qx = BN_CTX_get(bn), *qy = BN_CTX_get(bn), *a = BN_CTX_get(bn), *b = BN_CTX_get(bn);
    BIGNUM *t0 = BN_CTX_get(bn), *t1 = BN_CTX_get(bn), *t2 = BN_CTX_get(bn);
    BIGNUM *t3 = BN_CTX_get(bn);
    int ok = t3 && EC_POINT_get_affine_coordinates(sp->group, pq, qx, qy, bn)
             && BN_to_montgomery(qx, qx, sp->mont, bn) && BN_to_montgomery(qy, qy, sp->mont, bn)
             && BN_copy(a, sp->one_m);
    if (b)
        BN_zero(b);
    size_t k = 0;
    for (int i = nb - 2; ok && i >= 0; i--) {
        ok = k < lines->n && fp2_sqr(sp, a, b, t1, t2, bn) && FP_MUL(t0, lines->coef[2 * k], qx)
             && FP_ADD(t0, t0, lines->coef[2 * k + 1]) && fp2_mul(sp, a, b, t0, qy, t1, t2, t3, bn);
        k++;
        if (ok && BN_is_bit_set(sp->q_minus_1, i)) {
            ok = k < lines->n && FP_MUL(t0, lines->coef[2 * k], qx)
                 && FP_ADD(t0, t0, lines->coef[2 * k + 1])
                 && fp2_mul(sp, a, b, t0, qy, t1, t2, t3, bn);
            k++;
        }
    }
    /* (p + 1) / q = 4 */
    ok = ok && fp2_sqr(sp, a, b, t1, t2, bn) && fp2_sqr(sp, a, b, t1, t2, bn)
         && fp2_representative(sp, a, b, rep, bn);
    if (a)
        BN_clear(a);
    if (b)
        BN_clear(b);
    BN_CTX_end(bn);
    if (!ok)
        ibccrypto_set_error("sakke: pairing computation failed");
    return ok ? 0 : -1;
}

/* Left-to-right square-and-always-multiply over all bits of q, keeping the product or not with
 * BN_consttime_swap, so the sequence of operations does not depend on the secret exponent. */
int sakke_gt_pow(const sakke_params_t *sp, const BIGNUM *x, const BIGNUM *e, BIGNUM *out)
{
    BN_CTX *bn = sp->bn;
    int nb = BN_num_bits(sp->q);
    BN_CTX_start(bn);
    BIGNUM *xm = BN_CTX_get(bn), *a = BN_CTX_get(bn), *b = BN_CTX_get(bn);
    BIGNUM *ta = BN_CTX_get(bn), *tb = BN_CTX_get(bn), *t1 = BN_CTX_get(bn);
    BIGNUM *t2 = BN_CTX_get(bn);
    int ok = t2 && BN_cmp(e, sp->q) < 0 && !BN_is_negative(e)
             && BN_to_montgomery(xm, x, sp->mont, bn) && BN_copy(a, sp->one_m);
    if (b)
        BN_zero(b);
    /* reserve nwords in every value BN_consttime_swap exchanges */
    BIGNUM *swapped[] = {a, b, ta, tb};
    for (size_t s = 0; ok && s < 4; s++)
        ok = ibccrypto_bn_reserve(swapped[s], sp->nwords);
    for (int i = nb - 1; ok && i >= 0; i--) {
        /* v = v^2; t = v * (1 + x*i) = (a - b*x) + (a*x + b)*i */
        ok = fp2_sqr(sp, a, b, t1, t2, bn) && FP_MUL(t1, b, xm) && FP_SUB(ta, a, t1)
             && FP_MUL(t1, a, xm) && FP_ADD(tb, t1, b);
        BN_ULONG bit = (BN_ULONG)BN_is_bit_set(e, i);
        BN_consttime_swap(bit, a, ta, sp->nwords);
        BN_consttime_swap(bit, b, tb, sp->nwords);
    }
    ok = ok && fp2_representative(sp, a, b, out, bn);
    for (size_t s = 0; s < 4; s++)
        if (swapped[s])
            BN_clear(swapped[s]);
    BN_CTX_end(bn);
    if (!ok)
        ibccrypto_set_error("sakke: exponentiation in PF_p failed");
    return ok ? 0 : -1;
}

/* RFC 6508 §5.1: A = H(s); h_0 = 0^32; for i in 1..l: h_i = H(h_(i-1)), v_i = H(h_i || A);
 * result = (v_1 || ... || v_l) mod n, with l = ceil(lg(n) / 256) = ceil(bits(n - 1) / 256). */
int sakke_hash_to_range(const uint8_t *s, size_t s_len, const BIGNUM *n, BIGNUM *out, BN_CTX *bn)
{
    uint8_t hv[2 * 32], *buf = NULL;
    size_t l = 0;
    int ok = 0;
    BN_CTX_start(bn);
    BIGNUM *n1 = BN_CTX_get(bn);
    if (!n1 || !BN_copy(n1, n) || !BN_sub_word(n1, 1))
        goto done;
    l = ((size_t)BN_num_bits(n1) + 255) / 256;
    buf = OPENSSL_malloc(l * 32);
    memset(hv, 0, 32);                                                   /* h_0 */
    ok = buf && EVP_Digest(s, s_len, hv + 32, NULL, EVP_sha256(), NULL); /* A */
    for (size_t i = 0; ok && i < l; i++)
        ok = EVP_Digest(hv, 32, hv, NULL, EVP_sha256(), NULL)               /* h_i */
             && EVP_Digest(hv, 64, buf + 32 * i, NULL, EVP_sha256(), NULL); /* v_i */
    ok = ok && BN_bin2bn(buf, (int)(l * 32), out) && BN_nnmod(out, out, n, bn);
done:
    BN_CTX_end(bn);
    if (buf)
        OPENSSL_clear_free(buf, l * 32);
    OPENSSL_cleanse(hv, sizeof hv);
    if (!ok)
        ibccrypto_set_error("sakke: HashToIntegerRange failed");
    return ok ? 0 : -1;
}
