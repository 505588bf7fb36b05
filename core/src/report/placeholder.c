/* placeholder so the part builds */
typedef int sg17_report_placeholder_t;
