## tests: what every test group shares (tests/README.md says what is where).
if HAVE_CUNIT
check_LTLIBRARIES += tests/libtestutil.la
tests_libtestutil_la_SOURCES = tests/testutil.c tests/testutil.h
tests_libtestutil_la_LIBADD = core/libbluetti.la $(CUNIT_LIBS)
tests_libtestutil_la_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
TEST_LIBS = tests/libtestutil.la core/libbluetti.la $(BTUTIL_LIBS) $(CUNIT_LIBS) $(LIBM)
TEST_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) -I$(top_srcdir)/tests $(BTUTIL_CPPFLAGS)
endif HAVE_CUNIT

EXTRA_DIST += tests/valgrind.supp tests/README.md tests/sim_image.h

## Without CUnit (configure --without-cunit, or not found) the C suites are
## not built, without jansson the tests of what needs it (bluetti-tool,
## bluetti-sim, libbluetti-cloud, image files); `make check` says so once
## the tests that were built have passed.
if HAVE_CUNIT
CHECK_SKIPPED_CUNIT =
else
CHECK_SKIPPED_CUNIT = the CUnit suites were skipped: configure found no CUnit (install libcunit1-dev and run configure again)
endif
if HAVE_JANSSON
CHECK_SKIPPED_JANSSON =
BLUETTI_TEST_HAVE_JANSSON = yes
else
CHECK_SKIPPED_JANSSON = the tests of bluetti-tool, bluetti-sim, bluetti-bridge, libbluetti-cloud, transport-mqtt and the image files were skipped: configured without jansson (install libjansson-dev and run configure again)
BLUETTI_TEST_HAVE_JANSSON = no
endif
check-local: check-TESTS
	@test -z '$(CHECK_SKIPPED_CUNIT)' || echo 'make check: $(CHECK_SKIPPED_CUNIT)'
	@test -z '$(CHECK_SKIPPED_JANSSON)' || echo 'make check: $(CHECK_SKIPPED_JANSSON)'
## The shell tests that behave differently without jansson ask this.
AM_TESTS_ENVIRONMENT += \
	BLUETTI_TEST_HAVE_JANSSON='$(BLUETTI_TEST_HAVE_JANSSON)'; export BLUETTI_TEST_HAVE_JANSSON;
