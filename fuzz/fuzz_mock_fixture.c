/* fuzz_mock_fixture.c — the strict mock context (tests/support/mock_ctx.h) as a fuzz harness, on
 * the fixture module: each input is a message delivered to the sink (first byte: which mitigations
 * are on; the rest: the payload), then virtual time runs on. A contract violation by the module
 * (an undeclared reason or metric, a report missing or doubled) traps, and so does a crash:
 * both are findings. The pattern every module's fuzz_<kind>.c follows. */
#include <stddef.h>
#include <stdint.h>

#include "mock_ctx.h"

extern const sg17_module_t sg17_module; /* the fixture, linked in */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_mitigation(m, "auth", data[0] & 1);
    sg17_mock_mitigation(m, "dedup", data[0] & 2);
    sg17_mock_config(m, "reply", data[0] & 4 ? "true" : "false");
    if (sg17_mock_create(m) == 0) {
        sg17_mock_start(m);
        sg17_mock_deliver(m, SG17_NO_ENTITY, sg17_mock_entity(m, "sink-0"), "fixture.ping",
                          data + 1, size - 1);
        sg17_mock_run_until(m, 2 * SG17_SEC);
        sg17_mock_finish(m);
    }
    sg17_mock_free(m);
    return 0;
}
