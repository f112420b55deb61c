/* bluetti-sim --cloud: a loopback stand-in for the Bluetti cloud's HTTPS
 * API (docs/protocol/cloud.md, "Login and credentials" and "The simulated
 * cloud"). Every algorithm comes from libbluetti-cloud.
 *
 *   cloud_config.c  the JSON config: accounts, their stations, the bundle
 *   cloud_tokens.c  issued login tokens and the broker's tokens file
 *   cloud_api.c     the endpoints: one request in, one response out
 *   cloud_http.c    HTTPS on loopback: TLS, HTTP/1.1 parsing, poll() loop
 */
#ifndef BLUETTI_SIM_CLOUD_H
#define BLUETTI_SIM_CLOUD_H

#include "bt_clock.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- configuration (cloud_config.c) ---------------------------------------- */

typedef struct cloud_device {
    char *sn, *model, *sub_sn, *group;
    char *proto_ver, *payload_ver;  /* factoryProtocolVer, iotPayloadVer */
    char *conn_secret;              /* iotConnSecret, or NULL */
    char *srv_ip;                   /* iotSrvIp, or NULL */
    char *device_secret;            /* MQTT password of device:<subSn>, or NULL */
    bool online;
} cloud_device;

typedef struct cloud_account {
    char *email;
    char *password;                 /* plaintext, or NULL when only the hash is known */
    char pw_hash[65];               /* uppercase SHA-256 hex */
    char *uid;
    long ttl_s;
    int64_t clock_offset_ms;        /* the cloud's clock runs this far ahead */
    bool revoked, session_taken;
    char *pfx_path;                 /* resolved against the config's directory */
    char *pfx_password;
    uint8_t *pfx;                   /* the file's bytes */
    size_t pfx_len;
    cloud_device *devs;
    size_t n_devs;
} cloud_account;

typedef struct cloud_config {
    cloud_account *accts;
    size_t n_accts;
    char *iot_server;               /* host:port for x-iot-server */
    char *tokens_file;
} cloud_config;

/* Load and check CONFIG; on failure a message naming the problem is in
 * why and 1 is returned (nothing kept). */
int cloud_config_load(const char *path, cloud_config *c, char *why, size_t why_len);
/* Wipes the secrets and frees everything (accepts a zeroed config). */
void cloud_config_free(cloud_config *c);
const cloud_account *cloud_account_find(const cloud_config *c, const char *email);

/* ---- tokens (cloud_tokens.c) ------------------------------------------------ */

#define CLOUD_PART_LEN 32           /* hex characters per token part */

typedef struct cloud_token {
    char text[3 * CLOUD_PART_LEN + 3];  /* part0.sid.sig */
    char part0[CLOUD_PART_LEN + 1], sid[CLOUD_PART_LEN + 1];
    char refresh[CLOUD_PART_LEN + 1];
    size_t acct;
    int64_t expires_ms;             /* real clock, ms since the epoch */
} cloud_token;

typedef struct cloud_tokens {
    const cloud_config *cfg;
    cloud_token *t;
    size_t n, cap;
} cloud_tokens;

/* Issue a token for account index acct: 0, or -1 (no memory, no random).
 * The tokens file is rewritten. */
int cloud_token_issue(cloud_tokens *ts, size_t acct, const cloud_token **out);
/* The live token whose text equals s, or NULL (expired ones are gone). */
const cloud_token *cloud_token_find(const cloud_tokens *ts, const char *s);
/* Drop expired tokens (rewriting the file when one went); returns the ms
 * until the next expiry, or -1 when none is pending. */
int cloud_tokens_expire(cloud_tokens *ts);
/* Rewrite the tokens file atomically (0644: the broker's user reads it). */
int cloud_tokens_write(const cloud_tokens *ts, char *why, size_t why_len);
void cloud_tokens_free(cloud_tokens *ts);

/* ---- the endpoints (cloud_api.c) -------------------------------------------- */

typedef struct http_header {
    const char *name, *value;
} http_header;

#define HTTP_MAX_HEADERS 48

typedef struct http_request {
    const char *method, *path;      /* path without the query */
    const char *query;              /* after '?', or "" */
    http_header h[HTTP_MAX_HEADERS];
    size_t n_h;
    const uint8_t *body;
    size_t body_len;
} http_request;

typedef struct http_response {
    int status;
    const char *ctype;
    char extra[768];                /* extra header lines, each ending in \r\n */
    uint8_t *body;                  /* malloc'ed */
    size_t body_len;
    long code;                      /* the JSON code, for the log; -1 for bytes */
} http_response;

/* Value of header name (case-insensitive), or NULL. */
const char *http_header_get(const http_request *r, const char *name);

/* Answer one request. Returns 0, or -1 when out of memory. */
int cloud_api_handle(cloud_tokens *ts, const http_request *r, http_response *out);
/* A JSON error response {"code":code,"message":msg} with HTTP status. */
int cloud_api_error(http_response *out, int status, long code, const char *msg);

/* ---- the server (cloud_http.c) ---------------------------------------------- */

typedef struct cloud_args {
    const char *config, *cert, *key, *ready_file;
    int port;                       /* 0: any free port */
    int verbosity;
} cloud_args;

/* Serve until SIGINT/SIGTERM. Returns the exit status. */
int cloud_run(const cloud_args *a);

#endif
