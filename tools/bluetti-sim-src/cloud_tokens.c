/* bluetti-sim --cloud: the login tokens it issued, and the tokens file the
 * test broker's auth plugin (tests/integration/cloud/auth_plugin.c) reads to check
 * MQTT credentials. File format: docs/protocol/cloud.md, "The simulated
 * cloud". It holds only test tokens of the simulated accounts; it is 0644
 * because the broker runs as another user. */
#include "config.h"

#include "cloud.h"
#include "bt_escape.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

static int random_hex(char *out, size_t n_chars)
{
    uint8_t b[CLOUD_PART_LEN / 2];
    static const char digits[] = "0123456789abcdef";
    if (n_chars / 2 > sizeof b || RAND_bytes(b, (int)(n_chars / 2)) != 1) return -1;
    for (size_t i = 0; i < n_chars / 2; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[n_chars] = '\0';
    OPENSSL_cleanse(b, sizeof b);
    return 0;
}

int cloud_token_issue(cloud_tokens *ts, size_t acct, const cloud_token **out)
{
    if (ts->n == ts->cap) {
        size_t nc = ts->cap ? ts->cap * 2 : 8;
        cloud_token *nt = realloc(ts->t, nc * sizeof *nt);
        if (!nt) return -1;
        ts->t = nt;
        ts->cap = nc;
    }
    cloud_token *t = &ts->t[ts->n];
    char sig[CLOUD_PART_LEN + 1];
    if (random_hex(t->part0, CLOUD_PART_LEN) || random_hex(t->sid, CLOUD_PART_LEN) ||
        random_hex(sig, CLOUD_PART_LEN) || random_hex(t->refresh, CLOUD_PART_LEN))
        return -1;
    snprintf(t->text, sizeof t->text, "%s.%s.%s", t->part0, t->sid, sig);
    OPENSSL_cleanse(sig, sizeof sig);
    t->acct = acct;
    t->expires_ms = bt_wall_ms() + (int64_t)ts->cfg->accts[acct].ttl_s * 1000;
    ts->n++;
    *out = t;
    char why[512];
    if (cloud_tokens_write(ts, why, sizeof why) != 0)
        fprintf(stderr, "bluetti-sim: cloud: %s\n", why);
    return 0;
}

const cloud_token *cloud_token_find(const cloud_tokens *ts, const char *s)
{
    int64_t now = bt_wall_ms();
    for (size_t i = 0; i < ts->n; i++)
        if (ts->t[i].expires_ms > now && strcmp(ts->t[i].text, s) == 0) return &ts->t[i];
    return NULL;
}

int cloud_tokens_expire(cloud_tokens *ts)
{
    int64_t now = bt_wall_ms(), next = -1;
    bool gone = false;
    for (size_t i = 0; i < ts->n;) {
        if (ts->t[i].expires_ms <= now) {
            OPENSSL_cleanse(&ts->t[i], sizeof ts->t[i]);
            ts->t[i] = ts->t[--ts->n];
            gone = true;
            continue;
        }
        int64_t left = ts->t[i].expires_ms - now;
        if (next < 0 || left < next) next = left;
        i++;
    }
    if (gone) {
        char why[512];
        if (cloud_tokens_write(ts, why, sizeof why) != 0)
            fprintf(stderr, "bluetti-sim: cloud: %s\n", why);
    }
    if (next > 1000000) next = 1000000;
    return (int)next;
}

static void write_lines(FILE *f, const cloud_tokens *ts)
{
    const cloud_config *c = ts->cfg;
    fputs("# bluetti-sim --cloud: valid test tokens, read by the test broker's auth plugin\n", f);
    for (size_t i = 0; i < ts->n; i++) {
        const cloud_account *a = &c->accts[ts->t[i].acct];
        fprintf(f, "%s %s %s", ts->t[i].part0, ts->t[i].sid, a->email);
        for (size_t j = 0; j < a->n_devs; j++)
            if (a->devs[j].conn_secret) fprintf(f, " %s", a->devs[j].conn_secret);
        fputc('\n', f);
    }
    for (size_t i = 0; i < c->n_accts; i++) {
        const cloud_account *a = &c->accts[i];
        if (a->session_taken) fprintf(f, "taken %s\n", a->email);
        if (a->clock_offset_ms) fprintf(f, "clock %s %" PRId64 "\n", a->email, a->clock_offset_ms);
        for (size_t j = 0; j < a->n_devs; j++) {
            const cloud_device *d = &a->devs[j];
            fprintf(f, "station %s %s %s\n", a->email, d->model, d->sub_sn);
            if (d->device_secret) fprintf(f, "device %s %s\n", d->sub_sn, d->device_secret);
        }
    }
}

int cloud_tokens_write(const cloud_tokens *ts, char *why, size_t why_len)
{
    const char *path = ts->cfg->tokens_file;
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    snprintf(tmp, n, "%s.%ld.tmp", path, (long)getpid());
    unlink(tmp);
    /* a new file of our own, never through a link someone put there */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    FILE *f = NULL;
    if (fd >= 0) {
        fchmod(fd, 0644); /* whatever the umask: the broker's user reads it */
        f = fdopen(fd, "w");
        if (!f) close(fd);
    }
    bool ok = f != NULL;
    if (f) {
        write_lines(f, ts);
        ok = fflush(f) == 0 && !ferror(f) && fsync(fileno(f)) == 0;
        if (fclose(f) != 0) ok = false;
    }
    if (ok && rename(tmp, path) != 0) ok = false;
    if (!ok) {
        int e = errno;
        unlink(tmp);
        snprintf(why, why_len, "cannot write the tokens file %s: %s", bt_shown_path(path),
                 strerror(e));
    }
    free(tmp);
    return ok ? 0 : -1;
}

void cloud_tokens_free(cloud_tokens *ts)
{
    if (ts->t) OPENSSL_cleanse(ts->t, ts->cap * sizeof *ts->t);
    free(ts->t);
    ts->t = NULL;
    ts->n = ts->cap = 0;
}
