## tests/plugins: the block, profile and transport plugins (see tests/README.md).

## A third transport built outside the tool (tests/tools/bluetti-tool/options.sh); its
## own directory, apart from the loader fixtures in tests/core/loader-fixtures.
check_LTLIBRARIES += tests/plugins/transport-loopback/transport-loopback.la
tests_plugins_transport_loopback_transport_loopback_la_SOURCES = tests/plugins/transport-loopback/transport_loopback.c
tests_plugins_transport_loopback_transport_loopback_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_transport_loopback_transport_loopback_la_LIBADD = $(PLUGIN_LIBADD)


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
## The device images and the built-in images are the generator's output
## from data/devices/units/ (make-images: built with jansson only).
if HAVE_JANSSON
TESTS += tests/plugins/device_images.sh
endif HAVE_JANSSON
dist_check_SCRIPTS += tests/plugins/device_images.sh

## tests/blocks2.mk: catalog B block plugins (blocks-iot, -smartplug, -dcdc,
## -ats, -epad, -schedule, -boot): registration, schema checks, vectors.
if HAVE_CUNIT
check_PROGRAMS += tests/plugins/test_blocks_catalog_b
TESTS += tests/plugins/test_blocks_catalog_b
tests_plugins_test_blocks_catalog_b_SOURCES = tests/plugins/test_blocks_catalog_b.c
tests_plugins_test_blocks_catalog_b_CFLAGS = $(TEST_CFLAGS)
tests_plugins_test_blocks_catalog_b_LDADD = $(TEST_LIBS)
endif HAVE_CUNIT

## tests/sim.mk: the simulated device engine, transport-sim through the
## session API, the device images (files: with jansson only) and the
## Elite V2 profiles.
if HAVE_CUNIT
if HAVE_JANSSON
check_PROGRAMS += tests/plugins/test_transport_sim
TESTS += tests/plugins/test_transport_sim
endif HAVE_JANSSON
check_PROGRAMS += tests/plugins/test_profiles
TESTS += tests/plugins/test_profiles
tests_plugins_test_transport_sim_SOURCES = tests/plugins/test_transport_sim.c
tests_plugins_test_transport_sim_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/transport-sim
tests_plugins_test_transport_sim_CFLAGS = $(TEST_CFLAGS)
tests_plugins_test_transport_sim_LDADD = plugins/libsimdev.la $(TEST_LIBS)
tests_plugins_test_profiles_SOURCES = tests/plugins/test_profiles.c
tests_plugins_test_profiles_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/transport-sim
tests_plugins_test_profiles_CFLAGS = $(TEST_CFLAGS)
tests_plugins_test_profiles_LDADD = plugins/libsimdev.la $(TEST_LIBS)

## The built-in images (a build without jansson serves them): the same
## registers as the image files, and transport-sim reading and decoding
## them through the session API.
check_PROGRAMS += tests/plugins/test_builtin_images
TESTS += tests/plugins/test_builtin_images
tests_plugins_test_builtin_images_SOURCES = tests/plugins/test_builtin_images.c
tests_plugins_test_builtin_images_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/transport-sim
tests_plugins_test_builtin_images_CFLAGS = $(TEST_CFLAGS)
tests_plugins_test_builtin_images_LDADD = plugins/libsimdev.la $(TEST_LIBS)
endif HAVE_CUNIT

## The same without CUnit: examples/external-loop reads and decodes blocks
## from transport-sim (the built-in images without jansson, and device=
## refused with the reason).
TESTS += tests/plugins/sim_builtin.sh
dist_check_SCRIPTS += tests/plugins/sim_builtin.sh

## transport-sim and bluetti-sim find the images of the source tree during
## `make check` (the installed BLUETTI_DATADIR/devices does not exist yet).
AM_TESTS_ENVIRONMENT += \
	BLUETTI_SIM_DEVICES='$(abs_top_srcdir)/data/devices'; export BLUETTI_SIM_DEVICES;
