## tests/blocks2.mk: catalog B block plugins (blocks-iot, -smartplug, -dcdc,
## -ats, -epad, -schedule, -boot): registration, schema checks, vectors.
if HAVE_CUNIT
check_PROGRAMS += tests/test_blocks_b
TESTS += tests/test_blocks_b
tests_test_blocks_b_SOURCES = tests/test_blocks_b.c
tests_test_blocks_b_CFLAGS = $(TEST_CFLAGS)
tests_test_blocks_b_LDADD = $(TEST_LIBS)
endif HAVE_CUNIT
