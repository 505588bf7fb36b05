/* test_html_browser.c — report.html in a real browser: headless Chromium (Debian package
 * `chromium`) loads the page offline, and the test reads the DOM it built (--dump-dom): one
 * matrix row per catalogue requirement in each module, a verdict badge in every cell where a
 * scenario lists the requirement, every in-page link resolving to an element, no resource from
 * outside the file. Chromium's own network log (--log-net-log) must show no request made by the
 * page (the browser's background traffic to its vendor is told apart by its isolation key).
 * A screenshot goes to build/artifacts/report-html.png for CI to keep. Skipped, with the
 * install command, when chromium is missing. */
#include <criterion/criterion.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report/report.h"
#include "report/report_text.h"
#include "report_fixture.h"
#include "scratch.h"

SG17_SCRATCH_SUITE(browser, "browser", .timeout = 240);

/* Runs headless Chromium on file://page with extra flags (a profile of its own, background
 * networking off, every host name unresolvable so that nothing can leave the machine).
 * Returns the exit status. */
static int chromium(const char *page, const char *flags, const char *stdout_to)
{
    char cmd[3000];
    snprintf(
        cmd, sizeof cmd,
        "timeout 120 chromium --headless --disable-gpu --no-sandbox --user-data-dir='%s/profile' "
        "--no-first-run --disable-background-networking --disable-component-update "
        "--disable-sync --disable-default-apps --disable-extensions "
        "--host-resolver-rules='MAP * ~NOTFOUND' --window-size=1280,2400 %s "
        "'file://%s' >'%s' 2>/dev/null",
        tmpdir, flags, page, stdout_to);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The requests the page made (not the browser's own): URL_REQUEST_START_JOB events of the net
 * log whose network isolation key is the file:// page, and whose URL is not file:/data:/about:.
 * Returns how many; lists them with cr_log_error when report is set. */
static size_t page_requests(const char *netlog, bool report)
{
    json_error_t jerr;
    json_t *log = json_load_file(netlog, 0, &jerr);
    cr_assert_not_null(log, "net log %s: %s", netlog, jerr.text);
    json_t *types = json_object_get(json_object_get(log, "constants"), "logEventTypes");
    json_int_t start_job = json_integer_value(json_object_get(types, "URL_REQUEST_START_JOB"));
    cr_assert_gt(start_job, 0, "the net log names its event types");
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(json_object_get(log, "events"), i, e)
    {
        if (json_integer_value(json_object_get(e, "type")) != start_job)
            continue;
        json_t *p = json_object_get(e, "params");
        const char *url = json_string_value(json_object_get(p, "url"));
        const char *nik = json_string_value(json_object_get(p, "network_isolation_key"));
        if (!url || !nik || !strstr(nik, "file://"))
            continue;
        if (strncmp(url, "file:", 5) == 0 || strncmp(url, "data:", 5) == 0
            || strncmp(url, "about:", 6) == 0)
            continue;
        if (report)
            cr_log_error("the page requested %s", url);
        n++;
    }
    json_decref(log);
    return n;
}

/* The text between `open` and the next `close` after p, as a new string, or NULL. */
static char *between(const char *p, const char *open, const char *close, const char **after)
{
    const char *a = strstr(p, open);
    if (!a)
        return NULL;
    a += strlen(open);
    const char *b = strstr(a, close);
    if (!b)
        return NULL;
    *after = b + strlen(close);
    return strndup(a, (size_t)(b - a));
}

static size_t count_in(const char *from, const char *to, const char *needle)
{
    size_t n = 0;
    for (const char *p = from; (p = strstr(p, needle)) && p < to; p += strlen(needle))
        n++;
    return n;
}

/* The requirement ids a module's catalogue lists plus those its scenarios cite, each once. */
static json_t *expected_rows(const json_t *report, const char *module)
{
    json_t *ids = json_object();
    size_t i, k;
    json_t *e, *s, *v;
    json_t *cat = json_object_get(json_object_get(report, "catalogues"), module);
    json_array_foreach(json_object_get(cat, "requirements"), i, e)
        json_object_set_new(ids, json_string_value(json_object_get(e, "id")), json_integer(0));
    json_array_foreach(json_object_get(report, "scenarios"), i, s)
    {
        if (strcmp(json_string_value(json_object_get(s, "module")), module) != 0)
            continue;
        json_array_foreach(json_object_get(s, "requirements"), k, v)
            json_object_set_new(ids, json_string_value(v), json_integer(0));
    }
    return ids;
}

/* Checks the requirement matrices of the dumped DOM against the report. */
static void check_matrices(const char *dom, const json_t *report)
{
    size_t modules = 0, badges_total = 0;
    const char *p = dom;
    while ((p = strstr(p, "<section id=\"m-"))) {
        const char *after;
        char *h2 = between(p, "<h2>", "</h2>", &after);
        cr_assert_not_null(h2);
        char *dash = strstr(h2, " — ");
        if (dash)
            *dash = '\0';
        const char *module = h2;
        const char *t = strstr(after, "<table class=\"matrix\" data-kind=\"requirements\">");
        cr_assert_not_null(t, "module %s has a requirements matrix", module);
        const char *end = strstr(t, "</table>");
        cr_assert_not_null(end);
        json_t *want = expected_rows(report, module);
        size_t rows = 0;
        const char *q = t;
        char *id;
        while ((id = between(q, "<td class=\"id\"><code>", "</code>", &q)) && q < end) {
            json_t *seen = json_object_get(want, id);
            cr_assert_not_null(seen, "module %s: row %s is not a requirement of the report", module,
                               id);
            cr_assert_eq(json_integer_value(seen), 0, "module %s: row %s appears twice", module,
                         id);
            json_object_set_new(want, id, json_integer(1));
            rows++;
            free(id);
        }
        free(id);
        cr_assert_eq(rows, json_object_size(want), "module %s: one row per requirement", module);
        /* a verdict badge, linked to the scenario's details, in every cell where a scenario
         * lists the requirement: as many as (scenario, requirement) pairs of the module */
        size_t pairs = 0, i;
        json_t *s;
        json_array_foreach(json_object_get(report, "scenarios"), i,
                           s) if (strcmp(json_string_value(json_object_get(s, "module")), module)
                                  == 0) pairs +=
            json_array_size(json_object_get(s, "requirements"));
        size_t cells = count_in(t, end, "<td class=\"cell\"><a href=\"#s-");
        size_t badges = count_in(t, end, "<span class=\"badge v-");
        cr_assert_eq(cells, pairs, "module %s: %zu linked cells, %zu pairs", module, cells, pairs);
        cr_assert_eq(badges, pairs, "module %s: one verdict badge per cell", module);
        badges_total += badges;
        json_decref(want);
        free(h2);
        modules++;
        p = end;
    }
    cr_assert_eq(modules, 2, "both modules of the report are shown");
    cr_assert_gt(badges_total, 0);
}

/* Every in-page link (href="#x") resolves to an element with id="x"; no attribute loads or
 * links anything from outside the file. */
static void check_links_and_offline(const char *dom)
{
    size_t links = 0;
    const char *p = dom;
    while ((p = strstr(p, "href=\""))) {
        p += 6;
        const char *q = strchr(p, '"');
        cr_assert_not_null(q);
        char *target = strndup(p, (size_t)(q - p));
        cr_assert(target[0] == '#', "a link leaves the page: %s", target);
        char want[300];
        snprintf(want, sizeof want, "id=\"%s\"", target + 1);
        cr_assert_not_null(strstr(dom, want), "link %s has no target", target);
        free(target);
        links++;
    }
    cr_assert_gt(links, 10, "the matrix cells and legends link to the scenario details");
    static const char *const outside[] = {"src=\"http", "src=\"//", "url(http", "url(//",
                                          "<script",    "<link",    "<iframe",  "@import"};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
        cr_assert_null(strstr(dom, outside[i]), "the page must load nothing: found %s", outside[i]);
}

Test(browser, report_html_renders_offline_in_headless_chromium)
{
    if (system("command -v chromium >/dev/null 2>&1") != 0)
        cr_skip_test("chromium missing: apt-get install chromium");
    json_t *r = fixture_report();
    sg17_report_summarize(r);
    char page[600], dom[600], netlog[600], flags[800];
    snprintf(page, sizeof page, "%s/report.html", tmpdir);
    sg17_err_t err = {{0}};
    cr_assert_eq(sg17_report_write_html(r, page, &err), 0, "%s", err.msg);
    snprintf(dom, sizeof dom, "%s/dom.html", tmpdir);
    snprintf(netlog, sizeof netlog, "%s/netlog.json", tmpdir);
    snprintf(flags, sizeof flags, "--log-net-log='%s' --dump-dom", netlog);
    cr_assert_eq(chromium(page, flags, dom), 0, "chromium --dump-dom failed");
    char *d = slurp(dom);
    cr_assert_not_null(strstr(d, "<table class=\"matrix\""), "chromium built the page's DOM");
    /* the hostile strings stay text: no element the report did not write */
    cr_assert_null(strstr(d, "<script>alert"));
    check_matrices(d, r);
    check_links_and_offline(d);
    cr_assert_eq(page_requests(netlog, true), 0, "the page made network requests");
    free(d);

    /* the screenshot, kept by CI: <build>/artifacts/report-html.png */
    char cli[512], shot[700];
    snprintf(cli, sizeof cli, "%s", SG17TB_CLI);
    char *bin = dirname(cli);
    char *build = dirname(bin);
    snprintf(shot, sizeof shot, "%s/artifacts", build);
    mkdir(shot, 0755);
    snprintf(shot, sizeof shot, "%s/artifacts/report-html.png", build);
    unlink(shot);
    snprintf(flags, sizeof flags, "--screenshot='%s'", shot);
    char out[600];
    snprintf(out, sizeof out, "%s/shot.log", tmpdir);
    cr_assert_eq(chromium(page, flags, out), 0, "chromium --screenshot failed");
    FILE *f = fopen(shot, "rb");
    cr_assert_not_null(f, "no screenshot at %s", shot);
    unsigned char sig[8];
    cr_assert_eq(fread(sig, 1, 8, f), 8);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    cr_assert_eq(memcmp(sig, "\x89PNG\r\n\x1a\n", 8), 0, "a PNG file");
    cr_assert_gt(size, 10000, "a page, not a blank image (%ld bytes)", size);
    json_decref(r);
}

Test(browser, the_offline_checks_catch_a_page_that_loads_from_outside)
{
    if (system("command -v chromium >/dev/null 2>&1") != 0)
        cr_skip_test("chromium missing: apt-get install chromium");
    char page[600], dom[600], netlog[600], flags[800];
    snprintf(page, sizeof page, "%s/leak.html", tmpdir);
    FILE *f = fopen(page, "w");
    fputs("<!doctype html><html><body><img src=\"https://example.org/x.png\">"
          "<a href=\"#nowhere\">x</a></body></html>\n",
          f);
    fclose(f);
    snprintf(dom, sizeof dom, "%s/leak-dom.html", tmpdir);
    snprintf(netlog, sizeof netlog, "%s/leak-netlog.json", tmpdir);
    snprintf(flags, sizeof flags, "--log-net-log='%s' --dump-dom", netlog);
    cr_assert_eq(chromium(page, flags, dom), 0);
    char *d = slurp(dom);
    cr_assert_not_null(strstr(d, "src=\"https://example.org/x.png\""));
    cr_assert_not_null(strstr(d, "href=\"#nowhere\""));
    cr_assert_null(strstr(d, "id=\"nowhere\""), "the dangling link is seen as dangling");
    cr_assert_geq(page_requests(netlog, false), 1, "the net log shows the page's request");
    free(d);
}
