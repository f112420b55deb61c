/* Reading the config file into sections: `[kind]` or `[kind NAME]`
 * headers, `key = value` lines, `#` comments. What the keys mean is
 * conf.c's business; this file only knows the syntax. */
#include "config.h"

#include "bridge.h"
#include "tool_common.h"

#include "bt_escape.h"
#include "bt_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_MAX_BYTES 65536

void br_sections_free(br_section *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        for (size_t k = 0; k < s[i].n_kv; k++) {
            free(s[i].kv[k].key);
            bt_wipe(s[i].kv[k].value, strlen(s[i].kv[k].value));
            free(s[i].kv[k].value);
        }
        free(s[i].kv);
        free(s[i].kind);
        free(s[i].name);
    }
    free(s);
}

static bool name_ok(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return false;
    return true;
}

typedef struct reader {
    br_section *s;
    size_t n, cap;
    const char *path;
    char *err;
    size_t err_len;
} reader;

static int fail(reader *r, int line, const char *what)
{
    bt_fmt(r->err, r->err_len, "%s:%d: %s", bt_shown_path(r->path), line, what);
    return BR_EXIT_CONFIG;
}

static int header(reader *r, char *s, int line)
{
    size_t n = strlen(s);
    if (s[n - 1] != ']')
        return fail(r, line, "a section header must end in ']'; write e.g. [device garage]");
    s[n - 1] = '\0';
    char *in = tc_trim(s + 1);
    char *sp = strpbrk(in, " \t");
    char *name = NULL;
    if (sp) {
        *sp = '\0';
        name = tc_trim(sp + 1);
    }
    static const char *const kinds[] = { "bridge", "target", "source", "device" };
    bool known = false, named = false;
    for (size_t i = 0; i < 4; i++)
        if (!strcmp(in, kinds[i])) {
            known = true;
            named = i >= 2;
        }
    char msg[256];
    if (!known) {
        bt_fmt(msg, sizeof msg, "unknown section [%s]; the sections are [bridge], [target], "
               "[source NAME] and [device NAME]", bt_shown(in));
        return fail(r, line, msg);
    }
    if (named && (!name || !name_ok(name))) {
        bt_fmt(msg, sizeof msg, "[%s] needs a name of letters, digits, '_', '-' or '.'; write "
               "e.g. [%s %s]", in, in, !strcmp(in, "source") ? "home" : "garage");
        return fail(r, line, msg);
    }
    if (!named && name) {
        bt_fmt(msg, sizeof msg, "[%s] takes no name; write [%s]", in, in);
        return fail(r, line, msg);
    }
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->s[i].kind, in) &&
            ((!name && !r->s[i].name) || (name && r->s[i].name && !strcmp(name, r->s[i].name)))) {
            bt_fmt(msg, sizeof msg, "[%s%s%s] appears twice (first on line %d); merge the two "
                   "or rename one", in, name ? " " : "", name ? name : "", r->s[i].line);
            return fail(r, line, msg);
        }
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 8;
        br_section *ns = realloc(r->s, nc * sizeof *ns);
        if (!ns) return fail(r, line, "out of memory");
        r->s = ns;
        r->cap = nc;
    }
    br_section *sec = &r->s[r->n];
    *sec = (br_section){ strdup(in), name ? strdup(name) : NULL, line, NULL, 0 };
    r->n++;
    if (!sec->kind || (name && !sec->name)) return fail(r, line, "out of memory");
    return 0;
}

static int entry(reader *r, char *s, int line)
{
    char *eq = strchr(s, '=');
    if (!eq) return fail(r, line, "expected 'key = value', a [section] or a '#' comment; fix "
                         "or remove the line");
    *eq = '\0';
    char *key = tc_trim(s), *value = tc_trim(eq + 1);
    size_t vn = strlen(value);
    if (vn >= 2 && value[0] == '"' && value[vn - 1] == '"') {
        value[vn - 1] = '\0';
        value++;
    }
    if (!*key) return fail(r, line, "the line has no key before '='; write 'key = value'");
    if (!r->n) return fail(r, line, "a key before any section; put it under [bridge], [target], "
                           "[source NAME] or [device NAME]");
    br_section *sec = &r->s[r->n - 1];
    br_kv *nk = realloc(sec->kv, (sec->n_kv + 1) * sizeof *nk);
    if (!nk) return fail(r, line, "out of memory");
    sec->kv = nk;
    br_kv kv = { strdup(key), strdup(value), line };
    if (!kv.key || !kv.value) {
        free(kv.key);
        free(kv.value);
        return fail(r, line, "out of memory");
    }
    sec->kv[sec->n_kv++] = kv;
    return 0;
}

int br_conf_read(const char *path, br_section **out, size_t *n, char *err, size_t err_len)
{
    *out = NULL;
    *n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        bt_fmt(err, err_len, "cannot read config file %s: %s; check the path (give it with "
               "--config FILE)", bt_shown_path(path), strerror(errno));
        if (fd >= 0) close(fd);
        return BR_EXIT_CONFIG;
    }
    if (!S_ISREG(st.st_mode)) {
        bt_fmt(err, err_len, "config file %s is not a regular file; give a file",
               bt_shown_path(path));
        close(fd);
        return BR_EXIT_CONFIG;
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        bt_fmt(err, err_len, "cannot read config file %s: %s", bt_shown_path(path), strerror(errno));
        return BR_EXIT_CONFIG;
    }
    reader r = { NULL, 0, 0, path, err, err_len };
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int lineno = 0, rc = 0;
    while (!rc && (errno = 0, got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (got > LINE_MAX_BYTES || strlen(line) != (size_t)got) {
            rc = fail(&r, lineno, "the line is longer than 65536 bytes or holds a NUL byte; is "
                      "this a config file?");
            break;
        }
        char *s = tc_trim(line);
        if (!*s || *s == '#' || *s == ';') continue;
        rc = *s == '[' ? header(&r, s, lineno) : entry(&r, s, lineno);
    }
    if (!rc && errno != 0 && errno != ENOENT)
        rc = fail(&r, lineno, strerror(errno));
    if (line) bt_wipe(line, cap);
    free(line);
    fclose(f);
    if (rc) {
        br_sections_free(r.s, r.n);
        return rc;
    }
    *out = r.s;
    *n = r.n;
    return 0;
}
