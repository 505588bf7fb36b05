/* frame.c — packing and defensive unpacking of bus frames. */
#include "bus/frame.h"

#include <stdlib.h>

int sg17_frame_send(zsock_t *sock, zframe_t *routing, const sg17_frame_t *frame)
{
    size_t len = sg17__frame__get_packed_size(frame);
    zframe_t *body = zframe_new(NULL, len);
    if (!body)
        return -1;
    sg17__frame__pack(frame, zframe_data(body));
    if (routing) {
        zframe_t *id = zframe_dup(routing);
        if (zframe_send(&id, sock, ZFRAME_MORE) < 0) {
            zframe_destroy(&id);
            zframe_destroy(&body);
            return -1;
        }
    }
    if (zframe_send(&body, sock, 0) < 0) {
        zframe_destroy(&body);
        return -1;
    }
    return 0;
}

/* An envelope of another version is as malformed as bytes that do not unpack. */
static int envelope_ok(const Sg17__Envelope *env)
{
    return !env || env->version == SG17_ENVELOPE_VERSION;
}

sg17_frame_t *sg17_frame_decode(const uint8_t *data, size_t len)
{
    sg17_frame_t *f = sg17__frame__unpack(NULL, len, data);
    if (!f)
        return NULL;
    int ok = f->body_case != SG17__FRAME__BODY__NOT_SET;
    if (ok && f->body_case == SG17__FRAME__BODY_BATCH)
        for (size_t i = 0; ok && i < f->batch->n_events; i++)
            ok = envelope_ok(f->batch->events[i]->env);
    if (ok && f->body_case == SG17__FRAME__BODY_OUTPUT)
        for (size_t i = 0; ok && i < f->output->n_sends; i++)
            ok = f->output->sends[i]->env && envelope_ok(f->output->sends[i]->env);
    if (ok && f->body_case == SG17__FRAME__BODY_RELAY)
        for (size_t i = 0; ok && i < f->relay->n_envs; i++)
            ok = envelope_ok(f->relay->envs[i]);
    if (!ok) {
        sg17__frame__free_unpacked(f, NULL);
        return NULL;
    }
    return f;
}

void sg17_frame_free(sg17_frame_t **frame_p)
{
    if (frame_p && *frame_p) {
        sg17__frame__free_unpacked(*frame_p, NULL);
        *frame_p = NULL;
    }
}

sg17_frame_t *sg17_frame_recv(zsock_t *sock, zframe_t **routing_p, int *malformed)
{
    *malformed = 0;
    zmsg_t *msg = zmsg_recv(sock);
    if (!msg)
        return NULL;
    if (routing_p)
        *routing_p = zmsg_pop(msg);
    sg17_frame_t *f = NULL;
    zframe_t *body = zmsg_first(msg);
    if (zmsg_size(msg) == 1 && body)
        f = sg17_frame_decode(zframe_data(body), zframe_size(body));
    if (!f)
        *malformed = 1;
    zmsg_destroy(&msg);
    return f;
}
