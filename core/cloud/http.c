/* HTTPS to the cloud API with libcurl: the system trust store plus an
 * optional extra CA file, peer and host name always verified, https only,
 * no redirects, TCP_NODELAY, one deadline per request. Request headers and
 * bodies may hold secrets: they are wiped after each request, and curl's
 * verbose output is never switched on. */
#include "config.h"

#include "client.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BODY_MAX (4u << 20) /* a PKCS#12 bundle is a few kB; JSON less */

void cloud_response_free(cloud_response *r)
{
    if (!r) return;
    if (r->body) OPENSSL_cleanse(r->body, r->len);
    free(r->body);
    free(r->content_type);
    cloud_wipe_str(&r->x_signature);
    free(r->x_iot_server);
    memset(r, 0, sizeof *r);
}

typedef struct sink {
    cloud_response *r;
    size_t cap;
    bool too_big;
} sink;

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    sink *s = ud;
    size_t len = size * n;
    cloud_response *r = s->r;
    if (r->len + len + 1 > BODY_MAX) {
        s->too_big = true;
        return 0;
    }
    if (r->len + len + 1 > s->cap) {
        size_t nc = s->cap ? s->cap : 1024;
        while (nc < r->len + len + 1) nc *= 2;
        uint8_t *nb = malloc(nc); /* not realloc: leave no copy of the old bytes */
        if (!nb) return 0;
        if (r->body) {
            memcpy(nb, r->body, r->len);
            OPENSSL_cleanse(r->body, r->len);
            free(r->body);
        }
        r->body = nb;
        s->cap = nc;
    }
    memcpy(r->body + r->len, data, len);
    r->len += len;
    r->body[r->len] = 0;
    return len;
}

/* "Name: value\r\n" -> value copy when name matches (case-insensitive). */
static void header_value(const char *line, size_t len, const char *name, char **out)
{
    size_t nl = strlen(name);
    if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':') return;
    const char *v = line + nl + 1, *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t')) v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) end--;
    char *copy = malloc((size_t)(end - v) + 1);
    if (!copy) return;
    memcpy(copy, v, (size_t)(end - v));
    copy[end - v] = '\0';
    if (*out) cloud_wipe_str(out);
    *out = copy;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    cloud_response *r = ud;
    size_t len = size * n;
    header_value(data, len, "X-Signature", &r->x_signature);
    header_value(data, len, "x-iot-server", &r->x_iot_server);
    header_value(data, len, "Content-Type", &r->content_type);
    return len;
}

/* Adds the extra CA file to the store curl built from the system's. */
static CURLcode on_ssl_ctx(CURL *curl, void *ssl_ctx, void *ud)
{
    (void)curl;
    const char *cafile = ud;
    X509_STORE *st = SSL_CTX_get_cert_store((SSL_CTX *)ssl_ctx);
    if (!st || X509_STORE_load_locations(st, cafile, NULL) != 1) return CURLE_SSL_CACERT_BADFILE;
    return CURLE_OK;
}

void cloud_http_close(bluetti_cloud *c)
{
    if (c->curl) curl_easy_cleanup(c->curl);
    c->curl = NULL;
}

static int map_curl(bluetti_cloud *c, CURLcode rc, const char *url, const char *why)
{
    const char *text = why[0] ? why : curl_easy_strerror(rc);
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return cloud_fail(c, BLUETTI_E_TIMEOUT, "the Bluetti cloud at %s did not answer in time "
                          "(%s); check the network, or try again later", url, text);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
        return cloud_fail(c, BLUETTI_E_TLS_VERIFY, "the server at %s is not trusted (%s); "
                          "check --api-url, or give the CA certificate that signed it with "
                          "--cafile", url, text);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_USE_SSL_FAILED:
        return cloud_fail(c, BLUETTI_E_TLS, "TLS with %s failed (%s); check --api-url", url,
                          text);
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return cloud_fail(c, BLUETTI_E_INVAL, "cannot use the API address %s (%s); give "
                          "--api-url https://HOST[:PORT]", url, text);
    case CURLE_OUT_OF_MEMORY:
        return cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
    default:
        return cloud_fail(c, BLUETTI_E_CONNECT, "cannot reach the Bluetti cloud at %s (%s); "
                          "check the network and --api-url, then try again", url, text);
    }
}

int cloud_http(bluetti_cloud *c, const char *path, const char *const *headers,
               const char *body, size_t body_len, cloud_response *r)
{
    memset(r, 0, sizeof *r);
    if (!c->curl && !(c->curl = curl_easy_init())) return cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
    CURL *h = c->curl;
    curl_easy_reset(h);
    size_t ul = strlen(c->api_url), pl = strlen(path);
    char *url = malloc(ul + pl + 1);
    if (!url) return cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
    memcpy(url, c->api_url, ul);
    memcpy(url + ul, path, pl + 1);
    struct curl_slist *hl = NULL;
    bool oom = false;
    for (size_t i = 0; headers && headers[i]; i++) {
        struct curl_slist *n = curl_slist_append(hl, headers[i]);
        if (!n) { oom = true; break; }
        hl = n;
    }
    /* curl adds "Expect: 100-continue" and an Accept of its own otherwise */
    struct curl_slist *n2 = oom ? NULL : curl_slist_append(hl, "Expect:");
    if (n2) hl = n2; else oom = true;
    sink s = { r, 0, false };
    char errbuf[CURL_ERROR_SIZE] = "";
    int err = 0;
    if (oom) {
        err = cloud_fail(c, BLUETTI_E_NOMEM, "out of memory");
        goto out;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "bluetti/" PACKAGE_VERSION);
    if (c->cafile) {
        curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
        curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, c->cafile);
    }
    if (body) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body); /* not copied: we wipe ours */
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)body_len);
    }
    r->sent_ms = bt_wall_ms();
    CURLcode rc = curl_easy_perform(h);
    r->done_ms = bt_wall_ms();
    if (rc != CURLE_OK) {
        if (s.too_big)
            err = cloud_fail(c, BLUETTI_E_CLOUD, "the answer from %s%s is larger than %u bytes; "
                             "check --api-url", c->api_url, path, BODY_MAX);
        else
            err = map_curl(c, rc, url, errbuf);
        goto out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
out:
    if (err) cloud_response_free(r);
    /* wipe the header copies curl holds (Authorization carries the token) */
    for (struct curl_slist *p = hl; p; p = p->next) OPENSSL_cleanse(p->data, strlen(p->data));
    curl_slist_free_all(hl);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
    free(url);
    return err;
}
