/* migration.h — one frame of a live-migration stream: seq u32 | flags u8 (last) | page u16 | data.
 * Protected, it is sealed with AES-256-GCM under the hypervisors' migration key (IV = stream id ||
 * seq, the header as AAD); in the clear it is what QEMU sends by default: no confidentiality, no
 * integrity. */
#ifndef IAAS_PROTO_MIGRATION_H
#define IAAS_PROTO_MIGRATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MIG_PAGE      1024
#define MIG_HEADER    (1 + 4 + 4 + 1 + 2)
#define MIG_TAG       16
#define MIG_FRAME_MAX (MIG_HEADER + MIG_PAGE + MIG_TAG)
#define MIG_KEY_BYTES 32
#define MIG_FLAG_LAST 1

typedef struct {
    bool sealed;
    uint32_t stream, seq;
    uint8_t flags;
    uint16_t page;
    uint8_t data[MIG_PAGE];
} mig_frame_t;

/* key NULL: a clear frame. */
int mig_frame_encode(const mig_frame_t *f, const uint8_t *key, uint8_t *out, size_t cap,
                     size_t *len);
/* Decodes, and opens a sealed frame with key (NULL: a sealed frame is refused). -1 for a malformed
 * frame or a tag that does not verify. */
int mig_frame_decode(const uint8_t *buf, size_t len, const uint8_t *key, mig_frame_t *f);

#endif
