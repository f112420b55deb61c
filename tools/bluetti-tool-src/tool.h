/* bluetti-tool: declarations shared by the tool's files. */
#ifndef BLUETTI_TOOL_H
#define BLUETTI_TOOL_H

#include <bluetti/bluetti.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>

#define TOOL_NAME "bluetti-tool"

/* Exit codes (documented in the man page). */
enum {
    EXIT_OK = 0,
    EXIT_FAIL = 1,        /* device, transport or protocol failure */
    EXIT_USAGE = 2,       /* usage or configuration error */
    EXIT_AUTH = 3,        /* the cloud refused the account (password, account, login, certificate) */
    EXIT_NO_LOGIN = 4,    /* no stored login, or the account has no such station */
    EXIT_INTERRUPTED = 130,
    EXIT_TERMINATED = 143,
};

/* ---- option tables (options.c) ----------------------------------------- */

typedef enum opt_kind {
    OPT_STRING,     /* text; last one wins */
    OPT_LIST,       /* repeatable text */
    OPT_FLAG,       /* no argument; "true"/"false" in a config file */
    OPT_COUNT,      /* no argument, repeatable (-vv); a number in a config file */
    OPT_INT,        /* whole number in [min, max] */
    OPT_REAL,       /* number in [min, max] (min excluded when min_open) */
    OPT_SECRET,     /* text that is wiped after use */
} opt_kind;

typedef struct optdef {
    const char *name;       /* long name, without "--" */
    char short_name;        /* 0: none */
    opt_kind kind;
    const char *metavar;    /* argument name in help, NULL for flags */
    double min, max;        /* OPT_INT / OPT_REAL range */
    bool min_open;          /* OPT_REAL: value must be > min */
    bool no_config;         /* not allowed in a config file */
} optdef;

/* Values given for one option. */
typedef struct optval {
    char **vals;            /* in the order given */
    size_t n;
    bool cli;               /* given on the command line */
    char *file;             /* config file of the last value (NULL: command line) */
    int line;
} optval;

/* Parse argv[start..argc) against defs. With stop_at_positional the first
 * non-option ends parsing and *next gets its index (argc when none);
 * otherwise positionals are collected into pos[0..*n_pos) (pointers into
 * argv; pos needs argc slots). Returns EXIT_OK or EXIT_USAGE (message
 * printed). `ctx` names the command in messages ("" for global). */
int opts_parse(const optdef *defs, size_t n_defs, optval *vals, int argc, char **argv,
               int start, bool stop_at_positional, int *next, char **pos, size_t *n_pos,
               const char *ctx);
/* Add a value (from a config file at file:line, or the command line when
 * file is NULL). Returns 0 or -1 on allocation failure. */
int optval_add(optval *v, const optdef *d, const char *value, const char *file, int line);
void optvals_free(optval *vals, size_t n, const optdef *defs);
/* Index of the option named `name` ('_' and '-' are the same), or -1. */
int opts_find(const optdef *defs, size_t n_defs, const char *name);

/* Typed access. Each returns EXIT_OK (with *out set, or untouched when the
 * option was not given) or EXIT_USAGE after printing what was wrong and
 * where the value came from. */
const char *opt_str(const optval *v);
int opt_long(const optdef *d, const optval *v, long *out);
int opt_double(const optdef *d, const optval *v, double *out);
int opt_bool(const optdef *d, const optval *v, bool *out);
int opt_count(const optdef *d, const optval *v, int *out);
/* "--port" or "config:3: port" for messages, in a static buffer. */
const char *opt_where(const optdef *d, const optval *v);

/* ---- global settings (settings.c) -------------------------------------- */

enum gopt {
    G_PLUGIN_DIR, G_NO_PLUGIN_SEARCH, G_TRANSPORT, G_SN, G_MODEL, G_BROKER, G_PORT,
    G_KEEPALIVE, G_CERT, G_PASSWORD, G_CAFILE, G_INSECURE, G_CLIENT_ID, G_TIMEOUT,
    G_CONNECT_TIMEOUT,
    G_RETRIES, G_RETRY_INITIAL, G_RETRY_MAX, G_MODBUS_ADDRESS, G_SIM_DEVICE, G_SIM_FAULTS,
    G_OPTION, G_PROTOCOL_VERSION, G_JSON, G_SHOW_SECRETS, G_EVIDENCE, G_VERBOSE, G_QUIET,
    G_CONFIG, G_NO_CONFIG, G_VERSION, G_HELP,
    G_COUNT
};

extern const optdef global_opts[G_COUNT];

typedef struct settings {
    const char *const *plugin_dirs;
    size_t n_plugin_dirs;
    bool no_plugin_search;
    const char *transport;
    const char *sn;
    const char *model;
    bool model_given;
    const char *broker;
    long port, keepalive;
    const char *cert;
    const char *cafile;
    bool insecure;
    const char *client_id;
    double timeout, connect_timeout;
    long retries;
    double retry_initial, retry_max;
    long modbus_address;
    const char *const *sim_devices;
    size_t n_sim_devices;
    const char *sim_faults;
    const char *const *options;   /* KEY=VALUE for the transport */
    size_t n_options;
    long protocol_version;        /* 0: not given */
    bool json, show_secrets, evidence, quiet;
    int verbose;
} settings;

/* ---- the running tool --------------------------------------------------- */

typedef struct tool {
    optval gv[G_COUNT];
    settings set;
    bluetti_registry *reg;
    bluetti_session *session;
    bluetti_device *dev;
    int n_loaded;                 /* plugins loaded */
} tool;

/* settings.c: config file, then validation into t->set. */
int settings_load_config(tool *t);
int settings_resolve(tool *t);

/* main.c */
void print_global_help(FILE *out);

/* ---- small helpers (util.c) --------------------------------------------- */

/* Print "bluetti-tool: <message>" to stderr; returns code. */
int tool_error(int code, const char *fmt, ...) BLUETTI_PRINTF(2, 3);
void tool_warn(const char *fmt, ...) BLUETTI_PRINTF(1, 2);
/* Exit code for a library error: 2 for usage/configuration/certificate
 * problems, 3 when the cloud refused the account, 4 for no stored login or
 * no such station, 1 for device/transport/protocol/network failures. */
int exit_code_for(int err);
/* Overwrite memory the compiler may not skip. */
void wipe(void *p, size_t n);

/* Untrusted text: text_escape(), shown(), shown_path() (tools/common). */
#include "shown.h"
/* Write s with control characters (C0, DEL, C1 as UTF-8) as \xNN: the
 * last line of defence for whole messages (tool_error, log lines). */
void fput_safe(const char *s, FILE *out);

/* Strict numbers: parse_whole(), parse_decimal() (tools/common). */
#include "numbers.h"
/* Block reference: decimal, 0x hex or a block name. Returns EXIT_OK or
 * EXIT_USAGE (message printed). */
int parse_block_ref(const bluetti_registry *reg, const char *text, uint16_t *id);
/* Comma-separated block list; *ids malloc'd. */
int parse_block_list(const bluetti_registry *reg, const char *text, uint16_t **ids, size_t *n);
/* Hint appended to "unknown X" messages when nothing is loaded. */
const char *no_plugins_hint(const tool *t);
/* A printf into a new malloc'd string (NULL on OOM). */
char *xasprintf(const char *fmt, ...) BLUETTI_PRINTF(1, 2);
/* Hex of data with spaces, malloc'd. */
char *hex_string(const uint8_t *data, size_t len, char sep);
/* EXIT_OK, or EXIT_FAIL after saying (once) that stdout could not be
 * written (a full disk, a closed pipe). Flushes stdout. */
int output_error(void);
/* Print a JSON document (one line) to stdout and free it; EXIT_FAIL when
 * it could not be written (message printed). */
int json_print(json_t *doc);
/* Number with up to 10 significant digits, no trailing zeros. */
void format_double(double v, char *buf, size_t cap);

/* Column-aligned text table. */
typedef struct table table;
table *table_new(size_t ncols);
/* Cells are copied; a NULL cell prints empty. */
void table_add(table *tb, const char *const *cells);
void table_print(const table *tb, FILE *out, const char *indent);
void table_free(table *tb);

/* ---- signals (main.c) --------------------------------------------------- */

/* Set (util.c) around library calls that block and cannot be interrupted
 * (connecting, the protocol version probe, raw reads): a stop signal then
 * ends the process at once with 130/143. Only while nothing is printed. */
extern volatile sig_atomic_t tool_stop_at_once;

/* 0, or the signal number that asked the tool to stop. */
int tool_stop_signal(void);
/* EXIT_INTERRUPTED / EXIT_TERMINATED for the stop signal. */
int tool_stop_exit(void);

/* ---- password (password.c) ---------------------------------------------- */

/* Get the certificate password into a malloc'd buffer (*out, wipe and
 * free with password_free): the option, else $BLUETTI_CERT_PASSWORD, else
 * a prompt on the terminal. Returns EXIT_OK or an exit code (message
 * printed). */
int password_get(const tool *t, char **out);
/* The same for any password: given (an option value, may be NULL), else
 * $env_name, else a prompt "Password for <what>: ". `how` ends the message
 * when there is no terminal (what to give instead). */
int secret_get(const char *given, const char *env_name, const char *what, const char *how,
               char **out);
void password_free(char *pw);

/* ---- output (output.c) --------------------------------------------------- */

typedef struct out_opts {
    bool show_secrets;
    bool evidence;
} out_opts;

/* One decoded block as JSON (new reference). */
json_t *result_json(const bluetti_result *r, const out_opts *o);
/* One decoded block as a table on out. */
void result_print(const bluetti_result *r, const out_opts *o, FILE *out);
/* A value as text for tables (malloc'd; "***" when masked, "-" when absent). */
char *value_text(const bluetti_field *f, const bluetti_value *v, bool show_secrets);
/* Names of an enum value or of the set bits ("charging"; "ac_on, dc_on"),
 * malloc'd, or NULL when there are none. */
char *value_names(const bluetti_field *f, const bluetti_value *v, bool show_secrets);
/* Transform chain as text ("scale:0.1, minus:40"), malloc'd; "" when none. */
char *xform_text(const bluetti_field *f);
/* Type / order / offset descriptions for describe and docs (malloc'd). */
char *field_type_text(const bluetti_field *f);
const char *field_order_text(const bluetti_field *f);
char *field_offset_text(const bluetti_field *f);
const char *block_class_name(int c);

/* ---- device access (device.c) -------------------------------------------- */

/* Open the session and add the device. Returns EXIT_OK or an exit code. */
int device_open(tool *t);
void device_close(tool *t);
/* Read one block, interruptible. Returns 0, a bluetti_err, or 1 when a
 * stop signal arrived. *out gets the result (also for BLUETTI_E_SHORT). */
int device_read(tool *t, uint16_t block, uint16_t registers, const bluetti_result **out);
/* Blocks selected by --blocks / --group (or the default groups). */
int select_blocks(tool *t, const char *blocks, const char *groups, uint16_t **ids, size_t *n);
/* Before a blocking library call: sets tool_stop_at_once; true (and
 * nothing set) when a stop signal has already arrived. Clear
 * tool_stop_at_once after the call. */
bool blocking_begin(void);
/* What to try after a failed read. */
const char *read_hint(int err);
/* Sleep while keeping the connection alive; false when stopped. */
bool device_idle(tool *t, double seconds);

/* ---- commands ------------------------------------------------------------ */

typedef struct command {
    const char *name;
    const char *summary;
    int (*run)(tool *t, int argc, char **argv);   /* argv[0] = command name */
    void (*help)(FILE *out);
    const optdef *opts;     /* [0] is --help; ends with a NULL name */
} command;

/* Option tables of the commands. */
extern const optdef help_only_opts[];
extern const optdef decode_opts[];
extern const optdef read_opts[];
extern const optdef raw_opts[];
extern const optdef listen_opts[];
size_t opts_count(const optdef *defs);
/* Move global options written after the command into t->gv (so that
 * "read --json" works); the command's own options take precedence. */
int lift_global_opts(tool *t, const command *c, int *argc, char **argv);

extern const command commands[];
extern const size_t n_commands;

int cmd_plugins(tool *t, int argc, char **argv);
int cmd_models(tool *t, int argc, char **argv);
int cmd_blocks(tool *t, int argc, char **argv);
int cmd_describe(tool *t, int argc, char **argv);
int cmd_decode(tool *t, int argc, char **argv);
int cmd_read(tool *t, int argc, char **argv);
int cmd_raw(tool *t, int argc, char **argv);
int cmd_listen(tool *t, int argc, char **argv);
int cmd_docs(tool *t, int argc, char **argv);
int cmd_help(tool *t, int argc, char **argv);
int cmd_login(tool *t, int argc, char **argv);
int cmd_devices(tool *t, int argc, char **argv);
int cmd_logout(tool *t, int argc, char **argv);

void help_plugins(FILE *out);
void help_models(FILE *out);
void help_blocks(FILE *out);
void help_describe(FILE *out);
void help_decode(FILE *out);
void help_read(FILE *out);
void help_raw(FILE *out);
void help_listen(FILE *out);
void help_docs(FILE *out);
void help_help(FILE *out);
void help_login(FILE *out);
void help_devices(FILE *out);
void help_logout(FILE *out);
extern const optdef login_opts[];
extern const optdef devices_opts[];

/* ---- the stored cloud login (cloud_profile.c) ----------------------------- */

/* For the mqtt transport without --cert: find --sn (serial or subSn) in
 * the stored login and set the transport options for it (broker, port,
 * cloud_profile, envelope) in o, before the -o options (which win).
 * *address gets the session address "MODEL:SUBSN" (malloc'd) and
 * *cloud_model the station's cloud model (malloc'd). Returns EXIT_OK, or
 * an exit code after printing what is wrong (EXIT_NO_LOGIN: no stored
 * login or no such station). */
int cloud_profile_resolve(tool *t, bluetti_options *o, char **address, char **cloud_model);

/* Parse a command's options (c->opts); on --help prints help and sets
 * *done. vals has opts_count(c->opts) slots. */
int cmd_opts(const command *c, optval *vals, int argc, char **argv, char **pos, size_t *n_pos,
             bool *done);
const command *command_find(const char *name);

#endif
