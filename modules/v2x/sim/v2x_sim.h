/* v2x_sim.h — the X.1372 system under test: its configuration, the instance (vehicles on a road,
 * RSUs, the vehicular PKI: root CA, EA, AA and the misbehaviour authority) and the functions the
 * instance, road, radio, security, entity and attack files share. The adversary's state is private
 * to attacks.c (the instance holds an opaque pointer); the ground truth the detection metrics are
 * scored against (which messages an attacker's code produced) is private to truth.c, which no
 * receiver consults.
 *
 * Flows (all through the bus; every SPDU is IEEE 1609.2 / TS 103 097, built by proto/):
 * - v2x.cam: a vehicle's CAM (EN 302 637-2 UPER, in GeoNetworking SHB + BTP-B port 2001), signed
 *   (PSID 36) with its current authorization ticket, one radio transmission heard by the vehicles
 *   in range (sg17_send_many); the signer is the full AT once per cert_interval and after a
 *   pseudonym change, its HashedId8 otherwise (the C2C-CC profile)
 * - v2x.denm: an emergency vehicle's warning (EN 302 637-3, PSID 37, GN TSB + BTP-B port 2002);
 *   with ecies_warnings (X.1372 9.2) one encryptedData per neighbour (ECIES P-256 + AES-CCM)
 * - v2x.mbr: a misbehaviour report to the MA (signed, PSID 38): suspect HashedId8 + evidence
 * - v2x.revoke: the MA asks the AA to revoke a suspect (back-end link)
 * - v2x.crl: the AA's signed CRL (PSID 622, IEEE 1609.2 CrlContents): to the RSUs, which
 *   rebroadcast it in range
 * - v2x.platoon_join: a join request to the platoon leader, vehicle-0 (X.1372 9.3)
 * - with pki: bus (enrol.c, ETSI TS 102 941): v2x.ec_request / v2x.ec_response between a vehicle
 *   and the EA, v2x.at_request / v2x.at_response between a vehicle and the AA, and
 *   v2x.av_request / v2x.av_response between the AA and the EA (authorization validation)
 */
#ifndef V2X_SIM_H
#define V2X_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include <sg17tb/module.h>
#include <sg17tb/wire.h>

#include "proto/ts102941.h"
#include "proto/v2x_proto.h"

#define VSIM_MAX_VEHICLES 10000
#define VSIM_MAX_RSUS     64
#define VSIM_MAX_POOL     16 /* authorization tickets per vehicle */
#define VSIM_MAX_CRL      1024
#define VSIM_PSID_PLATOON 0x8e /* the platooning service of the run (a PSID of its own) */
#define VSIM_SSP_PLATOON  0x80 /* bitmap SSP bit 0: may join a platoon */
#define VSIM_LANE_WIDTH   3.5
#define VSIM_S            ((int64_t)1000000) /* a second, signed: certificate validity bounds */
#define VSIM_LAT0         481000000          /* the road's origin: 48.1 N ... */
#define VSIM_LON0         115000000          /* ... 11.5 E (1e-7 degree) */

/* Timer tags. */
enum {
    VSIM_T_CAM = 1,   /* a vehicle's next CAM */
    VSIM_T_EVENT = 2, /* an emergency vehicle's next warning */
    VSIM_T_CRL = 3,   /* an RSU rebroadcasts the CRL it holds */
    VSIM_T_JOIN = 4,  /* a vehicle asks the platoon leader to join */
    VSIM_T_EXTRA = 5, /* a compromised vehicle's extra transmissions (DoS, Sybil) */
    VSIM_T_DENM = 6,  /* a vehicle's or RSU's next DENM of a hazard event (den.c) */
    VSIM_T_FAKE = 7,  /* an insider's next false DENM (attacks.c) */
    VSIM_T_ENROL = 8, /* pki: bus: a vehicle asks the EA for its EC (enrol.c) */
};

/* Configuration (bound to the descriptor's config keys and mitigations). */
typedef struct {
    const char *road;          /* "highway" or "grid" */
    int64_t lanes;             /* highway: lanes per direction */
    double spacing;            /* highway: metres between two vehicles of a lane */
    double cam_rate;           /* Hz, 1 .. 10 */
    double radio_range;        /* metres */
    double radio_loss;         /* loss probability at the edge of the range */
    sg17_time_t cert_interval; /* a CAM carries the full AT this often */
    sg17_time_t freshness;     /* oldest accepted CAM */
    sg17_time_t future_tolerance;
    double plaus_range;     /* metres */
    double max_speed;       /* m/s */
    double max_accel;       /* m/s^2 */
    double speed_tolerance; /* m/s */
    double overlap_length, overlap_width;
    double sudden_range; /* metres */
    sg17_time_t min_beacon_interval;
    int64_t report_threshold; /* distinct reporters before the MA asks for revocation */
    sg17_time_t crl_interval;
    int64_t pool_size;
    sg17_time_t pseudonym_period;
    double pseudonym_distance;
    sg17_time_t silent_period;
    double region_size;         /* metres: half side of the ATs' region (0: no region) */
    sg17_time_t event_interval; /* emergency warnings */
    int64_t emergency_vehicles; /* vehicle-0 .. -(n-1) send warnings */
    int64_t platoon_joiners;    /* vehicle-1 .. -n ask vehicle-0 to join */
    /* hazard events (den.c) */
    int64_t breakdowns;        /* vehicle-(n-1), -(n-2), ... break down ... */
    sg17_time_t breakdown_at;  /* ... from then, one a second ... */
    sg17_time_t breakdown_for; /* ... and are towed away this long after braking (0: never) */
    int64_t roadworks;         /* rsu-0 .. announce road works ... */
    sg17_time_t roadworks_at;  /* ... from then ... */
    sg17_time_t roadworks_for; /* ... for this long (0: to the end) */
    sg17_time_t denm_interval; /* DENM repetition interval */
    sg17_time_t denm_validity; /* validityDuration of an event with no known end */
    /* the PKI's enrolment and authorization (enrol.c) */
    const char *pki;            /* "preloaded" (issued before the run) or "bus" */
    sg17_time_t request_window; /* oldest EC / AT request an authority takes */
    /* mitigations */
    bool signature_verification, cert_checks, freshness_check, replay_cache, plausibility;
    bool misbehaviour_reporting, pseudonym_change, ecies_warnings, platoon_auth;
    bool crl_verification;
    bool at_validation, ec_revocation, request_freshness;
} vsim_config_t;

/* A signing identity: a key and its encoded certificate (receivers load certificates into the
 * instance's store on first sight; vsim_signer_cert loads a signer's own). */
typedef struct {
    EVP_PKEY *key;
    uint8_t *cert;
    size_t cert_len;
    uint64_t hid;           /* HashedId8 as an integer (big-endian) */
    v2x_signer_t *prepared; /* key + H(cert) prepared once (NULL: vsim_sign prepares per call) */
} vsim_signer_t;

/* What a CAM says, in the simulation's units (metres on the road plane, m/s, radians from +x). */
typedef struct {
    uint32_t station;
    sg17_time_t gen; /* generation time, virtual µs */
    double x, y, speed, heading;
} vsim_cam_t;

/* A sender as one receiver remembers it (keyed by the signer's HashedId8). */
typedef struct {
    uint64_t hid; /* 0 = free */
    sg17_time_t last_gen, last_rx, first_rx;
    double x, y, speed;
    bool cert_known; /* its AT was received and checked: digest signers resolve */
    bool reported;   /* already reported to the MA */
} vsim_peer_t;

typedef struct {
    vsim_peer_t *slot;
    unsigned cap, used;
} vsim_peers_t;

typedef struct {
    sg17_entity_t e;
    unsigned index;
    /* kinematics (road.c): closed form in time */
    int lane;                 /* highway: signed lane (sign = direction); grid: loop direction */
    double s0, v0;            /* along the path at t = 0, base speed */
    double amp, omega, phase; /* speed oscillation */
    double path_len, gx0, gy0, gw, gh; /* grid: the loop's rectangle */
    /* PKI: a pool of ATs, the current one, the encryption certificate */
    vsim_signer_t pool[VSIM_MAX_POOL];
    unsigned n_pool, current;
    vsim_signer_t enc;
    uint32_t station;
    sg17_time_t last_cert_sent, changed_at, silent_until;
    bool cert_sent_once;
    double odo_at_change;
    uint64_t cams_sent;
    /* reception */
    vsim_peers_t peers;
    uint64_t crl_id; /* the CRL this vehicle installed (crl.c: index + 1 in crl_db, 0 none) */
    sg17_time_t up_since;
    uint16_t denm_seq;
    /* a breakdown (den.c): hard braking from brake_at onto the shoulder, silent from gone_at */
    sg17_time_t brake_at, gone_at;
    double decel, shoulder;
} vsim_vehicle_t;

typedef struct vsim_adversary vsim_adversary_t;
typedef struct vsim_truth vsim_truth_t;
typedef struct vsim_certs vsim_certs_t;
typedef struct vsim_vcache vsim_vcache_t;
typedef struct vsim_crl_rec vsim_crl_rec_t;

typedef struct {
    uint64_t suspect;
    unsigned reporters;
    bool requested;
} vsim_mbr_t;

/* The instance. */
typedef struct {
    vsim_config_t cfg;
    bool grid;
    unsigned n_veh, n_rsu;
    vsim_vehicle_t *veh;
    sg17_entity_t rca, ea, aa, ma, rsu[VSIM_MAX_RSUS];
    double rsu_x[VSIM_MAX_RSUS], rsu_y[VSIM_MAX_RSUS];
    uint64_t rsu_crl[VSIM_MAX_RSUS]; /* the crlSerial of the CRL each RSU holds ... */
    uint8_t *rsu_msg[VSIM_MAX_RSUS]; /* ... and the signed CRL it rebroadcasts */
    size_t rsu_msg_len[VSIM_MAX_RSUS];
    double road_len, ring_r, grid_w;
    uint64_t loss_seed;
    uint64_t tai0; /* Time64 of virtual time 0 */
    /* PKI */
    vsim_signer_t root, ea_s, aa_s, ma_s;
    vsim_certs_t *certs;               /* every certificate seen, loaded once, chain checked once */
    v2x_crl_entry_t crl[VSIM_MAX_CRL]; /* the AA's list (HashedId10, expiry) */
    unsigned n_crl;
    uint32_t crl_serial;    /* of the AA's latest CRL */
    vsim_crl_rec_t *crl_db; /* every distinct CRL received, decoded once (crl.c) */
    unsigned n_crl_db;
    vsim_mbr_t *mbr;
    unsigned n_mbr;
    /* signature checks, once per distinct SPDU */
    vsim_vcache_t *vcache;
    /* radio neighbourhood: a grid of cells over positions refreshed every 100 ms */
    int *cell_head, *cell_next;
    unsigned cells_x, cells_y;
    double cell, min_x, min_y;
    sg17_time_t grid_at;
    bool grid_valid;
    double *px, *py;
    sg17_entity_t *dsts;
    /* platoon */
    unsigned platoon_members;
    struct vsim_den *den; /* the DEN service's events and receivers' tables (den.c) */
    bool pki_bus;         /* pki: bus: ECs and ATs are requested over the bus (enrol.c) */
    struct vsim_enrol *enrol;
    vsim_adversary_t *adv;
    vsim_truth_t *truth;
} vsim_t;

/* ---- instance.c ---- */
void *vsim_create(sg17_ctx_t *ctx, const void *config);
void vsim_destroy(void *instance);
void vsim_start(void *instance, sg17_ctx_t *ctx);
void vsim_finish(void *instance, sg17_ctx_t *ctx);
double vsim_rand_range(sg17_ctx_t *ctx, double lo, double hi);

/* ---- road.c ---- */
void vsim_road_setup(vsim_t *s, sg17_ctx_t *ctx);
void vsim_vehicle_state(const vsim_t *s, const vsim_vehicle_t *v, sg17_time_t t, double *x,
                        double *y, double *speed, double *heading);
double vsim_vehicle_odometer(const vsim_vehicle_t *v, sg17_time_t t);
/* When a broken-down vehicle comes to a stand (0: no breakdown). */
sg17_time_t vsim_vehicle_stop_time(const vsim_t *s, const vsim_vehicle_t *v);
void vsim_road_random_point(const vsim_t *s, sg17_ctx_t *ctx, double *x, double *y);
/* metres on the road plane <-> 1e-7 degree */
void vsim_to_latlon(double x, double y, int32_t *lat, int32_t *lon);
void vsim_from_latlon(int32_t lat, int32_t lon, double *x, double *y);

/* ---- radio.c ---- */
double vsim_distance(double ax, double ay, double bx, double by);
/* Positions of every vehicle at now (cached for 100 ms of virtual time). */
void vsim_radio_refresh(vsim_t *s, sg17_time_t now);
/* Fills s->dsts with the vehicles (and RSUs when with_rsus) in radio range of (x, y) whose
 * reception the distance-dependent loss lets through, except `self`; returns how many. The loss
 * draw is a hash of (tx_id, receiver), so it is the same in every run of a seed. */
size_t vsim_radio_receivers(vsim_t *s, sg17_time_t now, double x, double y, sg17_entity_t self,
                            uint64_t tx_id, bool with_rsus);
/* One transmission from src to s->dsts[0..n) (sg17_send_many, or one send per receiver where
 * the host has no multicast). */
void vsim_radio_send(vsim_t *s, sg17_ctx_t *ctx, sg17_entity_t src, size_t n, const char *type,
                     const uint8_t *p, size_t len);
/* The adversary's transmission to s->dsts[0..n) (only inside an attack hook). */
void vsim_radio_inject(vsim_t *s, sg17_ctx_t *ctx, sg17_entity_t claimed, size_t n,
                       const char *type, const uint8_t *p, size_t len);
/* The receiver's own sensors (radar): a physical vehicle other than self within r of (x, y)? */
bool vsim_radio_sensed(const vsim_t *s, unsigned self, double x, double y, double r);

/* ---- secure.c: building and receiving SPDUs ---- */
uint64_t vsim_hid(const uint8_t hid[8]);
uint64_t vsim_time64(const vsim_t *s, sg17_time_t t);
vsim_certs_t *vsim_certs_new(void);
void vsim_certs_free(vsim_certs_t *c);
vsim_vcache_t *vsim_vcache_new(void);
void vsim_vcache_free(vsim_vcache_t *c);
/* Issues a certificate (explicit, P-256) with a key drawn from the seeded stream. */
typedef struct {
    const char *name;
    const vsim_signer_t *issuer; /* NULL: self-signed root */
    bool ca;
    int64_t from, to; /* validity, virtual µs (from may be before 0) */
    bool region;      /* a rectangle of half side `half` around (cx, cy) */
    double cx, cy, half;
    const uint64_t *psids;
    const uint8_t *ssps; /* one octet per PSID (0: none) */
    size_t n_psids;
    bool enc_key; /* also an encryption key (the key itself) */
} vsim_issue_t;
/* A fresh P-256 key pair from the run's random stream (the seed cleansed); NULL on failure. */
EVP_PKEY *vsim_key_new(sg17_ctx_t *ctx);
int vsim_signer_issue(vsim_t *s, sg17_ctx_t *ctx, const vsim_issue_t *p, vsim_signer_t *out);
/* The certificate of p for a given subject key (its public part: the requester keeps the private
 * one), signed by p->issuer; 0 or a v2x_err_t. */
int vsim_cert_issue(const vsim_t *s, const vsim_issue_t *p, const EVP_PKEY *subject, uint8_t *out,
                    size_t cap, size_t *len);
/* A signer from a key pair and the certificate an authority issued for it (takes ownership of
 * key on success); 0 or -1. */
int vsim_signer_adopt(vsim_signer_t *out, EVP_PKEY *key, const uint8_t *cert, size_t len);
void vsim_signer_free(vsim_signer_t *sg);
/* The signer's certificate as loaded in the instance's store (NULL if it does not load). */
const v2x_cert_t *vsim_signer_cert(vsim_t *s, const vsim_signer_t *sg);
/* A CAM as GeoNetworking SHB + BTP-B + UPER, signed (digest or certificate signer). */
int vsim_cam_build(const vsim_t *s, const vsim_signer_t *sg, const vsim_cam_t *cam, bool with_cert,
                   uint8_t *out, size_t cap, size_t *len);
/* The same GN packet as unsecuredData. */
int vsim_cam_unsecured(const vsim_t *s, const vsim_cam_t *cam, uint8_t *out, size_t cap,
                       size_t *len);
/* Signs a payload (DENM packet, report, join, CRL) with the signer's certificate. */
int vsim_sign(const vsim_t *s, const vsim_signer_t *sg, uint64_t psid, sg17_time_t t, double x,
              double y, const uint8_t *payload, size_t plen, bool with_cert, uint8_t *out,
              size_t cap, size_t *len);
/* A DENM (emergency vehicle approaching) as GN TSB + BTP-B + UPER. */
int vsim_denm_packet(const vsim_t *s, uint32_t station, uint16_t seq, sg17_time_t t, double x,
                     double y, uint8_t *out, size_t cap, size_t *len);

/* What a receiver learnt from a secured message it accepted. */
typedef struct {
    v2x_spdu_t spdu;
    uint64_t signer;        /* HashedId8 of the signer's certificate, 0 for an unsecured message */
    const v2x_cert_t *cert; /* the signer's certificate, NULL when unknown */
    sg17_time_t gen;        /* generation time, virtual µs (0 when absent) */
} vsim_rx_t;
/* The security checks of a receiver on one SPDU, each as its mitigation switches it: decode,
 * signature (signature_verification), chain, validity, region, PSID and revocation (cert_checks),
 * freshness (freshness_check). `known` resolves a digest signer (the receiver's own cache, NULL:
 * only a certificate signer resolves). Returns NULL or the rejection reason. */
typedef bool (*vsim_known_fn)(void *arg, uint64_t hid);
const char *vsim_secure_receive(vsim_t *s, const uint8_t *p, size_t n, uint64_t want_psid,
                                sg17_time_t now, uint64_t crl_id, vsim_known_fn known,
                                void *known_arg, vsim_rx_t *rx);
/* The same without the freshness check, for a message whose own content says how long it is
 * valid (a CRL, rebroadcast for as long as it is current). */
const char *vsim_secure_receive_any_age(vsim_t *s, const uint8_t *p, size_t n, uint64_t want_psid,
                                        sg17_time_t now, vsim_rx_t *rx);
/* The CAM inside an accepted SPDU (GN + BTP + UPER); 0 or -1. An unsecured CAM's generation
 * time is rebuilt from its generationDeltaTime (the latest time <= now with that value). */
int vsim_cam_parse(const vsim_t *s, const vsim_rx_t *rx, sg17_time_t now, vsim_cam_t *cam);

/* ---- vehicle.c ---- */
void vsim_vehicle_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m);
void vsim_vehicle_on_timer(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag);
void vsim_vehicle_cam(const vsim_t *s, const vsim_vehicle_t *v, sg17_time_t t, vsim_cam_t *c);
void vsim_peers_free(vsim_peers_t *t);
/* Local plausibility checks (F2MD): NULL or the failed check's reason. */
const char *vsim_plausibility(vsim_t *s, const vsim_vehicle_t *r, const vsim_peer_t *peer,
                              const vsim_cam_t *c, sg17_time_t now);

/* ---- den.c: the DEN basic service (hazard events, DENMs) ---- */
typedef struct vsim_den vsim_den_t;
vsim_den_t *vsim_den_new(vsim_t *s, sg17_ctx_t *ctx);
void vsim_den_free(vsim_den_t *d, unsigned n_veh);
void vsim_den_start(vsim_t *s, sg17_ctx_t *ctx);
void vsim_den_vehicle_timer(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v);
void vsim_den_rsu_timer(vsim_t *s, sg17_ctx_t *ctx, unsigned k);
/* A DENM of event (station, seq): detection and reference time, event position, cause, validity;
 * relevance and transmission interval as the service sets them. */
void vsim_den_event(const vsim_t *s, v2x_denm_t *d, uint32_t station, uint16_t seq,
                    sg17_time_t detected, sg17_time_t ref, double ex, double ey, uint8_t cause,
                    uint8_t sub, uint32_t validity_s);
/* The DENM as GN TSB + BTP-B + UPER, signed at t from (x, y) with the signer's certificate. */
int vsim_den_build(const vsim_t *s, const vsim_signer_t *sg, const v2x_denm_t *d, sg17_time_t t,
                   double x, double y, uint8_t *out, size_t cap, size_t *len);
/* A receiver's checks on a DENM that passed the security checks: validity, replay and
 * termination, plausibility (origin: the signer as the receiver knows it from its CAMs, or
 * NULL). NULL: accepted, else the rejection reason. */
const char *vsim_den_receive(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v, const vsim_rx_t *rx,
                             const v2x_denm_t *d, const vsim_peer_t *origin, const uint8_t *spdu,
                             size_t len);

/* ---- rsu.c, pki.c (rca, ea, aa, ma) ---- */
void vsim_rsu_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m);
void vsim_rsu_on_timer(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag);
void vsim_aa_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m);
void vsim_ma_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m);
void vsim_ca_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m);
int vsim_pki_setup(vsim_t *s, sg17_ctx_t *ctx);
void vsim_report_misbehaviour(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *r, vsim_peer_t *peer,
                              const sg17_msg_t *evidence);

/* ---- enrol.c: enrolment and authorization on the bus (ETSI TS 102 941, pki: bus) ---- */
typedef struct vsim_enrol vsim_enrol_t;
/* The EA's registry (every vehicle's canonical id and key), the authorities' request caches and
 * each vehicle's pending requests; NULL on failure. */
vsim_enrol_t *vsim_enrol_new(vsim_t *s, sg17_ctx_t *ctx);
void vsim_enrol_free(vsim_enrol_t *en, unsigned n_veh);
/* The EA enrolled a device before the run and has since revoked its EC (the adversary holds
 * it: attacks.c); 0 or -1. */
int vsim_enrol_revoked_ec(vsim_t *s, const vsim_signer_t *ec);
void vsim_enrol_start(vsim_t *s, sg17_ctx_t *ctx);
void vsim_enrol_vehicle_timer(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v);
/* An EC or AT response delivered to a vehicle (reported here). */
void vsim_enrol_vehicle_on_message(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v,
                                   const sg17_msg_t *m);
void vsim_ea_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m);
/* The AA's part: AT requests and the EA's validation answers (reported here). */
void vsim_enrol_aa_on_message(vsim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m);
/* An authorization request as a vehicle sends it: a fresh AT key (at_key, public part requested),
 * the EC's signature over the SharedAtRequest encrypted to the EA, the whole signed with the AT
 * key (proof of possession) and encrypted to the AA; the permissions are those of `vehicle`'s
 * ATs. hash: its requestHash. 0 or -1. */
int vsim_enrol_at_request(vsim_t *s, sg17_ctx_t *ctx, const vsim_signer_t *ec, unsigned vehicle,
                          const EVP_PKEY *at_key, uint8_t *out, size_t cap, size_t *len,
                          uint8_t hash[V2X_PKI_HASH16]);
/* An authorization response signed by the AA: its requestHash, code and certificate (NULL when
 * none); NULL, or why it is refused. */
const char *vsim_enrol_at_response(vsim_t *s, const uint8_t *p, size_t n,
                                   uint8_t hash[V2X_PKI_HASH16], uint8_t *code,
                                   const uint8_t **cert, size_t *cert_len);
/* Sets a vehicle's first timers (CAMs, warnings, joins): at the start, or once its AT pool came
 * over the bus. */
void vsim_vehicle_arm(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v);

/* ---- crl.c: the IEEE 1609.2 CRL ---- */
/* The AA adds an AT to its list (0, or -1 when it is full). */
int vsim_crl_revoke(vsim_t *s, const vsim_signer_t *at);
/* The AA's signed CRL of its whole list (a new crlSerial). */
int vsim_crl_build(vsim_t *s, sg17_time_t now, uint8_t *out, size_t cap, size_t *len);
/* A CRL SPDU a vehicle or RSU received, checked as crl_verification says: the CRL's id for
 * vsim_crl_newer / vsim_revoked, or -1 with *why. */
long vsim_crl_receive(vsim_t *s, const uint8_t *p, size_t n, sg17_time_t now, const char **why);
uint32_t vsim_crl_serial(const vsim_t *s, long id);
/* Whether CRL id replaces the one installed (current, 0 none): newer serial of the CRACA. */
bool vsim_crl_newer(const vsim_t *s, long id, uint64_t current);
/* The installed CRL revokes the certificate (same CRACA and series, its HashedId10 listed). */
bool vsim_revoked(const vsim_t *s, uint64_t crl_id, const v2x_cert_t *cert);
/* The AA's CRL at the start, installed in every vehicle; 0 or -1. */
int vsim_crl_initial(vsim_t *s);
void vsim_crl_free(vsim_t *s);
int vsim_attack_forge_crl(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);

/* ---- attacks.c ---- */
vsim_adversary_t *vsim_adversary_new(unsigned n_veh);
void vsim_adversary_free(vsim_adversary_t *a);
/* The AA issued the adversary, before the run, the defective ATs of bad_cert (expired, revoked,
 * for another region, without the CAM PSID); they stay private to attacks.c. *revoked: the public
 * part of the one the AA revoked before the run (its certificate, borrowed, and HashedId8; no
 * key), for the caller to put on the CRL. */
int vsim_adversary_provision(vsim_t *s, sg17_ctx_t *ctx, vsim_signer_t *revoked);
/* pki: bus: the EC of a decommissioned device, which the EA has revoked, held by the adversary
 * (attacks.c keeps it; enrol.c registers it as revoked). */
int vsim_adversary_provision_ec(vsim_t *s, sg17_ctx_t *ctx);
int vsim_attack_request_at(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
int vsim_attack_use_at(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
/* A compromised vehicle's CAM as the adversary rewrites it (F2MD types 1-12): 1 the attacker's
 * (falsified, or left true by a type that falsifies through extra transmissions or has nothing to
 * copy yet: F2MD labels every message of an attacking vehicle), 0 not attacking, -1 no CAM now. */
int vsim_adversary_falsify(vsim_t *s, sg17_ctx_t *ctx, unsigned vehicle, vsim_cam_t *c);
/* Extra transmissions of a compromised vehicle (types 13-19), on its VSIM_T_EXTRA timer. */
void vsim_adversary_extra(vsim_t *s, sg17_ctx_t *ctx, unsigned vehicle);
/* A compromised vehicle heard a CAM (the data-replay types reuse neighbours' data). */
void vsim_adversary_overhear(vsim_adversary_t *a, unsigned vehicle, const vsim_cam_t *c);
void vsim_adversary_finish(vsim_t *s, sg17_ctx_t *ctx);
int vsim_attack_misbehave(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
int vsim_attack_forge(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
int vsim_attack_bad_cert(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
int vsim_attack_track(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
int vsim_attack_platoon_join(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
int vsim_attack_eavesdrop(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
int vsim_attack_denm(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
/* An insider's next false DENM, on its VSIM_T_FAKE timer. */
void vsim_adversary_fake_denm(vsim_t *s, sg17_ctx_t *ctx, unsigned vehicle);

/* ---- truth.c: ground truth of the detection metrics (scored, never consulted) ---- */
vsim_truth_t *vsim_truth_new(void);
void vsim_truth_free(vsim_truth_t *t);
/* The adversary's code produced this SPDU (exact bytes). */
void vsim_truth_mark(vsim_truth_t *t, const uint8_t *p, size_t n);
void vsim_truth_attack_started(vsim_truth_t *t, unsigned vehicle, sg17_time_t at);
/* A vehicle's verdict on a CAM: flagged = rejected by a plausibility check. */
void vsim_truth_score(vsim_truth_t *t, const uint8_t *p, size_t n, bool flagged, sg17_time_t now);
/* The AA revoked a vehicle; attacker = the adversary controlled it (ground truth). */
void vsim_truth_revocation(vsim_truth_t *t, unsigned vehicle, sg17_time_t now);
/* An authority issued a certificate for this verification key (a compressed point). */
void vsim_truth_issued(vsim_truth_t *t, const uint8_t *point, size_t n);
void vsim_truth_finish(vsim_truth_t *t, sg17_ctx_t *ctx);

#endif
