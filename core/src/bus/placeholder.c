/* placeholder so the part builds */
typedef int sg17_bus_placeholder_t;
