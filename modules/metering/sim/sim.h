/* sim/sim.h — the metering simulation's state (X.1332 system under test): meters with a
 * consumption/occupancy model, the head-end (HES), meter data management (MDM), a third-party
 * service provider and utility operator accounts, and the adversary's own knowledge. One instance
 * per run; every entity's state lives here, nothing in globals.
 *
 * Files: model.c (instance, keys, consumption model), wire.c (ciphered framing and the internal
 * HES/MDM/third-party encodings), meter.c, hes.c (head-end and operator), mdm.c (MDM and third
 * party), attacks.c (module attack primitives and the attacker's inference). */
#ifndef METERING_SIM_H
#define METERING_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <sg17tb/module.h>

#include "dlms/apdu.h"
#include "dlms/security.h"

#define MSIM_CHALLENGE_LEN        16
#define MSIM_LLS_LEN              8
#define MSIM_FRAME_CAP            1024 /* largest ciphered command (signed firmware image included) */
#define MSIM_FW_BODY_LEN          96   /* firmware image body octets */
#define MSIM_EPOCH                1699920000LL /* virtual time 0 = 2023-11-14 00:00 UTC */
#define MSIM_DISCONNECT_LIMIT_MAX 1000000u     /* largest disconnect_limit a run accepts */

/* Timer tags: kind in the top byte, a meter index in the low 32 bits. */
enum {
    TAG_READING = 1,  /* meter: push the next load-profile reading */
    TAG_ASSOC,        /* hes: open the association with meter N */
    TAG_EXPORT,       /* hes: forward the interval's accepted readings to the MDM */
    TAG_ONDEMAND,     /* hes: on-demand read of a few meters */
    TAG_TARIFF,       /* hes: tariff update to every meter */
    TAG_FIRMWARE,     /* hes: signed firmware roll-out */
    TAG_DR,           /* operator: demand-response load limits */
    TAG_DISCONNECT,   /* operator: non-payment disconnect of meter N */
    TAG_RECONNECT,    /* operator: reconnect meter N */
    TAG_DAY,          /* mdm: end-of-day validation */
    TAG_TP,           /* thirdparty: daily data request */
    TAG_AUDIT_ANCHOR, /* hes: signed chain head to the MDM (audit_log) */
    TAG_AUDIT,        /* hes: hand the command log to the auditor */
};
#define TAG(kind, n) ((uint64_t)(kind) << 56 | (uint64_t)(uint32_t)(n))
#define TAG_KIND(t)  ((unsigned)((t) >> 56))
#define TAG_INDEX(t) ((unsigned)((t)&0xffffffffu))

typedef enum { ASSOC_NONE = 0, ASSOC_PENDING, ASSOC_OPEN } assoc_t;

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
    int64_t last_ic_in; /* last counter accepted from the HES */
    assoc_t assoc;
    bool assoc_hls, assoc_pending;
    uint8_t ctos[MSIM_CHALLENGE_LEN], stoc[MSIM_CHALLENGE_LEN];
    /* what commands did to it */
    bool disconnected;
    uint32_t load_limit, tariff, fw_version;
    bool fw_foreign; /* runs an image not released by the manufacturer */
    /* adversary */
    double false_factor; /* 1 = honest; < 1 under-reports (set by false_data) */
} meter_t;

/* The head-end's view of one meter. */
typedef struct {
    int64_t last_ic_in; /* last counter accepted from the meter */
    uint32_t ic_out;    /* counter of the HES's frames to that meter */
    assoc_t assoc;
    uint8_t ctos[MSIM_CHALLENGE_LEN];
} hes_peer_t;

/* The MDM's record of one meter (customer). */
typedef struct {
    bool have;
    uint32_t last_register, first_register;
    uint32_t last_time; /* seconds, time of the last stored reading */
    double *day_wh;     /* reported consumption per day */
    uint32_t *series;   /* 15-min consumption (Wh) per reading, in arrival order */
    uint32_t *series_k; /* reading sequence number of each series entry */
    size_t n_series, cap_series;
    bool flagged;
    double baseline_wh_day; /* learnt daily consumption */
    bool consent;           /* customer consented to third-party daily data */
} mdm_customer_t;

/* What the third party holds about one customer: the finest data it was given. Answers are
 * cumulative, so a newer one of the same granularity replaces the older; a raw 15-min series is
 * never replaced by daily totals. */
typedef struct {
    uint32_t *wh;  /* Wh of each value */
    uint32_t *idx; /* reading sequence (raw) or day (daily) of each value */
    size_t n;
    bool raw;
} tp_view_t;

#define AUDIT_HASH_LEN   32
#define AUDIT_REC        (17 + 2 * AUDIT_HASH_LEN) /* one audit log record, see audit.c */
#define AUDIT_ORIGIN_HES 0xFFFFFFFFu               /* command scheduled by the HES itself */

/* Kinds of logged commands. */
enum {
    AUDIT_READ,
    AUDIT_SETTING,
    AUDIT_LOAD_LIMIT,
    AUDIT_DISCONNECT,
    AUDIT_RECONNECT,
    AUDIT_FIRMWARE,
    AUDIT_OTHER
};

/* A signed chain head the MDM holds: the log's first count records end in head. */
typedef struct {
    size_t count;
    uint8_t head[AUDIT_HASH_LEN];
} audit_anchor_t;

/* Ground truth of one entry the insider altered or deleted (its position in the edited log);
 * used for metrics only, never by the auditor. */
typedef struct {
    size_t pos;
    bool detected;
} audit_truth_t;

typedef struct msim {
    /* topology */
    unsigned n_meters, n_ops, n_tp, n_entities;
    sg17_entity_t hes, mdm;
    meter_t *meters;
    hes_peer_t *peers;
    mdm_customer_t *cust;
    /* configuration */
    sg17_time_t interval, push_slot, ondemand_every, tariff_every, dr_every, disconnect_every,
        firmware_at;
    unsigned ondemand_batch, dr_batch, transformer_size, disconnect_limit, days;
    sg17_time_t disconnect_window, mdm_learning;
    double hes_capacity, hes_source_rate, mdm_threshold, mdm_tolerance;
    bool push_plain_when_off;
    sg17_time_t audit_anchor_every, audit_every;
    /* mitigations */
    bool m_auth_enc, m_ic, m_unique, m_hls, m_cmd_auth, m_mass_limit, m_plaus, m_signed_fw,
        m_minimise, m_rate_limit, m_audit;
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
    unsigned ondemand_next, dr_next, disc_next;
    /* audit log: the HES's store, the MDM's anchors, the insider's ground truth */
    EVP_PKEY *hes_audit_key; /* HES anchor signing key */
    EVP_PKEY *hes_audit_pub; /* its public half, held by the MDM */
    bool audit_chained;      /* format of the HES's log store */
    uint8_t *audit_log;
    size_t audit_n, audit_cap;
    audit_anchor_t *anchors;
    size_t n_anchors, cap_anchors;
    audit_truth_t *truth;
    size_t n_truth, cap_truth;
    /* MDM run state */
    double *feeder_wh;       /* true energy per transformer per day */
    double *feeder_measured; /* the substation meter's reading of it */
    unsigned n_groups;
    int last_day_evaluated;
    /* third party */
    size_t tp_customers_raw, tp_customers_daily;
    uint8_t *tp_exposed; /* per customer: got data beyond consent */
    tp_view_t *tp_view;  /* per customer: the data it holds, for its occupancy inference */
    /* adversary knowledge */
    bool adv_has_hes_store;
    dlms_keys_t adv_keys;
    bool adv_has_keys;
    EVP_PKEY *adv_sign_key; /* the attacker's own ECDSA key */
    double adv_correct1, adv_total1, adv_correct0, adv_total0;
} msim_t;

/* model.c */
msim_t *msim_create(sg17_ctx_t *ctx);
void msim_destroy(msim_t *s);
/* Instantaneous household demand in W at absolute time t (day draws advance deterministically). */
double msim_meter_power(msim_t *s, sg17_ctx_t *ctx, meter_t *m, sg17_time_t t, bool *occupied);
/* The meter index of a system title, or -1. */
int msim_meter_of_systitle(const msim_t *s, const uint8_t *st);
unsigned msim_meter_index(msim_t *s, sg17_ctx_t *ctx, sg17_entity_t e, bool *ok);
/* SHA-256(master || label || id) truncated to n octets: the utility's key diversification. */
int msim_derive(const uint8_t master[32], const char *label, const uint8_t id[8], uint8_t *out,
                size_t n);

/* wire.c: ciphered framing. The sender protects apdu with keys/systitle/IC and wraps it in
 * general-glo-ciphering; sc 0 means "send the APDU in clear". */
int msim_wrap(const dlms_keys_t *keys, const uint8_t *systitle, uint32_t ic, uint8_t sc,
              const uint8_t *apdu, size_t len, uint8_t *out, size_t cap, size_t *outlen);
/* Receiver side: a general-glo-ciphering frame is unprotected with keys (policy, min_ic); a clear
 * APDU is returned as is with *ciphered = false. The sender's system title (NULL for clear) and
 * the IC are returned. Returns DLMS_SEC_OK or a rejection status. */
dlms_sec_status_t msim_unwrap(const dlms_keys_t *keys, const uint8_t *in, size_t len,
                              const uint8_t *expect_systitle, uint8_t policy, int64_t min_ic,
                              uint8_t *out, size_t cap, size_t *outlen, uint32_t *ic,
                              bool *ciphered);
void msim_put32(uint8_t *p, uint32_t v);
uint32_t msim_get32(const uint8_t *p);

/* meter.c */
void msim_meter_on_timer(msim_t *s, sg17_ctx_t *ctx, unsigned i);
void msim_meter_on_message(msim_t *s, sg17_ctx_t *ctx, unsigned i, const sg17_msg_t *m);
/* The reading frame meter i would push for register value reg and sequence k (used by meters and
 * by the attacker's encoders). */
int msim_reading_frame(msim_t *s, const meter_t *m, const dlms_keys_t *keys, uint32_t ic,
                       uint8_t sc, uint32_t k, uint32_t reg, sg17_time_t t, uint8_t *out,
                       size_t cap, size_t *outlen);

/* hes.c */
void msim_hes_start(msim_t *s, sg17_ctx_t *ctx);
void msim_hes_on_timer(msim_t *s, sg17_ctx_t *ctx, uint64_t tag);
void msim_hes_on_message(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
void msim_op_on_timer(msim_t *s, sg17_ctx_t *ctx, unsigned op, uint64_t tag);
/* An operator request: APDU signed (general-signing) by the operator account op for meter i. */
int msim_op_request(msim_t *s, sg17_ctx_t *ctx, EVP_PKEY *key, unsigned op, unsigned i,
                    const uint8_t *apdu, size_t len, uint8_t *out, size_t cap, size_t *outlen);
/* The HES side of sending an APDU (clear or already signed) to meter i in its association,
 * logged with origin (the requesting operator, or AUDIT_ORIGIN_HES). */
/* An image-transfer activate action with a general-signing envelope signed by `key`. */
int msim_firmware_action(msim_t *s, EVP_PKEY *key, uint32_t version, const uint8_t *body,
                         const uint8_t tx[4], uint8_t invoke_id, uint8_t *apdu, size_t cap,
                         size_t *len);
int msim_hes_command(msim_t *s, sg17_ctx_t *ctx, unsigned i, const char *type, const uint8_t *apdu,
                     size_t len, uint32_t origin);

/* mdm.c */
void msim_mdm_on_timer(msim_t *s, sg17_ctx_t *ctx, uint64_t tag);
void msim_mdm_on_message(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
void msim_tp_on_timer(msim_t *s, sg17_ctx_t *ctx, uint64_t tag);
void msim_tp_on_message(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
/* Sends a third-party request (granularity 0 raw, 1 daily) for the listed customers. */
void msim_tp_request(msim_t *s, sg17_ctx_t *ctx, bool raw, const unsigned *cust, size_t n);
void msim_mdm_finish(msim_t *s, sg17_ctx_t *ctx);

/* audit.c */
int msim_audit_init(msim_t *s);
void msim_audit_free(msim_t *s);
/* Appends a record of a command the HES issues to its log store (chained when audit_log). */
void msim_audit_append(msim_t *s, sg17_ctx_t *ctx, unsigned meter, uint32_t origin,
                       const char *type, const uint8_t *apdu, size_t len);
int msim_audit_link(const uint8_t prev[AUDIT_HASH_LEN], const uint8_t *rec,
                    uint8_t out[AUDIT_HASH_LEN]);
/* The auditor's check of n records: -1 if clean, else the first position it cannot vouch for. */
long msim_audit_verify(const msim_t *s, const uint8_t *recs, size_t n, bool chained);
void msim_audit_on_timer(msim_t *s, sg17_ctx_t *ctx, uint64_t tag);
void msim_audit_on_message(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
/* The insider's edit of the log store: entries issued in [from_s, to_s) of kind (-1 any). */
int msim_audit_tamper(msim_t *s, sg17_ctx_t *ctx, double from_s, double to_s, bool rewrite,
                      int kind);
/* "read", "disconnect", ... as an AUDIT_* kind, or -1. */
int msim_audit_kind_of(const char *name);
void msim_audit_finish(msim_t *s, sg17_ctx_t *ctx);

/* attacks.c */
int msim_on_attack(msim_t *s, sg17_ctx_t *ctx, const char *attack, const sg17_params_t *p);
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

#endif
