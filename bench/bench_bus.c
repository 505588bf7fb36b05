/* bench_bus.c — envelopes per second through the broker (decode the frame's envelope columns,
 * assign ids, record each in the ledger, re-encode, forward to the destination peer) against raw
 * ZeroMQ PUSH/PULL of the same payload on the same transport, measured in the same run. Hosts
 * batch their sends into one frame per window, so the broker path carries 64 envelopes per
 * frame; the raw baseline sends one message per payload, as a plain ZeroMQ application would.
 * Each line is the median of three alternating runs of both sides.
 * Usage: bench_bus [FILTER] runs only the cases whose name contains FILTER ("inproc.64B"). */
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/broker.h"
#include "engine/ledger.h"

#define BATCH 64

typedef struct {
    const char *endpoint;
    size_t payload;
    size_t count;
} spec_t;

static spec_t g_spec;

static void raw_sender(zsock_t *pipe, void *args)
{
    zsock_signal(pipe, 0);
    zsock_t *push = zsock_new(ZMQ_PUSH);
    zsock_set_sndhwm(push, 0);
    zsock_connect(push, "%s", g_spec.endpoint);
    char *buf = calloc(1, g_spec.payload);
    for (size_t i = 0; i < g_spec.count; i++)
        zmq_send(zsock_resolve(push), buf, g_spec.payload, 0);
    free(buf);
    zsock_wait(pipe); /* the receiver has everything */
    zsock_destroy(&push);
}

static double raw_rate(const char *endpoint, size_t payload, size_t count)
{
    g_spec = (spec_t){endpoint, payload, count};
    zsock_t *pull = zsock_new(ZMQ_PULL);
    zsock_set_rcvhwm(pull, 0);
    zsock_bind(pull, "%s", endpoint);
    char *buf = malloc(payload + 16);
    int64_t t0 = zclock_usecs();
    zactor_t *sender = zactor_new(raw_sender, NULL);
    for (size_t i = 0; i < count; i++)
        zmq_recv(zsock_resolve(pull), buf, payload + 16, 0);
    double secs = (double)(zclock_usecs() - t0) / 1e6;
    zsock_signal(sender, 0);
    zactor_destroy(&sender);
    zsock_destroy(&pull);
    free(buf);
    return (double)count / secs;
}

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

/* Peer A: sends count envelopes in Relay frames of BATCH. */
static void relay_sender(zsock_t *pipe, void *args)
{
    zsock_signal(pipe, 0);
    zsock_t *a = zsock_new(ZMQ_DEALER);
    zsock_set_sndhwm(a, 0);
    zsock_connect(a, "%s", g_spec.endpoint);
    send_hello(a, "bench-a");
    zsock_wait(pipe); /* the broker knows both peers */
    uint8_t *payload = calloc(1, g_spec.payload);
    Sg17__Envelope env = SG17__ENVELOPE__INIT;
    env.src = 1;
    env.dst = 2;
    env.type = "bench.msg";
    env.payload.data = payload;
    env.payload.len = g_spec.payload;
    sg17_envcols_t cols = {0};
    for (size_t sent = 0; sent < g_spec.count; sent += BATCH) {
        sg17_envcols_clear(&cols);
        for (int i = 0; i < BATCH; i++)
            sg17_envcols_add(&cols, &env, 0, false);
        Sg17__Relay r = SG17__RELAY__INIT;
        r.envs = &cols.cols;
        Sg17__Frame f = SG17__FRAME__INIT;
        f.body_case = SG17__FRAME__BODY_RELAY;
        f.relay = &r;
        sg17_frame_send(a, NULL, &f);
    }
    sg17_envcols_release(&cols);
    free(payload);
    zsock_wait(pipe);
    zsock_destroy(&a);
}

/* Peer B: receives and decodes until count envelopes arrived, then signals. */
static void relay_receiver(zsock_t *pipe, void *args)
{
    zsock_signal(pipe, 0);
    zsock_t *b = zsock_new(ZMQ_DEALER);
    zsock_set_rcvhwm(b, 0);
    zsock_connect(b, "%s", g_spec.endpoint);
    send_hello(b, "bench-b");
    size_t got = 0;
    while (got < g_spec.count) {
        int malformed;
        sg17_frame_t *f = sg17_frame_recv(b, NULL, &malformed);
        if (!f && !malformed)
            break;
        if (f && f->body_case == SG17__FRAME__BODY_RELAY)
            got += sg17_envcols_size(f->relay->envs);
        sg17_frame_free(&f);
    }
    zsock_signal(pipe, 0);
    zsock_wait(pipe);
    zsock_destroy(&b);
}

static double broker_rate(const char *endpoint, size_t payload, size_t count)
{
    g_spec = (spec_t){endpoint, payload, count};
    sg17_err_t err;
    sg17_broker_t *broker = sg17_broker_new(endpoint, &err);
    if (!broker) {
        fprintf(stderr, "%s\n", err.msg);
        return 0;
    }
    zactor_t *rx = zactor_new(relay_receiver, NULL);
    zactor_t *tx = zactor_new(relay_sender, NULL);
    int a = sg17_broker_wait_host(broker, "bench-a", 5000, &err);
    int b = sg17_broker_wait_host(broker, "bench-b", 5000, &err);
    sg17_ledger_t *ledger = sg17_ledger_new();
    uint64_t next_id = 0;
    int64_t t0 = zclock_usecs();
    zsock_signal(tx, 0);
    size_t relayed = 0;
    while (relayed < count) {
        sg17_frame_t *f = sg17_broker_recv(broker, a, 10000, &err);
        if (!f)
            break;
        if (f->body_case == SG17__FRAME__BODY_RELAY) {
            Sg17__Envelopes *e = f->relay->envs;
            size_t n = sg17_envcols_size(e);
            for (size_t i = 0; i < n; i++) { /* the broker's per-message work */
                e->id[i] = ++next_id;
                sg17_ledger_record(ledger, e->id[i], e->src[i], e->src[i], e->dst[i], e->type[i],
                                   SG17_PROV_GENUINE, 0);
            }
            sg17_broker_send(broker, b, f);
            relayed += n;
        }
        sg17_frame_free(&f);
    }
    zsock_wait(rx); /* B has decoded all of them */
    double secs = (double)(zclock_usecs() - t0) / 1e6;
    zsock_signal(rx, 0);
    zsock_signal(tx, 0);
    zactor_destroy(&tx);
    zactor_destroy(&rx);
    sg17_ledger_destroy(&ledger);
    sg17_broker_destroy(&broker);
    return (double)relayed / secs;
}

static double median3(const double v[3])
{
    double a = v[0], b = v[1], c = v[2];
    return a > b ? (b > c ? b : (a > c ? c : a)) : (a > c ? a : (b > c ? c : b));
}

int main(int argc, char **argv)
{
    zsys_handler_set(NULL);
    const char *filter = argc > 1 ? argv[1] : "";
    const char *transports[][2] = {{"inproc", "inproc://bench-%d"}, {"tcp", "tcp://127.0.0.1:%d"}};
    size_t sizes[] = {64, 1024};
    int port = 47100;
    for (int t = 0; t < 2; t++)
        for (int s = 0; s < 2; s++) {
            char name[64];
            snprintf(name, sizeof name, "bus.broker.%s.%zuB", transports[t][0], sizes[s]);
            if (!strstr(name, filter))
                continue;
            size_t count = sizes[s] == 64 ? 500000 : 150000;
            char ep1[64], ep2[64];
            /* alternate the two, three times, and keep each one's median: a shared machine's
             * noise then hits both sides alike */
            double raws[3], brks[3];
            for (int r = 0; r < 3; r++) {
                snprintf(ep1, sizeof ep1, transports[t][1], port++);
                snprintf(ep2, sizeof ep2, transports[t][1], port++);
                raws[r] = raw_rate(ep1, sizes[s], count);
                brks[r] = broker_rate(ep2, sizes[s], count);
            }
            double raw = median3(raws), brk = median3(brks);
            printf("RESULT name=%s value=%.0f unit=envelopes/s baseline=%.0f ratio=%.3f\n", name,
                   brk, raw, raw > 0 ? brk / raw : 0);
            fflush(stdout);
        }
    return 0;
}
