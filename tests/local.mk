## tests: what every test group shares (tests/README.md says what is where).
if HAVE_CUNIT
check_LTLIBRARIES += tests/libtestutil.la
tests_libtestutil_la_SOURCES = tests/testutil.c tests/testutil.h
tests_libtestutil_la_LIBADD = core/libbluetti.la $(CUNIT_LIBS)
tests_libtestutil_la_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
TEST_LIBS = tests/libtestutil.la core/libbluetti.la $(BTUTIL_LIBS) $(CUNIT_LIBS) $(LIBM)
TEST_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) -I$(top_srcdir)/tests $(BTUTIL_CPPFLAGS)
endif HAVE_CUNIT

EXTRA_DIST += tests/valgrind.supp tests/README.md

## Without CUnit (configure --without-cunit, or not found) the C suites are
## not built and `make check` says so once the shell tests have passed.
if !HAVE_CUNIT
check-local: check-TESTS
	@echo "make check: the CUnit suites were skipped: configure found no CUnit (install libcunit1-dev and run configure again)"
endif
