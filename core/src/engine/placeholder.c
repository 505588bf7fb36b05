/* placeholder so the part builds */
typedef int sg17_engine_placeholder_t;
