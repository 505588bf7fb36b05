/* placeholder so the part builds */
typedef int sg17_scenario_placeholder_t;
