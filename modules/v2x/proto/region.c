/* region.c — geographic regions of certificates (IEEE 1609.2 §6.4.17-6.4.22): containment of a
 * location in a circular or rectangular region, and of one region in another (the issuer's), on
 * a spherical earth. */
#include <math.h>

#include "v2x_proto.h"

static double rad(int32_t v)
{
    return (double)v * 1e-7 * M_PI / 180.0;
}

/* Great-circle distance in metres (haversine, mean earth radius). */
static double distance_m(v2x_2dloc_t a, v2x_2dloc_t b)
{
    double dlat = rad(b.lat) - rad(a.lat), dlon = rad(b.lon) - rad(a.lon);
    double h = sin(dlat / 2) * sin(dlat / 2)
               + cos(rad(a.lat)) * cos(rad(b.lat)) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * 6371008.8 * asin(sqrt(h < 1 ? h : 1));
}

static bool rect_contains(v2x_2dloc_t nw, v2x_2dloc_t se, v2x_2dloc_t p)
{
    return p.lat <= nw.lat && p.lat >= se.lat && p.lon >= nw.lon && p.lon <= se.lon;
}

bool v2x_region_contains(const v2x_region_t *r, v2x_2dloc_t loc)
{
    switch (r->kind) {
    case V2X_REGION_NONE:
        return true;
    case V2X_REGION_CIRCLE:
        return distance_m(r->center, loc) <= (double)r->radius_m;
    case V2X_REGION_RECT:
        for (size_t i = 0; i < r->n_rects && i < V2X_MAX_RECTS; i++)
            if (rect_contains(r->rects[i].nw, r->rects[i].se, loc))
                return true;
        return false;
    }
    return false;
}

/* The four corners of a rectangle. */
static void corners(v2x_2dloc_t nw, v2x_2dloc_t se, v2x_2dloc_t out[4])
{
    out[0] = nw;
    out[1] = se;
    out[2] = (v2x_2dloc_t){nw.lat, se.lon};
    out[3] = (v2x_2dloc_t){se.lat, nw.lon};
}

bool v2x_region_within(const v2x_region_t *inner, const v2x_region_t *outer)
{
    if (outer->kind == V2X_REGION_NONE)
        return true;
    if (inner->kind == V2X_REGION_NONE)
        return false;
    if (inner->kind == V2X_REGION_CIRCLE) {
        if (outer->kind == V2X_REGION_CIRCLE)
            return distance_m(inner->center, outer->center) + inner->radius_m
                   <= (double)outer->radius_m;
        /* the circle's bounding box must lie in one rectangle */
        double dlat = inner->radius_m / 111194.9 * 1e7;
        double c = cos(rad(inner->center.lat));
        double dlon = c > 1e-6 ? dlat / c : 1.8e9;
        v2x_2dloc_t nw = {(int32_t)fmin(inner->center.lat + dlat, 9e8),
                          (int32_t)fmax(inner->center.lon - dlon, -1.8e9)};
        v2x_2dloc_t se = {(int32_t)fmax(inner->center.lat - dlat, -9e8),
                          (int32_t)fmin(inner->center.lon + dlon, 1.8e9)};
        for (size_t i = 0; i < outer->n_rects; i++)
            if (rect_contains(outer->rects[i].nw, outer->rects[i].se, nw)
                && rect_contains(outer->rects[i].nw, outer->rects[i].se, se))
                return true;
        return false;
    }
    for (size_t i = 0; i < inner->n_rects; i++) {
        v2x_2dloc_t c4[4];
        corners(inner->rects[i].nw, inner->rects[i].se, c4);
        bool in = false;
        if (outer->kind == V2X_REGION_CIRCLE) {
            in = true;
            for (int k = 0; k < 4; k++)
                in = in && v2x_region_contains(outer, c4[k]);
        } else {
            for (size_t j = 0; j < outer->n_rects && !in; j++)
                in = rect_contains(outer->rects[j].nw, outer->rects[j].se, c4[0])
                     && rect_contains(outer->rects[j].nw, outer->rects[j].se, c4[1]);
        }
        if (!in)
            return false;
    }
    return true;
}
