/* bluetti-sim --cloud: HTTPS on loopback. One poll() loop over the
 * listening socket, a self-pipe for signals and up to MAX_CONNS
 * non-blocking TLS connections; HTTP/1.1 with Content-Length bodies and
 * keep-alive. Bounded everywhere (header block, body, connections, idle
 * time): garbage gets a 400 and the connection closed, never a crash. */
#include "config.h"

#include "cloud.h"
#include "process.h"
#include "bt_escape.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#define MAX_CONNS 64
#define HEAD_MAX 8192               /* request line + headers */
#define BODY_MAX 65536
#define IN_CAP (HEAD_MAX + BODY_MAX)
#define IDLE_MS 10000               /* handshake, a slow request, an idle keep-alive */
#define LINGER_MS 2000              /* reading a refused request's rest before closing */

struct conn {
    int fd;
    SSL *ssl;
    bool handshaken, close_after;
    bool draining;                  /* answered and shut down: reading what is left */
    short want;                     /* POLLIN / POLLOUT, as TLS asks */
    uint8_t *in;
    size_t in_len;
    uint8_t *out;
    size_t out_len, out_off;
    int64_t deadline;
};

struct server {
    const cloud_args *a;
    SSL_CTX *ctx;
    int lfd;
    struct conn c[MAX_CONNS];
    size_t n;
    cloud_tokens *ts;
    cloud_config *cfg;              /* its clocks move on SIGUSR1 */
    uint64_t requests;
};

/* SIGUSR1 moves every account's clock this far ahead (a test's clock
 * jump: a time-based password computed before it is 4 steps stale) */
#define CLOCK_JUMP_MS 120000


static void conn_close(struct server *s, size_t i)
{
    struct conn *c = &s->c[i];
    if (c->ssl) {
        if (c->handshaken && !c->draining) SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    close(c->fd);
    /* requests carry passwords and tokens */
    OPENSSL_cleanse(c->in, IN_CAP);
    free(c->in);
    if (c->out) OPENSSL_cleanse(c->out, c->out_len);
    free(c->out);
    s->c[i] = s->c[--s->n];
}

/* ---- HTTP/1.1 parsing -------------------------------------------------------- */

typedef struct parsed {
    http_request r;
    char head[HEAD_MAX + 1];        /* a NUL-terminated copy of the header block */
    size_t total;                   /* bytes of the request in the input */
    bool keep_alive;
} parsed;

enum { PARSE_MORE = 0, PARSE_OK = 1, PARSE_BAD = -1 };

static bool token_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

static char *trim(char *v)
{
    while (*v == ' ' || *v == '\t') v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t')) v[--n] = '\0';
    return v;
}

/* One request from in[0..len). PARSE_BAD sets *status and *why. */
static int parse_request(const uint8_t *in, size_t len, parsed *p, int *status, const char **why)
{
    *status = 400;
    const uint8_t *end = NULL;
    for (size_t i = 0; i + 3 < len && i + 4 <= HEAD_MAX; i++)
        if (in[i] == '\r' && in[i + 1] == '\n' && in[i + 2] == '\r' && in[i + 3] == '\n') {
            end = in + i;
            break;
        }
    if (!end) {
        if (len >= HEAD_MAX) {
            *status = 431;
            *why = "the request line and headers are longer than 8 KiB";
            return PARSE_BAD;
        }
        return PARSE_MORE;
    }
    /* the copy keeps the last header line's CRLF: every line ends in one */
    size_t hlen = (size_t)(end - in) + 2;
    memset(&p->r, 0, sizeof p->r);
    memcpy(p->head, in, hlen);
    p->head[hlen] = '\0';
    if (strlen(p->head) != hlen) {
        *why = "a NUL byte in the headers";
        return PARSE_BAD;
    }
    for (size_t i = 0; i < hlen; i++) {
        unsigned char ch = (unsigned char)p->head[i];
        if ((ch < 0x20 && ch != '\t' && ch != '\r' && ch != '\n') || ch == 0x7f) {
            *why = "a control character in the headers";
            return PARSE_BAD;
        }
    }
    char *save = NULL;
    char *line = strtok_r(p->head, "\n", &save);
    /* request line: METHOD SP /target SP HTTP/1.x */
    char *sp1 = line ? strchr(line, ' ') : NULL;
    char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    size_t ll = line ? strlen(line) : 0;
    if (!sp1 || !sp2 || ll < 2 || line[ll - 1] != '\r') {
        *why = "a malformed request line";
        return PARSE_BAD;
    }
    line[ll - 1] = '\0';
    *sp1 = *sp2 = '\0';
    const char *ver = sp2 + 1;
    bool v11 = strcmp(ver, "HTTP/1.1") == 0;
    if (!v11 && strcmp(ver, "HTTP/1.0") != 0) {
        *status = 505;
        *why = "only HTTP/1.0 and HTTP/1.1 are spoken here";
        return PARSE_BAD;
    }
    if (!*line || strlen(line) > 16) {
        *why = "a malformed method";
        return PARSE_BAD;
    }
    for (const char *m = line; *m; m++)
        if (*m < 'A' || *m > 'Z') {
            *why = "a malformed method";
            return PARSE_BAD;
        }
    char *target = sp1 + 1;
    if (target[0] != '/' || strchr(target, ' ')) {
        *why = "the target must be an absolute path";
        return PARSE_BAD;
    }
    char *q = strchr(target, '?');
    if (q) *q++ = '\0';
    p->r.method = line;
    p->r.path = target;
    p->r.query = q ? q : "";
    p->keep_alive = v11;
    size_t clen = 0;
    bool have_clen = false;
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        ll = strlen(line);
        if (ll < 1 || line[ll - 1] != '\r') {
            *why = "a header line not ended by CRLF";
            return PARSE_BAD;
        }
        line[ll - 1] = '\0';
        char *colon = strchr(line, ':');
        if (!colon || colon == line) {
            *why = "a header line without a name";
            return PARSE_BAD;
        }
        *colon = '\0';
        for (const char *c = line; *c; c++)
            if (!token_char(*c)) {
                *why = "a malformed header name";
                return PARSE_BAD;
            }
        if (p->r.n_h == HTTP_MAX_HEADERS) {
            *status = 431;
            *why = "more than 48 headers";
            return PARSE_BAD;
        }
        char *v = trim(colon + 1);
        p->r.h[p->r.n_h++] = (http_header){ line, v };
        if (strcasecmp(line, "Content-Length") == 0) {
            if (have_clen || !*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 7) {
                *why = "a bad Content-Length";
                return PARSE_BAD;
            }
            clen = strtoul(v, NULL, 10);
            have_clen = true;
            if (clen > BODY_MAX) {
                *status = 413;
                *why = "the body is larger than 64 KiB";
                return PARSE_BAD;
            }
        } else if (strcasecmp(line, "Transfer-Encoding") == 0) {
            *status = 501;
            *why = "Transfer-Encoding is not supported: send a Content-Length";
            return PARSE_BAD;
        } else if (strcasecmp(line, "Connection") == 0) {
            if (strcasecmp(v, "close") == 0) p->keep_alive = false;
        }
    }
    if (len < hlen + 2 + clen) return PARSE_MORE;
    p->r.body = in + hlen + 2;
    p->r.body_len = clen;
    p->total = hlen + 2 + clen;
    return PARSE_OK;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    default: return "Internal Server Error";
    }
}

/* Serialise resp into c->out (resp's body is consumed). */
static int queue_response(struct conn *c, http_response *resp, bool keep_alive)
{
    char head[1024];
    int hn = snprintf(head, sizeof head,
                      "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
                      "Connection: %s\r\n\r\n",
                      resp->status, reason(resp->status), resp->ctype ? resp->ctype : "text/plain",
                      resp->body_len, resp->extra, keep_alive ? "keep-alive" : "close");
    OPENSSL_cleanse(resp->extra, sizeof resp->extra);
    if (hn < 0 || (size_t)hn >= sizeof head) {
        free(resp->body);
        return -1;
    }
    c->out_len = (size_t)hn + resp->body_len;
    c->out = malloc(c->out_len);
    if (c->out) {
        memcpy(c->out, head, (size_t)hn);
        if (resp->body_len) memcpy(c->out + hn, resp->body, resp->body_len);
    }
    OPENSSL_cleanse(head, sizeof head);
    if (resp->body) OPENSSL_cleanse(resp->body, resp->body_len);
    free(resp->body);
    resp->body = NULL;
    c->out_off = 0;
    c->close_after = !keep_alive;
    return c->out ? 0 : -1;
}

static void log_request(const struct server *s, const char *method, const char *path,
                        const http_response *r)
{
    if (s->a->verbosity <= 0) return;
    if (r->code >= 0)
        fprintf(stderr, "bluetti-sim: cloud: %s %s -> %d, code %ld\n", bt_shown(method),
                bt_shown_path(path), r->status, r->code);
    else
        fprintf(stderr, "bluetti-sim: cloud: %s %s -> %d, %zu bytes\n", bt_shown(method),
                bt_shown_path(path), r->status, r->body_len);
}

/* Parse and answer the next complete request in the input, if any.
 * Returns 0 (answered or waiting for more), -1 to drop the connection. */
static int serve_next(struct server *s, struct conn *c)
{
    static parsed p;                /* single-threaded; too big for the stack */
    int status = 400;
    const char *why = NULL;
    int pr = parse_request(c->in, c->in_len, &p, &status, &why);
    if (pr == PARSE_MORE) return 0;
    http_response resp;
    memset(&resp, 0, sizeof resp);
    bool keep = false;
    if (pr == PARSE_BAD) {
        char msg[160];
        snprintf(msg, sizeof msg, "bad request: %s", why);
        if (cloud_api_error(&resp, status, status, msg) != 0) return -1;
        if (s->a->verbosity > 0)
            fprintf(stderr, "bluetti-sim: cloud: refused a request (%d): %s\n", status, why);
        c->in_len = 0;
    } else {
        s->requests++;
        if (cloud_api_handle(s->ts, &p.r, &resp) != 0) {
            free(resp.body);
            memset(&resp, 0, sizeof resp);
            if (cloud_api_error(&resp, 500, 500, "out of memory") != 0) return -1;
        }
        log_request(s, p.r.method, p.r.path, &resp);
        keep = p.keep_alive;
        OPENSSL_cleanse(c->in, p.total);
        memmove(c->in, c->in + p.total, c->in_len - p.total);
        c->in_len -= p.total;
    }
    OPENSSL_cleanse(&p, sizeof p);
    return queue_response(c, &resp, keep);
}

/* Advance one connection as far as it goes without blocking. Returns -1
 * when it is to be closed. */
static int conn_step(struct server *s, struct conn *c)
{
    for (;;) {
        if (c->draining) {
            /* Closing with unread input would send a reset that can destroy
             * the answer on its way: read and drop what the client still
             * sends until it closes, or LINGER_MS pass. */
            uint8_t junk[4096];
            ssize_t r = read(c->fd, junk, sizeof junk);
            if (r > 0) continue;
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                c->want = POLLIN;
                return 0;
            }
            return -1;
        }
        if (!c->handshaken) {
            int r = SSL_accept(c->ssl);
            if (r == 1) {
                c->handshaken = true;
                continue;
            }
            int e = SSL_get_error(c->ssl, r);
            if (e == SSL_ERROR_WANT_READ) c->want = POLLIN;
            else if (e == SSL_ERROR_WANT_WRITE) c->want = POLLOUT;
            else {
                if (s->a->verbosity > 1) {
                    char buf[256];
                    ERR_error_string_n(ERR_peek_last_error(), buf, sizeof buf);
                    fprintf(stderr, "bluetti-sim: cloud: TLS handshake failed: %s\n", buf);
                }
                ERR_clear_error();
                return -1;
            }
            return 0;
        }
        if (c->out) {
            size_t done = 0;
            int r = SSL_write_ex(c->ssl, c->out + c->out_off, c->out_len - c->out_off, &done);
            if (r == 1) {
                c->out_off += done;
                if (c->out_off < c->out_len) continue;
                OPENSSL_cleanse(c->out, c->out_len);
                free(c->out);
                c->out = NULL;
                if (c->close_after) {
                    SSL_shutdown(c->ssl);
                    shutdown(c->fd, SHUT_WR);
                    c->draining = true;
                    c->deadline = bt_now_ms() + LINGER_MS;
                    continue;
                }
                if (serve_next(s, c) != 0) return -1;
                continue;
            }
            int e = SSL_get_error(c->ssl, r);
            if (e == SSL_ERROR_WANT_READ) c->want = POLLIN;
            else if (e == SSL_ERROR_WANT_WRITE) c->want = POLLOUT;
            else return -1;
            return 0;
        }
        if (c->in_len == IN_CAP) return -1; /* cannot happen: the parser refuses first */
        size_t got = 0;
        int r = SSL_read_ex(c->ssl, c->in + c->in_len, IN_CAP - c->in_len, &got);
        if (r == 1) {
            c->in_len += got;
            c->deadline = bt_now_ms() + IDLE_MS;
            if (serve_next(s, c) != 0) return -1;
            continue;
        }
        int e = SSL_get_error(c->ssl, r);
        if (e == SSL_ERROR_WANT_READ) c->want = POLLIN;
        else if (e == SSL_ERROR_WANT_WRITE) c->want = POLLOUT;
        else {
            ERR_clear_error();
            return -1;              /* closed by the peer, or a TLS error */
        }
        return 0;
    }
}

static void accept_one(struct server *s)
{
    int fd = accept(s->lfd, NULL, NULL);
    if (fd < 0) return;
    if (s->n == MAX_CONNS) {
        close(fd);                  /* busy: the client will see a reset */
        return;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    struct conn *c = &s->c[s->n];
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->in = malloc(IN_CAP);
    c->ssl = SSL_new(s->ctx);
    if (!c->in || !c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
        free(c->in);
        SSL_free(c->ssl);
        close(fd);
        return;
    }
    c->deadline = bt_now_ms() + IDLE_MS;
    s->n++;
    if (conn_step(s, c) != 0) conn_close(s, s->n - 1);
}

/* ---- set-up ------------------------------------------------------------------- */

static SSL_CTX *make_ctx(const cloud_args *a)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) return NULL;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
    const char *what = NULL;
    if (SSL_CTX_use_certificate_chain_file(ctx, a->cert) != 1) what = "certificate";
    else if (SSL_CTX_use_PrivateKey_file(ctx, a->key, SSL_FILETYPE_PEM) != 1) what = "key";
    else if (SSL_CTX_check_private_key(ctx) != 1) what = "key (it does not match the certificate)";
    if (what) {
        char buf[256];
        ERR_error_string_n(ERR_peek_last_error(), buf, sizeof buf);
        fprintf(stderr, "bluetti-sim: cannot use the cloud's %s %s: %s\n", what,
                bt_shown_path(what[0] == 'c' ? a->cert : a->key), buf);
        ERR_clear_error();
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static int listen_on(int port, int *out_port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);   /* loopback only, always */
    socklen_t sl = sizeof sa;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    *out_port = ntohs(sa.sin_port);
    return fd;
}

static int write_ready(const char *path, int port)
{
    char text[64];
    snprintf(text, sizeof text, "pid %ld\nport %d\n", (long)getpid(), port);
    if (sim_ready_write(path, text) == 0) return 0;
    fprintf(stderr, "bluetti-sim: cannot write the ready file %s: %s\n", bt_shown_path(path),
            strerror(errno));
    return -1;
}

/* SIGUSR1: the cloud's clock, for every account, jumps ahead; the
 * broker's auth plugin learns it from the rewritten tokens file. */
static void jump_clocks(struct server *s)
{
    unsigned n = sim_usr1_take();
    if (!n) return;
    for (size_t i = 0; i < s->cfg->n_accts; i++)
        s->cfg->accts[i].clock_offset_ms += (int64_t)n * CLOCK_JUMP_MS;
    char why[512];
    if (cloud_tokens_write(s->ts, why, sizeof why) != 0)
        fprintf(stderr, "bluetti-sim: cloud: %s\n", why);
    else
        fprintf(stderr, "bluetti-sim: cloud: the clock jumped %d s ahead\n",
                (int)(n * (CLOCK_JUMP_MS / 1000)));
}

static void serve(struct server *s)
{
    struct pollfd pf[MAX_CONNS + 2];
    while (!sim_stop_signal()) {
        int timeout = cloud_tokens_expire(s->ts);
        int64_t now = bt_now_ms();
        for (size_t i = 0; i < s->n;) {
            if (s->c[i].deadline <= now) {
                conn_close(s, i);   /* idle or too slow */
                continue;
            }
            int left = (int)(s->c[i].deadline - now);
            if (timeout < 0 || left < timeout) timeout = left;
            i++;
        }
        pf[0] = (struct pollfd){ .fd = sim_signals_fd(), .events = POLLIN };
        pf[1] = (struct pollfd){ .fd = s->lfd, .events = s->n < MAX_CONNS ? POLLIN : 0 };
        size_t n = s->n;
        for (size_t i = 0; i < n; i++)
            pf[i + 2] = (struct pollfd){ .fd = s->c[i].fd, .events = s->c[i].want };
        int r = poll(pf, n + 2, timeout);
        if (r < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "bluetti-sim: cloud: poll: %s\n", strerror(errno));
            return;
        }
        if (pf[0].revents) {
            sim_signals_drain();
            if (sim_stop_signal()) break;
            jump_clocks(s);
        }
        /* connections first (indices shift when one closes: go backwards) */
        for (size_t i = n; i-- > 0;)
            if (pf[i + 2].revents && conn_step(s, &s->c[i]) != 0) conn_close(s, i);
        if (pf[1].revents & POLLIN) accept_one(s);
    }
}

int cloud_run(const cloud_args *a)
{
    static struct server s;         /* MAX_CONNS connections: not on the stack */
    memset(&s, 0, sizeof s);
    s.a = a;
    s.lfd = -1;
    cloud_config cfg;
    cloud_tokens ts = { .cfg = &cfg };
    char why[512] = "";
    int status = 1, port = 0;
    if (cloud_config_load(a->config, &cfg, why, sizeof why) != 0) {
        fprintf(stderr, "bluetti-sim: %s\n", why);
        return 1;
    }
    s.ts = &ts;
    s.cfg = &cfg;
    s.ctx = make_ctx(a);
    if (!s.ctx) goto out;
    if (cloud_tokens_write(&ts, why, sizeof why) != 0) {
        fprintf(stderr, "bluetti-sim: %s\n", why);
        goto out;
    }
    s.lfd = listen_on(a->port, &port);
    if (s.lfd < 0) {
        fprintf(stderr, "bluetti-sim: cannot listen on 127.0.0.1:%d: %s\n", a->port,
                strerror(errno));
        goto out;
    }
    if (sim_signals_open(true) != 0) {
        fprintf(stderr, "bluetti-sim: cannot set up signal handling: %s\n", strerror(errno));
        goto out;
    }
    bool ready_written = false;
    if (a->ready_file) {
        if (write_ready(a->ready_file, port) != 0) goto out;
        ready_written = true;
    }
    printf("bluetti-sim: ready: cloud on https://127.0.0.1:%d (%zu account%s)\n", port,
           cfg.n_accts, cfg.n_accts == 1 ? "" : "s");
    fflush(stdout);
    serve(&s);
    status = 0;
    if (a->verbosity > 0)
        fprintf(stderr, "bluetti-sim: cloud: stopping after %llu request%s\n",
                (unsigned long long)s.requests, s.requests == 1 ? "" : "s");
    if (ready_written) unlink(a->ready_file);
out:
    while (s.n) conn_close(&s, s.n - 1);
    if (s.lfd >= 0) close(s.lfd);
    SSL_CTX_free(s.ctx);
    s.ts = NULL;                    /* ts, cfg and a live on this stack or the caller's */
    s.cfg = NULL;
    s.a = NULL;
    cloud_tokens_free(&ts);
    cloud_config_free(&cfg);
    sim_signals_close();
    return status;
}
