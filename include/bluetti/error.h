/* bluetti — error codes.
 *
 * Every function that can fail returns 0 (BLUETTI_OK) or a negative
 * bluetti_err. Errors fall into classes; only transient ones
 * (bluetti_err_is_transient) are retried by the retry policy.
 */
#ifndef BLUETTI_ERROR_H
#define BLUETTI_ERROR_H

#include <bluetti/common.h>

BLUETTI_BEGIN_DECLS

typedef enum bluetti_err {
    BLUETTI_OK = 0,

    /* usage / configuration (permanent) */
    BLUETTI_E_INVAL          = -1,   /* invalid argument or option value */
    BLUETTI_E_NOMEM          = -2,   /* out of memory */
    BLUETTI_E_NOTFOUND       = -3,   /* no such profile, transport, group or device */
    BLUETTI_E_EXISTS         = -4,   /* duplicate registration or device */
    BLUETTI_E_BUSY           = -5,   /* a request is already in flight for this device */
    BLUETTI_E_UNSUPPORTED    = -6,   /* operation not supported by this transport/profile */
    BLUETTI_E_IO             = -7,   /* local file could not be read */
    BLUETTI_E_NOT_WRITABLE   = -8,   /* the field or register is not declared writable */
    BLUETTI_E_WRITE_VALUE    = -9,   /* the value is not allowed for the field (range, step, name) */

    /* transport (transient: retried) */
    BLUETTI_E_TIMEOUT        = -20,  /* no reply before the deadline */
    BLUETTI_E_DISCONNECTED   = -21,  /* connection lost while a request waited */
    BLUETTI_E_CONNECT        = -22,  /* could not connect (refused, unreachable, DNS) */
    BLUETTI_E_NOT_CONNECTED  = -23,  /* not connected (reconnect pending) */

    /* protocol (permanent: never retried) */
    BLUETTI_E_CRC            = -40,  /* CRC-16/MODBUS mismatch */
    BLUETTI_E_FRAME          = -41,  /* frame too short, truncated or with trailing bytes */
    BLUETTI_E_BYTE_COUNT     = -42,  /* byte count does not fit the request */
    BLUETTI_E_FUNCTION       = -43,  /* unexpected Modbus function code */
    BLUETTI_E_ADDRESS        = -44,  /* reply from another Modbus address */
    BLUETTI_E_EXCEPTION      = -45,  /* Modbus exception response */
    BLUETTI_E_ECHO           = -46,  /* a write's reply does not echo the request */
    BLUETTI_E_NOT_APPLIED    = -47,  /* the read-back after a write shows another value */

    /* parse (permanent) */
    BLUETTI_E_NO_SCHEMA      = -60,  /* no schema registered for the block */
    BLUETTI_E_SHORT          = -61,  /* payload shorter than a strict block needs */
    BLUETTI_E_BAD_VALUE      = -62,  /* a value could not be decoded */
    BLUETTI_E_SCHEMA         = -63,  /* a schema or profile is malformed */
    BLUETTI_E_HEX            = -64,  /* malformed hex text */

    /* plugins (permanent) */
    BLUETTI_E_PLUGIN_OPEN    = -80,  /* file could not be loaded (not a shared object, missing deps) */
    BLUETTI_E_PLUGIN_SYMBOL  = -81,  /* no bluetti_plugin_descriptor symbol */
    BLUETTI_E_PLUGIN_ABI     = -82,  /* built for an incompatible plugin ABI */
    BLUETTI_E_PLUGIN_INIT    = -83,  /* its init function failed */
    BLUETTI_E_PLUGIN_UNSAFE  = -84,  /* plugin file or directory is writable by others */

    /* TLS / certificate (permanent) */
    BLUETTI_E_CERT_READ      = -100, /* certificate file missing or unreadable */
    BLUETTI_E_CERT_FORMAT    = -101, /* not a PKCS#12 file, or corrupt */
    BLUETTI_E_CERT_PASSWORD  = -102, /* wrong PKCS#12 password */
    BLUETTI_E_CERT_NO_KEY    = -103, /* PKCS#12 holds no private key or certificate */
    BLUETTI_E_CERT_EXPIRED   = -104, /* client certificate expired */
    BLUETTI_E_CERT_NOT_YET_VALID = -105, /* client certificate not yet valid */
    BLUETTI_E_TLS_VERIFY     = -106, /* broker certificate failed verification */
    BLUETTI_E_TLS            = -107, /* other TLS failure */
    BLUETTI_E_BROKER_REFUSED = -108, /* broker rejected the client (CONNACK/SUBACK refusal) */

    /* cloud account (permanent unless noted) */
    BLUETTI_E_ACCOUNT_PASSWORD = -120, /* the account password is wrong */
    BLUETTI_E_ACCOUNT_UNKNOWN  = -121, /* no such account */
    BLUETTI_E_TOKEN_EXPIRED    = -122, /* the login token expired or was revoked: log in again */
    BLUETTI_E_NO_SUCH_STATION  = -123, /* the account has no station with that serial */
    BLUETTI_E_CERT_REVOKED     = -124, /* the cloud revoked or refused the client certificate */
    BLUETTI_E_SESSION_TAKEN    = -125, /* another client (the phone app) holds the account's MQTT session */
    BLUETTI_E_CLOCK_SKEW       = -126, /* clocks disagree too much for the time-based password */
    BLUETTI_E_CLOUD            = -127, /* the cloud API failed or answered something unexpected */
    BLUETTI_E_NOT_LOGGED_IN    = -128, /* no stored login: run `bluetti-tool login` */
} bluetti_err;

/* Static English text for an error code (never NULL; unknown codes give
 * "unknown error"). */
BLUETTI_API const char *bluetti_strerror(int err);

/* Short stable identifier, e.g. "timeout", "crc" (for JSON output). */
BLUETTI_API const char *bluetti_err_name(int err);

/* True for errors worth retrying: timeout, disconnect, connect failure,
 * not connected. */
BLUETTI_API bool bluetti_err_is_transient(int err);

/* Generic classes: what kind of problem an error is, whatever transport or
 * plugin reported it, so an application can react without knowing every
 * transport's codes (e.g. ask for a new password on AUTHENTICATION). */
typedef enum bluetti_error_class {
    BLUETTI_CLASS_NONE = 0,       /* no error */
    BLUETTI_CLASS_USAGE,          /* invalid argument, busy, not found, unsupported */
    BLUETTI_CLASS_RESOURCE,       /* out of memory, a local file unreadable */
    BLUETTI_CLASS_CONFIGURATION,  /* a setting or file the user gave is wrong (certificate file) */
    BLUETTI_CLASS_AUTHENTICATION, /* credentials wrong, expired or refused by the broker */
    BLUETTI_CLASS_TLS,            /* the secure channel failed (server not trusted, handshake) */
    BLUETTI_CLASS_CONNECTION,     /* could not connect, connection lost, timeout (transient) */
    BLUETTI_CLASS_PROTOCOL,       /* the device answered, but wrongly (CRC, framing, exception) */
    BLUETTI_CLASS_PARSE,          /* the answer could not be decoded; schema problems */
    BLUETTI_CLASS_PLUGIN,         /* a plugin could not be loaded */
} bluetti_error_class;

/* Class of an error code (BLUETTI_CLASS_NONE for 0; unknown negative codes
 * are classed by their range). */
BLUETTI_API bluetti_error_class bluetti_err_class(int err);
/* "none", "usage", "resource", "configuration", "authentication", "tls",
 * "connection", "protocol", "parse", "plugin" (static; "unknown" otherwise). */
BLUETTI_API const char *bluetti_err_class_name(bluetti_error_class cls);
/* A generic remedy for an error (static sentence, never NULL; "" for 0).
 * Transports may give a more specific one (bluetti_error_info.remedy). */
BLUETTI_API const char *bluetti_err_remedy(int err);

/* One channel for what went wrong and what to do about it, filled by
 * bluetti_session_open_ex, bluetti_session_last_error and
 * bluetti_device_last_error. Caller-owned; never contains a secret. */
typedef struct bluetti_error_info {
    int code;                     /* bluetti_err, 0 = none */
    bluetti_error_class cls;      /* bluetti_err_class(code) */
    char detail[320];             /* what went wrong, as specific as known */
    char remedy[192];             /* what to do about it ("" when nothing) */
    uint8_t reserved[64];
} bluetti_error_info;

/* Text for a Modbus exception code ("Illegal data address", ...; unknown
 * codes give "Unknown exception"). Static string. */
BLUETTI_API const char *bluetti_modbus_exception_text(uint8_t code);
/* What to do about an exception reply to a write (static sentence, never
 * NULL): 2 the model has no such register, 3 the device refused the
 * value, ... */
BLUETTI_API const char *bluetti_modbus_write_exception_remedy(uint8_t code);

BLUETTI_END_DECLS
#endif
