/* road.c — the road graph and the kinematic model. Two roads: a multi-lane highway (a ring, so
 * nobody leaves it and positions never jump: each carriageway has `lanes` lanes, one direction
 * each) and an urban grid (blocks of BLOCK metres; each vehicle circles a rectangle of
 * streets, turning 90 degrees at its corners' intersections). A vehicle's position is a closed
 * form of time drawn from the seed at create: s(t) = s0 + v0 t + A sin(w t + phase) along its
 * path. Vehicles of one lane share v0 and keep their spacing (A is at most an eighth of it), so
 * the highway is collision-free; the grid's loops may share a street. */
#include <math.h>

#include "sim/v2x_sim.h"

#define BLOCK         120.0
#define M_PER_DEG_LAT 111320.0

static double wrap(double s, double len)
{
    double r = fmod(s, len);
    return r < 0 ? r + len : r;
}

void vsim_road_setup(vsim_t *s, sg17_ctx_t *ctx)
{
    unsigned n = s->n_veh;
    if (!s->grid) {
        unsigned lanes = (unsigned)s->cfg.lanes, per_lane = (n + 2 * lanes - 1) / (2 * lanes);
        s->road_len = fmax(1500.0, per_lane * s->cfg.spacing);
        s->ring_r = s->road_len / (2 * M_PI);
        double lane_v[64];
        for (unsigned k = 0; k < 2 * lanes && k < 64; k++)
            lane_v[k] = vsim_rand_range(ctx, 24.0, 34.0);
        for (unsigned i = 0; i < n; i++) {
            vsim_vehicle_t *v = &s->veh[i];
            unsigned k = i % (2 * lanes), slot = i / (2 * lanes);
            v->lane = k < lanes ? (int)k + 1 : -(int)(k - lanes + 1);
            double gap = s->road_len / per_lane;
            v->s0 = slot * gap + vsim_rand_range(ctx, 0, gap / 4);
            v->v0 = lane_v[k % 64];
            v->amp = vsim_rand_range(ctx, 0, gap / 8);
            v->omega = vsim_rand_range(ctx, 0.05, 0.25);
            v->phase = vsim_rand_range(ctx, 0, 2 * M_PI);
        }
    } else {
        unsigned side = 3;
        while (side * side * 3 < n && side < 200)
            side++;
        s->grid_w = side * BLOCK;
        for (unsigned i = 0; i < n; i++) {
            vsim_vehicle_t *v = &s->veh[i];
            unsigned a = 1 + (unsigned)(sg17_rand_u64(ctx) % 2),
                     b = 1 + (unsigned)(sg17_rand_u64(ctx) % 2);
            unsigned i0 = (unsigned)(sg17_rand_u64(ctx) % (side - a + 1));
            unsigned j0 = (unsigned)(sg17_rand_u64(ctx) % (side - b + 1));
            v->gx0 = i0 * BLOCK, v->gy0 = j0 * BLOCK;
            v->gw = a * BLOCK, v->gh = b * BLOCK;
            v->path_len = 2 * (v->gw + v->gh);
            v->lane = (sg17_rand_u64(ctx) & 1) ? 1 : -1; /* counter-clockwise or clockwise */
            v->s0 = vsim_rand_range(ctx, 0, v->path_len);
            v->v0 = vsim_rand_range(ctx, 8.0, 13.0);
            v->amp = vsim_rand_range(ctx, 0, 4.0);
            v->omega = vsim_rand_range(ctx, 0.1, 0.4);
            v->phase = vsim_rand_range(ctx, 0, 2 * M_PI);
        }
    }
}

static double along(const vsim_vehicle_t *v, sg17_time_t t, double *speed)
{
    double ts = (double)t / 1e6;
    *speed = v->v0 + v->amp * v->omega * cos(v->omega * ts + v->phase);
    return v->s0 + v->v0 * ts + v->amp * sin(v->omega * ts + v->phase) - v->amp * sin(v->phase);
}

/* The same with a breakdown (den.c): from brake_at the vehicle brakes at `decel` until it stands.
 * *progress: how far through the braking it is (0 before, 1 standing). */
static double along_braking(const vsim_vehicle_t *v, sg17_time_t t, double *speed, double *progress)
{
    *progress = 0;
    if (!v->brake_at || t <= v->brake_at)
        return along(v, t, speed);
    double vb, sb = along(v, v->brake_at, &vb), tb = (double)(t - v->brake_at) / 1e6;
    double stop = vb / v->decel;
    if (tb >= stop) {
        *speed = 0, *progress = 1;
        return sb + vb * vb / (2 * v->decel);
    }
    *speed = vb - v->decel * tb, *progress = tb / stop;
    return sb + vb * tb - v->decel * tb * tb / 2;
}

sg17_time_t vsim_vehicle_stop_time(const vsim_t *s, const vsim_vehicle_t *v)
{
    (void)s;
    if (!v->brake_at)
        return 0;
    double vb;
    along(v, v->brake_at, &vb);
    return v->brake_at + (sg17_time_t)ceil(vb / v->decel * 1e6);
}

double vsim_vehicle_odometer(const vsim_vehicle_t *v, sg17_time_t t)
{
    double sp, pr;
    return along_braking(v, t, &sp, &pr) - v->s0;
}

/* The rectangle loop of a grid vehicle, driving on the right of its direction: counter-clockwise
 * (lane 1) on the block rectangle grown by half a lane, clockwise (lane -1) on it shrunk by half a
 * lane, so that the path is continuous round the corners. */
static void grid_point(const vsim_vehicle_t *v, double s, double *x, double *y, double *heading)
{
    double off = v->lane > 0 ? -VSIM_LANE_WIDTH / 2 : VSIM_LANE_WIDTH / 2;
    double w = v->gw - 2 * off, h = v->gh - 2 * off, p = wrap(s, 2 * (w + h));
    double lx, ly, hd;
    if (v->lane > 0) { /* ccw: east, north, west, south */
        if (p < w)
            lx = p, ly = 0, hd = 0;
        else if (p < w + h)
            lx = w, ly = p - w, hd = M_PI / 2;
        else if (p < 2 * w + h)
            lx = w - (p - w - h), ly = h, hd = M_PI;
        else
            lx = 0, ly = h - (p - 2 * w - h), hd = -M_PI / 2;
    } else { /* cw: north, east, south, west */
        if (p < h)
            lx = 0, ly = p, hd = M_PI / 2;
        else if (p < w + h)
            lx = p - h, ly = h, hd = 0;
        else if (p < w + 2 * h)
            lx = w, ly = h - (p - w - h), hd = -M_PI / 2;
        else
            lx = w - (p - w - 2 * h), ly = 0, hd = M_PI;
    }
    *x = v->gx0 + off + lx, *y = v->gy0 + off + ly, *heading = hd;
}

void vsim_vehicle_state(const vsim_t *s, const vsim_vehicle_t *v, sg17_time_t t, double *x,
                        double *y, double *speed, double *heading)
{
    double sp, pr, a = along_braking(v, t, &sp, &pr);
    *speed = sp;
    if (s->grid) {
        grid_point(v, a, x, y, heading);
    } else {
        int dir = v->lane > 0 ? 1 : -1;
        /* direction +1 on the outer carriageway, -1 on the inner one */
        double r = s->ring_r + dir * (dir * v->lane - 0.5) * VSIM_LANE_WIDTH;
        double th = dir * a / s->ring_r;
        *x = r * cos(th), *y = r * sin(th);
        *heading = th + dir * M_PI / 2;
    }
    if (pr > 0) { /* a breakdown: it steers onto the hard shoulder, on its right, as it brakes */
        *x += pr * v->shoulder * sin(*heading);
        *y -= pr * v->shoulder * cos(*heading);
    }
}

void vsim_road_random_point(const vsim_t *s, sg17_ctx_t *ctx, double *x, double *y)
{
    if (s->grid) {
        *x = vsim_rand_range(ctx, 0, s->grid_w);
        *y = floor(vsim_rand_range(ctx, 0, s->grid_w / BLOCK)) * BLOCK;
        return;
    }
    double th = vsim_rand_range(ctx, 0, 2 * M_PI);
    *x = s->ring_r * cos(th), *y = s->ring_r * sin(th);
}

/* A local tangent plane at (VSIM_LAT0, VSIM_LON0): good to centimetres over a few kilometres. */
void vsim_to_latlon(double x, double y, int32_t *lat, int32_t *lon)
{
    double lat0 = VSIM_LAT0 / 1e7;
    *lat = VSIM_LAT0 + (int32_t)lround(y / M_PER_DEG_LAT * 1e7);
    *lon = VSIM_LON0 + (int32_t)lround(x / (M_PER_DEG_LAT * cos(lat0 * M_PI / 180)) * 1e7);
}

void vsim_from_latlon(int32_t lat, int32_t lon, double *x, double *y)
{
    double lat0 = VSIM_LAT0 / 1e7;
    *y = (double)(lat - VSIM_LAT0) / 1e7 * M_PER_DEG_LAT;
    *x = (double)(lon - VSIM_LON0) / 1e7 * M_PER_DEG_LAT * cos(lat0 * M_PI / 180);
}
