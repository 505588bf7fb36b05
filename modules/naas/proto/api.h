/* api.h — the NaaS controller API and audit formats: a request (fixed layout, optional
 * proof-of-possession HMAC under the tenant's holder key), its response, an audit record with its
 * SHA-256 hash chain, an anchor commitment and an audit export. Pure: bytes and keys only. */
#ifndef NAAS_PROTO_API_H
#define NAAS_PROTO_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NAASP_TOKEN      16
#define NAASP_HOLDER     32 /* holder key octets */
#define NAASP_PROOF      32 /* HMAC-SHA-256 */
#define NAASP_REQ_BODY   47
#define NAASP_REQ_LEN    (NAASP_REQ_BODY + 1 + NAASP_PROOF)
#define NAASP_RESP_LEN   38
#define NAASP_HASH       32
#define NAASP_REC_LEN    (4 + 8 + 2 + 1 + 1 + 4 + 4 + NAASP_HASH)
#define NAASP_ANCHOR_LEN (4 + NAASP_HASH)
#define NAASP_EXPORT_MAX 4096    /* records in one export */
#define NAASP_SHARE_ALL  0xffffu /* RBAC target "*" */

typedef enum {
    NAASP_OP_LOGIN = 1, /* token request; the proof is the tenant's credential */
    NAASP_OP_SHOW,      /* read the tenant's state (benign polling) */
    NAASP_OP_SG_ADD,    /* a = port id, ip/plen = remote prefix, port = UDP port */
    NAASP_OP_SG_DEL,    /* same fields: remove the matching rule */
    NAASP_OP_AAP_SET,   /* a = port id, ip/plen = allowed-address pair */
    NAASP_OP_SHARE,     /* a = network id, b = target tenant (NAASP_SHARE_ALL = "*") */
    NAASP_OP_ATTACH,    /* a = network id, b = endpoint index: bind the endpoint's port to it */
    NAASP_OP_COUNT_
} naasp_op_t;

typedef enum {
    NAASP_ST_OK = 0,
    NAASP_ST_AUTH,      /* bad credential, token or proof */
    NAASP_ST_EXPIRED,   /* token past its expiry */
    NAASP_ST_REPLAY,    /* nonce seen or timestamp outside the window */
    NAASP_ST_FORBIDDEN, /* object of another tenant, or not visible */
    NAASP_ST_WILDCARD,  /* wildcard pair or share refused */
    NAASP_ST_INVALID,   /* unknown object or bad field */
    NAASP_ST_LIMITED,   /* rate limited or overloaded */
} naasp_status_t;

typedef struct {
    uint8_t op;
    uint16_t tenant; /* claimed caller */
    uint32_t nonce;
    uint64_t ts_us; /* the caller's clock, virtual µs */
    uint8_t token[NAASP_TOKEN];
    uint32_t a, b, ip;
    uint16_t port;
    uint8_t plen;
    bool has_proof;
    uint8_t proof[NAASP_PROOF];
} naasp_req_t;

typedef struct {
    uint8_t op;
    uint16_t tenant;
    uint32_t nonce;
    uint8_t status;    /* naasp_status_t */
    uint8_t enforcing; /* 1: the change is in force in the data plane (as the controller knows) */
    uint32_t object;
    uint8_t token[NAASP_TOKEN];
    uint64_t expiry_us;
} naasp_resp_t;

typedef struct {
    uint32_t seq;
    uint64_t time_us;
    uint16_t tenant;
    uint8_t op, status;
    uint32_t object, arg;
    uint8_t hash[NAASP_HASH]; /* SHA-256(previous hash || the fields above) */
} naasp_rec_t;

/* Encodes req (NAASP_REQ_LEN octets); when key is not NULL, sets the proof to HMAC-SHA-256(key,
 * body). Returns 0, or -1 if out is too small or the HMAC fails. */
int naasp_req_encode(naasp_req_t *req, const uint8_t *key, uint8_t *out, size_t cap);
int naasp_req_decode(const uint8_t *in, size_t len, naasp_req_t *out);
/* True when the request's proof verifies under key (constant time). */
bool naasp_req_verify(const uint8_t *in, size_t len, const uint8_t *key);
int naasp_resp_encode(const naasp_resp_t *r, uint8_t *out, size_t cap);
int naasp_resp_decode(const uint8_t *in, size_t len, naasp_resp_t *out);

/* Sets rec->hash = SHA-256(prev || fields). prev is NAASP_HASH octets (zeros for the first). */
int naasp_rec_chain(naasp_rec_t *rec, const uint8_t prev[NAASP_HASH]);
void naasp_rec_encode(const naasp_rec_t *r, uint8_t out[NAASP_REC_LEN]);
int naasp_rec_decode(const uint8_t *in, size_t len, naasp_rec_t *out);
/* An anchor commitment: the count of records and the head hash. */
void naasp_anchor_encode(uint32_t count, const uint8_t head[NAASP_HASH],
                         uint8_t out[NAASP_ANCHOR_LEN]);
int naasp_anchor_decode(const uint8_t *in, size_t len, uint32_t *count, uint8_t head[NAASP_HASH]);
/* An export: u32 count || count records. decode checks the framing only and returns the count,
 * or -1; naasp_export_record gives record i. */
long naasp_export_count(const uint8_t *in, size_t len);
int naasp_export_record(const uint8_t *in, size_t len, size_t i, naasp_rec_t *out);

/* Programming of the data plane (controller -> vswitch): port records, one per port. */
#define NAASP_MAX_RULES   8
#define NAASP_PORTREC_LEN (4 * 6 + 6 + 3 + NAASP_MAX_RULES * 7)
#define NAASP_PROGRAM_MAX 64 /* records per message */
typedef struct {
    uint32_t ip;
    uint8_t plen;
    uint16_t port;
} naasp_rule_t;
typedef struct {
    uint32_t id, endpoint, vni, ip, aap_ip, spi;
    uint8_t mac[6];
    uint8_t aap_plen; /* 0..32; with has_aap */
    bool has_aap;
    uint8_t n_rules;
    naasp_rule_t rules[NAASP_MAX_RULES];
} naasp_portrec_t;
/* u32 version || u16 n || n records. */
int naasp_program_encode(uint32_t version, const naasp_portrec_t *recs, size_t n, uint8_t *out,
                         size_t cap, size_t *out_len);
/* Returns the record count (and the version), or -1; naasp_program_record decodes record i. */
long naasp_program_count(const uint8_t *in, size_t len, uint32_t *version);
int naasp_program_record(const uint8_t *in, size_t len, size_t i, naasp_portrec_t *out);
/* True when ip is inside prefix/plen. */
bool naasp_prefix_has(uint32_t prefix, uint8_t plen, uint32_t ip);

const char *naasp_op_name(unsigned op);
int naasp_op_parse(const char *name);

#endif
