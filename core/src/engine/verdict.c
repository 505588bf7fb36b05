/* verdict.c — the verdict truth table. */
#include "engine/verdict.h"

#include <string.h>

const char *const sg17_verdict_names[5] = {"holds", "fails", "degraded", "vacuous", "error"};

/* The sentence of a verdict that holds: the attack succeeded in baseline and was stopped when
 * protected, and what else was checked — detection and service only when the scenario lists
 * them. */
static const char *holds_reason(const sg17_verdict_input_t *in)
{
    if (in->has_detection && in->has_service)
        return "the attack succeeded in baseline, was stopped and detected when protected, and "
               "service held";
    if (in->has_detection)
        return "the attack succeeded in baseline and was stopped and detected when protected";
    if (in->has_service)
        return "the attack succeeded in baseline and was stopped when protected, and service "
               "held";
    return "the attack succeeded in baseline and was stopped when protected";
}

sg17_verdict_t sg17_verdict_decide(const sg17_verdict_input_t *in, const char **why)
{
    const char *w;
    sg17_verdict_t v;
    if (in->error) {
        v = SG17_ERROR, w = "a run did not complete";
    } else if (in->no_mitigations && in->success_baseline != in->success_protected) {
        v = SG17_ERROR, w = "no mitigation is under test, so baseline and protected are the same "
                            "system, yet the success conditions differ between the two runs";
    } else if (in->has_control && in->success_control) {
        v = SG17_VACUOUS, w = "the success conditions hold in the control run, without any "
                              "attack: they do not measure the attack, and the scenario proves "
                              "nothing";
    } else if (!in->success_baseline) {
        v = SG17_VACUOUS,
        w = "the attack did not succeed even without the mitigations: the scenario proves nothing";
    } else if (in->success_protected) {
        v = SG17_FAILS, w = in->no_mitigations
                                ? "the attack succeeded, and no mitigation is under test"
                                : "the attack succeeded although the mitigations were on";
    } else if (in->has_detection && !in->detection_ok) {
        v = SG17_FAILS,
        w = "the attack was stopped but not detected, and the scenario asks for detection";
    } else if (in->has_service && !in->service_ok) {
        v = SG17_DEGRADED, w = "the attack was stopped, but benign service suffered when protected";
    } else {
        v = SG17_HOLDS, w = holds_reason(in);
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
