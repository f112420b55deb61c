/* Values to write, checked against a field's write metadata before
 * anything is sent (docs/protocol/writes.md): names, numbers with units,
 * range and step. Also the rules a write spec itself must follow, for
 * bluetti_schema_validate. */
#include "config.h"

#include "internal.h"
#include "write_int.h"

#include "bt_numbers.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <strings.h>

/* The one scale factor a writable field may have (1 without). */
static double field_scale(const bluetti_field *f)
{
    for (size_t k = 0; k < BLUETTI_MAX_XF && f->xf[k].op != BLUETTI_XF_END; k++)
        if (f->xf[k].op == BLUETTI_XF_SCALE) return f->xf[k].arg.f[0];
    return 1.0;
}

int bt_write_spec_check(const bluetti_block_schema *s, const bluetti_field *f, char *why,
                        size_t len)
{
    const bluetti_write_spec *w = f->write;
    if (!w) return 0;
    if ((f->type != BLUETTI_U16 && f->type != BLUETTI_I16) || (f->flags & BLUETTI_F_ARRAY) ||
        f->after || (f->offset & 1u)) {
        bt_strlcpy(why, "a writable field must be one whole register (u16 or i16 at an even "
                   "offset, not an array)", len);
        return BLUETTI_E_SCHEMA;
    }
    for (size_t k = 0; k < BLUETTI_MAX_XF && f->xf[k].op != BLUETTI_XF_END; k++) {
        if (k > 0 || f->xf[k].op != BLUETTI_XF_SCALE) {
            bt_strlcpy(why, "a writable field may have one scale and no other transform", len);
            return BLUETTI_E_SCHEMA;
        }
    }
    if ((uint32_t)s->id + f->offset / 2u != w->reg) {
        bt_fmt(why, len, "write register %u is not the field's register %lu", (unsigned)w->reg,
               (unsigned long)s->id + f->offset / 2u);
        return BLUETTI_E_SCHEMA;
    }
    if (w->evidence != BLUETTI_EV_CONFIRMED && w->evidence != BLUETTI_EV_UNVERIFIED) {
        bt_strlcpy(why, "write evidence must be confirmed or unverified", len);
        return BLUETTI_E_SCHEMA;
    }
    if (w->flags) {
        bt_strlcpy(why, "write flags must be zero", len);
        return BLUETTI_E_SCHEMA;
    }
    bool numbers = w->step > 0;
    if (!w->values && !numbers) {
        bt_strlcpy(why, "write metadata needs named values or a step > 0", len);
        return BLUETTI_E_SCHEMA;
    }
    if (numbers && (!isfinite(w->min) || !isfinite(w->max) || !isfinite(w->step) ||
                    w->min > w->max)) {
        bt_fmt(why, len, "write range %g..%g step %g is not sane", w->min, w->max, w->step);
        return BLUETTI_E_SCHEMA;
    }
    long lo = f->type == BLUETTI_U16 ? 0 : -32768, hi = f->type == BLUETTI_U16 ? 65535 : 32767;
    for (const bluetti_enum_name *e = w->values; e && e->name; e++) {
        if (!*e->name || e->value < lo || e->value > hi) {
            bt_fmt(why, len, "write value '%s' = %lld does not fit the register", e->name,
                   (long long)e->value);
            return BLUETTI_E_SCHEMA;
        }
    }
    double sc = field_scale(f);
    if (numbers && (w->min / sc < (double)lo || w->max / sc > (double)hi)) {
        bt_fmt(why, len, "write range %g..%g does not fit the register", w->min, w->max);
        return BLUETTI_E_SCHEMA;
    }
    return 0;
}

/* The allowed values, for messages: "on, off" or "5..20 W in steps of 1". */
static void allowed(const bluetti_field *f, char *buf, size_t cap)
{
    const bluetti_write_spec *w = f->write;
    buf[0] = '\0';
    for (const bluetti_enum_name *e = w->values; e && e->name; e++) {
        size_t n = strlen(buf);
        bt_fmt(buf + n, cap - n, "%s%s", n ? ", " : "", e->name);
    }
    if (w->step > 0) {
        size_t n = strlen(buf);
        bt_fmt(buf + n, cap - n, "%s%g..%g%s%s in steps of %g", n ? ", or " : "", w->min,
               w->max, f->unit ? " " : "", f->unit ? f->unit : "", w->step);
    }
}

/* text without a trailing unit (f->unit, ignoring case, with optional
 * spaces before it) into buf; false when it does not fit. */
static bool strip_unit(const bluetti_field *f, const char *text, char *buf, size_t cap)
{
    size_t n = strlen(text);
    if (n >= cap) return false;
    memcpy(buf, text, n + 1);
    size_t u = f->unit ? strlen(f->unit) : 0;
    if (u && n > u && strcasecmp(buf + n - u, f->unit) == 0) {
        n -= u;
        while (n && buf[n - 1] == ' ') n--;
        buf[n] = '\0';
    }
    return true;
}

int bluetti_field_parse_write(const bluetti_block_schema *s, const bluetti_field *f,
                              const char *text, uint16_t *reg, uint16_t *raw, char *why,
                              size_t why_len)
{
    if (why && why_len) why[0] = '\0';
    if (!s || !f || !text || !reg || !raw) return BLUETTI_E_INVAL;
    const bluetti_write_spec *w = f->write;
    if (!w) {
        bt_fmt(why, why_len, "%s is not writable", f->name);
        return BLUETTI_E_NOT_WRITABLE;
    }
    char ok[256];
    allowed(f, ok, sizeof ok);
    for (const bluetti_enum_name *e = w->values; e && e->name; e++) {
        if (strcasecmp(e->name, text) == 0) {
            *reg = w->reg;
            *raw = (uint16_t)e->value;
            return 0;
        }
    }
    char num[64];
    double v;
    if (w->step > 0 && strip_unit(f, text, num, sizeof num) &&
        bt_parse_decimal(num, &v) == BT_NUM_OK) {
        double k = (v - w->min) / w->step;
        if (v < w->min || v > w->max) {
            bt_fmt(why, why_len, "%s: %g is out of range (allowed: %s)", f->name, v, ok);
            return BLUETTI_E_WRITE_VALUE;
        }
        if (fabs(k - round(k)) > 1e-6) {
            bt_fmt(why, why_len, "%s: %g is not on the step (allowed: %s)", f->name, v, ok);
            return BLUETTI_E_WRITE_VALUE;
        }
        double r = round(v / field_scale(f));
        *reg = w->reg;
        *raw = (uint16_t)(int32_t)r; /* i16 as two's complement; the range check keeps it in */
        return 0;
    }
    bt_fmt(why, why_len, "%s: '%s' is not an allowed value (allowed: %s)", f->name, text, ok);
    return BLUETTI_E_WRITE_VALUE;
}

const bluetti_enum_name *bt_write_read_names(const bluetti_profile *p, uint16_t block,
                                             const bluetti_field *f)
{
    const bluetti_field_override *o = bluetti_profile_override(p, block, f->name);
    if (o && (o->what & BLUETTI_OV_ENUMS)) return o->enums;
    return f->enums;
}

const char *bt_write_name_of(const bluetti_enum_name *names, int64_t value)
{
    for (const bluetti_enum_name *e = names; e && e->name; e++)
        if (e->value == value) return e->name;
    return NULL;
}
