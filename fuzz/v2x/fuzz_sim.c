/* fuzz_sim.c — every v2x entity that reads bytes off the bus (vehicle: CAM, DENM, CRL, platoon
 * join, EC and AT responses; RSU: CRL; MA: report; AA: revocation, AT request and validation
 * response; EA: EC request and validation request; root CA) on arbitrary input, through the
 * strict mock context (tests/support/mock_ctx.h): a delivery reported never or twice, an
 * undeclared reason or metric, a send outside the run traps like a crash.
 *
 * Input: octet 0 = the route (message type and receiver), octet 1 bit 0-2 = three mitigations
 * off (signature_verification, cert_checks, freshness_check), bit 3 = derived payload (the rest
 * is XORed onto a genuine message of the route's type recorded from the run, and extends it),
 * the rest = the payload. The fleet is rebuilt every REBUILD inputs so its per-sender tables stay
 * small. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mock_ctx.h"
#include "sim/v2x_sim.h"

extern const sg17_module_t sg17_module;

#define REBUILD 2048

static const struct {
    const char *type, *dst;
} routes[] = {
    {"v2x.cam", "vehicle-0"},
    {"v2x.denm", "vehicle-1"},
    {"v2x.crl", "vehicle-2"},
    {"v2x.platoon_join", "vehicle-0"},
    {"v2x.crl", "rsu-0"},
    {"v2x.mbr", "ma-0"},
    {"v2x.revoke", "aa-0"},
    {"v2x.cam", "rca-0"},
    {"v2x.cam", "rsu-0"},
    {"v2x.ec_request", "ea-0"},
    {"v2x.av_request", "ea-0"},
    {"v2x.at_request", "aa-0"},
    {"v2x.av_response", "aa-0"},
    {"v2x.ec_response", "vehicle-1"},
    {"v2x.at_response", "vehicle-2"},
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

static sg17_mock_t *mocks[8];
static unsigned uses[8];
static uint8_t genuine[N_ROUTES][V2X_SPDU_MAX];
static size_t genuine_len[N_ROUTES];

static sg17_mock_t *build(unsigned flags)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "vehicle", 4);
    sg17_mock_topology(m, "rsu", 1);
    sg17_mock_config(m, "emergency_vehicles", "1");
    sg17_mock_config(m, "event_interval", "500ms");
    sg17_mock_config(m, "platoon_joiners", "1");
    sg17_mock_config(m, "breakdowns", "1"); /* vehicle-3: DENMs of hazard events (den.c) */
    sg17_mock_config(m, "breakdown_at", "100ms");
    sg17_mock_config(m, "pki", "bus"); /* enrolment and AT requests over the bus (enrol.c) */
    sg17_mock_mitigation(m, "signature_verification", !(flags & 1));
    sg17_mock_mitigation(m, "cert_checks", !(flags & 2));
    sg17_mock_mitigation(m, "freshness_check", !(flags & 4));
    if (sg17_mock_create(m) != 0)
        abort();
    sg17_mock_start(m);
    sg17_mock_run_until(m, 1500 * SG17_MSEC);
    for (size_t i = 0; i < sg17_mock_send_count(m); i++) { /* a genuine message of each type */
        const sg17_mock_send_t *s = sg17_mock_send(m, i);
        for (size_t r = 0; r < N_ROUTES; r++)
            if (!genuine_len[r] && strcmp(s->type, routes[r].type) == 0 && s->len <= V2X_SPDU_MAX) {
                memcpy(genuine[r], s->payload, s->len);
                genuine_len[r] = s->len;
            }
    }
    sg17_mock_clear(m);
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned route = data[0] % N_ROUTES, flags = data[1] & 7;
    if (!mocks[flags] || ++uses[flags] > REBUILD) {
        if (mocks[flags])
            sg17_mock_free(mocks[flags]);
        mocks[flags] = build(flags);
        uses[flags] = 0;
    }
    sg17_mock_t *m = mocks[flags];
    uint8_t buf[V2X_SPDU_MAX * 2];
    const uint8_t *in = data + 2;
    size_t n = size - 2;
    if (n > sizeof buf)
        n = sizeof buf;
    size_t len = n;
    if (data[1] & 8) {
        len = genuine_len[route] > n ? genuine_len[route] : n;
        memcpy(buf, genuine[route], genuine_len[route]);
        memset(buf + genuine_len[route], 0, len - genuine_len[route]);
        for (size_t i = 0; i < n; i++)
            buf[i] ^= in[i];
    } else {
        memcpy(buf, in, n);
    }
    sg17_mock_deliver(m, sg17_mock_entity(m, "vehicle-3"), sg17_mock_entity(m, routes[route].dst),
                      routes[route].type, buf, len);
    sg17_mock_clear(m);
    return 0;
}
