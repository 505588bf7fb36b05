/* fuzz_sim.c — every naas entity's message handler on arbitrary bytes, through the strict mock
 * context: an instance with its data plane programmed (3 s of virtual time), then one delivery
 * per input. Octet 0 = the route (message type, receiver, claimed source); the rest = the payload.
 * A broken promise (a delivery reported never or twice, an undeclared reason) traps. The mock is
 * built afresh every REPROVISION_EVERY inputs. */
#include <stdint.h>
#include <stdlib.h>

#include "mock_ctx.h"

extern const sg17_module_t sg17_module;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPROVISION_EVERY 2048

static const struct {
    const char *type, *dst, *src;
} routes[] = {
    {"naas.api", "controller-0", "tenant-0"},
    {"naas.program_ack", "controller-0", "vswitch-0"},
    {"naas.api_resp", "tenant-0", "controller-0"},
    {"naas.audit", "audit-0", "controller-0"},
    {"naas.anchor", "anchor-0", "audit-0"},
    {"naas.audit_export", "anchor-0", "audit-0"},
    {"naas.program", "vswitch-0", "controller-0"},
    {"naas.frame", "vswitch-0", "endpoint-0"},
    {"naas.frame", "vswitch-1", "endpoint-1"},
    {"naas.nsh", "vswitch-0", "endpoint-2"},
    {"naas.vxlan", "vtep-0", "vtep-1"},
    {"naas.nsh", "sf-0", "endpoint-1"},
    {"naas.delivery", "endpoint-0", "vswitch-0"},
    {"naas.frame", "endpoint-3", "endpoint-0"},
    {"naas.nsh", "vrouter-0", "endpoint-1"},
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

static sg17_mock_t *mock;
static unsigned inputs;

static void provision(void)
{
    if (mock)
        sg17_mock_free(mock);
    mock = sg17_mock_new(&sg17_module);
    sg17_mock_topology(mock, "endpoint", 4);
    sg17_mock_topology(mock, "vrouter", 1);
    sg17_mock_config(mock, "chain_endpoint", "0");
    sg17_mock_config(mock, "app_flows", "0>1:80");
    if (sg17_mock_create(mock) != 0)
        abort();
    sg17_mock_start(mock);
    sg17_mock_run_until(mock, 3 * SG17_SEC);
    inputs = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (!mock || ++inputs > REPROVISION_EVERY)
        provision();
    unsigned r = data[0] % N_ROUTES;
    sg17_mock_deliver(mock, sg17_mock_entity(mock, routes[r].src),
                      sg17_mock_entity(mock, routes[r].dst), routes[r].type, data + 1, size - 1);
    sg17_mock_clear(mock);
    return 0;
}
