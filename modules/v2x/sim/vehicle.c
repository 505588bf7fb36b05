/* vehicle.c — the OBU: it broadcasts CAMs (and, for an emergency vehicle, warnings), changes
 * pseudonyms by policy, asks to join a platoon, and as a receiver runs the checks of its stack:
 * the security checks of secure.c, then per sender the replay check and the local plausibility
 * checks of F2MD (range, speed, position and speed consistency, the proximity box, sudden
 * appearance, beacon frequency), reporting what it flags to the MA. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/v2x_sim.h"

static vsim_vehicle_t *vehicle_of(vsim_t *s, sg17_ctx_t *ctx, sg17_entity_t e)
{
    unsigned i = sg17_entity_index(ctx, e);
    return i < s->n_veh ? &s->veh[i] : NULL;
}

static uint64_t mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* ---- the per-sender table ---- */

static unsigned slot_of(uint64_t hid, unsigned cap)
{
    return (unsigned)(mix(hid) & (cap - 1));
}

static vsim_peer_t *peer_find(vsim_peers_t *t, uint64_t hid)
{
    if (!t->slot)
        return NULL;
    for (unsigned i = slot_of(hid, t->cap);; i = (i + 1) & (t->cap - 1)) {
        if (t->slot[i].hid == hid)
            return &t->slot[i];
        if (t->slot[i].hid == 0)
            return NULL;
    }
}

static vsim_peer_t *peer_add(vsim_peers_t *t, uint64_t hid)
{
    if ((t->used + 1) * 2 > t->cap) {
        unsigned nc = t->cap ? t->cap * 2 : 16;
        vsim_peer_t *n = calloc(nc, sizeof *n);
        if (!n)
            return NULL;
        for (unsigned i = 0; i < t->cap; i++)
            if (t->slot[i].hid) {
                unsigned j = slot_of(t->slot[i].hid, nc);
                while (n[j].hid)
                    j = (j + 1) & (nc - 1);
                n[j] = t->slot[i];
            }
        free(t->slot);
        t->slot = n, t->cap = nc;
    }
    unsigned j = slot_of(hid, t->cap);
    while (t->slot[j].hid)
        j = (j + 1) & (t->cap - 1);
    t->slot[j] = (vsim_peer_t){.hid = hid};
    t->used++;
    return &t->slot[j];
}

void vsim_peers_free(vsim_peers_t *t)
{
    free(t->slot);
    t->slot = NULL;
    t->cap = t->used = 0;
}

static bool peer_known(void *arg, uint64_t hid)
{
    vsim_peer_t *p = peer_find(arg, hid);
    return p && p->cert_known;
}

/* ---- sending ---- */

void vsim_vehicle_cam(const vsim_t *s, const vsim_vehicle_t *v, sg17_time_t t, vsim_cam_t *c)
{
    c->station = v->station;
    c->gen = t;
    vsim_vehicle_state(s, v, t, &c->x, &c->y, &c->speed, &c->heading);
}

/* The pseudonym change policy (ETSI TR 103 415 style): once `pseudonym_period` has passed and
 * `pseudonym_distance` been driven under the current AT, take the pool's next AT and a fresh
 * station id, and stay silent for a period drawn in [silent_period, 2 silent_period]. */
static void maybe_change_pseudonym(vsim_t *s, vsim_vehicle_t *v, sg17_time_t now)
{
    if (!s->cfg.pseudonym_change || v->n_pool < 2 || now < v->silent_until)
        return;
    double odo = vsim_vehicle_odometer(v, now);
    sg17_time_t period = s->cfg.pseudonym_period ? s->cfg.pseudonym_period : 1;
    if (now / period <= v->changed_at / period /* synchronised: at the next epoch of the period */
        || odo - v->odo_at_change < s->cfg.pseudonym_distance)
        return;
    v->current = (v->current + 1) % v->n_pool;
    uint64_t h = mix(s->loss_seed ^ ((uint64_t)v->index << 32) ^ now);
    v->station = (uint32_t)(h % 4000000000u) + 1000;
    v->changed_at = now;
    v->odo_at_change = odo;
    v->last_cert_sent = 0;
    v->cert_sent_once = false;
    sg17_time_t sp = s->cfg.silent_period;
    v->silent_until = now + sp + (sp ? (sg17_time_t)((h >> 20) % (sp + 1)) : 0);
    v->changed_at = v->silent_until;
}

static void send_cam(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v, sg17_time_t now)
{
    if (v->gone_at && now >= v->gone_at)
        return; /* broken down and towed away */
    maybe_change_pseudonym(s, v, now);
    if (now < v->silent_until)
        return;
    vsim_cam_t c;
    vsim_vehicle_cam(s, v, now, &c);
    double tx = c.x, ty = c.y; /* the antenna is where the vehicle really is */
    int mal = 0;
    if (sg17_compromised(ctx, v->e)) {
        mal = vsim_adversary_falsify(s, ctx, v->index, &c);
        if (mal < 0)
            return;
    }
    bool with_cert = !v->cert_sent_once || now - v->last_cert_sent >= s->cfg.cert_interval;
    uint8_t spdu[V2X_SPDU_MAX];
    size_t len = 0;
    if (vsim_cam_build(s, &v->pool[v->current], &c, with_cert, spdu, sizeof spdu, &len) != 0) {
        sg17_metric_add(ctx, "vehicle.build_failures", 1);
        return;
    }
    if (with_cert)
        v->last_cert_sent = now, v->cert_sent_once = true;
    if (mal > 0)
        vsim_truth_mark(s->truth, spdu, len);
    size_t n = vsim_radio_receivers(s, now, tx, ty, v->e, mix(v->index) ^ now, false);
    vsim_radio_send(s, ctx, v->e, n, "v2x.cam", spdu, len);
    v->cams_sent++;
    sg17_metric_add(ctx, "vehicle.cams_sent", 1);
}

/* X.1372 9.2: an emergency vehicle's warning, signed; with ecies_warnings one encryptedData per
 * neighbour (to its encryption certificate), else one broadcast anyone in range can read. */
static void send_warning(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v, sg17_time_t now)
{
    double x, y, sp, hd;
    vsim_vehicle_state(s, v, now, &x, &y, &sp, &hd);
    uint8_t pkt[512], spdu[V2X_SPDU_MAX], enc[V2X_SPDU_MAX];
    size_t plen = 0, len = 0, elen = 0;
    if (vsim_denm_packet(s, v->station, ++v->denm_seq, now, x, y, pkt, sizeof pkt, &plen) != 0
        || vsim_sign(s, &v->pool[v->current], V2X_PSID_DENM, now, x, y, pkt, plen, true, spdu,
                     sizeof spdu, &len)
               != 0) {
        sg17_metric_add(ctx, "vehicle.build_failures", 1);
        return;
    }
    size_t n = vsim_radio_receivers(s, now, x, y, v->e, mix(v->index + 77777) ^ now, false);
    sg17_metric_add(ctx, "vehicle.warnings_sent", 1);
    if (!s->cfg.ecies_warnings) {
        vsim_radio_send(s, ctx, v->e, n, "v2x.denm", spdu, len);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        vsim_vehicle_t *r = vehicle_of(s, ctx, s->dsts[i]);
        const v2x_cert_t *to = r ? vsim_signer_cert(s, &r->enc) : NULL;
        if (!to || v2x_encrypt(spdu, len, to, enc, sizeof enc, &elen) != 0) {
            sg17_metric_add(ctx, "vehicle.build_failures", 1);
            continue;
        }
        sg17_send(ctx, v->e, r->e, "v2x.denm", enc, elen);
    }
}

/* X.1372 9.3: ask the platoon leader (vehicle-0) to join, signed with the current AT. */
static void send_join(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v, sg17_time_t now)
{
    double x, y, sp, hd;
    vsim_vehicle_state(s, v, now, &x, &y, &sp, &hd);
    uint8_t req[8] = {'J', 'O', 'I', 'N'}, spdu[V2X_SPDU_MAX];
    size_t len = 0;
    sg17_store_be32(req + 4, v->station);
    if (vsim_sign(s, &v->pool[v->current], VSIM_PSID_PLATOON, now, x, y, req, sizeof req, true,
                  spdu, sizeof spdu, &len)
        == 0)
        sg17_send(ctx, v->e, s->veh[0].e, "v2x.platoon_join", spdu, len);
}

void vsim_vehicle_on_timer(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    vsim_t *s = instance;
    vsim_vehicle_t *v = vehicle_of(s, ctx, e);
    sg17_time_t now = sg17_now(ctx);
    if (!v)
        return;
    sg17_time_t period = (sg17_time_t)(1e6 / s->cfg.cam_rate);
    if (tag == VSIM_T_ENROL) {
        vsim_enrol_vehicle_timer(s, ctx, v);
        return;
    }
    if (v->n_pool == 0)
        return; /* pki: bus, not authorized yet: nothing to sign with */
    switch (tag) {
    case VSIM_T_CAM:
        send_cam(s, ctx, v, now);
        sg17_timer(ctx, e, period, VSIM_T_CAM);
        break;
    case VSIM_T_EVENT:
        send_warning(s, ctx, v, now);
        sg17_timer(ctx, e, s->cfg.event_interval, VSIM_T_EVENT);
        break;
    case VSIM_T_JOIN:
        send_join(s, ctx, v, now);
        break;
    case VSIM_T_EXTRA:
        vsim_adversary_extra(s, ctx, v->index);
        break;
    case VSIM_T_DENM:
        vsim_den_vehicle_timer(s, ctx, v);
        break;
    case VSIM_T_FAKE:
        vsim_adversary_fake_denm(s, ctx, v->index);
        break;
    default:
        break;
    }
}

/* ---- receiving ---- */

const char *vsim_plausibility(vsim_t *s, const vsim_vehicle_t *r, const vsim_peer_t *peer,
                              const vsim_cam_t *c, sg17_time_t now)
{
    const vsim_config_t *cfg = &s->cfg;
    double ox, oy, osp, oh;
    vsim_vehicle_state(s, r, now, &ox, &oy, &osp, &oh);
    double d = vsim_distance(ox, oy, c->x, c->y);
    if (d > cfg->plaus_range)
        return "implausible_range";
    if (c->speed > cfg->max_speed)
        return "implausible_speed";
    if (peer && peer->last_gen && c->gen > peer->last_gen) {
        double dt = (double)(c->gen - peer->last_gen) / 1e6;
        if (c->gen - peer->last_gen < cfg->min_beacon_interval * 9 / 10)
            return "implausible_frequency";
        double disp = vsim_distance(c->x, c->y, peer->x, peer->y);
        if (disp > cfg->max_speed * dt + 2.0)
            return "implausible_position";
        if (fabs(c->speed - peer->speed) > cfg->max_accel * dt + 0.5)
            return "implausible_speed";
        if (dt <= 1.5 && fabs(disp / dt - (c->speed + peer->speed) / 2) > cfg->speed_tolerance)
            return "implausible_consistency";
    } else if (!peer || !peer->last_gen) {
        if (now - r->up_since > 2 * SG17_SEC && d < cfg->sudden_range)
            return "implausible_appearance";
    }
    /* the proximity box ahead of the receiver: its own sensors see that lane */
    double dx = c->x - ox, dy = c->y - oy;
    double lon = dx * cos(oh) + dy * sin(oh), lat = -dx * sin(oh) + dy * cos(oh);
    if (lon > 0 && lon < cfg->overlap_length && fabs(lat) < cfg->overlap_width / 2
        && !vsim_radio_sensed(s, r->index, c->x, c->y, 6.0))
        return "implausible_overlap";
    return NULL;
}

static void on_cam(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v, const sg17_msg_t *m)
{
    sg17_time_t now = sg17_now(ctx);
    vsim_rx_t rx;
    vsim_cam_t c;
    const char *why = vsim_secure_receive(s, m->payload, m->len, V2X_PSID_CAM, now, v->crl_id,
                                          peer_known, &v->peers, &rx);
    if (!why && vsim_cam_parse(s, &rx, now, &c) != 0)
        why = "malformed";
    if (why) {
        sg17_reject(ctx, m, why);
        return;
    }
    uint64_t key = rx.signer ? rx.signer : (0x8000000000000000ULL | c.station);
    vsim_peer_t *peer = peer_find(&v->peers, key);
    bool fresh_peer = !peer;
    if (!peer && !(peer = peer_add(&v->peers, key))) {
        sg17_reject(ctx, m, "overload");
        return;
    }
    if (rx.spdu.content == V2X_CONTENT_SIGNED && rx.spdu.signer == V2X_SIGNER_CERTIFICATE)
        peer->cert_known = true;
    if (s->cfg.replay_cache && peer->last_gen && c.gen <= peer->last_gen) {
        sg17_reject(ctx, m, "replay");
        return;
    }
    const char *flag =
        s->cfg.plausibility ? vsim_plausibility(s, v, fresh_peer ? NULL : peer, &c, now) : NULL;
    vsim_truth_score(s->truth, m->payload, m->len, flag != NULL, now);
    if (!peer->first_rx)
        peer->first_rx = now;
    peer->last_gen = c.gen > peer->last_gen ? c.gen : peer->last_gen;
    peer->last_rx = now;
    peer->x = c.x, peer->y = c.y, peer->speed = c.speed;
    if (flag) {
        sg17_reject(ctx, m, flag);
        sg17_metric_add(ctx, "mbd.flags", 1);
        if (s->cfg.misbehaviour_reporting && rx.signer && !peer->reported) {
            peer->reported = true;
            vsim_report_misbehaviour(s, ctx, v, peer, m);
        }
        return;
    }
    sg17_accept(ctx, m);
    if (sg17_compromised(ctx, v->e))
        vsim_adversary_overhear(s->adv, v->index, &c);
}

static void on_denm(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v, const sg17_msg_t *m)
{
    sg17_time_t now = sg17_now(ctx);
    v2x_spdu_t outer;
    uint8_t plain[V2X_SPDU_MAX];
    size_t plen = 0;
    const uint8_t *p = m->payload;
    size_t n = m->len;
    if (v2x_spdu_decode(p, n, &outer) != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (outer.content == V2X_CONTENT_ENCRYPTED) {
        const v2x_cert_t *mine = vsim_signer_cert(s, &v->enc);
        if (!mine || v2x_decrypt(&outer, mine, v->enc.key, plain, sizeof plain, &plen) != 0) {
            sg17_reject(ctx, m, "decrypt");
            return;
        }
        p = plain, n = plen;
    }
    vsim_rx_t rx;
    const char *why =
        vsim_secure_receive(s, p, n, V2X_PSID_DENM, now, v->crl_id, peer_known, &v->peers, &rx);
    v2x_gn_t gn;
    const uint8_t *body;
    size_t blen;
    v2x_denm_t d;
    if (!why
        && (v2x_gn_decode(rx.spdu.payload, rx.spdu.payload_len, &gn, &body, &blen) != 0
            || gn.btp_port != V2X_BTP_PORT_DENM || v2x_denm_decode(body, blen, &d) != 0))
        why = "malformed";
    if (!why)
        why = vsim_den_receive(s, ctx, v, &rx, &d,
                               rx.signer ? peer_find(&v->peers, rx.signer) : NULL, p, n);
    if (why) {
        sg17_reject(ctx, m, why);
        return;
    }
    sg17_accept(ctx, m);
    if (d.cause == 95 && !d.has_termination) /* emergencyVehicleApproaching */
        sg17_metric_add(ctx, "vehicle.warnings_received", 1);
}

static void on_crl(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v, const sg17_msg_t *m)
{
    const char *why = NULL;
    long id = vsim_crl_receive(s, m->payload, m->len, sg17_now(ctx), &why);
    if (id < 0) {
        sg17_reject(ctx, m, why);
        return;
    }
    if (s->cfg.cert_checks && vsim_crl_newer(s, id, v->crl_id))
        v->crl_id = (uint64_t)id;
    sg17_accept(ctx, m);
}

/* The platoon leader: with platoon_auth, a join is a signed SPDU of the platooning PSID whose
 * AT grants the platoon SSP bit (X.1372 9.3); without it, any well-formed request joins. */
static void on_join(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v, const sg17_msg_t *m)
{
    if (v->index != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    vsim_rx_t rx;
    const uint8_t *req = NULL;
    size_t rlen = 0;
    if (s->cfg.platoon_auth) {
        const char *why = vsim_secure_receive(s, m->payload, m->len, VSIM_PSID_PLATOON,
                                              sg17_now(ctx), v->crl_id, NULL, NULL, &rx);
        if (!why && rx.spdu.content != V2X_CONTENT_SIGNED)
            why = "unsigned";
        if (!why && !rx.cert)
            why = "unknown_signer";
        if (!why) {
            const v2x_psid_ssp_t *perm = v2x_cert_permission(&rx.cert->view, VSIM_PSID_PLATOON);
            if (!perm || !perm->has_ssp || perm->ssp_len < 1 || !(perm->ssp[0] & VSIM_SSP_PLATOON))
                why = "platoon_unauthorised";
        }
        if (why) {
            sg17_reject(ctx, m, why);
            return;
        }
        req = rx.spdu.payload, rlen = rx.spdu.payload_len;
    } else {
        if (v2x_spdu_decode(m->payload, m->len, &rx.spdu) != 0
            || rx.spdu.content == V2X_CONTENT_ENCRYPTED) {
            sg17_reject(ctx, m, "malformed");
            return;
        }
        req = rx.spdu.payload, rlen = rx.spdu.payload_len;
    }
    if (rlen != 8 || memcmp(req, "JOIN", 4) != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    sg17_accept(ctx, m);
    s->platoon_members++;
    sg17_metric_add(ctx, "platoon.members", 1);
}

void vsim_vehicle_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    vsim_t *s = instance;
    vsim_vehicle_t *v = vehicle_of(s, ctx, m->dst);
    if (v && strcmp(m->type, "v2x.cam") == 0)
        on_cam(s, ctx, v, m);
    else if (v && strcmp(m->type, "v2x.denm") == 0)
        on_denm(s, ctx, v, m);
    else if (v && strcmp(m->type, "v2x.crl") == 0)
        on_crl(s, ctx, v, m);
    else if (v && strcmp(m->type, "v2x.platoon_join") == 0)
        on_join(s, ctx, v, m);
    else if (v && s->enrol
             && (strcmp(m->type, "v2x.ec_response") == 0
                 || strcmp(m->type, "v2x.at_response") == 0))
        vsim_enrol_vehicle_on_message(s, ctx, v, m);
    else
        sg17_reject(ctx, m, "malformed");
}
