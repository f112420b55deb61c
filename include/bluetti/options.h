/* bluetti — key/value options handed to transports.
 *
 * Each transport declares the keys it accepts in a table of
 * bluetti_option_decl (bluetti_transport_ops.options); the core checks a
 * bag against that table before the transport is opened (unknown keys,
 * types, ranges, required keys, defaults, secrets), and applications can
 * read the table to offer the keys to their users
 * (bluetti_registry_transport_options). Keys may repeat (bluetti_options_add); bluetti_options_get returns the
 * last value. Secret values are wiped from memory when replaced or freed.
 */
#ifndef BLUETTI_OPTIONS_H
#define BLUETTI_OPTIONS_H

#include <bluetti/common.h>

BLUETTI_BEGIN_DECLS

/* Caller owns the result; free with bluetti_options_free. NULL on OOM. */
BLUETTI_API bluetti_options *bluetti_options_new(void);
BLUETTI_API void bluetti_options_free(bluetti_options *o);

/* Replace every value of key with a copy of value. */
BLUETTI_API int bluetti_options_set(bluetti_options *o, const char *key, const char *value);
/* Append another value for key (for repeatable keys such as "device"). */
BLUETTI_API int bluetti_options_add(bluetti_options *o, const char *key, const char *value);
/* Like set, but the copy is marked secret: wiped on free, never logged. */
BLUETTI_API int bluetti_options_set_secret(bluetti_options *o, const char *key, const char *value);

/* Last value of key, or NULL. Owned by o. */
BLUETTI_API const char *bluetti_options_get(const bluetti_options *o, const char *key);
/* Number of values of key, and the i-th of them (owned by o). */
BLUETTI_API size_t bluetti_options_count(const bluetti_options *o, const char *key);
BLUETTI_API const char *bluetti_options_get_nth(const bluetti_options *o, const char *key, size_t i);

/* Typed getters: 0 and *out set when the key is present and valid;
 * BLUETTI_E_NOTFOUND (and *out untouched) when absent; BLUETTI_E_INVAL when
 * the value does not parse or lies outside [min, max]. Numbers are plain
 * decimal: an optional '-', digits and, for doubles, an optional '.' and
 * digits (no spaces, '+', hex, exponent, inf or nan). */
BLUETTI_API int bluetti_options_get_long(const bluetti_options *o, const char *key,
                                         long min, long max, long *out);
BLUETTI_API int bluetti_options_get_double(const bluetti_options *o, const char *key,
                                           double min, double max, double *out);
/* "1", "true", "yes", "on" / "0", "false", "no", "off". */
BLUETTI_API int bluetti_options_get_bool(const bluetti_options *o, const char *key, bool *out);

/* Iterate all entries: index 0..n-1; returns false past the end. Secret
 * values are reported as "***". */
BLUETTI_API bool bluetti_options_entry(const bluetti_options *o, size_t i,
                                       const char **key, const char **value);

/* ---- declared options --------------------------------------------------- */

typedef enum bluetti_option_type {
    BLUETTI_OPT_STRING = 1,     /* any non-empty text (or one of `allowed`) */
    BLUETTI_OPT_INT,            /* plain decimal whole number in [min, max] */
    BLUETTI_OPT_REAL,           /* plain decimal number in [min, max] */
    BLUETTI_OPT_BOOL,           /* 1/true/yes/on or 0/false/no/off */
    BLUETTI_OPT_FILE,           /* path of a file the process can read */
    BLUETTI_OPT_SECRET,         /* text (may be empty) stored as a secret, never echoed */
} bluetti_option_type;

/* The application fills this key with the model name of the device it is
 * about to add, unless the user gave the key (transport-sim serves that
 * model). Such a key is not offered as a user option of its own. */
#define BLUETTI_OPTION_F_DEVICE_MODEL 0x1u
/* The key takes the path of a stored cloud login (libbluetti-cloud's
 * profile): an application that has one may fill it. */
#define BLUETTI_OPTION_F_CLOUD_LOGIN 0x2u
/* The key is a credential the user brings (a certificate file): given, it
 * replaces a stored cloud login. */
#define BLUETTI_OPTION_F_CREDENTIAL 0x4u
/* Keys an application that holds a stored cloud login fills with what the
 * cloud says about the station, unless the user gave the key: the broker's
 * host name, its port, and the payload envelope the station speaks ("new"
 * or "old", docs/protocol/cloud.md). So the application needs no
 * transport's key names. */
#define BLUETTI_OPTION_F_CLOUD_HOST 0x8u
#define BLUETTI_OPTION_F_CLOUD_PORT 0x10u
#define BLUETTI_OPTION_F_CLOUD_ENVELOPE 0x20u

/* One key a transport accepts. Tables are static data owned by the plugin. */
typedef struct bluetti_option_decl {
    const char *name;             /* the key: lower case, digits and '_' */
    int type;                     /* bluetti_option_type */
    const char *default_value;    /* applied when the key is absent; NULL: none */
    double min, max;              /* INT / REAL bounds; min == max == 0: unbounded */
    const char *const *allowed;   /* STRING: NULL-terminated accepted values, or NULL */
    bool required;                /* open fails without it */
    bool repeatable;              /* may be given more than once (all values kept) */
    const char *help;             /* one line, for --help and listings */
    const char *metavar;          /* placeholder of the value in help ("HOST", "N") */
    const char *const *aliases;   /* other accepted names (NULL-terminated) or NULL */
    /* SECRET: an environment variable an application may take the value
     * from, and the text to ask for it on a terminal when it is given
     * neither way ("{key}" in the text stands for that key's value). */
    const char *env;
    const char *prompt;
    /* open() errors (bluetti_err, 0-terminated) this key is a likely
     * cause of, so applications can point at it; or NULL. */
    const int *causes;
    unsigned flags;               /* BLUETTI_OPTION_F_* */
    const void *reserved[4];      /* zero */
} bluetti_option_decl;

/* The declaration in table[0..n) whose name or alias is `key`, or NULL. */
BLUETTI_API const bluetti_option_decl *bluetti_option_find(const bluetti_option_decl *table,
                                                           size_t n, const char *key);

/* Check one value against its declaration. Returns 0, or BLUETTI_E_INVAL
 * with a reason written into detail (if not NULL) that quotes the value
 * (never a SECRET one) and says what is accepted, without naming the key,
 * e.g. "'abc' is not a whole number; give a whole number from 1 to 65535".
 * A FILE value is checked with access(R_OK). */
BLUETTI_API int bluetti_option_check(const bluetti_option_decl *d, const char *value,
                                     char *detail, size_t detail_len);

/* Check `in` against table[0..n) and build the bag a transport is opened
 * with: every key under its declared name (aliases resolved), each value
 * checked, a non-repeatable key reduced to its last value, defaults added
 * for absent keys, SECRET values stored as secrets. Errors
 * (BLUETTI_E_INVAL, detail written, *out NULL): an unknown key ("unknown
 * option 'x' for transport 'mqtt'; known: broker, port, ..."), a bad value
 * (naming the key), a missing required key. FILE values are not looked
 * at here: the transport reports a missing file with its own, more precise
 * error. A NULL table (a transport that declares nothing) passes `in`
 * through unchecked. `transport` names the table in messages. On success
 * the caller owns *out (bluetti_options_free). */
BLUETTI_API int bluetti_options_apply_decls(const bluetti_option_decl *table, size_t n,
                                            const char *transport, const bluetti_options *in,
                                            bluetti_options **out, char *detail,
                                            size_t detail_len);

/* Whether value i of the bag is a secret (false past the end). */
BLUETTI_API bool bluetti_options_entry_secret(const bluetti_options *o, size_t i);

BLUETTI_END_DECLS
#endif
