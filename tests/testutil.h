/* Shared helpers for the CUnit suites. */
#ifndef BLUETTI_TESTUTIL_H
#define BLUETTI_TESTUTIL_H

#include <bluetti/bluetti.h>
#include <CUnit/CUnit.h>

/* Directory of the plugins built in this tree ($BLUETTI_TEST_PLUGIN_DIR). */
const char *bt_plugin_dir(void);
/* Directory of the deliberately broken test plugins. */
const char *bt_bad_plugin_dir(void);
/* Top source directory ($BLUETTI_TEST_SRCDIR, default "."). */
const char *bt_srcdir(void);
/* Top build directory ($BLUETTI_TEST_BUILDDIR, default "."). */
const char *bt_builddir(void);
/* Path under the source tree, in a static rotating buffer (8 slots). */
const char *bt_src_path(const char *rel);

/* A registry with every plugin built in this tree loaded (no environment,
 * no system directory). Logs at WARN and above go to stderr. Aborts the
 * test program if the plugin directory cannot be read. */
bluetti_registry *bt_registry(void);

/* Parse hex into a malloc'd buffer; aborts on bad hex. */
uint8_t *bt_hex(const char *hex, size_t *len);

/* Run the suites added to the CUnit registry by `add` (returns 0 or a
 * CUnit error); exits with 0 when every test passed, 1 otherwise. A
 * single command-line argument selects one suite by name. */
int bt_run(int argc, char **argv, int (*add)(void));

/* Field `name` of r as a number / as text; the test stops (a fatal
 * assertion, naming the field on stderr) when r has no such field or, for
 * text, it is not text. */
double bt_field_num(const bluetti_result *r, const char *name);
const char *bt_field_text(const bluetti_result *r, const char *name);

/* Assert a double equals an expected value within 1e-6. */
#define BT_ASSERT_NEAR(a, b) CU_ASSERT_DOUBLE_EQUAL((a), (b), 1e-6)

#endif
