/* ledger.c — message records in id order (ids are assigned increasing), binary-searched by id. */
#include "engine/ledger.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

const char *const sg17_prov_names[SG17_PROV_COUNT] = {"genuine", "injected", "replayed", "modified",
                                                      "from_compromised"};

#define MAX_NAMES 65535

/* A further receiver's copy of a multicast: what differs from the send's record. */
typedef struct {
    sg17_entity_t dst;
    uint16_t reason;
    uint8_t fate, outcome;
} copy_t;

struct sg17_ledger {
    sg17_ledger_record_t *recs;
    size_t n, cap;
    copy_t *copies; /* each record's further receivers, in record order */
    size_t n_copies, cap_copies;
    char **types;
    size_t n_types;
    uint16_t last_type; /* the type of the latest record, and its length */
    size_t last_type_len;
    char **reasons;
    size_t n_reasons;
    uint64_t anomalies;
};

/* Each thread keeps the record array of the last ledger it destroyed, up to KEEP_BYTES, for its
 * next ledger: a scenario's second run (or a broker's next) then writes into pages already
 * mapped instead of faulting in a fresh array page by page, which costs more than filling it.
 * The key's destructor frees the kept array when the thread exits. */
#define KEEP_BYTES (64u << 20)

typedef struct {
    sg17_ledger_record_t *recs;
    size_t cap;
} spare_t;

static pthread_key_t g_spare_key;
static pthread_once_t g_spare_once = PTHREAD_ONCE_INIT;
static bool g_spare_ok;

static void spare_free(void *p)
{
    spare_t *s = p;
    free(s->recs);
    free(s);
}

static void spare_key_create(void)
{
    g_spare_ok = pthread_key_create(&g_spare_key, spare_free) == 0;
}

sg17_ledger_t *sg17_ledger_new(void)
{
    sg17_ledger_t *self = calloc(1, sizeof(sg17_ledger_t));
    pthread_once(&g_spare_once, spare_key_create);
    spare_t *spare = self && g_spare_ok ? pthread_getspecific(g_spare_key) : NULL;
    if (spare && pthread_setspecific(g_spare_key, NULL) == 0) {
        self->recs = spare->recs;
        self->cap = spare->cap;
        free(spare);
    }
    return self;
}

/* Keeps recs as the thread's spare when it is small enough and bigger than the one kept. */
static void give_back(sg17_ledger_record_t *recs, size_t cap)
{
    spare_t *kept = g_spare_ok ? pthread_getspecific(g_spare_key) : NULL;
    if (!recs || !g_spare_ok || cap * sizeof *recs > KEEP_BYTES || (kept && kept->cap >= cap)) {
        free(recs);
        return;
    }
    spare_t *s = kept ? kept : malloc(sizeof *s);
    if (!s || (!kept && pthread_setspecific(g_spare_key, s) != 0)) {
        free(s);
        free(recs);
        return;
    }
    if (kept)
        free(kept->recs);
    s->recs = recs;
    s->cap = cap;
}

void sg17_ledger_destroy(sg17_ledger_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sg17_ledger_t *self = *self_p;
    for (size_t i = 0; i < self->n_types; i++)
        free(self->types[i]);
    for (size_t i = 0; i < self->n_reasons; i++)
        free(self->reasons[i]);
    free(self->types);
    free(self->reasons);
    give_back(self->recs, self->cap);
    free(self->copies);
    free(self);
    *self_p = NULL;
}

static bool same_name(const char *name, const char *s, size_t len)
{
    return strlen(name) == len && memcmp(name, s, len) == 0;
}

/* Small string interning: message types and reasons are few per module. */
static uint16_t intern_n(char ***table, size_t *n, const char *s, size_t len)
{
    for (size_t i = 0; i < *n; i++)
        if (same_name((*table)[i], s, len))
            return (uint16_t)i;
    if (*n >= MAX_NAMES)
        return (uint16_t)(*n - 1);
    char **t = realloc(*table, (*n + 1) * sizeof **table);
    if (!t)
        return 0;
    *table = t;
    t[*n] = strndup(s, len);
    return (uint16_t)(*n)++;
}

static uint16_t intern(char ***table, size_t *n, const char *s)
{
    return intern_n(table, n, s, strlen(s));
}

/* Doubles the array *arr of *cap elements of elem bytes (1024 at first). 0, or -1 (unchanged). */
static int double_array(void **arr, size_t *cap, size_t elem)
{
    size_t n = *cap ? *cap * 2 : 1024;
    void *p = realloc(*arr, n * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = n;
    return 0;
}

/* Doubles the record array. */
static int grow_records(sg17_ledger_t *self)
{
    void *recs = self->recs;
    if (double_array(&recs, &self->cap, sizeof *self->recs) < 0)
        return -1;
    sg17_ledger_record_t *r = self->recs = recs;
    size_t cap = self->cap;
#ifdef MADV_POPULATE_WRITE
    /* map the new half's pages in one call rather than one fault per page as records fill it */
    uintptr_t page = 4096, start = ((uintptr_t)(r + cap / 2) + page - 1) & ~(page - 1);
    uintptr_t end = ((uintptr_t)(r + cap)) & ~(page - 1);
    if (end > start)
        madvise((void *)start, end - start, MADV_POPULATE_WRITE);
#endif
    return 0;
}

uint16_t sg17_ledger_type(sg17_ledger_t *self, const char *type, size_t type_len)
{
    /* consecutive messages mostly share their type: try the last one first */
    if (self->n_types && type_len == self->last_type_len
        && memcmp(self->types[self->last_type], type, type_len) == 0)
        return self->last_type;
    uint16_t t = intern_n(&self->types, &self->n_types, type, type_len);
    self->last_type = t;
    self->last_type_len = self->n_types ? strlen(self->types[t]) : 0;
    return t;
}

sg17_ledger_record_t *sg17_ledger_record(sg17_ledger_t *self, uint64_t id, sg17_entity_t true_src,
                                         sg17_entity_t claimed_src, sg17_entity_t dst,
                                         const char *type, sg17_prov_t prov, sg17_time_t sent_at)
{
    return sg17_ledger_record_typed(self, id, true_src, claimed_src, dst,
                                    sg17_ledger_type(self, type, strlen(type)), prov, sent_at);
}

/* The slow path of sg17_ledger_record_typed, kept out of line so that the common append (a
 * handful of stores) saves no registers: grows the array, then records. */
static __attribute__((noinline)) sg17_ledger_record_t *
record_after_growing(sg17_ledger_t *self, uint64_t id, sg17_entity_t true_src,
                     sg17_entity_t claimed_src, sg17_entity_t dst, uint16_t type, sg17_prov_t prov,
                     sg17_time_t sent_at)
{
    if (grow_records(self) < 0)
        return NULL;
    return sg17_ledger_record_typed(self, id, true_src, claimed_src, dst, type, prov, sent_at);
}

sg17_ledger_record_t *sg17_ledger_record_typed(sg17_ledger_t *self, uint64_t id,
                                               sg17_entity_t true_src, sg17_entity_t claimed_src,
                                               sg17_entity_t dst, uint16_t type, sg17_prov_t prov,
                                               sg17_time_t sent_at)
{
    if (__builtin_expect(self->n == self->cap, 0))
        return record_after_growing(self, id, true_src, claimed_src, dst, type, prov, sent_at);
    sg17_ledger_record_t *r = &self->recs[self->n++];
    *r = (sg17_ledger_record_t){.id = id,
                                .true_src = true_src,
                                .claimed_src = claimed_src,
                                .dst = dst,
                                .type = type,
                                .prov = (uint8_t)prov,
                                .fate = SG17_FATE_IN_FLIGHT,
                                .outcome = SG17_OUTCOME_NONE,
                                .sent_at = sent_at};
    return r;
}

/* Doubles the copy array; out of line, so that sg17_ledger_record_copy saves no registers. */
static __attribute__((noinline)) int grow_copies(sg17_ledger_t *self)
{
    void *copies = self->copies;
    if (double_array(&copies, &self->cap_copies, sizeof *self->copies) < 0)
        return -1;
    self->copies = copies;
    return 0;
}

int sg17_ledger_record_copy(sg17_ledger_t *self, uint64_t id, sg17_entity_t dst)
{
    if (!self->n)
        return -1;
    sg17_ledger_record_t *head = &self->recs[self->n - 1];
    if (id != head->id + head->n_copies + 1 || head->n_copies == UINT16_MAX
        || self->n_copies >= UINT32_MAX)
        return -1;
    if (__builtin_expect(self->n_copies == self->cap_copies, 0) && grow_copies(self) < 0)
        return -1;
    if (!head->n_copies)
        head->copies_at = (uint32_t)self->n_copies;
    head->n_copies++;
    self->copies[self->n_copies++] =
        (copy_t){.dst = dst, .fate = SG17_FATE_IN_FLIGHT, .outcome = SG17_OUTCOME_NONE};
    return 0;
}

int sg17_ledger_record_run(sg17_ledger_t *self, uint64_t first_id, size_t n,
                           const sg17_entity_t *src, const sg17_entity_t *dst,
                           const uint32_t *type_index, const uint16_t *type_of, sg17_prov_t prov,
                           sg17_time_t sent_at)
{
    while (self->cap - self->n < n)
        if (grow_records(self) < 0)
            return -1;
    sg17_ledger_record_t *r = &self->recs[self->n];
    for (size_t i = 0; i < n; i++)
        r[i] = (sg17_ledger_record_t){.id = first_id + i,
                                      .true_src = src[i],
                                      .claimed_src = src[i],
                                      .dst = dst[i],
                                      .type = type_of[type_index[i]],
                                      .prov = (uint8_t)prov,
                                      .fate = SG17_FATE_IN_FLIGHT,
                                      .outcome = SG17_OUTCOME_NONE,
                                      .sent_at = sent_at};
    self->n += n;
    return 0;
}

int sg17_ledger_record_copies(sg17_ledger_t *self, const sg17_entity_t *dst, size_t n)
{
    if (!n)
        return 0;
    if (!self->n)
        return -1;
    sg17_ledger_record_t *head = &self->recs[self->n - 1];
    if (n > (size_t)(UINT16_MAX - head->n_copies) || n > UINT32_MAX - self->n_copies)
        return -1;
    while (self->cap_copies - self->n_copies < n)
        if (grow_copies(self) < 0)
            return -1;
    if (!head->n_copies)
        head->copies_at = (uint32_t)self->n_copies;
    head->n_copies = (uint16_t)(head->n_copies + n);
    copy_t *c = &self->copies[self->n_copies];
    for (size_t i = 0; i < n; i++)
        c[i] = (copy_t){.dst = dst[i], .fate = SG17_FATE_IN_FLIGHT, .outcome = SG17_OUTCOME_NONE};
    self->n_copies += n;
    return 0;
}

/* The record with the greatest id <= id (records are in id order), or NULL. */
static sg17_ledger_record_t *record_at_or_before(sg17_ledger_t *self, uint64_t id)
{
    size_t lo = 0, hi = self->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (self->recs[mid].id <= id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? &self->recs[lo - 1] : NULL;
}

sg17_ledger_record_t *sg17_ledger_find(sg17_ledger_t *self, uint64_t id)
{
    sg17_ledger_record_t *r = record_at_or_before(self, id);
    return r && r->id == id ? r : NULL;
}

/* Where the fate, outcome and reason of message id live: a record, or a further receiver's copy
 * (the one that is not NULL). False when the id is unknown. */
static bool locate(sg17_ledger_t *self, uint64_t id, sg17_ledger_record_t **rec, copy_t **copy)
{
    sg17_ledger_record_t *r = record_at_or_before(self, id);
    *rec = r && r->id == id ? r : NULL;
    *copy = r && !*rec && id - r->id <= r->n_copies ? &self->copies[r->copies_at + (id - r->id - 1)]
                                                    : NULL;
    return *rec || *copy;
}

void sg17_ledger_set_fate(sg17_ledger_t *self, uint64_t id, sg17_fate_t fate)
{
    sg17_ledger_record_t *r;
    copy_t *c;
    if (!locate(self, id, &r, &c))
        return;
    if (r)
        r->fate = (uint8_t)fate;
    else
        c->fate = (uint8_t)fate;
}

int sg17_ledger_report(sg17_ledger_t *self, uint64_t id, bool accepted, const char *reason)
{
    sg17_ledger_record_t *r;
    copy_t *c;
    bool known = locate(self, id, &r, &c);
    uint8_t fate = r ? r->fate : c ? c->fate : 0, outcome = r ? r->outcome : c ? c->outcome : 0;
    if (!known || fate != SG17_FATE_DELIVERED || outcome != SG17_OUTCOME_NONE) {
        self->anomalies++;
        return -1;
    }
    outcome = accepted ? SG17_OUTCOME_ACCEPTED : SG17_OUTCOME_REJECTED;
    uint16_t why = accepted ? 0
                            : intern(&self->reasons, &self->n_reasons,
                                     reason && *reason ? reason : "unspecified");
    if (r) {
        r->outcome = outcome;
        r->reason = why;
    } else {
        c->outcome = outcome;
        c->reason = why;
    }
    return 0;
}

uint64_t sg17_ledger_anomalies(const sg17_ledger_t *self)
{
    return self->anomalies;
}
size_t sg17_ledger_size(const sg17_ledger_t *self)
{
    return self->n + self->n_copies;
}

enum {
    V_SENT,
    V_DELIVERED,
    V_ACCEPTED,
    V_REJECTED,
    V_DROPPED,
    V_UNREPORTED,
    V_PENDING,
    V_REPLACED,
    V_COPIES,
    V_COUNT
};
static const char *const verb_names[V_COUNT] = {"sent",     "delivered", "accepted",
                                                "rejected", "dropped",   "unreported",
                                                "pending",  "replaced",  "copies"};

/* Counts what became of one receiver's copy of a message: exactly one of delivered, dropped,
 * replaced or pending, so that copies = delivered + dropped + replaced + pending. */
static void count_receiver(uint64_t (*c)[SG17_PROV_COUNT], uint64_t *by_reason, unsigned prov,
                           unsigned fate, unsigned outcome, uint16_t reason)
{
    c[V_COPIES][prov]++;
    if (fate == SG17_FATE_DROPPED)
        c[V_DROPPED][prov]++;
    else if (fate == SG17_FATE_IN_FLIGHT)
        c[V_PENDING][prov]++;
    else if (fate == SG17_FATE_REPLACED)
        c[V_REPLACED][prov]++;
    if (fate != SG17_FATE_DELIVERED)
        return;
    c[V_DELIVERED][prov]++;
    if (outcome == SG17_OUTCOME_ACCEPTED) {
        c[V_ACCEPTED][prov]++;
    } else if (outcome == SG17_OUTCOME_REJECTED) {
        c[V_REJECTED][prov]++;
        by_reason[reason]++;
    } else {
        c[V_UNREPORTED][prov]++;
    }
}

void sg17_ledger_metrics(const sg17_ledger_t *self, sg17_metrics_t *out,
                         const sg17_reason_t *reasons)
{
    size_t nt = self->n_types;
    uint64_t(*by_type)[V_COUNT][SG17_PROV_COUNT] = calloc(nt ? nt : 1, sizeof *by_type);
    uint64_t *by_reason = calloc(self->n_reasons ? self->n_reasons : 1, sizeof *by_reason);
    if (!by_type || !by_reason) {
        free(by_type);
        free(by_reason);
        return;
    }
    for (size_t i = 0; i < self->n; i++) {
        const sg17_ledger_record_t *r = &self->recs[i];
        by_type[r->type][V_SENT][r->prov]++;
        count_receiver(by_type[r->type], by_reason, r->prov, r->fate, r->outcome, r->reason);
        for (size_t k = 0; k < r->n_copies; k++) {
            const copy_t *c = &self->copies[r->copies_at + k];
            count_receiver(by_type[r->type], by_reason, r->prov, c->fate, c->outcome, c->reason);
        }
    }
    char name[256];
    for (int v = 0; v < V_COUNT; v++) {
        uint64_t all = 0;
        for (int p = 0; p < SG17_PROV_COUNT; p++) {
            uint64_t sum = 0;
            for (size_t t = 0; t < nt; t++) {
                uint64_t k = by_type[t][v][p];
                sum += k;
                if (k) {
                    snprintf(name, sizeof name, "ledger.%s.%s.%s", verb_names[v],
                             sg17_prov_names[p], self->types[t]);
                    sg17_metrics_add(out, name, (double)k);
                }
            }
            snprintf(name, sizeof name, "ledger.%s.%s", verb_names[v], sg17_prov_names[p]);
            sg17_metrics_add(out, name, (double)sum);
            all += sum;
        }
        snprintf(name, sizeof name, "ledger.%s.all", verb_names[v]);
        sg17_metrics_add(out, name, (double)all);
    }
    for (size_t i = 0; i < self->n_reasons; i++) {
        snprintf(name, sizeof name, "ledger.rejected.reason.%s", self->reasons[i]);
        sg17_metrics_add(out, name, (double)by_reason[i]);
    }
    for (const sg17_reason_t *r = reasons; r && r->name; r++) {
        snprintf(name, sizeof name, "ledger.rejected.reason.%s", r->name);
        sg17_metrics_add(out, name, 0);
    }
    free(by_type);
    free(by_reason);
}

int sg17_ledger_truth(sg17_ledger_t *self, uint64_t id, sg17_ledger_truth_t *out)
{
    sg17_ledger_record_t *r = record_at_or_before(self, id);
    if (!r)
        return -1;
    const copy_t *c = NULL;
    if (r->id != id) {
        if (id - r->id > r->n_copies)
            return -1;
        c = &self->copies[r->copies_at + (id - r->id - 1)];
    }
    uint8_t outcome = c ? c->outcome : r->outcome;
    uint16_t reason = c ? c->reason : r->reason;
    *out = (sg17_ledger_truth_t){
        .true_src = r->true_src,
        .claimed_src = r->claimed_src,
        .dst = c ? c->dst : r->dst,
        .type = r->type < self->n_types ? self->types[r->type] : "?",
        .prov = (sg17_prov_t)r->prov,
        .fate = (sg17_fate_t)(c ? c->fate : r->fate),
        .outcome = (sg17_outcome_t)outcome,
        .reason = outcome == SG17_OUTCOME_REJECTED && reason < self->n_reasons
                      ? self->reasons[reason]
                      : NULL,
        .sent_at = r->sent_at,
    };
    return 0;
}
