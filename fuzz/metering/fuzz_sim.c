/* fuzz_sim.c — every simulated metering entity's message handler on arbitrary bytes, through the
 * strict mock context (tests/support/mock_ctx.h): the first octet picks the mitigations, the
 * second the message type (every type the module declares) with its receiving entity and source,
 * the rest is the payload. The run is first played for 20 virtual minutes (associations, a
 * reading from every meter), then the message is delivered, its consequences played for a minute
 * and the end-of-run metrics computed. The mock traps on anything the real core would refuse: a
 * delivery reported twice or never, an undeclared reason, metric or message type, a send to an
 * entity outside the topology. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sg17tb/module.h>

#include "mock_ctx.h"
#include "sim/metering_sim.h"

extern const sg17_module_t sg17_module;

/* The entity a route names: "meter-1", "hes-0", ...; NULL: a source picked by the input. */
typedef struct {
    const char *type, *dst, *src;
} route_t;

/* Every message type the module declares, to the entity that handles it, from the source it
 * expects (or any); the last one goes to an operator, a kind that receives nothing. */
static const route_t routes[] = {
    {"metering.reading", "hes-0", NULL},
    {"metering.aarq", "meter-1", "hes-0"},
    {"metering.aare", "hes-0", NULL},
    {"metering.hls", "meter-2", "hes-0"},
    {"metering.command", "meter-3", "hes-0"},
    {"metering.firmware", "meter-0", "hes-0"},
    {"metering.response", "hes-0", NULL},
    {"metering.op_request", "hes-0", "operator-0"},
    {"metering.export", "mdm-0", "hes-0"},
    {"metering.tp_request", "mdm-0", "thirdparty-0"},
    {"metering.tp_response", "thirdparty-0", "mdm-0"},
    {"metering.audit_anchor", "mdm-0", "hes-0"},
    {"metering.audit_log", "mdm-0", "hes-0"},
    {"metering.hls", "hes-0", NULL},
    {"metering.command", "meter-1", NULL},
    {"metering.reading", "operator-0", NULL},
};

static const char *const any_source[] = {"meter-0", "meter-1", "meter-2",    "meter-3",
                                         "hes-0",   "mdm-0",   "operator-0", "thirdparty-0"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "meter", 4);
    unsigned bit = 0;
    for (const sg17_mitigation_t *g = sg17_module.mitigations; g->name; g++, bit++)
        sg17_mock_mitigation(m, g->name, data[0] >> (bit % 8) & 1);
    if (sg17_mock_create(m) != 0) {
        sg17_mock_free(m);
        return 0;
    }
    sg17_mock_start(m);
    sg17_mock_run_until(m, 20 * SG17_MIN);
    /* some meters mid-handshake, so that AARE and HLS proofs meet a pending association */
    msim_t *s = sg17_mock_instance(m);
    for (unsigned i = 0; i < 2; i++) {
        s->meters[i].assoc_pending = true;
        s->peers[i].assoc = MSIM_ASSOC_PENDING;
    }
    const route_t *r = &routes[data[1] % (sizeof routes / sizeof routes[0])];
    const char *src =
        r->src ? r->src : any_source[(data[1] >> 4) % (sizeof any_source / sizeof any_source[0])];
    uint8_t *payload = malloc(size - 2 ? size - 2 : 1); /* exact size: ASan sees any over-read */
    if (payload) {
        memcpy(payload, data + 2, size - 2);
        sg17_mock_deliver(m, sg17_mock_entity(m, src), sg17_mock_entity(m, r->dst), r->type,
                          payload, size - 2);
        free(payload);
        sg17_mock_run_until(m, sg17_mock_now(m) + SG17_MIN);
        sg17_mock_finish(m); /* end-of-run inference over what the message left behind */
    }
    sg17_mock_free(m);
    return 0;
}
