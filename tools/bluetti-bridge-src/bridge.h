/* bluetti-bridge: every station's values on an MQTT broker (and in Home
 * Assistant), from one poll() loop. The types every part shares; each
 * part's functions are declared next to it below. docs/BRIDGE.md is the
 * user's reference. */
#ifndef BLUETTI_BRIDGE_H
#define BLUETTI_BRIDGE_H

#include <bluetti/bluetti.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BRIDGE_NAME "bluetti-bridge"
/* Exit codes: the tool's (0 ok, 1 failure, 2 usage or configuration). */
#define BR_EXIT_OK 0
#define BR_EXIT_FAIL 1
#define BR_EXIT_CONFIG 2

#define BR_ERR_MAX 1024
#define BR_MAX_BLOCKS 32     /* blocks one device polls */

/* ---- config (conf_read.c, conf.c, secret.c) -------------------------------- */

/* One `key = value` line of a section, as read. */
typedef struct br_kv {
    char *key;
    char *value;              /* wiped when freed: it may be a secret */
    int line;
} br_kv;

typedef struct br_section {
    char *kind;               /* "bridge", "target", "source", "device" */
    char *name;               /* NAME of [source NAME] / [device NAME], else NULL */
    int line;
    br_kv *kv;
    size_t n_kv;
} br_section;

/* A source: one transport and its options (checked against what the
 * transport declares). Its sessions are opened by source.c. */
typedef struct br_source {
    char *name;
    int line;
    char *transport;
    bluetti_options *opts;    /* owned; secrets stored as secrets */
    char *signature;          /* every setting in one string: a change means a new session */
    const char *model_key;    /* the transport's F_DEVICE_MODEL option, or NULL (static plugin data) */
    bool any_address;         /* BLUETTI_TRANSPORT_F_ANY_ADDRESS */
} br_source;

typedef struct br_device {
    char *name;
    int line;
    char *source;             /* name of its [source] */
    char *serial;             /* given, or the sim image's (conf.c); never NULL after load */
    char *model;              /* NULL: detected on the first read */
    double interval;          /* seconds between rounds */
    char **groups;            /* NULL: the profile's default groups */
    size_t n_groups;
    uint16_t *blocks;         /* extra blocks named with `blocks =` */
    size_t n_blocks;
    char **fields;            /* NULL: every field; else only these (state and entities) */
    size_t n_fields;
    unsigned missed_polls;    /* rounds without a reply before `offline` */
    bool control;             /* `control = yes`: writable fields get command topics */
    bool control_unverified;  /* also fields whose write real units have not confirmed */
    char *signature;          /* this section and its source's signature */
} br_device;

typedef struct br_target {
    char *broker;
    int port;
    bool tls;
    char *cafile, *certfile, *keyfile;
    bool insecure;
    char *username;
    char *password;           /* secret: wiped when freed */
    char *client_id;
    int qos;
    int keepalive;
    char *signature;
} br_target;

typedef struct br_config {
    char *path;
    char *prefix;             /* topic prefix, default "bluetti" */
    char *discovery_prefix;   /* default "homeassistant" */
    bool discovery;
    char *ha_status_topic;    /* default <discovery_prefix>/status */
    bool field_topics;        /* also <prefix>/<serial>/<field> */
    char *id;                 /* this bridge's name in its topics */
    unsigned missed_polls;    /* default for devices */
    double health_interval;   /* seconds */
    unsigned shard_k, shard_n;/* poll only devices whose serial hashes to k of n (n 0: all) */
    br_target target;
    br_source *sources;
    size_t n_sources;
    br_device *devices;
    size_t n_devices;
} br_config;

/* Read path into sections. 0, or BR_EXIT_CONFIG with err ("FILE:LINE: what;
 * remedy"). */
int br_conf_read(const char *path, br_section **out, size_t *n, char *err, size_t err_len);
void br_sections_free(br_section *s, size_t n);

/* Command-line settings that win over the file. */
typedef struct br_overrides {
    const char *shard;        /* "K/N" or NULL */
} br_overrides;

/* Read, check and resolve the whole config (sim serials, secrets, shard).
 * reg: the registry whose transports check the source options. 0, or
 * BR_EXIT_CONFIG with err. *out owned by the caller (br_config_free). */
int br_config_load(const char *path, bluetti_registry *reg, const br_overrides *ov,
                   br_config **out, char *err, size_t err_len);
void br_config_free(br_config *c);
const br_source *br_config_source(const br_config *c, const char *name);

/* "K/N": 0, or -1 with a reason in why. */
int br_shard_parse(const char *s, unsigned *k, unsigned *n, const char **why);
/* Whether serial belongs to shard k of n (n 0: every serial does). */
bool br_shard_owns(const char *serial, unsigned k, unsigned n);

/* A secret from a file readable only by its owner, or from
 * $CREDENTIALS_DIRECTORY/name (systemd LoadCredential=): the first line,
 * malloc'd (the caller wipes and frees). 0, or -1 with err. */
int br_secret_file(const char *path, char **out, char *err, size_t err_len);
int br_secret_credential(const char *name, char **out, char *err, size_t err_len);

/* The serial of the first device image of model in the sim source src
 * (its `device` images, else $BLUETTI_SIM_DEVICES, else the installed
 * ones): malloc'd, or NULL with err. */
char *br_sim_image_serial(const br_source *src, const char *model, char *err, size_t err_len);

/* ---- text and JSON out (buf.c) ------------------------------------------- */

typedef struct br_buf {
    char *s;
    size_t len, cap;
    bool oom;
} br_buf;

void br_buf_reset(br_buf *b);
void br_buf_free(br_buf *b);
void br_buf_put(br_buf *b, const char *s, size_t n);
void br_buf_puts(br_buf *b, const char *s);
void br_buf_printf(br_buf *b, const char *fmt, ...) BLUETTI_PRINTF(2, 3);
/* s as a JSON string (quotes included). */
void br_buf_json_str(br_buf *b, const char *s);
/* A finite double as JSON (shortest round-trip), null otherwise. */
void br_buf_json_num(br_buf *b, double v);
/* "2026-11-24T07:46:17Z" */
void br_iso_time(double wall, char *out, size_t cap);

/* ---- logging (log.c) -------------------------------------------------------- */

typedef enum br_level { BR_ERROR, BR_WARN, BR_INFO, BR_DEBUG } br_level;
extern int br_verbosity;      /* BR_INFO by default */
void br_log(br_level level, const char *fmt, ...) BLUETTI_PRINTF(2, 3);
void br_lib_log(void *ud, bluetti_log_level level, const char *src, const char *msg);

#endif
