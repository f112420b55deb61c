## tests/plugins/transport-ble: the protocol library alone (every vector of
## docs/protocol/ble.md, the keys file, reassembly).
if HAVE_CUNIT
check_PROGRAMS += tests/plugins/transport-ble/test_ble_crypto
TESTS += tests/plugins/transport-ble/test_ble_crypto
tests_plugins_transport_ble_test_ble_crypto_SOURCES = tests/plugins/transport-ble/test_ble_crypto.c
tests_plugins_transport_ble_test_ble_crypto_CPPFLAGS = $(AM_CPPFLAGS) $(BLEPROTO_CPPFLAGS)
tests_plugins_transport_ble_test_ble_crypto_CFLAGS = $(TEST_CFLAGS) $(OPENSSL_CFLAGS)
tests_plugins_transport_ble_test_ble_crypto_LDADD = plugins/libbleproto.la $(TEST_LIBS) $(OPENSSL_LIBS)

## The protocol library against the simulated station (bluetti-sim's
## ble_device.c, compiled in) over a socket pair, with each link fault.
check_PROGRAMS += tests/plugins/transport-ble/test_ble_link
TESTS += tests/plugins/transport-ble/test_ble_link
tests_plugins_transport_ble_test_ble_link_SOURCES = tests/plugins/transport-ble/test_ble_link.c \
	tools/bluetti-sim-src/ble_device.c tools/bluetti-sim-src/ble_device.h \
	tools/bluetti-sim-src/frame_text.c tools/bluetti-sim-src/frame_text.h
tests_plugins_transport_ble_test_ble_link_CPPFLAGS = $(AM_CPPFLAGS) $(BLEPROTO_CPPFLAGS) \
	-I$(top_srcdir)/plugins/transport-sim -I$(top_srcdir)/tools/bluetti-sim-src
tests_plugins_transport_ble_test_ble_link_CFLAGS = $(TEST_CFLAGS) $(OPENSSL_CFLAGS)
tests_plugins_transport_ble_test_ble_link_LDADD = plugins/libbleproto.la plugins/libsimdev.la \
	$(TEST_LIBS) $(OPENSSL_LIBS)
endif HAVE_CUNIT
