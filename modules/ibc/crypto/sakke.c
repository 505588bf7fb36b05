/* sakke.c — SAKKE (RFC 6508): KMS key derivation, receiver key validation, encapsulation and
 * decapsulation with parameter set 1 of RFC 6509, on top of sakke_pairing.c. */
#include "crypto/sakke.h"

#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/ibccrypto.h"
#include "crypto/sakke_pairing.h"

/* What sender and receiver share: the parameters and one identity under one KMS. */
typedef struct {
    sakke_params_t *sp;
    uint8_t *id; /* identifier octets b */
    size_t id_len;
    EC_POINT *t;        /* [b]P + Z (RFC 6508 §6.2.1 step 2, precomputed per identity) */
    sakke_comb_t *comb; /* multiples of t for fast [r]([b]P + Z) */
} sakke_identity_t;

struct sakke_sender {
    sakke_identity_t ident;
};

struct sakke_receiver {
    sakke_identity_t ident;
    sakke_lines_t *rsk_lines; /* Miller lines of RSK: secret */
};

static void sakke_identity_fini(sakke_identity_t *ident)
{
    sakke_comb_destroy(&ident->comb);
    EC_POINT_free(ident->t);
    OPENSSL_free(ident->id);
    sakke_params_destroy(&ident->sp);
    memset(ident, 0, sizeof *ident);
}

/* Sets up the parameters, checks Z (order q), computes [b]P + Z and its table. */
static int sakke_identity_compute(sakke_identity_t *ident, const uint8_t *zpub, size_t zpub_len,
                                  const uint8_t *id, size_t id_len)
{
    memset(ident, 0, sizeof *ident);
    if (!(ident->sp = sakke_params_new()))
        return -1;
    sakke_params_t *sp = ident->sp;
    EC_POINT *z = EC_POINT_new(sp->group);
    ident->t = EC_POINT_new(sp->group);
    ident->id = OPENSSL_memdup(id, id_len);
    ident->id_len = id_len;
    BN_CTX_start(sp->bn);
    BIGNUM *b = BN_CTX_get(sp->bn);
    int rc = -1;
    if (!b || !z || !ident->t || !ident->id) {
        ibccrypto_set_error("sakke: out of memory");
        goto done;
    }
    if (sakke_point_decode(sp, zpub, zpub_len, z, SAKKE_ORDER_PUBLIC, "KMS public key Z") != 0)
        goto done;
    if (!BN_bin2bn(id, (int)id_len, b) || !BN_nnmod(b, b, sp->q, sp->bn)
        || !EC_POINT_mul(sp->group, ident->t, b, z, BN_value_one(), sp->bn))
        goto done;
    if (EC_POINT_is_at_infinity(sp->group, ident->t)) {
        ibccrypto_set_error("sakke: [b]P + Z is the point at infinity for this identifier");
        goto done;
    }
    if (!(ident->comb = sakke_comb_new(sp, ident->t)))
        goto done;
    rc = 0;
done:
    BN_CTX_end(sp->bn);
    EC_POINT_free(z);
    if (rc != 0) {
        if (!ibccrypto_last_error()[0])
            ibccrypto_set_error("sakke: cannot set up the identity");
        sakke_identity_fini(ident);
    }
    return rc;
}

/* dst = a copy of src (fresh parameters, the same identifier, [b]P + Z and table): what src
 * checked and precomputed, for another context of the same identity. */
static int sakke_identity_copy(sakke_identity_t *dst, const sakke_identity_t *src)
{
    memset(dst, 0, sizeof *dst);
    if (!(dst->sp = sakke_params_new()))
        return -1;
    dst->id = OPENSSL_memdup(src->id, src->id_len);
    dst->id_len = src->id_len;
    dst->t = EC_POINT_dup(src->t, dst->sp->group);
    dst->comb = dst->t ? sakke_comb_dup(dst->sp, src->comb) : NULL;
    if (!dst->id || !dst->t || !dst->comb) {
        ibccrypto_set_error("sakke: out of memory");
        sakke_identity_fini(dst);
        return -1;
    }
    return 0;
}

/* Process-wide memo of identity set-ups. Everything in it is public (Z, b, [b]P + Z and its
 * multiples) and a pure function of (Z, b): a run's arms, the periods of a domain and the
 * entities of one run set up the same identities again and again, and each set-up costs tens of
 * milliseconds (the table). A hit hands out a copy of what the first set-up checked and computed,
 * so an identity's Z was validated once for those exact octets. Bounded: SAKKE_MEMO_SLOTS entries
 * of about 0.25 MB, the least recently used replaced. */
#define SAKKE_MEMO_SLOTS 32

typedef struct {
    sakke_identity_t ident; /* ident.sp NULL: empty */
    uint8_t zpub[SAKKE_POINT_BYTES];
    uint64_t used;
} sakke_memo_slot_t;

static struct {
    pthread_mutex_t lock;
    sakke_memo_slot_t slot[SAKKE_MEMO_SLOTS];
    uint64_t clock;
} sakke_memo = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* 0 and *ident set up from the memo, 1 if (Z, b) is not in it, -1 on error. */
static int sakke_memo_get(sakke_identity_t *ident, const uint8_t *zpub, const uint8_t *id,
                          size_t id_len)
{
    int rc = 1;
    pthread_mutex_lock(&sakke_memo.lock);
    for (size_t i = 0; i < SAKKE_MEMO_SLOTS; i++) {
        sakke_memo_slot_t *m = &sakke_memo.slot[i];
        if (m->ident.sp && m->ident.id_len == id_len && memcmp(m->ident.id, id, id_len) == 0
            && memcmp(m->zpub, zpub, SAKKE_POINT_BYTES) == 0) {
            m->used = ++sakke_memo.clock;
            rc = sakke_identity_copy(ident, &m->ident) == 0 ? 0 : -1;
            break;
        }
    }
    pthread_mutex_unlock(&sakke_memo.lock);
    return rc;
}

/* Keeps a copy of a fresh set-up in the least recently used slot (nothing if out of memory). */
static void sakke_memo_put(const sakke_identity_t *ident, const uint8_t *zpub)
{
    pthread_mutex_lock(&sakke_memo.lock);
    sakke_memo_slot_t *m = &sakke_memo.slot[0];
    for (size_t i = 1; i < SAKKE_MEMO_SLOTS && m->ident.sp; i++)
        if (!sakke_memo.slot[i].ident.sp || sakke_memo.slot[i].used < m->used)
            m = &sakke_memo.slot[i];
    if (m->ident.sp)
        sakke_identity_fini(&m->ident);
    if (sakke_identity_copy(&m->ident, ident) == 0) {
        memcpy(m->zpub, zpub, SAKKE_POINT_BYTES);
        m->used = ++sakke_memo.clock;
    }
    pthread_mutex_unlock(&sakke_memo.lock);
}

/* An identity: from the memo, or computed (and then remembered). */
static int sakke_identity_init(sakke_identity_t *ident, const uint8_t *zpub, size_t zpub_len,
                               const uint8_t *id, size_t id_len)
{
    memset(ident, 0, sizeof *ident);
    if (!id || id_len == 0 || id_len > SAKKE_MAX_ID) {
        ibccrypto_set_error("sakke: an identifier is 1..%d octets, got %zu", SAKKE_MAX_ID, id_len);
        return -1;
    }
    int memo = zpub && zpub_len == SAKKE_POINT_BYTES;
    int rc = memo ? sakke_memo_get(ident, zpub, id, id_len) : 1;
    if (rc <= 0)
        return rc;
    if (sakke_identity_compute(ident, zpub, zpub_len, id, id_len) != 0)
        return -1;
    if (memo)
        sakke_memo_put(ident, zpub);
    return 0;
}

/* Loads the KMS master secret and checks it is in [1, q-1]. */
static int sakke_load_z(const sakke_params_t *sp, BIGNUM *zb, const uint8_t *z, size_t z_len)
{
    if (!z || z_len == 0 || z_len > SAKKE_FP_BYTES || !BN_bin2bn(z, (int)z_len, zb)
        || BN_is_zero(zb) || BN_cmp(zb, sp->q) >= 0) {
        ibccrypto_set_error("sakke: the master secret z must be 1..%d octets and in [1, q-1]",
                            SAKKE_FP_BYTES);
        return -1;
    }
    return 0;
}

/* The table of P: built once per process (P is a constant of parameter set 1), copied into each
 * KMS context. */
static struct {
    pthread_mutex_t lock;
    sakke_params_t *sp;
    sakke_comb_t *comb;
} sakke_base = {.lock = PTHREAD_MUTEX_INITIALIZER};

static sakke_comb_t *sakke_base_comb(const sakke_params_t *sp)
{
    pthread_mutex_lock(&sakke_base.lock);
    if (!sakke_base.sp)
        sakke_base.sp = sakke_params_new();
    if (sakke_base.sp && !sakke_base.comb)
        sakke_base.comb =
            sakke_comb_new(sakke_base.sp, EC_GROUP_get0_generator(sakke_base.sp->group));
    sakke_comb_t *c = sakke_base.comb ? sakke_comb_dup(sp, sakke_base.comb) : NULL;
    pthread_mutex_unlock(&sakke_base.lock);
    return c;
}

int sakke_kms_public_key(const uint8_t *z, size_t z_len, uint8_t zpub[SAKKE_POINT_BYTES])
{
    ibccrypto_clear_error();
    sakke_params_t *sp = sakke_params_new();
    if (!sp)
        return -1;
    int rc = -1;
    BIGNUM *zb = BN_secure_new();
    EC_POINT *pt = EC_POINT_new(sp->group);
    if (zb && pt) {
        BN_set_flags(zb, BN_FLG_CONSTTIME);
        sakke_comb_t *base = sakke_load_z(sp, zb, z, z_len) == 0 ? sakke_base_comb(sp) : NULL;
        if (base && sakke_comb_mul(sp, base, zb, pt) == 0) /* Z = [z]P, constant-time scan */
            rc = sakke_point_encode(sp, pt, zpub);
        sakke_comb_destroy(&base);
    }
    BN_clear_free(zb);
    EC_POINT_clear_free(pt);
    sakke_params_destroy(&sp);
    return rc;
}

struct sakke_kms {
    sakke_params_t *sp;
    sakke_comb_t *comb; /* multiples of P */
};

sakke_kms_t *sakke_kms_new(void)
{
    ibccrypto_clear_error();
    sakke_kms_t *k = OPENSSL_zalloc(sizeof *k);
    if (!k || !(k->sp = sakke_params_new()) || !(k->comb = sakke_base_comb(k->sp))) {
        sakke_kms_destroy(&k);
        return NULL;
    }
    return k;
}

void sakke_kms_destroy(sakke_kms_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sakke_comb_destroy(&(*self_p)->comb);
    sakke_params_destroy(&(*self_p)->sp);
    OPENSSL_free(*self_p);
    *self_p = NULL;
}

/* RFC 6508 §6.1.1: RSK = [(b + z)^-1 mod q]P, under sp; by the comb of P when there is one (its
 * constant-time scan), else by OpenSSL's ladder. */
static int kms_rsk(sakke_params_t *sp, const sakke_comb_t *comb, const uint8_t *z, size_t z_len,
                   const uint8_t *id, size_t id_len, uint8_t rsk[SAKKE_POINT_BYTES])
{
    if (!id || id_len == 0 || id_len > SAKKE_MAX_ID) {
        ibccrypto_set_error("sakke: an identifier is 1..%d octets, got %zu", SAKKE_MAX_ID, id_len);
        return -1;
    }
    int rc = -1;
    BIGNUM *zb = BN_secure_new(), *k = BN_secure_new(), *b = BN_new();
    EC_POINT *pt = EC_POINT_new(sp->group);
    if (zb && k && b && pt) {
        BN_set_flags(zb, BN_FLG_CONSTTIME);
        BN_set_flags(k, BN_FLG_CONSTTIME);
        /* b (public) reduced in the open; the sum with the secret z by the masked addition */
        if (sakke_load_z(sp, zb, z, z_len) == 0 && BN_bin2bn(id, (int)id_len, b)
            && BN_nnmod(b, b, sp->q, sp->bn) && BN_mod_add_quick(k, b, zb, sp->q)) {
            if (BN_is_zero(k))
                ibccrypto_set_error("sakke: b + z = 0 mod q; this identifier has no key");
            else if (ibccrypto_bn_mod_inverse_ct(k, k, sp->q, sp->bn) == 0
                     && (comb ? sakke_comb_mul(sp, comb, k, pt) == 0
                              : EC_POINT_mul(sp->group, pt, k, NULL, NULL, sp->bn) == 1))
                rc = sakke_point_encode(sp, pt, rsk);
        }
    }
    BN_clear_free(zb);
    BN_clear_free(k);
    BN_free(b);
    EC_POINT_clear_free(pt);
    if (rc != 0 && !ibccrypto_last_error()[0])
        ibccrypto_set_error("sakke: RSK derivation failed");
    return rc;
}

int sakke_kms_rsk(const uint8_t *z, size_t z_len, const uint8_t *id, size_t id_len,
                  uint8_t rsk[SAKKE_POINT_BYTES])
{
    ibccrypto_clear_error();
    sakke_params_t *sp = sakke_params_new();
    int rc = sp ? kms_rsk(sp, NULL, z, z_len, id, id_len, rsk) : -1;
    sakke_params_destroy(&sp);
    return rc;
}

int sakke_kms_rsk_with(sakke_kms_t *kms, const uint8_t *z, size_t z_len, const uint8_t *id,
                       size_t id_len, uint8_t rsk[SAKKE_POINT_BYTES])
{
    ibccrypto_clear_error();
    return kms ? kms_rsk(kms->sp, kms->comb, z, z_len, id, id_len, rsk) : -1;
}

sakke_sender_t *sakke_sender_new(const uint8_t *zpub, size_t zpub_len, const uint8_t *id,
                                 size_t id_len)
{
    ibccrypto_clear_error();
    sakke_sender_t *self = OPENSSL_zalloc(sizeof *self);
    if (!self || sakke_identity_init(&self->ident, zpub, zpub_len, id, id_len) != 0) {
        OPENSSL_free(self);
        return NULL;
    }
    return self;
}

void sakke_sender_destroy(sakke_sender_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sakke_identity_fini(&(*self_p)->ident);
    OPENSSL_free(*self_p);
    *self_p = NULL;
}

/* r = HashToIntegerRange(SSV || b, q) (RFC 6508 §6.2.1 step 1). */
static int sakke_derive_r(const sakke_identity_t *ident, const uint8_t ssv[SAKKE_SSV_BYTES],
                          BIGNUM *r)
{
    size_t len = SAKKE_SSV_BYTES + ident->id_len;
    uint8_t *buf = OPENSSL_malloc(len);
    if (!buf)
        return -1;
    memcpy(buf, ssv, SAKKE_SSV_BYTES);
    memcpy(buf + SAKKE_SSV_BYTES, ident->id, ident->id_len);
    int rc = sakke_hash_to_range(buf, len, ident->sp->q, r, ident->sp->bn);
    OPENSSL_clear_free(buf, len);
    return rc;
}

/* mask = HashToIntegerRange(w, 2^n) for a representative w (RFC 6508 §6.2.1 step 4). */
static int sakke_derive_mask(const sakke_params_t *sp, const BIGNUM *w,
                             uint8_t mask[SAKKE_SSV_BYTES])
{
    uint8_t wbuf[SAKKE_FP_BYTES];
    int rc = -1;
    BN_CTX_start(sp->bn);
    BIGNUM *n = BN_CTX_get(sp->bn), *m = BN_CTX_get(sp->bn);
    if (m && BN_bn2binpad(w, wbuf, SAKKE_FP_BYTES) == SAKKE_FP_BYTES
        && BN_set_bit(n, 8 * SAKKE_SSV_BYTES)
        && sakke_hash_to_range(wbuf, SAKKE_FP_BYTES, n, m, sp->bn) == 0
        && BN_bn2binpad(m, mask, SAKKE_SSV_BYTES) == SAKKE_SSV_BYTES)
        rc = 0;
    if (m)
        BN_clear(m);
    BN_CTX_end(sp->bn);
    OPENSSL_cleanse(wbuf, sizeof wbuf);
    return rc;
}

/* RFC 6508 §6.2.1. */
int sakke_sender_encapsulate(sakke_sender_t *self, const uint8_t ssv[SAKKE_SSV_BYTES],
                             uint8_t sed[SAKKE_SED_BYTES], sakke_trace_t *trace)
{
    ibccrypto_clear_error();
    sakke_identity_t *ident = &self->ident;
    sakke_params_t *sp = ident->sp;
    uint8_t mask[SAKKE_SSV_BYTES];
    int rc = -1;
    EC_POINT *rp = EC_POINT_new(sp->group);
    BN_CTX_start(sp->bn);
    BIGNUM *r = BN_CTX_get(sp->bn), *gr = BN_CTX_get(sp->bn);
    if (!gr || !rp)
        goto done;
    BN_set_flags(r, BN_FLG_CONSTTIME);
    /* step 1: r; step 2: R = [r]([b]P + Z) */
    if (sakke_derive_r(ident, ssv, r) != 0)
        goto done;
    if (BN_is_zero(r)) {
        ibccrypto_set_error("sakke: this SSV gives r = 0; choose another SSV");
        goto done;
    }
    if (sakke_comb_mul(sp, ident->comb, r, rp) != 0 || sakke_point_encode(sp, rp, sed) != 0)
        goto done;
    /* steps 3-4: g^r, H = SSV XOR HashToIntegerRange(g^r, 2^n) */
    if (sakke_gt_pow(sp, sp->g, r, gr) != 0 || sakke_derive_mask(sp, gr, mask) != 0)
        goto done;
    for (size_t i = 0; i < SAKKE_SSV_BYTES; i++)
        sed[SAKKE_POINT_BYTES + i] = ssv[i] ^ mask[i];
    if (trace
        && (BN_bn2binpad(r, trace->r, SAKKE_FP_BYTES) != SAKKE_FP_BYTES
            || BN_bn2binpad(gr, trace->gr, SAKKE_FP_BYTES) != SAKKE_FP_BYTES))
        goto done;
    if (trace)
        memcpy(trace->mask, mask, SAKKE_SSV_BYTES);
    rc = 0;
done:
    if (rc != 0 && !ibccrypto_last_error()[0])
        ibccrypto_set_error("sakke: encapsulation failed");
    if (gr) {
        BN_clear(r);
        BN_clear(gr);
    }
    BN_CTX_end(sp->bn);
    EC_POINT_clear_free(rp);
    OPENSSL_cleanse(mask, sizeof mask);
    return rc;
}

/* The receiver part of set-up, on an identity already set up: RSK decoded (order q), its Miller
 * lines, and RFC 6508 §6.1.2. Destroys self and returns NULL on failure. */
static sakke_receiver_t *sakke_receiver_finish(sakke_receiver_t *self, const uint8_t *rsk,
                                               size_t rsk_len)
{
    sakke_params_t *sp = self->ident.sp;
    EC_POINT *k = EC_POINT_new(sp->group);
    BIGNUM *w = BN_new();
    /* the order of the RSK is checked by its Miller loop (sakke_lines_new) */
    int ok = k && w && sakke_point_decode(sp, rsk, rsk_len, k, 0, "RSK") == 0
             && (self->rsk_lines = sakke_lines_new(sp, k))
             /* RFC 6508 §6.1.2: <[b]P + Z, RSK> == g, computed as <RSK, [b]P + Z> (symmetric) */
             && sakke_lines_pair(sp, self->rsk_lines, self->ident.t, w) == 0;
    if (ok && BN_cmp(w, sp->g) != 0) {
        ibccrypto_set_error("sakke: RSK does not match this identifier and KMS (RFC 6508 §6.1.2)");
        ok = 0;
    }
    EC_POINT_clear_free(k);
    BN_free(w);
    if (!ok)
        sakke_receiver_destroy(&self);
    return self;
}

sakke_receiver_t *sakke_receiver_new(const uint8_t *zpub, size_t zpub_len, const uint8_t *id,
                                     size_t id_len, const uint8_t *rsk, size_t rsk_len)
{
    ibccrypto_clear_error();
    sakke_receiver_t *self = OPENSSL_zalloc(sizeof *self);
    if (!self || sakke_identity_init(&self->ident, zpub, zpub_len, id, id_len) != 0) {
        OPENSSL_free(self);
        return NULL;
    }
    return sakke_receiver_finish(self, rsk, rsk_len);
}

sakke_receiver_t *sakke_receiver_new_from_sender(const sakke_sender_t *sender, const uint8_t *rsk,
                                                 size_t rsk_len)
{
    ibccrypto_clear_error();
    sakke_receiver_t *self = OPENSSL_zalloc(sizeof *self);
    if (!self || !sender || sakke_identity_copy(&self->ident, &sender->ident) != 0) {
        if (!sender)
            ibccrypto_set_error("sakke: no sender to build the receiver from");
        OPENSSL_free(self);
        return NULL;
    }
    return sakke_receiver_finish(self, rsk, rsk_len);
}

void sakke_receiver_destroy(sakke_receiver_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sakke_lines_destroy(&(*self_p)->rsk_lines);
    sakke_identity_fini(&(*self_p)->ident);
    OPENSSL_free(*self_p);
    *self_p = NULL;
}

/* RFC 6508 §6.2.2. R is checked to be on E here; its membership of the order-q subgroup follows
 * from the final check [r]([b]P + Z) == R, since [b]P + Z has order q. */
int sakke_receiver_decapsulate(sakke_receiver_t *self, const uint8_t *sed, size_t sed_len,
                               uint8_t ssv[SAKKE_SSV_BYTES])
{
    return sakke_receiver_decapsulate_ex(self, sed, sed_len, ssv, 0);
}

int sakke_receiver_decapsulate_ex(sakke_receiver_t *self, const uint8_t *sed, size_t sed_len,
                                  uint8_t ssv[SAKKE_SSV_BYTES], unsigned flags)
{
    ibccrypto_clear_error();
    sakke_identity_t *ident = &self->ident;
    sakke_params_t *sp = ident->sp;
    uint8_t mask[SAKKE_SSV_BYTES];
    int rc = -1;
    memset(ssv, 0, SAKKE_SSV_BYTES);
    if (!sed || sed_len != SAKKE_SED_BYTES) {
        ibccrypto_set_error("sakke: SED is %d octets (04 || Rx || Ry || H), got %zu",
                            SAKKE_SED_BYTES, sed_len);
        return -1;
    }
    EC_POINT *rp = EC_POINT_new(sp->group);
    BN_CTX_start(sp->bn);
    BIGNUM *w = BN_CTX_get(sp->bn), *r = BN_CTX_get(sp->bn);
    if (!r || !rp)
        goto done;
    BN_set_flags(r, BN_FLG_CONSTTIME);
    if (sakke_point_decode(sp, sed, SAKKE_POINT_BYTES, rp, 0, "SED point R") != 0)
        goto done;
    /* step 1: w = <R, RSK>; step 2: SSV = H XOR HashToIntegerRange(w, 2^n) */
    if (sakke_lines_pair(sp, self->rsk_lines, rp, w) != 0 || sakke_derive_mask(sp, w, mask) != 0)
        goto done;
    for (size_t i = 0; i < SAKKE_SSV_BYTES; i++)
        ssv[i] = sed[SAKKE_POINT_BYTES + i] ^ mask[i];
    /* steps 3-4: r = HashToIntegerRange(SSV || b, q), TEST = [r]([b]P + Z) must equal R */
    if (flags & SAKKE_DECAP_NO_R_CHECK) {
        rc = 0;
        goto done;
    }
    if (sakke_derive_r(ident, ssv, r) != 0)
        goto done;
    if (sakke_comb_check(sp, ident->comb, r, rp) != 0) {
        ibccrypto_set_error("sakke: SED fails the RFC 6508 §6.2.2 check [r]([b]P + Z) == R");
        goto done;
    }
    rc = 0;
done:
    if (rc != 0) {
        OPENSSL_cleanse(ssv, SAKKE_SSV_BYTES);
        if (!ibccrypto_last_error()[0])
            ibccrypto_set_error("sakke: decapsulation failed");
    }
    if (r) {
        BN_clear(w);
        BN_clear(r);
    }
    BN_CTX_end(sp->bn);
    EC_POINT_free(rp);
    OPENSSL_cleanse(mask, sizeof mask);
    return rc;
}

int sakke_validate_rsk(const uint8_t *zpub, size_t zpub_len, const uint8_t *id, size_t id_len,
                       const uint8_t *rsk, size_t rsk_len)
{
    ibccrypto_clear_error();
    if (!id || id_len == 0 || id_len > SAKKE_MAX_ID) {
        ibccrypto_set_error("sakke: an identifier is 1..%d octets, got %zu", SAKKE_MAX_ID, id_len);
        return -1;
    }
    sakke_params_t *sp = sakke_params_new();
    if (!sp)
        return -1;
    EC_POINT *z = EC_POINT_new(sp->group), *t = EC_POINT_new(sp->group),
             *k = EC_POINT_new(sp->group);
    BIGNUM *b = BN_new(), *w = BN_new();
    sakke_lines_t *lines = NULL;
    int rc = -1;
    if (z && t && k && b && w
        && sakke_point_decode(sp, zpub, zpub_len, z, SAKKE_ORDER_PUBLIC, "KMS public key Z") == 0
        && sakke_point_decode(sp, rsk, rsk_len, k, 0, "RSK") == 0 /* order: by its lines */
        && BN_bin2bn(id, (int)id_len, b) && BN_nnmod(b, b, sp->q, sp->bn)
        && EC_POINT_mul(sp->group, t, b, z, BN_value_one(), sp->bn)
        && !EC_POINT_is_at_infinity(sp->group, t) && (lines = sakke_lines_new(sp, k))
        && sakke_lines_pair(sp, lines, t, w) == 0) {
        if (BN_cmp(w, sp->g) == 0)
            rc = 0;
        else
            ibccrypto_set_error(
                "sakke: RSK does not match this identifier and KMS (RFC 6508 §6.1.2)");
    }
    if (rc != 0 && !ibccrypto_last_error()[0])
        ibccrypto_set_error("sakke: RSK validation failed");
    sakke_lines_destroy(&lines);
    EC_POINT_free(z);
    EC_POINT_free(t);
    EC_POINT_clear_free(k);
    BN_free(b);
    BN_free(w);
    sakke_params_destroy(&sp);
    return rc;
}

int sakke_encapsulate(const uint8_t *zpub, size_t zpub_len, const uint8_t *id, size_t id_len,
                      const uint8_t ssv[SAKKE_SSV_BYTES], uint8_t sed[SAKKE_SED_BYTES])
{
    sakke_sender_t *s = sakke_sender_new(zpub, zpub_len, id, id_len);
    int rc = s ? sakke_sender_encapsulate(s, ssv, sed, NULL) : -1;
    sakke_sender_destroy(&s);
    return rc;
}

int sakke_decapsulate(const uint8_t *zpub, size_t zpub_len, const uint8_t *id, size_t id_len,
                      const uint8_t *rsk, size_t rsk_len, const uint8_t *sed, size_t sed_len,
                      uint8_t ssv[SAKKE_SSV_BYTES])
{
    sakke_receiver_t *r = sakke_receiver_new(zpub, zpub_len, id, id_len, rsk, rsk_len);
    int rc = r ? sakke_receiver_decapsulate(r, sed, sed_len, ssv) : -1;
    if (!r)
        memset(ssv, 0, SAKKE_SSV_BYTES);
    sakke_receiver_destroy(&r);
    return rc;
}

int sakke_point_check(const uint8_t *buf, size_t len)
{
    ibccrypto_clear_error();
    sakke_params_t *sp = sakke_params_new();
    EC_POINT *pt = sp ? EC_POINT_new(sp->group) : NULL;
    int rc = pt ? sakke_point_decode(sp, buf, len, pt, SAKKE_ORDER_SECRET, "point") : -1;
    EC_POINT_free(pt);
    sakke_params_destroy(&sp);
    return rc;
}

int sakke_public_point_check(const uint8_t *buf, size_t len)
{
    ibccrypto_clear_error();
    sakke_params_t *sp = sakke_params_new();
    EC_POINT *pt = sp ? EC_POINT_new(sp->group) : NULL;
    int rc = pt ? sakke_point_decode(sp, buf, len, pt, SAKKE_ORDER_PUBLIC, "point") : -1;
    EC_POINT_free(pt);
    sakke_params_destroy(&sp);
    return rc;
}

int sakke_pairing(const uint8_t a[SAKKE_POINT_BYTES], const uint8_t b[SAKKE_POINT_BYTES],
                  uint8_t out[SAKKE_FP_BYTES])
{
    ibccrypto_clear_error();
    sakke_params_t *sp = sakke_params_new();
    if (!sp)
        return -1;
    EC_POINT *pa = EC_POINT_new(sp->group), *pb = EC_POINT_new(sp->group);
    BIGNUM *w = BN_new();
    sakke_lines_t *lines = NULL;
    int rc = -1;
    if (pa && pb && w
        && sakke_point_decode(sp, a, SAKKE_POINT_BYTES, pa, 0, "first point") == 0 /* by lines */
        && sakke_point_decode(sp, b, SAKKE_POINT_BYTES, pb, SAKKE_ORDER_SECRET, "second point") == 0
        && (lines = sakke_lines_new(sp, pa)) && sakke_lines_pair(sp, lines, pb, w) == 0
        && BN_bn2binpad(w, out, SAKKE_FP_BYTES) == SAKKE_FP_BYTES)
        rc = 0;
    sakke_lines_destroy(&lines);
    EC_POINT_free(pa);
    EC_POINT_free(pb);
    BN_free(w);
    sakke_params_destroy(&sp);
    return rc;
}

int sakke_base_point(uint8_t out[SAKKE_POINT_BYTES])
{
    sakke_params_t *sp = sakke_params_new();
    int rc = sp ? sakke_point_encode(sp, EC_GROUP_get0_generator(sp->group), out) : -1;
    sakke_params_destroy(&sp);
    return rc;
}
