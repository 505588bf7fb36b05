/* sg17tb/module.h — the module SDK: the whole contract between the sg17tb core and a module.
 *
 * A module is a shared object that exports one symbol, `sg17_module` (SG17_MODULE_SYMBOL), of type
 * `sg17_module_t`: a descriptor that lists what the module simulates (entity kinds, configuration
 * keys, mitigations, attack primitives, metrics, rejection reasons, message types) and the
 * callbacks the core calls on the virtual clock. A module never calls into the core directly: every
 * service (sending a message, arming a timer, reporting what an entity did with a message, metrics,
 * the seeded random stream) goes through the function table behind `sg17_ctx_t`, so a module builds
 * out of tree with nothing but this header (`pkg-config --cflags sg17tb-module`).
 *
 * Threading: all callbacks of one instance are called from one thread, one at a time.
 * Ownership: every pointer the core passes to a callback is borrowed for the duration of the call.
 */
#ifndef SG17TB_MODULE_H
#define SG17TB_MODULE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Versioning (the Redis-module pattern). The major version changes when a slot changes meaning or
 * moves: the loader refuses a module built for another major. Every versioned table (the
 * descriptor, the service table) starts with its major and its size as the module or the core was
 * built: a slot added at the END of a table bumps only the minor version, a module built against an
 * older minor still loads (the core treats its missing slots as NULL), and a module checks for a
 * newer service with SG17_API_HAS before calling it. */
#define SG17_MODULE_ABI_MAJOR 2
#define SG17_MODULE_ABI_MINOR 3
#define SG17_MODULE_SYMBOL    "sg17_module"

/* Virtual time, in microseconds since the start of the scenario. */
typedef uint64_t sg17_time_t;
#define SG17_USEC ((sg17_time_t)1)
#define SG17_MSEC ((sg17_time_t)1000)
#define SG17_SEC  ((sg17_time_t)1000000)
#define SG17_MIN  (60 * SG17_SEC)
#define SG17_HOUR (60 * SG17_MIN)

/* An entity of the scenario (a meter, a vehicle, a KMS). Its bus address is
 * "<module>/<kind>-<index>", e.g. "metering/meter-17". */
typedef uint32_t sg17_entity_t;
#define SG17_NO_ENTITY ((sg17_entity_t)UINT32_MAX)

/* The type of a configuration key or attack parameter, and the C type of the field it binds to. */
typedef enum {
    SG17_TYPE_INT = 1,  /* 64-bit signed integer                           -> int64_t     */
    SG17_TYPE_NUMBER,   /* double                                          -> double      */
    SG17_TYPE_BOOL,     /* true / false                                    -> bool        */
    SG17_TYPE_STRING,   /* any string                                      -> const char *  */
    SG17_TYPE_DURATION, /* "15min", "2s", "250ms", "6h", "1d" or seconds   -> sg17_time_t */
    SG17_TYPE_HEX,      /* a non-empty even-length hex string              -> sg17_bytes_t */
    SG17_TYPE_ENTITY,   /* an entity name "<kind>-<index>" of this scenario -> sg17_entity_t */
    SG17_TYPE_COUNT,    /* a whole number 0 .. SG17_COUNT_MAX              -> uint64_t    */
} sg17_type_t;

#define SG17_COUNT_MAX 1000000000LL

/* The value of a SG17_TYPE_HEX field: bytes owned by the core, valid for the whole run. */
typedef struct {
    const uint8_t *data;
    size_t len;
} sg17_bytes_t;

typedef struct sg17_ctx sg17_ctx_t;
typedef struct sg17_params sg17_params_t;

/* A message as a receiving entity sees it: what a real receiver would see, nothing more (the
 * provenance recorded in the ledger is never visible here). */
typedef struct {
    uint64_t id;               /* broker-assigned message id */
    sg17_entity_t dst;         /* the receiving entity */
    sg17_entity_t claimed_src; /* the source the envelope claims (forgeable) */
    const char *type;          /* module message type, "metering.reading" */
    const uint8_t *payload;    /* the module's own wire encoding */
    size_t len;
    sg17_time_t sent_at; /* send time claimed in the envelope */
} sg17_msg_t;

/* An entity kind and its handlers: the host dispatches by the kind of the entity, so a module never
 * switches on kind names. A kind whose on_message is NULL receives nothing: the host rejects a
 * message delivered to it with the core's reason "no_receiver". */
typedef struct {
    const char *name;        /* "meter" */
    const char *description; /* one line */
    unsigned default_count;  /* used when the scenario's topology does not name the kind */
    unsigned min_count;      /* lower bound accepted by validation (a run needs one hes: 1) */
    unsigned max_count;      /* upper bound accepted by validation (0 = 1 000 000) */
    /* A message was delivered to msg->dst, an entity of this kind. Call sg17_report() (or
     * sg17_accept/sg17_reject) once with what the entity did with it. */
    void (*on_message)(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *msg);
    /* A timer armed with sg17_timer() for entity e, of this kind, fired. */
    void (*on_timer)(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag);
} sg17_entity_kind_t;

/* Bounds of a numeric value (INT, NUMBER, COUNT; DURATION in seconds). max <= min: the type's own
 * bounds only. Validation enforces them with file:line:col. */
typedef struct {
    double min, max;
} sg17_range_t;

/* A configuration key. The core validates the scenario's value (or the default), converts it and
 * stores it at `offset` in the module's config struct (sg17_module_t.config_size bytes) before
 * create(); the field's C type is the one sg17_type_t names. */
typedef struct {
    const char *name;          /* "reading_interval" */
    sg17_type_t type;          /* how the scenario value is checked */
    const char *default_value; /* as a scenario would write it: "15min", "0", "true" */
    const char *description;
    size_t offset;      /* offsetof(<module config struct>, field) */
    sg17_range_t range; /* accepted values; {0, 0} = the type's own */
} sg17_config_key_t;

/* A mitigation switch: the core stores its state (on in the protected run when under test, else
 * default_on) in the bool at `offset` of the module's config struct. */
typedef struct {
    const char *name;                /* "invocation_counter" */
    const char *description;         /* what "on" does, and what the insecure "off" is */
    const char *const *requirements; /* NULL-terminated requirement ids it implements */
    bool default_on;                 /* state when a scenario does not put it under test */
    size_t offset;                   /* offsetof(<module config struct>, bool field) */
} sg17_mitigation_t;

typedef struct {
    const char *name; /* "factor" */
    sg17_type_t type;
    bool required;
    const char *description;
    /* Accepted values. Every COUNT parameter declares a max (the loader refuses one that does
     * not): an attack must not be able to schedule unbounded work. */
    sg17_range_t range;
} sg17_param_t;

typedef struct {
    const char *name;           /* the action key in a scenario: "false_data" */
    const char *description;    /* what the attacker does */
    const char *capability;     /* capability the scenario must grant; NULL = the attack's name */
    const sg17_param_t *params; /* terminated by an entry with name == NULL; NULL = none */
    /* Carries out the action at the current virtual time: 0 done, -1 failed (after sg17_log, whose
     * last line becomes the run's error). */
    int (*run)(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p);
} sg17_attack_t;

/* A metric the module defines. Names are dotted ("mdm.alarms"); a name ending in ".*" declares a
 * family whose members the module names at run time ("hes.readings.*"). */
typedef struct {
    const char *name;
    const char *description;
    /* For a family: its members are entity names of this kind ("device" -> "x.device-3"), and a
     * scenario condition naming a member outside the topology is refused. NULL: free names. */
    const char *member_kind;
} sg17_metric_t;

/* A reason an entity gives when it rejects a message; becomes ledger.rejected.reason.<name>. */
typedef struct {
    const char *name; /* "replay" */
    const char *description;
} sg17_reason_t;

/* Minor 3. The closed value set of a STRING config key or attack parameter: a scenario value
 * outside it is refused by `sg17tb validate` at its file:line:col with the accepted spellings (and
 * by `run
 * --backend`), so that a typo never reaches create() or an attack's run handler. The loader checks
 * that `name` is a STRING key or parameter of the module and that a key's default is one of the
 * values. */
typedef struct {
    const char *name; /* a config key ("backend") or "<attack>.<parameter>" ("noisy.load") */
    const char *const *values; /* NULL-terminated: {"sim", "linux", NULL} */
} sg17_choice_t;

/* A protocol/crypto command-line tool: `sg17tb <module> <name> ARGS...`. argv[0] is the tool's
 * name. It writes results to out and diagnostics to err (never stdout/stderr directly, so tests
 * and the core can capture them) and returns the process exit code. See sg17tb/tool.h. */
typedef struct {
    const char *name;
    const char *usage;
    int (*run)(int argc, char **argv, FILE *out, FILE *err);
} sg17_tool_t;

/* The host's services. Use the sg17_* inline wrappers below rather than the table. */
typedef struct sg17_api {
    uint32_t abi_major; /* SG17_MODULE_ABI_MAJOR of the core */
    uint32_t size;      /* sizeof(sg17_api_t) in the core: see SG17_API_HAS */
    sg17_time_t (*now)(sg17_ctx_t *ctx);
    uint64_t (*rand_u64)(sg17_ctx_t *ctx);
    /* topology */
    unsigned (*count)(sg17_ctx_t *ctx, const char *kind);
    sg17_entity_t (*entity)(sg17_ctx_t *ctx, const char *kind, unsigned index);
    const char *(*entity_name)(sg17_ctx_t *ctx, sg17_entity_t e); /* "meter-3" */
    const char *(*entity_kind)(sg17_ctx_t *ctx, sg17_entity_t e);
    unsigned (*entity_index)(sg17_ctx_t *ctx, sg17_entity_t e);
    /* traffic */
    int (*send)(sg17_ctx_t *ctx, sg17_entity_t src, sg17_entity_t dst, const char *type,
                const void *payload, size_t len);
    /* One send to n receivers (a radio neighbourhood, an L2 broadcast domain): the broker fans it
     * out; the ledger records one send and one delivery per receiver; the adversary sees the send
     * once and may act per receiver. */
    int (*send_many)(sg17_ctx_t *ctx, sg17_entity_t src, const sg17_entity_t *dsts, size_t n,
                     const char *type, const void *payload, size_t len);
    int (*timer)(sg17_ctx_t *ctx, sg17_entity_t e, sg17_time_t delay, uint64_t tag);
    void (*report)(sg17_ctx_t *ctx, const sg17_msg_t *msg, bool accepted, const char *reason);
    /* metrics */
    void (*metric_add)(sg17_ctx_t *ctx, const char *name, double delta);
    void (*metric_set)(sg17_ctx_t *ctx, const char *name, double value);
    /* adversary: only inside an attack's run() or for a compromised entity */
    int (*inject)(sg17_ctx_t *ctx, sg17_entity_t claimed_src, sg17_entity_t dst, const char *type,
                  const void *payload, size_t len);
    bool (*compromised)(sg17_ctx_t *ctx, sg17_entity_t e);
    /* attack parameters */
    /* Normalised text, NULL if the scenario did not give the parameter: an integer as decimal, a
     * number as %.17g, a bool as "true"/"false", a duration as integer microseconds, hex in lower
     * case, an entity as "kind-N". */
    const char *(*param)(const sg17_params_t *p, const char *name);
    size_t (*captured_count)(const sg17_params_t *p);
    const sg17_msg_t *(*captured)(const sg17_params_t *p, size_t i);
    /* diagnostics: never pass key material */
    void (*log)(sg17_ctx_t *ctx, const char *fmt, va_list ap);
    /* ---- minor 0 ends here; add new services below, never above ---- */
    /* Minor 1. A named text the run produced for the report (a reachability truth table, a
     * transcript): report.json keeps it in runs.<run>.artifacts.<name> and the HTML report shows
     * it. A second call with the same name replaces the text. name: 1 to 64 characters of
     * [a-z0-9_.-]; text: at most SG17_ARTIFACT_MAX octets (longer is cut). Not a judge of
     * anything: conditions read metrics only. Check with SG17_API_HAS (sg17_artifact does). */
    void (*artifact)(sg17_ctx_t *ctx, const char *name, const char *text);
    /* ---- minor 1 ends here ---- */
    /* Minor 2. This run's id: 8 lower-case hex digits, the same in every host of the run and
     * different for every run (baseline and protected, each seed) of one machine. A module names
     * what it creates outside its process with it (network namespaces, interfaces, cgroups,
     * scratch files) so that it can remove them by that id at the end and after a crash, and so
     * that two runs in parallel never collide. Check with SG17_API_HAS (sg17_run_id does). */
    const char *(*run_id)(sg17_ctx_t *ctx);
} sg17_api_t;

#define SG17_ARTIFACT_MAX (1u << 20)

/* Every context starts with the table; the host's own state follows it. */
struct sg17_ctx {
    const sg17_api_t *api;
};

/* True when the core that loaded the module provides service `slot`. */
#define SG17_API_HAS(ctx, slot)                                                \
    ((ctx)->api->size >= offsetof(sg17_api_t, slot) + sizeof((ctx)->api->slot) \
     && (ctx)->api->slot != NULL)

/* The descriptor: one struct literal per module, read top to bottom as its table of contents. */
typedef struct sg17_module {
    uint32_t abi_major;         /* SG17_MODULE_ABI_MAJOR (use SG17_MODULE_HEADER) */
    uint32_t size;              /* sizeof(sg17_module_t) as the module was built */
    const char *name;           /* "metering": the module's bus prefix and CLI name */
    const char *recommendation; /* "X.1332" */
    const char *title;          /* one line */
    const char *version;        /* the module's own version */
    const char *catalogue;      /* requirement catalogue file name, "requirements.yaml" */

    const sg17_entity_kind_t *entity_kinds; /* each table ends with a {NULL} entry */
    const sg17_config_key_t *config;
    const sg17_mitigation_t *mitigations;
    const sg17_attack_t *attacks;
    const sg17_metric_t *metrics;
    const sg17_reason_t *reasons;
    const char *const *message_types; /* NULL-terminated */
    const sg17_tool_t *tools;

    /* sizeof the module's config struct: every config key and mitigation binds to a field of it
     * (the loader checks each offset fits). */
    size_t config_size;

    /* Builds one instance with all its entities from the filled config struct (borrowed for the
     * call: copy what you keep); NULL (after sg17_log) on failure. */
    void *(*create)(sg17_ctx_t *ctx, const void *config);
    /* Frees the instance (cleanse key material first). */
    void (*destroy)(void *instance);
    /* Time 0: arm the first timers, send the first messages. */
    void (*start)(void *instance, sg17_ctx_t *ctx);
    /* Entity e was handed to the adversary; later sends from e are from_compromised. May be NULL.
     */
    void (*on_compromise)(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, const sg17_params_t *p);
    /* End of the run: set the final metrics (accuracies, rates). May be NULL. */
    void (*finish)(void *instance, sg17_ctx_t *ctx);
    /* ---- minor 0 ends here; add new slots below, never above ---- */

    /* Minor 1. `sg17tb run --trace`: writes msg as the packet the real protocol would put on the
     * wire (Ethernet + GeoNetworking for V2X, the DLMS wrapper over TCP for metering, ...) so that
     * Wireshark's own dissectors decode it. src_name and dst_name are the entity names ("meter-3")
     * of the claimed source and the receiver. Writes at most cap bytes to buf, sets *linktype to
     * the pcapng link type (1 = Ethernet, 101 = raw IP, 252 = exported PDU) and returns the
     * frame's full length: when that is more than cap, the core calls again with a buffer that
     * big. 0 = no framing for this message (the core writes its generic exported PDU). Pure: no
     * instance, no context, called from the core's process. May be NULL. */
    size_t (*trace_frame)(const sg17_msg_t *msg, const char *src_name, const char *dst_name,
                          uint8_t *buf, size_t cap, uint32_t *linktype);

    /* Minor 3. The closed value sets of STRING keys and parameters (sg17_choice_t), ending with a
     * {NULL} entry. May be NULL: every STRING value is open. */
    const sg17_choice_t *choices;
} sg17_module_t;

/* The first two slots of every descriptor: `.abi_major`, `.size`. */
#define SG17_MODULE_HEADER .abi_major = SG17_MODULE_ABI_MAJOR, .size = sizeof(sg17_module_t)

/* The whole descriptor of a module laid out as docs/module-sdk.md ("Module layout") says, in one
 * statement. Its module.c defines the static tables entity_kinds, config_keys, mitigations,
 * attacks, metrics, reasons and message_types, the functions <prefix>_create, <prefix>_destroy and
 * <prefix>_start and the config struct config_type; its name is the prefix and its catalogue
 * requirements.yaml. The optional slots (tools, on_compromise, finish, trace_frame, choices) follow
 * as designated initializers, at least one: SG17_MODULE_DEFINE(ibc, ibc_config_t, "X.1365",
 * "Identity-based cryptography for IoT", "0.3.0", .tools = ibc_tools, .on_compromise =
 * on_compromise); A module laid out otherwise writes the literal itself, starting with
 * SG17_MODULE_HEADER. */
#define SG17_MODULE_DEFINE(prefix, config_type, rec, title_, version_, ...) \
    const sg17_module_t sg17_module = {SG17_MODULE_HEADER,                  \
                                       .name = #prefix,                     \
                                       .recommendation = (rec),             \
                                       .title = (title_),                   \
                                       .version = (version_),               \
                                       .catalogue = "requirements.yaml",    \
                                       .entity_kinds = entity_kinds,        \
                                       .config = config_keys,               \
                                       .mitigations = mitigations,          \
                                       .attacks = attacks,                  \
                                       .metrics = metrics,                  \
                                       .reasons = reasons,                  \
                                       .message_types = message_types,      \
                                       .config_size = sizeof(config_type),  \
                                       .create = prefix##_create,           \
                                       .destroy = prefix##_destroy,         \
                                       .start = prefix##_start,             \
                                       __VA_ARGS__}

/* Thin dispatch. The descriptor's handlers take the instance as `void *`; a module's simulation
 * takes its own instance type. Each macro defines a static handler `name` that hands its
 * arguments on to the typed function `fn` (write a semicolon after it):
 *     SG17_ON_MESSAGE(vtep_on_message, naas_vtep_on_message);
 *     SG17_ON_TIMER(vm_on_timer, iaas_vm_on_timer);
 *     SG17_ATTACK_RUN(run_ssrf, iaas_attack_ssrf);
 * A handler that does more than pass its arguments on is written out. */
#define SG17_ON_MESSAGE(name, fn)                                            \
    static void name(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *msg) \
    {                                                                        \
        fn(instance, ctx, msg);                                              \
    }                                                                        \
    _Static_assert(1, #name)
#define SG17_ON_TIMER(name, fn)                                                      \
    static void name(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag) \
    {                                                                                \
        fn(instance, ctx, e, tag);                                                   \
    }                                                                                \
    _Static_assert(1, #name)
#define SG17_ATTACK_RUN(name, fn)                                            \
    static int name(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p) \
    {                                                                        \
        return fn(instance, ctx, p);                                         \
    }                                                                        \
    _Static_assert(1, #name)

/* ---- convenience wrappers ---- */

static inline sg17_time_t sg17_now(sg17_ctx_t *c)
{
    return c->api->now(c);
}
static inline uint64_t sg17_rand_u64(sg17_ctx_t *c)
{
    return c->api->rand_u64(c);
}
/* n bytes of the run's seeded stream (deterministic: never use it for real key material outside a
 * simulation). */
static inline void sg17_rand_bytes(sg17_ctx_t *c, void *buf, size_t n)
{
    uint8_t *p = (uint8_t *)buf;
    while (n > 0) {
        uint64_t r = c->api->rand_u64(c);
        size_t k = n < 8 ? n : 8;
        memcpy(p, &r, k);
        p += k;
        n -= k;
    }
}
/* Uniform double in [0, 1). */
static inline double sg17_rand_double(sg17_ctx_t *c)
{
    return (double)(c->api->rand_u64(c) >> 11) * (1.0 / 9007199254740992.0);
}
static inline unsigned sg17_count(sg17_ctx_t *c, const char *kind)
{
    return c->api->count(c, kind);
}
static inline sg17_entity_t sg17_entity(sg17_ctx_t *c, const char *kind, unsigned i)
{
    return c->api->entity(c, kind, i);
}
static inline const char *sg17_entity_name(sg17_ctx_t *c, sg17_entity_t e)
{
    return c->api->entity_name(c, e);
}
static inline const char *sg17_entity_kind(sg17_ctx_t *c, sg17_entity_t e)
{
    return c->api->entity_kind(c, e);
}
static inline unsigned sg17_entity_index(sg17_ctx_t *c, sg17_entity_t e)
{
    return c->api->entity_index(c, e);
}
static inline int sg17_send(sg17_ctx_t *c, sg17_entity_t src, sg17_entity_t dst, const char *type,
                            const void *payload, size_t len)
{
    return c->api->send(c, src, dst, type, payload, len);
}
static inline int sg17_send_many(sg17_ctx_t *c, sg17_entity_t src, const sg17_entity_t *dsts,
                                 size_t n, const char *type, const void *payload, size_t len)
{
    return c->api->send_many(c, src, dsts, n, type, payload, len);
}
static inline int sg17_timer(sg17_ctx_t *c, sg17_entity_t e, sg17_time_t delay, uint64_t tag)
{
    return c->api->timer(c, e, delay, tag);
}
static inline void sg17_report(sg17_ctx_t *c, const sg17_msg_t *m, bool accepted,
                               const char *reason)
{
    c->api->report(c, m, accepted, reason);
}
static inline void sg17_accept(sg17_ctx_t *c, const sg17_msg_t *m)
{
    c->api->report(c, m, true, NULL);
}
static inline void sg17_reject(sg17_ctx_t *c, const sg17_msg_t *m, const char *reason)
{
    c->api->report(c, m, false, reason);
}
static inline void sg17_metric_add(sg17_ctx_t *c, const char *name, double d)
{
    c->api->metric_add(c, name, d);
}
static inline void sg17_metric_set(sg17_ctx_t *c, const char *name, double v)
{
    c->api->metric_set(c, name, v);
}
static inline int sg17_inject(sg17_ctx_t *c, sg17_entity_t claimed_src, sg17_entity_t dst,
                              const char *type, const void *payload, size_t len)
{
    return c->api->inject(c, claimed_src, dst, type, payload, len);
}
static inline bool sg17_compromised(sg17_ctx_t *c, sg17_entity_t e)
{
    return c->api->compromised(c, e);
}
static inline const char *sg17_param(sg17_ctx_t *c, const sg17_params_t *p, const char *name)
{
    return c->api->param(p, name);
}
/* A numeric parameter (int, number, duration in microseconds) or dflt when absent. */
static inline double sg17_param_number(sg17_ctx_t *c, const sg17_params_t *p, const char *name,
                                       double dflt)
{
    const char *v = c->api->param(p, name);
    return v ? strtod(v, NULL) : dflt;
}
static inline size_t sg17_captured_count(sg17_ctx_t *c, const sg17_params_t *p)
{
    return c->api->captured_count(p);
}
static inline const sg17_msg_t *sg17_captured(sg17_ctx_t *c, const sg17_params_t *p, size_t i)
{
    return c->api->captured(p, i);
}
/* Hands the report a named text (minor 1); does nothing on a core without the service. */
static inline void sg17_artifact(sg17_ctx_t *c, const char *name, const char *text)
{
    if (c->api->size >= offsetof(sg17_api_t, artifact) + sizeof(c->api->artifact)
        && c->api->artifact != NULL)
        c->api->artifact(c, name, text);
}
/* This run's id (minor 2); on an older core, one made from the process id and the context's
 * address, which differ between the runs alive at one time. */
static inline const char *sg17_run_id(sg17_ctx_t *c)
{
    if (c->api->size >= offsetof(sg17_api_t, run_id) + sizeof(c->api->run_id)
        && c->api->run_id != NULL)
        return c->api->run_id(c);
    static __thread char fallback[9];
    snprintf(fallback, sizeof fallback, "%08x", (unsigned)getpid() ^ (unsigned)((uintptr_t)c >> 4));
    return fallback;
}
__attribute__((format(printf, 2, 3))) static inline void sg17_log(sg17_ctx_t *c, const char *fmt,
                                                                  ...)
{
    va_list ap;
    va_start(ap, fmt);
    c->api->log(c, fmt, ap);
    va_end(ap);
}

#ifdef __cplusplus
}
#endif
#endif
