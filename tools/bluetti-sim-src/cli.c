/* bluetti-sim: the command line. */
#include "config.h"

#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

static const char usage_text[] =
"Usage: bluetti-sim --device FILE [--sn SERIAL] [--device FILE [--sn SERIAL]]...\n"
"                   --cert P12 [--password P | --password-file F] [options]\n"
"       bluetti-sim --cloud CONFIG --cloud-cert PEM --cloud-key PEM [--cloud-port N]\n"
"       bluetti-sim --ble SOCKET --device FILE [--sn SERIAL] [--ble-keys FILE]\n"
"                   [--ble-faults SPEC]\n"
"\n"
"Plays one or more Bluetti V2 power stations on a real MQTT broker, the way\n"
"the devices do on the Bluetti cloud: each device listens on SUB/<serial> and\n"
"answers Modbus read requests on PUB/<serial> from its device image\n"
"(data/devices/*.json). Point bluetti-tool (transport mqtt) or your own\n"
"program at the same broker to talk to it. Runs until SIGINT or SIGTERM.\n"
"\n"
"Devices:\n"
"  -d, --device FILE      a device image (repeat for more devices)\n"
"  -s, --sn SERIAL        serial number for the preceding --device (default:\n"
"                         the image's); a decimal serial also shows in block 100\n"
"\n"
"Broker:\n"
"  -b, --broker HOST      broker host name or address (default localhost)\n"
"  -p, --port N           broker TLS port (default 18760)\n"
"  -c, --cert FILE        PKCS#12 (.p12/.pfx) client certificate (required);\n"
"                         decrypted in memory, never written anywhere\n"
"      --password P       its password (visible to other users in ps: prefer\n"
"                         --password-file or $BLUETTI_CERT_PASSWORD)\n"
"      --password-file F  read the password from the first line of F\n"
"      --cafile FILE      extra CA certificates (PEM) to trust for the broker\n"
"      --insecure         do NOT verify the broker's certificate (tests only)\n"
"      --client-id ID     MQTT client id (default bluetti-sim_<8 random hex>)\n"
"      --keepalive S      MQTT keepalive in seconds (default 60)\n"
"      --qos N            0 or 1 (default 1)\n"
"      --connect-timeout S   seconds to wait for the broker (default 10)\n"
"      --mqtt-username U  MQTT user name (e.g. device:<subSn> for the test broker's\n"
"                         auth plugin); none by default\n"
"      --mqtt-password P  MQTT password (visible in ps: prefer the file or\n"
"                         $BLUETTI_MQTT_PASSWORD)\n"
"      --mqtt-password-file F   read it from the first line of F\n"
"\n"
"Live cloud framing (docs/protocol/transport-mqtt-live.md):\n"
"      --live             listen on SUB/<model>/<serial> and answer on\n"
"                         PUB/<model>/<serial> in the envelope the image names\n"
"                         (\"envelope\": new, old or raw; new by default for\n"
"                         protocol 2000 and above); without it: SUB/<serial>,\n"
"                         PUB/<serial> and bare Modbus frames\n"
"\n"
"The simulated cloud (instead of devices):\n"
"      --cloud CONFIG     serve the cloud's HTTPS login and certificate API on\n"
"                         127.0.0.1 for the accounts in CONFIG (JSON, see\n"
"                         bluetti-sim(1) and examples/cloud-sim.json)\n"
"      --cloud-cert PEM   its TLS certificate (chain) file\n"
"      --cloud-key PEM    its TLS private key file\n"
"      --cloud-port N     TCP port (default 0: any free one; see --ready-file)\n"
"\n"
"One station over Bluetooth's protocol (instead of a broker):\n"
"      --ble SOCKET       serve the --device on a unix SOCK_SEQPACKET socket:\n"
"                         each packet in is a GATT write, each packet out a\n"
"                         notification (docs/transport-ble.md, \"Testing\")\n"
"      --ble-keys FILE    the station's keys file (its signing key, the\n"
"                         client's public key, the app key); not needed\n"
"                         with --ble-faults plain\n"
"      --ble-faults SPEC  link faults: plain (no encryption), repeat-key,\n"
"                         reject-key, silent, fragment[=N] (20 bytes),\n"
"                         drop=N (every Nth request); comma-separated\n"
"\n"
"Behaviour:\n"
"  -f, --faults SPEC      inject faults into every device's answers, e.g.\n"
"                         delay=0.5          wait 0.5 s before each reply\n"
"                         drop=0.1           10% of requests get no reply\n"
"                         crc=0.5            50% of replies carry a bad CRC\n"
"                         short=1            every reply is cut short\n"
"                         exception=1300:2   reads of block 1300 get exception 2\n"
"                         disconnect=5       drop the broker connection on every\n"
"                                            5th request (then reconnect)\n"
"                         seed=7             repeatable random choices\n"
"                         write_exception=2011:3  writes of register 2011\n"
"                                            get exception 3 (no change)\n"
"                         write_drop=1       writes are applied, not answered\n"
"                         write_lost=1       writes are neither applied nor\n"
"                                            answered\n"
"                         write_ignore=1     writes are echoed, not applied\n"
"                         write_bad_echo=1   writes are applied, the echo\n"
"                                            carries another value\n"
"                         combine with commas: delay=0.2,drop=0.1,seed=7\n"
"                         Writes (0x06, 0x10) change the device's registers,\n"
"                         so later reads return them; each is logged.\n"
"      --ready-file PATH  once every device is subscribed, write PATH (the\n"
"                         pid and the serials; with --cloud: the pid and\n"
"                         \"port N\"); removed again on exit\n"
"  -v, --verbose          log every request and answer, and libmosquitto's\n"
"                         warnings\n"
"  -q, --quiet            log errors only\n"
"  -h, --help             this help;   -V, --version   the version\n"
"\n"
"When every device is subscribed it prints one line starting with\n"
"\"bluetti-sim: ready\" on standard output. Replies are delayed with timers:\n"
"a slow device never holds up the others.\n"
"\n"
"Example (a local mosquitto with a TLS listener on 8883):\n"
"  BLUETTI_CERT_PASSWORD=secret bluetti-sim --broker localhost --port 8883 \\\n"
"      --cert sim.p12 --cafile ca.crt --device el100v2.json --sn 2345000223861\n"
"\n"
"Numbers are decimal digits (N), with a '.' fraction for seconds (S): 5, 0.5;\n"
"signs, exponents (1e3), hex and spaces are refused.\n"
"\n"
"Exit status: 0 after SIGINT/SIGTERM, 1 when something fails at run time\n"
"(image, certificate, password file, connection), 2 for a command-line mistake.\n";

enum {
    OPT_PASSWORD = 256, OPT_PASSWORD_FILE, OPT_CAFILE, OPT_INSECURE, OPT_CLIENT_ID,
    OPT_KEEPALIVE, OPT_QOS, OPT_READY_FILE, OPT_CONNECT_TIMEOUT,
    OPT_MQTT_USERNAME, OPT_MQTT_PASSWORD, OPT_MQTT_PASSWORD_FILE,
    OPT_CLOUD, OPT_CLOUD_CERT, OPT_CLOUD_KEY, OPT_CLOUD_PORT,
    OPT_LIVE, /* live cloud framing */
    OPT_BLE, OPT_BLE_KEYS, OPT_BLE_FAULTS, /* --ble */
};

static const struct option long_opts[] = {
    { "device", required_argument, NULL, 'd' },
    { "sn", required_argument, NULL, 's' },
    { "broker", required_argument, NULL, 'b' },
    { "port", required_argument, NULL, 'p' },
    { "cert", required_argument, NULL, 'c' },
    { "password", required_argument, NULL, OPT_PASSWORD },
    { "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
    { "cafile", required_argument, NULL, OPT_CAFILE },
    { "insecure", no_argument, NULL, OPT_INSECURE },
    { "client-id", required_argument, NULL, OPT_CLIENT_ID },
    { "keepalive", required_argument, NULL, OPT_KEEPALIVE },
    { "qos", required_argument, NULL, OPT_QOS },
    { "faults", required_argument, NULL, 'f' },
    { "ready-file", required_argument, NULL, OPT_READY_FILE },
    { "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
    { "mqtt-username", required_argument, NULL, OPT_MQTT_USERNAME },
    { "mqtt-password", required_argument, NULL, OPT_MQTT_PASSWORD },
    { "mqtt-password-file", required_argument, NULL, OPT_MQTT_PASSWORD_FILE },
    { "cloud", required_argument, NULL, OPT_CLOUD },
    { "cloud-cert", required_argument, NULL, OPT_CLOUD_CERT },
    { "cloud-key", required_argument, NULL, OPT_CLOUD_KEY },
    { "cloud-port", required_argument, NULL, OPT_CLOUD_PORT },
    { "live", no_argument, NULL, OPT_LIVE },
    { "ble", required_argument, NULL, OPT_BLE },
    { "ble-keys", required_argument, NULL, OPT_BLE_KEYS },
    { "ble-faults", required_argument, NULL, OPT_BLE_FAULTS },
    { "verbose", no_argument, NULL, 'v' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

static int usage_error(const char *fmt, ...) BLUETTI_PRINTF(1, 2);
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bluetti-sim: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'bluetti-sim --help' for more information.\n");
    return EXIT_USAGE;
}

/* ---- untrusted text and strict numbers --------------------------------------- */

/* Decimal digits only (no sign, space, '+' or hex), in [min, max]. */
static bool parse_int(const char *s, long min, long max, int *out)
{
    long v;
    if (s[0] == '-' || bt_parse_whole(s, false, &v) != BT_NUM_OK || v < min || v > max) return false;
    *out = (int)v;
    return true;
}

/* Seconds: digits with an optional '.' fraction (5, 0.5), in (0, max]. */
static bool parse_seconds(const char *s, double max, double *out)
{
    double v;
    if (s[0] == '-' || bt_parse_decimal(s, &v) != BT_NUM_OK || !(v > 0) || v > max) return false;
    *out = v;
    return true;
}

static void set_secret(char **dst, const char *pw)
{
    if (*dst) {
        OPENSSL_cleanse(*dst, strlen(*dst));
        free(*dst);
    }
    *dst = strdup(pw);
}

static void set_password(sim_args *a, const char *pw)
{
    set_secret(&a->password, pw);
}

/* The first line of a regular file (non-blocking: a FIFO must not hang
 * the simulator; a directory or device is refused). */
static int read_password_file(char **dst, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    const char *why = NULL;
    int e = 0;
    if (fd < 0 || fstat(fd, &st) != 0) e = errno;
    else if (!S_ISREG(st.st_mode)) why = "not a regular file";
    if (e || why) {
        fprintf(stderr, "bluetti-sim: cannot read the password file %s: %s\n",
                bt_shown_path(path), why ? why : strerror(e));
        if (fd >= 0) close(fd);
        return 1;
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        fprintf(stderr, "bluetti-sim: cannot read the password file %s: %s\n",
                bt_shown_path(path), strerror(errno));
        close(fd);
        return 1;
    }
    char buf[1024];
    bool got = fgets(buf, sizeof buf, f) != NULL;
    bool failed = ferror(f) != 0;
    fclose(f);
    if (!got) buf[0] = '\0';
    size_t n = strcspn(buf, "\r\n");
    /* a line that fills the buffer without its end: a cut password would
     * only fail later, as a wrong password */
    bool too_long = got && buf[n] == '\0' && n == sizeof buf - 1;
    buf[n] = '\0';
    if (!failed && !too_long) set_secret(dst, buf);
    OPENSSL_cleanse(buf, sizeof buf);
    if (failed || too_long) {
        fprintf(stderr, "bluetti-sim: cannot read the password file %s: %s\n",
                bt_shown_path(path),
                too_long ? "its first line is longer than 1022 characters" : "read error");
        return 1;
    }
    return 0;
}

void sim_args_free(sim_args *a)
{
    if (!a) return;
    free(a->devices);
    if (a->password) {
        OPENSSL_cleanse(a->password, strlen(a->password));
        free(a->password);
    }
    if (a->mqtt_password) {
        OPENSSL_cleanse(a->mqtt_password, strlen(a->mqtt_password));
        free(a->mqtt_password);
    }
    memset(a, 0, sizeof *a);
}

static char no_arg[1]; /* "" that may be written to, see sim_parse_args() */

int sim_parse_args(int argc, char **argv, sim_args *a)
{
    memset(a, 0, sizeof *a);
    a->broker = "localhost";
    a->port = 18760;
    a->keepalive = 60;
    a->qos = 1;
    a->connect_timeout_s = 10;
    a->verbosity = 1;
    const char *password_file = NULL, *mqtt_password_file = NULL;
    bool have_password = false, have_mqtt_password = false;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":d:s:b:p:c:f:vqhV", long_opts, NULL)) != -1) {
        /* Every option with a value is required_argument and the optstring starts
         * with ':', so getopt_long sets optarg for them; the fallback only spares
         * the analyzer (which does not model getopt_long) a NULL it cannot get. */
        char *arg = optarg ? optarg : no_arg;
        switch (c) {
        case 'd': {
            sim_device_arg *nv = realloc(a->devices, (a->n_devices + 1) * sizeof *nv);
            if (!nv) {
                fprintf(stderr, "bluetti-sim: out of memory\n");
                return 1;
            }
            a->devices = nv;
            a->devices[a->n_devices++] = (sim_device_arg){ .path = arg };
            break;
        }
        case 's':
            if (a->n_devices == 0)
                return usage_error("--sn %s: give it after the --device it belongs to",
                                   bt_shown(arg));
            if (a->devices[a->n_devices - 1].serial)
                return usage_error("--sn %s: this --device already has a serial",
                                   bt_shown(arg));
            a->devices[a->n_devices - 1].serial = arg;
            break;
        case 'b':
            if (!*arg) return usage_error("--broker needs a host name");
            a->broker = arg;
            break;
        case 'p':
            if (!parse_int(arg, 1, 65535, &a->port))
                return usage_error("--port %s: expected a port number from 1 to 65535 "
                                   "(decimal digits)", bt_shown(arg));
            break;
        case 'c':
            a->cert = arg;
            break;
        case OPT_PASSWORD:
            set_password(a, arg);
            /* hide it from ps as far as we can */
            memset(arg, 0, strlen(arg));
            have_password = true;
            break;
        case OPT_PASSWORD_FILE:
            password_file = arg;
            break;
        case OPT_CAFILE:
            a->cafile = arg;
            break;
        case OPT_INSECURE:
            a->insecure = true;
            break;
        case OPT_CLIENT_ID:
            if (!*arg) return usage_error("--client-id must not be empty");
            a->client_id = arg;
            break;
        case OPT_KEEPALIVE:
            if (!parse_int(arg, 5, 65535, &a->keepalive))
                return usage_error("--keepalive %s: expected 5 to 65535 seconds (decimal "
                                   "digits)", bt_shown(arg));
            break;
        case OPT_QOS:
            if (!parse_int(arg, 0, 1, &a->qos))
                return usage_error("--qos %s: expected 0 or 1", bt_shown(arg));
            break;
        case OPT_CONNECT_TIMEOUT:
            if (!parse_seconds(arg, 3600, &a->connect_timeout_s))
                return usage_error("--connect-timeout %s: expected seconds (> 0, <= 3600) "
                                   "written like 10 or 2.5", bt_shown(arg));
            break;
        case OPT_MQTT_USERNAME:
            if (!*arg) return usage_error("--mqtt-username must not be empty");
            a->mqtt_username = arg;
            break;
        case OPT_MQTT_PASSWORD:
            set_secret(&a->mqtt_password, arg);
            memset(arg, 0, strlen(arg));
            have_mqtt_password = true;
            break;
        case OPT_MQTT_PASSWORD_FILE:
            mqtt_password_file = arg;
            break;
        case OPT_CLOUD:
            a->cloud_config = arg;
            break;
        case OPT_CLOUD_CERT:
            a->cloud_cert = arg;
            break;
        case OPT_CLOUD_KEY:
            a->cloud_key = arg;
            break;
        case OPT_CLOUD_PORT:
            if (!parse_int(arg, 0, 65535, &a->cloud_port))
                return usage_error("--cloud-port %s: expected a port number from 0 (any free "
                                   "one) to 65535 (decimal digits)", bt_shown(arg));
            break;
        case 'f': {
            char why[256] = "";
            if (bt_sim_faults_parse(arg, &a->faults, why, sizeof why) != 0) {
                fprintf(stderr, "bluetti-sim: --faults %s: %s\n"
                        "Try 'bluetti-sim --help' for the fault syntax.\n", bt_shown(arg),
                        why[0] ? bt_shown_path(why) : "not a valid fault spec");
                return EXIT_USAGE;
            }
            a->faults_spec = arg;
            break;
        }
        case OPT_READY_FILE:
            a->ready_file = arg;
            break;
        case OPT_LIVE: /* live cloud framing */
            a->live = true;
            break;
        case OPT_BLE:
            if (!*arg) return usage_error("--ble needs a socket path");
            a->ble_socket = arg;
            break;
        case OPT_BLE_KEYS:
            a->ble_keys = arg;
            break;
        case OPT_BLE_FAULTS:
            a->ble_faults = arg;
            break;
        case 'v':
            a->verbosity++;
            break;
        case 'q':
            a->verbosity = 0;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return -1;
        case 'V':
            printf("bluetti-sim %s (libbluetti %s)\n", PACKAGE_VERSION, bluetti_version());
            return -1;
        case ':':
            return usage_error("%s needs a value", bt_shown(argv[optind - 1]));
        default:
            return usage_error("unknown option %s", bt_shown(argv[optind - 1]));
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s' (options only)", bt_shown(argv[optind]));
    if (a->cloud_config) {
        if (a->n_devices || a->cert)
            return usage_error("--cloud plays the cloud only: start the devices (--device, "
                               "--cert) in a second bluetti-sim");
        if (!a->cloud_cert || !a->cloud_key)
            return usage_error("--cloud needs --cloud-cert and --cloud-key (the HTTPS "
                               "server's certificate and key, PEM)");
        return 0;
    }
    if (a->cloud_cert || a->cloud_key || a->cloud_port)
        return usage_error("--cloud-cert, --cloud-key and --cloud-port go with --cloud CONFIG");
    if (a->ble_socket) {
        if (a->n_devices != 1 || a->cert)
            return usage_error("--ble serves exactly one --device and no broker (--cert): "
                               "start one bluetti-sim per station");
        return 0;
    }
    if (a->ble_keys || a->ble_faults)
        return usage_error("--ble-keys and --ble-faults go with --ble SOCKET");
    if (a->n_devices == 0)
        return usage_error("no device: give at least one --device FILE (see data/devices/)");
    if (!a->cert)
        return usage_error("no --cert: the broker needs a PKCS#12 client certificate");
    if ((have_mqtt_password || mqtt_password_file) && !a->mqtt_username)
        return usage_error("--mqtt-password needs --mqtt-username");
    if (password_file) {
        if (read_password_file(&a->password, password_file) != 0) return 1;
    } else if (!have_password) {
        const char *env = getenv("BLUETTI_CERT_PASSWORD");
        if (env) set_password(a, env);
    }
    if (!a->password) set_password(a, "");
    if (mqtt_password_file) {
        if (read_password_file(&a->mqtt_password, mqtt_password_file) != 0) return 1;
    } else if (!have_mqtt_password && a->mqtt_username) {
        const char *env = getenv("BLUETTI_MQTT_PASSWORD");
        if (env) set_secret(&a->mqtt_password, env);
    }
    if (!a->password) {
        fprintf(stderr, "bluetti-sim: out of memory\n");
        return 1;
    }
    return 0;
}
