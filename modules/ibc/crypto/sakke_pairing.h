/* sakke_pairing.h — internal to the ibc module: RFC 6509 parameter set 1, point coding, the
 * Tate–Lichtenbaum pairing of RFC 6508 §3.2 with precomputed Miller lines, and
 * HashToIntegerRange (RFC 6508 §5.1). sakke.c is the only intended user.
 *
 * Pairing, as the RFC defines it: for R, Q in E[q] (E: y^2 = x^3 - 3x over F_p), run Miller's
 * loop over the bits of q-1 on R, evaluating each line at the distorted point (-Qx, i*Qy), and
 * return the F_p representative (b/a for a + b*i) of v^((p+1)/q) in PF_p (the multiplicative
 * group of F_p^2 modulo that of F_p). Because the result lives in PF_p, any F_p factor of a
 * line value is irrelevant: lines are stored scaled so that the coefficient of i*Qy is 1, leaving
 * one multiplication per line.
 */
#ifndef SAKKE_PAIRING_H
#define SAKKE_PAIRING_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

#define SAKKE_FP_BYTES 128 /* octets of an element of F_p (p is 1024 bits) */

/* Parameter set 1 of RFC 6509 Appendix A, with the structures the computations reuse. */
typedef struct {
    BIGNUM *p, *q;     /* field prime, subgroup order (p + 1 = 4q) */
    BIGNUM *g;         /* <P,P> as its F_p representative */
    BIGNUM *q_minus_1; /* Miller loop scalar */
    BIGNUM *one_m;     /* 1 in Montgomery form */
    BN_MONT_CTX *mont; /* for every F_p multiplication */
    EC_GROUP *group;   /* E(F_p) with generator P, order q, cofactor 4 */
    BN_CTX *bn;
    BIGNUM *neg; /* scratch of sakke_fp_sub (p - b), cleared with the parameters */
    int nwords;  /* BN_ULONG words of p */
} sakke_params_t;

sakke_params_t *sakke_params_new(void);
void sakke_params_destroy(sakke_params_t **self_p);

/* r = (a - b) mod p for a, b in [0, p), with no branch on their values: r = a + (p - b), the
 * difference by BN_usub (one borrow chain, no comparison) and the sum by BN_mod_add_quick (a
 * masked final subtraction). BN_mod_sub_quick instead compares and adds p back only when a < b,
 * which times secret values of the pairing (RSK lines, the SSV's powers). r may alias a or b.
 * 1 / 0 as OpenSSL's BN functions. */
int sakke_fp_sub(const sakke_params_t *sp, BIGNUM *r, const BIGNUM *a, const BIGNUM *b);

/* r = a^-1 mod p for a secret a in [1, p) (any domain: the plain inverse of the integer), 0 / -1
 * (a = 0). Blinded: a is multiplied by a fresh random b in [1, p) (Montgomery multiplication,
 * constant-time), OpenSSL's fast variable-time inverse sees only the product, which is uniform
 * whatever a is, and b is multiplied back in. 3.4-4.2 times faster than Fermat's a^(p-2) here. r
 * may alias a. */
int sakke_fp_inverse(const sakke_params_t *sp, BIGNUM *r, const BIGNUM *a, BN_CTX *bn);

/* Decodes 04 || X || Y (257 octets): coordinates < p, on E, not infinity; with check_order
 * also [q]pt == O. 0 / -1 (after ibccrypto_set_error, naming `what`). check_order is
 * SAKKE_ORDER_SECRET for a secret point (RSK): sakke_order_is_q, whose sequence of operations
 * depends on q alone; or SAKKE_ORDER_PUBLIC for a public one (Z, R): the group's own order as the
 * scalar, which OpenSSL multiplies by wNAF (not constant-time in the point). */
#define SAKKE_ORDER_SECRET 1
#define SAKKE_ORDER_PUBLIC 2
int sakke_point_decode(const sakke_params_t *sp, const uint8_t *buf, size_t len, EC_POINT *pt,
                       int check_order, const char *what);
int sakke_point_encode(const sakke_params_t *sp, const EC_POINT *pt,
                       uint8_t out[1 + 2 * SAKKE_FP_BYTES]);

/* 1 if the point (on E, not infinity) has order q, 0 if not, -1 on error: [q - 1]pt == -pt by
 * a walk over the non-adjacent form of q - 1 (sakke_comb.c). The doublings and additions come in
 * an order fixed by q, on the same field operations as the comb's multiplication by a secret
 * scalar, so a secret point (an RSK) may be checked; the result is its only output. */
int sakke_order_is_q(const sakke_params_t *sp, const EC_POINT *pt);
/* 1 if the Jacobian (x, y, z) (Montgomery domain) is the point -(ax, ay) (affine, Montgomery
 * domain) and z != 0, else 0; -1 on error. Compared without inversion or branch on the values. */
int sakke_jacobian_is_neg(const sakke_params_t *sp, const BIGNUM *x, const BIGNUM *y,
                          const BIGNUM *z, const BIGNUM *ax, const BIGNUM *ay, BN_CTX *bn);

/* The Miller lines of a fixed first argument A, ready to be evaluated at any Q. */
typedef struct sakke_lines sakke_lines_t;

/* Precomputes the lines of A, a point on E. The loop walks A to [q - 1]A on the way, so the
 * order of A is checked at no cost: NULL ("not in the subgroup of order q") unless it is q.
 * About 0.5 MB. */
sakke_lines_t *sakke_lines_new(const sakke_params_t *sp, const EC_POINT *a);
/* Cleanses (A may be a secret key) and frees; nulls *self_p. */
void sakke_lines_destroy(sakke_lines_t **self_p);

/* rep = the representative of <A, Q> (RFC 6508 §3.2). 0 / -1. */
int sakke_lines_pair(const sakke_params_t *sp, const sakke_lines_t *lines, const EC_POINT *q,
                     BIGNUM *rep);

/* out = the representative of x^e in PF_p, where x is given by its representative (the
 * element 1 + x*i); e is secret (fixed number of squarings, constant-time selection). */
int sakke_gt_pow(const sakke_params_t *sp, const BIGNUM *x, const BIGNUM *e, BIGNUM *out);

/* ---- fixed-base scalar multiplication (sakke_comb.c) ----
 * [r]T for a fixed public point T (the [b]P + Z of one identity): a table of [d * 16^i]T for every
 * 4-bit window i and digit d = 1..15 (about 1 MB), then one mixed addition per window with the
 * entry chosen by a constant-time scan, instead of OpenSSL's 1024-step ladder. */
typedef struct sakke_comb sakke_comb_t;

sakke_comb_t *sakke_comb_new(const sakke_params_t *sp, const EC_POINT *t);
/* A copy of comb (its table and point) under the parameters sp; NULL if out of memory. */
sakke_comb_t *sakke_comb_dup(const sakke_params_t *sp, const sakke_comb_t *comb);
void sakke_comb_destroy(sakke_comb_t **self_p);
/* out = [r]T, 0 < r < q. */
int sakke_comb_mul(const sakke_params_t *sp, const sakke_comb_t *comb, const BIGNUM *r,
                   EC_POINT *out);
/* 0 if [r]T == pt (compared projectively, no inversion), -1 otherwise. */
int sakke_comb_check(const sakke_params_t *sp, const sakke_comb_t *comb, const BIGNUM *r,
                     const EC_POINT *pt);

/* HashToIntegerRange(s, n, SHA-256) of RFC 6508 §5.1. */
int sakke_hash_to_range(const uint8_t *s, size_t s_len, const BIGNUM *n, BIGNUM *out, BN_CTX *bn);

#endif
