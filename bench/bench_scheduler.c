/* bench_scheduler.c — virtual-time events per second through the full path (broker, ledger,
 * module host, fixture module with trivial handlers) in one process, two lines per workload:
 *   scheduler.events.<w>         against raw ZeroMQ measured in the same run: two threads over
 *                                inproc PAIR sockets go through the same windows in lock step,
 *                                one 32-byte message per event each way, as a plain ZeroMQ
 *                                application without batching, ledger or protobuf would;
 *   scheduler.events.<w>.target  against the fixed target of 200 000 events/s.
 * And scheduler.multicast.100: deliveries per second of a scenario whose 100 nodes each
 * broadcast a ping to 100 receivers (the sink and the 99 others) every second, sent as one
 * sg17_send_many against 100 sg17_send of the same ping, alternated in the same run. Unlike
 * bench_bus's bus.multicast line (the broker's relay of a frame alone), this is the whole path a
 * run takes: every receiver still gets its own delivery (ledger copy, adversary, link, event,
 * Batch entry, handler, report); what a multicast saves is the sender's side (one envelope in the
 * host's Output, one unpacked and filed by the broker, one payload copy). */
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_scenario.h"
#include "bus/frame.h"

#define TARGET          200000.0
#define BYTES_PER_EVENT 32

typedef struct {
    double events, windows, wall_s;
} workload_t;

/* Runs the 2000-node ping/ack scenario (both runs): events, windows and wall time. */
static workload_t run_workload(const char *spread)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "id: fixture/bench\ntitle: scheduler benchmark\nmodule: fixture\n"
             "requirements: [FIX-R-AUTH]\nseed: 1\nduration: 60s\n"
             "topology: {node: 2000, sink: 1}\nconfig: {interval: 1s, reply: true, spread: %s}\n"
             "network: {latency: 2ms, jitter: 1ms}\nmitigations: [auth]\n"
             "adversary: {capabilities: [observe]}\nactions: [{at: 0, observe: {}}]\n"
             "success: [ledger.accepted.injected > 0]\n",
             spread);
    workload_t w = {0};
    json_t *e = bench_run_yaml("bench_scheduler", yaml);
    for (int p = 0; e && p < 2; p++) {
        const char *run = p ? "protected" : "baseline";
        w.events += bench_run_value(e, run, "sim.events");
        /* setup, finish and done, then a batch and an output per window */
        w.windows += (bench_run_value(e, run, "bus.frames") - 3) / 2;
        w.wall_s += bench_run_value(e, run, NULL) / 1000;
    }
    json_decref(e);
    return w;
}

/* One run pair of the broadcast scenario (100 nodes, 10 s): its deliveries per second of wall
 * time, sent as multicasts or (as_unicasts) as one unicast per receiver. */
static double broadcast_rate(bool as_unicasts)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "id: fixture/bench-broadcast\ntitle: multicast benchmark\nmodule: fixture\n"
             "requirements: [FIX-R-AUTH]\nseed: 1\nduration: 10s\n"
             "topology: {node: 100, sink: 1}\n"
             "config: {interval: 1s, broadcast: true, as_unicasts: %s}\n"
             "network: {latency: 2ms, jitter: 1ms}\nmitigations: [auth]\n"
             "adversary: {capabilities: [observe]}\nactions: [{at: 0, observe: {}}]\n"
             "success: [ledger.accepted.injected > 0]\n",
             as_unicasts ? "true" : "false");
    json_t *e = bench_run_yaml("bench_scheduler", yaml);
    double deliveries = 0, wall_s = 0;
    for (int p = 0; e && p < 2; p++) {
        const char *run = p ? "protected" : "baseline";
        deliveries += bench_run_value(e, run, "ledger.delivered.all");
        wall_s += bench_run_value(e, run, NULL) / 1000;
    }
    json_decref(e);
    return wall_s > 0 ? deliveries / wall_s : 0;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define ROUNDS 5 /* alternations of the two sides of the multicast line */

typedef struct {
    const char *endpoint;
    size_t messages;
} echo_args_t;

/* The raw "host": answers every message with one of the same size. */
static void raw_echo(zsock_t *pipe, void *arg)
{
    const echo_args_t *a = arg;
    zsock_t *pair = zsock_new_pair(a->endpoint); /* connects ('>' is the default for PAIR) */
    zsock_signal(pipe, 0);
    for (size_t i = 0; pair && i < a->messages; i++) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, zsock_resolve(pair), 0) < 0
            || zmq_msg_send(&m, zsock_resolve(pair), 0) < 0) {
            zmq_msg_close(&m);
            break;
        }
    }
    zsock_destroy(&pair);
    zsock_wait(pipe);
}

/* Raw ZeroMQ doing the same windows: events per second. */
static double raw_rate(const workload_t *w, int id)
{
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "@inproc://bench-sched-%d", id);
    zsock_t *pair = zsock_new_pair(endpoint);
    size_t windows = w->windows > 0 ? (size_t)w->windows : 1, events = (size_t)w->events;
    echo_args_t args = {endpoint + 1, events};
    zactor_t *echo = zactor_new(raw_echo, &args);
    char buf[BYTES_PER_EVENT] = {0};
    int64_t t0 = zclock_usecs();
    for (size_t i = 0; i < windows; i++) {
        /* this window's share of the events, out then back */
        size_t k = events * (i + 1) / windows - events * i / windows;
        for (size_t j = 0; j < k; j++)
            zmq_send(zsock_resolve(pair), buf, sizeof buf, 0);
        for (size_t j = 0; j < k; j++)
            zmq_recv(zsock_resolve(pair), buf, sizeof buf, 0);
    }
    double secs = (double)(zclock_usecs() - t0) / 1e6;
    zsock_signal(echo, 0);
    zactor_destroy(&echo);
    zsock_destroy(&pair);
    return secs > 0 ? w->events / secs : 0;
}

int main(void)
{
    zsys_handler_set(NULL);
    if (!getenv("SG17TB_MODULE_PATH"))
        setenv("SG17TB_MODULE_PATH", SG17TB_FIXTURE_DIR, 1);
    sg17_bus_plan_waiting(1); /* one run at a time, as `sg17tb run --jobs 1` */
    /* synchronized: every node pings on the second (with 1 ms jitter), as meters read on the
     * quarter hour: windows are full. spread: pings evenly over the second, about 8 events per
     * 2 ms window: the round trip per window dominates (the worst case for batching). */
    const char *names[] = {"synchronized", "spread"};
    for (int i = 0; i < 2; i++) {
        workload_t w = run_workload(i ? "true" : "false");
        double rate = w.wall_s > 0 ? w.events / w.wall_s : 0, raw = raw_rate(&w, i);
        printf(
            "RESULT name=scheduler.events.%s value=%.0f unit=events/s baseline=%.0f ratio=%.3f\n",
            names[i], rate, raw, raw > 0 ? rate / raw : 0);
        printf("RESULT name=scheduler.events.%s.target value=%.0f unit=events/s baseline=%.0f "
               "ratio=%.3f\n",
               names[i], rate, TARGET, rate / TARGET);
        fflush(stdout);
    }
    double uni[ROUNDS], multi[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        uni[r] = broadcast_rate(true);
        multi[r] = broadcast_rate(false);
    }
    qsort(uni, ROUNDS, sizeof *uni, by_value);
    qsort(multi, ROUNDS, sizeof *multi, by_value);
    double u = uni[ROUNDS / 2], m = multi[ROUNDS / 2];
    printf("RESULT name=scheduler.multicast.100 value=%.0f unit=deliveries/s baseline=%.0f "
           "ratio=%.3f\n",
           m, u, u > 0 ? m / u : 0);
    return 0;
}
