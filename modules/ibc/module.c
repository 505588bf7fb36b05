/* module.c — the ibc module (X.1365): its descriptor, instance set-up, event dispatch and the
 * helpers the entities share (key periods and identities, the seeded random stream, the cache of
 * SAKKE sender contexts, the D.1 session key). The entities live in sim/, the crypto in crypto/. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/ibc_error.h"
#include "sim/ibc_sim.h"
#include "tools.h"

/* ---- shared helpers ---- */

int64_t ibc_period(const ibc_t *s, sg17_time_t t)
{
    return (int64_t)(t / s->period_length);
}

/* X.1365 8.3 / RFC 6507 §7: "YYYY-MM" 0x00 uri 0x00, the month counted from start_period. */
size_t ibc_identity(const ibc_t *s, int64_t p, const char *kind, unsigned index, uint8_t *id)
{
    int64_t m = (int64_t)s->start_month - 1 + p;
    int n = snprintf((char *)id, IBC_MAX_ID, "%04d-%02d%curn:dev:sg17tb:%s-%u%c",
                     (int)(s->start_year + m / 12) % 10000, (int)(m % 12) + 1, 0, kind, index, 0);
    return n > 0 && n < IBC_MAX_ID ? (size_t)n : 0;
}

void ibc_rand_bytes(sg17_ctx_t *ctx, uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t r = sg17_rand_u64(ctx);
        for (size_t j = 0; j < 8 && i + j < n; j++)
            buf[i + j] = (uint8_t)(r >> (8 * j));
    }
}

/* Building a sender costs ~0.1 s (its fixed-base table); all inputs are public, so one context per
 * (Z, identity) serves every device of the run. */
sakke_sender_t *ibc_sender(ibc_t *s, sg17_ctx_t *ctx, const uint8_t *zpub, const uint8_t *id,
                           size_t id_len)
{
    for (unsigned i = 0; i < IBC_SENDER_CACHE; i++) {
        ibc_sender_slot_t *c = &s->senders[i];
        if (c->s && c->id_len == id_len && memcmp(c->id, id, id_len) == 0
            && memcmp(c->zpub, zpub, SAKKE_POINT_BYTES) == 0)
            return c->s;
    }
    ibc_sender_slot_t *c = &s->senders[s->next_sender];
    s->next_sender = (s->next_sender + 1) % IBC_SENDER_CACHE;
    sakke_sender_destroy(&c->s);
    if (!(c->s = sakke_sender_new(zpub, SAKKE_POINT_BYTES, id, id_len))) {
        sg17_log(ctx, "cannot set up a SAKKE sender: %s", ibc_last_error());
        return NULL;
    }
    memcpy(c->zpub, zpub, SAKKE_POINT_BYTES);
    memcpy(c->id, id, id_len);
    c->id_len = id_len;
    return c->s;
}

int ibc_session_key(const uint8_t ssv[SAKKE_SSV_BYTES], const uint8_t *id, size_t id_len,
                    const uint8_t nonce[IBC_NONCE_BYTES], uint8_t key[IBC_SKEY_BYTES])
{
    static const char label[] = "sg17tb-ibc-d1";
    uint8_t h[32];
    unsigned hl = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL)
             && EVP_DigestUpdate(md, label, sizeof label - 1)
             && EVP_DigestUpdate(md, ssv, SAKKE_SSV_BYTES) && EVP_DigestUpdate(md, id, id_len)
             && EVP_DigestUpdate(md, nonce, IBC_NONCE_BYTES) && EVP_DigestFinal_ex(md, h, &hl);
    EVP_MD_CTX_free(md);
    if (ok)
        memcpy(key, h, IBC_SKEY_BYTES);
    OPENSSL_cleanse(h, sizeof h);
    return ok ? 0 : -1;
}

/* ---- lifecycle ---- */

static void ibc_destroy(void *instance)
{
    ibc_t *s = instance;
    if (!s)
        return;
    for (unsigned i = 0; i < IBC_SENDER_CACHE; i++)
        sakke_sender_destroy(&s->senders[i].s);
    sakke_receiver_destroy(&s->gw.recv);
    /* each array holds n_dev + 1 entries (see ibc_create); devices, stolen keys and sessions
     * carry transport, private and session keys */
    if (s->dev)
        OPENSSL_cleanse(s->dev, (s->n_dev + 1) * sizeof *s->dev);
    if (s->adv.stolen)
        OPENSSL_cleanse(s->adv.stolen, (s->n_dev + 1) * sizeof *s->adv.stolen);
    if (s->gw.sessions)
        OPENSSL_cleanse(s->gw.sessions, (s->n_dev + 1) * sizeof *s->gw.sessions);
    free(s->dev);
    free(s->adv.stolen);
    free(s->adv.stolen_kpak);
    free(s->gw.sessions);
    free(s->gw.nonces);
    free(s->gw.nonce_at);
    free(s->revoked);
    OPENSSL_cleanse(s, sizeof *s);
    free(s);
}

/* C.1: a KMS's master secrets and root key; C.2: each device's transport key. */
static int ibc_initialise(ibc_t *s, sg17_ctx_t *ctx)
{
    for (unsigned k = 0; k < s->n_kms; k++) {
        ibc_kms_t *kms = &s->kms[k];
        ibc_master_t *mk = &kms->master[0];
        kms->e = sg17_entity(ctx, "kms", k);
        ibc_rand_bytes(ctx, mk->ksak, ECCSI_N);
        ibc_rand_bytes(ctx, mk->z, IBC_MASTER_Z);
        ibc_rand_bytes(ctx, kms->root_priv, sizeof kms->root_priv);
        mk->ksak[0] &= 0x7f, mk->ksak[31] |= 1; /* in [1, q-1] of P-256 */
        mk->z[0] &= 0x1f, mk->z[31] |= 1;       /* far below the 1021-bit q of SAKKE */
        kms->root_priv[0] &= 0x7f, kms->root_priv[31] |= 1;
        if (eccsi_kms_kpak(mk->ksak, mk->kpak) != 0
            || sakke_kms_public_key(mk->z, IBC_MASTER_Z, mk->zpub) != 0
            || ibc_ecdsa_pub(kms->root_priv, kms->root_pub) != 0)
            return -1;
        mk->from_period = 0;
        kms->n_master = 1;
    }
    for (unsigned i = 0; i < s->n_dev; i++) {
        ibc_device_t *d = &s->dev[i];
        d->e = sg17_entity(ctx, "device", i);
        d->index = i;
        d->kms = i % s->n_kms;
        d->asked_period = -1;
        ibc_rand_bytes(ctx, d->tkey, IBC_TKEY_BYTES);
    }
    s->gw.e = sg17_entity(ctx, "gateway", 0);
    s->gw.asked_period = -1;
    ibc_rand_bytes(ctx, s->gw.tkey, IBC_TKEY_BYTES);
    return 0;
}

/* "3" or "1,4": the devices the operator revokes at revoke_at. */
static int parse_revoked(ibc_t *s, sg17_ctx_t *ctx, const char *list)
{
    for (const char *c = list; *c;) {
        char *end;
        long v = strtol(c, &end, 10);
        if (end == c || v < 0 || (unsigned long)v >= s->n_dev) {
            sg17_log(ctx, "revoked: '%s' is not a comma-separated list of device indexes below %u",
                     list, s->n_dev);
            return -1;
        }
        s->revoked[v] = 1;
        c = *end == ',' ? end + 1 : end;
        if (*end && *end != ',') {
            sg17_log(ctx, "revoked: unexpected '%c' in '%s'", *end, list);
            return -1;
        }
    }
    return 0;
}

static void *ibc_create(sg17_ctx_t *ctx)
{
    ibc_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->n_kms = sg17_count(ctx, "kms");
    s->n_dev = sg17_count(ctx, "device");
    s->period_length = sg17_config_duration(ctx, "period_length");
    s->window = sg17_config_duration(ctx, "freshness_window");
    s->app_interval = sg17_config_duration(ctx, "app_interval");
    s->revoke_at = sg17_config_duration(ctx, "revoke_at");
    s->d1_signed = sg17_config_bool(ctx, "d1_signed");
    s->cross_domain = sg17_config_bool(ctx, "cross_domain_trust");
    s->m_sig = sg17_mitigation(ctx, "signature_verification");
    s->m_idcheck = sg17_mitigation(ctx, "identity_period_check");
    s->m_replay = sg17_mitigation(ctx, "replay_cache");
    s->m_sakke = sg17_mitigation(ctx, "sakke_validation");
    s->m_keyval = sg17_mitigation(ctx, "key_validation");
    s->m_params = sg17_mitigation(ctx, "param_authenticity");
    s->m_revocation = sg17_mitigation(ctx, "revocation");
    s->m_points = sg17_mitigation(ctx, "point_validation");
    s->m_rekey = sg17_mitigation(ctx, "domain_rekey");
    const char *start = sg17_config(ctx, "start_period");
    int year = 0, month = 0; /* parsed into locals: sscanf can then change nothing else of s */
    bool start_ok = sscanf(start, "%4d-%2d", &year, &month) == 2;
    s->start_year = year;
    s->start_month = month;
    if (s->n_kms < 1 || s->n_kms > IBC_MAX_KMS || sg17_count(ctx, "gateway") != 1
        || s->period_length == 0 || s->app_interval == 0 || !start_ok || s->start_month < 1
        || s->start_month > 12 || s->start_year < 1970) {
        sg17_log(ctx,
                 "ibc needs 1-2 kms, one gateway, period_length and app_interval > 0 and "
                 "start_period as YYYY-MM (got '%s')",
                 start);
        free(s);
        return NULL;
    }
    s->dev = calloc(s->n_dev + 1, sizeof *s->dev);
    s->adv.stolen = calloc(s->n_dev + 1, sizeof *s->adv.stolen);
    s->adv.stolen_kpak = calloc(s->n_dev + 1, sizeof *s->adv.stolen_kpak);
    s->gw.sessions = calloc(s->n_dev + 1, sizeof *s->gw.sessions);
    s->gw.nonces = calloc(IBC_NONCE_CACHE, sizeof *s->gw.nonces);
    s->gw.nonce_at = calloc(IBC_NONCE_CACHE, sizeof *s->gw.nonce_at);
    s->revoked = calloc(s->n_dev + 1, 1);
    if (!s->dev || !s->adv.stolen || !s->adv.stolen_kpak || !s->gw.sessions || !s->gw.nonces
        || !s->gw.nonce_at || !s->revoked || parse_revoked(s, ctx, sg17_config(ctx, "revoked")) != 0
        || ibc_initialise(s, ctx) != 0) {
        sg17_log(ctx, "ibc: set-up failed (%s)", ibc_last_error());
        ibc_destroy(s);
        return NULL;
    }
    return s;
}

static void ibc_start(void *instance, sg17_ctx_t *ctx)
{
    ibc_t *s = instance;
    sg17_timer(ctx, s->gw.e, 0, IBC_T_ROLL);
    for (unsigned i = 0; i < s->n_dev; i++) {
        sg17_timer(ctx, s->dev[i].e, (sg17_time_t)i * 50 * SG17_MSEC, IBC_T_ROLL);
        sg17_timer(ctx, s->dev[i].e, s->app_interval + (sg17_time_t)i * 70 * SG17_MSEC, IBC_T_APP);
    }
}

static void ibc_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    ibc_t *s = instance;
    const char *kind = sg17_entity_kind(ctx, m->dst);
    unsigned i = sg17_entity_index(ctx, m->dst);
    if (kind && strcmp(kind, "kms") == 0)
        ibc_kms_on_message(s, ctx, m);
    else if (kind && strcmp(kind, "device") == 0 && i < s->n_dev)
        ibc_device_on_message(s, ctx, &s->dev[i], m);
    else if (kind && strcmp(kind, "gateway") == 0)
        ibc_gateway_on_message(s, ctx, m);
    else
        sg17_reject(ctx, m, "malformed");
}

static void ibc_on_timer(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    ibc_t *s = instance;
    const char *kind = sg17_entity_kind(ctx, e);
    unsigned i = sg17_entity_index(ctx, e);
    if (kind && strcmp(kind, "device") == 0 && i < s->n_dev)
        ibc_device_on_timer(s, ctx, &s->dev[i], tag);
    else if (e == s->gw.e)
        ibc_gateway_on_timer(s, ctx, tag);
}

static int ibc_attack(void *instance, sg17_ctx_t *ctx, const char *attack, const sg17_params_t *p)
{
    return ibc_on_attack(instance, ctx, attack, p);
}

static void ibc_compromise(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, const sg17_params_t *p)
{
    (void)p;
    ibc_on_compromise(instance, ctx, e);
}

/* ---- the descriptor ---- */

static const sg17_entity_kind_t entity_kinds[] = {
    {"kms",
     "key management server of one domain: master secrets, C.3 parameters, C.4 keys, C.5 "
     "revocation",
     1, IBC_MAX_KMS},
    {"device", "IoT device: provisioned per key period, authenticates to the gateway with D.1", 8,
     512},
    {"gateway", "the server devices authenticate to (SAKKE receiver, ECCSI verifier)", 1, 1},
    {NULL, NULL, 0, 0},
};

static const sg17_config_key_t config_keys[] = {
    {"period_length", SG17_TYPE_DURATION, "1h",
     "virtual time of one key period (one month of identity labels)"},
    {"start_period", SG17_TYPE_STRING, "2026-01", "identity label of period 0, YYYY-MM"},
    {"freshness_window", SG17_TYPE_DURATION, "30s",
     "accepted |now - timestamp| of a D.1 message (replay_cache)"},
    {"app_interval", SG17_TYPE_DURATION, "1min",
     "time between two application messages of a device"},
    {"d1_signed", SG17_TYPE_BOOL, "true",
     "devices ECCSI-sign their D.1 message; false: SAKKE-only transport whose integrity rests on "
     "RFC 6508 §6.2.2"},
    {"cross_domain_trust", SG17_TYPE_BOOL, "false",
     "the gateway trusts kms-1's domain (8.2) as well as its own"},
    {"revoked", SG17_TYPE_STRING, "",
     "devices the operator revokes at revoke_at, e.g. \"3\" or \"1,4\""},
    {"revoke_at", SG17_TYPE_DURATION, "0", "when the revocation order reaches the KMS"},
    {NULL, 0, NULL, NULL},
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
     sig_reqs, true},
    {"identity_period_check",
     "the gateway derives the expected identity from the claimed device and the current period and "
     "requires it; off: it verifies against the identity the message carries",
     id_reqs, true},
    {"replay_cache",
     "the gateway checks the D.1 timestamp window, its nonce cache and outstanding challenges; "
     "off: no freshness check",
     replay_reqs, true},
    {"sakke_validation",
     "the gateway recomputes r and checks [r]([b]P+Z) == R (RFC 6508 §6.2.2); off: it uses the "
     "unmasked SSV as is",
     sakke_reqs, true},
    {"key_validation",
     "a device checks delivered keys (RFC 6507 §5.1.2, RFC 6508 §6.1.2); off (the default, as "
     "stacks that trust their provisioning channel): it installs whatever decrypts",
     keyval_reqs, false},
    {"param_authenticity",
     "public parameters must carry the ECDSA signature of the KMS root key pinned at "
     "initialisation; off: unsigned KPAK/Z are accepted",
     param_reqs, true},
    {"revocation",
     "the KMS refuses keys for periods after a device's revocation (C.5); off: revocation orders "
     "are not enforced at key issue",
     revoke_reqs, true},
    {"point_validation",
     "received points are checked before use: PVT on P-256, RSK, Z and R on E and of order q; off: "
     "stored and used unchecked",
     point_reqs, true},
    {"domain_rekey",
     "the KMS draws new master secrets (KSAK, z) for every key period and publishes them signed; "
     "off: one master secret for the domain's lifetime",
     rekey_reqs, false},
    {NULL, NULL, NULL, false},
};

static const sg17_param_t forge_params[] = {
    {"device", SG17_TYPE_COUNT, false, "device index to impersonate (default 0)"},
    {"count", SG17_TYPE_COUNT, false, "D.1 messages to inject (default 1)"},
    {"with", SG17_TYPE_STRING, false,
     "random (default: a key pair from the adversary's own master) or master (the stolen one)"},
    {NULL, 0, false, NULL},
};
static const sg17_param_t subst_params[] = {
    {"as", SG17_TYPE_COUNT, true, "device index claimed"},
    {"key_of", SG17_TYPE_COUNT, true, "compromised device whose keys sign"},
    {"count", SG17_TYPE_COUNT, false, "messages (default 1)"},
    {NULL, 0, false, NULL},
};
static const sg17_param_t revoked_params[] = {
    {"device", SG17_TYPE_COUNT, true, "compromised device whose stale keys are used"},
    {"count", SG17_TYPE_COUNT, false, "messages (default 1)"},
    {NULL, 0, false, NULL},
};
static const sg17_param_t rogue_keys_params[] = {
    {"device", SG17_TYPE_COUNT, true, "device whose transport key the rogue KMS holds"},
    {"key", SG17_TYPE_STRING, false, "ssk (default) or rsk: which key is for another identity"},
    {NULL, 0, false, NULL},
};
static const sg17_param_t invalid_point_params[] = {
    {"device", SG17_TYPE_COUNT, true, "device whose transport key the rogue KMS holds"},
    {"point", SG17_TYPE_STRING, false,
     "pvt (default: off the curve) or rsk (the order-2 point (0,0))"},
    {NULL, 0, false, NULL},
};
static const sg17_param_t rogue_params_params[] = {
    {"target", SG17_TYPE_ENTITY, false, "receiver of the fake parameters (default gateway-0)"},
    {"kms", SG17_TYPE_COUNT, false, "domain impersonated (default 0)"},
    {"forge", SG17_TYPE_COUNT, false, "D.1 messages then forged under the fake KPAK (default 3)"},
    {NULL, 0, false, NULL},
};
static const sg17_param_t master_params[] = {
    {"kms", SG17_TYPE_COUNT, false, "domain whose master secrets are stolen (default 0)"},
    {"forge", SG17_TYPE_BOOL, false,
     "authenticate as every device of the domain at once (default true)"},
    {"capture", SG17_TYPE_STRING, false, "captured D.1 messages to decrypt with the stolen z"},
    {NULL, 0, false, NULL},
};

static const sg17_attack_t attacks[] = {
    {"forge_signature",
     "D.1 messages in a device's identity signed with a key the adversary made up (or derived from "
     "a stolen master)",
     NULL, forge_params},
    {"substitute_identity",
     "claim one device while signing with another (compromised) device's identity", NULL,
     subst_params},
    {"use_revoked_identity",
     "after roll-over, authenticate with the keys of a revoked device's past period", NULL,
     revoked_params},
    {"rogue_kms_keys",
     "a rogue KMS with the device's transport key pushes keys that do not belong to its identity",
     NULL, rogue_keys_params},
    {"invalid_point", "a rogue KMS pushes keys with an off-curve PVT or a small-order RSK", NULL,
     invalid_point_params},
    {"rogue_params", "fake KPAK and Z in a C.3 answer, then D.1 messages forged under them", NULL,
     rogue_params_params},
    {"kms_master_compromise", "steal a KMS's KSAK and z: keys for every identity of the domain",
     NULL, master_params},
    {NULL, NULL, NULL, NULL},
};

static const sg17_metric_t metrics[] = {
    {"gateway.sessions", "D.1 messages the gateway accepted"},
    {"gateway.sessions.*", "accepted D.1 messages per claimed device (gateway.sessions.device-3)"},
    {"gateway.app_data", "application messages the gateway accepted"},
    {"gateway.challenges", "re-authentication challenges sent"},
    {"gateway.d1_rejected", "D.1 messages the gateway rejected"},
    {"device.keys_installed", "key deliveries devices installed"},
    {"device.keys_rejected", "key deliveries devices refused (key_validation, point_validation)"},
    {"device.keyless", "authentications skipped for want of keys or parameters"},
    {"device.sign_failures", "D.1 messages a device could not produce with its installed keys"},
    {"device.d1_sent", "D.1 messages devices sent"},
    {"device.app_sent", "application messages devices sent"},
    {"kms.keys_issued", "key deliveries the KMSs issued"},
    {"kms.refused", "key requests refused for revocation"},
    {"kms.rekeys", "master-secret re-keys"},
    {"params.rejected", "parameter answers refused for a bad root signature"},
    {"attacker.d1_injected", "D.1 messages the adversary injected"},
    {"attacker.session_keys_recovered",
     "captured D.1 SSVs the adversary decapsulated with a stolen z"},
    {NULL, NULL},
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

const sg17_module_t sg17_module = {
    .abi = SG17_MODULE_ABI_VERSION,
    .name = "ibc",
    .recommendation = "X.1365",
    .title = "Identity-based cryptography for IoT (ECCSI signatures, SAKKE key transport)",
    .version = "0.2.0",
    .catalogue = "requirements.yaml",

    .entity_kinds = entity_kinds, /* kms, device, gateway */
    .config = config_keys,
    .mitigations = mitigations,
    .attacks = attacks,
    .metrics = metrics,
    .reasons = reasons,
    .message_types = message_types,
    .tools = ibc_tools, /* eccsi-keys/sign/verify, sakke-keys/encap/decap */

    .create = ibc_create,
    .destroy = ibc_destroy,
    .start = ibc_start,
    .on_message = ibc_on_message,
    .on_timer = ibc_on_timer,
    .on_attack = ibc_attack,
    .on_compromise = ibc_compromise,
    .finish = NULL,
};
