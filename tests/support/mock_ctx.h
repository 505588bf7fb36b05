/* mock_ctx.h — one strict mock context for module unit tests and fuzz targets: a module runs
 * against it exactly as against the real host, built from nothing but its descriptor, without a
 * broker, sockets or frames.
 *
 * Why a mock and not the real host (sg17_host_new/_handle, as fuzz/fuzz_host.c drives it): a
 * module's test wants to call one handler with one message and look at what the module did
 * (its sends, timers, reports, metrics) as plain structs, and a fuzz target wants to hand a
 * payload to an entity thousands of times a second; the real host needs protobuf frames for
 * both. What the mock shares with the host is what a module can tell apart: it fills the config
 * struct with the core's own code (module/config.h, from the values normalised by
 * module/values.h, as scenario validation does), checks the descriptor with the loader's checks,
 * and dispatches exactly as the host does (a delivery to its kind's on_message, or no_receiver
 * when the kind has none; a timer to its kind's on_timer; an attack to its run()).
 *
 * Strict: everything the real core would refuse or the scenario validator would never produce is
 * a violation — an undeclared config key, mitigation, kind, attack or parameter named by the test
 * or asked for by the module (sg17_param); a value not of the declared type or outside its range;
 * an undeclared message type, reject reason or metric (families count, and a family with a
 * member_kind only takes entities of the topology); a metric in the core's namespaces; a send or
 * timer for an entity outside the topology; a timer for a kind without on_timer; sg17_inject
 * outside an attack; a delivery the module reports twice, or never. A violation calls the mock's
 * violation handler: by default it prints "mock_ctx: <what>" on stderr and traps, which fails a
 * criterion test (reported as a crash, with the message) and is a finding for libFuzzer. Tests
 * that expect a violation install their own handler (sg17_mock_on_violation).
 *
 * Time is virtual: sends are delivered after the mock's latency (5 ms unless set), and
 * sg17_mock_run_until fires timers and delivers sends in (time, order) as the broker would. Link
 * `sg17mock` (tests/support/CMakeLists.txt); it needs the core's sg17module and sg17util.
 *
 *     sg17_mock_t *m = sg17_mock_new(&sg17_module);
 *     sg17_mock_topology(m, "meter", 2);
 *     sg17_mock_config(m, "reading_interval", "15min");      // as a scenario writes it
 *     sg17_mock_mitigation(m, "invocation_counter", true);
 *     sg17_mock_create(m);                                     // fills the config struct, create()
 *     sg17_mock_start(m);
 *     sg17_mock_run_until(m, SG17_HOUR);
 *     cr_assert_gt(sg17_mock_metric(m, "hes.readings.ok"), 0);
 *     const sg17_mock_report_t *r =
 *         sg17_mock_deliver(m, sg17_mock_entity(m, "meter-0"), sg17_mock_entity(m, "hes-0"),
 *                           "metering.reading", payload, len);
 *     cr_assert_not(r->accepted);
 *     cr_assert_str_eq(r->reason, "replay");
 *     sg17_mock_free(m);
 */
#ifndef SG17_TEST_MOCK_CTX_H
#define SG17_TEST_MOCK_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sg17tb/module.h"

typedef struct sg17_mock sg17_mock_t;

/* A message the module sent (or injected, inside an attack). */
typedef struct {
    sg17_time_t at;
    sg17_entity_t src, dst; /* src: the claimed source for an injection */
    const char *type;
    const uint8_t *payload; /* owned by the mock until sg17_mock_clear / _free */
    size_t len;
    bool injected;
} sg17_mock_send_t;

/* What an entity did with a delivered message. */
typedef struct {
    uint64_t id;
    sg17_entity_t dst;
    const char *type;
    bool accepted;
    const char *reason; /* NULL when accepted; "no_receiver" when the core rejected it */
} sg17_mock_report_t;

/* A timer the module armed that has not fired yet. */
typedef struct {
    sg17_time_t at;
    sg17_entity_t entity;
    uint64_t tag;
} sg17_mock_timer_t;

/* ---- building a run ---- */

/* A mock for the module: the descriptor is checked as the loader checks it (a violation if it
 * fails), the topology is each kind's default_count, the config every key's default and every
 * mitigation its default_on. */
sg17_mock_t *sg17_mock_new(const sg17_module_t *module);
/* Replaces the violation handler (NULL restores the default: print and trap). The handler may
 * return: the offending call then does nothing (a send is not queued, a metric not recorded). */
void sg17_mock_on_violation(sg17_mock_t *m, void (*handler)(void *arg, const char *what),
                            void *arg);
/* Before create: the count of a declared kind (within min_count .. max_count). */
void sg17_mock_topology(sg17_mock_t *m, const char *kind, unsigned count);
/* Before create: a declared config key, as a scenario writes the value ("15min", "on", "00ff"). */
void sg17_mock_config(sg17_mock_t *m, const char *key, const char *value);
/* Before create: a declared mitigation's state for this run. */
void sg17_mock_mitigation(sg17_mock_t *m, const char *name, bool on);
/* Before create: the seed of sg17_rand_u64 (default 1) and the network latency (default 5 ms). */
void sg17_mock_seed(sg17_mock_t *m, uint64_t seed);
void sg17_mock_latency(sg17_mock_t *m, sg17_time_t latency);
/* Fills the config struct and calls create(ctx, config): 0, or -1 when create returned NULL (its
 * sg17_log line is in sg17_mock_last_log). */
int sg17_mock_create(sg17_mock_t *m);
/* Calls start() at time 0. */
void sg17_mock_start(sg17_mock_t *m);
/* Calls finish() (final metrics). */
void sg17_mock_finish(sg17_mock_t *m);
void sg17_mock_free(sg17_mock_t *m);

/* ---- what the module sees ---- */

sg17_ctx_t *sg17_mock_ctx(sg17_mock_t *m);
void *sg17_mock_instance(sg17_mock_t *m);
/* The config struct create() was given (valid until sg17_mock_free). */
const void *sg17_mock_config_struct(const sg17_mock_t *m);
/* The entity named "<kind>-<index>" (a violation when the topology has none). */
sg17_entity_t sg17_mock_entity(sg17_mock_t *m, const char *name);
sg17_time_t sg17_mock_now(const sg17_mock_t *m);

/* ---- driving it ---- */

/* Delivers one message now, claimed to come from src, to dst's kind's handler (or rejects it as
 * no_receiver when the kind has none) and returns the report the entity gave (a violation if it
 * gave none or two). The type must be declared. */
const sg17_mock_report_t *sg17_mock_deliver(sg17_mock_t *m, sg17_entity_t src, sg17_entity_t dst,
                                            const char *type, const void *payload, size_t len);
/* Fires the timers due and delivers the sends due, in time order, up to and including time t
 * (never backwards). Returns how many events it handled. */
size_t sg17_mock_run_until(sg17_mock_t *m, sg17_time_t t);
/* Carries out an attack now: params are "name", "value" pairs as a scenario writes them,
 * NULL-terminated, each declared, of its type and within its range, every required one given;
 * captured (may be NULL) are the messages sg17_captured returns. Returns run()'s result. */
int sg17_mock_attack(sg17_mock_t *m, const char *attack, const char *const *params,
                     const sg17_msg_t *captured, size_t n_captured);
/* Hands entity e to the adversary (on_compromise, if the module has it). */
void sg17_mock_compromise(sg17_mock_t *m, sg17_entity_t e);

/* ---- what the module did ---- */

size_t sg17_mock_send_count(const sg17_mock_t *m);
const sg17_mock_send_t *sg17_mock_send(const sg17_mock_t *m, size_t i);
size_t sg17_mock_report_count(const sg17_mock_t *m);
const sg17_mock_report_t *sg17_mock_report(const sg17_mock_t *m, size_t i);
size_t sg17_mock_timer_count(const sg17_mock_t *m);
const sg17_mock_timer_t *sg17_mock_timer(const sg17_mock_t *m, size_t i);
/* A metric's value (0 when never written). */
double sg17_mock_metric(const sg17_mock_t *m, const char *name);
/* The text the module handed sg17_artifact under name (NULL if none). */
const char *sg17_mock_artifact(const sg17_mock_t *m, const char *name);
/* The module's last sg17_log line ("" if none). */
const char *sg17_mock_last_log(const sg17_mock_t *m);
/* Forgets the sends and reports recorded so far (timers and sends still due stay due). */
void sg17_mock_clear(sg17_mock_t *m);

#endif
