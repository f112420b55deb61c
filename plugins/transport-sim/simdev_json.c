/* Device image files: a JSON image (format: data/devices/README.md) read
 * into image data and built by bt_simdev_new(). Compiled in a build with
 * jansson only (simdev_nojson.c otherwise). Every error names the file and
 * where in it: invalid JSON (line, column), an unknown key, a bad hex digit
 * (range, line, character), an odd digit count. */
#include "config.h"

#include "simdev.h"

#include "bt_numbers.h"
#include "bt_text.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define MODEL_BYTES 12            /* block 100 bytes 20-31 hold the model text */


bool bt_simdev_reads_files(void)
{
    return true;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Append the hex digits of one line to buf. Whitespace is ignored. */
static int hex_line(bt_simdev_loader *L, size_t ri, const char *line, size_t line_no, bool many,
                    uint8_t **buf, size_t *len, size_t *cap, int *pending)
{
    for (size_t i = 0; line[i]; i++) {
        unsigned char c = (unsigned char)line[i];
        if (isspace(c)) continue;
        int v = hexval(c);
        if (v < 0) {
            char where[48] = "";
            if (many) snprintf(where, sizeof where, " line %zu,", line_no + 1);
            return bt_simdev_fail(L, BLUETTI_E_INVAL,
                        "ranges[%zu]: hex%s character %zu: '%s%c' is not a hex digit", ri, where,
                        i + 1, isprint(c) ? "" : "\\", isprint(c) ? (char)c : '?');
        }
        if (*pending < 0) {
            *pending = v;
            continue;
        }
        if (*len == *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            uint8_t *nb = realloc(*buf, nc);
            if (!nb) return bt_simdev_fail(L, BLUETTI_E_NOMEM, "out of memory");
            *buf = nb;
            *cap = nc;
        }
        (*buf)[(*len)++] = (uint8_t)(*pending << 4 | v);
        *pending = -1;
    }
    return 0;
}

static int load_range(bt_simdev_loader *L, size_t ri, json_t *jr, bt_sim_image_range *out)
{
    if (!json_is_object(jr)) return bt_simdev_fail(L, BLUETTI_E_INVAL, "ranges[%zu]: expected an object", ri);
    const char *key;
    json_t *val;
    json_object_foreach(jr, key, val) {
        if (strcmp(key, "start") != 0 && strcmp(key, "hex") != 0 && strcmp(key, "name") != 0 &&
            strcmp(key, "note") != 0)
            return bt_simdev_fail(L, BLUETTI_E_INVAL,
                        "ranges[%zu]: unknown key \"%s\" (known: start, hex, name, note)", ri, key);
        if ((!strcmp(key, "name") || !strcmp(key, "note")) && !json_is_string(val))
            return bt_simdev_fail(L, BLUETTI_E_INVAL, "ranges[%zu]: \"%s\" must be a string", ri, key);
    }
    json_t *js = json_object_get(jr, "start");
    if (!json_is_integer(js) || json_integer_value(js) < 0 || json_integer_value(js) > 65535)
        return bt_simdev_fail(L, BLUETTI_E_INVAL, "ranges[%zu]: \"start\" must be a register number 0..65535",
                    ri);
    json_t *jh = json_object_get(jr, "hex");
    if (!jh || !(json_is_string(jh) || json_is_array(jh)))
        return bt_simdev_fail(L, BLUETTI_E_INVAL,
                    "ranges[%zu]: \"hex\" must be a string or an array of strings", ri);
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    int pending = -1, rc = 0;
    if (json_is_string(jh)) {
        rc = hex_line(L, ri, json_string_value(jh), 0, false, &buf, &len, &cap, &pending);
    } else {
        size_t n = json_array_size(jh);
        for (size_t i = 0; i < n && rc == 0; i++) {
            json_t *line = json_array_get(jh, i);
            if (!json_is_string(line))
                rc = bt_simdev_fail(L, BLUETTI_E_INVAL, "ranges[%zu]: hex line %zu is not a string", ri, i + 1);
            else
                rc = hex_line(L, ri, json_string_value(line), i, true, &buf, &len, &cap, &pending);
        }
    }
    long start = (long)json_integer_value(js);
    if (rc || pending >= 0 || len == 0 || len % 2 || (size_t)start + len / 2 > 65536u) {
        free(buf);
        if (rc) return rc;
        if (pending >= 0)
            return bt_simdev_fail(L, BLUETTI_E_INVAL, "ranges[%zu] (start %ld): odd number of hex digits",
                        ri, start);
        if (len == 0) return bt_simdev_fail(L, BLUETTI_E_INVAL, "ranges[%zu] (start %ld): no data", ri, start);
        if (len % 2)
            return bt_simdev_fail(L, BLUETTI_E_INVAL,
                        "ranges[%zu] (start %ld): %zu bytes is not a whole number of 16-bit "
                        "registers", ri, start, len);
        return bt_simdev_fail(L, BLUETTI_E_INVAL,
                    "ranges[%zu] (start %ld): %zu registers run past register 65535", ri, start,
                    len / 2);
    }
    uint16_t *regs = malloc(len / 2 * sizeof *regs);
    if (!regs) {
        free(buf);
        return bt_simdev_fail(L, BLUETTI_E_NOMEM, "out of memory");
    }
    for (size_t k = 0; k < len / 2; k++) regs[k] = (uint16_t)(buf[2 * k] << 8 | buf[2 * k + 1]);
    free(buf);
    *out = (bt_sim_image_range){ (uint16_t)start, (uint32_t)(len / 2), regs };
    return 0;
}

/* What the file holds, as image data; strings point into the JSON document. */
struct parsed {
    bt_sim_image img;
    const char **aliases;
    bt_sim_image_range *ranges;
};

static void parsed_free(struct parsed *p)
{
    for (size_t i = 0; i < p->img.n_ranges; i++) free((void *)p->ranges[i].regs);
    free(p->ranges);
    free(p->aliases);
}

static int load_ranges(bt_simdev_loader *L, struct parsed *p, json_t *jranges)
{
    if (!json_is_array(jranges) || json_array_size(jranges) == 0)
        return bt_simdev_fail(L, BLUETTI_E_INVAL, "\"ranges\" must be a non-empty array");
    size_t n = json_array_size(jranges);
    p->ranges = calloc(n, sizeof *p->ranges);
    if (!p->ranges) return bt_simdev_fail(L, BLUETTI_E_NOMEM, "out of memory");
    p->img.ranges = p->ranges;
    for (size_t i = 0; i < n; i++) {
        int rc = load_range(L, i, json_array_get(jranges, i), &p->ranges[i]);
        if (rc) return rc;
        p->img.n_ranges++;
    }
    return 0;
}

static const char *const top_keys[] = {
    "model", "aliases", "serial", "protocol_version", "address", "envelope", "description", "note",
    "ranges", NULL
};

static int load_json(bt_simdev_loader *L, struct parsed *p, json_t *root)
{
    if (!json_is_object(root)) return bt_simdev_fail(L, BLUETTI_E_INVAL, "the top level must be an object");
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val) {
        size_t i = 0;
        while (top_keys[i] && strcmp(top_keys[i], key) != 0) i++;
        if (!top_keys[i])
            return bt_simdev_fail(L, BLUETTI_E_INVAL,
                        "unknown key \"%s\" (known: model, aliases, serial, protocol_version, "
                        "address, envelope, description, note, ranges)", key);
    }
    json_t *j = json_object_get(root, "model");
    const char *model = json_string_value(j);
    size_t mlen = model ? strlen(model) : 0;
    if (!model || mlen == 0 || mlen > MODEL_BYTES)
        return bt_simdev_fail(L, BLUETTI_E_INVAL, "\"model\" must be a string of 1 to %d characters",
                    MODEL_BYTES);
    for (size_t i = 0; i < mlen; i++)
        if (!isprint((unsigned char)model[i]))
            return bt_simdev_fail(L, BLUETTI_E_INVAL, "\"model\" must be printable ASCII");
    bt_sim_image *img = &p->img;
    img->model = model;

    j = json_object_get(root, "aliases");
    if (j) {
        if (!json_is_array(j)) return bt_simdev_fail(L, BLUETTI_E_INVAL, "\"aliases\" must be an array of strings");
        size_t n = json_array_size(j);
        p->aliases = calloc(n ? n : 1, sizeof *p->aliases);
        if (!p->aliases) return bt_simdev_fail(L, BLUETTI_E_NOMEM, "out of memory");
        img->aliases = p->aliases;
        for (size_t i = 0; i < n; i++) {
            const char *a = json_string_value(json_array_get(j, i));
            if (!a || !*a) return bt_simdev_fail(L, BLUETTI_E_INVAL, "aliases[%zu] must be a non-empty string", i);
            p->aliases[i] = a;
            img->n_aliases++;
        }
    }

    j = json_object_get(root, "serial");
    uint64_t sv;
    const char *serial = json_string_value(j);
    if (!serial || bt_parse_u64(serial, &sv) != BT_NUM_OK || strlen(serial) > 20)
        return bt_simdev_fail(L, BLUETTI_E_INVAL,
                    "\"serial\" must be a decimal number in a string (13 digits on real devices)");
    img->serial = serial;

    img->protocol_version = 2000;
    j = json_object_get(root, "protocol_version");
    if (j) {
        if (!json_is_integer(j) || json_integer_value(j) < 1 || json_integer_value(j) > 65535)
            return bt_simdev_fail(L, BLUETTI_E_INVAL, "\"protocol_version\" must be an integer 1..65535");
        img->protocol_version = (uint16_t)json_integer_value(j);
    }
    img->address = 1;
    j = json_object_get(root, "address");
    if (j) {
        /* 0 is a unicast address for 2nd-generation cloud devices
         * (docs/protocol/transport-mqtt-live.md) */
        if (!json_is_integer(j) || json_integer_value(j) < 0 || json_integer_value(j) > 247)
            return bt_simdev_fail(L, BLUETTI_E_INVAL, "\"address\" must be a Modbus address 0..247");
        img->address = (uint8_t)json_integer_value(j);
    }
    img->envelope = img->protocol_version >= 2000 ? BLUETTI_ENVELOPE_NEW : BLUETTI_ENVELOPE_OLD;
    j = json_object_get(root, "envelope");
    if (j) {
        const char *e = json_string_value(j);
        if (e && !strcmp(e, "new")) img->envelope = BLUETTI_ENVELOPE_NEW;
        else if (e && !strcmp(e, "old")) img->envelope = BLUETTI_ENVELOPE_OLD;
        else if (e && !strcmp(e, "raw")) img->envelope = BLUETTI_ENVELOPE_RAW;
        else return bt_simdev_fail(L, BLUETTI_E_INVAL, "\"envelope\" must be \"new\", \"old\" or \"raw\"");
    }
    for (const char *k = "description"; k; k = strcmp(k, "note") != 0 ? "note" : NULL) {
        j = json_object_get(root, k);
        if (j && !json_is_string(j)) return bt_simdev_fail(L, BLUETTI_E_INVAL, "\"%s\" must be a string", k);
    }
    img->description = json_string_value(json_object_get(root, "description"));
    return load_ranges(L, p, json_object_get(root, "ranges"));
}

int bt_simdev_load(const char *path, bt_simdev **out, char *err, size_t err_len)
{
    bt_simdev_loader L = { path ? path : "(null)", err, err_len };
    if (err && err_len) err[0] = '\0';
    if (!out) return BLUETTI_E_INVAL;
    *out = NULL;
    if (!path) return bt_simdev_fail(&L, BLUETTI_E_INVAL, "no device image path given");
    FILE *fp = fopen(path, "r");
    if (!fp) return bt_simdev_fail(&L, BLUETTI_E_IO, "cannot open the device image: %s", strerror(errno));
    json_error_t je;
    json_t *root = json_loadf(fp, JSON_REJECT_DUPLICATES, &je);
    fclose(fp);
    if (!root)
        return bt_simdev_fail(&L, BLUETTI_E_INVAL, "line %d, column %d: invalid JSON: %s", je.line,
                    je.column, je.text);
    struct parsed p = { .img = { .n_aliases = 0 } };
    int rc = load_json(&L, &p, root);
    /* the checks of every image (overlaps, identity) are bt_simdev_new's */
    if (rc == 0) rc = bt_simdev_new(&p.img, path, out, err, err_len);
    parsed_free(&p);
    json_decref(root);
    return rc;
}
