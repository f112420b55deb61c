## tests/core: libbluetti, libbtutil and libbluetti-cloud (see tests/README.md).

## Deliberately broken plugins for the loader tests (never installed).
check_LTLIBRARIES += tests/core/loader-fixtures/good.la tests/core/loader-fixtures/bad_abi.la tests/core/loader-fixtures/no_symbol.la \
	tests/core/loader-fixtures/init_fail.la tests/core/loader-fixtures/z_dup_block.la tests/core/loader-fixtures/bad_schema.la
tests_core_loader_fixtures_good_la_SOURCES = tests/core/loader-fixtures/good.c
tests_core_loader_fixtures_good_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_core_loader_fixtures_good_la_LIBADD = $(PLUGIN_LIBADD)
tests_core_loader_fixtures_bad_abi_la_SOURCES = tests/core/loader-fixtures/bad_abi.c
tests_core_loader_fixtures_bad_abi_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_core_loader_fixtures_bad_abi_la_LIBADD = $(PLUGIN_LIBADD)
tests_core_loader_fixtures_no_symbol_la_SOURCES = tests/core/loader-fixtures/no_symbol.c
tests_core_loader_fixtures_no_symbol_la_LDFLAGS = -module -avoid-version -no-undefined -rpath /nowhere $(AM_LDFLAGS)
tests_core_loader_fixtures_init_fail_la_SOURCES = tests/core/loader-fixtures/init_fail.c
tests_core_loader_fixtures_init_fail_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_core_loader_fixtures_init_fail_la_LIBADD = $(PLUGIN_LIBADD)
tests_core_loader_fixtures_z_dup_block_la_SOURCES = tests/core/loader-fixtures/z_dup_block.c
tests_core_loader_fixtures_z_dup_block_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_core_loader_fixtures_z_dup_block_la_LIBADD = $(PLUGIN_LIBADD)
tests_core_loader_fixtures_bad_schema_la_SOURCES = tests/core/loader-fixtures/bad_schema.c
tests_core_loader_fixtures_bad_schema_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_core_loader_fixtures_bad_schema_la_LIBADD = $(PLUGIN_LIBADD)

if HAVE_CUNIT
check_PROGRAMS += tests/core/test_registry tests/core/test_options tests/core/test_session
TESTS += tests/core/test_registry tests/core/test_options tests/core/test_session
tests_core_test_registry_SOURCES = tests/core/test_registry.c
tests_core_test_registry_CFLAGS = $(TEST_CFLAGS)
tests_core_test_registry_LDADD = $(TEST_LIBS)
tests_core_test_options_SOURCES = tests/core/test_options.c
tests_core_test_options_CFLAGS = $(TEST_CFLAGS)
tests_core_test_options_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/core/test_option_decl
TESTS += tests/core/test_option_decl
tests_core_test_option_decl_SOURCES = tests/core/test_option_decl.c
tests_core_test_option_decl_CFLAGS = $(TEST_CFLAGS)
tests_core_test_option_decl_LDADD = $(TEST_LIBS)
## test_session links the core's sources directly (not libbluetti.so) so
## that it can replace the session's clock (core/clock.h): its timeouts
## and retries run on a clock it advances instead of sleeping.
check_LTLIBRARIES += tests/libbluetti-core.la
tests_libbluetti_core_la_SOURCES = $(core_libbluetti_la_SOURCES)
tests_libbluetti_core_la_CPPFLAGS = $(AM_CPPFLAGS) $(BTUTIL_CPPFLAGS) -DBLUETTI_BUILDING_LIB
tests_libbluetti_core_la_LIBADD = $(BTUTIL_LIBS) $(LTDL_LIBS) $(LIBM)
tests_core_test_session_SOURCES = tests/core/test_session.c tests/testutil.c tests/testutil.h
tests_core_test_session_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core
tests_core_test_session_CFLAGS = $(TEST_CFLAGS)
tests_core_test_session_LDADD = tests/libbluetti-core.la $(CUNIT_LIBS) $(LIBM)
endif HAVE_CUNIT

## API/ABI gates: exported symbols match docs/API.md; ABI matches docs/abi/.
TESTS += tests/core/symbols.sh tests/core/abi.sh
dist_check_SCRIPTS += tests/core/symbols.sh tests/core/abi.sh

## Record the current ABI as the new baseline (after a deliberate version bump).
## The compile directory abidw records is this machine's build tree: left
## out, so the committed baseline names no path outside the repository.
update-abi: core/libbluetti.la
	abidw --no-corpus-path --headers-dir $(top_srcdir)/include/bluetti \
	  core/.libs/libbluetti.so | sed "s| comp-dir-path='[^']*'||" \
	  > $(top_srcdir)/docs/abi/libbluetti.abi
	printf 'libtool=%s plugin_abi=%s\n' '$(BLUETTI_LT_VERSION)' '$(BLUETTI_PLUGIN_ABI)' \
	  > $(top_srcdir)/docs/abi/VERSION
.PHONY: update-abi

## libbtutil, the internal helper library (core/util).
if HAVE_CUNIT
check_PROGRAMS += tests/core/test_btutil
TESTS += tests/core/test_btutil
tests_core_test_btutil_SOURCES = tests/core/test_btutil.c
tests_core_test_btutil_CFLAGS = $(TEST_CFLAGS)
tests_core_test_btutil_LDADD = $(TEST_LIBS)
endif HAVE_CUNIT

## tests/decode.mk: the decoding half of the core (framing, hex, retry,
## schema validation and the decoder).
if HAVE_CUNIT
check_PROGRAMS += tests/core/test_modbus tests/core/test_decode tests/core/test_retry
TESTS += tests/core/test_modbus tests/core/test_decode tests/core/test_retry
tests_core_test_modbus_SOURCES = tests/core/test_modbus.c
tests_core_test_modbus_CFLAGS = $(TEST_CFLAGS)
tests_core_test_modbus_LDADD = $(TEST_LIBS)
tests_core_test_decode_SOURCES = tests/core/test_decode.c
tests_core_test_decode_CFLAGS = $(TEST_CFLAGS)
tests_core_test_decode_LDADD = $(TEST_LIBS)
tests_core_test_retry_SOURCES = tests/core/test_retry.c
tests_core_test_retry_CFLAGS = $(TEST_CFLAGS)
tests_core_test_retry_LDADD = $(TEST_LIBS)
endif HAVE_CUNIT

## libbluetti-cloud's algorithms and envelopes: every vector of docs/protocol/cloud.md.
if HAVE_CUNIT
if HAVE_JANSSON
check_PROGRAMS += tests/core/test_cloud_crypto
TESTS += tests/core/test_cloud_crypto
endif HAVE_JANSSON
tests_core_test_cloud_crypto_SOURCES = tests/core/test_cloud_crypto.c
tests_core_test_cloud_crypto_CFLAGS = $(TEST_CFLAGS)
tests_core_test_cloud_crypto_LDADD = core/cloud/libbluetti-cloud.la $(TEST_LIBS)
endif HAVE_CUNIT

## In-process fault injection through transport-sim and a hostile transport.
if HAVE_CUNIT
check_PROGRAMS += tests/core/test_session_faults
TESTS += tests/core/test_session_faults
tests_core_test_session_faults_SOURCES = tests/core/test_session_faults.c
tests_core_test_session_faults_CFLAGS = $(TEST_CFLAGS)
tests_core_test_session_faults_LDADD = $(TEST_LIBS)
endif HAVE_CUNIT


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
