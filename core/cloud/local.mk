## core/cloud: libbluetti-cloud, the Bluetti cloud's algorithms, payload
## envelope and (later) account login. Used by transport-mqtt, the tool,
## bluetti-sim --cloud and the test broker's auth plugin.
lib_LTLIBRARIES += core/cloud/libbluetti-cloud.la
core_cloud_libbluetti_cloud_la_SOURCES = core/cloud/crypto.c core/cloud/envelope.c
core_cloud_libbluetti_cloud_la_CPPFLAGS = $(AM_CPPFLAGS) -DBLUETTI_BUILDING_LIB
core_cloud_libbluetti_cloud_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden $(OPENSSL_CFLAGS)
core_cloud_libbluetti_cloud_la_LDFLAGS = $(AM_LDFLAGS) -no-undefined -version-info $(BLUETTI_CLOUD_LT_VERSION) \
	-export-symbols-regex '^bluetti_(cloud|envelope)_'
core_cloud_libbluetti_cloud_la_LIBADD = core/libbluetti.la $(OPENSSL_LIBS)
bluettiinclude_HEADERS += include/bluetti/cloud.h
