/* radio.c — the radio channel: who hears a transmission. Every vehicle within radio_range of the
 * sender, each reception lost with a probability that grows with the square of the distance
 * (radio_loss at the edge of the range: free-space fading of ITS-G5 at 5.9 GHz, roughly). The
 * vehicles' positions are refreshed every 100 ms of virtual time into a grid of cells one range
 * wide, so finding the neighbours costs the neighbourhood, not the fleet. A transmission is one
 * sg17_send_many: the ledger then has one send and a delivery per receiver. */
#include <math.h>
#include <stdlib.h>

#include "sim/v2x_sim.h"

#define REFRESH (100 * SG17_MSEC)

double vsim_distance(double ax, double ay, double bx, double by)
{
    return hypot(ax - bx, ay - by);
}

/* splitmix64: the loss draw of one reception, a pure function of its inputs. */
static uint64_t mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void vsim_radio_refresh(vsim_t *s, sg17_time_t now)
{
    if (s->grid_valid && now >= s->grid_at && now - s->grid_at < REFRESH)
        return;
    s->grid_at = now - now % REFRESH;
    s->grid_valid = true;
    double minx = 1e18, miny = 1e18, maxx = -1e18, maxy = -1e18;
    for (unsigned i = 0; i < s->n_veh; i++) {
        double sp, hd;
        vsim_vehicle_state(s, &s->veh[i], now, &s->px[i], &s->py[i], &sp, &hd);
        minx = fmin(minx, s->px[i]), miny = fmin(miny, s->py[i]);
        maxx = fmax(maxx, s->px[i]), maxy = fmax(maxy, s->py[i]);
    }
    s->min_x = minx - 1, s->min_y = miny - 1;
    unsigned cx = (unsigned)((maxx - s->min_x) / s->cell) + 1;
    unsigned cy = (unsigned)((maxy - s->min_y) / s->cell) + 1;
    if ((size_t)cx * cy > (size_t)s->cells_x * s->cells_y) {
        int *h = realloc(s->cell_head, (size_t)cx * cy * sizeof *h);
        if (!h) { /* keep the old grid: one cell holds all (correct, slower) */
            cx = cy = 1;
        } else {
            s->cell_head = h;
        }
    }
    s->cells_x = cx, s->cells_y = cy;
    for (size_t c = 0; c < (size_t)cx * cy; c++)
        s->cell_head[c] = -1;
    for (unsigned i = s->n_veh; i-- > 0;) {
        unsigned gx = (unsigned)((s->px[i] - s->min_x) / s->cell);
        unsigned gy = (unsigned)((s->py[i] - s->min_y) / s->cell);
        if (gx >= cx)
            gx = cx - 1;
        if (gy >= cy)
            gy = cy - 1;
        size_t c = (size_t)gy * cx + gx;
        s->cell_next[i] = s->cell_head[c];
        s->cell_head[c] = (int)i;
    }
}

/* Calls fn for every vehicle within r (+ a margin for 100 ms of driving) of (x, y), in index order
 * within each cell. */
#define MARGIN 8.0

size_t vsim_radio_receivers(vsim_t *s, sg17_time_t now, double x, double y, sg17_entity_t self,
                            uint64_t tx_id, bool with_rsus)
{
    vsim_radio_refresh(s, now);
    double range = s->cfg.radio_range;
    size_t n = 0;
    int gx0 = (int)floor((x - range - MARGIN - s->min_x) / s->cell);
    int gy0 = (int)floor((y - range - MARGIN - s->min_y) / s->cell);
    int gx1 = (int)floor((x + range + MARGIN - s->min_x) / s->cell);
    int gy1 = (int)floor((y + range + MARGIN - s->min_y) / s->cell);
    if (gx0 < 0)
        gx0 = 0;
    if (gy0 < 0)
        gy0 = 0;
    if (gx1 >= (int)s->cells_x)
        gx1 = (int)s->cells_x - 1;
    if (gy1 >= (int)s->cells_y)
        gy1 = (int)s->cells_y - 1;
    for (int gy = gy0; gy <= gy1; gy++)
        for (int gx = gx0; gx <= gx1; gx++)
            for (int i = s->cell_head[(size_t)gy * s->cells_x + (size_t)gx]; i >= 0;
                 i = s->cell_next[i]) {
                vsim_vehicle_t *v = &s->veh[i];
                if (v->e == self)
                    continue;
                double px, py, sp, hd;
                vsim_vehicle_state(s, v, now, &px, &py, &sp, &hd);
                double d = vsim_distance(x, y, px, py);
                if (d > range)
                    continue;
                double loss = s->cfg.radio_loss * (d / range) * (d / range);
                double u = (double)(mix(s->loss_seed ^ mix(tx_id ^ ((uint64_t)v->e << 40))) >> 11)
                           / 9007199254740992.0;
                if (u < loss)
                    continue;
                s->dsts[n++] = v->e;
            }
    for (unsigned k = 0; with_rsus && k < s->n_rsu; k++)
        if (s->rsu[k] != self && vsim_distance(x, y, s->rsu_x[k], s->rsu_y[k]) <= range)
            s->dsts[n++] = s->rsu[k];
    return n;
}

void vsim_radio_send(vsim_t *s, sg17_ctx_t *ctx, sg17_entity_t src, size_t n, const char *type,
                     const uint8_t *p, size_t len)
{
    if (n == 0)
        return;
    if (SG17_API_HAS(ctx, send_many)) {
        sg17_send_many(ctx, src, s->dsts, n, type, p, len);
        return;
    }
    for (size_t i = 0; i < n; i++)
        sg17_send(ctx, src, s->dsts[i], type, p, len);
}

void vsim_radio_inject(vsim_t *s, sg17_ctx_t *ctx, sg17_entity_t claimed, size_t n,
                       const char *type, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < n; i++)
        sg17_inject(ctx, claimed, s->dsts[i], type, p, len);
}

bool vsim_radio_sensed(const vsim_t *s, unsigned self, double x, double y, double r)
{
    if (!s->grid_valid)
        return false;
    int gx0 = (int)floor((x - r - MARGIN - s->min_x) / s->cell);
    int gy0 = (int)floor((y - r - MARGIN - s->min_y) / s->cell);
    int gx1 = (int)floor((x + r + MARGIN - s->min_x) / s->cell);
    int gy1 = (int)floor((y + r + MARGIN - s->min_y) / s->cell);
    for (int gy = gy0 < 0 ? 0 : gy0; gy <= gy1 && gy < (int)s->cells_y; gy++)
        for (int gx = gx0 < 0 ? 0 : gx0; gx <= gx1 && gx < (int)s->cells_x; gx++)
            for (int i = s->cell_head[(size_t)gy * s->cells_x + (size_t)gx]; i >= 0;
                 i = s->cell_next[i])
                if ((unsigned)i != self && vsim_distance(x, y, s->px[i], s->py[i]) <= r + MARGIN)
                    return true;
    return false;
}
