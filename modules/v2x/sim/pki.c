/* pki.c — the vehicular PKI of X.1372 9.4 / Appendix II (the ETSI TS 102 941 model): a root CA,
 * an enrolment authority and an authorization authority, and the misbehaviour authority.
 * With `pki: preloaded` enrolment and the AT requests happen before the run (each vehicle starts
 * with a pool of authorization tickets and an encryption certificate, all issued by the AA); with
 * `pki: bus` they happen over the bus at the start of the run (enrol.c). During the run the
 * MA collects misbehaviour reports and, once `report_threshold` reporters accuse one AT, asks the
 * AA to revoke; the AA revokes every AT it issued to that vehicle and publishes a signed CRL,
 * which the RSUs rebroadcast (or, without RSUs, the AA sends to every vehicle over the cellular
 * link). The CRL is IEEE 1609.2's hash-based CrlContents (crl.c). */
#include <stdlib.h>
#include <string.h>

#include "sim/v2x_sim.h"

#define YEAR (365 * 24 * 3600 * VSIM_S)

/* A CA certificate; with `enc`, its key is also its encryption key (pki: bus: the EA and AA
 * receive requests encrypted to them). */
static int issue_ca(vsim_t *s, sg17_ctx_t *ctx, const char *name, const vsim_signer_t *issuer,
                    bool enc, vsim_signer_t *out)
{
    static const uint64_t psids[] = {V2X_PSID_CRL}; /* a CA signs CRLs */
    vsim_issue_t p = {.name = name,
                      .issuer = issuer,
                      .ca = true,
                      .from = -YEAR,
                      .to = 5 * YEAR,
                      .psids = psids,
                      .n_psids = 1,
                      .enc_key = enc};
    return vsim_signer_issue(s, ctx, &p, out);
}

int vsim_pki_setup(vsim_t *s, sg17_ctx_t *ctx)
{
    if (issue_ca(s, ctx, "sg17tb root ca", NULL, false, &s->root) != 0
        || issue_ca(s, ctx, "sg17tb ea", &s->root, s->pki_bus, &s->ea_s) != 0
        || issue_ca(s, ctx, "sg17tb aa", &s->root, s->pki_bus, &s->aa_s) != 0)
        return -1;
    static const uint64_t ma_psids[] = {V2X_PSID_MISBEHAVIOR};
    vsim_issue_t ma = {.name = "sg17tb ma",
                       .issuer = &s->root,
                       .from = -YEAR,
                       .to = YEAR,
                       .psids = ma_psids,
                       .n_psids = 1};
    if (vsim_signer_issue(s, ctx, &ma, &s->ma_s) != 0)
        return -1;
    double cx = s->grid ? s->grid_w / 2 : 0, cy = cx;
    /* the adversary's defective ATs (attacks.c keeps them); one was revoked before the run */
    vsim_signer_t revoked; /* its certificate only, no key */
    if (vsim_adversary_provision(s, ctx, &revoked) != 0)
        return -1;
    if (vsim_crl_revoke(s, &revoked) != 0) /* every CRL lists it */
        return -1;
    for (unsigned i = 0; i < s->n_veh; i++) {
        vsim_vehicle_t *v = &s->veh[i];
        bool platoon = i <= (unsigned)s->cfg.platoon_joiners;
        uint64_t psids[] = {V2X_PSID_CAM, V2X_PSID_DENM, V2X_PSID_MISBEHAVIOR, VSIM_PSID_PLATOON};
        /* every AT names the platooning service; only a joiner's grants the join bit */
        uint8_t ssps[] = {0, 0, 0, platoon ? VSIM_SSP_PLATOON : 0};
        vsim_issue_t at = {.issuer = &s->aa_s,
                           .from = -60 * VSIM_S,
                           .to = 24 * 3600 * VSIM_S,
                           .region = s->cfg.region_size > 0,
                           .cx = cx,
                           .cy = cy,
                           .half = s->cfg.region_size,
                           .psids = psids,
                           .ssps = ssps,
                           .n_psids = 4};
        for (unsigned k = 0; !s->pki_bus && k < v->n_pool; k++)
            if (vsim_signer_issue(s, ctx, &at, &v->pool[k]) != 0)
                return -1;
        if (s->cfg.emergency_vehicles == 0)
            continue; /* encryption certificates serve the emergency warnings only */
        vsim_issue_t enc = at;
        enc.n_psids = 1;
        enc.psids = psids + 1;
        enc.ssps = NULL;
        enc.enc_key = true;
        if (vsim_signer_issue(s, ctx, &enc, &v->enc) != 0)
            return -1;
    }
    return 0;
}

/* ---- misbehaviour reports ---- */

void vsim_report_misbehaviour(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *r, vsim_peer_t *peer,
                              const sg17_msg_t *evidence)
{
    uint8_t body[8 + V2X_SPDU_MAX], spdu[V2X_SPDU_MAX + 512];
    if (r->n_pool == 0)
        return; /* pki: bus, not authorized yet */
    size_t ev = evidence->len > V2X_SPDU_MAX ? V2X_SPDU_MAX : evidence->len, len = 0;
    sg17_store_be64(body, peer->hid);
    memcpy(body + 8, evidence->payload, ev);
    double x, y, sp, hd;
    sg17_time_t now = sg17_now(ctx);
    vsim_vehicle_state(s, r, now, &x, &y, &sp, &hd);
    if (vsim_sign(s, &r->pool[r->current], V2X_PSID_MISBEHAVIOR, now, x, y, body, 8 + ev, true,
                  spdu, sizeof spdu, &len)
        != 0)
        return;
    sg17_send(ctx, r->e, s->ma, "v2x.mbr", spdu, len);
    sg17_metric_add(ctx, "mbd.reports", 1);
}

/* The MA: a report counts when its signature, chain and PSID check out and its evidence is an
 * SPDU signed by the accused AT. At the threshold it asks the AA (signed, MA certificate). */
void vsim_ma_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    vsim_t *s = instance;
    vsim_rx_t rx, ev;
    if (strcmp(m->type, "v2x.mbr") != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    sg17_time_t now = sg17_now(ctx);
    const char *why = vsim_secure_receive(s, m->payload, m->len, V2X_PSID_MISBEHAVIOR, now,
                                          s->n_crl, NULL, NULL, &rx);
    if (!why && (rx.spdu.content != V2X_CONTENT_SIGNED || rx.spdu.payload_len < 9))
        why = "malformed";
    uint64_t suspect = 0;
    if (!why) {
        suspect = sg17_load_be64(rx.spdu.payload);
        if (v2x_spdu_decode(rx.spdu.payload + 8, rx.spdu.payload_len - 8, &ev.spdu) != 0
            || ev.spdu.content != V2X_CONTENT_SIGNED || vsim_hid(ev.spdu.digest) != suspect)
            why = "malformed";
    }
    if (why) {
        sg17_reject(ctx, m, why);
        return;
    }
    sg17_accept(ctx, m);
    sg17_metric_add(ctx, "ma.reports", 1);
    vsim_mbr_t *e = NULL;
    for (unsigned i = 0; i < s->n_mbr; i++)
        if (s->mbr[i].suspect == suspect)
            e = &s->mbr[i];
    if (!e) {
        vsim_mbr_t *n = realloc(s->mbr, (s->n_mbr + 1) * sizeof *n);
        if (!n)
            return;
        s->mbr = n;
        e = &s->mbr[s->n_mbr++];
        *e = (vsim_mbr_t){.suspect = suspect};
    }
    e->reporters++;
    if (e->requested || e->reporters < (unsigned)s->cfg.report_threshold)
        return;
    e->requested = true;
    uint8_t spdu[V2X_SPDU_MAX], body[8];
    size_t len = 0;
    sg17_store_be64(body, suspect);
    if (vsim_sign(s, &s->ma_s, V2X_PSID_MISBEHAVIOR, now, 0, 0, body, sizeof body, true, spdu,
                  sizeof spdu, &len)
        == 0)
        sg17_send(ctx, s->ma, s->aa, "v2x.revoke", spdu, len);
}

/* ---- the AA: revocation and the CRL (crl.c) ---- */

void vsim_aa_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    vsim_t *s = instance;
    sg17_time_t now = sg17_now(ctx);
    vsim_rx_t rx;
    if (strcmp(m->type, "v2x.at_request") == 0 || strcmp(m->type, "v2x.av_response") == 0) {
        vsim_enrol_aa_on_message(s, ctx, m);
        return;
    }
    if (strcmp(m->type, "v2x.revoke") != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    const char *why = vsim_secure_receive(s, m->payload, m->len, V2X_PSID_MISBEHAVIOR, now,
                                          s->n_crl, NULL, NULL, &rx);
    if (!why && (rx.spdu.content != V2X_CONTENT_SIGNED || rx.signer != s->ma_s.hid))
        why = "unauthorised";
    if (!why && rx.spdu.payload_len != 8)
        why = "malformed";
    if (why) {
        sg17_reject(ctx, m, why);
        return;
    }
    sg17_accept(ctx, m);
    uint64_t suspect = sg17_load_be64(rx.spdu.payload);
    for (unsigned i = 0; i < s->n_veh; i++) {
        vsim_vehicle_t *v = &s->veh[i];
        bool owner = false;
        for (unsigned k = 0; k < v->n_pool; k++)
            owner |= v->pool[k].hid == suspect;
        if (!owner)
            continue;
        for (unsigned k = 0; k < v->n_pool; k++)
            (void)vsim_crl_revoke(s, &v->pool[k]);
        sg17_metric_add(ctx, "aa.revoked_vehicles", 1);
        vsim_truth_revocation(s->truth, i, now);
    }
    uint8_t spdu[V2X_SPDU_MAX + (V2X_HASHEDID10 + 4) * VSIM_MAX_CRL];
    size_t len = 0;
    if (vsim_crl_build(s, now, spdu, sizeof spdu, &len) != 0)
        return;
    for (unsigned k = 0; k < s->n_rsu; k++)
        sg17_send(ctx, s->aa, s->rsu[k], "v2x.crl", spdu, len);
    if (s->n_rsu == 0) {
        for (unsigned i = 0; i < s->n_veh; i++)
            s->dsts[i] = s->veh[i].e;
        vsim_radio_send(s, ctx, s->aa, s->n_veh, "v2x.crl", spdu, len);
    }
}

/* The root CA takes no messages during the run (the EA's handler is in enrol.c). */
void vsim_ca_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    (void)instance;
    sg17_reject(ctx, m, "malformed");
}
