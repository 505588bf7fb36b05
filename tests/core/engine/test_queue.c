/* test_queue.c — the scheduler's event queue pops in (time, seq) order whatever the interleaving
 * of pushes and pops, with many equal times (every heap level and partial child group). */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "engine/queue.h"

Test(queue, interleaved_pushes_and_pops_come_out_in_time_then_seq_order)
{
    sg17_queue_t q = {0};
    uint64_t rng = 12345, seq = 0, now = 0;
    size_t popped = 0, pushed = 0;
    for (int round = 0; round < 20000; round++) {
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned r = (unsigned)(rng >> 33);
        if (r % 3 || q.n == 0) { /* push: never before the last popped time, as the scheduler */
            sg17_event_t ev = {.time = now + r % 50, .seq = ++seq, .tag = r};
            cr_assert_eq(sg17_queue_push(&q, &ev), 0);
            pushed++;
            continue;
        }
        const sg17_event_t *top = sg17_queue_peek(&q);
        sg17_event_t want = *top, ev;
        /* the peeked event is the minimum of everything queued */
        for (size_t i = 0; i < q.n; i++)
            cr_assert(want.time < q.heap[i].time
                      || (want.time == q.heap[i].time && want.seq <= q.heap[i].seq));
        cr_assert_eq(sg17_queue_pop(&q, &ev), 0);
        cr_assert_eq(ev.seq, want.seq);
        cr_assert_eq(ev.tag, want.tag);
        cr_assert_geq(ev.time, now);
        now = ev.time;
        popped++;
    }
    sg17_event_t prev = {0}, ev;
    bool first = true;
    while (sg17_queue_pop(&q, &ev) == 0) {
        cr_assert(first || prev.time < ev.time || (prev.time == ev.time && prev.seq < ev.seq));
        first = false;
        prev = ev;
        popped++;
    }
    cr_assert_eq(popped, pushed);
    cr_assert_null(sg17_queue_peek(&q));
    cr_assert_eq(sg17_queue_pop(&q, &ev), -1);
    sg17_queue_clear(&q, NULL);
}
