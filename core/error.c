/* Error codes: text, names and classes. */
#include "config.h"

#include <bluetti/error.h>

struct err_desc {
    int code;
    const char *name;
    const char *text;
};

static const struct err_desc errs[] = {
    { BLUETTI_OK, "ok", "success" },
    { BLUETTI_E_INVAL, "invalid", "invalid argument" },
    { BLUETTI_E_NOMEM, "nomem", "out of memory" },
    { BLUETTI_E_NOTFOUND, "not_found", "not found" },
    { BLUETTI_E_EXISTS, "exists", "already registered" },
    { BLUETTI_E_BUSY, "busy", "a request is already in flight for this device" },
    { BLUETTI_E_UNSUPPORTED, "unsupported", "not supported" },
    { BLUETTI_E_IO, "io", "file or directory could not be read" },
    { BLUETTI_E_NOT_WRITABLE, "not_writable", "not declared writable" },
    { BLUETTI_E_WRITE_VALUE, "write_value", "value not allowed for this field" },
    { BLUETTI_E_TIMEOUT, "timeout", "no reply before the timeout" },
    { BLUETTI_E_DISCONNECTED, "disconnected", "connection lost while waiting for a reply" },
    { BLUETTI_E_CONNECT, "connect", "could not connect" },
    { BLUETTI_E_NOT_CONNECTED, "not_connected", "not connected" },
    { BLUETTI_E_CRC, "crc", "CRC check failed" },
    { BLUETTI_E_FRAME, "frame", "malformed frame (too short, truncated or with trailing bytes)" },
    { BLUETTI_E_BYTE_COUNT, "byte_count", "reply byte count does not match the request" },
    { BLUETTI_E_FUNCTION, "function", "unexpected Modbus function code" },
    { BLUETTI_E_ADDRESS, "address", "reply from another Modbus address" },
    { BLUETTI_E_EXCEPTION, "exception", "device answered with a Modbus exception" },
    { BLUETTI_E_ECHO, "echo", "the write's reply does not echo the request" },
    { BLUETTI_E_NOT_APPLIED, "not_applied", "the write did not take effect" },
    { BLUETTI_E_NO_SCHEMA, "no_schema", "no schema registered for the block" },
    { BLUETTI_E_SHORT, "short", "block payload too short" },
    { BLUETTI_E_BAD_VALUE, "bad_value", "value could not be decoded" },
    { BLUETTI_E_SCHEMA, "schema", "malformed schema or profile" },
    { BLUETTI_E_HEX, "hex", "malformed hex text" },
    { BLUETTI_E_PLUGIN_OPEN, "plugin_open", "plugin file could not be loaded" },
    { BLUETTI_E_PLUGIN_SYMBOL, "plugin_symbol", "plugin has no bluetti_plugin_descriptor" },
    { BLUETTI_E_PLUGIN_ABI, "plugin_abi", "plugin built for an incompatible plugin ABI" },
    { BLUETTI_E_PLUGIN_INIT, "plugin_init", "plugin initialisation failed" },
    { BLUETTI_E_PLUGIN_UNSAFE, "plugin_unsafe", "plugin refused as unsafe: its file or directory is writable by other users, belongs to another user, or it is a link into such a directory" },
    { BLUETTI_E_CERT_READ, "cert_read", "certificate file missing or unreadable" },
    { BLUETTI_E_CERT_FORMAT, "cert_format", "certificate is not a valid PKCS#12 file" },
    { BLUETTI_E_CERT_PASSWORD, "cert_password", "wrong certificate password" },
    { BLUETTI_E_CERT_NO_KEY, "cert_no_key", "PKCS#12 file holds no private key or certificate" },
    { BLUETTI_E_CERT_EXPIRED, "cert_expired", "client certificate has expired" },
    { BLUETTI_E_CERT_NOT_YET_VALID, "cert_not_yet_valid", "client certificate is not yet valid" },
    { BLUETTI_E_TLS_VERIFY, "tls_verify", "broker certificate failed verification" },
    { BLUETTI_E_TLS, "tls", "TLS failure" },
    { BLUETTI_E_BROKER_REFUSED, "broker_refused", "broker refused the client" },
    { BLUETTI_E_ACCOUNT_PASSWORD, "account_password", "wrong account password" },
    { BLUETTI_E_ACCOUNT_UNKNOWN, "account_unknown", "no such account" },
    { BLUETTI_E_TOKEN_EXPIRED, "token_expired", "login expired" },
    { BLUETTI_E_NO_SUCH_STATION, "no_such_station", "the account has no such station" },
    { BLUETTI_E_CERT_REVOKED, "cert_revoked", "client certificate revoked" },
    { BLUETTI_E_SESSION_TAKEN, "session_taken", "another client holds the account's session" },
    { BLUETTI_E_CLOCK_SKEW, "clock_skew", "clock skew too large" },
    { BLUETTI_E_CLOUD, "cloud", "cloud API failure" },
    { BLUETTI_E_NOT_LOGGED_IN, "not_logged_in", "not logged in" },
};

static const struct err_desc *find(int code)
{
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++)
        if (errs[i].code == code) return &errs[i];
    return NULL;
}

const char *bluetti_strerror(int err)
{
    const struct err_desc *d = find(err);
    return d ? d->text : "unknown error";
}

const char *bluetti_err_name(int err)
{
    const struct err_desc *d = find(err);
    return d ? d->name : "unknown";
}

bool bluetti_err_is_transient(int err)
{
    return err == BLUETTI_E_TIMEOUT || err == BLUETTI_E_DISCONNECTED ||
           err == BLUETTI_E_CONNECT || err == BLUETTI_E_NOT_CONNECTED;
}

bluetti_error_class bluetti_err_class(int err)
{
    switch (err) {
    case BLUETTI_OK: return BLUETTI_CLASS_NONE;
    case BLUETTI_E_NOMEM:
    case BLUETTI_E_IO: return BLUETTI_CLASS_RESOURCE;
    case BLUETTI_E_CERT_READ:
    case BLUETTI_E_CERT_FORMAT:
    case BLUETTI_E_CERT_NO_KEY: return BLUETTI_CLASS_CONFIGURATION;
    case BLUETTI_E_CERT_PASSWORD:
    case BLUETTI_E_CERT_EXPIRED:
    case BLUETTI_E_CERT_NOT_YET_VALID:
    case BLUETTI_E_BROKER_REFUSED: return BLUETTI_CLASS_AUTHENTICATION;
    case BLUETTI_E_TLS_VERIFY:
    case BLUETTI_E_TLS: return BLUETTI_CLASS_TLS;
    case BLUETTI_E_SCHEMA: return BLUETTI_CLASS_PARSE;
    case BLUETTI_E_SESSION_TAKEN:
    case BLUETTI_E_CLOUD: return BLUETTI_CLASS_CONNECTION;
    case BLUETTI_E_NO_SUCH_STATION:
    case BLUETTI_E_CLOCK_SKEW:
    case BLUETTI_E_NOT_LOGGED_IN: return BLUETTI_CLASS_CONFIGURATION;
    default: break;
    }
    if (err > 0) return BLUETTI_CLASS_USAGE;
    if (err > -20) return BLUETTI_CLASS_USAGE;
    if (err > -40) return BLUETTI_CLASS_CONNECTION;
    if (err > -60) return BLUETTI_CLASS_PROTOCOL;
    if (err > -80) return BLUETTI_CLASS_PARSE;
    if (err > -100) return BLUETTI_CLASS_PLUGIN;
    if (err > -120) return BLUETTI_CLASS_TLS;
    return BLUETTI_CLASS_AUTHENTICATION;  /* the cloud account's codes */
}

const char *bluetti_err_class_name(bluetti_error_class cls)
{
    static const char *const names[] = {
        [BLUETTI_CLASS_NONE] = "none", [BLUETTI_CLASS_USAGE] = "usage",
        [BLUETTI_CLASS_RESOURCE] = "resource", [BLUETTI_CLASS_CONFIGURATION] = "configuration",
        [BLUETTI_CLASS_AUTHENTICATION] = "authentication", [BLUETTI_CLASS_TLS] = "tls",
        [BLUETTI_CLASS_CONNECTION] = "connection", [BLUETTI_CLASS_PROTOCOL] = "protocol",
        [BLUETTI_CLASS_PARSE] = "parse", [BLUETTI_CLASS_PLUGIN] = "plugin",
    };
    if ((unsigned)cls >= sizeof names / sizeof names[0]) return "unknown";
    return names[cls];
}

/* Generic remedies, by code where one helps more than the class's. */
const char *bluetti_err_remedy(int err)
{
    switch (err) {
    case BLUETTI_OK: return "";
    case BLUETTI_E_BUSY: return "wait for the device's request in flight to complete";
    case BLUETTI_E_NOTFOUND: return "check the name against the lists of loaded plugins, models and groups";
    case BLUETTI_E_TIMEOUT: return "check that the device is powered and online; raise the timeout for slow links";
    case BLUETTI_E_CERT_READ: return "check the path and permissions of the certificate file";
    case BLUETTI_E_CERT_FORMAT: return "give the PKCS#12 (.p12/.pfx) file of the account, not a PEM file or a broken download";
    case BLUETTI_E_CERT_NO_KEY: return "export the PKCS#12 file again, with its private key";
    case BLUETTI_E_CERT_PASSWORD: return "give the certificate's password";
    case BLUETTI_E_CERT_EXPIRED:
    case BLUETTI_E_CERT_NOT_YET_VALID: return "get a current certificate for the account, and check the system clock";
    case BLUETTI_E_BROKER_REFUSED: return "check that the certificate belongs to an account allowed on this broker and device";
    case BLUETTI_E_TLS_VERIFY: return "check the broker name, or give the CA that signed the broker's certificate";
    case BLUETTI_E_CRC:
    case BLUETTI_E_FRAME: return "the link corrupted a reply; try again, and report it if it persists";
    case BLUETTI_E_EXCEPTION: return "the device does not offer this block or register range";
    case BLUETTI_E_NOT_WRITABLE: return "only fields that 'bluetti-tool describe' marks writable can be written";
    case BLUETTI_E_WRITE_VALUE: return "give one of the allowed values (see 'bluetti-tool describe' for the range or names)";
    case BLUETTI_E_ECHO: return "read the setting to see what the device holds; report the frames if it persists";
    case BLUETTI_E_NOT_APPLIED: return "the device kept its setting: check that this model supports it and that no other client changes it";
    case BLUETTI_E_NO_SCHEMA: return "load the block plugin that describes this block, or read it raw";
    case BLUETTI_E_PLUGIN_UNSAFE: return "make the plugin file and directory writable only by their owner (root or you)";
    case BLUETTI_E_PLUGIN_ABI: return "rebuild the plugin against this version of libbluetti";
    case BLUETTI_E_ACCOUNT_PASSWORD: return "give the password of the Bluetti account (the one the phone app uses)";
    case BLUETTI_E_ACCOUNT_UNKNOWN: return "check the account e-mail address, as registered in the Bluetti app";
    case BLUETTI_E_TOKEN_EXPIRED: return "log in again (bluetti-tool login)";
    case BLUETTI_E_NO_SUCH_STATION: return "check the serial on the station's label; 'bluetti-tool devices' lists the account's stations";
    case BLUETTI_E_CERT_REVOKED: return "log in again to get a new certificate (bluetti-tool login)";
    case BLUETTI_E_SESSION_TAKEN: return "close the Bluetti app (or the other client) on this account; it is retried after a hold-off";
    case BLUETTI_E_CLOCK_SKEW: return "set the system clock (enable NTP), then log in again";
    case BLUETTI_E_CLOUD: return "the Bluetti cloud answered unexpectedly; try again later";
    case BLUETTI_E_NOT_LOGGED_IN: return "run 'bluetti-tool login' first";
    default: break;
    }
    switch (bluetti_err_class(err)) {
    case BLUETTI_CLASS_USAGE: return "check the arguments and option values";
    case BLUETTI_CLASS_RESOURCE: return "free memory or check the file's path and permissions";
    case BLUETTI_CLASS_CONFIGURATION: return "check the configuration files and options";
    case BLUETTI_CLASS_AUTHENTICATION: return "check the credentials";
    case BLUETTI_CLASS_TLS: return "check the TLS settings and the broker's certificate";
    case BLUETTI_CLASS_CONNECTION: return "check the network and the broker address; reconnects happen by themselves";
    case BLUETTI_CLASS_PROTOCOL: return "the device answered unexpectedly; check the device address and model";
    case BLUETTI_CLASS_PARSE: return "the block plugin may not match this device's firmware; report it with a raw dump";
    case BLUETTI_CLASS_PLUGIN: return "see the plugins list for the reason and remedy";
    case BLUETTI_CLASS_NONE:
    default: return "";
    }
}

const char *bluetti_modbus_exception_text(uint8_t code)
{
    switch (code) {
    case 0x01: return "Illegal function";
    case 0x02: return "Illegal data address";
    case 0x03: return "Illegal data value";
    case 0x04: return "Slave device failure";
    case 0x05: return "Acknowledge";
    case 0x06: return "Slave device busy";
    case 0x08: return "Memory parity error";
    case 0x0A: return "Gateway path unavailable";
    case 0x0B: return "Gateway target device failed to respond";
    default: return "Unknown exception";
    }
}

const char *bluetti_modbus_write_exception_remedy(uint8_t code)
{
    switch (code) {
    case 0x01: return "the device does not accept writes this way (function refused); "
                      "this model may not support changing the setting";
    case 0x02: return "this model has no such register: the setting does not exist on it";
    case 0x03: return "the device refused the value: check the allowed range for this model";
    case 0x04: return "the device failed to apply the value; read the setting, then try again later";
    case 0x06: return "the device is busy; try again in a moment";
    default: return "read the setting to see what the device holds before trying again";
    }
}
