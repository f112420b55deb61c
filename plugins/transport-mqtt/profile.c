/* transport-mqtt: cloud_profile=PATH, a stored login. Filled in once
 * libbluetti-cloud's login functions are merged (cloud-client). */
#include "config.h"

#include "live.h"

#include <stdio.h>

int mqtt_live_profile_init(mqtt_live *lv, mqc_config *c, char *detail, size_t len)
{
    (void)lv;
    (void)c;
    if (detail && len) snprintf(detail, len, "option cloud_profile is not supported by this build");
    return BLUETTI_E_UNSUPPORTED;
}

int mqtt_live_profile_prepare(mqtt_live *lv, uint64_t local_ms, mqc_credentials *cr,
                              struct ssl_ctx_st **ctx, char *detail, size_t len)
{
    (void)lv;
    (void)local_ms;
    (void)cr;
    (void)ctx;
    if (detail && len) snprintf(detail, len, "option cloud_profile is not supported by this build");
    return BLUETTI_E_UNSUPPORTED;
}

void mqtt_live_profile_free(mqtt_live *lv) { (void)lv; }
