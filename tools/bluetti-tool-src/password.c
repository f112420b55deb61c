/* Secrets asked for on the terminal with echo off (the certificate
 * password, or whatever secret a transport declares a prompt for). Buffers
 * holding them are wiped before release. */
#include "config.h"

#include "tool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

void password_free(char *pw)
{
    if (!pw) return;
    wipe(pw, strlen(pw));
    free(pw);
}

static void put(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

static int read_quietly(int fd, const char *text, char *buf, size_t cap)
{
    struct termios old, quiet;
    if (tcgetattr(fd, &old) != 0) return -1;
    quiet = old;
    quiet.c_lflag &= (tcflag_t)~(ECHO | ECHOE | ECHOK);
    quiet.c_lflag |= ECHONL;
    put(fd, text);
    put(fd, ": ");
    tcsetattr(fd, TCSANOW, &quiet); /* keep what was typed ahead */
    size_t n = 0;
    int rc = 0;
    for (;;) {
        char c;
        ssize_t got = read(fd, &c, 1);
        if (got < 0 && errno == EINTR) {
            if (tool_stop_signal()) { rc = -2; break; }
            continue;
        }
        if (got <= 0 || c == '\n' || c == '\r') break;
        if (n + 1 >= cap) {
            rc = -3;
            continue; /* swallow the rest of the line */
        }
        buf[n++] = c;
    }
    buf[n] = '\0';
    tcsetattr(fd, TCSANOW, &old);
    if (rc == -2) put(fd, "\n");
    if (rc) wipe(buf, cap);
    return rc;
}

int password_prompt(const char *text, char **out)
{
    *out = NULL;
    char *buf = malloc(PW_MAX);
    if (!buf) return -4;
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    int rc = fd < 0 ? -1 : read_quietly(fd, text, buf, PW_MAX);
    if (fd >= 0) close(fd);
    if (rc == 0) *out = buf;
    else free(buf);
    return rc;
}

int secret_get(const char *given, const char *env_name, const char *what, const char *how,
               char **out)
{
    *out = NULL;
    if (!given) given = getenv(env_name);
    if (given) {
        *out = strdup(given);
        return *out ? EXIT_OK : tool_error(EXIT_FAIL, "out of memory");
    }
    char *text = xasprintf("Password for %s", what);
    if (!text) return tool_error(EXIT_FAIL, "out of memory");
    int rc = password_prompt(text, out);
    free(text);
    if (rc == 0) return EXIT_OK;
    if (rc == -2) return tool_stop_exit();
    if (rc == -4) return tool_error(EXIT_FAIL, "out of memory");
    if (rc == -3)
        return tool_error(EXIT_USAGE, "the password typed is longer than %d characters; give "
                          "it with %s instead", PW_MAX - 1, env_name);
    return tool_error(EXIT_USAGE, "%s needs its password and there is no terminal to ask on; "
                      "%s", what, how);
}
