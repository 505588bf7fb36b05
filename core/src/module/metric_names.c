/* metric_names.c — the metric namespace of a module's runs (see metric_names.h). */
#include "module/metric_names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module/descriptor.h"

const char *const sg17_ledger_verbs[] = {"sent",    "delivered",  "accepted", "rejected",
                                         "dropped", "unreported", "pending",  "replaced",
                                         "copies",  NULL};
const char *const sg17_ledger_provenances[] = {
    "genuine", "injected", "replayed", "modified", "from_compromised", "all", NULL};
static const char *const adversary_metrics[] = {"observed",    "captured", "dropped",  "delayed",
                                                "modified",    "replayed", "injected", "flooded",
                                                "compromised", NULL};
static const char *const sim_metrics[] = {"events", "messages", "timers", "virtual_seconds", NULL};
static const char *const bus_metrics[] = {"malformed", "frames", "report_anomalies", NULL};

const char *const sg17_core_metric_patterns[] = {
    "ledger.<verb>.<prov>",
    "ledger.<verb>.<prov>.<message_type>",
    "ledger.rejected.reason.<reason>",
    "bus.malformed",
    "bus.frames",
    "bus.report_anomalies",
    "adversary.observed",
    "adversary.captured",
    "adversary.dropped",
    "adversary.delayed",
    "adversary.modified",
    "adversary.replayed",
    "adversary.injected",
    "adversary.flooded",
    "adversary.compromised",
    "sim.events",
    "sim.messages",
    "sim.timers",
    "sim.virtual_seconds",
    "cost.<anything>",
    NULL,
};

static bool in_list(const char *const *list, const char *s, size_t len)
{
    for (; *list; list++)
        if (strlen(*list) == len && !strncmp(*list, s, len))
            return true;
    return false;
}

static bool reason_known(const sg17_module_t *m, const char *name)
{
    for (const sg17_reason_t *r = sg17_core_reasons; r->name; r++)
        if (strcmp(r->name, name) == 0)
            return true;
    return m && sg17_module_reason(m, name);
}

/* "ledger.<verb>.<prov>[.<message_type>]" and "ledger.rejected.reason.<reason>". */
static bool ledger_known(const sg17_module_t *m, const char *rest)
{
    if (!strncmp(rest, "rejected.reason.", 16))
        return reason_known(m, rest + 16);
    const char *dot = strchr(rest, '.');
    if (!dot || !in_list(sg17_ledger_verbs, rest, (size_t)(dot - rest)))
        return false;
    const char *prov = dot + 1, *end = strchr(prov, '.');
    size_t plen = end ? (size_t)(end - prov) : strlen(prov);
    if (!in_list(sg17_ledger_provenances, prov, plen))
        return false;
    if (!end)
        return true;
    return m && sg17_module_message_type(m, end + 1);
}

/* The member part of `metric` in family f ("x.*"): what follows "x.". */
static const char *family_member(const sg17_metric_t *f, const char *metric)
{
    return metric + strlen(f->name) - 1;
}

/* A member is a dotted name without an empty segment. */
static bool member_well_formed(const char *member)
{
    return *member && member[strlen(member) - 1] != '.' && *member != '.' && !strstr(member, "..");
}

bool sg17_metric_known(const sg17_module_t *m, const char *metric)
{
    if (!metric)
        return false;
    if (!strncmp(metric, "ledger.", 7))
        return ledger_known(m, metric + 7);
    if (!strncmp(metric, "bus.", 4))
        return in_list(bus_metrics, metric + 4, strlen(metric + 4));
    if (!strncmp(metric, "adversary.", 10))
        return in_list(adversary_metrics, metric + 10, strlen(metric + 10));
    if (!strncmp(metric, "sim.", 4))
        return in_list(sim_metrics, metric + 4, strlen(metric + 4));
    if (!strncmp(metric, "cost.", 5))
        return metric[5] != '\0';
    const sg17_metric_t *x = m ? sg17_module_metric(m, metric) : NULL;
    if (!x)
        return false;
    return strcmp(x->name, metric) == 0 || member_well_formed(family_member(x, metric));
}

int sg17_metric_member_check(const sg17_module_t *m, const char *metric,
                             const sg17_topology_view_t *topo, char *why, size_t size)
{
    const sg17_metric_t *x = m ? sg17_module_metric(m, metric) : NULL;
    if (!x || !x->member_kind || strcmp(x->name, metric) == 0)
        return 0;
    const char *member = family_member(x, metric), *reason;
    size_t klen, want = strlen(x->member_kind);
    unsigned long long index;
    unsigned count = 0;
    if (sg17_entity_name_split(member, &klen, &index, &reason) < 0 || klen != want
        || strncmp(member, x->member_kind, klen) != 0) {
        snprintf(why, size,
                 "'%.100s' is not a member of %s: its members are %s entities (%s-0, ...)", metric,
                 x->name, x->member_kind, x->member_kind);
        return -1;
    }
    if (!topo->count(topo->arg, member, klen, &count) || index >= count) {
        snprintf(why, size, "'%.100s' names %.100s, but the topology has %u %s entities", metric,
                 member, count, x->member_kind);
        return -1;
    }
    return 0;
}

int sg17_metric_candidates(const sg17_module_t *m, const char ***names_p, size_t *n_p,
                           char **storage_p)
{
    size_t n_types = 0, n_reasons = 0, n_metrics = 0, n_core_reasons = 0, n_verbs = 0, n_provs = 0;
    while (sg17_ledger_verbs[n_verbs])
        n_verbs++;
    while (sg17_ledger_provenances[n_provs])
        n_provs++;
    size_t n_ledger = n_verbs * n_provs; /* ledger.<verb>.<prov>, and each with a type */
    while (m->message_types && m->message_types[n_types])
        n_types++;
    while (m->reasons && m->reasons[n_reasons].name)
        n_reasons++;
    while (m->metrics && m->metrics[n_metrics].name)
        n_metrics++;
    while (sg17_core_reasons[n_core_reasons].name)
        n_core_reasons++;
    const char *const *const families[] = {bus_metrics, adversary_metrics, sim_metrics};
    size_t n_family = 0, bytes = 0;
    for (size_t f = 0; f < 3; f++)
        for (size_t i = 0; families[f][i]; i++, n_family++)
            bytes += strlen(families[f][i]) + 16; /* "adversary." + NUL */
    size_t max = n_ledger * (1 + n_types) + n_reasons + n_core_reasons + n_family + n_metrics + 1;
    /* an upper bound for the text of every name */
    for (size_t i = 0; i < n_types; i++)
        bytes += n_ledger * (strlen(m->message_types[i]) + 48);
    for (size_t i = 0; i < n_reasons; i++)
        bytes += strlen(m->reasons[i].name) + 32;
    for (size_t i = 0; i < n_core_reasons; i++)
        bytes += strlen(sg17_core_reasons[i].name) + 32;
    bytes += n_ledger * 48;
    const char **names = calloc(max, sizeof *names);
    char *storage = malloc(bytes);
    if (!names || !storage) {
        free(names);
        free(storage);
        return -1;
    }
    char *p = storage;
    size_t n = 0;
#define ADD_NAME(...)                                                     \
    do {                                                                  \
        int w_ = snprintf(p, bytes - (size_t)(p - storage), __VA_ARGS__); \
        names[n++] = p;                                                   \
        p += w_ + 1;                                                      \
    } while (0)
    for (size_t a = 0; sg17_ledger_verbs[a]; a++)
        for (size_t b = 0; sg17_ledger_provenances[b]; b++) {
            ADD_NAME("ledger.%s.%s", sg17_ledger_verbs[a], sg17_ledger_provenances[b]);
            for (size_t t = 0; t < n_types; t++)
                ADD_NAME("ledger.%s.%s.%s", sg17_ledger_verbs[a], sg17_ledger_provenances[b],
                         m->message_types[t]);
        }
    for (size_t i = 0; i < n_reasons; i++)
        ADD_NAME("ledger.rejected.reason.%s", m->reasons[i].name);
    for (size_t i = 0; i < n_core_reasons; i++)
        ADD_NAME("ledger.rejected.reason.%s", sg17_core_reasons[i].name);
    for (size_t i = 0; bus_metrics[i]; i++)
        ADD_NAME("bus.%s", bus_metrics[i]);
    for (size_t i = 0; adversary_metrics[i]; i++)
        ADD_NAME("adversary.%s", adversary_metrics[i]);
    for (size_t i = 0; sim_metrics[i]; i++)
        ADD_NAME("sim.%s", sim_metrics[i]);
#undef ADD_NAME
    for (size_t i = 0; i < n_metrics; i++)
        names[n++] = m->metrics[i].name;
    *names_p = names;
    *n_p = n;
    *storage_p = storage;
    return 0;
}
