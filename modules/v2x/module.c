/* module.c — the v2x module (X.1372): its descriptor and the thin dispatch from the descriptor's
 * handlers to the simulation. The instance and its entities live in sim/, the IEEE 1609.2 / ETSI
 * codecs and crypto in proto/, the command-line tools in tools.c. */
#include <stddef.h>

#include "proto/v2x_proto.h"
#include "sim/v2x_sim.h"
#include "tools.h"

/* ---- dispatch ---- */

SG17_ON_MESSAGE(vehicle_on_message, vsim_vehicle_on_message);

SG17_ON_TIMER(vehicle_on_timer, vsim_vehicle_on_timer);

SG17_ON_MESSAGE(rsu_on_message, vsim_rsu_on_message);

SG17_ON_TIMER(rsu_on_timer, vsim_rsu_on_timer);

SG17_ON_MESSAGE(ca_on_message, vsim_ca_on_message);

SG17_ON_MESSAGE(ea_on_message, vsim_ea_on_message);

SG17_ON_MESSAGE(aa_on_message, vsim_aa_on_message);

SG17_ON_MESSAGE(ma_on_message, vsim_ma_on_message);

SG17_ATTACK_RUN(run_misbehave, vsim_attack_misbehave);

SG17_ATTACK_RUN(run_forge, vsim_attack_forge);

SG17_ATTACK_RUN(run_bad_cert, vsim_attack_bad_cert);
SG17_ATTACK_RUN(run_forge_crl, vsim_attack_forge_crl);

SG17_ATTACK_RUN(run_track, vsim_attack_track);

SG17_ATTACK_RUN(run_platoon_join, vsim_attack_platoon_join);

SG17_ATTACK_RUN(run_eavesdrop, vsim_attack_eavesdrop);

SG17_ATTACK_RUN(run_denm, vsim_attack_denm);

SG17_ATTACK_RUN(run_request_at, vsim_attack_request_at);

SG17_ATTACK_RUN(run_use_at, vsim_attack_use_at);

static void destroy(void *instance)
{
    vsim_destroy(instance);
}

/* ---- the descriptor's tables ---- */

#define MAX_VEHICLE_INDEX (VSIM_MAX_VEHICLES - 1)

static const sg17_entity_kind_t entity_kinds[] = {
    {.name = "vehicle",
     .description = "OBU: broadcasts signed CAMs, verifies and checks what it hears, reports "
                    "misbehaviour, changes pseudonyms",
     .default_count = 20,
     .min_count = 2,
     .max_count = VSIM_MAX_VEHICLES,
     .on_message = vehicle_on_message,
     .on_timer = vehicle_on_timer},
    {.name = "rsu",
     .description = "roadside unit: rebroadcasts the AA's CRL to the vehicles in range",
     .default_count = 2,
     .min_count = 0,
     .max_count = VSIM_MAX_RSUS,
     .on_message = rsu_on_message,
     .on_timer = rsu_on_timer},
    {.name = "rca",
     .description = "root CA: the trust anchor (issued the EA, AA and MA certificates)",
     .default_count = 1,
     .min_count = 1,
     .max_count = 1,
     .on_message = ca_on_message},
    {.name = "ea",
     .description = "enrolment authority: keeps the registry of canonical ids, issues ECs on "
                    "enrolment requests and keeps their status, validates the AA's authorization "
                    "requests (pki: bus; with pki: preloaded enrolment happened before the run)",
     .default_count = 1,
     .min_count = 1,
     .max_count = 1,
     .on_message = ea_on_message},
    {.name = "aa",
     .description = "authorization authority: issues the ATs (before the run, or with pki: bus "
                    "on requests it has the EA validate), revokes on the MA's request, publishes "
                    "the CRL",
     .default_count = 1,
     .min_count = 1,
     .max_count = 1,
     .on_message = aa_on_message},
    {.name = "ma",
     .description = "misbehaviour authority: collects reports, asks the AA to revoke",
     .default_count = 1,
     .min_count = 1,
     .max_count = 1,
     .on_message = ma_on_message},
    {.name = NULL},
};

#define CONFIG(field) offsetof(vsim_config_t, field)

static const sg17_config_key_t config_keys[] = {
    {"road",
     SG17_TYPE_STRING,
     "highway",
     "highway (a multi-lane ring) or grid (an urban grid)",
     CONFIG(road),
     {0, 0}},
    {"lanes", SG17_TYPE_INT, "2", "highway lanes per direction", CONFIG(lanes), {1, 8}},
    {"spacing",
     SG17_TYPE_NUMBER,
     "40",
     "highway: metres between two vehicles of a lane (the "
     "ring is at least 1.5 km)",
     CONFIG(spacing),
     {5, 2000}},
    {"cam_rate",
     SG17_TYPE_NUMBER,
     "2",
     "CAMs per second of a vehicle (EN 302 637-2: 1-10 Hz)",
     CONFIG(cam_rate),
     {1, 10}},
    {"radio_range",
     SG17_TYPE_NUMBER,
     "300",
     "metres a transmission reaches",
     CONFIG(radio_range),
     {10, 5000}},
    {"radio_loss",
     SG17_TYPE_NUMBER,
     "0.1",
     "loss probability at the edge of the range (grows "
     "with the square of the distance)",
     CONFIG(radio_loss),
     {0, 0.99}},
    {"cert_interval",
     SG17_TYPE_DURATION,
     "1s",
     "a CAM carries the full AT this often (else its "
     "HashedId8)",
     CONFIG(cert_interval),
     {0, 3600}},
    {"freshness",
     SG17_TYPE_DURATION,
     "2s",
     "oldest CAM a receiver accepts (freshness_check)",
     CONFIG(freshness),
     {0.001, 3600}},
    {"future_tolerance",
     SG17_TYPE_DURATION,
     "100ms",
     "how far in the future a generation time "
     "may lie (freshness_check)",
     CONFIG(future_tolerance),
     {0, 60}},
    {"plaus_range",
     SG17_TYPE_NUMBER,
     "420",
     "metres: farthest plausible sender (F2MD range "
     "check)",
     CONFIG(plaus_range),
     {1, 100000}},
    {"max_speed",
     SG17_TYPE_NUMBER,
     "70",
     "m/s: fastest plausible speed",
     CONFIG(max_speed),
     {1, 1000}},
    {"max_accel",
     SG17_TYPE_NUMBER,
     "10",
     "m/s^2: largest plausible speed change",
     CONFIG(max_accel),
     {0.1, 1000}},
    {"speed_tolerance",
     SG17_TYPE_NUMBER,
     "6",
     "m/s: displacement over time against the "
     "reported speeds",
     CONFIG(speed_tolerance),
     {0.1, 1000}},
    {"overlap_length",
     SG17_TYPE_NUMBER,
     "30",
     "metres: the proximity box ahead of a receiver",
     CONFIG(overlap_length),
     {0, 1000}},
    {"overlap_width",
     SG17_TYPE_NUMBER,
     "3",
     "metres: width of the proximity box",
     CONFIG(overlap_width),
     {0, 100}},
    {"sudden_range",
     SG17_TYPE_NUMBER,
     "50",
     "metres: a sender first heard closer than this "
     "appeared suddenly",
     CONFIG(sudden_range),
     {0, 10000}},
    {"min_beacon_interval",
     SG17_TYPE_DURATION,
     "100ms",
     "shortest plausible time between two "
     "CAMs of a sender (10 Hz)",
     CONFIG(min_beacon_interval),
     {0, 10}},
    {"report_threshold",
     SG17_TYPE_INT,
     "3",
     "distinct reports before the MA asks the AA to "
     "revoke",
     CONFIG(report_threshold),
     {1, 10000}},
    {"crl_interval",
     SG17_TYPE_DURATION,
     "1s",
     "RSUs rebroadcast the CRL this often",
     CONFIG(crl_interval),
     {0.01, 86400}},
    {"pool_size",
     SG17_TYPE_INT,
     "2",
     "authorization tickets per vehicle",
     CONFIG(pool_size),
     {1, VSIM_MAX_POOL}},
    {"pseudonym_period",
     SG17_TYPE_DURATION,
     "5min",
     "a vehicle changes AT after this long ...",
     CONFIG(pseudonym_period),
     {0, 86400}},
    {"pseudonym_distance",
     SG17_TYPE_NUMBER,
     "0",
     "... and this many metres (pseudonym_change)",
     CONFIG(pseudonym_distance),
     {0, 1e6}},
    {"silent_period",
     SG17_TYPE_DURATION,
     "0",
     "radio silence after a change, drawn in [p, 2p] "
     "(0: none)",
     CONFIG(silent_period),
     {0, 3600}},
    {"region_size",
     SG17_TYPE_NUMBER,
     "5000",
     "metres: half side of the ATs' rectangular "
     "region (0: no region)",
     CONFIG(region_size),
     {0, 1e6}},
    {"event_interval",
     SG17_TYPE_DURATION,
     "0",
     "an emergency vehicle's warnings (0: none)",
     CONFIG(event_interval),
     {0, 3600}},
    {"emergency_vehicles",
     SG17_TYPE_INT,
     "0",
     "vehicle-0 .. send emergency warnings",
     CONFIG(emergency_vehicles),
     {0, VSIM_MAX_VEHICLES}},
    {"platoon_joiners",
     SG17_TYPE_INT,
     "0",
     "vehicle-1 .. hold the platoon SSP and ask "
     "vehicle-0 to join",
     CONFIG(platoon_joiners),
     {0, VSIM_MAX_VEHICLES - 1}},
    {"breakdowns",
     SG17_TYPE_INT,
     "0",
     "vehicle-(n-1), -(n-2) .. break down: hard braking onto the shoulder, then standing "
     "(DENMs: emergency brake lights, stationary vehicle)",
     CONFIG(breakdowns),
     {0, VSIM_MAX_VEHICLES}},
    {"breakdown_at",
     SG17_TYPE_DURATION,
     "4s",
     "the first breakdown begins (the next ones a second apart)",
     CONFIG(breakdown_at),
     {0.001, 86400}},
    {"breakdown_for",
     SG17_TYPE_DURATION,
     "0",
     "a broken-down vehicle is towed away this long after it began braking: its stationary-"
     "vehicle event is cancelled and it falls silent (0: never)",
     CONFIG(breakdown_for),
     {0, 86400}},
    {"roadworks",
     SG17_TYPE_INT,
     "0",
     "rsu-0 .. announce road works on the lane beside them (DENMs)",
     CONFIG(roadworks),
     {0, VSIM_MAX_RSUS}},
    {"roadworks_at",
     SG17_TYPE_DURATION,
     "1s",
     "the road works begin",
     CONFIG(roadworks_at),
     {0, 86400}},
    {"roadworks_for",
     SG17_TYPE_DURATION,
     "0",
     "the road works end (cancelled) after this long (0: not in the run)",
     CONFIG(roadworks_for),
     {0, 86400}},
    {"denm_interval",
     SG17_TYPE_DURATION,
     "1s",
     "an active event's DENM is repeated this often (EN 302 637-3 repetition)",
     CONFIG(denm_interval),
     {0.1, 10}},
    {"denm_validity",
     SG17_TYPE_DURATION,
     "60s",
     "validityDuration of an event whose end is not known",
     CONFIG(denm_validity),
     {1, 86400}},
    {"pki",
     SG17_TYPE_STRING,
     "preloaded",
     "preloaded (ECs and ATs issued before the run) or bus (vehicles enrol at the EA and request "
     "their ATs from the AA over the bus at the start: ETSI TS 102 941)",
     CONFIG(pki),
     {0, 0}},
    {"request_window",
     SG17_TYPE_DURATION,
     "10s",
     "oldest EC / AT request an authority takes (request_freshness)",
     CONFIG(request_window),
     {0.001, 3600}},
    {NULL, 0, NULL, NULL, 0, {0, 0}},
};

static const char *const sig_reqs[] = {"X1372-8.2", "X1372-8.5", "X1372-9.1", NULL};
static const char *const cert_reqs[] = {"X1372-8.5", "X1372-8.7", "X1372-9.4", NULL};
static const char *const fresh_reqs[] = {"X1372-8.2-FRESH", "X1372-8.2-DENM", NULL};
static const char *const replay_reqs[] = {"X1372-8.2-FRESH", "X1372-8.4", "X1372-8.2-DENM", NULL};
static const char *const plaus_reqs[] = {"X1372-8.2-PLAUS", "X1372-8.3", "X1372-8.2-DENM", NULL};
static const char *const mbr_reqs[] = {"X1372-8.6", "X1372-9.4-REVOKE", NULL};
static const char *const pseudo_reqs[] = {"X1372-8.1-PRIVACY", NULL};
static const char *const ecies_reqs[] = {"X1372-8.1", "X1372-9.2", NULL};
static const char *const platoon_reqs[] = {"X1372-9.3", "X1372-8.7", NULL};
static const char *const crl_reqs[] = {"X1372-9.4-CRL", NULL};
static const char *const at_validation_reqs[] = {"X1372-9.4-AUTHZ", "X1372-8.7", NULL};
static const char *const ec_revocation_reqs[] = {"X1372-9.4-EC-STATUS", NULL};
static const char *const request_fresh_reqs[] = {"X1372-9.4-REQ-FRESH", NULL};

static const sg17_mitigation_t mitigations[] = {
    {"signature_verification",
     "receivers verify each SPDU's ECDSA signature with its signer's AT (a digest signer only "
     "from their cache); off: the signed payload is used unverified, unsecured data accepted",
     sig_reqs, true, CONFIG(signature_verification)},
    {"cert_checks",
     "the signer's AT must chain to the root through a known CA, be valid at the generation time, "
     "cover the PSID and the generation location, and not be on the CRL; off: any AT is taken",
     cert_reqs, true, CONFIG(cert_checks)},
    {"freshness_check",
     "CAMs and DENMs older than `freshness` (2 s) or more than `future_tolerance` ahead, and "
     "DENMs whose event's validity is over, are refused; off: any generation time is taken",
     fresh_reqs, true, CONFIG(freshness_check)},
    {"replay_cache",
     "per sender, a generation time not after the last one seen is a replay, and per DENM event "
     "(actionID) an older reference time, a repeated transmission or a DENM after the event's "
     "termination; off: duplicates inside the freshness window are processed again",
     replay_reqs, true, CONFIG(replay_cache)},
    {"plausibility",
     "local F2MD checks on each CAM (range, speed, position and speed consistency, proximity box, "
     "sudden appearance, beacon frequency) and on each DENM's event (range; a stationary vehicle "
     "against its originator's CAMs and the receiver's sensors); off: a correctly signed message "
     "is believed",
     plaus_reqs, true, CONFIG(plausibility)},
    {"misbehaviour_reporting",
     "a receiver reports each sender it flags to the MA, which has the AA revoke it and the RSUs "
     "distribute the CRL; off: detection stays local to each receiver",
     mbr_reqs, false, CONFIG(misbehaviour_reporting)},
    {"pseudonym_change",
     "vehicles change AT and station id by `pseudonym_period` / `pseudonym_distance`, with a "
     "`silent_period`; off: one AT for the whole trip",
     pseudo_reqs, true, CONFIG(pseudonym_change)},
    {"ecies_warnings",
     "emergency warnings are ECIES-encrypted to each neighbour's encryption key (9.2); off: "
     "signed broadcast anyone in range reads",
     ecies_reqs, false, CONFIG(ecies_warnings)},
    {"platoon_auth",
     "the platoon leader admits only signed join requests whose AT grants the platoon SSP "
     "(9.3); off: any well-formed request joins",
     platoon_reqs, true, CONFIG(platoon_auth)},
    {"crl_verification",
     "a CRL (IEEE 1609.2 CrlContents) is installed only when its signature and chain verify, its "
     "signer is the CRACA it names and it is current; off: any well-formed CRL heard is installed",
     crl_reqs, true, CONFIG(crl_verification)},
    {"at_validation",
     "pki: bus: the AA issues an AT only after the EA confirmed the EC behind the request "
     "(AuthorizationValidationRequest, TS 102 941); off: the AA issues to any well-formed request "
     "whose proof of possession verifies",
     at_validation_reqs, true, CONFIG(at_validation)},
    {"ec_revocation",
     "pki: bus: the EA refuses to validate an authorization request under an EC it revoked; off: "
     "an EC the EA issued stays good for ATs",
     ec_revocation_reqs, true, CONFIG(ec_revocation)},
    {"request_freshness",
     "pki: bus: the EA and AA take an EC / AT request only within `request_window` of its "
     "generation time and only once (a cache of request hashes); off: a replayed request is "
     "served again",
     request_fresh_reqs, true, CONFIG(request_freshness)},
    {NULL, NULL, NULL, false, 0},
};

/* The placement and number of ghost vehicles, alike for every attack that sends them. */
#define GHOST_NEAR                                                                     \
    {                                                                                  \
        "near", SG17_TYPE_COUNT, false, "vehicle the ghosts drive behind (default 0)", \
        {                                                                              \
            0, MAX_VEHICLE_INDEX                                                       \
        }                                                                              \
    }
#define GHOST_COUNT                                                                  \
    {                                                                                \
        "count", SG17_TYPE_COUNT, false, "ghost vehicles, one CAM each (default 1)", \
        {                                                                            \
            1, 50                                                                    \
        }                                                                            \
    }

static const sg17_param_t misbehave_params[] = {
    {"vehicle", SG17_TYPE_COUNT, true, "the compromised vehicle (index)", {0, MAX_VEHICLE_INDEX}},
    {"type", SG17_TYPE_COUNT, true, "F2MD/VeReMi attack type 1-19", {1, 19}},
    {"magnitude",
     SG17_TYPE_NUMBER,
     false,
     "metres (position types), m/s (speed types), seconds (12), ghost spacing (16); default 50",
     {0, 1e6}},
    {"ramp",
     SG17_TYPE_DURATION,
     false,
     "types 2 and 6: reach the magnitude over this long",
     {0, 86400}},
    {"rate", SG17_TYPE_NUMBER, false, "DoS types: times the CAM rate (default 5)", {1, 100}},
    {"ghosts",
     SG17_TYPE_COUNT,
     false,
     "Sybil types: ghost vehicles of 16, pseudonyms 17-19 rotate through (default 3)",
     {1, 15}},
    {"target",
     SG17_TYPE_COUNT,
     false,
     "types 11 and 17: the vehicle whose data is replayed",
     {0, MAX_VEHICLE_INDEX}},
    {NULL, 0, false, NULL, {0, 0}},
};
static const sg17_param_t forge_params[] = {
    {"kind",
     SG17_TYPE_STRING,
     false,
     "unsigned (default), bad_signature (a real AT's digest, the adversary's key) or "
     "self_issued (a chain of its own)",
     {0, 0}},
    GHOST_NEAR,
    GHOST_COUNT,
    {NULL, 0, false, NULL, {0, 0}},
};
static const sg17_param_t bad_cert_params[] = {
    {"kind", SG17_TYPE_STRING, true, "expired, revoked, out_of_region or wrong_psid", {0, 0}},
    GHOST_NEAR,
    {NULL, 0, false, NULL, {0, 0}},
};
static const sg17_param_t track_params[] = {
    {"capture", SG17_TYPE_STRING, true, "the captured CAMs to link", {0, 0}},
    {"max_gap", SG17_TYPE_DURATION, false, "longest silence bridged (default 10 s)", {0, 3600}},
    {NULL, 0, false, NULL, {0, 0}},
};
static const sg17_param_t join_params[] = {
    {"with",
     SG17_TYPE_STRING,
     false,
     "unsigned (default) or own_at (an insider's AT without the platoon SSP)",
     {0, 0}},
    {"vehicle",
     SG17_TYPE_COUNT,
     false,
     "the insider (default the last vehicle)",
     {0, MAX_VEHICLE_INDEX}},
    {NULL, 0, false, NULL, {0, 0}},
};
static const sg17_param_t denm_params[] = {
    {"kind",
     SG17_TYPE_STRING,
     false,
     "fake_stationary (default: an insider's false stationary-vehicle hazard ahead of it) or "
     "replay (the latest captured DENM of each event whose termination was captured, "
     "rebroadcast at the event)",
     {0, 0}},
    {"vehicle",
     SG17_TYPE_COUNT,
     false,
     "fake_stationary: the insider (compromise it first)",
     {0, MAX_VEHICLE_INDEX}},
    {"ahead",
     SG17_TYPE_NUMBER,
     false,
     "fake_stationary: metres ahead in its lane (default 150)",
     {0, 5000}},
    {"count",
     SG17_TYPE_COUNT,
     false,
     "fake_stationary: transmissions, one per denm_interval (default 10)",
     {1, 10000}},
    {"capture", SG17_TYPE_STRING, false, "replay: the captured DENMs", {0, 0}},
    {NULL, 0, false, NULL, {0, 0}},
};

static const sg17_param_t eavesdrop_params[] = {
    {"capture", SG17_TYPE_STRING, true, "the captured warnings to read", {0, 0}},
    {NULL, 0, false, NULL, {0, 0}},
};

static const sg17_param_t forge_crl_params[] = {
    {"near",
     SG17_TYPE_COUNT,
     false,
     "vehicle the adversary broadcasts next to (default 0)",
     {0, MAX_VEHICLE_INDEX}},
    {"victims",
     SG17_TYPE_COUNT,
     false,
     "vehicle-0 .. -(n-1) whose ATs the CRL lists (default all)",
     {1, MAX_VEHICLE_INDEX + 1}},
    {NULL, 0, false, NULL, {0, 0}},
};

static const sg17_param_t request_at_params[] = {
    {"kind",
     SG17_TYPE_STRING,
     true,
     "outsider (a self-made key and EC) or revoked (the EC of a decommissioned device the EA "
     "revoked)",
     {0, 0}},
    {"via",
     SG17_TYPE_COUNT,
     false,
     "the vehicle whose link the requests use (default the last)",
     {0, MAX_VEHICLE_INDEX}},
    {"count", SG17_TYPE_COUNT, false, "AT requests (default 1)", {1, 8}},
    {NULL, 0, false, NULL, {0, 0}},
};

static const sg17_param_t use_at_params[] = {
    {"capture", SG17_TYPE_STRING, true, "the captured v2x.at_response messages", {0, 0}},
    GHOST_NEAR,
    GHOST_COUNT,
    {NULL, 0, false, NULL, {0, 0}},
};

static const sg17_attack_t attacks[] = {
    {.name = "forge_crl",
     .description = "an outsider broadcasts a CRL in the AA's name revoking honest vehicles' ATs "
                    "(its own key under the AA's digest): denial of service",
     .params = forge_crl_params,
     .run = run_forge_crl},
    {.name = "misbehave",
     .description = "an insider with valid ATs (compromise it first) runs F2MD/VeReMi attack "
                    "type 1-19",
     .params = misbehave_params,
     .run = run_misbehave},
    {.name = "forge",
     .description = "an outsider broadcasts CAMs of ghost vehicles: unsigned, with a signature "
                    "that cannot verify, or under its own chain",
     .params = forge_params,
     .run = run_forge},
    {.name = "bad_cert",
     .description = "CAMs signed with an AT the adversary holds: expired, revoked, for another "
                    "region, or without the CAM PSID",
     .params = bad_cert_params,
     .run = run_bad_cert},
    {.name = "track",
     .description = "a passive eavesdropper links the pseudonyms of captured CAMs by position "
                    "continuity",
     .params = track_params,
     .run = run_track},
    {.name = "platoon_join",
     .description = "an unauthorised join request to the platoon leader",
     .params = join_params,
     .run = run_platoon_join},
    {.name = "eavesdrop",
     .description = "read captured emergency warnings",
     .params = eavesdrop_params,
     .run = run_eavesdrop},
    {.name = "denm",
     .description = "hazard warnings that are not true: an insider's false stationary vehicle, "
                    "or captured DENMs rebroadcast after their event ended",
     .params = denm_params,
     .run = run_denm},
    {.name = "request_at",
     .description = "pki: bus: authorization requests to the AA without a valid EC (an outsider's "
                    "self-made one, or one the EA revoked)",
     .params = request_at_params,
     .run = run_request_at},
    {.name = "use_at",
     .description = "pki: bus: take the ATs the AA issued to request_at from captured responses "
                    "and sign ghost CAMs with them",
     .params = use_at_params,
     .run = run_use_at},
    {.name = NULL},
};

static const sg17_metric_t metrics[] = {
    {"vehicle.cams_sent", "CAMs the vehicles broadcast", NULL},
    {"vehicle.build_failures", "messages a vehicle could not encode or sign", NULL},
    {"vehicle.warnings_sent", "emergency warnings sent", NULL},
    {"vehicle.warnings_received", "emergency warnings vehicles accepted", NULL},
    {"mbd.flags", "CAMs receivers' plausibility checks flagged", NULL},
    {"mbd.reports", "misbehaviour reports sent", NULL},
    {"mbd.true_positives", "flagged CAMs the adversary produced (ground truth)", NULL},
    {"mbd.false_positives", "flagged CAMs of honest senders", NULL},
    {"mbd.false_negatives", "the adversary's CAMs the checks let through", NULL},
    {"mbd.true_negatives", "honest CAMs the checks let through", NULL},
    {"mbd.precision", "true / all flagged (ground truth)", NULL},
    {"mbd.recall", "flagged / all the adversary's CAMs that reached the checks", NULL},
    {"mbd.f1", "harmonic mean of precision and recall", NULL},
    {"mbd.false_positive_rate", "flagged / all honest CAMs that reached the checks", NULL},
    {"mbd.time_to_detection", "seconds from the attack to its first flagged CAM (1e9: never)",
     NULL},
    {"mbd.time_to_revocation",
     "seconds from the attack to the AA's revocation of the attacker (1e9: never)", NULL},
    {"ma.reports", "reports the MA accepted", NULL},
    {"aa.revoked_vehicles", "vehicles whose ATs the AA revoked", NULL},
    {"pki.revoked_attackers", "revoked vehicles the adversary controlled (ground truth)", NULL},
    {"pki.revoked_honest", "revoked honest vehicles (ground truth)", NULL},
    {"pki.crl_entries", "HashedId10s on the AA's CRL at the end", NULL},
    {"platoon.members", "join requests the leader admitted", NULL},
    {"platoon.size", "the platoon at the end, leader included", NULL},
    {"attacker.extra_cams", "DoS and Sybil CAMs of misbehaving vehicles", NULL},
    {"attacker.injected_cams", "outsider CAM transmissions", NULL},
    {"attacker.forged_crls", "forged CRL broadcasts", NULL},
    {"attacker.warnings_captured", "emergency warnings the eavesdropper captured", NULL},
    {"attacker.warnings_read", "captured warnings whose DENM the eavesdropper could read", NULL},
    {"den.events", "hazard events vehicles and RSUs detected (each an actionID)", NULL},
    {"den.denms_sent", "DENMs of hazard events sent, repetitions and terminations included", NULL},
    {"den.terminations", "termination DENMs sent", NULL},
    {"den.warnings", "new events receivers took within their relevance area (drivers warned)",
     NULL},
    {"den.cleared", "events receivers cleared on a termination", NULL},
    {"attacker.fake_denms", "false DENM transmissions of insiders", NULL},
    {"attacker.replayed_denms", "captured DENMs the adversary rebroadcast", NULL},
    {"tracker.changes", "pseudonym changes in the capture (ground truth)", NULL},
    {"tracker.links", "links the tracker made", NULL},
    {"tracker.correct_links", "links to the right predecessor (ground truth)", NULL},
    {"tracker.linkability", "correct links / pseudonym changes (0 = unlinkable)", NULL},
    {"tracker.traced", "vehicles followed from their first to their last pseudonym", NULL},
    {"vehicle.enrolled", "pki: bus: vehicles whose whole AT pool came over the bus", NULL},
    {"ea.enrolled", "ECs the EA issued", NULL},
    {"ea.validated", "authorization validations the EA confirmed", NULL},
    {"ea.denied", "authorization validations the EA denied", NULL},
    {"aa.issued", "ATs the AA issued over the bus", NULL},
    {"aa.refused", "AT requests the AA refused after the EA's answer", NULL},
    {"aa.validations", "authorization validation requests the AA sent the EA", NULL},
    {"pki.issued_twice",
     "ATs issued for a key already certified: a request served twice (ground "
     "truth of the certificates issued)",
     NULL},
    {"attacker.at_requests", "authorization requests the adversary sent", NULL},
    {"attacker.ats_obtained", "ATs the adversary holds for its own keys (its own state)", NULL},
    {NULL, NULL, NULL},
};

static const sg17_reason_t reasons[] = {
    {"malformed", "not a well-formed SPDU / packet of the expected service"},
    {"unsigned", "unsecured data where a signature is required"},
    {"signature", "the ECDSA signature does not verify with the signer's AT"},
    {"unknown_signer", "a digest signer the receiver holds no certificate for"},
    {"untrusted_chain", "the signer's certificate does not chain to the root through a known CA"},
    {"expired", "the signer's certificate is not valid at the generation time"},
    {"psid", "the signer's certificate does not permit the message's PSID"},
    {"out_of_region", "the generation location is outside the certificate's region"},
    {"revoked", "the signer's AT is on the CRL the receiver holds"},
    {"stale",
     "generated longer ago than the freshness window, or a DENM whose event is no longer valid"},
    {"future", "generated further in the future than the tolerance"},
    {"replay", "not newer than the sender's last message"},
    {"implausible_range", "the claimed position is beyond the plausible range"},
    {"implausible_speed", "the claimed speed or its change is implausible"},
    {"implausible_position", "the claimed position jumped further than any vehicle drives"},
    {"implausible_consistency", "displacement and reported speeds disagree"},
    {"implausible_overlap", "a vehicle claimed in the receiver's own proximity box is not there"},
    {"implausible_appearance", "a new sender appeared too close"},
    {"implausible_frequency", "beacons faster than the maximum CAM rate"},
    {"decrypt", "an encrypted warning or PKI request this receiver cannot decrypt"},
    {"terminated", "a DENM of an event its originator has terminated"},
    {"implausible_event",
     "a stationary vehicle where the originator's CAMs or the receiver's own sensors show none"},
    {"platoon_unauthorised", "the AT does not grant the platoon SSP"},
    {"unauthorised", "a CRL, revocation request or PKI response not signed by the AA / MA / EA"},
    {"overload", "no room for another sender's state"},
    {"unknown_its", "an enrolment request of an unregistered canonical id, or for another EA"},
    {"request_stale", "an EC / AT request generated outside the request window"},
    {"request_replay", "an EC / AT request the authority already served"},
    {"unsolicited", "an EC / AT / validation response to no pending request"},
    {"refused", "an EC / AT response refusing the request, or not for the requested key"},
    {NULL, NULL},
};

static const char *const message_types[] = {
    "v2x.cam",
    "v2x.denm",
    "v2x.mbr",
    "v2x.revoke",
    "v2x.crl",
    "v2x.platoon_join",
    "v2x.ec_request",
    "v2x.ec_response",
    "v2x.at_request",
    "v2x.at_response",
    "v2x.av_request",
    "v2x.av_response",
    NULL,
};

/* The closed value sets of STRING keys and parameters: validation refuses anything else at its
 * file:line:col, before a run starts. */
static const char *const roads[] = {"highway", "grid", NULL};
static const char *const forge_kinds[] = {"unsigned", "bad_signature", "self_issued", NULL};
static const char *const bad_cert_kinds[] = {"expired", "revoked", "out_of_region", "wrong_psid",
                                             NULL};
static const char *const join_withs[] = {"unsigned", "own_at", NULL};
static const char *const denm_kinds[] = {"fake_stationary", "replay", NULL};
static const char *const pki_modes[] = {"preloaded", "bus", NULL};
static const char *const request_kinds[] = {"outsider", "revoked", NULL};
static const sg17_choice_t choices[] = {
    {"road", roads},
    {"forge.kind", forge_kinds},
    {"bad_cert.kind", bad_cert_kinds},
    {"platoon_join.with", join_withs},
    {"denm.kind", denm_kinds},
    {"pki", pki_modes},
    {"request_at.kind", request_kinds},
    {NULL, NULL},
};

const sg17_module_t sg17_module = {
    SG17_MODULE_HEADER,
    .name = "v2x",
    .recommendation = "X.1372",
    .title = "V2X security: IEEE 1609.2 / ETSI TS 103 097 signed messages, vehicular PKI, "
             "misbehaviour detection, privacy",
    .version = "0.1.0",
    .catalogue = "requirements.yaml",

    .entity_kinds = entity_kinds, /* vehicle, rsu, rca, ea, aa, ma */
    .config = config_keys,        /* bound to vsim_config_t */
    .mitigations = mitigations,   /* bound to vsim_config_t */
    .attacks = attacks,
    .metrics = metrics,
    .reasons = reasons,
    .message_types = message_types,
    .tools = v2x_tools, /* verify, sign, hashedid8, decode */

    .config_size = sizeof(vsim_config_t),
    .create = vsim_create,
    .destroy = destroy,
    .start = vsim_start,
    .on_compromise = NULL,
    .finish = vsim_finish,
    .trace_frame = v2x_trace_frame,
    .choices = choices,
};
