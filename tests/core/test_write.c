/* Guarded writes: Modbus write framing and echo checks, value validation
 * against the schemas' write metadata, the simulated device's mutable
 * registers and write faults, and the session's write sequence (read,
 * write once, read back) through the in-process "sim" transport, with
 * the frames that reached the simulator counted from its frame log. */
#include "config.h"

#include "testutil.h"
#include "sim_image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EL100 "data/devices/el100v2.json"
#define EL100_SN "2345000223861"

static bluetti_registry *registry;
static char frame_log[64];
static unsigned attempts = 2;   /* per read, in the sessions open_sim opens */

static const char *hex_of(const uint8_t *b, size_t n)
{
    static char buf[2 * BLUETTI_MODBUS_MAX_WRITE_FRAME + 1];
    bluetti_hex_format(b, n, 0, buf, sizeof buf);
    return buf;
}

/* ---- framing ------------------------------------------------------------- */

static int parse(const char *reply_hex, const uint8_t *req, size_t req_len, uint8_t *code)
{
    size_t n;
    uint8_t *f = bt_hex(reply_hex, &n);
    int rc = bluetti_modbus_parse_write_reply(f, n, req, req_len, code);
    free(f);
    return rc;
}

static void test_build_write(void)
{
    uint8_t f[BLUETTI_MODBUS_MAX_WRITE_FRAME];
    size_t n = 0;
    uint16_t one = 1, two[2] = { 1, 1 };
    CU_ASSERT_EQUAL(bluetti_modbus_build_write(1, 2011, &one, 1, f, sizeof f, &n), 0);
    CU_ASSERT_EQUAL(n, 8);
    CU_ASSERT_STRING_EQUAL(hex_of(f, n), "010607db00013945");
    CU_ASSERT_EQUAL(bluetti_modbus_build_write(1, 2011, two, 2, f, sizeof f, &n), 0);
    CU_ASSERT_EQUAL(n, 13);
    CU_ASSERT_STRING_EQUAL(hex_of(f, n), "011007db000204000100010970");
    /* address 0 is a unicast address here */
    CU_ASSERT_EQUAL(bluetti_modbus_build_write(0, 2011, &one, 1, f, sizeof f, &n), 0);
    CU_ASSERT_EQUAL(f[0], 0);
    /* bad requests build nothing */
    uint16_t many[124] = { 0 };
    CU_ASSERT_EQUAL(bluetti_modbus_build_write(1, 2011, &one, 0, f, sizeof f, &n), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(bluetti_modbus_build_write(1, 0, many, 124, f, sizeof f, &n), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_modbus_build_write(1, 65535, two, 2, f, sizeof f, &n), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_modbus_build_write(1, 2011, &one, 1, f, 7, &n), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_modbus_build_write(1, 2011, NULL, 1, f, sizeof f, &n), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_modbus_build_write(1, 2011, &one, 1, f, sizeof f, NULL), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_modbus_build_write(1, 0, many, 123, f, sizeof f, &n), 0);
    CU_ASSERT_EQUAL(n, BLUETTI_MODBUS_MAX_WRITE_FRAME);
}

static void test_parse_write_reply(void)
{
    size_t n1, n2, nr;
    uint8_t *one = bt_hex("010607db00013945", &n1);
    uint8_t *two = bt_hex("011007db000204000100010970", &n2);
    uint8_t *read = bt_hex("010307db0001f545", &nr);
    uint8_t code = 0xEE;
    CU_ASSERT_EQUAL(parse("010607db00013945", one, n1, &code), 0);
    CU_ASSERT_EQUAL(code, 0);
    CU_ASSERT_EQUAL(parse("011007db00023087", two, n2, &code), 0);
    /* exception 3, with its code */
    CU_ASSERT_EQUAL(parse("0186030261", one, n1, &code), BLUETTI_E_EXCEPTION);
    CU_ASSERT_EQUAL(code, 3);
    CU_ASSERT_EQUAL(parse("0190018dc0", two, n2, &code), BLUETTI_E_EXCEPTION);
    CU_ASSERT_EQUAL(code, 1);
    /* the right function, another value: not the echo */
    CU_ASSERT_EQUAL(parse("010607db0000f885", one, n1, NULL), BLUETTI_E_ECHO);
    CU_ASSERT_EQUAL(parse("010607db00013945", two, n2, NULL), BLUETTI_E_FUNCTION);
    /* a read reply, and an exception to a read: another function */
    CU_ASSERT_EQUAL(parse("01030200017984", one, n1, NULL), BLUETTI_E_FUNCTION);
    CU_ASSERT_EQUAL(parse("018302c0f1", one, n1, NULL), BLUETTI_E_FUNCTION);
    /* framing: truncated, trailing bytes, CRC, another address */
    CU_ASSERT_EQUAL(parse("010607db0001", one, n1, NULL), BLUETTI_E_FRAME);
    CU_ASSERT_EQUAL(parse("010607db0001394500", one, n1, NULL), BLUETTI_E_FRAME);
    CU_ASSERT_EQUAL(parse("0106", one, n1, NULL), BLUETTI_E_FRAME);
    CU_ASSERT_EQUAL(parse("010607db00013946", one, n1, NULL), BLUETTI_E_CRC);
    CU_ASSERT_EQUAL(parse("020607db00013976", one, n1, NULL), BLUETTI_E_ADDRESS);
    uint8_t other[8];
    size_t on = 0;
    uint16_t v1 = 1;
    bluetti_modbus_build_write(2, 2011, &v1, 1, other, sizeof other, &on);
    CU_ASSERT_EQUAL(bluetti_modbus_parse_write_reply(other, on, one, n1, NULL), BLUETTI_E_ADDRESS);
    /* the request must be a write request */
    CU_ASSERT_EQUAL(parse("010607db00013945", read, nr, NULL), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_modbus_parse_write_reply(one, n1, NULL, 0, NULL), BLUETTI_E_INVAL);
    free(one);
    free(two);
    free(read);
}

static void test_error_texts(void)
{
    CU_ASSERT_STRING_EQUAL(bluetti_err_name(BLUETTI_E_NOT_WRITABLE), "not_writable");
    CU_ASSERT_STRING_EQUAL(bluetti_err_name(BLUETTI_E_WRITE_VALUE), "write_value");
    CU_ASSERT_STRING_EQUAL(bluetti_err_name(BLUETTI_E_ECHO), "echo");
    CU_ASSERT_STRING_EQUAL(bluetti_err_name(BLUETTI_E_NOT_APPLIED), "not_applied");
    CU_ASSERT_EQUAL(bluetti_err_class(BLUETTI_E_NOT_WRITABLE), BLUETTI_CLASS_USAGE);
    CU_ASSERT_EQUAL(bluetti_err_class(BLUETTI_E_ECHO), BLUETTI_CLASS_PROTOCOL);
    CU_ASSERT_FALSE(bluetti_err_is_transient(BLUETTI_E_NOT_APPLIED));
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_modbus_write_exception_remedy(2), "no such register"));
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_modbus_write_exception_remedy(3), "refused the value"));
    CU_ASSERT_PTR_NOT_NULL(bluetti_modbus_write_exception_remedy(0x7F));
    CU_ASSERT_STRING_EQUAL(bluetti_write_outcome_name(BLUETTI_WRITE_APPLIED), "applied");
    CU_ASSERT_STRING_EQUAL(bluetti_write_outcome_name(BLUETTI_WRITE_NOT_APPLIED), "not_applied");
    CU_ASSERT_STRING_EQUAL(bluetti_write_outcome_name(BLUETTI_WRITE_UNKNOWN), "unknown");
}

/* ---- values -------------------------------------------------------------- */

static const bluetti_field *field(uint16_t block, const char *name,
                                  const bluetti_block_schema **s)
{
    *s = bluetti_registry_find_block(registry, block);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*s);
    int k = bluetti_schema_field_index(*s, name);
    CU_ASSERT_FATAL(k >= 0);
    return &(*s)->fields[k];
}

/* rc of parsing text for field name of block 2000; *raw gets the value */
static int value(const char *name, const char *text, uint16_t *raw, char *why, size_t len)
{
    const bluetti_block_schema *s;
    const bluetti_field *f = field(2000, name, &s);
    uint16_t reg = 0;
    *raw = 0xFFFF;
    int rc = bluetti_field_parse_write(s, f, text, &reg, raw, why, len);
    if (rc == 0) CU_ASSERT_EQUAL(reg, 2000 + f->offset / 2);
    return rc;
}

static void test_values(void)
{
    char why[256];
    uint16_t raw;
    CU_ASSERT_EQUAL(value("ctrl_ac", "on", &raw, why, sizeof why), 0);
    CU_ASSERT_EQUAL(raw, 1);
    CU_ASSERT_EQUAL(value("ctrl_ac", "OFF", &raw, why, sizeof why), 0);
    CU_ASSERT_EQUAL(raw, 0);
    CU_ASSERT_EQUAL(value("ctrl_dc", "on", &raw, why, sizeof why), 0);
    CU_ASSERT_EQUAL(value("charging_mode", "turbo", &raw, why, sizeof why), 0);
    CU_ASSERT_EQUAL(raw, 2);
    /* unknown names say which are allowed */
    CU_ASSERT_EQUAL(value("ctrl_ac", "maybe", &raw, why, sizeof why), BLUETTI_E_WRITE_VALUE);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "'maybe' is not an allowed value"));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "off, on"));
    CU_ASSERT_EQUAL(value("ctrl_ac", "1", &raw, why, sizeof why), BLUETTI_E_WRITE_VALUE);
    CU_ASSERT_EQUAL(value("ctrl_ac", "", &raw, why, sizeof why), BLUETTI_E_WRITE_VALUE);
    /* numbers, with or without the unit */
    CU_ASSERT_EQUAL(value("soc_high_limit", "90", &raw, why, sizeof why), 0);
    CU_ASSERT_EQUAL(raw, 90);
    CU_ASSERT_EQUAL(value("soc_high_limit", "85%", &raw, why, sizeof why), 0);
    CU_ASSERT_EQUAL(raw, 85);
    CU_ASSERT_EQUAL(value("soc_high_limit", "80 %", &raw, why, sizeof why), 0);
    CU_ASSERT_EQUAL(raw, 80);
    CU_ASSERT_EQUAL(value("ac_eco_power", "25W", &raw, why, sizeof why), 0);
    CU_ASSERT_EQUAL(raw, 25);
    CU_ASSERT_EQUAL(value("ac_eco_power", "25w", &raw, why, sizeof why), 0);
    CU_ASSERT_EQUAL(value("dc_eco_off_time", "4 h", &raw, why, sizeof why), 0);
    CU_ASSERT_EQUAL(raw, 4);
    /* out of range, off the step, not a number, another unit */
    CU_ASSERT_EQUAL(value("soc_high_limit", "101", &raw, why, sizeof why), BLUETTI_E_WRITE_VALUE);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "out of range"));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "1..100 % in steps of 1"));
    CU_ASSERT_EQUAL(raw, 0xFFFF);
    CU_ASSERT_EQUAL(value("soc_high_limit", "0", &raw, why, sizeof why), BLUETTI_E_WRITE_VALUE);
    CU_ASSERT_EQUAL(value("soc_high_limit", "-5", &raw, why, sizeof why), BLUETTI_E_WRITE_VALUE);
    CU_ASSERT_EQUAL(value("soc_high_limit", "90.5", &raw, why, sizeof why), BLUETTI_E_WRITE_VALUE);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "not on the step"));
    CU_ASSERT_EQUAL(value("soc_high_limit", "ninety", &raw, why, sizeof why), BLUETTI_E_WRITE_VALUE);
    CU_ASSERT_EQUAL(value("soc_high_limit", "90 W", &raw, why, sizeof why), BLUETTI_E_WRITE_VALUE);
    CU_ASSERT_EQUAL(value("soc_high_limit", "1e2", &raw, why, sizeof why), BLUETTI_E_WRITE_VALUE);
    CU_ASSERT_EQUAL(value("ac_eco_power", "50", &raw, why, sizeof why), BLUETTI_E_WRITE_VALUE);
    /* fields without write metadata */
    CU_ASSERT_EQUAL(value("ctrl_led", "1", &raw, why, sizeof why), BLUETTI_E_NOT_WRITABLE);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "ctrl_led is not writable"));
    const bluetti_block_schema *s;
    const bluetti_field *f = field(100, "soc", &s);
    uint16_t reg;
    CU_ASSERT_EQUAL(bluetti_field_parse_write(s, f, "50", &reg, &raw, why, sizeof why),
                    BLUETTI_E_NOT_WRITABLE);
    CU_ASSERT_EQUAL(bluetti_field_parse_write(s, f, NULL, &reg, &raw, why, sizeof why),
                    BLUETTI_E_INVAL);
    /* only the two output switches are confirmed */
    CU_ASSERT_EQUAL(field(2000, "ctrl_ac", &s)->write->evidence, BLUETTI_EV_CONFIRMED);
    CU_ASSERT_EQUAL(field(2000, "ctrl_dc", &s)->write->evidence, BLUETTI_EV_CONFIRMED);
    CU_ASSERT_EQUAL(field(2000, "soc_high_limit", &s)->write->evidence, BLUETTI_EV_UNVERIFIED);
    CU_ASSERT_EQUAL(field(2000, "charging_mode", &s)->write->evidence, BLUETTI_EV_UNVERIFIED);
}

static const bluetti_enum_name onoff[] = { { 0, "off" }, { 1, "on" }, { 0, NULL } };

/* A one-field block with write metadata w on a field of type/offset. */
static int validate_spec(const bluetti_write_spec *w, uint8_t type, uint16_t offset, char *why,
                         size_t len)
{
    bluetti_field f[1] = { { .name = "x", .offset = offset, .type = type, .write = w } };
    bluetti_block_schema s = { .id = 3000, .min_length = 2, .name = "T", .fields = f,
                               .n_fields = 1 };
    return bluetti_schema_validate(&s, why, len);
}

static void test_spec_rules(void)
{
    char why[256];
    bluetti_write_spec ok = { .reg = 3001, .evidence = BLUETTI_EV_CONFIRMED, .values = onoff };
    CU_ASSERT_EQUAL(validate_spec(&ok, BLUETTI_U16, 2, why, sizeof why), 0);
    CU_ASSERT_EQUAL(validate_spec(&ok, BLUETTI_U16, 4, why, sizeof why), BLUETTI_E_SCHEMA);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "not the field's register 3002"));
    CU_ASSERT_EQUAL(validate_spec(&ok, BLUETTI_U32, 2, why, sizeof why), BLUETTI_E_SCHEMA);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "one whole register"));
    CU_ASSERT_EQUAL(validate_spec(&ok, BLUETTI_U8, 3, why, sizeof why), BLUETTI_E_SCHEMA);
    bluetti_write_spec none = { .reg = 3001, .evidence = BLUETTI_EV_CONFIRMED };
    CU_ASSERT_EQUAL(validate_spec(&none, BLUETTI_U16, 2, why, sizeof why), BLUETTI_E_SCHEMA);
    bluetti_write_spec range = { .reg = 3001, .evidence = BLUETTI_EV_UNVERIFIED, .min = 5,
                                 .max = 1, .step = 1 };
    CU_ASSERT_EQUAL(validate_spec(&range, BLUETTI_U16, 2, why, sizeof why), BLUETTI_E_SCHEMA);
    range.min = -1;
    range.max = 10;
    CU_ASSERT_EQUAL(validate_spec(&range, BLUETTI_U16, 2, why, sizeof why), BLUETTI_E_SCHEMA);
    CU_ASSERT_EQUAL(validate_spec(&range, BLUETTI_I16, 2, why, sizeof why), 0);
    range.evidence = BLUETTI_EV_REFERENCE;
    CU_ASSERT_EQUAL(validate_spec(&range, BLUETTI_I16, 2, why, sizeof why), BLUETTI_E_SCHEMA);
    static const bluetti_enum_name big[] = { { 70000, "huge" }, { 0, NULL } };
    bluetti_write_spec bad = { .reg = 3001, .evidence = BLUETTI_EV_CONFIRMED, .values = big };
    CU_ASSERT_EQUAL(validate_spec(&bad, BLUETTI_U16, 2, why, sizeof why), BLUETTI_E_SCHEMA);
}

/* ---- the simulated device ----------------------------------------------- */

static const char *ask(bt_simdev *d, const bt_sim_faults *f, const char *req_hex)
{
    static char out_hex[2 * BLUETTI_MODBUS_MAX_FRAME + 1];
    static unsigned st;
    size_t rl;
    uint8_t *req = bt_hex(req_hex, &rl);
    uint8_t out[BLUETTI_MODBUS_MAX_FRAME];
    double delay = -1;
    size_t n = bt_simdev_answer(d, f, &st, req, rl, out, sizeof out, &delay);
    free(req);
    bluetti_hex_format(out, n, 0, out_hex, sizeof out_hex);
    return out_hex;
}

/* "010307db0001f545": read register 2011 */
#define READ_2011 "010307db0001f545"
#define READ_2011_2 "010307db0002b544"

static void test_simdev_writes(void)
{
    bt_simdev *d = NULL;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(bt_test_image(EL100, &d, err, sizeof err), 0);
    /* 0x06: echoed, and later reads see it */
    CU_ASSERT_STRING_EQUAL(ask(d, NULL, "010607db0000f885"), "010607db0000f885");
    CU_ASSERT_STRING_EQUAL(ask(d, NULL, READ_2011), "0103020000b844");
    CU_ASSERT_STRING_EQUAL(ask(d, NULL, "010607db00013945"), "010607db00013945");
    CU_ASSERT_STRING_EQUAL(ask(d, NULL, READ_2011), "01030200017984");
    /* 0x10: address, function, start and quantity come back */
    CU_ASSERT_STRING_EQUAL(ask(d, NULL, "011007db000204000300030000"), "");  /* bad CRC */
    uint16_t vals[2] = { 3, 3 };
    uint8_t f[16];
    size_t n = 0;
    bluetti_modbus_build_write(1, 2011, vals, 2, f, sizeof f, &n);
    CU_ASSERT_STRING_EQUAL(ask(d, NULL, hex_of(f, n)), "011007db00023087");
    CU_ASSERT_STRING_EQUAL(ask(d, NULL, READ_2011_2), "010304000300034a32");
    /* a register outside the image: exception 2, nothing changes */
    CU_ASSERT_STRING_EQUAL(ask(d, NULL, "010600000001480a"), "018602c3a1");
    uint64_t reads, writes, applied;
    bt_simdev_counts(d, &reads, &writes, &applied);
    CU_ASSERT_EQUAL(reads, 3);
    CU_ASSERT_EQUAL(writes, 4);
    CU_ASSERT_EQUAL(applied, 3);

    /* faults */
    bt_sim_faults fl;
    CU_ASSERT_EQUAL(bt_sim_faults_parse("write_exception=2011:3", &fl, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(ask(d, &fl, "010607db00013945"), "0186030261");
    CU_ASSERT_STRING_EQUAL(ask(d, &fl, READ_2011), "0103020003f845");
    CU_ASSERT_EQUAL(bt_sim_faults_parse("write_exception=2012", &fl, err, sizeof err), 0);
    bluetti_modbus_build_write(1, 2011, vals, 2, f, sizeof f, &n);  /* touches 2012: code 3 */
    CU_ASSERT_STRING_EQUAL(ask(d, &fl, hex_of(f, n)), "0190030c01");
    CU_ASSERT_EQUAL(bt_sim_faults_parse("write_drop=1", &fl, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(ask(d, &fl, "010607db00013945"), "");
    CU_ASSERT_STRING_EQUAL(ask(d, &fl, READ_2011), "01030200017984");     /* applied */
    CU_ASSERT_EQUAL(bt_sim_faults_parse("write_lost=1", &fl, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(ask(d, &fl, "010607db0000f885"), "");
    CU_ASSERT_STRING_EQUAL(ask(d, &fl, READ_2011), "01030200017984");     /* not applied */
    CU_ASSERT_EQUAL(bt_sim_faults_parse("write_ignore=1", &fl, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(ask(d, &fl, "010607db0000f885"), "010607db0000f885");
    CU_ASSERT_STRING_EQUAL(ask(d, &fl, READ_2011), "01030200017984");     /* kept */
    /* bad specs name the fault */
    CU_ASSERT_EQUAL(bt_sim_faults_parse("write_exception=abc", &fl, err, sizeof err),
                    BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "write_exception=abc"));
    CU_ASSERT_EQUAL(bt_sim_faults_parse("write_exception=2011:0", &fl, err, sizeof err),
                    BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bt_sim_faults_parse("write_drop=2", &fl, err, sizeof err), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bt_sim_faults_parse("write_bogus=1", &fl, err, sizeof err), BLUETTI_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "write_ignore"));
    /* a clone has its own registers */
    bt_simdev *c = NULL;
    CU_ASSERT_EQUAL_FATAL(bt_simdev_clone(d, &c), 0);
    CU_ASSERT_STRING_EQUAL(ask(c, NULL, "010607db0000f885"), "010607db0000f885");
    CU_ASSERT_STRING_EQUAL(ask(d, NULL, READ_2011), "01030200017984");
    bt_simdev_free(c);
    bt_simdev_free(d);
}

/* ---- through the session --------------------------------------------------- */

static bluetti_session *open_sim(const char *faults, double timeout_s)
{
    unlink(frame_log);
    bluetti_options *o = bluetti_options_new();
#ifdef HAVE_JANSSON
    bluetti_options_add(o, "device", bt_src_path(EL100));
#endif /* else the built-in images, EL100 among them, are served */
    bluetti_options_set(o, "frame_log", frame_log);
    if (faults) bluetti_options_set(o, "faults", faults);
    bluetti_session_config cfg;
    bluetti_session_config_default(&cfg);
    cfg.timeout_s = timeout_s;
    cfg.retry.max_attempts = attempts;
    cfg.retry.initial_delay = 0.01;
    cfg.retry.max_delay = 0.02;
    bluetti_session *s = NULL;
    char detail[256] = "";
    int rc = bluetti_session_open(registry, "sim", o, &cfg, &s, detail, sizeof detail);
    bluetti_options_free(o);
    if (rc) fprintf(stderr, "session_open: %s\n", detail);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return s;
}

static bluetti_device *add(bluetti_session *s, const char *model)
{
    bluetti_device *d = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_session_add_device(s, EL100_SN, model, &d), 0);
    return d;
}

/* Frames in the simulator's frame log: all, and those with function fn. */
static unsigned frames_seen(unsigned fn, unsigned *all)
{
    FILE *fp = fopen(frame_log, "r");
    unsigned n = 0, k = 0;
    char line[600];
    char want[8];
    snprintf(want, sizeof want, " 01%02x", fn);
    while (fp && fgets(line, sizeof line, fp)) {
        k++;
        if (strstr(line, want)) n++;
    }
    if (fp) fclose(fp);
    if (all) *all = k;
    return n;
}

static long ctrl_ac_now(bluetti_device *d)
{
    const bluetti_result *r = NULL;
    CU_ASSERT_EQUAL_FATAL(bluetti_device_read_block(d, 2000, 0, &r), 0);
    const bluetti_value *v = bluetti_result_find(r, "ctrl_ac");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    return (long)bluetti_value_as_double(v);
}

static void test_set_and_read_back(void)
{
    bluetti_session *s = open_sim(NULL, 2.0);
    bluetti_device *d = add(s, "EL100V2");
    bluetti_write_result r;
    CU_ASSERT_EQUAL(bluetti_device_set(d, 2000, "ctrl_ac", "off", &r), 0);
    CU_ASSERT_EQUAL(r.err, 0);
    CU_ASSERT_EQUAL(r.outcome, BLUETTI_WRITE_APPLIED);
    CU_ASSERT_EQUAL(r.reply_err, 0);
    CU_ASSERT_TRUE(r.sent && r.have_before && r.have_after);
    CU_ASSERT_EQUAL(r.start, 2011);
    CU_ASSERT_EQUAL(r.count, 1);
    CU_ASSERT_EQUAL(r.written[0], 0);
    CU_ASSERT_EQUAL(r.after[0], 0);
    CU_ASSERT_STRING_EQUAL(r.written_name, "off");
    CU_ASSERT_STRING_EQUAL(r.after_name, "off");
    CU_ASSERT_EQUAL(ctrl_ac_now(d), 0);
    CU_ASSERT_EQUAL(bluetti_device_set(d, 2000, "ctrl_ac", "on", &r), 0);
    CU_ASSERT_STRING_EQUAL(r.before_name, "off");
    CU_ASSERT_STRING_EQUAL(r.after_name, "on");
    CU_ASSERT_EQUAL(ctrl_ac_now(d), 1);
    /* a number with its unit */
    CU_ASSERT_EQUAL(bluetti_device_set(d, 2000, "soc_high_limit", "85 %", &r), 0);
    CU_ASSERT_EQUAL(r.after[0], 85);
    CU_ASSERT_PTR_NULL(r.after_name);
    /* raw registers, two at once (0x10) */
    uint16_t two[2] = { 0, 0 };
    CU_ASSERT_EQUAL(bluetti_device_write(d, 2011, two, 2, &r), 0);
    CU_ASSERT_EQUAL(r.outcome, BLUETTI_WRITE_APPLIED);
    CU_ASSERT_EQUAL(ctrl_ac_now(d), 0);
    unsigned all;
    CU_ASSERT_EQUAL(frames_seen(0x06, &all), 3);
    CU_ASSERT_EQUAL(frames_seen(0x10, NULL), 1);
    /* every write: one read before, one write, one read back; plus 3 block reads */
    CU_ASSERT_EQUAL(all, 4 * 3 + 3);
    bluetti_session_close(s);
}

static void test_refused_before_sending(void)
{
    bluetti_session *s = open_sim(NULL, 2.0);
    bluetti_device *d = add(s, "EL100V2");
    bluetti_write_result r;
    CU_ASSERT_EQUAL(bluetti_device_set(d, 2000, "soc_high_limit", "101", &r),
                    BLUETTI_E_WRITE_VALUE);
    CU_ASSERT_EQUAL(r.outcome, BLUETTI_WRITE_NOT_APPLIED);
    CU_ASSERT_FALSE(r.sent);
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_device_error_detail(d), "out of range"));
    CU_ASSERT_EQUAL(bluetti_device_set(d, 2000, "ctrl_ac", "maybe", &r), BLUETTI_E_WRITE_VALUE);
    CU_ASSERT_EQUAL(bluetti_device_set(d, 2000, "ctrl_led", "1", &r), BLUETTI_E_NOT_WRITABLE);
    CU_ASSERT_EQUAL(bluetti_device_set(d, 2000, "no_such", "1", &r), BLUETTI_E_NOTFOUND);
    CU_ASSERT_EQUAL(bluetti_device_set(d, 4321, "ctrl_ac", "1", &r), BLUETTI_E_NO_SCHEMA);
    CU_ASSERT_EQUAL(bluetti_device_submit_set(d, 2000, "ctrl_ac", "maybe"), BLUETTI_E_WRITE_VALUE);
    /* registers no schema declares writable: the power-off and reset registers among them */
    uint16_t one = 1;
    CU_ASSERT_EQUAL(bluetti_device_write(d, 2013, &one, 1, &r), BLUETTI_E_NOT_WRITABLE);
    CU_ASSERT_EQUAL(bluetti_device_write(d, 2206, &one, 1, &r), BLUETTI_E_NOT_WRITABLE);
    uint16_t three[3] = { 1, 1, 1 };
    CU_ASSERT_EQUAL(bluetti_device_write(d, 2011, three, 3, &r), BLUETTI_E_NOT_WRITABLE);
    CU_ASSERT_EQUAL(bluetti_device_submit_write(d, 2013, &one, 1), BLUETTI_E_NOT_WRITABLE);
    uint16_t many[BLUETTI_WRITE_MAX_REGISTERS + 1] = { 0 };
    CU_ASSERT_EQUAL(bluetti_device_write(d, 2011, many, BLUETTI_WRITE_MAX_REGISTERS + 1, &r),
                    BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_device_write(d, 2011, NULL, 1, &r), BLUETTI_E_INVAL);
    CU_ASSERT_EQUAL(bluetti_device_write(NULL, 2011, &one, 1, &r), BLUETTI_E_INVAL);
    /* nothing reached the simulator */
    unsigned all = 99;
    frames_seen(0x06, &all);
    CU_ASSERT_EQUAL(all, 0);
    bluetti_session_stats st;
    bluetti_session_get_stats(s, &st);
    CU_ASSERT_EQUAL(st.requests, 0);
    bluetti_session_close(s);
}

static void test_exception(void)
{
    bluetti_session *s = open_sim("write_exception=2011:3", 2.0);
    bluetti_device *d = add(s, "EL100V2");
    bluetti_write_result r;
    CU_ASSERT_EQUAL(bluetti_device_set(d, 2000, "ctrl_ac", "off", &r), BLUETTI_E_EXCEPTION);
    CU_ASSERT_EQUAL(r.outcome, BLUETTI_WRITE_NOT_APPLIED);
    CU_ASSERT_EQUAL(r.reply_err, BLUETTI_E_EXCEPTION);
    CU_ASSERT_EQUAL(r.exception_code, 3);
    CU_ASSERT_TRUE(r.sent);
    CU_ASSERT_FALSE(r.have_after);
    bluetti_error_info info;
    CU_ASSERT_EQUAL(bluetti_device_last_error(d, &info), BLUETTI_E_EXCEPTION);
    CU_ASSERT_PTR_NOT_NULL(strstr(info.detail, "exception 3"));
    CU_ASSERT_STRING_EQUAL(info.remedy, bluetti_modbus_write_exception_remedy(3));
    CU_ASSERT_EQUAL(ctrl_ac_now(d), 1);
    /* never retried: one write frame */
    CU_ASSERT_EQUAL(frames_seen(0x06, NULL), 1);
    /* the device is free again */
    CU_ASSERT_FALSE(bluetti_device_busy(d));
    bluetti_session_close(s);
}

/* What one "set ctrl_ac off" (it reads on before) gives under `faults`:
 * the write goes out once, whatever happens to it, and the read-back
 * decides; after is what the register holds then (0 off, 1 on). */
struct want {
    int err;
    bluetti_write_outcome outcome;
    int reply_err;
    uint16_t after;
};

static bluetti_session *expect_write(const char *faults, double timeout_s, struct want w,
                                     bluetti_device **dev)
{
    bluetti_session *s = open_sim(faults, timeout_s);
    bluetti_device *d = add(s, "EL100V2");
    bluetti_write_result r;
    CU_ASSERT_EQUAL(bluetti_device_set(d, 2000, "ctrl_ac", "off", &r), w.err);
    CU_ASSERT_EQUAL(r.err, w.err);
    CU_ASSERT_EQUAL(r.outcome, w.outcome);
    CU_ASSERT_EQUAL(r.reply_err, w.reply_err);
    CU_ASSERT_TRUE(r.sent && r.have_after);
    CU_ASSERT_EQUAL(r.after[0], w.after);
    CU_ASSERT_STRING_EQUAL(r.after_name, w.after ? "on" : "off");
    CU_ASSERT_EQUAL(frames_seen(0x06, NULL), 1);
    *dev = d;
    return s;
}

/* No reply to the write: it is never resent, the read-back decides. */
static void expect_timeout(const char *faults, struct want w)
{
    bluetti_device *d;
    bluetti_session *s = expect_write(faults, 0.2, w, &d);
    unsigned all;
    frames_seen(0x03, &all);
    CU_ASSERT_EQUAL(all, 3);  /* read, write, read back */
    bluetti_session_stats st;
    bluetti_session_get_stats(s, &st);
    CU_ASSERT_EQUAL(st.timeouts, 1);
    CU_ASSERT_EQUAL(st.retries, 0);
    CU_ASSERT_EQUAL(ctrl_ac_now(d), w.after);
    bluetti_session_close(s);
}

static void test_timeout_took_effect(void)
{
    expect_timeout("write_drop=1", (struct want){ 0, BLUETTI_WRITE_APPLIED, BLUETTI_E_TIMEOUT, 0 });
}

static void test_timeout_not_taken(void)
{
    expect_timeout("write_lost=1", (struct want){ BLUETTI_E_NOT_APPLIED, BLUETTI_WRITE_NOT_APPLIED,
                                                  BLUETTI_E_TIMEOUT, 1 });
}

static void test_echo_without_effect(void)
{
    bluetti_device *d;
    bluetti_session *s = expect_write("write_ignore=1", 2.0,
                                      (struct want){ BLUETTI_E_NOT_APPLIED,
                                                     BLUETTI_WRITE_NOT_APPLIED, 0, 1 }, &d);
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_device_error_detail(d), "another value"));
    bluetti_session_close(s);
}

/* A reply that does not echo the write is no acknowledgement: read back. */
static void test_bad_echo(void)
{
    bluetti_device *d;
    bluetti_session_close(expect_write("write_bad_echo=1", 2.0,
                                       (struct want){ 0, BLUETTI_WRITE_APPLIED, BLUETTI_E_ECHO, 0 },
                                       &d));
}

/* The link drops right after the write went out (its reply is lost with
 * it): not resent; the read-back, once the link is back, decides. */
static void test_disconnect(void)
{
    bluetti_device *d;
    bluetti_session_close(expect_write("disconnect=2", 2.0,
                                       (struct want){ BLUETTI_E_NOT_APPLIED,
                                                      BLUETTI_WRITE_NOT_APPLIED,
                                                      BLUETTI_E_DISCONNECTED, 1 }, &d));
}

/* No echo and no read-back: the outcome is unknown, and said so. */
static void test_unknown(void)
{
    attempts = 1;
    /* the write's reply is lost; the link drops at the read-back (request 3) */
    bluetti_session *s = open_sim("write_drop=1,disconnect=3", 0.2);
    attempts = 2;
    bluetti_device *d = add(s, "EL100V2");
    bluetti_write_result r;
    CU_ASSERT_EQUAL(bluetti_device_set(d, 2000, "ctrl_ac", "off", &r), BLUETTI_E_TIMEOUT);
    CU_ASSERT_EQUAL(r.outcome, BLUETTI_WRITE_UNKNOWN);
    CU_ASSERT_EQUAL(r.reply_err, BLUETTI_E_TIMEOUT);
    CU_ASSERT_TRUE(r.sent);
    CU_ASSERT_FALSE(r.have_after);
    CU_ASSERT_PTR_NOT_NULL(strstr(bluetti_device_error_detail(d), "outcome unknown"));
    CU_ASSERT_EQUAL(frames_seen(0x06, NULL), 1);
    bluetti_session_close(s);
}

/* The read before the write fails: nothing is written. */
static void test_read_before_fails(void)
{
    bluetti_session *s = open_sim("drop=1", 0.1);
    bluetti_device *d = add(s, "EL100V2");
    bluetti_write_result r;
    CU_ASSERT_EQUAL(bluetti_device_set(d, 2000, "ctrl_ac", "off", &r), BLUETTI_E_TIMEOUT);
    CU_ASSERT_EQUAL(r.outcome, BLUETTI_WRITE_NOT_APPLIED);
    CU_ASSERT_FALSE(r.sent);
    CU_ASSERT_FALSE(r.have_before);
    CU_ASSERT_EQUAL(frames_seen(0x06, NULL), 0);
    bluetti_session_close(s);
}

struct wait_write {
    int calls;
    bluetti_write_result r;
};

static void on_write(void *ud, bluetti_device *d, const bluetti_write_result *r)
{
    (void)d;
    struct wait_write *w = ud;
    w->calls++;
    w->r = *r;
}

static void on_read_unexpected(void *ud, bluetti_device *d, uint16_t block, int err,
                               const bluetti_result *r)
{
    (void)d;
    (void)block;
    (void)err;
    (void)r;
    (*(int *)ud)++;
}

static void test_async(void)
{
    bluetti_session *s = open_sim(NULL, 2.0);
    bluetti_device *d = add(s, "EL100V2");
    struct wait_write w = { 0 };
    int reads = 0;
    bluetti_session_set_write_callback(s, on_write, &w);
    bluetti_session_set_read_callback(s, on_read_unexpected, &reads);
    CU_ASSERT_EQUAL(bluetti_device_submit_set(d, 2000, "ctrl_dc", "off"), 0);
    CU_ASSERT_TRUE(bluetti_device_busy(d));
    /* one request in flight per device: reads and writes alike */
    CU_ASSERT_EQUAL(bluetti_device_submit_read(d, 100, 0), BLUETTI_E_BUSY);
    CU_ASSERT_EQUAL(bluetti_device_submit_set(d, 2000, "ctrl_ac", "off"), BLUETTI_E_BUSY);
    uint16_t one = 1;
    CU_ASSERT_EQUAL(bluetti_device_submit_write(d, 2011, &one, 1), BLUETTI_E_BUSY);
    for (int i = 0; i < 100 && !w.calls; i++) bluetti_session_process(s, 100);
    CU_ASSERT_EQUAL(w.calls, 1);
    CU_ASSERT_EQUAL(reads, 0);  /* the write's reads are not reported as reads */
    CU_ASSERT_EQUAL(w.r.err, 0);
    CU_ASSERT_EQUAL(w.r.outcome, BLUETTI_WRITE_APPLIED);
    CU_ASSERT_EQUAL(w.r.start, 2012);
    CU_ASSERT_STRING_EQUAL(w.r.after_name, "off");
    CU_ASSERT_FALSE(bluetti_device_busy(d));
    /* then an ordinary read goes to the read callback */
    CU_ASSERT_EQUAL(bluetti_device_submit_read(d, 2000, 0), 0);
    for (int i = 0; i < 100 && !reads; i++) bluetti_session_process(s, 100);
    CU_ASSERT_EQUAL(reads, 1);
    CU_ASSERT_EQUAL(w.calls, 1);
    bluetti_session_close(s);
}

/* A model that reads 3 for "off" (a profile override of the value
 * names): the read-back and the value before are judged by name. */
static void test_model_encoding(void)
{
    bluetti_session *s = open_sim(NULL, 2.0);
    bluetti_device *ac2p = add(s, "AC2P");
    uint16_t three = 3;
    bluetti_write_result r;
    CU_ASSERT_EQUAL(bluetti_device_write(ac2p, 2011, &three, 1, &r), 0);
    CU_ASSERT_PTR_NULL(r.after_name);  /* raw writes are judged by value, unnamed */
    CU_ASSERT_EQUAL(bluetti_device_set(ac2p, 2000, "ctrl_ac", "on", &r), 0);
    CU_ASSERT_STRING_EQUAL(r.before_name, "off");
    CU_ASSERT_STRING_EQUAL(r.after_name, "on");
    bluetti_session_close(s);

    s = open_sim(NULL, 2.0);
    bluetti_device *el = add(s, "EL100V2");
    CU_ASSERT_EQUAL(bluetti_device_write(el, 2011, &three, 1, &r), 0);
    CU_ASSERT_EQUAL(bluetti_device_set(el, 2000, "ctrl_ac", "on", &r), 0);
    CU_ASSERT_PTR_NULL(r.before_name);  /* 3 means nothing on this model */
    CU_ASSERT_STRING_EQUAL(r.after_name, "on");
    bluetti_session_close(s);
}

static int add_suites(void)
{
    CU_pSuite f = CU_add_suite("framing", NULL, NULL);
    CU_pSuite v = CU_add_suite("values", NULL, NULL);
    CU_pSuite m = CU_add_suite("simdev", NULL, NULL);
    CU_pSuite s = CU_add_suite("session", NULL, NULL);
    if (!f || !v || !m || !s) return (int)CU_get_error();
    CU_add_test(f, "0x06 and 0x10 requests", test_build_write);
    CU_add_test(f, "echo, exception and framing checks", test_parse_write_reply);
    CU_add_test(f, "error names, classes and remedies", test_error_texts);
    CU_add_test(v, "names, numbers, units, range, step", test_values);
    CU_add_test(v, "write specs are validated", test_spec_rules);
    CU_add_test(m, "writes change the image; faults", test_simdev_writes);
    CU_add_test(s, "set and read back", test_set_and_read_back);
    CU_add_test(s, "refused before anything is sent", test_refused_before_sending);
    CU_add_test(s, "exception reply", test_exception);
    CU_add_test(s, "timeout, took effect", test_timeout_took_effect);
    CU_add_test(s, "timeout, not taken effect", test_timeout_not_taken);
    CU_add_test(s, "echo without effect", test_echo_without_effect);
    CU_add_test(s, "read before fails: nothing sent", test_read_before_fails);
    CU_add_test(s, "no echo, no read-back: unknown", test_unknown);
    CU_add_test(s, "link lost after the write went out", test_disconnect);
    CU_add_test(s, "a reply that does not echo the write", test_bad_echo);
    CU_add_test(s, "asynchronous write and one request in flight", test_async);
    CU_add_test(s, "per-model value names", test_model_encoding);
    return CUE_SUCCESS;
}

int main(int argc, char **argv)
{
    registry = bt_registry();
    snprintf(frame_log, sizeof frame_log, "/tmp/bluetti-write-%ld.log", (long)getpid());
    int rc = bt_run(argc, argv, add_suites);
    unlink(frame_log);
    bluetti_registry_free(registry);
    return rc;
}
