/* ledger.c — message records in id order (ids are assigned increasing), as compact columns
 * looked up by id through segments of consecutive ids. */
#include "engine/ledger.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/widen.h"

const char *const sg17_prov_names[SG17_PROV_COUNT] = {"genuine", "injected", "replayed", "modified",
                                                      "from_compromised"};

#define MAX_NAMES 65535

/* The ledger keeps its messages in slots, in id order (a send, then its further receivers'
 * copies), as columns: the appends of a frame of envelopes then write about 11 bytes each,
 * a few dense streams, instead of a 40-byte struct. What a run of messages shares is kept once:
 *   - ids are consecutive within a segment (slot = id - first_id + first);
 *   - provenance and send time once per group of slots (a frame's envelopes are one group;
 *     a multicast's copies are always in their send's group);
 *   - the claimed source only where it differs from the true one (claims, by slot);
 *   - a multicast's further receivers' copies hold only their receiver and state: source, type,
 *     claim and group are their send's, the slot before them (multicasts lists those sends);
 *   - a reason only once something is rejected (the reason column is made then).
 * Fate and outcome live in the state byte, which the host updates as the run goes. */
enum {
    ST_FATE = 0x03,    /* sg17_fate_t */
    ST_OUTCOME = 0x0c, /* sg17_outcome_t << 2 */
    ST_COPY = 0x80,    /* a further receiver's copy of the send before it, not a send */
};
#define OUTCOME_SHIFT 2

typedef struct {
    uint64_t first_id;
    size_t first; /* slot of first_id */
} segment_t;

typedef struct {
    size_t first; /* first slot of the group */
    sg17_time_t sent_at;
    uint8_t prov;
} group_t;

typedef struct {
    size_t slot;
    sg17_entity_t claimed;
} claim_t;

/* The per-slot columns, all of `cap` slots (reason: when not NULL). */
typedef struct {
    sg17_entity_t *src, *dst; /* true source (not written for a copy), receiver */
    uint16_t *type;           /* not written for a copy */
    uint8_t *state;
    uint16_t *reason; /* written when the outcome is `rejected`, read only then */
    size_t cap;
} columns_t;

struct sg17_ledger {
    columns_t col;
    size_t n;
    size_t last_send; /* the slot of the latest send, when n > 0 */
    uint64_t next_id; /* the id after the latest slot's */
    segment_t *segs;
    size_t n_segs, cap_segs;
    size_t finger; /* the segment of the last id looked up (slot_of) */
    group_t *groups;
    size_t n_groups, cap_groups;
    claim_t *claims;
    size_t n_claims, cap_claims;
    size_t *multicasts; /* the slots of the sends that have copies, increasing */
    size_t n_multicasts, cap_multicasts;
    sg17_ledger_record_t view; /* what sg17_ledger_record and _find return */
    char **types;
    size_t n_types;
    uint16_t last_type; /* the type of the latest record, and its length */
    size_t last_type_len;
    char **reasons;
    size_t n_reasons;
    uint64_t anomalies;
};

/* Each thread keeps the columns of the last ledger it destroyed, up to KEEP_BYTES, for its next
 * ledger: a scenario's second run (or a broker's next) then writes into pages already mapped
 * instead of faulting in fresh columns page by page, which costs more than filling them. The
 * key's destructor frees the kept columns when the thread exits. */
#define KEEP_BYTES (64u << 20)
#define SLOT_BYTES (2 * sizeof(sg17_entity_t) + sizeof(uint16_t) + sizeof(uint8_t))

static pthread_key_t g_spare_key;
static pthread_once_t g_spare_once = PTHREAD_ONCE_INIT;
static bool g_spare_ok;

static void columns_free(columns_t *c)
{
    free(c->src);
    free(c->dst);
    free(c->type);
    free(c->state);
    free(c->reason);
    memset(c, 0, sizeof *c);
}

static void spare_free(void *p)
{
    columns_free(p);
    free(p);
}

static void spare_key_create(void)
{
    g_spare_ok = pthread_key_create(&g_spare_key, spare_free) == 0;
}

sg17_ledger_t *sg17_ledger_new(void)
{
    sg17_ledger_t *self = calloc(1, sizeof(sg17_ledger_t));
    pthread_once(&g_spare_once, spare_key_create);
    columns_t *spare = self && g_spare_ok ? pthread_getspecific(g_spare_key) : NULL;
    if (spare && pthread_setspecific(g_spare_key, NULL) == 0) {
        self->col = *spare;
        free(spare);
    }
    return self;
}

/* Keeps the columns c as the thread's spare when they are small enough and bigger than the ones
 * kept; frees them otherwise. */
static void give_back(columns_t *c)
{
    columns_t *kept = g_spare_ok ? pthread_getspecific(g_spare_key) : NULL;
    free(c->reason); /* rarely there: not worth keeping */
    c->reason = NULL;
    if (!c->src || !g_spare_ok || c->cap * SLOT_BYTES > KEEP_BYTES
        || (kept && kept->cap >= c->cap)) {
        columns_free(c);
        return;
    }
    columns_t *s = kept ? kept : malloc(sizeof *s);
    if (!s || (!kept && pthread_setspecific(g_spare_key, s) != 0)) {
        free(s);
        columns_free(c);
        return;
    }
    if (kept)
        columns_free(kept);
    *s = *c;
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
    give_back(&self->col);
    free(self->segs);
    free(self->groups);
    free(self->claims);
    free(self->multicasts);
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

/* Doubles the array *arr of *cap elements of elem bytes (`first` at first). 0, or -1
 * (unchanged). */
static int double_array(void **arr, size_t *cap, size_t elem, size_t first)
{
    size_t n = *cap ? *cap * 2 : first;
    void *p = realloc(*arr, n * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = n;
    return 0;
}

/* Makes the column *col (elem-byte entries) hold cap entries, its pages from old_cap on mapped in
 * one call rather than one fault per page as the appends fill them. 0, or -1 (unchanged). */
static int grow_column(void **col, size_t old_cap, size_t cap, size_t elem)
{
    uint8_t *p = realloc(*col, cap * elem);
    if (!p)
        return -1;
    *col = p;
#ifdef MADV_POPULATE_WRITE
    uintptr_t page = 4096, start = ((uintptr_t)(p + old_cap * elem) + page - 1) & ~(page - 1);
    uintptr_t end = ((uintptr_t)(p + cap * elem)) & ~(page - 1);
    if (end > start)
        madvise((void *)start, end - start, MADV_POPULATE_WRITE);
#endif
    return 0;
}

/* Room for `more` slots past n: doubles every column until there is. 0, or -1 (out of memory;
 * cap unchanged). */
static __attribute__((noinline)) int reserve_slots(sg17_ledger_t *self, size_t more)
{
    columns_t *c = &self->col;
    if (more > SIZE_MAX / 4 - self->n)
        return -1;
    size_t cap = c->cap ? c->cap : 4096;
    while (cap - self->n < more)
        cap *= 2;
    if (cap == c->cap)
        return 0;
    /* a column that grew before another failed is only bigger than cap says: harmless */
    if (grow_column((void **)&c->src, c->cap, cap, sizeof *c->src) < 0
        || grow_column((void **)&c->dst, c->cap, cap, sizeof *c->dst) < 0
        || grow_column((void **)&c->type, c->cap, cap, sizeof *c->type) < 0
        || grow_column((void **)&c->state, c->cap, cap, sizeof *c->state) < 0
        || (c->reason && grow_column((void **)&c->reason, c->cap, cap, sizeof *c->reason) < 0))
        return -1;
    c->cap = cap;
    return 0;
}

static inline int room_for(sg17_ledger_t *self, size_t more)
{
    return __builtin_expect(self->col.cap - self->n >= more, 1) ? 0 : reserve_slots(self, more);
}

/* The segment and group bookkeeping of an append of slots from id on, with prov and sent_at:
 * a new segment when id does not follow the last slot's, a new group when prov or sent_at
 * differ from the last group's. Out of line: a frame needs neither, mostly. 0, or -1 (out of
 * memory; nothing changed). */
static __attribute__((noinline)) int open_slots(sg17_ledger_t *self, uint64_t id, sg17_prov_t prov,
                                                sg17_time_t sent_at)
{
    bool new_seg = !self->n || id != self->next_id;
    const group_t *last = self->n_groups ? &self->groups[self->n_groups - 1] : NULL;
    bool new_group = !last || last->prov != (uint8_t)prov || last->sent_at != sent_at;
    if (new_seg && self->n_segs == self->cap_segs
        && double_array((void **)&self->segs, &self->cap_segs, sizeof *self->segs, 16) < 0)
        return -1;
    if (new_group && self->n_groups == self->cap_groups
        && double_array((void **)&self->groups, &self->cap_groups, sizeof *self->groups, 64) < 0)
        return -1;
    if (new_seg && self->segs)
        self->segs[self->n_segs++] = (segment_t){.first_id = id, .first = self->n};
    if (new_group && self->groups)
        self->groups[self->n_groups++] =
            (group_t){.first = self->n, .sent_at = sent_at, .prov = (uint8_t)prov};
    return 0;
}

/* Whether slots from id on can be appended with prov and sent_at: the id is past the last one,
 * and segment and group are ready (opened if needed). */
static inline bool may_append(sg17_ledger_t *self, uint64_t id, sg17_prov_t prov,
                              sg17_time_t sent_at)
{
    if (self->n && id < self->next_id)
        return false;
    const group_t *g = self->n_groups ? &self->groups[self->n_groups - 1] : NULL;
    if (__builtin_expect(g && self->n && id == self->next_id && g->prov == (uint8_t)prov
                             && g->sent_at == sent_at,
                         1))
        return true;
    return open_slots(self, id, prov, sent_at) == 0;
}

/* Notes that slot's claimed source is claimed (not its true source). 0, or -1. */
static int add_claim(sg17_ledger_t *self, size_t slot, sg17_entity_t claimed)
{
    if (self->n_claims == self->cap_claims
        && double_array((void **)&self->claims, &self->cap_claims, sizeof *self->claims, 16) < 0)
        return -1;
    self->claims[self->n_claims++] = (claim_t){.slot = slot, .claimed = claimed};
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

const sg17_ledger_record_t *sg17_ledger_record(sg17_ledger_t *self, uint64_t id,
                                               sg17_entity_t true_src, sg17_entity_t claimed_src,
                                               sg17_entity_t dst, const char *type,
                                               sg17_prov_t prov, sg17_time_t sent_at)
{
    return sg17_ledger_record_typed(self, id, true_src, claimed_src, dst,
                                    sg17_ledger_type(self, type, strlen(type)), prov, sent_at);
}

/* A send's slot, appended (room made and id checked by the caller). */
static void put_send(sg17_ledger_t *self, uint64_t id, sg17_entity_t src, sg17_entity_t dst,
                     uint16_t type)
{
    size_t s = self->n++;
    self->col.src[s] = src;
    self->col.dst[s] = dst;
    self->col.type[s] = type;
    self->col.state[s] = SG17_FATE_IN_FLIGHT | SG17_OUTCOME_NONE << OUTCOME_SHIFT;
    self->last_send = s;
    self->next_id = id + 1;
}

const sg17_ledger_record_t *sg17_ledger_record_typed(sg17_ledger_t *self, uint64_t id,
                                                     sg17_entity_t true_src,
                                                     sg17_entity_t claimed_src, sg17_entity_t dst,
                                                     uint16_t type, sg17_prov_t prov,
                                                     sg17_time_t sent_at)
{
    if (room_for(self, 1) < 0 || !may_append(self, id, prov, sent_at)
        || (claimed_src != true_src && add_claim(self, self->n, claimed_src) < 0))
        return NULL;
    put_send(self, id, true_src, dst, type);
    self->view = (sg17_ledger_record_t){.id = id,
                                        .true_src = true_src,
                                        .claimed_src = claimed_src,
                                        .dst = dst,
                                        .type = type,
                                        .prov = (uint8_t)prov,
                                        .fate = SG17_FATE_IN_FLIGHT,
                                        .outcome = SG17_OUTCOME_NONE,
                                        .sent_at = sent_at};
    return &self->view;
}

/* Appends n copies of the latest send to dst[0 .. n): a receiver and a state each (the rest is
 * the send's). */
/* The receivers of copies, of a run: 32-bit words, or bytes (words NULL). */
typedef struct {
    const sg17_entity_t *w;
    const uint8_t *b;
} entities_t;

static void put_entities(sg17_entity_t *col, entities_t e, size_t n)
{
    if (e.w)
        memcpy(col, e.w, n * sizeof *e.w);
    else
        sg17_widen_u8(e.b, n, col);
}

/* Room for one more entry in the list of sends with copies. 0, or -1 (out of memory). */
static int room_for_multicast(sg17_ledger_t *self)
{
    return self->n_multicasts < self->cap_multicasts
               ? 0
               : double_array((void **)&self->multicasts, &self->cap_multicasts,
                              sizeof *self->multicasts, 64);
}

static int append_copies(sg17_ledger_t *self, entities_t dst, size_t n)
{
    if (!self->n || n > UINT16_MAX - (self->n - 1 - self->last_send))
        return -1;
    bool first = self->n - 1 == self->last_send; /* the send's first copies */
    if (room_for(self, n) < 0 || (first && room_for_multicast(self) < 0))
        return -1;
    if (first && self->multicasts)
        self->multicasts[self->n_multicasts++] = self->last_send;
    put_entities(self->col.dst + self->n, dst, n);
    memset(self->col.state + self->n, ST_COPY | SG17_FATE_IN_FLIGHT, n);
    self->n += n;
    self->next_id += n;
    return 0;
}

int sg17_ledger_record_copy(sg17_ledger_t *self, uint64_t id, sg17_entity_t dst)
{
    if (!self->n || id != self->next_id)
        return -1;
    return append_copies(self, (entities_t){&dst, NULL}, 1);
}

/* The type column of a run: type_of[index[i]], from words or bytes (index NULL: type_of[0]). */
static void put_types(uint16_t *type, const uint32_t *w, const uint8_t *b, const uint16_t *type_of,
                      size_t n)
{
    if (w) {
        for (size_t i = 0; i < n; i++)
            type[i] = type_of[w[i]];
    } else if (b) {
        for (size_t i = 0; i < n; i++)
            type[i] = type_of[b[i]];
    } else { /* one type: four at a time */
        uint64_t four = 0x0001000100010001ULL * type_of[0];
        size_t i = 0;
        for (; i + 4 <= n; i += 4)
            memcpy(type + i, &four, sizeof four);
        for (; i < n; i++)
            type[i] = type_of[0];
    }
}

static int append_run(sg17_ledger_t *self, uint64_t first_id, size_t n, entities_t src,
                      entities_t dst, const uint32_t *type_w, const uint8_t *type_b,
                      const uint16_t *type_of, sg17_prov_t prov, sg17_time_t sent_at)
{
    if (!n)
        return 0;
    if (room_for(self, n) < 0 || !may_append(self, first_id, prov, sent_at))
        return -1;
    size_t s = self->n;
    put_entities(self->col.src + s, src, n);
    put_entities(self->col.dst + s, dst, n);
    put_types(self->col.type + s, type_w, type_b, type_of, n);
    memset(self->col.state + s, SG17_FATE_IN_FLIGHT | SG17_OUTCOME_NONE << OUTCOME_SHIFT, n);
    self->n += n;
    self->last_send = self->n - 1;
    self->next_id = first_id + n;
    return 0;
}

int sg17_ledger_record_run(sg17_ledger_t *self, uint64_t first_id, size_t n,
                           const sg17_entity_t *src, const sg17_entity_t *dst,
                           const uint32_t *type_index, const uint16_t *type_of, sg17_prov_t prov,
                           sg17_time_t sent_at)
{
    return append_run(self, first_id, n, (entities_t){src, NULL}, (entities_t){dst, NULL},
                      type_index, NULL, type_of, prov, sent_at);
}

int sg17_ledger_record_run_bytes(sg17_ledger_t *self, uint64_t first_id, size_t n,
                                 const uint8_t *src, const uint8_t *dst, const uint8_t *type_index,
                                 const uint16_t *type_of, sg17_prov_t prov, sg17_time_t sent_at)
{
    return append_run(self, first_id, n, (entities_t){NULL, src}, (entities_t){NULL, dst}, NULL,
                      type_index, type_of, prov, sent_at);
}

int sg17_ledger_record_copies(sg17_ledger_t *self, const sg17_entity_t *dst, size_t n)
{
    return n ? append_copies(self, (entities_t){dst, NULL}, n) : 0;
}

int sg17_ledger_record_multicast(sg17_ledger_t *self, uint64_t id, sg17_entity_t src,
                                 sg17_entity_t dst, uint16_t type, sg17_prov_t prov,
                                 sg17_time_t sent_at, const uint8_t *more, size_t n)
{
    /* all the room first: a send is never left recorded without its copies */
    if (n > UINT16_MAX || room_for(self, 1 + n) < 0 || (n && room_for_multicast(self) < 0)
        || !may_append(self, id, prov, sent_at))
        return -1;
    put_send(self, id, src, dst, type);
    return n ? append_copies(self, (entities_t){NULL, more}, n) : 0;
}

/* Whether segment k holds id: its slot in *slot. */
static inline bool segment_holds(const sg17_ledger_t *self, size_t k, uint64_t id, size_t *slot)
{
    const segment_t *g = &self->segs[k];
    size_t end = k + 1 < self->n_segs ? self->segs[k + 1].first : self->n;
    if (id < g->first_id || id - g->first_id >= end - g->first)
        return false;
    *slot = g->first + (size_t)(id - g->first_id);
    return true;
}

/* The slot of message id, or SIZE_MAX when the id is unknown. The fates and reports of a window's
 * deliveries mostly fall in the segment of the last lookup or the next one: those two are tried
 * before the binary search over the segments. */
static size_t slot_of(sg17_ledger_t *self, uint64_t id)
{
    size_t slot;
    for (size_t k = self->finger; k < self->n_segs && k <= self->finger + 1; k++)
        if (segment_holds(self, k, id, &slot)) {
            self->finger = k;
            return slot;
        }
    size_t lo = 0, hi = self->n_segs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (self->segs[mid].first_id <= id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo || !segment_holds(self, lo - 1, id, &slot))
        return SIZE_MAX;
    self->finger = lo - 1;
    return slot;
}

/* The group of slot (slot < n). */
static const group_t *group_of(const sg17_ledger_t *self, size_t slot)
{
    size_t lo = 0, hi = self->n_groups;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (self->groups[mid].first <= slot)
            lo = mid + 1;
        else
            hi = mid;
    }
    return &self->groups[lo - 1]; /* the first group starts at slot 0 */
}

/* The slot of the send whose source, type, claim and group slot has: its own, or for a copy
 * the last multicast send before it. */
static size_t send_of(const sg17_ledger_t *self, size_t slot)
{
    if (!(self->col.state[slot] & ST_COPY))
        return slot;
    size_t lo = 0, hi = self->n_multicasts;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (self->multicasts[mid] < slot)
            lo = mid + 1;
        else
            hi = mid;
    }
    return self->multicasts[lo - 1]; /* a copy follows its send */
}

/* The claimed source of the send in slot. */
static sg17_entity_t claimed_of(const sg17_ledger_t *self, size_t slot)
{
    size_t lo = 0, hi = self->n_claims;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (self->claims[mid].slot < slot)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < self->n_claims && self->claims[lo].slot == slot ? self->claims[lo].claimed
                                                                : self->col.src[slot];
}

const sg17_ledger_record_t *sg17_ledger_find(sg17_ledger_t *self, uint64_t id)
{
    size_t s = slot_of(self, id);
    if (s == SIZE_MAX || self->col.state[s] & ST_COPY)
        return NULL;
    size_t copies = 0;
    while (s + 1 + copies < self->n && self->col.state[s + 1 + copies] & ST_COPY)
        copies++;
    const group_t *g = group_of(self, s);
    uint8_t st = self->col.state[s];
    unsigned outcome = (st & ST_OUTCOME) >> OUTCOME_SHIFT;
    self->view = (sg17_ledger_record_t){
        .id = id,
        .sent_at = g->sent_at,
        .true_src = self->col.src[s],
        .claimed_src = claimed_of(self, s),
        .dst = self->col.dst[s],
        .type = self->col.type[s],
        .reason = outcome == SG17_OUTCOME_REJECTED ? self->col.reason[s] : 0,
        .n_copies = (uint16_t)copies,
        .prov = g->prov,
        .fate = st & ST_FATE,
        .outcome = outcome & 3,
    };
    return &self->view;
}

void sg17_ledger_set_fate(sg17_ledger_t *self, uint64_t id, sg17_fate_t fate)
{
    size_t s = slot_of(self, id);
    if (s != SIZE_MAX)
        self->col.state[s] = (uint8_t)((self->col.state[s] & ~ST_FATE) | (fate & ST_FATE));
}

/* Makes the reason column (on the first rejection). 0, or -1. */
static int make_reasons(sg17_ledger_t *self)
{
    if (self->col.reason)
        return 0;
    self->col.reason = malloc(self->col.cap * sizeof *self->col.reason);
    return self->col.reason ? 0 : -1;
}

int sg17_ledger_report(sg17_ledger_t *self, uint64_t id, bool accepted, const char *reason)
{
    size_t s = slot_of(self, id);
    uint8_t st = s != SIZE_MAX ? self->col.state[s] : 0;
    if (s == SIZE_MAX || (st & ST_FATE) != SG17_FATE_DELIVERED
        || (st & ST_OUTCOME) != SG17_OUTCOME_NONE << OUTCOME_SHIFT
        || (!accepted && make_reasons(self) < 0)) {
        self->anomalies++;
        return -1;
    }
    unsigned outcome = accepted ? SG17_OUTCOME_ACCEPTED : SG17_OUTCOME_REJECTED;
    if (!accepted)
        self->col.reason[s] =
            intern(&self->reasons, &self->n_reasons, reason && *reason ? reason : "unspecified");
    self->col.state[s] = (uint8_t)(st | outcome << OUTCOME_SHIFT);
    return 0;
}

uint64_t sg17_ledger_anomalies(const sg17_ledger_t *self)
{
    return self->anomalies;
}
size_t sg17_ledger_size(const sg17_ledger_t *self)
{
    return self->n;
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
    size_t g = 0;
    uint16_t type = 0; /* the last send's: its copies' */
    for (size_t i = 0; i < self->n; i++) {
        while (g + 1 < self->n_groups && self->groups[g + 1].first <= i)
            g++;
        unsigned prov = self->groups[g].prov, st = self->col.state[i];
        unsigned outcome = (st & ST_OUTCOME) >> OUTCOME_SHIFT;
        if (!(st & ST_COPY))
            type = self->col.type[i];
        uint64_t(*c)[SG17_PROV_COUNT] = by_type[type];
        if (!(st & ST_COPY))
            c[V_SENT][prov]++;
        count_receiver(c, by_reason, prov, st & ST_FATE, outcome,
                       outcome == SG17_OUTCOME_REJECTED ? self->col.reason[i] : 0);
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
    size_t s = slot_of(self, id);
    if (s == SIZE_MAX)
        return -1;
    const group_t *g = group_of(self, s);
    uint8_t st = self->col.state[s];
    unsigned outcome = (st & ST_OUTCOME) >> OUTCOME_SHIFT;
    size_t send = send_of(self, s);
    uint16_t type = self->col.type[send];
    uint16_t reason = outcome == SG17_OUTCOME_REJECTED ? self->col.reason[s] : 0;
    *out = (sg17_ledger_truth_t){
        .true_src = self->col.src[send],
        .claimed_src = claimed_of(self, send),
        .dst = self->col.dst[s],
        .type = type < self->n_types ? self->types[type] : "?",
        .prov = (sg17_prov_t)g->prov,
        .fate = (sg17_fate_t)(st & ST_FATE),
        .outcome = (sg17_outcome_t)outcome,
        .reason = outcome == SG17_OUTCOME_REJECTED && reason < self->n_reasons
                      ? self->reasons[reason]
                      : NULL,
        .sent_at = g->sent_at,
    };
    return 0;
}
