/* fuzz_sim.c — every iaas entity that reads bytes off the bus (api, compute, vm, image, metadata,
 * netsvc, audit, user, outside) on arbitrary payloads, through the strict mock context
 * (tests/support/mock_ctx.h): a delivery reported exactly once with a declared reason, replies only
 * to entities of the run, no crash. The instance is warmed up once (volumes, images, VMs booted)
 * and made afresh every RECREATE_EVERY inputs, with the mitigations of the input that comes then
 * (and freed at exit, which removes its scratch files).
 *
 * Input: octet 0 = mitigations 0-7, octet 1 = mitigations 8-13 (in the descriptor's order),
 * octet 2 = the route (message type and receiving entity), octet 3 = the claimed source (an
 * entity of the run), the rest = the payload. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mock_ctx.h"
#include "sim/iaas_sim.h"

extern const sg17_module_t sg17_module;

#define RECREATE_EVERY 512

static const struct {
    const char *type, *dst;
} routes[] = {
    {"iaas.api_request", "api-0"},       {"iaas.imds_request", "metadata-0"},
    {"iaas.imds_request", "metadata-1"}, {"iaas.imds_response", "vm-0"},
    {"iaas.app_request", "vm-0"},        {"iaas.probe", "vm-1"},
    {"iaas.guest_exec", "vm-3"},         {"iaas.api_response", "vm-2"},
    {"iaas.store_write", "image-0"},     {"iaas.probe", "netsvc-0"},
    {"iaas.audit_record", "audit-0"},    {"iaas.audit_anchor", "audit-0"},
    {"iaas.migration", "compute-1"},     {"iaas.api_response", "user-0"},
    {"iaas.app_response", "outside-0"},  {"iaas.api_response", "outside-0"},
    {"iaas.probe_reply", "outside-0"},   {"iaas.guest_post", "outside-0"},
    {"iaas.api_request", "vm-0"},        {"iaas.migration", "metadata-0"},
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

static const char *const sources[] = {"api-0",   "vm-0",      "vm-1",       "vm-3",
                                      "user-0",  "user-1",    "outside-0",  "netsvc-0",
                                      "audit-0", "image-0",   "metadata-0", "compute-0",
                                      "block-0", "compute-1", "metadata-1", "vm-7"};

static sg17_mock_t *mock;
static unsigned inputs;

static void release(void)
{
    sg17_mock_free(mock);
    mock = NULL;
}

static sg17_mock_t *world(uint16_t mitigations)
{
    if (mock && inputs++ < RECREATE_EVERY)
        return mock;
    if (!mock)
        atexit(release);
    sg17_mock_free(mock);
    mock = sg17_mock_new(&sg17_module);
    unsigned i = 0;
    for (const sg17_mitigation_t *mt = sg17_module.mitigations; mt->name; mt++, i++)
        sg17_mock_mitigation(mock, mt->name, (mitigations >> i) & 1);
    sg17_mock_config(mock, "migrate_at", "30s");
    if (sg17_mock_create(mock) != 0)
        abort();
    sg17_mock_start(mock);
    sg17_mock_run_until(mock, SG17_MIN);
    sg17_mock_clear(mock);
    inputs = 0;
    return mock;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    sg17_mock_t *m = world((uint16_t)(data[0] | (data[1] & 0x3f) << 8));
    unsigned r = data[2] % N_ROUTES;
    sg17_entity_t src = sg17_mock_entity(m, sources[data[3] % (sizeof sources / sizeof *sources)]);
    sg17_mock_deliver(m, src, sg17_mock_entity(m, routes[r].dst), routes[r].type, data + 4,
                      size - 4);
    sg17_mock_clear(m);
    return 0;
}
