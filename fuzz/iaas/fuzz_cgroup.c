/* fuzz_cgroup.c — the linux backend's readers of text it did not write: a mountinfo text (the
 * hierarchy it picks must be one the text names, or none), a "key value" stat file, and the
 * object names a sweep finds in a shared directory (a name it accepts rebuilds to itself). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sim/cgroup.h"
#include "sim/runid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[8192];
    size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
    memcpy(text, data, n);
    text[n] = 0;
    cg_layout_t l;
    if (cg_layout_parse(text, n, "/nonexistent-fuzz", &l) == 0
        && (l.version != 1 || !l.cpu[0] || !l.memory[0] || !l.pids[0]))
        __builtin_trap(); /* v2 needs a controllers file, and none exists under the prefix */
    if (cg_stat_value(text, n, "max") < -1 || cg_stat_value(text, n, "nr_throttled") < -1)
        __builtin_trap();
    char id[9], again[sizeof text + 64]; /* a name as long as the input rebuilds whole */
    long pid = 0;
    if (strlen(text) == n && iaas_object_owner(text, id, &pid) == 0) {
        const char *what = strchr(text + strlen(IAAS_OBJECT_PREFIX) + 10, '-');
        snprintf(again, sizeof again, IAAS_OBJECT_PREFIX "%s-p%ld%s", id, pid, what ? what : "");
        if (!what || pid <= 0 || strcmp(again, text) != 0)
            __builtin_trap();
    }
    return 0;
}
