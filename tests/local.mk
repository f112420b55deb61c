## tests: shared test helpers, the core suites and deliberately broken plugins.
check_LTLIBRARIES += tests/libtestutil.la
tests_libtestutil_la_SOURCES = tests/testutil.c tests/testutil.h
tests_libtestutil_la_LIBADD = core/libbluetti.la $(CUNIT_LIBS)
tests_libtestutil_la_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
TEST_LIBS = tests/libtestutil.la core/libbluetti.la $(CUNIT_LIBS) $(LIBM)
TEST_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) -I$(top_srcdir)/tests

EXTRA_DIST += tests/valgrind.supp
