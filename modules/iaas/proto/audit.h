/* audit.h — audit trail records, hash-chained, and the signed anchors that pin the chain.
 *
 * A record: seq u64 | time u64 | kind u8 (API call or flow) | event u8 | outcome u8 | tenant u16 |
 * principal u32 | origin u32 | corr[16] | prev[32]. Its hash is SHA-256(record), and the next
 * record's prev is that hash: removing or changing a record breaks the chain from there on. An
 * anchor, seq u64 | head[32] | sig[64], is the trail service's ECDSA signature over the hash of
 * record seq; anchors are kept outside the audited account, so a verifier can tell a trail that
 * was cut short from one that was never longer. */
#ifndef IAAS_PROTO_AUDIT_H
#define IAAS_PROTO_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/sign.h"

#define AUDIT_CORR_BYTES   16
#define AUDIT_HASH_BYTES   32
#define AUDIT_RECORD_BYTES (8 + 8 + 1 + 1 + 1 + 2 + 4 + 4 + AUDIT_CORR_BYTES + AUDIT_HASH_BYTES)
#define AUDIT_ANCHOR_BYTES (8 + AUDIT_HASH_BYTES + SIGN_SIG_BYTES)

enum { AUDIT_KIND_API = 1, AUDIT_KIND_FLOW = 2 };
enum { AUDIT_ALLOWED = 0, AUDIT_DENIED = 1 };

typedef struct {
    uint64_t seq, time;
    uint8_t kind, event, outcome;
    uint16_t tenant;
    uint32_t principal, origin;
    uint8_t corr[AUDIT_CORR_BYTES];
    uint8_t prev[AUDIT_HASH_BYTES];
} audit_record_t;

typedef struct {
    uint64_t seq;
    uint8_t head[AUDIT_HASH_BYTES];
    uint8_t sig[SIGN_SIG_BYTES];
} audit_anchor_t;

void audit_record_encode(const audit_record_t *r, uint8_t out[AUDIT_RECORD_BYTES]);
int audit_record_decode(const uint8_t *buf, size_t len, audit_record_t *r);
/* SHA-256 of the encoded record. */
int audit_record_hash(const uint8_t enc[AUDIT_RECORD_BYTES], uint8_t hash[AUDIT_HASH_BYTES]);

int audit_anchor_sign(const uint8_t d[SIGN_PRIV_BYTES], uint64_t seq,
                      const uint8_t head[AUDIT_HASH_BYTES], audit_anchor_t *a);
bool audit_anchor_ok(const uint8_t pub[SIGN_PUB_BYTES], const audit_anchor_t *a);
void audit_anchor_encode(const audit_anchor_t *a, uint8_t out[AUDIT_ANCHOR_BYTES]);
int audit_anchor_decode(const uint8_t *buf, size_t len, audit_anchor_t *a);

#endif
