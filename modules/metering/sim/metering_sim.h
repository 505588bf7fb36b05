/* sim/metering_sim.h — the metering simulation's shared state: one run's configuration (filled by
 * the core through the descriptor's offsetof bindings), its entities' state and the functions the
 * entity files offer each other. Files: instance.c (create, start, finish, destroy; keys),
 * wire.c (ciphered framing), meter.c (with the household model), hes.c, operator.c, mdm.c,
 * thirdparty.c, audit.c (the HES's command log and its auditor at the MDM), inference.c
 * (occupancy classifiers), attacks.c (the adversary, whose state is private to that file) and
 * ghash.c (its algebra on AES-GCM).
 * Everything here is prefixed msim_ / MSIM_. */
#ifndef METERING_SIM_H
#define METERING_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <sg17tb/module.h>
#include <sg17tb/wire.h>

#include "dlms/apdu.h"
#include "dlms/security.h"

#define MSIM_CHALLENGE_LEN 16
#define MSIM_LLS_LEN       8
#define MSIM_FRAME_CAP     1024 /* largest ciphered command (signed firmware image included) */
#define MSIM_FW_BODY_LEN   96   /* firmware image body octets */
#define MSIM_EPOCH         1699920000LL /* virtual time 0 = 2023-11-14 00:00 UTC */
#define MSIM_DAYS          31           /* days of per-day state a run keeps (feeders, bills) */
#define MSIM_DAY_S         86400u
#define MSIM_EXPORT_ENTRY  16    /* meter (4) || sequence (4) || time s (4) || register (4) */
#define MSIM_METERS_MAX    20000 /* the meter kind's max_count */
#define MSIM_OPS_MAX       4     /* the operator kind's max_count */
#define MSIM_DISCONNECT_LIMIT_MAX \
    1000000 /* the head-end keeps the time of each recent disconnect */

/* Timer tags: kind in the top byte, a meter index in the low 32 bits. */
enum {
    MSIM_TAG_READING = 1,  /* meter: push the next load-profile reading */
    MSIM_TAG_ASSOC,        /* hes: open the association with meter N */
    MSIM_TAG_EXPORT,       /* hes: forward the interval's accepted readings to the MDM */
    MSIM_TAG_ONDEMAND,     /* hes: on-demand read of a few meters */
    MSIM_TAG_TARIFF,       /* hes: tariff update to every meter */
    MSIM_TAG_FIRMWARE,     /* hes: signed firmware roll-out */
    MSIM_TAG_DR,           /* operator: demand-response load limits */
    MSIM_TAG_DISCONNECT,   /* operator: non-payment disconnect of meter N */
    MSIM_TAG_RECONNECT,    /* operator: reconnect meter N */
    MSIM_TAG_DAY,          /* mdm: end-of-day validation */
    MSIM_TAG_TP,           /* thirdparty: daily data request */
    MSIM_TAG_AUDIT_ANCHOR, /* hes: signed chain head to the MDM (audit_log) */
    MSIM_TAG_AUDIT,        /* hes: hand the command log to the auditor */
};
#define MSIM_TAG(kind, n) ((uint64_t)(kind) << 56 | (uint64_t)(uint32_t)(n))
#define MSIM_TAG_KIND(t)  ((unsigned)((t) >> 56))
#define MSIM_TAG_INDEX(t) ((unsigned)((t)&0xffffffffu))

/* One run's configuration: every config key and mitigation of the descriptor (module.c) binds to
 * a field here by offsetof; the core validates and fills it before create. */
typedef struct {
    sg17_time_t reading_interval, push_slot, ondemand_interval;
    uint64_t ondemand_batch;
    sg17_time_t tariff_interval, dr_interval;
    uint64_t dr_batch;
    sg17_time_t disconnect_interval, firmware_at;
    double hes_capacity, hes_source_rate;
    uint64_t disconnect_limit;
    sg17_time_t disconnect_window, mdm_learning;
    double mdm_threshold, mdm_balance_tolerance;
    uint64_t transformer_size;
    double consent_share;
    bool plain_push_when_off;
    sg17_time_t audit_anchor_interval, audit_interval;
    sg17_time_t command_window; /* accepted skew of a signed command's date-time */
    bool fleet_key;             /* deployment: one EK/AK for every meter, as unique_keys off */
    /* mitigations */
    bool authenticated_encryption, invocation_counter, unique_keys, hls_authentication,
        command_authorization, mass_disconnect_limit, mdm_plausibility, signed_firmware,
        data_minimisation, hes_rate_limit, audit_log, context_counter;
} msim_config_t;

typedef enum { MSIM_ASSOC_NONE = 0, MSIM_ASSOC_PENDING, MSIM_ASSOC_OPEN } msim_assoc_t;

/* One meter: its keys and counters, the household behind it, and what it was told to do. */
typedef struct {
    uint8_t systitle[DLMS_SYSTITLE_LEN];
    dlms_keys_t keys;          /* unique per meter, or the fleet key */
    uint8_t lls[MSIM_LLS_LEN]; /* lowest-level-security password */
    /* household model (deterministic from the seed) */
    double base_w, active_w; /* always-on load; load while someone is home and awake */
    double wake_h, leave_h, return_h, sleep_h;
    double home_day_p; /* probability of staying home all day */
    int model_day;     /* day whose home/away draw is in home_today */
    bool home_today;
    uint64_t rng_state;          /* the household's own seeded stream */
    sg17_time_t phase;           /* offset of its readings within the interval */
    uint32_t seq;                /* readings pushed */
    double true_wh, reported_wh; /* energy consumed / register value it reports */
    uint8_t *occupied;           /* ground truth per reading: someone home and awake */
    double *true_cum;            /* energy used up to each reading (Wh) */
    size_t n_occ, cap_occ;
    /* DLMS security state */
    uint32_t ic_out;    /* invocation counter of its own frames */
    dlms_cipher_t *tx;  /* its keys, keyed once for its readings (made on the first) */
    int64_t last_ic_in; /* last counter accepted from the HES */
    /* last transaction id of each operator's signed command it executed (0: none yet) */
    uint32_t last_tx[MSIM_OPS_MAX];
    msim_assoc_t assoc;
    bool assoc_hls, assoc_pending;
    uint8_t ctos[MSIM_CHALLENGE_LEN], stoc[MSIM_CHALLENGE_LEN];
    /* what commands did to it */
    bool disconnected;
    uint32_t load_limit, tariff, fw_version;
    bool fw_foreign; /* runs an image not released by the manufacturer */
    /* a compromised meter's firmware: 1 = honest; < 1 under-reports (set by false_data) */
    double false_factor;
} msim_meter_t;

/* The head-end's view of one meter. */
typedef struct {
    int64_t last_ic_in; /* last counter accepted from the meter */
    uint32_t ic_out;    /* counter of the HES's frames to that meter (see msim_hes_ic) */
    msim_assoc_t assoc;
    uint8_t ctos[MSIM_CHALLENGE_LEN];
    dlms_cipher_t *rx; /* the meter's keys, keyed once for its readings (made on the first) */
} msim_peer_t;

/* The MDM's record of one meter (customer). */
typedef struct {
    bool have;
    uint32_t last_register;
    uint32_t last_time; /* seconds, time of the last stored reading */
    double *day_wh;     /* reported consumption per day */
    uint32_t *series;   /* 15-min consumption (Wh) per reading, in arrival order */
    uint32_t *series_k; /* reading sequence number of each series entry */
    size_t n_series, cap_series;
    bool flagged;
    double baseline_wh_day; /* learnt daily consumption */
    bool consent;           /* customer consented to third-party daily data */
} msim_customer_t;

/* What the third party holds about one customer: the finest data it was given. Answers are
 * cumulative, so a newer one of the same granularity replaces the older; a raw 15-min series is
 * never replaced by daily totals. */
typedef struct {
    uint32_t *wh;  /* Wh of each value */
    uint32_t *idx; /* reading sequence (raw) or day (daily) of each value */
    size_t n;
    bool raw;
} msim_tp_view_t;

#define MSIM_AUDIT_HASH_LEN   32
#define MSIM_AUDIT_REC        (17 + 2 * MSIM_AUDIT_HASH_LEN) /* one audit log record (audit.c) */
#define MSIM_AUDIT_ORIGIN_HES 0xFFFFFFFFu /* command scheduled by the HES itself */

/* Kinds of logged commands. */
enum {
    MSIM_AUDIT_READ,
    MSIM_AUDIT_SETTING,
    MSIM_AUDIT_LOAD_LIMIT,
    MSIM_AUDIT_DISCONNECT,
    MSIM_AUDIT_RECONNECT,
    MSIM_AUDIT_FIRMWARE,
    MSIM_AUDIT_OTHER
};

/* A signed chain head the MDM holds: the log's first count records end in head. */
typedef struct {
    size_t count;
    uint8_t head[MSIM_AUDIT_HASH_LEN];
} msim_audit_anchor_t;

/* The adversary: what it holds and its tallies, defined in attacks.c only, so that no entity's
 * code can read it. */
typedef struct msim_adversary msim_adversary_t;

typedef struct msim {
    msim_config_t cfg; /* as validated by the core; batches and group sizes clamped to the fleet */
    /* topology */
    unsigned n_meters, n_ops, n_tp, n_entities;
    sg17_entity_t hes, mdm;
    /* meter i's entity, and per entity 1 + its meter index (0: not a meter), looked up once at
     * create instead of by kind name on every reading */
    sg17_entity_t *meter_ids;
    unsigned *meter_of;
    msim_meter_t *meters;
    msim_peer_t *peers;
    msim_customer_t *cust;
    /* keys */
    uint8_t master[32];
    uint8_t hes_systitle[DLMS_SYSTITLE_LEN], mfr_systitle[DLMS_SYSTITLE_LEN];
    EVP_PKEY **op_keys; /* per operator account (private: the account's signing key) */
    EVP_PKEY *mfr_key;  /* manufacturer firmware signing key */
    /* HES run state */
    double busy_until; /* virtual second at which the HES input queue drains */
    sg17_time_t *rl_window;
    uint32_t *rl_count; /* per claimed source, incl. an unknown-source slot */
    uint8_t *export_buf;
    size_t export_len, export_cap, export_n;
    sg17_time_t *disc_times; /* recent disconnects, ring of disconnect_limit + 1 */
    size_t disc_head, disc_n;
    uint32_t op_tx, tariff_value;
    uint32_t fleet_ic_out; /* the HES's counter under the fleet key (context_counter) */
    unsigned ondemand_next, dr_next, disc_next;
    /* audit log: the HES's store and the MDM's anchors */
    EVP_PKEY *hes_audit_key; /* HES anchor signing key */
    EVP_PKEY *hes_audit_pub; /* its public half, held by the MDM */
    bool audit_chained;      /* format of the HES's log store */
    uint8_t *audit_log;
    size_t audit_n, audit_cap;
    msim_audit_anchor_t *anchors;
    size_t n_anchors, cap_anchors;
    /* MDM run state */
    double *feeder_wh;       /* true energy per transformer per day */
    double *feeder_measured; /* the substation meter's reading of it */
    unsigned n_groups;
    /* third party */
    uint8_t *tp_exposed;     /* per customer: got data beyond consent */
    msim_tp_view_t *tp_view; /* per customer: the data it holds, for its occupancy inference */
    /* the adversary (attacks.c) */
    msim_adversary_t *adv;
} msim_t;

/* instance.c */
/* Builds a run from the core-filled configuration (copied); NULL after sg17_log on failure. */
msim_t *msim_create(sg17_ctx_t *ctx, const msim_config_t *cfg);
void msim_destroy(msim_t *s);
/* Time 0: every entity's first timers. */
void msim_start(msim_t *s, sg17_ctx_t *ctx);
/* End of the run: every entity's final metrics. */
void msim_finish(msim_t *s, sg17_ctx_t *ctx);
/* The meter index of a system title, or -1. */
int msim_meter_of_systitle(const msim_t *s, const uint8_t *st);
/* The index of meter entity e; *ok false when e is no meter of this run. */
unsigned msim_meter_index(const msim_t *s, sg17_ctx_t *ctx, sg17_entity_t e, bool *ok);
/* meter i's entity; SG17_NO_ENTITY past the fleet, as sg17_entity gives. */
sg17_entity_t msim_meter_entity(const msim_t *s, unsigned i);
/* SHA-256(master || label || id) truncated to n octets: the utility's key diversification. */
int msim_derive(const uint8_t master[32], const char *label, const uint8_t id[8], uint8_t *out,
                size_t n);
/* A P-256 key from 32 octets of the seeded stream; NULL on failure. */
EVP_PKEY *msim_seeded_ecdsa(sg17_ctx_t *ctx);

/* Seconds since 1970 of a COSEM date-time taken as UTC (hes.c). */
int64_t msim_unix_of(const dlms_datetime_t *dt);

/* wire.c: ciphered framing. The sender protects apdu with keys/systitle/IC and wraps it in
 * general-glo-ciphering; sc 0 means "send the APDU in clear". */
int msim_wrap(const dlms_keys_t *keys, const uint8_t *systitle, uint32_t ic, uint8_t sc,
              const uint8_t *apdu, size_t len, uint8_t *out, size_t cap, size_t *outlen);
/* msim_wrap on a cipher already keyed with keys (NULL: keyed for this frame): the same octets. */
int msim_wrap_keyed(dlms_cipher_t *keyed, const dlms_keys_t *keys, const uint8_t *systitle,
                    uint32_t ic, uint8_t sc, const uint8_t *apdu, size_t len, uint8_t *out,
                    size_t cap, size_t *outlen);
/* Receiver side: a general-glo-ciphering frame is unprotected with keys (policy, min_ic); a clear
 * APDU is returned as is with *ciphered = false. The IC is returned in *ic. Returns DLMS_SEC_OK
 * or a rejection status. */
dlms_sec_status_t msim_unwrap(const dlms_keys_t *keys, const uint8_t *in, size_t len,
                              const uint8_t *expect_systitle, uint8_t policy, int64_t min_ic,
                              uint8_t *out, size_t cap, size_t *outlen, uint32_t *ic,
                              bool *ciphered);

/* meter.c */
void msim_meter_on_timer(msim_t *s, sg17_ctx_t *ctx, unsigned i);
void msim_meter_on_message(msim_t *s, sg17_ctx_t *ctx, unsigned i, const sg17_msg_t *m);
void msim_meter_finish(msim_t *s, sg17_ctx_t *ctx);
/* Instantaneous household demand in W at absolute time t (day draws advance deterministically). */
double msim_meter_power(msim_meter_t *m, sg17_time_t t, bool *occupied);
/* The reading frame meter m would push for register value reg and sequence k (used by meters and
 * by the attacker's encoders), protected with keys, on `keyed` when it is a cipher keyed with them
 * (NULL: keyed for this frame). */
int msim_reading_frame(const msim_meter_t *m, dlms_cipher_t *keyed, const dlms_keys_t *keys,
                       uint32_t ic, uint8_t sc, uint32_t k, uint32_t reg, sg17_time_t t,
                       uint8_t *out, size_t cap, size_t *outlen);

/* hes.c */
void msim_hes_start(msim_t *s, sg17_ctx_t *ctx);
void msim_hes_on_timer(msim_t *s, sg17_ctx_t *ctx, uint64_t tag);
void msim_hes_on_message(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
/* The HES side of sending an APDU (clear or already signed) to meter i in its association,
 * logged with origin (the requesting operator, or MSIM_AUDIT_ORIGIN_HES). */
int msim_hes_command(msim_t *s, sg17_ctx_t *ctx, unsigned i, const char *type, const uint8_t *apdu,
                     size_t len, uint32_t origin);
/* An image-transfer activate action with a general-signing envelope signed by `key`. */
int msim_firmware_action(const msim_t *s, EVP_PKEY *key, uint32_t version, const uint8_t *body,
                         const uint8_t tx[4], uint8_t invoke_id, uint8_t *apdu, size_t cap,
                         size_t *len);

/* The HES's invocation counter for its frames to meter i: one per security context (key) with
 * context_counter, i.e. the meter's own under unique keys and one for the whole fleet under a
 * fleet key; without it one per meter whatever the keys, so under a fleet key every meter's
 * first frames repeat the same IVs. */
uint32_t *msim_hes_ic(msim_t *s, unsigned i);
/* Whether every meter holds the same key (unique_keys off, or the fleet_key deployment). */
bool msim_fleet_keyed(const msim_t *s);

/* operator.c */
void msim_op_start(msim_t *s, sg17_ctx_t *ctx);
void msim_op_on_timer(msim_t *s, sg17_ctx_t *ctx, unsigned op, uint64_t tag);
/* An operator request: APDU signed (general-signing) by the operator account op for meter i. */
int msim_op_request(msim_t *s, sg17_ctx_t *ctx, EVP_PKEY *key, unsigned op, unsigned i,
                    const uint8_t *apdu, size_t len, uint8_t *out, size_t cap, size_t *outlen);

/* mdm.c */
void msim_mdm_on_timer(msim_t *s, sg17_ctx_t *ctx, uint64_t tag);
void msim_mdm_on_message(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
void msim_mdm_finish(msim_t *s, sg17_ctx_t *ctx);

/* thirdparty.c */
void msim_tp_on_timer(msim_t *s, sg17_ctx_t *ctx, uint64_t tag);
void msim_tp_on_message(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
/* Sends a third-party request (granularity 0 raw, 1 daily) for the listed customers. */
void msim_tp_request(msim_t *s, sg17_ctx_t *ctx, bool raw, const unsigned *cust, size_t n);
void msim_tp_finish(msim_t *s, sg17_ctx_t *ctx);

/* audit.c */
int msim_audit_init(msim_t *s);
void msim_audit_free(msim_t *s);
/* Appends a record of a command the HES issues to its log store (chained when audit_log). */
void msim_audit_append(msim_t *s, sg17_ctx_t *ctx, unsigned meter, uint32_t origin,
                       const char *type, const uint8_t *apdu, size_t len);
int msim_audit_link(const uint8_t prev[MSIM_AUDIT_HASH_LEN], const uint8_t *rec,
                    uint8_t out[MSIM_AUDIT_HASH_LEN]);
/* The auditor's check of n records: -1 if clean, else the first position it cannot vouch for. */
long msim_audit_verify(const msim_t *s, const uint8_t *recs, size_t n, bool chained);
void msim_audit_on_timer(msim_t *s, sg17_ctx_t *ctx, uint64_t tag);
void msim_audit_on_message(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
/* An edit of the HES log store with write access: the entries issued in [from_s, to_s) of kind
 * (-1 any) are deleted, or rewritten into innocuous reads, the rest renumbered and re-chained.
 * The positions the altered entries have in the edited log go to altered (room for audit_n
 * entries), their number to *n_altered. */
int msim_audit_tamper(msim_t *s, sg17_ctx_t *ctx, double from_s, double to_s, bool rewrite,
                      int kind, size_t *altered, size_t *n_altered);
/* "read", "disconnect", ... as an MSIM_AUDIT_* kind, or -1. */
int msim_audit_kind_of(const char *name);

/* inference.c: occupancy inference, shared by the eavesdropper and the third party. */
/* Scores one occupancy guess against ground truth into the given tallies. */
void msim_score(double *c1, double *t1, double *c0, double *t0, bool truth, bool guess);
/* Per-meter threshold classifier over a consumption series: active when above the mean. */
void msim_classify(const uint32_t *wh, size_t n, bool *guess);
/* Traffic analysis of one meter's frames that cannot be read: msim_classify over the frame
 * lengths and over how soon each frame followed its predecessor (send times `at`); a frame is
 * guessed active when either feature is above its mean. Event-driven pushes or variable-length
 * encodings leak occupancy this way; fixed-size frames on a fixed schedule give every frame the
 * same guess. 0, or -1 when out of memory. */
int msim_classify_traffic(const uint32_t *len, const sg17_time_t *at, size_t n, bool *guess);

/* attacks.c: the adversary. Its state is created with the run (drawing its own signing key from
 * the seeded stream) and read only there. */
msim_adversary_t *msim_adversary_new(sg17_ctx_t *ctx);
void msim_adversary_free(msim_adversary_t *a);
/* Ground truth for the audit metrics only (never for the auditor's decision): marks the altered
 * entries a failed audit from position first_bad covers; false when nothing had been altered. */
bool msim_adversary_audit_finding(msim_adversary_t *a, size_t first_bad);
void msim_adversary_finish(msim_t *s, sg17_ctx_t *ctx);
/* One function per attack of the descriptor: 0 done, -1 failed after sg17_log. */
int msim_attack_false_data(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int msim_attack_extract_key(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int msim_attack_forge_command(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int msim_attack_rogue_hes(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int msim_attack_impersonate_meter(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int msim_attack_inject_reading(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int msim_attack_malicious_firmware(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int msim_attack_mass_disconnect(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int msim_attack_infer_occupancy(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int msim_attack_overcollect(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int msim_attack_tamper_audit_log(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int msim_attack_rewrap_command(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);
int msim_attack_iv_reuse(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p);

/* ghash.c: the eavesdropper's GCM algebra (GF(2^128) in GCM's bit order, on OpenSSL BN_GF2m). */
#define MSIM_GF_LEN 16
/* out = a * b in GCM's field; 0 or -1. */
int msim_gf_mul(const uint8_t a[MSIM_GF_LEN], const uint8_t b[MSIM_GF_LEN],
                uint8_t out[MSIM_GF_LEN]);
/* The difference two GHASH_H values make when their inputs have equal lengths and differ by d
 * (len octets, aligned on one section's blocks: the ciphertext, or an AAD with no ciphertext):
 * Horner over d's zero-padded blocks, then the (equal) length block. 0 or -1. */
int msim_ghash_delta(const uint8_t h[MSIM_GF_LEN], const uint8_t *d, size_t len,
                     uint8_t out[MSIM_GF_LEN]);
/* The GHASH key H from n HLS proofs f(challenge[k]) = tag[k] made under one key and one IV (n >= 4;
 * up to 9 are used). 0 with h set, -1 when they do not determine H. */
int msim_ghash_key_from_hls(const uint8_t (*challenge)[MSIM_CHALLENGE_LEN],
                            const uint8_t (*tag)[DLMS_TAG_LEN], size_t n, uint8_t h[MSIM_GF_LEN]);

#endif
