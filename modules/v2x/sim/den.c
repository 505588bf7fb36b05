/* den.c — the DEN basic service (ETSI EN 302 637-3) of every vehicle and of the RSUs: hazard
 * events the kinematic model produces, the DENMs that announce them, and what a receiver does
 * with a DENM.
 *
 * Events (each an actionID: the originator's station id and a sequence number of its own):
 * - a breakdown (config `breakdowns`: vehicle-(n-1), -(n-2), ... from `breakdown_at`, one a
 *   second): the vehicle brakes hard (HARD_DECEL) onto the hard shoulder, which is an emergency
 *   electronic brake light event (cause 99 dangerousSituation / 1) while it brakes, then a
 *   stationary vehicle (cause 94 / 2 vehicleBreakdown) once it stands; `breakdown_for` after it
 *   began braking it is towed away: it terminates the stationary-vehicle event (isCancellation)
 *   and falls silent;
 * - road works (config `roadworks`: rsu-0 .. announce works on the lane beside them from
 *   `roadworks_at` for `roadworks_for`, cause 3 / 4 shortTermStationaryRoadworks), then cancelled.
 * An active event is repeated every `denm_interval` with the same content (detection and
 * reference time unchanged, EN 302 637-3 repetition) until it ends; a termination is a new
 * reference time with the termination field, repeated TERM_REPEATS times. Every DENM is signed
 * (PSID 37) with the originator's current AT and carried in GeoNetworking TSB + BTP-B 2002.
 *
 * A receiver keeps, per actionID, the latest reference time, the latest generation time and
 * whether the event was terminated, and checks in turn: the event's validity (detection time +
 * validityDuration, freshness_check); replay (replay_cache): an older reference time, the same
 * transmission again, or anything but a termination for an event its originator terminated; and
 * plausibility (plausibility): the event within the plausible range, and a stationary vehicle
 * where the originator's own CAMs say it stands still, and where the receiver's own sensors see
 * a vehicle when the spot is within their range. The driver is warned (den.warnings) once per
 * new event within its relevance distance, ahead of the receiver when the event concerns the
 * upstream traffic. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/v2x_sim.h"

#define DEN_RX_MAX   32    /* events a receiver keeps */
#define HARD_DECEL   6.0   /* m/s^2 */
#define TERM_REPEATS 3     /* a termination is sent this many times */
#define SENSOR_RANGE 100.0 /* metres: a receiver's radar and camera */
#define SENSOR_MATCH 10.0  /* metres: a sensed vehicle this close to the event confirms it */
#define RSU_STATION0 0x52530000u

enum { PHASE_NONE, PHASE_BRAKING, PHASE_STANDING, PHASE_TERMINATING, PHASE_DONE };

/* An event an originator runs. */
typedef struct {
    int phase;
    uint16_t seq;               /* the current event's sequence number */
    sg17_time_t detected, ends; /* when the current phase's event was detected, when it ends */
    double ex, ey;              /* event position */
    uint32_t validity;          /* seconds from detection */
    unsigned term_left;
    sg17_time_t term_at;
} origin_t;

/* An event as a receiver knows it. */
typedef struct {
    uint32_t station;
    uint16_t seq;
    bool used, terminated;
    uint64_t ref_ms;
    sg17_time_t last_gen;
} known_t;

struct vsim_den {
    origin_t *veh; /* per vehicle */
    origin_t rsu[VSIM_MAX_RSUS];
    vsim_signer_t rsu_at[VSIM_MAX_RSUS];
    known_t **known; /* per vehicle, allocated on its first DENM */
};

/* ---- building ---- */

/* RelevanceDistance (CDD): the upper bound of each value, metres. */
static const double relevance_m[8] = {50, 100, 200, 500, 1000, 5000, 10000, 1e9};

void vsim_den_event(const vsim_t *s, v2x_denm_t *d, uint32_t station, uint16_t seq,
                    sg17_time_t detected, sg17_time_t ref, double ex, double ey, uint8_t cause,
                    uint8_t sub, uint32_t validity_s)
{
    v2x_denm_init(d, station, seq);
    d->detection_time = vsim_time64(s, detected) / 1000;
    d->reference_time = vsim_time64(s, ref) / 1000;
    vsim_to_latlon(ex, ey, &d->event_pos.lat, &d->event_pos.lon);
    d->event_pos.semi_major_conf = d->event_pos.semi_minor_conf = 500; /* 5 m */
    d->event_pos.semi_major_orient = 0;
    d->has_relevance_distance = true;
    d->relevance_distance = cause == 99 ? 2 : 3; /* < 200 m, < 500 m */
    d->has_relevance_direction = true;
    d->relevance_direction = 1; /* upstreamTraffic */
    d->validity_duration = validity_s > 86400 ? 86400 : validity_s;
    d->has_transmission_interval = true;
    uint64_t iv = (uint64_t)(s->cfg.denm_interval / SG17_MSEC);
    d->transmission_interval = (uint16_t)(iv < 1 ? 1 : iv > 10000 ? 10000 : iv);
    d->has_situation = true;
    d->information_quality = 4;
    d->cause = cause;
    d->sub_cause = sub;
}

int vsim_den_build(const vsim_t *s, const vsim_signer_t *sg, const v2x_denm_t *d, sg17_time_t t,
                   double x, double y, uint8_t *out, size_t cap, size_t *len)
{
    uint8_t body[256], pkt[512];
    size_t blen = 0, plen = 0;
    if (v2x_denm_encode(d, body, sizeof body, &blen) != 0)
        return -1;
    uint64_t ms = vsim_time64(s, t) / 1000;
    bool rsu = d->station_type == V2X_STATION_RSU;
    v2x_gn_t gn = {.kind = V2X_GN_TSB,
                   .traffic_class = 1,
                   .max_hop_limit = 3,
                   .mobile = !rsu,
                   .sequence_number = d->sequence_number,
                   .addr_station_type = d->station_type,
                   .timestamp = (uint32_t)ms,
                   .pai = true,
                   .btp_port = V2X_BTP_PORT_DENM};
    vsim_to_latlon(x, y, &gn.lat, &gn.lon);
    sg17_store_be32(gn.mid + 2, d->station_id);
    gn.mid[0] = 0x02;
    if (v2x_gn_encode(&gn, body, blen, pkt, sizeof pkt, &plen) != 0)
        return -1;
    return vsim_sign(s, sg, V2X_PSID_DENM, t, x, y, pkt, plen, true, out, cap, len);
}

/* ---- setting up ---- */

vsim_den_t *vsim_den_new(vsim_t *s, sg17_ctx_t *ctx)
{
    vsim_den_t *d = calloc(1, sizeof *d);
    if (!d || !(d->veh = calloc(s->n_veh, sizeof *d->veh))
        || !(d->known = calloc(s->n_veh, sizeof *d->known))) {
        vsim_den_free(d, s->n_veh);
        return NULL;
    }
    const vsim_config_t *cfg = &s->cfg;
    for (unsigned k = 0; (int64_t)k < cfg->breakdowns && k < s->n_veh; k++) {
        vsim_vehicle_t *v = &s->veh[s->n_veh - 1 - k];
        v->brake_at = cfg->breakdown_at + (sg17_time_t)k * SG17_SEC;
        v->decel = HARD_DECEL;
        v->shoulder = s->grid ? VSIM_LANE_WIDTH / 2
                              : (double)(cfg->lanes - abs(v->lane) + 1) * VSIM_LANE_WIDTH;
        sg17_time_t stop = vsim_vehicle_stop_time(s, v);
        v->gone_at = v->brake_at + cfg->breakdown_for;
        if (cfg->breakdown_for == 0 || v->gone_at < stop + cfg->denm_interval)
            v->gone_at = cfg->breakdown_for ? stop + cfg->denm_interval : 0;
    }
    /* the RSUs' ATs (DENM only), drawn after everything else so that runs without road works
     * draw the same stream as before */
    static const uint64_t psids[] = {V2X_PSID_DENM};
    double cx = s->grid ? s->grid_w / 2 : 0;
    for (unsigned k = 0; (int64_t)k < cfg->roadworks && k < s->n_rsu; k++) {
        vsim_issue_t at = {.issuer = &s->aa_s,
                           .from = -60 * VSIM_S,
                           .to = 24 * 3600 * VSIM_S,
                           .region = cfg->region_size > 0,
                           .cx = cx,
                           .cy = cx,
                           .half = cfg->region_size,
                           .psids = psids,
                           .n_psids = 1};
        if (vsim_signer_issue(s, ctx, &at, &d->rsu_at[k]) != 0) {
            vsim_den_free(d, s->n_veh);
            return NULL;
        }
    }
    return d;
}

void vsim_den_free(vsim_den_t *d, unsigned n_veh)
{
    if (!d)
        return;
    for (unsigned k = 0; k < VSIM_MAX_RSUS; k++)
        vsim_signer_free(&d->rsu_at[k]);
    for (unsigned i = 0; d->known && i < n_veh; i++)
        free(d->known[i]);
    free(d->known);
    free(d->veh);
    free(d);
}

void vsim_den_start(vsim_t *s, sg17_ctx_t *ctx)
{
    for (unsigned i = 0; i < s->n_veh; i++)
        if (s->veh[i].brake_at > 0)
            sg17_timer(ctx, s->veh[i].e, s->veh[i].brake_at, VSIM_T_DENM);
    for (unsigned k = 0; (int64_t)k < s->cfg.roadworks && k < s->n_rsu; k++)
        sg17_timer(ctx, s->rsu[k], s->cfg.roadworks_at > 0 ? s->cfg.roadworks_at : 1, VSIM_T_DENM);
}

/* ---- originating ---- */

static uint64_t mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* One transmission of event `o` (or of its termination) from (x, y). */
static void transmit(vsim_t *s, sg17_ctx_t *ctx, sg17_entity_t src, const vsim_signer_t *sg,
                     uint32_t station, bool rsu, const origin_t *o, uint8_t cause, uint8_t sub,
                     double x, double y, sg17_time_t now)
{
    v2x_denm_t d;
    if (o->phase == PHASE_TERMINATING) {
        vsim_den_event(s, &d, station, o->seq, o->term_at, o->term_at, o->ex, o->ey, cause, sub,
                       (uint32_t)(s->cfg.denm_validity / SG17_SEC));
        d.has_termination = true;
        d.termination = 0; /* isCancellation: the originator ends its own event */
        d.has_situation = false;
    } else {
        vsim_den_event(s, &d, station, o->seq, o->detected, o->detected, o->ex, o->ey, cause, sub,
                       o->validity);
    }
    if (rsu)
        d.station_type = V2X_STATION_RSU;
    uint8_t spdu[V2X_SPDU_MAX];
    size_t len = 0;
    if (vsim_den_build(s, sg, &d, now, x, y, spdu, sizeof spdu, &len) != 0) {
        sg17_metric_add(ctx, "vehicle.build_failures", 1);
        return;
    }
    size_t n = vsim_radio_receivers(s, now, x, y, src, mix(0xde00000000ULL ^ station) ^ now, false);
    vsim_radio_send(s, ctx, src, n, "v2x.denm", spdu, len);
    sg17_metric_add(ctx, "den.denms_sent", 1);
    if (o->phase == PHASE_TERMINATING)
        sg17_metric_add(ctx, "den.terminations", 1);
}

void vsim_den_vehicle_timer(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v)
{
    origin_t *o = &s->den->veh[v->index];
    sg17_time_t now = sg17_now(ctx), iv = s->cfg.denm_interval;
    sg17_time_t stop = vsim_vehicle_stop_time(s, v);
    double x, y, sp, hd;
    vsim_vehicle_state(s, v, now, &x, &y, &sp, &hd);
    if (o->phase == PHASE_NONE) { /* hard braking: EEBL */
        o->phase = PHASE_BRAKING;
        o->seq = ++v->denm_seq;
        o->detected = now, o->ends = stop + iv;
        o->validity = (uint32_t)((o->ends - now) / SG17_SEC) + 1; /* the braking, and a margin */
        o->ex = x, o->ey = y;
        sg17_metric_add(ctx, "den.events", 1);
    }
    if (o->phase == PHASE_BRAKING && now >= stop) { /* standing on the shoulder */
        o->phase = PHASE_STANDING;
        o->seq = ++v->denm_seq;
        o->detected = now, o->ends = v->gone_at;
        o->validity = (uint32_t)(s->cfg.denm_validity / SG17_SEC); /* its end is not known */
        o->ex = x, o->ey = y;
        sg17_metric_add(ctx, "den.events", 1);
    }
    if (o->phase == PHASE_STANDING && v->gone_at && now >= v->gone_at) { /* towed away */
        o->phase = PHASE_TERMINATING;
        o->term_at = now;
        o->term_left = TERM_REPEATS;
    }
    if (o->phase == PHASE_DONE)
        return;
    bool braking = o->phase == PHASE_BRAKING;
    transmit(s, ctx, v->e, &v->pool[v->current], v->station, false, o, braking ? 99 : 94,
             braking ? 1 : 2, x, y, now);
    if (o->phase == PHASE_TERMINATING && --o->term_left == 0) {
        o->phase = PHASE_DONE;
        return;
    }
    sg17_time_t next = now + iv;
    if (braking && next > stop)
        next = stop;
    if (o->phase == PHASE_STANDING && v->gone_at && next > v->gone_at)
        next = v->gone_at;
    sg17_timer(ctx, v->e, next > now ? next - now : 1, VSIM_T_DENM);
}

void vsim_den_rsu_timer(vsim_t *s, sg17_ctx_t *ctx, unsigned k)
{
    origin_t *o = &s->den->rsu[k];
    sg17_time_t now = sg17_now(ctx), iv = s->cfg.denm_interval;
    uint32_t station = RSU_STATION0 + k;
    if (o->phase == PHASE_NONE) {
        o->phase = PHASE_STANDING;
        o->seq = 1;
        o->detected = now;
        o->ends = s->cfg.roadworks_for ? now + s->cfg.roadworks_for : 0;
        o->validity = (uint32_t)((o->ends ? o->ends - now : s->cfg.denm_validity) / SG17_SEC);
        if (o->validity < 1)
            o->validity = 1; /* planned works: valid until their announced end */
        /* the works close the lane beside the RSU: the outer lane (highway), the street (grid) */
        double x = s->rsu_x[k], y = s->rsu_y[k];
        if (!s->grid) {
            double r = hypot(x, y),
                   want = s->ring_r + ((double)s->cfg.lanes - 0.5) * VSIM_LANE_WIDTH;
            if (r > 0)
                x *= want / r, y *= want / r;
        }
        o->ex = x, o->ey = y;
        sg17_metric_add(ctx, "den.events", 1);
    }
    if (o->phase == PHASE_STANDING && o->ends && now >= o->ends) {
        o->phase = PHASE_TERMINATING;
        o->term_at = now;
        o->term_left = TERM_REPEATS;
    }
    if (o->phase == PHASE_DONE)
        return;
    transmit(s, ctx, s->rsu[k], &s->den->rsu_at[k], station, true, o, 3, 4, s->rsu_x[k],
             s->rsu_y[k], now);
    if (o->phase == PHASE_TERMINATING && --o->term_left == 0) {
        o->phase = PHASE_DONE;
        return;
    }
    sg17_time_t next = now + iv;
    if (o->phase == PHASE_STANDING && o->ends && next > o->ends)
        next = o->ends;
    sg17_timer(ctx, s->rsu[k], next - now, VSIM_T_DENM);
}

/* ---- receiving ---- */

static known_t *known_slot(vsim_den_t *d, unsigned vehicle, uint32_t station, uint16_t seq,
                           bool *fresh)
{
    if (!d->known[vehicle] && !(d->known[vehicle] = calloc(DEN_RX_MAX, sizeof(known_t))))
        return NULL;
    known_t *t = d->known[vehicle], *victim = NULL;
    for (unsigned i = 0; i < DEN_RX_MAX; i++) {
        if (t[i].used && t[i].station == station && t[i].seq == seq) {
            *fresh = false;
            return &t[i];
        }
        /* else the first free slot, or the event heard least recently */
        if (!victim || (victim->used && (!t[i].used || t[i].last_gen < victim->last_gen)))
            victim = &t[i];
    }
    *fresh = true;
    *victim = (known_t){.station = station, .seq = seq};
    return victim;
}

/* The plausibility of the event (NULL: plausible). */
static const char *plausible(vsim_t *s, const vsim_vehicle_t *r, const v2x_denm_t *d,
                             const vsim_peer_t *origin, double ex, double ey, sg17_time_t now)
{
    const vsim_config_t *cfg = &s->cfg;
    double ox, oy, osp, oh;
    vsim_vehicle_state(s, r, now, &ox, &oy, &osp, &oh);
    if (vsim_distance(ox, oy, ex, ey) > cfg->plaus_range)
        return "implausible_range";
    if (d->has_termination || d->cause != 94)
        return NULL;
    /* a stationary vehicle: the originator's own CAMs must show it standing there */
    if (origin && origin->last_rx && now - origin->last_rx <= cfg->freshness
        && (origin->speed > cfg->speed_tolerance
            || vsim_distance(origin->x, origin->y, ex, ey) > cfg->overlap_length))
        return "implausible_event";
    /* and the receiver's own sensors, when the spot is within their range */
    vsim_radio_refresh(s, now);
    if (vsim_distance(ox, oy, ex, ey) <= SENSOR_RANGE
        && !vsim_radio_sensed(s, r->index, ex, ey, SENSOR_MATCH))
        return "implausible_event";
    return NULL;
}

const char *vsim_den_receive(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v, const vsim_rx_t *rx,
                             const v2x_denm_t *d, const vsim_peer_t *origin, const uint8_t *spdu,
                             size_t len)
{
    const vsim_config_t *cfg = &s->cfg;
    sg17_time_t now = sg17_now(ctx);
    uint64_t now_ms = vsim_time64(s, now) / 1000;
    if (cfg->freshness_check && now_ms > d->detection_time + (uint64_t)d->validity_duration * 1000)
        return "stale"; /* the event's validity is over */
    bool fresh = true;
    known_t *k = known_slot(s->den, v->index, d->orig_station_id, d->sequence_number, &fresh);
    if (!k)
        return "overload";
    if (cfg->replay_cache && !fresh) {
        if (k->terminated && !d->has_termination)
            return "terminated";
        if (d->reference_time < k->ref_ms)
            return "replay"; /* an outdated version of the event */
        if (d->reference_time == k->ref_ms && rx->gen <= k->last_gen)
            return "replay"; /* the same transmission again */
    }
    double ex, ey;
    vsim_from_latlon(d->event_pos.lat, d->event_pos.lon, &ex, &ey);
    const char *flag = cfg->plausibility ? plausible(s, v, d, origin, ex, ey, now) : NULL;
    vsim_truth_score(s->truth, spdu, len, flag != NULL, now);
    if (flag) {
        sg17_metric_add(ctx, "mbd.flags", 1);
        return flag;
    }
    bool was_active = !fresh && !k->terminated;
    k->used = true;
    if (d->reference_time > k->ref_ms)
        k->ref_ms = d->reference_time;
    if (rx->gen > k->last_gen)
        k->last_gen = rx->gen;
    if (d->has_termination) {
        k->terminated = true;
        if (was_active)
            sg17_metric_add(ctx, "den.cleared", 1);
        return NULL;
    }
    if (!was_active) {
        /* a new event for this driver (or, without the replay check, one its originator had
         * terminated, back again): warned when it lies within its relevance distance (and ahead
         * of it, for an event concerning the upstream traffic) */
        double ox, oy, osp, oh;
        vsim_vehicle_state(s, v, now, &ox, &oy, &osp, &oh);
        double dist = vsim_distance(ox, oy, ex, ey);
        bool ahead = (ex - ox) * cos(oh) + (ey - oy) * sin(oh) > 0;
        double limit = d->has_relevance_distance ? relevance_m[d->relevance_distance & 7] : 1e9;
        if (dist <= limit && (!d->has_relevance_direction || d->relevance_direction != 1 || ahead))
            sg17_metric_add(ctx, "den.warnings", 1);
        k->terminated = false;
    }
    return NULL;
}
