/* bench_bus.c — the broker's relay path against plain ZeroMQ, in the same run.
 *
 * bus.broker.*: envelopes per second from peer A through the broker (check the frame, assign
 * ids, record each envelope in the ledger, one bulk append per frame, forward to peer B; the
 * frames already queued when the broker looks, up to BURST, go on together) against
 * raw ZeroMQ PUSH/PULL from A to B. Both sides carry the same bytes in the same messages: a packed
 * Relay frame of 64 envelopes (with 64 B payloads: about 5 KiB), which A sends as is and B receives
 * without decoding, so the two differ by the broker alone. B decodes the last frame the broker
 * forwarded and checks its ids.
 *
 * bus.multicast.100: deliveries per second through the same broker path for sends to 100
 * receivers each, as one multicast envelope per send against 100 unicast envelopes of the same
 * payload per send. A frame carries 10 sends (one window of a host whose entities all
 * broadcast: 10 envelopes, or 1000). The broker records a send and a delivery per receiver on
 * both sides, in the ledger's two forms; the ratio is per delivery.
 *
 * The process sets its allocator as sg17tb does (sg17_bus_plan_memory: one arena, freed memory
 * kept), for both sides alike. With glibc's defaults each sender thread's arena grew with the
 * frames it had in flight and gave the pages back after each burst of frees, faulting them in
 * again: that cost the broker side (whose sender runs ahead and whose receiver frees in bursts)
 * far more than the raw side.
 *
 * Each line is the median of five alternating runs of both sides. A comment line after it gives
 * each side's CPU time per envelope (user + system, every thread of the process, median of the
 * same runs): on a loaded machine the rates move with the scheduler, the CPU time much less.
 * Usage: bench_bus [FILTER [SIDE]] runs only the cases whose name contains FILTER ("inproc.64B");
 * with SIDE (1: the baseline, 2: the measured side) only that side runs, five times, and the
 * line gives its rate alone: for profilers (valgrind, strace, perf), never for a ratio. */
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bus/broker.h"
#include "engine/ledger.h"

#define BATCH     64  /* envelopes per frame of the bus.broker cases */
#define BURST     128 /* most frames the broker takes from its queue before forwarding them */
#define RECEIVERS 100 /* receivers of each send of the bus.multicast case, */
#define SENDS     10  /* and sends per frame (a host's window: every neighbour broadcasting) */

/* What one run moves: `frames` copies of the packed frame (bytes, len), each of `per_frame`
 * deliveries. */
typedef struct {
    char endpoint[64]; /* set by the side that binds it */
    const uint8_t *bytes;
    size_t len;
    size_t per_frame;
    size_t frames;
    bool ids_ok; /* B's check of the last frame the broker forwarded */
} spec_t;

static spec_t g_spec;

/* CPU time of the process so far, in ns (user + system, all threads). */
static double cpu_ns(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return ((double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6
            + (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec))
           * 1e3;
}

static double g_cpu; /* the last run's CPU time per envelope (ns), from its start to its end */

/* A packed Relay frame of `sends` sends of a payload_len-byte payload from entity 0 to each of
 * entities 1 .. receivers: as one multicast envelope per send, or as one envelope per receiver. */
static uint8_t *pack_relay(size_t payload_len, size_t sends, size_t receivers, bool multicast,
                           size_t *len)
{
    uint8_t *payload = calloc(1, payload_len);
    uint32_t *more = calloc(receivers, sizeof *more);
    for (size_t i = 0; i + 1 < receivers; i++)
        more[i] = (uint32_t)(2 + i);
    Sg17__Envelope env = SG17__ENVELOPE__INIT;
    env.type = "bench.msg";
    env.payload = (ProtobufCBinaryData){payload_len, payload};
    sg17_envcols_t cols = {0};
    for (size_t s = 0; s < sends; s++)
        for (size_t i = 0; i < (multicast ? 1 : receivers); i++) {
            env.dst = (uint32_t)(1 + i);
            sg17_envcols_add(&cols, &env, 0, false);
            if (multicast)
                sg17_envcols_fan_out(&cols, more, receivers - 1);
        }
    Sg17__Relay r = SG17__RELAY__INIT;
    r.envs = &cols.cols;
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_RELAY;
    f.relay = &r;
    *len = sg17__frame__get_packed_size(&f);
    uint8_t *bytes = malloc(*len);
    sg17__frame__pack(&f, bytes);
    sg17_envcols_release(&cols);
    free(payload);
    free(more);
    return bytes;
}

/* ---- raw ZeroMQ ---- */

static void raw_sender(zsock_t *pipe, void *args)
{
    zsock_signal(pipe, 0);
    zsock_t *push = zsock_new(ZMQ_PUSH);
    zsock_set_sndhwm(push, 0);
    zsock_connect(push, "%s", g_spec.endpoint);
    for (size_t i = 0; i < g_spec.frames; i++)
        zmq_send(zsock_resolve(push), g_spec.bytes, g_spec.len, 0);
    zsock_wait(pipe); /* the receiver has everything */
    zsock_destroy(&push);
}

static int g_port = 47100;
#define BIND_TRIES 64

/* The next endpoint of pattern (numbered from g_port on) into g_spec.endpoint; true while fewer
 * than BIND_TRIES were tried. A TCP port of the ephemeral range may be taken by some connection's
 * local end, so a bind that fails moves on to the next. */
static bool next_endpoint(const char *pattern, int *tries)
{
    snprintf(g_spec.endpoint, sizeof g_spec.endpoint, pattern, g_port++);
    return (*tries)++ < BIND_TRIES;
}

static double raw_rate(const char *pattern)
{
    zsock_t *pull = zsock_new(ZMQ_PULL);
    zsock_set_rcvhwm(pull, 0);
    int tries = 0;
    bool bound = false;
    while (!bound && next_endpoint(pattern, &tries))
        bound = zsock_bind(pull, "%s", g_spec.endpoint) >= 0;
    if (!bound) {
        fprintf(stderr, "bench_bus: %s: cannot bind: %s\n", g_spec.endpoint,
                zmq_strerror(zmq_errno()));
        zsock_destroy(&pull);
        return 0;
    }
    int64_t t0 = zclock_usecs();
    double c0 = cpu_ns();
    zactor_t *sender = zactor_new(raw_sender, NULL);
    size_t got = 0;
    for (size_t i = 0; i < g_spec.frames; i++) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, zsock_resolve(pull), 0) >= 0)
            got += g_spec.per_frame;
        zmq_msg_close(&m);
    }
    double secs = (double)(zclock_usecs() - t0) / 1e6;
    g_cpu = got ? (cpu_ns() - c0) / (double)got : 0;
    zsock_signal(sender, 0);
    zactor_destroy(&sender);
    zsock_destroy(&pull);
    return (double)got / secs;
}

/* ---- through the broker ---- */

static int send_hello(zsock_t *s, const char *name)
{
    Sg17__Hello h = SG17__HELLO__INIT;
    h.module = (char *)name;
    h.abi = SG17_MODULE_ABI_MAJOR;
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_HELLO;
    f.hello = &h;
    return sg17_frame_send(s, NULL, &f);
}

/* Peer A: sends the frame `frames` times. */
static void relay_sender(zsock_t *pipe, void *args)
{
    zsock_signal(pipe, 0);
    zsock_t *a = zsock_new(ZMQ_DEALER);
    zsock_set_sndhwm(a, 0);
    zsock_connect(a, "%s", g_spec.endpoint);
    send_hello(a, "bench-a");
    zsock_wait(pipe); /* the broker knows both peers */
    for (size_t i = 0; i < g_spec.frames; i++)
        zmq_send(zsock_resolve(a), g_spec.bytes, g_spec.len, 0);
    zsock_wait(pipe);
    zsock_destroy(&a);
}

/* Whether the last forwarded frame decodes, its deliveries numbered up to last_id (a multicast's
 * copies take the ids after its own). */
static bool ids_ok(const zmq_msg_t *m, uint64_t last_id)
{
    sg17_frame_t *f = sg17_frame_decode(zmq_msg_data((zmq_msg_t *)m), zmq_msg_size((zmq_msg_t *)m));
    bool ok = f && f->body_case == SG17__FRAME__BODY_RELAY;
    if (ok) {
        const Sg17__Envelopes *e = f->relay->envs;
        uint64_t top = 0;
        for (size_t i = 0; i < e->n_id; i++) {
            uint64_t last = e->id[i] + sg17_envcols_fanout(e, i);
            top = last > top ? last : top;
        }
        ok = top == last_id;
    }
    sg17_frame_free(&f);
    return ok;
}

/* Peer B: receives every frame, then checks the last. */
static void relay_receiver(zsock_t *pipe, void *args)
{
    zsock_signal(pipe, 0);
    zsock_t *b = zsock_new(ZMQ_DEALER);
    zsock_set_rcvhwm(b, 0);
    zsock_connect(b, "%s", g_spec.endpoint);
    send_hello(b, "bench-b");
    zmq_msg_t m;
    zmq_msg_init(&m);
    for (size_t i = 0; i < g_spec.frames;) {
        zmq_msg_close(&m);
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, zsock_resolve(b), 0) < 0)
            break;
        i += zmq_msg_size(&m) > 0; /* not the broker's liveness probe (an empty message) */
    }
    g_spec.ids_ok = ids_ok(&m, g_spec.frames * g_spec.per_frame);
    zmq_msg_close(&m);
    zsock_signal(pipe, 0);
    zsock_wait(pipe);
    zsock_destroy(&b);
}

/* The broker's ledger, and the ledger's index of each type of the frame at hand. */
typedef struct {
    sg17_ledger_t *ledger;
    uint16_t *type_of;
    size_t cap;
    bool failed;
} ledger_ctx_t;

/* The broker's ledger work for one frame: its unicast envelopes in runs, each multicast as its
 * send and its further receivers' copies; from the frame's own bytes where its columns hold one
 * byte per entry (sg17_broker_relay_narrow), widened once, into the ledger. */
static void record(void *arg, const sg17_relay_frame_t *f)
{
    ledger_ctx_t *l = arg;
    if (f->n_types > l->cap) {
        uint16_t *t = realloc(l->type_of, f->n_types * sizeof *t);
        if (!t) {
            l->failed = true;
            return;
        }
        l->type_of = t;
        l->cap = f->n_types;
    }
    for (size_t t = 0; t < f->n_types; t++)
        l->type_of[t] = sg17_ledger_type(l->ledger, f->types[t], f->type_len[t]);
    bool one_type = f->n_types == 1, bytes = f->src8 != NULL;
    uint64_t id = f->first_id;
    const uint32_t *more = f->more_dst;
    const uint8_t *more8 = f->more_dst8;
    for (size_t i = 0; i < f->n;) {
        size_t j = f->fanout ? i : f->n;
        while (j < f->n && !f->fanout[j])
            j++;
        int rc = 0;
        if (j > i && bytes)
            rc = sg17_ledger_record_run_bytes(l->ledger, id, j - i, f->src8 + i, f->dst8 + i,
                                              one_type ? NULL : f->type_index8 + i, l->type_of,
                                              SG17_PROV_GENUINE, 0);
        else if (j > i)
            rc = sg17_ledger_record_run(l->ledger, id, j - i, f->src + i, f->dst + i,
                                        one_type ? NULL : f->type_index + i, l->type_of,
                                        SG17_PROV_GENUINE, 0);
        l->failed |= rc < 0;
        id += j - i;
        if (j == f->n)
            break;
        uint32_t k = f->fanout[j];
        sg17_entity_t src = bytes ? f->src8[j] : f->src[j], dst = bytes ? f->dst8[j] : f->dst[j];
        uint32_t type = bytes ? f->type_index8[j] : f->type_index[j];
        if (more8)
            l->failed |= sg17_ledger_record_multicast(l->ledger, id, src, dst, l->type_of[type],
                                                      SG17_PROV_GENUINE, 0, more8, k)
                         < 0;
        else if (!sg17_ledger_record_typed(l->ledger, id, src, src, dst, l->type_of[type],
                                           SG17_PROV_GENUINE, 0)
                 || sg17_ledger_record_copies(l->ledger, more, k) < 0)
            l->failed = true;
        if (more8)
            more8 += k;
        else
            more += k;
        id += 1 + k;
        i = j + 1;
    }
}

static double broker_rate(const char *pattern)
{
    sg17_err_t err;
    sg17_broker_t *broker = NULL;
    int tries = 0;
    while (!broker && next_endpoint(pattern, &tries))
        broker = sg17_broker_new(g_spec.endpoint, &err);
    if (!broker) {
        fprintf(stderr, "%s\n", err.msg);
        return 0;
    }
    g_spec.ids_ok = false;
    zactor_t *rx = zactor_new(relay_receiver, NULL);
    zactor_t *tx = zactor_new(relay_sender, NULL);
    int a = sg17_broker_wait_host(broker, "bench-a", 5000, &err);
    int b = sg17_broker_wait_host(broker, "bench-b", 5000, &err);
    sg17_broker_relay_narrow(broker, true);
    sg17_ledger_t *ledger = sg17_ledger_new();
    ledger_ctx_t lctx = {ledger, NULL, 0, false};
    uint64_t next_id = 0;
    int64_t t0 = zclock_usecs();
    double c0 = cpu_ns();
    zsock_signal(tx, 0);
    size_t relayed = 0;
    for (size_t i = 0; i < g_spec.frames;) {
        size_t left = g_spec.frames - i, frames;
        long n = sg17_broker_relay_burst(broker, a, b, &next_id, record, &lctx,
                                         left < BURST ? left : BURST, &frames, 10000, &err);
        if (n < 0) {
            fprintf(stderr, "bench_bus: %s\n", err.msg);
            break;
        }
        relayed += (size_t)n;
        i += frames;
    }
    zsock_wait(rx); /* B has all of them */
    double secs = (double)(zclock_usecs() - t0) / 1e6;
    g_cpu = relayed ? (cpu_ns() - c0) / (double)relayed : 0;
    if (!g_spec.ids_ok || sg17_broker_malformed(broker) || sg17_ledger_size(ledger) != relayed
        || lctx.failed)
        fprintf(stderr, "bench_bus: %s: the relay lost ids or envelopes\n", g_spec.endpoint);
    zsock_signal(rx, 0);
    zsock_signal(tx, 0);
    zactor_destroy(&tx);
    zactor_destroy(&rx);
    sg17_ledger_destroy(&ledger);
    free(lctx.type_of);
    sg17_broker_destroy(&broker);
    return (double)relayed / secs;
}

#define ROUNDS 5 /* alternations of the two sides per line */

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, by_value);
    return v[n / 2];
}

static int g_side; /* 0: both sides; 1 or 2: that side only (the other's rate reads 0) */

/* Alternates the two sides ROUNDS times, each on a fresh endpoint of pattern, and keeps each one's
 * median: a shared machine's noise then hits both alike. */
static void alternate(const char *pattern, double (*a)(const spec_t *, const char *),
                      const spec_t *sa, double (*b)(const spec_t *, const char *), const spec_t *sb,
                      double *ma, double *mb, double cpu[2])
{
    double va[ROUNDS], vb[ROUNDS], ca[ROUNDS], cb[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        va[r] = g_side == 2 ? 0 : a(sa, pattern);
        ca[r] = g_side == 2 ? 0 : g_cpu;
        vb[r] = g_side == 1 ? 0 : b(sb, pattern);
        cb[r] = g_side == 1 ? 0 : g_cpu;
    }
    *ma = median(va, ROUNDS);
    *mb = median(vb, ROUNDS);
    cpu[0] = median(ca, ROUNDS);
    cpu[1] = median(cb, ROUNDS);
}

static double run_raw(const spec_t *s, const char *pattern)
{
    g_spec = *s;
    return raw_rate(pattern);
}

static double run_broker(const spec_t *s, const char *pattern)
{
    g_spec = *s;
    return broker_rate(pattern);
}

int main(int argc, char **argv)
{
    sg17_bus_plan_memory(); /* as sg17tb does: both sides run with it */
    zsys_handler_set(NULL);
    const char *filter = argc > 1 ? argv[1] : "";
    g_side = argc > 2 ? atoi(argv[2]) : 0;
    if (g_side < 0 || g_side > 2) {
        fprintf(stderr, "usage: bench_bus [FILTER [1|2]]\n");
        return 2;
    }
    const char *transports[][2] = {{"inproc", "inproc://bench-%d"}, {"tcp", "tcp://127.0.0.1:%d"}};
    size_t sizes[] = {64, 1024};
    for (int t = 0; t < 2; t++)
        for (int s = 0; s < 2; s++) {
            char name[64];
            snprintf(name, sizeof name, "bus.broker.%s.%zuB", transports[t][0], sizes[s]);
            if (!strstr(name, filter))
                continue;
            size_t count = sizes[s] == 64 ? 500000 : 150000, len;
            uint8_t *bytes = pack_relay(sizes[s], BATCH, 1, false, &len);
            spec_t spec = {"", bytes, len, BATCH, count / BATCH, false};
            double raw, brk, cpu[2];
            alternate(transports[t][1], run_raw, &spec, run_broker, &spec, &raw, &brk, cpu);
            printf("RESULT name=%s value=%.0f unit=envelopes/s baseline=%.0f ratio=%.3f\n", name,
                   brk, raw, raw > 0 ? brk / raw : 0);
            printf("# %s: %d envelopes of %zu B per frame of %zu B, both sides; CPU %.0f ns per "
                   "envelope through the broker, %.0f raw\n",
                   name, BATCH, sizes[s], len, cpu[1], cpu[0]);
            fflush(stdout);
            free(bytes);
        }
    char name[64];
    snprintf(name, sizeof name, "bus.multicast.%d", RECEIVERS);
    if (strstr(name, filter)) {
        size_t ulen, mlen, per_frame = SENDS * RECEIVERS, deliveries = 4000000;
        uint8_t *uni = pack_relay(64, SENDS, RECEIVERS, false, &ulen);
        uint8_t *multi = pack_relay(64, SENDS, RECEIVERS, true, &mlen);
        spec_t su = {"", uni, ulen, per_frame, deliveries / per_frame, false};
        spec_t sm = {"", multi, mlen, per_frame, deliveries / per_frame, false};
        double u, m, cpu[2];
        alternate("inproc://bench-%d", run_broker, &su, run_broker, &sm, &u, &m, cpu);
        printf("RESULT name=%s value=%.0f unit=deliveries/s baseline=%.0f ratio=%.3f\n", name, m, u,
               u > 0 ? m / u : 0);
        printf("# %s: inproc, 64 B payload, %d sends per frame; multicast frame %zu B, unicast "
               "frame %zu B; CPU %.0f ns per delivery multicast, %.0f unicast\n",
               name, SENDS, mlen, ulen, cpu[1], cpu[0]);
        fflush(stdout);
        free(uni);
        free(multi);
    }
    return 0;
}
