/* ibccrypto.h — what ECCSI and SAKKE share: the last error message of the crypto layer (per
 * thread), so callers can say why a -1 happened, and two BIGNUM helpers. */
#ifndef IBCCRYPTO_H
#define IBCCRYPTO_H

#include <openssl/bn.h>

/* Records a printf-style message for the calling thread; never pass key material. */
__attribute__((format(printf, 1, 2))) void ibccrypto_set_error(const char *fmt, ...);

/* Forgets the calling thread's last message (public entry points call it first). */
void ibccrypto_clear_error(void);

/* The calling thread's last message ("" if none). Borrowed; valid until the next call. */
const char *ibccrypto_last_error(void);

/* r = a^-1 mod m for prime m by Fermat's little theorem (constant-time exponentiation), so
 * secret values are never inverted with the variable-time extended Euclid. 0 / -1. */
int ibccrypto_bn_mod_inverse_ct(BIGNUM *r, const BIGNUM *a, const BIGNUM *m, BN_CTX *ctx);

/* Makes a hold at least nwords words (value unchanged), as BN_consttime_swap requires. 1 / 0. */
int ibccrypto_bn_reserve(BIGNUM *a, int nwords);

#endif
