/* attacks.c — the adversary. Its state (which vehicles misbehave and how, what they overheard,
 * the keys it made up, the tracker's links) is private to this file: receivers decide by their
 * own checks only.
 *
 * - misbehave: an insider holding valid ATs (a vehicle the scenario compromised first) runs one of
 *   the F2MD / VeReMi attack types 1-19 (position and speed falsification, eventual stop,
 *   disruptive and data replay, delayed messages, DoS and Sybil variants), parametrised by a
 *   magnitude; every SPDU it produces is marked in truth.c;
 * - forge: an outsider's CAMs for a ghost vehicle, unsigned, with a signature that cannot verify
 *   (a real AT's digest, the adversary's own key) or under a chain it issued itself;
 * - bad_cert: CAMs signed with an AT the adversary holds that is expired, revoked, issued for
 *   another region or without the CAM PSID;
 * - track: a passive eavesdropper linking pseudonyms in captured CAMs by position continuity;
 * - platoon_join: an unauthorised join request to the platoon leader (9.3);
 * - eavesdrop: reading captured emergency warnings (9.2);
 * - request_at / use_at (pki: bus): authorization requests under an EC the EA revoked or under a
 *   self-made one, then ghost CAMs signed with whatever AT the AA issued for them;
 * - denm: an insider's false "stationary vehicle" hazard ahead of it, signed with its valid AT
 *   and repeated as a real event is; or captured DENMs rebroadcast, at their event, after the
 *   event ended (a replay after termination). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sim/v2x_sim.h"

#define HEARD 16 /* overheard CAMs a misbehaving vehicle keeps */

typedef struct {
    int type; /* 0: behaves */
    double magnitude, rate, dir;
    sg17_time_t start, ramp;
    unsigned ghosts, target;
    double x0, y0; /* position when the attack started */
    uint64_t rng;
    vsim_cam_t heard[HEARD];
    unsigned n_heard, next_heard;
    bool ghost_cert_sent[VSIM_MAX_POOL];
    uint32_t ghost_station[VSIM_MAX_POOL];
    sg17_time_t ghost_cert_at[VSIM_MAX_POOL];
    unsigned turn; /* types 17-19: the next pseudonym of the rotation */
    /* denm fake_stationary: the false event and the transmissions left */
    uint16_t fake_seq;
    sg17_time_t fake_at;
    double fx, fy;
    unsigned fake_left;
} misbehaver_t;

typedef struct {
    uint64_t hid;
    unsigned vehicle; /* ground truth, for scoring only */
    sg17_time_t first, last;
    double x, y, speed, heading;
    int track, pred; /* pred: index of the pseudonym linked before it, -1 none */
    bool has_succ;
} pseudo_t;

enum { HELD_EXPIRED, HELD_REVOKED, HELD_REGION, HELD_PSID, N_HELD };

#define AT_REQUESTS 8 /* authorization requests the adversary keeps track of */

/* pki: bus: what the adversary asked the AA for, and what it obtained. */
typedef struct {
    vsim_signer_t revoked_ec;         /* the EC of a decommissioned device, revoked by the EA */
    vsim_signer_t rogue_ca, rogue_ec; /* an outsider's self-made "EC" (first request) */
    bool outsider;                    /* the last request pretended the self-made EC */
    EVP_PKEY *key[AT_REQUESTS];       /* the AT keys requested ... */
    uint8_t hash[AT_REQUESTS][V2X_PKI_HASH16]; /* ... and the requests' hashes */
    unsigned n_req;
    vsim_signer_t at[AT_REQUESTS]; /* the ATs the AA issued it */
    unsigned n_at;
} requester_t;

struct vsim_adversary {
    misbehaver_t *m;
    unsigned n_veh;
    /* ATs the adversary came to hold before the run (bad_cert), with their private keys */
    vsim_signer_t held[N_HELD];
    /* the tracker's result */
    bool tracked;
    double changes, correct, linked, traced, vehicles_seen;
    double warnings_captured, warnings_read;
    requester_t req;
};

vsim_adversary_t *vsim_adversary_new(unsigned n_veh)
{
    vsim_adversary_t *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->n_veh = n_veh;
    if (!(a->m = calloc(n_veh ? n_veh : 1, sizeof *a->m))) {
        free(a);
        return NULL;
    }
    return a;
}

void vsim_adversary_free(vsim_adversary_t *a)
{
    if (!a)
        return;
    for (unsigned k = 0; k < N_HELD; k++)
        vsim_signer_free(&a->held[k]);
    vsim_signer_free(&a->req.revoked_ec);
    vsim_signer_free(&a->req.rogue_ca);
    vsim_signer_free(&a->req.rogue_ec);
    for (unsigned k = 0; k < AT_REQUESTS; k++) {
        EVP_PKEY_free(a->req.key[k]);
        vsim_signer_free(&a->req.at[k]);
    }
    free(a->m);
    free(a);
}

int vsim_adversary_provision(vsim_t *s, sg17_ctx_t *ctx, vsim_signer_t *revoked)
{
    static const uint64_t cam_psids[] = {V2X_PSID_CAM, V2X_PSID_DENM};
    const int64_t day = 24 * 3600 * VSIM_S;
    const vsim_issue_t held[N_HELD] = {
        [HELD_EXPIRED] =
            {.issuer = &s->aa_s, .from = -2 * day, .to = -day, .psids = cam_psids, .n_psids = 2},
        [HELD_REVOKED] =
            {.issuer = &s->aa_s, .from = -60 * VSIM_S, .to = day, .psids = cam_psids, .n_psids = 2},
        [HELD_REGION] = {.issuer = &s->aa_s,
                         .from = -60 * VSIM_S,
                         .to = day,
                         .region = true,
                         .cx = 50000,
                         .cy = 50000,
                         .half = 2000,
                         .psids = cam_psids,
                         .n_psids = 2}, /* 70 km away */
        [HELD_PSID] = {.issuer = &s->aa_s,
                       .from = -60 * VSIM_S,
                       .to = day,
                       .psids = cam_psids + 1,
                       .n_psids = 1}, /* DENM only */
    };
    for (unsigned k = 0; k < N_HELD; k++)
        if (vsim_signer_issue(s, ctx, &held[k], &s->adv->held[k]) != 0)
            return -1;
    const vsim_signer_t *r = &s->adv->held[HELD_REVOKED];
    *revoked = (vsim_signer_t){.cert = r->cert, .cert_len = r->cert_len, .hid = r->hid};
    return 0;
}

static uint64_t next(uint64_t *z)
{
    uint64_t r = (*z += 0x9e3779b97f4a7c15ULL);
    r = (r ^ (r >> 30)) * 0xbf58476d1ce4e5b9ULL;
    r = (r ^ (r >> 27)) * 0x94d049bb133111ebULL;
    return r ^ (r >> 31);
}

static double uni(uint64_t *z, double lo, double hi)
{
    return lo + (hi - lo) * (double)(next(z) >> 11) / 9007199254740992.0;
}

/* ---- misbehave: F2MD types 1-19 ---- */

static double ramp_of(const misbehaver_t *b, sg17_time_t now)
{
    if (!b->ramp || now - b->start >= b->ramp)
        return 1.0;
    return (double)(now - b->start) / (double)b->ramp;
}

static void random_position(const vsim_t *s, misbehaver_t *b, vsim_cam_t *c)
{
    double cx = s->grid ? s->grid_w / 2 : 0, cy = cx;
    double r = b->magnitude * sqrt(uni(&b->rng, 0, 1)), th = uni(&b->rng, 0, 2 * M_PI);
    c->x = cx + r * cos(th), c->y = cy + r * sin(th);
}

/* A neighbour's data under the attacker's identity (disruptive: any neighbour's; data replay: the
 * target's latest). False when nothing suitable was overheard yet. */
static bool neighbour_data(const vsim_t *s, misbehaver_t *b, vsim_cam_t *c, bool target_only)
{
    if (!b->n_heard)
        return false;
    const vsim_cam_t *h = NULL;
    if (target_only) {
        uint32_t st = s->veh[b->target].station;
        for (unsigned i = 0; i < b->n_heard; i++)
            if (b->heard[i].station == st && (!h || b->heard[i].gen > h->gen))
                h = &b->heard[i];
        if (!h)
            return false;
    } else {
        h = &b->heard[next(&b->rng) % b->n_heard];
    }
    c->x = h->x, c->y = h->y, c->speed = h->speed, c->heading = h->heading;
    return true;
}

int vsim_adversary_falsify(vsim_t *s, sg17_ctx_t *ctx, unsigned vehicle, vsim_cam_t *c)
{
    vsim_adversary_t *a = s->adv;
    if (vehicle >= a->n_veh || !a->m[vehicle].type)
        return 0;
    misbehaver_t *b = &a->m[vehicle];
    sg17_time_t now = sg17_now(ctx);
    double f = ramp_of(b, now), m = b->magnitude;
    switch (b->type) {
    case 1: /* constant position */
        c->x = b->x0 + m, c->y = b->y0;
        break;
    case 2: /* constant position offset (ramped in over `ramp`) */
        c->x += f * m * cos(b->dir), c->y += f * m * sin(b->dir);
        break;
    case 3: /* random position */
        random_position(s, b, c);
        break;
    case 4: /* random position offset */
        c->x += uni(&b->rng, -m, m), c->y += uni(&b->rng, -m, m);
        break;
    case 5: /* constant speed */
        c->speed = m;
        break;
    case 6: /* constant speed offset */
        c->speed = fmax(0, c->speed + f * m);
        break;
    case 7: /* random speed */
        c->speed = uni(&b->rng, 0, m);
        break;
    case 8: /* random speed offset */
        c->speed = fmax(0, c->speed + uni(&b->rng, -m, m));
        break;
    case 9: /* eventual stop: frozen where the attack started */
        c->x = b->x0, c->y = b->y0, c->speed = 0;
        break;
    case 10: /* disruptive: a random neighbour's data (its own until it heard one) */
        neighbour_data(s, b, c, false);
        break;
    case 11: /* data replay: the target's data (its own until it heard the target) */
        neighbour_data(s, b, c, true);
        break;
    case 12: { /* delayed messages: the state of `magnitude` seconds ago, stamped then */
        sg17_time_t d = (sg17_time_t)(m * 1e6);
        if (d > now)
            return -1;
        vsim_vehicle_cam(s, &s->veh[vehicle], now - d, c);
        break;
    }
    default: /* 13-19 falsify through extra transmissions; the vehicle's own CAMs stay true */
        break;
    }
    return 1; /* the attacker's CAM: scored as such (F2MD labels a message by its sender) */
}

void vsim_adversary_overhear(vsim_adversary_t *a, unsigned vehicle, const vsim_cam_t *c)
{
    if (vehicle >= a->n_veh || !a->m[vehicle].type)
        return;
    misbehaver_t *b = &a->m[vehicle];
    b->heard[b->next_heard] = *c;
    b->next_heard = (b->next_heard + 1) % HEARD;
    if (b->n_heard < HEARD)
        b->n_heard++;
}

/* One extra CAM from the compromised vehicle under AT `slot` of its pool. */
static void extra_cam(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v, misbehaver_t *b, unsigned slot,
                      vsim_cam_t *c, double tx, double ty)
{
    uint8_t spdu[V2X_SPDU_MAX];
    size_t len = 0;
    unsigned g = slot % v->n_pool;
    sg17_time_t now = sg17_now(ctx);
    bool with_cert = !b->ghost_cert_sent[g] || now - b->ghost_cert_at[g] >= s->cfg.cert_interval;
    if (vsim_cam_build(s, &v->pool[g], c, with_cert, spdu, sizeof spdu, &len) != 0)
        return;
    if (with_cert)
        b->ghost_cert_sent[g] = true, b->ghost_cert_at[g] = now;
    vsim_truth_mark(s->truth, spdu, len);
    size_t n = vsim_radio_receivers(s, now, tx, ty, v->e, next(&b->rng), false);
    vsim_radio_send(s, ctx, v->e, n, "v2x.cam", spdu, len);
    sg17_metric_add(ctx, "attacker.extra_cams", 1);
}

/* Types 13-16: `n` transmissions per tick (13-15: one under the current AT; 16: one per ghost,
 * each under its own AT). Types 17-19 are the pseudonym-changing Sybil variants of F2MD: one
 * transmission per tick, each under the next of `ghosts` ATs of the pool in turn (and that
 * pseudonym's station id), so that no pseudonym shows a history a per-sender check could use. */
void vsim_adversary_extra(vsim_t *s, sg17_ctx_t *ctx, unsigned vehicle)
{
    vsim_adversary_t *a = s->adv;
    if (vehicle >= a->n_veh || a->m[vehicle].type < 13 || !sg17_compromised(ctx, s->veh[vehicle].e))
        return;
    misbehaver_t *b = &a->m[vehicle];
    vsim_vehicle_t *v = &s->veh[vehicle];
    sg17_time_t now = sg17_now(ctx);
    vsim_cam_t own;
    vsim_vehicle_cam(s, v, now, &own);
    double tx = own.x, ty = own.y;
    bool rotating = b->type >= 17;
    unsigned n = b->type == 16 ? b->ghosts : 1;
    for (unsigned k = 0; k < n; k++) {
        vsim_cam_t c = own;
        unsigned ghost = rotating ? b->turn++ % b->ghosts : k;
        unsigned slot = b->type >= 16 ? v->current + 1 + ghost : v->current;
        if (b->type >= 16)
            c.station = b->ghost_station[ghost % VSIM_MAX_POOL];
        switch (b->type) {
        case 14: /* DoS random */
        case 18: /* DoS random Sybil */
            random_position(s, b, &c);
            c.speed = uni(&b->rng, 0, 40);
            break;
        case 15: /* DoS disruptive */
        case 19: /* DoS disruptive Sybil */
            if (!neighbour_data(s, b, &c, false))
                continue;
            break;
        case 17: /* data replay Sybil: the target's latest data */
            if (!neighbour_data(s, b, &c, true))
                continue;
            break;
        case 16: { /* grid Sybil: ghosts in formation ahead and beside the attacker */
            unsigned row = k / 2; /* two ghosts per row: left and right */
            double along = b->magnitude * (1.0 + (double)row),
                   side = (k % 2 ? 1 : -1) * VSIM_LANE_WIDTH;
            c.x += along * cos(own.heading) - side * sin(own.heading);
            c.y += along * sin(own.heading) + side * cos(own.heading);
            break;
        }
        default: /* 13: DoS, the true data at a high rate */
            break;
        }
        extra_cam(s, ctx, v, b, slot, &c, tx, ty);
    }
    double hz = s->cfg.cam_rate * ((b->type == 16 || b->type == 17) ? 1.0 : b->rate);
    sg17_timer(ctx, v->e, (sg17_time_t)(1e6 / hz), VSIM_T_EXTRA);
}

int vsim_attack_misbehave(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    vsim_t *s = instance;
    unsigned i = (unsigned)sg17_param_number(ctx, p, "vehicle", 0);
    int type = (int)sg17_param_number(ctx, p, "type", 2);
    if (i >= s->n_veh || type < 1 || type > 19) {
        sg17_log(ctx, "misbehave: vehicle %u is outside the run (%u vehicles) or type %d not 1-19",
                 i, s->n_veh, type);
        return -1;
    }
    vsim_vehicle_t *v = &s->veh[i];
    if (!sg17_compromised(ctx, v->e)) {
        sg17_log(ctx, "misbehave: vehicle-%u must be compromised first (an insider with its ATs)",
                 i);
        return -1;
    }
    misbehaver_t *b = &s->adv->m[i];
    sg17_time_t now = sg17_now(ctx);
    b->type = type;
    b->magnitude = sg17_param_number(ctx, p, "magnitude", 50);
    b->ramp = (sg17_time_t)sg17_param_number(ctx, p, "ramp", 0);
    b->rate = sg17_param_number(ctx, p, "rate", 5);
    b->ghosts = (unsigned)sg17_param_number(ctx, p, "ghosts", 3);
    b->target = (unsigned)sg17_param_number(ctx, p, "target", i ? 0 : 1) % s->n_veh;
    b->start = now;
    b->rng = sg17_rand_u64(ctx);
    b->dir = uni(&b->rng, 0, 2 * M_PI);
    for (unsigned k = 0; k < VSIM_MAX_POOL; k++)
        b->ghost_station[k] = (uint32_t)(next(&b->rng) % 4000000000u) + 1000;
    double sp, hd;
    vsim_vehicle_state(s, v, now, &b->x0, &b->y0, &sp, &hd);
    vsim_truth_attack_started(s->truth, i, now);
    if (type >= 13)
        sg17_timer(ctx, v->e, 1, VSIM_T_EXTRA);
    return 0;
}

/* ---- outsiders' CAMs: forged, and under defective certificates ---- */

/* The ghost an outsider makes up: on the road `behind` metres behind vehicle `near`, in its
 * lane, at its speed. */
static void ghost_cam(vsim_t *s, unsigned near, double behind, sg17_time_t now, uint32_t station,
                      vsim_cam_t *c)
{
    vsim_vehicle_cam(s, &s->veh[near], now, c);
    c->x -= behind * cos(c->heading), c->y -= behind * sin(c->heading);
    c->station = station;
}

/* Injects one SPDU to the vehicles in range of (x, y); returns how many received it. */
static size_t inject_around(vsim_t *s, sg17_ctx_t *ctx, sg17_entity_t claimed, double x, double y,
                            const uint8_t *spdu, size_t len, uint64_t tx)
{
    size_t n = vsim_radio_receivers(s, sg17_now(ctx), x, y, SG17_NO_ENTITY, tx, false);
    vsim_radio_inject(s, ctx, claimed, n, "v2x.cam", spdu, len);
    sg17_metric_add(ctx, "attacker.injected_cams", 1);
    return n;
}

int vsim_attack_forge(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    vsim_t *s = instance;
    const char *kind = sg17_param(ctx, p, "kind");
    unsigned near = (unsigned)sg17_param_number(ctx, p, "near", 0) % s->n_veh;
    unsigned count = (unsigned)sg17_param_number(ctx, p, "count", 1);
    sg17_time_t now = sg17_now(ctx);
    if (!kind)
        kind = "unsigned";
    vsim_signer_t own = {0}, ca = {0};
    int rc = 0;
    if (strcmp(kind, "unsigned") != 0 && strcmp(kind, "bad_signature") != 0
        && strcmp(kind, "self_issued") != 0) {
        sg17_log(ctx, "forge: kind '%s' is not unsigned, bad_signature or self_issued", kind);
        return -1;
    }
    if (strcmp(kind, "unsigned") != 0) {
        /* the adversary's own CA and AT (for bad_signature only the key is used) */
        static const uint64_t psids[] = {V2X_PSID_CAM};
        vsim_issue_t cai = {.name = "rogue ca", .from = -3600 * VSIM_S, .to = 24 * 3600 * VSIM_S};
        vsim_issue_t ati = {
            .issuer = &ca, .from = -60 * VSIM_S, .to = 3600 * VSIM_S, .psids = psids, .n_psids = 1};
        /* (a CA of the adversary's own: no receiver has it as a trust anchor) */
        if (vsim_signer_issue(s, ctx, &cai, &ca) != 0 || vsim_signer_issue(s, ctx, &ati, &own) != 0)
            rc = -1;
    }
    for (unsigned k = 0; rc == 0 && k < count; k++) {
        vsim_cam_t c;
        if (strcmp(kind, "bad_signature") == 0) { /* the victim itself, driving the wrong way */
            vsim_vehicle_cam(s, &s->veh[near], now, &c);
            c.heading += M_PI;
        } else {
            ghost_cam(s, near, 60.0 + 15.0 * k, now, 0x7f000000u + k, &c);
        }
        uint8_t spdu[V2X_SPDU_MAX];
        size_t len = 0;
        if (strcmp(kind, "unsigned") == 0)
            rc = vsim_cam_unsecured(s, &c, spdu, sizeof spdu, &len);
        else if (strcmp(kind, "self_issued") == 0)
            rc = vsim_cam_build(s, &own, &c, true, spdu, sizeof spdu, &len);
        else {
            /* a real AT's digest (overheard) signed with the adversary's key: the digest does
             * not bind the key, so only verification against the real AT catches it */
            const vsim_signer_t *real = &s->veh[near].pool[s->veh[near].current];
            vsim_signer_t fake = {.key = own.key, .cert = real->cert, .cert_len = real->cert_len};
            rc = vsim_cam_build(s, &fake, &c, false, spdu, sizeof spdu, &len);
        }
        if (rc == 0)
            inject_around(s, ctx, s->veh[near].e, c.x, c.y, spdu, len, 0xf0f0ULL + now + k);
    }
    vsim_signer_free(&own);
    vsim_signer_free(&ca);
    if (rc != 0)
        sg17_log(ctx, "forge: building the forged CAM failed");
    return rc;
}

int vsim_attack_bad_cert(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    vsim_t *s = instance;
    const char *kind = sg17_param(ctx, p, "kind");
    unsigned near = (unsigned)sg17_param_number(ctx, p, "near", 0) % s->n_veh;
    sg17_time_t now = sg17_now(ctx);
    static const char *const kinds[N_HELD] = {
        [HELD_EXPIRED] = "expired",
        [HELD_REVOKED] = "revoked",
        [HELD_REGION] = "out_of_region",
        [HELD_PSID] = "wrong_psid",
    };
    int k = -1;
    for (int i = 0; i < N_HELD; i++)
        if (kind && strcmp(kind, kinds[i]) == 0)
            k = i;
    if (k < 0) {
        sg17_log(ctx, "bad_cert: kind must be expired, revoked, out_of_region or wrong_psid");
        return -1;
    }
    vsim_cam_t c;
    ghost_cam(s, near, 80.0, now, 0x7e000000u + (uint32_t)k, &c);
    uint8_t spdu[V2X_SPDU_MAX];
    size_t len = 0;
    if (vsim_cam_build(s, &s->adv->held[k], &c, true, spdu, sizeof spdu, &len) != 0) {
        sg17_log(ctx, "bad_cert: building the CAM failed");
        return -1;
    }
    inject_around(s, ctx, s->veh[near].e, c.x, c.y, spdu, len, 0xbadcULL + now);
    return 0;
}

/* ---- pki: bus: authorization tickets obtained without a valid EC, and used ---- */

int vsim_adversary_provision_ec(vsim_t *s, sg17_ctx_t *ctx)
{
    static const uint64_t psids[] = {V2X_PSID_CERT_REQUEST};
    vsim_issue_t ec = {.issuer = &s->ea_s,
                       .from = -30 * 24 * 3600 * VSIM_S,
                       .to = 365 * 24 * 3600 * VSIM_S,
                       .psids = psids,
                       .n_psids = 1};
    if (vsim_signer_issue(s, ctx, &ec, &s->adv->req.revoked_ec) != 0)
        return -1;
    return vsim_enrol_revoked_ec(s, &s->adv->req.revoked_ec);
}

/* request_at: AT requests through the link of vehicle `via`, under the revoked EC or a key pair
 * and "EC" of the adversary's own making (an outsider: no EC of the EA). */
int vsim_attack_request_at(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    vsim_t *s = instance;
    requester_t *r = &s->adv->req;
    const char *kind = sg17_param(ctx, p, "kind");
    unsigned via = (unsigned)sg17_param_number(ctx, p, "via", s->n_veh - 1) % s->n_veh;
    unsigned count = (unsigned)sg17_param_number(ctx, p, "count", 1);
    if (!s->enrol) {
        sg17_log(ctx, "request_at: needs pki: bus (the AA takes no requests otherwise)");
        return -1;
    }
    if (!kind || (strcmp(kind, "outsider") != 0 && strcmp(kind, "revoked") != 0)) {
        sg17_log(ctx, "request_at: kind must be outsider or revoked");
        return -1;
    }
    r->outsider = strcmp(kind, "outsider") == 0;
    if (r->outsider && !r->rogue_ec.cert) {
        static const uint64_t psids[] = {V2X_PSID_CERT_REQUEST};
        vsim_issue_t cai = {.name = "rogue ea", .from = -3600 * VSIM_S, .to = 24 * 3600 * VSIM_S};
        vsim_issue_t eci = {.issuer = &r->rogue_ca,
                            .from = -60 * VSIM_S,
                            .to = 24 * 3600 * VSIM_S,
                            .psids = psids,
                            .n_psids = 1};
        if (vsim_signer_issue(s, ctx, &cai, &r->rogue_ca) != 0
            || vsim_signer_issue(s, ctx, &eci, &r->rogue_ec) != 0) {
            sg17_log(ctx, "request_at: making the outsider's own EC failed");
            return -1;
        }
    }
    const vsim_signer_t *ec = r->outsider ? &r->rogue_ec : &r->revoked_ec;
    for (unsigned k = 0; k < count && r->n_req < AT_REQUESTS; k++) {
        uint8_t msg[V2X_SPDU_MAX];
        size_t n = 0;
        EVP_PKEY *key = vsim_key_new(ctx);
        if (!key
            || vsim_enrol_at_request(s, ctx, ec, UINT32_MAX, key, msg, sizeof msg, &n,
                                     r->hash[r->n_req])
                   != 0) {
            EVP_PKEY_free(key);
            sg17_log(ctx, "request_at: building the request failed");
            return -1;
        }
        r->key[r->n_req++] = key;
        sg17_inject(ctx, s->veh[via].e, s->aa, "v2x.at_request", msg, n);
        sg17_metric_add(ctx, "attacker.at_requests", 1);
    }
    return 0;
}

/* use_at: reads the AA's answers to its requests from a capture, keeps every AT issued for one
 * of its keys, and broadcasts ghost CAMs behind vehicle `near`, each signed with one of them (or,
 * holding none, with the EC it pretended: the only credential it has). */
int vsim_attack_use_at(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    vsim_t *s = instance;
    requester_t *r = &s->adv->req;
    unsigned near = (unsigned)sg17_param_number(ctx, p, "near", 0) % s->n_veh;
    unsigned count = (unsigned)sg17_param_number(ctx, p, "count", 1);
    sg17_time_t now = sg17_now(ctx);
    if (!s->enrol || r->n_req == 0) {
        sg17_log(ctx, "use_at: no request_at before (and pki: bus)");
        return -1;
    }
    size_t n = sg17_captured_count(ctx, p);
    for (size_t i = 0; i < n && r->n_at < AT_REQUESTS; i++) {
        const sg17_msg_t *m = sg17_captured(ctx, p, i);
        uint8_t hash[V2X_PKI_HASH16], code = 0;
        const uint8_t *cert = NULL;
        size_t cert_len = 0;
        if (!m || vsim_enrol_at_response(s, m->payload, m->len, hash, &code, &cert, &cert_len)
            || code != V2X_PKI_OK || !cert)
            continue;
        for (unsigned k = 0; k < r->n_req; k++)
            if (r->key[k] && memcmp(r->hash[k], hash, V2X_PKI_HASH16) == 0
                && vsim_signer_adopt(&r->at[r->n_at], r->key[k], cert, cert_len) == 0) {
                r->key[k] = NULL; /* owned by the AT now */
                r->n_at++;
                sg17_metric_add(ctx, "attacker.ats_obtained", 1);
            }
    }
    const vsim_signer_t *own = r->outsider ? &r->rogue_ec : &r->revoked_ec;
    for (unsigned k = 0; k < count; k++) {
        const vsim_signer_t *sg = r->n_at ? &r->at[k % r->n_at] : own; /* one AT per ghost */
        vsim_cam_t c;
        ghost_cam(s, near, 60.0 + 15.0 * k, now, 0x7d000000u + k, &c);
        uint8_t spdu[V2X_SPDU_MAX];
        size_t len = 0;
        if (vsim_cam_build(s, sg, &c, true, spdu, sizeof spdu, &len) != 0) {
            sg17_log(ctx, "use_at: building the CAM failed");
            return -1;
        }
        inject_around(s, ctx, s->veh[near].e, c.x, c.y, spdu, len, 0xa7a7ULL + now + k);
    }
    return 0;
}

/* ---- the passive tracker ---- */

static int by_time(const void *a, const void *b)
{
    const pseudo_t *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first ? 1 : x->hid < y->hid ? -1 : 1;
}

static unsigned owner_of(const vsim_t *s, uint64_t hid)
{
    for (unsigned i = 0; i < s->n_veh; i++)
        for (unsigned k = 0; k < s->veh[i].n_pool; k++)
            if (s->veh[i].pool[k].hid == hid)
                return i;
    return UINT32_MAX;
}

/* A captured CAM as the tracker reads it: a signed SPDU with a generation time whose payload
 * parses as a CAM. */
static bool captured_cam(vsim_t *s, const sg17_msg_t *m, vsim_rx_t *rx, vsim_cam_t *c)
{
    memset(rx, 0, sizeof *rx);
    if (!m || v2x_spdu_decode(m->payload, m->len, &rx->spdu) != 0
        || rx->spdu.content != V2X_CONTENT_SIGNED || !rx->spdu.has_generation_time)
        return false;
    rx->gen = rx->spdu.generation_time - s->tai0;
    return vsim_cam_parse(s, rx, rx->gen, c) == 0;
}

/* Links each newly appearing pseudonym to the vanished one whose dead-reckoned position is
 * nearest (within a gate that grows with the gap), as a tracker with the whole capture does. */
int vsim_attack_track(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    vsim_t *s = instance;
    size_t n = sg17_captured_count(ctx, p);
    double max_gap = sg17_param_number(ctx, p, "max_gap", 10e6) / 1e6;
    pseudo_t *ps = calloc(n ? n : 1, sizeof *ps);
    size_t np = 0;
    if (!ps) {
        sg17_log(ctx, "track: out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        vsim_rx_t rx;
        vsim_cam_t c;
        if (!captured_cam(s, sg17_captured(ctx, p, i), &rx, &c))
            continue;
        uint64_t hid = vsim_hid(rx.spdu.digest);
        size_t j = 0;
        while (j < np && ps[j].hid != hid)
            j++;
        if (j == np) {
            ps[np++] = (pseudo_t){.hid = hid, .first = c.gen, .last = 0, .pred = -1};
        }
        if (c.gen >= ps[j].last) {
            ps[j].last = c.gen;
            ps[j].x = c.x, ps[j].y = c.y, ps[j].speed = c.speed, ps[j].heading = c.heading;
        }
        if (c.gen < ps[j].first)
            ps[j].first = c.gen;
    }
    qsort(ps, np, sizeof *ps, by_time);
    for (size_t j = 0; j < np; j++) {
        ps[j].vehicle = owner_of(s, ps[j].hid);
        ps[j].track = (int)j;
    }
    /* the first message of each pseudonym: where it appeared */
    double *fx = calloc(np ? np : 1, sizeof *fx), *fy = calloc(np ? np : 1, sizeof *fy);
    if (!fx || !fy) {
        free(fx), free(fy), free(ps);
        sg17_log(ctx, "track: out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        vsim_rx_t rx;
        vsim_cam_t c;
        if (!captured_cam(s, sg17_captured(ctx, p, i), &rx, &c))
            continue;
        uint64_t hid = vsim_hid(rx.spdu.digest);
        for (size_t j = 0; j < np; j++)
            if (ps[j].hid == hid && ps[j].first == c.gen)
                fx[j] = c.x, fy[j] = c.y;
    }
    for (size_t j = 0; j < np; j++) {
        double best = 1e18;
        int bi = -1;
        for (size_t q = 0; q < np; q++) {
            if (ps[q].has_succ || ps[q].last >= ps[j].first || q == j)
                continue;
            double gap = (double)(ps[j].first - ps[q].last) / 1e6;
            if (gap > max_gap)
                continue;
            double px = ps[q].x + ps[q].speed * gap * cos(ps[q].heading);
            double py = ps[q].y + ps[q].speed * gap * sin(ps[q].heading);
            double d = vsim_distance(px, py, fx[j], fy[j]);
            if (d < 10.0 + 8.0 * gap && d < best)
                best = d, bi = (int)q;
        }
        if (bi >= 0) {
            ps[j].pred = bi;
            ps[j].track = ps[bi].track;
            ps[bi].has_succ = true;
        }
    }
    /* scoring against the ground truth: each vehicle's consecutive pseudonyms */
    vsim_adversary_t *a = s->adv;
    a->tracked = true;
    a->changes = a->correct = a->linked = a->traced = a->vehicles_seen = 0;
    for (unsigned v = 0; v < s->n_veh; v++) {
        int first = -1, prev = -1;
        for (size_t j = 0; j < np; j++) {
            if (ps[j].vehicle != v)
                continue;
            if (first < 0)
                first = (int)j;
            if (prev >= 0) {
                a->changes++;
                if (ps[j].pred == prev)
                    a->correct++;
            }
            prev = (int)j;
        }
        if (first >= 0) {
            a->vehicles_seen++;
            if (ps[prev].track == ps[first].track)
                a->traced++;
        }
    }
    for (size_t j = 0; j < np; j++)
        a->linked += ps[j].pred >= 0;
    free(fx), free(fy), free(ps);
    return 0;
}

/* ---- platooning and emergency warnings ---- */

int vsim_attack_platoon_join(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    vsim_t *s = instance;
    const char *with = sg17_param(ctx, p, "with");
    unsigned i = (unsigned)sg17_param_number(ctx, p, "vehicle", s->n_veh - 1) % s->n_veh;
    sg17_time_t now = sg17_now(ctx);
    uint8_t req[8] = {'J', 'O', 'I', 'N'}, spdu[V2X_SPDU_MAX];
    size_t len = 0;
    int rc;
    sg17_store_be32(req + 4, 0x7d000000u + i);
    if (!with)
        with = "unsigned";
    if (strcmp(with, "unsigned") == 0) {
        rc = v2x_spdu_unsecured(req, sizeof req, spdu, sizeof spdu, &len);
    } else if (strcmp(with, "own_at") == 0) {
        /* an insider's ordinary AT: valid, but without the platoon SSP */
        vsim_vehicle_t *v = &s->veh[i];
        rc = vsim_sign(s, &v->pool[v->current], VSIM_PSID_PLATOON, now, 0, 0, req, sizeof req, true,
                       spdu, sizeof spdu, &len);
    } else {
        sg17_log(ctx, "platoon_join: with must be unsigned or own_at");
        return -1;
    }
    if (rc != 0) {
        sg17_log(ctx, "platoon_join: building the request failed");
        return -1;
    }
    sg17_inject(ctx, s->veh[i].e, s->veh[0].e, "v2x.platoon_join", spdu, len);
    return 0;
}

int vsim_attack_eavesdrop(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    vsim_t *s = instance;
    size_t n = sg17_captured_count(ctx, p);
    for (size_t i = 0; i < n; i++) {
        const sg17_msg_t *m = sg17_captured(ctx, p, i);
        v2x_spdu_t sp;
        v2x_gn_t gn;
        const uint8_t *body;
        size_t blen;
        v2x_denm_t d;
        if (!m || v2x_spdu_decode(m->payload, m->len, &sp) != 0)
            continue;
        s->adv->warnings_captured++;
        /* an encryptedData is opaque without a recipient's private key, which it lacks */
        if (sp.content == V2X_CONTENT_ENCRYPTED)
            continue;
        if (v2x_gn_decode(sp.payload, sp.payload_len, &gn, &body, &blen) == 0
            && v2x_denm_decode(body, blen, &d) == 0)
            s->adv->warnings_read++;
    }
    return 0;
}

void vsim_adversary_finish(vsim_t *s, sg17_ctx_t *ctx)
{
    vsim_adversary_t *a = s->adv;
    if (a->tracked) {
        sg17_metric_set(ctx, "tracker.changes", a->changes);
        sg17_metric_set(ctx, "tracker.links", a->linked);
        sg17_metric_set(ctx, "tracker.correct_links", a->correct);
        sg17_metric_set(ctx, "tracker.linkability", a->changes > 0 ? a->correct / a->changes : 0);
        sg17_metric_set(ctx, "tracker.traced",
                        a->vehicles_seen > 0 ? a->traced / a->vehicles_seen : 0);
    }
    sg17_metric_set(ctx, "attacker.warnings_captured", a->warnings_captured);
    sg17_metric_set(ctx, "attacker.warnings_read", a->warnings_read);
}

/* ---- false and replayed hazard warnings ---- */

void vsim_adversary_fake_denm(vsim_t *s, sg17_ctx_t *ctx, unsigned vehicle)
{
    vsim_adversary_t *a = s->adv;
    if (vehicle >= a->n_veh || !a->m[vehicle].fake_left
        || !sg17_compromised(ctx, s->veh[vehicle].e))
        return;
    misbehaver_t *b = &a->m[vehicle];
    vsim_vehicle_t *v = &s->veh[vehicle];
    sg17_time_t now = sg17_now(ctx);
    double x, y, sp, hd;
    vsim_vehicle_state(s, v, now, &x, &y, &sp, &hd);
    v2x_denm_t d;
    vsim_den_event(s, &d, v->station, b->fake_seq, b->fake_at, b->fake_at, b->fx, b->fy, 94, 2,
                   (uint32_t)(s->cfg.denm_validity / SG17_SEC));
    uint8_t spdu[V2X_SPDU_MAX];
    size_t len = 0;
    if (vsim_den_build(s, &v->pool[v->current], &d, now, x, y, spdu, sizeof spdu, &len) == 0) {
        vsim_truth_mark(s->truth, spdu, len);
        size_t n = vsim_radio_receivers(s, now, x, y, v->e, next(&b->rng), false);
        vsim_radio_send(s, ctx, v->e, n, "v2x.denm", spdu, len);
        sg17_metric_add(ctx, "attacker.fake_denms", 1);
    }
    if (--b->fake_left)
        sg17_timer(ctx, v->e, s->cfg.denm_interval, VSIM_T_FAKE);
}

/* For each event whose termination the capture holds (each event, when it holds none), the
 * latest captured DENM that is not the termination, rebroadcast around the event's position
 * (not to the originator). */
static int replay_denms(vsim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    enum { MAX_EVENTS = 64 };
    struct {
        uint32_t station;
        uint16_t seq;
        uint64_t ref;
        sg17_time_t gen;
        size_t idx;
        bool have, ended;
    } ev[MAX_EVENTS];
    bool any_ended = false;
    size_t n_ev = 0, n = sg17_captured_count(ctx, p);
    for (size_t i = 0; i < n; i++) {
        const sg17_msg_t *m = sg17_captured(ctx, p, i);
        v2x_spdu_t sp;
        v2x_gn_t gn;
        const uint8_t *body;
        size_t blen;
        v2x_denm_t d;
        if (!m || v2x_spdu_decode(m->payload, m->len, &sp) != 0 || sp.content != V2X_CONTENT_SIGNED
            || v2x_gn_decode(sp.payload, sp.payload_len, &gn, &body, &blen) != 0
            || v2x_denm_decode(body, blen, &d) != 0)
            continue;
        size_t j = 0;
        while (j < n_ev && !(ev[j].station == d.orig_station_id && ev[j].seq == d.sequence_number))
            j++;
        if (j == n_ev) {
            if (n_ev == MAX_EVENTS)
                continue;
            memset(&ev[j], 0, sizeof ev[j]);
            ev[j].station = d.orig_station_id, ev[j].seq = d.sequence_number;
            n_ev++;
        }
        if (d.has_termination) {
            ev[j].ended = any_ended = true;
            continue;
        }
        if (ev[j].have
            && (d.reference_time < ev[j].ref
                || (d.reference_time == ev[j].ref && sp.generation_time <= ev[j].gen)))
            continue;
        ev[j].ref = d.reference_time, ev[j].gen = sp.generation_time, ev[j].idx = i;
        ev[j].have = true;
    }
    sg17_time_t now = sg17_now(ctx);
    for (size_t j = 0; j < n_ev; j++) {
        if (!ev[j].have || (any_ended && !ev[j].ended))
            continue;
        const sg17_msg_t *m = sg17_captured(ctx, p, ev[j].idx);
        v2x_spdu_t sp;
        v2x_gn_t gn;
        const uint8_t *body;
        size_t blen;
        v2x_denm_t d;
        double ex, ey;
        if (v2x_spdu_decode(m->payload, m->len, &sp) != 0
            || v2x_gn_decode(sp.payload, sp.payload_len, &gn, &body, &blen) != 0
            || v2x_denm_decode(body, blen, &d) != 0)
            continue;
        vsim_from_latlon(d.event_pos.lat, d.event_pos.lon, &ex, &ey);
        size_t k = vsim_radio_receivers(s, now, ex, ey, m->claimed_src, 0xdeadULL + now + j, false);
        vsim_radio_inject(s, ctx, m->claimed_src, k, "v2x.denm", m->payload, m->len);
        sg17_metric_add(ctx, "attacker.replayed_denms", 1);
    }
    return 0;
}

int vsim_attack_denm(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    vsim_t *s = instance;
    const char *kind = sg17_param(ctx, p, "kind");
    if (kind && strcmp(kind, "replay") == 0) {
        if (!sg17_param(ctx, p, "capture")) {
            sg17_log(ctx, "denm: kind replay needs a capture");
            return -1;
        }
        return replay_denms(s, ctx, p);
    }
    if (kind && strcmp(kind, "fake_stationary") != 0) {
        sg17_log(ctx, "denm: kind '%s' is not fake_stationary or replay", kind);
        return -1;
    }
    unsigned i = (unsigned)sg17_param_number(ctx, p, "vehicle", 0);
    if (i >= s->n_veh || !sg17_compromised(ctx, s->veh[i].e)) {
        sg17_log(ctx, "denm: vehicle %u must be a compromised vehicle of the run (an insider)", i);
        return -1;
    }
    vsim_vehicle_t *v = &s->veh[i];
    misbehaver_t *b = &s->adv->m[i];
    sg17_time_t now = sg17_now(ctx);
    double ahead = sg17_param_number(ctx, p, "ahead", 150), x, y, sp, hd;
    vsim_vehicle_state(s, v, now, &x, &y, &sp, &hd);
    /* the spot of its own lane it will reach in ahead / speed seconds */
    vsim_vehicle_state(s, v, now + (sg17_time_t)(ahead / fmax(sp, 1.0) * 1e6), &b->fx, &b->fy, &sp,
                       &hd);
    b->fake_seq = ++v->denm_seq;
    b->fake_at = now;
    b->fake_left = (unsigned)sg17_param_number(ctx, p, "count", 10);
    if (!b->rng)
        b->rng = sg17_rand_u64(ctx);
    vsim_truth_attack_started(s->truth, i, now);
    sg17_timer(ctx, v->e, 1, VSIM_T_FAKE);
    return 0;
}
