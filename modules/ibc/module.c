/* module.c — the ibc module descriptor (X.1365): for now the ECCSI/SAKKE crypto tools only; the
 * system under test (KMS, devices, gateway, scenarios) plugs its tables and callbacks in here. */
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
    .name = "ibc",
    .recommendation = "X.1365",
    .title = "Identity-based cryptography for IoT (ECCSI signatures, SAKKE key transport)",
    .version = "0.1.0",
    .catalogue = "requirements.yaml",

    .entity_kinds = entity_kinds, /* kms, device, gateway: added with the simulation */
    .config = config_keys,
    .mitigations = mitigations,
    .attacks = attacks,
    .metrics = metrics,
    .reasons = reasons,
    .message_types = message_types,
    .tools = ibc_tools, /* eccsi-keys/sign/verify, sakke-keys/encap/decap */

    .create = NULL,
    .destroy = NULL,
    .start = NULL,
    .on_message = NULL,
    .on_timer = NULL,
    .on_attack = NULL,
    .on_compromise = NULL,
    .finish = NULL,
};
