/* instance.c — building, starting, finishing and freeing a v2x run: the configuration as the core
 * filled it, the road and every vehicle's kinematics, the RSUs along the road, the PKI (root CA,
 * EA, AA, MA; each vehicle's pool of ATs and its encryption certificate, or with `pki: bus` the
 * EA's registry of canonical keys), the caches, and the first timers. Virtual time 0 is
 * 2026-01-01T00:00:00Z (Time64, TAI). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/v2x_sim.h"

#define RUN_EPOCH_UNIX_US 1767225600000000LL /* 2026-01-01T00:00:00Z */

double vsim_rand_range(sg17_ctx_t *ctx, double lo, double hi)
{
    return lo + (hi - lo) * sg17_rand_double(ctx);
}

void vsim_destroy(void *instance)
{
    vsim_t *s = instance;
    if (!s)
        return;
    for (unsigned i = 0; s->veh && i < s->n_veh; i++) {
        vsim_vehicle_t *v = &s->veh[i];
        for (unsigned k = 0; k < v->n_pool; k++)
            vsim_signer_free(&v->pool[k]);
        vsim_signer_free(&v->enc);
        vsim_peers_free(&v->peers);
    }
    vsim_signer_free(&s->root);
    vsim_signer_free(&s->ea_s);
    vsim_signer_free(&s->aa_s);
    vsim_signer_free(&s->ma_s);
    for (unsigned k = 0; k < VSIM_MAX_RSUS; k++)
        free(s->rsu_msg[k]);
    vsim_crl_free(s);
    vsim_certs_free(s->certs);
    vsim_vcache_free(s->vcache);
    vsim_den_free(s->den, s->n_veh);
    vsim_enrol_free(s->enrol, s->n_veh);
    vsim_adversary_free(s->adv);
    vsim_truth_free(s->truth);
    free(s->mbr);
    free(s->veh);
    free(s->px);
    free(s->py);
    free(s->cell_head);
    free(s->cell_next);
    free(s->dsts);
    free(s);
}

static int place(vsim_t *s, sg17_ctx_t *ctx)
{
    for (unsigned i = 0; i < s->n_veh; i++) {
        vsim_vehicle_t *v = &s->veh[i];
        v->e = sg17_entity(ctx, "vehicle", i);
        v->index = i;
        v->n_pool = s->pki_bus ? 0 : (unsigned)s->cfg.pool_size; /* bus: requested in the run */
        v->station = (uint32_t)(sg17_rand_u64(ctx) % 4000000000u) + 1000;
    }
    vsim_road_setup(s, ctx);
    for (unsigned k = 0; k < s->n_rsu; k++) {
        s->rsu[k] = sg17_entity(ctx, "rsu", k);
        if (s->grid) {
            s->rsu_x[k] = s->rsu_y[k] = (k + 0.5) * s->grid_w / s->n_rsu;
        } else {
            double th = 2 * M_PI * k / s->n_rsu;
            s->rsu_x[k] = (s->ring_r + 10) * cos(th), s->rsu_y[k] = (s->ring_r + 10) * sin(th);
        }
    }
    return 0;
}

void *vsim_create(sg17_ctx_t *ctx, const void *config)
{
    const vsim_config_t *cfg = config;
    const char *road = cfg->road ? cfg->road : "";
    const char *pki = cfg->pki ? cfg->pki : "";
    vsim_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cfg = *cfg;
    s->cfg.road = NULL; /* borrowed: read here */
    s->cfg.pki = NULL;
    s->n_veh = sg17_count(ctx, "vehicle");
    s->n_rsu = sg17_count(ctx, "rsu");
    if (strcmp(road, "highway") != 0 && strcmp(road, "grid") != 0) {
        sg17_log(ctx, "road: '%s' is neither highway nor grid", road);
        free(s);
        return NULL;
    }
    if (s->n_veh < 2 || s->n_veh > VSIM_MAX_VEHICLES || s->n_rsu > VSIM_MAX_RSUS
        || s->cfg.pool_size < 1 || s->cfg.pool_size > VSIM_MAX_POOL || s->cfg.cam_rate <= 0) {
        sg17_log(ctx, "v2x needs 2-%d vehicles, at most %d RSUs, pool_size 1-%d", VSIM_MAX_VEHICLES,
                 VSIM_MAX_RSUS, VSIM_MAX_POOL);
        free(s);
        return NULL;
    }
    if (strcmp(pki, "preloaded") != 0 && strcmp(pki, "bus") != 0) {
        sg17_log(ctx, "pki: '%s' is neither preloaded nor bus", pki);
        free(s);
        return NULL;
    }
    s->grid = strcmp(road, "grid") == 0;
    s->pki_bus = strcmp(pki, "bus") == 0;
    s->rca = sg17_entity(ctx, "rca", 0);
    s->ea = sg17_entity(ctx, "ea", 0);
    s->aa = sg17_entity(ctx, "aa", 0);
    s->ma = sg17_entity(ctx, "ma", 0);
    s->tai0 = v2x_time64_from_unix_us(RUN_EPOCH_UNIX_US);
    s->loss_seed = sg17_rand_u64(ctx);
    s->cell = fmax(50.0, s->cfg.radio_range);
    s->veh = calloc(s->n_veh, sizeof *s->veh);
    s->px = calloc(s->n_veh, sizeof *s->px);
    s->py = calloc(s->n_veh, sizeof *s->py);
    s->cell_next = calloc(s->n_veh, sizeof *s->cell_next);
    s->cell_head = calloc(1, sizeof *s->cell_head);
    s->cells_x = s->cells_y = 1;
    s->dsts = calloc(s->n_veh + s->n_rsu + 1, sizeof *s->dsts);
    s->certs = vsim_certs_new();
    s->vcache = vsim_vcache_new();
    s->adv = vsim_adversary_new(s->n_veh);
    s->truth = vsim_truth_new();
    if (!s->veh || !s->px || !s->py || !s->cell_next || !s->cell_head || !s->dsts || !s->certs
        || !s->vcache || !s->adv || !s->truth || place(s, ctx) != 0 || vsim_pki_setup(s, ctx) != 0
        || !(s->den = vsim_den_new(s, ctx))
        || (s->pki_bus
            && (!(s->enrol = vsim_enrol_new(s, ctx))
                || vsim_adversary_provision_ec(s, ctx) != 0))) {
        sg17_log(ctx, "v2x: set-up failed (out of memory, or the PKI could not be issued)");
        vsim_destroy(s);
        return NULL;
    }
    /* the CRL every vehicle holds at the start (entries revoked before the run) */
    if (vsim_crl_initial(s) != 0) {
        sg17_log(ctx, "v2x: the initial CRL could not be built");
        vsim_destroy(s);
        return NULL;
    }
    return s;
}

void vsim_vehicle_arm(vsim_t *s, sg17_ctx_t *ctx, vsim_vehicle_t *v)
{
    sg17_time_t period = (sg17_time_t)(1e6 / s->cfg.cam_rate);
    unsigned i = v->index;
    /* CAM phases spread over one period (a deterministic permutation) */
    sg17_timer(ctx, v->e, ((sg17_time_t)i * 7919 * SG17_MSEC) % period + 1, VSIM_T_CAM);
    if ((int64_t)i < s->cfg.emergency_vehicles && s->cfg.event_interval > 0)
        sg17_timer(ctx, v->e, s->cfg.event_interval + i * 10 * SG17_MSEC, VSIM_T_EVENT);
    if (i >= 1 && (int64_t)i <= s->cfg.platoon_joiners)
        sg17_timer(ctx, v->e, SG17_SEC + i * 50 * SG17_MSEC, VSIM_T_JOIN);
}

void vsim_start(void *instance, sg17_ctx_t *ctx)
{
    vsim_t *s = instance;
    if (s->pki_bus) /* each vehicle is armed once its AT pool came over the bus */
        vsim_enrol_start(s, ctx);
    else
        for (unsigned i = 0; i < s->n_veh; i++)
            vsim_vehicle_arm(s, ctx, &s->veh[i]);
    for (unsigned k = 0; k < s->n_rsu; k++)
        sg17_timer(ctx, s->rsu[k], s->cfg.crl_interval, VSIM_T_CRL);
    vsim_den_start(s, ctx);
}

void vsim_finish(void *instance, sg17_ctx_t *ctx)
{
    vsim_t *s = instance;
    sg17_metric_set(ctx, "platoon.size", 1.0 + s->platoon_members);
    sg17_metric_set(ctx, "pki.crl_entries", (double)s->n_crl);
    vsim_truth_finish(s->truth, ctx);
    vsim_adversary_finish(s, ctx);
}
