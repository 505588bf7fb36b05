/* fuzz_image.c — the image format inspector on arbitrary containers: a verdict for every input,
 * every field it returns inside the input, and IMAGE_OK only for a container with no backing
 * reference or one naming a layer inside it. */
#include <stdint.h>
#include <string.h>

#include "proto/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    image_header_t h;
    image_verdict_t v = image_inspect(data, size);
    int parsed = image_parse(data, size, &h);
    if ((v == IMAGE_MALFORMED) != (parsed != 0))
        __builtin_trap();
    if (parsed == 0) {
        if (h.data < data + IMAGE_HEADER_BYTES || h.data + h.data_len > data + size)
            __builtin_trap();
        if (h.backing
            && (h.backing < data + IMAGE_HEADER_BYTES || h.backing + h.backing_len > data + size))
            __builtin_trap();
        if (v == IMAGE_OK && h.backing && (h.backing_len < 7 || memcmp(h.backing, "layer:", 6)))
            __builtin_trap();
    }
    return 0;
}
