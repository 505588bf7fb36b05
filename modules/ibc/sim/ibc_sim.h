/* ibc_sim.h — the X.1365 system under test: its configuration, the instance (KMS domains, devices
 * and the gateway they authenticate to), and the functions the instance, wire, entity and attack
 * files share. The adversary's state is private to attacks.c: the instance holds only an opaque
 * pointer.
 *
 * Identities (X.1365 8.3, RFC 6507 §7 example form): "YYYY-MM" 0x00 "<uri>" 0x00, one key period
 * per `period_length` of virtual time starting at `start_period`. Flows (all through the bus):
 * - C.3 parameter lookup: ibc.param_request -> ibc.params (KPAK, Z; ECDSA P-256, KMS root key)
 * - C.4 key provisioning: ibc.key_request (GMAC) -> ibc.key_delivery (AES-GCM: SSK||PVT||RSK)
 * - D.1 one-pass transport: ibc.d1_auth, a MIKEY-SAKKE I_MESSAGE (RFC 6509) carrying the SED,
 *   ECCSI-signed
 * - D.4-style re-authentication: ibc.challenge (gateway nonce) -> a new ibc.d1_auth signing it
 * - application data: ibc.app_data under the session key derived from the SSV
 */
#ifndef IBC_SIM_H
#define IBC_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <sg17tb/module.h>

#include "crypto/eccsi.h"
#include "crypto/sakke.h"

#define IBC_MAX_KMS         2
#define IBC_MAX_DEVICES     512 /* device indexes travel as 16 bits, 0xffff is the gateway */
#define IBC_MAX_ID          96  /* "YYYY-MM\0" + uri + "\0" */
#define IBC_TKEY_BYTES      16  /* per-device AES-128 transport key shared at manufacture (C.2) */
#define IBC_SKEY_BYTES      16  /* AES-128 session key derived from the SSV */
#define IBC_NONCE_BYTES     16
#define IBC_MASTER_Z        32 /* octets of the SAKKE master secret z drawn by the simulated KMS */
#define IBC_KEYS_PLAIN      (ECCSI_N + ECCSI_POINT_BYTES + SAKKE_POINT_BYTES) /* SSK||PVT||RSK */
#define IBC_SENDER_CACHE    6
#define IBC_ZPUB_CACHE      4
#define IBC_NONCE_CACHE_MAX (1u << 20) /* entries of the gateway's replay cache at most */
/* Master key sets a KMS holds: the current period's and the one before it, which still backs the
 * keys installed before the roll-over until their holders ask for the new period's. */
#define IBC_MASTER_RING 2

/* A KMS master key set for one key period (or for the domain's lifetime without re-key). */
typedef struct {
    int64_t from_period; /* first period it serves */
    uint8_t ksak[ECCSI_N], z[IBC_MASTER_Z];
    uint8_t kpak[ECCSI_POINT_BYTES], zpub[SAKKE_POINT_BYTES];
} ibc_master_t;

/* Public parameters of one KMS domain as an entity holds them (C.3). */
typedef struct {
    bool valid;
    int64_t period;
    uint8_t kpak[ECCSI_POINT_BYTES], zpub[SAKKE_POINT_BYTES];
} ibc_params_t;

/* The private keys of one identity for one period (C.4), as installed by a device. */
typedef struct {
    bool valid;
    int64_t period;
    uint8_t id[IBC_MAX_ID];
    size_t id_len;
    uint8_t ssk[ECCSI_N], pvt[ECCSI_POINT_BYTES], rsk[SAKKE_POINT_BYTES];
} ibc_keys_t;

typedef struct {
    sg17_entity_t e;
    ibc_master_t master[IBC_MASTER_RING]; /* a ring: set n lives at master[n % IBC_MASTER_RING] */
    uint64_t n_master;                    /* sets drawn so far (1 + re-keys) */
    uint8_t root_priv[32], root_pub[ECCSI_POINT_BYTES]; /* ECDSA P-256 root key (C.1) */
} ibc_kms_t;

typedef struct {
    sg17_entity_t e;
    unsigned index, kms;
    uint8_t tkey[IBC_TKEY_BYTES];
    ibc_params_t params[IBC_MAX_KMS]; /* own domain and the gateway's */
    ibc_keys_t keys, stale;           /* current period; previous (kept by a compromised device) */
    int64_t asked_period;             /* period whose keys were requested (-1 none) */
    bool session;
    uint8_t skey[IBC_SKEY_BYTES];
    uint64_t app_seq;
} ibc_device_t;

/* What the gateway holds for one device: the session from its last accepted D.1. */
typedef struct {
    bool active;
    int64_t period;
    uint8_t skey[IBC_SKEY_BYTES];
    uint64_t last_seq;
    bool challenged;
    sg17_time_t challenged_at;
    uint8_t challenge[IBC_NONCE_BYTES];
} ibc_session_t;

typedef struct {
    sg17_entity_t e;
    uint8_t tkey[IBC_TKEY_BYTES];
    ibc_params_t params[IBC_MAX_KMS];
    ibc_keys_t keys;
    int64_t asked_period;
    sakke_receiver_t *recv;  /* for keys.id, built when the keys arrive */
    ibc_session_t *sessions; /* per device */
    /* Replay cache, a ring of cfg.nonce_cache nonces in acceptance order with the timestamp each
     * D.1 carried. It covers the whole freshness window: when an entry still inside the window
     * is evicted, ts_floor rises to its timestamp, and a D.1 stamped at or before ts_floor is
     * refused (the cache can no longer tell whether it was seen). */
    uint8_t (*nonces)[IBC_NONCE_BYTES];
    sg17_time_t *nonce_ts;
    size_t n_nonces, next_nonce;
    bool has_floor;
    sg17_time_t ts_floor;
} ibc_gateway_t;

/* The adversary's side (what it stole), defined in attacks.c only: receivers cannot read it. */
typedef struct ibc_adversary ibc_adversary_t;

/* A precomputed SAKKE sender for (Z, identity): public values, so shared by every sender. */
typedef struct {
    sakke_sender_t *s;
    uint8_t zpub[SAKKE_POINT_BYTES], id[IBC_MAX_ID];
    size_t id_len;
} ibc_sender_slot_t;

/* The configuration keys and mitigations, filled by the core from the descriptor (module.c binds
 * each by offsetof). Strings are borrowed for create() only: ibc_create parses them. */
typedef struct {
    sg17_time_t period_length;    /* virtual time of one key period */
    const char *start_period;     /* "YYYY-MM": identity label of period 0 */
    sg17_time_t freshness_window; /* accepted |now - timestamp| of a D.1 message */
    sg17_time_t app_interval;     /* between two application messages of a device */
    bool d1_signed;               /* devices ECCSI-sign their D.1 message */
    bool cross_domain_trust;      /* the gateway trusts kms-1's domain as well as its own (8.2) */
    uint64_t nonce_cache;         /* entries of the gateway's D.1 replay cache */
    const char *revoked;          /* "3" or "1,4": devices revoked at revoke_at */
    sg17_time_t revoke_at;
    /* mitigations */
    bool signature_verification, identity_period_check, replay_cache, sakke_validation;
    bool key_validation, param_authenticity, revocation, point_validation, domain_rekey;
} ibc_config_t;

/* The instance: every entity of the run, the adversary behind an opaque pointer, the config. */
typedef struct {
    unsigned n_kms, n_dev;
    ibc_kms_t kms[IBC_MAX_KMS];
    ibc_device_t *dev;
    ibc_gateway_t gw;
    ibc_adversary_t *adv;
    ibc_sender_slot_t senders[IBC_SENDER_CACHE];
    unsigned next_sender;
    struct {
        bool valid;
        uint8_t zpub[SAKKE_POINT_BYTES];
    } zpub_ok[IBC_ZPUB_CACHE]; /* Z encodings that passed the order-q check (device.c) */
    unsigned next_zpub;
    sakke_kms_t *sakke_kms; /* RSK derivation for every KMS and the adversary (kms.c) */
    ibc_config_t cfg;       /* a copy, its strings cleared (parsed into the fields below) */
    int start_year, start_month;
    uint64_t ntp_epoch; /* NTP seconds (unwrapped) of virtual time 0: start_period's first day */
    uint8_t *revoked;   /* per device */
} ibc_t;

/* Timer tags. */
enum { IBC_T_ROLL = 1, IBC_T_AUTH = 2, IBC_T_APP = 3 };

/* ---- instance.c: the instance and the helpers every entity uses ---- */

/* The lifecycle, in the descriptor's own signatures (module.c names them directly). ibc_create
 * builds the instance (an ibc_t) for the run's topology from the filled ibc_config_t; NULL after
 * sg17_log. */
void *ibc_create(sg17_ctx_t *ctx, const void *config);
/* Cleanses every key the instance holds and frees it; safe on NULL. */
void ibc_destroy(void *instance);
/* Time 0: each entity's first roll-over and application timers. */
void ibc_start(void *instance, sg17_ctx_t *ctx);

int64_t ibc_period(const ibc_t *s, sg17_time_t t);
/* identity of "<kind>-<index>" for period p into id (IBC_MAX_ID); its length */
size_t ibc_identity(const ibc_t *s, int64_t p, const char *kind, unsigned index, uint8_t *id);
/* A cached SAKKE sender to identity id under zpub; NULL (after sg17_log) if Z is invalid. */
sakke_sender_t *ibc_sender(ibc_t *s, sg17_ctx_t *ctx, const uint8_t *zpub, const uint8_t *id,
                           size_t id_len);
/* Session key = SHA-256("sg17tb-ibc-d1" || SSV || identity || nonce)[0..16). */
int ibc_session_key(const uint8_t ssv[SAKKE_SSV_BYTES], const uint8_t *id, size_t id_len,
                    const uint8_t nonce[IBC_NONCE_BYTES], uint8_t key[IBC_SKEY_BYTES]);

/* ---- wire.c: encoders, decoders and the symmetric/ECDSA primitives they use ---- */
int ibc_gcm_seal(const uint8_t key[16], const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                 const uint8_t *pt, size_t len, uint8_t *ct, uint8_t tag[16]);
int ibc_gcm_open(const uint8_t key[16], const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                 const uint8_t *ct, size_t len, const uint8_t tag[16], uint8_t *pt);
/* ECDSA P-256 / SHA-256 with a private scalar d; DER signature into sig (at most
 * IBC_ECDSA_SIG_MAX octets), its length. */
#define IBC_ECDSA_SIG_MAX 72
int ibc_ecdsa_pub(const uint8_t d[32], uint8_t pub[ECCSI_POINT_BYTES]);
int ibc_ecdsa_sign(const uint8_t d[32], const uint8_t *msg, size_t len, uint8_t *sig,
                   size_t *sig_len);
int ibc_ecdsa_verify(const uint8_t pub[ECCSI_POINT_BYTES], const uint8_t *msg, size_t len,
                     const uint8_t *sig, size_t sig_len);

#define IBC_PARAM_REQUEST_BYTES 4
#define IBC_KEY_REQUEST_BYTES   (2 + 4 + 12 + 16)
#define IBC_KEY_DELIVERY_BYTES  (2 + 4 + 12 + IBC_KEYS_PLAIN + 16)
#define IBC_PARAMS_MAX          (1 + 4 + ECCSI_POINT_BYTES + SAKKE_POINT_BYTES + 1 + IBC_ECDSA_SIG_MAX)
#define IBC_KMS_URI_MAX         32 /* "urn:dev:sg17tb:kms-<k>" and its terminator */
/* HDR, T, RAND, IDRi, IDRr, IDRkmsi, EXT (the challenge), SAKKE, SIGN */
#define IBC_D1_MAX                                                                  \
    (10 + 10 + (2 + IBC_NONCE_BYTES) + 2 * (5 + IBC_MAX_ID) + (5 + IBC_KMS_URI_MAX) \
     + (4 + IBC_NONCE_BYTES) + (5 + SAKKE_SED_BYTES) + (2 + ECCSI_SIG_BYTES))

/* C.3 parameter request: the period (4) whose parameters the requester needs. */
void ibc_param_request_encode(int64_t period, uint8_t out[IBC_PARAM_REQUEST_BYTES]);
int ibc_param_request_decode(const uint8_t *buf, size_t len, int64_t *period);

/* C.4 key request: device (2) || period (4) || iv (12) || GMAC tag (16) under the transport key. */
int ibc_key_request_encode(const uint8_t tkey[16], uint16_t device, int64_t period,
                           const uint8_t iv[12], uint8_t out[IBC_KEY_REQUEST_BYTES]);
/* 0 if well-formed (fields out); the tag is checked by ibc_key_request_verify. */
int ibc_key_request_decode(const uint8_t *buf, size_t len, uint16_t *device, int64_t *period);
int ibc_key_request_verify(const uint8_t tkey[16], const uint8_t *buf, size_t len);

/* C.4 key delivery: device || period || iv || AES-GCM(SSK || PVT || RSK) || tag, AAD = first 6. */
int ibc_key_delivery_encode(const uint8_t tkey[16], uint16_t device, int64_t period,
                            const uint8_t iv[12], const ibc_keys_t *keys,
                            uint8_t out[IBC_KEY_DELIVERY_BYTES]);
/* Header only (device, period); -1 if malformed. */
int ibc_key_delivery_header(const uint8_t *buf, size_t len, uint16_t *device, int64_t *period);
/* Decrypts into keys->ssk/pvt/rsk (cleansed on failure); -1 if the tag fails. */
int ibc_key_delivery_open(const uint8_t tkey[16], const uint8_t *buf, size_t len, ibc_keys_t *keys);

/* C.3 params: kms (1) || period (4) || KPAK || Z || sig_len (1) || ECDSA sig (DER). */
int ibc_params_encode(const uint8_t root_priv[32], uint8_t kms, int64_t period,
                      const uint8_t kpak[ECCSI_POINT_BYTES], const uint8_t zpub[SAKKE_POINT_BYTES],
                      uint8_t out[IBC_PARAMS_MAX], size_t *len);
typedef struct {
    uint8_t kms;
    int64_t period;
    const uint8_t *kpak, *zpub, *sig, *signed_part;
    size_t sig_len, signed_len;
} ibc_params_msg_t;
int ibc_params_decode(const uint8_t *buf, size_t len, ibc_params_msg_t *m);

/* D.1 one-pass message, on the bus as a MIKEY-SAKKE I_MESSAGE (RFC 6509 §2.1, proto/mikey.h):
 * HDR (CSB ID = the first four octets of the nonce), T (NTP-UTC of ts, ntp_epoch being virtual
 * time 0), RAND (the nonce), IDRi (the initiator's identifier "YYYY-MM" 0x00 uri 0x00 as a byte
 * string), IDRr (the responder's), IDRkmsi (urn:dev:sg17tb:kms-<k>), a general extension of
 * private type MIKEY_EXT_PRIVATE carrying the D.4 challenge when there is one, SAKKE (the SED)
 * and, when signed, SIGN (ECCSI over every octet before the signature, RFC 3830 §5.2). */
typedef struct {
    const uint8_t *sed;
    uint64_t ts; /* virtual time, from T */
    uint32_t csb_id;
    const uint8_t *nonce, *challenge; /* challenge: 16 zero octets when the message has none */
    uint8_t kms;
    const uint8_t *id, *responder;
    size_t id_len, responder_len;
    const uint8_t *sig; /* NULL when unsigned */
    size_t signed_len;  /* octets the signature covers (the SIGN payload's header included) */
} ibc_d1_t;
/* Writes d1 (sed, ts, nonce, challenge, kms, id, responder) and, when signed_, the SIGN payload's
 * header; returns the octets to sign (the signature, ECCSI_SIG_BYTES, goes right after them), 0
 * if kms is not below IBC_MAX_KMS, an identifier is empty or longer than IBC_MAX_ID, or ts does
 * not fit T. */
size_t ibc_d1_encode_body(const ibc_d1_t *d1, uint64_t ntp_epoch, bool signed_,
                          uint8_t out[IBC_D1_MAX]);
/* signed_: whether the deployment expects a signature; -1 if buf is not such a message (of
 * parameter set 1 and ID scheme 1, a 16-octet RAND, a 273-octet SED, IDRkmsi naming kms-0 or
 * kms-1). */
int ibc_d1_decode(const uint8_t *buf, size_t len, uint64_t ntp_epoch, bool signed_, ibc_d1_t *d1);

/* Application data: seq (8) || AES-GCM(data) || tag, IV = 0^4 || seq, AAD = seq. */
#define IBC_APP_PLAIN 24
#define IBC_APP_BYTES (8 + IBC_APP_PLAIN + 16)
int ibc_app_encode(const uint8_t key[16], uint64_t seq, const uint8_t data[IBC_APP_PLAIN],
                   uint8_t out[IBC_APP_BYTES]);
int ibc_app_open(const uint8_t key[16], const uint8_t *buf, size_t len, uint64_t *seq);

/* ---- mikey.c: the D.1 message in a packet trace ---- */

/* sg17_module_t.trace_frame: an ibc.d1_auth message, which is a MIKEY-SAKKE I_MESSAGE already,
 * in IPv4 (10.<kind>.<n>) / UDP 2269, linktype 101; 0 for every other message (the core's
 * exported PDU). */
size_t ibc_trace_frame(const sg17_msg_t *msg, const char *src_name, const char *dst_name,
                       uint8_t *buf, size_t cap, uint32_t *linktype);

/* ---- kms.c, device.c, gateway.c: the entities ---- */

/* Draws a master key set (C.1: KSAK and z from the run's stream) serving from period p on. */
int ibc_kms_draw_master(sg17_ctx_t *ctx, int64_t from_period, ibc_master_t *mk);
void ibc_kms_on_message(ibc_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
/* The master key set serving `period` (the newest whose from_period <= period); NULL when the
 * KMS no longer holds it (older than its ring). Never NULL for the current period. */
const ibc_master_t *ibc_kms_master(const ibc_t *s, unsigned kms, int64_t period);
int ibc_kms_issue(ibc_t *s, const ibc_master_t *mk, const uint8_t *id, size_t id_len,
                  sg17_ctx_t *ctx, ibc_keys_t *keys);

/* The device entity e, or NULL if e is not one of this run's devices. */
ibc_device_t *ibc_device_of(ibc_t *s, sg17_ctx_t *ctx, sg17_entity_t e);
void ibc_device_on_timer(ibc_t *s, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag);
void ibc_device_on_message(ibc_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
/* Builds a D.1 message as identity keys->id, encapsulating a fresh SSV to the gateway's identity of
 * period p under zpub; signs with keys (unless !d1_signed). Returns the length, 0 on failure. */
size_t ibc_d1_build(ibc_t *s, sg17_ctx_t *ctx, const ibc_keys_t *keys, const uint8_t kpak[65],
                    uint8_t kms, const uint8_t *zpub, int64_t p, const uint8_t challenge[16],
                    uint8_t *out, uint8_t skey[IBC_SKEY_BYTES]);

void ibc_gateway_on_timer(ibc_t *s, sg17_ctx_t *ctx, uint64_t tag);
void ibc_gateway_on_message(ibc_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
/* Parameter requests of an entity holding `params` for the domains it needs. */
void ibc_request_params(ibc_t *s, sg17_ctx_t *ctx, sg17_entity_t from, unsigned kms, int64_t p);
/* Handles an ibc.params message for holder `params` (trusted domains in `trusted`). */
bool ibc_accept_params(ibc_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m, ibc_params_t *params,
                       const bool trusted[IBC_MAX_KMS]);

/* ---- attacks.c: the adversary ---- */

/* Empty adversary state for n_dev devices; NULL if out of memory. */
ibc_adversary_t *ibc_adversary_new(unsigned n_dev);
/* Cleanses what the adversary stole and frees it; safe on NULL. */
void ibc_adversary_free(ibc_adversary_t *adv, unsigned n_dev);
/* An attack of the descriptor (sg17_attack_t.run on the typed instance): carries it out now;
 * 0 done, -1 failed after sg17_log. */
typedef int ibc_attack_fn(ibc_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
ibc_attack_fn ibc_attack_forge_signature, ibc_attack_substitute_identity,
    ibc_attack_use_revoked_identity, ibc_attack_rogue_kms_keys, ibc_attack_invalid_point,
    ibc_attack_rogue_params, ibc_attack_kms_master_compromise, ibc_attack_outrun_nonce_cache,
    ibc_attack_malleated_replay;

/* Entity e was handed to the adversary: a device gives up its current keys, a KMS its master. */
void ibc_on_compromise(ibc_t *s, sg17_ctx_t *ctx, sg17_entity_t e);

#endif
