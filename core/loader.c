/* Loading plugin files with libltdl. Every refusal names the file, the
 * reason and the remedy, and loading carries on with the next file. */
#include "config.h"

#include "registry_int.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <link.h>
#include <ltdl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef BLUETTI_PLUGIN_DIR
#define BLUETTI_PLUGIN_DIR "/usr/local/lib/bluetti/plugins"
#endif

const char *bluetti_plugin_dir(void)
{
    return BLUETTI_PLUGIN_DIR;
}

static int ensure_ltdl(bluetti_registry *r)
{
    if (r->ltdl_ready) return 0;
    if (lt_dlinit() != 0) return BLUETTI_E_PLUGIN_OPEN;
    r->ltdl_ready = true;
    return 0;
}

/* Writable by others (and not a sticky directory): anyone could plant code. */
static bool unsafe_mode(const struct stat *st)
{
    return (st->st_mode & S_IWOTH) && !(S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX));
}

/* Owned by someone other than root or us: they could change it at will. */
static bool foreign_owner(const struct stat *st)
{
    return st->st_uid != 0 && st->st_uid != geteuid();
}

/* dlopen maps PT_LOAD segments straight from the file: one lying past the
 * end of a truncated file raises SIGBUS when first touched, killing the
 * program. Check the ELF header and program headers first; NULL when fine. */
static const char *elf_problem(const char *path, off_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return "it cannot be opened";
    const char *why = NULL;
    ElfW(Ehdr) eh;
    if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
        why = "it is not an ELF shared object";
    } else if (eh.e_ident[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) ||
               eh.e_ident[EI_DATA] != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB
                                                                               : ELFDATA2MSB)) {
        why = "it was built for another kind of system (word size or byte order)";
    } else if (eh.e_type != ET_DYN) {
        why = "it is not a shared object";
    } else if (eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phnum == 0 ||
               eh.e_phoff > (uint64_t)size ||
               (uint64_t)eh.e_phnum * sizeof(ElfW(Phdr)) > (uint64_t)size - eh.e_phoff) {
        why = "it is damaged or truncated (program headers)";
    } else {
        for (unsigned i = 0; i < eh.e_phnum && !why; i++) {
            ElfW(Phdr) ph;
            if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + i * sizeof ph)) != (ssize_t)sizeof ph)
                why = "it is damaged or truncated (program headers)";
            else if (ph.p_type == PT_LOAD &&
                     (ph.p_offset > (uint64_t)size || ph.p_filesz > (uint64_t)size - ph.p_offset))
                why = "it is truncated (a segment lies past the end of the file)";
        }
    }
    close(fd);
    return why;
}

/* For a symbolic link, the directory holding its target must be safe too:
 * anyone who can write there could replace the plugin. */
static bool unsafe_link_target(const char *path)
{
    struct stat lst;
    if (lstat(path, &lst) != 0 || !S_ISLNK(lst.st_mode)) return false;
    char *real = realpath(path, NULL);
    if (!real) return true;
    struct stat dst;
    bool bad = stat(dirname(real), &dst) != 0 || unsafe_mode(&dst) || foreign_owner(&dst);
    free(real);
    return bad;
}

int bluetti_registry_load_file(bluetti_registry *r, const char *path, unsigned flags)
{
    if (!r || !path) return BLUETTI_E_INVAL;
    size_t i = bt_registry_add_record(r, path);
    if (i == BT_NO_PLUGIN) return BLUETTI_E_NOMEM;

    struct stat st;
    if (stat(path, &st) != 0)
        return bt_registry_refuse(r, i, BLUETTI_E_PLUGIN_OPEN, "cannot read the file: %s",
                                  strerror(errno));
    if (!S_ISREG(st.st_mode))
        return bt_registry_refuse(r, i, BLUETTI_E_PLUGIN_OPEN,
                                  "not a regular file; plugins are shared objects (*.so)");
    if (unsafe_mode(&st) && !(flags & BLUETTI_LOAD_ALLOW_UNSAFE))
        return bt_registry_refuse(r, i, BLUETTI_E_PLUGIN_UNSAFE,
                                  "the file is writable by other users, so anyone could put "
                                  "code into this program; run 'chmod o-w %s'", path);
    if (foreign_owner(&st) && !(flags & BLUETTI_LOAD_ALLOW_UNSAFE))
        return bt_registry_refuse(r, i, BLUETTI_E_PLUGIN_UNSAFE,
                                  "the file belongs to another user (uid %u), who could change "
                                  "the code this program runs; plugins must belong to root or "
                                  "to you (uid %u): run 'chown %u %s' as root",
                                  (unsigned)st.st_uid, (unsigned)geteuid(), (unsigned)geteuid(),
                                  path);
    if (!(flags & BLUETTI_LOAD_ALLOW_UNSAFE) && unsafe_link_target(path))
        return bt_registry_refuse(r, i, BLUETTI_E_PLUGIN_UNSAFE,
                                  "it is a link to a file in a directory writable by other "
                                  "users or owned by another user, so someone else could put "
                                  "code into this program; move the plugin to a safe "
                                  "directory");
    const char *bad_elf = elf_problem(path, st.st_size);
    if (bad_elf)
        return bt_registry_refuse(r, i, BLUETTI_E_PLUGIN_OPEN,
                                  "cannot load it as a shared object (%s); check that it is a "
                                  "bluetti plugin built for this system, and use ldd(1) to "
                                  "check its dependencies", bad_elf);
    if (ensure_ltdl(r) != 0)
        return bt_registry_refuse(r, i, BLUETTI_E_PLUGIN_OPEN, "libltdl failed to start: %s",
                                  lt_dlerror() ? lt_dlerror() : "unknown reason");

    lt_dladvise advise;
    lt_dlhandle h = NULL;
    if (lt_dladvise_init(&advise) == 0) {
        /* resident: never unmapped, since registered tables point into it */
        lt_dladvise_resident(&advise);
        lt_dladvise_local(&advise);
        h = lt_dlopenadvise(path, advise);
        lt_dladvise_destroy(&advise);
    }
    if (!h) {
        const char *e = lt_dlerror();
        return bt_registry_refuse(r, i, BLUETTI_E_PLUGIN_OPEN,
                                  "cannot load it as a shared object (%s); check that it is a "
                                  "bluetti plugin built for this system, and use ldd(1) to "
                                  "check its dependencies", e ? e : "unknown reason");
    }
    const bluetti_plugin *p = lt_dlsym(h, "bluetti_plugin_descriptor");
    if (!p)
        return bt_registry_refuse(r, i, BLUETTI_E_PLUGIN_SYMBOL,
                                  "it exports no bluetti_plugin_descriptor, so it is not a "
                                  "bluetti plugin; define one with BLUETTI_PLUGIN_DEFINE");
    char why[512];
    int rc = bt_plugin_check_abi(p, why, sizeof why);
    if (rc) return bt_registry_refuse(r, i, rc, "%s", why);
    size_t other = bt_registry_find_plugin(r, p->name);
    if (other != BT_NO_PLUGIN)
        return bt_registry_refuse(r, i, BLUETTI_E_EXISTS,
                                  "a plugin named '%s' is already loaded from %s; the first one "
                                  "found in the search path wins", p->name,
                                  r->plugins[other].file);
    return bt_registry_init_plugin(r, i, p);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_plugin_name(const char *n)
{
    size_t len = strlen(n);
    return n[0] != '.' && len > 3 && strcmp(n + len - 3, ".so") == 0;
}

#define TRANSPORT_PREFIX "transport-"

/* "dir/transport-NAME.so" -> NAME (malloc'd), or NULL when not so named. */
static char *transport_file_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t plen = sizeof TRANSPORT_PREFIX - 1, len = strlen(base);
    if (len <= plen + 3 || strncmp(base, TRANSPORT_PREFIX, plen) != 0) return NULL;
    return strndup(base + plen, len - plen - 3);
}

static bool is_deferred(const bluetti_registry *r, const char *name)
{
    for (size_t i = 0; i < r->n_deferred; i++)
        if (strcmp(r->deferred[i].name, name) == 0) return true;
    return false;
}

/* Remember path for later; returns 0, or BLUETTI_E_NOMEM. A name already
 * remembered (an earlier directory of the search path) wins. */
static int defer_file(bluetti_registry *r, char *name, const char *path, unsigned flags)
{
    if (is_deferred(r, name) || bluetti_registry_find_transport(r, name)) {
        free(name);
        return 0;
    }
    if (r->n_deferred == r->cap_deferred) {
        size_t nc = r->cap_deferred ? r->cap_deferred * 2 : 4;
        struct deferred *nv = realloc(r->deferred, nc * sizeof *nv);
        if (!nv) { free(name); return BLUETTI_E_NOMEM; }
        r->deferred = nv;
        r->cap_deferred = nc;
    }
    struct deferred *d = &r->deferred[r->n_deferred];
    d->file = strdup(path);
    if (!d->file) { free(name); return BLUETTI_E_NOMEM; }
    d->name = name;
    d->flags = flags;
    r->n_deferred++;
    bluetti_log(&r->log, BLUETTI_LOG_DEBUG, "loader", "%s: deferred until transport '%s' is used",
                path, name);
    return 0;
}

/* Open deferred entry k and forget it. */
static int load_deferred_at(bluetti_registry *r, size_t k)
{
    struct deferred d = r->deferred[k];
    memmove(&r->deferred[k], &r->deferred[k + 1], (r->n_deferred - k - 1) * sizeof d);
    r->n_deferred--;
    int rc = bluetti_registry_load_file(r, d.file, d.flags & ~BLUETTI_LOAD_DEFER_TRANSPORTS);
    free(d.name);
    free(d.file);
    return rc;
}

int bluetti_registry_need_transport(bluetti_registry *r, const char *name)
{
    if (!r || !name) return BLUETTI_E_INVAL;
    if (bluetti_registry_find_transport(r, name)) return 0;
    for (size_t k = 0; k < r->n_deferred; k++) {
        if (strcmp(r->deferred[k].name, name) != 0) continue;
        int rc = load_deferred_at(r, k);
        if (rc) return rc;
        break;
    }
    return bluetti_registry_find_transport(r, name) ? 0 : BLUETTI_E_NOTFOUND;
}

int bluetti_registry_load_deferred(bluetti_registry *r)
{
    if (!r) return BLUETTI_E_INVAL;
    int loaded = 0;
    while (r->n_deferred > 0)
        if (load_deferred_at(r, 0) == 0) loaded++;
    return loaded;
}

int bluetti_registry_load_dir(bluetti_registry *r, const char *dir, unsigned flags)
{
    if (!r || !dir) return BLUETTI_E_INVAL;
    struct stat st;
    if (stat(dir, &st) != 0) {
        int e = errno;
        bluetti_log(&r->log, BLUETTI_LOG_WARN, "loader", "plugin directory %s: %s", dir,
                    strerror(e));
        return BLUETTI_E_IO;
    }
    if (!S_ISDIR(st.st_mode)) {
        bluetti_log(&r->log, BLUETTI_LOG_WARN, "loader", "plugin directory %s: not a directory",
                    dir);
        return BLUETTI_E_IO;
    }
    if (unsafe_mode(&st) && !(flags & BLUETTI_LOAD_ALLOW_UNSAFE)) {
        bluetti_log(&r->log, BLUETTI_LOG_ERROR, "loader",
                    "plugin directory %s is writable by other users; refusing to load from it "
                    "(run 'chmod o-w %s')", dir, dir);
        return BLUETTI_E_PLUGIN_UNSAFE;
    }
    if (foreign_owner(&st) && !(flags & BLUETTI_LOAD_ALLOW_UNSAFE)) {
        bluetti_log(&r->log, BLUETTI_LOG_ERROR, "loader",
                    "plugin directory %s belongs to another user (uid %u), who could put code "
                    "into this program; refusing to load from it (it must belong to root or "
                    "to you, uid %u)", dir, (unsigned)st.st_uid, (unsigned)geteuid());
        return BLUETTI_E_PLUGIN_UNSAFE;
    }
    DIR *d = opendir(dir);
    if (!d) {
        bluetti_log(&r->log, BLUETTI_LOG_WARN, "loader", "plugin directory %s: %s", dir,
                    strerror(errno));
        return BLUETTI_E_IO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_plugin_name(e->d_name)) continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            char **nv = realloc(names, nc * sizeof *nv);
            if (!nv) { rc = BLUETTI_E_NOMEM; break; }
            names = nv;
            cap = nc;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n]) { rc = BLUETTI_E_NOMEM; break; }
        bt_fmt(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (names) qsort(names, n, sizeof *names, cmp_str);
    int loaded = 0;
    for (size_t k = 0; k < n; k++) {
        char *tname = (flags & BLUETTI_LOAD_DEFER_TRANSPORTS) ? transport_file_name(names[k]) : NULL;
        if (rc != 0) {
            free(tname);
        } else if (tname) {
            rc = defer_file(r, tname, names[k], flags); /* takes tname */
            if (rc == 0) loaded++;
        } else if (bluetti_registry_load_file(r, names[k], flags) == 0) {
            loaded++;
        }
        free(names[k]);
    }
    free(names);
    return rc ? rc : loaded;
}

int bluetti_registry_load_search_path(bluetti_registry *r, const char *const *dirs, size_t n_dirs,
                                      unsigned flags)
{
    if (!r || (!dirs && n_dirs)) return BLUETTI_E_INVAL;
    int total = 0;
    for (size_t i = 0; i < n_dirs; i++) {
        int rc = bluetti_registry_load_dir(r, dirs[i], flags);
        if (rc < 0) return rc;
        total += rc;
    }
    const char *env = (flags & BLUETTI_LOAD_NO_ENV) ? NULL : getenv("BLUETTI_PLUGIN_PATH");
    if (env && *env) {
        char *copy = strdup(env);
        if (!copy) return BLUETTI_E_NOMEM;
        char *save = NULL;
        for (char *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
            int rc = bluetti_registry_load_dir(r, tok, flags);
            if (rc == BLUETTI_E_NOMEM) { free(copy); return rc; }
            if (rc > 0) total += rc;
        }
        free(copy);
    }
    if (!(flags & BLUETTI_LOAD_NO_SYSTEM)) {
        struct stat st;
        if (stat(BLUETTI_PLUGIN_DIR, &st) == 0) {
            int rc = bluetti_registry_load_dir(r, BLUETTI_PLUGIN_DIR, flags);
            if (rc > 0) total += rc;
        } else {
            bluetti_log(&r->log, BLUETTI_LOG_DEBUG, "loader",
                        "installed plugin directory %s does not exist", BLUETTI_PLUGIN_DIR);
        }
    }
    return total;
}
