/* bluetti — the Bluetti cloud: primitives shared by the client (login,
 * transport-mqtt), the simulated cloud (bluetti-sim --cloud) and the test
 * broker's auth plugin. Library: libbluetti-cloud.
 *
 * Protocol notes: docs/protocol/cloud.md (algorithms in "Algorithms",
 * envelopes in "Payload envelope", the account API in "Login and credentials").
 * The algorithm and envelope functions are pure: no I/O, no logging, no
 * global state; buffers are the caller's and every function wipes the
 * intermediate secrets it derived before returning. The account client
 * (bluetti_cloud_*: login, devices, certificate, profile) does HTTPS and
 * file I/O, documented per function; it never logs.
 */
#ifndef BLUETTI_CLOUD_H
#define BLUETTI_CLOUD_H

#include <bluetti/common.h>

BLUETTI_BEGIN_DECLS

/* ---- algorithms -------------------------------------------------------- */

/* Login password: SHA-256 of the UTF-8 password as 64 uppercase hex
 * characters plus NUL into out[65]. 0, or BLUETTI_E_INVAL (NULL). */
BLUETTI_API int bluetti_cloud_password_hash(const char *password, char out[65]);

/* passOpen: AES-256-ECB of the password (PKCS#7) under the 32 ASCII bytes of
 * MD5(uppercase SHA-256 hex) in uppercase hex, written as lowercase hex into
 * out[0..cap). 0, BLUETTI_E_INVAL, or BLUETTI_E_NOMEM when cap is too small
 * (it needs 2*16*(strlen/16+1)+1 bytes). */
BLUETTI_API int bluetti_cloud_pass_open(const char *password, char *out, size_t cap);

/* The request sign: MD5 of
 * "currentUtcTime=<time, lowercase hex>&url=<url>&x-app-key=..&x-app-ver=..&x-os=..&x-sid=.."
 * as 32 uppercase hex characters plus NUL into out[33]. */
BLUETTI_API int bluetti_cloud_sign(uint64_t current_utc_time, const char *url,
                                   const char *app_key, const char *app_ver,
                                   const char *os, const char *sid, char out[33]);

/* The app's TOTP: 8 decimal digits plus NUL into out[9], from the strings A
 * and B (each at least 2 characters) and a time in milliseconds (the
 * server's clock). MQTT password: A = token part 1, B = token part 0.
 * Certificate download: A = user id, B = the x-device-id value. */
BLUETTI_API int bluetti_cloud_totp(const char *a, const char *b, uint64_t ms, char out[9]);

/* The TOTP's 30-second counter for a time in milliseconds (0 before the
 * epoch the app counts from). For checking a TOTP with a window. */
BLUETTI_API uint64_t bluetti_cloud_totp_counter(uint64_t ms);

/* AES-256-ECB with PKCS#7 under a key given as 32 ASCII characters (a sign
 * or an MD5 text: its bytes are the key, not hex-decoded).
 * encrypt: data[0..len) -> lowercase hex into out[0..cap) (NUL-terminated);
 *   needs cap >= 2*16*(len/16+1)+1, else BLUETTI_E_NOMEM.
 * decrypt: hex text (either case) -> plaintext into out[0..cap), *out_len
 *   set; BLUETTI_E_HEX for bad hex, BLUETTI_E_BAD_VALUE for a wrong key or
 *   bad padding, BLUETTI_E_NOMEM when cap is too small. On error out holds
 *   nothing (wiped). */
BLUETTI_API int bluetti_cloud_aes_encrypt_hex(const char key[32], const uint8_t *data, size_t len,
                                              char *out, size_t cap);
BLUETTI_API int bluetti_cloud_aes_decrypt_hex(const char key[32], const char *hex, uint8_t *out,
                                              size_t cap, size_t *out_len);

/* Split a login token "part0.part1[.more]" into its first two parts, copied
 * into p0[0..cap0) and p1[0..cap1). BLUETTI_E_INVAL when it has fewer than two
 * non-empty parts, BLUETTI_E_NOMEM when a buffer is too small. */
BLUETTI_API int bluetti_cloud_token_parts(const char *token, char *p0, size_t cap0,
                                          char *p1, size_t cap1);

/* ---- payload envelope -------------------------------------------------- */

/* How a Modbus frame travels in an MQTT payload. */
typedef enum bluetti_envelope_kind {
    BLUETTI_ENVELOPE_RAW = 0,   /* the bare Modbus RTU frame (older reference) */
    BLUETTI_ENVELOPE_OLD = 1,   /* one byte 01, then the frame (first-generation devices) */
    BLUETTI_ENVELOPE_NEW = 2,   /* 10-byte header 01 F8 0F <reg:2 BE> 00 00 00 00 00, then the frame */
} bluetti_envelope_kind;

#define BLUETTI_ENVELOPE_NEW_HEADER 10

/* "raw", "old", "new" -> kind; -1 for anything else. */
BLUETTI_API int bluetti_envelope_parse(const char *name);
/* kind -> "raw", "old", "new" ("?" otherwise). */
BLUETTI_API const char *bluetti_envelope_name(int kind);

/* Wrap frame[0..len) into out[0..cap): *out_len gets the payload length.
 * reg is the Modbus start register of the request (new envelope only).
 * BLUETTI_E_INVAL for an unknown kind, BLUETTI_E_NOMEM when cap is small. */
BLUETTI_API int bluetti_envelope_wrap(int kind, uint16_t reg, const uint8_t *frame, size_t len,
                                      uint8_t *out, size_t cap, size_t *out_len);

/* What unwrap learned from a payload's header. */
typedef struct bluetti_envelope_info {
    int kind;                 /* bluetti_envelope_kind found */
    uint16_t reg;             /* header register (new envelope), 0 when absent */
    int8_t rssi;              /* header byte 7 (new envelope), dBm */
    bool has_rssi;
    size_t header_len;        /* 0, 1 or 10 */
} bluetti_envelope_info;

/* Find the Modbus frame inside payload[0..len). The header is recognised by
 * its first bytes (01 F8: new; 01: old; else raw); where two readings are
 * possible (a bare reply from address 1 also starts with 01) the one whose
 * Modbus CRC checks wins, the `preferred` kind first. When no reading has a
 * good CRC the header-by-first-bytes reading is returned (the caller's CRC
 * check then reports it). *frame points into payload. 0, or BLUETTI_E_FRAME
 * for a payload too short to hold a header and a frame. */
BLUETTI_API int bluetti_envelope_unwrap(const uint8_t *payload, size_t len, int preferred,
                                        bluetti_envelope_info *info, const uint8_t **frame,
                                        size_t *frame_len);

/* ---- account client (login, devices, certificate, MQTT credentials) ---- */

/* An account client: one Bluetti cloud account, its login token, user id,
 * station list, measured clock offset and (once downloaded or loaded) its
 * PKCS#12 bundle. Opaque; not thread-safe (one thread at a time).
 *
 * Network calls (everything marked "HTTP") go to cfg.api_url over HTTPS
 * with libcurl: the system trust store plus cfg.cafile, TLS peer and host
 * checks always on, no redirects, TCP_NODELAY, cfg.timeout_ms per request.
 * An authenticated call that the cloud refuses as "token expired" (code 805)
 * logs in again once from the held secrets and repeats the call.
 *
 * Errors: every function returns 0 or a negative bluetti_err
 * (BLUETTI_E_ACCOUNT_PASSWORD, _ACCOUNT_UNKNOWN, _TOKEN_EXPIRED,
 * _NO_SUCH_STATION, _CERT_REVOKED, _CLOCK_SKEW, _CLOUD, _NOT_LOGGED_IN,
 * _CONNECT, _TIMEOUT, _TLS, _TLS_VERIFY, _IO, _INVAL, _NOMEM); then
 * bluetti_cloud_error_detail() says what went wrong and what to do. The
 * library never prints or logs anything and no detail text holds a secret.
 *
 * Secrets: the plaintext password lives only inside bluetti_cloud_login()
 * and is never kept. The client holds the password-equivalent secrets (the
 * uppercase SHA-256 hex and passOpen, enough to log in again), the token
 * and the bundle; bluetti_cloud_free() wipes them. Secrets handed to the
 * caller are heap copies that the caller releases with
 * bluetti_cloud_secret_free() / bluetti_cloud_bytes_free(), which wipe. */
typedef struct bluetti_cloud bluetti_cloud;

#define BLUETTI_CLOUD_DEFAULT_API_URL "https://gw.bluettipower.com"
#define BLUETTI_CLOUD_DEFAULT_BROKER  "iot.bluettipower.com:18760"

/* Settings for bluetti_cloud_new() / bluetti_cloud_profile_load(). Set
 * size = sizeof(bluetti_cloud_config) (bluetti_cloud_config_init does);
 * fields past a smaller size count as unset. NULL / 0 fields take the
 * defaults in the comments. Strings are copied. */
typedef struct bluetti_cloud_config {
    size_t size;
    const char *api_url;    /* base URL, https:// only; BLUETTI_CLOUD_DEFAULT_API_URL */
    const char *cafile;     /* extra trusted CA certificates (PEM), besides the system store; none */
    const char *device_id;  /* x-device-id header and PFX TOTP key; lowercase hex MD5 of "bluetti-c" */
    const char *os;         /* x-os header, enters the request sign; "android" */
    const char *app_ver;    /* x-app-ver header, enters the request sign; "3.0.6" */
    int timeout_ms;         /* whole-request timeout for each HTTP call; 15000 */
} bluetti_cloud_config;

/* Zero *cfg and set its size member. */
BLUETTI_API void bluetti_cloud_config_init(bluetti_cloud_config *cfg);

/* A client with no login. *out owned by the caller: bluetti_cloud_free().
 * cfg may be NULL (all defaults). BLUETTI_E_INVAL for a bad setting (a
 * non-https api_url, an unreadable cafile, size 0), and then detail
 * (may be NULL; detail_cap bytes, NUL-terminated) says which and what to do.
 * No network access. */
BLUETTI_API int bluetti_cloud_new(const bluetti_cloud_config *cfg, bluetti_cloud **out,
                                  char *detail, size_t detail_cap);

/* Wipe every held secret and free. NULL is fine. */
BLUETTI_API void bluetti_cloud_free(bluetti_cloud *c);

/* What the last failing call on c went wrong with and what to do; "" after
 * success. Owned by c, valid until the next call on c. Never holds secrets. */
BLUETTI_API const char *bluetti_cloud_error_detail(const bluetti_cloud *c);

/* HTTP. Log in with the account e-mail and plaintext password, then fetch
 * the user id. The password is read only during the call (its hash and
 * passOpen are derived and held; the local copies are wiped). Replaces any
 * earlier login held by c. BLUETTI_E_ACCOUNT_PASSWORD / _ACCOUNT_UNKNOWN
 * are final: do not retry with the same input. */
BLUETTI_API int bluetti_cloud_login(bluetti_cloud *c, const char *email, const char *password);

/* HTTP. Log in from the stored password-equivalent secrets: sha256_hex is
 * the 64 uppercase hex characters of bluetti_cloud_password_hash(),
 * pass_open the hex of bluetti_cloud_pass_open(). Both are copied and held
 * (secrets). Then fetches the user id. */
BLUETTI_API int bluetti_cloud_login_hashed(bluetti_cloud *c, const char *email,
                                           const char *sha256_hex, const char *pass_open);

/* HTTP when needed. Make sure c holds a token valid for at least
 * min_valid_s more seconds: log in again from the held secrets when it does
 * not (or when there is none). BLUETTI_E_NOT_LOGGED_IN when c holds no
 * secrets. A client loaded from a profile writes the new token back to it. */
BLUETTI_API int bluetti_cloud_ensure_login(bluetti_cloud *c, long min_valid_s);

/* Token expiry as Unix seconds (login time + the cloud's ttl; 0 when c has
 * no token). */
BLUETTI_API int64_t bluetti_cloud_token_expiry(const bluetti_cloud *c);

/* The account e-mail and user id; NULL before a login. Owned by c. */
BLUETTI_API const char *bluetti_cloud_account(const bluetti_cloud *c);
BLUETTI_API const char *bluetti_cloud_uid(const bluetti_cloud *c);

/* One station of the account, as the device list gave it. All strings
 * non-NULL ("" when the cloud gave none) except broker. Owned by c; valid
 * until the next bluetti_cloud_fetch_devices() or bluetti_cloud_free(). */
typedef struct bluetti_cloud_device {
    const char *sn;           /* full serial: model prefix + sub_sn */
    const char *sub_sn;       /* serial without the prefix; the topic key */
    const char *model;        /* cloud model string, e.g. "AP300", "EL100V2" */
    int protocol_ver;         /* factoryProtocolVer, 0 when absent */
    const char *payload_ver;  /* iotPayloadVer, e.g. "1.2"; "" when absent */
    bool online;              /* sessionState == "Online" */
    const char *broker;       /* iotSrvIp "host[:port]"; NULL when absent */
    bool has_secret;          /* an iotConnSecret exists: MQTT password "rmt:<secret>" */
} bluetti_cloud_device;

/* HTTP. Fetch the account's station list (replaces the held list). */
BLUETTI_API int bluetti_cloud_fetch_devices(bluetti_cloud *c);

/* The held list (fetched or loaded from a profile). */
BLUETTI_API size_t bluetti_cloud_device_count(const bluetti_cloud *c);
BLUETTI_API const bluetti_cloud_device *bluetti_cloud_device_at(const bluetti_cloud *c, size_t i);

/* The station whose sn or sub_sn equals serial (case-insensitive), or NULL
 * (then the detail names the serials the account has). */
BLUETTI_API const bluetti_cloud_device *bluetti_cloud_device_find(bluetti_cloud *c,
                                                                 const char *serial);

/* The broker "host:port" for station d (may be NULL: the account's): d's
 * iotSrvIp, else the x-iot-server header last seen at utc-time, else
 * BLUETTI_CLOUD_DEFAULT_BROKER; ":18760" is appended when no port is given.
 * Owned by c, valid until the next call on c. */
BLUETTI_API const char *bluetti_cloud_broker(bluetti_cloud *c, const bluetti_cloud_device *d);

/* HTTP. GET utc-time: sets *server_ms (may be NULL), measures and holds the
 * clock offset (server ms - local ms, half the round trip compensated) and
 * the x-iot-server broker; when cert_password is not NULL, decrypts the
 * certificate password from X-Signature into *cert_password (a heap
 * secret: release with bluetti_cloud_secret_free()). */
BLUETTI_API int bluetti_cloud_server_time(bluetti_cloud *c, uint64_t *server_ms,
                                          char **cert_password);

/* The clock offset last measured by bluetti_cloud_server_time (or stored in
 * a profile) in *offset_ms; false when none was measured. */
BLUETTI_API bool bluetti_cloud_clock_offset(const bluetti_cloud *c, int64_t *offset_ms);

/* HTTP. POST pfx with the x-app-resource proof built from cert_password and
 * the server time (measured now when no offset is held). The downloaded
 * PKCS#12 bytes (still encrypted under cert_password) are held by c (for
 * bluetti_cloud_profile_save) and, when p12 is not NULL, also copied to
 * *p12 / *p12_len (release with bluetti_cloud_bytes_free()).
 * BLUETTI_E_CERT_REVOKED when the cloud refuses the account's certificate;
 * BLUETTI_E_CLOCK_SKEW when the proof was refused and the clock offset is
 * more than 30 s. */
BLUETTI_API int bluetti_cloud_download_pfx(bluetti_cloud *c, const char *cert_password,
                                           uint8_t **p12, size_t *p12_len);

/* Flags for bluetti_cloud_certificate(). */
#define BLUETTI_CLOUD_CERT_FRESH 1u  /* download a new bundle even if one is held */

/* HTTP. What a TLS client needs: the certificate password (fresh from
 * utc-time, which also re-measures the clock offset) and the PKCS#12 bytes:
 * the held bundle when its MAC verifies under that password (and no
 * BLUETTI_CLOUD_CERT_FRESH), else a new download (a client loaded from a
 * profile writes the new bundle back to it). *p12 and *password are heap
 * secrets owned by the caller: bluetti_cloud_bytes_free(*p12, *p12_len) and
 * bluetti_cloud_secret_free(*password). Nothing is written in clear. */
BLUETTI_API int bluetti_cloud_certificate(bluetti_cloud *c, unsigned flags, uint8_t **p12,
                                          size_t *p12_len, char **password);

/* MQTT credentials for station d (NULL: the account's): *username =
 * "tid:<sid>"; *password = "rmt:<iotConnSecret>" when d has a secret, else
 * the 8-digit TOTP of (sid, token part 0) at local time + the held clock
 * offset (measured first over HTTP when none is held). Calls
 * bluetti_cloud_ensure_login(c, 60) first. Both heap strings owned by the
 * caller: bluetti_cloud_secret_free(). Compute them right before CONNECT. */
BLUETTI_API int bluetti_cloud_mqtt_credentials(bluetti_cloud *c, const bluetti_cloud_device *d,
                                               char **username, char **password);

/* Wipe and free a secret string / byte buffer from this API. NULL is fine. */
BLUETTI_API void bluetti_cloud_secret_free(char *secret);
BLUETTI_API void bluetti_cloud_bytes_free(uint8_t *bytes, size_t len);

/* ---- stored login profile ------------------------------------------------ */

/* File names inside a profile directory. */
#define BLUETTI_CLOUD_PROFILE_FILE "cloud-profile.json"
#define BLUETTI_CLOUD_PKCS12_FILE  "cloud-cert.p12"

/* The default profile directory: $XDG_CONFIG_HOME/bluetti, else
 * $HOME/.config/bluetti. *dir is a heap string owned by the caller (free()).
 * BLUETTI_E_INVAL when neither variable is set (absolute). */
BLUETTI_API int bluetti_cloud_default_dir(char **dir);

/* Write c's login to dir (NULL: the default directory; created 0700, its
 * missing parents 0700; an existing dir of ours is made 0700, one of
 * another user refused): BLUETTI_CLOUD_PROFILE_FILE (account e-mail, the
 * password hash and passOpen, the token and its expiry, uid, device list,
 * broker, clock offset, api_url, cafile path, device_id, os, app_ver) and,
 * when c holds a bundle, BLUETTI_CLOUD_PKCS12_FILE exactly as downloaded
 * (encrypted). Each file 0600, written atomically (temp file in dir, fsync, rename, fsync
 * dir). Never the certificate password or a decrypted key. c then
 * remembers dir as its profile (see ensure_login / certificate). When
 * path is not NULL *path gets the profile file's path (heap, free()). */
BLUETTI_API int bluetti_cloud_profile_save(bluetti_cloud *c, const char *dir, char **path);

/* A client from a stored profile. path: the profile file, or a directory
 * holding one, or NULL for the default directory (what the client writes
 * back later goes to BLUETTI_CLOUD_PROFILE_FILE in that directory). cfg may be NULL; its
 * non-NULL fields override the stored ones (timeout_ms is never stored;
 * a stored cafile must still be readable). No network access. *out owned by the caller:
 * bluetti_cloud_free(). BLUETTI_E_NOT_LOGGED_IN when there is no profile;
 * BLUETTI_E_IO when it cannot be read or is readable by group/other;
 * BLUETTI_E_CLOUD when it is malformed; BLUETTI_E_INVAL for a bad cfg. On
 * failure *out is NULL and detail (may be NULL) says what was wrong with
 * which file and what to do. */
BLUETTI_API int bluetti_cloud_profile_load(const char *path, const bluetti_cloud_config *cfg,
                                           bluetti_cloud **out, char *detail, size_t detail_cap);

/* The profile directory c was loaded from or last saved to; NULL if none.
 * Owned by c. */
BLUETTI_API const char *bluetti_cloud_profile_dir(const bluetti_cloud *c);

/* The broker key pin kept with the login (stored by profile_save): pin is
 * "SHA256-" and the 64 hex digits of the SHA-256 of the broker's DER
 * public key (SubjectPublicKeyInfo), or NULL to drop the pin. The string
 * is copied. BLUETTI_E_INVAL for any other form (c unchanged). */
BLUETTI_API int bluetti_cloud_set_broker_pin(bluetti_cloud *c, const char *pin);

/* The pin kept with the login, "SHA256-" and 64 lower-case hex digits, or
 * NULL when there is none. Owned by c. */
BLUETTI_API const char *bluetti_cloud_broker_pin(const bluetti_cloud *c);

/* Which files bluetti_cloud_profile_remove() removed. */
#define BLUETTI_CLOUD_REMOVED_PROFILE 1u
#define BLUETTI_CLOUD_REMOVED_PKCS12  2u

/* Remove the stored login in dir (NULL: the default directory): the
 * profile file and the bundle, and the directory itself when that leaves
 * it empty. *removed (may be NULL) gets the BLUETTI_CLOUD_REMOVED_* bits of
 * what existed and was removed. BLUETTI_E_NOT_LOGGED_IN when neither file
 * existed; BLUETTI_E_IO when one could not be removed (detail, may be NULL,
 * says which and why). */
BLUETTI_API int bluetti_cloud_profile_remove(const char *dir, unsigned *removed, char *detail,
                                             size_t detail_cap);

BLUETTI_END_DECLS
#endif
