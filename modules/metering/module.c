/* module.c — the metering module descriptor (X.1332): for now the DLMS protocol tools only; the
 * simulation (meters, head-end, MDM, attacks) plugs its tables and callbacks in here. */
#include <sg17tb/module.h>

#include "tools.h"

static const sg17_entity_kind_t entity_kinds[] = {{NULL, NULL, 0, 0}};
static const sg17_config_key_t config_keys[] = {{NULL, 0, NULL, NULL}};
static const sg17_mitigation_t mitigations[] = {{NULL, NULL, NULL, false}};
static const sg17_attack_t attacks[] = {{NULL, NULL, NULL, NULL}};
static const sg17_metric_t metrics[] = {{NULL, NULL}};
static const sg17_reason_t reasons[] = {{NULL, NULL}};
static const char *const message_types[] = {NULL};

const sg17_module_t sg17_module = {
    .abi = SG17_MODULE_ABI_VERSION,
    .name = "metering",
    .recommendation = "X.1332",
    .title = "Security guidelines for smart metering services (DLMS/COSEM)",
    .version = "0.1.0",
    .catalogue = "requirements.yaml",

    .entity_kinds = entity_kinds, /* meter, hes, mdm: added with the simulation */
    .config = config_keys,
    .mitigations = mitigations,
    .attacks = attacks,
    .metrics = metrics,
    .reasons = reasons, /* dlms_sec_status_name() gives the unprotect rejection names */
    .message_types = message_types,
    .tools = metering_tools, /* protect, unprotect, hls-gmac */

    .create = NULL,
    .destroy = NULL,
    .start = NULL,
    .on_message = NULL,
    .on_timer = NULL,
    .on_attack = NULL,
    .on_compromise = NULL,
    .finish = NULL,
};
