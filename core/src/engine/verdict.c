/* verdict.c — the verdict truth table. */
#include "engine/verdict.h"

#include <string.h>

const char *const sg17_verdict_names[5] = {"holds", "fails", "degraded", "vacuous", "error"};

sg17_verdict_t sg17_verdict_decide(const sg17_verdict_input_t *in, const char **why)
{
    const char *w;
    sg17_verdict_t v;
    if (in->error) {
        v = SG17_ERROR, w = "a run did not complete";
    } else if (!in->success_baseline) {
        v = SG17_VACUOUS,
        w = "the attack did not succeed even without the mitigations: the scenario proves nothing";
    } else if (in->success_protected) {
        v = SG17_FAILS, w = "the attack succeeded although the mitigations were on";
    } else if (in->no_mitigations) {
        v = SG17_ERROR, w = "no mitigation is under test, yet the two runs disagree: the module is "
                            "not deterministic";
    } else if (in->has_detection && !in->detection_ok) {
        v = SG17_FAILS,
        w = "the attack was stopped but not detected, and the scenario asks for detection";
    } else if (!in->service_ok) {
        v = SG17_DEGRADED, w = "the attack was stopped, but benign service suffered when protected";
    } else {
        v = SG17_HOLDS, w = in->has_detection ? "the attack succeeded in baseline, was stopped and "
                                                "detected when protected, and service held"
                                              : "the attack succeeded in baseline and was stopped "
                                                "when protected, and service held";
    }
    if (why)
        *why = w;
    return v;
}

int sg17_verdict_parse(const char *name)
{
    for (int i = 0; i < 5; i++)
        if (name && strcmp(name, sg17_verdict_names[i]) == 0)
            return i;
    return -1;
}
