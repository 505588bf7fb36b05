/* test_wire.c — sg17tb/wire.h: big-endian put/get round trips, the first overflow makes the
 * writer or reader fail for good (nothing written or consumed past it), and `done` means the
 * whole input was consumed without error. */
#include <criterion/criterion.h>
#include <string.h>

#include "sg17tb/wire.h"

Test(wire, every_width_round_trips_big_endian)
{
    uint8_t buf[32];
    sg17_writer_t w = sg17_writer(buf, sizeof buf);
    sg17_put_u8(&w, 0x01);
    sg17_put_u16(&w, 0x0203);
    sg17_put_u32(&w, 0x04050607);
    sg17_put_u64(&w, 0x08090a0b0c0d0e0fULL);
    sg17_put_bytes(&w, "\x10\x11", 2);
    sg17_put_zeros(&w, 2);
    size_t len = 0;
    cr_assert_eq(sg17_writer_finish(&w, &len), 0);
    cr_assert_eq(len, 19);
    const uint8_t want[19] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 0, 0};
    cr_assert_eq(memcmp(buf, want, sizeof want), 0);
    sg17_reader_t r = sg17_reader(buf, len);
    sg17_get_expect(&r, 0x01);
    cr_assert_eq(sg17_get_u16(&r), 0x0203);
    cr_assert_eq(sg17_get_u32(&r), 0x04050607);
    cr_assert_eq(sg17_get_u64(&r), 0x08090a0b0c0d0e0fULL);
    cr_assert_eq(sg17_reader_remaining(&r), 4);
    const uint8_t *b = sg17_get_bytes(&r, 2);
    cr_assert_eq(b, buf + 15);
    size_t rest_len;
    cr_assert_eq(sg17_get_rest(&r, &rest_len), buf + 17);
    cr_assert_eq(rest_len, 2);
    cr_assert(sg17_reader_done(&r));
}

Test(wire, the_first_put_that_does_not_fit_fails_the_writer_for_good)
{
    uint8_t buf[8] = {0};
    sg17_writer_t w = sg17_writer(buf, 5);
    sg17_put_u32(&w, 0xaabbccdd);
    sg17_put_u16(&w, 0x1122); /* 6 > 5: fails, writes nothing */
    sg17_put_u8(&w, 0x33);    /* would fit, but the error is sticky */
    cr_assert_not(sg17_writer_ok(&w));
    cr_assert_eq(buf[4], 0);
    size_t len = 99;
    cr_assert_eq(sg17_writer_finish(&w, &len), -1);
    cr_assert_eq(len, 99);
    cr_assert_eq(sg17_writer_room(&w), 0);
    sg17_writer_t none = sg17_writer(NULL, 10);
    cr_assert_null(sg17_put_space(&none, 1));
}

Test(wire, the_first_get_past_the_end_fails_the_reader_for_good)
{
    const uint8_t in[3] = {1, 2, 3};
    sg17_reader_t r = sg17_reader(in, sizeof in);
    cr_assert_eq(sg17_get_u16(&r), 0x0102);
    cr_assert_eq(sg17_get_u16(&r), 0); /* one byte left: fails, consumes nothing */
    cr_assert_eq(sg17_get_u8(&r), 0);  /* sticky */
    cr_assert_not(sg17_reader_ok(&r));
    cr_assert_not(sg17_reader_done(&r));
    cr_assert_eq(sg17_reader_remaining(&r), 0);
    uint8_t copy[2] = {9, 9};
    sg17_get_copy(&r, copy, 2);
    cr_assert_eq(copy[0] | copy[1], 0, "a failed copy leaves zeros");
}

Test(wire, done_means_everything_consumed_without_error)
{
    const uint8_t in[3] = {7, 0, 1};
    sg17_reader_t r = sg17_reader(in, sizeof in);
    sg17_get_u8(&r);
    cr_assert(sg17_reader_ok(&r));
    cr_assert_not(sg17_reader_done(&r), "a byte left over is not done");
    sg17_get_u16(&r);
    cr_assert(sg17_reader_done(&r));
    sg17_reader_t t = sg17_reader(in, sizeof in);
    sg17_get_expect(&t, 8);
    cr_assert_not(sg17_reader_ok(&t), "an unexpected tag fails the reader");
    sg17_reader_t f = sg17_reader(in, 1);
    sg17_get_u8(&f);
    sg17_reader_fail(&f);
    cr_assert_not(sg17_reader_done(&f), "a field the codec refused is not done");
}

Test(wire, fixed_position_loads_and_stores_are_big_endian)
{
    uint8_t b[8];
    sg17_store_be16(b, 0x0102);
    cr_assert_eq(sg17_load_be16(b), 0x0102);
    cr_assert_eq(b[0], 1);
    sg17_store_be32(b, 0x01020304);
    cr_assert_eq(sg17_load_be32(b), 0x01020304);
    cr_assert_eq(b[3], 4);
    sg17_store_be64(b, 0x0102030405060708ULL);
    cr_assert_eq(sg17_load_be64(b), 0x0102030405060708ULL);
    cr_assert_eq(b[7], 8);
}
