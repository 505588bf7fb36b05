/* fuzz_envelope.c — the broker's frame decoder on arbitrary bytes: every input is either a frame
 * or malformed, never a crash; an accepted frame is re-packed and decoded again. (A re-packed
 * frame may legitimately be refused: protobuf merges repeated sub-messages, so the checks can see
 * a different message the second time.) */
#include <stdint.h>
#include <stdlib.h>

#include "bus/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sg17_frame_t *f = sg17_frame_decode(data, size);
    if (!f)
        return 0;
    size_t len = sg17__frame__get_packed_size(f);
    uint8_t *buf = malloc(len ? len : 1);
    if (buf) {
        sg17__frame__pack(f, buf);
        sg17_frame_t *again = sg17_frame_decode(buf, len);
        sg17_frame_free(&again);
        free(buf);
    }
    sg17_frame_free(&f);
    return 0;
}
