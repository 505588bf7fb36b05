/* adversary.h — the network adversary of one run: the scenario's rule actions (observe, capture,
 * drop, delay, modify), applied to every message an entity sends while the rule is active, and
 * the named captures that replay and module attacks use. The adversary sits where the network is:
 * it sees what a wire would carry (claimed source, destination, type, payload) and nothing else. */
#ifndef SG17_ENGINE_ADVERSARY_H
#define SG17_ENGINE_ADVERSARY_H

#include <stdbool.h>

#include "engine/world.h"
#include "envelope.pb-c.h"
#include "scenario/scenario.h"
#include "util/metrics.h"
#include "util/rng.h"

typedef struct sg17_adversary sg17_adversary_t;

typedef struct {
    bool drop;
    sg17_time_t delay;
    bool modified; /* env->payload was replaced by the modify rule */
} sg17_verdict_on_send_t;

sg17_adversary_t *sg17_adversary_new(const sg17_scenario_t *s, const sg17_world_t *world);
void sg17_adversary_destroy(sg17_adversary_t **self_p);

/* Applies the active rules to a message sent at time t; may replace env->payload (modify).
 * Updates adversary.* metrics. */
sg17_verdict_on_send_t sg17_adversary_on_send(sg17_adversary_t *self, Sg17__Envelope *env,
                                              sg17_time_t t, sg17_rng_t *rng, sg17_metrics_t *m);

/* A multicast transmission (one send to n receivers, env->dst the first): the rules that hear
 * (observe, capture) see it once, and match.dst matches when it names any receiver (a capture
 * keeps the copy toward the first receiver it names). */
void sg17_adversary_on_multicast(sg17_adversary_t *self, const Sg17__Envelope *env,
                                 const sg17_entity_t *receivers, size_t n, sg17_time_t t,
                                 sg17_metrics_t *m);
/* One receiver's copy of a multicast (env->dst that receiver): the rules that act on a link
 * (drop, delay, modify), so a drop matching one dst jams that receiver alone. */
sg17_verdict_on_send_t sg17_adversary_on_receiver(sg17_adversary_t *self, Sg17__Envelope *env,
                                                  sg17_time_t t, sg17_rng_t *rng,
                                                  sg17_metrics_t *m);

/* The envelopes captured under `name` so far (borrowed). */
Sg17__Envelope *const *sg17_adversary_captured(const sg17_adversary_t *self, const char *name,
                                               size_t *n);

/* A deep copy of an envelope (payload and type duplicated); free with sg17_envelope_free. */
Sg17__Envelope *sg17_envelope_copy(const Sg17__Envelope *env);
Sg17__Envelope *sg17_envelope_make(sg17_entity_t src, sg17_entity_t dst, const char *type,
                                   const uint8_t *payload, size_t len, sg17_time_t sent_at);
void sg17_envelope_free(Sg17__Envelope *env);

#endif
