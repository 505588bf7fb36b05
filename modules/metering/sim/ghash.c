/* sim/ghash.c — the eavesdropper's algebra on AES-GCM, in GF(2^128) as GCM defines it (the first
 * octet's top bit is the coefficient of x^0; modulus x^128 + x^7 + x^2 + x + 1), computed with
 * OpenSSL's BN_GF2m arithmetic. Two frames protected under one key with one IV have tags that
 * differ by GHASH_H of their difference alone (E_K(J0) and every AAD block they share cancel), so
 * such pairs give equations in the GHASH key H; once H is known, the tag of a frame altered by a
 * chosen difference follows from the captured tag (NIST SP 800-38D §6.4 GHASH, §7.1 the tag;
 * the nonce-reuse forgery is Joux's "forbidden attack" comment on GCM, adapted here to 96-bit
 * tags). Used by attacks.c only; nothing here sees the run. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>

#include "sim/metering_sim.h"

#define GF_BITS   128
#define TAG_BITS  (8 * DLMS_TAG_LEN)  /* a suite-0 tag keeps the first 96 bits */
#define UNKNOWNS  (2 * GF_BITS)       /* H^3 (linearised) and H */
#define ROW_WORDS (UNKNOWNS / 64 + 1) /* the unknowns' coefficients and the right-hand side */
#define MAX_PAIRS 8                   /* 768 equations for 256 unknowns */

static const int gcm_poly[] = {128, 7, 2, 1, 0, -1};

static int gf_load(BIGNUM *r, const uint8_t b[MSIM_GF_LEN])
{
    BN_zero(r);
    for (int i = 0; i < GF_BITS; i++)
        if (((b[i / 8] >> (7 - i % 8)) & 1) && !BN_set_bit(r, i))
            return -1;
    return 0;
}

static void gf_store(const BIGNUM *a, uint8_t b[MSIM_GF_LEN])
{
    memset(b, 0, MSIM_GF_LEN);
    for (int i = 0; i < GF_BITS; i++)
        if (BN_is_bit_set(a, i))
            b[i / 8] |= (uint8_t)(0x80u >> (i % 8));
}

static bool gf_bit(const uint8_t b[MSIM_GF_LEN], int i)
{
    return (b[i / 8] >> (7 - i % 8)) & 1;
}

/* out = a * b; 0 or -1 (OpenSSL failure). */
static int gf_mul_bn(BN_CTX *bn, const uint8_t a[MSIM_GF_LEN], const uint8_t b[MSIM_GF_LEN],
                     uint8_t out[MSIM_GF_LEN])
{
    BN_CTX_start(bn);
    BIGNUM *x = BN_CTX_get(bn), *y = BN_CTX_get(bn), *r = BN_CTX_get(bn);
    int rc = !r || gf_load(x, a) || gf_load(y, b) || !BN_GF2m_mod_mul_arr(r, x, y, gcm_poly, bn)
                 ? -1
                 : 0;
    if (rc == 0)
        gf_store(r, out);
    BN_CTX_end(bn);
    return rc;
}

int msim_gf_mul(const uint8_t a[MSIM_GF_LEN], const uint8_t b[MSIM_GF_LEN],
                uint8_t out[MSIM_GF_LEN])
{
    BN_CTX *bn = BN_CTX_new();
    int rc = bn ? gf_mul_bn(bn, a, b, out) : -1;
    BN_CTX_free(bn);
    return rc;
}

int msim_ghash_delta(const uint8_t h[MSIM_GF_LEN], const uint8_t *d, size_t len,
                     uint8_t out[MSIM_GF_LEN])
{
    BN_CTX *bn = BN_CTX_new();
    uint8_t x[MSIM_GF_LEN] = {0};
    int rc = bn ? 0 : -1;
    for (size_t off = 0; rc == 0 && off < len; off += MSIM_GF_LEN) {
        for (size_t k = 0; k < MSIM_GF_LEN && off + k < len; k++)
            x[k] ^= d[off + k];
        rc = gf_mul_bn(bn, x, h, x);
    }
    if (rc == 0) /* the length block: equal lengths, no difference */
        rc = gf_mul_bn(bn, x, h, x);
    if (rc == 0)
        memcpy(out, x, MSIM_GF_LEN);
    BN_CTX_free(bn);
    return rc;
}

static void row_set(uint64_t *row, int c)
{
    row[c / 64] |= (uint64_t)1 << (c % 64);
}

static bool row_get(const uint64_t *row, int c)
{
    return (row[c / 64] >> (c % 64)) & 1;
}

/* Gauss-Jordan over GF(2) on n rows of UNKNOWNS coefficients and a right-hand side. The columns
 * from `from` on must all get a pivot; their values (which then depend on no free unknown to
 * their left) go to sol, UNKNOWNS bits in GCM order. -1 when one of them stays free or the rows
 * contradict. */
static int solve(uint64_t (*rows)[ROW_WORDS], size_t n, int from, uint8_t sol[UNKNOWNS / 8])
{
    size_t r = 0;
    int pivot_row[UNKNOWNS];
    for (int c = 0; c < UNKNOWNS; c++) {
        size_t p = r;
        while (p < n && !row_get(rows[p], c))
            p++;
        pivot_row[c] = -1;
        if (p == n) {
            if (c >= from)
                return -1;
            continue;
        }
        if (p != r)
            for (int w = 0; w < ROW_WORDS; w++) {
                uint64_t t = rows[p][w];
                rows[p][w] = rows[r][w];
                rows[r][w] = t;
            }
        for (size_t q = 0; q < n; q++)
            if (q != r && row_get(rows[q], c))
                for (int w = 0; w < ROW_WORDS; w++)
                    rows[q][w] ^= rows[r][w];
        pivot_row[c] = (int)r++;
    }
    for (size_t q = r; q < n; q++) /* what is left reads 0 = rhs */
        if (row_get(rows[q], UNKNOWNS))
            return -1;
    memset(sol, 0, UNKNOWNS / 8);
    for (int c = from; c < UNKNOWNS; c++)
        if (row_get(rows[pivot_row[c]], UNKNOWNS))
            sol[c / 8] |= (uint8_t)(0x80u >> (c % 8));
    return 0;
}

/* The cube roots of u (none, or three): q - 1 = 2^128 - 1 = 3m with 3 prime to m, so when u is a
 * cube r0 = u^(3^-1 mod m) is one root and the others are r0 w, r0 w^2 with w a primitive cube root
 * of unity (t^m for some t, w != 1). Returns how many went to roots, or -1 (OpenSSL failure). */
static int gf_cube_roots(BN_CTX *bn, const uint8_t u[MSIM_GF_LEN], uint8_t roots[3][MSIM_GF_LEN])
{
    BN_CTX_start(bn);
    BIGNUM *m = BN_CTX_get(bn), *d = BN_CTX_get(bn), *three = BN_CTX_get(bn), *a = BN_CTX_get(bn),
           *r = BN_CTX_get(bn), *w = BN_CTX_get(bn), *t = BN_CTX_get(bn);
    int n = -1;
    if (!t || !BN_set_bit(m, 128) || !BN_sub_word(m, 1) || BN_div_word(m, 3) == (BN_ULONG)-1
        || !BN_set_word(three, 3) || !BN_mod_inverse(d, three, m, bn) || gf_load(a, u)
        || !BN_GF2m_mod_exp_arr(r, a, d, gcm_poly, bn))
        goto out;
    uint8_t r0[MSIM_GF_LEN], c[MSIM_GF_LEN], sq[MSIM_GF_LEN];
    gf_store(r, r0);
    if (gf_mul_bn(bn, r0, r0, sq) || gf_mul_bn(bn, sq, r0, c))
        goto out;
    if (memcmp(c, u, MSIM_GF_LEN) != 0) { /* not a cube */
        n = 0;
        goto out;
    }
    /* x, x + 1, x^2, ...: the first whose m-th power is not 1 (two in three are) */
    BN_ULONG k = 2;
    for (; k < 64; k++) {
        if (!BN_set_word(t, k) || !BN_GF2m_mod_exp_arr(w, t, m, gcm_poly, bn))
            goto out;
        if (!BN_is_one(w))
            break;
    }
    if (k == 64)
        goto out;
    uint8_t om[MSIM_GF_LEN];
    gf_store(w, om);
    memcpy(roots[0], r0, MSIM_GF_LEN);
    if (gf_mul_bn(bn, roots[0], om, roots[1]) || gf_mul_bn(bn, roots[1], om, roots[2]))
        goto out;
    n = 3;
out:
    BN_CTX_end(bn);
    return n;
}

/* The truncated tag difference D2 h^3 + D3 h^2 of a pair (see below) equals dt? */
static bool pair_holds(BN_CTX *bn, const uint8_t d2[MSIM_GF_LEN], const uint8_t d3[MSIM_GF_LEN],
                       const uint8_t h[MSIM_GF_LEN], const uint8_t *dt)
{
    uint8_t h2[MSIM_GF_LEN], h3[MSIM_GF_LEN], a[MSIM_GF_LEN], b[MSIM_GF_LEN];
    if (gf_mul_bn(bn, h, h, h2) || gf_mul_bn(bn, h2, h, h3) || gf_mul_bn(bn, d2, h3, a)
        || gf_mul_bn(bn, d3, h2, b))
        return false;
    for (size_t k = 0; k < DLMS_TAG_LEN; k++)
        if ((a[k] ^ b[k]) != dt[k])
            return false;
    return true;
}

/* The AAD difference of two HLS proofs: D2 = 00 || dc[0..14], D3 = dc[15] || 0. */
static void hls_deltas(const uint8_t *c0, const uint8_t *c1, uint8_t d2[MSIM_GF_LEN],
                       uint8_t d3[MSIM_GF_LEN])
{
    memset(d2, 0, MSIM_GF_LEN);
    memset(d3, 0, MSIM_GF_LEN);
    for (size_t k = 0; k + 1 < MSIM_CHALLENGE_LEN; k++)
        d2[k + 1] = c0[k] ^ c1[k];
    d3[0] = c0[MSIM_CHALLENGE_LEN - 1] ^ c1[MSIM_CHALLENGE_LEN - 1];
}

/* HLS proofs f(challenge) under one key and one IV: the GMAC tag over AAD = 10 || AK || challenge
 * (33 octets, three blocks B1 B2 B3) is B1 H^4 + B2 H^3 + B3 H^2 + L H + E_K(J0). Two of them
 * differ by D2 H^3 + D3 H^2 (B1 = 10 || AK[0..14] and L are the same), truncated to 96 bits.
 * Squaring is linear over GF(2), so with U = H^3 taken as a second unknown each pair gives 96
 * linear equations in 256 unknowns. D3 is a single octet, so the bits of H whose square it moves
 * into the 32 truncated bits stay undetermined; U is not (D2 fills the block), and with U's
 * columns last their values depend on no free unknown. H is then the cube root of U (there are
 * three) that satisfies every pair. */
int msim_ghash_key_from_hls(const uint8_t (*challenge)[MSIM_CHALLENGE_LEN],
                            const uint8_t (*tag)[DLMS_TAG_LEN], size_t n, uint8_t h[MSIM_GF_LEN])
{
    if (n < 4)
        return -1;
    size_t pairs = n - 1 < MAX_PAIRS ? n - 1 : MAX_PAIRS, nrows = pairs * TAG_BITS;
    uint64_t(*rows)[ROW_WORDS] = calloc(nrows, sizeof *rows);
    uint8_t(*sq)[MSIM_GF_LEN] = calloc(GF_BITS, sizeof *sq); /* x^(2k) */
    BN_CTX *bn = BN_CTX_new();
    int rc = -1;
    if (!rows || !sq || !bn)
        goto done;
    for (int k = 0; k < GF_BITS; k++) {
        uint8_t e[MSIM_GF_LEN] = {0};
        e[k / 8] = (uint8_t)(0x80u >> (k % 8));
        if (gf_mul_bn(bn, e, e, sq[k]))
            goto done;
    }
    /* columns 0..127: the bits of H; 128..255: the bits of U = H^3 */
    for (size_t o = 0; o < pairs; o++) {
        uint8_t d2[MSIM_GF_LEN], d3[MSIM_GF_LEN];
        hls_deltas(challenge[0], challenge[o + 1], d2, d3);
        uint64_t(*blk)[ROW_WORDS] = rows + o * TAG_BITS;
        for (int k = 0; k < GF_BITS; k++) {
            uint8_t e[MSIM_GF_LEN] = {0}, cu[MSIM_GF_LEN], ch[MSIM_GF_LEN];
            e[k / 8] = (uint8_t)(0x80u >> (k % 8));
            if (gf_mul_bn(bn, d2, e, cu) || gf_mul_bn(bn, d3, sq[k], ch))
                goto done;
            for (int b = 0; b < TAG_BITS; b++) {
                if (gf_bit(ch, b))
                    row_set(blk[b], k);
                if (gf_bit(cu, b))
                    row_set(blk[b], GF_BITS + k);
            }
        }
        for (int b = 0; b < TAG_BITS; b++)
            if (((tag[o + 1][b / 8] ^ tag[0][b / 8]) >> (7 - b % 8)) & 1)
                row_set(blk[b], UNKNOWNS);
    }
    uint8_t sol[UNKNOWNS / 8], roots[3][MSIM_GF_LEN];
    if (solve(rows, nrows, GF_BITS, sol))
        goto done;
    int nr = gf_cube_roots(bn, sol + MSIM_GF_LEN, roots), found = 0;
    for (int k = 0; k < nr; k++) {
        bool all = true;
        for (size_t o = 0; all && o + 1 < n; o++) {
            uint8_t d2[MSIM_GF_LEN], d3[MSIM_GF_LEN], dt[DLMS_TAG_LEN];
            hls_deltas(challenge[0], challenge[o + 1], d2, d3);
            for (size_t b = 0; b < DLMS_TAG_LEN; b++)
                dt[b] = tag[0][b] ^ tag[o + 1][b];
            all = pair_holds(bn, d2, d3, roots[k], dt);
        }
        if (all && found++ == 0)
            memcpy(h, roots[k], MSIM_GF_LEN);
    }
    rc = found == 1 ? 0 : -1; /* none, or two that fit every pair: H is not settled */
done:
    free(rows);
    free(sq);
    BN_CTX_free(bn);
    return rc;
}
