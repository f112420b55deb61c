/* totp_tool: libbluetti-cloud's algorithms on the command line, for the
 * shell tests of the simulated cloud and the broker's auth plugin (a check
 * program, never installed). Every value comes from the library:
 *
 *   totp_tool hash PASSWORD                  login password (SHA-256, upper hex)
 *   totp_tool passopen PASSWORD              passOpen
 *   totp_tool totp A B MS                    the TOTP at MS
 *   totp_tool totp-now A B [OFFSET_MS]       the TOTP now (+ offset)
 *   totp_tool mqtt-totp TOKEN [OFFSET_MS]    MQTT password for a login token, now
 *   totp_tool sid TOKEN | part0 TOKEN        token parts
 *   totp_tool sign TIME URL APPKEY APPVER OS SID
 *   totp_tool aes-enc KEY32 TEXT | aes-dec KEY32 HEX
 *   totp_tool pfx-proof UID DEVICE-ID APPKEY APPVER OS SID PASSWORD [OFFSET_MS]
 *                                            x-app-resource now (+ offset)
 *   totp_tool now-ms
 *
 * Exit status 0, 1 when the library refuses the input, 2 for bad usage.
 */
#include "config.h"

#include <bluetti/cloud.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int usage(void)
{
    fputs("totp_tool: bad usage (see the comment at the top of tests/integration/cloud/totp_tool.c)\n",
          stderr);
    return 2;
}

static uint64_t now_ms(int argc, char **argv, int off_idx)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    if (off_idx < argc) ms += strtoll(argv[off_idx], NULL, 10);
    return (uint64_t)ms;
}

static int out(int rc, const char *s)
{
    if (rc != 0) {
        fprintf(stderr, "totp_tool: the library refused the input (%d)\n", rc);
        return 1;
    }
    puts(s);
    return 0;
}

static int token_part(const char *token, int which)
{
    char p0[256], p1[256];
    int rc = bluetti_cloud_token_parts(token, p0, sizeof p0, p1, sizeof p1);
    return out(rc, which ? p1 : p0);
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage();
    const char *cmd = argv[1];
    char buf[1024];
    if (strcmp(cmd, "hash") == 0 && argc == 3) return out(bluetti_cloud_password_hash(argv[2], buf), buf);
    if (strcmp(cmd, "passopen") == 0 && argc == 3)
        return out(bluetti_cloud_pass_open(argv[2], buf, sizeof buf), buf);
    if (strcmp(cmd, "totp") == 0 && argc == 5)
        return out(bluetti_cloud_totp(argv[2], argv[3], strtoull(argv[4], NULL, 10), buf), buf);
    if (strcmp(cmd, "totp-now") == 0 && (argc == 4 || argc == 5))
        return out(bluetti_cloud_totp(argv[2], argv[3], now_ms(argc, argv, 4), buf), buf);
    if (strcmp(cmd, "mqtt-totp") == 0 && (argc == 3 || argc == 4)) {
        char p0[256], p1[256];
        int rc = bluetti_cloud_token_parts(argv[2], p0, sizeof p0, p1, sizeof p1);
        if (rc == 0) rc = bluetti_cloud_totp(p1, p0, now_ms(argc, argv, 3), buf);
        return out(rc, buf);
    }
    if (strcmp(cmd, "sid") == 0 && argc == 3) return token_part(argv[2], 1);
    if (strcmp(cmd, "part0") == 0 && argc == 3) return token_part(argv[2], 0);
    if (strcmp(cmd, "sign") == 0 && argc == 8)
        return out(bluetti_cloud_sign(strtoull(argv[2], NULL, 10), argv[3], argv[4], argv[5],
                                      argv[6], argv[7], buf), buf);
    if ((strcmp(cmd, "aes-enc") == 0 || strcmp(cmd, "aes-dec") == 0) && argc == 4) {
        if (strlen(argv[2]) != 32) return usage();
        if (cmd[4] == 'e')
            return out(bluetti_cloud_aes_encrypt_hex(argv[2], (const uint8_t *)argv[3],
                                                     strlen(argv[3]), buf, sizeof buf), buf);
        size_t n = 0;
        int rc = bluetti_cloud_aes_decrypt_hex(argv[2], argv[3], (uint8_t *)buf, sizeof buf - 1, &n);
        if (rc == 0) buf[n] = '\0';
        return out(rc, buf);
    }
    if (strcmp(cmd, "pfx-proof") == 0 && (argc == 9 || argc == 10)) {
        char totp[9], sign[33];
        int rc = bluetti_cloud_totp(argv[2], argv[3], now_ms(argc, argv, 9), totp);
        if (rc == 0)
            rc = bluetti_cloud_sign(strtoull(totp, NULL, 10), "/api/midppkic/cert/app/v1/pfx",
                                    argv[4], argv[5], argv[6], argv[7], sign);
        if (rc == 0)
            rc = bluetti_cloud_aes_encrypt_hex(sign, (const uint8_t *)argv[8], strlen(argv[8]),
                                               buf, sizeof buf);
        return out(rc, buf);
    }
    if (strcmp(cmd, "now-ms") == 0 && argc == 2) {
        printf("%" PRIu64 "\n", now_ms(argc, argv, 2));
        return 0;
    }
    return usage();
}
