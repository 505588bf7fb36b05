/* module.c — the metering module (X.1332): its descriptor, read top to bottom as the module's
 * table of contents, and the thin dispatch from the core's callbacks into the simulation. The
 * simulation (meters, head-end, MDM, third party, operators, the adversary) is in sim/, the
 * DLMS/COSEM protocol layer in dlms/, the command-line tools in tools.c. */
#include <stddef.h>

#include <sg17tb/module.h>

#include "sim/metering_sim.h"
#include "tools.h"
#include "trace.h"

/* ---- lifecycle ---- */

static void *metering_create(sg17_ctx_t *ctx, const void *config)
{
    return msim_create(ctx, config);
}

static void metering_destroy(void *instance)
{
    msim_destroy(instance);
}

static void metering_start(void *instance, sg17_ctx_t *ctx)
{
    msim_start(instance, ctx);
}

static void metering_finish(void *instance, sg17_ctx_t *ctx)
{
    msim_finish(instance, ctx);
}

/* ---- entity kinds: each kind's handlers ---- */

static void meter_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    msim_meter_on_message(instance, ctx, sg17_entity_index(ctx, m->dst), m);
}

static void meter_on_timer(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    (void)tag; /* a meter has one timer: its next reading */
    msim_meter_on_timer(instance, ctx, sg17_entity_index(ctx, e));
}

SG17_ON_MESSAGE(hes_on_message, msim_hes_on_message);

static void hes_on_timer(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    (void)e; /* the one head-end */
    msim_hes_on_timer(instance, ctx, tag);
}

SG17_ON_MESSAGE(mdm_on_message, msim_mdm_on_message);

static void mdm_on_timer(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    (void)e; /* the one MDM */
    msim_mdm_on_timer(instance, ctx, tag);
}

SG17_ON_MESSAGE(tp_on_message, msim_tp_on_message);

static void tp_on_timer(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    (void)e; /* the one third party */
    msim_tp_on_timer(instance, ctx, tag);
}

static void operator_on_timer(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    msim_op_on_timer(instance, ctx, sg17_entity_index(ctx, e), tag);
}

/* ---- attacks: each attack's handler ---- */

SG17_ATTACK_RUN(run_false_data, msim_attack_false_data);
SG17_ATTACK_RUN(run_extract_key, msim_attack_extract_key);
SG17_ATTACK_RUN(run_forge_command, msim_attack_forge_command);
SG17_ATTACK_RUN(run_rogue_hes, msim_attack_rogue_hes);
SG17_ATTACK_RUN(run_impersonate_meter, msim_attack_impersonate_meter);
SG17_ATTACK_RUN(run_inject_reading, msim_attack_inject_reading);
SG17_ATTACK_RUN(run_malicious_firmware, msim_attack_malicious_firmware);
SG17_ATTACK_RUN(run_mass_disconnect, msim_attack_mass_disconnect);
SG17_ATTACK_RUN(run_infer_occupancy, msim_attack_infer_occupancy);
SG17_ATTACK_RUN(run_overcollect, msim_attack_overcollect);
SG17_ATTACK_RUN(run_rewrap_command, msim_attack_rewrap_command);
SG17_ATTACK_RUN(run_iv_reuse, msim_attack_iv_reuse);
SG17_ATTACK_RUN(run_tamper_audit_log, msim_attack_tamper_audit_log);

/* ---- descriptor tables ---- */

static const sg17_entity_kind_t entity_kinds[] = {
    {"meter", "smart meter: pushes 15-min readings, executes head-end commands", 20, 1,
     MSIM_METERS_MAX, meter_on_message, meter_on_timer},
    {"hes", "head-end system: associations, reading ingestion, command relay", 1, 1, 1,
     hes_on_message, hes_on_timer},
    {"mdm", "meter data management: storage, billing, validation, third-party access", 1, 1, 1,
     mdm_on_message, mdm_on_timer},
    {"thirdparty", "a third-party service provider with per-customer consent", 1, 0, 1,
     tp_on_message, tp_on_timer},
    /* operators receive nothing: the core rejects a message to one with "no_receiver" */
    {"operator", "utility operator account issuing signed load-control requests", 1, 0,
     MSIM_OPS_MAX, NULL, operator_on_timer},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};

#define METERING_CONFIG(field) offsetof(msim_config_t, field)
#define METERING_UNBOUNDED \
    {                      \
        0, 0               \
    }
#define METERING_SHARE \
    {                  \
        0, 1           \
    } /* a fraction */
#define METERING_FLEET     \
    {                      \
        0, MSIM_METERS_MAX \
    } /* a number of meters */

static const sg17_config_key_t config_keys[] = {
    {"reading_interval",
     SG17_TYPE_DURATION,
     "15min",
     "load-profile period of every meter (1 min to 1 day)",
     METERING_CONFIG(reading_interval),
     {60, 86400}},
    {"push_slot", SG17_TYPE_DURATION, "10s",
     "granularity of the meters' randomised push times within the period (0 or more than the "
     "period: 1 s)",
     METERING_CONFIG(push_slot), METERING_UNBOUNDED},
    {"ondemand_interval", SG17_TYPE_DURATION, "1h", "head-end on-demand reads every ... (0 = none)",
     METERING_CONFIG(ondemand_interval), METERING_UNBOUNDED},
    {"ondemand_batch", SG17_TYPE_COUNT, "2",
     "meters read on demand each time (at most every meter once)", METERING_CONFIG(ondemand_batch),
     METERING_FLEET},
    {"tariff_interval", SG17_TYPE_DURATION, "12h",
     "tariff (activity calendar) update to all meters every ... (0 = none)",
     METERING_CONFIG(tariff_interval), METERING_UNBOUNDED},
    {"dr_interval", SG17_TYPE_DURATION, "4h",
     "operator demand-response load limits every ... (0 = none)", METERING_CONFIG(dr_interval),
     METERING_UNBOUNDED},
    {"dr_batch", SG17_TYPE_COUNT, "3",
     "meters given a load limit each demand-response event (at most every meter once)",
     METERING_CONFIG(dr_batch), METERING_FLEET},
    {"disconnect_interval", SG17_TYPE_DURATION, "6h",
     "operator non-payment disconnect (reconnected 1h later) every ... (0 = none)",
     METERING_CONFIG(disconnect_interval), METERING_UNBOUNDED},
    {"firmware_at", SG17_TYPE_DURATION, "0",
     "time of the manufacturer's signed firmware roll-out (0 = none)", METERING_CONFIG(firmware_at),
     METERING_UNBOUNDED},
    {"hes_capacity", SG17_TYPE_NUMBER, "200", "messages the head-end can process per second",
     METERING_CONFIG(hes_capacity), METERING_UNBOUNDED},
    {"hes_source_rate", SG17_TYPE_NUMBER, "5",
     "per-source messages per second admitted by hes_rate_limit", METERING_CONFIG(hes_source_rate),
     METERING_UNBOUNDED},
    {"disconnect_limit",
     SG17_TYPE_COUNT,
     "3",
     "disconnects per window relayed without a second approval (mass_disconnect_limit; the "
     "head-end keeps the time of each)",
     METERING_CONFIG(disconnect_limit),
     {0, MSIM_DISCONNECT_LIMIT_MAX}},
    {"disconnect_window", SG17_TYPE_DURATION, "1h", "sliding window of disconnect_limit",
     METERING_CONFIG(disconnect_window), METERING_UNBOUNDED},
    {"mdm_learning", SG17_TYPE_DURATION, "2d",
     "days the MDM learns each meter's baseline before validating", METERING_CONFIG(mdm_learning),
     METERING_UNBOUNDED},
    {"mdm_threshold", SG17_TYPE_NUMBER, "0.25",
     "a meter is flagged when its day falls this fraction below its baseline",
     METERING_CONFIG(mdm_threshold), METERING_SHARE},
    {"mdm_balance_tolerance", SG17_TYPE_NUMBER, "0.02",
     "unexplained share of a transformer's energy that opens an investigation",
     METERING_CONFIG(mdm_balance_tolerance), METERING_SHARE},
    {"transformer_size", SG17_TYPE_COUNT, "10",
     "meters per distribution transformer (energy balance unit; 0 counts as 1, more than the fleet "
     "as the fleet)",
     METERING_CONFIG(transformer_size), METERING_FLEET},
    {"consent_share", SG17_TYPE_NUMBER, "0.5",
     "share of customers consenting to third-party daily data", METERING_CONFIG(consent_share),
     METERING_SHARE},
    {"plain_push_when_off", SG17_TYPE_BOOL, "false",
     "with authenticated_encryption off, meters push readings in clear (else encryption-only SC "
     "0x20)",
     METERING_CONFIG(plain_push_when_off), METERING_UNBOUNDED},
    {"audit_anchor_interval", SG17_TYPE_DURATION, "1h",
     "the HES sends its signed audit chain head to the MDM every ... (audit_log)",
     METERING_CONFIG(audit_anchor_interval), METERING_UNBOUNDED},
    {"audit_interval", SG17_TYPE_DURATION, "6h",
     "the MDM audits the HES command log every ... (0 = never)", METERING_CONFIG(audit_interval),
     METERING_UNBOUNDED},
    {"fleet_key", SG17_TYPE_BOOL, "false",
     "deployment: every meter holds one shared EK/AK whatever unique_keys says (a fleet not yet "
     "re-keyed per meter), for scenarios that test another measure on such a fleet",
     METERING_CONFIG(fleet_key), METERING_UNBOUNDED},
    {"command_window", SG17_TYPE_DURATION, "5min",
     "a meter executes a signed command whose date-time is at most this far from its clock "
     "(command_authorization)",
     METERING_CONFIG(command_window), METERING_UNBOUNDED},
    {NULL, 0, NULL, NULL, 0, METERING_UNBOUNDED},
};

static const char *const r_conf1[] = {"X1332-R-CONF-01", "X1332-R-INT-01", NULL};
static const char *const r_int2[] = {"X1332-R-INT-02", NULL};
static const char *const r_conf2[] = {"X1332-R-CONF-02", "X1332-R-AUTH-02", NULL};
static const char *const r_auth1[] = {"X1332-R-AUTH-01", NULL};
static const char *const r_authz2[] = {"X1332-R-AUTHZ-01", "X1332-R-AUTHZ-02", "X1332-R-AUTHZ-04",
                                       "X1332-R-NREP-02", NULL};
static const char *const r_authz3[] = {"X1332-R-AUTHZ-03", NULL};
static const char *const r_int3[] = {"X1332-R-INT-03", NULL};
static const char *const r_int4[] = {"X1332-R-INT-04", NULL};
static const char *const r_priv[] = {"X1332-R-PRIV-01", "X1332-R-PRIV-02", NULL};
static const char *const r_avail[] = {"X1332-R-AVAIL-01", NULL};
static const char *const r_nrep1[] = {"X1332-R-NREP-01", NULL};
static const char *const r_conf3[] = {"X1332-R-CONF-03", NULL};

#define METERING_MITIGATION(field) offsetof(msim_config_t, field)

static const sg17_mitigation_t mitigations[] = {
    {"authenticated_encryption",
     "suite 0 SC 0x30 on every frame and receivers require it (policy); off: meters push SC 0x20 "
     "(or clear) and receivers accept any SC or clear APDUs",
     r_conf1, true, METERING_MITIGATION(authenticated_encryption)},
    {"invocation_counter",
     "receivers reject IC <= the last accepted from that sender; off: no counter check", r_int2,
     true, METERING_MITIGATION(invocation_counter)},
    {"unique_keys", "EK/AK diversified per meter system title; off: one fleet key for every meter",
     r_conf2, true, METERING_MITIGATION(unique_keys)},
    {"hls_authentication",
     "HLS mechanism 5 (GMAC) association whose policy requires ciphered APDUs; off: lowest-level "
     "security (password in clear, unciphered APDUs served)",
     r_auth1, true, METERING_MITIGATION(hls_authentication)},
    {"command_authorization",
     "disconnect/reconnect/load limit need an operator's suite-1 ECDSA general-signing that the "
     "HES and meter verify, and the meter executes it only with a transaction id above the last of "
     "that operator and a date-time within command_window; off: any well-formed command from the "
     "HES address is executed",
     r_authz2, true, METERING_MITIGATION(command_authorization)},
    {"mass_disconnect_limit",
     "the HES relays at most disconnect_limit disconnects per disconnect_window, the rest wait for "
     "a second approval; off: unlimited",
     r_authz3, true, METERING_MITIGATION(mass_disconnect_limit)},
    {"mdm_plausibility",
     "MDM energy balance per transformer and per-meter baseline check, flagged meters billed on "
     "estimate; off: readings billed as reported",
     r_int3, true, METERING_MITIGATION(mdm_plausibility)},
    {"signed_firmware",
     "meters activate only images signed by the manufacturer key; off: any image delivered through "
     "the association",
     r_int4, true, METERING_MITIGATION(signed_firmware)},
    {"data_minimisation",
     "third parties get daily data of consenting customers only; off: any requested customer's raw "
     "15-min series",
     r_priv, true, METERING_MITIGATION(data_minimisation)},
    {"hes_rate_limit",
     "per-source message budget checked before decryption; off: every message costs head-end "
     "capacity",
     r_avail, true, METERING_MITIGATION(hes_rate_limit)},
    {"audit_log",
     "the HES's command log is hash-chained (SHA-256 over the previous entry) and its head, signed "
     "with the HES's ECDSA key, is anchored at the MDM, which audits the log against every anchor; "
     "off: plain records, no chain, no anchors",
     r_nrep1, true, METERING_MITIGATION(audit_log)},
    {"context_counter",
     "the HES keeps one invocation counter per security context (key) for its own frames: per "
     "meter under unique keys, one for the fleet under a fleet key; off: one per meter whatever "
     "the keys, as a head-end that tracks each meter's counter does, so under a fleet key its "
     "first "
     "frames to every meter repeat one GCM IV",
     r_conf3, true, METERING_MITIGATION(context_counter)},
    {NULL, NULL, NULL, false, 0},
};

#define METERING_COUNT_OF_METERS \
    {                            \
        0, MSIM_METERS_MAX       \
    }
#define METERING_COUNT_OF_FRAMES \
    {                            \
        0, 10000                 \
    } /* forged readings one action may send */

static const sg17_param_t p_false_data[] = {
    {"entity", SG17_TYPE_ENTITY, true, "the compromised meter", METERING_UNBOUNDED},
    {"factor", SG17_TYPE_NUMBER, false, "reported / true consumption (default 0.5; below 0 is 0)",
     METERING_UNBOUNDED},
    {NULL, 0, false, NULL, METERING_UNBOUNDED},
};
static const sg17_param_t p_extract[] = {
    {"entity", SG17_TYPE_ENTITY, true, "meter-N (its keys) or hes-0 (the head-end key store)",
     METERING_UNBOUNDED},
    {NULL, 0, false, NULL, METERING_UNBOUNDED},
};
static const sg17_param_t p_forge[] = {
    {"command", SG17_TYPE_STRING, false, "disconnect (default), reconnect, load_limit or tariff",
     METERING_UNBOUNDED},
    {"meters", SG17_TYPE_COUNT, false, "how many meters (default 1; at most the fleet)",
     METERING_COUNT_OF_METERS},
    {"first", SG17_TYPE_COUNT, false, "first meter index (default 0)", METERING_COUNT_OF_METERS},
    {NULL, 0, false, NULL, METERING_UNBOUNDED},
};
static const sg17_param_t p_meters[] = {
    {"meters", SG17_TYPE_COUNT, false, "how many meters from meter-0 (default all)",
     METERING_COUNT_OF_METERS},
    {NULL, 0, false, NULL, METERING_UNBOUNDED},
};
static const sg17_param_t p_impersonate[] = {
    {"victim", SG17_TYPE_ENTITY, true, "the meter whose system title is spoofed",
     METERING_UNBOUNDED},
    {"count", SG17_TYPE_COUNT, false, "readings (default 4, at most 10000)",
     METERING_COUNT_OF_FRAMES},
    {"factor", SG17_TYPE_NUMBER, false, "reported register / victim's real register (default 2)",
     METERING_UNBOUNDED},
    {NULL, 0, false, NULL, METERING_UNBOUNDED},
};
static const sg17_param_t p_inject[] = {
    {"meter", SG17_TYPE_ENTITY, true, "the meter claimed", METERING_UNBOUNDED},
    {"count", SG17_TYPE_COUNT, false, "readings (default 1, at most 10000)",
     METERING_COUNT_OF_FRAMES},
    {"value", SG17_TYPE_NUMBER, false,
     "register value in Wh (default 1e6; clamped to the 32-bit register)", METERING_UNBOUNDED},
    {NULL, 0, false, NULL, METERING_UNBOUNDED},
};
static const sg17_param_t p_mass[] = {
    {"operator", SG17_TYPE_ENTITY, false, "the compromised operator account (default operator-0)",
     METERING_UNBOUNDED},
    {"meters", SG17_TYPE_COUNT, false, "meters to disconnect from meter-0 (default all)",
     METERING_COUNT_OF_METERS},
    {NULL, 0, false, NULL, METERING_UNBOUNDED},
};
static const sg17_param_t p_tamper[] = {
    {"from", SG17_TYPE_DURATION, true, "start of the period whose commands are covered up",
     METERING_UNBOUNDED},
    {"to", SG17_TYPE_DURATION, true, "end of that period (exclusive)", METERING_UNBOUNDED},
    {"mode", SG17_TYPE_STRING, false, "delete (default) or rewrite (into innocuous reads)",
     METERING_UNBOUNDED},
    {"command", SG17_TYPE_STRING, false,
     "only entries of this kind: read, setting, load_limit, disconnect, reconnect, firmware "
     "(default any)",
     METERING_UNBOUNDED},
    {NULL, 0, false, NULL, METERING_UNBOUNDED},
};
static const sg17_param_t p_infer[] = {
    {"capture", SG17_TYPE_STRING, true, "a capture of metering.reading frames", METERING_UNBOUNDED},
    {NULL, 0, false, NULL, METERING_UNBOUNDED},
};

static const sg17_param_t p_rewrap[] = {
    {"capture", SG17_TYPE_STRING, true, "a capture of the HES's metering.command frames",
     METERING_UNBOUNDED},
    {"command", SG17_TYPE_STRING, false,
     "which signed commands to re-send: disconnect (default), reconnect, load_limit or any",
     METERING_UNBOUNDED},
    {NULL, 0, false, NULL, METERING_UNBOUNDED},
};

static const sg17_param_t p_iv_reuse[] = {
    {"capture", SG17_TYPE_STRING, true,
     "a capture of the association handshakes (metering.aare, metering.hls) and the HES's "
     "metering.command frames",
     METERING_UNBOUNDED},
    {NULL, 0, false, NULL, METERING_UNBOUNDED},
};

static const sg17_attack_t attacks[] = {
    {"false_data", "a compromised meter under-reports its consumption by factor", NULL,
     p_false_data, run_false_data},
    {"extract_key", "physically extract a meter's keys, or the HES key store", NULL, p_extract,
     run_extract_key},
    {"forge_command",
     "inject commands claiming the HES, ciphered with extracted keys if any, critical ones signed "
     "with the attacker's own key",
     NULL, p_forge, run_forge_command},
    {"rogue_hes", "an attacker head-end without keys sends read requests claiming the HES", NULL,
     p_meters, run_rogue_hes},
    {"impersonate_meter",
     "readings with a victim's system title, protected with the attacker's extracted keys", NULL,
     p_impersonate, run_impersonate_meter},
    {"inject_reading", "a clear data-notification injected from the network claiming a meter", NULL,
     p_inject, run_inject_reading},
    {"malicious_firmware",
     "push an image signed with the attacker's key through associations it holds keys for", NULL,
     p_meters, run_malicious_firmware},
    {"mass_disconnect", "a compromised operator account signs disconnects for many meters", NULL,
     p_mass, run_mass_disconnect},
    {"infer_occupancy",
     "eavesdropper infers home/away from captured readings; sets privacy.eavesdropper_accuracy",
     "eavesdrop", p_infer, run_infer_occupancy},
    {"overcollect", "the (compromised) third party requests raw 15-min data of every customer",
     NULL, NULL, run_overcollect},
    {"tamper_audit_log",
     "an insider with write access to the HES log store (compromised hes-0) deletes or rewrites "
     "the entries of commands issued in a period, renumbering and re-chaining the rest",
     NULL, p_tamper, run_tamper_audit_log},
    {"rewrap_command",
     "the holder of suite-0 keys (extract_key: hes-0 or a fleet key) decrypts captured commands "
     "and "
     "re-sends the operator-signed ones with a fresh invocation counter",
     NULL, p_rewrap, run_rewrap_command},
    {"iv_reuse",
     "eavesdropper without keys: from HES frames that repeat a GCM IV under one key it solves for "
     "the GHASH key, then forges tariff updates (a bit of the value flipped, tag recomputed) for "
     "meters whose counter is below the frame's; sets iv.*",
     NULL, p_iv_reuse, run_iv_reuse},
    {NULL, NULL, NULL, NULL, NULL},
};

static const sg17_metric_t metrics[] = {
    {"meter.readings_sent", "readings pushed by meters", NULL},
    {"meter.commands_executed", "requests meters executed", NULL},
    {"meter.security_alarms", "requests meters refused for a security reason", NULL},
    {"meter.hls_failures", "HLS pass-3 proofs that did not verify", NULL},
    {"meter.disconnects", "connected-to-disconnected transitions", NULL},
    {"meter.disconnected_now", "meters disconnected at the end", NULL},
    {"meter.load_limits", "load limits applied", NULL},
    {"meter.tariff_changes", "tariff changes applied", NULL},
    {"meter.firmware_activations", "firmware images activated", NULL},
    {"meter.foreign_firmware", "meters running an image the manufacturer did not sign, at the end",
     NULL},
    {"meter.ic_exhausted",
     "frames a meter did not send because its invocation counter was exhausted (key renewal due)",
     NULL},
    {"hes.ic_exhausted",
     "frames the HES did not send because its invocation counter was exhausted (key renewal due)",
     NULL},
    {"meter.tariff_foreign",
     "meters whose tariff at the end is a value the HES never sent (ground truth)", NULL},
    {"hes.readings_accepted", "readings the HES accepted", NULL},
    {"hes.security_alarms", "readings the HES refused for a security reason", NULL},
    {"hes.overload_drops", "messages dropped for lack of HES capacity", NULL},
    {"hes.rate_limited", "messages refused by the per-source rate limit", NULL},
    {"hes.commands_sent", "requests the HES sent to meters", NULL},
    {"hes.responses", "meter responses accepted", NULL},
    {"hes.associations", "HLS associations completed", NULL},
    {"hes.op_requests_relayed", "operator requests relayed", NULL},
    {"hes.disconnects_held", "disconnects held back by the mass-disconnect cap", NULL},
    {"mdm.readings_stored", "readings stored by the MDM", NULL},
    {"mdm.register_rollbacks", "readings older than the stored register (ignored)", NULL},
    {"mdm.balance_alarms", "transformer-days with unexplained energy loss", NULL},
    {"mdm.detections", "meters flagged as implausible", NULL},
    {"mdm.detection_rate", "share of under-reporting meters flagged (ground truth)", NULL},
    {"mdm.false_positive_rate", "share of honest meters flagged (ground truth)", NULL},
    {"mdm.unbilled_kwh", "energy consumed but not billed, after estimation", NULL},
    {"mdm.overbilled_kwh", "energy billed but not consumed", NULL},
    {"mdm.billed_kwh", "energy billed in total", NULL},
    {"mdm.tp_customers_served", "customer data sets given to the third party", NULL},
    {"mdm.tp_denied", "customer data sets refused for lack of consent", NULL},
    {"thirdparty.customers_overcollected",
     "customers whose data the third party got beyond their consent (non-consenting or 15-min)",
     NULL},
    {"thirdparty.inference_accuracy",
     "balanced accuracy of the third party's occupancy inference (0.5 = chance)", NULL},
    {"privacy.eavesdropper_accuracy",
     "balanced accuracy of the eavesdropper's occupancy inference (0.5 = chance)", NULL},
    {"privacy.readings_observed", "captured readings the eavesdropper analysed", NULL},
    {"iv.reused_frames", "captured HES frames whose GCM IV an earlier captured HES frame had used",
     NULL},
    {"iv.ghash_key_recovered",
     "1 when the eavesdropper's GHASH key equals the real one (scored against the key)", NULL},
    {"iv.forgeries_sent", "altered frames the eavesdropper sent", NULL},
    {"audit.entries", "commands the HES recorded in its audit log", NULL},
    {"audit.anchors", "signed chain heads the MDM holds", NULL},
    {"audit.clean_audits", "audits of the HES log that verified", NULL},
    {"audit.tamper_detected", "audits that found the log inconsistent (chain, anchors, numbering)",
     NULL},
    {"audit.false_alarms", "failed audits while no entry had been altered (ground truth)", NULL},
    {"audit.tampered_entries", "log entries the insider deleted or rewrote (ground truth)", NULL},
    {"audit.undetected_tampered",
     "altered entries no failed audit covers at the end (ground truth)", NULL},
    {NULL, NULL, NULL},
};

static const sg17_reason_t reasons[] = {
    {"malformed", "not a well-formed APDU of an expected kind"},
    {"bad_sc", "security control byte is not a suite-0 value"},
    {"auth", "authentication tag, HLS proof or LLS password does not verify"},
    {"replay", "invocation counter not above the last accepted"},
    {"internal", "crypto library failure"},
    {"policy", "protection weaker than the receiver's security policy requires"},
    {"unknown_sender", "system title or address of no known peer"},
    {"no_association", "no open association with the head-end"},
    {"unexpected", "association message outside a handshake"},
    {"signature", "general-signing does not verify under an authorised key"},
    {"command_replay",
     "signed command whose transaction id is not above the last executed of its operator"},
    {"command_expired", "signed command whose date-time is outside the meter's window"},
    {"unsigned", "critical command without an operator signature"},
    {"mass_disconnect", "disconnect beyond the per-window cap, held for approval"},
    {"rate_limited", "source over its message budget"},
    {"overload", "head-end capacity exhausted"},
    {"consent", "no requested customer consented"},
    {"audit_chain", "audit log does not match its hash chain or the signed anchors held"},
    {NULL, NULL},
};

static const char *const message_types[] = {
    "metering.reading",     "metering.aarq",
    "metering.aare",        "metering.hls",
    "metering.command",     "metering.firmware",
    "metering.response",    "metering.op_request",
    "metering.export",      "metering.tp_request",
    "metering.tp_response", "metering.audit_anchor",
    "metering.audit_log",   NULL,
};

/* The closed value sets of STRING keys and parameters: validation refuses anything else at its
 * file:line:col, before a run starts. */
static const char *const forge_commands[] = {"disconnect", "reconnect", "load_limit", "tariff",
                                             NULL};
static const char *const tamper_modes[] = {"delete", "rewrite", NULL};
static const char *const rewrap_commands[] = {"disconnect", "reconnect", "load_limit", "any", NULL};
static const sg17_choice_t choices[] = {
    {"forge_command.command", forge_commands},
    {"tamper_audit_log.mode", tamper_modes},
    {"rewrap_command.command", rewrap_commands},
    {NULL, NULL},
};

/* The descriptor (SG17_MODULE_DEFINE): the tables above (entity kinds meter, hes, mdm, thirdparty,
 * operator, each with its handlers; workload, capacity and detector config keys and twelve
 * mitigations, all on by default, bound to msim_config_t; module-specific attacks, each with its
 * handler; reasons: dlms_sec_status_name()'s names and the simulation's own) and
 * metering_create/destroy/start; the tools are protect, unprotect and hls-gmac. Compromised
 * entities act through the attacks false_data, mass_disconnect, overcollect and tamper_audit_log,
 * so there is no on_compromise. --trace frames meter <-> head-end APDUs as IPv4/UDP 4059 + the
 * DLMS wrapper. */
SG17_MODULE_DEFINE(metering, msim_config_t, "X.1332",
                   "Security guidelines for smart metering services (DLMS/COSEM)", "0.3.0",
                   .tools = metering_tools, .finish = metering_finish,
                   .trace_frame = metering_trace_frame, .choices = choices);
