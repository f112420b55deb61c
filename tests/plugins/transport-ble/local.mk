## tests/plugins/transport-ble: the protocol library alone (every vector of
## docs/protocol/ble.md, the keys file, reassembly).
check_PROGRAMS += tests/plugins/transport-ble/test_ble_crypto
TESTS += tests/plugins/transport-ble/test_ble_crypto
tests_plugins_transport_ble_test_ble_crypto_SOURCES = tests/plugins/transport-ble/test_ble_crypto.c
tests_plugins_transport_ble_test_ble_crypto_CPPFLAGS = $(AM_CPPFLAGS) $(BLEPROTO_CPPFLAGS)
tests_plugins_transport_ble_test_ble_crypto_CFLAGS = $(TEST_CFLAGS) $(OPENSSL_CFLAGS)
tests_plugins_transport_ble_test_ble_crypto_LDADD = plugins/libbleproto.la $(TEST_LIBS) $(OPENSSL_LIBS)
