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
