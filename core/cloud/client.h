/* The account client's internal state and the calls its files share
 * (client.c: life cycle and credentials, http.c: HTTPS, api.c: the cloud's
 * endpoints, profile.c: storage). Not installed. */
#ifndef BLUETTI_CLOUD_CLIENT_H
#define BLUETTI_CLOUD_CLIENT_H

#include "bt_clock.h"

#include <bluetti/cloud.h>
#include <bluetti/error.h>

#include <stdarg.h>

#define CLOUD_APP_KEY "1783AF460D4D0615365940C9D3A"
#define CLOUD_OS_VER "31332E30"            /* hex of "13.0" */
#define CLOUD_DEVICE_ID_SEED "bluetti-c"   /* x-device-id = MD5 of this */
#define CLOUD_DEFAULT_OS "android"
#define CLOUD_DEFAULT_APP_VER "3.0.6"
#define CLOUD_DEFAULT_TIMEOUT_MS 15000
#define CLOUD_DEFAULT_TTL_S 2678400        /* 31 days, when the cloud names none */
#define CLOUD_BROKER_PORT "18760"
#define CLOUD_SKEW_MS 30000                /* one TOTP step */
#define CLOUD_DETAIL_MAX 512

/* One station, with its strings owned here and `pub` pointing at them. */
typedef struct cloud_dev {
    char *sn, *sub_sn, *model, *payload_ver, *broker;
    char *secret;                /* iotConnSecret (a secret), NULL when absent */
    int protocol_ver;
    bool online;
    bluetti_cloud_device pub;
} cloud_dev;

struct bluetti_cloud {
    /* settings */
    char *api_url, *cafile, *device_id, *os, *app_ver;
    long timeout_ms;
    /* the login */
    char *email;
    char *pw_hash, *pass_open;   /* password-equivalent secrets */
    char *token;                 /* secret */
    int64_t token_expiry;        /* Unix seconds, 0: none */
    char *uid;
    /* what the cloud told */
    cloud_dev *devs;
    size_t n_devs;
    char *iot_server;            /* x-iot-server, NULL: not seen */
    char *broker_pin;            /* "SHA256-" + 64 lower hex digits, NULL: no pin */
    bool has_offset;
    int64_t offset_ms;
    uint8_t *p12;                /* the bundle as downloaded (encrypted) */
    size_t p12_len;
    /* storage */
    char *profile_dir;
    /* scratch */
    void *curl;                  /* CURL *, reused across calls */
    char detail[CLOUD_DETAIL_MAX];
    char broker_buf[300];
};

/* Set the detail text; returns err. */
int cloud_fail(bluetti_cloud *c, int err, const char *fmt, ...) BLUETTI_PRINTF(3, 4);
/* Copy s (NULL stays NULL); false on allocation failure. */
bool cloud_dup(char **dst, const char *s);
/* Wipe and free a heap string; sets *p = NULL. */
void cloud_wipe_str(char **p);
void cloud_devs_free(bluetti_cloud *c);
/* A client with the defaults, no login (client.c). */
int cloud_alloc(bluetti_cloud **out);
/* Apply cfg's non-NULL fields; detail gets the reason on BLUETTI_E_INVAL. */
int cloud_apply_config(bluetti_cloud *c, const bluetti_cloud_config *cfg, char *detail,
                       size_t cap);

/* ---- http.c ---- */

typedef struct cloud_response {
    long status;
    uint8_t *body;               /* NUL-terminated (not counted in len); wiped on free */
    size_t len;
    char *content_type;
    char *x_signature;           /* response headers we read (NULL: absent) */
    char *x_iot_server;
    int64_t sent_ms, done_ms;    /* local clock around the request */
} cloud_response;

void cloud_response_free(cloud_response *r);

/* One HTTPS request to api_url + path. headers: NULL-terminated "Name: value"
 * list (may hold secrets: wiped after use). body: NULL for GET, else POST
 * with that form body (may be ""). 0, or a negative bluetti_err with the
 * detail set (connection, TLS, timeout). Any HTTP status is 0 here. */
int cloud_http(bluetti_cloud *c, const char *path, const char *const *headers,
               const char *body, size_t body_len, cloud_response *r);
void cloud_http_close(bluetti_cloud *c);

/* ---- api.c ---- */

/* POST /accessToken and GET the user id with the held secrets. */
int cloud_api_login(bluetti_cloud *c);

/* The full header set of the certificate calls (plus extra, may be NULL),
 * Authorization included. An authenticated request: on "token expired"
 * (805) logs in once more and repeats. On 0, r holds the answer; json
 * (may be NULL) gets the parsed envelope's data when the body is JSON
 * with code 0 (a new reference: json_decref). Non-JSON bodies are left to
 * the caller when allow_binary, else an error. */
struct json_t;
/* Point each device's pub at its strings (after the array stopped moving). */
void cloud_devs_link(bluetti_cloud *c);
int cloud_api_call(bluetti_cloud *c, const char *path, bool post, const char *extra_header,
                   bool allow_binary, cloud_response *r, struct json_t **data);

/* ---- profile.c ---- */

/* Write data to dir/name atomically, mode 0600. 0 or BLUETTI_E_IO (detail). */
int cloud_write_atomic(bluetti_cloud *c, const char *dir, const char *name, const void *data,
                       size_t len);

#endif
