/* --sn SERIAL through the stored cloud login: the station's broker,
 * topics (the session address MODEL:SUBSN), payload envelope, and the
 * profile path the transport logs in with at every connect, each into the
 * key the transport declares for it (BLUETTI_OPTION_F_CLOUD_*): no
 * transport's key name appears here. */
#include "config.h"

#include "tool.h"
#include "bt_address.h"

#include "cloud_lib.h"

#include <stdlib.h>
#include <string.h>

/* The envelope a station speaks, from what the cloud said about it
 * (docs/protocol/cloud.md, "Payload envelope"): second generation
 * (protocol >= 2000, or payload version >= 1.1) the new one; an older
 * protocol the one-byte prefix; unknown: the new one. */
static const char *envelope_for(const bluetti_cloud_device *d)
{
    if (d->protocol_ver >= 2000) return "new";
    double pv = d->payload_ver[0] ? strtod(d->payload_ver, NULL) : 0.0;
    if (pv >= 1.1) return "new";
    if (d->protocol_ver > 0) return "old";
    return "new";
}

/* A topic part from the cloud: what the session and MQTT accept. */
static bool topic_safe(const char *s)
{
    /* and neither the address separator ':' nor a template's braces */
    return bt_address_valid_max(s, 64) && !strpbrk(s, ":{}");
}

int cloud_profile_resolve(tool *t, bluetti_options *o, char **address, char **cloud_model)
{
    *address = *cloud_model = NULL;
    const cloud_lib *L = cloud_lib_open();
    if (!L) return EXIT_FAIL;
    const settings *s = &t->set;
    char detail[512] = "";
    bluetti_cloud *c = NULL;
    int err = L->profile_load(NULL, NULL, &c, detail, sizeof detail);
    if (err == BLUETTI_E_NOT_LOGGED_IN)
        return tool_error(EXIT_NO_LOGIN, "not logged in to the Bluetti cloud; run '" TOOL_NAME
                          " login --account EMAIL' first, or give --cert FILE (the account's "
                          "PKCS#12 file)");
    if (err)
        return tool_error(exit_code_for(err) == EXIT_FAIL ? EXIT_FAIL : EXIT_USAGE,
                          "cannot read the stored login: %s", detail[0] ? detail
                                                                      : bluetti_strerror(err));
    int rc = EXIT_OK;
    const bluetti_cloud_device *d = L->device_find(c, s->sn);
    if (!d) {
        rc = tool_error(EXIT_NO_LOGIN, "%s; or run '" TOOL_NAME " devices' to refresh the list",
                        L->error_detail(c));
        goto out;
    }
    if (!topic_safe(d->model) || !topic_safe(d->sub_sn)) {
        rc = tool_error(EXIT_FAIL, "the cloud names station %s with characters a topic cannot "
                        "hold; this station cannot be read through the cloud", bt_shown(s->sn));
        goto out;
    }
    char *profile = xasprintf("%s/%s", L->profile_dir(c), BLUETTI_CLOUD_PROFILE_FILE);
    *address = xasprintf("%s:%s", d->model, d->sub_sn);
    *cloud_model = strdup(d->model);
    /* "host:port" from the profile, for the keys the transport declares for
     * them (BLUETTI_OPTION_F_CLOUD_*); a key the user gave wins */
    char *broker = strdup(L->broker(c, d));
    char *colon = broker ? strrchr(broker, ':') : NULL;
    if (!profile || !*address || !*cloud_model || !broker || !colon) {
        free(profile);
        free(broker);
        rc = tool_error(EXIT_FAIL, "out of memory");
        goto out;
    }
    *colon = '\0';
    const char *host = broker;
    if (host[0] == '[') { /* [v6]:port */
        host++;
        size_t hl = strlen(host);
        if (hl && host[hl - 1] == ']') broker[hl] = '\0';
    }
    int fail = 0;
    if (topts_fill_cloud(t, o, BLUETTI_OPTION_F_CLOUD_HOST, host)) fail = 1;
    if (topts_fill_cloud(t, o, BLUETTI_OPTION_F_CLOUD_PORT, colon + 1)) fail = 1;
    if (bluetti_options_set(o, topts_cloud_login_key(t), profile)) fail = 1;
    if (topts_fill_cloud(t, o, BLUETTI_OPTION_F_CLOUD_ENVELOPE, envelope_for(d))) fail = 1;
    free(profile);
    free(broker);
    if (fail) rc = tool_error(EXIT_FAIL, "out of memory");
    bluetti_log(bluetti_registry_logger(t->reg), BLUETTI_LOG_INFO, TOOL_NAME,
                "station %s (%s) through the stored login of %s", d->sn, d->model,
                L->account(c));
out:
    if (rc) {
        free(*address);
        free(*cloud_model);
        *address = *cloud_model = NULL;
    }
    L->free_(c);
    return rc;
}
