/* ibccrypto.c — the per-thread error message and shared BIGNUM helpers of the ibc crypto layer. */
#include "crypto/ibccrypto.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char error_buf[256];

void ibccrypto_set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error_buf, sizeof error_buf, fmt, ap);
    va_end(ap);
}

void ibccrypto_clear_error(void)
{
    error_buf[0] = '\0';
}

const char *ibccrypto_last_error(void)
{
    return error_buf;
}

int ibccrypto_bn_mod_inverse_ct(BIGNUM *r, const BIGNUM *a, const BIGNUM *m, BN_CTX *ctx)
{
    int rc = -1;
    BN_CTX_start(ctx);
    BIGNUM *e = BN_CTX_get(ctx);
    if (e && BN_copy(e, m) && BN_sub_word(e, 2) && !BN_is_zero(a)
        && BN_mod_exp_mont_consttime(r, a, e, m, ctx, NULL))
        rc = 0;
    BN_CTX_end(ctx);
    return rc;
}

int ibccrypto_bn_reserve(BIGNUM *a, int nwords)
{
    int top = nwords * BN_BITS2 - 1;
    if (BN_is_bit_set(a, top)) /* already nwords long */
        return 1;
    return BN_set_bit(a, top) && BN_clear_bit(a, top);
}
