/* broker.c — ROUTER socket, host registry by Hello, malformed-frame accounting, and the
 * liveness of hosts (ZeroMQ heartbeats close a silent connection; a probe finds it closed). */
#include "bus/broker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

/* While it waits for a host's answer, the broker probes that host this often: a host process
 * that dies closes its connection at once, one that vanished with its machine misses heartbeats
 * (sg17_bus_heartbeat); either way the next probe notices. */
#define PROBE_EVERY_MS 250

typedef struct {
    zframe_t *id;
    char *module;
    bool claimed;
    bool dead;           /* its connection closed: never claimed again */
    sg17_local_t *local; /* an in-process host on a local link (bus/local.h), not a socket peer */
} peer_t;

struct sg17_broker {
    zsock_t *router;
    zactor_t *auth; /* CURVE authentication (ZAP handler), when enabled */
    zpoller_t *poller;
    peer_t *peers;
    size_t n_peers;
    uint64_t malformed;
    sg17_relay_buf_t relay_buf; /* sg17_broker_relay's decoded columns */
};

sg17_broker_t *sg17_broker_new(const char *endpoint, sg17_err_t *err)
{
    return sg17_broker_new_curve(endpoint, NULL, err);
}

/* Loads the broker certificate and starts zauth with the allowed hosts' certificates. */
static int broker_curve(sg17_broker_t *self, const sg17_curve_t *curve, sg17_err_t *err)
{
    zcert_t *cert = zcert_load(curve->cert);
    if (!cert)
        return sg17_err(err,
                        "broker: cannot load CURVE certificate %s (make one with `sg17tb keygen`)",
                        curve->cert);
    if (!zsys_file_exists(curve->allow_dir)) {
        zcert_destroy(&cert);
        return sg17_err(err, "broker: no directory of allowed host certificates at %s",
                        curve->allow_dir);
    }
    self->auth = zactor_new(zauth, NULL);
    if (!self->auth) {
        zcert_destroy(&cert);
        return sg17_err(err, "broker: cannot start the CURVE authenticator");
    }
    zstr_sendx(self->auth, "CURVE", curve->allow_dir, NULL);
    zsock_wait(self->auth);
    zcert_apply(cert, self->router);
    zsock_set_curve_server(self->router, 1);
    zcert_destroy(&cert);
    return 0;
}

sg17_broker_t *sg17_broker_new_curve(const char *endpoint, const sg17_curve_t *curve,
                                     sg17_err_t *err)
{
    sg17_broker_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->router = zsock_new(ZMQ_ROUTER);
    if (!self->router) {
        free(self);
        sg17_err(err, "broker: cannot create a ROUTER socket");
        return NULL;
    }
    if (curve && broker_curve(self, curve, err) < 0) {
        zsock_destroy(&self->router);
        free(self);
        return NULL;
    }
    zsock_set_sndhwm(self->router, 0);
    zsock_set_rcvhwm(self->router, 0);
    zsock_set_router_mandatory(self->router, 1); /* a send to a closed peer fails: the probe */
    sg17_bus_heartbeat(self->router);
    if (zsock_bind(self->router, "%s", endpoint) < 0) {
        sg17_err(err, "broker: cannot bind %s: %s", endpoint, zmq_strerror(zmq_errno()));
        zsock_destroy(&self->router);
        zactor_destroy(&self->auth);
        free(self);
        return NULL;
    }
    self->poller = zpoller_new(self->router, NULL);
    return self;
}

void sg17_broker_destroy(sg17_broker_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sg17_broker_t *self = *self_p;
    for (size_t i = 0; i < self->n_peers; i++) {
        zframe_destroy(&self->peers[i].id);
        free(self->peers[i].module);
    }
    free(self->peers);
    sg17_relay_buf_release(&self->relay_buf);
    zpoller_destroy(&self->poller);
    zsock_destroy(&self->router);
    zactor_destroy(&self->auth);
    free(self);
    *self_p = NULL;
}

static int peer_index(const sg17_broker_t *self, zframe_t *id)
{
    size_t len = zframe_size(id);
    const void *data = zframe_data(id);
    for (size_t i = 0; i < self->n_peers; i++)
        if (zframe_size(self->peers[i].id) == len
            && memcmp(zframe_data(self->peers[i].id), data, len) == 0)
            return (int)i;
    return -1;
}

static void register_hello(sg17_broker_t *self, zframe_t **id_p, const Sg17__Hello *hello)
{
    int known = peer_index(self, *id_p);
    if (known >= 0) { /* a host that reconnected: same identity, new hello */
        free(self->peers[known].module);
        self->peers[known].module = strdup(hello->module);
        self->peers[known].dead = false;
        return;
    }
    peer_t *p = realloc(self->peers, (self->n_peers + 1) * sizeof *p);
    if (!p)
        return;
    self->peers = p;
    p[self->n_peers++] = (peer_t){*id_p, strdup(hello->module), false, false, NULL};
    *id_p = NULL;
}

/* Files a decoded frame from the peer *id_p: a hello registers its host (and is consumed), a
 * frame from a peer that never said hello is malformed. Returns the frame of a known peer, with
 * *from its index. */
static sg17_frame_t *file_frame(sg17_broker_t *self, zframe_t **id_p, sg17_frame_t *f, int *from)
{
    *from = -1;
    if (f->body_case == SG17__FRAME__BODY_HELLO) {
        if (f->hello->abi == SG17_MODULE_ABI_MAJOR && f->hello->module && *f->hello->module)
            register_hello(self, id_p, f->hello);
        else
            self->malformed++;
        zframe_destroy(id_p);
        sg17_frame_free(&f);
        return NULL;
    }
    *from = peer_index(self, *id_p);
    zframe_destroy(id_p);
    if (*from < 0) { /* a frame from a peer that never said hello */
        self->malformed++;
        sg17_frame_free(&f);
    }
    return f;
}

/* Waits up to timeout_ms for a message and receives its parts (sg17_msg_recv); a wrong shape is
 * counted as malformed. */
static int recv_msg(sg17_broker_t *self, int timeout_ms, zframe_t **id_p, zmq_msg_t *body)
{
    *id_p = NULL;
    /* a message already queued is taken at once (asking the socket for its events first costs a
     * system call per message); otherwise poll (another) only when nothing arrives while we spin */
    int got = sg17_msg_try_recv(self->router, id_p, body);
    if (got == 0) {
        if (!sg17_sock_readable_soon(self->router) && !zpoller_wait(self->poller, timeout_ms))
            return 0;
        got = sg17_msg_recv(self->router, id_p, body);
    }
    if (got < 0)
        self->malformed++;
    if (got <= 0)
        zframe_destroy(id_p);
    return got;
}

/* Decodes a received body and files it (file_frame); bytes that do not decode are malformed. */
static sg17_frame_t *decode_and_file(sg17_broker_t *self, zframe_t **id_p, zmq_msg_t *body,
                                     int *from)
{
    sg17_frame_t *f = sg17_frame_decode(zmq_msg_data(body), zmq_msg_size(body));
    zmq_msg_close(body);
    *from = -1;
    if (!f) {
        self->malformed++;
        zframe_destroy(id_p);
        return NULL;
    }
    return file_frame(self, id_p, f, from);
}

/* Receives one message and files it: returns a frame from a known peer (with *from set), or NULL
 * when it was a hello, malformed, or nothing arrived (*from = -2 on timeout/interrupt). */
static sg17_frame_t *recv_one(sg17_broker_t *self, int timeout_ms, int *from)
{
    *from = -2;
    zframe_t *id;
    zmq_msg_t body;
    int got = recv_msg(self, timeout_ms, &id, &body);
    if (got <= 0) {
        *from = got < 0 ? -1 : -2;
        return NULL;
    }
    return decode_and_file(self, &id, &body, from);
}

/* True while the host's connection is open. With ROUTER_MANDATORY, routing to a peer whose
 * connection closed fails with EHOSTUNREACH before anything is sent; to a live one the probe goes
 * out as an empty message, which a host ignores (it is not a frame). A failed probe marks the
 * peer dead. */
static bool peer_alive(sg17_broker_t *self, size_t i)
{
    peer_t *p = &self->peers[i];
    if (p->dead)
        return false;
    if (p->local) /* in this process: alive while the process is */
        return true;
    void *sock = zsock_resolve(self->router);
    if (zmq_send(sock, zframe_data(p->id), zframe_size(p->id), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        p->dead = zmq_errno() == EHOSTUNREACH;
        return !p->dead;
    }
    zmq_send(sock, "", 0, ZMQ_DONTWAIT);
    return true;
}

int sg17_broker_wait_host(sg17_broker_t *self, const char *module, int timeout_ms, sg17_err_t *err)
{
    int64_t deadline = zclock_mono() + timeout_ms;
    while (true) {
        for (size_t i = 0; i < self->n_peers; i++)
            if (!self->peers[i].claimed && strcmp(self->peers[i].module, module) == 0
                && peer_alive(self, i)) {
                self->peers[i].claimed = true;
                return (int)i;
            }
        int64_t left = deadline - zclock_mono();
        if (left <= 0)
            return sg17_err(err, "no host for module '%s' connected within %d ms", module,
                            timeout_ms);
        int from;
        sg17_frame_t *f = recv_one(self, (int)left, &from);
        if (f) { /* a stray frame from a known host between runs: not ours to use */
            self->malformed++;
            sg17_frame_free(&f);
        } else if (from == -2 && zsys_interrupted) {
            return sg17_err(err, "interrupted");
        }
    }
}

void sg17_broker_release_host(sg17_broker_t *self, int host)
{
    if (host >= 0 && (size_t)host < self->n_peers)
        self->peers[host].claimed = false;
}

int sg17_broker_add_local(sg17_broker_t *self, const char *module, sg17_local_t *link)
{
    static const char tag[] = "\xffsg17-local"; /* no ZeroMQ-generated identity starts with 0xff */
    peer_t *p = realloc(self->peers, (self->n_peers + 1) * sizeof *p);
    if (!p)
        return -1;
    self->peers = p;
    zframe_t *id = zframe_new(tag, sizeof tag - 1);
    char *name = strdup(module);
    if (!id || !name) {
        zframe_destroy(&id);
        free(name);
        return -1;
    }
    p[self->n_peers++] = (peer_t){id, name, false, false, link};
    return 0;
}

/* sg17_broker_recv from a local host, which answers inline: an empty queue is a host that did not
 * answer, reported with a socket timeout's message; a frame that did not copy (sg17_frame_copy
 * checks it as decoding would) is counted as malformed, as from a socket. */
static sg17_frame_t *recv_local(sg17_broker_t *self, sg17_local_t *link, int timeout_ms,
                                sg17_err_t *err)
{
    while (true) {
        sg17_frame_t *f;
        if (!sg17_local_from_host(link, &f)) { /* the host answered inline, or not at all */
            if (zsys_interrupted)
                sg17_err(err, "interrupted");
            else
                sg17_err(err, "module host did not answer within %d ms", timeout_ms);
            return NULL;
        }
        if (f)
            return f;
        self->malformed++;
    }
}

int sg17_broker_send(sg17_broker_t *self, int host, const sg17_frame_t *frame)
{
    if (host < 0 || (size_t)host >= self->n_peers)
        return -1;
    if (self->peers[host].local)
        return sg17_local_to_host(self->peers[host].local, frame);
    int rc = sg17_frame_send(self->router, self->peers[host].id, frame);
    if (rc < 0 && zmq_errno() == EHOSTUNREACH) /* ROUTER_MANDATORY: its connection is gone */
        self->peers[host].dead = true;
    return rc;
}

sg17_frame_t *sg17_broker_recv(sg17_broker_t *self, int host, int timeout_ms, sg17_err_t *err)
{
    if (host >= 0 && (size_t)host < self->n_peers && self->peers[host].local)
        return recv_local(self, self->peers[host].local, timeout_ms, err);
    int64_t deadline = timeout_ms < 0 ? INT64_MAX : zclock_mono() + timeout_ms;
    bool quiet = false; /* nothing arrived for PROBE_EVERY_MS: time to probe */
    while (true) {
        int64_t left = deadline == INT64_MAX ? -1 : deadline - zclock_mono();
        if (deadline != INT64_MAX && left <= 0) {
            sg17_err(err, "module host did not answer within %d ms", timeout_ms);
            return NULL;
        }
        if (quiet && host >= 0 && (size_t)host < self->n_peers && !peer_alive(self, (size_t)host)) {
            sg17_broker_host_death(self, host, err);
            return NULL;
        }
        if (left < 0 || left > PROBE_EVERY_MS)
            left = PROBE_EVERY_MS; /* then probe the host again */
        int from;
        sg17_frame_t *f = recv_one(self, (int)left, &from);
        if (f && from == host)
            return f;
        if (f) {
            self->malformed++;
            sg17_frame_free(&f);
        }
        if (from == -2 && zsys_interrupted) {
            sg17_err(err, "interrupted");
            return NULL;
        }
        quiet = from == -2;
    }
}

bool sg17_broker_host_dead(const sg17_broker_t *self, int host)
{
    return host >= 0 && (size_t)host < self->n_peers && self->peers[host].dead;
}

int sg17_broker_host_death(const sg17_broker_t *self, int host, sg17_err_t *err)
{
    const char *module = host >= 0 && (size_t)host < self->n_peers ? self->peers[host].module : "?";
    return sg17_err(err,
                    "module host %d (module %s) died during the run: its connection closed (its "
                    "process ended, or it missed ZeroMQ heartbeats for %d s)",
                    host + 1, module, SG17_HEARTBEAT_TIMEOUT_MS / 1000);
}

void sg17_broker_quit_hosts(sg17_broker_t *self)
{
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_QUIT;
    f.quit = "bye";
    for (size_t i = 0; i < self->n_peers; i++)
        if (self->peers[i].local)
            sg17_local_to_host(self->peers[i].local, &f);
        else
            sg17_frame_send(self->router, self->peers[i].id, &f);
}

uint64_t sg17_broker_malformed(const sg17_broker_t *self)
{
    return self->malformed;
}
zsock_t *sg17_broker_socket(sg17_broker_t *self)
{
    return self->router;
}

/* ---- relaying ---- */

/* The slow path of sg17_broker_relay: a decoded Relay frame gets its ids in the message, then is
 * packed again. */
static long relay_decoded(sg17_broker_t *self, int to, sg17_frame_t *f, uint64_t *next_id,
                          sg17_relay_sink_fn *sink, void *arg)
{
    Sg17__Envelopes *e = f->relay->envs;
    size_t n = e ? sg17_envcols_size(e) : 0, further = e ? e->n_more_dst : 0;
    if (sink && n) {
        if (sg17_relay_buf_reserve(&self->relay_buf, 0, e->n_types) < 0)
            return -1;
        for (size_t t = 0; t < e->n_types; t++) {
            self->relay_buf.types[t] = e->types[t];
            self->relay_buf.type_len[t] = strlen(e->types[t]);
        }
        sg17_relay_frame_t view = {.first_id = *next_id + 1,
                                   .n = n,
                                   .src = e->src,
                                   .dst = e->dst,
                                   .type_index = e->type_index,
                                   .types = self->relay_buf.types,
                                   .type_len = self->relay_buf.type_len,
                                   .n_types = e->n_types,
                                   .fanout = e->n_fanout ? e->fanout : NULL,
                                   .more_dst = e->more_dst,
                                   .n_more = further};
        sink(arg, &view);
    }
    for (size_t i = 0; i < n; i++) { /* a multicast's copies take the ids after its own */
        e->id[i] = ++*next_id;
        *next_id += sg17_envcols_fanout(e, i);
    }
    return sg17_broker_send(self, to, f) < 0 ? -1 : (long)(n + further);
}

/* Replaces body with a copy of its bytes that nothing else shares. Returns 0 or -1 (body kept). */
static int own_copy(zmq_msg_t *body)
{
    zmq_msg_t own;
    if (zmq_msg_init_size(&own, zmq_msg_size(body)) < 0)
        return -1;
    memcpy(zmq_msg_data(&own), zmq_msg_data(body), zmq_msg_size(body));
    zmq_msg_close(body);
    *body = own;
    return 0;
}

/* What a relay burst looks up once: the socket, and the identities of the host it relays from
 * and of the host it relays to (their zframes stay put while the peer table grows); and when it
 * gives up waiting (the deadline, on zclock_mono, and the timeout it came from). */
typedef struct {
    void *sock;
    int to;
    const void *from_id, *to_id;
    size_t from_len, to_len;
    int64_t deadline;
    int timeout_ms;
} route_t;

static route_t route_of(sg17_broker_t *self, int from, int to, int timeout_ms)
{
    zframe_t *f = self->peers[from].id, *t = self->peers[to].id;
    return (route_t){zsock_resolve(self->router),
                     to,
                     zframe_data(f),
                     zframe_data(t),
                     zframe_size(f),
                     zframe_size(t),
                     zclock_mono() + timeout_ms,
                     timeout_ms};
}

/* Sends the relayed bytes on to the host the route goes to as they are (the message is handed to
 * ZeroMQ). A host whose connection closed is marked dead, as in sg17_broker_send. */
static int forward_body(sg17_broker_t *self, const route_t *route, zmq_msg_t *body)
{
    if (zmq_send(route->sock, route->to_id, route->to_len, ZMQ_SNDMORE) < 0
        || zmq_msg_send(body, route->sock, 0) < 0) {
        if (zmq_errno() == EHOSTUNREACH) /* ROUTER_MANDATORY: its connection is gone */
            self->peers[route->to].dead = true;
        zmq_msg_close(body);
        return -1;
    }
    return 0;
}

/* Forwards the n frames a burst holds, in the order they came; after a failure the rest are
 * closed unsent. 0, or -1. */
static int forward_held(sg17_broker_t *self, const route_t *route, zmq_msg_t *held, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        if (rc < 0)
            zmq_msg_close(&held[i]);
        else
            rc = forward_body(self, route, &held[i]);
    return rc;
}

/* recv_msg for the relay: the sender's identity stays a message (no zframe per frame). */
static int recv_routed(sg17_broker_t *self, int timeout_ms, zmq_msg_t *routing, zmq_msg_t *body)
{
    int got = sg17_msg_recv_routed(self->router, routing, body, ZMQ_DONTWAIT);
    if (got == 0) {
        if (!sg17_sock_readable_soon(self->router) && !zpoller_wait(self->poller, timeout_ms))
            return 0;
        got = sg17_msg_recv_routed(self->router, routing, body, 0);
    }
    if (got < 0)
        self->malformed++;
    return got;
}

/* Whether a message came from the host the route relays from. */
static bool from_source(const route_t *route, zmq_msg_t *routing)
{
    size_t len = zmq_msg_size(routing);
    return len == route->from_len && memcmp(zmq_msg_data(routing), route->from_id, len) == 0;
}

/* Files a message the relay does not forward in place: as any frame from that peer. */
static sg17_frame_t *file_routed(sg17_broker_t *self, zmq_msg_t *routing, zmq_msg_t *body,
                                 int *peer)
{
    zframe_t *id = zframe_new(zmq_msg_data(routing), zmq_msg_size(routing));
    zmq_msg_close(routing);
    return decode_and_file(self, &id, body, peer);
}

/* The next message for the relay: the first of a burst waits up to the deadline (0: nothing
 * came, or an interrupt), the further ones are taken only when already queued (0: none). */
static int relay_recv(sg17_broker_t *self, bool first, int64_t deadline, zmq_msg_t *routing,
                      zmq_msg_t *body)
{
    if (first) {
        int64_t left = deadline - zclock_mono();
        return left > 0 ? recv_routed(self, (int)left, routing, body) : 0;
    }
    int got = sg17_msg_recv_routed(self->router, routing, body, ZMQ_DONTWAIT);
    if (got < 0)
        self->malformed++;
    return got;
}

/* Closes the n messages at msgs. */
static void close_all(zmq_msg_t *msgs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        zmq_msg_close(&msgs[i]);
}

/* Takes the frames of a burst off the socket: the first waits up to the route's deadline, the
 * further ones only when already queued. Those from the host the route relays from go into in[] (at
 * most max, in order); anything else is filed as sg17_broker_recv would. Returns how many were
 * taken; 0 when none came in time, or on an interrupt (*interrupted). */
static size_t burst_recv(sg17_broker_t *self, const route_t *route, zmq_msg_t *in, size_t max,
                         bool *interrupted)
{
    size_t n = 0;
    *interrupted = false;
    while (n < max) {
        zmq_msg_t routing;
        int got = relay_recv(self, n == 0, route->deadline, &routing, &in[n]);
        if (got == 0 && n) /* nothing more queued: the burst is complete */
            break;
        if (got == 0 && (zsys_interrupted || route->deadline - zclock_mono() <= 0)) {
            *interrupted = zsys_interrupted;
            break;
        }
        if (got <= 0)
            continue;
        if (!from_source(route, &routing)) { /* not a frame this relay awaits */
            int peer;
            sg17_frame_t *f = file_routed(self, &routing, &in[n], &peer);
            if (f)
                self->malformed++;
            sg17_frame_free(&f);
            continue;
        }
        zmq_msg_close(&routing);
        n++;
    }
    return n;
}

/* A frame of a burst that the in-place relay does not take (body): the n_held frames held before
 * it go on first, so that frames keep their order, then the full decoder decides (a relay in
 * another layout is decoded, numbered and packed again; anything else is counted). Returns its
 * deliveries, or -1 (body closed). */
static long burst_decode(sg17_broker_t *self, const route_t *route, zmq_msg_t *held, size_t *n_held,
                         zmq_msg_t *body, uint64_t *next_id, sg17_relay_sink_fn *sink, void *arg,
                         size_t *frames)
{
    int rc = forward_held(self, route, held, *n_held);
    *frames += rc < 0 ? 0 : *n_held;
    *n_held = 0;
    zframe_t *id = rc < 0 ? NULL : zframe_new(route->from_id, route->from_len);
    if (!id) {
        zmq_msg_close(body);
        return -1;
    }
    int peer;
    sg17_frame_t *f = decode_and_file(self, &id, body, &peer);
    long n = 0;
    if (f && f->body_case == SG17__FRAME__BODY_RELAY) {
        n = relay_decoded(self, route->to, f, next_id, sink, arg);
        *frames += n >= 0;
    } else if (f) { /* a frame of its own kind from the relaying host */
        self->malformed++;
    }
    sg17_frame_free(&f);
    return n;
}

/* One round of a burst: takes the frames queued (the first waiting until the route's deadline),
 * patches them in order and forwards them. Adds the frames relayed to *frames (0 when all that came
 * was malformed); returns their deliveries, or -1 with err set. */
static long relay_taken(sg17_broker_t *self, const route_t *route, uint64_t *next_id,
                        sg17_relay_sink_fn *sink, void *arg, size_t max_frames, size_t *frames,
                        sg17_err_t *err)
{
    /* the frames taken, in order; those patched in place move down to the front (held), to be
     * forwarded together */
    zmq_msg_t in[SG17_RELAY_BURST_MAX];
    bool interrupted;
    size_t n_in = burst_recv(self, route, in, max_frames, &interrupted);
    if (!n_in)
        return interrupted ? sg17_err(err, "interrupted")
                           : sg17_err(err, "no frame to relay within %d ms", route->timeout_ms);
    size_t n_held = 0;
    long total = 0;
    uint8_t *data = zmq_msg_data(&in[0]);
    size_t size = zmq_msg_size(&in[0]);
    sg17_relay_prefetch(data, size);
    for (size_t i = 0; i < n_in; i++) {
        uint8_t *next = NULL;
        size_t next_size = 0;
        if (i + 1 < n_in) { /* on its way while this one is walked */
            next = zmq_msg_data(&in[i + 1]);
            next_size = zmq_msg_size(&in[i + 1]);
            sg17_relay_prefetch(next, next_size);
        }
        /* bytes another copy of the message shares must not change under it */
        if (zmq_msg_get(&in[i], ZMQ_SHARED) == 1) {
            if (own_copy(&in[i]) < 0) {
                close_all(in + i, n_in - i);
                forward_held(self, route, in, n_held);
                return sg17_err(err, "out of memory");
            }
            data = zmq_msg_data(&in[i]);
        }
        uint64_t first = *next_id;
        long n = sg17_relay_patch(data, size, next_id, &self->relay_buf, sink, arg);
        data = next;
        size = next_size;
        if (n >= 0) {
            in[n_held++] = in[i]; /* n_held <= i */
        } else {
            *next_id = first;
            n = burst_decode(self, route, in, &n_held, &in[i], next_id, sink, arg, frames);
            if (n < 0) {
                close_all(in + i + 1, n_in - i - 1);
                return sg17_err(err, "cannot forward a relayed frame");
            }
        }
        total += n;
    }
    if (forward_held(self, route, in, n_held) < 0)
        return sg17_err(err, "cannot forward a relayed frame");
    *frames += n_held;
    return total;
}

long sg17_broker_relay_burst(sg17_broker_t *self, int from, int to, uint64_t *next_id,
                             sg17_relay_sink_fn *sink, void *arg, size_t max_frames, size_t *frames,
                             int timeout_ms, sg17_err_t *err)
{
    *frames = 0;
    if (from < 0 || (size_t)from >= self->n_peers || to < 0 || (size_t)to >= self->n_peers)
        return sg17_err(err, "relay between unknown hosts");
    if (self->peers[from].local || self->peers[to].local)
        return sg17_err(err, "relay between socket peers only");
    if (max_frames == 0 || max_frames > SG17_RELAY_BURST_MAX)
        return sg17_err(err, "a relay burst holds 1 to %d frames", SG17_RELAY_BURST_MAX);
    route_t route = route_of(self, from, to, timeout_ms);
    long total = 0;
    while (*frames == 0) { /* until a frame went on: what came may all have been malformed */
        long n = relay_taken(self, &route, next_id, sink, arg, max_frames, frames, err);
        if (n < 0)
            return -1;
        total += n;
    }
    return total;
}

void sg17_broker_relay_narrow(sg17_broker_t *self, bool narrow)
{
    self->relay_buf.narrow = narrow;
}

long sg17_broker_relay(sg17_broker_t *self, int from, int to, uint64_t *next_id,
                       sg17_relay_sink_fn *sink, void *arg, int timeout_ms, sg17_err_t *err)
{
    size_t frames;
    return sg17_broker_relay_burst(self, from, to, next_id, sink, arg, 1, &frames, timeout_ms, err);
}
