## tests/blocks.mk: catalog A block plugins (blocks-home, -inverter, -meter,
## -pack, -settings): registration, schema checks, one hand-checked vector
## per block plus truncated and malformed variants.
if HAVE_CUNIT
check_PROGRAMS += tests/plugins/test_blocks_catalog_a tests/plugins/test_blocks_catalog_a_rest
TESTS += tests/plugins/test_blocks_catalog_a tests/plugins/test_blocks_catalog_a_rest
tests_plugins_test_blocks_catalog_a_SOURCES = tests/plugins/test_blocks_catalog_a.c tests/plugins/blocks_catalog_a_check.c tests/plugins/blocks_catalog_a_check.h
tests_plugins_test_blocks_catalog_a_CFLAGS = $(TEST_CFLAGS)
tests_plugins_test_blocks_catalog_a_LDADD = $(TEST_LIBS)
tests_plugins_test_blocks_catalog_a_rest_SOURCES = tests/plugins/test_blocks_catalog_a_rest.c tests/plugins/blocks_catalog_a_check.c tests/plugins/blocks_catalog_a_check.h
tests_plugins_test_blocks_catalog_a_rest_CFLAGS = $(TEST_CFLAGS)
tests_plugins_test_blocks_catalog_a_rest_LDADD = $(TEST_LIBS)
## The catalog as real units show it: vectors built from the wire rules.
check_PROGRAMS += tests/plugins/test_blocks_evidence
TESTS += tests/plugins/test_blocks_evidence
tests_plugins_test_blocks_evidence_SOURCES = tests/plugins/test_blocks_evidence.c tests/plugins/blocks_catalog_a_check.c tests/plugins/blocks_catalog_a_check.h
tests_plugins_test_blocks_evidence_CFLAGS = $(TEST_CFLAGS)
tests_plugins_test_blocks_evidence_LDADD = $(TEST_LIBS)
endif HAVE_CUNIT
## The device images are the generator's output from data/devices/units/.
TESTS += tests/plugins/device_images.sh
dist_check_SCRIPTS += tests/plugins/device_images.sh
