## tests/decode.mk: the decoding half of the core (framing, hex, retry,
## schema validation and the decoder).
if HAVE_CUNIT
check_PROGRAMS += tests/test_modbus tests/test_decode tests/test_retry
TESTS += tests/test_modbus tests/test_decode tests/test_retry
tests_test_modbus_SOURCES = tests/test_modbus.c
tests_test_modbus_CFLAGS = $(TEST_CFLAGS)
tests_test_modbus_LDADD = $(TEST_LIBS)
tests_test_decode_SOURCES = tests/test_decode.c
tests_test_decode_CFLAGS = $(TEST_CFLAGS)
tests_test_decode_LDADD = $(TEST_LIBS)
tests_test_retry_SOURCES = tests/test_retry.c
tests_test_retry_CFLAGS = $(TEST_CFLAGS)
tests_test_retry_LDADD = $(TEST_LIBS)
endif HAVE_CUNIT
