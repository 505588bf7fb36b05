/* verdict.h — the verdict of a scenario from its runs: control, baseline, protected
 * (docs/architecture.md §8). */
#ifndef SG17_ENGINE_VERDICT_H
#define SG17_ENGINE_VERDICT_H

#include <stdbool.h>

typedef enum { SG17_HOLDS, SG17_FAILS, SG17_DEGRADED, SG17_VACUOUS, SG17_ERROR } sg17_verdict_t;

extern const char *const sg17_verdict_names[5];

typedef struct {
    bool error;             /* a run failed (crash, timeout, invalid) */
    bool has_control;       /* the control run took place (not skipped with --no-control) */
    bool success_control;   /* every success condition held in the control run */
    bool success_baseline;  /* ... in the baseline run */
    bool success_protected; /* ... in the protected run */
    bool has_service;       /* the scenario lists service conditions */
    bool service_ok;        /* every service condition held in the protected run */
    bool has_detection;     /* the scenario lists detection conditions */
    bool detection_ok;      /* every detection condition held in the protected run */
    bool no_mitigations;    /* nothing under test: baseline and protected are the same system */
} sg17_verdict_input_t;

/* Precedence (docs/architecture.md §8): error, vacuous, fails, degraded, holds. *why receives a
 * sentence explaining it that claims only what was checked (service only when listed, mitigations
 * only when under test).
 *
 * Two rules keep a verdict from claiming what was not measured. A success condition that holds
 * in the control run (no adversary, mitigations off) does not measure the attack: vacuous. An
 * empty mitigation list makes baseline and protected the same system, so the two runs must
 * agree on success; when they do not, neither run can be trusted and the verdict is error (the
 * caller names the condition that differed). */
sg17_verdict_t sg17_verdict_decide(const sg17_verdict_input_t *in, const char **why);
/* -1 if the name is not a verdict. */
int sg17_verdict_parse(const char *name);

#endif
