/* test_proto_cam.c — CAM and DENM in UPER (EN 302 637-2/-3), GeoNetworking + BTP-B, and the
 * trace framing: round trips with every supported field, the real CAM of the vectors decoded and
 * re-encoded to the same octets, range refusals, and strict decoding. */
#include "v2x_test.h"

static void full_cam(v2x_cam_t *c)
{
    v2x_cam_init(c, 4000000001u);
    c->generation_delta_time = 65535;
    c->pos = (v2x_refpos_t){-899999999, 1799999999, 100, 50, 3600, -100000, 3};
    c->heading = 3599;
    c->heading_conf = 1;
    c->speed = 16382;
    c->speed_conf = 2;
    c->drive_direction = 1;
    c->length = 45;
    c->length_conf = 0;
    c->width = 19;
    c->long_accel = -160;
    c->long_accel_conf = 5;
    c->curvature = -1023;
    c->curvature_conf = 6;
    c->curvature_mode = 1;
    c->yaw_rate = -32766;
    c->yaw_rate_conf = 3;
    c->has_accel_control = true;
    c->accel_control = 0x55;
    c->has_lane_position = true;
    c->lane_position = -1;
    c->has_steering = true;
    c->steering_angle = 512;
    c->steering_conf = 127;
    c->has_lat_accel = true;
    c->lat_accel = 161;
    c->lat_accel_conf = 102;
    c->has_vert_accel = true;
    c->vert_accel = -3;
    c->vert_accel_conf = 0;
    c->has_performance_class = true;
    c->performance_class = 7;
    c->has_low_freq = true;
    c->vehicle_role = 6;
    c->exterior_lights = 0xa5;
    c->path_len = 3;
    c->path[0] = (typeof(c->path[0])){-131071, 131072, -12700, true, 1};
    c->path[1] = (typeof(c->path[0])){5, -5, 12800, false, 0};
    c->path[2] = (typeof(c->path[0])){0, 0, 0, true, 65535};
}

Test(cam, round_trips_every_field)
{
    v2x_cam_t a, b;
    full_cam(&a);
    uint8_t buf[256], again[256];
    size_t n, m;
    cr_assert_eq(v2x_cam_encode(&a, buf, sizeof buf, &n), V2X_OK);
    cr_assert_eq(v2x_cam_decode(buf, n, &b), V2X_OK);
    cr_assert_eq(memcmp(&a, &b, sizeof a), 0);
    cr_assert_eq(v2x_cam_encode(&b, again, sizeof again, &m), V2X_OK);
    cr_assert_eq(m, n);
    cr_assert_arr_eq(buf, again, n);
    /* truncations and a trailing octet are refused */
    for (size_t i = 0; i < n; i++)
        cr_assert_neq(v2x_cam_decode(buf, i, &b), V2X_OK, "%zu octets", i);
    buf[n] = 0;
    cr_assert_eq(v2x_cam_decode(buf, n + 1, &b), V2X_EMALFORMED);
    /* an RSU CAM */
    v2x_cam_init(&a, 7);
    a.rsu = true;
    a.station_type = V2X_STATION_RSU;
    cr_assert_eq(v2x_cam_encode(&a, buf, sizeof buf, &n), V2X_OK);
    cr_assert_eq(v2x_cam_decode(buf, n, &b), V2X_OK);
    cr_assert(b.rsu);
    cr_assert_eq(b.station_id, 7);
}

Test(cam, out_of_range_values_are_refused)
{
    v2x_cam_t a;
    uint8_t buf[256];
    size_t n;
    v2x_cam_init(&a, 1);
    a.speed = 16384;
    cr_assert_eq(v2x_cam_encode(&a, buf, sizeof buf, &n), V2X_EARG);
    v2x_cam_init(&a, 1);
    a.pos.lat = 900000002;
    cr_assert_eq(v2x_cam_encode(&a, buf, sizeof buf, &n), V2X_EARG);
    v2x_cam_init(&a, 1);
    cr_assert_eq(v2x_cam_encode(&a, buf, 10, &n), V2X_ESPACE);
}

Test(cam, the_real_cam_decodes_and_reencodes_identically)
{
    uint8_t spdu[1024];
    size_t n = v2x_vec_hex("SPDU", spdu, sizeof spdu);
    v2x_spdu_t s;
    cr_assert_eq(v2x_spdu_decode(spdu, n, &s), V2X_OK);
    v2x_gn_t g;
    const uint8_t *app;
    size_t app_len;
    cr_assert_eq(v2x_gn_decode(s.payload, s.payload_len, &g, &app, &app_len), V2X_OK);
    cr_assert_eq(g.kind, V2X_GN_SHB);
    cr_assert_eq(g.btp_port, V2X_BTP_PORT_CAM);
    v2x_cam_t c;
    cr_assert_eq(v2x_cam_decode(app, app_len, &c), V2X_OK);
    cr_assert_eq(c.protocol_version, 2);
    cr_assert_eq(c.station_type, V2X_STATION_PASSENGER_CAR);
    /* the GN source position and the CAM reference position describe the same car */
    cr_assert_lt(abs(c.pos.lat - g.lat), 100);
    cr_assert_lt(abs(c.pos.lon - g.lon), 1000);
    uint8_t again[256], gn[256];
    size_t m, gl;
    cr_assert_eq(v2x_cam_encode(&c, again, sizeof again, &m), V2X_OK);
    cr_assert_eq(m, app_len);
    cr_assert_arr_eq(again, app, m);
    /* the GN packet too, except the media-dependent octets (ITS-G5 DCC) written as zero here */
    cr_assert_eq(v2x_gn_encode(&g, app, app_len, gn, sizeof gn, &gl), V2X_OK);
    cr_assert_eq(gl, s.payload_len);
    cr_assert_arr_eq(gn, s.payload, 8 + 24);
    cr_assert_arr_eq(gn + 36, s.payload + 36, gl - 36);
}

Test(denm, round_trips)
{
    v2x_denm_t a, b;
    v2x_denm_init(&a, 99, 65535);
    a.detection_time = 4398046511103ull;
    a.reference_time = 12345;
    a.has_termination = true;
    a.termination = 1;
    a.event_pos = (v2x_refpos_t){484000000, 23000000, 1, 2, 3, 4, 5};
    a.has_relevance_distance = true;
    a.relevance_distance = 7;
    a.has_relevance_direction = true;
    a.relevance_direction = 3;
    a.validity_duration = 86400;
    a.has_transmission_interval = true;
    a.transmission_interval = 10000;
    a.station_type = 10;
    a.has_situation = true;
    a.information_quality = 7;
    a.cause = 99;
    a.sub_cause = 1;
    a.has_linked_cause = true;
    a.linked_cause = 2;
    a.linked_sub_cause = 3;
    uint8_t buf[128];
    size_t n;
    cr_assert_eq(v2x_denm_encode(&a, buf, sizeof buf, &n), V2X_OK);
    cr_assert_eq(v2x_denm_decode(buf, n, &b), V2X_OK);
    cr_assert_eq(memcmp(&a, &b, sizeof a), 0);
    v2x_denm_init(&a, 5, 1);
    cr_assert_eq(v2x_denm_encode(&a, buf, sizeof buf, &n), V2X_OK);
    cr_assert_eq(v2x_denm_decode(buf, n, &b), V2X_OK);
    cr_assert_eq(b.validity_duration, 600);
    cr_assert_eq(memcmp(&a, &b, sizeof a), 0);
    for (size_t i = 0; i < n; i++)
        cr_assert_neq(v2x_denm_decode(buf, i, &b), V2X_OK);
    /* a CAM is not a DENM */
    v2x_cam_t c;
    v2x_cam_init(&c, 5);
    cr_assert_eq(v2x_cam_encode(&c, buf, sizeof buf, &n), V2X_OK);
    cr_assert_neq(v2x_denm_decode(buf, n, &b), V2X_OK);
}

Test(gn, round_trips_shb_and_tsb)
{
    v2x_gn_t a = {.kind = V2X_GN_TSB,
                  .traffic_class = 1,
                  .max_hop_limit = 10,
                  .mobile = true,
                  .sequence_number = 513,
                  .addr_station_type = 5,
                  .mid = {1, 2, 3, 4, 5, 6},
                  .timestamp = 0xfffffffe,
                  .lat = -485000000,
                  .lon = 1799999999,
                  .pai = true,
                  .speed = -16384,
                  .heading = 3599,
                  .btp_port = V2X_BTP_PORT_DENM};
    uint8_t buf[128];
    size_t n;
    const uint8_t app[] = {9, 8, 7};
    cr_assert_eq(v2x_gn_encode(&a, app, 3, buf, sizeof buf, &n), V2X_OK);
    cr_assert_eq(n, 8 + 28 + 4 + 3);
    v2x_gn_t b;
    const uint8_t *p;
    size_t pl;
    cr_assert_eq(v2x_gn_decode(buf, n, &b, &p, &pl), V2X_OK);
    cr_assert_eq(memcmp(&a, &b, sizeof a), 0);
    cr_assert_eq(pl, 3);
    cr_assert_arr_eq(p, app, 3);
    a.kind = V2X_GN_SHB;
    a.sequence_number = 0;
    a.max_hop_limit = 1;
    cr_assert_eq(v2x_gn_encode(&a, app, 3, buf, sizeof buf, &n), V2X_OK);
    cr_assert_eq(v2x_gn_decode(buf, n, &b, &p, &pl), V2X_OK);
    cr_assert_eq(memcmp(&a, &b, sizeof a), 0);
    cr_assert_eq(v2x_gn_decode(buf, n - 1, &b, &p, &pl), V2X_EMALFORMED);
}

Test(trace, frames_spdus_and_leaves_other_payloads)
{
    uint8_t spdu[1024], frame[1200];
    size_t n = v2x_vec_hex("SPDU", spdu, sizeof spdu);
    sg17_msg_t msg = {.type = "v2x.cam", .payload = spdu, .len = n};
    uint32_t lt = 0;
    size_t need = v2x_trace_frame(&msg, "vehicle-1", "vehicle-2", frame, 10, &lt);
    cr_assert_eq(need, 14 + 4 + n);
    cr_assert_eq(v2x_trace_frame(&msg, "vehicle-1", "vehicle-2", frame, sizeof frame, &lt), need);
    cr_assert_eq(lt, 1u);
    cr_assert_eq(frame[12], 0x89);
    cr_assert_eq(frame[13], 0x47);
    cr_assert_eq(frame[14], 0x12); /* GN version 1, next header: secured packet */
    cr_assert_arr_eq(frame + 18, spdu, n);
    cr_assert_eq(frame[6] & 0x03, 0x02); /* locally administered unicast source */
    const uint8_t junk[] = "a misbehaviour report";
    msg.payload = junk;
    msg.len = sizeof junk;
    cr_assert_eq(v2x_trace_frame(&msg, "vehicle-1", "ma-0", frame, sizeof frame, &lt), 0);
}
