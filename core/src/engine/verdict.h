/* verdict.h — the verdict of a scenario from its two runs (docs/architecture.md §8). */
#ifndef SG17_ENGINE_VERDICT_H
#define SG17_ENGINE_VERDICT_H

#include <stdbool.h>

typedef enum { SG17_HOLDS, SG17_FAILS, SG17_DEGRADED, SG17_VACUOUS, SG17_ERROR } sg17_verdict_t;

extern const char *const sg17_verdict_names[5];

typedef struct {
    bool error;             /* a run failed (crash, timeout, invalid) */
    bool success_baseline;  /* every success condition held in the baseline run */
    bool success_protected; /* ... in the protected run */
    bool service_ok;        /* every service condition held in the protected run */
    bool has_detection;     /* the scenario asks for detection */
    bool detection_ok;      /* every detection condition held in the protected run */
    bool no_mitigations;    /* nothing under test: baseline and protected are the same system */
} sg17_verdict_input_t;

/* Precedence (docs/architecture.md §8): error, vacuous, fails, degraded, holds. *why receives a
 * sentence explaining it. An empty mitigation list can never give holds: if the runs nonetheless
 * disagree, the module is not deterministic and the verdict is error. */
sg17_verdict_t sg17_verdict_decide(const sg17_verdict_input_t *in, const char **why);
/* -1 if the name is not a verdict. */
int sg17_verdict_parse(const char *name);

#endif
