/* Health figures of a device (and of the bridge as a whole): when it last
 * answered, its last error, failures in a row, read latency percentiles
 * over the latest reads, and reads per minute over the last minute. */
#include "config.h"

#include "runtime.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SLOT_S 10

static void advance(br_health *h, double now)
{
    int64_t slot = (int64_t)floor(now / SLOT_S);
    if (h->bucket_slot == 0) h->bucket_slot = slot;
    for (int64_t s = h->bucket_slot + 1; s <= slot && s <= h->bucket_slot + 6; s++)
        h->buckets[s % 6] = 0;
    if (slot > h->bucket_slot) h->bucket_slot = slot;
}

void br_health_read(br_health *h, double now, double latency_ms, bool ok, const char *error)
{
    advance(h, now);
    h->buckets[h->bucket_slot % 6]++;
    h->reads++;
    if (ok) {
        h->lat_ms[h->lat_i] = (float)latency_ms;
        h->lat_i = (h->lat_i + 1) % BR_LAT_N;
        if (h->lat_n < BR_LAT_N) h->lat_n++;
        return;
    }
    h->failures++;
    if (error) snprintf(h->last_error, sizeof h->last_error, "%s", error);
}

double br_health_per_min(br_health *h, double now, double since)
{
    advance(h, now);
    uint64_t sum = 0;
    for (int i = 0; i < 6; i++) sum += h->buckets[i];
    double window = fmod(now, SLOT_S) + 5 * SLOT_S; /* the current slot and five whole ones */
    if (now - since < window) window = now - since;
    return window > 0.5 ? (double)sum * 60.0 / window : 0;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

double br_health_pct(const br_health *h, double p)
{
    if (!h->lat_n) return NAN; /* rounded to microseconds: what the figures mean */
    float v[BR_LAT_N];
    memcpy(v, h->lat_ms, h->lat_n * sizeof v[0]);
    qsort(v, h->lat_n, sizeof v[0], cmp_float);
    size_t k = (size_t)ceil(p / 100.0 * (double)h->lat_n);
    return round((double)v[k ? k - 1 : 0] * 1000.0) / 1000.0;
}

void br_health_json(br_buf *b, br_health *h, double now, double since)
{
    char t[32];
    br_buf_puts(b, "\"last_success\":");
    if (h->last_success > 0) {
        br_iso_time(h->last_success, t, sizeof t);
        br_buf_json_str(b, t);
    } else {
        br_buf_puts(b, "null");
    }
    br_buf_puts(b, ",\"last_error\":");
    if (h->last_error[0]) br_buf_json_str(b, h->last_error);
    else br_buf_puts(b, "null");
    br_buf_puts(b, ",\"last_error_time\":");
    if (h->last_error_time > 0) {
        br_iso_time(h->last_error_time, t, sizeof t);
        br_buf_json_str(b, t);
    } else {
        br_buf_puts(b, "null");
    }
    br_buf_printf(b, ",\"consecutive_failures\":%u,\"reads\":%llu,\"failures\":%llu,"
                  "\"reads_per_min\":", h->consecutive, (unsigned long long)h->reads,
                  (unsigned long long)h->failures);
    br_buf_json_num(b, round(br_health_per_min(h, now, since) * 10) / 10);
    br_buf_puts(b, ",\"latency_ms\":{\"p50\":");
    br_buf_json_num(b, br_health_pct(h, 50));
    br_buf_puts(b, ",\"p90\":");
    br_buf_json_num(b, br_health_pct(h, 90));
    br_buf_puts(b, ",\"p99\":");
    br_buf_json_num(b, br_health_pct(h, 99));
    br_buf_puts(b, "}");
}
