/* test_sim.c — the ibc system under test: shipped scenarios run in process (baseline versus
 * protected metrics, every message reported, same seed same metrics), and the checks the entities
 * rely on: wire formats, the transport-key and root-key protections, the RFC 6508 §6.1.2 and
 * §6.2.2 checks with and without the insecure options. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sg17tb/wire.h>

#include "crypto/eccsi.h"
#include "crypto/sakke.h"
#include "engine/engine.h"
#include "engine/loader.h"
#include "scenario/scenario.h"
#include "scenario_run.h"
#include "sim/ibc_sim.h"

/* ---- in-process scenario runs ---- */

static json_t *run_file(const char *name)
{
    return run_module_scenario("ibc", name);
}

Test(ibc_scenarios, forged_signature_accepted_without_verification_rejected_with_it)
{
    json_t *e = run_file("forged-signature.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.injected.ibc.d1_auth"), 5);
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.injected.ibc.app_data"), 5);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.injected.ibc.d1_auth"), 0);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.signature"), 5);
    assert_all_reported(e);
    cr_assert_eq(metric(e, "baseline", "kms.keys_issued"), 5); /* 4 devices and the gateway */
    cr_assert_eq(metric(e, "protected", "kms.keys_issued"), 5);
    json_decref(e);
}

Test(ibc_scenarios, replay_of_a_one_pass_message_needs_the_replay_cache)
{
    json_t *e = run_file("replay-one-pass.yaml");
    cr_assert_str_eq(verdict(e), "holds");
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.replayed.ibc.d1_auth"), 2);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.replay"), 2);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.genuine.ibc.app_data"),
                 metric(e, "protected", "ledger.delivered.genuine.ibc.app_data"));
    json_decref(e);
}

Test(ibc_scenarios, same_seed_gives_the_same_metrics)
{
    json_t *a = run_file("tampered-sed.yaml"), *b = run_file("tampered-sed.yaml");
    for (int r = 0; r < 2; r++) {
        const char *run = r ? "protected" : "baseline";
        json_t *ma = json_object_get(json_object_get(json_object_get(a, "runs"), run), "metrics");
        const char *k;
        json_t *v;
        json_object_foreach(ma, k, v)
        {
            if (strncmp(k, "cost.", 5) != 0)
                cr_assert_eq(json_number_value(v), metric(b, run, k), "%s %s differs", run, k);
        }
    }
    cr_assert_eq(metric(a, "baseline", "ledger.accepted.modified.ibc.d1_auth"), 1);
    cr_assert_eq(metric(a, "protected", "ledger.rejected.reason.sakke"), 1);
    json_decref(a);
    json_decref(b);
}

Test(ibc_scenarios, master_secret_compromise_fails_even_with_signature_checks)
{
    json_t *e = run_file("kms-master-compromise.yaml");
    cr_assert_str_eq(verdict(e), "fails");
    cr_assert_eq(metric(e, "protected", "ledger.accepted.injected.ibc.d1_auth"),
                 3); /* devices 0, 2, 4 */
    cr_assert_eq(metric(e, "protected", "attacker.session_keys_recovered"), 6);
    json_decref(e);
}

Test(ibc_scenarios, rekey_still_bounds_a_stolen_master_after_the_eighth_period)
{
    /* eleven periods: the master stolen in period 8 must not sign in period 10 (the KMS used to
     * stop re-keying after 7 re-keys and reuse its 8th master set from then on) */
    json_t *e = run_file("domain-rekey-long-run.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.injected.ibc.d1_auth"), 3);
    cr_assert_eq(metric(e, "baseline", "kms.rekeys"), 0);
    cr_assert_eq(metric(e, "protected", "kms.rekeys"), 10);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.injected.ibc.d1_auth"), 0);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.signature"), 3);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.genuine.ibc.d1_auth"),
                 metric(e, "protected", "ledger.delivered.genuine.ibc.d1_auth"));
    assert_all_reported(e);
    json_decref(e);
}

/* ---- attack parameters ---- */

extern const sg17_module_t sg17_module;

/* A scenario whose one action is `action` (flow map) at 5 min, 4 devices. */
static int parse_action(const char *action, sg17_err_t *err)
{
    char yaml[1024];
    int n = snprintf(yaml, sizeof yaml,
                     "id: ibc/params\ntitle: t\nmodule: ibc\nrequirements: [X1365-8.5]\n"
                     "duration: 10min\ntopology: {kms: 1, device: 4, gateway: 1}\n"
                     "mitigations: []\n"
                     "adversary: {capabilities: [forge_signature, substitute_identity, "
                     "rogue_params, kms_master_compromise]}\n"
                     "actions:\n  - at: 5min\n    %s\n"
                     "success:\n  - ledger.accepted.injected.ibc.d1_auth > 0\n",
                     action);
    cr_assert(n > 0 && (size_t)n < sizeof yaml);
    sg17_registry_t reg = sg17_loader_registry();
    sg17_scenario_t *list = NULL;
    size_t count = 0;
    int rc = sg17_scenario_parse(yaml, (size_t)n, "s.yaml", &reg, &list, &count, err);
    sg17_scenarios_free(list, count);
    return rc;
}

Test(ibc_attacks, a_negative_count_is_refused_at_parse_time)
{
    sg17_err_t err = {{0}};
    const char *msg = err.msg;
    cr_assert_eq(parse_action("forge_signature: {device: 1, count: -1}", &err), -1);
    cr_assert(strstr(msg, "s.yaml:") == msg, "no file:line:col in '%s'", msg);
    cr_assert(strstr(msg, "actions[0].forge_signature.count: -1 is out of range"), "%s", msg);
    cr_assert_eq(parse_action("substitute_identity: {as: -1, key_of: 3}", &err), -1);
    cr_assert(strstr(msg, "substitute_identity.as: -1 is out of range"), "%s", msg);
    cr_assert_eq(parse_action("rogue_params: {kms: 0, forge: -2}", &err), -1);
    cr_assert(strstr(msg, "rogue_params.forge: -2 is out of range"), "%s", msg);
    cr_assert_eq(parse_action("forge_signature: {device: 1, count: 2}", &err), 0, "%s", msg);
}

Test(ibc_attacks, counts_and_indexes_beyond_the_declared_maxima_are_refused_at_parse_time)
{
    /* issue 14: forge_signature accepted count: 1e9 and scheduled a billion injections */
    sg17_err_t err = {{0}};
    const char *msg = err.msg;
    cr_assert_eq(parse_action("forge_signature: {device: 1, count: 1000000000}", &err), -1);
    cr_assert(strstr(msg, "forge_signature.count"), "%s", msg);
    cr_assert_eq(parse_action("forge_signature: {device: 1, count: 1000}", &err), 0, "%s", msg);
    cr_assert_eq(parse_action("kms_master_compromise: {kms: 2}", &err), -1);
    cr_assert(strstr(msg, "kms_master_compromise.kms"), "%s", msg);
    cr_assert_eq(parse_action("substitute_identity: {as: 512, key_of: 3}", &err), -1);
    cr_assert(strstr(msg, "substitute_identity.as"), "%s", msg);
}

Test(ibc_attacks, every_count_parameter_declares_a_maximum)
{
    for (const sg17_attack_t *a = sg17_module.attacks; a->name; a++) {
        cr_assert_not_null(a->run, "%s has no handler", a->name);
        for (const sg17_param_t *p = a->params; p && p->name; p++)
            if (p->type == SG17_TYPE_COUNT)
                cr_assert(p->range.max > p->range.min && p->range.max <= 1000, "%s.%s: [%g, %g]",
                          a->name, p->name, p->range.min, p->range.max);
    }
}

Test(ibc_descriptor, the_per_device_session_family_is_named_by_device)
{
    const sg17_metric_t *family = NULL;
    for (const sg17_metric_t *m = sg17_module.metrics; m->name; m++)
        if (strcmp(m->name, "gateway.sessions.*") == 0)
            family = m;
    cr_assert_not_null(family);
    cr_assert_str_eq(family->member_kind, "device");
}

Test(ibc_descriptor, every_config_key_and_mitigation_binds_inside_the_config_struct)
{
    for (const sg17_config_key_t *k = sg17_module.config; k->name; k++)
        cr_assert_lt(k->offset, sg17_module.config_size, "%s", k->name);
    for (const sg17_mitigation_t *m = sg17_module.mitigations; m->name; m++)
        cr_assert_leq(m->offset + sizeof(bool), sg17_module.config_size, "%s", m->name);
    cr_assert_eq(sg17_module.config_size, sizeof(ibc_config_t));
}

Test(ibc_attacks, every_count_or_index_parameter_is_declared_a_count)
{
    /* only entity, string and bool parameters may be anything but SG17_TYPE_COUNT: every other
     * number the attacks take sizes a loop or indexes an array */
    for (const sg17_attack_t *a = sg17_module.attacks; a->name; a++)
        for (const sg17_param_t *p = a->params; p && p->name; p++)
            cr_assert(p->type == SG17_TYPE_COUNT || p->type == SG17_TYPE_ENTITY
                          || p->type == SG17_TYPE_STRING || p->type == SG17_TYPE_BOOL,
                      "%s.%s is neither a count nor an entity, string or bool", a->name, p->name);
}

Test(ibc_attacks, an_index_outside_the_topology_fails_the_run_naming_the_parameter)
{
    static const struct {
        const char *action, *want;
    } cases[] = {
        {"forge_signature: {device: 4}",
         "attack 'forge_signature' failed: parameter 'device' is 4, out of range: the topology "
         "has 4 device entities (device-0 .. device-3)"},
        {"substitute_identity: {as: 0, key_of: 9}",
         "attack 'substitute_identity' failed: parameter 'key_of' is 9, out of range"},
        {"rogue_params: {kms: 1}",
         "attack 'rogue_params' failed: parameter 'kms' is 1, out of range"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[1024];
        int n = snprintf(yaml, sizeof yaml,
                         "id: ibc/index\ntitle: t\nmodule: ibc\nrequirements: [X1365-8.5]\n"
                         "duration: 10min\ntopology: {kms: 1, device: 4, gateway: 1}\n"
                         "mitigations: []\n"
                         "adversary: {capabilities: [forge_signature, substitute_identity, "
                         "rogue_params, kms_master_compromise]}\n"
                         "actions:\n  - at: 1min\n    %s\n"
                         "success:\n  - ledger.accepted.injected.ibc.d1_auth > 0\n",
                         cases[i].action);
        json_t *e = run_scenario_yaml(yaml, (size_t)n, "s.yaml");
        const char *why = json_string_value(json_object_get(e, "error"));
        cr_assert_str_eq(verdict(e), "error", "%s", cases[i].action);
        cr_assert(why && strstr(why, cases[i].want), "%s: error '%s'", cases[i].action,
                  why ? why : "(none)");
        json_decref(e);
    }
}

/* ---- entity checks ---- */

static const uint8_t tkey[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t iv[12] = {9, 9, 9};

Test(ibc_wire, key_request_gmac_binds_device_and_period)
{
    uint8_t req[IBC_KEY_REQUEST_BYTES], other[16];
    uint16_t dev;
    int64_t p;
    cr_assert_eq(ibc_key_request_encode(tkey, 7, 3, iv, req), 0);
    cr_assert_eq(ibc_key_request_decode(req, sizeof req, &dev, &p), 0);
    cr_assert(dev == 7 && p == 3);
    cr_assert_eq(ibc_key_request_verify(tkey, req, sizeof req), 0);
    req[1] ^= 1; /* claims device 6 */
    cr_assert_eq(ibc_key_request_verify(tkey, req, sizeof req), -1);
    req[1] ^= 1;
    memcpy(other, tkey, 16);
    other[0] ^= 0x80;
    cr_assert_eq(ibc_key_request_verify(other, req, sizeof req), -1);
    cr_assert_eq(ibc_key_request_decode(req, sizeof req - 1, &dev, &p), -1);
}

/* The C.4 key request is a GMAC: AES-GCM with no plaintext and no ciphertext buffer (ct NULL).
 * The sanitizer build (`cmake --preset asan`, -fsanitize=undefined; with clang its
 * pointer-overflow check reports "applying zero offset to null pointer") runs this path: no
 * offset may be formed from the NULL ct, and the tag must still bind the header. */
Test(ibc_wire, gmac_with_a_null_ciphertext_buffer_is_defined_and_binds_the_aad)
{
    const uint8_t key[16] = {1, 2, 3}, nonce[12] = {4, 5, 6}, aad[6] = {0, 7, 0, 0, 0, 3};
    uint8_t tag[16], tag2[16], bad[6];
    cr_assert_eq(ibc_gcm_seal(key, nonce, aad, sizeof aad, NULL, 0, NULL, tag), 0);
    cr_assert_eq(ibc_gcm_open(key, nonce, aad, sizeof aad, NULL, 0, tag, NULL), 0);
    cr_assert_eq(ibc_gcm_seal(key, nonce, aad, sizeof aad, NULL, 0, NULL, tag2), 0);
    cr_assert_arr_eq(tag, tag2, 16, "GMAC is deterministic for one key, IV and AAD");
    memcpy(bad, aad, sizeof bad);
    bad[1] ^= 1;
    cr_assert_eq(ibc_gcm_open(key, nonce, bad, sizeof bad, NULL, 0, tag, NULL), -1);
    /* and through the key-request encoder, the path the gateway and every device take */
    uint8_t req[IBC_KEY_REQUEST_BYTES];
    cr_assert_eq(ibc_key_request_encode(key, 7, 3, nonce, req), 0);
    cr_assert_eq(ibc_key_request_verify(key, req, sizeof req), 0);
}

Test(ibc_wire, key_delivery_round_trips_and_rejects_any_flipped_bit)
{
    ibc_keys_t k, back;
    memset(&k, 0x5a, sizeof k);
    memset(&back, 0, sizeof back);
    uint8_t out[IBC_KEY_DELIVERY_BYTES];
    cr_assert_eq(ibc_key_delivery_encode(tkey, 2, 5, iv, &k, out), 0);
    cr_assert_eq(ibc_key_delivery_open(tkey, out, sizeof out, &back), 0);
    cr_assert_eq(memcmp(back.ssk, k.ssk, ECCSI_N), 0);
    cr_assert_eq(memcmp(back.rsk, k.rsk, SAKKE_POINT_BYTES), 0);
    for (size_t i = 0; i < sizeof out; i += 37) {
        out[i] ^= 0x10;
        cr_assert_eq(ibc_key_delivery_open(tkey, out, sizeof out, &back), -1, "bit at %zu", i);
        out[i] ^= 0x10;
    }
}

Test(ibc_wire, params_signature_is_the_pinned_root_keys)
{
    uint8_t root[32] = {0x11}, rogue[32] = {0x22}, pub[ECCSI_POINT_BYTES], kpak[ECCSI_POINT_BYTES];
    uint8_t zpub[SAKKE_POINT_BYTES] = {4}, out[IBC_PARAMS_MAX];
    size_t len;
    ibc_params_msg_t m;
    root[31] = rogue[31] = 1;
    cr_assert_eq(ibc_ecdsa_pub(root, pub), 0);
    cr_assert_eq(eccsi_kms_kpak(rogue, kpak), 0);
    cr_assert_eq(ibc_params_encode(root, 1, 4, kpak, zpub, out, &len), 0);
    cr_assert_eq(ibc_params_decode(out, len, &m), 0);
    cr_assert(m.kms == 1 && m.period == 4 && memcmp(m.kpak, kpak, sizeof kpak) == 0);
    cr_assert_eq(ibc_ecdsa_verify(pub, m.signed_part, m.signed_len, m.sig, m.sig_len), 0);
    out[10] ^= 1; /* another KPAK */
    cr_assert_eq(ibc_ecdsa_verify(pub, m.signed_part, m.signed_len, m.sig, m.sig_len), -1);
    out[10] ^= 1;
    cr_assert_eq(ibc_params_encode(rogue, 1, 4, kpak, zpub, out, &len), 0);
    cr_assert_eq(ibc_params_decode(out, len, &m), 0);
    cr_assert_eq(ibc_ecdsa_verify(pub, m.signed_part, m.signed_len, m.sig, m.sig_len), -1);
    cr_assert_eq(ibc_params_decode(out, len - 1, &m), -1);
}

Test(ibc_wire, d1_is_a_mikey_sakke_i_message_and_the_decoder_refuses_what_does_not_fit)
{
    uint8_t sed[SAKKE_SED_BYTES] = {4}, nonce[16] = {1, 2, 3, 4}, ch[16] = {0}, out[IBC_D1_MAX];
    static const uint8_t id[] = "2026-01\0urn:dev:sg17tb:device-1";
    static const uint8_t gw[] = "2026-01\0urn:dev:sg17tb:gateway-0";
    const uint64_t epoch = 3976214400u; /* 2026-01-01 in NTP seconds */
    ibc_d1_t d = {.sed = sed,
                  .ts = 1234,
                  .nonce = nonce,
                  .challenge = ch,
                  .kms = 1,
                  .id = id,
                  .id_len = sizeof id,
                  .responder = gw,
                  .responder_len = sizeof gw},
             m;
    size_t n = ibc_d1_encode_body(&d, epoch, false, out);
    cr_assert_gt(n, 0);
    cr_assert_eq(out[0], 1, "MIKEY version 1");
    cr_assert_eq(out[1], 26, "data type SAKKE");
    cr_assert_eq(sg17_load_be32(out + 4), 0x01020304u, "CSB ID: the RAND's first octets");
    cr_assert_eq(sg17_load_be32(out + 12), (uint32_t)epoch, "T: NTP seconds of virtual time 0");
    cr_assert_eq(ibc_d1_decode(out, n, epoch, false, &m), 0);
    cr_assert(m.ts == 1234 && m.kms == 1 && m.id_len == sizeof id && m.sig == NULL
              && m.signed_len == n && m.csb_id == 0x01020304u);
    cr_assert(memcmp(m.id, id, sizeof id) == 0 && memcmp(m.responder, gw, sizeof gw) == 0);
    cr_assert(memcmp(m.nonce, nonce, 16) == 0 && memcmp(m.sed, sed, sizeof sed) == 0);
    cr_assert(memcmp(m.challenge, ch, 16) == 0, "no extension: the zero challenge");
    cr_assert_eq(ibc_d1_decode(out, n, epoch, true, &m), -1, "the signature is missing");
    cr_assert_eq(ibc_d1_decode(out, n - 1, epoch, false, &m), -1);
    /* a month later the same T reads 31 days earlier than virtual time 0: an NTP era away */
    cr_assert_eq(ibc_d1_decode(out, n, epoch + 31 * 86400, false, &m), 0);
    cr_assert_gt(m.ts, 100ull * 365 * 86400 * SG17_SEC);
    /* signed: the SIGN header is inside what is signed, the signature right after it */
    size_t ns = ibc_d1_encode_body(&d, epoch, true, out);
    cr_assert_eq(ns, n + 2);
    cr_assert_eq(out[ns - 2] >> 4, 2, "S type ECCSI");
    memset(out + ns, 0x5a, ECCSI_SIG_BYTES);
    cr_assert_eq(ibc_d1_decode(out, ns + ECCSI_SIG_BYTES, epoch, true, &m), 0);
    cr_assert(m.sig == out + ns && m.signed_len == ns);
    cr_assert_eq(ibc_d1_decode(out, ns + ECCSI_SIG_BYTES, epoch, false, &m), -1);
    /* a challenge travels in the private general extension */
    ch[5] = 9;
    size_t nc = ibc_d1_encode_body(&d, epoch, false, out);
    cr_assert_eq(nc, n + 4 + 16);
    cr_assert_eq(ibc_d1_decode(out, nc, epoch, false, &m), 0);
    cr_assert(memcmp(m.challenge, ch, 16) == 0);
    /* an unknown KMS URI */
    d.kms = IBC_MAX_KMS;
    cr_assert_eq(ibc_d1_encode_body(&d, epoch, false, out), 0);
    d.kms = 0;
    n = ibc_d1_encode_body(&d, epoch, false, out);
    size_t at = 0;
    while (at + 5 <= n && memcmp(out + at, "kms-0", 5) != 0)
        at++;
    cr_assert_lt(at + 5, n, "IDRkmsi names kms-0");
    out[at + 4] = '7';
    cr_assert_eq(ibc_d1_decode(out, n, epoch, false, &m), -1);
}

Test(ibc_wire, app_data_under_another_key_does_not_open)
{
    uint8_t k1[16] = {1}, k2[16] = {2}, data[IBC_APP_PLAIN] = {7}, out[IBC_APP_BYTES];
    uint64_t seq = 0;
    cr_assert_eq(ibc_app_encode(k1, 42, data, out), 0);
    cr_assert_eq(ibc_app_open(k1, out, sizeof out, &seq), 0);
    cr_assert_eq(seq, 42);
    cr_assert_eq(ibc_app_open(k2, out, sizeof out, &seq), -1);
}

/* A small domain for the SAKKE checks: z, Z, the gateway's identity and RSK. */
static uint8_t z[20], zpub[SAKKE_POINT_BYTES], rsk[SAKKE_POINT_BYTES];
static const uint8_t gw[] = "2026-01\0urn:dev:sg17tb:gateway-0";

static void sakke_domain(void)
{
    for (size_t i = 0; i < sizeof z; i++)
        z[i] = (uint8_t)(0x5a ^ i);
    cr_assert_eq(sakke_kms_public_key(z, sizeof z, zpub), 0);
    cr_assert_eq(sakke_kms_rsk(z, sizeof z, gw, sizeof gw, rsk), 0);
}

Test(ibc_keys, rsk_validation_accepts_the_kms_key_and_refuses_others, .init = sakke_domain)
{
    uint8_t other[SAKKE_POINT_BYTES], two[SAKKE_POINT_BYTES] = {4};
    static const uint8_t dev[] = "2026-01\0urn:dev:sg17tb:device-0";
    cr_assert_eq(sakke_validate_rsk(zpub, sizeof zpub, gw, sizeof gw, rsk, sizeof rsk), 0);
    cr_assert_eq(sakke_kms_rsk(z, sizeof z, dev, sizeof dev, other), 0);
    cr_assert_eq(sakke_validate_rsk(zpub, sizeof zpub, gw, sizeof gw, other, sizeof other), -1);
    /* (0, 0) is on E (order 2) but not of order q: point validation refuses it */
    cr_assert_eq(sakke_point_check(two, sizeof two), -1);
    cr_assert_eq(sakke_validate_rsk(zpub, sizeof zpub, gw, sizeof gw, two, sizeof two), -1);
}

Test(ibc_keys, tampered_h_passes_only_without_the_6_2_2_check, .init = sakke_domain)
{
    uint8_t ssv[SAKKE_SSV_BYTES] = {1, 2, 3}, sed[SAKKE_SED_BYTES], got[SAKKE_SSV_BYTES];
    sakke_receiver_t *r = sakke_receiver_new(zpub, sizeof zpub, gw, sizeof gw, rsk, sizeof rsk);
    cr_assert_not_null(r);
    cr_assert_eq(sakke_encapsulate(zpub, sizeof zpub, gw, sizeof gw, ssv, sed), 0);
    cr_assert_eq(sakke_receiver_decapsulate_ex(r, sed, sizeof sed, got, 0), 0);
    cr_assert_eq(memcmp(got, ssv, sizeof ssv), 0);
    sed[SAKKE_SED_BYTES - 3] ^= 0x01; /* one bit of H */
    cr_assert_eq(sakke_receiver_decapsulate_ex(r, sed, sizeof sed, got, 0), -1);
    cr_assert_eq(sakke_receiver_decapsulate_ex(r, sed, sizeof sed, got, SAKKE_DECAP_NO_R_CHECK), 0);
    cr_assert_neq(memcmp(got, ssv, sizeof ssv), 0, "the unchecked receiver derives a wrong SSV");
    sakke_receiver_destroy(&r);
}

Test(ibc_keys, session_key_depends_on_every_input)
{
    uint8_t ssv[16] = {1}, nonce[16] = {2}, a[16], b[16];
    static const uint8_t id1[] = "2026-01\0a", id2[] = "2026-02\0a";
    cr_assert_eq(ibc_session_key(ssv, id1, sizeof id1, nonce, a), 0);
    cr_assert_eq(ibc_session_key(ssv, id2, sizeof id2, nonce, b), 0);
    cr_assert_neq(memcmp(a, b, 16), 0);
    nonce[0] ^= 1;
    cr_assert_eq(ibc_session_key(ssv, id1, sizeof id1, nonce, b), 0);
    cr_assert_neq(memcmp(a, b, 16), 0);
}

Test(ibc_keys, identity_labels_count_months_from_the_start_period)
{
    ibc_t s;
    memset(&s, 0, sizeof s);
    s.start_year = 2026;
    s.start_month = 11;
    uint8_t id[IBC_MAX_ID];
    static const char want[] =
        "2027-01\0urn:dev:sg17tb:device-3"; /* sizeof counts the final 0x00 */
    size_t n = ibc_identity(&s, 2, "device", 3, id);
    cr_assert_eq(n, sizeof want);
    cr_assert_eq(memcmp(id, want, n), 0);
}

Test(ibc_scenarios, a_flood_cannot_outrun_the_replay_cache)
{
    json_t *e = run_file("nonce-cache-outrun.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.replayed.ibc.d1_auth"), 1);
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.replayed.ibc.app_data"), 2);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.replayed"), 0);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.replayed.ibc.d1_auth"), 1);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.replayed.ibc.app_data"), 2);
    cr_assert_eq(metric(e, "protected", "attacker.d1_injected"), 24);
    assert_all_reported(e);
    json_decref(e);
}

Test(ibc_scenarios, a_malleated_signature_does_not_make_a_replay_new)
{
    json_t *e = run_file("malleated-replay.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_eq(metric(e, "baseline", "attacker.d1_malleated"), 1);
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.injected.ibc.d1_auth"), 1);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.injected.ibc.d1_auth"), 0);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.replay"), 1);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.signature"), 0);
    json_decref(e);
}
