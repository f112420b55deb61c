/* Value checks shared by the catalog A block suites. */
#include "config.h"

#include "blocks_catalog_a_check.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bluetti_registry *ba_reg;

int ba_suite_init(void)
{
    ba_reg = bt_registry();
    return ba_reg ? 0 : 1;
}

int ba_suite_clean(void)
{
    bluetti_registry_free(ba_reg);
    ba_reg = NULL;
    return 0;
}

static void fail_if(const char *file, int line, int ok, const char *fmt, ...) BLUETTI_PRINTF(4, 5);
static void fail_if(const char *file, int line, int ok, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, (unsigned)line, msg, file, "", CU_FALSE);
}

bluetti_result *ba_decode_n(uint16_t id, const char *hex, size_t n, uint16_t pv, int *rc,
                            const char *file, int line)
{
    const bluetti_block_schema *s = bluetti_registry_find_block(ba_reg, id);
    fail_if(file, line, s != NULL, "block %u is registered", (unsigned)id);
    if (!s) return NULL;
    bluetti_result *r = NULL;
    int x = bluetti_result_new(s, &r);
    fail_if(file, line, x == 0 && r, "bluetti_result_new for block %u", (unsigned)id);
    if (x || !r) return NULL;
    size_t len = 0;
    uint8_t *buf = bt_hex(hex, &len);
    if (n < len) len = n;
    x = bluetti_decode(r, buf, len, pv);
    free(buf);
    if (rc) *rc = x;
    return r;
}

static const bluetti_value *find(const bluetti_result *r, const char *name,
                                 const char *file, int line)
{
    const bluetti_value *v = r ? bluetti_result_find(r, name) : NULL;
    fail_if(file, line, v != NULL, "field %s exists", name);
    return v;
}

void ba_int(const bluetti_result *r, const char *name, int64_t want, const char *file, int line)
{
    const bluetti_value *v = find(r, name, file, line);
    if (!v) return;
    fail_if(file, line, v->kind == BLUETTI_VAL_INT && v->v.i == want,
            "%s: want int %lld, got kind %d value %lld (absent reason %d)", name,
            (long long)want, v->kind, v->kind == BLUETTI_VAL_INT ? (long long)v->v.i : 0LL,
            v->absent);
}

void ba_uint(const bluetti_result *r, const char *name, uint64_t want, const char *file, int line)
{
    const bluetti_value *v = find(r, name, file, line);
    if (!v) return;
    fail_if(file, line, v->kind == BLUETTI_VAL_UINT && v->v.u == want,
            "%s: want uint %llu, got kind %d value %llu", name, (unsigned long long)want,
            v->kind, v->kind == BLUETTI_VAL_UINT ? (unsigned long long)v->v.u : 0ULL);
}

static int near(double a, double b) { return fabs(a - b) <= 1e-6; }

void ba_float(const bluetti_result *r, const char *name, double want, const char *file, int line)
{
    const bluetti_value *v = find(r, name, file, line);
    if (!v) return;
    fail_if(file, line, v->kind == BLUETTI_VAL_FLOAT && near(v->v.f, want),
            "%s: want float %.9g, got kind %d value %.9g (absent reason %d)", name, want,
            v->kind, v->kind == BLUETTI_VAL_FLOAT ? v->v.f : NAN, v->absent);
}

void ba_text(const bluetti_result *r, const char *name, const char *want,
             const char *file, int line)
{
    const bluetti_value *v = find(r, name, file, line);
    if (!v) return;
    int ok = v->kind == BLUETTI_VAL_TEXT && v->v.s && strcmp(v->v.s, want) == 0;
    fail_if(file, line, ok, "%s: want text \"%s\", got kind %d \"%s\"", name, want, v->kind,
            v->kind == BLUETTI_VAL_TEXT && v->v.s ? v->v.s : "(none)");
}

void ba_absent(const bluetti_result *r, const char *name, int reason, const char *file, int line)
{
    const bluetti_value *v = find(r, name, file, line);
    if (!v) return;
    fail_if(file, line, v->kind == BLUETTI_VAL_ABSENT && v->absent == reason,
            "%s: want absent (%s), got kind %d reason %d", name, bluetti_absent_text(reason),
            v->kind, v->absent);
}

static const bluetti_value *items(const bluetti_result *r, const char *name, size_t n,
                                  const char *file, int line)
{
    const bluetti_value *v = find(r, name, file, line);
    if (!v) return NULL;
    int ok = v->kind == BLUETTI_VAL_ARRAY && v->count == n && (n == 0 || v->v.items);
    fail_if(file, line, ok, "%s: want an array of %zu, got kind %d count %u (absent reason %d)",
            name, n, v->kind, (unsigned)v->count, v->absent);
    return ok ? v : NULL;
}

void ba_int_items(const bluetti_result *r, const char *name, size_t n, const int64_t *want,
                  const char *file, int line)
{
    const bluetti_value *v = items(r, name, n, file, line);
    for (size_t i = 0; v && i < n; i++) {
        const bluetti_value *it = &v->v.items[i];
        fail_if(file, line, it->kind == BLUETTI_VAL_INT && it->v.i == want[i],
                "%s[%zu]: want int %lld, got kind %d value %lld", name, i, (long long)want[i],
                it->kind, it->kind == BLUETTI_VAL_INT ? (long long)it->v.i : 0LL);
    }
}

void ba_float_items(const bluetti_result *r, const char *name, size_t n, const double *want,
                    const char *file, int line)
{
    const bluetti_value *v = items(r, name, n, file, line);
    for (size_t i = 0; v && i < n; i++) {
        const bluetti_value *it = &v->v.items[i];
        fail_if(file, line, it->kind == BLUETTI_VAL_FLOAT && near(it->v.f, want[i]),
                "%s[%zu]: want float %.9g, got kind %d value %.9g", name, i, want[i], it->kind,
                it->kind == BLUETTI_VAL_FLOAT ? it->v.f : NAN);
    }
}

void ba_enum(const bluetti_result *r, const char *name, const char *want,
             const char *file, int line)
{
    const bluetti_value *v = find(r, name, file, line);
    const bluetti_block_schema *s = r ? bluetti_result_schema(r) : NULL;
    int idx = s ? bluetti_schema_field_index(s, name) : -1;
    if (!v || idx < 0) {
        fail_if(file, line, 0, "%s: no such field", name);
        return;
    }
    const char *got = v->kind == BLUETTI_VAL_INT
        ? bluetti_field_enum_name(&s->fields[idx], v->v.i) : NULL;
    int ok = want ? (got && strcmp(got, want) == 0) : got == NULL;
    fail_if(file, line, ok, "%s: want enum name %s, got %s", name, want ? want : "(none)",
            got ? got : "(none)");
}
