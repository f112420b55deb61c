## tests/blocks.mk: catalog A block plugins (blocks-home, -inverter, -meter,
## -pack, -settings): registration, schema checks, one hand-checked vector
## per block plus truncated and malformed variants.
if HAVE_CUNIT
check_PROGRAMS += tests/test_blocks_a tests/test_blocks_a2
TESTS += tests/test_blocks_a tests/test_blocks_a2
tests_test_blocks_a_SOURCES = tests/test_blocks_a.c tests/blocks_a_check.c tests/blocks_a_check.h
tests_test_blocks_a_CFLAGS = $(TEST_CFLAGS)
tests_test_blocks_a_LDADD = $(TEST_LIBS)
tests_test_blocks_a2_SOURCES = tests/test_blocks_a2.c tests/blocks_a_check.c tests/blocks_a_check.h
tests_test_blocks_a2_CFLAGS = $(TEST_CFLAGS)
tests_test_blocks_a2_LDADD = $(TEST_LIBS)
## The catalog as real units show it: vectors built from the wire rules.
check_PROGRAMS += tests/test_blocks_v2
TESTS += tests/test_blocks_v2
tests_test_blocks_v2_SOURCES = tests/test_blocks_v2.c tests/blocks_a_check.c tests/blocks_a_check.h
tests_test_blocks_v2_CFLAGS = $(TEST_CFLAGS)
tests_test_blocks_v2_LDADD = $(TEST_LIBS)
endif HAVE_CUNIT
## The device images are the generator's output from data/devices/units/.
TESTS += tests/images.sh
dist_check_SCRIPTS += tests/images.sh
