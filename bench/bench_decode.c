/* bench_decode: decoder throughput (single core) and plugin load time.
 *
 *   bench_decode PLUGIN_DIR IMAGE.json... [-- SECONDS]
 *   bench_decode --load PLUGIN_DIR       only: time to load every plugin
 *   bench_decode --load-for PLUGIN_DIR T  the same as bluetti-tool does it for
 *                                        a read through transport T
 *
 * Payloads come from the device images through the in-process sim
 * transport (bluetti_device_read_block), so they are the bytes a device
 * would send. Blocks no image provides get a deterministic synthetic
 * payload of the schema's read length (counted and reported). A "field"
 * is a schema field (an array is one field); "values" also counts every
 * array element.
 * Output: "key value" lines on stdout.
 */
#include "config.h"

#include "bench-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct item {
    const bluetti_block_schema *schema;
    bluetti_result *res;
    uint8_t *data;
    size_t len;
    uint16_t version;
    int synthetic;
    size_t values;     /* scalar values one decode produces (array elements counted) */
};

/* The "model" of a device image (a JSON file), or NULL. */
static char *image_model(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return NULL;
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    char *p = strstr(buf, "\"model\"");
    if (!p || !(p = strchr(p + 7, '"'))) return NULL;
    char *e = strchr(p + 1, '"');
    if (!e) return NULL;
    *e = '\0';
    return strdup(p + 1);
}

static volatile uint64_t sink;

/* Decode it[0..n) round-robin for about `seconds`; returns blocks/s and
 * sets *fields_per_s. */
static double values_per_s;
static double run(struct item *it, size_t n, double seconds, double *fields_per_s)
{
    uint64_t blocks = 0, fields = 0, values = 0;
    double t0 = bench_now(), t1 = t0;
    for (;;) {
        for (int rep = 0; rep < 64; rep++) {
            for (size_t i = 0; i < n; i++) {
                if (bluetti_decode(it[i].res, it[i].data, it[i].len, it[i].version) == 0)
                    sink += bluetti_result_value(it[i].res, 0)->kind;
                fields += it[i].schema->n_fields;
                values += it[i].values;
            }
            blocks += n;
        }
        t1 = bench_now();
        if (t1 - t0 >= seconds) break;
    }
    *fields_per_s = (double)fields / (t1 - t0);
    values_per_s = (double)values / (t1 - t0);
    return (double)blocks / (t1 - t0);
}

static void report(const char *name, struct item *it, size_t n, double seconds)
{
    uint64_t nf = 0;
    for (size_t i = 0; i < n; i++) nf += it[i].schema->n_fields;
    double fps, bps = 0, best_fps = 0, best_vps = 0;
    run(it, n, seconds / 10, &fps); /* warm up */
    /* best of 5: on a shared machine the slow runs measure the neighbours */
    for (int k = 0; k < 5; k++) {
        double b = run(it, n, seconds / 5, &fps);
        if (b > bps) {
            bps = b;
            best_fps = fps;
            best_vps = values_per_s;
        }
    }
    fps = best_fps;
    values_per_s = best_vps;
    printf("decode_%s_blocks_per_s %.0f\n", name, bps);
    printf("decode_%s_fields_per_s %.0f\n", name, fps);
    printf("decode_%s_ns_per_field %.2f\n", name, 1e9 / fps);
    printf("decode_%s_fields_per_block %.1f\n", name, (double)nf / (double)n);
    printf("decode_%s_values_per_s %.0f\n", name, values_per_s);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--load") == 0) {
        double t0 = bench_now(), load_s;
        bluetti_registry *reg = bench_registry(argv[2], &load_s);
        double t1 = bench_now();
        printf("plugin_load_us %.1f\n", load_s * 1e6);
        printf("plugin_load_total_us %.1f\n", (t1 - t0) * 1e6);
        printf("plugin_count %zu\n", bluetti_registry_plugin_count(reg));
        bluetti_registry_free(reg);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "--load-for") == 0) {
        /* as bluetti-tool loads for a read: transports deferred, then the
         * one the command names */
        bluetti_registry *reg = NULL;
        if (bluetti_registry_new(&reg) != 0) bench_die("cannot create a registry");
        double t0 = bench_now();
        int n = bluetti_registry_load_dir(reg, argv[2], BLUETTI_LOAD_NO_ENV | BLUETTI_LOAD_NO_SYSTEM |
                                                        BLUETTI_LOAD_DEFER_TRANSPORTS);
        int rc = bluetti_registry_need_transport(reg, argv[3]);
        double t1 = bench_now();
        if (n <= 0 || rc) bench_die("loading for transport %s failed (%d, %d)", argv[3], n, rc);
        printf("plugin_load_%s_us %.1f\n", argv[3], (t1 - t0) * 1e6);
        printf("plugin_count_%s %zu\n", argv[3], bluetti_registry_plugin_count(reg));
        bluetti_registry_free(reg);
        return 0;
    }
    if (argc < 3) bench_die("usage: bench_decode PLUGIN_DIR IMAGE.json... [-- SECONDS]");
    double seconds = 1.0;
    int n_img = argc - 2;
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--") == 0 && i + 1 < argc) {
            seconds = atof(argv[i + 1]);
            n_img = i - 2;
            break;
        }
    if (!(seconds > 0 && seconds < 60)) seconds = 1.0;

    bluetti_registry *reg = bench_registry(argv[1], NULL);
    size_t nb = bluetti_registry_block_count(reg);
    struct item *it = calloc(nb, sizeof *it);
    if (!it) bench_die("out of memory");

    /* one sim session per image; the first image that has a block wins */
    bluetti_session **ss = calloc((size_t)n_img, sizeof *ss);
    bluetti_device **dd = calloc((size_t)n_img, sizeof *dd);
    if (!ss || !dd) bench_die("out of memory");
    for (int k = 0; k < n_img; k++) {
        bluetti_options *o = bluetti_options_new();
        bluetti_options_set(o, "device", argv[2 + k]);
        char detail[256];
        int rc = bluetti_session_open(reg, "sim", o, NULL, &ss[k], detail, sizeof detail);
        bluetti_options_free(o);
        if (rc) bench_die("sim session for %s: %s", argv[2 + k], detail);
        /* one image: the sim transport serves any address from it; the
         * profile of the image's model gives the block sizes a device uses */
        char *model = image_model(argv[2 + k]);
        if (!model) bench_die("%s: no \"model\"", argv[2 + k]);
        rc = bluetti_session_add_device(ss[k], "1000000001", model, &dd[k]);
        if (rc) bench_die("add device (%s): %s", model, bluetti_strerror(rc));
        free(model);
    }
    size_t synthetic = 0;
    uint32_t lcg = 12345;
    for (size_t b = 0; b < nb; b++) {
        const bluetti_block_schema *s = bluetti_registry_block_at(reg, b);
        it[b].schema = s;
        if (bluetti_result_new(s, &it[b].res)) bench_die("result_new");
        const bluetti_result *r = NULL;
        for (int k = 0; k < n_img && !r; k++)
            if (bluetti_device_read_block(dd[k], s->id, 0, &r) != 0) r = NULL;
        size_t len = 0;
        const uint8_t *raw = r ? bluetti_result_raw(r, &len) : NULL;
        if (!raw || len == 0) {
            len = bluetti_schema_read_length(s);
            it[b].data = malloc(len ? len : 1);
            if (!it[b].data) bench_die("out of memory");
            for (size_t i = 0; i < len; i++) {
                lcg = lcg * 1103515245u + 12345u;
                it[b].data[i] = (uint8_t)(lcg >> 16);
            }
            it[b].version = 2001;
            it[b].synthetic = 1;
            synthetic++;
        } else {
            it[b].data = malloc(len);
            if (!it[b].data) bench_die("out of memory");
            memcpy(it[b].data, raw, len);
            it[b].version = bluetti_result_protocol_version(r);
        }
        it[b].len = len;
        bluetti_decode(it[b].res, it[b].data, it[b].len, it[b].version);
        for (size_t i = 0; i < s->n_fields; i++) {
            const bluetti_value *v = bluetti_result_value(it[b].res, i);
            it[b].values += v->kind == BLUETTI_VAL_ARRAY ? v->count : 1;
        }
    }
    for (int k = 0; k < n_img; k++) bluetti_session_close(ss[k]);
    free(ss);
    free(dd);

    printf("decode_catalog_blocks %zu\n", nb);
    printf("decode_catalog_synthetic %zu\n", synthetic);
    static const uint16_t singles[] = { 100, 1300, 6000 };
    for (size_t i = 0; i < sizeof singles / sizeof singles[0]; i++) {
        for (size_t b = 0; b < nb; b++)
            if (it[b].schema->id == singles[i]) {
                char name[16];
                snprintf(name, sizeof name, "%u", (unsigned)singles[i]);
                report(name, &it[b], 1, seconds);
            }
    }
    report("mix", it, nb, seconds * 2);
    if (getenv("BENCH_DECODE_PER_BLOCK")) {
        /* where the mix's time goes: one line per block on stderr */
        for (size_t b = 0; b < nb; b++) {
            double fps, bps = run(&it[b], 1, seconds / 10, &fps);
            fprintf(stderr, "block %5u %-26s %4zu bytes %3u fields %2zu warnings%s %7.1f ns/block %6.2f ns/field\n",
                    (unsigned)it[b].schema->id, it[b].schema->name, it[b].len,
                    (unsigned)it[b].schema->n_fields, bluetti_result_warning_count(it[b].res),
                    it[b].synthetic ? " (synthetic)" : "", 1e9 / bps, 1e9 / fps);
        }
    }
    for (size_t b = 0; b < nb; b++) {
        bluetti_result_free(it[b].res);
        free(it[b].data);
    }
    free(it);
    bluetti_registry_free(reg);
    return 0;
}
