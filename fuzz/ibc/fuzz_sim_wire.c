/* fuzz_sim_wire.c — the decoders of the ibc simulation's bus messages (C.3 parameter request and
 * answer, C.4 key request and delivery, D.1 one-pass message, application data) on arbitrary bytes:
 * none may crash, a D.1 message (a MIKEY-SAKKE I_MESSAGE) that decodes re-encodes to a message
 * that decodes to the same fields, and its trace frame (IPv4 / UDP / MIKEY-SAKKE) is written
 * within the length it announces. */
#include <stdint.h>
#include <string.h>

#include "sim/ibc_sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t tkey[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static uint8_t again[IBC_D1_MAX];
    uint16_t dev;
    int64_t period;
    uint64_t seq;
    ibc_params_msg_t pm;
    ibc_keys_t keys;
    ibc_d1_t d1;
    if (ibc_param_request_decode(data, size, &period) == 0) {
        uint8_t req[IBC_PARAM_REQUEST_BYTES];
        ibc_param_request_encode(period, req);
        if (memcmp(req, data, sizeof req) != 0)
            __builtin_trap();
    }
    (void)ibc_params_decode(data, size, &pm);
    if (ibc_key_request_decode(data, size, &dev, &period) == 0)
        (void)ibc_key_request_verify(tkey, data, size);
    if (ibc_key_delivery_header(data, size, &dev, &period) == 0)
        (void)ibc_key_delivery_open(tkey, data, size, &keys);
    (void)ibc_app_open(tkey, data, size, &seq);
    for (int signed_ = 0; signed_ < 2; signed_++) {
        const uint64_t epoch = 3976214400u; /* 2026-01-01 in NTP seconds */
        if (ibc_d1_decode(data, size, epoch, signed_, &d1) != 0)
            continue;
        /* re-encoded, it decodes to the same message (T's fraction may be written another way:
         * the encoder rounds the microsecond up) */
        ibc_d1_t back;
        size_t n = ibc_d1_encode_body(&d1, epoch, signed_, again);
        if (n == 0 || n != d1.signed_len || (signed_ && n + ECCSI_SIG_BYTES > sizeof again))
            __builtin_trap();
        if (signed_)
            memcpy(again + n, d1.sig, ECCSI_SIG_BYTES);
        if (ibc_d1_decode(again, n + (signed_ ? ECCSI_SIG_BYTES : 0), epoch, signed_, &back) != 0
            || back.ts != d1.ts || back.kms != d1.kms || back.id_len != d1.id_len
            || memcmp(back.id, d1.id, d1.id_len) != 0 || memcmp(back.sed, d1.sed, SAKKE_SED_BYTES)
            || memcmp(back.nonce, d1.nonce, IBC_NONCE_BYTES)
            || memcmp(back.challenge, d1.challenge, IBC_NONCE_BYTES))
            __builtin_trap();
    }
    static uint8_t frame[2048];
    uint32_t linktype = 0;
    sg17_msg_t msg = {.id = 1, .type = "ibc.d1_auth", .payload = data, .len = size};
    size_t need = ibc_trace_frame(&msg, "device-3", "gateway-0", NULL, 0, &linktype);
    if (need > sizeof frame
        || (need && ibc_trace_frame(&msg, "device-3", "gateway-0", frame, need, &linktype) != need))
        __builtin_trap();
    return 0;
}
