/* catalogue.h — a module's requirement catalogue (modules/<m>/requirements.yaml): the threats
 * and requirements of its Recommendation with stable ids, the clause each comes from, and a
 * paraphrase. Loaded by the CLI (list, coverage), the validator (scenario requirement and
 * threat ids must exist) and copied into report.json for the traceability matrix.
 *
 * File format:
 *   module: metering
 *   recommendation: X.1332
 *   title: Security guidelines for smart metering services
 *   threats:
 *     - {id: X1332-T-INVALID-DATA, title: ..., source: derived, clause: "...", text: ...}
 *   requirements:
 *     - id: X1332-R-INT-02
 *       title: short name
 *       text: paraphrase (never the ITU text)
 *       source: derived          # or: clause
 *       clause: "8.2"            # required when source is clause
 *       threats: [X1332-T-INVALID-DATA]
 *       untestable: reason        # optional: why no scenario can exercise it
 */
#ifndef SG17_SCENARIO_CATALOGUE_H
#define SG17_SCENARIO_CATALOGUE_H

#include <stddef.h>

#include "util/diag.h"

typedef struct {
    char *id, *title, *text, *source, *clause; /* clause may be NULL */
    char **threats;                            /* requirements only */
    size_t n_threats;
    char *untestable; /* NULL unless marked */
} sg17_catalogue_entry_t;

typedef struct {
    char *file;
    char *module, *recommendation, *title;
    sg17_catalogue_entry_t *threats;
    size_t n_threats;
    sg17_catalogue_entry_t *requirements;
    size_t n_requirements;
} sg17_catalogue_t;

/* Loads and validates (unique ids, known source values, threat references exist). */
sg17_catalogue_t *sg17_catalogue_load(const char *path, sg17_err_t *err);
void sg17_catalogue_destroy(sg17_catalogue_t **self_p);
const sg17_catalogue_entry_t *sg17_catalogue_requirement(const sg17_catalogue_t *c, const char *id);
const sg17_catalogue_entry_t *sg17_catalogue_threat(const sg17_catalogue_t *c, const char *id);

#endif
