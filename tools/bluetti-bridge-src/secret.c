/* Secrets (the certificate password, the target broker's password) come
 * from a file only its owner can read, or from systemd's credentials
 * directory: never from the command line, never in clear in the config. */
#include "config.h"

#include "bridge.h"

#include "bt_escape.h"
#include "bt_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET_MAX 4096

static int read_first_line(int fd, const char *shown, char **out, char *err, size_t err_len)
{
    char *buf = malloc(SECRET_MAX + 1);
    if (!buf) {
        bt_fmt(err, err_len, "out of memory");
        return -1;
    }
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, SECRET_MAX - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            bt_fmt(err, err_len, "cannot read %s: %s", shown, strerror(errno));
            bt_wipe(buf, SECRET_MAX + 1);
            free(buf);
            return -1;
        }
        if (n == 0 || (len += (size_t)n) == SECRET_MAX) break;
    }
    buf[len] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    if (!*buf) {
        bt_fmt(err, err_len, "%s is empty; put the password on its first line", shown);
        free(buf);
        return -1;
    }
    *out = buf;
    return 0;
}

int br_secret_file(const char *path, char **out, char *err, size_t err_len)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        bt_fmt(err, err_len, "cannot read password file %s: %s; check the path",
               bt_shown_path(path), strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    int rc = -1;
    if (!S_ISREG(st.st_mode))
        bt_fmt(err, err_len, "password file %s is not a regular file", bt_shown_path(path));
    else if (st.st_mode & (S_IRWXG | S_IRWXO))
        bt_fmt(err, err_len, "password file %s can be read by other users; run 'chmod 600 %s'",
               bt_shown_path(path), bt_shown_path(path));
    else
        rc = read_first_line(fd, bt_shown_path(path), out, err, err_len);
    close(fd);
    return rc;
}

int br_secret_credential(const char *name, char **out, char *err, size_t err_len)
{
    *out = NULL;
    const char *dir = getenv("CREDENTIALS_DIRECTORY");
    if (!dir || !*dir) {
        bt_fmt(err, err_len, "credential '%s' asked for, but $CREDENTIALS_DIRECTORY is not set; "
               "run under systemd with LoadCredential=%s:FILE, or use a *_file key",
               bt_shown(name), bt_shown(name));
        return -1;
    }
    if (!*name || strchr(name, '/')) {
        bt_fmt(err, err_len, "credential name '%s' must be a plain name", bt_shown(name));
        return -1;
    }
    char path[4096];
    bt_fmt(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        bt_fmt(err, err_len, "cannot read credential %s: %s; check LoadCredential= in the unit",
               bt_shown_path(path), strerror(errno));
        return -1;
    }
    int rc = read_first_line(fd, bt_shown_path(path), out, err, err_len);
    close(fd);
    return rc;
}
