/* broker.c — ROUTER socket, host registry by Hello, malformed-frame accounting, and the
 * liveness of hosts (ZeroMQ heartbeats close a silent connection; a probe finds it closed). */
#include "bus/broker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* While it waits for a host's answer, the broker probes that host this often: a host process
 * that dies closes its connection at once, one that vanished with its machine misses heartbeats
 * (sg17_bus_heartbeat); either way the next probe notices. */
#define PROBE_EVERY_MS 250

typedef struct {
    zframe_t *id;
    char *module;
    bool claimed;
    bool dead; /* its connection closed: never claimed again */
} peer_t;

struct sg17_broker {
    zsock_t *router;
    zactor_t *auth; /* CURVE authentication (ZAP handler), when enabled */
    zpoller_t *poller;
    peer_t *peers;
    size_t n_peers;
    uint64_t malformed;
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
    zpoller_destroy(&self->poller);
    zsock_destroy(&self->router);
    zactor_destroy(&self->auth);
    free(self);
    *self_p = NULL;
}

static int peer_index(const sg17_broker_t *self, zframe_t *id)
{
    for (size_t i = 0; i < self->n_peers; i++)
        if (zframe_eq(self->peers[i].id, id))
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
    p[self->n_peers++] = (peer_t){*id_p, strdup(hello->module), false, false};
    *id_p = NULL;
}

/* Receives one message and files it: returns a frame from a known peer (with *from set), or NULL
 * when it was a hello, malformed, or nothing arrived (*from = -2 on timeout/interrupt). */
static sg17_frame_t *recv_one(sg17_broker_t *self, int timeout_ms, int *from)
{
    *from = -2;
    /* poll (a system call) only when nothing is queued already, or arrives while we spin */
    if (!sg17_sock_readable_soon(self->router) && !zpoller_wait(self->poller, timeout_ms))
        return NULL;
    zframe_t *id = NULL;
    int malformed;
    sg17_frame_t *f = sg17_frame_recv(self->router, &id, &malformed);
    *from = -1;
    if (!f) {
        if (malformed)
            self->malformed++;
        zframe_destroy(&id);
        return NULL;
    }
    if (f->body_case == SG17__FRAME__BODY_HELLO) {
        if (f->hello->abi == SG17_MODULE_ABI_MAJOR && f->hello->module && *f->hello->module)
            register_hello(self, &id, f->hello);
        else
            self->malformed++;
        zframe_destroy(&id);
        sg17_frame_free(&f);
        return NULL;
    }
    *from = peer_index(self, id);
    zframe_destroy(&id);
    if (*from < 0) { /* a frame from a peer that never said hello */
        self->malformed++;
        sg17_frame_free(&f);
    }
    return f;
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

int sg17_broker_send(sg17_broker_t *self, int host, const sg17_frame_t *frame)
{
    if (host < 0 || (size_t)host >= self->n_peers)
        return -1;
    int rc = sg17_frame_send(self->router, self->peers[host].id, frame);
    if (rc < 0 && zmq_errno() == EHOSTUNREACH) /* ROUTER_MANDATORY: its connection is gone */
        self->peers[host].dead = true;
    return rc;
}

sg17_frame_t *sg17_broker_recv(sg17_broker_t *self, int host, int timeout_ms, sg17_err_t *err)
{
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
