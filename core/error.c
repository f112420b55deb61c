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
    { BLUETTI_E_NO_SCHEMA, "no_schema", "no schema registered for the block" },
    { BLUETTI_E_SHORT, "short", "block payload too short" },
    { BLUETTI_E_BAD_VALUE, "bad_value", "value could not be decoded" },
    { BLUETTI_E_SCHEMA, "schema", "malformed schema or profile" },
    { BLUETTI_E_HEX, "hex", "malformed hex text" },
    { BLUETTI_E_PLUGIN_OPEN, "plugin_open", "plugin file could not be loaded" },
    { BLUETTI_E_PLUGIN_SYMBOL, "plugin_symbol", "plugin has no bluetti_plugin_descriptor" },
    { BLUETTI_E_PLUGIN_ABI, "plugin_abi", "plugin built for an incompatible plugin ABI" },
    { BLUETTI_E_PLUGIN_INIT, "plugin_init", "plugin initialisation failed" },
    { BLUETTI_E_PLUGIN_UNSAFE, "plugin_unsafe", "plugin file or directory is writable by other users" },
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

const char *bluetti_err_class(int err)
{
    if (err == 0) return "none";
    if (err > -20) return "usage";
    if (err > -40) return "transport";
    if (err > -60) return "protocol";
    if (err > -80) return "parse";
    if (err > -100) return "plugin";
    if (err > -120) return "tls";
    return "account";
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
