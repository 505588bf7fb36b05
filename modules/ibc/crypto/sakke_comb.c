/* sakke_comb.c — fixed-base scalar multiplication [r]T on the SAKKE curve for a point T fixed per
 * identity ([b]P + Z, RFC 6508 §6.2.1 step 2 and §6.2.2 step 4): a 4-bit fixed-base comb in
 * Jacobian coordinates on BIGNUM Montgomery arithmetic, with a constant-time table scan. */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/ibccrypto.h"
#include "crypto/sakke_pairing.h"

#define COMB_W     4                    /* bits per window */
#define COMB_D     ((1 << COMB_W) - 1)  /* digits 1..15 stored per window */
#define COMB_WORDS (SAKKE_FP_BYTES / 8) /* uint64 words of one coordinate */

struct sakke_comb {
    EC_POINT *t; /* T itself, for the fallback */
    size_t windows;
    uint64_t *tab; /* [window][digit-1][x words, y words], affine, Montgomery form, little endian */
};

#define FP_MUL(r, x, y) BN_mod_mul_montgomery((r), (x), (y), sp->mont, bn)
#define FP_ADD(r, x, y) BN_mod_add_quick((r), (x), (y), sp->p)
#define FP_SUB(r, x, y) sakke_fp_sub(sp, (r), (x), (y))

/* In-place Jacobian doubling for a = -3 (dbl-2001-b); t[0..3] are scratch. */
static int jac_dbl(const sakke_params_t *sp, BIGNUM *x, BIGNUM *y, BIGNUM *z, BIGNUM **t,
                   BN_CTX *bn)
{
    /* t0 = delta, t1 = gamma, t2 = beta, t3 = alpha */
    return FP_MUL(t[0], z, z) && FP_MUL(t[1], y, y) && FP_MUL(t[2], x, t[1])
           && FP_SUB(t[3], x, t[0]) && FP_ADD(t[0], x, t[0]) && FP_MUL(t[3], t[3], t[0])
           && FP_ADD(t[0], t[3], t[3]) && FP_ADD(t[3], t[0], t[3]) && FP_MUL(z, y, z)
           && FP_ADD(z, z, z)                                      /* Z3 = 2YZ */
           && FP_ADD(t[2], t[2], t[2]) && FP_ADD(t[2], t[2], t[2]) /* 4 beta */
           && FP_MUL(x, t[3], t[3]) && FP_SUB(x, x, t[2]) && FP_SUB(x, x, t[2])
           && FP_SUB(t[2], t[2], x) && FP_MUL(t[2], t[3], t[2]) && FP_MUL(t[1], t[1], t[1])
           && FP_ADD(t[1], t[1], t[1]) && FP_ADD(t[1], t[1], t[1]) && FP_ADD(t[1], t[1], t[1])
           && FP_SUB(y, t[2], t[1]);
}

/* Jacobian (x, y, z) + affine (ax, ay) into (ox, oy, oz) (madd, 11M); t[0..4] are scratch. The
 * inputs must differ and not be opposite (oz = 0 reveals that case). */
static int jac_madd(const sakke_params_t *sp, const BIGNUM *x, const BIGNUM *y, const BIGNUM *z,
                    const BIGNUM *ax, const BIGNUM *ay, BIGNUM *ox, BIGNUM *oy, BIGNUM *oz,
                    BIGNUM **t, BN_CTX *bn)
{
    /* t0 = Z^2, t1 = H, t2 = r, t3 = HH, t4 = HHH, t0 = V */
    return FP_MUL(t[0], z, z) && FP_MUL(t[1], ax, t[0]) && FP_SUB(t[1], t[1], x)
           && FP_MUL(t[2], z, t[0]) && FP_MUL(t[2], ay, t[2]) && FP_SUB(t[2], t[2], y)
           && FP_MUL(oz, z, t[1]) && FP_MUL(t[3], t[1], t[1]) && FP_MUL(t[4], t[1], t[3])
           && FP_MUL(t[0], x, t[3]) && FP_MUL(ox, t[2], t[2]) && FP_SUB(ox, ox, t[4])
           && FP_SUB(ox, ox, t[0]) && FP_SUB(ox, ox, t[0]) && FP_SUB(t[0], t[0], ox)
           && FP_MUL(t[0], t[2], t[0]) && FP_MUL(t[4], y, t[4]) && FP_SUB(oy, t[0], t[4]);
}

/* 1 if a == 0 and b == 0 (both in [0, p)), else 0; the time does not depend on their values. */
static int ct_both_zero(const BIGNUM *a, const BIGNUM *b)
{
    uint8_t buf[2 * SAKKE_FP_BYTES];
    unsigned acc = 0;
    int ok = BN_bn2binpad(a, buf, SAKKE_FP_BYTES) == SAKKE_FP_BYTES
             && BN_bn2binpad(b, buf + SAKKE_FP_BYTES, SAKKE_FP_BYTES) == SAKKE_FP_BYTES;
    for (size_t i = 0; i < sizeof buf; i++)
        acc |= buf[i];
    OPENSSL_cleanse(buf, sizeof buf);
    return ok & (int)((acc - 1) >> 8 & 1);
}

int sakke_jacobian_is_neg(const sakke_params_t *sp, const BIGNUM *x, const BIGNUM *y,
                          const BIGNUM *z, const BIGNUM *ax, const BIGNUM *ay, BN_CTX *bn)
{
    BN_CTX_start(bn);
    BIGNUM *z2 = BN_CTX_get(bn), *dx = BN_CTX_get(bn), *sy = BN_CTX_get(bn);
    /* X == ax * Z^2 and Y == -ay * Z^3, i.e. X - ax Z^2 == 0 and Y + ay Z^3 == 0; and Z != 0 */
    int ok = sy && FP_MUL(z2, z, z) && FP_MUL(dx, ax, z2) && FP_SUB(dx, x, dx) && FP_MUL(z2, z2, z)
             && FP_MUL(sy, ay, z2) && FP_ADD(sy, y, sy);
    int neg = ok && ct_both_zero(dx, sy);
    int z_zero = ok && ct_both_zero(z, z);
    if (sy) {
        BN_clear(z2);
        BN_clear(dx);
        BN_clear(sy);
    }
    BN_CTX_end(bn);
    return ok ? neg & (z_zero ^ 1) : -1;
}

/* [q - 1]A by the non-adjacent form of q - 1 (public: the sequence of doublings and additions is
 * the same for every A), in Jacobian coordinates from affine A, then compared with -A. A point of
 * order q never meets an exceptional case on the way (every partial multiple [m]A has
 * 1 < m < q - 1 when ±A is added); any other point either reaches a different end or meets one,
 * and an exceptional doubling (Y = 0) or addition (the accumulator is ±A) leaves Z = 0 for good,
 * which the comparison refuses. */
int sakke_order_is_q(const sakke_params_t *sp, const EC_POINT *pt)
{
    BN_CTX *bn = sp->bn;
    int8_t naf[SAKKE_FP_BYTES * 8 + 2];
    int len = 0, rc = -1;
    BN_CTX_start(bn);
    BIGNUM *k = BN_CTX_get(bn), *ax = BN_CTX_get(bn), *ay = BN_CTX_get(bn);
    BIGNUM *nay = BN_CTX_get(bn), *x = BN_CTX_get(bn), *y = BN_CTX_get(bn);
    BIGNUM *z = BN_CTX_get(bn), *nx = BN_CTX_get(bn), *ny = BN_CTX_get(bn);
    BIGNUM *nz = BN_CTX_get(bn), *t[5];
    for (int i = 0; i < 5; i++)
        t[i] = BN_CTX_get(bn);
    int ok = t[4] && BN_copy(k, sp->q_minus_1);
    /* NAF digits, least significant first: an odd k gives 2 - (k mod 4), i.e. +1 or -1 */
    while (ok && !BN_is_zero(k) && len < (int)sizeof naf) {
        int8_t d = 0;
        if (BN_is_odd(k)) {
            d = BN_is_bit_set(k, 1) ? -1 : 1; /* 2 - (k mod 4) */
            ok = d > 0 ? BN_sub_word(k, 1) : BN_add_word(k, 1);
        }
        naf[len++] = d;
        ok = ok && BN_rshift1(k, k);
    }
    ok = ok && BN_is_zero(k) && len > 0 && naf[len - 1] == 1
         && EC_POINT_get_affine_coordinates(sp->group, pt, ax, ay, bn)
         && BN_to_montgomery(ax, ax, sp->mont, bn) && BN_to_montgomery(ay, ay, sp->mont, bn)
         && BN_set_word(nay, 0) && FP_SUB(nay, nay, ay) && BN_copy(x, ax) && BN_copy(y, ay)
         && BN_copy(z, sp->one_m);
    for (int i = len - 2; ok && i >= 0; i--) {
        ok = jac_dbl(sp, x, y, z, t, bn);
        if (ok && naf[i] != 0) {
            ok = jac_madd(sp, x, y, z, ax, naf[i] > 0 ? ay : nay, nx, ny, nz, t, bn)
                 && BN_copy(x, nx) && BN_copy(y, ny) && BN_copy(z, nz);
        }
    }
    if (ok)
        rc = sakke_jacobian_is_neg(sp, x, y, z, ax, ay, bn);
    BIGNUM *secret[] = {ax, ay, nay, x, y, z, nx, ny, nz};
    for (size_t i = 0; t[4] && i < sizeof secret / sizeof *secret; i++)
        BN_clear(secret[i]);
    for (int i = 0; t[4] && i < 5; i++)
        BN_clear(t[i]);
    BN_CTX_end(bn);
    return rc;
}

static void entry_store(uint64_t *e, const BIGNUM *x, const BIGNUM *y)
{
    uint8_t buf[SAKKE_FP_BYTES];
    BN_bn2lebinpad(x, buf, SAKKE_FP_BYTES);
    memcpy(e, buf, SAKKE_FP_BYTES);
    BN_bn2lebinpad(y, buf, SAKKE_FP_BYTES);
    memcpy(e + COMB_WORDS, buf, SAKKE_FP_BYTES);
}

void sakke_comb_destroy(sakke_comb_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sakke_comb_t *c = *self_p;
    OPENSSL_free(c->tab); /* multiples of a public point: nothing to cleanse */
    EC_POINT_free(c->t);
    OPENSSL_free(c);
    *self_p = NULL;
}

sakke_comb_t *sakke_comb_dup(const sakke_params_t *sp, const sakke_comb_t *comb)
{
    sakke_comb_t *c = comb ? OPENSSL_zalloc(sizeof *c) : NULL;
    if (!c)
        return NULL;
    c->windows = comb->windows;
    c->tab = OPENSSL_memdup(comb->tab, c->windows * COMB_D * 2 * COMB_WORDS * sizeof *c->tab);
    c->t = EC_POINT_dup(comb->t, sp->group);
    if (!c->tab || !c->t)
        sakke_comb_destroy(&c);
    return c;
}

/* Montgomery's trick: the n Jacobian points (x[k], y[k], z[k]) to affine in place (Montgomery
 * domain), with one inversion; pre[0..n) is scratch. T is public: plain BN_mod_inverse. */
static int batch_affine(const sakke_params_t *sp, BIGNUM **x, BIGNUM **y, BIGNUM **z, BIGNUM **pre,
                        size_t n, BIGNUM *inv, BIGNUM *zi, BIGNUM *zi2, BN_CTX *bn)
{
    int ok = BN_copy(pre[0], z[0]) != NULL;
    for (size_t k = 1; ok && k < n; k++)
        ok = FP_MUL(pre[k], pre[k - 1], z[k]);
    ok = ok && !BN_is_zero(pre[n - 1]) && BN_from_montgomery(inv, pre[n - 1], sp->mont, bn)
         && BN_mod_inverse(inv, inv, sp->p, bn) && BN_to_montgomery(inv, inv, sp->mont, bn);
    for (size_t k = n; ok && k-- > 0;)
        ok = (k > 0 ? FP_MUL(zi, inv, pre[k - 1]) : BN_copy(zi, inv) != NULL)
             && FP_MUL(inv, inv, z[k]) && FP_MUL(zi2, zi, zi) && FP_MUL(x[k], x[k], zi2)
             && FP_MUL(zi2, zi2, zi) && FP_MUL(y[k], y[k], zi2) && BN_copy(z[k], sp->one_m);
    return ok;
}

/* Windows whose entries are made affine together (one inversion per group). */
#define COMB_GROUP 16
#define GROUP_PTS  (COMB_GROUP * COMB_D)

/* Two passes. First the window bases B_i = [16^i]T: four doublings each in Jacobian
 * coordinates, all made affine with one inversion. Then, COMB_GROUP windows at a time, the
 * entries J1 = B, J2 = [2]B, Jd = J(d-1) + B (mixed additions), made affine with one inversion
 * per group, and stored. */
sakke_comb_t *sakke_comb_new(const sakke_params_t *sp, const EC_POINT *pt)
{
    BN_CTX *bn = sp->bn;
    sakke_comb_t *c = OPENSSL_zalloc(sizeof *c);
    size_t windows = ((size_t)BN_num_bits(sp->q) + COMB_W - 1) / COMB_W;
    size_t nb = windows > GROUP_PTS ? windows : GROUP_PTS; /* BIGNUMs per array */
    BIGNUM **ax = OPENSSL_zalloc(nb * sizeof *ax), **ay = OPENSSL_zalloc(nb * sizeof *ay);
    BIGNUM **az = OPENSSL_zalloc(nb * sizeof *az), **pre = OPENSSL_zalloc(nb * sizeof *pre);
    BIGNUM **bx = OPENSSL_zalloc(windows * sizeof *bx), **by = OPENSSL_zalloc(windows * sizeof *by);
    BIGNUM *t[5] = {NULL};
    BIGNUM *inv = BN_new(), *zi = BN_new(), *zi2 = BN_new();
    int ok = c && ax && ay && az && pre && bx && by && inv && zi && zi2;
    for (size_t k = 0; ok && k < nb; k++)
        ok = (ax[k] = BN_new()) && (ay[k] = BN_new()) && (az[k] = BN_new()) && (pre[k] = BN_new());
    for (size_t k = 0; ok && k < windows; k++)
        ok = (bx[k] = BN_new()) && (by[k] = BN_new());
    for (int k = 0; ok && k < 5; k++)
        ok = (t[k] = BN_new()) != NULL;
    if (ok) {
        c->windows = windows;
        c->tab = OPENSSL_malloc(c->windows * COMB_D * 2 * COMB_WORDS * sizeof *c->tab);
        ok = c->tab && (c->t = EC_POINT_dup(pt, sp->group))
             && EC_POINT_get_affine_coordinates(sp->group, pt, bx[0], by[0], bn)
             && BN_to_montgomery(bx[0], bx[0], sp->mont, bn)
             && BN_to_montgomery(by[0], by[0], sp->mont, bn);
    }
    /* pass 1: B_i for i >= 1 into ax/ay/az[i - 1], then affine into bx/by[i] */
    for (size_t i = 1; ok && i < windows; i++) {
        const BIGNUM *px = i == 1 ? bx[0] : ax[i - 2], *py = i == 1 ? by[0] : ay[i - 2];
        const BIGNUM *pz = i == 1 ? sp->one_m : az[i - 2];
        ok = BN_copy(ax[i - 1], px) && BN_copy(ay[i - 1], py) && BN_copy(az[i - 1], pz);
        for (int d = 0; ok && d < COMB_W; d++)
            ok = jac_dbl(sp, ax[i - 1], ay[i - 1], az[i - 1], t, bn);
    }
    ok = ok && (windows < 2 || batch_affine(sp, ax, ay, az, pre, windows - 1, inv, zi, zi2, bn));
    for (size_t i = 1; ok && i < windows; i++)
        ok = BN_copy(bx[i], ax[i - 1]) && BN_copy(by[i], ay[i - 1]);
    /* pass 2: the entries, COMB_GROUP windows at a time */
    for (size_t w0 = 0; ok && w0 < windows; w0 += COMB_GROUP) {
        size_t nw = windows - w0 < COMB_GROUP ? windows - w0 : COMB_GROUP;
        for (size_t k = 0; ok && k < nw; k++) {
            BIGNUM **x = ax + k * COMB_D, **y = ay + k * COMB_D, **z = az + k * COMB_D;
            const BIGNUM *ux = bx[w0 + k], *uy = by[w0 + k];
            ok = BN_copy(x[0], ux) && BN_copy(y[0], uy) && BN_copy(z[0], sp->one_m)
                 && BN_copy(x[1], ux) && BN_copy(y[1], uy) && BN_copy(z[1], sp->one_m)
                 && jac_dbl(sp, x[1], y[1], z[1], t, bn);
            for (int d = 2; ok && d < COMB_D; d++)
                ok = jac_madd(sp, x[d - 1], y[d - 1], z[d - 1], ux, uy, x[d], y[d], z[d], t, bn);
        }
        ok = ok && batch_affine(sp, ax, ay, az, pre, nw * COMB_D, inv, zi, zi2, bn);
        for (size_t k = 0; ok && k < nw * COMB_D; k++)
            entry_store(c->tab + ((w0 * COMB_D) + k) * 2 * COMB_WORDS, ax[k], ay[k]);
    }
    for (size_t k = 0; k < nb; k++) {
        BN_free(ax ? ax[k] : NULL);
        BN_free(ay ? ay[k] : NULL);
        BN_free(az ? az[k] : NULL);
        BN_free(pre ? pre[k] : NULL);
    }
    for (size_t k = 0; k < windows; k++) {
        BN_free(bx ? bx[k] : NULL);
        BN_free(by ? by[k] : NULL);
    }
    OPENSSL_free(ax);
    OPENSSL_free(ay);
    OPENSSL_free(az);
    OPENSSL_free(pre);
    OPENSSL_free(bx);
    OPENSSL_free(by);
    for (int k = 0; k < 5; k++)
        BN_free(t[k]);
    BN_free(inv);
    BN_free(zi);
    BN_free(zi2);
    if (!ok) {
        ibccrypto_set_error("sakke: cannot precompute multiples of [b]P + Z");
        sakke_comb_destroy(&c);
    }
    return c;
}

/* 1 if v == 0, else 0, without a branch. */
static uint64_t ct_is_zero(uint64_t v)
{
    return ((v | (0 - v)) >> 63) ^ 1;
}

/* Jacobian [r]T in the Montgomery domain: acc starts at infinity; per window, the entry of the
 * window's digit is read by scanning all 15 (masked), added with jac_madd, and the sum, the entry
 * itself (first non-zero digit) or the old acc is kept with BN_consttime_swap. Returns -1 if r
 * is out of range or a (negligibly rare) exceptional addition occurred; callers then fall back. */
static int comb_jacobian(const sakke_params_t *sp, const sakke_comb_t *comb, const BIGNUM *r,
                         BIGNUM *x, BIGNUM *y, BIGNUM *z)
{
    BN_CTX *bn = sp->bn;
    uint64_t sel[2 * COMB_WORDS];
    BN_CTX_start(bn);
    BIGNUM *sx = BN_CTX_get(bn), *sy = BN_CTX_get(bn), *one = BN_CTX_get(bn);
    BIGNUM *nx = BN_CTX_get(bn), *ny = BN_CTX_get(bn), *nz = BN_CTX_get(bn);
    BIGNUM *t[5];
    for (int k = 0; k < 5; k++)
        t[k] = BN_CTX_get(bn);
    int ok = t[4] && !BN_is_zero(r) && !BN_is_negative(r) && BN_cmp(r, sp->q) < 0
             && BN_copy(one, sp->one_m) && BN_copy(x, sp->one_m) && BN_copy(y, sp->one_m);
    BN_zero(z);
    BIGNUM *swapped[] = {x, y, z, sx, sy, one, nx, ny, nz};
    for (size_t k = 0; ok && k < sizeof swapped / sizeof *swapped; k++)
        ok = ibccrypto_bn_reserve(swapped[k], sp->nwords);
    uint64_t acc_inf = 1;
    for (size_t i = 0; ok && i < comb->windows; i++) {
        uint64_t d = 0;
        for (int b = 0; b < COMB_W; b++)
            d |= (uint64_t)BN_is_bit_set(r, (int)(i * COMB_W) + b) << b;
        memset(sel, 0, sizeof sel);
        const uint64_t *e = comb->tab + i * COMB_D * 2 * COMB_WORDS;
        for (uint64_t k = 1; k <= COMB_D; k++, e += 2 * COMB_WORDS) {
            uint64_t mask = 0 - ct_is_zero(k ^ d);
            for (size_t w = 0; w < 2 * COMB_WORDS; w++)
                sel[w] |= e[w] & mask;
        }
        uint64_t nonzero = ct_is_zero(d) ^ 1;
        ok = BN_lebin2bn((const uint8_t *)sel, SAKKE_FP_BYTES, sx)
             && BN_lebin2bn((const uint8_t *)(sel + COMB_WORDS), SAKKE_FP_BYTES, sy)
             && ibccrypto_bn_reserve(sx, sp->nwords) && ibccrypto_bn_reserve(sy, sp->nwords)
             && jac_madd(sp, x, y, z, sx, sy, nx, ny, nz, t, bn) && BN_copy(one, sp->one_m)
             && ibccrypto_bn_reserve(one, sp->nwords);
        if (!ok)
            break;
        /* acc = sum when acc is finite and d != 0; acc = entry when acc is infinite and d != 0 */
        BN_ULONG take_sum = (BN_ULONG)((acc_inf ^ 1) & nonzero);
        BN_ULONG take_entry = (BN_ULONG)(acc_inf & nonzero);
        BN_consttime_swap(take_sum, x, nx, sp->nwords);
        BN_consttime_swap(take_sum, y, ny, sp->nwords);
        BN_consttime_swap(take_sum, z, nz, sp->nwords);
        BN_consttime_swap(take_entry, x, sx, sp->nwords);
        BN_consttime_swap(take_entry, y, sy, sp->nwords);
        BN_consttime_swap(take_entry, z, one, sp->nwords);
        acc_inf &= nonzero ^ 1;
    }
    ok = ok && !acc_inf && !BN_is_zero(z);
    OPENSSL_cleanse(sel, sizeof sel);
    for (size_t k = 0; k < sizeof swapped / sizeof *swapped; k++)
        if (swapped[k] && swapped[k] != x && swapped[k] != y && swapped[k] != z)
            BN_clear(swapped[k]);
    BN_CTX_end(bn);
    return ok ? 0 : -1;
}

int sakke_comb_mul(const sakke_params_t *sp, const sakke_comb_t *comb, const BIGNUM *r,
                   EC_POINT *out)
{
    BN_CTX *bn = sp->bn;
    BN_CTX_start(bn);
    BIGNUM *x = BN_CTX_get(bn), *y = BN_CTX_get(bn), *z = BN_CTX_get(bn), *zi = BN_CTX_get(bn);
    BIGNUM *zi2 = BN_CTX_get(bn);
    int ok = zi2
             && comb_jacobian(sp, comb, r, x, y, z) == 0
             /* to affine: x = X/Z^2, y = Y/Z^3 (Z inverted blinded) */
             && BN_from_montgomery(zi, z, sp->mont, bn) && sakke_fp_inverse(sp, zi, zi, bn) == 0
             && BN_to_montgomery(zi, zi, sp->mont, bn) && FP_MUL(zi2, zi, zi) && FP_MUL(x, x, zi2)
             && FP_MUL(zi2, zi2, zi) && FP_MUL(y, y, zi2) && BN_from_montgomery(x, x, sp->mont, bn)
             && BN_from_montgomery(y, y, sp->mont, bn)
             && EC_POINT_set_affine_coordinates(sp->group, out, x, y, bn);
    if (!ok) /* exceptional addition (or error): OpenSSL's generic constant-time ladder */
        ok = !BN_is_zero(r) && BN_cmp(r, sp->q) < 0
             && EC_POINT_mul(sp->group, out, NULL, comb->t, r, bn);
    if (zi2)
        BN_clear(zi2);
    BN_CTX_end(bn);
    if (!ok)
        ibccrypto_set_error("sakke: scalar multiplication failed");
    return ok ? 0 : -1;
}

int sakke_comb_check(const sakke_params_t *sp, const sakke_comb_t *comb, const BIGNUM *r,
                     const EC_POINT *pt)
{
    BN_CTX *bn = sp->bn;
    int equal = 0;
    BN_CTX_start(bn);
    BIGNUM *x = BN_CTX_get(bn), *y = BN_CTX_get(bn), *z = BN_CTX_get(bn);
    BIGNUM *px = BN_CTX_get(bn), *py = BN_CTX_get(bn), *t = BN_CTX_get(bn);
    if (t && EC_POINT_get_affine_coordinates(sp->group, pt, px, py, bn)) {
        if (comb_jacobian(sp, comb, r, x, y, z) == 0) {
            /* X == px * Z^2 and Y == py * Z^3 */
            equal = BN_to_montgomery(px, px, sp->mont, bn) && BN_to_montgomery(py, py, sp->mont, bn)
                    && FP_MUL(t, z, z) && FP_MUL(px, px, t) && FP_MUL(t, t, z) && FP_MUL(py, py, t)
                    && BN_cmp(px, x) == 0 && BN_cmp(py, y) == 0;
        } else {
            EC_POINT *q = EC_POINT_new(sp->group);
            equal = q && !BN_is_zero(r) && BN_cmp(r, sp->q) < 0
                    && EC_POINT_mul(sp->group, q, NULL, comb->t, r, bn)
                    && EC_POINT_cmp(sp->group, q, pt, bn) == 0;
            EC_POINT_free(q);
        }
    }
    BN_CTX_end(bn);
    return equal ? 0 : -1;
}
