/* module.c — the ibc module (X.1365): its descriptor and the thin dispatch from the descriptor's
 * handlers to the simulation. The instance and its entities live in sim/, the crypto in crypto/. */
#include <stddef.h>

#include "sim/ibc_sim.h"
#include "tools.h"

/* ---- dispatch: the descriptor's untyped handlers to the simulation's ---- */

SG17_ON_MESSAGE(kms_on_message, ibc_kms_on_message);

SG17_ON_MESSAGE(device_on_message, ibc_device_on_message);

SG17_ON_TIMER(device_on_timer, ibc_device_on_timer);

SG17_ON_MESSAGE(gateway_on_message, ibc_gateway_on_message);

static void gateway_on_timer(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    (void)e; /* the one gateway */
    ibc_gateway_on_timer(instance, ctx, tag);
}

static void on_compromise(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, const sg17_params_t *p)
{
    (void)p;
    ibc_on_compromise(instance, ctx, e);
}

SG17_ATTACK_RUN(run_forge_signature, ibc_attack_forge_signature);

SG17_ATTACK_RUN(run_substitute_identity, ibc_attack_substitute_identity);

SG17_ATTACK_RUN(run_use_revoked_identity, ibc_attack_use_revoked_identity);

SG17_ATTACK_RUN(run_rogue_kms_keys, ibc_attack_rogue_kms_keys);

SG17_ATTACK_RUN(run_invalid_point, ibc_attack_invalid_point);

SG17_ATTACK_RUN(run_rogue_params, ibc_attack_rogue_params);

SG17_ATTACK_RUN(run_kms_master_compromise, ibc_attack_kms_master_compromise);

SG17_ATTACK_RUN(run_outrun_nonce_cache, ibc_attack_outrun_nonce_cache);

SG17_ATTACK_RUN(run_malleated_replay, ibc_attack_malleated_replay);

/* ---- the descriptor's tables ---- */

/* Bounds of the attack parameters: indexes below the largest topology the descriptor accepts (the
 * run's own topology is checked when the attack runs), and at most MAX_INJECTIONS messages per
 * action, each of which costs a SAKKE encapsulation and an ECCSI signature. */
#define MAX_DEVICE_INDEX (IBC_MAX_DEVICES - 1)
#define MAX_KMS_INDEX    (IBC_MAX_KMS - 1)
#define MAX_INJECTIONS   1000

static const sg17_entity_kind_t entity_kinds[] = {
    {.name = "kms",
     .description = "key management server of one domain: master secrets, C.3 parameters, C.4 "
                    "keys, C.5 revocation",
     .default_count = 1,
     .min_count = 1,
     .max_count = IBC_MAX_KMS,
     .on_message = kms_on_message},
    {.name = "device",
     .description = "IoT device: provisioned per key period, authenticates to the gateway with D.1",
     .default_count = 8,
     .min_count = 1,
     .max_count = IBC_MAX_DEVICES,
     .on_message = device_on_message,
     .on_timer = device_on_timer},
    {.name = "gateway",
     .description = "the server devices authenticate to (SAKKE receiver, ECCSI verifier)",
     .default_count = 1,
     .min_count = 1,
     .max_count = 1,
     .on_message = gateway_on_message,
     .on_timer = gateway_on_timer},
    {.name = NULL},
};

#define CONFIG(field) offsetof(ibc_config_t, field)

static const sg17_config_key_t config_keys[] = {
    {"period_length",
     SG17_TYPE_DURATION,
     "1h",
     "virtual time of one key period (one month of identity labels)",
     CONFIG(period_length),
     {1, 366 * 86400}},
    {"start_period",
     SG17_TYPE_STRING,
     "2026-01",
     "identity label of period 0, YYYY-MM",
     CONFIG(start_period),
     {0, 0}},
    {"freshness_window",
     SG17_TYPE_DURATION,
     "30s",
     "accepted |now - timestamp| of a D.1 message (replay_cache)",
     CONFIG(freshness_window),
     {0, 86400}},
    {"app_interval",
     SG17_TYPE_DURATION,
     "1min",
     "time between two application messages of a device",
     CONFIG(app_interval),
     {1, 86400}},
    {"d1_signed",
     SG17_TYPE_BOOL,
     "true",
     "devices ECCSI-sign their D.1 message; false: SAKKE-only transport whose integrity rests on "
     "RFC 6508 §6.2.2",
     CONFIG(d1_signed),
     {0, 0}},
    {"nonce_cache",
     SG17_TYPE_COUNT,
     "4096",
     "entries of the gateway's D.1 replay cache (replay_cache); a constrained gateway keeps fewer",
     CONFIG(nonce_cache),
     {1, IBC_NONCE_CACHE_MAX}},
    {"cross_domain_trust",
     SG17_TYPE_BOOL,
     "false",
     "the gateway trusts kms-1's domain (8.2) as well as its own",
     CONFIG(cross_domain_trust),
     {0, 0}},
    {"revoked",
     SG17_TYPE_STRING,
     "",
     "devices the operator revokes at revoke_at, e.g. \"3\" or \"1,4\"",
     CONFIG(revoked),
     {0, 0}},
    {"revoke_at",
     SG17_TYPE_DURATION,
     "0",
     "when the revocation order reaches the KMS",
     CONFIG(revoke_at),
     {0, 0}},
    {NULL, 0, NULL, NULL, 0, {0, 0}},
};

static const char *const sig_reqs[] = {"X1365-8.5", "X1365-D.1", NULL};
static const char *const id_reqs[] = {"X1365-8.3", "X1365-9.3", "X1365-C.5", NULL};
static const char *const replay_reqs[] = {"X1365-D.1", "X1365-D.4", "X1365-9.5", NULL};
static const char *const sakke_reqs[] = {"X1365-D.1", NULL};
static const char *const keyval_reqs[] = {"X1365-8.4", "X1365-C.4", NULL};
static const char *const param_reqs[] = {"X1365-9.2", "X1365-C.3", "X1365-C.2", NULL};
static const char *const revoke_reqs[] = {"X1365-C.5", "X1365-9.4", NULL};
static const char *const point_reqs[] = {"X1365-9.2", NULL};
static const char *const rekey_reqs[] = {"X1365-9.1", "X1365-C.1", NULL};

static const sg17_mitigation_t mitigations[] = {
    {"signature_verification",
     "the gateway verifies the D.1 ECCSI signature (RFC 6507 §5.2.2); off: it trusts the claimed "
     "identity",
     sig_reqs, true, CONFIG(signature_verification)},
    {"identity_period_check",
     "the gateway derives the expected identity from the claimed device and the current period and "
     "requires it; off: it verifies against the identity the message carries",
     id_reqs, true, CONFIG(identity_period_check)},
    {"replay_cache",
     "the gateway checks the D.1 timestamp window, its nonce cache and outstanding challenges; "
     "off: no freshness check",
     replay_reqs, true, CONFIG(replay_cache)},
    {"sakke_validation",
     "the gateway recomputes r and checks [r]([b]P+Z) == R (RFC 6508 §6.2.2); off: it uses the "
     "unmasked SSV as is",
     sakke_reqs, true, CONFIG(sakke_validation)},
    {"key_validation",
     "a device checks delivered keys (RFC 6507 §5.1.2, RFC 6508 §6.1.2); off (the default, as "
     "stacks that trust their provisioning channel): it installs whatever decrypts",
     keyval_reqs, false, CONFIG(key_validation)},
    {"param_authenticity",
     "public parameters must carry the ECDSA signature of the KMS root key pinned at "
     "initialisation; off: unsigned KPAK/Z are accepted",
     param_reqs, true, CONFIG(param_authenticity)},
    {"revocation",
     "the KMS refuses keys for periods after a device's revocation (C.5); off: revocation orders "
     "are not enforced at key issue",
     revoke_reqs, true, CONFIG(revocation)},
    {"point_validation",
     "received points are checked before use: PVT on P-256, RSK, Z and R on E and of order q; off: "
     "stored and used unchecked",
     point_reqs, true, CONFIG(point_validation)},
    {"domain_rekey",
     "the KMS draws new master secrets (KSAK, z) for every key period and publishes them signed; "
     "off: one master secret for the domain's lifetime",
     rekey_reqs, false, CONFIG(domain_rekey)},
    {NULL, NULL, NULL, false, 0},
};

static const sg17_param_t forge_params[] = {
    {"device",
     SG17_TYPE_COUNT,
     false,
     "device index to impersonate (default 0)",
     {0, MAX_DEVICE_INDEX}},
    {"count", SG17_TYPE_COUNT, false, "D.1 messages to inject (default 1)", {0, MAX_INJECTIONS}},
    {"with",
     SG17_TYPE_STRING,
     false,
     "random (default: a key pair from the adversary's own master) or master (the stolen one)",
     {0, 0}},
    {NULL, 0, false, NULL, {0, 0}},
};
static const sg17_param_t subst_params[] = {
    {"as", SG17_TYPE_COUNT, true, "device index claimed", {0, MAX_DEVICE_INDEX}},
    {"key_of", SG17_TYPE_COUNT, true, "compromised device whose keys sign", {0, MAX_DEVICE_INDEX}},
    {"count", SG17_TYPE_COUNT, false, "messages (default 1)", {0, MAX_INJECTIONS}},
    {NULL, 0, false, NULL, {0, 0}},
};
static const sg17_param_t revoked_params[] = {
    {"device",
     SG17_TYPE_COUNT,
     true,
     "compromised device whose stale keys are used",
     {0, MAX_DEVICE_INDEX}},
    {"count", SG17_TYPE_COUNT, false, "messages (default 1)", {0, MAX_INJECTIONS}},
    {NULL, 0, false, NULL, {0, 0}},
};
static const sg17_param_t rogue_keys_params[] = {
    {"device",
     SG17_TYPE_COUNT,
     true,
     "device whose transport key the rogue KMS holds",
     {0, MAX_DEVICE_INDEX}},
    {"key",
     SG17_TYPE_STRING,
     false,
     "ssk (default) or rsk: which key is for another identity",
     {0, 0}},
    {NULL, 0, false, NULL, {0, 0}},
};
static const sg17_param_t invalid_point_params[] = {
    {"device",
     SG17_TYPE_COUNT,
     true,
     "device whose transport key the rogue KMS holds",
     {0, MAX_DEVICE_INDEX}},
    {"point",
     SG17_TYPE_STRING,
     false,
     "pvt (default: off the curve) or rsk (the order-2 point (0,0))",
     {0, 0}},
    {NULL, 0, false, NULL, {0, 0}},
};
static const sg17_param_t rogue_params_params[] = {
    {"target",
     SG17_TYPE_ENTITY,
     false,
     "receiver of the fake parameters (default gateway-0)",
     {0, 0}},
    {"kms", SG17_TYPE_COUNT, false, "domain impersonated (default 0)", {0, MAX_KMS_INDEX}},
    {"forge",
     SG17_TYPE_COUNT,
     false,
     "D.1 messages then forged under the fake KPAK (default 3)",
     {0, MAX_INJECTIONS}},
    {NULL, 0, false, NULL, {0, 0}},
};
static const sg17_param_t master_params[] = {
    {"kms",
     SG17_TYPE_COUNT,
     false,
     "domain whose master secrets are stolen (default 0)",
     {0, MAX_KMS_INDEX}},
    {"forge",
     SG17_TYPE_BOOL,
     false,
     "authenticate as every device of the domain at once (default true)",
     {0, 0}},
    {"capture",
     SG17_TYPE_STRING,
     false,
     "captured D.1 messages to decrypt with the stolen z",
     {0, 0}},
    {NULL, 0, false, NULL, {0, 0}},
};

static const sg17_param_t outrun_params[] = {
    {"device",
     SG17_TYPE_COUNT,
     true,
     "compromised device whose stolen keys authenticate",
     {0, MAX_DEVICE_INDEX}},
    {"count",
     SG17_TYPE_COUNT,
     true,
     "D.1 messages to flood (the default 4096-entry cache takes five actions of 1000)",
     {1, MAX_INJECTIONS}},
    {NULL, 0, false, NULL, {0, 0}},
};
static const sg17_param_t malleate_params[] = {
    {"capture", SG17_TYPE_STRING, true, "captured signed D.1 messages to re-send", {0, 0}},
    {NULL, 0, false, NULL, {0, 0}},
};

static const sg17_attack_t attacks[] = {
    {.name = "forge_signature",
     .description = "D.1 messages in a device's identity signed with a key the adversary made up "
                    "(or derived from a stolen master)",
     .params = forge_params,
     .run = run_forge_signature},
    {.name = "substitute_identity",
     .description = "claim one device while signing with another (compromised) device's identity",
     .params = subst_params,
     .run = run_substitute_identity},
    {.name = "use_revoked_identity",
     .description = "after roll-over, authenticate with the keys of a revoked device's past period",
     .params = revoked_params,
     .run = run_use_revoked_identity},
    {.name = "rogue_kms_keys",
     .description = "a rogue KMS with the device's transport key pushes keys that do not belong "
                    "to its identity",
     .params = rogue_keys_params,
     .run = run_rogue_kms_keys},
    {.name = "invalid_point",
     .description = "a rogue KMS pushes keys with an off-curve PVT or a small-order RSK",
     .params = invalid_point_params,
     .run = run_invalid_point},
    {.name = "rogue_params",
     .description = "fake KPAK and Z in a C.3 answer, then D.1 messages forged under them",
     .params = rogue_params_params,
     .run = run_rogue_params},
    {.name = "kms_master_compromise",
     .description = "steal a KMS's KSAK and z: keys for every identity of the domain",
     .params = master_params,
     .run = run_kms_master_compromise},
    {.name = "outrun_nonce_cache",
     .description = "authenticate with a compromised device's keys as often as it takes to push "
                    "other devices' nonces out of the gateway's replay cache (then replay one)",
     .params = outrun_params,
     .run = run_outrun_nonce_cache},
    {.name = "malleated_replay",
     .description = "re-send captured signed D.1 messages with the ECCSI s replaced by q - s, "
                    "which verifies as well (RFC 6507 signatures are malleable)",
     .params = malleate_params,
     .run = run_malleated_replay},
    {.name = NULL},
};

static const sg17_metric_t metrics[] = {
    {.name = "gateway.sessions", .description = "D.1 messages the gateway accepted"},
    {.name = "gateway.sessions.*",
     .description = "accepted D.1 messages per claimed device (gateway.sessions.device-3)",
     .member_kind = "device"},
    {.name = "gateway.app_data", .description = "application messages the gateway accepted"},
    {.name = "gateway.challenges", .description = "re-authentication challenges sent"},
    {.name = "gateway.d1_rejected", .description = "D.1 messages the gateway rejected"},
    {.name = "device.keys_installed", .description = "key deliveries devices installed"},
    {.name = "device.keys_rejected",
     .description = "key deliveries devices refused (key_validation, point_validation)"},
    {.name = "device.keyless",
     .description = "authentications skipped for want of keys or parameters"},
    {.name = "device.sign_failures",
     .description = "D.1 messages a device could not produce with its installed keys"},
    {.name = "device.d1_sent", .description = "D.1 messages devices sent"},
    {.name = "device.app_sent", .description = "application messages devices sent"},
    {.name = "kms.keys_issued", .description = "key deliveries the KMSs issued"},
    {.name = "kms.refused", .description = "key requests refused for revocation"},
    {.name = "kms.rekeys", .description = "master-secret re-keys"},
    {.name = "params.rejected",
     .description = "parameter answers refused for a bad root signature"},
    {.name = "attacker.d1_injected", .description = "D.1 messages the adversary injected"},
    {.name = "attacker.d1_malleated",
     .description = "captured D.1 messages the adversary re-signed as (r, q - s)"},
    {.name = "attacker.session_keys_recovered",
     .description = "captured D.1 SSVs the adversary decapsulated with a stolen z"},
    {.name = NULL},
};

static const sg17_reason_t reasons[] = {
    {"malformed", "not a message of this protocol, or for another entity"},
    {"auth", "GMAC/GCM under the transport key does not verify"},
    {"stale", "a request, delivery or parameter set for another period"},
    {"revoked", "key request of a revoked identity (C.5)"},
    {"key_invalid", "delivered keys fail RFC 6507 §5.1.2 or RFC 6508 §6.1.2"},
    {"invalid_point", "a received point is off the curve or not of order q"},
    {"param_auth", "public parameters without a valid root-key signature"},
    {"untrusted_domain", "a KMS domain the receiver is not configured to trust (8.2)"},
    {"unavailable", "the gateway lacks the domain's parameters or its own keys for this period"},
    {"identity", "the identity is not the claimed device's"},
    {"stale_identity", "the identity is of another key period"},
    {"signature", "the ECCSI signature does not verify (RFC 6507 §5.2.2)"},
    {"replay", "outside the freshness window, nonce seen, or wrong challenge"},
    {"sakke", "the SED fails RFC 6508 §6.2.2"},
    {"no_session", "application data without a current session"},
    {"app_auth", "application data does not verify under the session key"},
    {NULL, NULL},
};

static const char *const message_types[] = {
    "ibc.param_request", "ibc.params",    "ibc.key_request", "ibc.key_delivery",
    "ibc.d1_auth",       "ibc.challenge", "ibc.app_data",    NULL,
};

/* The closed value sets of STRING keys and parameters: validation refuses anything else at its
 * file:line:col, before a run starts. */
static const char *const forge_keys[] = {"random", "master", NULL};
static const char *const rogue_keys[] = {"ssk", "rsk", NULL};
static const char *const bad_points[] = {"pvt", "rsk", NULL};
static const sg17_choice_t choices[] = {
    {"forge_signature.with", forge_keys},
    {"rogue_kms_keys.key", rogue_keys},
    {"invalid_point.point", bad_points},
    {NULL, NULL},
};

/* The descriptor (SG17_MODULE_DEFINE): the tables above (entity kinds kms, device, gateway; config
 * keys and mitigations bound to ibc_config_t) and ibc_create/destroy/start; the tools are
 * eccsi-keys/sign/verify and sakke-keys/encap/decap; D.1 is traced as MIKEY-SAKKE over UDP 2269
 * (sim/mikey.c). */
SG17_MODULE_DEFINE(ibc, ibc_config_t, "X.1365",
                   "Identity-based cryptography for IoT (ECCSI signatures, SAKKE key transport)",
                   "0.3.0", .tools = ibc_tools, .on_compromise = on_compromise,
                   .trace_frame = ibc_trace_frame, .choices = choices);
