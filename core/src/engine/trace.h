/* trace.h — `sg17tb run --trace DIR`: the packet trace of one run. Every envelope delivered on
 * the bus is kept with its virtual delivery time; at the end of the run the trace is written as
 * a pcapng file, each packet framed by the module's trace_frame slot (the real protocol's
 * encapsulation) or else as a Wireshark exported PDU, with a comment that carries the ledger's
 * ground truth (docs/report.md, "Packet traces"). */
#ifndef SG17_ENGINE_TRACE_H
#define SG17_ENGINE_TRACE_H

#include <stdint.h>

#include "engine/ledger.h"
#include "engine/world.h"
#include "envelope.pb-c.h"
#include "sg17tb/module.h"
#include "util/diag.h"

typedef struct sg17_trace sg17_trace_t;

sg17_trace_t *sg17_trace_new(void);
void sg17_trace_destroy(sg17_trace_t **self_p);
/* Keeps a copy of a delivered envelope and its delivery time. Returns 0 / -1 (out of memory). */
int sg17_trace_delivered(sg17_trace_t *self, sg17_time_t at, const Sg17__Envelope *env);
/* Packets kept so far. */
size_t sg17_trace_count(const sg17_trace_t *self);
/* Writes the pcapng file at path: the packets in delivery order, framed by module (its
 * trace_frame, when it has one and frames the message) or as exported PDUs, each with the
 * ledger's ground truth as its comment. Returns 0 / -1 with err set. */
int sg17_trace_write(const sg17_trace_t *self, const char *path, sg17_ledger_t *ledger,
                     const sg17_world_t *world, const sg17_module_t *module, sg17_err_t *err);
/* A file name for one run: "<id>.<run>.pcapng" with characters other than [A-Za-z0-9._-]
 * replaced by '_' ("metering_replay-readings.baseline.pcapng"). */
void sg17_trace_file_name(const char *scenario_id, const char *run, char *buf, size_t size);

#endif
