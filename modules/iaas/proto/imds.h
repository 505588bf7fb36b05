/* imds.h — the instance metadata service's request and response, and the user-data script the
 * guest runs at boot.
 *
 * A request is the IP TTL it arrived with (one octet: 64 from the guest itself, one less per
 * forwarding hop) followed by an HTTP/1.1 request without a body:
 *   PUT /latest/api/token                              -> a session token (IMDSv2)
 *   GET /latest/meta-data/instance-id | /latest/meta-data/iam/security-credentials/role |
 *       /latest/user-data
 * Headers understood: X-aws-ec2-metadata-token (32 hex), X-aws-ec2-metadata-token-ttl-seconds,
 * X-Instance-ID (OpenStack's, set by the metadata proxy and forgeable from a guest when trusted:
 * CVE-2013-6419), User-Agent (carries an attacker's correlation id). A response is the hop limit
 * the service sets as its IP TTL, a status and a body. */
#ifndef IAAS_PROTO_IMDS_H
#define IAAS_PROTO_IMDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMDS_TOKEN_BYTES  16
#define IMDS_REQUEST_MAX  1024
#define IMDS_BODY_MAX     1024
#define IMDS_RESPONSE_MAX (1 + 2 + 2 + IMDS_BODY_MAX)
#define IMDS_UA_MAX       64
#define IMDS_INSTANCE_MAX 32
#define IMDS_TTL_DEFAULT  64

typedef enum {
    IMDS_PATH_TOKEN = 1,
    IMDS_PATH_INSTANCE_ID,
    IMDS_PATH_CREDENTIALS,
    IMDS_PATH_USER_DATA,
} imds_path_t;

typedef struct {
    uint8_t ttl; /* IP TTL at arrival */
    bool put;
    imds_path_t path;
    bool has_token;
    uint8_t token[IMDS_TOKEN_BYTES];
    uint32_t token_ttl_s;                    /* PUT: requested lifetime, 0 if absent */
    char instance_id[IMDS_INSTANCE_MAX + 1]; /* "" if absent */
    char user_agent[IMDS_UA_MAX + 1];        /* "" if absent */
} imds_request_t;

/* Strict parser: method and path from the table above, CRLF line ends, at most 8 known headers
 * each once, an empty line at the end and nothing after it. 0, or -1 with *why set. */
int imds_request_parse(const uint8_t *buf, size_t len, imds_request_t *rq, const char **why);
/* Writes a request (token NULL: no token header; instance_id / user_agent NULL: absent). */
int imds_request_build(uint8_t ttl, bool put, imds_path_t path, const uint8_t *token,
                       uint32_t token_ttl_s, const char *instance_id, const char *user_agent,
                       uint8_t *out, size_t cap, size_t *len);

typedef struct {
    uint8_t ttl; /* the hop limit the service set */
    uint16_t status;
    const uint8_t *body;
    uint16_t len;
} imds_response_t;

int imds_response_encode(const imds_response_t *rs, uint8_t *out, size_t cap, size_t *len);
int imds_response_decode(const uint8_t *buf, size_t len, imds_response_t *rs);

/* User data: lines of "<verb> <args>" run by the guest's init at boot. Verbs: "secret <hex>"
 * (a value the guest keeps), "post outside-<n> disk" (send the start of the boot disk to an
 * outside host). Returns the number of post commands found and the first target in *post_to, or
 * -1 for a malformed script. */
#define USERDATA_MAX 1024
int userdata_parse(const uint8_t *buf, size_t len, unsigned *post_to);

#endif
