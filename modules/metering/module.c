/* module.c — the metering module (X.1332): descriptor and callback dispatch. The simulation
 * (meters, head-end, MDM, third party, operators, attacks) is in sim/, the DLMS/COSEM protocol
 * layer in dlms/, the command-line tools in tools.c. */
#include <string.h>

#include <sg17tb/module.h>

#include "sim/sim.h"
#include "tools.h"

static void *metering_create(sg17_ctx_t *ctx)
{
    return msim_create(ctx);
}

static void metering_destroy(void *instance)
{
    msim_destroy(instance);
}

static void metering_start(void *instance, sg17_ctx_t *ctx)
{
    msim_t *s = instance;
    for (unsigned i = 0; i < s->n_meters; i++)
        sg17_timer(ctx, sg17_entity(ctx, "meter", i), s->meters[i].phase, TAG(TAG_READING, i));
    msim_hes_start(s, ctx);
    sg17_timer(ctx, s->mdm, 24 * SG17_HOUR + SG17_HOUR, TAG(TAG_DAY, 0));
    if (s->n_tp)
        sg17_timer(ctx, sg17_entity(ctx, "thirdparty", 0), 24 * SG17_HOUR + 2 * SG17_HOUR,
                   TAG(TAG_TP, 0));
    if (s->n_ops && s->dr_every)
        sg17_timer(ctx, sg17_entity(ctx, "operator", 0), s->dr_every, TAG(TAG_DR, 0));
    if (s->n_ops && s->disconnect_every)
        sg17_timer(ctx, sg17_entity(ctx, "operator", 0), s->disconnect_every,
                   TAG(TAG_DISCONNECT, 0));
}

static void metering_on_timer(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    msim_t *s = instance;
    const char *kind = sg17_entity_kind(ctx, e);
    if (strcmp(kind, "meter") == 0)
        msim_meter_on_timer(s, ctx, sg17_entity_index(ctx, e));
    else if (e == s->hes)
        msim_hes_on_timer(s, ctx, tag);
    else if (e == s->mdm)
        msim_mdm_on_timer(s, ctx, tag);
    else if (strcmp(kind, "operator") == 0)
        msim_op_on_timer(s, ctx, sg17_entity_index(ctx, e), tag);
    else if (strcmp(kind, "thirdparty") == 0)
        msim_tp_on_timer(s, ctx, tag);
}

static void metering_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    msim_t *s = instance;
    const char *kind = sg17_entity_kind(ctx, m->dst);
    if (strcmp(kind, "meter") == 0)
        msim_meter_on_message(s, ctx, sg17_entity_index(ctx, m->dst), m);
    else if (m->dst == s->hes)
        msim_hes_on_message(s, ctx, m);
    else if (m->dst == s->mdm)
        msim_mdm_on_message(s, ctx, m);
    else if (strcmp(kind, "thirdparty") == 0)
        msim_tp_on_message(s, ctx, m);
    else
        sg17_reject(ctx, m, "malformed"); /* operators receive nothing */
}

static int metering_on_attack(void *instance, sg17_ctx_t *ctx, const char *attack,
                              const sg17_params_t *p)
{
    return msim_on_attack(instance, ctx, attack, p);
}

static void metering_finish(void *instance, sg17_ctx_t *ctx)
{
    msim_mdm_finish(instance, ctx);
    msim_audit_finish(instance, ctx);
}

/* ---- descriptor tables ---- */

static const sg17_entity_kind_t entity_kinds[] = {
    {"meter", "smart meter: pushes 15-min readings, executes head-end commands", 20, 20000},
    {"hes", "head-end system: associations, reading ingestion, command relay", 1, 1},
    {"mdm", "meter data management: storage, billing, validation, third-party access", 1, 1},
    {"thirdparty", "a third-party service provider with per-customer consent", 1, 1},
    {"operator", "utility operator account issuing signed load-control requests", 1, 4},
    {NULL, NULL, 0, 0},
};

static const sg17_config_key_t config_keys[] = {
    {"reading_interval", SG17_TYPE_DURATION, "15min", "load-profile period of every meter"},
    {"push_slot", SG17_TYPE_DURATION, "10s",
     "granularity of the meters' randomised push times within the period"},
    {"ondemand_interval", SG17_TYPE_DURATION, "1h",
     "head-end on-demand reads every ... (0 = none)"},
    {"ondemand_batch", SG17_TYPE_COUNT, "2",
     "meters read on demand each time (at most every meter once)"},
    {"tariff_interval", SG17_TYPE_DURATION, "12h",
     "tariff (activity calendar) update to all meters every ... (0 = none)"},
    {"dr_interval", SG17_TYPE_DURATION, "4h",
     "operator demand-response load limits every ... (0 = none)"},
    {"dr_batch", SG17_TYPE_COUNT, "3",
     "meters given a load limit each demand-response event (at most every meter once)"},
    {"disconnect_interval", SG17_TYPE_DURATION, "6h",
     "operator non-payment disconnect (reconnected 1h later) every ... (0 = none)"},
    {"firmware_at", SG17_TYPE_DURATION, "0",
     "time of the manufacturer's signed firmware roll-out (0 = none)"},
    {"hes_capacity", SG17_TYPE_NUMBER, "200", "messages the head-end can process per second"},
    {"hes_source_rate", SG17_TYPE_NUMBER, "5",
     "per-source messages per second admitted by hes_rate_limit"},
    {"disconnect_limit", SG17_TYPE_COUNT, "3",
     "disconnects per window relayed without a second approval (mass_disconnect_limit; at most "
     "1000000)"},
    {"disconnect_window", SG17_TYPE_DURATION, "1h", "sliding window of disconnect_limit"},
    {"mdm_learning", SG17_TYPE_DURATION, "2d",
     "days the MDM learns each meter's baseline before validating"},
    {"mdm_threshold", SG17_TYPE_NUMBER, "0.25",
     "a meter is flagged when its day falls this fraction below its baseline"},
    {"mdm_balance_tolerance", SG17_TYPE_NUMBER, "0.02",
     "unexplained share of a transformer's energy that opens an investigation"},
    {"transformer_size", SG17_TYPE_COUNT, "10",
     "meters per distribution transformer (energy balance unit; 0 counts as 1)"},
    {"consent_share", SG17_TYPE_NUMBER, "0.5",
     "share of customers consenting to third-party daily data"},
    {"plain_push_when_off", SG17_TYPE_BOOL, "false",
     "with authenticated_encryption off, meters push readings in clear (else encryption-only SC "
     "0x20)"},
    {"audit_anchor_interval", SG17_TYPE_DURATION, "1h",
     "the HES sends its signed audit chain head to the MDM every ... (audit_log)"},
    {"audit_interval", SG17_TYPE_DURATION, "6h",
     "the MDM audits the HES command log every ... (0 = never)"},
    {NULL, 0, NULL, NULL},
};

static const char *const r_conf1[] = {"X1332-R-CONF-01", "X1332-R-INT-01", NULL};
static const char *const r_int2[] = {"X1332-R-INT-02", NULL};
static const char *const r_conf2[] = {"X1332-R-CONF-02", "X1332-R-AUTH-02", NULL};
static const char *const r_auth1[] = {"X1332-R-AUTH-01", NULL};
static const char *const r_authz2[] = {"X1332-R-AUTHZ-01", "X1332-R-AUTHZ-02", "X1332-R-NREP-02",
                                       NULL};
static const char *const r_authz3[] = {"X1332-R-AUTHZ-03", NULL};
static const char *const r_int3[] = {"X1332-R-INT-03", NULL};
static const char *const r_int4[] = {"X1332-R-INT-04", NULL};
static const char *const r_priv[] = {"X1332-R-PRIV-01", "X1332-R-PRIV-02", NULL};
static const char *const r_avail[] = {"X1332-R-AVAIL-01", NULL};
static const char *const r_nrep1[] = {"X1332-R-NREP-01", NULL};

static const sg17_mitigation_t mitigations[] = {
    {"authenticated_encryption",
     "suite 0 SC 0x30 on every frame and receivers require it (policy); off: meters push SC 0x20 "
     "(or clear) and receivers accept any SC or clear APDUs",
     r_conf1, true},
    {"invocation_counter",
     "receivers reject IC <= the last accepted from that sender; off: no counter check", r_int2,
     true},
    {"unique_keys", "EK/AK diversified per meter system title; off: one fleet key for every meter",
     r_conf2, true},
    {"hls_authentication",
     "HLS mechanism 5 (GMAC) association whose policy requires ciphered APDUs; off: lowest-level "
     "security (password in clear, unciphered APDUs served)",
     r_auth1, true},
    {"command_authorization",
     "disconnect/reconnect/load limit need an operator's suite-1 ECDSA general-signing that the "
     "HES and meter verify; off: any well-formed command from the HES address is executed",
     r_authz2, true},
    {"mass_disconnect_limit",
     "the HES relays at most disconnect_limit disconnects per disconnect_window, the rest wait for "
     "a second approval; off: unlimited",
     r_authz3, true},
    {"mdm_plausibility",
     "MDM energy balance per transformer and per-meter baseline check, flagged meters billed on "
     "estimate; off: readings billed as reported",
     r_int3, true},
    {"signed_firmware",
     "meters activate only images signed by the manufacturer key; off: any image delivered through "
     "the association",
     r_int4, true},
    {"data_minimisation",
     "third parties get daily data of consenting customers only; off: any requested customer's raw "
     "15-min series",
     r_priv, true},
    {"hes_rate_limit",
     "per-source message budget checked before decryption; off: every message costs head-end "
     "capacity",
     r_avail, true},
    {"audit_log",
     "the HES's command log is hash-chained (SHA-256 over the previous entry) and its head, signed "
     "with the HES's ECDSA key, is anchored at the MDM, which audits the log against every anchor; "
     "off: plain records, no chain, no anchors",
     r_nrep1, true},
    {NULL, NULL, NULL, false},
};

static const sg17_param_t p_false_data[] = {
    {"entity", SG17_TYPE_ENTITY, true, "the compromised meter"},
    {"factor", SG17_TYPE_NUMBER, false, "reported / true consumption (default 0.5)"},
    {NULL, 0, false, NULL},
};
static const sg17_param_t p_extract[] = {
    {"entity", SG17_TYPE_ENTITY, true, "meter-N (its keys) or hes-0 (the head-end key store)"},
    {NULL, 0, false, NULL},
};
static const sg17_param_t p_forge[] = {
    {"command", SG17_TYPE_STRING, false, "disconnect (default), reconnect, load_limit or tariff"},
    {"meters", SG17_TYPE_COUNT, false, "how many meters (default 1)"},
    {"first", SG17_TYPE_COUNT, false, "first meter index (default 0)"},
    {NULL, 0, false, NULL},
};
static const sg17_param_t p_meters[] = {
    {"meters", SG17_TYPE_COUNT, false, "how many meters from meter-0 (default all)"},
    {NULL, 0, false, NULL},
};
static const sg17_param_t p_impersonate[] = {
    {"victim", SG17_TYPE_ENTITY, true, "the meter whose system title is spoofed"},
    {"count", SG17_TYPE_COUNT, false, "readings (default 4, at most 10000)"},
    {"factor", SG17_TYPE_NUMBER, false, "reported register / victim's real register (default 2)"},
    {NULL, 0, false, NULL},
};
static const sg17_param_t p_inject[] = {
    {"meter", SG17_TYPE_ENTITY, true, "the meter claimed"},
    {"count", SG17_TYPE_COUNT, false, "readings (default 1, at most 10000)"},
    {"value", SG17_TYPE_NUMBER, false,
     "register value in Wh (default 1e6; clamped to the 32-bit register)"},
    {NULL, 0, false, NULL},
};
static const sg17_param_t p_mass[] = {
    {"operator", SG17_TYPE_ENTITY, false, "the compromised operator account (default operator-0)"},
    {"meters", SG17_TYPE_COUNT, false, "meters to disconnect from meter-0 (default all)"},
    {NULL, 0, false, NULL},
};
static const sg17_param_t p_tamper[] = {
    {"from", SG17_TYPE_DURATION, true, "start of the period whose commands are covered up"},
    {"to", SG17_TYPE_DURATION, true, "end of that period (exclusive)"},
    {"mode", SG17_TYPE_STRING, false, "delete (default) or rewrite (into innocuous reads)"},
    {"command", SG17_TYPE_STRING, false,
     "only entries of this kind: read, setting, load_limit, disconnect, reconnect, firmware "
     "(default any)"},
    {NULL, 0, false, NULL},
};
static const sg17_param_t p_infer[] = {
    {"capture", SG17_TYPE_STRING, true, "a capture of metering.reading frames"},
    {NULL, 0, false, NULL},
};

static const sg17_attack_t attacks[] = {
    {"false_data", "a compromised meter under-reports its consumption by factor", NULL,
     p_false_data},
    {"extract_key", "physically extract a meter's keys, or the HES key store", NULL, p_extract},
    {"forge_command",
     "inject commands claiming the HES, ciphered with extracted keys if any, critical ones signed "
     "with the attacker's own key",
     NULL, p_forge},
    {"rogue_hes", "an attacker head-end without keys sends read requests claiming the HES", NULL,
     p_meters},
    {"impersonate_meter",
     "readings with a victim's system title, protected with the attacker's extracted keys", NULL,
     p_impersonate},
    {"inject_reading", "a clear data-notification injected from the network claiming a meter", NULL,
     p_inject},
    {"malicious_firmware",
     "push an image signed with the attacker's key through associations it holds keys for", NULL,
     p_meters},
    {"mass_disconnect", "a compromised operator account signs disconnects for many meters", NULL,
     p_mass},
    {"infer_occupancy",
     "eavesdropper infers home/away from captured readings; sets privacy.eavesdropper_accuracy",
     "eavesdrop", p_infer},
    {"overcollect", "the (compromised) third party requests raw 15-min data of every customer",
     NULL, NULL},
    {"tamper_audit_log",
     "an insider with write access to the HES log store (compromised hes-0) deletes or rewrites "
     "the entries of commands issued in a period, renumbering and re-chaining the rest",
     NULL, p_tamper},
    {NULL, NULL, NULL, NULL},
};

static const sg17_metric_t metrics[] = {
    {"meter.readings_sent", "readings pushed by meters"},
    {"meter.commands_executed", "requests meters executed"},
    {"meter.security_alarms", "requests meters refused for a security reason"},
    {"meter.hls_failures", "HLS pass-3 proofs that did not verify"},
    {"meter.disconnects", "connected-to-disconnected transitions"},
    {"meter.disconnected_now", "meters disconnected at the end"},
    {"meter.load_limits", "load limits applied"},
    {"meter.tariff_changes", "tariff changes applied"},
    {"meter.firmware_activations", "firmware images activated"},
    {"meter.foreign_firmware", "meters running an image the manufacturer did not sign, at the end"},
    {"hes.readings_accepted", "readings the HES accepted"},
    {"hes.security_alarms", "readings the HES refused for a security reason"},
    {"hes.overload_drops", "messages dropped for lack of HES capacity"},
    {"hes.rate_limited", "messages refused by the per-source rate limit"},
    {"hes.commands_sent", "requests the HES sent to meters"},
    {"hes.responses", "meter responses accepted"},
    {"hes.associations", "HLS associations completed"},
    {"hes.op_requests_relayed", "operator requests relayed"},
    {"hes.disconnects_held", "disconnects held back by the mass-disconnect cap"},
    {"mdm.readings_stored", "readings stored by the MDM"},
    {"mdm.register_rollbacks", "readings older than the stored register (ignored)"},
    {"mdm.balance_alarms", "transformer-days with unexplained energy loss"},
    {"mdm.detections", "meters flagged as implausible"},
    {"mdm.detection_rate", "share of under-reporting meters flagged (ground truth)"},
    {"mdm.false_positive_rate", "share of honest meters flagged (ground truth)"},
    {"mdm.unbilled_kwh", "energy consumed but not billed, after estimation"},
    {"mdm.overbilled_kwh", "energy billed but not consumed"},
    {"mdm.billed_kwh", "energy billed in total"},
    {"mdm.tp_customers_served", "customer data sets given to the third party"},
    {"mdm.tp_denied", "customer data sets refused for lack of consent"},
    {"thirdparty.customers_overcollected",
     "customers whose data the third party got beyond their consent (non-consenting or 15-min)"},
    {"thirdparty.inference_accuracy",
     "balanced accuracy of the third party's occupancy inference (0.5 = chance)"},
    {"privacy.eavesdropper_accuracy",
     "balanced accuracy of the eavesdropper's occupancy inference (0.5 = chance)"},
    {"privacy.readings_observed", "captured readings the eavesdropper analysed"},
    {"audit.entries", "commands the HES recorded in its audit log"},
    {"audit.anchors", "signed chain heads the MDM holds"},
    {"audit.clean_audits", "audits of the HES log that verified"},
    {"audit.tamper_detected", "audits that found the log inconsistent (chain, anchors, numbering)"},
    {"audit.false_alarms", "failed audits while no entry had been altered (ground truth)"},
    {"audit.tampered_entries", "log entries the insider deleted or rewrote (ground truth)"},
    {"audit.undetected_tampered",
     "altered entries no failed audit covers at the end (ground truth)"},
    {NULL, NULL},
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

const sg17_module_t sg17_module = {
    .abi = SG17_MODULE_ABI_VERSION,
    .name = "metering",
    .recommendation = "X.1332",
    .title = "Security guidelines for smart metering services (DLMS/COSEM)",
    .version = "0.2.0",
    .catalogue = "requirements.yaml",

    .entity_kinds = entity_kinds, /* meter, hes, mdm, thirdparty, operator */
    .config = config_keys,        /* workload, capacities, detector thresholds */
    .mitigations = mitigations,   /* eleven switches, all on by default */
    .attacks = attacks,           /* module-specific; core network actions come for free */
    .metrics = metrics,
    .reasons = reasons, /* dlms_sec_status_name() names + the simulation's own */
    .message_types = message_types,
    .tools = metering_tools, /* protect, unprotect, hls-gmac */

    .create = metering_create,
    .destroy = metering_destroy,
    .start = metering_start,
    .on_message = metering_on_message,
    .on_timer = metering_on_timer,
    .on_attack = metering_on_attack,
    .on_compromise =
        NULL, /* compromised entities act through false_data/mass_disconnect/overcollect */
    .finish = metering_finish,
};
