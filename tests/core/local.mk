## tests/core: guarded writes (framing, value checks, the write sequence
## through the in-process simulator).
if HAVE_CUNIT
check_PROGRAMS += tests/core/test_write
TESTS += tests/core/test_write
tests_core_test_write_SOURCES = tests/core/test_write.c
tests_core_test_write_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/transport-sim
tests_core_test_write_CFLAGS = $(TEST_CFLAGS)
tests_core_test_write_LDADD = plugins/libsimdev.la $(TEST_LIBS)
endif HAVE_CUNIT
