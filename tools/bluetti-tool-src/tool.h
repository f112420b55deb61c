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
    EXIT_REFUSED = 5,     /* the broker refused this client: session held elsewhere, credentials */
    EXIT_SET_REFUSED = 6, /* set: refused before sending (not writable, bad value, unverified,
                           * not confirmed) */
    EXIT_NOT_APPLIED = 7, /* set: the read-back shows the write did not take effect */
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

/* The tool's own options. Those of the transports come from their plugins
 * (transport_opts.c) and follow these in tool.defs. */
enum gopt {
    G_PLUGIN_DIR, G_NO_PLUGIN_SEARCH, G_TRANSPORT, G_SN, G_MODEL, G_TIMEOUT,
    G_CONNECT_TIMEOUT,
    G_RETRIES, G_RETRY_INITIAL, G_RETRY_MAX, G_MODBUS_ADDRESS,
    G_OPTION, G_PROTOCOL_VERSION, G_JSON, G_SHOW_SECRETS, G_EVIDENCE, G_VERBOSE, G_QUIET,
    G_CONFIG, G_NO_CONFIG, G_VERSION, G_HELP,
    G_COUNT
};

extern const optdef global_opts[G_COUNT];

typedef struct settings {
    const char *const *plugin_dirs;
    size_t n_plugin_dirs;
    bool no_plugin_search;
    const char *transport;        /* NULL: the default transport */
    const char *sn;
    const char *model;
    bool model_given;
    double timeout, connect_timeout;
    long retries;
    double retry_initial, retry_max;
    long modbus_address;
    const char *const *options;   /* KEY=VALUE for the transport */
    size_t n_options;
    long protocol_version;        /* 0: not given */
    bool json, show_secrets, evidence, quiet;
    int verbose;
} settings;

/* ---- the running tool --------------------------------------------------- */

/* A transport option offered as a flag and config key (defs[G_COUNT + i]). */
typedef struct topt {
    const bluetti_option_decl *decl;
    char *flag;                   /* the name offered (owned): the key or an alias, '-' for '_' */
    const char *transport;        /* the transport that declares it */
    bool foreign;                 /* not the selected transport's: checked, then ignored */
} topt;

/* One 'key = value' line of the config file (value wiped when freed). */
typedef struct cfg_entry {
    char *key, *value;
    int line;
} cfg_entry;

typedef struct tool {
    optval *gv;                   /* one per defs entry */
    const optdef *defs;           /* global_opts, then the transport options */
    size_t n_defs;
    optdef *own_defs;             /* defs when transport options were added */
    topt *topts;                  /* n_defs - G_COUNT entries */
    bool lenient;                 /* first pass: unknown options are noted, not refused */
    char **unknown;               /* names the first pass could not place */
    size_t n_unknown;
    cfg_entry *cfg;               /* the config file's lines */
    size_t n_cfg;
    char *cfg_path;
    bool cfg_shared;              /* other users can read the config file */
    const bluetti_transport_ops *tops;   /* the selected transport, once loaded */
    int tops_err;                 /* why it is not (bluetti_registry_need_transport) */
    bool raw_only;                /* the command decodes nothing: no model detection */
    bool session_only;            /* device_open() opens the transport, adds no device (scan) */
    settings set;
    bluetti_registry *reg;
    bluetti_session *session;
    bluetti_device *dev;
    bool cloud_station;           /* dev is a station of the stored cloud login (MODEL:SUBSN) */
    int n_loaded;                 /* plugins loaded */
} tool;

/* While set (the first pass), opts_parse notes unknown long options in
 * t->unknown instead of refusing them. NULL turns it off. */
void opts_set_lenient(tool *t);
/* First pass: whether the word after an unknown "--name" is taken as its
 * value (not an option, not a command name; "-5" is a value). */
bool looks_like_value(const char *s);

/* settings.c: config file, then validation into t->set. load reads the
 * file's lines; apply adds them to t->gv (lenient: unknown keys noted). */
int settings_load_config(tool *t);
int settings_apply_config(tool *t);
int settings_resolve(tool *t);
void settings_free(tool *t);

/* transport_opts.c: the selected transport's options as flags and keys. */
/* Note an option name the first pass could not place (0, or -1 on OOM). */
int tool_note_unknown(tool *t, const char *name, size_t len);
/* Find the selected (or default) transport and add its options, and those
 * of other transports named by unknown options, to t->defs. Returns
 * EXIT_OK; a missing transport is reported later by device_open. */
int topts_select(tool *t);
/* Check the transport option values given (messages name --flag or
 * file:line; FILE values only with look_at_files); warn about other
 * transports' options given on the command line (they are not used). */
int topts_resolve(tool *t, bool look_at_files);
/* The options bag for opening the selected transport: the values given,
 * -o KEY=VALUE, the device model, secrets from the environment or a
 * prompt. Caller frees. Returns EXIT_OK or an exit code (message printed). */
int topts_build(tool *t, const char *model, bluetti_options **out);
/* "check --broker, --port and the network" style hints for open errors. */
const char *topts_hint(tool *t, int err);
/* Should --sn go through the stored cloud login? The transport declares a
 * key for it (BLUETTI_OPTION_F_CLOUD_LOGIN) and the user filled neither it
 * nor a credential of their own (BLUETTI_OPTION_F_CREDENTIAL). */
bool topts_wants_cloud_login(const tool *t, const bluetti_options *o);
/* The name of that key, or NULL. */
const char *topts_cloud_login_key(const tool *t);
/* Fill every key of the selected transport that declares FLAG (a
 * BLUETTI_OPTION_F_CLOUD_* flag) and that the user left empty with VALUE.
 * Returns 0, or -1 when out of memory. */
int topts_fill_cloud(const tool *t, bluetti_options *o, unsigned flag, const char *value);
/* Does the selected transport take the device's model as an option? */
/* The transport options part of --help. */
void topts_print_help(tool *t, FILE *out);
/* 'transports' command. */
int cmd_transports(tool *t, int argc, char **argv);
void help_transports(FILE *out);
/* Free what topts_select added. */
void topts_free(tool *t);


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

/* Untrusted text: bt_text_escape(), bt_shown(), bt_shown_path(),
 * bt_fput_safe() (core/util). */
#include "bt_escape.h"

/* Strict numbers: bt_parse_whole(), bt_parse_decimal() (core/util). */
#include "bt_numbers.h"
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

/* ---- secrets asked for on the terminal (password.c) ---------------------- */

/* Ask for a secret on the terminal with echo off: `text` then ": ".
 * Returns 0 with a malloc'd *out (free with password_free), -1 when there
 * is no terminal, -2 when a stop signal arrived, -3 when the line was
 * longer than PW_MAX - 1, -4 out of memory. */
#define PW_MAX 1024
int password_prompt(const char *text, char **out);
/* Any secret: given (an option value, may be NULL), else $env_name, else a
 * prompt "Password for <what>: " on the terminal. `how` ends the message
 * when there is no terminal (what to give instead). EXIT_OK with a malloc'd
 * *out (password_free), or an exit code (message printed). */
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
/* read_hint / open hint, or the library's remedy when the hint is generic. */
const char *hint_or_remedy(const char *hint, const bluetti_error_info *info);
/* Sleep while keeping the connection alive; false when stopped. */
bool device_idle(tool *t, double seconds);

/* ---- commands ------------------------------------------------------------ */

typedef struct command {
    const char *name;
    const char *summary;
    int (*run)(tool *t, int argc, char **argv);   /* argv[0] = command name */
    void (*help)(FILE *out);
    const optdef *opts;     /* [0] is --help; ends with a NULL name */
    bool uses_device;       /* opens a session: needs the transport and its options */
} command;

/* Option tables of the commands. */
extern const optdef help_only_opts[];
extern const optdef decode_opts[];
extern const optdef read_opts[];
extern const optdef raw_opts[];
extern const optdef listen_opts[];
extern const optdef set_opts[];
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
int cmd_set(tool *t, int argc, char **argv);
int cmd_scan(tool *t, int argc, char **argv);
void help_scan(FILE *out);
extern const optdef scan_opts[];

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
void help_set(FILE *out);
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
/* cmd_opts for the command called name, which takes options but no
 * positional arguments (one given is a usage error naming it). */
int cmd_opts_no_args(const char *name, optval *vals, int argc, char **argv, bool *done);
const command *command_find(const char *name);
/* Whether a command opens a device (and so needs a transport). */
bool command_uses_device(const command *c);

#endif
