/* cam.c — CAM (ETSI EN 302 637-2 V1.4.1, CAM-PDU-Descriptions) and DENM (EN 302 637-3 V1.3.1,
 * DENM-PDU-Descriptions) in unaligned PER, with the data elements of the Common Data Dictionary
 * (ETSI TS 102 894-2 V1.3.1, ITS-Container). The subset: CAM basic container, basic-vehicle or
 * RSU high-frequency container, basic-vehicle low-frequency container; DENM management and
 * situation containers. Every range is the ASN.1 one; extensions present on input are refused as
 * unsupported. */
#include <string.h>

#include "uper.h"
#include "v2x_proto.h"

/* ---- ITS-Container elements ---- */

static void put_header(uper_writer_t *w, uint8_t version, uint8_t msg_id, uint32_t station)
{
    uper_put_int(w, version, 0, 255);
    uper_put_int(w, msg_id, 0, 255);
    uper_put_int(w, station, 0, 4294967295LL);
}

static void get_header(uper_reader_t *r, uint8_t *version, uint8_t want_id, uint32_t *station)
{
    *version = (uint8_t)uper_get_int(r, 0, 255);
    if (uper_get_int(r, 0, 255) != want_id)
        r->err = true;
    *station = (uint32_t)uper_get_int(r, 0, 4294967295LL);
}

/* ReferencePosition: latitude, longitude, PosConfidenceEllipse, Altitude. */
static void put_refpos(uper_writer_t *w, const v2x_refpos_t *p)
{
    uper_put_int(w, p->lat, -900000000, 900000001);
    uper_put_int(w, p->lon, -1800000000, 1800000001);
    uper_put_int(w, p->semi_major_conf, 0, 4095);
    uper_put_int(w, p->semi_minor_conf, 0, 4095);
    uper_put_int(w, p->semi_major_orient, 0, 3601);
    uper_put_int(w, p->altitude, -100000, 800001);
    uper_put_int(w, p->altitude_conf, 0, 15);
}

static void get_refpos(uper_reader_t *r, v2x_refpos_t *p)
{
    p->lat = (int32_t)uper_get_int(r, -900000000, 900000001);
    p->lon = (int32_t)uper_get_int(r, -1800000000, 1800000001);
    p->semi_major_conf = (uint16_t)uper_get_int(r, 0, 4095);
    p->semi_minor_conf = (uint16_t)uper_get_int(r, 0, 4095);
    p->semi_major_orient = (uint16_t)uper_get_int(r, 0, 3601);
    p->altitude = (int32_t)uper_get_int(r, -100000, 800001);
    p->altitude_conf = (uint8_t)uper_get_int(r, 0, 15);
}

static void refpos_unavailable(v2x_refpos_t *p)
{
    p->lat = V2X_LAT_UNAVAILABLE;
    p->lon = V2X_LON_UNAVAILABLE;
    p->semi_major_conf = 4095;
    p->semi_minor_conf = 4095;
    p->semi_major_orient = 3601;
    p->altitude = 800001;
    p->altitude_conf = 15;
}

/* An extensible ENUMERATED with n root values: the extension bit, then the index. */
static void put_ext_enum(uper_writer_t *w, unsigned v, unsigned n)
{
    uper_put_bool(w, false);
    uper_put_int(w, v, 0, n - 1);
}

static unsigned get_ext_enum(uper_reader_t *r, unsigned n, bool *unsupported)
{
    if (uper_get_bool(r)) {
        *unsupported = !r->err;
        r->err = true;
        return 0;
    }
    return (unsigned)uper_get_int(r, 0, n - 1);
}

/* An extension bit that must be clear (an extensible SEQUENCE or CHOICE with no additions). */
static void get_no_ext(uper_reader_t *r, bool *unsupported)
{
    if (uper_get_bool(r)) {
        *unsupported = !r->err;
        r->err = true;
    }
}

static int status(uper_reader_t *r, bool unsupported)
{
    if (uper_reader_done(r))
        return V2X_OK;
    return unsupported ? V2X_EUNSUPPORTED : V2X_EMALFORMED;
}

/* ---- CAM ---- */

void v2x_cam_init(v2x_cam_t *cam, uint32_t station_id)
{
    memset(cam, 0, sizeof *cam);
    cam->protocol_version = V2X_ITS_PROTOCOL_VERSION;
    cam->station_id = station_id;
    cam->station_type = V2X_STATION_PASSENGER_CAR;
    refpos_unavailable(&cam->pos);
    cam->heading = V2X_HEADING_UNAVAILABLE;
    cam->heading_conf = 127;
    cam->speed = V2X_SPEED_UNAVAILABLE;
    cam->speed_conf = 127;
    cam->drive_direction = 2;
    cam->length = 1023;
    cam->length_conf = 4;
    cam->width = 62;
    cam->long_accel = 161;
    cam->long_accel_conf = 102;
    cam->curvature = 1023;
    cam->curvature_conf = 7;
    cam->curvature_mode = 2;
    cam->yaw_rate = 32767;
    cam->yaw_rate_conf = 8;
}

int v2x_cam_encode(const v2x_cam_t *c, uint8_t *out, size_t cap, size_t *out_len)
{
    if (!c || !out_len || c->path_len > V2X_PATH_MAX)
        return V2X_EARG;
    uper_writer_t w = uper_writer(out, cap);
    put_header(&w, c->protocol_version, V2X_CAM_MESSAGE_ID, c->station_id);
    uper_put_int(&w, c->generation_delta_time, 0, 65535);
    /* CamParameters: extension bit, lowFrequency, specialVehicle */
    uper_put_bool(&w, false);
    uper_put_bool(&w, c->has_low_freq);
    uper_put_bool(&w, false);
    /* BasicContainer (extensible) */
    uper_put_bool(&w, false);
    uper_put_int(&w, c->station_type, 0, 255);
    put_refpos(&w, &c->pos);
    /* HighFrequencyContainer CHOICE (extensible, 2 root alternatives) */
    uper_put_bool(&w, false);
    uper_put_bits(&w, c->rsu ? 1 : 0, 1);
    if (c->rsu) {
        uper_put_bool(&w, false); /* RSUContainerHighFrequency: extension bit */
        uper_put_bool(&w, false); /* protectedCommunicationZonesRSU absent */
    } else {
        uper_put_bool(&w, c->has_accel_control);
        uper_put_bool(&w, c->has_lane_position);
        uper_put_bool(&w, c->has_steering);
        uper_put_bool(&w, c->has_lat_accel);
        uper_put_bool(&w, c->has_vert_accel);
        uper_put_bool(&w, c->has_performance_class);
        uper_put_bool(&w, false); /* cenDsrcTollingZone */
        uper_put_int(&w, c->heading, 0, 3601);
        uper_put_int(&w, c->heading_conf, 1, 127);
        uper_put_int(&w, c->speed, 0, 16383);
        uper_put_int(&w, c->speed_conf, 1, 127);
        uper_put_int(&w, c->drive_direction, 0, 2);
        uper_put_int(&w, c->length, 1, 1023);
        uper_put_int(&w, c->length_conf, 0, 4);
        uper_put_int(&w, c->width, 1, 62);
        uper_put_int(&w, c->long_accel, -160, 161);
        uper_put_int(&w, c->long_accel_conf, 0, 102);
        uper_put_int(&w, c->curvature, -1023, 1023);
        uper_put_int(&w, c->curvature_conf, 0, 7);
        put_ext_enum(&w, c->curvature_mode, 3);
        uper_put_int(&w, c->yaw_rate, -32766, 32767);
        uper_put_int(&w, c->yaw_rate_conf, 0, 8);
        if (c->has_accel_control)
            uper_put_bits(&w, c->accel_control, 7);
        if (c->has_lane_position)
            uper_put_int(&w, c->lane_position, -1, 14);
        if (c->has_steering) {
            uper_put_int(&w, c->steering_angle, -511, 512);
            uper_put_int(&w, c->steering_conf, 1, 127);
        }
        if (c->has_lat_accel) {
            uper_put_int(&w, c->lat_accel, -160, 161);
            uper_put_int(&w, c->lat_accel_conf, 0, 102);
        }
        if (c->has_vert_accel) {
            uper_put_int(&w, c->vert_accel, -160, 161);
            uper_put_int(&w, c->vert_accel_conf, 0, 102);
        }
        if (c->has_performance_class)
            uper_put_int(&w, c->performance_class, 0, 7);
    }
    if (c->has_low_freq) {
        uper_put_bool(&w, false); /* LowFrequencyContainer CHOICE: extension bit, 1 alternative */
        uper_put_int(&w, c->vehicle_role, 0, 15);
        uper_put_bits(&w, c->exterior_lights, 8);
        uper_put_int(&w, c->path_len, 0, V2X_PATH_MAX);
        for (unsigned i = 0; i < c->path_len; i++) {
            uper_put_bool(&w, c->path[i].has_dt);
            uper_put_int(&w, c->path[i].dlat, -131071, 131072);
            uper_put_int(&w, c->path[i].dlon, -131071, 131072);
            uper_put_int(&w, c->path[i].dalt, -12700, 12800);
            if (c->path[i].has_dt)
                uper_put_int(&w, c->path[i].dt, 1, 65535);
        }
    }
    if (uper_finish(&w, out_len) != 0)
        return w.range ? V2X_EARG : V2X_ESPACE;
    return V2X_OK;
}

int v2x_cam_decode(const uint8_t *buf, size_t len, v2x_cam_t *c)
{
    if (!buf || !c)
        return V2X_EARG;
    memset(c, 0, sizeof *c);
    bool unsupported = false;
    uper_reader_t r = uper_reader(buf, len);
    get_header(&r, &c->protocol_version, V2X_CAM_MESSAGE_ID, &c->station_id);
    c->generation_delta_time = (uint16_t)uper_get_int(&r, 0, 65535);
    get_no_ext(&r, &unsupported);
    c->has_low_freq = uper_get_bool(&r);
    if (uper_get_bool(&r)) { /* specialVehicleContainer */
        unsupported = !r.err;
        r.err = true;
    }
    get_no_ext(&r, &unsupported);
    c->station_type = (uint8_t)uper_get_int(&r, 0, 255);
    get_refpos(&r, &c->pos);
    get_no_ext(&r, &unsupported);
    c->rsu = uper_get_bits(&r, 1) == 1;
    if (c->rsu) {
        get_no_ext(&r, &unsupported);
        if (uper_get_bool(&r)) { /* protectedCommunicationZonesRSU */
            unsupported = !r.err;
            r.err = true;
        }
    } else {
        c->has_accel_control = uper_get_bool(&r);
        c->has_lane_position = uper_get_bool(&r);
        c->has_steering = uper_get_bool(&r);
        c->has_lat_accel = uper_get_bool(&r);
        c->has_vert_accel = uper_get_bool(&r);
        c->has_performance_class = uper_get_bool(&r);
        if (uper_get_bool(&r)) { /* cenDsrcTollingZone */
            unsupported = !r.err;
            r.err = true;
        }
        c->heading = (uint16_t)uper_get_int(&r, 0, 3601);
        c->heading_conf = (uint8_t)uper_get_int(&r, 1, 127);
        c->speed = (uint16_t)uper_get_int(&r, 0, 16383);
        c->speed_conf = (uint8_t)uper_get_int(&r, 1, 127);
        c->drive_direction = (uint8_t)uper_get_int(&r, 0, 2);
        c->length = (uint16_t)uper_get_int(&r, 1, 1023);
        c->length_conf = (uint8_t)uper_get_int(&r, 0, 4);
        c->width = (uint8_t)uper_get_int(&r, 1, 62);
        c->long_accel = (int16_t)uper_get_int(&r, -160, 161);
        c->long_accel_conf = (uint8_t)uper_get_int(&r, 0, 102);
        c->curvature = (int16_t)uper_get_int(&r, -1023, 1023);
        c->curvature_conf = (uint8_t)uper_get_int(&r, 0, 7);
        c->curvature_mode = (uint8_t)get_ext_enum(&r, 3, &unsupported);
        c->yaw_rate = (int32_t)uper_get_int(&r, -32766, 32767);
        c->yaw_rate_conf = (uint8_t)uper_get_int(&r, 0, 8);
        if (c->has_accel_control)
            c->accel_control = (uint8_t)uper_get_bits(&r, 7);
        if (c->has_lane_position)
            c->lane_position = (int8_t)uper_get_int(&r, -1, 14);
        if (c->has_steering) {
            c->steering_angle = (int16_t)uper_get_int(&r, -511, 512);
            c->steering_conf = (uint8_t)uper_get_int(&r, 1, 127);
        }
        if (c->has_lat_accel) {
            c->lat_accel = (int16_t)uper_get_int(&r, -160, 161);
            c->lat_accel_conf = (uint8_t)uper_get_int(&r, 0, 102);
        }
        if (c->has_vert_accel) {
            c->vert_accel = (int16_t)uper_get_int(&r, -160, 161);
            c->vert_accel_conf = (uint8_t)uper_get_int(&r, 0, 102);
        }
        if (c->has_performance_class)
            c->performance_class = (uint8_t)uper_get_int(&r, 0, 7);
    }
    if (c->has_low_freq) {
        get_no_ext(&r, &unsupported);
        c->vehicle_role = (uint8_t)uper_get_int(&r, 0, 15);
        c->exterior_lights = (uint8_t)uper_get_bits(&r, 8);
        c->path_len = (uint8_t)uper_get_int(&r, 0, V2X_PATH_MAX);
        for (unsigned i = 0; i < c->path_len && !r.err; i++) {
            c->path[i].has_dt = uper_get_bool(&r);
            c->path[i].dlat = (int32_t)uper_get_int(&r, -131071, 131072);
            c->path[i].dlon = (int32_t)uper_get_int(&r, -131071, 131072);
            c->path[i].dalt = (int32_t)uper_get_int(&r, -12700, 12800);
            if (c->path[i].has_dt)
                c->path[i].dt = (uint16_t)uper_get_int(&r, 1, 65535);
        }
    }
    return status(&r, unsupported);
}

/* ---- DENM ---- */

void v2x_denm_init(v2x_denm_t *d, uint32_t station_id, uint16_t sequence_number)
{
    memset(d, 0, sizeof *d);
    d->protocol_version = V2X_ITS_PROTOCOL_VERSION;
    d->station_id = station_id;
    d->orig_station_id = station_id;
    d->sequence_number = sequence_number;
    refpos_unavailable(&d->event_pos);
    d->validity_duration = 600;
    d->station_type = V2X_STATION_PASSENGER_CAR;
}

static void put_cause(uper_writer_t *w, uint8_t cause, uint8_t sub)
{
    uper_put_bool(w, false);
    uper_put_int(w, cause, 0, 255);
    uper_put_int(w, sub, 0, 255);
}

static void get_cause(uper_reader_t *r, uint8_t *cause, uint8_t *sub, bool *unsupported)
{
    get_no_ext(r, unsupported);
    *cause = (uint8_t)uper_get_int(r, 0, 255);
    *sub = (uint8_t)uper_get_int(r, 0, 255);
}

int v2x_denm_encode(const v2x_denm_t *d, uint8_t *out, size_t cap, size_t *out_len)
{
    if (!d || !out_len)
        return V2X_EARG;
    uper_writer_t w = uper_writer(out, cap);
    put_header(&w, d->protocol_version, V2X_DENM_MESSAGE_ID, d->station_id);
    /* DecentralizedEnvironmentalNotificationMessage: situation, location, alacarte */
    uper_put_bool(&w, d->has_situation);
    uper_put_bool(&w, false);
    uper_put_bool(&w, false);
    /* ManagementContainer (extensible): termination, relevanceDistance, relevanceTrafficDirection,
     * validityDuration (DEFAULT 600: left out when equal), transmissionInterval */
    bool has_validity = d->validity_duration != 600;
    uper_put_bool(&w, false);
    uper_put_bool(&w, d->has_termination);
    uper_put_bool(&w, d->has_relevance_distance);
    uper_put_bool(&w, d->has_relevance_direction);
    uper_put_bool(&w, has_validity);
    uper_put_bool(&w, d->has_transmission_interval);
    uper_put_int(&w, d->orig_station_id, 0, 4294967295LL);
    uper_put_int(&w, d->sequence_number, 0, 65535);
    uper_put_int(&w, (int64_t)d->detection_time, 0, 4398046511103LL);
    uper_put_int(&w, (int64_t)d->reference_time, 0, 4398046511103LL);
    if (d->has_termination)
        uper_put_int(&w, d->termination, 0, 1);
    put_refpos(&w, &d->event_pos);
    if (d->has_relevance_distance)
        uper_put_int(&w, d->relevance_distance, 0, 7);
    if (d->has_relevance_direction)
        uper_put_int(&w, d->relevance_direction, 0, 3);
    if (has_validity)
        uper_put_int(&w, d->validity_duration, 0, 86400);
    if (d->has_transmission_interval)
        uper_put_int(&w, d->transmission_interval, 1, 10000);
    uper_put_int(&w, d->station_type, 0, 255);
    if (d->has_situation) {
        uper_put_bool(&w, false); /* SituationContainer extension bit */
        uper_put_bool(&w, d->has_linked_cause);
        uper_put_bool(&w, false); /* eventHistory */
        uper_put_int(&w, d->information_quality, 0, 7);
        put_cause(&w, d->cause, d->sub_cause);
        if (d->has_linked_cause)
            put_cause(&w, d->linked_cause, d->linked_sub_cause);
    }
    if (uper_finish(&w, out_len) != 0)
        return w.range ? V2X_EARG : V2X_ESPACE;
    return V2X_OK;
}

int v2x_denm_decode(const uint8_t *buf, size_t len, v2x_denm_t *d)
{
    if (!buf || !d)
        return V2X_EARG;
    memset(d, 0, sizeof *d);
    bool unsupported = false;
    uper_reader_t r = uper_reader(buf, len);
    get_header(&r, &d->protocol_version, V2X_DENM_MESSAGE_ID, &d->station_id);
    d->has_situation = uper_get_bool(&r);
    if (uper_get_bool(&r) || uper_get_bool(&r)) { /* location, alacarte containers */
        unsupported = !r.err;
        r.err = true;
    }
    get_no_ext(&r, &unsupported);
    d->has_termination = uper_get_bool(&r);
    d->has_relevance_distance = uper_get_bool(&r);
    d->has_relevance_direction = uper_get_bool(&r);
    bool has_validity = uper_get_bool(&r);
    d->has_transmission_interval = uper_get_bool(&r);
    d->orig_station_id = (uint32_t)uper_get_int(&r, 0, 4294967295LL);
    d->sequence_number = (uint16_t)uper_get_int(&r, 0, 65535);
    d->detection_time = (uint64_t)uper_get_int(&r, 0, 4398046511103LL);
    d->reference_time = (uint64_t)uper_get_int(&r, 0, 4398046511103LL);
    if (d->has_termination)
        d->termination = (uint8_t)uper_get_int(&r, 0, 1);
    get_refpos(&r, &d->event_pos);
    if (d->has_relevance_distance)
        d->relevance_distance = (uint8_t)uper_get_int(&r, 0, 7);
    if (d->has_relevance_direction)
        d->relevance_direction = (uint8_t)uper_get_int(&r, 0, 3);
    d->validity_duration = 600;
    if (has_validity) {
        d->validity_duration = (uint32_t)uper_get_int(&r, 0, 86400);
        if (d->validity_duration == 600) /* a DEFAULT value is never encoded (X.691 §10.2) */
            r.err = true;
    }
    if (d->has_transmission_interval)
        d->transmission_interval = (uint16_t)uper_get_int(&r, 1, 10000);
    d->station_type = (uint8_t)uper_get_int(&r, 0, 255);
    if (d->has_situation) {
        get_no_ext(&r, &unsupported);
        d->has_linked_cause = uper_get_bool(&r);
        if (uper_get_bool(&r)) { /* eventHistory */
            unsupported = !r.err;
            r.err = true;
        }
        d->information_quality = (uint8_t)uper_get_int(&r, 0, 7);
        get_cause(&r, &d->cause, &d->sub_cause, &unsupported);
        if (d->has_linked_cause)
            get_cause(&r, &d->linked_cause, &d->linked_sub_cause, &unsupported);
    }
    return status(&r, unsupported);
}
