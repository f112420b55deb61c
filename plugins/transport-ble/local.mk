## plugins/transport-ble: the Bluetooth transport on BlueZ (sd-bus) and the
## protocol library under it. libbleproto (handshake, framing, keys file,
## reassembly) has no Bluetooth code and needs only OpenSSL: it is built
## always, for bluetti-sim --ble and the tests; the plugin only with
## libsystemd (configure says so when it is missing). Like libsimdev it
## uses core/util; its users link libbtutil.
noinst_LTLIBRARIES += plugins/libbleproto.la
## Its C files, also compiled straight into the fuzz targets (fuzz/local.mk).
BLEPROTO_C_SOURCES = plugins/transport-ble/ble_crypto.c plugins/transport-ble/ble_frame.c \
	plugins/transport-ble/ble_keys.c plugins/transport-ble/ble_client.c
plugins_libbleproto_la_SOURCES = $(BLEPROTO_C_SOURCES) \
	plugins/transport-ble/ble_crypto.h plugins/transport-ble/ble_frame.h \
	plugins/transport-ble/ble_keys.h plugins/transport-ble/ble_client.h
plugins_libbleproto_la_CPPFLAGS = $(AM_CPPFLAGS) $(BTUTIL_CPPFLAGS)
plugins_libbleproto_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
plugins_libbleproto_la_LIBADD = $(OPENSSL_LIBS)
BLEPROTO_CPPFLAGS = -I$(top_srcdir)/plugins/transport-ble

## The app's fixed keys (data, never code): the plugin's default keys file.
bledatadir = $(pkgdatadir)/ble
dist_bledata_DATA = data/ble/app-keys.pem

## The "ble" transport itself: BlueZ through sd-bus. Without libsystemd
## configure warns and the plugin is not built.
if HAVE_LIBSYSTEMD
plugin_LTLIBRARIES += plugins/transport-ble.la
plugins_transport_ble_la_SOURCES = plugins/transport-ble/transport_ble.c \
	plugins/transport-ble/ble_bluez.c plugins/transport-ble/ble_bluez.h
plugins_transport_ble_la_CPPFLAGS = $(AM_CPPFLAGS) $(BTUTIL_CPPFLAGS)
plugins_transport_ble_la_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(OPENSSL_CFLAGS)
plugins_transport_ble_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_transport_ble_la_LIBADD = $(PLUGIN_LIBADD) plugins/libbleproto.la $(BTUTIL_LIBS) \
	$(SYSTEMD_LIBS) $(OPENSSL_LIBS)
endif
