/* ledger.h — the broker's ground truth: one record per message that entered the bus, with who
 * really sent it and its provenance, what happened to it in the network, and what the receiving
 * entity said it did with it. Provenance is never delivered to a receiver; the ledger joins the
 * receivers' reports with it into the ledger.* metrics (docs/architecture.md §7). */
#ifndef SG17_ENGINE_LEDGER_H
#define SG17_ENGINE_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#include "sg17tb/module.h"
#include "util/metrics.h"

typedef enum {
    SG17_PROV_GENUINE,
    SG17_PROV_INJECTED,
    SG17_PROV_REPLAYED,
    SG17_PROV_MODIFIED,
    SG17_PROV_FROM_COMPROMISED,
    SG17_PROV_COUNT
} sg17_prov_t;

typedef enum {
    SG17_FATE_IN_FLIGHT, /* sent, not yet delivered (or the run ended first) */
    SG17_FATE_DELIVERED,
    SG17_FATE_DROPPED,  /* by the adversary or link loss */
    SG17_FATE_REPLACED, /* intercepted and replaced by a modified copy */
} sg17_fate_t;

typedef enum { SG17_OUTCOME_NONE, SG17_OUTCOME_ACCEPTED, SG17_OUTCOME_REJECTED } sg17_outcome_t;

extern const char *const sg17_prov_names[SG17_PROV_COUNT];

/* A send as the ledger holds it (a unicast, or a multicast's first receiver, which counts the
 * send; its further receivers' copies follow it with the next ids, sg17_ledger_record_copy). The
 * ledger keeps its messages in compact columns, not as these structs: sg17_ledger_record and
 * sg17_ledger_find return a copy of the fields at the call, valid until the next call. */
typedef struct {
    uint64_t id;
    sg17_time_t sent_at;
    sg17_entity_t true_src; /* SG17_NO_ENTITY: the adversary itself */
    sg17_entity_t claimed_src, dst;
    uint16_t type;     /* index into the ledger's type table */
    uint16_t reason;   /* index into the reason table, when rejected */
    uint16_t n_copies; /* further receivers: ids id + 1 .. id + n_copies */
    uint8_t prov : 3, fate : 2, outcome : 2;
} sg17_ledger_record_t;

typedef struct sg17_ledger sg17_ledger_t;

sg17_ledger_t *sg17_ledger_new(void);
void sg17_ledger_destroy(sg17_ledger_t **self_p);

/* Records a message; ids must be increasing (an id at or below the last one recorded is refused).
 * Returns the record (a copy, valid until the next call), or NULL (refused, or out of memory). */
const sg17_ledger_record_t *sg17_ledger_record(sg17_ledger_t *self, uint64_t id,
                                               sg17_entity_t true_src, sg17_entity_t claimed_src,
                                               sg17_entity_t dst, const char *type,
                                               sg17_prov_t prov, sg17_time_t sent_at);
/* The index of a message type (type_len bytes, no NUL needed) in the ledger's table, added on
 * first use: for callers that record many messages of one type. */
uint16_t sg17_ledger_type(sg17_ledger_t *self, const char *type, size_t type_len);
/* As sg17_ledger_record, with the type an index from sg17_ledger_type. */
const sg17_ledger_record_t *sg17_ledger_record_typed(sg17_ledger_t *self, uint64_t id,
                                                     sg17_entity_t true_src,
                                                     sg17_entity_t claimed_src, sg17_entity_t dst,
                                                     uint16_t type, sg17_prov_t prov,
                                                     sg17_time_t sent_at);
/* A further receiver's copy of the multicast recorded last: id must be that record's id plus its
 * copies so far plus one (a multicast's ids are consecutive). Fate and report as for any id; the
 * copy shares the send's source, type, provenance and time, and counts as a delivery or a drop,
 * never as a send. Returns 0, or -1 (out of memory, not the next id, or too many copies). */
int sg17_ledger_record_copy(sg17_ledger_t *self, uint64_t id, sg17_entity_t dst);
/* Records n unicast messages with the consecutive ids first_id, first_id + 1, ... (increasing
 * past every id recorded): message i from src[i] (true and claimed source) to dst[i], of type
 * type_of[type_index[i]] (indexes from sg17_ledger_type; type_index NULL: all of type
 * type_of[0], as in a frame that names one type), all of provenance prov, sent at sent_at: one
 * append for a frame of envelopes. Returns 0, or -1 (out of memory, or first_id not past the last
 * id recorded; nothing recorded). */
int sg17_ledger_record_run(sg17_ledger_t *self, uint64_t first_id, size_t n,
                           const sg17_entity_t *src, const sg17_entity_t *dst,
                           const uint32_t *type_index, const uint16_t *type_of, sg17_prov_t prov,
                           sg17_time_t sent_at);
/* As sg17_ledger_record_run, with entities and type indexes given as bytes (below 256, as a
 * relayed frame carries them: sg17_relay_frame_t.src8 ...); type_index NULL as there. */
int sg17_ledger_record_run_bytes(sg17_ledger_t *self, uint64_t first_id, size_t n,
                                 const uint8_t *src, const uint8_t *dst, const uint8_t *type_index,
                                 const uint16_t *type_of, sg17_prov_t prov, sg17_time_t sent_at);
/* sg17_ledger_record_copy for the next n copies of the multicast recorded last (their ids follow
 * it), to dst[0 .. n). Returns 0, or -1 (out of memory or too many copies; nothing recorded). */
int sg17_ledger_record_copies(sg17_ledger_t *self, const sg17_entity_t *dst, size_t n);
/* A genuine send with id from src (true and claimed) to dst, and its n further receivers' copies
 * (ids id + 1 .. id + n) to more[0 .. n), given as bytes: sg17_ledger_record_typed then
 * sg17_ledger_record_copies in one call, for a relayed multicast. Returns 0, or -1 (out of
 * memory, id not past the last one, too many copies; nothing recorded). */
int sg17_ledger_record_multicast(sg17_ledger_t *self, uint64_t id, sg17_entity_t src,
                                 sg17_entity_t dst, uint16_t type, sg17_prov_t prov,
                                 sg17_time_t sent_at, const uint8_t *more, size_t n);
/* The record of a send (not of a further receiver's copy; a copy, valid until the next call), or
 * NULL. */
const sg17_ledger_record_t *sg17_ledger_find(sg17_ledger_t *self, uint64_t id);
void sg17_ledger_set_fate(sg17_ledger_t *self, uint64_t id, sg17_fate_t fate);
/* Joins a receiver's report. Returns -1 if the id is unknown, was not delivered, or was already
 * reported (the report is then ignored and counted as an anomaly). */
int sg17_ledger_report(sg17_ledger_t *self, uint64_t id, bool accepted, const char *reason);
uint64_t sg17_ledger_anomalies(const sg17_ledger_t *self);
/* Messages recorded: sends and further receivers' copies. */
size_t sg17_ledger_size(const sg17_ledger_t *self);

/* Adds ledger.<verb>.<prov>, ledger.<verb>.all, ledger.<verb>.<prov>.<type>,
 * ledger.rejected.reason.<reason> for verbs sent, delivered, accepted, rejected, dropped,
 * unreported (delivered without a report), pending (still in flight when the run ended: delayed
 * past its end), replaced (intercepted; a modified copy went on in its place, counted under
 * `modified`) and copies (receivers' copies). `sent` counts transmissions, the other verbs
 * receivers' copies: a multicast to n receivers is 1 sent and n copies (for unicast copies =
 * sent). Each copy has exactly one fate, so for every provenance and type
 *     copies = delivered + dropped + replaced + pending,
 * and delivered = accepted + rejected + unreported (docs/report.md, docs/scenarios.md). Per-type
 * counts appear only when non-zero (a condition reads a missing metric as 0); the declared
 * `reasons`
 * ({NULL}-terminated, may be NULL) are emitted with zero counts too. */
void sg17_ledger_metrics(const sg17_ledger_t *self, sg17_metrics_t *out,
                         const sg17_reason_t *reasons);

/* The ground truth of one message (a send or a further receiver's copy), for the packet trace
 * (`sg17tb run --trace`): its real and claimed source, receiver, type, provenance, fate, what the
 * receiver said and why. The strings are the ledger's (valid until it is destroyed). Returns 0,
 * or -1 when the id is unknown. */
typedef struct {
    sg17_entity_t true_src, claimed_src, dst;
    const char *type;
    sg17_prov_t prov;
    sg17_fate_t fate;
    sg17_outcome_t outcome;
    const char *reason; /* when rejected, else NULL */
    sg17_time_t sent_at;
} sg17_ledger_truth_t;
int sg17_ledger_truth(sg17_ledger_t *self, uint64_t id, sg17_ledger_truth_t *out);

#endif
