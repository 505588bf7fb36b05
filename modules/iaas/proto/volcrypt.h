/* volcrypt.h — volume encryption: AES-256-XTS (IEEE 1619) over 512-octet sectors, the tweak being
 * the sector's number inside the volume, and the volume's data key wrapped under its tenant's key
 * (AES-256 key wrap, RFC 3394). Crypto-erase is destroying the wrapped data key. */
#ifndef IAAS_PROTO_VOLCRYPT_H
#define IAAS_PROTO_VOLCRYPT_H

#include <stddef.h>
#include <stdint.h>

#define VOL_SECTOR      512
#define VOL_KEY_BYTES   64 /* AES-256-XTS: two 256-bit halves */
#define VOL_KEK_BYTES   32
#define VOL_WRAPPED_KEY (VOL_KEY_BYTES + 8)

typedef struct vol_cipher vol_cipher_t;

/* A cipher context keyed once with a data key (the halves must differ); NULL on failure. */
vol_cipher_t *vol_cipher_new(const uint8_t key[VOL_KEY_BYTES]);
void vol_cipher_free(vol_cipher_t *c);
/* Encrypts (enc = 1) or decrypts len octets (a multiple of VOL_SECTOR) in place, the first sector
 * being number first_sector of the volume. */
int vol_cipher_crypt(vol_cipher_t *c, uint64_t first_sector, uint8_t *buf, size_t len, int enc);

int vol_key_wrap(const uint8_t kek[VOL_KEK_BYTES], const uint8_t key[VOL_KEY_BYTES],
                 uint8_t out[VOL_WRAPPED_KEY]);
/* -1 when the wrapped key does not unwrap under kek (the integrity check of RFC 3394 §2.2.3). */
int vol_key_unwrap(const uint8_t kek[VOL_KEK_BYTES], const uint8_t in[VOL_WRAPPED_KEY],
                   uint8_t key[VOL_KEY_BYTES]);

#endif
