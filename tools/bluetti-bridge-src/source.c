/* Sessions on the sources. The devices of one source share a session
 * (one broker connection per account or certificate); a transport that
 * takes the device model as an option (the simulator serves images by
 * model) gets one session per model. A session that cannot be opened, or
 * fails as a whole, is retried with a doubling delay (1 s to 60 s); its
 * devices count missed polls meanwhile and re-attach when it is back. */
#include "config.h"

#include "runtime.h"

#include "bt_clock.h"
#include "bt_text.h"

#include <stdlib.h>
#include <string.h>

#define BACKOFF_MIN 1.0
#define BACKOFF_MAX 60.0

static char *sess_signature(const br_source *src, const char *model)
{
    br_buf b = { 0 };
    br_buf_puts(&b, src->signature);
    if (src->model_key && model) {
        br_buf_puts(&b, "model=");
        br_buf_puts(&b, model);
    }
    if (b.oom) br_buf_free(&b);
    return b.s;
}

br_sess *br_sess_get(bridge *b, const br_source *src, const char *model)
{
    if (!src->model_key) model = NULL;
    char *sig = sess_signature(src, model);
    if (!sig) return NULL;
    for (size_t i = 0; i < b->n_sess; i++)
        if (!strcmp(b->sess[i]->signature, sig)) {
            free(sig);
            b->sess[i]->src = src;
            b->sess[i]->refs++;
            return b->sess[i];
        }
    br_sess **ns = realloc(b->sess, (b->n_sess + 1) * sizeof(br_sess *));
    br_sess *s = ns ? calloc(1, sizeof *s) : NULL;
    if (ns) b->sess = ns;
    if (!s || (model && !(s->model = strdup(model)))) {
        free(s);
        free(sig);
        return NULL;
    }
    s->signature = sig;
    s->src = src;
    s->refs = 1;
    s->backoff = BACKOFF_MIN;
    b->sess[b->n_sess++] = s;
    return s;
}

static void detach_devices(bridge *b, br_sess *s)
{
    for (size_t i = 0; i < b->n_devs; i++) {
        br_dev *d = b->devs[i];
        if (d->sess != s) continue;
        d->d = NULL;
        if (d->in_flight) br_sched_ready(b, d); /* its round ends as missed */
        d->in_flight = false;
        if (d->writing) {
            /* the write's verdict goes with the session: it may have taken effect */
            br_log(BR_WARN, "device %s: %s = %s: outcome unknown (the session closed); the "
                   "state shows what the device reads once it is back", d->serial, d->w_key,
                   d->w_value);
            d->writing = false;
        }
    }
}

void br_sess_unref(bridge *b, br_sess *s)
{
    if (!s || --s->refs) return;
    for (size_t i = 0; i < b->n_sess; i++)
        if (b->sess[i] == s) b->sess[i] = b->sess[--b->n_sess];
    bluetti_session_close(s->s);
    free(s->signature);
    free(s->model);
    free(s);
}

void br_sess_reset(bridge *b, br_sess *s, const char *why)
{
    br_log(BR_WARN, "source %s: %s; reopening", s->src->name, why);
    bt_strlcpy(s->last_error, why, sizeof s->last_error);
    detach_devices(b, s);
    bluetti_session_close(s->s);
    s->s = NULL;
    s->next_open = bt_now() + s->backoff;
    s->backoff = s->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : s->backoff * 2;
}

static void open_one(bridge *b, br_sess *s, double now)
{
    bluetti_options *o = bluetti_options_new();
    const char *k, *v;
    for (size_t i = 0; o && bluetti_options_entry(s->src->opts, i, &k, &v); i++) {
        /* entries report secrets as "***": take the stored value */
        int rc = bluetti_options_entry_secret(s->src->opts, i)
                     ? bluetti_options_set_secret(o, k, bluetti_options_get(s->src->opts, k))
                     : bluetti_options_add(o, k, v);
        if (rc) {
            bluetti_options_free(o);
            o = NULL;
        }
    }
    if (o && s->model && s->src->model_key && !bluetti_options_get(o, s->src->model_key))
        bluetti_options_set(o, s->src->model_key, s->model);
    bluetti_session_config sc;
    bluetti_session_config_default(&sc);
    sc.timeout_s = 5;
    sc.retry.max_attempts = 2;
    bluetti_error_info e;
    memset(&e, 0, sizeof e);
    int rc = o ? bluetti_session_open_ex(b->reg, s->src->transport, o, &sc, &s->s, &e)
               : BLUETTI_E_NOMEM;
    bluetti_options_free(o);
    if (rc) {
        char why[512];
        bt_fmt(why, sizeof why, "cannot open the %s session: %s; %s", s->src->transport,
               e.detail[0] ? e.detail : bluetti_strerror(rc), e.remedy[0] ? e.remedy : "");
        if (strcmp(why, s->last_error) != 0) br_log(BR_WARN, "source %s: %s", s->src->name, why);
        bt_strlcpy(s->last_error, why, sizeof s->last_error);
        s->s = NULL;
        s->next_open = now + s->backoff;
        s->backoff = s->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : s->backoff * 2;
        return;
    }
    br_log(s->was_open ? BR_INFO : BR_DEBUG, "source %s: session open (%s)", s->src->name,
           s->src->transport);
    s->was_open = true;
    s->backoff = BACKOFF_MIN;
    s->last_error[0] = '\0';
    bluetti_session_set_read_callback(s->s, br_on_read, b);
    bluetti_session_set_write_callback(s->s, br_on_write, b);
    b->attach_due = true;
}

void br_sess_open_due(bridge *b, double now)
{
    for (size_t i = 0; i < b->n_sess; i++) {
        br_sess *s = b->sess[i];
        if (!s->s && now >= s->next_open) open_one(b, s, now);
    }
    if (!b->attach_due) return;
    b->attach_due = false;
    for (size_t i = 0; i < b->n_devs; i++)
        if (b->devs[i]->sess && b->devs[i]->sess->s && !b->devs[i]->d) br_dev_attach(b, b->devs[i]);
}

int br_sess_timeout_ms(const bridge *b, double now)
{
    int best = -1;
    for (size_t i = 0; i < b->n_sess; i++) {
        const br_sess *s = b->sess[i];
        int t = s->s ? bluetti_session_next_timeout_ms(s->s) : bt_ms_until(s->next_open, now, 3600000);
        if (t >= 0 && (best < 0 || t < best)) best = t;
    }
    return best;
}
