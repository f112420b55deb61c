## tests/blocks2.mk: catalog B block plugins (blocks-iot, -smartplug, -dcdc,
## -ats, -epad, -schedule, -boot): registration, schema checks, vectors.
if HAVE_CUNIT
check_PROGRAMS += tests/plugins/test_blocks_catalog_b
TESTS += tests/plugins/test_blocks_catalog_b
tests_plugins_test_blocks_catalog_b_SOURCES = tests/plugins/test_blocks_catalog_b.c
tests_plugins_test_blocks_catalog_b_CFLAGS = $(TEST_CFLAGS)
tests_plugins_test_blocks_catalog_b_LDADD = $(TEST_LIBS)
endif HAVE_CUNIT
