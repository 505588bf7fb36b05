/* sim/inference.c — occupancy inference from consumption data or traffic, shared by the
 * eavesdropper (attacks.c) and the third party (thirdparty.c), and its scoring against the
 * households' ground truth. A reading is "active" when someone is home and awake. */
#include <stdlib.h>

#include "sim/metering_sim.h"

void msim_score(double *c1, double *t1, double *c0, double *t0, bool truth, bool guess)
{
    if (truth) {
        *t1 += 1;
        *c1 += guess;
    } else {
        *t0 += 1;
        *c0 += !guess;
    }
}

void msim_classify(const uint32_t *wh, size_t n, bool *guess)
{
    double mean = 0;
    for (size_t k = 0; k < n; k++)
        mean += wh[k];
    mean = n ? mean / (double)n : 0;
    for (size_t k = 0; k < n; k++)
        guess[k] = wh[k] > mean;
}

/* Gap before frame k in milliseconds (the first frame takes its successor's gap). */
static sg17_time_t frame_gap(const sg17_time_t *at, size_t n, size_t k)
{
    if (k == 0)
        return n > 1 ? frame_gap(at, n, 1) : 0;
    return (at[k] > at[k - 1] ? at[k] - at[k - 1] : 0) / SG17_MSEC;
}

int msim_classify_traffic(const uint32_t *len, const sg17_time_t *at, size_t n, bool *guess)
{
    if (n == 0)
        return 0;
    uint32_t *early = malloc(n * sizeof *early);
    bool *soon = malloc(n * sizeof *soon);
    if (!early || !soon) {
        free(early);
        free(soon);
        return -1;
    }
    sg17_time_t longest = 0;
    for (size_t k = 0; k < n; k++)
        if (frame_gap(at, n, k) > longest)
            longest = frame_gap(at, n, k);
    for (size_t k = 0; k < n; k++) { /* how much sooner than the longest gap the frame came */
        sg17_time_t d = longest - frame_gap(at, n, k);
        early[k] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
    }
    msim_classify(len, n, guess);
    msim_classify(early, n, soon);
    for (size_t k = 0; k < n; k++)
        guess[k] = guess[k] || soon[k];
    free(early);
    free(soon);
    return 0;
}
