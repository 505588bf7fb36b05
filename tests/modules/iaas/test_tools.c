/* test_tools.c — `sg17tb iaas <tool>` through each tool's run(): the inspector's verdicts and exit
 * codes, image signatures made and checked, the metadata parser and the API decoder. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "proto/image.h"
#include "tools.h"

static int run(const char *name, char **argv, int argc, char *out, size_t cap)
{
    for (const sg17_tool_t *t = iaas_tools; t->name; t++)
        if (strcmp(t->name, name) == 0) {
            FILE *o = tmpfile(), *e = tmpfile();
            int rc = t->run(argc, argv, o, e);
            rewind(o);
            size_t n = fread(out, 1, cap - 1, o);
            out[n] = 0;
            fclose(o);
            fclose(e);
            return rc;
        }
    cr_assert_fail("no tool %s", name);
    return -1;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

Test(tools, inspect_image_refuses_a_host_backing_file)
{
    uint8_t img[IMAGE_MAX_BYTES], data[8] = "BOOT";
    size_t len = 0;
    char h[2 * IMAGE_MAX_BYTES + 1], out[512];
    cr_assert_eq(image_build(data, sizeof data, "/etc/shadow", img, sizeof img, &len), 0);
    hex(img, len, h);
    char *argv[] = {"inspect-image", "--image", h, NULL};
    cr_assert_eq(run("inspect-image", argv, 3, out, sizeof out), 1);
    cr_assert(strstr(out, "VERDICT=backing-outside") && strstr(out, "BACKING=/etc/shadow"), "%s",
              out);
    cr_assert_eq(image_build(data, sizeof data, "layer:2", img, sizeof img, &len), 0);
    hex(img, len, h);
    cr_assert_eq(run("inspect-image", argv, 3, out, sizeof out), 0);
    char bad[] = "zz";
    argv[2] = bad;
    cr_assert_eq(run("inspect-image", argv, 3, out, sizeof out), 2);
}

Test(tools, sign_then_verify_image)
{
    char priv[] = "0000000000000000000000000000000000000000000000000000000000000007";
    char img[] = "53475149", out[1024], pub[131], sig[129];
    char *a[] = {"sign-image", "--priv", priv, "--image", img, NULL};
    cr_assert_eq(run("sign-image", a, 5, out, sizeof out), 0);
    cr_assert_eq(sscanf(out, "PUB=%130s\nSIG=%128s", pub, sig), 2, "%s", out);
    char *v[] = {"verify-image", "--pub", pub, "--sig", sig, "--image", img, NULL};
    cr_assert_eq(run("verify-image", v, 7, out, sizeof out), 0);
    char other[] = "53475150";
    v[6] = other;
    cr_assert_eq(run("verify-image", v, 7, out, sizeof out), 1);
}

Test(tools, imds_parse_says_why)
{
    const char *req = "\x40GET /latest/user-data HTTP/1.1\r\nX-Foo: 1\r\n\r\n";
    char h[512], out[512];
    hex((const uint8_t *)req, strlen(req), h);
    char *a[] = {"imds-parse", "--request", h, NULL};
    cr_assert_eq(run("imds-parse", a, 3, out, sizeof out), 1);
    cr_assert(strstr(out, "WHY=an unknown header"), "%s", out);
}
